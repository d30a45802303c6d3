/* transfer.c - posture and the transfer commands. */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "engine/lib.h"
#include "base/i18n.h"
#include "store/lib.h"

/* ---------------------------------------------------------------------
 * posture
 * ------------------------------------------------------------------- */

static const char *
ipv6_name(enum guard_ipv6 v)
{
	switch (v) {
	case GUARD_IPV6_ABSENT: return N_("absent");
	case GUARD_IPV6_DISABLED: return N_("disabled");
	case GUARD_IPV6_ENABLED: return N_("enabled");
	default: return N_("unknown");
	}
}

static json_t *
rules_json(const struct guard_rule_text *r, int n, const char *what, const char **bad)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		json_t *o = json_object();

		cli_json_set(o, "chain", json_string(r[i].chain), bad);
		cli_json_set(o, "rule", json_string(r[i].text), bad);
		cli_json_append(a, o, what, bad);
	}
	return a;
}

static json_t *
policies_json(enum guard_policy in, enum guard_policy out, enum guard_policy fwd, const char **bad)
{
	json_t *o = json_object();

	cli_json_set(o, "input", json_string(guard_policy_name(in)), bad);
	cli_json_set(o, "output", json_string(guard_policy_name(out)), bad);
	cli_json_set(o, "forward", json_string(guard_policy_name(fwd)), bad);
	return o;
}

/* The firewall's own part: the backend in use and, for nftables, whether
 * the running table is what `firewall boot-config` creates. */
static json_t *
firewall_json(const struct guard_posture *p, const char **bad)
{
	json_t *o = json_object();

	cli_json_set(o, "backend", json_string(guard_backend_name(p->backend)), bad);
	if (p->backend == GUARD_FW_NFTABLES) {
		cli_json_set(o, "table", json_boolean(p->nft_table), bad);
		cli_json_set(o, "boot_config_match", json_boolean(p->boot_match), bad);
		cli_json_set(o, "boot_config_diff",
		             cli_json_opt(p->boot_match ? NULL : p->boot_diff), bad);
	}
	return o;
}

static void
firewall_print(const struct guard_posture *p)
{
	if (p->backend != GUARD_FW_NFTABLES) {
		printf(_("Firewall:      %s\n"), guard_backend_name(p->backend));
		return;
	}
	printf(_("Firewall:      %s, table inet passtore %s\n"), guard_backend_name(p->backend),
	       p->nft_table ? _("loaded") : _("not loaded (each window creates it)"));
	if (p->boot_match)
		printf(_("Boot config:   the running table matches it\n"));
	else
		printf(_("Boot config:   the running table does NOT match it: %s\n"), p->boot_diff);
}

/* The split of privsep.c: {"helper": {pid, cap_eff, seccomp} or null,
 * "main": {pid, uid, cap_eff, seccomp}}; cap_eff in hex as /proc says. */
static json_t *
privsep_json(const struct privsep_info *in, const char **bad)
{
	json_t *o = json_object(), *m = json_object();
	char cap[32];

	if (in->active) {
		json_t *h = json_object();
		snprintf(cap, sizeof(cap), "%016llx", (unsigned long long)in->helper_cap);
		cli_json_set(h, "pid", json_integer(in->helper_pid), bad);
		cli_json_set(h, "cap_eff", json_string(cap), bad);
		cli_json_set(h, "seccomp", json_integer(in->helper_seccomp), bad);
		cli_json_set(o, "helper", h, bad);
	} else {
		cli_json_set(o, "helper", json_null(), bad);
	}
	snprintf(cap, sizeof(cap), "%016llx", (unsigned long long)in->main_cap);
	cli_json_set(m, "pid", json_integer(in->main_pid), bad);
	cli_json_set(m, "uid", json_integer(in->main_uid), bad);
	cli_json_set(m, "cap_eff", json_string(cap), bad);
	cli_json_set(m, "seccomp", json_integer(in->main_seccomp), bad);
	cli_json_set(o, "main", m, bad);
	return o;
}

static const char *
seccomp_name(int mode)
{
	return mode == 2   ? _("seccomp filter")
	       : mode == 1 ? _("seccomp strict")
	       : mode == 0 ? _("no seccomp")
	                   : _("seccomp unknown");
}

static void
privsep_print(const struct privsep_info *in)
{
	if (in->active)
		printf(_("Helper:        pid %ld, capabilities %016llx, %s\n"),
		       (long)in->helper_pid, (unsigned long long)in->helper_cap,
		       seccomp_name(in->helper_seccomp));
	else
		printf(_("Helper:        none (the guard runs in this process)\n"));
	printf(_("Main process:  pid %ld, uid %ld, capabilities %016llx, %s\n"), (long)in->main_pid,
	       (long)in->main_uid, (unsigned long long)in->main_cap,
	       seccomp_name(in->main_seccomp));
}

/* The station rows: [{"row", "state", "reason"}]. */
static json_t *
station_json(const struct guard_station *s, const char **bad)
{
	json_t *a = json_array();

	for (int i = 0; i < s->n; i++) {
		json_t *x = json_object();

		cli_json_set(x, "row", json_string(s->row[i].key), bad);
		cli_json_set(x, "state", json_string(guard_row_level_name(s->row[i].level)), bad);
		cli_json_set(x, "reason", json_string(s->row[i].reason), bad);
		cli_json_append(a, x, "station", bad);
	}
	return a;
}

static void
station_print(const struct guard_station *s)
{
	static const char *const level[] = { N_("ok"), N_("warning"), N_("BROKEN") };

	for (int i = 0; i < s->n; i++)
		/* TRANSLATORS: row title, its state (ok / warning / BROKEN), the reason */
		printf(_("Station:       %-10s %-8s %s\n"), s->row[i].title,
		       _(level[s->row[i].level]), s->row[i].reason);
}

static int
posture_json(struct cli *c, const struct guard_posture *p, bool ok, const char *reason,
             int open_windows, const struct guard_station *station, const char *escrow)
{
	const char *bad = NULL;
	json_t *o = json_object(), *link = json_object(), *listen = json_array();
	struct privsep_info ps;

	for (int i = 0; i < p->n_listen; i++) {
		json_t *x = json_object();

		cli_json_set(x, "proto",
		             json_string(p->listen[i].proto == IPPROTO_TCP ? "tcp" : "udp"), &bad);
		cli_json_set(x, "addr", json_string(p->listen[i].addr), &bad);
		cli_json_set(x, "port", json_integer(p->listen[i].port), &bad);
		cli_json_append(listen, x, "listeners", &bad);
	}
	cli_json_set(o, "ok", json_boolean(ok), &bad);
	cli_json_set(o, "reason", cli_json_opt(ok ? NULL : reason), &bad);
	cli_json_set(o, "interface", json_string(p->ifname), &bad);
	cli_json_set(o, "firewall", firewall_json(p, &bad), &bad);
	cli_json_set(link, "found", json_boolean(p->link_found), &bad);
	cli_json_set(link, "up", json_boolean(p->link_up), &bad);
	cli_json_set(link, "running", json_boolean(p->link_running), &bad);
	cli_json_set(o, "link", link, &bad);
	cli_json_set(o, "policy", policies_json(p->input, p->output, p->forward, &bad), &bad);
	cli_json_set(o, "policy6", policies_json(p->input6, p->output6, p->forward6, &bad), &bad);
	cli_json_set(o, "ipv6", json_string(ipv6_name(p->ipv6)), &bad);
	cli_json_set(o, "foreign_accept",
	             rules_json(p->foreign, p->n_foreign, "foreign_accept", &bad), &bad);
	cli_json_set(o, "leftover_windows",
	             rules_json(p->tagged, p->n_tagged, "leftover_windows", &bad), &bad);
	cli_json_set(o, "listeners", listen, &bad);
	cli_json_set(o, "open_journal_windows", json_integer(open_windows), &bad);
	cli_json_set(o, "station", station_json(station, &bad), &bad);
	cli_json_set(o, "station_state",
	             json_string(guard_row_level_name(guard_station_level(station))), &bad);
	cli_json_set(o, "escrow_warning", cli_json_opt(*escrow ? escrow : NULL), &bad);
	privsep_info(&ps);
	cli_json_set(o, "privsep", privsep_json(&ps, &bad), &bad);
	/* nothing printed: never a posture without the field */
	if (bad) {
		json_decref(o);
		cli_json_fail(c, p->ifname, bad);
		return cli_report(c);
	}
	return cli_json_print(o);
}

static int
count_open_cb(const struct window_info *w, void *ud)
{
	if (strcmp(w->outcome, "open") == 0)
		(*(int *)ud)++;
	return 0;
}

static int
cmd_posture(struct cli *c, int argc, char **argv)
{
	struct guard_posture *p;
	struct guard_station station;
	struct guard_station_src src = { 0 };
	const char *extra;
	char *ifname = NULL, reason[512] = "", escrow[512] = "";
	enum guard_backend fw;
	struct privsep_info ps;
	bool json, ok;
	int rc, open_windows = 0;

	if ((rc = cli_list_args(c, argc, argv, &extra, &json)))
		return rc;
	if (extra)
		return cli_bad_usage(c);
	if (settings_get(c->st, "net.interface", &ifname, &c->err) != PT_OK)
		return cli_report(c);
	if (!ifname) {
		pt_fail(&c->err, PT_REFUSED,
		        _("net.interface is not set (passtore config set net.interface IF)"));
		return cli_report(c);
	}
	p = calloc(1, sizeof(*p));
	if (!p || transfer_firewall(c->st, &fw, &c->err) != PT_OK ||
	    guard_posture_fw(ifname, fw, p, &c->err) != PT_OK ||
	    transfer_log_foreach(c->st, count_open_cb, &open_windows, &c->err) != PT_OK) {
		free(p);
		free(ifname);
		return cli_report(c);
	}
	src.open_windows = open_windows;
	if (guard_station_rows(c->st, p, &src, &station, &c->err) != PT_OK) {
		free(p);
		free(ifname);
		return cli_report(c);
	}
	ok = guard_posture_ok(p, reason, sizeof(reason));
	(void)guard_posture_escrow(c->st, escrow, sizeof(escrow));
	if (json) {
		rc = posture_json(c, p, ok, reason, open_windows, &station, escrow);
		if (rc == 0 && !ok)
			rc = pt_status_exit(PT_REFUSED);
	} else {
		printf(_("Interface:     %s (%s%s)\n"), ifname,
		       !p->link_found ? _("missing")
		       : p->link_up   ? _("UP")
		                      : _("down"),
		       p->link_running ? _(", running") : "");
		firewall_print(p);
		printf(_("Policies:      INPUT %s, OUTPUT %s, FORWARD %s\n"),
		       guard_policy_name(p->input), guard_policy_name(p->output),
		       guard_policy_name(p->forward));
		printf(_("IPv6:          %s (ip6tables INPUT %s, OUTPUT %s)\n"),
		       _(ipv6_name(p->ipv6)), guard_policy_name(p->input6),
		       guard_policy_name(p->output6));
		for (int i = 0; i < p->n_foreign; i++)
			printf(_("Foreign rule:  -A %s %s\n"), p->foreign[i].chain,
			       p->foreign[i].text);
		for (int i = 0; i < p->n_tagged; i++)
			printf(_("Window rule:   -A %s %s\n"), p->tagged[i].chain,
			       p->tagged[i].text);
		for (int i = 0; i < p->n_listen; i++)
			printf(_("Listening:     %s %s:%u\n"),
			       p->listen[i].proto == IPPROTO_TCP ? "tcp" : "udp", p->listen[i].addr,
			       p->listen[i].port);
		station_print(&station);
		printf(_("Open windows:  %d in the journal\n"), open_windows);
		if (*escrow)
			printf(_("Escrow:        WARNING: %s\n"), escrow);
		privsep_info(&ps);
		privsep_print(&ps);
		if (ok)
			printf(_("Posture:       ok, a window may open\n"));
		else
			printf(_("Posture:       BROKEN: %s\n"), reason);
		rc = ok ? 0 : pt_status_exit(PT_REFUSED);
	}
	free(p);
	free(ifname);
	return rc;
}

/* ---------------------------------------------------------------------
 * transfer
 * ------------------------------------------------------------------- */

int
cli_transfer_args(struct cli *c, int argc, char **argv, const char **arg, const char **accept,
                  bool *dry)
{
	static const struct option opts[] = {
		{ "accept-hostkey", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	*accept = NULL;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'n' && dry) {
			*dry = true;
			continue;
		}
		if (o != 'a')
			return cli_bad_usage(c);
		if (transfer_fingerprint_check(optarg, NULL) != PT_OK)
			return cli_usage_error(
				c,
				_("--accept-hostkey takes a fingerprint as ssh-keygen -lf prints it (SHA256:...)"));
		*accept = optarg;
	}
	if (optind + 1 != argc)
		return cli_bad_usage(c);
	*arg = argv[optind];
	return 0;
}

void
cli_print_window(const struct transfer_result *r)
{
	printf(_("Window %lld closed: exposure %.1f ms, link up %.1f ms, SSH %.1f ms.\n"),
	       (long long)r->window_id, r->exposure_ms, r->link_ms, r->ssh_ms);
	if (r->goodbye_ms >= 0)
		printf(r->peer_closed
		               ? _("Goodbye:  %.1f ms of it; the peer closed its session.\n")
		               : _("Goodbye:  %.1f ms of it; the peer did not close in time.\n"),
		       r->goodbye_ms);
	if (r->pinned_now)
		printf(_("Host key %s %s is now pinned.\n"), r->hostkey_type, r->hostkey_fp);
	if (r->temps_cleared)
		printf(_("Temporary files that earlier windows left there: %d removed, %d not "
		         "there.\n"),
		       r->temps_removed, r->temps_cleared - r->temps_removed);
}

/* A signal that cut the transfer short ends the process the usual way,
 * once the window is closed and the journal says so. */
void
cli_reraise(struct cli *c, int sig)
{
	if (!sig)
		return;
	store_close(&c->st);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* send-csr and install: one host, one flow, one window. */
static int
host_transfer(struct cli *c, int argc, char **argv, bool install)
{
	struct transfer_result r = { 0 };
	const char *fqdn = NULL, *accept = NULL;
	char *low, check[512] = "";
	int rc;

	rc = cli_transfer_args(c, argc, argv, &fqdn, &accept, NULL);
	if (rc != 0)
		return rc;
	low = cli_lowercase(fqdn);
	if (install) {
		struct transfer_opts o = { .accept_hostkey = accept, .install_check = check };
		if (transfer_flow(c->st, "install", low, &o, &r, &c->err) == PT_OK)
			printf(_("Key and certificate installed on %s.\n"), low);
		if (*check)
			printf(_("Served certificate: %s\n"), check);
	} else if (!install && transfer_send_csr(c->st, low, accept, &r, &c->err) == PT_OK)
		printf(_("The request of %s is in the operator's inbox.\n"), low);
	if (r.window_id)
		cli_print_window(&r);
	free(low);
	rc = cli_report(c);
	cli_reraise(c, r.signal);
	return rc;
}

static int
cmd_transfer_send_csr(struct cli *c, int argc, char **argv)
{
	return host_transfer(c, argc, argv, false);
}

static int
cmd_transfer_install(struct cli *c, int argc, char **argv)
{
	return host_transfer(c, argc, argv, true);
}

/* What a fetch tells and asks as it goes. */
struct fetch_run {
	int refused;
	int pwfd; /* --password-fd, or -1 */
	char *pw; /* read once from it (secure memory), for every PKCS#12 file */
	size_t pwlen;
	struct pt_err err;
};

static void
fetch_line(const struct fetch_report *r, void *ud)
{
	struct fetch_run *f = ud;

	if (r->refused) {
		printf(_("refused  %s: %s\n"), r->name, r->why);
		if (r->retry)
			printf(_("         %s stays in the outbox for the next fetch: give its "
			         "password with --password-fd N\n"),
			       r->name);
		f->refused++;
	} else {
		printf(_("stored   %s: %d new, %d older kept, %d already in the store\n"), r->name,
		       r->stored, r->older, r->duplicates);
		if (r->ca_added || r->ca_unknown)
			printf(_("chain    %s: %d CA certificates added to a CA bundle, %d of no "
			         "stored CA (not stored)\n"),
			       r->name, r->ca_added, r->ca_unknown);
	}
}

static void
crl_line(const struct fetch_report *r, void *ud)
{
	int *refused = ud;

	if (r->refused) {
		printf(_("refused  %s: %s\n"), r->name, r->why);
		(*refused)++;
	} else {
		printf(_("stored   %s: %d CRLs\n"), r->name, r->stored);
	}
}

/* The password of a PKCS#12 file that needs one: --password-fd, read
 * once; without it, the file is refused and the message says why. */
static bool
fetch_p12(const char *file, char **pw, void *ud)
{
	struct fetch_run *f = ud;

	if (f->pwfd < 0)
		return false;
	if (cli_p12_password(f->pwfd, file, &f->pw, &f->pwlen, &f->err) != PT_OK) {
		f->pwfd = -1; /* asked once: a descriptor that fails stays failed */
		return false;
	}
	*pw = secmem_alloc(f->pwlen + 1);
	if (!*pw)
		return false;
	memcpy(*pw, f->pw, f->pwlen + 1);
	return true;
}

static int fetch_any(struct cli *c, int argc, char **argv, bool crl);

static int
cmd_transfer_fetch_certs(struct cli *c, int argc, char **argv)
{
	return fetch_any(c, argc, argv, false);
}

static int
cmd_transfer_fetch_crl(struct cli *c, int argc, char **argv)
{
	return fetch_any(c, argc, argv, true);
}

static int
fetch_any(struct cli *c, int argc, char **argv, bool crl)
{
	static const struct option opts[] = {
		{ "accept-hostkey", required_argument, NULL, 'a' },
		{ "password-fd", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct transfer_result r = { 0 };
	struct fetch_run f = { .pwfd = -1 };
	const char *accept = NULL;
	int rc, o, refused = 0;
	long v;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'p' && !crl) {
			if (cli_parse_int(optarg, 0, INT_MAX, &v) != 0)
				return cli_usage_error(
					c, _("--password-fd takes a file descriptor number"));
			f.pwfd = (int)v;
			continue;
		}
		if (o != 'a')
			return cli_bad_usage(c);
		if (transfer_fingerprint_check(optarg, NULL) != PT_OK)
			return cli_usage_error(
				c,
				_("--accept-hostkey takes a fingerprint as ssh-keygen -lf prints it (SHA256:...)"));
		accept = optarg;
	}
	if (optind != argc)
		return cli_bad_usage(c);
	if ((crl ? transfer_fetch_crl(c->st, accept, crl_line, &refused, &r, &c->err)
	         : transfer_fetch_certs(c->st, accept, fetch_line, fetch_p12, &f, &r, &c->err)) ==
	    PT_OK) {
		cli_print_window(&r);
		refused += f.refused;
		if (refused)
			pt_fail(&c->err, PT_REFUSED,
			        ngettext(
					"%d file was refused (see above); the other files were imported",
					"%d files were refused (see above); the other files were imported",
					(unsigned long)refused),
			        refused);
	} else if (r.window_id) {
		cli_print_window(&r);
	}
	secmem_free(f.pw);
	rc = cli_report(c);
	cli_reraise(c, r.signal);
	return rc;
}

/* Hosts the journal says may hold temporary files of killed windows. */
struct temps_host {
	char host[256];
	int files;
};

static int
temps_host_cb(const char *host, int files, void *ud)
{
	struct temps_host *t = ud;

	for (int i = 0; i < 64; i++)
		if (!t[i].host[0]) {
			snprintf(t[i].host, sizeof(t[i].host), "%s", host);
			t[i].files = files;
			return 0;
		}
	return 1;
}

/* A window to each such host removes them (when the host can be
 * reached: pinned, its password stored); what stays is said. */
static void
recover_temps(struct cli *c)
{
	struct temps_host t[64];

	memset(t, 0, sizeof(t));
	if (transfer_temps_pending(c->st, temps_host_cb, t, &c->err) != PT_OK)
		return;
	for (int i = 0; i < 64 && t[i].host[0]; i++) {
		struct transfer_result r = { 0 };
		struct pt_err e = { 0 };

		if (transfer_clean_temps(c->st, t[i].host, &r, &e) == PT_OK)
			printf(_("Temporary files on %s named in the journal: %d removed, %d not there "
			         "(window %lld).\n"),
			       t[i].host, r.temps_removed, r.temps_cleared - r.temps_removed,
			       (long long)r.window_id);
		else
			fprintf(stderr,
			        _("passtore: %d temporary files on %s stay named in the journal: %s\n"),
			        t[i].files, t[i].host, e.detail);
		if (r.signal) {
			c->err = e;
			cli_reraise(c, r.signal);
			return;
		}
	}
}

static int
cmd_transfer_recover(struct cli *c, int argc, char **argv)
{
	int windows = 0, rules = 0;

	if (argc != 1)
		return cli_bad_usage(c);
	if (transfer_sweep_now(c->st, &windows, &rules, &c->err) == PT_OK)
		printf(_("Windows recovered: %d; firewall rules removed: %d.\n"), windows, rules);
	if (c->err.status == PT_OK)
		recover_temps(c);
	return cli_report(c);
}

static int
cmd_transfer_forget_hostkey(struct cli *c, int argc, char **argv)
{
	const char *fqdn = NULL;
	char *low;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &fqdn)) != 0)
		return rc;
	low = cli_lowercase(fqdn);
	if (settings_pin_forget(c->st, low, &c->err) == PT_OK)
		printf(_("The host key of %s is forgotten: the next transfer needs --accept-hostkey.\n"),
		       low);
	free(low);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * transfer plan: the engine's plan, printed; nothing opens
 * ------------------------------------------------------------------- */

static const char *
or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* One line: the console's plan lines and their translations, with a newline. */
static void line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void
plan_text(const struct transfer_plan *p)
{
	char flow[300];

	snprintf(flow, sizeof(flow), "%s%s%s", p->purpose, p->target[0] ? " " : "", p->target);
	line(_("Flow:       %s"), flow);
	if (p->peer[0])
		line(_("Peer:       %s, address %s, port %d"), p->host, p->peer, p->port);
	else
		line(_("Peer:       %s, no address"), or_dash(p->host));
	line(_("Interface:  %s, through the gateway %s"), or_dash(p->ifname), or_dash(p->gateway));
	if (p->user[0])
		line(p->key_auth ? _("Login:      %s with the stored key %s@%s:%s")
		                 : _("Login:      %s with the stored password %s@%s:%s"),
		     p->user, p->user, p->host, p->service);
	else
		line("%s", _("Login:      -"));
	if (p->pin[0])
		line(_("Host key:   pinned %s %s"), p->pin_type, p->pin);
	else
		line("%s", _("Host key:   none pinned"));
	line(_("Timeout:    %ld s for the whole transfer"), p->timeout_s);
	line("%s", _("Files:"));
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct transfer_file *f = &p->files[i];
		line("  %s", f->from);
		if (f->to_peer && f->owner[0])
			line(_("    -> %s  mode %04o  owner %s"), f->to, f->mode, f->owner);
		else if (f->to_peer)
			line(_("    -> %s  mode %04o"), f->to, f->mode);
		else
			line("    <- %s", f->to);
	}
	if (p->more_files)
		line(_("  and %zu more files"), p->more_files);
	if (p->after[0])
		line(_("Then:       run \"%s\" on %s"), p->after, p->host);
	if (p->note[0])
		line("%s", p->note);
	if (!p->nwhy) {
		line("%s", _("Verdict:    the transfer can run (nothing was opened to plan it)"));
		return;
	}
	line("%s", _("Verdict:    refused before any window, because:"));
	for (size_t i = 0; i < p->nwhy; i++)
		line("  - %s", p->why[i].text);
}

static json_t *
text_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static int
plan_json(struct cli *c, const struct transfer_plan *p)
{
	const char *bad = NULL;
	json_t *o = json_object(), *files = json_array(), *why = json_array();
	json_t *peer = json_object(), *login = json_object(), *hostkey = json_object();

	for (size_t i = 0; i < p->nfiles; i++) {
		const struct transfer_file *f = &p->files[i];
		json_t *x = json_object();
		char mode[8];

		snprintf(mode, sizeof(mode), "%04o", f->mode);
		cli_json_set(x, "from", json_string(f->from), &bad);
		cli_json_set(x, "to", json_string(f->to), &bad);
		cli_json_set(x, "direction", json_string(f->to_peer ? "to-peer" : "from-peer"),
		             &bad);
		cli_json_set(x, "mode", f->to_peer ? json_string(mode) : json_null(), &bad);
		cli_json_set(x, "owner", text_or_null(f->owner), &bad);
		cli_json_set(x, "size", f->size ? json_integer((json_int_t)f->size) : json_null(),
		             &bad);
		cli_json_append(files, x, "files", &bad);
	}
	for (size_t i = 0; i < p->nwhy; i++) {
		json_t *x = json_object();

		cli_json_set(x, "status", json_string(pt_status_msg(p->why[i].status)), &bad);
		cli_json_set(x, "exit", json_integer(pt_status_exit(p->why[i].status)), &bad);
		cli_json_set(x, "reason", json_string(p->why[i].text), &bad);
		cli_json_append(why, x, "refusals", &bad);
	}
	cli_json_set(o, "flow", json_string(p->purpose), &bad);
	cli_json_set(o, "target", text_or_null(p->target), &bad);
	cli_json_set(peer, "host", text_or_null(p->host), &bad);
	cli_json_set(peer, "address", text_or_null(p->peer), &bad);
	cli_json_set(peer, "port", json_integer(p->port), &bad);
	cli_json_set(o, "peer", peer, &bad);
	cli_json_set(o, "interface", text_or_null(p->ifname), &bad);
	cli_json_set(o, "gateway", text_or_null(p->gateway), &bad);
	cli_json_set(login, "user", text_or_null(p->user), &bad);
	cli_json_set(login, "service", text_or_null(p->service), &bad);
	cli_json_set(login, "auth", json_string(p->key_auth ? "key" : "password"), &bad);
	cli_json_set(o, "login", login, &bad);
	cli_json_set(hostkey, "pinned", json_boolean(p->pin[0] != '\0'), &bad);
	cli_json_set(hostkey, "type", text_or_null(p->pin_type), &bad);
	cli_json_set(hostkey, "fingerprint", text_or_null(p->pin), &bad);
	cli_json_set(o, "hostkey", hostkey, &bad);
	cli_json_set(o, "timeout_s", json_integer((int)p->timeout_s), &bad);
	cli_json_set(o, "files", files, &bad);
	cli_json_set(o, "more_files", json_integer((json_int_t)p->more_files), &bad);
	cli_json_set(o, "after", text_or_null(p->after), &bad);
	cli_json_set(o, "note", text_or_null(p->note), &bad);
	cli_json_set(o, "ok", json_boolean(p->nwhy == 0), &bad);
	cli_json_set(o, "refusals", why, &bad);
	/* nothing printed: never a plan without the field */
	if (bad) {
		json_decref(o);
		cli_json_fail(c, p->purpose, bad);
		return cli_report(c);
	}
	return cli_json_print(o);
}

static int
cmd_transfer_plan(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "accept-hostkey", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *accept = NULL, *flow = NULL;
	enum transfer_target target;
	struct transfer_plan *p;
	char *arg = NULL;
	bool json = false;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'j')
			json = true;
		else if (o == 'a')
			accept = optarg;
		else
			return cli_bad_usage(c);
	}
	if (optind >= argc || !transfer_flow_lookup(argv[optind], &flow, &target))
		return cli_usage_error(
			c,
			_("transfer plan takes a flow: send-csr FQDN, fetch-certs, install FQDN, gridmap-push FQDN (or push), fetch-vo VO"));
	if (optind + (target == TRANSFER_TARGET_NONE ? 1 : 2) != argc)
		return cli_bad_usage(c);
	if (target == TRANSFER_TARGET_HOST)
		arg = cli_lowercase(argv[optind + 1]);
	else if (target == TRANSFER_TARGET_VO)
		arg = strdup(argv[optind + 1]);
	if ((target != TRANSFER_TARGET_NONE && !arg) || !(p = calloc(1, sizeof(*p)))) {
		free(arg);
		pt_fail(&c->err, PT_NOMEM, NULL);
		return cli_report(c);
	}
	/* a refusal is the plan's answer, printed whole; a failure is an error */
	if (transfer_plan_with(c->st, flow, arg, accept, p, &c->err) != PT_OK && p->nwhy == 0) {
		rc = cli_report(c);
	} else {
		pt_err_clear(&c->err);
		rc = json ? plan_json(c, p) : (plan_text(p), 0);
		if (rc == 0 && p->nwhy)
			rc = pt_status_exit(p->why[0].status);
	}
	free(p);
	free(arg);
	return rc;
}

struct log_print {
	bool json;
	json_t *arr;
	struct cli *c; /* where a record JSON cannot hold is reported */
};

static json_t *
ms_or_null(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

/* The steps run on the peer (reload, check), under their window. */
struct step_print {
	json_t *arr;
	const char *bad;
};

static int
step_row(const char *step, int status, const char *output, void *ud)
{
	struct step_print *sp = ud;

	if (sp->arr) {
		json_t *o = json_object();
		cli_json_set(o, "step", json_string(step), &sp->bad);
		cli_json_set(o, "status", json_integer(status), &sp->bad);
		cli_json_set(o, "output", json_string(output), &sp->bad);
		cli_json_append(sp->arr, o, "steps", &sp->bad);
		return 0;
	}
	printf(_("       %s: status %d\n"), step, status);
	for (const char *l = output; *l;) {
		const char *nl = strchr(l, '\n');
		int len = nl ? (int)(nl - l) : (int)strlen(l);
		printf("         | %.*s\n", len, l);
		l += len + (nl != NULL);
	}
	return 0;
}

static int
log_row(const struct window_info *w, void *ud)
{
	struct log_print *p = ud;
	struct step_print sp = { 0 };
	char when[32];

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();
		char what[64];

		cli_json_set(o, "id", json_integer((json_int_t)w->id), &bad);
		cli_json_set(o, "purpose", json_string(w->purpose), &bad);
		cli_json_set(o, "host", json_string(w->host), &bad);
		cli_json_set(o, "peer", json_string(w->peer), &bad);
		cli_json_set(o, "port", json_integer(w->port), &bad);
		cli_json_set(o, "interface", json_string(w->ifname), &bad);
		cli_json_set(o, "outcome", json_string(w->outcome), &bad);
		cli_json_set(o, "exposure_ms", ms_or_null(w->exposure_ms), &bad);
		cli_json_set(o, "link_ms", ms_or_null(w->link_ms), &bad);
		cli_json_set(o, "ssh_ms", ms_or_null(w->ssh_ms), &bad);
		cli_json_set(o, "opened", json_string(cli_time((time_t)(w->opened_ms / 1000))),
		             &bad);
		cli_json_set(o, "detail", json_string(w->detail), &bad);
		sp.arr = json_array();
		if (transfer_window_steps(p->c->st, w->id, step_row, &sp, &p->c->err) != PT_OK)
			return 1;
		cli_json_set(o, "steps", sp.arr, &bad);
		if (sp.bad && !bad)
			bad = sp.bad;
		snprintf(what, sizeof(what), _("transfer window %lld"), (long long)w->id);
		return cli_json_row(p->c, p->arr, o, bad, what);
	}
	pt_utc_time((time_t)(w->opened_ms / 1000), "-", when, sizeof(when));
	printf("%5lld  %s  %-11s %-28s %-15s %-9s %8.1f %8.1f %8.1f\n", (long long)w->id, when,
	       w->purpose, w->host, w->peer, w->outcome, w->exposure_ms, w->link_ms, w->ssh_ms);
	return transfer_window_steps(p->c->st, w->id, step_row, &sp, &p->c->err) != PT_OK;
}

static int
cmd_transfer_log(struct cli *c, int argc, char **argv)
{
	struct log_print p = { .c = c };
	const char *extra;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &extra, &p.json)))
		return rc;
	if (extra)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	else
		printf("%5s  %-20s  %-11s %-28s %-15s %-9s %8s %8s %8s\n", _("ID"), _("OPENED"),
		       _("PURPOSE"), _("HOST"), _("PEER"), _("OUTCOME"), _("EXPO.MS"), _("LINK.MS"),
		       _("SSH.MS"));
	if (transfer_log_foreach(c->st, log_row, &p, &c->err) == PT_OK && c->err.status == PT_OK &&
	    p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

const struct cmd cli_transfer_commands[] = {
	{ "posture", NULL, cmd_posture, CMD_STORE | CMD_NET, N_("[--json]"),
	  N_("check the station: link, firewall policies, IPv6, foreign rules, leftovers, listeners") },
	{ "transfer", "send-csr", cmd_transfer_send_csr, CMD_STORE | CMD_NET,
	  N_("FQDN [--accept-hostkey SHA256:...]"),
	  N_("send the host's pending request to the operator's inbox, through a window") },
	{ "transfer", "install", cmd_transfer_install, CMD_STORE | CMD_NET,
	  N_("FQDN [--accept-hostkey SHA256:...]"),
	  N_("install the host's key and certificate on that host only, through a window") },
	{ "transfer", "fetch-certs", cmd_transfer_fetch_certs, CMD_STORE | CMD_NET,
	  N_("[--accept-hostkey SHA256:...] [--password-fd N]"),
	  N_("bring new certificates from the operator's outbox and import those that match a key "
	     "(--password-fd: the password of PKCS#12 files)") },
	{ "transfer", "fetch-crl", cmd_transfer_fetch_crl, CMD_STORE | CMD_NET,
	  N_("[--accept-hostkey SHA256:...]"),
	  N_("bring new CRLs (*.crl, HASH.r0) from the operator's outbox and import those signed by "
	     "their stored issuer") },
	{ "transfer", "plan", cmd_transfer_plan, CMD_STORE,
	  N_("FLOW [FQDN|VO] [--accept-hostkey SHA256:...] [--json]"),
	  N_("what a transfer would do and every reason it would be refused; opens nothing") },
	{ "transfer", "forget-hostkey", cmd_transfer_forget_hostkey, CMD_STORE | CMD_WRITE,
	  N_("FQDN"),
	  N_("forget a host's pinned SSH key (a reinstalled host); the next contact needs --accept-hostkey") },
	{ "transfer", "recover", cmd_transfer_recover, CMD_STORE | CMD_NET, "",
	  N_("close what a dead process left: rules, link, journal") },
	{ "transfer", "log", cmd_transfer_log, CMD_STORE, N_("[--json]"),
	  N_("the windows: peer, outcome, exposure, link and SSH times") },
};
const size_t cli_transfer_ncommands =
	sizeof(cli_transfer_commands) / sizeof(cli_transfer_commands[0]);

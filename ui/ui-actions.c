/* ui-actions.c - the global actions of the menu.
 *
 * Forms store nothing until their submit accepts the input; a refusal is
 * shown in place, on the field to fix.  Every action that opens the
 * network first shows its plan (transfer_plan: the same code the flow
 * runs) and asks; then the phases as transfer_run reports them (drawn
 * only: nothing waits for a person while the rules are in), then the
 * outcome with the measured exposure and the host key.
 */
#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/lib.h"
#include "cert/lib.h"
#include "base/i18n.h"
#include "site/lib.h"
#include "base/lib.h"
#include "engine/lib.h"
#include "ui/actions.h"
#include "ui/adopt.h"
#include "ui/ca.h"
#include "ui/csr.h"
#include "ui/app.h"
#include "ui/lines.h"
#include "ui/dialog.h"
#include "ui/escrow.h"
#include "ui/firststart.h"
#include "ui/import.h"
#include "ui/form.h"
#include "ui/grid.h"
#include "ui/hosts.h"
#include "ui/pw.h"
#include "ui/trust.h"
#include "ui/view.h"

#define MAX_LINES 48
#define MAX_CAS 16
#define PASS_MAX 256
#define PASSPHRASE_MIN 8 /* as the CLI's init and passwd */

static const char wheel[] = "|/-\\";

/* ---- small helpers ---- */

/* A long text (an error from the core) on as many lines as it needs. */
static void
add_wrapped(struct lines *L, const char *text, int width)
{
	const char *p = text;

	while (*p) {
		int cut = (int)strlen(p);
		if (cut > width) {
			cut = width;
			while (cut > width / 2 && p[cut] != ' ')
				cut--;
		}
		lines_add(L, "%s%.*s", p == text ? "" : "  ", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static const char *
detail(const struct pt_err *err)
{
	return pt_err_text(err);
}

/* The current screen reads the store again (a new row shows at once),
 * keeping the message the action left. */
static void
reload_view(struct ui *ui)
{
	char msg[sizeof ui->msg];
	enum theme_role role = ui->msg_role;

	snprintf(msg, sizeof msg, "%s", ui->msg);
	ui_switch(ui, ui->view);
	snprintf(ui->msg, sizeof ui->msg, "%s", msg);
	ui->msg_role = role;
}

static int
host_found(const struct host *h, void *ud)
{
	(void)h;
	*(bool *)ud = true;
	return 1;
}

static bool
host_exists(struct ui *ui, const char *fqdn)
{
	struct pt_err err = { 0 };
	bool found = false;

	return model_host_get(ui->st, fqdn, host_found, &found, &err) == PT_OK && found;
}

/* ---- request a certificate ---- */

struct req_form {
	struct ui *ui;
	char *ca_names[MAX_CAS], *ca_keys[MAX_CAS];
	const char *ca_choices[MAX_CAS];
	size_t nca;
	const char *key_choices[X509_KEY_MAX];
	char host[256];
	int spin;
	int64_t started_ms;
};

static int
ca_row(const struct cert_ca *ca, void *ud)
{
	struct req_form *r = ud;
	enum x509_keytype t;

	if (r->nca >= MAX_CAS)
		return 1;
	r->ca_names[r->nca] = strdup(ca->name);
	r->ca_keys[r->nca] =
		strdup(x509_keytype_parse(ca->default_key, &t, NULL) == PT_OK ? x509_keytype_name(t)
	                                                                      : CERT_DEFAULT_KEY);
	if (!r->ca_names[r->nca] || !r->ca_keys[r->nca])
		return 1;
	r->ca_choices[r->nca] = r->ca_names[r->nca];
	r->nca++;
	return 0;
}

/* A new CA brings its default key type. */
static void
req_ca_changed(struct ui_field *f, size_t n, size_t which, void *ud)
{
	struct req_form *r = ud;

	(void)n;
	if (which != 1)
		return;
	for (size_t i = 0; i < r->nca; i++)
		if (strcmp(f[1].buf, r->ca_names[i]) == 0)
			snprintf(f[2].buf, f[2].len, "%s", r->ca_keys[i]);
}

static void
keygen_progress(void *ud)
{
	struct req_form *r = ud;
	char line[320], status[128];
	const char *l[1] = { line };

	snprintf(line, sizeof line, _("A new key for %s, kept in the store."), r->host);
	snprintf(status, sizeof status, _("%c Generating the key... %.1f s"), wheel[r->spin++ % 4],
	         (double)(ui_now_ms() - r->started_ms) / 1000.0);
	dialog_show(r->ui, _("Request a certificate"), l, 1, status);
}

static int
req_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct req_form *r = ud;
	struct pt_err err = { 0 };
	struct cert_request_info ri = { 0 };
	struct cert_request_opts o = { 0 };
	enum x509_keytype t;
	char *csr = NULL;
	struct lines L = { .max = MAX_LINES };
	enum pt_status ret;

	(void)n;
	lower(f[0].buf);
	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("The host is required."));
		return 0;
	}
	if (!host_exists(ui, f[0].buf)) {
		snprintf(msg, len, _("Unknown host %s: add it first (A)."), f[0].buf);
		return 0;
	}
	if (r->nca == 0) {
		snprintf(msg, len, "%s", _("No CA in the store: add one (J)."));
		return 1;
	}
	if (x509_keytype_parse(f[2].buf, &t, &err) != PT_OK) {
		snprintf(msg, len, "%s", detail(&err));
		return 2;
	}
	if (cert_request_csr(ui->st, f[0].buf, &csr, &err) == PT_OK) {
		free(csr);
		snprintf(msg, len,
		         _("A request for %s is already pending: send it (C) or cancel it."),
		         f[0].buf);
		return 0;
	}
	pt_err_clear(&err);
	snprintf(r->host, sizeof r->host, "%s", f[0].buf);
	o.ca = f[1].buf;
	o.keytype = x509_keytype_name(t);
	o.progress = keygen_progress;
	o.progress_ud = r;
	r->started_ms = ui_now_ms();
	if ((ret = store_begin(ui->st, &err)) == PT_OK) {
		ret = cert_request_create(ui->st, f[0].buf, &o, &ri, &err);
		if (ret == PT_OK)
			ret = store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	flushinp(); /* keys typed while the key was generated are not answers */
	if (ret != PT_OK) {
		cert_request_info_clear(&ri);
		snprintf(msg, len, "%s", detail(&err));
		return 0;
	}
	lines_add(&L, _("Requested a certificate for %s."), f[0].buf);
	lines_add(&L, _("CA:        %s"), ri.ca);
	lines_add(&L, _("Key type:  %s (new key, kept in the store)"), ri.keytype);
	lines_add(&L, "%s", _("Subject:"));
	lines_add(&L, "  %s", ri.subject);
	lines_add(&L, _("Names:     %s"), ri.sans);
	lines_add(&L, "%s", "");
	lines_add(&L, "%s", _("Next: send the request to the operator (C)."));
	ui_popup(ui, _("Request created"), (const char *const *)L.v, L.n);
	ui_message(ui, ROLE_BAND_OK, _("Request for %s: %s key, subject %s."), f[0].buf, ri.keytype,
	           ri.subject);
	lines_free(&L);
	cert_request_info_clear(&ri);
	return -1;
}

static void
request_form(struct ui *ui, const char *host)
{
	struct req_form r = { .ui = ui };
	struct pt_err err = { 0 };
	char fqdn[256] = "", ca[128] = "", key[32] = "";
	bool ok;

	for (int i = 0; i < X509_KEY_MAX; i++)
		r.key_choices[i] = x509_keytype_name((enum x509_keytype)i);
	if (cert_ca_foreach(ui->st, ca_row, &r, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", detail(&err));
		goto out;
	}
	snprintf(fqdn, sizeof fqdn, "%s", host ? host : "");
	if (r.nca) {
		snprintf(ca, sizeof ca, "%s", r.ca_names[0]);
		snprintf(key, sizeof key, "%s", r.ca_keys[0]);
	} else {
		/* still a choice (of one), so nothing can be typed there */
		r.ca_choices[0] = _("(none)");
		snprintf(ca, sizeof ca, "%s", r.ca_choices[0]);
		snprintf(key, sizeof key, "%s", CERT_DEFAULT_KEY);
	}
	struct ui_field f[3] = {
		{ _("Host"), fqdn, sizeof fqdn, false, _("a host of the store: ce01.example.org"),
		  UI_FILE_NONE },
		{ _("CA"), ca, sizeof ca, false, _("one of the stored CAs"), UI_FILE_NONE },
		{ _("Key type"), key, sizeof key, false, _("the CA's default first"),
		  UI_FILE_NONE },
	};
	const struct ui_choice ch[2] = {
		{ 1, r.ca_choices, r.nca ? r.nca : 1, req_ca_changed },
		{ 2, r.key_choices, X509_KEY_MAX, NULL },
	};
	ok = ui_form_choices(ui, _("Request a certificate"), f, 3, ch, 2, req_submit, &r);
	if (ok)
		reload_view(ui);
out:
	for (size_t i = 0; i < r.nca; i++) {
		free(r.ca_names[i]);
		free(r.ca_keys[i]);
	}
}

/* ---- the network actions ---- */

struct net_action {
	enum ui_action act;
	const char *purpose; /* transfer_flow's name */
	bool host_target;    /* the target is a host to name (else none) */
	const char *title;   /* N_() */
};

static const struct net_action net_actions[] = {
	{ ACT_SENDCSR, "send-csr", true, N_("Send a request to the operator") },
	{ ACT_FETCH, "fetch-certs", false, N_("Fetch issued certificates") },
	{ ACT_INSTALL, "install", true, N_("Install key and certificate") },
	{ ACT_FETCHCRL, "fetch-crl", false, N_("Fetch CRLs from the operator") },
};

static void
done_text(const struct net_action *na, const char *target, char *buf, size_t n)
{
	switch (na->act) {
	case ACT_SENDCSR:
		snprintf(buf, n, _("The request of %s is in the operator's inbox."), target);
		break;
	case ACT_INSTALL:
		snprintf(buf, n, _("Key and certificate installed on %s."), target);
		break;
	default: snprintf(buf, n, "%s", _("The operator's outbox was read.")); break;
	}
}

struct net_run {
	struct ui *ui;
	const struct net_action *na;
	struct transfer_plan plan;
	char target[256];
	char accept[128];
	int phase;   /* the one running, -1 before any */
	int reached; /* the last before the closing ones, -1 before any */
	struct lines fetched;
};

/* The target form: its submit computes the plan, so every refusal the
 * flow would give before a window shows in place. */
static int
target_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct net_run *nr = ud;
	struct pt_err err = { 0 };

	(void)n;
	lower(f[0].buf);
	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("The host is required."));
		return 0;
	}
	if (!host_exists(ui, f[0].buf)) {
		snprintf(msg, len, _("Unknown host %s."), f[0].buf);
		return 0;
	}
	if (transfer_plan(ui->st, nr->na->purpose, f[0].buf, &nr->plan, &err) != PT_OK) {
		snprintf(msg, len, "%s", detail(&err));
		return 0;
	}
	snprintf(nr->target, sizeof nr->target, "%s", f[0].buf);
	return -1;
}

static int
fp_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	(void)ui;
	(void)n;
	(void)ud;
	/* the CLI's --accept-hostkey rule */
	if (transfer_fingerprint_check(f[0].buf, NULL) != PT_OK) {
		snprintf(
			msg, len, "%s",
			_("Give the fingerprint as ssh-keygen -lf prints it on the host: SHA256:..."));
		return 0;
	}
	return -1;
}

static void
plan_lines(const struct net_run *nr, struct lines *L)
{
	const struct transfer_plan *p = &nr->plan;

	lines_add(L, _("Peer:       %s, address %s, port %d"), p->host, p->peer, p->port);
	lines_add(L, _("Interface:  %s, through the gateway %s"), p->ifname, p->gateway);
	lines_add(L,
	          p->key_auth ? _("Login:      %s with the stored key %s@%s:%s")
	                      : _("Login:      %s with the stored password %s@%s:%s"),
	          p->user, p->user, p->host, p->service);
	/* a fingerprint is long: on a line of its own, never cut */
	if (p->pin[0])
		lines_add(L, _("Host key:   pinned, %s:"), p->pin_type);
	else
		lines_add(L, "%s",
		          _("Host key:   first contact: only this one is accepted, then pinned:"));
	lines_add(L, "            %s", p->pin[0] ? p->pin : nr->accept);
	lines_add(L, _("Timeout:    %ld s for the whole transfer"), p->timeout_s);
	lines_add(L, "%s", _("Files:"));
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct transfer_file *f = &p->files[i];
		/* the paths on the peer, which is named above */
		if (f->to_peer) {
			lines_add(L, "  %s", f->from);
			if (f->owner[0])
				lines_add(L, _("    -> %s  mode %04o  owner %s"), f->to, f->mode,
				          f->owner);
			else
				lines_add(L, _("    -> %s  mode %04o"), f->to, f->mode);
		} else {
			lines_add(L, "  %s", f->from);
			lines_add(L, "    -> %s", f->to);
		}
	}
	if (p->after[0])
		lines_add(L, _("Then:       run \"%s\" on %s"), p->after, p->host);
	lines_add(L, "%s",
	          _("The link is up for this window only; the rules admit only this peer."));
}

static void
net_progress(enum transfer_phase ph, void *ud)
{
	struct net_run *nr = ud;
	struct lines L = { .max = MAX_LINES };

	nr->phase = (int)ph;
	if (ph < TRANSFER_GOODBYE)
		nr->reached = (int)ph;
	lines_add(&L, _("Peer %s (%s) port %d on %s"), nr->plan.host, nr->plan.peer, nr->plan.port,
	          nr->plan.ifname);
	lines_add(&L, "%s", "");
	for (int i = 0; i < TRANSFER_PHASES; i++)
		lines_add(&L, "%s %s",
		          i < nr->phase    ? "[x]"
		          : i == nr->phase ? "[>]"
		                           : "[ ]",
		          transfer_phase_name((enum transfer_phase)i));
	dialog_show(nr->ui, _(nr->na->title), (const char *const *)L.v, L.n,
	            _("Working: the window closes by itself at the end or at the timeout."));
	lines_free(&L);
}

static void
net_fetched(const struct fetch_report *r, void *ud)
{
	struct net_run *nr = ud;

	if (nr->na->act == ACT_FETCHCRL && !r->refused) {
		/* as `transfer fetch-crl` says it */
		lines_add(&nr->fetched, _("stored   %s: %d CRLs"), r->name, r->stored);
		return;
	}
	if (r->refused) {
		lines_add(&nr->fetched, _("refused  %s: %s"), r->name, r->why);
		if (r->retry)
			lines_add(&nr->fetched,
			          _("         %s stays in the outbox: fetch again to give "
			            "its password"),
			          r->name);
	} else {
		lines_add(&nr->fetched,
		          _("stored   %s: %d new, %d older kept, %d already in the store"), r->name,
		          r->stored, r->older, r->duplicates);
		if (r->ca_added || r->ca_unknown)
			lines_add(
				&nr->fetched,
				_("chain    %s: %d CA certificates added to a CA bundle, %d of no stored "
			          "CA (not stored)"),
				r->name, r->ca_added, r->ca_unknown);
	}
}

#define NET_P12_MAX 1024

static int
p12_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	(void)ui, (void)f, (void)n, (void)msg, (void)len, (void)ud;
	return -1;
}

/* The password of a fetched PKCS#12 file that needs one: asked after the
 * window, the file named; Esc or an empty password leaves the file in
 * the outbox for the next fetch. */
static bool
net_p12(const char *file, char **pw, void *ud)
{
	struct net_run *nr = ud;
	char *buf = secmem_alloc(NET_P12_MAX), hint[512];

	if (!buf)
		return false;
	snprintf(hint, sizeof hint, _("%s is a PKCS#12 file with a password; empty: not now"),
	         file);
	{
		struct ui_field f[1] = { { _("Password"), buf, NET_P12_MAX, true, hint,
			                   UI_FILE_NONE } };
		if (!ui_form(nr->ui, _("Password of a fetched file"), f, 1, p12_submit, nr) ||
		    !buf[0]) {
			secmem_free(buf);
			return false;
		}
	}
	*pw = buf;
	return true;
}

static void
run_net(struct ui *ui, const struct net_action *na, const char *host)
{
	struct net_run *nr = calloc(1, sizeof *nr);
	struct transfer_result res = { 0 };
	struct pt_err err = { 0 };
	struct lines L = { .max = MAX_LINES };
	enum pt_status ret;
	char done[512], check[512] = "";

	if (!nr)
		return;
	nr->ui = ui;
	nr->na = na;
	nr->fetched.max = MAX_LINES;
	nr->phase = nr->reached = -1;
	if (na->host_target) {
		char t[256];
		snprintf(t, sizeof t, "%s", host ? host : "");
		struct ui_field f[1] = { { _("Host"), t, sizeof t, false,
			                   _("the host this transfer is about"), UI_FILE_NONE } };
		if (!ui_form(ui, _(na->title), f, 1, target_submit, nr))
			goto cancelled;
	} else if (transfer_plan(ui->st, na->purpose, NULL, &nr->plan, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", detail(&err));
		goto out;
	}
	if (!nr->plan.pin[0]) {
		char title[160];
		snprintf(title, sizeof title, _("First contact with %s"), nr->plan.host);
		struct ui_field f[1] = {
			{ _("Fingerprint"), nr->accept, sizeof nr->accept, false,
			  _("check it on the host: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"),
			  UI_FILE_NONE }
		};
		if (!ui_form(ui, title, f, 1, fp_submit, nr))
			goto cancelled;
	}
	plan_lines(nr, &L);
	if (!dialog_ask(ui, _(na->title), (const char *const *)L.v, L.n, _("Open the window now?")))
		goto cancelled;
	lines_free(&L);
	{
		struct transfer_opts o = { .accept_hostkey = nr->accept[0] ? nr->accept : NULL,
			                   .progress = net_progress,
			                   .progress_ud = nr,
			                   .fetched = net_fetched,
			                   .fetched_ud = nr,
			                   .p12_password = net_p12,
			                   .p12_ud = nr,
			                   .install_check = check };
		ret = transfer_flow(ui->st, na->purpose, nr->target[0] ? nr->target : NULL, &o,
		                    &res, &err);
	}
	flushinp(); /* keys typed during the window are not answers to the outcome */
	if (ret == PT_OK) {
		done_text(na, nr->target, done, sizeof done);
		lines_add(&L, "%s", done);
	} else {
		char failed[700];
		snprintf(failed, sizeof failed, _("Failed: %s"), detail(&err));
		add_wrapped(&L, failed, 66);
		if (nr->reached >= 0)
			lines_add(&L, _("Stopped during: %s (the window is closed)"),
			          transfer_phase_name((enum transfer_phase)nr->reached));
	}
	if (res.window_id) {
		if (res.exposure_ms >= 0)
			lines_add(
				&L,
				_("Window %lld: exposure %.1f ms (first rule in to last rule out)"),
				(long long)res.window_id, res.exposure_ms);
		else
			lines_add(&L, _("Window %lld: no rule went in"), (long long)res.window_id);
		if (res.link_ms >= 0)
			lines_add(&L, _("Link up %.1f ms, SSH %.1f ms"), res.link_ms,
			          res.ssh_ms >= 0 ? res.ssh_ms : 0.0);
	} else {
		lines_add(&L, "%s", _("No window was opened."));
	}
	if (res.hostkey_fp[0]) {
		lines_add(&L, _("Host key:   %s"), res.hostkey_type);
		lines_add(&L, "            %s", res.hostkey_fp);
	}
	if (res.pinned_now)
		lines_add(&L, _("First contact: this key is now pinned for %s."), nr->plan.host);
	if (check[0]) {
		char served[700];
		snprintf(served, sizeof served, _("Served certificate: %s"), check);
		add_wrapped(&L, served, 66);
	}
	if (res.temps_cleared)
		lines_add(&L, _("Temporary files earlier windows left: %d removed, %d not there."),
		          res.temps_removed, res.temps_cleared - res.temps_removed);
	for (size_t i = 0; i < nr->fetched.n; i++)
		lines_add(&L, "%s", nr->fetched.v[i]);
	ui_popup(ui, _(na->title), (const char *const *)L.v, L.n);
	if (ret == PT_OK)
		ui_message(ui, ROLE_BAND_OK, _("%s Exposure %.1f ms."), done, res.exposure_ms);
	else
		ui_message(ui, ROLE_ALERT, "%s", detail(&err));
	reload_view(ui);
	if (res.signal)
		raise(res.signal); /* the window is closed: now the session ends as asked */
	goto out;
cancelled:
	ui_message(ui, ROLE_HINT, "%s", _("Cancelled: no window was opened."));
out:
	lines_free(&L);
	lines_free(&nr->fetched);
	free(nr);
}

/* ---- change the passphrase ---- */

struct rekey_job {
	const char *path;
	struct store *st;
	char *old, *new_;
	struct kdf_params kp;
	enum pt_status ret;
	struct pt_err err;
	volatile int done;
	bool old_wrong;
};

static enum pt_status
audit_passwd(struct store *nst, void *ud)
{
	const struct rekey_job *j = ud;

	return audit_appendf(nst, "store.passwd", j->path, NULL, "kdf=argon2id m=%uMiB t=%u p=%u",
	                     j->kp.m_kib / 1024, j->kp.t_cost, j->kp.lanes);
}

/* Both KDF runs (the check of the current passphrase, the new key) off
 * the main thread, which only turns the spinner meanwhile. */
static void *
rekey_thread(void *arg)
{
	struct rekey_job *j = arg;
	struct store *check = NULL;

	j->ret = store_open(j->path, j->old, strlen(j->old), &check, &j->err);
	store_close(&check);
	if (j->ret == PT_LOCKED)
		j->old_wrong = true;
	else if (j->ret == PT_OK)
		j->ret = store_rekey(j->st, j->new_, strlen(j->new_), &j->kp, audit_passwd, j,
		                     &j->err);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int
passwd_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct rekey_job j = { .path = ui->path, .st = ui->st, .old = f[0].buf, .new_ = f[1].buf };
	pthread_t th;
	int spin = 0;
	int64_t t0 = ui_now_ms();

	(void)n;
	(void)ud;
	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("Type the current passphrase."));
		return 0;
	}
	if (strlen(f[1].buf) < PASSPHRASE_MIN) {
		snprintf(msg, len, _("The new passphrase must have at least %d characters."),
		         PASSPHRASE_MIN);
		return 1;
	}
	if (strcmp(f[1].buf, f[2].buf) != 0) {
		secmem_wipe(f[1].buf, f[1].len);
		secmem_wipe(f[2].buf, f[2].len);
		snprintf(msg, len, "%s", _("The two new passphrases differ: type them again."));
		return 1;
	}
	/* the cost stays as it is: raising it is `passtore passwd --kdf-memory` */
	j.kp = *store_kdf_params(ui->st);
	if (pthread_create(&th, NULL, rekey_thread, &j) != 0) {
		snprintf(msg, len, "%s", _("cannot start the key derivation thread"));
		return 0;
	}
	while (!__atomic_load_n(&j.done, __ATOMIC_ACQUIRE)) {
		char status[160];
		const char *l[1] = { _(
			"Checking the current passphrase, then re-encrypting the store.") };
		snprintf(status, sizeof status, _("%c Deriving the keys... %.1f s"),
		         wheel[spin++ % 4], (double)(ui_now_ms() - t0) / 1000.0);
		dialog_show(ui, _("Change the passphrase"), l, 1, status);
		napms(100);
	}
	pthread_join(th, NULL);
	flushinp();
	if (j.old_wrong) {
		secmem_wipe(f[0].buf, f[0].len);
		snprintf(msg, len, "%s",
		         _("The current passphrase is wrong: nothing was changed."));
		return 0;
	}
	if (j.ret != PT_OK) {
		snprintf(msg, len, "%s", detail(&j.err));
		return 0;
	}
	ui_message(ui, ROLE_BAND_OK,
	           _("Passphrase changed (Argon2id, memory %u MiB, time cost %u, parallelism %u)."),
	           j.kp.m_kib / 1024, j.kp.t_cost, j.kp.lanes);
	return -1;
}

static void
passwd_form(struct ui *ui)
{
	char *b[3];
	bool ok = true;

	for (int i = 0; i < 3; i++)
		ok &= (b[i] = secmem_alloc(PASS_MAX)) != NULL;
	if (ok) {
		struct ui_field f[3] = {
			{ _("Current"), b[0], PASS_MAX, true, _("the passphrase in use"),
			  UI_FILE_NONE },
			{ _("New"), b[1], PASS_MAX, true, _("at least 8 characters"),
			  UI_FILE_NONE },
			{ _("Repeat"), b[2], PASS_MAX, true, NULL, UI_FILE_NONE },
		};
		ui_form(ui, _("Change the passphrase"), f, 3, passwd_submit, NULL);
	}
	for (int i = 0; i < 3; i++)
		secmem_free(b[i]);
}

/* ---- backup ---- */

static int
backup_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct pt_err err = { 0 };
	char *written = NULL, hex[65];
	uint64_t bytes = 0;
	struct lines L = { .max = MAX_LINES };
	const char *l[1] = { f[0].buf };

	(void)n;
	(void)ud;
	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("Give a destination: a new file or a directory."));
		return 0;
	}
	dialog_show(ui, _("Backup"), l, 1, _("Writing the copy and verifying it..."));
	if (store_backup(ui->st, f[0].buf, &written, &bytes, hex, &err) != PT_OK) {
		snprintf(msg, len, "%s", detail(&err));
		return 0;
	}
	if (store_begin(ui->st, &err) == PT_OK) {
		if (model_backup_record(ui->st, written, bytes, hex, &err) == PT_OK)
			store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	if (err.status != PT_OK) {
		unlink(written); /* a copy the store does not know of is not a backup */
		free(written);
		snprintf(msg, len, "%s", detail(&err));
		return 0;
	}
	lines_add(&L, "%s", _("Backup written and verified:"));
	lines_add(&L, "  %s", written);
	lines_add(&L, _("Size:     %llu bytes"), (unsigned long long)bytes);
	lines_add(&L, "%s", _("SHA-256:"));
	lines_add(&L, "  %s", hex);
	ui_popup(ui, _("Backup"), (const char *const *)L.v, L.n);
	ui_message(ui, ROLE_BAND_OK, _("Backup verified: %s (%llu bytes)."), written,
	           (unsigned long long)bytes);
	lines_free(&L);
	free(written);
	return -1;
}

static void
backup_form(struct ui *ui)
{
	char dest[1024] = "";
	struct ui_field f[1] = {
		{ _("Destination"), dest, sizeof dest, false,
		  _("a new file, or a directory for a dated copy"), UI_FILE_SAVE },
	};

	if (ui_form(ui, _("Backup"), f, 1, backup_submit, NULL))
		reload_view(ui);
}

/* ---- a host's install profile ---- */

/* The form's fields and the profile parts they set, in that order. */
static const char *const profile_parts[] = {
	"key-path", "cert-path", "chain-path", "fullchain-path",
	"owner",    "copies",    "reload",     "check-port",
};
#define PROFILE_FIELDS (sizeof profile_parts / sizeof profile_parts[0])

struct profile_form {
	char host[256];
	char was[PROFILE_FIELDS][1100]; /* what the form showed: only changes are set */
};

static int
profile_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct profile_form *pf = ud;
	struct pt_err err = { 0 };
	size_t bad = n;

	if (store_begin(ui->st, &err) != PT_OK) {
		snprintf(msg, len, "%s", detail(&err));
		return 0;
	}
	for (size_t i = 0; i < n && bad == n; i++)
		if (strcmp(f[i].buf, pf->was[i]) != 0 &&
		    profile_set(ui->st, pf->host, profile_parts[i], f[i].buf, &err) != PT_OK)
			bad = i;
	if (bad == n && store_commit(ui->st, &err) == PT_OK) {
		ui_message(ui, ROLE_BAND_OK, _("The install profile of %s is saved."), pf->host);
		return -1;
	}
	store_rollback(ui->st);
	snprintf(msg, len, "%s", detail(&err));
	return bad == n ? 0 : (int)bad;
}

/* The current values: the paths as the profile has them (defaults
 * included), the rest as set ("" when unset). */
static bool
profile_fill(struct ui *ui, struct profile_form *pf)
{
	struct install_profile *p = calloc(1, sizeof *p);
	struct pt_err err = { 0 };
	char *v = NULL;
	bool ok;

	if (!p)
		return false;
	ok = profile_get(ui->st, pf->host, p, &err) == PT_OK;
	for (size_t i = 0; ok && i < p->n; i++)
		if (!p->files[i].copy && p->files[i].content <= PROFILE_FULLCHAIN)
			snprintf(pf->was[p->files[i].content], sizeof pf->was[0], "%s",
			         p->files[i].path);
	for (size_t i = 4; ok && i < 6; i++) {
		ok = settings_host_get(ui->st, pf->host, profile_parts[i], &v, &err) == PT_OK;
		snprintf(pf->was[i], sizeof pf->was[0], "%s", v ? v : "");
		free(v);
		v = NULL;
	}
	if (ok) {
		snprintf(pf->was[6], sizeof pf->was[0], "%s", p->reload);
		if (p->check_port)
			snprintf(pf->was[7], sizeof pf->was[0], "%d", p->check_port);
	} else {
		ui_message(ui, ROLE_ALERT, "%s", detail(&err));
	}
	free(p);
	return ok;
}

static void
profile_form(struct ui *ui, const char *host)
{
	struct profile_form *pf = calloc(1, sizeof *pf);
	char(*buf)[1100] = calloc(PROFILE_FIELDS, sizeof *buf);

	if (!pf || !buf)
		goto out;
	if (host)
		snprintf(pf->host, sizeof pf->host, "%s", host);
	else if (!ui_prompt(ui, _("Install profile of host: "), pf->host, sizeof pf->host, false) ||
	         !pf->host[0])
		goto out;
	lower(pf->host);
	if (!host_exists(ui, pf->host)) {
		ui_message(ui, ROLE_ALERT, _("Unknown host %s."), pf->host);
		goto out;
	}
	if (!profile_fill(ui, pf))
		goto out;
	for (size_t i = 0; i < PROFILE_FIELDS; i++)
		memcpy(buf[i], pf->was[i], sizeof buf[i]);
	{
		struct ui_field f[PROFILE_FIELDS] = {
			{ _("Key"), buf[0], sizeof buf[0], false, _("path on the host, mode 0400"),
			  UI_FILE_NONE },
			{ _("Certificate"), buf[1], sizeof buf[1], false, _("path, mode 0644"),
			  UI_FILE_NONE },
			{ _("Chain"), buf[2], sizeof buf[2], false,
			  _("the CA's bundle; empty: none"), UI_FILE_NONE },
			{ _("Full chain"), buf[3], sizeof buf[3], false,
			  _("certificate and bundle; empty: none"), UI_FILE_NONE },
			{ _("Owner"), buf[4], sizeof buf[4], false, _("UID:GID of the files (0:0)"),
			  UI_FILE_NONE },
			{ _("Copies"), buf[5], sizeof buf[5], false,
			  _("CONTENT:PATH:UID:GID:MODE;... (key, cert, chain, fullchain)"),
			  UI_FILE_NONE },
			{ _("Reload"), buf[6], sizeof buf[6], false,
			  _("run on the host after the files are in place"), UI_FILE_NONE },
			{ _("Check port"), buf[7], sizeof buf[7], false,
			  _("its served certificate is compared; empty: none"), UI_FILE_NONE },
		};
		char title[320];

		snprintf(title, sizeof title, _("Install profile of %s"), pf->host);
		if (ui_form(ui, title, f, PROFILE_FIELDS, profile_submit, pf))
			reload_view(ui);
	}
out:
	free(buf);
	free(pf);
}

/* ---- the entry point ---- */

/* ---- the firewall's boot configuration ---- */

/* What `passtore firewall boot-config` prints, its statements only (the
 * file's comments say where it goes; the box has no room for them). */
static void
boot_config_popup(struct ui *ui)
{
	const char *p = guard_nft_boot_config();
	struct lines L = { .max = MAX_LINES };

	while (*p) {
		size_t n = strcspn(p, "\n");
		char line[160];
		size_t o = 0;

		for (size_t i = 0; i < n && o + 3 < sizeof line; i++) {
			if (p[i] == '\t') {
				line[o++] = ' ';
				line[o++] = ' ';
			} else {
				line[o++] = p[i];
			}
		}
		line[o] = '\0';
		if (o > 0 && line[0] != '#')
			lines_add(&L, "%s", line);
		p += n + (p[n] == '\n');
	}
	ui_popup(ui, _("Firewall at boot (passtore firewall boot-config)"),
	         (const char *const *)L.v, L.n);
	lines_free(&L);
}

/* ---- the posture's gate ---- */

bool
ui_net_allowed(struct ui *ui, const char *title)
{
	struct pt_err err = { 0 };
	const char *l[3];

	if (guard_window_allowed(ui->st, &err) == PT_OK)
		return true;
	l[0] = detail(&err);
	l[1] = "";
	l[2] = _("Nothing was asked and no window was opened.");
	ui_popup_wrap(ui, title, l, 3);
	ui_message(ui, ROLE_ALERT, "%s", _("Refused: the station's posture forbids a window."));
	return false;
}

static bool
is_net_action(enum ui_action a)
{
	return a == ACT_SENDCSR || a == ACT_FETCH || a == ACT_INSTALL || a == ACT_PUSH ||
	       a == ACT_FETCHVO || a == ACT_FETCHCRL;
}

bool
ui_run_action(struct ui *ui, enum ui_action a, const char *host)
{
	char h[256] = "";

	if (!ui->st)
		return false;
	/* the context belongs to the screen, which the action may reload */
	if (host)
		snprintf(h, sizeof h, "%s", host);
	ui_reveal_clear(ui);
	/* before any question: a window the posture forbids is not planned */
	if (is_net_action(a) && !ui_net_allowed(ui, _(ui_action_help(a))))
		return true;
	switch (a) {
	case ACT_ADDHOST:
		if (host_new_form(ui))
			reload_view(ui);
		return true;
	case ACT_ADDPW:
		if (pw_new_form(ui, h[0] ? h : NULL))
			reload_view(ui);
		return true;
	case ACT_REQUEST: request_form(ui, h[0] ? h : NULL); return true;
	case ACT_IMPORT:
		if (ui_import_form(ui))
			reload_view(ui);
		return true;
	case ACT_ADOPT:
		if (ui_adopt_form(ui, h[0] ? h : NULL))
			reload_view(ui);
		return true;
	case ACT_INSPECT: ui_inspect_form(ui); return true;
	case ACT_PROFILE: profile_form(ui, h[0] ? h : NULL); return true;
	case ACT_PASSWD: passwd_form(ui); return true;
	case ACT_BACKUP: backup_form(ui); return true;
	case ACT_FWBOOT: boot_config_popup(ui); return true;
	case ACT_FIRSTSTEPS:
		/* over the dashboard, as at the first start */
		ui_switch(ui, VIEW_DASH);
		ui_draw(ui);
		ui_first_steps_menu(ui);
		return true;
	case ACT_ESCROW:
	case ACT_SPLIT:
	case ACT_COMPROMISE:
		ui_escrow_action(ui, a);
		reload_view(ui);
		return true;
	case ACT_PUSH:
		/* the Grid screen's push: its plan lists the build's files */
		if (h[0] ||
		    (ui_prompt(ui, _("Push the grid-mapfile to host: "), h, sizeof h, false) &&
		     h[0])) {
			ui_switch(ui, VIEW_GRID); /* its page shows the plan and the outcome */
			ui_grid_push(ui, h);
		}
		return true;
	case ACT_GRIDSETUP: ui_grid_setup(ui, NULL, h[0] ? h : NULL); return true;
	case ACT_FETCHVO: {
		char vo[128] = "";
		if (ui_prompt(ui, _("Fetch the member list of VO: "), vo, sizeof vo, false) &&
		    vo[0]) {
			ui_switch(ui, VIEW_GRID);
			ui_grid_fetch_vo(ui, vo);
		}
		return true;
	}
	case ACT_ADDCA:
		if (ui_ca_add_form(ui))
			reload_view(ui);
		return true;
	case ACT_SAVECSR:
		if (ui_csr_save_form(ui, h[0] ? h : NULL))
			reload_view(ui);
		return true;
	default:
		if (ui_trust_action(ui, a, h[0] ? h : NULL))
			return true;
		break;
	}
	for (size_t i = 0; i < sizeof net_actions / sizeof net_actions[0]; i++)
		if (net_actions[i].act == a) {
			run_net(ui, &net_actions[i], h[0] ? h : NULL);
			return true;
		}
	return false;
}

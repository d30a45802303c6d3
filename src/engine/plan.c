/* plan.c - the one table of flows, and what a flow will do before it
 * does it.
 *
 * Every flow (send-csr, fetch-certs, install, gridmap-push, fetch-vo) is
 * one row of the table below: its name, the target it takes, the files
 * it moves with their modes, its plan function and its run function.
 * transfer_plan shows a flow; transfer_flow plans it the same way and
 * runs it only when the plan holds no reason to refuse it, so nothing a
 * front end shows can differ from what the engine does.  A plan reads
 * the store and nothing else: no key material, no network, no firewall,
 * no journal. */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "site/lib.h"
#include "store/lib.h"
#include "engine/private.h"
#include "engine/transfer.h"

/* ---------------------------------------------------------------------
 * Reasons
 * ------------------------------------------------------------------- */

void
plan_why(struct transfer_plan *p, enum pt_status st, const char *fmt, ...)
{
	struct transfer_why *w;
	va_list ap;

	if (p->nwhy >= TRANSFER_PLAN_WHYS)
		return;
	w = &p->why[p->nwhy++];
	w->status = st;
	va_start(ap, fmt);
	vsnprintf(w->text, sizeof(w->text), fmt, ap);
	va_end(ap);
}

bool
plan_is_refusal(enum pt_status st)
{
	switch (st) {
	case PT_NOTFOUND:
	case PT_REFUSED:
	case PT_INVALID:
	case PT_EXISTS:
	case PT_MISMATCH: return true;
	default: return false;
	}
}

enum pt_status
plan_take(struct transfer_plan *p, enum pt_status ret, const struct pt_err *e)
{
	if (ret == PT_OK || !plan_is_refusal(ret))
		return ret;
	plan_why(p, ret, "%s", e->detail[0] ? e->detail : _(pt_status_msg(ret)));
	return PT_OK;
}

enum pt_status
plan_verdict(const struct transfer_plan *p, struct pt_err *err)
{
	if (p->nwhy == 0)
		return PT_OK;
	return pt_fail(err, p->why[0].status, "%s", p->why[0].text);
}

struct transfer_file *
plan_file(struct transfer_plan *p)
{
	if (p->nfiles >= TRANSFER_PLAN_FILES) {
		p->more_files++;
		return NULL;
	}
	memset(&p->files[p->nfiles], 0, sizeof(p->files[0]));
	return &p->files[p->nfiles++];
}

enum pt_status
plan_setting(struct store *st, struct transfer_plan *p, const char *key, char **value,
             struct pt_err *err)
{
	struct pt_err e = { 0 };
	enum pt_status ret = settings_get(st, key, value, err);

	if (ret != PT_OK || !*value)
		return ret;
	if (settings_check(st, key, *value, &e) != PT_OK) {
		if (!plan_is_refusal(e.status)) {
			*err = e;
			ret = e.status;
		} else {
			plan_why(p, PT_REFUSED,
			         _("%s; no window opens with it (passtore config set %s ...)"),
			         e.detail, key);
		}
		free(*value);
		*value = NULL;
	}
	return ret;
}

enum pt_status
plan_host_setting(struct store *st, struct transfer_plan *p, const char *fqdn, const char *what,
                  char **value, struct pt_err *err)
{
	char key[320];

	snprintf(key, sizeof(key), "host.%s.%s", fqdn, what);
	return plan_setting(st, p, key, value, err);
}

enum pt_status
plan_operator(struct store *st, struct transfer_plan *p, char **op, struct pt_err *err)
{
	size_t before = p->nwhy;
	enum pt_status ret = plan_setting(st, p, "operator.host", op, err);

	if (ret == PT_OK && !*op && p->nwhy == before)
		plan_why(
			p, PT_REFUSED,
			_("no operator host is configured (passtore config set operator.host FQDN)"));
	return ret;
}

void
plan_nopin(struct transfer_plan *p)
{
	plan_why(p, PT_REFUSED,
	         _("no host key is pinned for %s: check its fingerprint on the host "
	           "(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and give it with "
	           "--accept-hostkey SHA256:..."),
	         p->host);
}

/* ---------------------------------------------------------------------
 * The peer
 * ------------------------------------------------------------------- */

struct host_addr {
	char ip[64];
	int port;
	int64_t id;
	bool found;
};

static int
host_addr_cb(const struct host *h, void *ud)
{
	struct host_addr *a = ud;

	snprintf(a->ip, sizeof(a->ip), "%s", h->ip);
	a->port = h->port;
	a->id = h->id;
	a->found = true;
	return 1;
}

static void
copy_text(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* The station's side: interface, gateway, timeout. */
static enum pt_status
plan_station(struct store *st, struct transfer_plan *p, struct pt_err *err)
{
	char *ifname = NULL, *gw = NULL, *timeout = NULL;
	size_t n0 = p->nwhy, n1, n2;
	enum pt_status ret;

	if ((ret = plan_setting(st, p, "net.interface", &ifname, err)) != PT_OK)
		goto out;
	n1 = p->nwhy;
	if ((ret = plan_setting(st, p, "net.gateway", &gw, err)) != PT_OK)
		goto out;
	n2 = p->nwhy;
	if ((!ifname && n1 == n0) || (!gw && n2 == n1))
		plan_why(
			p, PT_REFUSED,
			_("the station's network is not configured: set net.interface and net.gateway "
		          "(passtore config set ...)"));
	copy_text(p->ifname, sizeof(p->ifname), ifname);
	copy_text(p->gateway, sizeof(p->gateway), gw);
	if ((ret = plan_setting(st, p, "transfer.timeout", &timeout, err)) != PT_OK)
		goto out;
	p->timeout_s = timeout ? strtol(timeout, NULL, 10) : 0;
out:
	free(ifname);
	free(gw);
	free(timeout);
	return ret;
}

/* The login on the peer and the stored secret for it. */
static enum pt_status
plan_login(struct store *st, const char *fqdn, const struct host_addr *ha, struct transfer_plan *p,
           struct pt_err *err)
{
	char *user = NULL, *service = NULL, *auth = NULL;
	struct pt_err e = { 0 };
	enum pt_status ret;

	if ((ret = plan_host_setting(st, p, fqdn, "user", &user, err)) != PT_OK ||
	    (ret = plan_host_setting(st, p, fqdn, "service", &service, err)) != PT_OK ||
	    (ret = plan_host_setting(st, p, fqdn, "auth", &auth, err)) != PT_OK)
		goto out;
	copy_text(p->user, sizeof(p->user), user);
	copy_text(p->service, sizeof(p->service), service);
	p->key_auth = auth && strcmp(auth, "key") == 0;
	if (!ha->found || !user || !service)
		goto out;
	ret = model_pw_find(st, p->user, fqdn, p->service, &ha->id, 1, &p->cred_id, &e);
	if (ret == PT_NOTFOUND)
		pt_fail(&e, PT_NOTFOUND,
		        _("no password for %s@%s:%s to log in with (passtore pw add %s@%s:%s)"),
		        p->user, fqdn, p->service, p->user, fqdn, p->service);
	if ((ret = plan_take(p, ret, &e)) != PT_OK)
		*err = e;
out:
	free(user);
	free(service);
	free(auth);
	return ret;
}

enum pt_status
plan_peer(struct store *st, const char *fqdn, struct transfer_plan *p, struct pt_err *err)
{
	struct host_addr ha = { "", 22, 0, false };
	char *pin = NULL, *pin_type = NULL;
	struct pt_err e = { 0 };
	struct in_addr a;
	enum pt_status ret;

	copy_text(p->host, sizeof(p->host), fqdn);
	if ((ret = plan_station(st, p, err)) != PT_OK)
		return ret;
	ret = model_host_get(st, fqdn, host_addr_cb, &ha, &e);
	if ((ret = plan_take(p, ret, &e)) != PT_OK) {
		*err = e;
		return ret;
	}
	if (ha.found && (!ha.ip[0] || inet_pton(AF_INET, ha.ip, &a) != 1))
		plan_why(
			p, PT_REFUSED,
			_("host %s has no IPv4 address to open a window to (passtore host add ... --ip)"),
			fqdn);
	else if (ha.found)
		copy_text(p->peer, sizeof(p->peer), ha.ip);
	p->port = ha.port;
	if ((ret = plan_login(st, fqdn, &ha, p, err)) != PT_OK)
		return ret;
	ret = settings_pin_get(st, fqdn, &pin, &pin_type, err);
	if (ret == PT_NOTFOUND) {
		pt_err_clear(err);
		ret = PT_OK;
	}
	copy_text(p->pin, sizeof(p->pin), pin);
	copy_text(p->pin_type, sizeof(p->pin_type), pin_type);
	free(pin);
	free(pin_type);
	return ret;
}

enum pt_status
transfer_plan_peer(struct store *st, const char *fqdn, struct transfer_plan *p, struct pt_err *err)
{
	enum pt_status ret = plan_peer(st, fqdn, p, err);

	return ret == PT_OK ? plan_verdict(p, err) : ret;
}

enum pt_status
transfer_fingerprint_check(const char *fp, struct pt_err *err)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	if (fp && strncmp(fp, "SHA256:", 7) == 0 && strlen(fp) == 7 + 43 &&
	    strspn(fp + 7, b64) == 43)
		return PT_OK;
	return pt_fail(
		err, PT_INVALID,
		_("a host key fingerprint is SHA256: and 43 characters, as ssh-keygen -lf prints it"));
}

/* ---------------------------------------------------------------------
 * The flows by name: one row each, so that a front end shows the plan
 * and runs the flow through the same two calls.
 * ------------------------------------------------------------------- */

struct flow_file {
	const char *what;
	int mode; /* on the peer; 0: nothing written there */
	bool to_peer;
};

struct flow {
	const char *name, *alias;
	enum transfer_target target;
	bool to_operator;          /* the peer is the operator's host (else the target) */
	struct flow_file files[3]; /* what moves, for the reader of this table */
	enum pt_status (*plan)(struct store *st, const char *target, struct transfer_plan *p,
	                       struct pt_err *err);
	enum pt_status (*run)(struct store *st, const char *target, const struct transfer_opts *o,
	                      struct transfer_result *res, struct pt_err *err);
};

static const struct flow flows[] = {
	{ "send-csr",
	  NULL,
	  TRANSFER_TARGET_HOST,
	  true,
	  { { "the host's pending CSR -> operator.inbox/FQDN.csr.pem", FLOW_MODE_PUBLIC, true } },
	  flow_send_csr_plan,
	  flow_send_csr_run },
	{ "fetch-certs",
	  NULL,
	  TRANSFER_TARGET_NONE,
	  true,
	  { { "operator.outbox/*.pem *.crt *.cer *.der -> the store", 0, false } },
	  flow_fetch_certs_plan,
	  flow_fetch_certs_run },
	{ "install",
	  NULL,
	  TRANSFER_TARGET_HOST,
	  false,
	  { { "the host's private key -> host.FQDN.key-path", FLOW_MODE_SECRET, true },
	    { "its current certificate -> host.FQDN.cert-path", FLOW_MODE_PUBLIC, true } },
	  flow_install_plan,
	  flow_install_run },
	{ "gridmap-push",
	  "push",
	  TRANSFER_TARGET_HOST,
	  false,
	  { { "VO/server.lsc -> host.FQDN.vomsdir/VO/", FLOW_MODE_PUBLIC, true },
	    { "grid-mapfile -> host.FQDN.gridmapfile", FLOW_MODE_PUBLIC, true } },
	  flow_gridmap_push_plan,
	  flow_gridmap_push_run },
	{ "fetch-vo",
	  NULL,
	  TRANSFER_TARGET_VO,
	  true,
	  { { "operator.outbox/VO.txt .csv .ldif .members -> memory", 0, false } },
	  flow_fetch_vo_plan,
	  flow_fetch_vo_run },
	{ "fetch-crl",
	  NULL,
	  TRANSFER_TARGET_NONE,
	  true,
	  { { "operator.outbox/*.crl *.r0 -> the store (each verified against its issuer)", 0,
	      false } },
	  flow_fetch_crl_plan,
	  flow_fetch_crl_run },
};

static const struct flow *
flow_named(const char *name)
{
	for (size_t i = 0; name && i < sizeof(flows) / sizeof(flows[0]); i++)
		if (strcmp(flows[i].name, name) == 0 ||
		    (flows[i].alias && strcmp(flows[i].alias, name) == 0))
			return &flows[i];
	return NULL;
}

bool
transfer_flow_lookup(const char *name, const char **canonical, enum transfer_target *target)
{
	const struct flow *f = flow_named(name);

	if (f && canonical)
		*canonical = f->name;
	if (f && target)
		*target = f->target;
	return f != NULL;
}

static const struct flow *
find_flow(const char *purpose, const char *target, struct pt_err *err)
{
	const struct flow *f = flow_named(purpose);

	if (!f) {
		pt_fail(err, PT_USAGE, _("this build has no %s transfer"), purpose ? purpose : "");
		return NULL;
	}
	if (f->target == TRANSFER_TARGET_HOST && (!target || !*target)) {
		pt_fail(err, PT_USAGE, _("the %s transfer needs a host"), f->name);
		return NULL;
	}
	if (f->target == TRANSFER_TARGET_VO && (!target || !*target)) {
		pt_fail(err, PT_USAGE, _("the %s transfer needs a VO"), f->name);
		return NULL;
	}
	return f;
}

static enum pt_status
plan_flow(struct store *st, const struct flow *f, const char *target, bool check_pin,
          const char *accept, struct transfer_plan *p, struct pt_err *err)
{
	enum pt_status ret;

	memset(p, 0, sizeof(*p));
	snprintf(p->purpose, sizeof(p->purpose), "%s", f->name);
	copy_text(p->target, sizeof(p->target), f->target == TRANSFER_TARGET_NONE ? NULL : target);
	if ((ret = f->plan(st, target, p, err)) != PT_OK)
		return ret;
	if (accept) {
		struct pt_err e = { 0 };
		if (transfer_fingerprint_check(accept, &e) != PT_OK)
			plan_why(p, PT_INVALID, "--accept-hostkey: %s", e.detail);
	} else if (check_pin && p->host[0] && !p->pin[0]) {
		plan_nopin(p);
	}
	return plan_verdict(p, err);
}

enum pt_status
transfer_plan(struct store *st, const char *purpose, const char *target, struct transfer_plan *p,
              struct pt_err *err)
{
	const struct flow *f = find_flow(purpose, target, err);

	if (!f) {
		memset(p, 0, sizeof(*p));
		return err ? err->status : PT_USAGE;
	}
	return plan_flow(st, f, target, false, NULL, p, err);
}

enum pt_status
transfer_plan_with(struct store *st, const char *purpose, const char *target,
                   const char *accept_hostkey, struct transfer_plan *p, struct pt_err *err)
{
	const struct flow *f = find_flow(purpose, target, err);

	if (!f) {
		memset(p, 0, sizeof(*p));
		return err ? err->status : PT_USAGE;
	}
	return plan_flow(st, f, target, true, accept_hostkey, p, err);
}

enum pt_status
transfer_flow(struct store *st, const char *purpose, const char *target,
              const struct transfer_opts *o, struct transfer_result *res, struct pt_err *err)
{
	const struct flow *f = find_flow(purpose, target, err);
	struct transfer_opts none = { 0 };
	struct transfer_plan *p;
	enum pt_status ret;

	memset(res, 0, sizeof(*res));
	if (!f)
		return err ? err->status : PT_USAGE;
	if (!o)
		o = &none;
	/* the same plan a front end shows: refused here, before anything opens */
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = plan_flow(st, f, target, true, o->accept_hostkey, p, err);
	free(p);
	if (ret != PT_OK)
		return ret;
	return f->run(st, target, o, res, err);
}

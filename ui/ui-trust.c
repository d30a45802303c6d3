/* ui-trust.c - the console's trust actions: an IGTF directory made the
 * trust anchors, CRLs imported and listed, a warning acknowledged.  Each is a form,
 * runs in one transaction of the store (all or nothing, as the CLI) and
 * ends in a popup or a message saying what changed. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/browse.h"
#include "ui/dialog.h"
#include "ui/lines.h"
#include "ui/form.h"
#include "ui/trust.h"
#include "ui/view.h"

#define MAX_LINES 200

/* The screen read again (what it lists changed), its message kept. */
static void
reload(struct ui *ui)
{
	char msg[sizeof ui->msg];
	enum theme_role role = ui->msg_role;

	snprintf(msg, sizeof msg, "%s", ui->msg);
	ui_switch(ui, ui->view);
	snprintf(ui->msg, sizeof ui->msg, "%s", msg);
	ui->msg_role = role;
}

/* Run fn in a transaction: committed when it returns PT_OK. */
static enum pt_status
in_tx(struct ui *ui, enum pt_status (*fn)(struct ui *ui, void *ud, struct pt_err *err), void *ud,
      struct pt_err *err)
{
	enum pt_status ret = store_begin(ui->st, err);

	if (ret != PT_OK)
		return ret;
	if ((ret = fn(ui, ud, err)) == PT_OK)
		return store_commit(ui->st, err);
	store_rollback(ui->st);
	return ret;
}

/* ---- IGTF ---- */

struct igtf_run {
	const char *dir;
	struct lines t;
	size_t counts[4];
};

static int
igtf_seen(const struct igtf_change *c, void *ud)
{
	struct igtf_run *r = ud;

	r->counts[c->kind]++;
	if (c->kind != IGTF_UNCHANGED)
		lines_add(&r->t, "%-10s %s  %s",
		          c->kind == IGTF_ADDED     ? _("added")
		          : c->kind == IGTF_CHANGED ? _("changed")
		                                    : _("withdrawn"),
		          c->name, c->subject);
	return 0;
}

static enum pt_status
igtf_do(struct ui *ui, void *ud, struct pt_err *err)
{
	struct igtf_run *r = ud;

	return igtf_import(ui->st, r->dir, igtf_seen, r, err);
}

static int
igtf_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct igtf_run r = { .dir = f[0].buf, .t = { .max = MAX_LINES } };
	struct pt_err err = { 0 };

	(void)n;
	(void)ud;
	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("Give the directory of the CA files."));
		return 0;
	}
	if (in_tx(ui, igtf_do, &r, &err) != PT_OK) {
		lines_free(&r.t);
		snprintf(msg, len, "%s", err.detail);
		return 0;
	}
	lines_add(&r.t, _("Trust anchors: %zu added, %zu changed, %zu withdrawn, %zu unchanged."),
	          r.counts[IGTF_ADDED], r.counts[IGTF_CHANGED], r.counts[IGTF_WITHDRAWN],
	          r.counts[IGTF_UNCHANGED]);
	ui_popup(ui, _("IGTF trust anchors"), (const char *const *)r.t.v, r.t.n);
	ui_message(ui, ROLE_BAND_OK, "%s", r.t.v[r.t.n - 1]);
	lines_free(&r.t);
	return -1;
}

static void
igtf_form(struct ui *ui)
{
	char dir[1024] = "";
	struct ui_field f[1] = {
		{ _("Directory"), dir, sizeof dir, false,
		  _("IGTF CA files: NAME.pem or HASH.0 with .namespaces, .signing_policy"),
		  UI_FILE_DIR },
	};

	if (ui_form(ui, _("Import IGTF trust anchors"), f, 1, igtf_submit, NULL))
		reload(ui);
}

/* ---- CRL ---- */

struct crl_run {
	const char *path;
	struct lines t;
};

static int
crl_seen(const struct crl_info *c, void *ud)
{
	struct crl_run *r = ud;
	char nu[32] = "-";

	if (c->next_update) {
		struct tm tm;

		gmtime_r(&c->next_update, &tm);
		strftime(nu, sizeof nu, "%Y-%m-%d %H:%M", &tm);
	}
	lines_add(&r->t, _("CRL of %s: %zu revoked, next update %s%s"), c->issuer, c->entries, nu,
	          c->stale ? _(" (STALE)") : "");
	return 0;
}

static enum pt_status
crl_do(struct ui *ui, void *ud, struct pt_err *err)
{
	struct crl_run *r = ud;

	return crl_import_file(ui->st, r->path, time(NULL), crl_seen, r, err);
}

static int
crl_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct crl_run r = { .path = f[0].buf, .t = { .max = MAX_LINES } };
	struct pt_err err = { 0 };

	(void)n;
	(void)ud;
	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("Give the CRL file (PEM or DER)."));
		return 0;
	}
	if (in_tx(ui, crl_do, &r, &err) != PT_OK) {
		lines_free(&r.t);
		snprintf(msg, len, "%s", err.detail);
		return 0;
	}
	ui_popup(ui, _("CRL imported"), (const char *const *)r.t.v, r.t.n);
	ui_message(ui, ROLE_BAND_OK, "%s", r.t.n ? r.t.v[0] : "");
	lines_free(&r.t);
	return -1;
}

static void
crl_form(struct ui *ui)
{
	char path[1024] = "";
	struct ui_field f[1] = {
		{ _("CRL file"), path, sizeof path, false,
		  _("PEM or DER, signed by a stored CA or trust anchor"), UI_FILE_OPEN },
	};

	if (ui_form(ui, _("Import a CRL"), f, 1, crl_submit, NULL))
		reload(ui);
}

/* ---- acknowledgement ---- */

struct ack_run {
	const char *fqdn, *reason;
	time_t until;
};

static enum pt_status
ack_do(struct ui *ui, void *ud, struct pt_err *err)
{
	struct ack_run *r = ud;

	return cert_ack(ui->st, r->fqdn, r->reason, r->until, time(NULL), err);
}

static int
ack_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct ack_run r = { .fqdn = f[0].buf, .reason = f[1].buf };
	struct pt_err err = { 0 };

	(void)n;
	(void)ud;
	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("Give the host."));
		return 0;
	}
	if (!cert_ack_parse_until(f[2].buf, &r.until)) {
		snprintf(msg, len, "%s", _("The end is a date, YYYY-MM-DD."));
		return 2;
	}
	if (in_tx(ui, ack_do, &r, &err) != PT_OK) {
		snprintf(msg, len, "%s", err.detail);
		return err.status == PT_INVALID ? 1 : 0;
	}
	ui_message(ui, ROLE_BAND_OK, _("Acknowledged the warning of %s until %s."), f[0].buf,
	           f[2].buf);
	return -1;
}

static void
ack_form(struct ui *ui, const char *host)
{
	char fqdn[256] = "", reason[256] = "", until[32] = "";
	struct ui_field f[3] = {
		{ _("Host"), fqdn, sizeof fqdn, false, NULL, UI_FILE_NONE },
		{ _("Reason"), reason, sizeof reason, false, _("one line: why it can wait"),
		  UI_FILE_NONE },
		{ _("Until"), until, sizeof until, false, _("YYYY-MM-DD"), UI_FILE_NONE },
	};

	if (host)
		snprintf(fqdn, sizeof fqdn, "%s", host);
	if (ui_form(ui, _("Acknowledge a warning"), f, 3, ack_submit, NULL))
		reload(ui);
}

/* ---- the stored CRLs ---- */

struct crl_list {
	struct lines t;
	size_t n, stale;
	int sw; /* the state column: 6 (as `crl list`), wider for a longer word */
};

/* What `crl list` prints, a CRL on two lines: its dates and count, then
 * its issuer whole (a DN does not fit beside them at 80 columns). */
static int
crl_listed(const struct crl_info *ci, void *ud)
{
	struct crl_list *cl = ud;
	char tu[32], nu[32], st[64];

	pt_utc_time(ci->this_update, "-", tu, sizeof tu);
	pt_utc_time(ci->next_update, "-", nu, sizeof nu);
	cl->n++;
	cl->stale += ci->stale;
	lines_add(&cl->t, "%s %-20s %-20s %7zu",
	          ui_cell(st, sizeof st, ci->stale ? _("STALE") : _("ok"), cl->sw), tu, nu,
	          ci->entries);
	lines_add(&cl->t, "  %s", ci->issuer);
	return 0;
}

static void
crl_list(struct ui *ui)
{
	struct crl_list cl = { .t = { .max = MAX_LINES }, .sw = 6 };
	struct pt_err err = { 0 };
	char st[64];

	/* a translated STALE longer than the column widens it, never
	 * pushing the dates of that row alone */
	if (ui_chars(_("STALE")) > cl.sw)
		cl.sw = ui_chars(_("STALE"));
	lines_add(&cl.t, "%s %-20s %-20s %7s", ui_cell(st, sizeof st, _("STATE"), cl.sw),
	          _("THIS UPDATE"), _("NEXT UPDATE"), _("REVOKED"));
	lines_add(&cl.t, "  %s", _("ISSUER"));
	if (crl_foreach(ui->st, time(NULL), crl_listed, &cl, &err) != PT_OK) {
		lines_free(&cl.t);
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return;
	}
	if (cl.n == 0) {
		lines_free(&cl.t);
		lines_add(&cl.t, "%s", _("No CRL in the store."));
		lines_add(&cl.t, "%s",
		          _("Import one (X) or fetch them from the operator (< on the transfers "
		            "screen)."));
	} else {
		lines_add(&cl.t, "%s", "");
		lines_add(&cl.t, _("%zu CRLs, %zu stale (past their next update)."), cl.n,
		          cl.stale);
	}
	ui_popup_wrap(ui, _("Certificate revocation lists"), (const char *const *)cl.t.v, cl.t.n);
	ui_message(ui, cl.stale ? ROLE_BAND_WARNING : ROLE_HINT,
	           _("%zu CRLs in the store, %zu stale."), cl.n, cl.stale);
	lines_free(&cl.t);
}

bool
ui_trust_action(struct ui *ui, enum ui_action a, const char *host)
{
	switch (a) {
	case ACT_CRLLIST: crl_list(ui); return true;
	case ACT_IGTF: igtf_form(ui); return true;
	case ACT_CRL: crl_form(ui); return true;
	case ACT_ACK: ack_form(ui, host); return true;
	default: return false;
	}
}

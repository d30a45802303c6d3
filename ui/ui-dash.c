/* ui-dash.c - the dashboard: posture, audit chain, backups, certificate
 * bands with a 12-month expiry timeline, and what needs attention.
 * Everything is read once on entry (and on ^L), not on every redraw.
 * The first paint needs only cheap reads (the certificates' stored
 * dates, no DER parsed); the audit chain, which hashes every row, is
 * checked on the first timer tick after it. */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/lib.h"
#include "cert/lib.h"
#include "engine/lib.h"
#include "base/i18n.h"
#include "site/lib.h"
#include "ui/app.h"
#include "ui/view.h"

#define MAX_ATTN 32
#define MAX_BACKUPS 3
#define MONTHS 12

static struct {
	bool loaded;
	char posture[3][128];
	enum theme_role posture_role;
	char audit[128];
	enum theme_role audit_role;
	bool audit_pending;
	char backups[MAX_BACKUPS][128];
	int nbackups, total_backups;
	time_t newest_backup;
	long bands[X509_BAND_REVOKED + 1]; /* by enum x509_band */
	long months[MONTHS];
	long certs;
	char attn[MAX_ATTN][128];
	enum theme_role attn_role[MAX_ATTN];
	int nattn;
} d;

static void attention(enum theme_role role, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void
attention(enum theme_role role, const char *fmt, ...)
{
	va_list ap;

	if (d.nattn >= MAX_ATTN)
		return;
	va_start(ap, fmt);
	vsnprintf(d.attn[d.nattn], sizeof d.attn[0], fmt, ap);
	va_end(ap);
	d.attn_role[d.nattn++] = role;
}

/* Before everything else (dropping the last one when full): what the
 * tick finds after the first paint still heads the list. */
static void
attention_first(enum theme_role role, const char *text)
{
	int n = d.nattn < MAX_ATTN ? d.nattn : MAX_ATTN - 1;

	memmove(d.attn[1], d.attn[0], (size_t)n * sizeof d.attn[0]);
	memmove(&d.attn_role[1], &d.attn_role[0], (size_t)n * sizeof d.attn_role[0]);
	snprintf(d.attn[0], sizeof d.attn[0], "%s", text);
	d.attn_role[0] = role;
	d.nattn = n + 1;
}

static void
age_text(time_t t, time_t now, char *buf, size_t len)
{
	long s = (long)(now - t);

	if (s < 3600)
		snprintf(buf, len, _("%ld min ago"), s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, len, _("%ld h ago"), s / 3600);
	else
		snprintf(buf, len, _("%ld days ago"), s / 86400);
}

static void
load_posture(struct ui *ui)
{
	struct pt_err err = { 0 };
	char *ifname = NULL;
	struct guard_posture *p;

	d.posture_role = ROLE_NORMAL;
	if (settings_get(ui->st, "net.interface", &ifname, &err) != PT_OK || !ifname || !*ifname) {
		snprintf(d.posture[0], sizeof d.posture[0], "%s",
		         _("Network: not configured (net.interface is unset)"));
		free(ifname);
		return;
	}
	p = calloc(1, sizeof *p);
	if (!p || guard_posture(ifname, p, &err) != PT_OK) {
		snprintf(d.posture[0], sizeof d.posture[0],
		         _("Network %s: cannot read the posture: %s"), ifname, err.detail);
		d.posture_role = ROLE_ALERT;
	} else {
		char why[256] = "";
		bool ok = guard_posture_ok(p, why, sizeof why);
		snprintf(d.posture[0], sizeof d.posture[0], _("Network %s: link %s, firewall %s"),
		         ifname,
		         !p->link_found ? _("missing")
		         : p->link_up   ? _("UP")
		                        : _("down"),
		         p->iptables_ok ? guard_policy_name(p->input) : _("unreadable"));
		snprintf(d.posture[1], sizeof d.posture[1],
		         _("Leftover windows: %d, foreign ACCEPT rules: %d"), p->tagged_total,
		         p->foreign_total);
		if (!ok) {
			snprintf(d.posture[2], sizeof d.posture[2], "%s", why);
			d.posture_role = ROLE_ALERT;
			attention(ROLE_ALERT, _("Posture: %s"), why);
		}
	}
	free(p);
	free(ifname);
}

static void
load_audit(struct ui *ui)
{
	struct pt_err err = { 0 };
	int64_t bad = 0, rows = 0;

	if (audit_verify(ui->st, &bad, &rows, &err) == PT_OK) {
		snprintf(d.audit, sizeof d.audit, _("Audit chain: intact, %lld rows"),
		         (long long)rows);
		d.audit_role = ROLE_BAND_OK;
	} else {
		snprintf(d.audit, sizeof d.audit, _("Audit chain: BROKEN at row %lld"),
		         (long long)bad);
		char line[sizeof d.attn[0]];
		d.audit_role = ROLE_ALERT;
		snprintf(line, sizeof line, _("Audit chain broken: %s"), err.detail);
		attention_first(ROLE_ALERT, line);
	}
}

static int
backup_cb(const struct backup_info *b, void *ud)
{
	time_t now = *(time_t *)ud;
	char age[64];

	d.total_backups++;
	if (b->created_at > d.newest_backup)
		d.newest_backup = b->created_at;
	if (d.nbackups < MAX_BACKUPS) {
		age_text(b->created_at, now, age, sizeof age);
		snprintf(d.backups[d.nbackups++], sizeof d.backups[0], "%-14s %s", age, b->path);
	}
	return 0;
}

struct cert_ctx {
	time_t now;
	/* the most urgent first: kept apart, added after the pass */
	struct {
		char fqdn[96];
		long days;
		enum x509_band band;
	} urgent[MAX_ATTN];
	int nurgent;
};

/* The expiry report's rows: bands with the shares of the lifetime and
 * the CRLs (revoked), as every other list shows them. */
static int
cert_cb(const struct report_row *c, void *ud)
{
	struct cert_ctx *x = ud;
	long days = c->days_left;
	enum x509_band band = c->band;

	d.certs++;
	if ((unsigned)band <= X509_BAND_REVOKED)
		d.bands[band]++;
	if (band == X509_BAND_EXPIRED || band == X509_BAND_CRITICAL || band == X509_BAND_REVOKED) {
		/* keep the MAX_ATTN with the fewest days left (expired first) */
		int at = x->nurgent;
		if (at == MAX_ATTN) {
			if (days >= x->urgent[MAX_ATTN - 1].days)
				goto months;
			at = MAX_ATTN - 1;
		} else {
			x->nurgent++;
		}
		while (at > 0 && x->urgent[at - 1].days > days) {
			x->urgent[at] = x->urgent[at - 1];
			at--;
		}
		snprintf(x->urgent[at].fqdn, sizeof x->urgent[at].fqdn, "%s", c->fqdn);
		x->urgent[at].days = days;
		x->urgent[at].band = band;
	}
months:
	if (c->not_after >= x->now) {
		long m = (long)((c->not_after - x->now) / (86400L * 30));
		if (m < MONTHS)
			d.months[m]++;
	}
	return 0;
}

/* A stale CRL: the revoked band may be missing what it revoked since. */
static int
stale_crl_cb(const struct crl_info *c, void *ud)
{
	(void)ud;
	if (c->stale)
		attention(ROLE_BAND_CRITICAL, _("The CRL of %s is stale"), c->issuer);
	return 0;
}

static void
load_certs(struct ui *ui, time_t now)
{
	struct pt_err err = { 0 };
	struct cert_ctx *x = calloc(1, sizeof *x);

	if (!x)
		return;
	x->now = now;
	if (report_expiry_foreach(ui->st, now, -1, cert_cb, x, &err) != PT_OK ||
	    crl_foreach(ui->st, now, stale_crl_cb, NULL, &err) != PT_OK)
		attention(ROLE_ALERT, _("Certificates: %s"), err.detail);
	for (int i = 0; i < x->nurgent; i++) {
		long days = x->urgent[i].days;
		bool expired = x->urgent[i].band == X509_BAND_EXPIRED;
		if (x->urgent[i].band == X509_BAND_REVOKED)
			attention(ROLE_BAND_REVOKED, _("Certificate of %s is revoked"),
			          x->urgent[i].fqdn);
		else
			attention(expired ? ROLE_BAND_EXPIRED : ROLE_BAND_CRITICAL,
			          expired ? _("Certificate of %s expired %ld days ago")
			                  : _("Certificate of %s expires in %ld days"),
			          x->urgent[i].fqdn, days < 0 ? -days : days);
	}
	free(x);
}

static void
dash_enter(struct ui *ui)
{
	struct pt_err err = { 0 };
	time_t now = time(NULL);

	memset(&d, 0, sizeof d);
	load_posture(ui);
	/* the audit chain: on the first tick, after the first paint */
	snprintf(d.audit, sizeof d.audit, "%s", _("Audit chain: checking..."));
	d.audit_role = ROLE_HINT;
	d.audit_pending = true;
	model_backup_foreach(ui->st, backup_cb, &now, &err);
	if (d.total_backups == 0)
		attention(ROLE_BAND_WARNING, "%s",
		          _("No backup copy yet: run \"passtore backup DIR\"."));
	else if (now - d.newest_backup > 7 * 86400)
		attention(ROLE_BAND_WARNING, "%s",
		          _("The newest backup copy is older than 7 days."));
	load_certs(ui, now);
	d.loaded = true;
}

static bool
dash_tick(struct ui *ui)
{
	if (!d.loaded || !d.audit_pending)
		return false;
	d.audit_pending = false;
	load_audit(ui);
	return true;
}

static void
draw_timeline(int y, int x, int w, int rows)
{
	long max = 1;
	time_t now = time(NULL);

	for (int m = 0; m < MONTHS; m++)
		if (d.months[m] > max)
			max = d.months[m];
	int colw = (w - 2) / MONTHS;
	for (int m = 0; m < MONTHS; m++) {
		/* the top row is kept for the count above the bar */
		int h = (int)((d.months[m] * (rows - 1) + max - 1) / max);
		enum theme_role role = m == 0  ? ROLE_BAND_CRITICAL
		                       : m < 2 ? ROLE_BAND_WARNING
		                               : ROLE_BAND_OK;
		for (int r = 0; r < h; r++) {
			attrset(theme_attr(role));
			mvhline(y + rows - 1 - r, x + m * colw, ' ' | A_REVERSE, colw - 1);
			attrset(A_NORMAL);
		}
		char lab[16];
		struct tm tm;
		time_t t = now + (time_t)m * 30 * 86400;
		localtime_r(&t, &tm);
		strftime(lab, sizeof lab, "%b", &tm);
		ui_put(y + rows, x + m * colw, colw, A_NORMAL, lab, false);
		if (d.months[m]) {
			snprintf(lab, sizeof lab, "%ld", d.months[m]);
			ui_put(y + rows - 1 - h, x + m * colw, colw, A_NORMAL, lab, false);
		}
	}
}

static void
dash_draw(struct ui *ui, int top, int rows)
{
	int lw = COLS - 28, y = top, yl;
	char line[160];

	(void)ui;
	if (!d.loaded)
		return;
	ui_put(y++, 1, lw - 2, A_BOLD, _("Station"), false);
	for (int i = 0; i < 3; i++)
		if (d.posture[i][0])
			ui_put(y++, 2, lw - 3, theme_attr(i ? d.posture_role : ROLE_NORMAL),
			       d.posture[i], false);
	ui_put(y++, 2, lw - 3, theme_attr(d.audit_role), d.audit, false);
	snprintf(line, sizeof line, _("Backups (%d)"), d.total_backups);
	ui_put(y++, 1, lw - 2, A_BOLD, line, false);
	if (d.total_backups == 0)
		ui_put(y++, 2, lw - 3, theme_attr(ROLE_BAND_WARNING), _("none yet"), false);
	for (int i = 0; i < d.nbackups; i++)
		ui_put(y++, 2, lw - 3, A_NORMAL, d.backups[i], false);
	yl = y;

	/* right column: certificates by band */
	y = top;
	mvvline(top, lw - 1, ACS_VLINE, yl - top > 6 ? yl - top : 6);
	ui_put(y++, lw + 1, 26, A_BOLD, _("Certificates"), false);
	if (d.certs == 0) {
		ui_put(y++, lw + 2, 25, theme_attr(ROLE_HINT), _("no certificates yet"), false);
	} else {
		static const enum theme_role roles[5] = { ROLE_BAND_FUTURE, ROLE_BAND_EXPIRED,
			                                  ROLE_BAND_CRITICAL, ROLE_BAND_WARNING,
			                                  ROLE_BAND_OK };
		static const char *const names[5] = { N_("not yet valid"), N_("expired"),
			                              N_("critical"), N_("warning"), N_("ok") };
		for (int b = 1; b <= 4; b++) {
			snprintf(line, sizeof line, "%-14s %6ld", _(names[b]), d.bands[b]);
			ui_put(y++, lw + 2, 25, theme_attr(roles[b]), line, false);
		}
		if (d.bands[0]) {
			snprintf(line, sizeof line, "%-14s %6ld", _(names[0]), d.bands[0]);
			ui_put(y++, lw + 2, 25, theme_attr(roles[0]), line, false);
		}
		if (d.bands[X509_BAND_REVOKED]) {
			snprintf(line, sizeof line, "%-14s %6ld", _("revoked"),
			         d.bands[X509_BAND_REVOKED]);
			ui_put(y++, lw + 2, 25, theme_attr(ROLE_BAND_REVOKED), line, false);
		}
	}
	if (y > yl)
		yl = y;
	if (d.certs) {
		mvhline(yl, 0, ACS_HLINE, COLS);
		ui_put(yl++, 1, COLS - 2, A_BOLD, _(" Expiring in the next 12 months "), false);
		draw_timeline(yl, 2, COLS - 4, 4);
		yl += 5;
	}

	/* bottom: attention */
	mvhline(yl, 0, ACS_HLINE, COLS);
	snprintf(line, sizeof line, _(" Needs attention (%d) "), d.nattn);
	ui_put(yl++, 1, COLS - 2, A_BOLD, line, false);
	if (d.nattn == 0)
		ui_put(yl++, 2, COLS - 3, theme_attr(ROLE_BAND_OK), _("Nothing: all is well."),
		       false);
	for (int i = 0; i < d.nattn && yl < top + rows; i++)
		ui_put(yl++, 2, COLS - 3, theme_attr(d.attn_role[i]), d.attn[i], false);
}

static bool
dash_handle(struct ui *ui, enum ui_action a, int key)
{
	(void)ui;
	(void)a;
	(void)key;
	return false;
}

static void
dash_reset(struct ui *ui)
{
	(void)ui;
	memset(&d, 0, sizeof d);
}

const struct view_ops ui_dash_ops = {
	.title = N_("Dashboard"),
	.actions = 0,
	.enter = dash_enter,
	.draw = dash_draw,
	.handle = dash_handle,
	.tick = dash_tick,
	.reset = dash_reset,
};

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
#include "grid/lib.h"
#include "ui/app.h"
#include "ui/certs.h"
#include "ui/csr.h"
#include "ui/grid.h"
#include "ui/hostpage.h"
#include "ui/pw.h"
#include "ui/view.h"

#define MAX_ATTN 32
#define MAX_BACKUPS 3

static struct {
	bool loaded;
	char posture[3][128];
	enum theme_role posture_role[3]; /* red only for a problem */
	struct guard_station station;    /* the seed's rules, row by row */
	char audit[128];
	enum theme_role audit_role;
	bool audit_pending;
	bool todo_pending; /* requests, installs, passwords: after the paint */
	char backups[MAX_BACKUPS][128];
	int nbackups, total_backups;
	time_t newest_backup;
	struct dash_certs certs; /* computed by the core (cert/dash.h) */
	char attn[MAX_ATTN][128];
	enum theme_role attn_role[MAX_ATTN];
	/* where Enter on a line goes: a host's page, a password entry, a
	 * request's CSR, a certificate's detail (id) */
	struct {
		enum { GO_NONE, GO_HOST, GO_PW, GO_REQ, GO_CERT, GO_GRID } kind;
		char name[256];
		int64_t id;
	} attn_go[MAX_ATTN];
	int sel; /* the selected line of the attention list */
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
	d.attn_go[d.nattn].kind = GO_NONE;
	d.attn_role[d.nattn++] = role;
}

/* The last line added leads to a host's page or a password entry. */
static void
attention_go(int kind, const char *name)
{
	if (d.nattn == 0)
		return;
	d.attn_go[d.nattn - 1].kind = kind;
	snprintf(d.attn_go[d.nattn - 1].name, sizeof d.attn_go[0].name, "%s", name);
}

/* Before everything else (dropping the last one when full): what the
 * tick finds after the first paint still heads the list. */
static void
attention_first(enum theme_role role, const char *text)
{
	int n = d.nattn < MAX_ATTN ? d.nattn : MAX_ATTN - 1;

	memmove(d.attn[1], d.attn[0], (size_t)n * sizeof d.attn[0]);
	memmove(&d.attn_role[1], &d.attn_role[0], (size_t)n * sizeof d.attn_role[0]);
	memmove(&d.attn_go[1], &d.attn_go[0], (size_t)n * sizeof d.attn_go[0]);
	d.attn_go[0].kind = GO_NONE;
	if (d.sel + 1 < MAX_ATTN)
		d.sel++; /* the same line stays selected */
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

/* The posture with the firewall of the backend in use (net.firewall). */
static enum pt_status
posture_read(struct ui *ui, const char *ifname, struct guard_posture *p, struct pt_err *err)
{
	enum guard_backend fw;
	enum pt_status ret = transfer_firewall(ui->st, &fw, err);

	return ret == PT_OK ? guard_posture_fw(ifname, fw, p, err) : ret;
}

/* Leftovers and foreign rules; with nftables, whether the running table
 * is the boot-config's. */
static void
posture_counts(const struct guard_posture *p, char *buf, size_t len)
{
	if (p->backend != GUARD_FW_NFTABLES)
		snprintf(buf, len, _("Leftover windows: %d, foreign ACCEPT rules: %d"),
		         p->tagged_total, p->foreign_total);
	else
		snprintf(buf, len,
		         _("Leftover windows: %d, foreign ACCEPT rules: %d, boot-config: %s"),
		         p->tagged_total, p->foreign_total,
		         p->boot_match  ? _("matches")
		         : p->nft_table ? _("DIFFERS")
		                        : _("not loaded"));
}

static int
count_open(const struct window_info *w, void *ud)
{
	if (strcmp(w->outcome, "open") == 0)
		(*(int *)ud)++;
	return 0;
}

/* The station rows (p NULL without an interface): a broken one is also
 * something that needs attention. */
static void
load_station(struct ui *ui, const struct guard_posture *p)
{
	struct guard_station_src src = { 0 };
	struct pt_err err = { 0 };

	if (transfer_log_foreach(ui->st, count_open, &src.open_windows, &err) != PT_OK ||
	    guard_station_rows(ui->st, p, &src, &d.station, &err) != PT_OK) {
		attention(ROLE_ALERT, _("Station: %s"), err.detail);
		return;
	}
	for (int i = 0; i < d.station.n; i++)
		if (d.station.row[i].level == GUARD_ROW_BROKEN)
			attention(ROLE_ALERT, "%s: %s", d.station.row[i].title,
			          d.station.row[i].reason);
}

static void
load_posture(struct ui *ui)
{
	struct pt_err err = { 0 };
	char *ifname = NULL;
	struct guard_posture *p;

	for (int i = 0; i < 3; i++)
		d.posture_role[i] = ROLE_NORMAL;
	if (settings_get(ui->st, "net.interface", &ifname, &err) != PT_OK || !ifname || !*ifname) {
		snprintf(d.posture[0], sizeof d.posture[0], "%s",
		         _("Network: not configured (net.interface is unset)"));
		free(ifname);
		load_station(ui, NULL);
		return;
	}
	p = calloc(1, sizeof *p);
	if (!p || posture_read(ui, ifname, p, &err) != PT_OK) {
		snprintf(d.posture[0], sizeof d.posture[0],
		         _("Network %s: cannot read the posture: %s"), ifname, err.detail);
		d.posture_role[0] = ROLE_ALERT;
		load_station(ui, NULL);
	} else {
		char why[256] = "";
		bool ok = guard_posture_ok(p, why, sizeof why);
		snprintf(d.posture[0], sizeof d.posture[0],
		         _("Network %s: link %s, firewall %s %s"), ifname,
		         !p->link_found ? _("missing")
		         : p->link_up   ? _("UP")
		                        : _("down"),
		         guard_backend_name(p->backend),
		         p->iptables_ok ? guard_policy_name(p->input) : _("unreadable"));
		posture_counts(p, d.posture[1], sizeof d.posture[1]);
		if (p->tagged_total || p->foreign_total)
			d.posture_role[1] = ROLE_ALERT;
		if (!ok) {
			snprintf(d.posture[2], sizeof d.posture[2], "%s", why);
			d.posture_role[2] = ROLE_ALERT;
			attention(ROLE_ALERT, _("Posture: %s"), why);
		}
		load_station(ui, p);
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

/* A stale CRL: the revoked band may be missing what it revoked since. */
static int
stale_crl_cb(const struct crl_info *c, void *ud)
{
	(void)ud;
	if (c->stale)
		attention(ROLE_BAND_CRITICAL, _("The CRL of %s is stale"), c->issuer);
	return 0;
}

/* A host behind its Grid rules (issue 11 B): what a push would change,
 * or why no build can be made; Enter shows the host on the Grid screen. */
static int
grid_cb(const struct gs_push_status *p, void *ud)
{
	(void)ud;
	if (p->build_error[0])
		attention(ROLE_ALERT, _("Grid files of %s cannot be built: %s"), p->fqdn,
		          p->build_error);
	else if (!p->pushed_at)
		attention(ROLE_BAND_WARNING, _("Grid files of %s never pushed"), p->fqdn);
	else if (p->behind && p->files_behind[0])
		attention(ROLE_BAND_WARNING, _("%s is behind its Grid rules: %s"), p->fqdn,
		          p->files_behind);
	else if (p->behind)
		attention(ROLE_BAND_WARNING, _("%s is behind its Grid rules"), p->fqdn);
	else
		return 0;
	attention_go(GO_GRID, p->fqdn);
	return 0;
}

static int
todo_cb(const struct dash_todo *t, void *ud)
{
	(void)ud;
	switch (t->kind) {
	case DASH_TODO_UNSENT:
		attention(ROLE_BAND_WARNING, _("Request for %s made %ld days ago, not sent yet"),
		          t->name, t->days);
		attention_go(GO_REQ, t->name);
		break;
	case DASH_TODO_UNINSTALLED:
		attention(ROLE_BAND_WARNING, _("Certificate of %s issued, not installed yet"),
		          t->name);
		attention_go(GO_CERT, t->name);
		d.attn_go[d.nattn - 1].id = t->id;
		break;
	case DASH_TODO_PW_OLD:
		attention(ROLE_BAND_WARNING, _("Password %s not changed for %ld days"), t->name,
		          t->days);
		attention_go(GO_PW, t->name);
		break;
	}
	return d.nattn >= MAX_ATTN;
}

static void
load_certs(struct ui *ui, time_t now)
{
	struct pt_err err = { 0 };

	if (dash_certs_load(ui->st, now, &d.certs, &err) != PT_OK ||
	    crl_foreach(ui->st, now, stale_crl_cb, NULL, &err) != PT_OK)
		attention(ROLE_ALERT, _("Certificates: %s"), err.detail);
	for (int i = 0; i < d.certs.nurgent; i++) {
		const struct dash_urgent *u = &d.certs.urgent[i];
		long days = u->days < 0 ? -u->days : u->days;
		if (u->band == X509_BAND_REVOKED)
			attention(ROLE_BAND_REVOKED, _("Certificate of %s is revoked"), u->fqdn);
		else if (u->band == X509_BAND_EXPIRED)
			attention(ROLE_BAND_EXPIRED, _("Certificate of %s expired %ld days ago"),
			          u->fqdn, days);
		else
			attention(u->band == X509_BAND_CRITICAL ? ROLE_BAND_CRITICAL
			                                        : ROLE_BAND_WARNING,
			          _("Certificate of %s expires in %ld days"), u->fqdn, days);
		attention_go(GO_HOST, u->fqdn);
	}
}

/* The first line that leads somewhere is selected. */
static void
select_first(void)
{
	while (d.sel + 1 < d.nattn && d.attn_go[d.sel].kind == GO_NONE)
		d.sel++;
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
	else
		/* too old for backup.max_age_days: the station row says so */
		for (int i = 0; i < d.station.n; i++)
			if (strcmp(d.station.row[i].key, "backup") == 0 &&
			    d.station.row[i].level == GUARD_ROW_WARNING)
				attention(ROLE_BAND_WARNING, _("Backup: %s"),
				          d.station.row[i].reason);
	load_certs(ui, now);
	select_first();
	d.todo_pending = true;
	d.loaded = true;
}

static bool
dash_tick(struct ui *ui)
{
	struct pt_err err = { 0 };

	if (!d.loaded)
		return false;
	if (d.audit_pending) {
		d.audit_pending = false;
		load_audit(ui);
		return true;
	}
	if (!d.todo_pending)
		return false;
	/* they scan tables the first paint need not wait for */
	d.todo_pending = false;
	dash_todo_foreach(ui->st, time(NULL), 8, todo_cb, NULL, &err);
	gridstore_push_status_foreach(ui->st, grid_cb, NULL, &err);
	select_first();
	return true;
}

static enum theme_role
band_role(enum x509_band b)
{
	switch (b) {
	case X509_BAND_REVOKED: return ROLE_BAND_REVOKED;
	case X509_BAND_EXPIRED: return ROLE_BAND_EXPIRED;
	case X509_BAND_CRITICAL: return ROLE_BAND_CRITICAL;
	case X509_BAND_WARNING: return ROLE_BAND_WARNING;
	case X509_BAND_NOT_YET_VALID: return ROLE_BAND_FUTURE;
	default: return ROLE_BAND_OK;
	}
}

/* One column of the timeline: a bar of count (scaled to max) in role,
 * its count above it and its label below. */
static void
draw_column(int y, int x, int colw, int rows, long count, long max, enum theme_role role,
            const char *label)
{
	char num[16];
	/* the top row is kept for the count above the bar */
	int h = (int)((count * (rows - 1) + max - 1) / max);

	for (int r = 0; r < h; r++) {
		attrset(theme_attr(role));
		mvhline(y + rows - 1 - r, x, ' ' | A_REVERSE, colw - 1);
		attrset(A_NORMAL);
	}
	ui_put(y + rows, x, colw - 1, A_NORMAL, label, false);
	snprintf(num, sizeof num, "%ld", count);
	/* a zero is no alarm: neutral */
	ui_put(y + rows - 1 - h, x, colw - 1, count ? theme_attr(role) : theme_attr(ROLE_HINT), num,
	       false);
}

/* The expired column at the left, then one column per calendar month
 * (each labelled once), each bar in the worst band of its certificates. */
static void
draw_timeline(int y, int x, int w, int rows)
{
	const struct dash_certs *c = &d.certs;
	long max = c->expired > 0 ? c->expired : 1;
	int colw = w / (DASH_MONTHS + 1);

	for (int m = 0; m < DASH_MONTHS; m++)
		if (c->months[m].count > max)
			max = c->months[m].count;
	draw_column(y, x, colw, rows, c->expired, max, ROLE_BAND_EXPIRED, _("Exp."));
	for (int m = 0; m < DASH_MONTHS; m++) {
		const struct dash_month *dm = &c->months[m];
		struct tm tm = { .tm_year = dm->year - 1900, .tm_mon = dm->month, .tm_mday = 1 };
		char lab[16];

		strftime(lab, sizeof lab, "%b", &tm);
		draw_column(y, x + (m + 1) * colw, colw, rows, dm->count, max,
		            dm->any ? band_role(dm->worst) : ROLE_HINT, lab);
	}
}

/* Lines from wide_from down have the whole screen's width: the right
 * column (the certificates) ends above them. */
static int wide_from = 1 << 20;

/* text from column x on at most width columns (the screen's width from
 * wide_from down), cut at spaces onto as many lines as it needs (the
 * continuations start indent columns in), never below the line bottom;
 * the line after it. */
static int
put_wrapped(int y, int x, int width, int indent, int bottom, int attr, const char *text)
{
	const char *p = text;
	bool first = true;

	while (*p && y < bottom) {
		int full = y >= wide_from ? COLS - x - 1 : width;
		int w = first ? full : full - indent, cut = (int)strlen(p);
		char part[GUARD_ROW_REASON + 64];

		if (w < 8)
			w = full; /* no room to indent: continue at x */
		if (cut > w) {
			cut = w;
			while (cut > w / 2 && p[cut] != ' ')
				cut--;
			if (p[cut] != ' ')
				cut = w; /* one long word: cut it where the line ends */
		}
		snprintf(part, sizeof part, "%.*s", cut, p);
		ui_put(y++, first || w == full ? x : x + indent, w, attr, part, false);
		p += cut;
		while (*p == ' ')
			p++;
		first = false;
	}
	return y;
}

/* One row each, its reason wrapped under itself (the panel is 52 columns
 * at 80: a reason is read whole, not cut); red only for a broken one. */
static int
draw_station(int y, int lw, int bottom)
{
	static const char *const level[] = { N_("ok"), N_("warning"), N_("BROKEN") };
	static const enum theme_role role[] = { ROLE_NORMAL, ROLE_BAND_WARNING, ROLE_ALERT };
	char line[GUARD_ROW_REASON + 64];

	for (int i = 0; i < d.station.n; i++) {
		const struct guard_row *r = &d.station.row[i];

		snprintf(line, sizeof line, "%-10s %-8s %s", r->title, _(level[r->level]),
		         r->reason);
		y = put_wrapped(y, 2, lw - 3, 20, bottom, theme_attr(role[r->level]), line);
	}
	return y;
}

/* The left column: the station, its rows wrapped (never cut), and the
 * audit chain, down to bottom at most; the line after it. */
static int
draw_left(int top, int lw, int bottom)
{
	int y = top;
	char line[160];

	ui_put(y++, 1, lw - 2, A_BOLD, _("Station"), false);
	for (int i = 0; i < 3; i++)
		if (d.posture[i][0])
			y = put_wrapped(y, 2, lw - 3, 2, bottom, theme_attr(d.posture_role[i]),
			                d.posture[i]);
	y = draw_station(y, lw, bottom);
	y = put_wrapped(y, 2, lw - 3, 2, bottom, theme_attr(d.audit_role), d.audit);
	snprintf(line, sizeof line, _("Backups (%d)"), d.total_backups);
	if (y < bottom) {
		ui_put(y, 1, y >= wide_from ? COLS - 2 : lw - 2, A_BOLD, line, false);
		y++;
	}
	if (d.total_backups == 0 && y < bottom)
		ui_put(y++, 2, lw - 3, theme_attr(ROLE_BAND_WARNING), _("none yet"), false);
	for (int i = 0; i < d.nbackups; i++)
		y = put_wrapped(y, 2, lw - 3, 2, bottom, A_NORMAL, d.backups[i]);
	return y;
}

/* The right column: certificates by band; the line after it.  The left
 * column's lines below it take the whole width (room for the station's
 * rows to wrap in at 80x24). */
static int
draw_right(int top, int lw)
{
	static const enum theme_role roles[5] = { ROLE_BAND_FUTURE, ROLE_BAND_EXPIRED,
		                                  ROLE_BAND_CRITICAL, ROLE_BAND_WARNING,
		                                  ROLE_BAND_OK };
	static const char *const names[5] = { N_("not yet valid"), N_("expired"), N_("critical"),
		                              N_("warning"), N_("ok") };
	int y = top, rw = COLS - lw - 2;
	char line[160];

	ui_put(y++, lw + 1, rw + 1, A_BOLD, _("Certificates"), false);
	if (d.certs.total == 0) {
		ui_put(y++, lw + 2, rw, theme_attr(ROLE_HINT), _("no certificates yet"), false);
	} else {
		for (int b = 1; b <= 4; b++) {
			long n = d.certs.bands[b];
			snprintf(line, sizeof line, "%-14s %6ld", _(names[b]), n);
			/* a zero is no alarm: neutral */
			ui_put(y++, lw + 2, rw, theme_attr(n ? roles[b] : ROLE_HINT), line, false);
		}
		if (d.certs.bands[0]) {
			snprintf(line, sizeof line, "%-14s %6ld", _(names[0]), d.certs.bands[0]);
			ui_put(y++, lw + 2, rw, theme_attr(roles[0]), line, false);
		}
		if (d.certs.bands[X509_BAND_REVOKED]) {
			snprintf(line, sizeof line, "%-14s %6ld", _("revoked"),
			         d.certs.bands[X509_BAND_REVOKED]);
			ui_put(y++, lw + 2, rw, theme_attr(ROLE_BAND_REVOKED), line, false);
		}
	}
	return y;
}

static void
dash_draw(struct ui *ui, int top, int rows)
{
	/* the panels leave the timeline and the attention list their
	 * heading and two lines */
	int lw = COLS - 28, y, yl, bottom = top + rows - 3 - (d.loaded && d.certs.total ? 6 : 0);
	char line[160];

	(void)ui;
	if (!d.loaded)
		return;
	y = draw_right(top, lw);
	wide_from = y;
	mvvline(top, lw - 1, ACS_VLINE, y - top);
	yl = draw_left(top, lw, bottom);
	if (y > yl)
		yl = y;
	if (d.certs.total) {
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
	/* the list scrolls with the selection; Enter goes to the thing */
	int first = 0, room = top + rows - yl;
	if (room > 0 && d.sel >= room)
		first = d.sel - room + 1;
	for (int i = first; i < d.nattn && yl < top + rows; i++)
		ui_put(yl++, 2, COLS - 3,
		       theme_attr(i == d.sel && d.attn_go[i].kind != GO_NONE ? ROLE_SELECTED
		                                                             : d.attn_role[i]),
		       d.attn[i], false);
}

static bool
dash_handle(struct ui *ui, enum ui_action a, int key)
{
	(void)key;
	if (a == ACT_UP || a == ACT_DOWN) {
		int s = d.sel + (a == ACT_UP ? -1 : 1);
		if (s >= 0 && s < d.nattn)
			d.sel = s;
		return true;
	}
	if (a != ACT_OPEN || d.sel >= d.nattn)
		return false;
	char name[sizeof d.attn_go[0].name];
	snprintf(name, sizeof name, "%s", d.attn_go[d.sel].name);
	switch (d.attn_go[d.sel].kind) {
	case GO_HOST:
		ui_switch(ui, VIEW_HOSTS);
		hostpage_open(ui, name);
		return true;
	case GO_REQ:
		/* the request itself, on the screen that lists it (w writes it) */
		ui_switch(ui, VIEW_CERTS);
		ui_csr_show(ui, name);
		return true;
	case GO_CERT: {
		int64_t id = d.attn_go[d.sel].id;
		ui_switch(ui, VIEW_CERTS);
		certs_detail_popup(ui, id);
		return true;
	}
	case GO_PW:
		ui_switch(ui, VIEW_PASSWORDS);
		pw_show_entry(ui, name);
		return true;
	case GO_GRID: ui_grid_show_host(ui, name); return true;
	default:
		ui_message(ui, ROLE_HINT, "%s", _("This line leads nowhere: see the text."));
		return true;
	}
}

static void
dash_reset(struct ui *ui)
{
	(void)ui;
	memset(&d, 0, sizeof d);
}

const struct view_ops ui_dash_ops = {
	.title = N_("Dashboard"),
	.actions = ACTBIT(ACT_UP) | ACTBIT(ACT_DOWN) | ACTBIT(ACT_OPEN),
	.enter = dash_enter,
	.draw = dash_draw,
	.handle = dash_handle,
	.tick = dash_tick,
	.reset = dash_reset,
};

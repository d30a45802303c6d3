/* ui-logs.c - the transfer window log and the audit trail, newest first.
 * The audit trail grows with every change (a row per certificate on a big
 * site): it is paged newest first on its rowid; the window log is short
 * and sorted by the list model. */
#include "config.h"

#include <curses.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/lib.h"
#include "base/i18n.h"
#include "site/lib.h"
#include "engine/lib.h"
#include "ui/actions.h"
#include "ui/app.h"
#include "ui/browse.h"
#include "ui/view.h"
#include "ui/xfer.h"

/* the audit screen's kind (K): "" for every record */
static char aud_kind[64];

struct log_each {
	ui_row_cb cb;
	void *ud;
};

static void
stamp(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static int
window_row(const struct window_info *w, void *ud)
{
	struct log_each *e = ud;
	char id[24], when[32], exp[32];
	struct ui_row r = { .id = w->id };

	snprintf(id, sizeof id, "%lld", (long long)w->id);
	stamp((time_t)(w->opened_ms / 1000), when, sizeof when);
	if (w->exposure_ms >= 0)
		snprintf(exp, sizeof exp, "%.1f", w->exposure_ms);
	else
		snprintf(exp, sizeof exp, "-");
	r.col[0] = id;
	r.col[1] = when;
	r.col[2] = w->purpose;
	r.col[3] = w->host;
	r.col[4] = w->peer;
	r.col[5] = w->outcome;
	r.col[6] = exp;
	return e->cb(&r, e->ud);
}

static int
windows_each(void *ctx, ui_row_cb cb, void *ud)
{
	struct ui *ui = ctx;
	struct log_each e = { cb, ud };
	struct pt_err err = { 0 };

	if (!ui->st)
		return -1;
	return transfer_log_foreach(ui->st, window_row, &e, &err) == PT_OK ? 0 : -1;
}

static int
audit_row(const struct audit_row *a, void *ud)
{
	struct log_each *e = ud;
	char id[24], when[32];
	struct ui_row r = { .id = a->id };

	snprintf(id, sizeof id, "%lld", (long long)a->id);
	stamp(a->ts, when, sizeof when);
	r.col[0] = id;
	r.col[1] = when;
	r.col[2] = a->actor;
	r.col[3] = a->action;
	r.col[4] = a->object;
	r.col[5] = a->detail;
	r.key = id; /* newest first: a page starts before an id */
	return e->cb(&r, e->ud);
}

/* What the list shows of each record: the SQL's filter lets a few more
 * through (a date in another form), the list's own test leaves them out
 * here, so that the source counts and pages exactly the rows the list
 * shows (list.h: count). */
struct aud_pass {
	ui_row_cb cb;
	void *ud;
	const char *filter; /* NULL: none */
	size_t limit, n;
	bool stopped; /* cb asked to stop */
};

#define AUD_NCOLS 6

static int
aud_pass_row(const struct ui_row *r, void *ud)
{
	struct aud_pass *p = ud;

	if (p->filter && !ui_row_matches(r, AUD_NCOLS, p->filter))
		return 0;
	p->n++;
	if (p->cb && p->cb(r, p->ud)) {
		p->stopped = true;
		return 1;
	}
	return p->limit && p->n >= p->limit;
}

/* Under a filter (or a kind) the count pass keeps the ids of the rows
 * that match, newest first: a page is then those of its ids, read one
 * by one on the rowid, not a scan from the page's start to its last
 * match (which, for a rare text, is most of the trail).  Valid while the
 * filter, the kind and the trail's count are those it was made for. */
#define AUD_IDS_PAGE 512 /* the most rows a page read from the ids takes */

static struct {
	char *filter;
	char kind[sizeof aud_kind];
	int64_t count; /* audit_count when made */
	int64_t *ids;
	size_t n, cap;
	bool valid;
} aud_ids;

static void
aud_ids_drop(void)
{
	free(aud_ids.filter);
	free(aud_ids.ids);
	memset(&aud_ids, 0, sizeof aud_ids);
}

static int
aud_ids_row(const struct ui_row *r, void *ud)
{
	(void)ud;
	if (aud_ids.n == aud_ids.cap) {
		size_t cap = aud_ids.cap ? 2 * aud_ids.cap : 256;
		int64_t *v = realloc(aud_ids.ids, cap * sizeof *v);

		if (!v) {
			aud_ids.valid = false; /* no cache: pages scan, as without it */
			return 0;
		}
		aud_ids.ids = v;
		aud_ids.cap = cap;
	}
	aud_ids.ids[aud_ids.n++] = r->id;
	return 0;
}

/* The cache, if made for this filter and kind and the trail is as it was. */
static bool
aud_ids_for(struct ui *ui, const char *filter)
{
	struct pt_err err = { 0 };
	int64_t c = -1;

	return aud_ids.valid && strcmp(aud_ids.filter, filter) == 0 &&
	       strcmp(aud_ids.kind, aud_kind) == 0 && audit_count(ui->st, &c, &err) == PT_OK &&
	       c == aud_ids.count;
}

struct aud_one {
	int64_t id;
	struct log_each *e;
};

static int
aud_one(const struct audit_row *a, void *ud)
{
	struct aud_one *o = ud;

	if (a->id == o->id) /* not another, were the one asked for gone */
		audit_row(a, o->e);
	return 1;
}

/* The cached ids from index i on, one way or the other, each read alone. */
static int
aud_page_ids(struct ui *ui, size_t i, bool newer, struct aud_pass *p)
{
	struct log_each e = { aud_pass_row, p };
	struct pt_err err = { 0 };

	while (!p->stopped && !(p->limit && p->n >= p->limit) && (newer ? i > 0 : i < aud_ids.n)) {
		struct aud_one o = { aud_ids.ids[newer ? --i : i++], &e };
		/* the record whose id is below id + 1: that one */
		if (model_audit_page_kind(ui->st, NULL, NULL, o.id + 1, 1, aud_one, &o, &err) !=
		    PT_OK)
			return -1;
	}
	return 0;
}

/* A page of the records older (newer false: the list's order) or newer
 * (nearest first) than key. */
static int
aud_page(struct ui *ui, const char *key, bool newer, const char *filter, size_t limit, ui_row_cb cb,
         void *ud)
{
	struct aud_pass p = { cb, ud, filter && *filter ? filter : NULL, limit, 0, false };
	struct log_each e = { aud_pass_row, &p };
	struct pt_err err = { 0 };
	int64_t bound = key ? strtoll(key, NULL, 10) : 0;
	/* under a filter the SQL's LIMIT would count rows the list leaves out */
	size_t sql_limit = p.filter ? 0 : limit;
	enum pt_status ret;

	if (!ui->st)
		return -1;
	/* a page (not a whole pass, which a scan does better) */
	if (limit > 0 && limit <= AUD_IDS_PAGE && (p.filter || aud_kind[0]) &&
	    aud_ids_for(ui, p.filter ? p.filter : "")) {
		/* ids newest first: older than key from the first id below it,
		 * newer from the last id above it */
		size_t lo = 0, hi = aud_ids.n;

		while (key && lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (aud_ids.ids[mid] >= bound)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (newer && key && lo > 0 && aud_ids.ids[lo - 1] == bound)
			lo--; /* lo: the first id below key; key itself just above */
		return aud_page_ids(ui, newer && !key ? aud_ids.n : lo, newer, &p);
	}
	ret = newer ? model_audit_page_newer_kind(ui->st, aud_kind, filter, bound, sql_limit,
	                                          audit_row, &e, &err)
	            : model_audit_page_kind(ui->st, aud_kind, filter, bound, sql_limit, audit_row,
	                                    &e, &err);
	return ret == PT_OK ? 0 : -1;
}

static int
audit_after(void *ctx, const char *after, const char *filter, size_t limit, ui_row_cb cb, void *ud)
{
	return aud_page(ctx, after, false, filter, limit, cb, ud);
}

static int
audit_before(void *ctx, const char *before, const char *filter, size_t limit, ui_row_cb cb,
             void *ud)
{
	return aud_page(ctx, before, true, filter, limit, cb, ud);
}

/* Every record, unfiltered: the chain's own count, one read however long
 * the trail has grown; else a pass over what the SQL lets through, which
 * keeps the ids for the pages. */
static int
audit_rows(void *ctx, const char *filter, size_t *n)
{
	struct ui *ui = ctx;
	struct pt_err err = { 0 };
	int64_t c = 0;

	if (!ui->st)
		return -1;
	if ((!filter || !*filter) && !aud_kind[0]) {
		if (audit_count(ui->st, &c, &err) != PT_OK || c < 0)
			return -1;
		*n = (size_t)c;
		return 0;
	}
	aud_ids_drop();
	if (audit_count(ui->st, &c, &err) != PT_OK ||
	    !(aud_ids.filter = strdup(filter ? filter : "")))
		return -1;
	snprintf(aud_ids.kind, sizeof aud_ids.kind, "%s", aud_kind);
	aud_ids.count = c;
	aud_ids.valid = true;
	{
		struct aud_pass p = { aud_ids_row, NULL, filter && *filter ? filter : NULL,
			              0,           0,    false };
		struct log_each e = { aud_pass_row, &p };

		if (model_audit_page_kind(ui->st, aud_kind, filter, 0, 0, audit_row, &e, &err) !=
		    PT_OK) {
			aud_ids_drop();
			return -1;
		}
		*n = p.n;
	}
	return 0;
}

static const char *const win_heads[] = { N_("#"),    N_("Opened"),  N_("Purpose"), N_("Host"),
	                                 N_("Peer"), N_("Outcome"), N_("Exp. ms") };
static const int win_widths[] = { 5, 17, 10, 18, 14, 9, 0 };
static struct browser win_b = { NULL, win_heads, win_widths, 7, -1 };

static const char *const aud_heads[] = { N_("#"),      N_("Time"),   N_("Actor"),
	                                 N_("Action"), N_("Object"), N_("Detail") };
static const int aud_widths[] = { 5, 17, 9, 13, 24, 0 };
static struct browser aud_b = { NULL, aud_heads, aud_widths, AUD_NCOLS, -1 };

static void
open_log(struct ui *ui, struct browser *b, const struct ui_list_source *src, bool sort)
{
	if (!b->list) {
		b->list = ui_list_new(src);
		if (b->list && sort) {
			b->list->sort_col = 0; /* newest first */
			b->list->sort_desc = true;
		}
	}
	if (b->list)
		ui_list_refresh(b->list);
}

static void
win_enter(struct ui *ui)
{
	struct ui_list_source s = { .ncols = win_b.ncols, .each = windows_each, .ctx = ui };

	open_log(ui, &win_b, &s, true);
}

static void
aud_enter(struct ui *ui)
{
	struct ui_list_source s = { .ncols = aud_b.ncols,
		                    .ctx = ui,
		                    .each_after = audit_after,
		                    .count = audit_rows,
		                    .each_before = audit_before };

	open_log(ui, &aud_b, &s, false); /* the source's own order is newest first */
}
static void
win_draw(struct ui *ui, int top, int rows)
{
	browser_draw(ui, &win_b, top, rows, true);
}
static void
aud_draw(struct ui *ui, int top, int rows)
{
	/* long actions and objects are cut a place short: columns never
	 * run into each other */
	static const struct browser_cells gap = { .gap = true };

	browser_draw_cells(ui, &aud_b, &gap, top, rows, true);
}

static bool
win_handle(struct ui *ui, enum ui_action a, int key)
{
	const struct ui_row *r;

	(void)key;
	if (browser_handle(ui, &win_b, a))
		return true;
	if (a == ACT_FETCHCRL) {
		/* a flow as F, C and I: the posture's gate first, then the plan */
		ui_run_action(ui, a, NULL);
		if (win_b.list)
			ui_list_refresh(win_b.list);
		return true;
	}
	if (a == ACT_FORGET || a == ACT_XRECOVER) {
		/* the selected window's host, whose key is pinned */
		r = win_b.list ? ui_list_selected(win_b.list) : NULL;
		if (!ui_xfer_action(ui, a, r && r->col[3] && r->col[3][0] ? r->col[3] : NULL))
			return false;
		if (win_b.list)
			ui_list_refresh(win_b.list);
		return true;
	}
	return false;
}

/* One audit record whole, hash included, in a popup that wraps. */
static int
detail_cb(const struct audit_row *r, void *ud)
{
	char **l = ud, when[32];

	stamp(r->ts, when, sizeof when);
	if (asprintf(&l[0], _("Record:   %lld"), (long long)r->id) < 0)
		l[0] = NULL;
	if (asprintf(&l[1], _("Time:     %s"), when) < 0)
		l[1] = NULL;
	if (asprintf(&l[2], _("Actor:    %s"), r->actor) < 0)
		l[2] = NULL;
	if (asprintf(&l[3], _("Action:   %s"), r->action) < 0)
		l[3] = NULL;
	if (asprintf(&l[4], _("Object:   %s"), r->object) < 0)
		l[4] = NULL;
	if (asprintf(&l[5], _("Detail:   %s"), r->detail) < 0)
		l[5] = NULL;
	if (asprintf(&l[6], _("Hash:     %s"), r->hash) < 0)
		l[6] = NULL;
	if (asprintf(&l[7], _("Previous: %s"), r->prev_hash) < 0)
		l[7] = NULL;
	return 1;
}

static void
aud_detail(struct ui *ui, int64_t id)
{
	struct pt_err err = { 0 };
	char *l[8] = { 0 };
	size_t n = 0;

	if (model_audit_page(ui->st, NULL, id + 1, 1, detail_cb, l, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return;
	}
	for (size_t i = 0; i < 8; i++)
		if (l[i])
			l[n++] = l[i];
	if (n)
		ui_popup_wrap(ui, _("Audit record"), (const char *const *)l, n);
	for (size_t i = 0; i < n; i++)
		free(l[i]);
}

static void
aud_choose_kind(struct ui *ui)
{
	char kind[sizeof aud_kind];

	snprintf(kind, sizeof kind, "%s", aud_kind);
	if (!ui_prompt(ui, _("Kind (read-secret, pw, cert.install...; empty: all): "), kind,
	               sizeof kind, false))
		return;
	snprintf(aud_kind, sizeof aud_kind, "%s", kind);
	ui_list_refresh(aud_b.list);
	if (aud_kind[0])
		ui_message(ui, ROLE_HINT, _("Audit records of kind %s only (K: another kind)."),
		           aud_kind);
	else
		ui_message(ui, ROLE_HINT, "%s", _("Every audit record."));
}

static bool
aud_handle(struct ui *ui, enum ui_action a, int key)
{
	const struct ui_row *r;

	(void)key;
	if (browser_handle(ui, &aud_b, a))
		return true;
	if (a == ACT_KIND && aud_b.list) {
		aud_choose_kind(ui);
		return true;
	}
	if (a == ACT_OPEN && aud_b.list && (r = ui_list_selected(aud_b.list))) {
		aud_detail(ui, r->id);
		return true;
	}
	return false;
}

static void
logs_reset(struct ui *ui)
{
	(void)ui;
	ui_list_free(&win_b.list);
	ui_list_free(&aud_b.list);
	aud_ids_drop();
}

const struct view_ops ui_transfers_ops = {
	.title = N_("Transfers"),
	.actions =
		BROWSER_ACTIONS | ACTBIT(ACT_FORGET) | ACTBIT(ACT_XRECOVER) | ACTBIT(ACT_FETCHCRL),
	.enter = win_enter,
	.draw = win_draw,
	.handle = win_handle,
	.reset = logs_reset,
};

const struct view_ops ui_audit_ops = {
	.title = N_("Audit trail"),
	.actions = BROWSER_ACTIONS | ACTBIT(ACT_OPEN) | ACTBIT(ACT_KIND),
	.enter = aud_enter,
	.draw = aud_draw,
	.handle = aud_handle,
	.reset = logs_reset,
};

/* ui-grid.c - the Grid screen: the VOs above (members, snapshots, the
 * date of the last import, the URIs they stand for), the hosts that
 * follow Grid rules below (where the rules come from, the last push,
 * behind or up to date); Tab moves between the panes.  Enter on a VO
 * lists its snapshots; Enter on a host shows the grid-mapfile a push
 * would write there, built now, with its conflicts highlighted and what
 * the build skipped.  U pushes and V fetches a VO's list through the
 * global actions, with this screen's selection as their target (the page
 * is ui-grid-page.c, the two flows ui-grid-flows.c).
 *
 * Both panes hold few rows (a site has tens of VOs and hosts with
 * rules), and a host's row costs a build: they are read once when the
 * screen is shown and kept, not streamed from the store on every pass
 * of the list model. */
#include "config.h"

#include <curses.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "engine/lib.h"
#include "ui/grid-screen.h"
#include "grid/lib.h"
#include "base/i18n.h"
#include "site/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/browse.h"
#include "ui/grid.h"
#include "ui/view.h"

/* ---- the rows, read once ---- */

#define VO_COLS 5
#define HOST_COLS 4

struct grow {
	char *col[VO_COLS > HOST_COLS ? VO_COLS : HOST_COLS];
	enum theme_role state_role; /* hosts: the colour of the state column */
};

struct gcache {
	struct grow *v;
	size_t n, cap;
	int ncols;
	bool error;
};

static struct gcache vos = { .ncols = VO_COLS }, ghosts = { .ncols = HOST_COLS };

static void
cache_clear(struct gcache *c)
{
	for (size_t i = 0; i < c->n; i++)
		for (int k = 0; k < c->ncols; k++)
			free(c->v[i].col[k]);
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
	c->error = false;
}

static struct grow *
cache_push(struct gcache *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct grow *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	memset(&c->v[c->n], 0, sizeof c->v[c->n]);
	return &c->v[c->n++];
}

static int
cache_each(void *ctx, ui_row_cb cb, void *ud)
{
	struct gcache *c = ctx;

	if (c->error)
		return -1;
	for (size_t i = 0; i < c->n; i++) {
		struct ui_row r = { .id = (int64_t)i + 1 };
		for (int k = 0; k < c->ncols; k++)
			r.col[k] = c->v[i].col[k] ? c->v[i].col[k] : "";
		if (cb(&r, ud))
			break;
	}
	return 0;
}

void
grid_stamp(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!t) {
		snprintf(buf, len, "%s", _("(never)"));
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static int
vo_row(const struct gs_vo *vo, void *ud)
{
	struct gcache *c = ud;
	struct grow *g = cache_push(c);
	char when[32];

	if (!g)
		return 1;
	grid_stamp(vo->snapshot_at, when, sizeof when);
	/* the URIs one a line in the store, side by side here */
	g->col[4] = strdup(vo->uris ? vo->uris : "");
	if (g->col[4]) {
		for (char *p = g->col[4]; *p; p++)
			if (*p == '\n')
				*p = ' ';
		/* a trailing newline is no separator */
		size_t l = strlen(g->col[4]);
		while (l && g->col[4][l - 1] == ' ')
			g->col[4][--l] = '\0';
	}
	g->col[0] = strdup(vo->name);
	g->col[1] = xasprintf("%7lld", (long long)vo->members); /* right-aligned: sorts too */
	g->col[2] = xasprintf("%5lld", (long long)vo->snapshots);
	g->col[3] = strdup(when);
	return 0;
}

static void
load_vos(struct ui *ui)
{
	struct pt_err err = { 0 };

	cache_clear(&vos);
	if (!ui->st || gridstore_vo_foreach(ui->st, vo_row, &vos, &err) != PT_OK)
		vos.error = true;
}

static int
status_row(const struct gs_push_status *p, void *ud)
{
	struct gcache *c = ud;
	struct grow *g = cache_push(c);
	char when[32];

	if (!g)
		return 1;
	grid_stamp(p->pushed_at, when, sizeof when);
	g->col[0] = strdup(p->fqdn);
	g->col[2] = strdup(when);
	if (p->build_error[0]) {
		g->col[3] = xasprintf(_("cannot build: %s"), p->build_error);
		g->state_role = ROLE_ALERT;
	} else if (!p->pushed_at) {
		g->col[3] = strdup(_("never pushed"));
		g->state_role = ROLE_BAND_WARNING;
	} else if (p->behind) {
		g->col[3] = strdup(_("behind the rules"));
		g->state_role = ROLE_BAND_WARNING;
	} else if (strcmp(p->last_outcome, "failed") == 0) {
		g->col[3] = strdup(_("last try failed"));
		g->state_role = ROLE_BAND_CRITICAL;
	} else {
		g->col[3] = strdup(_("up to date"));
		g->state_role = ROLE_BAND_OK;
	}
	return 0;
}

static void
load_hosts(struct ui *ui)
{
	struct pt_err err = { 0 };

	cache_clear(&ghosts);
	if (!ui->st || gridstore_push_status_foreach(ui->st, status_row, &ghosts, &err) != PT_OK) {
		ghosts.error = true;
		return;
	}
	/* where each host's rules come from: asked after the walk, so that
	 * no store statement is nested in another */
	for (size_t i = 0; i < ghosts.n; i++) {
		struct gs_ruleset *rs = NULL;
		enum pt_status ret =
			gridstore_rules_for_host(ui->st, ghosts.v[i].col[0], &rs, &err);
		if (ret == PT_OK && rs->group)
			ghosts.v[i].col[1] = xasprintf("@%s", rs->group);
		else if (ret == PT_OK)
			ghosts.v[i].col[1] = strdup(_("own"));
		else if (ret == PT_REFUSED)
			ghosts.v[i].col[1] = strdup(_("ambiguous"));
		else
			ghosts.v[i].col[1] = strdup("-");
		gridstore_ruleset_free(&rs);
	}
}

static const char *const vo_heads[] = { N_("VO"), N_("Members"), N_("Snaps"), N_("Last import"),
	                                N_("URIs") };
static const int vo_widths[] = { 14, 9, 6, 18, 0 };
static struct browser vo_b = { NULL, vo_heads, vo_widths, VO_COLS, -1 };

static const char *const host_heads[] = { N_("Host"), N_("Rules"), N_("Last push"),
	                                  N_("Push state") };
static const int host_widths[] = { 30, 12, 18, 0 };
static struct browser host_b = { NULL, host_heads, host_widths, HOST_COLS, -1 };

static int focus; /* 0: VOs, 1: hosts */

/* ---- a VO's snapshots ---- */

struct snap_lines {
	char **l;
	size_t n, cap;
};

/* Takes s (NULL: out of memory, nothing added). */
static void
snap_add(struct snap_lines *L, char *s)
{
	if (!s)
		return;
	if (L->n == L->cap) {
		size_t cap = L->cap ? L->cap * 2 : 16;
		char **l = realloc(L->l, cap * sizeof *l);
		if (!l) {
			free(s);
			return;
		}
		L->l = l;
		L->cap = cap;
	}
	L->l[L->n++] = s;
}

static int
snap_row(const struct gs_snapshot *s, void *ud)
{
	struct snap_lines *L = ud;
	char when[32], added[24], removed[24];

	grid_stamp(s->imported_at, when, sizeof when);
	snprintf(added, sizeof added, "+%lld", (long long)s->added);
	snprintf(removed, sizeof removed, "-%lld", (long long)s->removed);
	snap_add(L, xasprintf("%c %-16s %8lld %7s %8s  %-6s %s", s->current ? '*' : ' ', when,
	                      (long long)s->members, added, removed, s->format, s->source));
	return 0;
}

static void
show_snapshots(struct ui *ui, const struct grow *g)
{
	const char *vo = g->col[0];
	struct snap_lines L = { 0 };
	struct pt_err err = { 0 };
	char title[160];
	size_t nhead;

	snap_add(&L, xasprintf(_("URIs: %s"), g->col[4][0] ? g->col[4] : _("(no URI)")));
	snap_add(&L, strdup(""));
	snap_add(&L, xasprintf("  %-16s %8s %7s %8s  %-6s %s", _("Imported"), _("Members"),
	                       _("Added"), _("Removed"), _("Format"), _("Source")));
	nhead = L.n;
	if (gridstore_snapshot_foreach(ui->st, vo, snap_row, &L, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
	} else if (L.n <= nhead) {
		ui_message(ui, ROLE_HINT,
		           _("VO %s has no snapshot yet: passtore vo import %s FILE"), vo, vo);
	} else {
		snprintf(title, sizeof title, _("Snapshots of VO %s, newest first (* current)"),
		         vo);
		ui_popup(ui, title, (const char *const *)L.l, L.n);
	}
	for (size_t i = 0; i < L.n; i++)
		free(L.l[i]);
	free(L.l);
}

static const char *grid_context_host(struct ui *ui);

void
grid_reload(struct ui *ui)
{
	load_vos(ui);
	load_hosts(ui);
	if (vo_b.list)
		ui_list_refresh(vo_b.list);
	if (host_b.list)
		ui_list_refresh(host_b.list);
}

/* ---- the screen ---- */

static void
open_list(struct browser *b, struct gcache *c)
{
	if (!b->list) {
		struct ui_list_source s = { .ncols = c->ncols, .each = cache_each, .ctx = c };
		b->list = ui_list_new(&s);
	}
	if (b->list)
		ui_list_refresh(b->list);
}

static void
grid_enter(struct ui *ui)
{
	load_vos(ui);
	load_hosts(ui);
	open_list(&vo_b, &vos);
	open_list(&host_b, &ghosts);
	grid_page_refresh(ui);
}

static const struct grow *
selected(struct browser *b, struct gcache *c)
{
	const struct ui_row *r = b->list ? ui_list_selected(b->list) : NULL;

	if (!r || r->id < 1 || (size_t)r->id > c->n)
		return NULL;
	return &c->v[r->id - 1];
}

/* Colour the state column of the hosts the way the dashboard colours
 * bands: drawn over what the browser drew, except on the focused
 * selection (which keeps its own colour). */
static void
colour_states(int top, int rows)
{
	struct ui_list *l = host_b.list;
	int x = 0;

	if (!l)
		return;
	for (int c = 0; c < HOST_COLS - 1; c++)
		x += host_widths[c];
	for (int r = 0; r < rows - 1; r++) {
		size_t i = l->top + (size_t)r;
		const struct ui_row *row = ui_list_row(l, i);
		if (!row)
			break;
		if (i == l->sel && focus == 1)
			continue;
		if (row->id >= 1 && (size_t)row->id <= ghosts.n)
			ui_put(top + 1 + r, x, COLS - x,
			       theme_attr(ghosts.v[row->id - 1].state_role), row->col[3], false);
	}
}

static void
grid_draw(struct ui *ui, int top, int rows)
{
	int upper = rows * 2 / 5, lower = rows - upper - 1;
	char line[160];

	if (grid_page_on()) {
		grid_page_draw(ui, top, rows);
		return;
	}
	browser_draw(ui, &vo_b, top, upper, focus == 0);
	if (vo_b.list && vo_b.list->count == 0 && !vo_b.list->filter && !vos.error)
		ui_put(top + 2, 1, COLS - 2, theme_attr(ROLE_HINT),
		       _("No VO yet: passtore vo add NAME --uri URI, then vo import NAME FILE."),
		       false);
	mvhline(top + upper, 0, ACS_HLINE, COLS);
	snprintf(line, sizeof line, " %s ", _("Hosts with Grid rules"));
	ui_put(top + upper, 2, COLS - 4, focus == 1 ? theme_attr(ROLE_TITLE) : (int)A_BOLD, line,
	       false);
	browser_draw(ui, &host_b, top + upper + 1, lower, focus == 1);
	colour_states(top + upper + 1, lower);
	if (host_b.list && host_b.list->count == 0 && !host_b.list->filter && !ghosts.error)
		ui_put(top + upper + 3, 1, COLS - 2, theme_attr(ROLE_HINT),
		       _("No host has rules yet: passtore gridmap rules import HOSTSPEC FILE."),
		       false);
}

/* Set-up from this screen: its selected VO and host are offered first. */
static bool
grid_setup_handle(struct ui *ui, enum ui_action a)
{
	const struct grow *v = selected(&vo_b, &vos), *h = selected(&host_b, &ghosts);
	const char *vo = v ? v->col[0] : NULL;

	if (!ui->st)
		return false;
	switch (a) {
	case ACT_GRIDSETUP:
		ui_grid_setup(ui, vo, grid_page_on() ? grid_page_host() : h ? h->col[0] : NULL);
		return true;
	case ACT_FQANMAPS: grid_maps_page(ui, vo); return true;
	case ACT_MAPADD: grid_map_form(ui, vo); return true;
	case ACT_MAPDEL: grid_unmap_form(ui, vo); return true;
	case ACT_VOMSLIST: grid_voms_page(ui); return true;
	case ACT_BANS: grid_bans_page(ui); return true;
	default: return false;
	}
}

static bool
grid_handle(struct ui *ui, enum ui_action a, int key)
{
	const struct grow *g;

	if (a == ACT_PUSH) {
		const char *h = grid_context_host(ui);
		if (!ui->st)
			return false;
		if (!h || !h[0])
			ui_message(ui, ROLE_HINT, "%s",
			           _("Select a host with rules first (Tab to the hosts)."));
		else
			ui_grid_push(ui, h);
		return true;
	}
	if (a == ACT_FETCHVO) {
		if (!ui->st)
			return false;
		if (!(g = selected(&vo_b, &vos)))
			ui_message(ui, ROLE_HINT, "%s", _("Select a VO first."));
		else
			ui_grid_fetch_vo(ui, g->col[0]);
		return true;
	}
	if (grid_setup_handle(ui, a))
		return true;
	if (grid_page_on())
		return grid_page_handle(ui, a, key);
	if (a == ACT_PANE) {
		focus = !focus;
		return true;
	}
	if (focus == 1 && a == ACT_BACK) {
		focus = 0;
		return true;
	}
	if (a == ACT_OPEN) {
		if (focus == 0 && (g = selected(&vo_b, &vos)))
			show_snapshots(ui, g);
		else if (focus == 1 && (g = selected(&host_b, &ghosts)))
			grid_preview_open(ui, g->col[0]);
		return true;
	}
	return browser_handle(ui, focus == 0 ? &vo_b : &host_b, a);
}

static const char *
grid_context_host(struct ui *ui)
{
	const struct grow *g;

	(void)ui;
	if (grid_page_on())
		return grid_page_host();
	g = selected(&host_b, &ghosts);
	return g ? g->col[0] : NULL;
}

void
ui_grid_show_host(struct ui *ui, const char *fqdn)
{
	char host[256];

	snprintf(host, sizeof host, "%s", fqdn);
	ui_switch(ui, VIEW_GRID);
	focus = 1;
	grid_preview_open(ui, host);
}

static void
grid_reset(struct ui *ui)
{
	(void)ui;
	ui_list_free(&vo_b.list);
	ui_list_free(&host_b.list);
	cache_clear(&vos);
	cache_clear(&ghosts);
	grid_page_close();
	focus = 0;
}

const struct view_ops ui_grid_ops = {
	.title = N_("Grid"),
	.actions = BROWSER_ACTIONS | ACTBIT(ACT_OPEN) | ACTBIT(ACT_PANE) | ACTBIT(ACT_FQANMAPS) |
	           ACTBIT(ACT_MAPADD) | ACTBIT(ACT_MAPDEL) | ACTBIT(ACT_VOMSLIST) |
	           ACTBIT(ACT_BANS),
	.enter = grid_enter,
	.draw = grid_draw,
	.handle = grid_handle,
	.reset = grid_reset,
	.context_host = grid_context_host,
};

/* ui-grid.c - the Grid screen: the VOs above (members, snapshots, the
 * date of the last import, the URIs they stand for), the hosts that
 * follow Grid rules below (where the rules come from, the last push,
 * behind or up to date); Tab moves between the panes.  Enter on a VO
 * lists its snapshots; Enter on a host shows the grid-mapfile a push
 * would write there, built now, with its conflicts highlighted and what
 * the build skipped.  U pushes and V fetches a VO's list through the
 * global actions, with this screen's selection as their target.
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

#include "browse.h"
#include "engine/lib.h"
#include "grid/lib.h"
#include "base/i18n.h"
#include "site/lib.h"
#include "store/lib.h"

/* ---- the rows, read once ---- */

#define VO_COLS 5
#define HOST_COLS 4

struct grow {
	char *col[VO_COLS > HOST_COLS ? VO_COLS : HOST_COLS];
	enum theme_role state_role;  /* hosts: the colour of the state column */
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

static void
stamp(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!t) {
		snprintf(buf, len, "%s", _("(never)"));
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static char *
xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
	stamp(vo->snapshot_at, when, sizeof when);
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
	stamp(p->pushed_at, when, sizeof when);
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
		enum pt_status ret = gridstore_rules_for_host(ui->st, ghosts.v[i].col[0], &rs, &err);
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

static const char *const vo_heads[] = { N_("VO"), N_("Members"), N_("Snaps"),
                                        N_("Last import"), N_("URIs") };
static const int vo_widths[] = { 14, 9, 6, 18, 0 };
static struct browser vo_b = { NULL, vo_heads, vo_widths, VO_COLS, -1 };

static const char *const host_heads[] = { N_("Host"), N_("Rules"), N_("Last push"),
                                          N_("Push state") };
static const int host_widths[] = { 30, 12, 18, 0 };
static struct browser host_b = { NULL, host_heads, host_widths, HOST_COLS, -1 };

static int focus; /* 0: VOs, 1: hosts */

/* ---- the preview of a host's grid-mapfile ---- */

struct pv_line {
	char *text;
	enum theme_role role;
};

static struct {
	bool on;
	bool page;         /* a page of text (a plan, an outcome), not a build */
	char host[256];
	char head[2][320];
	struct pv_line *l;
	size_t n, cap;
	size_t *vis;       /* the lines the filter keeps */
	size_t nvis;
	size_t top;
	int left;          /* columns scrolled to the right */
	char *filter;
	int rows;          /* body rows at the last draw */
} pv;

static void
pv_clear(void)
{
	for (size_t i = 0; i < pv.n; i++)
		free(pv.l[i].text);
	free(pv.l);
	free(pv.vis);
	pv.l = NULL;
	pv.vis = NULL;
	pv.n = pv.cap = pv.nvis = 0;
	pv.head[0][0] = pv.head[1][0] = '\0';
}

static void pv_add(enum theme_role role, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
pv_add(enum theme_role role, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (pv.n == pv.cap) {
		size_t cap = pv.cap ? pv.cap * 2 : 64;
		struct pv_line *l = realloc(pv.l, cap * sizeof *l);
		if (!l)
			return;
		pv.l = l;
		pv.cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	pv.l[pv.n++] = (struct pv_line){ s, role };
}

static void
pv_refilter(void)
{
	free(pv.vis);
	pv.nvis = 0;
	pv.vis = malloc((pv.n ? pv.n : 1) * sizeof *pv.vis);
	if (!pv.vis)
		return;
	for (size_t i = 0; i < pv.n; i++) {
		struct ui_row r = { .col = { pv.l[i].text } };
		if (!pv.filter || ui_row_matches(&r, 1, pv.filter))
			pv.vis[pv.nvis++] = i;
	}
	if (pv.top >= pv.nvis)
		pv.top = pv.nvis ? pv.nvis - 1 : 0;
}

/* The DN of a grid-mapfile line `"DN" account`, unescaped. */
static void
line_dn(const char *line, char *out, size_t len)
{
	size_t n = 0;
	const char *p = line;

	if (*p == '"')
		p++;
	for (; *p && *p != '"' && n + 1 < len; p++) {
		if (*p == '\\' && p[1])
			p++;
		out[n++] = *p;
	}
	out[n] = '\0';
}

/* A DN with its e-mail attribute in one spelling: the build writes a
 * conflicting DN in both, and both lines are the conflict. */
static void
dn_fold(const char *dn, char *out, size_t len)
{
	size_t n = 0;

	while (*dn && n + 1 < len) {
		size_t skip = strncasecmp(dn, "/emailAddress=", 14) == 0 ? 14
		              : strncasecmp(dn, "/Email=", 7) == 0   ? 7 : 0;
		if (skip && n + 8 < len) {
			memcpy(out + n, "/email=", 7);
			n += 7;
			dn += skip;
			continue;
		}
		out[n++] = *dn++;
	}
	out[n] = '\0';
}

static int
cmp_folded(const void *x, const void *y)
{
	return strcasecmp(*(char *const *)x, *(char *const *)y);
}

/* The conflicting DNs, folded and sorted, so that each line of a large
 * grid-mapfile costs one search, not a pass over the conflicts. */
static char **
conflict_index(const struct gm_result *r)
{
	char **v = calloc(r->nconflicts ? r->nconflicts : 1, sizeof *v);
	char buf[GRIDMAP_MAX_DN + 16];

	if (!v)
		return NULL;
	for (size_t i = 0; i < r->nconflicts; i++) {
		dn_fold(r->conflicts[i].dn, buf, sizeof buf);
		if (!(v[i] = strdup(buf))) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			return NULL;
		}
	}
	qsort(v, r->nconflicts, sizeof *v, cmp_folded);
	return v;
}

static const char *
from_text(const char *uri)
{
	return uri ? uri : _("gmf_local");
}

/* The rules the build followed, each with what it resolved to: the
 * rules per host, read where the result they give is shown. */
static void
rules_lines(const struct gs_ruleset *rs)
{
	char when[32];

	stamp(rs->imported_at, when, sizeof when);
	pv_add(ROLE_NORMAL, "%s", "");
	pv_add(ROLE_TITLE, _("Rules (%s, imported %s)"), rs->source, when);
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct gs_rule *ru = &rs->rules[i];
		bool list = strcmp(ru->kind, "group") == 0 || strcmp(ru->kind, "auth") == 0;
		char what[96] = "";
		/* what the URI resolved to goes first: a long URI is cut */
		if (list && !ru->vo[0])
			snprintf(what, sizeof what, "%s ", _("[no VO has this URI]"));
		else if (list && !ru->imported)
			snprintf(what, sizeof what, _("[VO %s, never imported] "), ru->vo);
		else if (list)
			snprintf(what, sizeof what, _("[VO %s] "), ru->vo);
		pv_add(list && (!ru->vo[0] || !ru->imported) ? ROLE_BAND_WARNING : ROLE_NORMAL,
		       "  %4u  %s %s%s%s%s", ru->line, ru->kind, what, ru->value,
		       ru->account[0] ? " " : "", ru->account);
	}
}

static void
pv_build(struct ui *ui)
{
	struct gs_build *b = NULL;
	struct pt_err err = { 0 };
	enum pt_status ret;

	pv_clear();
	if (!ui->st)
		return;
	ret = gridstore_build(ui->st, pv.host, &b, &err);
	if (ret != PT_OK) {
		snprintf(pv.head[0], sizeof pv.head[0], _("grid-mapfile of %s: cannot build"), pv.host);
		pv_add(ROLE_ALERT, "%s", pt_err_text(&err));
		pv_refilter();
		return;
	}
	const struct gm_result *r = b->result;
	/* the file itself, a line a row, conflicts marked */
	const char *p = r->text;
	char **conf = r->nconflicts ? conflict_index(r) : NULL;
	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char line[GRIDMAP_MAX_DN * 2 + 64], dn[GRIDMAP_MAX_DN + 16], folded[GRIDMAP_MAX_DN + 16];
		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		line_dn(line, dn, sizeof dn);
		dn_fold(dn, folded, sizeof folded);
		const char *key = folded;
		if (conf && bsearch(&key, conf, r->nconflicts, sizeof *conf, cmp_folded))
			pv_add(ROLE_ALERT, "! %s", line);
		else
			pv_add(ROLE_NORMAL, "  %s", line);
		p = e ? e + 1 : p + len;
	}
	for (size_t i = 0; conf && i < r->nconflicts; i++)
		free(conf[i]);
	free(conf);
	if (r->nlines == 0)
		pv_add(ROLE_HINT, "  %s", _("(no line: nobody is authorized on this host)"));
	if (r->nconflicts) {
		pv_add(ROLE_NORMAL, "%s", "");
		pv_add(ROLE_TITLE, "%s",
		       _("Conflicts: a DN in several groups maps by the first one"));
		for (size_t i = 0; i < r->nconflicts; i++) {
			const struct gm_conflict *c = &r->conflicts[i];
			/* a DN in three groups: one heading, one kept, two lost */
			if (i == 0 || strcmp(c->dn, r->conflicts[i - 1].dn) != 0) {
				pv_add(ROLE_ALERT, "! %s", c->dn);
				pv_add(ROLE_NORMAL, _("    kept %s from %s"), c->kept_account,
				       from_text(c->kept_from));
			}
			pv_add(ROLE_NORMAL, _("    not  %s from %s"), c->lost_account,
			       from_text(c->lost_from));
		}
	}
	if (r->nunsafe) {
		pv_add(ROLE_NORMAL, "%s", "");
		pv_add(ROLE_TITLE, "%s", _("Skipped: DNs that cannot be written safely"));
		for (size_t i = 0; i < r->nunsafe; i++) {
			const struct gm_unsafe *u = &r->unsafe[i];
			pv_add(ROLE_BAND_WARNING, "  %s", u->dn);
			pv_add(ROLE_NORMAL, _("    %s (from %s)"), _(u->why), from_text(u->from));
		}
	}
	if (r->nmissing) {
		pv_add(ROLE_NORMAL, "%s", "");
		pv_add(ROLE_TITLE, "%s", _("Skipped: groups whose list was never imported"));
		for (size_t i = 0; i < r->nmissing; i++)
			pv_add(ROLE_BAND_WARNING, "  %s", r->missing[i]);
	}
	if (b->nignored) {
		pv_add(ROLE_NORMAL, "%s", "");
		pv_add(ROLE_TITLE, "%s",
		       _("gmf_local files not read: the store's local entries stand for them"));
		for (size_t i = 0; i < b->nignored; i++)
			pv_add(ROLE_HINT, "  %s", b->ignored_files[i]);
	}
	if (r->ndenied || r->nbanned || r->nunauthorized) {
		pv_add(ROLE_NORMAL, "%s", "");
		pv_add(ROLE_HINT, _("Left out: %zu denied by the rules, %zu banned, %zu in no auth list"),
		       r->ndenied, r->nbanned, r->nunauthorized);
	}
	pv_add(ROLE_NORMAL, "%s", "");
	pv_add(ROLE_TITLE, "%s", _("Files a push writes"));
	for (size_t i = 0; i < b->nfiles; i++)
		pv_add(ROLE_NORMAL, "  %s (%zu bytes)", b->files[i].path, b->files[i].len);
	if (b->rules)
		rules_lines(b->rules);

	const char *src = b->rules && b->rules->group ? b->rules->group : NULL;
	if (src)
		snprintf(pv.head[0], sizeof pv.head[0], _("grid-mapfile of %s, rules of group %s"),
		         pv.host, src);
	else
		snprintf(pv.head[0], sizeof pv.head[0], _("grid-mapfile of %s, its own rules"), pv.host);
	snprintf(pv.head[1], sizeof pv.head[1],
	         _("Lines: %zu   conflicts: %zu   skipped DNs: %zu   groups never imported: %zu"),
	         r->nlines,
	         r->nconflicts, r->nunsafe, r->nmissing);
	gridstore_build_free(&b);
	pv_refilter();
}

static void
pv_open(struct ui *ui, const char *host)
{
	snprintf(pv.host, sizeof pv.host, "%s", host);
	pv.on = true;
	pv.page = false;
	pv.top = 0;
	pv.left = 0;
	free(pv.filter);
	pv.filter = NULL;
	pv_build(ui);
	ui_message(ui, ROLE_HINT, "%s",
	           _("Left/Right scroll sideways, / filters, U pushes this file, q goes back."));
}

static void
pv_close(void)
{
	pv.on = false;
	pv.page = false;
	pv_clear();
	free(pv.filter);
	pv.filter = NULL;
}

static void
pv_draw(struct ui *ui, int top, int rows)
{
	char info[96];

	(void)ui;
	ui_put(top, 0, COLS, A_BOLD, pv.head[0], true);
	ui_put(top + 1, 0, COLS, theme_attr(ROLE_HINT), pv.head[1], true);
	mvhline(top + 2, 0, ACS_HLINE, COLS);
	rows -= 3;
	pv.rows = rows > 0 ? rows : 1;
	if (pv.filter || pv.nvis > (size_t)pv.rows) {
		snprintf(info, sizeof info, " %s%s%s %zu-%zu/%zu ", pv.filter ? "/" : "",
		         pv.filter ? pv.filter : "", pv.filter ? " " : "", pv.nvis ? pv.top + 1 : 0,
		         pv.top + (size_t)pv.rows < pv.nvis ? pv.top + (size_t)pv.rows : pv.nvis, pv.nvis);
		ui_put(top + 2, COLS - (int)strlen(info) - 1, (int)strlen(info), theme_attr(ROLE_HINT),
		       info, false);
	}
	if (pv.nvis == 0 && pv.filter)
		ui_put(top + 3, 1, COLS - 2, theme_attr(ROLE_HINT), _("(nothing matches the filter)"),
		       false);
	for (int r = 0; r < rows && pv.top + (size_t)r < pv.nvis; r++) {
		const struct pv_line *l = &pv.l[pv.vis[pv.top + (size_t)r]];
		const char *t = l->text;
		int attr = l->role == ROLE_NORMAL ? (int)A_NORMAL
		           : l->role == ROLE_TITLE ? (int)A_BOLD : theme_attr(l->role);
		/* the mark stays; the text scrolls under it */
		if (pv.left > 0) {
			size_t len = strlen(t);
			ui_put(top + 3 + r, 0, 2, attr, t, false);
			t = (size_t)pv.left + 2 < len ? t + 2 + pv.left : "";
			ui_put(top + 3 + r, 2, COLS - 2, attr, t, l->role != ROLE_NORMAL);
		} else {
			ui_put(top + 3 + r, 0, COLS, attr, t, l->role == ROLE_ALERT);
		}
	}
}

static bool
pv_handle(struct ui *ui, enum ui_action a, int key)
{
	size_t page = (size_t)(pv.rows > 1 ? pv.rows - 1 : 1);
	size_t last = pv.nvis > (size_t)pv.rows ? pv.nvis - (size_t)pv.rows : 0;
	char buf[128];

	switch (a) {
	case ACT_BACK: pv_close(); return true;
	case ACT_UP: if (pv.top > 0) pv.top--; return true;
	case ACT_DOWN: if (pv.top < last) pv.top++; return true;
	case ACT_PGUP: pv.top = pv.top > page ? pv.top - page : 0; return true;
	case ACT_PGDN: pv.top = pv.top + page < last ? pv.top + page : last; return true;
	case ACT_HOME: pv.top = 0; pv.left = 0; return true;
	case ACT_END: pv.top = last; return true;
	case ACT_FILTER:
		snprintf(buf, sizeof buf, "%s", pv.filter ? pv.filter : "");
		if (ui_prompt(ui, _("Filter: "), buf, sizeof buf, false)) {
			free(pv.filter);
			pv.filter = buf[0] ? strdup(buf) : NULL;
			pv.top = 0;
			pv_refilter();
		}
		return true;
	case ACT_OPEN: return true;
	case ACT_NONE:
		if (key == KEY_RIGHT || key == 'l' || key == '>') {
			pv.left += COLS / 2;
			return true;
		}
		if (key == KEY_LEFT || key == '<') {
			pv.left = pv.left > COLS / 2 ? pv.left - COLS / 2 : 0;
			return true;
		}
		return false;
	default: return false;
	}
}

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

	stamp(s->imported_at, when, sizeof when);
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
		ui_message(ui, ROLE_HINT, _("VO %s has no snapshot yet: passtore vo import %s FILE"), vo, vo);
	} else {
		snprintf(title, sizeof title, _("Snapshots of VO %s, newest first (* current)"), vo);
		ui_popup(ui, title, (const char *const *)L.l, L.n);
	}
	for (size_t i = 0; i < L.n; i++)
		free(L.l[i]);
	free(L.l);
}

static const char *grid_context_host(struct ui *ui);

/* ---- push and fetch-vo: one window each ----
 *
 * What will happen is shown first on a page of this screen (peer, its
 * address and port, the interface, the files, the timeout, the host key)
 * and asked for; then the window; then its outcome on the same page.  A
 * fetched member list is only data once the window is closed: its diff
 * against the current snapshot is shown, and it is imported only when
 * the operator says so. */

struct peer_info {
	char ip[64];
	int port;
};

static int
peer_cb(const struct host *h, void *ud)
{
	struct peer_info *pi = ud;

	snprintf(pi->ip, sizeof pi->ip, "%s", h->ip);
	pi->port = h->port;
	return 0;
}

static const char *
detail_of(const struct pt_err *err)
{
	return pt_err_text(err);
}

/* A new page: title, a subtitle, then lines with pv_add. */
static void
page_open(const char *host, const char *title, const char *sub)
{
	pv_clear();
	free(pv.filter);
	pv.filter = NULL;
	pv.on = pv.page = true;
	pv.top = 0;
	pv.left = 0;
	snprintf(pv.host, sizeof pv.host, "%s", host ? host : "");
	snprintf(pv.head[0], sizeof pv.head[0], "%s", title);
	snprintf(pv.head[1], sizeof pv.head[1], "%s", sub);
}

/* The peer part of the plan; false (with a message) when the window
 * could not open anyway.  *pinned: the peer's host key is pinned. */
static bool
plan_peer(struct ui *ui, const char *peer, bool *pinned)
{
	struct pt_err err = { 0 };
	struct peer_info pi = { "", 22 };
	char *ifname = NULL, *fp = NULL, *type = NULL;
	long timeout = 0;
	enum pt_status ret;

	*pinned = false;
	ret = model_host_get(ui->st, peer, peer_cb, &pi, &err);
	if (ret == PT_OK)
		ret = settings_get(ui->st, "net.interface", &ifname, &err);
	if (ret == PT_OK)
		ret = settings_get_long(ui->st, "transfer.timeout", &timeout, &err);
	if (ret != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", detail_of(&err));
		free(ifname);
		return false;
	}
	if (!pi.ip[0] || !ifname) {
		if (!pi.ip[0])
			ui_message(ui, ROLE_ALERT, _("%s has no IPv4 address: no window can open to it."),
			           peer);
		else
			ui_message(ui, ROLE_ALERT, "%s",
			           _("The station's network is not configured (passtore config set net.interface IF)."));
		free(ifname);
		return false;
	}
	pv_add(ROLE_NORMAL, _("Peer:       %s at %s, port %d"), peer, pi.ip, pi.port);
	pv_add(ROLE_NORMAL, _("Interface:  %s, up for this window only"), ifname);
	pv_add(ROLE_NORMAL, _("Timeout:    %ld s for the whole window"), timeout);
	if (settings_pin_get(ui->st, peer, &fp, &type, &err) == PT_OK && fp) {
		pv_add(ROLE_NORMAL, _("Host key:   pinned %s %s"), type ? type : "", fp);
		*pinned = true;
	} else {
		pv_add(ROLE_BAND_WARNING, "%s",
		       _("Host key:   first contact: you give its fingerprint next"));
	}
	free(ifname);
	free(fp);
	free(type);
	return true;
}

/* Ask for the fingerprint of a first contact; false on Esc. */
static bool
ask_fingerprint(struct ui *ui, char *buf, size_t len)
{
	for (;;) {
		if (!ui_prompt(ui, _("Host key fingerprint (ssh-keygen -lf on the peer): "), buf, len,
		               false))
			return false;
		if (strncmp(buf, "SHA256:", 7) == 0 && strlen(buf) >= 20 && !strchr(buf, ' '))
			return true;
		ui_message(ui, ROLE_ALERT, "%s", _("Give it as ssh-keygen -lf prints it: SHA256:..."));
	}
}

/* Shown while the window is open: nothing reads keys then. */
static void
working(const char *what)
{
	ui_put(LINES - 2, 0, COLS, theme_attr(ROLE_HINT), what, true);
	refresh();
}

/* The engine tells each phase of the window: shown on the message row
 * (drawing only: nothing waits for a person while the rules are in). */
static void
phase_shown(enum transfer_phase ph, void *ud)
{
	char line[256];

	(void)ud;
	snprintf(line, sizeof line, _("Working: %s (the window closes by itself at the end or at the timeout)"),
	         transfer_phase_name(ph));
	working(line);
}

static void
outcome_lines(const struct transfer_result *res)
{
	if (res->window_id && res->exposure_ms >= 0)
		pv_add(ROLE_NORMAL, _("Window %lld: exposed %.1f ms (first rule in to last rule out)"),
		       (long long)res->window_id, res->exposure_ms);
	else if (res->window_id)
		pv_add(ROLE_NORMAL, _("Window %lld: no rule was added"), (long long)res->window_id);
	else
		pv_add(ROLE_NORMAL, "%s", _("No window opened."));
	if (res->pinned_now) {
		pv_add(ROLE_HINT, "%s", _("First contact: this host key is now pinned:"));
		pv_add(ROLE_HINT, "  %s %s", res->hostkey_type, res->hostkey_fp);
	}
}

void
ui_grid_push(struct ui *ui, const char *fqdn)
{
	struct transfer_result res = { 0 };
	struct gs_build *b = NULL;
	struct pt_err err = { 0 };
	char host[256], title[320], accept[128] = "", *gmf = NULL, *vdir = NULL, key[320];
	bool pinned;
	enum pt_status ret;

	snprintf(host, sizeof host, "%s", fqdn);
	if (gridstore_build(ui->st, host, &b, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, _("Nothing to push to %s: %s"), host, detail_of(&err));
		return;
	}
	snprintf(key, sizeof key, "host.%s.gridmapfile", host);
	settings_get(ui->st, key, &gmf, NULL);
	snprintf(key, sizeof key, "host.%s.vomsdir", host);
	settings_get(ui->st, key, &vdir, NULL);
	snprintf(title, sizeof title, _("Push grid-mapfile and vomsdir to %s"), host);
	page_open(host, title, _("What will happen (nothing has moved yet):"));
	if (!plan_peer(ui, host, &pinned)) {
		pv_close();
		goto out;
	}
	pv_add(ROLE_NORMAL, "%s", _("Files moved:"));
	for (size_t i = 0; i < b->nfiles; i++) {
		const char *path = b->files[i].path;
		if (i == 0)
			pv_add(ROLE_NORMAL, _("  %s (%zu bytes, %zu lines)"), path, b->files[i].len,
			       b->result->nlines);
		else
			pv_add(ROLE_NORMAL, _("  %s (%zu bytes)"), path, b->files[i].len);
		pv_add(ROLE_NORMAL, _("    -> %s:%s%s  mode 0644"),
		       host, i == 0 ? (gmf ? gmf : GRIDSTORE_DEFAULT_GRIDMAPFILE)
		                    : (vdir ? vdir : GRIDSTORE_DEFAULT_VOMSDIR),
		       i == 0 ? "" : path + strlen("vomsdir"));
	}
	pv_add(ROLE_NORMAL, "%s", _("Each file is written whole under a temporary name, then read back."));
	if (b->result->nconflicts || b->result->nunsafe || b->result->nmissing)
		pv_add(ROLE_BAND_WARNING,
		       _("Build: %zu conflicts, %zu skipped DNs, %zu groups never imported."),
		       b->result->nconflicts, b->result->nunsafe, b->result->nmissing);
	pv_refilter();
	if (!ui_confirm(ui, _("Open the window and push now?")) ||
	    (!pinned && !ask_fingerprint(ui, accept, sizeof accept))) {
		pv_close();
		ui_message(ui, ROLE_HINT, "%s", _("Cancelled: no window opened."));
		goto out;
	}
	working(_("Working: the window closes by itself at the end or at the timeout..."));
	{
		struct transfer_opts o = { .accept_hostkey = accept[0] ? accept : NULL,
			                   .progress = phase_shown };
		ret = transfer_gridmap_push(ui->st, host, &o, NULL, &res, &err);
	}
	flushinp(); /* keys typed during the window answer nothing */
	page_open(host, title, ret == PT_OK ? _("Done.") : _("Failed."));
	if (ret == PT_OK)
		pv_add(ROLE_BAND_OK, _("The grid-mapfile and vomsdir files of %s are in place."), host);
	else
		pv_add(ROLE_ALERT, _("It failed: %s"), detail_of(&err));
	outcome_lines(&res);
	pv_refilter();
	if (ret == PT_OK)
		ui_message(ui, ROLE_BAND_OK, _("Pushed to %s. Exposure %.1f ms."), host, res.exposure_ms);
	else
		ui_message(ui, ROLE_ALERT, "%s", detail_of(&err));
	load_hosts(ui);
	if (host_b.list)
		ui_list_refresh(host_b.list);
	if (res.signal)
		raise(res.signal); /* the window is closed: now the session ends as asked */
out:
	free(gmf);
	free(vdir);
	gridstore_build_free(&b);
}

void
ui_grid_fetch_vo(struct ui *ui, const char *vo_name)
{
	struct transfer_result res = { 0 };
	struct gm_members *m = NULL;
	struct gs_diff d = { 0 };
	struct pt_err err = { 0 };
	char vo[GRIDSTORE_MAX_VO + 1], title[320], accept[128] = "", source[320];
	char *op = NULL, *outbox = NULL, *data = NULL, *name = NULL;
	size_t len = 0;
	bool pinned;
	enum pt_status ret;

	snprintf(vo, sizeof vo, "%s", vo_name);
	if (settings_get(ui->st, "operator.host", &op, &err) != PT_OK || !op ||
	    settings_get(ui->st, "operator.outbox", &outbox, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s",
		           op ? detail_of(&err)
		              : _("No operator host is configured (passtore config set operator.host FQDN)."));
		goto out;
	}
	snprintf(title, sizeof title, _("Fetch the member list of VO %s"), vo);
	page_open(NULL, title, _("What will happen (nothing has moved yet):"));
	if (!plan_peer(ui, op, &pinned)) {
		pv_close();
		goto out;
	}
	pv_add(ROLE_NORMAL, "%s", _("Files moved:"));
	pv_add(ROLE_NORMAL, _("  %s:%s/%s.txt, .csv, .ldif or .members (the newest)"), op,
	       outbox ? outbox : "", vo);
	pv_add(ROLE_NORMAL, "%s", _("    -> memory: shown as a diff, imported only if you say so"));
	pv_refilter();
	if (!ui_confirm(ui, _("Open the window and fetch now?")) ||
	    (!pinned && !ask_fingerprint(ui, accept, sizeof accept))) {
		pv_close();
		ui_message(ui, ROLE_HINT, "%s", _("Cancelled: no window opened."));
		goto out;
	}
	working(_("Working: the window closes by itself at the end or at the timeout..."));
	{
		struct transfer_opts o = { .accept_hostkey = accept[0] ? accept : NULL,
			                   .progress = phase_shown };
		ret = transfer_fetch_vo(ui->st, vo, &o, &data, &len, &name, &res, &err);
	}
	flushinp();
	page_open(NULL, title, ret == PT_OK ? _("Fetched; not imported yet.") : _("Failed."));
	outcome_lines(&res);
	if (ret == PT_OK) {
		snprintf(source, sizeof source, "outbox:%s", name);
		ret = gridmap_members_parse(source, data, len, &m, &err);
		if (ret == PT_OK)
			ret = gridstore_vo_diff(ui->st, vo, m, &d, &err);
	}
	if (ret != PT_OK) {
		pv_add(ROLE_ALERT, _("It failed: %s"), detail_of(&err));
		pv_add(ROLE_NORMAL, "%s", _("Nothing was imported."));
		pv_refilter();
		ui_message(ui, ROLE_ALERT, "%s", detail_of(&err));
		goto out;
	}
	pv_add(ROLE_NORMAL, "%s", "");
	pv_add(ROLE_TITLE, _("%s against the current snapshot: %zu added, %zu removed, %zu members (%s)"),
	       name, d.nadded, d.nremoved, d.members, gridstore_format_name(m->format));
	for (size_t i = 0; i < d.nadded; i++)
		pv_add(ROLE_BAND_OK, "+ %s", d.added[i]);
	for (size_t i = 0; i < d.nremoved; i++)
		pv_add(ROLE_BAND_CRITICAL, "- %s", d.removed[i]);
	pv_refilter();
	if (!ui_confirm(ui, _("Import this list as the new snapshot of the VO?"))) {
		ui_message(ui, ROLE_HINT, "%s", _("Not imported: the VO keeps its snapshot."));
		goto out;
	}
	{
		char hex[65];
		gridstore_sha256_hex(data, len, hex);
		ret = store_begin(ui->st, &err);
		if (ret == PT_OK)
			ret = gridstore_vo_import(ui->st, vo, m, source, hex, NULL, &err);
		if (ret == PT_OK)
			ret = store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	if (ret == PT_OK) {
		pv_add(ROLE_BAND_OK, _("Imported as the current snapshot of VO %s."), vo);
		ui_message(ui, ROLE_BAND_OK, _("VO %s: %zu added, %zu removed; imported."), vo, d.nadded,
		           d.nremoved);
		load_vos(ui);
		load_hosts(ui);
		if (vo_b.list)
			ui_list_refresh(vo_b.list);
		if (host_b.list)
			ui_list_refresh(host_b.list);
	} else {
		pv_add(ROLE_ALERT, _("Not imported: %s"), detail_of(&err));
		ui_message(ui, ROLE_ALERT, "%s", detail_of(&err));
	}
	pv_refilter();
out:
	if (res.signal)
		raise(res.signal);
	gridstore_diff_clear(&d);
	gridmap_members_free(&m);
	free(data);
	free(name);
	free(op);
	free(outbox);
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
	if (pv.on && !pv.page)
		pv_build(ui);
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
			ui_put(top + 1 + r, x, COLS - x, theme_attr(ghosts.v[row->id - 1].state_role),
			       row->col[3], false);
	}
}

static void
grid_draw(struct ui *ui, int top, int rows)
{
	int upper = rows * 2 / 5, lower = rows - upper - 1;
	char line[160];

	if (pv.on) {
		pv_draw(ui, top, rows);
		return;
	}
	browser_draw(ui, &vo_b, top, upper, focus == 0);
	if (vo_b.list && vo_b.list->count == 0 && !vo_b.list->filter && !vos.error)
		ui_put(top + 2, 1, COLS - 2, theme_attr(ROLE_HINT),
		       _("No VO yet: passtore vo add NAME --uri URI, then vo import NAME FILE."), false);
	mvhline(top + upper, 0, ACS_HLINE, COLS);
	snprintf(line, sizeof line, " %s ", _("Hosts with Grid rules"));
	ui_put(top + upper, 2, COLS - 4, focus == 1 ? theme_attr(ROLE_TITLE) : (int)A_BOLD, line,
	       false);
	browser_draw(ui, &host_b, top + upper + 1, lower, focus == 1);
	colour_states(top + upper + 1, lower);
	if (host_b.list && host_b.list->count == 0 && !host_b.list->filter && !ghosts.error)
		ui_put(top + upper + 3, 1, COLS - 2, theme_attr(ROLE_HINT),
		       _("No host has rules yet: passtore gridmap rules import HOSTSPEC FILE."), false);
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
			ui_message(ui, ROLE_HINT, "%s", _("Select a host with rules first (Tab to the hosts)."));
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
	if (pv.on)
		return pv_handle(ui, a, key);
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
			pv_open(ui, g->col[0]);
		return true;
	}
	return browser_handle(ui, focus == 0 ? &vo_b : &host_b, a);
}

static const char *
grid_context_host(struct ui *ui)
{
	const struct grow *g;

	(void)ui;
	if (pv.on)
		return pv.host;
	g = selected(&host_b, &ghosts);
	return g ? g->col[0] : NULL;
}

static void
grid_reset(struct ui *ui)
{
	(void)ui;
	ui_list_free(&vo_b.list);
	ui_list_free(&host_b.list);
	cache_clear(&vos);
	cache_clear(&ghosts);
	pv_close();
	focus = 0;
}

const struct view_ops ui_grid_ops = {
	.title = N_("Grid"),
	.actions = BROWSER_ACTIONS | ACTBIT(ACT_OPEN) | ACTBIT(ACT_PANE),
	.enter = grid_enter,
	.draw = grid_draw,
	.handle = grid_handle,
	.reset = grid_reset,
	.context_host = grid_context_host,
};

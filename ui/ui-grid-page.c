/* ui-grid-page.c - the page of the Grid screen: a host's grid-mapfile as
 * a push would write it, built now, with its conflicts marked and what
 * the build skipped, and the rules it followed; or a page of text (a
 * transfer's plan, its outcome, a fetched list's diff).  The page
 * scrolls both ways and filters its lines. */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/grid-screen.h"
#include "ui/grid.h"
#include "ui/view.h"
#include "base/i18n.h"
#include "grid/lib.h"
#include "store/lib.h"

struct pv_line {
	char *text;
	enum theme_role role;
};

static struct {
	bool on;
	bool page; /* a page of text (a plan, an outcome), not a build */
	char host[256];
	char head[2][320];
	struct pv_line *l;
	size_t n, cap;
	size_t *vis; /* the lines the filter keeps */
	size_t nvis;
	size_t top;
	int left; /* columns scrolled to the right */
	char *filter;
	int rows; /* body rows at the last draw */
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

void
grid_page_add(enum theme_role role, const char *fmt, ...)
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

void
grid_page_shown(void)
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
		              : strncasecmp(dn, "/Email=", 7) == 0       ? 7
		                                                         : 0;
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

	grid_stamp(rs->imported_at, when, sizeof when);
	grid_page_add(ROLE_NORMAL, "%s", "");
	grid_page_add(ROLE_TITLE, _("Rules (%s, imported %s)"), rs->source, when);
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
		grid_page_add(list && (!ru->vo[0] || !ru->imported) ? ROLE_BAND_WARNING
		                                                    : ROLE_NORMAL,
		              "  %4u  %s %s%s%s%s", ru->line, ru->kind, what, ru->value,
		              ru->account[0] ? " " : "", ru->account);
	}
}

/* The file itself, a line a row, conflicts marked. */
static void
file_lines(const struct gm_result *r)
{
	const char *p = r->text;
	char **conf = r->nconflicts ? conflict_index(r) : NULL;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char line[GRIDMAP_MAX_DN * 2 + 64], dn[GRIDMAP_MAX_DN + 16],
			folded[GRIDMAP_MAX_DN + 16];
		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		line_dn(line, dn, sizeof dn);
		dn_fold(dn, folded, sizeof folded);
		const char *key = folded;
		if (conf && bsearch(&key, conf, r->nconflicts, sizeof *conf, cmp_folded))
			grid_page_add(ROLE_ALERT, "! %s", line);
		else
			grid_page_add(ROLE_NORMAL, "  %s", line);
		p = e ? e + 1 : p + len;
	}
	for (size_t i = 0; conf && i < r->nconflicts; i++)
		free(conf[i]);
	free(conf);
	if (r->nlines == 0)
		grid_page_add(ROLE_HINT, "  %s", _("(no line: nobody is authorized on this host)"));
}

/* What the build could not write as asked: conflicts, unsafe DNs, lists
 * never imported, local files the store stands for, who was left out. */
static void
skipped_lines(const struct gs_build *b)
{
	const struct gm_result *r = b->result;

	if (r->nconflicts) {
		grid_page_add(ROLE_NORMAL, "%s", "");
		grid_page_add(ROLE_TITLE, "%s",
		              _("Conflicts: a DN in several groups maps by the first one"));
		for (size_t i = 0; i < r->nconflicts; i++) {
			const struct gm_conflict *c = &r->conflicts[i];
			/* a DN in three groups: one heading, one kept, two lost */
			if (i == 0 || strcmp(c->dn, r->conflicts[i - 1].dn) != 0) {
				grid_page_add(ROLE_ALERT, "! %s", c->dn);
				grid_page_add(ROLE_NORMAL, _("    kept %s from %s"),
				              c->kept_account, from_text(c->kept_from));
			}
			grid_page_add(ROLE_NORMAL, _("    not  %s from %s"), c->lost_account,
			              from_text(c->lost_from));
		}
	}
	if (r->nunsafe) {
		grid_page_add(ROLE_NORMAL, "%s", "");
		grid_page_add(ROLE_TITLE, "%s", _("Skipped: DNs that cannot be written safely"));
		for (size_t i = 0; i < r->nunsafe; i++) {
			const struct gm_unsafe *u = &r->unsafe[i];
			grid_page_add(ROLE_BAND_WARNING, "  %s", u->dn);
			grid_page_add(ROLE_NORMAL, _("    %s (from %s)"), _(u->why),
			              from_text(u->from));
		}
	}
	if (r->nmissing) {
		grid_page_add(ROLE_NORMAL, "%s", "");
		grid_page_add(ROLE_TITLE, "%s", _("Skipped: groups whose list was never imported"));
		for (size_t i = 0; i < r->nmissing; i++)
			grid_page_add(ROLE_BAND_WARNING, "  %s", r->missing[i]);
	}
	if (b->nignored) {
		grid_page_add(ROLE_NORMAL, "%s", "");
		grid_page_add(
			ROLE_TITLE, "%s",
			_("gmf_local files not read: the store's local entries stand for them"));
		for (size_t i = 0; i < b->nignored; i++)
			grid_page_add(ROLE_HINT, "  %s", b->ignored_files[i]);
	}
	if (r->ndenied || r->nbanned || r->nunauthorized) {
		grid_page_add(ROLE_NORMAL, "%s", "");
		grid_page_add(
			ROLE_HINT,
			_("Left out: %zu denied by the rules, %zu banned, %zu in no auth list"),
			r->ndenied, r->nbanned, r->nunauthorized);
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
		snprintf(pv.head[0], sizeof pv.head[0], _("grid-mapfile of %s: cannot build"),
		         pv.host);
		grid_page_add(ROLE_ALERT, "%s", pt_err_text(&err));
		grid_page_shown();
		return;
	}
	const struct gm_result *r = b->result;
	file_lines(r);
	skipped_lines(b);
	grid_page_add(ROLE_NORMAL, "%s", "");
	grid_page_add(ROLE_TITLE, "%s", _("Files a push writes"));
	for (size_t i = 0; i < b->nfiles; i++)
		if (b->files[i].wanted)
			grid_page_add(ROLE_NORMAL, "  %s (%zu bytes)", b->files[i].path,
			              b->files[i].len);
	if (b->rules)
		rules_lines(b->rules);
	/* last: the preview's layout above stays what it was */
	grid_diff_lines(ui, pv.host, b, false);

	const char *src = b->rules && b->rules->group ? b->rules->group : NULL;
	if (src)
		snprintf(pv.head[0], sizeof pv.head[0], _("grid-mapfile of %s, rules of group %s"),
		         pv.host, src);
	else
		snprintf(pv.head[0], sizeof pv.head[0], _("grid-mapfile of %s, its own rules"),
		         pv.host);
	snprintf(pv.head[1], sizeof pv.head[1],
	         _("Lines: %zu   conflicts: %zu   skipped DNs: %zu   groups never imported: %zu"),
	         r->nlines, r->nconflicts, r->nunsafe, r->nmissing);
	gridstore_build_free(&b);
	grid_page_shown();
}

void
grid_preview_open(struct ui *ui, const char *host)
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

void
grid_page_close(void)
{
	pv.on = false;
	pv.page = false;
	pv_clear();
	free(pv.filter);
	pv.filter = NULL;
}

void
grid_page_draw(struct ui *ui, int top, int rows)
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
		         pv.top + (size_t)pv.rows < pv.nvis ? pv.top + (size_t)pv.rows : pv.nvis,
		         pv.nvis);
		ui_put(top + 2, COLS - (int)strlen(info) - 1, (int)strlen(info),
		       theme_attr(ROLE_HINT), info, false);
	}
	if (pv.nvis == 0 && pv.filter)
		ui_put(top + 3, 1, COLS - 2, theme_attr(ROLE_HINT),
		       _("(nothing matches the filter)"), false);
	for (int r = 0; r < rows && pv.top + (size_t)r < pv.nvis; r++) {
		const struct pv_line *l = &pv.l[pv.vis[pv.top + (size_t)r]];
		const char *t = l->text;
		int attr = l->role == ROLE_NORMAL  ? (int)A_NORMAL
		           : l->role == ROLE_TITLE ? (int)A_BOLD
		                                   : theme_attr(l->role);
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

bool
grid_page_handle(struct ui *ui, enum ui_action a, int key)
{
	size_t page = (size_t)(pv.rows > 1 ? pv.rows - 1 : 1);
	size_t last = pv.nvis > (size_t)pv.rows ? pv.nvis - (size_t)pv.rows : 0;
	char buf[128];

	switch (a) {
	case ACT_BACK: grid_page_close(); return true;
	case ACT_UP:
		if (pv.top > 0)
			pv.top--;
		return true;
	case ACT_DOWN:
		if (pv.top < last)
			pv.top++;
		return true;
	case ACT_PGUP: pv.top = pv.top > page ? pv.top - page : 0; return true;
	case ACT_PGDN: pv.top = pv.top + page < last ? pv.top + page : last; return true;
	case ACT_HOME:
		pv.top = 0;
		pv.left = 0;
		return true;
	case ACT_END: pv.top = last; return true;
	case ACT_FILTER:
		snprintf(buf, sizeof buf, "%s", pv.filter ? pv.filter : "");
		if (ui_prompt(ui, _("Filter: "), buf, sizeof buf, false)) {
			free(pv.filter);
			pv.filter = buf[0] ? strdup(buf) : NULL;
			pv.top = 0;
			grid_page_shown();
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

/* A new page: title, a subtitle, then lines with grid_page_add. */
void
grid_page_open(const char *host, const char *title, const char *sub)
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

void
grid_page_sub(const char *sub)
{
	snprintf(pv.head[1], sizeof pv.head[1], "%s", sub);
}

bool
grid_page_on(void)
{
	return pv.on;
}

const char *
grid_page_host(void)
{
	return pv.host;
}

void
grid_page_refresh(struct ui *ui)
{
	/* a preview is built again (the store may have changed); a page of
	 * text stays what it said */
	if (pv.on && !pv.page)
		pv_build(ui);
}

/* list.c - the list model: counting, sorting, filtering and a window of
 * copied rows; the only memory proportional to the store is the sort
 * index (a short key and a position per row), kept only when sorted.
 * A seeking source (each_after) also gets a sparse checkpoint index, so
 * a window deep in the list is read from the nearest checkpoint, not
 * from the first row. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/list.h"

struct ui_list_key {
	char key[UI_LIST_KEYLEN];
	size_t pos; /* ordinal in the source's order */
};

struct ui_list *
ui_list_new(const struct ui_list_source *src)
{
	struct ui_list *l = calloc(1, sizeof *l);

	if (!l)
		return NULL;
	l->src = *src;
	l->sort_col = -1;
	l->height = 1;
	return l;
}

static void
win_clear(struct ui_list *l)
{
	for (size_t i = 0; i < l->nwin; i++) {
		for (int c = 0; c < UI_LIST_MAXCOLS; c++)
			free((char *)l->win[i].col[c]);
		free((char *)l->win[i].key);
	}
	free(l->win);
	l->win = NULL;
	l->nwin = 0;
	l->win_valid = false;
}

static void
cp_clear(struct ui_list *l)
{
	for (size_t i = 0; i < l->ncp; i++)
		free(l->cp[i]);
	free(l->cp);
	l->cp = NULL;
	l->ncp = 0;
}

/* One pass over the source from its first row. */
static int
stream_all(struct ui_list *l, ui_row_cb cb, void *ud)
{
	l->passes++;
	if (l->src.each_after)
		return l->src.each_after(l->src.ctx, NULL, l->filter, 0, cb, ud);
	return l->src.each(l->src.ctx, cb, ud);
}

void
ui_list_free(struct ui_list **lp)
{
	struct ui_list *l = lp ? *lp : NULL;

	if (!l)
		return;
	win_clear(l);
	cp_clear(l);
	free(l->index);
	free(l->filter);
	free(l);
	*lp = NULL;
}

static bool
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

bool
ui_row_matches(const struct ui_row *r, int ncols, const char *filter)
{
	if (!filter || !*filter)
		return true;
	for (int c = 0; c < ncols && c < UI_LIST_MAXCOLS; c++)
		if (r->col[c] && contains_ci(r->col[c], filter))
			return true;
	return false;
}

/* ---- counting and sorting: one pass over the source ---- */

static int copy_row(struct ui_list *l, size_t slot, const struct ui_row *r);

struct count_ctx {
	struct ui_list *l;
	bool fill; /* the source's order: copy the window's rows too */
	size_t pos, count, cap;
	struct ui_list_key *idx;
	char **cp; /* checkpoints: see struct ui_list */
	size_t ncp, cpstep;
	int nomem;
};

/* Row c->count - 1 (the last one counted) ends a step: keep its key.
 * When the keys fill UI_LIST_MAXCP the step doubles and every other key
 * goes, so the index stays bounded whatever the store holds. */
static int
checkpoint(struct count_ctx *c, const char *key)
{
	if (c->count % c->cpstep != 0)
		return 0;
	if (!c->cp && !(c->cp = calloc(UI_LIST_MAXCP, sizeof *c->cp)))
		return -1;
	if (c->ncp == UI_LIST_MAXCP) {
		size_t n = 0;
		for (size_t i = 0; i < c->ncp; i++) {
			if (i % 2 == 1)
				c->cp[n++] = c->cp[i];
			else
				free(c->cp[i]);
		}
		c->ncp = n;
		c->cpstep *= 2;
		if (c->count % c->cpstep != 0)
			return 0;
	}
	if (!(c->cp[c->ncp] = strdup(key)))
		return -1;
	c->ncp++;
	return 0;
}

static int
count_cb(const struct ui_row *r, void *ud)
{
	struct count_ctx *c = ud;
	struct ui_list *l = c->l;
	size_t pos = c->pos++;

	l->streamed++;
	if (!ui_row_matches(r, l->src.ncols, l->filter))
		return 0;
	if (c->fill && c->count >= l->win_top && c->count - l->win_top < l->nwin &&
	    copy_row(l, c->count - l->win_top, r) != 0) {
		c->nomem = 1;
		return 1;
	}
	if (l->sort_col >= 0) {
		if (c->count == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 256;
			struct ui_list_key *n = realloc(c->idx, cap * sizeof *n);
			if (!n) {
				c->nomem = 1;
				return 1;
			}
			c->idx = n;
			c->cap = cap;
		}
		const char *k = r->col[l->sort_col] ? r->col[l->sort_col] : "";
		struct ui_list_key *e = &c->idx[c->count];
		strncpy(e->key, k, sizeof e->key - 1);
		e->key[sizeof e->key - 1] = '\0';
		e->pos = pos;
	}
	c->count++;
	if (l->sort_col < 0 && l->src.each_after && r->key && checkpoint(c, r->key) != 0) {
		c->nomem = 1;
		return 1;
	}
	return 0;
}

/* Numbers sort as numbers ("9" before "10"), the rest without case. */
static int
key_cmp(const char *a, const char *b)
{
	char *ea, *eb;
	double da = strtod(a, &ea), db = strtod(b, &eb);

	if (*a && *b && *ea == '\0' && *eb == '\0' && ea != a && eb != b)
		return da < db ? -1 : da > db;
	return strcasecmp(a, b);
}

static int
idx_cmp_asc(const void *x, const void *y)
{
	const struct ui_list_key *a = x, *b = y;
	int r = key_cmp(a->key, b->key);

	return r ? r : (a->pos > b->pos) - (a->pos < b->pos);
}

static int
idx_cmp_desc(const void *x, const void *y)
{
	const struct ui_list_key *a = x, *b = y;
	int r = key_cmp(b->key, a->key);

	return r ? r : (a->pos > b->pos) - (a->pos < b->pos);
}

static void
clamp(struct ui_list *l)
{
	if (l->count == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= l->count)
		l->sel = l->count - 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + l->height)
		l->top = l->sel - l->height + 1;
	if (l->top + l->height > l->count)
		l->top = l->count > l->height ? l->count - l->height : 0;
}

/* The source filters and counts by itself (list.h: count). */
static bool
counts_itself(const struct ui_list *l)
{
	return l->sort_col < 0 && l->src.count && l->src.each_after;
}

static int
key_cb(const struct ui_row *r, void *ud)
{
	char **key = ud;

	free(*key);
	*key = r->key ? strdup(r->key) : NULL;
	return 1;
}

/* The window shown again from the row whose key is anchor, at the same
 * ordinal: the row before it becomes a one-row window just above, so
 * the next read starts there (fill_window, seek_start).  Rows stored or
 * removed above it since are not counted out: the screen stays on its
 * rows, and its ordinal may be off by as many until Home or End. */
static void
anchor_at(struct ui_list *l, const char *anchor)
{
	char *prev = NULL;

	if (l->src.each_before(l->src.ctx, anchor, l->filter, 1, key_cb, &prev) != 0 || !prev ||
	    !(l->win = calloc(1, sizeof *l->win))) {
		free(prev);
		return; /* read from the start or the end: slower, not wrong */
	}
	l->win[0].key = prev;
	l->nwin = 1;
	l->win_top = l->top - 1;
	l->win_valid = false;
}

int
ui_list_refresh(struct ui_list *l)
{
	struct count_ctx c = { .l = l, .cpstep = UI_LIST_CPSTEP };
	size_t top = l->top;
	char *anchor = NULL;
	int rc;

	/* deep in a list that counts itself there are no checkpoints: the
	 * window's first row is where the screen stays (below) */
	if (counts_itself(l) && l->src.each_before && top > 0 && l->win_valid && l->nwin &&
	    l->win_top == top && l->win[0].key)
		anchor = strdup(l->win[0].key);
	win_clear(l);
	cp_clear(l);
	free(l->index);
	l->index = NULL;
	if (counts_itself(l)) {
		size_t n = 0;
		l->passes++;
		rc = l->src.count(l->src.ctx, l->filter, &n);
		l->error = rc != 0;
		l->count = l->error ? 0 : n;
		l->cpstep = UI_LIST_CPSTEP;
		clamp(l);
		if (!l->error && anchor && l->top == top)
			anchor_at(l, anchor);
		free(anchor);
		return l->error ? -1 : 0; /* the window is read when drawn */
	}
	/* in the source's order the pass meets the window's rows on its way:
	 * copied now, the first paint after a filter reads nothing more */
	if (l->sort_col < 0 && (l->win = calloc(l->height, sizeof *l->win))) {
		l->nwin = l->height;
		l->win_top = top;
		c.fill = true;
	}
	rc = stream_all(l, count_cb, &c);
	l->error = rc != 0 || c.nomem;
	l->cp = c.cp;
	l->ncp = c.ncp;
	l->cpstep = c.cpstep;
	if (l->error) {
		win_clear(l);
		cp_clear(l);
		free(c.idx);
		l->count = 0;
		clamp(l);
		return -1;
	}
	l->count = c.count;
	if (l->sort_col >= 0) {
		l->index = c.idx;
		if (c.count)
			qsort(l->index, c.count, sizeof *l->index,
			      l->sort_desc ? idx_cmp_desc : idx_cmp_asc);
	}
	clamp(l);
	if (c.fill && l->top == top) {
		/* the slots past the last row stay empty: not part of the window */
		l->nwin = l->count > top ? l->count - top : 0;
		if (l->nwin > l->height)
			l->nwin = l->height;
		l->win_valid = true;
	} else {
		win_clear(l); /* the rows moved (fewer of them): read again */
	}
	return 0;
}

void
ui_list_set_height(struct ui_list *l, size_t height)
{
	height = height ? height : 1;
	if (height == l->height)
		return; /* drawn again: the window still holds */
	l->height = height;
	l->win_valid = false;
	clamp(l);
}

int
ui_list_set_filter(struct ui_list *l, const char *filter)
{
	free(l->filter);
	l->filter = filter && *filter ? strdup(filter) : NULL;
	l->sel = l->top = 0;
	return ui_list_refresh(l);
}

int
ui_list_set_sort(struct ui_list *l, int col, bool desc)
{
	l->sort_col = col >= 0 && col < l->src.ncols ? col : -1;
	l->sort_desc = l->sort_col >= 0 && desc;
	return ui_list_refresh(l);
}

/* ---- moving ---- */

static void
moved(struct ui_list *l)
{
	clamp(l);
	if (l->win_top != l->top)
		l->win_valid = false;
}

void
ui_list_move(struct ui_list *l, long delta)
{
	if (delta < 0 && (size_t)-delta > l->sel)
		l->sel = 0;
	else
		l->sel += (size_t)delta;
	moved(l);
}

void
ui_list_page(struct ui_list *l, int pages)
{
	long step = (long)l->height * pages;

	if (step < 0 && (size_t)-step > l->top)
		l->top = 0;
	else
		l->top += (size_t)step;
	if (l->count > l->height && l->top > l->count - l->height)
		l->top = l->count - l->height;
	else if (l->count <= l->height)
		l->top = 0;
	ui_list_move(l, step);
	if (l->sel < l->top)
		l->sel = l->top;
	moved(l);
}

void
ui_list_home(struct ui_list *l)
{
	l->sel = l->top = 0;
	moved(l);
}

void
ui_list_end(struct ui_list *l)
{
	l->sel = l->count ? l->count - 1 : 0;
	moved(l);
}

/* ---- the window ---- */

struct fill_ctx {
	struct ui_list *l;
	size_t pos, match; /* ordinal in the source, ordinal among matches */
	size_t *want;      /* sorted: source position of each window slot */
	size_t found;
	bool exact; /* the source filtered: no row to check again */
	int nomem;
};

static int
copy_row(struct ui_list *l, size_t slot, const struct ui_row *r)
{
	struct ui_row *w = &l->win[slot];

	w->id = r->id;
	for (int c = 0; c < l->src.ncols && c < UI_LIST_MAXCOLS; c++) {
		w->col[c] = strdup(r->col[c] ? r->col[c] : "");
		if (!w->col[c])
			return -1;
	}
	if (r->key && !(w->key = strdup(r->key)))
		return -1;
	l->copied++;
	return 0;
}

static int
fill_cb(const struct ui_row *r, void *ud)
{
	struct fill_ctx *f = ud;
	struct ui_list *l = f->l;
	size_t pos = f->pos++;

	l->streamed++;
	if (f->want) {
		/* the window's slots are few: a linear look-up is fine */
		for (size_t s = 0; s < l->nwin; s++)
			if (f->want[s] == pos) {
				if (copy_row(l, s, r) != 0)
					return f->nomem = 1;
				if (++f->found == l->nwin)
					return 1;
			}
		return 0;
	}
	if (!f->exact && !ui_row_matches(r, l->src.ncols, l->filter))
		return 0;
	size_t m = f->match++;
	if (m < l->top)
		return 0;
	if (copy_row(l, m - l->top, r) != 0)
		return f->nomem = 1;
	return ++f->found == l->nwin;
}

/* Where a seeking source starts for a window at l->top: the nearest
 * checkpoint or row still on screen before it.  *after (NULL: the first
 * row) is a copy; returns the ordinal among matches of the row after it. */
static size_t
seek_start(struct ui_list *l, char **after)
{
	size_t k = l->cpstep ? l->top / l->cpstep : 0, start = 0;
	const char *key = NULL;

	if (k > l->ncp)
		k = l->ncp;
	if (k > 0) {
		start = k * l->cpstep;
		key = l->cp[k - 1];
	}
	if (l->nwin && l->win_top < l->top) {
		size_t j = l->top - l->win_top;
		if (j > l->nwin)
			j = l->nwin;
		if (l->win_top + j > start && l->win[j - 1].key) {
			start = l->win_top + j;
			key = l->win[j - 1].key;
		}
	}
	*after = key ? strdup(key) : NULL;
	if (key && !*after)
		return (size_t)-1;
	return start;
}

/* Backward from row f->match (exclusive), nearest first: row
 * f->match - 1, then - 2, ... */
static int
fill_back_cb(const struct ui_row *r, void *ud)
{
	struct fill_ctx *f = ud;
	struct ui_list *l = f->l;
	size_t m;

	l->streamed++;
	if (f->match == 0)
		return 1;
	m = --f->match;
	if (m < l->top || m - l->top >= l->nwin)
		return 0;
	if (copy_row(l, m - l->top, r) != 0)
		return f->nomem = 1;
	return ++f->found == l->nwin;
}

/* For a source that counts itself: whether reading backward costs fewer
 * rows than forward from fwd_start, from the last row or from the row on
 * screen the window starts with.  *before: NULL or a copy of that key;
 * *end: the ordinal just past the rows read backward. */
static bool
seek_back(struct ui_list *l, size_t fwd_start, size_t n, char **before, size_t *end)
{
	size_t fwd = l->top - fwd_start, best = (size_t)-1;

	*before = NULL;
	if (!l->src.each_before || !counts_itself(l))
		return false;
	if (l->top + n <= l->count && l->count - l->top - n < fwd) {
		best = l->count - l->top - n;
		*end = l->count;
	}
	if (l->nwin && l->win[0].key && l->top + n <= l->win_top &&
	    l->win_top - l->top - n < (best < fwd ? best : fwd)) {
		best = l->win_top - l->top - n;
		*end = l->win_top;
		if (!(*before = strdup(l->win[0].key)))
			return false;
	}
	return best != (size_t)-1;
}

static int
fill_window(struct ui_list *l)
{
	struct fill_ctx f = { .l = l, .exact = counts_itself(l) };
	char *after = NULL, *before = NULL;
	size_t n, end = 0;
	bool back;
	int rc;

	if (!l->index && l->src.each_after) {
		f.match = seek_start(l, &after);
		if (f.match == (size_t)-1)
			return -1;
	}
	n = l->count > l->top ? l->count - l->top : 0;
	if (n > l->height)
		n = l->height;
	back = !l->index && n && seek_back(l, f.match, n, &before, &end);
	win_clear(l);
	l->win_top = l->top;
	l->win_valid = true;
	if (n == 0) {
		free(after);
		free(before);
		return 0;
	}
	l->win = calloc(n, sizeof *l->win);
	if (!l->win) {
		free(after);
		free(before);
		return -1;
	}
	l->nwin = n;
	if (l->index) {
		f.want = malloc(n * sizeof *f.want);
		if (!f.want)
			return -1;
		for (size_t s = 0; s < n; s++)
			f.want[s] = l->index[l->top + s].pos;
	}
	if (back) {
		l->passes++;
		f.match = end;
		rc = l->src.each_before(l->src.ctx, before, l->filter, end - l->top, fill_back_cb,
		                        &f);
		free(after);
		free(before);
	} else if (!l->index && l->src.each_after) {
		l->passes++;
		rc = l->src.each_after(l->src.ctx, after, l->filter,
		                       l->filter && !f.exact ? 0 : l->top - f.match + n, fill_cb,
		                       &f);
		free(after);
	} else {
		rc = stream_all(l, fill_cb, &f);
	}
	free(f.want);
	/* a row that vanished since counting leaves an empty slot */
	for (size_t s = 0; s < n; s++)
		for (int c = 0; c < l->src.ncols; c++)
			if (!l->win[s].col[c])
				l->win[s].col[c] = strdup("");
	l->error = rc != 0 || f.nomem;
	return l->error ? -1 : 0;
}

const struct ui_row *
ui_list_row(struct ui_list *l, size_t i)
{
	if (i >= l->count || i < l->top || i >= l->top + l->height)
		return NULL;
	if (!l->win_valid || l->win_top != l->top)
		fill_window(l);
	if (i - l->win_top >= l->nwin)
		return NULL;
	return &l->win[i - l->win_top];
}

const struct ui_row *
ui_list_selected(struct ui_list *l)
{
	return ui_list_row(l, l->sel);
}

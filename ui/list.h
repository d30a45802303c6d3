/* list.h - the list model behind every browser: a window onto rows that
 * a source streams, with filtering, sorting and paging.  No curses here,
 * so it is tested without a terminal (tests/unit/test_ui_list.c).
 *
 * Memory is bounded by the window, not by the store: in the source's own
 * order nothing is kept but the visible rows and, when the source can
 * seek, a sparse checkpoint index (the key of every Nth matching row, at
 * most UI_LIST_MAXCP keys); sorted on another column the model keeps one
 * short key and a position per matching row.
 */
#ifndef PASSTORE_UI_LIST_H
#define PASSTORE_UI_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UI_LIST_MAXCOLS 8
#define UI_LIST_KEYLEN 48  /* bytes of a sort key kept per row */
#define UI_LIST_CPSTEP 64  /* first distance between two checkpoints, in rows */
#define UI_LIST_MAXCP 2048 /* checkpoints kept at most (the step doubles) */

struct ui_row {
	int64_t id;
	const char *col[UI_LIST_MAXCOLS];
	/* Where the row stands in the source's order, for a seeking source
	 * (see each_after): an opaque string the source alone reads back,
	 * e.g. the FQDN of a host list ordered by FQDN.  NULL otherwise. */
	const char *key;
};

typedef int (*ui_row_cb)(const struct ui_row *r, void *ud);

/*
 * A source streams rows in its own fixed order.  The model calls back
 * into it; cb returning non-zero stops the stream (the source then
 * returns 0).  Both calls return 0, or -1 when the source failed.
 *
 * each: every row, from the first.  May be NULL when each_after is set.
 *
 * each_after (optional): lets the model page without re-reading the
 * store from the first row.  It streams rows in the same order as each,
 * starting just after the row whose key (struct ui_row.key) is after
 * (NULL: from the first row); every row it gives must carry its key.
 *   filter: the list's filter or NULL.  The source may use it to leave
 *     out rows that cannot match (case-insensitive substring of any
 *     column, as ui_row_matches()), e.g. in its SQL; it must never leave
 *     out a row that matches.  The model checks every row again, so a
 *     source that cannot filter like that passes NULL to the core.
 *   limit: 0 for no limit; else the model needs no more than limit rows
 *     (only given when filter is NULL, so a SQL LIMIT is always right).
 * The keyset core calls fit it directly, e.g. for hosts
 *   model_host_page(st, filter, after, limit, cb, ud, err)
 * and for the certificates list its (filter, after-key, limit, cb) call.
 * The model remembers the key of every Nth matching row while counting
 * and the keys of the rows on screen, and starts from the nearest one
 * before the wanted row: a page-down, End or a filter's first page read
 * a page and at most N rows more, wherever they are in the list.
 * Sorted on a column (ui_list_set_sort) the model still streams from the
 * first row through each (or each_after with after NULL).
 *
 * count (optional, with each_after): the source filters and counts by
 * itself, e.g. on an index.  It sets *n to the number of rows that match
 * filter (NULL: all rows), and each_after then gives exactly the rows
 * that match, with limit honoured also under a filter: the model checks
 * no row again and makes no counting pass, so opening the list or typing
 * a filter costs one count and one page, however long the list.  The
 * source's filter must be the one ui_row_matches() applies to the
 * columns it gives (the tests compare the two).
 *
 * each_before (optional, with count): the rows before the row whose key
 * is before (NULL: from the last row), nearest first, at most limit
 * (0: no limit), filtered as each_after.  Without checkpoints (count
 * makes none) it lets End and a page-up read a page, not the list up to
 * there, and a list counted again deep down (ui_list_refresh) read on
 * from the row its screen started with.
 */
struct ui_list_source {
	int ncols;
	int (*each)(void *ctx, ui_row_cb cb, void *ud);
	void *ctx;
	int (*each_after)(void *ctx, const char *after, const char *filter, size_t limit,
	                  ui_row_cb cb, void *ud);
	int (*count)(void *ctx, const char *filter, size_t *n);
	int (*each_before)(void *ctx, const char *before, const char *filter, size_t limit,
	                   ui_row_cb cb, void *ud);
};

struct ui_list_key; /* private: sort index entry */

struct ui_list {
	struct ui_list_source src;
	char *filter; /* case-insensitive substring of any column */
	int sort_col; /* -1: the source's order */
	bool sort_desc;
	size_t count;    /* matching rows */
	size_t top, sel; /* first visible row, selected row */
	size_t height;   /* rows the view shows */
	/* the window: rows top .. top + nwin - 1, strings owned */
	struct ui_row *win;
	size_t nwin, win_top;
	bool win_valid;
	struct ui_list_key *index; /* sorted index, or NULL */
	/* seeking sources: cp[k - 1] is the key of matching row k * cpstep - 1 */
	char **cp;
	size_t ncp, cpstep;
	/* figures, for tests and benchmarks */
	unsigned long passes;   /* times the source was streamed */
	unsigned long copied;   /* rows copied into the window */
	unsigned long streamed; /* rows the source gave, over all passes */
	int error;              /* the last pass failed */
};

struct ui_list *ui_list_new(const struct ui_list_source *src);
void ui_list_free(struct ui_list **l);

/* Count (and sort) again, e.g. after a change in the store. */
int ui_list_refresh(struct ui_list *l);
void ui_list_set_height(struct ui_list *l, size_t height);
/* NULL or "" clears the filter. */
int ui_list_set_filter(struct ui_list *l, const char *filter);
int ui_list_set_sort(struct ui_list *l, int col, bool desc);

void ui_list_move(struct ui_list *l, long delta);
void ui_list_page(struct ui_list *l, int pages);
void ui_list_home(struct ui_list *l);
void ui_list_end(struct ui_list *l);

/* Row i of the list (top <= i < top + height), NULL past the end. */
const struct ui_row *ui_list_row(struct ui_list *l, size_t i);
const struct ui_row *ui_list_selected(struct ui_list *l);

/* Whether a row matches a filter (case-insensitive, any column). */
bool ui_row_matches(const struct ui_row *r, int ncols, const char *filter);

#endif

/* list.h - the list model behind every browser: a window onto rows that
 * a source streams, with filtering, sorting and paging.  No curses here,
 * so it is tested without a terminal (tests/unit/test_ui_list.c).
 *
 * Memory is bounded by the window, not by the store: in the source's own
 * order nothing is kept but the visible rows; sorted on another column
 * the model keeps one short key and a position per matching row.
 */
#ifndef PASSTORE_UI_LIST_H
#define PASSTORE_UI_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UI_LIST_MAXCOLS 8
#define UI_LIST_KEYLEN 48 /* bytes of a sort key kept per row */

struct ui_row {
	int64_t id;
	const char *col[UI_LIST_MAXCOLS];
};

typedef int (*ui_row_cb)(const struct ui_row *r, void *ud);

struct ui_list_source {
	int ncols;
	/* Stream every row in the source's own order; stop early when cb
	 * returns non-zero.  Returns 0, or -1 when the source failed. */
	int (*each)(void *ctx, ui_row_cb cb, void *ud);
	void *ctx;
};

struct ui_list_key; /* private: sort index entry */

struct ui_list {
	struct ui_list_source src;
	char *filter;          /* case-insensitive substring of any column */
	int sort_col;          /* -1: the source's order */
	bool sort_desc;
	size_t count;          /* matching rows */
	size_t top, sel;       /* first visible row, selected row */
	size_t height;         /* rows the view shows */
	/* the window: rows top .. top + nwin - 1, strings owned */
	struct ui_row *win;
	size_t nwin, win_top;
	bool win_valid;
	struct ui_list_key *index; /* sorted index, or NULL */
	/* figures, for tests and benchmarks */
	unsigned long passes;  /* times the source was streamed */
	unsigned long copied;  /* rows copied into the window */
	int error;             /* the last pass failed */
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

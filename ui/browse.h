/* browse.h - a list pane: a list model, its columns and how it is drawn. */
#ifndef PASSTORE_UI_BROWSE_H
#define PASSTORE_UI_BROWSE_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/keys.h"
#include "ui/list.h"

struct ui;

struct browser {
	struct ui_list *list;
	const char *const *heads; /* N_() */
	const int *widths;        /* 0: the rest of the line */
	int ncols;
	int secret_col; /* column that shows a revealed secret, or -1 */
};

/* For a table whose cells are more than their rows' text. */
struct browser_cells {
	const int *cols; /* the row column each shows (-1: none); NULL: its own */
	bool gap;        /* kept for its callers: every table now keeps one blank */
	/* told before the rows on screen (n from l->top) are drawn; may be NULL */
	void (*shown)(struct ui *ui, struct ui_list *l, size_t n);
	/* may change a cell's text and attribute; col is the row column */
	void (*cell)(struct ui *ui, const struct ui_row *row, int col, bool sel, bool focused,
	             const char **text, int *attr);
};

/* TEXT in a column W characters wide, in OUT: padded with blanks, or cut
 * with '~' as its last character when longer, so that a cut value is
 * never read as a whole one and the next column stays where it is.  Every
 * table drawn with a format rather than a browser cuts its values here. */
const char *ui_cell(char *out, size_t len, const char *text, int w);
/* The columns TEXT takes: its characters (UTF-8), not its bytes. */
int ui_chars(const char *s);

/* Draw the pane at rows top .. top + rows - 1 (a header line included). */
void browser_draw(struct ui *ui, struct browser *b, int top, int rows, bool focused);
/* The same, the cells as cx says (NULL: as browser_draw). */
void browser_draw_cells(struct ui *ui, struct browser *b, const struct browser_cells *cx, int top,
                        int rows, bool focused);
/* Moving, filter and sort keys; true when handled. */
bool browser_handle(struct ui *ui, struct browser *b, enum ui_action a);

#define BROWSER_ACTIONS \
	(ACTBIT(ACT_UP) | ACTBIT(ACT_DOWN) | ACTBIT(ACT_PGUP) | ACTBIT(ACT_PGDN) | \
	 ACTBIT(ACT_HOME) | ACTBIT(ACT_END) | ACTBIT(ACT_FILTER) | ACTBIT(ACT_SORT) | \
	 ACTBIT(ACT_RSORT) | ACTBIT(ACT_NEXT) | ACTBIT(ACT_PREV))

#endif

/* browse.h - a list pane: a list model, its columns and how it is drawn. */
#ifndef PASSTORE_UI_BROWSE_H
#define PASSTORE_UI_BROWSE_H

#include <stdbool.h>

#include "list.h"
#include "view.h"

struct browser {
	struct ui_list *list;
	const char *const *heads;  /* N_() */
	const int *widths;         /* 0: the rest of the line */
	int ncols;
	int secret_col;            /* column that shows a revealed secret, or -1 */
};

/* For a table whose cells are more than their rows' text. */
struct browser_cells {
	const int *cols;           /* the row column each shows (-1: none); NULL: its own */
	bool gap;                  /* a cut cell keeps one blank before the next */
	/* told before the rows on screen (n from l->top) are drawn; may be NULL */
	void (*shown)(struct ui *ui, struct ui_list *l, size_t n);
	/* may change a cell's text and attribute; col is the row column */
	void (*cell)(struct ui *ui, const struct ui_row *row, int col, bool sel, bool focused,
	             const char **text, int *attr);
};

/* Draw the pane at rows top .. top + rows - 1 (a header line included). */
void browser_draw(struct ui *ui, struct browser *b, int top, int rows, bool focused);
/* The same, the cells as cx says (NULL: as browser_draw). */
void browser_draw_cells(struct ui *ui, struct browser *b, const struct browser_cells *cx, int top,
                        int rows, bool focused);
/* Moving, filter and sort keys; true when handled. */
bool browser_handle(struct ui *ui, struct browser *b, enum ui_action a);

#define BROWSER_ACTIONS                                                                    \
	(ACTBIT(ACT_UP) | ACTBIT(ACT_DOWN) | ACTBIT(ACT_PGUP) | ACTBIT(ACT_PGDN) |             \
	 ACTBIT(ACT_HOME) | ACTBIT(ACT_END) | ACTBIT(ACT_FILTER) | ACTBIT(ACT_SORT) |          \
	 ACTBIT(ACT_RSORT))

#endif

/* ui-pw.c: the password actions, shared by the passwords browser and
 * the host page's passwords pane.  id 0: none selected. */
bool pw_action(struct ui *ui, enum ui_action a, int64_t id);
/* The new-password form; host (may be NULL) prefills the entry. */
bool pw_new_form(struct ui *ui, const char *host);
/* ui-hosts.c: the new-host form (also the global action). */
bool host_new_form(struct ui *ui);
/* A list source over the passwords (of one host when fqdn is set). */
struct pw_source {
	struct ui *ui;
	char fqdn[256];
};
int pw_source_each(void *ctx, ui_row_cb cb, void *ud);
/* The same, a page at a time after a row's key (see struct
 * ui_list_source); all the entries only (fqdn empty). */
int pw_source_after(void *ctx, const char *after, const char *filter, size_t limit, ui_row_cb cb,
                    void *ud);

#define PW_ACTIONS                                                                        \
	(ACTBIT(ACT_NEW) | ACTBIT(ACT_REVEAL) | ACTBIT(ACT_UPDATE) | ACTBIT(ACT_GENERATE) |     \
	 ACTBIT(ACT_HISTORY))

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

/* Draw the pane at rows top .. top + rows - 1 (a header line included). */
void browser_draw(struct ui *ui, struct browser *b, int top, int rows, bool focused);
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

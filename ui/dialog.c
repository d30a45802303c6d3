/* dialog.c - boxes for the actions: a question under what will happen,
 * and a progress box drawn while something runs (no key is read then). */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "view.h"

void
dialog_box(struct ui *ui, int h, int w, int *y, int *x, const char *title)
{
	/* the screen below is redrawn when the dialog ends */
	ui->dirty = true;
	erase();
	ui_box(h, w, y, x, title);
}

static void
draw_lines(struct ui *ui, const char *title, const char *const *lines, size_t n, const char *status,
           int role)
{
	int rows = (int)n, h, w = COLS - 4 < 76 ? COLS - 4 : 76, y, x;

	if (rows > LINES - 4)
		rows = LINES - 4;
	h = rows + 4;
	dialog_box(ui, h, w, &y, &x, title);
	for (int r = 0; r < rows; r++)
		ui_put(y + 1 + r, x + 2, w - 4, A_NORMAL, lines[r], false);
	ui_put(y + h - 2, x + 2, w - 4, theme_attr(role), status, false);
}

void
dialog_show(struct ui *ui, const char *title, const char *const *lines, size_t n,
            const char *status)
{
	draw_lines(ui, title, lines, n, status, ROLE_HINT);
	refresh();
}

bool
dialog_ask(struct ui *ui, const char *title, const char *const *lines, size_t n,
           const char *question)
{
	char q[256];

	snprintf(q, sizeof q, _("%s (y/n) "), question);
	for (;;) {
		int k, yes;
		draw_lines(ui, title, lines, n, q, ROLE_ALERT);
		refresh();
		if (!ui_waitkey(ui, &k))
			return false;
		if ((yes = ui_yes_no(k)) >= 0)
			return yes;
	}
}

/* dialog.c - boxes for the actions: a question under what will happen,
 * and a progress box drawn while something runs (no key is read then).
 *
 * The progress box is drawn on the screen itself (stdscr, which the main
 * loop draws again afterwards): it stays while the caller works, and a
 * panel left in the deck for it would come back over later screens. */
#include "config.h"

#include <curses.h>
#include <panel.h>
#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "ui/app.h"
#include "ui/dialog.h"

void
dialog_box(struct ui *ui, int h, int w, int *y, int *x, const char *title)
{
	/* the screen below is redrawn when the dialog ends; the title and
	 * the key bar stay while it is up */
	ui->dirty = true;
	ui_draw_frame(ui);
	if (h > LINES - 3)
		h = LINES - 3;
	ui_box(h, w, y, x, title);
}

static void
draw_lines(struct ui *ui, const char *title, const char *const *lines, size_t n, const char *status,
           int role)
{
	int rows = (int)n, h, w = COLS - 4 < 76 ? COLS - 4 : 76, y, x;

	if (rows > LINES - 7) /* between the title and the message line */
		rows = LINES - 7;
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

/* A question takes at most this many rows of its box. */
#define QUESTION_ROWS 3

/* The question is on a panel of its own: the answer puts back what was
 * under it (the screen, a form, a progress box) without drawing it
 * again. */
bool
dialog_ask(struct ui *ui, const char *title, const char *const *lines, size_t n,
           const char *question)
{
	char q[512];
	int rows = (int)n, h, w = COLS - 4 < 76 ? COLS - 4 : 76, k, yes = 0, qrows = 0;
	size_t qcut[QUESTION_ROWS];
	WINDOW *win;

	snprintf(q, sizeof q, _("%s (y/n) "), question);
	/* the question wraps inside the box (a long host name, a long
	 * translation): its rows, the last one taking what is left */
	qrows = ui_text_rows(q, w - 4, qcut, QUESTION_ROWS);
	if (qrows == 0)
		qrows = 1;
	if (rows > LINES - 3 - qrows)
		rows = LINES - 3 - qrows;
	if (rows < 0)
		rows = 0;
	h = rows + 3 + qrows;
	if (!(win = ui_panel_open(h, w, title)))
		return false;
	for (;;) {
		for (int r = 0; r < rows; r++)
			ui_wput(win, 1 + r, 2, w - 4, A_NORMAL, lines[r], false);
		ui_wput_rows(win, h - 1 - qrows, 2, w - 4, qrows, theme_attr(ROLE_ALERT), q, false);
		update_panels();
		doupdate();
		if (!ui_waitkey(ui, &k))
			break;
		if (k == KEY_RESIZE) {
			/* the box moves to the new middle; the screen under
			 * it is drawn again by the caller */
			ui->dirty = true;
			ui_panel_close(win);
			if (!(win = ui_panel_open(h, w, title)))
				return false;
			continue;
		}
		if ((yes = ui_yes_no(k)) >= 0)
			break;
	}
	ui_panel_close(win);
	return yes > 0;
}

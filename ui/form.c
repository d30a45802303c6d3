/* form.c - a boxed form: labelled fields, a message in place, nothing
 * stored until the submit callback accepts it. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "secmem.h"
#include "view.h"

bool
ui_form(struct ui *ui, const char *title, struct ui_field *f, size_t n, ui_form_submit submit,
        void *ud)
{
	size_t cur = 0;
	char err[256] = "";

	for (;;) {
		int h = (int)n * 2 + 6, w = COLS - 8 < 72 ? COLS - 8 : 72, y = (LINES - h) / 2,
		    x = (COLS - w) / 2, lw = 14, cy = 0, cx = 0;

		/* the frame comes from a redraw of the screen below */
		ui->dirty = true;
		erase();
		attrset(A_NORMAL);
		for (int r = 0; r < h; r++)
			mvhline(y + r, x, ' ', w);
		mvaddch(y, x, ACS_ULCORNER);
		mvhline(y, x + 1, ACS_HLINE, w - 2);
		mvaddch(y, x + w - 1, ACS_URCORNER);
		mvvline(y + 1, x, ACS_VLINE, h - 2);
		mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
		mvaddch(y + h - 1, x, ACS_LLCORNER);
		mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
		mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
		char t[128];
		snprintf(t, sizeof t, " %s ", title);
		ui_put(y, x + 2, w - 4, theme_attr(ROLE_TITLE), t, false);
		for (size_t i = 0; i < n; i++) {
			int fy = y + 2 + (int)i * 2, fw = w - lw - 4;
			size_t len = strlen(f[i].buf);
			ui_put(fy, x + 2, lw, i == cur ? (int)A_BOLD : (int)A_NORMAL, f[i].label, false);
			move(fy, x + 2 + lw);
			attrset(i == cur ? theme_attr(ROLE_SELECTED) : (int)A_UNDERLINE);
			size_t skip = len >= (size_t)fw ? len - (size_t)fw + 1 : 0;
			for (int c = 0; c < fw; c++) {
				size_t k = skip + (size_t)c;
				addch(k < len ? (f[i].masked ? '*' : (chtype)(unsigned char)f[i].buf[k]) : ' ');
			}
			attrset(A_NORMAL);
			if (i == cur) {
				cy = fy;
				cx = x + 2 + lw + (int)(len - skip);
			}
			if (f[i].hint)
				ui_put(fy + 1, x + 2 + lw, fw, theme_attr(ROLE_HINT), f[i].hint, false);
		}
		ui_put(y + h - 3, x + 2, w - 4, theme_attr(ROLE_ALERT), err, false);
		ui_put(y + h - 2, x + 2, w - 4, theme_attr(ROLE_HINT),
		       _("Tab/Down next, Up previous, Enter on the last field saves, Esc cancels"), false);
		move(cy, cx);
		curs_set(1);
		refresh();
		int k;
		bool got = ui_waitkey(ui, &k);
		curs_set(0);
		if (!got)
			return false;
		size_t len = strlen(f[cur].buf);
		if (k == 27 || k == KEY_F(10))
			return false;
		if (k == KEY_RESIZE)
			continue;
		if (k == '\t' || k == KEY_DOWN)
			cur = (cur + 1) % n;
		else if (k == KEY_UP || k == KEY_BTAB)
			cur = (cur + n - 1) % n;
		else if (k == '\r' || k == '\n' || k == KEY_ENTER) {
			if (cur + 1 < n) {
				cur++;
				continue;
			}
			err[0] = '\0';
			int bad = submit(ui, f, n, err, sizeof err, ud);
			if (bad < 0)
				return true;
			if ((size_t)bad < n)
				cur = (size_t)bad;
		} else if (k == KEY_BACKSPACE || k == 127 || k == 8) {
			if (len > 0)
				f[cur].buf[len - 1] = '\0';
		} else if (k == 21) {
			secmem_wipe(f[cur].buf, f[cur].len);
		} else if (k >= 32 && k < 256 && len + 1 < f[cur].len) {
			f[cur].buf[len] = (char)k;
			f[cur].buf[len + 1] = '\0';
		}
	}
}

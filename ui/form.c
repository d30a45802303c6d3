/* form.c - a boxed form: labelled fields, a message in place, nothing
 * stored until the submit callback accepts it. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "secmem.h"
#include "view.h"

static const struct ui_choice *
choice_of(const struct ui_choice *ch, size_t nch, size_t field)
{
	for (size_t i = 0; i < nch; i++)
		if (ch[i].field == field && ch[i].n)
			return &ch[i];
	return NULL;
}

bool
ui_form(struct ui *ui, const char *title, struct ui_field *f, size_t n, ui_form_submit submit,
        void *ud)
{
	return ui_form_choices(ui, title, f, n, NULL, 0, submit, ud);
}

bool
ui_form_choices(struct ui *ui, const char *title, struct ui_field *f, size_t n,
                const struct ui_choice *ch, size_t nch, ui_form_submit submit, void *ud)
{
	size_t cur = 0;
	char err[256] = "";

	for (;;) {
		int h = (int)n * 2 + 7, w = COLS - 4 < 76 ? COLS - 4 : 76, y, x, lw = 14, cy = 0, cx = 0;

		dialog_box(ui, h, w, &y, &x, title);
		for (size_t i = 0; i < n; i++) {
			int fy = y + 2 + (int)i * 2, fw = w - lw - 4;
			size_t len = strlen(f[i].buf);
			ui_put(fy, x + 2, lw, i == cur ? (int)A_BOLD : (int)A_NORMAL, f[i].label, false);
			move(fy, x + 2 + lw);
			attrset(i == cur ? theme_attr(ROLE_SELECTED) : (int)A_UNDERLINE);
			size_t skip = len >= (size_t)fw ? len - (size_t)fw + 1 : 0;
			if (choice_of(ch, nch, i)) {
				/* a choice: < value >, the arrows say it cycles */
				char c[160];
				snprintf(c, sizeof c, "< %s >", f[i].buf);
				len = strlen(c) - 2;
				skip = 0;
				ui_put(fy, x + 2 + lw, fw, i == cur ? theme_attr(ROLE_SELECTED) : (int)A_UNDERLINE,
				       c, true);
			} else {
				for (int c = 0; c < fw; c++) {
					size_t k = skip + (size_t)c;
					addch(k < len ? (f[i].masked ? '*' : (chtype)(unsigned char)f[i].buf[k]) : ' ');
				}
			}
			attrset(A_NORMAL);
			if (i == cur) {
				cy = fy;
				cx = x + 2 + lw + (int)(len - skip);
			}
			if (f[i].hint)
				ui_put(fy + 1, x + 2 + lw, fw, theme_attr(ROLE_HINT), f[i].hint, false);
		}
		/* the message in place, on two lines when it needs them */
		int ew = w - 4, cut = (int)strlen(err);
		if (cut > ew) {
			cut = ew;
			while (cut > ew / 2 && err[cut] != ' ')
				cut--;
		}
		char first[256];
		snprintf(first, sizeof first, "%.*s", cut, err);
		ui_put(y + h - 4, x + 2, ew, theme_attr(ROLE_ALERT), first, false);
		ui_put(y + h - 3, x + 2, ew, theme_attr(ROLE_ALERT), err[cut] == ' ' ? err + cut + 1 : err + cut,
		       false);
		ui_put(y + h - 2, x + 2, w - 4, theme_attr(ROLE_HINT),
		       choice_of(ch, nch, cur) ? _("Left/Right: choose; Tab: next; Enter on the last saves; Esc cancels")
		                      : _("Tab/Down next, Up previous, Enter on the last field saves, Esc cancels"),
		       false);
		move(cy, cx);
		int k;
		if (!ui_waitkey_cursor(ui, &k))
			return false;
		size_t len = strlen(f[cur].buf);
		if (k == 27 || k == KEY_F(10))
			return false;
		if (k == KEY_RESIZE)
			continue;
		const struct ui_choice *c = choice_of(ch, nch, cur);
		if (c && (k == KEY_LEFT || k == KEY_RIGHT || k == ' ' || k == 'h' || k == 'l')) {
			size_t at = 0, m = c->n;
			while (at < m && strcmp(c->choices[at], f[cur].buf) != 0)
				at++;
			if (at == m)
				at = 0;
			else if (k == KEY_LEFT || k == 'h')
				at = (at + m - 1) % m;
			else
				at = (at + 1) % m;
			snprintf(f[cur].buf, f[cur].len, "%s", c->choices[at]);
			err[0] = '\0';
			if (c->changed)
				c->changed(f, n, cur, ud);
			continue;
		}
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
		} else if (c) {
			continue; /* a choice is not typed */
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

/* browse.c - drawing and moving a list pane. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "ui/app.h"
#include "ui/browse.h"

#define MASK "********"

/* The width a cell's text may take: every column but the last keeps its
 * last place blank, so that two columns never touch, whatever their
 * values (every table, not only those that asked: issue E). */
static int
cell_width(const struct browser *b, const struct browser_cells *cx, int c, int w)
{
	(void)cx;
	return c + 1 < b->ncols && w > 1 ? w - 1 : w;
}

/* Characters, not bytes: an Italian label's accent takes one column. */
static int
chars(const char *s, size_t n)
{
	int c = 0;

	for (size_t i = 0; i < n && s[i]; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

int
ui_chars(const char *s)
{
	return chars(s, (size_t)-1);
}

const char *
ui_cell(char *out, size_t len, const char *text, int w)
{
	size_t i = 0, o = 0;
	int c = 0, room = chars(text, (size_t)-1) > w && w > 1 ? w - 1 : w;

	if (!len)
		return "";
	/* whole characters while they fit, then the mark, then blanks */
	while (text[i] && o + 1 < len) {
		size_t k = 1;
		while (((unsigned char)text[i + k] & 0xC0) == 0x80)
			k++;
		if (c == room || o + k >= len)
			break;
		memcpy(out + o, text + i, k);
		o += k;
		i += k;
		c++;
	}
	if (text[i] && o + 1 < len && w > 1) {
		out[o++] = '~';
		c++;
	}
	while (c < w && o + 1 < len) {
		out[o++] = ' ';
		c++;
	}
	out[o] = '\0';
	return out;
}

/* A cell's text, padded; one longer than the cell ends in '~' where it is
 * cut, so a cut value is never read as a whole one. */
static void
put_cell(int y, int x, int cw, int attr, const char *text)
{
	char cut[1024];

	if (cw > 1 && cw < (int)sizeof cut / 4)
		text = ui_cell(cut, sizeof cut, text, cw);
	ui_put(y, x, cw, attr, text, true);
}

/* A revealed secret longer than its cell takes the columns before it on
 * its own row (right-aligned, the row's start kept when it can be): it is
 * read whole there, never on the message line. */
static void
reveal_whole(int y, int x, int cw, int attr, const char *secret)
{
	int len = (int)strlen(secret), x0 = COLS - len - 1;

	if (len <= cw)
		return;
	if (x0 < 1)
		x0 = 1;
	if (x0 > x)
		x0 = x;
	ui_put(y, x0 - 1, COLS - x0 + 1, attr, " ", true);
	ui_put(y, x0, COLS - x0, attr, secret, true);
}

void
browser_draw(struct ui *ui, struct browser *b, int top, int rows, bool focused)
{
	browser_draw_cells(ui, b, NULL, top, rows, focused);
}

void
browser_draw_cells(struct ui *ui, struct browser *b, const struct browser_cells *cx, int top,
                   int rows, bool focused)
{
	struct ui_list *l = b->list;
	int x = 0;
	char info[96];

	if (!l || rows < 2)
		return;
	ui_list_set_height(l, (size_t)(rows - 1));
	/* back from a lock: the row the user was on (app.c ui_unlocked) */
	if (focused && ui->restore_row) {
		ui->restore_row = false;
		ui_list_move(l, (long)ui->locked_row - (long)l->sel);
	}
	if (focused)
		ui->shown_row = l->sel;
	for (int c = 0; c < b->ncols; c++) {
		int w = b->widths[c] ? b->widths[c] : COLS - x, cw = cell_width(b, cx, c, w);
		int col = cx && cx->cols ? cx->cols[c] : c;
		char h[64];
		const char *mark =
			col >= 0 && l->sort_col == col ? (l->sort_desc ? " v" : " ^") : "";

		/* the mark's blank goes before the heading is cut */
		if (*mark && (int)(strlen(_(b->heads[c])) + 2) > cw)
			mark++;
		snprintf(h, sizeof h, "%s%s", _(b->heads[c]), mark);
		ui_put(top, x, cw, A_BOLD | A_UNDERLINE, h, true);
		if (cw < w)
			ui_put(top, x + cw, 1, A_NORMAL, " ", false);
		x += w;
	}
	if (l->filter || l->count > (size_t)(rows - 1)) {
		snprintf(info, sizeof info, " %s%s%s %zu/%zu ", l->filter ? "/" : "",
		         l->filter ? l->filter : "", l->filter ? " " : "",
		         l->count ? l->sel + 1 : 0, l->count);
		ui_put(top, COLS - (int)strlen(info), (int)strlen(info), theme_attr(ROLE_HINT),
		       info, false);
	}
	if (l->count == 0) {
		ui_put(top + 1, 1, COLS - 2, theme_attr(ROLE_HINT),
		       l->error    ? _("(the store could not be read)")
		       : l->filter ? _("(nothing matches the filter)")
		                   : _("(empty)"),
		       false);
		return;
	}
	if (cx && cx->shown)
		cx->shown(ui, l, (size_t)(rows - 1));
	bool revealed_seen = false;
	for (int r = 0; r < rows - 1; r++) {
		size_t i = l->top + (size_t)r;
		const struct ui_row *row = ui_list_row(l, i);
		bool sel = i == l->sel;
		int base =
			sel ? (focused ? theme_attr(ROLE_SELECTED) : (int)A_BOLD) : (int)A_NORMAL;
		if (!row)
			break;
		x = 0;
		for (int c = 0; c < b->ncols; c++) {
			int w = b->widths[c] ? b->widths[c] : COLS - x,
			    cw = cell_width(b, cx, c, w);
			int col = cx && cx->cols ? cx->cols[c] : c, attr = base;
			const char *text = col >= 0 ? row->col[col] : "";
			if (c == b->secret_col) {
				bool shown = ui->reveal && ui->reveal_id == row->id;
				revealed_seen |= shown;
				text = shown ? ui->reveal : MASK;
			}
			if (cx && cx->cell)
				cx->cell(ui, row, col, sel, focused, &text, &attr);
			if (c == b->secret_col) /* no copy of a secret: reveal_whole shows it */
				ui_put(top + 1 + r, x, cw, attr, text, true);
			else
				put_cell(top + 1 + r, x, cw, attr, text);
			if (cw < w)
				ui_put(top + 1 + r, x + cw, 1, attr, " ", false);
			if (c == b->secret_col && text == ui->reveal)
				reveal_whole(top + 1 + r, x, cw, attr, text);
			x += w;
		}
	}
	/* a revealed secret whose row scrolled away (or was filtered out)
	 * is wiped, not kept for when the row comes back */
	if (b->secret_col >= 0 && ui->reveal && !revealed_seen)
		ui_reveal_clear(ui);
}

static void
filter_typed(struct ui *ui, const char *buf, void *ud)
{
	struct browser *b = ud;

	(void)ui;
	ui_list_set_filter(b->list, buf);
}

/* / filters as you type; Enter keeps the filter, Esc goes back to the
 * whole list.  What was typed stays the search of n and N. */
static void
browser_filter(struct ui *ui, struct browser *b)
{
	struct ui_list *l = b->list;
	char buf[sizeof ui->search];

	snprintf(buf, sizeof buf, "%s", l->filter ? l->filter : "");
	if (ui_prompt_live(ui, _("Filter (Enter keeps, Esc cancels, ^U clears): "), buf, sizeof buf,
	                   filter_typed, b)) {
		/* as you type, the last key's filter is in already */
		if (strcmp(buf, l->filter ? l->filter : "") != 0)
			ui_list_set_filter(l, buf);
		if (buf[0])
			snprintf(ui->search, sizeof ui->search, "%s", buf);
		return;
	}
	ui_list_set_filter(l, NULL);
	if (buf[0]) {
		snprintf(ui->search, sizeof ui->search, "%s", buf);
		ui_message(ui, ROLE_HINT,
		           _("Filter cancelled, the whole list: n and N find \"%s\"."), buf);
	} else {
		ui_message(ui, ROLE_HINT, "%s", _("Filter cancelled, the whole list."));
	}
}

/* n and N: the next (dir 1) or previous (-1) row matching the last
 * search, from the selected one; the selection stays when none is. */
static void
browser_find(struct ui *ui, struct browser *b, long dir)
{
	struct ui_list *l = b->list;
	size_t from = l->sel;
	const struct ui_row *r;

	if (!ui->search[0]) {
		ui_message(ui, ROLE_HINT, "%s", _("No search yet: / types one."));
		return;
	}
	for (;;) {
		size_t was = l->sel;
		ui_list_move(l, dir);
		if (l->sel == was)
			break;
		if ((r = ui_list_selected(l)) && ui_row_matches(r, b->ncols, ui->search)) {
			ui_message(ui, ROLE_HINT, _("\"%s\": row %zu of %zu."), ui->search,
			           l->sel + 1, l->count);
			return;
		}
	}
	ui_list_move(l, (long)from - (long)l->sel);
	ui_message(ui, ROLE_HINT,
	           dir > 0 ? _("No more matches of \"%s\" below.")
	                   : _("No more matches of \"%s\" above."),
	           ui->search);
}

bool
browser_handle(struct ui *ui, struct browser *b, enum ui_action a)
{
	struct ui_list *l = b->list;

	if (!l)
		return false;
	switch (a) {
	case ACT_UP: ui_list_move(l, -1); break;
	case ACT_DOWN: ui_list_move(l, 1); break;
	case ACT_PGUP: ui_list_page(l, -1); break;
	case ACT_PGDN: ui_list_page(l, 1); break;
	case ACT_HOME: ui_list_home(l); break;
	case ACT_END: ui_list_end(l); break;
	case ACT_FILTER: browser_filter(ui, b); break;
	case ACT_NEXT: browser_find(ui, b, 1); break;
	case ACT_PREV: browser_find(ui, b, -1); break;
	case ACT_SORT: {
		/* every column in turn but a secret one, then the source's order */
		int next = l->sort_col + 1;
		if (next == b->secret_col)
			next++;
		ui_list_set_sort(l, next < b->ncols ? next : -1, l->sort_desc);
		break;
	}
	case ACT_RSORT:
		ui_list_set_sort(l, l->sort_col < 0 ? 0 : l->sort_col, !l->sort_desc);
		break;
	default: return false;
	}
	ui->dirty = true;
	return true;
}

/* menu.c - the menu: every action of the screen, from the key table, on
 * libmenu in a boxed window of its own, on a panel over the screen.  One
 * row an action; a row too long for the box ends in '~', and then the box
 * keeps a few lines under the rows for the selected action's help, whole,
 * wrapped (so an 80-column console reads every entry, in any language).
 * It only chooses; app.c runs the chosen action. */
#include "config.h"

#include <curses.h>
#include <menu.h>
#include <panel.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "base/i18n.h"
#include "ui/app.h"
#include "ui/menu.h"

/* The menu as posted: its items' texts live here, libmenu keeps pointers. */
struct menu_box {
	const enum ui_action *acts;
	int n;
	char names[ACT_MAX][16], descs[ACT_MAX][160];
	ITEM *items[ACT_MAX + 1];
	MENU *menu;
	WINDOW *win, *sub;
	int foot; /* lines under the rows for the selected help; 0: none */
};

/* The bytes of at most cols characters of s, and of at most max bytes
 * (a multibyte character is not cut). */
static size_t
text_bytes_max(const char *s, int cols, size_t max)
{
	mbstate_t st;
	size_t at = 0, sl = strlen(s);

	memset(&st, 0, sizeof st);
	for (int c = 0; c < cols && at < sl; c++) {
		size_t r = mbrlen(s + at, sl - at, &st);
		if (r == 0 || r == (size_t)-1 || r == (size_t)-2) {
			memset(&st, 0, sizeof st);
			r = 1;
		}
		if (at + r > max)
			break;
		at += r;
	}
	return at;
}

static size_t
text_bytes(const char *s, int cols)
{
	return text_bytes_max(s, cols, (size_t)-1);
}

/* The first line of s wrapped at cols characters: its bytes, cut at the
 * last space that fits (or at cols when a word is longer); *next gets
 * where the next line starts. */
static size_t
wrap_piece(const char *s, int cols, const char **next)
{
	size_t all = text_bytes(s, cols), cut = all;

	if (s[all] != '\0') {
		while (cut > 0 && s[cut] != ' ')
			cut--;
		if (cut == 0)
			cut = all;
	}
	*next = s + cut;
	*next += strspn(*next, " ");
	return cut;
}

/* The lines s takes wrapped at cols characters. */
static int
wrap_count(const char *s, int cols)
{
	int n = 0;

	while (*s) {
		wrap_piece(s, cols, &s);
		n++;
	}
	return n;
}

/* s into buf, cut to cols characters (a multibyte character is not cut)
 * with '~' as the last one when it is longer: libmenu will not post a
 * menu wider than its window.  True when s was cut. */
static bool
fit_text(char *buf, size_t len, const char *s, int cols)
{
	size_t at = text_bytes_max(s, cols, len - 1);
	bool cut = s[at] != '\0';

	if (cut && cols > 1)
		at = text_bytes_max(s, cols - 1, len - 2);
	memcpy(buf, s, at);
	buf[at] = '\0';
	if (cut && cols > 1)
		strcat(buf, "~");
	return cut;
}

/* The actions the menu lists: the allowed ones but moving in a list. */
static int
mb_actions(ui_actset allowed, enum ui_action *acts)
{
	int n = 0;

	for (int a = 1; a < ACT_MAX; a++)
		if ((allowed & ACTBIT(a)) && a != ACT_UP && a != ACT_DOWN && a != ACT_PGUP &&
		    a != ACT_PGDN && a != ACT_HOME && a != ACT_END)
			acts[n++] = (enum ui_action)a;
	return n;
}

/* Each item: the action's first key, then its help cut to the box
 * (mark, name, a space, the description); true when a help was cut. */
static bool
mb_items(struct menu_box *mb, int w)
{
	size_t nb;
	const struct ui_binding *b = ui_bindings(&nb);
	int namew = 1;
	bool cut = false;

	for (int i = 0; i < mb->n; i++) {
		char kb[16];
		const char *kn = "";
		for (size_t j = 0; j < nb; j++)
			if (b[j].act == mb->acts[i]) {
				kn = ui_key_name(b[j].key, kb, sizeof kb);
				break;
			}
		/* libmenu refuses an item without a name: an action reached
		 * only from the menu (no key of its own) shows "-" */
		snprintf(mb->names[i], sizeof mb->names[i], "%s", kn[0] ? kn : "-");
		if ((int)strlen(mb->names[i]) > namew)
			namew = (int)strlen(mb->names[i]);
	}
	for (int i = 0; i < mb->n; i++) {
		if (fit_text(mb->descs[i], sizeof mb->descs[i], _(ui_action_help(mb->acts[i])),
		             w - 2 - 1 - namew - 1))
			cut = true;
		mb->items[i] = new_item(mb->names[i], mb->descs[i]);
	}
	mb->items[mb->n] = NULL;
	return cut;
}

/* The lines under the rows: the selected action's help, whole, wrapped
 * to the box (its row may end in '~'). */
static void
mb_foot(struct menu_box *mb)
{
	int h = getmaxy(mb->win), w = getmaxx(mb->win), y = h - 1 - mb->foot;
	ITEM *it = mb->menu ? current_item(mb->menu) : NULL;
	const char *s = it ? _(ui_action_help(mb->acts[item_index(it)])) : "";

	if (!mb->foot)
		return;
	mvwaddch(mb->win, y - 1, 0, ACS_LTEE);
	mvwhline(mb->win, y - 1, 1, ACS_HLINE, w - 2);
	mvwaddch(mb->win, y - 1, w - 1, ACS_RTEE);
	for (int r = 0; r < mb->foot; r++) {
		char line[512];
		const char *next;
		size_t len = *s ? wrap_piece(s, w - 4, &next) : 0;
		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, s, len);
		line[len] = '\0';
		/* the padding counts bytes: blank the row first */
		mvwhline(mb->win, y + r, 1, ' ', w - 2);
		ui_wput(mb->win, y + r, 2, (int)len, theme_attr(ROLE_HINT), line, false);
		if (len)
			s = next;
	}
}

/* Build and post the menu sized to the screen, item sel current; false
 * when curses or libmenu had no room. */
static bool
mb_post(struct menu_box *mb, int sel)
{
	/* as wide as the screen allows (80 columns: 76), so that the
	 * actions' help is read whole, not cut */
	int rows = mb->n, w = COLS - 4 < 100 ? COLS - 4 : 100, h;

	if (w < 40)
		w = COLS;
	mb->foot = 0;
	if (mb_items(mb, w)) {
		/* room under the rows for the longest help, so the box does
		 * not jump while moving; a screen too low for it and three
		 * rows keeps the rows alone */
		for (int i = 0; i < mb->n; i++) {
			int l = wrap_count(_(ui_action_help(mb->acts[i])), w - 4);
			if (l > mb->foot)
				mb->foot = l;
		}
		if (LINES - 3 - 2 - 1 - mb->foot < 3)
			mb->foot = 0;
	}
	h = rows + 2 + (mb->foot ? mb->foot + 1 : 0);
	if (h > LINES - 3) {
		h = LINES - 3;
		rows = h - 2 - (mb->foot ? mb->foot + 1 : 0);
	}
	mb->menu = new_menu(mb->items);
	mb->win = ui_panel_open(h, w, _("Menu"));
	mb->sub = mb->win ? derwin(mb->win, rows, w - 2, 1, 1) : NULL;
	if (!mb->menu || !mb->sub)
		return false;
	set_menu_win(mb->menu, mb->win);
	set_menu_sub(mb->menu, mb->sub);
	set_menu_format(mb->menu, rows, 1);
	set_menu_mark(mb->menu, " ");
	set_menu_fore(mb->menu, (chtype)theme_attr(ROLE_SELECTED));
	set_menu_back(mb->menu, A_NORMAL);
	if (post_menu(mb->menu) != E_OK)
		return false;
	set_current_item(mb->menu, mb->items[sel]);
	mb_foot(mb);
	return true;
}

/* Moving keys until one that ends the menu (Enter, Esc, the menu key) or
 * a resize, left in *k; false when the idle lock fired first. */
static bool
mb_keys(struct ui *ui, struct menu_box *mb, int *k)
{
	MENU *menu = mb->menu;

	for (;;) {
		mb_foot(mb);
		update_panels();
		doupdate();
		if (!ui_waitkey(ui, k))
			return false;
		if (*k == KEY_RESIZE)
			return true;
		enum ui_action a =
			ui_key_action(*k, ACTBIT(ACT_UP) | ACTBIT(ACT_DOWN) | ACTBIT(ACT_PGUP) |
		                                  ACTBIT(ACT_PGDN) | ACTBIT(ACT_HOME) |
		                                  ACTBIT(ACT_END) | ACTBIT(ACT_OPEN) |
		                                  ACTBIT(ACT_BACK) | ACTBIT(ACT_MENU));
		if (a == ACT_UP)
			menu_driver(menu, REQ_UP_ITEM);
		else if (a == ACT_DOWN)
			menu_driver(menu, REQ_DOWN_ITEM);
		else if (a == ACT_PGUP)
			menu_driver(menu, REQ_SCR_UPAGE);
		else if (a == ACT_PGDN)
			menu_driver(menu, REQ_SCR_DPAGE);
		else if (a == ACT_HOME)
			menu_driver(menu, REQ_FIRST_ITEM);
		else if (a == ACT_END)
			menu_driver(menu, REQ_LAST_ITEM);
		else if (a == ACT_BACK || a == ACT_MENU || a == ACT_OPEN)
			return true;
	}
}

/* What was under the menu comes back from the panel stack, without
 * drawing the screen again. */
static void
mb_close(struct menu_box *mb)
{
	if (mb->menu) {
		unpost_menu(mb->menu);
		free_menu(mb->menu);
	}
	for (int i = 0; i < mb->n; i++)
		if (mb->items[i])
			free_item(mb->items[i]);
	if (mb->sub)
		delwin(mb->sub);
	ui_panel_close(mb->win);
	mb->menu = NULL;
	mb->sub = mb->win = NULL;
}

enum ui_action
ui_menu(struct ui *ui, ui_actset allowed)
{
	enum ui_action acts[ACT_MAX];
	struct menu_box mb = { .acts = acts };
	int sel = 0, k = 0;

	if ((mb.n = mb_actions(allowed, acts)) == 0)
		return ACT_NONE;
	for (;;) {
		bool posted = mb_post(&mb, sel), got = posted && mb_keys(ui, &mb, &k);
		if (posted)
			sel = item_index(current_item(mb.menu));
		mb_close(&mb);
		if (!got)
			return ACT_NONE;
		if (k != KEY_RESIZE)
			break;
		/* the screen under it at the new size, then the menu again */
		ui_draw(ui);
	}
	return ui_key_action(k, ACTBIT(ACT_OPEN)) == ACT_OPEN ? acts[sel] : ACT_NONE;
}

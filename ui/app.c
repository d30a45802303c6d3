/* app.c - the console session: options, curses set-up, the main loop,
 * the frame (title, message line, F-key bar), help generated from the
 * key table (the menu is menu.c), the idle lock and the reveal timer. */
#include "config.h"

#include <curses.h>
#include <panel.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo/demo.h"
#include "base/i18n.h"
#include "site/lib.h"
#include "base/lib.h"
#include "store/lib.h"
#include "ui/actions.h"
#include "ui/app.h"
#include "ui/browse.h"
#include "ui/firststart.h"
#include "ui/menu.h"
#include "ui/ui.h"
#include "ui/view.h"

#define MIN_COLS 80
#define MIN_LINES 24
#define DEFAULT_LOCK_AFTER 300
#define DEFAULT_REVEAL 15

static const struct view_ops *const views[VIEW_MAX] = {
	[VIEW_UNLOCK] = &ui_unlock_ops,       [VIEW_DASH] = &ui_dash_ops,
	[VIEW_HOSTS] = &ui_hosts_ops,         [VIEW_PASSWORDS] = &ui_passwords_ops,
	[VIEW_TRANSFERS] = &ui_transfers_ops, [VIEW_AUDIT] = &ui_audit_ops,
	[VIEW_CERTS] = &ui_certs_ops,         [VIEW_GRID] = &ui_grid_ops,
	[VIEW_SETTINGS] = &ui_settings_ops,   [VIEW_CAS] = &ui_cas_ops,
};

/* Reachable from every unlocked screen. */
static const ui_actset global_actions =
	ACTBIT(ACT_HELP) | ACTBIT(ACT_BACK) | ACTBIT(ACT_MENU) | ACTBIT(ACT_LOCK) |
	ACTBIT(ACT_DASH) | ACTBIT(ACT_HOSTS) | ACTBIT(ACT_PASSWORDS) | ACTBIT(ACT_TRANSFERS) |
	ACTBIT(ACT_AUDIT) | ACTBIT(ACT_CERTS) | ACTBIT(ACT_GRID) | ACTBIT(ACT_REFRESH) |
	ACTBIT(ACT_QUIT) | ACTBIT(ACT_ADDHOST) | ACTBIT(ACT_ADDPW) | ACTBIT(ACT_REQUEST) |
	ACTBIT(ACT_SENDCSR) | ACTBIT(ACT_FETCH) | ACTBIT(ACT_INSTALL) | ACTBIT(ACT_PUSH) |
	ACTBIT(ACT_FETCHVO) | ACTBIT(ACT_PASSWD) | ACTBIT(ACT_BACKUP) | ACTBIT(ACT_IMPORT) |
	ACTBIT(ACT_PROFILE) | ACTBIT(ACT_FWBOOT) | ACTBIT(ACT_ESCROW) | ACTBIT(ACT_IGTF) |
	ACTBIT(ACT_CRL) | ACTBIT(ACT_ACK) | ACTBIT(ACT_SETTINGS) | ACTBIT(ACT_CAS) |
	ACTBIT(ACT_ADDCA) | ACTBIT(ACT_SAVECSR) | ACTBIT(ACT_GRIDSETUP) | ACTBIT(ACT_SPLIT) |
	ACTBIT(ACT_COMPROMISE) | ACTBIT(ACT_ADOPT) | ACTBIT(ACT_INSPECT) | ACTBIT(ACT_FIRSTSTEPS);

int64_t
ui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ui_message(struct ui *ui, enum theme_role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
	va_end(ap);
	ui->msg_role = role;
	ui->dirty = true;
}

void
ui_wput(WINDOW *win, int y, int x, int width, int attr, const char *text, bool pad)
{
	int n = 0;
	bool utf8 = theme_utf8();

	if (width <= 0 || y < 0 || y >= getmaxy(win))
		return;
	wattrset(win, attr);
	wmove(win, y, x);
	/* a column a character: in a UTF-8 locale the continuation bytes
	 * of an accented letter take none, so an Italian line is cut and
	 * padded where its English one would be, not a column early */
	for (const char *p = text; *p; p++) {
		bool cont = utf8 && ((unsigned char)*p & 0xC0) == 0x80;
		if (!cont && n >= width)
			break;
		waddch(win, (unsigned char)*p < 32 ? '?' : (chtype)(unsigned char)*p);
		n += !cont;
	}
	while (pad && n++ < width)
		waddch(win, ' ');
	wattrset(win, A_NORMAL);
}

void
ui_put(int y, int x, int width, int attr, const char *text, bool pad)
{
	ui_wput(stdscr, y, x, width, attr, text, pad);
}

WINDOW *
ui_panel_open(int h, int w, const char *title)
{
	WINDOW *win;

	if (h > LINES)
		h = LINES;
	if (w > COLS)
		w = COLS;
	if (h < 3 || w < 6 || !(win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2)))
		return NULL;
	if (!new_panel(win)) {
		delwin(win);
		return NULL;
	}
	box(win, 0, 0);
	if (title) {
		char t[128];
		snprintf(t, sizeof t, " %s ", title);
		ui_wput(win, 0, 2, w - 4, theme_attr(ROLE_TITLE), t, false);
	}
	return win;
}

void
ui_panel_close(WINDOW *win)
{
	PANEL *p;

	if (!win)
		return;
	for (p = panel_above(NULL); p && panel_window(p) != win; p = panel_above(p))
		;
	if (p)
		del_panel(p);
	delwin(win);
	update_panels();
	doupdate();
}

void
ui_reveal_clear(struct ui *ui)
{
	if (ui->reveal) {
		secmem_freep(&ui->reveal);
		ui->dirty = true;
	}
	ui->reveal_id = 0;
	ui->reveal_until_ms = 0;
}

bool
ui_reveal(struct ui *ui, int64_t id)
{
	struct pt_err err = { 0 };
	char *s = NULL;
	size_t n = 0;

	ui_reveal_clear(ui);
	if (model_pw_secret_read(ui->st, id, 0, "console reveal", &s, &n, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return false;
	}
	ui->reveal = s;
	ui->reveal_id = id;
	ui->reveal_until_ms = ui_now_ms() + ui->reveal_secs * 1000;
	ui_message(ui, ROLE_HINT, _("Secret shown for %ld s."), ui->reveal_secs);
	return true;
}

void
ui_glass_wipe(void)
{
	const char *e3;

	/* every window, the panels' too: what curses still holds for the
	 * screen goes, and the terminal is told to clear all of it */
	for (PANEL *p = panel_above(NULL); p; p = panel_above(p)) {
		werase(panel_window(p));
		wnoutrefresh(panel_window(p));
	}
	erase();
	clearok(curscr, TRUE);
	wnoutrefresh(stdscr);
	doupdate();
	/* the Linux console (no alternate screen) keeps what scrolled off
	 * in its scroll-back: E3 clears that where the terminal has it */
	e3 = tigetstr("E3");
	if (e3 && e3 != (char *)-1) {
		putp(e3);
		fflush(stdout);
	}
}

void
ui_lock(struct ui *ui, bool by_user)
{
	if (ui->view != VIEW_UNLOCK) {
		ui->locked_view = ui->view;
		ui->locked_row = ui->shown_row;
	}
	ui_reveal_clear(ui);
	for (int v = 0; v < VIEW_MAX; v++)
		if (views[v]->reset)
			views[v]->reset(ui);
	store_close(&ui->st);
	ui_glass_wipe();
	ui->lock_now = false;
	ui_switch(ui, VIEW_UNLOCK);
	if (by_user)
		ui_message(ui, ROLE_HINT, "%s",
		           _("Locked by the user: secrets wiped from memory."));
	else
		ui_message(ui, ROLE_HINT, _("Locked after %ld s idle: secrets wiped from memory."),
		           ui->lock_after);
}

void
ui_unlocked(struct ui *ui)
{
	enum ui_view_id v = ui->locked_view != VIEW_UNLOCK ? ui->locked_view : VIEW_DASH;

	ui->locked_view = VIEW_UNLOCK;
	ui_switch(ui, v);
	ui->restore_row = v != VIEW_DASH;
}

void
ui_switch(struct ui *ui, enum ui_view_id v)
{
	/* a revealed secret never follows the user to another screen */
	ui_reveal_clear(ui);
	ui->view = v;
	ui->msg[0] = '\0';
	ui->search[0] = '\0'; /* n and N add again until the next search */
	ui->shown_row = 0;
	ui->restore_row = false;
	if (views[v]->enter)
		views[v]->enter(ui);
	ui->dirty = true;
}

static bool
too_small(void)
{
	return COLS < MIN_COLS || LINES < MIN_LINES;
}

static void
draw_too_small(void)
{
	char buf[128];

	erase();
	snprintf(buf, sizeof buf, _("Terminal too small: %dx%d, need at least %dx%d."), COLS, LINES,
	         MIN_COLS, MIN_LINES);
	ui_put(0, 0, COLS, theme_attr(ROLE_ALERT), buf, false);
	ui_put(1, 0, COLS, A_NORMAL, _("Enlarge the window, or press Q to quit."), false);
	refresh();
}

static ui_actset
allowed_actions(const struct ui *ui)
{
	if (ui->view == VIEW_UNLOCK)
		return views[VIEW_UNLOCK]->actions;
	return global_actions | views[ui->view]->actions;
}

/* The key bar, as htop draws it: each F-key's number, then its label in
 * a colour of its own, and a blank between one key and the next, so no
 * two labels run together ("2Quadro3Host") in any language.  The labels
 * share the row: each gets the same width where they all fit (the bar
 * keeps its columns from screen to screen), a longer one what it needs;
 * when even that is too much, the longest ones are cut with '~'. */
static void
draw_fkeys(const struct ui *ui)
{
	ui_actset allowed = allowed_actions(ui);
	size_t n;
	const struct ui_binding *b = ui_bindings(&n);
	const char *label[11];
	int len[11], wid[11], avail = COLS - 9 /* the blanks between keys */, x = 0, most = 0;

	for (int f = 1; f <= 10; f++) {
		enum ui_action a = ACT_NONE;
		for (size_t i = 0; i < n; i++)
			if (b[i].key == KEY_F(f) && (allowed & ACTBIT(b[i].act)))
				a = b[i].act;
		label[f] = a ? _(ui_action_label(a)) : "";
		len[f] = ui_chars(label[f]);
		avail -= f < 10 ? 1 : 2; /* its number */
		if (len[f] > most)
			most = len[f];
	}
	/* every label whole, as even as the room allows (the largest t
	 * such that each takes t or its own length), the rest shared out */
	int t = -1, cut = -1;
	for (int u = most; u >= 0 && t < 0; u--) {
		int share = 0;
		for (int f = 1; f <= 10; f++)
			share += len[f] > u ? len[f] : u;
		if (share <= avail)
			t = u;
	}
	/* or the longest ones cut, the fewest columns taken from them */
	for (int c = most; t < 0 && c >= 0 && cut < 0; c--) {
		int sum = 0;
		for (int f = 1; f <= 10; f++)
			sum += len[f] < c ? len[f] : c;
		if (sum <= avail)
			cut = c;
	}
	for (int f = 1; f <= 10; f++) {
		if (t >= 0)
			wid[f] = len[f] > t ? len[f] : t;
		else
			wid[f] = cut > 0 && len[f] > cut ? cut : cut > 0 ? len[f] : 0;
		avail -= wid[f];
	}
	/* spare columns widen every label alike */
	for (int f = 1; f <= 10 && avail > 0; f++)
		wid[f] += avail / 10;
	move(LINES - 1, 0);
	attrset(A_NORMAL);
	clrtoeol();
	for (int f = 1; f <= 10 && x < COLS; f++) {
		char num[4], cell[256];
		snprintf(num, sizeof num, "%d", f);
		ui_put(LINES - 1, x, COLS - x, theme_attr(ROLE_FKEY), num, false);
		x += (int)strlen(num);
		if (wid[f] > 0 && x < COLS)
			ui_put(LINES - 1, x, COLS - x < wid[f] ? COLS - x : wid[f],
			       theme_attr(ROLE_FKEY_LABEL),
			       ui_cell(cell, sizeof cell, label[f], wid[f]), true);
		x += wid[f] + 1;
	}
}

/* The columns of s: its characters in a UTF-8 locale, else its bytes. */
static int
text_cols(const char *s)
{
	bool utf8 = theme_utf8();
	int n = 0;

	for (; *s; s++)
		n += !(utf8 && ((unsigned char)*s & 0xC0) == 0x80);
	return n;
}

size_t
ui_text_piece(const char *s, int width)
{
	bool utf8 = theme_utf8();
	size_t at = 0, space = 0;
	int n = 0;

	while (s[at]) {
		size_t next = at + 1;
		while (utf8 && ((unsigned char)s[next] & 0xC0) == 0x80)
			next++;
		if (n == width)
			return s[at] == ' ' || !space ? at : space;
		/* a word that does not fit goes whole to the next row (a
		 * host name after "Delete host"), not half of it */
		if (s[at] == ' ' && n > 0)
			space = at;
		at = next;
		n++;
	}
	return at;
}

int
ui_text_rows(const char *s, int width, size_t *cut, int max)
{
	int rows = 0;

	for (; *s && rows < max; rows++) {
		cut[rows] = rows == max - 1 ? strlen(s) : ui_text_piece(s, width);
		s += cut[rows];
		s += strspn(s, " ");
	}
	return rows;
}

void
ui_wput_rows(WINDOW *win, int y, int x, int width, int rows, int attr, const char *text, bool pad)
{
	size_t cut[16];
	int n = ui_text_rows(text, width, cut, rows < 16 ? rows : 16);

	for (int r = 0; r < rows; r++) {
		char row[512];
		snprintf(row, sizeof row, "%.*s", r < n ? (int)cut[r] : 0, text);
		if (r < n || pad)
			ui_wput(win, y + r, x, width, attr, row, pad);
		if (r < n) {
			text += cut[r];
			text += strspn(text, " ");
		}
	}
}

/* The bytes of the message line's next row: at most COLS characters,
 * cut at the last space that fits (or at COLS in a word longer). */
static size_t
msg_piece(const char *s)
{
	return ui_text_piece(s, COLS);
}

/* The rows the message takes: a long one wraps onto the lines above
 * the key bar (at most MSG_MAX_ROWS) rather than being cut. */
#define MSG_MAX_ROWS 4
static int
msg_rows(const struct ui *ui)
{
	const char *s = ui->msg;
	int rows = 0;

	do {
		s += msg_piece(s);
		s += strspn(s, " ");
		rows++;
	} while (*s && rows < MSG_MAX_ROWS);
	return rows;
}

static void
draw_msg(const struct ui *ui)
{
	const char *s = ui->msg;
	int rows = msg_rows(ui);

	for (int r = 0; r < rows; r++) {
		char line[sizeof ui->msg];
		size_t len = r == rows - 1 ? strlen(s) : msg_piece(s);
		snprintf(line, sizeof line, "%.*s", (int)len, s);
		ui_put(LINES - 1 - rows + r, 0, COLS, theme_attr(ui->msg_role), line, true);
		s += len;
		s += strspn(s, " ");
	}
}

static void
draw_frame(struct ui *ui)
{
	char title[160];

	snprintf(title, sizeof title, " passtore - %s", _(views[ui->view]->title));
	ui_put(0, 0, COLS, theme_attr(ROLE_TITLE), title, true);
	if (ui->demo_dir) {
		const char *d = _("[demo store]");
		ui_put(0, COLS - (int)strlen(d) - 1, (int)strlen(d), theme_attr(ROLE_TITLE), d,
		       false);
	}
	/* never a secret here: a revealed one shows in its own row only,
	 * and goes with that row */
	draw_msg(ui);
	draw_fkeys(ui);
}

void
ui_draw_frame(struct ui *ui)
{
	erase();
	if (!too_small())
		draw_frame(ui);
}

void
ui_draw(struct ui *ui)
{
	if (too_small()) {
		draw_too_small();
		return;
	}
	erase();
	views[ui->view]->draw(ui, 1, LINES - 2 - msg_rows(ui));
	draw_frame(ui);
	refresh();
	ui->dirty = false;
}

void
ui_box(int h, int w, int *y, int *x, const char *title)
{
	if (h > LINES)
		h = LINES;
	if (w > COLS)
		w = COLS;
	*y = (LINES - h) / 2;
	*x = (COLS - w) / 2;
	attrset(A_NORMAL);
	for (int r = 0; r < h; r++)
		mvhline(*y + r, *x, ' ', w);
	mvaddch(*y, *x, ACS_ULCORNER);
	mvhline(*y, *x + 1, ACS_HLINE, w - 2);
	mvaddch(*y, *x + w - 1, ACS_URCORNER);
	mvvline(*y + 1, *x, ACS_VLINE, h - 2);
	mvvline(*y + 1, *x + w - 1, ACS_VLINE, h - 2);
	mvaddch(*y + h - 1, *x, ACS_LLCORNER);
	mvhline(*y + h - 1, *x + 1, ACS_HLINE, w - 2);
	mvaddch(*y + h - 1, *x + w - 1, ACS_LRCORNER);
	if (title) {
		char t[128];
		snprintf(t, sizeof t, " %s ", title);
		ui_put(*y, *x + 2, w - 4, theme_attr(ROLE_TITLE), t, false);
	}
}

int
ui_getkey(struct ui *ui, int timeout_ms)
{
	int k;

	timeout(timeout_ms);
	k = getch();
	if (k != ERR) {
		ui->last_input_ms = ui_now_ms();
		if (k == KEY_RESIZE)
			ui->dirty = true;
	} else if (ui->st && ui->lock_after > 0 &&
	           ui_now_ms() - ui->last_input_ms >= ui->lock_after * 1000) {
		ui->lock_now = true;
	}
	return k;
}

bool
ui_waitkey(struct ui *ui, int *k)
{
	while ((*k = ui_getkey(ui, 100)) == ERR)
		if (ui->lock_now)
			return false;
	return true;
}

bool
ui_waitkey_cursor(struct ui *ui, int *k)
{
	bool got;

	curs_set(1);
	refresh();
	got = ui_waitkey(ui, k);
	curs_set(0);
	return got;
}

/* The yes of a y/n question: y, and the language's own letter (the
 * first of the translation of "y|...": Italian s, for si). */
static bool
is_yes_key(int k)
{
	/* TRANSLATORS: the first letter is the key that answers yes to a
	 * question that ends in "(y/n)"; keep the rest as a comment */
	const char *own = _("y|the key that answers yes");

	if (k == 'y' || k == 'Y')
		return true;
	return own[0] && own[0] != 'n' && own[0] != 'N' && (own[1] == '|' || !own[1]) &&
	       (k == (unsigned char)own[0] || k == toupper((unsigned char)own[0]));
}

int
ui_yes_no(int k)
{
	if (is_yes_key(k))
		return 1;
	if (k == 'n' || k == 'N' || k == 27 || k == KEY_F(10) || k == 'q')
		return 0;
	return -1;
}

/* Where a wrapped line's continuation starts: under the text after the
 * first run of two or more spaces ("F1 h     show the keys"), or 2. */
static int
wrap_indent(const char *s, int width)
{
	const char *p = strstr(s, "  ");

	if (p) {
		p += strspn(p, " ");
		if (*p && p - s < width / 2)
			return (int)(p - s);
	}
	return 2;
}

/* lines cut into pieces of at most width bytes, at spaces where there
 * is one: help, hints and records are read whole, never cut off. */
static char **
wrap_lines(const char *const *lines, size_t n, int width, size_t *nout)
{
	size_t cap = n + 8, k = 0;
	char **out = malloc(cap * sizeof *out);

	for (size_t i = 0; out && i < n; i++) {
		const char *s = lines[i];
		int indent = 0, ind = wrap_indent(s, width);
		do {
			int room = width - indent, len = (int)strlen(s), cut = len;
			if (len > room) {
				cut = room;
				while (cut > room / 2 && s[cut] != ' ')
					cut--;
				if (s[cut] != ' ')
					cut = room;
			}
			if (k + 1 >= cap) {
				char **o = realloc(out, (cap *= 2) * sizeof *o);
				if (!o)
					break;
				out = o;
			}
			if (asprintf(&out[k], "%*s%.*s", indent, "", cut, s) < 0)
				break;
			k++;
			s += cut;
			s += strspn(s, " ");
			indent = ind;
		} while (*s);
	}
	*nout = k;
	return out;
}

static void
free_lines(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void
popup(struct ui *ui, const char *title, const char *const *in, size_t nin, bool wrap)
{
	size_t first = 0;

	for (;;) {
		size_t n = 0;
		/* a table is cut (its columns stay aligned); text wraps */
		char **wrapped = wrap_lines(in, nin, wrap ? COLS - 12 : INT_MAX / 2, &n);
		const char *const *lines = (const char *const *)wrapped;
		int h = LINES - 4, w = COLS - 8, rows;
		if (h > (int)n + 3)
			h = (int)n + 3;
		if (h < 4)
			h = 4;
		rows = h - 3;
		WINDOW *win = wrapped ? ui_panel_open(h, w, title) : NULL;
		if (!win) {
			free_lines(wrapped, n);
			return;
		}
		int k = 0;
		bool got, resized = false;
		char hint[256], kb[4][16];
		/* the keys named as the help names them, in the user's language */
		snprintf(hint, sizeof hint, _("%s/%s/%s/%s scroll, any other key closes"),
		         ui_key_name(KEY_UP, kb[0], sizeof kb[0]),
		         ui_key_name(KEY_DOWN, kb[1], sizeof kb[1]),
		         ui_key_name(KEY_PPAGE, kb[2], sizeof kb[2]),
		         ui_key_name(KEY_NPAGE, kb[3], sizeof kb[3]));
		for (;;) {
			for (int r = 0; r < rows; r++)
				ui_wput(win, 1 + r, 2, w - 4, A_NORMAL,
				        first + (size_t)r < n ? lines[first + (size_t)r] : "",
				        true);
			ui_wput(win, h - 2, 2, w - 4, theme_attr(ROLE_HINT), hint, false);
			update_panels();
			doupdate();
			if (!(got = ui_waitkey(ui, &k)))
				break;
			if ((resized = k == KEY_RESIZE))
				break;
			enum ui_action a =
				ui_key_action(k, ACTBIT(ACT_UP) | ACTBIT(ACT_DOWN) |
			                                 ACTBIT(ACT_PGUP) | ACTBIT(ACT_PGDN));
			if (a == ACT_DOWN && first + (size_t)rows < n)
				first++;
			else if (a == ACT_UP && first > 0)
				first--;
			else if (a == ACT_PGDN && first + (size_t)rows < n)
				first += (size_t)rows;
			else if (a == ACT_PGUP)
				first = first > (size_t)rows ? first - (size_t)rows : 0;
			else if (a == ACT_NONE)
				break;
		}
		/* what was under the popup comes back from the panels */
		ui_panel_close(win);
		free_lines(wrapped, n);
		if (!resized)
			return;
		ui_draw(ui);
	}
}

void
ui_popup(struct ui *ui, const char *title, const char *const *lines, size_t n)
{
	popup(ui, title, lines, n, false);
}

void
ui_popup_wrap(struct ui *ui, const char *title, const char *const *lines, size_t n)
{
	popup(ui, title, lines, n, true);
}

/* The help screen: every binding of this screen, from the table. */
static void
show_help(struct ui *ui)
{
	ui_actset allowed = allowed_actions(ui);
	size_t n, nl = 0;
	const struct ui_binding *b = ui_bindings(&n);
	char **lines = calloc(ACT_MAX + 1, sizeof *lines);

	if (!lines)
		return;
	/* this screen's own actions first, then the global ones */
	for (int pass = 0; pass < 2; pass++)
		for (int a = 1; a < ACT_MAX; a++) {
			char keys[64] = "", kb[16], last[16] = "";
			int pad;
			if (!(allowed & ACTBIT(a)) || !(global_actions & ACTBIT(a)) != !pass)
				continue;
			for (size_t i = 0; i < n; i++)
				if (b[i].act == (enum ui_action)a) {
					const char *kn = ui_key_name(b[i].key, kb, sizeof kb);
					/* Enter, ^J and ^M are all "Enter": named once */
					if (strcmp(kn, last) == 0)
						continue;
					snprintf(last, sizeof last, "%s", kn);
					if (keys[0])
						strncat(keys, " ", sizeof keys - strlen(keys) - 1);
					strncat(keys, kn, sizeof keys - strlen(keys) - 1);
				}
			/* the help in one column, however many bytes an
			 * accented key name ("Giù") takes */
			pad = 18 - text_cols(keys);
			if (asprintf(&lines[nl], "%s%*s %s", keys, pad > 0 ? pad : 0, "",
			             _(ui_action_help(a))) < 0)
				break;
			nl++;
		}
	char title[128];
	snprintf(title, sizeof title, _("Keys of %s"), _(views[ui->view]->title));
	ui_popup_wrap(ui, title, (const char *const *)lines, nl);
	for (size_t i = 0; i < nl; i++)
		free(lines[i]);
	free(lines);
}

static bool prompt(struct ui *ui, const char *label, char *buf, size_t len, bool masked,
                   void (*changed)(struct ui *ui, const char *buf, void *ud), void *ud);

bool
ui_prompt(struct ui *ui, const char *label, char *buf, size_t len, bool masked)
{
	return prompt(ui, label, buf, len, masked, NULL, NULL);
}

bool
ui_prompt_live(struct ui *ui, const char *label, char *buf, size_t len,
               void (*changed)(struct ui *ui, const char *buf, void *ud), void *ud)
{
	return prompt(ui, label, buf, len, false, changed, ud);
}

/* Whether another key is already waiting: keys that come faster than a
 * live prompt's work (a paste, a fast typist, a KVM's buffered keys) are
 * taken together, and the work done once, for the last of them. */
static bool
key_pending(void)
{
	int c;

	timeout(0);
	c = getch();
	if (c == ERR)
		return false;
	ungetch(c);
	return true;
}

static bool
prompt(struct ui *ui, const char *label, char *buf, size_t len, bool masked,
       void (*changed)(struct ui *ui, const char *buf, void *ud), void *ud)
{
	size_t n = strlen(buf);
	bool utf8 = theme_utf8(), dropping = false, pending_change = false;

	for (;;) {
		/* the line is drawn when no key waits (see key_pending) */
		if (!key_pending()) {
			int y = LINES - 2, lw = text_cols(label), room = COLS - 1 - lw;
			ui_draw(ui);
			/* a line longer than the room after the label takes the whole
			 * row, the label on the row above (a fingerprint is read whole
			 * after the longest label) */
			if (room < text_cols(buf) && lw > 0 && LINES > 4) {
				ui_put(y - 1, 0, COLS, theme_attr(ROLE_HINT), label, true);
				ui_put(y, 0, COLS, A_NORMAL, "", true);
				lw = 0;
				room = COLS - 1;
			} else {
				ui_put(y, 0, COLS, theme_attr(ROLE_HINT), label, true);
			}
			move(y, lw);
			/* longer still, it shows its end, after a '<': what is typed
			 * is always seen (a column a character) */
			const char *from = buf;
			if (room > 1 && text_cols(buf) > room) {
				int skip = text_cols(buf) - (room - 1);
				while (skip > 0 && *from) {
					from++;
					while (utf8 && ((unsigned char)*from & 0xC0) == 0x80)
						from++;
					skip--;
				}
				addch('<');
			}
			for (const char *p = from; *p; p++)
				if (!(masked && utf8 && ((unsigned char)*p & 0xC0) == 0x80))
					addch(masked ? '*' : (chtype)(unsigned char)*p);
		}
		int k;
		if (!ui_waitkey_cursor(ui, &k))
			return false;
		if (k == 27 || k == KEY_F(10))
			return false;
		if (k == '\n' || k == '\r' || k == KEY_ENTER)
			return true;
		size_t was = n;
		if (k == ('u' & 0x1f))
			buf[n = 0] = '\0';
		else if ((k == KEY_BACKSPACE || k == 127 || k == 8) && n > 0) {
			/* a whole character, not its last byte */
			while (utf8 && n > 1 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
				n--;
			buf[--n] = '\0';
		} else if (k >= 32 && k < 256 && k != 127) {
			/* a character that does not fit whole is left out whole */
			size_t need = 1;
			if (utf8 && (k & 0xC0) == 0x80) {
				need = dropping ? len : 1;
			} else if (utf8 && k >= 0xC0) {
				need = k >= 0xF0 ? 4 : k >= 0xE0 ? 3 : 2;
				dropping = n + need >= len;
			} else {
				dropping = false;
			}
			if (n + need < len) {
				buf[n++] = (char)k;
				buf[n] = '\0';
			}
		}
		if (n != was)
			pending_change = true;
		if (changed && pending_change && !key_pending()) {
			pending_change = false;
			changed(ui, buf, ud);
		}
	}
}

bool
ui_confirm(struct ui *ui, const char *question)
{
	char q[sizeof ui->msg];

	snprintf(q, sizeof q, _("%s (y/n) "), question);
	for (;;) {
		ui_draw_question(ui, q);
		int k, yes;
		if (!ui_waitkey(ui, &k))
			return false;
		if ((yes = ui_yes_no(k)) >= 0)
			return yes;
	}
}

void
ui_draw_question(struct ui *ui, const char *q)
{
	char msg[sizeof ui->msg];
	enum theme_role role = ui->msg_role;

	/* the message rows wrap it and the screen above gives them room */
	memcpy(msg, ui->msg, sizeof msg);
	snprintf(ui->msg, sizeof ui->msg, "%s", q);
	ui->msg_role = ROLE_ALERT;
	ui_draw(ui);
	memcpy(ui->msg, msg, sizeof msg);
	ui->msg_role = role;
	/* what is under the question is drawn again after the answer */
	ui->dirty = true;
}

static void dispatch(struct ui *ui, enum ui_action a, int key);

/* The menu only chooses; the chosen action runs as if its key was pressed. */
static void
run_menu(struct ui *ui)
{
	enum ui_action a = ui_menu(ui, allowed_actions(ui) & ~ACTBIT(ACT_MENU));

	if (a != ACT_NONE) {
		ui->dirty = true;
		dispatch(ui, a, 0);
	}
}

static void
dispatch(struct ui *ui, enum ui_action a, int key)
{
	if (ui->view != VIEW_UNLOCK) {
		switch (a) {
		case ACT_HELP: show_help(ui); return;
		case ACT_MENU: run_menu(ui); return;
		case ACT_LOCK: ui_lock(ui, true); return;
		case ACT_QUIT: ui->quit = true; return;
		case ACT_REFRESH:
			clearok(curscr, TRUE);
			if (views[ui->view]->enter)
				views[ui->view]->enter(ui);
			ui->dirty = true;
			return;
		case ACT_DASH: ui_switch(ui, VIEW_DASH); return;
		case ACT_HOSTS: ui_switch(ui, VIEW_HOSTS); return;
		case ACT_PASSWORDS: ui_switch(ui, VIEW_PASSWORDS); return;
		case ACT_TRANSFERS: ui_switch(ui, VIEW_TRANSFERS); return;
		case ACT_AUDIT: ui_switch(ui, VIEW_AUDIT); return;
		case ACT_CERTS: ui_switch(ui, VIEW_CERTS); return;
		case ACT_GRID: ui_switch(ui, VIEW_GRID); return;
		case ACT_SETTINGS: ui_switch(ui, VIEW_SETTINGS); return;
		case ACT_CAS: ui_switch(ui, VIEW_CAS); return;
		default: break;
		}
		/* a screen may handle a global action itself (e.g. push on the
		 * Grid screen); otherwise the generic one runs */
		if ((a >= ACT_ADDHOST && a <= ACT_ESCROW) || a == ACT_FIRSTSTEPS) {
			if (views[ui->view]->handle(ui, a, key)) {
				ui->dirty = true;
				return;
			}
			const char *host = views[ui->view]->context_host
			                           ? views[ui->view]->context_host(ui)
			                           : NULL;
			if (ui_run_action(ui, a, host))
				ui->dirty = true;
			return;
		}
	}
	if (views[ui->view]->handle(ui, a, key)) {
		ui->dirty = true;
		return;
	}
	if (a == ACT_BACK) {
		if (ui->view == VIEW_DASH && key == 27)
			return; /* a stray Escape never ends the session */
		if (ui->view == VIEW_DASH || ui->view == VIEW_UNLOCK)
			ui->quit = true;
		else
			ui_switch(ui, VIEW_DASH);
	}
}

/* SIGHUP (the KVM link went away), SIGTERM, SIGINT: leave through the
 * main flow, so that secrets are wiped and the demo store removed. */
static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

/* --lock-after, or -1: the store's ui.lock_after, read at each unlock */
static long lock_after_opt = -1;

static void
read_lock_after(struct ui *ui)
{
	struct pt_err err = { 0 };
	long v;

	if (lock_after_opt >= 0)
		ui->lock_after = lock_after_opt;
	else if (settings_get_long(ui->st, "ui.lock_after", &v, &err) == PT_OK && v >= 0)
		ui->lock_after = v;
	else
		ui->lock_after = DEFAULT_LOCK_AFTER;
}

static void
run(struct ui *ui)
{
	bool unlocked = false;

	/* a store created at the first start opens on its dashboard */
	ui_switch(ui, ui->st ? VIEW_DASH : VIEW_UNLOCK);
	if (ui->st) {
		ui_draw(ui);
		ui_first_steps(ui);
	}
	while (!ui->quit && !stop_signal) {
		if (!ui->st != !unlocked) {
			unlocked = ui->st != NULL;
			if (unlocked)
				read_lock_after(ui);
		}
		if (ui->lock_now)
			ui_lock(ui, false);
		if (ui->reveal && ui_now_ms() >= ui->reveal_until_ms) {
			ui_reveal_clear(ui);
			ui_message(ui, ROLE_HINT, "%s", _("Secret hidden again."));
		}
		if (ui->dirty)
			ui_draw(ui);
		int k = ui_getkey(ui, 100);
		if (k == ERR) {
			if (views[ui->view]->tick && views[ui->view]->tick(ui))
				ui->dirty = true;
			continue;
		}
		if (k == KEY_RESIZE)
			continue;
		if (too_small()) {
			if (k == 'Q' || k == 'q' || k == KEY_F(10))
				ui->quit = true;
			continue;
		}
		/* a message is about the last key: the next one takes it away
		 * (the unlock screen keeps why it came) */
		if (ui->view != VIEW_UNLOCK && ui->msg[0]) {
			ui->msg[0] = '\0';
			ui->dirty = true;
		}
		enum ui_action a = ui_key_action(k, allowed_actions(ui));
		/* once a search is on, n and N find its matches (tig, less) */
		if (ui->search[0] && (k == 'n' || k == 'N') &&
		    (allowed_actions(ui) & ACTBIT(ACT_NEXT)))
			a = k == 'n' ? ACT_NEXT : ACT_PREV;
		dispatch(ui, a, k);
	}
}

/* ---- options, set-up and tear-down ---- */

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int
ui_main(const struct pt_args *o)
{
	struct ui ui = { 0 };
	struct pt_err err = { 0 };

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "passtore: %s\n", _("the console needs a terminal"));
		return 2;
	}
	lock_after_opt = o->lock_after;
	ui.lock_after = o->lock_after >= 0 ? o->lock_after : DEFAULT_LOCK_AFTER;
	ui.reveal_secs = o->reveal >= 0 ? o->reveal : DEFAULT_REVEAL;
	if (o->demo) {
		if (demo_create(&ui.demo_dir, &ui.path, &err) != PT_OK) {
			fprintf(stderr, "passtore: %s\n", pt_err_text(&err));
			return 1;
		}
	} else {
		ui.path = o->db ? strdup(o->db) : store_default_path();
		if (!ui.path)
			return 1;
		/* a FIFO or a directory is refused now, not after the unlock screen */
		if (pt_args_check_store(ui.path, &err) != PT_OK) {
			fprintf(stderr, "passtore: %s\n", pt_err_text(&err));
			free(ui.path);
			return pt_status_exit(err.status);
		}
	}
	set_escdelay(25);
	if (!initscr()) {
		fprintf(stderr, "passtore: %s\n", _("cannot start the console"));
		return 1;
	}
	theme_init(o->mono);
	theme_lines();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	ui.last_input_ms = ui_now_ms();
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* no store at the path: the first start offers to create one */
	if (!o->demo && access(ui.path, F_OK) != 0 && errno == ENOENT && !ui_first_start(&ui)) {
		ui_glass_wipe();
		endwin();
		fprintf(stderr, "passtore: %s\n", _("no store was created"));
		free(ui.path);
		return 0;
	}
	run(&ui);
	ui_reveal_clear(&ui);
	for (int v = 0; v < VIEW_MAX; v++)
		if (views[v]->reset)
			views[v]->reset(&ui);
	store_close(&ui.st);
	ui_glass_wipe();
	endwin();
	if (ui.demo_dir) {
		nftw(ui.demo_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
		free(ui.demo_dir);
	}
	free(ui.path);
	return stop_signal ? 128 + stop_signal : 0;
}

/* ui-files.c - the file chooser and the Tab completion of the console's
 * path fields (files.h).  The chooser opens on the places (removable
 * media first, then the field's directory and the working directory),
 * lists a directory with directories first, sizes and dates, filters as
 * the user types, and for a field of several files marks them with
 * Space.  A directory is read with a bound (filelist.c) and the screen
 * says when it was cut.  No store, no secret. */
#include "config.h"

#include <curses.h>
#include <limits.h>
#include <panel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "ui/app.h"
#include "ui/filelist.h"
#include "ui/files.h"

#define MARK_MAX 64
#define CH_PATH 4096

enum ch_row { ROW_PLACE, ROW_UP, ROW_HERE, ROW_ENTRY };

struct chooser {
	enum ui_file_kind kind;
	bool places; /* the list of places, not a directory */
	char dir[CH_PATH];
	char filter[128];
	struct fl_list l;
	char *pl[FL_PLACES_MAX];
	size_t npl;
	size_t cur, top;
	char *marks[MARK_MAX];
	size_t nmarks;
	char note[256];
	WINDOW *win;
};

static size_t
ch_extra(const struct chooser *c)
{
	return c->places ? 0 : 1 + (c->kind == UI_FILE_SAVE || c->kind == UI_FILE_DIR);
}

static size_t
ch_rows(const struct chooser *c)
{
	return c->places ? c->npl : ch_extra(c) + c->l.n;
}

static enum ch_row
ch_row(const struct chooser *c, size_t i, size_t *idx)
{
	*idx = i;
	if (c->places)
		return ROW_PLACE;
	if (i == 0)
		return ROW_UP;
	if (i == 1 && ch_extra(c) == 2)
		return ROW_HERE;
	*idx = i - ch_extra(c);
	return ROW_ENTRY;
}

static void
ch_join(const char *dir, const char *name, char *out, size_t len)
{
	size_t dl = strlen(dir);

	snprintf(out, len, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);
}

static bool
ch_marked(const struct chooser *c, const char *path, size_t *at)
{
	for (size_t i = 0; i < c->nmarks; i++)
		if (!strcmp(c->marks[i], path)) {
			if (at)
				*at = i;
			return true;
		}
	return false;
}

static void
ch_load(struct chooser *c)
{
	fl_free(&c->l);
	c->note[0] = '\0';
	if (!fl_read(c->dir, c->filter, true, c->kind == UI_FILE_DIR, 0, &c->l))
		snprintf(c->note, sizeof c->note, "%s", _("Out of memory."));
	else if (c->l.err)
		snprintf(c->note, sizeof c->note, _("Cannot read this directory: %s"),
		         strerror(c->l.err));
	else if (c->l.truncated)
		snprintf(c->note, sizeof c->note,
		         _("Only the first %d entries are shown: type to filter."), FL_KEEP_MAX);
	if (c->cur >= ch_rows(c))
		c->cur = ch_rows(c) ? ch_rows(c) - 1 : 0;
}

static void
ch_open(struct chooser *c, const char *dir)
{
	char buf[CH_PATH];

	snprintf(buf, sizeof buf, "%s", dir);
	if (!realpath(dir, c->dir))
		snprintf(c->dir, sizeof c->dir, "%s", buf);
	c->places = false;
	c->filter[0] = '\0';
	c->cur = c->top = 0;
	ch_load(c);
}

/* Backspace: the parent, with the cursor on where we came from; from
 * the root, the places. */
static void
ch_up(struct chooser *c)
{
	char from[CH_PATH];
	char *slash = strrchr(c->dir, '/');

	if (!strcmp(c->dir, "/") || !slash) {
		c->places = true;
		c->cur = c->top = 0;
		c->note[0] = '\0';
		return;
	}
	snprintf(from, sizeof from, "%s", slash + 1);
	if (slash == c->dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	c->filter[0] = '\0';
	c->cur = c->top = 0;
	ch_load(c);
	for (size_t i = 0; i < c->l.n; i++)
		if (!strcmp(c->l.e[i].name, from))
			c->cur = i + ch_extra(c);
}

/* One line of the list: mark, name, size, date. */
static void
ch_line(const struct chooser *c, size_t i, char *out, size_t len, int namew)
{
	size_t idx;
	enum ch_row r = ch_row(c, i, &idx);
	char name[CH_PATH], size[16] = "", date[32] = "", path[CH_PATH * 2];
	bool mark = false;

	if (r == ROW_PLACE) {
		snprintf(out, len, "  %s", c->pl[idx]);
		return;
	}
	if (r == ROW_UP) {
		snprintf(out, len, "  %s", _("../  (up)"));
		return;
	}
	if (r == ROW_HERE) {
		snprintf(out, len, "  %s",
		         c->kind == UI_FILE_DIR ? _("[ choose this directory ]")
		                                : _("[ save here: the name typed as filter ]"));
		return;
	}
	const struct fl_entry *e = &c->l.e[idx];
	snprintf(name, sizeof name, "%s%s", e->name, e->dir ? "/" : e->broken ? " (?)" : "");
	fl_size_text(e->size, size, sizeof size);
	if (e->mtime) {
		struct tm tm;
		if (localtime_r(&e->mtime, &tm))
			strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
	}
	ch_join(c->dir, e->name, path, sizeof path);
	mark = ch_marked(c, path, NULL);
	snprintf(out, len, "%c %-*.*s %7s %16s", mark ? '*' : ' ', namew, namew, name, size, date);
}

static void
ch_draw(struct chooser *c)
{
	int h = getmaxy(c->win), w = getmaxx(c->win), rows = h - 6, namew = w - 4 - 2 - 25;
	char line[CH_PATH * 2], head[CH_PATH + 64];
	const char *hint;

	if (rows < 1)
		return;
	if (c->cur < c->top)
		c->top = c->cur;
	if (c->cur >= c->top + (size_t)rows)
		c->top = c->cur - (size_t)rows + 1;
	if (c->places)
		snprintf(head, sizeof head, "%s", _("Places (removable media first):"));
	else
		snprintf(head, sizeof head, "%s", c->dir);
	ui_wput(c->win, 1, 2, w - 4, A_BOLD, head, true);
	for (int y = 0; y < rows; y++) {
		size_t i = c->top + (size_t)y;
		line[0] = '\0';
		if (i < ch_rows(c))
			ch_line(c, i, line, sizeof line, namew > 8 ? namew : 8);
		ui_wput(c->win, 2 + y, 2, w - 4,
		        i == c->cur && i < ch_rows(c) ? theme_attr(ROLE_SELECTED) : (int)A_NORMAL,
		        line, true);
	}
	if (c->note[0])
		snprintf(line, sizeof line, "%s", c->note);
	else if (c->nmarks)
		snprintf(line, sizeof line, _("Filter: %s   %zu marked"), c->filter, c->nmarks);
	else
		snprintf(line, sizeof line, _("Filter: %s"), c->filter);
	ui_wput(c->win, h - 4, 2, w - 4, c->note[0] ? theme_attr(ROLE_ALERT) : (int)A_NORMAL, line,
	        true);
	hint = c->kind == UI_FILE_OPEN_MANY
	               ? _("Enter: open/choose  Space: mark  Backspace: up  Esc: cancel")
	               : _("Enter: open/choose  Backspace: up  Esc: cancel");
	ui_wput(c->win, h - 3, 2, w - 4, theme_attr(ROLE_HINT), hint, true);
	ui_wput(c->win, h - 2, 2, w - 4, theme_attr(ROLE_HINT),
	        c->places ? "" : _("Typing filters, ^U clears  Up/Down, PgUp/PgDn: move"), true);
	update_panels();
	doupdate();
}

/* The result into the caller's buffer: the path, or for a field of
 * several the marked paths escaped and separated by spaces. */
static bool
ch_give(struct chooser *c, const char *path, char *buf, size_t len)
{
	char tmp[CH_PATH * 2];

	if (c->kind != UI_FILE_OPEN_MANY || !c->nmarks) {
		if (c->kind == UI_FILE_OPEN_MANY ? !fl_escape(path, tmp, sizeof tmp)
		                                 : !fl_typable(path) || strlen(path) >= sizeof tmp)
			goto bad;
		if (c->kind != UI_FILE_OPEN_MANY)
			snprintf(tmp, sizeof tmp, "%s", path);
		if (strlen(tmp) >= len)
			goto long_;
		snprintf(buf, len, "%s", tmp);
		return true;
	}
	size_t o = 0;
	char *out = calloc(1, len);
	if (!out)
		return false;
	for (size_t i = 0; i < c->nmarks; i++) {
		if (!fl_escape(c->marks[i], tmp, sizeof tmp)) {
			free(out);
			goto bad;
		}
		if (o + strlen(tmp) + 2 > len) {
			free(out);
			goto long_;
		}
		o += (size_t)snprintf(out + o, len - o, "%s%s", o ? " " : "", tmp);
	}
	snprintf(buf, len, "%s", out);
	free(out);
	return true;
bad:
	snprintf(c->note, sizeof c->note, "%s",
	         _("This name holds a control character: it cannot go into the field."));
	return false;
long_:
	snprintf(c->note, sizeof c->note, "%s", _("Too long for the field: choose fewer files."));
	return false;
}

static void
ch_toggle(struct chooser *c)
{
	size_t idx, at;
	char path[CH_PATH * 2];

	if (ch_row(c, c->cur, &idx) != ROW_ENTRY || c->l.e[idx].dir)
		return;
	ch_join(c->dir, c->l.e[idx].name, path, sizeof path);
	if (ch_marked(c, path, &at)) {
		free(c->marks[at]);
		c->marks[at] = c->marks[--c->nmarks];
	} else if (c->nmarks < MARK_MAX && (c->marks[c->nmarks] = strdup(path))) {
		c->nmarks++;
	}
	if (c->cur + 1 < ch_rows(c))
		c->cur++;
}

/* Enter: true when something was chosen into buf. */
static bool
ch_enter(struct chooser *c, char *buf, size_t len)
{
	size_t idx;
	char path[CH_PATH * 2];

	if (!ch_rows(c))
		return false;
	switch (ch_row(c, c->cur, &idx)) {
	case ROW_PLACE: ch_open(c, c->pl[idx]); return false;
	case ROW_UP: ch_up(c); return false;
	case ROW_HERE:
		if (c->kind == UI_FILE_SAVE)
			ch_join(c->dir, c->filter, path, sizeof path);
		else
			snprintf(path, sizeof path, "%s", c->dir);
		return ch_give(c, path, buf, len);
	case ROW_ENTRY: break;
	}
	ch_join(c->dir, c->l.e[idx].name, path, sizeof path);
	if (c->l.e[idx].dir) {
		ch_open(c, path);
		return false;
	}
	return ch_give(c, path, buf, len);
}

static void
ch_filter_key(struct chooser *c, int k)
{
	size_t l = strlen(c->filter);

	if (k == 21) {
		c->filter[0] = '\0';
	} else if (k == KEY_BACKSPACE || k == 127 || k == 8) {
		while (l > 0 && ((unsigned char)c->filter[l - 1] & 0xC0) == 0x80)
			c->filter[--l] = '\0';
		if (l > 0)
			c->filter[--l] = '\0';
	} else if (l + 1 < sizeof c->filter) {
		c->filter[l] = (char)k;
		c->filter[l + 1] = '\0';
	}
	ch_load(c);
	/* on the first match, not on "..": Enter picks it */
	c->cur = c->l.n ? ch_extra(c) : 0;
}

/* A key that moves the cursor; false when k is not one. */
static bool
ch_move(struct chooser *c, int k)
{
	size_t n = ch_rows(c), page = (size_t)(getmaxy(c->win) - 6);

	if (k == KEY_UP && c->cur > 0)
		c->cur--;
	else if (k == KEY_DOWN && c->cur + 1 < n)
		c->cur++;
	else if (k == KEY_PPAGE)
		c->cur = c->cur > page ? c->cur - page : 0;
	else if (k == KEY_NPAGE)
		c->cur = n && c->cur + page < n ? c->cur + page : n ? n - 1 : 0;
	else if (k == KEY_HOME)
		c->cur = 0;
	else if (k == KEY_END)
		c->cur = n ? n - 1 : 0;
	else
		return k == KEY_UP || k == KEY_DOWN;
	return true;
}

static const char *
ch_title(enum ui_file_kind kind)
{
	switch (kind) {
	case UI_FILE_OPEN_MANY: return _("Choose files");
	case UI_FILE_SAVE: return _("Save as");
	case UI_FILE_DIR: return _("Choose a directory");
	default: return _("Choose a file");
	}
}

static void
ch_free(struct chooser *c)
{
	fl_free(&c->l);
	for (size_t i = 0; i < c->npl; i++)
		free(c->pl[i]);
	for (size_t i = 0; i < c->nmarks; i++)
		free(c->marks[i]);
	ui_panel_close(c->win);
}

bool
ui_files_choose(struct ui *ui, enum ui_file_kind kind, char *buf, size_t len)
{
	struct chooser *c = calloc(1, sizeof *c);
	char cur[CH_PATH];
	bool done = false;

	if (!c)
		return false;
	c->kind = kind;
	c->places = true;
	/* the field's last path is where the user was */
	if (kind == UI_FILE_OPEN_MANY) {
		size_t n;
		char **v = fl_split(buf + fl_last_word(buf), &n);
		snprintf(cur, sizeof cur, "%s", v && n ? v[0] : "");
		fl_split_free(v);
	} else {
		snprintf(cur, sizeof cur, "%s", buf);
	}
	c->npl = fl_places(cur, c->pl, FL_PLACES_MAX);
	if (!(c->win = ui_panel_open(LINES, COLS, ch_title(kind)))) {
		ch_free(c);
		free(c);
		return false;
	}
	for (;;) {
		int k;
		ch_draw(c);
		if (!ui_waitkey(ui, &k) || k == 27 || k == KEY_F(10))
			break;
		if (k == KEY_RESIZE) {
			ui_panel_close(c->win);
			if (!(c->win = ui_panel_open(LINES, COLS, ch_title(kind))))
				break;
		} else if (ch_move(c, k)) {
			c->note[0] = c->l.truncated || c->places ? c->note[0] : '\0';
		} else if (k == '\r' || k == '\n' || k == KEY_ENTER) {
			if ((done = ch_enter(c, buf, len)))
				break;
		} else if (k == ' ' && kind == UI_FILE_OPEN_MANY && !c->places) {
			ch_toggle(c);
		} else if ((k == KEY_BACKSPACE || k == 127 || k == 8) && !c->filter[0]) {
			if (!c->places)
				ch_up(c);
		} else if (!c->places && (k == 21 || k == KEY_BACKSPACE || k == 127 || k == 8 ||
		                          (k >= 32 && k < 256 && k != 127))) {
			ch_filter_key(c, k);
		}
	}
	ch_free(c);
	free(c);
	return done;
}

/* The candidates of a second Tab, in a small box. */
static void
show_candidates(struct ui *ui, const struct fl_list *l)
{
	size_t max = LINES > 10 ? (size_t)LINES - 8 : 2, n = l->n < max ? l->n : max, k = 0;
	char **lines = calloc(n + 1, sizeof *lines);

	if (!lines)
		return;
	for (size_t i = 0; i < n; i++)
		if (asprintf(&lines[k], "%s%s", l->e[i].name, l->e[i].dir ? "/" : "") >= 0)
			k++;
	if ((l->n > n || l->truncated) &&
	    (lines[k] = strdup(_("... and more: type more of the name"))))
		k++;
	ui_popup(ui, _("Candidates"), (const char *const *)lines, k);
	for (size_t i = 0; i < k; i++)
		free(lines[i]);
	free(lines);
}

bool
ui_files_complete(struct ui *ui, enum ui_file_kind kind, char *buf, size_t len, bool list,
                  size_t *n)
{
	size_t start = kind == UI_FILE_OPEN_MANY ? fl_last_word(buf) : 0;
	char typed[CH_PATH] = "", out[CH_PATH], esc[CH_PATH * 2];
	struct fl_list cands;
	bool changed = false;

	if (kind == UI_FILE_OPEN_MANY) {
		size_t k;
		char **v = fl_split(buf + start, &k);
		snprintf(typed, sizeof typed, "%s", v && k ? v[0] : "");
		fl_split_free(v);
	} else {
		snprintf(typed, sizeof typed, "%s", buf);
	}
	*n = fl_complete(typed, kind == UI_FILE_DIR, out, sizeof out, &cands);
	if (strcmp(out, typed) != 0) {
		bool fits = kind == UI_FILE_OPEN_MANY ? fl_escape(out, esc, sizeof esc)
		                                      : snprintf(esc, sizeof esc, "%s", out) > 0;
		if (fits && start + strlen(esc) < len) {
			snprintf(buf + start, len - start, "%s", esc);
			changed = true;
		}
	} else if (list && *n > 1) {
		show_candidates(ui, &cands);
	}
	fl_free(&cands);
	return changed;
}

/* form.c - a boxed form on libform: labelled fields, a message in place,
 * nothing stored until the submit callback accepts it.
 *
 * The caller's struct ui_field buffers stay the truth between keys that
 * matter: they are read back from libform before a choice's changed()
 * callback and before submit, and written into libform again when the
 * callback changed them. */
#include "config.h"

#include <curses.h>
#include <form.h>
#include <panel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "ui/app.h"
#include "ui/files.h"
#include "ui/form.h"

#define LABEL_W 14

static const struct ui_choice *
choice_of(const struct ui_choice *ch, size_t nch, size_t field)
{
	for (size_t i = 0; i < nch; i++)
		if (ch[i].field == field && ch[i].n)
			return &ch[i];
	return NULL;
}

/* One open form: a boxed window on a panel, the form in a derived window
 * of it, and for each of the caller's fields a label, an input and a hint
 * field. */
struct fm {
	struct ui_field *f;
	size_t n;
	const struct ui_choice *ch;
	size_t nch;
	WINDOW *win, *sub;
	FIELD **all;  /* 3 * n + 1, NULL-terminated as new_form wants */
	FIELD **in;   /* the inputs, in the caller's order */
	FIELD **hint; /* their hints (NULL: none) */
	FORM *form;
	int h, w;
	int lw;       /* the label column: the longest label and a blank, LABEL_W at least */
	int key_rows; /* the rows of the keys' hint under the message (keys_hint) */
};

bool
ui_form(struct ui *ui, const char *title, struct ui_field *f, size_t n, ui_form_submit submit,
        void *ud)
{
	return ui_form_choices(ui, title, f, n, NULL, 0, submit, ud);
}

/* A choice field shows "< value >": the arrows say it cycles. */
static void
show_choice(struct fm *m, size_t i)
{
	char c[160];

	snprintf(c, sizeof c, "< %s >", m->f[i].buf);
	set_field_buffer(m->in[i], 0, c);
}

/* libform pads a buffer with blanks: what was typed is the text without
 * them (a secret cannot end in a blank here). */
static void
read_field(struct fm *m, size_t i)
{
	const char *b = field_buffer(m->in[i], 0);
	size_t l = b ? strlen(b) : 0;

	while (l > 0 && b[l - 1] == ' ')
		l--;
	if (l >= m->f[i].len)
		l = m->f[i].len - 1;
	memcpy(m->f[i].buf, b, l);
	m->f[i].buf[l] = '\0';
}

/* Every typed field back into the caller's buffers (libform's buffer of
 * the current field is brought up to date by REQ_VALIDATION first). */
static void
read_fields(struct fm *m)
{
	form_driver(m->form, REQ_VALIDATION);
	for (size_t i = 0; i < m->n; i++)
		if (!choice_of(m->ch, m->nch, i) && !m->f[i].masked)
			read_field(m, i);
}

/* Secrets typed into a masked field live in libform's buffer: once they
 * are in the caller's secure buffer, the field is set to "".  What this
 * cannot reach stays in ncurses' own heap until it is reused: the
 * blocks a growing (dynamic) field left behind when it was reallocated,
 * ncursesw's multibyte copy that field_buffer() returned, the cells of
 * the field's window and the cells of curscr (blanks there, the field is
 * not O_PUBLIC).  libform has no hook to wipe those. */
static void
wipe_masked(struct fm *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->f[i].masked)
			set_field_buffer(m->in[i], 0, "");
}

static void
destroy(struct fm *m)
{
	if (m->form) {
		unpost_form(m->form);
		free_form(m->form);
	}
	if (m->all)
		for (size_t i = 0; m->all[i]; i++)
			free_field(m->all[i]);
	free(m->all);
	free(m->in);
	free(m->hint);
	if (m->sub)
		delwin(m->sub);
	/* what was under the form comes back from the panels */
	ui_panel_close(m->win);
	m->form = NULL;
	m->all = m->in = m->hint = NULL;
	m->sub = m->win = NULL;
}

static FIELD *
static_text(int row, int col, int width, const char *text, int attr)
{
	FIELD *t = new_field(1, width, row, col, 0, 0);

	if (!t)
		return NULL;
	field_opts_off(t, O_ACTIVE | O_EDIT);
	set_field_fore(t, (chtype)attr);
	set_field_back(t, (chtype)attr);
	set_field_buffer(t, 0, text ? text : "");
	return t;
}

/* Bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t
char_len(const char *s)
{
	size_t k = 1;

	while (((unsigned char)s[k] & 0xC0) == 0x80)
		k++;
	return k;
}

/* A hint wrapped at spaces (and at its own newlines) into lines of width
 * characters (not bytes: an Italian accent takes one cell, and libform
 * lays a several-row buffer out by cells), each padded to it, in one
 * buffer for a field of that many rows (a long hint, such as the host
 * key's, is read whole, never cut); its rows, at most max. */
static int
hint_wrap(const char *s, int width, char *out, size_t outlen, int max)
{
	int rows = 0;
	size_t at = 0;

	out[0] = '\0';
	while (*s && rows < max) {
		size_t b = 0, sp = 0;
		int c = 0, sp_c = 0;

		while (s[b] && s[b] != '\n' && c < width) {
			if (s[b] == ' ' && c > width / 2) {
				sp = b;
				sp_c = c;
			}
			b += char_len(s + b);
			c++;
		}
		if (s[b] && s[b] != '\n' && s[b] != ' ' && sp) {
			b = sp; /* the last space that keeps half the line */
			c = sp_c;
		}
		if (at + b + (size_t)(width - c) + 1 > outlen)
			break;
		memcpy(out + at, s, b);
		at += b;
		memset(out + at, ' ', (size_t)(width - c));
		at += (size_t)(width - c);
		out[at] = '\0';
		rows++;
		s += b;
		s += strspn(s, " \n");
	}
	return rows;
}

#define HINT_ROWS 3

/* The rows of field i: its input, then its hint (one row at least). */
static int
field_rows(const struct fm *m, size_t i, int fw)
{
	char buf[HINT_ROWS * 480];
	int r = m->f[i].hint && fw < 160 ? hint_wrap(m->f[i].hint, fw, buf, sizeof buf, HINT_ROWS)
	                                 : 1;

	return 1 + (r > 1 ? r : 1);
}

static FIELD *
hint_text(int row, int col, int width, int rows, const char *text, int attr)
{
	char buf[HINT_ROWS * 480];
	FIELD *t;

	if (rows <= 1 || width >= 160)
		return static_text(row, col, width, text, attr);
	hint_wrap(text, width, buf, sizeof buf, rows);
	if (!(t = new_field(rows, width, row, col, 0, 0)))
		return NULL;
	field_opts_off(t, O_ACTIVE | O_EDIT | O_WRAP);
	set_field_fore(t, (chtype)attr);
	set_field_back(t, (chtype)attr);
	set_field_buffer(t, 0, buf);
	return t;
}

/* A field naming a path on the station: Tab completes, F4 chooses. */
static bool
is_path(const struct ui_field *f)
{
	return f->file != UI_FILE_NONE && !f->masked;
}

/* The keys of field i, on the form's last rows. */
static const char *
keys_hint(const struct fm *m, size_t i)
{
	if (choice_of(m->ch, m->nch, i))
		return _("Left/Right: choose; Tab: next; Enter on the last saves; Esc cancels");
	if (is_path(&m->f[i]))
		return _("Tab: complete  F4: choose  Down: next  Enter on the last saves");
	return _("Tab/Down next, Up previous, Enter on the last field saves, Esc cancels");
}

#define KEY_ROWS 3

/* The rows the longest of the fields' key hints takes wrapped at width:
 * a translation longer than the box is read whole, never cut. */
static int
keys_rows(const struct fm *m, int width)
{
	size_t cut[KEY_ROWS];
	int rows = 1;

	for (size_t i = 0; i < m->n; i++) {
		int r = ui_text_rows(keys_hint(m, i), width, cut, KEY_ROWS);
		if (r > rows)
			rows = r;
	}
	return rows;
}

static bool
build(struct fm *m, const char *title, size_t cur)
{
	int h, w = COLS - 4 < 76 ? COLS - 4 : 76, fw, total = 0, row = 0, lw;
	size_t k = 0;

	/* a label longer than the column (Italian ones are) widens it rather
	 * than being cut or running into its input; up to a third of the box */
	m->lw = LABEL_W;
	for (size_t i = 0; i < m->n; i++) {
		int c = 0;
		for (const char *p = m->f[i].label; p && *p; p += char_len(p))
			c++;
		if (c + 1 > m->lw)
			m->lw = c + 1;
	}
	if (m->lw > w / 3)
		m->lw = w / 3 > LABEL_W ? w / 3 : LABEL_W;
	lw = m->lw;
	if (w < lw + 8)
		w = lw + 8;
	for (size_t i = 0; i < m->n; i++)
		total += field_rows(m, i, w - lw - 4);
	if (w > COLS)
		w = COLS;
	/* the fields, a blank row, two for the message, the keys' hint */
	m->key_rows = keys_rows(m, w - 4);
	h = total + 6 + m->key_rows;
	if (h > LINES)
		h = LINES;
	fw = w - lw - 4;
	m->h = h;
	m->w = w;
	if (!(m->win = ui_panel_open(h, w, title)) ||
	    !(m->sub = derwin(m->win, total < h - 2 ? total : h - 2, w - 4, 2, 2)) ||
	    !(m->all = calloc(3 * m->n + 1, sizeof *m->all)) ||
	    !(m->in = calloc(m->n, sizeof *m->in)) || !(m->hint = calloc(m->n, sizeof *m->hint)))
		return false;
	for (size_t i = 0; i < m->n; i++) {
		int cols = fw, rows = field_rows(m, i, fw);
		struct ui_field *f = &m->f[i];
		bool choice = choice_of(m->ch, m->nch, i) != NULL;
		FIELD *in;

		if (!(m->all[k++] = static_text(row, 0, lw, f->label, A_NORMAL)))
			return false;
		/* a buffer shorter than the room has a field of its size, a
		 * longer one a field that scrolls up to the buffer's size */
		if (!choice && f->len - 1 < (size_t)fw)
			cols = f->len > 1 ? (int)f->len - 1 : 1;
		if (!(in = m->all[k++] = m->in[i] = new_field(1, cols, row, lw, 0, 0)))
			return false;
		field_opts_off(in, O_BLANK | O_AUTOSKIP | O_WRAP);
		if (choice) {
			/* nothing is typed there: Left/Right cycle the value */
			field_opts_off(in, O_EDIT);
			show_choice(m, i);
		} else {
			if (f->len - 1 > (size_t)fw) {
				field_opts_off(in, O_STATIC);
				set_max_field(in, (int)f->len - 1);
			}
			/* a masked field's text never enters libform: it is
			 * typed into the caller's (secure) buffer directly */
			if (f->masked)
				field_opts_off(in, O_PUBLIC);
			else
				set_field_buffer(in, 0, f->buf);
		}
		if (f->hint &&
		    !(m->hint[i] = m->all[k++] =
		              hint_text(row + 1, lw, fw, rows - 1, f->hint, theme_attr(ROLE_HINT))))
			return false;
		row += rows;
	}
	if (!(m->form = new_form(m->all)))
		return false;
	set_form_win(m->form, m->win);
	set_form_sub(m->form, m->sub);
	if (post_form(m->form) != E_OK)
		return false;
	set_current_field(m->form, m->in[cur]);
	form_driver(m->form, REQ_END_FIELD);
	return true;
}

/* The current field stands out, the others are underlined; a masked
 * field shows a star per character (libform shows nothing of a field
 * that is not O_PUBLIC). */
static void
paint(struct fm *m, size_t cur, const char *err)
{
	int ew = m->w - 4, cy = 0, cx = 0;

	for (size_t i = 0; i < m->n; i++) {
		int a = i == cur ? theme_attr(ROLE_SELECTED) : (int)A_UNDERLINE;
		set_field_fore(m->in[i], (chtype)a);
		set_field_back(m->in[i], (chtype)a);
		/* the label of the current field in bold */
		set_field_fore(m->all[field_index(m->in[i]) - 1], i == cur ? A_BOLD : A_NORMAL);
		set_field_back(m->all[field_index(m->in[i]) - 1], i == cur ? A_BOLD : A_NORMAL);
	}
	/* libform's buffer of the current field is brought up to date */
	if (m->f[cur].masked)
		form_driver(m->form, REQ_VALIDATION);
	for (size_t i = 0; i < m->n; i++) {
		int cols, rows, row, col;
		if (!m->f[i].masked)
			continue;
		field_info(m->in[i], &rows, &cols, &row, &col, NULL, NULL);
		const char *b = m->f[i].buf;
		int bl = (int)strlen(b), l = 0;
		/* a star per character, not per byte */
		mbstate_t st;
		memset(&st, 0, sizeof st);
		for (int at = 0; at < bl; l++) {
			size_t r = mbrlen(b + at, (size_t)(bl - at), &st);
			if (r == 0 || r == (size_t)-1 || r == (size_t)-2) {
				memset(&st, 0, sizeof st);
				r = 1;
			}
			at += (int)r;
		}
		wattrset(m->sub, i == cur ? theme_attr(ROLE_SELECTED) : (int)A_UNDERLINE);
		for (int c = 0; c < cols; c++)
			mvwaddch(m->sub, row, col + c, c < l && c < cols - 1 ? '*' : ' ');
		wattrset(m->sub, A_NORMAL);
		if (i == cur) {
			cy = row;
			cx = col + (l < cols - 1 ? l : cols - 1);
		}
	}
	/* the message in place, on two rows when it needs them, and the
	 * keys under it, wrapped: cut and padded by columns, not bytes */
	ui_wput_rows(m->win, m->h - 3 - m->key_rows, 2, ew, 2, theme_attr(ROLE_ALERT), err, true);
	ui_wput_rows(m->win, m->h - 1 - m->key_rows, 2, ew, m->key_rows, theme_attr(ROLE_HINT),
	             keys_hint(m, cur), true);
	if (m->f[cur].masked) {
		wmove(m->sub, cy, cx);
		wcursyncup(m->sub);
	} else {
		pos_form_cursor(m->form);
	}
	/* the stars went into the derived window: its parent must know */
	touchwin(m->win);
	update_panels();
}

/* A key from the curses queue: the bytes of a UTF-8 character are put
 * together into one wide character for form_driver_w. */
static int
feed_text(struct fm *m, int k)
{
	char mb[8];
	size_t l = 0;
	wchar_t wc;
	mbstate_t st;

	mb[l++] = (char)k;
	for (;;) {
		memset(&st, 0, sizeof st);
		size_t r = mbrtowc(&wc, mb, l, &st);
		if (r == (size_t)-2 && l < sizeof mb) {
			int c;
			timeout(50);
			if ((c = getch()) == ERR)
				return E_UNKNOWN_COMMAND;
			mb[l++] = (char)c;
			continue;
		}
		if (r == (size_t)-1 || r == (size_t)-2)
			return E_UNKNOWN_COMMAND;
		break;
	}
	return form_driver_w(m->form, OK, wc);
}

/* A resize: the caller's buffers keep what was typed, the form is built
 * again at the new size; the screen under it is drawn again when the
 * form ends. */
static bool
rebuild(struct ui *ui, struct fm *m, const char *title, size_t cur)
{
	if (m->form) {
		read_fields(m);
		wipe_masked(m);
		destroy(m);
		erase();
		wnoutrefresh(stdscr);
		ui->dirty = true;
	}
	return build(m, title, cur);
}

/* Left/Right/Space (h/l) on a choice field: the previous or next value,
 * then the changed() callback, which reads and may set the other
 * fields.  False when k is not such a key. */
static bool
choice_key(struct fm *m, const struct ui_choice *c, size_t cur, int k, void *ud)
{
	size_t at = 0, nc = c->n;

	if (k != KEY_LEFT && k != KEY_RIGHT && k != ' ' && k != 'h' && k != 'l')
		return false;
	while (at < nc && strcmp(c->choices[at], m->f[cur].buf) != 0)
		at++;
	if (at == nc)
		at = 0;
	else if (k == KEY_LEFT || k == 'h')
		at = (at + nc - 1) % nc;
	else
		at = (at + 1) % nc;
	snprintf(m->f[cur].buf, m->f[cur].len, "%s", c->choices[at]);
	show_choice(m, cur);
	if (c->changed) {
		read_fields(m);
		c->changed(m->f, m->n, cur, ud);
		for (size_t i = 0; i < m->n; i++)
			if (choice_of(m->ch, m->nch, i))
				show_choice(m, i);
			else if (!m->f[i].masked)
				set_field_buffer(m->in[i], 0, m->f[i].buf);
		form_driver(m->form, REQ_END_FIELD);
	}
	return true;
}

/* A key on a masked field: typed straight into the caller's buffer, no
 * copy in libform, and trailing blanks are kept. */
static void
masked_key(struct ui_field *f, int k)
{
	size_t l = strlen(f->buf);

	if (k == KEY_BACKSPACE || k == 127 || k == 8) {
		/* the last character, all of its bytes */
		while (l > 0 && ((unsigned char)f->buf[l - 1] & 0xC0) == 0x80)
			f->buf[--l] = '\0';
		if (l > 0)
			f->buf[--l] = '\0';
	} else if (k == 21) {
		explicit_bzero(f->buf, f->len);
	} else if (k >= 32 && k < 256 && k != 127 && l + 1 < f->len) {
		f->buf[l++] = (char)k;
		f->buf[l] = '\0';
	}
}

/* A key on a typed field: libform edits it. */
static void
text_key(struct fm *m, int k)
{
	if (k == KEY_BACKSPACE || k == 127 || k == 8)
		form_driver(m->form, REQ_DEL_PREV);
	else if (k == 21)
		form_driver(m->form, REQ_CLR_FIELD);
	else if (k == KEY_DC)
		form_driver(m->form, REQ_DEL_CHAR);
	else if (k == KEY_LEFT)
		form_driver(m->form, REQ_LEFT_CHAR);
	else if (k == KEY_RIGHT)
		form_driver(m->form, REQ_RIGHT_CHAR);
	else if (k == KEY_HOME)
		form_driver(m->form, REQ_BEG_FIELD);
	else if (k == KEY_END)
		form_driver(m->form, REQ_END_FIELD);
	else if (k >= 32 && k < 256 && k != 127)
		feed_text(m, k);
}

static bool
is_enter(int k)
{
	return k == '\r' || k == '\n' || k == KEY_ENTER;
}

/* Tab/Down, Up/Shift-Tab and Enter (but on the last field) move between
 * fields: the field k goes to, or -1 when k does not move. */
static long
field_after(size_t cur, size_t n, int k)
{
	if (k == '\t' || k == KEY_DOWN)
		return (long)((cur + 1) % n);
	if (k == KEY_UP || k == KEY_BTAB)
		return (long)((cur + n - 1) % n);
	if (is_enter(k) && cur + 1 < n)
		return (long)(cur + 1);
	return -1;
}

/* The caller's buffer of field i into libform, the cursor at its end. */
static void
show_field(struct fm *m, size_t i)
{
	set_field_buffer(m->in[i], 0, m->f[i].buf);
	form_driver(m->form, REQ_END_FIELD);
}

/* Tab on a path field: the typed path completed; a second Tab that
 * completes nothing more lists the candidates.  An empty field, or one
 * already complete, goes on to the next field as Tab does elsewhere.
 * True when the key was used here. */
static bool
path_tab(struct ui *ui, struct fm *m, size_t cur, bool again, char *err, size_t errlen)
{
	size_t n = 0;

	form_driver(m->form, REQ_VALIDATION);
	read_field(m, cur);
	if (!m->f[cur].buf[0])
		return false;
	if (ui_files_complete(ui, m->f[cur].file, m->f[cur].buf, m->f[cur].len, again, &n)) {
		show_field(m, cur);
		err[0] = '\0';
		return true;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s", _("No file or directory begins so."));
		return true;
	}
	if (n > 1) {
		if (!again)
			snprintf(err, errlen, _("%zu candidates: Tab again lists them."), n);
		else
			err[0] = '\0';
		return true;
	}
	return false;
}

/* F4 or Ctrl-O on a path field: the chooser, its choice into the field. */
static void
path_choose(struct ui *ui, struct fm *m, size_t cur)
{
	form_driver(m->form, REQ_VALIDATION);
	read_field(m, cur);
	if (ui_files_choose(ui, m->f[cur].file, m->f[cur].buf, m->f[cur].len))
		show_field(m, cur);
	touchwin(m->win);
}

static void
go_to(struct fm *m, size_t *cur, size_t to)
{
	if (to == *cur)
		return;
	set_current_field(m->form, m->in[to]);
	form_driver(m->form, REQ_END_FIELD);
	*cur = to;
}

/* Enter on the last field: every field to the submit callback; true when
 * it accepted them, else the form stays on the field to fix (a masked
 * field shows what the caller kept of its secret) with err shown. */
static bool
submit_fields(struct ui *ui, struct fm *m, size_t *cur, char *err, size_t errlen,
              ui_form_submit submit, void *ud)
{
	size_t to = *cur;
	int bad;

	err[0] = '\0';
	read_fields(m);
	wipe_masked(m);
	if ((bad = submit(ui, m->f, m->n, err, errlen, ud)) < 0)
		return true;
	if ((size_t)bad < m->n)
		to = (size_t)bad;
	set_current_field(m->form, m->in[to]);
	form_driver(m->form, REQ_END_FIELD);
	*cur = to;
	return false;
}

bool
ui_form_choices(struct ui *ui, const char *title, struct ui_field *f, size_t n,
                const struct ui_choice *ch, size_t nch, ui_form_submit submit, void *ud)
{
	return ui_form_live(ui, title, f, n, ch, nch, NULL, submit, ud);
}

/* After a typed key: the caller sees the buffers and may rewrite the
 * hints' text, shown again. */
static void
tell_typed(struct fm *m, size_t cur, ui_form_typed typed, void *ud)
{
	if (!typed)
		return;
	read_fields(m);
	typed(m->f, m->n, cur, ud);
	for (size_t i = 0; i < m->n; i++) {
		char buf[HINT_ROWS * 480];
		int rows, cols, fr, fc, nr, nb;

		if (!m->hint[i] || !m->f[i].hint)
			continue;
		/* a hint of several rows is wrapped at spaces, as when made */
		if (field_info(m->hint[i], &rows, &cols, &fr, &fc, &nr, &nb) == E_OK && rows > 1 &&
		    cols < 160) {
			hint_wrap(m->f[i].hint, cols, buf, sizeof buf, rows);
			set_field_buffer(m->hint[i], 0, buf);
		} else {
			set_field_buffer(m->hint[i], 0, m->f[i].hint);
		}
	}
}

bool
ui_form_live(struct ui *ui, const char *title, struct ui_field *f, size_t n,
             const struct ui_choice *ch, size_t nch, ui_form_typed typed, ui_form_submit submit,
             void *ud)
{
	struct fm m = { .f = f, .n = n, .ch = ch, .nch = nch };
	size_t cur = 0;
	char err[256] = "";
	bool done = false, resized = true;
	int last = 0;

	if (n == 0)
		return false;
	for (;;) {
		if (resized && !rebuild(ui, &m, title, cur))
			break;
		resized = false;
		const struct ui_choice *c = choice_of(ch, nch, cur);
		paint(&m, cur, err);
		curs_set(1);
		doupdate();
		int k;
		bool got = ui_waitkey(ui, &k);
		curs_set(0);
		if (!got || k == 27 || k == KEY_F(10)) {
			/* said once here for every form; a caller may say more */
			if (got)
				ui_message(ui, ROLE_HINT, "%s",
				           _("Cancelled: nothing was opened or changed."));
			break;
		}
		long to = field_after(cur, n, k);
		bool again = last == '\t';
		last = k;
		if (k == KEY_RESIZE) {
			resized = true;
		} else if (is_path(&f[cur]) && k == '\t' &&
		           path_tab(ui, &m, cur, again, err, sizeof err)) {
			/* completed, or told why not */
		} else if (is_path(&f[cur]) && (k == KEY_F(4) || k == 15)) {
			path_choose(ui, &m, cur);
		} else if (c && choice_key(&m, c, cur, k, ud)) {
			err[0] = '\0';
		} else if (to >= 0) {
			go_to(&m, &cur, (size_t)to);
		} else if (is_enter(k)) {
			if ((done = submit_fields(ui, &m, &cur, err, sizeof err, submit, ud)))
				break;
		} else if (!c && f[cur].masked) {
			masked_key(&f[cur], k);
		} else if (!c) {
			text_key(&m, k);
			tell_typed(&m, cur, typed, ud);
		}
	}
	if (m.form && !done)
		wipe_masked(&m);
	destroy(&m);
	return done;
}

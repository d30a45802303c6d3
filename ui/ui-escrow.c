/* ui-escrow.c - the console's recovery shares: the splits made (from the
 * audit) with the offer to rotate the data key or split it again; a split
 * made from a form and shown one share a screen, the same page the CLI
 * prints, with the glass wiped between shares and at the end; a suspected
 * compromise recorded with a note.  The shares live in secure memory only
 * (curses' own copy of the screen aside, which the wipe overwrites). */
#include "config.h"

#include <curses.h>
#include <panel.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/lines.h"
#include "ui/escrow.h"
#include "ui/form.h"
#include "ui/view.h"

#define MAX_LINES 48
#define PAGE_LINES 24

/* ---- the splits made ---- */

struct escrow_view {
	struct lines *L;
	unsigned gen;
	int rows;
};

static int
escrow_row(const struct audit_row *r, void *ud)
{
	struct escrow_view *v = ud;
	unsigned gen, k, n;
	char when[32];
	struct tm tm;
	int off = 0;

	if (strcmp(r->action, "escrow.split") != 0 ||
	    sscanf(r->detail, "gen=%u k=%u n=%u holders=%n", &gen, &k, &n, &off) != 3 || !off)
		return 0;
	gmtime_r(&r->ts, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	lines_add(v->L, _("%s  key %u  %u of %u  %s"), when, gen, k, n,
	          gen == v->gen ? _("current") : _("void (data key rotated since)"));
	lines_add(v->L, _("    holders: %s"), r->detail + off);
	v->rows++;
	return 0;
}

static void
rotate(struct ui *ui)
{
	struct pt_err err = { 0 };
	const char *l[1] = { ui->path };

	dialog_show(ui, _("Rotate the data key"), l, 1, _("Re-encrypting the store..."));
	if (store_rotate(ui->st, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return;
	}
	ui_message(
		ui, ROLE_BAND_OK,
		_("New data key %u: the store was re-encrypted; earlier shares no longer open it."),
		store_key_generation(ui->st));
}

static void split_form(struct ui *ui);

/* The splits made and what to do: y rotates (as before), s splits. */
static void
escrow_dialog(struct ui *ui)
{
	struct lines L = { .max = MAX_LINES };
	struct escrow_view v = { &L, store_key_generation(ui->st), 0 };
	char fpr[STORE_FPR_LEN];
	int h, w = COLS - 4 < 76 ? COLS - 4 : 76, k = 0, rows;
	WINDOW *win;

	store_fingerprint(ui->st, fpr);
	lines_add(&L, _("Store %s, data key %u."), fpr, v.gen);
	lines_add(&L, "%s", "");
	(void)audit_foreach(ui->st, escrow_row, &v, NULL);
	if (!v.rows)
		lines_add(&L, "%s", _("No shares were ever made of this store's data key."));
	lines_add(&L, "%s", "");
	lines_add(&L, "%s", _("s: split the data key into new shares, shown one a screen."));
	lines_add(&L, "%s", _("y: rotate the data key (earlier shares stop opening the store)."));
	rows = (int)L.n > LINES - 5 ? LINES - 5 : (int)L.n;
	h = rows + 4;
	if (!(win = ui_panel_open(h, w, _("Recovery shares")))) {
		lines_free(&L);
		return;
	}
	for (int r = 0; r < rows; r++)
		ui_wput(win, 1 + r, 2, w - 4, A_NORMAL, L.v[r], false);
	ui_wput(win, h - 2, 2, w - 4, theme_attr(ROLE_ALERT),
	        _("Rotate the data key (y), split it anew (s) or close (n)? "), false);
	for (;;) {
		update_panels();
		doupdate();
		if (!ui_waitkey(ui, &k) || k == 's' || ui_yes_no(k) >= 0)
			break;
	}
	ui_panel_close(win);
	lines_free(&L);
	ui->dirty = true;
	if (k == 's')
		split_form(ui);
	else if (ui_yes_no(k) > 0)
		rotate(ui);
}

/* ---- a split, one share a screen ---- */

struct split_job {
	unsigned n, k;
	char names[ESCROW_MAX_N * (ESCROW_HOLDER_MAX + 2)];
	const char *holders[ESCROW_MAX_N];
	struct escrow_piece *p;
};

static bool
number(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < (long)lo || v > (long)hi)
		return false;
	*out = (unsigned)v;
	return true;
}

/* "A; B ;C": the names, trimmed, into j->holders. */
static size_t
split_names(struct split_job *j, const char *text)
{
	size_t n = 0;
	char *save = NULL;

	snprintf(j->names, sizeof j->names, "%s", text);
	for (char *t = strtok_r(j->names, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		while (*t == ' ')
			t++;
		for (char *e = t + strlen(t); e > t && e[-1] == ' ';)
			*--e = '\0';
		if (n == ESCROW_MAX_N)
			return ESCROW_MAX_N + 1;
		j->holders[n++] = t;
	}
	return n;
}

static int
split_submit(struct ui *ui, struct ui_field *f, size_t nf, char *msg, size_t len, void *ud)
{
	struct split_job *j = ud;
	struct pt_err err = { 0 };
	size_t got;

	(void)nf;
	if (!number(f[0].buf, 2, ESCROW_MAX_N, &j->n)) {
		snprintf(msg, len, _("The shares are a number from 2 to %d."), ESCROW_MAX_N);
		return 0;
	}
	if (!number(f[1].buf, 2, j->n, &j->k)) {
		snprintf(msg, len, _("The threshold is a number from 2 to the shares (%u)."), j->n);
		return 1;
	}
	got = split_names(j, f[2].buf);
	if (got != j->n) {
		snprintf(msg, len,
		         _("%u shares need %u holders' names separated by \";\", %zu given."), j->n,
		         j->n, got > ESCROW_MAX_N ? (size_t)ESCROW_MAX_N + 1 : got);
		return 2;
	}
	for (size_t i = 0; i < got; i++)
		if (!escrow_holder_ok(j->holders[i])) {
			snprintf(
				msg, len,
				_("A holder's name has 1 to %d printable characters, without \"=\"."),
				ESCROW_HOLDER_MAX);
			return 2;
		}
	/* audited before any share is shown */
	if (escrow_split_audited(ui->st, j->k, j->n, j->holders, &j->p, &err) != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return 0;
	}
	return -1;
}

/* One share's page on a screen of its own until Enter; false when the
 * idle lock came first.  The page is cut into lines in place (secure
 * memory); the glass is wiped before the box goes. */
static bool
show_share(struct ui *ui, char *page, const struct split_job *j, unsigned i)
{
	char *l[PAGE_LINES], prompt[256], title[128];
	int n = 0, h, w = COLS - 2 < 78 ? COLS - 2 : 78, k = 0;
	WINDOW *win;
	bool ok = false;

	for (char *s = page; *s && n < PAGE_LINES; n++) {
		char *e = strchr(s, '\n');
		l[n] = s;
		if (!e)
			break;
		*e = '\0';
		s = e + 1;
	}
	h = n + 4 > LINES ? LINES : n + 4;
	snprintf(title, sizeof title, _("Recovery share %u of %u"), i + 1, j->n);
	if (i + 1 < j->n)
		snprintf(prompt, sizeof prompt,
		         _("Enter: the next share (the screen is wiped first)."));
	else
		snprintf(prompt, sizeof prompt, "%s", _("Enter: done (the screen is wiped)."));
	ui_glass_wipe();
	if (!(win = ui_panel_open(h, w, title)))
		return false;
	for (int r = 0; r < n && r < h - 4; r++)
		ui_wput(win, 1 + r, 1, w - 2, A_NORMAL, l[r], false);
	ui_wput(win, h - 2, 1, w - 2, theme_attr(ROLE_ALERT), prompt, false);
	for (;;) {
		update_panels();
		doupdate();
		if (!ui_waitkey(ui, &k))
			break;
		if (k == '\n' || k == '\r' || k == KEY_ENTER) {
			ok = true;
			break;
		}
	}
	ui_glass_wipe(); /* the box's cells too, before it is freed */
	ui_panel_close(win);
	ui_glass_wipe();
	return ok;
}

static void
show_shares(struct ui *ui, struct split_job *j)
{
	char fpr[STORE_FPR_LEN], date[16];
	time_t now = time(NULL);
	struct tm tm;
	unsigned i;

	store_fingerprint(ui->st, fpr);
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	for (i = 0; i < j->n; i++) {
		char *page = escrow_page(&j->p[i], ui->path, fpr, date, j->holders[i]);
		bool shown = page && show_share(ui, page, j, i);

		secmem_free(page);
		if (!shown)
			break;
	}
	ui->dirty = true;
	/* the status line says what was made, never a share */
	if (i == j->n)
		ui_message(ui, ROLE_BAND_OK,
		           _("%u recovery shares shown, any %u open the store; the split is "
		             "audited and the screen wiped."),
		           j->n, j->k);
	else
		ui_message(
			ui, ROLE_ALERT,
			_("Only %u of the %u shares were shown: make a new split (and rotate the "
		          "data key if any was written down)."),
			i, j->n);
}

static void
split_form(struct ui *ui)
{
	struct split_job *j = secmem_alloc(sizeof *j);
	char n[8] = "3", k[8] = "2", holders[ESCROW_MAX_N * (ESCROW_HOLDER_MAX + 2)] = "";

	if (!j)
		return;
	struct ui_field f[3] = {
		{ _("Shares"), n, sizeof n, false, _("N, from 2 to 16"), UI_FILE_NONE },
		{ _("Threshold"), k, sizeof k, false, _("K of them open the store"), UI_FILE_NONE },
		{ _("Holders"), holders, sizeof holders, false,
		  _("N names in share order, separated by \";\""), UI_FILE_NONE },
	};
	if (ui_form(ui, _("Split the data key"), f, 3, split_submit, j))
		show_shares(ui, j);
	secmem_free(j->p);
	secmem_free(j);
}

/* ---- a suspected compromise ---- */

static int
note_submit(struct ui *ui, struct ui_field *f, size_t nf, char *msg, size_t len, void *ud)
{
	struct pt_err err = { 0 };
	const char *l[3];

	(void)nf;
	(void)ud;
	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("Say in a few words what happened."));
		return 0;
	}
	l[0] = f[0].buf;
	l[1] = "";
	l[2] = _(
		"Posture then warns that the recovery shares predate it, until new ones are made.");
	if (!dialog_ask(ui, _("Record a suspected compromise"), l, 3,
	                _("Record it in the audit?"))) {
		ui_message(ui, ROLE_HINT, "%s", _("Cancelled: nothing was recorded."));
		return -1;
	}
	if (store_begin(ui->st, &err) == PT_OK) {
		if (escrow_compromise(ui->st, f[0].buf, &err) == PT_OK)
			store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	if (err.status != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return 0;
	}
	ui_message(ui, ROLE_BAND_OK, "%s",
	           _("Suspected compromise recorded: rotate the data key (E) and split it again."));
	return -1;
}

static void
compromise_form(struct ui *ui)
{
	char note[ESCROW_NOTE_MAX + 1] = "";
	struct ui_field f[1] = {
		{ _("Note"), note, sizeof note, false,
		  _("what happened: a lost laptop, a share seen..."), UI_FILE_NONE },
	};

	if (!ui_form(ui, _("Record a suspected compromise"), f, 1, note_submit, NULL))
		ui_message(ui, ROLE_HINT, "%s", _("Cancelled: nothing was recorded."));
}

bool
ui_escrow_action(struct ui *ui, enum ui_action a)
{
	switch (a) {
	case ACT_ESCROW: escrow_dialog(ui); return true;
	case ACT_SPLIT: split_form(ui); return true;
	case ACT_COMPROMISE: compromise_form(ui); return true;
	default: return false;
	}
}

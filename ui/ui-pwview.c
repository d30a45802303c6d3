/* ui-pwview.c - the password actions that show or drop a whole entry:
 * the large view of a secret for reading it over a KVM (groups of four,
 * positions numbered, look-alike characters named), the history with
 * any version revealed in that view, the generator's choices (then the
 * new secret offered in that view), and delete after a confirmation. */
#include "config.h"

#include <curses.h>
#include <panel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "site/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/pwview.h"

#define GROUPS_PER_ROW 4
#define CELL 3 /* a character with its position number above it */

/* The entry's name, user@hostspec:service. */
struct pw_name {
	char s[512];
	int64_t version;
};

static int
pw_name_fill(const struct credential *c, void *ud)
{
	struct pw_name *n = ud;

	snprintf(n->s, sizeof n->s, "%s@%s:%s", c->user, c->hostspec, c->service);
	n->version = c->version;
	return 1;
}

/* A console read of a secret goes to the audit trail (who, what, which
 * version; never the value).  One function, so the kind can follow the
 * audit's own when it has one. */
static void
pwview_audit_read(struct ui *ui, const char *entry, int64_t version)
{
	struct pt_err err = { 0 };
	char who[320];

	audit_who(who, sizeof who);
	if (store_begin(ui->st, &err) != PT_OK)
		return;
	if (audit_appendf(ui->st, AUDIT_READ_SECRET, entry, &err, "version=%lld view=large, %s",
	                  (long long)version, who) == PT_OK)
		store_commit(ui->st, &err);
	else
		store_rollback(ui->st);
}

/* The caption of a look-alike character, or NULL. */
static const char *
lookalike(char c)
{
	switch (c) {
	case '0': return _("zero");
	case 'O': return _("capital O");
	case 'o': return _("lower-case o");
	case '1': return _("one");
	case 'l': return _("lower-case L");
	case 'I': return _("capital I");
	case '|': return _("vertical bar");
	default: return NULL;
	}
}

/* Draw the groups from row y; the look-alikes are marked with ^ under
 * them and named in a legend after the groups.  Returns the next row. */
static int
draw_groups(WINDOW *win, int y, int w, const char *secret, size_t len)
{
	int gw = 4 * CELL + 3, per = (w - 4) / gw < GROUPS_PER_ROW ? (w - 4) / gw : GROUPS_PER_ROW;
	size_t per_row = (size_t)(per > 0 ? per : 1) * 4;
	int rows = getmaxy(win);
	char legend[256] = "";
	size_t ll = 0;

	for (size_t at = 0; at < len && y + 3 < rows - 3; at += per_row, y += 4) {
		for (size_t i = at; i < len && i < at + per_row; i++) {
			int x = 2 + (int)((i - at) / 4) * gw + (int)((i - at) % 4) * CELL;
			char num[24], ch[2] = { secret[i], 0 };
			const char *cap = lookalike(secret[i]);

			snprintf(num, sizeof num, "%zu", i + 1);
			if ((unsigned char)ch[0] < 0x21 || (unsigned char)ch[0] > 0x7e)
				ch[0] = '?'; /* never a control byte on the glass */
			mvwaddstr(win, y, x, num);
			wattron(win, A_BOLD);
			mvwaddstr(win, y + 1, x, ch);
			wattroff(win, A_BOLD);
			if (cap) {
				mvwaddstr(win, y + 2, x, "^");
				if (ll < sizeof legend - 40)
					ll += (size_t)snprintf(legend + ll, sizeof legend - ll,
					                       "%s%zu %s", ll ? ", " : "", i + 1,
					                       cap);
			}
		}
	}
	if (ll)
		ui_wput(win, y++, 2, w - 4, A_NORMAL, legend, false);
	return y;
}

void
ui_pw_large(struct ui *ui, const char *title, const char *secret)
{
	int h = LINES - 2, w = COLS - 2, k = ERR;
	size_t len = strlen(secret);
	int64_t until = ui_now_ms() + ui->reveal_secs * 1000;
	char hint[160];
	WINDOW *win;

	ui_reveal_clear(ui); /* one secret on the glass at a time */
	if (!(win = ui_panel_open(h, w, title)))
		return;
	draw_groups(win, 1, w, secret, len);
	snprintf(hint, sizeof hint, _("%zu characters; any key wipes it (else in %ld s)."), len,
	         ui->reveal_secs);
	ui_wput(win, h - 2, 2, w - 4, theme_attr(ROLE_HINT), hint, false);
	update_panels();
	doupdate();
	while (ui_now_ms() < until && !ui->lock_now && (k = ui_getkey(ui, 100)) == ERR)
		;
	/* blank the box before it goes: nothing of it stays in the terminal */
	werase(win);
	wnoutrefresh(win);
	ui_panel_close(win);
	ui->dirty = true;
	if (k == KEY_RESIZE)
		ui->dirty = true;
}

/* The large view of version (0: current) of entry id, audited. */
static void
large_version(struct ui *ui, int64_t id, int64_t version)
{
	struct pt_err err = { 0 };
	struct pw_name n = { "", 0 };
	char *s = NULL, title[600];
	size_t len = 0;

	if (model_pw_get(ui->st, id, pw_name_fill, &n, &err) != PT_OK ||
	    model_pw_secret(ui->st, id, version, &s, &len, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return;
	}
	pwview_audit_read(ui, n.s, version ? version : n.version);
	snprintf(title, sizeof title, _("%s, version %lld"), n.s,
	         (long long)(version ? version : n.version));
	ui_pw_large(ui, title, s);
	secmem_free(s);
}

/* ---- the history: a list of versions, Enter shows one large ---- */

struct versions {
	int64_t v[256];
	char line[256][96];
	size_t n;
};

static int
version_cb(const struct credential_version *cv, void *ud)
{
	struct versions *vs = ud;
	char set[32];
	struct tm tm;

	if (vs->n == sizeof vs->v / sizeof vs->v[0])
		return 1;
	localtime_r(&cv->set_at, &tm);
	strftime(set, sizeof set, "%Y-%m-%d %H:%M", &tm);
	vs->v[vs->n] = cv->version;
	snprintf(vs->line[vs->n], sizeof vs->line[0], _("version %-4lld set %s  %s"),
	         (long long)cv->version, set, cv->replaced_at ? "" : _("current"));
	vs->n++;
	return 0;
}

static void
history_draw(WINDOW *win, int h, int w, const struct versions *vs, size_t sel, size_t first)
{
	for (int r = 0; r < h - 3; r++) {
		size_t i = first + (size_t)r;
		ui_wput(win, 1 + r, 2, w - 4, i == sel ? theme_attr(ROLE_SELECTED) : (int)A_NORMAL,
		        i < vs->n ? vs->line[i] : "", true);
	}
	ui_wput(win, h - 2, 2, w - 4, theme_attr(ROLE_HINT),
	        _("Enter: show this version large; Esc closes"), true);
	update_panels();
	doupdate();
}

void
ui_pw_history(struct ui *ui, int64_t id)
{
	struct versions *vs = calloc(1, sizeof *vs);
	struct pt_err err = { 0 };
	size_t sel = 0, first = 0;
	int h, w = COLS - 8 < 70 ? COLS - 8 : 70, k;
	WINDOW *win = NULL;

	if (!vs || model_pw_history(ui->st, id, version_cb, vs, &err) != PT_OK || !vs->n) {
		ui_message(ui, ROLE_ALERT, "%s", vs ? pt_err_text(&err) : _("out of memory"));
		free(vs);
		return;
	}
	sel = vs->n - 1; /* the current one */
	for (;;) {
		h = (int)vs->n + 3 < LINES - 4 ? (int)vs->n + 3 : LINES - 4;
		if (!win && !(win = ui_panel_open(h, w, _("History"))))
			break;
		if (sel < first)
			first = sel;
		if (sel >= first + (size_t)(h - 3))
			first = sel - (size_t)(h - 3) + 1;
		history_draw(win, h, w, vs, sel, first);
		if (!ui_waitkey(ui, &k))
			break;
		enum ui_action a = ui_key_action(k, ACTBIT(ACT_UP) | ACTBIT(ACT_DOWN) |
		                                            ACTBIT(ACT_OPEN) | ACTBIT(ACT_REVEAL));
		if (a == ACT_UP && sel > 0)
			sel--;
		else if (a == ACT_DOWN && sel + 1 < vs->n)
			sel++;
		else if (a == ACT_OPEN || a == ACT_REVEAL) {
			ui_panel_close(win);
			win = NULL;
			large_version(ui, id, vs->v[sel]);
		} else if (k == KEY_RESIZE) {
			ui_panel_close(win);
			win = NULL;
		} else if (a == ACT_NONE)
			break;
	}
	if (win)
		ui_panel_close(win);
	ui->dirty = true;
	free(vs);
}

bool
ui_pw_name(struct ui *ui, int64_t id, char *buf, size_t len)
{
	struct pt_err err = { 0 };
	struct pw_name n = { "", 0 };

	if (model_pw_get(ui->st, id, pw_name_fill, &n, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return false;
	}
	snprintf(buf, len, "%s", n.s);
	return true;
}

/* ---- delete ---- */

bool
ui_pw_delete(struct ui *ui, int64_t id)
{
	struct pt_err err = { 0 };
	struct pw_name n = { "", 0 };
	char line[600], vers[96];
	const char *lines[3];

	if (model_pw_get(ui->st, id, pw_name_fill, &n, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return false;
	}
	snprintf(line, sizeof line, _("Entry: %s"), n.s);
	snprintf(vers, sizeof vers, _("Its %lld version(s) go with it, the history too."),
	         (long long)n.version);
	lines[0] = line;
	lines[1] = vers;
	lines[2] = _("The hosts keep the password; only the store forgets it.");
	if (!dialog_ask(ui, _("Delete password"), lines, 3, _("Delete this entry?"))) {
		ui_message(ui, ROLE_HINT, "%s", _("Nothing deleted."));
		return false;
	}
	if (store_begin(ui->st, &err) == PT_OK) {
		if (model_pw_rm(ui->st, id, &err) == PT_OK)
			store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	if (err.status != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return false;
	}
	ui_message(ui, ROLE_BAND_OK, _("Deleted %s."), n.s);
	return true;
}

/* ---- generate with choices, then offer the new secret at once ---- */

static const char *const gen_class_choices[] = {
	"lower,upper,digit,symbol", "lower,upper,digit", "lower,digit", "lower,upper", "digit",
};

struct gen_form {
	int64_t id;
	const char *yes;
	bool done;
};

static int
gen_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct gen_form *gf = ud;
	struct gen_opts o = { 0, 0, false };
	struct pt_err err = { 0 };
	char *end = NULL, *s = NULL;
	long l = strtol(f[0].buf, &end, 10);

	(void)n;
	if (!f[0].buf[0] || *end || l < 8 || l > 1024) {
		snprintf(msg, len, "%s", _("The length must be a number from 8 to 1024."));
		return 0;
	}
	o.len = (size_t)l;
	o.typable = strcmp(f[2].buf, gf->yes) == 0;
	if (model_gen_parse_classes(f[1].buf, &o.classes, &err) != PT_OK ||
	    model_generate_secret_opts(&o, &s, &err) != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return 1;
	}
	if (store_begin(ui->st, &err) == PT_OK) {
		if (model_pw_update(ui->st, gf->id, s, strlen(s), &err) == PT_OK)
			store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	secmem_free(s);
	if (err.status != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return 0;
	}
	gf->done = true;
	return -1;
}

/* x: the generator's choices in a form (submitting it is the
 * confirmation), then the new secret offered in the large view. */
static void
generate_form(struct ui *ui, int64_t id)
{
	const char *yn[2] = { _("no"), _("yes") };
	char length[8] = "24", classes[64], typable[32];
	struct gen_form gf = { id, yn[1], false };

	snprintf(classes, sizeof classes, "%s", gen_class_choices[0]);
	snprintf(typable, sizeof typable, "%s", yn[0]);
	struct ui_field f[3] = {
		{ _("Length"), length, sizeof length, false, _("8 to 1024 characters"),
		  UI_FILE_NONE },
		{ _("Classes"), classes, sizeof classes, false,
		  _("Left/Right: the characters used"), UI_FILE_NONE },
		{ _("Typable"), typable, sizeof typable, false,
		  _("yes: no look-alike (0 O o 1 l I) or shell-special characters"), UI_FILE_NONE },
	};
	const struct ui_choice ch[2] = {
		{ 1, gen_class_choices, sizeof gen_class_choices / sizeof gen_class_choices[0],
		  NULL },
		{ 2, yn, 2, NULL },
	};

	if (!ui_form_choices(ui, _("Generate a new secret"), f, 3, ch, 2, gen_submit, &gf) ||
	    !gf.done)
		return;
	ui_message(ui, ROLE_BAND_OK, "%s", _("New secret generated and stored."));
	if (ui_confirm(ui, _("Show the new secret now?")))
		large_version(ui, id, 0);
}

bool
ui_pwview_action(struct ui *ui, enum ui_action a, int64_t id)
{
	if (a != ACT_DELETE && a != ACT_HISTORY && a != ACT_LARGE && a != ACT_GENERATE)
		return false;
	if (!id) {
		ui_message(ui, ROLE_HINT, "%s", _("No entry selected."));
		return true;
	}
	ui_reveal_clear(ui);
	if (a == ACT_DELETE)
		ui_pw_delete(ui, id);
	else if (a == ACT_HISTORY)
		ui_pw_history(ui, id);
	else if (a == ACT_GENERATE)
		generate_form(ui, id);
	else
		large_version(ui, id, 0);
	return true;
}

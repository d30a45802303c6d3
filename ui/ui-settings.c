/* ui-settings.c - the station's settings (src/store/settings.c): every
 * key of the table with its value and default, what it is for and what a
 * value must be; Enter edits one in a form validated by settings_set
 * (the function behind `config set`, audited there), D returns it to its
 * default.  Per-host keys show as their pattern (host.*.KEY: Enter asks
 * for the host) and, when set, as host.FQDN.KEY. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/browse.h"
#include "ui/dialog.h"
#include "ui/form.h"
#include "ui/view.h"

#define SET_VALUE_MAX 4097 /* the longest value settings_check takes, and its NUL */

struct set_row {
	char *key, *value, *def;
	bool is_default, pattern;
};

static struct {
	struct set_row *rows;
	size_t n, cap;
} sv;

static const char *const set_heads[] = { N_("Setting"), N_("Value"), N_("Default") };
static const int set_widths[] = { 30, 26, 0 };
static struct browser set_b = { NULL, set_heads, set_widths, 3, -1 };

static void
rows_free(void)
{
	for (size_t i = 0; i < sv.n; i++) {
		free(sv.rows[i].key);
		free(sv.rows[i].value);
		free(sv.rows[i].def);
	}
	free(sv.rows);
	memset(&sv, 0, sizeof sv);
}

static int
row_add(const char *key, const char *value, int is_default, bool pattern)
{
	struct settings_info in;
	struct set_row *r;

	if (sv.n == sv.cap) {
		size_t cap = sv.cap ? sv.cap * 2 : 64;
		struct set_row *nr = realloc(sv.rows, cap * sizeof *nr);
		if (!nr)
			return 1;
		sv.rows = nr;
		sv.cap = cap;
	}
	r = &sv.rows[sv.n];
	memset(r, 0, sizeof *r);
	r->key = strdup(key);
	r->value = strdup(value);
	r->def = strdup(settings_info_key(key, &in) && in.def ? in.def : "");
	r->is_default = is_default;
	r->pattern = pattern;
	if (!r->key || !r->value || !r->def) {
		free(r->key);
		free(r->value);
		free(r->def);
		return 1;
	}
	sv.n++;
	return 0;
}

/* The station's keys come first (settings_foreach gives them in the
 * table's order), then the per-host patterns, then the host keys set. */
static int
collect_station(const char *key, const char *value, int is_default, void *ud)
{
	(void)ud;
	return strncmp(key, "host.", 5) == 0 ? 0 : row_add(key, value, is_default, false);
}

static int
collect_host(const char *key, const char *value, int is_default, void *ud)
{
	(void)ud;
	return strncmp(key, "host.", 5) != 0 ? 0 : row_add(key, value, is_default, false);
}

static void
rows_load(struct ui *ui)
{
	struct pt_err err = { 0 };
	struct settings_info in;

	rows_free();
	if (!ui->st)
		return;
	if (settings_foreach(ui->st, collect_station, NULL, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return;
	}
	for (size_t i = 0; settings_info_at(i, &in); i++)
		if (strchr(in.name, '*') && row_add(in.name, "", 1, true))
			return;
	if (settings_foreach(ui->st, collect_host, NULL, &err) != PT_OK)
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
}

static int
set_each(void *ctx, ui_row_cb cb, void *ud)
{
	(void)ctx;
	for (size_t i = 0; i < sv.n; i++) {
		const struct set_row *s = &sv.rows[i];
		struct ui_row r = { .id = (int64_t)i };

		r.col[0] = s->key;
		r.col[1] = s->pattern ? _("(per host)") : s->value[0] ? s->value : _("(unset)");
		r.col[2] = s->def[0] ? s->def : _("(unset)");
		if (cb(&r, ud))
			break;
	}
	return 0;
}

static const struct set_row *
selected(void)
{
	const struct ui_row *r = set_b.list ? ui_list_selected(set_b.list) : NULL;

	return r && (size_t)r->id < sv.n ? &sv.rows[r->id] : NULL;
}

static void
set_enter(struct ui *ui)
{
	struct ui_list_source s = { .ncols = 3, .each = set_each, .ctx = ui };

	rows_load(ui);
	if (!set_b.list)
		set_b.list = ui_list_new(&s);
	if (set_b.list)
		ui_list_refresh(set_b.list);
}

/* After a change: the rows again, the same row selected. */
static void
set_reload(struct ui *ui)
{
	size_t sel = set_b.list ? set_b.list->sel : 0;

	set_enter(ui);
	if (set_b.list)
		ui_list_move(set_b.list, (long)sel);
}

/* Under the list: what the selected key is for, what a value must be,
 * its default; wrapped, never cut. */
static void
set_draw_detail(int y, int rows)
{
	const struct set_row *s = selected();
	struct settings_info in;
	char text[1024];
	const char *p;
	int w = COLS - 2;

	for (int r = 0; r < rows; r++)
		ui_put(y + r, 0, COLS, A_NORMAL, "", true);
	if (!s || !settings_info_key(s->key, &in))
		return;
	snprintf(text, sizeof text, _("%s = %s (default %s).  %s%sAccepts %s."), s->key,
	         s->pattern    ? _("(per host)")
	         : s->value[0] ? s->value
	                       : _("(unset)"),
	         in.def ? in.def : _("(unset)"), in.help[0] ? _(in.help) : "",
	         in.help[0] ? ".  " : "", _(in.rule));
	p = text;
	for (int r = 0; r < rows && *p; r++) {
		int len = (int)strlen(p), cut = len > w ? w : len;
		if (len > w) {
			while (cut > w / 2 && p[cut] != ' ')
				cut--;
			if (p[cut] != ' ')
				cut = w;
		}
		char line[256];
		snprintf(line, sizeof line, "%.*s", cut < 255 ? cut : 255, p);
		ui_put(y + r, 1, w, theme_attr(ROLE_HINT), line, false);
		p += cut;
		p += strspn(p, " ");
	}
}

static void
set_draw(struct ui *ui, int top, int rows)
{
	static const struct browser_cells gap = { .gap = true };
	int detail = rows > 8 ? 3 : 0;

	browser_draw_cells(ui, &set_b, &gap, top, rows - detail, true);
	if (detail)
		set_draw_detail(top + rows - detail, detail);
}

struct set_edit {
	char key[320];
};

static int
set_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct set_edit *e = ud;
	struct pt_err err = { 0 };

	(void)n;
	if (store_begin(ui->st, &err) == PT_OK) {
		if (settings_set(ui->st, e->key, f[0].buf, &err) == PT_OK)
			store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	if (err.status != PT_OK) {
		/* the reason in the form; nothing was stored */
		snprintf(msg, len, "%s", pt_err_text(&err));
		return 0;
	}
	ui_message(ui, ROLE_BAND_OK, _("%s = %s (recorded in the audit trail)."), e->key, f[0].buf);
	return -1;
}

/* The form of one key: a choice for a key with fixed values, else text. */
static void
set_edit_key(struct ui *ui, const char *key)
{
	struct set_edit e;
	struct settings_info in;
	struct pt_err err = { 0 };
	char *now = NULL, *buf, title[360], hint[512];
	size_t nch = 0;

	if (!settings_info_key(key, &in)) {
		ui_message(ui, ROLE_ALERT, _("unknown setting \"%s\""), key);
		return;
	}
	if (settings_get(ui->st, key, &now, &err) != PT_OK) {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
		return;
	}
	if (!(buf = calloc(1, SET_VALUE_MAX))) {
		free(now);
		return;
	}
	snprintf(e.key, sizeof e.key, "%s", key);
	snprintf(buf, SET_VALUE_MAX, "%s", now ? now : "");
	free(now);
	while (in.choices && in.choices[nch])
		nch++;
	if (nch && !buf[0])
		snprintf(buf, SET_VALUE_MAX, "%s", in.choices[0]);
	snprintf(hint, sizeof hint, "%s", _(in.rule));
	struct ui_field f[1] = {
		{ _("Value"), buf, SET_VALUE_MAX, false, hint, UI_FILE_NONE },
	};
	const struct ui_choice ch[1] = { { 0, in.choices, nch, NULL } };
	snprintf(title, sizeof title, _("Setting %s"), key);
	if (!ui_form_choices(ui, title, f, 1, ch, nch ? 1 : 0, set_submit, &e))
		ui_message(ui, ROLE_HINT, _("Cancelled: %s unchanged."), key);
	free(buf);
	set_reload(ui);
}

/* A per-host pattern: which host first. */
static void
set_edit_pattern(struct ui *ui, const char *pattern)
{
	char fqdn[256] = "", key[320], label[360];
	const char *star = strchr(pattern, '*');

	snprintf(label, sizeof label, _("Host for %s (FQDN): "), pattern);
	if (!ui_prompt(ui, label, fqdn, sizeof fqdn, false) || !fqdn[0]) {
		ui_message(ui, ROLE_HINT, "%s", _("Cancelled: no setting changed."));
		return;
	}
	snprintf(key, sizeof key, "%.*s%s%s", (int)(star - pattern), pattern, fqdn, star + 1);
	set_edit_key(ui, key);
}

static void
set_reset(struct ui *ui, const struct set_row *s)
{
	struct pt_err err = { 0 };
	char key[320], line[400];
	const char *lines[1] = { line };

	if (s->pattern) {
		ui_message(ui, ROLE_HINT, _("%s is a pattern: a host's own key returns to it."),
		           s->key);
		return;
	}
	if (s->is_default) {
		ui_message(ui, ROLE_HINT, _("%s is at its default already: nothing changed."),
		           s->key);
		return;
	}
	snprintf(key, sizeof key, "%s", s->key);
	snprintf(line, sizeof line, _("%s: %s, default %s"), key, s->value,
	         s->def[0] ? s->def : _("(unset)"));
	if (!dialog_ask(ui, _("Reset a setting"), lines, 1, _("Return it to its default?"))) {
		ui_message(ui, ROLE_HINT, _("Cancelled: %s unchanged."), key);
		return;
	}
	if (store_begin(ui->st, &err) == PT_OK) {
		if (settings_unset(ui->st, key, &err) == PT_OK)
			store_commit(ui->st, &err);
		else
			store_rollback(ui->st);
	}
	if (err.status != PT_OK)
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&err));
	else
		ui_message(ui, ROLE_BAND_OK,
		           _("%s back to its default (recorded in the audit trail)."), key);
	set_reload(ui);
}

static bool
set_handle(struct ui *ui, enum ui_action a, int key)
{
	const struct set_row *s;

	(void)key;
	if (browser_handle(ui, &set_b, a))
		return true;
	if ((a == ACT_OPEN || a == ACT_EDIT) && (s = selected())) {
		if (s->pattern)
			set_edit_pattern(ui, s->key);
		else
			set_edit_key(ui, s->key);
		return true;
	}
	if (a == ACT_DELETE && (s = selected())) {
		set_reset(ui, s);
		return true;
	}
	return false;
}

static void
set_reset_view(struct ui *ui)
{
	(void)ui;
	ui_list_free(&set_b.list);
	rows_free();
}

const struct view_ops ui_settings_ops = {
	.title = N_("Settings"),
	.actions = BROWSER_ACTIONS | ACTBIT(ACT_OPEN) | ACTBIT(ACT_EDIT) | ACTBIT(ACT_DELETE),
	.enter = set_enter,
	.draw = set_draw,
	.handle = set_handle,
	.reset = set_reset_view,
};

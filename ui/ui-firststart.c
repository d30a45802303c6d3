/* ui-firststart.c - the console's first start: with no store at the
 * path, a screen that says so and offers to create one (passphrase
 * twice, masked, in secure memory; the key derivation calibrated here
 * and its cost shown as `passtore init` reports it), then a "first
 * steps" list over the empty dashboard whose lines lead to the forms.
 * Every refusal (Esc, a short passphrase, two that differ) creates
 * nothing. */
#include "config.h"

#include <curses.h>
#include <panel.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/ca.h"
#include "ui/view.h"
#include "ui/dialog.h"
#include "ui/firststart.h"
#include "ui/form.h"
#include "ui/hosts.h"

#define FS_PASS_MAX 256
#define FS_PASS_MIN 8
#define FS_TARGET_MS 600 /* as `passtore init`: the derivation takes about this */

/* The screen that explains; true on Enter. */
static bool
fs_explain(struct ui *ui)
{
	char where[1200];
	const char *l[8];
	size_t n = 0;

	snprintf(where, sizeof where, _("There is no store at %s."), ui->path);
	l[n++] = where;
	l[n++] = "";
	l[n++] = _("passtore keeps every secret of the site in one encrypted file.");
	l[n++] = _("Create it now: a passphrase of at least 8 characters, typed twice.");
	l[n++] = _("Without the passphrase the store cannot be opened: keep it safe.");
	l[n++] = "";
	return dialog_ask(ui, _("First start"), l, n, _("Create the store?"));
}

struct fs_job {
	struct store *st;
	struct kdf_params kp;
	double unlock_ms;
};

/* Calibrate, create, audit; the store is removed again on any failure. */
static enum pt_status
fs_create(struct ui *ui, const char *pass, struct fs_job *j, struct pt_err *err)
{
	enum pt_status ret;

	memset(&j->kp, 0, sizeof j->kp);
	if ((ret = kdf_calibrate(&j->kp, FS_TARGET_MS, err)) != PT_OK)
		return ret;
	if (!j->kp.lanes)
		j->kp.lanes = 2;
	if ((ret = kdf_params_check(&j->kp, err)) != PT_OK)
		return ret;
	j->unlock_ms = kdf_time_ms(&j->kp);
	if ((ret = store_create(ui->path, pass, strlen(pass), &j->kp, &j->st, err)) != PT_OK)
		return ret;
	if ((ret = store_begin(j->st, err)) == PT_OK) {
		ret = audit_appendf(j->st, "store.init", ui->path, err,
		                    "kdf=argon2id m=%uMiB t=%u p=%u", j->kp.m_kib / 1024,
		                    j->kp.t_cost, j->kp.lanes);
		if (ret == PT_OK)
			ret = store_commit(j->st, err);
		else
			store_rollback(j->st);
	}
	if (ret != PT_OK) {
		store_close(&j->st);
		unlink(ui->path);
	}
	return ret;
}

static int
fs_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct fs_job *j = ud;
	struct pt_err err = { 0 };
	const char *l[1] = { _("Measuring the key derivation on this machine, then creating the "
		               "store...") };

	(void)n;
	if (strlen(f[0].buf) < FS_PASS_MIN) {
		snprintf(msg, len, _("The passphrase must have at least %d characters."),
		         FS_PASS_MIN);
		return 0;
	}
	if (strcmp(f[0].buf, f[1].buf) != 0) {
		secmem_wipe(f[0].buf, f[0].len);
		secmem_wipe(f[1].buf, f[1].len);
		snprintf(msg, len, "%s", _("The two passphrases differ: type them again."));
		return 0;
	}
	dialog_show(ui, _("First start"), l, 1, _("Please wait..."));
	if (fs_create(ui, f[0].buf, j, &err) != PT_OK) {
		snprintf(msg, len, _("No store was created: %s"), pt_err_text(&err));
		return 0;
	}
	return -1;
}

/* What the creation chose, as `passtore init` says it. */
static void
fs_report(struct ui *ui, const struct fs_job *j)
{
	char a[1200], b[256], c[256];
	const char *l[5] = { a, "", b, c, "" };

	snprintf(a, sizeof a, _("Created %s."), ui->path);
	snprintf(b, sizeof b, _("Key derivation: Argon2id, memory %u MiB, time cost %u, lanes %u."),
	         j->kp.m_kib / 1024, j->kp.t_cost, j->kp.lanes);
	snprintf(c, sizeof c, _("Unlocking takes about %.1f s on this machine."),
	         j->unlock_ms / 1000.0);
	ui_popup(ui, _("Store created"), l, 5);
}

bool
ui_first_start(struct ui *ui)
{
	struct fs_job j = { 0 };
	char *b[2] = { secmem_alloc(FS_PASS_MAX), secmem_alloc(FS_PASS_MAX) };
	bool ok = false;

	if (b[0] && b[1] && fs_explain(ui)) {
		struct ui_field f[2] = {
			{ _("Passphrase"), b[0], FS_PASS_MAX, true, _("at least 8 characters"),
			  UI_FILE_NONE },
			{ _("Repeat"), b[1], FS_PASS_MAX, true, NULL, UI_FILE_NONE },
		};
		ok = ui_form(ui, _("Create the store"), f, 2, fs_submit, &j);
	}
	secmem_free(b[0]);
	secmem_free(b[1]);
	if (!ok)
		return false;
	ui->st = j.st;
	fs_report(ui, &j);
	return true;
}

/* ---- first steps ---- */

static const char *const fs_steps[] = {
	N_("Network: the station's interface and gateway"),
	N_("A CA: its name and bundle"),
	N_("Hosts: the machines whose keys and certificates live here"),
};
#define FS_STEPS (sizeof fs_steps / sizeof fs_steps[0])

/* A step whose form does not exist yet in the console: the command.
 * From the menu the store need not be empty: the heading does not say so. */
static void
fs_steps_draw(WINDOW *w, size_t cur, bool menu)
{
	int width = getmaxx(w) - 4;

	ui_wput(w, 2, 2, width, A_NORMAL,
	        menu ? _("Setting up the station, step by step:")
	             : _("The store is empty. First steps:"),
	        true);
	for (size_t i = 0; i < FS_STEPS; i++) {
		char line[256];
		snprintf(line, sizeof line, " %zu. %s", i + 1, _(fs_steps[i]));
		ui_wput(w, 4 + (int)i, 2, width,
		        i == cur ? theme_attr(ROLE_SELECTED) : (int)A_NORMAL, line, true);
	}
	ui_wput(w, getmaxy(w) - 2, 2, width, theme_attr(ROLE_HINT),
	        _("Up/Down: choose  Enter: go there  Esc: to the dashboard"), true);
	update_panels();
	doupdate();
}

static void
fs_steps_run(struct ui *ui, bool menu)
{
	size_t cur = 0;
	int k;

	for (;;) {
		WINDOW *w = ui_panel_open(11, COLS < 76 ? COLS : 76, _("First steps"));
		if (!w)
			return;
		fs_steps_draw(w, cur, menu);
		bool got = ui_waitkey(ui, &k);
		ui_panel_close(w);
		if (!got || k == 27 || k == KEY_F(10) || k == 'q')
			break;
		if (k == KEY_UP && cur > 0)
			cur--;
		else if (k == KEY_DOWN && cur + 1 < FS_STEPS)
			cur++;
		else if (k >= '1' && k < '1' + (int)FS_STEPS)
			cur = (size_t)(k - '1');
		else if (k != '\r' && k != '\n' && k != KEY_ENTER)
			continue;
		if (k == KEY_UP || k == KEY_DOWN)
			continue;
		if (cur == 0) {
			/* the network is settings: their screen, net.* among them */
			ui_switch(ui, VIEW_SETTINGS);
			break;
		}
		if (cur == 1)
			ui_ca_add_form(ui);
		else
			host_new_form(ui);
		ui_draw(ui);
	}
	ui->dirty = true;
}

void
ui_first_steps(struct ui *ui)
{
	fs_steps_run(ui, false);
}

void
ui_first_steps_menu(struct ui *ui)
{
	fs_steps_run(ui, true);
}

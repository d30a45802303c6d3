/* ui-unlock.c - the unlock screen: a masked passphrase, store_open in a
 * thread with a spinner while the KDF runs, a growing delay after a
 * wrong passphrase. */
#include "config.h"

#include <curses.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "store/lib.h"
#include "engine/lib.h"
#include "ui/app.h"
#include "ui/view.h"

#define PASS_MAX 256

static struct {
	char *pass; /* secure memory */
	size_t n;
	int failures;
	int64_t wait_until_ms; /* no attempt before this */
	bool busy;             /* the KDF thread runs */
	volatile int done;
	pthread_t thread;
	struct store *st;
	struct pt_err err;
	enum pt_status ret;
	int spin;
	int64_t started_ms;
} u;

static void *
open_thread(void *arg)
{
	struct ui *ui = arg;

	u.ret = store_open(ui->path, u.pass, u.n, &u.st, &u.err);
	__atomic_store_n(&u.done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
unlock_enter(struct ui *ui)
{
	(void)ui;
	if (!u.pass)
		u.pass = secmem_alloc(PASS_MAX);
	if (u.pass)
		secmem_wipe(u.pass, PASS_MAX);
	u.n = 0;
}

static void
unlock_draw(struct ui *ui, int top, int rows)
{
	int y = top + rows / 2 - 4, x = (COLS - 60) / 2;
	char line[512];

	(void)rows;
	ui_put(y, x, 60, theme_attr(ROLE_TITLE), _(" Unlock the store "), true);
	snprintf(line, sizeof line, _("Store: %s"), ui->path);
	ui_put(y + 2, x, 60, A_NORMAL, line, false);
	if (access(ui->path, F_OK) != 0)
		ui_put(y + 3, x, 60, theme_attr(ROLE_ALERT),
		       _("No store here yet: create one with \"passtore init\"."), false);
	if (ui->demo_dir)
		ui_put(y + 3, x, 60, theme_attr(ROLE_HINT),
		       _("Demo store: the passphrase is \"demo\"."), false);
	ui_put(y + 5, x, 12, A_BOLD, _("Passphrase:"), false);
	move(y + 5, x + 13);
	attrset(theme_attr(ROLE_SELECTED));
	for (int i = 0; i < 40; i++)
		addch(i < (int)u.n ? '*' : ' ');
	attrset(A_NORMAL);
	if (u.busy) {
		static const char spin[] = "|/-\\";
		snprintf(line, sizeof line, _("%c Deriving the key and unlocking... %.1f s"),
		         spin[u.spin % 4], (double)(ui_now_ms() - u.started_ms) / 1000.0);
		ui_put(y + 7, x, 60, theme_attr(ROLE_HINT), line, false);
	} else if (u.wait_until_ms > ui_now_ms()) {
		snprintf(line, sizeof line, _("Wrong passphrase (%d failed). Try again in %lld s."),
		         u.failures, (long long)((u.wait_until_ms - ui_now_ms() + 999) / 1000));
		ui_put(y + 7, x, 60, theme_attr(ROLE_ALERT), line, false);
	} else if (u.failures) {
		snprintf(line, sizeof line, _("Wrong passphrase (%d failed). Try again."),
		         u.failures);
		ui_put(y + 7, x, 60, theme_attr(ROLE_ALERT), line, false);
	} else {
		ui_put(y + 7, x, 60, theme_attr(ROLE_HINT),
		       _("Type the passphrase and press Enter; F10 quits."), false);
	}
}

static void
start(struct ui *ui)
{
	u.done = 0;
	u.busy = true;
	u.st = NULL;
	pt_err_clear(&u.err);
	u.started_ms = ui_now_ms();
	if (pthread_create(&u.thread, NULL, open_thread, ui) != 0) {
		u.busy = false;
		ui_message(ui, ROLE_ALERT, "%s", _("cannot start the unlock thread"));
	}
}

static void
finish(struct ui *ui)
{
	pthread_join(u.thread, NULL);
	u.busy = false;
	secmem_wipe(u.pass, PASS_MAX);
	u.n = 0;
	if (u.ret == PT_OK) {
		int w = 0, r = 0;
		struct pt_err e = { 0 };
		ui->st = u.st;
		u.st = NULL;
		u.failures = 0;
		u.wait_until_ms = 0;
		transfer_recover(ui->st, &w, &r, &e);
		ui_switch(ui, VIEW_DASH);
		if (w || r)
			ui_message(ui, ROLE_ALERT,
			           _("Closed %d window(s) and %d rule(s) left by a dead process."),
			           w, r);
		return;
	}
	if (u.ret == PT_LOCKED) {
		u.failures++;
		long delay = 1L << (u.failures - 1 < 5 ? u.failures - 1 : 5);
		u.wait_until_ms = ui_now_ms() + delay * 1000;
		ui->msg[0] = '\0';
	} else {
		ui_message(ui, ROLE_ALERT, "%s", pt_err_text(&u.err));
	}
	ui->dirty = true;
}

static bool
unlock_tick(struct ui *ui)
{
	if (u.busy) {
		if (__atomic_load_n(&u.done, __ATOMIC_ACQUIRE))
			finish(ui);
		u.spin++;
		return true;
	}
	return u.wait_until_ms > 0 && u.wait_until_ms + 1000 > ui_now_ms();
}

static bool
unlock_handle(struct ui *ui, enum ui_action a, int key)
{
	if (u.busy || !u.pass)
		return true;
	(void)a;
	if (key == KEY_F(10)) {
		ui->quit = true;
		return true;
	}
	if (u.wait_until_ms > ui_now_ms())
		return true; /* typing ahead during the delay is dropped */
	if (key == '\r' || key == '\n' || key == KEY_ENTER) {
		if (u.n > 0)
			start(ui);
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (u.n > 0)
			u.pass[--u.n] = '\0';
	} else if (key == 21) { /* ^U */
		secmem_wipe(u.pass, PASS_MAX);
		u.n = 0;
	} else if (key >= 32 && key < 256 && u.n + 1 < PASS_MAX) {
		u.pass[u.n++] = (char)key;
	}
	return true;
}

static void
unlock_reset(struct ui *ui)
{
	(void)ui;
	if (u.busy) {
		pthread_join(u.thread, NULL);
		u.busy = false;
		store_close(&u.st);
	}
	if (u.pass)
		secmem_wipe(u.pass, PASS_MAX);
	u.n = 0;
}

const struct view_ops ui_unlock_ops = {
	.title = N_("Unlock"),
	.actions = ACTBIT(ACT_BACK) | ACTBIT(ACT_HELP),
	.enter = unlock_enter,
	.draw = unlock_draw,
	.handle = unlock_handle,
	.tick = unlock_tick,
	.reset = unlock_reset,
};

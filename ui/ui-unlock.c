/* ui-unlock.c - the unlock screen: a masked passphrase, store_open in a
 * thread with a spinner while the KDF runs, a growing delay after a
 * wrong passphrase; and "Recover with shares" (^R or F6): k recovery
 * shares typed line by line, each line checked as it is entered, then a
 * new passphrase twice before anything else opens. */
#include "config.h"

#include <curses.h>
#include <pthread.h>
#include <stdarg.h>
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
	bool sandboxed; /* the main process's seccomp filter is in */
} u;

/* Recover with shares: what is typed, and the shares taken so far. */
#define LINE_MAX_IN 128
static struct {
	bool on;
	int stage; /* 0 share lines, 1 new passphrase, 2 again */
	struct escrow_reader *rd;
	struct escrow_piece *p; /* ESCROW_MAX_N of them */
	size_t count;
	char *in; /* the line or passphrase being typed (secure memory) */
	size_t n;
	char *pass1;
	struct store *st; /* opened by the shares, not yet handed over */
	char note[512];
	bool note_bad;
} rcv;

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
recover_draw(struct ui *ui, int top, int rows)
{
	int y = top + rows / 2 - 6, x = (COLS - 70) / 2;
	char line[640];

	if (x < 0)
		x = 0;
	ui_put(y, x, 70, theme_attr(ROLE_TITLE), _(" Recover with shares "), true);
	snprintf(line, sizeof line, _("Store: %s"), ui->path);
	ui_put(y + 2, x, 70, A_NORMAL, line, false);
	if (rcv.count)
		snprintf(line, sizeof line, _("Shares accepted: %zu of the %u needed."), rcv.count,
		         rcv.p[0].k);
	else
		snprintf(line, sizeof line, "%s",
		         _("Type each share's four lines as printed; each is checked on Enter."));
	ui_put(y + 3, x, 70, A_NORMAL, line, false);
	if (rcv.stage == 0)
		snprintf(line, sizeof line, _("Share %zu, line %u:"), rcv.count + 1,
		         rcv.rd->lines + 1);
	else
		snprintf(line, sizeof line, "%s",
		         rcv.stage == 1 ? _("New passphrase:") : _("Repeat it:"));
	ui_put(y + 5, x, 22, A_BOLD, line, false);
	move(y + 5, x + 22);
	attrset(theme_attr(ROLE_SELECTED));
	for (int i = 0; i < 40; i++)
		addch(i < (int)rcv.n ? (rcv.stage ? '*' : rcv.in[i]) : ' ');
	attrset(A_NORMAL);
	if (rcv.note[0])
		ui_put(y + 7, x, 70, theme_attr(rcv.note_bad ? ROLE_ALERT : ROLE_HINT), rcv.note,
		       false);
	ui_put(y + 9, x, 70, theme_attr(ROLE_HINT),
	       rcv.stage ? _("The store opens only with a new passphrase; Esc gives up.")
	                 : _("Enter checks the line; Esc goes back to the passphrase."),
	       false);
}

static void
unlock_draw(struct ui *ui, int top, int rows)
{
	if (rcv.on) {
		recover_draw(ui, top, rows);
		return;
	}
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
	ui_put(y + 8, x, 60, theme_attr(ROLE_HINT),
	       _("Lost it? ^R (or F6): recover with the holders' shares."), false);
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
		/* split at start (main.c): from the first unlock on, only the
		 * calls the console's work makes */
		if (privsep_active() && !u.sandboxed && sandbox_enter(SANDBOX_MAIN, &e) == PT_OK)
			u.sandboxed = true;
		ui_unlocked(ui);
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

static void note(bool bad, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(bool bad, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rcv.note, sizeof rcv.note, fmt, ap);
	va_end(ap);
	rcv.note_bad = bad;
}

static void
recover_clear(void)
{
	store_close(&rcv.st);
	secmem_free(rcv.rd);
	secmem_free(rcv.p);
	secmem_free(rcv.in);
	secmem_free(rcv.pass1);
	memset(&rcv, 0, sizeof(rcv));
}

static void
recover_begin(void)
{
	recover_clear();
	rcv.rd = secmem_alloc(sizeof(*rcv.rd));
	rcv.p = secmem_alloc(ESCROW_MAX_N * sizeof(*rcv.p));
	rcv.in = secmem_alloc(LINE_MAX_IN);
	rcv.pass1 = secmem_alloc(LINE_MAX_IN);
	rcv.on = rcv.rd && rcv.p && rcv.in && rcv.pass1;
	if (!rcv.on)
		recover_clear();
}

/* The shares are in: open the store with them (nothing changes yet). */
static void
recover_open(struct ui *ui)
{
	struct pt_err err = { 0 };

	if (store_open_shares(ui->path, rcv.p, rcv.count, &rcv.st, &err) != PT_OK) {
		note(true, "%s", pt_err_text(&err));
		rcv.count = 0; /* start again from the first share */
		return;
	}
	rcv.stage = 1;
	note(false, "%s", _("The shares open the store. Now give it a new passphrase."));
}

static void
recover_line(struct ui *ui)
{
	struct pt_err err = { 0 };

	if (escrow_read_line(rcv.rd, rcv.in, &err) != PT_OK) {
		note(true, "%s", pt_err_text(&err)); /* the same line is asked again */
		return;
	}
	if (rcv.rd->lines < ESCROW_LINES) {
		note(false, _("Line %u checked."), rcv.rd->lines);
		return;
	}
	if (escrow_read_done(rcv.rd, &rcv.p[rcv.count], &err) != PT_OK) {
		note(true, "%s", pt_err_text(&err));
	} else if (rcv.count && rcv.p[rcv.count].k != rcv.p[0].k) {
		note(true, "%s", _("this share is of another split: type the shares of one split"));
	} else {
		rcv.count++;
		note(false, _("Share %zu accepted (number %u of %u)."), rcv.count,
		     rcv.p[rcv.count - 1].index, rcv.p[rcv.count - 1].n);
		if (rcv.count >= rcv.p[0].k)
			recover_open(ui);
	}
	memset(rcv.rd, 0, sizeof(*rcv.rd));
}

static void
recover_passphrase(struct ui *ui)
{
	char names[ESCROW_NAMES_LEN];
	struct pt_err err = { 0 };

	if (rcv.stage == 1) {
		if (rcv.n < ESCROW_PASSPHRASE_MIN) {
			note(true, _("the passphrase must have at least %d characters"),
			     ESCROW_PASSPHRASE_MIN);
			return;
		}
		memcpy(rcv.pass1, rcv.in, rcv.n + 1);
		rcv.stage = 2;
		note(false, "%s", _("Type it again."));
		return;
	}
	if (strcmp(rcv.pass1, rcv.in) != 0) {
		rcv.stage = 1;
		note(true, "%s", _("the two values typed differ: nothing changed"));
		return;
	}
	if (escrow_recovered(rcv.st, rcv.p, rcv.count, rcv.in, rcv.n, names, sizeof names, &err) !=
	    PT_OK) {
		note(true, "%s", pt_err_text(&err));
		rcv.stage = 1;
		return;
	}
	ui->st = rcv.st;
	rcv.st = NULL;
	recover_clear();
	ui_switch(ui, VIEW_DASH);
	ui_message(ui, ROLE_HINT,
	           _("Recovered with shares %s: the store now opens with the new passphrase."),
	           names);
}

static bool
recover_handle(struct ui *ui, int key)
{
	if (key == 27 || key == KEY_F(10)) {
		recover_clear(); /* nothing was changed */
		ui->dirty = true;
		return true;
	}
	if (key == '\r' || key == '\n' || key == KEY_ENTER) {
		if (rcv.stage == 0 && rcv.n)
			recover_line(ui);
		else if (rcv.stage)
			recover_passphrase(ui);
		if (rcv.on) {
			secmem_wipe(rcv.in, LINE_MAX_IN);
			rcv.n = 0;
		}
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (rcv.n > 0)
			rcv.in[--rcv.n] = '\0';
	} else if (key == 21) { /* ^U */
		secmem_wipe(rcv.in, LINE_MAX_IN);
		rcv.n = 0;
	} else if (key >= 32 && key < 256 && rcv.n + 1 < LINE_MAX_IN) {
		rcv.in[rcv.n++] = (char)key;
	}
	ui->dirty = true;
	return true;
}

static bool
unlock_handle(struct ui *ui, enum ui_action a, int key)
{
	if (u.busy || !u.pass)
		return true;
	(void)a;
	if (rcv.on)
		return recover_handle(ui, key);
	if (key == 18 || key == KEY_F(6)) { /* ^R: recover with shares */
		recover_begin();
		ui->dirty = true;
		return true;
	}
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
	recover_clear();
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

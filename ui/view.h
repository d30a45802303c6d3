/* view.h - what the console's screens share: the session, the view
 * table (tig's view_ops) and the drawing helpers of app.c. */
#ifndef PASSTORE_UI_VIEW_H
#define PASSTORE_UI_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "theme.h"

struct store;

enum ui_view_id { VIEW_UNLOCK, VIEW_DASH, VIEW_HOSTS, VIEW_PASSWORDS, VIEW_TRANSFERS, VIEW_AUDIT,
                  VIEW_CERTS, VIEW_GRID, VIEW_MAX };

struct ui {
	struct store *st;          /* NULL while locked */
	char *path;                /* the store file */
	char *demo_dir;            /* --demo: removed on exit */
	long lock_after;           /* seconds idle before locking; 0: never */
	long reveal_secs;          /* how long a revealed secret stays */
	int64_t last_input_ms;
	enum ui_view_id view;
	char msg[256];
	enum theme_role msg_role;
	bool quit, dirty, lock_now;
	/* the one revealed secret (secure memory), if any */
	int64_t reveal_id;
	char *reveal;
	int64_t reveal_until_ms;
};

struct view_ops {
	const char *title;                /* N_() */
	unsigned long long actions;       /* what the view handles, besides the globals */
	void (*enter)(struct ui *ui);     /* shown (again) */
	void (*draw)(struct ui *ui, int top, int rows);
	/* true when handled */
	bool (*handle)(struct ui *ui, enum ui_action a, int key);
	/* a timer tick (~100 ms): true when the screen must be redrawn */
	bool (*tick)(struct ui *ui);
	/* lock: forget everything read from the store */
	void (*reset)(struct ui *ui);
	/* the host the selected row is about (for the global actions'
	 * defaults), or NULL; may be NULL itself */
	const char *(*context_host)(struct ui *ui);
};

extern const struct view_ops ui_unlock_ops, ui_dash_ops, ui_hosts_ops, ui_passwords_ops,
	ui_transfers_ops, ui_audit_ops, ui_certs_ops, ui_grid_ops;

/* ui-actions.c: the global actions of the menu (add host, add password,
 * request, send CSR, fetch, install, push, fetch VO, passphrase, backup).
 * host: the current screen's context host, or NULL.  True when handled. */
bool ui_run_action(struct ui *ui, enum ui_action a, const char *host);

/* ui-grid.c: push a host's grid-mapfile and vomsdir files, fetch a VO's
 * member list (plan first, confirmation, the window's phases, outcome;
 * a fetched list is shown as a diff and imported only on yes). */
void ui_grid_push(struct ui *ui, const char *fqdn);
void ui_grid_fetch_vo(struct ui *ui, const char *vo);

/* app.c */
int64_t ui_now_ms(void);
void ui_switch(struct ui *ui, enum ui_view_id v);
void ui_message(struct ui *ui, enum theme_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ui_lock(struct ui *ui);
/* One line at (y, x), cut to width, padded with spaces when pad. */
void ui_put(int y, int x, int width, int attr, const char *text, bool pad);
/* The same in a window (stdscr for ui_put). */
void ui_wput(WINDOW *win, int y, int x, int width, int attr, const char *text, bool pad);
/* A boxed window of h x w (at most the screen) in the middle of the
 * screen, on a panel of its own above the others; NULL when curses has
 * no room.  ui_panel_close removes it and puts back what was under it
 * (update_panels, doupdate): the screen below is not drawn again. */
WINDOW *ui_panel_open(int h, int w, const char *title);
void ui_panel_close(WINDOW *win);
/* A framed, blanked box of h x w (at most the screen) in the middle of
 * the screen, over what is drawn there; its top-left corner in *y, *x. */
void ui_box(int h, int w, int *y, int *x, const char *title);
/* Ask for a line on the message row; false on Esc. */
bool ui_prompt(struct ui *ui, const char *label, char *buf, size_t len, bool masked);
bool ui_confirm(struct ui *ui, const char *question);
/* Show lines in a box until a key. */
void ui_popup(struct ui *ui, const char *title, const char *const *lines, size_t n);
/* Read a key, with the idle lock and resize handled; ERR on timeout. */
int ui_getkey(struct ui *ui, int timeout_ms);
/* Wait for a key for a dialog; false when the idle lock fired first
 * (the dialog must give up so the session can lock). */
bool ui_waitkey(struct ui *ui, int *k);
/* The same with the cursor shown where it was left (a field being typed). */
bool ui_waitkey_cursor(struct ui *ui, int *k);
/* A key as the answer to a y/n question: 1 yes, 0 no (Esc, F10 and q
 * too), -1 neither. */
int ui_yes_no(int k);

/* reveal.c-like helpers in app.c */
void ui_reveal_clear(struct ui *ui);
bool ui_reveal(struct ui *ui, int64_t id);

/* form.c */
struct ui_field {
	const char *label;   /* translated */
	char *buf;           /* the caller's (secure memory when masked) */
	size_t len;
	bool masked;
	const char *hint;    /* translated, may be NULL */
};
/* validate: returns -1 when accepted (and done), else the field to fix
 * with a message in err. */
typedef int (*ui_form_submit)(struct ui *ui, struct ui_field *f, size_t n, char *err,
                              size_t errlen, void *ud);
bool ui_form(struct ui *ui, const char *title, struct ui_field *f, size_t n, ui_form_submit submit,
             void *ud);
/* A choice field: its buf holds one of choices (Left/Right/Space cycle;
 * nothing is typed there). */
struct ui_choice {
	size_t field;
	const char *const *choices;
	size_t n;
	/* told after the choice changed, with the form's ud; may be NULL */
	void (*changed)(struct ui_field *f, size_t n, size_t which, void *ud);
};
/* ui_form with choice fields. */
bool ui_form_choices(struct ui *ui, const char *title, struct ui_field *f, size_t n,
                     const struct ui_choice *ch, size_t nch, ui_form_submit submit, void *ud);

/* dialog.c: boxes drawn over a cleared screen (the caller's view is
 * redrawn afterwards: ui->dirty is set). */
/* A box of h x w in the middle; its top-left corner in *y, *x. */
void dialog_box(struct ui *ui, int h, int w, int *y, int *x, const char *title);
/* Lines in a box with a question under them; true on y. */
bool dialog_ask(struct ui *ui, const char *title, const char *const *lines, size_t n,
                const char *question);
/* Lines in a box with a status line under them, drawn at once (no key
 * is read: for progress while something runs). */
void dialog_show(struct ui *ui, const char *title, const char *const *lines, size_t n,
                 const char *status);

#endif

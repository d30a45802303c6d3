/* app.h - the console session (struct ui) and what app.c gives every
 * screen: switching views, the message line, the idle lock, drawing
 * helpers, prompts, reading keys, and the one revealed secret. */
#ifndef PASSTORE_UI_APP_H
#define PASSTORE_UI_APP_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/keys.h"
#include "ui/theme.h"
#include "ui/view.h"

struct store;

struct ui {
	struct store *st; /* NULL while locked */
	char *path;       /* the store file */
	char *demo_dir;   /* --demo: removed on exit */
	long lock_after;  /* seconds idle before locking; 0: never */
	long reveal_secs; /* how long a revealed secret stays */
	int64_t last_input_ms;
	enum ui_view_id view;
	char msg[512];
	enum theme_role msg_role;
	bool quit, dirty, lock_now;
	/* the one revealed secret (secure memory), if any */
	int64_t reveal_id;
	char *reveal;
	int64_t reveal_until_ms;
	/* the last search of this screen (/): n and N find its next and
	 * previous match; "" when none (n and N then add, as before) */
	char search[128];
	/* where a lock came from, to return there after the unlock */
	enum ui_view_id locked_view;  /* VIEW_UNLOCK: none */
	size_t shown_row, locked_row; /* the focused list's selected row */
	bool restore_row;             /* the next focused list goes to locked_row */
};

int64_t ui_now_ms(void);
void ui_switch(struct ui *ui, enum ui_view_id v);
void ui_message(struct ui *ui, enum theme_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Lock now: by_user (L) or idle; the lock screen says which, and the
 * unlock returns to this screen and row (ui_unlocked). */
void ui_lock(struct ui *ui, bool by_user);
/* The store is open again: back where the lock came from. */
void ui_unlocked(struct ui *ui);
/* The whole screen again: the current view and the frame around it. */
void ui_draw(struct ui *ui);
/* The frame alone (title, message line, key bar) on a blank screen,
 * under a progress or result box. */
void ui_draw_frame(struct ui *ui);
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
/* Ask for a line on the message row; Ctrl-U clears it; false on Esc. */
bool ui_prompt(struct ui *ui, const char *label, char *buf, size_t len, bool masked);
/* The same, telling changed() after each key that changed the line,
 * before the screen is drawn again (a filter as you type). */
bool ui_prompt_live(struct ui *ui, const char *label, char *buf, size_t len,
                    void (*changed)(struct ui *ui, const char *buf, void *ud), void *ud);
/* A y/n question on the rows above the key bar, wrapped over as many
 * as it needs (at most four), the screen drawn above it; true on y. */
bool ui_confirm(struct ui *ui, const char *question);
/* The screen drawn with q in the message's place, wrapped as a long
 * message is (the message itself is kept); for a question's prompt. */
void ui_draw_question(struct ui *ui, const char *q);
/* The bytes of s that fit a row of width columns (a column a character
 * in a UTF-8 locale), cut at the last space that fits (a word longer
 * than the row is cut at its end); all of s when it fits. */
size_t ui_text_piece(const char *s, int width);
/* s cut into at most max rows of width columns with ui_text_piece, the
 * last row taking what is left (cut where it is drawn): the bytes of
 * each row in cut[], without the blanks between two rows; its rows. */
int ui_text_rows(const char *s, int width, size_t *cut, int max);
/* text drawn wrapped so (ui_text_rows) in rows rows from (y, x) of win,
 * each cut to width columns; with pad, each row padded with blanks and
 * the rows it does not need blanked. */
void ui_wput_rows(WINDOW *win, int y, int x, int width, int rows, int attr, const char *text,
                  bool pad);
/* Show lines in a box until a key. */
void ui_popup(struct ui *ui, const char *title, const char *const *lines, size_t n);
/* The same for text (help, a record): long lines wrap at spaces, the
 * continuation under the text after the first wide gap; never cut. */
void ui_popup_wrap(struct ui *ui, const char *title, const char *const *lines, size_t n);
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

/* The one revealed secret: shown in its row until the reveal timer
 * (struct ui reveal_*) runs out, the row goes or the screen changes;
 * cleared on lock and exit. */
void ui_reveal_clear(struct ui *ui);
/* Clear the glass: every window erased and refreshed, and the
 * terminal's scroll-back cleared where it can be (E3); before the
 * lock screen and before endwin. */
void ui_glass_wipe(void);
bool ui_reveal(struct ui *ui, int64_t id);

#endif

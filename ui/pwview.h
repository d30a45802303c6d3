/* pwview.h - large view, history and delete of a password entry
 * (ui-pwview.c). */
#ifndef PASSTORE_UI_PWVIEW_H
#define PASSTORE_UI_PWVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/keys.h"

struct ui;

/* The secret large, in groups of four with numbered positions and the
 * look-alike characters named; wiped on any key or after the reveal
 * time.  The caller audits the read and owns secret. */
void ui_pw_large(struct ui *ui, const char *title, const char *secret);
/* The versions with their dates; Enter shows one in the large view. */
void ui_pw_history(struct ui *ui, int64_t id);
/* The entry's name as the screens show it (user@hosts:service) into
 * buf; false, with the reason on the message line, when it cannot be read. */
bool ui_pw_name(struct ui *ui, int64_t id, char *buf, size_t len);
/* Delete after a confirmation naming the entry; true when deleted. */
bool ui_pw_delete(struct ui *ui, int64_t id);
/* D, H, K and x (generate, with choices) on a password entry (id 0: none selected); true when handled. */
bool ui_pwview_action(struct ui *ui, enum ui_action a, int64_t id);

#endif

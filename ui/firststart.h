/* firststart.h - the console's first start (ui-firststart.c). */
#ifndef PASSTORE_UI_FIRSTSTART_H
#define PASSTORE_UI_FIRSTSTART_H

#include <stdbool.h>

struct ui;

/* No store at ui->path: offer to create one.  True with ui->st open on
 * the new, empty store; false (nothing created) when the user declined. */
bool ui_first_start(struct ui *ui);
/* The "first steps" list over the dashboard; its lines lead to the forms. */
void ui_first_steps(struct ui *ui);
/* The same list from the menu (F9, "First steps"), on any store. */
void ui_first_steps_menu(struct ui *ui);

#endif

/* escrow.h - the console's recovery shares (ui-escrow.c): the splits
 * made and the rotation (E), a split shown share by share, a suspected
 * compromise recorded (y). */
#ifndef PASSTORE_UI_ESCROW_H
#define PASSTORE_UI_ESCROW_H

#include <stdbool.h>

#include "ui/keys.h"

struct ui;

/* ACT_ESCROW, ACT_SPLIT and ACT_COMPROMISE.  True when a is one of them. */
bool ui_escrow_action(struct ui *ui, enum ui_action a);

#endif

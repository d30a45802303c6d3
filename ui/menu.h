/* menu.h - the menu of every action of a screen (menu.c), generated
 * from the key table like the help screen and the F-key bar. */
#ifndef PASSTORE_UI_MENU_H
#define PASSTORE_UI_MENU_H

#include "ui/keys.h"

struct ui;

/* The actions in allowed (a set of ACTBIT) as a menu over the screen;
 * the one chosen with Enter, or ACT_NONE (Esc, the menu key again, the
 * idle lock).  The caller runs it: what to do comes back as data. */
enum ui_action ui_menu(struct ui *ui, ui_actset allowed);

#endif

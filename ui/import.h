/* import.h - the import of certificate files (ui-import.c). */
#ifndef PASSTORE_UI_IMPORT_H
#define PASSTORE_UI_IMPORT_H

#include <stdbool.h>

struct ui;

/* The form: a file in any delivery format, its password when it is
 * PKCS#12; true when something was imported. */
bool ui_import_form(struct ui *ui);

#endif

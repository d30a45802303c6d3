/* files.h - the file chooser behind the console's path fields
 * (ui-files.c): the removable media offered first, then a directory
 * listed with sizes and dates, a typed filter, several files marked with
 * Space for a field of several.  See filelist.h for the escaping of
 * such a field. */
#ifndef PASSTORE_UI_FILES_H
#define PASSTORE_UI_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/form.h"

struct ui;

/* Choose a path of the given kind, starting from the field's text in
 * buf; what is chosen replaces buf (a field of several gets the marked
 * files, escaped).  False on Esc, with buf unchanged. */
bool ui_files_choose(struct ui *ui, enum ui_file_kind kind, char *buf, size_t len);
/* Tab in a path field: buf completed in place; true when it changed.
 * *n gets the number of candidates, and a second Tab (list true) shows
 * them in a small box. */
bool ui_files_complete(struct ui *ui, enum ui_file_kind kind, char *buf, size_t len, bool list,
                       size_t *n);

#endif

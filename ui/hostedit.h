/* hostedit.h - edit and delete a host (ui-hostedit.c). */
#ifndef PASSTORE_UI_HOSTEDIT_H
#define PASSTORE_UI_HOSTEDIT_H

#include <stdbool.h>

struct ui;

/* The form of a host's address, port and groups; true when submitted. */
bool ui_host_edit(struct ui *ui, const char *fqdn);
/* Delete a host after a confirmation naming it; a refusal (entries still
 * cover it) is told before any question.  True when deleted. */
bool ui_host_delete(struct ui *ui, const char *fqdn);

#endif

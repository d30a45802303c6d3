/* ca.h - the certificate authorities screen (ui-ca.c): the CAs listed and
 * shown, a CA added from the menu anywhere. */
#ifndef PASSTORE_UI_CA_H
#define PASSTORE_UI_CA_H

#include <stdbool.h>

struct ui;

/* The add form: name, bundle file, subject template with the subject
 * it makes for a sample host shown as it is typed, default key type.
 * True when a CA was added. */
bool ui_ca_add_form(struct ui *ui);
/* One CA in a popup: template, default key, counts, and each
 * certificate of its bundle decoded. */
void ui_ca_show(struct ui *ui, const char *name);
/* The IGTF trust anchors in a popup, as `ca anchors` lists them. */
void ui_ca_anchors(struct ui *ui);

#endif

/* adopt.h - a host's existing key and certificate brought into the store,
 * and a certificate file decoded without storing it (ui-adopt.c). */
#ifndef PASSTORE_UI_ADOPT_H
#define PASSTORE_UI_ADOPT_H

#include <stdbool.h>

struct ui;

/* The adopt form: host (host: the screen's context host, or NULL), key
 * file, certificate file and, for an encrypted key or PKCS#12, its
 * password; the outcome in a box.  True when the pair was adopted. */
bool ui_adopt_form(struct ui *ui, const char *host);
/* The inspect form: a certificate file, then its certificates decoded in
 * a scrolling box, and the stored CA that verifies each (a request: its
 * subject, names, key and signature).  Stores nothing. */
void ui_inspect_form(struct ui *ui);

#endif

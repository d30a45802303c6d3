/* trust.h - the console's trust actions (ui-trust.c): IGTF trust anchors
 * and CRLs imported from the menu, a certificate's warning acknowledged. */
#ifndef PASSTORE_UI_TRUST_H
#define PASSTORE_UI_TRUST_H

#include <stdbool.h>

#include "ui/keys.h"

struct ui;

/* ACT_IGTF, ACT_CRL, ACT_CRLLIST and ACT_ACK (host: the screen's context host or
 * NULL, asked for then).  True when a is one of them. */
bool ui_trust_action(struct ui *ui, enum ui_action a, const char *host);

#endif

/* xfer.h - the transfers screen's actions (ui-xfer.c): forget a host's
 * pinned SSH host key, recover after a dead process. */
#ifndef PASSTORE_UI_XFER_H
#define PASSTORE_UI_XFER_H

#include <stdbool.h>

#include "ui/keys.h"

struct ui;

/* ACT_FORGET (host: the selected window's host, or NULL: asked) and
 * ACT_XRECOVER.  True when a is one of them. */
bool ui_xfer_action(struct ui *ui, enum ui_action a, const char *host);

#endif

/* actions.h - the global actions of the menu (ui-actions.c). */
#ifndef PASSTORE_UI_ACTIONS_H
#define PASSTORE_UI_ACTIONS_H

#include <stdbool.h>

#include "ui/keys.h"

struct ui;

/* Add host, add password, request, send CSR, fetch, install, push,
 * fetch VO, passphrase, the firewall's boot-config, backup.  host: the current screen's context
 * host, or NULL.  True when handled. */
bool ui_run_action(struct ui *ui, enum ui_action a, const char *host);

/* Whether the station's posture lets a window open (guard_window_allowed);
 * if not, a box titled title says what to fix, and false: the caller asks
 * nothing more. */
bool ui_net_allowed(struct ui *ui, const char *title);

#endif

/* hostpage.h - a host's page (ui-hostpage.c), shown inside the hosts
 * view. */
#ifndef PASSTORE_UI_HOSTPAGE_H
#define PASSTORE_UI_HOSTPAGE_H

#include <stdbool.h>

#include "ui/keys.h"
#include "ui/theme.h"

struct ui;

/* Open the page of host fqdn (false, with a message, when it cannot). */
bool hostpage_open(struct ui *ui, const char *fqdn);
bool hostpage_active(void);
void hostpage_close(struct ui *ui);
void hostpage_draw(struct ui *ui, int top, int rows);
/* true when handled; ACT_BACK closes the page */
bool hostpage_handle(struct ui *ui, enum ui_action a, int key);
/* The page's host, or NULL when no page is open. */
const char *hostpage_host(void);

#endif

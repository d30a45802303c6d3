/* hostpage.h - a host's page (ui-hostpage.c), shown inside the hosts
 * view, and what it shares with the certificates screen (ui-certs.c). */
#ifndef PASSTORE_UI_HOSTPAGE_H
#define PASSTORE_UI_HOSTPAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "cert/lib.h"
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

/* ui-certs.c: the colour role of a band, its translated name, and the
 * detail of one certificate in a popup. */
enum theme_role certs_band_role(enum x509_band b);
const char *certs_band_label(enum x509_band b);
void certs_detail_popup(struct ui *ui, int64_t id);

#endif

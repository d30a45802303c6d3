/* certs.h - what the certificates screen (ui-certs.c) lends the other
 * screens: the colour and name of an expiry band, and one certificate's
 * detail in a popup (the host page and the dashboard use them). */
#ifndef PASSTORE_UI_CERTS_H
#define PASSTORE_UI_CERTS_H

#include <stdint.h>

#include "cert/lib.h"
#include "ui/theme.h"

struct ui;

enum theme_role certs_band_role(enum x509_band b);
const char *certs_band_label(enum x509_band b);
void certs_detail_popup(struct ui *ui, int64_t id);

#endif

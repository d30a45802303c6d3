/* csr.h - a host's pending certificate request in the console
 * (ui-csr.c): shown, written to a file, cancelled. */
#ifndef PASSTORE_UI_CSR_H
#define PASSTORE_UI_CSR_H

#include <stdbool.h>

struct ui;

/* The CSR of fqdn's pending request in a box that scrolls: subject,
 * names, key type, whether its signature verifies, then the PEM. */
void ui_csr_show(struct ui *ui, const char *fqdn);
/* The form that writes it to a file (fqdn: the host given, or NULL);
 * an existing file is written over only after asking.  True when
 * written. */
bool ui_csr_save_form(struct ui *ui, const char *fqdn);
/* Cancel it after a confirmation (audited by the core).  True when
 * cancelled. */
bool ui_csr_cancel(struct ui *ui, const char *fqdn);

#endif

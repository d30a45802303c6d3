/* i18n.h - gettext wrappers with NLS-off fallbacks. Include from .c files only. */
#ifndef PASSTORE_I18N_H
#define PASSTORE_I18N_H

#if ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#define ngettext(s, p, n) ((n) == 1 ? (s) : (p))
#endif
#define N_(s) (s)

#endif

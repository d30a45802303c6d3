/* theme.h - colours are roles: each screen asks for a role, the scheme
 * decides the pair and attributes (bold/reverse where there is no colour). */
#ifndef PASSTORE_UI_THEME_H
#define PASSTORE_UI_THEME_H

/* clang-format off */
#define THEME_ROLES(_) \
	_(NORMAL) _(TITLE) _(SELECTED) _(ALERT) _(HINT) \
	_(BAND_EXPIRED) _(BAND_CRITICAL) _(BAND_WARNING) _(BAND_OK) _(BAND_FUTURE) \
	_(FKEY) _(FKEY_LABEL) _(BAND_REVOKED)
/* clang-format on */

#include <stdbool.h>

enum theme_role {
#define THEME_ENUM(r) ROLE_##r,
	THEME_ROLES(THEME_ENUM)
#undef THEME_ENUM
		ROLE_MAX
};

enum theme_scheme { SCHEME_COLOUR, SCHEME_MONO };

/* After initscr(): pick the colour scheme when the terminal has colours
 * (or mono when forced), and set up its pairs. Returns the scheme used. */
enum theme_scheme theme_init(int force_mono);
/* Whether the locale's character set is UTF-8 (nl_langinfo(CODESET)). */
bool theme_utf8(void);
/* After initscr(): line drawing (boxes, rules) in plain ASCII (+ - |)
 * when the locale is not UTF-8.  True when ASCII is used. */
bool theme_lines(void);
/* The curses attribute (pair | attributes) of a role. */
int theme_attr(enum theme_role role);
/* Role name, as used in settings ("band_expired"). */
const char *theme_role_name(enum theme_role role);

#endif

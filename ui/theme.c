/* theme.c - the colour schemes; init_pair lives here and nowhere else. */
#include "config.h"

#include <curses.h>
#include <langinfo.h>
#include <stdbool.h>
#include <string.h>

#include "ui/theme.h"

struct role_style {
	short fg, bg; /* -1: terminal default */
	int colour_attr;
	int mono_attr;
};

/* KVM switches and the Linux console have 8 colours: use only those. */
/* clang-format off */
static const struct role_style styles[ROLE_MAX] = {
	[ROLE_NORMAL]        = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_TITLE]         = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_SELECTED]      = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_ALERT]         = { COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE },
	[ROLE_HINT]          = { COLOR_CYAN, -1, A_NORMAL, A_DIM },
	[ROLE_BAND_EXPIRED]  = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_BAND_CRITICAL] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_BAND_WARNING]  = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[ROLE_BAND_OK]       = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[ROLE_BAND_FUTURE]   = { COLOR_MAGENTA, -1, A_NORMAL, A_DIM },
	[ROLE_FKEY]          = { -1, -1, A_BOLD, A_BOLD },
	[ROLE_FKEY_LABEL]    = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	/* worse than expired: expired's red, and more */
	[ROLE_BAND_REVOKED]  = { COLOR_YELLOW, COLOR_RED, A_BOLD | A_UNDERLINE, A_REVERSE | A_BOLD | A_UNDERLINE },
};
/* clang-format on */

static const char *const role_names[ROLE_MAX] = {
#define THEME_NAME(r) #r,
	THEME_ROLES(THEME_NAME)
#undef THEME_NAME
};

static enum theme_scheme scheme = SCHEME_MONO;

enum theme_scheme
theme_init(int force_mono)
{
	scheme = SCHEME_MONO;
	if (force_mono || !has_colors() || start_color() == ERR)
		return scheme;
	/* default cells keep the terminal's own background */
	use_default_colors();
	for (int r = 0; r < ROLE_MAX; r++)
		init_pair((short)(r + 1), styles[r].fg, styles[r].bg);
	scheme = SCHEME_COLOUR;
	return scheme;
}

int
theme_attr(enum theme_role role)
{
	if ((unsigned)role >= ROLE_MAX)
		role = ROLE_NORMAL;
	if (scheme == SCHEME_MONO)
		return styles[role].mono_attr;
	return (int)COLOR_PAIR(role + 1) | styles[role].colour_attr;
}

bool
theme_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

bool
theme_lines(void)
{
	/* the line-drawing set by its VT100 letters, and what stands in */
	static const char ascii[][2] = {
		{ 'l', '+' }, { 'm', '+' }, { 'k', '+' }, { 'j', '+' }, { 't', '+' }, { 'u', '+' },
		{ 'v', '+' }, { 'w', '+' }, { 'n', '+' }, { 'q', '-' }, { 'x', '|' }, { 'o', '-' },
		{ 's', '_' }, { 'p', '-' }, { 'r', '-' }, { '`', '+' }, { 'a', ':' }, { 'f', '\'' },
		{ 'g', '#' }, { '~', 'o' }, { ',', '<' }, { '+', '>' }, { '.', 'v' }, { '-', '^' },
		{ 'h', '#' }, { 'i', '#' }, { '0', '#' }, { 'y', '<' }, { 'z', '>' }, { '{', '*' },
		{ '|', '!' }, { '}', 'f' },
	};

	/* a KVM console without a UTF-8 font shows the terminal's own line
	 * characters as garbage: plain ASCII there */
	if (theme_utf8())
		return false;
	for (size_t i = 0; i < sizeof ascii / sizeof *ascii; i++)
		acs_map[(unsigned char)ascii[i][0]] = (chtype)(unsigned char)ascii[i][1];
	return true;
}

const char *
theme_role_name(enum theme_role role)
{
	return (unsigned)role < ROLE_MAX ? role_names[role] : "NORMAL";
}

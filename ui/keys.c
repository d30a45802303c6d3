/* keys.c - the default binding table and key names. */
#include "config.h"

#include <curses.h>
#include <stdio.h>

#include "base/i18n.h"
#include "ui/keys.h"

/* clang-format off */
static const char *const labels[ACT_MAX] = {
	[ACT_NONE] = "",
#define UI_ACT_LABEL(name, label, help) [ACT_##name] = label,
	UI_ACTIONS(UI_ACT_LABEL)
#undef UI_ACT_LABEL
};

static const char *const helps[ACT_MAX] = {
	[ACT_NONE] = "",
#define UI_ACT_HELP(name, label, help) [ACT_##name] = help,
	UI_ACTIONS(UI_ACT_HELP)
#undef UI_ACT_HELP
};

#define CTRL(c) ((c) & 0x1f)

/* First binding of an action is the one shown in help and menus. */
static const struct ui_binding bindings[] = {
	{ KEY_F(1), ACT_HELP },      { '?', ACT_HELP },
	{ KEY_F(2), ACT_DASH },      { 'd', ACT_DASH },
	{ KEY_F(3), ACT_HOSTS },     { 'h', ACT_HOSTS },
	{ KEY_F(4), ACT_PASSWORDS }, { 'p', ACT_PASSWORDS },
	{ KEY_F(5), ACT_TRANSFERS }, { 't', ACT_TRANSFERS },
	{ KEY_F(6), ACT_AUDIT },     { 'a', ACT_AUDIT },
	{ 'c', ACT_CERTS },
	{ 'v', ACT_GRID },
	{ ',', ACT_SETTINGS },
	{ 'i', ACT_CAS },
	{ 'A', ACT_ADDHOST },
	{ 'N', ACT_ADDPW },
	{ 'R', ACT_REQUEST },
	{ 'O', ACT_IMPORT },
	{ 'z', ACT_ADOPT },
	{ 'l', ACT_INSPECT },
	{ 'C', ACT_SENDCSR },
	{ 'F', ACT_FETCH },
	{ 'I', ACT_INSTALL },
	{ 'Y', ACT_PROFILE },
	{ 'U', ACT_PUSH },
	{ 'V', ACT_FETCHVO },
	{ 'T', ACT_IGTF },
	{ 'X', ACT_CRL },
	{ 'Z', ACT_ACK },
	{ 'J', ACT_ADDCA },
	{ 'w', ACT_SAVECSR },
	{ 'o', ACT_GRIDSETUP },
	{ 'P', ACT_PASSWD },
	{ 'W', ACT_FWBOOT },
	{ 'B', ACT_BACKUP },
	{ 'E', ACT_ESCROW },
	{ KEY_F(7), ACT_NEW },       { 'n', ACT_NEW },
	{ KEY_F(8), ACT_REVEAL },    { 'r', ACT_REVEAL },
	{ KEY_F(9), ACT_MENU },      { 'm', ACT_MENU },
	{ KEY_F(10), ACT_BACK },     { 'q', ACT_BACK }, { 27, ACT_BACK },
	{ KEY_UP, ACT_UP },          { 'k', ACT_UP },
	{ KEY_DOWN, ACT_DOWN },      { 'j', ACT_DOWN },
	{ KEY_PPAGE, ACT_PGUP },     { CTRL('b'), ACT_PGUP },
	{ KEY_NPAGE, ACT_PGDN },     { CTRL('f'), ACT_PGDN }, { ' ', ACT_PGDN },
	{ KEY_HOME, ACT_HOME },      { 'g', ACT_HOME },
	{ KEY_END, ACT_END },        { 'G', ACT_END },
	{ '/', ACT_FILTER },
	{ 's', ACT_SORT },
	{ 'S', ACT_RSORT },
	{ '\t', ACT_PANE },
	{ '\n', ACT_OPEN },          { KEY_ENTER, ACT_OPEN }, { '\r', ACT_OPEN },
	{ 'u', ACT_UPDATE },
	{ 'x', ACT_GENERATE },
	{ 'H', ACT_HISTORY },
	{ 'e', ACT_EDIT },
	{ 'D', ACT_DELETE },          { KEY_DC, ACT_DELETE },
	{ 'K', ACT_LARGE },
	{ CTRL('l'), ACT_REFRESH },
	{ 'L', ACT_LOCK },
	{ 'Q', ACT_QUIT },
	{ 'K', ACT_KIND },
	/* after the table's own n and N: those win unless a search is on
	 * (app.c), or on a screen where nothing is added */
	{ 'n', ACT_NEXT },
	{ 'N', ACT_PREV },
	{ 'M', ACT_FQANMAPS },
	{ '+', ACT_MAPADD },
	{ '-', ACT_MAPDEL },
	{ 'b', ACT_VOMSLIST },
	{ 'y', ACT_COMPROMISE },
	{ 'f', ACT_FORGET },
	{ '#', ACT_XRECOVER },
	{ '@', ACT_ANCHORS },
	{ '!', ACT_BANS },
	{ '*', ACT_CRLLIST },
	{ '<', ACT_FETCHCRL },
};
/* clang-format on */

const char *
ui_action_label(enum ui_action a)
{
	return (unsigned)a < ACT_MAX ? labels[a] : "";
}

const char *
ui_action_help(enum ui_action a)
{
	return (unsigned)a < ACT_MAX ? helps[a] : "";
}

enum ui_action
ui_key_action(int key, ui_actset allowed)
{
	for (size_t i = 0; i < sizeof bindings / sizeof *bindings; i++)
		if (bindings[i].key == key && (allowed & ACTBIT(bindings[i].act)))
			return bindings[i].act;
	return ACT_NONE;
}

const struct ui_binding *
ui_bindings(size_t *n)
{
	*n = sizeof bindings / sizeof *bindings;
	return bindings;
}

int
ui_action_fkey(enum ui_action a)
{
	for (size_t i = 0; i < sizeof bindings / sizeof *bindings; i++)
		if (bindings[i].act == a && bindings[i].key >= KEY_F(1) &&
		    bindings[i].key <= KEY_F(12))
			return bindings[i].key - KEY_F(0);
	return 0;
}

const char *
ui_key_name(int key, char *buf, size_t len)
{
	switch (key) {
	case KEY_UP: return _("Up");
	case KEY_DOWN: return _("Down");
	case KEY_PPAGE: return _("PgUp");
	case KEY_NPAGE: return _("PgDn");
	case KEY_HOME: return _("Home");
	case KEY_END: return _("End");
	case KEY_ENTER:
	case '\n':
	case '\r': return _("Enter");
	case '\t': return _("Tab");
	case ' ': return _("Space");
	case 27: return _("Esc");
	}
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, len, "F%d", key - KEY_F(0));
	else if (key < 32)
		snprintf(buf, len, "^%c", key + '@');
	else
		snprintf(buf, len, "%c", key);
	return buf;
}

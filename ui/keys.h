/* keys.h - keys are data: one action list (name, help), one default
 * binding table; dispatch, the help screen and the F-key bar are all
 * generated from them. */
#ifndef PASSTORE_UI_KEYS_H
#define PASSTORE_UI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/*  name        label (F-key bar)   help */
/* clang-format off */
#define UI_ACTIONS(_) \
	_(HELP,      N_("Help"),    N_("show the keys of this screen")) \
	_(BACK,      N_("Back"),    N_("go back; on the dashboard, quit")) \
	_(MENU,      N_("Menu"),    N_("open the menu of every action")) \
	_(LOCK,      N_("Lock"),    N_("lock now: wipe secrets and ask the passphrase")) \
	_(DASH,      N_("Dash"),    N_("dashboard")) \
	_(HOSTS,     N_("Hosts"),   N_("hosts browser")) \
	_(PASSWORDS, N_("Pass"),    N_("passwords browser")) \
	_(TRANSFERS, N_("Xfer"),    N_("transfer window log")) \
	_(AUDIT,     N_("Audit"),   N_("audit trail")) \
	_(CERTS,     N_("Certs"),   N_("certificates and requests browser")) \
	_(GRID,      N_("Grid"),    N_("Grid: VOs, rules and grid-mapfiles")) \
	_(SETTINGS,  N_("Setup"),   N_("the station's settings: values, defaults, help; change or reset one")) \
	_(CAS,       N_("CAs"),     N_("certificate authorities: list, show, add")) \
	_(ADDHOST,   N_("AddHost"), N_("add a host (form)")) \
	_(ADDPW,     N_("AddPw"),   N_("add a password entry (form)")) \
	_(REQUEST,   N_("Request"), N_("request a certificate: host, CA, key type (form)")) \
	_(IMPORT,    N_("Import"),  N_("import a certificate file: PEM chain, DER, PKCS#7, PKCS#12 (form)")) \
	_(ADOPT,     N_("Adopt"),   N_("adopt a host's existing key and certificate into the store (form)")) \
	_(INSPECT,   N_("Inspect"), N_("decode a certificate file without storing it (form)")) \
	_(SENDCSR,   N_("SendCSR"), N_("send a pending request to the operator (opens the network)")) \
	_(FETCH,     N_("Fetch"),   N_("fetch issued certificates from the operator (opens the network)")) \
	_(INSTALL,   N_("Install"), N_("install key and certificate on a host (opens the network)")) \
	_(PROFILE,   N_("Profile"), N_("a host's install profile: files, owner, copies, reload, check (form)")) \
	_(PUSH,      N_("Push"),    N_("push grid-mapfile and vomsdir to a host (opens the network)")) \
	_(FETCHVO,   N_("FetchVO"), N_("fetch a VO member list from the operator (opens the network)")) \
	_(IGTF,      N_("IGTF"),    N_("import IGTF trust anchors from a CA directory (form)")) \
	_(CRL,       N_("CRL"),     N_("import a certificate revocation list (form)")) \
	_(ACK,       N_("Ack"),     N_("acknowledge a certificate's warning until a date (form)")) \
	_(ADDCA,     N_("AddCA"),   N_("add a CA: bundle file, subject template, default key type (form)")) \
	_(SAVECSR,   N_("SaveCSR"), N_("write a pending request's CSR to a file (form)")) \
	_(GRIDSETUP, N_("GridSet"), N_("Grid set-up: VOs, member lists, rules, bans, local entries, VOMS servers, FQAN mappings (forms)")) \
	_(PASSWD,    N_("Passwd"),  N_("change the store passphrase")) \
	_(FWBOOT,    N_("FwBoot"),  N_("show the firewall's nftables boot-config")) \
	_(SPLIT,     N_("Split"),   N_("split the data key into recovery shares, each shown on a screen of its own (form)")) \
	_(COMPROMISE, N_("Compr"),  N_("record a suspected compromise in the audit (asks for a note)")) \
	_(BACKUP,    N_("Backup"),  N_("make a verified backup copy of the store")) \
	_(ESCROW,    N_("Escrow"),  N_("recovery shares: the splits made; rotate the data key")) \
	_(UP,        N_("Up"),      N_("previous row")) \
	_(DOWN,      N_("Down"),    N_("next row")) \
	_(PGUP,      N_("PgUp"),    N_("previous page")) \
	_(PGDN,      N_("PgDn"),    N_("next page")) \
	_(HOME,      N_("First"),   N_("first row")) \
	_(END,       N_("Last"),    N_("last row")) \
	_(FILTER,    N_("Filter"),  N_("filter the list (empty clears)")) \
	_(NEXT,      N_("Next"),    N_("next match of the last search (after / n and N search; F7 adds)")) \
	_(PREV,      N_("Prev"),    N_("previous match of the last search")) \
	_(SORT,      N_("Sort"),    N_("sort by the next column")) \
	_(RSORT,     N_("Reverse"), N_("reverse the sort order")) \
	_(PANE,      N_("Pane"),    N_("switch pane")) \
	_(OPEN,      N_("Open"),    N_("open the selected row")) \
	_(NEW,       N_("New"),     N_("add a new entry (form)")) \
	_(REVEAL,    N_("Reveal"),  N_("show the secret for a few seconds")) \
	_(UPDATE,    N_("Update"),  N_("set a new secret (asks to confirm)")) \
	_(GENERATE,  N_("Gen"),     N_("generate a new secret (asks to confirm)")) \
	_(HISTORY,   N_("History"), N_("versions of the secret")) \
	_(EDIT,      N_("Edit"),    N_("change the selected host: address, port, groups (form)")) \
	_(DELETE,    N_("Delete"),  N_("delete the selected item (asks to confirm)")) \
	_(LARGE,     N_("Large"),   N_("show the secret large, in numbered groups of four (KVM)")) \
	_(REFRESH,   N_("Redraw"),  N_("reload and redraw the screen")) \
	_(QUIT,      N_("Quit"),    N_("quit passtore")) \
	_(KIND,      N_("Kind"),    N_("show the audit records of one kind only (read-secret, pw, cert...)")) \
	_(FQANMAPS,  N_("Maps"),    N_("the FQAN mapping table (voms-mapfile) of every VO")) \
	_(MAPADD,    N_("Map"),     N_("map an FQAN of the selected VO to an account or pool (form)")) \
	_(MAPDEL,    N_("Unmap"),   N_("remove an FQAN mapping of the selected VO (form)")) \
	_(VOMSLIST,  N_("VOMS"),    N_("the VOMS servers and the check of each .lsc chain")) \
	_(FORGET,    N_("Forget"),  N_("forget the pinned SSH host key of the selected window's host (asks to confirm)")) \
	_(XRECOVER,  N_("Recover"), N_("recover: close the windows a dead process left, remove its rules and temporary files")) \
	_(ANCHORS,   N_("Anchors"), N_("the IGTF trust anchors: expiry, namespace rules, subject")) \
	_(BANS,      N_("Bans"),    N_("the bans: DN patterns kept out of every grid-mapfile, with when each was added")) \
	_(CRLLIST,   N_("CRLs"),    N_("the stored CRLs: issuer, this and next update, revoked entries; stale ones marked")) \
	_(FETCHCRL,  N_("FetchCRL"), N_("fetch new CRLs from the operator's outbox (opens the network)")) \
	_(FIRSTSTEPS, N_("Steps"),  N_("First steps: the network, a CA, hosts; each line leads to its form"))
/* clang-format on */

enum ui_action {
	ACT_NONE = 0,
#define UI_ACT_ENUM(name, label, help) ACT_##name,
	UI_ACTIONS(UI_ACT_ENUM)
#undef UI_ACT_ENUM
		ACT_MAX
};

struct ui_binding {
	int key; /* curses key code */
	enum ui_action act;
};

/* Untranslated label and help of an action. */
const char *ui_action_label(enum ui_action a);
const char *ui_action_help(enum ui_action a);
/* A set of actions: bit ACTBIT(a) for each.  128 bits, a GCC/Clang
 * integer type, so sets combine with | and & like the 64-bit set they
 * replace (the actions outgrew 64). */
__extension__ typedef unsigned __int128 ui_actset;
#define ACTBIT(a) ((ui_actset)1 << (a))
_Static_assert(ACT_MAX <= 128, "ui_actset holds at most 128 actions");

/* The action bound to key among allowed (a set of ACTBIT), or ACT_NONE. */
enum ui_action ui_key_action(int key, ui_actset allowed);
/* Printable name of a key ("F1", "j", "PgDn", "^L"). */
const char *ui_key_name(int key, char *buf, size_t len);
/* The bindings, in table order; *n gets their number. */
const struct ui_binding *ui_bindings(size_t *n);
/* The F-key (1..12) bound to an action, or 0. */
int ui_action_fkey(enum ui_action a);

#endif

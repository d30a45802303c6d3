/* settings.h - the station's configuration, kept in the store.
 *
 * Keys are validated on set, audited, and have defaults:
 *   net.interface        the station's interface (none: transfers refused)
 *   net.gateway          IPv4 of the neighbour that masquerades the station
 *   transfer.timeout     seconds for a whole transfer (30)
 *   operator.host        host entry of the operator's machine
 *   operator.inbox       where CSRs go on it (/var/spool/passtore/inbox)
 *   operator.outbox      where issued certificates wait (/var/spool/passtore/outbox)
 *   cert.critical_days   expiry band thresholds (7, 30)
 *   cert.warning_days
 *   cert.critical_fraction  the same as a share of the lifetime ("33%"; unset:
 *   cert.warning_fraction   none); whichever is reached first applies
 *   ui.lock_after        seconds idle before the console locks (300; 0: never)
 *   backup.max_age_days  a verified backup older than this is a posture warning (7)
 *   host.FQDN.user       SSH login on that host (root)
 *   host.FQDN.service    service of the stored password used to log in (ssh)
 *   host.FQDN.cert-path  /etc/grid-security/hostcert.pem
 *   host.FQDN.key-path   /etc/grid-security/hostkey.pem
 *   host.FQDN.owner      UID:GID of the installed files (0:0)
 *   host.FQDN.reload     a command run on the host after an install (none)
 *   host.FQDN.auth       "password" (the stored password of user@FQDN:service)
 *                        or "key" (that entry holds an OpenSSH private key)
 *   host.FQDN.chain-path, fullchain-path   the install profile's optional files
 *   host.FQDN.{key,cert,chain,fullchain}-owner   UID:GID of each (host.FQDN.owner)
 *   host.FQDN.{key,cert,chain,fullchain}-mode    0400, 0644, 0644, 0644
 *   host.FQDN.copies     extra copies, "CONTENT:PATH:UID:GID:MODE;..."
 *   host.FQDN.check-port the port whose served certificate is checked (none)
 * Pinned SSH host keys are kept beside them (settings_pin_*).
 */
#ifndef PASSTORE_SETTINGS_H
#define PASSTORE_SETTINGS_H

#include "base/lib.h"
#include "store/store.h"

/* The value (malloc'd) or the key's default; PT_INVALID for an unknown key,
 * PT_NOTFOUND for a per-host key (host.FQDN.*) of a host not in the store. */
enum pt_status settings_get(struct store *st, const char *key, char **value, struct pt_err *err);
/* The one validator of a setting's value, as `config set` applies it and
 * as the engine applies it again to what it reads before a window (a
 * value written behind passtore's back is refused there, not inside the
 * window).  st may be NULL: then a host named by a value is not looked
 * up.  PT_INVALID with the key and the value in the detail. */
enum pt_status settings_check(struct store *st, const char *key, const char *value,
                              struct pt_err *err);
/* A host.*.owner value, UID:GID, each decimal and at most INT_MAX: the one
 * rule of settings_check and of the SFTP put that applies it (uid and gid
 * may be NULL).  false when v is not one. */
bool settings_owner_parse(const char *v, unsigned *uid, unsigned *gid);
/* A host.*.*-mode value: octal, 3 or 4 digits, at most 0777 (mode may be
 * NULL). */
bool settings_mode_parse(const char *v, unsigned *mode);
/* One extra copy of a host.*.copies value. */
#define SETTINGS_COPIES_MAX 8
struct settings_copy {
	char content[16]; /* key, cert, chain, fullchain */
	char path[1025];
	char owner[24]; /* UID:GID */
	unsigned mode;
};
/* A host.*.copies value: entries "CONTENT:PATH:UID:GID:MODE" separated by
 * ";" (the path may hold ':', never ';'), at most max; how many went into
 * out (may be NULL), or -1 when v is not one. */
int settings_copies_parse(const char *v, struct settings_copy *out, int max);
/* A cert.*_fraction value, "N%" with N from 1 to 99: the share of a
 * certificate's lifetime left when it enters a band.  false when v is
 * not one; pct may be NULL. */
bool settings_percent_parse(const char *v, int *pct);
/* Validate, store and audit (inside the caller's transaction). */
enum pt_status settings_set(struct store *st, const char *key, const char *value,
                            struct pt_err *err);
/* Back to the default; the same checks of the key as settings_get. */
enum pt_status settings_unset(struct store *st, const char *key, struct pt_err *err);
/* Every known key with its value and whether it is the default. */
enum pt_status settings_foreach(struct store *st,
                                int (*cb)(const char *key, const char *value, int is_default,
                                          void *ud),
                                void *ud, struct pt_err *err);
/* An integer setting. */
enum pt_status settings_get_long(struct store *st, const char *key, long *v, struct pt_err *err);
/* The per-host setting host.FQDN.WHAT, as settings_get. */
enum pt_status settings_host_get(struct store *st, const char *fqdn, const char *what, char **value,
                                 struct pt_err *err);

/* Pinned host key of a host: "SHA256:..." and its type; PT_NOTFOUND
 * when the host has none yet. */
enum pt_status settings_pin_get(struct store *st, const char *fqdn, char **fp, char **type,
                                struct pt_err *err);
/* Forget the pin (a reinstalled host): the next contact needs the
 * administrator's fingerprint again.  Audited; PT_NOTFOUND if none. */
enum pt_status settings_pin_forget(struct store *st, const char *fqdn, struct pt_err *err);
enum pt_status settings_pin_set(struct store *st, const char *fqdn, const char *fp,
                                const char *type, struct pt_err *err);

/* What the console's settings screen shows of a key of the table: its
 * name ("host.*.user": * stands for an FQDN), default (NULL: unset),
 * what it is for and what a value must be (both N_(), translate them
 * with _()), and, for a key with a fixed set of values, those values
 * (NULL-terminated; NULL for free text).  The rule is the one
 * settings_check applies. */
struct settings_info {
	const char *name;
	const char *def;
	const char *help;
	const char *rule;
	const char *const *choices;
};
/* The number of keys of the table; key i (false past the end). */
size_t settings_count(void);
bool settings_info_at(size_t i, struct settings_info *out);
/* The same for a key as set (host.FQDN.user too); false when unknown. */
bool settings_info_key(const char *key, struct settings_info *out);

#endif

/* profile.h - a host's install profile: which files an install writes on
 * the host (key, certificate, optional chain and full chain, extra
 * copies), with the owner and mode of each, the reload command and the
 * port whose served certificate is checked.  Kept as per-host settings
 * (host.FQDN.*, see store/settings.h); with none set it is today's:
 * /etc/grid-security/hostkey.pem 0400 and hostcert.pem 0644, root. */
#ifndef PASSTORE_PROFILE_H
#define PASSTORE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/lib.h"
#include "store/lib.h"

enum profile_content { PROFILE_KEY, PROFILE_CERT, PROFILE_CHAIN, PROFILE_FULLCHAIN };

#define PROFILE_FILES_MAX (4 + SETTINGS_COPIES_MAX)

struct profile_file {
	enum profile_content content;
	bool copy; /* one of host.FQDN.copies */
	char path[1100];
	char owner[24]; /* UID:GID */
	unsigned mode;
};

struct install_profile {
	size_t n; /* key and certificate first, then chain, full chain, copies */
	struct profile_file files[PROFILE_FILES_MAX];
	char reload[1100]; /* "" when none */
	int check_port;    /* 0 when none */
	bool needs_chain;  /* a chain, full chain or a copy of one */
};

/* The content's name: "key", "cert", "chain", "fullchain". */
const char *profile_content_name(enum profile_content c);

/* The profile of fqdn; every value checked as settings_check does (a value
 * stored behind passtore's back is PT_INVALID naming it).  PT_NOTFOUND for
 * a host not in the store. */
enum pt_status profile_get(struct store *st, const char *fqdn, struct install_profile *p,
                           struct pt_err *err);

/* Set one part of the profile: what is a host.FQDN.WHAT key of the
 * profile (key-path, cert-path, chain-path, fullchain-path, owner,
 * *-owner, *-mode, copies, reload, check-port); value "" unsets it (back
 * to the default).  Validated and audited, inside the caller's
 * transaction. */
enum pt_status profile_set(struct store *st, const char *fqdn, const char *what, const char *value,
                           struct pt_err *err);

#endif

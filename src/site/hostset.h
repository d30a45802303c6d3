/* hostset.h - a host spec resolved against the store: the hosts it
 * names, with their ids.  The one resolver of the CLI and the console. */
#ifndef PASSTORE_HOSTSET_H
#define PASSTORE_HOSTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/lib.h"

struct store;

struct hostset {
	char **names;
	int64_t *ids; /* 0 for a host not (yet) in the store */
	size_t n;
	char *spec; /* the spec normalised: lower case, or "@GROUP" */
};

/* Expand spec (hostspec_expand; "@GROUP": its members in the store) into
 * hs; with known, every host must exist (PT_NOTFOUND naming it).  hs is
 * zeroed on failure, so hostset_free is always safe. */
enum pt_status hostset_resolve(struct store *st, const char *spec, bool known, struct hostset *hs,
                               struct pt_err *err);
/* Release what hs owns and zero it. */
void hostset_free(struct hostset *hs);

#endif

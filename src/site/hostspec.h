/* hostspec.h - host specifications and entry names.
 *
 * An entry is named USER@HOSTSPEC:SERVICE.  A HOSTSPEC is one host name,
 * a pattern that expands to several (shell-style braces "{ce01,ce02}.x"
 * and numeric ranges "wn[001-120].x", "wn[1-3,7].x", combined left to
 * right), or "@GROUP", which the caller resolves.  Pure parsing: no
 * store, no printing.  Errors are PT_INVALID with a detail that quotes
 * the text and gives the 1-based column of the bad part.
 */
#ifndef PASSTORE_HOSTSPEC_H
#define PASSTORE_HOSTSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/lib.h"

/* A pattern that would give more names than this is refused, so that a
 * typo like "[0-99999][0-99999]" cannot exhaust memory. */
#define HOSTSPEC_MAX_HOSTS 10000
/* Longest host specification accepted, in bytes. */
#define HOSTSPEC_MAX_SPEC 4096
#define HOSTSPEC_MAX_NAME 253
#define HOSTSPEC_MAX_LABEL 63

/* The result of hostspec_expand.  Either group is set ("@NAME" was given:
 * the group name as written, names NULL, n 0) or names holds n >= 1 host
 * names, lower-case, valid, without duplicates, in first-seen order.
 * The struct owns all its strings. */
struct hostspec {
	char *group;
	char **names;
	size_t n;
};

/* Expand spec into out (overwritten; zeroed on failure, so hostspec_free
 * is always safe).  PT_INVALID for a bad spec, PT_NOMEM. */
enum pt_status hostspec_expand(const char *spec, struct hostspec *out, struct pt_err *err);
/* Release what out owns and zero it; the struct itself is the caller's. */
void hostspec_free(struct hostspec *hs);

/* Split "USER@HOSTSPEC:SERVICE" at the first '@' and the last ':' and
 * check each part (the host spec as hostspec_expand would).  The parts
 * are malloc'd for the caller to free; any out pointer may be NULL when
 * that part is not wanted; on failure all are set to NULL. */
enum pt_status hostspec_parse_entry(const char *text, char **user, char **hostspec, char **service,
                                    struct pt_err *err);

/* Whether spec may name more than one host: it has braces or brackets,
 * or it is a group. */
bool hostspec_is_pattern(const char *spec);

#endif

/* audit.h - the append-only, hash-chained record of every change.
 *
 * Each row's hash covers its fields and the previous row's hash; the
 * newest hash and the row count are also kept in the meta table, so an
 * edited, inserted, deleted or truncated row is found by audit_verify.
 * Rows are appended in the same transaction as the change they record:
 * a change that cannot be audited does not happen.  Never a secret.
 */
#ifndef PASSTORE_AUDIT_H
#define PASSTORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/lib.h"
#include "store/store.h"

struct audit_row {
	int64_t id;
	time_t ts;
	const char *actor;
	const char *action;
	const char *object;
	const char *detail;
	const char *prev_hash;
	const char *hash;
};

/* Append a row; must run inside the caller's transaction. */
enum pt_status audit_append(struct store *st, const char *action, const char *object,
                            const char *detail, struct pt_err *err);
/* Printf-style detail. */
enum pt_status audit_appendf(struct store *st, const char *action, const char *object,
                             struct pt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Walk the rows, oldest first; stop early when cb returns non-zero. */
enum pt_status audit_foreach(struct store *st, int (*cb)(const struct audit_row *r, void *ud),
                             void *ud, struct pt_err *err);
/* The number of records, as the chain's head keeps it (one read, however
 * long the trail; audit_verify checks it against the rows). */
enum pt_status audit_count(struct store *st, int64_t *n, struct pt_err *err);
/* PT_OK, or PT_BROKEN_CHAIN with *bad_id the first row that does not
 * chain (0 when rows are missing at the end) and err saying why. */
enum pt_status audit_verify(struct store *st, int64_t *bad_id, int64_t *rows, struct pt_err *err);
/* Who is acting: the login name (and the sudo caller when there is one). */
const char *audit_actor(void);
/* Where from: "uid N, tty /dev/..." (or "no tty"), for the records of
 * a secret read. */
void audit_who(char *buf, size_t len);

/* The action of a secret read: a console reveal, pw show, a large view,
 * an install that sends a key.  Its detail says how and who, never the
 * value. */
#define AUDIT_READ_SECRET "secret.read"
/* The kinds `audit --kind` and the audit screen filter by: an action
 * ("pw.add"), a family of them ("pw": pw.add, pw.update...), or a name
 * of its own ("read-secret").  The action to match, for a kind. */
const char *audit_kind_action(const char *kind);
/* Whether action is of kind (NULL or "": every action). */
bool audit_kind_match(const char *kind, const char *action);

#endif

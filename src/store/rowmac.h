/* rowmac.h - the rows of secrets (service passwords, host keys) bound to
 * the audit trail.
 *
 * SQLCipher 3 authenticates each page alone, so a page copied back from an
 * older backup of the same store decrypts and reverts the rows in it.  Each
 * row of credentials therefore carries an HMAC-SHA256 (key derived from the
 * store's key) over its id, user, hostspec, service, version and secret,
 * and every audit record that changes a row (pw.add, pw.update, pw.seal)
 * ends with "version=N mac=HEX".  A row whose version or MAC is not the
 * one its last record names was rolled back or altered.  A host key's row
 * (keys never change once stored) carries its MAC likewise, named by a
 * key.seal record written with it.  The MAC is no secret: without the key
 * it says nothing about the value.
 */
#ifndef PASSTORE_ROWMAC_H
#define PASSTORE_ROWMAC_H

#include <stdint.h>

#include "base/lib.h"
#include "store/store.h"

#define ROWMAC_HEX 65

/* Compute the MAC of credential id from its row, store it in the row;
 * *version and mac (hex) for the caller's audit record.  In a transaction. */
enum pt_status rowmac_seal(struct store *st, int64_t id, int64_t *version, char mac[ROWMAC_HEX],
                           struct pt_err *err);

/* Compute the MAC of key row id, store it in the row.  In a transaction;
 * the caller appends the key.seal record ("key_id=HEX key_mac=HEX"). */
enum pt_status rowmac_seal_key(struct store *st, int64_t id, char mac[ROWMAC_HEX],
                               struct pt_err *err);

/* Seal every row of what (credentials, keys or both) and append a pw.seal
 * or key.seal record for each: after migrations 11 and 13 and whenever the
 * store's key changes.  In a transaction. */
#define ROWMAC_CREDENTIALS 1u
#define ROWMAC_KEYS 2u
enum pt_status rowmac_seal_all(struct store *st, unsigned what, struct pt_err *err);

/* Cross-check every row (credentials and keys) against its MAC and its
 * last audit record, and every entry or key the trail says exists against
 * its row (one rolled back to before it was written is gone);
 * PT_BROKEN_CHAIN naming the first entry that does not match (*audit_id the
 * record it contradicts, 0 if none binds it).  Also the file: bytes past
 * the last page, or fewer pages than the database counts. */
enum pt_status rowmac_verify(struct store *st, int64_t *audit_id, struct pt_err *err);

#endif

/* store.h - the encrypted SQLCipher store: create, unlock, transactions,
 * migrations, rekey and verified backups.
 *
 * File layout (format 3): a SQLCipher 3 database keyed with a random
 * 256-bit data key.  The file's first 16 bytes (the SQLCipher salt,
 * readable before unlocking) are chosen by us: 0-1 "PT", 2 the format
 * version (3), 3-15 random.  Beside it, the key record "<store>.key"
 * (store-key.c, layout in private.h) holds the KDF parameters and salt
 * and the data key wrapped (AES-256-GCM, the record's identity and the
 * database's salt as associated data) under the Argon2id key of the
 * passphrase.  A change of passphrase rewrites the record only; a backup
 * is the database file and its own record.
 * Format 2 (4 KiB pages, keyed with the Argon2id output itself; bytes
 * 3-5 the KDF parameters) is converted at its first unlock.
 *
 * A handle is used by one thread at a time (it may be handed from one
 * thread to another): SQLite's connection mutex is off.
 */
#ifndef PASSTORE_STORE_H
#define PASSTORE_STORE_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/lib.h"

struct store;
struct sqlite3;
struct sqlite3_stmt;

#define STORE_SCHEMA_VERSION 14
#define STORE_FPR_LEN 20 /* "XXXX-XXXX-XXXX-XXXX" and its NUL */

/* The default path: /var/lib/passtore/passtore.db for root, else
 * $XDG_DATA_HOME/passtore/passtore.db (~/.local/share/...).  Overridden
 * by PASSTORE_DB.  Returns a malloc'd string. */
char *store_default_path(void);

/* Give SQLite the secure heap (base/secheap) for all its memory, once;
 * false when SQLite had already started on its own allocator (then no
 * store opens: store_attach_db refuses).  Called by every open. */
bool store_memory_init(void);

/* Create a new store at path (refuses an existing file). */
enum pt_status store_create(const char *path, const char *pass, size_t passlen,
                            const struct kdf_params *kp, struct store **out, struct pt_err *err);
/* Unlock an existing store.  Wrong passphrase: PT_LOCKED; not a store:
 * PT_NOTSTORE; damaged: PT_DAMAGED.  The file is not written on failure. */
enum pt_status store_open(const char *path, const char *pass, size_t passlen, struct store **out,
                          struct pt_err *err);
/* Read the KDF parameters of a store file without unlocking it. */
enum pt_status store_peek_params(const char *path, struct kdf_params *kp, struct pt_err *err);
void store_close(struct store **st);

/* Give the store's files (the database and its key record) to uid:gid,
 * and its directory too when dir is true: as root, for the account the
 * main process becomes (privilege separation).  PT_IO on a failure. */
enum pt_status store_give(const struct store *st, uid_t uid, gid_t gid, bool dir,
                          struct pt_err *err);

const char *store_path(const struct store *st);
struct sqlite3 *store_db(struct store *st);
const struct kdf_params *store_kdf_params(const struct store *st);

/* Transactions: one per command, all or nothing. */
enum pt_status store_begin(struct store *st, struct pt_err *err);
enum pt_status store_commit(struct store *st, struct pt_err *err);
void store_rollback(struct store *st);
/* Whether a transaction of store_begin is open. */
bool store_in_tx(const struct store *st);

/* Turn an SQLite result into a status and message (corruption is
 * PT_DAMAGED, constraint PT_EXISTS/PT_REFUSED, busy PT_ERR...). */
enum pt_status store_fail(struct store *st, int rc, struct pt_err *err, const char *what);
/* Prepare a statement (the failure says so, PT_DAMAGED on corruption). */
enum pt_status store_prepare(struct store *st, const char *sql, struct sqlite3_stmt **s,
                             struct pt_err *err);
/* Step a statement that returns no row, and finalize it. */
enum pt_status store_run(struct store *st, struct sqlite3_stmt *s, struct pt_err *err,
                         const char *what);
/* Column i of the current row as text, "" for NULL (never NULL). */
const char *store_text(struct sqlite3_stmt *s, int i);
/* PT_ERR unless a transaction is open: every change runs inside one. */
enum pt_status store_need_tx(struct store *st, struct pt_err *err);
/* A prepared statement kept for the life of the handle (SQLite's
 * prepare costs more than a short statement's step: the import runs a
 * dozen per certificate).  sql (normally a literal) is the key; a few
 * dozen texts are kept, the oldest dropped.  *s comes reset, bindings
 * cleared; the caller never finalizes it: it calls sqlite3_reset() when
 * done (or store_cached_run), and must not hold it across another use
 * of the same text (no nesting).  Finalized by store_close. */
enum pt_status store_cached(struct store *st, const char *sql, struct sqlite3_stmt **s,
                            struct pt_err *err);
/* Step a cached statement that returns no row, and reset it. */
enum pt_status store_cached_run(struct store *st, struct sqlite3_stmt *s, struct pt_err *err,
                                const char *what);
/* Run SQL with no result rows. */
enum pt_status store_exec(struct store *st, const char *sql, struct pt_err *err);

/* Settings in the meta table; *value is malloc'd, NULL when unset. */
enum pt_status store_meta_get(struct store *st, const char *key, char **value, struct pt_err *err);
enum pt_status store_meta_set(struct store *st, const char *key, const char *value,
                              struct pt_err *err);
enum pt_status store_meta_delete(struct store *st, const char *key, struct pt_err *err);

/* The audit chain's head for the running transaction (audit.c keeps it
 * here so that appends do not read it back from the meta table every
 * row).  Valid only inside the transaction that loaded it: begin,
 * commit and rollback drop it, so the next transaction reads the store.
 * When dirty, store_commit writes head and count to the meta rows
 * "audit.head" and "audit.count" before it commits (once per
 * transaction, not once per row).
 * store_audit_cache returns NULL when nothing is loaded; _set returns
 * the kept copy. */
struct store_audit_cache {
	char head[65];
	int64_t count;   /* rows in the chain */
	int64_t next_id; /* id of the next row */
	bool dirty;      /* head and count not yet in the meta table */
};
struct store_audit_cache *store_audit_cache(struct store *st);
struct store_audit_cache *store_audit_cache_set(struct store *st,
                                                const struct store_audit_cache *c);
void store_audit_cache_drop(struct store *st);

/* Change the passphrase (and KDF parameters) atomically: the data key is
 * wrapped under the new passphrase and the key record replaced (a new
 * file renamed over the old one); the database is not rewritten.
 * audit_cb, if given, runs in a transaction of st once the record is in
 * place. */
enum pt_status store_rekey(struct store *st, const char *pass, size_t passlen,
                           const struct kdf_params *kp,
                           enum pt_status (*audit_cb)(struct store *newst, void *ud), void *ud,
                           struct pt_err *err);

/* The store's fingerprint (from its identity, which stays the same
 * across passphrases and rotations) and its data-key generation. */
void store_fingerprint(const struct store *st, char out[STORE_FPR_LEN]);
uint32_t store_key_generation(const struct store *st);
/* Re-key the database under a new random data key (a new file renamed
 * over the old one, the write lock held meanwhile), wrapped under the
 * same passphrase: every earlier recovery share stops opening it.
 * Needs a store unlocked with its passphrase. */
enum pt_status store_rotate(struct store *st, struct pt_err *err);
/* The data-key generation and fingerprint of a store file (a backup)
 * without unlocking it: generation 0 and "" for format 2. */
enum pt_status store_peek_key(const char *path, uint32_t *gen, char fpr[STORE_FPR_LEN],
                              struct pt_err *err);

/* Test-only: create a store in the format before data keys (format 2),
 * for the conversion tests.  Never used by passtore itself. */
enum pt_status store_create_legacy(const char *path, const char *pass, size_t passlen,
                                   const struct kdf_params *kp, struct store **out,
                                   struct pt_err *err);

/* Write a verified encrypted copy to dest (a file that must not exist,
 * or a directory to put a dated file in).  *written gets the file's path
 * (malloc'd), *bytes its size, sha256_hex (65 bytes) its digest. */
enum pt_status store_backup(struct store *st, const char *dest, char **written, uint64_t *bytes,
                            char sha256_hex[65], struct pt_err *err);
/* The copy is written under STORE_BACKUP_TEMP in dest's directory, synced
 * and verified, then linked to its final name: a killed backup leaves no
 * partial file under that name.  True when the last store_backup removed
 * such a temporary left by a killed backup. */
#define STORE_BACKUP_TEMP ".passtore-backup.partial"
bool store_backup_left_over(const struct store *st);
/* SHA-256 of a file, hex. */
enum pt_status store_file_sha256(const char *path, char hex[65], uint64_t *bytes,
                                 struct pt_err *err);

#endif

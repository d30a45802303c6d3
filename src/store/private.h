/* store/private.h - what the store/ files share among themselves, not API.
 *
 * The struct store itself, and the steps of opening one that a re-key
 * repeats on its copy.  Only files of src/store include this header.
 */
#ifndef PASSTORE_STORE_PRIVATE_H
#define PASSTORE_STORE_PRIVATE_H

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <stdbool.h>
#include <stdint.h>

#include "base/lib.h"
#include "store/store.h"

#define HDR_MAGIC0 'P'
#define HDR_MAGIC1 'T'
/* Format 2: 4 KiB cipher pages.  SQLCipher 3.4's default of 1 KiB made
 * every full scan pay one decryption and one HMAC per KiB: the unlock
 * page check ran 3x and the expiry report 1.8x slower. */
#define HDR_VERSION_LEGACY 2
/* Format 3: keyed with a random data key wrapped in the key record
 * (store-key.c); bytes 3-15 of the header are random. */
#define HDR_VERSION 3
#define STORE_PAGE_SIZE 4096

#define PT_XSTR(x) #x
#define PT_STR(x) PT_XSTR(x)

/* Statements kept prepared; a handful are enough for the hot paths. */
#define STMT_CACHE_SIZE 32

struct stmt_slot {
	const char *ptr; /* the caller's text, for the quick compare only */
	char *sql;       /* our copy: the key */
	sqlite3_stmt *s;
};

/* One entry of the key record "<store>.key": KEYREC_LEN bytes,
 *   0-3 "PTK1"  4 log2(KDF memory KiB)  5 KDF passes  6 KDF lanes  7 zero
 *   8-11 data-key generation (big-endian)  12-27 store identity (random)
 *   28-43 the salt (first 16 bytes) of the database file it opens
 *   44-59 the KDF salt  60-71 GCM nonce  72-119 wrapped data key + tag
 * Bytes 0-59 are the associated data of the AES-256-GCM wrap.  The file
 * holds one entry, two while a rotation replaces the database. */
#define KEYREC_LEN 120
#define KEYREC_AD_LEN 60
#define KEYREC_MAX 2

struct keyrec {
	uint8_t id[16];
	uint32_t gen;
	uint8_t dbsalt[KDF_SALT_LEN];
	uint8_t ksalt[KDF_SALT_LEN];
	struct kdf_params kp;
	uint8_t nonce[12];
	uint8_t wrapped[KDF_KEY_LEN + 16];
};

struct store {
	sqlite3 *db;
	char *path;
	uint8_t *key;         /* raw key, secure memory: the data key (format 3) */
	uint8_t *kek;         /* the passphrase's Argon2id key, secure memory, or NULL */
	uint8_t *mac_keys;    /* rowmac.c's keys, secure memory, derived once, or NULL */
	struct keyrec rec;    /* the key record's entry for this file (gen 0: format 2) */
	bool lock_busy;       /* store_replace found the write lock taken */
	bool backup_leftover; /* the last backup removed a killed one's temporary */
	uint8_t salt[KDF_SALT_LEN];
	struct kdf_params kp;
	int in_tx;
	struct stmt_slot stmts[STMT_CACHE_SIZE];
	size_t nstmts;
	struct store_audit_cache audit;
	bool audit_valid;
};

/* ---- store.c ------------------------------------------------------- */

void store_stmt_cache_clear(struct store *st);

/* ---- store-open.c -------------------------------------------------- */

void store_header_encode(uint8_t salt[KDF_SALT_LEN], const struct kdf_params *kp);

char *store_key_spec(const uint8_t *key, const uint8_t salt[KDF_SALT_LEN]);

/* open(2) for reading a file that must be a regular one (the store, its
 * key record): O_NONBLOCK, so that a FIFO found in its place cannot block
 * the open; -2 (the file closed again) when it is not regular. */
int store_open_regular(const char *path);

enum pt_status store_query_int(struct store *st, const char *sql, int *out, struct pt_err *err);

enum pt_status store_check_integrity(struct store *st, struct pt_err *err);

enum pt_status store_new(const char *path, struct store **out, struct pt_err *err);

enum pt_status store_attach_db(struct store *st, int flags, struct pt_err *err);

/* ---- store-rekey.c ------------------------------------------------- */

/* Re-encrypt the database under key/salt into a new file that replaces
 * st's atomically, holding the store's write lock from the export to the
 * rename.  The key record becomes `during` (n_during entries) before the
 * rename and `after` once it is done; audit_cb runs in the new file. */
enum pt_status store_replace(struct store *st, const uint8_t *key, const uint8_t salt[KDF_SALT_LEN],
                             const struct keyrec *during, size_t n_during,
                             const struct keyrec *after, size_t n_after,
                             enum pt_status (*audit_cb)(struct store *nst, void *ud), void *ud,
                             struct pt_err *err);

/* ---- store-key.c --------------------------------------------------- */

/* As root: the new file fd, about to replace (or sit beside) like, gets
 * like's owner, so that a store given to the unprivileged account stays
 * its own through a rewrite.  Otherwise nothing. */
void store_keep_owner(int fd, const char *like);

char *keyrec_path(const char *dbpath);
enum pt_status keyrec_wrap(struct keyrec *e, const uint8_t *kek, const uint8_t *dk,
                           struct pt_err *err);
enum pt_status keyrec_unwrap(const struct keyrec *e, const uint8_t *kek, uint8_t *dk,
                             const char *path, struct pt_err *err);
enum pt_status keyrec_find(const char *dbpath, const uint8_t dbsalt[KDF_SALT_LEN],
                           struct keyrec *out, struct pt_err *err);
enum pt_status keyrec_write(const char *dbpath, const struct keyrec *e, size_t n,
                            struct pt_err *err);
void keyrec_fingerprint(const struct keyrec *e, char out[STORE_FPR_LEN]);
/* A new random data key and a format-3 database salt for it. */
enum pt_status store_fresh_key(uint8_t *dk, uint8_t dbsalt[KDF_SALT_LEN], struct pt_err *err);
void store_dbsalt_new_header(uint8_t salt[KDF_SALT_LEN]);
enum pt_status store_convert(struct store *st, struct pt_err *err);
enum pt_status store_rewrap(struct store *st, const char *pass, size_t passlen,
                            const struct kdf_params *kp, struct pt_err *err);

#endif

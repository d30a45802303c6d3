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
#define HDR_VERSION 2
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

struct store {
	sqlite3 *db;
	char *path;
	uint8_t *key; /* raw key, secure memory */
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

enum pt_status store_query_int(struct store *st, const char *sql, int *out, struct pt_err *err);

enum pt_status store_check_integrity(struct store *st, struct pt_err *err);

enum pt_status store_new(const char *path, struct store **out, struct pt_err *err);

enum pt_status store_attach_db(struct store *st, int flags, struct pt_err *err);

#endif

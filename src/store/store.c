/* store.c - the encrypted store: header, unlock, schema, rekey, backup. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/i18n.h"
#include "schema.h"
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
	uint8_t *key;              /* raw key, secure memory */
	uint8_t salt[KDF_SALT_LEN];
	struct kdf_params kp;
	int in_tx;
	struct stmt_slot stmts[STMT_CACHE_SIZE];
	size_t nstmts;
	struct store_audit_cache audit;
	bool audit_valid;
};

/* Migrations: index i brings user_version i to i + 1. */
static const char *const migrations[] = {
	schema_sql,
	migrate_2_sql,
	migrate_3_sql,
	migrate_4_sql,
	migrate_5_sql,
	migrate_6_sql,
	migrate_7_sql,
};

char *
store_default_path(void)
{
	const char *env = getenv("PASSTORE_DB");
	const char *xdg, *home;
	char *p = NULL;

	if (env && *env)
		return strdup(env);
	if (geteuid() == 0)
		return strdup("/var/lib/passtore/passtore.db");
	xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg) {
		if (asprintf(&p, "%s/passtore/passtore.db", xdg) < 0)
			return NULL;
		return p;
	}
	home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	if (asprintf(&p, "%s/.local/share/passtore/passtore.db", home) < 0)
		return NULL;
	return p;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

struct sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

const struct kdf_params *
store_kdf_params(const struct store *st)
{
	return &st->kp;
}

static unsigned
log2u(uint32_t v)
{
	unsigned l = 0;

	while (v > 1) {
		v >>= 1;
		l++;
	}
	return l;
}

static void
header_encode(uint8_t salt[KDF_SALT_LEN], const struct kdf_params *kp)
{
	salt[0] = HDR_MAGIC0;
	salt[1] = HDR_MAGIC1;
	salt[2] = HDR_VERSION;
	salt[3] = (uint8_t)log2u(kp->m_kib);
	salt[4] = (uint8_t)kp->t_cost;
	salt[5] = (uint8_t)kp->lanes;
}

static enum pt_status
header_decode(const uint8_t salt[KDF_SALT_LEN], struct kdf_params *kp, const char *path,
              struct pt_err *err)
{
	if (salt[0] != HDR_MAGIC0 || salt[1] != HDR_MAGIC1)
		return pt_fail(err, PT_NOTSTORE, _("%s is not a passtore store"), path);
	if (salt[2] != HDR_VERSION || salt[3] > 31)
		return pt_fail(err, PT_NOTSTORE,
		               _("%s has an unknown store format (version %u)"), path, salt[2]);
	kp->m_kib = 1u << salt[3];
	kp->t_cost = salt[4];
	kp->lanes = salt[5];
	if (kdf_params_check(kp, NULL) != PT_OK)
		return pt_fail(err, PT_NOTSTORE, _("%s has invalid key derivation parameters"), path);
	return PT_OK;
}

static enum pt_status
read_header(const char *path, uint8_t salt[KDF_SALT_LEN], struct pt_err *err)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return pt_fail(err, PT_NOTFOUND,
			               _("no store at %s (create one with \"passtore init\")"), path);
		return pt_fail(err, PT_IO, _("cannot open %s: %s"), path, strerror(errno));
	}
	n = read(fd, salt, KDF_SALT_LEN);
	close(fd);
	if (n != KDF_SALT_LEN)
		return pt_fail(err, PT_NOTSTORE, _("%s is not a passtore store"), path);
	return PT_OK;
}

enum pt_status
store_peek_params(const char *path, struct kdf_params *kp, struct pt_err *err)
{
	uint8_t salt[KDF_SALT_LEN];
	enum pt_status st = read_header(path, salt, err);

	return st != PT_OK ? st : header_decode(salt, kp, path, err);
}

enum pt_status
store_fail(struct store *st, int rc, struct pt_err *err, const char *what)
{
	const char *msg = st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return pt_fail(err, PT_DAMAGED, _("the store %s is damaged (%s: %s)"),
		               st ? st->path : "", what, msg);
	case SQLITE_CONSTRAINT:
		return pt_fail(err, PT_REFUSED, _("%s: %s"), what, msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return pt_fail(err, PT_ERR, _("the store is in use by another passtore (%s)"), what);
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		return pt_fail(err, PT_IO, _("%s: %s"), what, msg);
	case SQLITE_NOMEM:
		return pt_fail(err, PT_NOMEM, NULL);
	default:
		return pt_fail(err, PT_ERR, _("%s: %s"), what, msg);
	}
}

enum pt_status
store_prepare(struct store *st, const char *sql, sqlite3_stmt **s, struct pt_err *err)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);

	return rc == SQLITE_OK ? PT_OK : store_fail(st, rc, err, _("prepare statement"));
}

enum pt_status
store_run(struct store *st, sqlite3_stmt *s, struct pt_err *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, what);
}

enum pt_status
store_cached(struct store *st, const char *sql, sqlite3_stmt **s, struct pt_err *err)
{
	struct stmt_slot *slot = NULL;
	char *copy;
	int rc;

	/* the same literal is the same address: try that first (the copy
	 * is compared too, as the caller's buffer may have been reused) */
	for (size_t i = 0; i < st->nstmts && !slot; i++)
		if (st->stmts[i].ptr == sql && strcmp(st->stmts[i].sql, sql) == 0)
			slot = &st->stmts[i];
	for (size_t i = 0; i < st->nstmts && !slot; i++)
		if (strcmp(st->stmts[i].sql, sql) == 0)
			slot = &st->stmts[i];
	if (slot) {
		sqlite3_reset(slot->s);
		sqlite3_clear_bindings(slot->s);
		slot->ptr = sql;
		*s = slot->s;
		return PT_OK;
	}
	if (!(copy = strdup(sql)))
		return pt_fail(err, PT_NOMEM, NULL);
	rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
	if (rc != SQLITE_OK) {
		free(copy);
		return store_fail(st, rc, err, _("prepare statement"));
	}
	if (st->nstmts == STMT_CACHE_SIZE) {
		/* full: the oldest goes (it is not in use: nothing nests) */
		sqlite3_finalize(st->stmts[0].s);
		free(st->stmts[0].sql);
		memmove(st->stmts, st->stmts + 1, (STMT_CACHE_SIZE - 1) * sizeof(st->stmts[0]));
		st->nstmts--;
	}
	st->stmts[st->nstmts].ptr = sql;
	st->stmts[st->nstmts].sql = copy;
	st->stmts[st->nstmts++].s = *s;
	return PT_OK;
}

enum pt_status
store_cached_run(struct store *st, sqlite3_stmt *s, struct pt_err *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, what);
}

static void
stmt_cache_clear(struct store *st)
{
	for (size_t i = 0; i < st->nstmts; i++) {
		sqlite3_finalize(st->stmts[i].s);
		free(st->stmts[i].sql);
	}
	st->nstmts = 0;
}

struct store_audit_cache *
store_audit_cache(struct store *st)
{
	return st->audit_valid ? &st->audit : NULL;
}

struct store_audit_cache *
store_audit_cache_set(struct store *st, const struct store_audit_cache *c)
{
	st->audit = *c;
	st->audit_valid = true;
	return &st->audit;
}

void
store_audit_cache_drop(struct store *st)
{
	st->audit_valid = false;
	memset(&st->audit, 0, sizeof(st->audit));
}

const char *
store_text(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t ? t : "";
}

enum pt_status
store_need_tx(struct store *st, struct pt_err *err)
{
	if (sqlite3_get_autocommit(st->db))
		return pt_fail(err, PT_ERR, _("internal error: change outside a transaction"));
	return PT_OK;
}

enum pt_status
store_exec(struct store *st, const char *sql, struct pt_err *err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? PT_OK : store_fail(st, rc, err, _("database statement"));
}

/* x'<key hex><salt hex>', in secure memory. */
static char *
key_spec(const uint8_t *key, const uint8_t salt[KDF_SALT_LEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 2 + 2 * (KDF_KEY_LEN + KDF_SALT_LEN) + 1;
	char *s = secmem_alloc(n + 1), *p;

	if (!s)
		return NULL;
	p = s;
	*p++ = 'x';
	*p++ = '\'';
	for (size_t i = 0; i < KDF_KEY_LEN; i++) {
		*p++ = hex[key[i] >> 4];
		*p++ = hex[key[i] & 15];
	}
	for (size_t i = 0; i < KDF_SALT_LEN; i++) {
		*p++ = hex[salt[i] >> 4];
		*p++ = hex[salt[i] & 15];
	}
	*p++ = '\'';
	*p = '\0';
	return s;
}

static enum pt_status
db_key(sqlite3 *db, const uint8_t *key, const uint8_t salt[KDF_SALT_LEN], struct pt_err *err)
{
	char *spec = key_spec(key, salt);
	int rc;

	if (!spec)
		return pt_fail(err, PT_NOMEM, NULL);
	rc = sqlite3_key(db, spec, (int)strlen(spec));
	secmem_free(spec);
	if (rc != SQLITE_OK)
		return pt_fail(err, PT_CRYPTO, _("cannot key the store: %s"), sqlite3_errstr(rc));
	return PT_OK;
}

static enum pt_status
query_int(struct store *st, const char *sql, int *out, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(s, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? PT_OK : store_fail(st, rc, err, sql);
}

/* Every page is authenticated (HMAC) by SQLCipher; reading them all once
 * at unlock turns a damaged page into a clear error now, rather than a
 * surprise in the middle of some later command. */
static enum pt_status
check_integrity(struct store *st, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = PT_OK;
	int rc;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s, NULL);
	if (rc != SQLITE_OK) {
		ret = store_fail(st, rc, err, _("integrity check"));
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		if (!r || strcmp(r, "ok") != 0) {
			/* SQLite's report spans lines: one line for the user */
			char why[256];
			snprintf(why, sizeof(why), "%s", r ? r : "?");
			for (char *c = why; *c; c++)
				if (*c == '\n' || *c == '\r' || *c == '\t')
					*c = ' ';
			ret = pt_fail(err, PT_DAMAGED, _("the store %s is damaged: %s"), st->path, why);
		}
	} else {
		ret = store_fail(st, rc, err, _("integrity check"));
	}
out:
	sqlite3_finalize(s);
	return ret;
}

static enum pt_status
migrate(struct store *st, struct pt_err *err)
{
	const int target = (int)(sizeof(migrations) / sizeof(migrations[0]));
	enum pt_status ret;
	char sql[64];
	int v;

	ret = query_int(st, "PRAGMA user_version", &v, err);
	if (ret != PT_OK)
		return ret;
	if (v > target)
		return pt_fail(err, PT_REFUSED,
		               _("the store %s was written by a newer passtore (schema %d, this one knows %d)"),
		               st->path, v, target);
	if (v == target)
		return PT_OK;
	ret = store_begin(st, err);
	if (ret != PT_OK)
		return ret;
	for (; v < target; v++) {
		ret = store_exec(st, migrations[v], err);
		if (ret != PT_OK)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", target);
	ret = store_exec(st, sql, err);
	if (ret != PT_OK)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return ret;
}

static enum pt_status
store_new(const char *path, struct store **out, struct pt_err *err)
{
	struct store *st = calloc(1, sizeof(*st));

	if (!st)
		return pt_fail(err, PT_NOMEM, NULL);
	st->path = strdup(path);
	st->key = secmem_alloc(KDF_KEY_LEN);
	if (!st->path || !st->key) {
		store_close(&st);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	*out = st;
	return PT_OK;
}

/* Open the SQLite handle, key it and prove the key right. */
static enum pt_status
attach_db(struct store *st, int flags, struct pt_err *err)
{
	enum pt_status ret;
	int rc, n;

	/* a handle serves one thread at a time (the console unlocks in a
	 * thread, then hands it over): SQLite's per-call locking of the
	 * connection is not needed, and cost 5% of a large report */
	rc = sqlite3_open_v2(st->path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return pt_fail(err, PT_IO, _("cannot open %s: %s"), st->path, sqlite3_errstr(rc));
	ret = db_key(st->db, st->key, st->salt, err);
	if (ret != PT_OK)
		return ret;
	/* not stored in the file: it must be set again at every open */
	ret = store_exec(st, "PRAGMA cipher_page_size = " PT_STR(STORE_PAGE_SIZE), err);
	if (ret != PT_OK)
		return ret;
	sqlite3_busy_timeout(st->db, 5000);
	rc = sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
	if ((rc & 0xff) == SQLITE_NOTADB)
		return pt_fail(err, PT_LOCKED,
		               _("wrong passphrase for %s (or its first page is damaged)"), st->path);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, _("unlock"));
	ret = store_exec(st, "PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY", err);
	if (ret != PT_OK)
		return ret;
	ret = query_int(st, "PRAGMA foreign_keys", &n, err);
	if (ret == PT_OK && n != 1)
		ret = pt_fail(err, PT_ERR, _("this SQLCipher cannot enforce foreign keys"));
	return ret;
}

static enum pt_status
ensure_parent_dir(const char *path, struct pt_err *err)
{
	char *copy = strdup(path), *dir;
	enum pt_status ret = PT_OK;

	if (!copy)
		return pt_fail(err, PT_NOMEM, NULL);
	dir = dirname(copy);
	if (access(dir, F_OK) != 0) {
		/* one level, private: the station's data directory */
		char *copy2 = strdup(dir);
		if (copy2) {
			char *parent = dirname(copy2);
			if (access(parent, F_OK) != 0)
				ret = pt_fail(err, PT_IO, _("directory %s does not exist"), parent);
			else if (mkdir(dir, 0700) != 0 && errno != EEXIST)
				ret = pt_fail(err, PT_IO, _("cannot create %s: %s"), dir, strerror(errno));
			free(copy2);
		}
	}
	free(copy);
	return ret;
}

enum pt_status
store_create(const char *path, const char *pass, size_t passlen, const struct kdf_params *kp,
             struct store **out, struct pt_err *err)
{
	struct store *st = NULL;
	enum pt_status ret;
	int fd, created = 0;

	*out = NULL;
	ret = kdf_params_check(kp, err);
	if (ret != PT_OK)
		return ret;
	ret = ensure_parent_dir(path, err);
	if (ret != PT_OK)
		return ret;
	/* O_EXCL: the refusal to overwrite is atomic, not a race with stat() */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return pt_fail(err, PT_EXISTS, _("%s already exists: not overwriting it"), path);
		return pt_fail(err, PT_IO, _("cannot create %s: %s"), path, strerror(errno));
	}
	close(fd);
	created = 1;
	ret = store_new(path, &st, err);
	if (ret != PT_OK)
		goto fail;
	st->kp = *kp;
	if (gnutls_rnd(GNUTLS_RND_NONCE, st->salt, sizeof(st->salt)) != 0) {
		ret = pt_fail(err, PT_CRYPTO, _("the random generator failed"));
		goto fail;
	}
	header_encode(st->salt, kp);
	ret = kdf_derive(pass, passlen, st->salt, kp, st->key, err);
	if (ret != PT_OK)
		goto fail;
	ret = attach_db(st, SQLITE_OPEN_READWRITE, err);
	if (ret != PT_OK)
		goto fail;
	ret = migrate(st, err);
	if (ret != PT_OK)
		goto fail;
	*out = st;
	return PT_OK;
fail:
	store_close(&st);
	if (created)
		unlink(path);
	return ret;
}

enum pt_status
store_open(const char *path, const char *pass, size_t passlen, struct store **out,
           struct pt_err *err)
{
	struct store *st = NULL;
	enum pt_status ret;

	*out = NULL;
	ret = store_new(path, &st, err);
	if (ret != PT_OK)
		return ret;
	ret = read_header(path, st->salt, err);
	if (ret != PT_OK)
		goto fail;
	ret = header_decode(st->salt, &st->kp, path, err);
	if (ret != PT_OK)
		goto fail;
	ret = kdf_derive(pass, passlen, st->salt, &st->kp, st->key, err);
	if (ret != PT_OK)
		goto fail;
	ret = attach_db(st, SQLITE_OPEN_READWRITE, err);
	if (ret != PT_OK)
		goto fail;
	ret = check_integrity(st, err);
	if (ret != PT_OK)
		goto fail;
	ret = migrate(st, err);
	if (ret != PT_OK)
		goto fail;
	*out = st;
	return PT_OK;
fail:
	store_close(&st);
	return ret;
}

void
store_close(struct store **pst)
{
	struct store *st = pst ? *pst : NULL;

	if (!st)
		return;
	stmt_cache_clear(st);
	if (st->db)
		sqlite3_close_v2(st->db);
	secmem_free(st->key);
	free(st->path);
	explicit_bzero(st, sizeof(*st));
	free(st);
	*pst = NULL;
}

enum pt_status
store_begin(struct store *st, struct pt_err *err)
{
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	store_audit_cache_drop(st);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, _("begin transaction"));
	st->in_tx = 1;
	return PT_OK;
}

/* The audit chain's end, kept in memory by the appends, goes to the
 * meta table with the transaction it belongs to. */
static enum pt_status
audit_flush(struct store *st, struct pt_err *err)
{
	char num[32];
	enum pt_status ret;

	if (!st->audit_valid || !st->audit.dirty)
		return PT_OK;
	snprintf(num, sizeof(num), "%lld", (long long)st->audit.count);
	ret = store_meta_set(st, "audit.head", st->audit.head, err);
	if (ret == PT_OK)
		ret = store_meta_set(st, "audit.count", num, err);
	if (ret == PT_OK)
		st->audit.dirty = false;
	return ret;
}

enum pt_status
store_commit(struct store *st, struct pt_err *err)
{
	enum pt_status ret = audit_flush(st, err);
	int rc;

	if (ret != PT_OK) {
		store_rollback(st);
		return ret;
	}
	rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	store_audit_cache_drop(st);
	if (rc != SQLITE_OK) {
		ret = store_fail(st, rc, err, _("commit"));
		store_rollback(st);
		return ret;
	}
	st->in_tx = 0;
	return PT_OK;
}

void
store_rollback(struct store *st)
{
	/* what the rolled-back rows said about the chain is gone with them */
	store_audit_cache_drop(st);
	if (st->in_tx || !sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

enum pt_status
store_meta_get(struct store *st, const char *key, char **value, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	*value = NULL;
	ret = store_cached(st, "SELECT value FROM meta WHERE key = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*value = strdup((const char *)sqlite3_column_text(s, 0));
		if (!*value)
			ret = pt_fail(err, PT_NOMEM, NULL);
	} else if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("read setting"));
	}
	sqlite3_reset(s);
	return ret;
}

enum pt_status
store_meta_set(struct store *st, const char *key, const char *value, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_cached(st, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
	                                  &s, err);

	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return store_cached_run(st, s, err, _("write setting"));
}

enum pt_status
store_meta_delete(struct store *st, const char *key, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_prepare(st, "DELETE FROM meta WHERE key = ?", &s, err);

	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	return store_run(st, s, err, _("remove setting"));
}

static enum pt_status
fsync_path(const char *path, int dir, struct pt_err *err)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return pt_fail(err, PT_IO, _("cannot sync %s: %s"), path, strerror(e));
	}
	close(fd);
	return PT_OK;
}

static enum pt_status
fsync_parent(const char *path, struct pt_err *err)
{
	char *copy = strdup(path);
	enum pt_status ret;

	if (!copy)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = fsync_path(dirname(copy), 1, err);
	free(copy);
	return ret;
}

/* Open a second handle on a file keyed like st (or with key/salt). */
static enum pt_status
open_sibling(const char *path, const uint8_t *key, const uint8_t salt[KDF_SALT_LEN],
             const struct kdf_params *kp, int flags, struct store **out, struct pt_err *err)
{
	struct store *o = NULL;
	enum pt_status ret = store_new(path, &o, err);

	if (ret != PT_OK)
		return ret;
	memcpy(o->key, key, KDF_KEY_LEN);
	memcpy(o->salt, salt, KDF_SALT_LEN);
	o->kp = *kp;
	ret = attach_db(o, flags, err);
	if (ret == PT_OK)
		ret = check_integrity(o, err);
	if (ret != PT_OK) {
		store_close(&o);
		return ret;
	}
	*out = o;
	return PT_OK;
}

enum pt_status
store_rekey(struct store *st, const char *pass, size_t passlen, const struct kdf_params *kp,
            enum pt_status (*audit_cb)(struct store *newst, void *ud), void *ud,
            struct pt_err *err)
{
	uint8_t salt[KDF_SALT_LEN], *key = NULL;
	struct store *nst = NULL;
	char *tmp = NULL, *spec = NULL, *sql = NULL;
	enum pt_status ret;
	int rc, v = 0;

	ret = kdf_params_check(kp, err);
	if (ret != PT_OK)
		return ret;
	key = secmem_alloc(KDF_KEY_LEN);
	if (!key || asprintf(&tmp, "%s.rekey", st->path) < 0) {
		tmp = NULL;
		ret = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	if (gnutls_rnd(GNUTLS_RND_NONCE, salt, sizeof(salt)) != 0) {
		ret = pt_fail(err, PT_CRYPTO, _("the random generator failed"));
		goto out;
	}
	header_encode(salt, kp);
	ret = kdf_derive(pass, passlen, salt, kp, key, err);
	if (ret != PT_OK)
		goto out;
	unlink(tmp); /* a leftover of an interrupted rekey holds nothing we need */
	/* the main handle was opened without SQLITE_OPEN_CREATE, and ATTACH
	 * inherits that: make the (private) file first */
	{
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			ret = pt_fail(err, PT_IO, _("cannot create %s: %s"), tmp, strerror(errno));
			goto out;
		}
		close(fd);
	}
	spec = key_spec(key, salt);
	if (!spec || !(sql = sqlite3_mprintf("ATTACH DATABASE %Q AS rekey KEY \"%w\"", tmp, spec))) {
		ret = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		ret = store_fail(st, rc, err, _("create the re-keyed copy"));
		goto out;
	}
	rc = sqlite3_exec(st->db, "PRAGMA rekey.cipher_page_size = " PT_STR(STORE_PAGE_SIZE), NULL, NULL,
	                  NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "SELECT sqlcipher_export('rekey')", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		ret = query_int(st, "PRAGMA main.user_version", &v, err);
	else
		ret = store_fail(st, rc, err, _("export to the re-keyed copy"));
	if (ret == PT_OK) {
		char uv[64];
		snprintf(uv, sizeof(uv), "PRAGMA rekey.user_version = %d", v);
		ret = store_exec(st, uv, err);
	}
	(void)sqlite3_exec(st->db, "DETACH DATABASE rekey", NULL, NULL, NULL);
	if (ret != PT_OK)
		goto out;
	ret = open_sibling(tmp, key, salt, kp, SQLITE_OPEN_READWRITE, &nst, err);
	if (ret != PT_OK)
		goto out;
	if (audit_cb) {
		ret = store_begin(nst, err);
		if (ret == PT_OK)
			ret = audit_cb(nst, ud);
		if (ret == PT_OK)
			ret = store_commit(nst, err);
		else
			store_rollback(nst);
		if (ret != PT_OK)
			goto out;
	}
	ret = fsync_path(tmp, 0, err);
	if (ret != PT_OK)
		goto out;
	if (rename(tmp, st->path) != 0) {
		ret = pt_fail(err, PT_IO, _("cannot replace %s: %s"), st->path, strerror(errno));
		goto out;
	}
	(void)fsync_parent(st->path, NULL);
	/* SQLite refuses writes through a connection whose file was renamed
	 * under it (SQLITE_READONLY_DBMOVED), so the handle goes on with one
	 * opened on the final name under the new key */
	store_close(&nst);
	ret = open_sibling(st->path, key, salt, kp, SQLITE_OPEN_READWRITE, &nst, err);
	if (ret != PT_OK)
		goto out;
	{
		struct store swap = *st;
		*st = *nst;
		*nst = swap;
	}
	st->in_tx = 0;
out:
	store_close(&nst);
	if (ret != PT_OK && tmp)
		unlink(tmp);
	sqlite3_free(sql);
	secmem_free(spec);
	secmem_free(key);
	free(tmp);
	return ret;
}

enum pt_status
store_file_sha256(const char *path, char hex[65], uint64_t *bytes, struct pt_err *err)
{
	unsigned char buf[65536], dig[32];
	gnutls_hash_hd_t h;
	uint64_t total = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pt_fail(err, errno == ENOENT ? PT_NOTFOUND : PT_IO, _("cannot open %s: %s"),
		               path, strerror(errno));
	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) != 0) {
		close(fd);
		return pt_fail(err, PT_CRYPTO, _("cannot start SHA-256"));
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		gnutls_hash(h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	gnutls_hash_deinit(h, dig);
	close(fd);
	if (n < 0)
		return pt_fail(err, PT_IO, _("cannot read %s: %s"), path, strerror(errno));
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", dig[i]);
	if (bytes)
		*bytes = total;
	return PT_OK;
}

static enum pt_status
copy_file(int in, int out, const char *dest, struct pt_err *err)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		char *p = buf;
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return pt_fail(err, PT_IO, _("cannot write %s: %s"), dest, strerror(errno));
			}
			p += w;
			n -= w;
		}
	}
	if (n < 0)
		return pt_fail(err, PT_IO, _("cannot read the store: %s"), strerror(errno));
	if (fsync(out) != 0)
		return pt_fail(err, PT_IO, _("cannot sync %s: %s"), dest, strerror(errno));
	return PT_OK;
}

static char *
backup_target(const char *dest)
{
	struct stat sb;
	char stamp[32], *p = NULL;
	time_t now = time(NULL);
	struct tm tm;

	char cwd[4096], *abs = NULL;

	/* the record must still find the copy from another directory */
	if (dest[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		if (asprintf(&abs, "%s/%s", cwd, dest) < 0)
			return NULL;
		dest = abs;
	}
	if (stat(dest, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		if (asprintf(&p, "%s/passtore-%s.db", dest, stamp) < 0)
			p = NULL;
		free(abs);
		return p;
	}
	p = strdup(dest);
	free(abs);
	return p;
}

enum pt_status
store_backup(struct store *st, const char *dest, char **written, uint64_t *bytes,
             char sha256_hex[65], struct pt_err *err)
{
	struct store *copy = NULL;
	enum pt_status ret;
	char *target;
	int in = -1, out = -1, locked = 0, rc;

	*written = NULL;
	target = backup_target(dest);
	if (!target)
		return pt_fail(err, PT_NOMEM, NULL);
	out = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		ret = pt_fail(err, errno == EEXIST ? PT_EXISTS : PT_IO,
		              errno == EEXIST ? _("%s already exists: not overwriting it")
		                              : _("cannot create %s: %s"),
		              target, strerror(errno));
		free(target);
		return ret;
	}
	/* a read transaction holds SQLite's shared lock: no commit can land
	 * while the bytes are copied, so the copy is one consistent state */
	rc = sqlite3_exec(st->db, "BEGIN; SELECT count(*) FROM meta;", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		ret = store_fail(st, rc, err, _("lock the store for backup"));
		goto out;
	}
	locked = 1;
	in = open(st->path, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		ret = pt_fail(err, PT_IO, _("cannot open %s: %s"), st->path, strerror(errno));
		goto out;
	}
	ret = copy_file(in, out, target, err);
	if (ret != PT_OK)
		goto out;
	(void)sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	locked = 0;
	close(out);
	out = -1;
	ret = fsync_parent(target, err);
	if (ret != PT_OK)
		goto out;
	/* reopen the copy and read every page before calling it a backup */
	ret = open_sibling(target, st->key, st->salt, &st->kp, SQLITE_OPEN_READONLY, &copy, err);
	if (ret != PT_OK) {
		char why[sizeof(err->detail)];
		snprintf(why, sizeof(why), "%s", err ? err->detail : "");
		pt_fail(err, PT_IO, _("the copy at %s does not verify: %s"), target, why);
		goto out;
	}
	ret = store_file_sha256(target, sha256_hex, bytes, err);
out:
	if (locked)
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	store_close(&copy);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (ret != PT_OK) {
		unlink(target);
		free(target);
	} else {
		*written = target;
	}
	return ret;
}

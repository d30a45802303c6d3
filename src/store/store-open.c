/* store-open.c - the store created and unlocked: the KDF header in the
 * salt, the key handed to SQLCipher, the page check, the migrations. */
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
#include "store/private.h"
#include "store/rowmac.h"

/* Migrations: index i brings user_version i to i + 1. */
static const char *const migrations[] = {
	schema_sql,     migrate_2_sql,  migrate_3_sql,  migrate_4_sql,  migrate_5_sql,
	migrate_6_sql,  migrate_7_sql,  migrate_8_sql,  migrate_9_sql,  migrate_10_sql,
	migrate_11_sql, migrate_12_sql, migrate_13_sql, migrate_14_sql,
};

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

void
store_header_encode(uint8_t salt[KDF_SALT_LEN], const struct kdf_params *kp)
{
	salt[0] = HDR_MAGIC0;
	salt[1] = HDR_MAGIC1;
	salt[2] = HDR_VERSION_LEGACY;
	salt[3] = (uint8_t)log2u(kp->m_kib);
	salt[4] = (uint8_t)kp->t_cost;
	salt[5] = (uint8_t)kp->lanes;
}

/* The format-2 header: the KDF parameters in bytes 3-5. */
static enum pt_status
header_decode(const uint8_t salt[KDF_SALT_LEN], struct kdf_params *kp, const char *path,
              struct pt_err *err)
{
	if (salt[0] != HDR_MAGIC0 || salt[1] != HDR_MAGIC1)
		return pt_fail(err, PT_NOTSTORE, _("%s is not a passtore store"), path);
	if (salt[2] != HDR_VERSION_LEGACY || salt[3] > 31)
		return pt_fail(err, PT_NOTSTORE, _("%s has an unknown store format (version %u)"),
		               path, salt[2]);
	kp->m_kib = 1u << salt[3];
	kp->t_cost = salt[4];
	kp->lanes = salt[5];
	if (kdf_params_check(kp, NULL) != PT_OK)
		return pt_fail(err, PT_NOTSTORE, _("%s has invalid key derivation parameters"),
		               path);
	return PT_OK;
}

static bool
header_is_v3(const uint8_t salt[KDF_SALT_LEN])
{
	return salt[0] == HDR_MAGIC0 && salt[1] == HDR_MAGIC1 && salt[2] == HDR_VERSION;
}

int
store_open_regular(const char *path)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -2;
	}
	return fd;
}

static enum pt_status
read_header(const char *path, uint8_t salt[KDF_SALT_LEN], struct pt_err *err)
{
	ssize_t n;
	int fd;

	fd = store_open_regular(path);
	if (fd == -2)
		return pt_fail(err, PT_INVALID,
		               _("%s is not a regular file: a store is one plain file"), path);
	if (fd < 0) {
		if (errno == ENOENT)
			return pt_fail(err, PT_NOTFOUND,
			               _("no store at %s (create one with \"passtore init\")"),
			               path);
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
	struct keyrec e;
	enum pt_status st = read_header(path, salt, err);

	if (st != PT_OK || !header_is_v3(salt))
		return st != PT_OK ? st : header_decode(salt, kp, path, err);
	st = keyrec_find(path, salt, &e, err);
	if (st == PT_OK)
		*kp = e.kp;
	return st;
}

/* x'<key hex><salt hex>', in secure memory. */
char *
store_key_spec(const uint8_t *key, const uint8_t salt[KDF_SALT_LEN])
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
	char *spec = store_key_spec(key, salt);
	int rc;

	if (!spec)
		return pt_fail(err, PT_NOMEM, NULL);
	rc = sqlite3_key(db, spec, (int)strlen(spec));
	secmem_free(spec);
	if (rc != SQLITE_OK)
		return pt_fail(err, PT_CRYPTO, _("cannot key the store: %s"), sqlite3_errstr(rc));
	return PT_OK;
}

enum pt_status
store_query_int(struct store *st, const char *sql, int *out, struct pt_err *err)
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
enum pt_status
store_check_integrity(struct store *st, struct pt_err *err)
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
			ret = pt_fail(err, PT_DAMAGED, _("the store %s is damaged: %s"), st->path,
			              why);
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

	ret = store_query_int(st, "PRAGMA user_version", &v, err);
	if (ret != PT_OK)
		return ret;
	if (v > target)
		return pt_fail(
			err, PT_REFUSED,
			_("the store %s was written by a newer passtore (schema %d, this one knows %d)"),
			st->path, v, target);
	if (v == target)
		return PT_OK;
	ret = store_begin(st, err);
	if (ret != PT_OK)
		return ret;
	for (; v < target; v++) {
		ret = store_exec(st, migrations[v], err);
		/* schemas 11 and 13 add the rows' MACs: the rows there get theirs */
		if (ret == PT_OK && v + 1 == 11)
			ret = rowmac_seal_all(st, ROWMAC_CREDENTIALS, err);
		if (ret == PT_OK && v + 1 == 13)
			ret = rowmac_seal_all(st, ROWMAC_KEYS, err);
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

enum pt_status
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
enum pt_status
store_attach_db(struct store *st, int flags, struct pt_err *err)
{
	enum pt_status ret;
	int rc, n;

	/* SQLite's page cache and working memory hold what the store holds:
	 * never in the ordinary heap, so never opened without the secure one */
	if (!store_memory_init())
		return pt_fail(err, PT_ERR,
		               _("SQLite started before passtore could give it locked memory: "
		                 "not opening %s"),
		               st->path);
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
		               _("wrong passphrase for %s (or its first page is damaged)"),
		               st->path);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, _("unlock"));
	ret = store_exec(
		st,
		"PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY",
		err);
	if (ret != PT_OK)
		return ret;
	ret = store_query_int(st, "PRAGMA foreign_keys", &n, err);
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
				ret = pt_fail(err, PT_IO, _("cannot create %s: %s"), dir,
				              strerror(errno));
			free(copy2);
		}
	}
	free(copy);
	return ret;
}

/* The new file, refused if it exists (O_EXCL: atomically, not a race
 * with stat()), and its folder. */
static enum pt_status
create_file(const char *path, struct pt_err *err)
{
	enum pt_status ret = ensure_parent_dir(path, err);
	int fd;

	if (ret != PT_OK)
		return ret;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return pt_fail(err, PT_EXISTS, _("%s already exists: not overwriting it"),
			               path);
		return pt_fail(err, PT_IO, _("cannot create %s: %s"), path, strerror(errno));
	}
	close(fd);
	return PT_OK;
}

/* A new data key, wrapped under the passphrase's key in a new record. */
static enum pt_status
create_keys(struct store *st, const char *pass, size_t passlen, struct pt_err *err)
{
	struct keyrec *e = &st->rec;
	enum pt_status ret;

	st->kek = secmem_alloc(KDF_KEY_LEN);
	if (!st->kek)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = store_fresh_key(st->key, st->salt, err);
	if (ret != PT_OK)
		return ret;
	if (gnutls_rnd(GNUTLS_RND_NONCE, e->id, sizeof(e->id)) != 0 ||
	    gnutls_rnd(GNUTLS_RND_NONCE, e->ksalt, sizeof(e->ksalt)) != 0)
		return pt_fail(err, PT_CRYPTO, _("the random generator failed"));
	e->gen = 1;
	e->kp = st->kp;
	memcpy(e->dbsalt, st->salt, KDF_SALT_LEN);
	ret = kdf_derive(pass, passlen, e->ksalt, &st->kp, st->kek, err);
	if (ret == PT_OK)
		ret = keyrec_wrap(e, st->kek, st->key, err);
	if (ret == PT_OK)
		ret = keyrec_write(st->path, e, 1, err);
	return ret;
}

static enum pt_status
create_any(const char *path, const char *pass, size_t passlen, const struct kdf_params *kp,
           bool legacy, struct store **out, struct pt_err *err)
{
	struct store *st = NULL;
	enum pt_status ret;
	char *rp = NULL;

	*out = NULL;
	ret = kdf_params_check(kp, err);
	if (ret == PT_OK)
		ret = create_file(path, err);
	if (ret != PT_OK)
		return ret;
	rp = keyrec_path(path);
	ret = store_new(path, &st, err);
	if (ret != PT_OK)
		goto fail;
	st->kp = *kp;
	if (legacy) {
		if (gnutls_rnd(GNUTLS_RND_NONCE, st->salt, sizeof(st->salt)) != 0) {
			ret = pt_fail(err, PT_CRYPTO, _("the random generator failed"));
			goto fail;
		}
		store_header_encode(st->salt, kp);
		ret = kdf_derive(pass, passlen, st->salt, kp, st->key, err);
	} else {
		ret = create_keys(st, pass, passlen, err);
	}
	if (ret == PT_OK)
		ret = store_attach_db(st, SQLITE_OPEN_READWRITE, err);
	if (ret == PT_OK)
		ret = migrate(st, err);
	if (ret != PT_OK)
		goto fail;
	free(rp);
	*out = st;
	return PT_OK;
fail:
	store_close(&st);
	unlink(path);
	if (rp && !legacy)
		unlink(rp);
	free(rp);
	return ret;
}

enum pt_status
store_create(const char *path, const char *pass, size_t passlen, const struct kdf_params *kp,
             struct store **out, struct pt_err *err)
{
	return create_any(path, pass, passlen, kp, false, out, err);
}

enum pt_status
store_create_legacy(const char *path, const char *pass, size_t passlen, const struct kdf_params *kp,
                    struct store **out, struct pt_err *err)
{
	return create_any(path, pass, passlen, kp, true, out, err);
}

/* Format 3: the record's entry for this file, the passphrase's key, the
 * data key unwrapped with it. */
static enum pt_status
unlock_keys(struct store *st, const char *pass, size_t passlen, struct pt_err *err)
{
	enum pt_status ret = keyrec_find(st->path, st->salt, &st->rec, err);

	if (ret != PT_OK)
		return ret;
	st->kp = st->rec.kp;
	st->kek = secmem_alloc(KDF_KEY_LEN);
	if (!st->kek)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = kdf_derive(pass, passlen, st->rec.ksalt, &st->kp, st->kek, err);
	if (ret == PT_OK)
		ret = keyrec_unwrap(&st->rec, st->kek, st->key, st->path, err);
	return ret;
}

enum pt_status
store_open(const char *path, const char *pass, size_t passlen, struct store **out,
           struct pt_err *err)
{
	struct store *st = NULL;
	enum pt_status ret;
	bool legacy;

	*out = NULL;
	ret = store_new(path, &st, err);
	if (ret != PT_OK)
		return ret;
	ret = read_header(path, st->salt, err);
	if (ret != PT_OK)
		goto fail;
	legacy = !header_is_v3(st->salt);
	if (legacy) {
		ret = header_decode(st->salt, &st->kp, path, err);
		if (ret == PT_OK)
			ret = kdf_derive(pass, passlen, st->salt, &st->kp, st->key, err);
	} else {
		ret = unlock_keys(st, pass, passlen, err);
	}
	if (ret != PT_OK)
		goto fail;
	ret = store_attach_db(st, SQLITE_OPEN_READWRITE, err);
	if (ret != PT_OK)
		goto fail;
	ret = store_check_integrity(st, err);
	if (ret != PT_OK)
		goto fail;
	ret = migrate(st, err);
	if (ret != PT_OK)
		goto fail;
	/* the first unlock by this version converts a format-2 store */
	if (legacy) {
		struct pt_err cerr = { 0 };
		ret = store_convert(st, &cerr);
		/* another passtore holds the write lock (converting it, or
		 * writing): this unlock goes on with format 2, a later one
		 * converts */
		if (ret != PT_OK && !st->lock_busy) {
			if (err)
				*err = cerr;
			goto fail;
		}
		ret = PT_OK;
	}
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
	store_stmt_cache_clear(st);
	if (st->db)
		sqlite3_close_v2(st->db);
	secmem_free(st->key);
	secmem_free(st->kek);
	secmem_free(st->mac_keys);
	free(st->path);
	explicit_bzero(st, sizeof(*st));
	free(st);
	*pst = NULL;
}

enum pt_status
store_give(const struct store *st, uid_t uid, gid_t gid, bool dir, struct pt_err *err)
{
	char *rp = keyrec_path(st->path), *copy = strdup(st->path);
	const char *bad = NULL;
	int e = 0;

	if (!rp || !copy) {
		free(rp);
		free(copy);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	if (chown(st->path, uid, gid) != 0)
		bad = st->path, e = errno;
	else if (chown(rp, uid, gid) != 0 && errno != ENOENT)
		bad = rp, e = errno;
	else if (dir && chown(dirname(copy), uid, gid) != 0)
		bad = copy, e = errno;
	if (bad)
		pt_fail(err, PT_IO, _("cannot give %s to its account: %s"), bad, strerror(e));
	free(rp);
	free(copy);
	return bad ? PT_IO : PT_OK;
}

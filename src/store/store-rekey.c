/* store-rekey.c - new files beside the store: a re-keyed copy that takes
 * its place, backups, and the SHA-256 of a file. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "store/store.h"
#include "store/private.h"
#include "store/rowmac.h"

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
	ret = store_attach_db(o, flags, err);
	if (ret == PT_OK)
		ret = store_check_integrity(o, err);
	if (ret != PT_OK) {
		store_close(&o);
		return ret;
	}
	*out = o;
	return PT_OK;
}

/* The re-keyed copy at tmp: a private new file, attached under the new
 * key and filled by sqlcipher_export, the schema version carried over. */
static enum pt_status
rekey_export(struct store *st, const char *tmp, const uint8_t *key,
             const uint8_t salt[KDF_SALT_LEN], struct pt_err *err)
{
	char *spec = NULL, *sql = NULL;
	enum pt_status ret;
	int rc, v = 0;

	unlink(tmp); /* a leftover of an interrupted rekey holds nothing we need */
	/* the main handle was opened without SQLITE_OPEN_CREATE, and ATTACH
	 * inherits that: make the (private) file first */
	{
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return pt_fail(err, PT_IO, _("cannot create %s: %s"), tmp,
			               pt_file_strerror(errno));
		/* it replaces the store: the store's owner */
		store_keep_owner(fd, st->path);
		close(fd);
	}
	spec = store_key_spec(key, salt);
	if (!spec ||
	    !(sql = sqlite3_mprintf("ATTACH DATABASE %Q AS rekey KEY \"%w\"", tmp, spec))) {
		ret = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		ret = store_fail(st, rc, err, _("create the re-keyed copy"));
		goto out;
	}
	rc = sqlite3_exec(st->db, "PRAGMA rekey.cipher_page_size = " PT_STR(STORE_PAGE_SIZE), NULL,
	                  NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "SELECT sqlcipher_export('rekey')", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		ret = store_query_int(st, "PRAGMA main.user_version", &v, err);
	else
		ret = store_fail(st, rc, err, _("export to the re-keyed copy"));
	if (ret == PT_OK) {
		char uv[64];
		snprintf(uv, sizeof(uv), "PRAGMA rekey.user_version = %d", v);
		ret = store_exec(st, uv, err);
	}
	(void)sqlite3_exec(st->db, "DETACH DATABASE rekey", NULL, NULL, NULL);
out:
	sqlite3_free(sql);
	secmem_free(spec);
	return ret;
}

/* The copy takes the store's name, durably, and st goes on with a handle
 * on it under the new key; *nst, the copy's own handle, ends up with the
 * old one for the caller to close. */
static enum pt_status
rekey_install(struct store *st, const char *tmp, const uint8_t *key,
              const uint8_t salt[KDF_SALT_LEN], const struct kdf_params *kp, struct store **nst,
              struct pt_err *err)
{
	enum pt_status ret;

	ret = fsync_path(tmp, 0, err);
	if (ret != PT_OK)
		return ret;
	if (rename(tmp, st->path) != 0)
		return pt_fail(err, PT_IO, _("cannot replace %s: %s"), st->path, strerror(errno));
	(void)fsync_parent(st->path, NULL);
	/* SQLite refuses writes through a connection whose file was renamed
	 * under it (SQLITE_READONLY_DBMOVED), so the handle goes on with one
	 * opened on the final name under the new key */
	store_close(nst);
	ret = open_sibling(st->path, key, salt, kp, SQLITE_OPEN_READWRITE, nst, err);
	if (ret != PT_OK)
		return ret;
	{
		struct store swap = *st;
		*st = **nst;
		**nst = swap;
	}
	st->in_tx = 0;
	return PT_OK;
}

/* A test of the suite sets PASSTORE_TEST_STOP to a point's name to find
 * the process stopped there (SIGSTOP): it can then kill it, or run a
 * concurrent writer, at a known point.  Costs one getenv. */
static void
test_stop(const char *point)
{
	const char *h = getenv("PASSTORE_TEST_STOP");

	if (h && strcmp(h, point) == 0)
		raise(SIGSTOP);
}

/* The store's write lock (SQLite's RESERVED lock, as BEGIN IMMEDIATE
 * takes it) held on a second handle of the original file: a writer that
 * comes while the copy is made waits, and when it gets the lock the file
 * it holds has been renamed away, so SQLite refuses its commit
 * (SQLITE_READONLY_DBMOVED) instead of acknowledging a write that the
 * copy does not have.  Readers are not blocked. */
static enum pt_status
hold_write_lock(struct store *st, struct store **hold, struct pt_err *err)
{
	struct store *h = NULL;
	enum pt_status ret = store_new(st->path, &h, err);
	int rc;

	if (ret != PT_OK)
		return ret;
	memcpy(h->key, st->key, KDF_KEY_LEN);
	memcpy(h->salt, st->salt, KDF_SALT_LEN);
	h->kp = st->kp;
	ret = store_attach_db(h, SQLITE_OPEN_READWRITE, err);
	if (ret == PT_OK) {
		rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		st->lock_busy = (rc & 0xff) == SQLITE_BUSY;
		if (rc != SQLITE_OK)
			ret = store_fail(h, rc, err, _("lock the store"));
	}
	if (ret != PT_OK) {
		store_close(&h);
		return ret;
	}
	*hold = h;
	return PT_OK;
}

enum pt_status
store_replace(struct store *st, const uint8_t *key, const uint8_t salt[KDF_SALT_LEN],
              const struct keyrec *during, size_t n_during, const struct keyrec *after,
              size_t n_after, enum pt_status (*audit_cb)(struct store *nst, void *ud), void *ud,
              struct pt_err *err)
{
	struct store *nst = NULL, *hold = NULL;
	struct kdf_params kp = st->kp;
	char *tmp = NULL;
	enum pt_status ret;

	if (asprintf(&tmp, "%s.rekey", st->path) < 0)
		return pt_fail(err, PT_NOMEM, NULL);
	/* without the lock, the .rekey file may be another passtore's work */
	ret = hold_write_lock(st, &hold, err);
	if (ret != PT_OK) {
		free(tmp);
		return ret;
	}
	ret = rekey_export(st, tmp, key, salt, err);
	if (ret == PT_OK)
		ret = open_sibling(tmp, key, salt, &kp, SQLITE_OPEN_READWRITE, &nst, err);
	if (ret != PT_OK)
		goto out;
	/* the rows' MACs follow the new key, each sealed again in the trail */
	ret = store_begin(nst, err);
	if (ret == PT_OK && audit_cb)
		ret = audit_cb(nst, ud);
	if (ret == PT_OK)
		ret = rowmac_seal_all(nst, ROWMAC_CREDENTIALS | ROWMAC_KEYS, err);
	if (ret == PT_OK)
		ret = store_commit(nst, err);
	else
		store_rollback(nst);
	if (ret != PT_OK)
		goto out;
	/* the record opens both files from here until the rename is done */
	ret = keyrec_write(st->path, during, n_during, err);
	if (ret != PT_OK)
		goto out;
	test_stop("replace");
	ret = rekey_install(st, tmp, key, salt, &kp, &nst, err);
	if (ret != PT_OK)
		goto out;
	/* nst holds the old handle now: its passphrase key goes on with st */
	st->kek = nst->kek;
	nst->kek = NULL;
	st->rec = after[0];
	ret = keyrec_write(st->path, after, n_after, err);
out:
	store_close(&nst);
	store_close(&hold);
	if (ret != PT_OK && tmp)
		unlink(tmp);
	free(tmp);
	return ret;
}

enum pt_status
store_rekey(struct store *st, const char *pass, size_t passlen, const struct kdf_params *kp,
            enum pt_status (*audit_cb)(struct store *newst, void *ud), void *ud, struct pt_err *err)
{
	enum pt_status ret = kdf_params_check(kp, err);

	if (ret == PT_OK)
		ret = store_rewrap(st, pass, passlen, kp, err);
	if (ret != PT_OK || !audit_cb)
		return ret;
	ret = store_begin(st, err);
	if (ret == PT_OK)
		ret = audit_cb(st, ud);
	if (ret == PT_OK)
		ret = store_commit(st, err);
	else
		store_rollback(st);
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
				return pt_fail(err, PT_IO, _("cannot write %s: %s"), dest,
				               strerror(errno));
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

/* The temporary a backup is written under, in the directory of its
 * final name (so the rename stays on one file system): one fixed name
 * per directory, so that the next backup finds what a killed one left. */
static char *
backup_temp_name(const char *target)
{
	char *copy = strdup(target), *p = NULL;

	if (!copy)
		return NULL;
	if (asprintf(&p, "%s/" STORE_BACKUP_TEMP, dirname(copy)) < 0)
		p = NULL;
	free(copy);
	return p;
}

/* Remove the copy (and key record) a killed backup left under the
 * temporary name; the caller reports it. */
static bool
backup_drop_temp(const char *tmp)
{
	char *rp = keyrec_path(tmp), *rpt = NULL;
	bool found = unlink(tmp) == 0;

	if (rp) {
		found |= unlink(rp) == 0;
		if (asprintf(&rpt, "%s.tmp", rp) >= 0)
			found |= unlink(rpt) == 0;
	}
	free(rpt);
	free(rp);
	return found;
}

static enum pt_status
backup_open_temp(struct store *st, const char *target, const char *tmp, int *out,
                 struct pt_err *err)
{
	struct stat sb;

	/* the final name is checked here and again, atomically, by link() */
	if (lstat(target, &sb) == 0)
		return pt_fail(err, PT_EXISTS, _("%s already exists: not overwriting it"), target);
	st->backup_leftover = backup_drop_temp(tmp);
	*out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*out < 0)
		return pt_fail(err, PT_IO, _("cannot create %s: %s"), tmp, pt_file_strerror(errno));
	return PT_OK;
}

/* Copy the store's bytes under one read transaction: no commit can land
 * while they are copied, so the copy is one consistent state. */
static enum pt_status
backup_copy(struct store *st, int out, const char *tmp, struct pt_err *err)
{
	enum pt_status ret;
	int in, rc;

	rc = sqlite3_exec(st->db, "BEGIN; SELECT count(*) FROM meta;", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, _("lock the store for backup"));
	in = open(st->path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		ret = pt_fail(err, PT_IO, _("cannot open %s: %s"), st->path, strerror(errno));
	else
		ret = copy_file(in, out, tmp, err);
	if (in >= 0)
		close(in);
	(void)sqlite3_exec(st->db, ret == PT_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

/* Reopen the copy and read every page before calling it a backup, then
 * give it its own key record: it opens with the passphrase of today (and
 * the shares of its data key) whatever the store does later. */
static enum pt_status
backup_verify(struct store *st, const char *tmp, const char *target, uint64_t *bytes,
              char sha256_hex[65], struct pt_err *err)
{
	struct store *copy = NULL;
	enum pt_status ret;

	ret = open_sibling(tmp, st->key, st->salt, &st->kp, SQLITE_OPEN_READONLY, &copy, err);
	store_close(&copy);
	if (ret != PT_OK) {
		char why[sizeof(err->detail)];
		snprintf(why, sizeof(why), "%s", err ? err->detail : "");
		return pt_fail(err, PT_IO, _("the copy at %s does not verify: %s"), target, why);
	}
	ret = store_file_sha256(tmp, sha256_hex, bytes, err);
	if (ret == PT_OK && st->rec.gen)
		ret = keyrec_write(tmp, &st->rec, 1, err);
	return ret;
}

/* Move the verified copy to its final name: the key record first (a
 * backup under its final name always has its record), then the copy by
 * link(), which never replaces a file that appeared meanwhile. */
static enum pt_status
backup_install(struct store *st, const char *tmp, const char *target, struct pt_err *err)
{
	char *rt = keyrec_path(tmp), *rf = keyrec_path(target);
	enum pt_status ret = PT_OK;

	if (!rt || !rf)
		ret = pt_fail(err, PT_NOMEM, NULL);
	else if (st->rec.gen && rename(rt, rf) != 0)
		ret = pt_fail(err, PT_IO, _("cannot rename %s: %s"), rt, strerror(errno));
	test_stop("backup-key-renamed");
	if (ret == PT_OK && link(tmp, target) != 0)
		ret = pt_fail(err, errno == EEXIST ? PT_EXISTS : PT_IO,
		              errno == EEXIST ? _("%s already exists: not overwriting it")
		                              : _("cannot create %s: %s"),
		              target, pt_file_strerror(errno));
	if (ret == PT_OK) {
		test_stop("backup-linked");
		unlink(tmp);
		ret = fsync_parent(target, err);
	} else if (rf && st->rec.gen) {
		unlink(rf);
	}
	free(rt);
	free(rf);
	return ret;
}

enum pt_status
store_backup(struct store *st, const char *dest, char **written, uint64_t *bytes,
             char sha256_hex[65], struct pt_err *err)
{
	enum pt_status ret;
	char *target, *tmp;
	int out = -1;

	*written = NULL;
	st->backup_leftover = false;
	target = backup_target(dest);
	tmp = target ? backup_temp_name(target) : NULL;
	if (!tmp) {
		free(target);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	ret = backup_open_temp(st, target, tmp, &out, err);
	if (ret != PT_OK) {
		free(tmp);
		free(target);
		return ret;
	}
	ret = backup_copy(st, out, tmp, err);
	close(out);
	test_stop("backup-copied");
	if (ret == PT_OK)
		ret = fsync_parent(tmp, err);
	if (ret == PT_OK)
		ret = backup_verify(st, tmp, target, bytes, sha256_hex, err);
	test_stop("backup-verified");
	if (ret == PT_OK)
		ret = backup_install(st, tmp, target, err);
	if (ret != PT_OK) {
		backup_drop_temp(tmp);
		free(target);
	} else {
		*written = target;
	}
	free(tmp);
	return ret;
}

bool
store_backup_left_over(const struct store *st)
{
	return st->backup_leftover;
}

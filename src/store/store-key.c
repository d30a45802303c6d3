/* store-key.c - the data key and its key record.
 *
 * Since format 3 the database is keyed with a random 256-bit data key.
 * The key record, a small file beside the store named "<store>.key",
 * keeps that key wrapped (AES-256-GCM) under the key Argon2id derives
 * from the passphrase.  A change of passphrase rewrites the record only;
 * the k-of-n shares are shares of the data key.  See store.h for the
 * layout.  A store of format 2 (keyed with the Argon2id output itself)
 * is converted here at its first unlock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "store/audit.h"
#include "store/store.h"
#include "store/private.h"

#define KEYREC_MAGIC "PTK1"
#define KEYREC_TAG_LEN 16

char *
keyrec_path(const char *dbpath)
{
	char *p = NULL;

	if (asprintf(&p, "%s.key", dbpath) < 0)
		return NULL;
	return p;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
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

/* The authenticated part (everything before the nonce): the record's
 * identity, generation, the database file it opens and the KDF. */
static void
keyrec_encode(const struct keyrec *e, uint8_t out[KEYREC_LEN])
{
	memcpy(out, KEYREC_MAGIC, 4);
	out[4] = (uint8_t)log2u(e->kp.m_kib);
	out[5] = (uint8_t)e->kp.t_cost;
	out[6] = (uint8_t)e->kp.lanes;
	out[7] = 0;
	put32(out + 8, e->gen);
	memcpy(out + 12, e->id, sizeof(e->id));
	memcpy(out + 28, e->dbsalt, KDF_SALT_LEN);
	memcpy(out + 44, e->ksalt, KDF_SALT_LEN);
	memcpy(out + KEYREC_AD_LEN, e->nonce, sizeof(e->nonce));
	memcpy(out + KEYREC_AD_LEN + 12, e->wrapped, sizeof(e->wrapped));
}

static bool
keyrec_decode(const uint8_t in[KEYREC_LEN], struct keyrec *e)
{
	if (memcmp(in, KEYREC_MAGIC, 4) != 0 || in[4] > 31 || in[7] != 0)
		return false;
	e->kp.m_kib = 1u << in[4];
	e->kp.t_cost = in[5];
	e->kp.lanes = in[6];
	e->gen = get32(in + 8);
	memcpy(e->id, in + 12, sizeof(e->id));
	memcpy(e->dbsalt, in + 28, KDF_SALT_LEN);
	memcpy(e->ksalt, in + 44, KDF_SALT_LEN);
	memcpy(e->nonce, in + KEYREC_AD_LEN, sizeof(e->nonce));
	memcpy(e->wrapped, in + KEYREC_AD_LEN + 12, sizeof(e->wrapped));
	return kdf_params_check(&e->kp, NULL) == PT_OK;
}

static enum pt_status
aead(const uint8_t *kek, struct pt_err *err, gnutls_aead_cipher_hd_t *h)
{
	gnutls_datum_t k = { (unsigned char *)kek, KDF_KEY_LEN };

	if (gnutls_aead_cipher_init(h, GNUTLS_CIPHER_AES_256_GCM, &k) != 0)
		return pt_fail(err, PT_CRYPTO, _("cannot start AES-256-GCM"));
	return PT_OK;
}

enum pt_status
keyrec_wrap(struct keyrec *e, const uint8_t *kek, const uint8_t *dk, struct pt_err *err)
{
	uint8_t ad[KEYREC_LEN];
	gnutls_aead_cipher_hd_t h;
	size_t n = sizeof(e->wrapped);
	int rc;

	if (gnutls_rnd(GNUTLS_RND_NONCE, e->nonce, sizeof(e->nonce)) != 0)
		return pt_fail(err, PT_CRYPTO, _("the random generator failed"));
	keyrec_encode(e, ad);
	if (aead(kek, err, &h) != PT_OK)
		return PT_CRYPTO;
	rc = gnutls_aead_cipher_encrypt(h, e->nonce, sizeof(e->nonce), ad, KEYREC_AD_LEN,
	                                KEYREC_TAG_LEN, dk, KDF_KEY_LEN, e->wrapped, &n);
	gnutls_aead_cipher_deinit(h);
	if (rc != 0 || n != sizeof(e->wrapped))
		return pt_fail(err, PT_CRYPTO, _("cannot wrap the data key"));
	return PT_OK;
}

/* PT_LOCKED when the tag does not verify: a wrong passphrase, or a
 * record changed behind our back (the two cannot be told apart). */
enum pt_status
keyrec_unwrap(const struct keyrec *e, const uint8_t *kek, uint8_t *dk, const char *path,
              struct pt_err *err)
{
	uint8_t ad[KEYREC_LEN];
	gnutls_aead_cipher_hd_t h;
	size_t n = KDF_KEY_LEN;
	int rc;

	keyrec_encode(e, ad);
	if (aead(kek, err, &h) != PT_OK)
		return PT_CRYPTO;
	rc = gnutls_aead_cipher_decrypt(h, e->nonce, sizeof(e->nonce), ad, KEYREC_AD_LEN,
	                                KEYREC_TAG_LEN, e->wrapped, sizeof(e->wrapped), dk, &n);
	gnutls_aead_cipher_deinit(h);
	if (rc != 0 || n != KDF_KEY_LEN)
		return pt_fail(err, PT_LOCKED,
		               _("wrong passphrase for %s (or its key record is damaged)"), path);
	return PT_OK;
}

/* The entry of dbpath's record that opens the database whose salt is
 * dbsalt (during a rotation the record holds the old and the new one). */
enum pt_status
keyrec_find(const char *dbpath, const uint8_t dbsalt[KDF_SALT_LEN], struct keyrec *out,
            struct pt_err *err)
{
	uint8_t buf[KEYREC_LEN * KEYREC_MAX + 1];
	char *rp = keyrec_path(dbpath);
	ssize_t n;
	int fd;

	if (!rp)
		return pt_fail(err, PT_NOMEM, NULL);
	fd = store_open_regular(rp);
	if (fd < 0) {
		enum pt_status r =
			fd == -2 ? pt_fail(err, PT_NOTSTORE, _("%s: not a regular file"), rp)
				 : pt_fail(err, PT_NOTSTORE,
		                           _("cannot open %s, the key record of %s: %s"), rp,
		                           dbpath, strerror(errno));
		free(rp);
		return r;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	for (ssize_t off = 0;
	     n > 0 && n % KEYREC_LEN == 0 && n <= KEYREC_LEN * KEYREC_MAX && off < n;
	     off += KEYREC_LEN) {
		if (!keyrec_decode(buf + off, out))
			break;
		if (memcmp(out->dbsalt, dbsalt, KDF_SALT_LEN) == 0) {
			free(rp);
			return PT_OK;
		}
	}
	pt_fail(err, PT_NOTSTORE, _("%s is not the key record of %s (or it is damaged)"), rp,
	        dbpath);
	free(rp);
	return PT_NOTSTORE;
}

static enum pt_status
sync_dir_of(const char *path, struct pt_err *err)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return pt_fail(err, PT_NOMEM, NULL);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		if (fd >= 0)
			close(fd);
		free(copy);
		return pt_fail(err, PT_IO, _("cannot sync the directory of %s: %s"), path,
		               strerror(errno));
	}
	close(fd);
	free(copy);
	return PT_OK;
}

/* The record replaced atomically: a private temporary file, synced,
 * renamed over the old one, the directory synced. */
enum pt_status
keyrec_write(const char *dbpath, const struct keyrec *e, size_t n, struct pt_err *err)
{
	uint8_t buf[KEYREC_LEN * KEYREC_MAX];
	char *rp = keyrec_path(dbpath), *tmp = NULL;
	enum pt_status ret = PT_OK;
	int fd = -1;

	if (!rp || asprintf(&tmp, "%s.tmp", rp) < 0) {
		free(rp);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	for (size_t i = 0; i < n && i < KEYREC_MAX; i++)
		keyrec_encode(&e[i], buf + i * KEYREC_LEN);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	/* the record's owner, or the store's for a first record */
	if (fd >= 0)
		store_keep_owner(fd, access(rp, F_OK) == 0 ? rp : dbpath);
	if (fd < 0 || write(fd, buf, n * KEYREC_LEN) != (ssize_t)(n * KEYREC_LEN) ||
	    fsync(fd) != 0) {
		ret = pt_fail(err, PT_IO, _("cannot write %s: %s"), tmp, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, rp) != 0) {
		ret = pt_fail(err, PT_IO, _("cannot replace %s: %s"), rp, strerror(errno));
		goto out;
	}
	ret = sync_dir_of(rp, err);
out:
	if (fd >= 0)
		close(fd);
	if (ret != PT_OK)
		unlink(tmp);
	free(tmp);
	free(rp);
	return ret;
}

void
store_dbsalt_new_header(uint8_t salt[KDF_SALT_LEN])
{
	salt[0] = HDR_MAGIC0;
	salt[1] = HDR_MAGIC1;
	salt[2] = HDR_VERSION;
}

enum pt_status
store_fresh_key(uint8_t *dk, uint8_t dbsalt[KDF_SALT_LEN], struct pt_err *err)
{
	if (gnutls_rnd(GNUTLS_RND_KEY, dk, KDF_KEY_LEN) != 0 ||
	    gnutls_rnd(GNUTLS_RND_NONCE, dbsalt, KDF_SALT_LEN) != 0)
		return pt_fail(err, PT_CRYPTO, _("the random generator failed"));
	store_dbsalt_new_header(dbsalt);
	return PT_OK;
}

static enum pt_status
audit_convert(struct store *nst, void *ud)
{
	return audit_appendf(nst, "store.convert", ud, NULL,
	                     "format=3 data-key=aes-256 wrap=aes-256-gcm");
}

/* Format 2 to format 3: the Argon2id output that keyed the file becomes
 * the key that wraps a new random data key (so no second derivation is
 * needed), and the database is re-encrypted under the data key into a
 * new file that replaces the old one (store_replace: the old file stays
 * whole and opens with the old passphrase until the rename). */
enum pt_status
store_convert(struct store *st, struct pt_err *err)
{
	uint8_t *dk = secmem_alloc(KDF_KEY_LEN), dbsalt[KDF_SALT_LEN];
	struct keyrec e = { 0 };
	enum pt_status ret;

	if (!dk)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = store_fresh_key(dk, dbsalt, err);
	if (ret == PT_OK && gnutls_rnd(GNUTLS_RND_NONCE, e.id, sizeof(e.id)) != 0)
		ret = pt_fail(err, PT_CRYPTO, _("the random generator failed"));
	if (ret != PT_OK)
		goto out;
	e.gen = 1;
	e.kp = st->kp;
	memcpy(e.dbsalt, dbsalt, KDF_SALT_LEN);
	memcpy(e.ksalt, st->salt, KDF_SALT_LEN);
	ret = keyrec_wrap(&e, st->key, dk, err);
	if (ret != PT_OK)
		goto out;
	if (!st->kek && !(st->kek = secmem_alloc(KDF_KEY_LEN))) {
		ret = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	memcpy(st->kek, st->key, KDF_KEY_LEN);
	ret = store_replace(st, dk, dbsalt, &e, 1, &e, 1, audit_convert, st->path, err);
out:
	secmem_free(dk);
	return ret;
}

/* A new passphrase: a new KDF salt and parameters, the same data key
 * wrapped again; the database file is not touched. */
enum pt_status
store_rewrap(struct store *st, const char *pass, size_t passlen, const struct kdf_params *kp,
             struct pt_err *err)
{
	uint8_t *kek = secmem_alloc(KDF_KEY_LEN);
	struct keyrec e = st->rec;
	enum pt_status ret;

	if (!kek)
		return pt_fail(err, PT_NOMEM, NULL);
	if (!e.gen) {
		secmem_free(kek);
		return pt_fail(err, PT_ERR,
		               _("%s is still being converted to the data-key format by another "
		                 "passtore: unlock it again"),
		               st->path);
	}
	e.kp = *kp;
	if (gnutls_rnd(GNUTLS_RND_NONCE, e.ksalt, sizeof(e.ksalt)) != 0) {
		ret = pt_fail(err, PT_CRYPTO, _("the random generator failed"));
		goto out;
	}
	ret = kdf_derive(pass, passlen, e.ksalt, kp, kek, err);
	if (ret == PT_OK)
		ret = keyrec_wrap(&e, kek, st->key, err);
	if (ret == PT_OK)
		ret = keyrec_write(st->path, &e, 1, err);
	if (ret != PT_OK)
		goto out;
	st->rec = e;
	st->kp = *kp;
	secmem_free(st->kek);
	st->kek = kek;
	kek = NULL;
out:
	secmem_free(kek);
	return ret;
}

void
store_fingerprint(const struct store *st, char out[STORE_FPR_LEN])
{
	keyrec_fingerprint(&st->rec, out);
}

void
keyrec_fingerprint(const struct keyrec *e, char out[STORE_FPR_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t d[32];
	char *p = out;

	gnutls_hash_fast(GNUTLS_DIG_SHA256, e->id, sizeof(e->id), d);
	for (int i = 0; i < 8; i++) {
		if (i && i % 2 == 0)
			*p++ = '-';
		*p++ = hex[d[i] >> 4];
		*p++ = hex[d[i] & 15];
	}
	*p = '\0';
}

uint32_t
store_key_generation(const struct store *st)
{
	return st->rec.gen;
}

static enum pt_status
audit_rotate(struct store *nst, void *ud)
{
	const struct store *st = ud;
	char fpr[STORE_FPR_LEN];

	keyrec_fingerprint(&st->rec, fpr);
	return audit_appendf(nst, "escrow.rotate", fpr, NULL, "gen=%u previous=%u path=%s",
	                     st->rec.gen + 1, st->rec.gen, st->path);
}

/* A new data key: the database re-encrypted under it into a new file
 * (store_replace), wrapped under the same passphrase; shares of the old
 * key no longer open the new file.  The record holds both entries until
 * the rename is done, so a kill leaves a store that opens. */
enum pt_status
store_rotate(struct store *st, struct pt_err *err)
{
	uint8_t *dk = secmem_alloc(KDF_KEY_LEN), dbsalt[KDF_SALT_LEN];
	struct keyrec both[2];
	enum pt_status ret;

	if (!dk)
		return pt_fail(err, PT_NOMEM, NULL);
	if (!st->kek || !st->rec.gen) {
		secmem_free(dk);
		return pt_fail(err, PT_ERR,
		               _("unlock %s with its passphrase to rotate its data key"), st->path);
	}
	ret = store_fresh_key(dk, dbsalt, err);
	if (ret != PT_OK)
		goto out;
	both[0] = st->rec;
	both[0].gen = st->rec.gen + 1;
	memcpy(both[0].dbsalt, dbsalt, KDF_SALT_LEN);
	ret = keyrec_wrap(&both[0], st->kek, dk, err);
	if (ret != PT_OK)
		goto out;
	both[1] = st->rec;
	ret = store_replace(st, dk, dbsalt, both, 2, both, 1, audit_rotate, st, err);
out:
	secmem_free(dk);
	return ret;
}

enum pt_status
store_peek_key(const char *path, uint32_t *gen, char fpr[STORE_FPR_LEN], struct pt_err *err)
{
	uint8_t salt[KDF_SALT_LEN];
	struct keyrec e;
	ssize_t n;
	int fd = store_open_regular(path);

	*gen = 0;
	fpr[0] = '\0';
	if (fd == -2)
		return pt_fail(err, PT_INVALID, _("%s: not a regular file"), path);
	if (fd < 0)
		return pt_fail(err, PT_NOTFOUND, _("cannot open %s: %s"), path, strerror(errno));
	n = read(fd, salt, sizeof(salt));
	close(fd);
	if (n != KDF_SALT_LEN || salt[0] != HDR_MAGIC0 || salt[1] != HDR_MAGIC1)
		return pt_fail(err, PT_NOTSTORE, _("%s is not a passtore store"), path);
	if (salt[2] == HDR_VERSION_LEGACY)
		return PT_OK;
	if (keyrec_find(path, salt, &e, err) != PT_OK)
		return PT_NOTSTORE;
	*gen = e.gen;
	keyrec_fingerprint(&e, fpr);
	return PT_OK;
}

void
store_keep_owner(int fd, const char *like)
{
	struct stat sb;

	if (geteuid() != 0 || stat(like, &sb) != 0 || sb.st_uid == 0)
		return;
	(void)!fchown(fd, sb.st_uid, sb.st_gid);
}

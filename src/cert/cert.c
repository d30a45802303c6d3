/* cert.c - CAs, host keys, requests and certificates in the store.
 *
 * The rule this file keeps (promise 3): a certificate row exists only
 * for a stored key whose SHA-256 key id equals the certificate's.  Keys
 * are read back only into secmem and only to hand them to x509.c.
 */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <ctype.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store/lib.h"
#include "cert/cert.h"
#include "base/i18n.h"
#include "base/lib.h"

#define DAY 86400

/* "AB:CD:..." like x509_cert.key_id_hex, so stored ids compare as text. */
static void
hex_id(const unsigned char *id, char out[X509_ID_HEX_LEN])
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < X509_ID_LEN; i++) {
		out[i * 3] = digits[id[i] >> 4];
		out[i * 3 + 1] = digits[id[i] & 15];
		out[i * 3 + 2] = i + 1 < X509_ID_LEN ? ':' : '\0';
	}
}

static enum pt_status
host_id(struct store *st, const char *fqdn, int64_t *id, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st, "SELECT id FROM hosts WHERE fqdn = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_NOTFOUND,
		               _("unknown host %s (add it first with \"passtore host add %s\")"), fqdn,
		               fqdn);
	return rc == SQLITE_ROW ? PT_OK : store_fail(st, rc, err, _("look up host"));
}

/* ---------------------------------------------------------------------
 * Certificate authorities
 * ------------------------------------------------------------------- */

static bool
valid_ca_name(const char *n)
{
	if (!*n || strlen(n) > 64)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '.' && *n != '_' && *n != '-')
			return false;
	return true;
}

/* The bundle as clean PEM, whatever form it came in (DER, text around). */
static enum pt_status
bundle_pem(const struct x509_cert_list *l, char **out, struct pt_err *err)
{
	size_t len = 0;
	char *buf = NULL;

	for (size_t i = 0; i < l->n; i++) {
		gnutls_datum_t der = { l->certs[i].der, (unsigned)l->certs[i].der_len }, pem;
		char *nb;

		if (gnutls_pem_base64_encode2("CERTIFICATE", &der, &pem) < 0) {
			free(buf);
			return pt_fail(err, PT_CRYPTO, _("cannot encode the CA bundle"));
		}
		nb = realloc(buf, len + pem.size + 1);
		if (!nb) {
			gnutls_free(pem.data);
			free(buf);
			return pt_fail(err, PT_NOMEM, NULL);
		}
		buf = nb;
		memcpy(buf + len, pem.data, pem.size);
		len += pem.size;
		buf[len] = '\0';
		gnutls_free(pem.data);
	}
	*out = buf;
	return PT_OK;
}

enum pt_status
cert_ca_add(struct store *st, const char *name, const unsigned char *bundle, size_t len,
            const char *tmpl, const char *keytype, struct pt_err *err)
{
	struct x509_cert_list *l = NULL;
	struct x509_subject *subj = NULL;
	enum x509_keytype kt;
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char *pem = NULL;
	size_t n;
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if (!valid_ca_name(name))
		return pt_fail(err, PT_INVALID,
		               _("\"%s\" is not a CA name (letters, digits, \".\", \"_\", \"-\")"), name);
	if (!tmpl)
		tmpl = CERT_DEFAULT_TEMPLATE;
	ret = x509_subject_parse(tmpl, "host.example.org", &subj, err);
	x509_subject_free(&subj);
	if (ret != PT_OK)
		return ret;
	ret = x509_keytype_parse(keytype ? keytype : CERT_DEFAULT_KEY, &kt, err);
	if (ret != PT_OK)
		return ret;
	ret = x509_bundle_parse(bundle, len, &l, err);
	if (ret != PT_OK)
		return ret;
	n = l->n;
	ret = bundle_pem(l, &pem, err);
	x509_cert_list_free(&l);
	if (ret != PT_OK)
		return ret;
	ret = store_prepare(st,
	           "INSERT INTO cas (name, bundle_pem, subject_tmpl, default_key, created_at)"
	           " VALUES (?, ?, ?, ?, ?)",
	           &s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, pem, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, tmpl, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, x509_keytype_name(kt), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		ret = pt_fail(err, PT_EXISTS, _("CA %s already exists"), name);
	else if (rc != SQLITE_DONE)
		ret = store_fail(st, rc, err, _("add CA"));
	else
		ret = audit_appendf(st, "ca.add", name, err, "certificates=%zu template=%s key=%s", n,
		                    tmpl, x509_keytype_name(kt));
out:
	free(pem);
	return ret;
}

#define CA_SELECT \
	"SELECT c.id, c.name, c.subject_tmpl, c.default_key, c.bundle_pem, c.created_at," \
	" (SELECT count(*) FROM requests r WHERE r.ca_id = c.id)," \
	" (SELECT count(*) FROM certificates x WHERE x.ca_id = c.id)" \
	" FROM cas c "

static enum pt_status
ca_rows(struct store *st, sqlite3_stmt *s, int (*cb)(const struct cert_ca *ca, void *ud),
        void *ud, int *seen, struct pt_err *err)
{
	int rc;

	*seen = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cert_ca ca = {
			.id = sqlite3_column_int64(s, 0),
			.name = store_text(s, 1),
			.subject_tmpl = store_text(s, 2),
			.default_key = store_text(s, 3),
			.bundle_pem = store_text(s, 4),
			.created_at = (time_t)sqlite3_column_int64(s, 5),
			.requests = sqlite3_column_int64(s, 6),
			.certificates = sqlite3_column_int64(s, 7),
		};
		(*seen)++;
		if (cb(&ca, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("list CAs"));
}

enum pt_status
cert_ca_get(struct store *st, const char *name, int (*cb)(const struct cert_ca *ca, void *ud),
            void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int seen;

	ret = store_prepare(st, CA_SELECT "WHERE c.name = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	ret = ca_rows(st, s, cb, ud, &seen, err);
	if (ret == PT_OK && !seen)
		ret = pt_fail(err, PT_NOTFOUND, _("no CA \"%s\" (see \"passtore ca list\")"), name);
	return ret;
}

enum pt_status
cert_ca_foreach(struct store *st, int (*cb)(const struct cert_ca *ca, void *ud), void *ud,
                struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int seen;

	ret = store_prepare(st, CA_SELECT "ORDER BY c.name", &s, err);
	if (ret != PT_OK)
		return ret;
	return ca_rows(st, s, cb, ud, &seen, err);
}

/* The CA a request names, or the only one. */
struct ca_pick {
	int64_t id;
	char *name, *tmpl, *key;
	int count;
};

static int
ca_pick_cb(const struct cert_ca *ca, void *ud)
{
	struct ca_pick *p = ud;

	if (++p->count > 1)
		return 0;
	p->id = ca->id;
	p->name = strdup(ca->name);
	p->tmpl = strdup(ca->subject_tmpl);
	p->key = strdup(ca->default_key);
	return 0;
}

static void
ca_pick_free(struct ca_pick *p)
{
	free(p->name);
	free(p->tmpl);
	free(p->key);
	memset(p, 0, sizeof(*p));
}

static enum pt_status
pick_ca(struct store *st, const char *name, struct ca_pick *p, struct pt_err *err)
{
	enum pt_status ret;

	memset(p, 0, sizeof(*p));
	ret = name ? cert_ca_get(st, name, ca_pick_cb, p, err) : cert_ca_foreach(st, ca_pick_cb, p, err);
	if (ret == PT_OK && p->count == 0)
		ret = pt_fail(err, PT_NOTFOUND,
		              _("no CA in the store (add one with \"passtore ca add NAME --bundle FILE\")"));
	else if (ret == PT_OK && p->count > 1)
		ret = pt_fail(err, PT_USAGE, _("the store holds %d CAs: name one with --ca"), p->count);
	else if (ret == PT_OK && (!p->name || !p->tmpl || !p->key))
		ret = pt_fail(err, PT_NOMEM, NULL);
	if (ret != PT_OK)
		ca_pick_free(p);
	return ret;
}

/* ---------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------- */

void
cert_request_info_clear(struct cert_request_info *ri)
{
	free(ri->ca);
	free(ri->keytype);
	free(ri->subject);
	free(ri->sans);
	memset(ri, 0, sizeof(*ri));
}

static enum pt_status
no_pending(struct store *st, int64_t hid, const char *fqdn, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st, "SELECT created_at FROM requests WHERE host_id = ? AND state = 'pending'", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		char when[32];
		time_t t = (time_t)sqlite3_column_int64(s, 0);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", &tm);
		sqlite3_finalize(s);
		return pt_fail(err, PT_REFUSED,
		               _("host %s already has a pending request (made %s): import its certificate, "
		                 "or cancel it with \"passtore cert cancel %s\""),
		               fqdn, when, fqdn);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("look up requests"));
}

static char *
join_names(const char *fqdn, const char *const *sans, size_t n)
{
	size_t len = strlen(fqdn) + 1;
	char *out;

	for (size_t i = 0; i < n; i++)
		len += strlen(sans[i]) + 1;
	out = malloc(len);
	if (!out)
		return NULL;
	strcpy(out, fqdn);
	for (size_t i = 0; i < n; i++) {
		strcat(out, ",");
		strcat(out, sans[i]);
	}
	return out;
}

static enum pt_status
insert_key(struct store *st, int64_t hid, const char *type, const char *key_pem,
           const char *key_id, const char *origin, int64_t *id, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st,
	           "INSERT INTO keys (host_id, type, key_pem, key_id, origin, created_at)"
	           " VALUES (?, ?, ?, ?, ?, ?)",
	           &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, key_pem, (int)strlen(key_pem), SQLITE_STATIC);
	sqlite3_bind_text(s, 4, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return pt_fail(err, PT_EXISTS, _("this key is already in the store (key id %s)"), key_id);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("store the key"));
	*id = sqlite3_last_insert_rowid(store_db(st));
	return PT_OK;
}

enum pt_status
cert_request_create(struct store *st, const char *fqdn, const struct cert_request_opts *o,
                    struct cert_request_info *out, struct pt_err *err)
{
	struct x509_subject *subj = NULL;
	struct ca_pick ca = { 0 };
	enum x509_keytype kt;
	unsigned char id[X509_ID_LEN];
	char idhex[X509_ID_HEX_LEN];
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char *key = NULL, *csr = NULL, *grid = NULL, *names = NULL;
	int64_t hid, kid;

	memset(out, 0, sizeof(*out));
	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	/* everything that can refuse runs before the slow key generation */
	if ((ret = host_id(st, fqdn, &hid, err)) != PT_OK ||
	    (ret = no_pending(st, hid, fqdn, err)) != PT_OK ||
	    (ret = pick_ca(st, o->ca, &ca, err)) != PT_OK)
		return ret;
	ret = x509_keytype_parse(o->keytype ? o->keytype : ca.key, &kt, err);
	if (ret == PT_OK)
		ret = x509_subject_parse(ca.tmpl, fqdn, &subj, err);
	if (ret != PT_OK)
		goto out;
	grid = x509_subject_grid(subj);
	names = join_names(fqdn, o->sans, o->nsans);
	if (!grid || !names) {
		ret = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	if ((ret = x509_key_generate(kt, o->progress, o->progress_ud, &key, err)) != PT_OK ||
	    (ret = x509_key_id(key, id, err)) != PT_OK ||
	    (ret = x509_csr_create(key, ca.tmpl, fqdn, o->sans, o->nsans, &csr, err)) != PT_OK)
		goto out;
	hex_id(id, idhex);
	ret = insert_key(st, hid, x509_keytype_name(kt), key, idhex, "generated", &kid, err);
	if (ret != PT_OK)
		goto out;
	ret = store_prepare(st,
	           "INSERT INTO requests (host_id, key_ref, ca_id, csr_pem, subject, sans, state, created_at)"
	           " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
	           &s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int64(s, 2, kid);
	sqlite3_bind_int64(s, 3, ca.id);
	sqlite3_bind_text(s, 4, csr, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, grid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, names, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)time(NULL));
	ret = store_run(st, s, err, _("store the request"));
	if (ret != PT_OK)
		goto out;
	out->id = sqlite3_last_insert_rowid(store_db(st));
	ret = audit_appendf(st, "cert.request", fqdn, err, "ca=%s key=%s key_id=%s subject=%s sans=%s",
	                    ca.name, x509_keytype_name(kt), idhex, grid, names);
	if (ret != PT_OK)
		goto out;
	out->ca = ca.name;
	ca.name = NULL;
	out->keytype = strdup(x509_keytype_name(kt));
	out->subject = grid;
	grid = NULL;
	out->sans = names;
	names = NULL;
out:
	secmem_free(key);
	free(csr);
	free(grid);
	free(names);
	x509_subject_free(&subj);
	ca_pick_free(&ca);
	return ret;
}

enum pt_status
cert_request_csr(struct store *st, const char *fqdn, char **csr_pem, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid;
	int rc;

	*csr_pem = NULL;
	if ((ret = host_id(st, fqdn, &hid, err)) != PT_OK)
		return ret;
	ret = store_prepare(st, "SELECT csr_pem FROM requests WHERE host_id = ? AND state = 'pending'", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*csr_pem = strdup(store_text(s, 0));
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_NOTFOUND,
		               _("host %s has no pending request (make one with \"passtore cert request %s\")"),
		               fqdn, fqdn);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read the request"));
	return *csr_pem ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
}

enum pt_status
cert_request_cancel(struct store *st, const char *fqdn, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid;

	if ((ret = store_need_tx(st, err)) != PT_OK || (ret = host_id(st, fqdn, &hid, err)) != PT_OK)
		return ret;
	ret = store_prepare(st, "UPDATE requests SET state = 'cancelled' WHERE host_id = ? AND state = 'pending'",
	           &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	ret = store_run(st, s, err, _("cancel the request"));
	if (ret != PT_OK)
		return ret;
	if (sqlite3_changes(store_db(st)) == 0)
		return pt_fail(err, PT_NOTFOUND, _("host %s has no pending request"), fqdn);
	return audit_append(st, "cert.cancel", fqdn, "", err);
}

/* ---------------------------------------------------------------------
 * Import and adopt
 * ------------------------------------------------------------------- */

/* The stored form of a fingerprint: lowercase hex, as sha256sum prints. */
static void
sha256_plain(const struct x509_cert *c, char out[2 * X509_ID_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < X509_ID_LEN; i++) {
		out[2 * i] = digits[c->sha256[i] >> 4];
		out[2 * i + 1] = digits[c->sha256[i] & 15];
	}
	out[2 * X509_ID_LEN] = '\0';
}

/* Whether a certificate with this fingerprint is stored. */
static enum pt_status
is_stored(struct store *st, const struct x509_cert *c, bool *yes, struct pt_err *err)
{
	char sha[2 * X509_ID_LEN + 1];
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	sha256_plain(c, sha);
	ret = store_cached(st, "SELECT 1 FROM certificates WHERE sha256 = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	*yes = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("look up certificates"));
}

/* The first CA whose bundle verifies c now; 0 when none. */
static enum pt_status
find_ca(struct store *st, const struct x509_cert *c, int64_t *ca_id, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	*ca_id = 0;
	ret = store_prepare(st, "SELECT id, bundle_pem FROM cas ORDER BY id", &s, err);
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_text(s, 1);
		size_t n = (size_t)sqlite3_column_bytes(s, 1);

		if (b && x509_chain_verify(c, b, n, time(NULL), NULL) == PT_OK) {
			*ca_id = sqlite3_column_int64(s, 0);
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("list CAs"));
}

/* Store c for host hid and key kid: current, unless the host's current
 * certificate is newer (later not-before, then later not-after). */
/* ---- the console's listing (schema 6: cert_list, cert_cns) ----------- */

/* The CN shown in the listing: the text after the subject's last "/CN="
 * up to the next "/", "" when there is none (as migrate-6.sql computes
 * it for the rows a store already held). */
static void
listing_cn(const char *subject, char *out, size_t n)
{
	const char *p = NULL, *q;
	size_t l;

	for (q = subject; (q = strstr(q, "/CN=")) != NULL; q++)
		p = q + 4;
	if (!p) {
		out[0] = '\0';
		return;
	}
	l = strcspn(p, "/");
	if (l >= n)
		l = n - 1;
	memcpy(out, p, l);
	out[l] = '\0';
}

/* One certificate into the listing.  Written here rather than by an
 * AFTER INSERT trigger: a trigger makes every insert keep a statement
 * journal, whose pages SQLCipher encrypts one by one (a 10k import took
 * 2.9-3.6 s instead of 1.4 s). */
static enum pt_status
list_row(struct store *st, int64_t id, const char *subject, int64_t not_after, int64_t not_before,
         bool current, int64_t host_id, int64_t ca_id, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char cn[1024];

	listing_cn(subject, cn, sizeof(cn));
	if ((ret = store_cached(st, "INSERT OR IGNORE INTO cert_cns (cn) VALUES (?)", &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, cn, -1, SQLITE_TRANSIENT);
	if ((ret = store_cached_run(st, s, err, _("list the certificate"))) != PT_OK)
		return ret;
	ret = store_cached(st,
	           "INSERT INTO cert_list (not_after, id, not_before, current, host_id, ca_id, cn_id)"
	           " VALUES (?, ?, ?, ?, ?, ?, (SELECT id FROM cert_cns WHERE cn = ?))",
	           &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, not_after);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_int64(s, 3, not_before);
	sqlite3_bind_int(s, 4, current);
	sqlite3_bind_int64(s, 5, host_id);
	if (ca_id)
		sqlite3_bind_int64(s, 6, ca_id);
	else
		sqlite3_bind_null(s, 6);
	sqlite3_bind_text(s, 7, cn, -1, SQLITE_TRANSIENT);
	return store_cached_run(st, s, err, _("list the certificate"));
}

enum pt_status
cert_list_sync(struct store *st, size_t *added, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = PT_OK;
	size_t n = 0;
	int rc;

	if (added)
		*added = 0;
	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = store_prepare(st,
	                         "SELECT id, subject, not_after, not_before, state = 'current', host_id,"
	                         " ifnull(ca_id, 0) FROM certificates c"
	                         " WHERE NOT EXISTS (SELECT 1 FROM cert_list l WHERE l.id = c.id)",
	                         &s, err)) != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ret = list_row(st, sqlite3_column_int64(s, 0), store_text(s, 1),
		               sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
		               sqlite3_column_int(s, 4) != 0, sqlite3_column_int64(s, 5),
		               sqlite3_column_int64(s, 6), err);
		if (ret != PT_OK)
			break;
		n++;
	}
	if (ret == PT_OK && rc != SQLITE_DONE)
		ret = store_fail(st, rc, err, _("list the certificates"));
	sqlite3_finalize(s);
	if (added)
		*added = n;
	return ret;
}

static enum pt_status
place_cert(struct store *st, const struct x509_cert *c, int64_t hid, const char *fqdn, int64_t kid,
           int64_t req, int64_t ca_id, enum cert_outcome *outcome, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char sha[2 * X509_ID_LEN + 1];
	int64_t old = 0, cid;
	bool older = false;
	int rc;

	sha256_plain(c, sha);

	ret = store_cached(st, "SELECT id, not_before, not_after FROM certificates WHERE host_id = ? AND state = 'current'",
	           &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		time_t nb = (time_t)sqlite3_column_int64(s, 1), na = (time_t)sqlite3_column_int64(s, 2);

		old = sqlite3_column_int64(s, 0);
		older = nb > c->not_before || (nb == c->not_before && na > c->not_after);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("look up certificates"));
	if (old && !older) {
		ret = store_cached(st, "UPDATE certificates SET state = 'superseded' WHERE id = ?", &s, err);
		if (ret != PT_OK)
			return ret;
		sqlite3_bind_int64(s, 1, old);
		if ((ret = store_cached_run(st, s, err, _("supersede the old certificate"))) != PT_OK)
			return ret;
	}
	ret = store_cached(st,
	           "INSERT INTO certificates (host_id, key_ref, request_id, ca_id, subject, issuer, serial,"
	           " not_before, not_after, state, imported_at, fqdn, sha256)"
	           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	           &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int64(s, 2, kid);
	if (req)
		sqlite3_bind_int64(s, 3, req);
	if (ca_id)
		sqlite3_bind_int64(s, 4, ca_id);
	sqlite3_bind_text(s, 5, c->subject_grid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, c->issuer_grid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, c->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)c->not_before);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)c->not_after);
	sqlite3_bind_text(s, 10, older ? "superseded" : "current", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(s, 12, fqdn, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, sha, -1, SQLITE_STATIC);
	if ((ret = store_cached_run(st, s, err, _("store the certificate"))) != PT_OK)
		return ret;
	cid = sqlite3_last_insert_rowid(store_db(st));
	ret = store_cached(st, "INSERT INTO certificate_der (cert_id, der) VALUES (?, ?)", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, cid);
	sqlite3_bind_blob(s, 2, c->der, (int)c->der_len, SQLITE_STATIC);
	if ((ret = store_cached_run(st, s, err, _("store the certificate"))) != PT_OK)
		return ret;
	if ((ret = list_row(st, cid, c->subject_grid, (int64_t)c->not_after, (int64_t)c->not_before,
	                    !older, hid, ca_id, err)) != PT_OK)
		return ret;
	*outcome = older ? CERT_STORED_OLDER : CERT_STORED;
	return PT_OK;
}

enum pt_status
cert_import_one(struct store *st, const struct x509_cert *c, enum cert_outcome *outcome,
                char **fqdn_out, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid = 0, kid = 0, req = 0, ca_id = 0;
	char *fqdn = NULL;
	bool dup;
	int rc;

	if (fqdn_out)
		*fqdn_out = NULL;
	if ((ret = store_need_tx(st, err)) != PT_OK || (ret = is_stored(st, c, &dup, err)) != PT_OK)
		return ret;
	if (dup) {
		*outcome = CERT_DUPLICATE;
		return PT_OK;
	}
	ret = store_cached(st,
	           "SELECT k.id, k.host_id, h.fqdn,"
	           " (SELECT r.id FROM requests r WHERE r.key_ref = k.id"
	           "   ORDER BY r.state = 'pending' DESC, r.id DESC LIMIT 1),"
	           " (SELECT r.ca_id FROM requests r WHERE r.key_ref = k.id"
	           "   ORDER BY r.state = 'pending' DESC, r.id DESC LIMIT 1)"
	           " FROM keys k JOIN hosts h ON h.id = k.host_id WHERE k.key_id = ?",
	           &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, c->key_id_hex, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		kid = sqlite3_column_int64(s, 0);
		hid = sqlite3_column_int64(s, 1);
		fqdn = strdup(store_text(s, 2));
		req = sqlite3_column_int64(s, 3);
		ca_id = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE) {
		*outcome = CERT_NO_KEY;
		return pt_fail(err, PT_MISMATCH,
		               _("certificate \"%s\" (serial %s) was refused: its public key (key id %s) "
		                 "matches no key in the store"),
		               c->subject_grid, c->serial, c->key_id_hex);
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("look up keys"));
	if (!fqdn)
		return pt_fail(err, PT_NOMEM, NULL);
	if (!ca_id)
		ret = find_ca(st, c, &ca_id, err);
	if (ret == PT_OK)
		ret = place_cert(st, c, hid, fqdn, kid, req, ca_id, outcome, err);
	if (ret == PT_OK && req) {
		ret = store_cached(st, "UPDATE requests SET state = 'issued', issued_at = ? WHERE id = ? AND state = 'pending'",
		           &s, err);
		if (ret == PT_OK) {
			sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
			sqlite3_bind_int64(s, 2, req);
			ret = store_cached_run(st, s, err, _("mark the request issued"));
		}
	}
	if (ret == PT_OK)
		ret = audit_appendf(st, "cert.import", fqdn, err, "serial=%s subject=%s not_after=%lld state=%s",
		                    c->serial, c->subject_grid, (long long)c->not_after,
		                    *outcome == CERT_STORED ? "current" : "superseded");
	if (ret == PT_OK && fqdn_out) {
		*fqdn_out = fqdn;
		fqdn = NULL;
	}
	free(fqdn);
	return ret;
}

/* Whether the certificate names the host: a DNS subjectAltName, or the
 * CN (also "service/host"). */
static bool
names_host(const struct x509_cert *c, const char *fqdn)
{
	const char *cn;
	size_t n = strlen(fqdn), l;

	for (size_t i = 0; i < c->nsans; i++)
		if (strncmp(c->sans[i], "DNS:", 4) == 0 && strcasecmp(c->sans[i] + 4, fqdn) == 0)
			return true;
	cn = strstr(c->subject_grid, "/CN=");
	while (cn) {
		const char *v = cn + 4, *end = strstr(v, "/CN=");

		l = end ? (size_t)(end - v) : strlen(v);
		if ((l == n && strncasecmp(v, fqdn, n) == 0) ||
		    (l > n && v[l - n - 1] == '/' && strncasecmp(v + l - n, fqdn, n) == 0))
			return true;
		cn = end;
	}
	return false;
}

enum pt_status
cert_adopt(struct store *st, const char *fqdn, const char *key_pem,
           const struct x509_cert_list *certs, char **ca_name, enum cert_outcome *outcome,
           struct pt_err *err)
{
	const struct x509_cert *c = NULL;
	unsigned char id[X509_ID_LEN];
	char idhex[X509_ID_HEX_LEN];
	enum x509_keytype kt;
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid, kid, ca_id = 0;
	bool dup;

	if (ca_name)
		*ca_name = NULL;
	if ((ret = store_need_tx(st, err)) != PT_OK || (ret = host_id(st, fqdn, &hid, err)) != PT_OK ||
	    (ret = x509_key_id(key_pem, id, err)) != PT_OK)
		return ret;
	hex_id(id, idhex);
	for (size_t i = 0; i < certs->n && !c; i++)
		if (memcmp(certs->certs[i].key_id, id, X509_ID_LEN) == 0)
			c = &certs->certs[i];
	if (!c) {
		if (certs->n == 1)
			return x509_key_matches_cert(key_pem, &certs->certs[0], err) == PT_MISMATCH
			               ? PT_MISMATCH
			               : pt_fail(err, PT_MISMATCH, _("the key does not match the certificate"));
		return pt_fail(err, PT_MISMATCH,
		               _("none of the %zu certificates in the file belongs to the key (key id %s)"),
		               certs->n, idhex);
	}
	if ((ret = x509_key_matches_cert(key_pem, c, err)) != PT_OK)
		return ret;
	if (!names_host(c, fqdn))
		return pt_fail(err, PT_MISMATCH,
		               _("certificate \"%s\" does not name host %s (neither in its subjectAltName "
		                 "nor in its CN)"),
		               c->subject_grid, fqdn);
	if ((ret = is_stored(st, c, &dup, err)) != PT_OK)
		return ret;
	if (dup)
		return pt_fail(err, PT_EXISTS, _("certificate \"%s\" (serial %s) is already in the store"),
		               c->subject_grid, c->serial);
	if ((ret = insert_key(st, hid, x509_key_type(key_pem, &kt, NULL) == PT_OK ? x509_keytype_name(kt)
	                                                                          : "other",
	                      key_pem, idhex, "adopted", &kid, err)) != PT_OK ||
	    (ret = find_ca(st, c, &ca_id, err)) != PT_OK ||
	    (ret = place_cert(st, c, hid, fqdn, kid, 0, ca_id, outcome, err)) != PT_OK)
		return ret;
	if (ca_id && ca_name) {
		ret = store_prepare(st, "SELECT name FROM cas WHERE id = ?", &s, err);
		if (ret != PT_OK)
			return ret;
		sqlite3_bind_int64(s, 1, ca_id);
		if (sqlite3_step(s) == SQLITE_ROW)
			*ca_name = strdup(store_text(s, 0));
		sqlite3_finalize(s);
	}
	return audit_appendf(st, "cert.adopt", fqdn, err, "serial=%s subject=%s key_id=%s not_after=%lld",
	                     c->serial, c->subject_grid, idhex, (long long)c->not_after);
}

/* ---------------------------------------------------------------------
 * Status
 * ------------------------------------------------------------------- */

/* The thresholds are station settings (settings.h validates and defaults them). */
static enum pt_status
setting_days(struct store *st, const char *key, int *out, struct pt_err *err)
{
	long n = 0;
	enum pt_status ret = settings_get_long(st, key, &n, err);

	if (ret == PT_OK && (n < 0 || n > 3650))
		ret = pt_fail(err, PT_INVALID, _("setting %s is %ld, not a number of days (0-3650)"), key, n);
	if (ret == PT_OK)
		*out = (int)n;
	return ret;
}

enum pt_status
cert_band_days(struct store *st, int *critical, int *warning, struct pt_err *err)
{
	enum pt_status ret = setting_days(st, "cert.critical_days", critical, err);

	return ret == PT_OK ? setting_days(st, "cert.warning_days", warning, err) : ret;
}

/* A stored private key, in secmem. */
static enum pt_status
load_key(struct store *st, int64_t kid, char **pem, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	*pem = NULL;
	ret = store_prepare(st, "SELECT key_pem FROM keys WHERE id = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, kid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*pem = secmem_strndup(sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_DAMAGED, _("the key of a certificate is missing"));
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read the key"));
	return *pem ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
}

/* Check the chain against the certificate's CA, or any CA when it has none. */
static enum pt_status
check_chain(struct store *st, const struct x509_cert *x, const char *ca, const char *bundle,
            size_t blen, time_t now, struct cert_status *cs, char **ca_found,
            struct pt_err *detail, struct pt_err *err)
{
	int64_t id;
	enum pt_status ret;

	*ca_found = NULL;
	if (bundle) {
		cs->ca = ca;
		cs->chain_ok = x509_chain_verify(x, (const unsigned char *)bundle, blen, now, detail) == PT_OK;
		return PT_OK;
	}
	if ((ret = find_ca(st, x, &id, err)) != PT_OK)
		return ret;
	cs->chain_ok = id != 0;
	if (!id) {
		cs->ca = "";
		pt_fail(detail, PT_REFUSED, _("unknown CA: no CA bundle in the store verifies it"));
		return PT_OK;
	}
	{
		sqlite3_stmt *s = NULL;
		if ((ret = store_prepare(st, "SELECT name FROM cas WHERE id = ?", &s, err)) != PT_OK)
			return ret;
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_step(s) == SQLITE_ROW)
			*ca_found = strdup(store_text(s, 0));
		sqlite3_finalize(s);
	}
	cs->ca = *ca_found ? *ca_found : "";
	return PT_OK;
}

enum pt_status
cert_status_foreach(struct store *st, const char *fqdn, bool all, long expiring_days, time_t now,
                    int (*cb)(const struct cert_status *cs, void *ud), void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int crit, warn, rc = SQLITE_DONE;
	int64_t hid;

	if ((ret = cert_band_days(st, &crit, &warn, err)) != PT_OK)
		return ret;
	if (fqdn && (ret = host_id(st, fqdn, &hid, err)) != PT_OK)
		return ret;
	ret = store_prepare(st,
	           "SELECT c.id, h.fqdn, c.state, k.origin, c.imported_at, d.der, c.key_ref,"
	           " coalesce(ca.name, ''), ca.bundle_pem"
	           " FROM certificates c JOIN hosts h ON h.id = c.host_id"
	           " JOIN keys k ON k.id = c.key_ref"
	           " JOIN certificate_der d ON d.cert_id = c.id"
	           " LEFT JOIN cas ca ON ca.id = c.ca_id"
	           " WHERE (?1 IS NULL OR h.fqdn = ?1) AND (?2 OR c.state = 'current')"
	           "  AND (?3 IS NULL OR c.not_after <= ?3)"
	           " ORDER BY h.fqdn, c.state = 'current' DESC, c.not_before DESC, c.id DESC",
	           &s, err);
	if (ret != PT_OK)
		return ret;
	if (fqdn)
		sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, all);
	if (expiring_days >= 0)
		sqlite3_bind_int64(s, 3, (sqlite3_int64)now + (sqlite3_int64)expiring_days * DAY);
	while (ret == PT_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct x509_cert_list *l = NULL;
		struct pt_err kd = { 0 }, cd = { 0 };
		struct cert_status cs = { 0 };
		char *key = NULL, *ca_found = NULL;
		const char *bundle = (const char *)sqlite3_column_text(s, 8);

		ret = x509_certs_parse(sqlite3_column_blob(s, 5), (size_t)sqlite3_column_bytes(s, 5), &l, err);
		if (ret != PT_OK) {
			char why[sizeof(err->detail)];

			snprintf(why, sizeof(why), "%s", err->detail);
			pt_fail(err, PT_DAMAGED, _("stored certificate %lld is unreadable: %s"),
			        (long long)sqlite3_column_int64(s, 0), why);
			ret = PT_DAMAGED;
			break;
		}
		cs.id = sqlite3_column_int64(s, 0);
		cs.fqdn = store_text(s, 1);
		cs.state = store_text(s, 2);
		cs.origin = store_text(s, 3);
		cs.imported_at = (time_t)sqlite3_column_int64(s, 4);
		cs.x = &l->certs[0];
		cs.band = x509_band(cs.x->not_before, cs.x->not_after, now, crit, warn, &cs.days_left);
		ret = load_key(st, sqlite3_column_int64(s, 6), &key, err);
		if (ret == PT_OK) {
			cs.key_match = x509_key_matches_cert(key, cs.x, &kd) == PT_OK;
			secmem_free(key);
			ret = check_chain(st, cs.x, store_text(s, 7), bundle,
			                  bundle ? (size_t)sqlite3_column_bytes(s, 8) : 0, now, &cs, &ca_found,
			                  &cd, err);
		}
		cs.key_detail = cs.key_match ? "" : kd.detail;
		cs.chain_detail = cs.chain_ok ? "" : cd.detail;
		if (ret == PT_OK && cb(&cs, ud)) {
			free(ca_found);
			x509_cert_list_free(&l);
			rc = SQLITE_DONE;
			break;
		}
		free(ca_found);
		x509_cert_list_free(&l);
	}
	sqlite3_finalize(s);
	if (ret != PT_OK)
		return ret;
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("list certificates"));
}

/* cert-import.c - certificates into the store: import, adoption of a
 * host's existing key and certificate, and the console's listing rows
 * kept with them (see cert.h).
 *
 * The rule kept here (promise 3): a certificate row exists only for a
 * stored key whose SHA-256 key id equals the certificate's.
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
#include "cert/private.h"
#include "base/i18n.h"
#include "base/lib.h"

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
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	               ? PT_OK
	               : store_fail(st, rc, err, _("look up certificates"));
}

/* The first CA whose bundle verifies c at now: its id (0 when none) and
 * name ("" when none, name may be NULL). */
static enum pt_status
find_ca(struct store *st, const struct x509_cert *c, time_t now, int64_t *ca_id, char *name,
        size_t len, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	*ca_id = 0;
	if (name && len)
		name[0] = '\0';
	ret = store_prepare(st, "SELECT id, bundle_pem, name FROM cas ORDER BY id", &s, err);
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_text(s, 1);
		size_t n = (size_t)sqlite3_column_bytes(s, 1);

		if (b && x509_chain_verify(c, b, n, now, NULL) == PT_OK) {
			*ca_id = sqlite3_column_int64(s, 0);
			if (name && len)
				snprintf(name, len, "%s", store_text(s, 2));
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PT_OK
	                                             : store_fail(st, rc, err, _("list CAs"));
}

/* The first CA whose bundle verifies c now; 0 when none. */
enum pt_status
cert_find_ca(struct store *st, const struct x509_cert *c, int64_t *ca_id, struct pt_err *err)
{
	return find_ca(st, c, time(NULL), ca_id, NULL, 0, err);
}

enum pt_status
cert_ca_verifying(struct store *st, const struct x509_cert *x, time_t now, char *name, size_t len,
                  struct pt_err *err)
{
	int64_t id;

	return find_ca(st, x, now, &id, name, len, err);
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
	if ((ret = store_cached(st, "INSERT OR IGNORE INTO cert_cns (cn) VALUES (?)", &s, err)) !=
	    PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, cn, -1, SQLITE_TRANSIENT);
	if ((ret = store_cached_run(st, s, err, _("list the certificate"))) != PT_OK)
		return ret;
	ret = store_cached(
		st,
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
	if ((ret = store_prepare(
		     st,
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

/* cert import --make-current, or the console's yes */
static bool make_current;

void
cert_import_make_current(bool yes)
{
	make_current = yes;
}

bool
cert_current_stays(time_t cur_nb, time_t cur_na, time_t new_nb, time_t new_na, bool force,
                   bool *earlier)
{
	bool newer = cur_nb > new_nb || (cur_nb == new_nb && cur_na > new_na);
	bool shorter = !newer && new_na < cur_na && !force;

	if (earlier)
		*earlier = shorter;
	return newer || shorter;
}

static enum pt_status
place_cert(struct store *st, const struct x509_cert *c, int64_t hid, const char *fqdn, int64_t kid,
           int64_t req, int64_t ca_id, enum cert_outcome *outcome, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char sha[2 * X509_ID_LEN + 1];
	int64_t old = 0, cid;
	bool older = false, earlier = false;
	int rc;

	sha256_plain(c, sha);

	ret = store_cached(
		st,
		"SELECT id, not_before, not_after FROM certificates WHERE host_id = ? AND state = 'current'",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		time_t nb = (time_t)sqlite3_column_int64(s, 1),
		       na = (time_t)sqlite3_column_int64(s, 2);

		old = sqlite3_column_int64(s, 0);
		older = cert_current_stays(nb, na, c->not_before, c->not_after, make_current,
		                           &earlier);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("look up certificates"));
	if (old && !older) {
		ret = store_cached(st, "UPDATE certificates SET state = 'superseded' WHERE id = ?",
		                   &s, err);
		if (ret != PT_OK)
			return ret;
		sqlite3_bind_int64(s, 1, old);
		if ((ret = store_cached_run(st, s, err, _("supersede the old certificate"))) !=
		    PT_OK)
			return ret;
	}
	ret = store_cached(
		st,
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
	*outcome = earlier ? CERT_STORED_EARLIER : older ? CERT_STORED_OLDER : CERT_STORED;
	return PT_OK;
}

/* cert_find_ca as a finder for cert_import_found. */
static enum pt_status
find_in_store(void *ud, const struct x509_cert *c, int64_t *ca_id, struct pt_err *err)
{
	return cert_find_ca(ud, c, ca_id, err);
}

enum pt_status
cert_import_one(struct store *st, const struct x509_cert *c, enum cert_outcome *outcome,
                char **fqdn_out, struct pt_err *err)
{
	return cert_import_found(st, c, find_in_store, st, outcome, fqdn_out, err);
}

enum pt_status
cert_import_found(struct store *st, const struct x509_cert *c, cert_ca_finder find, void *ud,
                  enum cert_outcome *outcome, char **fqdn_out, struct pt_err *err)
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
		return pt_fail(
			err, PT_MISMATCH,
			_("certificate \"%s\" (serial %s) was refused: its public key (key id %s) "
		          "matches no key in the store"),
			c->subject_grid, c->serial, c->key_id_hex);
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("look up keys"));
	if (!fqdn)
		return pt_fail(err, PT_NOMEM, NULL);
	if (!ca_id)
		ret = find(ud, c, &ca_id, err);
	if (ret == PT_OK)
		ret = place_cert(st, c, hid, fqdn, kid, req, ca_id, outcome, err);
	if (ret == PT_OK && req) {
		ret = store_cached(
			st,
			"UPDATE requests SET state = 'issued', issued_at = ? WHERE id = ? AND state = 'pending'",
			&s, err);
		if (ret == PT_OK) {
			sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
			sqlite3_bind_int64(s, 2, req);
			ret = store_cached_run(st, s, err, _("mark the request issued"));
		}
	}
	if (ret == PT_OK)
		ret = audit_appendf(st, "cert.import", fqdn, err,
		                    "serial=%s subject=%s not_after=%lld state=%s", c->serial,
		                    c->subject_grid, (long long)c->not_after,
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
	if ((ret = store_need_tx(st, err)) != PT_OK ||
	    (ret = cert_host_id(st, fqdn, &hid, err)) != PT_OK ||
	    (ret = x509_key_id(key_pem, id, err)) != PT_OK)
		return ret;
	cert_hex_id(id, idhex);
	for (size_t i = 0; i < certs->n && !c; i++)
		if (memcmp(certs->certs[i].key_id, id, X509_ID_LEN) == 0)
			c = &certs->certs[i];
	if (!c) {
		if (certs->n == 1)
			return x509_key_matches_cert(key_pem, &certs->certs[0], err) == PT_MISMATCH
			               ? PT_MISMATCH
			               : pt_fail(err, PT_MISMATCH,
			                         _("the key does not match the certificate"));
		return pt_fail(
			err, PT_MISMATCH,
			_("none of the %zu certificates in the file belongs to the key (key id %s)"),
			certs->n, idhex);
	}
	if ((ret = x509_key_matches_cert(key_pem, c, err)) != PT_OK)
		return ret;
	if (!names_host(c, fqdn))
		return pt_fail(
			err, PT_MISMATCH,
			_("certificate \"%s\" does not name host %s (neither in its subjectAltName "
		          "nor in its CN)"),
			c->subject_grid, fqdn);
	if ((ret = is_stored(st, c, &dup, err)) != PT_OK)
		return ret;
	if (dup)
		return pt_fail(err, PT_EXISTS,
		               _("certificate \"%s\" (serial %s) is already in the store"),
		               c->subject_grid, c->serial);
	if ((ret = cert_insert_key(st, hid, fqdn,
	                           x509_key_type(key_pem, &kt, NULL) == PT_OK
	                                   ? x509_keytype_name(kt)
	                                   : "other",
	                           key_pem, idhex, "adopted", &kid, err)) != PT_OK ||
	    (ret = cert_find_ca(st, c, &ca_id, err)) != PT_OK ||
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
	return audit_appendf(st, "cert.adopt", fqdn, err,
	                     "serial=%s subject=%s key_id=%s not_after=%lld", c->serial,
	                     c->subject_grid, idhex, (long long)c->not_after);
}

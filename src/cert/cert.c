/* cert.c - CAs, host keys, requests and certificates in the store: the
 * helpers the cert-*.c files share (see private.h), certificate
 * authorities and status.  Requests are in cert-request.c, import and
 * adoption in cert-import.c.
 *
 * The rule these files keep (promise 3): a certificate row exists only
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
#include "cert/private.h"
#include "cert/trust.h"
#include "base/i18n.h"
#include "base/lib.h"

#define DAY 86400

/* "AB:CD:..." like x509_cert.key_id_hex, so stored ids compare as text. */
void
cert_hex_id(const unsigned char *id, char out[X509_ID_HEX_LEN])
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < X509_ID_LEN; i++) {
		out[i * 3] = digits[id[i] >> 4];
		out[i * 3 + 1] = digits[id[i] & 15];
		out[i * 3 + 2] = i + 1 < X509_ID_LEN ? ':' : '\0';
	}
}

enum pt_status
cert_host_id(struct store *st, const char *fqdn, int64_t *id, struct pt_err *err)
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
		               _("unknown host %s (add it first with \"passtore host add %s\")"),
		               fqdn, fqdn);
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
		               _("\"%s\" is not a CA name (letters, digits, \".\", \"_\", \"-\")"),
		               name);
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
	ret = store_prepare(
		st,
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
		ret = audit_appendf(st, "ca.add", name, err, "certificates=%zu template=%s key=%s",
		                    n, tmpl, x509_keytype_name(kt));
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
ca_rows(struct store *st, sqlite3_stmt *s, int (*cb)(const struct cert_ca *ca, void *ud), void *ud,
        int *seen, struct pt_err *err)
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
		ret = pt_fail(err, PT_INVALID,
		              _("setting %s is %ld, not a number of days (0-3650)"), key, n);
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

/* A share of the lifetime, or 0 when the setting is unset. */
static enum pt_status
setting_pct(struct store *st, const char *key, int *out, struct pt_err *err)
{
	char *v = NULL;
	enum pt_status ret = settings_get(st, key, &v, err);

	*out = 0;
	if (ret == PT_OK && v && !settings_percent_parse(v, out))
		ret = pt_fail(err, PT_INVALID,
		              _("setting %s is \"%s\", not a share from 1%% to 99%%"), key, v);
	free(v);
	return ret;
}

enum pt_status
cert_thresholds(struct store *st, struct x509_thresholds *t, struct pt_err *err)
{
	enum pt_status ret = cert_band_days(st, &t->critical_days, &t->warning_days, err);

	if (ret == PT_OK)
		ret = setting_pct(st, "cert.critical_fraction", &t->critical_pct, err);
	if (ret == PT_OK)
		ret = setting_pct(st, "cert.warning_fraction", &t->warning_pct, err);
	return ret;
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
		*pem = secmem_strndup(sqlite3_column_blob(s, 0),
		                      (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_DAMAGED, _("the key of a certificate is missing"));
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read the key"));
	return *pem ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
}

/* No stored CA verifies x: the IGTF trust anchors may; cs->ca is then
 * the anchor that issued it. */
static enum pt_status
check_anchors(struct store *st, const struct x509_cert *x, time_t now, struct cert_status *cs,
              char **ca_found, struct pt_err *detail, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	char *pem = NULL;
	enum pt_status ret = trust_anchor_bundle(st, &pem, err);

	cs->ca = "";
	if (ret != PT_OK)
		return ret;
	if (*pem &&
	    x509_chain_verify(x, (const unsigned char *)pem, strlen(pem), now, NULL) == PT_OK &&
	    (ret = store_prepare(st, "SELECT name FROM trust_anchors WHERE subject = ?", &s,
	                         err)) == PT_OK) {
		sqlite3_bind_text(s, 1, x->issuer_grid, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			*ca_found = strdup(store_text(s, 0));
		sqlite3_finalize(s);
		cs->chain_ok = true;
		cs->ca = *ca_found ? *ca_found : "";
	}
	free(pem);
	if (ret == PT_OK && !cs->chain_ok)
		pt_fail(detail, PT_REFUSED, _("unknown CA: no CA bundle in the store verifies it"));
	return ret;
}

/* Check the chain against the certificate's CA, or any CA when it has none. */
static enum pt_status
check_chain(struct store *st, const struct x509_cert *x, const char *ca, const char *bundle,
            size_t blen, time_t now, struct cert_status *cs, char **ca_found, struct pt_err *detail,
            struct pt_err *err)
{
	int64_t id;
	enum pt_status ret;

	*ca_found = NULL;
	if (bundle) {
		cs->ca = ca;
		cs->chain_ok = x509_chain_verify(x, (const unsigned char *)bundle, blen, now,
		                                 detail) == PT_OK;
		return PT_OK;
	}
	if ((ret = cert_find_ca(st, x, &id, err)) != PT_OK)
		return ret;
	cs->chain_ok = id != 0;
	if (!id)
		return check_anchors(st, x, now, cs, ca_found, detail, err);
	{
		sqlite3_stmt *s = NULL;
		if ((ret = store_prepare(st, "SELECT name FROM cas WHERE id = ?", &s, err)) !=
		    PT_OK)
			return ret;
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_step(s) == SQLITE_ROW)
			*ca_found = strdup(store_text(s, 0));
		sqlite3_finalize(s);
	}
	cs->ca = *ca_found ? *ca_found : "";
	return PT_OK;
}

/* What the CRLs, the namespace policies and the acknowledgements say of
 * a certificate; its band becomes revoked when a CRL lists it. */
static enum pt_status
trust_facts(struct store *st, struct cert_status *cs, time_t now, char *ns, size_t nslen,
            char *reason, size_t rlen, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	struct cert_ack_row ack;
	enum trust_ns v;
	enum pt_status ret =
		store_prepare(st,
	                      "SELECT revoked_at FROM crl_entries WHERE issuer = ? AND serial = ?",
	                      &s, err);
	int rc;

	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, cs->x->issuer_grid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, cs->x->serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		cs->revoked = true;
		cs->revoked_at = (time_t)sqlite3_column_int64(s, 0);
		cs->band = X509_BAND_REVOKED;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("read the CRLs"));
	ret = trust_namespace_check(st, cs->x->issuer_grid, cs->x->subject_grid, &v, ns, nslen,
	                            err);
	if (ret != PT_OK)
		return ret;
	cs->namespace_ok = v == TRUST_NS_NONE ? -1 : v == TRUST_NS_OK;
	cs->ns_detail = v == TRUST_NS_VIOLATION ? ns : "";
	cs->ack_reason = "";
	if (cs->band != X509_BAND_WARNING && cs->band != X509_BAND_CRITICAL)
		return PT_OK;
	ret = cert_ack_get(st, cs->id, now, &cs->acked, &ack, reason, rlen, err);
	if (ret == PT_OK && cs->acked) {
		cs->ack_until = ack.until;
		cs->ack_reason = reason;
	}
	return ret;
}

enum pt_status
cert_status_foreach(struct store *st, const char *fqdn, bool all, long expiring_days, time_t now,
                    int (*cb)(const struct cert_status *cs, void *ud), void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	struct x509_thresholds t;
	enum pt_status ret;
	int rc = SQLITE_DONE;
	int64_t hid;

	if ((ret = cert_thresholds(st, &t, err)) != PT_OK)
		return ret;
	if (fqdn && (ret = cert_host_id(st, fqdn, &hid, err)) != PT_OK)
		return ret;
	ret = store_prepare(
		st,
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
		char *key = NULL, *ca_found = NULL, ns[1024], reason[256];
		const char *bundle = (const char *)sqlite3_column_text(s, 8);

		ret = x509_certs_parse(sqlite3_column_blob(s, 5),
		                       (size_t)sqlite3_column_bytes(s, 5), &l, err);
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
		cs.band = x509_band_at(cs.x->not_before, cs.x->not_after, now, &t, &cs.days_left);
		ret = load_key(st, sqlite3_column_int64(s, 6), &key, err);
		if (ret == PT_OK) {
			cs.key_match = x509_key_matches_cert(key, cs.x, &kd) == PT_OK;
			secmem_free(key);
			ret = check_chain(st, cs.x, store_text(s, 7), bundle,
			                  bundle ? (size_t)sqlite3_column_bytes(s, 8) : 0, now, &cs,
			                  &ca_found, &cd, err);
		}
		if (ret == PT_OK)
			ret = trust_facts(st, &cs, now, ns, sizeof(ns), reason, sizeof(reason),
			                  err);
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

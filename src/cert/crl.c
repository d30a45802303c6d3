/* crl.c - certificate revocation lists in the store: import (each CRL
 * verified against its issuer among the stored CAs and trust anchors,
 * through GnuTLS), listing with staleness, and the revoked set that
 * status, reports and lists look certificates up in. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/i18n.h"
#include "cert/cert.h"
#include "cert/private.h"
#include "cert/trust.h"

/* Serial bytes as x509_certs_parse writes a certificate's: sign-padding
 * zeros dropped, upper-case hex. */
static void
serial_hex(const unsigned char *b, size_t n, char out[48])
{
	while (n > 1 && *b == 0) {
		b++;
		n--;
	}
	if (n > 23)
		n = 23;
	x509_hex(b, n, out, false);
}

/* Every certificate of the stored CA bundles and anchors, as one PEM. */
static enum pt_status
all_cas_pem(struct store *st, char **out, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	struct x509_sbuf sb = { 0 };
	enum pt_status ret =
		store_prepare(st,
	                      "SELECT bundle_pem FROM cas UNION ALL SELECT pem FROM trust_anchors",
	                      &s, err);
	int rc;

	*out = NULL;
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		x509_sbuf_str(&sb, store_text(s, 0));
		x509_sbuf_str(&sb, "\n");
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(sb.p);
		return store_fail(st, rc, err, _("read the CAs"));
	}
	if (sb.oom || !(*out = x509_sbuf_take(&sb)))
		return pt_fail(err, PT_NOMEM, NULL);
	return PT_OK;
}

/* Verify crl against the stored certificates named as its issuer; the
 * signer's subject in signer.  PT_REFUSED when none is or none signed it. */
static enum pt_status
crl_signer(const char *file, gnutls_x509_crl_t crl, const char *issuer, const char *cas,
           char *signer, size_t len, struct pt_err *err)
{
	struct x509_cert_list *l = NULL;
	bool named = false, ok = false;

	if (*cas && x509_certs_parse((const unsigned char *)cas, strlen(cas), &l, NULL) != PT_OK)
		l = NULL;
	for (size_t i = 0; l && i < l->n && !ok; i++) {
		gnutls_x509_crt_t crt;
		gnutls_datum_t d = { l->certs[i].der, (unsigned)l->certs[i].der_len };
		unsigned verify = 0;

		if (strcmp(l->certs[i].subject_grid, issuer) != 0)
			continue;
		named = true;
		if (gnutls_x509_crt_init(&crt) < 0)
			continue;
		/* a CRL past its nextUpdate is still its issuer's: stored, shown
		 * as stale; only the signature and issuer decide here */
		if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) >= 0 &&
		    gnutls_x509_crl_verify(crl, &crt, 1, 0, &verify) >= 0 &&
		    !(verify & ~(GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED |
		                 GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED)) &&
		    (verify == 0 ||
		     (verify & (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED)))) {
			ok = true;
			snprintf(signer, len, "%s", l->certs[i].subject_grid);
		}
		gnutls_x509_crt_deinit(crt);
	}
	x509_cert_list_free(&l);
	if (ok)
		return PT_OK;
	if (!named)
		return pt_fail(err, PT_REFUSED,
		               _("%s: the CRL of %s: no stored CA or trust anchor is its issuer"),
		               file, issuer);
	return pt_fail(err, PT_REFUSED, _("%s: the CRL of %s is not signed by its issuer"), file,
	               issuer);
}

/* The stored CRL of issuer: its id and thisUpdate, or 0. */
static enum pt_status
stored_crl(struct store *st, const char *issuer, int64_t *id, time_t *this_update,
           struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret =
		store_prepare(st, "SELECT id, this_update FROM crls WHERE issuer = ?", &s, err);
	int rc;

	*id = 0;
	*this_update = 0;
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, issuer, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*this_update = (time_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PT_OK
	                                             : store_fail(st, rc, err, _("read the CRLs"));
}

static enum pt_status
store_entries(struct store *st, int64_t id, const char *issuer, gnutls_x509_crl_t crl,
              const char *file, size_t *n, struct pt_err *err)
{
	gnutls_x509_crl_iter_t it = NULL;
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_prepare(
		st,
		"INSERT OR REPLACE INTO crl_entries (crl_id, issuer, serial, revoked_at)"
		" VALUES (?, ?, ?, ?)",
		&s, err);
	unsigned char serial[64];
	int rc = SQLITE_DONE, g;

	*n = 0;
	if (ret != PT_OK)
		return ret;
	for (;;) {
		size_t sz = sizeof(serial);
		time_t t = 0;
		char hex[48];

		g = gnutls_x509_crl_iter_crt_serial(crl, &it, serial, &sz, &t);
		if (g == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (g < 0 || sz == 0) {
			ret = pt_fail(err, PT_INVALID, _("%s: a revoked serial is unreadable: %s"),
			              file, gnutls_strerror(g));
			break;
		}
		serial_hex(serial, sz, hex);
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, issuer, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)t);
		if ((rc = sqlite3_step(s)) != SQLITE_DONE)
			break;
		(*n)++;
	}
	gnutls_x509_crl_iter_deinit(it);
	sqlite3_finalize(s);
	if (ret == PT_OK && rc != SQLITE_DONE)
		ret = store_fail(st, rc, err, _("store the CRL"));
	return ret;
}

/* Check and store one CRL. */
static enum pt_status
import_one(struct store *st, const char *file, gnutls_x509_crl_t crl, const char *cas, time_t now,
           int (*cb)(const struct crl_info *c, void *ud), void *ud, struct pt_err *err)
{
	gnutls_datum_t dn = { NULL, 0 }, der = { NULL, 0 };
	struct crl_info ci = { .imported_at = now };
	sqlite3_stmt *s = NULL;
	char signer[1024] = "", *issuer = NULL;
	enum pt_status ret;
	time_t old_this;
	int64_t old, id;
	int rc;

	if (gnutls_x509_crl_get_raw_issuer_dn(crl, &dn) < 0 ||
	    !(issuer = x509_dn_der_grid(dn.data, dn.size))) {
		gnutls_free(dn.data);
		return pt_fail(err, PT_INVALID, _("%s: the CRL's issuer is unreadable"), file);
	}
	gnutls_free(dn.data);
	ci.issuer = issuer;
	ci.signer = signer;
	ci.this_update = gnutls_x509_crl_get_this_update(crl);
	ci.next_update = gnutls_x509_crl_get_next_update(crl);
	if (ci.next_update == (time_t)-1)
		ci.next_update = 0;
	ci.stale = ci.next_update && ci.next_update < now;
	if ((ret = crl_signer(file, crl, issuer, cas, signer, sizeof(signer), err)) != PT_OK ||
	    (ret = stored_crl(st, issuer, &old, &old_this, err)) != PT_OK)
		goto out;
	if (old && old_this > ci.this_update) {
		ret = pt_fail(err, PT_REFUSED, _("%s: the CRL of %s is older than the stored one"),
		              file, issuer);
		goto out;
	}
	if (old) {
		char sql[128];

		ci.replaced = true;
		snprintf(
			sql, sizeof(sql),
			"DELETE FROM crl_entries WHERE crl_id = %lld; DELETE FROM crls WHERE id = %lld",
			(long long)old, (long long)old);
		if ((ret = store_exec(st, sql, err)) != PT_OK)
			goto out;
	}
	if (gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_DER, &der) < 0) {
		ret = pt_fail(err, PT_CRYPTO, _("%s: cannot encode the CRL"), file);
		goto out;
	}
	if ((ret = store_prepare(st,
	                         "INSERT INTO crls (issuer, this_update, next_update, entries, der,"
	                         " imported_at) VALUES (?, ?, ?, 0, ?, ?)",
	                         &s, err)) != PT_OK)
		goto out;
	sqlite3_bind_text(s, 1, issuer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)ci.this_update);
	if (ci.next_update)
		sqlite3_bind_int64(s, 3, (sqlite3_int64)ci.next_update);
	sqlite3_bind_blob(s, 4, der.data, (int)der.size, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("store the CRL"));
		goto out;
	}
	id = sqlite3_last_insert_rowid(store_db(st));
	if ((ret = store_entries(st, id, issuer, crl, file, &ci.entries, err)) != PT_OK)
		goto out;
	{
		char sql[96];

		snprintf(sql, sizeof(sql), "UPDATE crls SET entries = %zu WHERE id = %lld",
		         ci.entries, (long long)id);
		ret = store_exec(st, sql, err);
	}
	if (ret == PT_OK)
		ret = audit_appendf(st, "crl.import", issuer, err,
		                    "entries=%zu this_update=%lld next_update=%lld signer=%s",
		                    ci.entries, (long long)ci.this_update,
		                    (long long)ci.next_update, signer);
	if (ret == PT_OK && cb)
		cb(&ci, ud);
out:
	gnutls_free(der.data);
	free(issuer);
	return ret;
}

enum pt_status
crl_import(struct store *st, const char *file, const unsigned char *buf, size_t len, time_t now,
           int (*cb)(const struct crl_info *c, void *ud), void *ud, struct pt_err *err)
{
	gnutls_datum_t d = { (unsigned char *)buf, (unsigned)len };
	gnutls_x509_crl_t *crls = NULL;
	unsigned n = 0;
	enum pt_status ret;
	char *cas = NULL;
	int g;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if (len == 0)
		return pt_fail(err, PT_INVALID, _("%s: empty file"), file);
	if (len > CRL_FILE_MAX)
		return pt_fail(err, PT_INVALID, _("%s: larger than %d bytes"), file, CRL_FILE_MAX);
	if (memmem(buf, len, "-----BEGIN X509 CRL-----", 24))
		g = gnutls_x509_crl_list_import2(&crls, &n, &d, GNUTLS_X509_FMT_PEM, 0);
	else
		g = gnutls_x509_crl_list_import2(&crls, &n, &d, GNUTLS_X509_FMT_DER, 0);
	if (g < 0 || n == 0) {
		if (crls)
			gnutls_free(crls);
		return pt_fail(err, PT_INVALID, _("%s: not a CRL (PEM or DER): %s"), file,
		               g < 0 ? gnutls_strerror(g) : _("nothing in it"));
	}
	ret = all_cas_pem(st, &cas, err);
	for (unsigned i = 0; ret == PT_OK && i < n; i++)
		ret = import_one(st, file, crls[i], cas, now, cb, ud, err);
	for (unsigned i = 0; i < n; i++)
		gnutls_x509_crl_deinit(crls[i]);
	gnutls_free(crls);
	free(cas);
	return ret;
}

enum pt_status
crl_import_file(struct store *st, const char *path, time_t now,
                int (*cb)(const struct crl_info *c, void *ud), void *ud, struct pt_err *err)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	struct stat sb;
	size_t n;
	enum pt_status ret;

	if (!f)
		return pt_fail(err, errno == ENOENT ? PT_NOTFOUND : PT_IO, _("%s: %s"), path,
		               strerror(errno));
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > CRL_FILE_MAX) {
		fclose(f);
		return pt_fail(err, PT_INVALID, _("%s: not a regular file of at most %d bytes"),
		               path, CRL_FILE_MAX);
	}
	if (!(buf = malloc((size_t)sb.st_size + 1))) {
		fclose(f);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	n = fread(buf, 1, (size_t)sb.st_size, f);
	fclose(f);
	ret = crl_import(st, path, buf, n, now, cb, ud, err);
	free(buf);
	return ret;
}

enum pt_status
crl_foreach(struct store *st, time_t now, int (*cb)(const struct crl_info *c, void *ud), void *ud,
            struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_prepare(
		st,
		"SELECT issuer, this_update, coalesce(next_update, 0), entries, imported_at"
		" FROM crls ORDER BY issuer",
		&s, err);
	int rc;

	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct crl_info c = {
			.issuer = store_text(s, 0),
			.signer = "",
			.this_update = (time_t)sqlite3_column_int64(s, 1),
			.next_update = (time_t)sqlite3_column_int64(s, 2),
			.entries = (size_t)sqlite3_column_int64(s, 3),
			.imported_at = (time_t)sqlite3_column_int64(s, 4),
		};
		c.stale = c.next_update && c.next_update < now;
		if (cb(&c, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the CRLs"));
}

/* ---- the revoked set ---- */

struct trust_revoked {
	size_t n;
	const char **key; /* "serial\0issuer" in buf, sorted */
	char *buf;
};

static int
key_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int c = strcmp(x, y);

	return c ? c : strcmp(x + strlen(x) + 1, y + strlen(y) + 1);
}

enum pt_status
trust_revoked_load(struct store *st, struct trust_revoked **out, struct pt_err *err)
{
	struct trust_revoked *r = calloc(1, sizeof(*r));
	sqlite3_stmt *s = NULL;
	size_t used = 0, size = 0, cap = 0;
	size_t *off = NULL;
	enum pt_status ret;
	int rc;

	*out = NULL;
	if (!r)
		return pt_fail(err, PT_NOMEM, NULL);
	if ((ret = store_prepare(st, "SELECT serial, issuer FROM crl_entries", &s, err)) != PT_OK) {
		free(r);
		return ret;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t a = (size_t)sqlite3_column_bytes(s, 0),
		       b = (size_t)sqlite3_column_bytes(s, 1);

		if (r->n == cap) {
			size_t *no = realloc(off, (cap = cap ? 2 * cap : 64) * sizeof(*no));
			if (!no) {
				rc = SQLITE_NOMEM;
				break;
			}
			off = no;
		}
		if (used + a + b + 2 > size) {
			char *nb;

			size = size ? 2 * size : 4096;
			while (size < used + a + b + 2)
				size *= 2;
			if (!(nb = realloc(r->buf, size))) {
				rc = SQLITE_NOMEM;
				break;
			}
			r->buf = nb;
		}
		off[r->n++] = used;
		memcpy(r->buf + used, sqlite3_column_text(s, 0), a);
		r->buf[used + a] = '\0';
		memcpy(r->buf + used + a + 1, sqlite3_column_text(s, 1), b);
		r->buf[used + a + 1 + b] = '\0';
		used += a + b + 2;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE && r->n && !(r->key = malloc(r->n * sizeof(*r->key))))
		rc = SQLITE_NOMEM;
	if (rc != SQLITE_DONE) {
		free(off);
		trust_revoked_free(&r);
		return rc == SQLITE_NOMEM ? pt_fail(err, PT_NOMEM, NULL)
		                          : store_fail(st, rc, err, _("read the CRLs"));
	}
	for (size_t i = 0; i < r->n; i++)
		r->key[i] = r->buf + off[i];
	free(off);
	if (r->n > 1)
		qsort(r->key, r->n, sizeof(*r->key), key_cmp);
	*out = r;
	return PT_OK;
}

bool
trust_revoked_has(const struct trust_revoked *r, const char *issuer, const char *serial)
{
	size_t lo = 0, hi = r ? r->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = r->key[mid];
		int c = strcmp(serial, k);

		if (!c)
			c = strcmp(issuer, k + strlen(k) + 1);
		if (!c)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

size_t
trust_revoked_count(const struct trust_revoked *r)
{
	return r ? r->n : 0;
}

void
trust_revoked_free(struct trust_revoked **r)
{
	if (!r || !*r)
		return;
	free((*r)->key);
	free((*r)->buf);
	free(*r);
	*r = NULL;
}

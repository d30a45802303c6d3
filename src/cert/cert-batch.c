/* cert-batch.c - files as CAs deliver them, into the store: the CA
 * certificates a file carries are its chain, added to the bundle of the
 * stored CA they verify up to; its host certificates follow the match
 * rule of cert_import_one (see cert.h).
 *
 * A batch reads every CA's bundle once into an indexed trust set
 * (x509_trust), so 10k files of a leaf and two intermediates each cost a
 * lookup per certificate, not a bundle parse and a path search over
 * every CA certificate.
 */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/lib.h"
#include "cert/cert.h"
#include "cert/private.h"
#include "base/i18n.h"
#include "base/lib.h"

struct batch_ca {
	int64_t id;
	char *name;
	struct x509_trust *trust; /* NULL: its bundle does not parse */
};

struct cert_batch {
	struct store *st;
	struct batch_ca *ca;
	size_t n;
	time_t now;
};

static enum pt_status
batch_load(struct cert_batch *b, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	size_t cap = 0;
	int rc;

	if ((ret = store_prepare(b->st, "SELECT id, name, bundle_pem FROM cas ORDER BY id", &s,
	                         err)) != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *pem = sqlite3_column_text(s, 2);
		struct batch_ca *c;

		if (b->n == cap) {
			cap = cap ? 2 * cap : 4;
			if (!(c = realloc(b->ca, cap * sizeof(*c)))) {
				ret = pt_fail(err, PT_NOMEM, NULL);
				break;
			}
			b->ca = c;
		}
		c = &b->ca[b->n];
		c->id = sqlite3_column_int64(s, 0);
		c->trust = NULL;
		if (!(c->name = strdup(store_text(s, 1)))) {
			ret = pt_fail(err, PT_NOMEM, NULL);
			break;
		}
		b->n++;
		if (pem && x509_trust_new(pem, (size_t)sqlite3_column_bytes(s, 2), &c->trust,
		                          NULL) != PT_OK)
			c->trust = NULL;
	}
	if (ret == PT_OK && rc != SQLITE_DONE)
		ret = store_fail(b->st, rc, err, _("list CAs"));
	sqlite3_finalize(s);
	return ret;
}

enum pt_status
cert_batch_new(struct store *st, struct cert_batch **out, struct pt_err *err)
{
	struct cert_batch *b = calloc(1, sizeof(*b));
	enum pt_status ret;

	*out = NULL;
	if (!b)
		return pt_fail(err, PT_NOMEM, NULL);
	b->st = st;
	b->now = time(NULL);
	if ((ret = batch_load(b, err)) != PT_OK) {
		cert_batch_free(&b);
		return ret;
	}
	*out = b;
	return PT_OK;
}

void
cert_batch_free(struct cert_batch **bp)
{
	struct cert_batch *b;

	if (!bp || !(b = *bp))
		return;
	for (size_t i = 0; i < b->n; i++) {
		free(b->ca[i].name);
		x509_trust_free(&b->ca[i].trust);
	}
	free(b->ca);
	free(b);
	*bp = NULL;
}

/* The first CA whose bundle (as this batch has grown it) verifies c. */
static enum pt_status
batch_find_ca(void *ud, const struct x509_cert *c, int64_t *ca_id, struct pt_err *err)
{
	struct cert_batch *b = ud;

	(void)err;
	*ca_id = 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->ca[i].trust &&
		    x509_trust_verify(&b->ca[i].trust, 1, c, b->now, NULL) == PT_OK) {
			*ca_id = b->ca[i].id;
			break;
		}
	return PT_OK;
}

/* Append c to the stored bundle of ca, and say so in the audit chain. */
static enum pt_status
bundle_append(struct cert_batch *b, struct batch_ca *ca, const struct x509_cert *c,
              struct pt_err *err)
{
	gnutls_datum_t der = { c->der, (unsigned)c->der_len }, pem = { NULL, 0 };
	sqlite3_stmt *s = NULL;
	enum pt_status ret;

	if (gnutls_pem_base64_encode2("CERTIFICATE", &der, &pem) < 0)
		return pt_fail(err, PT_CRYPTO, _("cannot encode the CA bundle"));
	ret = store_cached(b->st, "UPDATE cas SET bundle_pem = bundle_pem || ? WHERE id = ?", &s,
	                   err);
	if (ret == PT_OK) {
		sqlite3_bind_text(s, 1, (const char *)pem.data, (int)pem.size, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 2, ca->id);
		ret = store_cached_run(b->st, s, err, _("add to the CA bundle"));
	}
	gnutls_free(pem.data);
	if (ret == PT_OK)
		ret = x509_trust_add(ca->trust, c, err);
	if (ret == PT_OK)
		ret = audit_appendf(b->st, "ca.chain-add", ca->name, err,
		                    "subject=%s issuer=%s serial=%s sha256=%s", c->subject_grid,
		                    c->issuer_grid, c->serial, c->sha256_hex);
	return ret;
}

/* One CA certificate of a file: known, added, or of no stored CA.  The
 * file's other CA certificates (never its self-signed ones: a root is
 * trusted only when stored) may stand between it and a stored root. */
static enum pt_status
chain_one(struct cert_batch *b, const struct x509_cert *c, struct x509_trust *file,
          struct cert_batch_item *it, char *why, size_t whylen, struct pt_err *err)
{
	struct pt_err first = { 0 };

	it->chain = true;
	for (size_t i = 0; i < b->n; i++)
		if (b->ca[i].trust && x509_trust_has(b->ca[i].trust, c)) {
			it->chain_outcome = CERT_CHAIN_KNOWN;
			it->ca = b->ca[i].name;
			return PT_OK;
		}
	for (size_t i = 0; i < b->n; i++) {
		struct x509_trust *ts[2] = { b->ca[i].trust, file };
		struct pt_err e = { 0 };

		if (!ts[0])
			continue;
		if (x509_trust_verify(ts, 2, c, b->now, &e) == PT_OK) {
			it->chain_outcome = CERT_CHAIN_ADDED;
			it->ca = b->ca[i].name;
			return bundle_append(b, &b->ca[i], c, err);
		}
		if (first.status == PT_OK)
			first = e;
	}
	it->chain_outcome = CERT_CHAIN_NO_CA;
	snprintf(why, whylen, "%s",
	         first.status != PT_OK ? first.detail : _("there is no CA in the store"));
	return PT_OK;
}

/* The file's CA certificates that are not roots, as a trust set. */
static enum pt_status
file_trust(const struct x509_cert_list *l, struct x509_trust **out, struct pt_err *err)
{
	enum pt_status ret = x509_trust_new(NULL, 0, out, err);

	for (size_t i = 0; ret == PT_OK && i < l->n; i++)
		if (l->certs[i].is_ca && !l->certs[i].self_signed)
			ret = x509_trust_add(*out, &l->certs[i], err);
	return ret;
}

/* Whether every CA certificate of l is already in some bundle (the
 * common case after the first file of a batch: no trust set to build). */
static bool
all_known(struct cert_batch *b, const struct x509_cert_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		bool known = false;

		if (!l->certs[i].is_ca)
			continue;
		for (size_t k = 0; k < b->n && !known; k++)
			known = b->ca[k].trust && x509_trust_has(b->ca[k].trust, &l->certs[i]);
		if (!known)
			return false;
	}
	return true;
}

enum pt_status
cert_batch_chain(struct cert_batch *b, const struct x509_cert_list *l, cert_batch_fn cb, void *ud,
                 struct pt_err *err)
{
	struct x509_trust *file = NULL;
	enum pt_status ret = PT_OK;
	char why[512];

	if ((ret = store_need_tx(b->st, err)) != PT_OK)
		return ret;
	if (!all_known(b, l) && (ret = file_trust(l, &file, err)) != PT_OK)
		return ret;
	for (size_t i = 0; ret == PT_OK && i < l->n; i++) {
		struct cert_batch_item it = { .x = &l->certs[i], .ca = "", .why = why };

		if (!l->certs[i].is_ca)
			continue;
		why[0] = '\0';
		ret = chain_one(b, &l->certs[i], file, &it, why, sizeof(why), err);
		if (ret == PT_OK && cb)
			cb(&it, ud);
	}
	x509_trust_free(&file);
	return ret;
}

enum pt_status
cert_batch_import(struct cert_batch *b, const struct x509_cert_list *l, cert_batch_fn cb, void *ud,
                  size_t *refused, struct pt_err *err)
{
	enum pt_status ret;

	if ((ret = cert_batch_chain(b, l, cb, ud, err)) != PT_OK)
		return ret;
	for (size_t i = 0; i < l->n; i++) {
		const struct x509_cert *x = &l->certs[i];
		struct cert_batch_item it = { .x = x, .ca = "", .why = "" };
		struct pt_err e = { 0 };
		char *fqdn = NULL;

		if (x->is_ca)
			continue;
		it.outcome = CERT_NO_KEY;
		ret = cert_import_found(b->st, x, batch_find_ca, b, &it.outcome, &fqdn, &e);
		if (ret != PT_OK && ret != PT_MISMATCH) {
			*err = e;
			return ret;
		}
		if (ret == PT_MISMATCH) {
			it.why = e.detail;
			if (refused)
				(*refused)++;
		}
		it.host = fqdn ? fqdn : "";
		if (cb)
			cb(&it, ud);
		free(fqdn);
	}
	return PT_OK;
}

/* ---- files, for the console ------------------------------------------- */

bool
cert_file_is_pkcs12(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	bool yes;

	if (pt_file_read(path, false, X509_FILE_MAX, &buf, &len, NULL) != PT_OK)
		return false;
	yes = x509_is_pkcs12(buf, len);
	free(buf);
	return yes;
}

enum pt_status
cert_import_file(struct cert_batch *b, const char *path, const char *password, cert_batch_fn cb,
                 void *ud, size_t *refused, struct pt_err *err)
{
	struct x509_cert_list *l = NULL;
	unsigned char *buf = NULL;
	struct pt_err e = { 0 };
	enum pt_status ret;
	size_t len;

	if ((ret = pt_file_read(path, false, X509_FILE_MAX, &buf, &len, err)) != PT_OK)
		return ret;
	ret = x509_delivery_parse(buf, len, password, NULL, &l, NULL, NULL, &e);
	free(buf);
	if (ret != PT_OK)
		return pt_fail(err, ret, "%s: %s", path, e.detail);
	ret = cert_batch_import(b, l, cb, ud, refused, err);
	x509_cert_list_free(&l);
	return ret;
}

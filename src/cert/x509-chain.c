/* x509-chain.c - CA bundles and chain verification (see x509.h): the path
 * is built here so a failure names the faulty link.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "cert/private.h"
#include "cert/x509.h"

/* ---- CA bundles and chains --------------------------------------------- */

enum pt_status
x509_bundle_parse(const unsigned char *buf, size_t len, struct x509_cert_list **out,
                  struct pt_err *err)
{
	enum pt_status st;

	st = x509_certs_parse(buf, len, out, err);
	if (st != PT_OK)
		return st;
	for (size_t i = 0; i < (*out)->n; i++) {
		if (!(*out)->certs[i].is_ca) {
			st = pt_fail(
				err, PT_INVALID,
				_("certificate %zu of the CA bundle is not a CA certificate: %s"),
				i + 1, (*out)->certs[i].subject_grid);
			x509_cert_list_free(out);
			return st;
		}
	}
	return PT_OK;
}

#define X509_MAX_DEPTH 10
/* Time is ours to judge: the leaf's is not part of the chain verdict and
 * the CAs' is checked against the caller's `now`, not the clock. */
#define X509_VERIFY_FLAGS \
	(GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS)

static enum pt_status
x509_crt_from(const struct x509_cert *c, gnutls_x509_crt_t *crt)
{
	gnutls_datum_t d = { c->der, (unsigned)c->der_len };

	*crt = NULL;
	if (gnutls_x509_crt_init(crt) < 0) {
		*crt = NULL;
		return PT_NOMEM;
	}
	if (gnutls_x509_crt_import(*crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(*crt);
		*crt = NULL;
		return PT_INVALID;
	}
	return PT_OK;
}

/* Translate a GnuTLS verdict for the link subj <- issuer into a reason. */
static enum pt_status
x509_link_reason(unsigned status, const struct x509_cert *subj, const struct x509_cert *issuer,
                 struct pt_err *err)
{
	if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
		return pt_fail(err, PT_REFUSED, _("bad signature: \"%s\" was not signed by \"%s\""),
		               subj->subject_grid, issuer->subject_grid);
	if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		return pt_fail(err, PT_REFUSED, _("\"%s\" is signed with an insecure algorithm"),
		               subj->subject_grid);
	if (status & (GNUTLS_CERT_SIGNER_NOT_CA | GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE))
		return pt_fail(
			err, PT_REFUSED,
			_("issuer \"%s\" is not allowed to sign certificates (CA constraints)"),
			issuer->subject_grid);
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		return pt_fail(err, PT_REFUSED,
		               _("issuer of \"%s\" is not in the CA bundle: \"%s\""),
		               subj->subject_grid, subj->issuer_grid);
	return pt_fail(err, PT_REFUSED,
	               _("the chain of \"%s\" does not verify (GnuTLS status 0x%x)"),
	               subj->subject_grid, status);
}

/* The bundle's issuer of cur, or ca->n.  A CA that rolled its key over
 * keeps its name, so several certificates may carry the issuer's DN;
 * prefer one whose signature checks and that is valid at `now`, then one
 * whose signature checks, then the first by name (whose failure is then
 * the reason given). */
static size_t
x509_pick_issuer(gnutls_x509_crt_t cur, const gnutls_x509_crt_t *cas,
                 const struct x509_cert_list *ca, const struct x509_cert *const *path, size_t k,
                 time_t now)
{
	const unsigned flags = X509_VERIFY_FLAGS;
	size_t best = ca->n;
	int best_score = -1;

	for (size_t i = 0; i < ca->n; i++) {
		const struct x509_cert *c = &ca->certs[i];
		unsigned status = 1;
		bool used = false;
		int score;

		for (size_t j = 1; j < k; j++)
			used = used || path[j] == c;
		if (used || !gnutls_x509_crt_check_issuer(cur, cas[i]))
			continue;
		score = 0;
		if (gnutls_x509_crt_verify(cur, &cas[i], 1, flags, &status) >= 0 && status == 0)
			score = now >= c->not_before && now <= c->not_after ? 2 : 1;
		if (score > best_score) {
			best = i;
			best_score = score;
		}
	}
	return best;
}

/* What one verification holds: the bundle, its certificates as GnuTLS
 * objects, and the path from the leaf (path[0], chain[0]) upwards. */
struct x509_verify {
	struct x509_cert_list *ca;
	gnutls_x509_crt_t *cas;
	gnutls_x509_crt_t chain[X509_MAX_DEPTH + 1];
	const struct x509_cert *path[X509_MAX_DEPTH + 1];
	size_t k;
};

/* Parse the bundle and import the leaf and every CA certificate. */
static enum pt_status
x509_verify_load(struct x509_verify *v, const struct x509_cert *cert, const unsigned char *bundle,
                 size_t bundle_len, struct pt_err *err)
{
	enum pt_status st;

	st = x509_bundle_parse(bundle, bundle_len, &v->ca, err);
	if (st != PT_OK)
		return st;
	v->cas = calloc(v->ca->n, sizeof(*v->cas));
	if (!v->cas)
		return pt_fail(err, PT_NOMEM, NULL);
	for (size_t i = 0; i < v->ca->n; i++)
		if (x509_crt_from(&v->ca->certs[i], &v->cas[i]) != PT_OK)
			return pt_fail(err, PT_INVALID,
			               _("certificate %zu of the CA bundle is unreadable"), i + 1);
	if (x509_crt_from(cert, &v->chain[0]) != PT_OK)
		return pt_fail(err, PT_INVALID, _("the certificate is unreadable"));
	v->path[v->k++] = cert;
	return PT_OK;
}

/* Build the path ourselves so a failure can name the missing link. */
static enum pt_status
x509_verify_build(struct x509_verify *v, time_t now, struct pt_err *err)
{
	for (;;) {
		gnutls_x509_crt_t cur = v->chain[v->k - 1];
		const struct x509_cert *top = v->path[v->k - 1];
		size_t found;

		if (v->k > 1 && top->self_signed)
			return PT_OK;
		if (v->k > X509_MAX_DEPTH)
			return pt_fail(err, PT_REFUSED,
			               _("the chain of \"%s\" is longer than %d certificates"),
			               v->path[0]->subject_grid, X509_MAX_DEPTH);
		found = x509_pick_issuer(cur, v->cas, v->ca, v->path, v->k, now);
		if (found == v->ca->n)
			return pt_fail(err, PT_REFUSED,
			               _("issuer of \"%s\" is not in the CA bundle: \"%s\""),
			               top->subject_grid, top->issuer_grid);
		v->chain[v->k] = v->cas[found];
		v->path[v->k++] = &v->ca->certs[found];
	}
}

/* Each link alone first, so the reason names the faulty one; then the
 * whole path, for constraints that span links (path length). */
static enum pt_status
x509_verify_links(struct x509_verify *v, struct pt_err *err)
{
	const unsigned flags = X509_VERIFY_FLAGS;
	unsigned status = 0;
	int ret;

	for (size_t i = 0; i + 1 < v->k; i++) {
		ret = gnutls_x509_crt_verify(v->chain[i], &v->chain[i + 1], 1, flags, &status);
		if (ret < 0)
			return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
		if (status)
			return x509_link_reason(status, v->path[i], v->path[i + 1], err);
	}
	ret = gnutls_x509_crt_list_verify(v->chain, (unsigned)(v->k - 1), &v->chain[v->k - 1], 1,
	                                  NULL, 0, flags, &status);
	if (ret < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	if (status)
		return x509_link_reason(status, v->path[0], v->path[1], err);
	return PT_OK;
}

/* The CAs on the path must be valid at `now` (the leaf's time is not
 * part of the chain verdict). */
static enum pt_status
x509_verify_ca_times(const struct x509_verify *v, time_t now, struct pt_err *err)
{
	char when[40];

	for (size_t i = 1; i < v->k; i++) {
		if (now > v->path[i]->not_after) {
			x509_fmt_time(v->path[i]->not_after, when, sizeof(when));
			return pt_fail(err, PT_REFUSED, _("CA certificate \"%s\" expired on %s"),
			               v->path[i]->subject_grid, when);
		}
		if (now < v->path[i]->not_before) {
			x509_fmt_time(v->path[i]->not_before, when, sizeof(when));
			return pt_fail(err, PT_REFUSED,
			               _("CA certificate \"%s\" is not valid before %s"),
			               v->path[i]->subject_grid, when);
		}
	}
	return PT_OK;
}

enum pt_status
x509_chain_verify(const struct x509_cert *cert, const unsigned char *bundle, size_t bundle_len,
                  time_t now, struct pt_err *err)
{
	struct x509_verify v = { 0 };
	enum pt_status st;

	if ((st = x509_verify_load(&v, cert, bundle, bundle_len, err)) == PT_OK &&
	    (st = x509_verify_build(&v, now, err)) == PT_OK &&
	    (st = x509_verify_links(&v, err)) == PT_OK)
		st = x509_verify_ca_times(&v, now, err);
	if (v.k > 0)
		gnutls_x509_crt_deinit(v.chain[0]);
	for (size_t i = 0; v.cas && i < v.ca->n; i++)
		if (v.cas[i])
			gnutls_x509_crt_deinit(v.cas[i]);
	free(v.cas);
	x509_cert_list_free(&v.ca);
	return st;
}

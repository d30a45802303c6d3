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

/* A set of CA certificates to build paths from, indexed by subject
 * name, so that finding an issuer is a binary search: a file of many CA
 * certificates checked against it stays n log n, never n squared.  The
 * name is the decoded Grid form, not the raw DER: a CA that re-encodes
 * its name (PrintableString for UTF8String) still issues the same name,
 * as gnutls_x509_crt_check_issuer, which decides, also sees it. */
struct x509_trust {
	struct x509_cert_list *ca;
	gnutls_x509_crt_t *cas;
	const char **dn; /* subject of each (Grid form, owned by ca) */
	size_t *order;   /* indexes sorted by dn */
	size_t cap;
	bool sorted;
};

static int
x509_dn_cmp(const char *a, const char *b)
{
	return strcmp(a, b);
}

/* Certificates of one issuer name looked at per link, at most. */
#define X509_SAME_NAME_MAX 16

static const struct x509_trust *x509_sort_trust;

/* By name, then by fingerprint: one name's certificates stand together,
 * and a given certificate is found by binary search alone. */
static int
x509_order_cmp(const void *a, const void *b)
{
	const struct x509_trust *t = x509_sort_trust;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = x509_dn_cmp(t->dn[i], t->dn[j]);

	return c ? c : memcmp(t->ca->certs[i].sha256, t->ca->certs[j].sha256, X509_ID_LEN);
}

static void
x509_trust_sort(struct x509_trust *t)
{
	if (t->sorted)
		return;
	for (size_t i = 0; i < t->ca->n; i++)
		t->order[i] = i;
	x509_sort_trust = t; /* qsort has no context argument in C11 */
	qsort(t->order, t->ca->n, sizeof(*t->order), x509_order_cmp);
	x509_sort_trust = NULL;
	t->sorted = true;
}

/* The first position in t->order whose DN is not below dn. */
static size_t
x509_trust_lower(const struct x509_trust *t, const char *dn)
{
	size_t lo = 0, hi = t->ca->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x509_dn_cmp(t->dn[t->order[mid]], dn) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Room for one more certificate in every array of t. */
static enum pt_status
x509_trust_grow(struct x509_trust *t, struct pt_err *err)
{
	size_t cap = t->cap ? 2 * t->cap : 8;
	void *p;

	if (t->ca->n < t->cap)
		return PT_OK;
	if (!(p = realloc(t->ca->certs, cap * sizeof(*t->ca->certs))))
		return pt_fail(err, PT_NOMEM, NULL);
	t->ca->certs = p;
	if (!(p = realloc(t->cas, cap * sizeof(*t->cas))))
		return pt_fail(err, PT_NOMEM, NULL);
	t->cas = p;
	if (!(p = realloc(t->dn, cap * sizeof(*t->dn))))
		return pt_fail(err, PT_NOMEM, NULL);
	t->dn = p;
	if (!(p = realloc(t->order, cap * sizeof(*t->order))))
		return pt_fail(err, PT_NOMEM, NULL);
	t->order = p;
	t->cap = cap;
	return PT_OK;
}

/* Index certificate i of t->ca (already in place). */
static enum pt_status
x509_trust_index(struct x509_trust *t, size_t i, struct pt_err *err)
{
	t->dn[i] = t->ca->certs[i].subject_grid;
	if (x509_crt_from(&t->ca->certs[i], &t->cas[i]) != PT_OK)
		return pt_fail(err, PT_INVALID, _("certificate %zu of the CA bundle is unreadable"),
		               i + 1);
	return PT_OK;
}

enum pt_status
x509_trust_new(const unsigned char *bundle, size_t len, struct x509_trust **out, struct pt_err *err)
{
	struct x509_trust *t = calloc(1, sizeof(*t));
	enum pt_status st = PT_OK;
	size_t n;

	*out = NULL;
	if (!t)
		return pt_fail(err, PT_NOMEM, NULL);
	if (bundle)
		st = x509_bundle_parse(bundle, len, &t->ca, err);
	else if (!(t->ca = calloc(1, sizeof(*t->ca))))
		st = pt_fail(err, PT_NOMEM, NULL);
	if (st != PT_OK) {
		free(t);
		return st;
	}
	n = t->ca->n;
	t->cap = n;
	t->cas = calloc(n ? n : 1, sizeof(*t->cas));
	t->dn = calloc(n ? n : 1, sizeof(*t->dn));
	t->order = calloc(n ? n : 1, sizeof(*t->order));
	if (!t->cas || !t->dn || !t->order)
		st = pt_fail(err, PT_NOMEM, NULL);
	for (size_t i = 0; i < n && st == PT_OK; i++)
		st = x509_trust_index(t, i, err);
	if (st != PT_OK) {
		x509_trust_free(&t);
		return st;
	}
	*out = t;
	return PT_OK;
}

enum pt_status
x509_trust_add(struct x509_trust *t, const struct x509_cert *c, struct pt_err *err)
{
	struct x509_cert *dst;
	enum pt_status st;
	size_t i = t->ca->n;

	if ((st = x509_trust_grow(t, err)) != PT_OK)
		return st;
	dst = &t->ca->certs[i];
	memset(dst, 0, sizeof(*dst));
	/* a copy of what the trust needs: names for the reasons, times, DER */
	dst->subject_grid = strdup(c->subject_grid);
	dst->issuer_grid = strdup(c->issuer_grid);
	dst->der = malloc(c->der_len);
	if (!dst->subject_grid || !dst->issuer_grid || !dst->der) {
		free(dst->subject_grid);
		free(dst->issuer_grid);
		free(dst->der);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	memcpy(dst->der, c->der, c->der_len);
	dst->der_len = c->der_len;
	dst->not_before = c->not_before;
	dst->not_after = c->not_after;
	dst->is_ca = c->is_ca;
	dst->self_signed = c->self_signed;
	memcpy(dst->sha256, c->sha256, sizeof(dst->sha256));
	if ((st = x509_trust_index(t, i, err)) != PT_OK) {
		free(dst->subject_grid);
		free(dst->issuer_grid);
		free(dst->der);
		return st;
	}
	t->ca->n++;
	t->sorted = false;
	return PT_OK;
}

bool
x509_trust_has(struct x509_trust *t, const struct x509_cert *c)
{
	size_t lo, hi;

	x509_trust_sort(t);
	lo = x509_trust_lower(t, c->subject_grid);
	hi = t->ca->n;
	/* within the name's run, by fingerprint */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, i = t->order[mid];
		int cmp = x509_dn_cmp(t->dn[i], c->subject_grid);

		if (cmp == 0)
			cmp = memcmp(t->ca->certs[i].sha256, c->sha256, X509_ID_LEN);
		if (cmp == 0)
			return true;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

size_t
x509_trust_count(const struct x509_trust *t)
{
	return t ? t->ca->n : 0;
}

void
x509_trust_free(struct x509_trust **tp)
{
	struct x509_trust *t;

	if (!tp || !(t = *tp))
		return;
	for (size_t i = 0; t->cas && t->ca && i < t->ca->n; i++) {
		if (t->cas[i])
			gnutls_x509_crt_deinit(t->cas[i]);
	}
	free(t->cas);
	free(t->dn);
	free(t->order);
	x509_cert_list_free(&t->ca);
	free(t);
	*tp = NULL;
}

/* What one verification holds: the trusts searched, and the path from
 * the leaf (path[0], chain[0]) upwards. */
struct x509_verify {
	struct x509_trust *const *ts;
	size_t nt;
	gnutls_x509_crt_t chain[X509_MAX_DEPTH + 1];
	const struct x509_cert *path[X509_MAX_DEPTH + 1];
	size_t k;
};

/* The issuer of cur among the trusts, or NULL.  A CA that rolled its key
 * over keeps its name, so several certificates may carry the issuer's
 * DN; prefer one whose signature checks and that is valid at `now`, then
 * one whose signature checks, then the first by name (whose failure is
 * then the reason given).  Only the certificates of that name are looked
 * at (binary search). */
static const struct x509_cert *
x509_pick_issuer(struct x509_verify *v, gnutls_x509_crt_t cur, time_t now,
                 gnutls_x509_crt_t *crt_out)
{
	const unsigned flags = X509_VERIFY_FLAGS;
	const char *idn = v->path[v->k - 1]->issuer_grid;
	const struct x509_cert *best = NULL;
	int best_score = -1;

	for (size_t ti = 0; ti < v->nt; ti++) {
		struct x509_trust *t = v->ts[ti];

		x509_trust_sort(t);
		size_t first = x509_trust_lower(t, idn);

		/* a CA keeps a handful of certificates under one name (key
		 * rollovers, renewals); a file of thousands under one name
		 * must not make every link cost thousands of signatures */
		for (size_t k = first; k < t->ca->n && k - first < X509_SAME_NAME_MAX &&
		                       x509_dn_cmp(t->dn[t->order[k]], idn) == 0;
		     k++) {
			size_t i = t->order[k];
			const struct x509_cert *c = &t->ca->certs[i];
			unsigned status = 1;
			bool used = false;
			int score = 0;

			for (size_t j = 1; j < v->k; j++)
				used = used || v->path[j] == c;
			if (used || !gnutls_x509_crt_check_issuer(cur, t->cas[i]))
				continue;
			if (gnutls_x509_crt_verify(cur, &t->cas[i], 1, flags, &status) >= 0 &&
			    status == 0)
				score = now >= c->not_before && now <= c->not_after ? 2 : 1;
			if (score > best_score) {
				best = c;
				*crt_out = t->cas[i];
				best_score = score;
			}
		}
	}
	return best;
}

/* Build the path ourselves so a failure can name the missing link. */
static enum pt_status
x509_verify_build(struct x509_verify *v, time_t now, struct pt_err *err)
{
	for (;;) {
		gnutls_x509_crt_t cur = v->chain[v->k - 1], next = NULL;
		const struct x509_cert *top = v->path[v->k - 1], *found;

		if (v->k > 1 && top->self_signed)
			return PT_OK;
		if (v->k > X509_MAX_DEPTH)
			return pt_fail(err, PT_REFUSED,
			               _("the chain of \"%s\" is longer than %d certificates"),
			               v->path[0]->subject_grid, X509_MAX_DEPTH);
		found = x509_pick_issuer(v, cur, now, &next);
		if (!found)
			return pt_fail(err, PT_REFUSED,
			               _("issuer of \"%s\" is not in the CA bundle: \"%s\""),
			               top->subject_grid, top->issuer_grid);
		v->chain[v->k] = next;
		v->path[v->k++] = found;
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
x509_trust_verify(struct x509_trust *const *ts, size_t nt, const struct x509_cert *cert, time_t now,
                  struct pt_err *err)
{
	struct x509_verify v = { .ts = ts, .nt = nt };
	enum pt_status st;

	if (x509_crt_from(cert, &v.chain[0]) != PT_OK)
		return pt_fail(err, PT_INVALID, _("the certificate is unreadable"));
	v.path[v.k++] = cert;
	if ((st = x509_verify_build(&v, now, err)) == PT_OK &&
	    (st = x509_verify_links(&v, err)) == PT_OK)
		st = x509_verify_ca_times(&v, now, err);
	gnutls_x509_crt_deinit(v.chain[0]);
	return st;
}

enum pt_status
x509_chain_verify(const struct x509_cert *cert, const unsigned char *bundle, size_t bundle_len,
                  time_t now, struct pt_err *err)
{
	struct x509_trust *t = NULL;
	enum pt_status st;

	if ((st = x509_trust_new(bundle, bundle_len, &t, err)) != PT_OK)
		return st;
	st = x509_trust_verify(&t, 1, cert, now, err);
	x509_trust_free(&t);
	return st;
}

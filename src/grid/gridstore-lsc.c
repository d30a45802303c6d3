/* gridstore-lsc.c - the chains of the VOMS servers checked against the
 * trust anchors of the store: the CA certificates of its CA bundles
 * (cert_ca_foreach) and its IGTF anchors (trust_anchor_bundle), with the
 * namespace a certificate's nameConstraints give where it has one, and
 * the IGTF namespace policy (.namespaces, else .signing_policy, as
 * imported) of each CA on the way where the store has one. */
#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/lib.h"
#include "store/lib.h"
#include "grid/gridstore.h"
#include "grid/private.h"
#include "base/i18n.h"

struct anchor_set {
	struct gm_anchor *a;
	size_t n;
	struct pt_err *err;
	enum pt_status ret;
};

static void
anchors_free(struct anchor_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free((char *)s->a[i].subject);
		free((char *)s->a[i].issuer);
		for (size_t k = 0; k < s->a[i].npermitted; k++)
			free((char *)s->a[i].permitted[k]);
		free((char **)s->a[i].permitted);
	}
	free(s->a);
	s->a = NULL;
	s->n = 0;
}

/* The permitted directory names of a certificate's nameConstraints, in
 * Grid form (none when it has no such extension).  GnuTLS gives them as
 * RFC 4514 text ("DC=cern,DC=ch"): the Grid form reverses the RDNs. */
static bool
permitted_of(const struct x509_cert *c, struct gm_anchor *a)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_name_constraints_t nc = NULL;
	gnutls_datum_t der = { c->der, (unsigned)c->der_len }, name;
	unsigned type, crit = 0;
	char **v = NULL;
	size_t n = 0;
	bool ok = true;

	if (gnutls_x509_crt_init(&crt) < 0)
		return false;
	if (gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_name_constraints_init(&nc) < 0)
		goto out;
	if (gnutls_x509_crt_get_name_constraints(crt, nc, 0, &crit) < 0)
		goto out; /* none */
	for (unsigned i = 0; gnutls_x509_name_constraints_get_permitted(nc, i, &type, &name) >= 0;
	     i++) {
		char *g;

		if (type != GNUTLS_SAN_DN)
			continue;
		if ((g = gm_rfc2253_to_grid((const char *)name.data, name.size)) == NULL ||
		    !gs_strv_add(&v, &n, g)) {
			free(g);
			ok = false;
			break;
		}
		free(g);
	}
out:
	if (nc)
		gnutls_x509_name_constraints_deinit(nc);
	gnutls_x509_crt_deinit(crt);
	a->permitted = (const char *const *)v;
	a->npermitted = n;
	return ok;
}

/* Every certificate of a PEM bundle becomes an anchor; false when out of
 * memory (a bundle that does not parse adds nothing: the store checked
 * it when it came in). */
static bool
add_bundle(struct anchor_set *s, const char *pem)
{
	struct x509_cert_list *l = NULL;
	struct pt_err e = { 0 };

	if (x509_bundle_parse((const unsigned char *)pem, strlen(pem), &l, &e) != PT_OK)
		return true;
	for (size_t i = 0; i < l->n; i++) {
		const struct x509_cert *c = &l->certs[i];
		struct gm_anchor *na = realloc(s->a, (s->n + 1) * sizeof(*na));

		if (!na)
			goto oom;
		s->a = na;
		na[s->n] = (struct gm_anchor){ .subject = strdup(c->subject_grid),
			                       .issuer = strdup(c->issuer_grid),
			                       .root = c->self_signed };
		s->n++;
		if (!na[s->n - 1].subject || !na[s->n - 1].issuer ||
		    !permitted_of(c, &na[s->n - 1]))
			goto oom;
	}
	x509_cert_list_free(&l);
	return true;
oom:
	x509_cert_list_free(&l);
	return false;
}

static int
ca_cb(const struct cert_ca *ca, void *ud)
{
	struct anchor_set *s = ud;

	if (add_bundle(s, ca->bundle_pem))
		return 0;
	s->ret = gs_nomem(s->err);
	return 1;
}

/* The CA bundles' certificates, then the IGTF anchors. */
static enum pt_status
anchors_load(struct store *st, struct anchor_set *s, struct pt_err *err)
{
	enum pt_status ret = cert_ca_foreach(st, ca_cb, s, err);
	char *pem = NULL;

	if (ret == PT_OK)
		ret = s->ret;
	if (ret == PT_OK)
		ret = trust_anchor_bundle(st, &pem, err);
	if (ret == PT_OK && pem[0] && !add_bundle(s, pem))
		ret = gs_nomem(err);
	free(pem);
	return ret;
}

/* A chain that ends at an anchor still breaks the IGTF namespace policy
 * of a CA on its way when that CA's rules do not permit the DN it signed
 * (the policies name the issuer: each DN is checked under the next). */
static enum pt_status
check_policies(struct store *st, const char *const *dns, size_t n, struct gs_lsc_result *r,
               char *why, size_t whylen, struct pt_err *err)
{
	for (size_t i = 0; r->verdict == GM_LSC_OK && i + 1 < n; i++) {
		enum trust_ns ns = TRUST_NS_NONE;
		enum pt_status ret =
			trust_namespace_check(st, dns[i + 1], dns[i], &ns, why, whylen, err);

		if (ret != PT_OK)
			return ret;
		if (ns == TRUST_NS_VIOLATION) {
			r->verdict = GM_LSC_NAMESPACE;
			r->why = why;
		}
	}
	return PT_OK;
}

/* Each chain of a server as its DNs, the main one (server, CA) first. */
static enum pt_status
check_server(struct store *st, const struct gs_voms *v, const struct anchor_set *s,
             int (*cb)(const struct gs_lsc_result *r, void *ud), void *ud, int *stop,
             struct pt_err *err)
{
	char *copy = strdup(v->chains), *line, *save = NULL, why[1024];
	const char *dns[GM_LSC_MAX_DEPTH + 1];
	struct gs_lsc_result r = { .vo = v->vo, .host = v->host, .why = why };
	unsigned idx = 0;
	enum pt_status ret = PT_OK;

	if (!copy)
		return gs_nomem(err);
	dns[0] = v->server_dn;
	dns[1] = v->ca_dn;
	r.verdict = gridmap_lsc_check(dns, 2, s->a, s->n, why, sizeof(why));
	if ((ret = check_policies(st, dns, 2, &r, why, sizeof(why), err)) != PT_OK)
		goto out;
	r.chain = idx++;
	if ((*stop = cb(&r, ud)) != 0)
		goto out;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = 0;
		char *dsave = NULL;

		for (char *d = strtok_r(line, ";", &dsave); d && n <= GM_LSC_MAX_DEPTH;
		     d = strtok_r(NULL, ";", &dsave))
			dns[n++] = gm_trim(d);
		r.verdict = gridmap_lsc_check(dns, n, s->a, s->n, why, sizeof(why));
		if ((ret = check_policies(st, dns, n, &r, why, sizeof(why), err)) != PT_OK)
			break;
		r.chain = idx++;
		if ((*stop = cb(&r, ud)) != 0)
			break;
	}
out:
	free(copy);
	return ret;
}

struct check_ctx {
	struct store *st;
	const struct anchor_set *s;
	int (*cb)(const struct gs_lsc_result *r, void *ud);
	void *ud;
	enum pt_status ret;
	struct pt_err *err;
};

static int
server_cb(const struct gs_voms *v, void *ud)
{
	struct check_ctx *c = ud;
	int stop = 0;

	if ((c->ret = check_server(c->st, v, c->s, c->cb, c->ud, &stop, c->err)) != PT_OK)
		return 1;
	return stop;
}

enum pt_status
gridstore_lsc_check(struct store *st, const char *const *vos, size_t nvos,
                    int (*cb)(const struct gs_lsc_result *r, void *ud), void *ud,
                    struct pt_err *err)
{
	struct anchor_set s = { .err = err, .ret = PT_OK };
	struct check_ctx c = { st, &s, cb, ud, PT_OK, err };
	enum pt_status ret;

	ret = anchors_load(st, &s, err);
	for (size_t i = 0; ret == PT_OK && (vos ? i < nvos : i < 1); i++) {
		ret = gridstore_voms_foreach(st, vos ? vos[i] : NULL, server_cb, &c, err);
		if (ret == PT_OK)
			ret = c.ret;
	}
	anchors_free(&s);
	return ret;
}

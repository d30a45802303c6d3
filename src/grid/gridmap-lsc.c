/* gridmap-lsc.c - the .lsc files of VOMS servers written from their
 * chains, and those chains checked against the store's trust anchors. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grid/gridmap.h"
#include "grid/private.h"
#include "base/i18n.h"

/* ---- .lsc ---------------------------------------------------------- */

static enum pt_status
lsc_dn(size_t chain, size_t cert, const char *what, const char *dn, struct pt_err *err)
{
	const char *p;
	char sbuf[SHOW_MAX * 4 + 8];

	if (!dn || dn[0] != '/' || !strchr(dn, '='))
		/* TRANSLATORS: chain number, certificate number, "subject" or
		 * "issuer", the DN. */
		return pt_fail(err, PT_INVALID,
		               _("chain %zu, certificate %zu: %s \"%s\" is not in /C=../CN=.. "
		                 "form"),
		               chain, cert, what, gm_show(dn ? dn : "", sbuf));
	for (p = dn; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return pt_fail(err, PT_INVALID,
			               _("chain %zu, certificate %zu: %s \"%s\" has a control "
			                 "character"),
			               chain, cert, what, gm_show(dn, sbuf));
	return PT_OK;
}

static enum pt_status
lsc_chain(size_t ci, const struct gm_chain *c, struct buf *out, struct pt_err *err)
{
	char s1[SHOW_MAX * 4 + 8], s2[SHOW_MAX * 4 + 8];
	enum pt_status st;
	size_t i;

	if (c->n == 0)
		return pt_fail(err, PT_INVALID, _("chain %zu is empty"), ci);
	for (i = 0; i < c->n; i++) {
		if ((st = lsc_dn(ci, i + 1, _("subject"), c->certs[i].subject, err)) != PT_OK ||
		    (st = lsc_dn(ci, i + 1, _("issuer"), c->certs[i].issuer, err)) != PT_OK)
			return st;
		if (i + 1 < c->n && strcmp(c->certs[i].issuer, c->certs[i + 1].subject) != 0)
			return pt_fail(err, PT_INVALID,
			               _("chain %zu: certificate %zu is issued by \"%s\", but "
			                 "certificate %zu is \"%s\""),
			               ci, i + 1, gm_show(c->certs[i].issuer, s1), i + 2,
			               gm_show(c->certs[i + 1].subject, s2));
	}
	if (!gm_buf_add(out, c->certs[0].subject, strlen(c->certs[0].subject)) ||
	    !gm_buf_add(out, "\n", 1))
		return gm_nomem(err);
	for (i = 0; i < c->n; i++) {
		const struct gm_cert *k = &c->certs[i];

		/* A self-signed root is already on the line before. */
		if (i > 0 && strcmp(k->subject, k->issuer) == 0)
			break;
		if (!gm_buf_add(out, k->issuer, strlen(k->issuer)) || !gm_buf_add(out, "\n", 1))
			return gm_nomem(err);
	}
	return PT_OK;
}

enum pt_status
gridmap_lsc(const struct gm_chain *chains, size_t nchains, char **out, struct pt_err *err)
{
	struct buf b = { 0 };
	enum pt_status st = PT_OK;
	size_t i;

	*out = NULL;
	if (nchains == 0)
		return pt_fail(err, PT_INVALID, "%s", _("no certificate chain"));
	for (i = 0; i < nchains && st == PT_OK; i++) {
		if (i > 0 && !gm_buf_add(&b, GRIDMAP_LSC_NEXT "\n", strlen(GRIDMAP_LSC_NEXT) + 1))
			st = gm_nomem(err);
		else
			st = lsc_chain(i + 1, &chains[i], &b, err);
	}
	if (st != PT_OK) {
		free(b.s);
		return st;
	}
	*out = b.s;
	return PT_OK;
}

/* ---- chains checked against trust anchors ---------------------------- */

static const struct gm_anchor *
anchor_of(const char *dn, const struct gm_anchor *a, size_t na)
{
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].subject, dn) == 0)
			return &a[i];
	return NULL;
}

/* Whether dn lies under the DN prefix p, RDN by RDN. */
static bool
dn_under(const char *dn, const char *p)
{
	size_t n = strlen(p);

	while (n > 0 && p[n - 1] == '/')
		n--;
	return strncasecmp(dn, p, n) == 0 && (dn[n] == '/' || dn[n] == '\0');
}

static bool
fits_namespace(const char *dn, const struct gm_anchor *a)
{
	if (a->npermitted == 0)
		return true;
	for (size_t i = 0; i < a->npermitted; i++)
		if (dn_under(dn, a->permitted[i]))
			return true;
	return false;
}

enum gm_lsc_verdict
gridmap_lsc_check(const char *const *dns, size_t n, const struct gm_anchor *a, size_t na, char *why,
                  size_t whylen)
{
	const struct gm_anchor *k, *path[GM_LSC_MAX_DEPTH];
	size_t np = 0;
	char s1[SHOW_MAX * 4 + 8], s2[SHOW_MAX * 4 + 8];

	why[0] = '\0';
	if (n < 2)
		return snprintf(why, whylen, "%s", _("a chain needs the server's DN and its CA's")),
		       GM_LSC_BROKEN;
	/* the issuers the chain names that the store knows must agree with it */
	for (size_t i = 1; i + 1 < n; i++) {
		if ((k = anchor_of(dns[i], a, na)) != NULL && !k->root &&
		    strcmp(k->issuer, dns[i + 1]) != 0) {
			snprintf(why, whylen,
			         _("the store's %s is issued by %s, the chain says %s"),
			         gm_show(dns[i], s1), gm_show(k->issuer, s2), dns[i + 1]);
			return GM_LSC_BROKEN;
		}
	}
	/* the last DN: a CA of the store, and up from there to a root */
	if ((k = anchor_of(dns[n - 1], a, na)) == NULL) {
		snprintf(why, whylen,
		         _("the chain ends at %s, which is no CA certificate of the store"),
		         gm_show(dns[n - 1], s1));
		return GM_LSC_NO_ANCHOR;
	}
	while (k && np < GM_LSC_MAX_DEPTH) {
		path[np++] = k;
		if (k->root)
			break;
		if ((k = anchor_of(path[np - 1]->issuer, a, na)) == NULL) {
			snprintf(
				why, whylen,
				_("the chain ends at %s, whose issuer %s is no CA certificate of the store"),
				gm_show(path[np - 1]->subject, s1),
				gm_show(path[np - 1]->issuer, s2));
			return GM_LSC_NO_ANCHOR;
		}
	}
	if (np == GM_LSC_MAX_DEPTH && !path[np - 1]->root) {
		snprintf(why, whylen, _("the chain from %s does not reach a root"),
		         gm_show(dns[n - 1], s1));
		return GM_LSC_NO_ANCHOR;
	}
	/* the server's DN in the namespace of every CA above it that has one,
	 * the CAs the chain names included */
	for (size_t i = 1; i < n; i++)
		if ((k = anchor_of(dns[i], a, na)) != NULL && !fits_namespace(dns[0], k)) {
			snprintf(why, whylen,
			         _("the server's DN %s is outside the namespace of %s (%s)"),
			         gm_show(dns[0], s1), gm_show(k->subject, s2), k->permitted[0]);
			return GM_LSC_NAMESPACE;
		}
	for (size_t i = 0; i < np; i++)
		if (!fits_namespace(dns[0], path[i])) {
			snprintf(why, whylen,
			         _("the server's DN %s is outside the namespace of %s (%s)"),
			         gm_show(dns[0], s1), gm_show(path[i]->subject, s2),
			         path[i]->permitted[0]);
			return GM_LSC_NAMESPACE;
		}
	return GM_LSC_OK;
}

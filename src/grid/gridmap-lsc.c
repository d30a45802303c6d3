/* gridmap-lsc.c - the .lsc files of VOMS servers written from their chains. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* voms-cert.c - certificates inspected, PEM read (see voms.h).
 *
 * Key usage, basic constraints and the kind of proxy of one certificate;
 * a PEM file walked with its certificates kept and its keys skipped.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

#include "base/i18n.h"
#include "grid/voms.h"
#include "grid/private.h"
#include "cert/lib.h"

/* ---- certificates ------------------------------------------------------ */

const char *
voms_proxy_name(enum voms_proxy p)
{
	switch (p) {
	case VOMS_PROXY_RFC3820: return "rfc3820";
	case VOMS_PROXY_DRAFT: return "draft";
	case VOMS_PROXY_LEGACY: return "legacy";
	default: return "none";
	}
}

const char *
voms_sig_name(enum voms_sig s)
{
	switch (s) {
	case VOMS_SIG_OK: return "ok";
	case VOMS_SIG_BAD: return "bad";
	default: return "unchecked";
	}
}

static const struct {
	const char *oid, *name;
} voms_eku_names[] = {
	{ "1.3.6.1.5.5.7.3.1", "serverAuth" },
	{ "1.3.6.1.5.5.7.3.2", "clientAuth" },
	{ "1.3.6.1.5.5.7.3.3", "codeSigning" },
	{ "1.3.6.1.5.5.7.3.4", "emailProtection" },
	{ "1.3.6.1.5.5.7.3.8", "timeStamping" },
	{ "1.3.6.1.5.5.7.3.9", "OCSPSigning" },
	{ "2.5.29.37.0", "anyExtendedKeyUsage" },
	/* proxy policy languages (RFC 3820 and Globus) */
	{ "1.3.6.1.5.5.7.21.1", "inheritAll" },
	{ "1.3.6.1.5.5.7.21.2", "independent" },
	{ "1.3.6.1.4.1.3536.1.1.1.9", "limited" },
};

static char *
voms_oid_label(const char *oid)
{
	for (size_t k = 0; k < sizeof(voms_eku_names) / sizeof(voms_eku_names[0]); k++)
		if (strcmp(oid, voms_eku_names[k].oid) == 0)
			return strdup(voms_eku_names[k].name);
	return strdup(oid);
}

static void
voms_certinfo_clear(struct voms_certinfo *ci)
{
	voms_strv_free(ci->eku, ci->neku);
	free(ci->proxy_policy);
	free(ci->ac_oid);
	voms_acs_free(&ci->acs);
	free(ci->ac_error);
	memset(ci, 0, sizeof(*ci));
}

void
voms_inspect_free(struct voms_inspect **in)
{
	if (!in || !*in)
		return;
	for (size_t i = 0; i < (*in)->n; i++)
		voms_certinfo_clear(&(*in)->info[i]);
	free((*in)->info);
	x509_cert_list_free(&(*in)->certs);
	free(*in);
	*in = NULL;
}

/* The VOMS extension of crt, if any, decoded into ci. */
static enum pt_status
voms_cert_acs(gnutls_x509_crt_t crt, struct voms_certinfo *ci)
{
	for (unsigned i = 0;; i++) {
		char oid[128];
		size_t sz = sizeof(oid);
		gnutls_datum_t d = { NULL, 0 };
		struct pt_err e = { 0 };
		int ret = gnutls_x509_crt_get_extension_info(crt, i, oid, &sz, NULL);

		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return PT_OK;
		if (ret < 0)
			continue;
		if (strcmp(oid, VOMS_OID_PROXY_DRAFT) == 0 && ci->proxy == VOMS_PROXY_NONE)
			ci->proxy = VOMS_PROXY_DRAFT;
		if (strcmp(oid, VOMS_OID_ACSEQ) != 0 && strcmp(oid, VOMS_OID_ACSEQ_OLD) != 0)
			continue;
		if (ci->ac_oid) /* the first one found is the one shown */
			continue;
		if (!(ci->ac_oid = strdup(oid)))
			return PT_NOMEM;
		if (gnutls_x509_crt_get_extension_data2(crt, i, &d) < 0) {
			pt_fail(&e, PT_INVALID, _("the extension's value is unreadable"));
		} else {
			voms_acs_decode(d.data, d.size, &ci->acs, &e);
			gnutls_free(d.data);
		}
		if (e.status == PT_NOMEM)
			return PT_NOMEM;
		if (e.status != PT_OK && !(ci->ac_error = strdup(e.detail)))
			return PT_NOMEM;
	}
}

static enum pt_status
voms_cert_facts(const struct x509_cert *x, struct voms_certinfo *ci)
{
	static const struct {
		unsigned bit;
		const char *name;
	} ku[] = {
		{ GNUTLS_KEY_DIGITAL_SIGNATURE, "digitalSignature" },
		{ GNUTLS_KEY_NON_REPUDIATION, "nonRepudiation" },
		{ GNUTLS_KEY_KEY_ENCIPHERMENT, "keyEncipherment" },
		{ GNUTLS_KEY_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ GNUTLS_KEY_KEY_AGREEMENT, "keyAgreement" },
		{ GNUTLS_KEY_KEY_CERT_SIGN, "keyCertSign" },
		{ GNUTLS_KEY_CRL_SIGN, "cRLSign" },
		{ GNUTLS_KEY_ENCIPHER_ONLY, "encipherOnly" },
		{ GNUTLS_KEY_DECIPHER_ONLY, "decipherOnly" },
	};
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = { x->der, (unsigned)x->der_len };
	enum pt_status st = PT_OK;
	unsigned usage = 0, ca = 0;
	int pathlen = -1, ret;
	char *lang = NULL;

	ci->x = x;
	ci->bc_pathlen = -1;
	ci->proxy_pathlen = -1;
	if (gnutls_x509_crt_init(&crt) < 0)
		return PT_NOMEM;
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(crt);
		return PT_INVALID;
	}
	if (gnutls_x509_crt_get_key_usage(crt, &usage, NULL) >= 0) {
		ci->has_key_usage = true;
		for (size_t k = 0; k < sizeof(ku) / sizeof(ku[0]); k++)
			if (usage & ku[k].bit)
				ci->key_usage[ci->nkey_usage++] = ku[k].name;
	}
	for (unsigned i = 0;; i++) {
		char oid[128];
		size_t sz = sizeof(oid);

		ret = gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &sz, NULL);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret < 0)
			continue;
		if (!voms_push(&ci->eku, &ci->neku, voms_oid_label(oid))) {
			st = PT_NOMEM;
			goto out;
		}
	}
	ret = gnutls_x509_crt_get_basic_constraints(crt, NULL, &ca, &pathlen);
	if (ret >= 0) {
		ci->has_bc = true;
		ci->bc_ca = ca != 0;
		ci->bc_pathlen = pathlen;
	}
	pathlen = -1;
	if (gnutls_x509_crt_get_proxy(crt, NULL, &pathlen, &lang, NULL, NULL) >= 0) {
		ci->proxy = VOMS_PROXY_RFC3820;
		ci->proxy_pathlen = pathlen;
		if (lang && !(ci->proxy_policy = voms_oid_label(lang))) {
			gnutls_free(lang);
			st = PT_NOMEM;
			goto out;
		}
		gnutls_free(lang);
	}
	if ((st = voms_cert_acs(crt, ci)) != PT_OK)
		goto out;
	if (ci->proxy == VOMS_PROXY_NONE) {
		/* GT2 legacy: the issuer's DN with one more CN=proxy. */
		size_t li = strlen(x->issuer_grid);

		if (strncmp(x->subject_grid, x->issuer_grid, li) == 0 &&
		    (strcmp(x->subject_grid + li, "/CN=proxy") == 0 ||
		     strcmp(x->subject_grid + li, "/CN=limited proxy") == 0)) {
			ci->proxy = VOMS_PROXY_LEGACY;
			ci->proxy_limited = x->subject_grid[li + 4] == 'l';
		}
	}
out:
	gnutls_x509_crt_deinit(crt);
	return st;
}

/* ---- PEM: certificates kept, keys skipped ------------------------------ */

/* memmem (a GNU extension; config.h turns the extensions on). */
static const unsigned char *
voms_find(const unsigned char *hay, size_t hlen, const char *needle)
{
	return memmem(hay, hlen, needle, strlen(needle));
}

/* Copy the certificate blocks of a PEM buffer into plain memory; every
 * other block (a proxy's private key above all) is passed over without
 * being copied anywhere.  A block cut short is copied as it is, for
 * x509_certs_parse to name. */
static enum pt_status
voms_pem_certs(const unsigned char *buf, size_t len, unsigned char **out, size_t *outlen,
               size_t *nkeys, size_t *nother)
{
	const unsigned char *p = buf, *end = buf + len;
	unsigned char *o = malloc(2 * len + 2); /* blocks plus a newline each */
	size_t n = 0;

	if (!o)
		return PT_NOMEM;
	for (;;) {
		const unsigned char *b = voms_find(p, (size_t)(end - p), "-----BEGIN ");
		const unsigned char *lab, *le, *e;
		char label[64], marker[96];
		size_t ll;

		if (!b)
			break;
		lab = b + 11;
		le = voms_find(lab, (size_t)(end - lab), "-----");
		ll = le ? (size_t)(le - lab) : 0;
		if (!le || ll >= sizeof(label) || memchr(lab, '\n', ll)) {
			/* a broken BEGIN line: let the certificate parser say so */
			memcpy(o + n, b, (size_t)(end - b));
			n += (size_t)(end - b);
			break;
		}
		memcpy(label, lab, ll);
		label[ll] = '\0';
		snprintf(marker, sizeof(marker), "-----END %s-----", label);
		e = voms_find(le, (size_t)(end - le), marker);
		e = e ? e + strlen(marker) : end;
		if (strcmp(label, "CERTIFICATE") == 0 || strcmp(label, "X509 CERTIFICATE") == 0) {
			memcpy(o + n, b, (size_t)(e - b));
			n += (size_t)(e - b);
			o[n++] = '\n';
		} else if (strstr(label, "PRIVATE KEY")) {
			(*nkeys)++;
		} else {
			(*nother)++;
		}
		p = e;
	}
	o[n] = '\0';
	*out = o;
	*outlen = n;
	return PT_OK;
}

enum pt_status
voms_inspect(const unsigned char *buf, size_t len, struct voms_inspect **out, struct pt_err *err)
{
	struct voms_inspect *in;
	unsigned char *certs = NULL;
	size_t clen = 0;
	enum pt_status st;

	*out = NULL;
	if (!buf || len == 0)
		return pt_fail(err, PT_INVALID, _("empty input: no certificate"));
	if (!(in = calloc(1, sizeof(*in))))
		return pt_fail(err, PT_NOMEM, NULL);
	if (voms_find(buf, len, "-----BEGIN ")) {
		if (voms_pem_certs(buf, len, &certs, &clen, &in->nkeys, &in->nother) != PT_OK) {
			free(in);
			return pt_fail(err, PT_NOMEM, NULL);
		}
		if (clen == 0) {
			free(certs);
			st = in->nkeys
			             ? pt_fail(err, PT_INVALID,
			                       _("no certificate: only a private key (not shown)"))
			             : pt_fail(err, PT_INVALID,
			                       _("no certificate among the PEM blocks"));
			free(in);
			return st;
		}
		st = x509_certs_parse(certs, clen, &in->certs, err);
		free(certs);
	} else {
		st = x509_certs_parse(buf, len, &in->certs, err);
	}
	if (st != PT_OK) {
		free(in);
		return st;
	}
	if (!(in->info = calloc(in->certs->n, sizeof(*in->info)))) {
		voms_inspect_free(&in);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	for (size_t i = 0; i < in->certs->n; i++) {
		in->n++;
		st = voms_cert_facts(&in->certs->certs[i], &in->info[i]);
		if (st != PT_OK) {
			voms_inspect_free(&in);
			return st == PT_NOMEM ? pt_fail(err, PT_NOMEM, NULL)
			                      : pt_fail(err, st, _("certificate %zu is unreadable"),
			                                i + 1);
		}
		if (in->info[i].ac_error)
			in->nbad_acs++;
	}
	*out = in;
	return PT_OK;
}

/* voms-ac.c - VOMS attribute certificates decoded (see voms.h).
 *
 * The acseq extension of a proxy, taken apart by libtasn1 against
 * src/voms.asn: VO, issuing server, FQANs, validity, serial, targets.
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

/* ---- attribute certificates -------------------------------------------- */

static void
voms_ac_clear(struct voms_ac *ac)
{
	free(ac->vo);
	free(ac->server);
	free(ac->issuer);
	free(ac->holder_issuer);
	free(ac->holder_serial);
	free(ac->serial);
	free(ac->sig_algo);
	for (size_t i = 0; i < ac->nfqans; i++)
		voms_fqan_clear(&ac->fqans[i]);
	free(ac->fqans);
	voms_strv_free(ac->targets, ac->ntargets);
	voms_strv_free(ac->server_certs, ac->nserver_certs);
	free(ac->server_der);
	voms_strv_free(ac->attributes, ac->nattributes);
	voms_strv_free(ac->extensions, ac->nextensions);
	memset(ac, 0, sizeof(*ac));
}

void
voms_acs_free(struct voms_acs **acs)
{
	if (!acs || !*acs)
		return;
	for (size_t i = 0; i < (*acs)->n; i++)
		voms_ac_clear(&(*acs)->v[i]);
	free((*acs)->v);
	free(*acs);
	*acs = NULL;
}

/* One IetfAttrSyntax value of the FQAN attribute (DER in v). */
static enum pt_status
voms_ac_fqans(struct voms_ac *ac, const unsigned char *v, size_t len, struct pt_err *err)
{
	asn1_node n = NULL;
	enum pt_status st;
	char path[VOMS_PATH];
	char *uri;

	if ((st = voms_decode("IetfAttrSyntax", v, len, &n, err)) != PT_OK)
		return st;
	uri = voms_general_names(n, "policyAuthority");
	if (uri && strncmp(uri, "URI:", 4) == 0 && !ac->vo) {
		/* "vo://host:port" */
		char *sep = strstr(uri + 4, "://");
		if (sep) {
			ac->vo = strndup(uri + 4, (size_t)(sep - uri - 4));
			ac->server = strdup(sep + 3);
		} else {
			ac->server = strdup(uri + 4);
		}
	}
	free(uri);
	for (int i = 1;; i++) {
		char choice[32];
		unsigned char *val;
		struct voms_fqan f, *nv;
		char *text;
		int l = sizeof(choice);

		snprintf(path, sizeof(path), "values.?%d", i);
		if (asn1_read_value(n, path, choice, &l) == ASN1_ELEMENT_NOT_FOUND)
			break;
		if (ac->nfqans >= VOMS_MAX_ITEMS) {
			st = pt_fail(err, PT_INVALID, _("more than %d FQANs"), VOMS_MAX_ITEMS);
			goto out;
		}
		choice[sizeof(choice) - 1] = '\0';
		snprintf(path, sizeof(path), "values.?%d.%s", i, choice);
		if (voms_read(n, path, &val, &l) != ASN1_SUCCESS) {
			st = pt_fail(err, PT_INVALID, _("FQAN %d is unreadable"), i);
			goto out;
		}
		text = voms_text(val, (size_t)l);
		free(val);
		if (!text) {
			st = pt_fail(err, PT_NOMEM, NULL);
			goto out;
		}
		st = voms_fqan_parse(text, &f, err);
		free(text);
		if (st != PT_OK)
			goto out;
		if (!(nv = realloc(ac->fqans, (ac->nfqans + 1) * sizeof(*nv)))) {
			voms_fqan_clear(&f);
			st = pt_fail(err, PT_NOMEM, NULL);
			goto out;
		}
		ac->fqans = nv;
		ac->fqans[ac->nfqans++] = f;
	}
	st = PT_OK;
out:
	asn1_delete_structure(&n);
	return st;
}

static enum pt_status
voms_ac_targets(struct voms_ac *ac, const unsigned char *v, size_t len, struct pt_err *err)
{
	asn1_node n = NULL;
	enum pt_status st;
	char path[VOMS_PATH];

	if ((st = voms_decode("Targets", v, len, &n, err)) != PT_OK)
		return st;
	for (int i = 1;; i++) {
		char choice[32];
		int l = sizeof(choice);
		char *s;

		snprintf(path, sizeof(path), "?%d", i);
		if (asn1_read_value(n, path, choice, &l) != ASN1_SUCCESS)
			break;
		choice[sizeof(choice) - 1] = '\0';
		if (strcmp(choice, "targetCert") == 0) {
			snprintf(path, sizeof(path), "?%d.targetCert.targetCertificate.issuer", i);
			s = voms_general_names(n, path);
		} else {
			snprintf(path, sizeof(path), "?%d.%s", i, choice);
			s = voms_general_name(n, path);
		}
		if (s && !voms_push(&ac->targets, &ac->ntargets, s)) {
			st = pt_fail(err, PT_NOMEM, NULL);
			break;
		}
	}
	asn1_delete_structure(&n);
	return st;
}

static enum pt_status
voms_ac_certs(struct voms_ac *ac, const unsigned char *v, size_t len, struct pt_err *err)
{
	asn1_node n = NULL;
	enum pt_status st;

	if ((st = voms_decode("ACCerts", v, len, &n, err)) != PT_OK)
		return st;
	for (int i = 1; st == PT_OK; i++) {
		char path[32];
		unsigned char *der;
		gnutls_x509_crt_t crt;
		gnutls_datum_t d, raw;
		char *s = NULL;
		int l;

		snprintf(path, sizeof(path), "?%d", i);
		if (voms_read(n, path, &der, &l) != ASN1_SUCCESS)
			break;
		d.data = der;
		d.size = (unsigned)l;
		if (gnutls_x509_crt_init(&crt) >= 0) {
			if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) >= 0 &&
			    gnutls_x509_crt_get_raw_dn(crt, &raw) >= 0) {
				s = x509_dn_der_grid(raw.data, raw.size);
				gnutls_free(raw.data);
			}
			gnutls_x509_crt_deinit(crt);
		}
		if (s && !ac->server_der) {
			ac->server_der = der;
			ac->server_der_len = (size_t)l;
		} else {
			free(der);
		}
		if (!s)
			st = pt_fail(err, PT_INVALID,
			             _("server certificate %d is not a certificate"), i);
		else if (!voms_push(&ac->server_certs, &ac->nserver_certs, s))
			st = pt_fail(err, PT_NOMEM, NULL);
	}
	asn1_delete_structure(&n);
	return st;
}

static enum pt_status
voms_ac_generic(struct voms_ac *ac, const unsigned char *v, size_t len, struct pt_err *err)
{
	asn1_node n = NULL;
	enum pt_status st;

	if ((st = voms_decode("ACFullAttributes", v, len, &n, err)) != PT_OK)
		return st;
	for (int i = 1; st == PT_OK && i <= VOMS_MAX_ITEMS; i++) {
		char path[VOMS_PATH];
		int l = 0;

		snprintf(path, sizeof(path), "providers.?%d", i);
		if (asn1_read_value(n, path, NULL, &l) == ASN1_ELEMENT_NOT_FOUND)
			break;
		for (int j = 1; st == PT_OK && j <= VOMS_MAX_ITEMS; j++) {
			unsigned char *name = NULL, *val = NULL, *qual = NULL;
			int ln, lv, lq;
			char *tn, *tv, *tq, *s = NULL;

			snprintf(path, sizeof(path), "providers.?%d.attributes.?%d.name", i, j);
			if (voms_read(n, path, &name, &ln) != ASN1_SUCCESS)
				break;
			snprintf(path, sizeof(path), "providers.?%d.attributes.?%d.value", i, j);
			voms_read(n, path, &val, &lv);
			snprintf(path, sizeof(path), "providers.?%d.attributes.?%d.qualifier", i,
			         j);
			voms_read(n, path, &qual, &lq);
			tn = voms_text(name, (size_t)ln);
			tv = voms_text(val ? val : (const unsigned char *)"", val ? (size_t)lv : 0);
			tq = voms_text(qual ? qual : (const unsigned char *)"",
			               qual ? (size_t)lq : 0);
			if (tn && tv && tq &&
			    (s = malloc(strlen(tn) + strlen(tv) + strlen(tq) + 8)))
				sprintf(s, *tq ? "%s = %s [%s]" : "%s = %s", tn, tv, tq);
			free(name);
			free(val);
			free(qual);
			free(tn);
			free(tv);
			free(tq);
			if (!voms_push(&ac->attributes, &ac->nattributes, s))
				st = pt_fail(err, PT_NOMEM, NULL);
		}
	}
	asn1_delete_structure(&n);
	return st;
}

static const struct {
	const char *oid, *name;
} voms_ext_names[] = {
	{ "2.5.29.55", "targetInformation" },      { "2.5.29.56", "noRevAvail" },
	{ "2.5.29.35", "authorityKeyIdentifier" }, { VOMS_OID_CERTS, "vomsCertificates" },
	{ VOMS_OID_ATTRIBS, "vomsAttributes" },
};

/* List every extension of the AC and decode the ones VOMS servers write.
 * Those only add to what is shown: one that does not decode is listed
 * with the reason, and the AC (its FQANs) still stands. */
static enum pt_status
voms_ac_extensions(asn1_node n, const char *pfx, struct voms_ac *ac, struct pt_err *err)
{
	char path[VOMS_PATH];

	for (int i = 1; i <= VOMS_MAX_ITEMS; i++) {
		char oid[128], *label;
		const char *name = NULL;
		unsigned char *v;
		struct pt_err e = { 0 };
		size_t sz;
		int l = sizeof(oid);

		snprintf(path, sizeof(path), "%sacinfo.extensions.?%d.extnID", pfx, i);
		if (asn1_read_value(n, path, oid, &l) != ASN1_SUCCESS)
			break;
		oid[sizeof(oid) - 1] = '\0';
		for (size_t k = 0; k < sizeof(voms_ext_names) / sizeof(voms_ext_names[0]); k++)
			if (strcmp(oid, voms_ext_names[k].oid) == 0)
				name = voms_ext_names[k].name;
		snprintf(path, sizeof(path), "%sacinfo.extensions.?%d.extnValue", pfx, i);
		if (voms_read(n, path, &v, &l) != ASN1_SUCCESS)
			pt_fail(&e, PT_INVALID, _("no value"));
		else if (strcmp(oid, "2.5.29.55") == 0)
			voms_ac_targets(ac, v, (size_t)l, &e);
		else if (strcmp(oid, VOMS_OID_CERTS) == 0)
			voms_ac_certs(ac, v, (size_t)l, &e);
		else if (strcmp(oid, VOMS_OID_ATTRIBS) == 0)
			voms_ac_generic(ac, v, (size_t)l, &e);
		free(v);
		if (e.status == PT_NOMEM || e.status == PT_ERR)
			return pt_fail(err, e.status, "%s", e.detail);
		sz = strlen(oid) + (name ? strlen(name) : 0) + 4;
		if (e.status != PT_OK)
			sz += strlen(_("not decoded")) + strlen(e.detail) + 4;
		if ((label = malloc(sz))) {
			int k = snprintf(label, sz, name ? "%s (%s)" : "%s%s", name ? name : "",
			                 oid);

			if (e.status != PT_OK && k > 0)
				snprintf(label + k, sz - (size_t)k, ": %s: %s", _("not decoded"),
				         e.detail);
		}
		if (!voms_push(&ac->extensions, &ac->nextensions, label))
			return pt_fail(err, PT_NOMEM, NULL);
	}
	return PT_OK;
}

/* Check the signature over the DER of the AC's acinfo with the server
 * certificate the AC carries (ac->server_der). */
static void
voms_ac_verify(asn1_node n, const unsigned char *der, size_t len, const char *pfx,
               struct voms_ac *ac)
{
	char path[VOMS_PATH], oid[128];
	unsigned char *bits = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t cd = { ac->server_der, (unsigned)ac->server_der_len }, data, sig;
	gnutls_sign_algorithm_t algo;
	int start, end, l = sizeof(oid), nbits;

	ac->sig = VOMS_SIG_UNCHECKED;
	if (!ac->server_der)
		return;
	ac->sig = VOMS_SIG_BAD;
	snprintf(path, sizeof(path), "%sacinfo", pfx);
	if (asn1_der_decoding_startEnd(n, der, (int)len, path, &start, &end) != ASN1_SUCCESS ||
	    start < 0 || end < start || (size_t)end >= len)
		return;
	snprintf(path, sizeof(path), "%ssignatureAlgorithm.algorithm", pfx);
	if (asn1_read_value(n, path, oid, &l) != ASN1_SUCCESS)
		return;
	oid[sizeof(oid) - 1] = '\0';
	algo = gnutls_oid_to_sign(oid);
	snprintf(path, sizeof(path), "%ssignatureValue", pfx);
	/* a BIT STRING's length comes back in bits */
	if (voms_read(n, path, &bits, &nbits) != ASN1_SUCCESS || nbits % 8 != 0)
		goto out;
	data.data = (unsigned char *)der + start;
	data.size = (unsigned)(end - start + 1);
	sig.data = bits;
	sig.size = (unsigned)nbits / 8;
	if (algo != GNUTLS_SIGN_UNKNOWN && gnutls_x509_crt_init(&crt) >= 0 &&
	    gnutls_x509_crt_import(crt, &cd, GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_pubkey_init(&pub) >= 0 && gnutls_pubkey_import_x509(pub, crt, 0) >= 0 &&
	    gnutls_pubkey_verify_data2(pub, algo, GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1, &data,
	                               &sig) >= 0)
		ac->sig = VOMS_SIG_OK;
out:
	free(bits);
	if (pub)
		gnutls_pubkey_deinit(pub);
	if (crt)
		gnutls_x509_crt_deinit(crt);
}

/* Fill ac from the AttributeCertificate at prefix pfx ("" or "?N."). */
static enum pt_status
voms_ac_fill(asn1_node n, const unsigned char *der, size_t len, const char *pfx, struct voms_ac *ac,
             struct pt_err *err)
{
	char path[VOMS_PATH], choice[16], oid[128];
	unsigned char *v;
	enum pt_status st;
	int l;

	/* The issuer: the VOMS server's DN (v2Form, as RFC 3281 requires). */
	snprintf(path, sizeof(path), "%sacinfo.issuer", pfx);
	l = sizeof(choice);
	if (asn1_read_value(n, path, choice, &l) != ASN1_SUCCESS)
		return pt_fail(err, PT_INVALID, _("the AC has no issuer"));
	choice[sizeof(choice) - 1] = '\0';
	snprintf(path, sizeof(path),
	         strcmp(choice, "v2Form") == 0 ? "%sacinfo.issuer.v2Form.issuerName"
	                                       : "%sacinfo.issuer.v1Form",
	         pfx);
	ac->issuer = voms_general_names(n, path);
	/* The holder: the certificate (issuer + serial) the AC was given to. */
	snprintf(path, sizeof(path), "%sacinfo.holder.baseCertificateID.issuer", pfx);
	ac->holder_issuer = voms_general_names(n, path);
	snprintf(path, sizeof(path), "%sacinfo.holder.baseCertificateID.serial", pfx);
	ac->holder_serial = voms_serial(n, path);
	snprintf(path, sizeof(path), "%sacinfo.serialNumber", pfx);
	if (!(ac->serial = voms_serial(n, path)))
		return pt_fail(err, PT_INVALID, _("the AC has no serial number"));
	snprintf(path, sizeof(path), "%ssignatureAlgorithm.algorithm", pfx);
	l = sizeof(oid);
	if (asn1_read_value(n, path, oid, &l) == ASN1_SUCCESS) {
		const char *name;

		oid[sizeof(oid) - 1] = '\0';
		name = gnutls_sign_get_name(gnutls_oid_to_sign(oid));
		ac->sig_algo = strdup(name ? name : oid);
	}
	/* Validity. */
	snprintf(path, sizeof(path), "%sacinfo.attrCertValidityPeriod.notBeforeTime", pfx);
	if (voms_read(n, path, &v, &l) != ASN1_SUCCESS || !voms_gtime((char *)v, &ac->not_before)) {
		free(v);
		return pt_fail(err, PT_INVALID, _("the AC's notBefore time is unreadable"));
	}
	free(v);
	snprintf(path, sizeof(path), "%sacinfo.attrCertValidityPeriod.notAfterTime", pfx);
	if (voms_read(n, path, &v, &l) != ASN1_SUCCESS || !voms_gtime((char *)v, &ac->not_after)) {
		free(v);
		return pt_fail(err, PT_INVALID, _("the AC's notAfter time is unreadable"));
	}
	free(v);
	/* The attributes: the FQANs are what a site authorises on. */
	for (int i = 1; i <= VOMS_MAX_ITEMS; i++) {
		snprintf(path, sizeof(path), "%sacinfo.attributes.?%d.type", pfx, i);
		l = sizeof(oid);
		if (asn1_read_value(n, path, oid, &l) != ASN1_SUCCESS)
			break;
		oid[sizeof(oid) - 1] = '\0';
		if (strcmp(oid, VOMS_OID_FQANS) != 0)
			continue;
		for (int j = 1; j <= VOMS_MAX_ITEMS; j++) {
			snprintf(path, sizeof(path), "%sacinfo.attributes.?%d.values.?%d", pfx, i,
			         j);
			if (voms_read(n, path, &v, &l) != ASN1_SUCCESS)
				break;
			st = voms_ac_fqans(ac, v, (size_t)l, err);
			free(v);
			if (st != PT_OK)
				return st;
		}
	}
	if (!ac->nfqans)
		return pt_fail(err, PT_INVALID, _("the AC carries no FQAN attribute (%s)"),
		               VOMS_OID_FQANS);
	if ((st = voms_ac_extensions(n, pfx, ac, err)) != PT_OK)
		return st;
	voms_ac_verify(n, der, len, pfx, ac);
	return PT_OK;
}

enum pt_status
voms_acs_decode(const unsigned char *der, size_t len, struct voms_acs **out, struct pt_err *err)
{
	struct voms_acs *acs;
	asn1_node n = NULL;
	enum pt_status st;
	struct pt_err e1 = { 0 };
	bool single = false;
	size_t count = 0;

	*out = NULL;
	/* An ACSequence, or (seen in the wild with the early OID) one AC. */
	if (voms_decode("ACSequence", der, len, &n, &e1) != PT_OK) {
		if (e1.status == PT_NOMEM || e1.status == PT_ERR)
			return pt_fail(err, e1.status, "%s", e1.detail);
		if (voms_decode("AttributeCertificate", der, len, &n, NULL) != PT_OK)
			return pt_fail(err, PT_INVALID,
			               _("not an attribute certificate sequence: %s"), e1.detail);
		single = true;
		count = 1;
	} else {
		for (count = 0; count < VOMS_MAX_ITEMS; count++) {
			char path[32], ver[8];
			int l = sizeof(ver);
			snprintf(path, sizeof(path), "?%zu.acinfo.version", count + 1);
			if (asn1_read_value(n, path, ver, &l) == ASN1_ELEMENT_NOT_FOUND)
				break;
		}
	}
	if (count == 0) {
		asn1_delete_structure(&n);
		return pt_fail(err, PT_INVALID, _("the attribute certificate sequence is empty"));
	}
	if (!(acs = calloc(1, sizeof(*acs))) || !(acs->v = calloc(count, sizeof(*acs->v)))) {
		free(acs);
		asn1_delete_structure(&n);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	for (size_t i = 0; i < count; i++) {
		char pfx[32] = "";

		if (!single)
			snprintf(pfx, sizeof(pfx), "?%zu.", i + 1);
		acs->n++;
		if ((st = voms_ac_fill(n, der, len, pfx, &acs->v[i], err)) != PT_OK) {
			if (count > 1 && st == PT_INVALID) {
				char d[sizeof(err->detail)];
				snprintf(d, sizeof(d), "%s", err ? err->detail : "");
				pt_fail(err, st, _("attribute certificate %zu: %s"), i + 1, d);
			}
			voms_acs_free(&acs);
			asn1_delete_structure(&n);
			return st;
		}
	}
	asn1_delete_structure(&n);
	*out = acs;
	return PT_OK;
}

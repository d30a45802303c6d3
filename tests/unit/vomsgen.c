/* vomsgen.c - see vomsgen.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

#include "vomsgen.h"

extern const asn1_static_node voms_asn1_tab[];

#define ECDSA_SHA256 "1.2.840.10045.4.3.2"
#define DAY 86400L

#define G(expr) \
	do { \
		int r_ = (expr); \
		if (r_ < 0) { \
			fprintf(stderr, "vomsgen:%d: %s: %s\n", __LINE__, #expr, \
			        gnutls_strerror(r_)); \
			goto fail; \
		} \
	} while (0)
#define A(expr) \
	do { \
		int r_ = (expr); \
		if (r_ != ASN1_SUCCESS) { \
			fprintf(stderr, "vomsgen:%d: %s: %s\n", __LINE__, #expr, \
			        asn1_strerror(r_)); \
			goto fail; \
		} \
	} while (0)

struct vg_party {
	gnutls_x509_privkey_t key;
	gnutls_privkey_t pkey;
	gnutls_x509_crt_t crt;
};

static void
vg_party_free(struct vg_party *p)
{
	if (p->pkey)
		gnutls_privkey_deinit(p->pkey);
	if (p->key)
		gnutls_x509_privkey_deinit(p->key);
	if (p->crt)
		gnutls_x509_crt_deinit(p->crt);
	memset(p, 0, sizeof(*p));
}

/* A certificate for dn (RFC 4514) with an EC P-256 key, signed by issuer
 * (NULL: self-signed). */
static int
vg_party(struct vg_party *p, const char *dn, const struct vg_party *issuer, bool ca,
         unsigned serial)
{
	unsigned char sn[4] = { (unsigned char)(serial >> 24), (unsigned char)(serial >> 16),
		                (unsigned char)(serial >> 8), (unsigned char)serial };
	time_t now = time(NULL);

	G(gnutls_x509_privkey_init(&p->key));
	G(gnutls_x509_privkey_generate(p->key, GNUTLS_PK_ECDSA,
	                               GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
	G(gnutls_privkey_init(&p->pkey));
	G(gnutls_privkey_import_x509(p->pkey, p->key, 0));
	G(gnutls_x509_crt_init(&p->crt));
	G(gnutls_x509_crt_set_version(p->crt, 3));
	G(gnutls_x509_crt_set_dn(p->crt, dn, NULL));
	G(gnutls_x509_crt_set_key(p->crt, p->key));
	G(gnutls_x509_crt_set_serial(p->crt, sn, sizeof(sn)));
	G(gnutls_x509_crt_set_activation_time(p->crt, now - DAY));
	G(gnutls_x509_crt_set_expiration_time(p->crt, now + 365 * DAY));
	G(gnutls_x509_crt_set_basic_constraints(p->crt, ca, -1));
	G(gnutls_x509_crt_set_key_usage(p->crt, ca ? GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN
	                                           : GNUTLS_KEY_DIGITAL_SIGNATURE |
	                                                        GNUTLS_KEY_KEY_ENCIPHERMENT));
	if (!ca)
		G(gnutls_x509_crt_set_key_purpose_oid(p->crt, GNUTLS_KP_TLS_WWW_CLIENT, 0));
	G(gnutls_x509_crt_sign2(p->crt, issuer ? issuer->crt : p->crt,
	                        issuer ? issuer->key : p->key, GNUTLS_DIG_SHA256, 0));
	return 0;
fail:
	return -1;
}

static void
vg_gtime(time_t t, char *buf, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y%m%d%H%M%SZ", &tm);
}

/* The IetfAttrSyntax value of the FQAN attribute, DER. */
static int
vg_fqans(asn1_node defs, const char *const *fqans, size_t n, unsigned char *der, int *len)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	const char *uri = VG_VO "://" VG_SERVER;
	asn1_node a = NULL;

	A(asn1_create_element(defs, "PASSTORE-VOMS.IetfAttrSyntax", &a));
	A(asn1_write_value(a, "policyAuthority", "NEW", 1));
	A(asn1_write_value(a, "policyAuthority.?LAST", "uniformResourceIdentifier", 1));
	A(asn1_write_value(a, "policyAuthority.?LAST.uniformResourceIdentifier", uri,
	                   (int)strlen(uri)));
	for (size_t i = 0; i < n; i++) {
		A(asn1_write_value(a, "values", "NEW", 1));
		A(asn1_write_value(a, "values.?LAST", "octets", 1));
		A(asn1_write_value(a, "values.?LAST.octets", fqans[i], (int)strlen(fqans[i])));
	}
	A(asn1_der_coding(a, "", der, len, msg));
	asn1_delete_structure(&a);
	return 0;
fail:
	asn1_delete_structure(&a);
	return -1;
}

/* Write one extension (extnID, value DER) at the end of ?1.acinfo.extensions. */
static int
vg_ac_ext(asn1_node ac, const char *oid, const unsigned char *v, int len)
{
	A(asn1_write_value(ac, "?1.acinfo.extensions", "NEW", 1));
	A(asn1_write_value(ac, "?1.acinfo.extensions.?LAST.extnID", oid, 1));
	A(asn1_write_value(ac, "?1.acinfo.extensions.?LAST.critical", "FALSE", 1));
	A(asn1_write_value(ac, "?1.acinfo.extensions.?LAST.extnValue", v, len));
	return 0;
fail:
	return -1;
}

/* DER-code x, release it, and add it as extension oid of the AC. */
static int
vg_ac_ext_of(asn1_node ac, asn1_node *x, const char *oid)
{
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	unsigned char buf[4096];
	int len = sizeof(buf), rc = -1;

	A(asn1_der_coding(*x, "", buf, &len, msg));
	rc = vg_ac_ext(ac, oid, buf, len);
fail:
	asn1_delete_structure(x);
	return rc;
}

/* A GeneralNames at path holding one directoryName (DER of a Name). */
static int
vg_dirname(asn1_node n, const char *path, const gnutls_datum_t *dn)
{
	char p[200];

	A(asn1_write_value(n, path, "NEW", 1));
	snprintf(p, sizeof(p), "%s.?LAST", path);
	A(asn1_write_value(n, p, "directoryName", 1));
	snprintf(p, sizeof(p), "%s.?LAST.directoryName", path);
	A(asn1_write_value(n, p, dn->data, (int)dn->size));
	return 0;
fail:
	return -1;
}

/* The ACSequence (one AC) for the user, signed by the VOMS server. */
static int
vg_acseq(const struct vg_opts *o, const struct vg_party *user, const struct vg_party *voms,
         unsigned char **out, size_t *outlen)
{
	static const char *const deflt[] = { VG_FQAN1, VG_FQAN2 };
	static const unsigned char acserial[] = { 0x0b, 0xad, 0xc0, 0xde };
	char msg[ASN1_MAX_ERROR_DESCRIPTION_SIZE], t1[32], t2[32];
	unsigned char buf[8192], usn[64];
	size_t usnlen = sizeof(usn);
	int len;
	asn1_node defs = NULL, ac = NULL, x = NULL;
	gnutls_datum_t dn = { NULL, 0 }, sig = { NULL, 0 }, tbs, vcert = { NULL, 0 };
	time_t now = time(NULL);
	int rc = -1;

	A(asn1_array2tree(voms_asn1_tab, &defs, msg));
	A(asn1_create_element(defs, "PASSTORE-VOMS.ACSequence", &ac));
	A(asn1_write_value(ac, "", "NEW", 1));
	A(asn1_write_value(ac, "?1.acinfo.version", "1", 0));
	/* holder: the user certificate, by issuer and serial */
	G(gnutls_x509_crt_get_raw_issuer_dn(user->crt, &dn));
	if (vg_dirname(ac, "?1.acinfo.holder.baseCertificateID.issuer", &dn) != 0)
		goto fail;
	gnutls_free(dn.data);
	dn.data = NULL;
	G(gnutls_x509_crt_get_serial(user->crt, usn, &usnlen));
	A(asn1_write_value(ac, "?1.acinfo.holder.baseCertificateID.serial", usn, (int)usnlen));
	A(asn1_write_value(ac, "?1.acinfo.holder.baseCertificateID.issuerUID", NULL, 0));
	A(asn1_write_value(ac, "?1.acinfo.holder.entityName", NULL, 0));
	A(asn1_write_value(ac, "?1.acinfo.holder.objectDigestInfo", NULL, 0));
	/* issuer: the VOMS server */
	A(asn1_write_value(ac, "?1.acinfo.issuer", "v2Form", 1));
	G(gnutls_x509_crt_get_raw_dn(voms->crt, &dn));
	if (vg_dirname(ac, "?1.acinfo.issuer.v2Form.issuerName", &dn) != 0)
		goto fail;
	A(asn1_write_value(ac, "?1.acinfo.issuer.v2Form.baseCertificateID", NULL, 0));
	A(asn1_write_value(ac, "?1.acinfo.issuer.v2Form.objectDigestInfo", NULL, 0));
	A(asn1_write_value(ac, "?1.acinfo.signature.algorithm", ECDSA_SHA256, 1));
	A(asn1_write_value(ac, "?1.acinfo.signature.parameters", NULL, 0));
	A(asn1_write_value(ac, "?1.acinfo.serialNumber", acserial, sizeof(acserial)));
	vg_gtime(o->ac_not_before ? o->ac_not_before : now - 3600, t1, sizeof(t1));
	vg_gtime(o->ac_not_after ? o->ac_not_after : now + 11 * 3600, t2, sizeof(t2));
	A(asn1_write_value(ac, "?1.acinfo.attrCertValidityPeriod.notBeforeTime", t1,
	                   (int)strlen(t1)));
	A(asn1_write_value(ac, "?1.acinfo.attrCertValidityPeriod.notAfterTime", t2,
	                   (int)strlen(t2)));
	/* the FQAN attribute */
	len = sizeof(buf);
	if (vg_fqans(defs, o->fqans ? o->fqans : deflt, o->fqans ? o->nfqans : 2, buf, &len) != 0)
		goto fail;
	A(asn1_write_value(ac, "?1.acinfo.attributes", "NEW", 1));
	A(asn1_write_value(ac, "?1.acinfo.attributes.?LAST.type", "1.3.6.1.4.1.8005.100.100.4", 1));
	A(asn1_write_value(ac, "?1.acinfo.attributes.?LAST.values", "NEW", 1));
	A(asn1_write_value(ac, "?1.acinfo.attributes.?LAST.values.?LAST", buf, len));
	A(asn1_write_value(ac, "?1.acinfo.issuerUniqueID", NULL, 0));
	/* extensions: targeting, no revocation, the server's certificate,
	 * one generic attribute */
	A(asn1_create_element(defs, "PASSTORE-VOMS.Targets", &x));
	A(asn1_write_value(x, "", "NEW", 1));
	A(asn1_write_value(x, "?LAST", "targetName", 1));
	A(asn1_write_value(x, "?LAST.targetName", "uniformResourceIdentifier", 1));
	A(asn1_write_value(x, "?LAST.targetName.uniformResourceIdentifier", "ce.example.org", 14));
	if (o->bad_targets)
		asn1_delete_structure(&x);
	if ((o->bad_targets ? vg_ac_ext(ac, "2.5.29.55", (const unsigned char *)"\x30\x05\x80", 3)
	                    : vg_ac_ext_of(ac, &x, "2.5.29.55")) != 0 ||
	    vg_ac_ext(ac, "2.5.29.56", (const unsigned char *)"\x05\x00", 2) != 0)
		goto fail;
	G(gnutls_x509_crt_export2(voms->crt, GNUTLS_X509_FMT_DER, &vcert));
	A(asn1_create_element(defs, "PASSTORE-VOMS.ACCerts", &x));
	A(asn1_write_value(x, "", "NEW", 1));
	A(asn1_write_value(x, "?LAST", vcert.data, (int)vcert.size));
	if (vg_ac_ext_of(ac, &x, "1.3.6.1.4.1.8005.100.100.10") != 0)
		goto fail;
	A(asn1_create_element(defs, "PASSTORE-VOMS.ACFullAttributes", &x));
	A(asn1_write_value(x, "providers", "NEW", 1));
	if (vg_dirname(x, "providers.?LAST.grantor", &dn) != 0)
		goto fail;
	A(asn1_write_value(x, "providers.?LAST.attributes", "NEW", 1));
	A(asn1_write_value(x, "providers.?LAST.attributes.?LAST.name", "nickname", 8));
	A(asn1_write_value(x, "providers.?LAST.attributes.?LAST.value", "mrossi", 6));
	A(asn1_write_value(x, "providers.?LAST.attributes.?LAST.qualifier", "/cms", 4));
	if (vg_ac_ext_of(ac, &x, "1.3.6.1.4.1.8005.100.100.11") != 0)
		goto fail;
	/* sign the AttributeCertificateInfo with the VOMS key */
	len = sizeof(buf);
	A(asn1_der_coding(ac, "?1.acinfo", buf, &len, msg));
	tbs.data = buf;
	tbs.size = (unsigned)len;
	G(gnutls_privkey_sign_data(o->wrong_signer ? user->pkey : voms->pkey, GNUTLS_DIG_SHA256, 0,
	                           &tbs, &sig));
	A(asn1_write_value(ac, "?1.signatureAlgorithm.algorithm", ECDSA_SHA256, 1));
	A(asn1_write_value(ac, "?1.signatureAlgorithm.parameters", NULL, 0));
	A(asn1_write_value(ac, "?1.signatureValue", sig.data, (int)sig.size * 8));
	len = 0;
	asn1_der_coding(ac, "", NULL, &len, msg);
	if (!(*out = malloc((size_t)len)))
		goto fail;
	A(asn1_der_coding(ac, "", *out, &len, msg));
	*outlen = (size_t)len;
	rc = 0;
fail:
	if (rc != 0)
		fprintf(stderr, "vomsgen: %s\n", msg);
	gnutls_free(dn.data);
	gnutls_free(sig.data);
	gnutls_free(vcert.data);
	asn1_delete_structure(&x);
	asn1_delete_structure(&ac);
	asn1_delete_structure(&defs);
	return rc;
}

static int
vg_append(char **acc, const void *data, size_t size)
{
	size_t old = *acc ? strlen(*acc) : 0;
	char *n = realloc(*acc, old + size + 1);

	if (!n)
		return -1;
	memcpy(n + old, data, size);
	n[old + size] = '\0';
	*acc = n;
	return 0;
}

/* Append a GnuTLS export and release it. */
static int
vg_append_pem(char **acc, gnutls_datum_t *d)
{
	int rc = vg_append(acc, d->data, d->size);

	gnutls_free(d->data);
	d->data = NULL;
	return rc;
}

int
vg_make(const struct vg_opts *o, struct vg_out *out)
{
	struct vg_party ca = { 0 }, user = { 0 }, voms = { 0 }, proxy = { 0 };
	gnutls_datum_t d = { NULL, 0 };
	unsigned char sn[64];
	size_t snlen = sizeof(sn);
	time_t now = time(NULL);
	const unsigned char psn[] = { 0x12, 0x34, 0x56 };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (vg_party(&ca, "CN=Test Grid CA,O=Test Grid,C=IT", NULL, true, 1) != 0 ||
	    vg_party(&user, "CN=Mario Rossi,O=Test Grid,C=IT", &ca, false, 0x1001) != 0 ||
	    vg_party(&voms, "CN=voms.example.org,O=Test Grid,C=IT", &ca, false, 0x2002) != 0)
		goto fail;
	G(gnutls_x509_crt_get_serial(user.crt, sn, &snlen));
	for (size_t i = 0; i < snlen && i < 31; i++)
		sprintf(out->user_serial + 2 * i, "%02X", sn[i]);
	if (vg_acseq(o, &user, &voms, &out->acseq, &out->acseq_len) != 0)
		goto fail;
	/* the proxy: RFC 3820, inheritAll, signed by the user's key */
	G(gnutls_x509_privkey_init(&proxy.key));
	G(gnutls_x509_privkey_generate(proxy.key, GNUTLS_PK_ECDSA,
	                               GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
	G(gnutls_x509_crt_init(&proxy.crt));
	G(gnutls_x509_crt_set_version(proxy.crt, 3));
	G(gnutls_x509_crt_set_proxy_dn(proxy.crt, user.crt, 0, "1193046", 7));
	G(gnutls_x509_crt_set_key(proxy.crt, proxy.key));
	G(gnutls_x509_crt_set_serial(proxy.crt, psn, sizeof(psn)));
	G(gnutls_x509_crt_set_activation_time(proxy.crt, now - 300));
	G(gnutls_x509_crt_set_expiration_time(proxy.crt, now + 12 * 3600));
	G(gnutls_x509_crt_set_key_usage(proxy.crt, GNUTLS_KEY_DIGITAL_SIGNATURE));
	G(gnutls_x509_crt_set_proxy(proxy.crt, -1, "1.3.6.1.5.5.7.21.1", NULL, 0));
	G(gnutls_x509_crt_set_extension_by_oid(proxy.crt,
	                                       o->old_oid ? "1.3.6.1.4.1.8005.100.100.1"
	                                                  : "1.3.6.1.4.1.8005.100.100.5",
	                                       out->acseq,
	                                       o->garble ? out->acseq_len / 2 : out->acseq_len, 0));
	G(gnutls_x509_crt_sign2(proxy.crt, user.crt, user.key, GNUTLS_DIG_SHA256, 0));
	G(gnutls_x509_crt_export2(proxy.crt, GNUTLS_X509_FMT_PEM, &d));
	if (vg_append_pem(&out->proxy_pem, &d) != 0)
		goto fail;
	G(gnutls_x509_privkey_export2(proxy.key, GNUTLS_X509_FMT_PEM, &d));
	if (vg_append_pem(&out->key_pem, &d) != 0 ||
	    vg_append(&out->proxy_pem, out->key_pem, strlen(out->key_pem)) != 0)
		goto fail;
	G(gnutls_x509_crt_export2(user.crt, GNUTLS_X509_FMT_PEM, &d));
	if (vg_append_pem(&out->proxy_pem, &d) != 0)
		goto fail;
	rc = 0;
fail:
	gnutls_free(d.data);
	vg_party_free(&ca);
	vg_party_free(&user);
	vg_party_free(&voms);
	vg_party_free(&proxy);
	if (rc != 0)
		vg_out_free(out);
	return rc;
}

void
vg_out_free(struct vg_out *out)
{
	free(out->proxy_pem);
	free(out->key_pem);
	free(out->acseq);
	memset(out, 0, sizeof(*out));
}

/* x509-csr.c - subject templates in Grid order and PKCS#10 requests
 * (see x509.h).
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

/* ---- subject templates ------------------------------------------------- */

static const struct {
	const char *name;
	const char *oid;
	unsigned maxlen; /* upper bound from RFC 5280 / 4519, in characters */
	bool ascii;      /* PrintableString or IA5String: ASCII only */
} x509_attrs[] = {
	{ "C", GNUTLS_OID_X520_COUNTRY_NAME, 2, true },
	{ "ST", GNUTLS_OID_X520_STATE_OR_PROVINCE_NAME, 128, false },
	{ "L", GNUTLS_OID_X520_LOCALITY_NAME, 128, false },
	{ "O", GNUTLS_OID_X520_ORGANIZATION_NAME, 64, false },
	{ "OU", GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, 64, false },
	{ "CN", GNUTLS_OID_X520_COMMON_NAME, 64, false },
	{ "DC", GNUTLS_OID_LDAP_DC, 63, true },
	{ "UID", GNUTLS_OID_LDAP_UID, 256, false },
	{ "serialNumber", "2.5.4.5", 64, true },
	{ "emailAddress", GNUTLS_OID_PKCS9_EMAIL, 255, true },
};
#define X509_ATTRS_LIST "C, ST, L, O, OU, CN, DC, UID, serialNumber, emailAddress"
#define X509_NATTRS (sizeof(x509_attrs) / sizeof(x509_attrs[0]))

static int
x509_attr_by_name(const char *name)
{
	for (size_t i = 0; i < X509_NATTRS; i++)
		if (strcasecmp(name, x509_attrs[i].name) == 0)
			return (int)i;
	return -1;
}

const char *
x509_attr_name_by_oid(const char *oid)
{
	for (size_t i = 0; i < X509_NATTRS; i++)
		if (strcmp(oid, x509_attrs[i].oid) == 0)
			return x509_attrs[i].name;
	return NULL;
}

void
x509_subject_free(struct x509_subject **sp)
{
	struct x509_subject *s;

	if (!sp || !*sp)
		return;
	s = *sp;
	for (size_t i = 0; i < s->n; i++)
		free(s->rdn[i].value);
	free(s->rdn);
	free(s);
	*sp = NULL;
}

static size_t
x509_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Check one finished attribute and append it to the subject. */
static enum pt_status
x509_subject_add(struct x509_subject *s, const char *name, struct x509_sbuf *val, size_t pos,
                 struct pt_err *err)
{
	struct x509_rdn *r;
	int a;

	if (!*name)
		return pt_fail(err, PT_INVALID, _("subject template: attribute %zu has no name"),
		               pos);
	a = x509_attr_by_name(name);
	if (a < 0)
		return pt_fail(err, PT_INVALID,
		               _("subject template: unknown attribute \"%s\" (known: %s)"), name,
		               X509_ATTRS_LIST);
	if (val->oom)
		return pt_fail(err, PT_NOMEM, NULL);
	if (!val->p || !*val->p)
		return pt_fail(err, PT_INVALID, _("subject template: %s has an empty value"),
		               x509_attrs[a].name);
	for (const unsigned char *c = (const unsigned char *)val->p; *c; c++) {
		if (*c < 0x20 || *c == 0x7f)
			return pt_fail(err, PT_INVALID,
			               _("subject template: %s contains a control character"),
			               x509_attrs[a].name);
		if (x509_attrs[a].ascii && *c >= 0x80)
			return pt_fail(err, PT_INVALID,
			               _("subject template: %s must be plain ASCII"),
			               x509_attrs[a].name);
	}
	if (x509_utf8_len(val->p) > x509_attrs[a].maxlen) {
		if (a == 0)
			return pt_fail(
				err, PT_INVALID,
				_("subject template: C must be a two-letter country code, not \"%s\""),
				val->p);
		return pt_fail(err, PT_INVALID,
		               _("subject template: %s \"%s\" is longer than %u characters"),
		               x509_attrs[a].name, val->p, x509_attrs[a].maxlen);
	}
	r = realloc(s->rdn, (s->n + 1) * sizeof(*s->rdn));
	if (!r)
		return pt_fail(err, PT_NOMEM, NULL);
	s->rdn = r;
	r[s->n].name = x509_attrs[a].name;
	r[s->n].oid = x509_attrs[a].oid;
	r[s->n].value = val->p;
	s->n++;
	val->p = NULL;
	val->len = val->cap = 0;
	return PT_OK;
}

/* Parse one "name=value" starting at *pp, up to an unescaped ',' or the
 * end; *pp is left after the separator. */
static enum pt_status
x509_subject_entry(const char **pp, const char *fqdn, struct x509_subject *s, size_t pos, bool *sep,
                   struct pt_err *err)
{
	const char *p = *pp;
	struct x509_sbuf val = { 0 };
	char name[32];
	size_t nlen = 0, keep;
	enum pt_status st;

	while (*p == ' ')
		p++;
	while (*p && *p != '=' && *p != ',') {
		if (nlen + 1 >= sizeof(name)) {
			name[nlen] = '\0';
			return pt_fail(err, PT_INVALID,
			               _("subject template: unknown attribute \"%s\" (known: %s)"),
			               name, X509_ATTRS_LIST);
		}
		name[nlen++] = *p++;
	}
	while (nlen && name[nlen - 1] == ' ')
		nlen--;
	name[nlen] = '\0';
	if (*p != '=') {
		if (!nlen && (!*p || *p == ','))
			return pt_fail(err, PT_INVALID,
			               _("subject template: attribute %zu is empty"), pos);
		return pt_fail(err, PT_INVALID, _("subject template: attribute %zu has no \"=\""),
		               pos);
	}
	p++;
	while (*p == ' ')
		p++;
	/* keep: length up to the last character that is not a trailing plain
	 * space, so "CN=a\, " keeps nothing after the comma but the space is
	 * dropped, while escaped and expanded text is always kept. */
	keep = 0;
	while (*p && *p != ',') {
		if (*p == '\\') {
			if (p[1] != ',' && p[1] != '\\') {
				free(val.p);
				if (!p[1])
					return pt_fail(
						err, PT_INVALID,
						_("subject template: \"\\\" at the end of the template"));
				return pt_fail(
					err, PT_INVALID,
					_("subject template: unknown escape \"\\%c\" (use \\, or \\\\)"),
					p[1]);
			}
			x509_sbuf_add(&val, p + 1, 1);
			p += 2;
			keep = val.len;
		} else if (*p == '%') {
			if (p[1] == '%') {
				x509_sbuf_add(&val, "%", 1);
			} else if (p[1] == 'h') {
				if (!fqdn || !*fqdn) {
					free(val.p);
					return pt_fail(
						err, PT_INVALID,
						_("subject template: %%h is used but no host name was given"));
				}
				x509_sbuf_str(&val, fqdn);
			} else {
				free(val.p);
				if (!p[1])
					return pt_fail(
						err, PT_INVALID,
						_("subject template: \"%%\" at the end of the template"));
				return pt_fail(
					err, PT_INVALID,
					_("subject template: unknown placeholder \"%%%c\" (use %%h or %%%%)"),
					p[1]);
			}
			p += 2;
			keep = val.len;
		} else {
			x509_sbuf_add(&val, p, 1);
			if (*p != ' ')
				keep = val.len;
			p++;
		}
	}
	if (val.p && !val.oom) {
		val.p[keep] = '\0';
		val.len = keep;
	}
	st = x509_subject_add(s, name, &val, pos, err);
	free(val.p);
	if (st != PT_OK)
		return st;
	*sep = *p == ',';
	*pp = *sep ? p + 1 : p;
	return PT_OK;
}

enum pt_status
x509_subject_parse(const char *tmpl, const char *fqdn, struct x509_subject **out,
                   struct pt_err *err)
{
	struct x509_subject *s;
	const char *p = tmpl;
	enum pt_status st;
	size_t pos = 1;

	*out = NULL;
	if (!tmpl || !*tmpl)
		return pt_fail(err, PT_INVALID, _("empty subject template"));
	s = calloc(1, sizeof(*s));
	if (!s)
		return pt_fail(err, PT_NOMEM, NULL);
	for (;;) {
		bool sep = false;

		st = x509_subject_entry(&p, fqdn, s, pos++, &sep, err);
		if (st != PT_OK) {
			x509_subject_free(&s);
			return st;
		}
		/* A trailing ',' is an empty last attribute: a typo worth
		 * reporting, so only stop when no separator was consumed. */
		if (!*p && !sep)
			break;
	}
	*out = s;
	return PT_OK;
}

char *
x509_subject_grid(const struct x509_subject *s)
{
	struct x509_sbuf sb = { 0 };

	for (size_t i = 0; i < s->n; i++) {
		x509_sbuf_add(&sb, "/", 1);
		x509_sbuf_str(&sb, s->rdn[i].name);
		x509_sbuf_add(&sb, "=", 1);
		x509_sbuf_str(&sb, s->rdn[i].value);
	}
	return x509_sbuf_take(&sb);
}

/* ---- certificate requests ---------------------------------------------- */

/* Host names as a CA will accept them in a dNSName: letters, digits,
 * hyphens and dots, a leading "*." wildcard allowed. */
static bool
x509_dns_name_ok(const char *n)
{
	size_t len = strlen(n), label = 0;

	if (len == 0 || len > 253)
		return false;
	if (n[0] == '*' && n[1] == '.')
		n += 2;
	if (*n == '.' || *n == '-')
		return false;
	for (const char *c = n; *c; c++) {
		if (*c == '.') {
			if (label == 0 || c[-1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-'))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

static enum pt_status
x509_crq_add_san(gnutls_x509_crq_t crq, const char *name, struct pt_err *err)
{
	int ret;

	if (!x509_dns_name_ok(name))
		return pt_fail(err, PT_INVALID, _("\"%s\" is not a valid DNS name"), name);
	ret = gnutls_x509_crq_set_subject_alt_name(crq, GNUTLS_SAN_DNSNAME, name,
	                                           (unsigned)strlen(name), GNUTLS_FSAN_APPEND);
	if (ret < 0)
		return pt_fail(err, PT_CRYPTO, _("cannot build the certificate request: %s"),
		               gnutls_strerror(ret));
	return PT_OK;
}

enum pt_status
x509_csr_create(const char *key_pem, const char *tmpl, const char *fqdn, const char *const *sans,
                size_t nsans, char **csr_pem_out, struct pt_err *err)
{
	struct x509_subject *subj = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_privkey_t signer = NULL;
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	enum pt_status st;
	int ret;

	*csr_pem_out = NULL;
	if (!fqdn || !x509_dns_name_ok(fqdn) || fqdn[0] == '*')
		return pt_fail(err, PT_INVALID, _("\"%s\" is not a valid host name"),
		               fqdn ? fqdn : "");
	/* The template is checked before any key work, so a typo costs nothing. */
	st = x509_subject_parse(tmpl, fqdn, &subj, err);
	if (st != PT_OK)
		return st;
	st = x509_key_import(key_pem, &key, err);
	if (st != PT_OK)
		goto out;

	st = PT_CRYPTO;
	if ((ret = gnutls_x509_crq_init(&crq)) < 0 ||
	    (ret = gnutls_x509_crq_set_version(crq, 1)) < 0)
		goto gnutls_fail;
	/* One call per attribute, in template order: set_dn_by_oid appends,
	 * whereas gnutls_x509_crq_set_dn would read RFC 4514 (reversed). */
	for (size_t i = 0; i < subj->n; i++) {
		ret = gnutls_x509_crq_set_dn_by_oid(crq, subj->rdn[i].oid, 0, subj->rdn[i].value,
		                                    (unsigned)strlen(subj->rdn[i].value));
		if (ret < 0) {
			st = pt_fail(err, PT_INVALID, _("cannot set %s=%s in the request: %s"),
			             subj->rdn[i].name, subj->rdn[i].value, gnutls_strerror(ret));
			goto out;
		}
	}
	if ((st = x509_crq_add_san(crq, fqdn, err)) != PT_OK)
		goto out;
	for (size_t i = 0; i < nsans; i++) {
		bool dup = strcasecmp(sans[i], fqdn) == 0;

		for (size_t j = 0; j < i && !dup; j++)
			dup = strcasecmp(sans[i], sans[j]) == 0;
		if (!dup && (st = x509_crq_add_san(crq, sans[i], err)) != PT_OK)
			goto out;
	}
	st = PT_CRYPTO;
	if ((ret = gnutls_x509_crq_set_key(crq, key)) < 0 ||
	    (ret = gnutls_privkey_init(&signer)) < 0 ||
	    (ret = gnutls_privkey_import_x509(signer, key, 0)) < 0 ||
	    (ret = gnutls_x509_crq_privkey_sign(crq, signer, GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (ret = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_PEM, &pem)) < 0)
		goto gnutls_fail;
	*csr_pem_out = strndup((const char *)pem.data, pem.size);
	st = *csr_pem_out ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
	goto out;

gnutls_fail:
	st = pt_fail(err, PT_CRYPTO, _("cannot build the certificate request: %s"),
	             gnutls_strerror(ret));
out:
	gnutls_free(pem.data);
	if (crq)
		gnutls_x509_crq_deinit(crq);
	if (signer)
		gnutls_privkey_deinit(signer);
	if (key)
		gnutls_x509_privkey_deinit(key);
	x509_subject_free(&subj);
	return st;
}

enum pt_status
x509_csr_key_id(const char *csr_pem, unsigned char id[X509_ID_LEN], struct pt_err *err)
{
	gnutls_x509_crq_t crq;
	gnutls_datum_t d;
	size_t sz = X509_ID_LEN;
	enum pt_status st = PT_OK;
	int ret;

	if (!csr_pem)
		return pt_fail(err, PT_INVALID, _("no certificate request given"));
	ret = gnutls_x509_crq_init(&crq);
	if (ret < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	d.data = (unsigned char *)csr_pem;
	d.size = (unsigned)strlen(csr_pem);
	ret = gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_PEM);
	if (ret < 0) {
		st = pt_fail(err, PT_INVALID, _("not a certificate request (%s)"),
		             gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_x509_crq_get_key_id(crq, GNUTLS_KEYID_USE_SHA256, id, &sz);
	if (ret < 0 || sz != X509_ID_LEN)
		st = pt_fail(err, PT_CRYPTO, _("cannot compute the key id: %s"),
		             gnutls_strerror(ret < 0 ? ret : GNUTLS_E_INTERNAL_ERROR));
out:
	gnutls_x509_crq_deinit(crq);
	return st;
}

enum pt_status
x509_der_key_id(const void *der, size_t len, char hex[X509_ID_HEX_LEN], struct pt_err *err)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	gnutls_x509_crt_t crt;
	unsigned char id[X509_ID_LEN];
	size_t sz = sizeof(id);
	enum pt_status st = PT_OK;
	int ret;

	if ((ret = gnutls_x509_crt_init(&crt)) < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	if (!der || (ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER)) < 0)
		st = pt_fail(err, PT_INVALID,
		             _("not a certificate: the DER data is not an X.509 certificate (%s)"),
		             gnutls_strerror(der ? ret : GNUTLS_E_ASN1_DER_ERROR));
	else if ((ret = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, id, &sz)) < 0 ||
	         sz != X509_ID_LEN)
		st = pt_fail(err, PT_CRYPTO, _("cannot compute the key id: %s"),
		             gnutls_strerror(ret < 0 ? ret : GNUTLS_E_INTERNAL_ERROR));
	else
		x509_hex(id, X509_ID_LEN, hex, true);
	gnutls_x509_crt_deinit(crt);
	return st;
}

/* ---- a request decoded for the eye ------------------------------------- */

void
x509_csr_facts_clear(struct x509_csr_facts *f)
{
	free(f->subject);
	free(f->subject_grid);
	for (size_t i = 0; i < f->nsans; i++)
		free(f->sans[i]);
	free(f->sans);
	memset(f, 0, sizeof(*f));
}

/* RFC 4514 ("CN=h,O=x,C=IT", last RDN first) to the Grid form
 * ("/C=IT/O=x/CN=h"): the RDNs split at the commas that are not escaped,
 * in reverse. */
static char *
x509_rfc4514_grid(const char *dn)
{
	struct x509_sbuf sb = { 0 };
	size_t n = strlen(dn), end = n;

	if (n == 0)
		return strdup("");
	for (size_t i = n; i-- > 0;) {
		size_t bs = 0;

		if (dn[i] != ',')
			continue;
		while (bs < i && dn[i - 1 - bs] == '\\')
			bs++;
		if (bs % 2)
			continue; /* an escaped comma is part of a value */
		x509_sbuf_str(&sb, "/");
		x509_sbuf_add(&sb, dn + i + 1, end - i - 1);
		end = i;
	}
	x509_sbuf_str(&sb, "/");
	x509_sbuf_add(&sb, dn, end);
	return x509_sbuf_take(&sb);
}

/* At most this many names of a request are shown. */
#define X509_CSR_SANS_MAX 1024

static enum pt_status
x509_csr_sans(gnutls_x509_crq_t crq, struct x509_csr_facts *f)
{
	for (unsigned i = 0; i < X509_CSR_SANS_MAX; i++) {
		char buf[1024], text[1100], ip[INET6_ADDRSTRLEN];
		size_t sz = sizeof(buf) - 1;
		unsigned crit = 0;
		char **v;
		int type = gnutls_x509_crq_get_subject_alt_name(crq, i, buf, &sz, NULL, &crit);

		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return PT_OK;
		if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;
		if (type < 0)
			return PT_INVALID;
		buf[sz] = '\0';
		switch (type) {
		case GNUTLS_SAN_DNSNAME: snprintf(text, sizeof(text), "DNS:%s", buf); break;
		case GNUTLS_SAN_RFC822NAME: snprintf(text, sizeof(text), "email:%s", buf); break;
		case GNUTLS_SAN_URI: snprintf(text, sizeof(text), "URI:%s", buf); break;
		case GNUTLS_SAN_IPADDRESS:
			if (!inet_ntop(sz == 4 ? AF_INET : AF_INET6, buf, ip, sizeof(ip)))
				snprintf(ip, sizeof(ip), "?");
			snprintf(text, sizeof(text), "IP:%s", ip);
			break;
		default: continue;
		}
		if (!(v = realloc(f->sans, (f->nsans + 1) * sizeof(*v))))
			return PT_NOMEM;
		f->sans = v;
		if (!(v[f->nsans] = strdup(text)))
			return PT_NOMEM;
		f->nsans++;
	}
	return PT_OK;
}

enum pt_status
x509_csr_facts(const char *csr_pem, struct x509_csr_facts *f, struct pt_err *err)
{
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t d, dn = { NULL, 0 };
	enum pt_status st = PT_OK;
	unsigned bits = 0;
	int ret, algo;

	memset(f, 0, sizeof(*f));
	if (!csr_pem || strlen(csr_pem) > X509_CSR_MAX)
		return pt_fail(err, PT_INVALID,
		               _("not a certificate request (empty or too large)"));
	if ((ret = gnutls_x509_crq_init(&crq)) < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	d.data = (unsigned char *)csr_pem;
	d.size = (unsigned)strlen(csr_pem);
	if ((ret = gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		st = pt_fail(err, PT_INVALID, _("not a certificate request (%s)"),
		             gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_x509_crq_get_dn3(crq, &dn, 0)) < 0 &&
	    ret != GNUTLS_E_ASN1_ELEMENT_NOT_FOUND) {
		st = pt_fail(err, PT_INVALID, _("cannot read the request's subject: %s"),
		             gnutls_strerror(ret));
		goto out;
	}
	f->subject = strndup(dn.data ? (const char *)dn.data : "", dn.size);
	f->subject_grid = f->subject ? x509_rfc4514_grid(f->subject) : NULL;
	if (!f->subject_grid || (st = x509_csr_sans(crq, f)) == PT_NOMEM) {
		st = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	if (st != PT_OK) {
		st = pt_fail(err, PT_INVALID, _("cannot read the request's names"));
		goto out;
	}
	algo = gnutls_x509_crq_get_pk_algorithm(crq, &bits);
	f->key_bits = bits;
	snprintf(f->key_algo, sizeof(f->key_algo), "%s",
	         algo == GNUTLS_PK_RSA     ? "RSA"
	         : algo == GNUTLS_PK_ECDSA ? "EC"
	         : algo < 0                ? "?"
	                    : gnutls_pk_algorithm_get_name((gnutls_pk_algorithm_t)algo));
	f->key_known =
		algo >= 0 && x509_keytype_of((gnutls_pk_algorithm_t)algo, bits, &f->key_type);
	f->sig_ok = gnutls_x509_crq_verify(crq, 0) >= 0;
out:
	gnutls_free(dn.data);
	gnutls_x509_crq_deinit(crq);
	if (st != PT_OK)
		x509_csr_facts_clear(f);
	return st;
}

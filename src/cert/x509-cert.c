/* x509-cert.c - certificates parsed into plain facts: DN text, names,
 * public key, fingerprints; PEM/DER lists; key/certificate matching
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

/* ---- certificate facts ------------------------------------------------- */

/* The input buffers are not NUL-terminated, and memmem() is a GNU
 * extension the build may not enable. */
const unsigned char *
x509_mem_find(const unsigned char *hay, size_t hlen, const char *needle)
{
	size_t nlen = strlen(needle);

	if (nlen == 0 || hlen < nlen)
		return NULL;
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (hay[i] == (unsigned char)needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return hay + i;
	return NULL;
}

static void
x509_cert_clear(struct x509_cert *c)
{
	free(c->subject);
	free(c->subject_grid);
	free(c->issuer);
	free(c->issuer_grid);
	for (size_t i = 0; i < c->nsans; i++)
		free(c->sans[i]);
	free(c->sans);
	free(c->der);
	memset(c, 0, sizeof(*c));
}

void
x509_cert_list_free_items(struct x509_cert_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		x509_cert_clear(&l->certs[i]);
	free(l->certs);
	l->certs = NULL;
	l->n = 0;
}

void
x509_cert_list_free(struct x509_cert_list **lp)
{
	if (!lp || !*lp)
		return;
	x509_cert_list_free_items(*lp);
	free(*lp);
	*lp = NULL;
}

/* ---- DN text ---------------------------------------------------------- */

/* DN values are outside input: every string type must come out as valid
 * UTF-8 (the JSON outputs and the store need it), and no byte may be lost
 * without a trace.  Character sets with a fixed width (BMPString UCS-2,
 * UniversalString UCS-4) are decoded; every other type is taken as UTF-8
 * (ASCII is), and a byte that does not fit becomes "\xNN" as OpenSSL's
 * one-line form shows it: TeletexString names no reliable charset. */
#define X509_TAG_UNIVERSAL 28
#define X509_TAG_BMP 30

/* Length of the well-formed UTF-8 sequence at p (no overlongs, no
 * surrogates, at most U+10FFFF) with its code point in *cp; 0 if none. */
static size_t
x509_utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		len = 2, c = p[0] & 0x1F, min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		len = 3, c = p[0] & 0x0F, min = 0x800;
	} else if ((p[0] & 0xF8) == 0xF0) {
		len = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* One character; a control character becomes '?' so a hostile DN cannot
 * drive the terminal. */
static void
x509_dn_char(struct x509_sbuf *sb, uint32_t cp)
{
	char u[4];

	if (cp < 0x20 || cp == 0x7f) {
		x509_sbuf_add(sb, "?", 1);
	} else if (cp < 0x80) {
		u[0] = (char)cp;
		x509_sbuf_add(sb, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		x509_sbuf_add(sb, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		x509_sbuf_add(sb, u, 3);
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		x509_sbuf_add(sb, u, 4);
	}
}

/* Bytes that are not text, each as "\xNN" (or RFC 4514's "\NN"). */
static void
x509_dn_bytes(struct x509_sbuf *sb, const unsigned char *b, size_t n, bool rfc4514)
{
	static const char digits[] = "0123456789ABCDEF";
	char e[4] = { '\\', 'x' };
	size_t k = rfc4514 ? 1 : 2;

	for (size_t i = 0; i < n; i++) {
		e[k] = digits[b[i] >> 4];
		e[k + 1] = digits[b[i] & 15];
		x509_sbuf_add(sb, e, k + 2);
	}
}

/* UCS-2 (BMPString) or UCS-4 (UniversalString), big-endian; UTF-16
 * surrogate pairs in a BMPString are taken as such, as they are in
 * practice.  A unit that is no character is shown as its bytes. */
static void
x509_dn_ucs(struct x509_sbuf *sb, const unsigned char *v, size_t n, size_t w)
{
	size_t i = 0;

	while (i + w <= n) {
		uint32_t c = 0, lo = 0;

		for (size_t j = 0; j < w; j++)
			c = c << 8 | v[i + j];
		if (w == 2 && c >= 0xD800 && c <= 0xDBFF && i + 4 <= n &&
		    (lo = (uint32_t)v[i + 2] << 8 | v[i + 3]) >= 0xDC00 && lo <= 0xDFFF) {
			x509_dn_char(sb, 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00));
			i += 4;
			continue;
		}
		if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			x509_dn_bytes(sb, v + i, w, false);
		else
			x509_dn_char(sb, c);
		i += w;
	}
	x509_dn_bytes(sb, v + i, n - i, false); /* a cut-off last unit */
}

/* The value of one AVA as UTF-8 text, whatever its string type. */
static void
x509_dn_value(struct x509_sbuf *sb, unsigned long tag, const unsigned char *v, size_t n)
{
	uint32_t cp;

	if (tag == X509_TAG_BMP || tag == X509_TAG_UNIVERSAL) {
		x509_dn_ucs(sb, v, n, tag == X509_TAG_BMP ? 2 : 4);
		return;
	}
	for (size_t i = 0; i < n;) {
		size_t len = x509_utf8_seq(v + i, n - i, &cp);

		if (len) {
			x509_dn_char(sb, cp);
			i += len;
		} else {
			x509_dn_bytes(sb, v + i, 1, false);
			i++;
		}
	}
}

/* Grid form of a DN in certificate order, multi-valued RDNs joined with
 * '+' as OpenSSL's compat output does; values as x509_dn_value gives
 * them. */
static char *
x509_dn_grid(gnutls_x509_dn_t dn)
{
	struct x509_sbuf sb = { 0 };
	gnutls_x509_ava_st ava;
	char oid[128];

	for (int irdn = 0;; irdn++) {
		int iava;

		for (iava = 0;; iava++) {
			const char *name;
			int ret = gnutls_x509_dn_get_rdn_ava(dn, irdn, iava, &ava);

			if (ret == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND)
				break;
			if (ret < 0) {
				free(sb.p);
				return NULL;
			}
			snprintf(oid, sizeof(oid), "%.*s", (int)ava.oid.size,
			         (const char *)ava.oid.data);
			name = x509_attr_name_by_oid(oid);
			if (!name)
				name = gnutls_x509_dn_oid_name(oid, GNUTLS_X509_DN_OID_RETURN_OID);
			x509_sbuf_add(&sb, iava ? "+" : "/", 1);
			x509_sbuf_str(&sb, name);
			x509_sbuf_add(&sb, "=", 1);
			x509_dn_value(&sb, ava.value_tag, ava.value.data, ava.value.size);
		}
		if (iava == 0)
			break;
	}
	return x509_sbuf_take(&sb);
}

/* GnuTLS's RFC 4514 string with every byte that is not UTF-8 turned into
 * RFC 4514's "\XX" (GnuTLS copies UTF8String bytes as they are); frees
 * d's data. */
static char *
x509_dn_rfc4514(gnutls_datum_t *d)
{
	struct x509_sbuf sb = { 0 };
	uint32_t cp;

	for (size_t i = 0; i < d->size;) {
		size_t len = x509_utf8_seq(d->data + i, d->size - i, &cp);

		if (len) {
			x509_sbuf_add(&sb, (const char *)d->data + i, len);
			i += len;
		} else {
			x509_dn_bytes(&sb, d->data + i, 1, true);
			i++;
		}
	}
	gnutls_free(d->data);
	d->data = NULL;
	return x509_sbuf_take(&sb);
}

char *
x509_dn_der_grid(const unsigned char *der, size_t len)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	gnutls_x509_dn_t dn;
	char *s = NULL;

	if (gnutls_x509_dn_init(&dn) < 0)
		return NULL;
	if (gnutls_x509_dn_import(dn, &d) >= 0)
		s = x509_dn_grid(dn);
	gnutls_x509_dn_deinit(dn);
	return s;
}

static enum pt_status
x509_cert_sans(gnutls_x509_crt_t crt, struct x509_cert *c)
{
	for (unsigned i = 0;; i++) {
		char buf[1024], text[1100], ip[INET6_ADDRSTRLEN];
		size_t sz = sizeof(buf) - 1;
		char **v;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &sz, NULL);

		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return PT_OK;
		if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue; /* absurdly long: not one a person needs to read */
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
		v = realloc(c->sans, (c->nsans + 1) * sizeof(*v));
		if (!v)
			return PT_NOMEM;
		c->sans = v;
		if (!(v[c->nsans] = strdup(text)))
			return PT_NOMEM;
		c->nsans++;
	}
}

static enum pt_status
x509_cert_key(gnutls_x509_crt_t crt, struct x509_cert *c)
{
	gnutls_pubkey_t pub;
	size_t sz = X509_ID_LEN;
	enum pt_status st = PT_INVALID;
	unsigned bits = 0;
	int algo;

	if (gnutls_pubkey_init(&pub) < 0)
		return PT_NOMEM;
	if (gnutls_pubkey_import_x509(pub, crt, 0) < 0 ||
	    gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, c->key_id, &sz) < 0 ||
	    sz != X509_ID_LEN)
		goto out;
	x509_hex(c->key_id, X509_ID_LEN, c->key_id_hex, true);
	algo = gnutls_pubkey_get_pk_algorithm(pub, &bits);
	if (algo < 0)
		goto out;
	c->key_bits = bits;
	snprintf(c->key_algo, sizeof(c->key_algo), "%s",
	         algo == GNUTLS_PK_RSA ? "RSA"
	         : algo == GNUTLS_PK_ECDSA
	                 ? "EC"
	                 : gnutls_pk_algorithm_get_name((gnutls_pk_algorithm_t)algo));
	c->key_known = x509_keytype_of((gnutls_pk_algorithm_t)algo, bits, &c->key_type);
	st = PT_OK;
out:
	gnutls_pubkey_deinit(pub);
	return st;
}

/* Fill c from a parsed certificate, imported from der (which GnuTLS
 * reads as strict DER: the bytes are the certificate's own encoding, so
 * they are kept and hashed as they are, not encoded again); the detail
 * names certificate idx. */
static enum pt_status
x509_cert_facts(gnutls_x509_crt_t crt, const unsigned char *der, size_t der_len,
                struct x509_cert *c, size_t idx, struct pt_err *err)
{
	gnutls_x509_dn_t dn;
	gnutls_datum_t d = { NULL, 0 };
	unsigned char serial[64], *sp = serial;
	size_t sz = sizeof(serial);
	unsigned ca = 0;
	enum pt_status st;

	memset(c, 0, sizeof(*c));
	if (gnutls_x509_crt_get_dn3(crt, &d, 0) < 0 || !(c->subject = x509_dn_rfc4514(&d)) ||
	    gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) < 0 || !(c->issuer = x509_dn_rfc4514(&d)) ||
	    gnutls_x509_crt_get_subject(crt, &dn) < 0 || !(c->subject_grid = x509_dn_grid(dn)) ||
	    gnutls_x509_crt_get_issuer(crt, &dn) < 0 || !(c->issuer_grid = x509_dn_grid(dn)))
		goto bad;
	if (gnutls_x509_crt_get_serial(crt, serial, &sz) < 0 || sz == 0)
		goto bad;
	/* Drop DER's sign-padding zeros, as OpenSSL prints serials. */
	while (sz > 1 && *sp == 0) {
		sp++;
		sz--;
	}
	if (sz > (sizeof(c->serial) - 1) / 2)
		sz = (sizeof(c->serial) - 1) / 2;
	x509_hex(sp, sz, c->serial, false);
	c->not_before = gnutls_x509_crt_get_activation_time(crt);
	c->not_after = gnutls_x509_crt_get_expiration_time(crt);
	if (c->not_before == (time_t)-1 || c->not_after == (time_t)-1)
		goto bad;
	if ((st = x509_cert_sans(crt, c)) != PT_OK || (st = x509_cert_key(crt, c)) != PT_OK) {
		x509_cert_clear(c);
		if (st == PT_NOMEM)
			return pt_fail(err, PT_NOMEM, NULL);
		return pt_fail(err, PT_INVALID,
		               _("certificate %zu: unreadable public key or names"), idx);
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der, der_len, c->sha256) < 0)
		goto bad;
	x509_hex(c->sha256, X509_ID_LEN, c->sha256_hex, true);
	c->is_ca = gnutls_x509_crt_get_basic_constraints(crt, NULL, &ca, NULL) >= 0 && ca;
	c->self_signed = gnutls_x509_crt_check_issuer(crt, crt) != 0;
	c->der = malloc(der_len);
	if (!c->der) {
		x509_cert_clear(c);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	memcpy(c->der, der, der_len);
	c->der_len = der_len;
	return PT_OK;
bad:
	gnutls_free(d.data);
	x509_cert_clear(c);
	return pt_fail(err, PT_INVALID, _("certificate %zu: unreadable fields"), idx);
}

/* ---- the memo of CA certificates ------------------------------------- */

#define X509_MEMO_SLOTS 4096 /* a power of two; at most half of them used */

struct x509_memo {
	struct x509_cert *slot[X509_MEMO_SLOTS];
	size_t used;
};

/* The memo of the parse under way (set by x509_memo_use around one
 * x509_delivery_parse): PEM, PKCS#7 and PKCS#12 reach x509_list_add_der
 * by several roads, and this spares threading it through each. */
static _Thread_local struct x509_memo *x509_active_memo;

struct x509_memo *
x509_memo_new(void)
{
	return calloc(1, sizeof(struct x509_memo));
}

void
x509_memo_free(struct x509_memo **mp)
{
	if (!mp || !*mp)
		return;
	for (size_t i = 0; i < X509_MEMO_SLOTS; i++)
		if ((*mp)->slot[i]) {
			x509_cert_clear((*mp)->slot[i]);
			free((*mp)->slot[i]);
		}
	free(*mp);
	*mp = NULL;
}

struct x509_memo *
x509_memo_use(struct x509_memo *m)
{
	struct x509_memo *old = x509_active_memo;

	x509_active_memo = m;
	return old;
}

static char *
x509_strdup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* A deep copy of src into dst (zeroed on failure). */
static bool
x509_cert_copy(struct x509_cert *dst, const struct x509_cert *src)
{
	*dst = *src;
	dst->subject = x509_strdup0(src->subject);
	dst->subject_grid = x509_strdup0(src->subject_grid);
	dst->issuer = x509_strdup0(src->issuer);
	dst->issuer_grid = x509_strdup0(src->issuer_grid);
	dst->sans = src->nsans ? calloc(src->nsans, sizeof(*dst->sans)) : NULL;
	dst->der = malloc(src->der_len);
	if (!dst->subject || !dst->subject_grid || !dst->issuer || !dst->issuer_grid ||
	    (src->nsans && !dst->sans) || !dst->der) {
		dst->nsans = 0;
		x509_cert_clear(dst);
		return false;
	}
	memcpy(dst->der, src->der, src->der_len);
	for (size_t i = 0; i < src->nsans; i++)
		if (!(dst->sans[i] = strdup(src->sans[i]))) {
			dst->nsans = i;
			x509_cert_clear(dst);
			return false;
		}
	return true;
}

/* The slot of a fingerprint: its own, or the empty one it would take. */
static size_t
x509_memo_slot(const struct x509_memo *m, const unsigned char sha[X509_ID_LEN])
{
	size_t h;

	memcpy(&h, sha, sizeof(h));
	for (h &= X509_MEMO_SLOTS - 1;; h = (h + 1) & (X509_MEMO_SLOTS - 1))
		if (!m->slot[h] || memcmp(m->slot[h]->sha256, sha, X509_ID_LEN) == 0)
			return h;
}

/* Remember a CA certificate (leaves are read once: not worth keeping). */
static void
x509_memo_put(struct x509_memo *m, const struct x509_cert *c)
{
	size_t h;

	if (!m || !c->is_ca || m->used >= X509_MEMO_SLOTS / 2)
		return;
	h = x509_memo_slot(m, c->sha256);
	if (m->slot[h] || !(m->slot[h] = malloc(sizeof(*m->slot[h]))))
		return;
	if (!x509_cert_copy(m->slot[h], c)) {
		free(m->slot[h]);
		m->slot[h] = NULL;
		return;
	}
	m->used++;
}

/* Import one DER certificate and append its facts to l. */
enum pt_status
x509_list_add_der(struct x509_cert_list *l, const unsigned char *der, size_t len, size_t idx,
                  bool from_pem, struct pt_err *err)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	struct x509_cert *v;
	enum pt_status st;
	int ret;

	if (l->n >= X509_CERTS_MAX)
		return pt_fail(err, PT_INVALID, _("more than %d certificates in one file"),
		               X509_CERTS_MAX);
	/* room doubles at each power of two: a batch of thousands is not
	 * copied over once per certificate */
	if ((l->n & (l->n - 1)) == 0) {
		v = realloc(l->certs, (l->n ? 2 * l->n : 1) * sizeof(*v));
		if (!v)
			return pt_fail(err, PT_NOMEM, NULL);
		l->certs = v;
	}
	if (x509_active_memo) {
		unsigned char sha[X509_ID_LEN];
		size_t h;

		if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der, len, sha) >= 0 &&
		    x509_active_memo->slot[h = x509_memo_slot(x509_active_memo, sha)]) {
			if (!x509_cert_copy(&l->certs[l->n], x509_active_memo->slot[h]))
				return pt_fail(err, PT_NOMEM, NULL);
			l->n++;
			return PT_OK;
		}
	}
	if ((ret = gnutls_x509_crt_init(&crt)) < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
	if (ret < 0) {
		if (from_pem)
			st = pt_fail(err, PT_INVALID, _("PEM block %zu: not a certificate (%s)"),
			             idx, gnutls_strerror(ret));
		else
			st = pt_fail(
				err, PT_INVALID,
				_("not a certificate: the DER data is not an X.509 certificate (%s)"),
				gnutls_strerror(ret));
		goto out;
	}
	st = x509_cert_facts(crt, der, len, &l->certs[l->n], idx, err);
	if (st == PT_OK)
		x509_memo_put(x509_active_memo, &l->certs[l->n++]);
out:
	gnutls_x509_crt_deinit(crt);
	return st;
}

/* Walk the PEM blocks of buf; every block must be a complete certificate. */
static enum pt_status
x509_parse_pem(const unsigned char *buf, size_t len, struct x509_cert_list *l,
               enum x509_format *fmt, struct pt_err *err)
{
	const unsigned char *p = buf, *end = buf + len;
	size_t idx = 0;

	for (;;) {
		const unsigned char *b, *lab, *le, *e, *next;
		char label[64], marker[96];
		gnutls_datum_t blk, der = { NULL, 0 };
		enum pt_status st;
		bool pkcs7;
		int ret;

		b = x509_mem_find(p, (size_t)(end - p), "-----BEGIN ");
		if (!b)
			break;
		idx++;
		lab = b + 11;
		le = x509_mem_find(lab, (size_t)(end - lab), "-----");
		if (!le || (size_t)(le - lab) >= sizeof(label) ||
		    memchr(lab, '\n', (size_t)(le - lab)))
			return pt_fail(err, PT_INVALID,
			               _("truncated PEM block %zu: incomplete BEGIN line"), idx);
		memcpy(label, lab, (size_t)(le - lab));
		label[le - lab] = '\0';
		snprintf(marker, sizeof(marker), "-----END %s-----", label);
		e = x509_mem_find(le, (size_t)(end - le), marker);
		next = x509_mem_find(le, (size_t)(end - le), "-----BEGIN ");
		/* A BEGIN before our END means this block was cut short and
		 * another one follows: the END we found is not ours. */
		if (!e || (next && next < e))
			return pt_fail(err, PT_INVALID,
			               _("truncated PEM block %zu: no \"%s\" line"), idx, marker);
		pkcs7 = strcmp(label, "PKCS7") == 0 || strcmp(label, "CMS") == 0;
		if (!pkcs7 && strcmp(label, "CERTIFICATE") != 0 &&
		    strcmp(label, "X509 CERTIFICATE") != 0)
			return pt_fail(err, PT_INVALID,
			               _("PEM block %zu is a \"%s\", not a certificate"), idx,
			               label);
		e += strlen(marker);
		blk.data = (unsigned char *)b;
		blk.size = (unsigned)(e - b);
		ret = gnutls_pem_base64_decode2(label, &blk, &der);
		if (ret < 0)
			return pt_fail(err, PT_INVALID, _("PEM block %zu: damaged base64 (%s)"),
			               idx, gnutls_strerror(ret));
		if (pkcs7) {
			st = x509_pkcs7_add(l, der.data, der.size, l->n + 1, err);
			*fmt = X509_FORMAT_PKCS7;
		} else {
			st = x509_list_add_der(l, der.data, der.size, idx, true, err);
		}
		gnutls_free(der.data);
		if (st != PT_OK)
			return st;
		p = e;
	}
	return PT_OK;
}

/* DER: a certificate, else PKCS#7 (a .p7b/.p7c as CAs hand them out);
 * the certificate's error is the one told when neither fits. */
static enum pt_status
x509_parse_der(const unsigned char *buf, size_t len, struct x509_cert_list *l,
               enum x509_format *fmt, struct pt_err *err)
{
	enum pt_status st = x509_list_add_der(l, buf, len, 1, false, err);

	if (st != PT_INVALID)
		return st;
	if (x509_pkcs7_add(l, buf, len, 1, NULL) == PT_OK) {
		*fmt = X509_FORMAT_PKCS7;
		if (err)
			memset(err, 0, sizeof(*err));
		return PT_OK;
	}
	x509_cert_list_free_items(l);
	return st;
}

enum pt_status
x509_certs_parse(const unsigned char *buf, size_t len, struct x509_cert_list **out,
                 struct pt_err *err)
{
	return x509_certs_parse_as(buf, len, out, NULL, err);
}

enum pt_status
x509_certs_parse_as(const unsigned char *buf, size_t len, struct x509_cert_list **out,
                    enum x509_format *fmt_out, struct pt_err *err)
{
	enum x509_format fmt = X509_FORMAT_PEM;
	struct x509_cert_list *l;
	enum pt_status st;

	*out = NULL;
	if (!buf || len == 0)
		return pt_fail(err, PT_INVALID, _("empty input: no certificate"));
	if (len > UINT32_MAX)
		return pt_fail(err, PT_INVALID, _("input too large for a certificate"));
	l = calloc(1, sizeof(*l));
	if (!l)
		return pt_fail(err, PT_NOMEM, NULL);
	if (x509_mem_find(buf, len, "-----BEGIN")) {
		st = x509_parse_pem(buf, len, l, &fmt, err);
	} else if (buf[0] == 0x30) { /* a DER SEQUENCE */
		fmt = X509_FORMAT_DER;
		st = x509_parse_der(buf, len, l, &fmt, err);
	} else
		st = pt_fail(
			err, PT_INVALID,
			_("neither PEM nor DER data: no \"-----BEGIN\" line and no DER structure"));
	if (st == PT_OK && l->n == 0)
		st = pt_fail(err, PT_INVALID, _("truncated PEM block %zu: incomplete BEGIN line"),
		             (size_t)1);
	if (st != PT_OK) {
		x509_cert_list_free(&l);
		return st;
	}
	*out = l;
	if (fmt_out)
		*fmt_out = fmt;
	return PT_OK;
}

enum pt_status
x509_key_matches_cert(const char *key_pem, const struct x509_cert *cert, struct pt_err *err)
{
	unsigned char id[X509_ID_LEN];
	char hex[X509_ID_HEX_LEN];
	enum pt_status st;

	st = x509_key_id(key_pem, id, err);
	if (st != PT_OK)
		return st;
	if (memcmp(id, cert->key_id, X509_ID_LEN) == 0)
		return PT_OK;
	x509_hex(id, X509_ID_LEN, hex, true);
	return pt_fail(
		err, PT_MISMATCH,
		_("the private key does not match the certificate \"%s\" (key id %s, certificate key id %s)"),
		cert->subject_grid, hex, cert->key_id_hex);
}

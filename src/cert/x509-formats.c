/* x509-formats.c - what CAs deliver, read from its content (never its
 * name): PKCS#7 (PEM or DER) and PKCS#12 certificate lists, and private
 * keys in every form a host holds them, encrypted ones included (see
 * x509.h).  PEM and DER certificates themselves are read by x509-cert.c,
 * which hands PKCS#7 blocks here.
 *
 * Every count is bounded (X509_CERTS_MAX certificates per file) and every
 * walk is one pass: outside input never costs more than linear time.
 * Private keys and passwords stay in secmem memory.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "cert/private.h"
#include "cert/x509.h"

const char *
x509_format_name(enum x509_format f)
{
	switch (f) {
	case X509_FORMAT_PEM: return "PEM";
	case X509_FORMAT_DER: return "DER";
	case X509_FORMAT_PKCS7: return "PKCS#7";
	case X509_FORMAT_PKCS12: return "PKCS#12";
	}
	return "unknown";
}

/* A decrypted key as unencrypted PKCS#8 PEM ("PRIVATE KEY"), straight
 * into secmem.  Not PKCS#1/SEC1 here: GnuTLS drops the curve of an EC key
 * read from PKCS#8 when writing SEC1, and the result reads back as no
 * key at all. */
static enum pt_status
x509_key_export_plain(gnutls_x509_privkey_t key, char **pem_out, struct pt_err *err)
{
	size_t sz = 0;
	char *pem;
	int ret;

	ret = gnutls_x509_privkey_export_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
	                                       NULL, &sz);
	if (ret != GNUTLS_E_SHORT_MEMORY_BUFFER || sz == 0)
		return pt_fail(err, PT_CRYPTO, _("cannot export the private key: %s"),
		               gnutls_strerror(ret));
	if (!(pem = secmem_alloc(sz + 1)))
		return pt_fail(err, PT_NOMEM, NULL);
	ret = gnutls_x509_privkey_export_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
	                                       pem, &sz);
	if (ret < 0) {
		secmem_free(pem);
		return pt_fail(err, PT_CRYPTO, _("cannot export the private key: %s"),
		               gnutls_strerror(ret));
	}
	*pem_out = pem;
	return PT_OK;
}

/* ---- PKCS#7 ------------------------------------------------------------ */

enum pt_status
x509_pkcs7_add(struct x509_cert_list *l, const unsigned char *der, size_t len, size_t idx,
               struct pt_err *err)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	gnutls_pkcs7_t p7;
	enum pt_status st = PT_OK;
	int ret, n;

	if ((ret = gnutls_pkcs7_init(&p7)) < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	ret = gnutls_pkcs7_import(p7, &d, GNUTLS_X509_FMT_DER);
	if (ret < 0) {
		st = pt_fail(err, PT_INVALID, _("damaged PKCS#7 data (%s)"), gnutls_strerror(ret));
		goto out;
	}
	n = gnutls_pkcs7_get_crt_count(p7);
	if (n <= 0) {
		st = pt_fail(err, PT_INVALID, _("the PKCS#7 data holds no certificate"));
		goto out;
	}
	for (int i = 0; i < n && st == PT_OK; i++) {
		gnutls_datum_t c = { NULL, 0 };

		ret = gnutls_pkcs7_get_crt_raw2(p7, (unsigned)i, &c);
		if (ret < 0) {
			st = pt_fail(err, PT_INVALID, _("PKCS#7 certificate %d is unreadable (%s)"),
			             i + 1, gnutls_strerror(ret));
			break;
		}
		st = x509_list_add_der(l, c.data, c.size, idx + (size_t)i, false, err);
		gnutls_free(c.data);
	}
out:
	gnutls_pkcs7_deinit(p7);
	return st;
}

/* ---- PKCS#12 ----------------------------------------------------------- */

bool
x509_is_pkcs12(const unsigned char *buf, size_t len)
{
	gnutls_datum_t d = { (unsigned char *)buf, (unsigned)len };
	gnutls_pkcs12_t p12;
	bool yes;

	if (!buf || len < 2 || len > UINT32_MAX || buf[0] != 0x30 || gnutls_pkcs12_init(&p12) < 0)
		return false;
	yes = gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_DER, 0) >= 0;
	gnutls_pkcs12_deinit(p12);
	return yes;
}

/* A key bag: decrypted with the password, exported as PEM into secmem. */
static enum pt_status
x509_p12_key(gnutls_pkcs12_bag_type_t type, const gnutls_datum_t *data, const char *password,
             char **key_pem, struct pt_err *err)
{
	gnutls_x509_privkey_t key;
	enum pt_status st;
	int ret;

	if (*key_pem)
		return pt_fail(err, PT_INVALID,
		               _("the PKCS#12 file holds more than one private key"));
	if ((ret = gnutls_x509_privkey_init(&key)) < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	ret = gnutls_x509_privkey_import_pkcs8(key, data, GNUTLS_X509_FMT_DER, password,
	                                       type == GNUTLS_BAG_PKCS8_KEY ? GNUTLS_PKCS_PLAIN
	                                                                    : 0);
	if (ret < 0)
		st = pt_fail(err, PT_REFUSED,
		             _("the private key of the PKCS#12 file cannot be decrypted: wrong "
		               "password (%s)"),
		             gnutls_strerror(ret));
	else
		st = x509_key_export_plain(key, key_pem, err);
	gnutls_x509_privkey_deinit(key);
	return st;
}

/* The elements of one bag (decrypted first when it is encrypted). */
static enum pt_status
x509_p12_bag(gnutls_pkcs12_bag_t bag, const char *password, struct x509_cert_list *l,
             char **key_pem, struct pt_err *err)
{
	enum pt_status st = PT_OK;
	int ret, n;

	if (gnutls_pkcs12_bag_get_type(bag, 0) == GNUTLS_BAG_ENCRYPTED) {
		ret = gnutls_pkcs12_bag_decrypt(bag, password);
		if (ret < 0)
			return pt_fail(
				err, PT_REFUSED,
				_("the PKCS#12 file cannot be decrypted: wrong password (%s)"),
				gnutls_strerror(ret));
	}
	n = gnutls_pkcs12_bag_get_count(bag);
	if (n < 0)
		return pt_fail(err, PT_INVALID, _("damaged PKCS#12 file (%s)"), gnutls_strerror(n));
	for (int j = 0; j < n && st == PT_OK; j++) {
		int type = gnutls_pkcs12_bag_get_type(bag, (unsigned)j);
		gnutls_datum_t data;

		if (type < 0 || gnutls_pkcs12_bag_get_data(bag, (unsigned)j, &data) < 0)
			return pt_fail(err, PT_INVALID, _("damaged PKCS#12 file: unreadable bag"));
		if (type == GNUTLS_BAG_CERTIFICATE)
			st = x509_list_add_der(l, data.data, data.size, l->n + 1, false, err);
		else if ((type == GNUTLS_BAG_PKCS8_KEY || type == GNUTLS_BAG_PKCS8_ENCRYPTED_KEY) &&
		         key_pem)
			st = x509_p12_key((gnutls_pkcs12_bag_type_t)type, &data, password, key_pem,
			                  err);
		/* CRLs, secrets and keys nobody asked for are left alone */
	}
	return st;
}

/* The MAC first: a wrong password is told as such, before any bag. */
static enum pt_status
x509_p12_walk(gnutls_pkcs12_t p12, const char *password, struct x509_cert_list *l, char **key_pem,
              struct pt_err *err)
{
	enum pt_status st = PT_OK;
	int ret;

	ret = gnutls_pkcs12_verify_mac(p12, password);
	if (ret == GNUTLS_E_MAC_VERIFY_FAILED)
		return pt_fail(
			err, PT_REFUSED,
			_("wrong password for the PKCS#12 file (its integrity check fails)"));
	for (unsigned i = 0; st == PT_OK; i++) {
		gnutls_pkcs12_bag_t bag;

		if ((ret = gnutls_pkcs12_bag_init(&bag)) < 0)
			return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
		ret = gnutls_pkcs12_get_bag(p12, (int)i, bag);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
			gnutls_pkcs12_bag_deinit(bag);
			break;
		}
		if (ret < 0)
			st = pt_fail(err, PT_INVALID, _("damaged PKCS#12 file (%s)"),
			             gnutls_strerror(ret));
		else
			st = x509_p12_bag(bag, password, l, key_pem, err);
		gnutls_pkcs12_bag_deinit(bag);
	}
	return st;
}

enum pt_status
x509_pkcs12_parse(const unsigned char *buf, size_t len, const char *password,
                  struct x509_cert_list *l, char **key_pem, struct pt_err *err)
{
	gnutls_datum_t d = { (unsigned char *)buf, (unsigned)len };
	gnutls_pkcs12_t p12;
	enum pt_status st;
	int ret;

	if (len > UINT32_MAX)
		return pt_fail(err, PT_INVALID, _("input too large for a certificate"));
	if ((ret = gnutls_pkcs12_init(&p12)) < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	ret = gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_DER, 0);
	if (ret < 0)
		st = pt_fail(err, PT_INVALID, _("damaged PKCS#12 file (%s)"), gnutls_strerror(ret));
	else
		st = x509_p12_walk(p12, password ? password : "", l, key_pem, err);
	gnutls_pkcs12_deinit(p12);
	if (st != PT_OK && key_pem)
		secmem_freep(key_pem);
	return st;
}

/* ---- any delivery ------------------------------------------------------ */

static enum pt_status
x509_delivery_read(const unsigned char *buf, size_t len, const char *password,
                   struct x509_cert_list **out, char **key_pem, enum x509_format *fmt,
                   struct pt_err *err)
{
	struct x509_cert_list *l;
	enum pt_status st;

	*out = NULL;
	if (key_pem)
		*key_pem = NULL;
	if (fmt)
		*fmt = X509_FORMAT_PKCS12;
	if (!x509_is_pkcs12(buf, len))
		return x509_certs_parse_as(buf, len, out, fmt, err);
	if (!password)
		return pt_fail(err, PT_REFUSED,
		               _("a PKCS#12 file needs its password (give it with --password-fd)"));
	l = calloc(1, sizeof(*l));
	if (!l)
		return pt_fail(err, PT_NOMEM, NULL);
	st = x509_pkcs12_parse(buf, len, password, l, key_pem, err);
	if (st == PT_OK && l->n == 0)
		st = pt_fail(err, PT_INVALID, _("the PKCS#12 file holds no certificate"));
	if (st != PT_OK) {
		x509_cert_list_free(&l);
		if (key_pem)
			secmem_freep(key_pem);
		return st;
	}
	*out = l;
	return PT_OK;
}

enum pt_status
x509_delivery_parse(const unsigned char *buf, size_t len, const char *password,
                    struct x509_memo *memo, struct x509_cert_list **out, char **key_pem,
                    enum x509_format *fmt, struct pt_err *err)
{
	struct x509_memo *old = x509_memo_use(memo);
	enum pt_status st = x509_delivery_read(buf, len, password, out, key_pem, fmt, err);

	x509_memo_use(old);
	return st;
}

/* ---- private keys ------------------------------------------------------ */

bool
x509_key_needs_password(const unsigned char *buf, size_t len)
{
	static const char *const marks[] = { "ENCRYPTED", "DEK-Info:" };

	if (x509_is_pkcs12(buf, len))
		return true;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (x509_mem_find(buf, len, marks[i]))
			return true;
	return false;
}

enum pt_status
x509_key_load(const unsigned char *buf, size_t len, const char *password, char **pem_out,
              struct pt_err *err)
{
	gnutls_datum_t d = { (unsigned char *)buf, (unsigned)len };
	gnutls_x509_privkey_t key;
	struct x509_cert_list *l;
	bool pem = x509_mem_find(buf, len, "-----BEGIN") != NULL;
	enum pt_status st;
	int ret;

	*pem_out = NULL;
	if (!buf || len == 0)
		return pt_fail(err, PT_INVALID, _("no private key given"));
	if (len > UINT32_MAX)
		return pt_fail(err, PT_INVALID, _("input too large for a private key"));
	if (x509_is_pkcs12(buf, len)) {
		if (!(l = calloc(1, sizeof(*l))))
			return pt_fail(err, PT_NOMEM, NULL);
		st = x509_pkcs12_parse(buf, len, password, l, pem_out, err);
		x509_cert_list_free(&l);
		if (st == PT_OK && !*pem_out)
			st = pt_fail(err, PT_INVALID, _("the PKCS#12 file holds no private key"));
		return st;
	}
	if (pem && !x509_key_needs_password(buf, len)) {
		/* kept as written: what the host had is what it gets back */
		if (!(*pem_out = secmem_alloc(len + 1)))
			return pt_fail(err, PT_NOMEM, NULL);
		memcpy(*pem_out, buf, len);
		if ((st = x509_key_import(*pem_out, &key, err)) != PT_OK) {
			secmem_freep(pem_out);
			return st;
		}
		gnutls_x509_privkey_deinit(key);
		return PT_OK;
	}
	if (x509_key_needs_password(buf, len) && !password)
		return pt_fail(err, PT_REFUSED,
		               _("the private key is encrypted: give its passphrase with "
		                 "--password-fd"));
	if ((ret = gnutls_x509_privkey_init(&key)) < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	ret = gnutls_x509_privkey_import2(key, &d, pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER,
	                                  password, 0);
	if (ret == GNUTLS_E_DECRYPTION_FAILED && password)
		st = pt_fail(err, PT_REFUSED,
		             _("the private key cannot be decrypted: wrong passphrase"));
	else if (ret < 0)
		st = pt_fail(err, PT_INVALID, _("not a private key (%s)"), gnutls_strerror(ret));
	else
		st = x509_key_export_plain(key, pem_out, err);
	gnutls_x509_privkey_deinit(key);
	return st;
}

/* test_x509.c - unit tests of src/x509.c, with OpenSSL as the outside party.
 *
 * A throwaway CA (root + intermediate) is made with the openssl command in
 * a mkdtemp directory; passtore's requests are checked and signed by it and
 * the results parsed back.  Certificates with chosen dates are built in
 * process with GnuTLS and signed by the same intermediate, since OpenSSL
 * 3.0 cannot back-date and faketime is not available.
 *
 * Exit: 0 all passed, 1 a failure, 77 openssl missing.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "base/lib.h"
#include "testutil.h"
#include "cert/lib.h"

#define TEMPLATE "C=IT,O=INFN,OU=Host,L=Padova,CN=%h"
#define ROOT_GRID "/C=IT/O=Test Grid/CN=Test Root CA"
#define INT_GRID "/C=IT/O=Test Grid/CN=Test Host CA"
#define DAY 86400L

static char tdir[64];

/* Keys generated once in main (RSA-4096 is slow).  Check forks each test
 * and secmem pages are MADV_WIPEONFORK, so the tests get plain copies;
 * what the children cannot see (secmem ownership, ticks) is recorded. */
static char *key_pem[X509_KEY_MAX];
static bool key_was_secmem[X509_KEY_MAX];
static unsigned key_ticks[X509_KEY_MAX];
static double key_secs[X509_KEY_MAX];
/* An ec:p256 host certificate issued by the intermediate (chain tests). */
static char chain_leaf[256];

/* ---- helpers ----------------------------------------------------------- */

static double
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run a shell command in tdir; its output (stdout+stderr) into out. */
static int
sh(char *out, size_t outlen, const char *fmt, ...)
{
	char inner[4000], cmd[4096], buf[512];
	va_list ap;
	FILE *f;
	size_t len = 0;
	int rc;

	va_start(ap, fmt);
	vsnprintf(inner, sizeof(inner), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "( %s ) 2>&1", inner);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (out && outlen)
		out[0] = '\0';
	while (fgets(buf, sizeof(buf), f)) {
		size_t n = strlen(buf);

		if (out && len + n < outlen) {
			memcpy(out + len, buf, n + 1);
			len += n;
		}
	}
	rc = pclose(f);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void
path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tdir, name);
}

static void
write_file(const char *name, const void *data, size_t len)
{
	char p[256];
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Whole file, NUL-terminated; *len its size. */
static unsigned char *
read_file(const char *name, size_t *len)
{
	char p[256];

	path_of(p, sizeof(p), name);
	return (unsigned char *)test_slurp(p, len);
}

static struct x509_cert_list *
parse_file(const char *name)
{
	struct x509_cert_list *l = NULL;
	struct pt_err err = { 0 };
	size_t len;
	unsigned char *buf = read_file(name, &len);
	enum pt_status st = x509_certs_parse(buf, len, &l, &err);

	free(buf);
	ck_assert_msg(st == PT_OK, "parse %s: %s", name, err.detail);
	return l;
}

static enum pt_status
verify_file(const struct x509_cert *c, const char *bundle, time_t now, struct pt_err *err)
{
	size_t len;
	unsigned char *buf = read_file(bundle, &len);
	enum pt_status st = x509_chain_verify(c, buf, len, now, err);

	free(buf);
	return st;
}

/* Have the intermediate sign a request, as a CA operator would. */
static void
openssl_sign(const char *csr, const char *out, int days, const char *serial)
{
	char o[4096];
	int rc = sh(o, sizeof(o),
	            "cd %s && openssl x509 -req -in %s -CA int.pem -CAkey int.key -set_serial %s "
	            "-days %d -copy_extensions copy -extfile ext.cnf -extensions v3_leaf -out %s",
	            tdir, csr, serial, days, out);

	ck_assert_msg(rc == 0, "openssl x509 -req: %s", o);
}

/* A certificate "/C=IT[/O=o]/CN=cn" with chosen dates for key, signed in
 * process by the test CA `issuer` ("int" or "root"), a CA if `ca`:
 * written to file `name`. */
static void
gnutls_issue(const char *key, const char *o, const char *cn, time_t nb, time_t na,
             const char *issuer, bool ca_flag, const char *name)
{
	char ikey[32], icert[32];
	gnutls_x509_crt_t crt, ca;
	gnutls_x509_privkey_t k, cak;
	gnutls_privkey_t signer;
	gnutls_datum_t d;
	unsigned char serial[8];
	unsigned char *buf;
	size_t len;

	ck_assert_int_eq(gnutls_x509_privkey_init(&k), 0);
	d.data = (unsigned char *)key;
	d.size = (unsigned)strlen(key);
	ck_assert_int_eq(gnutls_x509_privkey_import2(k, &d, GNUTLS_X509_FMT_PEM, NULL, 0), 0);

	snprintf(ikey, sizeof(ikey), "%s.key", issuer);
	snprintf(icert, sizeof(icert), "%s.pem", issuer);
	buf = read_file(ikey, &len);
	d.data = buf;
	d.size = (unsigned)len;
	ck_assert_int_eq(gnutls_x509_privkey_init(&cak), 0);
	ck_assert_int_eq(gnutls_x509_privkey_import2(cak, &d, GNUTLS_X509_FMT_PEM, NULL, 0), 0);
	free(buf);
	buf = read_file(icert, &len);
	d.data = buf;
	d.size = (unsigned)len;
	ck_assert_int_eq(gnutls_x509_crt_init(&ca), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(ca, &d, GNUTLS_X509_FMT_PEM), 0);
	free(buf);

	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_version(crt, 3), 0);
	ck_assert_int_eq(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)), 0);
	serial[0] &= 0x7f;
	ck_assert_int_eq(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_activation_time(crt, nb), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(crt, na), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COUNTRY_NAME, 0, "IT",
	                                               2),
	                 0);
	if (o)
		ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(crt,
		                                               GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
		                                               o, (unsigned)strlen(o)),
		                 0);
	ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
	                                               (unsigned)strlen(cn)),
	                 0);
	ck_assert_int_eq(gnutls_x509_crt_set_key(crt, k), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_basic_constraints(crt, ca_flag, -1), 0);
	if (ca_flag)
		ck_assert_int_eq(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN |
		                                                            GNUTLS_KEY_CRL_SIGN),
		                 0);
	ck_assert_int_eq(gnutls_privkey_init(&signer), 0);
	ck_assert_int_eq(gnutls_privkey_import_x509(signer, cak, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_privkey_sign(crt, ca, signer, GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d), 0);
	write_file(name, d.data, d.size);
	gnutls_free(d.data);
	gnutls_privkey_deinit(signer);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_privkey_deinit(cak);
	gnutls_x509_privkey_deinit(k);
}

static void
tick(void *ud)
{
	(*(unsigned *)ud)++;
}

/* ---- key types --------------------------------------------------------- */

START_TEST(test_keytype_parse)
{
	static const char *names[] = { "rsa:2048", "rsa:3072", "rsa:4096", "ec:p256", "ec:p384" };
	struct pt_err err = { 0 };
	enum x509_keytype t;

	for (int i = 0; i < X509_KEY_MAX; i++) {
		ck_assert_int_eq(x509_keytype_parse(names[i], &t, &err), PT_OK);
		ck_assert_int_eq(t, i);
		ck_assert_str_eq(x509_keytype_name(t), names[i]);
	}
	ck_assert_int_eq(x509_keytype_parse("RSA:3072", &t, &err), PT_OK);
	ck_assert_int_eq(t, X509_KEY_RSA3072);
	ck_assert_int_eq(x509_keytype_parse("rsa:1024", &t, &err), PT_INVALID);
	ck_assert_str_eq(err.detail, "unknown key type \"rsa:1024\" (valid: "
	                             "rsa:2048, rsa:3072, rsa:4096, ec:p256, ec:p384)");
	ck_assert_int_eq(x509_keytype_parse("", &t, &err), PT_INVALID);
	ck_assert_int_eq(x509_keytype_parse(NULL, &t, &err), PT_INVALID);
	ck_assert_str_eq(x509_keytype_name(X509_KEY_MAX), "unknown");
}
END_TEST

START_TEST(test_keygen_results)
{
	static const char *heads[] = {
		"-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----",
		"-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----",
		"-----BEGIN EC PRIVATE KEY-----",
	};
	struct pt_err err = { 0 };
	enum x509_keytype t;
	int i = _i;

	ck_assert_ptr_nonnull(key_pem[i]);
	ck_assert_msg(key_was_secmem[i], "%s PEM not in secmem", x509_keytype_name(i));
	ck_assert_msg(strncmp(key_pem[i], heads[i], strlen(heads[i])) == 0, "%s", key_pem[i]);
	ck_assert_msg(key_ticks[i] >= 2, "progress called %u times", key_ticks[i]);
	/* About one tick per 100 ms: a slow RSA key must have turned the spinner. */
	if (key_secs[i] > 0.5)
		ck_assert_msg(key_ticks[i] >= (unsigned)(key_secs[i] * 10 / 2),
		              "%u ticks in %.2f s", key_ticks[i], key_secs[i]);
	ck_assert_int_eq(x509_key_type(key_pem[i], &t, &err), PT_OK);
	ck_assert_int_eq(t, i);
}
END_TEST

START_TEST(test_keygen_no_callback)
{
	struct pt_err err = { 0 };
	unsigned char id1[X509_ID_LEN], id2[X509_ID_LEN];
	char *pem = NULL, *pem2 = NULL;

	ck_assert_int_eq(x509_key_generate(X509_KEY_EC_P256, NULL, NULL, &pem, &err), PT_OK);
	ck_assert_uint_gt(secmem_size(pem), strlen(pem));
	ck_assert_int_eq(x509_key_generate(X509_KEY_EC_P256, NULL, NULL, &pem2, &err), PT_OK);
	ck_assert_int_eq(x509_key_id(pem, id1, &err), PT_OK);
	ck_assert_int_eq(x509_key_id(pem2, id2, &err), PT_OK);
	ck_assert_msg(memcmp(id1, id2, X509_ID_LEN) != 0, "two keys share an id");
	secmem_freep(&pem2);
	ck_assert_ptr_null(pem2);
	pem2 = (char *)"sentinel";
	ck_assert_int_eq(x509_key_generate(X509_KEY_MAX, NULL, NULL, &pem2, &err), PT_INVALID);
	ck_assert_ptr_null(pem2);
	secmem_free(pem);
}
END_TEST

/* ---- subject templates ------------------------------------------------- */

static void
subject_is(const char *tmpl, const char *fqdn, const char *grid)
{
	struct x509_subject *s = NULL;
	struct pt_err err = { 0 };
	char *g;

	ck_assert_msg(x509_subject_parse(tmpl, fqdn, &s, &err) == PT_OK, "%s: %s", tmpl,
	              err.detail);
	g = x509_subject_grid(s);
	ck_assert_str_eq(g, grid);
	free(g);
	x509_subject_free(&s);
	ck_assert_ptr_null(s);
}

static void
subject_fails(const char *tmpl, const char *fqdn, const char *detail)
{
	struct x509_subject *s = NULL;
	struct pt_err err = { 0 };

	ck_assert_msg(x509_subject_parse(tmpl, fqdn, &s, &err) == PT_INVALID, "accepted: %s", tmpl);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err.detail, detail);
}

START_TEST(test_subject_template)
{
	struct x509_subject *s = NULL;
	struct pt_err err = { 0 };

	subject_is(TEMPLATE, "host.example.org",
	           "/C=IT/O=INFN/OU=Host/L=Padova/CN=host.example.org");
	subject_is(" c = IT , o=INFN ,CN = %h ", "h.x", "/C=IT/O=INFN/CN=h.x");
	subject_is("O=Foo\\, Inc.,CN=a\\\\b", NULL, "/O=Foo, Inc./CN=a\\b");
	subject_is("CN=100%%,emailaddress=root@x.org", NULL, "/CN=100%/emailAddress=root@x.org");
	subject_is("DC=org,DC=example,CN=ldap/%h", "h.example.org",
	           "/DC=org/DC=example/CN=ldap/h.example.org");
	subject_is("O=Università", NULL, "/O=Università");

	ck_assert_int_eq(x509_subject_parse(TEMPLATE, "h.x", &s, &err), PT_OK);
	ck_assert_uint_eq(s->n, 5);
	ck_assert_str_eq(s->rdn[0].oid, "2.5.4.6");
	ck_assert_str_eq(s->rdn[4].name, "CN");
	ck_assert_str_eq(s->rdn[4].oid, "2.5.4.3");
	ck_assert_str_eq(s->rdn[4].value, "h.x");
	x509_subject_free(&s);
	x509_subject_free(&s); /* cleared pointer: harmless */

	subject_fails("", NULL, "empty subject template");
	subject_fails("C=IT,X=1", NULL,
	              "subject template: unknown attribute \"X\" "
	              "(known: C, ST, L, O, OU, CN, DC, UID, serialNumber, emailAddress)");
	subject_fails("averyveryverylongattributenamethatgoeson=1", NULL,
	              "subject template: unknown attribute \"averyveryverylongattributenamet\" "
	              "(known: C, ST, L, O, OU, CN, DC, UID, serialNumber, emailAddress)");
	subject_fails("C=IT,CN", NULL, "subject template: attribute 2 has no \"=\"");
	subject_fails("C=IT,,CN=x", NULL, "subject template: attribute 2 is empty");
	subject_fails("C=IT,CN=x,", NULL, "subject template: attribute 3 is empty");
	subject_fails("C=IT,=x", NULL, "subject template: attribute 2 has no name");
	subject_fails("C=IT,CN=", NULL, "subject template: CN has an empty value");
	subject_fails("C=ITA", NULL,
	              "subject template: C must be a two-letter country code, not \"ITA\"");
	subject_fails("CN=%h", NULL, "subject template: %h is used but no host name was given");
	subject_fails("CN=%x", "h", "subject template: unknown placeholder \"%x\" (use %h or %%)");
	subject_fails("CN=a%", "h", "subject template: \"%\" at the end of the template");
	subject_fails("CN=a\\", NULL, "subject template: \"\\\" at the end of the template");
	subject_fails("CN=a\\n", NULL,
	              "subject template: unknown escape \"\\n\" (use \\, or \\\\)");
	subject_fails("CN=a\tb", NULL, "subject template: CN contains a control character");
	subject_fails("DC=università", NULL, "subject template: DC must be plain ASCII");
	subject_fails(
		"O=INFN,CN=%h",
		"a-very-long-host-name-for-a-common-name.subdomain.department.example.org",
		"subject template: CN \"a-very-long-host-name-for-a-common-name.subdomain.department."
		"example.org\" is longer than 64 characters");
}
END_TEST

/* ---- the lifecycle, per key type --------------------------------------- */

START_TEST(test_lifecycle)
{
	static const char *const sans[] = { "alias.example.org", "HOST.example.org" };
	static const char *sigalg[] = { "sha256WithRSAEncryption", "sha256WithRSAEncryption",
		                        "sha256WithRSAEncryption", "ecdsa-with-SHA256",
		                        "ecdsa-with-SHA256" };
	static const char *keytext[] = { "Public-Key: (2048 bit)", "Public-Key: (3072 bit)",
		                         "Public-Key: (4096 bit)", "NIST CURVE: P-256",
		                         "NIST CURVE: P-384" };
	static const unsigned bits[] = { 2048, 3072, 4096, 256, 384 };
	enum x509_keytype t = (enum x509_keytype)_i;
	struct pt_err err = { 0 };
	struct x509_cert_list *l, *ld;
	const struct x509_cert *c;
	unsigned char kid[X509_ID_LEN], cid[X509_ID_LEN];
	char *csr = NULL, out[16384], *fp;
	char csrname[32], certname[32], dername[32], hexid[X509_ID_HEX_LEN];
	time_t before = time(NULL);
	long days;

	snprintf(csrname, sizeof(csrname), "host%d.csr", _i);
	snprintf(certname, sizeof(certname), "host%d.pem", _i);
	snprintf(dername, sizeof(dername), "host%d.der", _i);

	ck_assert_msg(x509_csr_create(key_pem[t], TEMPLATE, "host.example.org", sans, 2, &csr,
	                              &err) == PT_OK,
	              "%s", err.detail);
	ck_assert_msg(strncmp(csr, "-----BEGIN NEW CERTIFICATE REQUEST-----", 39) == 0 ||
	                      strncmp(csr, "-----BEGIN CERTIFICATE REQUEST-----", 35) == 0,
	              "%s", csr);
	write_file(csrname, csr, strlen(csr));

	/* OpenSSL, an outside party, checks the request. */
	ck_assert_int_eq(sh(out, sizeof(out), "openssl req -in %s/%s -verify -noout", tdir,
	                    csrname),
	                 0);
	ck_assert_msg(strstr(out, "verify OK"), "%s", out);
	ck_assert_int_eq(sh(out, sizeof(out),
	                    "openssl req -in %s/%s -noout -subject -nameopt compat", tdir, csrname),
	                 0);
	ck_assert_str_eq(out, "subject=/C=IT/O=INFN/OU=Host/L=Padova/CN=host.example.org\n");
	ck_assert_int_eq(sh(out, sizeof(out), "openssl req -in %s/%s -noout -text", tdir, csrname),
	                 0);
	/* fqdn first, the alias next, the case-variant duplicate dropped. */
	ck_assert_msg(strstr(out, "DNS:host.example.org, DNS:alias.example.org\n"), "%s", out);
	ck_assert_msg(strstr(out, sigalg[t]), "%s", out);
	ck_assert_msg(strstr(out, keytext[t]), "%s", out);

	ck_assert_int_eq(x509_key_id(key_pem[t], kid, &err), PT_OK);
	ck_assert_int_eq(x509_csr_key_id(csr, cid, &err), PT_OK);
	ck_assert(memcmp(kid, cid, X509_ID_LEN) == 0);

	/* High bit set: DER pads it with a zero byte that must not show. */
	openssl_sign(csrname, certname, 30, "0x8A2B3C");
	l = parse_file(certname);
	ck_assert_uint_eq(l->n, 1);
	c = &l->certs[0];
	ck_assert_str_eq(c->subject_grid, "/C=IT/O=INFN/OU=Host/L=Padova/CN=host.example.org");
	ck_assert_str_eq(c->subject, "CN=host.example.org,L=Padova,OU=Host,O=INFN,C=IT");
	ck_assert_str_eq(c->issuer_grid, INT_GRID);
	ck_assert_str_eq(c->issuer, "CN=Test Host CA,O=Test Grid,C=IT");
	ck_assert_str_eq(c->serial, "8A2B3C");
	ck_assert_uint_eq(c->nsans, 2);
	ck_assert_str_eq(c->sans[0], "DNS:host.example.org");
	ck_assert_str_eq(c->sans[1], "DNS:alias.example.org");
	ck_assert(c->key_known);
	ck_assert_int_eq(c->key_type, t);
	ck_assert_uint_eq(c->key_bits, bits[t]);
	ck_assert_str_eq(c->key_algo, t <= X509_KEY_RSA4096 ? "RSA" : "EC");
	ck_assert(!c->is_ca);
	ck_assert(!c->self_signed);
	ck_assert(memcmp(c->key_id, kid, X509_ID_LEN) == 0);
	ck_assert_int_eq(strlen(c->key_id_hex), X509_ID_HEX_LEN - 1);
	/* the key id alone, from the DER, is the one the whole parse gives */
	ck_assert_int_eq(x509_der_key_id(c->der, c->der_len, hexid, &err), PT_OK);
	ck_assert_str_eq(hexid, c->key_id_hex);
	ck_assert_int_eq(x509_der_key_id(c->der, c->der_len / 2, hexid, &err), PT_INVALID);
	ck_assert_int_eq(c->not_after - c->not_before, 30 * DAY);
	ck_assert(c->not_before >= before - 5 && c->not_before <= time(NULL) + 5);

	/* Same fingerprint as OpenSSL shows the operator. */
	ck_assert_int_eq(sh(out, sizeof(out), "openssl x509 -in %s/%s -noout -fingerprint -sha256",
	                    tdir, certname),
	                 0);
	fp = strchr(out, '=');
	ck_assert_ptr_nonnull(fp);
	fp[strcspn(fp, "\n")] = '\0';
	ck_assert_str_eq(fp + 1, c->sha256_hex);

	ck_assert_int_eq(x509_key_matches_cert(key_pem[t], c, &err), PT_OK);
	ck_assert_msg(verify_file(c, "bundle.pem", time(NULL), &err) == PT_OK, "%s", err.detail);
	/* Exactly 30 days left: warning only below 30, so 31 warns. */
	ck_assert_int_eq(x509_band(c->not_before, c->not_after, c->not_before, 7, 30, &days),
	                 X509_BAND_OK);
	ck_assert_int_eq(days, 30);
	ck_assert_int_eq(x509_band(c->not_before, c->not_after, c->not_before, 7, 31, &days),
	                 X509_BAND_WARNING);

	/* DER of the same certificate gives the same facts. */
	ck_assert_int_eq(sh(out, sizeof(out), "openssl x509 -in %s/%s -outform DER -out %s/%s",
	                    tdir, certname, tdir, dername),
	                 0);
	ld = parse_file(dername);
	ck_assert_uint_eq(ld->n, 1);
	ck_assert_str_eq(ld->certs[0].sha256_hex, c->sha256_hex);
	ck_assert_str_eq(ld->certs[0].subject_grid, c->subject_grid);
	ck_assert_uint_eq(ld->certs[0].der_len, c->der_len);
	ck_assert(memcmp(ld->certs[0].der, c->der, c->der_len) == 0);

	x509_cert_list_free(&ld);
	x509_cert_list_free(&l);
	ck_assert_ptr_null(l);
	free(csr);
}
END_TEST

/* A long batch (the list grows in steps) keeps every certificate in
 * order, each with the DER it came as and that DER's fingerprint. */
START_TEST(test_long_batch)
{
	struct x509_cert_list *b = parse_file("bundle.pem"), *l = NULL;
	struct pt_err err = { 0 };
	size_t len, n = 0;
	unsigned char *one = read_file("bundle.pem", &len), *all;
	char p[256], out[4096], *fp;

	ck_assert_uint_eq(b->n, 2);
	all = malloc(37 * (len + 16));
	ck_assert_ptr_nonnull(all);
	for (int i = 0; i < 37; i++) {
		n += (size_t)sprintf((char *)all + n, "batch part %d\n", i);
		memcpy(all + n, one, len);
		n += len;
	}
	ck_assert_msg(x509_certs_parse(all, n, &l, &err) == PT_OK, "%s", err.detail);
	ck_assert_uint_eq(l->n, 74);
	for (size_t i = 0; i < l->n; i++) {
		const struct x509_cert *c = &l->certs[i], *want = &b->certs[i % 2];

		ck_assert_str_eq(c->subject_grid, want->subject_grid);
		ck_assert_uint_eq(c->der_len, want->der_len);
		ck_assert(memcmp(c->der, want->der, c->der_len) == 0);
		ck_assert_str_eq(c->sha256_hex, want->sha256_hex);
	}
	/* and that fingerprint is the one OpenSSL shows for the file's first */
	path_of(p, sizeof(p), "bundle.pem");
	ck_assert_int_eq(sh(out, sizeof(out), "openssl x509 -in %s -noout -fingerprint -sha256", p),
	                 0);
	fp = strchr(out, '=');
	ck_assert_ptr_nonnull(fp);
	fp[strcspn(fp, "\n")] = '\0';
	ck_assert_str_eq(fp + 1, l->certs[72].sha256_hex);
	x509_cert_list_free(&l);
	x509_cert_list_free(&b);
	free(all);
	free(one);
}
END_TEST

/* ---- refusals ---------------------------------------------------------- */

static void
parse_fails(const void *buf, size_t len, const char *detail)
{
	struct x509_cert_list *l = NULL;
	struct pt_err err = { 0 };

	ck_assert_int_eq(x509_certs_parse(buf, len, &l, &err), PT_INVALID);
	ck_assert_ptr_null(l);
	ck_assert_msg(strstr(err.detail, detail) == err.detail, "got \"%s\", want \"%s...\"",
	              err.detail, detail);
}

START_TEST(test_parse_refusals)
{
	static const char garbage[] = "this is not a certificate\n";
	size_t len, dlen;
	unsigned char *pem = read_file("int.pem", &len), *der, *two;
	char out[4096];

	parse_fails(garbage, strlen(garbage), "neither PEM nor DER data");
	parse_fails(garbage, 0, "empty input: no certificate");
	parse_fails(pem, len / 2, "truncated PEM block 1: no \"-----END CERTIFICATE-----\" line");
	parse_fails(pem, 20, "truncated PEM block 1: incomplete BEGIN line");

	/* A full certificate followed by a cut one: the second is named. */
	two = malloc(2 * len);
	memcpy(two, pem, len);
	memcpy(two + len, pem, len / 2);
	parse_fails(two, len + len / 2,
	            "truncated PEM block 2: no \"-----END CERTIFICATE-----\" line");
	/* A cut one followed by a full one must not borrow the other's END. */
	memcpy(two, pem, len / 2);
	memcpy(two + len / 2, pem, len);
	parse_fails(two, len + len / 2, "truncated PEM block 1:");
	free(two);

	/* Damaged base64 inside an otherwise complete block. */
	pem[100] = '!';
	parse_fails(pem, len, "PEM block 1: damaged base64");
	free(pem);

	/* A private key in PEM is not a certificate, and is not decoded. */
	parse_fails(key_pem[X509_KEY_EC_P256], strlen(key_pem[X509_KEY_EC_P256]),
	            "PEM block 1 is a \"EC PRIVATE KEY\", not a certificate");

	/* DER that is well-formed but a request, not a certificate. */
	ck_assert_int_eq(
		sh(out, sizeof(out),
	           "cd %s && openssl req -new -key int.key -subj /CN=x -outform DER -out req.der",
	           tdir),
		0);
	der = read_file("req.der", &dlen);
	parse_fails(der, dlen, "not a certificate: the DER data is not an X.509 certificate");
	free(der);
}
END_TEST

START_TEST(test_key_refusals)
{
	static const char *const badsan[] = { "a b.example.org" };
	struct x509_cert_list *l;
	struct pt_err err = { 0 };
	unsigned char id[X509_ID_LEN];
	char *csr = NULL, out[4096], *enc;

	/* The ec:p256 host certificate takes its own key and refuses the
	 * four others, an ec:p384 key among them. */
	l = parse_file("chain-leaf.pem");
	ck_assert_int_eq(x509_key_matches_cert(key_pem[X509_KEY_EC_P256], &l->certs[0], &err),
	                 PT_OK);
	for (int t = 0; t < X509_KEY_MAX; t++) {
		if (t == X509_KEY_EC_P256)
			continue;
		ck_assert_int_eq(x509_key_matches_cert(key_pem[t], &l->certs[0], &err),
		                 PT_MISMATCH);
		ck_assert_msg(strstr(err.detail,
		                     "the private key does not match the certificate "
		                     "\"/C=IT/O=INFN/OU=Host/L=Padova/CN=chain.example.org\""),
		              "%s", err.detail);
		ck_assert_msg(strstr(err.detail, l->certs[0].key_id_hex), "%s", err.detail);
	}
	x509_cert_list_free(&l);

	ck_assert_int_eq(x509_key_id("garbage", id, &err), PT_INVALID);
	ck_assert_msg(strstr(err.detail, "not a PEM private key"), "%s", err.detail);
	ck_assert_int_eq(
		sh(out, sizeof(out),
	           "cd %s && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
	           "-aes256 -pass pass:secret -out enc.key",
	           tdir),
		0);
	enc = (char *)read_file("enc.key", NULL);
	ck_assert_int_eq(x509_key_id(enc, id, &err), PT_INVALID);
	ck_assert_str_eq(err.detail,
	                 "the private key is encrypted; only unencrypted keys are accepted");
	free(enc);

	/* An OpenSSL PKCS#8 key is read as well. */
	enc = (char *)read_file("int.key", NULL);
	ck_assert_int_eq(x509_key_id(enc, id, &err), PT_OK);
	free(enc);

	ck_assert_int_eq(x509_csr_create(key_pem[X509_KEY_EC_P256], TEMPLATE, "bad host", NULL, 0,
	                                 &csr, &err),
	                 PT_INVALID);
	ck_assert_str_eq(err.detail, "\"bad host\" is not a valid host name");
	ck_assert_int_eq(x509_csr_create(key_pem[X509_KEY_EC_P256], TEMPLATE, "h.example.org",
	                                 badsan, 1, &csr, &err),
	                 PT_INVALID);
	ck_assert_str_eq(err.detail, "\"a b.example.org\" is not a valid DNS name");
	ck_assert_int_eq(x509_csr_create(key_pem[X509_KEY_EC_P256], "C=IT,Q=1", "h.example.org",
	                                 NULL, 0, &csr, &err),
	                 PT_INVALID);
	ck_assert_msg(strstr(err.detail, "unknown attribute \"Q\""), "%s", err.detail);
	ck_assert_int_eq(x509_csr_create("no key", TEMPLATE, "h.example.org", NULL, 0, &csr, &err),
	                 PT_INVALID);
	ck_assert_ptr_null(csr);
	ck_assert_int_eq(x509_csr_key_id("not a request", id, &err), PT_INVALID);
	ck_assert_msg(strstr(err.detail, "not a certificate request"), "%s", err.detail);
}
END_TEST

/* The Grid form of a DN with a multi-valued RDN and an e-mail attribute
 * reads exactly as OpenSSL's compat form. */
START_TEST(test_grid_vs_openssl)
{
	struct x509_cert_list *l;
	char out[4096];

	ck_assert_int_eq(
		sh(out, sizeof(out),
	           "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	           "-nodes -keyout mv.key -out mv.pem -days 2 -multivalue-rdn "
	           "-subj '/C=IT/O=Test Grid/OU=Ops+CN=Multi/emailAddress=ops@example.org'",
	           tdir),
		0);
	ck_assert_int_eq(sh(out, sizeof(out),
	                    "openssl x509 -in %s/mv.pem -noout -subject -nameopt compat", tdir),
	                 0);
	ck_assert_str_eq(
		out, "subject=/C=IT/O=Test Grid/OU=Ops+CN=Multi/emailAddress=ops@example.org\n");
	l = parse_file("mv.pem");
	ck_assert_str_eq(l->certs[0].subject_grid,
	                 "/C=IT/O=Test Grid/OU=Ops+CN=Multi/emailAddress=ops@example.org");
	ck_assert_str_eq(l->certs[0].issuer_grid, l->certs[0].subject_grid);
	ck_assert(l->certs[0].self_signed);
	ck_assert(l->certs[0].is_ca);
	ck_assert_int_eq(l->certs[0].not_after - l->certs[0].not_before, 2 * DAY);
	x509_cert_list_free(&l);
}
END_TEST

/* ---- chains ------------------------------------------------------------ */

START_TEST(test_chain)
{
	struct x509_cert_list *l = parse_file(chain_leaf), *b, *t;
	const struct x509_cert *c = &l->certs[0];
	struct pt_err err = { 0 };
	time_t now = time(NULL);
	size_t len;
	unsigned char *buf;
	char out[4096];

	ck_assert_msg(verify_file(c, "bundle.pem", now, &err) == PT_OK, "%s", err.detail);
	ck_assert_msg(verify_file(c, "bundle-rev.pem", now, &err) == PT_OK, "%s", err.detail);

	ck_assert_int_eq(verify_file(c, "other.pem", now, &err), PT_REFUSED);
	ck_assert_str_eq(err.detail,
	                 "issuer of \"/C=IT/O=INFN/OU=Host/L=Padova/CN=chain.example.org\" "
	                 "is not in the CA bundle: \"" INT_GRID "\"");
	ck_assert_int_eq(verify_file(c, "root.pem", now, &err), PT_REFUSED);
	ck_assert_str_eq(err.detail,
	                 "issuer of \"/C=IT/O=INFN/OU=Host/L=Padova/CN=chain.example.org\" "
	                 "is not in the CA bundle: \"" INT_GRID "\"");
	ck_assert_int_eq(verify_file(c, "int.pem", now, &err), PT_REFUSED);
	ck_assert_str_eq(err.detail,
	                 "issuer of \"" INT_GRID "\" is not in the CA bundle: \"" ROOT_GRID "\"");

	/* The intermediate (5 years) dies before the root (10 years). */
	ck_assert_int_eq(verify_file(c, "bundle.pem", now + 6 * 365 * DAY, &err), PT_REFUSED);
	ck_assert_msg(strstr(err.detail, "CA certificate \"" INT_GRID "\" expired on ") ==
	                      err.detail,
	              "%s", err.detail);
	ck_assert_int_eq(verify_file(c, "bundle.pem", now - 2 * DAY, &err), PT_REFUSED);
	ck_assert_msg(strstr(err.detail, "CA certificate \"" INT_GRID "\" is not valid before ") ==
	                      err.detail,
	              "%s", err.detail);

	/* A bundle that holds a host certificate is refused as a bundle. */
	ck_assert_int_eq(verify_file(c, "bad-bundle.pem", now, &err), PT_INVALID);
	ck_assert_str_eq(err.detail, "certificate 2 of the CA bundle is not a CA certificate: "
	                             "/C=IT/O=INFN/OU=Host/L=Padova/CN=chain.example.org");

	/* Tampered signature: the issuer is found, the signature fails. */
	buf = malloc(c->der_len);
	memcpy(buf, c->der, c->der_len);
	buf[c->der_len - 1] ^= 0x01;
	ck_assert_int_eq(x509_certs_parse(buf, c->der_len, &t, &err), PT_OK);
	free(buf);
	ck_assert_int_eq(verify_file(&t->certs[0], "bundle.pem", now, &err), PT_REFUSED);
	ck_assert_str_eq(err.detail,
	                 "bad signature: \"/C=IT/O=INFN/OU=Host/L=Padova/CN=chain.example.org\" "
	                 "was not signed by \"" INT_GRID "\"");
	x509_cert_list_free(&t);

	/* Two intermediates share the issuer's name and the leaf has no
	 * authority key id to tell them apart: the one that signed it wins,
	 * wherever it stands in the bundle. */
	ck_assert_int_eq(
		sh(out, sizeof(out),
	           "cd %s && openssl x509 -req -in chain-leaf.csr -CA int.pem -CAkey int.key "
	           "-set_serial 9 -days 10 -extfile ext.cnf -extensions v3_noaki -out noaki.pem",
	           tdir),
		0);
	t = parse_file("noaki.pem");
	ck_assert_msg(verify_file(&t->certs[0], "bundle-roll.pem", now, &err) == PT_OK, "%s",
	              err.detail);
	ck_assert_int_eq(sh(out, sizeof(out), "cd %s && cat root.pem int2.pem > roll-only.pem",
	                    tdir),
	                 0);
	ck_assert_int_eq(verify_file(&t->certs[0], "roll-only.pem", now, &err), PT_REFUSED);
	ck_assert_str_eq(err.detail,
	                 "bad signature: \"/C=IT/O=INFN/OU=Host/L=Padova/CN=chain.example.org\" "
	                 "was not signed by \"" INT_GRID "\"");

	/* A renewed intermediate (same name, same key) next to its expired
	 * predecessor: the one valid now is chosen, wherever it stands. */
	{
		char *ikey = (char *)read_file("int.key", NULL);

		gnutls_issue(ikey, "Test Grid", "Test Host CA", now - 800 * DAY, now - 400 * DAY,
		             "root", true, "int-old.pem");
		free(ikey);
	}
	ck_assert_int_eq(sh(out, sizeof(out),
	                    "cd %s && cat root.pem int-old.pem int.pem > renew.pem && "
	                    "cat root.pem int-old.pem > old-only.pem",
	                    tdir),
	                 0);
	ck_assert_msg(verify_file(&t->certs[0], "renew.pem", now, &err) == PT_OK, "%s", err.detail);
	ck_assert_int_eq(verify_file(&t->certs[0], "old-only.pem", now, &err), PT_REFUSED);
	ck_assert_msg(strstr(err.detail, "CA certificate \"" INT_GRID "\" expired on ") ==
	                      err.detail,
	              "%s", err.detail);
	x509_cert_list_free(&t);

	/* The bundle itself parses in order, both CAs marked as such. */
	buf = read_file("bundle.pem", &len);
	ck_assert_int_eq(x509_bundle_parse(buf, len, &b, &err), PT_OK);
	free(buf);
	ck_assert_uint_eq(b->n, 2);
	ck_assert_str_eq(b->certs[0].subject_grid, ROOT_GRID);
	ck_assert(b->certs[0].is_ca && b->certs[0].self_signed);
	ck_assert_str_eq(b->certs[1].subject_grid, INT_GRID);
	ck_assert(b->certs[1].is_ca && !b->certs[1].self_signed);
	/* A root verifies against itself; an empty bundle is refused. */
	ck_assert_msg(verify_file(&b->certs[0], "root.pem", now, &err) == PT_OK, "%s", err.detail);
	ck_assert_int_eq(x509_chain_verify(&b->certs[0], (const unsigned char *)"", 0, now, &err),
	                 PT_INVALID);
	ck_assert_str_eq(err.detail, "empty input: no certificate");
	ck_assert_msg(verify_file(&b->certs[1], "root.pem", now, &err) == PT_OK, "%s", err.detail);
	x509_cert_list_free(&b);
	x509_cert_list_free(&l);
}
END_TEST

/* ---- bands ------------------------------------------------------------- */

/* Trust sets: issuers found by name, a file's intermediates bridging to a
 * stored root, thousands of certificates under one name still a bounded
 * search; PKCS#7 in PEM and DER read as the certificates they carry. */
START_TEST(test_trust)
{
	struct x509_cert_list *root = parse_file("root.pem"), *in = parse_file("int.pem");
	struct x509_cert_list *leaf = parse_file(chain_leaf), *p7 = NULL;
	struct x509_trust *t = NULL, *file = NULL, *both[2];
	struct pt_err err = { 0 };
	enum x509_format fmt;
	time_t now = time(NULL);
	unsigned char *buf;
	char out[4096];
	size_t len;

	buf = read_file("root.pem", &len);
	ck_assert_int_eq(x509_trust_new(buf, len, &t, &err), PT_OK);
	free(buf);
	ck_assert(x509_trust_has(t, &root->certs[0]));
	ck_assert(!x509_trust_has(t, &in->certs[0]));
	ck_assert_int_eq(x509_trust_verify(&t, 1, &leaf->certs[0], now, &err), PT_REFUSED);
	ck_assert_int_eq(x509_trust_new(NULL, 0, &file, &err), PT_OK);
	/* the same intermediate thousands of times under its name */
	for (int i = 0; i < 3000; i++)
		ck_assert_int_eq(x509_trust_add(file, &in->certs[0], &err), PT_OK);
	ck_assert_uint_eq(x509_trust_count(file), 3000);
	ck_assert(x509_trust_has(file, &in->certs[0]));
	both[0] = t;
	both[1] = file;
	ck_assert_msg(x509_trust_verify(both, 2, &leaf->certs[0], now, &err) == PT_OK, "%s",
	              err.detail);
	ck_assert_msg(x509_trust_verify(both, 2, &in->certs[0], now, &err) == PT_OK, "%s",
	              err.detail);
	/* added to the stored set, the intermediate is found there alone */
	ck_assert_int_eq(x509_trust_add(t, &in->certs[0], &err), PT_OK);
	ck_assert(x509_trust_has(t, &in->certs[0]));
	ck_assert_msg(x509_trust_verify(&t, 1, &leaf->certs[0], now, &err) == PT_OK, "%s",
	              err.detail);
	x509_trust_free(&file);
	x509_trust_free(&t);
	ck_assert_ptr_null(t);

	ck_assert_int_eq(
		sh(out, sizeof(out),
	           "cd %s && openssl crl2pkcs7 -nocrl -certfile int.pem -certfile root.pem "
	           "-out c.p7b && openssl crl2pkcs7 -nocrl -certfile root.pem -outform DER "
	           "-out c.p7c",
	           tdir),
		0);
	buf = read_file("c.p7b", &len);
	ck_assert(!x509_is_pkcs12(buf, len));
	ck_assert_int_eq(x509_certs_parse_as(buf, len, &p7, &fmt, &err), PT_OK);
	free(buf);
	ck_assert_int_eq(fmt, X509_FORMAT_PKCS7);
	ck_assert_uint_eq(p7->n, 2);
	ck_assert_str_eq(p7->certs[0].subject_grid, INT_GRID);
	x509_cert_list_free(&p7);
	buf = read_file("c.p7c", &len);
	ck_assert_int_eq(x509_certs_parse_as(buf, len / 2, &p7, &fmt, &err), PT_INVALID);
	ck_assert_int_eq(x509_certs_parse_as(buf, len, &p7, &fmt, &err), PT_OK);
	free(buf);
	ck_assert_int_eq(fmt, X509_FORMAT_PKCS7);
	ck_assert_uint_eq(p7->n, 1);
	ck_assert_str_eq(p7->certs[0].subject_grid, ROOT_GRID);
	x509_cert_list_free(&p7);
	x509_cert_list_free(&root);
	x509_cert_list_free(&in);
	x509_cert_list_free(&leaf);
}
END_TEST

START_TEST(test_band_function)
{
	const time_t nb = 1700000000, na = nb + 365 * DAY;
	long d = 99;

	ck_assert_int_eq(x509_band(nb, na, nb - 1, 7, 30, &d), X509_BAND_NOT_YET_VALID);
	ck_assert_int_eq(x509_band(nb, na, nb, 7, 30, &d), X509_BAND_OK);
	ck_assert_int_eq(d, 365);
	ck_assert_int_eq(x509_band(nb, na, na - 30 * DAY, 7, 30, &d), X509_BAND_OK);
	ck_assert_int_eq(d, 30);
	ck_assert_int_eq(x509_band(nb, na, na - 30 * DAY + 1, 7, 30, &d), X509_BAND_WARNING);
	ck_assert_int_eq(d, 29);
	ck_assert_int_eq(x509_band(nb, na, na - 7 * DAY, 7, 30, &d), X509_BAND_WARNING);
	ck_assert_int_eq(d, 7);
	ck_assert_int_eq(x509_band(nb, na, na - 7 * DAY + 1, 7, 30, &d), X509_BAND_CRITICAL);
	ck_assert_int_eq(d, 6);
	ck_assert_int_eq(x509_band(nb, na, na, 7, 30, &d), X509_BAND_CRITICAL);
	ck_assert_int_eq(d, 0);
	ck_assert_int_eq(x509_band(nb, na, na + 1, 7, 30, &d), X509_BAND_EXPIRED);
	ck_assert_int_eq(d, -1);
	ck_assert_int_eq(x509_band(nb, na, na + DAY, 7, 30, &d), X509_BAND_EXPIRED);
	ck_assert_int_eq(d, -1);
	ck_assert_int_eq(x509_band(nb, na, na + DAY + 1, 7, 30, NULL), X509_BAND_EXPIRED);
	ck_assert_str_eq(x509_band_name(X509_BAND_NOT_YET_VALID), "not-yet-valid");
	ck_assert_str_eq(x509_band_name(X509_BAND_EXPIRED), "expired");
	ck_assert_str_eq(x509_band_name(X509_BAND_CRITICAL), "critical");
	ck_assert_str_eq(x509_band_name(X509_BAND_WARNING), "warning");
	ck_assert_str_eq(x509_band_name(X509_BAND_OK), "ok");
}
END_TEST

/* Certificates with chosen dates, parsed back, land in the right band,
 * and an expired one still verifies as coming from this CA. */
START_TEST(test_band_certs)
{
	static const struct {
		const char *cn;
		long nb, na; /* offsets from now, seconds */
		enum x509_band band;
		long days;
	} cases[] = {
		{ "expired.example.org", -400 * DAY, -DAY, X509_BAND_EXPIRED, -1 },
		{ "critical.example.org", -300 * DAY, 3 * DAY + 600, X509_BAND_CRITICAL, 3 },
		{ "warning.example.org", -300 * DAY, 20 * DAY + 600, X509_BAND_WARNING, 20 },
		{ "ok.example.org", -DAY, 200 * DAY + 600, X509_BAND_OK, 200 },
		{ "future.example.org", 2 * DAY, 400 * DAY, X509_BAND_NOT_YET_VALID, 400 },
	};
	const time_t now = time(NULL);
	struct pt_err err = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x509_cert_list *l;
		char name[64], grid[128];
		long d;

		snprintf(name, sizeof(name), "band%zu.pem", i);
		gnutls_issue(key_pem[X509_KEY_EC_P384], NULL, cases[i].cn, now + cases[i].nb,
		             now + cases[i].na, "int", false, name);
		l = parse_file(name);
		snprintf(grid, sizeof(grid), "/C=IT/CN=%s", cases[i].cn);
		ck_assert_str_eq(l->certs[0].subject_grid, grid);
		ck_assert_int_eq(l->certs[0].not_before, now + cases[i].nb);
		ck_assert_int_eq(l->certs[0].not_after, now + cases[i].na);
		ck_assert_msg(x509_band(l->certs[0].not_before, l->certs[0].not_after, now, 7, 30,
		                        &d) == cases[i].band,
		              "%s: %s", cases[i].cn,
		              x509_band_name(x509_band(l->certs[0].not_before,
		                                       l->certs[0].not_after, now, 7, 30, NULL)));
		ck_assert_int_eq(d, cases[i].days);
		ck_assert_msg(verify_file(&l->certs[0], "bundle.pem", now, &err) == PT_OK, "%s: %s",
		              cases[i].cn, err.detail);
		ck_assert_int_eq(x509_key_matches_cert(key_pem[X509_KEY_EC_P384], &l->certs[0],
		                                       &err),
		                 PT_OK);
		x509_cert_list_free(&l);
	}
}
END_TEST

/* ---- fixture: the throwaway CA, made once ------------------------------ */

static const char ext_cnf[] = "[v3_int]\n"
			      "basicConstraints=critical,CA:TRUE,pathlen:0\n"
			      "keyUsage=critical,keyCertSign,cRLSign\n"
			      "subjectKeyIdentifier=hash\n"
			      "authorityKeyIdentifier=keyid:always\n"
			      "[v3_leaf]\n"
			      "basicConstraints=CA:FALSE\n"
			      "keyUsage=critical,digitalSignature,keyEncipherment\n"
			      "extendedKeyUsage=serverAuth,clientAuth\n"
			      "subjectKeyIdentifier=hash\n"
			      "authorityKeyIdentifier=keyid\n"
			      "[v3_noaki]\n"
			      "basicConstraints=CA:FALSE\n"
			      "subjectKeyIdentifier=none\n"
			      "authorityKeyIdentifier=none\n";

static int
make_ca(void)
{
	char out[8192];
	FILE *f;

	snprintf(out, sizeof(out), "%s/ext.cnf", tdir);
	f = fopen(out, "w");
	if (!f || fputs(ext_cnf, f) < 0 || fclose(f) != 0)
		return -1;
#define RUN(...) \
	do { \
		if (sh(out, sizeof(out), __VA_ARGS__) != 0) { \
			fprintf(stderr, "setup failed: %s\n", out); \
			return -1; \
		} \
	} while (0)
	RUN("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout root.key -out root.pem -days 3650 -subj '" ROOT_GRID "'",
	    tdir);
	RUN("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout other.key -out other.pem -days 3650 -subj '/C=IT/O=Other Grid/CN=Other Root CA'",
	    tdir);
	RUN("cd %s && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout int.key -out int.csr -subj '" INT_GRID "'",
	    tdir);
	RUN("cd %s && openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -set_serial 2 "
	    "-days 1825 -extfile ext.cnf -extensions v3_int -out int.pem",
	    tdir);
	RUN("cd %s && cat root.pem int.pem > bundle.pem && cat int.pem root.pem > bundle-rev.pem",
	    tdir);
	/* A key rollover: a second intermediate with the same name. */
	RUN("cd %s && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout int2.key -out int2.csr -subj '" INT_GRID "' && "
	    "openssl x509 -req -in int2.csr -CA root.pem -CAkey root.key -set_serial 3 "
	    "-days 1825 -extfile ext.cnf -extensions v3_int -out int2.pem && "
	    "cat root.pem int2.pem int.pem > bundle-roll.pem",
	    tdir);
#undef RUN
	return 0;
}

/* The chain tests' leaf: passtore's request, the intermediate's signature. */
static int
make_chain_leaf(void)
{
	struct pt_err err = { 0 };
	char *csr = NULL, p[256], out[4096];
	FILE *f;
	int rc;

	if (x509_csr_create(key_pem[X509_KEY_EC_P256], TEMPLATE, "chain.example.org", NULL, 0, &csr,
	                    &err) != PT_OK) {
		fprintf(stderr, "setup: %s\n", err.detail);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/chain-leaf.csr", tdir);
	f = fopen(p, "w");
	if (!f || fputs(csr, f) < 0 || fclose(f) != 0) {
		free(csr);
		return -1;
	}
	free(csr);
	rc = sh(out, sizeof(out),
	        "cd %s && openssl x509 -req -in chain-leaf.csr -CA int.pem -CAkey int.key "
	        "-set_serial 7 -days 365 -copy_extensions copy -extfile ext.cnf -extensions v3_leaf "
	        "-out chain-leaf.pem && cat root.pem chain-leaf.pem > bad-bundle.pem",
	        tdir);
	if (rc != 0) {
		fprintf(stderr, "setup: %s\n", out);
		return -1;
	}
	snprintf(chain_leaf, sizeof(chain_leaf), "chain-leaf.pem");
	return 0;
}

/* A DER Name in Grid form: certificate order, '+' inside a multi-valued
 * RDN, a control byte shown as '?' (VOMS issuers and holders use it too). */
START_TEST(test_dn_der_grid)
{
	static const unsigned char name[] = {
		0x30, 0x31, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02,
		'I',  'T',  0x31, 0x14, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x01,
		'X',  0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x0b, 0x0c, 0x01, 'Y',  0x31, 0x0c,
		0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x03, 'a',  0x1b, 'b',
	};
	static const unsigned char junk[] = { 0x04, 0x02, 'h', 'i' };
	char *s = x509_dn_der_grid(name, sizeof(name));

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "/C=IT/O=X+OU=Y/CN=a?b");
	free(s);
	ck_assert_ptr_null(x509_dn_der_grid(junk, sizeof(junk)));
}
END_TEST

/* A self-signed certificate whose subject is one CN with the given
 * DER-encoded value (tag, length, bytes), parsed back into facts. */
static struct x509_cert_list *
raw_cn_cert(const unsigned char *val, size_t len)
{
	struct x509_cert_list *l = NULL;
	struct pt_err err = { 0 };
	gnutls_x509_privkey_t k;
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;

	ck_assert_int_eq(gnutls_x509_privkey_init(&k), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA, 256, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_version(crt, 3), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_serial(crt, "\x01", 1), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_activation_time(crt, 1700000000), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(crt, 1900000000), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COUNTRY_NAME, 0, "IT",
	                                               2),
	                 0);
	ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 1, val,
	                                               (unsigned)len),
	                 0);
	ck_assert_int_eq(gnutls_x509_crt_set_key(crt, k), 0);
	ck_assert_int_eq(gnutls_x509_crt_sign2(crt, crt, k, GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &d), 0);
	ck_assert_msg(x509_certs_parse(d.data, d.size, &l, &err) == PT_OK, "%s", err.detail);
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(k);
	return l;
}

static bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80             ? 0
		        : (*p & 0xE0) == 0xC0 ? 1
		        : (*p & 0xF0) == 0xE0 ? 2
		        : (*p & 0xF8) == 0xF0 ? 3
		                              : -1;

		if (n < 0 || (n == 1 && *p < 0xC2))
			return false;
		for (p++; n > 0; n--, p++)
			if ((*p & 0xC0) != 0x80)
				return false;
	}
	return true;
}

/* The subject and issuer of one such certificate, both forms. */
static void
raw_cn_is(const unsigned char *val, size_t len, const char *grid, const char *rfc4514)
{
	struct x509_cert_list *l = raw_cn_cert(val, len);
	const struct x509_cert *c = &l->certs[0];

	ck_assert_str_eq(c->subject_grid, grid);
	ck_assert_str_eq(c->issuer_grid, grid);
	ck_assert_msg(utf8_valid(c->subject) && utf8_valid(c->issuer), "%s", c->subject);
	if (rfc4514)
		ck_assert_str_eq(c->subject, rfc4514);
	x509_cert_list_free(&l);
}

/* DN values that are not plain UTF-8 come out as valid UTF-8 text:
 * BMPString and UniversalString decoded, bytes that are not text as
 * "\xNN", nothing dropped. */
START_TEST(test_dn_not_utf8)
{
	/* BMPString "Università" */
	static const unsigned char bmp[] = {
		0x1e, 20, 0,   'U', 0,   'n', 0,   'i', 0,   'v',  0,
		'e',  0,  'r', 0,   's', 0,   'i', 0,   't', 0x00, 0xe0
	};
	/* BMPString: U+1F600 as a surrogate pair, a lone surrogate, 'A', a
	 * control character, an odd last byte */
	static const unsigned char bmp_odd[] = { 0x1e, 11, 0xd8, 0x3d, 0xde, 0x00, 0xd8,
		                                 0x00, 0,  'A',  0,    0x1b, 0x41 };
	/* UniversalString "Zürich" U+1F600, then a value past U+10FFFF */
	static const unsigned char ucs4[] = { 0x1c, 36,   0, 0,   0, 'Z', 0, 0,    0,    0xfc,
		                              0,    0,    0, 'r', 0, 0,   0, 'i',  0,    0,
		                              0,    'c',  0, 0,   0, 'h', 0, 0x01, 0xf6, 0x00,
		                              0,    0x11, 0, 0,   0, 0,   0, '!' };
	/* TeletexString with a Latin-1 byte */
	static const unsigned char t61[] = { 0x14, 4, 'c', 'a', 'f', 0xe9 };
	/* UTF8String holding bytes that are not UTF-8, then a real "à" */
	static const unsigned char raw[] = { 0x0c, 7, 'a', 0xff, 0xc3, 'b', 0xc0, 0xc3, 0xa0 };

	raw_cn_is(bmp, sizeof(bmp), "/C=IT/CN=Universit\xc3\xa0", "CN=Universit\xc3\xa0,C=IT");
	raw_cn_is(bmp_odd, sizeof(bmp_odd), "/C=IT/CN=\xf0\x9f\x98\x80\\xD8\\x00A?\\x41", NULL);
	raw_cn_is(ucs4, sizeof(ucs4), "/C=IT/CN=Z\xc3\xbcrich\xf0\x9f\x98\x80\\x00\\x11\\x00\\x00!",
	          NULL);
	raw_cn_is(t61, sizeof(t61), "/C=IT/CN=caf\\xE9", NULL);
	raw_cn_is(raw, sizeof(raw), "/C=IT/CN=a\\xFF\\xC3b\\xC0\xc3\xa0",
	          "CN=a\\FF\\C3b\\C0\xc3\xa0,C=IT");
}
END_TEST

/* The same for a bare DER Name (VOMS issuers and holders): BMPString. */
START_TEST(test_dn_der_grid_bmp)
{
	static const unsigned char name[] = {
		0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03,
		0x55, 0x04, 0x03, 0x1e, 0x02, 0x00, 0xe0,
	};
	char *s = x509_dn_der_grid(name, sizeof(name));

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "/CN=\xc3\xa0");
	free(s);
}
END_TEST

static int
make_keys(void)
{
	struct pt_err err = { 0 };

	for (int t = 0; t < X509_KEY_MAX; t++) {
		char *pem = NULL;
		double t0 = now_secs();

		if (x509_key_generate((enum x509_keytype)t, tick, &key_ticks[t], &pem, &err) !=
		    PT_OK) {
			fprintf(stderr, "key generation: %s\n", err.detail);
			return -1;
		}
		key_secs[t] = now_secs() - t0;
		key_was_secmem[t] = secmem_size(pem) > strlen(pem);
		key_pem[t] = strdup(pem); /* test-only copy, see key_pem */
		secmem_free(pem);
		fprintf(stderr, "x509 test: %-8s generated in %.3f s, %u progress calls\n",
		        x509_keytype_name(t), key_secs[t], key_ticks[t]);
		if (!key_pem[t])
			return -1;
	}
	return 0;
}

static Suite *
x509_suite(void)
{
	Suite *s = suite_create("x509");
	TCase *tc;

	tc = tcase_create("keys");
	tcase_add_test(tc, test_keytype_parse);
	tcase_add_loop_test(tc, test_keygen_results, 0, X509_KEY_MAX);
	tcase_add_test(tc, test_keygen_no_callback);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("subject");
	tcase_add_test(tc, test_subject_template);
	tcase_add_test(tc, test_dn_der_grid);
	tcase_add_test(tc, test_dn_der_grid_bmp);
	tcase_add_test(tc, test_dn_not_utf8);
	suite_add_tcase(s, tc);

	tc = tcase_create("lifecycle");
	tcase_add_loop_test(tc, test_lifecycle, 0, X509_KEY_MAX);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("refusals");
	tcase_add_test(tc, test_parse_refusals);
	tcase_add_test(tc, test_long_batch);
	tcase_add_test(tc, test_key_refusals);
	tcase_add_test(tc, test_grid_vs_openssl);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("chain");
	tcase_add_test(tc, test_chain);
	tcase_add_test(tc, test_trust);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("bands");
	tcase_add_test(tc, test_band_function);
	tcase_add_test(tc, test_band_certs);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	char cmd[128];
	int failed = 1;

	if (system("openssl version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "x509 test: openssl not found, skipped\n");
		return 77;
	}
	snprintf(tdir, sizeof(tdir), "%s/passtore-x509.XXXXXX",
	         getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 32 ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tdir)) {
		perror("mkdtemp");
		return 1;
	}
	if (make_ca() == 0 && make_keys() == 0 && make_chain_leaf() == 0) {
		sr = srunner_create(x509_suite());
		srunner_run_all(sr, CK_NORMAL);
		failed = srunner_ntests_failed(sr);
		srunner_free(sr);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	if (system(cmd) != 0)
		fprintf(stderr, "x509 test: could not remove %s\n", tdir);
	for (int t = 0; t < X509_KEY_MAX; t++)
		free(key_pem[t]);
	return failed == 0 ? 0 : 1;
}

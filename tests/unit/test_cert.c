/* test_cert.c - src/cert.c and src/report.c against a throwaway store.
 *
 * The CA is made in process with GnuTLS (a self-signed EC root, and a
 * second one to break chains), so certificates can carry any dates.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "store/lib.h"
#include "cert/lib.h"
#include "site/lib.h"
#include "base/lib.h"
#include "testutil.h"

#define DAY 86400L
#define TMPL "C=IT,O=INFN,OU=Host,L=Padova,CN=%h"

static struct store *st;

struct tca {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	char *pem;
};
static struct tca ca1, ca2;

/* Outside a test: no ck_assert here. */
#define MUST(x) \
	do { \
		int r_ = (x); \
		if (r_ < 0) { \
			fprintf(stderr, "%s: %s\n", #x, gnutls_strerror(r_)); \
			exit(1); \
		} \
	} while (0)

static void
tca_make(struct tca *c, const char *cn)
{
	gnutls_datum_t d;
	unsigned char serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	time_t now = time(NULL);

	MUST(gnutls_x509_privkey_init(&c->key));
	MUST(gnutls_x509_privkey_generate(c->key, GNUTLS_PK_ECDSA,
	                                  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
	MUST(gnutls_x509_crt_init(&c->crt));
	gnutls_x509_crt_set_version(c->crt, 3);
	gnutls_x509_crt_set_serial(c->crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(c->crt, now - 3650 * DAY);
	gnutls_x509_crt_set_expiration_time(c->crt, now + 3650 * DAY);
	gnutls_x509_crt_set_dn_by_oid(c->crt, GNUTLS_OID_X520_COUNTRY_NAME, 0, "IT", 2);
	gnutls_x509_crt_set_dn_by_oid(c->crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
	                              (unsigned)strlen(cn));
	gnutls_x509_crt_set_key(c->crt, c->key);
	gnutls_x509_crt_set_basic_constraints(c->crt, 1, -1);
	gnutls_x509_crt_set_key_usage(c->crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
	MUST(gnutls_x509_crt_sign2(c->crt, c->crt, c->key, GNUTLS_DIG_SHA256, 0));
	MUST(gnutls_x509_crt_export2(c->crt, GNUTLS_X509_FMT_PEM, &d));
	c->pem = strndup((char *)d.data, d.size);
	gnutls_free(d.data);
}

static void
tca_free(struct tca *c)
{
	gnutls_x509_crt_deinit(c->crt);
	gnutls_x509_privkey_deinit(c->key);
	free(c->pem);
}

/* The CA signs a request with chosen dates; parsed result. */
static struct x509_cert_list *
tca_sign(struct tca *c, const char *csr_pem, time_t nb, time_t na)
{
	static unsigned char n = 10;
	gnutls_x509_crq_t crq;
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = { (unsigned char *)csr_pem, (unsigned)strlen(csr_pem) };
	unsigned char serial[4] = { 0x11, 0x22, 0x33, n++ };
	struct x509_cert_list *l = NULL;
	struct pt_err err = { 0 };

	ck_assert_int_eq(gnutls_x509_crq_init(&crq), 0);
	ck_assert_int_eq(gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_crq(crt, crq), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_crq_extensions(crt, crq), 0);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(crt, nb);
	gnutls_x509_crt_set_expiration_time(crt, na);
	gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
	ck_assert_int_eq(gnutls_x509_crt_sign2(crt, c->crt, c->key, GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &d), 0);
	ck_assert_int_eq(x509_certs_parse(d.data, d.size, &l, &err), PT_OK);
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_crq_deinit(crq);
	return l;
}

static void
setup(void)
{
	tmp_setup();
	st = new_store();
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
}

static void
teardown(void)
{
	store_close(&st);
	tmp_teardown();
}

static void
host(const char *fqdn)
{
	ck_assert_int_eq(model_host_add(st, fqdn, NULL, 22, NULL, 0, NULL), PT_OK);
}

static void
add_ca(const char *name, struct tca *c, const char *key)
{
	struct pt_err err = { 0 };

	ck_assert_msg(cert_ca_add(st, name, (unsigned char *)c->pem, strlen(c->pem), TMPL, key,
	                          &err) == PT_OK,
	              "%s", err.detail);
}

/* Request for fqdn and return the CA-signed certificate. */
static struct x509_cert_list *
request_and_sign(const char *fqdn, const char *ca, struct tca *c, time_t nb, time_t na)
{
	struct cert_request_opts o = { .ca = ca };
	struct cert_request_info ri;
	struct pt_err err = { 0 };
	struct x509_cert_list *l;
	char *csr = NULL;

	ck_assert_msg(cert_request_create(st, fqdn, &o, &ri, &err) == PT_OK, "%s", err.detail);
	cert_request_info_clear(&ri);
	ck_assert_int_eq(cert_request_csr(st, fqdn, &csr, &err), PT_OK);
	l = tca_sign(c, csr, nb, na);
	free(csr);
	return l;
}

static void
import_ok(const struct x509_cert *x, enum cert_outcome want)
{
	enum cert_outcome oc;
	struct pt_err err = { 0 };
	char *fqdn = NULL;

	ck_assert_msg(cert_import_one(st, x, &oc, &fqdn, &err) == PT_OK, "%s", err.detail);
	ck_assert_int_eq(oc, want);
	free(fqdn);
}

/* ---- CAs ---------------------------------------------------------------- */

static int
count_cb(const struct cert_ca *ca, void *ud)
{
	(void)ca;
	(*(int *)ud)++;
	return 0;
}

START_TEST(test_ca)
{
	struct pt_err err = { 0 };
	int n = 0;

	ck_assert_int_eq(cert_ca_add(st, "bad name", (unsigned char *)ca1.pem, strlen(ca1.pem),
	                             NULL, NULL, &err),
	                 PT_INVALID);
	ck_assert_int_eq(cert_ca_add(st, "x", (unsigned char *)"junk", 4, NULL, NULL, &err),
	                 PT_INVALID);
	ck_assert_int_eq(cert_ca_add(st, "x", (unsigned char *)ca1.pem, strlen(ca1.pem), "CN=%q",
	                             NULL, &err),
	                 PT_INVALID);
	ck_assert_int_eq(cert_ca_add(st, "x", (unsigned char *)ca1.pem, strlen(ca1.pem), NULL,
	                             "dsa", &err),
	                 PT_INVALID);
	add_ca("infn", &ca1, NULL);
	ck_assert_int_eq(cert_ca_add(st, "infn", (unsigned char *)ca2.pem, strlen(ca2.pem), NULL,
	                             NULL, &err),
	                 PT_EXISTS);
	ck_assert_int_eq(cert_ca_foreach(st, count_cb, &n, &err), PT_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(cert_ca_get(st, "nope", count_cb, &n, &err), PT_NOTFOUND);
	store_rollback(st);
	ck_assert_int_eq(cert_ca_add(st, "y", (unsigned char *)ca1.pem, strlen(ca1.pem), NULL, NULL,
	                             &err),
	                 PT_ERR); /* outside a transaction */
}
END_TEST

/* ---- requests ------------------------------------------------------------- */

START_TEST(test_request)
{
	struct cert_request_opts o = { 0 };
	struct cert_request_info ri;
	struct pt_err err = { 0 };
	char *csr = NULL;
	unsigned char id[X509_ID_LEN];

	host("a.example.org");
	ck_assert_int_eq(cert_request_create(st, "a.example.org", &o, &ri, &err), PT_NOTFOUND);
	add_ca("infn", &ca1, "ec:p256");
	ck_assert_int_eq(cert_request_create(st, "nope.example.org", &o, &ri, &err), PT_NOTFOUND);
	ck_assert_msg(cert_request_create(st, "a.example.org", &o, &ri, &err) == PT_OK, "%s",
	              err.detail);
	ck_assert_str_eq(ri.ca, "infn");
	ck_assert_str_eq(ri.keytype, "ec:p256");
	ck_assert_str_eq(ri.subject, "/C=IT/O=INFN/OU=Host/L=Padova/CN=a.example.org");
	ck_assert_str_eq(ri.sans, "a.example.org");
	cert_request_info_clear(&ri);
	ck_assert_int_eq(cert_request_create(st, "a.example.org", &o, &ri, &err), PT_REFUSED);
	ck_assert_ptr_nonnull(strstr(err.detail, "already has a pending request"));
	ck_assert_int_eq(cert_request_csr(st, "a.example.org", &csr, &err), PT_OK);
	ck_assert_ptr_nonnull(strstr(csr, "CERTIFICATE REQUEST"));
	ck_assert_ptr_null(strstr(csr, "PRIVATE"));
	ck_assert_int_eq(x509_csr_key_id(csr, id, &err), PT_OK);
	free(csr);
	ck_assert_int_eq(cert_request_cancel(st, "a.example.org", &err), PT_OK);
	ck_assert_int_eq(cert_request_cancel(st, "a.example.org", &err), PT_NOTFOUND);
	ck_assert_int_eq(cert_request_csr(st, "a.example.org", &csr, &err), PT_NOTFOUND);
	add_ca("second", &ca2, NULL);
	ck_assert_int_eq(cert_request_create(st, "a.example.org", &o, &ri, &err), PT_USAGE);
	o.ca = "second";
	o.keytype = "ec:p384";
	ck_assert_int_eq(cert_request_create(st, "a.example.org", &o, &ri, &err), PT_OK);
	ck_assert_str_eq(ri.keytype, "ec:p384");
	cert_request_info_clear(&ri);
}
END_TEST

/* The CSR decoded for the console, and written to a file: an existing
 * file is refused and stays as it was; a written CSR is audited. */
START_TEST(test_request_facts_and_save)
{
	struct cert_request_opts o = { 0 };
	struct cert_request_info ri;
	struct x509_csr_facts f;
	struct pt_err err = { 0 };
	const char *sans[] = { "alias.example.org" };
	char *csr = NULL, path[300], buf[64] = "";
	FILE *fp;

	host("a.example.org");
	add_ca("infn", &ca1, "ec:p256");
	o.sans = sans;
	o.nsans = 1;
	ck_assert_int_eq(cert_request_create(st, "a.example.org", &o, &ri, &err), PT_OK);
	cert_request_info_clear(&ri);
	ck_assert_int_eq(cert_request_csr(st, "a.example.org", &csr, &err), PT_OK);
	ck_assert_msg(x509_csr_facts(csr, &f, &err) == PT_OK, "%s", err.detail);
	ck_assert_str_eq(f.subject_grid, "/C=IT/O=INFN/OU=Host/L=Padova/CN=a.example.org");
	ck_assert_uint_eq(f.nsans, 2);
	ck_assert_str_eq(f.sans[0], "DNS:a.example.org");
	ck_assert_str_eq(f.sans[1], "DNS:alias.example.org");
	ck_assert_str_eq(f.key_algo, "EC");
	ck_assert(f.key_known && f.key_type == X509_KEY_EC_P256);
	ck_assert(f.sig_ok);
	x509_csr_facts_clear(&f);
	ck_assert_int_eq(x509_csr_facts("junk", &f, &err), PT_INVALID);
	ck_assert_ptr_null(f.subject);

	snprintf(path, sizeof path, "%s/a.csr", test_dir);
	fp = fopen(path, "w");
	fputs("keep me", fp);
	fclose(fp);
	ck_assert_int_eq(cert_request_save(st, "a.example.org", path, false, &err), PT_EXISTS);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(buf, sizeof buf, fp));
	fclose(fp);
	ck_assert_str_eq(buf, "keep me");
	ck_assert_int_eq(cert_request_save(st, "b.example.org", path, true, &err), PT_NOTFOUND);
	ck_assert_int_eq(cert_request_save(st, "a.example.org", path, true, &err), PT_OK);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(buf, sizeof buf, fp));
	fclose(fp);
	ck_assert_str_eq(buf, "-----BEGIN NEW CERTIFICATE REQUEST-----\n");
	free(csr);
}
END_TEST

/* ---- import, supersede, status -------------------------------------------- */

struct seen {
	int n;
	char fqdn[8][64], state[8][16], ca[8][16];
	enum x509_band band[8];
	bool key[8], chain[8];
};

static int
status_cb(const struct cert_status *cs, void *ud)
{
	struct seen *s = ud;

	if (s->n < 8) {
		snprintf(s->fqdn[s->n], 64, "%s", cs->fqdn);
		snprintf(s->state[s->n], 16, "%s", cs->state);
		snprintf(s->ca[s->n], 16, "%s", cs->ca);
		s->band[s->n] = cs->band;
		s->key[s->n] = cs->key_match;
		s->chain[s->n] = cs->chain_ok;
	}
	s->n++;
	return 0;
}

START_TEST(import_keeps_matches_and_refuses_a_stranger)
{
	struct x509_cert_list *a1, *a2, *b, *stranger;
	struct pt_err err = { 0 };
	struct seen s = { 0 };
	enum cert_outcome oc;
	time_t now = time(NULL);
	char *key = NULL, *csr = NULL;
	int64_t bad, rows;

	host("a.example.org");
	host("b.example.org");
	add_ca("infn", &ca1, "ec:p256");
	a1 = request_and_sign("a.example.org", NULL, &ca1, now - 10 * DAY, now + 100 * DAY);
	import_ok(&a1->certs[0], CERT_STORED);
	import_ok(&a1->certs[0], CERT_DUPLICATE);
	ck_assert_int_eq(cert_request_csr(st, "a.example.org", &csr, &err), PT_NOTFOUND);
	/* a renewal from the same key supersedes */
	ck_assert_int_eq(store_exec(st, "UPDATE requests SET state = 'pending'", &err), PT_OK);
	ck_assert_int_eq(cert_request_csr(st, "a.example.org", &csr, &err), PT_OK);
	a2 = tca_sign(&ca1, csr, now - DAY, now + 5 * DAY);
	free(csr);
	/* it expires before a1: current only when told (--make-current) */
	cert_import_make_current(true);
	import_ok(&a2->certs[0], CERT_STORED);
	cert_import_make_current(false);
	/* an older one imported later stays superseded */
	x509_cert_list_free(&a1);
	ck_assert_int_eq(cert_request_csr(st, "a.example.org", &csr, &err), PT_NOTFOUND);
	/* b from the wrong CA */
	b = request_and_sign("b.example.org", NULL, &ca2, now + DAY, now + 50 * DAY);
	import_ok(&b->certs[0], CERT_STORED);
	/* a stranger's certificate */
	ck_assert_int_eq(x509_key_generate(X509_KEY_EC_P256, NULL, NULL, &key, &err), PT_OK);
	ck_assert_int_eq(x509_csr_create(key, "CN=%h", "c.example.org", NULL, 0, &csr, &err),
	                 PT_OK);
	secmem_free(key);
	stranger = tca_sign(&ca1, csr, now, now + DAY);
	free(csr);
	ck_assert_int_eq(cert_import_one(st, &stranger->certs[0], &oc, NULL, &err), PT_MISMATCH);
	ck_assert_int_eq(oc, CERT_NO_KEY);
	ck_assert_ptr_nonnull(strstr(err.detail, "/CN=c.example.org"));
	ck_assert_ptr_nonnull(strstr(err.detail, "matches no key in the store"));

	ck_assert_int_eq(cert_status_foreach(st, NULL, false, -1, now, status_cb, &s, &err), PT_OK);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.fqdn[0], "a.example.org");
	ck_assert_int_eq(s.band[0], X509_BAND_CRITICAL);
	ck_assert(s.key[0] && s.chain[0]);
	ck_assert_str_eq(s.ca[0], "infn");
	ck_assert_str_eq(s.fqdn[1], "b.example.org");
	ck_assert_int_eq(s.band[1], X509_BAND_NOT_YET_VALID);
	ck_assert(s.key[1] && !s.chain[1]);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(cert_status_foreach(st, "a.example.org", true, -1, now, status_cb, &s,
	                                     &err),
	                 PT_OK);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.state[0], "current");
	ck_assert_str_eq(s.state[1], "superseded");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(cert_status_foreach(st, NULL, false, 10, now, status_cb, &s, &err), PT_OK);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(cert_status_foreach(st, "nope.example.org", false, -1, now, status_cb, &s,
	                                     &err),
	                 PT_NOTFOUND);
	/* thresholds are settings */
	ck_assert_int_eq(settings_set(st, "cert.critical_days", "2", &err), PT_OK);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(cert_status_foreach(st, "a.example.org", false, -1, now, status_cb, &s,
	                                     &err),
	                 PT_OK);
	ck_assert_int_eq(s.band[0], X509_BAND_WARNING);

	ck_assert_int_eq(audit_verify(st, &bad, &rows, &err), PT_OK);
	x509_cert_list_free(&a2);
	x509_cert_list_free(&b);
	x509_cert_list_free(&stranger);
}
END_TEST

/* A batch rolled back leaves nothing behind, not even in the statements
 * and the audit head the import keeps between certificates: the same
 * batch imports again in full, and the trail verifies after commit. */
START_TEST(test_import_rollback_then_commit)
{
	struct x509_cert_list *l[4];
	struct pt_err err = { 0 };
	time_t now = time(NULL);
	const char *names[4] = { "r1.example.org", "r2.example.org", "r3.example.org",
		                 "r4.example.org" };
	int64_t bad, rows, before;

	add_ca("infn", &ca1, "ec:p256");
	for (int i = 0; i < 4; i++) {
		host(names[i]);
		l[i] = request_and_sign(names[i], NULL, &ca1, now - DAY, now + (10 + i) * DAY);
	}
	ck_assert_int_eq(store_commit(st, &err), PT_OK);
	ck_assert_int_eq(audit_verify(st, &bad, &before, &err), PT_OK);
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	for (int i = 0; i < 4; i++)
		import_ok(&l[i]->certs[0], CERT_STORED);
	store_rollback(st);
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	for (int i = 0; i < 4; i++)
		import_ok(&l[i]->certs[0], CERT_STORED);
	import_ok(&l[0]->certs[0], CERT_DUPLICATE);
	ck_assert_int_eq(store_commit(st, &err), PT_OK);
	ck_assert_msg(audit_verify(st, &bad, &rows, &err) == PT_OK, "%s", err.detail);
	ck_assert_int_eq(rows, before + 4);
	store_close(&st);
	st = reopen();
	ck_assert_msg(audit_verify(st, &bad, &rows, &err) == PT_OK, "%s", err.detail);
	ck_assert_int_eq(rows, before + 4);
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	for (int i = 0; i < 4; i++) {
		import_ok(&l[i]->certs[0], CERT_DUPLICATE);
		x509_cert_list_free(&l[i]);
	}
}
END_TEST

/* ---- adopt ----------------------------------------------------------------- */

START_TEST(test_adopt)
{
	struct x509_cert_list *l, *other;
	struct pt_err err = { 0 };
	enum cert_outcome oc;
	time_t now = time(NULL);
	char *key = NULL, *key2 = NULL, *csr = NULL, *ca = NULL;

	host("old.example.org");
	host("b.example.org");
	add_ca("infn", &ca1, NULL);
	ck_assert_int_eq(x509_key_generate(X509_KEY_EC_P256, NULL, NULL, &key, &err), PT_OK);
	ck_assert_int_eq(x509_key_generate(X509_KEY_EC_P256, NULL, NULL, &key2, &err), PT_OK);
	ck_assert_int_eq(x509_csr_create(key, "O=X,CN=%h", "old.example.org", NULL, 0, &csr, &err),
	                 PT_OK);
	l = tca_sign(&ca1, csr, now - DAY, now + 300 * DAY);
	free(csr);
	ck_assert_int_eq(x509_csr_create(key2, "CN=%h", "b.example.org", NULL, 0, &csr, &err),
	                 PT_OK);
	other = tca_sign(&ca1, csr, now - DAY, now + 300 * DAY);
	free(csr);
	ck_assert_int_eq(cert_adopt(st, "old.example.org", key2, l, &ca, &oc, &err), PT_MISMATCH);
	ck_assert_int_eq(cert_adopt(st, "b.example.org", key, l, &ca, &oc, &err), PT_MISMATCH);
	ck_assert_ptr_nonnull(strstr(err.detail, "does not name host b.example.org"));
	ck_assert_int_eq(cert_adopt(st, "nope.example.org", key, l, &ca, &oc, &err), PT_NOTFOUND);
	ck_assert_msg(cert_adopt(st, "old.example.org", key, l, &ca, &oc, &err) == PT_OK, "%s",
	              err.detail);
	ck_assert_str_eq(ca, "infn");
	ck_assert_int_eq(oc, CERT_STORED);
	free(ca);
	ck_assert_int_eq(cert_adopt(st, "old.example.org", key, l, &ca, &oc, &err), PT_EXISTS);
	/* the other certificate's key is not stored */
	ck_assert_int_eq(cert_import_one(st, &other->certs[0], &oc, NULL, &err), PT_MISMATCH);
	secmem_free(key);
	secmem_free(key2);
	x509_cert_list_free(&l);
	x509_cert_list_free(&other);
}
END_TEST

/* ---- report ---------------------------------------------------------------- */

struct rep {
	int n;
	char fqdn[8][64];
	enum x509_band band[8];
};

static int
rep_cb(const struct report_row *r, void *ud)
{
	struct rep *p = ud;

	if (p->n < 8) {
		snprintf(p->fqdn[p->n], 64, "%s", r->fqdn);
		p->band[p->n] = r->band;
	}
	p->n++;
	return 0;
}

/* The report as of now, the test's own clock: a second passing between
 * the signing and the report (slow signing under the sanitizers) must
 * not turn -3 days left into -4. */
static char *
write_report(enum report_format fmt, time_t now, long days, size_t *count)
{
	struct pt_err err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_expiry_write(st, f, fmt, now, days, count, &err), PT_OK);
	fclose(f);
	return buf;
}

START_TEST(test_report)
{
	static const char *hosts[] = { "late.example.org", "expired.example.org",
		                       "soon.example.org", "mid,\"quoted\".example.org" };
	static const long na[] = { 400, -3, 5, 60 };
	struct x509_cert_list *l;
	struct pt_err err = { 0 };
	struct rep p = { 0 };
	time_t now = time(NULL);
	size_t n;
	char *out;

	add_ca("infn", &ca1, "ec:p256");
	for (int i = 0; i < 4; i++) {
		/* the host table takes any name; the CSR needs a DNS one */
		const char *dns = i == 3 ? "mid.example.org" : hosts[i];
		host(dns);
		l = request_and_sign(dns, NULL, &ca1, now - 100 * DAY, now + na[i] * DAY);
		import_ok(&l->certs[0], CERT_STORED);
		x509_cert_list_free(&l);
	}
	ck_assert_int_eq(report_expiry_foreach(st, now, -1, rep_cb, &p, &err), PT_OK);
	ck_assert_int_eq(p.n, 4);
	ck_assert_str_eq(p.fqdn[0], "expired.example.org");
	ck_assert_int_eq(p.band[0], X509_BAND_EXPIRED);
	ck_assert_str_eq(p.fqdn[1], "soon.example.org");
	ck_assert_int_eq(p.band[1], X509_BAND_CRITICAL);
	ck_assert_str_eq(p.fqdn[2], "mid.example.org");
	ck_assert_int_eq(p.band[2], X509_BAND_OK);
	ck_assert_str_eq(p.fqdn[3], "late.example.org");
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(report_expiry_foreach(st, now, 10, rep_cb, &p, &err), PT_OK);
	ck_assert_int_eq(p.n, 2);

	out = write_report(REPORT_CSV, now, -1, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_msg(
		strncmp(out,
	                "host,not_after,days_left,band,subject,issuer,serial,not_before,ca\r\n",
	                66) == 0,
		"%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\r\nexpired.example.org,"));
	ck_assert_ptr_nonnull(
		strstr(out, ",-3,expired,/C=IT/O=INFN/OU=Host/L=Padova/CN=expired.example.org,"));
	free(out);
	out = write_report(REPORT_JSON, now, 10, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_msg(out[0] == '[' && strstr(out, "\"band\": \"critical\"") &&
	                      strstr(out, "\"ca\": \"infn\""),
	              "%s", out);
	free(out);
	out = write_report(REPORT_JSON, now, 0, &n);
	ck_assert_uint_eq(n, 1);
	free(out);
	/* an empty report is still valid JSON */
	ck_assert_int_eq(store_exec(st, "UPDATE certificates SET state = 'superseded'", &err),
	                 PT_OK);
	out = write_report(REPORT_JSON, now, -1, &n);
	ck_assert_str_eq(out, "[]\n");
	free(out);
	out = write_report(REPORT_TEXT, now, -1, &n);
	ck_assert_ptr_nonnull(strstr(out, "NOT AFTER"));
	free(out);
	(void)hosts;
}
END_TEST

struct text_rows {
	time_t now;
	char *expect;
	size_t len;
	FILE *f;
	int n;
	char fqdn[4][64];
};

/* The text line as printf wrote it before the report wrote its own */
static int
text_cb(const struct report_row *r, void *ud)
{
	struct text_rows *t = ud;
	char when[32];
	struct tm tm;

	gmtime_r(&r->not_after, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(t->f, "%s %6ld  %-13s  %-30s  %s\n", when, r->days_left, x509_band_name(r->band),
	        r->fqdn, r->subject);
	if (t->n < 4)
		snprintf(t->fqdn[t->n], 64, "%s", r->fqdn);
	t->n++;
	return 0;
}

/* Equal not-after dates come by host name, whatever the order of import;
 * the text columns pad (and a long name overflows) as printf's did. */
START_TEST(test_report_ties_and_text)
{
	static const char *hosts[] = { "zz.example.org",
		                       "a-very-long-host-name-over-thirty.example.org",
		                       "mm.example.org", "aa.example.org" };
	struct text_rows t = { .now = time(NULL) };
	struct x509_cert_list *l;
	struct pt_err err = { 0 };
	char *out = NULL, *body;
	size_t len = 0, n = 0;
	FILE *f;

	add_ca("infn", &ca1, "ec:p256");
	for (int i = 0; i < 4; i++) {
		host(hosts[i]);
		/* the last one expired: a negative day count */
		l = request_and_sign(hosts[i], NULL, &ca1, t.now - 100 * DAY,
		                     i == 3 ? t.now - 2 * DAY : t.now + 20 * DAY);
		import_ok(&l->certs[0], CERT_STORED);
		x509_cert_list_free(&l);
	}
	t.f = open_memstream(&t.expect, &t.len);
	ck_assert_int_eq(report_expiry_foreach(st, t.now, -1, text_cb, &t, &err), PT_OK);
	fclose(t.f);
	ck_assert_int_eq(t.n, 4);
	ck_assert_str_eq(t.fqdn[0], "aa.example.org");
	ck_assert_str_eq(t.fqdn[1], "a-very-long-host-name-over-thirty.example.org");
	ck_assert_str_eq(t.fqdn[2], "mm.example.org");
	ck_assert_str_eq(t.fqdn[3], "zz.example.org");
	f = open_memstream(&out, &len);
	ck_assert_int_eq(report_expiry_write(st, f, REPORT_TEXT, t.now, -1, &n, &err), PT_OK);
	fclose(f);
	ck_assert_uint_eq(n, 4);
	body = strchr(out, '\n');
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(body + 1, t.expect);
	ck_assert_ptr_nonnull(
		strstr(body, "     -2  expired        aa.example.org                  /C=IT/"));
	/* a window is the same rows, cut */
	free(out);
	f = open_memstream(&out, &len);
	ck_assert_int_eq(report_expiry_write(st, f, REPORT_TEXT, t.now, 0, &n, &err), PT_OK);
	fclose(f);
	ck_assert_uint_eq(n, 1);
	free(out);
	free(t.expect);
}
END_TEST

/* A 47-day certificate under shares of its lifetime, and days and shares
 * together: whichever threshold comes first. */
START_TEST(test_bands_by_share)
{
	const time_t nb = 1800000000, na = nb + 47 * 86400;
	struct x509_thresholds t = {
		.critical_days = 1, .warning_days = 1, .critical_pct = 10, .warning_pct = 33
	};

	ck_assert_int_eq(x509_band_at(nb, na, nb + 10 * 86400, &t, NULL), X509_BAND_OK);
	/* 33% of 47 days is 15.51 days: warning from then on */
	ck_assert_int_eq(x509_band_at(nb, na, na - 16 * 86400, &t, NULL), X509_BAND_OK);
	ck_assert_int_eq(x509_band_at(nb, na, na - 15 * 86400, &t, NULL), X509_BAND_WARNING);
	/* 10% is 4.7 days */
	ck_assert_int_eq(x509_band_at(nb, na, na - 5 * 86400, &t, NULL), X509_BAND_WARNING);
	ck_assert_int_eq(x509_band_at(nb, na, na - 4 * 86400, &t, NULL), X509_BAND_CRITICAL);
	ck_assert_int_eq(x509_band_at(nb, na, na + 1, &t, NULL), X509_BAND_EXPIRED);
	/* 30 days come before 33% of 47 */
	t.warning_days = 30;
	ck_assert_int_eq(x509_band_at(nb, na, na - 29 * 86400, &t, NULL), X509_BAND_WARNING);
	ck_assert_int_eq(x509_band_start(nb, na, 30, 33), na - 30 * 86400);
	/* and 33% of a year before 30 days */
	ck_assert_int_eq(x509_band_start(nb, nb + 365 * 86400, 30, 33),
	                 nb + 365 * 86400 - 365LL * 86400 * 33 / 100);
	ck_assert_str_eq(x509_band_name(X509_BAND_REVOKED), "revoked");
}
END_TEST

/* The policy parsers and the pattern match of the namespace check. */
START_TEST(test_igtf_policies)
{
	static const char ns[] = "# c\n"
				 "TO Issuer \"/C=IT/O=INFN/CN=INFN CA\" \\\n"
				 "  PERMIT Subject \"/C=IT/O=INFN/.*\" \\\n"
				 "  DENY Subject \"^/C=IT/O=INFN/CN=a\\.b$\"\n"
				 "TO Issuer SELF PERMIT Subject \"/DC=org/.*\"\n";
	static const char sp[] = " access_id_CA X509 '/C=IT/O=INFN/CN=INFN CA'\n"
				 " pos_rights globus CA:sign\n"
				 " cond_subjects globus '\"/C=IT/O=INFN/*\" \"/C=IT/O=X/?\"'\n";
	struct igtf_rules rs = { 0 };
	struct pt_err err = { 0 };

	ck_assert_int_eq(igtf_parse_namespaces("n", ns, strlen(ns), "/C=IT/CN=Self", &rs, &err),
	                 PT_OK);
	ck_assert_uint_eq(rs.n, 3);
	ck_assert_str_eq(rs.r[0].pattern, "/C=IT/O=INFN/*");
	ck_assert(rs.r[0].permit && !rs.r[1].permit);
	ck_assert_str_eq(rs.r[1].pattern, "/C=IT/O=INFN/CN=a\\.b");
	ck_assert_str_eq(rs.r[2].issuer, "/C=IT/CN=Self");
	ck_assert(igtf_pattern_match(rs.r[0].pattern, "/C=IT/O=INFN/CN=host.example.org"));
	ck_assert(!igtf_pattern_match(rs.r[0].pattern, "/C=IT/O=INFNX/CN=h"));
	ck_assert(igtf_pattern_match(rs.r[1].pattern, "/C=IT/O=INFN/CN=a.b"));
	ck_assert(!igtf_pattern_match(rs.r[1].pattern, "/C=IT/O=INFN/CN=axb"));
	igtf_rules_clear(&rs);
	ck_assert_int_eq(igtf_parse_signing_policy("s", sp, strlen(sp), &rs, &err), PT_OK);
	ck_assert_uint_eq(rs.n, 2);
	ck_assert(igtf_pattern_match(rs.r[1].pattern, "/C=IT/O=X/Z"));
	ck_assert(!igtf_pattern_match(rs.r[1].pattern, "/C=IT/O=X/ZZ"));
	igtf_rules_clear(&rs);
	/* errors name the file and the line where the statement starts */
	ck_assert_int_eq(igtf_parse_namespaces("f.namespaces", "\n\nTO Issuer \"/x\" ALLOW", 22,
	                                       NULL, &rs, &err),
	                 PT_INVALID);
	ck_assert_ptr_nonnull(strstr(err.detail, "f.namespaces:3:"));
	igtf_rules_clear(&rs);
}
END_TEST

static Suite *
cert_suite(void)
{
	Suite *s = suite_create("cert");
	TCase *tc = tcase_create("cert");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ca);
	tcase_add_test(tc, test_request);
	tcase_add_test(tc, test_request_facts_and_save);
	tcase_add_test(tc, import_keeps_matches_and_refuses_a_stranger);
	tcase_add_test(tc, test_import_rollback_then_commit);
	tcase_add_test(tc, test_adopt);
	tcase_add_test(tc, test_report);
	tcase_add_test(tc, test_report_ties_and_text);
	tcase_add_test(tc, test_bands_by_share);
	tcase_add_test(tc, test_igtf_policies);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int rc;

	tca_make(&ca1, "Unit Root CA");
	tca_make(&ca2, "Other Root CA");
	rc = run_suite(cert_suite());
	tca_free(&ca1);
	tca_free(&ca2);
	return rc;
}

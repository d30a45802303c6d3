/* bench_cert_gen.c - data for bench/bench_cert.sh (never part of the tests).
 *
 *   bench_cert_gen import DB N PEM DIR K
 *       a store at DB with N hosts, one CA (bundle written to DIR/ca.pem)
 *       and N pending ec:p256 requests made through cert_request_create;
 *       the CA signs every CSR in process: all N certificates go to PEM,
 *       the first K also one per file DIR/cK.pem (for the openssl loop).
 *   bench_cert_gen chain DB N DIR
 *       a store at DB whose CA bundle holds only a root, N hosts with
 *       pending requests, and N files DIR/fNNNNNN.pem, each a host's
 *       certificate followed by the two intermediates that issued it.
 *   bench_cert_gen report DB N
 *       a store at DB with N hosts, keys and current certificates with
 *       spread not-after dates, inserted as rows (the report reads
 *       columns only; the DER rows are dummies of a realistic size).
 *
 * The passphrase is "bench passphrase"; the KDF is cheap (8 MiB, 1 pass).
 */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert/lib.h"
#include "site/lib.h"
#include "store/lib.h"

#define PASS "bench passphrase"
#define DAY 86400L

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_cert_gen: %s: %s\n", what, detail);
	exit(1);
}

#define GT(x) \
	do { \
		int r_ = (x); \
		if (r_ < 0) \
			die(#x, gnutls_strerror(r_)); \
	} while (0)

static struct store *
create(const char *db)
{
	static const struct kdf_params kp = { 8 * 1024, 1, 1 };
	struct pt_err err = { 0 };
	struct store *st = NULL;

	remove(db);
	if (store_create(db, PASS, strlen(PASS), &kp, &st, &err) != PT_OK ||
	    store_begin(st, &err) != PT_OK)
		die("store", err.detail);
	return st;
}

static void
add_hosts(struct store *st, long n)
{
	struct pt_err err = { 0 };
	char name[64];

	for (long i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "h%06ld.bench.example.org", i);
		if (model_host_add(st, name, NULL, 22, NULL, 0, &err) != PT_OK)
			die("host add", err.detail);
	}
}

static int
cmd_import(const char *db, long n, const char *pem, const char *dir, long k)
{
	gnutls_x509_privkey_t cakey;
	gnutls_x509_crt_t ca;
	unsigned char serial[8] = { 1 };
	struct pt_err err = { 0 };
	struct store *st = create(db);
	time_t now = time(NULL);
	gnutls_datum_t d;
	char path[512], name[64];
	FILE *all, *f;

	GT(gnutls_x509_privkey_init(&cakey));
	GT(gnutls_x509_privkey_generate(cakey, GNUTLS_PK_ECDSA,
	                                GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
	GT(gnutls_x509_crt_init(&ca));
	GT(gnutls_x509_crt_set_version(ca, 3));
	GT(gnutls_x509_crt_set_serial(ca, serial, sizeof(serial)));
	GT(gnutls_x509_crt_set_activation_time(ca, now - 365 * DAY));
	GT(gnutls_x509_crt_set_expiration_time(ca, now + 3650 * DAY));
	GT(gnutls_x509_crt_set_dn_by_oid(ca, GNUTLS_OID_X520_COMMON_NAME, 0, "Bench CA", 8));
	GT(gnutls_x509_crt_set_key(ca, cakey));
	GT(gnutls_x509_crt_set_basic_constraints(ca, 1, -1));
	GT(gnutls_x509_crt_set_key_usage(ca, GNUTLS_KEY_KEY_CERT_SIGN));
	GT(gnutls_x509_crt_sign2(ca, ca, cakey, GNUTLS_DIG_SHA256, 0));
	GT(gnutls_x509_crt_export2(ca, GNUTLS_X509_FMT_PEM, &d));
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	if (!(f = fopen(path, "w")) || fwrite(d.data, 1, d.size, f) != d.size || fclose(f) != 0)
		die(path, "cannot write");
	if (cert_ca_add(st, "bench", d.data, d.size, "C=IT,O=Bench,CN=%h", "ec:p256", &err) !=
	    PT_OK)
		die("ca add", err.detail);
	gnutls_free(d.data);
	add_hosts(st, n);
	if (!(all = fopen(pem, "w")))
		die(pem, "cannot write");
	for (long i = 0; i < n; i++) {
		struct cert_request_opts o = { 0 };
		struct cert_request_info ri;
		gnutls_x509_crq_t crq;
		gnutls_x509_crt_t crt;
		char *csr = NULL;

		snprintf(name, sizeof(name), "h%06ld.bench.example.org", i);
		if (cert_request_create(st, name, &o, &ri, &err) != PT_OK ||
		    cert_request_csr(st, name, &csr, &err) != PT_OK)
			die(name, err.detail);
		cert_request_info_clear(&ri);
		d.data = (unsigned char *)csr;
		d.size = (unsigned)strlen(csr);
		GT(gnutls_x509_crq_init(&crq));
		GT(gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_PEM));
		GT(gnutls_x509_crt_init(&crt));
		GT(gnutls_x509_crt_set_crq(crt, crq));
		GT(gnutls_x509_crt_set_crq_extensions(crt, crq));
		GT(gnutls_x509_crt_set_version(crt, 3));
		serial[0] = 2;
		memcpy(serial + 1, &i, 4);
		GT(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)));
		GT(gnutls_x509_crt_set_activation_time(crt, now - DAY));
		GT(gnutls_x509_crt_set_expiration_time(crt, now + (1 + i % 400) * DAY));
		GT(gnutls_x509_crt_set_basic_constraints(crt, 0, -1));
		GT(gnutls_x509_crt_sign2(crt, ca, cakey, GNUTLS_DIG_SHA256, 0));
		GT(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d));
		fwrite(d.data, 1, d.size, all);
		if (i < k) {
			snprintf(path, sizeof(path), "%s/c%ld.pem", dir, i);
			if (!(f = fopen(path, "w")) || fwrite(d.data, 1, d.size, f) != d.size ||
			    fclose(f) != 0)
				die(path, "cannot write");
		}
		gnutls_free(d.data);
		gnutls_x509_crt_deinit(crt);
		gnutls_x509_crq_deinit(crq);
		free(csr);
	}
	if (fclose(all) != 0)
		die(pem, "cannot write");
	if (store_commit(st, &err) != PT_OK)
		die("commit", err.detail);
	store_close(&st);
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_privkey_deinit(cakey);
	return 0;
}

/* A CA certificate named cn with a new key: self-signed when issuer is
 * NULL, else signed by issuer/ikey.  PEM into *pem (gnutls_free). */
static void
make_ca(const char *cn, unsigned char sn, gnutls_x509_crt_t issuer, gnutls_x509_privkey_t ikey,
        gnutls_x509_crt_t *crt, gnutls_x509_privkey_t *key, gnutls_datum_t *pem)
{
	unsigned char serial[8] = { sn };
	time_t now = time(NULL);

	GT(gnutls_x509_privkey_init(key));
	GT(gnutls_x509_privkey_generate(*key, GNUTLS_PK_ECDSA,
	                                GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
	GT(gnutls_x509_crt_init(crt));
	GT(gnutls_x509_crt_set_version(*crt, 3));
	GT(gnutls_x509_crt_set_serial(*crt, serial, sizeof(serial)));
	GT(gnutls_x509_crt_set_activation_time(*crt, now - 365 * DAY));
	GT(gnutls_x509_crt_set_expiration_time(*crt, now + 3650 * DAY));
	GT(gnutls_x509_crt_set_dn_by_oid(*crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)));
	GT(gnutls_x509_crt_set_key(*crt, *key));
	GT(gnutls_x509_crt_set_basic_constraints(*crt, 1, -1));
	GT(gnutls_x509_crt_set_key_usage(*crt, GNUTLS_KEY_KEY_CERT_SIGN));
	GT(gnutls_x509_crt_sign2(*crt, issuer ? issuer : *crt, issuer ? ikey : *key,
	                         GNUTLS_DIG_SHA256, 0));
	GT(gnutls_x509_crt_export2(*crt, GNUTLS_X509_FMT_PEM, pem));
}

/* chain DB N DIR: a store whose CA bundle holds only the root, N hosts
 * with pending requests, and DIR/fNNNNNN.pem each holding a host's
 * certificate, then the two intermediates that issued it (as a CA's
 * "full chain" download has them). */
static int
cmd_chain(const char *db, long n, const char *dir)
{
	gnutls_x509_privkey_t rkey, k1, k2;
	gnutls_x509_crt_t root, int1, int2;
	gnutls_datum_t rpem, p1, p2, d;
	unsigned char serial[8] = { 3 };
	struct pt_err err = { 0 };
	struct store *st = create(db);
	time_t now = time(NULL);
	char path[512], name[64];
	FILE *f;

	make_ca("Bench Root", 1, NULL, NULL, &root, &rkey, &rpem);
	make_ca("Bench Int One", 2, root, rkey, &int1, &k1, &p1);
	make_ca("Bench Int Two", 3, int1, k1, &int2, &k2, &p2);
	if (cert_ca_add(st, "bench", rpem.data, rpem.size, "C=IT,O=Bench,CN=%h", "ec:p256", &err) !=
	    PT_OK)
		die("ca add", err.detail);
	add_hosts(st, n);
	for (long i = 0; i < n; i++) {
		struct cert_request_opts o = { 0 };
		struct cert_request_info ri;
		gnutls_x509_crq_t crq;
		gnutls_x509_crt_t crt;
		char *csr = NULL;

		snprintf(name, sizeof(name), "h%06ld.bench.example.org", i);
		if (cert_request_create(st, name, &o, &ri, &err) != PT_OK ||
		    cert_request_csr(st, name, &csr, &err) != PT_OK)
			die(name, err.detail);
		cert_request_info_clear(&ri);
		d.data = (unsigned char *)csr;
		d.size = (unsigned)strlen(csr);
		GT(gnutls_x509_crq_init(&crq));
		GT(gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_PEM));
		GT(gnutls_x509_crt_init(&crt));
		GT(gnutls_x509_crt_set_crq(crt, crq));
		GT(gnutls_x509_crt_set_crq_extensions(crt, crq));
		GT(gnutls_x509_crt_set_version(crt, 3));
		memcpy(serial + 1, &i, 4);
		GT(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)));
		GT(gnutls_x509_crt_set_activation_time(crt, now - DAY));
		GT(gnutls_x509_crt_set_expiration_time(crt, now + (1 + i % 400) * DAY));
		GT(gnutls_x509_crt_set_basic_constraints(crt, 0, -1));
		GT(gnutls_x509_crt_sign2(crt, int2, k2, GNUTLS_DIG_SHA256, 0));
		GT(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d));
		snprintf(path, sizeof(path), "%s/f%06ld.pem", dir, i);
		if (!(f = fopen(path, "w")) || fwrite(d.data, 1, d.size, f) != d.size ||
		    fwrite(p2.data, 1, p2.size, f) != p2.size ||
		    fwrite(p1.data, 1, p1.size, f) != p1.size || fclose(f) != 0)
			die(path, "cannot write");
		gnutls_free(d.data);
		gnutls_x509_crt_deinit(crt);
		gnutls_x509_crq_deinit(crq);
		free(csr);
	}
	if (store_commit(st, &err) != PT_OK)
		die("commit", err.detail);
	store_close(&st);
	gnutls_free(rpem.data);
	gnutls_free(p1.data);
	gnutls_free(p2.data);
	gnutls_x509_crt_deinit(root);
	gnutls_x509_crt_deinit(int1);
	gnutls_x509_crt_deinit(int2);
	gnutls_x509_privkey_deinit(rkey);
	gnutls_x509_privkey_deinit(k1);
	gnutls_x509_privkey_deinit(k2);
	return 0;
}

static int
cmd_report(const char *db, long n)
{
	struct pt_err err = { 0 };
	struct store *st = create(db);
	sqlite3_stmt *k = NULL, *c = NULL, *d = NULL;
	unsigned char der[700];
	time_t now = time(NULL);
	char kid[96], sub[128], sha[128], ser[40];

	add_hosts(st, n);
	if (store_exec(
		    st,
		    "INSERT INTO cas (id, name, bundle_pem, subject_tmpl, default_key, created_at)"
		    " VALUES (1, 'bench', '', 'CN=%h', 'ec:p256', 0)",
		    &err) != PT_OK)
		die("ca", err.detail);
	memset(der, 0x5a, sizeof(der));
	if (sqlite3_prepare_v2(
		    store_db(st),
		    "INSERT INTO keys (host_id, type, key_pem, key_id, origin, created_at)"
		    " VALUES (?, 'ec:p256', x'00', ?, 'generated', ?)",
		    -1, &k, NULL) ||
	    sqlite3_prepare_v2(
		    store_db(st),
		    "INSERT INTO certificates (host_id, key_ref, ca_id, subject, issuer, serial,"
		    " not_before, not_after, state, imported_at, fqdn, sha256)"
		    " VALUES (?1, ?1, 1, ?2, '/C=IT/O=Bench/CN=Bench Grid Host CA', ?3, ?4, ?5,"
		    " 'current', ?4, ?6, ?7)",
		    -1, &c, NULL) ||
	    sqlite3_prepare_v2(store_db(st),
	                       "INSERT INTO certificate_der (cert_id, der) VALUES (?, ?)", -1, &d,
	                       NULL))
		die("prepare", sqlite3_errmsg(store_db(st)));
	for (long i = 1; i <= n; i++) {
		snprintf(kid, sizeof(kid), "K%ld", i);
		/* realistic sizes: a Grid subject, a 16-byte serial, a SHA-256 text */
		snprintf(sub, sizeof(sub),
		         "/C=IT/O=INFN/OU=Host/L=Padova/CN=h%06ld.bench.example.org", i - 1);
		snprintf(sha, sizeof(sha), "%064lx", i);
		snprintf(ser, sizeof(ser), "%032lX", i * 2654435761UL);
		sqlite3_reset(k);
		sqlite3_bind_int64(k, 1, i);
		sqlite3_bind_text(k, 2, kid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(k, 3, now);
		sqlite3_reset(c);
		sqlite3_bind_int64(c, 1, i);
		sqlite3_bind_text(c, 2, sub, -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 3, ser, -1, SQLITE_STATIC);
		sqlite3_bind_int64(c, 4, now - DAY);
		/* a spread of dates, not in insertion order */
		sqlite3_bind_int64(c, 5, now + ((i * 7919) % 800 - 30) * DAY + i % 86400);
		sqlite3_bind_text(c, 6, sub + 33, -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 7, sha, -1, SQLITE_STATIC);
		sqlite3_reset(d);
		if (sqlite3_step(k) != SQLITE_DONE || sqlite3_step(c) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(store_db(st)));
		sqlite3_bind_int64(d, 1, sqlite3_last_insert_rowid(store_db(st)));
		sqlite3_bind_blob(d, 2, der, sizeof(der), SQLITE_STATIC);
		if (sqlite3_step(d) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(store_db(st)));
	}
	sqlite3_finalize(k);
	sqlite3_finalize(c);
	sqlite3_finalize(d);
	/* written behind the import path: into the console's listing */
	if (cert_list_sync(st, NULL, &err) != PT_OK)
		die("listing", err.detail);
	/* sealed in the trail, as keys stored by passtore are */
	if (rowmac_seal_all(st, ROWMAC_KEYS, &err) != PT_OK)
		die("seal the keys", err.detail);
	if (store_commit(st, &err) != PT_OK)
		die("commit", err.detail);
	store_close(&st);
	return 0;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* In one process: open (timed apart), then the report once to /dev/null. */
static int
cmd_time_report(const char *db, const char *fmt, long days)
{
	struct pt_err err = { 0 };
	struct store *st = NULL;
	enum report_format f = strcmp(fmt, "csv") == 0    ? REPORT_CSV
	                       : strcmp(fmt, "json") == 0 ? REPORT_JSON
	                                                  : REPORT_TEXT;
	FILE *out = fopen("/dev/null", "w");
	double t0 = now_ms(), t1;
	size_t n = 0;

	if (!out || store_open(db, PASS, strlen(PASS), &st, &err) != PT_OK)
		die("open", err.detail);
	t1 = now_ms();
	if (report_expiry_write(st, out, f, time(NULL), days, &n, &err) != PT_OK ||
	    fflush(out) != 0)
		die("report", err.detail);
	printf("%.0f %.0f %zu\n", t1 - t0, now_ms() - t1, n);
	fclose(out);
	store_close(&st);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "time-report") == 0)
		return cmd_time_report(argv[2], argv[3], atol(argv[4]));
	if (argc == 7 && strcmp(argv[1], "import") == 0)
		return cmd_import(argv[2], atol(argv[3]), argv[4], argv[5], atol(argv[6]));
	if (argc == 4 && strcmp(argv[1], "report") == 0)
		return cmd_report(argv[2], atol(argv[3]));
	if (argc == 5 && strcmp(argv[1], "chain") == 0)
		return cmd_chain(argv[2], atol(argv[3]), argv[4]);
	fprintf(stderr,
	        "usage: bench_cert_gen import DB N PEM DIR K | report DB N | chain DB N DIR\n");
	return 2;
}

/* bench_inventory.c - figures for the console's certificate list
 * (src/inventory.c): CPU time of one page of 25 rows read at the start
 * and deep in a store of N certificates, with the keyset continuation
 * and, for comparison, with OFFSET; never part of the tests.
 *
 *   bench_inventory DB N     make the store (N hosts, keys, certificates
 *                            and their DER: one real certificate's DER
 *                            for every row), then measure
 *
 * Prints the query plan of each order and, per case, the median CPU
 * milliseconds of 101 runs.  The passphrase is "bench passphrase"; the
 * KDF is cheap (8 MiB, 1 pass).
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
#define RUNS 101
#define PAGE 25

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_inventory: %s: %s\n", what, detail);
	exit(1);
}

#define GT(x) \
	do { \
		int r_ = (x); \
		if (r_ < 0) \
			die(#x, gnutls_strerror(r_)); \
	} while (0)

/* One self-signed certificate's DER, for every row. */
static gnutls_datum_t
one_der(void)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;
	unsigned char serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	time_t now = time(NULL);

	GT(gnutls_x509_privkey_init(&key));
	GT(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	                                GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
	GT(gnutls_x509_crt_init(&crt));
	GT(gnutls_x509_crt_set_version(crt, 3));
	GT(gnutls_x509_crt_set_serial(crt, serial, sizeof serial));
	GT(gnutls_x509_crt_set_activation_time(crt, now - DAY));
	GT(gnutls_x509_crt_set_expiration_time(crt, now + 365 * DAY));
	GT(gnutls_x509_crt_set_dn(crt, "C=IT,O=INFN,OU=Host,L=Padova,CN=h000000.bench.example.org",
	                          NULL));
	GT(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
	                                        "h000000.bench.example.org", 25, GNUTLS_FSAN_SET));
	GT(gnutls_x509_crt_set_key(crt, key));
	GT(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0));
	GT(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &d));
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return d;
}

static void
make(const char *db, long n)
{
	static const struct kdf_params kp = { 8 * 1024, 1, 1 };
	struct pt_err err = { 0 };
	struct store *st = NULL;
	sqlite3_stmt *h = NULL, *k = NULL, *c = NULL, *d = NULL;
	gnutls_datum_t der = one_der();
	time_t now = time(NULL);
	char name[64], kid[32], sub[128], sha[80], ser[40];

	remove(db);
	if (store_create(db, PASS, strlen(PASS), &kp, &st, &err) != PT_OK ||
	    store_begin(st, &err) != PT_OK)
		die("store", err.detail);
	if (store_exec(
		    st,
		    "INSERT INTO cas (id, name, bundle_pem, subject_tmpl, default_key, created_at)"
		    " VALUES (1, 'bench', '', 'CN=%h', 'ec:p256', 0)",
		    &err) != PT_OK)
		die("ca", err.detail);
	/* rows straight in: the screen reads columns, and the DER on screen */
	if (sqlite3_prepare_v2(store_db(st),
	                       "INSERT INTO hosts (id, fqdn, port, created_at, updated_at)"
	                       " VALUES (?1, ?2, 22, 0, 0)",
	                       -1, &h, NULL) ||
	    sqlite3_prepare_v2(
		    store_db(st),
		    "INSERT INTO keys (id, host_id, type, key_pem, key_id, origin, created_at)"
		    " VALUES (?1, ?1, 'ec:p256', x'00', ?2, 'generated', 0)",
		    -1, &k, NULL) ||
	    sqlite3_prepare_v2(
		    store_db(st),
		    "INSERT INTO certificates (id, host_id, key_ref, ca_id, subject, issuer, serial,"
		    " not_before, not_after, state, imported_at, fqdn, sha256)"
		    " VALUES (?1, ?1, ?1, 1, ?2, '/C=IT/O=Bench/CN=Bench CA', ?3, ?4, ?5,"
		    " 'current', ?4, ?6, ?7)",
		    -1, &c, NULL) ||
	    sqlite3_prepare_v2(store_db(st),
	                       "INSERT INTO certificate_der (cert_id, der) VALUES (?, ?)", -1, &d,
	                       NULL))
		die("prepare", sqlite3_errmsg(store_db(st)));
	for (long i = 1; i <= n; i++) {
		/* host names not in id order: the host order is not the id order */
		snprintf(name, sizeof name, "h%06ld.bench.example.org", (i * 7919) % n);
		snprintf(kid, sizeof kid, "K%ld", i);
		snprintf(sub, sizeof sub, "/C=IT/O=INFN/OU=Host/L=Padova/CN=%s", name);
		snprintf(sha, sizeof sha, "%064lx", i);
		snprintf(ser, sizeof ser, "%032lX", i * 2654435761UL);
		sqlite3_stmt *all[] = { h, k, c, d };
		for (int j = 0; j < 4; j++)
			sqlite3_reset(all[j]);
		sqlite3_bind_int64(h, 1, i);
		sqlite3_bind_text(h, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(k, 1, i);
		sqlite3_bind_text(k, 2, kid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(c, 1, i);
		sqlite3_bind_text(c, 2, sub, -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 3, ser, -1, SQLITE_STATIC);
		sqlite3_bind_int64(c, 4, now - DAY);
		sqlite3_bind_int64(c, 5, now + ((i * 7919) % 800 - 30) * DAY + i % 86400);
		sqlite3_bind_text(c, 6, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 7, sha, -1, SQLITE_STATIC);
		sqlite3_bind_int64(d, 1, i);
		sqlite3_bind_blob(d, 2, der.data, (int)der.size, SQLITE_STATIC);
		for (int j = 0; j < 4; j++)
			if (sqlite3_step(all[j]) != SQLITE_DONE)
				die("insert", sqlite3_errmsg(store_db(st)));
	}
	sqlite3_finalize(h);
	sqlite3_finalize(k);
	sqlite3_finalize(c);
	sqlite3_finalize(d);
	gnutls_free(der.data);
	/* written behind the import path: into the console's listing */
	if (cert_list_sync(st, NULL, &err) != PT_OK)
		die("listing", err.detail);
	if (store_commit(st, &err) != PT_OK)
		die("commit", err.detail);
	store_close(&st);
}

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct seen {
	size_t n, at;
	struct inv_key key; /* the key of row `at` */
};

static int
row_cb(const struct inv_cert_row *r, void *ud)
{
	struct seen *s = ud;

	if (s->n++ == s->at)
		s->key = r->key;
	return 0;
}

static double
time_page(struct store *st, const struct inv_filter *f, enum inv_order o,
          const struct inv_key *after, size_t *rows, int runs)
{
	double t[RUNS];
	struct pt_err err = { 0 };

	for (int i = 0; i < runs; i++) {
		struct seen s = { .at = (size_t)-1 };
		double t0 = cpu_ms();
		if (inv_cert_page(st, f, o, after, false, PAGE, time(NULL), row_cb, &s, &err) !=
		    PT_OK)
			die("page", err.detail);
		t[i] = cpu_ms() - t0;
		*rows = s.n;
	}
	qsort(t, (size_t)runs, sizeof *t, cmp_d);
	return t[runs / 2];
}

/* The same page by OFFSET, as a list without keys would read it. */
#define SLOW_RUNS 5 /* for the cases that take hundreds of ms */

static double
time_offset(struct store *st, const char *order, long offset)
{
	double t[RUNS];
	char sql[512];
	sqlite3_stmt *s = NULL;

	snprintf(sql, sizeof sql,
	         "SELECT c.id, h.fqdn, c.subject, c.state, coalesce(ca.name, ''), c.not_before,"
	         " c.not_after FROM hosts h JOIN certificates c ON c.host_id = h.id"
	         " LEFT JOIN cas ca ON ca.id = c.ca_id ORDER BY %s LIMIT %d OFFSET %ld",
	         order, PAGE, offset);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(store_db(st)));
	for (int i = 0; i < SLOW_RUNS; i++) {
		double t0 = cpu_ms();
		sqlite3_reset(s);
		while (sqlite3_step(s) == SQLITE_ROW)
			;
		t[i] = cpu_ms() - t0;
	}
	sqlite3_finalize(s);
	qsort(t, SLOW_RUNS, sizeof *t, cmp_d);
	return t[SLOW_RUNS / 2];
}

static void
plan(struct store *st, const char *label, const char *order, const char *keyset)
{
	char sql[768];
	sqlite3_stmt *s = NULL;

	snprintf(
		sql, sizeof sql,
		"EXPLAIN QUERY PLAN SELECT c.id FROM hosts h JOIN certificates c ON c.host_id = h.id"
		" LEFT JOIN cas ca ON ca.id = c.ca_id WHERE %s ORDER BY %s LIMIT 25",
		keyset, order);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		die("plan", sqlite3_errmsg(store_db(st)));
	printf("plan %s:", label);
	while (sqlite3_step(s) == SQLITE_ROW)
		printf(" [%s]", (const char *)sqlite3_column_text(s, 3));
	printf("\n");
	sqlite3_finalize(s);
}

/* What the key check costs per row: the whole parse x509.c does, and
 * GnuTLS's import and key id alone. */
static void
parse_cost(void)
{
	gnutls_datum_t der = one_der();
	unsigned char id[64];
	size_t idlen;
	double t0 = cpu_ms(), t1, t2;

	for (int i = 0; i < 1000; i++) {
		struct x509_cert_list *l = NULL;
		struct pt_err err = { 0 };
		if (x509_certs_parse(der.data, der.size, &l, &err) != PT_OK)
			die("parse", err.detail);
		x509_cert_list_free(&l);
	}
	t1 = cpu_ms();
	for (int i = 0; i < 1000; i++) {
		gnutls_x509_crt_t crt;
		GT(gnutls_x509_crt_init(&crt));
		GT(gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER));
		idlen = sizeof id;
		GT(gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, id, &idlen));
		gnutls_x509_crt_deinit(crt);
	}
	t2 = cpu_ms();
	printf("key check per row: x509_certs_parse %.1f us, import + key id %.1f us\n", t1 - t0,
	       t2 - t1);
	gnutls_free(der.data);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name, *order;
		enum inv_order o;
		const char *keyset;
	} orders[] = {
		{ "expiry", "c.not_after, c.id", INV_BY_EXPIRY, "(c.not_after, c.id) > (1, 1)" },
		{ "host", "h.fqdn, c.id", INV_BY_HOST, "(h.fqdn, c.id) > ('h', 1)" },
		{ "id", "c.id", INV_BY_ID, "c.id > 1" },
	};
	struct pt_err err = { 0 };
	struct store *st = NULL;
	long n;

	if (argc != 3 || (n = atol(argv[2])) < 100)
		die("usage", "bench_inventory DB N (N >= 100)");
	parse_cost();
	make(argv[1], n);
	if (store_open(argv[1], PASS, strlen(PASS), &st, &err) != PT_OK)
		die("open", err.detail);
	printf("store: %ld certificates; page: %d rows; median CPU ms of %d runs\n", n, PAGE, RUNS);
	for (size_t i = 0; i < sizeof orders / sizeof *orders; i++)
		plan(st, orders[i].name, orders[i].order, orders[i].keyset);
	for (size_t i = 0; i < sizeof orders / sizeof *orders; i++) {
		struct seen s = { .at = (size_t)(n * 9 / 10) };
		struct inv_filter keys = { .check_keys = true };
		size_t rows = 0;
		double first, deep, deepk, off;

		/* the key of the row 90% down, from one scan */
		if (inv_cert_page(st, NULL, orders[i].o, NULL, false, 0, time(NULL), row_cb, &s,
		                  &err) != PT_OK)
			die("scan", err.detail);
		first = time_page(st, NULL, orders[i].o, NULL, &rows, RUNS);
		deep = time_page(st, NULL, orders[i].o, &s.key, &rows, RUNS);
		deepk = time_page(st, &keys, orders[i].o, &s.key, &rows, RUNS);
		off = time_offset(st, orders[i].order, n * 9 / 10);
		printf("%-7s first page %.3f ms; page at 90%%: keyset %.3f ms (%zu rows), with key check"
		       " %.3f ms, OFFSET %.3f ms\n",
		       orders[i].name, first, deep, rows, deepk, off);
	}
	/* what the list model's counting pass reads when the screen opens */
	{
		double t[SLOW_RUNS];
		size_t rows = 0;
		for (int i = 0; i < SLOW_RUNS; i++) {
			struct seen s = { .at = (size_t)-1 };
			double t0 = cpu_ms();
			if (inv_cert_page(st, NULL, INV_BY_EXPIRY, NULL, false, 0, time(NULL),
			                  row_cb, &s, &err) != PT_OK)
				die("stream", err.detail);
			t[i] = cpu_ms() - t0;
			rows = s.n;
		}
		qsort(t, SLOW_RUNS, sizeof *t, cmp_d);
		printf("every row in the expiry order (the list's count): %zu rows in %.3f ms\n",
		       rows, t[SLOW_RUNS / 2]);
	}
	/* a filter keystroke: a rare match and one that matches every row */
	for (int i = 0; i < 2; i++) {
		struct inv_filter f = { .text = i ? "example" : "h0999" };
		size_t c = 0, rows = 0;
		double t0 = cpu_ms(), tc;
		if (inv_cert_count(st, &f, &c, &err) != PT_OK)
			die("count", err.detail);
		tc = cpu_ms() - t0;
		printf("filter \"%s\": count %zu in %.3f ms; first page by host %.3f ms, by expiry %.3f ms\n",
		       f.text, c, tc, time_page(st, &f, INV_BY_HOST, NULL, &rows, SLOW_RUNS),
		       time_page(st, &f, INV_BY_EXPIRY, NULL, &rows, SLOW_RUNS));
	}
	/* the certificates screen's listing (schema 6): what opening the
	 * screen and a filter keystroke cost, beside the target */
	{
		static const struct {
			const char *text;
			unsigned bands, states;
		} lf[] = {
			{ NULL, 0, 0 },      { "h0999", 0, 0 },
			{ "example", 0, 0 }, { "expired", 1u << X509_BAND_EXPIRED, 0 },
			{ "current", 0, 1 }, { "2026-1", 0, 0 },
			{ "1", 0, 0 },
		};
		for (size_t i = 0; i < sizeof lf / sizeof *lf; i++) {
			struct inv_list_filter f = { .text = lf[i].text,
				                     .bands = lf[i].bands,
				                     .states = lf[i].states };
			double t[SLOW_RUNS];
			size_t c = 0;
			f.numbers = f.text && strspn(f.text, "0123456789-") == strlen(f.text);
			for (int r = 0; r < SLOW_RUNS; r++) {
				struct seen s = { .at = (size_t)-1 };
				double t0 = cpu_ms();
				if (inv_list_count(st, &f, time(NULL), &c, &err) != PT_OK ||
				    inv_list_page(st, &f, NULL, false, PAGE, time(NULL), row_cb, &s,
				                  &err) != PT_OK)
					die("listing", err.detail);
				t[r] = cpu_ms() - t0;
			}
			qsort(t, SLOW_RUNS, sizeof *t, cmp_d);
			printf("listing, filter \"%s\": count %zu and first page in %.3f ms (target <= 20 ms)%s\n",
			       f.text ? f.text : "", c, t[SLOW_RUNS / 2],
			       t[SLOW_RUNS / 2] > 20 ? "  OVER" : "");
		}
	}
	store_close(&st);
	return 0;
}

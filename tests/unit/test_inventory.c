/* test_inventory.c - src/inventory.c on the demo site (src/demo.c): nine
 * certificates over every band, a pending request, and an install
 * written the way flows.c records one. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cert/lib.h"
#include "demo/demo.h"
#include "engine/lib.h"
#include "testutil.h"

#define DOM ".grid.example.org"

static struct store *st;

static void
setup(void)
{
	struct pt_err err = { 0 };

	tmp_setup();
	st = new_store();
	ck_assert_msg(demo_fill(st, &err) == PT_OK, "%s", err.detail);
}

static void
teardown(void)
{
	store_close(&st);
	tmp_teardown();
}

/* Rows as "host band days state": what the screen shows. */
struct rows {
	size_t n;
	char line[32][160];
	struct inv_key last;
	int64_t ids[32];
	bool key_match[32], key_checked[32];
};

static int
cert_cb(const struct inv_cert_row *r, void *ud)
{
	struct rows *w = ud;

	ck_assert_uint_lt(w->n, 32);
	snprintf(w->line[w->n], sizeof w->line[0], "%s %s %s %s %s", r->fqdn, r->cn,
	         x509_band_name(r->band), r->state, r->ca);
	w->ids[w->n] = r->id;
	w->key_match[w->n] = r->key_match;
	w->key_checked[w->n] = r->key_checked;
	w->last = r->key;
	w->n++;
	return 0;
}

static struct rows
page(const struct inv_filter *f, enum inv_order o, const struct inv_key *after, bool back,
     size_t limit)
{
	struct rows w = { 0 };
	struct pt_err err = { 0 };

	ck_assert_msg(inv_cert_page(st, f, o, after, back, limit, time(NULL), cert_cb, &w, &err) ==
	                      PT_OK,
	              "%s", err.detail);
	return w;
}

START_TEST(test_cert_rows)
{
	struct rows w = page(NULL, INV_BY_HOST, NULL, false, 0);

	ck_assert_uint_eq(w.n, 9);
	ck_assert_str_eq(w.line[0], "argus" DOM " argus" DOM " ok current demo-ca");
	ck_assert_str_eq(w.line[1], "ce01" DOM " ce01" DOM " expired current demo-ca");
	ck_assert_str_eq(w.line[2], "ce02" DOM " ce02" DOM " critical current demo-ca");
	ck_assert_str_eq(w.line[3], "ce03" DOM " ce03" DOM " warning current demo-ca");
	ck_assert_str_eq(w.line[8], "storm-fe" DOM " storm-fe" DOM " ok current demo-ca");
	/* no key check unless asked: a scan never parses certificates */
	ck_assert(!w.key_checked[0]);

	w = page(NULL, INV_BY_EXPIRY, NULL, false, 0);
	ck_assert_uint_eq(w.n, 9);
	ck_assert_str_eq(w.line[0], "ce01" DOM " ce01" DOM " expired current demo-ca");
	ck_assert_str_eq(w.line[3], "site-bdii" DOM " site-bdii" DOM " ok current demo-ca");
	ck_assert_str_eq(w.line[8], "squid" DOM " squid" DOM " ok current demo-ca");
}
END_TEST

/* Pages of 4 after each other's last key give the whole list, once. */
START_TEST(test_cert_keyset)
{
	for (int o = INV_BY_HOST; o <= INV_BY_ID; o++) {
		struct rows all = page(NULL, (enum inv_order)o, NULL, false, 0), p;
		struct inv_key after = { 0 };
		size_t seen = 0;

		do {
			p = page(NULL, (enum inv_order)o, &after, false, 4);
			for (size_t i = 0; i < p.n; i++, seen++)
				ck_assert_str_eq(p.line[i], all.line[seen]);
			after = p.last;
		} while (p.n == 4);
		ck_assert_uint_eq(seen, 9);
		/* backward from the last row: the rest, nearest first */
		p = page(NULL, (enum inv_order)o, &all.last, true, 3);
		ck_assert_uint_eq(p.n, 3);
		ck_assert_str_eq(p.line[0], all.line[7]);
		ck_assert_str_eq(p.line[2], all.line[5]);
	}
}
END_TEST

START_TEST(test_cert_filter)
{
	struct inv_filter f = { .text = "CE0" };
	struct pt_err err = { 0 };
	struct rows w = page(&f, INV_BY_HOST, NULL, false, 0);
	size_t n = 0;

	ck_assert_uint_eq(w.n, 3);
	ck_assert_int_eq(inv_cert_count(st, &f, &n, &err), PT_OK);
	ck_assert_uint_eq(n, 3);
	f.text = "Demo-CA"; /* the CA's name */
	ck_assert_uint_eq(page(&f, INV_BY_HOST, NULL, false, 0).n, 9);
	/* pattern characters are only themselves */
	f.text = "%";
	ck_assert_uint_eq(page(&f, INV_BY_HOST, NULL, false, 0).n, 0);
	f.text = "ce0_";
	ck_assert_uint_eq(page(&f, INV_BY_HOST, NULL, false, 0).n, 0);
	f.text = "/cn=SE0"; /* the subject, any case */
	ck_assert_uint_eq(page(&f, INV_BY_HOST, NULL, false, 0).n, 2);
	f.text = "no such thing";
	ck_assert_uint_eq(page(&f, INV_BY_HOST, NULL, false, 0).n, 0);
	ck_assert_int_eq(inv_cert_count(st, &f, &n, &err), PT_OK);
	ck_assert_uint_eq(n, 0);
	f.text = NULL;
	f.fqdn = "se01" DOM;
	w = page(&f, INV_BY_HOST, NULL, false, 0);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_str_eq(w.line[0], "se01" DOM " se01" DOM " ok current demo-ca");

	/* superseded certificates stay listed unless current_only */
	ck_assert_int_eq(store_exec(st,
	                            "UPDATE certificates SET state = 'superseded'"
	                            " WHERE fqdn = 'ce01" DOM "'",
	                            &err),
	                 PT_OK);
	f.fqdn = NULL;
	ck_assert_int_eq(inv_cert_count(st, &f, &n, &err), PT_OK);
	ck_assert_uint_eq(n, 9);
	f.current_only = true;
	ck_assert_int_eq(inv_cert_count(st, &f, &n, &err), PT_OK);
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(inv_cert_page(st, NULL, (enum inv_order)7, NULL, false, 0, time(NULL),
	                               cert_cb, &w, &err),
	                 PT_INVALID);
}
END_TEST

START_TEST(test_cert_keys)
{
	struct inv_filter f = { .check_keys = true };
	struct pt_err err = { 0 };
	struct rows w = page(&f, INV_BY_HOST, NULL, false, 0);

	for (size_t i = 0; i < w.n; i++)
		ck_assert(w.key_checked[i] && w.key_match[i]);
	/* a key row changed behind passtore's back no longer matches */
	ck_assert_int_eq(store_exec(st,
	                            "UPDATE keys SET key_id = 'AB:CD' WHERE id ="
	                            " (SELECT key_ref FROM certificates WHERE fqdn = 'ce02" DOM
	                            "')",
	                            &err),
	                 PT_OK);
	w = page(&f, INV_BY_HOST, NULL, false, 0);
	ck_assert(w.key_match[1]);
	ck_assert(!w.key_match[2]);

	/* the same check for the rows a screen shows */
	int64_t ids[3] = { w.ids[1], w.ids[2], 99999 };
	int m[3] = { 7, 7, 7 };
	ck_assert_int_eq(inv_cert_keys(st, ids, 3, m, &err), PT_OK);
	ck_assert_int_eq(m[0], 1);
	ck_assert_int_eq(m[1], 0);
	ck_assert_int_eq(m[2], -1);
}
END_TEST

/* ---- requests ---- */

static int
req_cb(const struct inv_req_row *r, void *ud)
{
	struct rows *w = ud;

	snprintf(w->line[w->n], sizeof w->line[0], "%s %s %s %s %ld", r->fqdn, r->ca, r->keytype,
	         r->state, r->age_days);
	w->last = r->key;
	w->n++;
	return 0;
}

START_TEST(test_requests)
{
	struct inv_filter f = { .pending_only = true };
	struct pt_err err = { 0 };
	struct rows w = { 0 };
	size_t n = 0;

	ck_assert_int_eq(inv_req_page(st, &f, INV_BY_HOST, NULL, false, 0, time(NULL), req_cb, &w,
	                              &err),
	                 PT_OK);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_str_eq(w.line[0], "apel" DOM " demo-ca ec:p256 pending 0");
	/* eight days later it is eight days old */
	w.n = 0;
	ck_assert_int_eq(inv_req_page(st, &f, INV_BY_HOST, NULL, false, 0, time(NULL) + 8 * 86400,
	                              req_cb, &w, &err),
	                 PT_OK);
	ck_assert_str_eq(w.line[0], "apel" DOM " demo-ca ec:p256 pending 8");
	/* every request: the nine issued ones too, paged */
	f.pending_only = false;
	ck_assert_int_eq(inv_req_count(st, &f, &n, &err), PT_OK);
	ck_assert_uint_eq(n, 10);
	w.n = 0;
	ck_assert_int_eq(inv_req_page(st, &f, INV_BY_HOST, NULL, false, 6, time(NULL), req_cb, &w,
	                              &err),
	                 PT_OK);
	ck_assert_uint_eq(w.n, 6);
	struct inv_key after = w.last;
	w.n = 0;
	ck_assert_int_eq(inv_req_page(st, &f, INV_BY_HOST, &after, false, 6, time(NULL), req_cb, &w,
	                              &err),
	                 PT_OK);
	ck_assert_uint_eq(w.n, 4);
	ck_assert_str_eq(w.line[3], "storm-fe" DOM " demo-ca ec:p256 issued 0");
	f.text = "EC:P256";
	ck_assert_int_eq(inv_req_count(st, &f, &n, &err), PT_OK);
	ck_assert_uint_eq(n, 10);
	f.text = "squid";
	ck_assert_int_eq(inv_req_count(st, &f, &n, &err), PT_OK);
	ck_assert_uint_eq(n, 1);
}
END_TEST

/* ---- one certificate, installs, a host's keys and windows ---- */

struct got_detail {
	char subject[256], issuer[256], serial[128], sans[256], ca[64];
	bool key_match, chain_ok;
	long days;
	size_t ninst;
	char inst[256];
};

static int
detail_cb(const struct inv_cert_detail *d, void *ud)
{
	struct got_detail *g = ud;

	snprintf(g->subject, sizeof g->subject, "%s", d->cs->x->subject_grid);
	snprintf(g->issuer, sizeof g->issuer, "%s", d->cs->x->issuer_grid);
	snprintf(g->serial, sizeof g->serial, "%s", d->serial_hex);
	snprintf(g->sans, sizeof g->sans, "%s", d->cs->x->nsans ? d->cs->x->sans[0] : "");
	snprintf(g->ca, sizeof g->ca, "%s", d->cs->ca);
	g->key_match = d->cs->key_match;
	g->chain_ok = d->cs->chain_ok;
	g->days = d->cs->days_left;
	g->ninst = d->ninstalls;
	if (d->ninstalls)
		snprintf(g->inst, sizeof g->inst, "%s %s %s %.1f", d->installs[0].cert_path,
		         d->installs[0].window_tag, d->installs[0].outcome,
		         d->installs[0].exposure_ms);
	return 0;
}

static int
key_cb(const struct inv_key_row *k, void *ud)
{
	struct rows *w = ud;

	snprintf(w->line[w->n++], sizeof w->line[0], "%s %s %s", k->type, k->origin, k->used_by);
	return 0;
}

static int
win_cb(const struct window_info *wi, void *ud)
{
	struct rows *w = ud;

	snprintf(w->line[w->n++], sizeof w->line[0], "%s %s %s %.1f", wi->purpose, wi->peer,
	         wi->outcome, wi->exposure_ms);
	return 0;
}

START_TEST(test_detail)
{
	struct inv_filter f = { .fqdn = "ce02" DOM };
	struct pt_err err = { 0 };
	struct rows w = page(&f, INV_BY_HOST, NULL, false, 0), k = { 0 }, win = { 0 };
	struct got_detail g = { 0 };
	char sql[512];

	ck_assert_uint_eq(w.n, 1);
	ck_assert_msg(inv_cert_detail(st, w.ids[0], time(NULL), detail_cb, &g, &err) == PT_OK, "%s",
	              err.detail);
	ck_assert_str_eq(g.subject, "/C=IT/O=Example Grid/OU=Host/L=Demo/CN=ce02" DOM);
	ck_assert_str_eq(g.issuer, "/C=IT/O=Example Grid/CN=Example Grid Demo CA");
	ck_assert_str_eq(g.serial, "03"); /* the demo CA signs with serials 2, 3, ... */
	ck_assert_str_eq(g.sans, "DNS:ce02" DOM);
	ck_assert_str_eq(g.ca, "demo-ca");
	ck_assert(g.key_match && g.chain_ok);
	/* 4 days ahead at fill time: 3 once a second has passed */
	ck_assert(g.days == 4 || g.days == 3);
	ck_assert_uint_eq(g.ninst, 0);

	/* an install, recorded as flows.c does after a window */
	ck_assert_int_eq(
		store_exec(st,
	                   "INSERT INTO windows (id, tag, purpose, host, peer, port, ifname,"
	                   " gateway, rules, pid, opened_at, closed_at, outcome, exposure_ms)"
	                   " VALUES (1, 'w1', 'install', 'ce02" DOM "', '10.10.1.12', 22,"
	                   " 'eth1', '10.10.0.1', '', 1, 1000, 2000, 'ok', 412.5)",
	                   &err),
		PT_OK);
	snprintf(
		sql, sizeof sql,
		"INSERT INTO installs (host_id, cert_id, window_id, cert_sha256, key_id, cert_path,"
		" key_path, installed_at) SELECT host_id, id, 1, sha256, 'K', '/etc/grid-security/hostcert.pem',"
		" '/etc/grid-security/hostkey.pem', 1700000000 FROM certificates WHERE id = %lld",
		(long long)w.ids[0]);
	ck_assert_int_eq(store_exec(st, sql, &err), PT_OK);
	memset(&g, 0, sizeof g);
	ck_assert_int_eq(inv_cert_detail(st, w.ids[0], time(NULL), detail_cb, &g, &err), PT_OK);
	ck_assert_uint_eq(g.ninst, 1);
	ck_assert_str_eq(g.inst, "/etc/grid-security/hostcert.pem w1 ok 412.5");
	ck_assert_int_eq(transfer_host_windows(st, "ce02" DOM, win_cb, &win, &err), PT_OK);
	ck_assert_uint_eq(win.n, 1);
	ck_assert_str_eq(win.line[0], "install 10.10.1.12 ok 412.5");
	win.n = 0;
	ck_assert_int_eq(transfer_host_windows(st, "ce01" DOM, win_cb, &win, &err), PT_OK);
	ck_assert_uint_eq(win.n, 0);

	ck_assert_int_eq(inv_cert_detail(st, 99999, time(NULL), detail_cb, &g, &err), PT_NOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.detail, "99999"));

	/* keys: what each is used by */
	ck_assert_int_eq(inv_host_keys(st, "ce02" DOM, key_cb, &k, &err), PT_OK);
	ck_assert_uint_eq(k.n, 1);
	ck_assert_ptr_nonnull(strstr(k.line[0], "ec:p256 generated certificate "));
	ck_assert_ptr_nonnull(strstr(k.line[0], "(current), request "));
	ck_assert_ptr_nonnull(strstr(k.line[0], "(issued)"));
	k.n = 0;
	ck_assert_int_eq(inv_host_keys(st, "apel" DOM, key_cb, &k, &err), PT_OK);
	ck_assert_uint_eq(k.n, 1);
	ck_assert_ptr_nonnull(strstr(k.line[0], "(pending)"));
	ck_assert_ptr_null(strstr(k.line[0], "certificate"));
	k.n = 0;
	ck_assert_int_eq(inv_host_keys(st, "wn001" DOM, key_cb, &k, &err), PT_OK);
	ck_assert_uint_eq(k.n, 0);
}
END_TEST

/* Many rows, a filter that matches few: the page walks the index for a
 * while, then scans on from where it was; the rows are the same. */
START_TEST(test_cert_filter_many)
{
	struct pt_err err = { 0 };
	const long n = 20000;

	ck_assert_int_eq(store_begin(st, &err), PT_OK);
	ck_assert_int_eq(
		store_exec(
			st,
			"WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 20000)"
			" INSERT INTO hosts (id, fqdn, port, created_at, updated_at)"
			"  SELECT 1000 + x, printf('b%05d.bench.org', (x * 7919) % 20000), 22, 0, 0 FROM i;"
			"INSERT INTO keys (id, host_id, type, key_pem, key_id, origin, created_at)"
			" SELECT id, id, 'ec:p256', x'00', 'K' || id, 'generated', 0 FROM hosts WHERE id > 1000;"
			"INSERT INTO certificates (id, host_id, key_ref, ca_id, subject, issuer, serial,"
			" not_before, not_after, state, imported_at, fqdn, sha256)"
			" SELECT id, id, id, NULL, '/CN=' || fqdn, '/CN=x', '01', 0, 2000000000 + (id * 31) % 977,"
			"  'current', 0, fqdn, 'S' || id FROM hosts WHERE id > 1000;",
			&err),
		PT_OK);
	ck_assert_int_eq(cert_list_sync(st, NULL, &err), PT_OK);
	ck_assert_int_eq(store_commit(st, &err), PT_OK);

	/* budget 0: the walk gives up at once and the scan goes on */
	for (int k = 0; k < 4; k++) {
		int o = k % 2 ? INV_BY_EXPIRY : INV_BY_HOST;
		struct inv_filter f = { .text = "B0999" }; /* b09990 .. b09999 */
		inv_set_walk_budget(k < 2 ? -1 : 0);
		struct rows all = page(&f, (enum inv_order)o, NULL, false, 0), p;
		struct inv_key after = { 0 };
		size_t seen = 0;

		ck_assert_uint_eq(all.n, 10);
		for (size_t i = 0; i < all.n; i++)
			ck_assert_ptr_nonnull(strstr(all.line[i], "b0999"));
		do {
			p = page(&f, (enum inv_order)o, &after, false, 3);
			for (size_t i = 0; i < p.n; i++, seen++)
				ck_assert_str_eq(p.line[i], all.line[seen]);
			after = p.last;
		} while (p.n == 3);
		ck_assert_uint_eq(seen, 10);
		/* backward from the end, the same rows in reverse */
		p = page(&f, (enum inv_order)o, &all.last, true, 0);
		ck_assert_uint_eq(p.n, 9);
		ck_assert_str_eq(p.line[0], all.line[8]);
		ck_assert_str_eq(p.line[8], all.line[0]);
		if (k >= 2) { /* the same rows as with the walk */
			inv_set_walk_budget(-1);
			struct rows walk = page(&f, (enum inv_order)o, NULL, false, 0);
			for (size_t i = 0; i < walk.n; i++)
				ck_assert_str_eq(walk.line[i], all.line[i]);
		}
	}
	inv_set_walk_budget(-1);
	/* the host order really is by name, and the expiry order by date */
	{
		struct inv_filter f = { .text = "bench.org" };
		struct rows w = page(&f, INV_BY_HOST, NULL, false, 3);
		ck_assert_uint_eq(w.n, 3);
		ck_assert_ptr_nonnull(strstr(w.line[0], "b00000.bench.org"));
		ck_assert_ptr_nonnull(strstr(w.line[2], "b00002.bench.org"));
		size_t c = 0;
		ck_assert_int_eq(inv_cert_count(st, &f, &c, &err), PT_OK);
		ck_assert_uint_eq(c, (size_t)n);
	}
}
END_TEST

/* ---- the certificates screen's listing (inv_list_page) ---- */

/* The screen's columns of a row, as ui-certs.c shows them in English. */
static const char *const band_label[] = { "not yet valid", "expired", "critical", "warning", "ok" };

static bool
has_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

/* The old path: every row of inv_cert_page, its columns matched by the
 * list model's rule (a substring of any column, without case). */
struct oldpath {
	const char *filter;
	size_t n;
	int64_t ids[64];
};

static void
last_cn(const char *subject, char *out, size_t len)
{
	const char *p = NULL, *q = subject;

	while ((q = strstr(q, "/CN=")) != NULL)
		p = q += 4;
	snprintf(out, len, "%.*s", p ? (int)strcspn(p, "/") : 0, p ? p : "");
}

/* Whether a row's columns hold the filter, as the list model matches. */
static bool
old_match(const struct inv_cert_row *r, const char *filter)
{
	char cn[256], date[16], days[24];
	struct tm tm;
	time_t t = r->not_after;

	last_cn(r->subject, cn, sizeof cn);
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(days, sizeof days, "%ld", r->days_left);
	const char *col[] = {
		r->fqdn, cn,   band_label[r->band],
		date,    days, strcmp(r->state, "current") == 0 ? "current" : "superseded",
		r->ca
	};
	for (size_t c = 0; c < sizeof col / sizeof col[0]; c++)
		if (has_ci(col[c], filter))
			return true;
	return false;
}

static int
old_cb(const struct inv_cert_row *r, void *ud)
{
	struct oldpath *o = ud;

	if (old_match(r, o->filter)) {
		ck_assert_uint_lt(o->n, 64);
		o->ids[o->n++] = r->id;
	}
	return 0;
}

/* What ui-certs.c asks the store for a filter. */
static struct inv_list_filter
screen_filter(const char *text)
{
	struct inv_list_filter f = { .text = text };

	for (int b = 0; b <= X509_BAND_OK; b++)
		if (has_ci(band_label[b], text))
			f.bands |= 1u << b;
	f.states = (has_ci("current", text) ? 1 : 0) | (has_ci("superseded", text) ? 2 : 0);
	f.numbers = strspn(text, "0123456789-") == strlen(text);
	return f;
}

struct newpath {
	size_t n;
	int64_t ids[64];
	char cn[64][64];
	struct inv_key last;
};

static int
new_cb(const struct inv_cert_row *r, void *ud)
{
	struct newpath *w = ud;

	ck_assert_uint_lt(w->n, 64);
	snprintf(w->cn[w->n], sizeof w->cn[0], "%s", r->cn);
	w->ids[w->n++] = r->id;
	w->last = r->key;
	return 0;
}

/* Rows written here by SQL go into the listing as the import path's do. */
static void
listing_sync(void)
{
	struct pt_err e = { 0 };

	ck_assert_msg(store_begin(st, &e) == PT_OK && cert_list_sync(st, NULL, &e) == PT_OK &&
	                      store_commit(st, &e) == PT_OK,
	              "%s", e.detail);
}

/* Certificates whose CN is not the host's, superseded ones, a second CA;
 * and a hundred hosts without any, so that a text naming one host is
 * looked up by index and one naming many scans (inventory.c: list_broad):
 * the filters below take both ways. */
static void
add_odd_certs(void)
{
	struct pt_err err = { 0 };

	ck_assert_msg(
		store_exec(
			st,
			"WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 100)"
			" INSERT INTO hosts (id, fqdn, port, created_at, updated_at)"
			"  SELECT 2000 + x, printf('spare%03d.other.test', x), 22, 0, 0 FROM i;"
			"INSERT INTO cas (id, name, bundle_pem, subject_tmpl, default_key, created_at)"
			" VALUES (77, 'Other-CA', '', 'CN=%h', 'ec:p256', 0);"
			"INSERT INTO hosts (id, fqdn, port, created_at, updated_at) VALUES"
			" (501, 'odd1.site.test', 22, 0, 0), (502, 'odd2.site.test', 22, 0, 0);"
			"INSERT INTO keys (id, host_id, type, key_pem, key_id, origin, created_at) VALUES"
			" (501, 501, 'ec:p256', x'00', 'K501', 'generated', 0),"
			" (502, 502, 'ec:p256', x'00', 'K502', 'generated', 0);"
			"INSERT INTO certificates (id, host_id, key_ref, ca_id, subject, issuer, serial,"
			" not_before, not_after, state, imported_at, fqdn, sha256) VALUES"
			" (901, 501, 501, 77, '/C=IT/CN=host/odd1.site.test/emailAddress=a@b', '/CN=x', '01',"
			"  0, strftime('%s', 'now') + 3 * 86400 + 5, 'current', 0, 'odd1.site.test', 'S901'),"
			" (902, 501, 501, NULL, '/C=IT/O=Odd', '/CN=x', '02', 0,"
			"  strftime('%s', 'now') - 40 * 86400 - 7, 'superseded', 0, 'odd1.site.test', 'S902'),"
			" (903, 502, 502, 77, '/CN=first/OU=x/CN=Second Name', '/CN=x', '03',"
			"  strftime('%s', 'now') + 86400, strftime('%s', 'now') + 400 * 86400, 'current', 0,"
			"  'odd2.site.test', 'S903');",
			&err) == PT_OK,
		"%s", err.detail);
	listing_sync();
}

static const char *const screen_filters[] = {
	"ce0",     "CE0",  "expired",   "EXP",      "ok",    "o",     "super",       "cur",
	"not yet", "warn", "crit",      "other-ca", "demo",  "host",  "second name", "ODD",
	"20",      "-",    "-4",        "1",        "3",     "0-",    "zzz",         "e",
	"%",       "_",    "site.test", "odd1",     "ODD2.", "argus", "first",       ".",
	"2",       "0",    "4",         "-1",       "12-",   "202",
};

/* The pushed-down filter gives exactly the rows of the old path, in the
 * same order, and counts them alike; pages after each other's key and
 * backward give them too. */
static void
check_listing(void)
{
	struct pt_err err = { 0 };
	time_t now = time(NULL);

	for (size_t i = 0; i < sizeof screen_filters / sizeof screen_filters[0]; i++) {
		struct oldpath o = { .filter = screen_filters[i] };
		struct inv_list_filter f = screen_filter(screen_filters[i]);
		struct newpath w = { 0 }, p, b = { 0 };
		struct inv_key after = { 0 };
		size_t n = 99, seen = 0;

		ck_assert_int_eq(inv_cert_page(st, NULL, INV_BY_EXPIRY, NULL, false, 0, now, old_cb,
		                               &o, &err),
		                 PT_OK);
		ck_assert_int_eq(inv_list_page(st, &f, NULL, false, 0, now, new_cb, &w, &err),
		                 PT_OK);
		ck_assert_msg(w.n == o.n, "filter \"%s\": %zu rows, the old path %zu",
		              screen_filters[i], w.n, o.n);
		for (size_t k = 0; k < o.n; k++)
			ck_assert_int_eq(w.ids[k], o.ids[k]);
		ck_assert_int_eq(inv_list_count(st, &f, now, &n, &err), PT_OK);
		ck_assert_uint_eq(n, o.n);
		do {
			memset(&p, 0, sizeof p);
			ck_assert_int_eq(inv_list_page(st, &f, &after, false, 2, now, new_cb, &p,
			                               &err),
			                 PT_OK);
			for (size_t k = 0; k < p.n; k++, seen++)
				ck_assert_int_eq(p.ids[k], o.ids[seen]);
			after = p.last;
		} while (p.n == 2);
		ck_assert_uint_eq(seen, o.n);
		ck_assert_int_eq(inv_list_page(st, &f, NULL, true, 0, now, new_cb, &b, &err),
		                 PT_OK);
		ck_assert_uint_eq(b.n, o.n);
		for (size_t k = 0; k < b.n; k++)
			ck_assert_int_eq(b.ids[k], o.ids[o.n - 1 - k]);
	}
	/* no filter: every row */
	{
		struct oldpath o = { .filter = "" };
		size_t n = 0;
		ck_assert_int_eq(inv_cert_page(st, NULL, INV_BY_EXPIRY, NULL, false, 0, now, old_cb,
		                               &o, &err),
		                 PT_OK);
		ck_assert_int_eq(inv_list_count(st, NULL, now, &n, &err), PT_OK);
		ck_assert_uint_eq(n, o.n);
	}
}

START_TEST(test_list_same_as_old_path)
{
	struct pt_err err = { 0 };
	struct newpath w = { 0 };
	struct inv_list_filter f = { .text = "odd" };

	add_odd_certs();
	check_listing();
	/* the CN column: the last CN, up to the next attribute */
	ck_assert_int_eq(inv_list_page(st, &f, NULL, false, 0, time(NULL), new_cb, &w, &err),
	                 PT_OK);
	ck_assert_uint_eq(w.n, 3);
	ck_assert_str_eq(w.cn[0], ""); /* 902, expired: no CN */
	ck_assert_str_eq(w.cn[1], "host");
	ck_assert_str_eq(w.cn[2], "Second Name");
	f.text = "second";
	memset(&w, 0, sizeof w);
	ck_assert_int_eq(inv_list_page(st, &f, NULL, false, 0, time(NULL), new_cb, &w, &err),
	                 PT_OK);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_int_eq(w.ids[0], 903);
	/* a state or host written afterwards shows in the listing */
	ck_assert_int_eq(store_exec(st,
	                            "UPDATE certificates SET state = 'superseded' WHERE id = 903;"
	                            "UPDATE hosts SET fqdn = 'renamed.site.test' WHERE id = 502",
	                            &err),
	                 PT_OK);
	check_listing();
	ck_assert_int_eq(store_exec(st, "DELETE FROM certificates WHERE id = 901", &err), PT_OK);
	check_listing();
	/* "." is in every host's name: no filter; a host renamed without it
	 * is left out at once (what the store held is not taken as known) */
	{
		struct inv_list_filter e = screen_filter(".");
		size_t all = 0, n = 0;
		ck_assert_int_eq(inv_list_count(st, NULL, time(NULL), &all, &err), PT_OK);
		ck_assert_int_eq(inv_list_count(st, &e, time(NULL), &n, &err), PT_OK);
		ck_assert_uint_eq(n, all);
		ck_assert_int_eq(store_exec(st, "UPDATE hosts SET fqdn = 'xyzq' WHERE id = 502",
		                            &err),
		                 PT_OK);
		ck_assert_int_eq(inv_list_count(st, &e, time(NULL), &n, &err), PT_OK);
		ck_assert_uint_lt(n, all);
		check_listing();
	}
}
END_TEST

/* A certificate on its issuer's CRL is in the revoked band and in no
 * other: the band filters find it by the CRL's entries (schema 14's
 * index on issuer and serial), not by reading every certificate. */
START_TEST(test_list_revoked_band)
{
	struct pt_err err = { 0 };
	struct inv_list_filter exp = { .bands = 1u << X509_BAND_EXPIRED },
			       rev = { .bands = 1u << X509_BAND_REVOKED };
	size_t e0 = 0, e1 = 0, r0 = 0, r1 = 0;
	time_t now = time(NULL);

	add_odd_certs();
	ck_assert_int_eq(inv_list_count(st, &exp, now, &e0, &err), PT_OK);
	ck_assert_int_eq(inv_list_count(st, &rev, now, &r0, &err), PT_OK);
	ck_assert_uint_gt(e0, 0);
	ck_assert_uint_eq(r0, 0);
	/* the expired certificate 902 revoked by its issuer */
	ck_assert_msg(store_exec(st,
	                         "INSERT INTO crls (id, issuer, this_update, entries, der,"
	                         " imported_at) SELECT 1, issuer, 0, 1, x'00', 0"
	                         " FROM certificates WHERE id = 902;"
	                         "INSERT INTO crl_entries (crl_id, issuer, serial, revoked_at)"
	                         " SELECT 1, issuer, serial, 0 FROM certificates WHERE id = 902",
	                         &err) == PT_OK,
	              "%s", err.detail);
	ck_assert_int_eq(inv_list_count(st, &exp, now, &e1, &err), PT_OK);
	ck_assert_int_eq(inv_list_count(st, &rev, now, &r1, &err), PT_OK);
	ck_assert_uint_eq(e1, e0 - 1);
	ck_assert_uint_eq(r1, 1);
	{
		sqlite3_stmt *q = NULL;
		int used = 0;

		ck_assert_int_eq(
			sqlite3_prepare_v2(store_db(st),
		                           "EXPLAIN QUERY PLAN SELECT c.id FROM crl_entries e"
		                           " CROSS JOIN certificates c ON c.issuer ="
		                           " e.issuer AND c.serial = e.serial",
		                           -1, &q, NULL),
			SQLITE_OK);
		while (sqlite3_step(q) == SQLITE_ROW)
			if (strstr((const char *)sqlite3_column_text(q, 3),
			           "certificates_issuer_serial"))
				used = 1;
		sqlite3_finalize(q);
		ck_assert_msg(used, "the CRL's entries are not looked up by issuer and serial");
	}
}
END_TEST

/* Rows of the old path that match a filter, counted (any number). */
struct oldcount {
	const char *filter;
	size_t n;
};

static int
old_count_cb(const struct inv_cert_row *r, void *ud)
{
	struct oldcount *o = ud;

	o->n += old_match(r, o->filter);
	return 0;
}

static int
vm_tick(void *ud)
{
	(*(unsigned long *)ud)++;
	return 0;
}

/* SQLite's work for one statement, in ticks of 16 VM instructions. */
static unsigned long
vm_cost(const char *sql, const char *like)
{
	sqlite3_stmt *q = NULL;
	unsigned long ticks = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, like, -1, SQLITE_STATIC);
	sqlite3_progress_handler(store_db(st), 16, vm_tick, &ticks);
	while (sqlite3_step(q) == SQLITE_ROW)
		;
	sqlite3_progress_handler(store_db(st), 0, NULL, NULL);
	sqlite3_finalize(q);
	return ticks;
}

/* A text naming few hosts, or more than one in fifty but not most of
 * them, is counted from the ids of their rows in the host and name
 * indexes, not by a scan that tests every row against the names: the
 * same counts as the old path, for a fraction of the scan's work. */
START_TEST(test_list_count_by_ids)
{
	static const char *const texts[] = {
		"b1",   "B1", "b123", "b12", "1",    "2", "b0", "b00",
		"bulk", "b",  "ce0",  "b4",  "1.bu", "-", "o",  "zzz"
	};
	struct pt_err err = { 0 };
	time_t now = time(NULL);

	ck_assert_msg(
		store_exec(
			st,
			"WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 500)"
			" INSERT INTO hosts (id, fqdn, port, created_at, updated_at)"
			"  SELECT 3000 + x, printf('b%03d.bulk.test', x), 22, 0, 0 FROM i;"
			"INSERT INTO keys (id, host_id, type, key_pem, key_id, origin, created_at)"
			" SELECT id, id, 'ec:p256', x'00', 'K' || id, 'generated', 0 FROM hosts"
			" WHERE id > 3000;"
			"WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 10000)"
			" INSERT INTO certificates (id, host_id, key_ref, subject, issuer, serial,"
			" not_before, not_after, state, imported_at, fqdn, sha256)"
			" SELECT 20000 + x, 3001 + (x - 1) % 500, 3001 + (x - 1) % 500,"
			"  printf('/C=IT/CN=b%03d.bulk.test', 1 + (x - 1) % 500), '/CN=bulk',"
			"  printf('%X', x), strftime('%s', 'now') - 400 * 86400,"
			"  strftime('%s', 'now') + (x * 7919 % 800 - 300) * 86400 + x,"
			"  CASE WHEN x > 9500 THEN 'current' ELSE 'superseded' END, 0,"
			"  printf('b%03d.bulk.test', 1 + (x - 1) % 500), 'B' || x FROM i",
			&err) == PT_OK,
		"%s", err.detail);
	listing_sync();
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct inv_list_filter f = screen_filter(texts[i]);
		struct oldcount o = { .filter = texts[i] };
		size_t n = 0;

		ck_assert_int_eq(inv_cert_page(st, NULL, INV_BY_EXPIRY, NULL, false, 0, now,
		                               old_count_cb, &o, &err),
		                 PT_OK);
		ck_assert_int_eq(inv_list_count(st, &f, now, &n, &err), PT_OK);
		ck_assert_msg(n == o.n, "filter \"%s\": counted %zu, the old path %zu", texts[i], n,
		              o.n);
	}
	/* "b1": a hundred hosts of 510 and their names, 2,000 rows of 10,000 */
	{
		struct inv_list_filter f = screen_filter("b1");
		unsigned long ticks = 0, scan;
		size_t n = 0;

		ck_assert_int_eq(inv_list_count(st, &f, now, &n, &err), PT_OK);
		sqlite3_progress_handler(store_db(st), 16, vm_tick, &ticks);
		ck_assert_int_eq(inv_list_count(st, &f, now, &n, &err), PT_OK);
		sqlite3_progress_handler(store_db(st), 0, NULL, NULL);
		ck_assert_uint_eq(n, 2000);
		scan = vm_cost("SELECT count(*) FROM cert_list l"
		               " WHERE +l.host_id IN (SELECT id FROM hosts WHERE fqdn LIKE ?1)"
		               " OR +l.cn_id IN (SELECT id FROM cert_cns WHERE cn LIKE ?1)",
		               "%b1%");
		ck_assert_msg(ticks * 2 < scan, "counting \"b1\" cost %lu, a scan %lu", ticks,
		              scan);
	}
}
END_TEST

/* A store of schema 5 (no listing) opens, migrates (6, 7, 8) and lists the
 * certificates it held; new ones are listed by cert_list_sync. */
START_TEST(test_list_migrates)
{
	struct pt_err err = { 0 };
	size_t n = 0;
	int v = 0;

	add_odd_certs();
	ck_assert_int_eq(
		store_exec(st,
	                   "DROP TRIGGER cert_list_delete;"
	                   "DROP TRIGGER cert_list_update; DROP TRIGGER cert_list_subject;"
	                   "DROP TABLE cert_list; DROP TABLE cert_cns; DROP INDEX credentials_list;"
	                   /* schema 9's tables: a store of schema 5 has none */
	                   "DROP TABLE cert_acks; DROP TABLE crl_entries; DROP TABLE crls;"
	                   "DROP TABLE anchor_rules; DROP TABLE trust_anchors;"
	                   /* and what schema 10 added, the Grid files */
	                   "DROP TABLE voms_fqan_maps; DROP TABLE gm_pushed_files;"
	                   "DROP TABLE voms_ports;"
	                   /* and schema 11's row MAC */
	                   "CREATE TABLE c10 AS SELECT id, user, hostspec, service,"
	                   " secret, version, created_at, updated_at FROM credentials;"
	                   "DROP TABLE credentials; ALTER TABLE c10 RENAME TO credentials;"
	                   /* and schema 13's, on keys (their rows stay, and their ids) */
	                   TEST_KEYS_WITHOUT_MAC "PRAGMA user_version = 5",
	                   &err),
		PT_OK);
	store_close(&st);
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_OK);
	{
		sqlite3_stmt *q = NULL;
		ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "PRAGMA user_version", -1, &q,
		                                    NULL),
		                 SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
		v = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	ck_assert_int_eq(v, STORE_SCHEMA_VERSION);
	ck_assert_int_eq(inv_list_count(st, NULL, time(NULL), &n, &err), PT_OK);
	ck_assert_uint_eq(n, 12);
	check_listing();
	ck_assert_int_eq(
		store_exec(
			st,
			"INSERT INTO certificates (id, host_id, key_ref, ca_id, subject, issuer, serial,"
			" not_before, not_after, state, imported_at, fqdn, sha256) VALUES"
			" (904, 502, 502, 77, '/CN=late.site.test', '/CN=x', '04', 0, 5, 'superseded', 0,"
			"  'odd2.site.test', 'S904')",
			&err),
		PT_OK);
	listing_sync();
	ck_assert_int_eq(inv_list_count(st, NULL, time(NULL), &n, &err), PT_OK);
	ck_assert_uint_eq(n, 13);
	check_listing();
}
END_TEST

static Suite *
inventory_suite(void)
{
	Suite *s = suite_create("inventory");
	TCase *tc = tcase_create("inventory");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cert_rows);
	tcase_add_test(tc, test_cert_keyset);
	tcase_add_test(tc, test_cert_filter);
	tcase_add_test(tc, test_cert_keys);
	tcase_add_test(tc, test_cert_filter_many);
	tcase_add_test(tc, test_list_same_as_old_path);
	tcase_add_test(tc, test_list_migrates);
	tcase_add_test(tc, test_list_revoked_band);
	tcase_add_test(tc, test_list_count_by_ids);
	tcase_add_test(tc, test_requests);
	tcase_add_test(tc, test_detail);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(inventory_suite());
}

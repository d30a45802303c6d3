/* test_dash.c - src/cert/dash.c: the dashboard's calendar months (a
 * year's end, 31-day months) and the picture of a store whose
 * certificates expire on known dates. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert/lib.h"
#include "testutil.h"

/* Local time is UTC in these tests: dates below are UTC. */
static time_t
utc(int y, int mon, int d, int h)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d, .tm_hour = h };

	return timegm(&tm);
}

START_TEST(test_month_index)
{
	setenv("TZ", "UTC", 1);
	tzset();
	/* across the year's end */
	ck_assert_int_eq(dash_month_index(utc(2026, 12, 15, 12), utc(2026, 12, 31, 23)), 0);
	ck_assert_int_eq(dash_month_index(utc(2026, 12, 15, 12), utc(2027, 1, 1, 0)), 1);
	ck_assert_int_eq(dash_month_index(utc(2026, 12, 15, 12), utc(2027, 11, 30, 0)), 11);
	ck_assert_int_eq(dash_month_index(utc(2026, 12, 15, 12), utc(2027, 12, 1, 0)), 12);
	/* 31-day months: 30-day blocks put Jan 31 + 30 days (Mar 2) in
	 * "month 1" and both July 1 and July 31 in different blocks */
	ck_assert_int_eq(dash_month_index(utc(2027, 1, 31, 12), utc(2027, 3, 2, 12)), 2);
	ck_assert_int_eq(dash_month_index(utc(2027, 1, 31, 12), utc(2027, 2, 28, 12)), 1);
	ck_assert_int_eq(dash_month_index(utc(2027, 1, 1, 0), utc(2027, 7, 1, 0)), 6);
	ck_assert_int_eq(dash_month_index(utc(2027, 1, 1, 0), utc(2027, 7, 31, 23)), 6);
	ck_assert_int_eq(dash_month_index(utc(2027, 3, 1, 0), utc(2027, 2, 28, 0)), -1);
}
END_TEST

START_TEST(test_labels_once)
{
	struct dash_certs d;

	setenv("TZ", "UTC", 1);
	tzset();
	/* every month once, from now's month on, over the year's end */
	dash_certs_init(&d, utc(2026, 12, 15, 12), 7, 30);
	ck_assert_int_eq(d.months[0].year, 2026);
	ck_assert_int_eq(d.months[0].month, 11);
	ck_assert_int_eq(d.months[1].year, 2027);
	ck_assert_int_eq(d.months[1].month, 0);
	for (int m = 1; m < DASH_MONTHS; m++)
		ck_assert_int_eq((d.months[m].month + 11) % 12, d.months[m - 1].month);
	ck_assert_int_eq(d.months[11].month, 10); /* November is there */
}
END_TEST

static void
insert_cert(struct store *st, int id, const char *fqdn, time_t nb, time_t na)
{
	struct pt_err err = { 0 };
	char sql[1024];

	snprintf(sql, sizeof sql,
	         "INSERT INTO hosts (id, fqdn, port, created_at, updated_at)"
	         " VALUES (%d, '%s', 22, 0, 0);"
	         "INSERT INTO keys (id, host_id, type, key_pem, key_id, origin, created_at)"
	         " VALUES (%d, %d, 'ec:p256', x'00', 'K%d', 'generated', 0);"
	         "INSERT INTO certificates (id, host_id, key_ref, ca_id, subject, issuer, serial,"
	         " not_before, not_after, state, imported_at, fqdn, sha256)"
	         " VALUES (%d, %d, %d, NULL, '/CN=%s', '/CN=x', '01', %lld, %lld, 'current', 0,"
	         " '%s', 'S%d');",
	         id, fqdn, id, id, id, id, id, id, fqdn, (long long)nb, (long long)na, fqdn, id);
	ck_assert_msg(store_exec(st, sql, &err) == PT_OK, "%s", err.detail);
}

START_TEST(test_store_known_dates)
{
	struct pt_err err = { 0 };
	struct dash_certs d;
	struct store *st;
	time_t now, nb;

	setenv("TZ", "UTC", 1);
	tzset();
	tmp_setup();
	st = new_store();
	now = utc(2026, 12, 4, 12);
	nb = utc(2026, 1, 1, 0);
	ck_assert_int_eq(store_begin(st, &err), PT_OK);
	insert_cert(st, 1, "gone.example.org", nb, utc(2026, 11, 30, 0));  /* expired */
	insert_cert(st, 2, "old.example.org", nb, utc(2026, 12, 1, 0));    /* expired, same month */
	insert_cert(st, 3, "crit.example.org", nb, utc(2026, 12, 8, 0));   /* critical, Dec */
	insert_cert(st, 4, "warn.example.org", nb, utc(2026, 12, 31, 23)); /* warning, Dec */
	insert_cert(st, 5, "jan.example.org", nb, utc(2027, 1, 2, 0));     /* warning, Jan */
	insert_cert(st, 6, "jan2.example.org", nb, utc(2027, 1, 31, 0));   /* ok, Jan */
	insert_cert(st, 7, "jul.example.org", nb, utc(2027, 7, 1, 0));     /* ok, Jul */
	insert_cert(st, 8, "jul2.example.org", nb, utc(2027, 7, 31, 0));   /* ok, Jul */
	insert_cert(st, 9, "nov.example.org", nb, utc(2027, 11, 30, 0));   /* ok, Nov */
	insert_cert(st, 10, "far.example.org", nb, utc(2028, 2, 1, 0));    /* later */
	ck_assert_int_eq(store_commit(st, &err), PT_OK);

	ck_assert_msg(dash_certs_load(st, now, &d, &err) == PT_OK, "%s", err.detail);
	ck_assert_int_eq(d.total, 10);
	ck_assert_int_eq(d.expired, 2);
	ck_assert_int_eq(d.bands[X509_BAND_EXPIRED], 2);
	ck_assert_int_eq(d.bands[X509_BAND_CRITICAL], 1);
	ck_assert_int_eq(d.bands[X509_BAND_WARNING], 2);
	ck_assert_int_eq(d.bands[X509_BAND_OK], 5);
	ck_assert_int_eq(d.later, 1);
	/* Dec: critical and warning, the worst is critical */
	ck_assert_int_eq(d.months[0].count, 2);
	ck_assert_int_eq(d.months[0].worst, X509_BAND_CRITICAL);
	ck_assert_int_eq(d.months[1].month, 0);
	ck_assert_int_eq(d.months[1].count, 2);
	ck_assert_int_eq(d.months[1].worst, X509_BAND_WARNING);
	ck_assert_int_eq(d.months[7].month, 6);
	ck_assert_int_eq(d.months[7].count, 2);
	ck_assert_int_eq(d.months[7].worst, X509_BAND_OK);
	ck_assert_int_eq(d.months[11].month, 10);
	ck_assert_int_eq(d.months[11].count, 1);
	for (int m = 2; m < 7; m++)
		ck_assert(!d.months[m].any && d.months[m].count == 0);
	/* the attention list: expired first, then the fewest days left;
	 * ok certificates are not named */
	ck_assert_int_eq(d.nurgent, 5);
	ck_assert_str_eq(d.urgent[0].fqdn, "gone.example.org");
	ck_assert_str_eq(d.urgent[1].fqdn, "old.example.org");
	ck_assert_str_eq(d.urgent[2].fqdn, "crit.example.org");
	ck_assert_str_eq(d.urgent[3].fqdn, "warn.example.org");
	ck_assert_int_eq(d.urgent[3].band, X509_BAND_WARNING);
	ck_assert_str_eq(d.urgent[4].fqdn, "jan.example.org");
	store_close(&st);
	tmp_teardown();
}
END_TEST

/* The rule of cert import: a certificate expiring before the current
 * one does not replace it unless told. */
START_TEST(test_current_stays)
{
	bool earlier;
	time_t jan = utc(2026, 1, 1, 0), jun = utc(2026, 6, 1, 0);
	time_t y27 = utc(2027, 6, 1, 0), y28 = utc(2028, 12, 31, 0);

	/* a renewal (later start, later end) replaces */
	ck_assert(!cert_current_stays(jan, y27, jun, y28, false, &earlier));
	ck_assert(!earlier);
	/* an older one (earlier start) stays back, as before */
	ck_assert(cert_current_stays(jun, y28, jan, y27, false, &earlier));
	ck_assert(!earlier);
	/* later start, earlier end: kept back, and said so */
	ck_assert(cert_current_stays(jan, y28, jun, y27, false, &earlier));
	ck_assert(earlier);
	/* unless told: --make-current */
	ck_assert(!cert_current_stays(jan, y28, jun, y27, true, &earlier));
	ck_assert(!earlier);
	/* the same start: the later end wins */
	ck_assert(cert_current_stays(jan, y28, jan, y27, false, &earlier));
	ck_assert(!cert_current_stays(jan, y27, jan, y28, false, NULL));
}
END_TEST

static Suite *
dash_suite(void)
{
	Suite *s = suite_create("dash");
	TCase *tc = tcase_create("dash");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_month_index);
	tcase_add_test(tc, test_labels_once);
	tcase_add_test(tc, test_store_known_dates);
	tcase_add_test(tc, test_current_stays);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(dash_suite());
}

/* dash.c - the dashboard's certificate picture (see dash.h): one pass
 * over the current certificates' stored dates, no DER parsed. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"
#include "cert/dash.h"
#include "cert/report.h"
#include "base/i18n.h"
#include "site/lib.h"

int
dash_band_rank(enum x509_band b)
{
	switch (b) {
	case X509_BAND_REVOKED: return 5;
	case X509_BAND_EXPIRED: return 4;
	case X509_BAND_CRITICAL: return 3;
	case X509_BAND_WARNING: return 2;
	case X509_BAND_NOT_YET_VALID: return 1;
	default: return 0;
	}
}

int
dash_month_index(time_t now, time_t t)
{
	struct tm a, b;

	localtime_r(&now, &a);
	localtime_r(&t, &b);
	return (b.tm_year - a.tm_year) * 12 + (b.tm_mon - a.tm_mon);
}

void
dash_certs_init(struct dash_certs *d, time_t now, int crit_days, int warn_days)
{
	struct tm tm;

	memset(d, 0, sizeof *d);
	d->crit_days = crit_days;
	d->warn_days = warn_days;
	localtime_r(&now, &tm);
	for (int m = 0; m < DASH_MONTHS; m++) {
		int mon = tm.tm_mon + m;
		d->months[m].year = tm.tm_year + 1900 + mon / 12;
		d->months[m].month = mon % 12;
	}
}

/* Keep the DASH_URGENT with the fewest days left. */
static void
urgent_add(struct dash_certs *d, const char *fqdn, long days, enum x509_band band)
{
	int at = d->nurgent;

	if (at == DASH_URGENT) {
		if (days >= d->urgent[DASH_URGENT - 1].days)
			return;
		at = DASH_URGENT - 1;
	} else {
		d->nurgent++;
	}
	while (at > 0 && d->urgent[at - 1].days > days) {
		d->urgent[at] = d->urgent[at - 1];
		at--;
	}
	snprintf(d->urgent[at].fqdn, sizeof d->urgent[at].fqdn, "%s", fqdn);
	d->urgent[at].days = days;
	d->urgent[at].band = band;
}

void
dash_certs_add(struct dash_certs *d, time_t now, const char *fqdn, time_t not_before,
               time_t not_after)
{
	long days;
	enum x509_band band =
		x509_band(not_before, not_after, now, d->crit_days, d->warn_days, &days);

	dash_certs_count(d, now, fqdn, not_after, band, days, false);
}

void
dash_certs_count(struct dash_certs *d, time_t now, const char *fqdn, time_t not_after,
                 enum x509_band band, long days, bool quiet)
{
	d->total++;
	if ((unsigned)band <= X509_BAND_REVOKED)
		d->bands[band]++;
	if (!quiet && (band == X509_BAND_EXPIRED || band == X509_BAND_CRITICAL ||
	               band == X509_BAND_WARNING || band == X509_BAND_REVOKED))
		urgent_add(d, fqdn, band == X509_BAND_REVOKED ? LONG_MIN / 2 : days, band);
	if (band == X509_BAND_EXPIRED) {
		d->expired++;
		return;
	}
	int m = dash_month_index(now, not_after);
	if (m < 0)
		m = 0; /* not expired yet in a month before now's: cannot be, but safe */
	if (m >= DASH_MONTHS) {
		d->later++;
		return;
	}
	struct dash_month *dm = &d->months[m];
	if (!dm->any || dash_band_rank(band) > dash_band_rank(dm->worst))
		dm->worst = band;
	dm->any = true;
	dm->count++;
}

struct load_ctx {
	struct dash_certs *d;
	time_t now;
};

/* The expiry report's rows: their bands are the ones every list shows
 * (shares of the lifetime, revoked by a CRL); an acknowledged warning
 * is counted but does not ask for attention. */
static int
load_cb(const struct report_row *r, void *ud)
{
	struct load_ctx *x = ud;
	bool quiet = r->band == X509_BAND_WARNING && r->ack_until > x->now;

	dash_certs_count(x->d, x->now, r->fqdn, r->not_after, r->band, r->days_left, quiet);
	return 0;
}

enum pt_status
dash_certs_load(struct store *st, time_t now, struct dash_certs *d, struct pt_err *err)
{
	int crit, warn;
	struct load_ctx x = { d, now };
	enum pt_status ret = cert_band_days(st, &crit, &warn, err);

	dash_certs_init(d, now, ret == PT_OK ? crit : 0, ret == PT_OK ? warn : 0);
	if (ret != PT_OK)
		return ret;
	return report_expiry_foreach(st, x.now, -1, load_cb, &x, err);
}

/* ?1: now, ?2: the limit per kind (-1: all), ?3: pw.rotate_days (NULL:
 * no password is old) */
static const char *const todo_sql[] = {
	[DASH_TODO_UNSENT] =
		"SELECT r.id, h.fqdn, r.created_at FROM requests r JOIN hosts h ON h.id = r.host_id"
		" WHERE r.state = 'pending' AND NOT EXISTS (SELECT 1 FROM audit a"
		"  WHERE a.action IN ('csr.send', 'csr.save') AND a.object = h.fqdn AND a.ts >= r.created_at)"
		" ORDER BY r.created_at LIMIT ?2",
	[DASH_TODO_UNINSTALLED] =
		"SELECT id, fqdn, imported_at FROM certificates"
		" WHERE state = 'current' AND installed_at IS NULL AND not_after >= ?1"
		" ORDER BY imported_at LIMIT ?2",
	[DASH_TODO_PW_OLD] =
		"SELECT id, user || '@' || hostspec || ':' || service, updated_at FROM credentials"
		" WHERE ?3 IS NOT NULL AND updated_at < ?1 - ?3 * 86400"
		" ORDER BY updated_at LIMIT ?2",
};

static enum pt_status
todo_kind(struct store *st, enum dash_todo_kind k, time_t now, size_t limit, long rotate,
          int (*cb)(const struct dash_todo *t, void *ud), void *ud, bool *stop, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), todo_sql[k], -1, &s, NULL);

	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, _("prepare statement"));
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 2, limit ? (sqlite3_int64)limit : -1);
	if (rotate > 0)
		sqlite3_bind_int64(s, 3, rotate);
	while (!*stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct dash_todo t = {
			.kind = k,
			.id = sqlite3_column_int64(s, 0),
			.name = store_text(s, 1),
			.days = (long)((now - (time_t)sqlite3_column_int64(s, 2)) / 86400),
		};
		*stop = cb(&t, ud) != 0;
	}
	sqlite3_finalize(s);
	if (*stop)
		return PT_OK;
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the store"));
}

enum pt_status
dash_todo_foreach(struct store *st, time_t now, size_t limit,
                  int (*cb)(const struct dash_todo *t, void *ud), void *ud, struct pt_err *err)
{
	long rotate = 0;
	bool stop = false;
	enum pt_status ret;

	/* unset: passwords are not aged */
	if (settings_get_long(st, "pw.rotate_days", &rotate, err) != PT_OK)
		rotate = 0;
	*err = (struct pt_err){ 0 };
	for (int k = DASH_TODO_UNSENT; k <= DASH_TODO_PW_OLD && !stop; k++)
		if ((ret = todo_kind(st, (enum dash_todo_kind)k, now, limit, rotate, cb, ud, &stop,
		                     err)) != PT_OK)
			return ret;
	return PT_OK;
}

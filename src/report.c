/* report.c - the expiry / inventory report from stored columns only. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "i18n.h"
#include "report.h"


/* CA names by id: a handful of rows, read before the big query so that
 * it needs no join. */
struct ca_names {
	size_t n;
	int64_t *id;
	char **name;
};

static void
ca_names_free(struct ca_names *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->name[i]);
	free(c->id);
	free(c->name);
}

static enum pt_status
ca_names_load(struct store *st, struct ca_names *c, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), "SELECT id, name FROM cas", -1, &s, NULL);

	memset(c, 0, sizeof(*c));
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, _("prepare statement"));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t *ni = realloc(c->id, (c->n + 1) * sizeof(*ni));
		char **nn = ni ? realloc(c->name, (c->n + 1) * sizeof(*nn)) : NULL;

		if (ni)
			c->id = ni;
		if (nn)
			c->name = nn;
		if (!ni || !nn || !(c->name[c->n] = strdup(store_text(s, 1)))) {
			sqlite3_finalize(s);
			ca_names_free(c);
			return pt_fail(err, PT_NOMEM, NULL);
		}
		c->id[c->n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		ca_names_free(c);
		return store_fail(st, rc, err, _("list CAs"));
	}
	return PT_OK;
}

static const char *
ca_name(const struct ca_names *c, int64_t id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->id[i] == id)
			return c->name[i];
	return "";
}

/* The whole inventory is fastest as one scan of the short rows and a
 * sort (walking the not_after index visits the table in random order);
 * a --days window is a range of that index. */
#define REPORT_COLUMNS \
	"SELECT fqdn, subject, issuer, serial, ca_id, not_before, not_after FROM certificates "

enum pt_status
report_expiry_foreach(struct store *st, time_t now, long days,
                      int (*cb)(const struct report_row *r, void *ud), void *ud, struct pt_err *err)
{
	struct ca_names cas;
	sqlite3_stmt *s = NULL;
	int crit, warn, rc;
	enum pt_status ret = cert_band_days(st, &crit, &warn, err);

	if (ret != PT_OK || (ret = ca_names_load(st, &cas, err)) != PT_OK)
		return ret;
	rc = sqlite3_prepare_v2(store_db(st),
	                        days < 0 ? REPORT_COLUMNS "NOT INDEXED WHERE state = 'current'"
	                                                 " ORDER BY not_after, fqdn"
	                                 : REPORT_COLUMNS "WHERE not_after <= ?1 AND state = 'current'"
	                                                 " ORDER BY not_after, fqdn",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK) {
		ca_names_free(&cas);
		return store_fail(st, rc, err, _("prepare statement"));
	}
	if (days >= 0)
		sqlite3_bind_int64(s, 1, (sqlite3_int64)now + (sqlite3_int64)days * 86400);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct report_row r = {
			.fqdn = store_text(s, 0),
			.subject = store_text(s, 1),
			.issuer = store_text(s, 2),
			.serial = store_text(s, 3),
			.ca = ca_name(&cas, sqlite3_column_int64(s, 4)),
			.not_before = (time_t)sqlite3_column_int64(s, 5),
			.not_after = (time_t)sqlite3_column_int64(s, 6),
		};
		r.band = x509_band(r.not_before, r.not_after, now, crit, warn, &r.days_left);
		if (cb(&r, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	ca_names_free(&cas);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read certificates"));
}

struct tcache {
	time_t last;
	char buf[24];
};

struct writer {
	FILE *f;
	enum report_format fmt;
	size_t n;
	struct tcache nb, na; /* rows come in date order: reuse the text */
};

/* ISO 8601 UTC by hand: strftime and stdio's locking cost more than the
 * query on a large report. */
static void
put_time(FILE *f, struct tcache *c, time_t t)
{
	char *buf = c->buf;
	struct tm tm;

	if (t != c->last || !buf[0]) {
		int y;

		gmtime_r(&t, &tm);
		y = tm.tm_year + 1900;
		buf[0] = (char)('0' + y / 1000 % 10);
		buf[1] = (char)('0' + y / 100 % 10);
		buf[2] = (char)('0' + y / 10 % 10);
		buf[3] = (char)('0' + y % 10);
		buf[4] = '-';
		buf[5] = (char)('0' + (tm.tm_mon + 1) / 10);
		buf[6] = (char)('0' + (tm.tm_mon + 1) % 10);
		buf[7] = '-';
		buf[8] = (char)('0' + tm.tm_mday / 10);
		buf[9] = (char)('0' + tm.tm_mday % 10);
		buf[10] = 'T';
		buf[11] = (char)('0' + tm.tm_hour / 10);
		buf[12] = (char)('0' + tm.tm_hour % 10);
		buf[13] = ':';
		buf[14] = (char)('0' + tm.tm_min / 10);
		buf[15] = (char)('0' + tm.tm_min % 10);
		buf[16] = ':';
		buf[17] = (char)('0' + tm.tm_sec / 10);
		buf[18] = (char)('0' + tm.tm_sec % 10);
		buf[19] = 'Z';
		buf[20] = '\0';
		c->last = t;
	}
	fputs_unlocked(buf, f);
}

static void
put_json_str(FILE *f, const char *s)
{
	const char *p;

	putc_unlocked('"', f);
	for (p = s; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			break;
	if (!*p) { /* the common case: nothing to escape */
		fputs_unlocked(s, f);
		putc_unlocked('"', f);
		return;
	}
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			putc_unlocked('\\', f);
			putc_unlocked(ch, f);
		} else if (ch < 0x20) {
			fprintf(f, "\\u%04x", ch);
		} else {
			putc_unlocked(ch, f);
		}
	}
	putc_unlocked('"', f);
}

/* RFC 4180: quote when needed, double the quotes. */
static void
put_csv(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs_unlocked(s, f);
		return;
	}
	putc_unlocked('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc_unlocked('"', f);
		putc_unlocked(*s, f);
	}
	putc_unlocked('"', f);
}

static void
put_long(FILE *f, long v)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	fputs_unlocked(p, f);
}

static int
write_row(const struct report_row *r, void *ud)
{
	struct writer *w = ud;
	FILE *f = w->f;

	switch (w->fmt) {
	case REPORT_TEXT:
		put_time(f, &w->na, r->not_after);
		fprintf(f, " %6ld  %-13s  %-30s  %s\n", r->days_left, x509_band_name(r->band), r->fqdn,
		        r->subject);
		break;
	case REPORT_CSV:
		put_csv(f, r->fqdn);
		putc_unlocked(',', f);
		put_time(f, &w->na, r->not_after);
		putc_unlocked(',', f);
		put_long(f, r->days_left);
		putc_unlocked(',', f);
		fputs_unlocked(x509_band_name(r->band), f);
		putc_unlocked(',', f);
		put_csv(f, r->subject);
		putc_unlocked(',', f);
		put_csv(f, r->issuer);
		putc_unlocked(',', f);
		put_csv(f, r->serial);
		putc_unlocked(',', f);
		put_time(f, &w->nb, r->not_before);
		putc_unlocked(',', f);
		put_csv(f, r->ca);
		fputs_unlocked("\r\n", f);
		break;
	case REPORT_JSON:
		fputs_unlocked(w->n ? ",\n  {\"host\": " : "\n  {\"host\": ", f);
		put_json_str(f, r->fqdn);
		fputs_unlocked(", \"not_after\": \"", f);
		put_time(f, &w->na, r->not_after);
		fputs_unlocked("\", \"days_left\": ", f);
		put_long(f, r->days_left);
		fputs_unlocked(", \"band\": \"", f);
		fputs_unlocked(x509_band_name(r->band), f);
		fputs_unlocked("\", \"subject\": ", f);
		put_json_str(f, r->subject);
		fputs_unlocked(", \"issuer\": ", f);
		put_json_str(f, r->issuer);
		fputs_unlocked(", \"serial\": ", f);
		put_json_str(f, r->serial);
		fputs_unlocked(", \"not_before\": \"", f);
		put_time(f, &w->nb, r->not_before);
		fputs_unlocked("\", \"ca\": ", f);
		if (*r->ca)
			put_json_str(f, r->ca);
		else
			fputs_unlocked("null", f);
		putc_unlocked('}', f);
		break;
	}
	w->n++;
	return 0;
}

enum pt_status
report_expiry_write(struct store *st, FILE *out, enum report_format fmt, time_t now, long days,
                    size_t *count, struct pt_err *err)
{
	struct writer w = { .f = out, .fmt = fmt };
	enum pt_status ret;

	switch (fmt) {
	case REPORT_TEXT:
		fprintf(out, "%-20s %6s  %-13s  %-30s  %s\n", _("NOT AFTER"), _("DAYS"), _("BAND"),
		        _("HOST"), _("SUBJECT"));
		break;
	case REPORT_CSV:
		/* column names are an interface for other tools: not translated */
		fputs("host,not_after,days_left,band,subject,issuer,serial,not_before,ca\r\n", out);
		break;
	case REPORT_JSON:
		putc('[', out);
		break;
	}
	flockfile(out); /* the rows use the _unlocked calls */
	ret = report_expiry_foreach(st, now, days, write_row, &w, err);
	funlockfile(out);
	if (fmt == REPORT_JSON)
		fputs(w.n ? "\n]\n" : "]\n", out);
	if (count)
		*count = w.n;
	if (ret == PT_OK && ferror(out))
		ret = pt_fail(err, PT_IO, _("cannot write the report"));
	return ret;
}

/* report.c - the expiry / inventory report from stored columns only. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert/cert.h"
#include "base/i18n.h"
#include "cert/private.h"
#include "cert/report.h"
#include "cert/trust.h"

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

/* The acknowledged warnings that hold at now, by certificate id: a few
 * rows, so a sorted array. */
struct acks {
	size_t n;
	int64_t *id; /* pairs: certificate id, end of the acknowledgement */
};

static enum pt_status
acks_load(struct store *st, time_t now, struct acks *a, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc = sqlite3_prepare_v2(store_db(st),
	                            "SELECT cert_id, until_at FROM cert_acks WHERE until_at > ?"
	                            " ORDER BY cert_id",
	                            -1, &s, NULL);
	int64_t *buf = NULL;

	memset(a, 0, sizeof(*a));
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, _("prepare statement"));
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (a->n == cap) {
			int64_t *nb = realloc(buf, 2 * (cap = cap ? 2 * cap : 16) * sizeof(*nb));

			if (!nb) {
				rc = SQLITE_NOMEM;
				break;
			}
			buf = nb;
		}
		buf[2 * a->n] = sqlite3_column_int64(s, 0);
		buf[2 * a->n + 1] = sqlite3_column_int64(s, 1);
		a->n++;
	}
	sqlite3_finalize(s);
	a->id = buf;
	if (rc != SQLITE_DONE) {
		free(buf);
		a->id = NULL;
		a->n = 0;
		return rc == SQLITE_NOMEM ? pt_fail(err, PT_NOMEM, NULL)
		                          : store_fail(st, rc, err, _("read the acknowledgements"));
	}
	return PT_OK;
}

/* The end of the acknowledgement of certificate id, 0 when none. */
static time_t
acks_until(const struct acks *a, int64_t id)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->id[2 * mid] == id)
			return (time_t)a->id[2 * mid + 1];
		if (a->id[2 * mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The rows come from the partial covering index certificates_report
 * (schema 12): the current certificates already in the report's order
 * (not_after, then host: BINARY collation, strcmp's byte order), each
 * entry holding every column read here.  So the report reads about two
 * thirds of the table's bytes, no superseded row, sorts nothing and
 * buffers nothing: each row goes to the callback as it is stepped. */
#define REPORT_COLUMNS \
	"SELECT fqdn, subject, issuer, serial, ca_id, not_before, not_after, id FROM certificates " \
	"INDEXED BY certificates_report WHERE state = 'current' "

static const char *
col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

enum pt_status
report_expiry_foreach(struct store *st, time_t now, long days,
                      int (*cb)(const struct report_row *r, void *ud), void *ud, struct pt_err *err)
{
	struct ca_names cas;
	struct trust_revoked *rev = NULL;
	struct acks acks = { 0 };
	sqlite3_stmt *s = NULL;
	struct x509_thresholds th;
	int rc;
	enum pt_status ret = cert_thresholds(st, &th, err);

	if (ret == PT_OK && (ret = trust_revoked_load(st, &rev, err)) == PT_OK)
		ret = acks_load(st, now, &acks, err);
	if (ret != PT_OK || (ret = ca_names_load(st, &cas, err)) != PT_OK) {
		trust_revoked_free(&rev);
		free(acks.id);
		return ret;
	}
	rc = sqlite3_prepare_v2(store_db(st),
	                        days < 0 ? REPORT_COLUMNS : REPORT_COLUMNS "AND not_after <= ?1",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK) {
		ret = store_fail(st, rc, err, _("prepare statement"));
		goto out;
	}
	if (days >= 0)
		sqlite3_bind_int64(s, 1, (sqlite3_int64)now + (sqlite3_int64)days * 86400);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct report_row r = {
			.fqdn = col_text(s, 0),
			.subject = col_text(s, 1),
			.issuer = col_text(s, 2),
			.serial = col_text(s, 3),
			.ca = ca_name(&cas, sqlite3_column_int64(s, 4)),
			.not_before = (time_t)sqlite3_column_int64(s, 5),
			.not_after = (time_t)sqlite3_column_int64(s, 6),
		};

		r.band = x509_band_at(r.not_before, r.not_after, now, &th, &r.days_left);
		/* one look-up a row only when a CRL lists anything */
		if (trust_revoked_count(rev) && trust_revoked_has(rev, r.issuer, r.serial))
			r.band = X509_BAND_REVOKED;
		if (acks.n && (r.band == X509_BAND_WARNING || r.band == X509_BAND_CRITICAL))
			r.ack_until = acks_until(&acks, sqlite3_column_int64(s, 7));
		r.warning_at =
			x509_band_start(r.not_before, r.not_after, th.warning_days, th.warning_pct);
		if (cb(&r, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		ret = store_fail(st, rc, err, _("read certificates"));
out:
	sqlite3_finalize(s);
	ca_names_free(&cas);
	trust_revoked_free(&rev);
	free(acks.id);
	return ret;
}

struct tcache {
	time_t last;
	char buf[24];
};

struct writer {
	FILE *f;
	enum report_format fmt;
	size_t n;
	const char *bad_field; /* of the row JSON could not hold, and its host */
	char bad_host[256];
	struct tcache nb, na; /* rows come in date order: reuse the text */
	time_t now;           /* iCalendar: DTSTAMP */
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

/* Whether s is UTF-8 as RFC 3629 has it (no overlong forms, no
 * surrogates, nothing above U+10FFFF): JSON text must be. */
static bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p++;
		int more;
		unsigned cp, min;

		if (c < 0x80)
			continue;
		if ((c & 0xe0) == 0xc0)
			more = 1, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			more = 2, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			more = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		while (more--) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*p++ & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

/* The first text field of r that is not UTF-8, or NULL. */
static const char *
json_bad_field(const struct report_row *r)
{
	if (!utf8_valid(r->fqdn))
		return "host";
	if (!utf8_valid(r->subject))
		return "subject";
	if (!utf8_valid(r->issuer))
		return "issuer";
	if (!utf8_valid(r->serial))
		return "serial";
	if (!utf8_valid(r->ca))
		return "ca";
	return NULL;
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

/* v right-aligned in width bytes (printf's %*ld; 0: no padding) */
static void
put_long(FILE *f, long v, int width)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	for (int n = (int)(buf + sizeof(buf) - 1 - p); n < width; n++)
		putc_unlocked(' ', f);
	fputs_unlocked(p, f);
}

/* s, then spaces up to width bytes (printf's %-*s) */
static void
put_padded(FILE *f, const char *s, int width)
{
	int n = (int)strlen(s);

	fputs_unlocked(s, f);
	while (n++ < width)
		putc_unlocked(' ', f);
}

/* ---- iCalendar (RFC 5545) ---- */

/* One content line: folded at 75 octets (a CRLF and a space before the
 * rest), never inside a UTF-8 sequence, ended by CRLF. */
static void
ics_line(FILE *f, const char *s)
{
	size_t col = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;

		for (size_t i = 1; i < n; i++)
			if (!p[i])
				n = i;
		if (col + n > 75) {
			fputs_unlocked("\r\n ", f);
			col = 1;
		}
		fwrite_unlocked(p, 1, n, f);
		col += n;
		p += n;
	}
	fputs_unlocked("\r\n", f);
}

/* TEXT escaped as RFC 5545 3.3.11 wants, appended to the property name. */
static void
ics_text(FILE *f, const char *name, const char *v)
{
	struct x509_sbuf sb = { 0 };

	x509_sbuf_str(&sb, name);
	for (; *v; v++) {
		if (*v == '\\' || *v == ';' || *v == ',')
			x509_sbuf_add(&sb, "\\", 1);
		if (*v == '\n')
			x509_sbuf_str(&sb, "\\n");
		else if ((unsigned char)*v >= 0x20 && *v != 0x7f)
			x509_sbuf_add(&sb, v, 1);
	}
	if (sb.p && !sb.oom)
		ics_line(f, sb.p);
	free(sb.p);
}

static void
ics_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
}

static void
ics_event(struct writer *w, const struct report_row *r, const char *kind, time_t at,
          const char *summary)
{
	FILE *f = w->f;
	char t[32], line[512];

	fputs_unlocked("BEGIN:VEVENT\r\n", f);
	snprintf(line, sizeof(line), "UID:%s-%s-%s@passtore", kind, r->serial, r->fqdn);
	ics_line(f, line);
	ics_time(t, sizeof(t), w->now);
	snprintf(line, sizeof(line), "DTSTAMP:%s", t);
	ics_line(f, line);
	ics_time(t, sizeof(t), at);
	snprintf(line, sizeof(line), "DTSTART:%s", t);
	ics_line(f, line);
	snprintf(line, sizeof(line), "DTEND:%s", t);
	ics_line(f, line);
	ics_text(f, "SUMMARY:", summary);
	snprintf(line, sizeof(line), _("Host %s, subject %s, serial %s, CA %s."), r->fqdn,
	         r->subject, r->serial, *r->ca ? r->ca : "-");
	ics_text(f, "DESCRIPTION:", line);
	fputs_unlocked("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:PT0S\r\n", f);
	ics_text(f, "DESCRIPTION:", summary);
	fputs_unlocked("END:VALARM\r\nEND:VEVENT\r\n", f);
}

/* An event where the certificate enters its warning band and one where
 * it expires; none for a revoked one (it is replaced now, not then). */
static void
ics_row(struct writer *w, const struct report_row *r)
{
	char summary[512];

	if (r->band == X509_BAND_REVOKED)
		return;
	if (r->warning_at < r->not_after) {
		char d[32];
		struct tm tm;

		gmtime_r(&r->not_after, &tm);
		strftime(d, sizeof(d), "%Y-%m-%d", &tm);
		snprintf(summary, sizeof(summary),
		         _("Certificate of %s: warning, it expires on %s"), r->fqdn, d);
		ics_event(w, r, "warning", r->warning_at, summary);
	}
	snprintf(summary, sizeof(summary), _("Certificate of %s expires"), r->fqdn);
	ics_event(w, r, "expiry", r->not_after, summary);
}

static int
write_row(const struct report_row *r, void *ud)
{
	struct writer *w = ud;
	FILE *f = w->f;

	switch (w->fmt) {
	case REPORT_TEXT:
		/* " %6ld  %-13s  %-30s  %s\n" without printf's cost per row */
		put_time(f, &w->na, r->not_after);
		putc_unlocked(' ', f);
		put_long(f, r->days_left, 6);
		fputs_unlocked("  ", f);
		if (r->ack_until) {
			char b[24];

			snprintf(b, sizeof(b), "%s+ack", x509_band_name(r->band));
			put_padded(f, b, 13);
		} else {
			put_padded(f, x509_band_name(r->band), 13);
		}
		fputs_unlocked("  ", f);
		put_padded(f, r->fqdn, 30);
		fputs_unlocked("  ", f);
		fputs_unlocked(r->subject, f);
		putc_unlocked('\n', f);
		break;
	case REPORT_CSV:
		put_csv(f, r->fqdn);
		putc_unlocked(',', f);
		put_time(f, &w->na, r->not_after);
		putc_unlocked(',', f);
		put_long(f, r->days_left, 0);
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
		/* checked before a byte of the row is out: a row JSON cannot
		 * hold ends the report with an error, never a row left out */
		if ((w->bad_field = json_bad_field(r))) {
			snprintf(w->bad_host, sizeof(w->bad_host), "%s", r->fqdn);
			return 1;
		}
		fputs_unlocked(w->n ? ",\n  {\"host\": " : "\n  {\"host\": ", f);
		put_json_str(f, r->fqdn);
		fputs_unlocked(", \"not_after\": \"", f);
		put_time(f, &w->na, r->not_after);
		fputs_unlocked("\", \"days_left\": ", f);
		put_long(f, r->days_left, 0);
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
		if (r->ack_until) {
			struct tcache tc = { 0 };

			fputs_unlocked(", \"acknowledged_until\": \"", f);
			put_time(f, &tc, r->ack_until);
			putc_unlocked('"', f);
		}
		putc_unlocked('}', f);
		break;
	case REPORT_ICS: ics_row(w, r); break;
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
	case REPORT_JSON: putc('[', out); break;
	case REPORT_ICS:
		fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//passtore//expiry report//EN\r\n"
		      "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n",
		      out);
		w.now = now;
		break;
	}
	flockfile(out); /* the rows use the _unlocked calls */
	ret = report_expiry_foreach(st, now, days, write_row, &w, err);
	funlockfile(out);
	if (ret == PT_OK && w.bad_field) {
		/* the array stays open: what was written is no complete report */
		fputs("\n", out);
		ret = pt_fail(
			err, PT_INVALID,
			_("%s: the %s of its certificate cannot be written as JSON (not valid UTF-8)"),
			w.bad_host, w.bad_field);
	} else if (fmt == REPORT_JSON) {
		fputs(w.n ? "\n]\n" : "]\n", out);
	} else if (fmt == REPORT_ICS) {
		fputs("END:VCALENDAR\r\n", out);
	}
	if (count)
		*count = w.n;
	if (ret == PT_OK && ferror(out))
		ret = pt_fail(err, PT_IO, _("cannot write the report"));
	return ret;
}

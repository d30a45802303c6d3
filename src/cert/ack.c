/* ack.c - acknowledged warnings: a person's "known, in hand until DATE"
 * on the warning of one certificate.  It is kept with the certificate,
 * not the host, so a newer certificate of the host silences it. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "cert/cert.h"
#include "cert/private.h"
#include "cert/trust.h"

bool
cert_ack_parse_until(const char *v, time_t *out)
{
	struct tm tm = { 0 };
	const char *e;

	if ((e = strptime(v, "%Y-%m-%dT%H:%M:%SZ", &tm)) && !*e) {
		*out = timegm(&tm);
		return true;
	}
	memset(&tm, 0, sizeof(tm));
	if ((e = strptime(v, "%Y-%m-%d", &tm)) && !*e && strlen(v) == 10) {
		tm.tm_hour = 23;
		tm.tm_min = 59;
		tm.tm_sec = 59;
		*out = timegm(&tm);
		return true;
	}
	return false;
}

enum pt_status
cert_ack(struct store *st, const char *fqdn, const char *reason, time_t until, time_t now,
         struct pt_err *err)
{
	struct x509_thresholds t;
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	time_t nb = 0, na = 0;
	int64_t hid, cid = 0;
	enum x509_band b;
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if (!*reason || strlen(reason) > 200 || strpbrk(reason, "\r\n\t"))
		return pt_fail(err, PT_INVALID, _("the reason is one line of 1 to 200 characters"));
	if (until <= now)
		return pt_fail(err, PT_INVALID,
		               _("the end date of an acknowledgement must be ahead"));
	if ((ret = cert_host_id(st, fqdn, &hid, err)) != PT_OK ||
	    (ret = cert_thresholds(st, &t, err)) != PT_OK ||
	    (ret = store_prepare(st,
	                         "SELECT id, not_before, not_after FROM certificates"
	                         " WHERE host_id = ? AND state = 'current'",
	                         &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cid = sqlite3_column_int64(s, 0);
		nb = (time_t)sqlite3_column_int64(s, 1);
		na = (time_t)sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("look up the certificate"));
	if (!cid)
		return pt_fail(err, PT_NOTFOUND, _("%s has no current certificate"), fqdn);
	b = x509_band_at(nb, na, now, &t, NULL);
	if (b != X509_BAND_WARNING && b != X509_BAND_CRITICAL)
		return pt_fail(
			err, PT_REFUSED,
			_("%s: its certificate is %s, not in a warning: nothing to acknowledge"),
			fqdn, x509_band_name(b));
	if ((ret = store_prepare(st,
	                         "INSERT OR REPLACE INTO cert_acks (cert_id, reason, until_at,"
	                         " created_at) VALUES (?, ?, ?, ?)",
	                         &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, cid);
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)until);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("store the acknowledgement"));
	{
		char u[32];

		x509_fmt_time(until, u, sizeof(u));
		return audit_appendf(st, "cert.ack", fqdn, err,
		                     "certificate=%lld until=%s reason=%s", (long long)cid, u,
		                     reason);
	}
}

enum pt_status
cert_ack_get(struct store *st, int64_t cert_id, time_t now, bool *found, struct cert_ack_row *out,
             char *reason, size_t len, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_prepare(
		st,
		"SELECT reason, until_at, created_at FROM cert_acks WHERE cert_id = ? AND until_at > ?",
		&s, err);
	int rc;

	*found = false;
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, cert_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = true;
		snprintf(reason, len, "%s", store_text(s, 0));
		out->cert_id = cert_id;
		out->reason = reason;
		out->until = (time_t)sqlite3_column_int64(s, 1);
		out->created_at = (time_t)sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	               ? PT_OK
	               : store_fail(st, rc, err, _("read the acknowledgement"));
}

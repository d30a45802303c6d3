/* report.h - the expiry and inventory report: every current certificate,
 * sorted by not-after, as text, CSV or JSON.
 *
 * Built from the stored columns in one query (no certificate is parsed),
 * so that it stays fast on a large site.  Writes to a stream the caller
 * gives; never a secret in it.
 */
#ifndef PASSTORE_REPORT_H
#define PASSTORE_REPORT_H

#include <stdio.h>
#include <time.h>

#include "base/lib.h"
#include "store/lib.h"
#include "cert/x509.h"

enum report_format {
	REPORT_TEXT,
	REPORT_CSV,
	REPORT_JSON,
	REPORT_ICS, /* iCalendar (RFC 5545): an event at each warning date and expiry */
};

struct report_row {
	const char *fqdn, *subject, *issuer, *serial, *ca; /* ca: "" when none */
	time_t not_before, not_after;
	long days_left;
	enum x509_band band; /* revoked when its issuer's CRL lists it */
	time_t ack_until;    /* its warning is acknowledged until then; 0: not */
	time_t warning_at;   /* when it enters the warning band (days or share) */
};

/* Current certificates by not-after (then host); with days >= 0 only
 * those whose not-after is within days of now (expired ones included). */
enum pt_status report_expiry_foreach(struct store *st, time_t now, long days,
                                     int (*cb)(const struct report_row *r, void *ud), void *ud,
                                     struct pt_err *err);
/* The same, written to out in fmt; *count (may be NULL) gets the rows. */
enum pt_status report_expiry_write(struct store *st, FILE *out, enum report_format fmt, time_t now,
                                   long days, size_t *count, struct pt_err *err);

#endif

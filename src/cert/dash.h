/* dash.h - what the console's dashboard says about certificates,
 * computed here so that the console only draws: counts by band, a
 * timeline of the next calendar months with each month's worst band,
 * the expired ones apart, and the most urgent certificates by name. */
#ifndef PASSTORE_CERT_DASH_H
#define PASSTORE_CERT_DASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/lib.h"
#include "cert/x509.h"
#include "store/lib.h"

#define DASH_MONTHS 12
#define DASH_URGENT 32

struct dash_month {
	int year;  /* e.g. 2027 */
	int month; /* 0..11, as struct tm has it */
	long count;
	bool any;             /* count > 0: worst is meaningful */
	enum x509_band worst; /* the worst band of the certificates in it */
};

struct dash_urgent {
	char fqdn[96];
	long days; /* days left; negative: expired that long ago */
	enum x509_band band;
};

struct dash_certs {
	long total;
	long bands[X509_BAND_REVOKED + 1];     /* by enum x509_band */
	long expired;                          /* the column at the left of the timeline */
	long later;                            /* beyond the last month shown */
	struct dash_month months[DASH_MONTHS]; /* [0]: the calendar month of now */
	/* expired, critical and warning certificates, fewest days first */
	struct dash_urgent urgent[DASH_URGENT];
	int nurgent;
	int crit_days, warn_days;
};

/* The calendar month (local time) of t counted from the month of now:
 * 0 for the same month, 1 for the next (also across a year's end),
 * negative before.  Not 30-day blocks: the 31st is in its own month. */
int dash_month_index(time_t now, time_t t);
/* Empty counts with the months from now's month on labelled. */
void dash_certs_init(struct dash_certs *d, time_t now, int crit_days, int warn_days);
/* Count one certificate. */
void dash_certs_add(struct dash_certs *d, time_t now, const char *fqdn, time_t not_before,
                    time_t not_after);
/* Count one certificate whose band is known (the report's rows): quiet
 * keeps it out of the urgent list (an acknowledged warning). */
void dash_certs_count(struct dash_certs *d, time_t now, const char *fqdn, time_t not_after,
                      enum x509_band band, long days, bool quiet);
/* The whole picture of the store's current certificates at now. */
enum pt_status dash_certs_load(struct store *st, time_t now, struct dash_certs *d,
                               struct pt_err *err);
/* What else needs doing, for the attention list. */
enum dash_todo_kind {
	DASH_TODO_UNSENT,      /* a request made, its CSR neither sent nor saved since */
	DASH_TODO_UNINSTALLED, /* a current certificate never installed */
	DASH_TODO_PW_OLD,      /* a password older than pw.rotate_days */
};
struct dash_todo {
	enum dash_todo_kind kind;
	const char *name; /* the host, or the password entry user@hosts:service */
	int64_t id;       /* the request, certificate or password entry */
	long days;        /* how long it has waited */
};
/* Call cb for each (oldest first within a kind), at most limit per kind
 * (0: all); cb returns non-zero to stop. */
enum pt_status dash_todo_foreach(struct store *st, time_t now, size_t limit,
                                 int (*cb)(const struct dash_todo *t, void *ud), void *ud,
                                 struct pt_err *err);

/* How bad a band is, for "worst": expired 4 > critical 3 > warning 2 >
 * not yet valid 1 > ok 0. */
int dash_band_rank(enum x509_band b);

#endif

/* inventory.h - the read calls behind the console's certificate screen
 * and host page: certificates and requests as list rows, one
 * certificate's detail with its install history, and what the store
 * holds about one host.
 *
 * Lists are read a page at a time with keyset pagination: each row
 * carries its key, and the next page starts after the last row's key,
 * so a deep page costs what the first does (an index range, not a
 * count of skipped rows).  Readers need no transaction; nothing here
 * hands out a secret (a host's passwords are listed by model.h, masked
 * until the console reveals one).
 */
#ifndef PASSTORE_INVENTORY_H
#define PASSTORE_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cert/cert.h"
#include "base/lib.h"
#include "store/lib.h"
#include "cert/x509.h"

/* Orders a certificate page can be read in, each on an index. */
enum inv_order {
	INV_BY_HOST,   /* host name, then id (hosts.fqdn, certificates_host) */
	INV_BY_EXPIRY, /* not-after, then id (certificates_not_after) */
	INV_BY_ID,     /* id: the order they were stored in */
};

/* Where a page starts: after (or, backward, before) this row.  A row's
 * own key is in the row; a zeroed key (set false) is the start. */
struct inv_key {
	bool set;
	int64_t id;
	int64_t num;    /* not-after, for INV_BY_EXPIRY */
	char text[256]; /* host name, for INV_BY_HOST */
};

/* What a page keeps; every field may be left zero (everything). */
struct inv_filter {
	const char *text;  /* case-insensitive substring of host, subject, CA
	                     * (requests: host, CA, key type, subject) */
	const char *fqdn;  /* this host only */
	bool current_only; /* certificates: skip superseded ones */
	bool pending_only; /* requests: skip issued and cancelled ones */
	/* certificates: parse each row's DER to compare its public key with
	 * the stored key (key_match); costs a parse per row, so meant for
	 * pages, not for scans of the whole store */
	bool check_keys;
};

/* One stored certificate as a list row (strings valid during the callback). */
struct inv_cert_row {
	int64_t id;
	const char *fqdn;
	const char *cn;                             /* the subject's CN, "" when none */
	const char *subject;                        /* Grid form */
	const char *state;                          /* "current" or "superseded" */
	const char *ca;                             /* the CA it was stored under, "" when none */
	time_t not_before, not_after, installed_at; /* installed_at 0: never */
	enum x509_band band;
	long days_left;
	/* with check_keys: the certificate's public key is the stored key
	 * it was filed with (key ids compared; no private key is read) */
	bool key_checked, key_match;
	struct inv_key key; /* pass as `after` to continue past this row */
};

/* limit 0: no limit.  backward: the rows before `after`, nearest first
 * (for paging up).  Bands use the station's thresholds at now. */
enum pt_status inv_cert_page(struct store *st, const struct inv_filter *f, enum inv_order o,
                             const struct inv_key *after, bool backward, size_t limit, time_t now,
                             int (*cb)(const struct inv_cert_row *r, void *ud), void *ud,
                             struct pt_err *err);
/* The key check of check_keys for the certificates ids[0..n), one
 * statement for all: match[i] 1 when the key matches, 0 when not, -1
 * when there is no such certificate.  For the rows a screen shows. */
enum pt_status inv_cert_keys(struct store *st, const int64_t *ids, size_t n, int *match,
                             struct pt_err *err);
/* A page with a text filter walks its order's index for at most this
 * much CPU time before it scans the table instead (default 5 ms; < 0:
 * the default).  For tests and benchmarks: both ways give the same rows. */
void inv_set_walk_budget(long ms);
/* How many certificates match the filter. */
enum pt_status inv_cert_count(struct store *st, const struct inv_filter *f, size_t *n,
                              struct pt_err *err);

/* The certificates screen's list: every stored certificate, most urgent
 * first (INV_BY_EXPIRY's order), read from the listing kept for it
 * (data/migrate-6.sql: one short row per certificate, clustered in that
 * order).  Its filter matches what the screen shows, so the screen need
 * not check rows again: the text is a case-insensitive substring of the
 * host, the subject's CN or the CA name; rows also match by the labels
 * the screen gives them, which the caller matched against the text (the
 * labels are translated: the core does not know them). */
struct inv_list_filter {
	const char *text; /* NULL or "": no text */
	unsigned bands;   /* 1 << enum x509_band: rows in these bands match */
	unsigned states;  /* 1: current ones match, 2: superseded ones */
	bool numbers;     /* the text also against not-after (UTC "YYYY-MM-DD")
	                    * and the days left, as decimal text */
};

/* Rows as inv_cert_page's, without key_checked (the subject is empty:
 * the CN is given); `after` and `backward` as there. */
enum pt_status inv_list_page(struct store *st, const struct inv_list_filter *f,
                             const struct inv_key *after, bool backward, size_t limit, time_t now,
                             int (*cb)(const struct inv_cert_row *r, void *ud), void *ud,
                             struct pt_err *err);
enum pt_status inv_list_count(struct store *st, const struct inv_list_filter *f, time_t now,
                              size_t *n, struct pt_err *err);

/* One certificate request as a list row. */
struct inv_req_row {
	int64_t id;
	const char *fqdn, *ca, *keytype, *subject, *sans;
	const char *state; /* "pending", "issued" or "cancelled" */
	time_t created_at;
	long age_days; /* whole days since it was made */
	struct inv_key key;
};

/* Requests in host order (INV_BY_HOST) or by id (INV_BY_ID). */
enum pt_status inv_req_page(struct store *st, const struct inv_filter *f, enum inv_order o,
                            const struct inv_key *after, bool backward, size_t limit, time_t now,
                            int (*cb)(const struct inv_req_row *r, void *ud), void *ud,
                            struct pt_err *err);
enum pt_status inv_req_count(struct store *st, const struct inv_filter *f, size_t *n,
                             struct pt_err *err);

/* One install of a certificate on its host (installs joined with the
 * transfer window that carried it). */
struct inv_install {
	int64_t cert_id;
	const char *fqdn;
	const char *cert_path, *key_path, *cert_sha256;
	time_t installed_at;
	const char *window_tag, *peer, *outcome;
	double exposure_ms; /* < 0: unknown */
};

/* The detail of one certificate: what cert_status_foreach checks now
 * (key match against the stored private key, chain against the CA),
 * and where and when it was installed. */
struct inv_cert_detail {
	const struct cert_status *cs; /* cert.h; cs->x holds the parsed facts */
	const char *serial_hex;       /* "12:34:..." */
	size_t ninstalls;
	const struct inv_install *installs; /* newest first */
};

/* PT_NOTFOUND for an unknown id. */
enum pt_status inv_cert_detail(struct store *st, int64_t id, time_t now,
                               int (*cb)(const struct inv_cert_detail *d, void *ud), void *ud,
                               struct pt_err *err);

/* ---- a host's page ---- */

struct inv_key_row {
	int64_t id;
	const char *type, *origin, *key_id;
	time_t created_at;
	const char *used_by; /* "certificate 12 (current), request 7 (issued)", "";
	                      * in the user's language, states too */
};
enum pt_status inv_host_keys(struct store *st, const char *fqdn,
                             int (*cb)(const struct inv_key_row *k, void *ud), void *ud,
                             struct pt_err *err);
/* Installs on a host (fqdn) or of one certificate (cert_id > 0), newest first. */
enum pt_status inv_installs(struct store *st, const char *fqdn, int64_t cert_id,
                            int (*cb)(const struct inv_install *i, void *ud), void *ud,
                            struct pt_err *err);

#endif

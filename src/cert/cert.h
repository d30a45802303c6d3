/* cert.h - certificate authorities, host keys, requests and certificates
 * in the store.
 *
 * Every function that changes something must run inside the caller's
 * transaction and appends its own audit row there; readers need no
 * transaction.  Private keys enter and leave this module only in secmem
 * memory and only towards x509.c: no function here hands one to a caller.
 * A certificate is stored only if its public key matches a stored key.
 */
#ifndef PASSTORE_CERT_H
#define PASSTORE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/lib.h"
#include "store/lib.h"
#include "cert/x509.h"

#define CERT_DEFAULT_TEMPLATE "CN=%h"
#define CERT_DEFAULT_KEY "rsa:2048"

/* ---- certificate authorities ------------------------------------------ */

struct cert_ca {
	int64_t id;
	const char *name;
	const char *subject_tmpl;
	const char *default_key;
	const char *bundle_pem; /* public: roots and intermediates */
	time_t created_at;
	int64_t requests, certificates;
};

/* Add a CA: the bundle must parse with x509_bundle_parse, tmpl (NULL: the
 * default "CN=%h") with x509_subject_parse, keytype (NULL: rsa:2048) with
 * x509_keytype_parse.  PT_EXISTS for a name already used. */
enum pt_status cert_ca_add(struct store *st, const char *name, const unsigned char *bundle,
                           size_t len, const char *tmpl, const char *keytype, struct pt_err *err);
enum pt_status cert_ca_get(struct store *st, const char *name,
                           int (*cb)(const struct cert_ca *ca, void *ud), void *ud,
                           struct pt_err *err);
enum pt_status cert_ca_foreach(struct store *st, int (*cb)(const struct cert_ca *ca, void *ud),
                               void *ud, struct pt_err *err);

/* ---- requests ----------------------------------------------------------- */

struct cert_request_opts {
	const char *ca;          /* NULL: the only CA */
	const char *keytype;     /* NULL: the CA's default */
	const char *const *sans; /* extra dNSNames */
	size_t nsans;
	x509_progress_fn progress; /* turned while the key is generated */
	void *progress_ud;
};

/* What a new request became (strings owned by the struct; free with
 * cert_request_info_clear). */
struct cert_request_info {
	int64_t id;
	char *ca, *keytype, *subject, *sans;
};
void cert_request_info_clear(struct cert_request_info *ri);

/* Generate a key for host fqdn (which must exist) and store it with a CSR
 * built from the CA's template.  PT_NOTFOUND: unknown host or CA;
 * PT_REFUSED: a request is already pending for the host, or no/several
 * CAs and none named.  The checks run before the (slow) key generation. */
enum pt_status cert_request_create(struct store *st, const char *fqdn,
                                   const struct cert_request_opts *o, struct cert_request_info *out,
                                   struct pt_err *err);
/* The pending request's CSR (public), malloc'd PEM. */
enum pt_status cert_request_csr(struct store *st, const char *fqdn, char **csr_pem,
                                struct pt_err *err);
/* Cancel the pending request of a host (its key stays, unused). */
enum pt_status cert_request_cancel(struct store *st, const char *fqdn, struct pt_err *err);

/* ---- import and adopt ----------------------------------------------------- */

enum cert_outcome {
	CERT_STORED,         /* stored as the host's current certificate */
	CERT_STORED_OLDER,   /* stored, but a newer one stays current */
	CERT_DUPLICATE,      /* already in the store: skipped */
	CERT_NO_KEY,         /* refused: its public key matches no stored key */
	CERT_STORED_EARLIER, /* stored, but it expires before the current one, which stays */
};

/* Whether the host's current certificate (valid cur_nb..cur_na) stays
 * current when one valid new_nb..new_na arrives: when it is newer (later
 * not-before, then later not-after), and when the new one expires
 * earlier, unless make_current says to take it anyway.  *earlier (may be
 * NULL) tells the second case: a renewal must not shorten the validity
 * silently. */
bool cert_current_stays(time_t cur_nb, time_t cur_na, time_t new_nb, time_t new_na,
                        bool make_current, bool *earlier);
/* For the imports that follow in this process: a certificate that
 * expires earlier than the current one is made current all the same
 * (cert import --make-current, or the console after asking). */
void cert_import_make_current(bool yes);

/* Import one parsed certificate.  *outcome says what happened; on
 * CERT_NO_KEY the return is PT_MISMATCH with a detail naming the subject
 * (the caller rolls the transaction back).  fqdn_out (may be NULL)
 * receives the host's name, malloc'd. */
enum pt_status cert_import_one(struct store *st, const struct x509_cert *c,
                               enum cert_outcome *outcome, char **fqdn_out, struct pt_err *err);

/* Bring an existing key/certificate pair of host fqdn into the store.
 * key_pem is in secmem and is not kept; certs is what the certificate
 * file held: the one whose key matches key_pem is adopted.  The certificate
 * must name the host (a DNS subjectAltName or the CN).  PT_MISMATCH when
 * no certificate matches the key or it names another host, PT_EXISTS when
 * the key is already stored.  *ca_name (may be NULL) receives the CA whose
 * bundle verifies it, or NULL; malloc'd. */
enum pt_status cert_adopt(struct store *st, const char *fqdn, const char *key_pem,
                          const struct x509_cert_list *certs, char **ca_name,
                          enum cert_outcome *outcome, struct pt_err *err);

/* ---- status ----------------------------------------------------------------- */

/* Band thresholds from the station settings cert.critical_days (default
 * 7) and cert.warning_days (default 30), see settings.h. */
enum pt_status cert_band_days(struct store *st, int *critical, int *warning, struct pt_err *err);

/* One stored certificate, with what was checked about it now. */
struct cert_status {
	int64_t id;
	const char *fqdn;
	const char *state;         /* "current" or "superseded" */
	const char *origin;        /* key origin: "generated" or "adopted" */
	const struct x509_cert *x; /* parsed from the stored DER */
	time_t imported_at;
	enum x509_band band;
	long days_left;
	bool key_match;
	const char *key_detail; /* why not, "" when it matches */
	bool chain_ok;
	const char *ca;           /* the CA checked against, "" when none verifies */
	const char *chain_detail; /* why not, "" when it verifies */
};

/* Certificates of host fqdn (NULL: every host), current ones only unless
 * all; with expiring_days >= 0 only those whose not-after is within that
 * many days of now.  Ordered by host, then newest first. */
enum pt_status cert_status_foreach(struct store *st, const char *fqdn, bool all, long expiring_days,
                                   time_t now, int (*cb)(const struct cert_status *cs, void *ud),
                                   void *ud, struct pt_err *err);

/* ---- the console's listing ----------------------------------------------- */

/* Certificates stored behind passtore's back (tests, benchmarks, a
 * repaired store) into the listing the certificates screen reads; the
 * import path lists what it stores itself.  *added (may be NULL) gets
 * their number.  Inside the caller's transaction. */
enum pt_status cert_list_sync(struct store *st, size_t *added, struct pt_err *err);

#endif

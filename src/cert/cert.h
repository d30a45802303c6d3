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
/* The name of the first stored CA (in the order they were added) whose
 * bundle verifies x at now: the CA `cert adopt` and `cert import` record
 * for it; "" when none does.  Shown by the console's and the CLI's
 * inspect. */
enum pt_status cert_ca_verifying(struct store *st, const struct x509_cert *x, time_t now,
                                 char *name, size_t len, struct pt_err *err);

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
/* Write the pending request's CSR of fqdn into a new file path (mode
 * 0644: it is public); an existing file is PT_EXISTS and stays as it was
 * unless overwrite.  Audited ("csr.save", the path), inside the caller's
 * transaction: for the dashboard the request has left the station. */
enum pt_status cert_request_save(struct store *st, const char *fqdn, const char *path,
                                 bool overwrite, struct pt_err *err);
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

/* ---- batches: files as CAs deliver them -------------------------------- */

enum cert_chain_outcome {
	CERT_CHAIN_ADDED, /* verified up to a stored CA's root: added to its bundle */
	CERT_CHAIN_KNOWN, /* already in the bundle of a stored CA */
	CERT_CHAIN_NO_CA, /* verifies to no stored CA: reported, not stored */
};

/* What became of one certificate of a file. */
struct cert_batch_item {
	const struct x509_cert *x;
	bool chain;                /* a CA certificate (else a host's) */
	enum cert_outcome outcome; /* a host's: CERT_NO_KEY when refused */
	enum cert_chain_outcome chain_outcome;
	const char *host; /* the host of a stored certificate, else "" */
	const char *ca;   /* the CA of a chain certificate, "" when none */
	const char *why;  /* why refused or of no CA, else "" */
};
typedef void (*cert_batch_fn)(const struct cert_batch_item *it, void *ud);

/* A batch reads the CAs' bundles once; free it before the store. */
struct cert_batch;
enum pt_status cert_batch_new(struct store *st, struct cert_batch **out, struct pt_err *err);
void cert_batch_free(struct cert_batch **b);
/* One file's certificates, inside the caller's transaction.  Its CA
 * certificates come first, in whatever order the file had them: one that
 * verifies up to a stored CA's root (through that CA's bundle and the
 * file's other intermediates) is added to that CA's bundle and audited
 * ("ca.chain-add"); one that verifies to none is reported and not
 * stored.  Then its host certificates, each with cert_import_one's rule:
 * one that matches no stored key is reported (CERT_NO_KEY, why set) and
 * counted in *refused (may be NULL) — the caller then rolls the whole
 * batch back.  cb (may be NULL) hears of every certificate.  Fails only
 * when the store does. */
enum pt_status cert_batch_import(struct cert_batch *b, const struct x509_cert_list *l,
                                 cert_batch_fn cb, void *ud, size_t *refused, struct pt_err *err);
/* A file for the console: read (at most X509_FILE_MAX bytes), parsed in
 * whatever delivery format it is (password: a PKCS#12 file's, or NULL)
 * and imported with cert_batch_import.  A file that cannot be read or
 * parsed is an error naming it. */
enum pt_status cert_import_file(struct cert_batch *b, const char *path, const char *password,
                                cert_batch_fn cb, void *ud, size_t *refused, struct pt_err *err);
/* Whether the file at path is PKCS#12 (then its password is needed);
 * false when it cannot be read. */
bool cert_file_is_pkcs12(const char *path);
/* Only the CA certificates of l, as cert_batch_import takes them (cert
 * adopt: the host certificate goes in with its key). */
enum pt_status cert_batch_chain(struct cert_batch *b, const struct x509_cert_list *l,
                                cert_batch_fn cb, void *ud, struct pt_err *err);

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
/* All the thresholds: the days above and the shares of the lifetime of
 * cert.critical_fraction and cert.warning_fraction (0 when unset). */
enum pt_status cert_thresholds(struct store *st, struct x509_thresholds *t, struct pt_err *err);

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
	bool revoked;             /* on its issuer's stored CRL (band is then revoked) */
	time_t revoked_at;
	int namespace_ok;      /* 1 inside its CA's namespace, 0 outside, -1 no policy */
	const char *ns_detail; /* why outside, "" otherwise */
	bool acked;            /* its warning is acknowledged until ack_until */
	time_t ack_until;
	const char *ack_reason; /* "" when not acked */
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

/* x509.h - the certificate lifecycle through GnuTLS: key generation, subject
 * templates, CSRs, certificate parsing, key/certificate match, chain check
 * and expiry bands.
 *
 * A pure library module: it never prints, never exits and never touches the
 * store.  Private keys cross this interface only as PEM text in secmem
 * memory (secmem.h); everything else (CSRs, certificates, facts) is public
 * and lives in ordinary malloc memory.  Failures come back as an enum
 * pt_status with a translated detail in struct pt_err (status.h).
 */
#ifndef PASSTORE_X509_H
#define PASSTORE_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/lib.h"

/* SHA-256 key identifiers and fingerprints are 32 bytes. */
#define X509_ID_LEN 32
/* Hex of X509_ID_LEN bytes with ':' separators, NUL included. */
#define X509_ID_HEX_LEN (X509_ID_LEN * 3)

/* ---- key types --------------------------------------------------------- */

enum x509_keytype {
	X509_KEY_RSA2048,
	X509_KEY_RSA3072,
	X509_KEY_RSA4096,
	X509_KEY_EC_P256,
	X509_KEY_EC_P384,
	X509_KEY_MAX
};

/* "rsa:2048", "rsa:3072", "rsa:4096", "ec:p256", "ec:p384" (case-insensitive)
 * -> *out.  Anything else: PT_INVALID, the detail lists the valid names. */
enum pt_status x509_keytype_parse(const char *s, enum x509_keytype *out, struct pt_err *err);
/* Canonical name ("rsa:3072"); "unknown" for an out-of-range value. */
const char *x509_keytype_name(enum x509_keytype t);

/* ---- private keys ------------------------------------------------------ */

/* Called from the caller's thread about every 100 ms while a key is being
 * generated, and at least once before and once after, so a front end can
 * turn a spinner.  It must not call back into this module. */
typedef void (*x509_progress_fn)(void *ud);

/* Generate a key of type t.  *pem_out receives the private key as PEM
 * (PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY", the forms every Grid
 * middleware reads) in secmem memory: release it with secmem_free().
 * cb may be NULL.  PT_CRYPTO on a GnuTLS failure, PT_NOMEM. */
enum pt_status x509_key_generate(enum x509_keytype t, x509_progress_fn cb, void *ud, char **pem_out,
                                 struct pt_err *err);

/* SHA-256 key id (GNUTLS_KEYID_USE_SHA256) of a PEM private key (PKCS#1,
 * SEC1 or unencrypted PKCS#8).  PT_INVALID if it is not a private key or
 * is encrypted. */
enum pt_status x509_key_id(const char *key_pem, unsigned char id[X509_ID_LEN], struct pt_err *err);
/* Key type of a PEM private key; PT_INVALID if it is none of ours. */
enum pt_status x509_key_type(const char *key_pem, enum x509_keytype *out, struct pt_err *err);

/* ---- subject templates ------------------------------------------------- */

/* One attribute of a subject, in certificate order. */
struct x509_rdn {
	const char *name; /* canonical short name: "C", "O", "CN", "emailAddress"... */
	const char *oid;  /* dotted OID */
	char *value;      /* UTF-8, placeholders expanded, escapes removed */
};

struct x509_subject {
	size_t n;
	struct x509_rdn *rdn;
};

/* Parse a template such as "C=IT,O=INFN,OU=Host,L=Padova,CN=%h".
 * Attributes are listed in certificate order (the Grid order, the reverse
 * of RFC 4514); "%h" expands to fqdn, "%%" to "%", "\," to a comma and
 * "\\" to a backslash; spaces around names and values are dropped.  Known
 * attributes: C, ST, L, O, OU, CN, DC, UID, serialNumber, emailAddress
 * (names are case-insensitive).  fqdn may be NULL when the template has no
 * "%h".  PT_INVALID with a detail naming the fault; PT_NOMEM. */
enum pt_status x509_subject_parse(const char *tmpl, const char *fqdn, struct x509_subject **out,
                                  struct pt_err *err);
/* Free a subject and clear the caller's pointer; NULL is fine. */
void x509_subject_free(struct x509_subject **s);
/* Grid (OpenSSL "compat") form "/C=IT/O=INFN/OU=Host/L=Padova/CN=host",
 * malloc'd; NULL on allocation failure. */
char *x509_subject_grid(const struct x509_subject *s);

/* ---- certificate requests ---------------------------------------------- */

/* Build a PKCS#10 request for key_pem: subject from tmpl (see
 * x509_subject_parse) in certificate order, subjectAltName dNSName = fqdn
 * followed by each of sans[0..nsans) (duplicates dropped), signed with
 * SHA-256.  *csr_pem_out is malloc'd PEM ("CERTIFICATE REQUEST").
 * PT_INVALID for a bad template, key or name; PT_CRYPTO; PT_NOMEM. */
enum pt_status x509_csr_create(const char *key_pem, const char *tmpl, const char *fqdn,
                               const char *const *sans, size_t nsans, char **csr_pem_out,
                               struct pt_err *err);
/* What a PEM request asks for, decoded for the eye (strings malloc'd,
 * free with x509_csr_facts_clear). */
struct x509_csr_facts {
	char *subject;      /* RFC 4514, as GnuTLS writes it */
	char *subject_grid; /* "/C=IT/O=INFN/CN=host": the Grid order */
	char **sans;        /* "DNS:name", "IP:addr", ... */
	size_t nsans;
	char key_algo[16]; /* "RSA", "EC" or GnuTLS's name */
	unsigned key_bits;
	bool key_known; /* key_type is one of ours */
	enum x509_keytype key_type;
	bool sig_ok; /* the request's self-signature verifies */
};
/* Decode csr_pem (at most X509_CSR_MAX bytes).  PT_INVALID when it is not
 * a request. */
#define X509_CSR_MAX (64 * 1024)
enum pt_status x509_csr_facts(const char *csr_pem, struct x509_csr_facts *out, struct pt_err *err);
void x509_csr_facts_clear(struct x509_csr_facts *f);
/* SHA-256 key id of the public key in a PEM request. */
enum pt_status x509_csr_key_id(const char *csr_pem, unsigned char id[X509_ID_LEN],
                               struct pt_err *err);
/* The SHA-256 key id of a DER certificate's public key, as key_id_hex
 * writes it ("AB:CD:..."), without the rest of x509_certs_parse's work.
 * PT_INVALID if der is not a certificate. */
enum pt_status x509_der_key_id(const void *der, size_t len, char hex[X509_ID_HEX_LEN],
                               struct pt_err *err);

/* ---- certificates ------------------------------------------------------ */

/* The facts of one certificate.  All strings are malloc'd and owned.  The
 * four DN strings are valid UTF-8 whatever the certificate holds: values
 * in BMPString or UniversalString are decoded, bytes that are not text are
 * escaped ("\xNN" in the Grid form, "\NN" in RFC 4514's), and control
 * characters are shown as '?' in the Grid form. */
struct x509_cert {
	char *subject;      /* RFC 4514: "CN=host,L=Padova,...,C=IT" */
	char *subject_grid; /* "/C=IT/O=INFN/OU=Host/L=Padova/CN=host" */
	char *issuer;       /* RFC 4514 */
	char *issuer_grid;  /* Grid form */
	char serial[48];    /* upper-case hex, no separators: "1234ABCD" */
	time_t not_before;
	time_t not_after;
	char **sans; /* "DNS:name", "IP:addr", "email:addr", "URI:uri" */
	size_t nsans;
	unsigned char key_id[X509_ID_LEN]; /* SHA-256 key id of the public key */
	char key_id_hex[X509_ID_HEX_LEN];  /* "AB:CD:..." */
	char key_algo[16];                 /* "RSA", "EC" or GnuTLS's name */
	unsigned key_bits;                 /* modulus bits, or curve bits for EC */
	bool key_known;                    /* key_type is valid: one of our key types */
	enum x509_keytype key_type;
	unsigned char sha256[X509_ID_LEN]; /* fingerprint of the DER */
	char sha256_hex[X509_ID_HEX_LEN];  /* "AB:CD:..." like openssl */
	bool is_ca;                        /* basicConstraints CA:TRUE */
	bool self_signed;                  /* issuer DN and key are its own */
	unsigned char *der;                /* the certificate itself */
	size_t der_len;
};

/* Certificates in the order they appeared in the input. */
struct x509_cert_list {
	size_t n;
	struct x509_cert *certs;
};

/* Parse PEM (one or more "CERTIFICATE" blocks, text around them ignored)
 * or a single DER certificate.  PT_INVALID with a detail saying which:
 * empty input, neither PEM nor DER, truncated PEM block, a PEM block that
 * is not a certificate (e.g. a private key), bad base64, not a certificate.
 * On success *out holds at least one certificate. */
enum pt_status x509_certs_parse(const unsigned char *buf, size_t len, struct x509_cert_list **out,
                                struct pt_err *err);
/* Free a list and clear the caller's pointer; NULL is fine. */
void x509_cert_list_free(struct x509_cert_list **l);

/* ---- delivery formats -------------------------------------------------- */

/* At most this many certificates are read from one file or bundle. */
#define X509_CERTS_MAX 100000
/* The largest certificate file read (a batch of 100k PEM certificates
 * is well below it). */
#define X509_FILE_MAX (64 * 1024 * 1024)

enum x509_format {
	X509_FORMAT_PEM,
	X509_FORMAT_DER,
	X509_FORMAT_PKCS7, /* .p7b / .p7c, PEM ("PKCS7") or DER */
	X509_FORMAT_PKCS12 /* .p12 / .pfx */
};
/* "PEM", "DER", "PKCS#7", "PKCS#12" (untranslated, stable). */
const char *x509_format_name(enum x509_format f);

/* x509_certs_parse, also telling the format found (fmt may be NULL).
 * Besides PEM certificate blocks (in any order, text around them
 * ignored) and a DER certificate it reads PKCS#7 in PEM ("PKCS7"
 * blocks) and DER. */
enum pt_status x509_certs_parse_as(const unsigned char *buf, size_t len,
                                   struct x509_cert_list **out, enum x509_format *fmt,
                                   struct pt_err *err);
/* Whether buf is a PKCS#12 file (then a password is needed).  Decided
 * from the content, never from a file name. */
bool x509_is_pkcs12(const unsigned char *buf, size_t len);
/* The facts of CA certificates already read, by DER fingerprint: a batch
 * of files that repeat the same intermediates decodes each of them once
 * (bounded: the first 2048 CA certificates are kept). */
struct x509_memo;
struct x509_memo *x509_memo_new(void);
void x509_memo_free(struct x509_memo **m);
/* Any delivery: what x509_certs_parse_as reads, and PKCS#12 with its
 * password (NULL: a PKCS#12 file is refused as needing one); memo (may
 * be NULL) is consulted and grown.  key_pem
 * (may be NULL) receives the private key a PKCS#12 file holds, as PEM in
 * secmem (secmem_free), or NULL.  A wrong password is PT_REFUSED, a
 * damaged file PT_INVALID, each with a detail saying so. */
enum pt_status x509_delivery_parse(const unsigned char *buf, size_t len, const char *password,
                                   struct x509_memo *memo, struct x509_cert_list **out,
                                   char **key_pem, enum x509_format *fmt, struct pt_err *err);
/* Whether a private key file needs a passphrase (encrypted PEM, PKCS#8
 * or a PKCS#12 file). */
bool x509_key_needs_password(const unsigned char *buf, size_t len);
/* A private key file as a host holds it: PEM (PKCS#1, SEC1, PKCS#8, kept
 * as written), encrypted PKCS#8 or OpenSSL-encrypted PEM (decrypted with
 * password), DER PKCS#8, or the key of a PKCS#12 file.  *pem_out is an
 * unencrypted PEM key in secmem (PKCS#8 when it was decrypted).  PT_REFUSED for a missing or wrong
 * passphrase, PT_INVALID for anything that is not a key. */
enum pt_status x509_key_load(const unsigned char *buf, size_t len, const char *password,
                             char **pem_out, struct pt_err *err);

/* Grid form ("/C=IT/O=INFN/CN=x", '+' inside a multi-valued RDN, control
 * characters as '?', valid UTF-8 as struct x509_cert says) of a DER Name,
 * as subject_grid shows it; NULL if the DER is not a Name or on no memory.
 * free() it. */
char *x509_dn_der_grid(const unsigned char *der, size_t len);

/* PT_OK if the private key belongs to the certificate, PT_MISMATCH (with
 * both key ids in the detail) if not, PT_INVALID for a bad key. */
enum pt_status x509_key_matches_cert(const char *key_pem, const struct x509_cert *cert,
                                     struct pt_err *err);

/* Parse a CA bundle: like x509_certs_parse, and every certificate must be
 * a CA certificate (basicConstraints CA:TRUE), else PT_INVALID naming it. */
enum pt_status x509_bundle_parse(const unsigned char *buf, size_t len, struct x509_cert_list **out,
                                 struct pt_err *err);

/* Verify that cert chains up to a self-signed root of the bundle (a PEM
 * buffer of roots and intermediates, see x509_bundle_parse), checking
 * issuers and signatures, and that every CA certificate on the path is
 * valid at `now`.  The validity of cert itself is NOT part of the verdict
 * (use x509_band for it), so an expired host certificate still tells
 * whether it came from this CA.  PT_OK; PT_REFUSED with the reason (issuer
 * not in the bundle, bad signature, issuer not a CA, CA expired or not yet
 * valid, insecure algorithm, ...); PT_INVALID for a bad bundle. */
enum pt_status x509_chain_verify(const struct x509_cert *cert, const unsigned char *bundle,
                                 size_t bundle_len, time_t now, struct pt_err *err);

/* A set of CA certificates indexed for path building: verifying a
 * certificate costs a binary search per link, whatever the set's size,
 * so a batch of many files or a file of many CA certificates is checked
 * in n log n time. */
struct x509_trust;
/* From a bundle (see x509_bundle_parse), or empty when bundle is NULL. */
enum pt_status x509_trust_new(const unsigned char *bundle, size_t len, struct x509_trust **out,
                              struct pt_err *err);
/* Add a copy of a CA certificate. */
enum pt_status x509_trust_add(struct x509_trust *t, const struct x509_cert *c, struct pt_err *err);
/* Whether t holds this very certificate (same fingerprint). */
bool x509_trust_has(struct x509_trust *t, const struct x509_cert *c);
size_t x509_trust_count(const struct x509_trust *t);
void x509_trust_free(struct x509_trust **t);
/* x509_chain_verify against the union of ts[0..nt), issuers looked up in
 * each by name. */
enum pt_status x509_trust_verify(struct x509_trust *const *ts, size_t nt,
                                 const struct x509_cert *cert, time_t now, struct pt_err *err);

/* ---- expiry bands ------------------------------------------------------ */

enum x509_band {
	X509_BAND_NOT_YET_VALID,
	X509_BAND_EXPIRED,
	X509_BAND_CRITICAL,
	X509_BAND_WARNING,
	X509_BAND_OK,
	X509_BAND_REVOKED /* on its issuer's CRL: worse than expired (last, so
	                   * the values of the others stay) */
};

/* Band of a validity period at `now`: not-yet-valid if now < not_before,
 * expired if now > not_after (notAfter itself is still valid, RFC 5280),
 * critical if less than critical_days remain, warning if less than
 * warning_days remain, else ok.  *days_left (may be NULL) receives the
 * whole days left, rounded down: -1 one second after expiry. */
enum x509_band x509_band(time_t not_before, time_t not_after, time_t now, int critical_days,
                         int warning_days, long *days_left);
/* Warning and critical thresholds: days, a share of the certificate's
 * lifetime in percent (0: none), or both; whichever is reached first
 * (the earlier date) moves the certificate into the band. */
struct x509_thresholds {
	int critical_days, warning_days;
	int critical_pct, warning_pct;
};

/* x509_band with thresholds in days and in shares of the lifetime. */
enum x509_band x509_band_at(time_t not_before, time_t not_after, time_t now,
                            const struct x509_thresholds *t, long *days_left);
/* When a certificate enters the band of `days` days or `pct` percent of
 * its lifetime left, whichever comes first; not_after when neither. */
time_t x509_band_start(time_t not_before, time_t not_after, int days, int pct);

/* Untranslated name: "revoked", "not-yet-valid", "expired", "critical", "warning",
 * "ok" (stable: used in reports and colour roles). */
const char *x509_band_name(enum x509_band b);

#endif

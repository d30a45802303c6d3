/* trust.h - trust as the Grid defines it: IGTF trust anchors with their
 * namespace policies, certificate revocation lists, and acknowledged
 * warnings.
 *
 * The parsers of .namespaces (EACL) and .signing_policy files are pure
 * (no store) so that the fuzz targets and the import share them; they are
 * linear in their input and bounded (TRUST_FILE_MAX, TRUST_LINE_MAX,
 * TRUST_RULES_MAX), and every error names FILE:LINE.  Everything that
 * changes the store runs in the caller's transaction and appends its own
 * audit rows.
 */
#ifndef PASSTORE_TRUST_H
#define PASSTORE_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/lib.h"
#include "store/lib.h"
#include "cert/x509.h"

#define TRUST_FILE_MAX (1024 * 1024) /* one file of an IGTF directory */
#define TRUST_LINE_MAX 8192          /* one logical line of a policy */
#define TRUST_RULES_MAX 1024         /* rules in one policy file */
#define TRUST_DIR_MAX 20000          /* entries of an IGTF directory */
#define CRL_FILE_MAX (64 * 1024 * 1024)

/* ---- namespace policies ---------------------------------------------- */

/* One rule: `issuer` may (permit) or may not sign subjects matching
 * pattern.  Patterns are kept in one form whatever the file's syntax:
 * '*' any text, '?' one character, '\' takes the next one literally. */
struct igtf_rule {
	char *issuer; /* Grid form */
	bool permit;
	char *pattern;
};

struct igtf_rules {
	size_t n, cap;
	struct igtf_rule *r;
};

void igtf_rules_clear(struct igtf_rules *rs);
/* A .namespaces file (EACL: TO Issuer "DN"|SELF PERMIT|DENY Subject "RE"
 * ..., '\' continues a line, '#' comments): rules appended to out.  self
 * is the CA's subject, for SELF.  Regular expressions are the subset the
 * IGTF uses: ".*" any text, "." one character, "\" quoting, "^"/"$" at
 * the ends.  PT_INVALID "FILE:LINE: why". */
enum pt_status igtf_parse_namespaces(const char *file, const char *text, size_t len,
                                     const char *self, struct igtf_rules *out, struct pt_err *err);
/* A Globus .signing_policy (access_id_CA X509 'DN', pos_rights globus
 * CA:sign, cond_subjects globus '"pattern" ...'): rules appended to out. */
enum pt_status igtf_parse_signing_policy(const char *file, const char *text, size_t len,
                                         struct igtf_rules *out, struct pt_err *err);
/* Whether s matches the whole pattern (the form above); linear in
 * practice, at most len(pattern) * len(s) steps. */
bool igtf_pattern_match(const char *pattern, const char *s);

/* What a certificate's issuer may sign, as far as the stored anchors say. */
enum trust_ns {
	TRUST_NS_NONE,      /* no policy names the issuer */
	TRUST_NS_OK,        /* a PERMIT rule matches and no DENY */
	TRUST_NS_VIOLATION, /* no PERMIT matches, or a DENY does */
};
/* The verdict for subject under issuer (both Grid form); detail (may be
 * NULL, len bytes) says which anchor and rule when it is a violation. */
enum pt_status trust_namespace_check(struct store *st, const char *issuer, const char *subject,
                                     enum trust_ns *out, char *detail, size_t len,
                                     struct pt_err *err);

/* ---- IGTF trust anchors ------------------------------------------------- */

enum igtf_change_kind { IGTF_ADDED, IGTF_CHANGED, IGTF_WITHDRAWN, IGTF_UNCHANGED };

struct igtf_change {
	enum igtf_change_kind kind;
	const char *name, *subject;
	size_t rules; /* namespace and signing-policy rules now stored */
};
/* "added", "changed", "withdrawn", "unchanged" (untranslated: JSON). */
const char *igtf_change_name(enum igtf_change_kind k);

/* Read an IGTF-style directory (NAME.pem or HASH.0, each with its .info,
 * .namespaces and .signing_policy when present) and make the stored
 * anchors that set: cb gets every CA with what happened to it.  The
 * directory is read and checked whole before the store changes: any bad
 * file is PT_INVALID naming it (FILE:LINE where it applies) and nothing
 * is stored.  PT_INVALID too for a directory without a CA. */
enum pt_status igtf_import(struct store *st, const char *dir,
                           int (*cb)(const struct igtf_change *c, void *ud), void *ud,
                           struct pt_err *err);

struct trust_anchor {
	const char *name, *subject, *sha256;
	time_t not_after, imported_at;
	int64_t rules;
};
enum pt_status trust_anchor_foreach(struct store *st,
                                    int (*cb)(const struct trust_anchor *a, void *ud), void *ud,
                                    struct pt_err *err);
/* Every anchor's certificate as one PEM bundle (malloc'd, "" when none). */
enum pt_status trust_anchor_bundle(struct store *st, char **pem, struct pt_err *err);

/* ---- certificate revocation lists ------------------------------------ */

struct crl_info {
	const char *issuer; /* Grid form */
	const char *signer; /* the CA or anchor that verified it */
	time_t this_update;
	time_t next_update; /* 0: none given */
	size_t entries;
	bool stale;    /* next_update passed */
	bool replaced; /* an older CRL of the issuer was replaced */
	time_t imported_at;
};

/* Import the CRLs of one file (PEM, one or more blocks, or DER).  Each
 * must be signed by a certificate among the stored CAs' bundles and the
 * trust anchors whose subject is its issuer, else PT_REFUSED; a CRL older
 * than the stored one of its issuer is PT_REFUSED too.  cb (may be NULL)
 * gets each stored CRL. */
enum pt_status crl_import(struct store *st, const char *file, const unsigned char *buf, size_t len,
                          time_t now, int (*cb)(const struct crl_info *c, void *ud), void *ud,
                          struct pt_err *err);
/* crl_import of a file read here (at most CRL_FILE_MAX bytes), for the
 * console, which reads no file itself. */
enum pt_status crl_import_file(struct store *st, const char *path, time_t now,
                               int (*cb)(const struct crl_info *c, void *ud), void *ud,
                               struct pt_err *err);
enum pt_status crl_foreach(struct store *st, time_t now,
                           int (*cb)(const struct crl_info *c, void *ud), void *ud,
                           struct pt_err *err);

/* The revoked (issuer, serial) pairs, loaded once for many look-ups. */
struct trust_revoked;
enum pt_status trust_revoked_load(struct store *st, struct trust_revoked **out, struct pt_err *err);
bool trust_revoked_has(const struct trust_revoked *r, const char *issuer, const char *serial);
size_t trust_revoked_count(const struct trust_revoked *r);
void trust_revoked_free(struct trust_revoked **r);

/* ---- acknowledged warnings ------------------------------------------- */

/* Acknowledge the warning of host fqdn's current certificate until
 * `until` with a reason (one line, 1-200 bytes); audited.  PT_NOTFOUND
 * without a current certificate; PT_INVALID for an until not after now;
 * PT_REFUSED when the certificate is in no warning or critical band. */
enum pt_status cert_ack(struct store *st, const char *fqdn, const char *reason, time_t until,
                        time_t now, struct pt_err *err);

/* The end of an acknowledgement as a person writes it: "YYYY-MM-DD" (the
 * end of that day, UTC) or "YYYY-MM-DDTHH:MM:SSZ".  false if neither. */
bool cert_ack_parse_until(const char *v, time_t *out);

struct cert_ack_row {
	int64_t cert_id;
	const char *reason;
	time_t until, created_at;
};
/* The ack of a certificate that holds at now; *found false when none. */
enum pt_status cert_ack_get(struct store *st, int64_t cert_id, time_t now, bool *found,
                            struct cert_ack_row *out, char *reason, size_t len, struct pt_err *err);

#endif

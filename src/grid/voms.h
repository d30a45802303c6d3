/* voms.h - what a certificate or proxy file says, VOMS attributes included.
 *
 * `passtore cert inspect` shows any certificate in human terms; this is
 * its decoding half.  On top of the facts of x509.h it reads key usage,
 * extended key usage, basic constraints, the kind of proxy (RFC 3820 or
 * legacy Globus) and, for a VOMS proxy, the attribute certificates of the
 * acseq extension: VO, issuing server, FQANs, validity, serial, targets.
 * The attribute certificates are decoded with libtasn1 against the ASN.1
 * module src/voms.asn (RFC 3281/5755 AttributeCertificate, IetfAttrSyntax).
 *
 * A pure module: no printing, no files, no store.  A proxy file holds the
 * proxy's private key too: the key blocks are skipped, never copied, and
 * only counted.  Failures are PT_INVALID / PT_NOMEM with a translated
 * detail (status.h).
 */
#ifndef PASSTORE_VOMS_H
#define PASSTORE_VOMS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/lib.h"
#include "cert/lib.h"

#define VOMS_OID_ACSEQ "1.3.6.1.4.1.8005.100.100.5"     /* acseq, current VOMS */
#define VOMS_OID_ACSEQ_OLD "1.3.6.1.4.1.8005.100.100.1" /* the first VOMS releases */
#define VOMS_OID_FQANS "1.3.6.1.4.1.8005.100.100.4"     /* the FQAN attribute */
#define VOMS_OID_CERTS "1.3.6.1.4.1.8005.100.100.10"    /* the server's chain */
#define VOMS_OID_ATTRIBS "1.3.6.1.4.1.8005.100.100.11"  /* generic attributes */
#define VOMS_OID_PROXY_RFC "1.3.6.1.5.5.7.1.14"         /* RFC 3820 proxyCertInfo */
#define VOMS_OID_PROXY_DRAFT "1.3.6.1.4.1.3536.1.222"   /* GT3 pre-RFC proxyCertInfo */

/* One FQAN, "/cms/analysis/Role=production/Capability=NULL", split.
 * role and capability are NULL when absent or "NULL". */
struct voms_fqan {
	char *fqan;  /* as carried */
	char *group; /* "/cms/analysis" */
	char *role;
	char *capability;
};

/* Split an FQAN.  PT_INVALID if it does not start with '/', has an empty
 * group component, or has Role=/Capability= out of place. */
enum pt_status voms_fqan_parse(const char *s, struct voms_fqan *out, struct pt_err *err);
void voms_fqan_clear(struct voms_fqan *f);

/* What the AC's signature says, checked with the first server
 * certificate the AC carries.  This is not a trust decision: whether that
 * server may speak for the VO is what the vomsdir .lsc files decide. */
enum voms_sig {
	VOMS_SIG_UNCHECKED, /* no server certificate in the AC */
	VOMS_SIG_OK,        /* verifies with the carried certificate */
	VOMS_SIG_BAD,       /* does not verify with it */
};

/* One attribute certificate.  Strings are malloc'd, NULL when absent.
 * Text from the AC has control characters replaced by '?'. */
struct voms_ac {
	char *vo;            /* from the policy authority "vo://host:port" */
	char *server;        /* "host:port" of the policy authority */
	char *issuer;        /* the AC issuer: the VOMS server's DN, Grid form */
	char *holder_issuer; /* issuer DN of the holder's certificate */
	char *holder_serial; /* its serial, upper-case hex */
	char *serial;        /* the AC's serial, upper-case hex */
	char *sig_algo;      /* signature algorithm: GnuTLS name or OID */
	enum voms_sig sig;
	time_t not_before, not_after;
	struct voms_fqan *fqans;
	size_t nfqans;
	char **targets; /* AC targeting: "URI:..." / "DNS:..." ... */
	size_t ntargets;
	char **server_certs; /* subjects of the server chain carried in the AC */
	size_t nserver_certs;
	unsigned char *server_der; /* the first of them, DER */
	size_t server_der_len;
	char **attributes; /* generic attributes: "name = value [qualifier]" */
	size_t nattributes;
	char **extensions; /* every AC extension: "name (OID)", and ": not
	                       * decoded: why" for one of the above that
	                       * does not decode (the AC still stands) */
	size_t nextensions;
};

struct voms_acs {
	struct voms_ac *v;
	size_t n;
};

/* Decode the value of an acseq extension (a SEQUENCE OF
 * AttributeCertificate; a lone AttributeCertificate is accepted too).
 * PT_INVALID with a detail that says what is wrong for anything that is
 * not such a structure (truncated, garbled, no FQAN attribute, a bad time
 * or FQAN).  *out is NULL on failure. */
enum pt_status voms_acs_decode(const unsigned char *der, size_t len, struct voms_acs **out,
                               struct pt_err *err);
void voms_acs_free(struct voms_acs **acs);

enum voms_proxy {
	VOMS_PROXY_NONE,
	VOMS_PROXY_RFC3820, /* proxyCertInfo 1.3.6.1.5.5.7.1.14 */
	VOMS_PROXY_DRAFT,   /* GT3 proxyCertInfo 1.3.6.1.4.1.3536.1.222 */
	VOMS_PROXY_LEGACY,  /* GT2: issuer's DN + CN=proxy / CN=limited proxy */
};

/* The facts beyond x509.h of one certificate. */
struct voms_certinfo {
	const struct x509_cert *x; /* into voms_inspect.certs */
	const char *key_usage[9];  /* "digitalSignature", ... (static) */
	size_t nkey_usage;
	bool has_key_usage;
	char **eku; /* "serverAuth", ..., or the dotted OID */
	size_t neku;
	bool has_bc; /* basicConstraints present */
	bool bc_ca;
	int bc_pathlen; /* -1: no limit */
	enum voms_proxy proxy;
	bool proxy_limited;   /* legacy "limited proxy" */
	int proxy_pathlen;    /* -1: no limit */
	char *proxy_policy;   /* policy language: name or OID */
	char *ac_oid;         /* the VOMS extension found, NULL if none */
	struct voms_acs *acs; /* its attribute certificates */
	char *ac_error;       /* why it could not be decoded, or NULL */
};

struct voms_inspect {
	struct x509_cert_list *certs;
	struct voms_certinfo *info; /* one per certificate, same order */
	size_t n;
	size_t nkeys;    /* private key blocks skipped (not copied) */
	size_t nother;   /* other non-certificate PEM blocks skipped */
	size_t nbad_acs; /* certificates whose VOMS extension is malformed */
};

/* Inspect a file's bytes: PEM (certificate blocks; private keys and other
 * blocks skipped and counted) or one DER certificate.  A malformed VOMS
 * extension does not fail the call: it is reported in ac_error and
 * counted in nbad_acs.  PT_INVALID when there is no certificate at all
 * (the detail says that a key was seen, never what it is). */
enum pt_status voms_inspect(const unsigned char *buf, size_t len, struct voms_inspect **out,
                            struct pt_err *err);
void voms_inspect_free(struct voms_inspect **in);

/* Names for the text and JSON output ("rfc3820", "draft", "legacy", "none"). */
const char *voms_proxy_name(enum voms_proxy p);
/* "unchecked", "ok", "bad". */
const char *voms_sig_name(enum voms_sig s);

#endif

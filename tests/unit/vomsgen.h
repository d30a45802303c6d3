/* vomsgen.h - a test PKI and a VOMS proxy made in process with GnuTLS and
 * libtasn1, shared by tests/unit/test_voms.c and tests/mkproxy.c.
 *
 * A test CA issues a user certificate and a VOMS server certificate; an
 * attribute certificate holding the given FQANs is assembled with
 * libtasn1 (asn1_write_value, asn1_der_coding) against src/voms.asn,
 * signed with the VOMS server's key, and carried in the acseq extension
 * of an RFC 3820 proxy signed by the user's key. */
#ifndef PASSTORE_TESTS_VOMSGEN_H
#define PASSTORE_TESTS_VOMSGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define VG_CA_DN "/C=IT/O=Test Grid/CN=Test Grid CA"
#define VG_USER_DN "/C=IT/O=Test Grid/CN=Mario Rossi"
#define VG_VOMS_DN "/C=IT/O=Test Grid/CN=voms.example.org"
#define VG_VO "cms"
#define VG_SERVER "voms.example.org:15002"
#define VG_TARGET "URI:ce.example.org"
#define VG_AC_SERIAL "0BADC0DE"
#define VG_ATTRIBUTE "nickname = mrossi [/cms]"

struct vg_opts {
	const char *const *fqans; /* NULL: the two default FQANs below */
	size_t nfqans;
	time_t ac_not_before, ac_not_after; /* 0: now-1h, now+11h */
	bool old_oid;                       /* put the AC under 1.3.6.1.4.1.8005.100.100.1 */
	bool garble;                        /* cut the extension value in half */
	bool wrong_signer;                  /* sign the AC with the user's key, not the server's */
	bool bad_targets;                   /* an AC targeting extension that does not decode */
};

#define VG_FQAN1 "/cms/Role=NULL/Capability=NULL"
#define VG_FQAN2 "/cms/analysis/Role=production/Capability=NULL"

struct vg_out {
	char *proxy_pem;      /* proxy cert, proxy key, user cert (as voms-proxy-init) */
	char *key_pem;        /* the proxy key alone, to check it is never shown */
	unsigned char *acseq; /* the extension value (before any garbling) */
	size_t acseq_len;
	char user_serial[64]; /* upper-case hex */
};

/* 0 on success, else -1 with a message on stderr. */
int vg_make(const struct vg_opts *o, struct vg_out *out);
void vg_out_free(struct vg_out *out);

#endif

/* cert/private.h - what the cert/ files share among themselves and nobody
 * else: the helpers of x509.c and its x509-*.c stages, of cert.c and its
 * cert-*.c parts, and of inventory.c for inventory-list.c.  Never included
 * from outside src/cert/. */
#ifndef PASSTORE_CERT_PRIVATE_H
#define PASSTORE_CERT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/x509.h>

#include "base/lib.h"
#include "cert/cert.h"
#include "cert/x509.h"

/* ---- x509.c: small helpers -------------------------------------------- */

/* Upper-case hex of b into out (2n+1 bytes, or 3n with colons). */
void x509_hex(const unsigned char *b, size_t n, char *out, bool colons);
/* "YYYY-MM-DD HH:MM:SS UTC". */
void x509_fmt_time(time_t t, char *buf, size_t len);

/* A growable public string (DNs, messages): plain malloc on purpose. */
struct x509_sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

void x509_sbuf_add(struct x509_sbuf *sb, const char *s, size_t n);
void x509_sbuf_str(struct x509_sbuf *sb, const char *s);
/* Hand the string over (never NULL unless out of memory). */
char *x509_sbuf_take(struct x509_sbuf *sb);

/* ---- x509-cert.c ------------------------------------------------------- */

/* needle in a buffer that is not NUL-terminated; NULL if absent. */
const unsigned char *x509_mem_find(const unsigned char *hay, size_t hlen, const char *needle);
/* Import one DER certificate and append its facts to l (at most
 * X509_CERTS_MAX); idx names it in a detail. */
enum pt_status x509_list_add_der(struct x509_cert_list *l, const unsigned char *der, size_t len,
                                 size_t idx, bool from_pem, struct pt_err *err);
/* Make m the memo of this thread's parses until the next call; returns
 * the one before. */
struct x509_memo *x509_memo_use(struct x509_memo *m);
/* Free the certificates of l, keeping l itself (empty). */
void x509_cert_list_free_items(struct x509_cert_list *l);

/* ---- x509-formats.c ---------------------------------------------------- */

/* Append the certificates of DER PKCS#7 data to l. */
enum pt_status x509_pkcs7_add(struct x509_cert_list *l, const unsigned char *der, size_t len,
                              size_t idx, struct pt_err *err);
/* The certificates (and, when key_pem is not NULL, the one private key,
 * PEM in secmem) of a DER PKCS#12 file, appended to l. */
enum pt_status x509_pkcs12_parse(const unsigned char *buf, size_t len, const char *password,
                                 struct x509_cert_list *l, char **key_pem, struct pt_err *err);

/* ---- x509-key.c -------------------------------------------------------- */

/* Our key type for GnuTLS's algorithm and size; false if none. */
bool x509_keytype_of(gnutls_pk_algorithm_t algo, unsigned bits, enum x509_keytype *out);
/* Import a PEM private key; the caller deinitialises *key. */
enum pt_status x509_key_import(const char *pem, gnutls_x509_privkey_t *key, struct pt_err *err);

/* ---- x509-csr.c -------------------------------------------------------- */

/* Our short name ("CN", "emailAddress") of an attribute OID; NULL if none. */
const char *x509_attr_name_by_oid(const char *oid);

/* ---- cert.c, for cert-request.c and cert-import.c ---------------------- */

struct store;
/* "AB:CD:..." like x509_cert.key_id_hex, so stored ids compare as text. */
void cert_hex_id(const unsigned char *id, char out[X509_ID_HEX_LEN]);
/* The id of host fqdn; PT_NOTFOUND with a hint to add it. */
enum pt_status cert_host_id(struct store *st, const char *fqdn, int64_t *id, struct pt_err *err);

/* ---- cert-request.c, for cert-import.c ---------------------------------- */

/* Store a host key (PEM) of host hid (fqdn) with its key id and origin,
 * its row sealed and a key.seal record appended; its row id in *id. */
enum pt_status cert_insert_key(struct store *st, int64_t hid, const char *fqdn, const char *type,
                               const char *key_pem, const char *key_id, const char *origin,
                               int64_t *id, struct pt_err *err);

/* ---- cert-import.c, for cert.c ----------------------------------------- */

/* The first CA whose bundle verifies c now; 0 when none. */
enum pt_status cert_find_ca(struct store *st, const struct x509_cert *c, int64_t *ca_id,
                            struct pt_err *err);

/* The CA (0: none) whose bundle verifies c, as a caller knows them. */
typedef enum pt_status (*cert_ca_finder)(void *ud, const struct x509_cert *c, int64_t *ca_id,
                                         struct pt_err *err);
/* cert_import_one, the CA of a certificate with no request found by find. */
enum pt_status cert_import_found(struct store *st, const struct x509_cert *c, cert_ca_finder find,
                                 void *ud, enum cert_outcome *outcome, char **fqdn_out,
                                 struct pt_err *err);

/* ---- inventory.c, for inventory-list.c --------------------------------- */

struct sqlite3_stmt;
/* Bind %text% to parameter i, LIKE's pattern characters escaped. */
void inv_bind_like(struct sqlite3_stmt *s, int i, const char *text);

#endif

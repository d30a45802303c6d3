/* cert/private.h - what the cert/ files share among themselves and nobody
 * else: the helpers of x509.c and its x509-*.c stages.  Never included
 * from outside src/cert/. */
#ifndef PASSTORE_CERT_PRIVATE_H
#define PASSTORE_CERT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <gnutls/x509.h>

#include "base/lib.h"
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

/* ---- x509-key.c -------------------------------------------------------- */

/* Our key type for GnuTLS's algorithm and size; false if none. */
bool x509_keytype_of(gnutls_pk_algorithm_t algo, unsigned bits, enum x509_keytype *out);
/* Import a PEM private key; the caller deinitialises *key. */
enum pt_status x509_key_import(const char *pem, gnutls_x509_privkey_t *key, struct pt_err *err);

/* ---- x509-csr.c -------------------------------------------------------- */

/* Our short name ("CN", "emailAddress") of an attribute OID; NULL if none. */
const char *x509_attr_name_by_oid(const char *oid);

/* ---- inventory.c, for inventory-list.c --------------------------------- */

#define INV_DAY 86400

struct sqlite3_stmt;
/* Bind %text% to parameter i, LIKE's pattern characters escaped. */
void inv_bind_like(struct sqlite3_stmt *s, int i, const char *text);

#endif

/* grid/private.h - what the grid/ files share among themselves, not API.
 *
 * gridmap.c holds the parsers' helpers (text split into lines, messages
 * that name the line, case-blind compares) for gridmap-members.c,
 * gridmap-rules.c, gridmap-build.c and gridmap-lsc.c; the rules' compiled
 * patterns serve the build.  gridstore.c holds the id lookups of the
 * gridstore-*.c files; voms.c the libtasn1 readers of voms-ac.c and
 * voms-cert.c.  Only files of src/grid include this header.
 */
#ifndef PASSTORE_GRID_PRIVATE_H
#define PASSTORE_GRID_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libtasn1.h>

#include "grid/gridmap.h"
#include "grid/gridstore.h"
#include "grid/voms.h"

/* ---- gridmap: helpers (gridmap.c) ---------------------------------- */

/* Longest piece of input quoted in a message. */
#define SHOW_MAX 80

struct buf {
	char *s;
	size_t len, cap;
};

struct text {
	char *copy;   /* the buffer, NUL-terminated, lines cut in place */
	char **lines; /* without their '\n' and a trailing '\r' */
	size_t n;
};

/* A DN's byte pairs hashed into a bit set: a pattern whose literal pairs
 * are not all in the set cannot match, which settles most rules without
 * a substring search. */
#define BLOOM_WORDS 8
#define BLOOM_BITS (BLOOM_WORDS * 64)

struct bloom {
	uint64_t w[BLOOM_WORDS];
};

/* A pattern lowered and cut at '*': an anchored prefix, middle pieces
 * found left to right, an anchored suffix. */
struct pat {
	char *low;
	const char *pre, *suf;
	size_t prelen, suflen;
	const char **mid;
	size_t *midlen;
	size_t nmid;
	bool star;
	bool deny;                  /* an ACL's deny rule */
	uint64_t need[BLOOM_WORDS]; /* bigrams of the literal parts */
};

bool gm_buf_grow(struct buf *b, size_t more);

bool gm_buf_add(struct buf *b, const char *s, size_t n);

char gm_lower(char c);

bool gm_is_space(char c);

char *gm_trim(char *s);

bool gm_starts_ci(const char *s, const char *prefix);

bool gm_eq_ci(const char *a, const char *b);

const char *gm_show(const char *s, char out[SHOW_MAX * 4 + 8]);

enum pt_status gm_nomem(struct pt_err *err);

__attribute__((format(printf, 4, 5))) enum pt_status
gm_fail_line(struct pt_err *err, const char *name, unsigned line, const char *fmt, ...);

void gm_text_free(struct text *t);

enum pt_status gm_text_split(const char *name, const char *buf, size_t len, struct text *t,
                             struct pt_err *err);

bool gm_is_blank_or_comment(const char *s);

/* Room for one more item in an array of n items of size sz grown by
 * doubling (capacity implied: the next power of two), so that appends
 * stay linear without a capacity field.  false: out of memory. */
bool gm_grow(void *v, size_t n, size_t sz);

/* A set of strings (borrowed, not copied), each with a number: open
 * addressing, so that lookups by URI or DN stay O(1) on files of
 * hundreds of thousands of lines. */
struct gm_index {
	const char **key;
	size_t *val;
	size_t cap, n;
};

/* Add key with val unless it is there; false: out of memory. */
bool gm_index_put(struct gm_index *ix, const char *key, size_t val);

/* Whether key is there; its number in *val (val may be NULL). */
bool gm_index_get(const struct gm_index *ix, const char *key, size_t *val);

void gm_index_free(struct gm_index *ix);

/* ---- gridmap: members (gridmap-members.c) ------------------------- */

void gm_members_clear(struct gm_members *m);

bool gm_members_push(struct gm_members *m, const char *dn, const char *ca, const char *email,
                     const char *account, unsigned line);

enum pt_status gm_check_dn(const char *name, unsigned line, const char *what, const char *dn,
                           struct pt_err *err);

bool gm_valid_account(const char *a);

const char *gm_unquote(char *s, char **end);

/* ---- gridmap: IAM SCIM listings (gridmap-iam.c) ------------------- */

/* Parse a SCIM user listing into m (its format set by the caller). */
enum pt_status gm_parse_iam(const char *name, const char *buf, size_t len, struct gm_members *m,
                            struct pt_err *err);

/* RFC 2253/4514 text ("CN=x,O=y,C=IT") in Grid form ("/C=IT/O=y/CN=x"),
 * malloc'd; a backslash keeps the character after it. */
char *gm_rfc2253_to_grid(const char *s, size_t n);

/* ---- gridmap: rules and patterns (gridmap-rules.c) ---------------- */

bool gm_strv_push(char ***v, size_t *n, const char *s);

void gm_strv_free(char **v, size_t n);

void gm_bloom_add(uint64_t *w, const char *s, size_t n);

void gm_pat_free(struct pat *p);

bool gm_pat_compile(const char *pattern, struct pat *p);

bool gm_pat_match(const struct pat *p, const char *dn, size_t n, const struct bloom *bl);

void gm_lower_into(char *dst, const char *src, size_t n);

/* ---- gridstore: lookups, lists (gridstore.c), .lsc (gridstore-local.c) */

enum pt_status gs_nomem(struct pt_err *err);

enum pt_status gs_lookup_id(struct store *st, const char *sql, const char *arg, int64_t *id,
                            int *found, struct pt_err *err);

enum pt_status gs_vo_id(struct store *st, const char *name, int64_t *id, struct pt_err *err);

enum pt_status gs_host_id(struct store *st, const char *fqdn, int64_t *id, struct pt_err *err);

enum pt_status gs_group_id(struct store *st, const char *name, int64_t *id, struct pt_err *err);

enum pt_status gs_members_of(struct store *st, int64_t id, bool dn_only, struct gm_members **out,
                             struct pt_err *err);

int gs_strv_add(char ***v, size_t *n, const char *s);

enum pt_status gs_lsc_of(const char *server_dn, const char *ca_dn, const char *chains, char **out,
                         struct pt_err *err);

/* ---- voms: the libtasn1 readers (voms.c) --------------------------- */

/* Longest element path we build ("?12.acinfo.issuer.v2Form..."). */
#define VOMS_PATH 256
/* More FQANs, targets or certificates than this in one AC is not a proxy
 * anybody made: stop there rather than grow without bound. */
#define VOMS_MAX_ITEMS 1024

enum pt_status voms_decode(const char *type, const unsigned char *der, size_t len, asn1_node *out,
                           struct pt_err *err);

int voms_read(asn1_node n, const char *path, unsigned char **out, int *len);

char *voms_text(const unsigned char *s, size_t n);

char *voms_serial(asn1_node n, const char *path);

bool voms_push(char ***v, size_t *n, char *s);

void voms_strv_free(char **v, size_t n);

bool voms_gtime(const char *s, time_t *out);

char *voms_general_name(asn1_node n, const char *path);

char *voms_general_names(asn1_node n, const char *path);

#endif

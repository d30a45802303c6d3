/* escrow.c - k-of-n shares of the data key: split (libgfshare), the
 * paper form with its checks, and the unlock by shares.  See escrow.h. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <ctype.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libgfshare.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "store/audit.h"
#include "store/escrow.h"
#include "store/store.h"
#include "store/private.h"

#define PAYLOAD_LEN 50
#define SHARE_VERSION 1

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* The coefficients of the polynomial come from GnuTLS's generator, never
 * from libgfshare's default (random(3), or nothing at all). */
static void
fill_rand(unsigned char *buf, unsigned int n)
{
	if (gnutls_rnd(GNUTLS_RND_KEY, buf, n) != 0)
		abort(); /* a share made without randomness would leak the key */
}

void
escrow_fpr_text(const uint8_t fpr[8], char out[STORE_FPR_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	char *p = out;

	for (int i = 0; i < 8; i++) {
		if (i && i % 2 == 0)
			*p++ = '-';
		*p++ = hex[fpr[i] >> 4];
		*p++ = hex[fpr[i] & 15];
	}
	*p = '\0';
}

static void
fpr_of(const struct keyrec *e, uint8_t fpr[8])
{
	uint8_t d[32];

	gnutls_hash_fast(GNUTLS_DIG_SHA256, e->id, sizeof(e->id), d);
	memcpy(fpr, d, 8);
}

enum pt_status
escrow_split(struct store *st, unsigned k, unsigned n, struct escrow_piece **pieces,
             struct pt_err *err)
{
	unsigned char nrs[ESCROW_MAX_N];
	struct escrow_piece *p;
	gfshare_ctx *ctx;

	*pieces = NULL;
	if (k < 2 || k > n || n > ESCROW_MAX_N)
		return pt_fail(err, PT_INVALID,
		               _("a split needs 2 <= threshold <= shares <= %d (got %u of %u)"),
		               ESCROW_MAX_N, k, n);
	if (!st->rec.gen)
		return pt_fail(err, PT_ERR, _("%s has no data key yet: unlock it again"), st->path);
	p = secmem_alloc(n * sizeof(*p));
	if (!p)
		return pt_fail(err, PT_NOMEM, NULL);
	for (unsigned i = 0; i < n; i++)
		nrs[i] = (unsigned char)(i + 1);
	gfshare_fill_rand = fill_rand;
	ctx = gfshare_ctx_init_enc(nrs, n, (unsigned char)k, KDF_KEY_LEN);
	if (!ctx) {
		secmem_free(p);
		return pt_fail(err, PT_CRYPTO, _("cannot split the data key"));
	}
	gfshare_ctx_enc_setsecret(ctx, st->key);
	for (unsigned i = 0; i < n; i++) {
		fpr_of(&st->rec, p[i].fpr);
		p[i].gen = st->rec.gen;
		p[i].k = (uint8_t)k;
		p[i].n = (uint8_t)n;
		p[i].index = nrs[i];
		gfshare_ctx_enc_getshare(ctx, (unsigned char)i, p[i].share);
	}
	gfshare_ctx_free(ctx);
	*pieces = p;
	return PT_OK;
}

static void
payload_of(const struct escrow_piece *p, uint8_t b[PAYLOAD_LEN])
{
	uint8_t d[32];

	b[0] = SHARE_VERSION;
	memcpy(b + 1, p->fpr, 8);
	b[9] = (uint8_t)(p->gen >> 24);
	b[10] = (uint8_t)(p->gen >> 16);
	b[11] = (uint8_t)(p->gen >> 8);
	b[12] = (uint8_t)p->gen;
	b[13] = p->k;
	b[14] = p->n;
	b[15] = p->index;
	memcpy(b + 16, p->share, KDF_KEY_LEN);
	gnutls_hash_fast(GNUTLS_DIG_SHA256, b, 48, d);
	b[48] = d[0];
	b[49] = d[1];
}

/* Two base32 characters: 10 bits of SHA-256 over the line's number and
 * its characters (so a line typed in the wrong place fails too). */
static void
line_check(unsigned lineno, const char *data, char out[3])
{
	uint8_t buf[1 + ESCROW_LINE_CHARS], d[32];

	buf[0] = (uint8_t)lineno;
	memcpy(buf + 1, data, ESCROW_LINE_CHARS);
	gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, sizeof(buf), d);
	out[0] = b32[d[0] >> 3];
	out[1] = b32[((d[0] & 7) << 2) | (d[1] >> 6)];
	out[2] = '\0';
}

void
escrow_encode(const struct escrow_piece *p, struct escrow_text *t)
{
	uint8_t b[PAYLOAD_LEN];
	char chars[ESCROW_LINES * ESCROW_LINE_CHARS];
	unsigned acc = 0, bits = 0, o = 0;

	payload_of(p, b);
	for (size_t i = 0; i < PAYLOAD_LEN; i++) {
		acc = (acc << 8) | b[i];
		bits += 8;
		while (bits >= 5) {
			chars[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	for (unsigned l = 0; l < ESCROW_LINES; l++) {
		const char *d = chars + l * ESCROW_LINE_CHARS;
		char ck[3], *q = t->line[l];

		for (unsigned g = 0; g < 4; g++) {
			memcpy(q, d + g * 5, 5);
			q += 5;
			*q++ = ' ';
		}
		line_check(l + 1, d, ck);
		*q++ = ' ';
		*q++ = ck[0];
		*q++ = ck[1];
		*q = '\0';
	}
	explicit_bzero(b, sizeof(b));
	explicit_bzero(chars, sizeof(chars));
}

enum pt_status
escrow_read_line(struct escrow_reader *r, const char *input, struct pt_err *err)
{
	char norm[ESCROW_LINE_CHARS + 3], ck[3];
	unsigned lineno = r->lines + 1, n = 0;
	const char *s = input;

	if (r->lines >= ESCROW_LINES)
		return pt_fail(err, PT_INVALID, _("a share has only %d lines"), ESCROW_LINES);
	while (isspace((unsigned char)*s))
		s++;
	/* the printed "N:" before the groups may be typed or not */
	if (isdigit((unsigned char)s[0]) && s[1] == ':') {
		if ((unsigned)(s[0] - '0') != lineno)
			return pt_fail(err, PT_INVALID, _("line %u: this is line %c of a share"),
			               lineno, s[0]);
		s += 2;
	}
	for (; *s; s++) {
		char c = (char)toupper((unsigned char)*s);
		if (isspace((unsigned char)c) || c == '-')
			continue;
		if (!strchr(b32, c) || n >= sizeof(norm) - 1)
			return pt_fail(err, PT_INVALID,
			               _("line %u: not a share line (%d groups of letters A-Z and "
			                 "digits 2-7, and two check characters)"),
			               lineno, 4);
		norm[n++] = c;
	}
	if (n != ESCROW_LINE_CHARS + 2)
		return pt_fail(err, PT_INVALID,
		               _("line %u: %u characters, a share line has %d and 2 check "
		                 "characters"),
		               lineno, n, ESCROW_LINE_CHARS);
	line_check(lineno, norm, ck);
	if (norm[ESCROW_LINE_CHARS] != ck[0] || norm[ESCROW_LINE_CHARS + 1] != ck[1])
		return pt_fail(err, PT_INVALID,
		               _("line %u: the check characters do not match: a typo on this "
		                 "line"),
		               lineno);
	memcpy(r->data[r->lines], norm, ESCROW_LINE_CHARS);
	r->data[r->lines][ESCROW_LINE_CHARS] = '\0';
	r->lines++;
	explicit_bzero(norm, sizeof(norm));
	return PT_OK;
}

enum pt_status
escrow_read_done(const struct escrow_reader *r, struct escrow_piece *p, struct pt_err *err)
{
	uint8_t b[PAYLOAD_LEN], d[32];
	unsigned acc = 0, bits = 0, o = 0;
	enum pt_status ret = PT_OK;

	if (r->lines != ESCROW_LINES)
		return pt_fail(err, PT_INVALID, _("a share has %d lines, %u given"), ESCROW_LINES,
		               r->lines);
	for (unsigned l = 0; l < ESCROW_LINES; l++)
		for (unsigned i = 0; i < ESCROW_LINE_CHARS; i++) {
			acc = (acc << 5) | (unsigned)(strchr(b32, r->data[l][i]) - b32);
			bits += 5;
			if (bits >= 8) {
				b[o++] = (uint8_t)(acc >> (bits - 8));
				bits -= 8;
			}
		}
	gnutls_hash_fast(GNUTLS_DIG_SHA256, b, 48, d);
	if (o != PAYLOAD_LEN || b[48] != d[0] || b[49] != d[1])
		ret = pt_fail(err, PT_INVALID,
		              _("the share's check does not match: a typo the line checks did not "
		                "catch; type its lines again"));
	else if (b[0] != SHARE_VERSION)
		ret = pt_fail(err, PT_INVALID, _("a share of an unknown version (%u)"), b[0]);
	else if (b[13] < 2 || b[13] > b[14] || b[14] > ESCROW_MAX_N || !b[15] || b[15] > b[14])
		ret = pt_fail(err, PT_INVALID, _("the share's numbers are not valid"));
	if (ret == PT_OK) {
		memcpy(p->fpr, b + 1, 8);
		p->gen =
			(uint32_t)b[9] << 24 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 8 | b[12];
		p->k = b[13];
		p->n = b[14];
		p->index = b[15];
		memcpy(p->share, b + 16, KDF_KEY_LEN);
	}
	explicit_bzero(b, sizeof(b));
	return ret;
}

/* The shares agree among themselves, belong to this store and to its
 * current data key, and are enough. */
static enum pt_status
check_pieces(const char *path, const struct keyrec *e, const struct escrow_piece *p, size_t count,
             struct pt_err *err)
{
	char want[STORE_FPR_LEN], got[STORE_FPR_LEN];
	uint8_t fpr[8];

	fpr_of(e, fpr);
	escrow_fpr_text(fpr, want);
	for (size_t i = 0; i < count; i++) {
		escrow_fpr_text(p[i].fpr, got);
		if (memcmp(p[i].fpr, fpr, 8) != 0)
			return pt_fail(err, PT_MISMATCH,
			               _("share %zu is of another store (%s); %s is %s"), i + 1,
			               got, path, want);
		if (p[i].gen != e->gen)
			return pt_fail(
				err, PT_MISMATCH,
				_("share %zu is of data key %u of this store, which now has key %u "
			          "(rotated since): it no longer opens it"),
				i + 1, p[i].gen, e->gen);
		if (p[i].k != p[0].k || p[i].n != p[0].n)
			return pt_fail(err, PT_MISMATCH,
			               _("share %zu is of another split (%u of %u, not %u of %u)"),
			               i + 1, p[i].k, p[i].n, p[0].k, p[0].n);
		for (size_t j = 0; j < i; j++)
			if (p[j].index == p[i].index)
				return pt_fail(err, PT_INVALID,
				               _("share %zu is share number %u again"), i + 1,
				               p[i].index);
	}
	if (count < p[0].k)
		return pt_fail(err, PT_REFUSED,
		               _("%zu shares given; this split needs %u of its %u: nothing was "
		                 "opened or changed"),
		               count, p[0].k, p[0].n);
	return PT_OK;
}

static void
combine(const struct escrow_piece *p, size_t count, uint8_t *dk)
{
	unsigned char nrs[ESCROW_MAX_N];
	gfshare_ctx *ctx;

	for (size_t i = 0; i < count; i++)
		nrs[i] = p[i].index;
	gfshare_fill_rand = fill_rand; /* gfshare_ctx_free scrubs with it */
	ctx = gfshare_ctx_init_dec(nrs, (unsigned)count, KDF_KEY_LEN);
	if (!ctx)
		return;
	for (size_t i = 0; i < count; i++)
		gfshare_ctx_dec_giveshare(ctx, (unsigned char)i, (unsigned char *)p[i].share);
	gfshare_ctx_dec_extract(ctx, dk);
	gfshare_ctx_free(ctx);
}

enum pt_status
store_open_shares(const char *path, const struct escrow_piece *pieces, size_t count,
                  struct store **out, struct pt_err *err)
{
	struct store *st = NULL;
	enum pt_status ret;
	int fd;

	*out = NULL;
	if (count == 0 || count > ESCROW_MAX_N)
		return pt_fail(err, PT_INVALID, _("no shares given"));
	ret = store_new(path, &st, err);
	if (ret != PT_OK)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, st->salt, KDF_SALT_LEN) != KDF_SALT_LEN) {
		ret = pt_fail(err, PT_NOTSTORE, _("%s is not a passtore store"), path);
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	ret = keyrec_find(path, st->salt, &st->rec, err);
	if (ret == PT_OK)
		ret = check_pieces(path, &st->rec, pieces, count, err);
	if (ret != PT_OK)
		goto fail;
	st->kp = st->rec.kp;
	combine(pieces, count, st->key);
	ret = store_attach_db(st, SQLITE_OPEN_READWRITE, err);
	if (ret == PT_LOCKED)
		ret = pt_fail(err, PT_LOCKED, _("the shares do not open %s"), path);
	if (ret == PT_OK)
		ret = store_check_integrity(st, err);
	if (ret != PT_OK)
		goto fail;
	*out = st;
	return PT_OK;
fail:
	store_close(&st);
	return ret;
}

struct recover_audit {
	const struct escrow_piece *p;
	size_t count;
	char *names;
	size_t nlen;
};

/* Add "N:name" for each share used, from the split's audit row
 * ("gen=G k=K n=N holders=A;B;C"), the latest of the same key and form. */
static int
holders_row(const struct audit_row *r, void *ud)
{
	struct recover_audit *a = ud;
	unsigned gen, k, n, i = 1;
	char *copy, *save = NULL, *t;
	int off = 0;

	if (strcmp(r->action, "escrow.split") != 0 ||
	    sscanf(r->detail, "gen=%u k=%u n=%u holders=%n", &gen, &k, &n, &off) != 3 || !off ||
	    gen != a->p[0].gen || k != a->p[0].k || n != a->p[0].n)
		return 0;
	a->names[0] = '\0';
	copy = strdup(r->detail + off);
	for (t = copy ? strtok_r(copy, ";", &save) : NULL; t; t = strtok_r(NULL, ";", &save), i++)
		for (size_t j = 0; j < a->count; j++)
			if (a->p[j].index == i) {
				size_t l = strlen(a->names);
				snprintf(a->names + l, a->nlen - l, "%s%u:%s", l ? ";" : "", i, t);
			}
	free(copy);
	return 0;
}

static enum pt_status
audit_recover(struct store *st, void *ud)
{
	struct recover_audit *a = ud;
	char fpr[STORE_FPR_LEN];

	store_fingerprint(st, fpr);
	return audit_appendf(st, "escrow.recover", fpr, NULL, "gen=%u k=%u n=%u holders=%s",
	                     a->p[0].gen, a->p[0].k, a->p[0].n, a->names);
}

enum pt_status
escrow_recovered(struct store *st, const struct escrow_piece *p, size_t count, const char *pass,
                 size_t passlen, char *names, size_t nlen, struct pt_err *err)
{
	struct recover_audit a = { p, count, names, nlen };
	struct kdf_params kp = st->kp;

	if (passlen < ESCROW_PASSPHRASE_MIN)
		return pt_fail(err, PT_INVALID,
		               _("the passphrase must have at least %d characters"),
		               ESCROW_PASSPHRASE_MIN);
	names[0] = '\0';
	(void)audit_foreach(st, holders_row, &a, NULL);
	if (!names[0])
		for (size_t j = 0; j < count; j++) {
			size_t l = strlen(names);
			snprintf(names + l, nlen - l, "%s%u:?", l ? ";" : "", p[j].index);
		}
	return store_rekey(st, pass, passlen, &kp, audit_recover, &a, err);
}

/* ---- the split for paper, audited ---- */

bool
escrow_holder_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > ESCROW_HOLDER_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)h; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == ';' || *p == '=')
			return false;
	return true;
}

enum pt_status
escrow_split_audited(struct store *st, unsigned k, unsigned n, const char *const *holders,
                     struct escrow_piece **pieces, struct pt_err *err)
{
	char fpr[STORE_FPR_LEN], list[ESCROW_MAX_N * (ESCROW_HOLDER_MAX + 1) + 1] = "";
	enum pt_status ret;

	*pieces = NULL;
	for (unsigned i = 0; i < n && i < ESCROW_MAX_N; i++) {
		if (!escrow_holder_ok(holders[i]))
			return pt_fail(err, PT_INVALID,
			               _("a holder's name has 1 to %d printable characters, "
			                 "without \";\" or \"=\""),
			               ESCROW_HOLDER_MAX);
		if (i)
			strcat(list, ";");
		strcat(list, holders[i]);
	}
	if ((ret = escrow_split(st, k, n, pieces, err)) != PT_OK)
		return ret;
	store_fingerprint(st, fpr);
	if ((ret = store_begin(st, err)) == PT_OK) {
		ret = audit_appendf(st, "escrow.split", fpr, err, "gen=%u k=%u n=%u holders=%s",
		                    store_key_generation(st), k, n, list);
		if (ret == PT_OK)
			ret = store_commit(st, err);
		else
			store_rollback(st);
	}
	if (ret != PT_OK) {
		secmem_free(*pieces);
		*pieces = NULL;
	}
	return ret;
}

/* Append to a page in secure memory; the text never goes through a
 * buffer of stdio's. */
static void pg_add(char *pg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
pg_add(char *pg, size_t len, const char *fmt, ...)
{
	size_t at = strlen(pg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pg + at, len - at, fmt, ap);
	va_end(ap);
}

#define PAGE_LEN 2048

char *
escrow_page(const struct escrow_piece *p, const char *path, const char *fpr, const char *date,
            const char *holder)
{
	struct escrow_text *t = secmem_alloc(sizeof(*t));
	char *pg = secmem_alloc(PAGE_LEN);

	if (!t || !pg) {
		secmem_free(t);
		secmem_free(pg);
		return NULL;
	}
	escrow_encode(p, t);
	pg_add(pg, PAGE_LEN, _("==== passtore recovery share %u of %u ====\n"), p->index, p->n);
	pg_add(pg, PAGE_LEN, _("Store:       %s\n"), path);
	pg_add(pg, PAGE_LEN, _("Fingerprint: %s (data key %u)\n"), fpr, p->gen);
	pg_add(pg, PAGE_LEN, _("Made:        %s\n"), date);
	pg_add(pg, PAGE_LEN, _("Holder:      %s\n"), holder);
	pg_add(pg, PAGE_LEN, _("Share %u of %u: any %u of the %u shares open the store.\n\n"),
	       p->index, p->n, p->k, p->n);
	for (unsigned l = 0; l < ESCROW_LINES; l++)
		pg_add(pg, PAGE_LEN, "  %u: %s\n", l + 1, t->line[l]);
	pg_add(pg, PAGE_LEN,
	       _("\nEach line ends with two check characters; line 4 also carries the check\n"
	         "of the whole share.  Keep this paper safe: with %u of them, anyone can open\n"
	         "the store (\"passtore --recover\").\n"),
	       p->k);
	secmem_free(t);
	return pg;
}

/* ---- a suspected compromise ---- */

enum pt_status
escrow_compromise(struct store *st, const char *note, struct pt_err *err)
{
	char fpr[STORE_FPR_LEN];
	size_t n = strlen(note);

	if (n == 0 || n > ESCROW_NOTE_MAX)
		return pt_fail(err, PT_INVALID,
		               _("the note says what happened, in 1 to %d characters"),
		               ESCROW_NOTE_MAX);
	for (const unsigned char *p = (const unsigned char *)note; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return pt_fail(err, PT_INVALID,
			               _("the note is one line of printable characters"));
	store_fingerprint(st, fpr);
	return audit_appendf(st, ESCROW_COMPROMISE_ACTION, fpr, err, "note=%s", note);
}

/* escrow.h - k-of-n recovery shares of the store's data key.
 *
 * The data key (store-key.c) is split with Shamir's scheme over GF(256)
 * (libgfshare) into n shares of which any k give it back.  A share is
 * printed for paper as four lines of four groups of five base32
 * characters and a two-character line check: 50 bytes,
 *   0 version (1)  1-8 the store's fingerprint  9-12 data-key generation
 *   13 k  14 n  15 the share's number (1..n)  16-47 the share
 *   48-49 check over bytes 0-47 (SHA-256)
 * The line check (SHA-256 of the line's number and characters, 10 bits)
 * catches a typo on the line where it was made; the whole check catches
 * what slips through.  Shares are never stored.
 */
#ifndef PASSTORE_ESCROW_H
#define PASSTORE_ESCROW_H

#include <stdint.h>

#include "base/lib.h"
#include "store/store.h"

#define ESCROW_MAX_N 16
#define ESCROW_LINES 4
#define ESCROW_LINE_CHARS 20 /* data characters a line */
/* "ABCDE FGHIJ KLMNO PQRST  XY": groups, then the line check */
#define ESCROW_TEXT_LEN 32

struct escrow_piece {
	uint8_t fpr[8];
	uint32_t gen;
	uint8_t k, n, index;
	uint8_t share[KDF_KEY_LEN];
};

/* The lines of one share as printed. */
struct escrow_text {
	char line[ESCROW_LINES][ESCROW_TEXT_LEN];
};

/* A share being typed in: the checked lines so far. */
struct escrow_reader {
	unsigned lines;
	char data[ESCROW_LINES][ESCROW_LINE_CHARS + 1];
};

/* Split st's data key: *pieces is an array of n in secure memory (free
 * with secmem_free).  2 <= k <= n <= ESCROW_MAX_N. */
enum pt_status escrow_split(struct store *st, unsigned k, unsigned n, struct escrow_piece **pieces,
                            struct pt_err *err);
/* The printed lines of a piece (t should be in secure memory). */
void escrow_encode(const struct escrow_piece *p, struct escrow_text *t);
/* One typed line, checked: PT_INVALID naming the line when its check
 * does not match.  Spaces, a leading "N:" and the case do not matter. */
enum pt_status escrow_read_line(struct escrow_reader *r, const char *input, struct pt_err *err);
/* All the lines in: the share, its whole check verified. */
enum pt_status escrow_read_done(const struct escrow_reader *r, struct escrow_piece *p,
                                struct pt_err *err);
/* A fingerprint's text, "XXXX-XXXX-XXXX-XXXX". */
void escrow_fpr_text(const uint8_t fpr[8], char out[STORE_FPR_LEN]);
/* Open the store at path with shares instead of the passphrase: they
 * must be of this store (fingerprint) and of its current data key, at
 * least k of them, distinct.  The store is not written; the caller sets
 * a new passphrase with store_rekey. */
#define ESCROW_NAMES_LEN (ESCROW_MAX_N * 72)
#define ESCROW_PASSPHRASE_MIN 8
/* After store_open_shares: the new passphrase (at least
 * ESCROW_PASSPHRASE_MIN bytes) wraps the data key, and the recovery is
 * audited with the numbers and holders of the shares, which are also
 * written to names ("1:Alice;3:Carol"). */
enum pt_status escrow_recovered(struct store *st, const struct escrow_piece *p, size_t count,
                                const char *pass, size_t passlen, char *names, size_t nlen,
                                struct pt_err *err);
enum pt_status store_open_shares(const char *path, const struct escrow_piece *pieces, size_t count,
                                 struct store **out, struct pt_err *err);

#endif

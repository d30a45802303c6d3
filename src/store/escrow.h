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

#include <stdbool.h>
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

/* A holder's name, as the split's audit row keeps it ("holders=A;B;C"):
 * 1 to ESCROW_HOLDER_MAX printable bytes, without ";" or "=". */
#define ESCROW_HOLDER_MAX 64
bool escrow_holder_ok(const char *h);
/* Split st's data key for the n holders (n names, each escrow_holder_ok)
 * and audit the split (holders, k, n, never the shares) in a transaction
 * of its own, before any share leaves: no share exists unrecorded.
 * *pieces as escrow_split. */
enum pt_status escrow_split_audited(struct store *st, unsigned k, unsigned n,
                                    const char *const *holders, struct escrow_piece **pieces,
                                    struct pt_err *err);
/* The paper page of one share, as the CLI prints it and the console
 * shows it: store, fingerprint, date, index, K of N, holder, the four
 * lines with their checks.  A NUL-terminated text in secure memory (free
 * with secmem_free, which wipes it), lines ending in "\n"; NULL when
 * memory is short. */
char *escrow_page(const struct escrow_piece *p, const char *path, const char *fpr, const char *date,
                  const char *holder);

/* A suspected compromise, recorded in the audit under this one action
 * (the posture's warning matches exactly it): the recovery shares made
 * before it should be replaced (rotate, split again).  note: 1 to
 * ESCROW_NOTE_MAX printable bytes saying what happened.  In the caller's
 * transaction. */
#define ESCROW_COMPROMISE_ACTION "store.compromise"
#define ESCROW_NOTE_MAX 200
enum pt_status escrow_compromise(struct store *st, const char *note, struct pt_err *err);

#endif

/* kdf.h - passphrase -> raw database key, with Argon2id (libargon2).
 *
 * The parameters travel in the store's file header (see store.c) so that
 * a store can be opened before anything in it is readable, and so that
 * `passtore passwd` can raise them.
 */
#ifndef PASSTORE_KDF_H
#define PASSTORE_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define KDF_KEY_LEN 32
#define KDF_SALT_LEN 16
#define KDF_MIN_M_KIB (8u * 1024u)         /* 8 MiB: test suites only */
#define KDF_SAFE_M_KIB (64u * 1024u)       /* below this we warn */
#define KDF_MAX_M_KIB (4u * 1024u * 1024u) /* 4 GiB */
#define KDF_MAX_T 255u
#define KDF_MAX_LANES 16u

struct kdf_params {
	uint32_t m_kib;  /* memory, KiB, a power of two */
	uint32_t t_cost; /* passes */
	uint32_t lanes;  /* parallelism (threads) */
};

/* Derive KDF_KEY_LEN bytes into key (caller's secure memory). */
enum pt_status kdf_derive(const char *pass, size_t passlen, const uint8_t salt[KDF_SALT_LEN],
                          const struct kdf_params *p, uint8_t *key, struct pt_err *err);
/* Check the parameters are within the supported bounds. */
enum pt_status kdf_params_check(const struct kdf_params *p, struct pt_err *err);
/* Pick t_cost so that one derivation with m_kib takes about target_ms on
 * this machine; fills p (m_kib/lanes given by the caller, or defaults). */
enum pt_status kdf_calibrate(struct kdf_params *p, unsigned target_ms, struct pt_err *err);
/* Parse "64M", "1G", "65536K" or a bare number of MiB into KiB; the
 * result must be a power of two. */
enum pt_status kdf_parse_size(const char *text, uint32_t *kib, struct pt_err *err);
/* Milliseconds one derivation with p takes here (for bench and calibrate). */
double kdf_time_ms(const struct kdf_params *p);

#endif

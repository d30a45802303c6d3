/* kdf.c - Argon2id key derivation and its calibration. */
#include "config.h"

#include <argon2.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "base/kdf.h"
#include "base/secmem.h"

#define KDF_DEFAULT_M_KIB (128u * 1024u)
#define KDF_DEFAULT_LANES 2u

static int
is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

enum pt_status
kdf_params_check(const struct kdf_params *p, struct pt_err *err)
{
	if (p->m_kib < KDF_MIN_M_KIB || p->m_kib > KDF_MAX_M_KIB || !is_pow2(p->m_kib))
		return pt_fail(err, PT_INVALID,
		               _("KDF memory must be a power of two between %u MiB and %u MiB"),
		               KDF_MIN_M_KIB / 1024, KDF_MAX_M_KIB / 1024);
	if (p->t_cost < 1 || p->t_cost > KDF_MAX_T)
		return pt_fail(err, PT_INVALID, _("KDF time cost must be between 1 and %u"),
		               KDF_MAX_T);
	if (p->lanes < 1 || p->lanes > KDF_MAX_LANES)
		return pt_fail(err, PT_INVALID, _("KDF parallelism must be between 1 and %u"),
		               KDF_MAX_LANES);
	return PT_OK;
}

enum pt_status
kdf_derive(const char *pass, size_t passlen, const uint8_t salt[KDF_SALT_LEN],
           const struct kdf_params *p, uint8_t *key, struct pt_err *err)
{
	argon2_context ctx;
	enum pt_status st;
	char *pwd;
	int rc;

	st = kdf_params_check(p, err);
	if (st != PT_OK)
		return st;
	/* argon2 may clear the password buffer: hand it a copy of its own */
	pwd = secmem_alloc(passlen ? passlen : 1);
	if (!pwd)
		return pt_fail(err, PT_NOMEM, NULL);
	memcpy(pwd, pass, passlen);
	memset(&ctx, 0, sizeof(ctx));
	ctx.out = key;
	ctx.outlen = KDF_KEY_LEN;
	ctx.pwd = (uint8_t *)pwd;
	ctx.pwdlen = (uint32_t)passlen;
	ctx.salt = (uint8_t *)salt;
	ctx.saltlen = KDF_SALT_LEN;
	ctx.t_cost = p->t_cost;
	ctx.m_cost = p->m_kib;
	ctx.lanes = p->lanes;
	ctx.threads = p->lanes;
	ctx.version = ARGON2_VERSION_13;
	ctx.flags = ARGON2_FLAG_CLEAR_PASSWORD;
	rc = argon2id_ctx(&ctx);
	secmem_free(pwd);
	if (rc != ARGON2_OK)
		return pt_fail(err, rc == ARGON2_MEMORY_ALLOCATION_ERROR ? PT_NOMEM : PT_CRYPTO,
		               _("key derivation failed: %s"), argon2_error_message(rc));
	return PT_OK;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double
kdf_time_ms(const struct kdf_params *p)
{
	static const uint8_t salt[KDF_SALT_LEN] = { 0 };
	uint8_t *key = secmem_alloc(KDF_KEY_LEN);
	double t0, t1;

	if (!key)
		return -1;
	t0 = now_ms();
	if (kdf_derive("calibration", 11, salt, p, key, NULL) != PT_OK) {
		secmem_free(key);
		return -1;
	}
	t1 = now_ms();
	secmem_free(key);
	return t1 - t0;
}

enum pt_status
kdf_calibrate(struct kdf_params *p, unsigned target_ms, struct pt_err *err)
{
	struct kdf_params probe;
	double one, two, per_pass;
	unsigned t;

	if (!p->m_kib)
		p->m_kib = KDF_DEFAULT_M_KIB;
	if (!p->lanes)
		p->lanes = KDF_DEFAULT_LANES;
	probe = *p;
	probe.t_cost = 1;
	if (kdf_params_check(&probe, err) != PT_OK)
		return err ? err->status : PT_INVALID;
	one = kdf_time_ms(&probe);
	probe.t_cost = 2;
	two = kdf_time_ms(&probe);
	if (one <= 0 || two <= 0)
		return pt_fail(err, PT_NOMEM, _("cannot run the key derivation with %u MiB"),
		               p->m_kib / 1024);
	/* the first pass also faults the memory in: the cost of one more
	 * pass is the difference, not the first timing */
	per_pass = two - one > 1 ? two - one : one;
	t = target_ms > one ? 1 + (unsigned)((target_ms - one) / per_pass + 0.5) : 1;
	if (t < 1)
		t = 1;
	if (t > KDF_MAX_T)
		t = KDF_MAX_T;
	p->t_cost = t;
	return PT_OK;
}

enum pt_status
kdf_parse_size(const char *text, uint32_t *kib, struct pt_err *err)
{
	unsigned long long v, mult = 1024; /* bare number: MiB */
	char *end;

	errno = 0;
	if (!text || !isdigit((unsigned char)*text))
		goto bad;
	v = strtoull(text, &end, 10);
	if (errno)
		goto bad;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K':
		mult = 1;
		end++;
		break;
	case 'M':
		mult = 1024;
		end++;
		break;
	case 'G':
		mult = 1024 * 1024;
		end++;
		break;
	default: goto bad;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		goto bad;
	if (v > (unsigned long long)KDF_MAX_M_KIB / mult)
		return pt_fail(err, PT_INVALID,
		               _("KDF memory \"%s\" is too large (at most %u MiB)"), text,
		               KDF_MAX_M_KIB / 1024);
	v *= mult;
	if (v < KDF_MIN_M_KIB || !is_pow2((uint32_t)v))
		return pt_fail(
			err, PT_INVALID,
			_("KDF memory \"%s\" must be a power of two of at least %u MiB (e.g. 64M, 256M, 1G)"),
			text, KDF_MIN_M_KIB / 1024);
	*kib = (uint32_t)v;
	return PT_OK;
bad:
	return pt_fail(err, PT_INVALID, _("\"%s\" is not a size (use e.g. 64M, 256M, 1G)"),
	               text ? text : "");
}

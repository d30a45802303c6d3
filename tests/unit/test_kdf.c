/* test_kdf.c - Argon2id derivation, parameter bounds, size parsing. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/lib.h"

static const struct kdf_params cheap = { 8 * 1024, 1, 1 };

START_TEST(derive_is_deterministic_and_salted)
{
	uint8_t salt1[KDF_SALT_LEN] = { 1 }, salt2[KDF_SALT_LEN] = { 2 };
	uint8_t a[KDF_KEY_LEN], b[KDF_KEY_LEN], c[KDF_KEY_LEN], d[KDF_KEY_LEN];

	ck_assert_int_eq(kdf_derive("pass", 4, salt1, &cheap, a, NULL), PT_OK);
	ck_assert_int_eq(kdf_derive("pass", 4, salt1, &cheap, b, NULL), PT_OK);
	ck_assert_int_eq(kdf_derive("pass", 4, salt2, &cheap, c, NULL), PT_OK);
	ck_assert_int_eq(kdf_derive("pasS", 4, salt1, &cheap, d, NULL), PT_OK);
	ck_assert_int_eq(memcmp(a, b, KDF_KEY_LEN), 0);
	ck_assert_int_ne(memcmp(a, c, KDF_KEY_LEN), 0);
	ck_assert_int_ne(memcmp(a, d, KDF_KEY_LEN), 0);
}
END_TEST

/* Pinned against the reference argon2(1) tool:
 *   echo -n password | argon2 SSSSSSSSSSSSSSSS -id -t 1 -k 8192 -p 1 -l 32 -r
 * so that a change of algorithm, version or parameter order (which would
 * lock every existing store out) fails here first. */
#define REFERENCE_HEX "bc18f7874a5171e0125af3fed266496b535da3218ec2d42ff836e2bec17898d9"
START_TEST(derive_matches_argon2id_reference)
{
	uint8_t salt[KDF_SALT_LEN];
	uint8_t key[KDF_KEY_LEN];
	char hex[2 * KDF_KEY_LEN + 1];

	memset(salt, 'S', sizeof(salt));
	ck_assert_int_eq(kdf_derive("password", 8, salt, &cheap, key, NULL), PT_OK);
	for (int i = 0; i < KDF_KEY_LEN; i++)
		sprintf(hex + 2 * i, "%02x", key[i]);
	ck_assert_str_eq(hex, REFERENCE_HEX);
}
END_TEST

START_TEST(params_bounds)
{
	struct pt_err err = { 0 };
	struct kdf_params p = cheap;

	ck_assert_int_eq(kdf_params_check(&p, &err), PT_OK);
	p.m_kib = 96 * 1024; /* not a power of two */
	ck_assert_int_eq(kdf_params_check(&p, &err), PT_INVALID);
	p = cheap;
	p.m_kib = 4 * 1024;
	ck_assert_int_eq(kdf_params_check(&p, &err), PT_INVALID);
	p = cheap;
	p.t_cost = 0;
	ck_assert_int_eq(kdf_params_check(&p, &err), PT_INVALID);
	ck_assert_ptr_nonnull(strstr(err.detail, "between 1 and 255"));
}
END_TEST

START_TEST(size_parsing)
{
	struct pt_err err = { 0 };
	uint32_t kib;

	ck_assert_int_eq(kdf_parse_size("64M", &kib, &err), PT_OK);
	ck_assert_uint_eq(kib, 65536);
	ck_assert_int_eq(kdf_parse_size("1G", &kib, &err), PT_OK);
	ck_assert_uint_eq(kib, 1048576);
	ck_assert_int_eq(kdf_parse_size("256MiB", &kib, &err), PT_OK);
	ck_assert_uint_eq(kib, 262144);
	ck_assert_int_eq(kdf_parse_size("16384k", &kib, &err), PT_OK);
	ck_assert_uint_eq(kib, 16384);
	ck_assert_int_eq(kdf_parse_size("128", &kib, &err), PT_OK);
	ck_assert_uint_eq(kib, 131072);
	ck_assert_int_eq(kdf_parse_size("100M", &kib, &err), PT_INVALID);
	ck_assert_ptr_nonnull(strstr(err.detail, "power of two"));
	ck_assert_int_eq(kdf_parse_size("lots", &kib, &err), PT_INVALID);
	ck_assert_ptr_nonnull(strstr(err.detail, "is not a size"));
	ck_assert_int_eq(kdf_parse_size("64X", &kib, &err), PT_INVALID);
	ck_assert_int_eq(kdf_parse_size("8T", &kib, &err), PT_INVALID);
	ck_assert_int_eq(kdf_parse_size("4M", &kib, &err), PT_INVALID);
}
END_TEST

START_TEST(calibration_picks_passes)
{
	struct kdf_params p = { 8 * 1024, 0, 1 };

	ck_assert_int_eq(kdf_calibrate(&p, 50, NULL), PT_OK);
	ck_assert_uint_ge(p.t_cost, 1);
	ck_assert_uint_le(p.t_cost, KDF_MAX_T);
	ck_assert_uint_eq(p.m_kib, 8 * 1024);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kdf");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, derive_is_deterministic_and_salted);
	tcase_add_test(tc, derive_matches_argon2id_reference);
	tcase_add_test(tc, params_bounds);
	tcase_add_test(tc, size_parsing);
	tcase_add_test(tc, calibration_picks_passes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_secmem.c - the secure allocator: locked, wiped, sized, dumps off. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "base/lib.h"

START_TEST(alloc_is_zeroed_and_sized)
{
	unsigned char *p = secmem_alloc(100);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(secmem_size(p), 100);
	for (int i = 0; i < 100; i++)
		ck_assert_uint_eq(p[i], 0);
	secmem_free(p);
}
END_TEST

START_TEST(in_use_returns_to_zero)
{
	size_t before = secmem_in_use();
	char *a = secmem_strdup("alpha"), *b = secmem_alloc(9000);

	ck_assert_uint_gt(secmem_in_use(), before);
	secmem_free(a);
	secmem_free(b);
	ck_assert_uint_eq(secmem_in_use(), before);
}
END_TEST

START_TEST(blocks_are_locked_when_allowed)
{
	struct rlimit rl;
	char *p = secmem_alloc(32);

	getrlimit(RLIMIT_MEMLOCK, &rl);
	/* a page or two is within any default limit (64 KiB or more) */
	if (rl.rlim_cur >= 65536)
		ck_assert(secmem_is_locked(p));
	secmem_free(p);
}
END_TEST

START_TEST(strdup_and_realloc_keep_content)
{
	char *s = secmem_strdup("s3cr3t"), *t;

	ck_assert_str_eq(s, "s3cr3t");
	t = secmem_realloc(s, 64);
	ck_assert_str_eq(t, "s3cr3t");
	ck_assert_uint_eq(secmem_size(t), 64);
	t = secmem_realloc(t, 3);
	ck_assert_int_eq(memcmp(t, "s3c", 3), 0);
	secmem_free(t);
}
END_TEST

START_TEST(freep_clears_the_pointer)
{
	char *s = secmem_strdup("x");

	secmem_freep(&s);
	ck_assert_ptr_null(s);
	secmem_freep(&s); /* twice is harmless */
	secmem_free(NULL);
}
END_TEST

START_TEST(harden_disables_core_dumps)
{
	struct rlimit rl;

	ck_assert_int_eq(secmem_harden_process(), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_CORE, &rl), 0);
	ck_assert_uint_eq(rl.rlim_cur, 0);
	ck_assert_int_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}
END_TEST

START_TEST(wipe_clears_foreign_memory)
{
	char buf[16];

	memset(buf, 'A', sizeof(buf));
	secmem_wipe(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("secmem");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, alloc_is_zeroed_and_sized);
	tcase_add_test(tc, in_use_returns_to_zero);
	tcase_add_test(tc, blocks_are_locked_when_allowed);
	tcase_add_test(tc, strdup_and_realloc_keep_content);
	tcase_add_test(tc, freep_clears_the_pointer);
	tcase_add_test(tc, harden_disables_core_dumps);
	tcase_add_test(tc, wipe_clears_foreign_memory);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

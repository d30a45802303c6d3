/* test_secmem.c - the secure allocator and the secure heap: locked,
 * wiped, sized, dumps off. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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

/* VmFlags of the mapping holding p, from /proc/self/smaps ("" if none). */
static void
vmflags_of(const void *p, char *out, size_t n)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;

	*out = '\0';
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		/* a mapping's first line; field lines ("AnonHugePages:") stop at 1 */
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(out, n, "%s", line + 8);
			break;
		}
	}
	fclose(f);
}

START_TEST(secheap_rounds_aligns_and_wipes)
{
	static const size_t sizes[] = { 0, 1, 16, 17, 255, 256, 257, 4368, 65536, 65537, 300000 };
	struct secheap_stats a, b;

	secheap_stats(&a);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		unsigned char *p = secheap_alloc(n);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
		ck_assert_uint_ge(secheap_size(p), n);
		ck_assert_uint_eq(secheap_size(p), secheap_roundup(n));
		/* one check per block, not per byte: a loaded CI machine */
		ck_assert(n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0));
		memset(p, 'S', n);
		secheap_free(p);
		/* a small block goes to its free list wiped (its first word is
		 * the list's link); a large one is unmapped */
		if (n > sizeof(void *) + 1 && n <= 65536)
			ck_assert(p[sizeof(void *)] == 0 &&
			          memcmp(p + sizeof(void *), p + sizeof(void *) + 1,
			                 n - sizeof(void *) - 1) == 0);
	}
	secheap_stats(&b);
	ck_assert_uint_eq(b.in_use, a.in_use);
	/* 4 KiB pages with SQLite's header waste little */
	ck_assert_uint_le(secheap_roundup(4368), 4368 + 4368 / 4);
	ck_assert_ptr_null(secheap_alloc(SECHEAP_MAX + 1));
}
END_TEST

START_TEST(secheap_realloc_keeps_content)
{
	char *p = secheap_alloc(10);

	memcpy(p, "secret-123", 10);
	p = secheap_realloc(p, 100000);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(memcmp(p, "secret-123", 10), 0);
	p = secheap_realloc(p, 20);
	ck_assert_int_eq(memcmp(p, "secret-123", 10), 0);
	secheap_free(p);
	secheap_free(NULL);
}
END_TEST

START_TEST(secheap_is_out_of_dumps_and_locked)
{
	struct secheap_stats s;
	char flags[512];
	void *small = secheap_alloc(100), *big = secheap_alloc(200000);

	vmflags_of(small, flags, sizeof flags);
	ck_assert_ptr_nonnull(strstr(flags, " dd"));
	vmflags_of(big, flags, sizeof flags);
	ck_assert_ptr_nonnull(strstr(flags, " dd"));
	secheap_stats(&s);
	ck_assert_uint_ge(s.mapped, 200000);
	/* root (CI) or a limit that allows it: locked; else it says why */
	if (s.memlock == SIZE_MAX || s.memlock >= s.mapped) {
		ck_assert_uint_eq(s.locked, s.mapped);
		ck_assert_ptr_nonnull(strstr(flags, " lo"));
	} else {
		ck_assert_int_ne(s.lock_errno, 0);
	}
	secheap_free(small);
	secheap_free(big);
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
	tcase_add_test(tc, secheap_rounds_aligns_and_wipes);
	tcase_add_test(tc, secheap_realloc_keeps_content);
	tcase_add_test(tc, secheap_is_out_of_dumps_and_locked);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

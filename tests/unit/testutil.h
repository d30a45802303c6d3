/* testutil.h - shared fixtures for the unit tests: a throwaway store
 * with a cheap key derivation in a private temporary directory. */
#ifndef PASSTORE_TESTUTIL_H
#define PASSTORE_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

#define TEST_PASS "correct horse battery"

static const struct kdf_params test_kdf = { 8 * 1024, 1, 1 };

static char test_dir[256];
static char test_db[300];

static inline void
tmp_setup(void)
{
	snprintf(test_dir, sizeof(test_dir), "/tmp/passtore-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(test_dir));
	snprintf(test_db, sizeof(test_db), "%s/s.db", test_dir);
}

static inline void
tmp_teardown(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", test_dir);
}

static inline struct store *
new_store(void)
{
	struct store *st = NULL;
	struct pt_err err = { 0 };

	ck_assert_int_eq(store_create(test_db, TEST_PASS, strlen(TEST_PASS), &test_kdf, &st, &err), PT_OK);
	return st;
}

static inline struct store *
reopen(void)
{
	struct store *st = NULL;
	struct pt_err err = { 0 };
	enum pt_status r = store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err);

	ck_assert_msg(r == PT_OK, "reopen: %s", err.detail);
	return st;
}

/* Run the suite; exit status as automake expects. */
static inline int
run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif

/* testutil.h - shared fixtures for the unit tests: a throwaway store
 * with a cheap key derivation in a private temporary directory. */
#ifndef PASSTORE_TESTUTIL_H
#define PASSTORE_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/lib.h"

#define TEST_PASS "correct horse battery"

/* SQL: the keys table as schemas before 13 had it (no row MAC), its rows,
 * ids and index kept; for a test that sets user_version back to migrate
 * a store again. */
#define TEST_KEYS_WITHOUT_MAC \
	"PRAGMA foreign_keys = OFF;" \
	"CREATE TABLE k12 (id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL" \
	" REFERENCES hosts (id) ON DELETE RESTRICT, type TEXT NOT NULL," \
	" key_pem BLOB NOT NULL, key_id TEXT NOT NULL UNIQUE," \
	" origin TEXT NOT NULL, created_at INTEGER NOT NULL);" \
	"INSERT INTO k12 SELECT id, host_id, type, key_pem, key_id, origin, created_at FROM keys;" \
	"DROP TABLE keys; ALTER TABLE k12 RENAME TO keys;" \
	"CREATE INDEX keys_host ON keys (host_id);" \
	"PRAGMA foreign_keys = ON;"

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

	ck_assert_int_eq(store_create(test_db, TEST_PASS, strlen(TEST_PASS), &test_kdf, &st, &err),
	                 PT_OK);
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

/* A whole file, NUL-terminated; *len its size when len is not NULL. */
static inline char *
test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* tests/golden: $GOLDEN_DIR, else under $srcdir, else beside this file. */
static char golden_dir[1024];

static inline void
find_golden(void)
{
	const char *env = getenv("GOLDEN_DIR"), *srcdir = getenv("srcdir");
	const char *slash = strrchr(__FILE__, '/');

	if (env && *env)
		snprintf(golden_dir, sizeof(golden_dir), "%s", env);
	else if (srcdir && *srcdir)
		snprintf(golden_dir, sizeof(golden_dir), "%s/tests/golden", srcdir);
	else if (!slash)
		snprintf(golden_dir, sizeof(golden_dir), "../golden");
	else
		snprintf(golden_dir, sizeof(golden_dir), "%.*s/../golden", (int)(slash - __FILE__),
		         __FILE__);
}

/* A file of tests/golden (find_golden first). */
static inline char *
golden_slurp(const char *file, size_t *len)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/%s", golden_dir, file);
	return test_slurp(path, len);
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

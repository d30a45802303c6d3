/* test_store.c - create, unlock, refuse, detect damage, rekey, back up. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static void
put_value(struct store *st, const char *k, const char *v)
{
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	ck_assert_int_eq(store_meta_set(st, k, v, NULL), PT_OK);
	ck_assert_int_eq(store_commit(st, NULL), PT_OK);
}

START_TEST(create_reopen_keeps_data)
{
	struct store *st = new_store();
	char *v = NULL;
	struct stat sb;

	put_value(st, "k", "v1");
	store_close(&st);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(stat(test_db, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	st = reopen();
	ck_assert_int_eq(store_meta_get(st, "k", &v, NULL), PT_OK);
	ck_assert_str_eq(v, "v1");
	free(v);
	store_close(&st);
}
END_TEST

START_TEST(create_refuses_existing_file)
{
	struct store *st = NULL;
	struct pt_err err = { 0 };
	size_t n;
	char *before;
	int fd = open(test_db, O_WRONLY | O_CREAT, 0600);

	ck_assert_int_eq(write(fd, "hello", 5), 5);
	close(fd);
	ck_assert_int_eq(store_create(test_db, TEST_PASS, strlen(TEST_PASS), &test_kdf, &st, &err),
	                 PT_EXISTS);
	ck_assert_ptr_nonnull(strstr(err.detail, "already exists"));
	before = test_slurp(test_db, &n);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(memcmp(before, "hello", 5), 0);
	free(before);
}
END_TEST

START_TEST(header_carries_magic_and_params)
{
	struct store *st = new_store();
	struct kdf_params kp;
	unsigned char hdr[16];
	int fd;

	store_close(&st);
	fd = open(test_db, O_RDONLY);
	ck_assert_int_eq(read(fd, hdr, 16), 16);
	close(fd);
	ck_assert_int_eq(hdr[0], 'P');
	ck_assert_int_eq(hdr[1], 'T');
	ck_assert_int_eq(hdr[2], 3); /* format 3: a data key in the key record */
	ck_assert_int_eq(store_peek_params(test_db, &kp, NULL), PT_OK);
	ck_assert_uint_eq(kp.m_kib, test_kdf.m_kib);
	ck_assert_uint_eq(kp.t_cost, test_kdf.t_cost);
	ck_assert_uint_eq(kp.lanes, test_kdf.lanes);
}
END_TEST

START_TEST(wrong_passphrase_is_locked_and_writes_nothing)
{
	struct store *st = new_store();
	struct pt_err err = { 0 };
	size_t n1, n2;
	char *a, *b;

	put_value(st, "k", "v");
	store_close(&st);
	a = test_slurp(test_db, &n1);
	ck_assert_int_eq(store_open(test_db, "wrong horse", 11, &st, &err), PT_LOCKED);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(err.detail, "wrong passphrase"));
	b = test_slurp(test_db, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(a, b, n1), 0);
	ck_assert_int_ne(access("s.db-journal", F_OK), 0);
	free(a);
	free(b);
}
END_TEST

START_TEST(foreign_files_are_not_stores)
{
	struct store *st = NULL;
	struct pt_err err = { 0 };
	sqlite3 *db;

	/* a plain SQLite database */
	ck_assert_int_eq(sqlite3_open(test_db, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_NOTSTORE);
	ck_assert_ptr_nonnull(strstr(err.detail, "is not a passtore store"));
	unlink(test_db);
	/* missing */
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_NOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.detail, "passtore init"));
	/* a short file */
	{
		int fd = open(test_db, O_WRONLY | O_CREAT, 0600);
		ck_assert_int_eq(write(fd, "PT", 2), 2);
		close(fd);
	}
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_NOTSTORE);
}
END_TEST

/* The core refuses what is not a regular file itself (a caller without
 * the program's check, or a FIFO put in the file's place after it):
 * at once, not blocked in open(2) (the test's timeout would fire). */
START_TEST(a_fifo_is_refused_not_waited_on)
{
	struct store *st = NULL;
	struct pt_err err = { 0 };
	struct kdf_params kp;

	ck_assert_int_eq(mkfifo(test_db, 0600), 0);
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_INVALID);
	ck_assert_ptr_nonnull(strstr(err.detail, "is not a regular file"));
	ck_assert_int_eq(store_peek_params(test_db, &kp, &err), PT_INVALID);
	unlink(test_db);
	ck_assert_int_eq(mkdir(test_db, 0700), 0);
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_INVALID);
	rmdir(test_db);
}
END_TEST

START_TEST(damaged_page_is_reported)
{
	struct store *st = new_store();
	struct pt_err err = { 0 };
	char big[2000];
	off_t size;
	int fd;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 20; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%d", i);
		put_value(st, k, big);
	}
	store_close(&st);
	fd = open(test_db, O_RDWR);
	size = lseek(fd, 0, SEEK_END);
	ck_assert_int_gt(size, 4 * 4096);
	/* one flipped byte in the middle of the third page */
	{
		unsigned char b;
		ck_assert_int_eq(pread(fd, &b, 1, 2 * 1024 + 2 * 4096 - 2048 + 100), 1);
		b ^= 0x01;
		ck_assert_int_eq(pwrite(fd, &b, 1, 2 * 1024 + 2 * 4096 - 2048 + 100), 1);
	}
	close(fd);
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_DAMAGED);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(err.detail, "damaged"));
}
END_TEST

START_TEST(transaction_rolls_back)
{
	struct store *st = new_store();
	char *v = NULL;

	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	ck_assert_int_eq(store_meta_set(st, "k", "v", NULL), PT_OK);
	store_rollback(st);
	ck_assert_int_eq(store_meta_get(st, "k", &v, NULL), PT_OK);
	ck_assert_ptr_null(v);
	store_close(&st);
}
END_TEST

/* The statement cache: one statement serves many uses, more texts than
 * it keeps are prepared again, and the store closes with a statement
 * left mid-result (SQLite would refuse a plain close, and the sanitizer
 * build finds a leak). */
START_TEST(cached_statements_serve_many_uses)
{
	struct store *st = new_store();
	static char texts[48][64];
	sqlite3_stmt *s = NULL, *first = NULL;
	char buf[64], *v = NULL;
	int rc;

	for (int i = 0; i < 5000; i++) {
		ck_assert_int_eq(store_cached(st, "SELECT ?1 + 1", &s, NULL), PT_OK);
		if (!first)
			first = s;
		ck_assert_ptr_eq(s, first);
		sqlite3_bind_int(s, 1, i);
		ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
		ck_assert_int_eq(sqlite3_column_int(s, 0), i + 1);
		sqlite3_reset(s);
	}
	/* the same text from another buffer is the same statement */
	snprintf(buf, sizeof(buf), "SELECT ?1 + %d", 1);
	ck_assert_int_eq(store_cached(st, buf, &s, NULL), PT_OK);
	ck_assert_ptr_eq(s, first);
	/* bindings do not leak from one use to the next */
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_type(s, 0), SQLITE_NULL);
	sqlite3_reset(s);
	/* more texts than the cache holds: the oldest are dropped, and a
	 * buffer reused for another text never finds the old statement */
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 48; i++) {
			snprintf(texts[i], sizeof(texts[i]), "SELECT %d + ?1", i * 100 + round);
			ck_assert_int_eq(store_cached(st, texts[i], &s, NULL), PT_OK);
			sqlite3_bind_int(s, 1, 1);
			ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
			ck_assert_int_eq(sqlite3_column_int(s, 0), i * 100 + round + 1);
			sqlite3_reset(s);
		}
	/* settings go through the cache too, inside and across transactions */
	for (int i = 0; i < 300; i++) {
		snprintf(buf, sizeof(buf), "v%d", i);
		put_value(st, "k", buf);
		ck_assert_int_eq(store_meta_get(st, "k", &v, NULL), PT_OK);
		ck_assert_str_eq(v, buf);
		free(v);
	}
	/* a bad text fails cleanly and is not kept */
	ck_assert_int_eq(store_cached(st, "SELEKT 1", &s, NULL), PT_ERR);
	/* left stepped, not reset: store_close still finalizes it */
	ck_assert_int_eq(store_exec(st, "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2)", NULL),
	                 PT_OK);
	ck_assert_int_eq(store_cached(st, "SELECT x FROM t", &s, NULL), PT_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	store_close(&st);
	ck_assert_ptr_null(st);
	/* nothing was left holding the file: a new handle writes and commits */
	st = reopen();
	put_value(st, "after", "close");
	ck_assert_int_eq(store_cached(st, "SELECT count(*) FROM t", &s, NULL), PT_OK);
	rc = sqlite3_step(s);
	ck_assert_int_eq(rc, SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(s, 0), 2);
	store_close(&st);
}
END_TEST

START_TEST(rekey_changes_passphrase_and_params)
{
	struct store *st = new_store();
	struct kdf_params kp = { 16 * 1024, 2, 1 }, peek;
	struct pt_err err = { 0 };
	char *v = NULL, rk[320];

	put_value(st, "k", "kept");
	ck_assert_int_eq(store_rekey(st, "new passphrase", 14, &kp, NULL, NULL, &err), PT_OK);
	/* the open handle now serves the new file */
	ck_assert_int_eq(store_meta_get(st, "k", &v, NULL), PT_OK);
	ck_assert_str_eq(v, "kept");
	free(v);
	v = NULL;
	store_close(&st);
	snprintf(rk, sizeof(rk), "%s.rekey", test_db);
	ck_assert_int_ne(access(rk, F_OK), 0);
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_LOCKED);
	ck_assert_int_eq(store_open(test_db, "new passphrase", 14, &st, &err), PT_OK);
	ck_assert_int_eq(store_meta_get(st, "k", &v, NULL), PT_OK);
	ck_assert_str_eq(v, "kept");
	free(v);
	store_close(&st);
	ck_assert_int_eq(store_peek_params(test_db, &peek, NULL), PT_OK);
	ck_assert_uint_eq(peek.m_kib, 16 * 1024);
	ck_assert_uint_eq(peek.t_cost, 2);
}
END_TEST

/* The handle store_rekey leaves must still write: a write after the change
 * of passphrase lands, in the file that opens with the new passphrase. */
START_TEST(rekey_handle_still_writes)
{
	struct store *st = new_store();
	struct kdf_params kp = { 16 * 1024, 2, 1 };
	struct pt_err err = { 0 };
	char *v = NULL;

	put_value(st, "k", "before");
	ck_assert_int_eq(store_rekey(st, "new passphrase", 14, &kp, NULL, NULL, &err), PT_OK);
	ck_assert_int_eq(store_begin(st, &err), PT_OK);
	ck_assert_msg(store_meta_set(st, "k", "after", &err) == PT_OK, "write after rekey: %s",
	              err.detail);
	ck_assert_int_eq(store_commit(st, &err), PT_OK);
	store_close(&st);
	ck_assert_int_eq(store_open(test_db, "new passphrase", 14, &st, &err), PT_OK);
	ck_assert_int_eq(store_meta_get(st, "k", &v, NULL), PT_OK);
	ck_assert_str_eq(v, "after");
	free(v);
	store_close(&st);
}
END_TEST

START_TEST(backup_is_verified_copy)
{
	struct store *st = new_store(), *copy = NULL;
	struct pt_err err = { 0 };
	char *written = NULL, hex[65], hex2[65], *v = NULL;
	uint64_t bytes = 0;

	put_value(st, "k", "in the copy");
	ck_assert_int_eq(store_backup(st, test_dir, &written, &bytes, hex, &err), PT_OK);
	ck_assert_ptr_nonnull(strstr(written, "/passtore-"));
	ck_assert_uint_gt(bytes, 0);
	ck_assert_int_eq(store_file_sha256(written, hex2, NULL, NULL), PT_OK);
	ck_assert_str_eq(hex, hex2);
	/* the same passphrase opens the copy */
	ck_assert_int_eq(store_open(written, TEST_PASS, strlen(TEST_PASS), &copy, &err), PT_OK);
	ck_assert_int_eq(store_meta_get(copy, "k", &v, NULL), PT_OK);
	ck_assert_str_eq(v, "in the copy");
	free(v);
	store_close(&copy);
	/* never over an existing file */
	ck_assert_int_eq(store_backup(st, written, &v, &bytes, hex, &err), PT_EXISTS);
	free(written);
	store_close(&st);
}
END_TEST

static int
page_size(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "PRAGMA page_size", -1, &s, NULL),
	                 SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

START_TEST(pages_are_4k_and_stay_so)
{
	struct store *st = new_store();
	struct kdf_params kp = { 8 * 1024, 1, 1 };
	struct stat sb;

	put_value(st, "k", "v");
	ck_assert_int_eq(page_size(st), 4096);
	ck_assert_int_eq(stat(test_db, &sb), 0);
	ck_assert_int_eq(sb.st_size % 4096, 0);
	ck_assert_int_eq(store_rekey(st, "new passphrase", 14, &kp, NULL, NULL, NULL), PT_OK);
	ck_assert_int_eq(page_size(st), 4096);
	store_close(&st);
	ck_assert_int_eq(store_open(test_db, "new passphrase", 14, &st, NULL), PT_OK);
	ck_assert_int_eq(page_size(st), 4096);
	store_close(&st);
}
END_TEST

START_TEST(an_older_format_is_refused_by_name)
{
	struct store *st = new_store();
	struct pt_err err = { 0 };
	unsigned char v1 = 1;
	int fd;

	store_close(&st);
	fd = open(test_db, O_RDWR);
	ck_assert_int_eq(pwrite(fd, &v1, 1, 2), 1);
	close(fd);
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_NOTSTORE);
	ck_assert_ptr_nonnull(strstr(err.detail, "unknown store format (version 1)"));
}
END_TEST

START_TEST(newer_schema_is_refused)
{
	struct store *st = new_store();
	struct pt_err err = { 0 };

	ck_assert_int_eq(store_exec(st, "PRAGMA user_version = 99", NULL), PT_OK);
	store_close(&st);
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_REFUSED);
	ck_assert_ptr_nonnull(strstr(err.detail, "newer passtore"));
}
END_TEST

/* The one integer a query's first row holds. */
static int
count_of(struct store *st, const char *sql)
{
	sqlite3_stmt *q = NULL;
	int n;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* Schema 13: host keys stored before it get their MAC and a key.seal
 * record at the migration, and then verify; a key row edited or removed
 * behind the trail does not. */
START_TEST(migration_13_seals_existing_keys)
{
	struct store *st = new_store();
	struct pt_err err = { 0 };
	int64_t bad = 0, rows = 0;

	ck_assert_int_eq(
		store_exec(st,
	                   "INSERT INTO hosts (fqdn, created_at, updated_at) VALUES"
	                   " ('ce01.example.org', 1, 1);"
	                   "INSERT INTO keys (host_id, type, key_pem, key_id, origin,"
	                   " created_at) VALUES (1, 'ec:p256', x'6b6579', '00ff', 'generated', 1);"
	                   /* the table as schema 12 had it */
	                   TEST_KEYS_WITHOUT_MAC "PRAGMA user_version = 12",
	                   &err),
		PT_OK);
	store_close(&st);
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_OK);
	ck_assert_int_eq(count_of(st, "SELECT count(*) FROM audit WHERE action = 'key.seal'"
	                              " AND object = 'ce01.example.org'"
	                              " AND detail LIKE 'key_id=00ff key_mac=%'"),
	                 1);
	ck_assert_int_eq(audit_verify(st, &bad, &rows, &err), PT_OK);
	/* another key put in the row behind the trail's back */
	ck_assert_int_eq(store_exec(st, "UPDATE keys SET key_pem = x'6f74686572'", &err), PT_OK);
	ck_assert_int_eq(audit_verify(st, &bad, &rows, &err), PT_BROKEN_CHAIN);
	ck_assert_ptr_nonnull(strstr(err.detail, "altered"));
	/* the key taken away, as a page from before it would */
	ck_assert_msg(store_exec(st, "DELETE FROM keys", &err) == PT_OK, "%s", err.detail);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(audit_verify(st, &bad, &rows, &err), PT_BROKEN_CHAIN);
	ck_assert_ptr_nonnull(strstr(err.detail, "key id 00ff"));
	ck_assert_ptr_nonnull(strstr(err.detail, "gone"));
	store_close(&st);
}
END_TEST

/* Schema 11: rows written before it get their MAC and a pw.seal record
 * at the migration, and then verify; a row edited behind the trail does
 * not. */
START_TEST(migration_11_seals_existing_rows)
{
	struct store *st = new_store();
	struct pt_err err = { 0 };
	int64_t bad = 0, rows = 0;

	ck_assert_int_eq(store_exec(st,
	                            "INSERT INTO credentials (user, hostspec, service, secret,"
	                            " version, created_at, updated_at) VALUES ('root',"
	                            " 'ce01.example.org', 'ssh', x'6f6c64', 3, 1, 1);"
	                            /* the table as schema 10 had it */
	                            "CREATE TABLE c10 AS SELECT id, user, hostspec, service,"
	                            " secret, version, created_at, updated_at FROM credentials;"
	                            "DROP TABLE credentials;"
	                            "ALTER TABLE c10 RENAME TO credentials;"
	                            /* and keys as schema 12 had them */
	                            TEST_KEYS_WITHOUT_MAC "PRAGMA user_version = 10",
	                            &err),
	                 PT_OK);
	store_close(&st);
	ck_assert_int_eq(store_open(test_db, TEST_PASS, strlen(TEST_PASS), &st, &err), PT_OK);
	ck_assert_int_eq(count_of(st, "SELECT count(*) FROM audit WHERE action = 'pw.seal'"
	                              " AND detail LIKE 'version=3 mac=%'"),
	                 1);
	ck_assert_int_eq(audit_verify(st, &bad, &rows, &err), PT_OK);
	/* a new version written behind the trail's back */
	ck_assert_int_eq(store_exec(st, "UPDATE credentials SET version = 4", &err), PT_OK);
	ck_assert_int_eq(audit_verify(st, &bad, &rows, &err), PT_BROKEN_CHAIN);
	ck_assert_ptr_nonnull(strstr(err.detail, "root@ce01.example.org:ssh"));
	store_close(&st);
}
END_TEST

/* What a user without root gets, checked in a child that is not root
 * even when the suite runs as root (a root run would otherwise only
 * ever see the one fixed path).  Exit status: 0 if every branch gave
 * the documented path, else the number of the first that did not. */
static int
unprivileged_default_paths(void)
{
	char *p;
	int bad = 0;

	if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
		return 10;
	if (geteuid() == 0)
		return 11;
	unsetenv("PASSTORE_DB");
	setenv("XDG_DATA_HOME", "/home/u/.data", 1);
	setenv("HOME", "/home/u", 1);
	p = store_default_path();
	if (!p || strcmp(p, "/home/u/.data/passtore/passtore.db") != 0)
		bad = bad ? bad : 1;
	free(p);
	/* an empty XDG_DATA_HOME means unset: the HOME fallback */
	setenv("XDG_DATA_HOME", "", 1);
	p = store_default_path();
	if (!p || strcmp(p, "/home/u/.local/share/passtore/passtore.db") != 0)
		bad = bad ? bad : 2;
	free(p);
	unsetenv("XDG_DATA_HOME");
	p = store_default_path();
	if (!p || strcmp(p, "/home/u/.local/share/passtore/passtore.db") != 0)
		bad = bad ? bad : 3;
	free(p);
	/* without HOME, the password database's home; never a relative path */
	unsetenv("HOME");
	p = store_default_path();
	if (!p || p[0] != '/' || !strstr(p, "/.local/share/passtore/passtore.db"))
		bad = bad ? bad : 4;
	free(p);
	/* PASSTORE_DB wins here too */
	setenv("PASSTORE_DB", "/srv/y.db", 1);
	p = store_default_path();
	if (!p || strcmp(p, "/srv/y.db") != 0)
		bad = bad ? bad : 5;
	free(p);
	return bad;
}

START_TEST(default_path_follows_environment)
{
	char *p;
	pid_t pid;
	int status = -1;

	setenv("PASSTORE_DB", "/srv/x.db", 1);
	p = store_default_path();
	ck_assert_str_eq(p, "/srv/x.db");
	free(p);
	/* an empty PASSTORE_DB is no choice: the default applies */
	setenv("PASSTORE_DB", "", 1);
	p = store_default_path();
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(p[0] == '/' && strcmp(p, "") != 0, "default path: %s", p);
	free(p);
	unsetenv("PASSTORE_DB");
	if (geteuid() == 0) {
		p = store_default_path();
		ck_assert_str_eq(p, "/var/lib/passtore/passtore.db");
		free(p);
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(unprivileged_default_paths());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	              "unprivileged default path, case %d", WEXITSTATUS(status));
}
END_TEST

/* A backup given a relative name records (and returns) an absolute
 * path, so the record still finds the copy from another directory. */
START_TEST(backup_to_a_relative_name_records_an_absolute_path)
{
	struct store *st = new_store(), *copy = NULL;
	struct pt_err err = { 0 };
	char *written = NULL, hex[65], here[PATH_MAX], want[PATH_MAX + 16], old[PATH_MAX];
	uint64_t bytes = 0;

	ck_assert_ptr_nonnull(getcwd(old, sizeof(old)));
	ck_assert_int_eq(chdir(test_dir), 0);
	ck_assert_ptr_nonnull(getcwd(here, sizeof(here)));
	ck_assert_int_eq(store_backup(st, "rel.db", &written, &bytes, hex, &err), PT_OK);
	snprintf(want, sizeof(want), "%s/rel.db", here);
	ck_assert_str_eq(written, want);
	free(written);
	/* a relative directory: a dated file inside it, named absolutely */
	ck_assert_int_eq(mkdir("sub", 0700), 0);
	ck_assert_int_eq(store_backup(st, "sub", &written, &bytes, hex, &err), PT_OK);
	snprintf(want, sizeof(want), "%s/sub/passtore-", here);
	ck_assert_msg(strncmp(written, want, strlen(want)) == 0, "written: %s", written);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(store_open(written, TEST_PASS, strlen(TEST_PASS), &copy, &err), PT_OK);
	store_close(&copy);
	free(written);
	ck_assert_int_eq(chdir(old), 0);
	store_close(&st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, create_reopen_keeps_data);
	tcase_add_test(tc, create_refuses_existing_file);
	tcase_add_test(tc, header_carries_magic_and_params);
	tcase_add_test(tc, wrong_passphrase_is_locked_and_writes_nothing);
	tcase_add_test(tc, foreign_files_are_not_stores);
	tcase_add_test(tc, a_fifo_is_refused_not_waited_on);
	tcase_add_test(tc, damaged_page_is_reported);
	tcase_add_test(tc, transaction_rolls_back);
	tcase_add_test(tc, cached_statements_serve_many_uses);
	tcase_add_test(tc, rekey_changes_passphrase_and_params);
	tcase_add_test(tc, rekey_handle_still_writes);
	tcase_add_test(tc, backup_is_verified_copy);
	tcase_add_test(tc, backup_to_a_relative_name_records_an_absolute_path);
	tcase_add_test(tc, newer_schema_is_refused);
	tcase_add_test(tc, migration_11_seals_existing_rows);
	tcase_add_test(tc, migration_13_seals_existing_keys);
	tcase_add_test(tc, pages_are_4k_and_stay_so);
	tcase_add_test(tc, an_older_format_is_refused_by_name);
	tcase_add_test(tc, default_path_follows_environment);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

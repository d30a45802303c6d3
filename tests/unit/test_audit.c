/* test_audit.c - the chain holds, and every kind of edit breaks it. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <check.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/lib.h"
#include "testutil.h"

static struct store *
store_with_rows(int n)
{
	struct store *st = new_store();

	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(audit_appendf(st, "test.row", "object", NULL, "n=%d", i), PT_OK);
	ck_assert_int_eq(store_commit(st, NULL), PT_OK);
	return st;
}

static void
expect_broken(struct store *st, int64_t want_bad, const char *why)
{
	struct pt_err err = { 0 };
	int64_t bad = -1, rows = 0;

	ck_assert_int_eq(audit_verify(st, &bad, &rows, &err), PT_BROKEN_CHAIN);
	ck_assert_int_eq(bad, want_bad);
	ck_assert_msg(strstr(err.detail, why) != NULL, "detail: %s", err.detail);
}

START_TEST(intact_chain_verifies)
{
	struct store *st = store_with_rows(5);
	int64_t bad = -1, rows = 0;

	ck_assert_int_eq(audit_verify(st, &bad, &rows, NULL), PT_OK);
	ck_assert_int_eq(rows, 5);
	ck_assert_int_eq(bad, 0);
	store_close(&st);
}
END_TEST

START_TEST(append_needs_a_transaction)
{
	struct store *st = new_store();
	struct pt_err err = { 0 };

	ck_assert_int_eq(audit_append(st, "x", "y", "", &err), PT_ERR);
	ck_assert_ptr_nonnull(strstr(err.detail, "outside a transaction"));
	store_close(&st);
}
END_TEST

START_TEST(edited_detail_is_found)
{
	struct store *st = store_with_rows(5);

	ck_assert_int_eq(store_exec(st, "UPDATE audit SET detail = 'n=99' WHERE id = 3", NULL),
	                 PT_OK);
	expect_broken(st, 3, "audit row 3 does not chain");
	store_close(&st);
}
END_TEST

/* The attacker's own hash of a row, computed as audit.c documents it:
 * SHA-256 over "id US ts US actor US action US object US detail US
 * prev_hash" (US the ASCII unit separator), lower-case hex.  Written out
 * here on purpose, so that the test is the attack and not a call into
 * the code under test. */
static void
attacker_hash(sqlite3_int64 id, sqlite3_int64 ts, const char *actor, const char *action,
              const char *object, const char *detail, const char *prev, char out[65])
{
	unsigned char dig[32];
	char *text = NULL;
	int n = asprintf(&text, "%lld\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", (long long)id,
	                 (long long)ts, actor, action, object, detail, prev);

	ck_assert_int_ge(n, 0);
	ck_assert_int_eq(gnutls_hash_fast(GNUTLS_DIG_SHA256, text, (size_t)n, dig), 0);
	free(text);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", dig[i]);
}

static char *
column_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return strdup(t ? (const char *)t : "");
}

/* Rewrite row id's actor to "mallory" and give the row the hash it now
 * deserves; with relink, the row links to whatever hash the row before
 * it holds now (so a run of rewritten rows is self-consistent). */
static void
forge_row(struct store *st, sqlite3_int64 id, int relink)
{
	sqlite3_stmt *s = NULL;
	char *action, *object, *detail, *prev, *sql, hash[65];
	sqlite3_int64 ts;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st),
	                                    "SELECT ts, action, object, detail, prev_hash,"
	                                    " (SELECT hash FROM audit WHERE id = ?1 - 1)"
	                                    " FROM audit WHERE id = ?1",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	sqlite3_bind_int64(s, 1, id);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ts = sqlite3_column_int64(s, 0);
	action = column_text(s, 1);
	object = column_text(s, 2);
	detail = column_text(s, 3);
	prev = column_text(s, relink && sqlite3_column_type(s, 5) != SQLITE_NULL ? 5 : 4);
	sqlite3_finalize(s);
	attacker_hash(id, ts, "mallory", action, object, detail, prev, hash);
	ck_assert_int_ne(
		asprintf(&sql,
	                 "UPDATE audit SET actor = 'mallory', prev_hash = '%s', hash = '%s'"
	                 " WHERE id = %lld",
	                 prev, hash, (long long)id),
		-1);
	ck_assert_int_eq(store_exec(st, sql, NULL), PT_OK);
	free(sql);
	free(action);
	free(object);
	free(detail);
	free(prev);
}

/* The forged row is self-consistent: its own hash check passes, so what
 * finds it is the next row's link to the hash it used to have. */
START_TEST(rehashed_row_breaks_the_next_link)
{
	struct store *st = store_with_rows(5);

	forge_row(st, 3, 0);
	expect_broken(st, 4, "audit row 4 does not chain: its link to the previous row is wrong");
	store_close(&st);
}
END_TEST

/* The newest row has no next row to betray it: the chain's end kept in
 * the meta table (hash and count) does. */
START_TEST(rehashed_last_row_breaks_the_kept_end)
{
	struct store *st = store_with_rows(5);

	forge_row(st, 5, 0);
	expect_broken(st, 6, "does not end where its recorded head says");
	store_close(&st);
}
END_TEST

/* Rewriting every row from the edit to the end, each relinked and
 * rehashed, leaves a chain that holds row by row: the kept end still
 * names the old last hash. */
START_TEST(rehashed_tail_breaks_the_kept_end)
{
	struct store *st = store_with_rows(5);

	for (sqlite3_int64 id = 3; id <= 5; id++)
		forge_row(st, id, 1);
	expect_broken(st, 6, "does not end where its recorded head says");
	store_close(&st);
}
END_TEST

/* Same tail forgery seen by a fresh handle (nothing kept in memory). */
START_TEST(rehashed_tail_is_found_after_reopen)
{
	struct store *st = store_with_rows(5);

	for (sqlite3_int64 id = 2; id <= 5; id++)
		forge_row(st, id, 1);
	store_close(&st);
	st = reopen();
	expect_broken(st, 6, "rows at its end are missing or were replaced");
	store_close(&st);
}
END_TEST

START_TEST(deleted_row_is_found)
{
	struct store *st = store_with_rows(5);

	ck_assert_int_eq(store_exec(st, "DELETE FROM audit WHERE id = 2", NULL), PT_OK);
	expect_broken(st, 3, "missing");
	store_close(&st);
}
END_TEST

START_TEST(truncated_tail_is_found)
{
	struct store *st = store_with_rows(5);

	ck_assert_int_eq(store_exec(st, "DELETE FROM audit WHERE id = 5", NULL), PT_OK);
	expect_broken(st, 5, "rows at its end are missing");
	store_close(&st);
}
END_TEST

START_TEST(chain_survives_reopen)
{
	struct store *st = store_with_rows(3);
	int64_t bad, rows;

	store_close(&st);
	st = reopen();
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	ck_assert_int_eq(audit_append(st, "more", "o", "d", NULL), PT_OK);
	ck_assert_int_eq(store_commit(st, NULL), PT_OK);
	ck_assert_int_eq(audit_verify(st, &bad, &rows, NULL), PT_OK);
	ck_assert_int_eq(rows, 4);
	store_close(&st);
}
END_TEST

START_TEST(rolled_back_change_leaves_no_row)
{
	struct store *st = store_with_rows(2);
	int64_t bad, rows;

	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	ck_assert_int_eq(audit_append(st, "undone", "o", "", NULL), PT_OK);
	store_rollback(st);
	ck_assert_int_eq(audit_verify(st, &bad, &rows, NULL), PT_OK);
	ck_assert_int_eq(rows, 2);
	store_close(&st);
}
END_TEST

/* The chain's end is kept in memory during a transaction: a rollback
 * must forget it, or the next transaction would link to rows that were
 * never committed and reuse their ids. */
START_TEST(rollback_then_commit_still_chains)
{
	struct store *st = store_with_rows(3);
	struct pt_err err = { 0 };
	int64_t bad = -1, rows = 0;

	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(audit_appendf(st, "undone", "o", NULL, "i=%d", i), PT_OK);
	/* inside the transaction the chain ends at its last append */
	ck_assert_msg(audit_verify(st, &bad, &rows, &err) == PT_OK, "%s", err.detail);
	ck_assert_int_eq(rows, 7);
	store_rollback(st);
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	ck_assert_int_eq(audit_append(st, "kept", "o", "1", NULL), PT_OK);
	ck_assert_int_eq(audit_append(st, "kept", "o", "2", NULL), PT_OK);
	ck_assert_int_eq(store_commit(st, NULL), PT_OK);
	ck_assert_msg(audit_verify(st, &bad, &rows, &err) == PT_OK, "%s", err.detail);
	ck_assert_int_eq(rows, 5);
	store_close(&st);
	/* and the head written at commit is what a fresh handle finds */
	st = reopen();
	ck_assert_msg(audit_verify(st, &bad, &rows, &err) == PT_OK, "%s", err.detail);
	ck_assert_int_eq(rows, 5);
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	ck_assert_int_eq(audit_append(st, "more", "o", "", NULL), PT_OK);
	ck_assert_int_eq(store_commit(st, NULL), PT_OK);
	ck_assert_int_eq(audit_verify(st, &bad, &rows, NULL), PT_OK);
	ck_assert_int_eq(rows, 6);
	store_close(&st);
}
END_TEST

/* Two transactions on one handle, both committed: the second starts from
 * the store, not from what the first left in memory. */
START_TEST(next_transaction_reads_the_head_again)
{
	struct store *st = store_with_rows(3);

	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	ck_assert_int_eq(audit_append(st, "a", "o", "", NULL), PT_OK);
	ck_assert_int_eq(store_commit(st, NULL), PT_OK);
	/* an edit from outside between two transactions */
	ck_assert_int_eq(store_exec(st, "UPDATE meta SET value = 'x' WHERE key = 'audit.head'",
	                            NULL),
	                 PT_OK);
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	ck_assert_int_eq(audit_append(st, "b", "o", "", NULL), PT_OK);
	ck_assert_int_eq(store_commit(st, NULL), PT_OK);
	/* row 5 links to the forged head the store held, not the true row 4 */
	expect_broken(st, 5, "its link to the previous row is wrong");
	store_close(&st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, intact_chain_verifies);
	tcase_add_test(tc, append_needs_a_transaction);
	tcase_add_test(tc, edited_detail_is_found);
	tcase_add_test(tc, rehashed_row_breaks_the_next_link);
	tcase_add_test(tc, rehashed_last_row_breaks_the_kept_end);
	tcase_add_test(tc, rehashed_tail_breaks_the_kept_end);
	tcase_add_test(tc, rehashed_tail_is_found_after_reopen);
	tcase_add_test(tc, deleted_row_is_found);
	tcase_add_test(tc, truncated_tail_is_found);
	tcase_add_test(tc, chain_survives_reopen);
	tcase_add_test(tc, rolled_back_change_leaves_no_row);
	tcase_add_test(tc, rollback_then_commit_still_chains);
	tcase_add_test(tc, next_transaction_reads_the_head_again);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

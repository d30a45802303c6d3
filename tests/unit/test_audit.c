/* test_audit.c - the chain holds, and every kind of edit breaks it. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <check.h>
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

	ck_assert_int_eq(store_exec(st, "UPDATE audit SET detail = 'n=99' WHERE id = 3", NULL), PT_OK);
	expect_broken(st, 3, "audit row 3 does not chain");
	store_close(&st);
}
END_TEST

START_TEST(rehashed_row_breaks_the_next_link)
{
	struct store *st = store_with_rows(5);

	/* an attacker who rewrites a row and its own hash still breaks row 4 */
	ck_assert_int_eq(store_exec(st, "UPDATE audit SET actor = 'mallory', hash = "
	                                "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"
	                                " WHERE id = 3", NULL), PT_OK);
	expect_broken(st, 3, "does not match its hash");
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
	ck_assert_int_eq(store_exec(st, "UPDATE meta SET value = 'x' WHERE key = 'audit.head'", NULL),
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
	tcase_add_test(tc, deleted_row_is_found);
	tcase_add_test(tc, truncated_tail_is_found);
	tcase_add_test(tc, chain_survives_reopen);
	tcase_add_test(tc, rolled_back_change_leaves_no_row);
	tcase_add_test(tc, rollback_then_commit_still_chains);
	tcase_add_test(tc, next_transaction_reads_the_head_again);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

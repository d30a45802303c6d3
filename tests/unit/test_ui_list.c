/* test_ui_list.c - the console's list model without a terminal: paging,
 * filtering, sorting, and that a 100k-row list stays cheap (only the
 * visible window is copied; the source's order keeps no index). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"

/* A synthetic source: row i is "host%05d.example.org", "10.0.x.y",
 * group "ces" / "ses" / "wns" by i % 3, and a number column. */
struct synth {
	size_t n;
	unsigned long rows_streamed;
};

static int
synth_each(void *ctx, ui_row_cb cb, void *ud)
{
	struct synth *s = ctx;
	static const char *const groups[] = { "ces", "ses", "wns" };
	char name[64], ip[32], num[16];

	for (size_t i = 0; i < s->n; i++) {
		struct ui_row r = { .id = (int64_t)i + 1 };
		snprintf(name, sizeof name, "host%05zu.example.org", i);
		snprintf(ip, sizeof ip, "10.0.%zu.%zu", i / 256 % 256, i % 256);
		snprintf(num, sizeof num, "%zu", (i * 7919) % 1000);
		r.col[0] = name;
		r.col[1] = ip;
		r.col[2] = groups[i % 3];
		r.col[3] = num;
		s->rows_streamed++;
		if (cb(&r, ud))
			return 0;
	}
	return 0;
}

static struct ui_list *
make(struct synth *s, size_t n, size_t height)
{
	struct ui_list_source src = { 4, synth_each, s };
	struct ui_list *l;

	s->n = n;
	s->rows_streamed = 0;
	l = ui_list_new(&src);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(ui_list_refresh(l), 0);
	ui_list_set_height(l, height);
	return l;
}

START_TEST(test_paging)
{
	struct synth s;
	struct ui_list *l = make(&s, 50, 10);

	ck_assert_uint_eq(l->count, 50);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host00000.example.org");
	ui_list_move(l, 3);
	ck_assert_uint_eq(l->sel, 3);
	ck_assert_uint_eq(l->top, 0);
	ui_list_page(l, 1);
	ck_assert_uint_eq(l->top, 10);
	ck_assert_uint_eq(l->sel, 13);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host00013.example.org");
	ui_list_end(l);
	ck_assert_uint_eq(l->sel, 49);
	ck_assert_uint_eq(l->top, 40);
	ck_assert_ptr_null(ui_list_row(l, 50));
	ui_list_page(l, 1); /* past the end stays on the last page */
	ck_assert_uint_eq(l->sel, 49);
	ui_list_move(l, -100);
	ck_assert_uint_eq(l->sel, 0);
	ck_assert_uint_eq(l->top, 0);
	ui_list_page(l, -1);
	ck_assert_uint_eq(l->sel, 0);
	ui_list_free(&l);
	ck_assert_ptr_null(l);
}
END_TEST

START_TEST(test_short_list)
{
	struct synth s;
	struct ui_list *l = make(&s, 3, 10);

	ui_list_page(l, 1);
	ck_assert_uint_eq(l->top, 0);
	ck_assert_uint_eq(l->sel, 2);
	ui_list_free(&l);
	l = make(&s, 0, 10);
	ck_assert_uint_eq(l->count, 0);
	ck_assert_ptr_null(ui_list_selected(l));
	ui_list_move(l, 1);
	ui_list_end(l);
	ck_assert_uint_eq(l->sel, 0);
	ui_list_free(&l);
}
END_TEST

START_TEST(test_filter)
{
	struct synth s;
	struct ui_list *l = make(&s, 300, 10);

	ck_assert_int_eq(ui_list_set_filter(l, "SES"), 0); /* any column, any case */
	ck_assert_uint_eq(l->count, 100);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host00001.example.org");
	ui_list_move(l, 1);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host00004.example.org");
	ck_assert_int_eq(ui_list_set_filter(l, "host0029"), 0);
	ck_assert_uint_eq(l->count, 10);
	ck_assert_uint_eq(l->sel, 0);
	ck_assert_int_eq(ui_list_set_filter(l, "nothing-like-this"), 0);
	ck_assert_uint_eq(l->count, 0);
	ck_assert_ptr_null(ui_list_selected(l));
	ck_assert_int_eq(ui_list_set_filter(l, ""), 0);
	ck_assert_uint_eq(l->count, 300);
	ck_assert_ptr_null(l->filter);
	ui_list_free(&l);
}
END_TEST

START_TEST(test_sort)
{
	struct synth s;
	struct ui_list *l = make(&s, 1000, 5);

	ck_assert_int_eq(ui_list_set_sort(l, 3, false), 0); /* numbers as numbers */
	long prev = -1;
	for (size_t i = 0; i < 5; i++) {
		long v = atol(ui_list_row(l, i)->col[3]);
		ck_assert_int_ge(v, prev);
		prev = v;
	}
	ck_assert_str_eq(ui_list_row(l, 0)->col[3], "0");
	ui_list_end(l);
	ck_assert_str_eq(ui_list_selected(l)->col[3], "999");
	ck_assert_int_eq(ui_list_set_sort(l, 0, true), 0);
	ui_list_home(l);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host00999.example.org");
	/* sort and filter together */
	ck_assert_int_eq(ui_list_set_filter(l, "wns"), 0);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host00998.example.org");
	ck_assert_uint_eq(l->count, 333);
	ck_assert_int_eq(ui_list_set_sort(l, -1, false), 0);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host00002.example.org");
	ck_assert_ptr_null(l->index);
	ui_list_free(&l);
}
END_TEST

START_TEST(test_big_list_is_cheap)
{
	struct synth s;
	struct ui_list *l = make(&s, 100000, 22);

	ck_assert_uint_eq(l->count, 100000);
	ck_assert_ptr_null(l->index); /* the source's order keeps nothing per row */
	ui_list_row(l, 0);
	ck_assert_uint_eq(l->copied, 22);
	/* a page down copies one page and stops streaming after it */
	s.rows_streamed = 0;
	ui_list_page(l, 1);
	ck_assert_ptr_nonnull(ui_list_selected(l));
	ck_assert_uint_eq(l->copied, 44);
	ck_assert_uint_le(s.rows_streamed, 44);
	/* moving inside the window copies nothing */
	ui_list_move(l, 1);
	ui_list_selected(l);
	ck_assert_uint_eq(l->copied, 44);
	ui_list_end(l);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host99999.example.org");
	ck_assert_uint_eq(l->nwin, 22);
	ui_list_free(&l);
}
END_TEST

START_TEST(test_refresh_keeps_place)
{
	struct synth s;
	struct ui_list *l = make(&s, 100, 10);

	ui_list_move(l, 42);
	s.n = 30; /* rows vanished behind the model's back */
	ck_assert_int_eq(ui_list_refresh(l), 0);
	ck_assert_uint_eq(l->sel, 29);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host00029.example.org");
	ui_list_free(&l);
}
END_TEST

static int
fail_each(void *ctx, ui_row_cb cb, void *ud)
{
	(void)ctx;
	(void)cb;
	(void)ud;
	return -1;
}

START_TEST(test_failing_source)
{
	struct ui_list_source src = { 2, fail_each, NULL };
	struct ui_list *l = ui_list_new(&src);

	ck_assert_int_eq(ui_list_refresh(l), -1);
	ck_assert_int_eq(l->error, 1);
	ck_assert_uint_eq(l->count, 0);
	ck_assert_ptr_null(ui_list_selected(l));
	ui_list_free(&l);
}
END_TEST

START_TEST(test_row_matches)
{
	struct ui_row r = { 1, { "root@ce01.example.org:ssh", "3" } };

	ck_assert(ui_row_matches(&r, 2, NULL));
	ck_assert(ui_row_matches(&r, 2, "CE01"));
	ck_assert(ui_row_matches(&r, 2, "3"));
	ck_assert(!ui_row_matches(&r, 1, "3"));
	ck_assert(!ui_row_matches(&r, 2, "se01"));
}
END_TEST

static Suite *
list_suite(void)
{
	Suite *s = suite_create("ui_list");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_paging);
	tcase_add_test(tc, test_short_list);
	tcase_add_test(tc, test_filter);
	tcase_add_test(tc, test_sort);
	tcase_add_test(tc, test_big_list_is_cheap);
	tcase_add_test(tc, test_refresh_keeps_place);
	tcase_add_test(tc, test_failing_source);
	tcase_add_test(tc, test_row_matches);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(list_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

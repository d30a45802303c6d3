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
	size_t first; /* the first row of the last pass */
	size_t limit; /* the last pass's limit */
};

static int
synth_from(struct synth *s, size_t from, size_t limit, ui_row_cb cb, void *ud)
{
	static const char *const groups[] = { "ces", "ses", "wns" };
	char name[64], ip[32], num[16];

	s->first = from;
	s->limit = limit;
	for (size_t i = from; i < s->n && (limit == 0 || i - from < limit); i++) {
		struct ui_row r = { .id = (int64_t)i + 1 };
		snprintf(name, sizeof name, "host%05zu.example.org", i);
		snprintf(ip, sizeof ip, "10.0.%zu.%zu", i / 256 % 256, i % 256);
		snprintf(num, sizeof num, "%zu", (i * 7919) % 1000);
		r.col[0] = name;
		r.col[1] = ip;
		r.col[2] = groups[i % 3];
		r.col[3] = num;
		r.key = name; /* names sort in the source's order */
		s->rows_streamed++;
		if (cb(&r, ud))
			return 0;
	}
	return 0;
}

static int
synth_each(void *ctx, ui_row_cb cb, void *ud)
{
	return synth_from(ctx, 0, 0, cb, ud);
}

/* The seeking source: starts after the named row; ignores the filter,
 * which a source may (the model filters again). */
static int
synth_after(void *ctx, const char *after, const char *filter, size_t limit, ui_row_cb cb, void *ud)
{
	size_t from = 0;

	(void)filter;
	if (after) {
		ck_assert(strncmp(after, "host", 4) == 0);
		from = (size_t)atol(after + 4) + 1;
	}
	return synth_from(ctx, from, limit, cb, ud);
}

static struct ui_list *
make_src(struct synth *s, size_t n, size_t height, bool paged)
{
	struct ui_list_source src = { .ncols = 4,
		                      .each = paged ? NULL : synth_each,
		                      .ctx = s,
		                      .each_after = paged ? synth_after : NULL };
	struct ui_list *l;

	s->n = n;
	s->rows_streamed = 0;
	l = ui_list_new(&src);
	ck_assert_ptr_nonnull(l);
	ui_list_set_height(l, height);
	ck_assert_int_eq(ui_list_refresh(l), 0);
	return l;
}

static struct ui_list *
make(struct synth *s, size_t n, size_t height)
{
	return make_src(s, n, height, false);
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

/* A seeking source: a page deep in the list is read from the nearest
 * checkpoint, not from the first row. */
START_TEST(test_paged_deep)
{
	struct synth s;
	struct ui_list *l = make_src(&s, 100000, 22, true);
	unsigned long passes, copied;

	ck_assert_uint_eq(l->count, 100000);
	ck_assert_ptr_null(l->index);
	ck_assert_uint_le(l->ncp, UI_LIST_MAXCP);
	ck_assert_uint_gt(l->ncp, 0);
	/* End: one pass, one page copied, no more than a step read */
	passes = l->passes;
	copied = l->copied;
	s.rows_streamed = 0;
	ui_list_end(l);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host99999.example.org");
	ck_assert_uint_eq(l->passes, passes + 1);
	ck_assert_uint_eq(l->copied, copied + 22);
	ck_assert_uint_gt(s.first, 99000);
	ck_assert_uint_le(s.rows_streamed, l->cpstep + 22);
	ck_assert_uint_ne(s.limit, 0);
	/* page up from there */
	s.rows_streamed = 0;
	ui_list_page(l, -1);
	ck_assert_str_eq(ui_list_row(l, l->top)->col[0], "host99956.example.org");
	ck_assert_uint_le(s.rows_streamed, l->cpstep + 22);
	ck_assert_uint_gt(s.first, 99000);
	/* to the middle, then page down: continues after the screen's rows */
	ui_list_home(l);
	ui_list_move(l, 50000);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host50000.example.org");
	s.rows_streamed = 0;
	ui_list_page(l, 1);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host50022.example.org");
	ck_assert_uint_eq(s.first, l->top);
	ck_assert_uint_eq(s.rows_streamed, 22);
	/* a filter: one counting pass, then the window from a checkpoint */
	ck_assert_int_eq(ui_list_set_filter(l, "wns"), 0);
	ck_assert_uint_eq(l->count, 33333);
	ui_list_end(l);
	s.rows_streamed = 0;
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host99998.example.org");
	ck_assert_uint_le(s.rows_streamed, 3 * (l->cpstep + 22));
	ck_assert_uint_eq(s.limit, 0); /* filtered: no limit */
	ui_list_free(&l);
}
END_TEST

/* The checkpoints stay bounded however long the list is. */
START_TEST(test_paged_bounded)
{
	struct synth s;
	struct ui_list *l = make_src(&s, 300000, 22, true);

	ck_assert_uint_le(l->ncp, UI_LIST_MAXCP);
	ck_assert_uint_gt(l->cpstep, UI_LIST_CPSTEP);
	ck_assert_uint_ge(l->ncp * l->cpstep + l->cpstep, 300000);
	ui_list_move(l, 123456);
	s.rows_streamed = 0;
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host123456.example.org");
	ck_assert_uint_le(s.rows_streamed, l->cpstep + 22);
	ui_list_free(&l);
}
END_TEST

static void
assert_same(struct ui_list *a, struct ui_list *b)
{
	ck_assert_uint_eq(a->count, b->count);
	ck_assert_uint_eq(a->sel, b->sel);
	ck_assert_uint_eq(a->top, b->top);
	for (size_t i = a->top; i < a->top + a->height; i++) {
		const struct ui_row *x = ui_list_row(a, i), *y = ui_list_row(b, i);
		if (!x || !y) {
			ck_assert_ptr_eq(x, y);
			continue;
		}
		ck_assert_int_eq(x->id, y->id);
		for (int c = 0; c < 4; c++)
			ck_assert_str_eq(x->col[c], y->col[c]);
	}
}

/* Seeking gives exactly what streaming from the first row gives. */
START_TEST(test_paged_same_as_unpaged)
{
	struct synth sa, sb;
	struct ui_list *a = make_src(&sa, 5000, 17, true), *b = make_src(&sb, 5000, 17, false);
	static const char *const filters[] = { NULL, "ses", "host01", "9", "nothing" };

	for (size_t f = 0; f < sizeof filters / sizeof *filters; f++) {
		ck_assert_int_eq(ui_list_set_filter(a, filters[f]), 0);
		ck_assert_int_eq(ui_list_set_filter(b, filters[f]), 0);
		for (int sc = -1; sc < 4; sc += 4) { /* the source's order, then sorted */
			ck_assert_int_eq(ui_list_set_sort(a, sc, sc >= 0), 0);
			ck_assert_int_eq(ui_list_set_sort(b, sc, sc >= 0), 0);
			assert_same(a, b);
			for (int i = 0; i < 5; i++) {
				ui_list_page(a, 1);
				ui_list_page(b, 1);
				assert_same(a, b);
			}
			ui_list_move(a, 3);
			ui_list_move(b, 3);
			assert_same(a, b);
			ui_list_end(a);
			ui_list_end(b);
			assert_same(a, b);
			ui_list_page(a, -2);
			ui_list_page(b, -2);
			assert_same(a, b);
			ui_list_move(a, -1000);
			ui_list_move(b, -1000);
			assert_same(a, b);
			ui_list_home(a);
			ui_list_home(b);
			assert_same(a, b);
		}
	}
	/* sorted, the seeking source stays correct too (streamed from the start) */
	ck_assert_int_eq(ui_list_set_filter(a, NULL), 0);
	ck_assert_int_eq(ui_list_set_filter(b, NULL), 0);
	ck_assert_int_eq(ui_list_set_sort(a, 3, false), 0);
	ck_assert_int_eq(ui_list_set_sort(b, 3, false), 0);
	ui_list_end(a);
	ui_list_end(b);
	assert_same(a, b);
	ui_list_free(&a);
	ui_list_free(&b);
}
END_TEST

/* ---- a source that filters and counts by itself (list.h: count) ---- */

struct self_filter {
	const char *filter;
	ui_row_cb cb;
	void *ud;
	size_t limit, given;
	struct synth *s;
};

static int
self_cb(const struct ui_row *r, void *ud)
{
	struct self_filter *f = ud;

	if (!ui_row_matches(r, 4, f->filter))
		return 0;
	if (f->cb && f->cb(r, f->ud))
		return 1;
	f->given++;
	return f->limit && f->given >= f->limit;
}

/* Like synth_after, but only the matching rows, and limit honoured. */
static int
self_after(void *ctx, const char *after, const char *filter, size_t limit, ui_row_cb cb, void *ud)
{
	struct self_filter f = { filter, cb, ud, limit, 0, ctx };
	int rc = synth_after(ctx, after, NULL, 0, self_cb, &f);

	f.s->limit = limit;
	return rc;
}

struct one_row {
	const char *filter;
	ui_row_cb cb;
	void *ud;
	bool matched, stop;
};

static int
one_cb(const struct ui_row *r, void *ud)
{
	struct one_row *o = ud;

	if ((o->matched = ui_row_matches(r, 4, o->filter)))
		o->stop = o->cb(r, o->ud) != 0;
	return 1;
}

/* Backward: row by row before the key, nearest first (the rows it reads
 * count in rows_streamed, as synth_from's). */
static int
self_before(void *ctx, const char *before, const char *filter, size_t limit, ui_row_cb cb, void *ud)
{
	struct synth *s = ctx;
	size_t from = before ? (size_t)atol(before + 4) : s->n, given = 0;

	while (from-- > 0) {
		struct one_row o = { filter, cb, ud, false, false };
		synth_from(s, from, 1, one_cb, &o);
		if (o.stop)
			break;
		if (o.matched && limit && ++given >= limit)
			break;
	}
	s->limit = limit;
	return 0;
}

/* Counting is the source's: the model is told how many, reading no row. */
static unsigned long self_counts;

static int
self_count(void *ctx, const char *filter, size_t *n)
{
	struct synth *s = ctx;
	size_t c = 0;
	char name[64], ip[32], num[16];
	static const char *const groups[] = { "ces", "ses", "wns" };

	self_counts++;
	for (size_t i = 0; i < s->n; i++) {
		struct ui_row r = { .id = (int64_t)i + 1 };
		snprintf(name, sizeof name, "host%05zu.example.org", i);
		snprintf(ip, sizeof ip, "10.0.%zu.%zu", i / 256 % 256, i % 256);
		snprintf(num, sizeof num, "%zu", (i * 7919) % 1000);
		r.col[0] = name;
		r.col[1] = ip;
		r.col[2] = groups[i % 3];
		r.col[3] = num;
		c += ui_row_matches(&r, 4, filter);
	}
	*n = c;
	return 0;
}

static struct ui_list *
make_self(struct synth *s, size_t n, size_t height)
{
	struct ui_list_source src = { .ncols = 4,
		                      .ctx = s,
		                      .each_after = self_after,
		                      .count = self_count,
		                      .each_before = self_before };
	struct ui_list *l;

	s->n = n;
	s->rows_streamed = 0;
	l = ui_list_new(&src);
	ck_assert_ptr_nonnull(l);
	ui_list_set_height(l, height);
	ck_assert_int_eq(ui_list_refresh(l), 0);
	return l;
}

/* The same rows and counts as the model's own filtering, whatever moves. */
START_TEST(test_self_counting_same)
{
	struct synth sa, sb;
	struct ui_list *a = make_self(&sa, 5000, 17), *b = make_src(&sb, 5000, 17, false);
	static const char *const filters[] = { NULL, "ses", "host01", "9", "nothing", "10.0.1." };

	for (size_t f = 0; f < sizeof filters / sizeof *filters; f++) {
		ck_assert_int_eq(ui_list_set_filter(a, filters[f]), 0);
		ck_assert_int_eq(ui_list_set_filter(b, filters[f]), 0);
		ck_assert_uint_eq(a->count, b->count);
		assert_same(a, b);
		for (int i = 0; i < 5; i++) {
			ui_list_page(a, 1);
			ui_list_page(b, 1);
			assert_same(a, b);
		}
		ui_list_end(a);
		ui_list_end(b);
		assert_same(a, b);
		for (int i = 0; i < 3; i++) {
			ui_list_page(a, -1);
			ui_list_page(b, -1);
			assert_same(a, b);
		}
		ui_list_move(a, -7);
		ui_list_move(b, -7);
		assert_same(a, b);
		ui_list_home(a);
		ui_list_home(b);
		assert_same(a, b);
		/* sorted: the model counts and sorts itself, still the same */
		ck_assert_int_eq(ui_list_set_sort(a, 3, true), 0);
		ck_assert_int_eq(ui_list_set_sort(b, 3, true), 0);
		ui_list_page(a, 2);
		ui_list_page(b, 2);
		assert_same(a, b);
		ck_assert_int_eq(ui_list_set_sort(a, -1, false), 0);
		ck_assert_int_eq(ui_list_set_sort(b, -1, false), 0);
	}
	ui_list_free(&a);
	ui_list_free(&b);
}
END_TEST

/* Opening, a filter, End and page-up read a page each, not the list. */
START_TEST(test_self_counting_cheap)
{
	struct synth s;
	unsigned long counts = self_counts;
	struct ui_list *l = make_self(&s, 100000, 22);

	ck_assert_uint_eq(l->count, 100000);
	ck_assert_uint_eq(self_counts, counts + 1);
	ck_assert_uint_eq(s.rows_streamed, 0); /* counted by the source */
	ck_assert_str_eq(ui_list_row(l, 0)->col[0], "host00000.example.org");
	ck_assert_uint_le(s.rows_streamed, 22);
	s.rows_streamed = 0;
	ui_list_end(l);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host99999.example.org");
	ck_assert_str_eq(ui_list_row(l, l->top)->col[0], "host99978.example.org");
	ck_assert_uint_le(s.rows_streamed, 22);
	s.rows_streamed = 0;
	ui_list_page(l, -1);
	ck_assert_str_eq(ui_list_row(l, l->top)->col[0], "host99956.example.org");
	ck_assert_uint_le(s.rows_streamed, 22);
	/* a filter: counted by the source, first page read with a limit */
	s.rows_streamed = 0;
	ck_assert_int_eq(ui_list_set_filter(l, "wns"), 0);
	ck_assert_uint_eq(l->count, 33333);
	ck_assert_str_eq(ui_list_row(l, 0)->col[0], "host00002.example.org");
	ck_assert_uint_le(s.rows_streamed, 3 * 22);
	ck_assert_uint_eq(s.limit, 22);
	/* the deep end of the filtered list: read backward, a page */
	s.rows_streamed = 0;
	ui_list_end(l);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host99998.example.org");
	ck_assert_uint_le(s.rows_streamed, 3 * 22);
	/* counted again deep in the list (the screen entered again): the
	 * same rows, read from where they are, not from the start */
	ck_assert_int_eq(ui_list_set_filter(l, NULL), 0);
	ui_list_move(l, 50000);
	ck_assert_str_eq(ui_list_row(l, l->top)->col[0], "host49979.example.org");
	s.rows_streamed = 0;
	ck_assert_int_eq(ui_list_refresh(l), 0);
	ck_assert_str_eq(ui_list_row(l, l->top)->col[0], "host49979.example.org");
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host50000.example.org");
	ck_assert_uint_le(s.rows_streamed, 2 * 22);
	ui_list_free(&l);
}
END_TEST

/* A filter reads the source once: its counting pass also copies the
 * first page; a refresh keeps the place without a second pass either. */
START_TEST(test_filter_one_pass)
{
	struct synth s;
	struct ui_list *l = make_src(&s, 10000, 22, true);
	unsigned long passes = l->passes;

	ck_assert_int_eq(ui_list_set_filter(l, "host0099"), 0);
	ck_assert_uint_eq(l->count, 10);
	for (size_t i = 0; i < 10; i++) {
		char want[32];
		snprintf(want, sizeof want, "host0099%zu.example.org", i);
		ck_assert_str_eq(ui_list_row(l, i)->col[0], want);
	}
	ck_assert_ptr_null(ui_list_row(l, 10));
	ck_assert_uint_eq(l->passes, passes + 1);
	ck_assert_int_eq(ui_list_set_filter(l, NULL), 0);
	ui_list_move(l, 5000);
	ui_list_selected(l);
	passes = l->passes;
	ck_assert_int_eq(ui_list_refresh(l), 0);
	ck_assert_str_eq(ui_list_selected(l)->col[0], "host05000.example.org");
	ck_assert_uint_eq(l->passes, passes + 1);
	ui_list_free(&l);
}
END_TEST

/* A redraw (the same height again) keeps the window: nothing is read. */
START_TEST(test_redraw_reads_nothing)
{
	struct synth s;
	struct ui_list *l = make_src(&s, 1000, 22, true);
	unsigned long passes;

	ui_list_row(l, 0);
	passes = l->passes;
	ui_list_set_height(l, 22);
	ui_list_row(l, 0);
	ck_assert_uint_eq(l->passes, passes);
	ui_list_set_height(l, 10);
	ui_list_row(l, 0);
	ck_assert_uint_eq(l->passes, passes + 1);
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
	struct ui_list_source src = { .ncols = 2, .each = fail_each };
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
	struct ui_row r = { .id = 1, .col = { "root@ce01.example.org:ssh", "3" } };

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
	tcase_add_test(tc, test_paged_deep);
	tcase_add_test(tc, test_paged_bounded);
	tcase_add_test(tc, test_paged_same_as_unpaged);
	tcase_add_test(tc, test_redraw_reads_nothing);
	tcase_add_test(tc, test_filter_one_pass);
	tcase_add_test(tc, test_refresh_keeps_place);
	tcase_add_test(tc, test_failing_source);
	tcase_add_test(tc, test_row_matches);
	tcase_add_test(tc, test_self_counting_same);
	tcase_add_test(tc, test_self_counting_cheap);
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

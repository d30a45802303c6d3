/* test_hostspec.c - host specification expansion and entry parsing.
 *
 * Error cases assert the whole message a user would read, column
 * included: the point of the messages is to say where the spec is wrong.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site/lib.h"

/* Expand spec and compare with the NULL-terminated list of names. */
static void
expect_names(const char *spec, ...)
{
	struct hostspec hs;
	struct pt_err err = { 0 };
	enum pt_status st = hostspec_expand(spec, &hs, &err);
	const char *want;
	size_t i = 0;
	va_list ap;

	ck_assert_msg(st == PT_OK, "%s: status %d: %s", spec, (int)st, err.detail);
	ck_assert_ptr_null(hs.group);
	va_start(ap, spec);
	while ((want = va_arg(ap, const char *)) != NULL) {
		ck_assert_msg(i < hs.n, "%s: only %zu names, wanted %s next", spec, hs.n, want);
		ck_assert_str_eq(hs.names[i], want);
		i++;
	}
	va_end(ap);
	ck_assert_msg(i == hs.n, "%s: %zu names, wanted %zu", spec, hs.n, i);
	hostspec_free(&hs);
	ck_assert_ptr_null(hs.names);
	ck_assert_uint_eq(hs.n, 0);
}

static void
expect_error(const char *spec, const char *detail)
{
	struct hostspec hs;
	struct pt_err err = { 0 };
	enum pt_status st = hostspec_expand(spec, &hs, &err);

	ck_assert_msg(st == PT_INVALID, "%s: status %d, wanted PT_INVALID", spec, (int)st);
	ck_assert_int_eq(err.status, PT_INVALID);
	ck_assert_str_eq(err.detail, detail);
	/* Failure leaves nothing to free. */
	ck_assert_ptr_null(hs.names);
	ck_assert_ptr_null(hs.group);
	ck_assert_uint_eq(hs.n, 0);
	hostspec_free(&hs);
}

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* ---- expansion ---- */

START_TEST(plain_names)
{
	expect_names("ce01.pd.infn.it", "ce01.pd.infn.it", NULL);
	expect_names("localhost", "localhost", NULL);
	expect_names("192.168.0.1", "192.168.0.1", NULL);
	expect_names("x-1.y", "x-1.y", NULL);
}
END_TEST

START_TEST(upper_case_folded)
{
	expect_names("CE01.PD.Infn.IT", "ce01.pd.infn.it", NULL);
	expect_names("{CE01,Se}.X", "ce01.x", "se.x", NULL);
}
END_TEST

START_TEST(ranges_padded)
{
	expect_names("wn[001-003].pd.infn.it", "wn001.pd.infn.it", "wn002.pd.infn.it",
	             "wn003.pd.infn.it", NULL);
	expect_names("wn[08-11]", "wn08", "wn09", "wn10", "wn11", NULL);
	expect_names("wn[098-101]", "wn098", "wn099", "wn100", "wn101", NULL);
	expect_names("wn[00-01]", "wn00", "wn01", NULL);
}
END_TEST

START_TEST(ranges_unpadded)
{
	expect_names("wn[1-3]", "wn1", "wn2", "wn3", NULL);
	expect_names("wn[8-11]", "wn8", "wn9", "wn10", "wn11", NULL);
	/* A lone 0 is not a leading zero. */
	expect_names("wn[0-2]", "wn0", "wn1", "wn2", NULL);
	/* Only the first bound decides the width. */
	expect_names("wn[9-010]", "wn9", "wn10", NULL);
	expect_names("wn[5-5]", "wn5", NULL);
	expect_names("wn[7]", "wn7", NULL);
}
END_TEST

START_TEST(range_lists)
{
	expect_names("wn[001-003,010].x", "wn001.x", "wn002.x", "wn003.x", "wn010.x", NULL);
	expect_names("wn[1,3,5-6]", "wn1", "wn3", "wn5", "wn6", NULL);
	expect_names("[1-2]wn", "1wn", "2wn", NULL);
	expect_names("wn[1-2].rack[3-4]", "wn1.rack3", "wn1.rack4", "wn2.rack3", "wn2.rack4", NULL);
}
END_TEST

START_TEST(braces_positions)
{
	expect_names("{ce01,ce02}.pd.infn.it", "ce01.pd.infn.it", "ce02.pd.infn.it", NULL);
	expect_names("ce{01,02}.pd.infn.it", "ce01.pd.infn.it", "ce02.pd.infn.it", NULL);
	expect_names("ce01.{pd,cnaf}.infn.it", "ce01.pd.infn.it", "ce01.cnaf.infn.it", NULL);
	expect_names("ce01.pd.infn.{it,eu}", "ce01.pd.infn.it", "ce01.pd.infn.eu", NULL);
	expect_names("{ce01.pd.infn.it,se.cnaf.infn.it}", "ce01.pd.infn.it", "se.cnaf.infn.it",
	             NULL);
	expect_names("{solo}.x", "solo.x", NULL);
}
END_TEST

START_TEST(combined_and_nested)
{
	/* Cartesian product, leftmost varying slowest, as the shell does. */
	expect_names("{ce,se}[1-2].x", "ce1.x", "ce2.x", "se1.x", "se2.x", NULL);
	expect_names("{a,b}{1,2}", "a1", "a2", "b1", "b2", NULL);
	expect_names("{ce{01,02},se}.x", "ce01.x", "ce02.x", "se.x", NULL);
	expect_names("{wn[1-2],ce}.x", "wn1.x", "wn2.x", "ce.x", NULL);
	expect_names("{a,{b,{c,d}}}", "a", "b", "c", "d", NULL);
	expect_names("{a,b}.{c,d}[1-2]", "a.c1", "a.c2", "a.d1", "a.d2", "b.c1", "b.c2", "b.d1",
	             "b.d2", NULL);
}
END_TEST

START_TEST(duplicates_removed)
{
	expect_names("{ce01,CE01,ce02,ce01}.x", "ce01.x", "ce02.x", NULL);
	expect_names("{b,a,b,c,a}", "b", "a", "c", NULL);
	expect_names("wn[1-3,2-4]", "wn1", "wn2", "wn3", "wn4", NULL);
	expect_names("wn[01-02,1-2]", "wn01", "wn02", "wn1", "wn2", NULL);
}
END_TEST

START_TEST(group)
{
	struct hostspec hs;
	struct pt_err err = { 0 };

	ck_assert_int_eq(hostspec_expand("@workers", &hs, &err), PT_OK);
	ck_assert_str_eq(hs.group, "workers");
	ck_assert_ptr_null(hs.names);
	ck_assert_uint_eq(hs.n, 0);
	hostspec_free(&hs);
	ck_assert_ptr_null(hs.group);

	/* Group names are kept as written: the caller resolves them. */
	ck_assert_int_eq(hostspec_expand("@Grid.Ops_1-b", &hs, &err), PT_OK);
	ck_assert_str_eq(hs.group, "Grid.Ops_1-b");
	hostspec_free(&hs);
	hostspec_free(NULL);
}
END_TEST

START_TEST(limits_at_edge_accepted)
{
	char *label = repeat('a', 63), *name = repeat('a', 253);
	struct hostspec hs;
	struct pt_err err = { 0 };

	expect_names(label, label, NULL);
	/* 253 bytes in labels of 63. */
	for (size_t i = 63; i < 253; i += 64)
		name[i] = '.';
	ck_assert_int_eq(hostspec_expand(name, &hs, &err), PT_OK);
	ck_assert_uint_eq(hs.n, 1);
	ck_assert_uint_eq(strlen(hs.names[0]), 253);
	hostspec_free(&hs);

	ck_assert_int_eq(hostspec_expand("wn[1-10000]", &hs, &err), PT_OK);
	ck_assert_uint_eq(hs.n, HOSTSPEC_MAX_HOSTS);
	ck_assert_str_eq(hs.names[0], "wn1");
	ck_assert_str_eq(hs.names[9999], "wn10000");
	hostspec_free(&hs);

	ck_assert_int_eq(hostspec_expand("n[1-100].r[1-100]", &hs, &err), PT_OK);
	ck_assert_uint_eq(hs.n, HOSTSPEC_MAX_HOSTS);
	ck_assert_str_eq(hs.names[101], "n2.r2");
	hostspec_free(&hs);
	free(label);
	free(name);
}
END_TEST

/* ---- expansion errors ---- */

START_TEST(error_range_bounds)
{
	expect_error("wn[001-1x0].pd.infn.it",
	             "wn[001-1x0].pd.infn.it: column 8: range bound \"1x0\" is not a number");
	expect_error("wn[a-3]", "wn[a-3]: column 4: range bound \"a\" is not a number");
	expect_error("wn[]", "wn[]: column 4: missing number in range");
	expect_error("wn[1-]", "wn[1-]: column 6: missing number in range");
	expect_error("wn[-3]", "wn[-3]: column 4: missing number in range");
	expect_error("wn[1,]", "wn[1,]: column 6: missing number in range");
	expect_error("wn[1-2-3]", "wn[1-2-3]: column 7: unexpected \"-\" in range");
	expect_error("wn[1234567890123456789]",
	             "wn[1234567890123456789]: column 4: range bound \"1234567890123456789\" "
	             "is too large");
}
END_TEST

START_TEST(error_range_order)
{
	expect_error("wn[120-001].pd.infn.it",
	             "wn[120-001].pd.infn.it: column 4: range start 120 is greater than end 001");
	expect_error("wn[1-2,9-3]", "wn[1-2,9-3]: column 8: range start 9 is greater than end 3");
}
END_TEST

START_TEST(error_unbalanced)
{
	expect_error("{ce01,ce02.x", "{ce01,ce02.x: column 1: unbalanced \"{\"");
	expect_error("{", "{: column 1: unbalanced \"{\"");
	expect_error("a.{b,{c,d}", "a.{b,{c,d}: column 3: unbalanced \"{\"");
	expect_error("ce01}.x", "ce01}.x: column 5: unbalanced \"}\"");
	expect_error("wn[1-3.x", "wn[1-3.x: column 3: unbalanced \"[\"");
	expect_error("wn1-3].x", "wn1-3].x: column 6: unbalanced \"]\"");
	expect_error("{a]}", "{a]}: column 3: unbalanced \"]\"");
}
END_TEST

START_TEST(error_empty_alternative)
{
	expect_error("{ce01,}.x", "{ce01,}.x: column 7: empty alternative in braces");
	expect_error("{,ce01}.x", "{,ce01}.x: column 2: empty alternative in braces");
	expect_error("{}.x", "{}.x: column 2: empty alternative in braces");
	expect_error("{a,,b}", "{a,,b}: column 4: empty alternative in braces");
}
END_TEST

START_TEST(error_characters)
{
	expect_error("ce_01", "ce_01: column 3: character \"_\" is not allowed in a host name");
	expect_error("{ce01, ce02}",
	             "{ce01, ce02}: column 7: character \" \" is not allowed in a host name");
	expect_error("ce\x01",
	             "ce\x01: column 3: character \"\\x01\" is not allowed in a host name");
	expect_error("caf\xc3\xa9.it",
	             "caf\xc3\xa9.it: column 4: character \"\\xc3\" is not allowed in a host name");
	expect_error("a@b", "a@b: column 2: character \"@\" is not allowed in a host name");
	expect_error("a,b", "a,b: column 2: \",\" outside braces or brackets");
}
END_TEST

START_TEST(error_labels_plain)
{
	expect_error("-ce.pd.infn.it",
	             "-ce.pd.infn.it: column 1: label \"-ce\" starts with a hyphen");
	/* The label is quoted as typed. */
	expect_error("x.-CE.y", "x.-CE.y: column 3: label \"-CE\" starts with a hyphen");
	expect_error("ce-.x", "ce-.x: column 3: label \"ce-\" ends with a hyphen");
	expect_error("ce01..x", "ce01..x: column 6: empty label");
	expect_error(".x", ".x: column 1: empty label");
	expect_error("x.", "x.: column 3: empty label");
}
END_TEST

START_TEST(error_labels_expanded)
{
	expect_error("{-ce,se}.x",
	             "{-ce,se}.x: host \"-ce.x\": label \"-ce\" starts with a hyphen");
	expect_error("wn[1-2]-", "wn[1-2]-: host \"wn1-\": label \"wn1-\" ends with a hyphen");
	expect_error("{a,}", "{a,}: column 4: empty alternative in braces");
	expect_error("{a.,b}.x", "{a.,b}.x: host \"a..x\": empty label");
}
END_TEST

START_TEST(error_lengths)
{
	char *label = repeat('a', 64), *name = repeat('a', 254), *spec = repeat('a', 4097);
	char *s;

	expect_error(label,
	             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: column 1: "
	             "label \"aaaaaaaaaaaaaaaaaaaa...\" is longer than 63 characters");
	for (size_t i = 63; i < 254; i += 64)
		name[i] = '.';
	/* Long specs are quoted shortened, so that the problem still fits. */
	ck_assert_int_ne(asprintf(&s,
	                          "%.120s...: column 1: host name is longer than 253 characters",
	                          name),
	                 -1);
	expect_error(name, s);
	free(s);
	/* The range digits are what pushes this one past 253. */
	name[250] = '\0';
	ck_assert_int_ne(asprintf(&s, "%s[1-1000]", name), -1);
	name[120] = '\0';
	free(label);
	ck_assert_int_ne(asprintf(&label,
	                          "%s...: column 251: host name is longer than 253 "
	                          "characters",
	                          name),
	                 -1);
	expect_error(s, label);
	free(s);
	expect_error(spec, "host specification is longer than 4096 characters");
	free(label);
	free(name);
	free(spec);
}
END_TEST

START_TEST(error_empty)
{
	struct hostspec hs;
	struct pt_err err = { 0 };

	expect_error("", "empty host specification");
	ck_assert_int_eq(hostspec_expand(NULL, &hs, &err), PT_INVALID);
	ck_assert_str_eq(err.detail, "empty host specification");
}
END_TEST

START_TEST(error_group)
{
	expect_error("@", "@: column 1: empty group name after \"@\"");
	expect_error("@grp!x", "@grp!x: column 5: character \"!\" is not allowed in a group name");
	expect_error("@{a,b}", "@{a,b}: column 2: character \"{\" is not allowed in a group name");
}
END_TEST

START_TEST(error_too_many)
{
	expect_error("wn[1-10001]", "wn[1-10001]: column 4: too many hosts (more than 10000)");
	expect_error("wn[0-99999]", "wn[0-99999]: column 4: too many hosts (more than 10000)");
	expect_error("[0-99999][0-99999]",
	             "[0-99999][0-99999]: column 2: too many hosts (more than 10000)");
	expect_error("[1-100][1-101]",
	             "[1-100][1-101]: column 8: too many hosts (more than 10000)");
	expect_error("wn[1-5000,5001-10001]",
	             "wn[1-5000,5001-10001]: column 11: too many hosts (more than 10000)");
	expect_error("{[1-5000],[5001-10001]}",
	             "{[1-5000],[5001-10001]}: column 11: too many hosts (more than 10000)");
	/* The cap counts before duplicates go: bounded work, whatever the spec. */
	expect_error("{[1-6000],[1-6000]}",
	             "{[1-6000],[1-6000]}: column 11: too many hosts (more than 10000)");
	expect_error("[0-9][0-9][0-9][0-9][0-9]",
	             "[0-9][0-9][0-9][0-9][0-9]: column 21: too many hosts (more than 10000)");
}
END_TEST

START_TEST(error_nesting)
{
	char spec[64] = "", want[128];

	for (int i = 0; i < 17; i++)
		strcat(spec, "{");
	strcat(spec, "a");
	for (int i = 0; i < 17; i++)
		strcat(spec, "}");
	snprintf(want, sizeof(want), "%s: column 17: braces nested more than 16 deep", spec);
	expect_error(spec, want);
	/* Sixteen is fine. */
	spec[0] = ' ';
	spec[strlen(spec) - 1] = '\0';
	expect_names(spec + 1, "a", NULL);
}
END_TEST

START_TEST(is_pattern)
{
	ck_assert(!hostspec_is_pattern("ce01.pd.infn.it"));
	ck_assert(!hostspec_is_pattern("a@b"));
	ck_assert(!hostspec_is_pattern(""));
	ck_assert(!hostspec_is_pattern(NULL));
	ck_assert(hostspec_is_pattern("{ce01,ce02}.x"));
	ck_assert(hostspec_is_pattern("ce{01,02}"));
	ck_assert(hostspec_is_pattern("wn[1-3]"));
	ck_assert(hostspec_is_pattern("@workers"));
}
END_TEST

/* ---- entries ---- */

static void
expect_entry(const char *text, const char *user, const char *hs, const char *service)
{
	char *u = (char *)"x", *h = (char *)"x", *s = (char *)"x";
	struct pt_err err = { 0 };

	ck_assert_msg(hostspec_parse_entry(text, &u, &h, &s, &err) == PT_OK, "%s: %s", text,
	              err.detail);
	ck_assert_str_eq(u, user);
	ck_assert_str_eq(h, hs);
	ck_assert_str_eq(s, service);
	free(u);
	free(h);
	free(s);
}

static void
expect_entry_error(const char *text, const char *detail)
{
	char *u = (char *)"x", *h = (char *)"x", *s = (char *)"x";
	struct pt_err err = { 0 };

	ck_assert_msg(hostspec_parse_entry(text, &u, &h, &s, &err) == PT_INVALID, "%s", text);
	ck_assert_str_eq(err.detail, detail);
	ck_assert_ptr_null(u);
	ck_assert_ptr_null(h);
	ck_assert_ptr_null(s);
}

START_TEST(entry_good)
{
	char *h = NULL;

	expect_entry("root@ce01.pd.infn.it:ssh", "root", "ce01.pd.infn.it", "ssh");
	expect_entry("grid.admin_1@{ce01,ce02}.x:mysql/root+ro", "grid.admin_1", "{ce01,ce02}.x",
	             "mysql/root+ro");
	/* First '@': a group after the user. */
	expect_entry("root@@workers:ipmi", "root", "@workers", "ipmi");
	/* The host spec is returned as typed, not folded or expanded. */
	expect_entry("Root@WN[1-3].X:Svc-1", "Root", "WN[1-3].X", "Svc-1");
	/* Unwanted parts may be left out. */
	ck_assert_int_eq(hostspec_parse_entry("a@b:c", NULL, &h, NULL, NULL), PT_OK);
	ck_assert_str_eq(h, "b");
	free(h);
}
END_TEST

START_TEST(entry_missing_parts)
{
	expect_entry_error("root@ce01", "\"root@ce01\" has no \":SERVICE\" part");
	expect_entry_error("ce01:ssh", "\"ce01:ssh\" has no \"USER@\" part");
	expect_entry_error("a:b@c", "\"a:b@c\" has no \":SERVICE\" part");
	expect_entry_error("", "\"\" has no \"USER@\" part");
	expect_entry_error(NULL, "\"\" has no \"USER@\" part");
	expect_entry_error("@ce01:ssh", "@ce01:ssh: column 1: empty user before \"@\"");
	expect_entry_error("root@:ssh",
	                   "root@:ssh: column 6: empty host specification between \"@\" and \":\"");
	expect_entry_error("root@ce01:", "root@ce01:: column 10: empty service after \":\"");
}
END_TEST

START_TEST(entry_bad_parts)
{
	expect_entry_error(
		"ro ot@ce01:ssh",
		"ro ot@ce01:ssh: column 3: character \" \" is not allowed in a user name");
	expect_entry_error(
		"root$@ce01:ssh",
		"root$@ce01:ssh: column 5: character \"$\" is not allowed in a user name");
	expect_entry_error("root@ce01:ss h",
	                   "root@ce01:ss h: column 13: character \" \" is not allowed in a service "
	                   "name");
	expect_entry_error(
		"root@ce01:ssh@x",
		"root@ce01:ssh@x: column 14: character \"@\" is not allowed in a service "
		"name");
	/* Host spec errors count columns in the whole entry. */
	expect_entry_error(
		"root@ce_01:ssh",
		"root@ce_01:ssh: column 8: character \"_\" is not allowed in a host name");
	expect_entry_error(
		"svc@wn[1-3]:a:b",
		"svc@wn[1-3]:a:b: column 12: character \":\" is not allowed in a host name");
	expect_entry_error("root@wn[3-1]:ssh",
	                   "root@wn[3-1]:ssh: column 9: range start 3 is greater than end 1");
	expect_entry_error("root@-ce.x:ssh",
	                   "root@-ce.x:ssh: column 6: label \"-ce\" starts with a hyphen");
	expect_entry_error(
		"root@{-ce,se}.x:ssh",
		"root@{-ce,se}.x:ssh: host \"-ce.x\": label \"-ce\" starts with a hyphen");
	expect_entry_error("root@@:ssh", "root@@:ssh: column 6: empty group name after \"@\"");
	expect_entry_error("root@wn[0-99999]:ssh",
	                   "root@wn[0-99999]:ssh: column 9: too many hosts (more than 10000)");
}
END_TEST

static Suite *
hostspec_suite(void)
{
	Suite *s = suite_create("hostspec");
	TCase *ex = tcase_create("expand"), *er = tcase_create("errors"),
	      *en = tcase_create("entry");

	tcase_add_test(ex, plain_names);
	tcase_add_test(ex, upper_case_folded);
	tcase_add_test(ex, ranges_padded);
	tcase_add_test(ex, ranges_unpadded);
	tcase_add_test(ex, range_lists);
	tcase_add_test(ex, braces_positions);
	tcase_add_test(ex, combined_and_nested);
	tcase_add_test(ex, duplicates_removed);
	tcase_add_test(ex, group);
	tcase_add_test(ex, limits_at_edge_accepted);
	tcase_add_test(ex, is_pattern);
	tcase_add_test(er, error_range_bounds);
	tcase_add_test(er, error_range_order);
	tcase_add_test(er, error_unbalanced);
	tcase_add_test(er, error_empty_alternative);
	tcase_add_test(er, error_characters);
	tcase_add_test(er, error_labels_plain);
	tcase_add_test(er, error_labels_expanded);
	tcase_add_test(er, error_lengths);
	tcase_add_test(er, error_empty);
	tcase_add_test(er, error_group);
	tcase_add_test(er, error_too_many);
	tcase_add_test(er, error_nesting);
	tcase_add_test(en, entry_good);
	tcase_add_test(en, entry_missing_parts);
	tcase_add_test(en, entry_bad_parts);
	suite_add_tcase(s, ex);
	suite_add_tcase(s, er);
	suite_add_tcase(s, en);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hostspec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

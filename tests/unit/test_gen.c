/* test_gen.c - the password generator's properties over many draws:
 * length, alphabet, every class chosen present, "typable" free of
 * look-alike and shell-special characters, no character favoured. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "base/lib.h"
#include "site/lib.h"
#include "testutil.h"

#define DRAWS 2000

static const char *const class_chars[] = {
	"abcdefghijklmnopqrstuvwxyz",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"0123456789",
	"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
};

static unsigned
class_of(char c)
{
	for (unsigned k = 0; k < 4; k++)
		if (strchr(class_chars[k], c))
			return 1u << k;
	return 0;
}

static void
check_draws(unsigned classes, bool typable, size_t len)
{
	struct gen_opts o = { len, classes, typable };

	for (int d = 0; d < DRAWS; d++) {
		char *s = NULL;
		unsigned seen = 0;

		ck_assert_int_eq(model_generate_secret_opts(&o, &s, NULL), PT_OK);
		ck_assert_uint_eq(strlen(s), len);
		for (const char *p = s; *p; p++) {
			unsigned k = class_of(*p);
			ck_assert_msg(k & classes, "character %c outside the classes %u", *p,
			              classes);
			if (typable)
				ck_assert_msg(!strchr("0Oo1lI|$`\\\"'!;&<>*?(){}[]~# ", *p),
				              "typable secret has %c", *p);
			seen |= k;
		}
		ck_assert_uint_eq(seen, classes);
		secmem_free(s);
	}
}

START_TEST(every_choice_holds)
{
	check_draws(GEN_ALL, false, 8);
	check_draws(GEN_ALL, true, 12);
	check_draws(GEN_LOWER | GEN_DIGIT, false, 16);
	check_draws(GEN_SYMBOL, true, 10);
	check_draws(GEN_UPPER | GEN_SYMBOL, true, 40);
}
END_TEST

/* Over many characters each letter of a one-class alphabet comes about
 * equally often: a plain byte % 26 would draw the last four letters
 * about 8.6% less; the bound (5%) is over 6 standard deviations. */
START_TEST(no_character_favoured)
{
	struct gen_opts o = { 1000, GEN_LOWER, false };
	long count[26] = { 0 }, total = 0;

	for (int d = 0; d < 400; d++) {
		char *s = NULL;
		ck_assert_int_eq(model_generate_secret_opts(&o, &s, NULL), PT_OK);
		for (const char *p = s; *p; p++, total++)
			count[*p - 'a']++;
		secmem_free(s);
	}
	for (int i = 0; i < 26; i++) {
		double expect = (double)total / 26;
		ck_assert_msg(count[i] > expect * 0.95 && count[i] < expect * 1.05,
		              "%c drawn %ld times, expected about %.0f", 'a' + i, count[i], expect);
	}
}
END_TEST

START_TEST(bad_choices_are_refused)
{
	struct pt_err err = { 0 };
	struct gen_opts o = { 7, GEN_ALL, false };
	unsigned cl = 0;
	char *s = NULL;

	ck_assert_int_eq(model_generate_secret_opts(&o, &s, &err), PT_INVALID);
	o.len = 1025;
	ck_assert_int_eq(model_generate_secret_opts(&o, &s, &err), PT_INVALID);
	o.len = 12;
	o.classes = 0;
	ck_assert_int_eq(model_generate_secret_opts(&o, &s, &err), PT_INVALID);
	o.classes = 16;
	ck_assert_int_eq(model_generate_secret_opts(&o, &s, &err), PT_INVALID);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(model_gen_parse_classes("lower,digits", &cl, &err), PT_OK);
	ck_assert_uint_eq(cl, GEN_LOWER | GEN_DIGIT);
	ck_assert_int_eq(model_gen_parse_classes("upper,symbol", &cl, &err), PT_OK);
	ck_assert_uint_eq(cl, GEN_UPPER | GEN_SYMBOL);
	ck_assert_int_eq(model_gen_parse_classes("lower,bogus", &cl, &err), PT_INVALID);
	ck_assert_ptr_nonnull(strstr(err.detail, "bogus"));
	ck_assert_int_eq(model_gen_parse_classes("", &cl, &err), PT_INVALID);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("gen");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_choice_holds);
	tcase_add_test(tc, no_character_favoured);
	tcase_add_test(tc, bad_choices_are_refused);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

/* test_filelist.c - what the console's path fields know of the file
 * system, without a terminal: completion and listing on hostile names
 * (spaces, a newline, 300-byte names, an unreadable directory, a
 * symlink loop), a directory of 100,000 entries read with a bound, and
 * the escaping of a field of several paths. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filelist.h"

static char dir[256];

static void
touch(const char *name)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	close(fd);
}

static void
sub(const char *name)
{
	char p[1024];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	ck_assert_int_eq(mkdir(p, 0700), 0);
}

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/passtore-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[700];

	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

START_TEST(complete_common_prefix)
{
	char typed[600], out[1024];
	struct fl_list l;

	touch("host cert.pem");
	touch("host cert.key");
	touch("other");
	snprintf(typed, sizeof typed, "%s/ho", dir);
	ck_assert_uint_eq(fl_complete(typed, false, out, sizeof out, &l), 2);
	snprintf(typed, sizeof typed, "%s/host cert.", dir);
	ck_assert_str_eq(out, typed);
	/* candidates sorted */
	ck_assert_str_eq(l.e[0].name, "host cert.key");
	ck_assert_str_eq(l.e[1].name, "host cert.pem");
	fl_free(&l);
	snprintf(typed, sizeof typed, "%s/oth", dir);
	ck_assert_uint_eq(fl_complete(typed, false, out, sizeof out, NULL), 1);
	snprintf(typed, sizeof typed, "%s/other", dir);
	ck_assert_str_eq(out, typed);
	snprintf(typed, sizeof typed, "%s/zz", dir);
	ck_assert_uint_eq(fl_complete(typed, false, out, sizeof out, NULL), 0);
	ck_assert_str_eq(out, typed);
}
END_TEST

START_TEST(complete_dir_gets_slash)
{
	char typed[600], out[1024], want[600];

	sub("certs");
	touch("cabundle.pem");
	snprintf(typed, sizeof typed, "%s/cer", dir);
	ck_assert_uint_eq(fl_complete(typed, false, out, sizeof out, NULL), 1);
	snprintf(want, sizeof want, "%s/certs/", dir);
	ck_assert_str_eq(out, want);
	/* a directory only field does not offer the file */
	snprintf(typed, sizeof typed, "%s/c", dir);
	ck_assert_uint_eq(fl_complete(typed, true, out, sizeof out, NULL), 1);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(newline_and_long_names)
{
	char typed[600], out[1024], want[600], name[301];
	struct fl_list l;

	touch("bad\nname");
	touch("bad\nother");
	memset(name, 'a', 250);
	name[250] = '\0';
	touch(name);
	/* completion stops before the newline: it cannot be typed */
	snprintf(typed, sizeof typed, "%s/b", dir);
	ck_assert_uint_eq(fl_complete(typed, false, out, sizeof out, NULL), 2);
	snprintf(want, sizeof want, "%s/bad", dir);
	ck_assert_str_eq(out, want);
	ck_assert(!fl_typable("bad\nname"));
	ck_assert(!fl_escape("bad\nname", out, sizeof out));
	snprintf(typed, sizeof typed, "%s/a", dir);
	ck_assert_uint_eq(fl_complete(typed, false, out, sizeof out, NULL), 1);
	snprintf(want, sizeof want, "%s/%s", dir, name);
	ck_assert_str_eq(out, want);
	/* a buffer too small for it leaves the text as it was */
	ck_assert_uint_eq(fl_complete(typed, false, out, 40, NULL), 1);
	ck_assert_uint_lt(strlen(out), 40);
	/* a 300-byte path component (longer than NAME_MAX) names nothing */
	memset(name, 'b', 300);
	name[300] = '\0';
	snprintf(typed, sizeof typed, "%s/%s", dir, name);
	ck_assert_uint_eq(fl_complete(typed, false, out, sizeof out, NULL), 0);
	ck_assert(fl_read(dir, NULL, false, false, 0, &l));
	ck_assert_uint_eq(l.n, 3);
	fl_free(&l);
}
END_TEST

START_TEST(unreadable_and_loop)
{
	char p[600], out[1024];
	struct fl_list l;

	sub("closed");
	touch("closed/inside");
	snprintf(p, sizeof p, "%s/loop", dir);
	ck_assert_int_eq(symlink(p, p), 0);
	snprintf(p, sizeof p, "%s/closed", dir);
	ck_assert_int_eq(chmod(p, 0), 0);
	if (geteuid() != 0) {
		ck_assert(fl_read(p, NULL, false, false, 0, &l));
		ck_assert_int_ne(l.err, 0);
		ck_assert_uint_eq(l.n, 0);
		fl_free(&l);
	}
	ck_assert(fl_read(dir, NULL, false, false, 0, &l));
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.e[0].name, "closed"); /* directories first */
	ck_assert(l.e[0].dir);
	ck_assert_str_eq(l.e[1].name, "loop");
	ck_assert(l.e[1].broken && !l.e[1].dir);
	fl_free(&l);
	snprintf(p, sizeof p, "%s/loop/x", dir);
	ck_assert_uint_eq(fl_complete(p, false, out, sizeof out, NULL), 0);
	snprintf(p, sizeof p, "%s/nowhere/x", dir);
	ck_assert_uint_eq(fl_complete(p, false, out, sizeof out, NULL), 0);
}
END_TEST

START_TEST(hundred_thousand_bounded)
{
	char name[64], typed[600], out[1024];
	struct fl_list l;

	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof name, "f%06d.pem", i);
		touch(name);
	}
	ck_assert(fl_read(dir, NULL, false, false, 0, &l));
	ck_assert_uint_eq(l.n, FL_KEEP_MAX);
	ck_assert(l.truncated);
	fl_free(&l);
	/* a filter finds what the bound would hide */
	ck_assert(fl_read(dir, "099999", true, false, 0, &l));
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.e[0].name, "f099999.pem");
	fl_free(&l);
	snprintf(typed, sizeof typed, "%s/f0999", dir);
	ck_assert_uint_eq(fl_complete(typed, false, out, sizeof out, NULL), 100);
	snprintf(typed, sizeof typed, "%s/f", dir);
	ck_assert_uint_eq(fl_complete(typed, false, out, sizeof out, NULL), FL_KEEP_MAX);
}
END_TEST

START_TEST(escape_and_split)
{
	char out[256];
	size_t n;
	char **v;

	ck_assert(fl_escape("/m/my cert.pem", out, sizeof out));
	ck_assert_str_eq(out, "/m/my\\ cert.pem");
	ck_assert(fl_escape("a\\b", out, sizeof out));
	ck_assert_str_eq(out, "a\\\\b");
	ck_assert(!fl_escape("/m/my cert.pem", out, 10));
	v = fl_split("/m/my\\ cert.pem  /m/b.pem a\\\\b ", &n);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0], "/m/my cert.pem");
	ck_assert_str_eq(v[1], "/m/b.pem");
	ck_assert_str_eq(v[2], "a\\b");
	ck_assert_ptr_null(v[3]);
	fl_split_free(v);
	v = fl_split("", &n);
	ck_assert_uint_eq(n, 0);
	fl_split_free(v);
	ck_assert_uint_eq(fl_last_word("a\\ b c\\ d"), 5);
	ck_assert_uint_eq(fl_last_word("a\\ b"), 0);
}
END_TEST

START_TEST(places_from_roots)
{
	char roots[1000], p[600], *pl[FL_PLACES_MAX];
	size_t n;

	sub("media");
	sub("media/user");
	sub("media/user/USBKEY");
	sub("mnt");
	sub("mnt/disk");
	touch("mnt/disk/a.pem");
	snprintf(roots, sizeof roots, "%s/media:%s/mnt:%s/none", dir, dir, dir);
	setenv("PASSTORE_MEDIA_ROOTS", roots, 1);
	snprintf(p, sizeof p, "%s/mnt/disk/a.pem", dir);
	n = fl_places(p, pl, FL_PLACES_MAX);
	unsetenv("PASSTORE_MEDIA_ROOTS");
	ck_assert_uint_ge(n, 2);
	snprintf(p, sizeof p, "%s/media/user/USBKEY", dir);
	ck_assert_str_eq(pl[0], p);
	snprintf(p, sizeof p, "%s/mnt/disk", dir);
	ck_assert_str_eq(pl[1], p);
	for (size_t i = 0; i < n; i++)
		free(pl[i]);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("filelist");
	TCase *t = tcase_create("filelist");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 900); /* 100,000 files made on a loaded machine */
	tcase_add_test(t, complete_common_prefix);
	tcase_add_test(t, complete_dir_gets_slash);
	tcase_add_test(t, newline_and_long_names);
	tcase_add_test(t, unreadable_and_loop);
	tcase_add_test(t, hundred_thousand_bounded);
	tcase_add_test(t, escape_and_split);
	tcase_add_test(t, places_from_roots);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_station.c - the station rows of the posture without root: the
 * /proc/mdstat and /proc/swaps parsers on real, hostile and huge input,
 * the dm-crypt look-up under a made-up /sys, and the rows that read the
 * store (the clock behind the newest audit record, the backup's age and
 * its setting). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/lib.h"
#include "engine/lib.h"
#include "site/lib.h"
#include "store/lib.h"
#include "testutil.h"

static void
mdstat(const char *text, struct guard_mdstat *m)
{
	guard_mdstat_parse(text, strlen(text), m);
}

START_TEST(mdstat_healthy)
{
	struct guard_mdstat m;

	mdstat("Personalities : [raid1] [linear]\n"
	       "md1 : active raid1 sdb2[1] sda2[0]\n"
	       "      975585280 blocks super 1.2 [2/2] [UU]\n"
	       "      bitmap: 2/8 pages [8KB], 65536KB chunk\n"
	       "\n"
	       "md0 : active (auto-read-only) raid1 sdb1[1] sda1[0]\n"
	       "      999424 blocks super 1.2 [2/2] [UU]\n"
	       "\n"
	       "unused devices: <none>\n",
	       &m);
	ck_assert_int_eq(m.arrays, 2);
	ck_assert_int_eq(m.raid1, 2);
	ck_assert_int_eq(m.degraded, 0);
	ck_assert_int_eq(m.inactive, 0);
	ck_assert_str_eq(m.bad, "");
}
END_TEST

START_TEST(mdstat_degraded)
{
	struct guard_mdstat m;

	mdstat("Personalities : [raid1]\n"
	       "md0 : active raid1 sda1[0]\n"
	       "      999424 blocks super 1.2 [2/2] [UU]\n"
	       "md1 : active raid1 sda2[0]\n"
	       "      975585280 blocks super 1.2 [2/1] [U_]\n"
	       "      [=>...................]  recovery =  8.5% (83000000/975585280)\n",
	       &m);
	ck_assert_int_eq(m.arrays, 2);
	ck_assert_int_eq(m.degraded, 1);
	ck_assert_str_eq(m.bad, "md1");
	ck_assert_str_eq(m.bad_status, "[U_]");
	/* the counts alone say it too */
	mdstat("md2 : active raid1 sda3[0]\n      1 blocks [2/1]\n", &m);
	ck_assert_int_eq(m.degraded, 1);
	mdstat("md3 : inactive sdc1[0](S)\n      1 blocks\n", &m);
	ck_assert_int_eq(m.inactive, 1);
	ck_assert_str_eq(m.bad_status, "inactive");
	mdstat("md4 : active raid5 sda[0] sdb[1] sdc[2]\n      1 blocks [3/3] [UUU]\n", &m);
	ck_assert_int_eq(m.arrays, 1);
	ck_assert_int_eq(m.raid1, 0);
}
END_TEST

START_TEST(mdstat_empty_and_noise)
{
	static const char *const bad[] = {
		"",
		"\n\n\n",
		"Personalities : \nunused devices: <none>\n",
		"md",
		"md0",
		"md0 :",
		"[U_]\n[2/1]\n",
		"  md0 : active raid1\n",
		"md0 : active raid1 [99999999999999999999/1] [",
		"md0 : active raid1\n [UUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU_]\n",
	};
	struct guard_mdstat m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mdstat(bad[i], &m);
		ck_assert_int_le(m.arrays, 1);
		ck_assert(strlen(m.bad) < sizeof(m.bad));
		ck_assert(strlen(m.bad_status) < sizeof(m.bad_status));
	}
	mdstat("md0 : active raid1\n [UUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU_]\n",
	       &m);
	ck_assert_int_eq(m.degraded, 1);
}
END_TEST

/* Bytes of every value, NULs and very long lines: bounded and linear
 * (one pass; a line is cut, never copied whole). */
START_TEST(mdstat_hostile_huge)
{
	size_t n = 4u << 20, i;
	char *buf = malloc(n);
	struct guard_mdstat m;
	unsigned x = 12345;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(x >> 16);
	}
	guard_mdstat_parse(buf, n, &m);
	ck_assert_int_ge(m.arrays, 0);
	/* one line of 4 MB that starts like an array */
	memset(buf, 'U', n);
	memcpy(buf, "md0 : active raid1 [2/2] [", 26);
	guard_mdstat_parse(buf, n, &m);
	ck_assert_int_eq(m.arrays, 1);
	ck_assert_int_eq(m.degraded, 0);
	/* fifty thousand arrays, one of them degraded */
	{
		size_t pos = 0;
		for (i = 0; i < 50000 && pos + 64 < n; i++)
			pos += (size_t)snprintf(buf + pos, n - pos,
			                        "md%zu : active raid1 a[0] b[1]\n 1 blocks %s\n", i,
			                        i == 37777 ? "[2/1] [_U]" : "[2/2] [UU]");
		guard_mdstat_parse(buf, pos, &m);
		ck_assert_int_eq(m.arrays, 50000);
		ck_assert_int_eq(m.raid1, 50000);
		ck_assert_int_eq(m.degraded, 1);
		ck_assert_str_eq(m.bad, "md37777");
	}
	free(buf);
}
END_TEST

START_TEST(swaps_parse)
{
	struct guard_swaps s;
	const char *t = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
			"/dev/dm-1                               partition\t8388604\t\t0\t\t-2\n"
			"/swap\\040file                           file\t\t1048572\t\t0\t\t-3\n";
	char big[4096];
	size_t pos = 0;

	guard_swaps_parse(t, strlen(t), &s);
	ck_assert_int_eq(s.total, 2);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.sw[0].name, "/dev/dm-1");
	ck_assert(!s.sw[0].file);
	ck_assert_str_eq(s.sw[1].name, "/swap\\040file");
	ck_assert(s.sw[1].file);
	guard_swaps_parse("Filename Type Size Used Priority\n", 33, &s);
	ck_assert_int_eq(s.total, 0);
	guard_swaps_parse("", 0, &s);
	ck_assert_int_eq(s.total, 0);
	for (int i = 0; i < 20; i++)
		pos += (size_t)snprintf(big + pos, sizeof(big) - pos,
		                        "/dev/sd%c partition 1 0 -1\n", 'a' + i);
	guard_swaps_parse(big, pos, &s);
	ck_assert_int_eq(s.total, 20);
	ck_assert_int_eq(s.n, GUARD_SWAPS);
}
END_TEST

START_TEST(swaps_hostile_huge)
{
	size_t n = 2u << 20;
	char *buf = malloc(n);
	struct guard_swaps s;

	ck_assert_ptr_nonnull(buf);
	memset(buf, '/', n); /* one name of 2 MB: cut, never overflowing */
	guard_swaps_parse(buf, n, &s);
	ck_assert_int_le(s.n, GUARD_SWAPS);
	for (int i = 0; i < s.n; i++)
		ck_assert(strlen(s.sw[i].name) < sizeof(s.sw[i].name));
	for (size_t i = 0; i < n; i++)
		buf[i] = i % 7 == 6 ? '\n' : i % 7 == 0 ? '/' : i % 3 ? 'x' : '\0';
	guard_swaps_parse(buf, n, &s);
	ck_assert_int_le(s.n, GUARD_SWAPS);
	free(buf);
}
END_TEST

/* ---- dm-crypt under a made-up root ---- */

static void
put(const char *rel, const char *text)
{
	char path[600], cmd[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", test_dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	ck_assert_int_eq(system(cmd), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
mkdir_p(const char *rel)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s%s'", test_dir, rel);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(swap_kinds)
{
	tmp_setup();
	put("/sys/block/dm-0/dm/uuid", "CRYPT-LUKS2-abc-cryptswap\n");
	put("/sys/block/dm-0/dm/name", "cryptswap\n");
	put("/sys/block/dm-1/dm/uuid", "LVM-abc\n");
	put("/sys/block/dm-1/dm/name", "vg-swap\n");
	put("/sys/block/dm-2/dm/uuid", "LVM-def\n");
	put("/sys/block/dm-2/dm/name", "vg-plain\n");
	mkdir_p("/sys/block/dm-1/slaves/dm-0");
	/* a loop of slaves stops at the depth bound */
	mkdir_p("/sys/block/dm-2/slaves/dm-2");
	ck_assert_int_eq(guard_swap_kind(test_dir, "/dev/dm-0", false), GUARD_SWAP_CRYPT);
	ck_assert_int_eq(guard_swap_kind(test_dir, "/dev/dm-1", false), GUARD_SWAP_CRYPT);
	ck_assert_int_eq(guard_swap_kind(test_dir, "/dev/dm-2", false), GUARD_SWAP_PLAIN);
	ck_assert_int_eq(guard_swap_kind(test_dir, "/dev/mapper/cryptswap", false),
	                 GUARD_SWAP_CRYPT);
	ck_assert_int_eq(guard_swap_kind(test_dir, "/dev/mapper/vg-plain", false),
	                 GUARD_SWAP_PLAIN);
	ck_assert_int_eq(guard_swap_kind(test_dir, "/dev/mapper/nothing", false), GUARD_SWAP_PLAIN);
	ck_assert_int_eq(guard_swap_kind(test_dir, "/dev/sda2", false), GUARD_SWAP_PLAIN);
	ck_assert_int_eq(guard_swap_kind(test_dir, "/dev/zram0", false), GUARD_SWAP_MEMORY);
	ck_assert_int_eq(guard_swap_kind(test_dir, "/no/such/file", true), GUARD_SWAP_PLAIN);
	ck_assert_int_eq(guard_swap_kind(test_dir, "/dev/dm-99\\040x", false), GUARD_SWAP_PLAIN);
	tmp_teardown();
}
END_TEST

/* ---- the rows that read the store ---- */

static const struct guard_row *
find_row(const struct guard_station *s, const char *key)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->row[i].key, key) == 0)
			return &s->row[i];
	ck_abort_msg("no row %s", key);
	return NULL;
}

START_TEST(rows_store)
{
	struct guard_posture p = { .ifname = "st0",
		                   .link_found = true,
		                   .ipv6 = GUARD_IPV6_DISABLED };
	struct guard_station_src src = { .root = "", .now = 0 };
	struct guard_station s;
	struct pt_err err = { 0 };
	struct store *st;
	char *path = NULL;
	uint64_t bytes = 0;
	char hex[65];

	tmp_setup();
	st = new_store();
	src.root = test_dir; /* no mdstat, no swaps there */
	ck_assert_int_eq(guard_station_rows(st, &p, &src, &s, &err), PT_OK);
	ck_assert_int_eq(find_row(&s, "interface")->level, GUARD_ROW_OK);
	ck_assert_int_eq(find_row(&s, "raid")->level, GUARD_ROW_WARNING);
	ck_assert_int_eq(find_row(&s, "swap")->level, GUARD_ROW_OK);
	ck_assert_int_eq(find_row(&s, "clock")->level, GUARD_ROW_OK);
	ck_assert_int_eq(find_row(&s, "backup")->level, GUARD_ROW_WARNING);
	ck_assert_int_eq(find_row(&s, "root")->level, GUARD_ROW_WARNING);
	ck_assert_int_eq(guard_station_level(&s), GUARD_ROW_WARNING);

	/* a clock in 1970 is behind every audit record of the store */
	ck_assert_int_eq(store_begin(st, &err), PT_OK);
	ck_assert_int_eq(settings_set(st, "net.interface", "st0", &err), PT_OK);
	ck_assert_int_eq(store_commit(st, &err), PT_OK);
	src.now = 1000;
	ck_assert_int_eq(guard_station_rows(st, &p, &src, &s, &err), PT_OK);
	ck_assert_int_eq(find_row(&s, "clock")->level, GUARD_ROW_BROKEN);
	ck_assert_ptr_nonnull(strstr(find_row(&s, "clock")->reason, "newest audit record"));
	ck_assert_int_eq(guard_station_level(&s), GUARD_ROW_BROKEN);

	/* a verified backup; then its age against backup.max_age_days */
	put("/usb/.keep", "");
	{
		char dest[400];
		snprintf(dest, sizeof(dest), "%s/usb", test_dir);
		ck_assert_int_eq(store_backup(st, dest, &path, &bytes, hex, &err), PT_OK);
		ck_assert_int_eq(store_begin(st, &err), PT_OK);
		ck_assert_int_eq(model_backup_record(st, path, bytes, hex, &err), PT_OK);
		ck_assert_int_eq(store_commit(st, &err), PT_OK);
		free(path);
	}
	src.now = time(NULL) + 10 * 86400;
	ck_assert_int_eq(guard_station_rows(st, &p, &src, &s, &err), PT_OK);
	ck_assert_int_eq(find_row(&s, "backup")->level, GUARD_ROW_WARNING);
	ck_assert_ptr_nonnull(strstr(find_row(&s, "backup")->reason, "10 days"));
	ck_assert_int_eq(store_begin(st, &err), PT_OK);
	ck_assert_int_eq(settings_set(st, "backup.max_age_days", "14", &err), PT_OK);
	ck_assert_int_eq(store_commit(st, &err), PT_OK);
	ck_assert_int_eq(guard_station_rows(st, &p, &src, &s, &err), PT_OK);
	ck_assert_int_eq(find_row(&s, "backup")->level, GUARD_ROW_OK);
	ck_assert_int_eq(settings_check(st, "backup.max_age_days", "0", &err), PT_INVALID);
	ck_assert_int_eq(settings_check(st, "backup.max_age_days", "3651", &err), PT_INVALID);
	ck_assert_int_eq(settings_check(st, "backup.max_age_days", " 7", &err), PT_INVALID);

	/* the link up with no window open is broken; with one it is ok */
	p.link_up = true;
	ck_assert_int_eq(guard_station_rows(st, &p, &src, &s, &err), PT_OK);
	ck_assert_int_eq(find_row(&s, "interface")->level, GUARD_ROW_BROKEN);
	src.open_windows = 1;
	ck_assert_int_eq(guard_station_rows(st, &p, &src, &s, &err), PT_OK);
	ck_assert_int_eq(find_row(&s, "interface")->level, GUARD_ROW_OK);

	/* a listener on an outside address is more than console access */
	p.n_listen = p.listen_total = 1;
	p.listen[0] = (struct guard_socket){
		.proto = IPPROTO_TCP, .family = AF_INET, .addr = "0.0.0.0", .port = 22
	};
	ck_assert_int_eq(guard_station_rows(st, &p, &src, &s, &err), PT_OK);
	ck_assert_int_eq(find_row(&s, "listeners")->level, GUARD_ROW_BROKEN);
	p.listen[0].loopback = true;
	ck_assert_int_eq(guard_station_rows(st, &p, &src, &s, &err), PT_OK);
	ck_assert_int_eq(find_row(&s, "listeners")->level, GUARD_ROW_OK);
	store_close(&st);
	tmp_teardown();
}
END_TEST

static Suite *
station_suite(void)
{
	Suite *s = suite_create("station");
	TCase *tc = tcase_create("parsers");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, mdstat_healthy);
	tcase_add_test(tc, mdstat_degraded);
	tcase_add_test(tc, mdstat_empty_and_noise);
	tcase_add_test(tc, mdstat_hostile_huge);
	tcase_add_test(tc, swaps_parse);
	tcase_add_test(tc, swaps_hostile_huge);
	tcase_add_test(tc, swap_kinds);
	suite_add_tcase(s, tc);
	tc = tcase_create("rows");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rows_store);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(station_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* test_gridstore.c - VOs, snapshots, rules, bans, local entries, VOMS
 * servers and pushes in the store, and a host's build from them (the
 * golden grid-mapfile of tests/golden, built through the store). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store/lib.h"
#include "grid/lib.h"
#include "site/lib.h"
#include "testutil.h"

#define URI_ALICE "ldap://grid-vo.nikhef.nl/ou=testbed1,o=alice,dc=eu-datagrid,dc=org"
#define URI_CMS "vomss://voms.cern.ch:8443/voms/cms"
#define URI_INFN "ldap://grid-vo.cnaf.infn.it/ou=testbed1,o=infn,c=it"

static struct store *st;

static void
setup(void)
{
	find_golden();
	tmp_setup();
	st = new_store();
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
}

static void
teardown(void)
{
	store_close(&st);
	tmp_teardown();
}

static void
vo(const char *name, const char *uri)
{
	struct pt_err err = { 0 };

	ck_assert_msg(gridstore_vo_add(st, name, &uri, 1, &err) == PT_OK, "%s", err.detail);
}

static void
import(const char *name, const char *file)
{
	struct gm_members *m = NULL;
	struct pt_err err = { 0 };
	size_t len;
	char *buf = golden_slurp(file, &len);

	ck_assert_msg(gridmap_members_parse(file, buf, len, &m, &err) == PT_OK, "%s", err.detail);
	ck_assert_msg(gridstore_vo_import(st, name, m, file, "00", NULL, &err) == PT_OK, "%s",
	              err.detail);
	gridmap_members_free(&m);
	free(buf);
}

static void
rules(const char *fqdn, const char *group, const char *file)
{
	struct pt_err err = { 0 };
	size_t len;
	char *buf = golden_slurp(file, &len);

	ck_assert_msg(gridstore_rules_set(st, fqdn, group, file, buf, len, &err) == PT_OK, "%s",
	              err.detail);
	free(buf);
}

static void
host(const char *fqdn, const char *group)
{
	const char *groups[] = { group };

	ck_assert_int_eq(model_host_add(st, fqdn, NULL, 22, groups, group ? 1 : 0, NULL), PT_OK);
}

/* The site of tests/golden: three VOs, the local file, the ban list. */
static void
golden_site(void)
{
	struct gm_members *loc = NULL;
	struct pt_err err = { 0 };
	size_t len;
	char *buf;

	vo("alice", URI_ALICE);
	vo("cms", URI_CMS);
	vo("infn", URI_INFN);
	vo("gone", "vomss://voms.example.org:8443/voms/gone");
	import("alice", "alice.txt");
	import("cms", "cms.csv");
	import("infn", "infn.ldif");
	buf = golden_slurp("grid-mapfile-local", &len);
	ck_assert_int_eq(gridmap_local_parse("l", buf, len, &loc, &err), PT_OK);
	for (size_t i = 0; i < loc->n; i++)
		ck_assert_int_eq(gridstore_local_add(st, loc->v[i].dn, loc->v[i].account, &err),
		                 PT_OK);
	gridmap_members_free(&loc);
	free(buf);
	ck_assert_int_eq(gridstore_ban(st, "/C=IT/O=INFN/CN=Banned Bob", &err), PT_OK);
}

struct vo_seen {
	int n;
	int64_t members[8];
	char names[8][16];
	time_t at[8];
};

static int
vo_cb(const struct gs_vo *v, void *ud)
{
	struct vo_seen *s = ud;

	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", v->name);
	s->at[s->n] = v->snapshot_at;
	s->members[s->n++] = v->members;
	return 0;
}

START_TEST(vo_add_and_list)
{
	struct pt_err err = { 0 };
	struct vo_seen s = { 0 };
	const char *two[] = { URI_CMS, "vomss://voms2.cern.ch:8443/voms/cms" };

	ck_assert_int_eq(gridstore_vo_add(st, "cms", two, 2, &err), PT_OK);
	ck_assert_int_eq(gridstore_vo_add(st, "atlas", NULL, 0, &err), PT_OK);
	ck_assert_int_eq(gridstore_vo_add(st, "atlas", NULL, 0, &err), PT_EXISTS);
	ck_assert_int_eq(gridstore_vo_add(st, "atlas", two, 1, &err), PT_EXISTS);
	ck_assert_ptr_nonnull(strstr(err.detail, URI_CMS));
	ck_assert_int_eq(gridstore_vo_add(st, "cms", two, 2, &err), PT_EXISTS);
	ck_assert_ptr_nonnull(strstr(err.detail, "already has these URIs"));
	ck_assert_int_eq(gridstore_vo_add(st, "bad name", NULL, 0, &err), PT_INVALID);
	ck_assert_int_eq(gridstore_vo_foreach(st, vo_cb, &s, &err), PT_OK);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.names[0], "atlas");
	ck_assert_int_eq(s.at[1], 0);
	import("cms", "cms.csv");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(gridstore_vo_get(st, "cms", vo_cb, &s, &err), PT_OK);
	ck_assert_int_eq(s.members[0], 5);
	ck_assert_int_ne(s.at[0], 0);
	ck_assert_int_eq(gridstore_vo_get(st, "nope", vo_cb, &s, &err), PT_NOTFOUND);
}
END_TEST

static int
snap_cb(const struct gs_snapshot *sn, void *ud)
{
	struct gs_snapshot *out = ud;

	if (out[0].id == 0)
		out[0] = (struct gs_snapshot){ .id = sn->id,
			                       .members = sn->members,
			                       .added = sn->added,
			                       .removed = sn->removed,
			                       .current = sn->current };
	else
		out[1] = (struct gs_snapshot){ .id = sn->id,
			                       .members = sn->members,
			                       .current = sn->current };
	return 0;
}

START_TEST(snapshots_and_diff)
{
	struct gm_members *m = NULL, *cur = NULL;
	struct gs_diff d = { 0 };
	struct gs_snapshot sn[2] = { { 0 } };
	struct pt_err err = { 0 };
	const char *v2 = "/C=CH/O=CERN/OU=GRID/CN=John Smith 1234\n/C=IT/O=INFN/CN=New Nina\n";

	vo("alice", URI_ALICE);
	import("alice", "alice.txt");
	ck_assert_int_eq(gridmap_members_parse("v2", v2, strlen(v2), &m, &err), PT_OK);
	ck_assert_int_eq(gridstore_vo_diff(st, "alice", m, &d, &err), PT_OK);
	ck_assert_uint_eq(d.nadded, 1);
	ck_assert_str_eq(d.added[0], "/C=IT/O=INFN/CN=New Nina");
	ck_assert_uint_ge(d.nremoved, 2);
	gridstore_diff_clear(&d);
	ck_assert_int_eq(gridstore_vo_import(st, "alice", m, "v2", "ab", &d, &err), PT_OK);
	ck_assert_uint_eq(d.members, 2);
	gridstore_diff_clear(&d);
	ck_assert_int_eq(gridstore_snapshot_foreach(st, "alice", snap_cb, sn, &err), PT_OK);
	ck_assert(sn[0].current);
	ck_assert(!sn[1].current);
	ck_assert_int_eq(sn[0].members, 2);
	ck_assert_int_eq(sn[0].added, 1);
	ck_assert_int_gt(sn[1].members, 2);
	ck_assert_int_eq(gridstore_vo_members(st, "alice", &cur, &err), PT_OK);
	ck_assert_uint_eq(cur->n, 2);
	ck_assert_str_eq(cur->v[1].dn, "/C=IT/O=INFN/CN=New Nina");
	gridmap_members_free(&cur);
	gridmap_members_free(&m);
}
END_TEST

START_TEST(rules_bad_file_changes_nothing)
{
	struct gs_ruleset *rs = NULL;
	struct pt_err err = { 0 };
	size_t len;
	char *buf = golden_slurp("bad-rule.conf", &len);

	host("ce01.example.org", "ce");
	rules("ce01.example.org", NULL, "mkgridmap.conf");
	ck_assert_int_eq(gridstore_rules_set(st, "ce01.example.org", NULL, "bad-rule.conf", buf,
	                                     len, &err),
	                 PT_INVALID);
	ck_assert_msg(strstr(err.detail, "bad-rule.conf:") != NULL, "%s", err.detail);
	free(buf);
	ck_assert_int_eq(gridstore_rules_for_host(st, "ce01.example.org", &rs, &err), PT_OK);
	ck_assert_str_eq(rs->source, "mkgridmap.conf");
	/* the seed file: nine groups, in file order, none imported */
	ck_assert_uint_eq(rs->nrules, 9);
	ck_assert_str_eq(rs->rules[0].kind, "group");
	ck_assert_str_eq(rs->rules[0].account, ".alice");
	ck_assert_uint_lt(rs->rules[0].line, rs->rules[1].line);
	ck_assert(!rs->rules[0].imported);
	gridstore_ruleset_free(&rs);
}
END_TEST

START_TEST(rules_by_group)
{
	struct gs_ruleset *rs = NULL;
	struct pt_err err = { 0 };

	host("ce01.example.org", "ce");
	host("se01.example.org", "se");
	ck_assert_int_eq(gridstore_rules_for_host(st, "ce01.example.org", &rs, &err), PT_NOTFOUND);
	rules(NULL, "ce", "site-acl.conf");
	ck_assert_int_eq(gridstore_rules_for_host(st, "ce01.example.org", &rs, &err), PT_OK);
	ck_assert_str_eq(rs->group, "ce");
	gridstore_ruleset_free(&rs);
	/* the host's own rules win over its group's */
	rules("ce01.example.org", NULL, "site-open.conf");
	ck_assert_int_eq(gridstore_rules_for_host(st, "ce01.example.org", &rs, &err), PT_OK);
	ck_assert_str_eq(rs->host, "ce01.example.org");
	gridstore_ruleset_free(&rs);
	ck_assert_int_eq(gridstore_rules_rm(st, "ce01.example.org", NULL, &err), PT_OK);
	ck_assert_int_eq(gridstore_rules_rm(st, "ce01.example.org", NULL, &err), PT_NOTFOUND);
	ck_assert_int_eq(gridstore_rules_for_host(st, "se01.example.org", &rs, &err), PT_NOTFOUND);
	ck_assert_int_eq(gridstore_rules_set(st, NULL, "nogroup", "x", "", 0, &err), PT_NOTFOUND);
}
END_TEST

START_TEST(build_matches_golden)
{
	struct gs_build *b = NULL;
	struct pt_err err = { 0 };
	size_t len;
	char *want = golden_slurp("site-open.grid-mapfile", &len);

	host("ce01.example.org", NULL);
	golden_site();
	rules("ce01.example.org", NULL, "site-open.conf");
	ck_assert_msg(gridstore_build(st, "ce01.example.org", &b, &err) == PT_OK, "%s", err.detail);
	ck_assert_str_eq(b->files[0].path, "grid-mapfile");
	ck_assert_str_eq(b->files[0].text, want);
	ck_assert_uint_eq(b->result->nmissing, 1); /* gone: never imported */
	ck_assert_uint_eq(b->nignored, 1);         /* gmf_local FILE */
	/* the grid-mapfile, then the voms-mapfile and ban-mapfile (always) */
	ck_assert_uint_eq(b->nfiles, 3);
	ck_assert_str_eq(b->files[1].path, "ban-mapfile");
	ck_assert_str_eq(b->files[2].path, "voms-mapfile");
	ck_assert_str_eq(b->files[2].text, "");
	ck_assert_uint_eq(strlen(b->sha256), 64);
	gridstore_build_free(&b);
	free(want);
}
END_TEST

START_TEST(voms_lsc_and_build_files)
{
	struct gs_build *b = NULL;
	struct pt_err err = { 0 };
	char *lsc = NULL, old[65];
	size_t len;
	char *want = golden_slurp("voms2.cern.ch.lsc", &len);
	const char *alt[] = { "/DC=ch/DC=cern/OU=computers/CN=voms2.cern.ch ; "
		              "/DC=ch/DC=cern/CN=CERN Grid Certification Authority;"
		              "/DC=ch/DC=cern/CN=CERN Root Certification Authority 2" };
	const char *bad[] = { "/DC=ch/CN=only-one" };

	host("ce01.example.org", NULL);
	golden_site();
	rules("ce01.example.org", NULL, "site-open.conf");
	ck_assert_int_eq(gridstore_build(st, "ce01.example.org", &b, &err), PT_OK);
	memcpy(old, b->sha256, sizeof(old));
	gridstore_build_free(&b);
	ck_assert_int_eq(gridstore_voms_add(st, "cms", "voms2.cern.ch",
	                                    "/DC=ch/DC=cern/OU=computers/CN=voms2.cern.ch",
	                                    "/DC=ch/DC=cern/CN=CERN Grid Certification Authority",
	                                    bad, 1, &err),
	                 PT_INVALID);
	ck_assert_int_eq(gridstore_voms_add(st, "cms", "voms2.cern.ch",
	                                    "/DC=ch/DC=cern/OU=computers/CN=voms2.cern.ch",
	                                    "/DC=ch/DC=cern/CN=CERN Grid Certification Authority",
	                                    alt, 1, &err),
	                 PT_OK);
	ck_assert_int_eq(gridstore_voms_lsc(st, "cms", "voms2.cern.ch", &lsc, &err), PT_OK);
	ck_assert_str_eq(lsc, want);
	free(lsc);
	ck_assert_int_eq(gridstore_voms_lsc(st, "cms", "nohost", &lsc, &err), PT_NOTFOUND);
	ck_assert_int_eq(gridstore_build(st, "ce01.example.org", &b, &err), PT_OK);
	ck_assert_uint_eq(b->nfiles, 5);
	ck_assert_str_eq(b->files[3].path, "vomsdir/cms/voms2.cern.ch.lsc");
	ck_assert_str_eq(b->files[3].text, want);
	ck_assert_str_eq(b->files[4].path, "vomses/cms-voms2.cern.ch");
	ck_assert_str_eq(b->files[4].text,
	                 "\"cms\" \"voms2.cern.ch\" \"15000\" "
	                 "\"/DC=ch/DC=cern/OU=computers/CN=voms2.cern.ch\" \"cms\"\n");
	ck_assert_str_ne(b->sha256, old);
	gridstore_build_free(&b);
	free(want);
}
END_TEST

START_TEST(fqan_maps_in_order)
{
	struct gs_build *b = NULL;
	struct pt_err err = { 0 };

	host("ce01.example.org", NULL);
	golden_site();
	rules("ce01.example.org", NULL, "site-open.conf");
	ck_assert_int_eq(gridstore_fqan_add(st, "cms", "/cms/Role=lcgadmin", "cmssgm", &err),
	                 PT_OK);
	ck_assert_int_eq(gridstore_fqan_add(st, "cms", "/cms", ".cms", &err), PT_OK);
	ck_assert_int_eq(gridstore_fqan_add(st, "cms", "/cms", "other", &err), PT_EXISTS);
	ck_assert_int_eq(gridstore_fqan_add(st, "cms", "/atlas", ".atlas", &err), PT_INVALID);
	ck_assert_int_eq(gridstore_fqan_add(st, "cms", "/cms//x", ".cms", &err), PT_INVALID);
	ck_assert_int_eq(gridstore_fqan_add(st, "cms", "/cms/\"x", ".cms", &err), PT_INVALID);
	ck_assert_int_eq(gridstore_fqan_add(st, "cms", "/cms/x", "9bad", &err), PT_INVALID);
	ck_assert_int_eq(gridstore_fqan_add(st, "nope", "/nope", ".x", &err), PT_NOTFOUND);
	ck_assert_int_eq(gridstore_build(st, "ce01.example.org", &b, &err), PT_OK);
	ck_assert_str_eq(b->files[2].path, "voms-mapfile");
	ck_assert_str_eq(b->files[2].text, "\"/cms/Role=lcgadmin\" cmssgm\n\"/cms\" .cms\n");
	ck_assert_str_eq(b->files[1].text, "\"/C=IT/O=INFN/CN=Banned Bob\"\n");
	gridstore_build_free(&b);
	ck_assert_int_eq(gridstore_fqan_rm(st, "cms", "/cms/Role=lcgadmin", &err), PT_OK);
	ck_assert_int_eq(gridstore_fqan_rm(st, "cms", "/cms/Role=lcgadmin", &err), PT_NOTFOUND);
	ck_assert_int_eq(gridstore_fqan_add(st, "cms", "/cms/Role=lcgadmin", "cmssgm", &err),
	                 PT_OK);
	ck_assert_int_eq(gridstore_build(st, "ce01.example.org", &b, &err), PT_OK);
	/* removed and added again: now last, after the catch-all */
	ck_assert_str_eq(b->files[2].text, "\"/cms\" .cms\n\"/cms/Role=lcgadmin\" cmssgm\n");
	gridstore_build_free(&b);
}
END_TEST

struct diff_seen {
	char line[8][160];
	int n;
};

static int
diff_cb(const struct gs_file_diff *d, void *ud)
{
	struct diff_seen *ds = ud;

	if (ds->n < 8)
		snprintf(ds->line[ds->n++], sizeof ds->line[0], "%s %d +%zu -%zu %s", d->path,
		         (int)d->state, d->nadded, d->nremoved, d->nadded ? d->added[0] : "");
	return 0;
}

START_TEST(push_diff_per_file)
{
	struct gs_build *b = NULL;
	struct pt_err err = { 0 };
	struct diff_seen ds = { 0 };

	host("ce01.example.org", NULL);
	golden_site();
	rules("ce01.example.org", NULL, "site-open.conf");
	ck_assert_int_eq(gridstore_build(st, "ce01.example.org", &b, &err), PT_OK);
	/* never pushed: every file new */
	ck_assert_int_eq(gridstore_push_diff(st, "ce01.example.org", b, diff_cb, &ds, &err), PT_OK);
	ck_assert_int_eq(ds.n, 3);
	ck_assert_str_eq(ds.line[1], "ban-mapfile 2 +1 -0 \"/C=IT/O=INFN/CN=Banned Bob\"");
	ck_assert_int_eq(gridstore_pushed_record(st, "ce01.example.org", b, NULL, &err), PT_OK);
	gridstore_build_free(&b);
	/* a mapping and a ban more; Bob unbanned */
	ck_assert_int_eq(gridstore_fqan_add(st, "cms", "/cms", ".cms", &err), PT_OK);
	ck_assert_int_eq(gridstore_unban(st, "/C=IT/O=INFN/CN=Banned Bob", &err), PT_OK);
	ck_assert_int_eq(gridstore_build(st, "ce01.example.org", &b, &err), PT_OK);
	memset(&ds, 0, sizeof ds);
	ck_assert_int_eq(gridstore_push_diff(st, "ce01.example.org", b, diff_cb, &ds, &err), PT_OK);
	ck_assert_int_eq(ds.n, 3);
	ck_assert_str_eq(ds.line[0], "grid-mapfile 1 +1 -0 \"/C=IT/O=INFN/CN=Banned Bob\" bob");
	ck_assert_str_eq(ds.line[1], "ban-mapfile 1 +0 -1 ");
	ck_assert_str_eq(ds.line[2], "voms-mapfile 1 +1 -0 \"/cms\" .cms");
	gridstore_build_free(&b);
}
END_TEST

static int
status_cb(const struct gs_push_status *p, void *ud)
{
	int *behind = ud;

	*behind = p->behind ? 1 : 0;
	return 0;
}

START_TEST(push_status)
{
	struct gs_build *b = NULL;
	struct pt_err err = { 0 };
	int behind = -1;

	host("ce01.example.org", NULL);
	golden_site();
	rules("ce01.example.org", NULL, "site-open.conf");
	ck_assert_int_eq(gridstore_push_status_foreach(st, status_cb, &behind, &err), PT_OK);
	ck_assert_int_eq(behind, 1);
	ck_assert_int_eq(gridstore_build(st, "ce01.example.org", &b, &err), PT_OK);
	ck_assert_int_eq(gridstore_push_record(st, "ce01.example.org", b->sha256, "ok", "", &err),
	                 PT_OK);
	gridstore_build_free(&b);
	ck_assert_int_eq(gridstore_push_status_foreach(st, status_cb, &behind, &err), PT_OK);
	ck_assert_int_eq(behind, 0);
	/* a new ban changes the build: the host is behind again */
	ck_assert_int_eq(gridstore_ban(st, "*/CN=John Smith*", &err), PT_OK);
	ck_assert_int_eq(gridstore_push_status_foreach(st, status_cb, &behind, &err), PT_OK);
	ck_assert_int_eq(behind, 1);
	ck_assert_int_eq(gridstore_ban(st, "*/CN=John Smith*", &err), PT_EXISTS);
	ck_assert_int_eq(gridstore_unban(st, "*/CN=John Smith*", &err), PT_OK);
	ck_assert_int_eq(gridstore_unban(st, "*/CN=John Smith*", &err), PT_NOTFOUND);
	ck_assert_int_eq(gridstore_push_status_foreach(st, status_cb, &behind, &err), PT_OK);
	ck_assert_int_eq(behind, 0);
}
END_TEST

struct status_seen {
	int n;
	char host[4][32];
	bool behind[4];
	char sha[4][65];
};

static int
status_all_cb(const struct gs_push_status *p, void *ud)
{
	struct status_seen *s = ud;

	snprintf(s->host[s->n], sizeof(s->host[0]), "%s", p->fqdn);
	snprintf(s->sha[s->n], sizeof(s->sha[0]), "%s", p->build_sha256);
	s->behind[s->n++] = p->behind;
	return 0;
}

START_TEST(push_status_per_host)
{
	struct status_seen s = { 0 };
	struct gs_build *b = NULL;
	struct pt_err err = { 0 };

	host("ce01.example.org", "ce");
	host("ce02.example.org", "ce");
	host("se01.example.org", NULL);
	golden_site();
	rules(NULL, "ce", "site-acl.conf");
	rules("se01.example.org", NULL, "site-open.conf");
	ck_assert_int_eq(gridstore_build(st, "ce02.example.org", &b, &err), PT_OK);
	ck_assert_int_eq(gridstore_push_record(st, "ce02.example.org", b->sha256, "ok", "", &err),
	                 PT_OK);
	gridstore_build_free(&b);
	ck_assert_int_eq(gridstore_push_status_foreach(st, status_all_cb, &s, &err), PT_OK);
	ck_assert_int_eq(s.n, 3);
	ck_assert_str_eq(s.host[0], "ce01.example.org");
	ck_assert(s.behind[0]);  /* never pushed */
	ck_assert(!s.behind[1]); /* ce02: pushed this build */
	ck_assert(s.behind[2]);
	ck_assert_str_eq(s.sha[0], s.sha[1]); /* one rule set, one build */
	ck_assert_str_ne(s.sha[0], s.sha[2]);
	/* a failed push does not make a host current */
	ck_assert_int_eq(gridstore_push_record(st, "ce01.example.org", s.sha[0], "failed", "x",
	                                       &err),
	                 PT_OK);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(gridstore_push_status_foreach(st, status_all_cb, &s, &err), PT_OK);
	ck_assert(s.behind[0]);
	ck_assert_int_eq(gridstore_push_record(st, "ce01.example.org", "x", "maybe", "", &err),
	                 PT_ERR);
}
END_TEST

START_TEST(local_entries_checked)
{
	struct pt_err err = { 0 };

	ck_assert_int_eq(gridstore_local_add(st, "/C=IT/CN=Q \"x\"", "q", &err), PT_INVALID);
	ck_assert_int_eq(gridstore_local_add(st, "no-slash", "q", &err), PT_INVALID);
	ck_assert_int_eq(gridstore_local_add(st, "/C=IT/CN=A", "bad account", &err), PT_INVALID);
	ck_assert_int_eq(gridstore_local_add(st, "/C=IT/CN=A", ".pool", &err), PT_OK);
	ck_assert_int_eq(gridstore_local_add(st, "/C=IT/CN=A", "other", &err), PT_EXISTS);
	ck_assert_int_eq(gridstore_local_rm(st, "/C=IT/CN=A", &err), PT_OK);
	ck_assert_int_eq(gridstore_local_rm(st, "/C=IT/CN=A", &err), PT_NOTFOUND);
}
END_TEST

START_TEST(changes_are_audited_and_need_a_transaction)
{
	struct pt_err err = { 0 };
	int64_t bad = -1, rows = 0;

	vo("alice", URI_ALICE);
	ck_assert_int_eq(gridstore_ban(st, "/C=X/CN=Y", &err), PT_OK);
	ck_assert_int_eq(store_commit(st, NULL), PT_OK);
	ck_assert_int_eq(audit_verify(st, &bad, &rows, &err), PT_OK);
	ck_assert_int_ge(rows, 3);
	ck_assert_int_eq(gridstore_vo_add(st, "cms", NULL, 0, &err), PT_ERR);
	ck_assert_int_eq(gridstore_ban(st, "/C=X/CN=Z", &err), PT_ERR);
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("gridstore");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, vo_add_and_list);
	tcase_add_test(tc, snapshots_and_diff);
	tcase_add_test(tc, rules_bad_file_changes_nothing);
	tcase_add_test(tc, rules_by_group);
	tcase_add_test(tc, build_matches_golden);
	tcase_add_test(tc, voms_lsc_and_build_files);
	tcase_add_test(tc, fqan_maps_in_order);
	tcase_add_test(tc, push_diff_per_file);
	tcase_add_test(tc, push_status);
	tcase_add_test(tc, push_status_per_host);
	tcase_add_test(tc, local_entries_checked);
	tcase_add_test(tc, changes_are_audited_and_need_a_transaction);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

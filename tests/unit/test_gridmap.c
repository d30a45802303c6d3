/* test_gridmap.c - member lists, mkgridmap rules, grid-mapfile, .lsc.
 *
 * The builds are compared byte for byte with the expected files under
 * tests/golden/ (found through $GOLDEN_DIR, else $srcdir/tests/golden as
 * automake sets srcdir for tests, else next to this source file).  Set
 * GOLDEN_UPDATE=1 to rewrite the expected files after a deliberate
 * change, then review the diff.  Error cases assert the whole message:
 * the point of them is to say which file and line is wrong.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid/lib.h"
#include "testutil.h"

#define URI_ALICE "ldap://grid-vo.nikhef.nl/ou=testbed1,o=alice,dc=eu-datagrid,dc=org"
#define URI_CMS "vomss://voms.cern.ch:8443/voms/cms"
#define URI_INFN "ldap://grid-vo.cnaf.infn.it/ou=testbed1,o=infn,c=it"
#define URI_GONE "vomss://voms.example.org:8443/voms/gone"

/* A string literal and its length, NULs inside included. */
#define LIT(s) s, sizeof(s) - 1

/* Compare with the expected file, or write it when GOLDEN_UPDATE=1. */
static void
expect_golden(const char *file, const char *text, size_t len)
{
	const char *upd = getenv("GOLDEN_UPDATE");
	char *want;
	size_t wlen;

	if (upd && strcmp(upd, "1") == 0) {
		char path[1200];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", golden_dir, file);
		f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(text, 1, len, f), len);
		fclose(f);
		return;
	}
	want = golden_slurp(file, &wlen);
	ck_assert_msg(wlen == len && memcmp(want, text, len) == 0, "%s differs; got:\n%.*s", file,
	              (int)len, text);
	free(want);
}

static struct gm_members *
members(const char *file)
{
	struct gm_members *m = NULL;
	struct pt_err err = { 0 };
	size_t len;
	char *buf = golden_slurp(file, &len);
	enum pt_status st = gridmap_members_parse(file, buf, len, &m, &err);

	ck_assert_msg(st == PT_OK, "%s: %s", file, err.detail);
	free(buf);
	return m;
}

static struct gm_rules *
rules_file(const char *file)
{
	struct gm_rules *r = NULL;
	struct pt_err err = { 0 };
	size_t len;
	char *buf = golden_slurp(file, &len);
	enum pt_status st = gridmap_rules_parse(file, buf, len, &r, &err);

	ck_assert_msg(st == PT_OK, "%s: %s", file, err.detail);
	free(buf);
	return r;
}

static struct gm_rules *
rules_text(const char *text)
{
	struct gm_rules *r = NULL;
	struct pt_err err = { 0 };
	enum pt_status st = gridmap_rules_parse("t.conf", text, strlen(text), &r, &err);

	ck_assert_msg(st == PT_OK, "%s", err.detail);
	return r;
}

static void
expect_rules_error(const char *name, const char *text, size_t len, const char *detail)
{
	struct gm_rules *r = (struct gm_rules *)1;
	struct pt_err err = { 0 };
	enum pt_status st = gridmap_rules_parse(name, text, len, &r, &err);

	ck_assert_int_eq(st, PT_INVALID);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(err.detail, detail);
}

static void
expect_members_error(const char *name, const char *text, size_t len, const char *detail)
{
	struct gm_members *m = (struct gm_members *)1;
	struct pt_err err = { 0 };
	enum pt_status st = gridmap_members_parse(name, text, len, &m, &err);

	ck_assert_int_eq(st, PT_INVALID);
	ck_assert_ptr_null(m);
	ck_assert_str_eq(err.detail, detail);
}

static void
expect_member(const struct gm_members *m, size_t i, const char *dn, const char *ca,
              const char *email)
{
	ck_assert_uint_gt(m->n, i);
	ck_assert_str_eq(m->v[i].dn, dn);
	if (ca)
		ck_assert_str_eq(m->v[i].ca, ca);
	else
		ck_assert_ptr_null(m->v[i].ca);
	if (email)
		ck_assert_str_eq(m->v[i].email, email);
	else
		ck_assert_ptr_null(m->v[i].email);
}

/* ---- member lists ---- */

START_TEST(plain_list)
{
	struct gm_members *m = members("alice.txt");

	ck_assert_int_eq(m->format, GM_FMT_PLAIN);
	ck_assert_uint_eq(m->n, 10);
	expect_member(m, 0, "/C=IT/O=INFN/OU=Personal Certificate/L=Padova/CN=Mario Rossi", NULL,
	              NULL);
	ck_assert_uint_eq(m->v[0].line, 2);
	expect_member(m, 2,
	              "/C=IT/O=INFN/OU=Personal Certificate/L=CNAF/CN=Vincenzo "
	              "Ciaschini/Email=vincenzo.ciaschini@cnaf.infn.it",
	              NULL, NULL);
	ck_assert_uint_eq(m->v[2].line, 5);
	expect_member(m, 4, "/C=DE/O=GermanGrid/OU=Uni K\xc3\xb6ln/CN=J\xc3\xbcrgen M\xc3\xbcller",
	              NULL, NULL);
	gridmap_members_free(&m);
	ck_assert_ptr_null(m);
	gridmap_members_free(&m);
}
END_TEST

START_TEST(csv_export)
{
	struct gm_members *m = members("cms.csv");

	ck_assert_int_eq(m->format, GM_FMT_CSV);
	ck_assert_uint_eq(m->n, 5);
	expect_member(m, 0, "/C=US/O=Acme, Inc./CN=Alice Comma", "/C=US/O=Acme, Inc./CN=Acme CA",
	              "alice@acme.example");
	expect_member(m, 2, "/C=IT/O=INFN/OU=Personal Certificate/L=Padova/CN=Mario Rossi",
	              "/C=IT/O=INFN/CN=INFN CA", NULL);
	ck_assert_uint_eq(m->v[2].line, 4);
	gridmap_members_free(&m);
}
END_TEST

START_TEST(csv_variants)
{
	struct gm_members *m = NULL;
	struct pt_err err = { 0 };
	/* No header; quoted fields with "" inside; CRLF. */
	static const char rows[] =
		"\"/C=IT/O=INFN/CN=A \"\"Nick\"\" B\",/C=IT/O=INFN/CN=INFN CA,a@b.it\r\n"
		"/C=IT/O=INFN/CN=C D,/C=IT/O=INFN/CN=INFN CA,\r\n";
	/* Header in another order, an unknown column. */
	static const char hdr[] = "Email,\"Certificate Issuer\",Subject,Created\n"
				  "x@y.org,/O=Grid/CN=CA,/O=Grid/CN=X Y,2024-01-01\n";

	ck_assert_int_eq(gridmap_members_parse("r.csv", rows, strlen(rows), &m, &err), PT_OK);
	ck_assert_int_eq(m->format, GM_FMT_CSV);
	ck_assert_uint_eq(m->n, 2);
	expect_member(m, 0, "/C=IT/O=INFN/CN=A \"Nick\" B", "/C=IT/O=INFN/CN=INFN CA", "a@b.it");
	expect_member(m, 1, "/C=IT/O=INFN/CN=C D", "/C=IT/O=INFN/CN=INFN CA", NULL);
	gridmap_members_free(&m);
	ck_assert_int_eq(gridmap_members_parse("h.csv", hdr, strlen(hdr), &m, &err), PT_OK);
	ck_assert_uint_eq(m->n, 1);
	expect_member(m, 0, "/O=Grid/CN=X Y", "/O=Grid/CN=CA", "x@y.org");
	gridmap_members_free(&m);
	expect_members_error("u.csv", LIT("DN,CA\n\"/O=Grid/CN=X,/O=Grid/CN=CA\n"),
	                     "u.csv:2: unterminated quoted field");
	expect_members_error("n.csv", LIT("DN,CA\nMario,/O=Grid/CN=CA\n"),
	                     "n.csv:2: DN \"Mario\" is not in /C=../CN=.. form");
}
END_TEST

START_TEST(ldif_export)
{
	struct gm_members *m = members("infn.ldif");

	ck_assert_int_eq(m->format, GM_FMT_LDIF);
	ck_assert_uint_eq(m->n, 3);
	/* Continued line joined; the first space of the continuation dropped. */
	expect_member(m, 0, "/C=IT/O=INFN/OU=Personal Certificate/L=Milano/CN=Franz Elmer", NULL,
	              "franz.elmer@mi.infn.it");
	ck_assert_uint_eq(m->v[0].line, 11);
	/* Base64 value, non-ASCII. */
	expect_member(m, 1,
	              "/C=IT/O=INFN/OU=Personal Certificate/L=Torino/CN=Anna Bianchi \xc3\x91",
	              "/C=IT/O=INFN/CN=INFN CA", NULL);
	expect_member(m, 2, "/C=IT/O=INFN/OU=Personal Certificate/L=Padova/CN=Mario Rossi", NULL,
	              NULL);
	gridmap_members_free(&m);
}
END_TEST

START_TEST(member_errors)
{
	size_t len;
	char *buf;

	buf = golden_slurp("neither.txt", &len);
	expect_members_error("neither.txt", buf, len,
	                     "neither.txt:2: not a member list: not one DN per line, not a "
	                     "VOMS-Admin CSV export, not LDIF");
	free(buf);
	buf = golden_slurp("broken.ldif", &len);
	expect_members_error("broken.ldif", buf, len,
	                     "broken.ldif:4: \"Elmer\" is not an attribute line (a continued line "
	                     "must start with one space)");
	free(buf);
	buf = golden_slurp("broken2.ldif", &len);
	expect_members_error("broken2.ldif", buf, len,
	                     "broken2.ldif:3: continuation line with no line to continue");
	free(buf);
	expect_members_error("t.ldif", LIT("dn: o=x\n\tcn: y\n"),
	                     "t.ldif:2: line starts with a tab (a continued line must start with "
	                     "one space)");
	expect_members_error("s.ldif", LIT("dn: o=x\nsubject:: !!!!\n"),
	                     "s.ldif:2: bad base64 value of subject");
	expect_members_error("a.ldif", LIT("version: 1\nsubject: /O=X/CN=Y\n"),
	                     "a.ldif:2: attribute subject before the record's dn:");
	expect_members_error("d.ldif", LIT("dn: o=x\nsubject: CN=Y,O=X\n"),
	                     "d.ldif:2: subject \"CN=Y,O=X\" is not in /C=../CN=.. form");
	expect_members_error("p.txt", LIT("/O=Grid/CN=A\nCN=B\n"),
	                     "p.txt:2: DN \"CN=B\" is not in /C=../CN=.. form");
	expect_members_error("z.txt", LIT("/O=Grid/CN=A\n/O=\0\n"),
	                     "z.txt:2: NUL byte: not a text file");
}
END_TEST

START_TEST(member_empty)
{
	struct gm_members *m = NULL;
	struct pt_err err = { 0 };

	ck_assert_int_eq(gridmap_members_parse("e", "# none\n\n", 8, &m, &err), PT_OK);
	ck_assert_uint_eq(m->n, 0);
	gridmap_members_free(&m);
	ck_assert_int_eq(gridmap_members_parse("e", "", 0, &m, &err), PT_OK);
	ck_assert_uint_eq(m->n, 0);
	gridmap_members_free(&m);
}
END_TEST

START_TEST(local_file)
{
	struct gm_members *m = NULL;
	struct pt_err err = { 0 };
	size_t len;
	char *buf = golden_slurp("grid-mapfile-local", &len);

	ck_assert_int_eq(gridmap_local_parse("grid-mapfile-local", buf, len, &m, &err), PT_OK);
	free(buf);
	ck_assert_uint_eq(m->n, 3);
	ck_assert_str_eq(m->v[0].dn, "/C=IT/O=INFN/OU=Personal Certificate/L=Bari/CN=Local Luigi");
	ck_assert_str_eq(m->v[0].account, "luigi");
	ck_assert_str_eq(m->v[2].dn, "/C=IT/O=INFN/CN=Unquoted_Ugo");
	ck_assert_str_eq(m->v[2].account, "ugo");
	gridmap_members_free(&m);
	ck_assert_int_eq(gridmap_local_parse("l", "\"/O=G/CN=A\" a b\n", 16, &m, &err), PT_INVALID);
	ck_assert_str_eq(err.detail, "l:1: \"a b\" is not an account name");
	ck_assert_int_eq(gridmap_local_parse("l", "\n\"/O=G/CN=A a\n", 14, &m, &err), PT_INVALID);
	ck_assert_str_eq(err.detail, "l:2: unterminated quote");
}
END_TEST

/* ---- rules ---- */

START_TEST(seed_conf)
{
	struct gm_rules *r = rules_file("mkgridmap.conf");

	ck_assert_uint_eq(r->ngroups, 9);
	ck_assert_str_eq(r->groups[0].uri, URI_ALICE);
	ck_assert_str_eq(r->groups[0].account, ".alice");
	ck_assert_uint_eq(r->groups[0].line, 3);
	ck_assert_str_eq(r->groups[8].uri, URI_INFN);
	ck_assert_str_eq(r->groups[8].account, ".infngrid");
	ck_assert_uint_eq(r->nacl, 0);
	ck_assert_uint_eq(r->nauths, 0);
	ck_assert_uint_eq(r->nlocal_files, 0);
	ck_assert_ptr_null(r->default_account);
	gridmap_rules_free(&r);
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(rules_syntax)
{
	struct gm_rules *r = rules_text(
		"  GROUP   vomss://voms.cnaf.infn.it:8443/voms/infngrid   # default account\n"
		"Default_LCLUser infngrid\n"
		"auth ldap://grid-vo.nikhef.nl/ou=People,o=gridpp,dc=eu-datagrid,dc=org\n"
		"Allow \"*/O=INFN/*#not a comment*\"\n"
		"deny \"*/CN=\\\"q\\\"*\"#comment\n"
		"allow *INFN*\n"
		"gmf_local /opt/edg/etc/grid-mapfile-local\n"
		"gmf_local \"/C=IT/O=INFN/CN=Local Luigi\" .luigi\n");

	ck_assert_uint_eq(r->ngroups, 1);
	ck_assert_str_eq(r->groups[0].account, "infngrid");
	ck_assert_str_eq(r->default_account, "infngrid");
	ck_assert_uint_eq(r->nauths, 1);
	ck_assert_uint_eq(r->nacl, 3);
	ck_assert_int_eq(r->acl[0].kind, GM_ALLOW);
	ck_assert_str_eq(r->acl[0].pattern, "*/O=INFN/*#not a comment*");
	ck_assert_int_eq(r->acl[1].kind, GM_DENY);
	ck_assert_str_eq(r->acl[1].pattern, "*/CN=\"q\"*");
	ck_assert_uint_eq(r->acl[1].line, 5);
	ck_assert_str_eq(r->acl[2].pattern, "*INFN*");
	ck_assert_uint_eq(r->nlocal_files, 1);
	ck_assert_str_eq(r->local_files[0], "/opt/edg/etc/grid-mapfile-local");
	ck_assert_uint_eq(r->local.n, 1);
	ck_assert_str_eq(r->local.v[0].dn, "/C=IT/O=INFN/CN=Local Luigi");
	ck_assert_str_eq(r->local.v[0].account, ".luigi");
	gridmap_rules_free(&r);
}
END_TEST

START_TEST(rules_errors)
{
	size_t len;
	char *buf;

	buf = golden_slurp("bad-rule.conf", &len);
	expect_rules_error("bad-rule.conf", buf, len,
	                   "bad-rule.conf:3: usage: group URI [lcluser]");
	free(buf);
	buf = golden_slurp("unknown-keyword.conf", &len);
	expect_rules_error("unknown-keyword.conf", buf, len,
	                   "unknown-keyword.conf:2: unknown keyword \"permit\"");
	free(buf);
	expect_rules_error("c", LIT("group ldap://x/o=y\n"),
	                   "c:1: group without lcluser and no default_lcluser");
	expect_rules_error("c", LIT("group grid-vo.nikhef.nl .alice\n"),
	                   "c:1: \"grid-vo.nikhef.nl\" is not a URI");
	expect_rules_error("c", LIT("group ldap://x/o=y .a!ice\n"),
	                   "c:1: \".a!ice\" is not an account name (NAME, or .NAME for a pool)");
	expect_rules_error("c", LIT("\nallow \"*INFN*\n"), "c:2: unterminated quote");
	expect_rules_error("c", LIT("allow \"*INFN*\"x\n"), "c:1: text after a closing quote");
	expect_rules_error("c", LIT("allow\n"), "c:1: usage: allow PATTERN");
	expect_rules_error("c", LIT("deny a b\n"), "c:1: usage: deny PATTERN");
	expect_rules_error("c", LIT("auth\n"), "c:1: usage: auth URI");
	expect_rules_error("c", LIT("default_lcluser a\ndefault_lcluser b\n"),
	                   "c:2: default_lcluser already set at line 1");
	expect_rules_error("c", LIT("gmf_local \"CN=x\" a\n"),
	                   "c:1: DN \"CN=x\" is not in /C=../CN=.. form");
	expect_rules_error("c", LIT("gmf_local a b c d\n"),
	                   "c:1: usage: gmf_local FILE, or gmf_local \"DN\" ACCOUNT");
}
END_TEST

/* ---- patterns ---- */

START_TEST(patterns)
{
	const char *dn = "/C=IT/O=INFN/OU=Personal Certificate/L=Padova/CN=Mario Rossi";

	ck_assert(gridmap_match("*INFN*", dn));
	ck_assert(gridmap_match("*infn*", dn));
	ck_assert(gridmap_match("/c=it/*", dn));
	ck_assert(gridmap_match("*Rossi", dn));
	ck_assert(!gridmap_match("*Ross", dn));
	ck_assert(!gridmap_match("INFN", dn));
	ck_assert(gridmap_match(dn, dn));
	ck_assert(gridmap_match("*", dn));
	ck_assert(gridmap_match("**/O=*/*/CN=*", dn));
	ck_assert(!gridmap_match("/C=IT*/C=IT*", dn));
	/* Only '*' is special. */
	ck_assert(!gridmap_match("/C=IT/O=INF?/*", dn));
	ck_assert(!gridmap_match("/C=IT/O=INFN/.*", dn));
	ck_assert(gridmap_match("a*a", "aa"));
	ck_assert(!gridmap_match("a*a*a", "aa"));
	ck_assert(gridmap_match("", ""));
}
END_TEST

/* ---- builds against golden files ---- */

struct fixture {
	struct gm_members *alice, *cms, *infn, *local, *bans;
	struct gm_source src[3];
	const char *ban[8];
	size_t nban;
};

static void
fixture_load(struct fixture *f)
{
	size_t i, len;
	char *buf;
	struct pt_err err = { 0 };

	memset(f, 0, sizeof(*f));
	f->alice = members("alice.txt");
	f->cms = members("cms.csv");
	f->infn = members("infn.ldif");
	f->bans = members("bans.txt");
	buf = golden_slurp("grid-mapfile-local", &len);
	ck_assert_int_eq(gridmap_local_parse("grid-mapfile-local", buf, len, &f->local, &err),
	                 PT_OK);
	free(buf);
	f->src[0] = (struct gm_source){ URI_INFN, f->infn };
	f->src[1] = (struct gm_source){ URI_ALICE, f->alice };
	f->src[2] = (struct gm_source){ URI_CMS, f->cms };
	for (i = 0; i < f->bans->n; i++)
		f->ban[f->nban++] = f->bans->v[i].dn;
}

static void
fixture_free(struct fixture *f)
{
	gridmap_members_free(&f->alice);
	gridmap_members_free(&f->cms);
	gridmap_members_free(&f->infn);
	gridmap_members_free(&f->local);
	gridmap_members_free(&f->bans);
}

static const struct gm_conflict *
find_conflict(const struct gm_result *res, const char *dn_part, const char *lost_account)
{
	size_t i;

	for (i = 0; i < res->nconflicts; i++)
		if (strstr(res->conflicts[i].dn, dn_part) &&
		    strcmp(res->conflicts[i].lost_account, lost_account) == 0)
			return &res->conflicts[i];
	return NULL;
}

START_TEST(build_open)
{
	struct fixture f;
	struct gm_rules *r = rules_file("site-open.conf");
	struct gm_result *res = NULL;
	struct pt_err err = { 0 };
	const struct gm_conflict *c;

	fixture_load(&f);
	ck_assert_int_eq(gridmap_build(r, f.src, 3, f.local, f.ban, f.nban, &res, &err), PT_OK);
	expect_golden("site-open.grid-mapfile", res->text, res->len);
	ck_assert_uint_eq(res->len, strlen(res->text));

	ck_assert_uint_eq(res->nmissing, 1);
	ck_assert_str_eq(res->missing[0], URI_GONE);
	ck_assert_uint_eq(res->ndenied, 1); /* Evil Eve */
	ck_assert_uint_eq(res->nbanned, 2); /* Bob: local and alice */
	ck_assert_uint_eq(res->nunauthorized, 0);
	ck_assert_uint_eq(res->nunsafe, 2);
	ck_assert_str_eq(res->unsafe[0].dn, "/DC=org/DC=example/CN=Quote \"Q\" User");
	ck_assert_str_eq(res->unsafe[0].why, "has a double quote");
	ck_assert_str_eq(res->unsafe[0].from, URI_ALICE);
	ck_assert_str_eq(res->unsafe[1].dn, "/DC=org/DC=example/CN=Trailing\\");
	ck_assert_str_eq(res->unsafe[1].why, "ends with a backslash");

	/* John Smith and Mario Rossi: in alice and cms, alice (first) wins. */
	ck_assert_uint_eq(res->nconflicts, 5);
	c = find_conflict(res, "John Smith", "cmsuser");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->kept_from, URI_ALICE);
	ck_assert_str_eq(c->kept_account, ".alice");
	ck_assert_str_eq(c->lost_from, URI_CMS);
	ck_assert_ptr_nonnull(find_conflict(res, "Mario Rossi", "cmsuser"));
	/* ...and in infn, by the default account. */
	ck_assert_ptr_nonnull(find_conflict(res, "Mario Rossi", ".dteam"));
	/* Local entries win over VOs. */
	c = find_conflict(res, "Local Luigi", "cmsuser");
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(c->kept_from);
	ck_assert_str_eq(c->kept_account, "luigi");
	c = find_conflict(res, "ce01.pd.infn.it", ".alice");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->kept_account, "ceadmin");

	gridmap_result_free(&res);
	ck_assert_ptr_null(res);
	gridmap_rules_free(&r);
	fixture_free(&f);
}
END_TEST

START_TEST(build_acl)
{
	struct fixture f;
	struct gm_rules *r = rules_file("site-acl.conf");
	struct gm_result *res = NULL;
	struct pt_err err = { 0 };

	fixture_load(&f);
	ck_assert_int_eq(gridmap_build(r, f.src, 3, NULL, f.ban, f.nban, &res, &err), PT_OK);
	expect_golden("site-acl.grid-mapfile", res->text, res->len);
	ck_assert_uint_eq(res->nmissing, 0);
	ck_assert_uint_eq(res->nbanned, 1);
	/* ce01: the deny before the allow of INFN decides.  John twice,
	 * Jürgen, Evil Eve, Back\slash, Élodie: no rule matches. */
	ck_assert_uint_eq(res->ndenied, 7);
	/* Mario: allowed by INFN before the deny of Padova. */
	ck_assert_uint_eq(res->nconflicts, 2);
	ck_assert_ptr_nonnull(find_conflict(res, "Mario Rossi", "cmsuser"));
	ck_assert_ptr_nonnull(find_conflict(res, "Mario Rossi", ".infngrid"));
	gridmap_result_free(&res);
	gridmap_rules_free(&r);
	fixture_free(&f);
}
END_TEST

START_TEST(build_auth)
{
	struct gm_rules *r = rules_text("group ldap://vo/o=a .a\n"
	                                "auth ldap://auth/ou=People\n"
	                                "auth ldap://auth2/ou=People\n");
	struct gm_members vo = { 0 }, au = { 0 };
	struct gm_member vm[2] = { { .dn = (char *)"/O=G/CN=In" },
		                   { .dn = (char *)"/O=G/CN=Out" } };
	struct gm_member am[1] = { { .dn = (char *)"/O=G/CN=In" } };
	struct gm_source src[2] = { { "ldap://vo/o=a", &vo }, { "ldap://auth/ou=People", &au } };
	struct gm_result *res = NULL;
	struct pt_err err = { 0 };

	vo.v = vm;
	vo.n = 2;
	au.v = am;
	au.n = 1;
	ck_assert_int_eq(gridmap_build(r, src, 2, NULL, NULL, 0, &res, &err), PT_OK);
	ck_assert_str_eq(res->text, "\"/O=G/CN=In\" .a\n");
	ck_assert_uint_eq(res->nunauthorized, 1);
	ck_assert_uint_eq(res->nmissing, 1);
	ck_assert_str_eq(res->missing[0], "ldap://auth2/ou=People");
	gridmap_result_free(&res);
	/* No auth list at all: fail closed. */
	ck_assert_int_eq(gridmap_build(r, src, 1, NULL, NULL, 0, &res, &err), PT_OK);
	ck_assert_str_eq(res->text, "");
	ck_assert_uint_eq(res->nlines, 0);
	ck_assert_uint_eq(res->nunauthorized, 2);
	gridmap_result_free(&res);
	gridmap_rules_free(&r);
}
END_TEST

START_TEST(build_unsafe)
{
	struct gm_rules *r = rules_text("group ldap://vo/o=a plain\n");
	struct gm_members vo = { 0 };
	struct gm_member vm[] = {
		{ .dn = (char *)"/O=G/CN=New\nLine" }, { .dn = (char *)"/O=G/CN=Tab\tX" },
		{ .dn = (char *)"/O=G/CN=Bad \xc3(" }, { .dn = (char *)"CN=x,O=G" },
		{ .dn = (char *)"/O=G/CN=Ok\\x" },     { .dn = (char *)"/O=G/CN=New\nLine" },
	};
	struct gm_source src = { "ldap://vo/o=a", &vo };
	struct gm_result *res = NULL;
	struct pt_err err = { 0 };

	vo.v = vm;
	vo.n = sizeof(vm) / sizeof(vm[0]);
	ck_assert_int_eq(gridmap_build(r, &src, 1, NULL, NULL, 0, &res, &err), PT_OK);
	ck_assert_str_eq(res->text, "\"/O=G/CN=Ok\\\\x\" plain\n");
	ck_assert_uint_eq(res->nunsafe, 4); /* the repeated one once */
	ck_assert_str_eq(res->unsafe[0].dn, "/O=G/CN=Bad \\xc3(");
	ck_assert_str_eq(res->unsafe[0].why, "is not valid UTF-8");
	ck_assert_str_eq(res->unsafe[1].dn, "/O=G/CN=New\\x0aLine");
	ck_assert_str_eq(res->unsafe[1].why, "has a control character");
	ck_assert_str_eq(res->unsafe[3].why, "not a DN in /C=../CN=.. form");
	gridmap_result_free(&res);
	gridmap_rules_free(&r);
}
END_TEST

START_TEST(build_empty)
{
	struct gm_rules *r = rules_text("# nothing\n");
	struct gm_result *res = NULL;
	struct pt_err err = { 0 };

	ck_assert_int_eq(gridmap_build(r, NULL, 0, NULL, NULL, 0, &res, &err), PT_OK);
	ck_assert_ptr_nonnull(res->text);
	ck_assert_str_eq(res->text, "");
	ck_assert_uint_eq(res->len, 0);
	gridmap_result_free(&res);
	gridmap_rules_free(&r);
}
END_TEST

/* ---- .lsc ---- */

START_TEST(lsc_check)
{
	const char *ns[] = { "/DC=ch/DC=cern" };
	struct gm_anchor a[] = {
		{ "/DC=ch/DC=cern/CN=Root", "/DC=ch/DC=cern/CN=Root", true, NULL, 0 },
		{ "/DC=ch/DC=cern/CN=Grid CA", "/DC=ch/DC=cern/CN=Root", false, ns, 1 },
		{ "/C=IT/CN=Orphan CA", "/C=IT/CN=Missing Root", false, NULL, 0 },
	};
	const char *ok[] = { "/DC=ch/DC=cern/OU=computers/CN=voms", "/DC=ch/DC=cern/CN=Grid CA" };
	const char *full[] = { "/DC=ch/DC=cern/OU=computers/CN=voms", "/DC=ch/DC=cern/CN=Grid CA",
		               "/DC=ch/DC=cern/CN=Root" };
	const char *wrong[] = { "/DC=ch/DC=cern/OU=computers/CN=voms", "/DC=ch/DC=cern/CN=Grid CA",
		                "/DC=ch/DC=cern/CN=Other Root" };
	const char *outside[] = { "/DC=ch/DC=cernx/CN=voms", "/DC=ch/DC=cern/CN=Grid CA" };
	const char *none[] = { "/DC=ch/DC=cern/CN=voms", "/DC=ch/DC=cern/CN=Unknown CA" };
	const char *orphan[] = { "/C=IT/CN=voms", "/C=IT/CN=Orphan CA" };
	char why[512];

	ck_assert_int_eq(gridmap_lsc_check(ok, 2, a, 3, why, sizeof why), GM_LSC_OK);
	ck_assert_int_eq(gridmap_lsc_check(full, 3, a, 3, why, sizeof why), GM_LSC_OK);
	ck_assert_int_eq(gridmap_lsc_check(wrong, 3, a, 3, why, sizeof why), GM_LSC_BROKEN);
	ck_assert_int_eq(gridmap_lsc_check(outside, 2, a, 3, why, sizeof why), GM_LSC_NAMESPACE);
	ck_assert_ptr_nonnull(strstr(why, "(/DC=ch/DC=cern)"));
	ck_assert_int_eq(gridmap_lsc_check(none, 2, a, 3, why, sizeof why), GM_LSC_NO_ANCHOR);
	ck_assert_int_eq(gridmap_lsc_check(orphan, 2, a, 3, why, sizeof why), GM_LSC_NO_ANCHOR);
	ck_assert_ptr_nonnull(strstr(why, "Missing Root"));
	ck_assert_int_eq(gridmap_lsc_check(ok, 1, a, 3, why, sizeof why), GM_LSC_BROKEN);
}
END_TEST

START_TEST(iam_listing)
{
	const char *j =
		"\xef\xbb\xbf {\"Resources\": [{\"emails\": [{\"value\": \"a@b.c\"}],"
		" \"urn:indigo-dc:scim:schemas:IndigoUser\": {\"certificates\": ["
		"{\"subjectDn\": \"CN=A\\\\, B,O=X,C=IT\", \"issuerDn\": \"CN=CA,C=IT\"}]}}]}";
	struct gm_members *m = NULL;
	struct pt_err err = { 0 };

	ck_assert_msg(gridmap_members_parse("iam.json", j, strlen(j), &m, &err) == PT_OK, "%s",
	              err.detail);
	ck_assert_int_eq(m->format, GM_FMT_IAM);
	ck_assert_uint_eq(m->n, 1);
	ck_assert_str_eq(m->v[0].dn, "/C=IT/O=X/CN=A, B");
	ck_assert_str_eq(m->v[0].ca, "/C=IT/CN=CA");
	ck_assert_str_eq(m->v[0].email, "a@b.c");
	gridmap_members_free(&m);
	ck_assert_int_eq(gridmap_members_parse("x.json", "{\"Resources\": 3}", 16, &m, &err),
	                 PT_INVALID);
	ck_assert_ptr_null(m);
}
END_TEST

START_TEST(authz_texts)
{
	struct pt_err err = { 0 };
	const char *bans[] = { "/C=IT/CN=A\\B", "/C=IT/CN=Q\"uote", "/C=IT/CN=*" };
	struct gm_fqan_map maps[] = { { "/cms/Role=lcgadmin", "cmssgm" }, { "/cms", ".cms" } };
	struct gm_vomses v = { "cms", "voms2.cern.ch", 15002,
		               "/DC=ch/DC=cern/OU=computers/CN=voms2.cern.ch", "cms" };
	char *out = NULL;
	size_t skipped = 9;

	ck_assert_int_eq(gridmap_ban_mapfile(NULL, 0, &out, &skipped, &err), PT_OK);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(skipped, 0);
	free(out);
	ck_assert_int_eq(gridmap_ban_mapfile(bans, 3, &out, &skipped, &err), PT_OK);
	ck_assert_str_eq(out, "\"/C=IT/CN=A\\\\B\"\n\"/C=IT/CN=*\"\n");
	ck_assert_uint_eq(skipped, 1);
	free(out);
	ck_assert_int_eq(gridmap_voms_mapfile(maps, 2, &out, &err), PT_OK);
	ck_assert_str_eq(out, "\"/cms/Role=lcgadmin\" cmssgm\n\"/cms\" .cms\n");
	free(out);
	ck_assert_int_eq(gridmap_vomses_line(&v, &out, &err), PT_OK);
	ck_assert_str_eq(out, "\"cms\" \"voms2.cern.ch\" \"15002\" "
	                      "\"/DC=ch/DC=cern/OU=computers/CN=voms2.cern.ch\" \"cms\"\n");
	free(out);
	ck_assert_int_eq(gridmap_check_fqan("cms", "/cms/Role=NULL/Capability=NULL", &err), PT_OK);
	ck_assert_int_eq(gridmap_check_fqan("cms", "/cms/*", &err), PT_OK);
	ck_assert_int_eq(gridmap_check_fqan("cms", "/cmsx", &err), PT_INVALID);
	ck_assert_int_eq(gridmap_check_fqan("cms", "/cms/", &err), PT_INVALID);
	ck_assert_int_eq(gridmap_check_fqan("cms", "cms", &err), PT_INVALID);
	ck_assert_int_eq(gridmap_check_fqan("cms", "/cms/a b", &err), PT_INVALID);
}
END_TEST

START_TEST(lsc)
{
	static const struct gm_cert direct[] = {
		{ "/DC=ch/DC=cern/OU=computers/CN=voms2.cern.ch",
		  "/DC=ch/DC=cern/CN=CERN Grid Certification Authority" },
	};
	static const struct gm_cert via[] = {
		{ "/DC=ch/DC=cern/OU=computers/CN=voms2.cern.ch",
		  "/DC=ch/DC=cern/CN=CERN Grid Certification Authority" },
		{ "/DC=ch/DC=cern/CN=CERN Grid Certification Authority",
		  "/DC=ch/DC=cern/CN=CERN Root Certification Authority 2" },
		{ "/DC=ch/DC=cern/CN=CERN Root Certification Authority 2",
		  "/DC=ch/DC=cern/CN=CERN Root Certification Authority 2" },
	};
	static const struct gm_cert broken[] = {
		{ "/CN=voms", "/CN=CA one" },
		{ "/CN=CA two", "/CN=CA two" },
	};
	static const struct gm_cert nl[] = { { "/CN=voms\n", "/CN=CA" } };
	const struct gm_chain chains[] = { { direct, 1 }, { via, 3 } };
	struct gm_chain bad = { broken, 2 };
	struct pt_err err = { 0 };
	char *text = NULL;

	ck_assert_int_eq(gridmap_lsc(chains, 2, &text, &err), PT_OK);
	expect_golden("voms2.cern.ch.lsc", text, strlen(text));
	free(text);
	ck_assert_int_eq(gridmap_lsc(chains, 1, &text, &err), PT_OK);
	ck_assert_str_eq(text, "/DC=ch/DC=cern/OU=computers/CN=voms2.cern.ch\n"
	                       "/DC=ch/DC=cern/CN=CERN Grid Certification Authority\n");
	free(text);
	ck_assert_int_eq(gridmap_lsc(&bad, 1, &text, &err), PT_INVALID);
	ck_assert_ptr_null(text);
	ck_assert_str_eq(err.detail, "chain 1: certificate 1 is issued by \"/CN=CA one\", but "
	                             "certificate 2 is \"/CN=CA two\"");
	bad.certs = nl;
	bad.n = 1;
	ck_assert_int_eq(gridmap_lsc(&bad, 1, &text, &err), PT_INVALID);
	ck_assert_str_eq(err.detail,
	                 "chain 1, certificate 1: subject \"/CN=voms\\x0a\" has a control "
	                 "character");
	bad.n = 0;
	ck_assert_int_eq(gridmap_lsc(&bad, 1, &text, &err), PT_INVALID);
	ck_assert_str_eq(err.detail, "chain 1 is empty");
	ck_assert_int_eq(gridmap_lsc(NULL, 0, &text, &err), PT_INVALID);
	ck_assert_str_eq(err.detail, "no certificate chain");
}
END_TEST

static Suite *
gridmap_suite(void)
{
	Suite *s = suite_create("gridmap");
	TCase *tc = tcase_create("members");

	tcase_add_test(tc, plain_list);
	tcase_add_test(tc, csv_export);
	tcase_add_test(tc, csv_variants);
	tcase_add_test(tc, ldif_export);
	tcase_add_test(tc, member_errors);
	tcase_add_test(tc, member_empty);
	tcase_add_test(tc, local_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("rules");
	tcase_add_test(tc, seed_conf);
	tcase_add_test(tc, rules_syntax);
	tcase_add_test(tc, rules_errors);
	tcase_add_test(tc, patterns);
	suite_add_tcase(s, tc);
	tc = tcase_create("build");
	tcase_add_test(tc, build_open);
	tcase_add_test(tc, build_acl);
	tcase_add_test(tc, build_auth);
	tcase_add_test(tc, build_unsafe);
	tcase_add_test(tc, build_empty);
	tcase_add_test(tc, lsc);
	tcase_add_test(tc, authz_texts);
	tcase_add_test(tc, lsc_check);
	tcase_add_test(tc, iam_listing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	find_golden();
	sr = srunner_create(gridmap_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

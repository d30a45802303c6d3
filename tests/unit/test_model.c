/* test_model.c - hosts, groups, credentials, history, generated secrets. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store/lib.h"
#include "site/lib.h"
#include "base/lib.h"
#include "testutil.h"

static struct store *st;

static void
setup(void)
{
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

static int64_t
host(const char *fqdn, const char *group)
{
	const char *groups[] = { group };
	char *names[] = { (char *)fqdn };
	int64_t id;

	ck_assert_int_eq(model_host_add(st, fqdn, NULL, 22, groups, group ? 1 : 0, NULL), PT_OK);
	ck_assert_int_eq(model_host_ids(st, names, 1, &id, NULL), PT_OK);
	return id;
}

static int
count_cb(const void *x, void *ud)
{
	(void)x;
	(*(int *)ud)++;
	return 0;
}

START_TEST(host_add_validates)
{
	struct pt_err err = { 0 };
	const char *bad_group[] = { "no spaces" };

	host("ce01.example.org", "ce");
	ck_assert_int_eq(model_host_add(st, "ce01.example.org", NULL, 22, NULL, 0, &err),
	                 PT_EXISTS);
	ck_assert_ptr_nonnull(strstr(err.detail, "already exists"));
	ck_assert_int_eq(model_host_add(st, "x.example.org", "300.1.1.1", 22, NULL, 0, &err),
	                 PT_INVALID);
	ck_assert_ptr_nonnull(strstr(err.detail, "300.1.1.1"));
	ck_assert_int_eq(model_host_add(st, "x.example.org", NULL, 70000, NULL, 0, &err),
	                 PT_INVALID);
	ck_assert_int_eq(model_host_add(st, "x.example.org", NULL, 22, bad_group, 1, &err),
	                 PT_INVALID);
	ck_assert_int_eq(model_host_add(st, "v6.example.org", "2001:db8::1", 2222, NULL, 0, &err),
	                 PT_OK);
}
END_TEST

START_TEST(groups_resolve_members)
{
	int64_t *ids;
	char **names;
	size_t n;
	struct pt_err err = { 0 };
	int groups = 0;

	host("wn002.example.org", "wn");
	host("wn001.example.org", "wn");
	host("ce.example.org", "ce");
	ck_assert_int_eq(model_group_hosts(st, "wn", &ids, &names, &n, NULL), PT_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[0], "wn001.example.org");
	ck_assert_str_eq(names[1], "wn002.example.org");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(ids);
	ck_assert_int_eq(model_group_hosts(st, "nope", &ids, &names, &n, &err), PT_NOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.detail, "nope"));
	ck_assert_int_eq(model_group_foreach(st,
	                                     (int (*)(const struct group_info *, void *))count_cb,
	                                     &groups, NULL),
	                 PT_OK);
	ck_assert_int_eq(groups, 2);
}
END_TEST

START_TEST(credential_lifecycle)
{
	int64_t ids[2], id, found;
	char *secret = NULL;
	size_t len;
	int versions = 0;

	ids[0] = host("a.example.org", NULL);
	ids[1] = host("b.example.org", NULL);
	ck_assert_int_eq(model_pw_add(st, "root", "{a,b}.example.org", "ssh", ids, 2, "first", 5,
	                              &id, NULL),
	                 PT_OK);
	/* found by the spec as written, and by each single host */
	ck_assert_int_eq(model_pw_find(st, "root", "{a,b}.example.org", "ssh", ids, 2, &found,
	                               NULL),
	                 PT_OK);
	ck_assert_int_eq(found, id);
	ck_assert_int_eq(model_pw_find(st, "root", "b.example.org", "ssh", &ids[1], 1, &found,
	                               NULL),
	                 PT_OK);
	ck_assert_int_eq(found, id);
	ck_assert_int_eq(model_pw_update(st, id, "second", 6, NULL), PT_OK);
	ck_assert_int_eq(model_pw_secret(st, id, 0, &secret, &len, NULL), PT_OK);
	ck_assert_uint_eq(len, 6);
	ck_assert_str_eq(secret, "second");
	ck_assert(secmem_size(secret) > 0); /* it lives in secure memory */
	secmem_freep(&secret);
	ck_assert_int_eq(model_pw_secret(st, id, 1, &secret, &len, NULL), PT_OK);
	ck_assert_str_eq(secret, "first");
	secmem_freep(&secret);
	ck_assert_int_eq(model_pw_history(st, id,
	                                  (int (*)(const struct credential_version *,
	                                           void *))count_cb,
	                                  &versions, NULL),
	                 PT_OK);
	ck_assert_int_eq(versions, 2);
	ck_assert_int_eq(model_pw_rm(st, id, NULL), PT_OK);
	ck_assert_int_eq(model_pw_find(st, "root", "a.example.org", "ssh", ids, 1, &found, NULL),
	                 PT_NOTFOUND);
	ck_assert_int_eq(model_pw_secret(st, id, 1, &secret, &len, NULL), PT_NOTFOUND);
}
END_TEST

START_TEST(one_secret_per_host_user_service)
{
	int64_t a = host("a.example.org", NULL), id;
	struct pt_err err = { 0 };

	ck_assert_int_eq(model_pw_add(st, "root", "a.example.org", "ssh", &a, 1, "x", 1, &id, NULL),
	                 PT_OK);
	ck_assert_int_eq(model_pw_add(st, "root", "{a,b}.example.org", "ssh", &a, 1, "y", 1, &id,
	                              &err),
	                 PT_EXISTS);
	ck_assert_ptr_nonnull(strstr(err.detail, "a.example.org"));
	/* another service on the same host is fine */
	ck_assert_int_eq(model_pw_add(st, "root", "a.example.org", "mysql", &a, 1, "z", 1, &id,
	                              NULL),
	                 PT_OK);
	ck_assert_int_eq(model_pw_add(st, "root", "a.example.org", "ftp", &a, 1, "", 0, &id, &err),
	                 PT_INVALID);
}
END_TEST

START_TEST(host_with_passwords_is_not_removed)
{
	int64_t a = host("a.example.org", NULL), id;
	struct pt_err err = { 0 };

	ck_assert_int_eq(model_pw_add(st, "root", "a.example.org", "ssh", &a, 1, "x", 1, &id, NULL),
	                 PT_OK);
	ck_assert_int_eq(model_host_rm(st, "a.example.org", &err), PT_REFUSED);
	ck_assert_ptr_nonnull(strstr(err.detail, "password"));
	ck_assert_int_eq(model_pw_rm(st, id, NULL), PT_OK);
	ck_assert_int_eq(model_host_rm(st, "a.example.org", NULL), PT_OK);
	ck_assert_int_eq(model_host_rm(st, "a.example.org", &err), PT_NOTFOUND);
}
END_TEST

struct audit_seen {
	int rows;
	int leaked;
};

static int
audit_scan(const struct audit_row *r, void *ud)
{
	struct audit_seen *s = ud;

	s->rows++;
	if (strstr(r->detail, "hunter2") || strstr(r->object, "hunter2"))
		s->leaked = 1;
	return 0;
}

START_TEST(changes_are_audited_without_secrets)
{
	int64_t a = host("a.example.org", NULL), id;
	struct audit_seen seen = { 0, 0 };

	ck_assert_int_eq(model_pw_add(st, "root", "a.example.org", "ssh", &a, 1, "hunter2", 7, &id,
	                              NULL),
	                 PT_OK);
	ck_assert_int_eq(model_pw_update(st, id, "hunter22", 8, NULL), PT_OK);
	ck_assert_int_eq(audit_foreach(st, audit_scan, &seen, NULL), PT_OK);
	ck_assert_int_eq(seen.rows, 3); /* host.add, pw.add, pw.update */
	ck_assert_int_eq(seen.leaked, 0);
}
END_TEST

START_TEST(changes_need_a_transaction)
{
	struct pt_err err = { 0 };

	store_rollback(st);
	ck_assert_int_eq(model_host_add(st, "a.example.org", NULL, 22, NULL, 0, &err), PT_ERR);
	ck_assert_ptr_nonnull(strstr(err.detail, "transaction"));
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
}
END_TEST

/* Pages collect FQDNs (or entries) into one string. */
struct pagebuf {
	char text[512];
	int n;
};

static int
page_host_cb(const struct host *h, void *ud)
{
	struct pagebuf *p = ud;

	strcat(p->text, h->fqdn);
	strcat(p->text, " ");
	p->n++;
	return 0;
}

static int
page_pw_cb(const struct credential *c, void *ud)
{
	struct pagebuf *p = ud;
	char e[128];

	snprintf(e, sizeof e, "%s@%s:%s ", c->user, c->hostspec, c->service);
	strcat(p->text, e);
	p->n++;
	return 0;
}

START_TEST(host_pages)
{
	struct pagebuf p = { "", 0 };
	const char *groups[] = { "Grid", "wn" };
	int64_t id, pw;

	host("c.example.org", "ce");
	host("a.example.org", NULL);
	host("b.example.org", "se");
	ck_assert_int_eq(model_host_add(st, "d.example.org", "10.1.2.3", 2222, groups, 2, NULL),
	                 PT_OK);
	id = host("e.example.org", NULL);
	ck_assert_int_eq(model_pw_add(st, "root", "e.example.org", "ssh", &id, 1, "s", 1, &pw,
	                              NULL),
	                 PT_OK);
	/* after a key, with a limit: a keyset page in FQDN order */
	ck_assert_int_eq(model_host_page(st, NULL, NULL, 2, page_host_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "a.example.org b.example.org ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_host_page(st, NULL, "b.example.org", 2, page_host_cb, &p, NULL),
	                 PT_OK);
	ck_assert_str_eq(p.text, "c.example.org d.example.org ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_host_page(st, NULL, "d.example.org", 0, page_host_cb, &p, NULL),
	                 PT_OK);
	ck_assert_str_eq(p.text, "e.example.org ");
	/* a key that is no row any more still places the page */
	p.text[0] = '\0';
	ck_assert_int_eq(model_host_page(st, NULL, "b.zzz", 0, page_host_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "c.example.org d.example.org e.example.org ");
	/* the filter: any shown column, any case */
	static const struct {
		const char *filter, *want;
	} f[] = {
		{ "C.EXAMPLE", "c.example.org " },
		{ "10.1.2", "d.example.org " },
		{ "2222", "d.example.org " },
		{ "grid,w", "d.example.org " }, /* the groups as shown: "Grid,wn" */
		{ "SE", "b.example.org " },
		{ "1", "d.example.org e.example.org " }, /* the address; one password */
		{ "nothing", "" },
	};
	for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
		p.text[0] = '\0';
		ck_assert_int_eq(model_host_page(st, f[i].filter, NULL, 0, page_host_cb, &p, NULL),
		                 PT_OK);
		ck_assert_str_eq(p.text, f[i].want);
	}
	p.text[0] = '\0';
	ck_assert_int_eq(model_host_page(st, "example", "c.example.org", 1, page_host_cb, &p, NULL),
	                 PT_OK);
	ck_assert_str_eq(p.text, "d.example.org ");
}
END_TEST

START_TEST(pw_pages)
{
	struct pagebuf p = { "", 0 };
	int64_t ids[2], id;
	struct credential after = { .user = "root", .hostspec = "a.example.org", .service = "ssh" };

	ids[0] = host("a.example.org", NULL);
	ids[1] = host("b.example.org", NULL);
	ck_assert_int_eq(model_pw_add(st, "root", "b.example.org", "ssh", &ids[1], 1, "s", 1, &id,
	                              NULL),
	                 PT_OK);
	ck_assert_int_eq(model_pw_add(st, "root", "a.example.org", "ssh", &ids[0], 1, "s", 1, &id,
	                              NULL),
	                 PT_OK);
	ck_assert_int_eq(model_pw_add(st, "admin", "a.example.org", "web", &ids[0], 1, "s", 1, &id,
	                              NULL),
	                 PT_OK);
	ck_assert_int_eq(model_pw_add(st, "root", "a.example.org", "db", &ids[0], 1, "s", 1, &id,
	                              NULL),
	                 PT_OK);
	ck_assert_int_eq(model_pw_page(st, NULL, NULL, 0, page_pw_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text,
	                 "admin@a.example.org:web root@a.example.org:db root@a.example.org:ssh "
	                 "root@b.example.org:ssh ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_pw_page(st, NULL, &after, 0, page_pw_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "root@b.example.org:ssh ");
	after.service = "db";
	p.text[0] = '\0';
	ck_assert_int_eq(model_pw_page(st, NULL, &after, 1, page_pw_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "root@a.example.org:ssh ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_pw_page(st, "ADMIN@", NULL, 0, page_pw_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "admin@a.example.org:web ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_pw_page(st, "B.EXAMPLE.ORG:s", NULL, 0, page_pw_cb, &p, NULL),
	                 PT_OK);
	ck_assert_str_eq(p.text, "root@b.example.org:ssh ");
	/* digits also match the version, the host count and the date */
	p.n = 0;
	ck_assert_int_eq(model_pw_page(st, "20", NULL, 0, page_pw_cb, &p, NULL), PT_OK);
	ck_assert_int_eq(p.n, 4);
	p.n = 0;
	ck_assert_int_eq(model_pw_page(st, "7", &after, 0, page_pw_cb, &p, NULL), PT_OK);
	ck_assert_int_eq(p.n, 0);
	/* a page after a key is a range of the list's index, not a sort of
	 * every entry (model_pw_page's inner query) */
	{
		sqlite3_stmt *q = NULL;
		char plan[512] = "";
		ck_assert_int_eq(sqlite3_prepare_v2(
					 store_db(st),
					 "EXPLAIN QUERY PLAN SELECT c.id FROM credentials c WHERE 1"
					 " AND (c.hostspec, c.user, c.service) > (?1, ?2, ?3)"
					 " ORDER BY c.hostspec, c.user, c.service LIMIT 22",
					 -1, &q, NULL),
		                 SQLITE_OK);
		while (sqlite3_step(q) == SQLITE_ROW)
			strncat(plan, (const char *)sqlite3_column_text(q, 3),
			        sizeof plan - strlen(plan) - 1);
		sqlite3_finalize(q);
		ck_assert_msg(strstr(plan, "credentials_list") && !strstr(plan, "TEMP B-TREE"),
		              "%s", plan);
	}
}
END_TEST

static int
glance_cb(const struct cert_glance *c, void *ud)
{
	struct pagebuf *p = ud;
	char e[128];

	snprintf(e, sizeof e, "%s:%lld ", c->fqdn, (long long)c->not_after);
	strcat(p->text, e);
	p->n++;
	return 0;
}

START_TEST(current_certificates_only)
{
	struct pagebuf p = { "", 0 };

	host("a.example.org", NULL);
	host("b.example.org", NULL);
	ck_assert_int_eq(
		store_exec(
			st,
			"INSERT INTO keys (id, host_id, type, key_pem, key_id, origin, created_at) VALUES"
			" (1, 1, 'ec:p256', x'00', 'k1', 'generated', 0), (2, 2, 'ec:p256', x'00', 'k2', 'generated', 0);"
			"INSERT INTO certificates (host_id, fqdn, key_ref, subject, issuer, serial, not_before,"
			" not_after, sha256, state, imported_at) VALUES"
			" (1, 'a.example.org', 1, 's', 'i', '1', 0, 100, 'h1', 'superseded', 0),"
			" (1, 'a.example.org', 1, 's', 'i', '2', 0, 200, 'h2', 'current', 0),"
			" (2, 'b.example.org', 2, 's', 'i', '3', 0, 300, 'h3', 'superseded', 0)",
			NULL),
		PT_OK);
	ck_assert_int_eq(model_cert_current_foreach(st, glance_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "a.example.org:200 ");
}
END_TEST

static int
audit_page_cb(const struct audit_row *r, void *ud)
{
	struct pagebuf *p = ud;
	char e[160];

	snprintf(e, sizeof e, "%lld:%s:%s ", (long long)r->id, r->action, r->object);
	strcat(p->text, e);
	p->n++;
	return 0;
}

START_TEST(audit_pages)
{
	struct pagebuf p = { "", 0 };

	host("a.example.org", NULL); /* rows 1, 2, 3: host.add each */
	host("b.example.org", NULL);
	host("c.example.org", NULL);
	ck_assert_int_eq(model_audit_page(st, NULL, 0, 2, audit_page_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "3:host.add:c.example.org 2:host.add:b.example.org ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_audit_page(st, NULL, 2, 0, audit_page_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "1:host.add:a.example.org ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_audit_page(st, "B.EXAMPLE", 0, 0, audit_page_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "2:host.add:b.example.org ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_audit_page(st, "3", 0, 0, audit_page_cb, &p, NULL), PT_OK);
	ck_assert_ptr_nonnull(
		strstr(p.text, "3:host.add:c.example.org ")); /* the id (or the time) */
	p.text[0] = '\0';
	ck_assert_int_eq(model_audit_page(st, "nothing", 0, 0, audit_page_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "");
	/* LIKE's own characters are text: "_" is no wildcard, "%" no "any" */
	ck_assert_int_eq(model_audit_page(st, "host_add", 0, 0, audit_page_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "");
	ck_assert_int_eq(model_audit_page(st, "c.%", 0, 0, audit_page_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "");
	ck_assert_int_eq(model_audit_page(st, "HOST.ADD", 0, 2, audit_page_cb, &p, NULL), PT_OK);
	ck_assert_str_eq(p.text, "3:host.add:c.example.org 2:host.add:b.example.org ");
	/* the other way (the console's page-up and End): newer than an id,
	 * nearest first, from the oldest when none */
	p.text[0] = '\0';
	ck_assert_int_eq(model_audit_page_newer_kind(st, NULL, NULL, 0, 2, audit_page_cb, &p, NULL),
	                 PT_OK);
	ck_assert_str_eq(p.text, "1:host.add:a.example.org 2:host.add:b.example.org ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_audit_page_newer_kind(st, NULL, NULL, 1, 0, audit_page_cb, &p, NULL),
	                 PT_OK);
	ck_assert_str_eq(p.text, "2:host.add:b.example.org 3:host.add:c.example.org ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_audit_page_newer_kind(st, NULL, "c.example", 1, 0, audit_page_cb, &p,
	                                             NULL),
	                 PT_OK);
	ck_assert_str_eq(p.text, "3:host.add:c.example.org ");
	p.text[0] = '\0';
	ck_assert_int_eq(model_audit_page_newer_kind(st, "pw", NULL, 0, 0, audit_page_cb, &p, NULL),
	                 PT_OK);
	ck_assert_str_eq(p.text, "");
	/* the count the console opens the trail with: the chain's own */
	int64_t n = -1;
	ck_assert_int_eq(audit_count(st, &n, NULL), PT_OK);
	ck_assert_int_eq(n, 3);
}
END_TEST

START_TEST(generated_secrets)
{
	char *a = NULL, *b = NULL;
	struct pt_err err = { 0 };

	ck_assert_int_eq(model_generate_secret(24, &a, NULL), PT_OK);
	ck_assert_int_eq(model_generate_secret(24, &b, NULL), PT_OK);
	ck_assert_uint_eq(strlen(a), 24);
	ck_assert_str_ne(a, b);
	for (const char *p = a; *p; p++)
		ck_assert_msg(!strchr("0O1lI \"'\\", *p), "look-alike or quoting character %c", *p);
	secmem_free(a);
	secmem_free(b);
	ck_assert_int_eq(model_generate_secret(4, &a, &err), PT_INVALID);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, host_add_validates);
	tcase_add_test(tc, groups_resolve_members);
	tcase_add_test(tc, credential_lifecycle);
	tcase_add_test(tc, one_secret_per_host_user_service);
	tcase_add_test(tc, host_with_passwords_is_not_removed);
	tcase_add_test(tc, changes_are_audited_without_secrets);
	tcase_add_test(tc, changes_need_a_transaction);
	tcase_add_test(tc, host_pages);
	tcase_add_test(tc, pw_pages);
	tcase_add_test(tc, current_certificates_only);
	tcase_add_test(tc, audit_pages);
	tcase_add_test(tc, generated_secrets);
	suite_add_tcase(s, tc);
	return run_suite(s);
}

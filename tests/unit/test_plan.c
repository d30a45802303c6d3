/* test_plan.c - the engine's plans without root: every reason a flow
 * would be refused before its window, the exact plan when the settings
 * are complete, the one validator of settings (config set and the
 * engine), and the one fingerprint rule.  Nothing here opens anything. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/lib.h"
#include "engine/lib.h"
#include "site/lib.h"
#include "store/lib.h"
#include "testutil.h"

#define OP "op.example.org"
#define CE "ce01.example.org"
#define FP "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"

static struct store *st;
static struct transfer_plan plan;

static void
setup(void)
{
	tmp_setup();
	st = new_store();
	ck_assert_int_eq(store_begin(st, NULL), PT_OK);
	memset(&plan, 0, sizeof(plan));
}

static void
teardown(void)
{
	store_close(&st);
	tmp_teardown();
}

static int64_t
host(const char *fqdn, const char *ip, int port)
{
	char *names[] = { (char *)fqdn };
	int64_t id;

	ck_assert_int_eq(model_host_add(st, fqdn, ip, port, NULL, 0, NULL), PT_OK);
	ck_assert_int_eq(model_host_ids(st, names, 1, &id, NULL), PT_OK);
	return id;
}

static int64_t
password(const char *fqdn, int64_t host_id)
{
	int64_t id = 0;

	ck_assert_int_eq(model_pw_add(st, "root", fqdn, "ssh", &host_id, 1, "s3cret", 6, &id, NULL),
	                 PT_OK);
	return id;
}

static void
set(const char *key, const char *value)
{
	struct pt_err err = { 0 };

	ck_assert_msg(settings_set(st, key, value, &err) == PT_OK, "%s: %s", key, err.detail);
}

/* As an attacker with the key would: straight into the meta table. */
static void
tamper(const char *key, const char *value)
{
	char mk[320];

	snprintf(mk, sizeof(mk), "cfg.%s", key);
	ck_assert_int_eq(store_meta_set(st, mk, value, NULL), PT_OK);
}

static bool
has_why(const struct transfer_plan *p, const char *text)
{
	for (size_t i = 0; i < p->nwhy; i++)
		if (strstr(p->why[i].text, text))
			return true;
	return false;
}

#define ck_why(p, text) ck_assert_msg(has_why(p, text), "no reason with \"%s\"", text)

START_TEST(missing_settings_every_reason_listed)
{
	struct pt_err err = { 0 };

	host(CE, NULL, 22);
	/* install: no certificate, no network, no address, no password: all four */
	ck_assert_int_eq(transfer_plan(st, "install", CE, &plan, &err), PT_NOTFOUND);
	ck_assert_uint_eq(plan.nwhy, 4);
	ck_why(&plan, "has no current certificate with its key in the store");
	ck_why(&plan, "the station's network is not configured");
	ck_why(&plan, "host " CE " has no IPv4 address");
	ck_why(&plan, "no password for root@" CE ":ssh");
	/* the first reason decides, and err says it */
	ck_assert_str_eq(err.detail, plan.why[0].text);
	ck_assert_int_eq(plan.why[0].status, PT_NOTFOUND);
	/* planned for a run without a fingerprint: the missing pin too */
	ck_assert_int_eq(transfer_plan_with(st, "install", CE, NULL, &plan, &err), PT_NOTFOUND);
	ck_assert_uint_eq(plan.nwhy, 5);
	ck_why(&plan, "no host key is pinned for " CE);
	/* and a malformed fingerprint is one more reason, not a usage error here */
	ck_assert_int_eq(transfer_plan_with(st, "install", CE, "SHA256:short", &plan, &err),
	                 PT_NOTFOUND);
	ck_assert_uint_eq(plan.nwhy, 5);
	ck_why(&plan, "--accept-hostkey");

	/* the operator's flows: no operator, no network */
	ck_assert_int_eq(transfer_plan(st, "fetch-certs", NULL, &plan, &err), PT_REFUSED);
	ck_assert_uint_eq(plan.nwhy, 1);
	ck_why(&plan, "no operator host is configured");
	ck_assert_int_eq(transfer_plan(st, "send-csr", CE, &plan, &err), PT_REFUSED);
	ck_assert_uint_eq(plan.nwhy, 2);
	ck_why(&plan, "no operator host is configured");
	ck_why(&plan, "no pending request for " CE);
	ck_assert_int_eq(transfer_plan(st, "fetch-vo", "alice", &plan, &err), PT_NOTFOUND);
	ck_assert_uint_eq(plan.nwhy, 2);
	ck_why(&plan, "no operator host is configured");
	ck_assert_int_eq(transfer_plan(st, "push", CE, &plan, &err), PT_NOTFOUND);
	ck_assert_str_eq(plan.purpose, "gridmap-push");
	ck_why(&plan, "nothing to push to " CE);
	ck_why(&plan, "the station's network is not configured");
	ck_why(&plan, "no password for root@" CE ":ssh");
}
END_TEST

START_TEST(complete_settings_exact_plan)
{
	struct pt_err err = { 0 };
	int64_t hid = host(OP, "192.0.2.20", 2222), cred = password(OP, hid);

	set("net.interface", "eth9");
	set("net.gateway", "192.0.2.1");
	set("transfer.timeout", "45");
	set("operator.host", OP);
	set("operator.outbox", "/srv/outbox");
	ck_assert_msg(transfer_plan(st, "fetch-certs", NULL, &plan, &err) == PT_OK, "%s",
	              err.detail);
	ck_assert_str_eq(plan.purpose, "fetch-certs");
	ck_assert_str_eq(plan.target, "");
	ck_assert_str_eq(plan.host, OP);
	ck_assert_str_eq(plan.peer, "192.0.2.20");
	ck_assert_int_eq(plan.port, 2222);
	ck_assert_str_eq(plan.ifname, "eth9");
	ck_assert_str_eq(plan.gateway, "192.0.2.1");
	ck_assert_int_eq(plan.timeout_s, 45);
	ck_assert_str_eq(plan.user, "root");
	ck_assert_str_eq(plan.service, "ssh");
	ck_assert(!plan.key_auth);
	ck_assert_int_eq(plan.cred_id, cred);
	ck_assert_str_eq(plan.pin, "");
	ck_assert_uint_eq(plan.nfiles, 1);
	ck_assert_str_eq(plan.files[0].from,
	                 "/srv/outbox/*.pem *.crt *.cer *.der *.p7b *.p7c *.p12 *.pfx");
	ck_assert(!plan.files[0].to_peer);
	ck_assert_int_eq(plan.files[0].mode, 0);
	ck_assert_str_eq(plan.after, "");
	ck_assert_uint_eq(plan.nwhy, 0);
	/* a run without a fingerprint is refused until the key is pinned */
	ck_assert_int_eq(transfer_plan_with(st, "fetch-certs", NULL, NULL, &plan, &err),
	                 PT_REFUSED);
	ck_assert_uint_eq(plan.nwhy, 1);
	ck_assert_int_eq(transfer_plan_with(st, "fetch-certs", NULL, FP, &plan, &err), PT_OK);
	ck_assert_int_eq(settings_pin_set(st, OP, FP, "ssh-ed25519", NULL), PT_OK);
	ck_assert_int_eq(transfer_plan_with(st, "fetch-certs", NULL, NULL, &plan, &err), PT_OK);
	ck_assert_str_eq(plan.pin, FP);
	ck_assert_str_eq(plan.pin_type, "ssh-ed25519");
	/* key login, another user, another service */
	set("host." OP ".auth", "key");
	set("host." OP ".user", "passtore");
	ck_assert_int_eq(transfer_plan(st, "fetch-certs", NULL, &plan, &err), PT_NOTFOUND);
	ck_assert(plan.key_auth);
	ck_assert_str_eq(plan.user, "passtore");
	ck_assert_uint_eq(plan.nwhy, 1);
	ck_why(&plan, "no password for passtore@" OP ":ssh");
}
END_TEST

START_TEST(stored_bad_value_is_plan_refusal)
{
	struct transfer_result res;
	struct pt_err err = { 0 };
	int64_t hid = host(OP, "192.0.2.20", 22);

	password(OP, hid);
	host(CE, "192.0.2.11", 22);
	set("net.interface", "eth9");
	set("net.gateway", "192.0.2.1");
	set("operator.host", OP);
	ck_assert_int_eq(settings_pin_set(st, OP, FP, "ssh-ed25519", NULL), PT_OK);
	ck_assert_int_eq(transfer_plan_with(st, "fetch-certs", NULL, NULL, &plan, &err), PT_OK);
	/* values config set refuses, written behind passtore's back */
	tamper("transfer.timeout", " 30");
	tamper("net.interface", "..");
	tamper("host." OP ".user", "-oProxyCommand=x");
	tamper("operator.outbox", "/srv/outbox/..");
	ck_assert_int_eq(transfer_plan(st, "fetch-certs", NULL, &plan, &err), PT_REFUSED);
	ck_assert_uint_eq(plan.nwhy, 4);
	ck_why(&plan, "transfer.timeout: \" 30\"");
	ck_why(&plan, "net.interface: \"..\"");
	ck_why(&plan, "host." OP ".user: \"-oProxyCommand=x\"");
	ck_why(&plan, "operator.outbox: \"/srv/outbox/..\"");
	/* the run is refused the same way: no window, no journal row */
	ck_assert_int_eq(transfer_flow(st, "fetch-certs", NULL, NULL, &res, &err), PT_REFUSED);
	ck_assert_int_eq(res.window_id, 0);
	ck_assert_str_eq(err.detail, plan.why[0].text);

	/* the owner the engine would only refuse inside the window */
	tamper("host." CE ".owner", "4294967296:0");
	ck_assert_int_ne(transfer_plan(st, "install", CE, &plan, &err), PT_OK);
	ck_why(&plan, "host." CE ".owner: \"4294967296:0\" is not a numeric UID:GID");
	ck_assert_int_ne(transfer_flow(st, "install", CE, NULL, &res, &err), PT_OK);
	ck_assert_int_eq(res.window_id, 0);
}
END_TEST

START_TEST(one_validator_for_config_set)
{
	static const char *const bad[][2] = {
		{ "host." CE ".owner", "4294967296:0" },
		{ "host." CE ".owner", "0:2147483648" },
		{ "host." CE ".owner", ":0" },
		{ "host." CE ".owner", "0:" },
		{ "net.interface", "." },
		{ "net.interface", ".." },
		{ "net.interface", "a/b" },
		{ "transfer.timeout", " 30" },
		{ "transfer.timeout", "30 " },
		{ "transfer.timeout", "+30" },
		{ "operator.inbox", "/var/spool/.." },
		{ "operator.inbox", "/var/../spool" },
		{ "operator.inbox", ".." },
		{ "host." CE ".user", "-oProxyCommand=x" },
		{ "cert.warning_days", " 7" },
		{ "ui.lock_after", " 0" },
	};
	static const char *const good[][2] = {
		{ "host." CE ".owner", "2147483647:0" }, { "net.interface", "eth0.10" },
		{ "transfer.timeout", "3600" },          { "operator.inbox", "/var/spool/..x/in" },
		{ "host." CE ".user", "grid-admin" },    { "ui.lock_after", "0" },
	};
	struct pt_err err = { 0 };
	char *v = NULL;

	host(CE, NULL, 22);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(settings_check(st, bad[i][0], bad[i][1], &err) == PT_INVALID,
		              "settings_check took %s=\"%s\"", bad[i][0], bad[i][1]);
		ck_assert_msg(settings_set(st, bad[i][0], bad[i][1], &err) == PT_INVALID,
		              "config set took %s=\"%s\"", bad[i][0], bad[i][1]);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(settings_check(st, good[i][0], good[i][1], &err) == PT_OK,
		              "%s=\"%s\": %s", good[i][0], good[i][1], err.detail);
	/* nothing refused was stored */
	ck_assert_int_eq(settings_get(st, "host." CE ".owner", &v, NULL), PT_OK);
	ck_assert_str_eq(v, "0:0");
	free(v);
}
END_TEST

/* The SFTP put applies the validator's owner rule (settings_owner_parse),
 * not one of its own: what config set takes, the put takes, and back. */
START_TEST(one_owner_rule)
{
	unsigned u = 1, g = 1;

	ck_assert(settings_owner_parse("2147483647:0", &u, &g));
	ck_assert_uint_eq(u, 2147483647u);
	ck_assert_uint_eq(g, 0);
	ck_assert(settings_owner_parse("0:0", NULL, NULL));
	ck_assert(!settings_owner_parse("2147483648:0", NULL, NULL));
	ck_assert(!settings_owner_parse("00000000001:0", NULL, NULL));
	ck_assert(!settings_owner_parse("0:", NULL, NULL));
	ck_assert(!settings_owner_parse(":0", NULL, NULL));
	ck_assert(!settings_owner_parse("0:0:0", NULL, NULL));
	ck_assert(!settings_owner_parse("+1:0", NULL, NULL));
	ck_assert(!settings_owner_parse("root:root", NULL, NULL));
}
END_TEST

/* The install profile: today's two files by default, every file of a
 * profile in the plan with its owner and mode, and a value tampered
 * with behind passtore's back a reason before any window. */
START_TEST(install_profile_in_the_plan)
{
	struct install_profile *pr = calloc(1, sizeof(*pr));
	struct settings_copy c[SETTINGS_COPIES_MAX];
	struct pt_err err = { 0 };

	ck_assert_ptr_nonnull(pr);
	host(CE, "192.0.2.11", 22);
	ck_assert_int_eq(profile_get(st, CE, pr, &err), PT_OK);
	ck_assert_uint_eq(pr->n, 2);
	ck_assert_str_eq(pr->files[0].path, "/etc/grid-security/hostkey.pem");
	ck_assert_uint_eq(pr->files[0].mode, 0400);
	ck_assert_str_eq(pr->files[1].path, "/etc/grid-security/hostcert.pem");
	ck_assert_uint_eq(pr->files[1].mode, 0644);
	ck_assert_str_eq(pr->files[1].owner, "0:0");
	ck_assert_int_eq(pr->check_port, 0);

	ck_assert_int_eq(profile_set(st, CE, "fullchain-path", "/etc/tls/full.pem", &err), PT_OK);
	ck_assert_int_eq(profile_set(st, CE, "fullchain-owner", "48:48", &err), PT_OK);
	ck_assert_int_eq(profile_set(st, CE, "copies", "key:/etc/tls/k:a:b.pem:48:48:0400", &err),
	                 PT_OK);
	ck_assert_int_eq(profile_set(st, CE, "check-port", "8443", &err), PT_OK);
	ck_assert_int_eq(profile_set(st, CE, "frobnicate", "1", &err), PT_INVALID);
	ck_assert_int_eq(profile_get(st, CE, pr, &err), PT_OK);
	ck_assert_uint_eq(pr->n, 4);
	ck_assert_int_eq(pr->files[2].content, PROFILE_FULLCHAIN);
	ck_assert_str_eq(pr->files[2].owner, "48:48");
	ck_assert(pr->files[3].copy);
	ck_assert_str_eq(pr->files[3].path, "/etc/tls/k:a:b.pem");
	ck_assert(pr->needs_chain);
	ck_assert_int_eq(pr->check_port, 8443);
	(void)transfer_plan(st, "install", CE, &plan, &err);
	ck_assert_uint_eq(plan.nfiles, 4);
	ck_assert_str_eq(plan.files[2].to, "/etc/tls/full.pem");
	ck_assert_str_eq(plan.files[2].owner, "48:48");
	ck_assert_int_eq(plan.files[3].mode, 0400);

	/* the parser alone: bounds, contents, the path keeps its colons */
	ck_assert_int_eq(settings_copies_parse("cert:/a:0:0:0644;chain:/b:1:2:0640", c, 8), 2);
	ck_assert_str_eq(c[1].owner, "1:2");
	ck_assert_uint_eq(c[1].mode, 0640);
	ck_assert_int_eq(settings_copies_parse("", c, 8), -1);
	ck_assert_int_eq(settings_copies_parse("cert:/a:0:0:0644;", c, 8), -1);
	ck_assert_int_eq(settings_copies_parse("cert:/a:0:0:0644;cert:/b:0:0:0644", c, 1), -1);
	ck_assert_int_eq(settings_copies_parse("csr:/a:0:0:0644", c, 8), -1);
	ck_assert_int_eq(settings_copies_parse("cert:/a:0:0:1644", c, 8), -1);
	ck_assert(settings_mode_parse("0777", NULL));
	ck_assert(!settings_mode_parse("01000", NULL));
	ck_assert(!settings_mode_parse("77", NULL));

	/* written behind passtore's back: a reason, no window */
	tamper("host." CE ".copies", "key:relative:0:0:0400");
	tamper("host." CE ".key-mode", "0888");
	ck_assert_int_ne(transfer_plan(st, "install", CE, &plan, &err), PT_OK);
	ck_why(&plan, "host." CE ".key-mode: \"0888\"");
	free(pr);
}
END_TEST

START_TEST(one_fingerprint_rule)
{
	struct pt_err err = { 0 };

	ck_assert_int_eq(transfer_fingerprint_check(FP, &err), PT_OK);
	ck_assert_int_eq(transfer_fingerprint_check(
				 "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", NULL),
	                 PT_OK);
	ck_assert_int_eq(transfer_fingerprint_check(NULL, NULL), PT_INVALID);
	ck_assert_int_eq(transfer_fingerprint_check("", NULL), PT_INVALID);
	/* 42 and 44 characters, padding, a blank, another hash, no prefix */
	ck_assert_int_eq(transfer_fingerprint_check(
				 "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL),
	                 PT_INVALID);
	ck_assert_int_eq(transfer_fingerprint_check(
				 "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL),
	                 PT_INVALID);
	ck_assert_int_eq(transfer_fingerprint_check(
				 "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL),
	                 PT_INVALID);
	ck_assert_int_eq(transfer_fingerprint_check(
				 "SHA256:AAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAA", NULL),
	                 PT_INVALID);
	ck_assert_int_eq(
		transfer_fingerprint_check("MD5:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL),
		PT_INVALID);
	ck_assert_int_eq(transfer_fingerprint_check("uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
	                                            &err),
	                 PT_INVALID);
	ck_assert_ptr_nonnull(strstr(err.detail, "SHA256:"));
}
END_TEST

START_TEST(unknown_flow_is_usage)
{
	struct transfer_result res;
	struct pt_err err = { 0 };

	ck_assert_int_eq(transfer_plan(st, "teleport", NULL, &plan, &err), PT_USAGE);
	ck_assert_int_eq(transfer_plan(st, "install", NULL, &plan, &err), PT_USAGE);
	ck_assert_int_eq(transfer_plan(st, "fetch-vo", "", &plan, &err), PT_USAGE);
	ck_assert_int_eq(transfer_flow(st, "teleport", NULL, NULL, &res, &err), PT_USAGE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, missing_settings_every_reason_listed);
	tcase_add_test(tc, complete_settings_exact_plan);
	tcase_add_test(tc, stored_bad_value_is_plan_refusal);
	tcase_add_test(tc, one_validator_for_config_set);
	tcase_add_test(tc, one_owner_rule);
	tcase_add_test(tc, one_fingerprint_rule);
	tcase_add_test(tc, install_profile_in_the_plan);
	tcase_add_test(tc, unknown_flow_is_usage);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

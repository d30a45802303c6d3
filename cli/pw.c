/* pw.c - the password commands: add, show, update, list, history, rm.
 * A secret goes from secure memory straight to fd 1, never through stdio. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "site/lib.h"

#define DEFAULT_GENERATED_LEN 24

struct entry {
	char *user, *spec, *service;
	struct hostset hs;
};

static void
entry_free(struct entry *e)
{
	free(e->user);
	free(e->spec);
	free(e->service);
	hostset_free(&e->hs);
}

static enum pt_status
parse_entry(struct cli *c, const char *text, struct entry *e)
{
	enum pt_status ret;

	memset(e, 0, sizeof(*e));
	ret = hostspec_parse_entry(text, &e->user, &e->spec, &e->service, &c->err);
	if (ret == PT_OK)
		ret = hostset_resolve(c->st, e->spec, true, &e->hs, &c->err);
	if (ret != PT_OK)
		entry_free(e);
	return ret;
}

int
cli_cred_row(const struct credential *cr, void *ud)
{
	struct cred_print *p = ud;
	char when[32];

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "user", json_string(cr->user), &bad);
		cli_json_set(o, "hosts", json_string(cr->hostspec), &bad);
		cli_json_set(o, "service", json_string(cr->service), &bad);
		cli_json_set(o, "version", json_integer((json_int_t)cr->version), &bad);
		cli_json_set(o, "host_count", json_integer((json_int_t)cr->hosts), &bad);
		cli_json_set(o, "created", json_string(cli_time(cr->created_at)), &bad);
		cli_json_set(o, "updated", json_string(cli_time(cr->updated_at)), &bad);
		char what[512];

		snprintf(what, sizeof(what), "%s@%s:%s", cr->user, cr->hostspec, cr->service);
		return cli_json_row(p->c, p->arr, o, bad, what);
	}
	pt_utc_time(cr->updated_at, "-", when, sizeof(when));
	printf("%s@%s:%s  (%lld %s, v%lld, %s)\n", cr->user, cr->hostspec, cr->service,
	       (long long)cr->hosts, ngettext("host", "hosts", (unsigned long)cr->hosts),
	       (long long)cr->version, when);
	return 0;
}

struct secret_opts {
	bool multiline;
	int secret_fd;
	long generate; /* 0: no */
	long version;
	unsigned classes; /* 0: the default alphabet */
	bool typable;
};

/* --length, --classes and --typable: choices of the generator, which
 * they imply. */
static int
parse_gen_opt(struct cli *c, int o, struct secret_opts *so)
{
	if (!so->generate)
		so->generate = DEFAULT_GENERATED_LEN;
	if (o == 'l' && cli_parse_int(optarg, 8, 1024, &so->generate) != 0)
		return cli_usage_error(c, _("--length takes a number from 8 to 1024"));
	if (o == 'c' && model_gen_parse_classes(optarg, &so->classes, &c->err) != PT_OK)
		return cli_report(c);
	if (o == 't')
		so->typable = true;
	return 0;
}

static int
parse_secret_opts(struct cli *c, int argc, char **argv, bool input, bool version,
                  struct secret_opts *so, const char **entry)
{
	static const struct option opts[] = {
		{ "secret-fd", required_argument, NULL, 's' },
		{ "generate", optional_argument, NULL, 'g' },
		{ "version", required_argument, NULL, 'v' },
		{ "multiline", no_argument, NULL, 'M' },
		{ "length", required_argument, NULL, 'l' },
		{ "classes", required_argument, NULL, 'c' },
		{ "typable", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int o, rc;

	so->multiline = false;
	so->secret_fd = -1;
	so->generate = 0;
	so->version = 0;
	so->classes = 0;
	so->typable = false;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (!input || cli_parse_int(optarg, 0, INT_MAX, &v) != 0)
				return cli_bad_usage(c);
			so->secret_fd = (int)v;
			break;
		case 'g':
			if (!input)
				return cli_bad_usage(c);
			so->generate = DEFAULT_GENERATED_LEN;
			if (optarg && cli_parse_int(optarg, 8, 1024, &so->generate) != 0)
				return cli_usage_error(
					c, _("--generate takes a length from 8 to 1024"));
			break;
		case 'v':
			if (!version || cli_parse_int(optarg, 1, LONG_MAX, &so->version) != 0)
				return cli_bad_usage(c);
			break;
		case 'M':
			if (!input)
				return cli_bad_usage(c);
			so->multiline = true;
			break;
		case 'l':
		case 'c':
		case 't':
			if (!input)
				return cli_bad_usage(c);
			if ((rc = parse_gen_opt(c, o, so)) != 0)
				return rc;
			break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc)
		return cli_bad_usage(c);
	if (so->generate && so->secret_fd >= 0)
		return cli_usage_error(c, _("--generate and --secret-fd exclude each other"));
	if (so->multiline && so->secret_fd < 0)
		return cli_usage_error(
			c,
			_("--multiline reads a whole secret (such as an SSH private key) from --secret-fd"));
	*entry = argv[optind];
	return 0;
}

static enum pt_status
new_secret(struct cli *c, const struct secret_opts *so, char **secret, size_t *len)
{
	enum pt_status ret;

	if (so->generate && (so->classes || so->typable)) {
		struct gen_opts g = { (size_t)so->generate, so->classes ? so->classes : GEN_ALL,
			              so->typable };
		ret = model_generate_secret_opts(&g, secret, &c->err);
		if (ret == PT_OK)
			*len = (size_t)so->generate;
		return ret;
	}
	if (so->generate) {
		ret = model_generate_secret((size_t)so->generate, secret, &c->err);
		if (ret == PT_OK)
			*len = (size_t)so->generate;
		return ret;
	}
	if (so->multiline)
		ret = cli_read_all_fd(so->secret_fd, secret, len, &c->err);
	else
		ret = cli_get_secret(so->secret_fd, _("Password: "), _("Repeat the password: "),
		                     secret, len, &c->err);
	if (ret == PT_OK && *len == 0) {
		secmem_freep(secret);
		ret = pt_fail(&c->err, PT_INVALID, _("the password is empty"));
	}
	return ret;
}

static int
cmd_pw_add(struct cli *c, int argc, char **argv)
{
	struct secret_opts so;
	const char *text = NULL;
	struct entry e;
	char *secret = NULL;
	size_t len = 0;
	int64_t id;
	int rc;

	if ((rc = parse_secret_opts(c, argc, argv, true, false, &so, &text)) != 0)
		return rc;
	if (parse_entry(c, text, &e) != PT_OK)
		return cli_report(c);
	if (new_secret(c, &so, &secret, &len) == PT_OK &&
	    model_pw_add(c->st, e.user, e.hs.spec, e.service, e.hs.ids, e.hs.n, secret, len, &id,
	                 &c->err) == PT_OK)
		printf(ngettext("Stored %s@%s:%s for %zu host.\n",
		                "Stored %s@%s:%s for %zu hosts.\n", e.hs.n),
		       e.user, e.hs.spec, e.service, e.hs.n);
	secmem_free(secret);
	entry_free(&e);
	return cli_report(c);
}

struct stored_entry {
	char name[1024];
	char spec[512];
	int64_t hosts;
};

static int
stored_cb(const struct credential *cr, void *ud)
{
	struct stored_entry *s = ud;

	snprintf(s->name, sizeof(s->name), "%s@%s:%s", cr->user, cr->hostspec, cr->service);
	snprintf(s->spec, sizeof(s->spec), "%s", cr->hostspec);
	s->hosts = cr->hosts;
	return 1;
}

static enum pt_status
find_entry(struct cli *c, const char *text, struct entry *e, int64_t *id)
{
	enum pt_status ret = parse_entry(c, text, e);

	if (ret != PT_OK)
		return ret;
	ret = model_pw_find(c->st, e->user, e->hs.spec, e->service, e->hs.ids, e->hs.n, id,
	                    &c->err);
	if (ret != PT_OK)
		entry_free(e);
	return ret;
}

/* The secret goes straight from secure memory to fd 1: no stdio buffer
 * keeps a copy of it. */
static enum pt_status
cli_write_secret(const char *s, size_t n, struct pt_err *err)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return pt_fail(err, PT_IO, _("cannot write the password: %s"),
			               strerror(errno));
		s += w;
		n -= (size_t)w;
	}
	/* one newline, so that `pw show ... | cmd` and a terminal both read a line */
	(void)!write(STDOUT_FILENO, "\n", 1);
	return PT_OK;
}

static int
cmd_pw_show(struct cli *c, int argc, char **argv)
{
	struct secret_opts so;
	const char *text = NULL;
	struct entry e;
	char *secret = NULL;
	size_t len;
	int64_t id;
	int rc;

	if ((rc = parse_secret_opts(c, argc, argv, false, true, &so, &text)) != 0)
		return rc;
	if (find_entry(c, text, &e, &id) != PT_OK)
		return cli_report(c);
	if (model_pw_secret_read(c->st, id, so.version, "pw show", &secret, &len, &c->err) ==
	    PT_OK) {
		fflush(stdout);
		cli_write_secret(secret, len, &c->err);
	}
	secmem_free(secret);
	entry_free(&e);
	return cli_report(c);
}

static int
cmd_pw_update(struct cli *c, int argc, char **argv)
{
	struct secret_opts so;
	const char *text = NULL;
	struct entry e;
	char *secret = NULL;
	size_t len = 0;
	int64_t id;
	int rc;

	if ((rc = parse_secret_opts(c, argc, argv, true, false, &so, &text)) != 0)
		return rc;
	if (find_entry(c, text, &e, &id) != PT_OK)
		return cli_report(c);
	struct stored_entry se = { "", "", 0 };

	if (model_pw_get(c->st, id, stored_cb, &se, &c->err) == PT_OK &&
	    new_secret(c, &so, &secret, &len) == PT_OK &&
	    model_pw_update(c->st, id, secret, len, &c->err) == PT_OK)
		printf(ngettext(
			       "Updated %s (%lld host); the previous password is kept in its history.\n",
			       "Updated %s (%lld hosts); the previous password is kept in its history.\n",
			       (unsigned long)se.hosts),
		       se.name, (long long)se.hosts);
	secmem_free(secret);
	entry_free(&e);
	return cli_report(c);
}

static int
cmd_pw_rm(struct cli *c, int argc, char **argv)
{
	const char *text = NULL;
	struct entry e;
	int64_t id;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &text)) != 0)
		return rc;
	if (find_entry(c, text, &e, &id) != PT_OK)
		return cli_report(c);
	struct stored_entry se = { "", "", 0 };

	if (model_pw_get(c->st, id, stored_cb, &se, &c->err) != PT_OK)
		goto out;
	/* named through one of its hosts, an entry shared by others is not
	 * removed for all of them by surprise */
	if (se.hosts > 1 && strcmp(se.spec, e.hs.spec) != 0) {
		pt_fail(&c->err, PT_REFUSED,
		        _("%s belongs to the entry %s, which covers %lld hosts: name that entry to remove it"),
		        text, se.name, (long long)se.hosts);
		goto out;
	}
	if (model_pw_rm(c->st, id, &c->err) == PT_OK)
		printf(_("Removed the entry %s.\n"), se.name);
out:
	entry_free(&e);
	return cli_report(c);
}

static int
cmd_pw_list(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { .c = c };
	const char *filter;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &p.json)))
		return rc;
	if (p.json)
		p.arr = json_array();
	if (model_pw_foreach(c->st, filter, cli_cred_row, &p, &c->err) == PT_OK &&
	    c->err.status == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

static int
history_row(const struct credential_version *v, void *ud)
{
	struct cred_print *p = ud;
	char set[32], repl[32];

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "version", json_integer((json_int_t)v->version), &bad);
		cli_json_set(o, "set", json_string(cli_time(v->set_at)), &bad);
		cli_json_set(o, "replaced",
		             cli_json_opt(v->replaced_at ? cli_time(v->replaced_at) : NULL), &bad);
		cli_json_set(o, "replaced_by", cli_json_opt(v->replaced_at ? v->replaced_by : NULL),
		             &bad);
		snprintf(set, sizeof(set), _("version %lld"), (long long)v->version);
		return cli_json_row(p->c, p->arr, o, bad, set);
	}
	pt_utc_time(v->set_at, "-", set, sizeof(set));
	pt_utc_time(v->replaced_at, "-", repl, sizeof(repl));
	if (v->replaced_at)
		printf(_("v%-4lld set %s  replaced %s by %s\n"), (long long)v->version, set, repl,
		       v->replaced_by);
	else
		printf(_("v%-4lld set %s  (current)\n"), (long long)v->version, set);
	return 0;
}

static int
cmd_pw_history(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { .c = c };
	const char *text = NULL;
	struct entry e;
	int64_t id;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &text, &p.json)))
		return rc;
	if (!text)
		return cli_bad_usage(c);
	if (find_entry(c, text, &e, &id) != PT_OK)
		return cli_report(c);
	if (p.json)
		p.arr = json_array();
	if (model_pw_history(c->st, id, history_row, &p, &c->err) == PT_OK &&
	    c->err.status == PT_OK && p.json) {
		entry_free(&e);
		return cli_json_print(p.arr);
	}
	json_decref(p.arr);
	entry_free(&e);
	return cli_report(c);
}

const struct cmd cli_pw_commands[] = {
	{ "pw", "add", cmd_pw_add, CMD_STORE | CMD_WRITE,
	  N_("USER@HOSTSPEC:SERVICE [--generate[=LEN] [--length N] [--classes LIST] [--typable] | --secret-fd N [--multiline]]"),
	  N_("store a service password for every host the spec names") },
	{ "pw", "show", cmd_pw_show, CMD_STORE, N_("USER@HOST:SERVICE [--version N]"),
	  N_("print the password alone on standard output") },
	{ "pw", "update", cmd_pw_update, CMD_STORE | CMD_WRITE,
	  N_("USER@HOSTSPEC:SERVICE [--generate[=LEN] [--length N] [--classes LIST] [--typable] | --secret-fd N [--multiline]]"),
	  N_("replace a password; the old one goes to its history") },
	{ "pw", "list", cmd_pw_list, CMD_STORE, N_("[FILTER] [--json]"),
	  N_("list password entries (never their secrets)") },
	{ "pw", "history", cmd_pw_history, CMD_STORE, N_("USER@HOST:SERVICE [--json]"),
	  N_("list the versions of a password") },
	{ "pw", "rm", cmd_pw_rm, CMD_STORE | CMD_WRITE, N_("USER@HOSTSPEC:SERVICE"),
	  N_("remove a password entry and its history") },
};
const size_t cli_pw_ncommands = sizeof(cli_pw_commands) / sizeof(cli_pw_commands[0]);

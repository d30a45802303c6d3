/* host.c - the host commands: add (a spec may name many), list, show,
 * set, rm. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "site/lib.h"

static int
cmd_host_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "group", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	const char **groups = NULL;
	const char *ip = NULL;
	struct hostset hs;
	size_t ngroups = 0;
	long port = 22;
	int o;

	groups = calloc((size_t)argc + 1, sizeof(*groups));
	if (!groups)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'i': ip = optarg; break;
		case 'p':
			if (cli_parse_int(optarg, 1, 65535, &port) != 0) {
				free(groups);
				return cli_usage_error(c,
				                       _("--port takes a number from 1 to 65535"));
			}
			break;
		case 'g': groups[ngroups++] = optarg; break;
		default: free(groups); return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc) {
		free(groups);
		return cli_bad_usage(c);
	}
	if (hostset_resolve(c->st, argv[optind], false, &hs, &c->err) == PT_OK) {
		if (ip && hs.n != 1)
			pt_fail(&c->err, PT_INVALID,
			        _("--ip names one address, but %s names %zu hosts"), argv[optind],
			        hs.n);
		for (size_t i = 0; c->err.status == PT_OK && i < hs.n; i++)
			model_host_add(c->st, hs.names[i], ip, (int)port, groups, ngroups, &c->err);
		if (c->err.status == PT_OK)
			printf(ngettext("Added %zu host.\n", "Added %zu hosts.\n", hs.n), hs.n);
		hostset_free(&hs);
	}
	free(groups);
	return cli_report(c);
}

static int
cmd_host_rm(struct cli *c, int argc, char **argv)
{
	const char *fqdn = NULL;
	char *low;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &fqdn)) != 0)
		return rc;
	low = cli_lowercase(fqdn);
	if (model_host_rm(c->st, low, &c->err) == PT_OK)
		printf(_("Removed host %s.\n"), low);
	free(low);
	return cli_report(c);
}

/* host set FQDN [--ip ADDR] [--port N] [--group NAME]... [--ungroup NAME]... */
static int
cmd_host_set(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "group", required_argument, NULL, 'g' },
		{ "ungroup", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char **add = calloc((size_t)argc + 1, sizeof(*add));
	const char **del = calloc((size_t)argc + 1, sizeof(*del));
	struct host_change ch = { .add = add, .del = del };
	bool changed = false;
	long port = 0;
	char *low;
	int o;

	if (!add || !del) {
		free(add), free(del);
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	}
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'i': ch.ip = optarg; break;
		case 'p':
			if (cli_parse_int(optarg, 1, 65535, &port) != 0) {
				free(add), free(del);
				return cli_usage_error(c,
				                       _("--port takes a number from 1 to 65535"));
			}
			break;
		case 'g': add[ch.nadd++] = optarg; break;
		case 'u': del[ch.ndel++] = optarg; break;
		default: free(add), free(del); return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc) {
		free(add), free(del);
		return cli_bad_usage(c);
	}
	ch.port = (int)port;
	low = cli_lowercase(argv[optind]);
	if (model_host_set(c->st, low, &ch, &changed, &c->err) == PT_OK)
		printf(changed ? _("Changed host %s.\n") : _("Host %s unchanged.\n"), low);
	free(low);
	free(add), free(del);
	return cli_report(c);
}

static json_t *
host_json(const struct host *h, const char **bad)
{
	json_t *groups = json_array(), *o = json_object();
	char *copy = strdup(h->groups), *save = NULL;

	for (char *g = copy ? strtok_r(copy, ",", &save) : NULL; g; g = strtok_r(NULL, ",", &save))
		cli_json_append(groups, json_string(g), "groups", bad);
	free(copy);
	cli_json_set(o, "fqdn", json_string(h->fqdn), bad);
	cli_json_set(o, "ip", cli_json_opt(*h->ip ? h->ip : NULL), bad);
	cli_json_set(o, "port", json_integer(h->port), bad);
	cli_json_set(o, "groups", groups, bad);
	cli_json_set(o, "passwords", json_integer((json_int_t)h->credentials), bad);
	cli_json_set(o, "created", json_string(cli_time(h->created_at)), bad);
	cli_json_set(o, "updated", json_string(cli_time(h->updated_at)), bad);
	return o;
}

static int
host_collect(const struct host *h, void *ud)
{
	struct cred_print *p = ud;
	const char *bad = NULL;
	json_t *o = host_json(h, &bad);

	return cli_json_row(p->c, p->arr, o, bad, h->fqdn);
}

static int
host_print_row(const struct host *h, void *ud)
{
	(void)ud;
	printf("%-40s %-15s %5d  %s\n", h->fqdn, *h->ip ? h->ip : "-", h->port,
	       *h->groups ? h->groups : "-");
	return 0;
}

static int
cmd_host_list(struct cli *c, int argc, char **argv)
{
	const char *filter;
	bool json;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &json)))
		return rc;
	if (json) {
		struct cred_print p = { .json = true, .arr = json_array(), .c = c };
		if (model_host_foreach(c->st, filter, host_collect, &p, &c->err) == PT_OK &&
		    c->err.status == PT_OK)
			return cli_json_print(p.arr);
		json_decref(p.arr);
		return cli_report(c);
	}
	printf("%-40s %-15s %5s  %s\n", _("HOST"), _("ADDRESS"), _("PORT"), _("GROUPS"));
	model_host_foreach(c->st, filter, host_print_row, NULL, &c->err);
	return cli_report(c);
}

static int
host_show_one(const struct host *h, void *ud)
{
	struct cred_print *p = ud;

	if (p->json) {
		const char *bad = NULL;
		json_t *o = host_json(h, &bad);

		/* nothing printed: never an object without the field */
		if (bad) {
			json_decref(o);
			return cli_json_fail(p->c, h->fqdn, bad);
		}
		cli_json_print(o);
		return 0;
	}
	printf(_("Host:       %s\n"), h->fqdn);
	printf(_("Address:    %s\n"), *h->ip ? h->ip : "-");
	printf(_("SSH port:   %d\n"), h->port);
	printf(_("Groups:     %s\n"), *h->groups ? h->groups : "-");
	printf(_("Passwords:  %lld\n"), (long long)h->credentials);
	printf(_("Added:      %s\n"), cli_time(h->created_at));
	return 0;
}

static int
cmd_host_show(struct cli *c, int argc, char **argv)
{
	struct cred_print show = { .c = c };
	const char *fqdn = NULL;
	char *low;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &fqdn, &show.json)))
		return rc;
	if (!fqdn)
		return cli_bad_usage(c);
	low = cli_lowercase(fqdn);
	if (model_host_get(c->st, low, host_show_one, &show, &c->err) == PT_OK && !show.json) {
		struct cred_print p = { .c = c };
		printf(_("Password entries covering it:\n"));
		model_pw_foreach_host(c->st, low, cli_cred_row, &p, &c->err);
	}
	free(low);
	return cli_report(c);
}

/* ---- host profile: what an install writes on the host ------------------ */

static int
profile_print(struct cli *c, const char *fqdn, bool json)
{
	struct install_profile *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	if (profile_get(c->st, fqdn, p, &c->err) != PT_OK) {
		free(p);
		return cli_report(c);
	}
	if (json) {
		const char *bad = NULL;
		json_t *o = json_object(), *files = json_array();
		char mode[8];

		for (size_t i = 0; i < p->n; i++) {
			json_t *f = json_object();
			snprintf(mode, sizeof(mode), "%04o", p->files[i].mode);
			cli_json_set(f, "content",
			             json_string(profile_content_name(p->files[i].content)), &bad);
			cli_json_set(f, "path", json_string(p->files[i].path), &bad);
			cli_json_set(f, "owner", json_string(p->files[i].owner), &bad);
			cli_json_set(f, "mode", json_string(mode), &bad);
			cli_json_set(f, "copy", json_boolean(p->files[i].copy), &bad);
			cli_json_append(files, f, "files", &bad);
		}
		cli_json_set(o, "host", json_string(fqdn), &bad);
		cli_json_set(o, "files", files, &bad);
		cli_json_set(o, "reload", cli_json_opt(p->reload[0] ? p->reload : NULL), &bad);
		cli_json_set(o, "check_port",
		             p->check_port ? json_integer(p->check_port) : json_null(), &bad);
		free(p);
		if (bad) {
			json_decref(o);
			cli_json_fail(c, fqdn, bad);
			return cli_report(c);
		}
		return cli_json_print(o);
	}
	printf(_("Install profile of %s:\n"), fqdn);
	for (size_t i = 0; i < p->n; i++)
		printf("  %-5s %-10s %04o %-12s %s\n", p->files[i].copy ? _("copy") : "",
		       profile_content_name(p->files[i].content), p->files[i].mode,
		       p->files[i].owner, p->files[i].path);
	printf(_("Reload:      %s\n"), p->reload[0] ? p->reload : "-");
	if (p->check_port)
		printf(_("Check port:  %d (the certificate served on 127.0.0.1 is compared)\n"),
		       p->check_port);
	else
		printf(_("Check port:  -\n"));
	free(p);
	rc = cli_report(c);
	return rc;
}

static int
cmd_host_profile(struct cli *c, int argc, char **argv)
{
	/* option value -> the profile part it sets; "" unsets it */
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 0 },
		{ "cert", required_argument, NULL, 0 },
		{ "chain", required_argument, NULL, 0 },
		{ "fullchain", required_argument, NULL, 0 },
		{ "owner", required_argument, NULL, 0 },
		{ "key-owner", required_argument, NULL, 0 },
		{ "cert-owner", required_argument, NULL, 0 },
		{ "chain-owner", required_argument, NULL, 0 },
		{ "fullchain-owner", required_argument, NULL, 0 },
		{ "key-mode", required_argument, NULL, 0 },
		{ "cert-mode", required_argument, NULL, 0 },
		{ "chain-mode", required_argument, NULL, 0 },
		{ "fullchain-mode", required_argument, NULL, 0 },
		{ "reload", required_argument, NULL, 0 },
		{ "check-port", required_argument, NULL, 0 },
		{ "copy", required_argument, NULL, 'c' },
		{ "no-copies", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const parts[] = {
		"key-path",  "cert-path",  "chain-path",     "fullchain-path",  "owner",
		"key-owner", "cert-owner", "chain-owner",    "fullchain-owner", "key-mode",
		"cert-mode", "chain-mode", "fullchain-mode", "reload",          "check-port",
	};
	const char *set[sizeof(parts) / sizeof(parts[0])] = { 0 };
	char *copies = NULL, *low;
	bool json = false, no_copies = false;
	int o, idx;

	while ((o = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		if (o == 0) {
			set[idx] = optarg;
		} else if (o == 'c') {
			char *more = NULL;
			if (asprintf(&more, "%s%s%s", copies ? copies : "", copies ? ";" : "",
			             optarg) < 0) {
				free(copies);
				return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
			}
			free(copies);
			copies = more;
		} else if (o == 'C') {
			no_copies = true;
		} else if (o == 'j') {
			json = true;
		} else {
			free(copies);
			return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc || (copies && no_copies)) {
		free(copies);
		return cli_bad_usage(c);
	}
	low = cli_lowercase(argv[optind]);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && c->err.status == PT_OK; i++)
		if (set[i])
			profile_set(c->st, low, parts[i], set[i], &c->err);
	if (c->err.status == PT_OK && (copies || no_copies))
		profile_set(c->st, low, "copies", copies ? copies : "", &c->err);
	free(copies);
	if (c->err.status != PT_OK) {
		free(low);
		return cli_report(c);
	}
	o = profile_print(c, low, json);
	free(low);
	return o;
}

const struct cmd cli_host_commands[] = {
	{ "host", "add", cmd_host_add, CMD_STORE | CMD_WRITE,
	  N_("HOSTSPEC [--ip ADDR] [--port N] [--group NAME]..."),
	  N_("add one host, or every host a spec names") },
	{ "host", "list", cmd_host_list, CMD_STORE, N_("[FILTER] [--json]"), N_("list hosts") },
	{ "host", "show", cmd_host_show, CMD_STORE, N_("FQDN [--json]"),
	  N_("show a host and the password entries covering it") },
	{ "host", "set", cmd_host_set, CMD_STORE | CMD_WRITE,
	  N_("FQDN [--ip ADDR] [--port N] [--group NAME]... [--ungroup NAME]..."),
	  N_("change a host's address, port or groups") },
	{ "host", "rm", cmd_host_rm, CMD_STORE | CMD_WRITE, N_("FQDN"),
	  N_("remove a host that no password entry covers") },
	{ "host", "profile", cmd_host_profile, CMD_STORE | CMD_WRITE,
	  N_("FQDN [--key PATH] [--cert PATH] [--chain PATH] [--fullchain PATH] [--owner U:G]"
	     " [--key-owner U:G] [--cert-owner U:G] [--chain-owner U:G] [--fullchain-owner U:G]"
	     " [--key-mode M] [--cert-mode M] [--chain-mode M] [--fullchain-mode M]"
	     " [--copy CONTENT:PATH:UID:GID:MODE]... [--no-copies] [--reload CMD]"
	     " [--check-port N] [--json]"),
	  N_("show or change what an install writes on the host (\"\" unsets a part)") },
};
const size_t cli_host_ncommands = sizeof(cli_host_commands) / sizeof(cli_host_commands[0]);

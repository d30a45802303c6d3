/* gridmap.c - the gridmap commands: rules, bans, local entries, and the
 * grid-mapfile a host gets.  `gridmap build` prints it, with what the
 * build left out on stderr; `gridmap push` sends it through the engine. */
#include "config.h"

#include <getopt.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "engine/lib.h"
#include "grid/lib.h"
#include "site/lib.h"

static int
rules_import(struct cli *c, int argc, char **argv)
{
	struct hostset hs;
	unsigned char *buf = NULL;
	size_t len;

	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
		return cli_bad_usage(c);
	if (pt_file_read(argv[2], false, GRID_FILE_MAX, &buf, &len, &c->err) != PT_OK)
		return cli_report(c);
	if (argv[1][0] == '@') {
		if (gridstore_rules_set(c->st, NULL, argv[1] + 1, argv[2], (const char *)buf, len,
		                        &c->err) == PT_OK)
			printf(_("Rules of group %s imported from %s.\n"), argv[1] + 1, argv[2]);
	} else if (hostset_resolve(c->st, argv[1], true, &hs, &c->err) == PT_OK) {
		for (size_t i = 0; i < hs.n && c->err.status == PT_OK; i++)
			gridstore_rules_set(c->st, hs.names[i], NULL, argv[2], (const char *)buf,
			                    len, &c->err);
		if (c->err.status == PT_OK)
			printf(ngettext("Rules of %zu host imported from %s.\n",
			                "Rules of %zu hosts imported from %s.\n", hs.n),
			       hs.n, argv[2]);
		hostset_free(&hs);
	}
	free(buf);
	return cli_report(c);
}

static int
rules_show(struct cli *c, int argc, char **argv)
{
	struct gs_ruleset *rs = NULL;
	const char *target = NULL;
	bool text = false, json = false;
	enum pt_status ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--text"))
			text = true;
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] != '-' && !target)
			target = argv[i];
		else
			return cli_bad_usage(c);
	}
	if (!target || (text && json))
		return cli_bad_usage(c);
	if (target[0] == '@')
		ret = gridstore_rules_get(c->st, NULL, target + 1, &rs, &c->err);
	else
		ret = gridstore_rules_for_host(c->st, target, &rs, &c->err);
	if (ret != PT_OK)
		return cli_report(c);
	if (text) {
		fputs(rs->text, stdout);
	} else if (json) {
		const char *bad = NULL;
		json_t *o = json_object(), *a = json_array();

		cli_json_set(o, "host", cli_json_opt(rs->host), &bad);
		cli_json_set(o, "group", cli_json_opt(rs->group), &bad);
		cli_json_set(o, "source", json_string(rs->source), &bad);
		cli_json_set(o, "imported", json_string(cli_time(rs->imported_at)), &bad);
		for (size_t i = 0; i < rs->nrules; i++) {
			const struct gs_rule *r = &rs->rules[i];
			json_t *x = json_object();

			cli_json_set(x, "kind", json_string(r->kind), &bad);
			cli_json_set(x, "value", json_string(r->value), &bad);
			if (r->line)
				cli_json_set(x, "line", json_integer(r->line), &bad);
			if (*r->account)
				cli_json_set(x, "account", json_string(r->account), &bad);
			if (!strcmp(r->kind, "group") || !strcmp(r->kind, "auth")) {
				cli_json_set(x, "vo", *r->vo ? json_string(r->vo) : json_null(),
				             &bad);
				cli_json_set(x, "imported", json_boolean(r->imported), &bad);
			}
			cli_json_append(a, x, "rules", &bad);
		}
		cli_json_set(o, "rules", a, &bad);
		gridstore_ruleset_free(&rs);
		/* nothing printed: never a rule set without the field */
		if (bad) {
			json_decref(o);
			cli_json_fail(c, target, bad);
			return cli_report(c);
		}
		return cli_json_print(o);
	} else {
		if (rs->host)
			printf(_("Rules of host %s, from %s, imported %s:\n"), rs->host, rs->source,
			       cli_time(rs->imported_at));
		else
			printf(_("Rules of group %s, from %s, imported %s:\n"), rs->group,
			       rs->source, cli_time(rs->imported_at));
		for (size_t i = 0; i < rs->nrules; i++) {
			const struct gs_rule *r = &rs->rules[i];

			if (r->line)
				printf("%4u  ", r->line);
			else
				printf("%4s  ", "");
			printf("%-15s %s%s%s", r->kind, r->value, *r->account ? "  " : "",
			       r->account);
			if (!strcmp(r->kind, "group") || !strcmp(r->kind, "auth")) {
				if (!*r->vo)
					printf(_("  [no VO has this URI]"));
				else if (!r->imported)
					printf(_("  [VO %s, never imported]"), r->vo);
				else
					printf(_("  [VO %s]"), r->vo);
			}
			putchar('\n');
		}
	}
	gridstore_ruleset_free(&rs);
	return cli_report(c);
}

static int
rules_rm(struct cli *c, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-')
		return cli_bad_usage(c);
	if (argv[1][0] == '@')
		gridstore_rules_rm(c->st, NULL, argv[1] + 1, &c->err);
	else
		gridstore_rules_rm(c->st, argv[1], NULL, &c->err);
	if (c->err.status == PT_OK)
		printf(_("Rules of %s removed.\n"), argv[1]);
	return cli_report(c);
}

static int
cmd_gridmap_rules(struct cli *c, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "import"))
		return rules_import(c, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return rules_show(c, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "rm"))
		return rules_rm(c, argc - 1, argv + 1);
	return cli_bad_usage(c);
}

static int
cmd_gridmap_ban(struct cli *c, int argc, char **argv)
{
	const char *dn;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &dn)))
		return rc;
	if (gridstore_ban(c->st, dn, &c->err) == PT_OK)
		printf(_("Banned %s.\n"), dn);
	return cli_report(c);
}

static int
cmd_gridmap_unban(struct cli *c, int argc, char **argv)
{
	const char *dn;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &dn)))
		return rc;
	if (gridstore_unban(c->st, dn, &c->err) == PT_OK)
		printf(_("No longer banned: %s.\n"), dn);
	return cli_report(c);
}

static int
ban_row(const char *pattern, time_t at, void *ud)
{
	struct cred_print *p = ud;

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "pattern", json_string(pattern), &bad);
		cli_json_set(o, "added", json_string(cli_time(at)), &bad);
		return cli_json_row(p->c, p->arr, o, bad, pattern);
	} else
		printf("%s  %s\n", cli_time(at), pattern);
	return 0;
}

static int
cmd_gridmap_bans(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { .c = c };
	const char *filter;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &p.json)))
		return rc;
	if (filter)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	if (gridstore_ban_foreach(c->st, ban_row, &p, &c->err) == PT_OK && c->err.status == PT_OK &&
	    p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

static int
local_row(const char *dn, const char *account, void *ud)
{
	struct cred_print *p = ud;

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "dn", json_string(dn), &bad);
		cli_json_set(o, "account", json_string(account), &bad);
		return cli_json_row(p->c, p->arr, o, bad, dn);
	} else
		printf("\"%s\" %s\n", dn, account);
	return 0;
}

static int
cmd_gridmap_local(struct cli *c, int argc, char **argv)
{

	if (argc == 4 && !strcmp(argv[1], "add")) {
		if (gridstore_local_add(c->st, argv[2], argv[3], &c->err) == PT_OK)
			printf(_("Local entry added: \"%s\" %s\n"), argv[2], argv[3]);
	} else if (argc == 3 && !strcmp(argv[1], "rm")) {
		if (gridstore_local_rm(c->st, argv[2], &c->err) == PT_OK)
			printf(_("Local entry removed: %s\n"), argv[2]);
	} else if ((argc == 2 || argc == 3) && !strcmp(argv[1], "list")) {
		struct cred_print p = { .c = c };

		if (argc == 3 && strcmp(argv[2], "--json") != 0)
			return cli_bad_usage(c);
		if (argc == 3) {
			p.json = true;
			p.arr = json_array();
		}
		if (gridstore_local_foreach(c->st, local_row, &p, &c->err) == PT_OK &&
		    c->err.status == PT_OK && p.json)
			return cli_json_print(p.arr);
		json_decref(p.arr);
	} else {
		return cli_bad_usage(c);
	}
	return cli_report(c);
}

/* What the build left out, on stderr: never-imported groups, unsafe DNs,
 * conflicts, gmf_local files stood for by the store's entries. */
static void
grid_report_build(const struct gs_build *b, FILE *f)
{
	const struct gm_result *r = b->result;
	size_t i;

	for (i = 0; i < r->nmissing; i++)
		fprintf(f, _("passtore: group %s: no member list imported, skipped\n"),
		        r->missing[i]);
	for (i = 0; i < r->nunsafe; i++)
		fprintf(f, _("passtore: skipped %s (%s), from %s\n"), r->unsafe[i].dn,
		        _(r->unsafe[i].why),
		        r->unsafe[i].from ? r->unsafe[i].from : _("local entries"));
	for (i = 0; i < r->nconflicts; i++) {
		const struct gm_conflict *k = &r->conflicts[i];

		fprintf(f, _("passtore: conflict: %s maps to %s (%s), not to %s (%s)\n"), k->dn,
		        k->kept_account, k->kept_from ? k->kept_from : _("local entries"),
		        k->lost_account, k->lost_from ? k->lost_from : _("local entries"));
	}
	for (i = 0; i < b->nignored; i++)
		fprintf(f,
		        _("passtore: gmf_local %s: the store's local entries stand for it (passtore gridmap local list)\n"),
		        b->ignored_files[i]);
	fprintf(f,
	        _("passtore: %zu lines; %zu denied by the ACL, %zu banned, %zu in no auth list\n"),
	        r->nlines, r->ndenied, r->nbanned, r->nunauthorized);
}

/* What the other files of the build hold, on stderr. */
static void
grid_report_files(const struct gs_build *b, FILE *f)
{
	size_t lsc = 0, vomses = 0;

	for (size_t i = 0; i < b->nfiles; i++) {
		lsc += b->files[i].kind == GS_FILE_LSC;
		vomses += b->files[i].kind == GS_FILE_VOMSES;
	}
	fprintf(f,
	        _("passtore: voms-mapfile %zu lines, ban-mapfile %zu lines, %zu .lsc and %zu vomses files\n"),
	        b->nfqan, b->nbans, lsc, vomses);
	if (b->bans_skipped)
		fprintf(f,
		        _("passtore: %zu bans left out of the ban-mapfile (no quoted line holds them)\n"),
		        b->bans_skipped);
	for (size_t i = 0; i < b->nlsc_fail; i++)
		fprintf(f, _("passtore: LSC %s %s, chain %u: %s\n"), b->lsc_fail[i].vo,
		        b->lsc_fail[i].host, b->lsc_fail[i].chain, b->lsc_fail[i].why);
}

static int
build_list(const struct gs_build *b)
{
	for (size_t i = 0; i < b->nfiles; i++) {
		size_t lines = 0;

		for (size_t k = 0; k < b->files[i].len; k++)
			lines += b->files[i].text[k] == '\n';
		printf("%-40s %6zu %s\n", b->files[i].path, lines,
		       b->files[i].wanted ? "" : _("(not for this host)"));
	}
	return 0;
}

static int
cmd_gridmap_build(struct cli *c, int argc, char **argv)
{
	struct gs_build *b = NULL;
	const char *fqdn = NULL, *file = "grid-mapfile";
	bool list = false;
	size_t i;

	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--file") && k + 1 < argc)
			file = argv[++k];
		else if (!strcmp(argv[k], "--files"))
			list = true;
		else if (argv[k][0] != '-' && !fqdn)
			fqdn = argv[k];
		else
			return cli_bad_usage(c);
	}
	if (!fqdn)
		return cli_bad_usage(c);
	if (gridstore_build(c->st, fqdn, &b, &c->err) != PT_OK)
		return cli_report(c);
	for (i = 0; i < b->nfiles && strcmp(b->files[i].path, file) != 0; i++)
		;
	if (list)
		build_list(b);
	else if (i == b->nfiles)
		pt_fail(&c->err, PT_NOTFOUND,
		        _("the build of %s has no file %s (gridmap build %s --files lists them)"),
		        fqdn, file, fqdn);
	else
		fwrite(b->files[i].text, 1, b->files[i].len, stdout);
	if (fflush(stdout) != 0)
		pt_fail(&c->err, PT_IO, _("cannot write the grid-mapfile"));
	grid_report_build(b, stderr);
	grid_report_files(b, stderr);
	gridstore_build_free(&b);
	return cli_report(c);
}

struct status_print {
	json_t *arr;
	size_t behind;
	struct cli *c; /* where a record JSON cannot hold is reported */
};

static int
status_row(const struct gs_push_status *p, void *ud)
{
	struct status_print *sp = ud;
	const char *state = *p->build_error ? _("build fails")
	                    : !p->pushed_at ? _("never pushed")
	                    : p->behind     ? _("behind")
	                                    : _("current");

	sp->behind += p->behind;
	if (sp->arr) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "host", json_string(p->fqdn), &bad);
		cli_json_set(o, "behind", json_boolean(p->behind), &bad);
		cli_json_set(o, "pushed_sha256", json_string(p->pushed_sha256), &bad);
		cli_json_set(o, "build_sha256", json_string(p->build_sha256), &bad);
		cli_json_set(o, "pushed",
		             p->pushed_at ? json_string(cli_time(p->pushed_at)) : json_null(),
		             &bad);
		cli_json_set(o, "last_outcome", json_string(p->last_outcome), &bad);
		cli_json_set(o, "files_behind", json_string(p->files_behind), &bad);
		cli_json_set(o, "lsc_failures", json_integer((json_int_t)p->lsc_failures), &bad);
		if (*p->build_error)
			cli_json_set(o, "build_error", json_string(p->build_error), &bad);
		return cli_json_row(sp->c, sp->arr, o, bad, p->fqdn);
	}
	printf("%-30s %-13s %-20s %.12s\n", p->fqdn, state,
	       p->pushed_at ? cli_time(p->pushed_at) : "-",
	       *p->build_sha256 ? p->build_sha256 : "-");
	if (*p->files_behind)
		printf(_("    differs from its last push: %s\n"), p->files_behind);
	if (p->lsc_failures)
		printf(ngettext("    %zu chain of its VOMS servers fails its check\n",
		                "    %zu chains of its VOMS servers fail their check\n",
		                p->lsc_failures),
		       p->lsc_failures);
	if (*p->build_error)
		printf("    %s\n", p->build_error);
	else if (!strcmp(p->last_outcome, "failed"))
		printf(_("    last push failed %s: %s\n"), cli_time(p->tried_at), p->last_detail);
	return 0;
}

static int
lsc_row(const struct gs_lsc_result *r, void *ud)
{
	size_t *n = ud;

	if (r->verdict == GM_LSC_OK)
		return 0;
	if ((*n)++ == 0)
		printf("%s\n",
		       _("VOMS server chains that fail their check against the store's CAs:"));
	printf(_("  %s %s, chain %u: %s\n"), r->vo, r->host, r->chain, r->why);
	return 0;
}

/* Every VOMS server's chains, whichever host gets them: a push refuses
 * while one fails. */
static void
lsc_status(struct cli *c)
{
	size_t n = 0;

	if (gridstore_lsc_check(c->st, NULL, 0, lsc_row, &n, &c->err) == PT_OK && n == 0)
		printf("%s\n", _("Every chain of the VOMS servers ends at a CA of the store."));
}

static int
cmd_gridmap_status(struct cli *c, int argc, char **argv)
{
	struct status_print sp = { .c = c };
	const char *filter;
	bool json;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &json)))
		return rc;
	if (filter)
		return cli_bad_usage(c);
	if (json)
		sp.arr = json_array();
	else
		printf("%-30s %-13s %-20s %s\n", _("HOST"), _("STATE"), _("PUSHED"), _("BUILD"));
	if (gridstore_push_status_foreach(c->st, status_row, &sp, &c->err) == PT_OK &&
	    c->err.status == PT_OK && json)
		return cli_json_print(sp.arr);
	json_decref(sp.arr);
	if (!json && c->err.status == PT_OK)
		printf(ngettext("%zu host behind its rules.\n", "%zu hosts behind their rules.\n",
		                sp.behind),
		       sp.behind);
	if (!json && c->err.status == PT_OK)
		lsc_status(c);
	return cli_report(c);
}

struct diff_print {
	bool full;    /* every line, not only the counts */
	size_t files; /* that differ */
};

static int
diff_row(const struct gs_file_diff *d, void *ud)
{
	struct diff_print *dp = ud;
	const char *state = d->state == GS_FILE_NEW       ? _("new")
	                    : d->state == GS_FILE_GONE    ? _("no longer sent")
	                    : d->state == GS_FILE_CHANGED ? _("changed")
	                                                  : _("as last pushed");

	dp->files += d->state != GS_FILE_SAME;
	printf(_("%-40s %-15s +%zu -%zu\n"), d->path, state, d->nadded, d->nremoved);
	if (d->state == GS_FILE_CHANGED && !d->nadded && !d->nremoved)
		printf("    %s\n", _("the same lines in another order"));
	for (size_t i = 0; dp->full && i < d->nadded; i++)
		printf("  + %s\n", d->added[i]);
	for (size_t i = 0; dp->full && i < d->nremoved; i++)
		printf("  - %s\n", d->removed[i]);
	return 0;
}

/* gridmap push --dry-run: the build's diff against the last push, no
 * window. */
static int
push_dry_run(struct cli *c, const char *fqdn)
{
	struct diff_print dp = { .full = true };
	struct gs_build *b = NULL;

	if (gridstore_build(c->st, fqdn, &b, &c->err) != PT_OK)
		return cli_report(c);
	grid_report_build(b, stderr);
	grid_report_files(b, stderr);
	printf(_("What a push to %s would change, against its last push:\n"), fqdn);
	if (gridstore_push_diff(c->st, fqdn, b, diff_row, &dp, &c->err) == PT_OK)
		printf(ngettext("%zu file differs. Dry run: nothing was sent.\n",
		                "%zu files differ. Dry run: nothing was sent.\n", dp.files),
		       dp.files);
	gridstore_build_free(&b);
	return cli_report(c);
}

static int
cmd_gridmap_push(struct cli *c, int argc, char **argv)
{
	struct transfer_result r = { 0 };
	struct gs_build *b = NULL;
	const char *fqdn, *accept;
	char *low, **av = calloc((size_t)argc + 1, sizeof(*av));
	bool force = false, dry = false;
	int rc, ac = 0;

	if (!av)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	for (int i = 0; i < argc; i++) {
		if (i > 0 && !strcmp(argv[i], "--force"))
			force = true;
		else
			av[ac++] = argv[i];
	}
	rc = cli_transfer_args(c, ac, av, &fqdn, &accept, &dry);
	free(av);
	if (rc)
		return rc;
	if (dry) {
		if ((low = cli_lowercase(fqdn)) == NULL)
			return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
		rc = push_dry_run(c, low);
		free(low);
		return rc;
	}
	low = cli_lowercase(fqdn);
	if (!low)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	{
		/* what it will change, file by file, before the window */
		struct diff_print dp = { .full = false };
		struct gs_build *pre = NULL;
		struct pt_err e = { 0 };

		if (gridstore_build(c->st, low, &pre, &e) == PT_OK &&
		    gridstore_push_diff(c->st, low, pre, diff_row, &dp, &e) == PT_OK)
			printf(ngettext("%zu file differs from the last push.\n",
			                "%zu files differ from the last push.\n", dp.files),
			       dp.files);
		gridstore_build_free(&pre);
	}
	if (transfer_gridmap_push(c->st, low,
	                          &(struct transfer_opts){ .accept_hostkey = accept,
	                                                   .force = force },
	                          &b, &r, &c->err) == PT_OK) {
		size_t sent = 0;

		for (size_t i = 0; i < b->nfiles; i++)
			sent += b->files[i].wanted;
		grid_report_build(b, stderr);
		grid_report_files(b, stderr);
		printf(ngettext("%s: %zu file sent (grid-mapfile %zu lines), sha256 %s.\n",
		                "%s: %zu files sent (grid-mapfile %zu lines), sha256 %s.\n", sent),
		       low, sent, b->result->nlines, b->sha256);
		gridstore_build_free(&b);
	}
	if (r.window_id)
		cli_print_window(&r);
	free(low);
	rc = cli_report(c);
	cli_reraise(c, r.signal);
	return rc;
}

const struct cmd cli_gridmap_commands[] = {
	{ "gridmap", "rules", cmd_gridmap_rules, CMD_STORE | CMD_WRITE,
	  N_("import HOSTSPEC|@GROUP FILE | show FQDN|@GROUP [--text|--json] | rm FQDN|@GROUP"),
	  N_("attach rules in mkgridmap.conf syntax to hosts or a group, show or remove them") },
	{ "gridmap", "ban", cmd_gridmap_ban, CMD_STORE | CMD_WRITE, N_("DN|PATTERN"),
	  N_("ban a DN (or a pattern, '*' the wildcard) from every grid-mapfile of the site") },
	{ "gridmap", "unban", cmd_gridmap_unban, CMD_STORE | CMD_WRITE, N_("DN|PATTERN"),
	  N_("lift a ban") },
	{ "gridmap", "bans", cmd_gridmap_bans, CMD_STORE, N_("[--json]"), N_("list the bans") },
	{ "gridmap", "local", cmd_gridmap_local, CMD_STORE | CMD_WRITE,
	  N_("add DN ACCOUNT | rm DN | list [--json]"),
	  N_("local grid-mapfile entries (gmf_local): read first, they win over any VO") },
	{ "gridmap", "build", cmd_gridmap_build, CMD_STORE, N_("FQDN [--file NAME | --files]"),
	  N_("print the grid-mapfile (or another file: voms-mapfile, ban-mapfile, "
	     "vomses/VO-HOST, vomsdir/VO/HOST.lsc) of a host; what was left out goes to stderr") },
	{ "gridmap", "status", cmd_gridmap_status, CMD_STORE, N_("[--json]"),
	  N_("which hosts are behind their rules (last push against a build now)") },
	{ "gridmap", "push", cmd_gridmap_push, CMD_STORE | CMD_NET,
	  N_("FQDN [--dry-run] [--force] [--accept-hostkey SHA256:...]"),
	  N_("send a host its grid-mapfile, voms-mapfile, ban-mapfile, vomses and .lsc files through "
	     "the engine (--force: even with VOMS server chains that fail their check)") },
};
const size_t cli_gridmap_ncommands = sizeof(cli_gridmap_commands) / sizeof(cli_gridmap_commands[0]);

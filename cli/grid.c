/* cli-grid.c - the vo, voms and gridmap commands: Grid authorization.
 *
 * Member lists and rules come in as files and are checked whole before
 * anything is stored; a bad file is an error naming FILE:LINE and the
 * store stays as it was.  The grid-mapfile a host would get is printed by
 * `gridmap build`, with what the build left out on stderr.
 */
#include "config.h"

#include <getopt.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "engine/lib.h"
#include "grid/lib.h"
#include "base/i18n.h"

/* Member lists of big VOs run to megabytes; nothing sane is bigger. */
#define GRID_FILE_MAX (256 * 1024 * 1024)

/* ---------------------------------------------------------------------
 * vo
 * ------------------------------------------------------------------- */

static int
cmd_vo_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "uri", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char **uris = calloc((size_t)argc + 1, sizeof(*uris));
	size_t n = 0;
	int o;

	if (!uris)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'u') {
			free(uris);
			return cli_bad_usage(c);
		}
		uris[n++] = optarg;
	}
	if (optind + 1 != argc) {
		free(uris);
		return cli_bad_usage(c);
	}
	if (gridstore_vo_add(c->st, argv[optind], uris, n, &c->err) == PT_OK)
		printf(ngettext("VO %s: %zu URI added.\n", "VO %s: %zu URIs added.\n", n), argv[optind],
		       n);
	free(uris);
	return cli_report(c);
}

struct vo_print {
	bool json, full;
	json_t *arr;
	struct cli *c;
};

static json_t *
uris_json(const char *uris)
{
	json_t *a = json_array();
	const char *p = uris;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		json_array_append_new(a, json_stringn(p, n));
		p += n + (e ? 1 : 0);
	}
	return a;
}

static int
snap_json_cb(const struct gs_snapshot *s, void *ud)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "imported",
	                      cli_time(s->imported_at), "source", s->source, "format", s->format,
	                      "sha256", s->sha256, "members", (json_int_t)s->members, "added",
	                      (json_int_t)s->added, "removed", (json_int_t)s->removed, "current",
	                      s->current);

	json_array_append_new(ud, o);
	return 0;
}

static int
snap_text_cb(const struct gs_snapshot *s, void *ud)
{
	(void)ud;
	printf(_("  %s  %-5s %7lld members (+%lld -%lld)  %s%s\n"), cli_time(s->imported_at),
	       s->format, (long long)s->members, (long long)s->added, (long long)s->removed,
	       s->source, s->current ? _("  [current]") : "");
	return 0;
}

static int
voms_json_cb(const struct gs_voms *v, void *ud)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "host", v->host, "server_dn", v->server_dn,
	                      "ca_dn", v->ca_dn, "alternative_chains", (json_int_t)v->nchains);

	json_array_append_new(ud, o);
	return 0;
}

static int
voms_text_cb(const struct gs_voms *v, void *ud)
{
	(void)ud;
	printf(_("  %s  %s\n    CA %s (alternative chains: %zu)\n"), v->host, v->server_dn, v->ca_dn,
	       v->nchains);
	return 0;
}

static int
vo_row(const struct gs_vo *vo, void *ud)
{
	struct vo_print *p = ud;

	if (p->json) {
		json_t *o = json_pack("{s:s, s:o, s:s, s:I, s:I}", "name", vo->name, "uris",
		                      uris_json(vo->uris), "created", cli_time(vo->created_at),
		                      "members", (json_int_t)vo->members, "snapshots",
		                      (json_int_t)vo->snapshots);

		json_object_set_new(o, "snapshot",
		                    vo->snapshot_at ? json_string(cli_time(vo->snapshot_at))
		                                    : json_null());
		if (p->full) {
			json_t *sn = json_array(), *vs = json_array();

			gridstore_snapshot_foreach(p->c->st, vo->name, snap_json_cb, sn, &p->c->err);
			gridstore_voms_foreach(p->c->st, vo->name, voms_json_cb, vs, &p->c->err);
			json_object_set_new(o, "history", sn);
			json_object_set_new(o, "voms", vs);
		}
		if (p->arr)
			json_array_append_new(p->arr, o);
		else
			cli_json_print(o);
		return 0;
	}
	if (!p->full) {
		printf("%-20s %8lld  %-20s %s\n", vo->name, (long long)vo->members,
		       vo->snapshot_at ? cli_time(vo->snapshot_at) : _("never imported"),
		       vo->format);
		return 0;
	}
	printf(_("VO:         %s\n"), vo->name);
	printf(_("Added:      %s\n"), cli_time(vo->created_at));
	printf(_("URIs:\n"));
	for (const char *u = vo->uris; *u;) {
		const char *e = strchr(u, '\n');
		int n = e ? (int)(e - u) : (int)strlen(u);

		printf("  %.*s\n", n, u);
		u += n + (e ? 1 : 0);
	}
	printf(_("Members:    %lld\n"), (long long)vo->members);
	printf(_("Snapshots:\n"));
	if (!vo->snapshots)
		printf(_("  never imported (passtore vo import %s FILE)\n"), vo->name);
	gridstore_snapshot_foreach(p->c->st, vo->name, snap_text_cb, NULL, &p->c->err);
	printf(_("VOMS servers:\n"));
	gridstore_voms_foreach(p->c->st, vo->name, voms_text_cb, NULL, &p->c->err);
	return 0;
}

static int
cmd_vo_list(struct cli *c, int argc, char **argv)
{
	struct vo_print p = { false, false, NULL, c };
	const char *filter;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &p.json)))
		return rc;
	if (filter)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	else
		printf("%-20s %8s  %-20s %s\n", _("VO"), _("MEMBERS"), _("SNAPSHOT"), _("FORMAT"));
	if (gridstore_vo_foreach(c->st, vo_row, &p, &c->err) == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

static int
cmd_vo_show(struct cli *c, int argc, char **argv)
{
	struct vo_print p = { false, true, NULL, c };
	const char *name;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &name, &p.json)))
		return rc;
	if (!name)
		return cli_bad_usage(c);
	gridstore_vo_get(c->st, name, vo_row, &p, &c->err);
	return cli_report(c);
}

/* Show a diff, then apply it unless dry_run.  Shared with fetch-vo. */
static int
grid_import_members(struct cli *c, const char *vo, const char *source, const char *buf,
                    size_t len, bool dry_run)
{
	struct gm_members *m = NULL;
	struct gs_diff d = { 0 };
	char sha[65];
	size_t i;

	if (memchr(buf, '\0', len)) {
		pt_fail(&c->err, PT_INVALID, _("%s: not a text file (NUL byte)"), source);
		return cli_report(c);
	}
	if (gridmap_members_parse(source, buf, len, &m, &c->err) != PT_OK)
		return cli_report(c);
	if (gridstore_vo_diff(c->st, vo, m, &d, &c->err) != PT_OK) {
		gridmap_members_free(&m);
		return cli_report(c);
	}
	for (i = 0; i < d.nadded; i++)
		printf("+ %s\n", d.added[i]);
	for (i = 0; i < d.nremoved; i++)
		printf("- %s\n", d.removed[i]);
	printf(_("VO %s: %zu added, %zu removed, %zu members (%s, %s).\n"), vo, d.nadded, d.nremoved,
	       d.members, gridstore_format_name(m->format), source);
	gridstore_diff_clear(&d);
	if (dry_run) {
		printf(_("Dry run: nothing was applied.\n"));
	} else {
		gridstore_sha256_hex(buf, len, sha);
		if (gridstore_vo_import(c->st, vo, m, source, sha, NULL, &c->err) == PT_OK)
			printf(_("Imported as the current snapshot.\n"));
	}
	gridmap_members_free(&m);
	return cli_report(c);
}

static int
cmd_vo_import(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	bool dry = false;
	unsigned char *buf = NULL;
	size_t len;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'n')
			return cli_bad_usage(c);
		dry = true;
	}
	if (optind + 2 != argc)
		return cli_bad_usage(c);
	if (cli_slurp(argv[optind + 1], false, GRID_FILE_MAX, &buf, &len, &c->err) != PT_OK)
		return cli_report(c);
	rc = grid_import_members(c, argv[optind], argv[optind + 1], (const char *)buf, len, dry);
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------------
 * gridmap rules
 * ------------------------------------------------------------------- */

static int
rules_import(struct cli *c, int argc, char **argv)
{
	struct hostset hs;
	unsigned char *buf = NULL;
	size_t len;

	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
		return cli_bad_usage(c);
	if (cli_slurp(argv[2], false, GRID_FILE_MAX, &buf, &len, &c->err) != PT_OK)
		return cli_report(c);
	if (argv[1][0] == '@') {
		if (gridstore_rules_set(c->st, NULL, argv[1] + 1, argv[2], (const char *)buf, len, &c->err) == PT_OK)
			printf(_("Rules of group %s imported from %s.\n"), argv[1] + 1, argv[2]);
	} else if (cli_resolve(c, argv[1], true, &hs) == PT_OK) {
		for (size_t i = 0; i < hs.n && c->err.status == PT_OK; i++)
			gridstore_rules_set(c->st, hs.names[i], NULL, argv[2], (const char *)buf, len, &c->err);
		if (c->err.status == PT_OK)
			printf(ngettext("Rules of %zu host imported from %s.\n",
			                "Rules of %zu hosts imported from %s.\n", hs.n),
			       hs.n, argv[2]);
		cli_hostset_free(&hs);
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
		json_t *o = json_pack("{s:o, s:o, s:s, s:s}", "host",
		                      rs->host ? json_string(rs->host) : json_null(), "group",
		                      rs->group ? json_string(rs->group) : json_null(), "source",
		                      rs->source, "imported", cli_time(rs->imported_at));
		json_t *a = json_array();

		for (size_t i = 0; i < rs->nrules; i++) {
			const struct gs_rule *r = &rs->rules[i];
			json_t *x = json_pack("{s:s, s:s}", "kind", r->kind, "value", r->value);

			if (r->line)
				json_object_set_new(x, "line", json_integer(r->line));
			if (*r->account)
				json_object_set_new(x, "account", json_string(r->account));
			if (!strcmp(r->kind, "group") || !strcmp(r->kind, "auth")) {
				json_object_set_new(x, "vo", *r->vo ? json_string(r->vo) : json_null());
				json_object_set_new(x, "imported", json_boolean(r->imported));
			}
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "rules", a);
		gridstore_ruleset_free(&rs);
		return cli_json_print(o);
	} else {
		if (rs->host)
			printf(_("Rules of host %s, from %s, imported %s:\n"), rs->host, rs->source,
			       cli_time(rs->imported_at));
		else
			printf(_("Rules of group %s, from %s, imported %s:\n"), rs->group, rs->source,
			       cli_time(rs->imported_at));
		for (size_t i = 0; i < rs->nrules; i++) {
			const struct gs_rule *r = &rs->rules[i];

			if (r->line)
				printf("%4u  ", r->line);
			else
				printf("%4s  ", "");
			printf("%-15s %s%s%s", r->kind, r->value, *r->account ? "  " : "", r->account);
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

/* ---------------------------------------------------------------------
 * bans and local entries
 * ------------------------------------------------------------------- */

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
	if (ud)
		json_array_append_new(ud, json_pack("{s:s, s:s}", "pattern", pattern, "added",
		                                    cli_time(at)));
	else
		printf("%s  %s\n", cli_time(at), pattern);
	return 0;
}

static int
cmd_gridmap_bans(struct cli *c, int argc, char **argv)
{
	const char *filter;
	json_t *arr = NULL;
	bool json;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &json)))
		return rc;
	if (filter)
		return cli_bad_usage(c);
	if (json)
		arr = json_array();
	if (gridstore_ban_foreach(c->st, ban_row, arr, &c->err) == PT_OK && json)
		return cli_json_print(arr);
	json_decref(arr);
	return cli_report(c);
}

static int
local_row(const char *dn, const char *account, void *ud)
{
	if (ud)
		json_array_append_new(ud, json_pack("{s:s, s:s}", "dn", dn, "account", account));
	else
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
		json_t *arr = NULL;

		if (argc == 3 && strcmp(argv[2], "--json") != 0)
			return cli_bad_usage(c);
		if (argc == 3)
			arr = json_array();
		if (gridstore_local_foreach(c->st, local_row, arr, &c->err) == PT_OK && arr)
			return cli_json_print(arr);
		json_decref(arr);
	} else {
		return cli_bad_usage(c);
	}
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * build and status
 * ------------------------------------------------------------------- */

/* What the build left out, on stderr: never-imported groups, unsafe DNs,
 * conflicts, gmf_local files stood for by the store's entries. */
static void
grid_report_build(const struct gs_build *b, FILE *f)
{
	const struct gm_result *r = b->result;
	size_t i;

	for (i = 0; i < r->nmissing; i++)
		fprintf(f, _("passtore: group %s: no member list imported, skipped\n"), r->missing[i]);
	for (i = 0; i < r->nunsafe; i++)
		fprintf(f, _("passtore: skipped %s (%s), from %s\n"), r->unsafe[i].dn,
		        _(r->unsafe[i].why), r->unsafe[i].from ? r->unsafe[i].from : _("local entries"));
	for (i = 0; i < r->nconflicts; i++) {
		const struct gm_conflict *k = &r->conflicts[i];

		fprintf(f, _("passtore: conflict: %s maps to %s (%s), not to %s (%s)\n"), k->dn,
		        k->kept_account, k->kept_from ? k->kept_from : _("local entries"),
		        k->lost_account, k->lost_from ? k->lost_from : _("local entries"));
	}
	for (i = 0; i < b->nignored; i++)
		fprintf(f, _("passtore: gmf_local %s: the store's local entries stand for it (passtore gridmap local list)\n"),
		        b->ignored_files[i]);
	fprintf(f, _("passtore: %zu lines; %zu denied by the ACL, %zu banned, %zu in no auth list\n"),
	        r->nlines, r->ndenied, r->nbanned, r->nunauthorized);
}

static int
cmd_gridmap_build(struct cli *c, int argc, char **argv)
{
	struct gs_build *b = NULL;
	const char *fqdn;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &fqdn)))
		return rc;
	if (gridstore_build(c->st, fqdn, &b, &c->err) != PT_OK)
		return cli_report(c);
	fwrite(b->result->text, 1, b->result->len, stdout);
	if (fflush(stdout) != 0)
		pt_fail(&c->err, PT_IO, _("cannot write the grid-mapfile"));
	grid_report_build(b, stderr);
	gridstore_build_free(&b);
	return cli_report(c);
}

struct status_print {
	json_t *arr;
	size_t behind;
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
		json_t *o = json_pack("{s:s, s:b, s:s, s:s}", "host", p->fqdn, "behind", p->behind,
		                      "pushed_sha256", p->pushed_sha256, "build_sha256",
		                      p->build_sha256);

		json_object_set_new(o, "pushed", p->pushed_at ? json_string(cli_time(p->pushed_at))
		                                              : json_null());
		json_object_set_new(o, "last_outcome", json_string(p->last_outcome));
		if (*p->build_error)
			json_object_set_new(o, "build_error", json_string(p->build_error));
		json_array_append_new(sp->arr, o);
		return 0;
	}
	printf("%-30s %-13s %-20s %.12s\n", p->fqdn, state,
	       p->pushed_at ? cli_time(p->pushed_at) : "-",
	       *p->build_sha256 ? p->build_sha256 : "-");
	if (*p->build_error)
		printf("    %s\n", p->build_error);
	else if (!strcmp(p->last_outcome, "failed"))
		printf(_("    last push failed %s: %s\n"), cli_time(p->tried_at), p->last_detail);
	return 0;
}

static int
cmd_gridmap_status(struct cli *c, int argc, char **argv)
{
	struct status_print sp = { NULL, 0 };
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
	if (gridstore_push_status_foreach(c->st, status_row, &sp, &c->err) == PT_OK && json)
		return cli_json_print(sp.arr);
	json_decref(sp.arr);
	if (!json && c->err.status == PT_OK)
		printf(ngettext("%zu host behind its rules.\n", "%zu hosts behind their rules.\n",
		                sp.behind),
		       sp.behind);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * voms
 * ------------------------------------------------------------------- */

static int
cmd_voms_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "server-dn", required_argument, NULL, 'd' },
		{ "ca-dn", required_argument, NULL, 'c' },
		{ "chain", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	const char *host = NULL, *sdn = NULL, *cdn = NULL;
	const char **chains = calloc((size_t)argc + 1, sizeof(*chains));
	size_t n = 0;
	int o;

	if (!chains)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's': host = optarg; break;
		case 'd': sdn = optarg; break;
		case 'c': cdn = optarg; break;
		case 'x': chains[n++] = optarg; break;
		default: free(chains); return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc || !host || !sdn || !cdn) {
		free(chains);
		return cli_bad_usage(c);
	}
	if (gridstore_voms_add(c->st, argv[optind], host, sdn, cdn, chains, n, &c->err) == PT_OK)
		printf(_("VOMS server %s of VO %s recorded (vomsdir/%s/%s.lsc).\n"), host, argv[optind],
		       argv[optind], host);
	free(chains);
	return cli_report(c);
}

static int
cmd_voms_lsc(struct cli *c, int argc, char **argv)
{
	char *lsc = NULL;

	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
		return cli_bad_usage(c);
	if (gridstore_voms_lsc(c->st, argv[1], argv[2], &lsc, &c->err) == PT_OK)
		fputs(lsc, stdout);
	free(lsc);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * through the engine
 * ------------------------------------------------------------------- */

static int
cmd_gridmap_push(struct cli *c, int argc, char **argv)
{
	struct transfer_result r = { 0 };
	struct gs_build *b = NULL;
	const char *fqdn, *accept;
	char *low;
	int rc;

	if ((rc = cli_transfer_args(c, argc, argv, &fqdn, &accept, NULL)))
		return rc;
	low = cli_lowercase(fqdn);
	if (!low)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	if (transfer_gridmap_push(c->st, low, &(struct transfer_opts){ .accept_hostkey = accept }, &b,
	                          &r, &c->err) == PT_OK) {
		grid_report_build(b, stderr);
		printf(ngettext("%s: grid-mapfile (%zu line) and %zu vomsdir file(s) sent, sha256 %s.\n",
		                "%s: grid-mapfile (%zu lines) and %zu vomsdir file(s) sent, sha256 %s.\n",
		                b->result->nlines),
		       low, b->result->nlines, b->nfiles - 1, b->sha256);
		gridstore_build_free(&b);
	}
	if (r.window_id)
		cli_print_window(&r);
	free(low);
	rc = cli_report(c);
	cli_reraise(c, r.signal);
	return rc;
}

static int
cmd_fetch_vo(struct cli *c, int argc, char **argv)
{
	struct transfer_result r = { 0 };
	const char *vo, *accept;
	char *data = NULL, *name = NULL, *source = NULL;
	bool dry = false;
	size_t len = 0;
	int rc;

	if ((rc = cli_transfer_args(c, argc, argv, &vo, &accept, &dry)))
		return rc;
	if (transfer_fetch_vo(c->st, vo, &(struct transfer_opts){ .accept_hostkey = accept }, &data,
	                      &len, &name, &r, &c->err) != PT_OK) {
		if (r.window_id)
			cli_print_window(&r);
		rc = cli_report(c);
		cli_reraise(c, r.signal);
		return rc;
	}
	cli_print_window(&r);
	if (asprintf(&source, "outbox:%s", name) < 0) {
		source = NULL;
		pt_fail(&c->err, PT_NOMEM, NULL);
		rc = cli_report(c);
	} else if (store_begin(c->st, &c->err) != PT_OK) {
		rc = cli_report(c);
	} else {
		rc = grid_import_members(c, vo, source, data, len, dry);
		if (rc == 0 && c->err.status == PT_OK) {
			if (store_commit(c->st, &c->err) != PT_OK)
				rc = cli_report(c);
		} else {
			store_rollback(c->st);
		}
	}
	free(source);
	free(name);
	free(data);
	cli_reraise(c, r.signal);
	return rc;
}

/* ---------------------------------------------------------------------
 * the family's table
 * ------------------------------------------------------------------- */

const struct cmd cli_grid_commands[] = {
	{ "vo", "add", cmd_vo_add, CMD_STORE | CMD_WRITE, N_("NAME [--uri URI]..."),
	  N_("add a VO, or URIs to it: the group/auth URIs of mkgridmap.conf its member lists "
	     "stand for (ldap://..., vomss://...)") },
	{ "vo", "list", cmd_vo_list, CMD_STORE, N_("[--json]"),
	  N_("list the VOs with their member counts and snapshot dates") },
	{ "vo", "show", cmd_vo_show, CMD_STORE, N_("NAME [--json]"),
	  N_("show a VO: URIs, snapshots, VOMS servers") },
	{ "vo", "import", cmd_vo_import, CMD_STORE | CMD_WRITE, N_("NAME FILE [--dry-run]"),
	  N_("import a member list (plain DNs, VOMS-Admin CSV or LDIF) as the VO's new snapshot, "
	     "showing what was added and removed") },
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
	{ "gridmap", "build", cmd_gridmap_build, CMD_STORE, N_("FQDN"),
	  N_("print the grid-mapfile of a host; what was left out goes to stderr") },
	{ "gridmap", "status", cmd_gridmap_status, CMD_STORE, N_("[--json]"),
	  N_("which hosts are behind their rules (last push against a build now)") },
	{ "gridmap", "push", cmd_gridmap_push, CMD_STORE, N_("FQDN [--accept-hostkey SHA256:...]"),
	  N_("send a host its grid-mapfile and vomsdir .lsc files through the engine") },
	{ "voms", "add", cmd_voms_add, CMD_STORE | CMD_WRITE,
	  N_("VO --server HOST --server-dn DN --ca-dn DN [--chain \"DN;DN...\"]..."),
	  N_("record a VOMS server of a VO, with alternative chains (a server renewed under "
	     "another CA)") },
	{ "voms", "lsc", cmd_voms_lsc, CMD_STORE, N_("VO HOST"),
	  N_("print the vomsdir .lsc file of a VOMS server") },
	{ "transfer", "fetch-vo", cmd_fetch_vo, CMD_STORE,
	  N_("NAME [--accept-hostkey SHA256:...] [--dry-run]"),
	  N_("fetch a VO's member list from the operator's outbox and import it") },
};
const size_t cli_grid_ncommands = sizeof(cli_grid_commands) / sizeof(cli_grid_commands[0]);

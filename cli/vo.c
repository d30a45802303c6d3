/* vo.c - the vo commands, and transfer fetch-vo: a VO's URIs and its
 * member lists.  A member list is checked whole before anything is
 * stored; a bad file is an error naming FILE:LINE and the store stays as
 * it was. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "engine/lib.h"
#include "grid/lib.h"

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
		printf(ngettext("VO %s: %zu URI added.\n", "VO %s: %zu URIs added.\n", n),
		       argv[optind], n);
	free(uris);
	return cli_report(c);
}

struct vo_print {
	bool json, full;
	json_t *arr;
	struct cli *c;
};

static json_t *
uris_json(const char *uris, const char **bad)
{
	json_t *a = json_array();
	const char *p = uris;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		cli_json_append(a, json_stringn(p, n), "uris", bad);
		p += n + (e ? 1 : 0);
	}
	return a;
}

/* A list of vo show: where its items go, and the first field that failed. */
struct vo_list {
	json_t *arr;
	const char **bad;
};

static int
snap_json_cb(const struct gs_snapshot *s, void *ud)
{
	struct vo_list *l = ud;
	json_t *o = json_object();

	cli_json_set(o, "imported", json_string(cli_time(s->imported_at)), l->bad);
	cli_json_set(o, "source", json_string(s->source), l->bad);
	cli_json_set(o, "format", json_string(s->format), l->bad);
	cli_json_set(o, "sha256", json_string(s->sha256), l->bad);
	cli_json_set(o, "members", json_integer((json_int_t)s->members), l->bad);
	cli_json_set(o, "added", json_integer((json_int_t)s->added), l->bad);
	cli_json_set(o, "removed", json_integer((json_int_t)s->removed), l->bad);
	cli_json_set(o, "current", json_boolean(s->current), l->bad);
	cli_json_append(l->arr, o, "history", l->bad);
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
	struct vo_list *l = ud;
	json_t *o = json_object();

	cli_json_set(o, "host", json_string(v->host), l->bad);
	cli_json_set(o, "server_dn", json_string(v->server_dn), l->bad);
	cli_json_set(o, "ca_dn", json_string(v->ca_dn), l->bad);
	cli_json_set(o, "alternative_chains", json_integer((json_int_t)v->nchains), l->bad);
	cli_json_append(l->arr, o, "voms", l->bad);
	return 0;
}

static int
voms_text_cb(const struct gs_voms *v, void *ud)
{
	(void)ud;
	printf(_("  %s  %s\n    CA %s (alternative chains: %zu)\n"), v->host, v->server_dn,
	       v->ca_dn, v->nchains);
	return 0;
}

static int
vo_row(const struct gs_vo *vo, void *ud)
{
	struct vo_print *p = ud;

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "name", json_string(vo->name), &bad);
		cli_json_set(o, "uris", uris_json(vo->uris, &bad), &bad);
		cli_json_set(o, "created", json_string(cli_time(vo->created_at)), &bad);
		cli_json_set(o, "members", json_integer((json_int_t)vo->members), &bad);
		cli_json_set(o, "snapshots", json_integer((json_int_t)vo->snapshots), &bad);
		cli_json_set(o, "snapshot",
		             vo->snapshot_at ? json_string(cli_time(vo->snapshot_at)) : json_null(),
		             &bad);
		if (p->full) {
			struct vo_list sn = { json_array(), &bad }, vs = { json_array(), &bad };

			gridstore_snapshot_foreach(p->c->st, vo->name, snap_json_cb, &sn,
			                           &p->c->err);
			gridstore_voms_foreach(p->c->st, vo->name, voms_json_cb, &vs, &p->c->err);
			cli_json_set(o, "history", sn.arr, &bad);
			cli_json_set(o, "voms", vs.arr, &bad);
		}
		if (p->arr)
			return cli_json_row(p->c, p->arr, o, bad, vo->name);
		/* vo show: nothing printed when a list or a field is missing */
		if (bad || p->c->err.status != PT_OK) {
			json_decref(o);
			return bad ? cli_json_fail(p->c, vo->name, bad) : 1;
		}
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
	if (gridstore_vo_foreach(c->st, vo_row, &p, &c->err) == PT_OK && c->err.status == PT_OK &&
	    p.json)
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
grid_import_members(struct cli *c, const char *vo, const char *source, const char *buf, size_t len,
                    bool dry_run)
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
	printf(_("VO %s: %zu added, %zu removed, %zu members (%s, %s).\n"), vo, d.nadded,
	       d.nremoved, d.members, gridstore_format_name(m->format), source);
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
	if (pt_file_read(argv[optind + 1], false, GRID_FILE_MAX, &buf, &len, &c->err) != PT_OK)
		return cli_report(c);
	rc = grid_import_members(c, argv[optind], argv[optind + 1], (const char *)buf, len, dry);
	free(buf);
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

const struct cmd cli_vo_commands[] = {
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
	{ "transfer", "fetch-vo", cmd_fetch_vo, CMD_STORE | CMD_NET,
	  N_("NAME [--accept-hostkey SHA256:...] [--dry-run]"),
	  N_("fetch a VO's member list from the operator's outbox and import it") },
};
const size_t cli_vo_ncommands = sizeof(cli_vo_commands) / sizeof(cli_vo_commands[0]);

/* voms.c - the voms commands: a VO's VOMS servers and their .lsc files,
 * its FQAN mapping table (the voms-mapfile). */
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
cmd_voms_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "server-dn", required_argument, NULL, 'd' },
		{ "ca-dn", required_argument, NULL, 'c' },
		{ "chain", required_argument, NULL, 'x' },
		{ "port", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *host = NULL, *sdn = NULL, *cdn = NULL;
	unsigned long port = 0;
	char *end;
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
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*end || !*optarg || port < 1 || port > 65535) {
				free(chains);
				return cli_bad_usage(c);
			}
			break;
		default: free(chains); return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc || !host || !sdn || !cdn) {
		free(chains);
		return cli_bad_usage(c);
	}
	if (gridstore_voms_add(c->st, argv[optind], host, sdn, cdn, chains, n, &c->err) == PT_OK &&
	    (!port ||
	     gridstore_voms_port(c->st, argv[optind], host, (unsigned)port, &c->err) == PT_OK))
		printf(_("VOMS server %s of VO %s recorded (vomsdir/%s/%s.lsc).\n"), host,
		       argv[optind], argv[optind], host);
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

static int
cmd_voms_map(struct cli *c, int argc, char **argv)
{
	if (argc != 4 || argv[1][0] == '-' || argv[2][0] != '/' || argv[3][0] == '-')
		return cli_bad_usage(c);
	if (gridstore_fqan_add(c->st, argv[1], argv[2], argv[3], &c->err) == PT_OK)
		printf(_("VO %s: \"%s\" maps to %s.\n"), argv[1], argv[2], argv[3]);
	return cli_report(c);
}

static int
cmd_voms_unmap(struct cli *c, int argc, char **argv)
{
	if (argc != 3 || argv[1][0] == '-' || argv[2][0] != '/')
		return cli_bad_usage(c);
	if (gridstore_fqan_rm(c->st, argv[1], argv[2], &c->err) == PT_OK)
		printf(_("VO %s: \"%s\" no longer mapped.\n"), argv[1], argv[2]);
	return cli_report(c);
}

static int
cmd_voms_rm(struct cli *c, int argc, char **argv)
{
	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
		return cli_bad_usage(c);
	if (gridstore_voms_rm(c->st, argv[1], argv[2], &c->err) == PT_OK)
		printf(_("VOMS server %s of VO %s removed.\n"), argv[2], argv[1]);
	return cli_report(c);
}

static int
server_row(const struct gs_voms *v, void *ud)
{
	struct cred_print *p = ud;

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "vo", json_string(v->vo), &bad);
		cli_json_set(o, "host", json_string(v->host), &bad);
		cli_json_set(o, "port", json_integer(v->port), &bad);
		cli_json_set(o, "server_dn", json_string(v->server_dn), &bad);
		cli_json_set(o, "ca_dn", json_string(v->ca_dn), &bad);
		cli_json_set(o, "alternative_chains", json_integer((json_int_t)v->nchains), &bad);
		return cli_json_row(p->c, p->arr, o, bad, v->host);
	}
	printf("%-12s %-30s %5u  %s\n", v->vo, v->host, v->port, v->server_dn);
	return 0;
}

static int
cmd_voms_list(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { .c = c };
	const char *vo;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &vo, &p.json)))
		return rc;
	if (p.json)
		p.arr = json_array();
	if (gridstore_voms_foreach(c->st, vo, server_row, &p, &c->err) == PT_OK &&
	    c->err.status == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

static int
map_row(const struct gs_fqan_map *m, void *ud)
{
	struct cred_print *p = ud;

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "vo", json_string(m->vo), &bad);
		cli_json_set(o, "position", json_integer(m->pos), &bad);
		cli_json_set(o, "fqan", json_string(m->fqan), &bad);
		cli_json_set(o, "account", json_string(m->account), &bad);
		return cli_json_row(p->c, p->arr, o, bad, m->fqan);
	}
	printf("%-12s %3u  \"%s\" %s\n", m->vo, m->pos, m->fqan, m->account);
	return 0;
}

static int
cmd_voms_maps(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { .c = c };
	const char *vo;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &vo, &p.json)))
		return rc;
	if (p.json)
		p.arr = json_array();
	if (gridstore_fqan_foreach(c->st, vo, map_row, &p, &c->err) == PT_OK &&
	    c->err.status == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

const struct cmd cli_voms_commands[] = {
	{ "voms", "add", cmd_voms_add, CMD_STORE | CMD_WRITE,
	  N_("VO --server HOST --server-dn DN --ca-dn DN [--port N] [--chain \"DN;DN...\"]..."),
	  N_("record a VOMS server of a VO, with alternative chains (a server renewed under "
	     "another CA)") },
	{ "voms", "lsc", cmd_voms_lsc, CMD_STORE, N_("VO HOST"),
	  N_("print the vomsdir .lsc file of a VOMS server") },
	{ "voms", "rm", cmd_voms_rm, CMD_STORE | CMD_WRITE, N_("VO HOST"),
	  N_("remove a VOMS server of a VO (its .lsc and vomses files leave the builds)") },
	{ "voms", "list", cmd_voms_list, CMD_STORE, N_("[VO] [--json]"),
	  N_("list the VOMS servers, per VO") },
	{ "voms", "map", cmd_voms_map, CMD_STORE | CMD_WRITE, N_("VO FQAN ACCOUNT|.POOL"),
	  N_("map an FQAN of a VO to an account or pool (voms-mapfile; the first match wins, "
	     "in the order added)") },
	{ "voms", "unmap", cmd_voms_unmap, CMD_STORE | CMD_WRITE, N_("VO FQAN"),
	  N_("remove an FQAN mapping") },
	{ "voms", "maps", cmd_voms_maps, CMD_STORE, N_("[VO] [--json]"),
	  N_("list the FQAN mappings, per VO in the order LCMAPS reads them") },
};
const size_t cli_voms_ncommands = sizeof(cli_voms_commands) / sizeof(cli_voms_commands[0]);

/* voms.c - the voms commands: a VO's VOMS servers and their .lsc files. */
#include "config.h"

#include <getopt.h>
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

const struct cmd cli_voms_commands[] = {
	{ "voms", "add", cmd_voms_add, CMD_STORE | CMD_WRITE,
	  N_("VO --server HOST --server-dn DN --ca-dn DN [--chain \"DN;DN...\"]..."),
	  N_("record a VOMS server of a VO, with alternative chains (a server renewed under "
	     "another CA)") },
	{ "voms", "lsc", cmd_voms_lsc, CMD_STORE, N_("VO HOST"),
	  N_("print the vomsdir .lsc file of a VOMS server") },
};
const size_t cli_voms_ncommands = sizeof(cli_voms_commands) / sizeof(cli_voms_commands[0]);

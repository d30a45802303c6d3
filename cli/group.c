/* group.c - the group commands: host groups as the hosts name them. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>

#include "private.h"
#include "base/i18n.h"
#include "site/lib.h"

static int
group_row(const struct group_info *g, void *ud)
{
	struct cred_print *p = ud;

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "group", json_string(g->name), &bad);
		cli_json_set(o, "hosts", json_integer((json_int_t)g->hosts), &bad);
		return cli_json_row(p->c, p->arr, o, bad, g->name);
	} else
		printf("%-30s %lld\n", g->name, (long long)g->hosts);
	return 0;
}

static int
cmd_group_list(struct cli *c, int argc, char **argv)
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
	else
		printf("%-30s %s\n", _("GROUP"), _("HOSTS"));
	if (model_group_foreach(c->st, group_row, &p, &c->err) == PT_OK && c->err.status == PT_OK &&
	    p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

const struct cmd cli_group_commands[] = {
	{ "group", "list", cmd_group_list, CMD_STORE, N_("[--json]"), N_("list host groups") },
};
const size_t cli_group_ncommands = sizeof(cli_group_commands) / sizeof(cli_group_commands[0]);

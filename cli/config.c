/* config.c - the config commands: the station's settings
 * (src/store/settings.c), per host ones included. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "base/i18n.h"
#include "store/lib.h"

static int
cmd_config_set(struct cli *c, int argc, char **argv)
{
	if (argc != 3)
		return cli_bad_usage(c);
	if (settings_set(c->st, argv[1], argv[2], &c->err) == PT_OK)
		printf(_("%s = %s\n"), argv[1], argv[2]);
	return cli_report(c);
}

static int
cmd_config_unset(struct cli *c, int argc, char **argv)
{
	const char *key = NULL;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &key)) != 0)
		return rc;
	/* a per-host key of an unknown host is "no host" (exit 4): settings_unset */
	settings_unset(c->st, key, &c->err);
	return cli_report(c);
}

static int
cmd_config_get(struct cli *c, int argc, char **argv)
{
	const char *key = NULL;
	char *v = NULL;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &key)) != 0)
		return rc;
	if (settings_get(c->st, key, &v, &c->err) == PT_OK) {
		if (v)
			printf("%s\n", v);
		else
			pt_fail(&c->err, PT_NOTFOUND, _("%s is not set"), key);
	}
	free(v);
	return cli_report(c);
}

struct cfg_print {
	bool json;
	json_t *obj;
	struct cli *c; /* where a value JSON cannot hold is reported */
};

static int
config_row(const char *key, const char *value, int is_default, void *ud)
{
	struct cfg_print *p = ud;

	if (p->json) {
		const char *bad = NULL;

		/* a value JSON cannot hold stops the listing: never a key left out */
		if (!cli_json_set(p->obj, key, *value ? json_string(value) : json_null(), &bad))
			return cli_json_fail(p->c, key, "value");
	} else
		printf("%-28s %s%s\n", key, *value ? value : _("(unset)"),
		       is_default && *value ? _("  (default)") : "");
	return 0;
}

static int
cmd_config_list(struct cli *c, int argc, char **argv)
{
	struct cfg_print p = { .c = c };
	const char *extra;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &extra, &p.json)))
		return rc;
	if (extra)
		return cli_bad_usage(c);
	if (p.json)
		p.obj = json_object();
	if (settings_foreach(c->st, config_row, &p, &c->err) == PT_OK && c->err.status == PT_OK &&
	    p.json)
		return cli_json_print(p.obj);
	json_decref(p.obj);
	return cli_report(c);
}

const struct cmd cli_config_commands[] = {
	{ "config", "set", cmd_config_set, CMD_STORE | CMD_WRITE, N_("KEY VALUE"),
	  N_("set a station setting (net.interface, net.gateway, transfer.timeout, operator.*, host.FQDN.*)") },
	{ "config", "get", cmd_config_get, CMD_STORE, N_("KEY"), N_("print a setting") },
	{ "config", "unset", cmd_config_unset, CMD_STORE | CMD_WRITE, N_("KEY"),
	  N_("return a setting to its default") },
	{ "config", "list", cmd_config_list, CMD_STORE, N_("[--json]"), N_("list the settings") },
};
const size_t cli_config_ncommands = sizeof(cli_config_commands) / sizeof(cli_config_commands[0]);

/* audit.c - the audit command: the trail, and the check of its chain. */
#include "config.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "base/i18n.h"
#include "store/lib.h"

static int
audit_row(const struct audit_row *r, void *ud)
{
	struct cred_print *p = ud;

	if (p->json) {
		const char *bad = NULL;
		char what[64];
		json_t *o = json_object();

		cli_json_set(o, "id", json_integer((json_int_t)r->id), &bad);
		cli_json_set(o, "time", json_string(cli_time(r->ts)), &bad);
		cli_json_set(o, "actor", json_string(r->actor), &bad);
		cli_json_set(o, "action", json_string(r->action), &bad);
		cli_json_set(o, "object", json_string(r->object), &bad);
		cli_json_set(o, "detail", json_string(r->detail), &bad);
		cli_json_set(o, "hash", json_string(r->hash), &bad);
		snprintf(what, sizeof(what), _("audit record %lld"), (long long)r->id);
		return cli_json_row(p->c, p->arr, o, bad, what);
	}
	printf("%6lld  %s  %-12s %-14s %s%s%s\n", (long long)r->id, cli_time(r->ts), r->actor,
	       r->action, r->object, *r->object && *r->detail ? "  " : "", r->detail);
	return 0;
}

static int
cmd_audit(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { .c = c };
	const char *what;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &what, &p.json)))
		return rc;
	if (what && strcmp(what, "verify") == 0) {
		int64_t bad, rows;
		if (audit_verify(c->st, &bad, &rows, &c->err) == PT_OK)
			printf(ngettext("Audit chain intact: %lld record.\n",
			                "Audit chain intact: %lld records.\n", (unsigned long)rows),
			       (long long)rows);
		return cli_report(c);
	}
	if (what)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	if (audit_foreach(c->st, audit_row, &p, &c->err) == PT_OK && c->err.status == PT_OK &&
	    p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

const struct cmd cli_audit_commands[] = {
	{ "audit", NULL, cmd_audit, CMD_STORE, N_("[--json] | verify"),
	  N_("show the audit trail, or check its hash chain") },
};
const size_t cli_audit_ncommands = sizeof(cli_audit_commands) / sizeof(cli_audit_commands[0]);

/* audit.c - the audit command: the trail, and the check of its chain. */
#include "config.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "base/i18n.h"
#include "store/lib.h"

struct audit_print {
	struct cred_print p;
	const char *kind; /* NULL: every row */
};

static int
audit_row(const struct audit_row *r, void *ud)
{
	struct audit_print *ap = ud;
	struct cred_print *p = &ap->p;

	if (!audit_kind_match(ap->kind, r->action))
		return 0;

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

/* --kind K (or --kind=K) taken out of argv; the rest as before. */
static int
kind_arg(struct cli *c, int *argc, char **argv, const char **kind)
{
	int n = 1;

	*kind = NULL;
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--kind") == 0) {
			if (++i >= *argc || !*argv[i])
				return cli_usage_error(
					c, "%s", _("--kind needs a kind, such as read-secret"));
			*kind = argv[i];
		} else if (strncmp(argv[i], "--kind=", 7) == 0) {
			if (!argv[i][7])
				return cli_usage_error(
					c, "%s", _("--kind needs a kind, such as read-secret"));
			*kind = argv[i] + 7;
		} else {
			argv[n++] = argv[i];
		}
	}
	*argc = n;
	return 0;
}

static int
cmd_audit(struct cli *c, int argc, char **argv)
{
	struct audit_print ap = { .p = { .c = c } };
	struct cred_print p = { .c = c };
	const char *what;
	int rc;

	if ((rc = kind_arg(c, &argc, argv, &ap.kind)) ||
	    (rc = cli_list_args(c, argc, argv, &what, &p.json)))
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
	ap.p = p;
	if (audit_foreach(c->st, audit_row, &ap, &c->err) == PT_OK && c->err.status == PT_OK &&
	    ap.p.json)
		return cli_json_print(ap.p.arr);
	json_decref(ap.p.arr);
	return cli_report(c);
}

const struct cmd cli_audit_commands[] = {
	{ "audit", NULL, cmd_audit, CMD_STORE, N_("[--json] [--kind KIND] | verify"),
	  N_("show the audit trail (of one kind: an action such as pw.add, a family "
	     "such as pw, or read-secret), or check its hash chain") },
};
const size_t cli_audit_ncommands = sizeof(cli_audit_commands) / sizeof(cli_audit_commands[0]);

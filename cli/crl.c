/* crl.c - the crl commands: certificate revocation lists, imported
 * (each verified against its issuer) and listed with their staleness. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"

struct crl_print {
	struct cli *c;
	bool json;
	json_t *arr;
	size_t n;
};

static int
crl_row(const struct crl_info *ci, void *ud)
{
	struct crl_print *p = ud;

	p->n++;
	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "issuer", json_string(ci->issuer), &bad);
		cli_json_set(o, "this_update", json_string(cli_time(ci->this_update)), &bad);
		cli_json_set(o, "next_update",
		             ci->next_update ? json_string(cli_time(ci->next_update)) : json_null(),
		             &bad);
		cli_json_set(o, "entries", json_integer((json_int_t)ci->entries), &bad);
		cli_json_set(o, "stale", json_boolean(ci->stale), &bad);
		if (*ci->signer)
			cli_json_set(o, "signer", json_string(ci->signer), &bad);
		return cli_json_row(p->c, p->arr, o, bad, ci->issuer);
	}
	if (*ci->signer) {
		printf(ci->replaced ? _("Replaced the CRL of %s: %zu revoked, next update %s%s.\n")
		                    : _("Imported the CRL of %s: %zu revoked, next update %s%s.\n"),
		       ci->issuer, ci->entries, ci->next_update ? cli_time(ci->next_update) : "-",
		       ci->stale ? _(" (STALE)") : "");
		return 0;
	}
	printf("%-6s %-20s %-20s %7zu  %s\n", ci->stale ? _("STALE") : _("ok"),
	       cli_time(ci->this_update), ci->next_update ? cli_time(ci->next_update) : "-",
	       ci->entries, ci->issuer);
	return 0;
}

static int
cmd_crl_import(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct crl_print p = { .c = c };
	time_t now = time(NULL);
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'j': p.json = true; break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind >= argc)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	/* all or nothing: the first refusal rolls the transaction back */
	for (int i = optind; i < argc && c->err.status == PT_OK; i++) {
		unsigned char *buf = NULL;
		size_t len;

		if (pt_file_read(argv[i], false, CRL_FILE_MAX, &buf, &len, &c->err) == PT_OK)
			crl_import(c->st, argv[i], buf, len, now, crl_row, &p, &c->err);
		free(buf);
	}
	if (c->err.status == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

static int
cmd_crl_list(struct cli *c, int argc, char **argv)
{
	struct crl_print p = { .c = c };
	const char *filter;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &p.json)))
		return rc;
	if (filter)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	else
		printf("%-6s %-20s %-20s %7s  %s\n", _("STATE"), _("THIS UPDATE"), _("NEXT UPDATE"),
		       _("REVOKED"), _("ISSUER"));
	if (crl_foreach(c->st, time(NULL), crl_row, &p, &c->err) == PT_OK &&
	    c->err.status == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

const struct cmd cli_crl_commands[] = {
	{ "crl", "import", cmd_crl_import, CMD_STORE | CMD_WRITE, N_("FILE... [--json]"),
	  N_("import certificate revocation lists (PEM or DER), each verified against its issuer "
	     "among the stored CAs and trust anchors; any refusal imports nothing") },
	{ "crl", "list", cmd_crl_list, CMD_STORE, N_("[--json]"),
	  N_("list the stored CRLs; one past its next update is STALE") },
};
const size_t cli_crl_ncommands = sizeof(cli_crl_commands) / sizeof(cli_crl_commands[0]);

/* ca.c - the ca commands: a CA's bundle, subject template and key type. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"

static int
cmd_ca_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "subject", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = NULL, *tmpl = NULL, *key = NULL;
	unsigned char *buf = NULL;
	size_t len;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'b': bundle = optarg; break;
		case 's': tmpl = optarg; break;
		case 'k': key = optarg; break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc || !bundle)
		return cli_bad_usage(c);
	if (pt_file_read(bundle, false, CERT_FILE_MAX, &buf, &len, &c->err) == PT_OK &&
	    cert_ca_add(c->st, argv[optind], buf, len, tmpl, key, &c->err) == PT_OK)
		printf(_("Added CA %s (subject template %s, default key %s).\n"), argv[optind],
		       tmpl ? tmpl : CERT_DEFAULT_TEMPLATE, key ? key : CERT_DEFAULT_KEY);
	free(buf);
	return cli_report(c);
}

struct ca_print {
	bool json;
	json_t *arr;
	bool full;
	struct cli *c; /* where a record JSON cannot hold is reported */
};

static json_t *
bundle_json(const char *pem, const char **bad)
{
	struct x509_cert_list *l = NULL;
	json_t *arr = json_array();

	if (x509_bundle_parse((const unsigned char *)pem, strlen(pem), &l, NULL) != PT_OK)
		return arr;
	for (size_t i = 0; i < l->n; i++) {
		const struct x509_cert *x = &l->certs[i];
		json_t *o = json_object();

		cli_json_set(o, "subject", json_string(x->subject_grid), bad);
		cli_json_set(o, "issuer", json_string(x->issuer_grid), bad);
		cli_json_set(o, "sha256", json_string(x->sha256_hex), bad);
		cli_json_set(o, "self_signed", json_boolean(x->self_signed), bad);
		cli_json_set(o, "not_before", json_string(cli_time(x->not_before)), bad);
		cli_json_set(o, "not_after", json_string(cli_time(x->not_after)), bad);
		cli_json_append(arr, o, "bundle", bad);
	}
	x509_cert_list_free(&l);
	return arr;
}

static int
ca_row(const struct cert_ca *ca, void *ud)
{
	struct ca_print *p = ud;

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "name", json_string(ca->name), &bad);
		cli_json_set(o, "subject_template", json_string(ca->subject_tmpl), &bad);
		cli_json_set(o, "default_key", json_string(ca->default_key), &bad);
		cli_json_set(o, "created", json_string(cli_time(ca->created_at)), &bad);
		cli_json_set(o, "requests", json_integer((json_int_t)ca->requests), &bad);
		cli_json_set(o, "certificates", json_integer((json_int_t)ca->certificates), &bad);
		if (p->full)
			cli_json_set(o, "bundle", bundle_json(ca->bundle_pem, &bad), &bad);
		if (p->arr)
			return cli_json_row(p->c, p->arr, o, bad, ca->name);
		/* ca show: nothing printed, never an object without the field */
		if (bad) {
			json_decref(o);
			return cli_json_fail(p->c, ca->name, bad);
		}
		cli_json_print(o);
		return 0;
	}
	if (!p->full) {
		printf("%-20s %-9s %6lld %6lld  %s\n", ca->name, ca->default_key,
		       (long long)ca->requests, (long long)ca->certificates, ca->subject_tmpl);
		return 0;
	}
	printf(_("CA:                %s\n"), ca->name);
	printf(_("Subject template:  %s\n"), ca->subject_tmpl);
	printf(_("Default key:       %s\n"), ca->default_key);
	printf(_("Added:             %s\n"), cli_time(ca->created_at));
	printf(_("Requests:          %lld\n"), (long long)ca->requests);
	printf(_("Certificates:      %lld\n"), (long long)ca->certificates);
	printf(_("Bundle:\n"));
	{
		struct x509_cert_list *l = NULL;
		if (x509_bundle_parse((const unsigned char *)ca->bundle_pem, strlen(ca->bundle_pem),
		                      &l, NULL) == PT_OK) {
			for (size_t i = 0; i < l->n; i++) {
				printf("  %s\n", l->certs[i].subject_grid);
				printf(_("    issuer %s, valid until %s%s\n"),
				       l->certs[i].issuer_grid, cli_time(l->certs[i].not_after),
				       l->certs[i].self_signed ? _(", root") : "");
			}
			x509_cert_list_free(&l);
		}
	}
	return 0;
}

static int
cmd_ca_list(struct cli *c, int argc, char **argv)
{
	struct ca_print p = { .c = c };
	const char *filter;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &p.json)))
		return rc;
	if (filter)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	else
		printf("%-20s %-9s %6s %6s  %s\n", _("CA"), _("KEY"), _("REQS"), _("CERTS"),
		       _("TEMPLATE"));
	if (cert_ca_foreach(c->st, ca_row, &p, &c->err) == PT_OK && c->err.status == PT_OK &&
	    p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

static int
cmd_ca_show(struct cli *c, int argc, char **argv)
{
	struct ca_print p = { .full = true, .c = c };
	const char *name;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &name, &p.json)))
		return rc;
	if (!name)
		return cli_bad_usage(c);
	cert_ca_get(c->st, name, ca_row, &p, &c->err);
	return cli_report(c);
}

struct igtf_print {
	struct cli *c;
	bool json;
	json_t *arr;
	size_t counts[4];
};

static int
igtf_row(const struct igtf_change *ch, void *ud)
{
	struct igtf_print *p = ud;

	p->counts[ch->kind]++;
	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "name", json_string(ch->name), &bad);
		cli_json_set(o, "change", json_string(igtf_change_name(ch->kind)), &bad);
		cli_json_set(o, "subject", json_string(ch->subject), &bad);
		if (ch->kind != IGTF_WITHDRAWN)
			cli_json_set(o, "rules", json_integer((json_int_t)ch->rules), &bad);
		return cli_json_row(p->c, p->arr, o, bad, ch->name);
	}
	if (ch->kind != IGTF_UNCHANGED)
		printf("%-10s %-28s %s\n",
		       ch->kind == IGTF_ADDED     ? _("added")
		       : ch->kind == IGTF_CHANGED ? _("changed")
		                                  : _("withdrawn"),
		       ch->name, ch->subject);
	return 0;
}

static int
cmd_ca_import_igtf(struct cli *c, int argc, char **argv)
{
	struct igtf_print p = { .c = c };
	const char *dir;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &dir, &p.json)))
		return rc;
	if (!dir)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	if (igtf_import(c->st, dir, igtf_row, &p, &c->err) == PT_OK && c->err.status == PT_OK) {
		if (p.json)
			return cli_json_print(p.arr);
		printf(_("Trust anchors: %zu added, %zu changed, %zu withdrawn, %zu unchanged.\n"),
		       p.counts[IGTF_ADDED], p.counts[IGTF_CHANGED], p.counts[IGTF_WITHDRAWN],
		       p.counts[IGTF_UNCHANGED]);
	}
	json_decref(p.arr);
	return cli_report(c);
}

static int
anchor_row(const struct trust_anchor *a, void *ud)
{
	struct igtf_print *p = ud;

	if (p->json) {
		const char *bad = NULL;
		json_t *o = json_object();

		cli_json_set(o, "name", json_string(a->name), &bad);
		cli_json_set(o, "subject", json_string(a->subject), &bad);
		cli_json_set(o, "sha256", json_string(a->sha256), &bad);
		cli_json_set(o, "not_after", json_string(cli_time(a->not_after)), &bad);
		cli_json_set(o, "rules", json_integer((json_int_t)a->rules), &bad);
		return cli_json_row(p->c, p->arr, o, bad, a->name);
	}
	printf("%-28s %-20s %5lld  %s\n", a->name, cli_time(a->not_after), (long long)a->rules,
	       a->subject);
	return 0;
}

static int
cmd_ca_anchors(struct cli *c, int argc, char **argv)
{
	struct igtf_print p = { .c = c };
	const char *filter;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &p.json)))
		return rc;
	if (filter)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	else
		printf("%-28s %-20s %5s  %s\n", _("ANCHOR"), _("NOT AFTER"), _("RULES"),
		       _("SUBJECT"));
	if (trust_anchor_foreach(c->st, anchor_row, &p, &c->err) == PT_OK &&
	    c->err.status == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

const struct cmd cli_ca_commands[] = {
	{ "ca", "add", cmd_ca_add, CMD_STORE | CMD_WRITE,
	  N_("NAME --bundle FILE [--subject TEMPLATE] [--key TYPE]"),
	  N_("add a CA: its PEM bundle (root and intermediates), the subject template of its "
	     "host certificates (e.g. C=IT,O=INFN,OU=Host,L=Padova,CN=%h) and its default key type") },
	{ "ca", "list", cmd_ca_list, CMD_STORE, N_("[--json]"), N_("list the CAs") },
	{ "ca", "show", cmd_ca_show, CMD_STORE, N_("NAME [--json]"),
	  N_("show a CA and the certificates of its bundle") },
	{ "ca", "import-igtf", cmd_ca_import_igtf, CMD_STORE | CMD_WRITE, N_("DIR [--json]"),
	  N_("make the CAs of an IGTF-style directory (NAME.pem or HASH.0 with .info, "
	     ".namespaces, .signing_policy) the trust anchors: added, changed and withdrawn "
	     "ones are reported") },
	{ "ca", "anchors", cmd_ca_anchors, CMD_STORE, N_("[--json]"),
	  N_("list the trust anchors and how many namespace rules each has") },
};
const size_t cli_ca_ncommands = sizeof(cli_ca_commands) / sizeof(cli_ca_commands[0]);

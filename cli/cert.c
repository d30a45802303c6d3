/* cli-cert.c - the ca, cert and report commands.
 *
 * No command here writes a private key anywhere (promise 2): keys are
 * generated into the store or read from the user's file into secmem,
 * and only public material (CSRs, certificates, facts) is printed.
 */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert/lib.h"
#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "grid/lib.h"

#define CERT_FILE_MAX (64 * 1024 * 1024)
#define KEY_FILE_MAX (64 * 1024)

/* ---------------------------------------------------------------------
 * ca
 * ------------------------------------------------------------------- */

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
	if (cli_slurp(bundle, false, CERT_FILE_MAX, &buf, &len, &c->err) == PT_OK &&
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
};

static json_t *
bundle_json(const char *pem)
{
	struct x509_cert_list *l = NULL;
	json_t *arr = json_array();

	if (x509_bundle_parse((const unsigned char *)pem, strlen(pem), &l, NULL) != PT_OK)
		return arr;
	for (size_t i = 0; i < l->n; i++) {
		const struct x509_cert *x = &l->certs[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "subject", x->subject_grid, "issuer",
		                      x->issuer_grid, "sha256", x->sha256_hex, "self_signed", x->self_signed);
		json_object_set_new(o, "not_before", json_string(cli_time(x->not_before)));
		json_object_set_new(o, "not_after", json_string(cli_time(x->not_after)));
		json_array_append_new(arr, o);
	}
	x509_cert_list_free(&l);
	return arr;
}

static int
ca_row(const struct cert_ca *ca, void *ud)
{
	struct ca_print *p = ud;

	if (p->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "name", ca->name, "subject_template",
		                      ca->subject_tmpl, "default_key", ca->default_key, "created",
		                      cli_time(ca->created_at), "requests", (json_int_t)ca->requests,
		                      "certificates", (json_int_t)ca->certificates);
		if (p->full)
			json_object_set_new(o, "bundle", bundle_json(ca->bundle_pem));
		if (p->arr)
			json_array_append_new(p->arr, o);
		else
			cli_json_print(o);
		return 0;
	}
	if (!p->full) {
		printf("%-20s %-9s %6lld %6lld  %s\n", ca->name, ca->default_key, (long long)ca->requests,
		       (long long)ca->certificates, ca->subject_tmpl);
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
		if (x509_bundle_parse((const unsigned char *)ca->bundle_pem, strlen(ca->bundle_pem), &l,
		                      NULL) == PT_OK) {
			for (size_t i = 0; i < l->n; i++) {
				printf("  %s\n", l->certs[i].subject_grid);
				printf(_("    issuer %s, valid until %s%s\n"), l->certs[i].issuer_grid,
				       cli_time(l->certs[i].not_after), l->certs[i].self_signed ? _(", root") : "");
			}
			x509_cert_list_free(&l);
		}
	}
	return 0;
}

static int
cmd_ca_list(struct cli *c, int argc, char **argv)
{
	struct ca_print p = { false, NULL, false };
	const char *filter;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &p.json)))
		return rc;
	if (filter)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	else
		printf("%-20s %-9s %6s %6s  %s\n", _("CA"), _("KEY"), _("REQS"), _("CERTS"), _("TEMPLATE"));
	if (cert_ca_foreach(c->st, ca_row, &p, &c->err) == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

static int
cmd_ca_show(struct cli *c, int argc, char **argv)
{
	struct ca_print p = { false, NULL, true };
	const char *name;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &name, &p.json)))
		return rc;
	if (!name)
		return cli_bad_usage(c);
	cert_ca_get(c->st, name, ca_row, &p, &c->err);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * cert request, csr, cancel
 * ------------------------------------------------------------------- */

struct spinner {
	bool tty;
	unsigned turns;
	const char *what;
};

static void
spin(void *ud)
{
	static const char wheel[] = "|/-\\";
	struct spinner *sp = ud;

	if (!sp->tty)
		return;
	fprintf(stderr, "\r%s %c", sp->what, wheel[sp->turns++ % 4]);
	fflush(stderr);
}

static int
cmd_cert_request(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "san", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct cert_request_opts ro = { 0 };
	struct cert_request_info ri = { 0 };
	struct spinner sp = { isatty(STDERR_FILENO) == 1, 0, _("Generating the key...") };
	const char **sans;
	char *fqdn;
	int o;

	sans = calloc((size_t)argc + 1, sizeof(*sans));
	if (!sans)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c': ro.ca = optarg; break;
		case 'k': ro.keytype = optarg; break;
		case 's': sans[ro.nsans++] = optarg; break;
		default: free(sans); return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc) {
		free(sans);
		return cli_bad_usage(c);
	}
	fqdn = cli_lowercase(argv[optind]);
	ro.sans = sans;
	ro.progress = spin;
	ro.progress_ud = &sp;
	if (fqdn && cert_request_create(c->st, fqdn, &ro, &ri, &c->err) == PT_OK) {
		if (sp.turns)
			fprintf(stderr, "\r%*s\r", (int)strlen(sp.what) + 2, "");
		printf(_("Requested a certificate for %s from CA %s: new %s key, subject %s, names %s.\n"),
		       fqdn, ri.ca, ri.keytype, ri.subject, ri.sans);
		printf(_("Send the request to the CA: passtore cert csr %s > %s.csr\n"), fqdn, fqdn);
	} else if (sp.turns) {
		fputc('\n', stderr);
	}
	cert_request_info_clear(&ri);
	free(fqdn);
	free(sans);
	return cli_report(c);
}

static int
cmd_cert_csr(struct cli *c, int argc, char **argv)
{
	const char *arg;
	char *fqdn, *csr = NULL;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &arg)) != 0)
		return rc;
	fqdn = cli_lowercase(arg);
	if (fqdn && cert_request_csr(c->st, fqdn, &csr, &c->err) == PT_OK)
		fputs(csr, stdout);
	free(csr);
	free(fqdn);
	return cli_report(c);
}

static int
cmd_cert_cancel(struct cli *c, int argc, char **argv)
{
	const char *arg;
	char *fqdn;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &arg)) != 0)
		return rc;
	fqdn = cli_lowercase(arg);
	if (fqdn && cert_request_cancel(c->st, fqdn, &c->err) == PT_OK)
		printf(_("Cancelled the pending request of %s.\n"), fqdn);
	free(fqdn);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * cert import, adopt
 * ------------------------------------------------------------------- */

/* What happened to one certificate, said after the batch succeeds. */
struct import_note {
	enum cert_outcome outcome;
	char *line;
};

static int
cmd_cert_import(struct cli *c, int argc, char **argv)
{
	struct import_note *notes = NULL;
	size_t nnotes = 0, cap = 0, total = 0, refused = 0, stored = 0;
	enum pt_status first = PT_OK;

	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return cli_bad_usage(c);
	if (argc < 2)
		return cli_bad_usage(c);
	for (int i = 1; i < argc && c->err.status != PT_DAMAGED; i++) {
		struct x509_cert_list *l = NULL;
		struct pt_err e = { 0 };
		unsigned char *buf = NULL;
		size_t len;

		if (cli_slurp(argv[i], false, CERT_FILE_MAX, &buf, &len, &e) != PT_OK ||
		    x509_certs_parse(buf, len, &l, &e) != PT_OK) {
			fprintf(stderr, _("passtore: %s: refused: %s\n"), argv[i], e.detail);
			if (first == PT_OK)
				first = e.status;
			refused++;
			free(buf);
			continue;
		}
		free(buf);
		for (size_t k = 0; k < l->n; k++) {
			const struct x509_cert *x = &l->certs[k];
			enum cert_outcome oc = CERT_NO_KEY;
			char *fqdn = NULL, *line = NULL;
			enum pt_status r = cert_import_one(c->st, x, &oc, &fqdn, &e);

			total++;
			if (r == PT_MISMATCH) {
				fprintf(stderr, "passtore: %s: %s\n", argv[i], e.detail);
				if (first == PT_OK)
					first = r;
				refused++;
				continue;
			}
			if (r != PT_OK) { /* the store itself failed: stop here */
				c->err = e;
				free(fqdn);
				break;
			}
			if (oc == CERT_DUPLICATE) {
				if (asprintf(&line, _("Already in the store, skipped: %s (serial %s)\n"),
				             x->subject_grid, x->serial) < 0)
					line = NULL;
			} else {
				stored++;
				if (asprintf(&line,
				             oc == CERT_STORED
				                     ? _("Imported %s for %s (serial %s, valid until %s)\n")
				                     : _("Imported %s for %s (serial %s, valid until %s) as superseded: "
				                         "a newer certificate stays current\n"),
				             x->subject_grid, fqdn, x->serial, cli_time(x->not_after)) < 0)
					line = NULL;
			}
			free(fqdn);
			if (nnotes == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct import_note *nn = realloc(notes, ncap * sizeof(*nn));
				if (!nn) {
					free(line);
					pt_fail(&c->err, PT_NOMEM, NULL);
					break;
				}
				notes = nn;
				cap = ncap;
			}
			notes[nnotes].outcome = oc;
			notes[nnotes++].line = line;
		}
		x509_cert_list_free(&l);
		if (c->err.status != PT_OK)
			break;
	}
	if (c->err.status == PT_OK && refused)
		pt_fail(&c->err, first,
		        ngettext("%zu certificate or file refused: nothing was imported",
		                 "%zu certificates or files refused: nothing was imported", refused),
		        refused);
	if (c->err.status == PT_OK) {
		for (size_t i = 0; i < nnotes; i++)
			if (notes[i].line)
				fputs(notes[i].line, stdout);
		printf(ngettext("%zu certificate imported.\n", "%zu certificates imported.\n", stored), stored);
	}
	for (size_t i = 0; i < nnotes; i++)
		free(notes[i].line);
	free(notes);
	(void)total;
	return cli_report(c);
}

static int
cmd_cert_adopt(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyfile = NULL, *certfile = NULL;
	struct x509_cert_list *l = NULL;
	unsigned char *key = NULL, *buf = NULL;
	enum cert_outcome oc;
	char *fqdn = NULL, *ca = NULL;
	size_t len;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'k': keyfile = optarg; break;
		case 'c': certfile = optarg; break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc || !keyfile || !certfile)
		return cli_bad_usage(c);
	fqdn = cli_lowercase(argv[optind]);
	if (!fqdn)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	if (cli_slurp(certfile, false, CERT_FILE_MAX, &buf, &len, &c->err) != PT_OK ||
	    x509_certs_parse(buf, len, &l, &c->err) != PT_OK ||
	    cli_slurp(keyfile, true, KEY_FILE_MAX, &key, &len, &c->err) != PT_OK)
		goto out;
	if (cert_adopt(c->st, fqdn, (const char *)key, l, &ca, &oc, &c->err) != PT_OK)
		goto out;
	printf(_("Adopted the key and certificate of %s%s.\n"), fqdn,
	       oc == CERT_STORED_OLDER ? _(" (stored as superseded: a newer certificate stays current)") : "");
	printf(_("CA: %s\n"), ca ? ca : _("unknown CA (no CA bundle in the store verifies it)"));
	printf(_("The key is now in the store. Wipe the file %s yourself (for example: shred -u %s); "
	         "passtore never deletes it.\n"),
	       keyfile, keyfile);
out:
	secmem_free(key);
	free(buf);
	free(ca);
	free(fqdn);
	x509_cert_list_free(&l);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * cert status, verify
 * ------------------------------------------------------------------- */

struct status_print {
	bool json;
	json_t *arr;
	size_t n;
	/* verify: what was seen */
	bool key_match, chain_ok;
	char key_detail[512], chain_detail[512];
};

static json_t *
status_json(const struct cert_status *cs)
{
	const struct x509_cert *x = cs->x;
	json_t *sans = json_array(), *o;

	for (size_t i = 0; i < x->nsans; i++)
		json_array_append_new(sans, json_string(x->sans[i]));
	o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "host", cs->fqdn, "subject", x->subject_grid,
	              "issuer", x->issuer_grid, "serial", x->serial, "sans", sans);
	json_object_set_new(o, "not_before", json_string(cli_time(x->not_before)));
	json_object_set_new(o, "not_after", json_string(cli_time(x->not_after)));
	json_object_set_new(o, "days_left", json_integer(cs->days_left));
	json_object_set_new(o, "band", json_string(x509_band_name(cs->band)));
	json_object_set_new(o, "not_yet_valid", json_boolean(cs->band == X509_BAND_NOT_YET_VALID));
	json_object_set_new(o, "key_match", json_boolean(cs->key_match));
	if (!cs->key_match)
		json_object_set_new(o, "key_problem", json_string(cs->key_detail));
	json_object_set_new(o, "chain_ok", json_boolean(cs->chain_ok));
	json_object_set_new(o, "ca", *cs->ca ? json_string(cs->ca) : json_null());
	if (!cs->chain_ok)
		json_object_set_new(o, "chain_problem", json_string(cs->chain_detail));
	json_object_set_new(o, "state", json_string(cs->state));
	json_object_set_new(o, "key_origin", json_string(cs->origin));
	json_object_set_new(o, "key_type", json_string(x->key_known ? x509_keytype_name(x->key_type)
	                                                            : x->key_algo));
	json_object_set_new(o, "sha256", json_string(x->sha256_hex));
	json_object_set_new(o, "imported", json_string(cli_time(cs->imported_at)));
	return o;
}

static void
status_text(const struct cert_status *cs)
{
	const struct x509_cert *x = cs->x;

	printf(_("Host:          %s\n"), cs->fqdn);
	printf(_("Subject:       %s\n"), x->subject_grid);
	printf(_("Issuer:        %s\n"), x->issuer_grid);
	printf(_("Serial:        %s\n"), x->serial);
	printf(_("Names:        "));
	for (size_t i = 0; i < x->nsans; i++)
		printf(" %s", x->sans[i]);
	printf("\n");
	printf(_("Not before:    %s\n"), cli_time(x->not_before));
	printf(_("Not after:     %s\n"), cli_time(x->not_after));
	printf(_("Days left:     %ld\n"), cs->days_left);
	printf(_("Band:          %s\n"), x509_band_name(cs->band));
	if (cs->key_match)
		printf(_("Key match:     yes (%s key, %s)\n"),
		       x->key_known ? x509_keytype_name(x->key_type) : x->key_algo, _(cs->origin));
	else
		printf(_("Key match:     NO: %s\n"), cs->key_detail);
	if (cs->chain_ok)
		printf(_("Chain:         verifies to CA %s\n"), cs->ca);
	else if (*cs->ca)
		printf(_("Chain:         BROKEN against CA %s: %s\n"), cs->ca, cs->chain_detail);
	else
		printf(_("Chain:         %s\n"), cs->chain_detail);
	printf(_("State:         %s\n"), _(cs->state));
}

static int
status_row(const struct cert_status *cs, void *ud)
{
	struct status_print *p = ud;

	if (p->json) {
		json_array_append_new(p->arr, status_json(cs));
	} else {
		if (p->n)
			printf("\n");
		status_text(cs);
	}
	p->n++;
	p->key_match = cs->key_match;
	p->chain_ok = cs->chain_ok;
	snprintf(p->key_detail, sizeof(p->key_detail), "%s", cs->key_detail);
	snprintf(p->chain_detail, sizeof(p->chain_detail), "%s", cs->chain_detail);
	return 0;
}

static int
cmd_cert_status(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "expiring", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_print p = { 0 };
	bool all = false;
	long days = -1;
	char *fqdn = NULL;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'j': p.json = true; break;
		case 'a': all = true; break;
		case 'e':
			if (cli_parse_int(optarg, 0, 36500, &days) != 0)
				return cli_usage_error(c, _("--expiring takes a number of days"));
			break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind + 1 < argc)
		return cli_bad_usage(c);
	if (optind < argc && !(fqdn = cli_lowercase(argv[optind])))
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	if (p.json)
		p.arr = json_array();
	if (cert_status_foreach(c->st, fqdn, all, days, time(NULL), status_row, &p, &c->err) == PT_OK) {
		if (p.json) {
			free(fqdn);
			return cli_json_print(p.arr);
		}
		if (!p.n)
			printf(fqdn ? _("%s has no certificate.\n") : _("No certificates%s.\n"),
			       fqdn ? fqdn : days >= 0 ? _(" expiring in that time") : "");
	}
	json_decref(p.arr);
	free(fqdn);
	return cli_report(c);
}

static int
cmd_cert_verify(struct cli *c, int argc, char **argv)
{
	struct status_print p = { 0 };
	const char *arg;
	char *fqdn;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &arg)) != 0)
		return rc;
	fqdn = cli_lowercase(arg);
	if (!fqdn)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	if (cert_status_foreach(c->st, fqdn, false, -1, time(NULL), status_row, &p, &c->err) != PT_OK)
		goto out;
	if (!p.n) {
		pt_fail(&c->err, PT_NOTFOUND, _("%s has no certificate"), fqdn);
		goto out;
	}
	if (!p.key_match && !p.chain_ok)
		pt_fail(&c->err, PT_MISMATCH, _("%s fails verification: the key does not match (%s) and the chain does not verify (%s)"),
		        fqdn, p.key_detail, p.chain_detail);
	else if (!p.key_match)
		pt_fail(&c->err, PT_MISMATCH, _("%s fails verification: the key does not match: %s"), fqdn,
		        p.key_detail);
	else if (!p.chain_ok)
		pt_fail(&c->err, PT_REFUSED, _("%s fails verification: the chain does not verify: %s"), fqdn,
		        p.chain_detail);
	else
		printf(_("%s verifies: the key matches and the chain verifies.\n"), fqdn);
out:
	free(fqdn);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * cert inspect
 * ------------------------------------------------------------------- */

/* A proxy file holds its private key: the whole file is read into secure
 * memory and voms_inspect copies out the certificate blocks only. */
#define INSPECT_FILE_MAX (16 * 1024 * 1024)

static json_t *
strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *
opt_json(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
ac_json(const struct voms_ac *ac)
{
	json_t *o = json_object(), *fq = json_array();

	for (size_t i = 0; i < ac->nfqans; i++)
		json_array_append_new(fq, json_pack("{s:s, s:s, s:o, s:o}", "fqan", ac->fqans[i].fqan,
		                                    "group", ac->fqans[i].group, "role",
		                                    opt_json(ac->fqans[i].role), "capability",
		                                    opt_json(ac->fqans[i].capability)));
	json_object_set_new(o, "vo", opt_json(ac->vo));
	json_object_set_new(o, "server", opt_json(ac->server));
	json_object_set_new(o, "issuer", opt_json(ac->issuer));
	json_object_set_new(o, "holder_issuer", opt_json(ac->holder_issuer));
	json_object_set_new(o, "holder_serial", opt_json(ac->holder_serial));
	json_object_set_new(o, "serial", opt_json(ac->serial));
	json_object_set_new(o, "not_before", json_string(cli_time(ac->not_before)));
	json_object_set_new(o, "not_after", json_string(cli_time(ac->not_after)));
	json_object_set_new(o, "signature_algorithm", opt_json(ac->sig_algo));
	json_object_set_new(o, "signature", json_string(voms_sig_name(ac->sig)));
	json_object_set_new(o, "fqans", fq);
	json_object_set_new(o, "targets", strv_json(ac->targets, ac->ntargets));
	json_object_set_new(o, "server_certificates", strv_json(ac->server_certs, ac->nserver_certs));
	json_object_set_new(o, "attributes", strv_json(ac->attributes, ac->nattributes));
	json_object_set_new(o, "extensions", strv_json(ac->extensions, ac->nextensions));
	return o;
}

static json_t *
inspect_json(const struct voms_certinfo *ci, time_t now)
{
	const struct x509_cert *x = ci->x;
	json_t *o = json_object(), *ku = json_array(), *v;
	long days;
	enum x509_band b = x509_band(x->not_before, x->not_after, now, 0, 0, &days);

	json_object_set_new(o, "subject", json_string(x->subject_grid));
	json_object_set_new(o, "issuer", json_string(x->issuer_grid));
	json_object_set_new(o, "serial", json_string(x->serial));
	json_object_set_new(o, "not_before", json_string(cli_time(x->not_before)));
	json_object_set_new(o, "not_after", json_string(cli_time(x->not_after)));
	json_object_set_new(o, "days_left", json_integer(days));
	json_object_set_new(o, "validity", json_string(x509_band_name(b)));
	json_object_set_new(o, "key_algorithm", json_string(x->key_algo));
	json_object_set_new(o, "key_bits", json_integer(x->key_bits));
	json_object_set_new(o, "sans", strv_json(x->sans, x->nsans));
	for (size_t i = 0; i < ci->nkey_usage; i++)
		json_array_append_new(ku, json_string(ci->key_usage[i]));
	json_object_set_new(o, "key_usage", ci->has_key_usage ? ku : (json_decref(ku), json_null()));
	json_object_set_new(o, "extended_key_usage", strv_json(ci->eku, ci->neku));
	json_object_set_new(o, "basic_constraints",
	                    ci->has_bc ? json_pack("{s:b, s:o}", "ca", ci->bc_ca, "path_length",
	                                           ci->bc_pathlen < 0 ? json_null()
	                                                              : json_integer(ci->bc_pathlen))
	                               : json_null());
	if (ci->proxy == VOMS_PROXY_NONE) {
		v = json_null();
	} else {
		v = json_pack("{s:s}", "type", voms_proxy_name(ci->proxy));
		json_object_set_new(v, "policy", ci->proxy == VOMS_PROXY_LEGACY
		                                         ? json_string(ci->proxy_limited ? "limited" : "full")
		                                         : opt_json(ci->proxy_policy));
		json_object_set_new(v, "path_length",
		                    ci->proxy_pathlen < 0 ? json_null() : json_integer(ci->proxy_pathlen));
	}
	json_object_set_new(o, "proxy", v);
	json_object_set_new(o, "sha256", json_string(x->sha256_hex));
	if (!ci->ac_oid) {
		v = json_null();
	} else {
		json_t *acs = json_array();

		v = json_pack("{s:s}", "extension", ci->ac_oid);
		for (size_t i = 0; ci->acs && i < ci->acs->n; i++)
			json_array_append_new(acs, ac_json(&ci->acs->v[i]));
		json_object_set_new(v, "attribute_certificates", acs);
		json_object_set_new(v, "error", opt_json(ci->ac_error));
	}
	json_object_set_new(o, "voms", v);
	return o;
}

static void
list_line(const char *label, char *const *v, size_t n)
{
	if (!n)
		return;
	printf("%s", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", v[i]);
	printf("\n");
}

static void
ac_text(const struct voms_ac *ac, size_t idx, size_t n, time_t now)
{
	long days;
	enum x509_band b = x509_band(ac->not_before, ac->not_after, now, 0, 0, &days);

	if (n > 1)
		printf(_("  Attribute certificate %zu of %zu\n"), idx + 1, n);
	printf(_("  VO:             %s\n"), ac->vo ? ac->vo : _("(not stated)"));
	printf(_("  VOMS server:    %s\n"), ac->server ? ac->server : _("(not stated)"));
	printf(_("  Issued by:      %s\n"), ac->issuer ? ac->issuer : _("(not stated)"));
	if (ac->holder_issuer || ac->holder_serial)
		printf(_("  Holder:         certificate %s from %s\n"),
		       ac->holder_serial ? ac->holder_serial : "?",
		       ac->holder_issuer ? ac->holder_issuer : "?");
	printf(_("  AC serial:      %s\n"), ac->serial);
	printf(_("  AC not before:  %s\n"), cli_time(ac->not_before));
	printf(_("  AC not after:   %s (%s)\n"), cli_time(ac->not_after),
	       b == X509_BAND_EXPIRED ? _("expired")
	       : b == X509_BAND_NOT_YET_VALID ? _("not yet valid") : _("valid now"));
	printf(_("  Signature:      %s, %s\n"), ac->sig_algo ? ac->sig_algo : "?",
	       ac->sig == VOMS_SIG_OK    ? _("verifies with the server certificate in the AC")
	       : ac->sig == VOMS_SIG_BAD ? _("DOES NOT VERIFY with the server certificate in the AC")
	                                 : _("not checked (no server certificate in the AC)"));
	printf(_("  FQANs:\n"));
	for (size_t i = 0; i < ac->nfqans; i++) {
		const struct voms_fqan *f = &ac->fqans[i];

		printf("    %s\n", f->fqan);
		printf(_("      group %s, role %s, capability %s\n"), f->group, f->role ? f->role : _("none"),
		       f->capability ? f->capability : _("none"));
	}
	list_line(_("  Targets:        "), ac->targets, ac->ntargets);
	list_line(_("  Server chain:   "), ac->server_certs, ac->nserver_certs);
	list_line(_("  Attributes:     "), ac->attributes, ac->nattributes);
	list_line(_("  AC extensions:  "), ac->extensions, ac->nextensions);
}

static void
inspect_text(const struct voms_certinfo *ci, size_t idx, size_t n, time_t now)
{
	const struct x509_cert *x = ci->x;
	long days;
	enum x509_band b = x509_band(x->not_before, x->not_after, now, 0, 0, &days);

	if (n > 1)
		printf(_("Certificate %zu of %zu\n"), idx + 1, n);
	printf(_("Subject:        %s\n"), x->subject_grid);
	printf(_("Issuer:         %s\n"), x->issuer_grid);
	printf(_("Serial:         %s\n"), x->serial);
	printf(_("Not before:     %s\n"), cli_time(x->not_before));
	printf(_("Not after:      %s\n"), cli_time(x->not_after));
	if (b == X509_BAND_EXPIRED)
		printf(_("Days left:      %ld (expired)\n"), days);
	else if (b == X509_BAND_NOT_YET_VALID)
		printf(_("Days left:      %ld (not yet valid)\n"), days);
	else
		printf(_("Days left:      %ld\n"), days);
	printf(_("Key:            %s, %u bits\n"), x->key_algo, x->key_bits);
	list_line(_("Names:          "), x->sans, x->nsans);
	if (ci->has_key_usage)
		list_line(_("Key usage:      "), (char *const *)ci->key_usage, ci->nkey_usage);
	list_line(_("Extended usage: "), ci->eku, ci->neku);
	if (!ci->has_bc)
		printf(_("CA:             not stated (no basic constraints)\n"));
	else if (!ci->bc_ca)
		printf(_("CA:             no\n"));
	else if (ci->bc_pathlen >= 0)
		printf(_("CA:             yes, path length %d\n"), ci->bc_pathlen);
	else
		printf(_("CA:             yes\n"));
	switch (ci->proxy) {
	case VOMS_PROXY_RFC3820:
	case VOMS_PROXY_DRAFT:
		printf(ci->proxy == VOMS_PROXY_RFC3820 ? _("Proxy:          RFC 3820, policy %s")
		                                       : _("Proxy:          pre-RFC (GT3), policy %s"),
		       ci->proxy_policy ? ci->proxy_policy : _("not stated"));
		if (ci->proxy_pathlen >= 0)
			printf(_(", path length %d"), ci->proxy_pathlen);
		printf("\n");
		break;
	case VOMS_PROXY_LEGACY:
		printf(ci->proxy_limited ? _("Proxy:          legacy Globus, limited\n")
		                         : _("Proxy:          legacy Globus\n"));
		break;
	default:
		printf(_("Proxy:          no\n"));
		break;
	}
	printf(_("SHA-256:        %s\n"), x->sha256_hex);
	if (!ci->ac_oid)
		return;
	if (ci->ac_error) {
		printf(_("VOMS:           MALFORMED extension %s: %s\n"), ci->ac_oid, ci->ac_error);
		return;
	}
	printf(_("VOMS:           extension %s\n"), ci->ac_oid);
	for (size_t i = 0; i < ci->acs->n; i++)
		ac_text(&ci->acs->v[i], i, ci->acs->n, now);
}

static int
cmd_cert_inspect(struct cli *c, int argc, char **argv)
{
	struct voms_inspect *in = NULL;
	unsigned char *buf = NULL;
	const char *file;
	time_t now = time(NULL);
	size_t len;
	bool json;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &file, &json)))
		return rc;
	if (!file)
		return cli_bad_usage(c);
	if (cli_slurp(file, true, INSPECT_FILE_MAX, &buf, &len, &c->err) != PT_OK)
		return cli_report(c);
	if (voms_inspect(buf, len, &in, &c->err) != PT_OK) {
		char d[sizeof(c->err.detail)];

		snprintf(d, sizeof(d), "%s", c->err.detail);
		pt_fail(&c->err, c->err.status, _("%s: %s"), file, d);
		secmem_free(buf);
		return cli_report(c);
	}
	secmem_free(buf);
	if (json) {
		json_t *o = json_object(), *arr = json_array();

		for (size_t i = 0; i < in->n; i++)
			json_array_append_new(arr, inspect_json(&in->info[i], now));
		json_object_set_new(o, "file", json_string(file));
		json_object_set_new(o, "certificates", arr);
		json_object_set_new(o, "private_keys_skipped", json_integer((json_int_t)in->nkeys));
		if (cli_json_print(o) != 0)
			pt_fail(&c->err, PT_IO, _("cannot write the output"));
	} else {
		for (size_t i = 0; i < in->n; i++) {
			if (i)
				printf("\n");
			inspect_text(&in->info[i], i, in->n, now);
		}
		if (in->nkeys)
			printf(ngettext("\n%zu private key in the file was skipped (never shown).\n",
			                "\n%zu private keys in the file were skipped (never shown).\n",
			                in->nkeys),
			       in->nkeys);
	}
	/* Everything readable has been shown; a bad extension still fails
	 * the command so that a script notices. */
	if (in->nbad_acs && c->err.status == PT_OK)
		pt_fail(&c->err, PT_INVALID,
		        ngettext("%s: %zu certificate has a malformed VOMS extension",
		                 "%s: %zu certificates have a malformed VOMS extension", in->nbad_acs),
		        file, in->nbad_acs);
	voms_inspect_free(&in);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * report
 * ------------------------------------------------------------------- */

static int
cmd_report_expiry(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	enum report_format fmt = REPORT_TEXT;
	bool csv = false, json = false;
	long days = -1;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			if (cli_parse_int(optarg, 0, 36500, &days) != 0)
				return cli_usage_error(c, _("--days takes a number of days"));
			break;
		case 'c': csv = true; break;
		case 'j': json = true; break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind != argc || (csv && json))
		return cli_bad_usage(c);
	if (csv)
		fmt = REPORT_CSV;
	else if (json)
		fmt = REPORT_JSON;
	report_expiry_write(c->st, stdout, fmt, time(NULL), days, NULL, &c->err);
	if (fflush(stdout) != 0 && c->err.status == PT_OK)
		pt_fail(&c->err, PT_IO, _("cannot write the report"));
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * the family's table
 * ------------------------------------------------------------------- */

const struct cmd cli_cert_commands[] = {
	{ "ca", "add", cmd_ca_add, CMD_STORE | CMD_WRITE,
	  N_("NAME --bundle FILE [--subject TEMPLATE] [--key TYPE]"),
	  N_("add a CA: its PEM bundle (root and intermediates), the subject template of its "
	     "host certificates (e.g. C=IT,O=INFN,OU=Host,L=Padova,CN=%h) and its default key type") },
	{ "ca", "list", cmd_ca_list, CMD_STORE, N_("[--json]"), N_("list the CAs") },
	{ "ca", "show", cmd_ca_show, CMD_STORE, N_("NAME [--json]"),
	  N_("show a CA and the certificates of its bundle") },
	{ "cert", "request", cmd_cert_request, CMD_STORE | CMD_WRITE,
	  N_("FQDN [--ca NAME] [--key TYPE] [--san NAME]..."),
	  N_("generate a key for a host (kept in the store) and a certificate request "
	     "(key types rsa:2048, rsa:3072, rsa:4096, ec:p256, ec:p384)") },
	{ "cert", "csr", cmd_cert_csr, CMD_STORE, N_("FQDN"),
	  N_("print the pending certificate request of a host (public, for the CA)") },
	{ "cert", "cancel", cmd_cert_cancel, CMD_STORE | CMD_WRITE, N_("FQDN"),
	  N_("cancel the pending request of a host") },
	{ "cert", "import", cmd_cert_import, CMD_STORE | CMD_WRITE, N_("FILE..."),
	  N_("import issued certificates (PEM or DER); each must match a stored key, "
	     "else nothing is imported") },
	{ "cert", "adopt", cmd_cert_adopt, CMD_STORE | CMD_WRITE, N_("FQDN --key FILE --cert FILE"),
	  N_("bring a host's existing key and certificate into the store") },
	{ "cert", "status", cmd_cert_status, CMD_STORE,
	  N_("[FQDN] [--json] [--all] [--expiring DAYS]"),
	  N_("show certificates: dates, days left, band, key match and chain") },
	{ "cert", "verify", cmd_cert_verify, CMD_STORE, N_("FQDN"),
	  N_("check that a host's certificate matches its key and chains to its CA") },
	{ "cert", "inspect", cmd_cert_inspect, 0, N_("FILE [--json]"),
	  N_("show a certificate or proxy file in human terms, VOMS attributes included "
	     "(no store needed; private keys in the file are skipped)") },
	{ "report", "expiry", cmd_report_expiry, CMD_STORE, N_("[--days N] [--csv | --json]"),
	  N_("current certificates by expiry date, for printing or for another tool") },
};
const size_t cli_cert_ncommands = sizeof(cli_cert_commands) / sizeof(cli_cert_commands[0]);

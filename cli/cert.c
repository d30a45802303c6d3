/* cert.c - the cert commands: request, csr, cancel, import, adopt,
 * status, verify.
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

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"

#define KEY_FILE_MAX (64 * 1024)

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
		printf(_("Send the request to the CA: passtore cert csr %s > %s.csr\n"), fqdn,
		       fqdn);
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

	int nfiles = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--make-current") == 0) {
			cert_import_make_current(true);
			argv[i] = NULL;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return cli_bad_usage(c);
		nfiles++;
	}
	if (nfiles < 1)
		return cli_bad_usage(c);
	for (int i = 1; i < argc && c->err.status != PT_DAMAGED; i++) {
		if (!argv[i])
			continue;
		struct x509_cert_list *l = NULL;
		struct pt_err e = { 0 };
		unsigned char *buf = NULL;
		size_t len;

		if (cli_slurp(argv[i], false, CERT_FILE_MAX, &buf, &len, &e) != PT_OK ||
		    x509_certs_parse(buf, len, &l, &e) != PT_OK) {
			fprintf(stderr, _("passtore: %s: refused: %s\n"), argv[i], pt_err_text(&e));
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
				fprintf(stderr, "passtore: %s: %s\n", argv[i], pt_err_text(&e));
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
				if (asprintf(&line,
				             _("Already in the store, skipped: %s (serial %s)\n"),
				             x->subject_grid, x->serial) < 0)
					line = NULL;
			} else {
				stored++;
				if (asprintf(
					    &line,
					    oc == CERT_STORED
						    ? _("Imported %s for %s (serial %s, valid until %s)\n")
					    : oc == CERT_STORED_EARLIER
						    ? _("Imported %s for %s (serial %s, valid until %s) as superseded: "
				                        "it expires before the current certificate, which stays current "
				                        "(--make-current takes it all the same)\n")
						    : _("Imported %s for %s (serial %s, valid until %s) as superseded: "
				                        "a newer certificate stays current\n"),
					    x->subject_grid, fqdn, x->serial,
					    cli_time(x->not_after)) < 0)
					line = NULL;
				if (oc == CERT_STORED_EARLIER)
					fprintf(stderr,
					        _("passtore: warning: %s: the certificate for %s expires "
					          "before the current one; the current one is kept\n"),
					        argv[i], fqdn);
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
		                 "%zu certificates or files refused: nothing was imported",
		                 refused),
		        refused);
	if (c->err.status == PT_OK) {
		for (size_t i = 0; i < nnotes; i++)
			if (notes[i].line)
				fputs(notes[i].line, stdout);
		printf(ngettext("%zu certificate imported.\n", "%zu certificates imported.\n",
		                stored),
		       stored);
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
	       oc == CERT_STORED_OLDER || oc == CERT_STORED_EARLIER
	               ? _(" (stored as superseded: a newer certificate stays current)")
	               : "");
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

struct status_print {
	struct cli *c; /* where a record JSON cannot hold is reported */
	bool json;
	json_t *arr;
	size_t n;
	/* verify: what was seen */
	bool key_match, chain_ok;
	char key_detail[512], chain_detail[512];
};

static json_t *
status_json(const struct cert_status *cs, const char **bad)
{
	const struct x509_cert *x = cs->x;
	json_t *sans = json_array(), *o = json_object();

	for (size_t i = 0; i < x->nsans; i++)
		cli_json_append(sans, json_string(x->sans[i]), "sans", bad);
	cli_json_set(o, "host", json_string(cs->fqdn), bad);
	cli_json_set(o, "subject", json_string(x->subject_grid), bad);
	cli_json_set(o, "issuer", json_string(x->issuer_grid), bad);
	cli_json_set(o, "serial", json_string(x->serial), bad);
	cli_json_set(o, "sans", sans, bad);
	cli_json_set(o, "not_before", json_string(cli_time(x->not_before)), bad);
	cli_json_set(o, "not_after", json_string(cli_time(x->not_after)), bad);
	cli_json_set(o, "days_left", json_integer(cs->days_left), bad);
	cli_json_set(o, "band", json_string(x509_band_name(cs->band)), bad);
	cli_json_set(o, "not_yet_valid", json_boolean(cs->band == X509_BAND_NOT_YET_VALID), bad);
	cli_json_set(o, "key_match", json_boolean(cs->key_match), bad);
	if (!cs->key_match)
		cli_json_set(o, "key_problem", json_string(cs->key_detail), bad);
	cli_json_set(o, "chain_ok", json_boolean(cs->chain_ok), bad);
	cli_json_set(o, "ca", *cs->ca ? json_string(cs->ca) : json_null(), bad);
	if (!cs->chain_ok)
		cli_json_set(o, "chain_problem", json_string(cs->chain_detail), bad);
	cli_json_set(o, "state", json_string(cs->state), bad);
	cli_json_set(o, "key_origin", json_string(cs->origin), bad);
	cli_json_set(o, "key_type",
	             json_string(x->key_known ? x509_keytype_name(x->key_type) : x->key_algo), bad);
	cli_json_set(o, "sha256", json_string(x->sha256_hex), bad);
	cli_json_set(o, "imported", json_string(cli_time(cs->imported_at)), bad);
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
		const char *bad = NULL;
		json_t *o = status_json(cs, &bad);

		/* a record JSON cannot hold stops the listing: never one left out */
		if (bad)
			json_decref(o);
		if (bad || !cli_json_append(p->arr, o, "record", &bad)) {
			pt_fail(&p->c->err, PT_INVALID,
			        _("%s: the %s of its certificate cannot be written as JSON "
			          "(not valid UTF-8)"),
			        cs->fqdn, bad);
			return 1;
		}
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
	struct status_print p = { .c = c };
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
	if (cert_status_foreach(c->st, fqdn, all, days, time(NULL), status_row, &p, &c->err) ==
	            PT_OK &&
	    c->err.status == PT_OK) {
		if (p.json) {
			free(fqdn);
			return cli_json_print(p.arr);
		}
		if (!p.n)
			printf(fqdn ? _("%s has no certificate.\n") : _("No certificates%s.\n"),
			       fqdn        ? fqdn
			       : days >= 0 ? _(" expiring in that time")
			                   : "");
	}
	json_decref(p.arr);
	free(fqdn);
	return cli_report(c);
}

static int
cmd_cert_verify(struct cli *c, int argc, char **argv)
{
	struct status_print p = { .c = c };
	const char *arg;
	char *fqdn;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &arg)) != 0)
		return rc;
	fqdn = cli_lowercase(arg);
	if (!fqdn)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	if (cert_status_foreach(c->st, fqdn, false, -1, time(NULL), status_row, &p, &c->err) !=
	    PT_OK)
		goto out;
	if (!p.n) {
		pt_fail(&c->err, PT_NOTFOUND, _("%s has no certificate"), fqdn);
		goto out;
	}
	if (!p.key_match && !p.chain_ok)
		pt_fail(&c->err, PT_MISMATCH,
		        _("%s fails verification: the key does not match (%s) and the chain does not verify (%s)"),
		        fqdn, p.key_detail, p.chain_detail);
	else if (!p.key_match)
		pt_fail(&c->err, PT_MISMATCH,
		        _("%s fails verification: the key does not match: %s"), fqdn, p.key_detail);
	else if (!p.chain_ok)
		pt_fail(&c->err, PT_REFUSED,
		        _("%s fails verification: the chain does not verify: %s"), fqdn,
		        p.chain_detail);
	else
		printf(_("%s verifies: the key matches and the chain verifies.\n"), fqdn);
out:
	free(fqdn);
	return cli_report(c);
}

const struct cmd cli_cert_commands[] = {
	{ "cert", "request", cmd_cert_request, CMD_STORE | CMD_WRITE,
	  N_("FQDN [--ca NAME] [--key TYPE] [--san NAME]..."),
	  N_("generate a key for a host (kept in the store) and a certificate request "
	     "(key types rsa:2048, rsa:3072, rsa:4096, ec:p256, ec:p384)") },
	{ "cert", "csr", cmd_cert_csr, CMD_STORE, N_("FQDN"),
	  N_("print the pending certificate request of a host (public, for the CA)") },
	{ "cert", "cancel", cmd_cert_cancel, CMD_STORE | CMD_WRITE, N_("FQDN"),
	  N_("cancel the pending request of a host") },
	{ "cert", "import", cmd_cert_import, CMD_STORE | CMD_WRITE, N_("[--make-current] FILE..."),
	  N_("import issued certificates (PEM or DER); each must match a stored key, "
	     "else nothing is imported") },
	{ "cert", "adopt", cmd_cert_adopt, CMD_STORE | CMD_WRITE, N_("FQDN --key FILE --cert FILE"),
	  N_("bring a host's existing key and certificate into the store") },
	{ "cert", "status", cmd_cert_status, CMD_STORE,
	  N_("[FQDN] [--json] [--all] [--expiring DAYS]"),
	  N_("show certificates: dates, days left, band, key match and chain") },
	{ "cert", "verify", cmd_cert_verify, CMD_STORE, N_("FQDN"),
	  N_("check that a host's certificate matches its key and chains to its CA") },
};
const size_t cli_cert_ncommands = sizeof(cli_cert_commands) / sizeof(cli_cert_commands[0]);

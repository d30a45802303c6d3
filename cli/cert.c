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
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	bool force = false;
	char *fqdn, *csr = NULL;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc || (force && !out))
		return cli_bad_usage(c);
	fqdn = cli_lowercase(argv[optind]);
	if (fqdn && out) {
		if (cert_request_save(c->st, fqdn, out, force, &c->err) == PT_OK)
			printf(_("Wrote the request of %s to %s.\n"), fqdn, out);
	} else if (fqdn && cert_request_csr(c->st, fqdn, &csr, &c->err) == PT_OK) {
		fputs(csr, stdout);
	}
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

/* What a batch says, kept until it is known to succeed: text lines, or
 * the JSON document. */
struct import_run {
	struct cli *c;
	const char *file;
	enum x509_format fmt;
	bool json;
	json_t *files, *certs;  /* JSON: every file; the current file's certificates */
	const char *bad;        /* a field JSON could not hold */
	struct x509_memo *memo; /* intermediates repeated from file to file */
	char **lines;
	size_t nlines, cap;
	size_t stored, added, no_ca;
	bool oom;
};

static void run_line(struct import_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
run_line(struct import_run *r, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (r->json || r->oom)
		return;
	if (r->nlines == r->cap) {
		size_t ncap = r->cap ? 2 * r->cap : 16;
		char **nl = realloc(r->lines, ncap * sizeof(*nl));

		if (!nl) {
			r->oom = true;
			return;
		}
		r->lines = nl;
		r->cap = ncap;
	}
	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		r->oom = true;
	else
		r->lines[r->nlines++] = line;
	va_end(ap);
}

static const char *
outcome_name(const struct cert_batch_item *it)
{
	if (it->chain)
		return it->chain_outcome == CERT_CHAIN_ADDED   ? "added-to-ca"
		       : it->chain_outcome == CERT_CHAIN_KNOWN ? "ca-known"
		                                               : "no-ca";
	switch (it->outcome) {
	case CERT_STORED: return "stored";
	case CERT_STORED_OLDER: return "stored-superseded";
	case CERT_STORED_EARLIER: return "stored-earlier";
	case CERT_DUPLICATE: return "duplicate";
	case CERT_NO_KEY: break;
	}
	return "refused";
}

static void
item_json(struct import_run *r, const struct cert_batch_item *it)
{
	json_t *o = json_object();

	cli_json_set(o, "subject", json_string(it->x->subject_grid), &r->bad);
	cli_json_set(o, "issuer", json_string(it->x->issuer_grid), &r->bad);
	cli_json_set(o, "serial", json_string(it->x->serial), &r->bad);
	cli_json_set(o, "sha256", json_string(it->x->sha256_hex), &r->bad);
	cli_json_set(o, "kind", json_string(it->chain ? "ca" : "host"), &r->bad);
	cli_json_set(o, "outcome", json_string(outcome_name(it)), &r->bad);
	cli_json_set(o, "host", it->host && *it->host ? json_string(it->host) : json_null(),
	             &r->bad);
	cli_json_set(o, "ca", *it->ca ? json_string(it->ca) : json_null(), &r->bad);
	if (*it->why)
		cli_json_set(o, "why", json_string(it->why), &r->bad);
	cli_json_append(r->certs, o, "certificate", &r->bad);
}

static void
import_item(const struct cert_batch_item *it, void *ud)
{
	struct import_run *r = ud;
	const struct x509_cert *x = it->x;

	if (it->chain) {
		r->added += it->chain_outcome == CERT_CHAIN_ADDED;
		r->no_ca += it->chain_outcome == CERT_CHAIN_NO_CA;
		if (it->chain_outcome == CERT_CHAIN_ADDED)
			run_line(r,
			         _("Added CA certificate %s (serial %s) to the bundle of CA %s\n"),
			         x->subject_grid, x->serial, it->ca);
		else if (it->chain_outcome == CERT_CHAIN_KNOWN)
			run_line(r, _("CA certificate %s is already in the bundle of CA %s\n"),
			         x->subject_grid, it->ca);
		else
			run_line(
				r,
				_("Not stored: CA certificate %s (serial %s) verifies to no stored "
			          "CA: %s\n"),
				x->subject_grid, x->serial, it->why);
	} else if (it->outcome == CERT_NO_KEY) {
		fprintf(stderr, "passtore: %s: %s\n", r->file, it->why);
	} else if (it->outcome == CERT_DUPLICATE) {
		run_line(r, _("Already in the store, skipped: %s (serial %s)\n"), x->subject_grid,
		         x->serial);
	} else {
		r->stored++;
		run_line(
			r,
			it->outcome == CERT_STORED
				? _("Imported %s for %s (serial %s, valid until %s)\n")
			: it->outcome == CERT_STORED_EARLIER
				? _("Imported %s for %s (serial %s, valid until %s) as superseded: "
		                    "it expires before the current certificate, which stays current "
		                    "(--make-current takes it all the same)\n")
				: _("Imported %s for %s (serial %s, valid until %s) as superseded: "
		                    "a newer certificate stays current\n"),
			x->subject_grid, it->host, x->serial, cli_time(x->not_after));
		if (it->outcome == CERT_STORED_EARLIER)
			fprintf(stderr,
			        _("passtore: warning: %s: the certificate for %s expires "
			          "before the current one; the current one is kept\n"),
			        r->file, it->host);
	}
	if (r->json)
		item_json(r, it);
}

/* Read and parse one file: its certificates, or a refusal naming it. */
static enum pt_status
import_read(struct import_run *r, int pwfd, char **pw, struct x509_cert_list **l, struct pt_err *e)
{
	unsigned char *buf = NULL;
	size_t len;
	enum pt_status st;

	st = pt_file_read(r->file, false, X509_FILE_MAX, &buf, &len, e);
	if (st == PT_OK && x509_is_pkcs12(buf, len))
		st = cli_p12_password(pwfd, r->file, pw, NULL, e);
	if (st == PT_OK)
		st = x509_delivery_parse(buf, len, *pw, r->memo, l, NULL, &r->fmt, e);
	free(buf);
	return st;
}

static int
import_args(struct cli *c, int argc, char **argv, int *pwfd, bool *json)
{
	static const struct option opts[] = {
		{ "password-fd", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "make-current", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int o;

	*pwfd = -1;
	*json = false;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p':
			if (cli_parse_int(optarg, 0, INT_MAX, &v) != 0)
				return cli_usage_error(
					c, _("--password-fd takes a file descriptor number"));
			*pwfd = (int)v;
			break;
		case 'j': *json = true; break;
		/* an earlier-expiring certificate made current all the same */
		case 'm': cert_import_make_current(true); break;
		default: return cli_bad_usage(c);
		}
	}
	return optind < argc ? 0 : cli_bad_usage(c);
}

/* Every file in one batch: all of it is stored, or nothing (the
 * command's transaction is committed only on success). */
static size_t
import_files(struct import_run *r, struct cert_batch *b, int pwfd, char **pw, int argc, char **argv,
             enum pt_status *first)
{
	size_t refused = 0;

	for (int i = optind; i < argc && r->c->err.status == PT_OK; i++) {
		struct x509_cert_list *l = NULL;
		struct pt_err e = { 0 };
		size_t before = refused;

		r->file = argv[i];
		if (import_read(r, pwfd, pw, &l, &e) != PT_OK) {
			fprintf(stderr, _("passtore: %s: refused: %s\n"), argv[i], pt_err_text(&e));
			if (*first == PT_OK)
				*first = e.status;
			refused++;
			continue;
		}
		if (r->json)
			r->certs = json_array();
		if (cert_batch_import(b, l, import_item, r, &refused, &e) != PT_OK)
			r->c->err = e; /* the store itself failed: stop here */
		if (refused > before && *first == PT_OK)
			*first = PT_MISMATCH;
		if (r->json) {
			json_t *f = json_object();

			cli_json_set(f, "file", json_string(argv[i]), &r->bad);
			cli_json_set(f, "format", json_string(x509_format_name(r->fmt)), &r->bad);
			cli_json_set(f, "certificates", r->certs, &r->bad);
			cli_json_append(r->files, f, "file", &r->bad);
			r->certs = NULL;
		}
		x509_cert_list_free(&l);
	}
	return refused;
}

static void
import_done(struct import_run *r)
{
	json_t *o;

	if (!r->json) {
		for (size_t i = 0; i < r->nlines; i++)
			fputs(r->lines[i], stdout);
		printf(ngettext("%zu certificate imported.\n", "%zu certificates imported.\n",
		                r->stored),
		       r->stored);
		if (r->added)
			printf(ngettext("%zu CA certificate added to a CA bundle.\n",
			                "%zu CA certificates added to CA bundles.\n", r->added),
			       r->added);
		return;
	}
	o = json_object();
	cli_json_set(o, "imported", json_integer((json_int_t)r->stored), &r->bad);
	cli_json_set(o, "ca_added", json_integer((json_int_t)r->added), &r->bad);
	cli_json_set(o, "ca_not_stored", json_integer((json_int_t)r->no_ca), &r->bad);
	cli_json_set(o, "files", r->files, &r->bad);
	r->files = NULL;
	if (r->bad) {
		json_decref(o);
		cli_json_fail(r->c, _("the import"), r->bad);
		return;
	}
	cli_json_print(o);
}

static int
cmd_cert_import(struct cli *c, int argc, char **argv)
{
	struct import_run r = { .c = c };
	struct cert_batch *b = NULL;
	enum pt_status first = PT_OK;
	char *pw = NULL;
	size_t refused;
	int pwfd, rc;

	if ((rc = import_args(c, argc, argv, &pwfd, &r.json)) != 0)
		return rc;
	if (r.json)
		r.files = json_array();
	if (!(r.memo = x509_memo_new()))
		pt_fail(&c->err, PT_NOMEM, NULL);
	else if (cert_batch_new(c->st, &b, &c->err) == PT_OK) {
		refused = import_files(&r, b, pwfd, &pw, argc, argv, &first);
		if (c->err.status == PT_OK && r.oom)
			pt_fail(&c->err, PT_NOMEM, NULL);
		if (c->err.status == PT_OK && refused)
			pt_fail(&c->err, first,
			        ngettext("%zu certificate or file refused: nothing was imported",
			                 "%zu certificates or files refused: nothing was imported",
			                 refused),
			        refused);
		if (c->err.status == PT_OK)
			import_done(&r);
	}
	cert_batch_free(&b);
	x509_memo_free(&r.memo);
	secmem_free(pw);
	for (size_t i = 0; i < r.nlines; i++)
		free(r.lines[i]);
	free(r.lines);
	json_decref(r.files);
	json_decref(r.certs);
	return cli_report(c);
}

/* Put the file's name in front of the detail of c->err. */
static enum pt_status
name_file(struct cli *c, const char *file)
{
	char detail[sizeof(c->err.detail)];

	snprintf(detail, sizeof(detail), "%s", c->err.detail);
	return pt_fail(&c->err, c->err.status, "%s: %s", file, detail);
}

/* The key of adopt: its own file (any form, decrypted with the password
 * when it is encrypted), or the one a PKCS#12 certificate file held. */
static enum pt_status
adopt_key(struct cli *c, const char *keyfile, int pwfd, char **pw, char **p12key, char **key)
{
	unsigned char *buf = NULL;
	enum pt_status st;
	size_t len;

	if (!keyfile) {
		if (!*p12key)
			return pt_fail(
				&c->err, PT_USAGE,
				_("the certificate file holds no private key: give --key FILE"));
		*key = *p12key;
		*p12key = NULL;
		return PT_OK;
	}
	st = pt_file_read(keyfile, true, KEY_FILE_MAX, &buf, &len, &c->err);
	if (st == PT_OK && x509_key_needs_password(buf, len))
		st = cli_p12_password(pwfd, keyfile, pw, NULL, &c->err);
	if (st == PT_OK && (st = x509_key_load(buf, len, *pw, key, &c->err)) != PT_OK)
		name_file(c, keyfile);
	secmem_free(buf);
	return st;
}

/* The certificate file of adopt, in any delivery format. */
static enum pt_status
adopt_certs(struct cli *c, const char *certfile, int pwfd, char **pw, char **p12key,
            struct x509_cert_list **l)
{
	unsigned char *buf = NULL;
	enum pt_status st;
	size_t len;

	st = pt_file_read(certfile, false, X509_FILE_MAX, &buf, &len, &c->err);
	if (st == PT_OK && x509_is_pkcs12(buf, len))
		st = cli_p12_password(pwfd, certfile, pw, NULL, &c->err);
	if (st == PT_OK &&
	    (st = x509_delivery_parse(buf, len, *pw, NULL, l, p12key, NULL, &c->err)) != PT_OK)
		name_file(c, certfile);
	free(buf);
	return st;
}

static void
adopt_chain_line(const struct cert_batch_item *it, void *ud)
{
	(void)ud;
	if (it->chain_outcome == CERT_CHAIN_ADDED)
		printf(_("Added CA certificate %s (serial %s) to the bundle of CA %s\n"),
		       it->x->subject_grid, it->x->serial, it->ca);
	else if (it->chain_outcome == CERT_CHAIN_NO_CA)
		printf(_("Not stored: CA certificate %s (serial %s) verifies to no stored CA: %s\n"),
		       it->x->subject_grid, it->x->serial, it->why);
}

static int
cmd_cert_adopt(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "password-fd", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyfile = NULL, *certfile = NULL;
	struct x509_cert_list *l = NULL;
	struct cert_batch *b = NULL;
	char *key = NULL, *p12key = NULL, *pw = NULL;
	enum cert_outcome oc;
	char *fqdn = NULL, *ca = NULL;
	int o, pwfd = -1;
	long v;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'k': keyfile = optarg; break;
		case 'c': certfile = optarg; break;
		case 'p':
			if (cli_parse_int(optarg, 0, INT_MAX, &v) != 0)
				return cli_usage_error(
					c, _("--password-fd takes a file descriptor number"));
			pwfd = (int)v;
			break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc || !certfile)
		return cli_bad_usage(c);
	fqdn = cli_lowercase(argv[optind]);
	if (!fqdn)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	if (adopt_certs(c, certfile, pwfd, &pw, &p12key, &l) != PT_OK ||
	    adopt_key(c, keyfile, pwfd, &pw, &p12key, &key) != PT_OK ||
	    cert_batch_new(c->st, &b, &c->err) != PT_OK ||
	    cert_batch_chain(b, l, adopt_chain_line, NULL, &c->err) != PT_OK ||
	    cert_adopt(c->st, fqdn, key, l, &ca, &oc, &c->err) != PT_OK)
		goto out;
	printf(_("Adopted the key and certificate of %s%s.\n"), fqdn,
	       oc == CERT_STORED_OLDER || oc == CERT_STORED_EARLIER
	               ? _(" (stored as superseded: a newer certificate stays current)")
	               : "");
	printf(_("CA: %s\n"), ca ? ca : _("unknown CA (no CA bundle in the store verifies it)"));
	printf(_("The key is now in the store. Wipe the file %s yourself (for example: shred -u %s); "
	         "passtore never deletes it.\n"),
	       keyfile ? keyfile : certfile, keyfile ? keyfile : certfile);
out:
	cert_batch_free(&b);
	secmem_free(key);
	secmem_free(p12key);
	secmem_free(pw);
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
	bool key_match, chain_ok, revoked;
	int namespace_ok;
	char key_detail[512], chain_detail[512], ns_detail[1024];
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
	cli_json_set(o, "revoked", json_boolean(cs->revoked), bad);
	if (cs->revoked)
		cli_json_set(o, "revoked_at", json_string(cli_time(cs->revoked_at)), bad);
	cli_json_set(o, "namespace",
	             cs->namespace_ok < 0 ? json_null()
	                                  : json_string(cs->namespace_ok ? "ok" : "violation"),
	             bad);
	if (cs->namespace_ok == 0)
		cli_json_set(o, "namespace_problem", json_string(cs->ns_detail), bad);
	if (cs->acked) {
		cli_json_set(o, "acknowledged_until", json_string(cli_time(cs->ack_until)), bad);
		cli_json_set(o, "ack_reason", json_string(cs->ack_reason), bad);
	}
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
	if (cs->revoked)
		printf(_("Revoked:       %s (on its issuer's CRL)\n"), cli_time(cs->revoked_at));
	if (cs->acked)
		printf(_("Acknowledged:  until %s: %s\n"), cli_time(cs->ack_until), cs->ack_reason);
	if (cs->namespace_ok == 0)
		printf(_("Namespace:     VIOLATION: %s\n"), cs->ns_detail);
	else if (cs->namespace_ok == 1)
		printf(_("Namespace:     inside its CA's namespace\n"));
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
	p->revoked = cs->revoked;
	p->namespace_ok = cs->namespace_ok;
	snprintf(p->ns_detail, sizeof(p->ns_detail), "%s", cs->ns_detail);
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
	else if (p.revoked)
		pt_fail(&c->err, PT_REFUSED,
		        _("%s fails verification: its certificate is revoked (on its issuer's CRL)"),
		        fqdn);
	else if (p.namespace_ok == 0)
		pt_fail(&c->err, PT_REFUSED, _("%s fails verification: %s"), fqdn, p.ns_detail);
	else
		printf(_("%s verifies: the key matches and the chain verifies.\n"), fqdn);
out:
	free(fqdn);
	return cli_report(c);
}

static int
cmd_cert_ack(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reason = NULL, *until_s = NULL;
	time_t until = 0;
	char *fqdn;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'r': reason = optarg; break;
		case 'u': until_s = optarg; break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc || !reason || !until_s)
		return cli_bad_usage(c);
	if (!cert_ack_parse_until(until_s, &until))
		return cli_usage_error(c, _("--until takes a date, YYYY-MM-DD"));
	if (!(fqdn = cli_lowercase(argv[optind])))
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	if (cert_ack(c->st, fqdn, reason, until, time(NULL), &c->err) == PT_OK)
		printf(_("Acknowledged the warning of %s until %s.\n"), fqdn, cli_time(until));
	free(fqdn);
	return cli_report(c);
}

const struct cmd cli_cert_commands[] = {
	{ "cert", "request", cmd_cert_request, CMD_STORE | CMD_WRITE,
	  N_("FQDN [--ca NAME] [--key TYPE] [--san NAME]..."),
	  N_("generate a key for a host (kept in the store) and a certificate request "
	     "(key types rsa:2048, rsa:3072, rsa:4096, ec:p256, ec:p384)") },
	{ "cert", "csr", cmd_cert_csr, CMD_STORE | CMD_WRITE, N_("FQDN [--out FILE [--force]]"),
	  N_("print the pending certificate request of a host (public, for the CA), or write it "
	     "to a new file (--force: over an existing one); a written request counts as sent") },
	{ "cert", "cancel", cmd_cert_cancel, CMD_STORE | CMD_WRITE, N_("FQDN"),
	  N_("cancel the pending request of a host") },
	{ "cert", "import", cmd_cert_import, CMD_STORE | CMD_WRITE,
	  N_("[--password-fd N] [--make-current] [--json] FILE..."),
	  N_("import issued certificates (PEM, DER, PKCS#7, PKCS#12; CA certificates of the chain "
	     "go to their CA's bundle); each must match a stored key, else nothing is imported") },
	{ "cert", "adopt", cmd_cert_adopt, CMD_STORE | CMD_WRITE,
	  N_("FQDN [--key FILE] --cert FILE [--password-fd N]"),
	  N_("bring a host's existing key and certificate into the store (encrypted keys and "
	     "PKCS#12 read with the password from --password-fd)") },
	{ "cert", "status", cmd_cert_status, CMD_STORE,
	  N_("[FQDN] [--json] [--all] [--expiring DAYS]"),
	  N_("show certificates: dates, days left, band, key match and chain") },
	{ "cert", "verify", cmd_cert_verify, CMD_STORE, N_("FQDN"),
	  N_("check that a host's certificate matches its key and chains to its CA") },
	{ "cert", "ack", cmd_cert_ack, CMD_STORE | CMD_WRITE, N_("FQDN --reason TEXT --until DATE"),
	  N_("acknowledge the warning of a host's certificate until a date (silenced by a newer "
	     "certificate)") },
};
const size_t cli_cert_ncommands = sizeof(cli_cert_commands) / sizeof(cli_cert_commands[0]);

/* inspect.c - cert inspect: a certificate or proxy file in human terms,
 * VOMS attributes included; no store needed.  A proxy's private key is
 * read into secure memory and never printed. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"
#include "grid/lib.h"

/* A proxy file holds its private key: the whole file is read into secure
 * memory and voms_inspect copies out the certificate blocks only. */
#define INSPECT_FILE_MAX (16 * 1024 * 1024)

/* Every builder below takes `bad`: the first key it could not encode
 * (jansson refuses a string that is not UTF-8).  The caller then fails
 * the command instead of printing a record with a key missing. */
static json_t *
strv_json(char *const *v, size_t n, const char *key, const char **bad)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		if (!cli_json_append(a, json_string(v[i]), key, bad))
			break;
	return a;
}

static json_t *
opt_json(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
fqan_json(const struct voms_fqan *f, const char **bad)
{
	json_t *o = json_object();

	cli_json_set(o, "fqan", json_string(f->fqan), bad);
	cli_json_set(o, "group", json_string(f->group), bad);
	cli_json_set(o, "role", opt_json(f->role), bad);
	cli_json_set(o, "capability", opt_json(f->capability), bad);
	return o;
}

static json_t *
ac_json(const struct voms_ac *ac, const char **bad)
{
	json_t *o = json_object(), *fq = json_array();

	for (size_t i = 0; i < ac->nfqans; i++)
		cli_json_append(fq, fqan_json(&ac->fqans[i], bad), "fqans", bad);
	cli_json_set(o, "vo", opt_json(ac->vo), bad);
	cli_json_set(o, "server", opt_json(ac->server), bad);
	cli_json_set(o, "issuer", opt_json(ac->issuer), bad);
	cli_json_set(o, "holder_issuer", opt_json(ac->holder_issuer), bad);
	cli_json_set(o, "holder_serial", opt_json(ac->holder_serial), bad);
	cli_json_set(o, "serial", opt_json(ac->serial), bad);
	cli_json_set(o, "not_before", json_string(cli_time(ac->not_before)), bad);
	cli_json_set(o, "not_after", json_string(cli_time(ac->not_after)), bad);
	cli_json_set(o, "signature_algorithm", opt_json(ac->sig_algo), bad);
	cli_json_set(o, "signature", json_string(voms_sig_name(ac->sig)), bad);
	cli_json_set(o, "fqans", fq, bad);
	cli_json_set(o, "targets", strv_json(ac->targets, ac->ntargets, "targets", bad), bad);
	cli_json_set(o, "server_certificates",
	             strv_json(ac->server_certs, ac->nserver_certs, "server_certificates", bad),
	             bad);
	cli_json_set(o, "attributes", strv_json(ac->attributes, ac->nattributes, "attributes", bad),
	             bad);
	cli_json_set(o, "extensions", strv_json(ac->extensions, ac->nextensions, "extensions", bad),
	             bad);
	return o;
}

static json_t *
proxy_json(const struct voms_certinfo *ci, const char **bad)
{
	json_t *v;

	if (ci->proxy == VOMS_PROXY_NONE)
		return json_null();
	v = json_object();
	cli_json_set(v, "type", json_string(voms_proxy_name(ci->proxy)), bad);
	cli_json_set(v, "policy",
	             ci->proxy == VOMS_PROXY_LEGACY
	                     ? json_string(ci->proxy_limited ? "limited" : "full")
	                     : opt_json(ci->proxy_policy),
	             bad);
	cli_json_set(v, "path_length",
	             ci->proxy_pathlen < 0 ? json_null() : json_integer(ci->proxy_pathlen), bad);
	return v;
}

static json_t *
voms_json(const struct voms_certinfo *ci, const char **bad)
{
	json_t *v, *acs;

	if (!ci->ac_oid)
		return json_null();
	v = json_object();
	acs = json_array();
	cli_json_set(v, "extension", json_string(ci->ac_oid), bad);
	for (size_t i = 0; ci->acs && i < ci->acs->n; i++)
		cli_json_append(acs, ac_json(&ci->acs->v[i], bad), "attribute_certificates", bad);
	cli_json_set(v, "attribute_certificates", acs, bad);
	cli_json_set(v, "error", opt_json(ci->ac_error), bad);
	return v;
}

static json_t *
bc_json(const struct voms_certinfo *ci, const char **bad)
{
	json_t *v;

	if (!ci->has_bc)
		return json_null();
	v = json_object();
	cli_json_set(v, "ca", json_boolean(ci->bc_ca), bad);
	cli_json_set(v, "path_length",
	             ci->bc_pathlen < 0 ? json_null() : json_integer(ci->bc_pathlen), bad);
	return v;
}

/* The stored CA that verifies x (the console's inspect shows the same),
 * into ca; false when the store could not be read. */
static bool
verifier(struct cli *c, const struct x509_cert *x, time_t now, char *ca, size_t len)
{
	return cert_ca_verifying(c->st, x, now, ca, len, &c->err) == PT_OK;
}

static json_t *
inspect_json(struct cli *c, const struct voms_certinfo *ci, time_t now, const char **bad)
{
	const struct x509_cert *x = ci->x;
	json_t *o = json_object();
	long days;
	enum x509_band b = x509_band(x->not_before, x->not_after, now, 0, 0, &days);

	cli_json_set(o, "subject", json_string(x->subject_grid), bad);
	cli_json_set(o, "issuer", json_string(x->issuer_grid), bad);
	cli_json_set(o, "serial", json_string(x->serial), bad);
	cli_json_set(o, "not_before", json_string(cli_time(x->not_before)), bad);
	cli_json_set(o, "not_after", json_string(cli_time(x->not_after)), bad);
	cli_json_set(o, "days_left", json_integer(days), bad);
	cli_json_set(o, "validity", json_string(x509_band_name(b)), bad);
	cli_json_set(o, "key_algorithm", json_string(x->key_algo), bad);
	cli_json_set(o, "key_bits", json_integer(x->key_bits), bad);
	cli_json_set(o, "sans", strv_json(x->sans, x->nsans, "sans", bad), bad);
	cli_json_set(o, "key_usage",
	             ci->has_key_usage ? strv_json((char *const *)ci->key_usage, ci->nkey_usage,
	                                           "key_usage", bad)
	                               : json_null(),
	             bad);
	cli_json_set(o, "extended_key_usage",
	             strv_json(ci->eku, ci->neku, "extended_key_usage", bad), bad);
	cli_json_set(o, "basic_constraints", bc_json(ci, bad), bad);
	cli_json_set(o, "proxy", proxy_json(ci, bad), bad);
	cli_json_set(o, "sha256", json_string(x->sha256_hex), bad);
	cli_json_set(o, "voms", voms_json(ci, bad), bad);
	if (c->st) {
		char ca[256];

		if (verifier(c, x, now, ca, sizeof ca))
			cli_json_set(o, "verified_by", ca[0] ? json_string(ca) : json_null(), bad);
	}
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
	       b == X509_BAND_EXPIRED         ? _("expired")
	       : b == X509_BAND_NOT_YET_VALID ? _("not yet valid")
	                                      : _("valid now"));
	printf(_("  Signature:      %s, %s\n"), ac->sig_algo ? ac->sig_algo : "?",
	       ac->sig == VOMS_SIG_OK ? _("verifies with the server certificate in the AC")
	       : ac->sig == VOMS_SIG_BAD
	               ? _("DOES NOT VERIFY with the server certificate in the AC")
	               : _("not checked (no server certificate in the AC)"));
	printf(_("  FQANs:\n"));
	for (size_t i = 0; i < ac->nfqans; i++) {
		const struct voms_fqan *f = &ac->fqans[i];

		printf("    %s\n", f->fqan);
		printf(_("      group %s, role %s, capability %s\n"), f->group,
		       f->role ? f->role : _("none"), f->capability ? f->capability : _("none"));
	}
	list_line(_("  Targets:        "), ac->targets, ac->ntargets);
	list_line(_("  Server chain:   "), ac->server_certs, ac->nserver_certs);
	list_line(_("  Attributes:     "), ac->attributes, ac->nattributes);
	list_line(_("  AC extensions:  "), ac->extensions, ac->nextensions);
}

static void
verified_text(struct cli *c, const struct x509_cert *x, time_t now)
{
	char ca[256];

	if (!c->st || !verifier(c, x, now, ca, sizeof ca))
		return;
	/* the console's words, the same msgid */
	printf(_("Verified by:    %s"),
	       ca[0] ? ca : _("no CA of the store (its bundle does not verify it)"));
	printf("\n");
}

static void
inspect_text(struct cli *c, const struct voms_certinfo *ci, size_t idx, size_t n, time_t now)
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
		printf(ci->proxy == VOMS_PROXY_RFC3820
		               ? _("Proxy:          RFC 3820, policy %s")
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
	default: printf(_("Proxy:          no\n")); break;
	}
	printf(_("SHA-256:        %s\n"), x->sha256_hex);
	verified_text(c, x, now);
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

/* The whole file as one JSON object, or an error: never a certificate
 * or a key silently left out. */
static void
inspect_print_json(struct cli *c, const char *file, const struct voms_inspect *in, time_t now)
{
	json_t *o = json_object(), *arr = json_array();
	const char *bad = NULL;

	for (size_t i = 0; i < in->n; i++)
		cli_json_append(arr, inspect_json(c, &in->info[i], now, &bad), "certificates",
		                &bad);
	cli_json_set(o, "file", json_string(file), &bad);
	cli_json_set(o, "certificates", arr, &bad);
	cli_json_set(o, "private_keys_skipped", json_integer((json_int_t)in->nkeys), &bad);
	if (bad) {
		json_decref(o);
		pt_fail(&c->err, PT_INVALID,
		        _("%s: the %s cannot be written as JSON (not valid UTF-8)"), file, bad);
	} else if (cli_json_print(o) != 0) {
		pt_fail(&c->err, PT_IO, _("cannot write the output"));
	}
}

/* A certificate request (what `cert csr` writes) has no certificate, so
 * voms_inspect refused it: its facts decoded as the console's inspect
 * does.  False when the file is no request either. */
static bool
csr_show(struct cli *c, const char *file, const unsigned char *buf, size_t len, bool json)
{
	struct x509_csr_facts f = { 0 };
	struct pt_err err = { 0 };
	char *pem;
	bool ok;

	if (len > X509_CSR_MAX || !(pem = secmem_alloc(len + 1)))
		return false;
	memcpy(pem, buf, len);
	pem[len] = '\0';
	ok = x509_csr_facts(pem, &f, &err) == PT_OK;
	secmem_free(pem);
	if (!ok)
		return false;
	if (json) {
		json_t *o = json_object(), *r = json_object();
		const char *bad = NULL;

		cli_json_set(r, "subject", json_string(f.subject_grid), &bad);
		cli_json_set(r, "sans", strv_json(f.sans, f.nsans, "sans", &bad), &bad);
		cli_json_set(r, "key_algorithm", json_string(f.key_algo), &bad);
		cli_json_set(r, "key_bits", json_integer(f.key_bits), &bad);
		cli_json_set(r, "signature_ok", json_boolean(f.sig_ok), &bad);
		cli_json_set(o, "file", json_string(file), &bad);
		cli_json_set(o, "request", r, &bad);
		if (bad) {
			json_decref(o);
			pt_fail(&c->err, PT_INVALID,
			        _("%s: the %s cannot be written as JSON (not valid UTF-8)"), file,
			        bad);
		} else if (cli_json_print(o) != 0) {
			pt_fail(&c->err, PT_IO, _("cannot write the output"));
		}
	} else {
		printf("%s\n", _("A certificate request (CSR), not a certificate."));
		printf(_("Subject:        %s\n"), f.subject_grid);
		list_line(_("Names:          "), f.sans, f.nsans);
		printf(_("Key:            %s, %u bits\n"), f.key_algo, f.key_bits);
		printf("%-16s%s\n", _("Signature:"),
		       f.sig_ok ? _("verifies (the request is whole)") : _("does NOT verify"));
	}
	x509_csr_facts_clear(&f);
	return true;
}

/* FILE [--json] [--verify]: --verify unlocks the store to name the CA
 * that verifies each certificate; without it no store is needed. */
static int
inspect_args(struct cli *c, int argc, char **argv, const char **file, bool *json, bool *verify)
{
	*file = NULL;
	*json = *verify = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = true;
		else if (strcmp(argv[i], "--verify") == 0)
			*verify = true;
		else if (argv[i][0] != '-' && !*file)
			*file = argv[i];
		else
			return cli_bad_usage(c);
	}
	return *file ? 0 : cli_bad_usage(c);
}

static void
inspect_certs(struct cli *c, const struct voms_inspect *in, const char *file, bool json, time_t now)
{
	if (json) {
		inspect_print_json(c, file, in, now);
		return;
	}
	for (size_t i = 0; i < in->n; i++) {
		if (i)
			printf("\n");
		inspect_text(c, &in->info[i], i, in->n, now);
	}
	if (in->nkeys)
		printf(ngettext("\n%zu private key in the file was skipped (never shown).\n",
		                "\n%zu private keys in the file were skipped (never shown).\n",
		                in->nkeys),
		       in->nkeys);
}

static int
cmd_cert_inspect(struct cli *c, int argc, char **argv)
{
	struct voms_inspect *in = NULL;
	unsigned char *buf = NULL;
	const char *file;
	time_t now = time(NULL);
	size_t len;
	bool json, verify;
	int rc;

	if ((rc = inspect_args(c, argc, argv, &file, &json, &verify)))
		return rc;
	if (pt_file_read(file, true, INSPECT_FILE_MAX, &buf, &len, &c->err) != PT_OK)
		return cli_report(c);
	if (verify && (pt_args_check_store(c->path, &c->err) != PT_OK || cli_unlock(c) != PT_OK)) {
		secmem_free(buf);
		return cli_report(c);
	}
	if (voms_inspect(buf, len, &in, &c->err) != PT_OK) {
		char d[sizeof(c->err.detail)];
		enum pt_status st = c->err.status;

		snprintf(d, sizeof(d), "%s", c->err.detail);
		c->err = (struct pt_err){ 0 };
		if (!csr_show(c, file, buf, len, json))
			pt_fail(&c->err, st, _("%s: %s"), file, d);
		secmem_free(buf);
		return cli_report(c);
	}
	secmem_free(buf);
	inspect_certs(c, in, file, json, now);
	/* Everything readable has been shown; a bad extension still fails
	 * the command so that a script notices. */
	if (in->nbad_acs && c->err.status == PT_OK)
		pt_fail(&c->err, PT_INVALID,
		        ngettext("%s: %zu certificate has a malformed VOMS extension",
		                 "%s: %zu certificates have a malformed VOMS extension",
		                 in->nbad_acs),
		        file, in->nbad_acs);
	voms_inspect_free(&in);
	return cli_report(c);
}

const struct cmd cli_inspect_commands[] = {
	{ "cert", "inspect", cmd_cert_inspect, 0, N_("FILE [--json] [--verify]"),
	  N_("show a certificate or proxy file, or a certificate request, in human terms, VOMS "
	     "attributes included (no store needed; private keys in the file are skipped; "
	     "--verify unlocks the store to name the stored CA that verifies each certificate)") },
};
const size_t cli_inspect_ncommands = sizeof(cli_inspect_commands) / sizeof(cli_inspect_commands[0]);

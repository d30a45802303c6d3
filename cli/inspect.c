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

const struct cmd cli_inspect_commands[] = {
	{ "cert", "inspect", cmd_cert_inspect, 0, N_("FILE [--json]"),
	  N_("show a certificate or proxy file in human terms, VOMS attributes included "
	     "(no store needed; private keys in the file are skipped)") },
};
const size_t cli_inspect_ncommands = sizeof(cli_inspect_commands) / sizeof(cli_inspect_commands[0]);

/* ui-adopt.c - two certificate jobs of the console that the CLI does as
 * `cert adopt` and `cert inspect`: a host's existing key and certificate
 * files brought into the store (the key read into secure memory, the
 * same core call and audit record as the CLI, one transaction: all or
 * nothing), and a certificate file decoded without storing it, in the
 * CLI's own words, with the stored CA that verifies each certificate (a
 * certificate request decoded too). */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"
#include "grid/lib.h"
#include "store/lib.h"
#include "ui/adopt.h"
#include "ui/app.h"
#include "ui/lines.h"
#include "ui/form.h"

#define ADOPT_KEY_MAX (64 * 1024)
#define ADOPT_PW_MAX 1024
#define INSPECT_FILE_MAX (16 * 1024 * 1024)

static void add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line; a newline at either end (the CLI's messages have them) is cut. */
static void
add(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	bool added;
	char *s;
	size_t len;

	va_start(ap, fmt);
	added = lines_vadd(l, fmt, ap);
	va_end(ap);
	if (!added)
		return;
	s = l->v[l->n - 1];
	if ((len = strlen(s)) && s[len - 1] == '\n')
		s[--len] = '\0';
	if (s[0] == '\n')
		memmove(s, s + 1, len);
}

/* ---- cert adopt ---- */

enum { F_HOST, F_KEY, F_CERT, F_PW, F_N };

struct adopt {
	struct lines out; /* the box shown after the adoption */
	char host[256];
};

static void
adopt_chain_line(const struct cert_batch_item *it, void *ud)
{
	struct adopt *ad = ud;

	if (it->chain_outcome == CERT_CHAIN_ADDED)
		add(&ad->out, _("Added CA certificate %s (serial %s) to the bundle of CA %s\n"),
		    it->x->subject_grid, it->x->serial, it->ca);
	else if (it->chain_outcome == CERT_CHAIN_NO_CA)
		add(&ad->out,
		    _("Not stored: CA certificate %s (serial %s) verifies to no stored CA: %s\n"),
		    it->x->subject_grid, it->x->serial, it->why);
}

/* The certificate file in any delivery format (a PKCS#12 one may hold the
 * key too): the field to fix with msg, or -1. */
static int
adopt_read_certs(const char *path, const char *pw, struct x509_cert_list **l, char **p12key,
                 char *msg, size_t len)
{
	unsigned char *buf = NULL;
	struct pt_err err = { 0 };
	size_t blen = 0;
	int bad = -1;

	if (pt_file_read(path, false, X509_FILE_MAX, &buf, &blen, &err) != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return F_CERT;
	}
	if (x509_is_pkcs12(buf, blen) && !pw) {
		snprintf(msg, len, "%s", _("This is a PKCS#12 file: give its password."));
		bad = F_PW;
	} else if (x509_delivery_parse(buf, blen, pw, NULL, l, p12key, NULL, &err) != PT_OK) {
		snprintf(msg, len, _("%s: %s"), path, pt_err_text(&err));
		bad = err.status == PT_REFUSED && pw ? F_PW : F_CERT;
	}
	free(buf);
	return bad;
}

/* The key: its own file (decrypted with the password when it is
 * encrypted) or the one the PKCS#12 file held; in secmem either way. */
static int
adopt_read_key(const char *path, const char *pw, char **p12key, char **key, char *msg, size_t len)
{
	unsigned char *buf = NULL;
	struct pt_err err = { 0 };
	size_t blen = 0;
	int bad = -1;

	if (!path[0]) {
		if (!*p12key) {
			snprintf(
				msg, len, "%s",
				_("The certificate file holds no private key: give the key file."));
			return F_KEY;
		}
		*key = *p12key;
		*p12key = NULL;
		return -1;
	}
	if (pt_file_read(path, true, ADOPT_KEY_MAX, &buf, &blen, &err) != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return F_KEY;
	}
	if (x509_key_needs_password(buf, blen) && !pw) {
		snprintf(msg, len, "%s", _("The key file is encrypted: give its password."));
		bad = F_PW;
	} else if (x509_key_load(buf, blen, pw, key, &err) != PT_OK) {
		snprintf(msg, len, _("%s: %s"), path, pt_err_text(&err));
		bad = err.status == PT_REFUSED && pw ? F_PW : F_KEY;
	}
	secmem_free(buf);
	return bad;
}

/* Into the store in one transaction, as `cert adopt` (cert_adopt writes
 * the audit record); *ca and *oc tell how it went. */
static enum pt_status
adopt_store(struct ui *ui, struct adopt *ad, const char *key, const struct x509_cert_list *l,
            char **ca, enum cert_outcome *oc, struct pt_err *err)
{
	struct cert_batch *b = NULL;
	enum pt_status st;

	if ((st = store_begin(ui->st, err)) != PT_OK)
		return st;
	if ((st = cert_batch_new(ui->st, &b, err)) == PT_OK &&
	    (st = cert_batch_chain(b, l, adopt_chain_line, ad, err)) == PT_OK)
		st = cert_adopt(ui->st, ad->host, key, l, ca, oc, err);
	cert_batch_free(&b);
	if (st == PT_OK)
		return store_commit(ui->st, err);
	store_rollback(ui->st);
	return st;
}

static int
adopt_fail(struct adopt *ad, const struct pt_err *err, char *msg, size_t len)
{
	snprintf(msg, len, _("Nothing was adopted: %s"), pt_err_text(err));
	lines_free(&ad->out);
	/* a key already stored is fixed in the key; a certificate of no such
	 * host, or of another key, in the host or the certificate */
	if (err->status == PT_EXISTS)
		return F_KEY;
	return err->status == PT_NOTFOUND ? F_HOST : F_CERT;
}

static int
adopt_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct adopt *ad = ud;
	struct x509_cert_list *l = NULL;
	struct pt_err err = { 0 };
	const char *pw = f[F_PW].buf[0] ? f[F_PW].buf : NULL, *kf = f[F_KEY].buf;
	char *key = NULL, *p12key = NULL, *ca = NULL;
	enum cert_outcome oc = CERT_STORED;
	int bad;

	(void)n;
	snprintf(ad->host, sizeof ad->host, "%s", f[F_HOST].buf);
	for (char *p = ad->host; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!ad->host[0]) {
		snprintf(msg, len, "%s", _("Give the host whose key and certificate these are."));
		return F_HOST;
	}
	if (!f[F_CERT].buf[0]) {
		snprintf(msg, len, "%s",
		         _("Give the certificate file: PEM, DER, PKCS#7 or PKCS#12."));
		return F_CERT;
	}
	if ((bad = adopt_read_certs(f[F_CERT].buf, pw, &l, &p12key, msg, len)) < 0 &&
	    (bad = adopt_read_key(kf, pw, &p12key, &key, msg, len)) < 0) {
		if (adopt_store(ui, ad, key, l, &ca, &oc, &err) != PT_OK) {
			bad = adopt_fail(ad, &err, msg, len);
		} else {
			add(&ad->out, _("Adopted the key and certificate of %s%s.\n"), ad->host,
			    oc == CERT_STORED_OLDER || oc == CERT_STORED_EARLIER
			            ? _(" (stored as superseded: a newer certificate stays current)")
			            : "");
			add(&ad->out, _("CA: %s\n"),
			    ca ? ca : _("unknown CA (no CA bundle in the store verifies it)"));
			add(&ad->out,
			    _("The key is now in the store. Wipe the file %s yourself (for example: "
			      "shred -u %s); passtore never deletes it.\n"),
			    kf[0] ? kf : f[F_CERT].buf, kf[0] ? kf : f[F_CERT].buf);
		}
	}
	secmem_free(key);
	secmem_free(p12key);
	free(ca);
	x509_cert_list_free(&l);
	return bad;
}

bool
ui_adopt_form(struct ui *ui, const char *host)
{
	struct adopt ad = { 0 };
	char fqdn[256] = "", keyfile[1024] = "", certfile[1024] = "";
	char *pw = secmem_alloc(ADOPT_PW_MAX);
	bool ok;

	if (!ui->st)
		return false;
	if (!pw) {
		ui_message(ui, ROLE_ALERT, "%s", pt_status_msg(PT_NOMEM));
		return false;
	}
	snprintf(fqdn, sizeof fqdn, "%s", host ? host : "");
	{
		struct ui_field f[F_N] = {
			{ _("Host"), fqdn, sizeof fqdn, false,
			  _("the host the key and certificate are of"), UI_FILE_NONE },
			{ _("Key file"), keyfile, sizeof keyfile, false,
			  _("PEM, DER or PKCS#8; empty when the certificate file is PKCS#12"),
			  UI_FILE_OPEN },
			{ _("Certificate file"), certfile, sizeof certfile, false,
			  _("PEM/DER/PKCS#7/PKCS#12, with its chain"), UI_FILE_OPEN },
			{ _("Password"), pw, ADOPT_PW_MAX, true,
			  _("only for an encrypted key or a PKCS#12 file"), UI_FILE_NONE },
		};
		ok = ui_form(ui, _("Adopt a key and certificate"), f, F_N, adopt_submit, &ad);
	}
	secmem_free(pw);
	if (ok) {
		ui_popup_wrap(ui, _("Adopt a key and certificate"), (const char *const *)ad.out.v,
		              ad.out.n);
		ui_message(ui, ROLE_BAND_OK, _("Adopted the key and certificate of %s."), ad.host);
	}
	lines_free(&ad.out);
	return ok;
}

/* ---- cert inspect ---- */

/* label, then the values joined by ", " (nothing when there are none) */
static void
list_line(struct lines *l, const char *label, char *const *v, size_t n)
{
	size_t len = 1;
	char *s;

	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 2;
	if (!(s = calloc(1, len)))
		return;
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, v[i]);
	}
	add(l, "%s%s", label, s);
	free(s);
}

static void
ac_lines(struct lines *l, const struct voms_ac *ac, size_t idx, size_t n, time_t now)
{
	char t[32];
	long days;
	enum x509_band b = x509_band(ac->not_before, ac->not_after, now, 0, 0, &days);

	if (n > 1)
		add(l, _("  Attribute certificate %zu of %zu\n"), idx + 1, n);
	add(l, _("  VO:             %s\n"), ac->vo ? ac->vo : _("(not stated)"));
	add(l, _("  VOMS server:    %s\n"), ac->server ? ac->server : _("(not stated)"));
	add(l, _("  Issued by:      %s\n"), ac->issuer ? ac->issuer : _("(not stated)"));
	add(l, _("  AC serial:      %s\n"), ac->serial);
	add(l, _("  AC not before:  %s\n"), pt_utc_time(ac->not_before, "-", t, sizeof t));
	add(l, _("  AC not after:   %s (%s)\n"), pt_utc_time(ac->not_after, "-", t, sizeof t),
	    b == X509_BAND_EXPIRED         ? _("expired")
	    : b == X509_BAND_NOT_YET_VALID ? _("not yet valid")
	                                   : _("valid now"));
	add(l, _("  FQANs:\n"));
	for (size_t i = 0; i < ac->nfqans; i++)
		add(l, "    %s", ac->fqans[i].fqan);
	list_line(l, _("  Targets:        "), ac->targets, ac->ntargets);
}

/* The stored CA whose bundle verifies x: what `cert adopt` and `cert
 * import` would record for it. */
static void
verified_by(struct ui *ui, struct lines *l, const struct x509_cert *x, time_t now)
{
	struct pt_err err = { 0 };
	char ca[256] = "";

	if (!ui->st)
		return;
	if (cert_ca_verifying(ui->st, x, now, ca, sizeof ca, &err) != PT_OK)
		add(l, _("Verified by:    %s"), pt_err_text(&err));
	else
		add(l, _("Verified by:    %s"),
		    ca[0] ? ca : _("no CA of the store (its bundle does not verify it)"));
}

static void
ci_lines(struct ui *ui, struct lines *l, const struct voms_certinfo *ci, size_t idx, size_t n,
         time_t now)
{
	const struct x509_cert *x = ci->x;
	char t[32];
	long days;
	enum x509_band b = x509_band(x->not_before, x->not_after, now, 0, 0, &days);

	if (n > 1)
		add(l, _("Certificate %zu of %zu\n"), idx + 1, n);
	add(l, _("Subject:        %s\n"), x->subject_grid);
	add(l, _("Issuer:         %s\n"), x->issuer_grid);
	add(l, _("Serial:         %s\n"), x->serial);
	add(l, _("Not before:     %s\n"), pt_utc_time(x->not_before, "-", t, sizeof t));
	add(l, _("Not after:      %s\n"), pt_utc_time(x->not_after, "-", t, sizeof t));
	if (b == X509_BAND_EXPIRED)
		add(l, _("Days left:      %ld (expired)\n"), days);
	else if (b == X509_BAND_NOT_YET_VALID)
		add(l, _("Days left:      %ld (not yet valid)\n"), days);
	else
		add(l, _("Days left:      %ld\n"), days);
	add(l, _("Key:            %s, %u bits\n"), x->key_algo, x->key_bits);
	list_line(l, _("Names:          "), x->sans, x->nsans);
	if (ci->has_key_usage)
		list_line(l, _("Key usage:      "), (char *const *)ci->key_usage, ci->nkey_usage);
	list_line(l, _("Extended usage: "), ci->eku, ci->neku);
	if (!ci->has_bc)
		add(l, _("CA:             not stated (no basic constraints)\n"));
	else if (!ci->bc_ca)
		add(l, _("CA:             no\n"));
	else if (ci->bc_pathlen >= 0)
		add(l, _("CA:             yes, path length %d\n"), ci->bc_pathlen);
	else
		add(l, _("CA:             yes\n"));
	add(l, _("SHA-256:        %s\n"), x->sha256_hex);
	verified_by(ui, l, x, now);
	if (!ci->ac_oid)
		return;
	if (ci->ac_error) {
		add(l, _("VOMS:           MALFORMED extension %s: %s\n"), ci->ac_oid, ci->ac_error);
		return;
	}
	add(l, _("VOMS:           extension %s\n"), ci->ac_oid);
	for (size_t i = 0; ci->acs && i < ci->acs->n; i++)
		ac_lines(l, &ci->acs->v[i], i, ci->acs->n, now);
}

/* A certificate request (what `cert csr` writes): no certificate in it,
 * so voms_inspect refused it; its facts decoded instead.  False when it
 * is no request either. */
static bool
csr_lines(struct lines *l, const unsigned char *buf, size_t blen)
{
	struct x509_csr_facts f = { 0 };
	struct pt_err err = { 0 };
	char *pem;

	if (blen > X509_CSR_MAX || !(pem = secmem_alloc(blen + 1)))
		return false;
	memcpy(pem, buf, blen);
	pem[blen] = '\0';
	if (x509_csr_facts(pem, &f, &err) != PT_OK) {
		secmem_free(pem);
		return false;
	}
	secmem_free(pem);
	add(l, "%s", _("A certificate request (CSR), not a certificate."));
	add(l, _("Subject:        %s\n"), f.subject_grid);
	list_line(l, _("Names:          "), f.sans, f.nsans);
	add(l, _("Key:            %s, %u bits\n"), f.key_algo, f.key_bits);
	add(l, "%-16s%s", _("Signature:"),
	    f.sig_ok ? _("verifies (the request is whole)") : _("does NOT verify"));
	x509_csr_facts_clear(&f);
	return true;
}

static int
inspect_submit(struct ui *ui, struct ui_field *f, size_t n, char *msg, size_t len, void *ud)
{
	struct voms_inspect *in = NULL;
	struct lines *l = ud;
	struct pt_err err = { 0 };
	unsigned char *buf = NULL;
	time_t now = time(NULL);
	size_t blen = 0;

	(void)n;
	if (!f[0].buf[0]) {
		snprintf(msg, len, "%s", _("Give a certificate file: PEM or DER."));
		return 0;
	}
	/* a proxy file holds its key: read into secure memory, never shown */
	if (pt_file_read(f[0].buf, true, INSPECT_FILE_MAX, &buf, &blen, &err) != PT_OK) {
		snprintf(msg, len, "%s", pt_err_text(&err));
		return 0;
	}
	if (voms_inspect(buf, blen, &in, &err) != PT_OK) {
		bool csr = csr_lines(l, buf, blen);

		if (!csr)
			snprintf(msg, len, _("%s: %s"), f[0].buf, pt_err_text(&err));
		secmem_free(buf);
		return csr ? -1 : 0;
	}
	secmem_free(buf);
	for (size_t i = 0; i < in->n; i++) {
		if (i)
			add(l, "%s", "");
		ci_lines(ui, l, &in->info[i], i, in->n, now);
	}
	if (in->nkeys)
		add(l,
		    ngettext("\n%zu private key in the file was skipped (never shown).\n",
		             "\n%zu private keys in the file were skipped (never shown).\n",
		             in->nkeys),
		    in->nkeys);
	voms_inspect_free(&in);
	return -1;
}

void
ui_inspect_form(struct ui *ui)
{
	struct lines l = { 0 };
	char file[1024] = "", title[160];
	struct ui_field f[1] = {
		{ _("File"), file, sizeof file, false,
		  _("a certificate or proxy (PEM or DER), or a request (PEM)"), UI_FILE_OPEN },
	};

	if (ui_form(ui, _("Inspect a certificate file"), f, 1, inspect_submit, &l)) {
		const char *base = strrchr(file, '/');
		snprintf(title, sizeof title, _("Certificate file %s"), base ? base + 1 : file);
		/* long names and the fingerprint wrap under their value */
		ui_popup_wrap(ui, title, (const char *const *)l.v, l.n);
	}
	lines_free(&l);
}

/* demo.c - the example site of `passtore --demo`: hosts in groups (CEs,
 * SEs, a worker-node range, services), passwords for them, a backup
 * copy, a CA with certificates in every expiry band and a pending
 * request, all through the core calls inside one transaction.  Only the
 * CA's side (its key, signing the requests with chosen dates) is played
 * here with GnuTLS, as the real CA would do outside the station. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <time.h>

#include "cert/lib.h"
#include "demo/demo.h"
#include "grid/lib.h"
#include "site/lib.h"
#include "base/i18n.h"

#define DEMO_DOMAIN "grid.example.org"
#define DEMO_WORKERS 40

struct demo_host {
	const char *name, *ip;
	const char *groups[3];
};

static const struct demo_host hosts[] = {
	{ "ce01", "10.10.1.11", { "ces", "grid" } },
	{ "ce02", "10.10.1.12", { "ces", "grid" } },
	{ "ce03", "10.10.1.13", { "ces", "grid" } },
	{ "se01", "10.10.2.21", { "ses", "storage" } },
	{ "se02", "10.10.2.22", { "ses", "storage" } },
	{ "storm-fe", "10.10.2.30", { "ses", "storage" } },
	{ "argus", "10.10.3.40", { "services" } },
	{ "site-bdii", "10.10.3.41", { "services" } },
	{ "squid", "10.10.3.42", { "services" } },
	{ "apel", "10.10.3.43", { "services" } },
	{ "operator", "10.10.9.2", { "admin" } },
};

struct demo_pw {
	const char *user, *spec, *service, *secret;
};

static const struct demo_pw passwords[] = {
	{ "root", "ce[01-03]." DEMO_DOMAIN, "ssh", "Tr4nsit-Cedar-91" },
	{ "root", "se[01-02]." DEMO_DOMAIN, "ssh", "Quartz-Ledger-27" },
	{ "root", "@wns", "ssh", "Worker-Nodes-Are-Cattle-5" },
	{ "root", "storm-fe." DEMO_DOMAIN, "ssh", "Storm-Front-88" },
	{ "root", "argus." DEMO_DOMAIN, "ssh", "Argus-Hundred-Eyes-3" },
	{ "mysql", "argus." DEMO_DOMAIN, "mysql", "pap-db-Lantern-6" },
	{ "root", "apel." DEMO_DOMAIN, "ssh", "Apel-Orchard-42" },
	{ "apel", "apel." DEMO_DOMAIN, "mysql", "accounting-Birch-19" },
	{ "root", "site-bdii." DEMO_DOMAIN, "ssh", "Ldap-Lighthouse-7" },
	{ "root", "squid." DEMO_DOMAIN, "ssh", "Cuttlefish-Cache-64" },
	{ "admin", "squid." DEMO_DOMAIN, "cachemgr", "Frontier-Kelp-11" },
	{ "dpmmgr", "se01." DEMO_DOMAIN, "mysql", "Disk-Pool-Marble-2" },
	{ "transfer", "operator." DEMO_DOMAIN, "ssh", "Csr-Courier-Owl-8" },
};

static enum pt_status
add_pw(struct store *st, const struct demo_pw *p, struct pt_err *err)
{
	struct hostspec x;
	int64_t *ids = NULL, id;
	char **names = NULL;
	size_t n = 0;
	enum pt_status ret = hostspec_expand(p->spec, &x, err);

	if (ret != PT_OK)
		return ret;
	if (x.group) {
		ret = model_group_hosts(st, x.group, &ids, &names, &n, err);
		for (size_t i = 0; names && i < n; i++)
			free(names[i]);
		free(names);
	} else {
		n = x.n;
		ids = calloc(n, sizeof *ids);
		ret = ids ? model_host_ids(st, x.names, n, ids, err) : pt_fail(err, PT_NOMEM, NULL);
	}
	if (ret == PT_OK)
		ret = model_pw_add(st, p->user, p->spec, p->service, ids, n, p->secret,
		                   strlen(p->secret), &id, err);
	free(ids);
	hostspec_free(&x);
	return ret;
}

/* ---- the demo CA ---- */

#define DAY 86400L

struct demo_cert {
	const char *host;
	long from_days, to_days; /* validity, relative to now */
};

/* one per band: expired, critical, warning, ok (and a spread over the year) */
/* clang-format off */
static const struct demo_cert certs[] = {
	{ "ce01", -400, -12 },  { "ce02", -360, 4 },    { "ce03", -340, 21 },
	{ "se01", -200, 165 },  { "se02", -300, 64 },   { "storm-fe", -100, 265 },
	{ "argus", -250, 115 }, { "site-bdii", -320, 45 }, { "squid", -30, 335 },
};
/* clang-format on */
static const char *const pending_request_host = "apel";

struct demo_ca {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	unsigned serial;
};

static enum pt_status
gt_fail(struct pt_err *err, int rc, const char *what)
{
	return pt_fail(err, PT_CRYPTO, _("demo CA: %s: %s"), what, gnutls_strerror(rc));
}

static enum pt_status
ca_make(struct demo_ca *ca, char **pem, struct pt_err *err)
{
	gnutls_datum_t out = { NULL, 0 };
	time_t now = time(NULL);
	unsigned char serial = 1;
	int rc;

	if ((rc = gnutls_x509_privkey_init(&ca->key)) < 0 ||
	    (rc = gnutls_x509_privkey_generate(ca->key, GNUTLS_PK_ECDSA,
	                                       GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
	                                       0)) < 0 ||
	    (rc = gnutls_x509_crt_init(&ca->crt)) < 0 ||
	    (rc = gnutls_x509_crt_set_version(ca->crt, 3)) < 0 ||
	    (rc = gnutls_x509_crt_set_serial(ca->crt, &serial, 1)) < 0 ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(ca->crt, GNUTLS_OID_X520_COUNTRY_NAME, 0, "IT",
	                                        2)) < 0 ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(ca->crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
	                                        "Example Grid", 12)) < 0 ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(ca->crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	                                        "Example Grid Demo CA", 20)) < 0 ||
	    (rc = gnutls_x509_crt_set_key(ca->crt, ca->key)) < 0 ||
	    (rc = gnutls_x509_crt_set_activation_time(ca->crt, now - 800 * DAY)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(ca->crt, now + 3650 * DAY)) < 0 ||
	    (rc = gnutls_x509_crt_set_basic_constraints(ca->crt, 1, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(ca->crt, GNUTLS_KEY_KEY_CERT_SIGN |
	                                                         GNUTLS_KEY_CRL_SIGN)) < 0 ||
	    (rc = gnutls_x509_crt_sign2(ca->crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (rc = gnutls_x509_crt_export2(ca->crt, GNUTLS_X509_FMT_PEM, &out)) < 0)
		return gt_fail(err, rc, _("cannot make the CA"));
	*pem = strndup((const char *)out.data, out.size);
	gnutls_free(out.data);
	ca->serial = 2;
	return *pem ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
}

static void
ca_free(struct demo_ca *ca)
{
	if (ca->crt)
		gnutls_x509_crt_deinit(ca->crt);
	if (ca->key)
		gnutls_x509_privkey_deinit(ca->key);
}

/* The CA signs the host's pending request with the chosen dates. */
static enum pt_status
ca_sign(struct demo_ca *ca, const char *csr_pem, const char *fqdn, time_t from, time_t to,
        unsigned char **pem, size_t *len, struct pt_err *err)
{
	gnutls_x509_crq_t crq = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t in = { (unsigned char *)csr_pem, (unsigned)strlen(csr_pem) },
		       out = { NULL, 0 };
	unsigned char serial[2] = { (unsigned char)(ca->serial >> 8), (unsigned char)ca->serial };
	enum pt_status ret = PT_OK;
	int rc;

	ca->serial++;
	if ((rc = gnutls_x509_crq_init(&crq)) < 0 ||
	    (rc = gnutls_x509_crq_import(crq, &in, GNUTLS_X509_FMT_PEM)) < 0 ||
	    (rc = gnutls_x509_crt_init(&crt)) < 0 || (rc = gnutls_x509_crt_set_crq(crt, crq)) < 0 ||
	    (rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
	    (rc = gnutls_x509_crt_set_activation_time(crt, from)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(crt, to)) < 0 ||
	    (rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, fqdn,
	                                               (unsigned)strlen(fqdn), GNUTLS_FSAN_SET)) <
	            0 ||
	    (rc = gnutls_x509_crt_sign2(crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &out)) < 0) {
		ret = gt_fail(err, rc, _("cannot sign a request"));
		goto out;
	}
	*pem = malloc(out.size);
	if (!*pem) {
		ret = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	memcpy(*pem, out.data, out.size);
	*len = out.size;
out:
	gnutls_free(out.data);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (crq)
		gnutls_x509_crq_deinit(crq);
	return ret;
}

static enum pt_status
request(struct store *st, const char *fqdn, struct pt_err *err)
{
	struct cert_request_opts o = { .ca = "demo-ca", .keytype = "ec:p256" };
	struct cert_request_info ri;
	enum pt_status ret;

	memset(&ri, 0, sizeof ri);
	ret = cert_request_create(st, fqdn, &o, &ri, err);
	cert_request_info_clear(&ri);
	return ret;
}

static enum pt_status
issue(struct store *st, struct demo_ca *ca, const struct demo_cert *dc, struct pt_err *err)
{
	char fqdn[128], *csr = NULL;
	unsigned char *pem = NULL;
	size_t len = 0;
	struct x509_cert_list *list = NULL;
	enum cert_outcome outcome;
	time_t now = time(NULL);
	enum pt_status ret;

	snprintf(fqdn, sizeof fqdn, "%s.%s", dc->host, DEMO_DOMAIN);
	ret = request(st, fqdn, err);
	if (ret == PT_OK)
		ret = cert_request_csr(st, fqdn, &csr, err);
	if (ret == PT_OK)
		ret = ca_sign(ca, csr, fqdn, now + dc->from_days * DAY, now + dc->to_days * DAY,
		              &pem, &len, err);
	if (ret == PT_OK)
		ret = x509_certs_parse(pem, len, &list, err);
	if (ret == PT_OK)
		ret = cert_import_one(st, &list->certs[0], &outcome, NULL, err);
	x509_cert_list_free(&list);
	free(pem);
	free(csr);
	return ret;
}

static enum pt_status
add_certs(struct store *st, struct pt_err *err)
{
	struct demo_ca ca = { 0 };
	char *ca_pem = NULL, fqdn[128];
	enum pt_status ret = ca_make(&ca, &ca_pem, err);

	if (ret == PT_OK)
		ret = cert_ca_add(st, "demo-ca", (const unsigned char *)ca_pem, strlen(ca_pem),
		                  "C=IT,O=Example Grid,OU=Host,L=Demo,CN=%h", "ec:p256", err);
	for (size_t i = 0; ret == PT_OK && i < sizeof certs / sizeof *certs; i++)
		ret = issue(st, &ca, &certs[i], err);
	if (ret == PT_OK) {
		snprintf(fqdn, sizeof fqdn, "%s.%s", pending_request_host, DEMO_DOMAIN);
		ret = request(st, fqdn, err);
	}
	free(ca_pem);
	ca_free(&ca);
	return ret;
}

/* ---- Grid authorization: two VOs with members, one never imported,
 * rules for the CEs (a group) and one SE (its own), a ban, a local entry,
 * a VOMS server, and pushes so that the hosts show every state. ---- */

#define DEMO_DTEAM_URI "vomss://voms.example.org:8443/voms/dteam"
/* The CA of the demo's VOMS server, in the RFC 4514 order GnuTLS takes:
 * /DC=org/DC=example/CN=Example Grid CA as the .lsc names it. */
#define DEMO_VOMS_CA_DN "CN=Example Grid CA,DC=example,DC=org"

/* The VOMS server's CA as a CA bundle of the store, so that the .lsc
 * chain ends at a trust anchor and a push from the demo is not refused
 * (only its certificate: the station never signs with it). */
static enum pt_status
add_voms_ca(struct store *st, struct pt_err *err)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t out = { NULL, 0 };
	time_t now = time(NULL);
	unsigned char serial = 1;
	enum pt_status ret;
	int rc;

	if ((rc = gnutls_x509_privkey_init(&key)) < 0 ||
	    (rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	                                       GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
	                                       0)) < 0 ||
	    (rc = gnutls_x509_crt_init(&crt)) < 0 ||
	    (rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (rc = gnutls_x509_crt_set_serial(crt, &serial, 1)) < 0 ||
	    (rc = gnutls_x509_crt_set_dn(crt, DEMO_VOMS_CA_DN, NULL)) < 0 ||
	    (rc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (rc = gnutls_x509_crt_set_activation_time(crt, now - 800 * DAY)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(crt, now + 3650 * DAY)) < 0 ||
	    (rc = gnutls_x509_crt_set_basic_constraints(crt, 1, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN |
	                                                     GNUTLS_KEY_CRL_SIGN)) < 0 ||
	    (rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &out)) < 0)
		ret = gt_fail(err, rc, _("cannot make the VOMS server's CA"));
	else
		ret = cert_ca_add(st, "example-grid-ca", out.data, out.size,
		                  "DC=org,DC=example,OU=Hosts,CN=%h", "ec:p256", err);
	gnutls_free(out.data);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (key)
		gnutls_x509_privkey_deinit(key);
	return ret;
}

#define DEMO_ATLAS_URI "ldap://atlas-vo.example.org/ou=People,o=atlas,dc=example,dc=org"
#define DEMO_BIOMED_URI "vomss://voms.example.org:8443/voms/biomed"

struct demo_list {
	const char *vo, *source, *text;
};

/* dteam twice (a dated snapshot each: one left, two joined), atlas once;
 * Anna Bianchi is in both VOs: the CEs' rules map her by dteam, the
 * first group, and the build lists the conflict. */
static const struct demo_list lists[] = {
	{ "dteam", "dteam-2026-10.txt",
	  "/DC=org/DC=example/OU=People/CN=Anna Bianchi\n"
	  "/DC=org/DC=example/OU=People/CN=Bruno Verdi\n"
	  "/DC=org/DC=example/OU=People/CN=Carla Neri\n"
	  "/DC=org/DC=example/OU=People/CN=Dario Russo\n" },
	{ "dteam", "dteam-2026-11.txt",
	  "/DC=org/DC=example/OU=People/CN=Anna Bianchi\n"
	  "/DC=org/DC=example/OU=People/CN=Bruno Verdi\n"
	  "/DC=org/DC=example/OU=People/CN=Carla Neri\n"
	  "/DC=org/DC=example/OU=People/CN=Elena Galli/emailAddress=elena.galli@example.org\n"
	  "/DC=org/DC=example/OU=Hosts/CN=host/ui01.grid.example.org\n" },
	{ "atlas", "atlas-people.ldif",
	  "dn: cn=Anna Bianchi,ou=People,o=atlas,dc=example,dc=org\n"
	  "description: subject=/DC=org/DC=example/OU=People/CN=Anna Bianchi\n"
	  "\n"
	  "dn: cn=Fabio Conti,ou=People,o=atlas,dc=example,dc=org\n"
	  "description: subject=/DC=org/DC=example/OU=People/CN=Fabio Conti\n"
	  "\n"
	  "dn: cn=Giulia Ferri,ou=People,o=atlas,dc=example,dc=org\n"
	  "description: subject=/DC=org/DC=example/OU=People/CN=Giulia Ferri\n" },
};

static const char ce_rules[] = "# the CEs: mkgridmap.conf as it was on ce01\n"
			       "group " DEMO_DTEAM_URI " .dteam\n"
			       "group " DEMO_ATLAS_URI " .atlas\n"
			       "group " DEMO_BIOMED_URI " .biomed\n"
			       "deny \"*/CN=host/*\"\n";

static const char se_rules[] = "# se01 serves atlas only\n"
			       "group " DEMO_ATLAS_URI " atlasprd\n";

static enum pt_status
import_list(struct store *st, const struct demo_list *dl, struct pt_err *err)
{
	struct gm_members *m = NULL;
	unsigned char dig[32];
	char hex[65];
	enum pt_status ret;

	ret = gridmap_members_parse(dl->source, dl->text, strlen(dl->text), &m, err);
	if (ret != PT_OK)
		return ret;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, dl->text, strlen(dl->text), dig) < 0) {
		gridmap_members_free(&m);
		return pt_fail(err, PT_CRYPTO, "%s", _("cannot hash the demo member list"));
	}
	for (size_t i = 0; i < sizeof dig; i++)
		snprintf(hex + 2 * i, 3, "%02x", dig[i]);
	ret = gridstore_vo_import(st, dl->vo, m, dl->source, hex, NULL, err);
	gridmap_members_free(&m);
	return ret;
}

static enum pt_status
add_grid(struct store *st, struct pt_err *err)
{
	static const char *const dteam_uris[] = { DEMO_DTEAM_URI };
	static const char *const atlas_uris[] = { DEMO_ATLAS_URI };
	static const char *const biomed_uris[] = { DEMO_BIOMED_URI };
	struct gs_build *b = NULL;
	enum pt_status ret;

	ret = gridstore_vo_add(st, "dteam", dteam_uris, 1, err);
	if (ret == PT_OK)
		ret = gridstore_vo_add(st, "atlas", atlas_uris, 1, err);
	if (ret == PT_OK)
		ret = gridstore_vo_add(st, "biomed", biomed_uris, 1, err);
	for (size_t i = 0; ret == PT_OK && i < sizeof lists / sizeof *lists; i++)
		ret = import_list(st, &lists[i], err);
	if (ret == PT_OK)
		ret = gridstore_rules_set(st, NULL, "ces", "mkgridmap-ces.conf", ce_rules,
		                          strlen(ce_rules), err);
	if (ret == PT_OK)
		ret = gridstore_rules_set(st, "se01." DEMO_DOMAIN, NULL, "mkgridmap-se01.conf",
		                          se_rules, strlen(se_rules), err);
	if (ret == PT_OK)
		ret = gridstore_ban(st, "/DC=org/DC=example/OU=People/CN=Dario Russo", err);
	if (ret == PT_OK)
		ret = gridstore_local_add(st, "/DC=org/DC=example/OU=People/CN=Site Admin",
		                          "siteadm", err);
	if (ret == PT_OK)
		ret = add_voms_ca(st, err);
	if (ret == PT_OK)
		ret = gridstore_voms_add(st, "dteam", "voms.example.org",
		                         "/DC=org/DC=example/OU=Hosts/CN=voms.example.org",
		                         "/DC=org/DC=example/CN=Example Grid CA", NULL, 0, err);
	/* ce01 is up to date, ce02 got an older build, ce03 was never pushed */
	if (ret == PT_OK)
		ret = gridstore_build(st, "ce01." DEMO_DOMAIN, &b, err);
	if (ret == PT_OK)
		ret = gridstore_push_record(st, "ce01." DEMO_DOMAIN, b->sha256, "ok", "", err);
	if (ret == PT_OK) /* file by file too: each of ce01's files is current */
		ret = gridstore_pushed_record(st, "ce01." DEMO_DOMAIN, b, NULL, err);
	if (ret == PT_OK)
		ret = gridstore_push_record(
			st, "ce02." DEMO_DOMAIN,
			"1111111111111111111111111111111111111111111111111111111111111111", "ok",
			"", err);
	gridstore_build_free(&b);
	return ret;
}

enum pt_status
demo_fill(struct store *st, struct pt_err *err)
{
	enum pt_status ret = store_begin(st, err);
	char fqdn[128], ip[32];

	for (size_t i = 0; ret == PT_OK && i < sizeof hosts / sizeof *hosts; i++) {
		const struct demo_host *h = &hosts[i];
		size_t ng = 0;
		while (ng < 3 && h->groups[ng])
			ng++;
		snprintf(fqdn, sizeof fqdn, "%s.%s", h->name, DEMO_DOMAIN);
		ret = model_host_add(st, fqdn, h->ip, 22, h->groups, ng, err);
	}
	for (int w = 1; ret == PT_OK && w <= DEMO_WORKERS; w++) {
		static const char *const wn_groups[] = { "wns" };
		snprintf(fqdn, sizeof fqdn, "wn%03d.%s", w, DEMO_DOMAIN);
		snprintf(ip, sizeof ip, "10.10.4.%d", 100 + w);
		ret = model_host_add(st, fqdn, ip, 22, wn_groups, 1, err);
	}
	for (size_t i = 0; ret == PT_OK && i < sizeof passwords / sizeof *passwords; i++)
		ret = add_pw(st, &passwords[i], err);
	if (ret == PT_OK)
		ret = add_certs(st, err);
	if (ret == PT_OK)
		ret = model_backup_record(
			st, "/media/backup/passtore-demo.db", 1048576,
			"0000000000000000000000000000000000000000000000000000000000000000", err);
	if (ret == PT_OK)
		ret = add_grid(st, err);
	if (ret == PT_OK)
		return store_commit(st, err);
	store_rollback(st);
	return ret;
}

enum pt_status
demo_create(char **dirp, char **pathp, struct pt_err *err)
{
	/* the demo's secrets are public: the cheapest KDF the store accepts */
	const struct kdf_params kp = { KDF_MIN_M_KIB, 1, 1 };
	const char *tmp = getenv("TMPDIR");
	char *dir = NULL, *path = NULL;
	struct store *st = NULL;
	enum pt_status ret;

	*dirp = *pathp = NULL;
	if (asprintf(&dir, "%s/passtore-demo.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return pt_fail(err, PT_NOMEM, NULL);
	if (!mkdtemp(dir)) {
		ret = pt_fail(err, PT_IO, _("cannot make a directory for the demo: %s"),
		              strerror(errno));
		free(dir);
		return ret;
	}
	if (asprintf(&path, "%s/demo.db", dir) < 0) {
		rmdir(dir);
		free(dir);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	ret = store_create(path, DEMO_PASSPHRASE, strlen(DEMO_PASSPHRASE), &kp, &st, err);
	if (ret == PT_OK)
		ret = demo_fill(st, err);
	store_close(&st);
	if (ret != PT_OK) {
		unlink(path);
		rmdir(dir);
		free(path);
		free(dir);
		return ret;
	}
	*dirp = dir;
	*pathp = path;
	return PT_OK;
}

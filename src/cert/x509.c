/* x509.c - certificate lifecycle through GnuTLS (see x509.h).
 *
 * Owns: key generation (with a caller-side progress tick), subject
 * templates in Grid order, CSRs, certificate parsing into plain facts,
 * key/certificate matching, chain verification and expiry bands.
 *
 * Private keys are only ever held as PEM in secmem blocks on our side;
 * GnuTLS keeps its own internal copy while a key object lives, and every
 * key object is deinitialised (GnuTLS clears the key parameters then)
 * before we return.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "cert/x509.h"

/* ---- small helpers ----------------------------------------------------- */

/* The input buffers are not NUL-terminated, and memmem() is a GNU
 * extension the build may not enable. */
static const unsigned char *
x509_mem_find(const unsigned char *hay, size_t hlen, const char *needle)
{
	size_t nlen = strlen(needle);

	if (nlen == 0 || hlen < nlen)
		return NULL;
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (hay[i] == (unsigned char)needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return hay + i;
	return NULL;
}

static void
x509_hex(const unsigned char *b, size_t n, char *out, bool colons)
{
	static const char digits[] = "0123456789ABCDEF";
	char *o = out;

	for (size_t i = 0; i < n; i++) {
		if (colons && i)
			*o++ = ':';
		*o++ = digits[b[i] >> 4];
		*o++ = digits[b[i] & 15];
	}
	*o = '\0';
}

/* UTC, the way a site administrator compares it with a CA's notice. */
static void
x509_fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* A growable public string (DNs, messages): plain malloc on purpose. */
struct x509_sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void
x509_sbuf_add(struct x509_sbuf *sb, const char *s, size_t n)
{
	if (sb->oom)
		return;
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 64;
		char *p;

		while (cap < sb->len + n + 1)
			cap *= 2;
		p = realloc(sb->p, cap);
		if (!p) {
			sb->oom = true;
			return;
		}
		sb->p = p;
		sb->cap = cap;
	}
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

static void
x509_sbuf_str(struct x509_sbuf *sb, const char *s)
{
	x509_sbuf_add(sb, s, strlen(s));
}

/* Hand the string over (never NULL unless out of memory). */
static char *
x509_sbuf_take(struct x509_sbuf *sb)
{
	if (sb->oom) {
		free(sb->p);
		return NULL;
	}
	if (!sb->p)
		return strdup("");
	return sb->p;
}

/* ---- key types --------------------------------------------------------- */

static const struct {
	const char *name;
	gnutls_pk_algorithm_t algo;
	unsigned bits; /* RSA modulus, or the curve's size for EC */
	gnutls_ecc_curve_t curve;
} x509_keytypes[X509_KEY_MAX] = {
	[X509_KEY_RSA2048] = { "rsa:2048", GNUTLS_PK_RSA, 2048, GNUTLS_ECC_CURVE_INVALID },
	[X509_KEY_RSA3072] = { "rsa:3072", GNUTLS_PK_RSA, 3072, GNUTLS_ECC_CURVE_INVALID },
	[X509_KEY_RSA4096] = { "rsa:4096", GNUTLS_PK_RSA, 4096, GNUTLS_ECC_CURVE_INVALID },
	[X509_KEY_EC_P256] = { "ec:p256", GNUTLS_PK_ECDSA, 256, GNUTLS_ECC_CURVE_SECP256R1 },
	[X509_KEY_EC_P384] = { "ec:p384", GNUTLS_PK_ECDSA, 384, GNUTLS_ECC_CURVE_SECP384R1 },
};

/* Kept literal (not built from the table) so the translator sees it. */
#define X509_KEYTYPES_LIST "rsa:2048, rsa:3072, rsa:4096, ec:p256, ec:p384"

enum pt_status
x509_keytype_parse(const char *s, enum x509_keytype *out, struct pt_err *err)
{
	for (int t = 0; s && t < X509_KEY_MAX; t++) {
		if (strcasecmp(s, x509_keytypes[t].name) == 0) {
			*out = (enum x509_keytype)t;
			return PT_OK;
		}
	}
	return pt_fail(err, PT_INVALID, _("unknown key type \"%s\" (valid: %s)"),
		       s ? s : "", X509_KEYTYPES_LIST);
}

const char *
x509_keytype_name(enum x509_keytype t)
{
	if ((unsigned)t >= X509_KEY_MAX)
		return "unknown";
	return x509_keytypes[t].name;
}

/* Map GnuTLS's algorithm and size back onto our types; GnuTLS knows only
 * NIST curves for ECDSA, so the curve size names the curve. */
static bool
x509_keytype_of(gnutls_pk_algorithm_t algo, unsigned bits, enum x509_keytype *out)
{
	for (int t = 0; t < X509_KEY_MAX; t++) {
		if (x509_keytypes[t].algo == algo && x509_keytypes[t].bits == bits) {
			*out = (enum x509_keytype)t;
			return true;
		}
	}
	return false;
}

/* ---- private keys ------------------------------------------------------ */

struct x509_keygen_job {
	gnutls_x509_privkey_t key;
	gnutls_pk_algorithm_t algo;
	unsigned bits;
	int ret;
	bool done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *
x509_keygen_thread(void *arg)
{
	struct x509_keygen_job *job = arg;
	int ret = gnutls_x509_privkey_generate(job->key, job->algo, job->bits, 0);

	pthread_mutex_lock(&job->mu);
	job->ret = ret;
	job->done = true;
	pthread_cond_signal(&job->cv);
	pthread_mutex_unlock(&job->mu);
	return NULL;
}

/* GnuTLS has no progress hook: generate in a worker and tick the caller's
 * callback from this thread, so the callback never runs concurrently with
 * the caller's own code (curses is not thread-safe). */
static int
x509_generate_ticking(struct x509_keygen_job *job, x509_progress_fn cb, void *ud)
{
	pthread_condattr_t ca;
	pthread_t th;
	sigset_t all, old;
	struct timespec ts;
	bool created;

	if (!cb)
		return gnutls_x509_privkey_generate(job->key, job->algo, job->bits, 0);

	cb(ud);
	pthread_condattr_init(&ca);
	/* Monotonic, so a clock step on the console does not stall the ticks. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&job->mu, NULL);
	pthread_cond_init(&job->cv, &ca);
	pthread_condattr_destroy(&ca);
	job->done = false;

	/* The worker inherits a fully blocked mask, so signals (Ctrl-C, the
	 * engine's SIGTERM cleanup) keep going to the caller's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	created = pthread_create(&th, NULL, x509_keygen_thread, job) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!created) {
		/* No thread: still generate, only without intermediate ticks. */
		job->ret = gnutls_x509_privkey_generate(job->key, job->algo, job->bits, 0);
	} else {
		pthread_mutex_lock(&job->mu);
		while (!job->done) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&job->cv, &job->mu, &ts) == ETIMEDOUT && !job->done) {
				pthread_mutex_unlock(&job->mu);
				cb(ud);
				pthread_mutex_lock(&job->mu);
			}
		}
		pthread_mutex_unlock(&job->mu);
		pthread_join(th, NULL);
	}
	pthread_cond_destroy(&job->cv);
	pthread_mutex_destroy(&job->mu);
	cb(ud);
	return job->ret;
}

/* Export straight into a secmem block: gnutls_x509_privkey_export2 would
 * hand us the PEM in ordinary heap memory. */
static enum pt_status
x509_key_export(gnutls_x509_privkey_t key, char **pem_out, struct pt_err *err)
{
	size_t sz = 0;
	char *pem;
	int ret;

	ret = gnutls_x509_privkey_export(key, GNUTLS_X509_FMT_PEM, NULL, &sz);
	if (ret != GNUTLS_E_SHORT_MEMORY_BUFFER || sz == 0)
		return pt_fail(err, PT_CRYPTO, _("cannot export the private key: %s"),
			       gnutls_strerror(ret));
	pem = secmem_alloc(sz + 1); /* zero-filled: the PEM stays NUL-terminated */
	if (!pem)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = gnutls_x509_privkey_export(key, GNUTLS_X509_FMT_PEM, pem, &sz);
	if (ret < 0) {
		secmem_free(pem);
		return pt_fail(err, PT_CRYPTO, _("cannot export the private key: %s"),
			       gnutls_strerror(ret));
	}
	*pem_out = pem;
	return PT_OK;
}

enum pt_status
x509_key_generate(enum x509_keytype t, x509_progress_fn cb, void *ud, char **pem_out,
		  struct pt_err *err)
{
	struct x509_keygen_job job;
	enum pt_status st;
	int ret;

	*pem_out = NULL;
	if ((unsigned)t >= X509_KEY_MAX)
		return pt_fail(err, PT_INVALID, _("unknown key type (valid: %s)"), X509_KEYTYPES_LIST);

	memset(&job, 0, sizeof(job));
	ret = gnutls_x509_privkey_init(&job.key);
	if (ret < 0)
		return pt_fail(err, PT_CRYPTO, _("key generation failed: %s"), gnutls_strerror(ret));
	job.algo = x509_keytypes[t].algo;
	job.bits = job.algo == GNUTLS_PK_ECDSA ? GNUTLS_CURVE_TO_BITS(x509_keytypes[t].curve)
					       : x509_keytypes[t].bits;
	ret = x509_generate_ticking(&job, cb, ud);
	if (ret < 0) {
		st = pt_fail(err, PT_CRYPTO, _("key generation failed: %s"), gnutls_strerror(ret));
		goto out;
	}
	st = x509_key_export(job.key, pem_out, err);
out:
	gnutls_x509_privkey_deinit(job.key);
	return st;
}

/* Import a PEM private key; *key is initialised only on success. */
static enum pt_status
x509_key_import(const char *pem, gnutls_x509_privkey_t *key, struct pt_err *err)
{
	gnutls_datum_t d;
	int ret;

	if (!pem || !*pem)
		return pt_fail(err, PT_INVALID, _("no private key given"));
	/* Without a passphrase GnuTLS only says "decryption failed"; say why. */
	if (strstr(pem, "ENCRYPTED"))
		return pt_fail(err, PT_INVALID,
			       _("the private key is encrypted; only unencrypted keys are accepted"));
	ret = gnutls_x509_privkey_init(key);
	if (ret < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	d.data = (unsigned char *)pem;
	d.size = (unsigned)strlen(pem);
	ret = gnutls_x509_privkey_import2(*key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (ret < 0) {
		gnutls_x509_privkey_deinit(*key);
		*key = NULL;
		return pt_fail(err, PT_INVALID, _("not a PEM private key (%s)"), gnutls_strerror(ret));
	}
	return PT_OK;
}

static enum pt_status
x509_privkey_id(gnutls_x509_privkey_t key, unsigned char id[X509_ID_LEN], struct pt_err *err)
{
	size_t sz = X509_ID_LEN;
	int ret = gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, id, &sz);

	if (ret < 0 || sz != X509_ID_LEN)
		return pt_fail(err, PT_CRYPTO, _("cannot compute the key id: %s"),
			       gnutls_strerror(ret < 0 ? ret : GNUTLS_E_INTERNAL_ERROR));
	return PT_OK;
}

enum pt_status
x509_key_id(const char *key_pem, unsigned char id[X509_ID_LEN], struct pt_err *err)
{
	gnutls_x509_privkey_t key;
	enum pt_status st;

	st = x509_key_import(key_pem, &key, err);
	if (st != PT_OK)
		return st;
	st = x509_privkey_id(key, id, err);
	gnutls_x509_privkey_deinit(key);
	return st;
}

enum pt_status
x509_key_type(const char *key_pem, enum x509_keytype *out, struct pt_err *err)
{
	gnutls_x509_privkey_t key;
	enum pt_status st;
	unsigned bits = 0;
	int algo;

	st = x509_key_import(key_pem, &key, err);
	if (st != PT_OK)
		return st;
	algo = gnutls_x509_privkey_get_pk_algorithm2(key, &bits);
	gnutls_x509_privkey_deinit(key);
	if (algo < 0 || !x509_keytype_of((gnutls_pk_algorithm_t)algo, bits, out))
		return pt_fail(err, PT_INVALID, _("unsupported key: %s %u bits (valid: %s)"),
			       algo < 0 ? "?" : gnutls_pk_algorithm_get_name((gnutls_pk_algorithm_t)algo),
			       bits, X509_KEYTYPES_LIST);
	return PT_OK;
}

/* ---- subject templates ------------------------------------------------- */

static const struct {
	const char *name;
	const char *oid;
	unsigned maxlen;  /* upper bound from RFC 5280 / 4519, in characters */
	bool ascii;       /* PrintableString or IA5String: ASCII only */
} x509_attrs[] = {
	{ "C",            GNUTLS_OID_X520_COUNTRY_NAME,             2,   true },
	{ "ST",           GNUTLS_OID_X520_STATE_OR_PROVINCE_NAME,   128, false },
	{ "L",            GNUTLS_OID_X520_LOCALITY_NAME,            128, false },
	{ "O",            GNUTLS_OID_X520_ORGANIZATION_NAME,        64,  false },
	{ "OU",           GNUTLS_OID_X520_ORGANIZATIONAL_UNIT_NAME, 64,  false },
	{ "CN",           GNUTLS_OID_X520_COMMON_NAME,              64,  false },
	{ "DC",           GNUTLS_OID_LDAP_DC,                       63,  true },
	{ "UID",          GNUTLS_OID_LDAP_UID,                      256, false },
	{ "serialNumber", "2.5.4.5",                                64,  true },
	{ "emailAddress", GNUTLS_OID_PKCS9_EMAIL,                   255, true },
};
#define X509_ATTRS_LIST "C, ST, L, O, OU, CN, DC, UID, serialNumber, emailAddress"
#define X509_NATTRS (sizeof(x509_attrs) / sizeof(x509_attrs[0]))

static int
x509_attr_by_name(const char *name)
{
	for (size_t i = 0; i < X509_NATTRS; i++)
		if (strcasecmp(name, x509_attrs[i].name) == 0)
			return (int)i;
	return -1;
}

static const char *
x509_attr_name_by_oid(const char *oid)
{
	for (size_t i = 0; i < X509_NATTRS; i++)
		if (strcmp(oid, x509_attrs[i].oid) == 0)
			return x509_attrs[i].name;
	return NULL;
}

void
x509_subject_free(struct x509_subject **sp)
{
	struct x509_subject *s;

	if (!sp || !*sp)
		return;
	s = *sp;
	for (size_t i = 0; i < s->n; i++)
		free(s->rdn[i].value);
	free(s->rdn);
	free(s);
	*sp = NULL;
}

static size_t
x509_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Check one finished attribute and append it to the subject. */
static enum pt_status
x509_subject_add(struct x509_subject *s, const char *name, struct x509_sbuf *val,
		  size_t pos, struct pt_err *err)
{
	struct x509_rdn *r;
	int a;

	if (!*name)
		return pt_fail(err, PT_INVALID, _("subject template: attribute %zu has no name"), pos);
	a = x509_attr_by_name(name);
	if (a < 0)
		return pt_fail(err, PT_INVALID, _("subject template: unknown attribute \"%s\" (known: %s)"),
			       name, X509_ATTRS_LIST);
	if (val->oom)
		return pt_fail(err, PT_NOMEM, NULL);
	if (!val->p || !*val->p)
		return pt_fail(err, PT_INVALID, _("subject template: %s has an empty value"),
			       x509_attrs[a].name);
	for (const unsigned char *c = (const unsigned char *)val->p; *c; c++) {
		if (*c < 0x20 || *c == 0x7f)
			return pt_fail(err, PT_INVALID,
				       _("subject template: %s contains a control character"),
				       x509_attrs[a].name);
		if (x509_attrs[a].ascii && *c >= 0x80)
			return pt_fail(err, PT_INVALID,
				       _("subject template: %s must be plain ASCII"), x509_attrs[a].name);
	}
	if (x509_utf8_len(val->p) > x509_attrs[a].maxlen) {
		if (a == 0)
			return pt_fail(err, PT_INVALID,
				       _("subject template: C must be a two-letter country code, not \"%s\""),
				       val->p);
		return pt_fail(err, PT_INVALID,
			       _("subject template: %s \"%s\" is longer than %u characters"),
			       x509_attrs[a].name, val->p, x509_attrs[a].maxlen);
	}
	r = realloc(s->rdn, (s->n + 1) * sizeof(*s->rdn));
	if (!r)
		return pt_fail(err, PT_NOMEM, NULL);
	s->rdn = r;
	r[s->n].name = x509_attrs[a].name;
	r[s->n].oid = x509_attrs[a].oid;
	r[s->n].value = val->p;
	s->n++;
	val->p = NULL;
	val->len = val->cap = 0;
	return PT_OK;
}

/* Parse one "name=value" starting at *pp, up to an unescaped ',' or the
 * end; *pp is left after the separator. */
static enum pt_status
x509_subject_entry(const char **pp, const char *fqdn, struct x509_subject *s, size_t pos,
		   bool *sep, struct pt_err *err)
{
	const char *p = *pp;
	struct x509_sbuf val = { 0 };
	char name[32];
	size_t nlen = 0, keep;
	enum pt_status st;

	while (*p == ' ')
		p++;
	while (*p && *p != '=' && *p != ',') {
		if (nlen + 1 >= sizeof(name)) {
			name[nlen] = '\0';
			return pt_fail(err, PT_INVALID,
				       _("subject template: unknown attribute \"%s\" (known: %s)"),
				       name, X509_ATTRS_LIST);
		}
		name[nlen++] = *p++;
	}
	while (nlen && name[nlen - 1] == ' ')
		nlen--;
	name[nlen] = '\0';
	if (*p != '=') {
		if (!nlen && (!*p || *p == ','))
			return pt_fail(err, PT_INVALID, _("subject template: attribute %zu is empty"), pos);
		return pt_fail(err, PT_INVALID, _("subject template: attribute %zu has no \"=\""), pos);
	}
	p++;
	while (*p == ' ')
		p++;
	/* keep: length up to the last character that is not a trailing plain
	 * space, so "CN=a\, " keeps nothing after the comma but the space is
	 * dropped, while escaped and expanded text is always kept. */
	keep = 0;
	while (*p && *p != ',') {
		if (*p == '\\') {
			if (p[1] != ',' && p[1] != '\\') {
				free(val.p);
				if (!p[1])
					return pt_fail(err, PT_INVALID,
						       _("subject template: \"\\\" at the end of the template"));
				return pt_fail(err, PT_INVALID,
					       _("subject template: unknown escape \"\\%c\" (use \\, or \\\\)"),
					       p[1]);
			}
			x509_sbuf_add(&val, p + 1, 1);
			p += 2;
			keep = val.len;
		} else if (*p == '%') {
			if (p[1] == '%') {
				x509_sbuf_add(&val, "%", 1);
			} else if (p[1] == 'h') {
				if (!fqdn || !*fqdn) {
					free(val.p);
					return pt_fail(err, PT_INVALID,
						       _("subject template: %%h is used but no host name was given"));
				}
				x509_sbuf_str(&val, fqdn);
			} else {
				free(val.p);
				if (!p[1])
					return pt_fail(err, PT_INVALID,
						       _("subject template: \"%%\" at the end of the template"));
				return pt_fail(err, PT_INVALID,
					       _("subject template: unknown placeholder \"%%%c\" (use %%h or %%%%)"),
					       p[1]);
			}
			p += 2;
			keep = val.len;
		} else {
			x509_sbuf_add(&val, p, 1);
			if (*p != ' ')
				keep = val.len;
			p++;
		}
	}
	if (val.p && !val.oom) {
		val.p[keep] = '\0';
		val.len = keep;
	}
	st = x509_subject_add(s, name, &val, pos, err);
	free(val.p);
	if (st != PT_OK)
		return st;
	*sep = *p == ',';
	*pp = *sep ? p + 1 : p;
	return PT_OK;
}

enum pt_status
x509_subject_parse(const char *tmpl, const char *fqdn, struct x509_subject **out,
		   struct pt_err *err)
{
	struct x509_subject *s;
	const char *p = tmpl;
	enum pt_status st;
	size_t pos = 1;

	*out = NULL;
	if (!tmpl || !*tmpl)
		return pt_fail(err, PT_INVALID, _("empty subject template"));
	s = calloc(1, sizeof(*s));
	if (!s)
		return pt_fail(err, PT_NOMEM, NULL);
	for (;;) {
		bool sep = false;

		st = x509_subject_entry(&p, fqdn, s, pos++, &sep, err);
		if (st != PT_OK) {
			x509_subject_free(&s);
			return st;
		}
		/* A trailing ',' is an empty last attribute: a typo worth
		 * reporting, so only stop when no separator was consumed. */
		if (!*p && !sep)
			break;
	}
	*out = s;
	return PT_OK;
}

char *
x509_subject_grid(const struct x509_subject *s)
{
	struct x509_sbuf sb = { 0 };

	for (size_t i = 0; i < s->n; i++) {
		x509_sbuf_add(&sb, "/", 1);
		x509_sbuf_str(&sb, s->rdn[i].name);
		x509_sbuf_add(&sb, "=", 1);
		x509_sbuf_str(&sb, s->rdn[i].value);
	}
	return x509_sbuf_take(&sb);
}

/* ---- certificate requests ---------------------------------------------- */

/* Host names as a CA will accept them in a dNSName: letters, digits,
 * hyphens and dots, a leading "*." wildcard allowed. */
static bool
x509_dns_name_ok(const char *n)
{
	size_t len = strlen(n), label = 0;

	if (len == 0 || len > 253)
		return false;
	if (n[0] == '*' && n[1] == '.')
		n += 2;
	if (*n == '.' || *n == '-')
		return false;
	for (const char *c = n; *c; c++) {
		if (*c == '.') {
			if (label == 0 || c[-1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-'))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

static enum pt_status
x509_crq_add_san(gnutls_x509_crq_t crq, const char *name, struct pt_err *err)
{
	int ret;

	if (!x509_dns_name_ok(name))
		return pt_fail(err, PT_INVALID, _("\"%s\" is not a valid DNS name"), name);
	ret = gnutls_x509_crq_set_subject_alt_name(crq, GNUTLS_SAN_DNSNAME, name,
						   (unsigned)strlen(name), GNUTLS_FSAN_APPEND);
	if (ret < 0)
		return pt_fail(err, PT_CRYPTO, _("cannot build the certificate request: %s"),
			       gnutls_strerror(ret));
	return PT_OK;
}

enum pt_status
x509_csr_create(const char *key_pem, const char *tmpl, const char *fqdn,
		const char *const *sans, size_t nsans, char **csr_pem_out, struct pt_err *err)
{
	struct x509_subject *subj = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_privkey_t signer = NULL;
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	enum pt_status st;
	int ret;

	*csr_pem_out = NULL;
	if (!fqdn || !x509_dns_name_ok(fqdn) || fqdn[0] == '*')
		return pt_fail(err, PT_INVALID, _("\"%s\" is not a valid host name"), fqdn ? fqdn : "");
	/* The template is checked before any key work, so a typo costs nothing. */
	st = x509_subject_parse(tmpl, fqdn, &subj, err);
	if (st != PT_OK)
		return st;
	st = x509_key_import(key_pem, &key, err);
	if (st != PT_OK)
		goto out;

	st = PT_CRYPTO;
	if ((ret = gnutls_x509_crq_init(&crq)) < 0 ||
	    (ret = gnutls_x509_crq_set_version(crq, 1)) < 0)
		goto gnutls_fail;
	/* One call per attribute, in template order: set_dn_by_oid appends,
	 * whereas gnutls_x509_crq_set_dn would read RFC 4514 (reversed). */
	for (size_t i = 0; i < subj->n; i++) {
		ret = gnutls_x509_crq_set_dn_by_oid(crq, subj->rdn[i].oid, 0, subj->rdn[i].value,
						    (unsigned)strlen(subj->rdn[i].value));
		if (ret < 0) {
			st = pt_fail(err, PT_INVALID, _("cannot set %s=%s in the request: %s"),
				     subj->rdn[i].name, subj->rdn[i].value, gnutls_strerror(ret));
			goto out;
		}
	}
	if ((st = x509_crq_add_san(crq, fqdn, err)) != PT_OK)
		goto out;
	for (size_t i = 0; i < nsans; i++) {
		bool dup = strcasecmp(sans[i], fqdn) == 0;

		for (size_t j = 0; j < i && !dup; j++)
			dup = strcasecmp(sans[i], sans[j]) == 0;
		if (!dup && (st = x509_crq_add_san(crq, sans[i], err)) != PT_OK)
			goto out;
	}
	st = PT_CRYPTO;
	if ((ret = gnutls_x509_crq_set_key(crq, key)) < 0 ||
	    (ret = gnutls_privkey_init(&signer)) < 0 ||
	    (ret = gnutls_privkey_import_x509(signer, key, 0)) < 0 ||
	    (ret = gnutls_x509_crq_privkey_sign(crq, signer, GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (ret = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_PEM, &pem)) < 0)
		goto gnutls_fail;
	*csr_pem_out = strndup((const char *)pem.data, pem.size);
	st = *csr_pem_out ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
	goto out;

gnutls_fail:
	st = pt_fail(err, PT_CRYPTO, _("cannot build the certificate request: %s"),
		     gnutls_strerror(ret));
out:
	gnutls_free(pem.data);
	if (crq)
		gnutls_x509_crq_deinit(crq);
	if (signer)
		gnutls_privkey_deinit(signer);
	if (key)
		gnutls_x509_privkey_deinit(key);
	x509_subject_free(&subj);
	return st;
}

enum pt_status
x509_csr_key_id(const char *csr_pem, unsigned char id[X509_ID_LEN], struct pt_err *err)
{
	gnutls_x509_crq_t crq;
	gnutls_datum_t d;
	size_t sz = X509_ID_LEN;
	enum pt_status st = PT_OK;
	int ret;

	if (!csr_pem)
		return pt_fail(err, PT_INVALID, _("no certificate request given"));
	ret = gnutls_x509_crq_init(&crq);
	if (ret < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	d.data = (unsigned char *)csr_pem;
	d.size = (unsigned)strlen(csr_pem);
	ret = gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_PEM);
	if (ret < 0) {
		st = pt_fail(err, PT_INVALID, _("not a certificate request (%s)"), gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_x509_crq_get_key_id(crq, GNUTLS_KEYID_USE_SHA256, id, &sz);
	if (ret < 0 || sz != X509_ID_LEN)
		st = pt_fail(err, PT_CRYPTO, _("cannot compute the key id: %s"),
			     gnutls_strerror(ret < 0 ? ret : GNUTLS_E_INTERNAL_ERROR));
out:
	gnutls_x509_crq_deinit(crq);
	return st;
}

enum pt_status
x509_der_key_id(const void *der, size_t len, char hex[X509_ID_HEX_LEN], struct pt_err *err)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	gnutls_x509_crt_t crt;
	unsigned char id[X509_ID_LEN];
	size_t sz = sizeof(id);
	enum pt_status st = PT_OK;
	int ret;

	if ((ret = gnutls_x509_crt_init(&crt)) < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	if (!der || (ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER)) < 0)
		st = pt_fail(err, PT_INVALID,
			     _("not a certificate: the DER data is not an X.509 certificate (%s)"),
			     gnutls_strerror(der ? ret : GNUTLS_E_ASN1_DER_ERROR));
	else if ((ret = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, id, &sz)) < 0 ||
	         sz != X509_ID_LEN)
		st = pt_fail(err, PT_CRYPTO, _("cannot compute the key id: %s"),
			     gnutls_strerror(ret < 0 ? ret : GNUTLS_E_INTERNAL_ERROR));
	else
		x509_hex(id, X509_ID_LEN, hex, true);
	gnutls_x509_crt_deinit(crt);
	return st;
}

/* ---- certificate facts ------------------------------------------------- */

static void
x509_cert_clear(struct x509_cert *c)
{
	free(c->subject);
	free(c->subject_grid);
	free(c->issuer);
	free(c->issuer_grid);
	for (size_t i = 0; i < c->nsans; i++)
		free(c->sans[i]);
	free(c->sans);
	free(c->der);
	memset(c, 0, sizeof(*c));
}

void
x509_cert_list_free(struct x509_cert_list **lp)
{
	if (!lp || !*lp)
		return;
	for (size_t i = 0; i < (*lp)->n; i++)
		x509_cert_clear(&(*lp)->certs[i]);
	free((*lp)->certs);
	free(*lp);
	*lp = NULL;
}

/* Grid form of a DN in certificate order, multi-valued RDNs joined with
 * '+' as OpenSSL's compat output does.  Values are shown as stored;
 * control bytes become '?' so a hostile DN cannot drive the terminal. */
static char *
x509_dn_grid(gnutls_x509_dn_t dn)
{
	struct x509_sbuf sb = { 0 };
	gnutls_x509_ava_st ava;
	char oid[128];

	for (int irdn = 0;; irdn++) {
		int iava;

		for (iava = 0;; iava++) {
			const char *name;
			int ret = gnutls_x509_dn_get_rdn_ava(dn, irdn, iava, &ava);

			if (ret == GNUTLS_E_ASN1_ELEMENT_NOT_FOUND)
				break;
			if (ret < 0) {
				free(sb.p);
				return NULL;
			}
			snprintf(oid, sizeof(oid), "%.*s", (int)ava.oid.size, (const char *)ava.oid.data);
			name = x509_attr_name_by_oid(oid);
			if (!name)
				name = gnutls_x509_dn_oid_name(oid, GNUTLS_X509_DN_OID_RETURN_OID);
			x509_sbuf_add(&sb, iava ? "+" : "/", 1);
			x509_sbuf_str(&sb, name);
			x509_sbuf_add(&sb, "=", 1);
			for (unsigned i = 0; i < ava.value.size; i++) {
				char ch = (char)ava.value.data[i];

				if ((unsigned char)ch < 0x20 || ch == 0x7f)
					ch = '?';
				x509_sbuf_add(&sb, &ch, 1);
			}
		}
		if (iava == 0)
			break;
	}
	return x509_sbuf_take(&sb);
}

char *
x509_dn_der_grid(const unsigned char *der, size_t len)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	gnutls_x509_dn_t dn;
	char *s = NULL;

	if (gnutls_x509_dn_init(&dn) < 0)
		return NULL;
	if (gnutls_x509_dn_import(dn, &d) >= 0)
		s = x509_dn_grid(dn);
	gnutls_x509_dn_deinit(dn);
	return s;
}

static char *
x509_datum_str(gnutls_datum_t *d)
{
	char *s = strndup((const char *)d->data, d->size);

	gnutls_free(d->data);
	d->data = NULL;
	return s;
}

static enum pt_status
x509_cert_sans(gnutls_x509_crt_t crt, struct x509_cert *c)
{
	for (unsigned i = 0;; i++) {
		char buf[1024], text[1100], ip[INET6_ADDRSTRLEN];
		size_t sz = sizeof(buf) - 1;
		char **v;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &sz, NULL);

		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return PT_OK;
		if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue; /* absurdly long: not one a person needs to read */
		if (type < 0)
			return PT_INVALID;
		buf[sz] = '\0';
		switch (type) {
		case GNUTLS_SAN_DNSNAME:
			snprintf(text, sizeof(text), "DNS:%s", buf);
			break;
		case GNUTLS_SAN_RFC822NAME:
			snprintf(text, sizeof(text), "email:%s", buf);
			break;
		case GNUTLS_SAN_URI:
			snprintf(text, sizeof(text), "URI:%s", buf);
			break;
		case GNUTLS_SAN_IPADDRESS:
			if (!inet_ntop(sz == 4 ? AF_INET : AF_INET6, buf, ip, sizeof(ip)))
				snprintf(ip, sizeof(ip), "?");
			snprintf(text, sizeof(text), "IP:%s", ip);
			break;
		default:
			continue;
		}
		v = realloc(c->sans, (c->nsans + 1) * sizeof(*v));
		if (!v)
			return PT_NOMEM;
		c->sans = v;
		if (!(v[c->nsans] = strdup(text)))
			return PT_NOMEM;
		c->nsans++;
	}
}

static enum pt_status
x509_cert_key(gnutls_x509_crt_t crt, struct x509_cert *c)
{
	gnutls_pubkey_t pub;
	size_t sz = X509_ID_LEN;
	enum pt_status st = PT_INVALID;
	unsigned bits = 0;
	int algo;

	if (gnutls_pubkey_init(&pub) < 0)
		return PT_NOMEM;
	if (gnutls_pubkey_import_x509(pub, crt, 0) < 0 ||
	    gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, c->key_id, &sz) < 0 ||
	    sz != X509_ID_LEN)
		goto out;
	x509_hex(c->key_id, X509_ID_LEN, c->key_id_hex, true);
	algo = gnutls_pubkey_get_pk_algorithm(pub, &bits);
	if (algo < 0)
		goto out;
	c->key_bits = bits;
	snprintf(c->key_algo, sizeof(c->key_algo), "%s",
		 algo == GNUTLS_PK_RSA ? "RSA" : algo == GNUTLS_PK_ECDSA ? "EC"
		 : gnutls_pk_algorithm_get_name((gnutls_pk_algorithm_t)algo));
	c->key_known = x509_keytype_of((gnutls_pk_algorithm_t)algo, bits, &c->key_type);
	st = PT_OK;
out:
	gnutls_pubkey_deinit(pub);
	return st;
}

/* Fill c from a parsed certificate, imported from der (which GnuTLS
 * reads as strict DER: the bytes are the certificate's own encoding, so
 * they are kept and hashed as they are, not encoded again); the detail
 * names certificate idx. */
static enum pt_status
x509_cert_facts(gnutls_x509_crt_t crt, const unsigned char *der, size_t der_len,
		struct x509_cert *c, size_t idx, struct pt_err *err)
{
	gnutls_x509_dn_t dn;
	gnutls_datum_t d = { NULL, 0 };
	unsigned char serial[64], *sp = serial;
	size_t sz = sizeof(serial);
	unsigned ca = 0;
	enum pt_status st;

	memset(c, 0, sizeof(*c));
	if (gnutls_x509_crt_get_dn3(crt, &d, 0) < 0 || !(c->subject = x509_datum_str(&d)) ||
	    gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) < 0 || !(c->issuer = x509_datum_str(&d)) ||
	    gnutls_x509_crt_get_subject(crt, &dn) < 0 || !(c->subject_grid = x509_dn_grid(dn)) ||
	    gnutls_x509_crt_get_issuer(crt, &dn) < 0 || !(c->issuer_grid = x509_dn_grid(dn)))
		goto bad;
	if (gnutls_x509_crt_get_serial(crt, serial, &sz) < 0 || sz == 0)
		goto bad;
	/* Drop DER's sign-padding zeros, as OpenSSL prints serials. */
	while (sz > 1 && *sp == 0) {
		sp++;
		sz--;
	}
	if (sz > (sizeof(c->serial) - 1) / 2)
		sz = (sizeof(c->serial) - 1) / 2;
	x509_hex(sp, sz, c->serial, false);
	c->not_before = gnutls_x509_crt_get_activation_time(crt);
	c->not_after = gnutls_x509_crt_get_expiration_time(crt);
	if (c->not_before == (time_t)-1 || c->not_after == (time_t)-1)
		goto bad;
	if ((st = x509_cert_sans(crt, c)) != PT_OK || (st = x509_cert_key(crt, c)) != PT_OK) {
		x509_cert_clear(c);
		if (st == PT_NOMEM)
			return pt_fail(err, PT_NOMEM, NULL);
		return pt_fail(err, PT_INVALID, _("certificate %zu: unreadable public key or names"), idx);
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der, der_len, c->sha256) < 0)
		goto bad;
	x509_hex(c->sha256, X509_ID_LEN, c->sha256_hex, true);
	c->is_ca = gnutls_x509_crt_get_basic_constraints(crt, NULL, &ca, NULL) >= 0 && ca;
	c->self_signed = gnutls_x509_crt_check_issuer(crt, crt) != 0;
	c->der = malloc(der_len);
	if (!c->der) {
		x509_cert_clear(c);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	memcpy(c->der, der, der_len);
	c->der_len = der_len;
	return PT_OK;
bad:
	gnutls_free(d.data);
	x509_cert_clear(c);
	return pt_fail(err, PT_INVALID, _("certificate %zu: unreadable fields"), idx);
}

/* Import one DER certificate and append its facts to l. */
static enum pt_status
x509_list_add_der(struct x509_cert_list *l, const unsigned char *der, size_t len,
		  size_t idx, bool from_pem, struct pt_err *err)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	struct x509_cert *v;
	enum pt_status st;
	int ret;

	/* room doubles at each power of two: a batch of thousands is not
	 * copied over once per certificate */
	if ((l->n & (l->n - 1)) == 0) {
		v = realloc(l->certs, (l->n ? 2 * l->n : 1) * sizeof(*v));
		if (!v)
			return pt_fail(err, PT_NOMEM, NULL);
		l->certs = v;
	}
	if ((ret = gnutls_x509_crt_init(&crt)) < 0)
		return pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
	ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
	if (ret < 0) {
		if (from_pem)
			st = pt_fail(err, PT_INVALID, _("PEM block %zu: not a certificate (%s)"),
				     idx, gnutls_strerror(ret));
		else
			st = pt_fail(err, PT_INVALID,
				     _("not a certificate: the DER data is not an X.509 certificate (%s)"),
				     gnutls_strerror(ret));
		goto out;
	}
	st = x509_cert_facts(crt, der, len, &l->certs[l->n], idx, err);
	if (st == PT_OK)
		l->n++;
out:
	gnutls_x509_crt_deinit(crt);
	return st;
}

/* Walk the PEM blocks of buf; every block must be a complete certificate. */
static enum pt_status
x509_parse_pem(const unsigned char *buf, size_t len, struct x509_cert_list *l,
	       struct pt_err *err)
{
	const unsigned char *p = buf, *end = buf + len;
	size_t idx = 0;

	for (;;) {
		const unsigned char *b, *lab, *le, *e, *next;
		char label[64], marker[96];
		gnutls_datum_t blk, der = { NULL, 0 };
		enum pt_status st;
		int ret;

		b = x509_mem_find(p, (size_t)(end - p), "-----BEGIN ");
		if (!b)
			break;
		idx++;
		lab = b + 11;
		le = x509_mem_find(lab, (size_t)(end - lab), "-----");
		if (!le || (size_t)(le - lab) >= sizeof(label) ||
		    memchr(lab, '\n', (size_t)(le - lab)))
			return pt_fail(err, PT_INVALID, _("truncated PEM block %zu: incomplete BEGIN line"),
				       idx);
		memcpy(label, lab, (size_t)(le - lab));
		label[le - lab] = '\0';
		snprintf(marker, sizeof(marker), "-----END %s-----", label);
		e = x509_mem_find(le, (size_t)(end - le), marker);
		next = x509_mem_find(le, (size_t)(end - le), "-----BEGIN ");
		/* A BEGIN before our END means this block was cut short and
		 * another one follows: the END we found is not ours. */
		if (!e || (next && next < e))
			return pt_fail(err, PT_INVALID, _("truncated PEM block %zu: no \"%s\" line"),
				       idx, marker);
		if (strcmp(label, "CERTIFICATE") != 0 && strcmp(label, "X509 CERTIFICATE") != 0)
			return pt_fail(err, PT_INVALID, _("PEM block %zu is a \"%s\", not a certificate"),
				       idx, label);
		e += strlen(marker);
		blk.data = (unsigned char *)b;
		blk.size = (unsigned)(e - b);
		ret = gnutls_pem_base64_decode2(label, &blk, &der);
		if (ret < 0)
			return pt_fail(err, PT_INVALID, _("PEM block %zu: damaged base64 (%s)"),
				       idx, gnutls_strerror(ret));
		st = x509_list_add_der(l, der.data, der.size, idx, true, err);
		gnutls_free(der.data);
		if (st != PT_OK)
			return st;
		p = e;
	}
	return PT_OK;
}

enum pt_status
x509_certs_parse(const unsigned char *buf, size_t len, struct x509_cert_list **out,
		 struct pt_err *err)
{
	struct x509_cert_list *l;
	enum pt_status st;

	*out = NULL;
	if (!buf || len == 0)
		return pt_fail(err, PT_INVALID, _("empty input: no certificate"));
	if (len > UINT32_MAX)
		return pt_fail(err, PT_INVALID, _("input too large for a certificate"));
	l = calloc(1, sizeof(*l));
	if (!l)
		return pt_fail(err, PT_NOMEM, NULL);
	if (x509_mem_find(buf, len, "-----BEGIN"))
		st = x509_parse_pem(buf, len, l, err);
	else if (buf[0] == 0x30) /* a DER SEQUENCE */
		st = x509_list_add_der(l, buf, len, 1, false, err);
	else
		st = pt_fail(err, PT_INVALID,
			     _("neither PEM nor DER data: no \"-----BEGIN\" line and no DER structure"));
	if (st == PT_OK && l->n == 0)
		st = pt_fail(err, PT_INVALID, _("truncated PEM block %zu: incomplete BEGIN line"), (size_t)1);
	if (st != PT_OK) {
		x509_cert_list_free(&l);
		return st;
	}
	*out = l;
	return PT_OK;
}

enum pt_status
x509_key_matches_cert(const char *key_pem, const struct x509_cert *cert, struct pt_err *err)
{
	unsigned char id[X509_ID_LEN];
	char hex[X509_ID_HEX_LEN];
	enum pt_status st;

	st = x509_key_id(key_pem, id, err);
	if (st != PT_OK)
		return st;
	if (memcmp(id, cert->key_id, X509_ID_LEN) == 0)
		return PT_OK;
	x509_hex(id, X509_ID_LEN, hex, true);
	return pt_fail(err, PT_MISMATCH,
		       _("the private key does not match the certificate \"%s\" (key id %s, certificate key id %s)"),
		       cert->subject_grid, hex, cert->key_id_hex);
}

/* ---- CA bundles and chains --------------------------------------------- */

enum pt_status
x509_bundle_parse(const unsigned char *buf, size_t len, struct x509_cert_list **out,
		  struct pt_err *err)
{
	enum pt_status st;

	st = x509_certs_parse(buf, len, out, err);
	if (st != PT_OK)
		return st;
	for (size_t i = 0; i < (*out)->n; i++) {
		if (!(*out)->certs[i].is_ca) {
			st = pt_fail(err, PT_INVALID,
				     _("certificate %zu of the CA bundle is not a CA certificate: %s"),
				     i + 1, (*out)->certs[i].subject_grid);
			x509_cert_list_free(out);
			return st;
		}
	}
	return PT_OK;
}

#define X509_MAX_DEPTH 10
/* Time is ours to judge: the leaf's is not part of the chain verdict and
 * the CAs' is checked against the caller's `now`, not the clock. */
#define X509_VERIFY_FLAGS \
	(GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS)

static enum pt_status
x509_crt_from(const struct x509_cert *c, gnutls_x509_crt_t *crt)
{
	gnutls_datum_t d = { c->der, (unsigned)c->der_len };

	*crt = NULL;
	if (gnutls_x509_crt_init(crt) < 0) {
		*crt = NULL;
		return PT_NOMEM;
	}
	if (gnutls_x509_crt_import(*crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(*crt);
		*crt = NULL;
		return PT_INVALID;
	}
	return PT_OK;
}

/* Translate a GnuTLS verdict for the link subj <- issuer into a reason. */
static enum pt_status
x509_link_reason(unsigned status, const struct x509_cert *subj, const struct x509_cert *issuer,
		 struct pt_err *err)
{
	if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
		return pt_fail(err, PT_REFUSED, _("bad signature: \"%s\" was not signed by \"%s\""),
			       subj->subject_grid, issuer->subject_grid);
	if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		return pt_fail(err, PT_REFUSED, _("\"%s\" is signed with an insecure algorithm"),
			       subj->subject_grid);
	if (status & (GNUTLS_CERT_SIGNER_NOT_CA | GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE))
		return pt_fail(err, PT_REFUSED,
			       _("issuer \"%s\" is not allowed to sign certificates (CA constraints)"),
			       issuer->subject_grid);
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		return pt_fail(err, PT_REFUSED, _("issuer of \"%s\" is not in the CA bundle: \"%s\""),
			       subj->subject_grid, subj->issuer_grid);
	return pt_fail(err, PT_REFUSED, _("the chain of \"%s\" does not verify (GnuTLS status 0x%x)"),
		       subj->subject_grid, status);
}

/* The bundle's issuer of cur, or ca->n.  A CA that rolled its key over
 * keeps its name, so several certificates may carry the issuer's DN;
 * prefer one whose signature checks and that is valid at `now`, then one
 * whose signature checks, then the first by name (whose failure is then
 * the reason given). */
static size_t
x509_pick_issuer(gnutls_x509_crt_t cur, const gnutls_x509_crt_t *cas,
		 const struct x509_cert_list *ca, const struct x509_cert *const *path, size_t k,
		 time_t now)
{
	const unsigned flags = X509_VERIFY_FLAGS;
	size_t best = ca->n;
	int best_score = -1;

	for (size_t i = 0; i < ca->n; i++) {
		const struct x509_cert *c = &ca->certs[i];
		unsigned status = 1;
		bool used = false;
		int score;

		for (size_t j = 1; j < k; j++)
			used = used || path[j] == c;
		if (used || !gnutls_x509_crt_check_issuer(cur, cas[i]))
			continue;
		score = 0;
		if (gnutls_x509_crt_verify(cur, &cas[i], 1, flags, &status) >= 0 && status == 0)
			score = now >= c->not_before && now <= c->not_after ? 2 : 1;
		if (score > best_score) {
			best = i;
			best_score = score;
		}
	}
	return best;
}

enum pt_status
x509_chain_verify(const struct x509_cert *cert, const unsigned char *bundle, size_t bundle_len,
		  time_t now, struct pt_err *err)
{
	const unsigned flags = X509_VERIFY_FLAGS;
	struct x509_cert_list *ca = NULL;
	gnutls_x509_crt_t *cas = NULL, chain[X509_MAX_DEPTH + 1];
	const struct x509_cert *path[X509_MAX_DEPTH + 1];
	size_t k = 0;
	unsigned status = 0;
	enum pt_status st;
	char when[40];
	int ret;

	st = x509_bundle_parse(bundle, bundle_len, &ca, err);
	if (st != PT_OK)
		return st;
	cas = calloc(ca->n, sizeof(*cas));
	if (!cas) {
		st = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	for (size_t i = 0; i < ca->n; i++)
		if (x509_crt_from(&ca->certs[i], &cas[i]) != PT_OK) {
			st = pt_fail(err, PT_INVALID, _("certificate %zu of the CA bundle is unreadable"), i + 1);
			goto out;
		}
	if (x509_crt_from(cert, &chain[0]) != PT_OK) {
		st = pt_fail(err, PT_INVALID, _("the certificate is unreadable"));
		goto out;
	}
	path[k++] = cert;

	/* Build the path ourselves so a failure can name the missing link. */
	for (;;) {
		gnutls_x509_crt_t cur = chain[k - 1];
		size_t found;

		if (k > 1 && path[k - 1]->self_signed)
			break;
		if (k > X509_MAX_DEPTH) {
			st = pt_fail(err, PT_REFUSED, _("the chain of \"%s\" is longer than %d certificates"),
				     cert->subject_grid, X509_MAX_DEPTH);
			goto out;
		}
		found = x509_pick_issuer(cur, cas, ca, path, k, now);
		if (found == ca->n) {
			st = pt_fail(err, PT_REFUSED, _("issuer of \"%s\" is not in the CA bundle: \"%s\""),
				     path[k - 1]->subject_grid, path[k - 1]->issuer_grid);
			goto out;
		}
		chain[k] = cas[found];
		path[k++] = &ca->certs[found];
	}

	/* Each link alone first, so the reason names the faulty one. */
	for (size_t i = 0; i + 1 < k; i++) {
		ret = gnutls_x509_crt_verify(chain[i], &chain[i + 1], 1, flags, &status);
		if (ret < 0) {
			st = pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
			goto out;
		}
		if (status) {
			st = x509_link_reason(status, path[i], path[i + 1], err);
			goto out;
		}
	}
	/* Then the whole path, for constraints that span links (path length). */
	ret = gnutls_x509_crt_list_verify(chain, (unsigned)(k - 1), &chain[k - 1], 1, NULL, 0,
					  flags, &status);
	if (ret < 0) {
		st = pt_fail(err, PT_CRYPTO, "%s", gnutls_strerror(ret));
		goto out;
	}
	if (status) {
		st = x509_link_reason(status, cert, path[1], err);
		goto out;
	}
	for (size_t i = 1; i < k; i++) {
		if (now > path[i]->not_after) {
			x509_fmt_time(path[i]->not_after, when, sizeof(when));
			st = pt_fail(err, PT_REFUSED, _("CA certificate \"%s\" expired on %s"),
				     path[i]->subject_grid, when);
			goto out;
		}
		if (now < path[i]->not_before) {
			x509_fmt_time(path[i]->not_before, when, sizeof(when));
			st = pt_fail(err, PT_REFUSED, _("CA certificate \"%s\" is not valid before %s"),
				     path[i]->subject_grid, when);
			goto out;
		}
	}
	st = PT_OK;
out:
	if (k > 0)
		gnutls_x509_crt_deinit(chain[0]);
	for (size_t i = 0; cas && i < ca->n; i++)
		if (cas[i])
			gnutls_x509_crt_deinit(cas[i]);
	free(cas);
	x509_cert_list_free(&ca);
	return st;
}

/* ---- expiry bands ------------------------------------------------------ */

enum x509_band
x509_band(time_t not_before, time_t not_after, time_t now, int critical_days,
	  int warning_days, long *days_left)
{
	long long left = (long long)not_after - (long long)now;
	long long days = left / 86400;

	if (left % 86400 != 0 && left < 0)
		days--; /* floor, not truncation: a second late is day -1 */
	if (days_left)
		*days_left = (long)days;
	if (now < not_before)
		return X509_BAND_NOT_YET_VALID;
	if (now > not_after)
		return X509_BAND_EXPIRED;
	if (left < (long long)critical_days * 86400)
		return X509_BAND_CRITICAL;
	if (left < (long long)warning_days * 86400)
		return X509_BAND_WARNING;
	return X509_BAND_OK;
}

const char *
x509_band_name(enum x509_band b)
{
	switch (b) {
	case X509_BAND_NOT_YET_VALID: return "not-yet-valid";
	case X509_BAND_EXPIRED:       return "expired";
	case X509_BAND_CRITICAL:      return "critical";
	case X509_BAND_WARNING:       return "warning";
	case X509_BAND_OK:            return "ok";
	}
	return "unknown";
}

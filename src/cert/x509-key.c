/* x509-key.c - key types and private keys: generation (with a caller-side progress tick),
 * import, export and key identifiers (see x509.h).
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
#include "cert/private.h"
#include "cert/x509.h"

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
	return pt_fail(err, PT_INVALID, _("unknown key type \"%s\" (valid: %s)"), s ? s : "",
	               X509_KEYTYPES_LIST);
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
bool
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
			if (pthread_cond_timedwait(&job->cv, &job->mu, &ts) == ETIMEDOUT &&
			    !job->done) {
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
		return pt_fail(err, PT_INVALID, _("unknown key type (valid: %s)"),
		               X509_KEYTYPES_LIST);

	memset(&job, 0, sizeof(job));
	ret = gnutls_x509_privkey_init(&job.key);
	if (ret < 0)
		return pt_fail(err, PT_CRYPTO, _("key generation failed: %s"),
		               gnutls_strerror(ret));
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
enum pt_status
x509_key_import(const char *pem, gnutls_x509_privkey_t *key, struct pt_err *err)
{
	gnutls_datum_t d;
	int ret;

	if (!pem || !*pem)
		return pt_fail(err, PT_INVALID, _("no private key given"));
	/* Without a passphrase GnuTLS only says "decryption failed"; say why. */
	if (strstr(pem, "ENCRYPTED"))
		return pt_fail(
			err, PT_INVALID,
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
		return pt_fail(err, PT_INVALID, _("not a PEM private key (%s)"),
		               gnutls_strerror(ret));
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
		               algo < 0 ? "?"
		                        : gnutls_pk_algorithm_get_name((gnutls_pk_algorithm_t)algo),
		               bits, X509_KEYTYPES_LIST);
	return PT_OK;
}

/* x509.c - certificate lifecycle through GnuTLS (see x509.h): the helpers the
 * x509-*.c files share (see private.h) and expiry bands.
 *
 * The lifecycle is split by stage: x509-key.c (key types, private keys), x509-csr.c
 * (subject templates, requests), x509-cert.c (certificates into plain facts,
 * DN text, key matching), x509-chain.c (CA bundles, chain verification).
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

/* ---- small helpers ----------------------------------------------------- */

void
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
void
x509_fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

void
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

void
x509_sbuf_str(struct x509_sbuf *sb, const char *s)
{
	x509_sbuf_add(sb, s, strlen(s));
}

/* Hand the string over (never NULL unless out of memory). */
char *
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

/* ---- expiry bands ------------------------------------------------------ */

enum x509_band
x509_band(time_t not_before, time_t not_after, time_t now, int critical_days, int warning_days,
          long *days_left)
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

time_t
x509_band_start(time_t not_before, time_t not_after, int days, int pct)
{
	long long by_days = (long long)not_after - (long long)days * 86400;
	long long life = (long long)not_after - (long long)not_before;
	long long by_pct = life > 0 && pct > 0 ? (long long)not_after - life * pct / 100
	                                       : (long long)not_after;

	/* the earlier of the two; a share of nothing is no threshold */
	if (days <= 0)
		by_days = (long long)not_after;
	return (time_t)(by_days < by_pct ? by_days : by_pct);
}

enum x509_band
x509_band_at(time_t not_before, time_t not_after, time_t now, const struct x509_thresholds *t,
             long *days_left)
{
	enum x509_band b =
		x509_band(not_before, not_after, now, t->critical_days, t->warning_days, days_left);

	if (b != X509_BAND_WARNING && b != X509_BAND_OK)
		return b;
	/* as the days: inside the band once less than the share is left */
	if (t->critical_pct > 0 && now > x509_band_start(not_before, not_after, 0, t->critical_pct))
		return X509_BAND_CRITICAL;
	if (b == X509_BAND_OK && t->warning_pct > 0 &&
	    now > x509_band_start(not_before, not_after, 0, t->warning_pct))
		return X509_BAND_WARNING;
	return b;
}

const char *
x509_band_name(enum x509_band b)
{
	switch (b) {
	case X509_BAND_REVOKED: return "revoked";
	case X509_BAND_NOT_YET_VALID: return "not-yet-valid";
	case X509_BAND_EXPIRED: return "expired";
	case X509_BAND_CRITICAL: return "critical";
	case X509_BAND_WARNING: return "warning";
	case X509_BAND_OK: return "ok";
	}
	return "unknown";
}

/* model-pw.c - credentials in the store: entries, their versions and the
 * hosts they cover; secrets generated. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <arpa/inet.h>
#include <stdbool.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/lib.h"
#include "base/i18n.h"
#include "site/model.h"
#include "base/lib.h"

/* One host may hold one secret per user and service: name the entry
 * that already covers one of these hosts, if any. */
static enum pt_status
check_overlap(struct store *st, const char *user, const char *service, const int64_t *ids, size_t n,
              int64_t except, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st,
	                    /* CROSS JOIN: start from the host's few entries, not from
	            * every entry of the user (SQLite 3.15 would pick that) */
	                    "SELECT c.hostspec, h.fqdn FROM credential_hosts ch"
	                    " CROSS JOIN credentials c ON c.id = ch.credential_id"
	                    " JOIN hosts h ON h.id = ch.host_id"
	                    " WHERE c.user = ? AND c.service = ? AND ch.host_id = ? AND c.id != ?",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, service, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, ids[i]);
		sqlite3_bind_int64(s, 4, except);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			ret = pt_fail(
				err, PT_EXISTS,
				_("%s@%s:%s already holds a password for host %s (use \"pw update\")"),
				user, store_text(s, 0), service, store_text(s, 1));
			sqlite3_finalize(s);
			return ret;
		}
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(s);
			return store_fail(st, rc, err, _("look up password entries"));
		}
	}
	sqlite3_finalize(s);
	return PT_OK;
}

enum pt_status
model_pw_add(struct store *st, const char *user, const char *hostspec, const char *service,
             const int64_t *host_ids, size_t nhosts, const char *secret, size_t secretlen,
             int64_t *id, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	time_t now = time(NULL);
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if (secretlen == 0)
		return pt_fail(err, PT_INVALID, _("the password is empty"));
	if (nhosts == 0)
		return pt_fail(err, PT_INVALID, _("the entry names no host"));
	ret = check_overlap(st, user, service, host_ids, nhosts, 0, err);
	if (ret != PT_OK)
		return ret;
	ret = store_prepare(
		st,
		"INSERT INTO credentials (user, hostspec, service, secret, created_at, updated_at)"
		" VALUES (?, ?, ?, ?, ?, ?)",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, hostspec, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, service, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 4, secret, (int)secretlen, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return pt_fail(err, PT_EXISTS, _("%s@%s:%s already exists (use \"pw update\")"),
		               user, hostspec, service);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("add password"));
	*id = sqlite3_last_insert_rowid(store_db(st));
	ret = store_prepare(st,
	                    "INSERT INTO credential_hosts (credential_id, host_id) VALUES (?, ?)",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	for (size_t i = 0; i < nhosts; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, *id);
		sqlite3_bind_int64(s, 2, host_ids[i]);
		rc = sqlite3_step(s);
		if (rc != SQLITE_DONE && (rc & 0xff) != SQLITE_CONSTRAINT) {
			sqlite3_finalize(s);
			return store_fail(st, rc, err, _("add password"));
		}
	}
	sqlite3_finalize(s);
	{
		char *what = NULL, mac[ROWMAC_HEX];
		int64_t version;

		if ((ret = rowmac_seal(st, *id, &version, mac, err)) != PT_OK)
			return ret;
		if (asprintf(&what, "%s@%s:%s", user, hostspec, service) < 0)
			return pt_fail(err, PT_NOMEM, NULL);
		ret = audit_appendf(st, "pw.add", what, err, "hosts=%zu version=%lld mac=%s",
		                    nhosts, (long long)version, mac);
		free(what);
		return ret;
	}
}

enum pt_status
model_pw_find(struct store *st, const char *user, const char *hostspec, const char *service,
              const int64_t *host_ids, size_t nhosts, int64_t *id, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(
		st, "SELECT id FROM credentials WHERE user = ? AND hostspec = ? AND service = ?",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, hostspec, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, service, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return PT_OK;
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("look up password"));
	if (nhosts == 1) {
		ret = store_prepare(
			st,
			"SELECT c.id FROM credential_hosts ch CROSS JOIN credentials c ON c.id = ch.credential_id"
			" WHERE c.user = ? AND c.service = ? AND ch.host_id = ?",
			&s, err);
		if (ret != PT_OK)
			return ret;
		sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, service, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, host_ids[0]);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		if (rc == SQLITE_ROW)
			return PT_OK;
		if (rc != SQLITE_DONE)
			return store_fail(st, rc, err, _("look up password"));
	}
	return pt_fail(err, PT_NOTFOUND, _("no password for %s@%s:%s"), user, hostspec, service);
}

enum pt_status
model_pw_secret(struct store *st, int64_t id, int64_t version, char **secret, size_t *len,
                struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	*secret = NULL;
	ret = store_prepare(
		st,
		version ? "SELECT secret FROM credential_history WHERE credential_id = ?1 AND version = ?2"
			  " UNION ALL SELECT secret FROM credentials WHERE id = ?1 AND version = ?2"
			: "SELECT secret FROM credentials WHERE id = ?1",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	if (version)
		sqlite3_bind_int64(s, 2, version);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);
		*secret = secmem_alloc(n + 1);
		if (*secret) {
			memcpy(*secret, b, n);
			*len = n;
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_NOTFOUND, _("no version %lld of this password"),
		               (long long)version);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read password"));
	return *secret ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
}

static enum pt_status
describe(struct store *st, int64_t id, char **text, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	*text = NULL;
	ret = store_prepare(
		st,
		"SELECT user || '@' || hostspec || ':' || service FROM credentials WHERE id = ?",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*text = strdup(store_text(s, 0));
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(err, PT_NOTFOUND, _("no such password entry"));
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read password"));
	return *text ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
}

enum pt_status
model_pw_secret_read(struct store *st, int64_t id, int64_t version, const char *how, char **secret,
                     size_t *len, struct pt_err *err)
{
	bool own = !store_in_tx(st);
	char *what = NULL, who[320];
	enum pt_status ret;

	*secret = NULL;
	if (own && (ret = store_begin(st, err)) != PT_OK)
		return ret;
	ret = describe(st, id, &what, err);
	if (ret == PT_OK)
		ret = model_pw_secret(st, id, version, secret, len, err);
	if (ret == PT_OK) {
		audit_who(who, sizeof who);
		ret = version ? audit_appendf(st, AUDIT_READ_SECRET, what, err,
		                              "%s, version %lld, %s", how, (long long)version, who)
		              : audit_appendf(st, AUDIT_READ_SECRET, what, err, "%s, %s", how, who);
	}
	if (own) {
		if (ret == PT_OK)
			ret = store_commit(st, err);
		else
			store_rollback(st);
	}
	if (ret != PT_OK)
		secmem_freep(secret);
	free(what);
	return ret;
}

enum pt_status
model_pw_update(struct store *st, int64_t id, const char *secret, size_t secretlen,
                struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char *what = NULL, mac[ROWMAC_HEX];
	int64_t version;
	time_t now = time(NULL);

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if (secretlen == 0)
		return pt_fail(err, PT_INVALID, _("the password is empty"));
	ret = describe(st, id, &what, err);
	if (ret != PT_OK)
		return ret;
	ret = store_prepare(
		st,
		"INSERT INTO credential_history (credential_id, version, secret, set_at, replaced_at, replaced_by)"
		" SELECT id, version, secret, updated_at, ?2, ?3 FROM credentials WHERE id = ?1",
		&s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	sqlite3_bind_text(s, 3, audit_actor(), -1, SQLITE_STATIC);
	ret = store_run(st, s, err, _("keep the old password"));
	if (ret != PT_OK)
		goto out;
	ret = store_prepare(
		st,
		"UPDATE credentials SET secret = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1",
		&s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob(s, 2, secret, (int)secretlen, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
	ret = store_run(st, s, err, _("update password"));
	if (ret == PT_OK)
		ret = rowmac_seal(st, id, &version, mac, err);
	if (ret == PT_OK)
		ret = audit_appendf(st, "pw.update", what, err, "version=%lld mac=%s",
		                    (long long)version, mac);
out:
	free(what);
	return ret;
}

enum pt_status
model_pw_rm(struct store *st, int64_t id, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char *what = NULL;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	ret = describe(st, id, &what, err);
	if (ret != PT_OK)
		return ret;
	ret = store_prepare(st, "DELETE FROM credentials WHERE id = ?", &s, err);
	if (ret == PT_OK) {
		sqlite3_bind_int64(s, 1, id);
		ret = store_run(st, s, err, _("remove password"));
	}
	if (ret == PT_OK)
		ret = audit_append(st, "pw.rm", what, "", err);
	free(what);
	return ret;
}

#define CRED_SELECT \
	"SELECT c.id, c.user, c.hostspec, c.service, c.version, c.created_at, c.updated_at," \
	" (SELECT count(*) FROM credential_hosts ch WHERE ch.credential_id = c.id) FROM credentials c "

static enum pt_status
cred_rows(struct store *st, sqlite3_stmt *s, int (*cb)(const struct credential *c, void *ud),
          void *ud, struct pt_err *err)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct credential c = {
			.id = sqlite3_column_int64(s, 0),
			.user = store_text(s, 1),
			.hostspec = store_text(s, 2),
			.service = store_text(s, 3),
			.version = sqlite3_column_int64(s, 4),
			.created_at = (time_t)sqlite3_column_int64(s, 5),
			.updated_at = (time_t)sqlite3_column_int64(s, 6),
			.hosts = sqlite3_column_int64(s, 7),
		};
		if (cb(&c, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("list passwords"));
}

enum pt_status
model_pw_foreach(struct store *st, const char *filter,
                 int (*cb)(const struct credential *c, void *ud), void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;

	/* the filter matches the entry's text or any host it covers */
	ret = store_prepare(
		st,
		CRED_SELECT
		"WHERE ?1 IS NULL OR instr(c.user || '@' || c.hostspec || ':' || c.service, ?1) > 0"
		" OR EXISTS (SELECT 1 FROM credential_hosts ch JOIN hosts h ON h.id = ch.host_id"
		"            WHERE ch.credential_id = c.id AND instr(h.fqdn, ?1) > 0)"
		" ORDER BY c.hostspec, c.user, c.service",
		&s, err);
	if (ret != PT_OK)
		return ret;
	if (filter)
		sqlite3_bind_text(s, 1, filter, -1, SQLITE_STATIC);
	return cred_rows(st, s, cb, ud, err);
}

/* The filter of a password page: the columns the list shows.  Version,
 * host count and date hold only digits and "-": other filters skip them. */
#define PW_PAGE_FILTER(NUMBERS) \
	" AND (instr(lower(c.user || '@' || c.hostspec || ':' || c.service), lower(?4))" NUMBERS ")"
#define PW_NUMBERS \
	" OR instr(c.version, ?4)" \
	" OR instr((SELECT count(*) FROM credential_hosts ch WHERE ch.credential_id = c.id), ?4)" \
	" OR instr(date(c.updated_at, 'unixepoch', 'localtime'), ?4)"

enum pt_status
model_pw_page(struct store *st, const char *filter, const struct credential *after, size_t limit,
              int (*cb)(const struct credential *c, void *ud), void *ud, struct pt_err *err)
{
	/* [after][filter: none, text, digits] */
	static const char *const sql[2][3] = {
/* The inner query walks the list's index (credentials_list, schema 6:
 * the page is a range of it, and no row with its secret is read to
 * find it), the outer one reads the page's rows and counts their hosts. */
#define PW_PAGE(AFTER, FILTER) \
	"SELECT x.id, x.user, x.hostspec, x.service, x.version, x.created_at, x.updated_at," \
	" (SELECT count(*) FROM credential_hosts ch WHERE ch.credential_id = x.id)" \
	" FROM (SELECT c.id FROM credentials c WHERE 1" AFTER FILTER \
	"       ORDER BY c.hostspec, c.user, c.service LIMIT ?5) p" \
	" CROSS JOIN credentials x ON x.id = p.id ORDER BY x.hostspec, x.user, x.service"
#define PW_PAGES(AFTER) \
	{ PW_PAGE(AFTER, ""), PW_PAGE(AFTER, PW_PAGE_FILTER("")), \
	  PW_PAGE(AFTER, PW_PAGE_FILTER(PW_NUMBERS)) }
		PW_PAGES(""),
		PW_PAGES(" AND (c.hostspec, c.user, c.service) > (?1, ?2, ?3)"),
#undef PW_PAGES
#undef PW_PAGE
	};
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int f = 0;

	if (filter && *filter)
		f = strspn(filter, "0123456789-") == strlen(filter) ? 2 : 1;
	ret = store_prepare(st, sql[after != NULL][f], &s, err);
	if (ret != PT_OK)
		return ret;
	if (after) {
		sqlite3_bind_text(s, 1, after->hostspec, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, after->user, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, after->service, -1, SQLITE_STATIC);
	}
	if (f)
		sqlite3_bind_text(s, 4, filter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, limit ? (sqlite3_int64)limit : -1);
	return cred_rows(st, s, cb, ud, err);
}

enum pt_status
model_pw_foreach_host(struct store *st, const char *fqdn,
                      int (*cb)(const struct credential *c, void *ud), void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;

	ret = store_prepare(
		st,
		CRED_SELECT
		"WHERE c.id IN (SELECT ch.credential_id FROM credential_hosts ch JOIN hosts h"
		"               ON h.id = ch.host_id WHERE h.fqdn = ?1)"
		" ORDER BY c.hostspec, c.user, c.service",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	return cred_rows(st, s, cb, ud, err);
}

enum pt_status
model_pw_get(struct store *st, int64_t id, int (*cb)(const struct credential *c, void *ud),
             void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_prepare(st, CRED_SELECT "WHERE c.id = ?", &s, err);

	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	return cred_rows(st, s, cb, ud, err);
}

enum pt_status
model_pw_history(struct store *st, int64_t id,
                 int (*cb)(const struct credential_version *v, void *ud), void *ud,
                 struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(
		st,
		"SELECT version, set_at, replaced_at, replaced_by FROM credential_history"
		" WHERE credential_id = ?1"
		" UNION ALL SELECT version, updated_at, 0, '' FROM credentials WHERE id = ?1"
		" ORDER BY 1",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct credential_version v = {
			.version = sqlite3_column_int64(s, 0),
			.set_at = (time_t)sqlite3_column_int64(s, 1),
			.replaced_at = (time_t)sqlite3_column_int64(s, 2),
			.replaced_by = store_text(s, 3),
		};
		if (cb(&v, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read password history"));
}

enum pt_status
model_pw_hosts(struct store *st, int64_t id, int (*cb)(const char *fqdn, void *ud), void *ud,
               struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(
		st,
		"SELECT h.fqdn FROM hosts h JOIN credential_hosts ch ON ch.host_id = h.id"
		" WHERE ch.credential_id = ? ORDER BY h.fqdn",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(store_text(s, 0), ud)) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the host list"));
}

enum pt_status
model_generate_secret(size_t len, char **out, struct pt_err *err)
{
	/* no 0/O, 1/l/I: read aloud over a phone or typed off a screen */
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
				       "23456789-_.,:+=%@#";
	const unsigned n = sizeof(alphabet) - 1;
	const unsigned limit = 256 - 256 % n; /* reject to avoid modulo bias */
	unsigned char *rnd;
	size_t i = 0;
	char *s;

	if (len < 8 || len > 1024)
		return pt_fail(err, PT_INVALID,
		               _("a generated password must have 8 to 1024 characters"));
	s = secmem_alloc(len + 1);
	rnd = secmem_alloc(64);
	if (!s || !rnd) {
		secmem_free(s);
		secmem_free(rnd);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	while (i < len) {
		if (gnutls_rnd(GNUTLS_RND_KEY, rnd, 64) != 0) {
			secmem_free(s);
			secmem_free(rnd);
			return pt_fail(err, PT_CRYPTO, _("the random generator failed"));
		}
		for (size_t j = 0; j < 64 && i < len; j++)
			if (rnd[j] < limit)
				s[i++] = alphabet[rnd[j] % n];
	}
	secmem_free(rnd);
	s[len] = '\0';
	*out = s;
	return PT_OK;
}

/* Look-alike characters, and those a shell or a typist at a strange
 * keyboard trips on: none of them in a "typable" secret. */
#define GEN_LOOKALIKE "0Oo1lI|"
#define GEN_SHELL "$`\\\"'!;&|<>*?(){}[]~# "

static const char *const gen_class_chars[] = {
	"abcdefghijklmnopqrstuvwxyz",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"0123456789",
	"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
};

/* The alphabet of the options: each character with the class it is in. */
static size_t
gen_alphabet(const struct gen_opts *o, char *chars, unsigned char *cls)
{
	size_t n = 0;

	for (unsigned k = 0; k < 4; k++) {
		if (!(o->classes & (1u << k)))
			continue;
		for (const char *p = gen_class_chars[k]; *p; p++) {
			if (o->typable && (strchr(GEN_LOOKALIKE, *p) || strchr(GEN_SHELL, *p)))
				continue;
			chars[n] = *p;
			cls[n++] = (unsigned char)(1u << k);
		}
	}
	return n;
}

/* One draw: every character uniform over the alphabet (bytes at or above
 * the largest multiple of n are thrown away: no modulo bias).  Returns
 * the classes seen, or 0 when the random generator failed. */
static unsigned
gen_draw(char *s, size_t len, const char *chars, const unsigned char *cls, size_t n,
         unsigned char *rnd)
{
	const unsigned limit = 256 - 256 % (unsigned)n;
	unsigned seen = 0;
	size_t i = 0;

	while (i < len) {
		if (gnutls_rnd(GNUTLS_RND_KEY, rnd, 64) != 0)
			return 0;
		for (size_t j = 0; j < 64 && i < len; j++)
			if (rnd[j] < limit) {
				seen |= cls[rnd[j] % n];
				s[i++] = chars[rnd[j] % n];
			}
	}
	return seen;
}

enum pt_status
model_generate_secret_opts(const struct gen_opts *o, char **out, struct pt_err *err)
{
	char chars[128];
	unsigned char cls[128], *rnd;
	unsigned want = o->classes & GEN_ALL;
	size_t n;
	char *s;

	if (o->len < 8 || o->len > 1024)
		return pt_fail(err, PT_INVALID,
		               _("a generated password must have 8 to 1024 characters"));
	if (!want || o->classes & ~GEN_ALL)
		return pt_fail(
			err, PT_INVALID,
			_("choose the character classes among lower, upper, digit and symbol"));
	n = gen_alphabet(o, chars, cls);
	s = secmem_alloc(o->len + 1);
	rnd = secmem_alloc(64);
	if (!s || !rnd) {
		secmem_free(s);
		secmem_free(rnd);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	/* every class asked for appears: draw again until it does (the
	 * passwords kept are uniform among those that have them all) */
	for (unsigned seen = 0, tries = 0; seen != want; tries++) {
		if (tries == 10000 || !(seen = gen_draw(s, o->len, chars, cls, n, rnd))) {
			secmem_free(s);
			secmem_free(rnd);
			return pt_fail(err, PT_CRYPTO, _("the random generator failed"));
		}
	}
	secmem_free(rnd);
	s[o->len] = '\0';
	*out = s;
	return PT_OK;
}

enum pt_status
model_gen_parse_classes(const char *list, unsigned *classes, struct pt_err *err)
{
	static const char *const names[] = { "lower", "upper", "digit", "symbol" };
	char buf[128], *save = NULL;

	*classes = 0;
	snprintf(buf, sizeof buf, "%s", list);
	for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		unsigned k = 0;
		/* "digits", "symbols": the plural reads as naturally */
		for (; k < 4; k++) {
			size_t l = strlen(names[k]);
			if (strncmp(t, names[k], l) == 0 && (!t[l] || strcmp(t + l, "s") == 0))
				break;
		}
		if (k == 4)
			return pt_fail(
				err, PT_INVALID,
				_("unknown character class \"%s\" (lower, upper, digit, symbol)"),
				t);
		*classes |= 1u << k;
	}
	if (!*classes)
		return pt_fail(
			err, PT_INVALID,
			_("choose the character classes among lower, upper, digit and symbol"));
	return PT_OK;
}

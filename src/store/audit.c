/* audit.c - the hash-chained audit trail. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/rowmac.h"
#include "base/i18n.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

const char *
audit_actor(void)
{
	static char actor[128];
	struct passwd *pw;
	const char *sudo;

	if (actor[0])
		return actor;
	pw = getpwuid(getuid());
	sudo = getenv("SUDO_USER");
	if (pw && sudo && *sudo && getuid() == 0 && strcmp(sudo, pw->pw_name) != 0)
		snprintf(actor, sizeof(actor), "%s (sudo from %s)", pw->pw_name, sudo);
	else if (pw)
		snprintf(actor, sizeof(actor), "%s", pw->pw_name);
	else
		snprintf(actor, sizeof(actor), "uid %u", (unsigned)getuid());
	return actor;
}

void
audit_who(char *buf, size_t len)
{
	const char *tty = NULL;

	for (int fd = 0; fd <= 2 && !tty; fd++)
		tty = ttyname(fd);
	snprintf(buf, len, "uid %u, %s%s", (unsigned)getuid(), tty ? "tty " : "no tty",
	         tty ? tty : "");
}

/* Kinds with a name of their own. */
static const struct {
	const char *kind, *action;
} kind_names[] = {
	{ "read-secret", AUDIT_READ_SECRET },
};

const char *
audit_kind_action(const char *kind)
{
	for (size_t i = 0; i < sizeof kind_names / sizeof *kind_names; i++)
		if (strcmp(kind, kind_names[i].kind) == 0)
			return kind_names[i].action;
	return kind;
}

bool
audit_kind_match(const char *kind, const char *action)
{
	size_t n;

	if (!kind || !*kind)
		return true;
	kind = audit_kind_action(kind);
	n = strlen(kind);
	return strncmp(action, kind, n) == 0 && (action[n] == '\0' || action[n] == '.');
}

/* Fields are joined with the ASCII unit separator, which none of them
 * can hold unnoticed: the hash input is unambiguous. */
static int
row_hash(int64_t id, int64_t ts, const char *actor, const char *action, const char *object,
         const char *detail, const char *prev, char out[65])
{
	unsigned char dig[32];
	char *text = NULL;
	int n;

	n = asprintf(&text, "%" PRId64 "\x1f%" PRId64 "\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", id, ts,
	             actor, action, object, detail, prev);
	if (n < 0)
		return -1;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, text, (size_t)n, dig) != 0) {
		free(text);
		return -1;
	}
	free(text);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = "0123456789abcdef"[dig[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[dig[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

static enum pt_status
head(struct store *st, char prev[65], int64_t *count, struct pt_err *err)
{
	const struct store_audit_cache *kept = store_audit_cache(st);
	char *h = NULL, *c = NULL;
	enum pt_status ret;

	/* inside a transaction that appended, the meta rows lag behind */
	if (kept) {
		memcpy(prev, kept->head, 65);
		*count = kept->count;
		return PT_OK;
	}
	ret = store_meta_get(st, "audit.head", &h, err);
	if (ret == PT_OK)
		ret = store_meta_get(st, "audit.count", &c, err);
	if (ret == PT_OK) {
		snprintf(prev, 65, "%s", h ? h : ZERO_HASH);
		*count = c ? strtoll(c, NULL, 10) : 0;
	}
	free(h);
	free(c);
	return ret;
}

enum pt_status
audit_count(struct store *st, int64_t *n, struct pt_err *err)
{
	char prev[65];

	return head(st, prev, n, err);
}

/* The chain's head, count and next id for this transaction: read from
 * the store by the transaction's first append, then kept in the store
 * handle (a batch import appends thousands of rows in one transaction). */
static enum pt_status
tx_head(struct store *st, struct store_audit_cache *c, struct pt_err *err)
{
	const struct store_audit_cache *kept = store_audit_cache(st);
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	if (kept) {
		*c = *kept;
		return PT_OK;
	}
	c->dirty = false;
	ret = head(st, c->head, &c->count, err);
	if (ret != PT_OK)
		return ret;
	ret = store_cached(st, "SELECT coalesce(max(id), 0) + 1 FROM audit", &s, err);
	if (ret != PT_OK)
		return ret;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		c->next_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? PT_OK : store_fail(st, rc, err, _("audit"));
}

enum pt_status
audit_append(struct store *st, const char *action, const char *object, const char *detail,
             struct pt_err *err)
{
	struct store_audit_cache c;
	sqlite3_stmt *s = NULL;
	char hash[65];
	int64_t ts = (int64_t)time(NULL);
	const char *actor = audit_actor();
	enum pt_status ret;

	if (sqlite3_get_autocommit(store_db(st)))
		return pt_fail(err, PT_ERR, _("internal error: audit outside a transaction"));
	if (!detail)
		detail = "";
	ret = tx_head(st, &c, err);
	if (ret != PT_OK)
		return ret;
	if (row_hash(c.next_id, ts, actor, action, object, detail, c.head, hash) != 0)
		return pt_fail(err, PT_CRYPTO, _("cannot hash the audit record"));
	ret = store_cached(
		st,
		"INSERT INTO audit (id, ts, actor, action, object, detail, prev_hash, hash)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, c.next_id);
	sqlite3_bind_int64(s, 2, ts);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, c.head, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, hash, -1, SQLITE_STATIC);
	ret = store_cached_run(st, s, err, _("audit"));
	if (ret != PT_OK)
		return ret;
	/* head and count reach the meta table at store_commit, once */
	memcpy(c.head, hash, sizeof(c.head));
	c.count++;
	c.next_id++;
	c.dirty = true;
	store_audit_cache_set(st, &c);
	return PT_OK;
}

enum pt_status
audit_appendf(struct store *st, const char *action, const char *object, struct pt_err *err,
              const char *fmt, ...)
{
	enum pt_status ret;
	char *detail = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&detail, fmt, ap);
	va_end(ap);
	if (n < 0)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = audit_append(st, action, object, detail, err);
	free(detail);
	return ret;
}

enum pt_status
audit_foreach(struct store *st, int (*cb)(const struct audit_row *r, void *ud), void *ud,
              struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(store_db(st),
	                        "SELECT id, ts, actor, action, object, detail, prev_hash, hash"
	                        " FROM audit ORDER BY id",
	                        -1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct audit_row r = {
			.id = sqlite3_column_int64(s, 0),
			.ts = (time_t)sqlite3_column_int64(s, 1),
			.actor = (const char *)sqlite3_column_text(s, 2),
			.action = (const char *)sqlite3_column_text(s, 3),
			.object = (const char *)sqlite3_column_text(s, 4),
			.detail = (const char *)sqlite3_column_text(s, 5),
			.prev_hash = (const char *)sqlite3_column_text(s, 6),
			.hash = (const char *)sqlite3_column_text(s, 7),
		};
		if (cb(&r, ud)) {
			rc = SQLITE_DONE;
			break;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the audit trail"));
}

struct verify_state {
	char prev[65];
	int64_t expect_id, bad_id, rows;
	const char *why;
};

static int
verify_row(const struct audit_row *r, void *ud)
{
	struct verify_state *v = ud;
	char h[65];

	if (r->id != v->expect_id) {
		v->why = N_("a row is missing before it");
	} else if (!r->prev_hash || strcmp(r->prev_hash, v->prev) != 0) {
		v->why = N_("its link to the previous row is wrong");
	} else if (row_hash(r->id, (int64_t)r->ts, r->actor ? r->actor : "",
	                    r->action ? r->action : "", r->object ? r->object : "",
	                    r->detail ? r->detail : "", r->prev_hash, h) != 0 ||
	           !r->hash || strcmp(h, r->hash) != 0) {
		v->why = N_("its content does not match its hash");
	}
	if (v->why) {
		v->bad_id = r->id;
		return 1;
	}
	snprintf(v->prev, sizeof(v->prev), "%s", r->hash);
	v->expect_id++;
	v->rows++;
	return 0;
}

enum pt_status
audit_verify(struct store *st, int64_t *bad_id, int64_t *rows, struct pt_err *err)
{
	struct verify_state v = { .prev = ZERO_HASH, .expect_id = 1 };
	char head_hash[65];
	int64_t count;
	enum pt_status ret;

	*bad_id = 0;
	ret = audit_foreach(st, verify_row, &v, err);
	if (ret != PT_OK)
		return ret;
	*rows = v.rows;
	if (v.why) {
		*bad_id = v.bad_id;
		return pt_fail(err, PT_BROKEN_CHAIN, _("audit row %lld does not chain: %s"),
		               (long long)v.bad_id, _(v.why));
	}
	ret = head(st, head_hash, &count, err);
	if (ret != PT_OK)
		return ret;
	if (count != v.rows || strcmp(head_hash, v.prev) != 0) {
		*bad_id = v.rows + 1;
		return pt_fail(
			err, PT_BROKEN_CHAIN,
			_("the audit trail does not end where its recorded head says (rows recorded: %lld, present: %lld); rows at its end are missing or were replaced"),
			(long long)count, (long long)v.rows);
	}
	/* the chain holds: do the rows still say what it recorded? */
	return rowmac_verify(st, bad_id, err);
}

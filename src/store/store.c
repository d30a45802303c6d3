/* store.c - the encrypted store: paths, statements, transactions, meta.
 * Opening it is store-open.c, re-keying and backups store-rekey.c. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "store/store.h"
#include "store/private.h"

char *
store_default_path(void)
{
	const char *env = getenv("PASSTORE_DB");
	const char *xdg, *home;
	char *p = NULL;

	if (env && *env)
		return strdup(env);
	if (geteuid() == 0)
		return strdup("/var/lib/passtore/passtore.db");
	xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg) {
		if (asprintf(&p, "%s/passtore/passtore.db", xdg) < 0)
			return NULL;
		return p;
	}
	home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	if (asprintf(&p, "%s/.local/share/passtore/passtore.db", home) < 0)
		return NULL;
	return p;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

struct sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

const struct kdf_params *
store_kdf_params(const struct store *st)
{
	return &st->kp;
}

enum pt_status
store_fail(struct store *st, int rc, struct pt_err *err, const char *what)
{
	const char *msg = st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return pt_fail(err, PT_DAMAGED, _("the store %s is damaged (%s: %s)"),
		               st ? st->path : "", what, msg);
	case SQLITE_CONSTRAINT: return pt_fail(err, PT_REFUSED, _("%s: %s"), what, msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return pt_fail(err, PT_ERR, _("the store is in use by another passtore (%s)"),
		               what);
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY: return pt_fail(err, PT_IO, _("%s: %s"), what, msg);
	case SQLITE_NOMEM: return pt_fail(err, PT_NOMEM, NULL);
	default: return pt_fail(err, PT_ERR, _("%s: %s"), what, msg);
	}
}

enum pt_status
store_prepare(struct store *st, const char *sql, sqlite3_stmt **s, struct pt_err *err)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);

	return rc == SQLITE_OK ? PT_OK : store_fail(st, rc, err, _("prepare statement"));
}

enum pt_status
store_run(struct store *st, sqlite3_stmt *s, struct pt_err *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, what);
}

enum pt_status
store_cached(struct store *st, const char *sql, sqlite3_stmt **s, struct pt_err *err)
{
	struct stmt_slot *slot = NULL;
	char *copy;
	int rc;

	/* the same literal is the same address: try that first (the copy
	 * is compared too, as the caller's buffer may have been reused) */
	for (size_t i = 0; i < st->nstmts && !slot; i++)
		if (st->stmts[i].ptr == sql && strcmp(st->stmts[i].sql, sql) == 0)
			slot = &st->stmts[i];
	for (size_t i = 0; i < st->nstmts && !slot; i++)
		if (strcmp(st->stmts[i].sql, sql) == 0)
			slot = &st->stmts[i];
	if (slot) {
		sqlite3_reset(slot->s);
		sqlite3_clear_bindings(slot->s);
		slot->ptr = sql;
		*s = slot->s;
		return PT_OK;
	}
	if (!(copy = strdup(sql)))
		return pt_fail(err, PT_NOMEM, NULL);
	rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
	if (rc != SQLITE_OK) {
		free(copy);
		return store_fail(st, rc, err, _("prepare statement"));
	}
	if (st->nstmts == STMT_CACHE_SIZE) {
		/* full: the oldest goes (it is not in use: nothing nests) */
		sqlite3_finalize(st->stmts[0].s);
		free(st->stmts[0].sql);
		memmove(st->stmts, st->stmts + 1, (STMT_CACHE_SIZE - 1) * sizeof(st->stmts[0]));
		st->nstmts--;
	}
	st->stmts[st->nstmts].ptr = sql;
	st->stmts[st->nstmts].sql = copy;
	st->stmts[st->nstmts++].s = *s;
	return PT_OK;
}

enum pt_status
store_cached_run(struct store *st, sqlite3_stmt *s, struct pt_err *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, what);
}

void
store_stmt_cache_clear(struct store *st)
{
	for (size_t i = 0; i < st->nstmts; i++) {
		sqlite3_finalize(st->stmts[i].s);
		free(st->stmts[i].sql);
	}
	st->nstmts = 0;
}

struct store_audit_cache *
store_audit_cache(struct store *st)
{
	return st->audit_valid ? &st->audit : NULL;
}

struct store_audit_cache *
store_audit_cache_set(struct store *st, const struct store_audit_cache *c)
{
	st->audit = *c;
	st->audit_valid = true;
	return &st->audit;
}

void
store_audit_cache_drop(struct store *st)
{
	st->audit_valid = false;
	memset(&st->audit, 0, sizeof(st->audit));
}

const char *
store_text(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t ? t : "";
}

enum pt_status
store_need_tx(struct store *st, struct pt_err *err)
{
	if (sqlite3_get_autocommit(st->db))
		return pt_fail(err, PT_ERR, _("internal error: change outside a transaction"));
	return PT_OK;
}

enum pt_status
store_exec(struct store *st, const char *sql, struct pt_err *err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? PT_OK : store_fail(st, rc, err, _("database statement"));
}

enum pt_status
store_begin(struct store *st, struct pt_err *err)
{
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	store_audit_cache_drop(st);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, err, _("begin transaction"));
	st->in_tx = 1;
	return PT_OK;
}

/* The audit chain's end, kept in memory by the appends, goes to the
 * meta table with the transaction it belongs to. */
bool
store_in_tx(const struct store *st)
{
	return st->in_tx != 0;
}

static enum pt_status
audit_flush(struct store *st, struct pt_err *err)
{
	char num[32];
	enum pt_status ret;

	if (!st->audit_valid || !st->audit.dirty)
		return PT_OK;
	snprintf(num, sizeof(num), "%lld", (long long)st->audit.count);
	ret = store_meta_set(st, "audit.head", st->audit.head, err);
	if (ret == PT_OK)
		ret = store_meta_set(st, "audit.count", num, err);
	if (ret == PT_OK)
		st->audit.dirty = false;
	return ret;
}

enum pt_status
store_commit(struct store *st, struct pt_err *err)
{
	enum pt_status ret = audit_flush(st, err);
	int rc;

	if (ret != PT_OK) {
		store_rollback(st);
		return ret;
	}
	rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	store_audit_cache_drop(st);
	if (rc != SQLITE_OK) {
		ret = store_fail(st, rc, err, _("commit"));
		store_rollback(st);
		return ret;
	}
	st->in_tx = 0;
	return PT_OK;
}

void
store_rollback(struct store *st)
{
	/* what the rolled-back rows said about the chain is gone with them */
	store_audit_cache_drop(st);
	if (st->in_tx || !sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

enum pt_status
store_meta_get(struct store *st, const char *key, char **value, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	*value = NULL;
	ret = store_cached(st, "SELECT value FROM meta WHERE key = ?", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*value = strdup((const char *)sqlite3_column_text(s, 0));
		if (!*value)
			ret = pt_fail(err, PT_NOMEM, NULL);
	} else if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("read setting"));
	}
	sqlite3_reset(s);
	return ret;
}

enum pt_status
store_meta_set(struct store *st, const char *key, const char *value, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret =
		store_cached(st, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", &s, err);

	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return store_cached_run(st, s, err, _("write setting"));
}

enum pt_status
store_meta_delete(struct store *st, const char *key, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_prepare(st, "DELETE FROM meta WHERE key = ?", &s, err);

	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	return store_run(st, s, err, _("remove setting"));
}

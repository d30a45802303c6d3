/* gridstore.c - VOs and their member snapshots in the store (see
 * gridstore.h); the lookups the other gridstore-*.c files share. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/lib.h"
#include "grid/gridstore.h"
#include "grid/private.h"
#include "base/i18n.h"

const char *
gridstore_format_name(enum gm_format f)
{
	switch (f) {
	case GM_FMT_PLAIN: return "plain";
	case GM_FMT_CSV: return "csv";
	case GM_FMT_LDIF: return "ldif";
	case GM_FMT_LOCAL: return "local";
	case GM_FMT_IAM: return "iam";
	}
	return "?";
}

enum pt_status
gs_nomem(struct pt_err *err)
{
	return pt_fail(err, PT_NOMEM, "%s", _(pt_status_msg(PT_NOMEM)));
}

static int
valid_vo(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > GRIDSTORE_MAX_VO)
		return 0;
	for (; *n; n++)
		if (!(('a' <= *n && *n <= 'z') || ('A' <= *n && *n <= 'Z') ||
		      ('0' <= *n && *n <= '9') || *n == '.' || *n == '_' || *n == '-'))
			return 0;
	return 1;
}

/* One integer from a query with one text parameter; *found 0 when no row. */
enum pt_status
gs_lookup_id(struct store *st, const char *sql, const char *arg, int64_t *id, int *found,
             struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	*found = 0;
	if ((ret = store_prepare(st, sql, &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*found = 1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("look up"));
	return PT_OK;
}

enum pt_status
gs_vo_id(struct store *st, const char *name, int64_t *id, struct pt_err *err)
{
	enum pt_status ret;
	int found;

	ret = gs_lookup_id(st, "SELECT id FROM vos WHERE name = ?", name, id, &found, err);
	if (ret == PT_OK && !found)
		ret = pt_fail(err, PT_NOTFOUND, _("no VO \"%s\""), name);
	return ret;
}

enum pt_status
gs_host_id(struct store *st, const char *fqdn, int64_t *id, struct pt_err *err)
{
	enum pt_status ret;
	int found;

	ret = gs_lookup_id(st, "SELECT id FROM hosts WHERE fqdn = ?", fqdn, id, &found, err);
	if (ret == PT_OK && !found)
		ret = pt_fail(err, PT_NOTFOUND, _("no host %s"), fqdn);
	return ret;
}

enum pt_status
gs_group_id(struct store *st, const char *name, int64_t *id, struct pt_err *err)
{
	enum pt_status ret;
	int found;

	ret = gs_lookup_id(st, "SELECT id FROM groups WHERE name = ?", name, id, &found, err);
	if (ret == PT_OK && !found)
		ret = pt_fail(err, PT_NOTFOUND, _("no group \"%s\""), name);
	return ret;
}

/* ---- VOs ------------------------------------------------------------------ */

enum pt_status
gridstore_vo_add(struct store *st, const char *name, const char *const *uris, size_t nuris,
                 struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id, owner, seq = 0;
	int found, existed, rc;
	size_t added = 0;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if (!valid_vo(name))
		return pt_fail(err, PT_INVALID,
		               _("\"%s\" is not a VO name (letters, digits, \".\", \"_\", \"-\")"),
		               name);
	for (size_t i = 0; i < nuris; i++)
		if (!strstr(uris[i], "://") || strpbrk(uris[i], " \t\r\n\""))
			return pt_fail(err, PT_INVALID,
			               _("\"%s\" is not a URI (ldap://, vomss://, ...)"), uris[i]);
	ret = gs_lookup_id(st, "SELECT id FROM vos WHERE name = ?", name, &id, &found, err);
	if (ret != PT_OK)
		return ret;
	existed = found;
	if (existed && nuris == 0)
		return pt_fail(err, PT_EXISTS, _("VO \"%s\" already exists"), name);
	if (!existed) {
		ret = store_prepare(st, "INSERT INTO vos (name, created_at) VALUES (?, ?)", &s,
		                    err);
		if (ret != PT_OK)
			return ret;
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
		if ((ret = store_run(st, s, err, _("add VO"))) != PT_OK)
			return ret;
		id = sqlite3_last_insert_rowid(store_db(st));
	} else {
		ret = store_prepare(st, "SELECT coalesce(max(seq), 0) FROM vo_uris WHERE vo_id = ?",
		                    &s, err);
		if (ret != PT_OK)
			return ret;
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_step(s) == SQLITE_ROW)
			seq = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	for (size_t i = 0; i < nuris; i++) {
		ret = gs_lookup_id(st, "SELECT vo_id FROM vo_uris WHERE uri = ?", uris[i], &owner,
		                   &found, err);
		if (ret != PT_OK)
			return ret;
		if (found && owner == id)
			continue;
		if (found)
			return pt_fail(err, PT_EXISTS, _("URI %s already stands for another VO"),
			               uris[i]);
		ret = store_prepare(st, "INSERT INTO vo_uris (vo_id, seq, uri) VALUES (?, ?, ?)",
		                    &s, err);
		if (ret != PT_OK)
			return ret;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, ++seq);
		sqlite3_bind_text(s, 3, uris[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if ((rc & 0xff) == SQLITE_CONSTRAINT)
			return pt_fail(err, PT_EXISTS, _("URI %s given twice"), uris[i]);
		if (rc != SQLITE_DONE)
			return store_fail(st, rc, err, _("add VO URI"));
		added++;
		if ((ret = audit_append(st, "vo.uri", name, uris[i], err)) != PT_OK)
			return ret;
	}
	if (existed && added == 0)
		return pt_fail(err, PT_EXISTS, _("VO \"%s\" already has these URIs"), name);
	if (existed)
		return PT_OK; /* each new URI has its own vo.uri row */
	return audit_appendf(st, "vo.add", name, err, "uris=%zu", added);
}

#define VO_SELECT \
	"SELECT v.id, v.name, v.created_at," \
	" coalesce((SELECT group_concat(uri, char(10)) FROM (SELECT uri FROM vo_uris u" \
	"   WHERE u.vo_id = v.id ORDER BY seq)), '')," \
	" (SELECT count(*) FROM vo_snapshots s WHERE s.vo_id = v.id)," \
	" c.members, c.imported_at, c.source, c.format" \
	" FROM vos v LEFT JOIN vo_snapshots c ON c.id =" \
	"  (SELECT max(id) FROM vo_snapshots s2 WHERE s2.vo_id = v.id) "

static enum pt_status
vo_rows(struct store *st, sqlite3_stmt *s, int (*cb)(const struct gs_vo *vo, void *ud), void *ud,
        int *seen, struct pt_err *err)
{
	int rc;

	*seen = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gs_vo v = {
			.id = sqlite3_column_int64(s, 0),
			.name = store_text(s, 1),
			.created_at = (time_t)sqlite3_column_int64(s, 2),
			.uris = store_text(s, 3),
			.snapshots = sqlite3_column_int64(s, 4),
			.members = sqlite3_column_int64(s, 5),
			.snapshot_at = (time_t)sqlite3_column_int64(s, 6),
			.source = store_text(s, 7),
			.format = store_text(s, 8),
		};
		(*seen)++;
		if (cb(&v, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the VO list"));
}

enum pt_status
gridstore_vo_foreach(struct store *st, int (*cb)(const struct gs_vo *vo, void *ud), void *ud,
                     struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int seen;

	if ((ret = store_prepare(st, VO_SELECT "ORDER BY v.name", &s, err)) != PT_OK)
		return ret;
	return vo_rows(st, s, cb, ud, &seen, err);
}

enum pt_status
gridstore_vo_get(struct store *st, const char *name, int (*cb)(const struct gs_vo *vo, void *ud),
                 void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int seen;

	if ((ret = store_prepare(st, VO_SELECT "WHERE v.name = ?", &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	ret = vo_rows(st, s, cb, ud, &seen, err);
	if (ret == PT_OK && !seen)
		ret = pt_fail(err, PT_NOTFOUND, _("no VO \"%s\""), name);
	return ret;
}

enum pt_status
gridstore_snapshot_foreach(struct store *st, const char *vo,
                           int (*cb)(const struct gs_snapshot *s, void *ud), void *ud,
                           struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id;
	int rc, first = 1;

	if ((ret = gs_vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	ret = store_prepare(
		st,
		"SELECT id, imported_at, source, format, sha256, members, added, removed"
		" FROM vo_snapshots WHERE vo_id = ? ORDER BY id DESC",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gs_snapshot sn = {
			.id = sqlite3_column_int64(s, 0),
			.imported_at = (time_t)sqlite3_column_int64(s, 1),
			.source = store_text(s, 2),
			.format = store_text(s, 3),
			.sha256 = store_text(s, 4),
			.members = sqlite3_column_int64(s, 5),
			.added = sqlite3_column_int64(s, 6),
			.removed = sqlite3_column_int64(s, 7),
			.current = first,
		};
		first = 0;
		if (cb(&sn, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the snapshots"));
}

/* Members of the current snapshot of VO id into a new list; with
 * dn_only their CA and e-mail are left out (a build needs the DNs only). */
enum pt_status
gs_members_of(struct store *st, int64_t id, bool dn_only, struct gm_members **out,
              struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	struct gm_members *m;
	enum pt_status ret;
	int rc;

	*out = NULL;
	if ((m = gridmap_members_new(GM_FMT_PLAIN)) == NULL)
		return gs_nomem(err);
	ret = store_prepare(
		st,
		dn_only ? "SELECT dn, NULL, NULL FROM vo_members WHERE snapshot_id ="
			  " (SELECT max(id) FROM vo_snapshots WHERE vo_id = ?) ORDER BY seq"
			: "SELECT dn, ca, email FROM vo_members WHERE snapshot_id ="
			  " (SELECT max(id) FROM vo_snapshots WHERE vo_id = ?) ORDER BY seq",
		&s, err);
	if (ret != PT_OK) {
		gridmap_members_free(&m);
		return ret;
	}
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ret = gridmap_members_add(m, store_text(s, 0), store_text(s, 1), store_text(s, 2),
		                          NULL, 0, err);
		if (ret != PT_OK)
			break;
	}
	sqlite3_finalize(s);
	if (ret == PT_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_fail(st, rc, err, _("read the members"));
	if (ret != PT_OK)
		gridmap_members_free(&m);
	*out = m;
	return ret;
}

enum pt_status
gridstore_vo_members(struct store *st, const char *vo, struct gm_members **out, struct pt_err *err)
{
	enum pt_status ret;
	int64_t id;

	*out = NULL;
	if ((ret = gs_vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	return gs_members_of(st, id, false, out, err);
}

void
gridstore_diff_clear(struct gs_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nadded; i++)
		free(d->added[i]);
	for (size_t i = 0; i < d->nremoved; i++)
		free(d->removed[i]);
	free(d->added);
	free(d->removed);
	memset(d, 0, sizeof(*d));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The DNs of m, sorted, without duplicates (pointers into m). */
static const char **
sorted_dns(const struct gm_members *m, size_t *n)
{
	const char **v = malloc((m->n ? m->n : 1) * sizeof(*v));
	size_t i, k = 0;

	if (!v)
		return NULL;
	for (i = 0; i < m->n; i++)
		v[i] = m->v[i].dn;
	qsort(v, m->n, sizeof(*v), cmp_str);
	for (i = 0; i < m->n; i++)
		if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	*n = k;
	return v;
}

int
gs_strv_add(char ***v, size_t *n, const char *s)
{
	if (!gm_grow(v, *n, sizeof(**v)))
		return 0;
	if (((*v)[*n] = strdup(s)) == NULL)
		return 0;
	(*n)++;
	return 1;
}

static enum pt_status
diff_of(const struct gm_members *old, const struct gm_members *new, struct gs_diff *d,
        struct pt_err *err)
{
	const char **a = NULL, **b = NULL;
	size_t na = 0, nb = 0, i = 0, j = 0;
	enum pt_status ret = PT_OK;

	memset(d, 0, sizeof(*d));
	a = sorted_dns(old, &na);
	b = sorted_dns(new, &nb);
	if (!a || !b) {
		ret = gs_nomem(err);
		goto out;
	}
	d->members = nb;
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i], b[j]);

		if (c < 0) {
			if (!gs_strv_add(&d->removed, &d->nremoved, a[i]))
				goto oom;
			i++;
		} else if (c > 0) {
			if (!gs_strv_add(&d->added, &d->nadded, b[j]))
				goto oom;
			j++;
		} else {
			i++;
			j++;
		}
	}
	goto out;
oom:
	gridstore_diff_clear(d);
	ret = gs_nomem(err);
out:
	free(a);
	free(b);
	return ret;
}

enum pt_status
gridstore_vo_diff(struct store *st, const char *vo, const struct gm_members *m, struct gs_diff *d,
                  struct pt_err *err)
{
	struct gm_members *old = NULL;
	enum pt_status ret;

	memset(d, 0, sizeof(*d));
	if ((ret = gridstore_vo_members(st, vo, &old, err)) != PT_OK)
		return ret;
	ret = diff_of(old, m, d, err);
	gridmap_members_free(&old);
	return ret;
}

void
gridstore_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char dig[32];

	gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, dig);
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", dig[i]);
}

enum pt_status
gridstore_vo_import(struct store *st, const char *vo, const struct gm_members *m,
                    const char *source, const char *sha256, struct gs_diff *dout,
                    struct pt_err *err)
{
	struct gm_members *old = NULL;
	struct gs_diff d = { 0 };
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id, snap;
	int rc = SQLITE_DONE;

	if (dout)
		memset(dout, 0, sizeof(*dout));
	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if (m->format == GM_FMT_LOCAL)
		return pt_fail(err, PT_INVALID, _("a grid-mapfile-local is not a VO member list"));
	if ((ret = gs_vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	if ((ret = gs_members_of(st, id, true, &old, err)) != PT_OK)
		return ret;
	ret = diff_of(old, m, &d, err);
	gridmap_members_free(&old);
	if (ret != PT_OK)
		return ret;
	/* only the current snapshot keeps its members */
	ret = store_prepare(st,
	                    "DELETE FROM vo_members WHERE snapshot_id IN"
	                    " (SELECT id FROM vo_snapshots WHERE vo_id = ?)",
	                    &s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	if ((ret = store_run(st, s, err, _("replace the members"))) != PT_OK)
		goto out;
	ret = store_prepare(st,
	                    "INSERT INTO vo_snapshots (vo_id, imported_at, source, format, sha256,"
	                    " members, added, removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                    &s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(s, 3, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, gridstore_format_name(m->format), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, sha256 ? sha256 : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)d.members);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)d.nadded);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)d.nremoved);
	if ((ret = store_run(st, s, err, _("add snapshot"))) != PT_OK)
		goto out;
	snap = sqlite3_last_insert_rowid(store_db(st));
	ret = store_prepare(st,
	                    "INSERT INTO vo_members (snapshot_id, seq, dn, ca, email)"
	                    " VALUES (?, ?, ?, ?, ?)",
	                    &s, err);
	if (ret != PT_OK)
		goto out;
	for (size_t i = 0; i < m->n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, snap);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		sqlite3_bind_text(s, 3, m->v[i].dn, -1, SQLITE_STATIC);
		if (m->v[i].ca)
			sqlite3_bind_text(s, 4, m->v[i].ca, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 4);
		if (m->v[i].email)
			sqlite3_bind_text(s, 5, m->v[i].email, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 5);
		if ((rc = sqlite3_step(s)) != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("add members"));
		goto out;
	}
	ret = audit_appendf(st, "vo.import", vo, err,
	                    "source=%s format=%s members=%zu added=%zu removed=%zu sha256=%s",
	                    source, gridstore_format_name(m->format), d.members, d.nadded,
	                    d.nremoved, sha256 ? sha256 : "");
out:
	if (ret == PT_OK && dout)
		*dout = d;
	else
		gridstore_diff_clear(&d);
	return ret;
}

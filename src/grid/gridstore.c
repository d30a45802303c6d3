/* gridstore.c - VOs, member snapshots, rules, bans, local entries, VOMS
 * servers and pushes in the store; a host's build from them. */
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
#include "base/i18n.h"

const char *
gridstore_format_name(enum gm_format f)
{
	switch (f) {
	case GM_FMT_PLAIN: return "plain";
	case GM_FMT_CSV: return "csv";
	case GM_FMT_LDIF: return "ldif";
	case GM_FMT_LOCAL: return "local";
	}
	return "?";
}

static enum pt_status
nomem(struct pt_err *err)
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
static enum pt_status
lookup_id(struct store *st, const char *sql, const char *arg, int64_t *id, int *found,
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

static enum pt_status
vo_id(struct store *st, const char *name, int64_t *id, struct pt_err *err)
{
	enum pt_status ret;
	int found;

	ret = lookup_id(st, "SELECT id FROM vos WHERE name = ?", name, id, &found, err);
	if (ret == PT_OK && !found)
		ret = pt_fail(err, PT_NOTFOUND, _("no VO \"%s\""), name);
	return ret;
}

static enum pt_status
host_id(struct store *st, const char *fqdn, int64_t *id, struct pt_err *err)
{
	enum pt_status ret;
	int found;

	ret = lookup_id(st, "SELECT id FROM hosts WHERE fqdn = ?", fqdn, id, &found, err);
	if (ret == PT_OK && !found)
		ret = pt_fail(err, PT_NOTFOUND, _("no host %s"), fqdn);
	return ret;
}

static enum pt_status
group_id(struct store *st, const char *name, int64_t *id, struct pt_err *err)
{
	enum pt_status ret;
	int found;

	ret = lookup_id(st, "SELECT id FROM groups WHERE name = ?", name, id, &found, err);
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
		               _("\"%s\" is not a VO name (letters, digits, \".\", \"_\", \"-\")"), name);
	for (size_t i = 0; i < nuris; i++)
		if (!strstr(uris[i], "://") || strpbrk(uris[i], " \t\r\n\""))
			return pt_fail(err, PT_INVALID,
			               _("\"%s\" is not a URI (ldap://, vomss://, ...)"), uris[i]);
	ret = lookup_id(st, "SELECT id FROM vos WHERE name = ?", name, &id, &found, err);
	if (ret != PT_OK)
		return ret;
	existed = found;
	if (existed && nuris == 0)
		return pt_fail(err, PT_EXISTS, _("VO \"%s\" already exists"), name);
	if (!existed) {
		ret = store_prepare(st, "INSERT INTO vos (name, created_at) VALUES (?, ?)", &s, err);
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
		ret = lookup_id(st, "SELECT vo_id FROM vo_uris WHERE uri = ?", uris[i], &owner,
		                &found, err);
		if (ret != PT_OK)
			return ret;
		if (found && owner == id)
			continue;
		if (found)
			return pt_fail(err, PT_EXISTS, _("URI %s already stands for another VO"),
			               uris[i]);
		ret = store_prepare(st, "INSERT INTO vo_uris (vo_id, seq, uri) VALUES (?, ?, ?)", &s,
		                    err);
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
		return PT_OK;   /* each new URI has its own vo.uri row */
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

	if ((ret = vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	ret = store_prepare(st,
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
static enum pt_status
members_of(struct store *st, int64_t id, bool dn_only, struct gm_members **out,
           struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	struct gm_members *m;
	enum pt_status ret;
	int rc;

	*out = NULL;
	if ((m = gridmap_members_new(GM_FMT_PLAIN)) == NULL)
		return nomem(err);
	ret = store_prepare(st,
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
gridstore_vo_members(struct store *st, const char *vo, struct gm_members **out,
                     struct pt_err *err)
{
	enum pt_status ret;
	int64_t id;

	*out = NULL;
	if ((ret = vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	return members_of(st, id, false, out, err);
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

static int
strv_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return 0;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
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
		ret = nomem(err);
		goto out;
	}
	d->members = nb;
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i], b[j]);

		if (c < 0) {
			if (!strv_add(&d->removed, &d->nremoved, a[i]))
				goto oom;
			i++;
		} else if (c > 0) {
			if (!strv_add(&d->added, &d->nadded, b[j]))
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
	ret = nomem(err);
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
	if ((ret = vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	if ((ret = members_of(st, id, true, &old, err)) != PT_OK)
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
	ret = audit_appendf(st, "vo.import", vo, err, "source=%s format=%s members=%zu added=%zu removed=%zu sha256=%s",
	                    source, gridstore_format_name(m->format), d.members, d.nadded,
	                    d.nremoved, sha256 ? sha256 : "");
out:
	if (ret == PT_OK && dout)
		*dout = d;
	else
		gridstore_diff_clear(&d);
	return ret;
}

/* ---- rules ------------------------------------------------------------------ */

void
gridstore_ruleset_free(struct gs_ruleset **rsp)
{
	struct gs_ruleset *rs;

	if (!rsp || !*rsp)
		return;
	rs = *rsp;
	for (size_t i = 0; i < rs->nrules; i++) {
		free((char *)rs->rules[i].kind);
		free((char *)rs->rules[i].value);
		free((char *)rs->rules[i].account);
		free((char *)rs->rules[i].vo);
	}
	free(rs->rules);
	free(rs->host);
	free(rs->group);
	free(rs->source);
	free(rs->text);
	free(rs);
	*rsp = NULL;
}

struct rule_row {
	unsigned line;
	const char *kind, *value, *account;
};

static int
cmp_rule_row(const void *a, const void *b)
{
	const struct rule_row *x = a, *y = b;
	/* lines the parser did not keep (0) go last, in their order */
	unsigned lx = x->line ? x->line : ~0u, ly = y->line ? y->line : ~0u;

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The parsed rules as rows, in file order as far as it is known. */
static struct rule_row *
rule_rows(const struct gm_rules *r, size_t *n)
{
	size_t cap = r->ngroups + r->nauths + r->nacl + 1 + r->nlocal_files + r->local.n, k = 0;
	struct rule_row *v = calloc(cap ? cap : 1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < r->ngroups; i++)
		v[k++] = (struct rule_row){ r->groups[i].line, "group", r->groups[i].uri,
		                            r->groups[i].account };
	for (i = 0; i < r->nauths; i++)
		v[k++] = (struct rule_row){ 0, "auth", r->auths[i], "" };
	for (i = 0; i < r->nacl; i++)
		v[k++] = (struct rule_row){ r->acl[i].line, r->acl[i].kind == GM_ALLOW ? "allow" : "deny",
		                            r->acl[i].pattern, "" };
	if (r->default_account)
		v[k++] = (struct rule_row){ 0, "default_lcluser", r->default_account, "" };
	for (i = 0; i < r->nlocal_files; i++)
		v[k++] = (struct rule_row){ 0, "gmf_local", r->local_files[i], "" };
	for (i = 0; i < r->local.n; i++)
		v[k++] = (struct rule_row){ r->local.v[i].line, "gmf_local", r->local.v[i].dn,
		                            r->local.v[i].account ? r->local.v[i].account : "" };
	qsort(v, k, sizeof(*v), cmp_rule_row);
	*n = k;
	return v;
}

enum pt_status
gridstore_rules_set(struct store *st, const char *fqdn, const char *group, const char *source,
                    const char *text, size_t len, struct pt_err *err)
{
	struct gm_rules *r = NULL;
	struct rule_row *rows = NULL;
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t tid, rsid;
	size_t nrows = 0;
	int rc = SQLITE_DONE;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((!fqdn) == (!group))
		return pt_fail(err, PT_ERR, _("internal error: rules for a host or a group"));
	if (fqdn)
		ret = host_id(st, fqdn, &tid, err);
	else
		ret = group_id(st, group, &tid, err);
	if (ret != PT_OK)
		return ret;
	if (memchr(text, '\0', len))
		return pt_fail(err, PT_INVALID, _("%s: not a text file (NUL byte)"), source);
	if ((ret = gridmap_rules_parse(source, text, len, &r, err)) != PT_OK)
		return ret;
	if ((rows = rule_rows(r, &nrows)) == NULL) {
		ret = nomem(err);
		goto out;
	}
	ret = store_prepare(st,
	                    fqdn ? "DELETE FROM gm_rulesets WHERE host_id = ?"
	                         : "DELETE FROM gm_rulesets WHERE group_id = ?",
	                    &s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_int64(s, 1, tid);
	if ((ret = store_run(st, s, err, _("replace the rules"))) != PT_OK)
		goto out;
	ret = store_prepare(st,
	                    "INSERT INTO gm_rulesets (host_id, group_id, source, text, imported_at)"
	                    " VALUES (?, ?, ?, ?, ?)",
	                    &s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_int64(s, fqdn ? 1 : 2, tid);
	sqlite3_bind_text(s, 3, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, text, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
	if ((ret = store_run(st, s, err, _("add rules"))) != PT_OK)
		goto out;
	rsid = sqlite3_last_insert_rowid(store_db(st));
	ret = store_prepare(st,
	                    "INSERT INTO gm_rules (ruleset_id, seq, line, kind, value, account)"
	                    " VALUES (?, ?, ?, ?, ?, ?)",
	                    &s, err);
	if (ret != PT_OK)
		goto out;
	for (size_t i = 0; i < nrows; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, rsid);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		sqlite3_bind_int64(s, 3, rows[i].line);
		sqlite3_bind_text(s, 4, rows[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, rows[i].value, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, rows[i].account ? rows[i].account : "", -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(s)) != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("add rules"));
		goto out;
	}
	ret = audit_appendf(st, "gridmap.rules", fqdn ? fqdn : group, err,
	                    "%s source=%s groups=%zu acl=%zu", fqdn ? "host" : "group", source,
	                    r->ngroups, r->nacl);
out:
	free(rows);
	gridmap_rules_free(&r);
	return ret;
}

enum pt_status
gridstore_rules_rm(struct store *st, const char *fqdn, const char *group, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t tid;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	ret = fqdn ? host_id(st, fqdn, &tid, err) : group_id(st, group, &tid, err);
	if (ret != PT_OK)
		return ret;
	ret = store_prepare(st,
	                    fqdn ? "DELETE FROM gm_rulesets WHERE host_id = ?"
	                         : "DELETE FROM gm_rulesets WHERE group_id = ?",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, tid);
	if ((ret = store_run(st, s, err, _("remove rules"))) != PT_OK)
		return ret;
	if (sqlite3_changes(store_db(st)) == 0)
		return pt_fail(err, PT_NOTFOUND, _("%s has no rules"), fqdn ? fqdn : group);
	return audit_append(st, "gridmap.rules.rm", fqdn ? fqdn : group, "", err);
}

static char *
xstrdup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* Load rule set id with its rows. */
static enum pt_status
ruleset_load(struct store *st, int64_t id, struct gs_ruleset **out, struct pt_err *err)
{
	struct gs_ruleset *rs = calloc(1, sizeof(*rs));
	sqlite3_stmt *s = NULL, *v = NULL;
	enum pt_status ret;
	size_t cap = 0;
	int rc;

	*out = NULL;
	if (!rs)
		return nomem(err);
	ret = store_prepare(st,
	                    "SELECT r.id, h.fqdn, g.name, r.source, r.text, r.imported_at"
	                    " FROM gm_rulesets r LEFT JOIN hosts h ON h.id = r.host_id"
	                    " LEFT JOIN groups g ON g.id = r.group_id WHERE r.id = ?",
	                    &s, err);
	if (ret != PT_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		ret = rc == SQLITE_DONE ? pt_fail(err, PT_NOTFOUND, _("no such rules"))
		                        : store_fail(st, rc, err, _("read the rules"));
		goto fail;
	}
	rs->id = sqlite3_column_int64(s, 0);
	rs->host = xstrdup_or_null(store_text(s, 1));
	rs->group = xstrdup_or_null(store_text(s, 2));
	rs->source = strdup(store_text(s, 3));
	rs->text = strdup(store_text(s, 4));
	rs->imported_at = (time_t)sqlite3_column_int64(s, 5);
	sqlite3_finalize(s);
	if (!rs->source || !rs->text || (!rs->host && !rs->group)) {
		ret = nomem(err);
		goto fail;
	}
	ret = store_prepare(st,
	                    "SELECT line, kind, value, account FROM gm_rules WHERE ruleset_id = ?"
	                    " ORDER BY seq",
	                    &s, err);
	if (ret != PT_OK)
		goto fail;
	ret = store_prepare(st,
	                    "SELECT v.name, EXISTS (SELECT 1 FROM vo_snapshots n WHERE n.vo_id = v.id)"
	                    " FROM vo_uris u JOIN vos v ON v.id = u.vo_id WHERE u.uri = ?",
	                    &v, err);
	if (ret != PT_OK) {
		sqlite3_finalize(s);
		goto fail;
	}
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gs_rule *r;
		const char *kind = store_text(s, 1);

		if (rs->nrules == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct gs_rule *nr = realloc(rs->rules, nc * sizeof(*nr));

			if (!nr)
				break;
			rs->rules = nr;
			cap = nc;
		}
		r = &rs->rules[rs->nrules++];
		memset(r, 0, sizeof(*r));
		r->line = (unsigned)sqlite3_column_int(s, 0);
		r->kind = strdup(kind);
		r->value = strdup(store_text(s, 2));
		r->account = strdup(store_text(s, 3));
		if (!strcmp(kind, "group") || !strcmp(kind, "auth")) {
			sqlite3_reset(v);
			sqlite3_bind_text(v, 1, r->value ? r->value : "", -1, SQLITE_TRANSIENT);
			if (sqlite3_step(v) == SQLITE_ROW) {
				r->vo = strdup(store_text(v, 0));
				r->imported = sqlite3_column_int(v, 1) != 0;
			}
		}
		if (!r->vo)
			r->vo = strdup("");
		if (!r->kind || !r->value || !r->account || !r->vo)
			break;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(v);
	if (rc == SQLITE_ROW) {
		ret = nomem(err);
		goto fail;
	}
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("read the rules"));
		goto fail;
	}
	*out = rs;
	return PT_OK;
fail:
	gridstore_ruleset_free(&rs);
	return ret;
}

enum pt_status
gridstore_rules_get(struct store *st, const char *fqdn, const char *group,
                    struct gs_ruleset **out, struct pt_err *err)
{
	enum pt_status ret;
	int64_t tid, id;
	int found;

	*out = NULL;
	ret = fqdn ? host_id(st, fqdn, &tid, err) : group_id(st, group, &tid, err);
	if (ret != PT_OK)
		return ret;
	{
		sqlite3_stmt *s = NULL;
		int rc;

		ret = store_prepare(st,
		                    fqdn ? "SELECT id FROM gm_rulesets WHERE host_id = ?"
		                         : "SELECT id FROM gm_rulesets WHERE group_id = ?",
		                    &s, err);
		if (ret != PT_OK)
			return ret;
		sqlite3_bind_int64(s, 1, tid);
		rc = sqlite3_step(s);
		found = rc == SQLITE_ROW;
		if (found)
			id = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_fail(st, rc, err, _("read the rules"));
	}
	if (!found)
		return pt_fail(err, PT_NOTFOUND, _("%s has no rules"), fqdn ? fqdn : group);
	return ruleset_load(st, id, out, err);
}

enum pt_status
gridstore_rules_for_host(struct store *st, const char *fqdn, struct gs_ruleset **out,
                         struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid, id = 0;
	int found, rc, n = 0;
	char groups[256] = "";

	*out = NULL;
	if ((ret = host_id(st, fqdn, &hid, err)) != PT_OK)
		return ret;
	ret = lookup_id(st,
	                "SELECT r.id FROM gm_rulesets r JOIN hosts h ON h.id = r.host_id"
	                " WHERE h.fqdn = ?",
	                fqdn, &id, &found, err);
	if (ret != PT_OK)
		return ret;
	if (found)
		return ruleset_load(st, id, out, err);
	ret = store_prepare(st,
	                    "SELECT r.id, g.name FROM gm_rulesets r"
	                    " JOIN host_groups hg ON hg.group_id = r.group_id"
	                    " JOIN groups g ON g.id = r.group_id"
	                    " WHERE hg.host_id = ? ORDER BY g.name",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t l = strlen(groups);

		if (n++ == 0)
			id = sqlite3_column_int64(s, 0);
		snprintf(groups + l, sizeof(groups) - l, "%s@%s", l ? ", " : "", store_text(s, 1));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("read the rules"));
	if (n == 0)
		return pt_fail(err, PT_NOTFOUND,
		               _("host %s has no rules, nor has any of its groups (passtore gridmap rules import)"),
		               fqdn);
	if (n > 1)
		return pt_fail(err, PT_REFUSED,
		               _("host %s is in several groups with rules (%s): give the host its own"),
		               fqdn, groups);
	return ruleset_load(st, id, out, err);
}

enum pt_status
gridstore_rules_hosts(struct store *st, int (*cb)(const char *fqdn, void *ud), void *ud,
                      struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char **names = NULL;
	size_t n = 0;
	int rc;

	ret = store_prepare(st,
	                    "SELECT h.fqdn FROM hosts h WHERE"
	                    " EXISTS (SELECT 1 FROM gm_rulesets r WHERE r.host_id = h.id) OR"
	                    " EXISTS (SELECT 1 FROM host_groups hg JOIN gm_rulesets r"
	                    "  ON r.group_id = hg.group_id WHERE hg.host_id = h.id)"
	                    " ORDER BY h.fqdn",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (!strv_add(&names, &n, store_text(s, 0)))
			break;
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		ret = nomem(err);
	else if (rc != SQLITE_DONE)
		ret = store_fail(st, rc, err, _("read the hosts"));
	for (size_t i = 0; ret == PT_OK && i < n; i++)
		if (cb(names[i], ud))
			break;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

/* ---- bans and local entries -------------------------------------------- */

static enum pt_status
check_text(const char *what, const char *s, struct pt_err *err)
{
	if (!*s)
		return pt_fail(err, PT_INVALID, _("empty %s"), what);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return pt_fail(err, PT_INVALID, _("%s with a control character"), what);
	if (strlen(s) > GRIDMAP_MAX_DN)
		return pt_fail(err, PT_INVALID, _("%s longer than %d bytes"), what, GRIDMAP_MAX_DN);
	return PT_OK;
}

enum pt_status
gridstore_ban(struct store *st, const char *pattern, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = check_text(_("ban"), pattern, err)) != PT_OK)
		return ret;
	if (pattern[0] != '/' && pattern[0] != '*')
		return pt_fail(err, PT_INVALID,
		               _("\"%s\" is not a DN or pattern in /C=../CN=.. form"), pattern);
	ret = store_prepare(st, "INSERT INTO gm_bans (pattern, created_at) VALUES (?, ?)", &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return pt_fail(err, PT_EXISTS, _("%s is already banned"), pattern);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("add ban"));
	return audit_append(st, "gridmap.ban", pattern, "", err);
}

enum pt_status
gridstore_unban(struct store *st, const char *pattern, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = store_prepare(st, "DELETE FROM gm_bans WHERE pattern = ?", &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, pattern, -1, SQLITE_STATIC);
	if ((ret = store_run(st, s, err, _("remove ban"))) != PT_OK)
		return ret;
	if (sqlite3_changes(store_db(st)) == 0)
		return pt_fail(err, PT_NOTFOUND, _("%s is not banned"), pattern);
	return audit_append(st, "gridmap.unban", pattern, "", err);
}

enum pt_status
gridstore_ban_foreach(struct store *st, int (*cb)(const char *pattern, time_t at, void *ud),
                      void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st, "SELECT pattern, created_at FROM gm_bans ORDER BY pattern", &s, err);
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(store_text(s, 0), (time_t)sqlite3_column_int64(s, 1), ud)) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the bans"));
}

enum pt_status
gridstore_local_add(struct store *st, const char *dn, const char *account, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = check_text(_("DN"), dn, err)) != PT_OK ||
	    (ret = gridmap_check_dn(_("DN"), 0, dn, err)) != PT_OK)
		return ret;
	if (strchr(dn, '"') || dn[strlen(dn) - 1] == '\\')
		return pt_fail(err, PT_INVALID,
		               _("a DN with a double quote or a trailing backslash cannot be written in a grid-mapfile"));
	if (!gridmap_account_valid(account))
		return pt_fail(err, PT_INVALID, _("\"%s\" is not an account (NAME or .POOL)"),
		               account);
	ret = store_prepare(st, "INSERT INTO gm_local (dn, account, created_at) VALUES (?, ?, ?)", &s,
	                    err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, dn, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return pt_fail(err, PT_EXISTS, _("%s already has a local entry"), dn);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("add local entry"));
	return audit_append(st, "gridmap.local.add", dn, account, err);
}

enum pt_status
gridstore_local_rm(struct store *st, const char *dn, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = store_prepare(st, "DELETE FROM gm_local WHERE dn = ?", &s, err)) != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, dn, -1, SQLITE_STATIC);
	if ((ret = store_run(st, s, err, _("remove local entry"))) != PT_OK)
		return ret;
	if (sqlite3_changes(store_db(st)) == 0)
		return pt_fail(err, PT_NOTFOUND, _("no local entry for %s"), dn);
	return audit_append(st, "gridmap.local.rm", dn, "", err);
}

enum pt_status
gridstore_local_foreach(struct store *st,
                        int (*cb)(const char *dn, const char *account, void *ud), void *ud,
                        struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st, "SELECT dn, account FROM gm_local ORDER BY dn", &s, err);
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(store_text(s, 0), store_text(s, 1), ud)) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the local entries"));
}

/* ---- VOMS servers ------------------------------------------------------------ */

/* Split "DN;DN;..." into trimmed DNs, in place. */
static size_t
split_chain(char *s, char **dns, size_t max)
{
	size_t n = 0;
	char *p = s;

	while (p && n < max) {
		char *e = strchr(p, GRIDSTORE_CHAIN_SEP), *a, *b;

		if (e)
			*e = '\0';
		for (a = p; *a == ' ' || *a == '\t'; a++)
			;
		for (b = a + strlen(a); b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
			;
		*b = '\0';
		dns[n++] = a;
		p = e ? e + 1 : NULL;
	}
	return p ? max + 1 : n;
}

#define MAX_CHAIN 8
#define MAX_CHAINS 8

/* The .lsc text of a server from its fields. */
static enum pt_status
lsc_of(const char *server_dn, const char *ca_dn, const char *chains, char **out,
       struct pt_err *err)
{
	struct gm_cert certs[MAX_CHAINS + 1][MAX_CHAIN];
	struct gm_chain ch[MAX_CHAINS + 1];
	char *copy = strdup(chains), *line, *save = NULL;
	size_t nch = 1;
	enum pt_status ret;

	if (!copy)
		return nomem(err);
	certs[0][0] = (struct gm_cert){ server_dn, ca_dn };
	ch[0] = (struct gm_chain){ certs[0], 1 };
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *dns[MAX_CHAIN + 1];
		size_t n = split_chain(line, dns, MAX_CHAIN + 1);

		if (nch > MAX_CHAINS) {
			free(copy);
			return pt_fail(err, PT_INVALID, _("more than %d alternative chains"),
			               MAX_CHAINS);
		}
		if (n < 2 || n > MAX_CHAIN + 1) {
			/* line points into copy: the message first */
			ret = pt_fail(err, PT_INVALID,
			              _("a chain is \"SERVER-DN;ISSUER-DN[;ISSUER-DN...]\" (at most %d issuers): \"%s\""),
			              MAX_CHAIN, line);
			free(copy);
			return ret;
		}
		/* another chain of the same server: renewed under another CA */
		if (strcmp(dns[0], server_dn) != 0) {
			ret = pt_fail(err, PT_INVALID,
			              _("an alternative chain starts with the server's DN %s, not %s"),
			              server_dn, dns[0]);
			free(copy);
			return ret;
		}
		for (size_t i = 0; i + 1 < n; i++)
			certs[nch][i] = (struct gm_cert){ dns[i], dns[i + 1] };
		ch[nch] = (struct gm_chain){ certs[nch], n - 1 };
		nch++;
	}
	ret = gridmap_lsc(ch, nch, out, err);
	free(copy);
	return ret;
}

enum pt_status
gridstore_voms_add(struct store *st, const char *vo, const char *host, const char *server_dn,
                   const char *ca_dn, const char *const *chains, size_t nchains,
                   struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char *joined = NULL, *lsc = NULL;
	size_t len = 1;
	int64_t id;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	if (!*host || strpbrk(host, "/ \t\r\n") || strlen(host) > 253 || host[0] == '.')
		return pt_fail(err, PT_INVALID, _("\"%s\" is not a host name"), host);
	if ((ret = gridmap_check_dn(_("server DN"), 0, server_dn, err)) != PT_OK ||
	    (ret = gridmap_check_dn(_("CA DN"), 0, ca_dn, err)) != PT_OK)
		return ret;
	for (size_t i = 0; i < nchains; i++) {
		if (strchr(chains[i], '\n'))
			return pt_fail(err, PT_INVALID, _("a chain is one line"));
		len += strlen(chains[i]) + 1;
	}
	if ((joined = calloc(1, len)) == NULL)
		return nomem(err);
	for (size_t i = 0; i < nchains; i++) {
		if (i)
			strcat(joined, "\n");
		strcat(joined, chains[i]);
	}
	if ((ret = lsc_of(server_dn, ca_dn, joined, &lsc, err)) != PT_OK)
		goto out;
	ret = store_prepare(st,
	                    "INSERT OR REPLACE INTO voms_servers (vo_id, host, server_dn, ca_dn,"
	                    " chains, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	                    &s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, server_dn, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, ca_dn, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, joined, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	if ((ret = store_run(st, s, err, _("add VOMS server"))) != PT_OK)
		goto out;
	ret = audit_appendf(st, "voms.add", vo, err, "host=%s dn=%s chains=%zu", host, server_dn,
	                    nchains);
out:
	free(joined);
	free(lsc);
	return ret;
}

enum pt_status
gridstore_voms_foreach(struct store *st, const char *vo,
                       int (*cb)(const struct gs_voms *v, void *ud), void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st,
	                    "SELECT v.name, s.host, s.server_dn, s.ca_dn, s.chains FROM voms_servers s"
	                    " JOIN vos v ON v.id = s.vo_id WHERE ?1 IS NULL OR v.name = ?1"
	                    " ORDER BY v.name, s.host",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	if (vo)
		sqlite3_bind_text(s, 1, vo, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gs_voms v = {
			.vo = store_text(s, 0),
			.host = store_text(s, 1),
			.server_dn = store_text(s, 2),
			.ca_dn = store_text(s, 3),
			.chains = store_text(s, 4),
		};
		if (*v.chains) {
			v.nchains = 1;
			for (const char *p = v.chains; *p; p++)
				v.nchains += *p == '\n';
		}
		if (cb(&v, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the VOMS servers"));
}

struct lsc_find {
	const char *host;
	char *lsc;
	enum pt_status ret;
	struct pt_err *err;
	int seen;
};

static int
lsc_find_cb(const struct gs_voms *v, void *ud)
{
	struct lsc_find *f = ud;

	if (strcmp(v->host, f->host) != 0)
		return 0;
	f->seen = 1;
	f->ret = lsc_of(v->server_dn, v->ca_dn, v->chains, &f->lsc, f->err);
	return 1;
}

enum pt_status
gridstore_voms_lsc(struct store *st, const char *vo, const char *host, char **out,
                   struct pt_err *err)
{
	struct lsc_find f = { host, NULL, PT_OK, err, 0 };
	enum pt_status ret;
	int64_t id;

	*out = NULL;
	if ((ret = vo_id(st, vo, &id, err)) != PT_OK)
		return ret;
	if ((ret = gridstore_voms_foreach(st, vo, lsc_find_cb, &f, err)) != PT_OK)
		return ret;
	if (!f.seen)
		return pt_fail(err, PT_NOTFOUND, _("VO %s has no VOMS server %s"), vo, host);
	if (f.ret == PT_OK)
		*out = f.lsc;
	return f.ret;
}

/* ---- build ------------------------------------------------------------------- */

void
gridstore_build_free(struct gs_build **bp)
{
	struct gs_build *b;

	if (!bp || !*bp)
		return;
	b = *bp;
	gridstore_ruleset_free(&b->rules);
	gridmap_result_free(&b->result);
	for (size_t i = 0; i < b->nfiles; i++) {
		free(b->files[i].path);
		free(b->files[i].text);
	}
	free(b->files);
	for (size_t i = 0; i < b->nignored; i++)
		free(b->ignored_files[i]);
	free(b->ignored_files);
	free(b);
	*bp = NULL;
}

struct vo_lists {
	int64_t id;
	char *name;
	struct gm_members *m;
};

struct build_ctx {
	struct store *st;
	struct vo_lists *vos;
	size_t nvos;
	struct gm_source *src;
	size_t nsrc;
	char **bans;
	size_t nbans;
	struct gm_members *local;
	struct gs_build *b;
	struct pt_err *err;
	enum pt_status ret;
};

/* The source of one URI, loading the VO's list once. */
static enum pt_status
add_source(struct build_ctx *c, const char *uri)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id = 0;
	char *name = NULL;
	int rc, has = 0;
	size_t i;

	for (i = 0; i < c->nsrc; i++)
		if (!strcmp(c->src[i].uri, uri))
			return PT_OK;
	ret = store_prepare(c->st,
	                    "SELECT v.id, v.name, EXISTS (SELECT 1 FROM vo_snapshots n"
	                    " WHERE n.vo_id = v.id) FROM vo_uris u JOIN vos v ON v.id = u.vo_id"
	                    " WHERE u.uri = ?",
	                    &s, c->err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, uri, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		name = strdup(store_text(s, 1));
		has = sqlite3_column_int(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(c->st, rc, c->err, _("look up VO"));
	if (rc == SQLITE_DONE)
		return PT_OK;
	if (!name)
		return nomem(c->err);
	for (i = 0; i < c->nvos && c->vos[i].id != id; i++)
		;
	if (i == c->nvos) {
		struct vo_lists *nv = realloc(c->vos, (c->nvos + 1) * sizeof(*nv));

		if (!nv) {
			free(name);
			return nomem(c->err);
		}
		c->vos = nv;
		nv[i] = (struct vo_lists){ id, name, NULL };
		c->nvos++;
		if (has && (ret = members_of(c->st, id, true, &nv[i].m, c->err)) != PT_OK)
			return ret;
	} else {
		free(name);
	}
	if (!c->vos[i].m)
		return PT_OK;  /* never imported: gridmap_build lists it as missing */
	{
		struct gm_source *ns = realloc(c->src, (c->nsrc + 1) * sizeof(*ns));

		if (!ns)
			return nomem(c->err);
		c->src = ns;
		ns[c->nsrc++] = (struct gm_source){ uri, c->vos[i].m };
	}
	return PT_OK;
}

static int
ban_cb(const char *pattern, time_t at, void *ud)
{
	struct build_ctx *c = ud;

	(void)at;
	if (!strv_add(&c->bans, &c->nbans, pattern)) {
		c->ret = nomem(c->err);
		return 1;
	}
	return 0;
}

static int
local_cb(const char *dn, const char *account, void *ud)
{
	struct build_ctx *c = ud;

	c->ret = gridmap_members_add(c->local, dn, NULL, NULL, account, 0, c->err);
	return c->ret != PT_OK;
}

static int
add_file(struct gs_build *b, const char *path, char *text)
{
	struct gs_file *nf = realloc(b->files, (b->nfiles + 1) * sizeof(*nf));

	if (!nf)
		return 0;
	b->files = nf;
	nf[b->nfiles].path = strdup(path);
	nf[b->nfiles].text = text;
	nf[b->nfiles].len = strlen(text);
	if (!nf[b->nfiles].path)
		return 0;
	b->nfiles++;
	return 1;
}

static int
lsc_file_cb(const struct gs_voms *v, void *ud)
{
	struct build_ctx *c = ud;
	char *lsc = NULL, *path = NULL;

	c->ret = lsc_of(v->server_dn, v->ca_dn, v->chains, &lsc, c->err);
	if (c->ret != PT_OK)
		return 1;
	if (asprintf(&path, "vomsdir/%s/%s.lsc", v->vo, v->host) < 0 || !add_file(c->b, path, lsc)) {
		free(path);
		free(lsc);
		c->ret = nomem(c->err);
		return 1;
	}
	free(path);
	return 0;
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct gs_file *)a)->path, ((const struct gs_file *)b)->path);
}

static enum pt_status
files_sha256(struct gs_build *b, struct pt_err *err)
{
	gnutls_hash_hd_t h;
	unsigned char dig[32];
	char num[32];

	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) != 0)
		return pt_fail(err, PT_CRYPTO, "%s", _(pt_status_msg(PT_CRYPTO)));
	for (size_t i = 0; i < b->nfiles; i++) {
		int n = snprintf(num, sizeof(num), "%zu", b->files[i].len);

		gnutls_hash(h, b->files[i].path, strlen(b->files[i].path) + 1);
		gnutls_hash(h, num, (size_t)n + 1);
		gnutls_hash(h, b->files[i].text, b->files[i].len);
	}
	gnutls_hash_deinit(h, dig);
	for (size_t i = 0; i < 32; i++)
		snprintf(b->sha256 + 2 * i, 3, "%02x", dig[i]);
	return PT_OK;
}

enum pt_status
gridstore_build(struct store *st, const char *fqdn, struct gs_build **out, struct pt_err *err)
{
	struct build_ctx c = { .st = st, .err = err, .ret = PT_OK };
	struct gm_rules *rules = NULL;
	struct gs_build *b;
	enum pt_status ret;
	size_t i;

	*out = NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return nomem(err);
	c.b = b;
	if ((ret = gridstore_rules_for_host(st, fqdn, &b->rules, err)) != PT_OK)
		goto out;
	ret = gridmap_rules_parse(b->rules->source, b->rules->text, strlen(b->rules->text), &rules,
	                          err);
	if (ret != PT_OK)
		goto out;
	for (i = 0; i < rules->ngroups && ret == PT_OK; i++)
		ret = add_source(&c, rules->groups[i].uri);
	for (i = 0; i < rules->nauths && ret == PT_OK; i++)
		ret = add_source(&c, rules->auths[i]);
	if (ret != PT_OK)
		goto out;
	for (i = 0; i < rules->nlocal_files; i++)
		if (!strv_add(&b->ignored_files, &b->nignored, rules->local_files[i])) {
			ret = nomem(err);
			goto out;
		}
	if ((c.local = gridmap_members_new(GM_FMT_LOCAL)) == NULL) {
		ret = nomem(err);
		goto out;
	}
	if ((ret = gridstore_local_foreach(st, local_cb, &c, err)) != PT_OK ||
	    (ret = c.ret) != PT_OK)
		goto out;
	if ((ret = gridstore_ban_foreach(st, ban_cb, &c, err)) != PT_OK || (ret = c.ret) != PT_OK)
		goto out;
	ret = gridmap_build(rules, c.src, c.nsrc, c.local, (const char *const *)c.bans, c.nbans,
	                    &b->result, err);
	if (ret != PT_OK)
		goto out;
	{
		char *gm = strdup(b->result->text);

		if (!gm || !add_file(b, "grid-mapfile", gm)) {
			free(gm);
			ret = nomem(err);
			goto out;
		}
	}
	for (i = 0; i < c.nvos && ret == PT_OK; i++) {
		ret = gridstore_voms_foreach(st, c.vos[i].name, lsc_file_cb, &c, err);
		if (ret == PT_OK)
			ret = c.ret;
	}
	if (ret != PT_OK)
		goto out;
	if (b->nfiles > 2)
		qsort(b->files + 1, b->nfiles - 1, sizeof(*b->files), cmp_file);
	ret = files_sha256(b, err);
out:
	gridmap_rules_free(&rules);
	for (i = 0; i < c.nvos; i++) {
		free(c.vos[i].name);
		gridmap_members_free(&c.vos[i].m);
	}
	free(c.vos);
	free(c.src);
	for (i = 0; i < c.nbans; i++)
		free(c.bans[i]);
	free(c.bans);
	gridmap_members_free(&c.local);
	if (ret == PT_OK)
		*out = b;
	else
		gridstore_build_free(&b);
	return ret;
}

/* ---- pushes ------------------------------------------------------------------ */

enum pt_status
gridstore_push_record(struct store *st, const char *fqdn, const char *sha256,
                      const char *outcome, const char *detail, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if (strcmp(outcome, "ok") != 0 && strcmp(outcome, "failed") != 0)
		return pt_fail(err, PT_ERR, _("internal error: push outcome %s"), outcome);
	if ((ret = host_id(st, fqdn, &hid, err)) != PT_OK)
		return ret;
	ret = store_prepare(st,
	                    "INSERT INTO gm_pushes (host_id, pushed_at, sha256, outcome, detail)"
	                    " VALUES (?, ?, ?, ?, ?)",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(s, 3, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, detail ? detail : "", -1, SQLITE_STATIC);
	if ((ret = store_run(st, s, err, _("record push"))) != PT_OK)
		return ret;
	return audit_appendf(st, "gridmap.push", fqdn, err, "%s sha256=%s%s%s", outcome, sha256,
	                     detail && *detail ? " " : "", detail ? detail : "");
}

/* A build depends on the rule set and on site-wide data only: hosts that
 * follow the same rule set (a group's) share one build. */
struct status_build {
	int64_t ruleset;
	char sha256[65];
	char error[512];
};

struct status_ctx {
	struct store *st;
	int (*cb)(const struct gs_push_status *p, void *ud);
	void *ud;
	struct pt_err *err;
	enum pt_status ret;
	struct status_build *builds;
	size_t nbuilds;
};

/* The build of fqdn, made once per rule set. */
static const struct status_build *
status_build_of(struct status_ctx *c, const char *fqdn)
{
	struct status_build sb = { 0 }, *nb;
	struct gs_ruleset *rs = NULL;
	struct gs_build *b = NULL;
	struct pt_err berr = { 0 };

	if (gridstore_rules_for_host(c->st, fqdn, &rs, &berr) == PT_OK) {
		sb.ruleset = rs->id;
		gridstore_ruleset_free(&rs);
		for (size_t i = 0; i < c->nbuilds; i++)
			if (c->builds[i].ruleset == sb.ruleset)
				return &c->builds[i];
		if (gridstore_build(c->st, fqdn, &b, &berr) == PT_OK)
			memcpy(sb.sha256, b->sha256, sizeof(sb.sha256));
		gridstore_build_free(&b);
	}
	if (!*sb.sha256)
		snprintf(sb.error, sizeof(sb.error), "%s", berr.detail);
	if ((nb = realloc(c->builds, (c->nbuilds + 1) * sizeof(*nb))) == NULL)
		return NULL;
	c->builds = nb;
	nb[c->nbuilds] = sb;
	return &nb[c->nbuilds++];
}

static int
status_host_cb(const char *fqdn, void *ud)
{
	struct status_ctx *c = ud;
	struct gs_push_status p = { .fqdn = fqdn };
	const struct status_build *sb;
	sqlite3_stmt *s = NULL;
	char *okhash = NULL, *lastout = NULL, *lastdet = NULL;
	int stop;

	c->ret = store_prepare(c->st,
	                       "SELECT p.pushed_at, p.sha256 FROM gm_pushes p JOIN hosts h"
	                       " ON h.id = p.host_id WHERE h.fqdn = ? AND p.outcome = 'ok'"
	                       " ORDER BY p.id DESC LIMIT 1",
	                       &s, c->err);
	if (c->ret != PT_OK)
		return 1;
	sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		p.pushed_at = (time_t)sqlite3_column_int64(s, 0);
		okhash = strdup(store_text(s, 1));
	}
	sqlite3_finalize(s);
	c->ret = store_prepare(c->st,
	                       "SELECT p.pushed_at, p.outcome, p.detail FROM gm_pushes p JOIN hosts h"
	                       " ON h.id = p.host_id WHERE h.fqdn = ? ORDER BY p.id DESC LIMIT 1",
	                       &s, c->err);
	if (c->ret != PT_OK) {
		free(okhash);
		return 1;
	}
	sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		p.tried_at = (time_t)sqlite3_column_int64(s, 0);
		lastout = strdup(store_text(s, 1));
		lastdet = strdup(store_text(s, 2));
	}
	sqlite3_finalize(s);
	p.pushed_sha256 = okhash ? okhash : "";
	p.last_outcome = lastout ? lastout : "";
	p.last_detail = lastdet ? lastdet : "";
	if ((sb = status_build_of(c, fqdn)) == NULL) {
		free(okhash);
		free(lastout);
		free(lastdet);
		c->ret = nomem(c->err);
		return 1;
	}
	p.build_sha256 = sb->sha256;
	p.build_error = sb->error;
	p.behind = !okhash || !*sb->sha256 || strcmp(okhash, sb->sha256) != 0;
	stop = c->cb(&p, c->ud);
	free(okhash);
	free(lastout);
	free(lastdet);
	return stop;
}

enum pt_status
gridstore_push_status_foreach(struct store *st,
                              int (*cb)(const struct gs_push_status *p, void *ud), void *ud,
                              struct pt_err *err)
{
	struct status_ctx c = { st, cb, ud, err, PT_OK, NULL, 0 };
	enum pt_status ret;

	ret = gridstore_rules_hosts(st, status_host_cb, &c, err);
	free(c.builds);
	return ret != PT_OK ? ret : c.ret;
}

/* gridstore-rules.c - the mkgridmap rules of hosts and groups in the store. */
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
		v[k++] = (struct rule_row){ r->acl[i].line,
			                    r->acl[i].kind == GM_ALLOW ? "allow" : "deny",
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
		ret = gs_host_id(st, fqdn, &tid, err);
	else
		ret = gs_group_id(st, group, &tid, err);
	if (ret != PT_OK)
		return ret;
	if (memchr(text, '\0', len))
		return pt_fail(err, PT_INVALID, _("%s: not a text file (NUL byte)"), source);
	if ((ret = gridmap_rules_parse(source, text, len, &r, err)) != PT_OK)
		return ret;
	if ((rows = rule_rows(r, &nrows)) == NULL) {
		ret = gs_nomem(err);
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
	ret = fqdn ? gs_host_id(st, fqdn, &tid, err) : gs_group_id(st, group, &tid, err);
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
		return gs_nomem(err);
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
		ret = gs_nomem(err);
		goto fail;
	}
	ret = store_prepare(st,
	                    "SELECT line, kind, value, account FROM gm_rules WHERE ruleset_id = ?"
	                    " ORDER BY seq",
	                    &s, err);
	if (ret != PT_OK)
		goto fail;
	ret = store_prepare(
		st,
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
		ret = gs_nomem(err);
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
gridstore_rules_get(struct store *st, const char *fqdn, const char *group, struct gs_ruleset **out,
                    struct pt_err *err)
{
	enum pt_status ret;
	int64_t tid, id;
	int found;

	*out = NULL;
	ret = fqdn ? gs_host_id(st, fqdn, &tid, err) : gs_group_id(st, group, &tid, err);
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
	if ((ret = gs_host_id(st, fqdn, &hid, err)) != PT_OK)
		return ret;
	ret = gs_lookup_id(st,
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
		return pt_fail(
			err, PT_NOTFOUND,
			_("host %s has no rules, nor has any of its groups (passtore gridmap rules import)"),
			fqdn);
	if (n > 1)
		return pt_fail(
			err, PT_REFUSED,
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
		if (!gs_strv_add(&names, &n, store_text(s, 0)))
			break;
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		ret = gs_nomem(err);
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

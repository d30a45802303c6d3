/* gridstore-build.c - a host's build from the store, and the pushes
 * that record where each build went. */
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
	for (size_t i = 0; i < b->nlsc_fail; i++) {
		free(b->lsc_fail[i].vo);
		free(b->lsc_fail[i].host);
		free(b->lsc_fail[i].why);
	}
	free(b->lsc_fail);
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
	struct gm_index seen; /* URIs looked up already, found or not */
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

	/* one look-up per URI, whatever the number of rules naming it */
	if (gm_index_get(&c->seen, uri, NULL))
		return PT_OK;
	if (!gm_index_put(&c->seen, uri, 0))
		return gs_nomem(c->err);
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
		return gs_nomem(c->err);
	for (i = 0; i < c->nvos && c->vos[i].id != id; i++)
		;
	if (i == c->nvos) {
		struct vo_lists *nv = realloc(c->vos, (c->nvos + 1) * sizeof(*nv));

		if (!nv) {
			free(name);
			return gs_nomem(c->err);
		}
		c->vos = nv;
		nv[i] = (struct vo_lists){ id, name, NULL };
		c->nvos++;
		if (has && (ret = gs_members_of(c->st, id, true, &nv[i].m, c->err)) != PT_OK)
			return ret;
	} else {
		free(name);
	}
	if (!c->vos[i].m)
		return PT_OK; /* never imported: gridmap_build lists it as missing */
	if (!gm_grow(&c->src, c->nsrc, sizeof(*c->src)))
		return gs_nomem(c->err);
	c->src[c->nsrc++] = (struct gm_source){ uri, c->vos[i].m };
	return PT_OK;
}

static int
ban_cb(const char *pattern, time_t at, void *ud)
{
	struct build_ctx *c = ud;

	(void)at;
	if (!gs_strv_add(&c->bans, &c->nbans, pattern)) {
		c->ret = gs_nomem(c->err);
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

/* Take text (malloc'd) as the file path of the build; 0: no memory
 * (text is the caller's again). */
static int
add_file(struct gs_build *b, const char *path, char *text, enum gs_file_kind kind)
{
	struct gs_file *nf = realloc(b->files, (b->nfiles + 1) * sizeof(*nf));

	if (!nf)
		return 0;
	b->files = nf;
	nf[b->nfiles] = (struct gs_file){ .path = strdup(path),
		                          .text = text,
		                          .len = strlen(text),
		                          .kind = kind,
		                          .wanted = (b->want & kind) != 0 };
	if (!nf[b->nfiles].path)
		return 0;
	b->nfiles++;
	return 1;
}

/* The .lsc file and the vomses file of one VOMS server. */
static int
lsc_file_cb(const struct gs_voms *v, void *ud)
{
	struct build_ctx *c = ud;
	struct gm_vomses vl = { v->vo, v->host, v->port, v->server_dn, v->vo };
	char *lsc = NULL, *path = NULL, *line = NULL;

	c->ret = gs_lsc_of(v->server_dn, v->ca_dn, v->chains, &lsc, c->err);
	if (c->ret != PT_OK)
		return 1;
	if (asprintf(&path, "vomsdir/%s/%s.lsc", v->vo, v->host) < 0 ||
	    !add_file(c->b, path, lsc, GS_FILE_LSC)) {
		free(path);
		free(lsc);
		c->ret = gs_nomem(c->err);
		return 1;
	}
	free(path);
	path = NULL;
	if ((c->ret = gridmap_vomses_line(&vl, &line, c->err)) != PT_OK)
		return 1;
	if (asprintf(&path, "vomses/%s-%s", v->vo, v->host) < 0 ||
	    !add_file(c->b, path, line, GS_FILE_VOMSES)) {
		free(path);
		free(line);
		c->ret = gs_nomem(c->err);
		return 1;
	}
	free(path);
	return 0;
}

/* FQAN mappings of the VOs the rules name, kept for the voms-mapfile. */
struct fqan_ctx {
	struct build_ctx *c;
	char **fqan, **account;
	size_t n, na;
};

static int
fqan_cb(const struct gs_fqan_map *m, void *ud)
{
	struct fqan_ctx *f = ud;
	size_t i;

	for (i = 0; i < f->c->nvos && strcmp(f->c->vos[i].name, m->vo) != 0; i++)
		;
	if (i == f->c->nvos)
		return 0;
	if (!gs_strv_add(&f->fqan, &f->n, m->fqan) ||
	    !gs_strv_add(&f->account, &f->na, m->account)) {
		f->c->ret = gs_nomem(f->c->err);
		return 1;
	}
	return 0;
}

/* The voms-mapfile and the ban-mapfile of the build. */
static enum pt_status
authz_files(struct build_ctx *c)
{
	struct fqan_ctx f = { .c = c };
	struct gm_fqan_map *maps = NULL;
	enum pt_status ret;
	char *text = NULL;
	size_t i;

	ret = gridstore_fqan_foreach(c->st, NULL, fqan_cb, &f, c->err);
	if (ret == PT_OK)
		ret = c->ret;
	if (ret == PT_OK && (maps = calloc(f.n ? f.n : 1, sizeof(*maps))) == NULL)
		ret = gs_nomem(c->err);
	for (i = 0; ret == PT_OK && i < f.n; i++)
		maps[i] = (struct gm_fqan_map){ f.fqan[i], f.account[i] };
	if (ret == PT_OK)
		ret = gridmap_voms_mapfile(maps, f.n, &text, c->err);
	if (ret == PT_OK && !add_file(c->b, "voms-mapfile", text, GS_FILE_VOMS_MAPFILE))
		ret = gs_nomem(c->err);
	else if (ret == PT_OK)
		text = NULL;
	c->b->nfqan = f.n;
	free(text);
	text = NULL;
	free(maps);
	gm_strv_free(f.fqan, f.n);
	gm_strv_free(f.account, f.na);
	if (ret != PT_OK)
		return ret;
	ret = gridmap_ban_mapfile((const char *const *)c->bans, c->nbans, &text,
	                          &c->b->bans_skipped, c->err);
	if (ret != PT_OK)
		return ret;
	c->b->nbans = c->nbans - c->b->bans_skipped;
	if (!add_file(c->b, "ban-mapfile", text, GS_FILE_BAN_MAPFILE)) {
		free(text);
		return gs_nomem(c->err);
	}
	return PT_OK;
}

/* A failing chain kept by the build. */
static int
lsc_fail_cb(const struct gs_lsc_result *r, void *ud)
{
	struct build_ctx *c = ud;
	struct gs_lsc_fail *nf;

	if (r->verdict == GM_LSC_OK)
		return 0;
	if ((nf = realloc(c->b->lsc_fail, (c->b->nlsc_fail + 1) * sizeof(*nf))) == NULL)
		goto oom;
	c->b->lsc_fail = nf;
	nf += c->b->nlsc_fail++;
	*nf = (struct gs_lsc_fail){ strdup(r->vo), strdup(r->host), strdup(r->why), r->chain,
		                    r->verdict };
	if (nf->vo && nf->host && nf->why)
		return 0;
oom:
	c->ret = gs_nomem(c->err);
	return 1;
}

/* The chains of the VOMS servers of the build's VOs, checked. */
static enum pt_status
lsc_checks(struct build_ctx *c)
{
	const char **names = calloc(c->nvos ? c->nvos : 1, sizeof(*names));
	enum pt_status ret;

	if (!names)
		return gs_nomem(c->err);
	for (size_t i = 0; i < c->nvos; i++)
		names[i] = c->vos[i].name;
	ret = gridstore_lsc_check(c->st, names, c->nvos, lsc_fail_cb, c, c->err);
	free(names);
	return ret != PT_OK ? ret : c->ret;
}

static const char *const kind_names[] = { "grid-mapfile", "voms-mapfile", "ban-mapfile", "vomses",
	                                  "lsc" };

enum gs_file_kind
gridstore_file_kind(const char *name)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (!strcmp(name, kind_names[i]))
			return (enum gs_file_kind)(1u << i);
	return 0;
}

enum pt_status
gridstore_host_files(struct store *st, const char *fqdn, unsigned *mask, struct pt_err *err)
{
	enum pt_status ret;
	char *v = NULL, *save = NULL;

	*mask = 0;
	if ((ret = settings_host_get(st, fqdn, "grid-files", &v, err)) != PT_OK)
		return ret;
	for (char *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save))
		*mask |= (unsigned)gridstore_file_kind(t);
	free(v);
	return PT_OK;
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

		if (!b->files[i].wanted)
			continue;
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
		return gs_nomem(err);
	c.b = b;
	if ((ret = gridstore_rules_for_host(st, fqdn, &b->rules, err)) != PT_OK ||
	    (ret = gridstore_host_files(st, fqdn, &b->want, err)) != PT_OK)
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
		if (!gs_strv_add(&b->ignored_files, &b->nignored, rules->local_files[i])) {
			ret = gs_nomem(err);
			goto out;
		}
	if ((c.local = gridmap_members_new(GM_FMT_LOCAL)) == NULL) {
		ret = gs_nomem(err);
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

		if (!gm || !add_file(b, "grid-mapfile", gm, GS_FILE_GRIDMAPFILE)) {
			free(gm);
			ret = gs_nomem(err);
			goto out;
		}
	}
	if ((ret = authz_files(&c)) != PT_OK)
		goto out;
	for (i = 0; i < c.nvos && ret == PT_OK; i++) {
		ret = gridstore_voms_foreach(st, c.vos[i].name, lsc_file_cb, &c, err);
		if (ret == PT_OK)
			ret = c.ret;
	}
	if (ret == PT_OK && (b->want & GS_FILE_LSC) && c.nvos)
		ret = lsc_checks(&c);
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
	gm_index_free(&c.seen);
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
gridstore_push_record(struct store *st, const char *fqdn, const char *sha256, const char *outcome,
                      const char *detail, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if (strcmp(outcome, "ok") != 0 && strcmp(outcome, "failed") != 0)
		return pt_fail(err, PT_ERR, _("internal error: push outcome %s"), outcome);
	if ((ret = gs_host_id(st, fqdn, &hid, err)) != PT_OK)
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
	unsigned want; /* the files the hosts get: part of the build */
	char sha256[65];
	char error[512];
	struct gs_build *b; /* NULL when it failed */
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

	if (gridstore_rules_for_host(c->st, fqdn, &rs, &berr) == PT_OK &&
	    gridstore_host_files(c->st, fqdn, &sb.want, &berr) == PT_OK) {
		sb.ruleset = rs->id;
		gridstore_ruleset_free(&rs);
		for (size_t i = 0; i < c->nbuilds; i++)
			if (c->builds[i].ruleset == sb.ruleset && c->builds[i].want == sb.want)
				return &c->builds[i];
		if (gridstore_build(c->st, fqdn, &b, &berr) == PT_OK)
			memcpy(sb.sha256, b->sha256, sizeof(sb.sha256));
		sb.b = b;
	}
	gridstore_ruleset_free(&rs);
	if (!*sb.sha256)
		snprintf(sb.error, sizeof(sb.error), "%s", berr.detail);
	if ((nb = realloc(c->builds, (c->nbuilds + 1) * sizeof(*nb))) == NULL) {
		gridstore_build_free(&sb.b);
		return NULL;
	}
	c->builds = nb;
	nb[c->nbuilds] = sb;
	return &nb[c->nbuilds++];
}

/* The files of a host whose content differs from its last push. */
static int
behind_cb(const struct gs_file_diff *d, void *ud)
{
	struct buf *fb = ud;

	if (d->state == GS_FILE_SAME)
		return 0;
	if ((fb->len && !gm_buf_add(fb, ", ", 2)) || !gm_buf_add(fb, d->path, strlen(d->path)))
		return 1;
	return 0;
}

static int
status_host_cb(const char *fqdn, void *ud)
{
	struct status_ctx *c = ud;
	struct gs_push_status p = { .fqdn = fqdn };
	const struct status_build *sb;
	struct buf fb = { 0 };
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
	c->ret = store_prepare(
		c->st,
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
		c->ret = gs_nomem(c->err);
		return 1;
	}
	p.build_sha256 = sb->sha256;
	p.build_error = sb->error;
	p.behind = !okhash || !*sb->sha256 || strcmp(okhash, sb->sha256) != 0;
	p.lsc_failures = sb->b ? sb->b->nlsc_fail : 0;
	if (sb->b && p.pushed_at &&
	    gridstore_push_diff(c->st, fqdn, sb->b, behind_cb, &fb, c->err) != PT_OK) {
		free(okhash);
		free(lastout);
		free(lastdet);
		free(fb.s);
		c->ret = c->err->status;
		return 1;
	}
	p.files_behind = fb.s ? fb.s : "";
	stop = c->cb(&p, c->ud);
	free(fb.s);
	free(okhash);
	free(lastout);
	free(lastdet);
	return stop;
}

enum pt_status
gridstore_push_status_foreach(struct store *st, int (*cb)(const struct gs_push_status *p, void *ud),
                              void *ud, struct pt_err *err)
{
	struct status_ctx c = { st, cb, ud, err, PT_OK, NULL, 0 };
	enum pt_status ret;

	ret = gridstore_rules_hosts(st, status_host_cb, &c, err);
	for (size_t i = 0; i < c.nbuilds; i++)
		gridstore_build_free(&c.builds[i].b);
	free(c.builds);
	return ret != PT_OK ? ret : c.ret;
}

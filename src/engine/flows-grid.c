/* flows-grid.c - grid-mapfile and vomsdir files to a host, a VO's member
 * list from the operator's outbox: two flows through the engine, rows of
 * the table in plan.c like the others. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/flows-grid.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "store/lib.h"
#include "engine/private.h"

/* The biggest member list taken from the outbox. */
#define VO_LIST_MAX (64 * 1024 * 1024)

/* ---------------------------------------------------------------------
 * gridmap push
 * ------------------------------------------------------------------- */

struct push_job {
	const struct gs_build *b;
	char *gridmapfile, *vomsdir, *owner, *vomsmap, *banmap, *vomses;
	size_t sent;
};

/* Where file f of the build goes on the host: the host's settings. */
static void
remote_path(const struct push_job *j, const struct gs_file *f, char *out, size_t size)
{
	switch (f->kind) {
	case GS_FILE_GRIDMAPFILE: snprintf(out, size, "%s", j->gridmapfile); break;
	case GS_FILE_VOMS_MAPFILE: snprintf(out, size, "%s", j->vomsmap); break;
	case GS_FILE_BAN_MAPFILE: snprintf(out, size, "%s", j->banmap); break;
	case GS_FILE_LSC:
		snprintf(out, size, "%s%s", j->vomsdir, f->path + strlen("vomsdir"));
		break;
	case GS_FILE_VOMSES:
		snprintf(out, size, "%s%s", j->vomses, f->path + strlen("vomses"));
		break;
	}
}

/* The directory of path made when missing (a VO's vomsdir, the vomses
 * directory), once per directory in a row. */
static enum pt_status
make_dir_of(struct sshx *s, const char *path, char **made, struct pt_err *err)
{
	const char *slash = strrchr(path, '/');
	char dir[1500], cmd[1600];
	int status = 0;
	enum pt_status ret;

	if (!slash || slash == path)
		return PT_OK;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (*made && strcmp(*made, dir) == 0)
		return PT_OK;
	/* the path is a checked setting and a VO name: no quote in either */
	if (strchr(dir, '\''))
		return pt_fail(err, PT_INVALID, _("cannot quote the path %s"), dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p -m 0755 '%s'", dir);
	if ((ret = sshx_exec(s, cmd, &status, err)) != PT_OK)
		return ret;
	free(*made);
	if ((*made = strdup(dir)) == NULL)
		return pt_fail(err, PT_NOMEM, NULL);
	return PT_OK;
}

/* The k-th file of a push, k from 1 to nfiles: the others in their
 * order, then the grid-mapfile (files[0]) last. */
static const struct gs_file *
push_file(const struct push_job *j, size_t k)
{
	return &j->b->files[k < j->b->nfiles ? k : 0];
}

/* Inside the window, every file the host gets, each atomically and read
 * back: the .lsc and vomses files, the ban-mapfile and voms-mapfile
 * first, the grid-mapfile last, so a host never maps users of a VO whose
 * servers it cannot check yet, nor before its bans are in place. */
static enum pt_status
put_files(struct sshx *s, void *ud, struct pt_err *err)
{
	struct push_job *j = ud;
	enum pt_status ret = PT_OK;
	char path[2048], *made = NULL;

	for (size_t k = 1; k <= j->b->nfiles && ret == PT_OK; k++) {
		const struct gs_file *f = push_file(j, k);

		if (!f->wanted)
			continue;
		remote_path(j, f, path, sizeof(path));
		if ((f->kind == GS_FILE_LSC || f->kind == GS_FILE_VOMSES) &&
		    (ret = make_dir_of(s, path, &made, err)) != PT_OK)
			break;
		ret = sshx_put(s, f->text, f->len, path, FLOW_MODE_PUBLIC, j->owner, NULL, err);
		j->sent += ret == PT_OK;
	}
	free(made);
	return ret;
}

/* The paths put_files will put, in its order, as many as the engine
 * journals before the window (the others are journaled as they come). */
static size_t
push_paths(struct push_job *j, char **paths)
{
	char path[2048];
	size_t n = 0;

	for (size_t k = 1; k <= j->b->nfiles && n < SSHX_PUT_MAX; k++) {
		const struct gs_file *f = push_file(j, k);

		if (!f->wanted)
			continue;
		remote_path(j, f, path, sizeof(path));
		if (!(paths[n] = strdup(path)))
			break;
		n++;
	}
	return n;
}

/* The push recorded: its outcome, and on success what each file was, for
 * the diff of the next one. */
static enum pt_status
record_push(struct store *st, const char *fqdn, const struct push_job *j, bool ok,
            const char *detail, struct pt_err *err)
{
	enum pt_status ret;
	char **remote = NULL;

	if (ok && (remote = calloc(j->b->nfiles, sizeof(*remote))) != NULL)
		for (size_t i = 0; i < j->b->nfiles; i++) {
			char path[2048];

			remote_path(j, &j->b->files[i], path, sizeof(path));
			remote[i] = strdup(path);
		}
	if ((ret = store_begin(st, err)) != PT_OK)
		goto out;
	ret = gridstore_push_record(st, fqdn, j->b->sha256, ok ? "ok" : "failed", detail, err);
	if (ret == PT_OK && ok)
		ret = gridstore_pushed_record(st, fqdn, j->b, (const char *const *)remote, err);
	if (ret == PT_OK)
		ret = store_commit(st, err);
	else
		store_rollback(st);
out:
	for (size_t i = 0; remote && i < j->b->nfiles; i++)
		free(remote[i]);
	free(remote);
	return ret;
}

static void
push_files(const char *fqdn, const struct push_job *j, struct transfer_plan *p)
{
	const struct gs_build *b = j->b;
	struct transfer_file *f;

	/* in the order put_files sends them: the grid-mapfile last */
	for (size_t k = 1; k <= b->nfiles; k++) {
		size_t i = k < b->nfiles ? k : 0;

		if (!b->files[i].wanted || (f = plan_file(p)) == NULL)
			continue;
		if (i == 0)
			snprintf(f->from, sizeof(f->from),
			         _("the grid-mapfile of %s, built now (%zu lines)"), fqdn,
			         b->result->nlines);
		else
			snprintf(f->from, sizeof(f->from), "%s", b->files[i].path);
		if (j->gridmapfile && j->vomsdir && j->vomsmap && j->banmap && j->vomses)
			remote_path(j, &b->files[i], f->to, sizeof(f->to));
		snprintf(f->owner, sizeof(f->owner), "%s", j->owner ? j->owner : "");
		f->mode = FLOW_MODE_PUBLIC;
		f->to_peer = true;
		f->size = b->files[i].len;
	}
	if (b->result->nconflicts || b->result->nunsafe || b->result->nmissing)
		snprintf(p->note, sizeof(p->note),
		         _("Build: %zu conflicts, %zu skipped DNs, %zu groups never imported."),
		         b->result->nconflicts, b->result->nunsafe, b->result->nmissing);
}

/* How a push is set up: planned only, run, or run past failing chains. */
enum push_mode { PUSH_PLAN, PUSH_RUN, PUSH_FORCED };

/* Chains of the build's VOMS servers that fail their check: the plan
 * (transfer plan, the console) cannot know of --force and says so; the
 * run refuses unless forced, its first reason. */
static void
push_lsc(const struct gs_build *b, enum push_mode mode, struct transfer_plan *p)
{
	if (!b || !b->nlsc_fail)
		return;
	if (mode == PUSH_RUN)
		plan_why(p, PT_REFUSED,
		         _("%zu chain(s) of VOMS servers fail their check, the first: %s %s: %s "
		           "(gridmap status lists them; --force sends anyway)"),
		         b->nlsc_fail, b->lsc_fail[0].vo, b->lsc_fail[0].host, b->lsc_fail[0].why);
	else if (mode == PUSH_PLAN)
		snprintf(p->note, sizeof(p->note),
		         _("%zu chain(s) of VOMS servers fail their check, the first: %s %s: %s; "
		           "the push is refused unless forced (gridmap push --force)."),
		         b->nlsc_fail, b->lsc_fail[0].vo, b->lsc_fail[0].host, b->lsc_fail[0].why);
}

/* What a push needs before any window: the build and where its files go
 * (the peer is the host the files are for: nothing else is a target). */
static enum pt_status
push_setup(struct store *st, const char *fqdn, enum push_mode mode, struct push_job *j,
           struct gs_build **b, struct transfer_plan *p, struct pt_err *err)
{
	struct pt_err e = { 0 };
	enum pt_status ret;

	ret = gridstore_build(st, fqdn, b, &e);
	if (ret != PT_OK && plan_is_refusal(ret))
		plan_why(p, ret, _("nothing to push to %s: %s"), fqdn, e.detail);
	else if (ret != PT_OK) {
		*err = e;
		return ret;
	}
	j->b = *b;
	if (mode != PUSH_PLAN)
		push_lsc(*b, mode, p);
	if ((ret = plan_host_setting(st, p, fqdn, "gridmapfile", &j->gridmapfile, err)) != PT_OK ||
	    (ret = plan_host_setting(st, p, fqdn, "vomsdir", &j->vomsdir, err)) != PT_OK ||
	    (ret = plan_host_setting(st, p, fqdn, "voms-mapfile", &j->vomsmap, err)) != PT_OK ||
	    (ret = plan_host_setting(st, p, fqdn, "ban-mapfile", &j->banmap, err)) != PT_OK ||
	    (ret = plan_host_setting(st, p, fqdn, "vomses", &j->vomses, err)) != PT_OK ||
	    (ret = plan_host_setting(st, p, fqdn, "owner", &j->owner, err)) != PT_OK ||
	    (ret = plan_peer(st, fqdn, p, err)) != PT_OK)
		return ret;
	if (*b)
		push_files(fqdn, j, p);
	if (mode == PUSH_PLAN)
		push_lsc(*b, mode, p); /* after push_files: the note is its */
	return PT_OK;
}

/* A push forced past failing chains leaves its trace before the window. */
static enum pt_status
audit_force(struct store *st, const char *fqdn, const struct gs_build *b, struct pt_err *err)
{
	enum pt_status ret;

	if ((ret = store_begin(st, err)) != PT_OK)
		return ret;
	ret = audit_appendf(st, "gridmap.force", fqdn, err, "lsc_failures=%zu first=%s/%s: %s",
	                    b->nlsc_fail, b->lsc_fail[0].vo, b->lsc_fail[0].host,
	                    b->lsc_fail[0].why);
	if (ret == PT_OK)
		return store_commit(st, err);
	store_rollback(st);
	return ret;
}

static void
push_job_free(struct push_job *j)
{
	free(j->gridmapfile);
	free(j->vomsdir);
	free(j->owner);
	free(j->vomsmap);
	free(j->banmap);
	free(j->vomses);
	memset(j, 0, sizeof(*j));
}

enum pt_status
flow_gridmap_push_plan(struct store *st, const char *fqdn, struct transfer_plan *p,
                       struct pt_err *err)
{
	struct push_job j = { 0 };
	struct gs_build *b = NULL;
	enum pt_status ret = push_setup(st, fqdn, PUSH_PLAN, &j, &b, p, err);

	push_job_free(&j);
	gridstore_build_free(&b);
	return ret;
}

enum pt_status
flow_gridmap_push_run(struct store *st, const char *fqdn, const struct transfer_opts *o,
                      struct transfer_result *res, struct pt_err *err)
{
	struct transfer_plan *p = calloc(1, sizeof(*p));
	struct push_job j = { 0 };
	struct gs_build *b = NULL;
	enum pt_status ret;
	char detail[640];

	if (o->built)
		*o->built = NULL;
	if (!p)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = push_setup(st, fqdn, o->force ? PUSH_FORCED : PUSH_RUN, &j, &b, p, err);
	if (ret == PT_OK)
		ret = plan_verdict(p, err);
	free(p);
	if (ret == PT_OK && b->nlsc_fail)
		ret = audit_force(st, fqdn, b, err);
	if (ret != PT_OK)
		goto out;
	{
		struct transfer_req req = { .purpose = "gridmap-push",
			                    .host = fqdn,
			                    .accept_hostkey = o->accept_hostkey,
			                    .fn = put_files,
			                    .ud = &j,
			                    .progress = o->progress,
			                    .progress_ud = o->progress_ud };
		char *paths[SSHX_PUT_MAX];

		req.nput = push_paths(&j, paths);
		req.put_paths = (const char *const *)paths;
		ret = transfer_run(st, &req, res, err);
		for (size_t i = 0; i < req.nput; i++)
			free(paths[i]);
	}
	if (ret == PT_OK) {
		snprintf(detail, sizeof(detail), "window=%lld files=%zu", (long long)res->window_id,
		         j.sent);
		ret = record_push(st, fqdn, &j, true, detail, err);
	} else {
		struct pt_err e2 = { 0 };

		snprintf(detail, sizeof(detail), "window=%lld sent=%zu: %s",
		         (long long)res->window_id, j.sent, err->detail);
		/* the failure stays the caller's error; its record is best effort */
		(void)record_push(st, fqdn, &j, false, detail, &e2);
	}
out:
	push_job_free(&j);
	if (o->built && ret == PT_OK)
		*o->built = b;
	else
		gridstore_build_free(&b);
	return ret;
}

enum pt_status
transfer_gridmap_push(struct store *st, const char *fqdn, const struct transfer_opts *o,
                      struct gs_build **built, struct transfer_result *res, struct pt_err *err)
{
	struct transfer_opts oo = *o;

	if (built)
		*built = NULL;
	oo.built = built;
	return transfer_flow(st, "gridmap-push", fqdn, &oo, res, err);
}

/* ---------------------------------------------------------------------
 * fetch-vo
 * ------------------------------------------------------------------- */

struct vo_job {
	const char *vo;
	char *outbox;
	void *data; /* secmem, from sshx_get */
	size_t len;
	char *name;
};

static bool
vo_file_name(const char *vo, const char *name)
{
	static const char *const ext[] = { "txt", "csv", "ldif", "members" };
	size_t n = strlen(vo);

	if (strncmp(name, vo, n) != 0 || name[n] != '.')
		return false;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (strcmp(name + n + 1, ext[i]) == 0)
			return true;
	return false;
}

static enum pt_status
get_vo_list(struct sshx *s, void *ud, struct pt_err *err)
{
	struct vo_job *j = ud;
	struct sshx_entry *ents = NULL;
	const struct sshx_entry *best = NULL;
	enum pt_status ret;
	size_t n = 0;
	char path[2048];

	if ((ret = sshx_list(s, j->outbox, &ents, &n, err)) != PT_OK)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (!vo_file_name(j->vo, ents[i].name))
			continue;
		if (!best || ents[i].mtime > best->mtime ||
		    (ents[i].mtime == best->mtime && strcmp(ents[i].name, best->name) > 0))
			best = &ents[i];
	}
	if (!best) {
		ret = pt_fail(
			err, PT_NOTFOUND,
			_("the operator's outbox %s has no member list of VO %s (%s.txt, .csv, .ldif or .members)"),
			j->outbox, j->vo, j->vo);
	} else {
		snprintf(path, sizeof(path), "%s/%s", j->outbox, best->name);
		ret = sshx_get(s, path, &j->data, &j->len, VO_LIST_MAX, err);
		if (ret == PT_OK && (j->name = strdup(best->name)) == NULL)
			ret = pt_fail(err, PT_NOMEM, NULL);
	}
	sshx_list_free(&ents, n);
	return ret;
}

static int
vo_exists_cb(const struct gs_vo *v, void *ud)
{
	(void)v;
	(void)ud;
	return 1;
}

/* What fetch-vo needs before any window: a known VO, the operator and
 * its outbox. */
static enum pt_status
vo_setup(struct store *st, const char *vo, char **op, struct vo_job *j, struct transfer_plan *p,
         struct pt_err *err)
{
	struct pt_err e = { 0 };
	struct transfer_file *f;
	enum pt_status ret;

	ret = gridstore_vo_get(st, vo, vo_exists_cb, NULL, &e);
	if ((ret = plan_take(p, ret, &e)) != PT_OK) {
		*err = e;
		return ret;
	}
	if ((ret = plan_operator(st, p, op, err)) != PT_OK ||
	    (ret = plan_setting(st, p, "operator.outbox", &j->outbox, err)) != PT_OK)
		return ret;
	if (*op && (ret = plan_peer(st, *op, p, err)) != PT_OK)
		return ret;
	if ((f = plan_file(p)) != NULL) {
		snprintf(f->from, sizeof(f->from),
		         _("%s/%s.txt, .csv, .ldif or .members (the newest)"),
		         j->outbox ? j->outbox : "", vo);
		snprintf(f->to, sizeof(f->to), "%s",
		         _("memory: shown as a diff, imported only if you say so"));
		f->to_peer = false;
	}
	return PT_OK;
}

enum pt_status
flow_fetch_vo_plan(struct store *st, const char *vo, struct transfer_plan *p, struct pt_err *err)
{
	struct vo_job j = { .vo = vo };
	char *op = NULL;
	enum pt_status ret = vo_setup(st, vo, &op, &j, p, err);

	free(j.outbox);
	free(op);
	return ret;
}

enum pt_status
flow_fetch_vo_run(struct store *st, const char *vo, const struct transfer_opts *o,
                  struct transfer_result *res, struct pt_err *err)
{
	struct transfer_plan *p = calloc(1, sizeof(*p));
	struct vo_job j = { .vo = vo };
	char *op = NULL;
	enum pt_status ret;

	if (!o->vo_data || !o->vo_len || !o->vo_name) {
		free(p);
		return pt_fail(err, PT_USAGE, _("the %s transfer needs somewhere to put the list"),
		               "fetch-vo");
	}
	*o->vo_data = NULL;
	*o->vo_name = NULL;
	*o->vo_len = 0;
	if (!p)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = vo_setup(st, vo, &op, &j, p, err);
	if (ret == PT_OK)
		ret = plan_verdict(p, err);
	free(p);
	if (ret != PT_OK)
		goto out;
	{
		struct transfer_req req = { .purpose = "fetch-vo",
			                    .host = op,
			                    .accept_hostkey = o->accept_hostkey,
			                    .fn = get_vo_list,
			                    .ud = &j,
			                    .progress = o->progress,
			                    .progress_ud = o->progress_ud };

		ret = transfer_run(st, &req, res, err);
	}
	/* the window is closed: a member list is public, plain memory will do */
	if (ret == PT_OK) {
		char *data = malloc(j.len + 1);
		if (!data) {
			ret = pt_fail(err, PT_NOMEM, NULL);
			goto out;
		}
		memcpy(data, j.data, j.len);
		data[j.len] = '\0';
		*o->vo_data = data;
		*o->vo_len = j.len;
		*o->vo_name = j.name;
		j.name = NULL;
	}
out:
	secmem_free(j.data);
	free(j.name);
	free(j.outbox);
	free(op);
	return ret;
}

enum pt_status
transfer_fetch_vo(struct store *st, const char *vo, const struct transfer_opts *o, char **data,
                  size_t *len, char **name, struct transfer_result *res, struct pt_err *err)
{
	struct transfer_opts oo = *o;

	*data = NULL;
	*name = NULL;
	*len = 0;
	oo.vo_data = data;
	oo.vo_len = len;
	oo.vo_name = name;
	return transfer_flow(st, "fetch-vo", vo, &oo, res, err);
}

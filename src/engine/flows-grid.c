/* flows-grid.c - grid-mapfile and vomsdir files to a host, a VO's member
 * list from the operator's outbox: two flows through the engine. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/flows-grid.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "store/lib.h"

/* The biggest member list taken from the outbox. */
#define VO_LIST_MAX (64 * 1024 * 1024)

/* ---------------------------------------------------------------------
 * gridmap push
 * ------------------------------------------------------------------- */

struct push_job {
	const struct gs_build *b;
	char *gridmapfile, *vomsdir, *owner;
	size_t sent;
};

/* Inside the window: the .lsc files first, the grid-mapfile last, so a
 * host never maps users of a VO whose servers it cannot check yet. */
static enum pt_status
put_files(struct sshx *s, void *ud, struct pt_err *err)
{
	struct push_job *j = ud;
	enum pt_status ret = PT_OK;
	char path[2048], *made = NULL;

	for (size_t i = 1; i < j->b->nfiles && ret == PT_OK; i++) {
		const struct gs_file *f = &j->b->files[i];
		const char *rel = f->path + strlen("vomsdir/");
		const char *slash = strchr(rel, '/');
		char dir[1400];

		/* the VO's directory: once per VO */
		snprintf(dir, sizeof(dir), "%s/%.*s", j->vomsdir, (int)(slash - rel), rel);
		if (!made || strcmp(made, dir) != 0) {
			char cmd[1500];
			int status = 0;

			/* the path is a checked setting and a VO name: no quote in either */
			if (strchr(dir, '\''))
				return pt_fail(err, PT_INVALID, _("cannot quote the path %s"), dir);
			snprintf(cmd, sizeof(cmd), "mkdir -p -m 0755 '%s'", dir);
			if ((ret = sshx_exec(s, cmd, &status, err)) != PT_OK)
				break;
			free(made);
			if ((made = strdup(dir)) == NULL) {
				ret = pt_fail(err, PT_NOMEM, NULL);
				break;
			}
		}
		snprintf(path, sizeof(path), "%s/%s", j->vomsdir, rel);
		ret = sshx_put(s, f->text, f->len, path, 0644, j->owner, NULL, err);
		j->sent += ret == PT_OK;
	}
	free(made);
	if (ret == PT_OK) {
		ret = sshx_put(s, j->b->files[0].text, j->b->files[0].len, j->gridmapfile, 0644,
		               j->owner, NULL, err);
		j->sent += ret == PT_OK;
	}
	return ret;
}

static enum pt_status
record_push(struct store *st, const char *fqdn, const char *sha256, bool ok, const char *detail,
            struct pt_err *err)
{
	enum pt_status ret;

	if ((ret = store_begin(st, err)) != PT_OK)
		return ret;
	ret = gridstore_push_record(st, fqdn, sha256, ok ? "ok" : "failed", detail, err);
	if (ret == PT_OK)
		return store_commit(st, err);
	store_rollback(st);
	return ret;
}

enum pt_status
transfer_gridmap_push(struct store *st, const char *fqdn, const struct transfer_opts *o,
                      struct gs_build **built, struct transfer_result *res, struct pt_err *err)
{
	struct push_job j = { 0 };
	struct gs_build *b = NULL;
	enum pt_status ret;
	char detail[640];

	if (built)
		*built = NULL;
	if ((ret = gridstore_build(st, fqdn, &b, err)) != PT_OK)
		return ret;
	j.b = b;
	if ((ret = settings_host_get(st, fqdn, "gridmapfile", &j.gridmapfile, err)) != PT_OK ||
	    (ret = settings_host_get(st, fqdn, "vomsdir", &j.vomsdir, err)) != PT_OK ||
	    (ret = settings_host_get(st, fqdn, "owner", &j.owner, err)) != PT_OK)
		goto out;
	if (!j.gridmapfile || !j.vomsdir) {
		ret = pt_fail(err, PT_ERR, _("internal error: no default path"));
		goto out;
	}
	{
		/* the peer is the host the files are for: nothing else is a target */
		struct transfer_req req = { .purpose = "gridmap-push", .host = fqdn,
		                            .accept_hostkey = o->accept_hostkey, .fn = put_files, .ud = &j,
		                            .progress = o->progress, .progress_ud = o->progress_ud };

		ret = transfer_run(st, &req, res, err);
	}
	if (ret == PT_OK) {
		snprintf(detail, sizeof(detail), "window=%lld files=%zu", (long long)res->window_id,
		         j.sent);
		ret = record_push(st, fqdn, b->sha256, true, detail, err);
	} else {
		struct pt_err e2 = { 0 };

		snprintf(detail, sizeof(detail), "window=%lld sent=%zu: %s", (long long)res->window_id,
		         j.sent, err->detail);
		/* the failure stays the caller's error; its record is best effort */
		(void)record_push(st, fqdn, b->sha256, false, detail, &e2);
	}
out:
	free(j.gridmapfile);
	free(j.vomsdir);
	free(j.owner);
	if (built && ret == PT_OK)
		*built = b;
	else
		gridstore_build_free(&b);
	return ret;
}

/* ---------------------------------------------------------------------
 * fetch-vo
 * ------------------------------------------------------------------- */

struct vo_job {
	const char *vo;
	char *outbox;
	void *data;          /* secmem, from sshx_get */
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
		ret = pt_fail(err, PT_NOTFOUND,
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

enum pt_status
transfer_fetch_vo(struct store *st, const char *vo, const struct transfer_opts *o, char **data,
                  size_t *len, char **name, struct transfer_result *res, struct pt_err *err)
{
	struct vo_job j = { .vo = vo };
	char *op = NULL;
	enum pt_status ret;

	*data = NULL;
	*name = NULL;
	*len = 0;
	if ((ret = gridstore_vo_get(st, vo, vo_exists_cb, NULL, err)) != PT_OK)
		return ret;
	if ((ret = settings_get(st, "operator.host", &op, err)) != PT_OK ||
	    (ret = settings_get(st, "operator.outbox", &j.outbox, err)) != PT_OK)
		goto out;
	if (!op) {
		ret = pt_fail(err, PT_REFUSED,
		              _("no operator host is configured (passtore config set operator.host FQDN)"));
		goto out;
	}
	{
		struct transfer_req req = { .purpose = "fetch-vo", .host = op,
		                            .accept_hostkey = o->accept_hostkey, .fn = get_vo_list, .ud = &j,
		                            .progress = o->progress, .progress_ud = o->progress_ud };

		ret = transfer_run(st, &req, res, err);
	}
	/* the window is closed: a member list is public, plain memory will do */
	if (ret == PT_OK) {
		if ((*data = malloc(j.len + 1)) == NULL) {
			ret = pt_fail(err, PT_NOMEM, NULL);
			goto out;
		}
		memcpy(*data, j.data, j.len);
		(*data)[j.len] = '\0';
		*len = j.len;
		*name = j.name;
		j.name = NULL;
	}
out:
	secmem_free(j.data);
	free(j.name);
	free(j.outbox);
	free(op);
	return ret;
}

/* gridstore-diff.c - what was last pushed to a host, file by file, and
 * the diff of a build against it: the lines (DNs, mappings, bans, chain
 * DNs) each file gains and loses. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/lib.h"
#include "grid/gridstore.h"
#include "grid/private.h"
#include "base/i18n.h"

enum pt_status
gridstore_pushed_record(struct store *st, const char *fqdn, const struct gs_build *b,
                        const char *const *remote, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid;
	char hex[65];

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = gs_host_id(st, fqdn, &hid, err)) != PT_OK)
		return ret;
	if ((ret = store_prepare(st, "DELETE FROM gm_pushed_files WHERE host_id = ?", &s, err)) !=
	    PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	if ((ret = store_run(st, s, err, _("record push"))) != PT_OK)
		return ret;
	for (size_t i = 0; i < b->nfiles; i++) {
		if (!b->files[i].wanted)
			continue;
		gridstore_sha256_hex(b->files[i].text, b->files[i].len, hex);
		ret = store_prepare(
			st,
			"INSERT INTO gm_pushed_files (host_id, path, remote, sha256, text,"
			" pushed_at) VALUES (?, ?, ?, ?, ?, ?)",
			&s, err);
		if (ret != PT_OK)
			return ret;
		sqlite3_bind_int64(s, 1, hid);
		sqlite3_bind_text(s, 2, b->files[i].path, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, remote && remote[i] ? remote[i] : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, hex, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, b->files[i].text, (int)b->files[i].len, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
		if ((ret = store_run(st, s, err, _("record push"))) != PT_OK)
			return ret;
	}
	return PT_OK;
}

/* ---- the diff ---------------------------------------------------------- */

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The lines of text (a copy cut in place), sorted. */
static char **
lines_of(const char *text, size_t len, char **copy, size_t *n)
{
	char **v, *p;
	size_t cap = 1;

	*n = 0;
	if ((*copy = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(*copy, text, len);
	(*copy)[len] = '\0';
	for (size_t i = 0; i < len; i++)
		cap += text[i] == '\n';
	if ((v = malloc(cap * sizeof(*v))) == NULL)
		return NULL;
	for (p = *copy; *p;) {
		char *e = strchr(p, '\n');

		if (e)
			*e = '\0';
		v[(*n)++] = p;
		if (!e)
			break;
		p = e + 1;
	}
	qsort(v, *n, sizeof(*v), cmp_line);
	return v;
}

void
gridstore_file_diff_clear(struct gs_file_diff *d)
{
	gm_strv_free(d->added, d->nadded);
	gm_strv_free(d->removed, d->nremoved);
	free(d->path);
	memset(d, 0, sizeof(*d));
}

/* old (NULL: never pushed) against new (NULL: no longer pushed). */
static enum pt_status
diff_text(const char *old, size_t olen, const char *new, size_t nlen, struct gs_file_diff *d,
          struct pt_err *err)
{
	char *ca = NULL, *cb = NULL, **a = NULL, **b = NULL;
	size_t na = 0, nb = 0, i = 0, j = 0;
	enum pt_status ret = PT_OK;

	if ((old && (a = lines_of(old, olen, &ca, &na)) == NULL) ||
	    (new && (b = lines_of(new, nlen, &cb, &nb)) == NULL)) {
		ret = gs_nomem(err);
		goto out;
	}
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i], b[j]);

		if (c < 0 && !gs_strv_add(&d->removed, &d->nremoved, a[i]))
			goto oom;
		if (c > 0 && !gs_strv_add(&d->added, &d->nadded, b[j]))
			goto oom;
		i += c <= 0;
		j += c >= 0;
	}
	goto out;
oom:
	ret = gs_nomem(err);
out:
	free(a);
	free(b);
	free(ca);
	free(cb);
	return ret;
}

struct pushed {
	char *path, *sha256, *text;
	size_t len;
	bool seen;
};

static enum pt_status
pushed_of(struct store *st, const char *fqdn, struct pushed **out, size_t *n, bool *ever,
          struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	*out = NULL;
	*n = 0;
	ret = store_prepare(st,
	                    "SELECT f.path, f.sha256, f.text FROM gm_pushed_files f JOIN hosts h"
	                    " ON h.id = f.host_id WHERE h.fqdn = ? ORDER BY f.path",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, fqdn, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct pushed *np = realloc(*out, (*n + 1) * sizeof(*np));

		if (!np)
			break;
		*out = np;
		np[*n] = (struct pushed){ strdup(store_text(s, 0)), strdup(store_text(s, 1)),
			                  strdup(store_text(s, 2)),
			                  (size_t)sqlite3_column_bytes(s, 2), false };
		(*n)++;
		if (!np[*n - 1].path || !np[*n - 1].sha256 || !np[*n - 1].text)
			break;
	}
	sqlite3_finalize(s);
	*ever = *n > 0;
	if (rc == SQLITE_ROW)
		return gs_nomem(err);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the pushed files"));
}

static void
pushed_free(struct pushed *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].path);
		free(p[i].sha256);
		free(p[i].text);
	}
	free(p);
}

/* One file's diff to cb; *stop when cb says so. */
static enum pt_status
emit(const char *path, enum gs_file_state state, const char *old, size_t olen, const char *new,
     size_t nlen, int (*cb)(const struct gs_file_diff *d, void *ud), void *ud, int *stop,
     struct pt_err *err)
{
	struct gs_file_diff d = { .state = state };
	enum pt_status ret = PT_OK;

	if ((d.path = strdup(path)) == NULL)
		return gs_nomem(err);
	if (state != GS_FILE_SAME)
		ret = diff_text(old, olen, new, nlen, &d, err);
	if (ret == PT_OK)
		*stop = cb(&d, ud);
	gridstore_file_diff_clear(&d);
	return ret;
}

enum pt_status
gridstore_push_diff(struct store *st, const char *fqdn, const struct gs_build *b,
                    int (*cb)(const struct gs_file_diff *d, void *ud), void *ud, struct pt_err *err)
{
	struct pushed *p = NULL;
	size_t np = 0;
	bool ever;
	int stop = 0;
	enum pt_status ret = pushed_of(st, fqdn, &p, &np, &ever, err);

	for (size_t i = 0; ret == PT_OK && !stop && i < b->nfiles; i++) {
		const struct gs_file *f = &b->files[i];
		struct pushed *old = NULL;
		char hex[65];

		if (!f->wanted)
			continue;
		for (size_t k = 0; k < np && !old; k++)
			if (!strcmp(p[k].path, f->path))
				old = &p[k];
		if (old)
			old->seen = true;
		gridstore_sha256_hex(f->text, f->len, hex);
		ret = emit(f->path,
		           !old                            ? GS_FILE_NEW
		           : strcmp(old->sha256, hex) != 0 ? GS_FILE_CHANGED
		                                           : GS_FILE_SAME,
		           old ? old->text : NULL, old ? old->len : 0, f->text, f->len, cb, ud,
		           &stop, err);
	}
	for (size_t k = 0; ret == PT_OK && !stop && k < np; k++)
		if (!p[k].seen)
			ret = emit(p[k].path, GS_FILE_GONE, p[k].text, p[k].len, NULL, 0, cb, ud,
			           &stop, err);
	pushed_free(p, np);
	return ret;
}

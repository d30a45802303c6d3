/* filelist.c - the file system as the console's path fields see it:
 * bounded directory reads, Tab completion, the removable media offered
 * first, and the escaping of a field of several paths (filelist.h).
 * Nothing here reads the store or holds a secret. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filelist.h"

#define FL_MEDIA_ENV "PASSTORE_MEDIA_ROOTS"

void
fl_free(struct fl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i].name);
	free(l->e);
	memset(l, 0, sizeof *l);
}

static int
fl_cmp(const void *a, const void *b)
{
	const struct fl_entry *x = a, *y = b;

	if (x->dir != y->dir)
		return x->dir ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool
fl_match(const char *name, const char *pat, bool contains)
{
	if (!pat || !pat[0])
		return name[0] != '.';
	if (!contains)
		return strncmp(name, pat, strlen(pat)) == 0 && (name[0] != '.' || pat[0] == '.');
	if (name[0] == '.' && pat[0] != '.')
		return false;
	for (const char *s = name; *s; s++)
		if (strncasecmp(s, pat, strlen(pat)) == 0)
			return true;
	return false;
}

/* The facts of one kept entry: one fstatat through a link, and an
 * lstat only to say it is one. */
static void
fl_stat(int dfd, const char *name, unsigned char type, struct fl_entry *e)
{
	struct stat st;

	e->size = -1;
	e->link = type == DT_LNK;
	if (fstatat(dfd, name, &st, 0) != 0) {
		e->broken = true;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			e->link = S_ISLNK(st.st_mode);
			e->mtime = st.st_mtime;
		}
		return;
	}
	e->dir = S_ISDIR(st.st_mode);
	e->size = S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
	e->mtime = st.st_mtime;
}

static bool
fl_push(struct fl_list *l, size_t *cap, int dfd, const struct dirent *d)
{
	struct fl_entry *e;

	if (l->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void *p = realloc(l->e, nc * sizeof *l->e);
		if (!p)
			return false;
		l->e = p;
		*cap = nc;
	}
	e = &l->e[l->n];
	memset(e, 0, sizeof *e);
	if (!(e->name = strdup(d->d_name)))
		return false;
	fl_stat(dfd, d->d_name, d->d_type, e);
	l->n++;
	return true;
}

bool
fl_read(const char *dir, const char *prefix, bool contains, bool dirs_only, size_t keep,
        struct fl_list *out)
{
	DIR *d;
	struct dirent *de;
	size_t cap = 0, scanned = 0;
	bool ok = true;

	memset(out, 0, sizeof *out);
	if (!keep || keep > FL_KEEP_MAX)
		keep = FL_KEEP_MAX;
	if (!(d = opendir(dir && dir[0] ? dir : "."))) {
		out->err = errno ? errno : EIO;
		return true;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (++scanned > FL_SCAN_MAX) {
			out->truncated = true;
			break;
		}
		if (!fl_match(de->d_name, prefix, contains))
			continue;
		/* a directory is known from d_type; a link or an unknown
		 * type is decided by the stat of fl_push */
		if (dirs_only && de->d_type != DT_DIR && de->d_type != DT_LNK &&
		    de->d_type != DT_UNKNOWN)
			continue;
		if (out->n == keep) {
			out->truncated = true;
			break;
		}
		if (!(ok = fl_push(out, &cap, dirfd(d), de)))
			break;
		if (dirs_only && !out->e[out->n - 1].dir)
			free(out->e[--out->n].name);
	}
	closedir(d);
	if (!ok) {
		fl_free(out);
		return false;
	}
	if (out->n)
		qsort(out->e, out->n, sizeof *out->e, fl_cmp);
	return true;
}

bool
fl_typable(const char *name)
{
	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		if (*s < 32 || *s == 127)
			return false;
	return true;
}

/* The length of what a and b share, stopped before a control character
 * and cut back to the start of a UTF-8 character. */
static size_t
fl_common(const char *a, const char *b, size_t l)
{
	size_t i = 0;

	while (i < l && a[i] && a[i] == b[i] && (unsigned char)a[i] >= 32 && a[i] != 127)
		i++;
	if (i < strlen(a) || i < strlen(b))
		while (i > 0 && ((unsigned char)a[i] & 0xC0) == 0x80)
			i--;
	return i;
}

size_t
fl_complete(const char *typed, bool dirs_only, char *out, size_t outlen, struct fl_list *cands)
{
	struct fl_list l;
	const char *slash = strrchr(typed, '/');
	char dir[4096];
	const char *base = slash ? slash + 1 : typed;
	size_t dl = slash ? (size_t)(slash - typed) + 1 : 0, common = 0;

	snprintf(out, outlen, "%s", typed);
	if (cands)
		memset(cands, 0, sizeof *cands);
	if (dl >= sizeof dir)
		return 0;
	memcpy(dir, typed, dl);
	dir[dl] = '\0';
	if (!fl_read(dl ? dir : ".", base, false, dirs_only, 0, &l) || !l.n) {
		fl_free(&l);
		return 0;
	}
	common = strlen(l.e[0].name);
	for (size_t i = 1; i < l.n; i++)
		common = fl_common(l.e[0].name, l.e[i].name, common);
	if (l.n == 1)
		common = fl_common(l.e[0].name, l.e[0].name, common);
	if (common >= strlen(base) && dl + common < outlen) {
		memcpy(out, typed, dl);
		memcpy(out + dl, l.e[0].name, common);
		out[dl + common] = '\0';
		if (l.n == 1 && l.e[0].dir && !l.e[0].name[common] && dl + common + 1 < outlen)
			strcat(out, "/");
	}
	size_t n = l.n;
	if (cands)
		*cands = l;
	else
		fl_free(&l);
	return n;
}

bool
fl_escape(const char *path, char *out, size_t outlen)
{
	size_t o = 0;

	if (!fl_typable(path))
		return false;
	for (const char *s = path; *s; s++) {
		if ((*s == ' ' || *s == '\\') && o + 1 < outlen)
			out[o++] = '\\';
		if (o + 1 >= outlen)
			return false;
		out[o++] = *s;
	}
	if (o >= outlen)
		return false;
	out[o] = '\0';
	return true;
}

size_t
fl_last_word(const char *field)
{
	size_t start = 0;

	for (size_t i = 0; field[i]; i++) {
		if (field[i] == '\\' && field[i + 1])
			i++;
		else if (field[i] == ' ')
			start = i + 1;
	}
	return start;
}

void
fl_split_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

char **
fl_split(const char *field, size_t *n)
{
	size_t len = strlen(field), cap = len / 2 + 2, k = 0;
	char **v = calloc(cap, sizeof *v), *w = malloc(len + 1);
	size_t wl = 0;

	*n = 0;
	if (!v || !w)
		goto fail;
	for (size_t i = 0;; i++) {
		char c = field[i];
		if (c == '\\' && field[i + 1]) {
			w[wl++] = field[++i];
			continue;
		}
		if (c && c != ' ') {
			w[wl++] = c;
			continue;
		}
		if (wl) {
			w[wl] = '\0';
			if (!(v[k++] = strdup(w)))
				goto fail;
			wl = 0;
		}
		if (!c)
			break;
	}
	free(w);
	*n = k;
	return v;
fail:
	free(w);
	fl_split_free(v);
	return NULL;
}

static bool
fl_add_place(char **places, size_t *n, size_t max, const char *path)
{
	struct stat st;

	if (*n >= max || stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return false;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(places[i], path))
			return true;
	if ((places[*n] = strdup(path)))
		(*n)++;
	return true;
}

/* A root's directories; one that holds only directories (/media/USER)
 * offers those instead. */
static void
fl_root_places(const char *root, char **places, size_t *n, size_t max)
{
	struct fl_list l, sub;
	char p[4096 + 512];

	if (!fl_read(root, NULL, false, true, FL_PLACES_MAX, &l))
		return;
	for (size_t i = 0; i < l.n && *n < max; i++) {
		snprintf(p, sizeof p, "%s/%s", root, l.e[i].name);
		bool only_dirs = false;
		if (fl_read(p, NULL, false, false, 64, &sub)) {
			only_dirs = sub.n > 0 && !sub.truncated && sub.e[sub.n - 1].dir;
			for (size_t j = 0; only_dirs && j < sub.n && *n < max; j++) {
				char q[4096 + 1024];
				snprintf(q, sizeof q, "%s/%s", p, sub.e[j].name);
				fl_add_place(places, n, max, q);
			}
			fl_free(&sub);
		}
		if (!only_dirs)
			fl_add_place(places, n, max, p);
	}
	fl_free(&l);
}

size_t
fl_places(const char *current, char **places, size_t max)
{
	const char *env = getenv(FL_MEDIA_ENV);
	const char *roots = env ? env : "/media:/mnt:/run/media";
	char root[4096], cwd[4096];
	size_t n = 0;

	for (const char *s = roots; *s;) {
		size_t l = strcspn(s, ":");
		if (l && l < sizeof root) {
			memcpy(root, s, l);
			root[l] = '\0';
			fl_root_places(root, places, &n, max);
		}
		s += l;
		if (*s == ':')
			s++;
	}
	if (current && current[0]) {
		char dir[4096];
		const char *slash = strrchr(current, '/');
		struct stat st;
		snprintf(dir, sizeof dir, "%s", current);
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			if (slash)
				dir[slash - current > 0 ? slash - current : 1] = '\0';
			else
				dir[0] = '\0';
		}
		if (dir[0] && dir[0] != '/' && getcwd(cwd, sizeof cwd)) {
			char abs[8192];
			snprintf(abs, sizeof abs, "%s/%s", cwd, dir);
			fl_add_place(places, &n, max, abs);
		} else if (dir[0]) {
			fl_add_place(places, &n, max, dir);
		}
	}
	if (getcwd(cwd, sizeof cwd))
		fl_add_place(places, &n, max, cwd);
	return n;
}

void
fl_size_text(long long size, char *out, size_t outlen)
{
	static const char units[] = "KMGTP";
	double v = (double)size;
	int u = -1;

	if (size < 0) {
		snprintf(out, outlen, "%s", "");
		return;
	}
	if (size < 1024) {
		snprintf(out, outlen, "%lld", size);
		return;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(out, outlen, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

/* igtf.c - IGTF trust anchors in the store: an IGTF-style CA directory
 * read whole and checked, then made the stored set (added, changed,
 * withdrawn); the anchors' bundle; the namespace check of a subject. */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/i18n.h"
#include "cert/cert.h"
#include "cert/private.h"
#include "cert/trust.h"

/* One CA of the directory, as read. */
struct anchor_in {
	char *name; /* the base name: NAME of NAME.pem, else HASH of HASH.0 */
	char *pem, *subject, *sha256, *info, *policy;
	time_t not_after;
	struct igtf_rules rules; /* the namespaces' rules, then the signing policy's */
	size_t nns;              /* how many are the namespaces' */
};

struct dir_in {
	size_t n;
	struct anchor_in *a;
};

static void
dir_in_free(struct dir_in *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct anchor_in *a = &d->a[i];

		free(a->name);
		free(a->pem);
		free(a->subject);
		free(a->sha256);
		free(a->info);
		free(a->policy);
		igtf_rules_clear(&a->rules);
	}
	free(d->a);
	memset(d, 0, sizeof(*d));
}

/* The whole of a file of at most TRUST_FILE_MAX bytes, NUL-terminated;
 * PT_NOTFOUND (no error text) when it does not exist. */
static enum pt_status
slurp(const char *path, char **out, size_t *len, struct pt_err *err)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *buf;
	size_t n;

	*out = NULL;
	if (!f)
		return errno == ENOENT ? PT_NOTFOUND
		                       : pt_fail(err, PT_IO, _("%s: %s"), path, strerror(errno));
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return pt_fail(err, PT_INVALID, _("%s: not a regular file"), path);
	}
	if (sb.st_size > TRUST_FILE_MAX) {
		fclose(f);
		return pt_fail(err, PT_INVALID, _("%s: larger than %d bytes"), path,
		               TRUST_FILE_MAX);
	}
	if (!(buf = malloc((size_t)sb.st_size + 1))) {
		fclose(f);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	n = fread(buf, 1, (size_t)sb.st_size, f);
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return PT_OK;
}

/* NAME.pem, or HASH.0 ... HASH.9 with an 8-digit hex hash: a CA file;
 * *baselen gets the length of its base name. */
static bool
ca_file(const char *name, size_t *baselen)
{
	size_t n = strlen(name);

	if (n > 4 && strcmp(name + n - 4, ".pem") == 0) {
		*baselen = n - 4;
		return true;
	}
	if (n == 10 && name[8] == '.' && name[9] >= '0' && name[9] <= '9' &&
	    strspn(name, "0123456789abcdef") == 8) {
		*baselen = 8;
		return true;
	}
	return false;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory's entries, sorted (so NAME.pem comes in a fixed order). */
static enum pt_status
list_dir(const char *dir, char ***names, size_t *n, struct pt_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t k = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return pt_fail(err, errno == ENOENT ? PT_NOTFOUND : PT_IO, _("%s: %s"), dir,
		               strerror(errno));
	while ((e = readdir(d))) {
		char **nv;

		if (e->d_name[0] == '.')
			continue;
		if (k >= TRUST_DIR_MAX) {
			closedir(d);
			for (size_t i = 0; i < k; i++)
				free(v[i]);
			free(v);
			return pt_fail(err, PT_INVALID, _("%s: more than %d files"), dir,
			               TRUST_DIR_MAX);
		}
		if ((nv = realloc(v, (k + 1) * sizeof(*v))))
			v = nv;
		if (!nv || !(v[k] = strdup(e->d_name))) {
			closedir(d);
			for (size_t i = 0; i < k; i++)
				free(v[i]);
			free(v);
			return pt_fail(err, PT_NOMEM, NULL);
		}
		k++;
	}
	closedir(d);
	if (k)
		qsort(v, k, sizeof(*v), cmp_str);
	*names = v;
	*n = k;
	return PT_OK;
}

/* BASE.ext of dir into *text ("" when the file is missing). */
static enum pt_status
side_file(const char *dir, const char *base, const char *ext, char **path, char **text, size_t *len,
          struct pt_err *err)
{
	enum pt_status ret;

	*text = NULL;
	*len = 0;
	if (asprintf(path, "%s/%s.%s", dir, base, ext) < 0) {
		*path = NULL;
		return pt_fail(err, PT_NOMEM, NULL);
	}
	ret = slurp(*path, text, len, err);
	if (ret == PT_NOTFOUND && !(*text = strdup("")))
		return pt_fail(err, PT_NOMEM, NULL);
	return ret == PT_NOTFOUND ? PT_OK : ret;
}

/* The policy files of one CA: rules and the text "changed" compares. */
static enum pt_status
read_policy(const char *dir, struct anchor_in *a, struct pt_err *err)
{
	char *np = NULL, *sp = NULL, *ip = NULL, *ns = NULL, *sig = NULL;
	size_t nl, sl, il;
	enum pt_status ret;

	ret = side_file(dir, a->name, "namespaces", &np, &ns, &nl, err);
	if (ret == PT_OK)
		ret = side_file(dir, a->name, "signing_policy", &sp, &sig, &sl, err);
	if (ret == PT_OK)
		ret = side_file(dir, a->name, "info", &ip, &a->info, &il, err);
	if (ret == PT_OK && a->info && memchr(a->info, '\0', il))
		ret = pt_fail(err, PT_INVALID, _("%s: a NUL byte: not a text file"), ip);
	if (ret == PT_OK)
		ret = igtf_parse_namespaces(np, ns, nl, a->subject, &a->rules, err);
	a->nns = a->rules.n;
	if (ret == PT_OK)
		ret = igtf_parse_signing_policy(sp, sig, sl, &a->rules, err);
	if (ret == PT_OK && asprintf(&a->policy, "%s\n--\n%s", ns, sig) < 0) {
		a->policy = NULL;
		ret = pt_fail(err, PT_NOMEM, NULL);
	}
	free(np);
	free(sp);
	free(ip);
	free(ns);
	free(sig);
	return ret;
}

/* One CA file: a single CA certificate.  A second name of a CA already
 * read (HASH.0 beside NAME.pem, often a link) is skipped. */
static enum pt_status
read_ca(const char *dir, const char *file, size_t baselen, struct dir_in *d, struct pt_err *err)
{
	struct x509_cert_list *l = NULL;
	struct anchor_in *a, *na;
	char *path = NULL, *buf = NULL;
	gnutls_datum_t der, pem = { NULL, 0 };
	enum pt_status ret;
	size_t len;

	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return pt_fail(err, PT_NOMEM, NULL);
	if ((ret = slurp(path, &buf, &len, err)) == PT_NOTFOUND)
		ret = pt_fail(err, PT_IO, _("%s: a link to nothing"), path);
	if (ret == PT_OK &&
	    (ret = x509_bundle_parse((unsigned char *)buf, len, &l, err)) != PT_OK) {
		char why[sizeof(err->detail)];

		snprintf(why, sizeof(why), "%s", err->detail);
		pt_fail(err, PT_INVALID, _("%s: %s"), path, why);
	} else if (ret == PT_OK && l->n != 1) {
		ret = pt_fail(err, PT_INVALID, _("%s: %zu certificates, a CA file holds one"), path,
		              l->n);
	}
	free(buf);
	if (ret != PT_OK)
		goto out;
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->a[i].sha256, l->certs[0].sha256_hex) == 0)
			goto out; /* the same CA under its other name */
	if (!(na = realloc(d->a, (d->n + 1) * sizeof(*na)))) {
		ret = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	d->a = na;
	a = &d->a[d->n++];
	memset(a, 0, sizeof(*a));
	der = (gnutls_datum_t){ l->certs[0].der, (unsigned)l->certs[0].der_len };
	a->name = strndup(file, baselen);
	a->subject = strdup(l->certs[0].subject_grid);
	a->sha256 = strdup(l->certs[0].sha256_hex);
	a->not_after = l->certs[0].not_after;
	if (gnutls_pem_base64_encode2("CERTIFICATE", &der, &pem) >= 0)
		a->pem = strndup((char *)pem.data, pem.size);
	gnutls_free(pem.data);
	if (!a->name || !a->subject || !a->sha256 || !a->pem)
		ret = pt_fail(err, PT_NOMEM, NULL);
	else
		ret = read_policy(dir, a, err);
out:
	x509_cert_list_free(&l);
	free(path);
	return ret;
}

/* The directory, whole: NAME.pem files first, so a CA is named by them. */
static enum pt_status
read_dir(const char *dir, struct dir_in *d, struct pt_err *err)
{
	char **names = NULL;
	size_t n = 0, baselen;
	enum pt_status ret = list_dir(dir, &names, &n, err);

	for (int pass = 0; ret == PT_OK && pass < 2; pass++)
		for (size_t i = 0; ret == PT_OK && i < n; i++)
			if (ca_file(names[i], &baselen) &&
			    (baselen == strlen(names[i]) - 4) == !pass)
				ret = read_ca(dir, names[i], baselen, d, err);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (ret == PT_OK && d->n == 0)
		ret = pt_fail(err, PT_INVALID, _("%s: no CA file (NAME.pem or HASH.0)"), dir);
	return ret;
}

/* ---- the store ---------------------------------------------------------- */

const char *
igtf_change_name(enum igtf_change_kind k)
{
	switch (k) {
	case IGTF_ADDED: return "added";
	case IGTF_CHANGED: return "changed";
	case IGTF_WITHDRAWN: return "withdrawn";
	case IGTF_UNCHANGED: return "unchanged";
	}
	return "unknown";
}

static enum pt_status
store_rules(struct store *st, int64_t id, const struct igtf_rules *rs, const char *source,
            size_t from, size_t to, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_prepare(
		st,
		"INSERT INTO anchor_rules (anchor_id, source, issuer, permit, pattern)"
		" VALUES (?, ?, ?, ?, ?)",
		&s, err);
	int rc = SQLITE_DONE;

	for (size_t i = from; ret == PT_OK && i < to && rc == SQLITE_DONE; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, rs->r[i].issuer, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, rs->r[i].permit);
		sqlite3_bind_text(s, 5, rs->r[i].pattern, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (ret == PT_OK && rc != SQLITE_DONE)
		ret = store_fail(st, rc, err, _("store the namespace rules"));
	return ret;
}

/* Insert or replace anchor a (old id, or 0). */
static enum pt_status
put_anchor(struct store *st, const struct anchor_in *a, int64_t old, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t id;
	int rc;

	if (old) {
		char sql[96];

		snprintf(sql, sizeof(sql), "DELETE FROM anchor_rules WHERE anchor_id = %lld",
		         (long long)old);
		if ((ret = store_exec(st, sql, err)) != PT_OK)
			return ret;
	}
	ret = store_prepare(st,
	                    old ? "UPDATE trust_anchors SET subject = ?2, sha256 = ?3, pem = ?4,"
	                          " info = ?5, policy = ?6, not_after = ?7, imported_at = ?8"
	                          " WHERE id = ?9"
	                        : "INSERT INTO trust_anchors (name, subject, sha256, pem, info,"
	                          " policy, not_after, imported_at)"
	                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	if (!old)
		sqlite3_bind_text(s, 1, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, a->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, a->pem, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, a->info, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, a->policy, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)a->not_after);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)time(NULL));
	if (old)
		sqlite3_bind_int64(s, 9, old);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("store a trust anchor"));
	id = old ? old : sqlite3_last_insert_rowid(store_db(st));
	ret = store_rules(st, id, &a->rules, "namespaces", 0, a->nns, err);
	return ret == PT_OK
	               ? store_rules(st, id, &a->rules, "signing_policy", a->nns, a->rules.n, err)
	               : ret;
}

/* What is stored of one anchor, for the comparison. */
struct have {
	int64_t id;
	bool seen;
	char *name, *sha256, *policy, *info, *subject;
};

static enum pt_status
load_have(struct store *st, struct have **out, size_t *n, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret = store_prepare(
		st,
		"SELECT id, name, sha256, policy, info, subject FROM trust_anchors ORDER BY name",
		&s, err);
	struct have *v = NULL;
	size_t k = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct have *nv = realloc(v, (k + 1) * sizeof(*v));

		if (!nv) {
			rc = SQLITE_NOMEM;
			break;
		}
		v = nv;
		v[k] = (struct have){ .id = sqlite3_column_int64(s, 0),
			              .name = strdup(store_text(s, 1)),
			              .sha256 = strdup(store_text(s, 2)),
			              .policy = strdup(store_text(s, 3)),
			              .info = strdup(store_text(s, 4)),
			              .subject = strdup(store_text(s, 5)) };
		k++;
	}
	sqlite3_finalize(s);
	*out = v;
	*n = k;
	for (size_t i = 0; i < k; i++)
		if (!v[i].name || !v[i].sha256 || !v[i].policy || !v[i].info || !v[i].subject)
			rc = SQLITE_NOMEM;
	if (rc == SQLITE_NOMEM)
		return pt_fail(err, PT_NOMEM, NULL);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the trust anchors"));
}

static void
have_free(struct have *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].sha256);
		free(v[i].policy);
		free(v[i].info);
		free(v[i].subject);
	}
	free(v);
}

static enum pt_status
apply_one(struct store *st, const struct anchor_in *a, struct have *v, size_t nv,
          int (*cb)(const struct igtf_change *c, void *ud), void *ud, struct pt_err *err)
{
	struct igtf_change c = { .name = a->name, .subject = a->subject, .rules = a->rules.n };
	struct have *h = NULL;
	enum pt_status ret = PT_OK;

	for (size_t i = 0; i < nv && !h; i++)
		if (strcmp(v[i].name, a->name) == 0)
			h = &v[i];
	if (h)
		h->seen = true;
	if (!h)
		c.kind = IGTF_ADDED;
	else if (strcmp(h->sha256, a->sha256) || strcmp(h->policy, a->policy) ||
	         strcmp(h->info, a->info))
		c.kind = IGTF_CHANGED;
	else
		c.kind = IGTF_UNCHANGED;
	if (c.kind != IGTF_UNCHANGED) {
		ret = put_anchor(st, a, h ? h->id : 0, err);
		if (ret == PT_OK)
			ret = audit_appendf(st, c.kind == IGTF_ADDED ? "trust.add" : "trust.change",
			                    a->name, err, "subject=%s sha256=%s rules=%zu",
			                    a->subject, a->sha256, a->rules.n);
	}
	if (ret == PT_OK && cb)
		cb(&c, ud);
	return ret;
}

static enum pt_status
withdraw(struct store *st, const struct have *h, int (*cb)(const struct igtf_change *c, void *ud),
         void *ud, struct pt_err *err)
{
	struct igtf_change c = { .kind = IGTF_WITHDRAWN, .name = h->name, .subject = h->subject };
	char sql[128];
	enum pt_status ret;

	snprintf(sql, sizeof(sql),
	         "DELETE FROM anchor_rules WHERE anchor_id = %lld;"
	         "DELETE FROM trust_anchors WHERE id = %lld",
	         (long long)h->id, (long long)h->id);
	ret = store_exec(st, sql, err);
	if (ret == PT_OK)
		ret = audit_appendf(st, "trust.withdraw", h->name, err, "subject=%s sha256=%s",
		                    h->subject, h->sha256);
	if (ret == PT_OK && cb)
		cb(&c, ud);
	return ret;
}

enum pt_status
igtf_import(struct store *st, const char *dir, int (*cb)(const struct igtf_change *c, void *ud),
            void *ud, struct pt_err *err)
{
	struct dir_in d = { 0 };
	struct have *v = NULL;
	size_t nv = 0;
	enum pt_status ret;

	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	if ((ret = read_dir(dir, &d, err)) == PT_OK)
		ret = load_have(st, &v, &nv, err);
	for (size_t i = 0; ret == PT_OK && i < d.n; i++)
		ret = apply_one(st, &d.a[i], v, nv, cb, ud, err);
	for (size_t i = 0; ret == PT_OK && i < nv; i++)
		if (!v[i].seen)
			ret = withdraw(st, &v[i], cb, ud, err);
	if (ret == PT_OK)
		ret = audit_appendf(st, "trust.import", dir, err, "anchors=%zu", d.n);
	have_free(v, nv);
	dir_in_free(&d);
	return ret;
}

/* ---- reading ---------------------------------------------------------------- */

enum pt_status
trust_anchor_foreach(struct store *st, int (*cb)(const struct trust_anchor *a, void *ud), void *ud,
                     struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret =
		store_prepare(st,
	                      "SELECT name, subject, sha256, not_after, imported_at,"
	                      " (SELECT count(*) FROM anchor_rules r WHERE r.anchor_id = a.id)"
	                      " FROM trust_anchors a ORDER BY name",
	                      &s, err);
	int rc;

	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct trust_anchor a = {
			.name = store_text(s, 0),
			.subject = store_text(s, 1),
			.sha256 = store_text(s, 2),
			.not_after = (time_t)sqlite3_column_int64(s, 3),
			.imported_at = (time_t)sqlite3_column_int64(s, 4),
			.rules = sqlite3_column_int64(s, 5),
		};
		if (cb(&a, ud)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the trust anchors"));
}

enum pt_status
trust_anchor_bundle(struct store *st, char **pem, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	struct x509_sbuf sb = { 0 };
	enum pt_status ret =
		store_prepare(st, "SELECT pem FROM trust_anchors ORDER BY id", &s, err);
	int rc;

	*pem = NULL;
	if (ret != PT_OK)
		return ret;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		x509_sbuf_str(&sb, store_text(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(sb.p);
		return store_fail(st, rc, err, _("read the trust anchors"));
	}
	if (sb.oom || !(*pem = x509_sbuf_take(&sb)))
		return pt_fail(err, PT_NOMEM, NULL);
	return PT_OK;
}

enum pt_status
trust_namespace_check(struct store *st, const char *issuer, const char *subject, enum trust_ns *out,
                      char *detail, size_t len, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret =
		store_prepare(st,
	                      "SELECT a.name, r.source, r.permit, r.pattern FROM anchor_rules r"
	                      " JOIN trust_anchors a ON a.id = r.anchor_id WHERE r.issuer = ?"
	                      " ORDER BY r.source, r.rowid",
	                      &s, err);
	bool any = false, permitted = false, denied = false;
	char anchor[128] = "", source[32] = "", why[512] = "";
	int rc;

	*out = TRUST_NS_NONE;
	if (detail && len)
		*detail = '\0';
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_text(s, 1, issuer, -1, SQLITE_STATIC);
	/* the namespaces file when the CA has one: it is the IGTF's policy;
	 * the signing policy only for a CA without it */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *src = store_text(s, 1);

		if (any && strcmp(src, source) != 0)
			break;
		any = true;
		snprintf(anchor, sizeof(anchor), "%s", store_text(s, 0));
		snprintf(source, sizeof(source), "%s", src);
		if (!igtf_pattern_match(store_text(s, 3), subject))
			continue;
		if (sqlite3_column_int(s, 2)) {
			permitted = true;
		} else if (!denied) {
			denied = true;
			snprintf(why, sizeof(why), _("denied by \"%s\""), store_text(s, 3));
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read the namespace rules"));
	if (!any)
		return PT_OK;
	*out = permitted && !denied ? TRUST_NS_OK : TRUST_NS_VIOLATION;
	if (*out == TRUST_NS_VIOLATION && detail)
		snprintf(detail, len, _("subject %s is outside the namespace of %s (%s.%s: %s)"),
		         subject, issuer, anchor, source, *why ? why : _("no PERMIT rule matches"));
	return PT_OK;
}

/* cert-request.c - certificate requests in the store: a new host key and
 * its CSR, the pending request, cancelling it (see cert.h).  Keys are
 * read back only into secmem and only to hand them to x509.c.
 */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "store/lib.h"
#include "cert/cert.h"
#include "cert/private.h"
#include "base/i18n.h"
#include "base/lib.h"

/* ---------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------- */

/* The CA a request names, or the only one. */
struct ca_pick {
	int64_t id;
	char *name, *tmpl, *key;
	int count;
};

static int
ca_pick_cb(const struct cert_ca *ca, void *ud)
{
	struct ca_pick *p = ud;

	if (++p->count > 1)
		return 0;
	p->id = ca->id;
	p->name = strdup(ca->name);
	p->tmpl = strdup(ca->subject_tmpl);
	p->key = strdup(ca->default_key);
	return 0;
}

static void
ca_pick_free(struct ca_pick *p)
{
	free(p->name);
	free(p->tmpl);
	free(p->key);
	memset(p, 0, sizeof(*p));
}

static enum pt_status
pick_ca(struct store *st, const char *name, struct ca_pick *p, struct pt_err *err)
{
	enum pt_status ret;

	memset(p, 0, sizeof(*p));
	ret = name ? cert_ca_get(st, name, ca_pick_cb, p, err)
	           : cert_ca_foreach(st, ca_pick_cb, p, err);
	if (ret == PT_OK && p->count == 0)
		ret = pt_fail(
			err, PT_NOTFOUND,
			_("no CA in the store (add one with \"passtore ca add NAME --bundle FILE\")"));
	else if (ret == PT_OK && p->count > 1)
		ret = pt_fail(err, PT_USAGE, _("the store holds %d CAs: name one with --ca"),
		              p->count);
	else if (ret == PT_OK && (!p->name || !p->tmpl || !p->key))
		ret = pt_fail(err, PT_NOMEM, NULL);
	if (ret != PT_OK)
		ca_pick_free(p);
	return ret;
}

void
cert_request_info_clear(struct cert_request_info *ri)
{
	free(ri->ca);
	free(ri->keytype);
	free(ri->subject);
	free(ri->sans);
	memset(ri, 0, sizeof(*ri));
}

static enum pt_status
no_pending(struct store *st, int64_t hid, const char *fqdn, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(
		st, "SELECT created_at FROM requests WHERE host_id = ? AND state = 'pending'", &s,
		err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		char when[PT_UTC_LEN];

		pt_utc_time((time_t)sqlite3_column_int64(s, 0), NULL, when, sizeof(when));
		sqlite3_finalize(s);
		return pt_fail(
			err, PT_REFUSED,
			_("host %s already has a pending request (made %s): import its certificate, "
		          "or cancel it with \"passtore cert cancel %s\""),
			fqdn, when, fqdn);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("look up requests"));
}

static char *
join_names(const char *fqdn, const char *const *sans, size_t n)
{
	size_t len = strlen(fqdn) + 1;
	char *out;

	for (size_t i = 0; i < n; i++)
		len += strlen(sans[i]) + 1;
	out = malloc(len);
	if (!out)
		return NULL;
	strcpy(out, fqdn);
	for (size_t i = 0; i < n; i++) {
		strcat(out, ",");
		strcat(out, sans[i]);
	}
	return out;
}

enum pt_status
cert_insert_key(struct store *st, int64_t hid, const char *fqdn, const char *type,
                const char *key_pem, const char *key_id, const char *origin, int64_t *id,
                struct pt_err *err)
{
	char mac[ROWMAC_HEX];
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	ret = store_prepare(st,
	                    "INSERT INTO keys (host_id, type, key_pem, key_id, origin, created_at)"
	                    " VALUES (?, ?, ?, ?, ?, ?)",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, key_pem, (int)strlen(key_pem), SQLITE_STATIC);
	sqlite3_bind_text(s, 4, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return pt_fail(err, PT_EXISTS, _("this key is already in the store (key id %s)"),
		               key_id);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, err, _("store the key"));
	*id = sqlite3_last_insert_rowid(store_db(st));
	/* the row's MAC, named in the trail: a rolled-back page cannot take
	 * the key away or put another back unseen */
	if ((ret = rowmac_seal_key(st, *id, mac, err)) != PT_OK)
		return ret;
	return audit_appendf(st, "key.seal", fqdn, err, "key_id=%s key_mac=%s", key_id, mac);
}

enum pt_status
cert_request_create(struct store *st, const char *fqdn, const struct cert_request_opts *o,
                    struct cert_request_info *out, struct pt_err *err)
{
	struct x509_subject *subj = NULL;
	struct ca_pick ca = { 0 };
	enum x509_keytype kt;
	unsigned char id[X509_ID_LEN];
	char idhex[X509_ID_HEX_LEN];
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	char *key = NULL, *csr = NULL, *grid = NULL, *names = NULL;
	int64_t hid, kid;

	memset(out, 0, sizeof(*out));
	if ((ret = store_need_tx(st, err)) != PT_OK)
		return ret;
	/* everything that can refuse runs before the slow key generation */
	if ((ret = cert_host_id(st, fqdn, &hid, err)) != PT_OK ||
	    (ret = no_pending(st, hid, fqdn, err)) != PT_OK ||
	    (ret = pick_ca(st, o->ca, &ca, err)) != PT_OK)
		return ret;
	ret = x509_keytype_parse(o->keytype ? o->keytype : ca.key, &kt, err);
	if (ret == PT_OK)
		ret = x509_subject_parse(ca.tmpl, fqdn, &subj, err);
	if (ret != PT_OK)
		goto out;
	grid = x509_subject_grid(subj);
	names = join_names(fqdn, o->sans, o->nsans);
	if (!grid || !names) {
		ret = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	if ((ret = x509_key_generate(kt, o->progress, o->progress_ud, &key, err)) != PT_OK ||
	    (ret = x509_key_id(key, id, err)) != PT_OK ||
	    (ret = x509_csr_create(key, ca.tmpl, fqdn, o->sans, o->nsans, &csr, err)) != PT_OK)
		goto out;
	cert_hex_id(id, idhex);
	ret = cert_insert_key(st, hid, fqdn, x509_keytype_name(kt), key, idhex, "generated", &kid,
	                      err);
	if (ret != PT_OK)
		goto out;
	ret = store_prepare(
		st,
		"INSERT INTO requests (host_id, key_ref, ca_id, csr_pem, subject, sans, state, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
		&s, err);
	if (ret != PT_OK)
		goto out;
	sqlite3_bind_int64(s, 1, hid);
	sqlite3_bind_int64(s, 2, kid);
	sqlite3_bind_int64(s, 3, ca.id);
	sqlite3_bind_text(s, 4, csr, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, grid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, names, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)time(NULL));
	ret = store_run(st, s, err, _("store the request"));
	if (ret != PT_OK)
		goto out;
	out->id = sqlite3_last_insert_rowid(store_db(st));
	ret = audit_appendf(st, "cert.request", fqdn, err,
	                    "ca=%s key=%s key_id=%s subject=%s sans=%s", ca.name,
	                    x509_keytype_name(kt), idhex, grid, names);
	if (ret != PT_OK)
		goto out;
	out->ca = ca.name;
	ca.name = NULL;
	out->keytype = strdup(x509_keytype_name(kt));
	out->subject = grid;
	grid = NULL;
	out->sans = names;
	names = NULL;
out:
	secmem_free(key);
	free(csr);
	free(grid);
	free(names);
	x509_subject_free(&subj);
	ca_pick_free(&ca);
	return ret;
}

enum pt_status
cert_request_csr(struct store *st, const char *fqdn, char **csr_pem, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid;
	int rc;

	*csr_pem = NULL;
	if ((ret = cert_host_id(st, fqdn, &hid, err)) != PT_OK)
		return ret;
	ret = store_prepare(st,
	                    "SELECT csr_pem FROM requests WHERE host_id = ? AND state = 'pending'",
	                    &s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*csr_pem = strdup(store_text(s, 0));
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return pt_fail(
			err, PT_NOTFOUND,
			_("host %s has no pending request (make one with \"passtore cert request %s\")"),
			fqdn, fqdn);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, err, _("read the request"));
	return *csr_pem ? PT_OK : pt_fail(err, PT_NOMEM, NULL);
}

enum pt_status
cert_request_cancel(struct store *st, const char *fqdn, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int64_t hid;

	if ((ret = store_need_tx(st, err)) != PT_OK ||
	    (ret = cert_host_id(st, fqdn, &hid, err)) != PT_OK)
		return ret;
	ret = store_prepare(
		st,
		"UPDATE requests SET state = 'cancelled' WHERE host_id = ? AND state = 'pending'",
		&s, err);
	if (ret != PT_OK)
		return ret;
	sqlite3_bind_int64(s, 1, hid);
	ret = store_run(st, s, err, _("cancel the request"));
	if (ret != PT_OK)
		return ret;
	if (sqlite3_changes(store_db(st)) == 0)
		return pt_fail(err, PT_NOTFOUND, _("host %s has no pending request"), fqdn);
	return audit_append(st, "cert.cancel", fqdn, "", err);
}

/* The CSR (public) into a new file, whole or not at all. */
static enum pt_status
csr_write(const char *path, const char *pem, bool overwrite, struct pt_err *err)
{
	size_t len = strlen(pem), done = 0;
	int fd = open(path,
	              O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (overwrite ? O_TRUNC : O_EXCL),
	              0644);

	if (fd < 0 && errno == EEXIST)
		return pt_fail(err, PT_EXISTS, _("%s: the file exists (nothing written)"), path);
	if (fd < 0)
		return pt_fail(err, PT_IO, _("%s: cannot create: %s"), path,
		               pt_file_strerror(errno));
	/* public, whatever the process's umask (it keeps secrets' files 0600) */
	(void)fchmod(fd, 0644);
	while (done < len) {
		ssize_t w = write(fd, pem + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (done < len || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return pt_fail(err, PT_IO, _("%s: cannot write: %s"), path, strerror(e));
	}
	if (close(fd) != 0)
		return pt_fail(err, PT_IO, _("%s: cannot write: %s"), path, strerror(errno));
	return PT_OK;
}

enum pt_status
cert_request_save(struct store *st, const char *fqdn, const char *path, bool overwrite,
                  struct pt_err *err)
{
	char *csr = NULL;
	enum pt_status ret;

	if (!path || !*path)
		return pt_fail(err, PT_INVALID, _("no file named for the request"));
	if ((ret = store_need_tx(st, err)) != PT_OK ||
	    (ret = cert_request_csr(st, fqdn, &csr, err)) != PT_OK)
		return ret;
	ret = csr_write(path, csr, overwrite, err);
	free(csr);
	if (ret != PT_OK)
		return ret;
	/* the station has no network: a CSR written out is how it is sent,
	 * so the dashboard stops asking for it */
	return audit_append(st, "csr.save", fqdn, path, err);
}

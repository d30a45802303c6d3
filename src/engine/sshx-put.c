/* sshx-put.c - the SFTP put (see sshx.h): files written in chunks under
 * temporary names (named to the caller's journal first), synced, given
 * their mode and owner, read back and verified by SHA-256, then renamed
 * into place together with posix-rename@openssh.com after the current
 * files were kept as .old; a failure among the renames puts them back.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "engine/private.h"
#include "engine/sshx.h"
#include "store/lib.h"

/* ---- SFTP ---------------------------------------------------------- */

/* The owner rule is the settings validator's: one rule, one place. */
static enum pt_status
sshx_parse_owner(const char *owner, uid_t *uid, gid_t *gid, struct pt_err *err)
{
	unsigned u, g;

	if (!settings_owner_parse(owner, &u, &g))
		return pt_fail(err, PT_INVALID, _("owner must be numeric UID:GID, not \"%s\""),
		               owner);
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return PT_OK;
}

static void
sshx_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Read an open file to EOF into secmem, failing past max bytes. */
enum pt_status
sshx_read_all(struct sshx *s, sftp_file f, const char *path, size_t hint, size_t max, char **bufp,
              size_t *lenp, struct pt_err *err)
{
	size_t cap = (hint < max ? hint : max) + 1, len = 0;
	char *buf = secmem_alloc(cap), *nb;
	ssize_t n;
	enum pt_status st = PT_OK;

	if (!buf)
		return pt_fail(err, PT_NOMEM, NULL);
	for (;;) {
		if ((st = sshx_check_deadline(s, err, path)) != PT_OK)
			goto out;
		if (len == cap) {
			if (cap > max) {
				st = pt_fail(err, PT_INVALID,
				             _("%s on %s is larger than %zu bytes"), path, s->peer,
				             max);
				goto out;
			}
			nb = secmem_realloc(buf, cap * 2 > max + 1 ? max + 1 : cap * 2);
			if (!nb) {
				st = pt_fail(err, PT_NOMEM, NULL);
				goto out;
			}
			buf = nb;
			cap = secmem_size(buf);
		}
		n = sftp_read(f, buf + len, cap - len < SSHX_CHUNK ? cap - len : SSHX_CHUNK);
		if (n < 0) {
			st = sshx_fail_sftp(s, err, _("read"), path);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			st = pt_fail(err, PT_INVALID, _("%s on %s is larger than %zu bytes"), path,
			             s->peer, max);
			goto out;
		}
	}
	if (len == cap) { /* room for the NUL */
		nb = secmem_realloc(buf, cap + 1);
		if (!nb) {
			st = pt_fail(err, PT_NOMEM, NULL);
			goto out;
		}
		buf = nb;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
out:
	secmem_free(buf);
	return st;
}

/* Unlink that treats "no such file" as done. */
static int
sshx_unlink_quiet(struct sshx *s, const char *path)
{
	if (sftp_unlink(s->sftp, path) == 0)
		return 0;
	return sftp_get_error(s->sftp) == SSH_FX_NO_SUCH_FILE ? 0 : -1;
}

enum pt_status
sshx_remove(struct sshx *s, const char *path, struct pt_err *err)
{
	if (sftp_unlink(s->sftp, path) == 0)
		return PT_OK;
	return sshx_fail_sftp(s, err, _("unlink"), path);
}

/* Read back exactly len bytes of an open file from its start and compare
 * them with sha; the size is checked by the caller's fstat. */
static enum pt_status
sshx_read_back(struct sshx *s, sftp_file f, const char *path, size_t len, const unsigned char *sha,
               struct pt_err *err)
{
	char *back = len ? secmem_alloc(len) : NULL;
	unsigned char bsha[SSHX_SHA256_LEN];
	size_t got = 0;
	ssize_t n;
	enum pt_status st = PT_OK;

	if (len && !back)
		return pt_fail(err, PT_NOMEM, NULL);
	if (sftp_seek(f, 0) != 0)
		st = sshx_fail_sftp(s, err, _("read"), path);
	while (st == PT_OK && got < len) {
		if ((st = sshx_check_deadline(s, err, path)) != PT_OK)
			break;
		n = sftp_read(f, back + got, len - got < SSHX_CHUNK ? len - got : SSHX_CHUNK);
		if (n < 0)
			st = sshx_fail_sftp(s, err, _("read"), path);
		else if (n == 0) /* shorter than what was written */
			break;
		else
			got += (size_t)n;
	}
	if (st == PT_OK &&
	    (got != len || gnutls_hash_fast(GNUTLS_DIG_SHA256, back, len, bsha) != 0 ||
	     memcmp(bsha, sha, sizeof(bsha)) != 0))
		st = pt_fail(err, PT_IO, _("read-back of %s on %s does not match what was sent"),
		             path, s->peer);
	secmem_free(back);
	return st;
}

/* Whether attributes a are what was asked: a regular file of len bytes,
 * mode, and (chown_it) owner uid:gid; a failure names what they are. */
static enum pt_status
sshx_attrs_ok(struct sshx *s, const char *path, sftp_attributes a, size_t len, mode_t mode,
              bool chown_it, uid_t uid, gid_t gid, struct pt_err *err)
{
	if (a->type != SSH_FILEXFER_TYPE_REGULAR || a->size != (uint64_t)len)
		return pt_fail(err, PT_IO, _("read-back of %s on %s does not match what was sent"),
		               path, s->peer);
	if ((a->permissions & 07777) != (mode & 07777) ||
	    (chown_it && (a->uid != uid || a->gid != gid)))
		return pt_fail(err, PT_IO,
		               _("%s on %s has mode %04o owner %u:%u after the transfer, "
		                 "not what was asked"),
		               path, s->peer, (unsigned)(a->permissions & 07777), (unsigned)a->uid,
		               (unsigned)a->gid);
	return PT_OK;
}

/* The temporary file, complete on one handle: created exclusively, its
 * content, owner and mode in one SETSTAT, synced, read back whole and
 * its attributes checked; *attrs (the caller frees) what it became, for
 * the check after the rename.  Fewer round trips inside the window than
 * a write, a chown, a chmod and a second open to read back. */
static enum pt_status
sshx_stage_tmp(struct sshx *s, const char *tmp, const struct sshx_file *fl, uid_t uid, gid_t gid,
               sftp_attributes *attrs, struct pt_err *err)
{
	struct sftp_attributes_struct set = { 0 };
	sftp_file f;
	size_t off = 0, n;
	ssize_t w;
	enum pt_status st = PT_OK;

	*attrs = NULL;
	f = sftp_open(s->sftp, tmp, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (!f)
		return sshx_fail_sftp(s, err, _("create"), tmp);
	while (off < fl->len) {
		if ((st = sshx_check_deadline(s, err, tmp)) != PT_OK)
			goto out;
		n = fl->len - off < SSHX_CHUNK ? fl->len - off : SSHX_CHUNK;
		w = sftp_write(f, (const char *)fl->data + off, n);
		if (w <= 0) {
			st = sshx_fail_sftp(s, err, _("write"), tmp);
			goto out;
		}
		off += (size_t)w;
	}
	/* the server applies the mode, then the owner: a set-id bit that a
	 * chown clears is set again after it */
	set.flags = SSH_FILEXFER_ATTR_PERMISSIONS | (fl->owner ? SSH_FILEXFER_ATTR_UIDGID : 0);
	set.permissions = fl->mode & 07777;
	set.uid = uid;
	set.gid = gid;
	if (sftp_setstat(s->sftp, tmp, &set) != 0) {
		st = sshx_fail_sftp(s, err, fl->owner ? _("chown") : _("chmod"), tmp);
		goto out;
	}
	if (fl->owner && (fl->mode & 06000) && sftp_chmod(s->sftp, tmp, fl->mode) != 0) {
		st = sshx_fail_sftp(s, err, _("chmod"), tmp);
		goto out;
	}
	if (sftp_extension_supported(s->sftp, "fsync@openssh.com", "1") && sftp_fsync(f) != 0) {
		st = sshx_fail_sftp(s, err, _("fsync"), tmp);
		goto out;
	}
	if ((st = sshx_read_back(s, f, tmp, fl->len, fl->sha256, err)) != PT_OK)
		goto out;
	if (!(*attrs = sftp_fstat(f))) {
		st = sshx_fail_sftp(s, err, _("stat"), tmp);
		goto out;
	}
	st = sshx_attrs_ok(s, tmp, *attrs, fl->len, fl->mode, fl->owner != NULL, uid, gid, err);
out:
	if (sftp_close(f) != SSH_NO_ERROR && st == PT_OK)
		st = sshx_fail_sftp(s, err, _("close"), tmp);
	if (st != PT_OK && sshx_expired(s))
		st = pt_fail(err, PT_TIMEOUT, _("transfer of %s with %s: the deadline passed"), tmp,
		             s->peer);
	if (st != PT_OK) {
		sftp_attributes_free(*attrs);
		*attrs = NULL;
	}
	return st;
}

/* After the atomic rename: the file at path is the one staged (same
 * size, mode, owner and modification time as the temporary file read
 * back), without reading it a second time. */
static enum pt_status
sshx_check_placed(struct sshx *s, const char *path, const struct sshx_file *fl,
                  sftp_attributes staged, struct pt_err *err)
{
	sftp_attributes a = sftp_lstat(s->sftp, path);
	enum pt_status st;

	if (!a)
		return sshx_fail_sftp(s, err, _("stat"), path);
	st = sshx_attrs_ok(s, path, a, fl->len, fl->mode, fl->owner != NULL, staged->uid,
	                   staged->gid, err);
	if (st == PT_OK && (a->uid != staged->uid || a->gid != staged->gid ||
	                    a->mtime != staged->mtime || a->mtime64 != staged->mtime64))
		st = pt_fail(err, PT_IO,
		             _("%s on %s changed between its rename and its check: not the "
		               "file sent"),
		             path, s->peer);
	sftp_attributes_free(a);
	return st;
}

/* ---- several files as one change --------------------------------------- */

#define SSHX_OLD_COPY_MAX (1024 * 1024)

struct put_state {
	char *tmp, *old;
	sftp_attributes staged; /* the temporary file as read back */
	uid_t uid;
	gid_t gid;
	bool named, tmp_exists, had_old, renamed;
};

void
sshx_set_temp_hook(struct sshx *s, sshx_temp_fn fn, void *ud)
{
	s->temp_fn = fn;
	s->temp_ud = ud;
}

void
sshx_set_temp_namer(struct sshx *s, sshx_namer_fn fn, void *ud)
{
	s->namer_fn = fn;
	s->namer_ud = ud;
}

enum pt_status
sshx_temp_name(const char *path, char **out, struct pt_err *err)
{
	unsigned char rnd[6];
	char rhex[sizeof(rnd) * 2 + 1];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;

	*out = NULL;
	if (gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof(rnd)) != 0)
		return pt_fail(err, PT_CRYPTO, NULL);
	sshx_hex(rnd, sizeof(rnd), rhex);
	if (asprintf(out, "%.*s.%s.passtore-%s", (int)(base - path), path, base, rhex) < 0) {
		*out = NULL;
		return pt_fail(err, PT_NOMEM, NULL);
	}
	return PT_OK;
}

static enum pt_status
temp_event(struct sshx *s, const char *path, enum sshx_temp_event ev, struct pt_err *err)
{
	return s->temp_fn ? s->temp_fn(s->temp_ud, &path, 1, ev, err) : PT_OK;
}

/* All the temporary names of a put, in one call. */
static enum pt_status
temps_named(struct sshx *s, struct put_state *ps, size_t n, struct pt_err *err)
{
	const char *names[SSHX_PUT_MAX];
	enum pt_status st;

	if (!s->temp_fn)
		return PT_OK;
	for (size_t i = 0; i < n; i++)
		names[i] = ps[i].tmp;
	st = s->temp_fn(s->temp_ud, names, n, SSHX_TEMP_NAMED, err);
	for (size_t i = 0; i < n && st == PT_OK; i++)
		ps[i].named = true;
	return st;
}

/* The checks and names of one file; nothing touches the peer. */
static enum pt_status
put_prepare(struct sshx *s, struct sshx_file *f, struct put_state *ps, struct pt_err *err)
{
	const char *slash = strrchr(f->path, '/'), *base = slash ? slash + 1 : f->path;
	const char *given = s->namer_fn ? s->namer_fn(s->namer_ud, f->path) : NULL;
	enum pt_status st;

	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return pt_fail(err, PT_INVALID, _("not a file path: %s"), f->path);
	if (f->mode & ~(mode_t)07777)
		return pt_fail(err, PT_INVALID, _("invalid file mode %o"), (unsigned)f->mode);
	if (f->owner && (st = sshx_parse_owner(f->owner, &ps->uid, &ps->gid, err)) != PT_OK)
		return st;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, f->data, f->len, f->sha256) != 0)
		return pt_fail(err, PT_CRYPTO, NULL);
	if (given) {
		if (!(ps->tmp = strdup(given)))
			return pt_fail(err, PT_NOMEM, NULL);
	} else if ((st = sshx_temp_name(f->path, &ps->tmp, err)) != PT_OK)
		return st;
	if (asprintf(&ps->old, "%s.old", f->path) < 0) {
		ps->old = NULL;
		return pt_fail(err, PT_NOMEM, NULL);
	}
	return PT_OK;
}

/* The temporary file, complete: content, owner, mode, sync, read back. */
static enum pt_status
put_stage(struct sshx *s, const struct sshx_file *f, struct put_state *ps, struct pt_err *err)
{
	ps->tmp_exists = true; /* even a failed create may leave it: try to remove it */
	return sshx_stage_tmp(s, ps->tmp, f, ps->uid, ps->gid, &ps->staged, err);
}

/* PATH.old as a copy of PATH, with its mode and owner: where the server
 * cannot link (another mount, no hardlink@openssh.com). */
static enum pt_status
put_copy_old(struct sshx *s, const char *path, const char *old, sftp_attributes a,
             struct pt_err *err)
{
	sftp_file in = NULL, out = NULL;
	char *buf = NULL;
	size_t len = 0;
	enum pt_status st;

	if (!(in = sftp_open(s->sftp, path, O_RDONLY, 0)))
		return sshx_fail_sftp(s, err, _("open"), path);
	st = sshx_read_all(s, in, path, a->size, SSHX_OLD_COPY_MAX, &buf, &len, err);
	sftp_close(in);
	if (st != PT_OK)
		return st;
	out = sftp_open(s->sftp, old, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (!out) {
		st = sshx_fail_sftp(s, err, _("create"), old);
		goto out;
	}
	if (len && sftp_write(out, buf, len) != (ssize_t)len)
		st = sshx_fail_sftp(s, err, _("write"), old);
	if (sftp_close(out) != SSH_NO_ERROR && st == PT_OK)
		st = sshx_fail_sftp(s, err, _("close"), old);
	if (st == PT_OK && sftp_chown(s->sftp, old, a->uid, a->gid) != 0)
		st = sshx_fail_sftp(s, err, _("chown"), old);
	if (st == PT_OK && sftp_chmod(s->sftp, old, a->permissions & 07777) != 0)
		st = sshx_fail_sftp(s, err, _("chmod"), old);
out:
	secmem_free(buf);
	return st;
}

/* Keep the current file (if any) as PATH.old; the current file stays. */
static enum pt_status
put_keep_old(struct sshx *s, const struct sshx_file *f, struct put_state *ps, struct pt_err *err)
{
	sftp_attributes a = sftp_lstat(s->sftp, f->path);
	struct pt_err lerr = { 0 };
	enum pt_status st = PT_OK;

	if (!a)
		return sftp_get_error(s->sftp) == SSH_FX_NO_SUCH_FILE
		               ? PT_OK
		               : sshx_fail_sftp(s, err, _("stat"), f->path);
	if (a->type == SSH_FILEXFER_TYPE_DIRECTORY) {
		st = pt_fail(err, PT_INVALID, _("%s on %s is a directory"), f->path, s->peer);
		goto out;
	}
	if (sshx_unlink_quiet(s, ps->old) != 0) {
		st = sshx_fail_sftp(s, err, _("unlink"), ps->old);
		goto out;
	}
	if (sftp_extension_supported(s->sftp, "hardlink@openssh.com", "1") &&
	    sshx_hardlink(s, f->path, ps->old, &lerr) == PT_OK)
		goto kept;
	if (sshx_expired(s) || !ssh_is_connected(s->ssh)) {
		*err = lerr;
		st = lerr.status;
		goto out;
	}
	if ((st = put_copy_old(s, f->path, ps->old, a, err)) != PT_OK)
		goto out;
kept:
	ps->had_old = true;
out:
	sftp_attributes_free(a);
	return st;
}

/* Put back what was renamed: the .old copy over it, or nothing where
 * there was nothing.  Best effort on a live session. */
static void
put_rollback(struct sshx *s, const struct sshx_file *files, struct put_state *ps, size_t n)
{
	struct pt_err ignored = { 0 };

	for (size_t i = n; i-- > 0;) {
		if (!ps[i].renamed)
			continue;
		if (ps[i].had_old)
			(void)sshx_posix_rename(s, ps[i].old, files[i].path, &ignored);
		else
			(void)sshx_unlink_quiet(s, files[i].path);
		ps[i].renamed = false;
	}
}

static enum pt_status
put_all(struct sshx *s, struct sshx_file *files, struct put_state *ps, size_t n, struct pt_err *err)
{
	enum pt_status st = PT_OK;
	size_t i;

	if (!sftp_extension_supported(s->sftp, "posix-rename@openssh.com", "1"))
		return pt_fail(err, PT_REFUSED,
		               _("the SFTP server of %s offers no atomic rename "
		                 "(posix-rename@openssh.com): nothing was sent"),
		               s->peer);
	for (i = 0; i < n && st == PT_OK; i++)
		for (size_t j = 0; j < i && st == PT_OK; j++)
			if (strcmp(files[i].path, files[j].path) == 0)
				st = pt_fail(err, PT_INVALID, _("%s is named twice"),
				             files[i].path);
	for (i = 0; i < n && st == PT_OK; i++)
		st = put_prepare(s, &files[i], &ps[i], err);
	/* every name is in the journal before the first file is created */
	if (st == PT_OK)
		st = temps_named(s, ps, n, err);
	for (i = 0; i < n && st == PT_OK; i++)
		st = put_stage(s, &files[i], &ps[i], err);
	for (i = 0; i < n && st == PT_OK; i++)
		st = put_keep_old(s, &files[i], &ps[i], err);
	for (i = 0; i < n && st == PT_OK; i++) {
		if ((st = sshx_posix_rename(s, ps[i].tmp, files[i].path, err)) != PT_OK)
			break;
		ps[i].tmp_exists = false;
		ps[i].renamed = true;
		(void)temp_event(s, ps[i].tmp, SSHX_TEMP_GONE, NULL);
	}
	for (i = 0; i < n && st == PT_OK; i++)
		st = sshx_check_placed(s, files[i].path, &files[i], ps[i].staged, err);
	if (st != PT_OK && s->sftp)
		put_rollback(s, files, ps, n);
	return st;
}

enum pt_status
sshx_put_files(struct sshx *s, struct sshx_file *files, size_t n, struct pt_err *err)
{
	struct put_state ps[SSHX_PUT_MAX];
	enum pt_status st;

	if (n == 0 || n > SSHX_PUT_MAX)
		return pt_fail(err, PT_INVALID, _("%zu files in one put (1 to %d)"), n,
		               SSHX_PUT_MAX);
	memset(ps, 0, sizeof(ps));
	st = put_all(s, files, ps, n, err);
	for (size_t i = 0; i < n; i++) {
		/* a dead session fails fast; what stays is named in the journal */
		if (ps[i].tmp_exists && s->sftp && !sshx_expired(s) &&
		    sshx_unlink_quiet(s, ps[i].tmp) == 0)
			ps[i].tmp_exists = false;
		if (ps[i].named && !ps[i].tmp_exists && !ps[i].renamed)
			(void)temp_event(s, ps[i].tmp, SSHX_TEMP_GONE, NULL);
		free(ps[i].tmp);
		free(ps[i].old);
		sftp_attributes_free(ps[i].staged);
	}
	/* the channel of the renames stays for the session's next put; the
	 * goodbye closes it */
	return st;
}

enum pt_status
sshx_put(struct sshx *s, const void *data, size_t len, const char *remote_path, mode_t mode,
         const char *owner, unsigned char *sha256_out, struct pt_err *err)
{
	struct sshx_file f = { data, len, remote_path, mode, owner, { 0 } };
	enum pt_status st = sshx_put_files(s, &f, 1, err);

	if (sha256_out)
		memcpy(sha256_out, f.sha256, sizeof(f.sha256));
	secmem_wipe(f.sha256, sizeof(f.sha256));
	return st;
}

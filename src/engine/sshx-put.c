/* sshx-put.c - the SFTP put (see sshx.h): a temporary file written in
 * chunks, read back and verified by SHA-256, then renamed into place
 * with its mode and owner.
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

/* Read path back and compare content, size, mode and owner. */
static enum pt_status
sshx_verify(struct sshx *s, const char *path, size_t len, const unsigned char *sha, mode_t mode,
            bool chown_it, uid_t uid, gid_t gid, struct pt_err *err)
{
	sftp_file f = NULL;
	sftp_attributes a = NULL;
	char *back = NULL;
	size_t blen = 0;
	unsigned char bsha[SSHX_SHA256_LEN];
	enum pt_status st;

	f = sftp_open(s->sftp, path, O_RDONLY, 0);
	if (!f)
		return sshx_fail_sftp(s, err, _("open"), path);
	st = sshx_read_all(s, f, path, len, len, &back, &blen, err);
	if (st != PT_OK)
		goto out;
	if (blen != len || gnutls_hash_fast(GNUTLS_DIG_SHA256, back, blen, bsha) != 0 ||
	    memcmp(bsha, sha, sizeof(bsha)) != 0) {
		st = pt_fail(err, PT_IO, _("read-back of %s on %s does not match what was sent"),
		             path, s->peer);
		goto out;
	}
	a = sftp_stat(s->sftp, path);
	if (!a) {
		st = sshx_fail_sftp(s, err, _("stat"), path);
		goto out;
	}
	if ((a->permissions & 07777) != (mode & 07777) ||
	    (chown_it && (a->uid != uid || a->gid != gid))) {
		st = pt_fail(err, PT_IO,
		             _("%s on %s has mode %04o owner %u:%u after the transfer, "
		               "not what was asked"),
		             path, s->peer, (unsigned)(a->permissions & 07777), (unsigned)a->uid,
		             (unsigned)a->gid);
		goto out;
	}
out:
	if (st != PT_OK && sshx_expired(s))
		st = pt_fail(err, PT_TIMEOUT, _("transfer of %s with %s: the deadline passed"),
		             path, s->peer);
	sftp_attributes_free(a);
	secmem_free(back);
	if (f)
		sftp_close(f);
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

static enum pt_status
sshx_write_tmp(struct sshx *s, const char *tmp, const void *data, size_t len, struct pt_err *err)
{
	sftp_file f;
	size_t off = 0, n;
	ssize_t w;
	enum pt_status st = PT_OK;

	f = sftp_open(s->sftp, tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (!f)
		return sshx_fail_sftp(s, err, _("create"), tmp);
	while (off < len) {
		if ((st = sshx_check_deadline(s, err, tmp)) != PT_OK)
			goto out;
		n = len - off < SSHX_CHUNK ? len - off : SSHX_CHUNK;
		w = sftp_write(f, (const char *)data + off, n);
		if (w <= 0) {
			st = sshx_fail_sftp(s, err, _("write"), tmp);
			goto out;
		}
		off += (size_t)w;
	}
	if (sftp_extension_supported(s->sftp, "fsync@openssh.com", "1") && sftp_fsync(f) != 0) {
		st = sshx_fail_sftp(s, err, _("fsync"), tmp);
		goto out;
	}
out:
	if (sftp_close(f) != SSH_NO_ERROR && st == PT_OK)
		st = sshx_fail_sftp(s, err, _("close"), tmp);
	return st;
}

enum pt_status
sshx_put(struct sshx *s, const void *data, size_t len, const char *remote_path, mode_t mode,
         const char *owner, unsigned char *sha256_out, struct pt_err *err)
{
	unsigned char sha[SSHX_SHA256_LEN], rnd[6];
	char rhex[sizeof(rnd) * 2 + 1];
	const char *slash, *base;
	char *tmp = NULL, *old = NULL;
	sftp_attributes a = NULL;
	uid_t uid = 0;
	gid_t gid = 0;
	bool tmp_exists = false, had_old = false, placed = false;
	enum pt_status st;

	slash = strrchr(remote_path, '/');
	base = slash ? slash + 1 : remote_path;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return pt_fail(err, PT_INVALID, _("not a file path: %s"), remote_path);
	if (mode & ~(mode_t)07777)
		return pt_fail(err, PT_INVALID, _("invalid file mode %o"), (unsigned)mode);
	if (owner && (st = sshx_parse_owner(owner, &uid, &gid, err)) != PT_OK)
		return st;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, sha) != 0 ||
	    gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof(rnd)) != 0)
		return pt_fail(err, PT_CRYPTO, NULL);
	if (sha256_out)
		memcpy(sha256_out, sha, sizeof(sha));
	sshx_hex(rnd, sizeof(rnd), rhex);
	if (asprintf(&tmp, "%.*s.%s.passtore-%s", (int)(base - remote_path), remote_path, base,
	             rhex) < 0) {
		tmp = NULL;
		return pt_fail(err, PT_NOMEM, NULL);
	}
	if (asprintf(&old, "%s.old", remote_path) < 0) {
		old = NULL;
		st = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}

	tmp_exists = true; /* even a failed create may leave it: try to remove it */
	st = sshx_write_tmp(s, tmp, data, len, err);
	if (st != PT_OK)
		goto out;
	if (owner && sftp_chown(s->sftp, tmp, uid, gid) != 0) {
		st = sshx_fail_sftp(s, err, _("chown"), tmp);
		goto out;
	}
	if (sftp_chmod(s->sftp, tmp, mode) != 0) {
		st = sshx_fail_sftp(s, err, _("chmod"), tmp);
		goto out;
	}

	/* Keep the current file as .old: OpenSSH's plain rename does not
	 * replace an existing target, so move it out of the way first. */
	a = sftp_lstat(s->sftp, remote_path);
	if (a) {
		if (a->type == SSH_FILEXFER_TYPE_DIRECTORY) {
			st = pt_fail(err, PT_INVALID, _("%s on %s is a directory"), remote_path,
			             s->peer);
			goto out;
		}
		if (sshx_unlink_quiet(s, old) != 0) {
			st = sshx_fail_sftp(s, err, _("unlink"), old);
			goto out;
		}
		if (sftp_rename(s->sftp, remote_path, old) != 0) {
			st = sshx_fail_sftp(s, err, _("rename"), remote_path);
			goto out;
		}
		had_old = true;
	} else if (sftp_get_error(s->sftp) != SSH_FX_NO_SUCH_FILE) {
		st = sshx_fail_sftp(s, err, _("stat"), remote_path);
		goto out;
	}
	if (sftp_rename(s->sftp, tmp, remote_path) != 0) {
		st = sshx_fail_sftp(s, err, _("rename"), tmp);
		goto out;
	}
	tmp_exists = false;
	placed = true;

	st = sshx_verify(s, remote_path, len, sha, mode, owner != NULL, uid, gid, err);
out:
	if (st != PT_OK && s->sftp) {
		/* Best effort on a live session; a dead one fails fast. */
		if (tmp_exists)
			(void)sftp_unlink(s->sftp, tmp);
		if (placed)
			(void)sftp_unlink(s->sftp, remote_path);
		if (had_old)
			(void)sftp_rename(s->sftp, old, remote_path);
	}
	sftp_attributes_free(a);
	free(tmp);
	free(old);
	secmem_wipe(sha, sizeof(sha));
	return st;
}

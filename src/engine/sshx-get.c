/* sshx-get.c - the SFTP get and directory list (see sshx.h), bounded in
 * size and entries.
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

enum pt_status
sshx_get(struct sshx *s, const char *remote_path, void **data, size_t *len, size_t max_len,
         struct pt_err *err)
{
	sftp_attributes a;
	sftp_file f;
	char *buf = NULL;
	size_t hint;
	enum pt_status st;

	*data = NULL;
	*len = 0;
	/* lstat: like sshx_list, a symlink is not a file we fetch. */
	a = sftp_lstat(s->sftp, remote_path);
	if (!a)
		return sshx_fail_sftp(s, err, _("stat"), remote_path);
	if (a->type != SSH_FILEXFER_TYPE_REGULAR) {
		sftp_attributes_free(a);
		return pt_fail(err, PT_INVALID, _("%s on %s is not a regular file"), remote_path,
		               s->peer);
	}
	if (a->size > max_len) {
		sftp_attributes_free(a);
		return pt_fail(err, PT_INVALID, _("%s on %s is larger than %zu bytes"), remote_path,
		               s->peer, max_len);
	}
	hint = (size_t)a->size;
	sftp_attributes_free(a);
	f = sftp_open(s->sftp, remote_path, O_RDONLY, 0);
	if (!f)
		return sshx_fail_sftp(s, err, _("open"), remote_path);
	st = sshx_read_all(s, f, remote_path, hint, max_len, &buf, len, err);
	sftp_close(f);
	if (st == PT_OK)
		*data = buf;
	return st;
}

void
sshx_list_free(struct sshx_entry **entries, size_t n)
{
	size_t i;

	if (!entries || !*entries)
		return;
	for (i = 0; i < n; i++)
		free((*entries)[i].name);
	free(*entries);
	*entries = NULL;
}

enum pt_status
sshx_list(struct sshx *s, const char *dir, struct sshx_entry **entries, size_t *n,
          struct pt_err *err)
{
	sftp_dir d;
	sftp_attributes a;
	struct sshx_entry *v = NULL, *nv;
	size_t cnt = 0, cap = 0;
	enum pt_status st = PT_OK;

	*entries = NULL;
	*n = 0;
	d = sftp_opendir(s->sftp, dir);
	if (!d)
		return sshx_fail_sftp(s, err, _("opendir"), dir);
	while ((a = sftp_readdir(s->sftp, d)) != NULL) {
		if (a->type != SSH_FILEXFER_TYPE_REGULAR || !a->name || !*a->name ||
		    strchr(a->name, '/')) {
			sftp_attributes_free(a);
			continue;
		}
		if (cnt == SSHX_LIST_MAX) {
			sftp_attributes_free(a);
			st = pt_fail(err, PT_INVALID, _("%s on %s holds more than %d files"), dir,
			             s->peer, SSHX_LIST_MAX);
			goto out;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				sftp_attributes_free(a);
				st = pt_fail(err, PT_NOMEM, NULL);
				goto out;
			}
			v = nv;
		}
		v[cnt].name = strdup(a->name);
		v[cnt].size = a->size;
		v[cnt].mtime = (int64_t)a->mtime;
		sftp_attributes_free(a);
		if (!v[cnt].name) {
			st = pt_fail(err, PT_NOMEM, NULL);
			goto out;
		}
		cnt++;
	}
	if (!sftp_dir_eof(d))
		st = sshx_fail_sftp(s, err, _("readdir"), dir);
out:
	sftp_closedir(d);
	if (st != PT_OK) {
		sshx_list_free(&v, cnt);
		return st;
	}
	*entries = v;
	*n = cnt;
	return PT_OK;
}

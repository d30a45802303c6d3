/* file.c - reading a whole file that comes from outside: bounded in size,
 * never blocking on a FIFO, into secure memory when it holds a secret.
 *
 * Run as root, passtore's main process becomes an unprivileged account
 * with no capability before it reads anything (privsep.c).  The files an
 * administrator names on the command line are opened just before, while
 * the process may still reach them (pt_file_preopen_args), and read
 * through those descriptors later: `sudo passtore cert import
 * /root/ce01.pem` reads a file the account could not open.  What the
 * process creates, it creates as the account, and a refusal says so. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/i18n.h"
#include "base/secmem.h"

/* ---- files named on the command line ------------------------------- */

struct preopened {
	char *path; /* as the command line spelled it */
	int fd;
};

static struct preopened pre[PT_FILE_PREOPEN_MAX];
static size_t npre;
static char account[64]; /* the account the process became, or "" */

static int
preopened_fd(const char *path)
{
	for (size_t i = 0; i < npre; i++)
		if (strcmp(pre[i].path, path) == 0)
			return pre[i].fd;
	return -1;
}

void
pt_file_preopen(const char *path)
{
	struct stat a, b;
	int fd;

	/* regular files only: a device is never opened for a word that
	 * merely names one, a FIFO never waited on */
	if (npre == PT_FILE_PREOPEN_MAX || !path || !*path || preopened_fd(path) >= 0 ||
	    stat(path, &a) != 0 || !S_ISREG(a.st_mode))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return;
	/* the file stat() saw, not one put in its place since */
	if (fstat(fd, &b) != 0 || !S_ISREG(b.st_mode) || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino || !(pre[npre].path = strdup(path))) {
		close(fd);
		return;
	}
	pre[npre++].fd = fd;
}

void
pt_file_preopen_args(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *eq;

		if (w[0] == '-' && w[1] == '-' && (eq = strchr(w, '='))) /* --bundle=FILE */
			pt_file_preopen(eq + 1);
		else if (w[0] != '-')
			pt_file_preopen(w);
	}
}

void
pt_file_preopen_clear(void)
{
	for (size_t i = 0; i < npre; i++) {
		close(pre[i].fd);
		free(pre[i].path);
	}
	npre = 0;
}

void
pt_file_set_account(const char *name)
{
	snprintf(account, sizeof(account), "%s", name ? name : "");
}

const char *
pt_file_strerror(int e)
{
	static char buf[256];

	if ((e != EACCES && e != EPERM) || !account[0])
		return strerror(e);
	snprintf(buf, sizeof(buf),
	         _("%s (passtore runs as the account %s, which must be allowed there)"),
	         strerror(e), account);
	return buf;
}

/* ---- reading --------------------------------------------------------- */

/* The whole of a file, NUL-terminated; in secmem when secret. */
enum pt_status
pt_file_read(const char *path, bool secret, size_t max, unsigned char **out, size_t *len,
             struct pt_err *err)
{
	unsigned char *buf = NULL;
	struct stat sb;
	size_t n = 0;
	int fd;

	*out = NULL;
	/* a file named on the command line: the descriptor opened for it
	 * before the process gave up root, read from its start */
	if ((fd = preopened_fd(path)) >= 0) {
		if ((fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0 || lseek(fd, 0, SEEK_SET) != 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return pt_fail(err, PT_IO, _("cannot open %s: %s"), path, strerror(e));
		}
	} else {
		/* O_NONBLOCK: a FIFO given by mistake must not block the open; it
		 * is refused by the fstat below like any file that is not regular */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	}
	if (fd < 0)
		return pt_fail(err, errno == ENOENT ? PT_NOTFOUND : PT_IO, _("cannot open %s: %s"),
		               path, pt_file_strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
		close(fd);
		return pt_fail(err, PT_INVALID, _("%s is not a regular file of at most %zu bytes"),
		               path, max);
	}
	buf = secret ? secmem_alloc((size_t)sb.st_size + 1) : malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	while (n < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)sb.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = errno;
			close(fd);
			if (secret)
				secmem_free(buf);
			else
				free(buf);
			return pt_fail(err, PT_IO, _("cannot read %s: %s"), path,
			               r ? strerror(e) : _("short read"));
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return PT_OK;
}

/* file.c - reading a whole file that comes from outside: bounded in size,
 * never blocking on a FIFO, into secure memory when it holds a secret. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/i18n.h"
#include "base/secmem.h"

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
	/* O_NONBLOCK: a FIFO given by mistake must not block the open; it is
	 * refused by the fstat below like any file that is not regular */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return pt_fail(err, errno == ENOENT ? PT_NOTFOUND : PT_IO, _("cannot open %s: %s"),
		               path, strerror(errno));
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

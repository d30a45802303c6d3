/* file.h - a whole file from outside, bounded (file.c). */
#ifndef PASSTORE_BASE_FILE_H
#define PASSTORE_BASE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

/* The whole of the regular file path, at most max bytes, NUL-terminated
 * (the NUL not counted in *len); in secmem when secret (free it with
 * secmem_free), else malloc'd.  A FIFO, device or directory is refused
 * without blocking; a missing file is PT_NOTFOUND. */
enum pt_status pt_file_read(const char *path, bool secret, size_t max, unsigned char **out,
                            size_t *len, struct pt_err *err);

#endif

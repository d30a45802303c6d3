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

/* Files named on the command line, opened before the main process gives
 * up root (file.c): pt_file_read() of the same path, spelled the same,
 * reads the descriptor.  Only regular files; at most
 * PT_FILE_PREOPEN_MAX, the rest opened when read, as anything else. */
#define PT_FILE_PREOPEN_MAX 256
void pt_file_preopen(const char *path);
/* Each word of argv that names a regular file, and the value of each
 * --option=VALUE that does; words starting with "-" are not files. */
void pt_file_preopen_args(int argc, char **argv);
void pt_file_preopen_clear(void);

/* The account the process became (privsep.c), named by refusals. */
void pt_file_set_account(const char *name);
/* strerror(e), and for EACCES and EPERM in a process that became an
 * account, that it runs as that account (a static buffer). */
const char *pt_file_strerror(int e);

#endif

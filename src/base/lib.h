/* base/lib.h - the bottom layer of the core: everything else stands on it.
 *
 *   status.c   the one status enum, its message table, pt_err details
 *   secmem.c   locked, wiped memory for secrets; process hardening
 *   secheap.c  a locked, wiped heap for a library's own memory (SQLite)
 *   kdf.c      passphrase -> raw database key (Argon2id)
 *   args.c     the program's global options, parsed once for both faces
 *   file.c     a whole file from outside, bounded
 *   timefmt.c  the UTC time stamp shown everywhere
 *   i18n.h     gettext wrappers (include from .c files only)
 *
 * Includes nothing of the layers above (store, site, cert, grid, engine). */
#ifndef PASSTORE_BASE_LIB_H
#define PASSTORE_BASE_LIB_H

#include "base/status.h"
#include "base/secmem.h"
#include "base/secheap.h"
#include "base/kdf.h"
#include "base/args.h"
#include "base/file.h"
#include "base/timefmt.h"

#endif

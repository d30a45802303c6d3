/* secmem.h - locked, zeroised memory for secrets.
 *
 * Every secret (passphrase, database key, service password, private key)
 * lives in memory from this allocator: each block is mapped on its own
 * pages, mlock()ed where the limits allow, excluded from core dumps
 * (MADV_DONTDUMP) and wiped before it is unmapped.
 */
#ifndef PASSTORE_SECMEM_H
#define PASSTORE_SECMEM_H

#include <stdbool.h>
#include <stddef.h>

/* Disable core dumps and ptrace attach for this process (RLIMIT_CORE 0,
 * PR_SET_DUMPABLE 0).  Returns 0, or -1 with errno set. */
int secmem_harden_process(void);

/* Zero-filled secure block of n bytes (n may be 0); NULL on failure. */
void *secmem_alloc(size_t n);
/* Grow or shrink; the old block is wiped. */
void *secmem_realloc(void *p, size_t n);
/* Wipe and release; NULL is fine. */
void secmem_free(void *p);
/* Wipe, release and clear the caller's pointer. */
void secmem_freep(void *pp);
/* Size the block was allocated with. */
size_t secmem_size(const void *p);
/* Copy of a string / of n bytes (NUL added) in secure memory. */
char *secmem_strdup(const char *s);
char *secmem_strndup(const char *s, size_t n);
/* Whether p was mlock()ed (false when RLIMIT_MEMLOCK refused it). */
bool secmem_is_locked(const void *p);
/* Bytes currently held by the allocator (for tests and posture). */
size_t secmem_in_use(void);
/* Wipe memory that is not from this allocator (e.g. a stack buffer). */
void secmem_wipe(void *p, size_t n);

#endif

/* secheap.h - a heap for a library that keeps secrets in memory it
 * allocates itself (SQLite: its page cache holds decrypted pages, its
 * working memory the rows read).
 *
 * secmem maps each block on its own pages, which suits a few secrets but
 * not the thousands of small blocks such a library makes.  This heap
 * carves size classes out of chunks that are private mappings excluded
 * from core dumps (MADV_DONTDUMP) and mlock()ed where RLIMIT_MEMLOCK
 * allows it; every block is wiped when it is freed; large blocks get
 * mappings of their own, wiped and unmapped when freed.  Thread-safe.
 */
#ifndef PASSTORE_SECHEAP_H
#define PASSTORE_SECHEAP_H

#include <stdbool.h>
#include <stddef.h>

/* The most the heap maps in all (blocks past it fail: NULL), a bound on
 * what a library can pull into memory through it. */
#define SECHEAP_MAX ((size_t)512 << 20)

/* A block of at least n bytes, 16-byte aligned, zero-filled; NULL when
 * out of memory or past SECHEAP_MAX. */
void *secheap_alloc(size_t n);
/* Wipe and release p (NULL is fine). */
void secheap_free(void *p);
/* Grow or shrink p (the old block is wiped); NULL leaves p as it was. */
void *secheap_realloc(void *p, size_t n);
/* Usable size of p (what it was rounded up to). */
size_t secheap_size(const void *p);
/* What a request of n bytes is rounded up to. */
size_t secheap_roundup(size_t n);

struct secheap_stats {
	size_t mapped;  /* bytes mapped for the heap (chunks and large blocks) */
	size_t locked;  /* of which mlock()ed */
	size_t in_use;  /* bytes in live blocks (rounded sizes) */
	size_t peak;    /* highest in_use so far */
	int lock_errno; /* errno of the first mlock() refused, 0 if none */
	size_t memlock; /* RLIMIT_MEMLOCK (soft), SIZE_MAX: unlimited */
};
void secheap_stats(struct secheap_stats *out);

#endif

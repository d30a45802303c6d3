/* secmem.c - the secure allocator: one private mapping per block.
 *
 * Secrets are few and small, so a mapping per block is affordable and
 * keeps each one on pages of its own: locked when RLIMIT_MEMLOCK allows
 * it, never in a core dump, wiped before the pages go back.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/memlock.h"
#include "base/secmem.h"

#define SECMEM_MAGIC 0x5345434dU /* "SECM" */

struct secmem_hdr {
	uint32_t magic;
	uint32_t locked;
	size_t size;   /* bytes asked for */
	size_t mapped; /* bytes mapped, header included */
	size_t pad;    /* keeps the payload 16-byte aligned */
};

static size_t in_use;

int
secmem_harden_process(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -1;
	return 0;
}

void
secmem_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

static struct secmem_hdr *
hdr_of(const void *p)
{
	struct secmem_hdr *h = (struct secmem_hdr *)((char *)p - sizeof(*h));

	return h->magic == SECMEM_MAGIC ? h : NULL;
}

void *
secmem_alloc(size_t n)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	size_t total, mapped;
	struct secmem_hdr *h;
	void *m;

	if (n > SIZE_MAX / 2)
		return NULL;
	total = sizeof(*h) + n + 1; /* +1: room for a NUL after strings */
	mapped = (total + (size_t)pagesz - 1) / (size_t)pagesz * (size_t)pagesz;
	m = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
#ifdef MADV_DONTDUMP
	(void)madvise(m, mapped, MADV_DONTDUMP);
#endif
#ifdef MADV_WIPEONFORK
	(void)madvise(m, mapped, MADV_WIPEONFORK);
#endif
	h = m;
	h->magic = SECMEM_MAGIC;
	h->locked = pt_mlock(m, mapped) == 0;
	h->size = n;
	h->mapped = mapped;
	in_use += mapped;
	return h + 1;
}

void
secmem_free(void *p)
{
	struct secmem_hdr *h;
	size_t mapped;
	int locked;

	if (!p)
		return;
	h = hdr_of(p);
	if (!h)
		return; /* not ours: refuse to guess its size */
	mapped = h->mapped;
	locked = h->locked;
	explicit_bzero(h, mapped);
	if (locked)
		(void)pt_munlock(h, mapped);
	(void)munmap(h, mapped);
	in_use -= mapped;
}

void
secmem_freep(void *pp)
{
	void **p = pp;

	if (p) {
		secmem_free(*p);
		*p = NULL;
	}
}

void *
secmem_realloc(void *p, size_t n)
{
	void *q;
	size_t old;

	if (!p)
		return secmem_alloc(n);
	q = secmem_alloc(n);
	if (!q)
		return NULL;
	old = secmem_size(p);
	memcpy(q, p, old < n ? old : n);
	secmem_free(p);
	return q;
}

size_t
secmem_size(const void *p)
{
	const struct secmem_hdr *h = p ? hdr_of(p) : NULL;

	return h ? h->size : 0;
}

bool
secmem_is_locked(const void *p)
{
	const struct secmem_hdr *h = p ? hdr_of(p) : NULL;

	return h && h->locked;
}

size_t
secmem_in_use(void)
{
	return in_use;
}

char *
secmem_strndup(const char *s, size_t n)
{
	char *d = secmem_alloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

char *
secmem_strdup(const char *s)
{
	return secmem_strndup(s, strlen(s));
}

/* secheap.c - the secure heap: size classes carved from locked, undumped
 * chunks; every block wiped when freed.
 *
 * Classes: multiples of 16 up to 256 bytes, then four steps per power of
 * two up to 64 KiB (a 4 KiB page with SQLite's header, 4.3 KiB, wastes
 * 15%, not 47% as with powers of two).  A freed block goes, wiped, on its
 * class's free list; chunks are never returned (their blocks are zeros
 * but for the list's links).  A block above 64 KiB is a mapping of its
 * own.  One mutex: SQLite calls in from the console's unlock thread too.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/memlock.h"
#include "base/secheap.h"

#define HDR 16 /* keeps payloads 16-byte aligned */
#define SMALL_MAX 256
#define BIG_MIN ((size_t)64 << 10) /* above: a mapping of its own */
#define NCLASS (SMALL_MAX / 16 + 8 * 4)
#define CHUNK ((size_t)1 << 20)
#define MAGIC 0x53484550U /* "SHEP" */
#define CLASS_BIG 0xffffU

struct blk {
	uint32_t magic;
	uint32_t cls;
	uint64_t size; /* usable bytes (big: the mapping's length minus HDR) */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void *free_list[NCLASS];
static char *bump, *bump_end; /* the chunk being carved */
static struct secheap_stats st;

static size_t
class_of(size_t n)
{
	unsigned k = 8;

	if (n <= SMALL_MAX)
		return n ? (n + 15) / 16 - 1 : 0;
	while (((size_t)1 << (k + 1)) < n)
		k++;
	/* n in (2^k, 2^(k+1)]: steps of 2^k / 4 */
	size_t step = ((size_t)1 << k) / 4, q = (n - ((size_t)1 << k) + step - 1) / step;
	return SMALL_MAX / 16 + (k - 8) * 4 + (q - 1);
}

static size_t
class_size(size_t c)
{
	if (c < SMALL_MAX / 16)
		return (c + 1) * 16;
	c -= SMALL_MAX / 16;
	size_t base = (size_t)1 << (8 + c / 4);
	return base + (c % 4 + 1) * base / 4;
}

/* A private mapping, out of dumps, locked if the limit allows; counted. */
static void *
map_secure(size_t len)
{
	void *m;

	if (st.mapped + len > SECHEAP_MAX)
		return NULL;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
#ifdef MADV_DONTDUMP
	(void)madvise(m, len, MADV_DONTDUMP);
#endif
#ifdef MADV_WIPEONFORK
	(void)madvise(m, len, MADV_WIPEONFORK);
#endif
	if (pt_mlock(m, len) == 0)
		st.locked += len;
	else if (!st.lock_errno)
		st.lock_errno = errno ? errno : EPERM;
	st.mapped += len;
	return m;
}

static size_t
page_round(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (n + pg - 1) / pg * pg;
}

static struct blk *
alloc_big(size_t n)
{
	size_t len = page_round(HDR + n);
	struct blk *b = map_secure(len);

	if (b) {
		b->magic = MAGIC;
		b->cls = CLASS_BIG;
		b->size = len - HDR;
	}
	return b;
}

static struct blk *
alloc_small(size_t c)
{
	size_t need = HDR + class_size(c);
	struct blk *b = free_list[c];

	if (b) {
		memcpy(&free_list[c], b + 1, sizeof(void *));
		memset(b + 1, 0, sizeof(void *));
		return b;
	}
	if (!bump || (size_t)(bump_end - bump) < need) {
		/* the old chunk's tail stays unused: at most one class's size */
		char *m = map_secure(CHUNK);
		if (!m)
			return NULL;
		bump = m;
		bump_end = m + CHUNK;
	}
	b = (struct blk *)bump;
	bump += need;
	b->magic = MAGIC;
	b->cls = (uint32_t)c;
	b->size = class_size(c);
	return b;
}

void *
secheap_alloc(size_t n)
{
	struct blk *b;

	if (n > SECHEAP_MAX)
		return NULL;
	pthread_mutex_lock(&mu);
	b = n > BIG_MIN ? alloc_big(n) : alloc_small(class_of(n));
	if (b) {
		st.in_use += b->size;
		if (st.in_use > st.peak)
			st.peak = st.in_use;
	}
	pthread_mutex_unlock(&mu);
	return b ? b + 1 : NULL;
}

static struct blk *
blk_of(const void *p)
{
	struct blk *b = (struct blk *)p - 1;

	return b->magic == MAGIC ? b : NULL;
}

void
secheap_free(void *p)
{
	struct blk *b;

	if (!p || !(b = blk_of(p)))
		return; /* not ours: its size is unknown, leave it */
	explicit_bzero(p, b->size);
	pthread_mutex_lock(&mu);
	st.in_use -= b->size;
	if (b->cls == CLASS_BIG) {
		size_t len = b->size + HDR;
		if (pt_munlock(b, len) == 0)
			st.locked -= len;
		st.mapped -= len;
		explicit_bzero(b, HDR);
		(void)munmap(b, len);
	} else {
		memcpy(p, &free_list[b->cls], sizeof(void *));
		free_list[b->cls] = b;
	}
	pthread_mutex_unlock(&mu);
}

void *
secheap_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (!p)
		return secheap_alloc(n);
	old = secheap_size(p);
	if (n <= old && (old <= BIG_MIN || n > old / 2))
		return p; /* fits, and a large block is not mostly waste */
	q = secheap_alloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	secheap_free(p);
	return q;
}

size_t
secheap_size(const void *p)
{
	const struct blk *b = p ? blk_of(p) : NULL;

	return b ? b->size : 0;
}

size_t
secheap_roundup(size_t n)
{
	if (n > SECHEAP_MAX)
		return n;
	return n > BIG_MIN ? page_round(HDR + n) - HDR : class_size(class_of(n));
}

void
secheap_stats(struct secheap_stats *out)
{
	struct rlimit rl;

	pthread_mutex_lock(&mu);
	*out = st;
	pthread_mutex_unlock(&mu);
	out->memlock = SIZE_MAX;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		out->memlock = (size_t)rl.rlim_cur;
}

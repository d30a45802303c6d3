/* store-mem.c - SQLite's memory in the secure heap.
 *
 * SQLite keeps decrypted pages in its page cache and copies the rows it
 * reads into its working memory: with its default allocator both sat in
 * the ordinary heap, where a dump of the process found stored secrets.
 * Every allocation SQLite (and SQLCipher, which allocates through it)
 * makes goes to base/secheap instead: locked where the limit allows, out
 * of core dumps, wiped as it is freed, so a closed store (store_close,
 * the console's lock) leaves none of its pages behind.
 *
 * No SQLITE_CONFIG_PAGECACHE: its slots go back to a free list when a
 * connection closes, unwiped; through xFree every page is wiped.
 * sqlite3_config() works only before SQLite initialises itself, which
 * it does at the first sqlite3_open_v2: store_attach_db, the one place
 * that opens a database, calls store_memory_init() first.
 */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <limits.h>
#include <pthread.h>

#include "base/lib.h"
#include "store/store.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int config_rc = SQLITE_ERROR;

static void *
mem_malloc(int n)
{
	return n < 0 ? NULL : secheap_alloc((size_t)n);
}

static void
mem_free(void *p)
{
	secheap_free(p);
}

static void *
mem_realloc(void *p, int n)
{
	return n < 0 ? NULL : secheap_realloc(p, (size_t)n);
}

static int
mem_size(void *p)
{
	size_t n = secheap_size(p);

	return n > INT_MAX ? INT_MAX : (int)n;
}

static int
mem_roundup(int n)
{
	size_t r = n < 0 ? 0 : secheap_roundup((size_t)n);

	return r > INT_MAX ? n : (int)r;
}

static int
mem_init(void *ud)
{
	(void)ud;
	return SQLITE_OK;
}

static void
mem_shutdown(void *ud)
{
	(void)ud;
}

static void
configure(void)
{
	static const sqlite3_mem_methods methods = {
		mem_malloc,  mem_free, mem_realloc,  mem_size,
		mem_roundup, mem_init, mem_shutdown, NULL,
	};

	config_rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &methods);
}

bool
store_memory_init(void)
{
	pthread_once(&once, configure);
	return config_rc == SQLITE_OK;
}

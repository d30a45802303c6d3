/*
 * memlock.h - mlock(2) and munlock(2) that lock in every build.
 *
 * AddressSanitizer intercepts mlock and munlock and makes them succeed
 * without locking anything (it must not lock its terabytes of shadow), so
 * a sanitizer build would report locked pages that can be swapped out.
 * There the system calls are made directly: the secure heaps are locked
 * in the build the test suite checks under the sanitizers, too.
 */
#ifndef PASSTORE_MEMLOCK_H
#define PASSTORE_MEMLOCK_H

#include <stddef.h>
#include <sys/mman.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

static inline int
pt_mlock(const void *p, size_t len)
{
#if defined(__SANITIZE_ADDRESS__)
	return (int)syscall(SYS_mlock, p, len);
#else
	return mlock(p, len);
#endif
}

static inline int
pt_munlock(const void *p, size_t len)
{
#if defined(__SANITIZE_ADDRESS__)
	return (int)syscall(SYS_munlock, p, len);
#else
	return munlock(p, len);
#endif
}

#endif

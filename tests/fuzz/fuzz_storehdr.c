/* fuzz_storehdr.c - the readers of a store's own files before any
 * passphrase (src/store/store.h): the 16-byte header of the database
 * file (its magic, format and, in format 2, the KDF parameters) and the
 * key record "<store>.key" (its entries, their KDF parameters, the salt
 * that ties one to the database, the fingerprint).  The first byte of
 * the input says how many of the next bytes are the database file (its
 * low five bits) and whether a key record exists (bit 7 clear); the rest
 * is the key record.  Both are written to a directory made once, in
 * /dev/shm when there is one (TMPDIR names another place). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "base/lib.h"
#include "store/lib.h"

static char dir[64], db[96], rec[96];

static void
cleanup(void)
{
	unlink(db);
	unlink(rec);
	rmdir(dir);
}

static bool
dir_once(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0])
		return true;
	snprintf(dir, sizeof(dir), "%s/fuzz-storehdr.XXXXXX",
	         tmp && *tmp                     ? tmp
	         : access("/dev/shm", W_OK) == 0 ? "/dev/shm"
	                                         : "/tmp");
	if (strlen(dir) >= sizeof(dir) - 16 || !mkdtemp(dir))
		abort();
	snprintf(db, sizeof(db), "%s/s.db", dir);
	snprintf(rec, sizeof(rec), "%s/s.db.key", dir);
	atexit(cleanup);
	return true;
}

static void
put(const char *path, const uint8_t *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || (n && write(fd, data, n) != (ssize_t)n))
		abort();
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdf_params kp;
	char fpr[STORE_FPR_LEN];
	uint32_t gen;
	size_t n;

	if (size < 1 || !dir_once())
		return 0;
	n = data[0] & 0x1f;
	if (n > size - 1)
		n = size - 1;
	put(db, data + 1, n);
	if (data[0] & 0x80)
		unlink(rec);
	else
		put(rec, data + 1 + n, size - 1 - n);
	if (store_peek_params(db, &kp, NULL) == PT_OK && kdf_params_check(&kp, NULL) != PT_OK)
		abort(); /* a reader hands on only parameters the KDF accepts */
	if (store_peek_key(db, &gen, fpr, NULL) == PT_OK &&
	    strnlen(fpr, sizeof(fpr)) == sizeof(fpr))
		abort();
	return 0;
}

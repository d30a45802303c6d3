/* replay.c - run a fuzz target without libFuzzer, for `make check`.
 *
 *   replay-TARGET [DIR|FILE]...
 *
 * Each seed file (default: the directory FUZZ_CORPUS given at build time)
 * is fed to LLVMFuzzerTestOneInput as it is, then every prefix of it and
 * a fixed set of single-byte mutations, so that truncated and garbled
 * inputs are covered on every run, deterministically.  A crash, an abort
 * or a sanitizer report fails the test; exit 0 otherwise, 77 when there
 * is no seed at all. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define SEED_MAX (1024 * 1024)
/* Prefixes of every length up to this size, a sample above it. */
#define PREFIX_ALL 4096
#define FLIPS 512

static size_t runs;

static void
feed(const unsigned char *buf, size_t len)
{
	unsigned char *copy = malloc(len ? len : 1);

	if (!copy) {
		perror("replay");
		exit(1);
	}
	memcpy(copy, buf, len); /* an exact-size block: ASan sees overreads */
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	runs++;
}

static int
replay_file(const char *path)
{
	static const unsigned char masks[] = { 0xff, 0x80, 0x01, 0x7f };
	unsigned char *buf, *mut;
	size_t len, step;
	FILE *f = fopen(path, "rb");

	if (!f) {
		perror(path);
		return -1;
	}
	buf = malloc(SEED_MAX);
	len = buf ? fread(buf, 1, SEED_MAX, f) : 0;
	fclose(f);
	if (!buf || !(mut = malloc(len ? len : 1))) {
		free(buf);
		return -1;
	}
	feed(buf, len);
	step = len <= PREFIX_ALL ? 1 : len / PREFIX_ALL;
	for (size_t n = 0; n < len; n += step)
		feed(buf, n);
	step = len <= FLIPS ? 1 : len / FLIPS;
	for (size_t i = 0; i < len; i += step) {
		memcpy(mut, buf, len);
		mut[i] ^= masks[i % sizeof(masks)];
		feed(mut, len);
	}
	free(mut);
	free(buf);
	return 0;
}

static int
replay_path(const char *path, size_t *seeds)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (stat(path, &sb) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		(*seeds)++;
		return replay_file(path);
	}
	if (!(d = opendir(path))) {
		perror(path);
		return -1;
	}
	while ((e = readdir(d))) {
		char p[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (replay_path(p, seeds) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t seeds = 0;
	int rc = 0;

	if (argc < 2) {
		rc = replay_path(FUZZ_CORPUS, &seeds);
	} else {
		for (int i = 1; i < argc; i++)
			if (replay_path(argv[i], &seeds) != 0)
				rc = -1;
	}
	printf("replay: %zu seeds, %zu inputs\n", seeds, runs);
	if (rc != 0)
		return 1;
	return seeds ? 0 : 77;
}

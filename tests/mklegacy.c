/* mklegacy.c - test-only: create a store in format 2, the format before
 * data keys (keyed with the Argon2id output of the passphrase itself),
 * as passtore wrote them before, with one audited row and a meta mark,
 * for the conversion tests.  Passphrase on fd 3.  Never installed. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/lib.h"

int
main(int argc, char **argv)
{
	struct kdf_params kp = { 8 * 1024, 1, 1 };
	struct store *st = NULL;
	struct pt_err err = { 0 };
	char pass[256];
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: mklegacy DB  (passphrase on fd 3)\n");
		return 2;
	}
	n = read(3, pass, sizeof(pass) - 1);
	if (n <= 0)
		return 2;
	pass[n] = '\0';
	pass[strcspn(pass, "\n")] = '\0';
	if (store_create_legacy(argv[1], pass, strlen(pass), &kp, &st, &err) != PT_OK ||
	    store_begin(st, &err) != PT_OK ||
	    audit_appendf(st, "store.init", argv[1], &err, "format=2 (test fixture)") != PT_OK ||
	    store_meta_set(st, "test.mark", "made-in-format-2", &err) != PT_OK ||
	    store_commit(st, &err) != PT_OK) {
		fprintf(stderr, "mklegacy: %s\n", err.detail);
		store_close(&st);
		return 1;
	}
	store_close(&st);
	return 0;
}

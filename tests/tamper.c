/* tamper.c - test-only: unlock a store (passphrase on fd 3) and run one
 * SQL statement behind passtore's back, as an attacker with the key
 * would.  Never installed. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/lib.h"

int
main(int argc, char **argv)
{
	struct store *st = NULL;
	struct pt_err err = { 0 };
	char pass[256];
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: tamper DB SQL  (passphrase on fd 3)\n");
		return 2;
	}
	n = read(3, pass, sizeof(pass) - 1);
	if (n <= 0)
		return 2;
	pass[n] = '\0';
	pass[strcspn(pass, "\n")] = '\0';
	if (store_open(argv[1], pass, strlen(pass), &st, &err) != PT_OK) {
		fprintf(stderr, "tamper: %s\n", err.detail);
		return 1;
	}
	if (store_exec(st, argv[2], &err) != PT_OK) {
		fprintf(stderr, "tamper: %s\n", err.detail);
		store_close(&st);
		return 1;
	}
	store_close(&st);
	return 0;
}

/* fuzz_settings.c - the one validator of settings values (src/store/
 * settings.h), as `config set` and the engine apply it: the input is
 * "KEY=VALUE" (a key of the table, host.FQDN.* included, or anything),
 * checked without a store; then the value parsers the engine reuses. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "store/lib.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *eq;
	struct settings_copy copies[8];
	unsigned uid, gid, mode;
	int pct;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((eq = strchr(s, '=')) != NULL) {
		*eq = '\0';
		(void)settings_check(NULL, s, eq + 1, NULL);
		(void)settings_owner_parse(eq + 1, &uid, &gid);
		(void)settings_mode_parse(eq + 1, &mode);
		(void)settings_percent_parse(eq + 1, &pct);
		if (settings_copies_parse(eq + 1, copies, 8) > 8)
			abort();
	}
	free(s);
	return 0;
}

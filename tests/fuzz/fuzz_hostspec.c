/* fuzz_hostspec.c - the host specs of src/site/hostspec.h: a spec
 * expanded (ranges, lists, patterns), an entry USER@HOSTSPEC:SERVICE cut
 * into its parts, on the same text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "site/lib.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostspec hs = { 0 };
	char *s = malloc(size + 1), *user = NULL, *spec = NULL, *service = NULL;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)hostspec_is_pattern(s);
	if (hostspec_expand(s, &hs, NULL) == PT_OK) {
		if (!hs.group && (hs.n == 0 || hs.n > HOSTSPEC_MAX_HOSTS))
			abort();
		for (size_t i = 0; i < hs.n; i++)
			if (!hs.names[i] || !*hs.names[i] ||
			    strlen(hs.names[i]) > HOSTSPEC_MAX_NAME)
				abort();
	}
	hostspec_free(&hs);
	if (hostspec_parse_entry(s, &user, &spec, &service, NULL) == PT_OK) {
		if (!user || !spec || !service)
			abort();
		free(user);
		free(spec);
		free(service);
	}
	free(s);
	return 0;
}

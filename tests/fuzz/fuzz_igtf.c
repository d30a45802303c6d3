/* fuzz_igtf.c - the .namespaces and .signing_policy parsers of
 * src/cert/trust.h on the same input, and the pattern match of every rule
 * they accept against a fixed subject and against the input itself. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "cert/lib.h"

static void
check(const struct igtf_rules *rs, const char *s)
{
	for (size_t i = 0; i < rs->n; i++) {
		if (!rs->r[i].issuer || !rs->r[i].pattern)
			abort();
		(void)igtf_pattern_match(rs->r[i].pattern, "/C=IT/O=INFN/CN=host.example.org");
		(void)igtf_pattern_match(rs->r[i].pattern, s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igtf_rules rs = { 0 };
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (igtf_parse_namespaces("fuzz", (const char *)data, size, "/C=IT/CN=Self", &rs, NULL) ==
	    PT_OK)
		check(&rs, s);
	igtf_rules_clear(&rs);
	if (igtf_parse_signing_policy("fuzz", (const char *)data, size, &rs, NULL) == PT_OK)
		check(&rs, s);
	if (rs.n > TRUST_RULES_MAX)
		abort();
	igtf_rules_clear(&rs);
	free(s);
	return 0;
}

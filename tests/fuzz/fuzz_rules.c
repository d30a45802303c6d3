/* fuzz_rules.c - the mkgridmap.conf rules parser of src/gridmap.h, and a
 * build from what it accepted (no member lists: groups are missing). */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "grid/lib.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gm_rules *r = NULL;
	struct gm_result *res = NULL;

	if (gridmap_rules_parse("fuzz", (const char *)data, size, &r, NULL) == PT_OK) {
		for (size_t i = 0; i < r->ngroups; i++)
			if (!r->groups[i].uri || !r->groups[i].account)
				abort();
		if (gridmap_build(r, NULL, 0, NULL, NULL, 0, &res, NULL) == PT_OK &&
		    res->nmissing > r->ngroups + r->nauths)
			abort();
		gridmap_result_free(&res);
	}
	gridmap_rules_free(&r);
	return 0;
}

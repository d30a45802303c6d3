/* fuzz_members.c - the VO member list parsers of src/gridmap.h: the
 * format-detecting one (plain, VOMS-Admin CSV, LDIF) and the
 * grid-mapfile-local one. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "grid/lib.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gm_members *m = NULL;

	if (gridmap_members_parse("fuzz", (const char *)data, size, &m, NULL) == PT_OK) {
		for (size_t i = 0; i < m->n; i++)
			if (!m->v[i].dn)
				abort();
	}
	gridmap_members_free(&m);
	if (gridmap_local_parse("fuzz", (const char *)data, size, &m, NULL) == PT_OK) {
		for (size_t i = 0; i < m->n; i++)
			if (!m->v[i].dn || !m->v[i].account)
				abort();
	}
	gridmap_members_free(&m);
	return 0;
}

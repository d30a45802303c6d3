/* fuzz_ac.c - the VOMS attribute certificate decoder (an acseq
 * extension's value) and, on the same bytes, the whole `cert inspect`
 * path (PEM blocks, keys skipped, certificates, extensions). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "grid/lib.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct voms_acs *acs = NULL;
	struct voms_inspect *in = NULL;
	char *s;

	if (voms_acs_decode(data, size, &acs, NULL) == PT_OK) {
		/* what a decoded AC holds must be complete */
		for (size_t i = 0; i < acs->n; i++)
			if (!acs->v[i].nfqans || !acs->v[i].serial || !acs->v[i].fqans[0].group)
				abort();
	}
	voms_acs_free(&acs);
	if (voms_inspect(data, size, &in, NULL) == PT_OK && (!in->n || !in->info[0].x))
		abort();
	voms_inspect_free(&in);
	/* the FQAN splitter on the bytes as a string */
	if ((s = malloc(size + 1))) {
		struct voms_fqan f;

		memcpy(s, data, size);
		s[size] = '\0';
		if (voms_fqan_parse(s, &f, NULL) == PT_OK && (!f.group || f.group[0] != '/'))
			abort();
		voms_fqan_clear(&f);
		free(s);
	}
	return 0;
}

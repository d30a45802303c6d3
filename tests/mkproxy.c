/* mkproxy - print a freshly made VOMS proxy file (proxy certificate, its
 * key, the user certificate) for the shell tests of `cert inspect`.
 *
 *   mkproxy [--old-oid] [--garble] [--wrong-signer] [--acseq]
 *
 * --old-oid   the AC under the early VOMS OID 1.3.6.1.4.1.8005.100.100.1
 * --garble    the acseq extension cut in half
 * --wrong-signer  the AC signed by the user's key, not the VOMS server's
 * --acseq     print the extension's DER instead (a fuzzing seed)
 * Everything is made by tests/unit/vomsgen.c; the key is a test key. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vomsgen.h"

int
main(int argc, char **argv)
{
	struct vg_opts o = { 0 };
	struct vg_out out;
	int acseq = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--old-oid") == 0)
			o.old_oid = true;
		else if (strcmp(argv[i], "--garble") == 0)
			o.garble = true;
		else if (strcmp(argv[i], "--wrong-signer") == 0)
			o.wrong_signer = true;
		else if (strcmp(argv[i], "--acseq") == 0)
			acseq = 1;
		else {
			fprintf(stderr,
			        "usage: mkproxy [--old-oid] [--garble] [--wrong-signer] [--acseq]\n");
			return 2;
		}
	}
	if (vg_make(&o, &out) != 0)
		return 1;
	if (acseq)
		rc = fwrite(out.acseq, 1, out.acseq_len, stdout) == out.acseq_len ? 0 : 1;
	else
		rc = fputs(out.proxy_pem, stdout) >= 0 ? 0 : 1;
	vg_out_free(&out);
	return rc;
}

/* fuzz_csr.c - the text parsers of certificate requests and keys in
 * src/cert/x509.h: a PEM request's key id, a PEM key's id and type, the
 * subject template of a request (certificate key files in every format
 * are fuzz_certs'); and the same bytes as a DER Name. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "cert/lib.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char id[X509_ID_LEN];
	struct x509_subject *subj = NULL;
	enum x509_keytype t;
	char *s = malloc(size + 1), *g;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)x509_csr_key_id(s, id, NULL);
	(void)x509_key_id(s, id, NULL);
	(void)x509_key_type(s, &t, NULL);
	if (x509_subject_parse(s, "host.example.org", &subj, NULL) == PT_OK) {
		if (!subj || !(g = x509_subject_grid(subj)))
			abort();
		free(g);
	}
	x509_subject_free(&subj);
	free(x509_dn_der_grid(data, size));
	free(s);
	return 0;
}

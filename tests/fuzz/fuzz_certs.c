/* fuzz_certs.c - every delivery format a certificate file can come in
 * (PEM blocks, DER, PKCS#7 in PEM or DER, PKCS#12 with the seeds'
 * password "fuzz"), through the memo a batch shares, and the same bytes
 * as a private key file (plain, encrypted PEM or PKCS#8, PKCS#12). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "cert/lib.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct x509_memo *memo; /* kept across inputs, as across a batch */
	struct x509_cert_list *l = NULL;
	char *key = NULL;

	if (!memo && !(memo = x509_memo_new()))
		abort();
	if (x509_delivery_parse(data, size, "fuzz", memo, &l, &key, NULL, NULL) == PT_OK) {
		/* what a parsed file holds must be complete */
		if (!l || !l->n)
			abort();
		for (size_t i = 0; i < l->n; i++)
			if (!l->certs[i].der || !l->certs[i].subject_grid ||
			    !l->certs[i].issuer_grid)
				abort();
	}
	x509_cert_list_free(&l);
	secmem_free(key);
	key = NULL;
	if (x509_key_load(data, size, "fuzz", &key, NULL) == PT_OK && (!key || !*key))
		abort();
	secmem_free(key);
	return 0;
}

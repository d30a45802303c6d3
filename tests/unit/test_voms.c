/* test_voms.c - unit tests of src/voms.c.
 *
 * The VOMS proxy is made here (tests/unit/vomsgen.c): a test CA, a user
 * and a VOMS server, an attribute certificate assembled with libtasn1 and
 * signed with the VOMS key, in the acseq extension of an RFC 3820 proxy.
 * Decoding it must give back exactly what went in; cutting or garbling
 * the extension must give an error, never a crash.
 */
#include "config.h"

#include <check.h>
#include <libtasn1.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/lib.h"
#include "grid/lib.h"
#include "vomsgen.h"

/* Made once in main; Check forks every test and they read copies. */
static struct vg_out gen, gen_old, gen_bad, gen_forged, gen_badtarget;
static time_t ac_from, ac_to;

static struct voms_inspect *
inspect_ok(const char *pem)
{
	struct voms_inspect *in = NULL;
	struct pt_err err = { 0 };

	ck_assert_msg(voms_inspect((const unsigned char *)pem, strlen(pem), &in, &err) == PT_OK,
	              "%s", err.detail);
	ck_assert_ptr_nonnull(in);
	return in;
}

START_TEST(proxy_decodes)
{
	struct voms_inspect *in = inspect_ok(gen.proxy_pem);
	const struct voms_certinfo *p, *u;
	const struct voms_ac *ac;

	ck_assert_uint_eq(in->n, 2);
	ck_assert_uint_eq(in->nkeys, 1);
	ck_assert_uint_eq(in->nbad_acs, 0);
	p = &in->info[0];
	u = &in->info[1];
	ck_assert_str_eq(p->x->issuer_grid, VG_USER_DN);
	ck_assert_str_eq(p->x->subject_grid, VG_USER_DN "/CN=1193046");
	ck_assert_int_eq(p->proxy, VOMS_PROXY_RFC3820);
	ck_assert_int_eq(p->proxy_pathlen, -1);
	ck_assert_str_eq(p->proxy_policy, "inheritAll");
	ck_assert_str_eq(p->ac_oid, VOMS_OID_ACSEQ);
	ck_assert_ptr_null(p->ac_error);
	ck_assert_ptr_nonnull(p->acs);
	ck_assert_uint_eq(p->acs->n, 1);
	ac = &p->acs->v[0];
	ck_assert_str_eq(ac->vo, VG_VO);
	ck_assert_str_eq(ac->server, VG_SERVER);
	ck_assert_str_eq(ac->issuer, VG_VOMS_DN);
	ck_assert_str_eq(ac->holder_issuer, VG_CA_DN);
	ck_assert_str_eq(ac->holder_serial, gen.user_serial);
	ck_assert_str_eq(ac->serial, VG_AC_SERIAL);
	ck_assert_str_eq(ac->sig_algo, "ECDSA-SHA256");
	ck_assert_int_eq(ac->sig, VOMS_SIG_OK);
	ck_assert_int_eq(ac->not_before, ac_from);
	ck_assert_int_eq(ac->not_after, ac_to);
	/* exactly the FQANs it was built with, in order, split */
	ck_assert_uint_eq(ac->nfqans, 2);
	ck_assert_str_eq(ac->fqans[0].fqan, VG_FQAN1);
	ck_assert_str_eq(ac->fqans[0].group, "/cms");
	ck_assert_ptr_null(ac->fqans[0].role);
	ck_assert_ptr_null(ac->fqans[0].capability);
	ck_assert_str_eq(ac->fqans[1].fqan, VG_FQAN2);
	ck_assert_str_eq(ac->fqans[1].group, "/cms/analysis");
	ck_assert_str_eq(ac->fqans[1].role, "production");
	ck_assert_ptr_null(ac->fqans[1].capability);
	/* the server's extensions */
	ck_assert_uint_eq(ac->ntargets, 1);
	ck_assert_str_eq(ac->targets[0], VG_TARGET);
	ck_assert_uint_eq(ac->nserver_certs, 1);
	ck_assert_str_eq(ac->server_certs[0], VG_VOMS_DN);
	ck_assert_uint_eq(ac->nattributes, 1);
	ck_assert_str_eq(ac->attributes[0], VG_ATTRIBUTE);
	ck_assert_uint_eq(ac->nextensions, 4);
	ck_assert_str_eq(ac->extensions[0], "targetInformation (2.5.29.55)");
	/* the user certificate behind it: no proxy, no AC */
	ck_assert_str_eq(u->x->subject_grid, VG_USER_DN);
	ck_assert_int_eq(u->proxy, VOMS_PROXY_NONE);
	ck_assert_ptr_null(u->ac_oid);
	ck_assert(u->has_key_usage);
	ck_assert_uint_eq(u->nkey_usage, 2);
	ck_assert_str_eq(u->key_usage[0], "digitalSignature");
	ck_assert_str_eq(u->key_usage[1], "keyEncipherment");
	ck_assert_uint_eq(u->neku, 1);
	ck_assert_str_eq(u->eku[0], "clientAuth");
	ck_assert(u->has_bc);
	ck_assert(!u->bc_ca);
	voms_inspect_free(&in);
	ck_assert_ptr_null(in);
}
END_TEST

START_TEST(acseq_direct)
{
	struct voms_acs *acs = NULL;
	struct pt_err err = { 0 };

	ck_assert_int_eq(voms_acs_decode(gen.acseq, gen.acseq_len, &acs, &err), PT_OK);
	ck_assert_uint_eq(acs->n, 1);
	ck_assert_uint_eq(acs->v[0].nfqans, 2);
	voms_acs_free(&acs);
}
END_TEST

START_TEST(early_oid)
{
	struct voms_inspect *in = inspect_ok(gen_old.proxy_pem);

	ck_assert_str_eq(in->info[0].ac_oid, VOMS_OID_ACSEQ_OLD);
	ck_assert_ptr_nonnull(in->info[0].acs);
	ck_assert_str_eq(in->info[0].acs->v[0].fqans[1].fqan, VG_FQAN2);
	voms_inspect_free(&in);
}
END_TEST

/* An AC signed by someone else, or changed after signing, decodes but
 * its signature does not verify with the server certificate it carries. */
START_TEST(signature)
{
	struct voms_inspect *in = inspect_ok(gen_forged.proxy_pem);
	const char *fq = "analysis";
	unsigned char *b = malloc(gen.acseq_len), *at;
	struct voms_acs *acs = NULL;

	ck_assert_int_eq(in->info[0].acs->v[0].sig, VOMS_SIG_BAD);
	ck_assert_str_eq(in->info[0].acs->v[0].fqans[1].fqan, VG_FQAN2);
	voms_inspect_free(&in);
	/* "/cms/analysis" -> "/cms/`nalysis": still an FQAN, no longer signed */
	ck_assert_ptr_nonnull(b);
	memcpy(b, gen.acseq, gen.acseq_len);
	at = memmem(b, gen.acseq_len, fq, strlen(fq));
	ck_assert_ptr_nonnull(at);
	at[0] ^= 0x01;
	ck_assert_int_eq(voms_acs_decode(b, gen.acseq_len, &acs, NULL), PT_OK);
	ck_assert_str_eq(acs->v[0].fqans[1].group, "/cms/`nalysis");
	ck_assert_int_eq(acs->v[0].sig, VOMS_SIG_BAD);
	voms_acs_free(&acs);
	free(b);
}
END_TEST

/* An AC extension that does not decode is listed with the reason; the
 * AC's FQANs stand, and so does its signature. */
START_TEST(bad_inner_extension)
{
	struct voms_inspect *in = inspect_ok(gen_badtarget.proxy_pem);
	const struct voms_ac *ac = &in->info[0].acs->v[0];

	ck_assert_uint_eq(in->nbad_acs, 0);
	ck_assert_uint_eq(ac->nfqans, 2);
	ck_assert_uint_eq(ac->ntargets, 0);
	ck_assert_uint_eq(ac->nextensions, 4);
	ck_assert_msg(strncmp(ac->extensions[0],
	                      "targetInformation (2.5.29.55): not decoded: ", 44) == 0,
	              "%s", ac->extensions[0]);
	ck_assert_int_eq(ac->sig, VOMS_SIG_OK);
	voms_inspect_free(&in);
}
END_TEST

/* Two ACs in one acseq (two VOMS servers contacted), and one AC alone
 * (not wrapped in a sequence): the sequence is made with libtasn1 as a
 * SEQUENCE OF ANY holding the AC's DER, which encodes the same. */
START_TEST(several_and_lone)
{
	extern const asn1_static_node voms_asn1_tab[];
	asn1_node defs = NULL, seq = NULL, two = NULL;
	unsigned char der[8192];
	int start, end, len = sizeof(der);
	struct voms_acs *acs = NULL;
	struct pt_err err = { 0 };

	ck_assert_int_eq(asn1_array2tree(voms_asn1_tab, &defs, NULL), ASN1_SUCCESS);
	ck_assert_int_eq(asn1_create_element(defs, "PASSTORE-VOMS.ACSequence", &seq), ASN1_SUCCESS);
	ck_assert_int_eq(asn1_der_decoding(&seq, gen.acseq, (int)gen.acseq_len, NULL),
	                 ASN1_SUCCESS);
	ck_assert_int_eq(asn1_der_decoding_startEnd(seq, gen.acseq, (int)gen.acseq_len, "?1",
	                                            &start, &end),
	                 ASN1_SUCCESS);
	/* the lone AC */
	ck_assert_int_eq(voms_acs_decode(gen.acseq + start, (size_t)(end - start + 1), &acs, &err),
	                 PT_OK);
	ck_assert_uint_eq(acs->n, 1);
	ck_assert_str_eq(acs->v[0].fqans[1].fqan, VG_FQAN2);
	ck_assert_int_eq(acs->v[0].sig, VOMS_SIG_OK);
	voms_acs_free(&acs);
	/* two of them */
	ck_assert_int_eq(asn1_create_element(defs, "PASSTORE-VOMS.ACCerts", &two), ASN1_SUCCESS);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(asn1_write_value(two, "", "NEW", 1), ASN1_SUCCESS);
		ck_assert_int_eq(asn1_write_value(two, "?LAST", gen.acseq + start, end - start + 1),
		                 ASN1_SUCCESS);
	}
	ck_assert_int_eq(asn1_der_coding(two, "", der, &len, NULL), ASN1_SUCCESS);
	ck_assert_int_eq(voms_acs_decode(der, (size_t)len, &acs, &err), PT_OK);
	ck_assert_uint_eq(acs->n, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_str_eq(acs->v[i].vo, VG_VO);
		ck_assert_uint_eq(acs->v[i].nfqans, 2);
		ck_assert_int_eq(acs->v[i].sig, VOMS_SIG_OK);
	}
	voms_acs_free(&acs);
	/* an empty sequence is no VOMS extension */
	ck_assert_int_eq(voms_acs_decode((const unsigned char *)"\x30\x00", 2, &acs, &err),
	                 PT_INVALID);
	asn1_delete_structure(&two);
	asn1_delete_structure(&seq);
	asn1_delete_structure(&defs);
}
END_TEST

/* Every prefix of the extension is refused with a message. */
START_TEST(truncated)
{
	for (size_t len = 0; len < gen.acseq_len; len++) {
		struct voms_acs *acs = NULL;
		struct pt_err err = { 0 };

		ck_assert_int_eq(voms_acs_decode(gen.acseq, len, &acs, &err), PT_INVALID);
		ck_assert_ptr_null(acs);
		ck_assert_msg(err.detail[0] != '\0', "no message at length %zu", len);
	}
}
END_TEST

/* Every byte flipped: an error or (in the signature bits, say) a decode
 * that still holds FQANs; never a crash. */
START_TEST(garbled)
{
	unsigned char *b = malloc(gen.acseq_len);
	bool first_refused = false;

	ck_assert_ptr_nonnull(b);
	for (size_t i = 0; i < gen.acseq_len; i++) {
		struct voms_acs *acs = NULL;
		struct pt_err err = { 0 };
		enum pt_status st;

		memcpy(b, gen.acseq, gen.acseq_len);
		b[i] ^= 0xff;
		st = voms_acs_decode(b, gen.acseq_len, &acs, &err);
		ck_assert_msg(st == PT_OK || st == PT_INVALID, "byte %zu: status %d", i, st);
		if (st == PT_OK)
			ck_assert_uint_ge(acs->v[0].nfqans, 1);
		else if (i == 0)
			first_refused = true;
		voms_acs_free(&acs);
	}
	ck_assert(first_refused); /* no SEQUENCE tag: nothing to decode */
	free(b);
}
END_TEST

/* A proxy whose extension is cut: the certificate is still inspected,
 * the extension's fault is reported. */
START_TEST(bad_extension_in_proxy)
{
	struct voms_inspect *in = inspect_ok(gen_bad.proxy_pem);

	ck_assert_uint_eq(in->n, 2);
	ck_assert_uint_eq(in->nbad_acs, 1);
	ck_assert_int_eq(in->info[0].proxy, VOMS_PROXY_RFC3820);
	ck_assert_str_eq(in->info[0].ac_oid, VOMS_OID_ACSEQ);
	ck_assert_ptr_null(in->info[0].acs);
	ck_assert_ptr_nonnull(in->info[0].ac_error);
	ck_assert_str_eq(in->info[0].x->issuer_grid, VG_USER_DN);
	voms_inspect_free(&in);
}
END_TEST

START_TEST(not_certificates)
{
	static const char *const bad[] = {
		"",
		"garbage\n",
		"\x30\x03\x02\x01\x01",
		"-----BEGIN CERTIFICATE-----\nAAAA\n",
	};
	struct voms_inspect *in = NULL;
	struct pt_err err = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(voms_inspect((const unsigned char *)bad[i], strlen(bad[i]), &in,
		                              &err),
		                 PT_INVALID);
		ck_assert_ptr_null(in);
	}
	/* a key alone: refused, and the message shows none of it */
	ck_assert_int_eq(voms_inspect((const unsigned char *)gen.key_pem, strlen(gen.key_pem), &in,
	                              &err),
	                 PT_INVALID);
	ck_assert_ptr_null(in);
	ck_assert_ptr_nonnull(strstr(err.detail, "private key"));
	ck_assert_ptr_null(strstr(err.detail, "----"));
}
END_TEST

START_TEST(fqan_split)
{
	static const struct {
		const char *in, *group, *role, *cap;
	} good[] = {
		{ "/cms", "/cms", NULL, NULL },
		{ "/cms/Role=NULL/Capability=NULL", "/cms", NULL, NULL },
		{ "/atlas/production/Role=lcgadmin", "/atlas/production", "lcgadmin", NULL },
		{ "/dteam/Role=admin/Capability=write", "/dteam", "admin", "write" },
		{ "/cms/Capability=x", "/cms", NULL, "x" },
	};
	static const char *const bad[] = {
		"",
		"cms",
		"/",
		"//cms",
		"/Role=x",
		"/cms/Role=a/Role=b",
		"/cms/Role=a/sub",
		"/cms/Capability=a/Role=b",
		"/cms/a=b",
	};
	struct pt_err err = { 0 };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct voms_fqan f;

		ck_assert_msg(voms_fqan_parse(good[i].in, &f, &err) == PT_OK, "%s: %s", good[i].in,
		              err.detail);
		ck_assert_str_eq(f.group, good[i].group);
		ck_assert_pstr_eq(f.role, good[i].role);
		ck_assert_pstr_eq(f.capability, good[i].cap);
		voms_fqan_clear(&f);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct voms_fqan f;

		ck_assert_msg(voms_fqan_parse(bad[i], &f, &err) == PT_INVALID, "accepted %s",
		              bad[i]);
		ck_assert_ptr_null(f.group);
	}
}
END_TEST

static Suite *
voms_suite(void)
{
	Suite *s = suite_create("voms");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, proxy_decodes);
	tcase_add_test(tc, acseq_direct);
	tcase_add_test(tc, early_oid);
	tcase_add_test(tc, signature);
	tcase_add_test(tc, several_and_lone);
	tcase_add_test(tc, bad_inner_extension);
	tcase_add_test(tc, bad_extension_in_proxy);
	tcase_add_test(tc, not_certificates);
	tcase_add_test(tc, fqan_split);
	suite_add_tcase(s, tc);
	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, garbled);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	struct vg_opts o = { 0 };
	SRunner *sr;
	int failed;

	/* whole seconds: GeneralizedTime carries no fraction here */
	ac_from = time(NULL) - 3600;
	ac_to = ac_from + 12 * 3600;
	o.ac_not_before = ac_from;
	o.ac_not_after = ac_to;
	if (vg_make(&o, &gen) != 0)
		return EXIT_FAILURE;
	o.old_oid = true;
	if (vg_make(&o, &gen_old) != 0)
		return EXIT_FAILURE;
	o.old_oid = false;
	o.garble = true;
	if (vg_make(&o, &gen_bad) != 0)
		return EXIT_FAILURE;
	o.garble = false;
	o.wrong_signer = true;
	if (vg_make(&o, &gen_forged) != 0)
		return EXIT_FAILURE;
	o.wrong_signer = false;
	o.bad_targets = true;
	if (vg_make(&o, &gen_badtarget) != 0)
		return EXIT_FAILURE;
	sr = srunner_create(voms_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	vg_out_free(&gen);
	vg_out_free(&gen_old);
	vg_out_free(&gen_bad);
	vg_out_free(&gen_forged);
	vg_out_free(&gen_badtarget);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* bench_gridmap.c - the figure of gridmap build (never part of the tests).
 *
 *   bench_gridmap DB [MEMBERS [VOS [RULES [FQANS]]]]   defaults 50000 20 200 100
 *
 * Makes a store at DB with one host, VOS VOs whose member lists add up
 * to MEMBERS DNs (one in fifty also in the next VO, so that conflicts
 * are found), 20 local entries, 20 bans, and a rule set of RULES lines:
 * a group per VO (pool accounts), the rest allow/deny patterns of the
 * shapes sites write (organisation, country, CN prefix); every member is
 * imported through gridstore_vo_import; FQANS FQAN mappings spread over
 * the VOs (a role, groups, the catch-all pool) and a VOMS server per VO
 * with an alternative chain.  Then it closes the store, opens it again and
 * times gridstore_build of the host -- every file a host gets: the
 * grid-mapfile, voms-mapfile, ban-mapfile, the .lsc and vomses files of
 * each server, the chains checked against the store's CAs -- in
 * process: the first
 * build (cold cache) and the median of 5; the grid-mapfile written to
 * DB.gmf for a look.  The KDF is cheap (8 MiB, 1 pass): unlocking is not
 * what is measured.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grid/lib.h"
#include "site/lib.h"
#include "store/lib.h"

#define PASS "bench passphrase"
#define HOST "ce01.bench.example.org"

static void
die(const char *what, const struct pt_err *err)
{
	fprintf(stderr, "bench_gridmap: %s: %s\n", what, err ? err->detail : "");
	exit(1);
}

static double
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static double
cpu_ms(void)
{
	return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static void
sort5(double *v)
{
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			if (v[j] < v[i]) {
				double x = v[i];
				v[i] = v[j];
				v[j] = x;
			}
}

static const char *const countries[] = { "IT", "CH", "DE", "FR", "UK", "US", "ES", "NL" };

/* Member k of VO v: a realistic grid DN, some with an e-mail attribute. */
static void
member_dn(char *buf, size_t n, unsigned v, unsigned k)
{
	const char *c = countries[(v + k) % 8];

	if (k % 10 == 0)
		snprintf(
			buf, n,
			"/C=%s/O=Org%u/OU=Personal Certificate/L=City%u/CN=User %u-%u/emailAddress=user%u.%u@org%u.example",
			c, (v * 7 + k) % 40, k % 97, v, k, v, k, (v * 7 + k) % 40);
	else
		snprintf(buf, n, "/C=%s/O=Org%u/OU=Personal Certificate/L=City%u/CN=User %u-%u", c,
		         (v * 7 + k) % 40, k % 97, v, k);
}

int
main(int argc, char **argv)
{
	static const struct kdf_params kp = { 8 * 1024, 1, 1 };
	struct pt_err err = { 0 };
	struct store *st = NULL;
	struct gs_build *b = NULL;
	unsigned members, vos, nrules, nfqans, per;
	double t0, c0, first, first_cpu, runs[5], cpus[5];
	char dn[512], uri[256], name[64], *rules;
	size_t rlen = 0, rcap;
	FILE *f;
	char path[4096];

	if (argc < 2 || argc > 6) {
		fprintf(stderr, "usage: bench_gridmap DB [MEMBERS [VOS [RULES [FQANS]]]]\n");
		return 2;
	}
	members = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 50000;
	vos = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 20;
	nrules = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 200;
	nfqans = argc > 5 ? (unsigned)strtoul(argv[5], NULL, 10) : 100;
	if (!members || !vos || nrules < vos)
		return 2;
	per = members / vos;

	remove(argv[1]);
	if (store_create(argv[1], PASS, strlen(PASS), &kp, &st, &err) != PT_OK ||
	    store_begin(st, &err) != PT_OK)
		die("store", &err);
	if (model_host_add(st, HOST, NULL, 22, NULL, 0, &err) != PT_OK)
		die("host", &err);

	rcap = (size_t)nrules * 128 + 64;
	if ((rules = malloc(rcap)) == NULL)
		die("memory", NULL);
	rules[0] = '\0';
	for (unsigned v = 0; v < vos; v++) {
		struct gm_members *m = gridmap_members_new(GM_FMT_PLAIN);
		const char *u = uri;

		snprintf(name, sizeof(name), "vo%02u", v);
		snprintf(uri, sizeof(uri), "vomss://voms%u.example.org:8443/voms/%s", v % 4, name);
		if (gridstore_vo_add(st, name, &u, 1, &err) != PT_OK)
			die("vo add", &err);
		for (unsigned k = 0; k < per; k++) {
			/* one in fifty is a member of the previous VO too */
			if (k % 50 == 0 && v > 0)
				member_dn(dn, sizeof(dn), v - 1, k + 1);
			else
				member_dn(dn, sizeof(dn), v, k);
			if (gridmap_members_add(m, dn, NULL, NULL, NULL, k + 1, &err) != PT_OK)
				die("member", &err);
		}
		if (gridstore_vo_import(st, name, m, "bench", "00", NULL, &err) != PT_OK)
			die("import", &err);
		gridmap_members_free(&m);
		rlen += (size_t)snprintf(rules + rlen, rcap - rlen, "group %s .%s\n", uri, name);
	}
	for (unsigned r = vos; r < nrules; r++) {
		unsigned k = r - vos;

		switch (k % 4) {
		case 0:
			rlen += (size_t)snprintf(rules + rlen, rcap - rlen,
			                         "deny \"*/O=Org%u/*/CN=User %u-1*\"\n", k % 40,
			                         k % vos);
			break;
		case 1:
			rlen += (size_t)snprintf(rules + rlen, rcap - rlen,
			                         "deny \"*/L=City%u/CN=User %u-*\"\n", k % 97,
			                         k % vos);
			break;
		case 2:
			rlen += (size_t)snprintf(rules + rlen, rcap - rlen,
			                         "deny /C=%s/O=Org%u/*\n", countries[k % 8],
			                         k % 40);
			break;
		default:
			rlen += (size_t)snprintf(rules + rlen, rcap - rlen,
			                         "deny */emailAddress=user%u.%u@*\n", k % vos, k);
			break;
		}
	}
	/* no allow: the default is allow, every deny is tried on every member */
	if (gridstore_rules_set(st, HOST, NULL, "bench.conf", rules, rlen, &err) != PT_OK)
		die("rules", &err);
	free(rules);
	for (unsigned i = 0; i < 20; i++) {
		snprintf(dn, sizeof(dn), "/C=IT/O=Local/CN=Local %u", i);
		if (gridstore_local_add(st, dn, i % 2 ? "localadm" : ".locpool", &err) != PT_OK)
			die("local", &err);
		snprintf(dn, sizeof(dn), "/C=*/O=Org%u/*/CN=User %u-%u*", i, i % vos, i * 13);
		if (gridstore_ban(st, dn, &err) != PT_OK)
			die("ban", &err);
	}
	for (unsigned i = 0; i < nfqans; i++) {
		char fqan[128], acct[64];
		unsigned v = i % vos, k = i / vos;

		snprintf(name, sizeof(name), "vo%02u", v);
		if (k == 0)
			snprintf(fqan, sizeof(fqan), "/%s/Role=lcgadmin", name);
		else
			snprintf(fqan, sizeof(fqan), "/%s/group%u", name, k);
		snprintf(acct, sizeof(acct), k == 0 ? "%ssgm" : ".%sg%u", name, k);
		if (gridstore_fqan_add(st, name, fqan, acct, &err) != PT_OK)
			die("voms map", &err);
	}
	for (unsigned v = 0; v < vos; v++) {
		char host[64], sdn[128], chain[256];
		const char *ch = chain;

		snprintf(name, sizeof(name), "vo%02u", v);
		snprintf(host, sizeof(host), "voms%u.example.org", v);
		snprintf(sdn, sizeof(sdn), "/DC=org/DC=example/OU=computers/CN=%s", host);
		snprintf(chain, sizeof(chain), "%s;/DC=org/DC=example/CN=New CA;/DC=org/CN=Root",
		         sdn);
		if (gridstore_voms_add(st, name, host, sdn, "/DC=org/DC=example/CN=Example CA", &ch,
		                       1, &err) != PT_OK)
			die("voms add", &err);
	}
	if (store_commit(st, &err) != PT_OK)
		die("commit", &err);
	store_close(&st);

	if (store_open(argv[1], PASS, strlen(PASS), &st, &err) != PT_OK)
		die("open", &err);
	t0 = now_ms();
	c0 = cpu_ms();
	if (gridstore_build(st, HOST, &b, &err) != PT_OK)
		die("build", &err);
	first = now_ms() - t0;
	first_cpu = cpu_ms() - c0;
	snprintf(path, sizeof(path), "%s.gmf", argv[1]);
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(b->result->text, 1, b->result->len, f);
		fclose(f);
	}
	printf("members %u in %u VOs, %u rules: %zu lines, %zu conflicts, %zu denied, %zu banned\n",
	       per * vos, vos, nrules, b->result->nlines, b->result->nconflicts, b->result->ndenied,
	       b->result->nbanned);
	printf("files %zu: voms-mapfile %zu lines (%u FQAN mappings), ban-mapfile %zu lines, "
	       "%zu failing LSC chains\n",
	       b->nfiles, b->nfqan, nfqans, b->nbans, b->nlsc_fail);
	gridstore_build_free(&b);
	for (int i = 0; i < 5; i++) {
		t0 = now_ms();
		c0 = cpu_ms();
		if (gridstore_build(st, HOST, &b, &err) != PT_OK)
			die("build", &err);
		runs[i] = now_ms() - t0;
		cpus[i] = cpu_ms() - c0;
		gridstore_build_free(&b);
	}
	sort5(runs);
	sort5(cpus);
	/* CPU time beside wall time: on a busy machine the wall clock also
	 * counts the time other processes had the CPU */
	printf("gridmap build, first (store just opened): %.1f ms wall, %.1f ms CPU\n", first,
	       first_cpu);
	printf("gridmap build, every file, median of 5: %.1f ms wall, %.1f ms CPU (target <= 200 ms)\n",
	       runs[2], cpus[2]);
	store_close(&st);
	return 0;
}

/* bench_store.c - figures for passtore's core: unlock time, `pw show`
 * latency on a big store, batch insert time, peak memory.
 *
 * Never part of the test suite: it measures and prints, it asserts
 * nothing.  Uses only the public core API (store, model, kdf, audit,
 * secmem, status).
 *
 *   bench_store [--hosts N] [--entries M] [--batch K] [--dir DIR]
 *               [--passtore PATH] [--e2e-runs R] [--site-batch S]
 *
 * Defaults: 10000 hosts, 100000 entries, batches of 10000, 20 runs.
 * Stores go to a fresh directory made under DIR (default $TMPDIR or
 * /tmp) and removed at the end.  --passtore names the binary for the
 * end-to-end figure (default ./passtore; skipped when not executable).
 * --site-batch adds S entries for one user on every host (0: skip).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/lib.h"
#include "base/lib.h"
#include "site/lib.h"

extern char **environ;

#define PASS "bench passphrase, not a secret"
#define LOOKUPS 1000
#define SECRET_LEN 24
#define USERS 1000 /* big store: op000..op999, by host */

static const char *services[] = { "ssh", "mysql", "xrootd", "gridftp", "ipmi", "dcache", "condor" };
#define NSERVICES (sizeof(services) / sizeof(services[0]))

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* p in [0, 100]: nearest-rank percentile of a sorted array. */
static double
percentile(const double *v, size_t n, double p)
{
	size_t rank = (size_t)((p / 100.0) * (double)n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	/* xorshift64*: reproducible lookups from run to run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void
die(const char *what, const struct pt_err *err)
{
	fprintf(stderr, "bench_store: %s: %s%s%s\n", what, pt_status_msg(err->status),
	        err->detail[0] ? ": " : "", err->detail);
	exit(1);
}

static void
host_name(char *buf, size_t size, unsigned long h)
{
	snprintf(buf, size, "wn%05lu.bench.example.org", h);
}

/* The big store's entry number i covers host i % hosts.  Its user is
 * one of USERS per host (op000..op999 by host number), its service is
 * slot k = i / hosts ("ssh", ..., "condor", then "ssh-1", ...): every
 * (user, service) pair is new on its host, and a user holds about
 * entries / USERS entries.  */
static void
entry_names(unsigned long i, unsigned long hosts, char *user, size_t usize, char *service,
            size_t ssize, unsigned long *host)
{
	unsigned long k = i / hosts;

	*host = i % hosts;
	snprintf(user, usize, "op%03lu", *host % USERS);
	if (k < NSERVICES)
		snprintf(service, ssize, "%s", services[k]);
	else
		snprintf(service, ssize, "%s-%lu", services[k % NSERVICES], k / NSERVICES);
}

/* Site-shaped entry j: root on host j % hosts, service "bmc" (then
 * "bmc-1", ...), written as a pattern naming that one host. */
static void
site_names(unsigned long j, unsigned long hosts, char *spec, size_t specsize, char *service,
           size_t ssize)
{
	snprintf(spec, specsize, "wn{%05lu}.bench.example.org", j % hosts);
	if (j < hosts)
		snprintf(service, ssize, "bmc");
	else
		snprintf(service, ssize, "bmc-%lu", j / hosts);
}

/* Add one entry for one host, inside the caller's transaction. */
static void
add_one(struct store *st, const char *user, const char *spec, const char *service, int64_t host_id)
{
	struct pt_err err = { 0 };
	char *secret = NULL;
	int64_t id;

	if (model_generate_secret(SECRET_LEN, &secret, &err) != PT_OK)
		die("generate secret", &err);
	if (model_pw_add(st, user, spec, service, &host_id, 1, secret, SECRET_LEN, &id, &err) !=
	    PT_OK)
		die("pw add", &err);
	secmem_free(secret);
}

/* Add big-store entries [from, to) inside the caller's transaction. */
static void
add_entries(struct store *st, unsigned long from, unsigned long to, unsigned long hosts,
            const int64_t *host_ids)
{
	char user[64], service[64], fqdn[64];
	unsigned long h;

	for (unsigned long i = from; i < to; i++) {
		entry_names(i, hosts, user, sizeof(user), service, sizeof(service), &h);
		host_name(fqdn, sizeof(fqdn), h);
		add_one(st, user, fqdn, service, host_ids[h]);
	}
}

/* What `passtore pw show user@fqdn:service` does in the core; ms. */
static double
pw_show(struct store *st, const char *user, const char *fqdn, const char *service)
{
	struct pt_err err = { 0 };
	char *name = (char *)fqdn, *secret = NULL;
	int64_t hid, id;
	size_t len;
	double t0 = now_ms();

	if (model_host_ids(st, &name, 1, &hid, &err) != PT_OK ||
	    model_pw_find(st, user, fqdn, service, &hid, 1, &id, &err) != PT_OK ||
	    model_pw_secret(st, id, 0, &secret, &len, &err) != PT_OK)
		die("pw show", &err);
	secmem_free(secret);
	return now_ms() - t0;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		fprintf(stderr, "bench_store: cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

static double
peak_rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
}

/* One `passtore --db FILE --passphrase-fd 3 pw show ENTRY` run: ms, or
 * a negative value when it failed. */
static double
run_passtore(const char *bin, const char *db, const char *entry)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)bin, (char *)"--db", (char *)db,     (char *)"--passphrase-fd",
		         (char *)"3", (char *)"pw",   (char *)"show", (char *)entry,
		         NULL };
	int fds[2], status;
	pid_t pid;
	double t0, t1;

	if (pipe(fds) != 0)
		return -1;
	/* the pipe holds the line: the child reads it at its own pace */
	if (write(fds[1], PASS "\n", sizeof(PASS)) != (ssize_t)sizeof(PASS)) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	close(fds[1]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 3);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	t0 = now_ms();
	if (posix_spawn(&pid, bin, &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	t1 = now_ms();
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return t1 - t0;
}

static unsigned long
parse_count(const char *opt, const char *text, unsigned long min)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || v < min || v > 100000000ul) {
		fprintf(stderr, "bench_store: %s takes a number >= %lu\n", opt, min);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hosts", required_argument, NULL, 'h' },
		{ "entries", required_argument, NULL, 'e' },
		{ "batch", required_argument, NULL, 'b' },
		{ "dir", required_argument, NULL, 'd' },
		{ "passtore", required_argument, NULL, 'p' },
		{ "e2e-runs", required_argument, NULL, 'r' },
		{ "site-batch", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long hosts = 10000, entries = 100000, batch = 10000, site = 10000, e2e_runs = 20;
	unsigned long total;
	const char *parent = getenv("TMPDIR"), *bin = "./passtore";
	char dir[PATH_MAX], big[PATH_MAX + 32], small[PATH_MAX + 32], fqdn[64], user[64],
		service[64];
	struct kdf_params cheap = { KDF_MIN_M_KIB, 1, 1 }, kp;
	struct pt_err err = { 0 };
	struct store *st = NULL;
	int64_t *host_ids;
	double t0, t1, *lat, rss_data, med;
	struct stat sb;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'h': hosts = parse_count("--hosts", optarg, 1); break;
		case 'e': entries = parse_count("--entries", optarg, 1); break;
		case 'b': batch = parse_count("--batch", optarg, 0); break;
		case 'd': parent = optarg; break;
		case 'p': bin = optarg; break;
		case 'r': e2e_runs = parse_count("--e2e-runs", optarg, 0); break;
		case 's': site = parse_count("--site-batch", optarg, 0); break;
		default:
			fprintf(stderr,
			        "usage: bench_store [--hosts N] [--entries M] [--batch K] [--dir DIR]"
			        " [--passtore PATH] [--e2e-runs R] [--site-batch S]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bench_store: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (!parent || !*parent)
		parent = "/tmp";
	if ((size_t)snprintf(dir, sizeof(dir), "%s/bench_store.XXXXXX", parent) >= sizeof(dir) ||
	    !mkdtemp(dir)) {
		fprintf(stderr, "bench_store: cannot create a directory in %s: %s\n", parent,
		        strerror(errno));
		return 1;
	}
	snprintf(big, sizeof(big), "%s/big.db", dir);
	snprintf(small, sizeof(small), "%s/calibrated.db", dir);
	host_ids = calloc(hosts, sizeof(*host_ids));
	lat = calloc(LOOKUPS > e2e_runs ? LOOKUPS : e2e_runs, sizeof(*lat));
	if (!host_ids || !lat)
		return 1;

	printf("passtore core bench: %lu hosts, %lu entries, batch %lu, stores in %s\n", hosts,
	       entries, batch, dir);

	/* --- the big store, with a cheap KDF ------------------------------ */
	t0 = now_ms();
	if (store_create(big, PASS, strlen(PASS), &cheap, &st, &err) != PT_OK)
		die("create big store", &err);
	if (store_begin(st, &err) != PT_OK)
		die("begin", &err);
	for (unsigned long h = 0; h < hosts; h++) {
		char *name = fqdn;
		host_name(fqdn, sizeof(fqdn), h);
		if (model_host_add(st, fqdn, NULL, 22, NULL, 0, &err) != PT_OK ||
		    model_host_ids(st, &name, 1, &host_ids[h], &err) != PT_OK)
			die("host add", &err);
	}
	t1 = now_ms();
	add_entries(st, 0, entries, hosts, host_ids);
	if (store_commit(st, &err) != PT_OK)
		die("commit", &err);
	printf("generate: %lu hosts in %.2f s, then %lu entries in %.2f s, all in one transaction"
	       " (store KDF m=%u MiB t=%u p=%u)\n",
	       hosts, (t1 - t0) / 1e3, entries, (now_ms() - t1) / 1e3, cheap.m_kib / 1024,
	       cheap.t_cost, cheap.lanes);
	store_close(&st);

	/* --- unlock of the big store: KDF + integrity check ---------------- */
	{
		double kdf = kdf_time_ms(&cheap);
		t0 = now_ms();
		if (store_open(big, PASS, strlen(PASS), &st, &err) != PT_OK)
			die("open big store", &err);
		t1 = now_ms();
		printf("unlock of the %lu-entry store (cheap KDF): %.1f ms, of which KDF alone %.1f ms"
		       " (the rest is the unlock-time integrity check)\n",
		       entries, t1 - t0, kdf);
	}

	/* --- 2. pw show latency ------------------------------------------- */
	for (unsigned n = 0; n <= LOOKUPS; n++) {
		unsigned long i = (unsigned long)(rng() % entries), h;
		double ms;

		entry_names(i, hosts, user, sizeof(user), service, sizeof(service), &h);
		host_name(fqdn, sizeof(fqdn), h);
		ms = pw_show(st, user, fqdn, service);
		if (n == 0)
			printf("pw show, first lookup after unlock (cold page cache): %.3f ms\n",
			       ms);
		else
			lat[n - 1] = ms;
	}
	med = median(lat, LOOKUPS);
	printf("pw show latency after unlock (%d random lookups, %lu entries, exact spec): median"
	       " %.3f ms, p99 %.3f ms, max %.3f ms (target <= 5 ms)\n",
	       LOOKUPS, entries, med, percentile(lat, LOOKUPS, 99), lat[LOOKUPS - 1]);

	/* --- 3. batch add -------------------------------------------------- */
	total = entries;
	if (batch) {
		t0 = now_ms();
		if (store_begin(st, &err) != PT_OK)
			die("begin", &err);
		add_entries(st, entries, entries + batch, hosts, host_ids);
		if (store_commit(st, &err) != PT_OK)
			die("commit", &err);
		t1 = now_ms();
		printf("batch add of %lu entries in one transaction (spread users, on top of %lu): %.3f s"
		       " (target <= 2 s)\n",
		       batch, entries, (t1 - t0) / 1e3);
		total = entries + batch;
	}
	/* The site's usual shape: one user and service on every host
	 * ("root@wn00000..wn09999:bmc"); written as one-host patterns
	 * ("wn{00042}.bench.example.org"), so that `pw show root@wn00042...`
	 * takes model_pw_find's per-host path. */
	if (site) {
		t0 = now_ms();
		if (store_begin(st, &err) != PT_OK)
			die("begin", &err);
		for (unsigned long j = 0; j < site; j++) {
			char spec[80];
			site_names(j, hosts, spec, sizeof(spec), service, sizeof(service));
			add_one(st, "root", spec, service, host_ids[j % hosts]);
		}
		if (store_commit(st, &err) != PT_OK)
			die("commit", &err);
		t1 = now_ms();
		printf("batch add of %lu entries in one transaction (one user \"root\" on every host,"
		       " on top of %lu): %.3f s (target <= 2 s)\n",
		       site, total, (t1 - t0) / 1e3);
		total += site;
		for (unsigned n = 0; n < LOOKUPS; n++) {
			unsigned long j = (unsigned long)(rng() % site);
			char spec[80];
			site_names(j, hosts, spec, sizeof(spec), service, sizeof(service));
			host_name(fqdn, sizeof(fqdn), j % hosts);
			lat[n] = pw_show(st, "root", fqdn, service);
		}
		med = median(lat, LOOKUPS);
		printf("pw show latency via the per-host path (%d random root@HOST:SERVICE lookups;"
		       " \"root\" holds %lu entries): median %.3f ms, p99 %.3f ms, max %.3f ms"
		       " (target <= 5 ms)\n",
		       LOOKUPS, site, med, percentile(lat, LOOKUPS, 99), lat[LOOKUPS - 1]);
	}
	store_close(&st);
	rss_data = peak_rss_mib();
	if (stat(big, &sb) == 0)
		printf("store file size: %.1f MiB (%jd bytes; %lu hosts, %lu entries)\n",
		       (double)sb.st_size / 1048576.0, (intmax_t)sb.st_size, hosts, total);

	/* --- 1. unlock with the calibrated default KDF --------------------- */
	kp.m_kib = 128 * 1024;
	kp.t_cost = 0;
	kp.lanes = 2;
	t0 = now_ms();
	if (kdf_calibrate(&kp, 750, &err) != PT_OK)
		die("calibrate", &err);
	t1 = now_ms();
	printf("KDF calibration (target 750 ms): Argon2id m=%u MiB t=%u p=%u, took %.0f ms\n",
	       kp.m_kib / 1024, kp.t_cost, kp.lanes, t1 - t0);
	if (store_create(small, PASS, strlen(PASS), &kp, &st, &err) != PT_OK)
		die("create calibrated store", &err);
	store_close(&st);
	{
		double u[3], v[3];
		for (int i = 0; i < 3; i++) {
			t0 = now_ms();
			if (store_open(small, PASS, strlen(PASS), &st, &err) != PT_OK)
				die("open calibrated store", &err);
			v[i] = u[i] = now_ms() - t0;
			store_close(&st);
		}
		printf("unlock time (store_open, calibrated m=%u MiB t=%u p=%u): median of 3 %.0f ms"
		       " (runs %.0f / %.0f / %.0f ms; target about 750 ms)\n",
		       kp.m_kib / 1024, kp.t_cost, kp.lanes, median(v, 3), u[0], u[1], u[2]);
	}

	/* --- end to end through the binary --------------------------------- */
	if (e2e_runs && access(bin, X_OK) == 0) {
		for (int kind = 0; kind < (site ? 2 : 1); kind++) {
			size_t ok = 0;
			for (unsigned long r = 0; r < e2e_runs; r++) {
				unsigned long i, h;
				char entry[200], spec[80];
				double ms;

				if (kind == 0) {
					i = (unsigned long)(rng() % entries);
					entry_names(i, hosts, user, sizeof(user), service,
					            sizeof(service), &h);
				} else {
					i = (unsigned long)(rng() % site);
					site_names(i, hosts, spec, sizeof(spec), service,
					           sizeof(service));
					snprintf(user, sizeof(user), "root");
					h = i % hosts;
				}
				host_name(fqdn, sizeof(fqdn), h);
				snprintf(entry, sizeof(entry), "%s@%s:%s", user, fqdn, service);
				ms = run_passtore(bin, big, entry);
				if (ms < 0)
					fprintf(stderr, "bench_store: %s pw show %s failed\n", bin,
					        entry);
				else
					lat[ok++] = ms;
			}
			if (ok) {
				med = median(lat, ok);
				printf("pw show end-to-end incl. KDF (%s, %s, %zu/%lu runs, %lu-entry store, KDF"
				       " m=%u MiB t=%u): median %.1f ms, min %.1f ms, max %.1f ms\n",
				       bin, kind == 0 ? "exact spec" : "per-host path", ok,
				       e2e_runs, total, cheap.m_kib / 1024, cheap.t_cost, med,
				       lat[0], lat[ok - 1]);
			}
		}
	} else if (e2e_runs) {
		printf("pw show end-to-end: skipped (%s is not executable)\n", bin);
	}

	printf("peak RSS: %.1f MiB (%.1f MiB before the calibrated %u MiB KDF)\n", peak_rss_mib(),
	       rss_data, kp.m_kib / 1024);

	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(host_ids);
	free(lat);
	return 0;
}

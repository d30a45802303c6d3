/* bench_ui.c - figures for the console (issue 5, "Figures"), measured
 * with the console's own code: the views of ui/libpasstore-ui.a draw with
 * ncurses on a pseudo-terminal of 80x25 whose other side this program
 * reads, so every byte the console would send to the terminal is counted.
 * Never part of the test suite: it measures and prints, asserts nothing.
 *
 *   bench_ui gen DB HOSTS CERTS     a store: HOSTS hosts (one password
 *                                   entry each), CERTS certificates spread
 *                                   over them (one current per host, the
 *                                   rest superseded), as bench_cert_gen
 *                                   report inserts them (columns and a
 *                                   dummy DER of a realistic size)
 *   bench_ui run DB [PAGES]         the figures (PAGES page-downs, 200)
 *
 * The passphrase is "bench passphrase"; the KDF is cheap (8 MiB, 1 pass)
 * and the unlock (store_open) is timed apart, outside the first paint.
 *
 * Figures (CPU: this process's CPU time, CLOCK_PROCESS_CPUTIME_ID; wall:
 * CLOCK_MONOTONIC; bytes: read from the terminal's master side):
 *   first paint   the dashboard entered (everything read from the store)
 *                 and drawn, as after an unlock
 *   page-down     hosts, passwords, audit trail and certificates screens
 *                 (the 100k certificates), from the top to deep down;
 *                 median and worst, and End (G)
 *   filter        "/" + text + Enter through the browser's own prompt,
 *                 the keys at once: count again, first page drawn (the
 *                 certificates: a few hosts, every host, a band label, a
 *                 month); and each key alone, the worst of the prefixes
 *   memory        peak resident set size of the process at the end
 */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/lib.h"
#include "site/lib.h"
#include "cert/lib.h"
#include "store/lib.h"
#include "ui/app.h"
#include "ui/theme.h"
#include "ui/view.h"

#define PASS "bench passphrase"
#define DAY 86400L

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_ui: %s: %s\n", what, detail);
	exit(1);
}

/* ---- gen ---- */

static int
cmd_gen(const char *db, long hosts, long certs)
{
	static const struct kdf_params kp = { 8 * 1024, 1, 1 };
	static const char *const groups[] = { "ces", "ses", "wns", "grid" };
	struct pt_err err = { 0 };
	struct store *st = NULL;
	sqlite3_stmt *k = NULL, *c = NULL, *d = NULL;
	unsigned char der[700];
	time_t now = time(NULL);
	char name[64], kid[32], sub[128], sha[80], ser[40];

	remove(db);
	if (store_create(db, PASS, strlen(PASS), &kp, &st, &err) != PT_OK ||
	    store_begin(st, &err) != PT_OK)
		die("store", err.detail);
	for (long i = 0; i < hosts; i++) {
		const char *g[] = { groups[i % 3], groups[3] };
		char ip[32];
		int64_t id, pw;

		snprintf(name, sizeof name, "h%06ld.bench.example.org", i);
		snprintf(ip, sizeof ip, "10.%ld.%ld.%ld", i / 65536 % 256, i / 256 % 256, i % 256);
		if (model_host_add(st, name, ip, 22, g, 2, &err) != PT_OK)
			die("host add", err.detail);
		char *names[] = { name };
		if (model_host_ids(st, names, 1, &id, &err) != PT_OK ||
		    model_pw_add(st, "root", name, "ssh", &id, 1, "not-a-real-secret", 17, &pw,
		                 &err) != PT_OK)
			die("pw add", err.detail);
	}
	if (store_exec(
		    st,
		    "INSERT INTO cas (id, name, bundle_pem, subject_tmpl, default_key, created_at)"
		    " VALUES (1, 'bench', '', 'CN=%h', 'ec:p256', 0)",
		    &err) != PT_OK)
		die("ca", err.detail);
	memset(der, 0x5a, sizeof der);
	if (sqlite3_prepare_v2(
		    store_db(st),
		    "INSERT INTO keys (id, host_id, type, key_pem, key_id, origin, created_at)"
		    " VALUES (?1, ?1, 'ec:p256', x'00', ?2, 'generated', ?3)",
		    -1, &k, NULL) ||
	    sqlite3_prepare_v2(
		    store_db(st),
		    "INSERT INTO certificates (host_id, key_ref, ca_id, subject, issuer, serial,"
		    " not_before, not_after, state, imported_at, fqdn, sha256)"
		    " VALUES (?1, ?1, 1, ?2, '/C=IT/O=Bench/CN=Bench Grid Host CA', ?3, ?4, ?5,"
		    " ?8, ?4, ?6, ?7)",
		    -1, &c, NULL) ||
	    sqlite3_prepare_v2(store_db(st),
	                       "INSERT INTO certificate_der (cert_id, der) VALUES (?, ?)", -1, &d,
	                       NULL))
		die("prepare", sqlite3_errmsg(store_db(st)));
	for (long h = 1; h <= hosts; h++) {
		snprintf(kid, sizeof kid, "K%ld", h);
		sqlite3_reset(k);
		sqlite3_bind_int64(k, 1, h);
		sqlite3_bind_text(k, 2, kid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(k, 3, now);
		if (sqlite3_step(k) != SQLITE_DONE)
			die("insert key", sqlite3_errmsg(store_db(st)));
	}
	for (long i = 1; i <= certs; i++) {
		long h = (i - 1) % hosts + 1;
		bool current = i > certs - hosts; /* the last round is current */

		snprintf(sub, sizeof sub,
		         "/C=IT/O=INFN/OU=Host/L=Padova/CN=h%06ld.bench.example.org", h - 1);
		snprintf(sha, sizeof sha, "%064lx", i);
		snprintf(ser, sizeof ser, "%032lX", i * 2654435761UL);
		sqlite3_reset(c);
		sqlite3_bind_int64(c, 1, h);
		sqlite3_bind_text(c, 2, sub, -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 3, ser, -1, SQLITE_STATIC);
		sqlite3_bind_int64(c, 4, now - 400 * DAY);
		/* current ones spread over the bands, older ones expired */
		sqlite3_bind_int64(c, 5,
		                   current ? now + ((i * 7919) % 800 - 30) * DAY + i % 86400
		                           : now - (i % 300 + 1) * DAY);
		sqlite3_bind_text(c, 6, sub + 33, -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 7, sha, -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 8, current ? "current" : "superseded", -1, SQLITE_STATIC);
		if (sqlite3_step(c) != SQLITE_DONE)
			die("insert certificate", sqlite3_errmsg(store_db(st)));
		sqlite3_reset(d);
		sqlite3_bind_int64(d, 1, sqlite3_last_insert_rowid(store_db(st)));
		sqlite3_bind_blob(d, 2, der, sizeof der, SQLITE_STATIC);
		if (sqlite3_step(d) != SQLITE_DONE)
			die("insert der", sqlite3_errmsg(store_db(st)));
	}
	sqlite3_finalize(k);
	sqlite3_finalize(c);
	sqlite3_finalize(d);
	/* written behind the import path: into the console's listing */
	if (cert_list_sync(st, NULL, &err) != PT_OK)
		die("listing", err.detail);
	/* and sealed in the trail, as keys stored by passtore are */
	if (rowmac_seal_all(st, ROWMAC_KEYS, &err) != PT_OK)
		die("seal the keys", err.detail);
	if (store_commit(st, &err) != PT_OK)
		die("commit", err.detail);
	store_close(&st);
	return 0;
}

/* ---- the terminal ---- */

static int master = -1;
static unsigned long long bytes_out;

/* Everything the console wrote so far, read from the master side. */
static unsigned long long
drain(void)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(master, buf, sizeof buf)) > 0)
		bytes_out += (unsigned long long)n;
	return bytes_out;
}

static double
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct figure {
	double cpu, wall;
	unsigned long long bytes;
};

struct probe {
	double cpu0, wall0;
	unsigned long long bytes0;
};

static void
probe_start(struct probe *p)
{
	p->bytes0 = drain();
	p->cpu0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	p->wall0 = clock_ms(CLOCK_MONOTONIC);
}

static struct figure
probe_end(const struct probe *p)
{
	struct figure f;

	f.cpu = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - p->cpu0;
	f.wall = clock_ms(CLOCK_MONOTONIC) - p->wall0;
	f.bytes = drain() - p->bytes0;
	return f;
}

/* As app.c's draw: the view on a cleared screen, then refresh (the frame,
 * the same on every screen, is left out). */
static void
paint(struct ui *ui, const struct view_ops *v)
{
	erase();
	v->draw(ui, 1, LINES - 3);
	refresh();
}

/* ---- run ---- */

static int
cmp_fig(const void *a, const void *b)
{
	const struct figure *x = a, *y = b;

	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

static int
cmp_bytes(const void *a, const void *b)
{
	const struct figure *x = a, *y = b;

	return (x->bytes > y->bytes) - (x->bytes < y->bytes);
}

static void
print(const char *name, double v, const char *unit, const char *target, bool ok)
{
	printf("%-40s %10.2f %-4s (target %s)%s\n", name, v, unit, target, ok ? "" : "  OVER");
}

/* PAGES page-downs from the top; figures as median and worst. */
static void
pages(struct ui *ui, const struct view_ops *v, const char *name, int n)
{
	struct figure *f = calloc((size_t)n, sizeof *f), end;
	struct probe p;
	char label[96];

	ui->view = VIEW_HOSTS;
	probe_start(&p);
	v->enter(ui);
	paint(ui, v);
	end = probe_end(&p);
	snprintf(label, sizeof label, "%s: open (count, first page)", name);
	print(label, end.wall, "ms", "<= 100 ms", end.wall <= 100);
	for (int i = 0; i < n; i++) {
		probe_start(&p);
		v->handle(ui, ACT_PGDN, KEY_NPAGE);
		paint(ui, v);
		f[i] = probe_end(&p);
	}
	qsort(f, (size_t)n, sizeof *f, cmp_fig);
	snprintf(label, sizeof label, "%s: page-down CPU, median", name);
	print(label, f[n / 2].cpu, "ms", "<= 2 ms", f[n / 2].cpu <= 2);
	snprintf(label, sizeof label, "%s: page-down CPU, worst of %d", name, n);
	print(label, f[n - 1].cpu, "ms", "<= 2 ms", f[n - 1].cpu <= 2);
	qsort(f, (size_t)n, sizeof *f, cmp_bytes);
	snprintf(label, sizeof label, "%s: page-down written, median", name);
	print(label, (double)f[n / 2].bytes / 1024, "KiB", "<= 2 KiB", f[n / 2].bytes <= 2048);
	snprintf(label, sizeof label, "%s: page-down written, worst", name);
	print(label, (double)f[n - 1].bytes / 1024, "KiB", "<= 2 KiB", f[n - 1].bytes <= 2048);
	probe_start(&p);
	v->handle(ui, ACT_END, 'G');
	paint(ui, v);
	end = probe_end(&p);
	snprintf(label, sizeof label, "%s: End (G) CPU", name);
	print(label, end.cpu, "ms", "<= 2 ms", end.cpu <= 2);
	snprintf(label, sizeof label, "%s: End (G) written", name);
	print(label, (double)end.bytes / 1024, "KiB", "<= 2 KiB", end.bytes <= 2048);
	probe_start(&p);
	v->handle(ui, ACT_PGUP, KEY_PPAGE);
	paint(ui, v);
	end = probe_end(&p);
	snprintf(label, sizeof label, "%s: page-up from the end CPU", name);
	print(label, end.cpu, "ms", "<= 2 ms", end.cpu <= 2);
	free(f);
}

/* The filter prompt run on keys pushed back into curses' input (read by
 * the prompt as typed ones): ^U first (the prompt starts from the last
 * filter), then keys, then Enter.  Its wall time. */
static double
filter_run(struct ui *ui, const struct view_ops *v, const char *text, size_t n)
{
	struct probe p;

	ungetch('\r');
	for (size_t i = n; i-- > 0;)
		ungetch((unsigned char)text[i]);
	ungetch('u' & 0x1f);
	probe_start(&p);
	v->handle(ui, ACT_FILTER, '/');
	paint(ui, v);
	return probe_end(&p).wall;
}

/* "/", the text, Enter, the keys coming at once (a paste, a fast typist):
 * the list is filtered for the last of them.  And, for the first screens,
 * each key alone: the worst of the text's prefixes, each filtered and
 * drawn (what a key typed slower than that costs). */
static void
filter_once(struct ui *ui, const struct view_ops *v, const char *name, const char *text,
            bool per_key)
{
	char label[96];
	double w, worst = 0;
	size_t n = strlen(text);

	v->handle(ui, ACT_HOME, KEY_HOME);
	paint(ui, v);
	w = filter_run(ui, v, text, n);
	snprintf(label, sizeof label, "%s: filter \"%s\" applied", name, text);
	print(label, w, "ms", "<= 20 ms", w <= 20);
	for (size_t k = 1; per_key && k <= n; k++) {
		double x = filter_run(ui, v, text, k);
		if (x > worst)
			worst = x;
	}
	if (per_key) {
		snprintf(label, sizeof label, "%s: filter, per key, worst prefix", name);
		print(label, worst, "ms", "<= 20 ms", worst <= 20);
	}
	/* and cleared again, for what follows */
	filter_run(ui, v, "", 0);
}

static int
cmd_run(const char *db, int npages)
{
	struct pt_err err = { 0 };
	struct ui ui = { 0 };
	struct winsize ws = { .ws_row = 25, .ws_col = 80 };
	int slave;
	FILE *out, *in;
	SCREEN *scr;
	struct probe p;
	struct figure f;
	struct rusage ru;
	double t0;

	setlocale(LC_ALL, "");
	t0 = clock_ms(CLOCK_MONOTONIC);
	if (store_open(db, PASS, strlen(PASS), &ui.st, &err) != PT_OK)
		die("open", err.detail);
	printf("%-40s %10.2f %-4s (target -: KDF and open checks, not part of the paint)\n",
	       "unlock (store_open)", clock_ms(CLOCK_MONOTONIC) - t0, "ms");

	if (openpty(&master, &slave, NULL, NULL, &ws) != 0)
		die("openpty", strerror(errno));
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	out = fdopen(slave, "w");
	in = fdopen(dup(slave), "r");
	if (!out || !in)
		die("fdopen", strerror(errno));
	/* the pty is 80x25 whatever this process's own terminal is */
	unsetenv("LINES");
	unsetenv("COLUMNS");
	scr = newterm(getenv("BENCH_TERM") ? getenv("BENCH_TERM") : "linux", out, in);
	if (!scr)
		die("newterm", "no such terminal type");
	set_term(scr);
	theme_init(0);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	refresh();
	drain();
	printf("# terminal %s, %dx%d\n", termname(), COLS, LINES);
	ui.lock_after = 0;
	ui.reveal_secs = 15;
	ui.last_input_ms = ui_now_ms();

	ui.view = VIEW_DASH;
	probe_start(&p);
	ui_dash_ops.enter(&ui);
	paint(&ui, &ui_dash_ops);
	f = probe_end(&p);
	print("first paint: dashboard (wall)", f.wall, "ms", "<= 100 ms", f.wall <= 100);
	print("first paint: dashboard written", (double)f.bytes / 1024, "KiB", "- (a whole screen)",
	      true);
	probe_start(&p);
	if (ui_dash_ops.tick && ui_dash_ops.tick(&ui))
		paint(&ui, &ui_dash_ops);
	f = probe_end(&p);
	print("dashboard: audit chain check after it", f.wall, "ms", "- (after the paint)", true);

	pages(&ui, &ui_hosts_ops, "hosts", npages);
	filter_once(&ui, &ui_hosts_ops, "hosts", "h00999", true);
	pages(&ui, &ui_passwords_ops, "passwords", npages);
	filter_once(&ui, &ui_passwords_ops, "passwords", "h00999", true);
	pages(&ui, &ui_audit_ops, "audit trail", npages);
	filter_once(&ui, &ui_audit_ops, "audit trail", "h00999", true);
	pages(&ui, &ui_certs_ops, "certificates", npages);
	filter_once(&ui, &ui_certs_ops, "certificates", "h00999", true);
	filter_once(&ui, &ui_certs_ops, "certificates", "example.org", false);
	filter_once(&ui, &ui_certs_ops, "certificates", "expired", false);
	filter_once(&ui, &ui_certs_ops, "certificates", "2026-12", false);

	getrusage(RUSAGE_SELF, &ru);
	print("resident memory, peak", (double)ru.ru_maxrss / 1024, "MiB", "<= 64 MiB",
	      ru.ru_maxrss <= 64 * 1024);

	ui_dash_ops.reset(&ui);
	ui_hosts_ops.reset(&ui);
	ui_passwords_ops.reset(&ui);
	ui_audit_ops.reset(&ui);
	ui_certs_ops.reset(&ui);
	endwin();
	delscreen(scr);
	store_close(&ui.st);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(argv[2], atol(argv[3]), atol(argv[4]));
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "run") == 0)
		return cmd_run(argv[2], argc == 4 ? atoi(argv[3]) : 200);
	fprintf(stderr, "usage: bench_ui gen DB HOSTS CERTS | run DB [PAGES]\n");
	return 2;
}

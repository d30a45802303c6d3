/* fuzz_journal.c - the readers of the transfer journal (src/engine/
 * transfer.h): the window log, a host's windows, a window's steps and the
 * hosts with temporary files pending.  The rows come from the input, one
 * a line, "TABLE|FIELD|FIELD...": TABLE w (windows), s (window_steps) or
 * t (window_temps), each field text, or \N (NULL), x:BYTES (a blob, as a
 * damaged or hand-edited store may hold), i:N or r:N (a number).  They
 * go into a store created once (the cheapest KDF) inside a transaction
 * rolled back after the readers ran, so every input starts empty; in
 * /dev/shm when there is one (TMPDIR names another place). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlcipher/sqlite3.h>

#include "fuzz.h"
#include "engine/lib.h"
#include "base/lib.h"
#include "store/lib.h"

#define FIELDS_MAX 16

static struct store *st;
static char dir[64];
static sqlite3_stmt *ins[3]; /* the INSERT of each table, prepared once */

static void
cleanup(void)
{
	char p[96];

	for (size_t i = 0; i < sizeof(ins) / sizeof(ins[0]); i++)
		sqlite3_finalize(ins[i]);
	store_close(&st);
	snprintf(p, sizeof(p), "%s/s.db", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/s.db.key", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/s.db.lock", dir);
	unlink(p);
	rmdir(dir);
}

static struct store *
store_once(void)
{
	static const struct kdf_params kp = { KDF_MIN_M_KIB, 1, 1 };
	const char *tmp = getenv("TMPDIR");
	char path[96];

	if (st || dir[0])
		return st;
	snprintf(dir, sizeof(dir), "%s/fuzz-journal.XXXXXX",
	         tmp && *tmp                     ? tmp
	         : access("/dev/shm", W_OK) == 0 ? "/dev/shm"
	                                         : "/tmp");
	if (strlen(dir) >= sizeof(dir) - 8 || !mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/s.db", dir);
	if (store_create(path, "fuzz passphrase", 15, &kp, &st, NULL) != PT_OK)
		abort();
	/* every transaction is rolled back: a journal file would only cost,
	 * and nobody else opens this store: keep its lock and its cache */
	if (sqlite3_exec(store_db(st),
	                 "PRAGMA journal_mode = MEMORY; PRAGMA locking_mode = EXCLUSIVE", NULL,
	                 NULL, NULL) != SQLITE_OK)
		abort();
	atexit(cleanup);
	return st;
}

static void
bind_field(sqlite3_stmt *s, int col, const char *f)
{
	if (!f || !strcmp(f, "\\N"))
		sqlite3_bind_null(s, col);
	else if (!strncmp(f, "x:", 2))
		sqlite3_bind_blob(s, col, f + 2, (int)strlen(f + 2), SQLITE_TRANSIENT);
	else if (!strncmp(f, "i:", 2))
		sqlite3_bind_int64(s, col, strtoll(f + 2, NULL, 0));
	else if (!strncmp(f, "r:", 2))
		sqlite3_bind_double(s, col, strtod(f + 2, NULL));
	else
		sqlite3_bind_text(s, col, f, -1, SQLITE_TRANSIENT);
}

static void
insert_row(char *line)
{
	static const char *const sql[] = {
		"INSERT INTO windows (tag, purpose, host, peer, port, ifname, gateway, rules, pid,"
		" opened_at, closed_at, outcome, detail, exposure_ms, link_ms, ssh_ms)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"INSERT INTO window_steps (window_id, step, status, output) VALUES (?, ?, ?, ?)",
		"INSERT INTO window_temps (window_id, host, path, state, created_at, cleared_window)"
		" VALUES (?, ?, ?, ?, ?, ?)",
	};
	char *f[FIELDS_MAX + 1], *p = line;
	sqlite3_stmt *s;
	int nf = 0, t;

	while (nf <= FIELDS_MAX && p) {
		f[nf++] = p;
		if ((p = strchr(p, '|')))
			*p++ = '\0';
	}
	t = !strcmp(f[0], "w") ? 0 : !strcmp(f[0], "s") ? 1 : !strcmp(f[0], "t") ? 2 : -1;
	if (t < 0 ||
	    (!ins[t] && sqlite3_prepare_v2(store_db(st), sql[t], -1, &ins[t], NULL) != SQLITE_OK))
		return;
	s = ins[t];
	for (int c = 1; c <= sqlite3_bind_parameter_count(s); c++)
		bind_field(s, c, c < nf ? f[c] : NULL);
	(void)sqlite3_step(s); /* a row the schema refuses is simply not there */
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* What every caller does with a row: read each string. */
static size_t sum;

static int
step_cb(const char *step, int status, const char *output, void *ud)
{
	(void)ud;
	sum += strlen(step) + strlen(output) + (size_t)(status & 1);
	return 0;
}

static int
window_cb(const struct window_info *w, void *ud)
{
	const char *const s[] = { w->tag,    w->purpose, w->host,  w->peer,
		                  w->ifname, w->outcome, w->detail };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		sum += strlen(s[i]);
	if (ud)
		(void)transfer_window_steps(st, w->id, step_cb, NULL, NULL);
	return 0;
}

static int
temps_cb(const char *host, int files, void *ud)
{
	(void)ud;
	sum += strlen(host) + (size_t)(files & 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *line, *save = NULL;

	if (size > 64 * 1024 || !store_once() || !(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (store_begin(st, NULL) != PT_OK)
		abort();
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		insert_row(line);
	(void)transfer_log_foreach(st, window_cb, st, NULL);
	(void)transfer_host_windows(st, "ce01.example.org", window_cb, NULL, NULL);
	(void)transfer_host_windows(st, "", window_cb, NULL, NULL);
	(void)transfer_temps_pending(st, temps_cb, NULL, NULL);
	store_rollback(st);
	free(text);
	return 0;
}

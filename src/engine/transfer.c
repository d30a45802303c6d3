/* transfer.c - the guarded transfer engine: journal, window, signals.
 *
 * Order matters and is the point of this file: the journal row is
 * committed before anything touches the network; the link comes up
 * while every policy still drops; the rules go in only when the link
 * runs and the route is back, and come out right after the goodbye
 * (the SSH disconnect and the peer's close, bounded); then the link goes down and the row is closed with what was
 * measured.  Signals are turned into an event: a thread waits for them
 * and pushes the SSH deadline into the past, so a blocked libssh call
 * returns and the main flow closes the window.  No libiptc call is
 * ever made from a signal handler.
 */
#include "config.h"

#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "store/lib.h"
#include "engine/guard.h"
#include "base/i18n.h"
#include "site/lib.h"
#include "base/lib.h"
#include "engine/private.h"
#include "engine/transfer.h"

#define LINK_WAIT_MS 5000
#define CONNECT_TIMEOUT_MS 10000
#define STOP_SIGNAL SIGUSR2
/* In a journal row's rules: the window created passtore's nftables table. */
#define RULES_NFT_CREATED "created by the window"
/* How long the goodbye waits for the peer's close, rules still in: a
 * peer on the site's network answers in a few ms. */
#define GOODBYE_WAIT_MS 50

struct engine {
	struct store *st;
	const struct transfer_req *req;
	int lockfd;
	struct guard_open g; /* the window: what guard_window_open did */
	struct in_addr peer, gw;
	char ifname[IFNAMSIZ];
	char peer_text[INET_ADDRSTRLEN], gw_text[INET_ADDRSTRLEN];
	int port;
	int64_t window_id;
	enum guard_backend fw; /* resolved from net.firewall */
	bool nft_table;        /* nftables: passtore's table was loaded before */
	uint64_t ssh_start_us, ssh_end_us, bye_start_us, bye_end_us;
	/* signals */
	sigset_t waitset, oldmask;
	pthread_t sigth;
	bool sigth_running;
	pthread_mutex_t mu;
	struct sshx *ssh; /* under mu */
	volatile sig_atomic_t signal;
	/* temporary files gone from the peer, marked in the journal once the
	 * rules are out (a row left pending costs only a "not there" later) */
	char **gone;
	size_t ngone;
	/* temporary names made and journaled with the window's row, for the
	 * paths the flow said it puts; used: handed to the put */
	size_t npre;
	const char *pre_path[SSHX_PUT_MAX];
	char *pre[SSHX_PUT_MAX];
	bool pre_used[SSHX_PUT_MAX];
};

static const char *const phase_names[TRANSFER_PHASES] = {
	[TRANSFER_JOURNAL] = N_("journal"),
	[TRANSFER_LINK_UP] = N_("link up"),
	[TRANSFER_ROUTE] = N_("route"),
	[TRANSFER_RULES_IN] = N_("rules in"),
	[TRANSFER_SSH] = N_("SSH"),
	[TRANSFER_MOVE] = N_("transfer"),
	[TRANSFER_GOODBYE] = N_("goodbye"),
	[TRANSFER_RULES_OUT] = N_("rules out"),
	[TRANSFER_LINK_DOWN] = N_("link down"),
};

const char *
transfer_phase_name(enum transfer_phase p)
{
	return p < TRANSFER_PHASES ? _(phase_names[p]) : "?";
}

/* Tell the front end; it draws and returns (it never waits for a
 * person: the rules may be in). */
static void
phase(const struct engine *e, enum transfer_phase p)
{
	if (e->req->progress)
		e->req->progress(p, e->req->progress_ud);
}

static int64_t
wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static char *
lock_path(struct store *st)
{
	char *p = NULL;

	if (asprintf(&p, "%s.lock", store_path(st)) < 0)
		return NULL;
	return p;
}

/* The engine lock cannot be opened: say which file and why. */
static enum pt_status
lock_fail(struct store *st, struct pt_err *err)
{
	int e = errno;

	return pt_fail(err, PT_IO, _("cannot take the window lock %s.lock: %s"), store_path(st),
	               strerror(e));
}

/* The engine lock: held by whoever has a window open, so that recovery
 * at another start never sweeps a live window's rules.  -1 with errno
 * EWOULDBLOCK when another process holds it, another errno when it cannot
 * be opened.  Created by root (a command that does not split, recovering
 * at its start) next to a store of the unprivileged account, it is given
 * to the store's owner: the account's own windows must take it too. */
static int
take_lock(struct store *st, bool create)
{
	char *p = lock_path(st);
	struct stat sb;
	int fd;

	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	fd = open(p, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
	free(p);
	if (fd < 0)
		return -1;
	/* best effort: a root without CAP_CHOWN keeps a lock only root opens */
	if (geteuid() == 0 && stat(store_path(st), &sb) == 0 && sb.st_uid != 0)
		(void)!fchown(fd, sb.st_uid, sb.st_gid);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		errno = EWOULDBLOCK;
		return -1;
	}
	return fd;
}

/* ---------------------------------------------------------------------
 * Signals
 * ------------------------------------------------------------------- */

static void *
signal_thread(void *arg)
{
	struct engine *e = arg;
	int sig = 0;

	if (sigwait(&e->waitset, &sig) != 0 || sig == STOP_SIGNAL)
		return NULL;
	e->signal = sig;
	guard_window_cancel(); /* an open in progress stops before its rules */
	pthread_mutex_lock(&e->mu);
	if (e->ssh)
		sshx_set_deadline(e->ssh, 1); /* in the past: the watchdog cuts the socket */
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

static void
signals_catch(struct engine *e)
{
	sigemptyset(&e->waitset);
	sigaddset(&e->waitset, SIGINT);
	sigaddset(&e->waitset, SIGTERM);
	sigaddset(&e->waitset, SIGHUP);
	sigaddset(&e->waitset, STOP_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &e->waitset, &e->oldmask);
	e->sigth_running = pthread_create(&e->sigth, NULL, signal_thread, e) == 0;
}

static void
signals_release(struct engine *e)
{
	struct timespec zero = { 0, 0 };
	int sig;

	if (e->sigth_running) {
		pthread_kill(e->sigth, STOP_SIGNAL);
		pthread_join(e->sigth, NULL);
		e->sigth_running = false;
	}
	/* take what is still pending before unblocking, or it would kill the
	 * process before the journal row is closed; the caller re-raises
	 * e->signal once the store is closed */
	while ((sig = sigtimedwait(&e->waitset, NULL, &zero)) > 0)
		if (!e->signal && sig != STOP_SIGNAL)
			e->signal = sig;
	pthread_sigmask(SIG_SETMASK, &e->oldmask, NULL);
}

/* ---------------------------------------------------------------------
 * Journal
 * ------------------------------------------------------------------- */

/* The journal's text of the nftables window: an element, and the table
 * when none was loaded (recovery drops the table such a row names). */
static void
rules_text_nft(const struct engine *e, char *buf, size_t n)
{
	snprintf(buf, n,
	         "%sadd element inet " GUARD_NFT_TABLE " " GUARD_NFT_SET
	         " { %s . %d timeout %us comment \"%s%s\" }",
	         e->nft_table ? "" : "add table inet " GUARD_NFT_TABLE " (" RULES_NFT_CREATED ")\n",
	         e->peer_text, e->port, e->g.w.timeout_s, GUARD_TAG, e->g.w.id);
}

static void
rules_text(const struct engine *e, char *buf, size_t n)
{
	if (e->fw == GUARD_FW_NFTABLES) {
		rules_text_nft(e, buf, n);
		return;
	}
	snprintf(
		buf, n,
		"-A OUTPUT -d %s/32 -o %s -p tcp -m tcp --dport %d -m comment --comment \"%s%s\" -j ACCEPT\n"
		"-A INPUT -s %s/32 -i %s -p tcp -m tcp --sport %d -m conntrack --ctstate ESTABLISHED"
		" -m comment --comment \"%s%s\" -j ACCEPT",
		e->peer_text, e->ifname, e->port, GUARD_TAG, e->g.w.id, e->peer_text, e->ifname,
		e->port, GUARD_TAG, e->g.w.id);
}

/* The temporary names in window_temps, pending, inside the caller's
 * transaction. */
static enum pt_status
journal_temps(struct engine *e, const char *const *paths, size_t n, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = SQLITE_DONE;

	if (n == 0)
		return PT_OK;
	if (sqlite3_prepare_v2(store_db(e->st),
	                       "INSERT INTO window_temps (window_id, host, path, state, created_at)"
	                       " VALUES (?1, ?2, ?3, 'pending', ?4)",
	                       -1, &s, NULL) != SQLITE_OK)
		rc = SQLITE_ERROR;
	for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, e->window_id);
		sqlite3_bind_text(s, 2, e->req->host, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, paths[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, wall_ms());
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK
	                         : store_fail(e->st, rc, err, _("journal a temporary file"));
}

/* A name gone from the peer (or never made), marked after the window. */
static void
gone_add(struct engine *e, const char *path)
{
	char **g = realloc(e->gone, (e->ngone + 1) * sizeof(*g));

	if (!g)
		return;
	e->gone = g;
	if ((g[e->ngone] = strdup(path)) != NULL)
		e->ngone++;
}

/* Before the window: a temporary name for each path the flow puts. */
static enum pt_status
pre_name(struct engine *e, struct pt_err *err)
{
	enum pt_status ret = PT_OK;

	for (size_t i = 0; i < e->req->nput && i < SSHX_PUT_MAX && ret == PT_OK; i++) {
		e->pre_path[i] = e->req->put_paths[i];
		if ((ret = sshx_temp_name(e->pre_path[i], &e->pre[i], err)) == PT_OK)
			e->npre++;
	}
	return ret;
}

/* After the window: the names never handed to a put are gone (never
 * made); the others the put reported itself. */
static void
pre_release(struct engine *e)
{
	for (size_t i = 0; i < e->npre; i++) {
		if (!e->pre_used[i] && e->window_id)
			gone_add(e, e->pre[i]);
		free(e->pre[i]);
		e->pre[i] = NULL;
	}
	e->npre = 0;
}

static enum pt_status
journal_open(struct engine *e, struct pt_err *err)
{
	struct store *st = e->st;
	sqlite3_stmt *s = NULL;
	char rules[1024];
	enum pt_status ret;
	int rc;

	rules_text(e, rules, sizeof(rules));
	if ((ret = store_begin(st, err)) != PT_OK)
		return ret;
	rc = sqlite3_prepare_v2(
		store_db(st),
		"INSERT INTO windows (tag, purpose, host, peer, port, ifname, gateway, rules, pid, opened_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, e->g.w.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, e->req->purpose, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, e->req->host, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, e->peer_text, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 5, e->port);
		sqlite3_bind_text(s, 6, e->ifname, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, e->gw_text, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, rules, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 9, (sqlite3_int64)getpid());
		sqlite3_bind_int64(s, 10, wall_ms());
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("journal the window"));
		store_rollback(st);
		return ret;
	}
	e->window_id = sqlite3_last_insert_rowid(store_db(st));
	/* the names of the files it will put, in the same commit */
	ret = journal_temps(e, (const char *const *)e->pre, e->npre, err);
	if (ret == PT_OK)
		ret = audit_appendf(st, "window.open", e->req->host, err,
		                    "window=%lld purpose=%s peer=%s:%d if=%s",
		                    (long long)e->window_id, e->req->purpose, e->peer_text, e->port,
		                    e->ifname);
	if (ret == PT_OK && (ret = store_commit(st, err)) == PT_OK)
		return PT_OK;
	store_rollback(st);
	e->window_id = 0;
	return ret;
}

static const char *
outcome_of(enum pt_status st, int signal)
{
	if (signal)
		return "signal";
	switch (st) {
	case PT_OK: return "ok";
	case PT_TIMEOUT: return "timeout";
	case PT_HOSTKEY: return "hostkey";
	case PT_REFUSED: return "refused";
	default: return "error";
	}
}

static enum pt_status
journal_close(struct engine *e, enum pt_status outcome, const char *detail,
              const struct transfer_result *res, struct pt_err *err)
{
	struct store *st = e->st;
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	if ((ret = store_begin(st, err)) != PT_OK)
		return ret;
	rc = sqlite3_prepare_v2(store_db(st),
	                        "UPDATE windows SET closed_at = ?2, outcome = ?3, detail = ?4,"
	                        " exposure_ms = ?5, link_ms = ?6, ssh_ms = ?7 WHERE id = ?1",
	                        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, e->window_id);
		sqlite3_bind_int64(s, 2, wall_ms());
		sqlite3_bind_text(s, 3, outcome_of(outcome, e->signal), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, detail ? detail : "", -1, SQLITE_STATIC);
		if (res->exposure_ms >= 0)
			sqlite3_bind_double(s, 5, res->exposure_ms);
		if (res->link_ms >= 0)
			sqlite3_bind_double(s, 6, res->link_ms);
		if (res->ssh_ms >= 0)
			sqlite3_bind_double(s, 7, res->ssh_ms);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("close the window in the journal"));
		store_rollback(st);
		return ret;
	}
	if (outcome == PT_OK && res->pinned_now)
		ret = settings_pin_set(st, e->req->host, res->hostkey_fp, res->hostkey_type, err);
	if (ret == PT_OK && outcome == PT_HOSTKEY)
		ret = audit_appendf(st, "hostkey.mismatch", e->req->host, err, "%s",
		                    detail ? detail : "");
	if (ret == PT_OK)
		ret = audit_appendf(
			st, "window.close", e->req->host, err,
			"window=%lld outcome=%s exposure_ms=%.3f link_ms=%.3f ssh_ms=%.3f"
			" goodbye_ms=%.3f peer_closed=%s",
			(long long)e->window_id, outcome_of(outcome, e->signal), res->exposure_ms,
			res->link_ms, res->ssh_ms, res->goodbye_ms,
			res->peer_closed ? "yes" : "no");
	if (ret == PT_OK)
		return store_commit(st, err);
	store_rollback(st);
	return ret;
}

/* ---------------------------------------------------------------------
 * Preparation: the plan's peer part (plan.c), refused before the network moves
 * ------------------------------------------------------------------- */

struct peer_cfg {
	struct transfer_plan plan;
	char *password; /* secure memory; an OpenSSH private key with plan.key_auth */
};

static void
peer_cfg_free(struct peer_cfg *p)
{
	secmem_free(p->password);
	memset(p, 0, sizeof(*p));
}

static enum pt_status
prepare(struct engine *e, struct peer_cfg *pc, struct pt_err *err)
{
	struct store *st = e->st;
	struct transfer_plan *p = &pc->plan;
	enum pt_status ret;
	size_t len;

	if ((ret = plan_peer(st, e->req->host, p, err)) != PT_OK)
		return ret;
	if (!p->pin[0] && !e->req->accept_hostkey)
		plan_nopin(p);
	if ((ret = plan_verdict(p, err)) != PT_OK)
		return ret;
	snprintf(e->ifname, sizeof(e->ifname), "%s", p->ifname);
	snprintf(e->gw_text, sizeof(e->gw_text), "%s", p->gateway);
	inet_pton(AF_INET, p->gateway, &e->gw);
	snprintf(e->peer_text, sizeof(e->peer_text), "%s", p->peer);
	inet_pton(AF_INET, p->peer, &e->peer);
	e->port = p->port;
	return model_pw_secret(st, p->cred_id, 0, &pc->password, &len, err);
}

static enum pt_status
check_posture(struct engine *e, struct pt_err *err)
{
	struct guard_posture *p = calloc(1, sizeof(*p));
	char reason[512];
	enum pt_status ret;

	if (!p)
		return pt_fail(err, PT_NOMEM, NULL);
	ret = guard_posture_fw(e->ifname, e->fw, p, err);
	e->nft_table = p->nft_table;
	if (ret == PT_OK && !guard_posture_ok(p, reason, sizeof(reason)))
		ret = pt_fail(err, PT_REFUSED,
		              _("no window opens while the station's posture is broken: %s"),
		              reason);
	free(p);
	return ret;
}

/* ---------------------------------------------------------------------
 * The window
 * ------------------------------------------------------------------- */

static bool
engine_stop(void *ud)
{
	const struct engine *e = ud;

	return e->signal != 0;
}

/* One request: the closed table (nftables without a boot table), the
 * link up and running, the route, the neighbour, then the rules; a
 * failure in the middle closes what it opened before it returns. */
static enum pt_status
open_window(struct engine *e, struct pt_err *err)
{
	enum pt_status ret;

	if (e->signal)
		return PT_OK; /* nothing opened: the caller reports the signal */
	phase(e, TRANSFER_LINK_UP);
	e->g.gw = e->gw;
	e->g.wait_ms = LINK_WAIT_MS;
	ret = guard_window_open(&e->g, engine_stop, e, err);
	if (ret == PT_OK && e->g.rules_in) {
		phase(e, TRANSFER_ROUTE);
		phase(e, TRANSFER_RULES_IN);
	}
	return ret;
}

static bool
window_left(const struct engine *e)
{
	return e->g.rules_in || e->g.link_raised || e->g.route_added || e->g.nft_created;
}

/* One request: rules out, link down, route gone, the table a window
 * created dropped; *first keeps the first failure. */
static void
close_window(struct engine *e, struct pt_err *first)
{
	struct pt_err err2 = { 0 };

	if (!window_left(e))
		return;
	if (e->g.rules_in)
		phase(e, TRANSFER_RULES_OUT);
	if (e->g.link_raised)
		phase(e, TRANSFER_LINK_DOWN);
	if (guard_window_close(&e->g, &err2) != PT_OK && first->status == PT_OK)
		*first = err2;
}

/* ---------------------------------------------------------------------
 * Temporary files on the peer: named in the journal before they exist
 * ------------------------------------------------------------------- */

/* Is path one of the names journaled with the window's row? */
static bool
pre_named(const struct engine *e, const char *path)
{
	for (size_t i = 0; i < e->npre; i++)
		if (strcmp(e->pre[i], path) == 0)
			return true;
	return false;
}

static const char *
pre_namer(void *ud, const char *path)
{
	struct engine *e = ud;

	for (size_t i = 0; i < e->npre; i++)
		if (!e->pre_used[i] && strcmp(e->pre_path[i], path) == 0) {
			e->pre_used[i] = true;
			return e->pre[i];
		}
	return NULL;
}

static enum pt_status
temp_hook(void *ud, const char *const *paths, size_t n, enum sshx_temp_event ev, struct pt_err *err)
{
	struct engine *e = ud;
	struct store *st = e->st;
	const char *fresh[SSHX_PUT_MAX];
	size_t nfresh = 0;
	struct pt_err ignored = { 0 };
	enum pt_status ret;

	if (!err)
		err = &ignored;
	if (ev == SSHX_TEMP_GONE) {
		for (size_t i = 0; i < n; i++)
			gone_add(e, paths[i]);
		return PT_OK;
	}
	/* the names journaled with the window's row need no commit now */
	for (size_t i = 0; i < n && nfresh < SSHX_PUT_MAX; i++)
		if (!pre_named(e, paths[i]))
			fresh[nfresh++] = paths[i];
	if (nfresh == 0)
		return PT_OK;
	/* every other name of the put in one transaction: one commit (its
	 * syncs) while the window is open, not one per file */
	if ((ret = store_begin(st, err)) != PT_OK)
		return ret;
	if ((ret = journal_temps(e, fresh, nfresh, err)) != PT_OK) {
		store_rollback(st);
		return ret;
	}
	return store_commit(st, err);
}

/* After the window: the names that are gone from the peer. */
static void
temps_gone_flush(struct engine *e)
{
	struct store *st = e->st;
	sqlite3_stmt *s = NULL;
	bool began = e->ngone > 0 && store_begin(st, NULL) == PT_OK, ok = began;

	for (size_t i = 0; ok && i < e->ngone; i++) {
		ok = sqlite3_prepare_v2(store_db(st),
		                        "UPDATE window_temps SET state = 'gone' WHERE window_id = ?"
		                        " AND path = ? AND state = 'pending'",
		                        -1, &s, NULL) == SQLITE_OK;
		if (ok) {
			sqlite3_bind_int64(s, 1, e->window_id);
			sqlite3_bind_text(s, 2, e->gone[i], -1, SQLITE_STATIC);
			ok = sqlite3_step(s) == SQLITE_DONE;
		}
		sqlite3_finalize(s);
		s = NULL;
	}
	if (ok)
		(void)store_commit(st, NULL);
	else if (began)
		store_rollback(st);
	for (size_t i = 0; i < e->ngone; i++)
		free(e->gone[i]);
	free(e->gone);
	e->gone = NULL;
	e->ngone = 0;
}

/* Only a name of ours: ".NAME.passtore-HEX" in some directory. */
static bool
temp_name_ours(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;

	return path[0] == '/' && base[0] == '.' && strstr(base, ".passtore-") != NULL &&
	       !strstr(path, "/../");
}

#define TEMPS_MAX 256

/* What earlier windows to this host may have left: removed now, in this
 * session, before anything else moves; each row says what became of it. */
static void
sweep_temps(struct engine *e, struct sshx *s, struct transfer_result *res)
{
	struct store *st = e->st;
	sqlite3_stmt *q = NULL;
	int64_t ids[TEMPS_MAX];
	char *paths[TEMPS_MAX];
	size_t n = 0;
	struct pt_err err = { 0 };
	int rc, removed = 0;

	rc = sqlite3_prepare_v2(store_db(st),
	                        "SELECT id, path FROM window_temps WHERE host = ?1 AND"
	                        " state = 'pending' AND window_id <> ?2 ORDER BY id LIMIT ?3",
	                        -1, &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(q, 1, e->req->host, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, e->window_id);
		sqlite3_bind_int(q, 3, TEMPS_MAX);
		while (n < TEMPS_MAX && sqlite3_step(q) == SQLITE_ROW) {
			ids[n] = sqlite3_column_int64(q, 0);
			if (!(paths[n] = strdup((const char *)sqlite3_column_text(q, 1))))
				break;
			n++;
		}
	}
	sqlite3_finalize(q);
	if (n == 0 || store_begin(st, &err) != PT_OK)
		goto out;
	for (size_t i = 0; i < n && !sshx_expired(s); i++) {
		enum pt_status r =
			temp_name_ours(paths[i]) ? sshx_remove(s, paths[i], &err) : PT_INVALID;
		if (r != PT_OK && r != PT_NOTFOUND)
			continue; /* stays pending: the next window tries again */
		removed += r == PT_OK;
		if (sqlite3_prepare_v2(
			    store_db(st),
			    "UPDATE window_temps SET state = 'removed', cleared_window = ?"
			    " WHERE id = ?",
			    -1, &q, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(q, 1, e->window_id);
			sqlite3_bind_int64(q, 2, ids[i]);
			(void)sqlite3_step(q);
		}
		sqlite3_finalize(q);
		q = NULL;
		res->temps_cleared++;
	}
	res->temps_removed = removed;
	if (res->temps_cleared &&
	    audit_appendf(st, "window.temps", e->req->host, &err,
	                  "window=%lld removed=%d cleared=%d", (long long)e->window_id, removed,
	                  res->temps_cleared) != PT_OK) {
		store_rollback(st);
		res->temps_removed = res->temps_cleared = 0;
		goto out;
	}
	if (store_commit(st, &err) != PT_OK)
		res->temps_removed = res->temps_cleared = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
}

/* The session's options and its libssh session, before the window: none
 * of this needs the peer, so none of it belongs in the exposure. */
static enum pt_status
session_prepare(struct engine *e, struct peer_cfg *pc, struct sshx_opts *o, struct sshx **sp,
                struct pt_err *err)
{
	long timeout_s = pc->plan.timeout_s;

	memset(o, 0, sizeof(*o));
	o->host = e->peer_text;
	o->port = (unsigned)e->port;
	o->user = pc->plan.user;
	o->pin = pc->plan.pin[0] ? pc->plan.pin : NULL;
	o->pin_type = pc->plan.pin[0] ? pc->plan.pin_type : NULL;
	o->accept = o->pin ? NULL : e->req->accept_hostkey;
	if (pc->plan.key_auth)
		o->privkey = pc->password;
	else
		o->password = pc->password;
	o->puts = e->req->nput > 0;
	o->connect_timeout_ms = timeout_s * 1000 < CONNECT_TIMEOUT_MS ? (unsigned)(timeout_s * 1000)
	                                                              : CONNECT_TIMEOUT_MS;
	return sshx_prepare(o, sp, err);
}

static enum pt_status
session(struct engine *e, struct peer_cfg *pc, struct sshx_opts *op, struct sshx **sp,
        struct transfer_result *res, struct pt_err *err)
{
	struct sshx_opts o = *op;
	struct sshx *s = *sp;
	enum pt_status ret;

	*sp = NULL; /* sshx_open frees it on failure, and session() after */
	o.deadline_ms = sshx_now_ms() + pc->plan.timeout_s * 1000;
	phase(e, TRANSFER_SSH);
	e->ssh_start_us = guard_now_us();
	ret = sshx_open(&s, &o, err);
	if (ret == PT_OK) {
		snprintf(res->hostkey_fp, sizeof(res->hostkey_fp), "%s", sshx_hostkey_fp(s));
		snprintf(res->hostkey_type, sizeof(res->hostkey_type), "%s", sshx_hostkey_type(s));
		res->pinned_now = o.pin == NULL;
		pthread_mutex_lock(&e->mu);
		e->ssh = s;
		if (e->signal)
			sshx_set_deadline(s, 1);
		pthread_mutex_unlock(&e->mu);
		if (!e->signal) {
			phase(e, TRANSFER_MOVE);
			sweep_temps(e, s, res);
			sshx_set_temp_hook(s, temp_hook, e);
			sshx_set_temp_namer(s, pre_namer, e);
			ret = e->req->fn(s, e->req->ud, err);
		}
		pthread_mutex_lock(&e->mu);
		e->ssh = NULL;
		pthread_mutex_unlock(&e->mu);
	}
	e->ssh_end_us = guard_now_us();
	/* the goodbye while the rules are in, so that it reaches the peer:
	 * after it the peer keeps no session of ours */
	if (s) {
		phase(e, TRANSFER_GOODBYE);
		e->bye_start_us = guard_now_us();
		res->peer_closed = sshx_goodbye(s, GOODBYE_WAIT_MS);
		e->bye_end_us = guard_now_us();
	}
	/* and the window closes right after it */
	if (window_left(e)) {
		struct pt_err rerr = { 0 };
		close_window(e, &rerr);
		if (rerr.status != PT_OK && ret == PT_OK)
			ret = pt_fail(err, rerr.status, "%s", rerr.detail);
	}
	sshx_free(&s);
	if (e->signal)
		ret = pt_fail(err, PT_ERR, _("interrupted by signal %d: the window is closed"),
		              e->signal);
	return ret;
}

enum pt_status
transfer_run(struct store *st, const struct transfer_req *req, struct transfer_result *res,
             struct pt_err *err)
{
	struct engine e = { .st = st, .req = req, .lockfd = -1 };
	struct peer_cfg pc = { 0 };
	struct sshx_opts so;
	struct sshx *ssh = NULL;
	struct pt_err cerr = { 0 };
	unsigned char rnd[5];
	char tag[32];
	enum pt_status ret, jret;

	memset(res, 0, sizeof(*res));
	res->exposure_ms = res->link_ms = res->ssh_ms = res->goodbye_ms = -1;
	pthread_mutex_init(&e.mu, NULL);
	ret = prepare(&e, &pc, err);
	if (ret == PT_OK)
		ret = transfer_firewall(st, &e.fw, err);
	if (ret == PT_OK)
		ret = check_posture(&e, err);
	if (ret != PT_OK)
		goto out;
	e.lockfd = take_lock(st, true);
	if (e.lockfd < 0) {
		ret = errno == EWOULDBLOCK
		              ? pt_fail(err, PT_REFUSED,
		                        _("another passtore holds a window on this station"))
		              : lock_fail(st, err);
		goto out;
	}
	if (gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof(rnd)) != 0) {
		ret = pt_fail(err, PT_CRYPTO, _("the random generator failed"));
		goto out;
	}
	snprintf(tag, sizeof(tag), "w%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4]);
	if ((ret = guard_window_init(&e.g.w, tag, e.ifname, e.peer, (uint16_t)e.port, err)) !=
	    PT_OK)
		goto out;
	e.g.w.fw = e.fw;
	e.g.w.timeout_s = (unsigned)pc.plan.timeout_s + GUARD_NFT_GRACE_S;
	if ((ret = session_prepare(&e, &pc, &so, &ssh, err)) != PT_OK)
		goto out;
	if ((ret = pre_name(&e, err)) != PT_OK)
		goto out;
	/* journal first: from here on, a crash is answered at the next start */
	phase(&e, TRANSFER_JOURNAL);
	if ((ret = journal_open(&e, err)) != PT_OK)
		goto out;
	res->window_id = e.window_id;
	signals_catch(&e);
	ret = open_window(&e, err);
	/* a signal during the open: no session, the window closes */
	if (ret == PT_OK && !e.signal)
		ret = session(&e, &pc, &so, &ssh, res, err);
	close_window(&e, &cerr);
	if (ret == PT_OK && cerr.status != PT_OK)
		ret = pt_fail(err, cerr.status, "%s", cerr.detail);
	signals_release(&e);
	/* a signal before the open began: nothing went up, nothing to close */
	if (e.signal && ret == PT_OK && !e.g.link_up_us && !e.g.x.opened_us)
		ret = pt_fail(err, PT_ERR,
		              _("interrupted by signal %d before the window opened: nothing was "
		                "opened"),
		              e.signal);
	else if (e.signal && ret == PT_OK)
		ret = pt_fail(err, PT_ERR, _("interrupted by signal %d: the window is closed"),
		              e.signal);
	res->signal = e.signal;
	if (e.g.x.opened_us && e.g.x.closed_us)
		res->exposure_ms = guard_exposure_ms(&e.g.x);
	if (e.g.link_up_us && e.g.link_down_us)
		res->link_ms = guard_ms_between(e.g.link_up_us, e.g.link_down_us);
	if (e.ssh_start_us && e.ssh_end_us)
		res->ssh_ms = guard_ms_between(e.ssh_start_us, e.ssh_end_us);
	pre_release(&e);
	temps_gone_flush(&e);
	if (e.bye_start_us && e.bye_end_us)
		res->goodbye_ms = guard_ms_between(e.bye_start_us, e.bye_end_us);
	jret = journal_close(&e, ret, ret == PT_OK ? "" : (err ? err->detail : ""), res, &cerr);
	if (ret == PT_OK && jret != PT_OK)
		ret = pt_fail(err, cerr.status, "%s", cerr.detail);
	if (ret != PT_OK)
		res->pinned_now = false; /* journal_close pins only after success */
out:
	pre_release(&e); /* nothing journaled: only freed */
	sshx_free(&ssh); /* prepared, never opened */
	if (e.lockfd >= 0)
		close(e.lockfd);
	peer_cfg_free(&pc);
	pthread_mutex_destroy(&e.mu);
	return ret;
}

/* ---------------------------------------------------------------------
 * Recovery and the log
 * ------------------------------------------------------------------- */

enum pt_status
transfer_firewall(struct store *st, enum guard_backend *fw, struct pt_err *err)
{
	char *v = NULL;
	enum pt_status ret = settings_get(st, "net.firewall", &v, err);

	*fw = GUARD_FW_AUTO;
	if (ret == PT_OK && v && !guard_backend_parse(v, fw))
		ret = pt_fail(err, PT_INVALID, _("net.firewall: \"%s\" is not a firewall backend"),
		              v);
	free(v);
	if (ret == PT_OK)
		*fw = guard_backend_resolve(*fw);
	return ret;
}

/* What the journal's open rows say a dead process left: how many, and
 * in which firewall (the rules text of each row names it). */
struct open_rows {
	int n;
	bool ipt, nft, nft_table;
};

static enum pt_status
count_open(struct store *st, struct open_rows *o, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st),
	                            "SELECT coalesce(rules, '') FROM windows WHERE outcome IS NULL",
	                            -1, &s, NULL);

	memset(o, 0, sizeof(*o));
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 0);

		o->n++;
		if (r && strstr(r, "add element inet " GUARD_NFT_TABLE)) {
			o->nft = true;
			o->nft_table |= strstr(r, RULES_NFT_CREATED) != NULL;
		} else {
			o->ipt = true;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the window journal"));
}

enum pt_status
transfer_recover(struct store *st, int *windows, int *rules, struct pt_err *err)
{
	struct pt_err serr = { 0 };
	char *ifname = NULL, detail[256];
	enum pt_status ret;
	struct open_rows o;
	struct guard_recover r = { 0 };
	int fd;

	*windows = *rules = 0;
	if ((ret = count_open(st, &o, err)) != PT_OK)
		return ret;
	fd = take_lock(st, o.n > 0);
	if (fd < 0 && errno == EWOULDBLOCK)
		return PT_OK; /* a live passtore holds its window: not ours to close */
	/* without the lock a live window cannot be told from a dead one */
	if (fd < 0 && o.n > 0)
		return lock_fail(st, err);
	/* rules without an open journal row cannot exist (the row is written
	 * first), so an ordinary start with no open row touches nothing */
	if (o.n == 0) {
		if (fd >= 0)
			close(fd);
		return PT_OK;
	}
	r.ipt = o.ipt;
	r.nft = o.nft;
	r.nft_table = o.nft_table;
	if (settings_get(st, "net.interface", &ifname, NULL) == PT_OK && ifname)
		snprintf(r.ifname, sizeof(r.ifname), "%s", ifname);
	free(ifname);
	/* one request: the sweep, then the link down */
	ret = guard_window_recover(&r, rules, &serr);
	if (ret != PT_OK) {
		/* the rules may still be in: the rows stay open, and say so */
		if (fd >= 0)
			close(fd);
		return pt_fail(err, ret,
		               _("the rules of a dead process's window could not be removed: %s"),
		               serr.detail);
	}
	snprintf(detail, sizeof(detail), _("closed at a later start; firewall rules removed: %d"),
	         *rules);
	ret = store_begin(st, err);
	if (ret == PT_OK) {
		sqlite3_stmt *s = NULL;
		int rc = sqlite3_prepare_v2(
			store_db(st),
			"UPDATE windows SET outcome = 'recovered', closed_at = ?, detail = ?"
			" WHERE outcome IS NULL",
			-1, &s, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(s, 1, wall_ms());
			sqlite3_bind_text(s, 2, detail, -1, SQLITE_STATIC);
			rc = sqlite3_step(s);
		}
		sqlite3_finalize(s);
		*windows = sqlite3_changes(store_db(st));
		ret = rc == SQLITE_DONE ? audit_appendf(st, "window.recover", "", err,
		                                        "windows=%d rules=%d", *windows, *rules)
		                        : store_fail(st, rc, err, _("mark recovered windows"));
		if (ret == PT_OK)
			ret = store_commit(st, err);
		else
			store_rollback(st);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

enum pt_status
transfer_sweep_now(struct store *st, int *windows, int *rules, struct pt_err *err)
{
	enum pt_status ret = transfer_recover(st, windows, rules, err);
	enum guard_backend fw;
	struct guard_recover r = { 0 };
	int fd, more = 0;

	if (ret != PT_OK || *windows > 0)
		return ret;
	if ((ret = transfer_firewall(st, &fw, err)) != PT_OK)
		return ret;
	fd = take_lock(st, true);
	if (fd < 0)
		return pt_fail(err, PT_REFUSED,
		               _("another passtore holds a window on this station"));
	r.ipt = fw == GUARD_FW_IPTABLES;
	r.nft = fw == GUARD_FW_NFTABLES;
	ret = guard_window_recover(&r, &more, err);
	close(fd);
	*rules += more;
	return ret;
}

enum pt_status
transfer_log_foreach(struct store *st, int (*cb)(const struct window_info *w, void *ud), void *ud,
                     struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(
		store_db(st),
		"SELECT id, tag, purpose, host, peer, ifname, coalesce(outcome, 'open'), detail, port,"
		" opened_at, coalesce(closed_at, 0), coalesce(exposure_ms, -1),"
		" coalesce(link_ms, -1), coalesce(ssh_ms, -1) FROM windows ORDER BY id",
		-1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct window_info w = {
			.id = sqlite3_column_int64(s, 0),
			.tag = (const char *)sqlite3_column_text(s, 1),
			.purpose = (const char *)sqlite3_column_text(s, 2),
			.host = (const char *)sqlite3_column_text(s, 3),
			.peer = (const char *)sqlite3_column_text(s, 4),
			.ifname = (const char *)sqlite3_column_text(s, 5),
			.outcome = (const char *)sqlite3_column_text(s, 6),
			.detail = (const char *)sqlite3_column_text(s, 7),
			.port = sqlite3_column_int(s, 8),
			.opened_ms = sqlite3_column_int64(s, 9),
			.closed_ms = sqlite3_column_int64(s, 10),
			.exposure_ms = sqlite3_column_double(s, 11),
			.link_ms = sqlite3_column_double(s, 12),
			.ssh_ms = sqlite3_column_double(s, 13),
		};
		if (cb(&w, ud)) {
			rc = SQLITE_DONE;
			break;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the window journal"));
}

/* The journal's rows of one host (the console's host page). */
struct host_windows {
	const char *fqdn;
	int (*cb)(const struct window_info *w, void *ud);
	void *ud;
};

static int
window_of_host(const struct window_info *w, void *ud)
{
	struct host_windows *h = ud;

	return strcmp(w->host, h->fqdn) == 0 ? h->cb(w, h->ud) : 0;
}

enum pt_status
transfer_host_windows(struct store *st, const char *fqdn,
                      int (*cb)(const struct window_info *w, void *ud), void *ud,
                      struct pt_err *err)
{
	struct host_windows h = { fqdn, cb, ud };

	return transfer_log_foreach(st, window_of_host, &h, err);
}

/* ---------------------------------------------------------------------
 * Steps run on the peer, and temporary files still named
 * ------------------------------------------------------------------- */

enum pt_status
transfer_journal_step(struct store *st, int64_t window_id, const char *step, int status,
                      const char *output, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	enum pt_status ret;
	int rc;

	if ((ret = store_begin(st, err)) != PT_OK)
		return ret;
	rc = sqlite3_prepare_v2(store_db(st),
	                        "INSERT INTO window_steps (window_id, step, status, output)"
	                        " VALUES (?, ?, ?, ?)",
	                        -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, window_id);
		sqlite3_bind_text(s, 2, step, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, status);
		sqlite3_bind_text(s, 4, output ? output : "", -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, err, _("journal a step of the window"));
		store_rollback(st);
		return ret;
	}
	return store_commit(st, err);
}

enum pt_status
transfer_window_steps(struct store *st, int64_t window_id,
                      int (*cb)(const char *step, int status, const char *output, void *ud),
                      void *ud, struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st),
	                            "SELECT step, status, output FROM window_steps"
	                            " WHERE window_id = ? ORDER BY id",
	                            -1, &s, NULL);

	if (rc == SQLITE_OK)
		sqlite3_bind_int64(s, 1, window_id);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cb((const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 1),
		       (const char *)sqlite3_column_text(s, 2), ud)) {
			rc = SQLITE_DONE;
			break;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK : store_fail(st, rc, err, _("read the window journal"));
}

enum pt_status
transfer_temps_pending(struct store *st, int (*cb)(const char *host, int files, void *ud), void *ud,
                       struct pt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st),
	                            "SELECT host, count(*) FROM window_temps"
	                            " WHERE state = 'pending' GROUP BY host ORDER BY host",
	                            -1, &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cb((const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 1), ud)) {
			rc = SQLITE_DONE;
			break;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? PT_OK
	                         : store_fail(st, rc, err, _("read the temporary files' journal"));
}

static enum pt_status
nothing_to_move(struct sshx *s, void *ud, struct pt_err *err)
{
	(void)s;
	(void)ud;
	(void)err;
	return PT_OK; /* the sweep of the window's start did the work */
}

enum pt_status
transfer_clean_temps(struct store *st, const char *host, struct transfer_result *res,
                     struct pt_err *err)
{
	struct transfer_req req = { .purpose = "cleanup", .host = host, .fn = nothing_to_move };

	return transfer_run(st, &req, res, err);
}

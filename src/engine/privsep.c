/* privsep.c - the privileged helper and its client: the protocol (fixed-size
 * binary messages over a SOCK_SEQPACKET socketpair, privsep-proto.h), the
 * helper's loop and validation, the client calls the guard forwards to,
 * the capability drops.
 *
 * The request set is a window's life, nothing more: OPEN one window (the
 * closed nftables table if none is loaded, link up, route, neighbour,
 * rules), CLOSE that window, RECOVER what a dead process left (the sweep
 * the journal's open rows ask for), read the POSTURE (and resolve the
 * backend); CANCEL, with no answer, stops the OPEN of its number before
 * its rules, or refuses it if it has not begun (a CANCEL may overtake
 * its OPEN: the signal came between the number and the send).  The
 * helper runs the guard's compound operations (guard-window.c), the same
 * code the main process runs when there is no helper.  Every field is
 * checked by the helper as guard_window_init checks it; it keeps the
 * table of the windows it opened, closes only one of them (same id,
 * interface, peer, port and backend), refuses a second OPEN while one is
 * open, and a RECOVER then.  A window whose CLOSE failed half-way stays
 * in the table until a CLOSE of it again or a RECOVER takes what is left
 * (it is no longer live: the sweep may take it); until then a new OPEN
 * is refused and says so.  When the main process goes away (the end of
 * the socket) the helper closes what its table holds, then ends.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cap-ng.h>

#include "base/i18n.h"
#include "engine/private.h"
#include "engine/privsep.h"
#include "engine/privsep-proto.h"

#define PS_ACCOUNT "passtore"

static int ps_fd = -1;
static pid_t ps_pid;
static pthread_mutex_t ps_mu = PTHREAD_MUTEX_INITIALIZER;
/* The number of the last OPEN numbered: a signal's CANCEL names it. */
static _Atomic uint32_t ps_seq;

bool
privsep_active(void)
{
	return ps_fd >= 0;
}

/* ---------------------------------------------------------------------
 * Capabilities
 * ------------------------------------------------------------------- */

static bool
have_net_admin(void)
{
	capng_get_caps_process();
	return capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN);
}

/* The helper: CAP_NET_ADMIN (rules, links, routes, nf_tables) and
 * CAP_NET_RAW (libiptc's raw socket), nothing else, in no set. */
static int
drop_to_net(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN, CAP_NET_RAW,
	                  -1) != 0)
		return -1;
	return capng_apply(CAPNG_SELECT_BOTH);
}

const char *
privsep_account(void)
{
	/* PASSTORE_TEST_ACCOUNT: the tests' stand-in for the account (any
	 * account is only less than root) */
	const char *test = getenv("PASSTORE_TEST_ACCOUNT");

	return test && *test ? test : PS_ACCOUNT;
}

enum pt_status
privsep_drop_main(struct pt_err *err)
{
	struct passwd *pw = getuid() == 0 ? getpwnam(privsep_account()) : NULL;

	/* the account created at install: files it owns stay reachable, root's
	 * others do not */
	if (pw && pw->pw_uid != 0) {
		/* the audit names the person who ran the command, not the account */
		(void)audit_actor();
		if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
			return pt_fail(err, PT_REFUSED, _("cannot become the account %s: %s"),
			               privsep_account(), strerror(errno));
		pt_file_set_account(privsep_account());
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) != 0)
		return pt_fail(err, PT_REFUSED,
		               _("cannot drop the capabilities of the main process"));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return pt_fail(err, PT_REFUSED, _("cannot set no_new_privs: %s"), strerror(errno));
	return PT_OK;
}

/* ---------------------------------------------------------------------
 * Start
 * ------------------------------------------------------------------- */

#define PS_READY_MS 10000 /* the helper's first word, at most */

/* The helper's first message: ready, or why not (its capability drop or
 * its filter failed); a helper that dies or stays silent instead is
 * reaped and said so.  Nothing started on failure. */
static enum pt_status
helper_ready(int fd, pid_t pid, struct pt_err *err)
{
	struct ps_rep *rp = calloc(1, sizeof(*rp));
	struct timeval tv = { PS_READY_MS / 1000, 0 }, none = { 0, 0 };
	ssize_t n = -1;
	int status = 0, e = 0;

	if (!rp) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0) {
		do
			n = recv(fd, rp, sizeof(*rp), MSG_TRUNC);
		while (n < 0 && errno == EINTR);
		e = errno;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	}
	if (n == (ssize_t)sizeof(*rp) && rp->magic == PS_MAGIC && rp->op == 0 &&
	    rp->status == PT_OK) {
		free(rp);
		return PT_OK;
	}
	if (n != (ssize_t)sizeof(*rp) || rp->magic != PS_MAGIC || rp->op != 0)
		kill(pid, SIGKILL); /* silent or out of protocol: not ours to wait for */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rp->detail[sizeof(rp->detail) - 1] = '\0';
	if (n == (ssize_t)sizeof(*rp) && rp->magic == PS_MAGIC && rp->op == 0 && rp->detail[0])
		pt_fail(err, PT_ERR, _("the privileged helper cannot start: %s"), rp->detail);
	else if (n < 0 && (e == EAGAIN || e == EWOULDBLOCK))
		pt_fail(err, PT_ERR,
		        _("the privileged helper cannot start: it did not answer within %d s"),
		        PS_READY_MS / 1000);
	else if (WIFSIGNALED(status))
		pt_fail(err, PT_ERR,
		        _("the privileged helper cannot start: it was ended by signal %d"),
		        WTERMSIG(status));
	else
		pt_fail(err, PT_ERR,
		        _("the privileged helper cannot start: it ended before it was ready"));
	free(rp);
	return PT_ERR;
}

enum pt_status
privsep_start(bool *child, int *fd, struct pt_err *err)
{
	int sv[2];
	pid_t pid;

	*child = false;
	*fd = -1;
	if (ps_fd >= 0)
		return PT_OK;
	if (!have_net_admin())
		return pt_fail(err, PT_REFUSED,
		               _("the privileged helper cannot start: this process has no "
		                 "CAP_NET_ADMIN (run passtore as root)"));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return pt_fail(err, PT_ERR, _("the privileged helper cannot start: socketpair: %s"),
		               strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return pt_fail(err, PT_ERR, _("the privileged helper cannot start: fork: %s"),
		               strerror(errno));
	}
	if (pid == 0) {
		close(sv[0]);
		*child = true;
		*fd = sv[1];
		return PT_OK;
	}
	close(sv[1]);
	if (helper_ready(sv[0], pid, err) != PT_OK) {
		close(sv[0]);
		return err ? err->status : PT_ERR;
	}
	ps_fd = sv[0];
	ps_pid = pid;
	return PT_OK;
}

/* ---------------------------------------------------------------------
 * The helper
 * ------------------------------------------------------------------- */

/* The windows this helper opened and has not closed; failed: its CLOSE
 * failed half-way, what is left is no longer a live window's. */
static struct guard_open ps_open[PS_WINDOWS];
static bool ps_used[PS_WINDOWS], ps_failed[PS_WINDOWS];
/* The number of the last OPEN taken, and the highest number a CANCEL
 * named for an OPEN not taken yet (0: none). */
static uint32_t ps_served, ps_cancel;

#ifdef PRIVSEP_TEST
static int ps_test_close_fails;

void
privsep_test_fail_close(int n)
{
	ps_test_close_fails = n;
}
#endif

/* guard_window_close_here; in the tests' copy, the next n closes fail
 * as a lost netlink answer makes them: the rules stay in, the rest
 * closes. */
static enum pt_status
close_window(struct guard_open *o, struct pt_err *err)
{
#ifdef PRIVSEP_TEST
	if (ps_test_close_fails > 0 && o->rules_in) {
		ps_test_close_fails--;
		o->rules_in = false;
		(void)guard_window_close_here(o, err);
		o->rules_in = true;
		return pt_fail(err, PT_NET, "test: the rules' removal failed");
	}
#endif
	return guard_window_close_here(o, err);
}

static bool
ifname_ok(const char *s)
{
	size_t n = strnlen(s, IFNAMSIZ);

	if (n == 0 || n >= IFNAMSIZ)
		return false;
	/* as the kernel's dev_valid_name: no '/', no blank, printable */
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

/* An interface name that is terminated and valid, or "" where empty says
 * "none". */
static bool
ifname_field_ok(const char *s, bool empty_ok)
{
	if (!memchr(s, '\0', IFNAMSIZ))
		return false;
	return (empty_ok && !*s) || ifname_ok(s);
}

static bool
fw_ok(uint32_t fw, bool allow_auto)
{
	return fw == GUARD_FW_IPTABLES || fw == GUARD_FW_NFTABLES ||
	       (allow_auto && fw == GUARD_FW_AUTO);
}

/* The window as guard_window_init would have made it, or false. */
static bool
window_ok(const struct guard_window *w, struct pt_err *err)
{
	struct guard_window v;

	if (!memchr(w->id, '\0', sizeof(w->id)))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed window id")), false;
	if (!ifname_field_ok(w->ifname, false))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed interface name")),
		       false;
	if (guard_window_init(&v, w->id, w->ifname, w->peer, w->port, err) != PT_OK)
		return false;
	if (!fw_ok(w->fw, false))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed backend")), false;
	if (w->timeout_s > PS_NFT_TIMEOUT_MAX)
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed timeout")), false;
	return true;
}

static int
slot_of(const struct guard_window *w)
{
	for (int i = 0; i < PS_WINDOWS; i++)
		if (ps_used[i] && strcmp(ps_open[i].w.id, w->id) == 0 &&
		    strcmp(ps_open[i].w.ifname, w->ifname) == 0 &&
		    ps_open[i].w.peer.s_addr == w->peer.s_addr && ps_open[i].w.port == w->port &&
		    ps_open[i].w.fw == w->fw)
			return i;
	return -1;
}

/* A window open and live: not one whose CLOSE failed. */
static bool
any_live(void)
{
	for (int i = 0; i < PS_WINDOWS; i++)
		if (ps_used[i] && !ps_failed[i])
			return true;
	return false;
}

/* Something of o is still open (a close that failed half-way). */
static bool
open_left(const struct guard_open *o)
{
	return o->rules_in || o->link_raised || o->route_added || o->nft_created;
}

/* A CANCEL carries its number and nothing else: every byte after it 0. */
static bool
cancel_ok(const struct ps_req *rq)
{
	const unsigned char *p = (const unsigned char *)rq;

	if (rq->seq == 0)
		return false;
	for (size_t k = offsetof(struct ps_req, seq) + sizeof(rq->seq); k < sizeof(*rq); k++)
		if (p[k])
			return false;
	return true;
}

/* A CANCEL taken outside its OPEN: one for an OPEN not taken yet waits
 * for it; one for an OPEN taken (late) or older (stale) goes. */
static void
cancel_take(uint32_t seq)
{
	if (seq > ps_served && seq > ps_cancel)
		ps_cancel = seq;
}

/* Whether the OPEN in progress (number ps_served) stops: a CANCEL of it
 * waits on the socket (taken, with the CANCELs before it), or the main
 * process is gone.  Anything else stays for the loop. */
static bool
cancel_waiting(void *ud)
{
	int fd = *(int *)ud;
	struct ps_req rq;

	for (;;) {
		ssize_t n = recv(fd, &rq, sizeof(rq), MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);

		if (n == 0)
			return true; /* nobody is left to use the window */
		if (n != (ssize_t)sizeof(rq) || rq.magic != PS_MAGIC || rq.op != PS_CANCEL ||
		    !cancel_ok(&rq))
			return false;
		(void)!recv(fd, &rq, sizeof(rq), MSG_DONTWAIT);
		if (rq.seq == ps_served)
			return true;
		cancel_take(rq.seq);
	}
}

static enum pt_status
serve_open(int fd, const struct ps_req *rq, struct ps_rep *rp, struct pt_err *err)
{
	struct guard_open o = { 0 };
	enum pt_status ret;
	int i;

	if (!window_ok(&rq->w, err))
		return err->status;
	if (rq->gw.s_addr == htonl(INADDR_BROADCAST))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed gateway"));
	if (rq->wait_ms < 0 || rq->wait_ms > PS_TIMEOUT_MS_MAX)
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed timeout"));
	/* each OPEN a number of its own, increasing: a CANCEL names one */
	if (rq->seq <= ps_served)
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed sequence number"));
	ps_served = rq->seq;
	if (ps_cancel == rq->seq) {
		/* the signal came before the OPEN: nothing is touched */
		rp->cancelled = 1;
		return pt_fail(err, PT_REFUSED,
		               _("privileged helper: the open was cancelled before it began; "
		                 "nothing was opened"));
	}
	for (i = 0; i < PS_WINDOWS && ps_used[i]; i++)
		;
	if (i == PS_WINDOWS) {
		for (i = 0; i < PS_WINDOWS && !ps_failed[i]; i++)
			;
		if (i < PS_WINDOWS)
			return pt_fail(err, PT_REFUSED,
			               _("privileged helper: window %s could not be closed and is "
			                 "still partly open; recover it first (# in the console's "
			                 "transfer window log, or passtore transfer recover)"),
			               ps_open[i].w.id);
		return pt_fail(err, PT_REFUSED,
		               _("privileged helper: a window is already open; one at a time"));
	}
	o.w = rq->w;
	o.gw = rq->gw;
	o.wait_ms = rq->wait_ms;
	ret = guard_window_open_here(&o, cancel_waiting, &fd, err);
	/* open, or a failure whose close left something: CLOSE may finish it */
	if (ret == PT_OK || open_left(&o)) {
		ps_open[i] = o;
		ps_used[i] = true;
		ps_failed[i] = false;
	}
	rp->o = o;
	return ret;
}

static enum pt_status
serve_close(const struct ps_req *rq, struct ps_rep *rp, struct pt_err *err)
{
	enum pt_status ret;
	int i;

	if (!window_ok(&rq->w, err))
		return err->status;
	if ((i = slot_of(&rq->w)) < 0)
		return pt_fail(err, PT_REFUSED,
		               _("privileged helper: window %s was not opened here"), rq->w.id);
	/* what this helper opened, not what the request says; after a
	 * failure the same CLOSE tries what is left again */
	ret = close_window(&ps_open[i], err);
	rp->o = ps_open[i];
	if (!open_left(&ps_open[i]))
		ps_used[i] = ps_failed[i] = false;
	else if (ret != PT_OK)
		ps_failed[i] = true;
	return ret;
}

/* After a sweep: what it took of the windows whose CLOSE failed, and
 * those of which nothing is left leave the table. */
static void
swept(const struct guard_recover *r)
{
	for (int i = 0; i < PS_WINDOWS; i++) {
		struct guard_open *o = &ps_open[i];
		bool up = true;

		if (!ps_used[i] || !ps_failed[i])
			continue;
		if ((o->w.fw == GUARD_FW_IPTABLES && r->ipt) ||
		    (o->w.fw == GUARD_FW_NFTABLES && r->nft))
			o->rules_in = false;
		if (r->nft_table)
			o->nft_created = false;
		/* the link down (the sweep's is best effort: asked again) took
		 * the route with it */
		if ((o->link_raised || o->route_added) && strcmp(r->ifname, o->w.ifname) == 0 &&
		    guard_link_get(o->w.ifname, &up, NULL, NULL) == PT_OK && !up)
			o->link_raised = o->route_added = false;
		if (!open_left(o))
			ps_used[i] = ps_failed[i] = false;
	}
}

static enum pt_status
serve_recover(const struct ps_req *rq, struct ps_rep *rp, struct pt_err *err)
{
	struct guard_recover r = { 0 };
	int n = 0;
	enum pt_status ret;

	if (rq->ipt > 1 || rq->nft > 1 || rq->nft_table > 1 || (rq->nft_table && !rq->nft))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed request"));
	if (!ifname_field_ok(rq->ifname, true))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed interface name"));
	/* a sweep would take a live window's rules: only dead ones', and
	 * what a failed CLOSE left */
	if (any_live())
		return pt_fail(err, PT_REFUSED,
		               _("privileged helper: no recovery while its window is open"));
	r.ipt = rq->ipt;
	r.nft = rq->nft;
	r.nft_table = rq->nft_table;
	memcpy(r.ifname, rq->ifname, sizeof(r.ifname));
	ret = guard_window_recover_here(&r, &n, err);
	if (ret == PT_OK)
		swept(&r);
	rp->n = n;
	return ret;
}

static enum pt_status
serve_posture(const struct ps_req *rq, struct ps_rep *rp, struct pt_err *err)
{
	enum guard_backend fw = rq->fw;
	enum pt_status ret;

	if (!fw_ok(rq->fw, true))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed backend"));
	if (!ifname_field_ok(rq->ifname, true))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed interface name"));
	ret = guard_posture_here(rq->ifname, &fw, &rp->posture, err);
	rp->fw = fw;
	return ret;
}

static enum pt_status
serve_one(int fd, const struct ps_req *rq, struct ps_rep *rp, struct pt_err *err)
{
	switch (rq->op) {
	case PS_OPEN: return serve_open(fd, rq, rp, err);
	case PS_CLOSE: return serve_close(rq, rp, err);
	case PS_RECOVER: return serve_recover(rq, rp, err);
	default: return serve_posture(rq, rp, err);
	}
}

/* Nothing the terminal sends to the process group may end the helper
 * while a window is open: the main process closes it and then its end
 * of the socket, and that ends the helper.  A main process that dies
 * closes its end too (nothing else holds it: close-on-exec, no other
 * fork): the helper then closes what its table holds before it ends,
 * so no signal at the parent's death may cut that short. */
static void
helper_signals(void)
{
	static const int ignored[] = { SIGINT,  SIGQUIT, SIGTERM, SIGHUP,
		                       SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU };
	sigset_t none;

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)prctl(PR_SET_NAME, "passtore-priv", 0, 0, 0);
}

/* Only the socket and stderr stay open: the helper never sees the store,
 * the terminal or anything the main process opened before the split. */
static int
helper_fds(int fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	/* the socket becomes fd 3, everything above it goes */
	if (fd != 3) {
		if (dup3(fd, 3, O_CLOEXEC) < 0)
			return fd;
		close(fd);
	}
	if (close_range(4, ~0U, 0) != 0)
		for (int i = 4; i < 4096; i++)
			close(i);
	return 3;
}

/* The main process is gone (or the socket failed): what the table
 * still holds is closed.  0, or 1 if something could not be (*why: the
 * last that could not, for the helper's caller to say: no one else
 * will). */
static int
close_all(struct pt_err *why)
{
	int ret = 0;

	for (int i = 0; i < PS_WINDOWS; i++) {
		struct pt_err err = { 0 };

		if (!ps_used[i])
			continue;
		if (close_window(&ps_open[i], &err) != PT_OK) {
			pt_fail(why, err.status,
			        _("privileged helper: window %s could not be closed: %s"),
			        ps_open[i].w.id, err.detail);
			ret = 1;
		}
		ps_used[i] = ps_failed[i] = false;
	}
	return ret;
}

static int
helper_loop(int fd, struct pt_err *why)
{
	struct ps_req rq;
	struct ps_rep *rp = malloc(sizeof(*rp));

	if (!rp)
		return 1;
	for (;;) {
		struct pt_err err = { 0 };
		/* MSG_TRUNC: the length sent, so that a longer message is refused */
		ssize_t n = recv(fd, &rq, sizeof(rq), MSG_TRUNC);

		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		memset(rp, 0, sizeof(*rp));
		rp->magic = PS_MAGIC;
		if (n != (ssize_t)sizeof(rq) || rq.magic != PS_MAGIC || rq.op < PS_OPEN ||
		    rq.op >= PS_OP_END) {
			rp->status = pt_fail(&err, PT_INVALID,
			                     _("privileged helper: malformed request"));
		} else if (rq.op == PS_CANCEL && !cancel_ok(&rq)) {
			rp->op = rq.op;
			rp->status =
				pt_fail(&err, PT_INVALID, _("privileged helper: malformed cancel"));
		} else if (rq.op == PS_CANCEL) {
			/* before its OPEN (kept for it), or late: no answer */
			cancel_take(rq.seq);
			continue;
		} else {
			rp->op = rq.op;
			rp->status = serve_one(fd, &rq, rp, &err);
		}
		memcpy(rp->detail, err.detail, sizeof(rp->detail));
		if (send(fd, rp, sizeof(*rp), MSG_NOSIGNAL) != (ssize_t)sizeof(*rp))
			break;
	}
	free(rp);
	return close_all(why);
}

/* The helper's first message, op 0: err's status (PT_OK: ready) and
 * detail.  0 once sent. */
static int
helper_hello(int fd, const struct pt_err *err)
{
	struct ps_rep *rp = calloc(1, sizeof(*rp));
	int ret = -1;

	if (!rp)
		return -1;
	rp->magic = PS_MAGIC;
	rp->status = err->status;
	memcpy(rp->detail, err->detail, sizeof(rp->detail));
	rp->detail[sizeof(rp->detail) - 1] = '\0';
	if (send(fd, rp, sizeof(*rp), MSG_NOSIGNAL) == (ssize_t)sizeof(*rp))
		ret = 0;
	free(rp);
	return ret;
}

int
privsep_serve(int fd, struct pt_err *why)
{
	struct pt_err err = { 0 };

	helper_signals();
	fd = helper_fds(fd);
	if (drop_to_net() != 0) {
		pt_fail(&err, PT_REFUSED, _("cannot drop to CAP_NET_ADMIN and CAP_NET_RAW"));
	} else if (sandbox_enter(SANDBOX_HELPER, &err) == PT_OK) {
		/* the first word: ready */
		if (helper_hello(fd, &err) != 0)
			return 1;
		return helper_loop(fd, why);
	}
	/* the main process says why (privsep_start) */
	(void)helper_hello(fd, &err);
	return 1;
}

/* ---------------------------------------------------------------------
 * The client: one round trip a guard operation
 * ------------------------------------------------------------------- */

static enum pt_status
ps_rep_check(const struct ps_req *rq, struct ps_rep *rp)
{
	struct guard_posture *p = &rp->posture;

	if (rp->magic != PS_MAGIC || rp->op != rq->op || rp->status < 0 ||
	    rp->status >= PT_STATUS_MAX)
		return PT_ERR;
	rp->detail[sizeof(rp->detail) - 1] = '\0';
	if (rq->op != PS_POSTURE)
		return PT_OK;
	/* the posture is read by the printers: every count within its array,
	 * every string terminated */
	p->ifname[sizeof(p->ifname) - 1] = '\0';
	p->boot_diff[sizeof(p->boot_diff) - 1] = '\0';
	p->error[sizeof(p->error) - 1] = '\0';
	if (p->n_foreign < 0 || p->n_foreign > GUARD_POSTURE_RULES || p->n_tagged < 0 ||
	    p->n_tagged > GUARD_POSTURE_RULES || p->n_listen < 0 ||
	    p->n_listen > GUARD_POSTURE_SOCKS)
		return PT_ERR;
	for (int i = 0; i < GUARD_POSTURE_RULES; i++) {
		p->foreign[i].chain[sizeof(p->foreign[i].chain) - 1] = '\0';
		p->foreign[i].text[sizeof(p->foreign[i].text) - 1] = '\0';
		p->tagged[i].chain[sizeof(p->tagged[i].chain) - 1] = '\0';
		p->tagged[i].text[sizeof(p->tagged[i].text) - 1] = '\0';
	}
	for (int i = 0; i < GUARD_POSTURE_SOCKS; i++)
		p->listen[i].addr[sizeof(p->listen[i].addr) - 1] = '\0';
	return PT_OK;
}

/* Send rq, take the reply into *rp (allocated; the caller frees it). */
static enum pt_status
ps_call(struct ps_req *rq, struct ps_rep **rpp, struct pt_err *err)
{
	struct ps_rep *rp = calloc(1, sizeof(*rp));
	ssize_t n;

	*rpp = rp;
	if (!rp)
		return pt_fail(err, PT_NOMEM, NULL);
	rq->magic = PS_MAGIC;
	pthread_mutex_lock(&ps_mu);
	do
		n = send(ps_fd, rq, sizeof(*rq), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(*rq))
		do
			n = recv(ps_fd, rp, sizeof(*rp), MSG_TRUNC);
		while (n < 0 && errno == EINTR);
	pthread_mutex_unlock(&ps_mu);
	if (n != (ssize_t)sizeof(*rp) || ps_rep_check(rq, rp) != PT_OK) {
		/* nothing of a reply out of protocol reaches the caller */
		memset(rp, 0, sizeof(*rp));
		return pt_fail(err, PT_NET,
		               _("the privileged helper (pid %ld) is gone or answered "
		                 "out of protocol"),
		               (long)ps_pid);
	}
	if (rp->status == PT_OK) {
		pt_err_clear(err);
		return PT_OK;
	}
	if (rp->detail[0])
		return pt_fail(err, rp->status, "%s", rp->detail);
	return pt_fail(err, rp->status, NULL);
}

/* The figures and flags of the helper's guard_open into the caller's. */
static void
take_open(struct guard_open *o, const struct guard_open *h)
{
	o->nft_created = h->nft_created;
	o->link_raised = h->link_raised;
	o->route_added = h->route_added;
	o->rules_in = h->rules_in;
	/* the helper took the times around its commits: CLOCK_MONOTONIC is
	 * the same clock in both processes */
	if (h->link_up_us)
		o->link_up_us = h->link_up_us;
	if (h->link_down_us)
		o->link_down_us = h->link_down_us;
	if (h->x.opened_us)
		o->x.opened_us = h->x.opened_us;
	if (h->x.closed_us)
		o->x.closed_us = h->x.closed_us;
}

enum pt_status
privsep_open(struct guard_open *o, bool (*stop)(void *ud), void *ud, struct pt_err *err)
{
	struct ps_req rq = { .op = PS_OPEN, .w = o->w, .gw = o->gw, .wait_ms = o->wait_ms };
	struct ps_rep *rp;
	enum pt_status ret;

	o->nft_created = o->link_raised = o->route_added = o->rules_in = false;
	o->link_up_us = o->link_down_us = 0;
	memset(&o->x, 0, sizeof(o->x));
	/* numbered before the stop flag is read, as the signal's thread sets
	 * the flag before it reads the number (privsep_cancel): a signal the
	 * check misses sends a CANCEL of this number, which the helper takes
	 * before or during the OPEN */
	rq.seq = atomic_fetch_add(&ps_seq, 1) + 1;
	atomic_thread_fence(memory_order_seq_cst);
	if (stop && stop(ud)) {
		pt_err_clear(err);
		return PT_OK; /* nothing opened: the caller reports the signal */
	}
	ret = ps_call(&rq, &rp, err);
	if (rp)
		take_open(o, &rp->o);
	/* refused for a CANCEL before it began: nothing opened, as above */
	if (ret != PT_OK && rp && rp->cancelled) {
		pt_err_clear(err);
		ret = PT_OK;
	}
	free(rp);
	return ret;
}

enum pt_status
privsep_close(struct guard_open *o, struct pt_err *err)
{
	struct ps_req rq = { .op = PS_CLOSE, .w = o->w };
	struct ps_rep *rp;
	enum pt_status ret;

	if (!o->rules_in && !o->link_raised && !o->route_added && !o->nft_created)
		return PT_OK; /* nothing of it is open: nothing to ask */
	ret = ps_call(&rq, &rp, err);
	if (rp && rp->magic)
		take_open(o, &rp->o);
	free(rp);
	return ret;
}

enum pt_status
privsep_recover(const struct guard_recover *r, int *removed, struct pt_err *err)
{
	struct ps_req rq = {
		.op = PS_RECOVER, .ipt = r->ipt, .nft = r->nft, .nft_table = r->nft_table
	};
	struct ps_rep *rp;
	enum pt_status ret;

	memcpy(rq.ifname, r->ifname, sizeof(rq.ifname));
	rq.ifname[sizeof(rq.ifname) - 1] = '\0';
	ret = ps_call(&rq, &rp, err);
	*removed = rp && ret == PT_OK ? rp->n : 0;
	free(rp);
	return ret;
}

enum pt_status
privsep_posture(const char *ifname, enum guard_backend *fw, struct guard_posture *out,
                struct pt_err *err)
{
	struct ps_req rq = { .op = PS_POSTURE, .fw = *fw };
	struct ps_rep *rp;
	enum pt_status ret;

	if (!ifname || strlen(ifname) >= IFNAMSIZ) {
		if (out)
			memset(out, 0, sizeof(*out));
		return pt_fail(err, PT_INVALID, _("invalid interface name \"%s\""),
		               ifname ? ifname : "");
	}
	snprintf(rq.ifname, sizeof(rq.ifname), "%s", ifname);
	ret = ps_call(&rq, &rp, err);
	if (rp && out)
		*out = rp->posture;
	if (rp && ret == PT_OK)
		*fw = fw_ok(rp->fw, false) ? rp->fw : GUARD_FW_IPTABLES;
	free(rp);
	return ret;
}

void
privsep_cancel(void)
{
	struct ps_req rq;

	if (ps_fd < 0)
		return;
	memset(&rq, 0, sizeof(rq));
	rq.magic = PS_MAGIC;
	rq.op = PS_CANCEL;
	/* the caller set its stop flag before: an OPEN numbered after this
	 * reads it and is not sent (privsep_open) */
	atomic_thread_fence(memory_order_seq_cst);
	rq.seq = atomic_load(&ps_seq);
	if (rq.seq == 0)
		return; /* no OPEN numbered yet: the next one sees the flag */
	/* no lock, no answer: one datagram, whole or not at all */
	(void)!send(ps_fd, &rq, sizeof(rq), MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* ---------------------------------------------------------------------
 * Posture
 * ------------------------------------------------------------------- */

static void
proc_status(pid_t pid, uint64_t *cap, int *seccomp)
{
	char path[64], line[256];
	FILE *f;

	*cap = 0;
	*seccomp = -1;
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
		int m;
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			*cap = v;
		else if (sscanf(line, "Seccomp: %d", &m) == 1)
			*seccomp = m;
	}
	fclose(f);
}

void
privsep_info(struct privsep_info *out)
{
	memset(out, 0, sizeof(*out));
	out->active = ps_fd >= 0;
	out->main_pid = getpid();
	out->main_uid = getuid();
	proc_status(out->main_pid, &out->main_cap, &out->main_seccomp);
	out->helper_seccomp = -1;
	if (out->active) {
		out->helper_pid = ps_pid;
		proc_status(ps_pid, &out->helper_cap, &out->helper_seccomp);
	}
}

#ifdef PRIVSEP_TEST
void
privsep_test_client(int fd)
{
	ps_fd = fd;
}

/* The tests' way in (privsep.h), compiled into their copy only. */
int
privsep_test_loop(int fd)
{
	struct pt_err ready = { 0 }, why = { 0 };

	if (helper_hello(fd, &ready) != 0)
		return 1;
	return helper_loop(fd, &why);
}
#endif

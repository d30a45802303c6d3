/* privsep.c - the privileged helper and its client: the protocol (fixed-size
 * binary messages over a SOCK_SEQPACKET socketpair), the helper's loop and
 * validation, the client calls the guard forwards to, the capability drops.
 *
 * The request set is the guard's operations, nothing more: resolve the
 * backend, add or remove one window's rules, sweep passtore's rules,
 * prepare or drop passtore's nftables table, read the posture, get, set
 * or wait for a link, resolve a neighbour, add or delete a host route.
 * Every field is checked by the helper as guard_window_init checks it; a
 * window's rules can be removed only if this helper added them (recovery
 * of a dead process's rules is the sweep).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cap-ng.h>

#include "base/i18n.h"
#include "engine/private.h"
#include "engine/privsep.h"

#define PS_MAGIC 0x70737031u /* "psp1" */
#define PS_WINDOWS 8         /* windows one helper may hold open at once */
#define PS_TIMEOUT_MS_MAX 600000
#define PS_NFT_TIMEOUT_MAX (7u * 86400u)
#define PS_ACCOUNT "passtore"

enum ps_op {
	PS_RESOLVE = 1,
	PS_RULES_ADD,
	PS_RULES_REMOVE,
	PS_SWEEP,
	PS_FW_PREPARE,
	PS_NFT_DROP,
	PS_POSTURE,
	PS_LINK_GET,
	PS_LINK_SET,
	PS_LINK_WAIT,
	PS_NEIGH,
	PS_ROUTE_ADD,
	PS_ROUTE_DEL,
	PS_OP_END
};

struct ps_req {
	uint32_t magic, op;
	struct guard_window w;   /* RULES_* */
	uint32_t fw;             /* RESOLVE, SWEEP, FW_PREPARE, POSTURE */
	char ifname[IFNAMSIZ];   /* POSTURE, LINK_*, NEIGH, ROUTE_* */
	struct in_addr addr, gw; /* NEIGH: addr; ROUTE_*: peer, gateway */
	int32_t timeout_ms;      /* LINK_WAIT, NEIGH */
	uint32_t up;             /* LINK_SET: 0 or 1 */
};

struct ps_rep {
	uint32_t magic, op;
	int32_t status;
	char detail[sizeof(((struct pt_err *)0)->detail)];
	uint32_t fw;
	int32_t n;
	uint32_t a, b; /* created / up, running */
	double ms;
	struct guard_exposure x;
	struct guard_posture posture;
};

static int ps_fd = -1;
static pid_t ps_pid;
static pthread_mutex_t ps_mu = PTHREAD_MUTEX_INITIALIZER;

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

enum pt_status
privsep_drop_main(struct pt_err *err)
{
	/* PASSTORE_TEST_ACCOUNT: the tests' stand-in for the account (any
	 * account is only less than root) */
	const char *test = getenv("PASSTORE_TEST_ACCOUNT");
	struct passwd *pw = getuid() == 0 ? getpwnam(test && *test ? test : PS_ACCOUNT) : NULL;

	/* the account created at install: files it owns stay reachable, root's
	 * others do not */
	if (pw && pw->pw_uid != 0) {
		/* the audit names the person who ran the command, not the account */
		(void)audit_actor();
		if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
			return pt_fail(err, PT_REFUSED, _("cannot become the account %s: %s"),
			               PS_ACCOUNT, strerror(errno));
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
	ps_fd = sv[0];
	ps_pid = pid;
	return PT_OK;
}

/* ---------------------------------------------------------------------
 * The helper
 * ------------------------------------------------------------------- */

static struct guard_window ps_open[PS_WINDOWS];
static bool ps_used[PS_WINDOWS];

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

	if (!memchr(w->id, '\0', sizeof(w->id)) || !memchr(w->ifname, '\0', sizeof(w->ifname)) ||
	    !ifname_ok(w->ifname))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed window")), false;
	if (guard_window_init(&v, w->id, w->ifname, w->peer, w->port, err) != PT_OK)
		return false;
	if (!fw_ok(w->fw, false) || w->timeout_s > PS_NFT_TIMEOUT_MAX)
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed window")), false;
	return true;
}

static int
slot_of(const struct guard_window *w)
{
	for (int i = 0; i < PS_WINDOWS; i++)
		if (ps_used[i] && strcmp(ps_open[i].id, w->id) == 0 &&
		    strcmp(ps_open[i].ifname, w->ifname) == 0 &&
		    ps_open[i].peer.s_addr == w->peer.s_addr && ps_open[i].port == w->port &&
		    ps_open[i].fw == w->fw)
			return i;
	return -1;
}

static enum pt_status
serve_rules(const struct ps_req *rq, struct ps_rep *rp, struct pt_err *err)
{
	struct guard_window w = rq->w;
	enum pt_status ret;
	int i = slot_of(&w);

	if (!window_ok(&w, err))
		return err->status;
	if (rq->op == PS_RULES_REMOVE) {
		if (i < 0)
			return pt_fail(err, PT_REFUSED,
			               _("privileged helper: window %s was not opened here"), w.id);
		ret = guard_rules_remove_timed(&w, &rp->x, err);
		if (ret != PT_NET && ret != PT_TIMEOUT)
			ps_used[i] = false;
		return ret;
	}
	if (i < 0) {
		for (i = 0; i < PS_WINDOWS && ps_used[i]; i++)
			;
		if (i == PS_WINDOWS)
			return pt_fail(err, PT_REFUSED,
			               _("privileged helper: too many open windows"));
	}
	ret = guard_rules_add_timed(&w, &rp->x, err);
	/* PT_EXISTS: the rules are in, so that they can be removed */
	if (ret == PT_OK || ret == PT_EXISTS) {
		ps_open[i] = w;
		ps_used[i] = true;
	}
	return ret;
}

static enum pt_status
serve_net(const struct ps_req *rq, struct ps_rep *rp, struct pt_err *err)
{
	bool up = false, running = false;

	if (!memchr(rq->ifname, '\0', sizeof(rq->ifname)) || !ifname_ok(rq->ifname))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed interface name"));
	if ((rq->op == PS_LINK_WAIT || rq->op == PS_NEIGH) &&
	    (rq->timeout_ms < 0 || rq->timeout_ms > PS_TIMEOUT_MS_MAX))
		return pt_fail(err, PT_INVALID, _("privileged helper: malformed timeout"));
	switch (rq->op) {
	case PS_POSTURE:
		if (!fw_ok(rq->fw, false))
			return pt_fail(err, PT_INVALID, _("privileged helper: malformed backend"));
		return guard_posture_fw(rq->ifname, rq->fw, &rp->posture, err);
	case PS_LINK_GET: {
		enum pt_status ret = guard_link_get(rq->ifname, &up, &running, err);
		rp->a = up;
		rp->b = running;
		return ret;
	}
	case PS_LINK_SET:
		if (rq->up > 1)
			return pt_fail(err, PT_INVALID, _("privileged helper: malformed request"));
		return guard_link_set(rq->ifname, rq->up, err);
	case PS_LINK_WAIT: return guard_link_wait_running(rq->ifname, rq->timeout_ms, &rp->ms, err);
	case PS_NEIGH:
		return guard_neigh_resolve(rq->addr, rq->ifname, rq->timeout_ms, &rp->ms, err);
	case PS_ROUTE_ADD: return guard_route_add(rq->addr, rq->gw, rq->ifname, err);
	default: return guard_route_del(rq->addr, rq->gw, rq->ifname, err);
	}
}

static enum pt_status
serve_one(const struct ps_req *rq, struct ps_rep *rp, struct pt_err *err)
{
	bool created = false;
	enum pt_status ret;

	switch (rq->op) {
	case PS_RESOLVE:
		if (!fw_ok(rq->fw, true))
			return pt_fail(err, PT_INVALID, _("privileged helper: malformed backend"));
		rp->fw = guard_backend_resolve(rq->fw);
		return PT_OK;
	case PS_RULES_ADD:
	case PS_RULES_REMOVE: return serve_rules(rq, rp, err);
	case PS_SWEEP:
	case PS_FW_PREPARE:
		if (!fw_ok(rq->fw, false))
			return pt_fail(err, PT_INVALID, _("privileged helper: malformed backend"));
		if (rq->op == PS_SWEEP)
			return guard_sweep_fw(rq->fw, err, &rp->n);
		ret = guard_fw_prepare(rq->fw, &created, err);
		rp->a = created;
		return ret;
	case PS_NFT_DROP: return guard_nft_table_drop(err);
	default: return serve_net(rq, rp, err);
	}
}

/* Nothing the terminal sends to the process group may end the helper
 * while a window is open: the main process closes it and then its end
 * of the socket, and that ends the helper. */
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
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
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

static int
helper_loop(int fd)
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
		if (n != (ssize_t)sizeof(rq) || rq.magic != PS_MAGIC || rq.op < PS_RESOLVE ||
		    rq.op >= PS_OP_END) {
			rp->status = pt_fail(&err, PT_INVALID,
			                     _("privileged helper: malformed request"));
		} else {
			rp->op = rq.op;
			rp->status = serve_one(&rq, rp, &err);
		}
		memcpy(rp->detail, err.detail, sizeof(rp->detail));
		if (send(fd, rp, sizeof(*rp), MSG_NOSIGNAL) != (ssize_t)sizeof(*rp))
			break;
	}
	free(rp);
	return 0;
}

int
privsep_serve(int fd)
{
	struct pt_err err = { 0 };
	char msg[640];
	int len;

	helper_signals();
	fd = helper_fds(fd);
	if (drop_to_net() != 0) {
		pt_fail(&err, PT_REFUSED, _("cannot drop to CAP_NET_ADMIN and CAP_NET_RAW"));
	} else if (sandbox_enter(SANDBOX_HELPER, &err) == PT_OK) {
		return helper_loop(fd);
	}
	/* the main process sees the socket close and says the helper is gone */
	len = snprintf(msg, sizeof(msg), "passtore: privileged helper: %s\n", pt_err_text(&err));
	if (len > 0)
		(void)!write(STDERR_FILENO, msg,
		             (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg));
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

static void
ps_ifname(struct ps_req *rq, const char *ifname)
{
	snprintf(rq->ifname, sizeof(rq->ifname), "%s", ifname ? ifname : "");
}

enum guard_backend
privsep_backend_resolve(enum guard_backend b)
{
	struct ps_req rq = { .op = PS_RESOLVE, .fw = b };
	struct ps_rep *rp;
	enum guard_backend r = GUARD_FW_IPTABLES;

	if (ps_call(&rq, &rp, NULL) == PT_OK && fw_ok(rp->fw, false))
		r = rp->fw;
	free(rp);
	return r;
}

enum pt_status
privsep_rules(bool add, const struct guard_window *w, struct guard_exposure *x, struct pt_err *err)
{
	struct ps_req rq = { .op = add ? PS_RULES_ADD : PS_RULES_REMOVE };
	struct ps_rep *rp;
	enum pt_status ret;

	rq.w = *w;
	ret = ps_call(&rq, &rp, err);
	/* the helper took the times around its commit: CLOCK_MONOTONIC is the
	 * same clock in both processes */
	if (rp && x) {
		if (add && rp->x.opened_us)
			x->opened_us = rp->x.opened_us;
		if (!add && rp->x.closed_us)
			x->closed_us = rp->x.closed_us;
	}
	free(rp);
	return ret;
}

enum pt_status
privsep_fw(int op, enum guard_backend fw, int *n, bool *created, struct pt_err *err)
{
	struct ps_req rq = { .op = op == 0   ? PS_SWEEP
		                   : op == 1 ? PS_FW_PREPARE
		                             : PS_NFT_DROP,
		             .fw = fw };
	struct ps_rep *rp;
	enum pt_status ret = ps_call(&rq, &rp, err);

	if (rp && ret == PT_OK && n)
		*n = rp->n;
	if (rp && created)
		*created = ret == PT_OK && rp->a;
	free(rp);
	return ret;
}

enum pt_status
privsep_posture(const char *ifname, enum guard_backend fw, struct guard_posture *out,
                struct pt_err *err)
{
	struct ps_req rq = { .op = PS_POSTURE, .fw = fw };
	struct ps_rep *rp;
	enum pt_status ret;

	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ) {
		memset(out, 0, sizeof(*out));
		return pt_fail(err, PT_INVALID, _("invalid interface name \"%s\""),
		               ifname ? ifname : "");
	}
	ps_ifname(&rq, ifname);
	ret = ps_call(&rq, &rp, err);
	if (rp)
		*out = rp->posture;
	free(rp);
	return ret;
}

enum pt_status
privsep_link(int op, const char *ifname, bool up, int timeout_ms, bool *a, bool *b, double *ms,
             struct pt_err *err)
{
	static const uint32_t ops[] = { PS_LINK_GET, PS_LINK_SET, PS_LINK_WAIT };
	struct ps_req rq = { .op = ops[op], .up = up, .timeout_ms = timeout_ms };
	struct ps_rep *rp;
	enum pt_status ret;

	ps_ifname(&rq, ifname);
	ret = ps_call(&rq, &rp, err);
	if (rp) {
		if (a)
			*a = rp->a;
		if (b)
			*b = rp->b;
		if (ms)
			*ms = rp->ms;
	}
	free(rp);
	return ret;
}

enum pt_status
privsep_route(int op, struct in_addr addr, struct in_addr gw, const char *ifname, int timeout_ms,
              double *ms, struct pt_err *err)
{
	static const uint32_t ops[] = { PS_ROUTE_ADD, PS_ROUTE_DEL, PS_NEIGH };
	struct ps_req rq = { .op = ops[op], .addr = addr, .gw = gw, .timeout_ms = timeout_ms };
	struct ps_rep *rp;
	enum pt_status ret;

	ps_ifname(&rq, ifname);
	ret = ps_call(&rq, &rp, err);
	if (rp && ms)
		*ms = rp->ms;
	free(rp);
	return ret;
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

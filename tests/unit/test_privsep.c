/* test_privsep.c - the privileged helper against malformed requests: a
 * wrong size, a wrong magic, an unknown op, a field out of bounds in each
 * request, a CLOSE of a window it never opened or with its peer, port or
 * backend changed, a second OPEN, a RECOVER while a window is open, an
 * OPEN's number not above the last, a CANCEL without a number or with
 * more than one.  Each is refused, the helper goes on serving (a valid
 * request still works) and nothing changed on the link or in the
 * firewall.  A CANCEL that overtakes its OPEN refuses it before
 * anything moves; a stale one cancels nothing.  A CLOSE made to fail
 * (privsep_test_fail_close) leaves the helper able to close it again,
 * to RECOVER and then to OPEN, and the end of the socket closes what
 * its table holds.
 *
 * The program compiles its own privsep.c with PRIVSEP_TEST.  Without root
 * the helper's loop runs without its capability drop and filter: every
 * refusal comes before any firewall call (which would fail otherwise with
 * another message).  As root the whole program runs in a network
 * namespace of its own with a veth pair, the helper is the real one
 * (privsep_serve: two capabilities, seccomp), and a real window opens
 * and closes there.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/lib.h"
#include "engine/lib.h"

#define IF "pst0"
#define IF_PEER "pst1"

static bool rooted; /* in a namespace of our own, with IF and IF_PEER */
static int hfd = -1;
static pid_t hpid;
static uint32_t seq; /* the last OPEN's number */

static enum pt_status answer(struct ps_rep *rp);

static void
helper_start(void)
{
	int sv[2];
	struct timeval tv = { 10, 0 };
	struct ps_rep hello;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	hpid = fork();
	ck_assert_int_ge(hpid, 0);
	if (hpid == 0) {
		struct pt_err why = { 0 };
		close(sv[0]);
		_exit(rooted ? privsep_serve(sv[1], &why) : privsep_test_loop(sv[1]));
	}
	close(sv[1]);
	hfd = sv[0];
	/* a helper that hangs fails the test instead of stalling it */
	setsockopt(hfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* its first word: ready */
	ck_assert_msg(answer(&hello) == PT_OK, "helper not ready: %s", hello.detail);
	ck_assert_uint_eq(hello.op, 0);
}

static void
helper_stop(void)
{
	int status = 0;

	close(hfd);
	hfd = -1;
	/* its end of the socket closed: the helper ends, and cleanly */
	ck_assert_int_eq(waitpid(hpid, &status, 0), hpid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper status %d", status);
}

static void
send_raw(const void *buf, size_t len)
{
	ck_assert_int_eq(send(hfd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* The answer to what was sent: its status, its detail in rp. */
static enum pt_status
answer(struct ps_rep *rp)
{
	ssize_t n = recv(hfd, rp, sizeof(*rp), MSG_TRUNC);

	ck_assert_msg(n == (ssize_t)sizeof(*rp), "answer of %zd bytes (%s)", n,
	              n < 0 ? strerror(errno) : "");
	ck_assert_uint_eq(rp->magic, PS_MAGIC);
	rp->detail[sizeof(rp->detail) - 1] = '\0';
	return (enum pt_status)rp->status;
}

static enum pt_status
ask(struct ps_req *rq, struct ps_rep *rp)
{
	memset(rp, 0, sizeof(*rp));
	send_raw(rq, sizeof(*rq));
	return answer(rp);
}

/* Refused, with detail holding want. */
static void
refused(struct ps_req *rq, const char *want, const char *what)
{
	struct ps_rep rp;
	enum pt_status st = ask(rq, &rp);

	ck_assert_msg(st != PT_OK, "%s: accepted", what);
	ck_assert_msg(strstr(rp.detail, want), "%s: \"%s\", not \"%s\"", what, rp.detail, want);
}

static void
valid_open(struct ps_req *rq, const char *id)
{
	memset(rq, 0, sizeof(*rq));
	rq->magic = PS_MAGIC;
	rq->op = PS_OPEN;
	rq->seq = ++seq;
	snprintf(rq->w.id, sizeof(rq->w.id), "%s", id);
	snprintf(rq->w.ifname, sizeof(rq->w.ifname), "%s", IF);
	inet_pton(AF_INET, "10.77.0.9", &rq->w.peer);
	rq->w.port = 22;
	rq->w.fw = GUARD_FW_IPTABLES;
	rq->w.timeout_s = 65;
	inet_pton(AF_INET, "10.77.0.1", &rq->gw);
	rq->wait_ms = 3000;
}

static void
cancel_req(struct ps_req *rq, uint32_t n)
{
	memset(rq, 0, sizeof(*rq));
	rq->magic = PS_MAGIC;
	rq->op = PS_CANCEL;
	rq->seq = n;
}

/* Nothing moved: the link is down, no passtore rule is in. */
static void
untouched(const char *when)
{
	struct guard_posture *p;
	struct pt_err err = { 0 };
	bool up = true;

	if (!rooted)
		return;
	ck_assert_msg(guard_link_get(IF, &up, NULL, &err) == PT_OK, "%s: %s", when, err.detail);
	ck_assert_msg(!up, "%s: the link is up", when);
	p = calloc(1, sizeof(*p));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(guard_posture(IF, p, &err), PT_OK);
	ck_assert_msg(p->iptables_ok, "%s: firewall unreadable: %s", when, p->error);
	ck_assert_msg(p->tagged_total == 0, "%s: %d passtore rules in", when, p->tagged_total);
	free(p);
}

START_TEST(bad_messages)
{
	struct ps_req rq;
	struct ps_rep rp;
	char big[sizeof(struct ps_req) + 16];

	helper_start();
	valid_open(&rq, "w1");
	/* a wrong size, both ways */
	send_raw(&rq, 10);
	ck_assert_int_eq(answer(&rp), PT_INVALID);
	ck_assert_ptr_nonnull(strstr(rp.detail, "malformed request"));
	memset(big, 0, sizeof(big));
	memcpy(big, &rq, sizeof(rq));
	send_raw(big, sizeof(big));
	ck_assert_int_eq(answer(&rp), PT_INVALID);
	send_raw(&rq, sizeof(rq) - 1);
	ck_assert_int_eq(answer(&rp), PT_INVALID);
	/* a wrong magic, op 0, unknown ops */
	rq.magic = PS_MAGIC ^ 1;
	refused(&rq, "malformed request", "wrong magic");
	rq.magic = PS_MAGIC;
	rq.op = 0;
	refused(&rq, "malformed request", "op 0");
	rq.op = PS_OP_END;
	refused(&rq, "malformed request", "op past the end");
	rq.op = 0xffffffffu;
	refused(&rq, "malformed request", "op ~0");
	untouched("after bad frames");
	helper_stop();
}
END_TEST

START_TEST(bad_fields)
{
	static const char *const bad_if[] = { "a/b", "a b", "", "\t", "a+", "\x7f" };
	struct ps_req rq;
	uint32_t ops[] = { PS_OPEN, PS_CLOSE };

	helper_start();
	for (size_t o = 0; o < 2; o++) {
		valid_open(&rq, "w1");
		rq.op = ops[o];
		/* an interface name that is not terminated (too long) */
		memset(rq.w.ifname, 'a', sizeof(rq.w.ifname));
		refused(&rq, "malformed interface name", "unterminated ifname");
		for (size_t i = 0; i < sizeof(bad_if) / sizeof(bad_if[0]); i++) {
			valid_open(&rq, "w1");
			rq.op = ops[o];
			snprintf(rq.w.ifname, sizeof(rq.w.ifname), "%s", bad_if[i]);
			refused(&rq, "interface name", bad_if[i]);
		}
		/* the id: unterminated, a character outside the set */
		valid_open(&rq, "w1");
		rq.op = ops[o];
		memset(rq.w.id, 'w', sizeof(rq.w.id));
		refused(&rq, "malformed window id", "unterminated id");
		valid_open(&rq, "w 1");
		rq.op = ops[o];
		refused(&rq, "invalid window id", "id with a blank");
		/* the peer and the port */
		valid_open(&rq, "w1");
		rq.op = ops[o];
		rq.w.peer.s_addr = htonl(INADDR_ANY);
		refused(&rq, "invalid peer address", "peer 0.0.0.0");
		rq.w.peer.s_addr = htonl(INADDR_BROADCAST);
		refused(&rq, "invalid peer address", "peer broadcast");
		valid_open(&rq, "w1");
		rq.op = ops[o];
		rq.w.port = 0;
		refused(&rq, "invalid port", "port 0");
		/* the backend: auto is never a window's, nor anything else */
		valid_open(&rq, "w1");
		rq.op = ops[o];
		rq.w.fw = GUARD_FW_AUTO;
		refused(&rq, "malformed backend", "backend auto");
		rq.w.fw = 3;
		refused(&rq, "malformed backend", "backend 3");
		rq.w.fw = 0x80000000u;
		refused(&rq, "malformed backend", "backend 2^31");
		/* the element's lifetime */
		valid_open(&rq, "w1");
		rq.op = ops[o];
		rq.w.timeout_s = PS_NFT_TIMEOUT_MAX + 1;
		refused(&rq, "malformed timeout", "timeout past a week");
	}
	/* OPEN's own fields: the waits, the gateway */
	valid_open(&rq, "w1");
	rq.wait_ms = -1;
	refused(&rq, "malformed timeout", "wait -1");
	rq.wait_ms = PS_TIMEOUT_MS_MAX + 1;
	refused(&rq, "malformed timeout", "wait past the bound");
	valid_open(&rq, "w1");
	rq.gw.s_addr = htonl(INADDR_BROADCAST);
	refused(&rq, "malformed gateway", "gateway broadcast");
	/* a CLOSE of a window never opened */
	valid_open(&rq, "w1");
	rq.op = PS_CLOSE;
	refused(&rq, "was not opened here", "close never opened");
	/* RECOVER: flags are 0 or 1, a table only with nftables, a name */
	memset(&rq, 0, sizeof(rq));
	rq.magic = PS_MAGIC;
	rq.op = PS_RECOVER;
	rq.ipt = 2;
	refused(&rq, "malformed request", "recover ipt 2");
	rq.ipt = 0;
	rq.nft_table = 1;
	refused(&rq, "malformed request", "recover a table without nftables");
	rq.nft_table = 0;
	memset(rq.ifname, 'e', sizeof(rq.ifname));
	refused(&rq, "malformed interface name", "recover unterminated ifname");
	snprintf(rq.ifname, sizeof(rq.ifname), "x/y");
	refused(&rq, "malformed interface name", "recover x/y");
	/* POSTURE: a backend, a name */
	memset(&rq, 0, sizeof(rq));
	rq.magic = PS_MAGIC;
	rq.op = PS_POSTURE;
	rq.fw = 3;
	refused(&rq, "malformed backend", "posture backend 3");
	rq.fw = GUARD_FW_AUTO;
	memset(rq.ifname, 'e', sizeof(rq.ifname));
	refused(&rq, "malformed interface name", "posture unterminated ifname");
	snprintf(rq.ifname, sizeof(rq.ifname), "a b");
	refused(&rq, "malformed interface name", "posture a b");
	untouched("after bad fields");
	helper_stop();
}
END_TEST

/* After all that, and a CANCEL (which gets no answer), a valid request
 * is served: the helper did not die on bad input.  A malformed CANCEL
 * (no number, a field besides it) is refused with an answer. */
START_TEST(still_serves)
{
	struct ps_req rq;
	struct ps_rep rp;
	char junk[3] = { 1, 2, 3 };

	helper_start();
	send_raw(junk, sizeof(junk));
	ck_assert_int_eq(answer(&rp), PT_INVALID);
	cancel_req(&rq, 0);
	refused(&rq, "malformed cancel", "cancel without a number");
	cancel_req(&rq, 5);
	rq.w.port = 22;
	refused(&rq, "malformed cancel", "cancel with a port");
	cancel_req(&rq, 5);
	rq.ipt = 1;
	refused(&rq, "malformed cancel", "cancel with a recovery flag");
	cancel_req(&rq, 5);
	send_raw(&rq, sizeof(rq));
	memset(&rq, 0, sizeof(rq));
	rq.magic = PS_MAGIC;
	rq.op = PS_POSTURE;
	rq.fw = GUARD_FW_AUTO;
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "posture: %s", rp.detail);
	/* the answer is the POSTURE's, not one for the CANCEL */
	ck_assert_uint_eq(rp.op, PS_POSTURE);
	ck_assert(rp.fw == GUARD_FW_IPTABLES || rp.fw == GUARD_FW_NFTABLES);
	helper_stop();
}
END_TEST

/* Root: a real window in the namespace, and what the helper's table of
 * windows refuses while it is open. */
START_TEST(window_table)
{
	struct ps_req rq, other;
	struct ps_rep rp;
	struct guard_posture *p = calloc(1, sizeof(*p));
	struct pt_err err = { 0 };

	ck_assert_ptr_nonnull(p);
	helper_start();
	untouched("before the open");
	valid_open(&rq, "w1");
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "open: %s", rp.detail);
	ck_assert(rp.o.rules_in && rp.o.link_raised && rp.o.x.opened_us > 0);
	ck_assert_int_eq(guard_posture(IF, p, &err), PT_OK);
	ck_assert_int_eq(p->tagged_total, 2);
	ck_assert(p->link_up);
	/* a second OPEN, of another id or the same */
	valid_open(&other, "w2");
	refused(&other, "already open", "second open");
	refused(&other, "malformed sequence number", "an OPEN's number again");
	other.seq = seq - 1;
	refused(&other, "malformed sequence number", "an OPEN's number below the last");
	rq.seq = ++seq;
	refused(&rq, "already open", "the same open again");
	/* no sweep while a window of its own is open */
	memset(&other, 0, sizeof(other));
	other.magic = PS_MAGIC;
	other.op = PS_RECOVER;
	other.ipt = 1;
	refused(&other, "no recovery", "recover while open");
	/* CLOSE of that window with one field changed */
	other = rq;
	other.op = PS_CLOSE;
	inet_pton(AF_INET, "10.77.0.8", &other.w.peer);
	refused(&other, "was not opened here", "close, another peer");
	other = rq;
	other.op = PS_CLOSE;
	other.w.port = 2222;
	refused(&other, "was not opened here", "close, another port");
	other = rq;
	other.op = PS_CLOSE;
	other.w.fw = GUARD_FW_NFTABLES;
	refused(&other, "was not opened here", "close, another backend");
	other = rq;
	other.op = PS_CLOSE;
	snprintf(other.w.id, sizeof(other.w.id), "w2");
	refused(&other, "was not opened here", "close, another id");
	ck_assert_int_eq(guard_posture(IF, p, &err), PT_OK);
	ck_assert_msg(p->tagged_total == 2 && p->link_up, "a refusal changed the window");
	/* the right CLOSE */
	other = rq;
	other.op = PS_CLOSE;
	ck_assert_msg(ask(&other, &rp) == PT_OK, "close: %s", rp.detail);
	ck_assert(!rp.o.rules_in && !rp.o.link_raised && rp.o.x.closed_us >= rp.o.x.opened_us);
	untouched("after the close");
	/* and once closed, it cannot be closed again */
	refused(&other, "was not opened here", "close twice");
	helper_stop();
	free(p);
}
END_TEST

/* Root: an OPEN that fails half-way (a gateway that never answers ARP)
 * closes what it opened before it answers, and holds no slot. */
START_TEST(open_fails_closes)
{
	struct ps_req rq;
	struct ps_rep rp;

	helper_start();
	valid_open(&rq, "w3");
	inet_pton(AF_INET, "10.77.0.99", &rq.gw);
	rq.wait_ms = 300;
	ck_assert_int_ne(ask(&rq, &rp), PT_OK);
	ck_assert_msg(strstr(rp.detail, "10.77.0.99"), "detail: %s", rp.detail);
	ck_assert(!rp.o.rules_in && !rp.o.link_raised && !rp.o.route_added);
	ck_assert(rp.o.link_up_us > 0 && rp.o.link_down_us >= rp.o.link_up_us);
	untouched("after a failed open");
	/* nothing of it is held: CLOSE has nothing, a new OPEN is served */
	rq.op = PS_CLOSE;
	refused(&rq, "was not opened here", "close after a failed open");
	valid_open(&rq, "w4");
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "open after a failed one: %s", rp.detail);
	rq.op = PS_CLOSE;
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "close: %s", rp.detail);
	untouched("after the close");
	helper_stop();
}
END_TEST

/* Root: a CANCEL sent behind an OPEN (a signal in the main process)
 * stops it before the rules: the link is up, no rule went in, and the
 * CLOSE takes the link down. */
START_TEST(cancel_before_rules)
{
	struct ps_req rq, cancel;
	struct ps_rep rp;
	struct guard_posture *p = calloc(1, sizeof(*p));
	struct pt_err err = { 0 };

	ck_assert_ptr_nonnull(p);
	helper_start();
	valid_open(&rq, "w5");
	cancel_req(&cancel, rq.seq);
	/* both queued before the helper has brought the link up */
	send_raw(&rq, sizeof(rq));
	send_raw(&cancel, sizeof(cancel));
	ck_assert_msg(answer(&rp) == PT_OK, "open: %s", rp.detail);
	ck_assert_uint_eq(rp.op, PS_OPEN);
	ck_assert_msg(!rp.o.rules_in && rp.o.x.opened_us == 0, "the rules went in");
	ck_assert(rp.o.link_raised);
	ck_assert_int_eq(guard_posture(IF, p, &err), PT_OK);
	ck_assert_int_eq(p->tagged_total, 0);
	rq.op = PS_CLOSE;
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "close: %s", rp.detail);
	untouched("after the close");
	helper_stop();
	free(p);
}
END_TEST

/* A CANCEL that overtakes its OPEN (the signal came after the number,
 * before the send): the OPEN is refused before anything moves, and its
 * number is spent.  Without root too: the refusal comes first. */
START_TEST(cancel_before_open)
{
	struct ps_req rq, cancel;
	struct ps_rep rp;

	helper_start();
	untouched("before the cancel");
	valid_open(&rq, "w8");
	cancel_req(&cancel, rq.seq);
	send_raw(&cancel, sizeof(cancel));
	ck_assert_int_ne(ask(&rq, &rp), PT_OK);
	ck_assert_uint_eq(rp.op, PS_OPEN);
	ck_assert_msg(strstr(rp.detail, "cancelled before it began"), "detail: %s", rp.detail);
	ck_assert_uint_eq(rp.cancelled, 1);
	ck_assert(!rp.o.rules_in && !rp.o.link_raised && !rp.o.route_added && !rp.o.nft_created);
	ck_assert(rp.o.link_up_us == 0 && rp.o.x.opened_us == 0);
	untouched("after a cancelled open");
	/* that number is spent; nothing of it is held */
	refused(&rq, "malformed sequence number", "the cancelled open again");
	rq.op = PS_CLOSE;
	refused(&rq, "was not opened here", "close of a cancelled open");
	helper_stop();
}
END_TEST

/* The OPEN sent: not cancelled, served in full (without root, it
 * reaches the firewall and fails there, not for a CANCEL). */
static void
uncancelled(struct ps_req *rq, const char *what)
{
	struct ps_rep rp;
	enum pt_status st = answer(&rp);

	ck_assert_uint_eq(rp.op, PS_OPEN);
	ck_assert_uint_eq(rp.cancelled, 0);
	ck_assert_msg(!strstr(rp.detail, "cancelled"), "%s: %s", what, rp.detail);
	if (!rooted)
		return;
	ck_assert_msg(st == PT_OK, "%s: %s", what, rp.detail);
	ck_assert_msg(rp.o.rules_in && rp.o.x.opened_us > 0, "%s: no rules", what);
	rq->op = PS_CLOSE;
	ck_assert_msg(ask(rq, &rp) == PT_OK, "%s: close: %s", what, rp.detail);
	untouched(what);
}

static void
served_uncancelled(struct ps_req *rq, const char *what)
{
	send_raw(rq, sizeof(*rq));
	uncancelled(rq, what);
}

/* Stale CANCELs: of an OPEN served, of one never sent (its number was
 * taken, the signal came, no OPEN followed), of numbers long past: none
 * cancels a later OPEN, whether taken between requests or during one. */
START_TEST(cancel_stale)
{
	struct ps_req rq, cancel;

	helper_start();
	valid_open(&rq, "w9");
	served_uncancelled(&rq, "the first open");
	/* late: the OPEN it named was served */
	cancel_req(&cancel, rq.seq);
	send_raw(&cancel, sizeof(cancel));
	valid_open(&rq, "w9");
	served_uncancelled(&rq, "after a late cancel");
	/* an OPEN numbered and never sent, its CANCEL sent */
	cancel_req(&cancel, ++seq);
	send_raw(&cancel, sizeof(cancel));
	valid_open(&rq, "w9");
	served_uncancelled(&rq, "after the cancel of an open never sent");
	/* stale ones queued behind the OPEN, read during it */
	valid_open(&rq, "w9");
	send_raw(&rq, sizeof(rq));
	cancel_req(&cancel, rq.seq - 1);
	send_raw(&cancel, sizeof(cancel));
	cancel_req(&cancel, 1);
	send_raw(&cancel, sizeof(cancel));
	uncancelled(&rq, "stale cancels during an open");
	untouched("after the stale cancels");
	helper_stop();
}
END_TEST

/* The signal's thread as it may run between the stop flag's check and
 * the OPEN's send: its CANCEL goes first.  Then the flag is not set. */
static bool
signal_after_check(void *ud)
{
	(*(int *)ud)++;
	guard_window_cancel();
	return false;
}

static bool
signal_before_check(void *ud)
{
	(*(int *)ud)++;
	guard_window_cancel();
	return true;
}

static void
client_window(struct guard_open *o, const char *id)
{
	struct in_addr peer;
	struct pt_err err = { 0 };

	memset(o, 0, sizeof(*o));
	inet_pton(AF_INET, "10.77.0.9", &peer);
	ck_assert_int_eq(guard_window_init(&o->w, id, IF, peer, 22, &err), PT_OK);
	o->w.fw = GUARD_FW_IPTABLES;
	o->w.timeout_s = 65;
	inet_pton(AF_INET, "10.77.0.1", &o->gw);
	o->wait_ms = 3000;
}

/* The engine's side (guard_window_open through the helper): a signal
 * between the check of the stop flag and the send refuses the OPEN
 * before anything moves, and the open says nothing was opened (PT_OK,
 * nothing raised: the caller reports its signal); a signal before the
 * check sends nothing to open; the CANCELs left behind are stale and
 * the next open is served.  Without root too, up to the firewall. */
START_TEST(client_cancel_race)
{
	struct guard_open o;
	struct pt_err err = { 0 };
	int calls = 0;
	enum pt_status st;

	helper_start();
	privsep_test_client(hfd);
	ck_assert(privsep_active());
	client_window(&o, "w14");
	st = guard_window_open(&o, signal_after_check, &calls, &err);
	ck_assert_msg(st == PT_OK, "open: %s", err.detail);
	ck_assert_int_eq(calls, 1);
	ck_assert(!o.rules_in && !o.link_raised && !o.route_added && !o.nft_created);
	ck_assert(o.link_up_us == 0 && o.x.opened_us == 0);
	untouched("after the signal between the check and the send");
	client_window(&o, "w14");
	st = guard_window_open(&o, signal_before_check, &calls, &err);
	ck_assert_msg(st == PT_OK, "open: %s", err.detail);
	ck_assert_int_eq(calls, 2);
	ck_assert(!o.rules_in && !o.link_raised && o.link_up_us == 0);
	untouched("after the signal before the check");
	/* the next open, with those CANCELs (and one more) behind it */
	guard_window_cancel();
	client_window(&o, "w15");
	st = guard_window_open(&o, NULL, NULL, &err);
	ck_assert_msg(!strstr(err.detail, "cancelled"), "the next open: %s", err.detail);
	if (rooted) {
		ck_assert_msg(st == PT_OK, "the next open: %s", err.detail);
		ck_assert(o.rules_in && o.link_raised && o.x.opened_us > 0);
		ck_assert_msg(guard_window_close(&o, &err) == PT_OK, "close: %s", err.detail);
		untouched("after the next window");
	}
	privsep_test_client(-1);
	helper_stop();
}
END_TEST

/* Root: the rules stay in, the link is down (what the test's failed
 * close leaves). */
static void
rules_left(const char *when)
{
	struct guard_posture *p = calloc(1, sizeof(*p));
	struct pt_err err = { 0 };

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(guard_posture(IF, p, &err), PT_OK);
	ck_assert_msg(p->tagged_total == 2, "%s: %d passtore rules in", when, p->tagged_total);
	ck_assert_msg(!p->link_up, "%s: the link is up", when);
	free(p);
}

/* Root: a window opened, then its CLOSE made to fail. */
static void
open_then_fail_close(struct ps_req *rq, const char *id)
{
	struct ps_rep rp;

	valid_open(rq, id);
	ck_assert_msg(ask(rq, &rp) == PT_OK, "open: %s", rp.detail);
	rq->op = PS_CLOSE;
	ck_assert_int_eq(ask(rq, &rp), PT_NET);
	ck_assert(rp.o.rules_in && !rp.o.link_raised);
	rules_left("after the failed close");
}

/* Root: after a failed CLOSE a new OPEN is refused and says to recover;
 * a RECOVER is no longer refused, sweeps what is left and frees the
 * slot: a new window opens and closes, the firewall clean after. */
START_TEST(close_fails_recover)
{
	struct ps_req rq, other;
	struct ps_rep rp;

	privsep_test_fail_close(1);
	helper_start();
	open_then_fail_close(&rq, "w6");
	valid_open(&other, "w7");
	refused(&other, "recover it first", "open after a failed close");
	rules_left("after the refused open");
	memset(&other, 0, sizeof(other));
	other.magic = PS_MAGIC;
	other.op = PS_RECOVER;
	other.ipt = 1;
	snprintf(other.ifname, sizeof(other.ifname), "%s", IF);
	ck_assert_msg(ask(&other, &rp) == PT_OK, "recover: %s", rp.detail);
	ck_assert_int_eq(rp.n, 2);
	untouched("after the recovery");
	/* nothing of it is held now */
	refused(&rq, "was not opened here", "close after the recovery");
	valid_open(&rq, "w7");
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "open after the recovery: %s", rp.detail);
	ck_assert(rp.o.rules_in);
	rq.op = PS_CLOSE;
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "close: %s", rp.detail);
	untouched("after the last close");
	helper_stop();
}
END_TEST

/* Root: the same CLOSE again takes what the failed one left. */
START_TEST(close_fails_retry)
{
	struct ps_req rq;
	struct ps_rep rp;

	privsep_test_fail_close(1);
	helper_start();
	open_then_fail_close(&rq, "w10");
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "close again: %s", rp.detail);
	ck_assert(!rp.o.rules_in && rp.o.x.closed_us >= rp.o.x.opened_us);
	untouched("after the second close");
	valid_open(&rq, "w11");
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "open after: %s", rp.detail);
	rq.op = PS_CLOSE;
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "close: %s", rp.detail);
	untouched("after the last close");
	helper_stop();
}
END_TEST

/* Root: the main process goes away (its end of the socket closes) with
 * what a failed CLOSE left, or with a window open: the helper closes it
 * before it ends (helper_stop: and ends cleanly). */
START_TEST(eof_closes)
{
	struct ps_req rq;
	struct ps_rep rp;

	privsep_test_fail_close(1);
	helper_start();
	open_then_fail_close(&rq, "w12");
	helper_stop();
	untouched("after the end of a helper with a failed close");
	privsep_test_fail_close(0);
	helper_start();
	valid_open(&rq, "w13");
	ck_assert_msg(ask(&rq, &rp) == PT_OK, "open: %s", rp.detail);
	ck_assert(rp.o.rules_in && rp.o.link_raised);
	helper_stop();
	untouched("after the end of a helper with a window open");
}
END_TEST

/* The neighbour: a process in a namespace of its own holding IF_PEER
 * (ARP from an address of the same namespace would not be answered). */
static pid_t neighbour;

/* A namespace of our own with a veth pair, the gateway's end in the
 * neighbour's namespace: nothing of the host's network is touched. */
static bool
enter_namespace(void)
{
	char cmd[512];
	int p[2];
	char c;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0 || pipe(p) != 0)
		return false;
	neighbour = fork();
	if (neighbour < 0)
		return false;
	if (neighbour == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		c = unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
		(void)!write(p[1], &c, 1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1 || c != 'y')
		return false;
	close(p[0]);
	snprintf(cmd, sizeof(cmd),
	         "ip link add " IF " type veth peer name " IF_PEER " 2>/dev/null &&"
	         " ip link set " IF_PEER " netns %ld && ip addr add 10.77.0.2/24 dev " IF " &&"
	         " ip link set lo up &&"
	         " (echo 1 >/proc/sys/net/ipv6/conf/" IF "/disable_ipv6) 2>/dev/null &&"
	         " nsenter -t %ld -n sh -c 'ip addr add 10.77.0.1/24 dev " IF_PEER " &&"
	         " ip link set " IF_PEER " up'",
	         (long)neighbour, (long)neighbour);
	return system(cmd) == 0;
}

static Suite *
privsep_suite(void)
{
	Suite *s = suite_create("privsep");
	TCase *tc = tcase_create("refusals");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bad_messages);
	tcase_add_test(tc, bad_fields);
	tcase_add_test(tc, still_serves);
	tcase_add_test(tc, cancel_before_open);
	tcase_add_test(tc, cancel_stale);
	tcase_add_test(tc, client_cancel_race);
	suite_add_tcase(s, tc);
	if (rooted) {
		tc = tcase_create("window");
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, window_table);
		tcase_add_test(tc, open_fails_closes);
		tcase_add_test(tc, cancel_before_rules);
		tcase_add_test(tc, close_fails_recover);
		tcase_add_test(tc, close_fails_retry);
		tcase_add_test(tc, eof_closes);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	rooted = enter_namespace();
	if (!rooted)
		fprintf(stderr, "# no root or no namespace: refusals only, no real window\n");
	/* the helper ignores these; the test's children must not die of them */
	signal(SIGPIPE, SIG_IGN);
	sr = srunner_create(privsep_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (neighbour > 0) {
		kill(neighbour, SIGKILL);
		waitpid(neighbour, NULL, 0);
	}
	return failed ? 1 : 0;
}

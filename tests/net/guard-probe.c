/* guard-probe.c - one guard operation per invocation, for tests/net/guard.test.
 *
 * Output is machine-readable: one "key value" per line, "result ok" or
 * "result fail" first, then "status NAME" and "detail TEXT" on failure.
 * Exit 0 on success, 1 on failure, 2 on usage.  Besides the guard calls it
 * has a tiny TCP listener and a bounded TCP connect, so that the test needs
 * neither nc nor socat.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "engine/lib.h"
#include "base/i18n.h"
#include "base/lib.h"

static const char *const status_names[] = {
#define NAME(name, exitcode, msg) #name,
	PT_STATUS_INFO(NAME)
#undef NAME
};

static int
fail(const struct pt_err *err)
{
	printf("result fail\nstatus %s\ndetail %s\n",
	       (unsigned)err->status < PT_STATUS_MAX ? status_names[err->status] : "?",
	       err->detail);
	return 1;
}

static int
usage(void)
{
	fprintf(stderr, "usage: guard-probe open|close IF PEER PORT ID\n"
	                "       guard-probe exposure IF PEER PORT ID HOLD_MS\n"
	                "       guard-probe sweep\n"
	                "       guard-probe posture IF\n"
	                "       guard-probe link IF up|down\n"
	                "       guard-probe wait IF TIMEOUT_MS\n"
	                "       guard-probe linkup IF TIMEOUT_MS\n"
	                "       guard-probe route add|del PEER GATEWAY IF\n"
	                "       guard-probe listen ADDR PORT SECONDS\n"
	                "       guard-probe connect ADDR PORT TIMEOUT_MS [SRCPORT]\n");
	return 2;
}

static int
parse_addr(const char *s, struct in_addr *a)
{
	return inet_pton(AF_INET, s, a) == 1 ? 0 : -1;
}

static int
parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* GUARD_FW=nftables in the environment: the nftables backend (default
 * iptables, as before); GUARD_TIMEOUT: an element's lifetime in seconds. */
static enum guard_backend
probe_fw(void)
{
	enum guard_backend b = GUARD_FW_IPTABLES;

	if (getenv("GUARD_FW") && guard_backend_parse(getenv("GUARD_FW"), &b))
		b = guard_backend_resolve(b);
	return b;
}

static int
window_args(char **argv, struct guard_window *w, struct pt_err *err)
{
	struct in_addr peer;
	uint16_t port;

	if (parse_addr(argv[1], &peer) < 0 || parse_port(argv[2], &port) < 0)
		return usage();
	if (guard_window_init(w, argv[3], argv[0], peer, port, err) != PT_OK)
		return fail(err);
	w->fw = probe_fw();
	w->timeout_s = getenv("GUARD_TIMEOUT") ? (unsigned)atoi(getenv("GUARD_TIMEOUT")) : 0;
	return 0;
}

static int
cmd_window(int argc, char **argv, bool open)
{
	struct guard_window w;
	struct guard_exposure x = { 0, 0 };
	struct pt_err err = { PT_OK, "" };
	uint64_t t0, t1;
	enum pt_status st;
	int rc;

	if (argc != 5)
		return usage();
	rc = window_args(argv + 1, &w, &err);
	if (rc)
		return rc;
	t0 = guard_now_us();
	st = open ? guard_rules_add_timed(&w, &x, &err) : guard_rules_remove_timed(&w, &x, &err);
	t1 = guard_now_us();
	if (st != PT_OK)
		return fail(&err);
	printf("result ok\ncall_ms %.3f\n", guard_ms_between(t0, t1));
	return 0;
}

static int
cmd_exposure(int argc, char **argv)
{
	struct guard_window w;
	struct guard_exposure x = { 0, 0 };
	struct pt_err err = { PT_OK, "" };
	struct timespec hold;
	uint64_t t0, t1, t2, t3;
	long ms;
	int rc;

	if (argc != 6)
		return usage();
	rc = window_args(argv + 1, &w, &err);
	if (rc)
		return rc;
	ms = strtol(argv[5], NULL, 10);
	hold.tv_sec = ms / 1000;
	hold.tv_nsec = (ms % 1000) * 1000000L;
	t0 = guard_now_us();
	if (guard_rules_add_timed(&w, &x, &err) != PT_OK)
		return fail(&err);
	t1 = guard_now_us();
	nanosleep(&hold, NULL);
	t2 = guard_now_us();
	if (guard_rules_remove_timed(&w, &x, &err) != PT_OK)
		return fail(&err);
	t3 = guard_now_us();
	printf("result ok\nadd_ms %.3f\nremove_ms %.3f\nexposure_ms %.3f\n",
	       guard_ms_between(t0, t1), guard_ms_between(t2, t3), guard_exposure_ms(&x));
	return 0;
}

static int
cmd_sweep(void)
{
	struct pt_err err = { PT_OK, "" };
	int removed = -1;

	if (guard_sweep_fw(probe_fw(), &err, &removed) != PT_OK)
		return fail(&err);
	printf("result ok\nremoved %d\n", removed);
	return 0;
}

static int
cmd_posture(const char *ifname)
{
	struct guard_posture *p = calloc(1, sizeof(*p));
	struct pt_err err = { PT_OK, "" };
	char reason[512];
	bool ok;
	int i;

	if (!p)
		return 1;
	if (guard_posture_fw(ifname, probe_fw(), p, &err) != PT_OK) {
		free(p);
		return fail(&err);
	}
	ok = guard_posture_ok(p, reason, sizeof(reason));
	printf("result ok\n");
	printf("backend %s\n", guard_backend_name(p->backend));
	if (p->backend == GUARD_FW_NFTABLES)
		printf("table %s\nboot_match %s%s%s\n", p->nft_table ? "loaded" : "absent",
		       p->boot_match ? "yes" : "no", p->boot_diff[0] ? " " : "", p->boot_diff);
	printf("iptables %s\n", p->iptables_ok ? "read" : "unreadable");
	if (p->error[0])
		printf("error %s\n", p->error);
	printf("policy INPUT %s\npolicy OUTPUT %s\npolicy FORWARD %s\n",
	       guard_policy_name(p->input), guard_policy_name(p->output),
	       guard_policy_name(p->forward));
	printf("policy6 INPUT %s\npolicy6 OUTPUT %s\npolicy6 FORWARD %s\n",
	       guard_policy_name(p->input6), guard_policy_name(p->output6),
	       guard_policy_name(p->forward6));
	printf("foreign_total %d\n", p->foreign_total);
	for (i = 0; i < p->n_foreign; i++)
		printf("foreign %s %s%s\n", p->foreign[i].chain, p->foreign[i].text,
		       p->foreign[i].loopback ? " (loopback)" : "");
	printf("tagged_total %d\n", p->tagged_total);
	for (i = 0; i < p->n_tagged; i++)
		printf("tagged %s %s\n", p->tagged[i].chain, p->tagged[i].text);
	if (p->link_found)
		printf("link %s admin=%s running=%s operstate=%u\n", p->ifname,
		       p->link_up ? "up" : "down", p->link_running ? "yes" : "no", p->operstate);
	else
		printf("link %s missing\n", p->ifname);
	printf("ipv6 %s\n", p->ipv6 == GUARD_IPV6_ABSENT     ? "absent"
	                    : p->ipv6 == GUARD_IPV6_DISABLED ? "disabled"
	                    : p->ipv6 == GUARD_IPV6_ENABLED  ? "enabled"
	                                                     : "unknown");
	printf("listen_total %d\n", p->listen_total);
	for (i = 0; i < p->n_listen; i++)
		printf("listen %s%s %s %u%s\n", p->listen[i].proto == IPPROTO_TCP ? "tcp" : "udp",
		       p->listen[i].family == AF_INET6 ? "6" : "", p->listen[i].addr,
		       p->listen[i].port, p->listen[i].loopback ? " (loopback)" : "");
	printf("ok %s%s%s\n", ok ? "yes" : "no", ok ? "" : " ", ok ? "" : reason);
	free(p);
	return 0;
}

static int
cmd_link(const char *ifname, const char *how)
{
	struct pt_err err = { PT_OK, "" };
	bool up, running;
	uint64_t t0, t1;

	if (strcmp(how, "up") != 0 && strcmp(how, "down") != 0)
		return usage();
	t0 = guard_now_us();
	if (guard_link_set(ifname, strcmp(how, "up") == 0, &err) != PT_OK)
		return fail(&err);
	t1 = guard_now_us();
	if (guard_link_get(ifname, &up, &running, &err) != PT_OK)
		return fail(&err);
	printf("result ok\ncall_ms %.3f\nadmin %s\nrunning %s\n", guard_ms_between(t0, t1),
	       up ? "up" : "down", running ? "yes" : "no");
	return 0;
}

/* Link up and wait for IFF_RUNNING in one process: the real up->running. */
static int
cmd_linkup(const char *ifname, const char *ms)
{
	struct pt_err err = { PT_OK, "" };
	double waited = -1;
	uint64_t t0 = guard_now_us();

	if (guard_link_set(ifname, true, &err) != PT_OK)
		return fail(&err);
	if (guard_link_wait_running(ifname, atoi(ms), &waited, &err) != PT_OK)
		return fail(&err);
	printf("result ok\nup_to_running_ms %.3f\n", guard_ms_between(t0, guard_now_us()));
	return 0;
}

static int
cmd_wait(const char *ifname, const char *ms)
{
	struct pt_err err = { PT_OK, "" };
	double waited = -1;

	if (guard_link_wait_running(ifname, atoi(ms), &waited, &err) != PT_OK) {
		fail(&err);
		printf("waited_ms %.3f\n", waited);
		return 1;
	}
	printf("result ok\nwaited_ms %.3f\n", waited);
	return 0;
}

static int
cmd_route(int argc, char **argv)
{
	struct pt_err err = { PT_OK, "" };
	struct in_addr peer, gw;
	enum pt_status st;

	if (argc != 5 || parse_addr(argv[2], &peer) < 0 || parse_addr(argv[3], &gw) < 0)
		return usage();
	if (strcmp(argv[1], "add") == 0)
		st = guard_route_add(peer, gw, argv[4], &err);
	else if (strcmp(argv[1], "del") == 0)
		st = guard_route_del(peer, gw, argv[4], &err);
	else
		return usage();
	if (st != PT_OK)
		return fail(&err);
	printf("result ok\n");
	return 0;
}

static int
cmd_listen(const char *addr, const char *port_s, const char *secs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	static const char banner[] = "passtore-probe\n";
	uint16_t port;
	time_t end = time(NULL) + atoi(secs);
	int one = 1, fd;

	if (parse_addr(addr, &sa.sin_addr) < 0 || parse_port(port_s, &port) < 0)
		return usage();
	sa.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* SO_REUSEPORT: "connect ... SRCPORT" may pose from this very port. */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		printf("result fail\ndetail listen: %s\n", strerror(errno));
		return 1;
	}
	printf("result ok\nlistening %s %u\n", addr, port);
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int c;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		if (write(c, banner, sizeof(banner) - 1) < 0)
			perror("write");
		close(c);
	}
	close(fd);
	return 0;
}

static int
cmd_connect(const char *addr, const char *port_s, const char *ms_s, const char *src_s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct pollfd pfd;
	uint16_t port;
	uint64_t t0 = guard_now_us();
	char buf[64];
	socklen_t len = sizeof(int);
	int fd, r, soerr = 0;
	ssize_t n;

	if (parse_addr(addr, &sa.sin_addr) < 0 || parse_port(port_s, &port) < 0)
		return usage();
	sa.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 1;
	if (src_s) { /* a fixed source port, to pose as the peer's service */
		struct sockaddr_in src = { .sin_family = AF_INET };
		uint16_t sport;
		int one = 1;

		if (parse_port(src_s, &sport) < 0) {
			close(fd);
			return usage();
		}
		src.sin_port = htons(sport);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
			printf("result fail\ndetail bind: %s\n", strerror(errno));
			close(fd);
			return 1;
		}
	}
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0 && errno != EINPROGRESS) {
		printf("result fail\ndetail connect: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	r = poll(&pfd, 1, atoi(ms_s));
	if (r == 0) {
		printf("result fail\ndetail connect: timed out after %s ms\n", ms_s);
		close(fd);
		return 1;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	if (r < 0 || soerr) {
		printf("result fail\ndetail connect: %s\n", strerror(r < 0 ? errno : soerr));
		close(fd);
		return 1;
	}
	pfd.events = POLLIN;
	n = poll(&pfd, 1, 1000) > 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("result ok\nconnect_ms %.3f\nbanner %s\n", guard_ms_between(t0, guard_now_us()),
	       buf);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	if ((strcmp(argv[1], "open") == 0 || strcmp(argv[1], "close") == 0))
		return cmd_window(argc - 1, argv + 1, argv[1][0] == 'o');
	if (strcmp(argv[1], "exposure") == 0)
		return cmd_exposure(argc - 1, argv + 1);
	if (strcmp(argv[1], "sweep") == 0 && argc == 2)
		return cmd_sweep();
	if (strcmp(argv[1], "posture") == 0 && argc == 3)
		return cmd_posture(argv[2]);
	if (strcmp(argv[1], "link") == 0 && argc == 4)
		return cmd_link(argv[2], argv[3]);
	if (strcmp(argv[1], "linkup") == 0 && argc == 4)
		return cmd_linkup(argv[2], argv[3]);
	if (strcmp(argv[1], "wait") == 0 && argc == 4)
		return cmd_wait(argv[2], argv[3]);
	if (strcmp(argv[1], "route") == 0)
		return cmd_route(argc - 1, argv + 1);
	if (strcmp(argv[1], "listen") == 0 && argc == 5)
		return cmd_listen(argv[2], argv[3], argv[4]);
	if (strcmp(argv[1], "connect") == 0 && (argc == 5 || argc == 6))
		return cmd_connect(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL);
	return usage();
}

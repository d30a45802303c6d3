/* guard-nl.c - the link, the host route and the neighbour entry through
 * rtnetlink (libmnl), see guard.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "engine/guard.h"
#include "engine/private.h"

#include <libiptc/libiptc.h>
#include <libiptc/libip6tc.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "base/i18n.h"

/* ------------------------------------------------------------------ */
/* rtnetlink                                                           */

static unsigned int
guard_ifindex(const char *ifname, struct pt_err *err)
{
	unsigned int idx = ifname && *ifname ? if_nametoindex(ifname) : 0;

	if (!idx)
		pt_fail(err, PT_NOTFOUND, _("interface %s not found"), ifname ? ifname : "");
	return idx;
}

static int
guard_link_attr(const struct nlattr *a, void *data)
{
	struct guard_link_state *ls = data;

	if (mnl_attr_get_type(a) == IFLA_OPERSTATE && mnl_attr_validate(a, MNL_TYPE_U8) >= 0)
		ls->operstate = mnl_attr_get_u8(a);
	return MNL_CB_OK;
}

static int
guard_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct guard_link_state *ls = data;
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	if ((unsigned int)ifi->ifi_index != ls->index)
		return MNL_CB_OK;
	ls->seen = true;
	ls->up = ifi->ifi_flags & IFF_UP;
	ls->running = ifi->ifi_flags & IFF_RUNNING;
	mnl_attr_parse(nlh, sizeof(*ifi), guard_link_attr, ls);
	return MNL_CB_OK;
}

static struct mnl_socket *
guard_nl_open(unsigned int groups, const char *step, struct pt_err *err)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);

	if (!nl) {
		pt_fail(err, PT_NET, _("%s: cannot open a netlink socket: %s"), step,
		        strerror(errno));
		return NULL;
	}
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		pt_fail(err, PT_NET, _("%s: cannot bind a netlink socket: %s"), step,
		        strerror(errno));
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

/* Send one request with NLM_F_ACK and read until the ack.  Returns 0, or the
 * positive errno the kernel (or the socket) answered. */
static int
guard_nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[GUARD_NL_BUF];
	unsigned int portid = mnl_socket_get_portid(nl);
	unsigned int seq = nlh->nlmsg_seq;
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return errno ? errno : EIO;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno ? errno : EIO;
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
		if (ret < 0)
			return errno ? errno : EIO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *
guard_nl_getlink(char *buf, unsigned int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)index;
	return nlh;
}

enum pt_status
guard_link_read(const char *ifname, struct guard_link_state *ls, struct pt_err *err)
{
	char buf[GUARD_NL_BUF];
	struct mnl_socket *nl;
	int e;

	memset(ls, 0, sizeof(*ls));
	ls->index = guard_ifindex(ifname, err);
	if (!ls->index)
		return PT_NOTFOUND;
	nl = guard_nl_open(0, _("reading the link"), err);
	if (!nl)
		return PT_NET;
	e = guard_nl_talk(nl, guard_nl_getlink(buf, ls->index), guard_link_cb, ls);
	mnl_socket_close(nl);
	if (e || !ls->seen)
		return pt_fail(err, PT_NET, _("reading the link %s: %s"), ifname,
		               strerror(e ? e : ENODEV));
	return PT_OK;
}

enum pt_status
guard_link_get(const char *ifname, bool *up, bool *running, struct pt_err *err)
{
	struct guard_link_state ls;
	enum pt_status st;

	if ((st = guard_link_read(ifname, &ls, err)) != PT_OK)
		return st;
	if (up)
		*up = ls.up;
	if (running)
		*running = ls.running;
	return PT_OK;
}

enum pt_status
guard_link_set(const char *ifname, bool up, struct pt_err *err)
{
	char buf[GUARD_NL_BUF];
	unsigned int idx;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int e;

	if (!(idx = guard_ifindex(ifname, err)))
		return PT_NOTFOUND;
	nl = guard_nl_open(0, up ? _("bringing the link up") : _("bringing the link down"), err);
	if (!nl)
		return PT_NET;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)idx;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	e = guard_nl_talk(nl, nlh, NULL, NULL);
	mnl_socket_close(nl);
	if (e)
		return pt_fail(err, PT_NET,
		               up ? _("bringing the link %s up: %s")
		                  : _("bringing the link %s down: %s"),
		               ifname, strerror(e));
	return PT_OK;
}

enum pt_status
guard_link_wait_running(const char *ifname, int timeout_ms, double *waited_ms, struct pt_err *err)
{
	char buf[GUARD_NL_BUF];
	struct guard_link_state ls;
	struct mnl_socket *nl;
	enum pt_status st = PT_OK;
	uint64_t start = guard_now_us();
	uint64_t deadline = start + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000u;
	struct nlmsghdr *nlh;
	int late = 0;

	memset(&ls, 0, sizeof(ls));
	ls.index = guard_ifindex(ifname, err);
	if (!ls.index)
		return PT_NOTFOUND;
	/* Subscribe first, then ask: no change can fall between the two. */
	nl = guard_nl_open(RTMGRP_LINK, _("waiting for the link"), err);
	if (!nl)
		return PT_NET;
	nlh = guard_nl_getlink(buf, ls.index);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		st = pt_fail(err, PT_NET, _("waiting for the link %s: %s"), ifname,
		             strerror(errno));
		goto out;
	}
	for (;;) {
		struct pollfd pfd = { mnl_socket_get_fd(nl), POLLIN, 0 };
		uint64_t now = guard_now_us();
		int left = now < deadline ? (int)((deadline - now + 999u) / 1000u) : 0;
		ssize_t n;
		int r;

		/* Even with no time left, take what is queued: the reply to
		 * the request is, since rtnetlink answers inside sendto(). */
		r = poll(&pfd, 1, left);
		if (r < 0 && errno != EINTR) {
			st = pt_fail(err, PT_NET, _("waiting for the link %s: %s"), ifname,
			             strerror(errno));
			goto out;
		}
		if (r > 0) {
			n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
			if (n < 0 && errno == ENOBUFS) { /* events overflowed: ask again */
				nlh = guard_nl_getlink(buf, ls.index);
				if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
					st = pt_fail(err, PT_NET, _("waiting for the link %s: %s"),
					             ifname, strerror(errno));
					goto out;
				}
			} else if (n < 0 && errno != EINTR) {
				st = pt_fail(err, PT_NET, _("waiting for the link %s: %s"), ifname,
				             strerror(errno));
				goto out;
			} else if (n > 0 &&
			           mnl_cb_run(buf, (size_t)n, 0, 0, guard_link_cb, &ls) < 0) {
				/* seq and portid 0 above: take the reply and the events. */
				st = pt_fail(err, PT_NET, _("waiting for the link %s: %s"), ifname,
				             strerror(errno));
				goto out;
			}
		}
		if (ls.running)
			break;
		/* Past the deadline: drain what is queued, but boundedly. */
		if (guard_now_us() >= deadline && (r <= 0 || ++late > 64)) {
			/* TRANSLATORS: the last %s is "up, no carrier" or "down". */
			st = pt_fail(err, PT_TIMEOUT,
			             _("the link %s is not running after %d ms (%s)"), ifname,
			             timeout_ms, ls.up ? _("up, no carrier") : _("down"));
			goto out;
		}
	}
out:
	if (waited_ms)
		*waited_ms = guard_ms_between(start, guard_now_us());
	mnl_socket_close(nl);
	return st;
}

static enum pt_status
guard_route(bool add, struct in_addr peer, struct in_addr gateway, const char *ifname,
            struct pt_err *err)
{
	char buf[GUARD_NL_BUF];
	const char *step = add ? _("adding the route") : _("deleting the route");
	unsigned int idx;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	char p[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
	int e;

	if (!(idx = guard_ifindex(ifname, err)))
		return PT_NOTFOUND;
	nl = guard_nl_open(0, step, err);
	if (!nl)
		return PT_NET;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	/* REPLACE: a stale PEER/32 through another gateway must not survive. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = !add             ? RT_SCOPE_NOWHERE
	                 : gateway.s_addr ? RT_SCOPE_UNIVERSE
	                                  : RT_SCOPE_LINK;
	mnl_attr_put_u32(nlh, RTA_DST, peer.s_addr);
	mnl_attr_put_u32(nlh, RTA_OIF, idx);
	if (gateway.s_addr)
		mnl_attr_put_u32(nlh, RTA_GATEWAY, gateway.s_addr);
	if (add) {
		/* No delayed ACKs towards the peer: sshd answers the SFTP
		 * channel open behind Nagle, and a 40 ms delayed ACK on our
		 * side would sit inside the window every time. */
		struct nlattr *metrics = mnl_attr_nest_start(nlh, RTA_METRICS);
		mnl_attr_put_u32(nlh, RTAX_QUICKACK, 1);
		mnl_attr_nest_end(nlh, metrics);
	}
	e = guard_nl_talk(nl, nlh, NULL, NULL);
	mnl_socket_close(nl);
	if (e == 0 || (add && e == EEXIST) || (!add && e == ESRCH))
		return PT_OK;
	inet_ntop(AF_INET, &peer, p, sizeof(p));
	inet_ntop(AF_INET, &gateway, g, sizeof(g));
	/* TRANSLATORS: "adding the route 10.1.2.3/32 via 10.1.1.1 dev eth0: error" */
	return pt_fail(err, PT_NET, _("%s %s/32 via %s dev %s: %s"), step, p, g, ifname,
	               strerror(e));
}

enum pt_status
guard_route_add(struct in_addr peer, struct in_addr gateway, const char *ifname, struct pt_err *err)
{
	return guard_route(true, peer, gateway, ifname, err);
}

enum pt_status
guard_route_del(struct in_addr peer, struct in_addr gateway, const char *ifname, struct pt_err *err)
{
	return guard_route(false, peer, gateway, ifname, err);
}

/* ------------------------------------------------------------------ */
/* neighbour                                                           */

static int
guard_neigh_msg(bool add, struct in_addr addr, unsigned int idx, const char *step,
                struct pt_err *err)
{
	char buf[GUARD_NL_BUF];
	struct mnl_socket *nl = guard_nl_open(0, step, err);
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	int e;

	if (!nl)
		return EIO;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWNEIGH : RTM_DELNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = (int)idx;
	/* as `ip neigh replace ADDR dev IF use`: NTF_USE starts resolution
	 * without setting the state */
	ndm->ndm_state = NUD_PERMANENT;
	ndm->ndm_flags = add ? NTF_USE : 0;
	mnl_attr_put_u32(nlh, NDA_DST, addr.s_addr);
	e = guard_nl_talk(nl, nlh, NULL, NULL);
	mnl_socket_close(nl);
	return e;
}

/* Whether the ARP entry of addr on ifname is complete (/proc/net/arp is
 * this namespace's table). */
static bool
guard_neigh_complete(struct in_addr addr, const char *ifname)
{
	char line[256], ip[64], dev[IFNAMSIZ + 1], want[INET_ADDRSTRLEN];
	unsigned int flags;
	bool done = false;
	FILE *f = fopen("/proc/net/arp", "re");

	if (!f)
		return false;
	inet_ntop(AF_INET, &addr, want, sizeof(want));
	while (!done && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %*s %x %*s %*s %16s", ip, &flags, dev) == 3 &&
		    strcmp(ip, want) == 0 && strcmp(dev, ifname) == 0 && (flags & 0x2))
			done = true;
	fclose(f);
	return done;
}

enum pt_status
guard_neigh_resolve(struct in_addr addr, const char *ifname, int timeout_ms, double *waited_ms,
                    struct pt_err *err)
{
	const char *step = _("resolving the gateway");
	unsigned int idx;
	uint64_t start = guard_now_us(), asked = 0;
	uint64_t deadline = start + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000u;
	char a[INET_ADDRSTRLEN];
	enum pt_status st = PT_OK;
	int e;

	if (!(idx = guard_ifindex(ifname, err)))
		return PT_NOTFOUND;
	while (!guard_neigh_complete(addr, ifname)) {
		uint64_t now = guard_now_us();
		if (now >= deadline) {
			inet_ntop(AF_INET, &addr, a, sizeof(a));
			st = pt_fail(err, PT_TIMEOUT,
			             _("the gateway %s does not answer ARP on %s after %d ms"), a,
			             ifname, timeout_ms);
			break;
		}
		/* A request sent the moment the link comes up is often lost
		 * (the far end is not up yet) and the kernel would retry only
		 * after a second: ask again every 100 ms, from scratch. */
		if (!asked || now - asked >= 100000u) {
			if (asked)
				(void)guard_neigh_msg(false, addr, idx, step, NULL);
			e = guard_neigh_msg(true, addr, idx, step, err);
			if (e) {
				inet_ntop(AF_INET, &addr, a, sizeof(a));
				st = pt_fail(err, PT_NET, _("%s %s dev %s: %s"), step, a, ifname,
				             strerror(e));
				break;
			}
			asked = now;
		}
		usleep(2000);
	}
	if (waited_ms)
		*waited_ms = guard_ms_between(start, guard_now_us());
	return st;
}

/* guard-posture.c - the station's posture before a window opens: the
 * firewall's policies and rules, IPv6 and listening sockets from /proc,
 * and the verdict on them (see guard.h).
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
#include "store/lib.h"

/* ------------------------------------------------------------------ */
/* posture: firewall                                                   */

const char *
guard_policy_name(enum guard_policy p)
{
	switch (p) {
	case GUARD_POLICY_DROP: return "DROP";
	case GUARD_POLICY_ACCEPT: return "ACCEPT";
	case GUARD_POLICY_OTHER: return "other";
	default: return "unknown";
	}
}

static enum guard_policy
guard_policy_of(const char *name)
{
	if (!name)
		return GUARD_POLICY_UNKNOWN;
	if (strcmp(name, "DROP") == 0)
		return GUARD_POLICY_DROP;
	if (strcmp(name, "ACCEPT") == 0)
		return GUARD_POLICY_ACCEPT;
	return GUARD_POLICY_OTHER;
}

static int
guard_prefix_len(struct in_addr mask)
{
	return __builtin_popcount(ntohl(mask.s_addr));
}

/* Append to buf[len] at *pos, truncating quietly. */
static void guard_cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
guard_cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = *pos + (size_t)n < len ? *pos + (size_t)n : len;
}

static void
guard_cat_ports(char *buf, size_t len, size_t *pos, const char *opt, const uint16_t r[2])
{
	if (r[0] == 0 && r[1] == 0xFFFF)
		return;
	if (r[0] == r[1])
		guard_cat(buf, len, pos, " %s %u", opt, r[0]);
	else
		guard_cat(buf, len, pos, " %s %u:%u", opt, r[0], r[1]);
}

/* A short iptables-like text of a rule. */
static void
guard_describe(const struct ipt_entry *e, const char *target, char *buf, size_t len)
{
	const struct ipt_ip *ip = &e->ip;
	size_t pos = 0, off;
	char a[INET_ADDRSTRLEN];

	buf[0] = '\0';
	if (ip->iniface[0])
		guard_cat(buf, len, &pos, " %s-i %.*s", ip->invflags & IPT_INV_VIA_IN ? "! " : "",
		          IFNAMSIZ, ip->iniface);
	if (ip->outiface[0])
		guard_cat(buf, len, &pos, " %s-o %.*s", ip->invflags & IPT_INV_VIA_OUT ? "! " : "",
		          IFNAMSIZ, ip->outiface);
	if (ip->smsk.s_addr)
		guard_cat(buf, len, &pos, " %s-s %s/%d", ip->invflags & IPT_INV_SRCIP ? "! " : "",
		          inet_ntop(AF_INET, &ip->src, a, sizeof(a)) ? a : "?",
		          guard_prefix_len(ip->smsk));
	if (ip->dmsk.s_addr)
		guard_cat(buf, len, &pos, " %s-d %s/%d", ip->invflags & IPT_INV_DSTIP ? "! " : "",
		          inet_ntop(AF_INET, &ip->dst, a, sizeof(a)) ? a : "?",
		          guard_prefix_len(ip->dmsk));
	if (ip->proto)
		guard_cat(buf, len, &pos, " %s-p %s", ip->invflags & XT_INV_PROTO ? "! " : "",
		          ip->proto == IPPROTO_TCP    ? "tcp"
		          : ip->proto == IPPROTO_UDP  ? "udp"
		          : ip->proto == IPPROTO_ICMP ? "icmp"
		                                      : "other");
	for (off = sizeof(*e); off + sizeof(struct xt_entry_match) <= e->target_offset;) {
		const struct xt_entry_match *m = (const void *)((const unsigned char *)e + off);

		if (m->u.match_size < sizeof(*m))
			break;
		guard_cat(buf, len, &pos, " -m %.*s", XT_EXTENSION_MAXNAMELEN, m->u.user.name);
		if ((strcmp(m->u.user.name, "tcp") == 0 || strcmp(m->u.user.name, "udp") == 0) &&
		    m->u.match_size >= GUARD_MATCH_HDR + sizeof(struct xt_udp)) {
			const struct xt_udp *u = (const void *)m->data;

			guard_cat_ports(buf, len, &pos, "--sport", u->spts);
			guard_cat_ports(buf, len, &pos, "--dport", u->dpts);
		} else if (strcmp(m->u.user.name, "comment") == 0 &&
		           m->u.match_size >= GUARD_MATCH_HDR + sizeof(struct xt_comment_info)) {
			const struct xt_comment_info *cm = (const void *)m->data;

			guard_cat(buf, len, &pos, " --comment %.64s", cm->comment);
		}
		off += m->u.match_size;
	}
	guard_cat(buf, len, &pos, " -j %s", target ? target : "?");
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
}

static bool
guard_entry_loopback(const struct ipt_entry *e)
{
	const struct ipt_ip *ip = &e->ip;

	if (ip->invflags & (IPT_INV_VIA_IN | IPT_INV_VIA_OUT))
		return false;
	return (strcmp(ip->iniface, "lo") == 0 && ip->iniface_mask[2] == 0xFF) ||
	       (strcmp(ip->outiface, "lo") == 0 && ip->outiface_mask[2] == 0xFF);
}

static void
guard_posture_rule(struct guard_rule_text *list, int *n, int *total, const char *chain,
                   const struct ipt_entry *e, const char *target)
{
	(*total)++;
	if (*n >= GUARD_POSTURE_RULES)
		return;
	snprintf(list[*n].chain, sizeof(list[*n].chain), "%s", chain);
	guard_describe(e, target, list[*n].text, sizeof(list[*n].text));
	list[*n].loopback = guard_entry_loopback(e);
	(*n)++;
}

bool
guard_posture_iptables(struct guard_posture *p, struct pt_err *err)
{
	struct xtc_handle *h;
	const char *chain;
	struct xt_counters cnt;
	int fd = guard_lock(err);

	if (fd < 0)
		return false;
	h = iptc_init(guard_table);
	if (!h) {
		pt_fail(err, PT_NET, _("%s: cannot read the firewall table %s: %s"),
		        _("reading the posture"), guard_table, iptc_strerror(errno));
		guard_unlock(fd);
		return false;
	}
	p->input = guard_policy_of(iptc_get_policy(guard_chain_input, &cnt, h));
	p->output = guard_policy_of(iptc_get_policy(guard_chain_output, &cnt, h));
	p->forward = guard_policy_of(iptc_get_policy(guard_chain_forward, &cnt, h));
	for (chain = iptc_first_chain(h); chain; chain = iptc_next_chain(h)) {
		const struct ipt_entry *e;

		for (e = iptc_first_rule(chain, h); e; e = iptc_next_rule(e, h)) {
			const char *target = iptc_get_target(e, h);

			if (guard_entry_tag(e))
				guard_posture_rule(p->tagged, &p->n_tagged, &p->tagged_total, chain,
				                   e, target);
			else if (target && strcmp(target, "ACCEPT") == 0)
				guard_posture_rule(p->foreign, &p->n_foreign, &p->foreign_total,
				                   chain, e, target);
		}
	}
	iptc_free(h);
	guard_unlock(fd);
	return true;
}

/* Cheap: ip6tables policies when the table can be read, else UNKNOWN. */
static void
guard_posture_ip6tables(struct guard_posture *p)
{
	static const xt_chainlabel in = "INPUT", out = "OUTPUT", fwd = "FORWARD";
	struct xt_counters cnt;
	struct xtc_handle *h;
	int fd = guard_lock(NULL);

	if (fd < 0)
		return;
	h = ip6tc_init(guard_table);
	if (h) {
		p->input6 = guard_policy_of(ip6tc_get_policy(in, &cnt, h));
		p->output6 = guard_policy_of(ip6tc_get_policy(out, &cnt, h));
		p->forward6 = guard_policy_of(ip6tc_get_policy(fwd, &cnt, h));
		ip6tc_free(h);
	}
	guard_unlock(fd);
}

/* ------------------------------------------------------------------ */
/* posture: IPv6 and sockets from /proc                                */

static enum guard_ipv6
guard_ipv6_state(const char *ifname)
{
	char path[128], c = 0;
	FILE *f;

	if (access("/proc/sys/net/ipv6", F_OK) != 0)
		return errno == ENOENT ? GUARD_IPV6_ABSENT : GUARD_IPV6_UNKNOWN;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	f = fopen(path, "re");
	if (!f)
		return GUARD_IPV6_UNKNOWN;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c == '1' ? GUARD_IPV6_DISABLED : c == '0' ? GUARD_IPV6_ENABLED : GUARD_IPV6_UNKNOWN;
}

/* Parse /proc/net/{tcp,udp}[6]; want is the state of interest (LISTEN 0A for
 * TCP, CLOSE 07 for an unconnected bound UDP socket). */
static void
guard_posture_proc(struct guard_posture *p, const char *path, int proto, int family,
                   unsigned int want)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) { /* header */
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char addr[40];
		unsigned int port, state;
		struct guard_socket *s;
		unsigned char raw[16];
		int i;

		if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", addr, &port,
		           &state) != 3 ||
		    state != want)
			continue;
		if (strlen(addr) != (family == AF_INET ? 8u : 32u))
			continue;
		/* The kernel prints each 32-bit word as it lies in memory. */
		for (i = 0; i < (family == AF_INET ? 1 : 4); i++) {
			char word[9];
			uint32_t v;

			memcpy(word, addr + 8 * i, 8);
			word[8] = '\0';
			v = (uint32_t)strtoul(word, NULL, 16);
			memcpy(raw + 4 * i, &v, 4);
		}
		p->listen_total++;
		if (p->n_listen >= GUARD_POSTURE_SOCKS)
			continue;
		s = &p->listen[p->n_listen++];
		s->proto = proto;
		s->family = family;
		s->port = (uint16_t)port;
		if (family == AF_INET) {
			s->loopback = raw[0] == 127;
		} else {
			static const unsigned char lo6[16] = { [15] = 1 };
			static const unsigned char mapped[12] = { [10] = 0xFF, [11] = 0xFF };

			s->loopback = memcmp(raw, lo6, 16) == 0 ||
			              (memcmp(raw, mapped, 12) == 0 && raw[12] == 127);
		}
		if (!inet_ntop(family, raw, s->addr, sizeof(s->addr)))
			snprintf(s->addr, sizeof(s->addr), "?");
	}
	fclose(f);
}

/* ------------------------------------------------------------------ */
/* posture                                                             */

enum pt_status
guard_posture(const char *ifname, struct guard_posture *out, struct pt_err *err)
{
	struct guard_link_state ls;
	struct pt_err lerr;

	memset(out, 0, sizeof(*out));
	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ)
		return pt_fail(err, PT_INVALID, _("invalid interface name \"%s\""),
		               ifname ? ifname : "");
	if (privsep_active()) {
		enum guard_backend fw = GUARD_FW_IPTABLES;
		return privsep_posture(ifname, &fw, out, err);
	}
	snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
	out->iptables_ok = guard_posture_iptables(out, err);
	if (!out->iptables_ok && err)
		snprintf(out->error, sizeof(out->error), "%s", err->detail);
	guard_posture_ip6tables(out);
	pt_err_clear(&lerr);
	if (guard_link_read(ifname, &ls, &lerr) == PT_OK) {
		out->link_found = true;
		out->link_up = ls.up;
		out->link_running = ls.running;
		out->operstate = ls.operstate;
	} else if (!out->error[0]) {
		snprintf(out->error, sizeof(out->error), "%s", lerr.detail);
	}
	out->ipv6 = guard_ipv6_state(ifname);
	guard_posture_proc(out, "/proc/net/tcp", IPPROTO_TCP, AF_INET, 0x0A);
	guard_posture_proc(out, "/proc/net/tcp6", IPPROTO_TCP, AF_INET6, 0x0A);
	guard_posture_proc(out, "/proc/net/udp", IPPROTO_UDP, AF_INET, 0x07);
	guard_posture_proc(out, "/proc/net/udp6", IPPROTO_UDP, AF_INET6, 0x07);
	if (!out->iptables_ok && !out->link_found)
		return err ? err->status : PT_NET;
	pt_err_clear(err);
	return PT_OK;
}

bool
guard_posture_rules_ok(const struct guard_posture *p, char *tmp, size_t len)
{
	if (p->tagged_total > 0) {
		snprintf(
			tmp, len,
			_("passtore rules are still in the firewall (%d), first: %s %s; sweep them first"),
			p->tagged_total, p->tagged[0].chain, p->tagged[0].text);
		return false;
	}
	for (int k = 0; k < p->n_foreign; k++)
		if (!p->foreign[k].loopback) {
			snprintf(tmp, len, _("a foreign ACCEPT rule is in the firewall: %s %s"),
			         p->foreign[k].chain, p->foreign[k].text);
			return false;
		}
	if (p->foreign_total > p->n_foreign) {
		snprintf(tmp, len, _("too many ACCEPT rules in the firewall (%d)"),
		         p->foreign_total);
		return false;
	}
	if (!p->link_found) {
		snprintf(tmp, len, _("interface %s not found"), p->ifname);
		return false;
	}
	return true;
}

bool
guard_posture_ok(const struct guard_posture *p, char *reason, size_t len)
{
	char tmp[GUARD_RULE_TEXT + 128];
	const struct {
		const char *chain;
		enum guard_policy pol;
	} pols[] = {
		{ "INPUT", p->input },
		{ "OUTPUT", p->output },
		{ "FORWARD", p->forward },
	};
	size_t i;

	if (p->backend == GUARD_FW_NFTABLES)
		return guard_nft_posture_ok(p, reason, len);
	tmp[0] = '\0';
	if (!p->iptables_ok) {
		snprintf(tmp, sizeof(tmp), _("the IPv4 firewall could not be read: %.200s"),
		         p->error);
		goto refuse;
	}
	for (i = 0; i < sizeof(pols) / sizeof(pols[0]); i++)
		if (pols[i].pol != GUARD_POLICY_DROP) {
			/* TRANSLATORS: "the policy of INPUT is ACCEPT, not DROP";
			 * chain and policy names are iptables words. */
			snprintf(tmp, sizeof(tmp), _("the policy of %s is %s, not DROP"),
			         pols[i].chain, guard_policy_name(pols[i].pol));
			goto refuse;
		}
	if (!guard_posture_rules_ok(p, tmp, sizeof(tmp)))
		goto refuse;
	if (p->ipv6 == GUARD_IPV6_ENABLED &&
	    !(p->input6 == GUARD_POLICY_DROP && p->output6 == GUARD_POLICY_DROP &&
	      p->forward6 == GUARD_POLICY_DROP)) {
		snprintf(tmp, sizeof(tmp),
		         _("IPv6 is enabled on %s and ip6tables does not drop everything"),
		         p->ifname);
		goto refuse;
	}
	if (p->ipv6 == GUARD_IPV6_UNKNOWN) {
		snprintf(tmp, sizeof(tmp), _("cannot tell whether IPv6 is disabled on %s"),
		         p->ifname);
		goto refuse;
	}
	if (reason && len)
		reason[0] = '\0';
	return true;
refuse:
	if (reason && len)
		snprintf(reason, len, "%s", tmp);
	return false;
}

/* ------------------------------------------------------------------ */
/* recovery shares                                                     */

struct escrow_scan {
	time_t split_ts, rotate_ts, compromise_ts;
	unsigned split_gen;
	bool split;
	bool compromised; /* a compromise recorded after the last split */
};

static int
guard_escrow_row(const struct audit_row *r, void *ud)
{
	struct escrow_scan *s = ud;
	unsigned gen;

	if (strcmp(r->action, "escrow.split") == 0 && sscanf(r->detail, "gen=%u", &gen) == 1) {
		s->split = true;
		s->split_ts = r->ts;
		s->split_gen = gen;
		s->compromised = false;
	} else if (strcmp(r->action, "escrow.rotate") == 0) {
		s->rotate_ts = r->ts;
	} else if (strcmp(r->action, ESCROW_COMPROMISE_ACTION) == 0) {
		/* only the one action `escrow compromise` writes: the rows come
		 * in the chain's order, so "after the split" needs no clock */
		s->compromise_ts = r->ts;
		s->compromised = s->split;
	}
	return 0;
}

bool
guard_posture_escrow(struct store *st, char *warn, size_t len)
{
	struct escrow_scan s = { 0 };
	char when[32];
	struct tm tm;

	warn[0] = '\0';
	if (audit_foreach(st, guard_escrow_row, &s, NULL) != PT_OK || !s.split)
		return false;
	if (s.split_gen != store_key_generation(st)) {
		gmtime_r(&s.rotate_ts, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d", &tm);
		snprintf(warn, len,
		         _("the last recovery shares predate the rotation of the data key on %s: "
		           "they no longer open the store (make new ones: passtore escrow split)"),
		         when);
		return true;
	}
	if (s.compromised) {
		gmtime_r(&s.compromise_ts, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d", &tm);
		snprintf(warn, len,
		         _("the recovery shares predate a suspected compromise recorded on %s: "
		           "rotate the data key and split it again (passtore escrow rotate)"),
		         when);
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* the console's gate                                                  */

enum pt_status
guard_window_allowed(struct store *st, struct pt_err *err)
{
	struct guard_posture *p;
	enum guard_backend fw;
	char *ifname = NULL, reason[512];
	enum pt_status ret;

	if ((ret = settings_get(st, "net.interface", &ifname, err)) != PT_OK)
		return ret;
	if (!ifname)
		return pt_fail(
			err, PT_REFUSED,
			_("net.interface is not set (passtore config set net.interface IF)"));
	p = calloc(1, sizeof(*p));
	if (!p) {
		free(ifname);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	ret = transfer_firewall(st, &fw, err);
	if (ret == PT_OK)
		ret = guard_posture_fw(ifname, fw, p, err);
	if (ret == PT_OK && !guard_posture_ok(p, reason, sizeof(reason)))
		ret = pt_fail(err, PT_REFUSED,
		              _("no window opens while the station's posture is broken: %s; fix "
		                "that first (passtore posture shows the whole station)"),
		              reason);
	free(p);
	free(ifname);
	return ret;
}

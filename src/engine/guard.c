/* guard.c - the pin-hole: window rules through libiptc, posture, and the
 * link and host route through rtnetlink (libmnl).
 *
 * Rule layouts are the ones the kernel accepted on Debian 12 (see
 * KNOWN-GROUND.md): the kernel checks them only at commit time, and
 * iptc_delete_entry compares whole entries byte for byte, so every entry is
 * built zeroed, in one fixed order, by one function.
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

#include <libiptc/libiptc.h>
#include <libiptc/libip6tc.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "base/i18n.h"

#define GUARD_LOCK_PATH "/run/xtables.lock"
#define GUARD_LOCK_TRIES 500            /* x 10 ms */
#define GUARD_COMMIT_TRIES 8
#define GUARD_MATCH_HDR XT_ALIGN(sizeof(struct xt_entry_match))
/* MNL_SOCKET_BUFFER_SIZE is min(page size, 8192), computed at run time. */
#define GUARD_NL_BUF 8192

static const xt_chainlabel guard_chain_input = "INPUT";
static const xt_chainlabel guard_chain_output = "OUTPUT";
static const xt_chainlabel guard_chain_forward = "FORWARD";
static const char guard_table[] = "filter";

/* ------------------------------------------------------------------ */
/* timing                                                              */

uint64_t
guard_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

double
guard_ms_between(uint64_t a_us, uint64_t b_us)
{
	return b_us > a_us ? (double)(b_us - a_us) / 1000.0 : 0.0;
}

double
guard_exposure_ms(const struct guard_exposure *x)
{
	if (!x || !x->opened_us || !x->closed_us)
		return -1.0;
	return guard_ms_between(x->opened_us, x->closed_us);
}

static void
guard_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* window                                                              */

static bool
guard_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n >= GUARD_ID_MAX)
		return false;
	for (; *id; id++)
		if (!isalnum((unsigned char)*id) && !strchr("._:-", *id))
			return false;
	return true;
}

enum pt_status
guard_window_init(struct guard_window *w, const char *id, const char *ifname,
		  struct in_addr peer, uint16_t port, struct pt_err *err)
{
	memset(w, 0, sizeof(*w));
	if (!id || !guard_id_valid(id))
		return pt_fail(err, PT_INVALID,
			       _("invalid window id \"%s\": use 1 to %d letters, digits, '.', '_', ':' or '-'"),
			       id ? id : "", GUARD_ID_MAX - 1);
	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ || strchr(ifname, '+'))
		return pt_fail(err, PT_INVALID, _("invalid interface name \"%s\""),
			       ifname ? ifname : "");
	if (peer.s_addr == htonl(INADDR_ANY) || peer.s_addr == htonl(INADDR_BROADCAST)) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &peer, a, sizeof(a));
		return pt_fail(err, PT_INVALID, _("invalid peer address %s"), a);
	}
	if (port == 0)
		return pt_fail(err, PT_INVALID, _("invalid port 0"));
	snprintf(w->id, sizeof(w->id), "%s", id);
	snprintf(w->ifname, sizeof(w->ifname), "%s", ifname);
	w->peer = peer;
	w->port = port;
	return PT_OK;
}

static bool
guard_window_valid(const struct guard_window *w, struct pt_err *err)
{
	struct guard_window copy;

	return guard_window_init(&copy, w->id, w->ifname, w->peer, w->port, err) == PT_OK;
}

/* ------------------------------------------------------------------ */
/* entries                                                             */

static struct xt_entry_match *
guard_put_match(unsigned char *at, const char *name, uint8_t revision, size_t datalen)
{
	struct xt_entry_match *m = (struct xt_entry_match *)at;

	m->u.user.match_size = (uint16_t)(GUARD_MATCH_HDR + XT_ALIGN(datalen));
	snprintf(m->u.user.name, sizeof(m->u.user.name), "%s", name);
	m->u.user.revision = revision;
	return m;
}

/* The OUTPUT rule (output) or the INPUT rule of w, calloc'ed; NULL if out of
 * memory.  *size receives next_offset. */
static struct ipt_entry *
guard_entry_new(const struct guard_window *w, bool output, size_t *size)
{
	size_t off = XT_ALIGN(sizeof(struct ipt_entry));
	size_t tcp_sz = GUARD_MATCH_HDR + XT_ALIGN(sizeof(struct xt_tcp));
	size_t ct_sz = output ? 0 : GUARD_MATCH_HDR + XT_ALIGN(sizeof(struct xt_conntrack_mtinfo3));
	size_t cm_sz = GUARD_MATCH_HDR + XT_ALIGN(sizeof(struct xt_comment_info));
	size_t tg_sz = XT_ALIGN(sizeof(struct xt_standard_target));
	size_t total = off + tcp_sz + ct_sz + cm_sz + tg_sz;
	unsigned char *buf = calloc(1, total);
	struct ipt_entry *e = (struct ipt_entry *)buf;
	struct xt_entry_match *m;
	struct xt_tcp *tcp;
	struct xt_comment_info *cm;
	struct xt_standard_target *t;
	char *via;
	unsigned char *via_mask;
	size_t n = strlen(w->ifname);

	if (!buf)
		return NULL;
	e->ip.proto = IPPROTO_TCP;  /* the kernel refuses a tcp match without it */
	if (output) {
		e->ip.dst = w->peer;
		e->ip.dmsk.s_addr = htonl(INADDR_BROADCAST);
		via = e->ip.outiface;
		via_mask = e->ip.outiface_mask;
	} else {
		e->ip.src = w->peer;
		e->ip.smsk.s_addr = htonl(INADDR_BROADCAST);
		via = e->ip.iniface;
		via_mask = e->ip.iniface_mask;
	}
	memcpy(via, w->ifname, n);
	memset(via_mask, 0xFF, n + 1);  /* exact name, as iptables -i/-o does */

	m = guard_put_match(buf + off, "tcp", 0, sizeof(struct xt_tcp));
	tcp = (struct xt_tcp *)m->data;
	tcp->spts[0] = 0;
	tcp->spts[1] = 0xFFFF;
	tcp->dpts[0] = 0;
	tcp->dpts[1] = 0xFFFF;
	if (output)
		tcp->dpts[0] = tcp->dpts[1] = w->port;
	else
		tcp->spts[0] = tcp->spts[1] = w->port;
	off += tcp_sz;

	if (!output) {
		struct xt_conntrack_mtinfo3 *ct;

		m = guard_put_match(buf + off, "conntrack", 3, sizeof(*ct));
		ct = (struct xt_conntrack_mtinfo3 *)m->data;
		ct->match_flags = XT_CONNTRACK_STATE;
		ct->state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED);
		off += ct_sz;
	}

	m = guard_put_match(buf + off, "comment", 0, sizeof(struct xt_comment_info));
	cm = (struct xt_comment_info *)m->data;
	snprintf(cm->comment, sizeof(cm->comment), GUARD_TAG "%s", w->id);
	off += cm_sz;

	e->target_offset = (uint16_t)off;
	e->next_offset = (uint16_t)total;
	t = (struct xt_standard_target *)(buf + off);
	t->target.u.user.target_size = (uint16_t)tg_sz;
	snprintf(t->target.u.user.name, sizeof(t->target.u.user.name), "%s", "ACCEPT");
	*size = total;
	return e;
}

/* Comment of a rule if it carries GUARD_TAG, else NULL. */
static const char *
guard_entry_tag(const struct ipt_entry *e)
{
	size_t off = sizeof(struct ipt_entry);

	while (off + sizeof(struct xt_entry_match) <= e->target_offset) {
		const struct xt_entry_match *m =
			(const struct xt_entry_match *)((const unsigned char *)e + off);

		if (m->u.match_size < sizeof(struct xt_entry_match))
			break;
		if (strcmp(m->u.user.name, "comment") == 0 &&
		    m->u.match_size >= GUARD_MATCH_HDR + sizeof(struct xt_comment_info)) {
			const struct xt_comment_info *cm = (const void *)m->data;

			if (strncmp(cm->comment, GUARD_TAG, strlen(GUARD_TAG)) == 0 &&
			    memchr(cm->comment, '\0', sizeof(cm->comment)))
				return cm->comment;
		}
		off += m->u.match_size;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* lock and transaction                                                */

static int
guard_lock(struct pt_err *err)
{
	const char *path = getenv("XTABLES_LOCKFILE");
	int fd, i;

	if (!path || !*path)
		path = GUARD_LOCK_PATH;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		pt_fail(err, PT_NET, _("cannot open the firewall lock %s: %s"), path, strerror(errno));
		return -1;
	}
	for (i = 0; i < GUARD_LOCK_TRIES; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		guard_sleep_ms(10);
	}
	pt_fail(err, errno == EWOULDBLOCK ? PT_TIMEOUT : PT_NET,
		_("cannot take the firewall lock %s: %s"), path, strerror(errno));
	close(fd);
	return -1;
}

static void
guard_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

/* One edit of table filter: returns PT_OK and sets *commit when there is
 * something to commit. */
typedef enum pt_status (*guard_edit_fn)(struct xtc_handle *h, void *arg,
					bool *commit, struct pt_err *err);

/* Lock, init, edit, commit, free, unlock; a commit that fails with EAGAIN
 * (another writer changed the table) is redone from a fresh init.  The
 * times just before and just after the successful commit go to t0/t1. */
static enum pt_status
guard_transact(const char *step, guard_edit_fn edit, void *arg,
	       uint64_t *t0, uint64_t *t1, struct pt_err *err)
{
	enum pt_status st = PT_OK;
	int attempt;

	for (attempt = 1; attempt <= GUARD_COMMIT_TRIES; attempt++) {
		struct xtc_handle *h;
		bool commit = false;
		uint64_t before;
		int fd = guard_lock(err);
		int e;

		if (fd < 0)
			return err ? err->status : PT_NET;
		h = iptc_init(guard_table);
		if (!h) {
			e = errno;
			guard_unlock(fd);
			/* TRANSLATORS: the first %s is a step such as "opening the
			 * window", the second the table name, the last the
			 * libiptc error. */
			return pt_fail(err, PT_NET, _("%s: cannot read the firewall table %s: %s"),
				       step, guard_table, iptc_strerror(e));
		}
		st = edit(h, arg, &commit, err);
		if (st != PT_OK || !commit) {
			iptc_free(h);
			guard_unlock(fd);
			return st;
		}
		before = guard_now_us();
		if (iptc_commit(h)) {
			uint64_t after = guard_now_us();

			if (t0)
				*t0 = before;
			if (t1)
				*t1 = after;
			iptc_free(h);
			guard_unlock(fd);
			return PT_OK;
		}
		e = errno;
		iptc_free(h);
		guard_unlock(fd);
		if (e != EAGAIN || attempt == GUARD_COMMIT_TRIES)
			return pt_fail(err, PT_NET, _("%s: committing the firewall table %s failed: %s"),
				       step, guard_table, iptc_strerror(e));
		guard_sleep_ms(attempt);
	}
	return st;
}

/* ------------------------------------------------------------------ */
/* window rules                                                        */

struct guard_pair {
	const struct guard_window *w;
	struct ipt_entry *out, *in;
	unsigned char *mask;    /* 0xFF over the larger entry */
	int missing;            /* remove: rules that were not there */
};

static enum pt_status
guard_pair_build(struct guard_pair *p, const struct guard_window *w, struct pt_err *err)
{
	size_t out_sz = 0, in_sz = 0;

	memset(p, 0, sizeof(*p));
	p->w = w;
	p->out = guard_entry_new(w, true, &out_sz);
	p->in = guard_entry_new(w, false, &in_sz);
	p->mask = malloc(out_sz > in_sz ? out_sz : in_sz);
	if (!p->out || !p->in || !p->mask)
		return pt_fail(err, PT_NOMEM, NULL);
	memset(p->mask, 0xFF, out_sz > in_sz ? out_sz : in_sz);
	return PT_OK;
}

static void
guard_pair_free(struct guard_pair *p)
{
	free(p->out);
	free(p->in);
	free(p->mask);
	memset(p, 0, sizeof(*p));
}

static enum pt_status
guard_edit_add(struct xtc_handle *h, void *arg, bool *commit, struct pt_err *err)
{
	struct guard_pair *p = arg;

	if (iptc_check_entry(guard_chain_output, p->out, p->mask, h) ||
	    iptc_check_entry(guard_chain_input, p->in, p->mask, h))
		return pt_fail(err, PT_EXISTS, _("window %s is already open"), p->w->id);
	if (!iptc_append_entry(guard_chain_output, p->out, h))
		return pt_fail(err, PT_NET, _("adding the OUTPUT rule of window %s: %s"),
			       p->w->id, iptc_strerror(errno));
	if (!iptc_append_entry(guard_chain_input, p->in, h))
		return pt_fail(err, PT_NET, _("adding the INPUT rule of window %s: %s"),
			       p->w->id, iptc_strerror(errno));
	*commit = true;
	return PT_OK;
}

static enum pt_status
guard_edit_remove(struct xtc_handle *h, void *arg, bool *commit, struct pt_err *err)
{
	struct guard_pair *p = arg;

	(void)err;
	p->missing = 0;
	if (iptc_delete_entry(guard_chain_output, p->out, p->mask, h))
		*commit = true;
	else
		p->missing++;
	if (iptc_delete_entry(guard_chain_input, p->in, p->mask, h))
		*commit = true;
	else
		p->missing++;
	return PT_OK;
}

enum pt_status
guard_rules_add_timed(const struct guard_window *w, struct guard_exposure *x,
		      struct pt_err *err)
{
	struct guard_pair p;
	enum pt_status st;
	uint64_t t0 = 0;

	if (!guard_window_valid(w, err))
		return PT_INVALID;
	st = guard_pair_build(&p, w, err);
	if (st == PT_OK)
		st = guard_transact(_("opening the window"), guard_edit_add, &p, &t0, NULL, err);
	if (st == PT_OK && x) {
		x->opened_us = t0;
		x->closed_us = 0;
	}
	guard_pair_free(&p);
	return st;
}

enum pt_status
guard_rules_remove_timed(const struct guard_window *w, struct guard_exposure *x,
			 struct pt_err *err)
{
	struct guard_pair p;
	enum pt_status st;
	uint64_t t1 = 0;

	if (!guard_window_valid(w, err))
		return PT_INVALID;
	st = guard_pair_build(&p, w, err);
	if (st == PT_OK)
		st = guard_transact(_("closing the window"), guard_edit_remove, &p, NULL, &t1, err);
	if (st == PT_OK && t1 && x)
		x->closed_us = t1;
	if (st == PT_OK && p.missing)
		st = pt_fail(err, PT_NOTFOUND,
			     p.missing == 2 ? _("window %s: no rule of it is in the firewall")
					    : _("window %s: one of its rules was missing; the other is removed"),
			     w->id);
	guard_pair_free(&p);
	return st;
}

enum pt_status
guard_rules_add(const struct guard_window *w, struct pt_err *err)
{
	return guard_rules_add_timed(w, NULL, err);
}

enum pt_status
guard_rules_remove(const struct guard_window *w, struct pt_err *err)
{
	return guard_rules_remove_timed(w, NULL, err);
}

#define GUARD_SWEEP_BATCH 256
#define GUARD_SWEEP_PASSES 16

struct guard_sweep_arg {
	int removed;
	bool more;      /* a chain held more tagged rules than one batch */
};

static enum pt_status
guard_edit_sweep(struct xtc_handle *h, void *arg, bool *commit, struct pt_err *err)
{
	static const char *const chains[] = {
		guard_chain_input, guard_chain_output, guard_chain_forward
	};
	struct guard_sweep_arg *s = arg;
	size_t c;

	s->removed = 0;
	s->more = false;
	for (c = 0; c < sizeof(chains) / sizeof(chains[0]); c++) {
		const struct ipt_entry *e;
		unsigned int num = 0, hits = 0;
		unsigned int idx[GUARD_SWEEP_BATCH];

		if (!iptc_is_chain(chains[c], h))
			continue;
		for (e = iptc_first_rule(chains[c], h); e; e = iptc_next_rule(e, h), num++) {
			if (!guard_entry_tag(e))
				continue;
			if (hits < GUARD_SWEEP_BATCH)
				idx[hits++] = num;
			else
				s->more = true;
		}
		/* From the last, so that the numbers of the others stay valid. */
		while (hits > 0) {
			if (!iptc_delete_num_entry(chains[c], idx[--hits], h))
				return pt_fail(err, PT_NET, _("sweep: removing rule %u of %s: %s"),
					       idx[hits] + 1, chains[c], iptc_strerror(errno));
			s->removed++;
		}
	}
	*commit = s->removed > 0;
	return PT_OK;
}

enum pt_status
guard_sweep(struct pt_err *err, int *removed)
{
	struct guard_sweep_arg s = { 0, false };
	enum pt_status st;
	int total = 0, pass = 0;

	do {
		st = guard_transact(_("sweeping passtore rules"), guard_edit_sweep, &s,
				    NULL, NULL, err);
		if (st == PT_OK)
			total += s.removed;
	} while (st == PT_OK && s.more && ++pass < GUARD_SWEEP_PASSES);
	if (removed)
		*removed = total;
	return st;
}

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
static void
guard_cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
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
			  ip->proto == IPPROTO_TCP ? "tcp" : ip->proto == IPPROTO_UDP ? "udp" :
			  ip->proto == IPPROTO_ICMP ? "icmp" : "other");
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

static bool
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
				guard_posture_rule(p->tagged, &p->n_tagged, &p->tagged_total,
						   chain, e, target);
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
	if (!fgets(line, sizeof(line), f)) {  /* header */
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
			   &state) != 3 || state != want)
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
/* rtnetlink                                                           */

static unsigned int
guard_ifindex(const char *ifname, struct pt_err *err)
{
	unsigned int idx = ifname && *ifname ? if_nametoindex(ifname) : 0;

	if (!idx)
		pt_fail(err, PT_NOTFOUND, _("interface %s not found"), ifname ? ifname : "");
	return idx;
}

struct guard_link_state {
	unsigned int index;
	bool seen, up, running;
	uint8_t operstate;
};

static int
guard_link_attr(const struct nlattr *a, void *data)
{
	struct guard_link_state *ls = data;

	if (mnl_attr_get_type(a) == IFLA_OPERSTATE &&
	    mnl_attr_validate(a, MNL_TYPE_U8) >= 0)
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
		pt_fail(err, PT_NET, _("%s: cannot open a netlink socket: %s"), step, strerror(errno));
		return NULL;
	}
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		pt_fail(err, PT_NET, _("%s: cannot bind a netlink socket: %s"), step, strerror(errno));
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

static enum pt_status
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
	enum pt_status st = guard_link_read(ifname, &ls, err);

	if (st != PT_OK)
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
	unsigned int idx = guard_ifindex(ifname, err);
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int e;

	if (!idx)
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
		return pt_fail(err, PT_NET, up ? _("bringing the link %s up: %s")
					       : _("bringing the link %s down: %s"),
			       ifname, strerror(e));
	return PT_OK;
}

enum pt_status
guard_link_wait_running(const char *ifname, int timeout_ms, double *waited_ms,
			struct pt_err *err)
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
		st = pt_fail(err, PT_NET, _("waiting for the link %s: %s"), ifname, strerror(errno));
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
			st = pt_fail(err, PT_NET, _("waiting for the link %s: %s"), ifname, strerror(errno));
			goto out;
		}
		if (r > 0) {
			n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
			if (n < 0 && errno == ENOBUFS) {  /* events overflowed: ask again */
				nlh = guard_nl_getlink(buf, ls.index);
				if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
					st = pt_fail(err, PT_NET, _("waiting for the link %s: %s"),
						     ifname, strerror(errno));
					goto out;
				}
			} else if (n < 0 && errno != EINTR) {
				st = pt_fail(err, PT_NET, _("waiting for the link %s: %s"),
					     ifname, strerror(errno));
				goto out;
			} else if (n > 0 &&
				   mnl_cb_run(buf, (size_t)n, 0, 0, guard_link_cb, &ls) < 0) {
				/* seq and portid 0 above: take the reply and the events. */
				st = pt_fail(err, PT_NET, _("waiting for the link %s: %s"),
					     ifname, strerror(errno));
				goto out;
			}
		}
		if (ls.running)
			break;
		/* Past the deadline: drain what is queued, but boundedly. */
		if (guard_now_us() >= deadline && (r <= 0 || ++late > 64)) {
			/* TRANSLATORS: the last %s is "up, no carrier" or "down". */
			st = pt_fail(err, PT_TIMEOUT, _("the link %s is not running after %d ms (%s)"),
				     ifname, timeout_ms, ls.up ? _("up, no carrier") : _("down"));
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
	unsigned int idx = guard_ifindex(ifname, err);
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	char p[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
	int e;

	if (!idx)
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
	rtm->rtm_scope = !add ? RT_SCOPE_NOWHERE :
			 gateway.s_addr ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
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
guard_route_add(struct in_addr peer, struct in_addr gateway, const char *ifname,
		struct pt_err *err)
{
	return guard_route(true, peer, gateway, ifname, err);
}

enum pt_status
guard_route_del(struct in_addr peer, struct in_addr gateway, const char *ifname,
		struct pt_err *err)
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
	unsigned int idx = guard_ifindex(ifname, err);
	uint64_t start = guard_now_us(), asked = 0;
	uint64_t deadline = start + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000u;
	char a[INET_ADDRSTRLEN];
	enum pt_status st = PT_OK;
	int e;

	if (!idx)
		return PT_NOTFOUND;
	while (!guard_neigh_complete(addr, ifname)) {
		uint64_t now = guard_now_us();
		if (now >= deadline) {
			inet_ntop(AF_INET, &addr, a, sizeof(a));
			st = pt_fail(err, PT_TIMEOUT, _("the gateway %s does not answer ARP on %s after %d ms"),
				     a, ifname, timeout_ms);
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
				st = pt_fail(err, PT_NET, _("%s %s dev %s: %s"), step, a, ifname, strerror(e));
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
guard_posture_ok(const struct guard_posture *p, char *reason, size_t len)
{
	char tmp[GUARD_RULE_TEXT + 128];
	const struct { const char *chain; enum guard_policy pol; } pols[] = {
		{ "INPUT", p->input }, { "OUTPUT", p->output }, { "FORWARD", p->forward },
	};
	size_t i;
	int k;

	tmp[0] = '\0';
	if (!p->iptables_ok) {
		snprintf(tmp, sizeof(tmp), _("the IPv4 firewall could not be read: %.200s"), p->error);
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
	if (p->tagged_total > 0) {
		snprintf(tmp, sizeof(tmp),
			 _("passtore rules are still in the firewall (%d), first: %s %s; sweep them first"),
			 p->tagged_total, p->tagged[0].chain, p->tagged[0].text);
		goto refuse;
	}
	for (k = 0; k < p->n_foreign; k++)
		if (!p->foreign[k].loopback) {
			snprintf(tmp, sizeof(tmp), _("a foreign ACCEPT rule is in the firewall: %s %s"),
				 p->foreign[k].chain, p->foreign[k].text);
			goto refuse;
		}
	if (p->foreign_total > p->n_foreign) {
		snprintf(tmp, sizeof(tmp), _("too many ACCEPT rules in the firewall (%d)"),
			 p->foreign_total);
		goto refuse;
	}
	if (!p->link_found) {
		snprintf(tmp, sizeof(tmp), _("interface %s not found"), p->ifname);
		goto refuse;
	}
	if (p->ipv6 == GUARD_IPV6_ENABLED &&
	    !(p->input6 == GUARD_POLICY_DROP && p->output6 == GUARD_POLICY_DROP &&
	      p->forward6 == GUARD_POLICY_DROP)) {
		snprintf(tmp, sizeof(tmp),
			 _("IPv6 is enabled on %s and ip6tables does not drop everything"), p->ifname);
		goto refuse;
	}
	if (p->ipv6 == GUARD_IPV6_UNKNOWN) {
		snprintf(tmp, sizeof(tmp), _("cannot tell whether IPv6 is disabled on %s"), p->ifname);
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

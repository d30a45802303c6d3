/* guard-fw.c - the window's firewall rules through libiptc: entries, the
 * xtables lock, transactions, adding, removing and sweeping rules.
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
	e->ip.proto = IPPROTO_TCP; /* the kernel refuses a tcp match without it */
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
	memset(via_mask, 0xFF, n + 1); /* exact name, as iptables -i/-o does */

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
const char *
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

int
guard_lock(struct pt_err *err)
{
	const char *path = getenv("XTABLES_LOCKFILE");
	int fd, i;

	if (!path || !*path)
		path = GUARD_LOCK_PATH;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		pt_fail(err, PT_NET, _("cannot open the firewall lock %s: %s"), path,
		        strerror(errno));
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

void
guard_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

/* One edit of table filter: returns PT_OK and sets *commit when there is
 * something to commit. */
typedef enum pt_status (*guard_edit_fn)(struct xtc_handle *h, void *arg, bool *commit,
                                        struct pt_err *err);

/* Lock, init, edit, commit, free, unlock; a commit that fails with EAGAIN
 * (another writer changed the table) is redone from a fresh init.  The
 * times just before and just after the successful commit go to t0/t1. */
static enum pt_status
guard_transact(const char *step, guard_edit_fn edit, void *arg, uint64_t *t0, uint64_t *t1,
               struct pt_err *err)
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
			return pt_fail(err, PT_NET,
			               _("%s: committing the firewall table %s failed: %s"), step,
			               guard_table, iptc_strerror(e));
		guard_sleep_ms(attempt);
	}
	return st;
}

/* ------------------------------------------------------------------ */
/* window rules                                                        */

struct guard_pair {
	const struct guard_window *w;
	struct ipt_entry *out, *in;
	unsigned char *mask; /* 0xFF over the larger entry */
	int missing;         /* remove: rules that were not there */
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
		return pt_fail(err, PT_NET, _("adding the OUTPUT rule of window %s: %s"), p->w->id,
		               iptc_strerror(errno));
	if (!iptc_append_entry(guard_chain_input, p->in, h))
		return pt_fail(err, PT_NET, _("adding the INPUT rule of window %s: %s"), p->w->id,
		               iptc_strerror(errno));
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

static enum pt_status
guard_ipt_add(const struct guard_window *w, struct guard_exposure *x, struct pt_err *err)
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

static enum pt_status
guard_ipt_remove(const struct guard_window *w, struct guard_exposure *x, struct pt_err *err)
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
		st = pt_fail(
			err, PT_NOTFOUND,
			p.missing == 2
				? _("window %s: no rule of it is in the firewall")
				: _("window %s: one of its rules was missing; the other is removed"),
			w->id);
	guard_pair_free(&p);
	return st;
}

#define GUARD_SWEEP_BATCH 256
#define GUARD_SWEEP_PASSES 16

struct guard_sweep_arg {
	int removed;
	bool more; /* a chain held more tagged rules than one batch */
};

static enum pt_status
guard_edit_sweep(struct xtc_handle *h, void *arg, bool *commit, struct pt_err *err)
{
	static const char *const chains[] = { guard_chain_input, guard_chain_output,
		                              guard_chain_forward };
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

static enum pt_status
guard_ipt_sweep(struct pt_err *err, int *removed)
{
	struct guard_sweep_arg s = { 0, false };
	enum pt_status st;
	int total = 0, pass = 0;

	do {
		st = guard_transact(_("sweeping passtore rules"), guard_edit_sweep, &s, NULL, NULL,
		                    err);
		if (st == PT_OK)
			total += s.removed;
	} while (st == PT_OK && s.more && ++pass < GUARD_SWEEP_PASSES);
	if (removed)
		*removed = total;
	return st;
}

bool
guard_ipt_in_use(void)
{
	struct xtc_handle *h;
	struct xt_counters cnt;
	const char *chain;
	bool used = false;
	int fd = guard_lock(NULL);

	if (fd < 0)
		return false;
	h = iptc_init(guard_table);
	for (chain = h ? iptc_first_chain(h) : NULL; chain && !used; chain = iptc_next_chain(h)) {
		const char *pol = iptc_get_policy(chain, &cnt, h);

		used = iptc_first_rule(chain, h) != NULL || (pol && strcmp(pol, "ACCEPT") != 0);
	}
	if (h)
		iptc_free(h);
	guard_unlock(fd);
	return used;
}

const struct guard_fw_ops guard_fw_iptables_ops = {
	.name = "iptables",
	.add = guard_ipt_add,
	.remove = guard_ipt_remove,
	.sweep = guard_ipt_sweep,
	.posture = guard_posture_iptables,
};

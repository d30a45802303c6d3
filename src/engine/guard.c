/* guard.c - the pin-hole (see guard.h): timing and the window.  The
 * firewall rules are in guard-fw.c (libiptc), the link, route and
 * neighbour in guard-nl.c (rtnetlink), the posture check in
 * guard-posture.c; what they share is in engine/private.h.
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

void
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
guard_window_init(struct guard_window *w, const char *id, const char *ifname, struct in_addr peer,
                  uint16_t port, struct pt_err *err)
{
	memset(w, 0, sizeof(*w));
	if (!id || !guard_id_valid(id))
		return pt_fail(
			err, PT_INVALID,
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

bool
guard_window_valid(const struct guard_window *w, struct pt_err *err)
{
	struct guard_window copy;

	return guard_window_init(&copy, w->id, w->ifname, w->peer, w->port, err) == PT_OK;
}

/* ------------------------------------------------------------------ */
/* backends                                                            */

bool
guard_backend_parse(const char *s, enum guard_backend *b)
{
	static const struct {
		const char *name;
		enum guard_backend b;
	} names[] = {
		{ "auto", GUARD_FW_AUTO },
		{ "iptables", GUARD_FW_IPTABLES },
		{ "nftables", GUARD_FW_NFTABLES },
	};

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			if (b)
				*b = names[i].b;
			return true;
		}
	return false;
}

const char *
guard_backend_name(enum guard_backend b)
{
	switch (b) {
	case GUARD_FW_IPTABLES: return "iptables";
	case GUARD_FW_NFTABLES: return "nftables";
	default: return "auto";
	}
}

enum guard_backend
guard_backend_resolve(enum guard_backend b)
{
	if (b != GUARD_FW_AUTO)
		return b;
	if (privsep_active()) {
		/* the helper's choice, or the safe default when it cannot say */
		if (privsep_posture("", &b, NULL, NULL) != PT_OK)
			b = GUARD_FW_IPTABLES;
		return b;
	}
	/* a legacy ruleset in use keeps its backend: both hooks run on every
	 * packet, so a window in nf_tables alone would be dropped there */
	if (guard_nft_works() && !guard_ipt_in_use())
		return GUARD_FW_NFTABLES;
	return GUARD_FW_IPTABLES;
}

static const struct guard_fw_ops *
guard_ops(enum guard_backend fw)
{
	return fw == GUARD_FW_NFTABLES ? &guard_fw_nftables_ops : &guard_fw_iptables_ops;
}

enum pt_status
guard_rules_add_timed(const struct guard_window *w, struct guard_exposure *x, struct pt_err *err)
{
	return guard_ops(w->fw)->add(w, x, err);
}

enum pt_status
guard_rules_remove_timed(const struct guard_window *w, struct guard_exposure *x, struct pt_err *err)
{
	return guard_ops(w->fw)->remove(w, x, err);
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

enum pt_status
guard_sweep(struct pt_err *err, int *removed)
{
	return guard_fw_iptables_ops.sweep(err, removed);
}

enum pt_status
guard_sweep_fw(enum guard_backend fw, struct pt_err *err, int *removed)
{
	return guard_ops(fw)->sweep(err, removed);
}

enum pt_status
guard_posture_fw(const char *ifname, enum guard_backend fw, struct guard_posture *out,
                 struct pt_err *err)
{
	enum pt_status ret;
	struct pt_err ferr = { 0 };

	if (privsep_active())
		return privsep_posture(ifname, &fw, out, err);
	ret = guard_posture(ifname, out, err);
	out->backend = fw == GUARD_FW_NFTABLES ? fw : GUARD_FW_IPTABLES;
	if (fw != GUARD_FW_NFTABLES || ret == PT_INVALID)
		return ret;
	/* the firewall part is the nftables one: forget what libiptc said */
	out->legacy_drops = out->iptables_ok &&
	                    (out->input == GUARD_POLICY_DROP || out->output == GUARD_POLICY_DROP);
	out->input = out->output = out->forward = GUARD_POLICY_UNKNOWN;
	out->n_foreign = out->foreign_total = out->n_tagged = out->tagged_total = 0;
	if (out->link_found)
		out->error[0] = '\0';
	out->iptables_ok = guard_fw_nftables_ops.posture(out, &ferr);
	if (!out->iptables_ok && !out->error[0])
		snprintf(out->error, sizeof(out->error), "%s", ferr.detail);
	/* the inet table's chains see IPv6 too */
	out->input6 = out->input;
	out->output6 = out->output;
	out->forward6 = out->forward;
	if (!out->iptables_ok && !out->link_found)
		return pt_fail(err, ferr.status ? ferr.status : PT_NET, "%s", out->error);
	pt_err_clear(err);
	return PT_OK;
}

enum pt_status
guard_posture_here(const char *ifname, enum guard_backend *fw, struct guard_posture *out,
                   struct pt_err *err)
{
	*fw = guard_backend_resolve(*fw);
	if (!ifname || !*ifname) {
		pt_err_clear(err);
		return PT_OK;
	}
	return guard_posture_fw(ifname, *fw, out, err);
}

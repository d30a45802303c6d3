/* guard-window.c - a window's whole life in four requests (guard.h):
 * open, close, recover, and (guard.c) posture.  The same functions run
 * in this process when no privileged helper is up and inside the helper
 * otherwise (privsep.c serves them, and forwards the calls of the main
 * process to it).
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "engine/guard.h"
#include "engine/private.h"

#include "base/i18n.h"

static volatile sig_atomic_t cancelled;

void
guard_window_cancel(void)
{
	if (privsep_active())
		privsep_cancel();
	else
		cancelled = 1;
}

static bool
stopped(bool (*stop)(void *ud), void *ud)
{
	return cancelled || (stop && stop(ud));
}

/* The first failure of a close: what the caller sees. */
static void
keep_first(enum pt_status st, const struct pt_err *now, enum pt_status *ret, struct pt_err *err)
{
	if (st == PT_OK || *ret != PT_OK)
		return;
	*ret = st;
	if (err)
		*err = *now;
}

enum pt_status
guard_window_close_here(struct guard_open *o, struct pt_err *err)
{
	struct pt_err e2 = { 0 };
	enum pt_status ret = PT_OK, st;

	if (o->rules_in) {
		st = guard_rules_remove_timed(&o->w, &o->x, &e2);
		keep_first(st, &e2, &ret, err);
		/* PT_NET/PT_TIMEOUT: the rules may still be in, the next try
		 * (or recovery) removes them */
		if (st != PT_NET && st != PT_TIMEOUT)
			o->rules_in = false;
	}
	if (o->link_raised) {
		st = guard_link_set(o->w.ifname, false, &e2);
		keep_first(st, &e2, &ret, err);
		o->link_down_us = guard_now_us();
		o->link_raised = false;
	}
	/* taking the link down took the route with it: an absent one is fine */
	if (o->route_added) {
		st = guard_route_del(o->w.peer, o->gw, o->w.ifname, &e2);
		keep_first(st == PT_NOTFOUND ? PT_OK : st, &e2, &ret, err);
		o->route_added = false;
	}
	/* the station goes back to what it was: no table of passtore's */
	if (o->nft_created) {
		st = guard_nft_table_drop(&e2);
		keep_first(st, &e2, &ret, err);
		o->nft_created = false;
	}
	if (ret == PT_OK)
		pt_err_clear(err);
	return ret;
}

enum pt_status
guard_window_open_here(struct guard_open *o, bool (*stop)(void *ud), void *ud, struct pt_err *err)
{
	struct pt_err cerr = { 0 };
	enum pt_status ret;
	double waited;

	o->nft_created = o->link_raised = o->route_added = o->rules_in = false;
	o->link_up_us = o->link_down_us = 0;
	memset(&o->x, 0, sizeof(o->x));
	cancelled = 0;
	if (o->w.fw != GUARD_FW_IPTABLES && o->w.fw != GUARD_FW_NFTABLES)
		return pt_fail(err, PT_INVALID, _("invalid firewall backend"));
	/* nftables without a boot table: the closed table before the link */
	ret = guard_fw_prepare(o->w.fw, &o->nft_created, err);
	if (ret == PT_OK) {
		o->link_up_us = guard_now_us();
		o->link_raised = true;
		ret = guard_link_set(o->w.ifname, true, err);
	}
	if (ret == PT_OK)
		ret = guard_link_wait_running(o->w.ifname, o->wait_ms, &waited, err);
	/* the kernel dropped the route with the link: put it back */
	if (ret == PT_OK) {
		ret = guard_route_add(o->w.peer, o->gw, o->w.ifname, err);
		o->route_added = ret == PT_OK;
	}
	/* and know the neighbour before the rules go in, not inside them */
	if (ret == PT_OK)
		ret = guard_neigh_resolve(o->gw, o->w.ifname, o->wait_ms, &waited, err);
	if (ret == PT_OK && !stopped(stop, ud)) {
		ret = guard_rules_add_timed(&o->w, &o->x, err);
		/* PT_EXISTS: rules of that id are in, and are taken out below */
		o->rules_in = ret == PT_OK || ret == PT_EXISTS;
	}
	if (ret != PT_OK)
		(void)guard_window_close_here(o, &cerr);
	return ret;
}

enum pt_status
guard_window_recover_here(const struct guard_recover *r, int *removed, struct pt_err *err)
{
	enum pt_status ret = PT_OK;
	int n = 0;

	*removed = 0;
	if (r->ipt && (ret = guard_sweep_fw(GUARD_FW_IPTABLES, err, &n)) == PT_OK)
		*removed += n;
	if (ret == PT_OK && r->nft && (ret = guard_sweep_fw(GUARD_FW_NFTABLES, err, &n)) == PT_OK)
		*removed += n;
	if (ret == PT_OK && r->nft_table)
		ret = guard_nft_table_drop(err);
	/* the rules may still be in after a failure: the link stays as it is,
	 * as the journal's rows stay open */
	if (ret == PT_OK && r->ifname[0])
		(void)guard_link_set(r->ifname, false, NULL);
	return ret;
}

enum pt_status
guard_window_open(struct guard_open *o, bool (*stop)(void *ud), void *ud, struct pt_err *err)
{
	if (privsep_active())
		return privsep_open(o, stop, ud, err);
	return guard_window_open_here(o, stop, ud, err);
}

enum pt_status
guard_window_close(struct guard_open *o, struct pt_err *err)
{
	if (privsep_active())
		return privsep_close(o, err);
	return guard_window_close_here(o, err);
}

enum pt_status
guard_window_recover(const struct guard_recover *r, int *removed, struct pt_err *err)
{
	if (privsep_active())
		return privsep_recover(r, removed, err);
	return guard_window_recover_here(r, removed, err);
}

/* engine/private.h - what the engine/ files share among themselves and
 * nobody else: the helpers of guard.c and its guard-*.c parts, and of
 * sshx.c and its sshx-*.c parts.  Never included from outside
 * src/engine/. */
#ifndef PASSTORE_ENGINE_PRIVATE_H
#define PASSTORE_ENGINE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libiptc/libiptc.h>

#include "base/lib.h"
#include "engine/guard.h"

/* ---- guard.c and guard-*.c --------------------------------------------- */

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

/* guard.c: sleep ms milliseconds, resumed across signals. */
void guard_sleep_ms(int ms);
/* guard.c: whether w passes guard_window_init's checks. */
bool guard_window_valid(const struct guard_window *w, struct pt_err *err);

/* guard-fw.c: take the xtables lock (as iptables does); its fd, or -1
 * with err set. */
int guard_lock(struct pt_err *err);
void guard_unlock(int fd);
/* guard-fw.c: comment of a rule if it carries GUARD_TAG, else NULL. */
const char *guard_entry_tag(const struct ipt_entry *e);

/* guard-nl.c: one link as rtnetlink reports it. */
struct guard_link_state {
	unsigned int index;
	bool seen, up, running;
	uint8_t operstate;
};

/* guard-nl.c: read the state of link ifname. */
enum pt_status guard_link_read(const char *ifname, struct guard_link_state *ls,
			       struct pt_err *err);

#endif

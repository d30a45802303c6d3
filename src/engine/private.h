/* engine/private.h - what the engine's files share and no other folder
 * sees: the planning helpers and the plan and run functions of each flow
 * that plan.c puts in its table. */
#ifndef PASSTORE_ENGINE_PRIVATE_H
#define PASSTORE_ENGINE_PRIVATE_H

#include <stdbool.h>

#include "base/lib.h"
#include "store/lib.h"
#include "engine/transfer.h"

/* The modes of the files a flow writes on a peer (the table shows them,
 * the flows write with them). */
#define FLOW_MODE_SECRET 0400
#define FLOW_MODE_PUBLIC 0644

/* One more reason the flow would be refused (kept in order, the first
 * decides the exit status). */
void plan_why(struct transfer_plan *p, enum pt_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A status that refuses (not found, refused, invalid...), not a failure. */
bool plan_is_refusal(enum pt_status st);
/* After a call that may refuse: a refusal (not found, refused, invalid)
 * becomes a reason and PT_OK; a failure of the store or of memory stays
 * the return value. */
enum pt_status plan_take(struct transfer_plan *p, enum pt_status ret, const struct pt_err *e);
/* A setting the window uses, read and checked with settings_check: a
 * value stored behind passtore's back is a reason here, before any
 * window.  *value NULL when unset (without default) or refused. */
enum pt_status plan_setting(struct store *st, struct transfer_plan *p, const char *key,
                            char **value, struct pt_err *err);
enum pt_status plan_host_setting(struct store *st, struct transfer_plan *p, const char *fqdn,
                                 const char *what, char **value, struct pt_err *err);
/* The peer part (host, address, interface, login, pin) into p, its
 * refusals as reasons; only failures are returned. */
enum pt_status plan_peer(struct store *st, const char *host, struct transfer_plan *p,
                         struct pt_err *err);
/* The operator's host entry (operator.host), or a reason; *op NULL then. */
enum pt_status plan_operator(struct store *st, struct transfer_plan *p, char **op,
                             struct pt_err *err);
/* No pin and no fingerprint given: the reason. */
void plan_nopin(struct transfer_plan *p);
/* PT_OK when p has no reason, else its first one into err. */
enum pt_status plan_verdict(const struct transfer_plan *p, struct pt_err *err);
/* The next file row of p, or NULL when full (the last row then says how
 * many more there are). */
struct transfer_file *plan_file(struct transfer_plan *p);

/* The flows (flows.c, flows-grid.c): plan fills p (reasons included),
 * run is called once the plan has no reason. */
#define FLOW_FNS(name)                                                                          \
	enum pt_status name##_plan(struct store *st, const char *target, struct transfer_plan *p, \
	                           struct pt_err *err);                                           \
	enum pt_status name##_run(struct store *st, const char *target,                          \
	                          const struct transfer_opts *o, struct transfer_result *res,     \
	                          struct pt_err *err);
FLOW_FNS(flow_send_csr)
FLOW_FNS(flow_install)
FLOW_FNS(flow_fetch_certs)
FLOW_FNS(flow_gridmap_push)
FLOW_FNS(flow_fetch_vo)
#undef FLOW_FNS

#endif

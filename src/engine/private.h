/* engine/private.h - what the engine/ files share among themselves and
 * nobody else: the helpers of guard.c and its guard-*.c parts, of sshx.c
 * and its sshx-*.c parts, and the planning helpers and the plan and run
 * functions of each flow that plan.c puts in its table.  Never included
 * from outside src/engine/. */
#ifndef PASSTORE_ENGINE_PRIVATE_H
#define PASSTORE_ENGINE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

#include <libiptc/libiptc.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include "base/lib.h"
#include "store/lib.h"
#include "engine/transfer.h"
#include "engine/guard.h"
#include "engine/sshx.h"
#include "engine/privsep.h"

/* ---- guard.c and guard-*.c --------------------------------------------- */

/* guard-window.c: the four requests as this process runs them (the
 * helper runs these; guard_window_* call them when no helper is up). */
enum pt_status guard_window_open_here(struct guard_open *o, bool (*stop)(void *ud), void *ud,
                                      struct pt_err *err);
enum pt_status guard_window_close_here(struct guard_open *o, struct pt_err *err);
enum pt_status guard_window_recover_here(const struct guard_recover *r, int *removed,
                                         struct pt_err *err);
/* guard.c: posture (and the backend's resolution) as this process reads
 * it: ifname "" resolves fw only. */
enum pt_status guard_posture_here(const char *ifname, enum guard_backend *fw,
                                  struct guard_posture *out, struct pt_err *err);

/* privsep.c: the client side of the helper, one round trip a request;
 * guard_window_* and the posture forward to these when the helper is up. */
/* open: numbered before stop(ud) is read; nothing is sent if it says a
 * signal came, and an OPEN refused for a CANCEL is PT_OK, nothing opened */
enum pt_status privsep_open(struct guard_open *o, bool (*stop)(void *ud), void *ud,
                            struct pt_err *err);
enum pt_status privsep_close(struct guard_open *o, struct pt_err *err);
enum pt_status privsep_recover(const struct guard_recover *r, int *removed, struct pt_err *err);
/* fw: AUTO resolved into *fw; ifname "" (out may be NULL): only that */
enum pt_status privsep_posture(const char *ifname, enum guard_backend *fw,
                               struct guard_posture *out, struct pt_err *err);
/* async-signal-safe, after the caller's stop flag is set: the open of
 * the last number stops before its rules, or is refused if not begun */
void privsep_cancel(void);

#define GUARD_LOCK_PATH "/run/xtables.lock"
#define GUARD_LOCK_TRIES 500 /* x 10 ms */
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

/* One firewall backend: what guard.c dispatches to (guard-fw.c for
 * libiptc, guard-nft.c for libnftables).  add/remove/sweep as
 * guard_rules_add_timed, guard_rules_remove_timed and guard_sweep;
 * posture fills the firewall part of p (policies, passtore's leftovers,
 * foreign accepts) and returns false, with err set, when it could not
 * read the firewall. */
struct guard_fw_ops {
	const char *name;
	enum pt_status (*add)(const struct guard_window *w, struct guard_exposure *x,
	                      struct pt_err *err);
	enum pt_status (*remove)(const struct guard_window *w, struct guard_exposure *x,
	                         struct pt_err *err);
	enum pt_status (*sweep)(struct pt_err *err, int *removed);
	bool (*posture)(struct guard_posture *p, struct pt_err *err);
};
extern const struct guard_fw_ops guard_fw_iptables_ops;
extern const struct guard_fw_ops guard_fw_nftables_ops;

/* guard-fw.c: whether the legacy filter table holds a rule or a policy
 * other than ACCEPT (false when it cannot be read). */
bool guard_ipt_in_use(void);
/* guard-posture.c: the libiptc part of the posture. */
bool guard_posture_iptables(struct guard_posture *p, struct pt_err *err);
/* guard-nft.c: whether the kernel's nf_tables answers. */
bool guard_nft_works(void);
/* guard-posture.c: what both backends refuse alike (passtore's own rules
 * left over, a foreign ACCEPT rule, the interface missing): false with
 * the reason in tmp. */
bool guard_posture_rules_ok(const struct guard_posture *p, char *tmp, size_t len);
/* guard-nft.c: guard_posture_ok for the nftables backend. */
bool guard_nft_posture_ok(const struct guard_posture *p, char *reason, size_t len);

/* guard-nl.c: one link as rtnetlink reports it. */
struct guard_link_state {
	unsigned int index;
	bool seen, up, running;
	uint8_t operstate;
};

/* guard-nl.c: read the state of link ifname. */
enum pt_status guard_link_read(const char *ifname, struct guard_link_state *ls, struct pt_err *err);

/* ---- sshx.c and sshx-*.c ------------------------------------------------ */

#define SSHX_CHUNK 32768
#define SSHX_LIST_MAX 4096
#define SSHX_CLOSE_GRACE_MS 2000
#define SSHX_SHA256_LEN 32
#define SSHX_RUN_TAIL 4096  /* bytes of a command's output kept */
#define SSHX_TAIL_TEXT 1024 /* the last lines of it that go into the journal */

struct sshx {
	ssh_session ssh;
	sftp_session sftp;
	char peer[64];       /* "10.1.2.3:22" for messages */
	struct in_addr addr; /* the peer, parsed once by sshx_prepare */
	char fp[128];        /* "SHA256:..." */
	char keytype[64];
	struct sshx_timing timing;
	ssh_key authkey; /* the private key, parsed before the window; or NULL */

	/* watchdog */
	pthread_t wd;
	bool wd_running;
	bool wd_stop;        /* under mu */
	int64_t deadline_ms; /* under mu; 0: none */
	int fd;              /* the session socket (libssh does not close it) */
	int wd_fd;           /* dup of it for the watchdog; keeps the socket
	                           alive until sshx_free, or -1 */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_bool expired;

	/* sshx-ext.c: a second SFTP channel for the OpenSSH extensions */
	ssh_channel ext;
	uint32_t ext_id;  /* 0 until the channel answered its SFTP start */
	bool ext_started; /* its subsystem request already accepted */
	/* the journal of temporary names (sshx_set_temp_hook) */
	sshx_temp_fn temp_fn;
	void *temp_ud;
	sshx_namer_fn namer_fn;
	void *namer_ud;
	bool goodbye_done; /* sshx_goodbye ran: disconnect sent, SFTP freed */
};

/* sshx.c: whether the deadline has passed (the watchdog may not have run
 * yet). */
bool sshx_expired(struct sshx *s);
/* sshx.c: an SFTP failure; what: translated verb ("open", "rename"...);
 * path: the remote path. */
enum pt_status sshx_fail_sftp(struct sshx *s, struct pt_err *err, const char *what,
                              const char *path);
/* sshx.c: PT_TIMEOUT with path named once the deadline passed, else PT_OK. */
enum pt_status sshx_check_deadline(struct sshx *s, struct pt_err *err, const char *path);
/* sshx-put.c: read an open file to EOF into secmem, failing past max bytes. */
enum pt_status sshx_read_all(struct sshx *s, sftp_file f, const char *path, size_t hint, size_t max,
                             char **bufp, size_t *lenp, struct pt_err *err);
/* sshx-ext.c: the second SFTP channel (opened on first use, closed by
 * sshx_ext_close), and the OpenSSH extensions over it. */
enum pt_status sshx_ext_open(struct sshx *s, struct pt_err *err);
void sshx_ext_close(struct sshx *s);
/* sshx_ext_open begun without waiting, beside the main SFTP channel
 * (sshx_open does it when the session will put files). */
void sshx_ext_begin(struct sshx *s);
void sshx_ext_request(struct sshx *s);
/* posix-rename@openssh.com: to is replaced atomically. */
enum pt_status sshx_posix_rename(struct sshx *s, const char *from, const char *to,
                                 struct pt_err *err);
/* hardlink@openssh.com: to (which must not exist) becomes a second name of from. */
enum pt_status sshx_hardlink(struct sshx *s, const char *from, const char *to, struct pt_err *err);

/* ---- plan.c and the flows ---------------------------------------------- */

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

/* A file taken from the operator's outbox (flows.c: outbox_fetch_run). */
struct fetched_file {
	char *name;
	void *data; /* secure memory (sshx_get) */
	size_t len;
	char sha256[65];
};

/* What one kind of outbox fetch takes and what it does with a file. */
struct outbox_kind {
	const char *purpose; /* the flow's name: "fetch-certs" */
	bool (*wanted)(const char *name);
	size_t max_files, max_bytes;
	const char *names; /* the plan's "from" after the outbox: "*.crl *.r0" */
	const char *to;    /* the plan's "to", untranslated (N_) */
	/* with the window closed: one file, one transaction, recorded with
	 * outbox_record; r and why say what became of it */
	enum pt_status (*import)(struct store *st, const struct fetched_file *f, int64_t window,
	                         const struct transfer_opts *o, struct fetch_report *r, char *why,
	                         size_t whylen, struct pt_err *err);
};

enum pt_status outbox_fetch_plan(struct store *st, const struct outbox_kind *k,
                                 struct transfer_plan *p, struct pt_err *err);
enum pt_status outbox_fetch_run(struct store *st, const struct outbox_kind *k,
                                const struct transfer_opts *o, struct transfer_result *res,
                                struct pt_err *err);
/* That f was fetched in window (in the open transaction): never taken again. */
enum pt_status outbox_record(struct store *st, const struct fetched_file *f, int64_t window,
                             int stored, bool refused, struct pt_err *err);

/* The flows (flows.c, flows-grid.c): plan fills p (reasons included),
 * run is called once the plan has no reason. */
#define FLOW_FNS(name) \
	enum pt_status name##_plan(struct store *st, const char *target, struct transfer_plan *p, \
	                           struct pt_err *err); \
	enum pt_status name##_run(struct store *st, const char *target, \
	                          const struct transfer_opts *o, struct transfer_result *res, \
	                          struct pt_err *err);
FLOW_FNS(flow_send_csr)
FLOW_FNS(flow_install)
FLOW_FNS(flow_fetch_certs)
FLOW_FNS(flow_gridmap_push)
FLOW_FNS(flow_fetch_vo)
FLOW_FNS(flow_fetch_crl)
#undef FLOW_FNS

#endif

/* transfer.h - the guarded transfer engine.
 *
 * One transfer is one window: journal row committed -> link up (every
 * policy still DROP) -> wait until it runs -> route to the peer via the
 * neighbour -> the two rules -> SSH (pinned host key) -> rules removed
 * right after the last SFTP reply -> link down -> journal row closed.
 * Every exit path closes what was opened; SIGINT, SIGTERM and SIGHUP cut
 * the SSH session short and are answered from the main flow; SIGKILL is
 * answered by transfer_recover at the next start.
 */
#ifndef PASSTORE_TRANSFER_H
#define PASSTORE_TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

#include "sshx.h"
#include "status.h"
#include "store.h"

struct transfer_result {
	int64_t window_id;
	double exposure_ms; /* first rule added -> last rule removed */
	double link_ms;     /* link up -> link down */
	double ssh_ms;      /* connect -> last SFTP reply */
	int signal;         /* the signal that cut the transfer short, or 0 */
	char hostkey_fp[128], hostkey_type[64];
	bool pinned_now;    /* first contact: the accepted key was pinned */
};

/* What happens inside the window, with the session open.  Runs while the
 * rules are in; must not wait for a person. */
typedef enum pt_status (*transfer_fn)(struct sshx *s, void *ud, struct pt_err *err);

struct transfer_req {
	const char *purpose;       /* "install", "send-csr", "fetch-certs" */
	const char *host;          /* host entry of the peer */
	const char *accept_hostkey; /* first contact: "SHA256:..." the admin gave */
	transfer_fn fn;
	void *ud;
};

/* Open a window to the host, run fn over SSH, close the window. */
enum pt_status transfer_run(struct store *st, const struct transfer_req *req,
                            struct transfer_result *res, struct pt_err *err);

/* Close what a dead process left: when no live passtore holds a window,
 * remove every passtore rule, bring the link down, mark open journal
 * rows "recovered" and audit it.  Quiet and harmless where there is
 * nothing to do or no right to touch the firewall. */
enum pt_status transfer_recover(struct store *st, int *windows, int *rules, struct pt_err *err);

/* The explicit `transfer recover`: as above, and a sweep of the rules
 * even when the journal has no open window. */
enum pt_status transfer_sweep_now(struct store *st, int *windows, int *rules, struct pt_err *err);

/* The flows.  Each opens one window to one peer. */
enum pt_status transfer_send_csr(struct store *st, const char *fqdn, const char *accept_hostkey,
                                 struct transfer_result *res, struct pt_err *err);
/* The host's current key and certificate to that host only (promise 2). */
enum pt_status transfer_install(struct store *st, const char *fqdn, const char *accept_hostkey,
                                struct transfer_result *res, struct pt_err *err);

/* What fetch-certs did with one file of the outbox. */
struct fetch_report {
	const char *name;
	int stored, duplicates, older;
	bool refused;         /* nothing of the file was stored */
	const char *why;      /* the refusal, or "" */
};
/* New files of the operator's outbox in, then each imported with the
 * match rule (a file with one certificate that matches no key stores
 * nothing); cb hears about every file. */
enum pt_status transfer_fetch_certs(struct store *st, const char *accept_hostkey,
                                    void (*cb)(const struct fetch_report *r, void *ud), void *ud,
                                    struct transfer_result *res, struct pt_err *err);

struct window_info {
	int64_t id;
	const char *tag, *purpose, *host, *peer, *ifname, *outcome, *detail;
	int port;
	int64_t opened_ms, closed_ms;
	double exposure_ms, link_ms, ssh_ms; /* < 0: unknown */
};
enum pt_status transfer_log_foreach(struct store *st,
                                    int (*cb)(const struct window_info *w, void *ud), void *ud,
                                    struct pt_err *err);

#endif

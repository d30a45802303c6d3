/* transfer.h - the guarded transfer engine.
 *
 * One transfer is one window: journal row committed -> link up (every
 * policy still DROP) -> wait until it runs -> route to the peer via the
 * neighbour -> the two rules -> SSH (pinned host key) -> the goodbye
 * (disconnect, the peer's close awaited at most 50 ms) -> rules removed
 * -> link down -> journal row closed.
 * Every exit path closes what was opened; SIGINT, SIGTERM and SIGHUP cut
 * the SSH session short and are answered from the main flow; SIGKILL is
 * answered by transfer_recover at the next start.
 */
#ifndef PASSTORE_TRANSFER_H
#define PASSTORE_TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/guard.h"
#include "engine/sshx.h"
#include "base/lib.h"
#include "store/lib.h"

struct transfer_result {
	int64_t window_id;
	double exposure_ms; /* first rule added -> last rule removed (goodbye included) */
	double link_ms;     /* link up -> link down */
	double ssh_ms;      /* connect -> last SFTP reply */
	double goodbye_ms;  /* disconnect sent -> the peer's close (or the bound) */
	bool peer_closed;   /* the peer closed within the goodbye: no session left */
	int signal;         /* the signal that cut the transfer short, or 0 */
	char hostkey_fp[128], hostkey_type[64];
	bool pinned_now;   /* first contact: the accepted key was pinned */
	int temps_removed; /* temporary files of earlier windows removed from the peer */
	int temps_cleared; /* ... and journal rows of them cleared (removed or already gone) */
};

/* What happens inside the window, with the session open.  Runs while the
 * rules are in; must not wait for a person. */
typedef enum pt_status (*transfer_fn)(struct sshx *s, void *ud, struct pt_err *err);

/* The steps of a window, in the order transfer_run takes them. */
enum transfer_phase {
	TRANSFER_JOURNAL,   /* the journal row is committed */
	TRANSFER_LINK_UP,   /* the link comes up (every policy still DROP) */
	TRANSFER_ROUTE,     /* the route to the peer and its neighbour */
	TRANSFER_RULES_IN,  /* the two rules of the window */
	TRANSFER_SSH,       /* connect, check the host key, log in */
	TRANSFER_MOVE,      /* the files move */
	TRANSFER_GOODBYE,   /* the SSH disconnect; the peer's close awaited */
	TRANSFER_RULES_OUT, /* the rules come out */
	TRANSFER_LINK_DOWN, /* the link goes down */
	TRANSFER_PHASES
};
/* The phase's name, translated ("link up"). */
const char *transfer_phase_name(enum transfer_phase p);
/* Told as each phase starts.  Called from transfer_run's thread, also
 * while the rules are in: it may draw, never wait for a person. */
typedef void (*transfer_progress_fn)(enum transfer_phase p, void *ud);

struct transfer_req {
	const char *purpose;        /* "install", "send-csr", "fetch-certs" */
	const char *host;           /* host entry of the peer */
	const char *accept_hostkey; /* first contact: "SHA256:..." the admin gave */
	transfer_fn fn;
	void *ud;
	transfer_progress_fn progress; /* may be NULL */
	void *progress_ud;
	/* The remote paths fn will put, where the flow knows them before the
	 * window (may be NULL): their temporary names are journaled with the
	 * window's row, so that no journal commit falls inside the window. */
	const char *const *put_paths;
	size_t nput;
};

/* Open a window to the host, run fn over SSH, close the window. */
enum pt_status transfer_run(struct store *st, const struct transfer_req *req,
                            struct transfer_result *res, struct pt_err *err);

/* The firewall backend of the engine: the setting net.firewall
 * (nftables, iptables or auto, the default) with auto resolved as
 * guard_backend_resolve does.  PT_INVALID for a value stored behind
 * passtore's back. */
enum pt_status transfer_firewall(struct store *st, enum guard_backend *fw, struct pt_err *err);

/* Close what a dead process left: when no live passtore holds a window,
 * remove every passtore rule, bring the link down, mark open journal
 * rows "recovered" and audit it.  Quiet and harmless where there is
 * nothing to do or no right to touch the firewall. */
enum pt_status transfer_recover(struct store *st, int *windows, int *rules, struct pt_err *err);

/* The explicit `transfer recover`: as above, and a sweep of the rules
 * even when the journal has no open window. */
enum pt_status transfer_sweep_now(struct store *st, int *windows, int *rules, struct pt_err *err);

/* The flows.  Each opens one window to one peer; each is transfer_flow
 * with its name (planned first, refused before any window). */
enum pt_status transfer_send_csr(struct store *st, const char *fqdn, const char *accept_hostkey,
                                 struct transfer_result *res, struct pt_err *err);
/* The host's current key and certificate to that host only (promise 2). */
enum pt_status transfer_install(struct store *st, const char *fqdn, const char *accept_hostkey,
                                struct transfer_result *res, struct pt_err *err);

/* What fetch-certs did with one file of the outbox. */
struct fetch_report {
	const char *name;
	int stored, duplicates, older;
	int ca_added;    /* CA certificates added to a stored CA's bundle */
	int ca_unknown;  /* CA certificates of no stored CA: not stored */
	bool refused;    /* nothing of the file was stored */
	bool retry;      /* refused for want of its password (PKCS#12): not
	                    marked as seen, the next fetch takes it again */
	const char *why; /* the refusal, or "" */
};
/* New files of the operator's outbox in, then each imported with the
 * match rule (a file with one certificate that matches no key stores
 * nothing); cb hears about every file; p12 (may be NULL) gives the
 * password of a PKCS#12 file that needs one (transfer_opts.p12_password),
 * with the same ud. */
enum pt_status transfer_fetch_certs(struct store *st, const char *accept_hostkey,
                                    void (*cb)(const struct fetch_report *r, void *ud),
                                    bool (*p12)(const char *file, char **pw, void *ud), void *ud,
                                    struct transfer_result *res, struct pt_err *err);
/* The same for the CRLs of the outbox (*.crl, HASH.r0): each file
 * imported on its own with crl_import (verified against its issuer);
 * fetch_report.stored counts its CRLs. */
enum pt_status transfer_fetch_crl(struct store *st, const char *accept_hostkey,
                                  void (*cb)(const struct fetch_report *r, void *ud), void *ud,
                                  struct transfer_result *res, struct pt_err *err);

/* ---- what a flow will do, before it does it ---------------------------- */

#define TRANSFER_PLAN_FILES 16
#define TRANSFER_PLAN_WHYS 16

struct transfer_file {
	char from[1100]; /* what is read: a store item or a path on the peer */
	char to[1100];   /* where it goes: a path on the peer or the store */
	int mode;        /* of the file written on the peer; 0: none written there */
	char owner[64];  /* UID:GID of it, "" when not set */
	bool to_peer;    /* station -> peer (else peer -> station) */
	size_t size;     /* bytes, when known before the window (else 0) */
};

/* One reason the flow would be refused before any window. */
struct transfer_why {
	enum pt_status status;
	char text[512];
};

struct transfer_plan {
	char purpose[32];
	char target[256]; /* as given: a host, a VO, or "" */
	char host[256];   /* host entry of the peer ("" when unknown) */
	char peer[16];    /* its IPv4 address (INET_ADDRSTRLEN) */
	int port;
	char ifname[16], gateway[16]; /* IFNAMSIZ, INET_ADDRSTRLEN */
	long timeout_s;
	char user[128], service[128]; /* login, with the stored entry user@host:service */
	bool key_auth;                /* that entry holds an SSH key, not a password */
	int64_t cred_id;              /* and its id in the store */
	char pin[128], pin_type[64];  /* the pinned host key; "" on first contact */
	size_t nfiles;
	struct transfer_file files[TRANSFER_PLAN_FILES];
	size_t more_files; /* files beyond the rows above */
	char after[512];   /* a command run on the peer afterwards, or "" */
	char note[512];    /* what the flow adds about its files, or "" */
	size_t nwhy;       /* every reason the flow would be refused */
	struct transfer_why why[TRANSFER_PLAN_WHYS];
};

/* What the flow `purpose` would do for target (a host for send-csr,
 * install and gridmap-push; a VO for fetch-vo; NULL for fetch-certs):
 * the peer, its address and port, the interface, the timeout, the login,
 * the pin and the files, and in p->why EVERY reason the flow would be
 * refused before any window (settings missing or invalid, no operator,
 * no pending request, no address, no login secret...).  Computed by the
 * same setup code the flow runs; it only reads the store (no key
 * material) and opens nothing: no network, no firewall, no journal.
 * Returns PT_OK when p->why is empty, else the status of the first
 * reason (err gets it).  A missing pin is no reason here (p->pin is "";
 * the caller asks for the fingerprint). */
enum pt_status transfer_plan(struct store *st, const char *purpose, const char *target,
                             struct transfer_plan *p, struct pt_err *err);
/* As transfer_plan, for a run that will be given accept_hostkey (NULL:
 * none): no pin and no fingerprint is one more reason, and so is a
 * fingerprint that transfer_fingerprint_check refuses.  transfer_flow
 * plans with this before it runs. */
enum pt_status transfer_plan_with(struct store *st, const char *purpose, const char *target,
                                  const char *accept_hostkey, struct transfer_plan *p,
                                  struct pt_err *err);
/* The peer part of a plan: PT_OK, or its first reason. */
enum pt_status transfer_plan_peer(struct store *st, const char *host, struct transfer_plan *p,
                                  struct pt_err *err);

/* A host key fingerprint as ssh-keygen -lf prints it: "SHA256:" and 43
 * characters of base64 without padding.  PT_INVALID otherwise. */
enum pt_status transfer_fingerprint_check(const char *fp, struct pt_err *err);

/* What a flow takes as its target. */
enum transfer_target { TRANSFER_TARGET_NONE, TRANSFER_TARGET_HOST, TRANSFER_TARGET_VO };
/* The flow's canonical name and its target, for a name or an alias
 * ("push"); false for a flow this build does not have. */
bool transfer_flow_lookup(const char *name, const char **canonical, enum transfer_target *target);

struct gs_build;
/* How a flow runs. */
struct transfer_opts {
	const char *accept_hostkey;    /* first contact: "SHA256:..." */
	transfer_progress_fn progress; /* may be NULL */
	void *progress_ud;
	/* fetch-certs: told about every file (may be NULL) */
	void (*fetched)(const struct fetch_report *r, void *ud);
	void *fetched_ud;
	/* fetch-certs: the password of a PKCS#12 file that does not open
	 * without one, asked after the window with the file's name: true with
	 * *pw in secure memory (the engine frees it), false for none (the file
	 * is refused).  May be NULL. */
	bool (*p12_password)(const char *file, char **pw, void *ud);
	void *p12_ud;
	/* gridmap-push: gets the build that was sent (may be NULL) */
	struct gs_build **built;
	/* gridmap-push: send even though chains of its VOMS servers fail
	 * their check against the store's CAs (audited as gridmap.force) */
	bool force;
	/* fetch-vo: gets the list (malloc'd, NUL-terminated), its size and
	 * its file name (malloc'd); all three needed for that flow */
	char **vo_data;
	size_t *vo_len;
	char **vo_name;
	/* install: what the served-certificate check said (512 bytes; "" when
	 * the profile has no check port); may be NULL */
	char *install_check;
};
/* Run the flow `purpose` for target (as for transfer_plan): planned
 * first with transfer_plan_with (a reason refuses it before any window),
 * then one window.  Every flow runs through here; it is one row of the
 * table in plan.c.  PT_USAGE for a flow this build does not have. */
enum pt_status transfer_flow(struct store *st, const char *purpose, const char *target,
                             const struct transfer_opts *o, struct transfer_result *res,
                             struct pt_err *err);

/* A step run on the peer inside a window (the reload, the served-
 * certificate check): its status and the last lines of its output, in the
 * journal beside the window. */
enum pt_status transfer_journal_step(struct store *st, int64_t window_id, const char *step,
                                     int status, const char *output, struct pt_err *err);
enum pt_status transfer_window_steps(struct store *st, int64_t window_id,
                                     int (*cb)(const char *step, int status, const char *output,
                                               void *ud),
                                     void *ud, struct pt_err *err);

/* Hosts whose journal still names temporary files a window may have left
 * there (killed before it could remove them).  Every window to such a
 * host removes them first (transfer_result.temps_removed says how many). */
enum pt_status transfer_temps_pending(struct store *st,
                                      int (*cb)(const char *host, int files, void *ud), void *ud,
                                      struct pt_err *err);
/* A window to host that only removes those files (its pin is needed:
 * no first contact here). */
enum pt_status transfer_clean_temps(struct store *st, const char *host, struct transfer_result *res,
                                    struct pt_err *err);

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
/* Transfer windows opened to a host, in the journal's order (oldest first). */
enum pt_status transfer_host_windows(struct store *st, const char *fqdn,
                                     int (*cb)(const struct window_info *w, void *ud), void *ud,
                                     struct pt_err *err);

#endif

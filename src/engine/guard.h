/* guard.h - the pin-hole: firewall window (libiptc), link and route (netlink).
 *
 * A window is one peer and one TCP port behind one interface: an OUTPUT rule
 * that lets the station start connections to PEER:PORT and an INPUT rule that
 * lets only the ESTABLISHED replies back.  Both rules carry the comment
 * "passtore:<id>", so that a sweep can remove whatever a dead process left.
 *
 * The module never prints, never exits and installs no signal handler: the
 * caller turns signals into events and closes the window from its main flow.
 * Every call needs CAP_NET_ADMIN in the station's network namespace.
 */
#ifndef PASSTORE_GUARD_H
#define PASSTORE_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>
#include <time.h>

#include "base/lib.h"

/* Every window rule carries the comment GUARD_TAG "<id>". */
#define GUARD_TAG "passtore:"
/* Room for a window id, NUL included. */
#define GUARD_ID_MAX 64

/* ---- firewall backends ---- */

enum guard_backend {
	GUARD_FW_AUTO = 0, /* resolved by guard_backend_resolve */
	GUARD_FW_IPTABLES, /* legacy x_tables through libiptc: two rules a window */
	GUARD_FW_NFTABLES  /* nf_tables through libnftables' JSON: table inet
	                      passtore, one timed set element a window */
};

/* What passtore owns in nf_tables (see guard-nft.c). */
#define GUARD_NFT_TABLE "passtore"
#define GUARD_NFT_SET "windows"
/* An element lives the transfer's timeout plus this: if passtore dies and
 * never runs again, the kernel closes the window when it expires. */
#define GUARD_NFT_GRACE_S 5

/* "auto", "iptables" or "nftables" into *b; false for anything else. */
bool guard_backend_parse(const char *s, enum guard_backend *b);
/* The backend's name as net.firewall spells it (untranslated). */
const char *guard_backend_name(enum guard_backend b);
/* AUTO becomes NFTABLES where the kernel's nf_tables works and no legacy
 * ruleset is in use (a rule, or a policy other than ACCEPT, in the legacy
 * filter table), IPTABLES otherwise; other values are returned as they
 * are.  Needs CAP_NET_ADMIN to see the firewall. */
enum guard_backend guard_backend_resolve(enum guard_backend b);

/* The nftables file that creates passtore's closed table at boot (for
 * `nft -f`): a static text, the same every time. */
const char *guard_nft_boot_config(void);

struct guard_window {
	char id[GUARD_ID_MAX]; /* [A-Za-z0-9._:-], not empty */
	char ifname[IFNAMSIZ]; /* the station's interface towards the neighbour */
	struct in_addr peer;   /* the one host the station may talk to */
	uint16_t port;         /* its TCP port (host order, not 0) */
	/* Set after guard_window_init (which gives IPTABLES and 0): */
	enum guard_backend fw; /* IPTABLES or NFTABLES, never AUTO */
	unsigned timeout_s;    /* NFTABLES: the element's lifetime (0: none) */
};

/* Fill and validate a window; PT_INVALID (with the reason) on a bad field. */
enum pt_status guard_window_init(struct guard_window *w, const char *id, const char *ifname,
                                 struct in_addr peer, uint16_t port, struct pt_err *err);

/* ---- timing: CLOCK_MONOTONIC, for the exposure figures ---- */

/* Monotonic time in microseconds. */
uint64_t guard_now_us(void);
/* Milliseconds from a to b (both from guard_now_us), never negative. */
double guard_ms_between(uint64_t a_us, uint64_t b_us);

/* Exposure of one window: opened_us is taken just before the commit that
 * adds the rules (the kernel may apply them during it), closed_us just after
 * the commit that removes them.  Zero means "not yet". */
struct guard_exposure {
	uint64_t opened_us;
	uint64_t closed_us;
};
/* Exposure in ms, or -1 while the window is not both opened and closed. */
double guard_exposure_ms(const struct guard_exposure *x);

/* ---- window rules (table filter, one commit each) ---- */

/* Add both rules of w in one commit.  PT_EXISTS if they are already there. */
enum pt_status guard_rules_add(const struct guard_window *w, struct pt_err *err);
/* Remove exactly the two rules of w (same bytes) in one commit.  If one or
 * both are missing, the one present is still removed and PT_NOTFOUND says
 * so: after any return but a PT_NET/PT_TIMEOUT failure, no rule of w is in
 * the firewall. */
enum pt_status guard_rules_remove(const struct guard_window *w, struct pt_err *err);
/* The same, recording the times in x (may be NULL). */
enum pt_status guard_rules_add_timed(const struct guard_window *w, struct guard_exposure *x,
                                     struct pt_err *err);
enum pt_status guard_rules_remove_timed(const struct guard_window *w, struct guard_exposure *x,
                                        struct pt_err *err);
/* Remove every rule of INPUT, OUTPUT and FORWARD whose comment starts with
 * GUARD_TAG (crash recovery; idempotent).  *removed (may be NULL) receives
 * how many went. */
enum pt_status guard_sweep(struct pt_err *err, int *removed);
/* The same for backend fw: for NFTABLES, every element of passtore's set
 * (the table stays).  An absent firewall or table is nothing to sweep. */
enum pt_status guard_sweep_fw(enum guard_backend fw, struct pt_err *err, int *removed);

/* NFTABLES: whether table inet passtore is loaded (*present), and create it
 * closed, as the boot-config does, when it is not (*created says so).
 * IPTABLES: nothing to do. */
enum pt_status guard_fw_prepare(enum guard_backend fw, bool *created, struct pt_err *err);
/* NFTABLES: delete table inet passtore (the one a window created because
 * none was loaded at boot); an absent table is fine. */
enum pt_status guard_nft_table_drop(struct pt_err *err);

/* ---- a window's whole life: four requests ----
 *
 * What the engine asks of the firewall, the link and the route, as the
 * privileged helper serves it (privsep.c): open one window, close it,
 * recover what a dead process left, read the posture.  Each runs in this
 * process when no helper is up (no privilege separation: a process
 * without CAP_NET_ADMIN, the tests without root) and inside the helper
 * otherwise: the same code.  The finer calls above are what these are
 * made of; with a helper up the main process has no right to make them. */

struct guard_open {
	/* the request: w with fw resolved (never AUTO) and timeout_s set */
	struct guard_window w;
	struct in_addr gw; /* the gateway towards the peer */
	int wait_ms;       /* bound of the link's and the neighbour's waits */
	/* what guard_window_open did, for guard_window_close */
	bool nft_created, link_raised, route_added, rules_in;
	uint64_t link_up_us, link_down_us; /* before link up, after link down */
	struct guard_exposure x;
};

/* Open o->w: nftables' closed table when none is loaded, the link up and
 * running, the host route, the gateway's neighbour entry, then (unless
 * stop(ud) says a signal came, or guard_window_cancel was called) the
 * rules.  A failure in the middle closes what it opened before it
 * returns, with link_down_us and the exposure as measured.  stop may be
 * NULL.  Stopped before it began (through the helper: the signal came
 * before the helper took the request): PT_OK and nothing opened,
 * link_up_us 0. */
enum pt_status guard_window_open(struct guard_open *o, bool (*stop)(void *ud), void *ud,
                                 struct pt_err *err);
/* Close what guard_window_open opened: rules out (x.closed_us), link
 * down, route deleted, the nftables table dropped if the open created
 * it.  Every step is tried; the first failure is returned. */
enum pt_status guard_window_close(struct guard_open *o, struct pt_err *err);
/* From a signal's thread: an open in progress stops before its rules. */
void guard_window_cancel(void);

/* What a dead process's windows left, as the journal's open rows name it:
 * rules in iptables, elements in nftables, passtore's table created by a
 * window; ifname (may be "") goes down. */
struct guard_recover {
	bool ipt, nft, nft_table;
	char ifname[IFNAMSIZ];
};
/* Sweep as r says; *removed: how many rules or elements went.  Once the
 * sweep succeeded the link goes down (a failure there is not one). */
enum pt_status guard_window_recover(const struct guard_recover *r, int *removed,
                                    struct pt_err *err);

/* ---- posture ---- */

enum guard_policy {
	GUARD_POLICY_UNKNOWN = 0, /* could not be read */
	GUARD_POLICY_DROP,
	GUARD_POLICY_ACCEPT,
	GUARD_POLICY_OTHER
};

enum guard_ipv6 {
	GUARD_IPV6_UNKNOWN = 0,
	GUARD_IPV6_ABSENT,   /* the kernel has no IPv6 in this namespace */
	GUARD_IPV6_DISABLED, /* disable_ipv6 = 1 on the interface */
	GUARD_IPV6_ENABLED
};

#define GUARD_POSTURE_RULES 16
#define GUARD_POSTURE_SOCKS 32
#define GUARD_RULE_TEXT 192

struct guard_rule_text {
	char chain[32];
	char text[GUARD_RULE_TEXT]; /* iptables-like: "-s 10.0.0.1/32 -p tcp -j ACCEPT" */
	bool loopback;              /* restricted to -i lo / -o lo */
};

struct guard_socket {
	int proto;     /* IPPROTO_TCP or IPPROTO_UDP */
	int family;    /* AF_INET or AF_INET6 */
	char addr[46]; /* INET6_ADDRSTRLEN */
	uint16_t port;
	bool loopback; /* bound to 127/8 or ::1 */
};

struct guard_posture {
	char ifname[IFNAMSIZ];
	/* The backend whose firewall the fields below describe. */
	enum guard_backend backend;
	/* NFTABLES: table inet passtore is loaded, and it is what `firewall
	 * boot-config` creates (elements aside); else the first difference. */
	bool nft_table, boot_match;
	char boot_diff[160];
	/* NFTABLES: the legacy filter table drops on INPUT or OUTPUT by its
	 * policy, so it would drop what a window lets through. */
	bool legacy_drops;
	/* IPv4 filter policies (NFTABLES: of passtore's base chains);
	 * iptables_ok is false if the firewall was unreadable. */
	bool iptables_ok;
	enum guard_policy input, output, forward;
	/* IPv6 filter policies (UNKNOWN when ip6_tables is not loaded). */
	enum guard_policy input6, output6, forward6;
	/* ACCEPT rules (any chain of filter) that are not passtore windows. */
	int n_foreign, foreign_total;
	struct guard_rule_text foreign[GUARD_POSTURE_RULES];
	/* passtore-tagged rules still present (open or left by a dead process). */
	int n_tagged, tagged_total;
	struct guard_rule_text tagged[GUARD_POSTURE_RULES];
	/* Link of ifname. */
	bool link_found, link_up, link_running;
	uint8_t operstate; /* IF_OPER_* from <linux/if.h> */
	enum guard_ipv6 ipv6;
	/* The first partial failure (firewall or link unreadable), or "". */
	char error[512];
	/* Listening TCP and bound UDP sockets of the station's namespace (for
	 * the record: with INPUT DROP and only ESTABLISHED replies let in, a
	 * listener cannot be reached, so it does not refuse a window). */
	int n_listen, listen_total;
	struct guard_socket listen[GUARD_POSTURE_SOCKS];
};

/* Read the posture of the station around ifname.  Fails only when nothing
 * useful could be read; partial failures leave fields UNKNOWN / false. */
enum pt_status guard_posture(const char *ifname, struct guard_posture *out, struct pt_err *err);
/* The same, with the firewall part read from backend fw (IPTABLES: as
 * guard_posture; NFTABLES: passtore's table, its chains, rules and
 * elements, compared with the boot-config). */
enum pt_status guard_posture_fw(const char *ifname, enum guard_backend fw,
                                struct guard_posture *out, struct pt_err *err);
/* Whether a window may open: IPv4 policies all DROP, no passtore rule left,
 * no ACCEPT rule other than loopback ones, the link exists, and IPv6 is
 * absent or disabled on it (or ip6tables drops everything).  Otherwise
 * false, with a translated one-line reason in reason[len] (may be NULL). */
bool guard_posture_ok(const struct guard_posture *p, char *reason, size_t len);
/* Whether the store's recovery shares are stale: made before the last
 * rotation of the data key, or before a suspected compromise recorded
 * in the audit (the action ESCROW_COMPROMISE_ACTION, exactly).  True with a translated
 * one-line warning in warn[len]; false when there is nothing to say. */
struct store;
bool guard_posture_escrow(struct store *st, char *warn, size_t len);
/* Whether the posture around net.interface (with the firewall backend in
 * use) lets a window open, as the engine will check it: PT_REFUSED
 * saying what to fix otherwise.  For the console, which asks it before
 * it asks anything about a transfer; reads, opens nothing. */
enum pt_status guard_window_allowed(struct store *st, struct pt_err *err);
/* "DROP", "ACCEPT", "other" or "unknown" (untranslated: it is iptables text). */
const char *guard_policy_name(enum guard_policy p);

/* ---- link and route (rtnetlink) ---- */

/* Set IFF_UP on or off. */
enum pt_status guard_link_set(const char *ifname, bool up, struct pt_err *err);
/* Read IFF_UP / IFF_RUNNING (either pointer may be NULL). */
enum pt_status guard_link_get(const char *ifname, bool *up, bool *running, struct pt_err *err);
/* Wait until IFF_RUNNING, at most timeout_ms (netlink events, bounded).
 * PT_TIMEOUT if it did not come; *waited_ms (may be NULL) gets the wait. */
enum pt_status guard_link_wait_running(const char *ifname, int timeout_ms, double *waited_ms,
                                       struct pt_err *err);
/* Host route PEER/32 via GATEWAY dev IFNAME in the main table (GATEWAY
 * INADDR_ANY: directly on the link).  An existing PEER/32 is replaced, so a
 * stale one through another gateway does not survive; EEXIST is success.
 * Re-add it after every link up: taking a link down deletes static routes. */
/* Get the ARP entry of addr (the gateway) complete, bounded: done while
 * the firewall still drops everything (ARP is not filtered), so that the
 * window does not wait for a lost first request. */
enum pt_status guard_neigh_resolve(struct in_addr addr, const char *ifname, int timeout_ms,
                                   double *waited_ms, struct pt_err *err);
enum pt_status guard_route_add(struct in_addr peer, struct in_addr gateway, const char *ifname,
                               struct pt_err *err);
/* Delete that route; an absent route is fine. */
enum pt_status guard_route_del(struct in_addr peer, struct in_addr gateway, const char *ifname,
                               struct pt_err *err);

/* ---- the station rows: the seed's own rules (guard-station.c) ----
 *
 * Each row says ok, warning or broken with a translated reason.  They
 * describe the station; the window itself is decided by guard_posture_ok
 * alone.  The files read (/proc/mdstat, /proc/swaps, /sys/block) are
 * taken under a root directory, so that tests can present a degraded
 * array or a plain swap: "" is the system's own. */

enum guard_row_level { GUARD_ROW_OK, GUARD_ROW_WARNING, GUARD_ROW_BROKEN };

#define GUARD_ROW_REASON 256
#define GUARD_STATION_ROWS 12

struct guard_row {
	const char *key;   /* "interface", "ipv6", "listeners", "raid", "swap", "clock",
	                    "backup", "root": JSON key, untranslated */
	const char *title; /* translated: "RAID1" */
	enum guard_row_level level;
	char reason[GUARD_ROW_REASON]; /* translated */
};

struct guard_station {
	int n;
	struct guard_row row[GUARD_STATION_ROWS];
};

struct store;
struct guard_station_src {
	const char *root; /* prefix of /proc and /sys; NULL: $PASSTORE_STATION_ROOT or "" */
	time_t now;       /* 0: the clock */
	int open_windows; /* the journal's open windows: the link may be up for one */
};

/* What /proc/mdstat says (bounded: GUARD_PROC_MAX bytes are read). */
#define GUARD_PROC_MAX 65536
struct guard_mdstat {
	int arrays, raid1, degraded, inactive;
	char bad[32];        /* the first degraded or inactive array, "md1" */
	char bad_status[32]; /* its "[2/1] [U_]", or "inactive" */
};
void guard_mdstat_parse(const char *text, size_t len, struct guard_mdstat *m);

#define GUARD_SWAPS 8
struct guard_swaps {
	int n, total;
	struct {
		char name[128]; /* as /proc/swaps prints it (blanks as \040) */
		bool file;      /* Type "file", else a partition */
	} sw[GUARD_SWAPS];
};
void guard_swaps_parse(const char *text, size_t len, struct guard_swaps *s);

/* Whether swap device or file `name` (as /proc/swaps names it) is on
 * dm-crypt, in memory (zram), or plain. */
enum guard_swap_kind { GUARD_SWAP_PLAIN, GUARD_SWAP_CRYPT, GUARD_SWAP_MEMORY };
enum guard_swap_kind guard_swap_kind(const char *root, const char *name, bool file);

/* The swap row alone (root as in guard_station_src: NULL reads
 * $PASSTORE_STATION_ROOT): BROKEN when a swap area is not encrypted,
 * reason (translated) saying which.  The console's start asks it. */
enum guard_row_level guard_swap_check(const char *root, char *reason, size_t n);

/* Every row, from the posture already read (p NULL: no interface, IPv6
 * and listener rows) and from the store (the newest audit record,
 * certificate notBefore and verified backup, and backup.max_age_days).
 * src may be NULL.  Fails only on the store. */
enum pt_status guard_station_rows(struct store *st, const struct guard_posture *p,
                                  const struct guard_station_src *src, struct guard_station *out,
                                  struct pt_err *err);
/* The worst level of the rows. */
enum guard_row_level guard_station_level(const struct guard_station *s);
/* "ok", "warning", "broken" (untranslated: JSON words). */
const char *guard_row_level_name(enum guard_row_level l);

#endif

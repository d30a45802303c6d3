/* gridstore.h - Grid authorization in the store: VOs and their member
 * snapshots, mkgridmap rules per host or group, site bans, local
 * grid-mapfile entries, VOMS servers and the record of pushes.
 *
 * The pure work (parsing lists and rules, building the grid-mapfile and
 * the .lsc files) is gridmap.c's; this module keeps its inputs and runs
 * it on them.  Every function that changes something must run inside the
 * caller's transaction and appends its own audit row there; readers need
 * none.  Strings handed to callbacks live until the callback returns.
 *
 * Which rules a host follows: its own rule set if it has one, else the
 * rule set of the one group of the host that has one (PT_REFUSED when
 * several of its groups have one: the operator must choose).
 */
#ifndef PASSTORE_GRIDSTORE_H
#define PASSTORE_GRIDSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grid/gridmap.h"
#include "base/lib.h"
#include "store/lib.h"

/* Default remote paths of a push (settings cfg.host.gridmapfile and
 * cfg.host.vomsdir override them per host, see settings.h). */
#define GRIDSTORE_DEFAULT_GRIDMAPFILE "/etc/grid-security/grid-mapfile"
#define GRIDSTORE_DEFAULT_VOMSDIR "/etc/grid-security/vomsdir"

/* Longest VO name; VO names are letters, digits, '.', '_', '-'. */
#define GRIDSTORE_MAX_VO 64

/* "plain", "csv", "ldif", "local". */
const char *gridstore_format_name(enum gm_format f);

/* ---- VOs and member snapshots ----------------------------------------- */

struct gs_vo {
	int64_t id;
	const char *name;
	const char *uris; /* newline-separated, in the order added; "" */
	time_t created_at;
	int64_t members;    /* of the current snapshot, 0 when none */
	int64_t snapshots;  /* imports so far */
	time_t snapshot_at; /* of the current snapshot, 0: never imported */
	const char *source; /* of the current snapshot, "" when none */
	const char *format; /* of the current snapshot, "" when none */
};

/* Add a VO, or add URIs to an existing one when the VO exists and uris
 * are given (PT_EXISTS for an existing VO without new URIs).  A URI
 * stands for one VO: PT_EXISTS when another VO already has it. */
enum pt_status gridstore_vo_add(struct store *st, const char *name, const char *const *uris,
                                size_t nuris, struct pt_err *err);
/* Every VO, by name. */
enum pt_status gridstore_vo_foreach(struct store *st, int (*cb)(const struct gs_vo *vo, void *ud),
                                    void *ud, struct pt_err *err);
/* One VO; PT_NOTFOUND when unknown. */
enum pt_status gridstore_vo_get(struct store *st, const char *name,
                                int (*cb)(const struct gs_vo *vo, void *ud), void *ud,
                                struct pt_err *err);

struct gs_snapshot {
	int64_t id;
	time_t imported_at;
	const char *source; /* the file name or "outbox:NAME" */
	const char *format;
	const char *sha256; /* of the imported bytes */
	int64_t members, added, removed;
	bool current;
};
/* Snapshots of a VO, newest first. */
enum pt_status gridstore_snapshot_foreach(struct store *st, const char *vo,
                                          int (*cb)(const struct gs_snapshot *s, void *ud),
                                          void *ud, struct pt_err *err);
/* The members of the VO's current snapshot, in file order (an empty
 * list when never imported); *out for gridmap_members_free. */
enum pt_status gridstore_vo_members(struct store *st, const char *vo, struct gm_members **out,
                                    struct pt_err *err);

/* What an import would change: DNs added and removed against the current
 * snapshot (each list sorted, without duplicates). */
struct gs_diff {
	char **added;
	size_t nadded;
	char **removed;
	size_t nremoved;
	size_t members; /* distinct DNs in the new list */
};
void gridstore_diff_clear(struct gs_diff *d);
/* The diff of m against the VO's current snapshot (reads only). */
enum pt_status gridstore_vo_diff(struct store *st, const char *vo, const struct gm_members *m,
                                 struct gs_diff *d, struct pt_err *err);
/* Make m the VO's current snapshot (a new dated snapshot row; the
 * previous snapshot keeps its metadata, its members are replaced).
 * source and sha256 (of the bytes read) are recorded; d (may be NULL)
 * receives the diff that was applied. */
/* The SHA-256 of a member list's bytes, as gridstore_vo_import records it. */
void gridstore_sha256_hex(const void *data, size_t len, char hex[65]);
enum pt_status gridstore_vo_import(struct store *st, const char *vo, const struct gm_members *m,
                                   const char *source, const char *sha256, struct gs_diff *d,
                                   struct pt_err *err);

/* ---- rules ---------------------------------------------------------------- */

/* One parsed rule line. */
struct gs_rule {
	unsigned line;
	const char *kind;    /* "group", "auth", "allow", "deny",
	                             * "default_lcluser", "gmf_local" */
	const char *value;   /* URI, pattern, account, file or DN */
	const char *account; /* group: the account it maps to; gmf_local
	                             * inline: the account; "" otherwise */
	const char *vo;      /* group/auth: the VO whose URIs include it,
	                             * "" when none */
	bool imported;       /* group/auth: that VO has a snapshot */
};

/* A rule set as stored; owns everything. */
struct gs_ruleset {
	int64_t id;
	char *host;   /* attached to this host, or NULL */
	char *group;  /* attached to this group, or NULL */
	char *source; /* file name it was imported from */
	char *text;   /* the original text */
	time_t imported_at;
	struct gs_rule *rules; /* in file order */
	size_t nrules;
};
void gridstore_ruleset_free(struct gs_ruleset **rs);

/* Parse text as mkgridmap.conf (errors "source:LINE: ..." PT_INVALID)
 * and attach it to host fqdn or to group (exactly one non-NULL),
 * replacing what that host or group had. */
enum pt_status gridstore_rules_set(struct store *st, const char *fqdn, const char *group,
                                   const char *source, const char *text, size_t len,
                                   struct pt_err *err);
/* Remove the rule set of a host or group; PT_NOTFOUND when none. */
enum pt_status gridstore_rules_rm(struct store *st, const char *fqdn, const char *group,
                                  struct pt_err *err);
/* The rule set host fqdn follows (see the top of this file); PT_NOTFOUND
 * for an unknown host or one that follows none. */
enum pt_status gridstore_rules_for_host(struct store *st, const char *fqdn, struct gs_ruleset **out,
                                        struct pt_err *err);
/* The rule set attached to exactly this host or group (no fallback). */
enum pt_status gridstore_rules_get(struct store *st, const char *fqdn, const char *group,
                                   struct gs_ruleset **out, struct pt_err *err);
/* Hosts that follow a rule set (their own or a group's), by name. */
enum pt_status gridstore_rules_hosts(struct store *st, int (*cb)(const char *fqdn, void *ud),
                                     void *ud, struct pt_err *err);

/* ---- bans and local entries -------------------------------------------- */

/* A site ban: a DN or a pattern as the ACL's ('*' only).  PT_EXISTS
 * when already banned, PT_NOTFOUND on unban of one that is not. */
enum pt_status gridstore_ban(struct store *st, const char *pattern, struct pt_err *err);
enum pt_status gridstore_unban(struct store *st, const char *pattern, struct pt_err *err);
enum pt_status gridstore_ban_foreach(struct store *st,
                                     int (*cb)(const char *pattern, time_t at, void *ud), void *ud,
                                     struct pt_err *err);

/* A site-wide gmf_local entry: DN and account (NAME or .POOL), read first
 * by every build and winning over any VO.  PT_EXISTS for a DN already
 * there, PT_INVALID for a DN or account that could not be written. */
enum pt_status gridstore_local_add(struct store *st, const char *dn, const char *account,
                                   struct pt_err *err);
enum pt_status gridstore_local_rm(struct store *st, const char *dn, struct pt_err *err);
enum pt_status gridstore_local_foreach(struct store *st,
                                       int (*cb)(const char *dn, const char *account, void *ud),
                                       void *ud, struct pt_err *err);

/* ---- VOMS servers ------------------------------------------------------------ */

struct gs_voms {
	const char *vo;
	const char *host;
	const char *server_dn;
	const char *ca_dn;
	const char *chains; /* alternative chains, one a line, each the
	                             * DNs of its .lsc lines joined by ';' */
	size_t nchains;     /* alternative chains (the main one not counted) */
	unsigned port;      /* for its vomses line; 15000 unless set */
};

/* Separator of the DNs of an alternative chain given as one string:
 * "SERVER-DN;ISSUER-DN[;ISSUER-DN...]" (blanks around it are dropped). */
#define GRIDSTORE_CHAIN_SEP ';'

/* Add or replace the VOMS server host of VO vo: its DN, its CA's DN and
 * alternative chains (each "DN;DN[;DN...]": the server's subject then
 * each issuer, as the lines of the .lsc).  Checked with gridmap_lsc. */
enum pt_status gridstore_voms_add(struct store *st, const char *vo, const char *host,
                                  const char *server_dn, const char *ca_dn,
                                  const char *const *chains, size_t nchains, struct pt_err *err);
/* Remove the VOMS server host of VO vo (its .lsc and vomses files leave
 * the builds); PT_NOTFOUND when the VO has no such server. */
enum pt_status gridstore_voms_rm(struct store *st, const char *vo, const char *host,
                                 struct pt_err *err);
/* VOMS servers of vo (NULL: every VO), by VO then host. */
enum pt_status gridstore_voms_foreach(struct store *st, const char *vo,
                                      int (*cb)(const struct gs_voms *v, void *ud), void *ud,
                                      struct pt_err *err);
/* The .lsc text of one server (malloc'd); PT_NOTFOUND when unknown. */
enum pt_status gridstore_voms_lsc(struct store *st, const char *vo, const char *host, char **out,
                                  struct pt_err *err);

/* Set the port of a VOMS server (its vomses line); PT_NOTFOUND when the
 * VO has no such server. */
enum pt_status gridstore_voms_port(struct store *st, const char *vo, const char *host,
                                   unsigned port, struct pt_err *err);

/* One chain of a VOMS server checked against the store's trust anchors
 * (see gridmap_lsc_check). */
struct gs_lsc_result {
	const char *vo, *host;
	unsigned chain; /* 0: the main one (server DN, CA DN), then each --chain */
	enum gm_lsc_verdict verdict;
	const char *why; /* "" when GM_LSC_OK */
};

/* Check every chain of the VOMS servers of the VOs vos (NULL: every VO)
 * against the CA certificates of the store's CA bundles; cb gets each
 * result, failing or not (non-zero stops). */
enum pt_status gridstore_lsc_check(struct store *st, const char *const *vos, size_t nvos,
                                   int (*cb)(const struct gs_lsc_result *r, void *ud), void *ud,
                                   struct pt_err *err);

/* ---- FQAN mappings (the voms-mapfile) ------------------------------------ */

struct gs_fqan_map {
	const char *vo;
	unsigned pos; /* 1-based, within its VO: the first match wins */
	const char *fqan;
	const char *account;
};

/* Append a mapping to VO vo's table (checked with gridmap_check_fqan; the
 * account NAME or .POOL).  PT_EXISTS for an FQAN the VO already maps. */
enum pt_status gridstore_fqan_add(struct store *st, const char *vo, const char *fqan,
                                  const char *account, struct pt_err *err);
/* Remove one; PT_NOTFOUND when the VO does not map it. */
enum pt_status gridstore_fqan_rm(struct store *st, const char *vo, const char *fqan,
                                 struct pt_err *err);
/* The mappings of vo (NULL: every VO), by VO name then in their order. */
enum pt_status gridstore_fqan_foreach(struct store *st, const char *vo,
                                      int (*cb)(const struct gs_fqan_map *m, void *ud), void *ud,
                                      struct pt_err *err);

/* ---- build ------------------------------------------------------------------- */

/* The files of a host's build, as host.FQDN.grid-files names them. */
enum gs_file_kind {
	GS_FILE_GRIDMAPFILE = 1 << 0,  /* "grid-mapfile" */
	GS_FILE_VOMS_MAPFILE = 1 << 1, /* "voms-mapfile" */
	GS_FILE_BAN_MAPFILE = 1 << 2,  /* "ban-mapfile" */
	GS_FILE_VOMSES = 1 << 3,       /* "vomses": one file per VOMS server */
	GS_FILE_LSC = 1 << 4,          /* "lsc": one file per VOMS server */
};
#define GS_FILE_ALL 0x1f

/* The kind named name ("lsc", ...), 0 when none. */
enum gs_file_kind gridstore_file_kind(const char *name);
/* Which files host fqdn gets (its host.FQDN.grid-files). */
enum pt_status gridstore_host_files(struct store *st, const char *fqdn, unsigned *mask,
                                    struct pt_err *err);

/* One file of what a host needs. */
struct gs_file {
	char *path; /* "grid-mapfile", "voms-mapfile", "ban-mapfile",
	             * "vomsdir/VO/HOST.lsc" or "vomses/VO-HOST" */
	char *text;
	size_t len;
	enum gs_file_kind kind;
	bool wanted; /* the host gets this kind (host.FQDN.grid-files) */
};

/* A chain that failed its check, kept by a build. */
struct gs_lsc_fail {
	char *vo, *host, *why;
	unsigned chain;
	enum gm_lsc_verdict verdict;
};

/* A host's build; owns everything. */
struct gs_build {
	struct gs_ruleset *rules; /* the rule set used */
	struct gm_result *result; /* grid-mapfile, conflicts, unsafe, missing */
	struct gs_file *files;    /* files[0] is the grid-mapfile, then the
	                             * voms-mapfile and ban-mapfile, the .lsc and
	                             * vomses files of every VOMS server of the
	                             * VOs the rules name, sorted by path */
	size_t nfiles;
	unsigned want;        /* gs_file_kind bits the host gets */
	char **ignored_files; /* gmf_local FILE lines of the rules: the
	                             * store's local entries stand for them */
	size_t nignored;
	size_t nfqan;                 /* voms-mapfile lines */
	size_t nbans;                 /* ban-mapfile lines */
	size_t bans_skipped;          /* bans no quoted line can carry */
	struct gs_lsc_fail *lsc_fail; /* chains of its VOMS servers that fail
	                               * gridstore_lsc_check (when it gets .lsc) */
	size_t nlsc_fail;
	char sha256[65]; /* over every wanted file: paths and contents */
};
void gridstore_build_free(struct gs_build **b);
/* Build what host fqdn needs from the store, now.  PT_NOTFOUND for an
 * unknown host or one without rules, PT_REFUSED when its groups' rules
 * are ambiguous. */
enum pt_status gridstore_build(struct store *st, const char *fqdn, struct gs_build **out,
                               struct pt_err *err);

/* ---- pushes ------------------------------------------------------------------ */

/* Record a push of host fqdn: the build's sha256 and its outcome ("ok" or
 * "failed"), detail a one-line note ("" when none). */
enum pt_status gridstore_push_record(struct store *st, const char *fqdn, const char *sha256,
                                     const char *outcome, const char *detail, struct pt_err *err);

/* What the successful push to host fqdn sent, file by file (the build's
 * wanted files, their remote paths: remote[i] for b->files[i], may be
 * NULL), replacing what was recorded before.  In the caller's transaction. */
enum pt_status gridstore_pushed_record(struct store *st, const char *fqdn, const struct gs_build *b,
                                       const char *const *remote, struct pt_err *err);

enum gs_file_state {
	GS_FILE_SAME,    /* as last pushed */
	GS_FILE_CHANGED, /* pushed before, different now */
	GS_FILE_NEW,     /* never pushed to this host */
	GS_FILE_GONE,    /* pushed before, no longer part of its build */
};

/* One file of a build against what was last pushed to the host: its
 * lines (DN lines, mappings, bans, chain DNs) added and removed, each list
 * sorted; a file whose lines only changed order has neither. */
struct gs_file_diff {
	char *path;
	enum gs_file_state state;
	char **added;
	size_t nadded;
	char **removed;
	size_t nremoved;
};
void gridstore_file_diff_clear(struct gs_file_diff *d);
/* Each wanted file of b against the record of the last push to fqdn, in
 * the build's order, then the files pushed before that b no longer has. */
enum pt_status gridstore_push_diff(struct store *st, const char *fqdn, const struct gs_build *b,
                                   int (*cb)(const struct gs_file_diff *d, void *ud), void *ud,
                                   struct pt_err *err);

struct gs_push_status {
	const char *fqdn;
	time_t pushed_at;          /* of the last successful push, 0: never */
	const char *pushed_sha256; /* "" when never pushed */
	time_t tried_at;           /* of the last push tried, 0: never */
	const char *last_outcome;  /* "ok", "failed" or "" */
	const char *last_detail;
	const char *build_sha256; /* of a build now, "" when it failed */
	const char *build_error;  /* why the build failed, "" */
	bool behind;              /* never pushed, or pushed != build */
	const char *files_behind; /* files whose content differs from the
	                           * last push, ", "-separated; "" */
	size_t lsc_failures;      /* failing chains of its VOMS servers */
};
/* Every host that follows a rule set, by name, with a build made now. */
enum pt_status gridstore_push_status_foreach(struct store *st,
                                             int (*cb)(const struct gs_push_status *p, void *ud),
                                             void *ud, struct pt_err *err);

#endif

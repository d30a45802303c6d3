/* gridmap.h - VO member lists and mkgridmap rules -> grid-mapfile / .lsc.
 *
 * The pure core of Grid authorization, the job edg-mkgridmap did with its
 * mkgridmap.conf: parse the member lists of the VOs (a plain list of DNs,
 * a VOMS-Admin CSV export or an LDIF export of the VO's ou=People), parse
 * the rules, build the grid-mapfile text, and write vomsdir .lsc files.
 * No store, no files, no printing: the caller reads the inputs (and the
 * gmf_local files the rules name) and stores or pushes the outputs.
 *
 * Every parser error is PT_INVALID with a detail "NAME:LINE: what is
 * wrong", NAME being the name the caller gave for the buffer.
 */
#ifndef PASSTORE_GRIDMAP_H
#define PASSTORE_GRIDMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/lib.h"

/* Longest DN and account accepted, in bytes. */
#define GRIDMAP_MAX_DN 1024
#define GRIDMAP_MAX_ACCOUNT 32
/* Most lines a member list, rules file or grid-mapfile-local may have
 * (an LDIF export of 300,000 members has about 1.5 million). */
#define GRIDMAP_MAX_LINES 4000000u

/* The separator line between alternative chains of an .lsc file. */
#define GRIDMAP_LSC_NEXT "------ NEXT CHAIN ------"

enum gm_format {
	GM_FMT_PLAIN, /* one DN a line */
	GM_FMT_CSV,   /* VOMS-Admin export: DN, CA, e-mail */
	GM_FMT_LDIF,  /* LDAP export of ou=People */
	GM_FMT_LOCAL, /* grid-mapfile lines: "DN" account */
	GM_FMT_IAM,   /* INDIGO IAM SCIM user listing (JSON) */
};

/* One member.  dn is in "/C=../CN=.." form; ca and email may be NULL;
 * account is set only for local entries (grid-mapfile-local). */
struct gm_member {
	char *dn;
	char *ca;
	char *email;
	char *account;
	unsigned line; /* where it was read, 0 if not from a file */
};

/* A list of members; owns all its strings. */
struct gm_members {
	enum gm_format format;
	struct gm_member *v;
	size_t n, cap;
};

/* Parse a member list, auto-detecting its format (plain, CSV, LDIF, or
 * an IAM SCIM user listing: JSON whose "Resources" are users, each
 * certificate of their urn:indigo-dc:scim:schemas:IndigoUser extension
 * a member, its subjectDn and issuerDn in Grid form; errors
 * "NAME:LINE: not JSON..." or "NAME: Resources[I] ...";
 * a leading UTF-8 BOM is ignored).  name is used in messages.  An empty
 * list (only comments and blank lines) is a valid, empty list.
 * PT_INVALID for a file that is none of the formats or is malformed,
 * PT_NOMEM.  *out is NULL on failure. */
enum pt_status gridmap_members_parse(const char *name, const char *buf, size_t len,
                                     struct gm_members **out, struct pt_err *err);
/* Parse a grid-mapfile-local: lines `"DN" account` (the account may be
 * `.pool`), comments and blank lines; a DN may be unquoted if it has no
 * blank.  Members get their account. */
enum pt_status gridmap_local_parse(const char *name, const char *buf, size_t len,
                                   struct gm_members **out, struct pt_err *err);
/* Free and clear *m (NULL safe). */
void gridmap_members_free(struct gm_members **m);
/* An empty list of format f, NULL when out of memory. */
struct gm_members *gridmap_members_new(enum gm_format f);
/* Append a member (strings copied; ca, email, account may be NULL or
 * empty).  PT_NOMEM only: the caller checks what it adds. */
enum pt_status gridmap_members_add(struct gm_members *m, const char *dn, const char *ca,
                                   const char *email, const char *account, unsigned line,
                                   struct pt_err *err);
/* Whether dn is a DN the parsers accept ("/A=v/..", bounded); PT_INVALID
 * with a detail "NAME:LINE: ..." otherwise (line 0: just "NAME: ..."). */
enum pt_status gridmap_check_dn(const char *name, unsigned line, const char *dn,
                                struct pt_err *err);
/* Whether a is an account as rules and local files write it: NAME or
 * .POOL (letters, digits, '_', '-', '.'; not starting with a digit). */
bool gridmap_account_valid(const char *a);

enum gm_acl_kind { GM_ALLOW, GM_DENY };

struct gm_group {
	char *uri;
	char *account; /* as written, or the default_lcluser; never NULL */
	unsigned line;
};

struct gm_acl {
	enum gm_acl_kind kind;
	char *pattern; /* '*' is the only wildcard */
	unsigned line;
};

/* Parsed mkgridmap.conf.  Owns everything. */
struct gm_rules {
	struct gm_group *groups;
	size_t ngroups;
	char **auths; /* auth URIs */
	size_t nauths;
	struct gm_acl *acl; /* in file order: the first match decides */
	size_t nacl;
	char *default_account; /* default_lcluser, or NULL */
	char **local_files;    /* gmf_local FILE, for the caller to read */
	size_t nlocal_files;
	struct gm_members local; /* gmf_local "DN" account, inline */
};

/* Parse rules in mkgridmap.conf syntax:
 *   group URI [lcluser]     a VO's member list and the account it maps to
 *   auth URI                an authorization list (see gridmap_build)
 *   allow PATTERN           ACL on VO members; PATTERN may be "quoted"
 *   deny PATTERN
 *   default_lcluser NAME    account of the groups that name none
 *   gmf_local FILE          a grid-mapfile-local for the caller to read
 *   gmf_local "DN" ACCOUNT  a local entry written in the rules
 * Keywords are case-insensitive, '#' starts a comment outside quotes,
 * inside double quotes \" and \\ escape.  Accounts are NAME or .POOL.
 * A group without account needs a default_lcluser somewhere in the file. */
enum pt_status gridmap_rules_parse(const char *name, const char *buf, size_t len,
                                   struct gm_rules **out, struct pt_err *err);
void gridmap_rules_free(struct gm_rules **r);

/* The member list the caller found for one group or auth URI. */
struct gm_source {
	const char *uri;
	const struct gm_members *members;
};

struct gm_conflict {
	char *dn;        /* as listed */
	char *kept_from; /* URI of the group that decided, NULL: local */
	char *kept_account;
	char *lost_from; /* URI of the group overruled, NULL: local */
	char *lost_account;
};

struct gm_unsafe {
	char *dn;        /* control characters shown as \xNN */
	const char *why; /* untranslated, pass through _() */
	char *from;      /* URI, NULL: local */
};

/* What gridmap_build made.  Owns everything. */
struct gm_result {
	char *text; /* the grid-mapfile, NUL-terminated */
	size_t len;
	size_t nlines;
	char **missing; /* group/auth URIs with no member list */
	size_t nmissing;
	struct gm_unsafe *unsafe; /* DNs not written (deduplicated) */
	size_t nunsafe;
	struct gm_conflict *conflicts;
	size_t nconflicts;
	size_t ndenied;       /* VO members refused by the ACL */
	size_t nbanned;       /* members and local entries banned */
	size_t nunauthorized; /* VO members in no auth list */
};

/* Build the grid-mapfile as edg-mkgridmap would:
 *  - local entries (the rules' inline ones, then `local`, may be NULL)
 *    come first and win over any VO;
 *  - each group in rule order takes the members of its source; a group
 *    with no source is listed in missing and skipped;
 *  - when the rules have auth URIs, a VO member must be in one of their
 *    lists (fail closed: if none of them has a list, no VO member passes);
 *  - the ACL filters VO members only: the first allow/deny whose pattern
 *    matches the whole DN (case-insensitive, '*' the only wildcard)
 *    decides; with no match, deny if any allow exists, allow otherwise;
 *  - bans (patterns as the ACL's) drop anyone, local entries included,
 *    matched against both e-mail forms of the DN;
 *  - the first group that lists a DN decides its account; the others are
 *    listed in conflicts (and so is a VO overruled by a local entry);
 *  - a DN with /Email= or /emailAddress= is written in both forms;
 *  - a DN with a double quote, a trailing backslash, a control character
 *    or invalid UTF-8 is not written but listed in unsafe.
 * Lines are `"DN" account`, a backslash in a DN written as \\, sorted by
 * the bytes of the DN.  Only PT_NOMEM can fail. */
enum pt_status gridmap_build(const struct gm_rules *rules, const struct gm_source *sources,
                             size_t nsources, const struct gm_members *local,
                             const char *const *bans, size_t nbans, struct gm_result **out,
                             struct pt_err *err);
void gridmap_result_free(struct gm_result **r);

/* Whether pattern matches the whole of dn, case-insensitively (ASCII),
 * '*' matching any run of bytes. */
bool gridmap_match(const char *pattern, const char *dn);

/* One certificate of a VOMS server's chain, by its DNs. */
struct gm_cert {
	const char *subject;
	const char *issuer;
};

struct gm_chain {
	const struct gm_cert *certs; /* the server's first, then its issuers */
	size_t n;
};

/* The text of a vomsdir .lsc file: for each chain the server's subject
 * DN, then the issuer DN of each certificate (a self-signed root is not
 * repeated), one a line; alternative chains separated by a line
 * GRIDMAP_LSC_NEXT.  Each certificate's issuer must be the next one's
 * subject.  PT_INVALID for an empty or broken chain or a bad DN, PT_NOMEM.
 * *out is malloc'd, NUL-terminated. */
enum pt_status gridmap_lsc(const struct gm_chain *chains, size_t nchains, char **out,
                           struct pt_err *err);

/* A CA certificate of the store, as a chain check sees it. */
struct gm_anchor {
	const char *subject; /* Grid form */
	const char *issuer;
	bool root; /* self-signed */
	/* its namespace where known (nameConstraints' permitted directory
	 * names, Grid form): DNs it may sign under; none: no constraint */
	const char *const *permitted;
	size_t npermitted;
};

/* Longest way up from a chain's last DN to a root. */
#define GM_LSC_MAX_DEPTH 16

enum gm_lsc_verdict {
	GM_LSC_OK,
	GM_LSC_NO_ANCHOR, /* does not end at a CA of the store (or its root) */
	GM_LSC_BROKEN,    /* an issuer the store knows disagrees with the chain */
	GM_LSC_NAMESPACE, /* the server's DN is outside a CA's namespace */
};

/* Check one chain (dns[0] the server's DN, then each issuer, as the lines
 * of its .lsc) against the anchors: its last DN must be a CA certificate
 * of the store from which the store's certificates lead to a root; the
 * issuers the store knows must be those the chain names; the server's DN
 * must lie in the namespace of each CA on the way that has one.  why
 * (translated) says what is wrong. */
enum gm_lsc_verdict gridmap_lsc_check(const char *const *dns, size_t n, const struct gm_anchor *a,
                                      size_t na, char *why, size_t whylen);

/* ---- voms-mapfile, ban-mapfile, vomses (gridmap-authz.c) -------------- */

/* Longest FQAN accepted, in bytes. */
#define GRIDMAP_MAX_FQAN 255

/* One line of LCMAPS' voms-mapfile: an FQAN ("/cms/Role=lcgadmin",
 * "/cms", '*' a wildcard as LCMAPS reads it) and its account (NAME or
 * .POOL).  LCMAPS takes the first line that matches. */
struct gm_fqan_map {
	const char *fqan;
	const char *account;
};

/* Whether fqan is an FQAN of VO vo: "/VO" then "/PART"s of letters,
 * digits, '.', '_', '-', '=', '*'.  PT_INVALID with a message otherwise. */
enum pt_status gridmap_check_fqan(const char *vo, const char *fqan, struct pt_err *err);

/* The voms-mapfile text: `"FQAN" account` a line, in the order given.
 * PT_INVALID for a line that cannot be written.  *out malloc'd ("" for
 * none). */
enum pt_status gridmap_voms_mapfile(const struct gm_fqan_map *m, size_t n, char **out,
                                    struct pt_err *err);

/* The ban-mapfile text: `"DN"` a line (a '*' pattern as given), the
 * quoted form LCMAPS' and Argus' ban lists read; "" when there is no ban
 * (the file is written anyway).  A ban no quoted line can carry (a double
 * quote, a control character, a trailing backslash) is left out and
 * counted in *skipped. */
enum pt_status gridmap_ban_mapfile(const char *const *bans, size_t n, char **out, size_t *skipped,
                                   struct pt_err *err);

/* One VOMS server as a vomses line reads it. */
struct gm_vomses {
	const char *alias; /* the VO name by convention */
	const char *host;
	unsigned port;
	const char *server_dn;
	const char *vo;
};

/* `"alias" "host" "port" "server DN" "vo"` and a newline, malloc'd. */
enum pt_status gridmap_vomses_line(const struct gm_vomses *v, char **out, struct pt_err *err);

#endif

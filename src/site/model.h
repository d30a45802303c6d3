/* model.h - hosts, groups and service credentials.
 *
 * Every function that changes something must run inside the caller's
 * transaction (store_begin ... store_commit) and appends its own audit
 * row there; readers need no transaction.  Secrets come in and go out
 * in secure memory only.
 */
#ifndef PASSTORE_MODEL_H
#define PASSTORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/lib.h"
#include "store/lib.h"

struct host {
	int64_t id;
	const char *fqdn;
	const char *ip; /* "" when unset */
	int port;
	const char *groups; /* comma-separated, sorted; "" when none */
	time_t created_at, updated_at;
	int64_t credentials; /* entries covering the host */
};

struct group_info {
	const char *name;
	int64_t hosts;
};

struct credential {
	int64_t id;
	const char *user, *hostspec, *service;
	int64_t version, hosts;
	time_t created_at, updated_at;
};

struct credential_version {
	int64_t version;
	time_t set_at, replaced_at; /* replaced_at 0: the current one */
	const char *replaced_by;
};

/* Hosts */
enum pt_status model_host_add(struct store *st, const char *fqdn, const char *ip, int port,
                              const char *const *groups, size_t ngroups, struct pt_err *err);
enum pt_status model_host_rm(struct store *st, const char *fqdn, struct pt_err *err);
/* A change of a host: ip NULL keeps the address, "" clears it; port 0
 * keeps the port; groups to join (created when new) and to leave. */
struct host_change {
	const char *ip;
	int port;
	const char *const *add, *const *del;
	size_t nadd, ndel;
};
/* Validates everything before changing anything; *changed (may be NULL)
 * tells whether the host moved; audited ("host.set") only then. */
enum pt_status model_host_set(struct store *st, const char *fqdn, const struct host_change *ch,
                              bool *changed, struct pt_err *err);
enum pt_status model_host_get(struct store *st, const char *fqdn,
                              int (*cb)(const struct host *h, void *ud), void *ud,
                              struct pt_err *err);
/* Host ids of every name, in order; PT_NOTFOUND names the first unknown. */
enum pt_status model_host_ids(struct store *st, char *const *names, size_t n, int64_t *ids,
                              struct pt_err *err);
/* Members of a group (ids and names); PT_NOTFOUND when the group is unknown. */
enum pt_status model_group_hosts(struct store *st, const char *group, int64_t **ids, char ***names,
                                 size_t *n, struct pt_err *err);
enum pt_status model_host_foreach(struct store *st, const char *filter,
                                  int (*cb)(const struct host *h, void *ud), void *ud,
                                  struct pt_err *err);
/* A page of hosts in FQDN order (the fqdn index), for a console list:
 * the hosts after the FQDN after (NULL: from the first), at most limit
 * of them (0: all).  filter (NULL: none) keeps the hosts where it is a
 * case-insensitive (ASCII) substring of the FQDN, the address, the port,
 * the groups or the number of password entries: the columns a host list
 * shows. */
enum pt_status model_host_page(struct store *st, const char *filter, const char *after,
                               size_t limit, int (*cb)(const struct host *h, void *ud), void *ud,
                               struct pt_err *err);
enum pt_status model_group_foreach(struct store *st,
                                   int (*cb)(const struct group_info *g, void *ud), void *ud,
                                   struct pt_err *err);

/* Credentials: user@hostspec:service */
enum pt_status model_pw_add(struct store *st, const char *user, const char *hostspec,
                            const char *service, const int64_t *host_ids, size_t nhosts,
                            const char *secret, size_t secretlen, int64_t *id, struct pt_err *err);
/* Find an entry: by the exact spec it was written with, or, when the
 * spec names one host, by the entry covering that host. */
enum pt_status model_pw_find(struct store *st, const char *user, const char *hostspec,
                             const char *service, const int64_t *host_ids, size_t nhosts,
                             int64_t *id, struct pt_err *err);
/* The secret of version (0: current), in secure memory (NUL-terminated). */
enum pt_status model_pw_secret(struct store *st, int64_t id, int64_t version, char **secret,
                               size_t *len, struct pt_err *err);
/* model_pw_secret for showing a secret to someone (a console reveal,
 * pw show, a large view, an install that sends it): the read is
 * recorded in the audit trail (AUDIT_READ_SECRET: the entry, how, the
 * version, uid and tty; never the value), in the caller's transaction
 * or its own.  No record, no secret. */
enum pt_status model_pw_secret_read(struct store *st, int64_t id, int64_t version, const char *how,
                                    char **secret, size_t *len, struct pt_err *err);
enum pt_status model_pw_update(struct store *st, int64_t id, const char *secret, size_t secretlen,
                               struct pt_err *err);
enum pt_status model_pw_rm(struct store *st, int64_t id, struct pt_err *err);
enum pt_status model_pw_foreach(struct store *st, const char *filter,
                                int (*cb)(const struct credential *c, void *ud), void *ud,
                                struct pt_err *err);
/* A page of entries in model_pw_foreach's order (host spec, user,
 * service): those after the entry after (NULL: from the first; only its
 * user, hostspec and service are read), at most limit (0: all).  filter
 * (NULL: none) keeps the entries where it is a case-insensitive (ASCII)
 * substring of "user@hostspec:service", the version, the number of
 * hosts or the local date (YYYY-MM-DD) of the last update. */
enum pt_status model_pw_page(struct store *st, const char *filter, const struct credential *after,
                             size_t limit, int (*cb)(const struct credential *c, void *ud),
                             void *ud, struct pt_err *err);
enum pt_status model_pw_get(struct store *st, int64_t id,
                            int (*cb)(const struct credential *c, void *ud), void *ud,
                            struct pt_err *err);
enum pt_status model_pw_history(struct store *st, int64_t id,
                                int (*cb)(const struct credential_version *v, void *ud), void *ud,
                                struct pt_err *err);
/* Entries covering exactly this host. */
enum pt_status model_pw_foreach_host(struct store *st, const char *fqdn,
                                     int (*cb)(const struct credential *c, void *ud), void *ud,
                                     struct pt_err *err);
/* Hosts an entry covers. */
enum pt_status model_pw_hosts(struct store *st, int64_t id, int (*cb)(const char *fqdn, void *ud),
                              void *ud, struct pt_err *err);

/* Backups */
struct backup_info {
	const char *path, *sha256;
	time_t created_at;
	uint64_t bytes;
};
enum pt_status model_backup_record(struct store *st, const char *path, uint64_t bytes,
                                   const char *sha256, struct pt_err *err);
enum pt_status model_backup_foreach(struct store *st,
                                    int (*cb)(const struct backup_info *b, void *ud), void *ud,
                                    struct pt_err *err);

/* Current certificates, the stored columns only (nothing parsed), in no
 * particular order: one pass over the partial index of current ones, for
 * counts such as the console's dashboard. */
struct cert_glance {
	const char *fqdn;
	time_t not_before, not_after;
};
enum pt_status model_cert_current_foreach(struct store *st,
                                          int (*cb)(const struct cert_glance *c, void *ud),
                                          void *ud, struct pt_err *err);

/* The audit trail newest first, a page at a time for the console: the
 * rows older than before_id (0: from the newest), at most limit (0: all).
 * filter (NULL: none) keeps the rows where it is a case-insensitive
 * (ASCII) substring of the id, the local time (YYYY-MM-DD HH:MM), the
 * actor, action, object or detail.  Rows as audit_foreach gives them. */
struct audit_row;
enum pt_status model_audit_page(struct store *st, const char *filter, int64_t before_id,
                                size_t limit, int (*cb)(const struct audit_row *r, void *ud),
                                void *ud, struct pt_err *err);
/* The same, of one kind only (audit_kind_match; NULL or "": any). */
enum pt_status model_audit_page_kind(struct store *st, const char *kind, const char *filter,
                                     int64_t before_id, size_t limit,
                                     int (*cb)(const struct audit_row *r, void *ud), void *ud,
                                     struct pt_err *err);

/* The rows newer than after_id (0: from the oldest), oldest first, at
 * most limit (0: all), of one kind, filtered as model_audit_page. */
enum pt_status model_audit_page_newer_kind(struct store *st, const char *kind, const char *filter,
                                           int64_t after_id, size_t limit,
                                           int (*cb)(const struct audit_row *r, void *ud), void *ud,
                                           struct pt_err *err);

/* A secret generated with GnuTLS's key-grade random generator, from an
 * alphabet without look-alike characters; secure memory. */
enum pt_status model_generate_secret(size_t len, char **out, struct pt_err *err);

/* Generator choices: the character classes (GEN_ bits), the length and
 * "typable": no look-alike character (0 O o 1 l I |) and none a shell
 * treats specially ($ ` \ " ' ! ; & | < > * ? ( ) { } [ ] ~ # space). */
enum { GEN_LOWER = 1, GEN_UPPER = 2, GEN_DIGIT = 4, GEN_SYMBOL = 8, GEN_ALL = 15 };
struct gen_opts {
	size_t len;
	unsigned classes;
	bool typable;
};
/* Each character uniform over the alphabet the choices make, from
 * GnuTLS's key-grade generator; every class chosen appears at least
 * once; secure memory. */
enum pt_status model_generate_secret_opts(const struct gen_opts *o, char **out, struct pt_err *err);
/* "lower,upper,digit,symbol" (plurals too) to GEN_ bits. */
enum pt_status model_gen_parse_classes(const char *list, unsigned *classes, struct pt_err *err);

#endif

/* cli/private.h - what the command files share: the run state, the command
 * table row, and the helpers for arguments, secrets, host specs and
 * output.  Internal to cli/: cli.c dispatches, util.c and secret.c hold
 * the shared helpers, every other file is one command family ending with
 * its table. */
#ifndef PASSTORE_CLI_INT_H
#define PASSTORE_CLI_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/lib.h"
#include "store/lib.h"

enum {
	CMD_STORE = 1 << 0, /* unlocks the store first */
	CMD_WRITE = 1 << 1, /* runs in one write transaction (commit on exit 0) */
	CMD_PATH = 1 << 2,  /* works on the store file without unlocking it (init) */
	CMD_NET = 1 << 3,   /* may open a window: splits off the privileged helper first */
	CMD_ROOT = 1 << 4,  /* keeps the privileges it started with (init gives the store away) */
};

struct cli {
	const char *db_opt;
	int passphrase_fd;
	char *path;
	struct store *st;
	struct pt_err err;
	const struct cmd *cmd; /* the running command: its row gives the usage */
};

/* One command: argv[0] is its last command word, getopt-ready. */
struct cmd {
	const char *name, *sub;
	int (*run)(struct cli *c, int argc, char **argv);
	unsigned flags;
	const char *args; /* N_() */
	const char *help; /* N_() */
};

/* Unlock c->path with the passphrase from c->passphrase_fd or the terminal. */
enum pt_status cli_unlock(struct cli *c);
/* Print c->err (if any) on stderr; return its exit code. */
int cli_report(struct cli *c);
int cli_usage_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error showing the synopsis of the running command, from its
 * table row: no command writes its usage twice. */
int cli_bad_usage(struct cli *c);
/* "NAME [SUB] ARGS", translated, as the table row gives it. */
void cli_synopsis(const struct cmd *k, char *buf, size_t n);
int cli_parse_int(const char *s, long min, long max, long *out);
/* t as "YYYY-MM-DD HH:MM:SSZ" ("-" for 0) in a buffer of the calling
 * block: two in one call are two buffers, so `set` and `replaced` never
 * show the same time. */
#define cli_time(t) pt_utc_time((t), "-", (char[PT_UTC_LEN]){ 0 }, PT_UTC_LEN)
/* Set o[key] = v (taking v), or note key in *bad (if still NULL) and
 * return false: jansson gives NULL for a string that is not UTF-8 and
 * json_object_set_new then drops the key without a word. */
bool cli_json_set(json_t *o, const char *key, json_t *v, const char **bad);
/* Append v to a (taking it), or note what in *bad and return false. */
bool cli_json_append(json_t *a, json_t *v, const char *what, const char **bad);
/* s as a JSON string (NULL if not UTF-8), or null when s is NULL. */
json_t *cli_json_opt(const char *s);
/* Fail c->err naming the record and the field JSON cannot hold; 1 (a
 * foreach callback's "stop"). */
int cli_json_fail(struct cli *c, const char *record, const char *field);
/* Append o, built by cli_json_set under bad, to arr (taking o); or, when
 * bad is set or the append fails, release o and cli_json_fail: 0 or 1.
 * The caller prints nothing once c->err is set, so no document is ever
 * printed without the record. */
int cli_json_row(struct cli *c, json_t *arr, json_t *o, const char *bad, const char *record);
/* Print and release j; 0 or 1. */
int cli_json_print(json_t *j);
/* "--json" and at most one positional argument. */
int cli_list_args(struct cli *c, int argc, char **argv, const char **filter, bool *json);
/* Exactly one positional argument. */
int cli_one_arg(struct cli *c, int argc, char **argv, const char **arg);
/* A secret from fd (>= 0) or the terminal (asked twice when again). */
enum pt_status cli_get_secret(int fd, const char *prompt, const char *again, char **out,
                              size_t *len, struct pt_err *err);
enum pt_status cli_read_line_fd(int fd, char **out, size_t *len, struct pt_err *err);
/* All of fd (a multi-line secret such as an SSH private key), in secmem. */
enum pt_status cli_read_all_fd(int fd, char **out, size_t *len, struct pt_err *err);
/* The password of PKCS#12 files, read once per command into secure
 * memory (*pw, its length in *len unless NULL): nothing is read while
 * *pw is set; else from fd, or (fd < 0) the terminal, asking for the
 * password of file. */
enum pt_status cli_p12_password(int fd, const char *file, char **pw, size_t *len,
                                struct pt_err *err);
char *cli_lowercase(const char *s);

/* ARG [--accept-hostkey SHA256:...], and [--dry-run] when dry is not
 * NULL: 0, or the exit code of a usage error. */
int cli_transfer_args(struct cli *c, int argc, char **argv, const char **arg, const char **accept,
                      bool *dry);

struct transfer_result;
/* The figures of a closed window, and a host key pinned by it. */
void cli_print_window(const struct transfer_result *r);
/* A signal that cut a transfer short ends the process the usual way
 * (the store closed first); nothing when sig is 0. */
void cli_reraise(struct cli *c, int sig);

/* A listing in text or JSON: the callbacks of model_*_foreach get it. */
struct cred_print {
	bool json;
	json_t *arr;
	struct cli *c; /* where a record JSON cannot hold is reported */
};
struct credential;
/* One password entry as a line, or appended to p->arr (pw.c). */
int cli_cred_row(const struct credential *cr, void *ud);

/* The largest file each kind of import reads (pt_file_read's max). */
#define CERT_FILE_MAX (64 * 1024 * 1024)
/* Member lists of big VOs run to megabytes; nothing sane is bigger. */
#define GRID_FILE_MAX (256 * 1024 * 1024)

/* Command families (each file ends with its table). */
extern const struct cmd cli_store_commands[];
extern const size_t cli_store_ncommands;
extern const struct cmd cli_host_commands[];
extern const size_t cli_host_ncommands;
extern const struct cmd cli_group_commands[];
extern const size_t cli_group_ncommands;
extern const struct cmd cli_pw_commands[];
extern const size_t cli_pw_ncommands;
extern const struct cmd cli_audit_commands[];
extern const size_t cli_audit_ncommands;
extern const struct cmd cli_ca_commands[];
extern const size_t cli_ca_ncommands;
extern const struct cmd cli_cert_commands[];
extern const size_t cli_cert_ncommands;
extern const struct cmd cli_inspect_commands[];
extern const size_t cli_inspect_ncommands;
extern const struct cmd cli_report_commands[];
extern const size_t cli_report_ncommands;
extern const struct cmd cli_config_commands[];
extern const size_t cli_config_ncommands;
extern const struct cmd cli_transfer_commands[];
extern const size_t cli_transfer_ncommands;
extern const struct cmd cli_vo_commands[];
extern const size_t cli_vo_ncommands;
extern const struct cmd cli_gridmap_commands[];
extern const size_t cli_gridmap_ncommands;
extern const struct cmd cli_voms_commands[];
extern const size_t cli_voms_ncommands;
extern const struct cmd cli_firewall_commands[];
extern const size_t cli_firewall_ncommands;
extern const struct cmd cli_escrow_commands[];
extern const size_t cli_escrow_ncommands;
extern const struct cmd cli_crl_commands[];
extern const size_t cli_crl_ncommands;

#endif

/* status.h - the one status enum of the core, with its message table.
 *
 * The core never prints and never exits: every fallible call returns an
 * enum pt_status and, where it has more to say, fills a struct pt_err
 * with a one-line detail.  The CLI prints it and maps it to an exit
 * code; the TUI shows it.  Details never contain secret material.
 */
#ifndef PASSTORE_STATUS_H
#define PASSTORE_STATUS_H

#include <stdarg.h>

/*     name            exit  message */
/* clang-format off */
#define PT_STATUS_INFO(_) \
	_(OK,            0, N_("success")) \
	_(ERR,           1, N_("operation failed")) \
	_(NOMEM,         1, N_("out of memory")) \
	_(IO,            1, N_("input/output error")) \
	_(DAMAGED,       1, N_("the store is damaged")) \
	_(CRYPTO,        1, N_("cryptographic operation failed")) \
	_(NET,           1, N_("network operation failed")) \
	_(TIMEOUT,       1, N_("operation timed out")) \
	_(USAGE,         2, N_("invalid usage")) \
	_(INVALID,       2, N_("invalid input")) \
	_(LOCKED,        3, N_("wrong passphrase or not a passtore store")) \
	_(NOTSTORE,      3, N_("not a passtore store")) \
	_(NOTFOUND,      4, N_("not found")) \
	_(EXISTS,        5, N_("already exists")) \
	_(REFUSED,       5, N_("refused")) \
	_(MISMATCH,      5, N_("does not match")) \
	_(HOSTKEY,       5, N_("host key does not match the pinned one")) \
	_(BROKEN_CHAIN,  5, N_("audit chain broken"))
/* clang-format on */

enum pt_status {
#define PT_STATUS_ENUM(name, exitcode, msg) PT_##name,
	PT_STATUS_INFO(PT_STATUS_ENUM)
#undef PT_STATUS_ENUM
		PT_STATUS_MAX
};

/* One error: a status and a translated one-line detail. */
struct pt_err {
	enum pt_status status;
	char detail[512];
};

/* Untranslated message of a status (pass through _() to show it). */
const char *pt_status_msg(enum pt_status st);
/* Process exit code for a status: 0 ok, 1 failure, 2 usage, 3 locked,
 * 4 not found, 5 refused. */
int pt_status_exit(enum pt_status st);

/* Fill err (may be NULL) with st and a printf-style detail; returns st so
 * that callers can write `return pt_fail(err, PT_IO, _("..."), ...);`. */
enum pt_status pt_fail(struct pt_err *err, enum pt_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum pt_status pt_vfail(struct pt_err *err, enum pt_status st, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
void pt_err_clear(struct pt_err *err);
/* What to show for err: its detail, else the translated message of its
 * status.  The one place that choice is made, for every face. */
const char *pt_err_text(const struct pt_err *err);

#endif

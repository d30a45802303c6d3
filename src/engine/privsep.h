/* privsep.h - privilege separation, as OpenSSH does it.
 *
 * A command that may open a window splits before it reads anything
 * secret: a small helper (a fork of the program, entered before the store
 * is opened) keeps CAP_NET_ADMIN and CAP_NET_RAW and nothing else, and
 * serves four fixed-size requests over a socketpair: open a window, close
 * it, recover what dead windows left, read the posture (guard.h's
 * guard_window_* and guard_posture_fw), each validated field by field
 * (never a free-form rule); it closes only a window it opened.  It holds
 * no secret and never sees the store.  The main process then drops every
 * capability; those four calls go to the helper when it is up, and the
 * finer guard calls are no longer the main process's to make.  Both
 * processes then run under a seccomp allow-list (sandbox.c).
 */
#ifndef PASSTORE_PRIVSEP_H
#define PASSTORE_PRIVSEP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/lib.h"

/* Fork the helper.  In the parent (*child false) the guard now goes
 * through it; the parent should then call privsep_drop_main.  In the
 * child (*child true) the caller must call privsep_serve(*fd) and end the
 * process with what it returns: the core never exits.  Fails with a reason
 * (no CAP_NET_ADMIN, no socketpair, no fork) and nothing started. */
enum pt_status privsep_start(bool *child, int *fd, struct pt_err *err);
/* The helper's loop: drop to the network capabilities, install its
 * seccomp filter, serve until the main process closes its end, then close
 * what it still holds open.  The exit status for the child process; when
 * 1, *why (if set) is what the caller must say on stderr: the main
 * process is gone. */
int privsep_serve(int fd, struct pt_err *why);
/* The main process: drop every capability (and, as root with an account
 * "passtore", become that account).  PT_OK or why not. */
enum pt_status privsep_drop_main(struct pt_err *err);
/* The unprivileged account the main process becomes as root, if it
 * exists ("passtore"; the tests' PASSTORE_TEST_ACCOUNT stands in). */
const char *privsep_account(void);
/* Whether the guard goes through a helper. */
bool privsep_active(void);

/* What `posture` shows of the split. */
struct privsep_info {
	bool active;
	pid_t helper_pid, main_pid;
	uid_t main_uid;
	uint64_t helper_cap, main_cap;    /* CapEff of /proc/PID/status */
	int helper_seccomp, main_seccomp; /* Seccomp: 0 none, 1 strict, 2 filter, -1 unknown */
};
void privsep_info(struct privsep_info *out);

/* ---- the seccomp sandbox (sandbox.c) ---- */

enum sandbox_who { SANDBOX_HELPER, SANDBOX_MAIN };
/* Install the allow-list of who: a call outside it ends the process with
 * SIGSYS after writing "passtore: seccomp: system call N refused" on
 * stderr.  PASSTORE_SANDBOX=off in the environment skips it (debugging);
 * PASSTORE_TEST_SYSCALL=execve|ptrace|packet then tries that call (the
 * tests' proof that it is refused). */
enum pt_status sandbox_enter(enum sandbox_who who, struct pt_err *err);

#ifdef PRIVSEP_TEST
/* Tests only: tests/unit/test_privsep compiles privsep.c with
 * PRIVSEP_TEST and speaks the protocol itself, malformed.  The helper's
 * loop without the capability drop and the seccomp filter (what a
 * process without root cannot make). */
#include "engine/privsep-proto.h"
int privsep_test_loop(int fd);
/* The next n CLOSEs of a window with its rules in fail half-way, as a
 * lost netlink answer makes them: the rules stay, the rest closes.  Set
 * before the helper is forked. */
void privsep_test_fail_close(int n);
/* The client calls (guard_window_* with the helper up) go to fd, a
 * helper the test started; -1: none again. */
void privsep_test_client(int fd);
#endif

#endif

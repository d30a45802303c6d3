/* sandbox.c - the seccomp allow-lists of the two processes of the split.
 *
 * Each list is what that process's work was seen to call (strace of the
 * test suite's paths) and nothing more.  A call outside it traps: the
 * SIGSYS handler writes which call on stderr with write(2) and the signal
 * then ends the process, so a refusal is never silent.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <seccomp.h>

#include "base/i18n.h"
#include "engine/private.h"
#include "engine/privsep.h"

/* Calls both processes make: memory, files already named, time, signals,
 * the socket to the other side. */
static const int common_calls[] = {
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(readv),
	SCMP_SYS(writev),
	SCMP_SYS(pread64),
	SCMP_SYS(close),
	SCMP_SYS(fstat),
	SCMP_SYS(newfstatat),
	SCMP_SYS(statx),
	SCMP_SYS(lseek),
	SCMP_SYS(openat),
	SCMP_SYS(fcntl),
	SCMP_SYS(flock),
	SCMP_SYS(mmap),
	SCMP_SYS(munmap),
	SCMP_SYS(mprotect),
	SCMP_SYS(mremap),
	SCMP_SYS(madvise),
	SCMP_SYS(brk),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	SCMP_SYS(getpid),
	SCMP_SYS(gettid),
	SCMP_SYS(tgkill),
	SCMP_SYS(getuid),
	SCMP_SYS(geteuid),
	SCMP_SYS(getgid),
	SCMP_SYS(getegid),
	SCMP_SYS(clock_gettime),
	SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(time),
	SCMP_SYS(poll),
	SCMP_SYS(ppoll),
	SCMP_SYS(futex),
	SCMP_SYS(getrandom),
	SCMP_SYS(sendto),
	SCMP_SYS(recvfrom),
	SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg),
	SCMP_SYS(bind),
	SCMP_SYS(getsockname),
	SCMP_SYS(setsockopt),
	SCMP_SYS(getsockopt),
	SCMP_SYS(ioctl),
	SCMP_SYS(uname),
	SCMP_SYS(prlimit64),
	SCMP_SYS(sched_getaffinity),
	SCMP_SYS(sched_yield),
	SCMP_SYS(readlink),
	SCMP_SYS(access),
	SCMP_SYS(faccessat),
	SCMP_SYS(faccessat2),
	SCMP_SYS(getdents64),
	SCMP_SYS(dup),
	SCMP_SYS(dup2),
	SCMP_SYS(dup3),
	SCMP_SYS(umask),
	SCMP_SYS(sysinfo),
	SCMP_SYS(rseq),
	SCMP_SYS(set_robust_list),
	SCMP_SYS(get_robust_list),
	SCMP_SYS(restart_syscall),
	SCMP_SYS(getcwd),
	SCMP_SYS(select),
	SCMP_SYS(pselect6),
	SCMP_SYS(epoll_create1),
	SCMP_SYS(epoll_ctl),
	SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait),
	SCMP_SYS(shutdown),
	SCMP_SYS(socketpair),
#ifdef __NR_open
	SCMP_SYS(open),
	SCMP_SYS(stat),
	SCMP_SYS(lstat),
#endif
};

/* The main process besides: the store (writes, locks, renames, fsync),
 * SSH (connect), the console (terminal), threads (the signal thread and
 * the SSH watchdog). */
static const int main_calls[] = {
	SCMP_SYS(pwrite64),
	SCMP_SYS(fsync),
	SCMP_SYS(fdatasync),
	SCMP_SYS(ftruncate),
	SCMP_SYS(unlink),
	SCMP_SYS(unlinkat),
	SCMP_SYS(rename),
	SCMP_SYS(renameat),
	SCMP_SYS(renameat2),
	SCMP_SYS(mkdir),
	SCMP_SYS(mkdirat),
	SCMP_SYS(rmdir),
	SCMP_SYS(fchmod),
	SCMP_SYS(chmod),
	SCMP_SYS(fchmodat),
	SCMP_SYS(fchown),
	SCMP_SYS(utimensat),
	SCMP_SYS(link),
	SCMP_SYS(linkat),
	SCMP_SYS(symlink),
	SCMP_SYS(fallocate),
	SCMP_SYS(mlock),
	SCMP_SYS(munlock),
	SCMP_SYS(mlock2),
	SCMP_SYS(connect),
	SCMP_SYS(getpeername),
	SCMP_SYS(listen),
	SCMP_SYS(accept),
	SCMP_SYS(accept4),
	SCMP_SYS(clone),
	SCMP_SYS(clone3),
	SCMP_SYS(set_tid_address),
	SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(rt_sigpending),
	SCMP_SYS(rt_sigsuspend),
	SCMP_SYS(sigaltstack),
	SCMP_SYS(kill),
	SCMP_SYS(prctl),
	SCMP_SYS(wait4),
	SCMP_SYS(pipe),
	SCMP_SYS(pipe2),
	SCMP_SYS(getppid),
	SCMP_SYS(getpgrp),
	SCMP_SYS(setpgid),
	SCMP_SYS(getpgid),
	SCMP_SYS(getsid),
	SCMP_SYS(membarrier),
	SCMP_SYS(timerfd_create),
	SCMP_SYS(timerfd_settime),
	SCMP_SYS(eventfd2),
	SCMP_SYS(getresuid),
	SCMP_SYS(getresgid),
	SCMP_SYS(getgroups),
	SCMP_SYS(clock_getres),
	SCMP_SYS(sched_setaffinity),
	SCMP_SYS(getrusage),
	SCMP_SYS(times),
	SCMP_SYS(fstatfs),
	SCMP_SYS(statfs),
	SCMP_SYS(msync),
	SCMP_SYS(mincore),
	SCMP_SYS(alarm),
	SCMP_SYS(setitimer),
	SCMP_SYS(getitimer),
	SCMP_SYS(truncate),
	SCMP_SYS(fchdir),
	SCMP_SYS(chdir),
	SCMP_SYS(readlinkat),
	SCMP_SYS(ioprio_get),
	SCMP_SYS(getpriority),
	SCMP_SYS(preadv),
	SCMP_SYS(pwritev),
};

#ifdef __SANITIZE_ADDRESS__
/* Sanitizer builds only (the test suite's second run, never a station's
 * binary): LeakSanitizer's check at exit stops the world, a tracer task
 * (clone) that ptrace-attaches every thread and waits for them.  Refused,
 * the tracer died of SIGSYS and the process spun in sched_yield waiting
 * for it.  PTRACE_TRACEME, the tests' probe, stays refused. */
static const int lsan_calls[] = {
	SCMP_SYS(clone),       SCMP_SYS(wait4), SCMP_SYS(prctl),       SCMP_SYS(getppid),
	SCMP_SYS(sigaltstack), SCMP_SYS(kill),  SCMP_SYS(sched_yield),
#ifdef __NR_getdents
	SCMP_SYS(getdents), /* the sanitizer's own listing of /proc/PID/task */
#endif
};

#endif

/* The helper opens sockets of these families only: netlink (links,
 * routes, neighbours, nf_tables), AF_INET and AF_INET6 (libiptc's and
 * libip6tc's raw sockets), AF_UNIX
 * (if_nametoindex). */
static const int helper_families[] = { AF_NETLINK, AF_INET, AF_INET6, AF_UNIX };
/* The main process: SSH over IPv4/IPv6, AF_UNIX (if_nametoindex,
 * socketpair), netlink (getaddrinfo's interface list). */
static const int main_families[] = { AF_INET, AF_INET6, AF_UNIX, AF_NETLINK };

static const char *who_name[] = { "helper", "main process" };
static int sandbox_who = -1;
/* Names of the calls, resolved before the filter is in: the handler may
 * only copy them. */
#define SANDBOX_NAMES 512
static char *sandbox_names[SANDBOX_NAMES];

/* Only write(2) here: the handler runs in a process that may be broken. */
static void
sandbox_sigsys(int sig, siginfo_t *si, void *uc)
{
	char msg[128], num[16];
	size_t n = 0, k = 0;
	int nr = si->si_syscall;
	const char *parts[4];

	(void)uc;
	do
		num[k++] = (char)('0' + nr % 10);
	while ((nr /= 10) > 0 && k < sizeof(num));
	parts[0] = "passtore: seccomp: system call ";
	parts[1] = si->si_syscall >= 0 && si->si_syscall < SANDBOX_NAMES
	                   ? sandbox_names[si->si_syscall]
	                   : NULL;
	parts[2] = " refused in the ";
	parts[3] = sandbox_who >= 0 ? who_name[sandbox_who] : "process";
	for (int i = 0; i < 4; i++) {
		if (i == 1) {
			while (k > 0 && n < sizeof(msg) - 1)
				msg[n++] = num[--k];
			if (!parts[1] || n + 2 >= sizeof(msg))
				continue;
			msg[n++] = ' ';
			msg[n++] = '(';
			for (const char *p = parts[1]; *p && n < sizeof(msg) - 2; p++)
				msg[n++] = *p;
			msg[n++] = ')';
			continue;
		}
		for (const char *p = parts[i]; *p && n < sizeof(msg) - 1; p++)
			msg[n++] = *p;
	}
	msg[n < sizeof(msg) ? n++ : sizeof(msg) - 1] = '\n';
	(void)!write(STDERR_FILENO, msg, n);
	/* pending until the handler returns, then it ends the process */
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
add_list(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (calls[i] >= 0 && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0) != 0)
			return -1;
	return 0;
}

#ifdef __SANITIZE_ADDRESS__
static int
add_lsan(scmp_filter_ctx ctx)
{
	if (add_list(ctx, lsan_calls, sizeof(lsan_calls) / sizeof(lsan_calls[0])) != 0)
		return -1;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ptrace), 1,
	                        SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)PTRACE_TRACEME));
}
#else
static int
add_lsan(scmp_filter_ctx ctx)
{
	(void)ctx;
	return 0;
}
#endif

static int
add_families(scmp_filter_ctx ctx, const int *fam, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
		                     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam[i])) != 0)
			return -1;
	return 0;
}

/* The tests' proof: try a call the list refuses, after it is in. */
static void
sandbox_test_call(enum sandbox_who who)
{
	const char *t = getenv("PASSTORE_TEST_SYSCALL");
	const char *pre = who == SANDBOX_HELPER ? "helper:" : "main:";
	size_t n = strlen(pre);

	if (!t || strncmp(t, pre, n) != 0)
		return;
	t += n;
	if (strcmp(t, "execve") == 0) {
		char *argv[] = { (char *)"/bin/sh", NULL };
		execve("/bin/sh", argv, NULL);
	} else if (strcmp(t, "ptrace") == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	} else if (strcmp(t, "packet") == 0) {
		(void)socket(AF_PACKET, SOCK_RAW, 0);
	}
}

enum pt_status
sandbox_enter(enum sandbox_who who, struct pt_err *err)
{
	const char *off = getenv("PASSTORE_SANDBOX");
	struct sigaction sa;
	scmp_filter_ctx ctx;
	int rc = -1;

	if (off && strcmp(off, "off") == 0)
		return PT_OK;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0)
		return pt_fail(err, PT_ERR, _("seccomp: cannot catch SIGSYS: %s"), strerror(errno));
	sandbox_who = who;
	for (int i = 0; i < SANDBOX_NAMES; i++)
		if (!sandbox_names[i])
			sandbox_names[i] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, i);
	if (!(ctx = seccomp_init(SCMP_ACT_TRAP)))
		return pt_fail(err, PT_ERR, _("seccomp: cannot build the filter"));
	/* every thread of the process, the console's included */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) != 0)
		goto out;
	if (add_list(ctx, common_calls, sizeof(common_calls) / sizeof(common_calls[0])) != 0 ||
	    add_lsan(ctx) != 0)
		goto out;
	if (who == SANDBOX_MAIN) {
		if (add_list(ctx, main_calls, sizeof(main_calls) / sizeof(main_calls[0])) != 0 ||
		    add_families(ctx, main_families,
		                 sizeof(main_families) / sizeof(main_families[0])) != 0)
			goto out;
	} else if (add_families(ctx, helper_families,
	                        sizeof(helper_families) / sizeof(helper_families[0])) != 0) {
		goto out;
	}
	rc = seccomp_load(ctx);
out:
	seccomp_release(ctx);
	if (rc != 0)
		return pt_fail(err, PT_ERR,
		               who == SANDBOX_HELPER
		                       ? _("seccomp: cannot load the filter of the helper")
		                       : _("seccomp: cannot load the filter of the main process"));
	sandbox_test_call(who);
	return PT_OK;
}

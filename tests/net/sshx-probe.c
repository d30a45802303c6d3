/* sshx-probe.c - one sshx operation per invocation, for tests/net/sshx.test.
 *
 * sshx-probe [-c CONNECT_MS] [-d DEADLINE_MS] [-k] [-t KEYTYPE] [-o OWNER] [-w MS]
 *            [-W FIFO] OP HOST PORT USER PIN|- ACCEPT|- [ARGS]
 *   OP: connect                  connect, check host key, authenticate
 *       put REMOTE MODE          data from stdin (MODE octal)
 *       get REMOTE [MAXLEN]      content to stdout
 *       list DIR                 "file NAME SIZE MTIME" lines
 * -w sleeps MS after connecting, before the operation.
 * -W waits, after connecting and printing the timing line, until a byte can
 * be read from FIFO; with it, -d counts from the end of that wait (not from
 * the start), so a test can freeze the peer mid-session at a point of its
 * choosing, with no race against the operation and no time charged to it.  The password (or, with -k, the private key text) is read from fd 3.
 * Results go to stdout as "key value" lines (for get: the raw content
 * after the info lines go to stderr); an error is one "error: ..." line
 * on stderr.  Exit code: pt_status_exit() of the status.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/lib.h"
#include "engine/lib.h"

static const char *const status_names[] = {
#define PROBE_NAME(name, exitcode, msg) #name,
	PT_STATUS_INFO(PROBE_NAME)
#undef PROBE_NAME
};

/* Read all of fd into secmem (NUL-terminated). */
static char *
read_fd(int fd, size_t max, size_t *lenp)
{
	size_t cap = 4096, len = 0;
	char *buf = secmem_alloc(cap), *nb;
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				secmem_free(buf);
				return NULL;
			}
			nb = secmem_realloc(buf, cap * 2);
			if (!nb) {
				secmem_free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			secmem_free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0'; /* secmem keeps one byte past the size for this */
	*lenp = len;
	return buf;
}

/* Open descriptors, to catch a session that leaks its socket. */
static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int
fail(const struct pt_err *e)
{
	fprintf(stderr, "error: %s: %s\n",
	        (unsigned)e->status < PT_STATUS_MAX ? status_names[e->status] : "?", e->detail);
	return pt_status_exit(e->status);
}

static int
usage(void)
{
	fprintf(stderr,
	        "usage: sshx-probe [-c MS] [-d MS] [-k] [-t KEYTYPE] [-o UID:GID] [-w MS] [-W FIFO] "
	        "connect|put|get|list HOST PORT USER PIN|- ACCEPT|- [ARGS]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct sshx_opts o;
	struct sshx *s = NULL;
	struct pt_err e;
	const struct sshx_timing *t;
	const char *op, *owner = NULL, *gate = NULL;
	FILE *info;
	char *secret = NULL, *data = NULL;
	size_t slen = 0, dlen = 0;
	long deadline = 0, wait_ms = 0;
	int c, key = 0, rc = 0, fds0;
	int64_t t0;

	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	pt_err_clear(&e);
	while ((c = getopt(argc, argv, "c:d:kt:o:w:W:")) != -1) {
		switch (c) {
		case 'c': o.connect_timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': deadline = strtol(optarg, NULL, 10); break;
		case 'k': key = 1; break;
		case 't': o.pin_type = optarg; break;
		case 'o': owner = optarg; break;
		case 'w': wait_ms = strtol(optarg, NULL, 10); break;
		case 'W': gate = optarg; break;
		default: return usage();
		}
	}
	if (argc - optind < 6)
		return usage();
	op = argv[optind];
	o.host = argv[optind + 1];
	o.port = (unsigned)strtoul(argv[optind + 2], NULL, 10);
	o.user = argv[optind + 3];
	o.pin = strcmp(argv[optind + 4], "-") ? argv[optind + 4] : NULL;
	o.accept = strcmp(argv[optind + 5], "-") ? argv[optind + 5] : NULL;
	argv += optind + 6;
	argc -= optind + 6;

	secret = read_fd(3, 1 << 16, &slen);
	if (!secret) {
		fprintf(stderr, "error: cannot read the secret from fd 3\n");
		return 2;
	}
	while (slen && (secret[slen - 1] == '\n' || secret[slen - 1] == '\r'))
		secret[--slen] = '\0';
	if (key)
		o.privkey = secret;
	else
		o.password = secret;
	if (deadline > 0 && !gate)
		o.deadline_ms = sshx_now_ms() + deadline;

	if ((strcmp(op, "put") == 0 && argc < 2) ||
	    ((strcmp(op, "get") == 0 || strcmp(op, "list") == 0) && argc < 1) ||
	    (strcmp(op, "put") && strcmp(op, "get") && strcmp(op, "list") && strcmp(op, "connect")))
		return usage();
	info = strcmp(op, "get") == 0 ? stderr : stdout;
	if (strcmp(op, "put") == 0) {
		data = read_fd(0, 64u << 20, &dlen);
		if (!data) {
			fprintf(stderr, "error: cannot read the data from stdin\n");
			return 2;
		}
	}

	fds0 = count_fds();
	if (sshx_connect(&o, &s, &e) != PT_OK) {
		rc = fail(&e);
		goto out;
	}
	secmem_freep(&secret);
	t = sshx_timing(s);
	fprintf(info, "hostkey %s %s\n", sshx_hostkey_type(s), sshx_hostkey_fp(s));
	fprintf(info, "timing connect_ms=%ld auth_ms=%ld sftp_ms=%ld\n", t->connect_ms, t->auth_ms,
	        t->sftp_ms);
	fflush(info);
	if (wait_ms > 0)
		usleep((useconds_t)wait_ms * 1000);
	if (gate) {
		int g = open(gate, O_RDONLY | O_CLOEXEC);
		char b;

		if (g < 0 || read(g, &b, 1) != 1) {
			fprintf(stderr, "error: cannot read the gate %s\n", gate);
			if (g >= 0)
				close(g);
			rc = 2;
			goto out;
		}
		close(g);
		if (deadline > 0)
			sshx_set_deadline(s, sshx_now_ms() + deadline);
	}
	t0 = sshx_now_ms();

	if (strcmp(op, "connect") == 0) {
		rc = 0;
	} else if (strcmp(op, "put") == 0) {
		unsigned char sha[32];
		mode_t mode = (mode_t)strtoul(argv[1], NULL, 8);
		int i;

		if (sshx_put(s, data, dlen, argv[0], mode, owner, sha, &e) != PT_OK) {
			rc = fail(&e);
			goto out;
		}
		printf("sha256 ");
		for (i = 0; i < 32; i++)
			printf("%02x", sha[i]);
		printf("\nop_ms %ld\n", (long)(sshx_now_ms() - t0));
	} else if (strcmp(op, "get") == 0) {
		void *buf = NULL;
		size_t len = 0, max = argc >= 2 ? strtoul(argv[1], NULL, 10) : 1 << 20;

		if (sshx_get(s, argv[0], &buf, &len, max, &e) != PT_OK) {
			rc = fail(&e);
			goto out;
		}
		fflush(stdout);
		fprintf(stderr, "size %zu\nop_ms %ld\n", len, (long)(sshx_now_ms() - t0));
		if (fwrite(buf, 1, len, stdout) != len)
			rc = 1;
		secmem_free(buf);
	} else if (strcmp(op, "list") == 0) {
		struct sshx_entry *v = NULL;
		size_t n = 0, i;

		if (sshx_list(s, argv[0], &v, &n, &e) != PT_OK) {
			rc = fail(&e);
			goto out;
		}
		for (i = 0; i < n; i++)
			printf("file %s %llu %lld\n", v[i].name, (unsigned long long)v[i].size,
			       (long long)v[i].mtime);
		printf("count %zu\n", n);
		sshx_list_free(&v, n);
	}
out:
	sshx_free(&s);
	if (count_fds() != fds0) {
		fprintf(stderr, "error: descriptor leak: %d open before, %d after\n", fds0,
		        count_fds());
		rc = rc ? rc : 1;
	}
	secmem_freep(&secret);
	secmem_freep(&data);
	return rc;
}

/* sshx.c - one SSH/SFTP session to one peer, on libssh 0.10.
 *
 * Owns: the TCP connect (our own socket, so that the deadline watchdog can
 * shut it down at any moment), the host-key check before any credential
 * leaves, password / key authentication, errors and exec.  The SFTP put is
 * in sshx-put.c, get and list in sshx-get.c; what they share is in
 * engine/private.h.  No printing, no store, no exit.
 *
 * Why a watchdog thread: libssh's blocking calls after the key exchange
 * (auth, channel and SFTP reads) wait without limit; SSH_OPTIONS_TIMEOUT
 * covers only the connect.  Shutting the socket down from a second thread
 * makes every pending poll()/send() in libssh return, so a hung peer
 * becomes an error that we report as PT_TIMEOUT.  The watchdog touches
 * only a dup() of the socket, never libssh.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "engine/private.h"
#include "engine/sshx.h"

int64_t
sshx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- watchdog ------------------------------------------------------ */

static void *
sshx_watchdog(void *arg)
{
	struct sshx *s = arg;
	struct timespec ts;

	pthread_mutex_lock(&s->mu);
	while (!s->wd_stop) {
		if (s->deadline_ms <= 0 || atomic_load(&s->expired)) {
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		if (sshx_now_ms() >= s->deadline_ms) {
			atomic_store(&s->expired, true);
			(void)shutdown(s->wd_fd, SHUT_RDWR);
			continue;
		}
		ts.tv_sec = s->deadline_ms / 1000;
		ts.tv_nsec = (long)(s->deadline_ms % 1000) * 1000000L;
		(void)pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static int
sshx_watchdog_start(struct sshx *s)
{
	pthread_condattr_t ca;
	int rc;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		return -1;
	pthread_mutex_init(&s->mu, NULL);
	if (pthread_create(&s->wd, NULL, sshx_watchdog, s) != 0) {
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		return -1;
	}
	s->wd_running = true;
	return 0;
}

static void
sshx_watchdog_stop(struct sshx *s)
{
	if (!s->wd_running)
		return;
	pthread_mutex_lock(&s->mu);
	s->wd_stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->wd, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	s->wd_running = false;
}

void
sshx_set_deadline(struct sshx *s, int64_t deadline_ms)
{
	if (!s || !s->wd_running)
		return;
	pthread_mutex_lock(&s->mu);
	s->deadline_ms = deadline_ms;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Whether the deadline has passed (the watchdog may not have run yet). */
bool
sshx_expired(struct sshx *s)
{
	int64_t d;

	if (atomic_load(&s->expired))
		return true;
	if (!s->wd_running)
		return false;
	pthread_mutex_lock(&s->mu);
	d = s->deadline_ms;
	pthread_mutex_unlock(&s->mu);
	return d > 0 && sshx_now_ms() >= d;
}

/* ---- errors -------------------------------------------------------- */

static enum pt_status
sshx_fail_ssh(struct sshx *s, struct pt_err *err, const char *what)
{
	if (sshx_expired(s))
		return pt_fail(err, PT_TIMEOUT, _("%s with %s: the deadline passed"), what,
		               s->peer);
	return pt_fail(err, PT_NET, _("%s with %s failed: %s"), what, s->peer,
	               ssh_get_error(s->ssh));
}

static const char *
sshx_sftp_reason(int code)
{
	switch (code) {
	case SSH_FX_EOF: return _("unexpected end of file");
	case SSH_FX_NO_SUCH_FILE: return _("no such file or directory");
	case SSH_FX_PERMISSION_DENIED: return _("permission denied");
	case SSH_FX_BAD_MESSAGE: return _("bad message");
	case SSH_FX_NO_CONNECTION: return _("no connection");
	case SSH_FX_CONNECTION_LOST: return _("connection lost");
	case SSH_FX_OP_UNSUPPORTED: return _("operation not supported by the server");
	case SSH_FX_FILE_ALREADY_EXISTS: return _("file already exists");
	case SSH_FX_WRITE_PROTECT: return _("write-protected file system");
	case SSH_FX_NO_MEDIA: return _("no media");
	default: return _("failure");
	}
}

/* what: translated verb ("open", "rename"...); path: the remote path. */
enum pt_status
sshx_fail_sftp(struct sshx *s, struct pt_err *err, const char *what, const char *path)
{
	int code = s->sftp ? sftp_get_error(s->sftp) : SSH_FX_NO_CONNECTION;
	enum pt_status st;

	if (sshx_expired(s))
		return pt_fail(err, PT_TIMEOUT, _("SFTP %s of %s on %s: the deadline passed"), what,
		               path, s->peer);
	if (!ssh_is_connected(s->ssh))
		return pt_fail(err, PT_NET, _("SFTP %s of %s on %s failed: %s"), what, path,
		               s->peer, ssh_get_error(s->ssh));
	switch (code) {
	case SSH_FX_NO_SUCH_FILE: st = PT_NOTFOUND; break;
	case SSH_FX_PERMISSION_DENIED: st = PT_REFUSED; break;
	case SSH_FX_FILE_ALREADY_EXISTS: st = PT_EXISTS; break;
	case SSH_FX_NO_CONNECTION:
	case SSH_FX_CONNECTION_LOST: st = PT_NET; break;
	default: st = PT_IO; break;
	}
	return pt_fail(err, st, _("SFTP %s of %s on %s failed: %s"), what, path, s->peer,
	               sshx_sftp_reason(code));
}

enum pt_status
sshx_check_deadline(struct sshx *s, struct pt_err *err, const char *path)
{
	if (sshx_expired(s))
		return pt_fail(err, PT_TIMEOUT, _("transfer of %s with %s: the deadline passed"),
		               path, s->peer);
	return PT_OK;
}

/* ---- connect ------------------------------------------------------- */

/* Host key algorithms for the pinned key's type. */
static const char *
sshx_hostkey_algos(const char *type)
{
	static const struct {
		const char *type, *algos;
	} map[] = {
		{ "ssh-ed25519", "ssh-ed25519" },
		{ "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256" },
		{ "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384" },
		{ "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521" },
		{ "ssh-rsa", "rsa-sha2-512,rsa-sha2-256" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].type, type) == 0)
			return map[i].algos;
	return NULL;
}

static enum pt_status
sshx_check_opts(const struct sshx_opts *o, struct in_addr *addr, struct pt_err *err)
{
	if (!o->host || inet_pton(AF_INET, o->host, addr) != 1)
		return pt_fail(err, PT_INVALID, _("not an IPv4 address: %s"),
		               o->host ? o->host : "(null)");
	if (o->port > 65535)
		return pt_fail(err, PT_INVALID, _("invalid port: %u"), o->port);
	if (!o->user || !*o->user)
		return pt_fail(err, PT_INVALID, _("no user name given for %s"), o->host);
	if (!o->password && !o->privkey)
		return pt_fail(err, PT_INVALID, _("no password or private key given for %s@%s"),
		               o->user, o->host);
	if (o->pin_type && !sshx_hostkey_algos(o->pin_type))
		return pt_fail(err, PT_INVALID, _("unsupported host key type: %s"), o->pin_type);
	return PT_OK;
}

/* Non-blocking TCP connect bounded by timeout_ms; returns the socket. */
static enum pt_status
sshx_tcp_connect(struct sshx *s, const struct in_addr *addr, unsigned port, int timeout_ms,
                 int *fdp, struct pt_err *err)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	socklen_t sl;
	int fd, rc, soerr = 0, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr = *addr;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return pt_fail(err, PT_NET, _("cannot create a socket: %s"), strerror(errno));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	if (rc != 0 && errno != EINPROGRESS) {
		soerr = errno;
		goto fail;
	}
	if (rc != 0) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			rc = poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : 0);
		while (rc < 0 && errno == EINTR);
		if (rc == 0) {
			close(fd);
			return pt_fail(err, PT_TIMEOUT, _("connection to %s timed out"), s->peer);
		}
		sl = sizeof(soerr);
		if (rc < 0)
			soerr = errno;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			soerr = errno;
		if (soerr)
			goto fail;
	}
	*fdp = fd;
	return PT_OK;
fail:
	close(fd);
	if (soerr == ECONNREFUSED)
		return pt_fail(err, PT_NET, _("connection to %s refused"), s->peer);
	return pt_fail(err, PT_NET, _("cannot connect to %s: %s"), s->peer, strerror(soerr));
}

static enum pt_status
sshx_set_options(struct sshx *s, const struct sshx_opts *o, unsigned timeout_ms, struct pt_err *err)
{
	ssh_session ssh = s->ssh;
	int off = 0, on = 1;
	unsigned port = o->port ? o->port : 22;
	long secs = timeout_ms / 1000, usecs = (long)(timeout_ms % 1000) * 1000;

	/* PROCESS_CONFIG first: nothing of ~/.ssh/config or ssh_config applies. */
	if (ssh_options_set(ssh, SSH_OPTIONS_PROCESS_CONFIG, &off) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_HOST, o->host) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_PORT, &port) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_USER, o->user) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_NODELAY, &on) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT, &secs) < 0 ||
	    ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT_USEC, &usecs) < 0)
		return pt_fail(err, PT_ERR, _("cannot set SSH options: %s"), ssh_get_error(ssh));
	if (o->pin && o->pin_type &&
	    ssh_options_set(ssh, SSH_OPTIONS_HOSTKEYS, sshx_hostkey_algos(o->pin_type)) < 0)
		return pt_fail(err, PT_ERR, _("cannot set SSH options: %s"), ssh_get_error(ssh));
	return PT_OK;
}

/* Fingerprint and type of the server's key, then the pin / accept rule.
 * Runs after the key exchange and before anything about authentication. */
static enum pt_status
sshx_check_hostkey(struct sshx *s, const struct sshx_opts *o, struct pt_err *err)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;
	enum pt_status st = PT_OK;

	if (ssh_get_server_publickey(s->ssh, &key) != SSH_OK ||
	    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0 ||
	    !(fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen))) {
		st = pt_fail(err, PT_NET, _("cannot read the host key of %s"), s->peer);
		goto out;
	}
	snprintf(s->fp, sizeof(s->fp), "%s", fp);
	snprintf(s->keytype, sizeof(s->keytype), "%s", ssh_key_type_to_char(ssh_key_type(key)));
	if (o->pin) {
		if (strcmp(o->pin, s->fp) != 0)
			st = pt_fail(
				err, PT_HOSTKEY,
				_("host key of %s is %s %s, not the pinned %s: nothing was sent"),
				s->peer, s->keytype, s->fp, o->pin);
	} else if (!o->accept) {
		st = pt_fail(err, PT_REFUSED,
		             _("host key of %s is not pinned: it is %s %s; check it out of band "
		               "and accept it with --accept-hostkey %s"),
		             s->peer, s->keytype, s->fp, s->fp);
	} else if (strcmp(o->accept, s->fp) != 0) {
		st = pt_fail(err, PT_HOSTKEY,
		             _("host key of %s is %s %s, not the accepted %s: nothing was sent"),
		             s->peer, s->keytype, s->fp, o->accept);
	}
out:
	if (fp)
		ssh_string_free_char(fp);
	if (hash)
		ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return st;
}

static enum pt_status
sshx_auth(struct sshx *s, const struct sshx_opts *o, struct pt_err *err)
{
	ssh_key key = NULL;
	int rc;

	if (o->privkey) {
		key = s->authkey;
		if (!key &&
		    ssh_pki_import_privkey_base64(o->privkey, NULL, NULL, NULL, &key) != SSH_OK)
			return pt_fail(err, PT_INVALID,
			               _("the private key for %s@%s cannot be read"), o->user,
			               s->peer);
		rc = ssh_userauth_publickey(s->ssh, NULL, key);
		if (key != s->authkey)
			ssh_key_free(key);
	} else {
		rc = ssh_userauth_password(s->ssh, NULL, o->password);
	}
	switch (rc) {
	case SSH_AUTH_SUCCESS: return PT_OK;
	case SSH_AUTH_DENIED:
	case SSH_AUTH_PARTIAL:
		return pt_fail(err, PT_REFUSED,
		               o->privkey ? _("%s@%s refused the key: authentication failed")
		                          : _("%s@%s refused the password: authentication failed"),
		               o->user, s->peer);
	default: return sshx_fail_ssh(s, err, _("authentication"));
	}
}

enum pt_status
sshx_prepare(const struct sshx_opts *o, struct sshx **out, struct pt_err *err)
{
	struct sshx *s = NULL;
	struct in_addr addr;
	unsigned ct = o->connect_timeout_ms ? o->connect_timeout_ms : 10000;
	enum pt_status st;

	*out = NULL;
	st = sshx_check_opts(o, &addr, err);
	if (st != PT_OK)
		return st;
	s = calloc(1, sizeof(*s));
	if (!s)
		return pt_fail(err, PT_NOMEM, NULL);
	s->fd = -1;
	s->wd_fd = -1;
	s->addr = addr;
	atomic_init(&s->expired, false);
	snprintf(s->peer, sizeof(s->peer), "%s:%u", o->host, o->port ? o->port : 22);
	s->ssh = ssh_new();
	if (!s->ssh) {
		st = pt_fail(err, PT_NOMEM, NULL);
		goto out;
	}
	st = sshx_set_options(s, o, ct + 1000, err);
	if (st != PT_OK)
		goto out;
	if (o->privkey &&
	    ssh_pki_import_privkey_base64(o->privkey, NULL, NULL, NULL, &s->authkey) != SSH_OK) {
		s->authkey = NULL;
		st = pt_fail(err, PT_INVALID, _("the private key for %s@%s cannot be read"),
		             o->user, s->peer);
		goto out;
	}
	*out = s;
	s = NULL;
out:
	sshx_free(&s);
	return st;
}

enum pt_status
sshx_open(struct sshx **sp, const struct sshx_opts *o, struct pt_err *err)
{
	struct sshx *s = *sp;
	unsigned ct = o->connect_timeout_ms ? o->connect_timeout_ms : 10000;
	int64_t t0, t1, left;
	int fd = -1;
	socket_t sfd;
	enum pt_status st;

	t0 = sshx_now_ms();
	left = o->deadline_ms > 0 ? o->deadline_ms - t0 : (int64_t)ct;
	if (left <= 0) {
		st = pt_fail(err, PT_TIMEOUT, _("connection to %s: the deadline passed"), s->peer);
		goto fail;
	}
	st = sshx_tcp_connect(s, &s->addr, o->port ? o->port : 22,
	                      (int)(left < (int64_t)ct ? left : (int64_t)ct), &fd, err);
	if (st != PT_OK)
		goto fail;
	s->fd = fd;
	s->wd_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (s->wd_fd < 0) {
		st = pt_fail(err, PT_ERR, _("cannot start the deadline watchdog: %s"),
		             strerror(errno));
		goto fail;
	}
	sfd = fd;
	if (ssh_options_set(s->ssh, SSH_OPTIONS_FD, &sfd) < 0) {
		st = pt_fail(err, PT_ERR, _("cannot set SSH options: %s"), ssh_get_error(s->ssh));
		goto fail;
	}
	if (sshx_watchdog_start(s) != 0) {
		st = pt_fail(err, PT_ERR, _("cannot start the deadline watchdog: %s"),
		             strerror(errno));
		goto fail;
	}
	/* The connect timeout bounds the key exchange too: the watchdog ends
	 * it (libssh's own timeout, a second later, is only a backstop). */
	sshx_set_deadline(s, o->deadline_ms > 0 && o->deadline_ms < t0 + ct ? o->deadline_ms
	                                                                    : t0 + ct);
	if (ssh_connect(s->ssh) != SSH_OK) {
		/* libssh says so only in text; anything else stays PT_NET. */
		if (o->pin && o->pin_type && !sshx_expired(s) &&
		    strstr(ssh_get_error(s->ssh), "server host key algo"))
			st = pt_fail(err, PT_HOSTKEY,
			             _("%s offers no host key of the pinned type %s: "
			               "nothing was sent"),
			             s->peer, o->pin_type);
		else
			st = sshx_fail_ssh(s, err, _("key exchange"));
		goto fail;
	}
	sshx_set_deadline(s, o->deadline_ms);
	st = sshx_check_hostkey(s, o, err);
	if (st != PT_OK)
		goto fail; /* before any authentication: nothing of ours was sent */
	t1 = sshx_now_ms();
	s->timing.connect_ms = (long)(t1 - t0);

	st = sshx_auth(s, o, err);
	if (st != PT_OK)
		goto fail;
	t0 = sshx_now_ms();
	s->timing.auth_ms = (long)(t0 - t1);

	if (o->puts)
		sshx_ext_begin(s);
	s->sftp = sftp_new(s->ssh);
	if (!s->sftp) {
		st = sshx_fail_ssh(s, err, _("opening the SFTP channel"));
		goto fail;
	}
	if (o->puts)
		sshx_ext_request(s);
	if (sftp_init(s->sftp) != SSH_OK) {
		st = sshx_fail_ssh(s, err, _("starting SFTP"));
		goto fail;
	}
	s->timing.sftp_ms = (long)(sshx_now_ms() - t0);
	return PT_OK;
fail:
	sshx_free(sp);
	return st;
}

enum pt_status
sshx_connect(const struct sshx_opts *o, struct sshx **out, struct pt_err *err)
{
	enum pt_status st = sshx_prepare(o, out, err);

	return st == PT_OK ? sshx_open(out, o, err) : st;
}

const char *
sshx_hostkey_fp(const struct sshx *s)
{
	return s->fp;
}

const char *
sshx_hostkey_type(const struct sshx *s)
{
	return s->keytype;
}

const struct sshx_timing *
sshx_timing(const struct sshx *s)
{
	return &s->timing;
}

static bool
sshx_same_file(int a, int b)
{
	struct stat sa, sb;

	if (b < 0)
		return true; /* no dup was made: nothing else can hold the number */
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Saying goodbye to a peer that no longer answers must not hang. */
static void
sshx_grace(struct sshx *s)
{
	int64_t grace;

	if (!s->wd_running)
		return;
	grace = sshx_now_ms() + SSHX_CLOSE_GRACE_MS;
	pthread_mutex_lock(&s->mu);
	if (s->deadline_ms <= 0 || s->deadline_ms > grace)
		s->deadline_ms = grace;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Read what the peer still sends until its FIN, at most wait_ms. */
static bool
sshx_wait_eof(int fd, int wait_ms)
{
	int64_t end = sshx_now_ms() + wait_ms, left;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[1024];
	ssize_t n;
	int rc;

	while ((left = end - sshx_now_ms()) > 0) {
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return false;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return true;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return errno == ECONNRESET; /* gone too: nothing is left on its side */
	}
	return false;
}

bool
sshx_goodbye(struct sshx *s, int wait_ms)
{
	if (!s || s->goodbye_done)
		return false;
	s->goodbye_done = true;
	sshx_grace(s);
	sshx_ext_close(s);
	if (s->sftp)
		sftp_free(s->sftp);
	s->sftp = NULL;
	if (s->ssh)
		ssh_disconnect(s->ssh);
	/* the dup still holds the socket: our FIN goes only with shutdown */
	if (s->wd_fd < 0 || sshx_expired(s) || shutdown(s->wd_fd, SHUT_WR) != 0)
		return false;
	return sshx_wait_eof(s->wd_fd, wait_ms);
}

void
sshx_free(struct sshx **sp)
{
	struct sshx *s = sp ? *sp : NULL;

	if (!s)
		return;
	sshx_grace(s);
	sshx_ext_close(s);
	if (s->sftp)
		sftp_free(s->sftp);
	if (s->ssh && !s->goodbye_done)
		ssh_disconnect(s->ssh);
	sshx_watchdog_stop(s);
	if (s->ssh)
		ssh_free(s->ssh);
	ssh_key_free(s->authkey);
	/* libssh leaves a socket given with SSH_OPTIONS_FD open (0.10.6), but
	 * may close it on some error paths: close it only if the number still
	 * names our socket (the dup keeps that socket alive, so a reused
	 * number cannot match). */
	if (s->fd >= 0 && sshx_same_file(s->fd, s->wd_fd))
		close(s->fd);
	if (s->wd_fd >= 0)
		close(s->wd_fd);
	free(s);
	*sp = NULL;
}

/* ---- exec ---------------------------------------------------------- */

/* Output kept for the message when the command fails. */
#define SSHX_EXEC_OUT 512

enum pt_status
sshx_exec(struct sshx *s, const char *command, int *exit_status, struct pt_err *err)
{
	ssh_channel ch = NULL;
	char out[SSHX_EXEC_OUT + 1], buf[256];
	size_t kept = 0;
	enum pt_status st = PT_OK;
	int n;

	*exit_status = -1;
	ch = ssh_channel_new(s->ssh);
	if (!ch)
		return sshx_fail_ssh(s, err, _("opening a command channel"));
	if (ssh_channel_open_session(ch) != SSH_OK) {
		st = sshx_fail_ssh(s, err, _("opening a command channel"));
		goto out;
	}
	if (ssh_channel_request_exec(ch, command) != SSH_OK) {
		st = sshx_fail_ssh(s, err, _("running the command"));
		goto out;
	}
	/* read both streams to the end: the exit status comes after them */
	for (int is_stderr = 0; is_stderr < 2; is_stderr++) {
		while ((n = ssh_channel_read(ch, buf, sizeof(buf), is_stderr)) > 0) {
			size_t take =
				(size_t)n < SSHX_EXEC_OUT - kept ? (size_t)n : SSHX_EXEC_OUT - kept;
			memcpy(out + kept, buf, take);
			kept += take;
		}
		if (n < 0) {
			st = sshx_fail_ssh(s, err, _("running the command"));
			goto out;
		}
	}
	out[kept] = '\0';
	ssh_channel_send_eof(ch);
	*exit_status = ssh_channel_get_exit_status(ch);
	if (*exit_status != 0) {
		for (size_t i = 0; i < kept; i++)
			if (out[i] == '\n' || (unsigned char)out[i] < 0x20)
				out[i] = ' ';
		st = pt_fail(err, PT_ERR, _("\"%s\" on %s exited with status %d: %s"), command,
		             s->peer, *exit_status, kept ? out : "");
	}
out:
	if (ch) {
		ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	return st;
}

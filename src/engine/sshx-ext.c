/* sshx-ext.c - what libssh 0.10 has no client call for: the OpenSSH SFTP
 * extensions posix-rename@openssh.com (a rename that replaces its target
 * atomically) and hardlink@openssh.com, and a command run with its input
 * closed and the tail of its output kept.
 *
 * The extensions go over a second SFTP channel of the same session, as
 * raw SFTP version 3 packets: libssh's own SFTP session keeps its request
 * ids and its reply queue to itself, so nothing is written into its
 * channel behind its back.  The session's deadline covers these reads as
 * any other: the watchdog shuts the socket down and the read fails.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include "base/i18n.h"
#include "base/lib.h"
#include "engine/private.h"
#include "engine/sshx.h"

#define FXP_INIT 1
#define FXP_VERSION 2
#define FXP_STATUS 101
#define FXP_EXTENDED 200
#define EXT_MAX_PACKET 65536
#define EXT_MAX_PATH 4096

static enum pt_status
ext_fail(struct sshx *s, struct pt_err *err, const char *what)
{
	if (sshx_expired(s))
		return pt_fail(err, PT_TIMEOUT, _("%s with %s: the deadline passed"), what,
		               s->peer);
	return pt_fail(err, PT_NET, _("%s with %s failed: %s"), what, s->peer,
	               ssh_get_error(s->ssh));
}

static enum pt_status
ext_write(struct sshx *s, ssh_channel ch, const unsigned char *b, size_t n, struct pt_err *err)
{
	while (n > 0) {
		int w = ssh_channel_write(ch, b, (uint32_t)n);
		if (w <= 0)
			return ext_fail(s, err, _("an SFTP extension request"));
		b += w;
		n -= (size_t)w;
	}
	return PT_OK;
}

static enum pt_status
ext_read(struct sshx *s, ssh_channel ch, unsigned char *b, size_t n, struct pt_err *err)
{
	while (n > 0) {
		int r = ssh_channel_read(ch, b, (uint32_t)n, 0);
		if (r <= 0)
			return ext_fail(s, err, _("an SFTP extension reply"));
		b += r;
		n -= (size_t)r;
	}
	return PT_OK;
}

static uint32_t
get32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static unsigned char *
put32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
	return b + 4;
}

static unsigned char *
putstr(unsigned char *b, const char *str)
{
	size_t n = strlen(str);

	b = put32(b, (uint32_t)n);
	memcpy(b, str, n);
	return b + n;
}

/* One packet: its type and body (after the type byte), bounded. */
static enum pt_status
ext_packet(struct sshx *s, ssh_channel ch, uint8_t *type, unsigned char *body, size_t max,
           size_t *len, struct pt_err *err)
{
	unsigned char hdr[5];
	uint32_t n;
	enum pt_status st;

	if ((st = ext_read(s, ch, hdr, sizeof(hdr), err)) != PT_OK)
		return st;
	n = get32(hdr);
	if (n < 1 || n - 1 > max)
		return pt_fail(err, PT_NET, _("%s sent an SFTP packet of %u bytes"), s->peer,
		               (unsigned)n);
	*type = hdr[4];
	*len = n - 1;
	return ext_read(s, ch, body, *len, err);
}

/* Start opening the channel without waiting for the peer: its open and
 * its subsystem request then travel beside the main SFTP channel's (one
 * round trip and the start of a second sftp-server hidden behind them),
 * and sshx_ext_open finishes what is still pending.  Nothing here fails
 * the session: whatever did not start, sshx_ext_open does in full. */
void
sshx_ext_begin(struct sshx *s)
{
	int rc;

	if (s->ext)
		return;
	if (!(s->ext = ssh_channel_new(s->ssh)))
		return;
	ssh_set_blocking(s->ssh, 0);
	rc = ssh_channel_open_session(s->ext);
	ssh_set_blocking(s->ssh, 1);
	if (rc == SSH_ERROR) {
		ssh_channel_free(s->ext);
		s->ext = NULL;
	}
}

/* The subsystem request of a channel sshx_ext_begin opened, once the
 * peer confirmed it, again without waiting. */
void
sshx_ext_request(struct sshx *s)
{
	if (!s->ext || !ssh_channel_is_open(s->ext))
		return;
	ssh_set_blocking(s->ssh, 0);
	/* SSH_AGAIN: pending, sshx_ext_open waits for the answer; SSH_OK:
	 * answered at once, and libssh forgot the request */
	s->ext_started = ssh_channel_request_subsystem(s->ext, "sftp") == SSH_OK;
	ssh_set_blocking(s->ssh, 1);
}

enum pt_status
sshx_ext_open(struct sshx *s, struct pt_err *err)
{
	static const unsigned char init[] = { 0, 0, 0, 5, FXP_INIT, 0, 0, 0, 3 };
	unsigned char *body = NULL;
	size_t len;
	uint8_t type;
	enum pt_status st;

	if (s->ext && s->ext_id)
		return PT_OK;
	/* begun early: the same calls finish what is pending (libssh waits
	 * for an open or a request it already sent) */
	if (!s->ext)
		s->ext = ssh_channel_new(s->ssh);
	if (!s->ext)
		return ext_fail(s, err, _("opening an SFTP channel"));
	/* a subsystem request sent twice would be refused: the channel runs
	 * one already */
	if (ssh_channel_open_session(s->ext) != SSH_OK ||
	    (!s->ext_started && ssh_channel_request_subsystem(s->ext, "sftp") != SSH_OK)) {
		st = ext_fail(s, err, _("opening an SFTP channel"));
		goto fail;
	}
	if (!(body = malloc(EXT_MAX_PACKET))) {
		st = pt_fail(err, PT_NOMEM, NULL);
		goto fail;
	}
	if ((st = ext_write(s, s->ext, init, sizeof(init), err)) != PT_OK ||
	    (st = ext_packet(s, s->ext, &type, body, EXT_MAX_PACKET, &len, err)) != PT_OK)
		goto fail;
	free(body);
	if (type != FXP_VERSION) {
		sshx_ext_close(s);
		return pt_fail(err, PT_NET, _("%s answered the SFTP start with packet type %u"),
		               s->peer, (unsigned)type);
	}
	s->ext_id = 1;
	return PT_OK;
fail:
	free(body);
	sshx_ext_close(s);
	return st;
}

void
sshx_ext_close(struct sshx *s)
{
	if (!s->ext)
		return;
	/* a channel still opening has no number at the peer yet: only freed
	 * here, the disconnect ends it there */
	if (!sshx_expired(s) && ssh_channel_is_open(s->ext))
		ssh_channel_close(s->ext);
	ssh_channel_free(s->ext);
	s->ext = NULL;
	s->ext_id = 0;
	s->ext_started = false;
}

/* One extended request with two paths; the reply's status, mapped as
 * sshx_fail_sftp maps libssh's. */
static enum pt_status
ext_call(struct sshx *s, const char *ext, const char *a, const char *b, struct pt_err *err)
{
	unsigned char *pkt, *p, reply[1024];
	size_t la = strlen(a), lb = strlen(b), le = strlen(ext), len, plen;
	uint32_t id, code;
	uint8_t type;
	enum pt_status st;

	if (la > EXT_MAX_PATH || lb > EXT_MAX_PATH)
		return pt_fail(err, PT_INVALID, _("path too long: %s"), la > lb ? a : b);
	if ((st = sshx_ext_open(s, err)) != PT_OK)
		return st;
	plen = 4 + 1 + 4 + 4 + le + 4 + la + 4 + lb;
	if (!(pkt = malloc(plen)))
		return pt_fail(err, PT_NOMEM, NULL);
	id = s->ext_id++;
	p = put32(pkt, (uint32_t)(plen - 4));
	*p++ = FXP_EXTENDED;
	p = put32(p, id);
	p = putstr(p, ext);
	p = putstr(p, a);
	putstr(p, b);
	st = ext_write(s, s->ext, pkt, plen, err);
	free(pkt);
	if (st == PT_OK)
		st = ext_packet(s, s->ext, &type, reply, sizeof(reply), &len, err);
	if (st == PT_OK && (type != FXP_STATUS || len < 8 || get32(reply) != id))
		st = pt_fail(err, PT_NET, _("%s answered %s with an unexpected packet"), s->peer,
		             ext);
	if (st != PT_OK) {
		/* out of step with the server: the next call opens a new channel */
		sshx_ext_close(s);
		return st;
	}
	code = get32(reply + 4);
	switch (code) {
	case SSH_FX_OK: return PT_OK;
	case SSH_FX_NO_SUCH_FILE: st = PT_NOTFOUND; break;
	case SSH_FX_PERMISSION_DENIED: st = PT_REFUSED; break;
	case SSH_FX_FILE_ALREADY_EXISTS: st = PT_EXISTS; break;
	case SSH_FX_OP_UNSUPPORTED: st = PT_REFUSED; break;
	default: st = PT_IO; break;
	}
	{
		uint32_t ml = len >= 12 ? get32(reply + 8) : 0;
		int shown = ml <= len - 12 ? (int)ml : 0;
		return pt_fail(err, st, _("%s of %s to %s on %s failed: %.*s (status %u)"), ext, a,
		               b, s->peer, shown, (const char *)reply + 12, (unsigned)code);
	}
}

enum pt_status
sshx_posix_rename(struct sshx *s, const char *from, const char *to, struct pt_err *err)
{
	return ext_call(s, "posix-rename@openssh.com", from, to, err);
}

enum pt_status
sshx_hardlink(struct sshx *s, const char *from, const char *to, struct pt_err *err)
{
	return ext_call(s, "hardlink@openssh.com", from, to, err);
}

/* ---- a command with its input closed ------------------------------------ */

/* Keep the last lines of out (at most max - 1 bytes, whole lines when it
 * can), control characters but newlines shown as blanks. */
static void
tail_lines(const char *ring, size_t cap, size_t total, char *out, size_t max)
{
	size_t n = total < cap ? total : cap, start = total < cap ? 0 : total % cap, k = 0;
	const char *nl;

	if (n > max - 1) {
		start = (start + n - (max - 1)) % cap;
		n = max - 1;
	}
	for (size_t i = 0; i < n; i++) {
		char c = ring[(start + i) % cap];
		out[k++] = (c == '\n' || (unsigned char)c >= 0x20) ? c : ' ';
	}
	out[k] = '\0';
	/* a cut line at the start is no line */
	if (n < total && (nl = strchr(out, '\n')) != NULL && nl[1])
		memmove(out, nl + 1, strlen(nl + 1) + 1);
	/* and no trailing newline */
	k = strlen(out);
	while (k > 0 && out[k - 1] == '\n')
		out[--k] = '\0';
}

enum pt_status
sshx_run(struct sshx *s, const char *command, int *exit_status, char *tail, size_t tailsz,
         struct pt_err *err)
{
	ssh_channel ch = NULL;
	char *full = NULL, ring[SSHX_RUN_TAIL], buf[512];
	size_t total = 0;
	enum pt_status st = PT_OK;
	int n;

	*exit_status = -1;
	if (tailsz)
		tail[0] = '\0';
	/* one stream (stderr after stdout would block on a full window), and
	 * no input: a command that reads its terminal ends at once */
	if (asprintf(&full, "exec 2>&1 </dev/null; %s", command) < 0)
		return pt_fail(err, PT_NOMEM, NULL);
	ch = ssh_channel_new(s->ssh);
	if (!ch) {
		st = ext_fail(s, err, _("opening a command channel"));
		goto out;
	}
	if (ssh_channel_open_session(ch) != SSH_OK) {
		st = ext_fail(s, err, _("opening a command channel"));
		goto out;
	}
	if (ssh_channel_request_exec(ch, full) != SSH_OK) {
		st = ext_fail(s, err, _("running the command"));
		goto out;
	}
	ssh_channel_send_eof(ch);
	for (int is_stderr = 0; is_stderr < 2; is_stderr++) {
		while ((n = ssh_channel_read(ch, buf, sizeof(buf), is_stderr)) > 0)
			for (int i = 0; i < n; i++)
				ring[total++ % sizeof(ring)] = buf[i];
		if (n < 0) {
			st = ext_fail(s, err, _("running the command"));
			goto out;
		}
	}
	*exit_status = ssh_channel_get_exit_status(ch);
	if (tailsz)
		tail_lines(ring, sizeof(ring), total, tail, tailsz);
out:
	if (ch) {
		if (!sshx_expired(s))
			ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	free(full);
	return st;
}

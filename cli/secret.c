/* secret.c - secrets from a terminal or a descriptor, in secure memory
 * only: never in argv, the environment or a stdio buffer. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"

#define SECRET_MAX 4096

/* First line of fd (without its newline), at most SECRET_MAX bytes. */
enum pt_status
cli_read_line_fd(int fd, char **out, size_t *len, struct pt_err *err)
{
	char *buf = secmem_alloc(SECRET_MAX + 1);
	size_t n = 0;

	if (!buf)
		return pt_fail(err, PT_NOMEM, NULL);
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			secmem_free(buf);
			return pt_fail(err, PT_IO, _("cannot read descriptor %d: %s"), fd,
			               strerror(errno));
		}
		if (r == 0 || ch == '\n')
			break;
		if (n == SECRET_MAX) {
			secmem_free(buf);
			return pt_fail(err, PT_INVALID,
			               _("the secret on descriptor %d is longer than %d bytes"), fd,
			               SECRET_MAX);
		}
		buf[n++] = ch;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return PT_OK;
}

#define MULTILINE_MAX 16384

/* All of fd, at most MULTILINE_MAX bytes: an SSH private key, say. */

enum pt_status
cli_read_all_fd(int fd, char **out, size_t *len, struct pt_err *err)
{
	char *buf = secmem_alloc(MULTILINE_MAX + 1);
	size_t n = 0;

	if (!buf)
		return pt_fail(err, PT_NOMEM, NULL);
	for (;;) {
		ssize_t r = read(fd, buf + n, MULTILINE_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			secmem_free(buf);
			return pt_fail(err, PT_IO, _("cannot read descriptor %d: %s"), fd,
			               strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > MULTILINE_MAX) {
			secmem_free(buf);
			return pt_fail(err, PT_INVALID,
			               _("the secret on descriptor %d is longer than %d bytes"), fd,
			               MULTILINE_MAX);
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return PT_OK;
}

static volatile sig_atomic_t tty_interrupted;

static void
on_tty_signal(int sig)
{
	(void)sig;
	tty_interrupted = 1;
}

/* Ask on /dev/tty with echo off; the terminal is restored on every path,
 * Ctrl-C included. */
static enum pt_status
read_tty(const char *prompt, char **out, size_t *len, struct pt_err *err)
{
	struct termios old, noecho;
	struct sigaction sa, oint, oterm;
	enum pt_status ret;
	int fd;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return pt_fail(
			err, PT_USAGE,
			_("no terminal to ask for the secret: use --passphrase-fd or --secret-fd"));
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return pt_fail(err, PT_IO, _("cannot set up the terminal: %s"), strerror(errno));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tty_signal;
	tty_interrupted = 0;
	sigaction(SIGINT, &sa, &oint);
	sigaction(SIGTERM, &sa, &oterm);
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	noecho.c_lflag |= ICANON;
	(void)!write(fd, prompt, strlen(prompt));
	tcsetattr(fd, TCSAFLUSH, &noecho);
	ret = cli_read_line_fd(fd, out, len, err);
	tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGTERM, &oterm, NULL);
	close(fd);
	if (ret == PT_OK && tty_interrupted) {
		secmem_freep(out);
		ret = pt_fail(err, PT_ERR, _("interrupted"));
	}
	return ret;
}

/* From fd when given, else the terminal; twice on a terminal when a new
 * secret is being set. */
enum pt_status
cli_get_secret(int fd, const char *prompt, const char *again, char **out, size_t *len,
               struct pt_err *err)
{
	enum pt_status ret;
	char *second = NULL;
	size_t n2;

	if (fd >= 0)
		return cli_read_line_fd(fd, out, len, err);
	ret = read_tty(prompt, out, len, err);
	if (ret != PT_OK || !again)
		return ret;
	ret = read_tty(again, &second, &n2, err);
	if (ret == PT_OK && (n2 != *len || memcmp(second, *out, n2) != 0))
		ret = pt_fail(err, PT_INVALID, _("the two values typed differ: nothing changed"));
	secmem_free(second);
	if (ret != PT_OK)
		secmem_freep(out);
	return ret;
}

enum pt_status
cli_p12_password(int fd, const char *file, char **pw, size_t *len, struct pt_err *err)
{
	char prompt[512];
	size_t n;

	if (*pw)
		return PT_OK;
	snprintf(prompt, sizeof(prompt), _("Password of %s: "), file);
	return cli_get_secret(fd, prompt, NULL, pw, len ? len : &n, err);
}

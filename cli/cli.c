/* cli.c - the command line: parse, unlock, run one transaction, print.
 *
 * Every command is one row of the table at the bottom; the usage text and
 * `passtore help` are generated from it.  A command that changes the
 * store runs in one transaction: all of it lands, or none of it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "store/lib.h"
#include "cli/cli.h"
#include "private.h"
#include "site/lib.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "engine/lib.h"
#include "src/args.h"

#define SECRET_MAX 4096
#define PASSPHRASE_MIN 8
#define DEFAULT_GENERATED_LEN 24
#define KDF_TARGET_MS 600 /* the derivation; unlock adds the page check */

/* ---------------------------------------------------------------------
 * Messages and small helpers
 * ------------------------------------------------------------------- */

int
cli_report(struct cli *c)
{
	if (c->err.status == PT_OK)
		return 0;
	fprintf(stderr, "passtore: %s\n", pt_err_text(&c->err));
	return pt_status_exit(c->err.status);
}

int
cli_usage_error(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pt_vfail(&c->err, PT_USAGE, fmt, ap);
	va_end(ap);
	return cli_report(c);
}

int
cli_parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	if (!s || !*s)
		return -1;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void
cli_fmt_time(time_t t, char *buf, size_t n)
{
	struct tm tm;

	if (!t) {
		snprintf(buf, n, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M:%SZ", &tm);
}

char *
cli_iso_time(time_t t)
{
	static char buf[32];

	cli_fmt_time(t, buf, sizeof(buf));
	return buf;
}

int
cli_json_print(json_t *j)
{
	int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(j);
	fputc('\n', stdout);
	return rc == 0 ? 0 : 1;
}

/* ---------------------------------------------------------------------
 * Secrets from a terminal or a descriptor: secure memory only
 * ------------------------------------------------------------------- */

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
			return pt_fail(err, PT_IO, _("cannot read descriptor %d: %s"), fd, strerror(errno));
		}
		if (r == 0 || ch == '\n')
			break;
		if (n == SECRET_MAX) {
			secmem_free(buf);
			return pt_fail(err, PT_INVALID, _("the secret on descriptor %d is longer than %d bytes"),
			               fd, SECRET_MAX);
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

/* All of fd, at most MULTILINE_MAX bytes: an SSH private key, say. */
#define MULTILINE_MAX 16384
static enum pt_status
read_all_fd(int fd, char **out, size_t *len, struct pt_err *err)
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
			return pt_fail(err, PT_IO, _("cannot read descriptor %d: %s"), fd, strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > MULTILINE_MAX) {
			secmem_free(buf);
			return pt_fail(err, PT_INVALID, _("the secret on descriptor %d is longer than %d bytes"),
			               fd, MULTILINE_MAX);
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
		return pt_fail(err, PT_USAGE,
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

static enum pt_status
check_new_passphrase(const char *p, size_t n, struct pt_err *err)
{
	if (n < PASSPHRASE_MIN)
		return pt_fail(err, PT_INVALID, _("the passphrase must have at least %d characters"),
		               PASSPHRASE_MIN);
	return PT_OK;
}

/* ---------------------------------------------------------------------
 * Unlock
 * ------------------------------------------------------------------- */

static enum pt_status
cli_unlock(struct cli *c)
{
	char *pass = NULL;
	size_t n = 0;
	enum pt_status ret;

	if (access(c->path, F_OK) != 0)
		return pt_fail(&c->err, PT_NOTFOUND,
		               _("no store at %s (create one with \"passtore init\")"), c->path);
	ret = cli_get_secret(c->passphrase_fd, _("Passphrase: "), NULL, &pass, &n, &c->err);
	if (ret != PT_OK)
		return ret;
	ret = store_open(c->path, pass, n, &c->st, &c->err);
	secmem_free(pass);
	return ret;
}

/* ---------------------------------------------------------------------
 * Host specs
 * ------------------------------------------------------------------- */


void
cli_hostset_free(struct hostset *hs)
{
	for (size_t i = 0; i < hs->n; i++)
		free(hs->names[i]);
	free(hs->names);
	free(hs->ids);
	free(hs->spec);
	memset(hs, 0, sizeof(*hs));
}

char *
cli_lowercase(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* The whole of a file, NUL-terminated; in secmem when secret. */
enum pt_status
cli_slurp(const char *path, bool secret, size_t max, unsigned char **out, size_t *len,
          struct pt_err *err)
{
	unsigned char *buf = NULL;
	struct stat sb;
	size_t n = 0;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pt_fail(err, errno == ENOENT ? PT_NOTFOUND : PT_IO, _("cannot open %s: %s"), path,
		               strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
		close(fd);
		return pt_fail(err, PT_INVALID, _("%s is not a regular file of at most %zu bytes"), path,
		               max);
	}
	buf = secret ? secmem_alloc((size_t)sb.st_size + 1) : malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		return pt_fail(err, PT_NOMEM, NULL);
	}
	while (n < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)sb.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = errno;
			close(fd);
			if (secret)
				secmem_free(buf);
			else
				free(buf);
			return pt_fail(err, PT_IO, _("cannot read %s: %s"), path, r ? strerror(e) : _("short read"));
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return PT_OK;
}

/* Expand a spec to hosts; with known=true they must all exist. */
enum pt_status
cli_resolve(struct cli *c, const char *spec, bool known, struct hostset *hs)
{
	struct hostspec x;
	enum pt_status ret;

	memset(hs, 0, sizeof(*hs));
	ret = hostspec_expand(spec, &x, &c->err);
	if (ret != PT_OK)
		return ret;
	if (x.group) {
		hs->spec = malloc(strlen(x.group) + 2);
		if (hs->spec)
			sprintf(hs->spec, "@%s", x.group);
		ret = hs->spec ? model_group_hosts(c->st, x.group, &hs->ids, &hs->names, &hs->n, &c->err)
		               : pt_fail(&c->err, PT_NOMEM, NULL);
		hostspec_free(&x);
		if (ret != PT_OK)
			cli_hostset_free(hs);
		return ret;
	}
	hs->names = x.names;
	hs->n = x.n;
	x.names = NULL;
	x.n = 0;
	hostspec_free(&x);
	hs->spec = cli_lowercase(spec);
	hs->ids = calloc(hs->n ? hs->n : 1, sizeof(*hs->ids));
	if (!hs->spec || !hs->ids) {
		cli_hostset_free(hs);
		return pt_fail(&c->err, PT_NOMEM, NULL);
	}
	if (known) {
		ret = model_host_ids(c->st, hs->names, hs->n, hs->ids, &c->err);
		if (ret != PT_OK)
			cli_hostset_free(hs);
	}
	return ret;
}

struct entry {
	char *user, *spec, *service;
	struct hostset hs;
};

static void
entry_free(struct entry *e)
{
	free(e->user);
	free(e->spec);
	free(e->service);
	cli_hostset_free(&e->hs);
}

static enum pt_status
parse_entry(struct cli *c, const char *text, struct entry *e)
{
	enum pt_status ret;

	memset(e, 0, sizeof(*e));
	ret = hostspec_parse_entry(text, &e->user, &e->spec, &e->service, &c->err);
	if (ret == PT_OK)
		ret = cli_resolve(c, e->spec, true, &e->hs);
	if (ret != PT_OK)
		entry_free(e);
	return ret;
}

/* ---------------------------------------------------------------------
 * init, passwd
 * ------------------------------------------------------------------- */

static const struct option kdf_options[] = {
	{ "kdf-memory", required_argument, NULL, 'm' },
	{ "kdf-time", required_argument, NULL, 't' },
	{ "kdf-lanes", required_argument, NULL, 'l' },
	{ "new-passphrase-fd", required_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 },
};

struct kdf_choice {
	struct kdf_params kp;
	bool m_set, t_set, l_set;
	int new_fd;
};

static int
parse_kdf_options(struct cli *c, int argc, char **argv, bool allow_new_fd, struct kdf_choice *k)
{
	long v;
	int o;

	memset(k, 0, sizeof(*k));
	k->new_fd = -1;
	while ((o = getopt_long(argc, argv, "", kdf_options, NULL)) != -1) {
		switch (o) {
		case 'm':
			if (kdf_parse_size(optarg, &k->kp.m_kib, &c->err) != PT_OK)
				return cli_report(c);
			k->m_set = true;
			break;
		case 't':
			if (cli_parse_int(optarg, 1, KDF_MAX_T, &v) != 0)
				return cli_usage_error(c, _("--kdf-time takes a number of passes from 1 to %u"), KDF_MAX_T);
			k->kp.t_cost = (uint32_t)v;
			k->t_set = true;
			break;
		case 'l':
			if (cli_parse_int(optarg, 1, KDF_MAX_LANES, &v) != 0)
				return cli_usage_error(c, _("--kdf-lanes takes a number from 1 to %u"), KDF_MAX_LANES);
			k->kp.lanes = (uint32_t)v;
			k->l_set = true;
			break;
		case 'n':
			if (!allow_new_fd)
				return cli_usage_error(c, _("unknown option --new-passphrase-fd"));
			if (cli_parse_int(optarg, 0, INT_MAX, &v) != 0)
				return cli_usage_error(c, _("--new-passphrase-fd takes a file descriptor number"));
			k->new_fd = (int)v;
			break;
		default:
			return cli_usage_error(c, _("unknown option (see \"passtore help\")"));
		}
	}
	if (optind != argc)
		return cli_usage_error(c, _("unexpected argument \"%s\""), argv[optind]);
	return 0;
}

/* Fill in what the user did not choose: calibrate the passes to about
 * KDF_TARGET_MS here, and never go below `floor` (the current cost). */
static enum pt_status
settle_kdf(struct kdf_choice *k, const struct kdf_params *floor, struct pt_err *err)
{
	if (!k->m_set)
		k->kp.m_kib = floor ? floor->m_kib : 0;
	if (!k->l_set)
		k->kp.lanes = floor ? floor->lanes : 0;
	if (!k->t_set) {
		enum pt_status ret = kdf_calibrate(&k->kp, KDF_TARGET_MS, err);
		if (ret != PT_OK)
			return ret;
		if (floor && k->kp.t_cost < floor->t_cost && k->kp.m_kib <= floor->m_kib)
			k->kp.t_cost = floor->t_cost;
	}
	if (!k->kp.lanes)
		k->kp.lanes = 2;
	return kdf_params_check(&k->kp, err);
}

static void
warn_weak_kdf(const struct kdf_params *kp)
{
	if (kp->m_kib < KDF_SAFE_M_KIB)
		fprintf(stderr,
		        _("passtore: warning: the key derivation uses %u MiB, less than the %u MiB a station "
		          "should use (raise it with \"passtore passwd --kdf-memory 256M\")\n"),
		        kp->m_kib / 1024, KDF_SAFE_M_KIB / 1024);
}

static int
cmd_init(struct cli *c, int argc, char **argv)
{
	struct kdf_choice k;
	char *pass = NULL;
	size_t n = 0;
	int rc;

	if ((rc = parse_kdf_options(c, argc, argv, false, &k)) != 0)
		return rc;
	if (access(c->path, F_OK) == 0) {
		pt_fail(&c->err, PT_EXISTS, _("%s already exists: not overwriting it"), c->path);
		return cli_report(c);
	}
	if (cli_get_secret(c->passphrase_fd, _("New passphrase: "), _("Repeat the passphrase: "), &pass,
	               &n, &c->err) != PT_OK ||
	    check_new_passphrase(pass, n, &c->err) != PT_OK || settle_kdf(&k, NULL, &c->err) != PT_OK ||
	    store_create(c->path, pass, n, &k.kp, &c->st, &c->err) != PT_OK)
		goto out;
	if (store_begin(c->st, &c->err) == PT_OK) {
		if (audit_appendf(c->st, "store.init", c->path, &c->err, "kdf=argon2id m=%uMiB t=%u p=%u",
		                  k.kp.m_kib / 1024, k.kp.t_cost, k.kp.lanes) == PT_OK)
			store_commit(c->st, &c->err);
		else
			store_rollback(c->st);
	}
	if (c->err.status != PT_OK) {
		store_close(&c->st);
		unlink(c->path);
		goto out;
	}
	printf(_("Created %s (Argon2id, memory %u MiB, time cost %u, parallelism %u).\n"), c->path, k.kp.m_kib / 1024,
	       k.kp.t_cost, k.kp.lanes);
	warn_weak_kdf(&k.kp);
out:
	secmem_free(pass);
	return cli_report(c);
}

struct passwd_audit {
	const struct kdf_params *kp;
	const char *path;
};

static enum pt_status
audit_passwd(struct store *nst, void *ud)
{
	const struct passwd_audit *a = ud;

	return audit_appendf(nst, "store.passwd", a->path, NULL, "kdf=argon2id m=%uMiB t=%u p=%u",
	                     a->kp->m_kib / 1024, a->kp->t_cost, a->kp->lanes);
}

static int
cmd_passwd(struct cli *c, int argc, char **argv)
{
	struct kdf_choice k;
	char *pass = NULL;
	size_t n = 0;
	int rc;

	if ((rc = parse_kdf_options(c, argc, argv, true, &k)) != 0)
		return rc;
	if (c->passphrase_fd >= 0 && k.new_fd < 0)
		return cli_usage_error(c, _("with --passphrase-fd, give the new one with --new-passphrase-fd"));
	if (cli_get_secret(k.new_fd, _("New passphrase: "), _("Repeat the new passphrase: "), &pass, &n,
	               &c->err) == PT_OK &&
	    check_new_passphrase(pass, n, &c->err) == PT_OK &&
	    settle_kdf(&k, store_kdf_params(c->st), &c->err) == PT_OK &&
	    store_rekey(c->st, pass, n, &k.kp, audit_passwd,
	                &(struct passwd_audit){ &k.kp, c->path }, &c->err) == PT_OK) {
		printf(_("Passphrase changed for %s (Argon2id, memory %u MiB, time cost %u, parallelism %u).\n"), c->path,
		       k.kp.m_kib / 1024, k.kp.t_cost, k.kp.lanes);
		warn_weak_kdf(&k.kp);
	}
	secmem_free(pass);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * host, group
 * ------------------------------------------------------------------- */

static int
cmd_host_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "group", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	const char **groups = NULL;
	const char *ip = NULL;
	struct hostset hs;
	size_t ngroups = 0;
	long port = 22;
	int o;

	groups = calloc((size_t)argc + 1, sizeof(*groups));
	if (!groups)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'i': ip = optarg; break;
		case 'p':
			if (cli_parse_int(optarg, 1, 65535, &port) != 0) {
				free(groups);
				return cli_usage_error(c, _("--port takes a number from 1 to 65535"));
			}
			break;
		case 'g': groups[ngroups++] = optarg; break;
		default: free(groups); return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc) {
		free(groups);
		return cli_bad_usage(c);
	}
	if (cli_resolve(c, argv[optind], false, &hs) == PT_OK) {
		if (ip && hs.n != 1)
			pt_fail(&c->err, PT_INVALID, _("--ip names one address, but %s names %zu hosts"),
			        argv[optind], hs.n);
		for (size_t i = 0; c->err.status == PT_OK && i < hs.n; i++)
			model_host_add(c->st, hs.names[i], ip, (int)port, groups, ngroups, &c->err);
		if (c->err.status == PT_OK)
			printf(ngettext("Added %zu host.\n", "Added %zu hosts.\n", hs.n), hs.n);
		cli_hostset_free(&hs);
	}
	free(groups);
	return cli_report(c);
}

int
cli_one_arg(struct cli *c, int argc, char **argv, const char **arg)
{
	if (argc != 2 || argv[1][0] == '-')
		return cli_bad_usage(c);
	*arg = argv[1];
	return 0;
}

/* "--json" and at most one positional argument. */
int
cli_list_args(struct cli *c, int argc, char **argv, const char **filter, bool *json)
{
	*filter = NULL;
	*json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = true;
		else if (argv[i][0] != '-' && !*filter)
			*filter = argv[i];
		else
			return cli_bad_usage(c);
	}
	return 0;
}

static int
cmd_host_rm(struct cli *c, int argc, char **argv)
{
	const char *fqdn = NULL;
	char *low;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &fqdn)) != 0)
		return rc;
	low = cli_lowercase(fqdn);
	if (model_host_rm(c->st, low, &c->err) == PT_OK)
		printf(_("Removed host %s.\n"), low);
	free(low);
	return cli_report(c);
}

static json_t *
host_json(const struct host *h)
{
	json_t *groups = json_array();
	char *copy = strdup(h->groups), *save = NULL;

	for (char *g = copy ? strtok_r(copy, ",", &save) : NULL; g; g = strtok_r(NULL, ",", &save))
		json_array_append_new(groups, json_string(g));
	free(copy);
	return json_pack("{s:s, s:s?, s:i, s:o, s:I, s:s, s:s}", "fqdn", h->fqdn,
	                 "ip", *h->ip ? h->ip : NULL, "port", h->port, "groups", groups,
	                 "passwords", (json_int_t)h->credentials,
	                 "created", cli_iso_time(h->created_at), "updated", cli_iso_time(h->updated_at));
}

static int
host_collect(const struct host *h, void *ud)
{
	json_array_append_new(ud, host_json(h));
	return 0;
}

static int
host_print_row(const struct host *h, void *ud)
{
	(void)ud;
	printf("%-40s %-15s %5d  %s\n", h->fqdn, *h->ip ? h->ip : "-", h->port,
	       *h->groups ? h->groups : "-");
	return 0;
}

static int
cmd_host_list(struct cli *c, int argc, char **argv)
{
	const char *filter;
	bool json;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &json)))
		return rc;
	if (json) {
		json_t *arr = json_array();
		if (model_host_foreach(c->st, filter, host_collect, arr, &c->err) == PT_OK)
			return cli_json_print(arr);
		json_decref(arr);
		return cli_report(c);
	}
	printf("%-40s %-15s %5s  %s\n", _("HOST"), _("ADDRESS"), _("PORT"), _("GROUPS"));
	model_host_foreach(c->st, filter, host_print_row, NULL, &c->err);
	return cli_report(c);
}

static int
host_show_one(const struct host *h, void *ud)
{
	bool json = *(bool *)ud;

	if (json) {
		cli_json_print(host_json(h));
		return 0;
	}
	printf(_("Host:       %s\n"), h->fqdn);
	printf(_("Address:    %s\n"), *h->ip ? h->ip : "-");
	printf(_("SSH port:   %d\n"), h->port);
	printf(_("Groups:     %s\n"), *h->groups ? h->groups : "-");
	printf(_("Passwords:  %lld\n"), (long long)h->credentials);
	printf(_("Added:      %s\n"), cli_iso_time(h->created_at));
	return 0;
}

struct cred_print {
	bool json;
	json_t *arr;
};

static int
cred_row(const struct credential *cr, void *ud)
{
	struct cred_print *p = ud;
	char when[32];

	if (p->json) {
		json_array_append_new(p->arr,
		                      json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "user", cr->user,
		                                "hosts", cr->hostspec, "service", cr->service, "version",
		                                (json_int_t)cr->version, "host_count",
		                                (json_int_t)cr->hosts, "created", cli_iso_time(cr->created_at),
		                                "updated", cli_iso_time(cr->updated_at)));
		return 0;
	}
	cli_fmt_time(cr->updated_at, when, sizeof(when));
	printf("%s@%s:%s  (%lld %s, v%lld, %s)\n", cr->user, cr->hostspec, cr->service,
	       (long long)cr->hosts, ngettext("host", "hosts", (unsigned long)cr->hosts),
	       (long long)cr->version, when);
	return 0;
}

static int
cmd_host_show(struct cli *c, int argc, char **argv)
{
	const char *fqdn = NULL;
	bool json;
	char *low;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &fqdn, &json)))
		return rc;
	if (!fqdn)
		return cli_bad_usage(c);
	low = cli_lowercase(fqdn);
	if (model_host_get(c->st, low, host_show_one, &json, &c->err) == PT_OK && !json) {
		struct cred_print p = { false, NULL };
		printf(_("Password entries covering it:\n"));
		model_pw_foreach_host(c->st, low, cred_row, &p, &c->err);
	}
	free(low);
	return cli_report(c);
}

static int
group_row(const struct group_info *g, void *ud)
{
	struct cred_print *p = ud;

	if (p->json)
		json_array_append_new(p->arr, json_pack("{s:s, s:I}", "group", g->name, "hosts",
		                                        (json_int_t)g->hosts));
	else
		printf("%-30s %lld\n", g->name, (long long)g->hosts);
	return 0;
}

static int
cmd_group_list(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { false, NULL };
	const char *filter;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &p.json)))
		return rc;
	if (filter)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	else
		printf("%-30s %s\n", _("GROUP"), _("HOSTS"));
	if (model_group_foreach(c->st, group_row, &p, &c->err) == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * pw
 * ------------------------------------------------------------------- */

struct secret_opts {
	bool multiline;
	int secret_fd;
	long generate; /* 0: no */
	long version;
};

static int
parse_secret_opts(struct cli *c, int argc, char **argv, bool input, bool version,
                  struct secret_opts *so, const char **entry)
{
	static const struct option opts[] = {
		{ "secret-fd", required_argument, NULL, 's' },
		{ "generate", optional_argument, NULL, 'g' },
		{ "version", required_argument, NULL, 'v' },
		{ "multiline", no_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int o;

	so->multiline = false;
	so->secret_fd = -1;
	so->generate = 0;
	so->version = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			if (!input || cli_parse_int(optarg, 0, INT_MAX, &v) != 0)
				return cli_bad_usage(c);
			so->secret_fd = (int)v;
			break;
		case 'g':
			if (!input)
				return cli_bad_usage(c);
			so->generate = DEFAULT_GENERATED_LEN;
			if (optarg && cli_parse_int(optarg, 8, 1024, &so->generate) != 0)
				return cli_usage_error(c, _("--generate takes a length from 8 to 1024"));
			break;
		case 'v':
			if (!version || cli_parse_int(optarg, 1, LONG_MAX, &so->version) != 0)
				return cli_bad_usage(c);
			break;
		case 'M':
			if (!input)
				return cli_bad_usage(c);
			so->multiline = true;
			break;
		default:
			return cli_bad_usage(c);
		}
	}
	if (optind + 1 != argc)
		return cli_bad_usage(c);
	if (so->generate && so->secret_fd >= 0)
		return cli_usage_error(c, _("--generate and --secret-fd exclude each other"));
	if (so->multiline && so->secret_fd < 0)
		return cli_usage_error(c, _("--multiline reads a whole secret (such as an SSH private key) from --secret-fd"));
	*entry = argv[optind];
	return 0;
}

static enum pt_status
new_secret(struct cli *c, const struct secret_opts *so, char **secret, size_t *len)
{
	enum pt_status ret;

	if (so->generate) {
		ret = model_generate_secret((size_t)so->generate, secret, &c->err);
		if (ret == PT_OK)
			*len = (size_t)so->generate;
		return ret;
	}
	if (so->multiline)
		ret = read_all_fd(so->secret_fd, secret, len, &c->err);
	else
		ret = cli_get_secret(so->secret_fd, _("Password: "), _("Repeat the password: "), secret, len,
		                     &c->err);
	if (ret == PT_OK && *len == 0) {
		secmem_freep(secret);
		ret = pt_fail(&c->err, PT_INVALID, _("the password is empty"));
	}
	return ret;
}

static int
cmd_pw_add(struct cli *c, int argc, char **argv)
{
	struct secret_opts so;
	const char *text = NULL;
	struct entry e;
	char *secret = NULL;
	size_t len = 0;
	int64_t id;
	int rc;

	if ((rc = parse_secret_opts(c, argc, argv, true, false, &so, &text)) != 0)
		return rc;
	if (parse_entry(c, text, &e) != PT_OK)
		return cli_report(c);
	if (new_secret(c, &so, &secret, &len) == PT_OK &&
	    model_pw_add(c->st, e.user, e.hs.spec, e.service, e.hs.ids, e.hs.n, secret, len, &id,
	                 &c->err) == PT_OK)
		printf(ngettext("Stored %s@%s:%s for %zu host.\n", "Stored %s@%s:%s for %zu hosts.\n",
		                e.hs.n),
		       e.user, e.hs.spec, e.service, e.hs.n);
	secmem_free(secret);
	entry_free(&e);
	return cli_report(c);
}

struct stored_entry {
	char name[1024];
	char spec[512];
	int64_t hosts;
};

static int
stored_cb(const struct credential *cr, void *ud)
{
	struct stored_entry *s = ud;

	snprintf(s->name, sizeof(s->name), "%s@%s:%s", cr->user, cr->hostspec, cr->service);
	snprintf(s->spec, sizeof(s->spec), "%s", cr->hostspec);
	s->hosts = cr->hosts;
	return 1;
}

static enum pt_status
find_entry(struct cli *c, const char *text, struct entry *e, int64_t *id)
{
	enum pt_status ret = parse_entry(c, text, e);

	if (ret != PT_OK)
		return ret;
	ret = model_pw_find(c->st, e->user, e->hs.spec, e->service, e->hs.ids, e->hs.n, id, &c->err);
	if (ret != PT_OK)
		entry_free(e);
	return ret;
}

/* The secret goes straight from secure memory to fd 1: no stdio buffer
 * keeps a copy of it. */
static enum pt_status
cli_write_secret(const char *s, size_t n, struct pt_err *err)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return pt_fail(err, PT_IO, _("cannot write the password: %s"), strerror(errno));
		s += w;
		n -= (size_t)w;
	}
	/* one newline, so that `pw show ... | cmd` and a terminal both read a line */
	(void)!write(STDOUT_FILENO, "\n", 1);
	return PT_OK;
}

static int
cmd_pw_show(struct cli *c, int argc, char **argv)
{
	struct secret_opts so;
	const char *text = NULL;
	struct entry e;
	char *secret = NULL;
	size_t len;
	int64_t id;
	int rc;

	if ((rc = parse_secret_opts(c, argc, argv, false, true, &so, &text)) != 0)
		return rc;
	if (find_entry(c, text, &e, &id) != PT_OK)
		return cli_report(c);
	if (model_pw_secret(c->st, id, so.version, &secret, &len, &c->err) == PT_OK) {
		fflush(stdout);
		cli_write_secret(secret, len, &c->err);
	}
	secmem_free(secret);
	entry_free(&e);
	return cli_report(c);
}

static int
cmd_pw_update(struct cli *c, int argc, char **argv)
{
	struct secret_opts so;
	const char *text = NULL;
	struct entry e;
	char *secret = NULL;
	size_t len = 0;
	int64_t id;
	int rc;

	if ((rc = parse_secret_opts(c, argc, argv, true, false, &so, &text)) != 0)
		return rc;
	if (find_entry(c, text, &e, &id) != PT_OK)
		return cli_report(c);
	struct stored_entry se = { "", "", 0 };

	if (model_pw_get(c->st, id, stored_cb, &se, &c->err) == PT_OK &&
	    new_secret(c, &so, &secret, &len) == PT_OK &&
	    model_pw_update(c->st, id, secret, len, &c->err) == PT_OK)
		printf(ngettext("Updated %s (%lld host); the previous password is kept in its history.\n",
		                "Updated %s (%lld hosts); the previous password is kept in its history.\n",
		                (unsigned long)se.hosts),
		       se.name, (long long)se.hosts);
	secmem_free(secret);
	entry_free(&e);
	return cli_report(c);
}

static int
cmd_pw_rm(struct cli *c, int argc, char **argv)
{
	const char *text = NULL;
	struct entry e;
	int64_t id;
	int rc;

	if ((rc = cli_one_arg(c, argc, argv, &text)) != 0)
		return rc;
	if (find_entry(c, text, &e, &id) != PT_OK)
		return cli_report(c);
	struct stored_entry se = { "", "", 0 };

	if (model_pw_get(c->st, id, stored_cb, &se, &c->err) != PT_OK)
		goto out;
	/* named through one of its hosts, an entry shared by others is not
	 * removed for all of them by surprise */
	if (se.hosts > 1 && strcmp(se.spec, e.hs.spec) != 0) {
		pt_fail(&c->err, PT_REFUSED,
		        _("%s belongs to the entry %s, which covers %lld hosts: name that entry to remove it"),
		        text, se.name, (long long)se.hosts);
		goto out;
	}
	if (model_pw_rm(c->st, id, &c->err) == PT_OK)
		printf(_("Removed the entry %s.\n"), se.name);
out:
	entry_free(&e);
	return cli_report(c);
}

static int
cmd_pw_list(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { false, NULL };
	const char *filter;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &filter, &p.json)))
		return rc;
	if (p.json)
		p.arr = json_array();
	if (model_pw_foreach(c->st, filter, cred_row, &p, &c->err) == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

static int
history_row(const struct credential_version *v, void *ud)
{
	struct cred_print *p = ud;
	char set[32], repl[32];

	if (p->json) {
		json_array_append_new(p->arr, json_pack("{s:I, s:s, s:s?, s:s?}", "version",
		                                        (json_int_t)v->version, "set", cli_iso_time(v->set_at),
		                                        "replaced", v->replaced_at ? cli_iso_time(v->replaced_at) : NULL,
		                                        "replaced_by", v->replaced_at ? v->replaced_by : NULL));
		return 0;
	}
	cli_fmt_time(v->set_at, set, sizeof(set));
	cli_fmt_time(v->replaced_at, repl, sizeof(repl));
	if (v->replaced_at)
		printf(_("v%-4lld set %s  replaced %s by %s\n"), (long long)v->version, set, repl,
		       v->replaced_by);
	else
		printf(_("v%-4lld set %s  (current)\n"), (long long)v->version, set);
	return 0;
}

static int
cmd_pw_history(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { false, NULL };
	const char *text = NULL;
	struct entry e;
	int64_t id;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &text, &p.json)))
		return rc;
	if (!text)
		return cli_bad_usage(c);
	if (find_entry(c, text, &e, &id) != PT_OK)
		return cli_report(c);
	if (p.json)
		p.arr = json_array();
	if (model_pw_history(c->st, id, history_row, &p, &c->err) == PT_OK && p.json) {
		entry_free(&e);
		return cli_json_print(p.arr);
	}
	json_decref(p.arr);
	entry_free(&e);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * audit
 * ------------------------------------------------------------------- */

static int
audit_row(const struct audit_row *r, void *ud)
{
	struct cred_print *p = ud;

	if (p->json) {
		json_array_append_new(p->arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		                                        (json_int_t)r->id, "time", cli_iso_time(r->ts), "actor",
		                                        r->actor, "action", r->action, "object", r->object,
		                                        "detail", r->detail, "hash", r->hash));
		return 0;
	}
	printf("%6lld  %s  %-12s %-14s %s%s%s\n", (long long)r->id, cli_iso_time(r->ts), r->actor,
	       r->action, r->object, *r->object && *r->detail ? "  " : "", r->detail);
	return 0;
}

static int
cmd_audit(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { false, NULL };
	const char *what;
	int rc;

	if ((rc = cli_list_args(c, argc, argv, &what, &p.json)))
		return rc;
	if (what && strcmp(what, "verify") == 0) {
		int64_t bad, rows;
		if (audit_verify(c->st, &bad, &rows, &c->err) == PT_OK)
			printf(ngettext("Audit chain intact: %lld record.\n",
			                "Audit chain intact: %lld records.\n", (unsigned long)rows),
			       (long long)rows);
		return cli_report(c);
	}
	if (what)
		return cli_bad_usage(c);
	if (p.json)
		p.arr = json_array();
	if (audit_foreach(c->st, audit_row, &p, &c->err) == PT_OK && p.json)
		return cli_json_print(p.arr);
	json_decref(p.arr);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * backup
 * ------------------------------------------------------------------- */

static int
backup_row(const struct backup_info *b, void *ud)
{
	struct cred_print *p = ud;
	char hex[65];
	const char *state;
	double age = difftime(time(NULL), b->created_at) / 86400.0;

	/* say whether the copy is still there and still the same bytes */
	if (store_file_sha256(b->path, hex, NULL, NULL) != PT_OK)
		state = N_("missing");
	else if (strcmp(hex, b->sha256) != 0)
		state = N_("changed");
	else
		state = N_("ok");
	if (p->json) {
		json_array_append_new(p->arr, json_pack("{s:s, s:s, s:f, s:I, s:s, s:s}", "path", b->path,
		                                        "created", cli_iso_time(b->created_at), "age_days", age,
		                                        "bytes", (json_int_t)b->bytes, "sha256", b->sha256,
		                                        "state", state));
		return 0;
	}
	printf("%s  %6.1f %s  %-8s %s\n", cli_iso_time(b->created_at), age, _("days"), _(state), b->path);
	return 0;
}

static int
cmd_backup(struct cli *c, int argc, char **argv)
{
	struct cred_print p = { false, NULL };
	bool list = false;
	const char *dest = NULL;
	char *written = NULL, hex[65];
	uint64_t bytes = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0)
			list = true;
		else if (strcmp(argv[i], "--json") == 0)
			p.json = true;
		else if (argv[i][0] != '-' && !dest)
			dest = argv[i];
		else
			return cli_bad_usage(c);
	}
	if (list == !!dest || (p.json && !list))
		return cli_bad_usage(c);
	if (list) {
		if (p.json)
			p.arr = json_array();
		if (model_backup_foreach(c->st, backup_row, &p, &c->err) == PT_OK && p.json)
			return cli_json_print(p.arr);
		json_decref(p.arr);
		return cli_report(c);
	}
	if (store_backup(c->st, dest, &written, &bytes, hex, &c->err) != PT_OK)
		return cli_report(c);
	if (store_begin(c->st, &c->err) == PT_OK) {
		if (model_backup_record(c->st, written, bytes, hex, &c->err) == PT_OK)
			store_commit(c->st, &c->err);
		else
			store_rollback(c->st);
	}
	if (c->err.status != PT_OK)
		unlink(written); /* a copy the store does not know of is not a backup */
	else
		printf(_("Backup written and verified: %s (%llu bytes, sha256 %s).\n"), written,
		       (unsigned long long)bytes, hex);
	free(written);
	return cli_report(c);
}

/* ---------------------------------------------------------------------
 * help and dispatch
 * ------------------------------------------------------------------- */

static int cmd_help(struct cli *c, int argc, char **argv);

static const struct cmd commands[] = {
	{ "init", NULL, cmd_init, CMD_PATH, N_("[--kdf-memory SIZE] [--kdf-time N] [--kdf-lanes N]"),
	  N_("create a new encrypted store (asks for the passphrase twice)") },
	{ "passwd", NULL, cmd_passwd, CMD_STORE,
	  N_("[--new-passphrase-fd N] [--kdf-memory SIZE] [--kdf-time N] [--kdf-lanes N]"),
	  N_("change the passphrase, and raise the key derivation cost") },
	{ "host", "add", cmd_host_add, CMD_STORE | CMD_WRITE,
	  N_("HOSTSPEC [--ip ADDR] [--port N] [--group NAME]..."), N_("add one host, or every host a spec names") },
	{ "host", "list", cmd_host_list, CMD_STORE, N_("[FILTER] [--json]"), N_("list hosts") },
	{ "host", "show", cmd_host_show, CMD_STORE, N_("FQDN [--json]"),
	  N_("show a host and the password entries covering it") },
	{ "host", "rm", cmd_host_rm, CMD_STORE | CMD_WRITE, N_("FQDN"),
	  N_("remove a host that no password entry covers") },
	{ "group", "list", cmd_group_list, CMD_STORE, N_("[--json]"), N_("list host groups") },
	{ "pw", "add", cmd_pw_add, CMD_STORE | CMD_WRITE,
	  N_("USER@HOSTSPEC:SERVICE [--generate[=LEN] | --secret-fd N [--multiline]]"),
	  N_("store a service password for every host the spec names") },
	{ "pw", "show", cmd_pw_show, CMD_STORE, N_("USER@HOST:SERVICE [--version N]"),
	  N_("print the password alone on standard output") },
	{ "pw", "update", cmd_pw_update, CMD_STORE | CMD_WRITE,
	  N_("USER@HOSTSPEC:SERVICE [--generate[=LEN] | --secret-fd N [--multiline]]"),
	  N_("replace a password; the old one goes to its history") },
	{ "pw", "list", cmd_pw_list, CMD_STORE, N_("[FILTER] [--json]"),
	  N_("list password entries (never their secrets)") },
	{ "pw", "history", cmd_pw_history, CMD_STORE, N_("USER@HOST:SERVICE [--json]"),
	  N_("list the versions of a password") },
	{ "pw", "rm", cmd_pw_rm, CMD_STORE | CMD_WRITE, N_("USER@HOSTSPEC:SERVICE"),
	  N_("remove a password entry and its history") },
	{ "audit", NULL, cmd_audit, CMD_STORE, N_("[--json] | verify"),
	  N_("show the audit trail, or check its hash chain") },
	{ "backup", NULL, cmd_backup, CMD_STORE, N_("DEST | --list [--json]"),
	  N_("write a verified encrypted copy, or list the copies and their age") },
	{ "help", NULL, cmd_help, 0, N_("[COMMAND]"), N_("show this help") },
};
static const size_t cli_core_ncommands = sizeof(commands) / sizeof(commands[0]);

/* Every command family's table: a new family is one line here. */
static const struct cmd_table {
	const struct cmd *cmds;
	const size_t *n;
} tables[] = {
	{ commands, &cli_core_ncommands },
	{ cli_cert_commands, &cli_cert_ncommands },
	{ cli_transfer_commands, &cli_transfer_ncommands },
	{ cli_grid_commands, &cli_grid_ncommands },
};

#define NTABLES (sizeof(tables) / sizeof(tables[0]))
#define FOREACH_CMD(c) \
	for (size_t t_ = 0; t_ < NTABLES; t_++) \
		for (const struct cmd *c = tables[t_].cmds; c < tables[t_].cmds + *tables[t_].n; c++)

/* A row's arguments, translated; "" stays "" (gettext would give the
 * catalogue's header for it). */
static const char *
row_args(const struct cmd *k)
{
	return k->args && *k->args ? _(k->args) : "";
}

void
cli_synopsis(const struct cmd *k, char *buf, size_t n)
{
	const char *args = row_args(k);

	snprintf(buf, n, "%s%s%s%s%s", k->name, k->sub ? " " : "", k->sub ? k->sub : "",
	         *args ? " " : "", args);
}

int
cli_bad_usage(struct cli *c)
{
	char syn[512];

	if (!c->cmd)
		return cli_usage_error(c, _("unknown option (see \"passtore help\")"));
	cli_synopsis(c->cmd, syn, sizeof(syn));
	return cli_usage_error(c, _("usage: passtore %s"), syn);
}

void
cli_usage(void *stream)
{
	FILE *f = stream;
	char name[32];

	fprintf(f, _("usage: passtore [--db FILE] [--passphrase-fd N] COMMAND [ARGS]\n\n"));
	fprintf(f, _("Commands:\n"));
	FOREACH_CMD(k) {
		snprintf(name, sizeof(name), "%s%s%s", k->name, k->sub ? " " : "",
		         k->sub ? k->sub : "");
		fprintf(f, "  %-12s %s\n  %-12s   %s\n", name, row_args(k), "", _(k->help));
	}
	fprintf(f, _("\nThe store is %s unless --db or PASSTORE_DB names another.\n"
	             "Exit status: 0 ok, 1 failure, 2 usage, 3 locked, 4 not found, 5 refused.\n"
	             "See passtore(1).\n"),
	        geteuid() == 0 ? "/var/lib/passtore/passtore.db" : "$XDG_DATA_HOME/passtore/passtore.db");
}

static void
print_command_help(const struct cmd *k)
{
	char syn[512];

	cli_synopsis(k, syn, sizeof(syn));
	printf("passtore %s\n    %s\n", syn, _(k->help));
}

static int
cmd_help(struct cli *c, int argc, char **argv)
{
	bool found = false;

	if (argc < 2) {
		cli_usage(stdout);
		return 0;
	}
	FOREACH_CMD(k) {
		if (strcmp(k->name, argv[1]) != 0)
			continue;
		if (argc > 2 && k->sub && strcmp(k->sub, argv[2]) != 0)
			continue;
		print_command_help(k);
		found = true;
	}
	if (!found)
		return cli_usage_error(c, _("no command \"%s\" (see \"passtore help\")"), argv[1]);
	return 0;
}

static const struct cmd *
find_command(int argc, char **argv, int *consumed)
{
	FOREACH_CMD(k) {
		if (strcmp(k->name, argv[0]) != 0)
			continue;
		if (!k->sub) {
			*consumed = 1;
			return k;
		}
		if (argc > 1 && strcmp(k->sub, argv[1]) == 0) {
			*consumed = 2;
			return k;
		}
	}
	return NULL;
}

static bool
is_command_word(const char *w)
{
	FOREACH_CMD(k)
		if (strcmp(k->name, w) == 0)
			return true;
	return false;
}

/* "COMMAND ... --help" (before any "--") asks for that command's help. */
static bool
wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

/* Every start closes what a dead process left open (promise 4). */
static void
recover_at_start(struct cli *c)
{
	struct pt_err err = { 0 };
	int windows = 0, rules = 0;

	if (transfer_recover(c->st, &windows, &rules, &err) != PT_OK)
		fprintf(stderr, _("passtore: warning: cannot close the windows a dead process left: %s\n"),
		        pt_err_text(&err));
	else if (windows > 0)
		fprintf(stderr,
		        _("passtore: windows a dead process left open, now closed: %d (firewall rules removed: %d)\n"),
		        windows, rules);
}

/* Run the command in one transaction when it writes: all or nothing. */
static int
run_command(struct cli *c, int argc, char **argv)
{
	int rc;

	if (!(c->cmd->flags & CMD_WRITE))
		return c->cmd->run(c, argc, argv);
	if (store_begin(c->st, &c->err) != PT_OK)
		return cli_report(c);
	rc = c->cmd->run(c, argc, argv);
	if (rc == 0 && c->err.status == PT_OK) {
		if (store_commit(c->st, &c->err) != PT_OK)
			rc = cli_report(c);
	} else {
		store_rollback(c->st);
	}
	return rc;
}

/* The command the words name, or a usage error naming what is unknown. */
static const struct cmd *
lookup(struct cli *c, int argc, char **argv, int *consumed, int *rc)
{
	const struct cmd *cmd = find_command(argc - 1, argv + 1, consumed);

	if (cmd)
		return cmd;
	if (argc > 2 && is_command_word(argv[1]))
		*rc = cli_usage_error(c, _("unknown command \"%s %s\" (see \"passtore help %s\")"),
		                      argv[1], argv[2], argv[1]);
	else
		*rc = cli_usage_error(c, _("unknown command \"%s\" (see \"passtore help\")"), argv[1]);
	return NULL;
}

int
cli_main(const struct pt_args *args)
{
	struct cli c = { .passphrase_fd = args->passphrase_fd, .db_opt = args->db };
	int argc = args->argc, consumed = 0, rc = 0;
	char **argv = args->argv;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("passtore %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!(c.cmd = lookup(&c, argc, argv, &consumed, &rc)))
		return rc;
	/* the command's argv[0] is its last command word */
	argc -= consumed;
	argv += consumed;
	if (c.cmd->run != cmd_help && wants_help(argc, argv)) {
		print_command_help(c.cmd);
		return 0;
	}
	c.path = c.db_opt ? strdup(c.db_opt) : store_default_path();
	if (!c.path) {
		pt_fail(&c.err, PT_NOMEM, NULL);
		return cli_report(&c);
	}
	optind = 0; /* reset getopt for the command's own options */
	opterr = 0;
	/* a FIFO or a directory named as the store is refused before any
	 * passphrase is asked for or any open blocks */
	if ((c.cmd->flags & (CMD_STORE | CMD_PATH)) && pt_args_check_store(c.path, &c.err) != PT_OK)
		rc = cli_report(&c);
	else if ((c.cmd->flags & CMD_STORE) && cli_unlock(&c) != PT_OK)
		rc = cli_report(&c);
	else {
		if (c.cmd->flags & CMD_STORE)
			recover_at_start(&c);
		rc = run_command(&c, argc, argv);
	}
	store_close(&c.st);
	free(c.path);
	return rc;
}

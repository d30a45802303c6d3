/* args.c - the global options of both faces, parsed in one place. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/i18n.h"
#include "base/args.h"

#define SECONDS_MAX 86400

enum opt_kind { OPT_DB, OPT_PASSFD, OPT_DEMO, OPT_MONO, OPT_LOCK, OPT_REVEAL, OPT_ALLOW_SWAP };

static const struct global_opt {
	const char *name;
	enum opt_kind kind;
	bool value, console;
} global_opts[] = {
	{ "--db", OPT_DB, true, false },
	{ "--passphrase-fd", OPT_PASSFD, true, false },
	{ "--demo", OPT_DEMO, false, true },
	{ "--mono", OPT_MONO, false, true },
	{ "--lock-after", OPT_LOCK, true, true },
	{ "--reveal-seconds", OPT_REVEAL, true, true },
	{ "--allow-swap", OPT_ALLOW_SWAP, false, true },
};

/* The option argv[i] names, with "--name=value" split off into *inline_val. */
static const struct global_opt *
match(const char *a, const char **inline_val)
{
	*inline_val = NULL;
	for (size_t k = 0; k < sizeof(global_opts) / sizeof(global_opts[0]); k++) {
		size_t n = strlen(global_opts[k].name);
		if (strncmp(a, global_opts[k].name, n) != 0)
			continue;
		if (a[n] == '\0')
			return &global_opts[k];
		if (a[n] == '=' && global_opts[k].value) {
			*inline_val = a + n + 1;
			return &global_opts[k];
		}
	}
	return NULL;
}

static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static enum pt_status
set_value(struct pt_args *a, const struct global_opt *o, const char *val, struct pt_err *err)
{
	long v;

	switch (o->kind) {
	case OPT_DB:
		/* an empty name is a mistake (an unset variable), not the default store */
		if (!*val)
			return pt_fail(err, PT_USAGE, _("--db needs a file name"));
		a->db = val;
		break;
	case OPT_PASSFD:
		if (parse_long(val, 0, INT_MAX, &v) != 0)
			return pt_fail(err, PT_USAGE,
			               _("--passphrase-fd takes a file descriptor number"));
		a->passphrase_fd = (int)v;
		break;
	case OPT_LOCK:
	case OPT_REVEAL:
		if (parse_long(val, 0, SECONDS_MAX, &v) != 0)
			return pt_fail(err, PT_USAGE,
			               _("%s takes a number of seconds from 0 to %d"), o->name,
			               SECONDS_MAX);
		if (o->kind == OPT_LOCK)
			a->lock_after = v;
		else
			a->reveal = v ? v : 1;
		break;
	case OPT_DEMO: a->demo = true; break;
	case OPT_MONO: a->mono = true; break;
	case OPT_ALLOW_SWAP: a->allow_swap = true; break;
	}
	return PT_OK;
}

enum pt_status
pt_args_parse(int argc, char **argv, struct pt_args *a, struct pt_err *err)
{
	int out = 1;

	memset(a, 0, sizeof(*a));
	a->passphrase_fd = -1;
	a->lock_after = -1;
	a->reveal = -1;
	for (int i = 1; i < argc; i++) {
		const struct global_opt *o;
		const char *val;

		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		o = match(argv[i], &val);
		if (!o) {
			argv[out++] = argv[i];
			continue;
		}
		if (o->value && !val) {
			if (i + 1 >= argc)
				return pt_fail(err, PT_USAGE, _("%s needs a value"), o->name);
			val = argv[++i];
		}
		if (set_value(a, o, val, err) != PT_OK)
			return err->status;
		a->any = true;
		if (o->console && !a->console_opt)
			a->console_opt = o->name;
	}
	argv[out] = NULL;
	a->argc = out;
	a->argv = argv;
	return PT_OK;
}

bool
pt_args_console(const struct pt_args *a, bool tty)
{
	if (a->argc > 1 || a->passphrase_fd >= 0)
		return false;
	return a->any || tty;
}

enum pt_status
pt_args_check_store(const char *path, struct pt_err *err)
{
	struct stat sb;

	/* stat, not lstat: a symbolic link to a store file is still a store;
	 * a missing file is for the command to judge (init creates it) */
	if (stat(path, &sb) != 0 || S_ISREG(sb.st_mode))
		return PT_OK;
	return pt_fail(err, PT_INVALID, _("%s is not a regular file: a store is one plain file"),
	               path);
}

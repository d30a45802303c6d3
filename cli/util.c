/* util.c - what the command files share: arguments, times, JSON, files
 * from the command line and host specs. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "site/lib.h"

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

int
cli_json_print(json_t *j)
{
	int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(j);
	fputc('\n', stdout);
	return rc == 0 ? 0 : 1;
}

bool
cli_json_set(json_t *o, const char *key, json_t *v, const char **bad)
{
	/* json_object_set_new takes v even when it fails, and refuses NULL */
	if (json_object_set_new(o, key, v) == 0)
		return true;
	if (!*bad)
		*bad = key;
	return false;
}

bool
cli_json_append(json_t *a, json_t *v, const char *what, const char **bad)
{
	if (json_array_append_new(a, v) == 0)
		return true;
	if (!*bad)
		*bad = what;
	return false;
}

json_t *
cli_json_opt(const char *s)
{
	return s ? json_string(s) : json_null();
}

int
cli_json_fail(struct cli *c, const char *record, const char *field)
{
	pt_fail(&c->err, PT_INVALID, _("%s: the %s cannot be written as JSON (not valid UTF-8)"),
	        record, field);
	return 1;
}

int
cli_json_row(struct cli *c, json_t *arr, json_t *o, const char *bad, const char *record)
{
	/* a record JSON cannot hold stops the listing: never one left out */
	if (bad)
		json_decref(o);
	if (bad || !cli_json_append(arr, o, "record", &bad))
		return cli_json_fail(c, record, bad);
	return 0;
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

char *
cli_lowercase(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* report.c - report expiry: current certificates by expiry date, as
 * text, CSV or JSON (the writer is the core's, src/cert/report.c). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"

/* The calendar goes to a file, whole or not at all: written beside it
 * and renamed into place. */
static int
report_ics(struct cli *c, const char *path, long days)
{
	char *tmp = NULL;
	size_t n = 0;
	FILE *f;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
		return pt_fail(&c->err, PT_NOMEM, NULL), cli_report(c);
	{
		int fd = mkstemp(tmp);

		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			pt_fail(&c->err, PT_IO, _("%s: %s"), path, pt_file_strerror(errno));
			if (fd >= 0)
				close(fd), unlink(tmp);
			free(tmp);
			return cli_report(c);
		}
	}
	fchmod(fileno(f), 0644);
	report_expiry_write(c->st, f, REPORT_ICS, time(NULL), days, &n, &c->err);
	if ((fflush(f) != 0 || fsync(fileno(f)) != 0) && c->err.status == PT_OK)
		pt_fail(&c->err, PT_IO, _("%s: %s"), path, strerror(errno));
	if (fclose(f) != 0 && c->err.status == PT_OK)
		pt_fail(&c->err, PT_IO, _("%s: %s"), path, strerror(errno));
	if (c->err.status == PT_OK && rename(tmp, path) != 0)
		pt_fail(&c->err, PT_IO, _("%s: %s"), path, pt_file_strerror(errno));
	if (c->err.status != PT_OK)
		unlink(tmp);
	else
		printf(_("Wrote the calendar of %zu certificates to %s.\n"), n, path);
	free(tmp);
	return cli_report(c);
}

static int
stale_line(const struct crl_info *ci, void *ud)
{
	(void)ud;
	if (ci->stale)
		printf(_("STALE CRL of %s: its next update was due %s\n"), ci->issuer,
		       cli_time(ci->next_update));
	return 0;
}

static int
cmd_report_expiry(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "ics", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	enum report_format fmt = REPORT_TEXT;
	bool csv = false, json = false;
	const char *ics = NULL;
	long days = -1;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			if (cli_parse_int(optarg, 0, 36500, &days) != 0)
				return cli_usage_error(c, _("--days takes a number of days"));
			break;
		case 'c': csv = true; break;
		case 'j': json = true; break;
		case 'i': ics = optarg; break;
		default: return cli_bad_usage(c);
		}
	}
	if (optind != argc || (csv && json) || (ics && (csv || json)))
		return cli_bad_usage(c);
	if (ics)
		return report_ics(c, ics, days);
	if (csv)
		fmt = REPORT_CSV;
	else if (json)
		fmt = REPORT_JSON;
	report_expiry_write(c->st, stdout, fmt, time(NULL), days, NULL, &c->err);
	/* the text is for a person: a stale CRL makes its revoked bands old news */
	if (fmt == REPORT_TEXT && c->err.status == PT_OK)
		crl_foreach(c->st, time(NULL), stale_line, NULL, &c->err);
	if (fflush(stdout) != 0 && c->err.status == PT_OK)
		pt_fail(&c->err, PT_IO, _("cannot write the report"));
	return cli_report(c);
}

const struct cmd cli_report_commands[] = {
	{ "report", "expiry", cmd_report_expiry, CMD_STORE,
	  N_("[--days N] [--csv | --json | --ics FILE]"),
	  N_("current certificates by expiry date, for printing or for another tool") },
};
const size_t cli_report_ncommands = sizeof(cli_report_commands) / sizeof(cli_report_commands[0]);

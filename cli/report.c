/* report.c - report expiry: current certificates by expiry date, as
 * text, CSV or JSON (the writer is the core's, src/cert/report.c). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "cert/lib.h"

static int
cmd_report_expiry(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	enum report_format fmt = REPORT_TEXT;
	bool csv = false, json = false;
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
		default: return cli_bad_usage(c);
		}
	}
	if (optind != argc || (csv && json))
		return cli_bad_usage(c);
	if (csv)
		fmt = REPORT_CSV;
	else if (json)
		fmt = REPORT_JSON;
	report_expiry_write(c->st, stdout, fmt, time(NULL), days, NULL, &c->err);
	if (fflush(stdout) != 0 && c->err.status == PT_OK)
		pt_fail(&c->err, PT_IO, _("cannot write the report"));
	return cli_report(c);
}

const struct cmd cli_report_commands[] = {
	{ "report", "expiry", cmd_report_expiry, CMD_STORE, N_("[--days N] [--csv | --json]"),
	  N_("current certificates by expiry date, for printing or for another tool") },
};
const size_t cli_report_ncommands = sizeof(cli_report_commands) / sizeof(cli_report_commands[0]);

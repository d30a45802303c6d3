/* cli.c - the command line: find the command, unlock, run it in one
 * transaction, print.
 *
 * Every command is one row of a table at the bottom of its family's file;
 * the usage text, `passtore help`, `COMMAND --help` and every usage error
 * are generated from those rows.  A command that changes the store runs
 * in one transaction: all of it lands, or none of it.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "private.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "engine/lib.h"
#include "store/lib.h"

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

static int cmd_help(struct cli *c, int argc, char **argv);

static const struct cmd help_commands[] = {
	{ "help", NULL, cmd_help, 0, N_("[COMMAND]"), N_("show this help") },
};
static const size_t help_ncommands = sizeof(help_commands) / sizeof(help_commands[0]);

/* Every command family's table, in the order of the usage text: a new
 * family is one line here. */
static const struct cmd_table {
	const struct cmd *cmds;
	const size_t *n;
} tables[] = {
	{ cli_store_commands, &cli_store_ncommands },
	{ cli_host_commands, &cli_host_ncommands },
	{ cli_group_commands, &cli_group_ncommands },
	{ cli_pw_commands, &cli_pw_ncommands },
	{ cli_audit_commands, &cli_audit_ncommands },
	{ help_commands, &help_ncommands },
	{ cli_ca_commands, &cli_ca_ncommands },
	{ cli_cert_commands, &cli_cert_ncommands },
	{ cli_inspect_commands, &cli_inspect_ncommands },
	{ cli_report_commands, &cli_report_ncommands },
	{ cli_config_commands, &cli_config_ncommands },
	{ cli_transfer_commands, &cli_transfer_ncommands },
	{ cli_vo_commands, &cli_vo_ncommands },
	{ cli_gridmap_commands, &cli_gridmap_ncommands },
	{ cli_voms_commands, &cli_voms_ncommands },
	{ cli_firewall_commands, &cli_firewall_ncommands },
	{ cli_escrow_commands, &cli_escrow_ncommands },
	{ cli_crl_commands, &cli_crl_ncommands },
};

#define NTABLES (sizeof(tables) / sizeof(tables[0]))
#define FOREACH_CMD(c) \
	for (size_t t_ = 0; t_ < NTABLES; t_++) \
		for (const struct cmd *c = tables[t_].cmds; c < tables[t_].cmds + *tables[t_].n; \
		     c++)

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
	FOREACH_CMD (k) {
		snprintf(name, sizeof(name), "%s%s%s", k->name, k->sub ? " " : "",
		         k->sub ? k->sub : "");
		fprintf(f, "  %-12s %s\n  %-12s   %s\n", name, row_args(k), "", _(k->help));
	}
	fprintf(f,
	        _("\nThe store is %s unless --db or PASSTORE_DB names another.\n"
	          "Exit status: 0 ok, 1 failure, 2 usage, 3 locked, 4 not found, 5 refused.\n"
	          "See passtore(1).\n"),
	        geteuid() == 0 ? "/var/lib/passtore/passtore.db"
	                       : "$XDG_DATA_HOME/passtore/passtore.db");
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
	FOREACH_CMD (k) {
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
	FOREACH_CMD (k) {
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
	FOREACH_CMD (k)
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
		fprintf(stderr,
		        _("passtore: warning: cannot close the windows a dead process left: %s\n"),
		        pt_err_text(&err));
	else if (windows > 0)
		fprintf(stderr,
		        _("passtore: windows a dead process left open, now closed: %d (firewall rules removed: %d)\n"),
		        windows, rules);
}

enum pt_status
cli_give_up_root(bool helper, bool helper_needed, int argc, char **argv, struct pt_err *err)
{
	bool child = false;
	int fd = -1;

	if (helper && privsep_start(&child, &fd, err) != PT_OK) {
		if (helper_needed || err->status != PT_REFUSED)
			return err->status;
		*err = (struct pt_err){ 0 }; /* no CAP_NET_ADMIN: nothing to separate */
	}
	if (child)
		_exit(cli_helper(fd));
	pt_file_preopen_args(argc, argv);
	return privsep_drop_main(err);
}

/* The helper's life, in the child of a split; what it must say when the
 * main process is gone (a window it could not close), it says here. */
int
cli_helper(int fd)
{
	struct pt_err why = { 0 };
	int rc = privsep_serve(fd, &why);

	if (rc != 0 && why.status != PT_OK)
		fprintf(stderr, "passtore: %s\n", pt_err_text(&why));
	return rc;
}

/* Before anything secret is read, the main process gives up root.  A
 * command that opens the store first splits off the privileged helper: a
 * window may be opened, or one a dead process left closed at the start.
 * Without CAP_NET_ADMIN there is nothing to separate, and only a command
 * that needs the helper fails (cli_give_up_root). */
static enum pt_status
split(struct cli *c, int argc, char **argv)
{
	return cli_give_up_root(c->cmd->flags & (CMD_NET | CMD_STORE), c->cmd->flags & CMD_NET,
	                        argc - 1, argv + 1, &c->err);
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
		*rc = cli_usage_error(c, _("unknown command \"%s\" (see \"passtore help\")"),
		                      argv[1]);
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
	else if (!(c.cmd->flags & CMD_ROOT) && split(&c, argc, argv) != PT_OK)
		rc = cli_report(&c);
	else if ((c.cmd->flags & CMD_STORE) && cli_unlock(&c) != PT_OK)
		rc = cli_report(&c);
	/* what the command needs is open (the store, the files it names):
	 * from here on, only the calls its work makes */
	else if (!(c.cmd->flags & CMD_ROOT) && sandbox_enter(SANDBOX_MAIN, &c.err) != PT_OK)
		rc = cli_report(&c);
	else {
		if (c.cmd->flags & CMD_STORE)
			recover_at_start(&c);
		rc = run_command(&c, argc, argv);
	}
	/* for the dump tests: stopped (SIGSTOP) with the command done and the
	 * store still open, as a process that has shown a secret is */
	const char *stop = getenv("PASSTORE_TEST_STOP");
	if (stop && strcmp(stop, "after-command") == 0)
		raise(SIGSTOP);
	store_close(&c.st);
	pt_file_preopen_clear();
	free(c.path);
	return rc;
}

/* args.h - the program's global options, read once for both faces.
 *
 * main.c parses the command line with pt_args_parse and hands the result
 * to cli_main or ui_main, so that --db FILE and --db=FILE, and every other
 * global option, mean the same in the command line and the console.
 * Curses-free and CLI-free: either face may include it.
 */
#ifndef PASSTORE_ARGS_H
#define PASSTORE_ARGS_H

#include <stdbool.h>

#include "base/status.h"

struct pt_args {
	const char *db;          /* --db FILE, or NULL: PASSTORE_DB, else the default */
	int passphrase_fd;       /* --passphrase-fd N, or -1: the terminal */
	bool demo;               /* --demo: the console on a throwaway demo store */
	bool mono;               /* --mono: the console without colour */
	long lock_after;         /* --lock-after SECONDS, or -1: the store's ui.lock_after */
	long reveal;             /* --reveal-seconds SECONDS (0 counts as 1), or -1: the default */
	bool allow_swap;         /* --allow-swap: the console starts despite a plain swap */
	const char *console_opt; /* the first of --demo, --mono, --lock-after,
	                          * --reveal-seconds, --allow-swap given, or NULL */
	bool any;                /* some global option was given */
	/* what is left once the global options are out: argv[0] and the
	 * command with its own arguments ("--" kept) */
	int argc;
	char **argv;
};

/* Take the global options out of argv (which it rewrites), wherever they
 * stand before "--"; PT_USAGE with a message for a bad one. */
enum pt_status pt_args_parse(int argc, char **argv, struct pt_args *a, struct pt_err *err);
/* Whether the console is wanted: no command and a console option, or
 * nothing at all on a terminal. */
bool pt_args_console(const struct pt_args *a, bool tty);
/* Refuse at once a store path that exists but is no regular file (a FIFO
 * would block the open for ever, a directory fails late and obscurely). */
enum pt_status pt_args_check_store(const char *path, struct pt_err *err);

#endif

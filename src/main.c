/* main.c - passtore: no arguments opens the console, a command runs it. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "engine/lib.h"
#include "ui/ui.h"

/* The console shows secrets and keeps the store open for hours: with a
 * swap that is not encrypted, pages that could not be locked could reach
 * the disk.  It does not start then, unless --allow-swap says the risk
 * is known.  (Not a store setting: it would be read only after the
 * passphrase had been typed.) */
static bool
console_swap_ok(const struct pt_args *a)
{
	char why[256];

	if (guard_swap_check(NULL, why, sizeof why) != GUARD_ROW_BROKEN)
		return true;
	if (a->allow_swap) {
		fprintf(stderr, _("passtore: warning: %s (started anyway: --allow-swap)\n"), why);
		return true;
	}
	fprintf(stderr,
	        _("passtore: %s; the console does not start (encrypt the swap, turn it off, or "
	          "start with --allow-swap)\n"),
	        why);
	return false;
}

/* The console may open windows: the privileged helper splits off before
 * the store is unlocked (privsep.c).  Without CAP_NET_ADMIN the console
 * still runs, unsplit; its windows then fail with the kernel's refusal.
 * A helper that could not start otherwise stops it, saying why.  Either
 * way the main process gives up every capability (and root, where the
 * account exists) before it reads anything. */
static void
console_split(void)
{
	struct pt_err err = { 0 };
	enum pt_status ret = cli_give_up_root(true, false, 0, NULL, &err);

	if (ret != PT_OK) {
		fprintf(stderr, "passtore: %s\n", pt_err_text(&err));
		/* PT_REFUSED here is the drop's (exit 1), the helper's refusal
		 * having been let pass */
		exit(ret == PT_REFUSED ? 1 : pt_status_exit(ret));
	}
}

int
main(int argc, char **argv)
{
	struct pt_err err = { 0 };
	struct pt_args args;
	bool tty;

	/* before anything secret exists: no core dumps, no ptrace */
	if (secmem_harden_process() != 0) {
		perror("passtore: cannot disable core dumps");
		return 1;
	}
	umask(077);
	setlocale(LC_ALL, "");
#if ENABLE_NLS
	/* PASSTORE_LOCALEDIR: catalogues from a build tree, before (or
	 * without) make install, as the tests read them */
	const char *localedir = getenv("PASSTORE_LOCALEDIR");
	bindtextdomain(PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
	textdomain(PACKAGE);
#endif
	/* the global options, one parser for both faces */
	if (pt_args_parse(argc, argv, &args, &err) != PT_OK) {
		fprintf(stderr, "passtore: %s\n", pt_err_text(&err));
		return pt_status_exit(err.status);
	}
	/* no command (or only global options) on a terminal: the console */
	tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (pt_args_console(&args, tty)) {
		if (!console_swap_ok(&args))
			return pt_status_exit(PT_REFUSED);
		console_split();
		return ui_main(&args);
	}
	if (args.console_opt) {
		fprintf(stderr,
		        _("passtore: %s is an option of the console, which takes no command\n"),
		        args.console_opt);
		return 2;
	}
	return cli_main(&args);
}

/* main.c - passtore: no arguments opens the console, a command runs it. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "base/i18n.h"
#include "base/lib.h"
#include "ui/ui.h"

int
main(int argc, char **argv)
{
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
	/* no command (or only console options) on a terminal: the console */
	if (ui_wanted(argc, argv))
		return ui_main(argc, argv);
	return cli_main(argc, argv);
}

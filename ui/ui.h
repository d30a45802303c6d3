/* ui.h - the console front end's one entry point for main.c. */
#ifndef PASSTORE_UI_H
#define PASSTORE_UI_H

#include <stdbool.h>

/* Whether these arguments ask for the console: none at all on a
 * terminal, or only console options (--demo, --db FILE, --lock-after N,
 * --reveal-seconds N, --mono). */
bool ui_wanted(int argc, char **argv);
/* Run the console; returns the process exit code. */
int ui_main(int argc, char **argv);

#endif

/* ui.h - the console front end's one entry point for main.c. */
#ifndef PASSTORE_UI_H
#define PASSTORE_UI_H

#include <stdbool.h>

struct pt_args;

/* Run the console with the global options main.c parsed (base/args.h);
 * returns the process exit code. */
int ui_main(const struct pt_args *args);

#endif

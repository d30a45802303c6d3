/* cli.h - the non-interactive commands: the same core calls the TUI makes. */
#ifndef PASSTORE_CLI_H
#define PASSTORE_CLI_H

#include <stdbool.h>

#include "base/lib.h"

struct pt_args;

/* Run the command line left once main.c took the global options out
 * (base/args.h); returns the exit code. */
int cli_main(const struct pt_args *args);
/* The privileged helper's life, in the child of a split (privsep_serve):
 * its exit status. */
int cli_helper(int fd);
/* Give up root before anything is read, for a command and the console
 * alike: split off the privileged helper when helper is set (the child
 * never returns; a helper that cannot start is an error, but for want of
 * CAP_NET_ADMIN only when helper_needed), open the regular files argv
 * names while they can be (base/file.h), then drop every capability and
 * become the account (privsep_drop_main). */
enum pt_status cli_give_up_root(bool helper, bool helper_needed, int argc, char **argv,
                                struct pt_err *err);
/* Print the usage summary to the stream (stdout or stderr). */
void cli_usage(void *stream);

#endif

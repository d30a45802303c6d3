/* cli.h - the non-interactive commands: the same core calls the TUI makes. */
#ifndef PASSTORE_CLI_H
#define PASSTORE_CLI_H

struct pt_args;

/* Run the command line left once main.c took the global options out
 * (base/args.h); returns the exit code. */
int cli_main(const struct pt_args *args);
/* The privileged helper's life, in the child of a split (privsep_serve):
 * its exit status. */
int cli_helper(int fd);
/* Print the usage summary to the stream (stdout or stderr). */
void cli_usage(void *stream);

#endif

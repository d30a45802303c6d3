/* cli.h - the non-interactive commands: the same core calls the TUI makes. */
#ifndef PASSTORE_CLI_H
#define PASSTORE_CLI_H

/* Run one command line (argv[0] is the program); returns the exit code. */
int cli_main(int argc, char **argv);
/* Print the usage summary to the stream (stdout or stderr). */
void cli_usage(void *stream);

#endif

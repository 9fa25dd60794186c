/* cli.h — helpers shared by the verb implementations in cli/cmd_*.c. */
#ifndef CHOKEPOINT_CLI_H
#define CHOKEPOINT_CLI_H

#include <stdio.h>

#include "chokepoint/error.h"
#include "chokepoint/output.h"
#include "chokepoint/ref.h"
#include "opts.h"
#include "verbs.h"

/* Print "chokepoint: VERB: file:line:col: message" to stderr; returns 1. */
int cli_fail(const char *verb, const ckp_error *err);

/* Same with a printf-style message; returns status (use 1 or 2). */
int cli_failf(const char *verb, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Load the reference data (from --data DIR when given, else ckp_data_dir()).
 * Prints the error and returns NULL on failure. */
ckp_ref *cli_load_ref(const char *verb, const char *datadir);

/* --format value (NULL = default for stdout) → format; 2 on a bad value
 * (message printed), else 0. */
int cli_format(const char *verb, const char *arg, ckp_format *fmt);

/* Run the library verb `name` (include/chokepoint/verb.h) from argv: its
 * parameter table gives the options and --help.  Returns the exit status. */
int cli_run_verb(const char *name, int argc, char **argv);

/* 1 when stdout is a terminal (one-line summaries, progress bars). */
int cli_stdout_tty(void);

#endif

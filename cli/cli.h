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

/* The width a table is fitted to (ckp_writer_fit): 0 with --wide; --width
 * N (arg) forces N; when stdout is not a terminal, 0 (the table as it
 * always was: every column in full); else $COLUMNS, the terminal's width
 * (TIOCGWINSZ), or 80 when neither is known.  2 on a bad --width (message
 * printed), else 0. */
int cli_table_width(const char *verb, const char *arg, int wide, int *width);

/* Words of t (separated by spaces) on out, wrapped to width terminal
 * columns (0 = not wrapped), then a newline. */
void cli_wrap(FILE *out, const char *t, size_t width);

/* `--chart` (chart.c): run verb v (surge or dependency) and draw its rows
 * on out as a chart `width` columns wide (0 = 80) instead of the table. */
struct ckp_args;
struct ckp_env;
struct ckp_verb;
ckp_status cli_chart(const struct ckp_verb *v, struct ckp_env *env, const struct ckp_args *args,
                     int width, FILE *out, char *coverage, size_t coverage_len, ckp_error *err);

/* One command of the binary: a library verb (fn NULL: run by
 * cli_run_verb) or a CLI-only command (cli/verbs.h). */
typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*fn)(int argc, char **argv);
} cli_command;

/* Every command (cli/commands.c): the library verbs, then the CLI-only
 * ones.  at/find: 0 and *out filled, -1 when there is none. */
int cli_command_count(void);
int cli_command_at(int i, cli_command *out);
int cli_command_find(const char *name, cli_command *out);
/* Run c with argv (argv[0] = its name); returns the exit status. */
int cli_command_run(const cli_command *c, int argc, char **argv);

/* Run the library verb `name` (include/chokepoint/verb.h) from argv: its
 * parameter table gives the options and --help.  Returns the exit status. */
int cli_run_verb(const char *name, int argc, char **argv);

/* The comma-separated HS list `list` with each item ckp_hs_fold reads
 * written as its HS code ("8112.92" → "811292", "2825.80.00" → "282580"),
 * other items (groups, ranges) as they are, in buf (n bytes); returns buf,
 * or list itself when buf is too small.  For each national code folded to
 * HS6, a note on stderr: "chokepoint: VERB: note: --PARAM 38011000 read as
 * HS6 380110 …" (param NULL = a positional argument). */
const char *cli_hs_fold(const char *verb, const char *param, const char *list, char *buf,
                        size_t n);

/* 1 when stdout is a terminal (one-line summaries, progress bars). */
int cli_stdout_tty(void);

#endif

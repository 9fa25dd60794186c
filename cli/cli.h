/* cli.h — helpers shared by the verb implementations in cli/cmd_*.c. */
#ifndef CHOKEPOINT_CLI_H
#define CHOKEPOINT_CLI_H

#include <stdio.h>

#include "chokepoint/error.h"
#include "chokepoint/output.h"
#include "chokepoint/ref.h"
#include "chokepoint/verb.h"

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
    const ckp_verb *decl; /* its parameters, usage, summary */
} cli_command;

/* Every command (cli/commands.c): the library verbs, then the CLI-only
 * ones.  at/find: 0 and *out filled, -1 when there is none. */
int cli_command_count(void);
int cli_command_at(int i, cli_command *out);
int cli_command_find(const char *name, cli_command *out);
/* The declarations of the CLI commands (not library verbs), NULL-terminated. */
const ckp_verb *const *cli_command_decls(void);
/* Run c with argv (argv[0] = its name); returns the exit status. */
int cli_command_run(const cli_command *c, int argc, char **argv);

/* ---- CLI commands (report, serve, …): options as ckp_param tables ---------
 * A command declares itself as a ckp_verb with run NULL and flag
 * CKP_VERB_CLI_ONLY (its table is all of its options: no common ones); --help,
 * the man page, completion and /api/verbs come from it as for library
 * verbs. */

/* Parse argv (argv[0] = the command) against decl's table: 1 after --help
 * was printed, 2 after a usage error was printed, else 0 with the
 * positionals in *args / *nargs and the options in *given (both valid until
 * the next parse or exit). */
int cli_parse_args(const ckp_verb *decl, int argc, char **argv, char ***args, int *nargs,
                   const ckp_args **given);

/* Copy an option given into the command's variable (left as it is when the
 * option was not given). */
void cli_opt_str(const ckp_args *given, const char *name, const char **dest);
void cli_opt_flag(const ckp_args *given, const char *name, int *dest);
void cli_opt_long(const ckp_args *given, const char *name, long *dest);
void cli_opt_num(const ckp_args *given, const char *name, double *dest);

#define CLI_LIST_MAX 64

/* The values of a repeatable option. */
typedef struct cli_list {
    const char *items[CLI_LIST_MAX];
    int n;
} cli_list;

/* Append every value of a repeatable option; 2 (message printed) past
 * CLI_LIST_MAX, else 0. */
int cli_opt_list(const ckp_args *given, const char *name, cli_list *dest);

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

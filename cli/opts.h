/* opts.h — command-line options declared once, as a table.
 *
 * Each verb declares a cli_spec (usage line, summary, details, option table);
 * cli_parse() fills the destinations and collects positional arguments, and
 * cli_help() prints --help from the same table.  `--name value` and
 * `--name=value` are accepted; `--` ends options; `-` is a positional. */
#ifndef CHOKEPOINT_CLI_OPTS_H
#define CHOKEPOINT_CLI_OPTS_H

#include <stdio.h>

typedef enum cli_optkind {
    CLI_FLAG,  /* int *dest set to 1 */
    CLI_STR,   /* const char **dest */
    CLI_INT,   /* long *dest */
    CLI_NUM,   /* double *dest */
    CLI_LIST   /* cli_list *dest: repeatable, values appended */
} cli_optkind;

#define CLI_LIST_MAX 64

typedef struct cli_list {
    const char *items[CLI_LIST_MAX];
    int n;
} cli_list;

typedef struct cli_opt {
    const char *name;    /* long name without "--" */
    char shortname;      /* 0 = none */
    cli_optkind kind;
    const char *metavar; /* "C", "FILE"…; NULL for flags */
    const char *help;
    void *dest;
} cli_opt;

typedef struct cli_spec {
    const char *verb;
    const char *usage;   /* after "chokepoint VERB " */
    const char *summary; /* one line */
    const char *details; /* NULL or paragraphs printed after the options */
    const cli_opt *opts; /* terminated by an entry with name == NULL */
    int min_args, max_args; /* positional arguments; max -1 = any */
} cli_spec;

/* Returns 0 when parsed (positionals in *args / *nargs, pointing into argv),
 * 1 when --help was printed (exit 0), 2 after printing a usage error to
 * stderr (exit 2).  argv[0] is the verb. */
int cli_parse(const cli_spec *spec, int argc, char **argv, char ***args, int *nargs);

void cli_help(const cli_spec *spec, FILE *out);

#endif

/* doc.h — every verb's options, as data, for the help that is not --help:
 * the man page chokepoint(1) and the bash and zsh completions, plus the
 * examples that end each verb's --help.
 *
 * Nothing here restates an option.  cli_doc_get() runs a verb's own entry
 * point with --help while a capture is set: the verb's option table (the
 * ckp_param table of a library verb with the driver's common options, or
 * of a CLI command) is handed to cli_doc_begin/_add
 * instead of being printed.  So the man page and the completions list
 * exactly what --help lists.
 *
 * `chokepoint help --man`, `help --completion bash|zsh` and `help
 * --examples` print them; `make` writes them into the build directory and
 * `make install` installs them. */
#ifndef CHOKEPOINT_CLI_DOC_H
#define CHOKEPOINT_CLI_DOC_H

#include <stdio.h>

#define CLI_DOC_MAX_OPTS 48

typedef struct cli_doc_opt {
    const char *name;    /* long name without "--" */
    char shortname;      /* 0 = none */
    const char *metavar; /* NULL for a flag */
    const char *help;
    int required;
    int repeatable;
} cli_doc_opt;

/* One verb.  The strings are the verb's own (static storage), not copies. */
typedef struct cli_doc {
    const char *name, *usage, *summary, *details; /* details may be NULL */
    cli_doc_opt opts[CLI_DOC_MAX_OPTS];
    int nopts;
    int overflow; /* options past CLI_DOC_MAX_OPTS (an error for the caller) */
} cli_doc;

/* ---- capture (called by the --help path of verb_driver.c) ------------- */

/* 1 while cli_doc_get() is asking a verb for its options. */
int cli_doc_capturing(void);
void cli_doc_begin(const char *name, const char *usage, const char *summary,
                   const char *details);
void cli_doc_add(const char *name, char shortname, const char *metavar, const char *help,
                 int required, int repeatable);

/* ---- the verbs ----------------------------------------------------------- */

/* Number of verbs (cli/commands.c order) and the name of verb i. */
int cli_doc_count(void);
const char *cli_doc_verb(int i);
/* Fill d with verb i's options; 0 on success, 1 when the verb did not hand
 * over its table or had more than CLI_DOC_MAX_OPTS options (message
 * printed).  Writes nothing to stdout. */
int cli_doc_get(int i, cli_doc *d);

/* ---- examples (cli/examples.c) ------------------------------------------ */

/* Exit status of an example that starts a server: it runs until stopped. */
#define CLI_EXAMPLE_SERVES (-1)

typedef struct cli_example {
    const char *verb;
    const char *command; /* a shell command line, run from the project root */
    const char *what;    /* one line: what it shows */
    int status;          /* the exit status it ends with (or CLI_EXAMPLE_SERVES) */
} cli_example;

/* Example i (0, 1, … until NULL). */
const cli_example *cli_example_at(int i);
/* The "examples:" section that ends VERB --help (nothing when none). */
void cli_examples_print(const char *verb, FILE *out);

/* ---- generators ------------------------------------------------------------ */

/* The man page chokepoint(1) in roff (man(7) macros).  0, or 1 after
 * printing an error. */
int cli_doc_man(FILE *out);
/* A completion script for shell "bash" or "zsh": verbs, every option of
 * every verb, and values: choices (a|b|c metavars), country codes, product
 * groups and measure ids from the reference data (datadir NULL = the
 * shipped data), files.  0, 1 after printing an error, 2 for an unknown
 * shell. */
int cli_doc_completion(const char *shell, const char *datadir, FILE *out);

#endif

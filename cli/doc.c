/* doc.c — the verbs' option tables as data (see doc.h): the capture that
 * the --help paths feed, and the list of verbs. */
#include "doc.h"

#include <string.h>

#include "cli.h"

static cli_doc *want; /* set only inside cli_doc_get() */

int cli_doc_capturing(void) { return want != NULL; }

void cli_doc_begin(const char *name, const char *usage, const char *summary,
                   const char *details)
{
    if (!want)
        return;
    memset(want, 0, sizeof *want);
    want->name = name;
    want->usage = usage;
    want->summary = summary;
    want->details = details;
}

void cli_doc_add(const char *name, char shortname, const char *metavar, const char *help,
                 int required, int repeatable)
{
    if (!want)
        return;
    if (want->nopts >= CLI_DOC_MAX_OPTS) {
        want->overflow++;
        return;
    }
    want->opts[want->nopts++] = (cli_doc_opt){name, shortname, metavar, help, required,
                                              repeatable};
}

int cli_doc_count(void) { return cli_command_count(); }

const char *cli_doc_verb(int i)
{
    cli_command c;
    return cli_command_at(i, &c) == 0 ? c.name : NULL;
}

int cli_doc_get(int i, cli_doc *d)
{
    cli_command c;
    if (cli_command_at(i, &c) != 0)
        return cli_failf("help", 1, "no verb number %d", i);
    char verb[32], help[] = "--help";
    snprintf(verb, sizeof verb, "%s", c.name);
    char *argv[] = {verb, help, NULL};
    memset(d, 0, sizeof *d);
    want = d;
    int rc = cli_command_run(&c, 2, argv);
    want = NULL;
    if (rc != 0 || !d->name || strcmp(d->name, c.name) != 0)
        return cli_failf("help", 1, "%s: --help did not hand over its option table", c.name);
    if (d->overflow)
        return cli_failf("help", 1, "%s: more than %d options (CLI_DOC_MAX_OPTS)", c.name,
                         CLI_DOC_MAX_OPTS);
    return 0;
}

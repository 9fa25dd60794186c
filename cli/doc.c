/* doc.c — the verbs' option tables as data (see doc.h): the capture that
 * the --help paths feed, and the list of verbs. */
#include "doc.h"

#include <string.h>

#include "cli.h"

typedef struct verb_entry {
    const char *name;
    int (*fn)(int argc, char **argv);
} verb_entry;

#define CKP_DOC_ENTRY(name, summary) {#name, cmd_##name},
static const verb_entry verbs[] = {CKP_VERBS(CKP_DOC_ENTRY){NULL, NULL}};

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

int cli_doc_count(void) { return (int)(sizeof verbs / sizeof verbs[0]) - 1; }

const char *cli_doc_verb(int i)
{
    return i >= 0 && i < cli_doc_count() ? verbs[i].name : NULL;
}

int cli_doc_get(int i, cli_doc *d)
{
    if (i < 0 || i >= cli_doc_count())
        return cli_failf("help", 1, "no verb number %d", i);
    char verb[32], help[] = "--help";
    snprintf(verb, sizeof verb, "%s", verbs[i].name);
    char *argv[] = {verb, help, NULL};
    memset(d, 0, sizeof *d);
    want = d;
    int rc = verbs[i].fn(2, argv);
    want = NULL;
    if (rc != 0 || !d->name || strcmp(d->name, verbs[i].name) != 0)
        return cli_failf("help", 1, "%s: --help did not hand over its option table",
                         verbs[i].name);
    if (d->overflow)
        return cli_failf("help", 1, "%s: more than %d options (CLI_DOC_MAX_OPTS)",
                         verbs[i].name, CLI_DOC_MAX_OPTS);
    return 0;
}

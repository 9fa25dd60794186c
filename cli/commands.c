/* commands.c — every command the binary runs, in one list: the library
 * verbs of the registry (verb.h), run by the generic driver
 * (verb_driver.c), then the CLI-only commands of cli/verbs.h. */
#include <string.h>

#include "chokepoint/verb.h"
#include "cli.h"

#define CKP_COMMAND_ENTRY(name, summary) {#name, summary, cmd_##name},
static const cli_command cli_only[] = {CKP_VERBS(CKP_COMMAND_ENTRY){NULL, NULL, NULL}};

static int library_count(void)
{
    int n = 0;
    while (ckp_verb_at(n))
        n++;
    return n;
}

int cli_command_count(void)
{
    return library_count() + (int)(sizeof cli_only / sizeof cli_only[0]) - 1;
}

int cli_command_at(int i, cli_command *out)
{
    int nlib = library_count();
    if (i < 0 || i >= cli_command_count())
        return -1;
    if (i < nlib) {
        const ckp_verb *v = ckp_verb_at(i);
        *out = (cli_command){v->name, v->summary, NULL};
    } else {
        *out = cli_only[i - nlib];
    }
    return 0;
}

int cli_command_find(const char *name, cli_command *out)
{
    cli_command c;
    for (int i = 0; cli_command_at(i, &c) == 0; i++)
        if (strcmp(c.name, name) == 0) {
            *out = c;
            return 0;
        }
    return -1;
}

int cli_command_run(const cli_command *c, int argc, char **argv)
{
    return c->fn ? c->fn(argc, argv) : cli_run_verb(c->name, argc, argv);
}

/* commands.c — every command the binary runs, in one list: the library
 * verbs of the registry (verb.h), run by the generic driver
 * (verb_driver.c), then the CLI commands below (cli/cmd_<name>.c: its
 * declaration cli_cmd_<name>, a ckp_verb with run NULL, and cmd_<name>). */
#include <string.h>

#include "chokepoint/verb.h"
#include "cli.h"

/* One X(name) per CLI command, in the order --help lists them. */
#define CLI_COMMANDS(X) \
    X(ingest) X(fetch) X(store) X(screen) X(lists) X(report) X(serve) X(audit) X(synth) X(merge)

#define X(name) \
    int cmd_##name(int argc, char **argv); \
    extern const ckp_verb cli_cmd_##name;
CLI_COMMANDS(X)
#undef X

#define X(name) {#name, NULL, cmd_##name, &cli_cmd_##name},
static const cli_command cli_only[] = {CLI_COMMANDS(X){NULL, NULL, NULL, NULL}};
#undef X

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
        *out = (cli_command){v->name, v->summary, NULL, v};
    } else {
        *out = cli_only[i - nlib];
        out->summary = out->decl->summary;
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

const ckp_verb *const *cli_command_decls(void)
{
#define X(name) &cli_cmd_##name,
    static const ckp_verb *const decls[] = {CLI_COMMANDS(X) NULL};
#undef X
    return decls;
}

int cli_command_run(const cli_command *c, int argc, char **argv)
{
    return c->fn ? c->fn(argc, argv) : cli_run_verb(c->name, argc, argv);
}

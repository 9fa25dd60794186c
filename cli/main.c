/* main.c — the chokepoint binary: dispatch to one verb. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "doc.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: chokepoint VERB [options] [args]\n\n"
                 "chokepoint watches trade in critical minerals and dual-use goods: "
                 "dependencies,\nexport controls, the detours around them, and listed "
                 "parties.\n\nverbs:\n");
    cli_command c;
    for (int i = 0; cli_command_at(i, &c) == 0; i++)
        fprintf(out, "  %-14s %s\n", c.name, c.summary);
    fprintf(out, "\n'chokepoint help VERB' or 'chokepoint VERB --help' for details.\n"
                 "Store: --store DIR, else $CHOKEPOINT_STORE, else ./chokepoint.store.\n"
                 "Data:  $CHOKEPOINT_DATA, else the installed or built-in data directory.\n");
}

/* help --man | --completion bash|zsh | --examples: what make writes into
 * the build directory (doc.h). */
static int help_generated(int argc, char **argv)
{
    if (argc == 1 && strcmp(argv[0], "--man") == 0)
        return cli_doc_man(stdout);
    if (argc == 2 && strcmp(argv[0], "--completion") == 0)
        return cli_doc_completion(argv[1], NULL, stdout);
    if (argc == 1 && strcmp(argv[0], "--examples") == 0) {
        /* verb, exit status (-1: a server, runs until stopped), command */
        for (int i = 0; cli_example_at(i); i++) {
            const cli_example *e = cli_example_at(i);
            printf("%s\t%d\t%s\n", e->verb, e->status, e->command);
        }
        return 0;
    }
    return cli_failf("help", 2, "usage: chokepoint help [VERB | --man | --completion bash|zsh "
                     "| --examples]");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("chokepoint %s\n", CKP_VERSION);
        return 0;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return 0;
        }
        if (argv[2][0] == '-')
            return help_generated(argc - 2, argv + 2);
        cli_command c;
        if (cli_command_find(argv[2], &c) != 0)
            return cli_failf("help", 2, "unknown verb '%s'", argv[2]);
        char *hargv[] = {argv[2], "--help", NULL};
        return cli_command_run(&c, 2, hargv);
    }
    cli_command c;
    if (cli_command_find(name, &c) != 0) {
        fprintf(stderr, "chokepoint: unknown verb '%s'\n", name);
        usage(stderr);
        return 2;
    }
    return cli_command_run(&c, argc - 1, argv + 1);
}

/* cmd_chokepoints.c — the 'chokepoints' verb.  PLACEHOLDER: not implemented yet. */
#include "cli.h"

static const cli_opt opts[] = {{NULL, 0, CLI_FLAG, NULL, NULL, NULL}};
static const cli_spec spec = {"chokepoints", "[options]", "(not implemented yet)", NULL, opts, 0, -1};

int cmd_chokepoints(int argc, char **argv)
{
    char **args;
    int nargs;
    int r = cli_parse(&spec, argc, argv, &args, &nargs);
    if (r)
        return r == 1 ? 0 : r;
    return cli_failf("chokepoints", 2, "not implemented yet");
}

/* cmd_chokepoints.c — the chokepoints verb (src/analysis/chokepoints.c). */
#include "cli.h"

int cmd_chokepoints(int argc, char **argv) { return cli_run_verb("chokepoints", argc, argv); }

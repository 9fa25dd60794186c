/* cmd_unitvalue.c — the unitvalue verb (src/evasion, include/chokepoint/evasion.h). */
#include "cli.h"

int cmd_unitvalue(int argc, char **argv) { return cli_run_verb("unitvalue", argc, argv); }

/* cmd_diversion.c — the diversion verb (src/evasion, include/chokepoint/evasion.h). */
#include "cli.h"

int cmd_diversion(int argc, char **argv) { return cli_run_verb("diversion", argc, argv); }

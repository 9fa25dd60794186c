/* cmd_mirror.c — the mirror verb (src/evasion, include/chokepoint/evasion.h). */
#include "cli.h"

int cmd_mirror(int argc, char **argv) { return cli_run_verb("mirror", argc, argv); }

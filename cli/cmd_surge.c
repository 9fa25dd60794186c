/* cmd_surge.c — the surge verb (src/analysis/surge.c). */
#include "cli.h"

int cmd_surge(int argc, char **argv) { return cli_run_verb("surge", argc, argv); }

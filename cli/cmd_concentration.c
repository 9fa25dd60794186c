/* cmd_concentration.c — the concentration verb (src/analysis/concentration.c). */
#include "cli.h"

int cmd_concentration(int argc, char **argv) { return cli_run_verb("concentration", argc, argv); }

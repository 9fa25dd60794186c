/* cmd_alternatives.c — the alternatives verb (src/analysis/alternatives.c). */
#include "cli.h"

int cmd_alternatives(int argc, char **argv) { return cli_run_verb("alternatives", argc, argv); }

/* cmd_production.c — the production verb (src/analysis/concentration.c). */
#include "cli.h"

int cmd_production(int argc, char **argv) { return cli_run_verb("production", argc, argv); }

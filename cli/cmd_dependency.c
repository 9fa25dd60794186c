/* cmd_dependency.c — the dependency verb (src/analysis/dependency.c). */
#include "cli.h"

int cmd_dependency(int argc, char **argv) { return cli_run_verb("dependency", argc, argv); }

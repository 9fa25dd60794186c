/* cmd_info.c — the info verb (src/analysis/info.c). */
#include "cli.h"

int cmd_info(int argc, char **argv) { return cli_run_verb("info", argc, argv); }

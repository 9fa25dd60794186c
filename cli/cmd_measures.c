/* cmd_measures.c — the 'measures' verb (src/controls/measures_verb.c). */
#include "cli.h"

int cmd_measures(int argc, char **argv) { return cli_run_verb("measures", argc, argv); }

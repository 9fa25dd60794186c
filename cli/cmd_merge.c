/* cmd_merge.c — the 'merge' verb: combine partial results computed on shards
 * (VERB --input SHARD --partial) into the verb's final rows (merge.h,
 * docs/scale.md). */
#include <stdio.h>

#include "chokepoint/merge.h"
#include "cli.h"

static const char *o_format, *o_data;
static long o_expect;

static const ckp_param params[] = {
    {"format", CKP_PARAM_STR, "table|csv|json",
     "output format (default: table on a terminal, csv otherwise)", 0, 0},
    {"expect", CKP_PARAM_INT, "N",
     "refuse unless exactly N partials (shards) were read", 0, 0},
    {"data", CKP_PARAM_STR, "DIR",
     "reference data directory (default: the shipped data)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

const ckp_verb cli_cmd_merge = {
    "merge", "[--format table|csv|json] [--expect N] PARTIAL...",
    "combine partial results computed on shards into the verb's final rows",
    "Each PARTIAL is a file (or - for standard input) written by an analysis verb\n"
    "run with --partial on one shard of the flows, e.g.\n"
    "  chokepoint chokepoints --input shard-07.csv --partial > part-07.jsonl\n"
    "All partials must come from the same verb with the same parameters; lines may\n"
    "come in any order (headers anywhere), as Hadoop Streaming's sort delivers them.\n"
    "The partials are summed by key and the verb computes its rows once, as it\n"
    "would on the whole data: same columns, same order, same numbers.  Verbs with\n"
    "partials: dependency, chokepoints, concentration (exporter/importer sides),\n"
    "alternatives, surge.\n"
    "Nothing is lost silently: each partial ends with a trailer that counts its\n"
    "lines; a partial without its header or trailer (a failed mapper, a cut\n"
    "file), with a count that does not match, or read twice is refused, naming\n"
    "the file; an input holding no partial is refused.  --expect N also refuses\n"
    "unless exactly N partials were read (a shard whose mapper wrote nothing).\n"
    "Parameters are compared after normalising them (--hs 261710,282580 =\n"
    "--hs 282580,261710; usa = USA).  See docs/scale.md.",
    params, 1, -1, NULL, 0, NULL, NULL,
    NULL, CKP_VERB_CLI_ONLY};

int cmd_merge(int argc, char **argv)
{
    char **args;
    int nargs;
    o_format = o_data = NULL;
    o_expect = 0;
    const ckp_args *given = NULL;
    int r = cli_parse_args(&cli_cmd_merge, argc, argv, &args, &nargs, &given);
    if (r)
        return r == 1 ? 0 : r;
    cli_opt_str(given, "format", &o_format);
    cli_opt_long(given, "expect", &o_expect);
    cli_opt_str(given, "data", &o_data);
    ckp_format fmt;
    r = cli_format("merge", o_format, &fmt);
    if (r)
        return r;
    if (o_expect < 0 || o_expect > 1000000000)
        return cli_failf("merge", 2, "--expect takes a number of partials, 1 or more");
    ckp_ref *ref = cli_load_ref("merge", o_data);
    if (!ref)
        return 1;
    ckp_error err;
    ckp_error_clear(&err);
    char summary[512] = "";
    const char *verb = NULL;
    ckp_status st = ckp_merge_run(ref, o_data, (const char *const *)args, nargs, (int)o_expect, fmt, stdout,
                                  &verb, summary, sizeof summary, &err);
    int rc = 0;
    if (st != CKP_OK) {
        rc = cli_fail("merge", &err);
        if (st == CKP_EUSAGE)
            rc = 2;
    } else if (summary[0] && fmt == CKP_FMT_TABLE && cli_stdout_tty()) {
        printf("\n%s (merged %s)\n", summary, verb ? verb : "");
    }
    ckp_ref_free(ref);
    return rc;
}

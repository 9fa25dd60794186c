/* cmd_audit.c — the 'audit' verb: `audit verify` checks the case decisions'
 * hash chain (server/cases.c, docs/server.md). */
#include <stdlib.h>
#include <string.h>

#include "../server/server.h"
#include "cli.h"

static const char *o_db;

static const ckp_param params[] = {
    {"db", CKP_PARAM_STR, "FILE",
     "the case decisions database (default $CHOKEPOINT_DB or ./chokepoint-cases.db)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

const ckp_verb cli_cmd_audit = {
    "audit", "verify [--db FILE]",
    "check the decisions' audit trail: every row chained to the one before",
    "verify reads the database `serve` keeps and checks that the audit rows run\n"
    "1, 2, 3... each carrying the SHA-256 of its content and of the row before,\n"
    "that none is missing at the end, that the triggers that keep the table\n"
    "append-only are in place, and that each standing decision is its item's\n"
    "last audit row.  Exit 0 and the chain's head hash (write it down: a later\n"
    "run must show it among the rows) when intact; exit 1 naming the first bad\n"
    "row when a row was changed, removed or reordered.  Read-only.",
    params, 1, 1, NULL, 0, NULL, NULL,
    NULL, CKP_VERB_CLI_ONLY};

int cmd_audit(int argc, char **argv)
{
    char **args;
    int nargs;
    o_db = NULL;
    const ckp_args *given = NULL;
    int r = cli_parse_args(&cli_cmd_audit, argc, argv, &args, &nargs, &given);
    if (r)
        return r == 1 ? 0 : r;
    cli_opt_str(given, "db", &o_db);
    if (strcmp(args[0], "verify") != 0)
        return cli_failf("audit", 2, "unknown action '%s' (audit verify [--db FILE])", args[0]);
    const char *db = o_db;
    if (!db)
        db = getenv("CHOKEPOINT_DB");
    if (!db || !*db)
        db = "chokepoint-cases.db";
    srv_verify_result res;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_status st = srv_audit_verify(db, &res, &err);
    if (st == CKP_ECORRUPT) {
        fprintf(stderr, "chokepoint: audit: %s: NOT intact: %s\n", db, res.why);
        if (res.bad_seq > 0)
            fprintf(stderr, "chokepoint: audit: first bad row: seq %lld (rows 1-%lld verified)\n",
                    res.bad_seq, res.rows);
        return 1;
    }
    if (st != CKP_OK)
        return cli_fail("audit", &err);
    printf("%s: intact: %lld audit rows, %lld standing decisions; head %s\n", db, res.rows,
           res.decisions, res.head);
    return 0;
}

/* cmd_store.c — the 'store' verb: `store verify` checks every generation of
 * the store byte by byte and says which are intact; `store recover` points
 * CURRENT at the newest intact one when it is missing, damaged or names a
 * damaged generation (store.h, docs/store.md "Checking and recovering"). */
#include <inttypes.h>
#include <string.h>

#include "chokepoint/store.h"
#include "cli.h"

static const char *o_store, *o_data;

static const ckp_param params[] = {
    {"store", CKP_PARAM_STR, "DIR",
     "the store (default $CHOKEPOINT_STORE or ./chokepoint.store)", 0, 0},
    {"data", CKP_PARAM_STR, "DIR",
     "reference data directory (default: the shipped data)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

const ckp_verb cli_cmd_store = {
    "store", "verify|recover [--store DIR]",
    "check every generation of the store; point CURRENT at the newest intact one",
    "verify   checks CURRENT and every generation (gen-N/) byte by byte, ignoring\n"
    "         the .verified stamps, and prints one line per generation: intact with\n"
    "         its rows, or what is damaged (naming the file).  Exit 0 when CURRENT\n"
    "         names an intact generation, 1 when CURRENT is missing, damaged or names\n"
    "         a generation that does not verify (older damaged generations, e.g. the\n"
    "         leftovers of a killed ingest, are listed but do not fail it).\n"
    "recover  when CURRENT is missing, damaged or names a damaged generation,\n"
    "         points it (atomically) at the newest generation that verifies and\n"
    "         says what it did; nothing to do when CURRENT names an intact one.\n"
    "         Exit 1 when no generation verifies (nothing is changed).\n"
    "Both wait for a running ingest.  See docs/store.md.",
    params, 1, 1, NULL, 0, NULL, NULL,
    NULL, CKP_VERB_CLI_ONLY};

static int verify(const char *dir, const ckp_ref *ref)
{
    ckp_store_check c;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_store_verify(dir, ref, &c, &err) != CKP_OK)
        return cli_fail("store", &err);
    printf("store %s\n", dir);
    switch (c.current_state) {
    case CKP_CURRENT_OK:
        printf("CURRENT      gen-%06" PRIu64 "\n", c.current);
        break;
    case CKP_CURRENT_MISSING:
        printf("CURRENT      MISSING\n");
        break;
    case CKP_CURRENT_DAMAGED:
        printf("CURRENT      DAMAGED: %s\n", c.current_problem);
        break;
    }
    const ckp_store_gen_check *newest = NULL;
    int current_present = 0;
    for (size_t i = 0; i < c.ngens; i++) {
        const ckp_store_gen_check *g = &c.gens[i];
        int cur = c.current_state == CKP_CURRENT_OK && g->generation == c.current;
        current_present |= cur;
        if (g->intact) {
            newest = g;
            printf("gen-%06" PRIu64 "   intact, %" PRIu64 " rows%s\n", g->generation, g->rows,
                   cur ? " (current)" : "");
        } else {
            printf("gen-%06" PRIu64 "   DAMAGED%s: %s\n", g->generation, cur ? " (current)" : "",
                   g->problem);
        }
    }
    int rc = 0;
    char hint[128] = "";
    if (newest)
        snprintf(hint, sizeof hint, "; the newest intact generation is gen-%06" PRIu64
                 " ('chokepoint store recover' points CURRENT at it)", newest->generation);
    else
        snprintf(hint, sizeof hint, "; no generation is intact");
    if (c.current_state == CKP_CURRENT_MISSING)
        rc = cli_failf("store", 1, "verify: %s/CURRENT is missing%s", dir, hint);
    else if (c.current_state == CKP_CURRENT_DAMAGED)
        rc = cli_failf("store", 1, "verify: %s/CURRENT %s%s", dir, c.current_problem, hint);
    else if (!current_present)
        rc = cli_failf("store", 1, "verify: CURRENT names gen-%06" PRIu64
                       ", which does not exist%s", c.current, hint);
    else if (!c.current_intact)
        rc = cli_failf("store", 1, "verify: the current generation gen-%06" PRIu64
                       " is damaged%s", c.current, hint);
    else
        printf("ok: the current generation is intact\n");
    ckp_store_check_free(&c);
    return rc;
}

static int recover(const char *dir, const ckp_ref *ref)
{
    ckp_store_recovery r;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_store_recover(dir, ref, &r, &err) != CKP_OK)
        return cli_fail("store", &err);
    if (!r.changed) {
        printf("store %s: CURRENT already names an intact generation, gen-%06" PRIu64
               " (%" PRIu64 " rows); nothing changed\n", dir, r.now, r.rows);
        return 0;
    }
    char was[64];
    if (r.was_state == CKP_CURRENT_MISSING)
        snprintf(was, sizeof was, "was missing");
    else if (r.was_state == CKP_CURRENT_DAMAGED)
        snprintf(was, sizeof was, "was damaged");
    else
        snprintf(was, sizeof was, "named gen-%06" PRIu64 ", which is damaged", r.was);
    printf("store %s: CURRENT %s; it now names gen-%06" PRIu64 ", the newest intact "
           "generation (%" PRIu64 " rows)\n", dir, was, r.now, r.rows);
    return 0;
}

int cmd_store(int argc, char **argv)
{
    o_store = o_data = NULL;
    char **args;
    int nargs;
    const ckp_args *given = NULL;
    int r = cli_parse_args(&cli_cmd_store, argc, argv, &args, &nargs, &given);
    if (r)
        return r == 1 ? 0 : r;
    cli_opt_str(given, "store", &o_store);
    cli_opt_str(given, "data", &o_data);
    int is_verify = strcmp(args[0], "verify") == 0;
    if (!is_verify && strcmp(args[0], "recover") != 0)
        return cli_failf("store", 2, "unknown subcommand '%s' (verify or recover)", args[0]);
    ckp_ref *ref = cli_load_ref("store", o_data);
    if (!ref)
        return 1;
    const char *dir = ckp_store_dir(o_store);
    int rc = is_verify ? verify(dir, ref) : recover(dir, ref);
    ckp_ref_free(ref);
    return rc;
}

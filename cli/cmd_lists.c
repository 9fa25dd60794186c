/* cmd_lists.c — the 'lists' verb: `lists update` records a new version of
 * each party list in the case database, computes its delta, re-screens the
 * counterparties kept there against the delta and opens alerts for new hits
 * (server/watch.c, docs/screening.md "Lists change every day"). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "chokepoint/match.h"
#include "../server/server.h"
#include "cli.h"

static const char *o_db, *o_lists, *o_data, *o_format;
static double o_threshold = CKP_MATCH_THRESHOLD;

static const ckp_param params[] = {
    {"lists", CKP_PARAM_STR, "L",
     "the lists to update: ofac, opensanctions, mofcom, all (default) or files (see "
     "'chokepoint match --help'), ','-joined; each is versioned under its name as given", 0, 0},
    {"db", CKP_PARAM_STR, "FILE",
     "the case database (default $CHOKEPOINT_DB or ./chokepoint-cases.db)", 0, 0},
    {"threshold", CKP_PARAM_NUM, "T",
     "party match threshold for re-screening (default 0.80)", 0, 0},
    {"format", CKP_PARAM_STR, "FMT",
     "table (default) or json (one JSON line per list)", 0, 0},
    {"data", CKP_PARAM_STR, "DIR",
     "data directory (default: $CHOKEPOINT_DATA or built-in)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

const ckp_verb cli_cmd_lists = {
    "lists", "update [--lists L] [--db FILE] [--threshold T]",
    "record new list versions, their delta, and re-screen kept counterparties",
    "update loads each list as it is now, records its version (SHA-256 of the\n"
    "entities as loaded, date, counts) in the case database, and compares it with\n"
    "the version the last update recorded: entities added, removed, changed (names\n"
    "or identifiers) and merged into another id (OpenSanctions referents).  The\n"
    "counterparties kept in the database ('screen --db', POST /api/screen) are\n"
    "re-screened against the delta only; a new hit opens an alert (GET /api/alerts,\n"
    "the dashboard).  A decision on an alert stays in force while the entity's names\n"
    "and identifiers are unchanged, also through an id merge; a change reopens it.\n"
    "The first update of a list has no version before: every entity counts as added.\n"
    "FollowTheMoney files are streamed (one line in memory at a time), with a\n"
    "progress bar on a terminal.\n"
    "Each list is recorded in one transaction.  Exit 0 when every list was recorded\n"
    "and every counterparty compared; 1 on an error or when some counterparty could\n"
    "not be compared whole (said on stderr).",
    params, 1, 1, NULL, 0, NULL, NULL,
    "l:lists t:threshold f:format", CKP_VERB_CLI_ONLY};

/* A progress bar on stderr while a large list file loads, when stderr is a
 * terminal: "file [#####.....] 412/1024 MiB". */
static void draw(const char *file, uint64_t done, uint64_t total, void *ctx)
{
    int *drawn = ctx;
    char bar[31];
    int fill = total ? (int)(30.0 * (double)done / (double)total) : 0;
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = 0;
    if (total)
        fprintf(stderr, "\r%s [%s] %llu/%llu MiB", file, bar,
                (unsigned long long)(done >> 20), (unsigned long long)(total >> 20));
    else
        fprintf(stderr, "\r%s %llu MiB", file, (unsigned long long)(done >> 20));
    *drawn = 1;
    if (total && done >= total) {
        fputs("\n", stderr);
        *drawn = 0;
    }
}

static json_t *as_json(const srv_list_update *r)
{
    return json_pack("{s:s,s:I,s:s,s:s,s:b,s:I,s:I,s:I,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
                     "s:I,s:I,s:I}",
                     "list", r->list, "version", (json_int_t)r->seq, "hash", r->hash, "at",
                     r->at, "first", r->first, "entities", (json_int_t)r->entities, "names",
                     (json_int_t)r->names, "bad_rows", (json_int_t)r->bad_rows, "first_bad",
                     r->first_bad, "added", (json_int_t)r->added, "removed",
                     (json_int_t)r->removed, "changed", (json_int_t)r->changed, "merged",
                     (json_int_t)r->merged, "rescreened", (json_int_t)r->rescreened,
                     "new_alerts", (json_int_t)r->new_alerts, "reopened",
                     (json_int_t)r->reopened, "still_open", (json_int_t)r->still_open,
                     "kept_decided", (json_int_t)r->kept_decided, "delisted",
                     (json_int_t)r->delisted, "not_compared", (json_int_t)r->not_compared,
                     "capped", (json_int_t)r->capped);
}

static void print_one(const srv_list_update *r, int json)
{
    if (json) {
        json_t *j = as_json(r);
        if (j)
            ckp_json_dumpf(j, stdout, 0);
        json_decref(j);
        fputc('\n', stdout);
        return;
    }
    printf("%s: version %lld (sha256 %.16s…) %s: %lld entities, %lld names%s\n", r->list,
           r->seq, r->hash, r->at, r->entities, r->names,
           r->first ? " (first version: every entity counts as added)" : "");
    printf("  delta: %lld added, %lld removed, %lld changed, %lld merged\n", r->added,
           r->removed, r->changed, r->merged);
    printf("  re-screened %lld counterparties: %lld new alerts, %lld reopened, %lld still "
           "open, %lld decided and kept, %lld delisted\n",
           r->rescreened, r->new_alerts, r->reopened, r->still_open, r->kept_decided,
           r->delisted);
}

int cmd_lists(int argc, char **argv)
{
    char **args;
    int nargs;
    o_db = o_lists = o_data = o_format = NULL;
    o_threshold = CKP_MATCH_THRESHOLD;
    const ckp_args *given = NULL;
    int r = cli_parse_args(&cli_cmd_lists, argc, argv, &args, &nargs, &given);
    if (r)
        return r == 1 ? 0 : r;
    cli_opt_str(given, "lists", &o_lists);
    cli_opt_str(given, "db", &o_db);
    cli_opt_num(given, "threshold", &o_threshold);
    cli_opt_str(given, "format", &o_format);
    cli_opt_str(given, "data", &o_data);
    if (strcmp(args[0], "update") != 0)
        return cli_failf("lists", 2, "unknown action '%s' (lists update [--lists L])", args[0]);
    if (o_threshold < 0 || o_threshold > 1)
        return cli_failf("lists", 2, "--threshold must be in [0,1]");
    int json = 0;
    if (o_format && strcmp(o_format, "json") == 0)
        json = 1;
    else if (o_format && strcmp(o_format, "table") != 0)
        return cli_failf("lists", 2, "--format must be table or json");
    const char *db = o_db;
    if (!db)
        db = getenv("CHOKEPOINT_DB");
    if (!db || !*db)
        db = "chokepoint-cases.db";
    const char *spec_s = o_lists && *o_lists ? o_lists : "all";
    char *items = strdup(strcmp(spec_s, "all") == 0 ? "ofac,opensanctions,mofcom" : spec_s);
    ckp_ref *ref = items ? cli_load_ref("lists", o_data) : NULL;
    if (!ref) {
        free(items);
        return 1;
    }
    srv_cases *cases = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    int rc = 0;
    if (srv_cases_open(db, &cases, NULL, &err)) {
        rc = cli_fail("lists", &err);
        goto out;
    }
    for (char *save = NULL, *it = strtok_r(items, ",", &save); it;
         it = strtok_r(NULL, ",", &save)) {
        srv_list_update u;
        ckp_error_clear(&err);
        int drawn = 0;
        int tty = isatty(STDERR_FILENO);
        ckp_status us = srv_lists_update_one(cases, it, o_data, ref, o_threshold,
                                             tty ? draw : NULL, &drawn, &u, &err);
        if (drawn)
            fputs("\n", stderr);
        if (us) {
            fprintf(stderr, "chokepoint: lists: %s: not recorded\n", it);
            rc = cli_fail("lists", &err) == 2 ? 2 : 1;
            goto out;
        }
        print_one(&u, json);
        if (u.bad_rows)
            fprintf(stderr, "chokepoint: lists: %s: %lld bad rows skipped (first: %s)\n", it,
                    u.bad_rows, u.first_bad);
        if (u.not_compared) {
            fprintf(stderr, "chokepoint: lists: %s: %lld counterparties too long to compare "
                            "whole were NOT re-screened\n", it, u.not_compared);
            rc = 1;
        }
        if (u.capped)
            fprintf(stderr, "chokepoint: lists: %s: %lld counterparties had over 200 "
                            "candidates: a delta entity below them was not looked at\n",
                    it, u.capped);
    }
out:
    srv_cases_close(cases);
    ckp_ref_free(ref);
    free(items);
    return rc;
}

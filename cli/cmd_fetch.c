/* cmd_fetch.c — the 'fetch' verb: `fetch comtrade` gets flows from the UN
 * Comtrade API into a store source through the fetch library
 * (include/chokepoint/fetch.h).  --dry-run prints the planned calls; a
 * progress bar on a terminal; the summary on stderr. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chokepoint/fetch.h"
#include "cli.h"

static const char *o_reporter, *o_partner, *o_hs, *o_period, *o_freq, *o_flow, *o_key,
    *o_base, *o_store, *o_source, *o_cache, *o_data, *o_rejects;
static long o_max_records;
static int o_dry, o_quiet, o_refresh;

static const ckp_param params[] = {
    {"reporter", CKP_PARAM_STR, "C",
     "reporting countries, comma-separated (ISO3 or any country form), or all", 0, 0},
    {"partner", CKP_PARAM_STR, "C2",
     "partner country (or a comma list), or all", 0, 0},
    {"hs", CKP_PARAM_STR, "H",
     "HS codes of 2, 4 or 6 digits, comma-separated, TOTAL, or a named group (antimony…)", 0, 0},
    {"period", CKP_PARAM_STR, "P",
     "periods, comma-separated: years (2019,2020); with --freq M months (2023-01) or a year "
     "(its 12 months)", 0, 0},
    {"freq", CKP_PARAM_STR, "A|M",
     "annual (default) or monthly data", 0, 0},
    {"flow", CKP_PARAM_STR, "X|M|X,M",
     "exports, imports or both (default X,M)", 0, 0},
    {"key", CKP_PARAM_STR, "K",
     "the API subscription key (default $COMTRADE_KEY); sent in the Ocp-Apim-Subscription-Key "
     "header, never printed", 0, 0},
    {"base-url", CKP_PARAM_STR, "URL",
     "the API's address (default " CKP_FETCH_DEFAULT_BASE ")", 0, 0},
    {"max-records", CKP_PARAM_INT, "N",
     "records one call may return (the API's cap, sent as maxRecords; default 100000, a free "
     "key's)", 0, 0},
    {"cache", CKP_PARAM_STR, "DIR",
     "where the raw answers are kept (default $XDG_CACHE_HOME/chokepoint/comtrade or "
     "~/.cache/chokepoint/comtrade)", 0, 0},
    {"refresh", CKP_PARAM_FLAG, NULL,
     "call again even for the answers in the cache (the API revises its data); they are "
     "replaced", 0, 0},
    {"store", CKP_PARAM_STR, "DIR",
     "the store (default $CHOKEPOINT_STORE or ./chokepoint.store)", 0, 0},
    {"source", CKP_PARAM_STR, "NAME",
     "the store source the rows go into (default comtrade-api); its rows with the same key "
     "are replaced", 0, 0},
    {"rejects", CKP_PARAM_STR, "FILE",
     "write rejected records to FILE as CSV: file,line,reason,detail,row ('-' = stdout)", 0, 0},
    {"dry-run", CKP_PARAM_FLAG, NULL,
     "print the planned calls (URLs without the key; the ones answered from the cache marked) "
     "and stop", 0, 0},
    {"quiet", CKP_PARAM_FLAG, NULL,
     "no progress bar and no summary", 0, 0},
    {"data", CKP_PARAM_STR, "DIR",
     "reference data directory (default: the shipped data)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

const ckp_verb cli_cmd_fetch = {
    "fetch", "comtrade --reporter C --partner C2 --hs H --period P [options]",
    "fetch flows from the UN Comtrade API (v1 get) into a store source, cached and resumable",
    "Calls {base}/data/v1/get/C/{A|M}/HS with reporterCode, partnerCode, cmdCode,\n"
    "flowCode, period and maxRecords (countries as Comtrade codes: USA = 842), the key\n"
    "in the Ocp-Apim-Subscription-Key header.  A query is split into calls of at\n"
    "most 12 periods each (the API's limit); a call that comes back with\n"
    "--max-records records may have been cut by the API: it is split in two (its\n"
    "periods, else its reporters, its codes, its partners) and asked again, and\n"
    "one that cannot be split is an error.  HTTP 429 and 503 are retried after\n"
    "Retry-After (else 1, 2, 4… s), six tries at most, no single wait over 300 s.\n"
    "401 (bad key), 403, other 4xx, 5xx, an empty or cut-off answer are errors\n"
    "(exit 1) naming the call.\n"
    "Every answer is kept raw in the cache under the SHA-256 of its URL: a re-run,\n"
    "or one after an interrupted run, reads what it has and calls for the rest\n"
    "(no key needed when every answer is cached; --refresh calls again).  Only\n"
    "when every call has its answer are they ingested, as Comtrade+ JSON (ingest\n"
    "--format comtrade-json), into the source in one ingest: a malformed answer,\n"
    "or one whose \"count\" disagrees with its records, leaves the store unchanged\n"
    "and is dropped from the cache.  A query the API holds no record for is an\n"
    "error (nothing stored).\n"
    "The source records where it came from: the API, the query, the calls and the\n"
    "time of fetch (info: source_provenance).  Rows at HS2, HS4 and TOTAL level are\n"
    "rejected like ingest's (hs-not-6-digit), counted and reported.",
    params, 1, 1, NULL, 0, NULL, NULL,
    "n:dry-run q:quiet", CKP_VERB_CLI_ONLY};

/* ---- progress bar --------------------------------------------------------- */

typedef struct bar {
    int on, drawn;
} bar;

static void draw(const ckp_fetch_progress *p, void *ctx)
{
    bar *b = ctx;
    if (!b->on)
        return;
    if (p->done) {
        if (b->drawn)
            fputc('\n', stderr);
        b->drawn = 0;
        fflush(stderr);
        return;
    }
    char line[33];
    size_t k = p->ncalls ? (p->call * 30) / p->ncalls : 30;
    for (size_t i = 0; i < 30; i++)
        line[i] = i < k ? '#' : '.';
    line[30] = 0;
    if (p->ingesting)
        fprintf(stderr, "\rfetch [%s] %zu calls answered (%zu from the cache); ingesting…   ",
                line, p->ncalls, p->cached);
    else if (p->waiting)
        fprintf(stderr, "\rfetch [%s] call %zu/%zu: HTTP %d, waiting %d s…   ", line,
                p->call + 1, p->ncalls, p->status, p->waiting);
    else
        fprintf(stderr, "\rfetch [%s] call %zu/%zu (%zu from the cache)            ", line,
                p->call + 1, p->ncalls, p->cached);
    b->drawn = 1;
    fflush(stderr);
}

static int dry_run(const ckp_fetch_plan *plan, const char *cache, const char *key_from)
{
    size_t cached = 0;
    for (size_t i = 0; i < plan->ncalls; i++) {
        char path[4096];
        ckp_error err;
        struct stat sb;
        int in_cache = !o_refresh &&
                       ckp_fetch_cache_path(cache, &plan->calls[i], path, sizeof path, &err) ==
                           CKP_OK &&
                       stat(path, &sb) == 0;
        if (in_cache) {
            char t[32];
            struct tm tm;
            gmtime_r(&sb.st_mtime, &tm);
            strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
            printf("GET %s  (cached, fetched %s)\n", plan->calls[i].url, t);
            cached++;
        } else {
            printf("GET %s\n", plan->calls[i].url);
        }
    }
    if (!o_quiet)
        fprintf(stderr,
                "fetch: %zu call%s planned (%zu answered from the cache %s); key %s; nothing "
                "was fetched or stored (--dry-run)\n",
                plan->ncalls, plan->ncalls == 1 ? "" : "s", cached, cache, key_from);
    return 0;
}

int cmd_fetch(int argc, char **argv)
{
    o_reporter = o_partner = o_hs = o_period = o_freq = o_flow = o_key = NULL;
    o_base = o_store = o_source = o_cache = o_data = o_rejects = NULL;
    o_max_records = 0;
    o_dry = o_quiet = o_refresh = 0;
    char **args;
    int nargs;
    const ckp_args *given = NULL;
    int r = cli_parse_args(&cli_cmd_fetch, argc, argv, &args, &nargs, &given);
    if (r)
        return r == 1 ? 0 : r;
    cli_opt_str(given, "reporter", &o_reporter);
    cli_opt_str(given, "partner", &o_partner);
    cli_opt_str(given, "hs", &o_hs);
    cli_opt_str(given, "period", &o_period);
    cli_opt_str(given, "freq", &o_freq);
    cli_opt_str(given, "flow", &o_flow);
    cli_opt_str(given, "key", &o_key);
    cli_opt_str(given, "base-url", &o_base);
    cli_opt_long(given, "max-records", &o_max_records);
    cli_opt_str(given, "cache", &o_cache);
    cli_opt_flag(given, "refresh", &o_refresh);
    cli_opt_str(given, "store", &o_store);
    cli_opt_str(given, "source", &o_source);
    cli_opt_str(given, "rejects", &o_rejects);
    cli_opt_flag(given, "dry-run", &o_dry);
    cli_opt_flag(given, "quiet", &o_quiet);
    cli_opt_str(given, "data", &o_data);
    if (strcmp(args[0], "comtrade") != 0)
        return cli_failf("fetch", 2, "unknown source '%s' (fetch comtrade …)", args[0]);
    if (o_freq && strcmp(o_freq, "A") != 0 && strcmp(o_freq, "M") != 0)
        return cli_failf("fetch", 2, "--freq must be A or M (got '%s')", o_freq);
    if (!o_reporter)
        return cli_failf("fetch", 2, "--reporter is required (countries or 'all')");
    if (!o_partner)
        return cli_failf("fetch", 2, "--partner is required (a country or 'all')");
    if (o_source && strncmp(o_source, "synth", 5) == 0)
        return cli_failf("fetch", 2,
                         "--source %s: names starting with 'synth' are synthetic sources; the "
                         "API's data is real",
                         o_source);
    const char *key = o_key;
    const char *key_from = "from --key";
    if (!key || !*key) {
        key = getenv("COMTRADE_KEY");
        key_from = key && *key ? "from $COMTRADE_KEY" : "none";
        if (key && !*key)
            key = NULL;
    }
    int rc = 1;
    ckp_ref *ref = cli_load_ref("fetch", o_data);
    if (!ref)
        return 1;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_fetch_query q = {o_base, o_reporter, o_partner, o_hs, o_period,
                         o_freq ? o_freq[0] : 'A', o_flow, o_max_records};
    ckp_fetch_plan plan;
    if (ckp_fetch_plan_make(ref, &q, &plan, &err) != CKP_OK) {
        rc = cli_fail("fetch", &err);
        goto out_ref;
    }
    char cache[4096];
    if (o_cache) {
        if (strlen(o_cache) >= sizeof cache - 80) {
            rc = cli_failf("fetch", 2, "--cache: path too long");
            goto out_plan;
        }
        strcpy(cache, o_cache);
    } else if (ckp_fetch_default_cache(cache, sizeof cache, &err) != CKP_OK) {
        rc = cli_fail("fetch", &err);
        goto out_plan;
    }
    if (o_dry) {
        rc = dry_run(&plan, cache, key_from);
        goto out_plan;
    }
    FILE *rej = NULL;
    if (o_rejects) {
        rej = strcmp(o_rejects, "-") == 0 ? stdout : fopen(o_rejects, "w");
        if (!rej) {
            rc = cli_failf("fetch", 1, "cannot write %s", o_rejects);
            goto out_plan;
        }
        fputs("file,line,reason,detail,row\n", rej);
    }
    bar b = {!o_quiet && isatty(STDERR_FILENO), 0};
    const char *dir = ckp_store_dir(o_store);
    ckp_fetch_opts fo = {key, cache, dir, o_source, o_refresh, draw, &b, rej};
    ckp_fetch_stats st;
    if (ckp_fetch_run(ref, &plan, &fo, &st, &err) != CKP_OK) {
        if (b.drawn)
            fputc('\n', stderr);
        rc = cli_fail("fetch", &err);
        fprintf(stderr, "chokepoint: fetch: nothing was stored; the store is unchanged (%zu of "
                        "%zu answers are in the cache %s)\n",
                st.cached + st.called, st.calls, cache);
        goto out_rej;
    }
    rc = 0;
    if (!o_quiet) {
        const ckp_ingest_stats *is = &st.ingest;
        fprintf(stderr,
                "fetch: %zu call%s (%zu from the cache, %zu over the network, %zu retried after "
                "429/503, %zu split at the record cap); %llu records; source %s: %llu rows "
                "kept, %llu rejected; store %s: %llu rows, generation %llu\n",
                st.calls, st.calls == 1 ? "" : "s", st.cached, st.called, st.retries, st.splits,
                (unsigned long long)st.records, o_source ? o_source : "comtrade-api",
                (unsigned long long)is->rows_kept, (unsigned long long)is->rows_rejected, dir,
                (unsigned long long)is->store_rows, (unsigned long long)is->generation);
        for (int k = 0; k < CKP_REJ_COUNT; k++)
            if (is->by_reason[k])
                fprintf(stderr, "  rejected %llu %s\n", (unsigned long long)is->by_reason[k],
                        ckp_reject_name((ckp_reject_reason)k));
        unsigned long long agg = (unsigned long long)(is->aggregate_kept[0] +
                                                      is->aggregate_kept[1] + is->aggregate_kept[2]);
        if (agg)
            fprintf(stderr, "  kept %llu aggregate rows at their level: %llu TOTAL, %llu HS2, %llu "
                            "HS4 (they answer --hs TOTAL|CC|CCCC; never added to their detail)\n",
                    agg, (unsigned long long)is->aggregate_kept[0],
                    (unsigned long long)is->aggregate_kept[1],
                    (unsigned long long)is->aggregate_kept[2]);
        if (is->rows_rejected && !o_rejects)
            fprintf(stderr, "  (--rejects FILE lists each rejected record with its cache file "
                            "and line)\n");
    }
out_rej:
    if (rej && rej != stdout && fclose(rej) != 0 && rc == 0)
        rc = cli_failf("fetch", 1, "cannot write %s", o_rejects);
out_plan:
    ckp_fetch_plan_free(&plan);
out_ref:
    ckp_ref_free(ref);
    return rc;
}

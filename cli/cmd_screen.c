/* cmd_screen.c — the 'screen' verb: one alert per hit on each shipment
 * (goods, party, route, unit value), JSON Lines out.  Exit status: 0 every
 * row screened, no alert; 1 every row screened, some alert; 2 usage error;
 * 3 some row could not be screened, or the run failed — so that no failure
 * can be read as "no alert". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/match.h"
#include "chokepoint/measures.h"
#include "chokepoint/screen.h"
#include "../server/server.h"
#include "cli.h"

static const char *o_algorithm;
static const char *o_lists, *o_measures, *o_hubs, *o_map, *o_format, *o_data, *o_input,
    *o_store, *o_source, *o_rejects, *o_db;
static double o_threshold = CKP_MATCH_THRESHOLD, o_uv_z = 3.5;
static long o_uv_min = 8;
static int o_no_parties, o_quiet;

static const ckp_param params[] = {
    {"lists", CKP_PARAM_STR, "L",
     "party lists: ofac, opensanctions, mofcom, all (default) or "
     "files (see 'chokepoint match --help')", 0, 0},
    {"measures", CKP_PARAM_STR, "FILE",
     "an extra measures file (measures.csv format) on top of "
     "the shipped register", 0, 0},
    {"hubs", CKP_PARAM_STR, "FILE",
     "ranked rerouting hubs: CSV hs,hub,destination,score[,rank,"
     "measure] (as 'chokepoint diversion --all-measures' writes); "
     "default with --store: every measure's hubs ranked from the "
     "store (cached per store generation)", 0, 0},
    {"rejects", CKP_PARAM_STR, "FILE",
     "write every row that could not be screened to FILE (CSV "
     "file,line,reason)", 0, 0},
    {"map", CKP_PARAM_STR, "COL=NAME,…",
     "read our column COL from the input's column NAME", 0, 0},
    {"threshold", CKP_PARAM_NUM, "T",
     "party match threshold (default 0.80)", 0, 0},
    {"algorithm", CKP_PARAM_STR, "default|ofac",
     "party matcher: default (explained token "
     "matcher) or ofac (OFAC Sanctions List Search's "
     "scoring; see chokepoint match --help)", 0, 0},
    {"store", CKP_PARAM_STR, "DIR",
     "compare unit values (kg, USD) with the flow store's flows of "
     "the same HS6 instead of the file's own shipments, and rank "
     "the route hubs of every measure from it (unless --hubs)", 0, 0},
    {"source", CKP_PARAM_STR, "S",
     "which of the store's sources --store compares with: auto "
     "(the real ones when there are any; default), synthetic, all "
     "or source names", 0, 0},
    {"uv-z", CKP_PARAM_NUM, "Z",
     "unit-value outlier when |robust z| > Z (default 3.5)", 0, 0},
    {"uv-min", CKP_PARAM_INT, "N",
     "shipments of one HS6 and unit needed for a unit-value "
     "reference (default 8)", 0, 0},
    {"input", CKP_PARAM_STR, "FMT",
     "csv or jsonl (default: detected)", 0, 0},
    {"db", CKP_PARAM_STR, "FILE",
     "keep the counterparties screened (exporter, importer, other "
     "parties) in this case database, for 'lists update' to "
     "re-screen when the lists change", 0, 0},
    {"no-parties", CKP_PARAM_FLAG, NULL,
     "skip the party rule (no lists loaded)", 0, 0},
    {"format", CKP_PARAM_STR, "FMT",
     "json (JSON Lines, default), csv or table", 0, 0},
    {"data", CKP_PARAM_STR, "DIR",
     "data directory (default: $CHOKEPOINT_DATA or built-in)", 0, 0},
    {"quiet", CKP_PARAM_FLAG, NULL,
     "no summary on stderr", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

const ckp_verb cli_cmd_screen = {
    "screen", "[--lists L] [--measures FILE] [--store DIR] [--hubs FILE] [--map COL=NAME,…] "
    "[--rejects FILE] SHIPMENTS",
    "screen shipments: controlled goods, listed parties, risky routes, unit values",
    "SHIPMENTS is a CSV with a header or JSON Lines ('-' = stdin) with columns\n"
    "id,date,exporter,exporter_country,importer,importer_country,origin,destination,\n"
    "transit,hs,description,qty,unit,value,currency (only id is required).\n"
    "One alert per hit: shipment, kind (goods|party|route|unitvalue), score, reason,\n"
    "rule, matched (JSON), line.  A row that cannot be screened (bad field, NUL byte,\n"
    "field too long…) is reported on stderr with file:line and reason, counted first in\n"
    "the summary, and listed in --rejects FILE.  Without --hubs, --store ranks the route\n"
    "hubs of every measure from the store.  Exit status: 0 every row screened, no alert;\n"
    "1 every row screened, some alert; 2 usage error; 3 some row not screened, or the run\n"
    "failed (whatever the alerts).",
    params, 1, 1, NULL, 0, NULL, NULL,
    "l:lists m:measures t:threshold f:format q:quiet", CKP_VERB_CLI_ONLY};

static void reset_opts(void)
{
    o_lists = o_measures = o_hubs = o_map = o_format = o_data = o_input = o_store = o_source =
        o_rejects = o_db = o_algorithm = NULL;
    o_threshold = CKP_MATCH_THRESHOLD;
    o_uv_z = 3.5;
    o_uv_min = 8;
    o_no_parties = o_quiet = 0;
}

/* Where the rows that could not be screened go: stderr (the first 100) and
 * the --rejects file (all of them). */
typedef struct rejects {
    const char *path; /* the input, as named on the command line */
    long shown;
    FILE *f;     /* NULL = no --rejects */
    int failed;  /* a write to f failed */
} rejects;

static void csv_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void on_bad(const ckp_error *why, void *ctx)
{
    rejects *rj = ctx;
    if (++rj->shown <= 100) {
        char buf[1200];
        fprintf(stderr, "chokepoint: screen: %s (row NOT screened)\n",
                ckp_error_format(why, buf, sizeof buf));
    } else if (rj->shown == 101) {
        fprintf(stderr, "chokepoint: screen: more rows not screened: see the count in the "
                        "summary%s\n",
                rj->f ? " and the --rejects file" : "");
    }
    if (rj->f) {
        csv_quoted(rj->f, rj->path);
        fprintf(rj->f, ",%ld,", why->line);
        csv_quoted(rj->f, why->msg);
        if (fputc('\n', rj->f) == EOF)
            rj->failed = 1;
    }
}

/* A failed run: 2 for a usage error, else 3 (never 0 or 1). */
static int run_failed(const ckp_error *err)
{
    return cli_fail("screen", err) == 2 ? 2 : 3;
}

int cmd_screen(int argc, char **argv)
{
    char **args;
    int nargs;
    reset_opts();
    const ckp_args *given = NULL;
    int r = cli_parse_args(&cli_cmd_screen, argc, argv, &args, &nargs, &given);
    if (r)
        return r == 1 ? 0 : r;
    cli_opt_str(given, "lists", &o_lists);
    cli_opt_str(given, "measures", &o_measures);
    cli_opt_str(given, "hubs", &o_hubs);
    cli_opt_str(given, "rejects", &o_rejects);
    cli_opt_str(given, "map", &o_map);
    cli_opt_num(given, "threshold", &o_threshold);
    cli_opt_str(given, "algorithm", &o_algorithm);
    cli_opt_str(given, "store", &o_store);
    cli_opt_str(given, "source", &o_source);
    cli_opt_num(given, "uv-z", &o_uv_z);
    cli_opt_long(given, "uv-min", &o_uv_min);
    cli_opt_str(given, "input", &o_input);
    cli_opt_str(given, "db", &o_db);
    cli_opt_flag(given, "no-parties", &o_no_parties);
    cli_opt_str(given, "format", &o_format);
    cli_opt_str(given, "data", &o_data);
    cli_opt_flag(given, "quiet", &o_quiet);
    ckp_format fmt = CKP_FMT_JSON;
    if (o_format && cli_format("screen", o_format, &fmt))
        return 2;
    if (o_threshold < 0 || o_threshold > 1)
        return cli_failf("screen", 2, "--threshold must be in [0,1]");
    ckp_match_algorithm algo = CKP_ALGO_DEFAULT;
    if (o_algorithm && ckp_match_algorithm_parse(o_algorithm, &algo) != 0)
        return cli_failf("screen", 2, "--algorithm \"%s\" is not default or ofac", o_algorithm);
    int infmt = 0;
    if (o_input) {
        if (strcmp(o_input, "csv") == 0)
            infmt = 'c';
        else if (strcmp(o_input, "jsonl") == 0 || strcmp(o_input, "json") == 0)
            infmt = 'j';
        else
            return cli_failf("screen", 2, "--input must be csv or jsonl");
    }
    ckp_ref *ref = cli_load_ref("screen", o_data);
    if (!ref)
        return 3;
    int rc = 0;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_lists *lists = NULL;
    ckp_index *ix = NULL;
    ckp_measures *ms = NULL;
    ckp_hubs *hubs = NULL;
    ckp_store *store = NULL;
    ckp_writer *w = NULL;
    srv_cases *cases = NULL;
    srv_keeper *keeper = NULL;
    rejects rj = {args[0], 0, NULL, 0};
    ckp_list_stats lst;
    memset(&lst, 0, sizeof lst);
    if (!o_no_parties && ckp_index_load(o_lists, o_data, ref, &lists, &ix, &lst, &err)) {
        rc = run_failed(&err);
        goto out_free;
    }
    if (lst.bad && !o_quiet)
        fprintf(stderr, "chokepoint: screen: lists: %llu bad rows skipped (first: %s)\n",
                (unsigned long long)lst.bad, lst.first_bad);
    if (ckp_measures_load(ref, o_data, o_measures, &ms, &err)) {
        rc = run_failed(&err);
        goto out_free;
    }
    if (o_hubs && ckp_hubs_load_csv(o_hubs, ref, &hubs, &err)) {
        rc = run_failed(&err);
        goto out_free;
    }
    /* the same sources as every verb sees: real ones unless told */
    if (o_store && (ckp_store_open(ckp_store_dir(o_store), ref, &store, &err) ||
                    ckp_store_select_sources(store, o_source, &err))) {
        rc = run_failed(&err);
        goto out_free;
    }
    /* route hubs out of the box: every measure's, ranked from the store */
    if (!hubs && store) {
        int cached = 0;
        if (ckp_hubs_for_store(store, ref, ms, &hubs, &cached, &err)) {
            rc = run_failed(&err);
            goto out_free;
        }
        if (!o_quiet)
            fprintf(stderr, "screen: route hubs: %zu entries ranked from the store%s\n",
                    ckp_hubs_count(hubs), cached ? " (cached)" : "");
    }
    if (o_rejects) {
        rj.f = fopen(o_rejects, "w");
        if (!rj.f) {
            rc = cli_failf("screen", 3, "--rejects %s: cannot open: %s", o_rejects,
                           strerror(errno));
            goto out_free;
        }
        fputs("file,line,reason\n", rj.f);
    }
    if (o_db) {
        keeper = srv_keeper_new(ref);
        if (!keeper) {
            rc = cli_failf("screen", 3, "out of memory");
            goto out_free;
        }
        if (srv_cases_open(o_db, &cases, NULL, &err)) {
            rc = run_failed(&err);
            goto out_free;
        }
    }
    ckp_screen_config cfg;
    ckp_screen_config_init(&cfg, ref);
    if (keeper) {
        cfg.on_shipment = srv_keeper_on_shipment;
        cfg.on_shipment_ctx = keeper;
    }
    cfg.store = store;
    cfg.index = ix;
    cfg.measures = ms;
    cfg.hubs = hubs;
    cfg.threshold = o_threshold;
    cfg.algorithm = (int)algo;
    cfg.uv_z = o_uv_z;
    cfg.uv_min = (int)o_uv_min;
    size_t ncols;
    const ckp_column *cols = ckp_screen_columns(&ncols);
    w = ckp_writer_new(stdout, fmt, cols, ncols);
    if (!w) {
        rc = cli_failf("screen", 3, "out of memory");
        goto out_free;
    }
    ckp_screen_input in = {args[0], NULL, 0, o_map, infmt};
    ckp_screen_stats st;
    ckp_status s = ckp_screen_run(&cfg, &in, w, on_bad, &rj, &st, &err);
    ckp_status fs = ckp_writer_finish(w);
    if (s) {
        rc = run_failed(&err);
        goto out_free;
    }
    if (fs) {
        rc = cli_failf("screen", 3, "cannot write output");
        goto out_free;
    }
    if (rj.f) {
        int bad = rj.failed || ferror(rj.f);
        bad = fclose(rj.f) != 0 || bad;
        rj.f = NULL;
        if (bad) {
            rc = cli_failf("screen", 3, "--rejects %s: cannot write the rows not screened",
                           o_rejects);
            goto out_free;
        }
    }
    size_t kept = 0;
    if (keeper) {
        char version[200];
        snprintf(version, sizeof version, "lists:%s", o_lists ? o_lists : "all");
        if (srv_keeper_save(cases, keeper, version, "cli", &kept, &err)) {
            rc = run_failed(&err);
            goto out_free;
        }
        if (!o_quiet)
            fprintf(stderr, "screen: %zu counterparty names kept in %s\n", kept, o_db);
    }
    uint64_t total = st.alerts[0] + st.alerts[1] + st.alerts[2] + st.alerts[3];
    char folded[128] = "";
    if (st.hs_folded)
        snprintf(folded, sizeof folded,
                 "; %llu hs codes were national 8- or 10-digit codes, folded to HS6",
                 (unsigned long long)st.hs_folded);
    if (!o_quiet)
        fprintf(stderr,
                "screen: %llu rows %s%s; %llu shipments screened; %llu alerts (goods "
                "%llu, party %llu, route %llu, unitvalue %llu) on %llu shipments (+ unit "
                "values)%s%s; %.0f ms\n",
                (unsigned long long)st.bad, st.bad ? "NOT screened" : "not screened",
                st.bad ? (o_rejects ? " (listed in the --rejects file)" : " (listed above)") : "",
                (unsigned long long)st.shipments, (unsigned long long)total,
                (unsigned long long)st.alerts[0], (unsigned long long)st.alerts[1],
                (unsigned long long)st.alerts[2], (unsigned long long)st.alerts[3],
                (unsigned long long)st.flagged,
                hubs ? "" : "; no route hubs (give --store or --hubs)", folded, st.ms);
    rc = st.bad > 0 ? 3 : total > 0 ? 1 : 0;
out_free:
    if (rj.f)
        fclose(rj.f);
    ckp_writer_free(w);
    srv_keeper_free(keeper);
    srv_cases_close(cases);
    ckp_store_close(store);
    ckp_hubs_free(hubs);
    ckp_measures_free(ms);
    ckp_index_free(ix);
    ckp_lists_free(lists);
    ckp_ref_free(ref);
    return rc;
}

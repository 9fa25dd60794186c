/* cmd_screen.c — the 'screen' verb: one alert per hit on each shipment
 * (goods, party, route, unit value), JSON Lines out, exit 1 when any alert. */
#include <stdlib.h>
#include <string.h>

#include "chokepoint/match.h"
#include "chokepoint/measures.h"
#include "chokepoint/screen.h"
#include "cli.h"

static const char *o_lists, *o_measures, *o_hubs, *o_map, *o_format, *o_data, *o_input,
    *o_store, *o_source;
static double o_threshold = CKP_MATCH_THRESHOLD, o_uv_z = 3.5;
static long o_uv_min = 8;
static int o_no_parties, o_quiet;

static const cli_opt opts[] = {
    {"lists", 'l', CLI_STR, "L", "party lists: ofac, opensanctions, mofcom, all (default) or "
                                 "files (see 'chokepoint match --help')",
     &o_lists},
    {"measures", 'm', CLI_STR, "FILE", "an extra measures file (measures.csv format) on top of "
                                       "the shipped register",
     &o_measures},
    {"hubs", 0, CLI_STR, "FILE", "ranked rerouting hubs: CSV hs,hub,destination,score[,rank,"
                                 "measure] (as 'chokepoint diversion --all-measures' writes)",
     &o_hubs},
    {"map", 0, CLI_STR, "COL=NAME,…", "read our column COL from the input's column NAME", &o_map},
    {"threshold", 't', CLI_NUM, "T", "party match threshold (default 0.80)", &o_threshold},
    {"store", 0, CLI_STR, "DIR", "compare unit values (kg, USD) with the flow store's flows of "
                                 "the same HS6 instead of the file's own shipments",
     &o_store},
    {"source", 0, CLI_STR, "S", "which of the store's sources --store compares with: auto "
                                "(the real ones when there are any; default), synthetic, all "
                                "or source names",
     &o_source},
    {"uv-z", 0, CLI_NUM, "Z", "unit-value outlier when |robust z| > Z (default 3.5)", &o_uv_z},
    {"uv-min", 0, CLI_INT, "N", "shipments of one HS6 and unit needed for a unit-value "
                                "reference (default 8)",
     &o_uv_min},
    {"input", 0, CLI_STR, "FMT", "csv or jsonl (default: detected)", &o_input},
    {"no-parties", 0, CLI_FLAG, NULL, "skip the party rule (no lists loaded)", &o_no_parties},
    {"format", 'f', CLI_STR, "FMT", "json (JSON Lines, default), csv or table", &o_format},
    {"data", 0, CLI_STR, "DIR", "data directory (default: $CHOKEPOINT_DATA or built-in)", &o_data},
    {"quiet", 'q', CLI_FLAG, NULL, "no summary on stderr", &o_quiet},
    {NULL, 0, CLI_FLAG, NULL, NULL, NULL}};

static const cli_spec spec = {
    "screen", "[--lists L] [--measures FILE] [--hubs FILE] [--map COL=NAME,…] SHIPMENTS",
    "screen shipments: controlled goods, listed parties, risky routes, unit values",
    "SHIPMENTS is a CSV with a header or JSON Lines ('-' = stdin) with columns\n"
    "id,date,exporter,exporter_country,importer,importer_country,origin,destination,\n"
    "transit,hs,description,qty,unit,value,currency (only id is required).\n"
    "One alert per hit: shipment, kind (goods|party|route|unitvalue), score, reason,\n"
    "rule, matched (JSON), line.  Bad rows are reported with their line and skipped.\n"
    "A summary goes to stderr.  Exit status: 0 no alert, 1 any alert, 2 error.",
    opts, 1, 1};

static void reset_opts(void)
{
    o_lists = o_measures = o_hubs = o_map = o_format = o_data = o_input = o_store = o_source =
        NULL;
    o_threshold = CKP_MATCH_THRESHOLD;
    o_uv_z = 3.5;
    o_uv_min = 8;
    o_no_parties = o_quiet = 0;
}

static void on_bad(const ckp_error *why, void *ctx)
{
    long *shown = ctx;
    if (++*shown <= 100) {
        char buf[1200];
        fprintf(stderr, "chokepoint: screen: %s (row skipped)\n",
                ckp_error_format(why, buf, sizeof buf));
    } else if (*shown == 101) {
        fprintf(stderr, "chokepoint: screen: more bad rows: see the count in the summary\n");
    }
}

int cmd_screen(int argc, char **argv)
{
    char **args;
    int nargs;
    reset_opts();
    int r = cli_parse(&spec, argc, argv, &args, &nargs);
    if (r)
        return r == 1 ? 0 : r;
    ckp_format fmt = CKP_FMT_JSON;
    if (o_format && cli_format("screen", o_format, &fmt))
        return 2;
    if (o_threshold < 0 || o_threshold > 1)
        return cli_failf("screen", 2, "--threshold must be in [0,1]");
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
        return 2;
    int rc = 0;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_lists *lists = NULL;
    ckp_index *ix = NULL;
    ckp_measures *ms = NULL;
    ckp_hubs *hubs = NULL;
    ckp_store *store = NULL;
    ckp_writer *w = NULL;
    ckp_list_stats lst;
    memset(&lst, 0, sizeof lst);
    if (!o_no_parties && ckp_index_load(o_lists, o_data, ref, &lists, &ix, &lst, &err)) {
        cli_fail("screen", &err);
        rc = 2;
        goto out_free;
    }
    if (lst.bad && !o_quiet)
        fprintf(stderr, "chokepoint: screen: lists: %llu bad rows skipped (first: %s)\n",
                (unsigned long long)lst.bad, lst.first_bad);
    if (ckp_measures_load(ref, o_data, o_measures, &ms, &err)) {
        cli_fail("screen", &err);
        rc = 2;
        goto out_free;
    }
    if (o_hubs && ckp_hubs_load_csv(o_hubs, ref, &hubs, &err)) {
        cli_fail("screen", &err);
        rc = 2;
        goto out_free;
    }
    /* the same sources as every verb sees: real ones unless told */
    if (o_store && (ckp_store_open(ckp_store_dir(o_store), ref, &store, &err) ||
                    ckp_store_select_sources(store, o_source, &err))) {
        cli_fail("screen", &err);
        rc = 2;
        goto out_free;
    }
    ckp_screen_config cfg;
    ckp_screen_config_init(&cfg, ref);
    cfg.store = store;
    cfg.index = ix;
    cfg.measures = ms;
    cfg.hubs = hubs;
    cfg.threshold = o_threshold;
    cfg.uv_z = o_uv_z;
    cfg.uv_min = (int)o_uv_min;
    size_t ncols;
    const ckp_column *cols = ckp_screen_columns(&ncols);
    w = ckp_writer_new(stdout, fmt, cols, ncols);
    if (!w) {
        rc = cli_failf("screen", 2, "out of memory");
        goto out_free;
    }
    ckp_screen_input in = {args[0], NULL, 0, o_map, infmt};
    ckp_screen_stats st;
    long shown = 0;
    ckp_status s = ckp_screen_run(&cfg, &in, w, on_bad, &shown, &st, &err);
    ckp_status fs = ckp_writer_finish(w);
    if (s) {
        cli_fail("screen", &err);
        rc = 2;
        goto out_free;
    }
    if (fs) {
        rc = cli_failf("screen", 2, "cannot write output");
        goto out_free;
    }
    uint64_t total = st.alerts[0] + st.alerts[1] + st.alerts[2] + st.alerts[3];
    if (!o_quiet)
        fprintf(stderr,
                "screen: %llu shipments read, %llu bad rows skipped; %llu alerts (goods %llu, "
                "party %llu, route %llu, unitvalue %llu) on %llu shipments (+ unit values); "
                "%.0f ms\n",
                (unsigned long long)st.shipments, (unsigned long long)st.bad,
                (unsigned long long)total, (unsigned long long)st.alerts[0],
                (unsigned long long)st.alerts[1], (unsigned long long)st.alerts[2],
                (unsigned long long)st.alerts[3], (unsigned long long)st.flagged, st.ms);
    rc = total > 0 ? 1 : 0;
out_free:
    ckp_writer_free(w);
    ckp_store_close(store);
    ckp_hubs_free(hubs);
    ckp_measures_free(ms);
    ckp_index_free(ix);
    ckp_lists_free(lists);
    ckp_ref_free(ref);
    return rc;
}

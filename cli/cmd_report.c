/* cmd_report.c — the 'report' verb: one self-contained HTML page over
 * everything the store and the registers hold (chokepoint/report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/report.h"
#include "cli.h"

static const ckp_param params[] = {
    {"out", CKP_PARAM_STR, "FILE",
     "where to write the page (default chokepoint-report.html; - = stdout)", 0, 0},
    {"store", CKP_PARAM_STR, "DIR",
     "the store (default $CHOKEPOINT_STORE or ./chokepoint.store)", 0, 0},
    {"data", CKP_PARAM_STR, "DIR",
     "reference data directory (default: the shipped data)", 0, 0},
    {"shipments", CKP_PARAM_STR, "FILE",
     "also screen these shipments (CSV or JSON Lines)", 0, 0},
    {"title", CKP_PARAM_STR, "TEXT",
     "the page's title", 0, 0},
    {"source", CKP_PARAM_STR, "S",
     "store sources of the chapters: real (default when the store "
     "has any; each synthetic source then gets its own marked part), synthetic, or names; "
     "never real and synthetic together", 0, 0},
    {"max-rows", CKP_PARAM_INT, "N",
     "rows kept per table (default 25)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

const ckp_verb cli_cmd_report = {
    "report", "[--out FILE] [--store DIR] [--shipments FILE]",
    "the main job: one self-contained HTML page over everything",
    "The page holds the measures timeline; for each controlled product group the\n"
    "issuer's exports by partner over time with the measure dates marked, who supplies\n"
    "whom (with HHI), production and export concentration, mirror gaps and unit-value\n"
    "outliers; the ranked diversion hubs after each measure; and a screening summary\n"
    "when --shipments is given. Every chart says what it shows and where its data came\n"
    "from; synthetic data is marked. It opens offline: the charting library is inlined.\n"
    "The chapters rest on the real sources; each synthetic source of the store gets its\n"
    "own part at the end, computed from it alone: the two are never added together.\n"
    "Sections whose analysis is missing or has no data carry a note. See docs/report.md.",
    params, 0, 0, NULL, 0, NULL, NULL,
    "o:out", CKP_VERB_CLI_ONLY};

int cmd_report(int argc, char **argv)
{
    const char *out = "chokepoint-report.html", *store = NULL, *data = NULL, *shipments = NULL,
               *title = NULL, *source = NULL;
    long max_rows = 25;

    char **args;
    int nargs;
    const ckp_args *given = NULL;
    int r = cli_parse_args(&cli_cmd_report, argc, argv, &args, &nargs, &given);
    if (r)
        return r == 1 ? 0 : r;
    cli_opt_str(given, "out", &out);
    cli_opt_str(given, "store", &store);
    cli_opt_str(given, "data", &data);
    cli_opt_str(given, "shipments", &shipments);
    cli_opt_str(given, "title", &title);
    cli_opt_str(given, "source", &source);
    cli_opt_long(given, "max-rows", &max_rows);
    if (max_rows < 1 || max_rows > 10000)
        return cli_failf("report", 2, "--max-rows must be between 1 and 10000");
    if (shipments && access(shipments, R_OK) != 0)
        return cli_failf("report", 1, "%s: cannot read the shipments file", shipments);
    ckp_ref *ref = cli_load_ref("report", data);
    if (!ref)
        return 1;
    ckp_env *env = ckp_env_new(ref, data, store);
    if (!env) {
        ckp_ref_free(ref);
        return cli_failf("report", 1, "out of memory");
    }
    /* NULL: the real sources (synthetic ones in their own part) */
    ckp_env_set_sources(env, source);
    const ckp_store *st_check = NULL;
    ckp_error serr;
    ckp_error_clear(&serr);
    if (ckp_env_store(env, &st_check, &serr) == CKP_EUSAGE) {
        /* a selection that mixes real and synthetic, or an unknown name
         * (a missing store is not an error: the report says so) */
        int urc = cli_failf("report", 2, "%s", serr.msg);
        ckp_env_free(env);
        ckp_ref_free(ref);
        return urc;
    }
    int to_stdout = strcmp(out, "-") == 0;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
    FILE *f = to_stdout ? stdout : fopen(tmp, "w");
    int rc = 0;
    if (!f) {
        rc = cli_failf("report", 1, "%s: cannot write: %s", out, "check the directory");
        goto out_env;
    }
    ckp_report_opts ro = {title, shipments, (int)max_rows};
    ckp_report_stats st;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_status s = ckp_report_write(env, &ro, f, &st, &err);
    if (!to_stdout) {
        if (fclose(f) != 0 && s == CKP_OK)
            s = ckp_error_set(&err, CKP_EIO, out, 0, 0, "cannot write the report");
        if (s == CKP_OK && rename(tmp, out) != 0)
            s = ckp_error_set(&err, CKP_EIO, out, 0, 0, "cannot rename %s into place", tmp);
        if (s != CKP_OK)
            unlink(tmp);
    }
    if (s != CKP_OK) {
        rc = cli_fail("report", &err);
        goto out_env;
    }
    fprintf(stderr,
            "chokepoint: report: %d sections (%d with a note, %d with synthetic data), %zu KB%s%s\n",
            st.sections, st.degraded, st.synthetic, st.bytes / 1024, to_stdout ? "" : " -> ",
            to_stdout ? "" : out);
    if (!ckp_assets_have_chartlib())
        fprintf(stderr, "chokepoint: report: warning: built without the chart library "
                        "(run scripts/deps.sh, then make): tables only\n");
out_env:
    ckp_env_free(env);
    ckp_ref_free(ref);
    return rc;
}

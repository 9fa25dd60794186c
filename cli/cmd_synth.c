/* cmd_synth.c — the 'synth' verb: write a synthetic world of trade flows
 * with known injected events, and their ground truth (src/synth, synth.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chokepoint/synth.h"
#include "cli.h"

static const char *out_path, *truth_path, *scenario_arg, *format_arg, *from_arg, *to_arg,
    *data_arg, *rows_arg, *seed_arg;
static int monthly, annual, quiet;

static const ckp_param params[] = {
    {"out", CKP_PARAM_STR, "FILE",
     "write the rows to FILE ('-' = stdout); required", 0, 0},
    {"rows", CKP_PARAM_STR, "N",
     "about N data rows (default 1000000; 1e7 and 10M work)", 0, 0},
    {"seed", CKP_PARAM_STR, "S",
     "random seed (default 1): same seed and options, same bytes", 0, 0},
    {"scenario", CKP_PARAM_STR, "LIST",
     "comma list of antimony-2024, gallium-2023, russia-roundabout,\n"
     "                               misinvoicing, decoys; all (default) or none", 0, 0},
    {"truth", CKP_PARAM_STR, "FILE",
     "write the ground truth (JSON Lines) to FILE", 0, 0},
    {"format", CKP_PARAM_STR, "FMT",
     "flows (default), baci or comtrade", 0, 0},
    {"from", CKP_PARAM_STR, "YYYY-MM",
     "first month (default 2017-01)", 0, 0},
    {"to", CKP_PARAM_STR, "YYYY-MM",
     "last month (default 2025-06)", 0, 0},
    {"monthly", CKP_PARAM_FLAG, NULL,
     "monthly periods (the default, except for baci)", 0, 0},
    {"annual", CKP_PARAM_FLAG, NULL,
     "aggregate to calendar years (complete years only)", 0, 0},
    {"quiet", CKP_PARAM_FLAG, NULL,
     "no summary line on stderr", 0, 0},
    {"data", CKP_PARAM_STR, "DIR",
     "reference data directory (default: the built-in one)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

const ckp_verb cli_cmd_synth = {
    "synth", "--out FILE [options]",
    "a synthetic world of trade flows with known injected events",
    "Writes a synthetic world of trade flows with known injected events (bans, licensing,\n"
    "rerouting through hubs, phantom flows, mis-invoicing, decoys) and their ground truth.\n"
    "Every row is SYNTHETIC.\n"
    "Formats: flows = period,reporter,partner,flow,hs,value,qty,unit (ISO3, USD, kg);\n"
    "baci = t,i,j,k,v,q (annual, BACI codes, thousand USD, tonnes); comtrade = the UN\n"
    "Comtrade CSV columns with Comtrade codes.  Each flow is reported by both sides\n"
    "(exporter FOB, importer CIF) except in baci.  Russia does not report from 2022.\n"
    "The scenarios' series are always written, so a small --rows gives at least those.\n"
    "A summary (rows, seconds, rows/s) goes to stderr.  See docs/synth.md.\n\n"
    "example: chokepoint synth --out world.csv --truth truth.jsonl --seed 7",
    params, 0, 0, NULL, 0, NULL, NULL,
    "o:out n:rows s:seed t:truth f:format q:quiet", CKP_VERB_CLI_ONLY};

/* "10M", "1e7", "250k", "1000000" → *n; -1 when not a count. */
static int parse_count(const char *s, uint64_t *n)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    double mult = *end == 'k' || *end == 'K' ? 1e3 : *end == 'M' ? 1e6 : *end == 'G' ? 1e9 : 1;
    if (mult > 1)
        end++;
    v *= mult;
    if (*end || v > 1e12)
        return -1;
    *n = (uint64_t)(v + 0.5);
    return 0;
}

static int parse_seed(const char *s, uint64_t *n)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-')
        return -1;
    *n = v;
    return 0;
}

static int parse_month(const char *arg, const char *name, int32_t *out)
{
    int32_t p;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_period_parse(arg, &p, &err) != CKP_OK || p % 100 == 0)
        return cli_failf("synth", 2, "--%s takes a month YYYY-MM (got '%s')", name, arg);
    *out = p;
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_synth(int argc, char **argv)
{
    char **args;
    int nargs, rc = 1;
    ckp_synth_params p;
    ckp_error err;
    ckp_ref *ref = NULL;
    ckp_synth *s = NULL;
    FILE *out = NULL, *truth = NULL;
    const ckp_args *given = NULL;
    int r = cli_parse_args(&cli_cmd_synth, argc, argv, &args, &nargs, &given);
    if (r)
        return r == 1 ? 0 : r;
    cli_opt_str(given, "out", &out_path);
    cli_opt_str(given, "rows", &rows_arg);
    cli_opt_str(given, "seed", &seed_arg);
    cli_opt_str(given, "scenario", &scenario_arg);
    cli_opt_str(given, "truth", &truth_path);
    cli_opt_str(given, "format", &format_arg);
    cli_opt_str(given, "from", &from_arg);
    cli_opt_str(given, "to", &to_arg);
    cli_opt_flag(given, "monthly", &monthly);
    cli_opt_flag(given, "annual", &annual);
    cli_opt_flag(given, "quiet", &quiet);
    cli_opt_str(given, "data", &data_arg);
    ckp_error_clear(&err);
    ckp_synth_params_init(&p);
    if (!out_path)
        return cli_failf("synth", 2, "--out FILE is required ('-' for stdout)");
    if (rows_arg && parse_count(rows_arg, &p.rows))
        return cli_failf("synth", 2, "--rows takes a count such as 1000000, 1e7 or 10M (got '%s')",
                         rows_arg);
    if (seed_arg && parse_seed(seed_arg, &p.seed))
        return cli_failf("synth", 2, "--seed takes a whole number (got '%s')", seed_arg);
    if (scenario_arg && ckp_synth_scenarios_parse(scenario_arg, &p.scenarios, &err))
        return cli_failf("synth", 2, "%s", err.msg);
    if (format_arg && ckp_synth_format_parse(format_arg, &p.format))
        return cli_failf("synth", 2, "--format must be flows, baci or comtrade (got '%s')",
                         format_arg);
    if (monthly && annual)
        return cli_failf("synth", 2, "--monthly and --annual exclude each other");
    if (monthly && p.format == CKP_SYNTH_BACI)
        return cli_failf("synth", 2, "BACI is annual: --monthly does not apply to --format baci");
    if ((from_arg && parse_month(from_arg, "from", &p.from)) ||
        (to_arg && parse_month(to_arg, "to", &p.to)))
        return 2;
    if (p.from > p.to)
        return cli_failf("synth", 2, "--from %s is after --to %s", from_arg ? from_arg : "2017-01",
                         to_arg ? to_arg : "2025-06");
    p.annual = annual;
    if (truth_path && strcmp(truth_path, "-") == 0 && strcmp(out_path, "-") == 0)
        return cli_failf("synth", 2, "--out and --truth cannot both be stdout");

    ref = cli_load_ref("synth", data_arg);
    if (!ref)
        return 1;
    if (ckp_synth_open(ref, &p, &s, &err)) {
        rc = err.code == CKP_EINVAL ? cli_failf("synth", 2, "%s", err.msg)
                                    : cli_fail("synth", &err);
        goto out_free;
    }
    if (truth_path) {
        truth = strcmp(truth_path, "-") == 0 ? stdout : fopen(truth_path, "w");
        if (!truth) {
            rc = cli_failf("synth", 1, "%s: %s", truth_path, strerror(errno));
            goto out_free;
        }
        ckp_synth_stats ts;
        if (ckp_synth_write_truth(s, truth, &ts, &err)) {
            ckp_error_set(&err, err.code, truth_path, 0, 0, "%s", err.msg);
            rc = cli_fail("synth", &err);
            goto out_free;
        }
    }
    out = strcmp(out_path, "-") == 0 ? stdout : fopen(out_path, "w");
    if (!out) {
        rc = cli_failf("synth", 1, "%s: %s", out_path, strerror(errno));
        goto out_free;
    }
    double t0 = now();
    ckp_synth_stats st;
    if (ckp_synth_write_rows(s, out, &st, &err)) {
        ckp_error_set(&err, err.code, strcmp(out_path, "-") ? out_path : "stdout", 0, 0, "%s",
                      err.msg);
        rc = cli_fail("synth", &err);
        goto out_free;
    }
    double dt = now() - t0;
    if (!quiet)
        fprintf(stderr,
                "synth: %llu rows (%llu links, %llu pinned), %.1f MB in %.2f s: %.0f rows/s, "
                "%.0f MB/s; seed %llu; SYNTHETIC data\n",
                (unsigned long long)st.rows, (unsigned long long)st.links,
                (unsigned long long)st.pinned, st.bytes / 1e6, dt, dt > 0 ? st.rows / dt : 0,
                dt > 0 ? st.bytes / 1e6 / dt : 0, (unsigned long long)p.seed);
    rc = 0;
out_free:
    if (out && out != stdout && fclose(out) != 0 && rc == 0)
        rc = cli_failf("synth", 1, "%s: %s", out_path, strerror(errno));
    if (truth && truth != stdout && fclose(truth) != 0 && rc == 0)
        rc = cli_failf("synth", 1, "%s: %s", truth_path, strerror(errno));
    ckp_synth_free(s);
    ckp_ref_free(ref);
    return rc;
}

/* cmd_ingest.c — the 'ingest' verb: trade files into the store through the
 * ingest library (include/chokepoint/ingest.h).  Progress on a terminal,
 * the summary and the reject counts on stderr. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chokepoint/ingest.h"
#include "cli.h"

static const char *o_format, *o_store, *o_rejects, *o_source, *o_data, *o_delim;
static long o_edition;
static int o_replace, o_synthetic, o_quiet, o_keep_unknown_hs, o_dec_comma, o_dec_point;

static const ckp_param params[] = {
    {"format", CKP_PARAM_STR, "auto|comtrade|comtrade-legacy|comtradr|comtrade-json|comext|comext-bulk|baci|flows",
     "input format (default auto: sniffed from each file's header)", 0, 0},
    {"delimiter", CKP_PARAM_STR, "CHAR",
     "CSV field delimiter: , ; tab | or any one byte (default: detected from the header)", 0, 0},
    {"decimal-comma", CKP_PARAM_FLAG, NULL,
     "numbers are written with decimal commas (1.234,5 = 1234.5)", 0, 0},
    {"decimal-point", CKP_PARAM_FLAG, NULL,
     "numbers are written with decimal points (1,234.5 is not read; default except in ';' "
     "files, where the values tell)", 0, 0},
    {"store", CKP_PARAM_STR, "DIR",
     "the store (default $CHOKEPOINT_STORE or ./chokepoint.store)", 0, 0},
    {"rejects", CKP_PARAM_STR, "FILE",
     "write rejected rows to FILE as CSV: file,line,reason,detail,row ('-' = stdout)", 0, 0},
    {"replace", CKP_PARAM_FLAG, NULL,
     "drop every row the store holds before loading", 0, 0},
    {"source", CKP_PARAM_STR, "NAME",
     "name the rows' source (default: the format's name: comtrade, comtrade-legacy, "
     "comtradr, comtrade-json, comext, comext-bulk, baci, flows); rows with the "
     "same key and source replace earlier ones", 0, 0},
    {"synthetic", CKP_PARAM_FLAG, NULL,
     "mark the source as synthetic (automatic for names starting with 'synth')", 0, 0},
    {"hs-edition", CKP_PARAM_INT, "YEAR",
     "HS edition of codes when the file does not say (1992…2022; BACI: from the file name)", 0, 0},
    {"keep-unknown-hs", CKP_PARAM_FLAG, NULL,
     "keep HS6 codes that are not in the nomenclature of their edition (000000, 999999…; "
     "rejected as unknown-hs by default)", 0, 0},
    {"quiet", CKP_PARAM_FLAG, NULL,
     "no progress bar and no summary", 0, 0},
    {"data", CKP_PARAM_STR, "DIR",
     "reference data directory (default: the shipped data)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

const ckp_verb cli_cmd_ingest = {
    "ingest", "[options] FILE…",
    "load trade files (Comtrade, BACI, generic flows) into the store",
    "Formats (sniffed from the header with --format auto):\n"
    "  comtrade  UN Comtrade API/bulk CSV: refYear, refMonth, period, reporterCode,\n"
    "            partnerCode, flowCode, cmdCode, primaryValue, cifvalue, fobvalue,\n"
    "            netWgt, qty, qtyUnitCode, classificationCode (H5 = HS2017, H6 = HS2022)\n"
    "  comtrade-legacy  the pre-2023 Comtrade CSV: Classification, Year, Period, …,\n"
    "            Trade Flow, Reporter Code, Partner Code, Commodity Code, Qty Unit Code,\n"
    "            Qty, Netweight (kg), Trade Value (US$), CIF/FOB Trade Value (US$)\n"
    "  comtradr  the R package's output: ref_year, ref_month, reporter_iso (or _code),\n"
    "            partner_iso, flow_code, cmd_code, primary_value, net_wgt, qty…\n"
    "  comtrade-json  a Comtrade+ API response {\"count\": N, \"data\": [{…}]} (the\n"
    "            CSV's field names; sniffed from a leading '{'; count checked)\n"
    "  comext    Eurostat Comext web extraction: REPORTER, PARTNER, PRODUCT, FLOW,\n"
    "            STAT_PROCEDURE, PERIOD (Aug. 2024), VALUE_IN_EUR, with country names\n"
    "            (bracketed notes dropped; EU-27 and euro-area rows kept as aggregates)\n"
    "  comext-bulk  Eurostat Comext bulk monthly file: DECLARANT_ISO, PARTNER_ISO,\n"
    "            PRODUCT_NC (CN8, folded to HS6 and summed), FLOW (1/2), STAT_REGIME,\n"
    "            PERIOD (YYYYMM), VALUE_IN_EUROS, QUANTITY_IN_KG\n"
    "            Comext values in EUR are converted to USD at the month's average\n"
    "            rate (data/ref/fx/monthly.csv); a month without one is no-fx-rate\n"
    "  baci      CEPII BACI t,i,j,k,v,q (v in thousand USD, q in tonnes; converted)\n"
    "  flows     period,reporter,partner,flow,hs,value[,qty,unit,value_alt,hs_edition]\n"
    "            (reporter/partner ISO3 or any country name or code; flow X, M, RX, RM)\n"
    "Any of them may be gzip-compressed (read as a stream, never unpacked to disk).\n"
    "A CEPII BACI release archive (BACI_HS17_V202401.zip: BACI_HS17_Y2022_….csv year\n"
    "files + country_codes_….csv) is read as a stream too, its codes resolved by its\n"
    "own country table, rejects named ARCHIVE:MEMBER with the line (give its name:\n"
    "it is read twice, so not from standard input).\n"
    "A ';' file may write numbers with decimal commas (1.234,5): the values tell;\n"
    "a value that could be either (1.234) before they do is rejected as bad-value\n"
    "(--decimal-comma or --decimal-point decide).  An ingest that reads rows and\n"
    "keeps none is an error (exit 1; nothing is stored), whatever the format.\n"
    "FILE '-' reads standard input.  Every rejected row is counted by reason (printed\n"
    "at the end) and, with --rejects, written out with its file and line.  Values\n"
    "above 1e15 USD (or quantities above 1e15) in one row are value-out-of-range;\n"
    "impossible dates (2020-02-30) and periods not written YYYY, YYYY-MM, YYYYMM\n"
    "or YYYY-MM-DD (2020/01) are bad-period; HS6 codes not in the nomenclature\n"
    "of their edition (000000, 999999) are unknown-hs unless --keep-unknown-hs.  A row\n"
    "whose key (period, reporter, partner, flow, HS code, edition) repeats one\n"
    "already read in this ingest is rejected as duplicate-key, not summed.  Rows\n"
    "replace stored rows with the same key and source: ingesting a file twice does\n"
    "not double it.  The new store is written beside the old one and published\n"
    "atomically; a killed ingest leaves the old store intact.",
    params, 1, -1, NULL, 0, NULL, NULL,
    "f:format q:quiet", CKP_VERB_CLI_ONLY};

/* ---- progress bar ------------------------------------------------------ */

typedef struct progress {
    int on;
    struct timespec t0;
    int drawn;
} progress;

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

static void draw(const ckp_ingest_progress *p, void *ctx)
{
    progress *pg = ctx;
    if (!pg->on)
        return;
    double s = since(&pg->t0);
    double mbs = s > 0 ? (double)p->bytes_done / 1e6 / s : 0;
    char bar[33] = "";
    char eta[32] = "";
    if (p->bytes_total) {
        double frac = (double)p->bytes_done / (double)p->bytes_total;
        if (frac > 1)
            frac = 1;
        int k = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < k ? '#' : '.';
        bar[30] = 0;
        if (frac > 0 && !p->done)
            snprintf(eta, sizeof eta, " ETA %.0fs", s / frac - s);
        fprintf(stderr, "\r%s [%s] %3.0f%% %llu rows %.0f MB/s%s   ", p->file, bar, frac * 100,
                (unsigned long long)p->rows, mbs, eta);
    } else {
        fprintf(stderr, "\r%s %llu rows %.0f MB/s   ", p->file, (unsigned long long)p->rows,
                mbs);
    }
    pg->drawn = 1;
    if (p->done) {
        fputc('\n', stderr);
        pg->drawn = 0;
        clock_gettime(CLOCK_MONOTONIC, &pg->t0);
    }
    fflush(stderr);
}

int cmd_ingest(int argc, char **argv)
{
    o_format = o_store = o_rejects = o_source = o_data = o_delim = NULL;
    o_replace = o_synthetic = o_quiet = o_keep_unknown_hs = o_dec_comma = o_dec_point = 0;
    o_edition = 0;
    char **args;
    int nargs;
    const ckp_args *given = NULL;
    int r = cli_parse_args(&cli_cmd_ingest, argc, argv, &args, &nargs, &given);
    if (r)
        return r == 1 ? 0 : r;
    cli_opt_str(given, "format", &o_format);
    cli_opt_str(given, "delimiter", &o_delim);
    cli_opt_flag(given, "decimal-comma", &o_dec_comma);
    cli_opt_flag(given, "decimal-point", &o_dec_point);
    cli_opt_str(given, "store", &o_store);
    cli_opt_str(given, "rejects", &o_rejects);
    cli_opt_flag(given, "replace", &o_replace);
    cli_opt_str(given, "source", &o_source);
    cli_opt_flag(given, "synthetic", &o_synthetic);
    cli_opt_long(given, "hs-edition", &o_edition);
    cli_opt_flag(given, "keep-unknown-hs", &o_keep_unknown_hs);
    cli_opt_flag(given, "quiet", &o_quiet);
    cli_opt_str(given, "data", &o_data);
    ckp_ingest_opts io;
    ckp_ingest_opts_init(&io);
    if (o_format) {
        int f = ckp_ingest_format_parse(o_format);
        if (f < 0)
            return cli_failf("ingest", 2,
                             "--format must be auto, comtrade, comtrade-legacy, comtradr, "
                             "comtrade-json, comext, comext-bulk, baci or flows (got '%s')",
                             o_format);
        io.format = (ckp_ingest_format)f;
    }
    if (o_delim) {
        const char *d = strcmp(o_delim, "tab") == 0 || strcmp(o_delim, "\\t") == 0 ? "\t" : o_delim;
        if (strlen(d) != 1 || *d == '"' || *d == '\r' || *d == '\n')
            return cli_failf("ingest", 2,
                             "--delimiter must be one byte other than a quote or a line end "
                             "(or 'tab'; got '%s')",
                             o_delim);
        io.delim = *d;
    }
    if (o_dec_comma && o_dec_point)
        return cli_failf("ingest", 2, "--decimal-comma and --decimal-point exclude each other");
    io.decimal = o_dec_comma ? ',' : o_dec_point ? '.' : 0;
    if (io.decimal == ',' && io.delim == ',')
        return cli_failf("ingest", 2, "--decimal-comma needs a delimiter other than ','");
    if (o_edition && o_edition != 1992 && o_edition != 1996 && o_edition != 2002 &&
        o_edition != 2007 && o_edition != 2012 && o_edition != 2017 && o_edition != 2022)
        return cli_failf("ingest", 2, "--hs-edition must be 1992, 1996, 2002, 2007, 2012, 2017 or 2022");
    int stdin_uses = 0;
    for (int i = 0; i < nargs; i++)
        stdin_uses += strcmp(args[i], "-") == 0;
    if (stdin_uses > 1)
        return cli_failf("ingest", 2, "'-' (standard input) given more than once");
    io.hs_edition = (int)o_edition;
    io.source = o_source;
    io.synthetic = o_synthetic ? 1 : -1;
    io.replace = o_replace;
    io.keep_unknown_hs = o_keep_unknown_hs;
    progress pg = {!o_quiet && isatty(STDERR_FILENO), {0, 0}, 0};
    clock_gettime(CLOCK_MONOTONIC, &pg.t0);
    io.progress = draw;
    io.progress_ctx = &pg;
    FILE *rej = NULL;
    if (o_rejects) {
        rej = strcmp(o_rejects, "-") == 0 ? stdout : fopen(o_rejects, "w");
        if (!rej)
            return cli_failf("ingest", 1, "cannot write %s", o_rejects);
        fputs("file,line,reason,detail,row\n", rej);
        io.rejects = rej;
    }
    int rc = 1;
    ckp_ref *ref = cli_load_ref("ingest", o_data);
    if (!ref)
        goto out_rej;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_ingest *ing;
    const char *dir = ckp_store_dir(o_store);
    if (ckp_ingest_begin(dir, ref, &io, &ing, &err) != CKP_OK) {
        rc = cli_fail("ingest", &err);
        goto out_ref;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < nargs; i++) {
        if (ckp_ingest_file(ing, args[i], &err) != CKP_OK) {
            if (pg.drawn)
                fputc('\n', stderr);
            ckp_ingest_abort(ing);
            rc = cli_fail("ingest", &err);
            fprintf(stderr, "chokepoint: ingest: nothing was stored; the store is unchanged\n");
            goto out_ref;
        }
    }
    ckp_ingest_stats st;
    if (ckp_ingest_commit(ing, &st, &err) != CKP_OK) {
        rc = cli_fail("ingest", &err);
        fprintf(stderr, "chokepoint: ingest: the store is unchanged\n");
        goto out_ref;
    }
    double secs = since(&t0);
    rc = 0;
    if (!o_quiet) {
        fprintf(stderr,
                "ingest: %llu rows read, %llu kept, %llu rejected; store %s: %llu rows "
                "(%llu replaced), generation %llu",
                (unsigned long long)st.rows_read, (unsigned long long)st.rows_kept,
                (unsigned long long)st.rows_rejected, dir, (unsigned long long)st.store_rows,
                (unsigned long long)st.rows_replaced, (unsigned long long)st.generation);
        if (pg.on)
            fprintf(stderr, " (%.2f s, %.0f rows/s)", secs,
                    secs > 0 ? (double)st.rows_read / secs : 0.0);
        fputc('\n', stderr);
        for (int k = 0; k < CKP_REJ_COUNT; k++)
            if (st.by_reason[k])
                fprintf(stderr, "  rejected %llu %s\n", (unsigned long long)st.by_reason[k],
                        ckp_reject_name((ckp_reject_reason)k));
        if (st.unknown_hs_kept)
            fprintf(stderr, "  kept %llu rows whose HS code is not in its edition's "
                            "nomenclature (--keep-unknown-hs)\n",
                    (unsigned long long)st.unknown_hs_kept);
        if (st.hs_folded)
            fprintf(stderr, "  folded %llu rows' national 8- or 10-digit commodity codes "
                            "(38011000, 2825.80.00) to HS6; the store keeps the HS6 code\n",
                    (unsigned long long)st.hs_folded);
        if (st.lines_summed)
            fprintf(stderr, "  summed %llu lines into the %llu rows kept (the CN8 codes of one "
                            "HS6 and the statistical procedures of one flow)\n",
                    (unsigned long long)st.lines_summed, (unsigned long long)st.rows_kept);
        if (st.fold_example[0])
            fprintf(stderr, "  e.g. CN8 %s (the CN8 code is not stored)\n", st.fold_example);
        if (st.fx_converted)
            fprintf(stderr, "  converted %llu rows from %s to USD at the month's average rate "
                            "(%s, Federal Reserve H.10); the source records the currency\n",
                    (unsigned long long)st.fx_converted, st.fx_currency, ckp_fx_file());
        if (st.aggregate_rows)
            fprintf(stderr, "  kept %llu rows whose reporter is a group of countries (EU-27, EU, euro area) "
                            "as that group, never added to its members\n",
                    (unsigned long long)st.aggregate_rows);
        if (st.aggregate_kept[0] + st.aggregate_kept[1] + st.aggregate_kept[2])
            fprintf(stderr, "  kept %llu aggregate rows at their level: %llu TOTAL, %llu HS2, "
                            "%llu HS4 (they answer --hs TOTAL|CC|CCCC; never added to their "
                            "detail)\n",
                    (unsigned long long)(st.aggregate_kept[0] + st.aggregate_kept[1] +
                                         st.aggregate_kept[2]),
                    (unsigned long long)st.aggregate_kept[0],
                    (unsigned long long)st.aggregate_kept[1],
                    (unsigned long long)st.aggregate_kept[2]);
        if (st.archive_members)
            fprintf(stderr, "  read %d year files from BACI archives, their codes resolved by "
                            "each archive's own country table; %d other members (product "
                            "table, Readme) are not data and were not read\n",
                    st.archive_members, st.archive_skipped);
        if (st.rows_rejected && !o_rejects)
            fprintf(stderr, "  (--rejects FILE lists each rejected row with its file and line)\n");
    }
out_ref:
    ckp_ref_free(ref);
out_rej:
    if (rej && rej != stdout && fclose(rej) != 0 && rc == 0)
        rc = cli_failf("ingest", 1, "cannot write %s", o_rejects);
    return rc;
}

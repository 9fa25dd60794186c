/* evasion_verbs.c — the `mirror` and `unitvalue` verbs (verb.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evasion_int.h"

static void write_period(ckp_writer *w, int32_t p)
{
    char buf[16];
    ckp_writer_str(w, ckp_period_format(p, buf));
}

static void write_hs(ckp_writer *w, uint32_t hs)
{
    char buf[16];
    ckp_writer_str(w, ckp_hs_format(hs, 6, buf));
}

/* The leading columns of a mirror or unitvalue row: reporter, partner, hs,
 * period. */
static void write_key(ckp_writer *w, const ckp_ref *ref, int reporter, int partner, uint32_t hs,
                      int32_t period)
{
    ckp_writer_str(w, ckp_ref_iso3(ref, reporter));
    ckp_writer_str(w, ckp_ref_iso3(ref, partner));
    write_hs(w, hs);
    write_period(w, period);
}

/* ---- mirror ------------------------------------------------------------------ */

static const ckp_param mirror_params[] = {
    {"reporter", CKP_PARAM_STR, "C", "show this country's reports against its partners'", 0, 1},
    {"partner", CKP_PARAM_STR, "C2", "only flows with this partner", 0, 1},
    {"hs", CKP_PARAM_STR, "H", "products: codes, prefixes or a group", 1, 1},
    {"period", CKP_PARAM_STR, "P", "one period (YYYY or YYYY-MM)", 0, 1},
    {"from", CKP_PARAM_STR, "P", "first period", 0, 1},
    {"to", CKP_PARAM_STR, "P", "last period", 0, 1},
    {"min-value", CKP_PARAM_NUM, "USD", "ignore flows smaller than this on both sides", 0, 1},
    {"flag", CKP_PARAM_STR, "F",
     "only rows with this flag: phantom (both kinds), gap (persistent or new), ok, "
     "no_report…", 0, 1},
    {"freq", CKP_PARAM_STR, "A|M|all",
     "annual (A) or monthly (M) rows; default: monthly when --period/--from is a month, "
     "else annual when the answer has annual rows, else monthly", 0, 1},
    {"limit", CKP_PARAM_INT, "K", "rows to list (default all)", 0, 1},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column mirror_columns[] = {
    {"reporter", CKP_COL_STR, 0},
    {"partner", CKP_COL_STR, 0},
    {"hs", CKP_COL_STR, 0},
    {"period", CKP_COL_STR, 0},
    {"reported_value", CKP_COL_NUM, 0},
    {"mirror_value", CKP_COL_NUM, 0},
    {"ratio", CKP_COL_NUM, 3},
    {"cif_fob", CKP_COL_NUM, 3},
    {"gap", CKP_COL_NUM, 0},
    {"flag", CKP_COL_STR, 0},
    {"flow", CKP_COL_STR, 0},
    {"gap_kind", CKP_COL_STR, 0},
    {"explanation", CKP_COL_STR, 0},
    {"reported_qty", CKP_COL_NUM, 0},
    {"mirror_qty", CKP_COL_NUM, 0},
    {"cif_fob_source", CKP_COL_STR, 0},
    {"log_gap", CKP_COL_NUM, 3},
    {"usual_log_gap", CKP_COL_NUM, 3},
    {"gap_z", CKP_COL_NUM, 2},
    {"reliability", CKP_COL_NUM, 3},
    {"partner_reliability", CKP_COL_NUM, 3},
    /* then "synthetic" and "sources", as for every flow verb (verb.h) */
};

static int flag_matches(const char *want, const ckp_mirror_row *r)
{
    if (!want)
        return 1;
    if (strcmp(want, "phantom") == 0)
        return r->flag == CKP_MIRROR_PHANTOM_EXPORT || r->flag == CKP_MIRROR_PHANTOM_IMPORT;
    if (strcmp(want, "persistent") == 0 || strcmp(want, "new") == 0)
        return r->flag == CKP_MIRROR_GAP && strcmp(want, ckp_mirror_gap_kind_name(r->gap_kind)) == 0;
    return strcmp(want, ckp_mirror_flag_name(r->flag)) == 0;
}

/* One row in words: both figures, what CIF/FOB explains (the factor and how
 * it was had: reported, or the importer's margin as m estimated it), and
 * why the flag. */
static void mirror_explain(const ckp_ref *ref, const ckp_mirror *m, const ckp_mirror_row *r,
                           char *buf, size_t n)
{
    int imp = r->flow == 'M' ? r->reporter : r->partner;
    int exp_ = r->flow == 'M' ? r->partner : r->reporter;
    const char *i3 = ckp_ref_iso3(ref, imp), *e3 = ckp_ref_iso3(ref, exp_);
    double mv = r->flow == 'M' ? r->reported_value : r->mirror_value;
    double x = r->flow == 'M' ? r->mirror_value : r->reported_value;
    const char *unit = CKP_PERIOD_MONTH(r->period) ? "months" : "years";
    char per[16], a[32], b[32];
    ckp_period_format(r->period, per);
    ckp__ev_money(mv, a, sizeof a);
    ckp__ev_money(x, b, sizeof b);
    switch (r->flag) {
    case CKP_MIRROR_PHANTOM_EXPORT:
        snprintf(buf, n, "%s records %s of exports to %s in %s; %s reports imports that period "
                 "but none of this flow", e3, b, i3, per, i3);
        return;
    case CKP_MIRROR_PHANTOM_IMPORT:
        snprintf(buf, n, "%s records %s of imports from %s in %s; %s reports exports that period "
                 "but none of this flow", i3, a, e3, per, e3);
        return;
    case CKP_MIRROR_NO_REPORT:
        if (x > 0)
            snprintf(buf, n, "only %s's report (%s of exports): %s reports no imports at all in %s",
                     e3, b, i3, per);
        else
            snprintf(buf, n, "only %s's report (%s of imports): %s reports no exports at all in %s",
                     i3, a, e3, per);
        return;
    default:
        break;
    }
    char how[96] = "reported";
    if (r->cif_fob_source != CKP_CIFFOB_REPORTED)
        ckp_mirror_margin(m, imp, how, sizeof how);
    int len = snprintf(buf, n, "%s records %s of imports from %s, %s %s of exports to %s: "
                       "x%.2f; CIF/FOB %.3f (%s) explains x%.2f, leaving x%.2f",
                       i3, a, e3, e3, b, i3, mv / x, r->cif_fob, how, r->cif_fob, exp(r->log_gap));
    if (len < 0 || (size_t)len >= n)
        return;
    buf += len;
    n -= (size_t)len;
    char usual[48] = "";
    if (r->usual == r->usual)
        snprintf(usual, sizeof usual, "usual x%.2f, ", exp(r->usual));
    int persistent_pair = r->beyond_n >= 3 && 3 * r->beyond_n >= 2 * r->matched_n;
    if (r->gap_kind == CKP_GAP_NEW)
        snprintf(buf, n, "; a new gap: a break from the pair's usual gap (%sz %.1f)", usual,
                 r->gap_z);
    else if (r->gap_kind == CKP_GAP_PERSISTENT)
        snprintf(buf, n, "; a persistent gap: beyond freight and insurance (x1.35) in %d of %d %s "
                 "with both reports (%sz %.1f, not a new break)", r->beyond_n, r->matched_n, unit,
                 usual, r->gap_z);
    else if (persistent_pair)
        snprintf(buf, n, "; within x1.35 of freight this time, though beyond it in %d of %d %s",
                 r->beyond_n, r->matched_n, unit);
    else
        snprintf(buf, n, "; within the pair's usual gap (%sz %.1f); beyond freight in %d of %d "
                 "%s, not the two thirds of a persistent gap", usual, r->gap_z, r->beyond_n,
                 r->matched_n, unit);
}

/* --freq: *freq 'A', 'M' or 0 (all) and *asked = 1; *asked = 0 when the rows decide. */
static ckp_status mirror_freq(const ckp_args *a, int32_t from, int32_t to, int *freq,
                              int *asked, ckp_error *err)
{
    const char *f = ckp_args_get(a, "freq");
    *asked = 1;
    if (f && (strcmp(f, "A") == 0 || strcmp(f, "a") == 0))
        *freq = 'A';
    else if (f && (strcmp(f, "M") == 0 || strcmp(f, "m") == 0))
        *freq = 'M';
    else if (f && strcmp(f, "all") == 0)
        *freq = 0;
    else if (f)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--freq takes A, M or all (got '%s')",
                             f);
    else if ((from || to) && CKP_PERIOD_MONTH(from ? from : to)) /* months asked */
        *freq = 'M';
    else
        *asked = 0; /* a year or nothing asked: annual when there are annual
                       rows, else the months (a store of monthly data) */
    return CKP_OK;
}

static int freq_of(int32_t period) { return CKP_PERIOD_MONTH(period) ? 'M' : 'A'; }

static ckp_status mirror_run(ckp_env *env, const ckp_args *a, ckp_writer *w, char *summary,
                             size_t summary_len, ckp_error *err)
{
    ckp_writer_hint(w, "reporter partner hs period reported_value mirror_value ratio flag gap_kind",
                    "explanation");
    ckp_mirror_spec sp;
    memset(&sp, 0, sizeof sp);
    ckp_hsset *hs = NULL;
    unsigned char *agg = NULL;
    ckp_mirror *m = NULL;
    long limit;
    const char *want = ckp_args_get(a, "flag");
    ckp_status st = ckp_args_country(a, ckp_env_ref(env), "reporter", 0, &sp.reporter, err);
    if (st == CKP_OK)
        st = ckp_args_country(a, ckp_env_ref(env), "partner", 0, &sp.partner, err);
    if (st == CKP_OK)
        st = ckp_args_periods(a, &sp.from, &sp.to, err);
    if (st == CKP_OK)
        st = ckp_args_num(a, "min-value", 0, &sp.min_value, err);
    if (st == CKP_OK)
        st = ckp_args_int(a, "limit", 0, &limit, err);
    int freq = 0, freq_asked = 0;
    if (st == CKP_OK)
        st = mirror_freq(a, sp.from, sp.to, &freq, &freq_asked, err);
    if (st == CKP_OK && want && strcmp(want, "phantom") != 0 && strcmp(want, "persistent") != 0 &&
        strcmp(want, "new") != 0) {
        int ok = 0;
        for (int f = CKP_MIRROR_OK; f <= CKP_MIRROR_NO_REPORT; f++)
            ok |= strcmp(want, ckp_mirror_flag_name(f)) == 0;
        if (!ok)
            st = ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                               "--flag takes phantom, phantom_export, phantom_import, gap, "
                               "persistent, new, ok or no_report (got '%s')", want);
    }
    if (st == CKP_OK)
        st = ckp_args_hsset(a, ckp_env_ref(env), "hs", 1, &hs, err);
    if (st != CKP_OK)
        return st;
    sp.hs = hs;
    agg = ckp__ev_aggregates(ckp_env_ref(env));
    if (!agg) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    sp.aggregate = agg;
    const ckp_store *store;
    st = ckp_env_store(env, &store, err);
    if (st == CKP_OK)
        st = ckp_mirror_run(store, &sp, ckp_ref_country_count(ckp_env_ref(env)), &m, err);
    ckp_answer_track(ckp_verb_answer(w)); /* each row names its two reports' sources */
    if (st != CKP_OK)
        goto out;
    /* one frequency per answer: annual when any annual row is there */
    if (!freq_asked) {
        freq = ckp_mirror_count(m) ? 'M' : 0;
        for (size_t i = 0; i < ckp_mirror_count(m); i++)
            if (freq_of(ckp_mirror_at(m, i)->period) == 'A')
                freq = 'A';
    }
    long nphantom = 0, npersist = 0, nnew = 0, nrows = 0, ncmp = 0, nother = 0;
    for (size_t i = 0; i < ckp_mirror_count(m) && st == CKP_OK; i++) {
        const ckp_mirror_row *r = ckp_mirror_at(m, i);
        if (freq && freq_of(r->period) != freq) {
            nother++;
            continue;
        }
        ncmp++;
        nphantom += r->flag == CKP_MIRROR_PHANTOM_EXPORT || r->flag == CKP_MIRROR_PHANTOM_IMPORT;
        npersist += r->flag == CKP_MIRROR_GAP && r->gap_kind == CKP_GAP_PERSISTENT;
        nnew += r->flag == CKP_MIRROR_GAP && r->gap_kind == CKP_GAP_NEW;
        if (!flag_matches(want, r) || (limit > 0 && nrows >= limit))
            continue;
        nrows++;
        char fl[2] = {(char)r->flow, 0}, expl[512];
        mirror_explain(ckp_env_ref(env), m, r, expl, sizeof expl);
        write_key(w, ckp_env_ref(env), r->reporter, r->partner, r->hs, r->period);
        ckp_writer_num(w, r->reported_value);
        ckp_writer_num(w, r->mirror_value);
        ckp_writer_num(w, r->ratio);
        ckp_writer_num(w, r->cif_fob);
        ckp_writer_num(w, r->gap);
        ckp_writer_str(w, ckp_mirror_flag_name(r->flag));
        ckp_writer_str(w, fl);
        ckp_writer_str(w, ckp_mirror_gap_kind_name(r->gap_kind));
        ckp_writer_str(w, expl);
        ckp_writer_num(w, r->reported_qty);
        ckp_writer_num(w, r->mirror_qty);
        ckp_writer_str(w, ckp_ciffob_source_name(r->cif_fob_source));
        ckp_writer_num(w, r->log_gap);
        ckp_writer_num(w, r->usual);
        ckp_writer_num(w, r->gap_z);
        ckp_writer_num(w, r->reliability);
        ckp_writer_num(w, r->partner_reliability);
        ckp_answer_row_sources(ckp_verb_answer(w), r->sources);
        if (ckp_writer_end_row(w) != CKP_OK)
            st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write output");
    }
    if (summary && summary_len) {
        char other[128] = "";
        if (nother)
            snprintf(other, sizeof other, " (%ld %s rows left out: --freq %s or all)", nother,
                     freq == 'A' ? "monthly" : "annual", freq == 'A' ? "M" : "A");
        snprintf(summary, summary_len,
                 "%ld %s flows compared%s: %ld phantom (one side only), %ld persistent gaps "
                 "beyond freight and insurance, %ld new gaps (breaks from the pair's usual gap)",
                 ncmp, freq == 'A' ? "annual" : freq == 'M' ? "monthly" : "annual and monthly",
                 other, nphantom, npersist, nnew);
    }
out:
    ckp_mirror_free(m);
    free(agg);
    ckp_hsset_free(hs);
    return st;
}

CKP_VERB_DEFINE(mirror, 100, 1) = {
    "mirror",
    "--hs H [--reporter C] [--partner C2] [--period P | --from P --to P] [--freq A|M|all]",
    "exporter vs importer reports of the same flow: CIF/FOB-adjusted gaps and phantom flows",
    "Each flow is read twice: the exporter's FOB report and the importer's CIF report.  The\n"
    "CIF/FOB factor is the importer's reported CIF and FOB for the flow, else its one margin\n"
    "(the one dependency --mirror uses): estimated from the years when both sides report\n"
    "the products asked (sum of imports / sum of exports, within 1.00-1.25), else 6 %.\n"
    "gap = reported - mirror on a FOB basis; gap_z = distance from the pair's usual gap in\n"
    "robust standard deviations.  flag gap, gap_kind new: a break from the pair's usual gap\n"
    "(|gap_z| >= 2.5 and x1.35 off it); gap_kind persistent: beyond CIF/FOB by x1.35 or more,\n"
    "as in at least 3 and two thirds of the pair's periods with both reports.  One frequency\n"
    "per answer (--freq).  phantom_export: exported, never recorded as imported by a\n"
    "partner that reports imports that period (phantom_import: the reverse).  reliability:\n"
    "exp(-mean |log gap|) over all the country's matched flows (1 = always agrees).\n"
    "Method: docs/evasion.md.",
    mirror_params,
    0,
    0,
    mirror_columns,
    sizeof mirror_columns / sizeof mirror_columns[0],
    mirror_run, NULL, NULL, 0};

/* ---- unitvalue ---------------------------------------------------------------- */

#define UV_MIN_VALUE 10000.0 /* USD: smaller flows are listed only on request */

static const ckp_param uv_params[] = {
    {"hs", CKP_PARAM_STR, "H", "products: codes, prefixes or a group", 1, 1},
    {"period", CKP_PARAM_STR, "P", "one period (YYYY or YYYY-MM)", 0, 1},
    {"from", CKP_PARAM_STR, "P", "first period", 0, 1},
    {"to", CKP_PARAM_STR, "P", "last period", 0, 1},
    {"reporter", CKP_PARAM_STR, "C", "only this reporter's flows", 0, 1},
    {"partner", CKP_PARAM_STR, "C2", "only flows with this partner", 0, 1},
    {"compare", CKP_PARAM_STR, "H2",
     "codes where a partner may have declared the same shipment (default: the HS4 headings of H)", 0, 1},
    {"threshold", CKP_PARAM_NUM, "Z", "|robust z| of an outlier (default 3.5)", 0, 1},
    {"min-value", CKP_PARAM_NUM, "USD",
     "list only flows worth at least this (default 10000; smaller ones still count as peers; "
     "0 lists all)", 0, 1},
    {"all", CKP_PARAM_FLAG, NULL, "list every flow, not only outliers", 0, 1},
    {"limit", CKP_PARAM_INT, "K", "rows to list (default all)", 0, 1},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column uv_columns[] = {
    {"reporter", CKP_COL_STR, 0},
    {"partner", CKP_COL_STR, 0},
    {"hs", CKP_COL_STR, 0},
    {"period", CKP_COL_STR, 0},
    {"value", CKP_COL_NUM, 0},
    {"qty", CKP_COL_NUM, 0},
    {"unit_value", CKP_COL_NUM, 4},
    {"median", CKP_COL_NUM, 4},
    {"robust_z", CKP_COL_NUM, 2},
    {"flag", CKP_COL_STR, 0},
    {"flow", CKP_COL_STR, 0},
    {"unit", CKP_COL_STR, 0},
    {"likely_hs", CKP_COL_STR, 0},
    {"pair_z", CKP_COL_NUM, 2},
    {"flows", CKP_COL_INT, 0},
    {"explanation", CKP_COL_STR, 0},
    /* then "synthetic" and "sources", as for every flow verb (verb.h) */
};

static const char *unit_name(int u)
{
    static const char *const names[] = {"",  "kg",    "number", "litre", "m2",
                                        "m3", "pair", "carat",  "other"};
    return u >= 0 && u <= CKP_UNIT_OTHER ? names[u] : "other";
}

/* One unit-value row in words: the value, the median of its peers, the
 * robust z, the route's own history, and why the flag. */
static void uv_explain(const ckp_uv_row *r, double thr, char *buf, size_t n)
{
    char v[40], q[40], hs6[16], per[16];
    v[0] = '$';
    ckp_format_thousands(r->value, 0, v + 1, sizeof v - 1);
    ckp_format_thousands(r->qty, 0, q, sizeof q);
    ckp_hs_format(r->hs, 6, hs6);
    ckp_period_format(r->period, per);
    const char *u = unit_name(r->unit);
    if (r->flag == CKP_UV_NO_QTY) {
        snprintf(buf, n, "%s with no quantity: no unit value", v);
        return;
    }
    int len = snprintf(buf, n, "%s for %s %s = $%.4g/%s", v, q, u, r->unit_value, u);
    if (len < 0 || (size_t)len >= n)
        return;
    buf += len;
    n -= (size_t)len;
    if (r->flag == CKP_UV_FEW || r->median != r->median) {
        len = snprintf(buf, n, "; only %d flows of %s in %s in %.4s: no distribution to compare",
                       r->n, hs6, u, per);
    } else {
        len = snprintf(buf, n, "; peers: the %d flows of %s in %s in %.4s (every reporter, both "
                       "directions), median $%.4g/%s (x%.2f of it), robust z %.2f", r->n, hs6, u,
                       per, r->median, u, r->unit_value / r->median, r->robust_z);
    }
    if (len < 0 || (size_t)len >= n)
        return;
    buf += len;
    n -= (size_t)len;
    if (r->pair_z == r->pair_z)
        len = snprintf(buf, n, "; against this route's own history pair_z %.1f", r->pair_z);
    else
        len = snprintf(buf, n, "; the route has under 6 periods of its own history");
    if (len < 0 || (size_t)len >= n)
        return;
    buf += len;
    n -= (size_t)len;
    int product = r->robust_z == r->robust_z && fabs(r->robust_z) >= thr;
    switch (r->flag) {
    case CKP_UV_MISCLASS:
        snprintf(buf, n, ": misclassification, the partner reports the same shipment (value and "
                 "unit value within x1.35) under another code, nothing under this one");
        break;
    case CKP_UV_BELOW_MARKET:
        snprintf(buf, n, ": below market, |z| >= %.1f and the exporter's other flows of the code "
                 "are low too (a price, not one invoice)", thr);
        break;
    case CKP_UV_OVER:
    case CKP_UV_UNDER:
        if (product)
            snprintf(buf, n, ": %s, |z| >= %.1f and not this route's usual price",
                     ckp_uv_flag_name(r->flag), thr);
        else
            snprintf(buf, n, ": %s, |pair_z| >= 5 and x2 off this route's usual price, net of the "
                     "product's move, and off the median the same way", ckp_uv_flag_name(r->flag));
        break;
    default:
        snprintf(buf, n, ": within the distribution (|z| < %.1f) or the route's usual price", thr);
        break;
    }
}

static ckp_status uv_run(ckp_env *env, const ckp_args *a, ckp_writer *w, char *summary,
                         size_t summary_len, ckp_error *err)
{
    ckp_writer_hint(w, "reporter partner hs period value unit_value median robust_z flag",
                    "explanation");
    ckp_uv_spec sp;
    memset(&sp, 0, sizeof sp);
    ckp_hsset *hs = NULL, *cmp = NULL;
    ckp_uv *u = NULL;
    long limit;
    ckp_status st = ckp_args_country(a, ckp_env_ref(env), "reporter", 0, &sp.reporter, err);
    if (st == CKP_OK)
        st = ckp_args_country(a, ckp_env_ref(env), "partner", 0, &sp.partner, err);
    if (st == CKP_OK)
        st = ckp_args_periods(a, &sp.from, &sp.to, err);
    if (st == CKP_OK)
        st = ckp_args_num(a, "threshold", 3.5, &sp.threshold, err);
    if (st == CKP_OK)
        st = ckp_args_int(a, "limit", 0, &limit, err);
    if (st == CKP_OK && !(sp.threshold > 0))
        st = ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--threshold takes a positive number");
    if (st == CKP_OK)
        st = ckp_args_num(a, "min-value", UV_MIN_VALUE, &sp.min_value, err);
    if (st == CKP_OK && !(sp.min_value >= 0))
        st = ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--min-value takes 0 or more (USD)");
    if (st == CKP_OK)
        st = ckp_args_hsset(a, ckp_env_ref(env), "hs", 1, &hs, err);
    if (st == CKP_OK)
        st = ckp_args_hsset(a, ckp_env_ref(env), "compare", 0, &cmp, err);
    if (st != CKP_OK)
        goto out;
    sp.hs = hs;
    sp.compare = cmp;
    sp.all = ckp_args_flag(a, "all");
    const ckp_store *store;
    st = ckp_env_store(env, &store, err);
    if (st == CKP_OK)
        st = ckp_uv_run(store, &sp, &u, err);
    if (st != CKP_OK)
        goto out;
    /* a row rests on its flow and on the flows it is compared with */
    ckp_answer_track(ckp_verb_answer(w));
    ckp_answer_sources(ckp_verb_answer(w), ckp_uv_sources(u));
    long counts[CKP_UV_FEW + 1];
    memset(counts, 0, sizeof counts);
    for (size_t i = 0; i < ckp_uv_count(u) && st == CKP_OK; i++) {
        const ckp_uv_row *r = ckp_uv_at(u, i);
        if (r->flag >= 0 && r->flag <= CKP_UV_FEW)
            counts[r->flag]++;
        if (limit > 0 && (long)i >= limit)
            continue;
        char fl[2] = {(char)r->flow, 0}, expl[600];
        uv_explain(r, sp.threshold, expl, sizeof expl);
        write_key(w, ckp_env_ref(env), r->reporter, r->partner, r->hs, r->period);
        ckp_writer_num(w, r->value);
        ckp_writer_num(w, r->qty);
        ckp_writer_num(w, r->unit_value);
        ckp_writer_num(w, r->median);
        ckp_writer_num(w, r->robust_z);
        ckp_writer_str(w, ckp_uv_flag_name(r->flag));
        ckp_writer_str(w, fl);
        ckp_writer_str(w, unit_name(r->unit));
        if (r->likely_hs)
            write_hs(w, r->likely_hs);
        else
            ckp_writer_null(w);
        ckp_writer_num(w, r->pair_z);
        ckp_writer_int(w, r->n);
        ckp_writer_str(w, expl);
        if (ckp_writer_end_row(w) != CKP_OK)
            st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write output");
    }
    if (summary && summary_len) {
        char mv[40];
        ckp_format_thousands(sp.min_value, 0, mv, sizeof mv);
        snprintf(summary, summary_len,
                 "%ld under-invoicing, %ld below-market, %ld misclassification, %ld "
                 "over-invoicing; %ld flows without a quantity (no unit value); %ld flows "
                 "under $%s not listed (--min-value)",
                 counts[CKP_UV_UNDER], counts[CKP_UV_BELOW_MARKET], counts[CKP_UV_MISCLASS],
                 counts[CKP_UV_OVER], ckp_uv_no_qty(u), ckp_uv_below_min(u), mv);
    }
out:
    ckp_uv_free(u);
    ckp_hsset_free(hs);
    ckp_hsset_free(cmp);
    return st;
}

CKP_VERB_DEFINE(unitvalue, 110, 1) = {
    "unitvalue",
    "--hs H [--period P | --from P --to P] [--threshold Z] [--min-value USD] [--all]",
    "unit values against the product's world distribution: outliers ranked",
    "Unit value = value / quantity (USD per kg or per unit) of each reported flow, against\n"
    "the distribution of its (HS code, unit, year): robust z = (ln uv - median) / (1.4826 MAD);\n"
    "and against the route's own history (pair_z, net of the product's common move).\n"
    "misclassification: the partner reports the same shipment under another code (scan both\n"
    "codes, or --compare); below_market: low, and the exporter's other flows of the code too;\n"
    "under_invoicing / over_invoicing: |z| >= threshold and not the route's usual price, or\n"
    "|pair_z| >= 5 and x2 off it while off the median the same way (|z| >= 1): a flow at\n"
    "the median is never flagged.  Flows under --min-value (default 10000 USD) are not\n"
    "listed but count as peers.  Quantity 0 or missing: no unit value (never inf).\n"
    "Method: docs/evasion.md.",
    uv_params,
    0,
    0,
    uv_columns,
    sizeof uv_columns / sizeof uv_columns[0],
    uv_run, NULL, NULL, 0};

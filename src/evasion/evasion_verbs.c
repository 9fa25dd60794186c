/* evasion_verbs.c — the `mirror` and `unitvalue` verbs (verb.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evasion_int.h"

static const char *iso(const ckp_ref *ref, int id)
{
    const ckp_country *c = ckp_ref_country(ref, id);
    return c ? c->iso3 : "?";
}

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
    ckp_writer_str(w, iso(ref, reporter));
    ckp_writer_str(w, iso(ref, partner));
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
     "only rows with this flag: phantom (both kinds), gap, ok, no_report…", 0, 1},
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

static int flag_matches(const char *want, int flag)
{
    if (!want)
        return 1;
    if (strcmp(want, "phantom") == 0)
        return flag == CKP_MIRROR_PHANTOM_EXPORT || flag == CKP_MIRROR_PHANTOM_IMPORT;
    return strcmp(want, ckp_mirror_flag_name(flag)) == 0;
}

static ckp_status mirror_run(ckp_env *env, const ckp_args *a, ckp_writer *w, char *summary,
                             size_t summary_len, ckp_error *err)
{
    ckp_mirror_spec sp;
    memset(&sp, 0, sizeof sp);
    ckp_hsset *hs = NULL;
    unsigned char *agg = NULL;
    ckp_mirror *m = NULL;
    long limit;
    const char *want = ckp_args_get(a, "flag");
    ckp_status st = ckp_args_country(a, env->ref, "reporter", 0, &sp.reporter, err);
    if (st == CKP_OK)
        st = ckp_args_country(a, env->ref, "partner", 0, &sp.partner, err);
    if (st == CKP_OK)
        st = ckp_args_periods(a, &sp.from, &sp.to, err);
    if (st == CKP_OK)
        st = ckp_args_num(a, "min-value", 0, &sp.min_value, err);
    if (st == CKP_OK)
        st = ckp_args_int(a, "limit", 0, &limit, err);
    if (st == CKP_OK && want && strcmp(want, "phantom") != 0) {
        int ok = 0;
        for (int f = CKP_MIRROR_OK; f <= CKP_MIRROR_NO_REPORT; f++)
            ok |= strcmp(want, ckp_mirror_flag_name(f)) == 0;
        if (!ok)
            st = ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                               "--flag takes phantom, phantom_export, phantom_import, gap, ok "
                               "or no_report (got '%s')", want);
    }
    if (st == CKP_OK)
        st = ckp_args_hsset(a, env->ref, "hs", 1, &hs, err);
    if (st != CKP_OK)
        return st;
    sp.hs = hs;
    agg = ckp__ev_aggregates(env->ref);
    if (!agg) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    sp.aggregate = agg;
    const ckp_store *store;
    st = ckp_env_store(env, &store, err);
    if (st == CKP_OK)
        st = ckp_mirror_run(store, &sp, ckp_ref_country_count(env->ref), &m, err);
    if (st != CKP_OK)
        goto out;
    long nphantom = 0, ngap = 0, nrows = 0;
    for (size_t i = 0; i < ckp_mirror_count(m) && st == CKP_OK; i++) {
        const ckp_mirror_row *r = ckp_mirror_at(m, i);
        nphantom += r->flag == CKP_MIRROR_PHANTOM_EXPORT || r->flag == CKP_MIRROR_PHANTOM_IMPORT;
        ngap += r->flag == CKP_MIRROR_GAP;
        if (!flag_matches(want, r->flag) || (limit > 0 && nrows >= limit))
            continue;
        nrows++;
        char fl[2] = {(char)r->flow, 0};
        write_key(w, env->ref, r->reporter, r->partner, r->hs, r->period);
        ckp_writer_num(w, r->reported_value);
        ckp_writer_num(w, r->mirror_value);
        ckp_writer_num(w, r->ratio);
        ckp_writer_num(w, r->cif_fob);
        ckp_writer_num(w, r->gap);
        ckp_writer_str(w, ckp_mirror_flag_name(r->flag));
        ckp_writer_str(w, fl);
        ckp_writer_num(w, r->reported_qty);
        ckp_writer_num(w, r->mirror_qty);
        ckp_writer_str(w, ckp_ciffob_source_name(r->cif_fob_source));
        ckp_writer_num(w, r->log_gap);
        ckp_writer_num(w, r->usual);
        ckp_writer_num(w, r->gap_z);
        ckp_writer_num(w, r->reliability);
        ckp_writer_num(w, r->partner_reliability);
        if (ckp_writer_end_row(w) != CKP_OK)
            st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write output");
    }
    if (summary && summary_len)
        snprintf(summary, summary_len,
                 "%zu flows compared: %ld phantom (one side only), %ld gaps far from the pair's "
                 "usual gap",
                 ckp_mirror_count(m), nphantom, ngap);
out:
    ckp_mirror_free(m);
    free(agg);
    ckp_hsset_free(hs);
    return st;
}

const ckp_verb ckp_verb_mirror = {
    "mirror",
    "--hs H [--reporter C] [--partner C2] [--period P | --from P --to P]",
    "exporter vs importer reports of the same flow: CIF/FOB-adjusted gaps and phantom flows",
    "Each flow is read twice: the exporter's FOB report and the importer's CIF report.  The\n"
    "CIF/FOB factor is estimated per pair and product (reported CIF and FOB, else the median\n"
    "importer/exporter ratio of the pair in the product, clamped to 1.00-1.20, else the pair\n"
    "over all products, the importer's reported factors, all reported factors, 1.06).\n"
    "gap = reported - mirror on a FOB basis; gap_z = distance from the pair's usual gap in\n"
    "robust standard deviations.  phantom_export: exported, never recorded as imported by a\n"
    "partner that reports imports that period (phantom_import: the reverse).  reliability:\n"
    "exp(-mean |log gap|) over all the country's matched flows (1 = always agrees).\n"
    "Method: docs/evasion.md.",
    mirror_params,
    0,
    0,
    mirror_columns,
    sizeof mirror_columns / sizeof mirror_columns[0],
    mirror_run};

/* ---- unitvalue ---------------------------------------------------------------- */

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
    /* then "synthetic" and "sources", as for every flow verb (verb.h) */
};

static const char *unit_name(int u)
{
    static const char *const names[] = {"",  "kg",    "number", "litre", "m2",
                                        "m3", "pair", "carat",  "other"};
    return u >= 0 && u <= CKP_UNIT_OTHER ? names[u] : "other";
}

static ckp_status uv_run(ckp_env *env, const ckp_args *a, ckp_writer *w, char *summary,
                         size_t summary_len, ckp_error *err)
{
    ckp_uv_spec sp;
    memset(&sp, 0, sizeof sp);
    ckp_hsset *hs = NULL, *cmp = NULL;
    ckp_uv *u = NULL;
    long limit;
    ckp_status st = ckp_args_country(a, env->ref, "reporter", 0, &sp.reporter, err);
    if (st == CKP_OK)
        st = ckp_args_country(a, env->ref, "partner", 0, &sp.partner, err);
    if (st == CKP_OK)
        st = ckp_args_periods(a, &sp.from, &sp.to, err);
    if (st == CKP_OK)
        st = ckp_args_num(a, "threshold", 3.5, &sp.threshold, err);
    if (st == CKP_OK)
        st = ckp_args_int(a, "limit", 0, &limit, err);
    if (st == CKP_OK && !(sp.threshold > 0))
        st = ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--threshold takes a positive number");
    if (st == CKP_OK)
        st = ckp_args_hsset(a, env->ref, "hs", 1, &hs, err);
    if (st == CKP_OK)
        st = ckp_args_hsset(a, env->ref, "compare", 0, &cmp, err);
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
    long counts[CKP_UV_FEW + 1];
    memset(counts, 0, sizeof counts);
    for (size_t i = 0; i < ckp_uv_count(u) && st == CKP_OK; i++) {
        const ckp_uv_row *r = ckp_uv_at(u, i);
        if (r->flag >= 0 && r->flag <= CKP_UV_FEW)
            counts[r->flag]++;
        if (limit > 0 && (long)i >= limit)
            continue;
        char fl[2] = {(char)r->flow, 0};
        write_key(w, env->ref, r->reporter, r->partner, r->hs, r->period);
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
        if (ckp_writer_end_row(w) != CKP_OK)
            st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write output");
    }
    if (summary && summary_len)
        snprintf(summary, summary_len,
                 "%ld under-invoicing, %ld below-market, %ld misclassification, %ld "
                 "over-invoicing; %ld flows without a quantity (no unit value)",
                 counts[CKP_UV_UNDER], counts[CKP_UV_BELOW_MARKET], counts[CKP_UV_MISCLASS],
                 counts[CKP_UV_OVER], ckp_uv_no_qty(u));
out:
    ckp_uv_free(u);
    ckp_hsset_free(hs);
    ckp_hsset_free(cmp);
    return st;
}

const ckp_verb ckp_verb_unitvalue = {
    "unitvalue",
    "--hs H [--period P | --from P --to P] [--threshold Z] [--all]",
    "unit values against the product's world distribution: outliers ranked",
    "Unit value = value / quantity (USD per kg or per unit) of each reported flow, against\n"
    "the distribution of its (HS code, unit, year): robust z = (ln uv - median) / (1.4826 MAD);\n"
    "and against the route's own history (pair_z, net of the product's common move).\n"
    "misclassification: the partner reports the same shipment under another code (scan both\n"
    "codes, or --compare); below_market: low, and the exporter's other flows of the code too;\n"
    "under_invoicing / over_invoicing: |z| >= threshold and not the route's usual price, or\n"
    "|pair_z| >= 5 and x2 off it.  Quantity 0 or missing: no unit value (never inf).\n"
    "Method: docs/evasion.md.",
    uv_params,
    0,
    0,
    uv_columns,
    sizeof uv_columns / sizeof uv_columns[0],
    uv_run};

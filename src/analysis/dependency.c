/* dependency.c — the `dependency` verb: one importer's suppliers of a product
 * (summed over the HS set), with shares, rank, HHI and top share, per period;
 * partners' export reports stand in (mirror) where the importer is silent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/analysis_int.h"
#include "chokepoint/coverage.h"
#include "core/cmp.h"
#include "core/vec.h"
#include "chokepoint/margin.h"

#define DEP_MAX_PAIRS 5000000 /* pair values held for one query */

typedef struct dep_pv {
    int32_t key;
    int supplier; /* store index */
    int side;
    double value, qty;
    unsigned levels;  /* CKP__LEVEL_BIT of the level answered */
    int from_detail;
    double detail;    /* ckp__pairval.detail */
    uint64_t sources; /* ckp_source_bit mask */
} dep_pv;

typedef struct dep_vec {
    dep_pv *v;
    size_t n, cap;
    int failed;
    int importer_idx;
} dep_vec;

static void dep_emit(const ckp__pairval *pv, void *ctx)
{
    dep_vec *d = ctx;
    if (d->failed)
        return;
    if (CKP_ARRAY_RESERVE(d->v, d->cap, d->n + 1, DEP_MAX_PAIRS, "pairs", NULL) != CKP_OK) {
        d->failed = 1;
        return;
    }
    dep_pv *e = &d->v[d->n++];
    e->key = pv->key;
    e->supplier = pv->exporter;
    e->side = pv->side;
    e->value = pv->value;
    e->qty = pv->qty;
    e->levels = CKP__LEVEL_BIT(pv->level);
    e->from_detail = pv->from_detail;
    e->detail = pv->detail;
    e->sources = pv->sources;
}

/* Both sides for one importer: its import reports and its partners' export
 * reports to it. */
static ckp_status collect_both(ckp_env *env, const ckp_store *store, const ckp_ref *ref, const ckp_hsset *hs,
                               int importer, int32_t from, int32_t to, int monthly,
                               dep_vec *d, ckp_error *err)
{
    ckp__collect c;
    memset(&c, 0, sizeof c);
    c.env = env;
    c.store = store;
    c.ref = ref;
    c.hs = hs;
    c.reporter = importer;
    c.partner = -1;
    c.from = from;
    c.to = to;
    c.monthly = monthly;
    c.want_m = 1;
    c.levels = 1;
    c.emit = dep_emit;
    c.ctx = d;
    ckp_status st = ckp__collect_run(&c, err);
    if (st != CKP_OK)
        return st;
    c.reporter = -1;
    c.partner = importer;
    c.want_m = 0;
    c.want_x = 1;
    st = ckp__collect_run(&c, err);
    if (st == CKP_OK && d->failed)
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "too many flows for one query");
    return st;
}

static int cmp_pv(const void *a, const void *b)
{
    const dep_pv *x = a, *y = b;
    return CKP_CMP_CHAIN(CKP_CMP(x->key, y->key), CKP_CMP(x->supplier, y->supplier),
                         CKP_CMP(x->side, y->side));
}

/* The one CIF/FOB margin (margin.h) over the importer's flows in d (sorted
 * by key: a year's keys are together): each (year, supplier) side's figure
 * is its annual rows when it has any, else its months, summed over the HS
 * set.  nsc: country indexes.  NaN when out of memory. */
static double estimate_margin(const dep_vec *d, int nsc, char *how, size_t howlen)
{
    double (*sum)[4] = calloc((size_t)(nsc ? nsc : 1), sizeof *sum); /* [side][annual] */
    unsigned char *ann = calloc((size_t)(nsc ? nsc : 1), 1); /* 1 M, 2 X: an annual row */
    unsigned char *seen = calloc((size_t)(nsc ? nsc : 1), 1);
    double m = NAN;
    if (!sum || !ann || !seen)
        goto out;
    ckp_margin_acc acc = {0, 0, 0};
    for (size_t i = 0; i < d->n;) {
        size_t j = i;
        for (; j < d->n && d->v[j].key / 100 == d->v[i].key / 100; j++) {
            const dep_pv *p = &d->v[j];
            int x = p->side == 'X', a = p->key % 100 == 0;
            sum[p->supplier][x * 2 + a] += p->value;
            ann[p->supplier] |= (unsigned char)(a << x);
            seen[p->supplier] = 1;
        }
        for (; i < j; i++) { /* each supplier of the year once */
            int sp = d->v[i].supplier;
            if (!seen[sp])
                continue;
            ckp_margin_add(&acc, sum[sp][(ann[sp] & 1) != 0], sum[sp][2 + ((ann[sp] & 2) != 0)]);
            memset(sum[sp], 0, sizeof sum[sp]);
            ann[sp] = seen[sp] = 0;
        }
    }
    m = ckp_margin_estimate(&acc, how, howlen, NULL);
out:
    free(sum);
    free(ann);
    free(seen);
    return m;
}

typedef enum { MIRROR_AUTO, MIRROR_ON, MIRROR_OFF } mirror_mode;

static const ckp_param params[] = {
    {"importer", CKP_PARAM_STR, "C", "the importing country (ISO3)", 1, 1},
    {"hs", CKP_PARAM_LIST, "H", "HS codes, prefixes, TOTAL or a group (summed; a chapter, "
                                "heading or TOTAL answers at its level)", 1, 1},
    {"period", CKP_PARAM_STR, "P", "one period, YYYY or YYYY-MM", 0, 1},
    {"from", CKP_PARAM_STR, "P", "first period", 0, 1},
    {"to", CKP_PARAM_STR, "P", "last period", 0, 1},
    {"mirror", CKP_PARAM_STR, "auto|on|off",
     "use partners' export reports: auto = when the importer does not report (default)", 0, 1},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column columns[] = {
    {"importer", CKP_COL_STR, 0},  {"hs", CKP_COL_STR, 0},        {"period", CKP_COL_STR, 0},
    {"supplier", CKP_COL_STR, 0},  {"value", CKP_COL_NUM, 0},     {"share", CKP_COL_NUM, 4},
    {"rank", CKP_COL_INT, 0},      {"hhi", CKP_COL_NUM, 0},       {"source", CKP_COL_STR, 0},
    {"top_share", CKP_COL_NUM, 4}, {"total", CKP_COL_NUM, 0},     {"suppliers", CKP_COL_INT, 0},
    {"qty", CKP_COL_NUM, 0},       {"cif_fob", CKP_COL_NUM, 4},   {"supplier_name", CKP_COL_STR, 0},
    {"level", CKP_COL_STR, 0},     {"from_detail", CKP_COL_JSON, 0},
    {"detail_value", CKP_COL_NUM, 0}};

typedef struct sup {
    int idx;
    double value, qty;
    unsigned levels;
    int from_detail;
    double detail; /* sum of the finer rows beside the reported aggregates
                      that answered; NaN when there were none */
    uint64_t sources; /* of the reports summed into the row */
} sup;

static int cmp_sup(const void *a, const void *b)
{
    const sup *x = a, *y = b;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return x->idx - y->idx;
}

static int has_month(int32_t p) { return p && p % 100 != 0; }

static ckp_status run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                      size_t summary_len, ckp_error *err)
{
    /* the table on a terminal: who, how much, reported or mirror */
    ckp_writer_hint(w, "period supplier value share rank source supplier_name", NULL);
    const ckp_ref *ref = ckp_env_ref(env);
    int importer;
    ckp_hsset *hs = NULL;
    int32_t from, to;
    mirror_mode mode = MIRROR_AUTO;
    ckp_status st = ckp_args_country(args, ref, "importer", 1, &importer, err);
    if (st != CKP_OK)
        return st;
    st = ckp_args_periods(args, &from, &to, err);
    if (st != CKP_OK)
        return st;
    const char *ms = ckp_args_get(args, "mirror");
    if (ms) {
        if (strcasecmp(ms, "on") == 0)
            mode = MIRROR_ON;
        else if (strcasecmp(ms, "off") == 0)
            mode = MIRROR_OFF;
        else if (strcasecmp(ms, "auto") != 0)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--mirror takes auto, on or off (got '%s')", ms);
    }
    st = ckp_args_hsset(args, ref, "hs", 1, &hs, err);
    if (st != CKP_OK)
        return st;
    const ckp_store *store;
    st = ckp_env_store(env, &store, err);
    if (st != CKP_OK)
        goto out_hs;
    int monthly = has_month(from) || has_month(to);
    dep_vec d;
    memset(&d, 0, sizeof d);
    if (!ckp_env_flows(env))
        ckp_answer_track(ckp_verb_answer(w)); /* each row names its sources */
    /* every period: the margin is estimated over all years */
    st = collect_both(env, store, ref, hs, importer, 0, 0, monthly, &d, err);
    if (st != CKP_OK)
        goto out_vec;
    if (d.n > 1) /* d.v is NULL when nothing matched */
        qsort(d.v, d.n, sizeof *d.v, cmp_pv);
    char how[96] = "";
    double margin = NAN;
    int nsc = ckp__ncountries(env);
    sup *sups = malloc((size_t)(nsc ? nsc : 1) * sizeof *sups);
    if (!sups) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_vec;
    }
    char hsl[256];
    ckp__hs_label(args, hsl, sizeof hsl);
    const char *imp3 = ckp_ref_iso3(ref, importer);
    int rows = 0, mirrored = 0;
    char last_sum[900] = "";
    struct {
        int32_t key;
        int mirror, supplier;
        double top, hhi;
    } last = {0, 0, -1, NAN, NAN};
    for (size_t i = 0; i < d.n;) {
        int32_t key = d.v[i].key;
        size_t j = i;
        while (j < d.n && d.v[j].key == key)
            j++;
        if (!ckp_period_covers(from, to, key)) {
            i = j;
            continue;
        }
        int want = 'M';
        if (mode == MIRROR_ON)
            want = 'X';
        else if (mode == MIRROR_AUTO) {
            int reports = ckp__reports(env, importer, 'M', key / 100);
            int have_m = 0;
            for (size_t k = i; k < j; k++)
                have_m |= d.v[k].side == 'M';
            if (!reports || !have_m)
                want = 'X';
        }
        if (want == 'X' && isnan(margin)) {
            margin = estimate_margin(&d, nsc, how, sizeof how);
            if (isnan(margin)) {
                st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
                goto out_sups;
            }
        }
        int ns = 0;
        double total = 0;
        for (size_t k = i; k < j; k++) {
            if (d.v[k].side != want)
                continue;
            double v = want == 'X' ? d.v[k].value * (1 + margin) : d.v[k].value;
            double dv = want == 'X' ? d.v[k].detail * (1 + margin) : d.v[k].detail;
            if (ns && sups[ns - 1].idx == d.v[k].supplier) {
                sup *s = &sups[ns - 1];
                s->value += v;
                s->qty += d.v[k].qty;
                s->levels |= d.v[k].levels;
                s->from_detail |= d.v[k].from_detail;
                if (!isnan(dv))
                    s->detail = isnan(s->detail) ? dv : s->detail + dv;
                s->sources |= d.v[k].sources;
            } else {
                sups[ns].idx = d.v[k].supplier;
                sups[ns].value = v;
                sups[ns].qty = d.v[k].qty;
                sups[ns].levels = d.v[k].levels;
                sups[ns].from_detail = d.v[k].from_detail;
                sups[ns].detail = dv;
                sups[ns].sources = d.v[k].sources;
                ns++;
            }
            total += v;
        }
        i = j;
        if (ns == 0)
            continue;
        qsort(sups, (size_t)ns, sizeof *sups, cmp_sup);
        double vals[1024];
        int nv = ns < 1024 ? ns : 1024;
        for (int k = 0; k < nv; k++)
            vals[k] = sups[k].value;
        double hhi = ckp_hhi(vals, (size_t)nv);
        double top = total > 0 ? sups[0].value / total : NAN;
        for (int k = 0; k < ns; k++) {
            int sid = ckp__country(env, sups[k].idx);
            ckp_writer_str(w, imp3);
            ckp_writer_str(w, hsl);
            ckp__period_cell(w, key);
            ckp_writer_str(w, ckp_ref_iso3(ref, sid));
            ckp_writer_num(w, sups[k].value);
            ckp_writer_num(w, total > 0 ? sups[k].value / total : NAN);
            ckp_writer_int(w, k + 1);
            ckp_writer_num(w, hhi);
            ckp_writer_str(w, want == 'X' ? "mirror" : "reported");
            ckp_writer_num(w, top);
            ckp_writer_num(w, total);
            ckp_writer_int(w, ns);
            ckp_writer_num(w, sups[k].qty);
            if (want == 'X')
                ckp_writer_num(w, margin);
            else
                ckp_writer_null(w);
            ckp_writer_str(w, ckp__name(ref, sid));
            ckp__level_cell(w, sups[k].levels);
            ckp__bool_cell(w, sups[k].from_detail);
            ckp_writer_num(w, sups[k].detail);
            /* the row rests on the reports of its side only */
            ckp_answer_row_sources(ckp_verb_answer(w), sups[k].sources);
            st = ckp_writer_end_row(w);
            if (st != CKP_OK) {
                ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
                goto out_sups;
            }
            rows++;
        }
        mirrored += want == 'X';
        last.key = key;
        last.mirror = want == 'X';
        last.top = top;
        last.hhi = hhi;
        last.supplier = ckp__country(env, sups[0].idx);
    }
    if (rows > 0 && summary && summary_len) {
        /* the last period's sentence; a thin coverage words it as a share
         * of the flows reported, not of the importer's imports */
        char pb[16], hb[32], lead[400];
        ckp_coverage cov;
        ckp_cov_scope scope = {CKP_COV_IMPORTER, hs, last.key, importer, last.mirror, {0}, 0,
                               NULL};
        st = ckp_coverage_of(env, &scope, &cov, err);
        if (st != CKP_OK)
            goto out_sups;
        ckp_coverage_lead(&cov, lead, sizeof lead);
        /* a summary may be cut short: the return value says so, no harm */
        if (cov.thin &&
            snprintf(last_sum, sizeof last_sum,
                     "thin coverage: %s%s supplied %.0f %% of %s going to %s in %s, HHI %s%s%s",
                     lead, ckp__name(ref, last.supplier), 100 * last.top, hsl,
                     ckp__name(ref, importer), ckp_period_format(last.key, pb),
                     ckp_format_thousands(last.hhi, 0, hb, sizeof hb),
                     last.mirror ? " (mirror: partners' export reports, CIF/FOB " : "",
                     last.mirror ? how : "") < 0)
            last_sum[0] = '\0';
        if (!cov.thin &&
            snprintf(last_sum, sizeof last_sum,
                     "%s supplied %.0f %% of %s's imports of %s in %s, HHI %s%s%s",
                     ckp__name(ref, last.supplier), 100 * last.top, ckp__name(ref, importer), hsl,
                     ckp_period_format(last.key, pb),
                     ckp_format_thousands(last.hhi, 0, hb, sizeof hb),
                     last.mirror ? " (mirror: partners' export reports, CIF/FOB " : "",
                     last.mirror ? how : "") < 0)
            last_sum[0] = '\0';
        if (last.mirror)
            strncat(last_sum, ")", sizeof last_sum - strlen(last_sum) - 1);
    }
    if (rows == 0)
        ckp__summary(summary, summary_len, "no imports of %s by %s in the store for the period",
                     hsl, ckp__name(ref, importer));
    else
        ckp__summary(summary, summary_len, "%s", last_sum);
out_sups:
    free(sups);
out_vec:
    free(d.v);
out_hs:
    ckp_hsset_free(hs);
    return st;
}

CKP_VERB_DEFINE(dependency, 20, 1) = {
    "dependency",
    "--importer C --hs H [--period P | --from P --to P] [--mirror auto|on|off]",
    "supplier shares, rank, HHI and top-supplier share of one importer's imports",
    "One row per supplier per period, the HS set summed.  Years by default (monthly\n"
    "data summed to the year; a year's annual row is preferred when both exist); a\n"
    "monthly --period/--from/--to gives months.  When the importer does not report\n"
    "imports for a year (Russia from 2022), or with --mirror on, the partners' export\n"
    "reports stand in, raised by a CIF/FOB margin estimated from the years when both\n"
    "sides report (else 6 %), and the rows say source=mirror.  Aggregate partners\n"
    "(World, areas nes) are skipped.  HHI on the 0-10,000 scale.  --hs TOTAL, a\n"
    "chapter (28) or a heading (2846) answers at that level: a reported TOTAL,\n"
    "chapter or heading row answers for its flow and is never added to its detail;\n"
    "else its finer rows are summed (level, from_detail; detail_value is the sum of\n"
    "the finer rows beside a reported aggregate).",
    params,
    0,
    0,
    columns,
    sizeof columns / sizeof columns[0],
    run, NULL, NULL, 0};

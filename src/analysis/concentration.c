/* concentration.c — the `concentration` verb (world shares and HHI of a
 * product by exporter, importer or producer) and the `production` verb (the
 * USGS tables: one commodity by country, or every commodity's top producer). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/analysis_int.h"
#include "chokepoint/coverage.h"

/* ---- production tables: one commodity × year ---------------------------- */

typedef struct prod_view {
    const ckp_prod_row *rows[512];
    int n;
    double world;        /* the World total row, or Σ rows when absent */
    int world_reported;
    double hhi;          /* over country rows, shares of `world` */
    int year;
    const char *edition, *type, *unit;
} prod_view;

static int cmp_prow(const void *a, const void *b)
{
    const ckp_prod_row *x = *(const ckp_prod_row *const *)a, *y = *(const ckp_prod_row *const *)b;
    int xn = isnan(x->value), yn = isnan(y->value);
    if (xn != yn)
        return xn - yn;
    if (!xn && x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The latest year ≤ year (0 = any) with rows for commodity. */
static int latest_year(const ckp_production *p, const char *commodity, int year, int numeric)
{
    int best = 0;
    for (int i = 0; i < ckp_production_count(p); i++) {
        const ckp_prod_row *r = ckp_production_at(p, i);
        if (strcmp(r->commodity, commodity) != 0 || (year && r->year > year))
            continue;
        if (numeric && (isnan(r->value) || r->is_world))
            continue;
        if (r->year > best)
            best = r->year;
    }
    return best;
}

/* Fill v for commodity × year: the newest edition with a country figure for
 * that year (else the newest with rows), its first production type. */
static void prod_view_build(const ckp_production *p, const char *commodity, int year, prod_view *v)
{
    memset(v, 0, sizeof *v);
    v->year = year;
    const char *ed = NULL, *ed_any = NULL;
    for (int i = 0; i < ckp_production_count(p); i++) {
        const ckp_prod_row *r = ckp_production_at(p, i);
        if (strcmp(r->commodity, commodity) != 0 || r->year != year)
            continue;
        if (!ed_any || strcmp(r->edition, ed_any) > 0)
            ed_any = r->edition;
        if (!isnan(r->value) && !r->is_world && (!ed || strcmp(r->edition, ed) > 0))
            ed = r->edition;
    }
    if (!ed)
        ed = ed_any;
    if (!ed)
        return;
    v->edition = ed;
    for (int i = 0; i < ckp_production_count(p) && v->n < 512; i++) {
        const ckp_prod_row *r = ckp_production_at(p, i);
        if (strcmp(r->commodity, commodity) != 0 || r->year != year || strcmp(r->edition, ed) != 0)
            continue;
        if (!v->type) {
            v->type = r->type;
            v->unit = r->unit;
        }
        if (strcmp(r->type, v->type) != 0)
            continue;
        if (r->is_world) {
            if (!isnan(r->value)) {
                v->world = r->value;
                v->world_reported = 1;
            }
            continue;
        }
        v->rows[v->n++] = r;
    }
    if (!v->world_reported)
        for (int i = 0; i < v->n; i++)
            v->world += isnan(v->rows[i]->value) ? 0 : v->rows[i]->value;
    qsort(v->rows, (size_t)v->n, sizeof v->rows[0], cmp_prow);
    double sq = 0;
    int known = 0;
    for (int i = 0; i < v->n; i++) {
        const ckp_prod_row *r = v->rows[i];
        if (r->is_other || isnan(r->value) || v->world <= 0)
            continue;
        double s = 100.0 * r->value / v->world;
        sq += s * s;
        known++;
    }
    v->hhi = known ? sq : NAN; /* no figure at all (germanium): unknown */
}

static const char *row_country(const ckp_ref *ref, const ckp_prod_row *r)
{
    return r->country >= 0 ? ckp_ref_iso3(ref, r->country) : r->name;
}

/* A producer's cells: country, value, share of the world, rank (null for
 * withheld or "other" rows; *rank counts the ranked ones), the HHI. */
static void write_producer(ckp_writer *w, const ckp_ref *ref, const prod_view *v,
                           const ckp_prod_row *r, int *rank)
{
    ckp_writer_str(w, row_country(ref, r));
    ckp_writer_num(w, r->value);
    ckp_writer_num(w, !isnan(r->value) && v->world > 0 ? r->value / v->world : NAN);
    if (!isnan(r->value) && !r->is_other)
        ckp_writer_int(w, ++*rank);
    else
        ckp_writer_null(w);
    ckp_writer_num(w, v->hhi);
}

/* ---- concentration ------------------------------------------------------- */

static const ckp_param conc_params[] = {
    {"hs", CKP_PARAM_LIST, "H", "HS codes, prefixes, TOTAL or a group (a chapter, heading or "
                                "TOTAL answers at its level; producer side: also a USGS "
                                "commodity name)", 1, 1},
    {"period", CKP_PARAM_STR, "P", "one year", 0, 1},
    {"from", CKP_PARAM_STR, "P", "first year", 0, 1},
    {"to", CKP_PARAM_STR, "P", "last year", 0, 1},
    {"side", CKP_PARAM_STR, "exporter|importer|producer", "whose shares (default exporter)", 0,
     1},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column conc_columns[] = {
    {"hs", CKP_COL_STR, 0},        {"period", CKP_COL_STR, 0},   {"side", CKP_COL_STR, 0},
    {"country", CKP_COL_STR, 0},   {"value", CKP_COL_NUM, 0},   {"share", CKP_COL_NUM, 4},
    {"rank", CKP_COL_INT, 0},      {"hhi", CKP_COL_NUM, 0},      {"name", CKP_COL_STR, 0},
    {"unit", CKP_COL_STR, 0},      {"commodity", CKP_COL_STR, 0}, {"source", CKP_COL_STR, 0},
    {"mirror_share", CKP_COL_NUM, 4}, {"level", CKP_COL_STR, 0},  {"from_detail", CKP_COL_JSON, 0}};

static ckp_status producer_side(ckp_env *env, const ckp_args *args, const char *hsl,
                                int32_t from, int32_t to, ckp_writer *w, char *summary,
                                size_t summary_len, ckp_error *err)
{
    const ckp_ref *ref = ckp_env_ref(env);
    const ckp_production *p;
    ckp_status st = ckp_production_from_env(env, &p, err);
    if (st != CKP_OK)
        return st;
    const char *names[8];
    int nn = ckp_production_commodities(p, hsl, NULL, names, 8);
    if (nn == 0) {
        ckp_hsset *set = NULL;
        st = ckp_args_hsset(args, ref, "hs", 1, &set, err);
        if (st != CKP_OK)
            return st;
        nn = ckp_production_commodities(p, NULL, set, names, 8);
        ckp_hsset_free(set);
    }
    if (nn == 0)
        return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                             "no USGS production table covers %s (see data/production/"
                             "hs_commodity.csv)", hsl);
    const char *com = names[0];
    int y0 = from ? CKP_PERIOD_YEAR(from) : 0, y1 = to ? CKP_PERIOD_YEAR(to) : 0;
    if (!y0 && !y1) {
        y0 = y1 = latest_year(p, com, 0, 1);
        if (!y0)
            y0 = y1 = latest_year(p, com, 0, 0);
    } else if (!y0 || !y1) {
        y0 = y0 ? y0 : y1;
        y1 = y1 ? y1 : latest_year(p, com, 0, 0);
    }
    char last[900] = "";
    for (int y = y0; y && y <= y1; y++) {
        prod_view v;
        prod_view_build(p, com, y, &v);
        if (!v.n)
            continue;
        char per[8], src[96];
        snprintf(per, sizeof per, "%04d", y % 10000);
        snprintf(src, sizeof src, "USGS %s: %s", v.edition, v.type ? v.type : "");
        int rank = 0;
        for (int i = 0; i < v.n; i++) {
            const ckp_prod_row *r = v.rows[i];
            ckp_writer_str(w, hsl);
            ckp_writer_str(w, per);
            ckp_writer_str(w, "producer");
            write_producer(w, ref, &v, r, &rank);
            ckp_writer_str(w, r->withheld ? "withheld (W)" : r->name);
            ckp_writer_str(w, v.unit);
            ckp_writer_str(w, com);
            ckp_writer_str(w, src);
            ckp_writer_null(w);
            ckp__levels_cells(w, 0); /* USGS commodities, not store rows */
            st = ckp_writer_end_row(w);
            if (st != CKP_OK)
                return ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
        }
        const ckp_prod_row *top = v.n ? v.rows[0] : NULL;
        if (top && !isnan(top->value) && v.world > 0) {
            char hb[32];
            snprintf(last, sizeof last,
                     "%s produced %.0f %% of the world's %s in %d (%s %s), HHI %s (USGS %s)",
                     top->name, 100 * top->value / v.world, com, y, v.type ? v.type : "",
                     v.unit ? v.unit : "", ckp_format_thousands(v.hhi, 0, hb, sizeof hb),
                     v.edition);
        } else {
            snprintf(last, sizeof last,
                     "USGS %s gives no country production figures for %s in %d (NA or withheld)",
                     v.edition, com, y);
        }
    }
    if (nn > 1) {
        size_t l = strlen(last);
        snprintf(last + l, sizeof last - l, "; %s also maps to", hsl);
        for (int i = 1; i < nn; i++) {
            l = strlen(last);
            snprintf(last + l, sizeof last - l, " %s", names[i]);
        }
    }
    ckp__summary(summary, summary_len, "%s", last[0] ? last : "no production figures");
    return CKP_OK;
}

typedef struct cval {
    int idx;
    double value, mirror;
    int lev; /* ckp__levels_of its values */
} cval;

static int cmp_cval(const void *a, const void *b)
{
    const cval *x = a, *y = b;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return x->idx - y->idx;
}

static ckp_status trade_side(ckp_env *env, const ckp_args *args, const char *hsl, int side,
                             int32_t from, int32_t to, ckp_writer *w, char *summary,
                             size_t summary_len, ckp_error *err)
{
    const ckp_ref *ref = ckp_env_ref(env);
    ckp_hsset *set = NULL;
    ckp__pairs pairs;
    memset(&pairs, 0, sizeof pairs);
    cval *cv = NULL;
    ckp_status st = ckp_args_hsset(args, ref, "hs", 1, &set, err);
    if (st != CKP_OK)
        return st;
    const ckp_store *store;
    st = ckp_env_store(env, &store, err);
    if (st != CKP_OK)
        goto out;
    st = ckp__pairs_collect(env, store, ref, set, from, to, ckp_verb_answer(w), &pairs, err);
    if (st != CKP_OK)
        goto out;
    int nsc = ckp__ncountries(env);
    cv = malloc((size_t)(nsc ? nsc : 1) * sizeof *cv);
    if (!cv) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    char last[900] = "";
    struct {
        int32_t year;
        int country;
        double share, tot, hhi;
    } lastv = {0, -1, NAN, NAN, NAN};
    for (size_t i = 0; i < pairs.n;) {
        int32_t y = pairs.v[i].year;
        for (int k = 0; k < nsc; k++) {
            cv[k].idx = k;
            cv[k].value = cv[k].mirror = 0;
            cv[k].lev = 0;
        }
        size_t j = i;
        for (; j < pairs.n && pairs.v[j].year == y; j++) {
            int mir;
            double v = ckp__pair_value(&pairs.v[j], side, CKP_CIF_FOB_DEFAULT, &mir);
            int c = side == 'X' ? pairs.v[j].exporter : pairs.v[j].importer;
            cv[c].value += v;
            cv[c].lev |= ckp__pair_levels(&pairs.v[j], side, mir);
            if (mir)
                cv[c].mirror += v;
        }
        i = j;
        qsort(cv, (size_t)nsc, sizeof *cv, cmp_cval);
        double tot = 0, sq = 0;
        int n = 0;
        while (n < nsc && cv[n].value > 0)
            tot += cv[n++].value;
        if (tot <= 0)
            continue;
        for (int k = 0; k < n; k++) {
            double s = 100 * cv[k].value / tot;
            sq += s * s;
        }
        char per[8];
        snprintf(per, sizeof per, "%04d", y % 10000);
        for (int k = 0; k < n; k++) {
            int id = ckp__country(env, cv[k].idx);
            ckp_writer_str(w, hsl);
            ckp_writer_str(w, per);
            ckp_writer_str(w, side == 'X' ? "exporter" : "importer");
            ckp_writer_str(w, ckp_ref_iso3(ref, id));
            ckp_writer_num(w, cv[k].value);
            ckp_writer_num(w, cv[k].value / tot);
            ckp_writer_int(w, k + 1);
            ckp_writer_num(w, sq);
            ckp_writer_str(w, ckp__name(ref, id));
            ckp_writer_str(w, "USD");
            ckp_writer_null(w);
            ckp_writer_str(w, "store");
            ckp_writer_num(w, cv[k].mirror / cv[k].value);
            ckp__levels_cells(w, cv[k].lev);
            st = ckp_writer_end_row(w);
            if (st != CKP_OK) {
                ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
                goto out;
            }
        }
        lastv.year = y;
        lastv.country = ckp__country(env, cv[0].idx);
        lastv.share = cv[0].value / tot;
        lastv.tot = tot;
        lastv.hhi = sq;
    }
    if (lastv.year && summary && summary_len) {
        char hb[32], vb[32], lead[400];
        /* the last year's sentence; a thin coverage words it as a share of
         * the flows reported, never of world trade */
        ckp_coverage cov;
        ckp_cov_scope scope = {CKP_COV_WORLD, set, (int32_t)(lastv.year % 10000) * 100, -1, 0,
                               {0}, 0, side == 'X' ? "exports" : "imports"};
        st = ckp_coverage_of(env, &scope, &cov, err);
        if (st != CKP_OK)
            goto out;
        if (cov.thin)
            snprintf(last, sizeof last,
                     "thin coverage: %s%s %s %.0f %% of the %s of %s in %d (%s USD in all), HHI %s",
                     ckp_coverage_lead(&cov, lead, sizeof lead), ckp__name(ref, lastv.country),
                     side == 'X' ? "made" : "took", 100 * lastv.share,
                     side == 'X' ? "exports" : "imports", hsl, (int)lastv.year,
                     ckp_format_thousands(lastv.tot, 0, vb, sizeof vb),
                     ckp_format_thousands(lastv.hhi, 0, hb, sizeof hb));
        else
            snprintf(last, sizeof last,
                     "%s %s %.0f %% of world %s of %s in %d (%s USD in all), HHI %s",
                     ckp__name(ref, lastv.country), side == 'X' ? "made" : "took",
                     100 * lastv.share, side == 'X' ? "exports" : "imports", hsl,
                     (int)lastv.year, ckp_format_thousands(lastv.tot, 0, vb, sizeof vb),
                     ckp_format_thousands(lastv.hhi, 0, hb, sizeof hb));
    }
    ckp__summary(summary, summary_len, "%s", last[0] ? last : "no trade in the store for this product and period");
out:
    free(cv);
    ckp__pairs_free(&pairs);
    ckp_hsset_free(set);
    return st;
}

static ckp_status conc_run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                           size_t summary_len, ckp_error *err)
{
    int32_t from, to;
    ckp_status st = ckp_args_periods(args, &from, &to, err);
    if (st != CKP_OK)
        return st;
    const char *side = ckp_args_get(args, "side");
    char hsl[256];
    ckp__hs_label(args, hsl, sizeof hsl);
    if (!side || strcasecmp(side, "exporter") == 0)
        return trade_side(env, args, hsl, 'X', from, to, w, summary, summary_len, err);
    if (strcasecmp(side, "importer") == 0)
        return trade_side(env, args, hsl, 'M', from, to, w, summary, summary_len, err);
    if (strcasecmp(side, "producer") == 0 && ckp__partial_writing(env))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--side producer has no partial results: the USGS tables are "
                             "not sharded (docs/scale.md)");
    if (strcasecmp(side, "producer") == 0) {
        ckp_answer_drop_caveat(ckp_verb_answer(w)); /* USGS tables, not HS trade */
        return producer_side(env, args, hsl, from, to, w, summary, summary_len, err);
    }
    return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                         "--side takes exporter, importer or producer (got '%s')", side);
}

CKP_VERB_DEFINE(concentration, 50, 1) = {
    "concentration",
    "--hs H [--period P | --from P --to P] [--side exporter|importer|producer]",
    "world concentration of a product's exports, imports or production: shares and HHI",
    "exporter/importer: from the store, one row per country per year; a flow counts\n"
    "once, from the side's own report, else from the partner's report adjusted by the\n"
    "default 6 % CIF/FOB margin (mirror_share says how much).  producer: from the USGS\n"
    "Mineral Commodity Summaries tables (data/production), the newest edition giving\n"
    "the year; --hs may be a commodity name (gallium, rare-earths, platinum-group…).\n"
    "Shares of the USGS world total; 'Other countries' rows are shown but not ranked\n"
    "and left out of the HHI (0-10,000), which is then a lower bound.",
    conc_params,
    0,
    0,
    conc_columns,
    sizeof conc_columns / sizeof conc_columns[0],
    conc_run, NULL, NULL, 0};

/* ---- production ------------------------------------------------------------ */

static const ckp_param prod_params[] = {
    {"hs", CKP_PARAM_LIST, "H", "a commodity name or HS codes (default: every commodity's top "
                                "producer)", 0, 1},
    {"period", CKP_PARAM_STR, "P", "one year (default: the latest with figures)", 0, 1},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column prod_columns[] = {
    {"commodity", CKP_COL_STR, 0}, {"period", CKP_COL_STR, 0}, {"country", CKP_COL_STR, 0},
    {"value", CKP_COL_NUM, -1},    {"share", CKP_COL_NUM, 4},  {"rank", CKP_COL_INT, 0},
    {"hhi", CKP_COL_NUM, 0},       {"world", CKP_COL_NUM, -1}, {"unit", CKP_COL_STR, 0},
    {"type", CKP_COL_STR, 0},      {"source", CKP_COL_STR, 0}, {"name", CKP_COL_STR, 0}};

static ckp_status prod_run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                           size_t summary_len, ckp_error *err)
{
    const ckp_ref *ref = ckp_env_ref(env);
    const ckp_production *p;
    int32_t from = 0, to = 0;
    ckp_status st = ckp_args_periods(args, &from, &to, err);
    if (st == CKP_OK)
        st = ckp_production_from_env(env, &p, err);
    if (st != CKP_OK)
        return st;
    const char *names[64];
    int nn = 0;
    char hsl[256];
    ckp__hs_label(args, hsl, sizeof hsl);
    int all = !hsl[0];
    if (all) {
        /* every commodity: one name per distinct commodity in load order */
        for (int i = 0; i < ckp_production_count(p) && nn < 64; i++) {
            const char *c = ckp_production_at(p, i)->commodity;
            int seen = 0;
            for (int k = 0; k < nn && !seen; k++)
                seen = names[k] == c;
            if (!seen)
                names[nn++] = c;
        }
    } else {
        nn = ckp_production_commodities(p, hsl, NULL, names, 1);
        if (!nn) {
            ckp_hsset *set = NULL;
            st = ckp_args_hsset(args, ref, "hs", 1, &set, err);
            if (st != CKP_OK)
                return st;
            nn = ckp_production_commodities(p, NULL, set, names, 8);
            ckp_hsset_free(set);
        }
        if (!nn)
            return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                                 "no USGS production table covers %s", hsl);
    }
    int shown = 0, topc = 0;
    for (int c = 0; c < nn; c++) {
        int y = from ? CKP_PERIOD_YEAR(from) : latest_year(p, names[c], 0, 1);
        if (!y)
            y = latest_year(p, names[c], 0, 0);
        prod_view v;
        prod_view_build(p, names[c], y, &v);
        char per[8], src[32];
        snprintf(per, sizeof per, "%04d", y % 10000);
        snprintf(src, sizeof src, "USGS %s", v.edition ? v.edition : "");
        int rank = 0;
        for (int i = 0; i < v.n && (!all || i < 1); i++) {
            const ckp_prod_row *r = v.rows[i];
            ckp_writer_str(w, names[c]);
            ckp_writer_str(w, per);
            write_producer(w, ref, &v, r, &rank);
            ckp_writer_num(w, v.world_reported ? v.world : NAN);
            ckp_writer_str(w, v.unit);
            ckp_writer_str(w, v.type);
            ckp_writer_str(w, src);
            ckp_writer_str(w, r->withheld ? "withheld (W)" : r->name);
            st = ckp_writer_end_row(w);
            if (st != CKP_OK)
                return ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
            shown++;
            if (all && i == 0 && r->country >= 0 &&
                strcmp(ckp_ref_iso3(ref, r->country), "CHN") == 0 &&
                !isnan(r->value))
                topc++;
        }
    }
    if (all)
        ckp__summary(summary, summary_len,
                     "%d commodities; China is the top producer of %d of them (USGS; %ld cells "
                     "or names could not be read, see docs/analytics.md)",
                     nn, topc, ckp_production_reject_count(p));
    else
        ckp__summary(summary, summary_len, "%d producers of %s", shown, names[0]);
    return CKP_OK;
}

CKP_VERB_DEFINE(production, 70, 0) = {
    "production",
    "[--hs COMMODITY|H] [--period YYYY]",
    "world production by country from the USGS Mineral Commodity Summaries",
    "Without --hs, one row per commodity: its top producer, share and HHI.  With\n"
    "--hs (a commodity name such as gallium or rare-earths, or HS codes mapped\n"
    "through data/production/hs_commodity.csv), every producer of that commodity.",
    prod_params,
    0,
    0,
    prod_columns,
    sizeof prod_columns / sizeof prod_columns[0],
    prod_run, NULL, NULL, 0};

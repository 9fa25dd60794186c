/* alternatives.c — the `alternatives` verb: who else could supply an
 * importer — countries ranked by exports to the world (from the store) and
 * production (USGS), with their current share of the importer's imports. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/analysis_int.h"
#include "chokepoint/coverage.h"

typedef struct cand {
    int id;              /* ref id */
    double exports_world, to_importer, production;
    int has_trade;
    int lev;             /* ckp__levels_of its trade values */
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->exports_world != y->exports_world)
        return x->exports_world > y->exports_world ? -1 : 1;
    double px = isnan(x->production) ? -1 : x->production, py = isnan(y->production) ? -1 : y->production;
    if (px != py)
        return px > py ? -1 : 1;
    return x->id - y->id;
}

static const ckp_param params[] = {
    {"importer", CKP_PARAM_STR, "C", "the importing country looking for suppliers", 1, 1},
    {"hs", CKP_PARAM_LIST, "H", "HS codes, prefixes, TOTAL or a group (a chapter, heading or TOTAL answers at its level)", 1, 1},
    {"exclude", CKP_PARAM_LIST, "C2", "suppliers to replace (repeatable or comma-separated)", 0,
     1},
    {"period", CKP_PARAM_STR, "P", "the year (default: the latest in the store)", 0, 1},
    {"limit", CKP_PARAM_INT, "K", "at most K candidates (default 30)", 0, 1},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column columns[] = {
    {"importer", CKP_COL_STR, 0},          {"hs", CKP_COL_STR, 0},
    {"country", CKP_COL_STR, 0},           {"exports_world", CKP_COL_NUM, 0},
    {"share_world", CKP_COL_NUM, 4},       {"exports_to_importer", CKP_COL_NUM, 0},
    {"rank", CKP_COL_INT, 0},              {"share_of_importer", CKP_COL_NUM, 4},
    {"production", CKP_COL_NUM, -1},       {"production_share", CKP_COL_NUM, 4},
    {"production_unit", CKP_COL_STR, 0},   {"period", CKP_COL_STR, 0},
    {"name", CKP_COL_STR, 0},              {"level", CKP_COL_STR, 0},
    {"from_detail", CKP_COL_JSON, 0}};

/* Parse --exclude values (each may be comma-separated) into ids. */
static ckp_status excludes(const ckp_args *args, const ckp_ref *ref, int *ids, int *n,
                           ckp_error *err)
{
    *n = 0;
    for (int i = 0; i < ckp_args_count(args, "exclude"); i++) {
        const char *v = ckp_args_nth(args, "exclude", i);
        while (*v) {
            size_t k = strcspn(v, ",");
            char one[64];
            snprintf(one, sizeof one, "%.*s", (int)(k < 63 ? k : 63), v);
            if (one[0]) {
                int id;
                if (ckp_ref_country_arg(ref, one, &id, err) != CKP_OK)
                    return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--exclude: %s", err ? err->msg : one);
                if (*n < 64)
                    ids[(*n)++] = id;
            }
            v += k;
            if (*v)
                v++;
        }
    }
    return CKP_OK;
}

static ckp_status run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                      size_t summary_len, ckp_error *err)
{
    const ckp_ref *ref = ckp_env_ref(env);
    int importer, ex[64], nex;
    long limit;
    int32_t from, to;
    ckp_hsset *set = NULL;
    ckp__pairs pairs;
    memset(&pairs, 0, sizeof pairs);
    cand *cs = NULL;
    ckp_status st = ckp_args_country(args, ref, "importer", 1, &importer, err);
    if (st == CKP_OK)
        st = excludes(args, ref, ex, &nex, err);
    if (st == CKP_OK)
        st = ckp_args_int(args, "limit", 30, &limit, err);
    if (st == CKP_OK)
        st = ckp_args_periods(args, &from, &to, err);
    if (st != CKP_OK)
        return st;
    st = ckp_args_hsset(args, ref, "hs", 1, &set, err);
    if (st != CKP_OK)
        return st;
    const ckp_store *store;
    st = ckp_env_store(env, &store, err);
    if (st != CKP_OK)
        goto out;
    st = ckp__pairs_collect(env, store, ref, set, from, to, ckp_verb_answer(w), &pairs, err);
    if (st != CKP_OK)
        goto out;
    int year = 0;
    for (size_t i = 0; i < pairs.n; i++)
        if (pairs.v[i].year > year)
            year = pairs.v[i].year;
    int nref = ckp_ref_country_count(ref);
    cs = calloc((size_t)(nref ? nref : 1), sizeof *cs);
    if (!cs) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (int i = 0; i < nref; i++) {
        cs[i].id = i;
        cs[i].production = NAN;
    }
    double world = 0, imp_total = 0;
    for (size_t i = 0; i < pairs.n; i++) {
        const ckp__pair *pr = &pairs.v[i];
        if (pr->year != year)
            continue;
        int mir;
        int e = ckp__country(env, pr->exporter);
        if (e < 0 || e >= nref)
            continue;
        double vx = ckp__pair_value(pr, 'X', CKP_CIF_FOB_DEFAULT, &mir);
        cs[e].exports_world += vx;
        cs[e].has_trade = 1;
        cs[e].lev |= ckp__pair_levels(pr, 'X', mir);
        world += vx;
        if (ckp__country(env, pr->importer) == importer) {
            double vm = ckp__pair_value(pr, 'M', CKP_CIF_FOB_DEFAULT, &mir);
            cs[e].to_importer += vm;
            cs[e].lev |= ckp__pair_levels(pr, 'M', mir);
            imp_total += vm;
        }
    }
    /* production: the USGS table matching the product, its latest year */
    const ckp_production *prod = NULL;
    const char *com = NULL, *unit = NULL;
    double prod_world = 0;
    if (ckp_production_from_env(env, &prod, NULL) == CKP_OK && prod) {
        char hsl0[256];
        ckp__hs_label(args, hsl0, sizeof hsl0);
        const char *names[4];
        int nn = ckp_production_commodities(prod, hsl0, NULL, names, 4);
        if (!nn)
            nn = ckp_production_commodities(prod, NULL, set, names, 4);
        if (nn) {
            com = names[0];
            int py = 0;
            for (int i = 0; i < ckp_production_count(prod); i++) {
                const ckp_prod_row *r = ckp_production_at(prod, i);
                if (strcmp(r->commodity, com) == 0 && !isnan(r->value) && !r->is_world &&
                    r->year > py)
                    py = r->year;
            }
            const char *ed = NULL;
            for (int i = 0; i < ckp_production_count(prod); i++) {
                const ckp_prod_row *r = ckp_production_at(prod, i);
                if (strcmp(r->commodity, com) == 0 && r->year == py && !isnan(r->value) &&
                    (!ed || strcmp(r->edition, ed) > 0))
                    ed = r->edition;
            }
            const char *type = NULL;
            for (int i = 0; ed && i < ckp_production_count(prod); i++) {
                const ckp_prod_row *r = ckp_production_at(prod, i);
                if (strcmp(r->commodity, com) != 0 || r->year != py || strcmp(r->edition, ed) != 0)
                    continue;
                if (!type)
                    type = r->type, unit = r->unit;
                if (strcmp(r->type, type) != 0)
                    continue;
                if (r->is_world) {
                    if (!isnan(r->value))
                        prod_world = r->value;
                } else if (r->country >= 0 && r->country < nref && !isnan(r->value)) {
                    cs[r->country].production = r->value;
                }
            }
            if (prod_world <= 0)
                for (int i = 0; i < nref; i++)
                    prod_world += isnan(cs[i].production) ? 0 : cs[i].production;
        }
    }
    qsort(cs, (size_t)nref, sizeof *cs, cmp_cand);
    char hsl[256], per[8];
    ckp__hs_label(args, hsl, sizeof hsl);
    snprintf(per, sizeof per, "%04d", year % 10000);
    int rank = 0;
    const char *first = NULL;
    double first_share = 0;
    for (int i = 0; i < nref && rank < limit; i++) {
        const cand *c = &cs[i];
        if (c->id == importer)
            continue;
        int skip = 0;
        for (int k = 0; k < nex; k++)
            skip |= ex[k] == c->id;
        const ckp_country *co = ckp_ref_country(ref, c->id);
        if (skip || !co || co->is_aggregate)
            continue;
        if (!(c->exports_world > 0) && !(c->production > 0))
            continue;
        rank++;
        if (!first) {
            first = ckp__name(ref, c->id);
            first_share = world > 0 ? c->exports_world / world : 0;
        }
        ckp_writer_str(w, ckp_ref_iso3(ref, importer));
        ckp_writer_str(w, hsl);
        ckp_writer_str(w, co->iso3);
        ckp_writer_num(w, c->exports_world);
        ckp_writer_num(w, world > 0 ? c->exports_world / world : NAN);
        ckp_writer_num(w, c->to_importer);
        ckp_writer_int(w, rank);
        ckp_writer_num(w, imp_total > 0 ? c->to_importer / imp_total : NAN);
        ckp_writer_num(w, c->production);
        ckp_writer_num(w, !isnan(c->production) && prod_world > 0 ? c->production / prod_world : NAN);
        ckp_writer_str(w, isnan(c->production) ? NULL : unit);
        ckp_writer_str(w, per);
        ckp_writer_str(w, ckp__name(ref, c->id));
        ckp__levels_cells(w, c->lev);
        st = ckp_writer_end_row(w);
        if (st != CKP_OK) {
            ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
            goto out;
        }
    }
    ckp_coverage cov;
    memset(&cov, 0, sizeof cov);
    if (first && summary && summary_len) {
        /* a thin coverage: a share of the exports reported, never of world exports */
        ckp_cov_scope scope = {CKP_COV_WORLD, set, (int32_t)year * 100, -1, 0, {0}, 0, "exports"};
        st = ckp_coverage_of(env, &scope, &cov, err);
        if (st != CKP_OK)
            goto out;
    }
    char lead[400];
    if (first && cov.thin)
        ckp__summary(summary, summary_len,
                     "%d alternative suppliers of %s for %s in %d; thin coverage: %sthe largest, "
                     "%s, made %.0f %% of the exports%s%s",
                     rank, hsl, ckp__name(ref, importer), year,
                     ckp_coverage_lead(&cov, lead, sizeof lead), first, 100 * first_share,
                     com ? "; production from USGS: " : "", com ? com : "");
    else if (first)
        ckp__summary(summary, summary_len,
                     "%d alternative suppliers of %s for %s in %d; the largest, %s, made %.0f %% of "
                     "world exports%s%s",
                     rank, hsl, ckp__name(ref, importer), year, first, 100 * first_share,
                     com ? "; production from USGS: " : "", com ? com : "");
    else
        ckp__summary(summary, summary_len, "no other exporter or producer of %s found", hsl);
out:
    free(cs);
    ckp__pairs_free(&pairs);
    ckp_hsset_free(set);
    return st;
}

CKP_VERB_DEFINE(alternatives, 60, 1) = {
    "alternatives",
    "--importer C --hs H [--exclude C2] [--period YYYY] [--limit K]",
    "who else exports or produces a product, ranked, with their share of the importer's imports",
    "Candidates are ranked by exports to the world in the year (the latest in the\n"
    "store by default; a flow counts from the exporter's report, else the importer's\n"
    "less 6 % CIF/FOB), then by production (USGS, latest year, for the commodity\n"
    "the HS set maps to).  exports_to_importer and share_of_importer are the\n"
    "candidate's current place in the importer's imports.  --exclude drops the\n"
    "supplier(s) to be replaced.",
    params,
    0,
    0,
    columns,
    sizeof columns / sizeof columns[0],
    run, NULL, NULL, 0};

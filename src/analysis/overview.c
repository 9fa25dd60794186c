/* overview.c — one country's trade by partner and period, straight from the
 * store (overview.h): the report's exports series. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/overview.h"
#include "store/row_rule.h"

#define CELLS_MAX ((size_t)16 << 20) /* (period, other) cells of one chart */

typedef struct cell {
    int32_t period;
    int other;
    double value, qty;
} cell;

typedef struct agg {
    cell *cells;
    size_t n, cap;
    int by_partner; /* other = the partner (a reporter was given), else the reporter */
    int monthly;    /* monthly rows seen */
    int failed;     /* too many cells */
    unsigned char *seen;
    ckp__row_rule rule;
} agg;

static int on_flow(const ckp_flow *row, void *ctx)
{
    agg *a = ctx;
    if (!ckp__row_counts(&a->rule, row))
        return 0;
    int other = a->by_partner ? row->partner : row->reporter;
    if (CKP_PERIOD_MONTH(row->period))
        a->monthly++;
    if (row->source >= 0 && row->source < 256)
        a->seen[row->source] = 1;
    /* linear probe from the end: rows come ordered by hs, reporter, partner,
     * flow, period, so the same (period, other) is usually recent */
    for (size_t i = a->n; i-- > 0 && i + 4096 > a->n;) {
        if (a->cells[i].period == row->period && a->cells[i].other == other) {
            a->cells[i].value += row->value;
            if (!isnan(row->qty))
                a->cells[i].qty += row->qty;
            return 0;
        }
    }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        cell *p = cap > CELLS_MAX ? NULL : realloc(a->cells, cap * sizeof *p);
        if (!p) {
            a->failed = 1;
            return 1;
        }
        a->cells = p;
        a->cap = cap;
    }
    a->cells[a->n++] = (cell){row->period, other, row->value, isnan(row->qty) ? 0 : row->qty};
    return 0;
}

/* Scan the rows of one flow into a (zeroed by the caller but for seen). */
static ckp_status scan(const ckp_store *store, const unsigned char *aggregate, int nc,
                       const ckp_overview_spec *sp, int reporter, int partner, int flow, agg *a,
                       ckp_error *err)
{
    ckp_query q;
    ckp_query_init(&q);
    q.hs = sp->hs;
    q.reporter = reporter;
    q.partner = partner;
    q.flow = flow;
    q.period_from = sp->from;
    q.period_to = sp->to;
    /* an aggregate asked for (TOTAL, a chapter, a heading): its reported
     * rows answer, read as they are (the rule skips the detail under them) */
    q.levels = ckp_hsset_asks_levels(sp->hs);
    ckp__row_rule_init(&a->rule, store);
    a->rule.aggregate = aggregate;
    a->rule.ncountries = nc;
    a->rule.named_reporter = reporter;
    a->rule.named_partner = partner;
    a->rule.asked = q.levels ? sp->hs : NULL;
    a->by_partner = reporter >= 0;
    return ckp_store_scan(store, &q, on_flow, a, err);
}

typedef struct total {
    int other;
    double value;
} total;

static int by_total_desc(const void *a, const void *b)
{
    const total *x = a, *y = b;
    return (x->value < y->value) - (x->value > y->value);
}

static int cell_cmp(const void *a, const void *b)
{
    const cell *x = a, *y = b;
    if (x->period != y->period)
        return x->period < y->period ? -1 : 1;
    return x->other - y->other;
}

/* keep[c] = 1 for the `top` others with the largest total value (> 0);
 * NULL when out of memory (every cell then goes to "other"). */
static unsigned char *top_others(const agg *a, int nc, int top)
{
    total *tot = calloc((size_t)nc + 1, sizeof *tot);
    unsigned char *keep = calloc((size_t)nc + 1, 1);
    if (!tot || !keep) {
        free(tot);
        free(keep);
        return NULL;
    }
    for (int i = 0; i < nc; i++)
        tot[i].other = i;
    for (size_t i = 0; i < a->n; i++)
        if (a->cells[i].other >= 0 && a->cells[i].other < nc)
            tot[a->cells[i].other].value += a->cells[i].value;
    qsort(tot, (size_t)nc, sizeof *tot, by_total_desc);
    for (int i = 0; i < nc && i < top && tot[i].value > 0; i++)
        keep[tot[i].other] = 1;
    free(tot);
    return keep;
}

/* The cells (one frequency, sorted) as points: the kept others apart, the
 * rest summed per period. */
static ckp_status to_points(const agg *a, int nc, int top, ckp_overview *out, ckp_error *err)
{
    out->points = malloc((a->n ? a->n : 1) * sizeof *out->points);
    unsigned char *keep = top_others(a, nc, top);
    if (!out->points) {
        free(keep);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < a->n;) {
        int32_t p = a->cells[i].period;
        ckp_overview_point rest = {p, -1, 0, 0};
        int has_other = 0;
        for (; i < a->n && a->cells[i].period == p; i++) {
            const cell *c = &a->cells[i];
            if (keep && c->other >= 0 && c->other < nc && keep[c->other]) {
                out->points[out->n++] = (ckp_overview_point){p, c->other, c->value, c->qty};
            } else {
                rest.value += c->value;
                rest.qty += c->qty;
                has_other = 1;
            }
        }
        if (has_other)
            out->points[out->n++] = rest;
    }
    free(keep);
    return CKP_OK;
}

ckp_status ckp_overview_series(const ckp_store *store, const ckp_ref *ref,
                               const ckp_overview_spec *spec, ckp_overview *out, ckp_error *err)
{
    memset(out, 0, sizeof *out);
    int nc = ckp_ref_country_count(ref);
    unsigned char *aggregate = calloc((size_t)(nc ? nc : 1), 1);
    if (!aggregate)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int c = 0; c < nc; c++) {
        const ckp_country *co = ckp_ref_country(ref, c);
        aggregate[c] = (unsigned char)(!co || co->is_aggregate);
    }
    agg a;
    memset(&a, 0, sizeof a);
    a.seen = out->sources;
    ckp_status st = scan(store, aggregate, nc, spec, spec->reporter, spec->partner, spec->flow,
                         &a, err);
    if (st == CKP_OK && a.n == 0 && spec->reporter >= 0 && spec->partner < 0) {
        /* the reporter does not report: its partners' reports stand in */
        out->mirrored = 1;
        st = scan(store, aggregate, nc, spec, -1, spec->reporter,
                  spec->flow == CKP_FLOW_EXPORT ? CKP_FLOW_IMPORT : CKP_FLOW_EXPORT, &a, err);
    }
    free(aggregate);
    if (st != CKP_OK || a.failed) {
        out->too_many = st == CKP_OK;
        free(a.cells);
        return st;
    }
    /* keep one frequency: monthly when there is any monthly row */
    out->monthly = a.monthly > 0;
    size_t k = 0;
    for (size_t i = 0; i < a.n; i++)
        if ((CKP_PERIOD_MONTH(a.cells[i].period) != 0) == out->monthly)
            a.cells[k++] = a.cells[i];
    a.n = k;
    if (a.n > 1) /* a.cells is NULL when nothing matched */
        qsort(a.cells, a.n, sizeof *a.cells, cell_cmp);
    st = to_points(&a, nc, spec->top, out, err);
    free(a.cells);
    if (st != CKP_OK)
        ckp_overview_free(out);
    return st;
}

void ckp_overview_free(ckp_overview *o)
{
    free(o->points);
    o->points = NULL;
    o->n = 0;
}

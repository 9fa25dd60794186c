/* unitvalue.c — unit values (USD per kg or per unit) of each reported flow
 * against the distribution of its product (evasion.h, docs/evasion.md).
 *
 * A distribution is one (HS code, unit, year): the logs of every reported
 * unit value, summarised by the median and a robust scale (1.4826 × MAD).
 * A flow's robust z is its log unit value's distance from the median in that
 * scale.  Each flow is also set against its own history (pair_z: the same
 * route's other periods, net of the product's common move).  Flags:
 *   misclassification — the partner reports the same shipment (same pair and
 *                       period, value and unit value within ×1.35) under
 *                       another scanned code and nothing under this one;
 *   below_market      — low (|z| ≥ threshold), and the same exporter's other
 *                       flows of the code are low too (a price, not an invoice);
 *   under_invoicing / over_invoicing — |z| ≥ threshold and not the route's
 *                       usual price, or |pair_z| ≥ 5 and ×2 off its usual price
 *                       while off the product's median the same way (|z| ≥ 1):
 *                       a flow at the median is never mis-invoiced.
 * Flows below spec->min_value are peers but are not listed.
 * Quantity 0 or missing gives no unit value (never inf): the flow is counted
 * and, with spec->all, listed as no_qty. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmp.h"
#include "core/vec.h"
#include "evasion_int.h"

#define MAX_ROWS 50000000L
#define MIN_FLOWS 5
#define SCALE_FLOOR 0.05
#define MATCH_LOG 0.30 /* the same shipment on both sides: value, uv within ×1.35 */
#define PAIR_MIN 6      /* periods for a flow's own history */
#define PAIR_Z 5.0      /* |pair_z| of an outlier against its own history */
#define PAIR_MIN_LOG 0.693 /* and at least ×2 away from its usual price */
#define PAIR_USUAL_Z 2.0   /* within this of its own history: the pair's usual price */
#define AT_MEDIAN_Z 1.0    /* within this of the product's median: never flagged on
                              the route's history alone */

typedef struct uvrec {
    ckp_uv_row r;
    double lx;     /* ln unit value, NaN when none */
    double dev;    /* lx − its series' median − the product's common move */
    double sscale; /* its series' robust scale */
    uint64_t key;  /* (hs, unit, year) */
    int wanted;    /* an output candidate */
} uvrec;

typedef struct group {
    uint64_t key;
    size_t first, n; /* in the sorted index */
    double median, scale;
    int usable;
} group;

struct ckp_uv {
    ckp_uv_spec spec;
    ckp_hsset *scan;
    uvrec *recs;
    size_t nrecs, caprecs;
    long no_qty, below_min;
    size_t *idx;      /* records with a unit value, sorted by key */
    group *groups;
    size_t ngroups;
    ckp_uv_row *out;
    size_t nout;
    uint64_t sources; /* store sources of the flows compared (ckp_source_bit) */
};

static uint64_t make_key(uint32_t hs, int unit, int year)
{
    return ((uint64_t)hs << 24) | ((uint64_t)(unit & 0xff) << 16) | (uint64_t)(year & 0xffff);
}

ckp_status ckp_uv_new(const ckp_uv_spec *spec, ckp_uv **out, ckp_error *err)
{
    *out = NULL;
    if (!spec->hs)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "unitvalue needs products");
    ckp_uv *u = calloc(1, sizeof *u);
    if (!u)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    u->spec = *spec;
    if (!(u->spec.threshold > 0))
        u->spec.threshold = 3.5;
    u->scan = ckp_hsset_new();
    if (!u->scan) {
        free(u);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    uint32_t cur = 0, code;
    while (ckp_hsset_next(spec->hs, &cur, &code)) {
        ckp_hsset_add(u->scan, code);
        if (!spec->compare) /* default: the other codes of P's HS4 headings */
            ckp_hsset_add_prefix(u->scan, code / 100, 4);
    }
    if (spec->compare) {
        cur = 0;
        while (ckp_hsset_next(spec->compare, &cur, &code))
            ckp_hsset_add(u->scan, code);
    }
    *out = u;
    return CKP_OK;
}

void ckp_uv_free(ckp_uv *u)
{
    if (!u)
        return;
    ckp_hsset_free(u->scan);
    CKP_FREE_ALL(u->recs, u->idx, u->groups, u->out, u);
}

const ckp_hsset *ckp_uv_scan_set(const ckp_uv *u) { return u->scan; }

static int wanted(const ckp_uv *u, const ckp_flow *row)
{
    if (!ckp_hsset_has(u->spec.hs, row->hs))
        return 0;
    if (u->spec.reporter >= 0 && row->reporter != u->spec.reporter)
        return 0;
    if (u->spec.partner >= 0 && row->partner != u->spec.partner)
        return 0;
    return 1;
}

ckp_status ckp_uv_add(ckp_uv *u, const ckp_flow *row, int synthetic, ckp_error *err)
{
    if (!ckp_hsset_has(u->scan, row->hs))
        return CKP_OK;
    if (!ckp_period_covers(u->spec.from, u->spec.to, row->period))
        return CKP_OK;
    if (!(row->value > 0))
        return CKP_OK;
    int w = wanted(u, row);
    int has_uv = row->qty > 0 && isfinite(row->qty) && row->unit != CKP_UNIT_NONE;
    if (!has_uv) {
        if (w)
            u->no_qty++;
        if (!w || !u->spec.all)
            return CKP_OK;
    }
    if (u->nrecs >= (size_t)MAX_ROWS)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                             "more than %ld flows to compare: narrow --hs or --period", MAX_ROWS);
    ckp_status grown = CKP_ARRAY_RESERVE(u->recs, u->caprecs, u->nrecs + 1, (size_t)MAX_ROWS,
                                         "flows", err);
    if (grown != CKP_OK)
        return grown;
    uvrec *x = &u->recs[u->nrecs++];
    memset(x, 0, sizeof *x);
    x->r.reporter = row->reporter;
    x->r.partner = row->partner;
    x->r.flow = row->flow;
    x->r.hs = row->hs;
    x->r.period = row->period;
    x->r.value = row->value;
    x->r.qty = row->qty;
    x->r.unit = row->unit;
    x->r.unit_value = has_uv ? row->value / row->qty : NAN;
    x->r.median = NAN;
    x->r.robust_z = NAN;
    x->r.pair_z = NAN;
    x->dev = NAN;
    x->sscale = NAN;
    x->r.flag = has_uv ? CKP_UV_OK : CKP_UV_NO_QTY;
    x->r.synthetic = synthetic;
    u->sources |= ckp_source_bit(row->source);
    x->lx = has_uv ? log(x->r.unit_value) : NAN;
    x->key = make_key(row->hs, row->unit, CKP_PERIOD_YEAR(row->period));
    x->wanted = w;
    return CKP_OK;
}

typedef int (*idx_cmp)(size_t a, size_t b, const uvrec *r);

/* by (hs, unit, year), exporter, unit value */
static int cmp_idx(size_t ia, size_t ib, const uvrec *r)
{
    const uvrec *a = &r[ia], *b = &r[ib];
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    int ea = a->r.flow == CKP_FLOW_EXPORT ? a->r.reporter : a->r.partner;
    int eb = b->r.flow == CKP_FLOW_EXPORT ? b->r.reporter : b->r.partner;
    if (ea != eb)
        return ea - eb;
    return (a->lx > b->lx) - (a->lx < b->lx);
}

/* A small merge sort with a context (qsort_r is not C11; no globals, the
 * server runs verbs on several threads). */
static void sort_idx(size_t *v, size_t *tmp, size_t n, const uvrec *r, idx_cmp cmp)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_idx(v, tmp, h, r, cmp);
    sort_idx(v + h, tmp, n - h, r, cmp);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp(v[j], v[i], r) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

static const group *find_group(const ckp_uv *u, uint64_t key)
{
    size_t lo = 0, hi = u->ngroups;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (u->groups[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < u->ngroups && u->groups[lo].key == key ? &u->groups[lo] : NULL;
}

static int cmp_out(const void *pa, const void *pb)
{
    const ckp_uv_row *a = pa, *b = pb;
    /* the stronger of the two tests: against the product, against the route */
    double za = fmax(a->robust_z == a->robust_z ? fabs(a->robust_z) : -1,
                     a->pair_z == a->pair_z ? fabs(a->pair_z) : -1);
    double zb = fmax(b->robust_z == b->robust_z ? fabs(b->robust_z) : -1,
                     b->pair_z == b->pair_z ? fabs(b->pair_z) : -1);
    if (za != zb)
        return za < zb ? 1 : -1;
    return CKP_CMP_CHAIN(CKP_CMP(a->hs, b->hs), CKP_CMP(a->period, b->period),
                         CKP_CMP(a->reporter, b->reporter), CKP_CMP(a->partner, b->partner));
}

/* Median z of one exporter's flows in a group (idx range sorted by exporter). */
static double exporter_median_z(const ckp_uv *u, const group *g, int exporter, int *n,
                                double *scratch)
{
    size_t k = 0;
    for (size_t j = g->first; j < g->first + g->n; j++) {
        const uvrec *x = &u->recs[u->idx[j]];
        int ex = x->r.flow == CKP_FLOW_EXPORT ? x->r.reporter : x->r.partner;
        if (ex == exporter)
            scratch[k++] = (x->lx - g->median) / g->scale;
    }
    *n = (int)k;
    return ckp_ev_median(scratch, k);
}

/* exporter and importer of a record */
static void ends(const uvrec *x, int *e, int *i)
{
    int exp_side = x->r.flow == CKP_FLOW_EXPORT || x->r.flow == CKP_FLOW_REEXPORT;
    *e = exp_side ? x->r.reporter : x->r.partner;
    *i = exp_side ? x->r.partner : x->r.reporter;
}

/* by exporter, importer, period */
static int cmp_pair(size_t ka, size_t kb, const uvrec *r)
{
    const uvrec *a = &r[ka], *b = &r[kb];
    int ea, ia, eb, ib;
    ends(a, &ea, &ia);
    ends(b, &eb, &ib);
    if (ea != eb)
        return ea - eb;
    if (ia != ib)
        return ia - ib;
    return (a->r.period > b->r.period) - (a->r.period < b->r.period);
}

/* Misclassification needs the partner's word: the other side reports the
 * same pair and period under another code h' (in the scanned set) with
 * about the same value and unit value (within ×1.35 each), and reports
 * nothing under this record's code.  Returns h', or 0. */
static uint32_t misclassified_as(const ckp_uv *u, const uvrec *x, const size_t *sorted, size_t n)
{
    int e, i;
    ends(x, &e, &i);
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first record of (e, i, period) */
        size_t mid = (lo + hi) / 2;
        const uvrec *m = &u->recs[sorted[mid]];
        int me, mi;
        ends(m, &me, &mi);
        int c = me != e ? (me < e ? -1 : 1)
                        : mi != i ? (mi < i ? -1 : 1)
                                  : (m->r.period > x->r.period) - (m->r.period < x->r.period);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t best = 0;
    double best_d = INFINITY;
    for (size_t k = lo; k < n; k++) {
        const uvrec *o = &u->recs[sorted[k]];
        int oe, oi;
        ends(o, &oe, &oi);
        if (oe != e || oi != i || o->r.period != x->r.period)
            break;
        int other_side = (o->r.flow == CKP_FLOW_EXPORT) != (x->r.flow == CKP_FLOW_EXPORT);
        if (!other_side || o->r.unit != x->r.unit)
            continue;
        if (o->r.hs == x->r.hs)
            return 0; /* the partner reports it under the same code */
        double dv = fabs(log(o->r.value / x->r.value)), du = fabs(o->lx - x->lx);
        if (dv <= MATCH_LOG && du <= MATCH_LOG && dv + du < best_d) {
            best_d = dv + du;
            best = o->r.hs;
        }
    }
    return best;
}

/* by reporter, partner, flow, hs, unit, period: one series per flow */
static int cmp_series(size_t ka, size_t kb, const uvrec *r)
{
    const ckp_uv_row *a = &r[ka].r, *b = &r[kb].r;
    if (a->reporter != b->reporter)
        return a->reporter - b->reporter;
    if (a->partner != b->partner)
        return a->partner - b->partner;
    if (a->flow != b->flow)
        return a->flow - b->flow;
    if (a->hs != b->hs)
        return a->hs < b->hs ? -1 : 1;
    if (a->unit != b->unit)
        return a->unit - b->unit;
    return (a->period > b->period) - (a->period < b->period);
}

/* by hs, unit, period */
static int cmp_cell(size_t ka, size_t kb, const uvrec *r)
{
    const ckp_uv_row *a = &r[ka].r, *b = &r[kb].r;
    if (a->hs != b->hs)
        return a->hs < b->hs ? -1 : 1;
    if (a->unit != b->unit)
        return a->unit - b->unit;
    return (a->period > b->period) - (a->period < b->period);
}

static int same_series(const uvrec *a, const uvrec *b)
{
    return a->r.reporter == b->r.reporter && a->r.partner == b->r.partner &&
           a->r.flow == b->r.flow && a->r.hs == b->r.hs && a->r.unit == b->r.unit;
}

/* pair_z of every record with a unit value: its distance from its own
 * series' median, net of the median move of all series of the product in
 * that period, in the series' robust scale.  dev/sscale are n-sized scratch
 * indexed by record; idx is a sorted copy to reorder. */
static void pair_history(ckp_uv *u, size_t *idx, size_t *tmp, size_t n, double *vals,
                         double *scratch)
{
    sort_idx(idx, tmp, n, u->recs, cmp_series);
    for (size_t k = 0; k < n;) {
        size_t j = k;
        while (j < n && same_series(&u->recs[idx[j]], &u->recs[idx[k]])) {
            vals[j - k] = u->recs[idx[j]].lx;
            j++;
        }
        double med = NAN, sc = NAN;
        if (j - k >= PAIR_MIN)
            ckp_ev_robust(vals, j - k, SCALE_FLOOR, &med, &sc, scratch);
        for (size_t q = k; q < j; q++) {
            uvrec *x = &u->recs[idx[q]];
            x->dev = x->lx - med;
            x->sscale = sc;
        }
        k = j;
    }
    /* the common move of the product in each period */
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (u->recs[idx[k]].dev == u->recs[idx[k]].dev)
            idx[m++] = idx[k];
    sort_idx(idx, tmp, m, u->recs, cmp_cell);
    for (size_t k = 0; k < m;) {
        size_t j = k;
        while (j < m && cmp_cell(idx[j], idx[k], u->recs) == 0) {
            vals[j - k] = u->recs[idx[j]].dev;
            j++;
        }
        double common = ckp_ev_median(vals, j - k);
        for (size_t q = k; q < j; q++) {
            uvrec *x = &u->recs[idx[q]];
            x->r.pair_z = (x->dev - common) / x->sscale;
            x->dev -= common;
        }
        k = j;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t pair_key(const uvrec *x)
{
    int e, i;
    ends(x, &e, &i);
    return ((uint64_t)(uint32_t)e << 32) | (uint32_t)i;
}

ckp_status ckp_uv_finish(ckp_uv *u, ckp_error *err)
{
    /* n: every record with a unit value; the distributions and histories
     * are P's only, the comparison codes serve as the partner's evidence */
    size_t n = 0;
    for (size_t k = 0; k < u->nrecs; k++)
        n += u->recs[k].lx == u->recs[k].lx;
    free(u->idx);
    u->idx = malloc((n ? n : 1) * sizeof *u->idx);
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp), *sorted_pair = NULL;
    double *vals = malloc((n ? n : 1) * sizeof *vals);
    double *scratch = malloc((n ? n : 1) * sizeof *scratch);
    uint64_t *pkeys = malloc((n ? n : 1) * sizeof *pkeys);
    ckp_status st = CKP_OK;
    if (!u->idx || !tmp || !vals || !scratch || !pkeys) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    size_t np = 0;
    for (size_t k = 0; k < u->nrecs; k++)
        if (u->recs[k].lx == u->recs[k].lx && ckp_hsset_has(u->spec.hs, u->recs[k].r.hs)) {
            pkeys[np] = pair_key(&u->recs[k]);
            u->idx[np++] = k;
        }
    qsort(pkeys, np, sizeof *pkeys, cmp_u64);
    /* the records the partner evidence can come from: P's pairs, any code */
    sorted_pair = malloc((n ? n : 1) * sizeof *sorted_pair);
    if (!sorted_pair) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    size_t nsp = 0;
    for (size_t k = 0; k < u->nrecs; k++) {
        if (u->recs[k].lx != u->recs[k].lx)
            continue;
        uint64_t key = pair_key(&u->recs[k]);
        if (np && bsearch(&key, pkeys, np, sizeof *pkeys, cmp_u64))
            sorted_pair[nsp++] = k;
    }
    sort_idx(sorted_pair, tmp, nsp, u->recs, cmp_pair);
    n = np;
    sort_idx(u->idx, tmp, n, u->recs, cmp_idx);
    /* groups */
    size_t ng = 0;
    for (size_t k = 0; k < n; k++)
        ng += k == 0 || u->recs[u->idx[k]].key != u->recs[u->idx[k - 1]].key;
    free(u->groups);
    u->groups = calloc(ng ? ng : 1, sizeof *u->groups);
    if (!u->groups) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    u->ngroups = 0;
    for (size_t k = 0; k < n;) {
        size_t j = k;
        uint64_t key = u->recs[u->idx[k]].key;
        while (j < n && u->recs[u->idx[j]].key == key) {
            vals[j - k] = u->recs[u->idx[j]].lx;
            j++;
        }
        group *g = &u->groups[u->ngroups++];
        g->key = key;
        g->first = k;
        g->n = j - k;
        g->usable = g->n >= MIN_FLOWS;
        ckp_ev_robust(vals, g->n, SCALE_FLOOR, &g->median, &g->scale, scratch);
        k = j;
    }
    /* each flow against its own history */
    {
        size_t *hidx = malloc((n ? n : 1) * sizeof *hidx);
        if (!hidx) {
            st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            goto out_free;
        }
        memcpy(hidx, u->idx, n * sizeof *hidx);
        pair_history(u, hidx, tmp, n, vals, scratch);
        free(hidx);
    }
    /* score the wanted records */
    free(u->out);
    u->out = malloc((u->nrecs ? u->nrecs : 1) * sizeof *u->out);
    if (!u->out) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    u->nout = 0;
    double thr = u->spec.threshold;
    for (size_t k = 0; k < u->nrecs; k++) {
        uvrec *x = &u->recs[k];
        if (!x->wanted)
            continue;
        ckp_uv_row *r = &x->r;
        if (x->lx == x->lx) {
            const group *g = find_group(u, x->key);
            r->n = g ? (int)g->n : 0;
            if (!g || !g->usable) {
                r->flag = CKP_UV_FEW;
            } else {
                r->median = exp(g->median);
                r->robust_z = (x->lx - g->median) / g->scale;
                /* unusual for the product, and not the pair's usual price for years
                 * (a persistent premium is a quality mix, not an invoice) */
                int persistent = r->pair_z == r->pair_z && fabs(r->pair_z) < PAIR_USUAL_Z;
                if (fabs(r->robust_z) >= thr && !persistent) {
                    if (r->robust_z > 0) {
                        r->flag = CKP_UV_OVER;
                    } else {
                        int ex = r->flow == CKP_FLOW_EXPORT ? r->reporter : r->partner, ne;
                        double mz = exporter_median_z(u, g, ex, &ne, scratch);
                        r->flag = ne >= 3 && mz <= -thr / 2 ? CKP_UV_BELOW_MARKET : CKP_UV_UNDER;
                    }
                }
            }
            if (r->flag == CKP_UV_OK || r->flag == CKP_UV_FEW) {
                /* far from the flow's own usual price, beyond the product's
                 * move, and off the product's median the same way (a price
                 * at the median is not an invoice to suspect; with too few
                 * flows for a median the route's history is all there is) */
                int off_median = r->flag == CKP_UV_FEW ||
                                 r->robust_z * (r->pair_z > 0 ? 1 : -1) >= AT_MEDIAN_Z;
                if (fabs(r->pair_z) >= PAIR_Z && fabs(x->dev) >= PAIR_MIN_LOG && off_median)
                    r->flag = r->pair_z > 0 ? CKP_UV_OVER : CKP_UV_UNDER;
            }
            uint32_t other = misclassified_as(u, x, sorted_pair, nsp);
            if (other) {
                r->flag = CKP_UV_MISCLASS;
                r->likely_hs = other;
            }
        }
        if (r->value < u->spec.min_value) {
            u->below_min += r->flag != CKP_UV_NO_QTY;
            continue;
        }
        if (u->spec.all || (r->flag != CKP_UV_OK && r->flag != CKP_UV_FEW &&
                            r->flag != CKP_UV_NO_QTY))
            u->out[u->nout++] = *r;
    }
    qsort(u->out, u->nout, sizeof *u->out, cmp_out);
out_free:
    CKP_FREE_ALL(pkeys, sorted_pair, tmp, vals, scratch);
    return st;
}

size_t ckp_uv_count(const ckp_uv *u) { return u->nout; }

uint64_t ckp_uv_sources(const ckp_uv *u) { return u->sources; }

const ckp_uv_row *ckp_uv_at(const ckp_uv *u, size_t i) { return i < u->nout ? &u->out[i] : NULL; }

long ckp_uv_no_qty(const ckp_uv *u) { return u->no_qty; }

long ckp_uv_below_min(const ckp_uv *u) { return u->below_min; }

const char *ckp_uv_flag_name(int flag)
{
    switch (flag) {
    case CKP_UV_OK:
        return "ok";
    case CKP_UV_UNDER:
        return "under_invoicing";
    case CKP_UV_OVER:
        return "over_invoicing";
    case CKP_UV_MISCLASS:
        return "misclassification";
    case CKP_UV_BELOW_MARKET:
        return "below_market";
    case CKP_UV_NO_QTY:
        return "no_qty";
    case CKP_UV_FEW:
        return "few_flows";
    default:
        return "?";
    }
}

/* ---- the store scan ---------------------------------------------------------- */

typedef struct uscan {
    ckp_uv *u;
    const ckp_store *store;
    ckp_status st;
    ckp_error *err;
} uscan;

static int uv_row_cb(const ckp_flow *row, void *ctx)
{
    uscan *s = ctx;
    int syn = ckp_store_source_synthetic(s->store, row->source); /* O(1) */
    s->st = ckp_uv_add(s->u, row, syn, s->err);
    return s->st != CKP_OK;
}

ckp_status ckp_uv_run(const ckp_store *store, const ckp_uv_spec *spec, ckp_uv **out,
                      ckp_error *err)
{
    uscan s;
    memset(&s, 0, sizeof s);
    s.store = store;
    s.err = err;
    *out = NULL;
    ckp_status st = ckp_uv_new(spec, &s.u, err);
    if (st != CKP_OK)
        return st;
    ckp_query q;
    ckp_query_init(&q);
    ckp__ev_query_periods(&q, spec->from, spec->to);
    q.hs = s.u->scan;
    st = ckp_store_scan(store, &q, uv_row_cb, &s, err);
    if (st == CKP_OK)
        st = s.st;
    if (st == CKP_OK)
        st = ckp_uv_finish(s.u, err);
    if (st != CKP_OK) {
        ckp_uv_free(s.u);
        return st;
    }
    *out = s.u;
    return CKP_OK;
}

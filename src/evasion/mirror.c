/* mirror.c — mirror statistics: the exporter's report of a flow against the
 * importer's report of the same flow (evasion.h, docs/evasion.md).
 *
 * Rows arrive grouped by HS code (the store's scan order).  The rows of one
 * code are buffered, sorted by exporter, importer, period and side, and
 * matched; the buffer is then reused, so memory is bounded by the largest
 * HS code, not by the store.  Every product feeds each country's
 * reliability; the requested products feed the importers' CIF/FOB margins
 * (margin.h) and are kept as rows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cmp.h"
#include "chokepoint/margin.h"
#include "core/grow.h"
#include "core/hash.h"
#include "core/vec.h"
#include "evasion_int.h"
#include "store/row_rule.h"

#define MAX_ROWS_PER_HS 50000000L
#define CIF_MIN 1.0
#define CIF_MAX 1.20            /* a larger M/X excess is a gap, not freight */
#define CIF_DEFAULT 1.06        /* IMF DOTS standard factor */
#define MIN_OBS 3               /* observations for an estimate */
#define LOG_SCALE_FLOOR 0.05    /* smallest robust scale of a log gap */
#define LOG_SCALE_DEFAULT 0.25  /* when the pair-product has < MIN_OBS periods */
#define GAP_Z 2.5               /* |z| of a gap */
#define GAP_MIN_LOG 0.30        /* and at least ×1.35 away from usual; also the
                                   margin beyond CIF/FOB of a persistent gap */
#define PKEYS (200 * 13)        /* period keys: years 1900–2099 × (annual + 12) */

typedef struct entry {
    int e, i;        /* exporter, importer */
    int32_t period;
    int side;        /* 0 exporter's report, 1 importer's */
    double v, alt, q;
    int syn;
    uint64_t src;    /* ckp_source_bit of the row's store source */
} entry;

/* One flow's yearly reports in the asked products (summed over them at
 * finish): what the importer's CIF/FOB margin is estimated from. */
typedef struct flowyear {
    int i, e, year;
    double m, x; /* the importer's report, the exporter's (0 = none) */
} flowyear;

struct ckp_mirror {
    ckp_mirror_spec spec;
    int nc;
    uint32_t cur_hs;
    int have_hs;
    entry *buf, *buf2;     /* the current HS code's rows; buf2: sorting room */
    uint64_t *keys, *keys2;
    size_t nbuf, capbuf;
    unsigned char *has;      /* nc × PKEYS: bit 1 reports exports, 2 imports */
    double *rel_sum;         /* per country: Σ |log gap| */
    long *rel_n;
    ckp_mirror_row *rows;
    size_t nrows, caprows;
    /* for each kept row: 0 = cif to resolve at finish */
    double *scale;
    int calibrated; /* has and reliability came from the cache: rows add
                       nothing to them */
    ckp__row_rule rule; /* which rows are compared (store/row_rule.h) */
    flowyear *fy;       /* the asked products' yearly reports, every period */
    size_t nfy, capfy;
    ckp_margin_acc *margin; /* per importer, at finish (margin.h) */
    double *usual_raw;  /* per kept row: the pair's usual ln(M/X) */
};

static int pkey(int32_t p)
{
    int y = CKP_PERIOD_YEAR(p), m = CKP_PERIOD_MONTH(p);
    if (y < 1900 || y > 2099 || m < 0 || m > 12)
        return -1;
    return (y - 1900) * 13 + m;
}

ckp_status ckp_mirror_new(const ckp_mirror_spec *spec, int ncountries, ckp_mirror **out,
                          ckp_error *err)
{
    *out = NULL;
    if (ncountries < 1 || !spec->hs)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "mirror needs products and countries");
    ckp_mirror *m = calloc(1, sizeof *m);
    if (!m)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    m->spec = *spec;
    m->nc = ncountries;
    /* no aggregate is named: an aggregate's report has no one mirror */
    ckp__row_rule_init(&m->rule, NULL);
    m->rule.aggregate = spec->aggregate;
    m->rule.ncountries = ncountries;
    size_t nc = (size_t)ncountries;
    m->has = calloc(nc * PKEYS, 1);
    m->margin = calloc(nc, sizeof *m->margin);
    m->rel_sum = calloc(nc, sizeof *m->rel_sum);
    m->rel_n = calloc(nc, sizeof *m->rel_n);
    if (!m->has || !m->margin || !m->rel_sum || !m->rel_n) {
        ckp_mirror_free(m);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = m;
    return CKP_OK;
}

void ckp_mirror_free(ckp_mirror *m)
{
    if (!m)
        return;
    CKP_FREE_ALL(m->buf, m->buf2, m->keys, m->keys2, m->has, m->rel_sum, m->rel_n, m->rows,
                 m->scale, m->fy, m->margin, m->usual_raw, m);
}

static int cmp_entry(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    if (a->e != b->e)
        return a->e - b->e;
    if (a->i != b->i)
        return a->i - b->i;
    if (a->period != b->period)
        return a->period < b->period ? -1 : 1;
    return a->side - b->side;
}

/* Is this flow one the caller asked to see? */
static int wanted(const ckp_mirror *m, uint32_t hs, int e, int i, int32_t period)
{
    if (!ckp_hsset_has(m->spec.hs, hs))
        return 0;
    if (!ckp_period_covers(m->spec.from, m->spec.to, period))
        return 0;
    int r = m->spec.reporter, p = m->spec.partner;
    if (r >= 0 && r != e && r != i)
        return 0;
    if (p >= 0 && p != e && p != i)
        return 0;
    if (r >= 0 && p >= 0 && r == p)
        return 0;
    return 1;
}

static ckp_status push_row(ckp_mirror *m, const ckp_mirror_row *r, double scale, double usual_raw,
                           ckp_error *err)
{
    if (m->nrows >= (size_t)MAX_ROWS_PER_HS)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                             "more than %ld mirror rows: narrow --hs or --period",
                             MAX_ROWS_PER_HS);
    if (m->nrows == m->caprows &&
        ckp__grow_to(m->nrows + 1, &m->caprows, (size_t)MAX_ROWS_PER_HS, CKP__GROW(m->rows),
                     CKP__GROW(m->scale), CKP__GROW(m->usual_raw), NULL) != 0)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    m->scale[m->nrows] = scale;
    m->usual_raw[m->nrows] = usual_raw;
    m->rows[m->nrows++] = *r;
    return CKP_OK;
}

/* Annual and monthly rows of one pair: a side that reports a year annually
 * keeps only the annual figure (the DESIGN rule); a side that reports the
 * year only month by month, facing an annual report, has its months summed
 * into the year so the two reports meet.  Returns the new count (emptied monthly
 * records are dropped). */
typedef struct per {
    int32_t period;
    double x, xq, mv, malt, mq;
    int syn;
    uint64_t xsrc, msrc; /* store sources of x and of mv (ckp_source_bit) */
} per;

/* A persistent gap: of the pair's periods of one frequency with both
 * reports, at least MIN_OBS and two thirds sit beyond CIF/FOB on one side. */
typedef struct persist {
    int n, pos, neg; /* matched periods; beyond CIF/FOB above, below */
} persist;

static int persist_side(const persist *ps)
{
    int side = ps->pos >= ps->neg ? 1 : -1, k = side > 0 ? ps->pos : ps->neg;
    return k >= MIN_OBS && 3 * k >= 2 * ps->n ? side : 0;
}

/* The CIF/FOB factor of one period: the importer's own CIF and FOB when it
 * reported both (and they are plausible), else the pair-product factor. */
static double period_cif(const per *p, double cif)
{
    if (p->mv > 0 && p->malt > 0 && p->mv / p->malt >= CIF_MIN && p->mv / p->malt <= 1.5)
        return p->mv / p->malt;
    return cif;
}

static size_t align_years(per *ps, size_t np)
{
    for (size_t k = 0; k < np; k++) {
        if (CKP_PERIOD_MONTH(ps[k].period) != 0)
            continue;
        /* a side that reports the year annually: its months are the same
         * trade again (another source) and are not compared on their own */
        for (size_t j = k + 1; j < np && CKP_PERIOD_YEAR(ps[j].period) == CKP_PERIOD_YEAR(ps[k].period);
             j++) {
            if (ps[k].x > 0)
                ps[j].x = 0;
            if (ps[k].mv > 0)
                ps[j].mv = 0;
        }
        if ((ps[k].x > 0) == (ps[k].mv > 0))
            continue;
        int year = CKP_PERIOD_YEAR(ps[k].period), want_x = !(ps[k].x > 0);
        double sum = 0, qsum = 0;
        int other = 0;
        for (size_t j = k + 1; j < np && CKP_PERIOD_YEAR(ps[j].period) == year; j++) {
            sum += want_x ? ps[j].x : ps[j].mv;
            qsum += want_x ? ps[j].xq : ps[j].mq;
            other += want_x ? ps[j].mv > 0 : ps[j].x > 0;
        }
        if (!(sum > 0) || other)
            continue; /* nothing to sum, or both sides report monthly too */
        for (size_t j = k + 1; j < np && CKP_PERIOD_YEAR(ps[j].period) == year; j++) {
            ps[k].syn |= ps[j].syn;
            if (want_x) {
                ps[k].xsrc |= ps[j].xsrc;
                ps[j].x = 0;
            } else {
                ps[k].msrc |= ps[j].msrc;
                ps[j].mv = 0;
            }
        }
        if (want_x) {
            ps[k].x = sum;
            ps[k].xq = qsum;
        } else {
            ps[k].mv = sum;
            ps[k].mq = qsum;
        }
    }
    size_t w = 0;
    for (size_t k = 0; k < np; k++)
        if (ps[k].x > 0 || ps[k].mv > 0)
            ps[w++] = ps[k];
    return w;
}

/* The pair's yearly reports in this product (each side's annual row, else
 * the sum of its months: ckp__year_add), kept for the importer's margin. */
static ckp_status add_flowyears(ckp_mirror *m, int e, int i, const per *ps, size_t np,
                                ckp_error *err)
{
    for (size_t k = 0; k < np;) {
        int year = CKP_PERIOD_YEAR(ps[k].period);
        ckp__year_sum ym, yx;
        memset(&ym, 0, sizeof ym);
        memset(&yx, 0, sizeof yx);
        for (; k < np && CKP_PERIOD_YEAR(ps[k].period) == year; k++) {
            int annual = CKP_PERIOD_MONTH(ps[k].period) == 0;
            if (ps[k].mv > 0)
                ckp__year_add(&ym, annual, ps[k].mv, NAN, 0);
            if (ps[k].x > 0)
                ckp__year_add(&yx, annual, ps[k].x, NAN, 0);
        }
        if (m->nfy == m->capfy) {
            size_t cap = m->capfy ? m->capfy * 2 : 1024;
            if (cap > (size_t)MAX_ROWS_PER_HS)
                return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                                     "more than %ld flows in the products asked: narrow --hs",
                                     MAX_ROWS_PER_HS);
            if (ckp__grow(cap, CKP__GROW(m->fy), (void *)0) != 0)
                return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            m->capfy = cap;
        }
        m->fy[m->nfy++] = (flowyear){i, e, year, ym.value, yx.value};
    }
    return CKP_OK;
}

/* One exporter→importer pair of the current HS code: entries g[0..n-1]
 * (sorted by period, side). */
/* The pair's own CIF/FOB factor in this product, against which its usual
 * gap, its persistence and the reliability of both sides are measured: the
 * median of the importer's reported factors, else of the import/export
 * ratios (clamped), else 0.  Sorts copies: rep and ratio keep their order.
 * (The factor a row shows is the importer's one margin, margin.h.) */
static double pair_product_cif(const double *rep, size_t nrep, const double *ratio, size_t nrat,
                               double *scratch)
{
    if (nrep) {
        memcpy(scratch, rep, nrep * sizeof *rep);
        return ckp_ev_median(scratch, nrep);
    }
    if (nrat >= MIN_OBS) {
        memcpy(scratch, ratio, nrat * sizeof *ratio);
        return fmin(CIF_MAX, fmax(CIF_MIN, ckp_ev_median(scratch, nrat)));
    }
    return 0;
}

/* What one pair × product adds to each country's reliability; skipped when
 * the calibration came from the cache. */
static void calibrate(ckp_mirror *m, int e, int i, const double *ratio, size_t nrat,
                      double c_used)
{
    for (size_t k = 0; k < nrat; k++) {
        double a = fmin(3.0, fabs(log(ratio[k] / c_used)));
        m->rel_sum[e] += a;
        m->rel_n[e]++;
        m->rel_sum[i] += a;
        m->rel_n[i]++;
    }
}

static ckp_status flush_pair(ckp_mirror *m, const entry *g, size_t n, ckp_error *err)
{
    int e = g[0].e, i = g[0].i;
    /* merge sides per period */
    per stack_p[64];
    per *ps = n <= 64 ? stack_p : malloc(n * sizeof *ps);
    double *tmp = malloc((3 * n + 1) * sizeof *tmp);
    if (!ps || !tmp) {
        if (ps != stack_p)
            free(ps);
        free(tmp);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    size_t np = 0;
    for (size_t k = 0; k < n; k++) {
        if (np == 0 || ps[np - 1].period != g[k].period) {
            per z = {g[k].period, 0, NAN, 0, NAN, NAN, 0, 0, 0};
            ps[np++] = z;
        }
        per *p = &ps[np - 1];
        p->syn |= g[k].syn;
        if (g[k].side == 0 && g[k].v > p->x) { /* two HS editions of one code: keep the largest */
            p->x = g[k].v;
            p->xq = g[k].q;
            p->xsrc = g[k].src;
        } else if (g[k].side == 1 && g[k].v > p->mv) {
            p->mv = g[k].v;
            p->msrc = g[k].src;
            p->malt = g[k].alt;
            p->mq = g[k].q;
        }
    }
    if (ckp_hsset_has(m->spec.hs, m->cur_hs)) {
        ckp_status fst = add_flowyears(m, e, i, ps, np, err);
        if (fst != CKP_OK) {
            if (ps != stack_p)
                free(ps);
            free(tmp);
            return fst;
        }
    }
    np = align_years(ps, np);
    /* CIF/FOB for the pair in this product */
    double *rep = tmp, *ratio = tmp + n, *scratch = tmp + 2 * n;
    size_t nrep = 0, nrat = 0;
    for (size_t k = 0; k < np; k++) {
        per *p = &ps[k];
        if (p->mv > 0 && p->malt > 0) {
            double c = p->mv / p->malt;
            if (c >= CIF_MIN && c <= 1.5)
                rep[nrep++] = c;
        }
        if (p->x > 0 && p->mv > 0)
            ratio[nrat++] = p->mv / p->x;
    }
    double cif = pair_product_cif(rep, nrep, ratio, nrat, scratch);
    double c_used = cif > 0 ? cif : CIF_DEFAULT;
    if (!m->calibrated)
        calibrate(m, e, i, ratio, nrat, c_used);
    /* the pair's usual log gap in this product */
    for (size_t k = 0; k < nrat; k++)
        ratio[k] = log(ratio[k] / c_used);
    /* usual gap: the median over periods; scale: from period-to-period
     * changes (1.4826 · median |Δ| / √2), which a lasting shift in the gap
     * (the thing to find) does not inflate the way it inflates the MAD */
    double usual = NAN, scale = LOG_SCALE_DEFAULT;
    if (nrat >= MIN_OBS) {
        double mad_scale;
        ckp_ev_robust(ratio, nrat, LOG_SCALE_FLOOR, &usual, &mad_scale, scratch);
        if (nrat >= 4) {
            for (size_t k = 1; k < nrat; k++)
                scratch[k - 1] = fabs(ratio[k] - ratio[k - 1]);
            scale = fmax(LOG_SCALE_FLOOR, 1.4826 * ckp_ev_median(scratch, nrat - 1) / sqrt(2.0));
        } else {
            scale = mad_scale;
        }
    }
    /* how often the gap is beyond CIF/FOB, by frequency (0 annual, 1 monthly):
     * with each period's own factor, the one its row will carry */
    persist pst[2];
    memset(pst, 0, sizeof pst);
    for (size_t k = 0; cif > 0 && k < np; k++) {
        per *p = &ps[k];
        if (!(p->x > 0 && p->mv > 0))
            continue;
        persist *q = &pst[CKP_PERIOD_MONTH(p->period) != 0];
        double lg = log(p->mv / (p->x * period_cif(p, cif)));
        q->n++;
        q->pos += lg >= GAP_MIN_LOG;
        q->neg += lg <= -GAP_MIN_LOG;
    }
    ckp_status st = CKP_OK;
    for (size_t k = 0; k < np && st == CKP_OK; k++) {
        per *p = &ps[k];
        if (!wanted(m, m->cur_hs, e, i, p->period))
            continue;
        if (fmax(p->x, p->mv) < m->spec.min_value || !(fmax(p->x, p->mv) > 0))
            continue;
        ckp_mirror_row r;
        memset(&r, 0, sizeof r);
        /* orientation is settled at finish; stash exporter/importer values */
        r.reporter = i;
        r.partner = e;
        r.flow = 'M';
        r.hs = m->cur_hs;
        r.period = p->period;
        r.reported_value = p->mv;
        r.mirror_value = p->x;
        r.reported_qty = p->mq;
        r.mirror_qty = p->xq;
        if (p->mv > 0 && p->malt > 0 && p->mv / p->malt >= CIF_MIN && p->mv / p->malt <= 1.5) {
            r.cif_fob = p->mv / p->malt;
            r.cif_fob_source = CKP_CIFFOB_REPORTED;
        } else {
            r.cif_fob = 0; /* the importer's margin, known at finish */
        }
        r.usual = usual;
        const persist *q = &pst[CKP_PERIOD_MONTH(p->period) != 0];
        r.matched_n = q->n;
        r.beyond_side = persist_side(q);
        if (!r.beyond_side)
            r.beyond_side = q->pos >= q->neg ? 1 : -1;
        r.beyond_n = r.beyond_side > 0 ? q->pos : q->neg;
        r.synthetic = p->syn;
        r.sources = (p->x > 0 ? p->xsrc : 0) | (p->mv > 0 ? p->msrc : 0);
        st = push_row(m, &r, scale, isnan(usual) ? NAN : usual + log(c_used), err);
    }
    if (ps != stack_p)
        free(ps);
    free(tmp);
    return st;
}

/* Sort the buffered rows by exporter, importer, period, side (cmp_entry's
 * order) with an LSD radix sort on a packed key: the per-HS sort is the
 * mirror scan's hot spot. */
static void sort_entries(ckp_mirror *m)
{
    size_t n = m->nbuf, nc = (size_t)m->nc;
    if ((uint64_t)nc * nc * PKEYS * 2 >= ((uint64_t)1 << 32)) { /* key too wide */
        qsort(m->buf, n, sizeof *m->buf, cmp_entry);
        return;
    }
    uint64_t *a = m->keys, *t = m->keys2;
    for (size_t k = 0; k < n; k++) {
        const entry *en = &m->buf[k];
        int pk = pkey(en->period);
        uint64_t key = (((uint64_t)en->e * nc + (uint64_t)en->i) * PKEYS + (uint64_t)(pk < 0 ? 0 : pk)) *
                           2 + (uint64_t)en->side;
        a[k] = (key << 32) | (uint64_t)k;
    }
    for (int shift = 32; shift < 64; shift += 8) {
        size_t count[257];
        memset(count, 0, sizeof count);
        for (size_t k = 0; k < n; k++)
            count[((a[k] >> shift) & 255) + 1]++;
        if (count[((a[0] >> shift) & 255) + 1] == n)
            continue; /* every key has the same byte here */
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t k = 0; k < n; k++)
            t[count[(a[k] >> shift) & 255]++] = a[k];
        uint64_t *x = a;
        a = t;
        t = x;
    }
    for (size_t k = 0; k < n; k++)
        m->buf2[k] = m->buf[(uint32_t)a[k]];
    entry *eb = m->buf;
    m->buf = m->buf2;
    m->buf2 = eb;
}

static ckp_status flush_hs(ckp_mirror *m, ckp_error *err)
{
    if (!m->nbuf)
        return CKP_OK;
    sort_entries(m);
    ckp_status st = CKP_OK;
    size_t k = 0;
    while (k < m->nbuf && st == CKP_OK) {
        size_t j = k + 1;
        while (j < m->nbuf && m->buf[j].e == m->buf[k].e && m->buf[j].i == m->buf[k].i)
            j++;
        st = flush_pair(m, m->buf + k, j - k, err);
        k = j;
    }
    m->nbuf = 0;
    return st;
}

ckp_status ckp_mirror_add(ckp_mirror *m, const ckp_flow *row, int synthetic, ckp_error *err)
{
    int rep = row->reporter, par = row->partner;
    if (rep < 0 || rep >= m->nc || par < 0 || par >= m->nc || rep == par)
        return CKP_OK;
    int side;
    if (row->flow == CKP_FLOW_EXPORT)
        side = 0;
    else if (row->flow == CKP_FLOW_IMPORT)
        side = 1;
    else
        return CKP_OK; /* re-exports and re-imports have no clean mirror */
    int k = pkey(row->period);
    if (k >= 0 && !m->calibrated)
        m->has[(size_t)rep * PKEYS + (size_t)k] |= (unsigned char)(side ? 2 : 1);
    if (!(row->value > 0) || !ckp__row_counts(&m->rule, row))
        return CKP_OK;
    if (!m->have_hs || row->hs != m->cur_hs) {
        ckp_status st = flush_hs(m, err);
        if (st != CKP_OK)
            return st;
        m->cur_hs = row->hs;
        m->have_hs = 1;
    }
    if (m->nbuf == m->capbuf) {
        size_t cap = m->capbuf ? m->capbuf * 2 : 4096;
        if (cap > (size_t)MAX_ROWS_PER_HS)
            return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                                 "HS %06u holds more than %ld flows", (unsigned)row->hs,
                                 MAX_ROWS_PER_HS);
        if (ckp__grow(cap, CKP__GROW(m->buf), CKP__GROW(m->buf2), CKP__GROW(m->keys),
                      CKP__GROW(m->keys2), (void *)0) != 0)
            return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        m->capbuf = cap;
    }
    entry *en = &m->buf[m->nbuf++];
    en->e = side ? par : rep;
    en->i = side ? rep : par;
    en->period = row->period;
    en->side = side;
    en->v = row->value;
    en->alt = row->value_alt;
    en->q = row->qty;
    en->syn = synthetic;
    en->src = ckp_source_bit(row->source);
    return CKP_OK;
}

/* ---- finishing ------------------------------------------------------------ */

static int reports(const ckp_mirror *m, int country, int32_t period, int bit)
{
    int k = pkey(period);
    return k >= 0 && (m->has[(size_t)country * PKEYS + (size_t)k] & bit);
}

double ckp_mirror_reliability(const ckp_mirror *m, int country, long *nflows)
{
    if (country < 0 || country >= m->nc) {
        if (nflows)
            *nflows = 0;
        return NAN;
    }
    long n = m->rel_n[country];
    if (nflows)
        *nflows = n;
    return n >= 5 ? exp(-m->rel_sum[country] / (double)n) : NAN;
}

static int rank_class(int flag)
{
    switch (flag) {
    case CKP_MIRROR_PHANTOM_EXPORT:
    case CKP_MIRROR_PHANTOM_IMPORT:
        return 0;
    case CKP_MIRROR_GAP:
        return 1;
    case CKP_MIRROR_OK:
        return 2;
    default:
        return 3;
    }
}

static int cmp_row(const void *pa, const void *pb)
{
    const ckp_mirror_row *a = pa, *b = pb;
    int ca = rank_class(a->flag), cb = rank_class(b->flag);
    if (ca != cb)
        return ca - cb;
    double ka = ca == 0 ? fmax(a->reported_value, a->mirror_value) : fabs(a->gap);
    double kb = cb == 0 ? fmax(b->reported_value, b->mirror_value) : fabs(b->gap);
    if (ka != kb)
        return ka < kb ? 1 : -1;
    return CKP_CMP_CHAIN(CKP_CMP(a->hs, b->hs), CKP_CMP(a->period, b->period),
                         CKP_CMP(a->reporter, b->reporter), CKP_CMP(a->partner, b->partner));
}

static int cmp_flowyear(const void *pa, const void *pb)
{
    const flowyear *a = pa, *b = pb;
    if (a->i != b->i)
        return a->i - b->i;
    if (a->e != b->e)
        return a->e - b->e;
    return a->year - b->year;
}

/* Each importer's pairs of reports in the asked products: a flow's yearly
 * reports summed over the products, then one pair each (margin.h). */
static void estimate_margins(ckp_mirror *m)
{
    if (m->nfy > 1)
        qsort(m->fy, m->nfy, sizeof *m->fy, cmp_flowyear);
    for (size_t k = 0; k < m->nfy;) {
        flowyear f = m->fy[k];
        for (k++; k < m->nfy && m->fy[k].i == f.i && m->fy[k].e == f.e && m->fy[k].year == f.year;
             k++) {
            f.m += m->fy[k].m;
            f.x += m->fy[k].x;
        }
        ckp_margin_add(&m->margin[f.i], f.m, f.x);
    }
}

/* A row's CIF/FOB factor, unless the importer reported it for the flow:
 * the importer's one margin; the pair's usual gap then measured against
 * it. */
static void resolve_cif(const ckp_mirror *m, ckp_mirror_row *r, int i, double usual_raw)
{
    if (r->cif_fob_source == CKP_CIFFOB_REPORTED)
        return;
    int estimated = 0;
    r->cif_fob = 1 + ckp_margin_estimate(&m->margin[i], NULL, 0, &estimated);
    r->cif_fob_source = estimated ? CKP_CIFFOB_ESTIMATED : CKP_CIFFOB_DEFAULT;
    r->usual = usual_raw - log(r->cif_fob);
}

double ckp_mirror_margin(const ckp_mirror *m, int importer, char *how, size_t howlen)
{
    static const ckp_margin_acc none = {0, 0, 0};
    int ok = importer >= 0 && importer < m->nc;
    return ckp_margin_estimate(ok ? &m->margin[importer] : &none, how, howlen, NULL);
}

ckp_status ckp_mirror_finish(ckp_mirror *m, ckp_error *err)
{
    ckp_status st = flush_hs(m, err);
    if (st != CKP_OK)
        return st;
    estimate_margins(m);
    for (size_t k = 0; k < m->nrows; k++) {
        ckp_mirror_row *r = &m->rows[k];
        int i = r->reporter, e = r->partner; /* as stashed */
        double mv = r->reported_value, x = r->mirror_value;
        double mq = r->reported_qty, xq = r->mirror_qty;
        resolve_cif(m, r, i, m->usual_raw[k]);
        r->log_gap = NAN;
        r->gap_z = NAN;
        if (x > 0 && mv > 0) {
            r->log_gap = log(mv / (x * r->cif_fob));
            double usual = r->usual == r->usual ? r->usual : 0.0;
            r->gap_z = (r->log_gap - usual) / m->scale[k];
            /* persistent: the pair's gap is beyond CIF/FOB in most periods
             * (persist_side), and so is this one's, on the same side */
            int persistent = r->beyond_n >= MIN_OBS && 3 * r->beyond_n >= 2 * r->matched_n &&
                             r->log_gap * r->beyond_side >= GAP_MIN_LOG;
            r->flag = CKP_MIRROR_OK;
            if (fabs(r->gap_z) >= GAP_Z && fabs(r->log_gap - usual) >= GAP_MIN_LOG) {
                r->flag = CKP_MIRROR_GAP;
                r->gap_kind = CKP_GAP_NEW;
            } else if (persistent) {
                r->flag = CKP_MIRROR_GAP;
                r->gap_kind = CKP_GAP_PERSISTENT;
            }
        } else if (x > 0) {
            r->flag = reports(m, i, r->period, 2) ? CKP_MIRROR_PHANTOM_EXPORT
                                                   : CKP_MIRROR_NO_REPORT;
        } else {
            r->flag = reports(m, e, r->period, 1) ? CKP_MIRROR_PHANTOM_IMPORT
                                                   : CKP_MIRROR_NO_REPORT;
        }
        /* orientation: the importer reports, unless the caller named the
         * exporter as --reporter (or the importer as --partner) */
        int exporter_view = m->spec.reporter == e || (m->spec.reporter < 0 && m->spec.partner == i);
        double m_fob = mv / r->cif_fob;
        if (exporter_view) {
            r->reporter = e;
            r->partner = i;
            r->flow = 'X';
            r->reported_value = x;
            r->mirror_value = mv;
            r->reported_qty = xq;
            r->mirror_qty = mq;
            r->gap = x - m_fob;
        } else {
            r->gap = m_fob - x;
        }
        r->ratio = r->mirror_value > 0 ? r->reported_value / r->mirror_value : NAN;
        r->reliability = ckp_mirror_reliability(m, r->reporter, NULL);
        r->partner_reliability = ckp_mirror_reliability(m, r->partner, NULL);
    }
    if (m->nrows > 1) /* m->rows is NULL when nothing matched */
        qsort(m->rows, m->nrows, sizeof *m->rows, cmp_row);
    return CKP_OK;
}

size_t ckp_mirror_count(const ckp_mirror *m) { return m->nrows; }

const ckp_mirror_row *ckp_mirror_at(const ckp_mirror *m, size_t i)
{
    return i < m->nrows ? &m->rows[i] : NULL;
}

const char *ckp_mirror_flag_name(int flag)
{
    switch (flag) {
    case CKP_MIRROR_OK:
        return "ok";
    case CKP_MIRROR_GAP:
        return "gap";
    case CKP_MIRROR_PHANTOM_EXPORT:
        return "phantom_export";
    case CKP_MIRROR_PHANTOM_IMPORT:
        return "phantom_import";
    case CKP_MIRROR_NO_REPORT:
        return "no_report";
    default:
        return "?";
    }
}

const char *ckp_mirror_gap_kind_name(int kind)
{
    switch (kind) {
    case CKP_GAP_PERSISTENT:
        return "persistent";
    case CKP_GAP_NEW:
        return "new";
    default:
        return "";
    }
}

const char *ckp_ciffob_source_name(int src)
{
    switch (src) {
    case CKP_CIFFOB_REPORTED:
        return "reported";
    case CKP_CIFFOB_ESTIMATED:
        return "estimated";
    case CKP_CIFFOB_DEFAULT:
        return "default";
    default:
        return "?";
    }
}

/* ---- the calibration cache ------------------------------------------------ */

/* Every call calibrates on the whole store: who reports when and each
 * country's reliability.  That
 * scan is most of a call's time, and its result depends only on the store
 * generation, the sources selected and the reference countries.  So it is
 * kept beside the generation (mirror-cal-KEY.bin, written to a temporary
 * name and renamed, removed with the generation), and a later call scans
 * only the products it reports: the rows come out the same, bit for bit
 * (the sums are the full scan's own).  A missing, short, stale or damaged
 * file is ignored and rewritten; a store directory that cannot be written
 * just goes without.  CKP_MIRROR_CACHE=0 turns the cache off. */

#define CAL_MAGIC "CKPMCAL3"

/* The calibration arrays, in file order. */
typedef struct cal_part {
    void *p;
    size_t n;
} cal_part;

static int cal_parts(ckp_mirror *m, cal_part part[3])
{
    size_t nc = (size_t)m->nc;
    part[0] = (cal_part){m->has, nc * PKEYS};
    part[1] = (cal_part){m->rel_sum, nc * sizeof *m->rel_sum};
    part[2] = (cal_part){m->rel_n, nc * sizeof *m->rel_n};
    return 3;
}

/* The cache's file name for this store, selection and reference data;
 * 0 when there is to be no cache. */
static int cal_path(const ckp_store *store, const ckp_mirror *m, char *path, size_t len,
                    uint64_t *key)
{
    uint64_t h;
    const char *dir = ckp__ev_cache_begin(store, "CKP_MIRROR_CACHE", CAL_MAGIC, &h);
    if (!dir)
        return 0;
    int pk = PKEYS;
    h = ckp__fnv1a(h, &m->nc, sizeof m->nc);
    h = ckp__fnv1a(h, &pk, sizeof pk);
    /* the reference countries (their ids index every array) and which of
     * them are aggregates */
    const ckp_ref *ref = ckp_store_ref(store);
    for (int c = 0; c < m->nc; c++) {
        const ckp_country *co = ref ? ckp_ref_country(ref, c) : NULL;
        unsigned char agg = m->spec.aggregate ? m->spec.aggregate[c] : 0;
        h = ckp__fnv1a(h, co ? co->iso3 : "???", 3);
        h = ckp__fnv1a(h, &agg, 1);
    }
    *key = h;
    return snprintf(path, len, "%s/mirror-cal-%016llx.bin", dir, (unsigned long long)h) <
           (int)len;
}

static int cal_load(ckp_mirror *m, const char *path, uint64_t key)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    cal_part part[3];
    int np = cal_parts(m, part), ok = 1;
    char magic[8];
    uint64_t k = 0, sum = 0, h = CKP__FNV_BASIS;
    ok = fread(magic, 8, 1, f) == 1 && memcmp(magic, CAL_MAGIC, 8) == 0 &&
         fread(&k, sizeof k, 1, f) == 1 && k == key;
    for (int i = 0; i < np && ok; i++) {
        ok = fread(part[i].p, 1, part[i].n, f) == part[i].n;
        h = ckp__fnv1a(h, part[i].p, part[i].n);
    }
    ok = ok && fread(&sum, sizeof sum, 1, f) == 1 && sum == h && fgetc(f) == EOF;
    fclose(f);
    if (!ok) { /* whatever was read is overwritten by the full scan's sums */
        for (int i = 0; i < np; i++)
            memset(part[i].p, 0, part[i].n);
        return 0;
    }
    /* counts a damaged file could make negative would only void estimates
     * (every use needs n >= MIN_OBS); clamp them anyway */
    for (int c = 0; c < m->nc; c++) {
        if (m->rel_n[c] < 0)
            m->rel_n[c] = 0;
    }
    m->calibrated = 1;
    return 1;
}

static void cal_save(ckp_mirror *m, const char *path, uint64_t key)
{
    char tmp[4400];
    FILE *f = ckp__ev_cache_create(path, tmp, sizeof tmp);
    if (!f)
        return; /* a read-only store: no cache */
    cal_part part[3];
    int np = cal_parts(m, part), ok = 1;
    uint64_t h = CKP__FNV_BASIS;
    ok = fwrite(CAL_MAGIC, 8, 1, f) == 1 && fwrite(&key, sizeof key, 1, f) == 1;
    for (int i = 0; i < np && ok; i++) {
        ok = fwrite(part[i].p, 1, part[i].n, f) == part[i].n;
        h = ckp__fnv1a(h, part[i].p, part[i].n);
    }
    ok = ok && fwrite(&h, sizeof h, 1, f) == 1;
    ckp__ev_cache_commit(f, ok, tmp, path);
}

/* ---- the store scan ---------------------------------------------------------- */

static ckp_status mirror_add(void *m, const ckp_flow *row, int synthetic, ckp_error *err)
{
    return ckp_mirror_add(m, row, synthetic, err);
}

ckp_status ckp_mirror_run(const ckp_store *store, const ckp_mirror_spec *spec, int ncountries,
                          ckp_mirror **out, ckp_error *err)
{
    ckp_mirror *m;
    ckp_status st = ckp_mirror_new(spec, ncountries, &m, err);
    if (st != CKP_OK)
        return st;
    m->rule.store = store;
    /* every product and period: the whole history calibrates CIF/FOB, the
     * pairs' usual gaps and reliability; only asked-for rows are kept.  With
     * the calibration cached, only the asked-for products are read. */
    char path[4300];
    uint64_t key = 0;
    int cache = cal_path(store, m, path, sizeof path, &key);
    ckp_query q;
    ckp_query_init(&q);
    if (cache && cal_load(m, path, key))
        q.hs = spec->hs;
    st = ckp__ev_scan(store, &q, mirror_add, m, err);
    if (st == CKP_OK)
        st = ckp_mirror_finish(m, err);
    if (st != CKP_OK) {
        ckp_mirror_free(m);
        return st;
    }
    if (cache && !m->calibrated)
        cal_save(m, path, key);
    *out = m;
    return CKP_OK;
}

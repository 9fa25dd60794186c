/* diversion.c — ranking third countries B as rerouting hubs for goods P from
 * issuers A to targets C after a control (evasion.h, docs/evasion.md).
 *
 * Every flow row is seen from both customs territories: the exporter's
 * report (flow X) and the importer's (flow M, the "mirror").  For each
 * exporter→importer pair of a leg the accumulator keeps both sides, and
 * ckp_div_finish() uses the exporter's report when the exporter reports in
 * both windows, else the importer's, else counts the pair as unseen. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "evasion_int.h"

#define NCLS 3  /* 0 = P, 1 = same-chapter control (or --control), 2 = every other */
#define CELL (NCLS * 2 * 2) /* class × window × side */
#define CIDX(cls, win, side) (((cls) * 2 + (win)) * 2 + (side))
#define PSEUDO_SHARE 1e-4 /* growth pseudo-count: 0.01 % of A→C before … */
#define PSEUDO_MIN 1000.0  /* … plus $1,000 a period */
#define PSEUDO_CTL 0.02    /* controls: 2 % of their own level */
#define NEW_ROUTE 0.2       /* onward route "new": before ≤ 20 % of after */
#define CLEAR_LO 1.25       /* excess growth that starts to count … */
#define CLEAR_HI 3.0        /* … and that counts fully */
#define CTL_MIN_SHARE 0.10 /* a control leg carries ≥ 10 % of the P leg … */
#define CTL_MIN_USD 10000.0 /* … and ≥ $10,000 a period, in both windows */

/* has[] bits: reporter reported flow X / M in the before / after window */
#define HAS_X0 1
#define HAS_X1 2
#define HAS_M0 4
#define HAS_M1 8

struct ckp_div {
    ckp_div_spec spec;
    uint64_t sources; /* store sources of the rows added (ckp_div_sources) */
    int nc;
    const unsigned char *aggregate;
    int *issuer_idx, *target_idx; /* country → index, -1 */
    int nA, nC;
    unsigned char chapters[100];  /* HS chapters of P */
    int32_t b0, b1, a0, a1;       /* windows on the month (or year) scale */
    int nt;                       /* series length: a1 - b0 + 1 */
    double *ab;                   /* nA × nc × CELL */
    double *bc;                   /* nc × nC × CELL */
    double *ac;                   /* nA × nC × CELL */
    double *imp;                  /* nc × 2 windows × 2 sides: B's imports of P */
    double *ser;                  /* nc × 2 legs × 2 sides × nt, P only */
    unsigned char *has;           /* nc */
    unsigned char *syn;           /* nc: synthetic rows touched the hub */
    unsigned char *seen_t;        /* nt: periods with any row */
    int any_synthetic;
    ckp_div_hub *hubs;
    size_t nhubs;
    ckp_div_leg direct;
    int nper_b, nper_a;
    char *prod_label;             /* copy of spec.production_label (whole) */
    char *prod_na;                /* copy of spec.production_na (whole) */
};

/* period → scale index (months since year 0, or the year) */
static int32_t period_index(int freq, int32_t p)
{
    if (freq == 'A')
        return CKP_PERIOD_YEAR(p);
    return CKP_PERIOD_YEAR(p) * 12 + CKP_PERIOD_MONTH(p) - 1;
}

static int32_t index_period(int freq, int32_t i)
{
    if (freq == 'A')
        return i * 100;
    return (i / 12) * 100 + i % 12 + 1;
}

/* days since 1970-01-01 → year, month, day (civil calendar) */
static void civil(int32_t days, int *y, int *m, int *d)
{
    long z = (long)days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* The windows: monthly, the date's month is "after" when the date falls in
 * its first half, else it belongs to neither window; annual, the date's year
 * is "after" when the date is on or before 1 July. */
static void set_windows(ckp_div *d)
{
    int y, m, dd;
    civil(d->spec.date, &y, &m, &dd);
    int32_t first_after, last_before;
    if (d->spec.freq == 'A') {
        first_after = (m < 7 || (m == 7 && dd == 1)) ? y : y + 1;
        last_before = first_after - 1;
    } else {
        int32_t e = y * 12 + m - 1;
        first_after = dd <= 15 ? e : e + 1;
        last_before = e - 1;
    }
    d->b1 = last_before;
    d->b0 = last_before - d->spec.before + 1;
    d->a0 = first_after;
    d->a1 = first_after + d->spec.after - 1;
    d->nt = d->a1 - d->b0 + 1;
}

ckp_status ckp_div_new(const ckp_div_spec *spec, int ncountries, const unsigned char *aggregate,
                       ckp_div **out, ckp_error *err)
{
    *out = NULL;
    if (!spec->hs || spec->nissuers < 1 || ncountries < 1 || (spec->freq != 'M' && spec->freq != 'A'))
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "diversion needs issuers, products and a frequency");
    ckp_div *d = calloc(1, sizeof *d);
    if (!d)
        goto out_nomem;
    d->spec = *spec;
    if (spec->production_label) {
        d->prod_label = strdup(spec->production_label);
        if (!d->prod_label)
            goto out_free;
        d->spec.production_label = d->prod_label;
    }
    if (spec->production_na) {
        d->prod_na = strdup(spec->production_na);
        if (!d->prod_na)
            goto out_free;
        d->spec.production_na = d->prod_na;
    }
    if (d->spec.before <= 0)
        d->spec.before = spec->freq == 'A' ? 3 : 12;
    if (d->spec.after <= 0)
        d->spec.after = spec->freq == 'A' ? 2 : 12;
    if (d->spec.before > 240 || d->spec.after > 240) {
        ckp_div_free(d);
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "windows longer than 240 periods");
    }
    d->nc = ncountries;
    d->aggregate = aggregate;
    set_windows(d);
    size_t nc = (size_t)ncountries;
    d->issuer_idx = malloc(nc * sizeof *d->issuer_idx);
    d->target_idx = malloc(nc * sizeof *d->target_idx);
    if (!d->issuer_idx || !d->target_idx)
        goto out_free;
    for (size_t c = 0; c < nc; c++)
        d->issuer_idx[c] = d->target_idx[c] = -1;
    for (int i = 0; i < spec->nissuers; i++)
        if (spec->issuers[i] >= 0 && spec->issuers[i] < ncountries &&
            d->issuer_idx[spec->issuers[i]] < 0)
            d->issuer_idx[spec->issuers[i]] = d->nA++;
    for (int i = 0; i < spec->ntargets; i++)
        if (spec->targets[i] >= 0 && spec->targets[i] < ncountries &&
            d->issuer_idx[spec->targets[i]] < 0 && d->target_idx[spec->targets[i]] < 0)
            d->target_idx[spec->targets[i]] = d->nC++;
    uint32_t cur = 0, code;
    while (ckp_hsset_next(spec->hs, &cur, &code))
        d->chapters[code / 10000] = 1;
    size_t nA = (size_t)(d->nA ? d->nA : 1), nC = (size_t)(d->nC ? d->nC : 1);
    d->ab = calloc(nA * nc * CELL, sizeof(double));
    d->bc = calloc(nc * nC * CELL, sizeof(double));
    d->ac = calloc(nA * nC * CELL, sizeof(double));
    d->imp = calloc(nc * 4, sizeof(double));
    d->ser = calloc(nc * 4 * (size_t)d->nt, sizeof(double));
    d->has = calloc(nc, 1);
    d->syn = calloc(nc, 1);
    d->seen_t = calloc((size_t)d->nt, 1);
    if (!d->ab || !d->bc || !d->ac || !d->imp || !d->ser || !d->has || !d->syn || !d->seen_t)
        goto out_free;
    *out = d;
    return CKP_OK;
out_free:
    ckp_div_free(d);
out_nomem:
    return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
}

void ckp_div_free(ckp_div *d)
{
    if (!d)
        return;
    CKP_FREE_ALL(d->prod_label, d->prod_na, d->issuer_idx, d->target_idx, d->ab, d->bc, d->ac,
                 d->imp, d->ser, d->has, d->syn, d->seen_t, d->hubs, d);
}

void ckp_div_range(const ckp_div *d, int32_t *from, int32_t *to)
{
    *from = index_period(d->spec.freq, d->b0);
    *to = index_period(d->spec.freq, d->a1);
    if (d->spec.freq == 'A') { /* as bounds, YYYY00 covers the whole year */
        *from = (*from / 100) * 100;
        *to = (*to / 100) * 100;
    }
}

void ckp_div_periods(const ckp_div *d, int *before, int *after)
{
    *before = d->nper_b;
    *after = d->nper_a;
}

void ckp_div_windows(const ckp_div *d, int32_t *b0, int32_t *b1, int32_t *a0, int32_t *a1)
{
    *b0 = index_period(d->spec.freq, d->b0);
    *b1 = index_period(d->spec.freq, d->b1);
    *a0 = index_period(d->spec.freq, d->a0);
    *a1 = index_period(d->spec.freq, d->a1);
}

/* 0 = P, else a bitmask of control classes (2 = class 1, 4 = class 2), or
 * -1 when the row's product is of no use */
static int classify(const ckp_div *d, uint32_t hs)
{
    if (ckp_hsset_has(d->spec.hs, hs))
        return 0;
    if (d->spec.exclude && ckp_hsset_has(d->spec.exclude, hs))
        return -1;
    if (d->spec.control)
        return ckp_hsset_has(d->spec.control, hs) ? 2 : -1;
    return (d->chapters[hs / 10000 % 100] ? 2 : 0) | 4;
}

static void add_cell(double *cell, int mask, int win, int side, double v)
{
    if (mask == 0) {
        cell[CIDX(0, win, side)] += v;
        return;
    }
    if (mask & 2)
        cell[CIDX(1, win, side)] += v;
    if (mask & 4)
        cell[CIDX(2, win, side)] += v;
}

uint64_t ckp_div_sources(const ckp_div *d) { return d ? d->sources : 0; }

void ckp_div_add(ckp_div *d, const ckp_flow *row, int synthetic)
{
    int annual = CKP_PERIOD_MONTH(row->period) == 0;
    if ((d->spec.freq == 'A') != annual)
        return;
    int32_t pi = period_index(d->spec.freq, row->period);
    int win = pi >= d->b0 && pi <= d->b1 ? 0 : pi >= d->a0 && pi <= d->a1 ? 1 : -1;
    if (win < 0)
        return;
    int rep = row->reporter, par = row->partner;
    if (rep < 0 || rep >= d->nc || par < 0 || par >= d->nc || rep == par)
        return;
    int exporter_side = row->flow == CKP_FLOW_EXPORT || row->flow == CKP_FLOW_REEXPORT;
    int e = exporter_side ? rep : par, i = exporter_side ? par : rep;
    int side = exporter_side ? 0 : 1;
    int t = pi - d->b0;
    d->seen_t[t] = 1;
    d->has[rep] |= (unsigned char)(exporter_side ? (win ? HAS_X1 : HAS_X0)
                                                 : (win ? HAS_M1 : HAS_M0));
    if (d->aggregate && (d->aggregate[e] || d->aggregate[i]))
        return;
    if (!(row->value > 0))
        return;
    int mask = classify(d, row->hs);
    if (mask < 0)
        return;
    d->sources |= (uint64_t)1 << (row->source >= 0 && row->source < 63 ? row->source : 63);
    double v = row->value;
    int ia = d->issuer_idx[e], ti = d->target_idx[i];
    size_t nc = (size_t)d->nc, nC = (size_t)(d->nC ? d->nC : 1);
    if (ia >= 0 && ti >= 0) {
        add_cell(d->ac + ((size_t)ia * nC + (size_t)ti) * CELL, mask, win, side, v);
    } else if (ia >= 0 && d->issuer_idx[i] < 0) {
        add_cell(d->ab + ((size_t)ia * nc + (size_t)i) * CELL, mask, win, side, v);
        if (mask == 0)
            d->ser[(((size_t)i * 2 + 0) * 2 + (size_t)side) * (size_t)d->nt + (size_t)t] += v;
    } else if (ti >= 0 && d->issuer_idx[e] < 0 && d->target_idx[e] < 0) {
        add_cell(d->bc + ((size_t)e * nC + (size_t)ti) * CELL, mask, win, side, v);
        if (mask == 0)
            d->ser[(((size_t)e * 2 + 1) * 2 + (size_t)side) * (size_t)d->nt + (size_t)t] += v;
    }
    if (mask == 0) {
        d->imp[(size_t)i * 4 + (size_t)win * 2 + (size_t)side] += v;
        if (synthetic) {
            d->syn[e] = d->syn[i] = 1;
            d->any_synthetic = 1;
        }
    }
}

/* ---- finishing ------------------------------------------------------------ */

static int side_for(const ckp_div *d, int exporter, int importer)
{
    unsigned char he = d->has[exporter], hi = d->has[importer];
    if ((he & HAS_X0) && (he & HAS_X1))
        return 0;
    if ((hi & HAS_M0) && (hi & HAS_M1))
        return 1;
    return -1;
}

/* Sum a leg over its pairs.  sides |= 1 (exporter) / 2 (importer). */
static void leg_add(ckp_div_leg *leg, double sum[NCLS][2], const double *cell, int side,
                    int *sides)
{
    if (side < 0)
        return;
    leg->seen = 1;
    *sides |= 1 << side;
    for (int c = 0; c < NCLS; c++)
        for (int w = 0; w < 2; w++)
            sum[c][w] += cell[CIDX(c, w, side)];
}

/* Controls must be thick enough to say something: in both windows at least
 * a tenth of the leg's own flow in P and $10,000 a period.  The ladder: the
 * user's --control set, or the other codes of P's chapters, then every other
 * product; when none is thick enough the leg is not adjusted (ctl_kind 0). */
static void leg_close(ckp_div_leg *leg, double sum[NCLS][2], int sides, int user_control,
                      int nb, int na)
{
    leg->side = sides == 1 ? 'X' : sides == 2 ? 'M' : sides == 3 ? 'B' : 0;
    leg->before = sum[0][0] / nb;
    leg->after = sum[0][1] / na;
    leg->onset = -1;
    double thr = fmax(CTL_MIN_SHARE * fmax(leg->before, leg->after), CTL_MIN_USD);
    int ladder[2] = {1, user_control ? -1 : 2};
    leg->ctl_kind = 0;
    leg->ctl_before = leg->ctl_after = NAN;
    for (int j = 0; j < 2; j++) {
        int k = ladder[j];
        if (k < 0)
            break;
        double b = sum[k][0] / nb, a = sum[k][1] / na;
        if (b >= thr && a >= thr) {
            leg->ctl_kind = user_control ? 3 : k;
            leg->ctl_before = b;
            leg->ctl_after = a;
            return;
        }
    }
}

static double ratio(double after, double before)
{
    return before > 0 ? after / before : NAN;
}

/* growth factor of the controls, smoothed so an empty before does not blow up */
static double ctl_growth(const ckp_div_leg *l)
{
    if (!l->ctl_kind)
        return 1.0; /* no thick enough control: not adjusted */
    double kq = PSEUDO_CTL * fmax(l->ctl_before, l->ctl_after) + 1.0;
    return (l->ctl_after + kq) / (l->ctl_before + kq);
}

/* log growth of P minus log growth of the controls; k keeps tiny bases from
 * making huge ratios */
static double did(const ckp_div_leg *l, double k)
{
    return log((l->after + k) / (l->before + k)) - log(ctl_growth(l));
}

/* the leg's rise beyond what its before-level would have become had it
 * grown like the controls (USD a period, ≥ 0) */
static double excess(const ckp_div_leg *l)
{
    return fmax(0, l->after - l->before * ctl_growth(l));
}

/* 0 … 1: how clear an excess growth (log, beyond the controls) is: nothing
 * below ×1.25, full from ×3, linear in the log between */
static double clarity(double d)
{
    if (d != d)
        return 0;
    double lo = log(CLEAR_LO), hi = log(CLEAR_HI);
    return fmin(1.0, fmax(0.0, (d - lo) / (hi - lo)));
}

/* First period after the date where the leg reached half of its rise. */
static int onset(const ckp_div *d, int hub, int leg, const ckp_div_leg *l)
{
    if (!(l->after > l->before) || !l->seen)
        return -1;
    int side = l->side == 'M' ? 1 : 0;
    const double *s = d->ser + (((size_t)hub * 2 + (size_t)leg) * 2 + (size_t)side) * (size_t)d->nt;
    double level = l->before + 0.5 * (l->after - l->before);
    for (int32_t t = d->a0 - d->b0; t < d->nt; t++)
        if (d->seen_t[t] && s[t] >= level)
            return t - (d->a0 - d->b0);
    return -1;
}

static int cmp_hub(const void *pa, const void *pb)
{
    const ckp_div_hub *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    if (a->absorbed != b->absorbed)
        return a->absorbed < b->absorbed ? 1 : -1;
    return a->hub - b->hub;
}

ckp_status ckp_div_finish(ckp_div *d, ckp_error *err)
{
    d->nper_b = d->nper_a = 0;
    for (int t = 0; t < d->nt; t++)
        if (d->seen_t[t]) {
            if (t <= d->b1 - d->b0)
                d->nper_b++;
            else if (t >= d->a0 - d->b0)
                d->nper_a++;
        }
    if (!d->nper_b || !d->nper_a) {
        int32_t b0, b1, a0, a1;
        char s0[12], s1[12], s2[12], s3[12];
        ckp_div_windows(d, &b0, &b1, &a0, &a1);
        return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                             "no %s data %s the date (windows %s..%s and %s..%s)",
                             d->spec.freq == 'A' ? "annual" : "monthly",
                             d->nper_b ? "after" : "before", ckp_period_format(b0, s0),
                             ckp_period_format(b1, s1), ckp_period_format(a0, s2),
                             ckp_period_format(a1, s3));
    }
    int nb = d->nper_b, na = d->nper_a, user_ctl = d->spec.control != NULL;
    size_t nc = (size_t)d->nc, nC = (size_t)(d->nC ? d->nC : 1);
    free(d->hubs);
    d->hubs = calloc(nc, sizeof *d->hubs);
    if (!d->hubs)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    d->nhubs = 0;

    /* the direct leg A→C */
    double sum[NCLS][2];
    int sides = 0;
    memset(sum, 0, sizeof sum);
    memset(&d->direct, 0, sizeof d->direct);
    for (int a = 0; a < d->nc; a++)
        for (int c = 0; c < d->nc; c++)
            if (d->issuer_idx[a] >= 0 && d->target_idx[c] >= 0)
                leg_add(&d->direct, sum,
                        d->ac + ((size_t)d->issuer_idx[a] * nC + (size_t)d->target_idx[c]) * CELL,
                        side_for(d, a, c), &sides);
    leg_close(&d->direct, sum, sides, user_ctl, nb, na);

    /* the hubs' legs */
    for (int b = 0; b < d->nc; b++) {
        if (d->issuer_idx[b] >= 0 || d->target_idx[b] >= 0 ||
            (d->aggregate && d->aggregate[b]))
            continue;
        ckp_div_hub h;
        memset(&h, 0, sizeof h);
        h.hub = b;
        double s_ab[NCLS][2], s_bc[NCLS][2];
        int sd_ab = 0, sd_bc = 0;
        memset(s_ab, 0, sizeof s_ab);
        memset(s_bc, 0, sizeof s_bc);
        for (int a = 0; a < d->nc; a++)
            if (d->issuer_idx[a] >= 0)
                leg_add(&h.ab, s_ab, d->ab + ((size_t)d->issuer_idx[a] * nc + (size_t)b) * CELL,
                        side_for(d, a, b), &sd_ab);
        for (int c = 0; c < d->nc && d->nC; c++)
            if (d->target_idx[c] >= 0)
                leg_add(&h.bc, s_bc, d->bc + ((size_t)b * nC + (size_t)d->target_idx[c]) * CELL,
                        side_for(d, b, c), &sd_bc);
        if (s_ab[0][0] + s_ab[0][1] + s_bc[0][0] + s_bc[0][1] <= 0)
            continue; /* no trade in P on either leg: not a candidate */
        leg_close(&h.ab, s_ab, sd_ab, user_ctl, nb, na);
        leg_close(&h.bc, s_bc, sd_bc, user_ctl, nb, na);
        int own = (d->has[b] & HAS_M0) && (d->has[b] & HAS_M1);
        const double *im = d->imp + (size_t)b * 4;
        h.imports_after = (own ? im[1 * 2 + 1] : im[1 * 2 + 0]) / na;
        h.synthetic = d->syn[b];
        d->hubs[d->nhubs++] = h;
    }

    /* The score (docs/evasion.md): the share of the lost A→C trade that B
     * could carry, counting only each leg's growth beyond what B's control
     * products did (difference in differences), times how clear that excess
     * growth is on each leg (full at ×2 beyond the controls). */
    double k = PSEUDO_SHARE * d->direct.before + PSEUDO_MIN;
    double fall = fmax(0, d->direct.before - d->direct.after), sum_abs = 0;
    int has_target = d->nC > 0;
    for (size_t j = 0; j < d->nhubs; j++) {
        ckp_div_hub *h = &d->hubs[j];
        h->growth_ab = ratio(h->ab.after, h->ab.before);
        h->growth_bc = ratio(h->bc.after, h->bc.before);
        h->growth_ctl_ab = ratio(h->ab.ctl_after, h->ab.ctl_before);
        h->growth_ctl_bc = ratio(h->bc.ctl_after, h->bc.ctl_before);
        double cb = 0, ca = 0;
        if (h->ab.ctl_kind) {
            cb += h->ab.ctl_before;
            ca += h->ab.ctl_after;
        }
        if (h->bc.ctl_kind && has_target) {
            cb += h->bc.ctl_before;
            ca += h->bc.ctl_after;
        }
        h->growth_ctl = ratio(ca, cb);
        h->did_ab = h->ab.seen ? did(&h->ab, k) : NAN;
        h->did_bc = has_target && h->bc.seen ? did(&h->bc, k) : NAN;
        double x_ab = h->ab.seen ? excess(&h->ab) : 0;
        double x_bc = has_target && h->bc.seen ? excess(&h->bc) : 0;
        if (has_target && h->ab.seen && h->bc.seen)
            h->absorbed = fmin(x_ab, x_bc); /* both legs must carry it */
        else if (h->ab.seen)
            h->absorbed = x_ab;
        else
            h->absorbed = x_bc;
        sum_abs += h->absorbed;
        h->reexport_ratio = h->imports_after > 0 && has_target && h->bc.seen
                                ? h->bc.after / h->imports_after
                                : NAN;
        h->production = d->spec.production
                            ? d->spec.production(d->spec.production_ctx, h->hub, d->spec.hs)
                            : NAN;
        h->ab.onset = onset(d, h->hub, 0, &h->ab);
        h->bc.onset = onset(d, h->hub, 1, &h->bc);
        h->lag = h->ab.onset >= 0 && h->bc.onset >= 0 ? (double)(h->bc.onset - h->ab.onset)
                                                      : NAN;
    }
    double denom = fmax(sum_abs, fall);
    for (size_t j = 0; j < d->nhubs; j++) {
        ckp_div_hub *h = &d->hubs[j];
        double c_ab = h->ab.seen ? clarity(h->did_ab) : 0;
        double c_bc = has_target && h->bc.seen ? clarity(h->did_bc) : 0;
        double conf;
        if (!has_target) {
            conf = c_ab;
        } else if (h->ab.seen && h->bc.seen) {
            /* the three-way pattern: the onward leg rises clearly, and the
             * inflow from A rises clearly — or, when the onward route is new
             * (≥ ×5), by enough to supply it: a large inflow base can hide
             * the rise in its own noise, while an established supplier whose
             * exports to C merely grow must show a clear inflow rise */
            double x_ab = excess(&h->ab), x_bc = excess(&h->bc);
            int new_route = h->bc.before <= NEW_ROUTE * h->bc.after;
            double supply = new_route && x_bc > 0 ? fmin(1.0, x_ab / x_bc) : 0;
            conf = fmax(c_ab, supply) * c_bc;
        } else {
            conf = 0.5 * (h->ab.seen ? c_ab : c_bc); /* one leg seen: half weight */
        }
        h->share = denom > 0 ? h->absorbed / denom : 0;
        h->score = h->share * conf;
    }
    qsort(d->hubs, d->nhubs, sizeof *d->hubs, cmp_hub);
    for (size_t j = 0; j < d->nhubs; j++)
        d->hubs[j].rank = (int)j + 1;
    d->spec.production_ctx = NULL; /* the caller's; not used after this */
    return CKP_OK;
}

size_t ckp_div_count(const ckp_div *d) { return d->nhubs; }

const ckp_div_hub *ckp_div_at(const ckp_div *d, size_t i)
{
    return i < d->nhubs ? &d->hubs[i] : NULL;
}

const ckp_div_leg *ckp_div_direct(const ckp_div *d) { return &d->direct; }

/* ---- explanation ------------------------------------------------------------ */

static const char *cname(const ckp_ref *ref, int id)
{
    const ckp_country *c = ref ? ckp_ref_country(ref, id) : NULL;
    return c && c->name ? c->name : "?";
}

void ckp__ev_money(double v, char *buf, size_t n)
{
    if (v >= 1e9)
        snprintf(buf, n, "$%.1fbn", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, n, "$%.1fM", v / 1e6);
    else if (v >= 1e3)
        snprintf(buf, n, "$%.0fk", v / 1e3);
    else
        snprintf(buf, n, "$%.0f", v);
}

static void times(double r, char *buf, size_t n)
{
    if (r != r)
        snprintf(buf, n, "(new)");
    else if (r >= 10)
        snprintf(buf, n, "\xc3\x97%.0f", r);
    else
        snprintf(buf, n, "\xc3\x97%.1f", r);
}

/* "×14 ($0.2M → $2.9M a month)" or "from nothing to $2.9M a month" */
static void growth_text(const ckp_div_leg *l, int annual, char *buf, size_t n)
{
    char a[32], b[32], g[32];
    ckp__ev_money(l->before, b, sizeof b);
    ckp__ev_money(l->after, a, sizeof a);
    const char *per = annual ? "a year" : "a month";
    if (!(l->before > 0)) {
        if (l->after > 0)
            snprintf(buf, n, "from nothing to %s %s", a, per);
        else
            snprintf(buf, n, "none before or after the date");
        return;
    }
    times(l->after / l->before, g, sizeof g);
    snprintf(buf, n, "%s (%s \xe2\x86\x92 %s %s)", g, b, a, per);
}

static const char *side_text(int side, int leg_ab)
{
    if (side == 'M')
        return leg_ab ? " (as the hub reports its imports)" : " (as the target reports its imports)";
    if (side == 'B')
        return " (exporters' and importers' reports)";
    return "";
}

char *ckp_div_explain(const ckp_div *d, const ckp_div_hub *h, const ckp_ref *ref,
                      const char *hs_text, char *buf, size_t n)
{
    char date[16], g1[160], g2[160], gc[32], tmp[160];
    int y, m, dd;
    civil(d->spec.date, &y, &m, &dd);
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, dd);
    int annual = d->spec.freq == 'A';
    const char *hub = cname(ref, h->hub);
    const char *issuer = d->spec.nissuers == 1 ? cname(ref, d->spec.issuers[0]) : "the issuers";
    const char *target = d->nC == 1 ? cname(ref, d->spec.targets[0]) : "the targets";
    size_t k = 0;
#define PUT(...)                                                                             \
    do {                                                                                     \
        int w_ = snprintf(buf + k, k < n ? n - k : 0, __VA_ARGS__);                          \
        if (w_ > 0)                                                                          \
            k += (size_t)w_;                                                                 \
        if (k >= n)                                                                          \
            k = n ? n - 1 : 0;                                                               \
    } while (0)
    if (!n)
        return buf;
    buf[0] = '\0';
    PUT("%s: ", hub);
    if (h->ab.seen) {
        growth_text(&h->ab, annual, g1, sizeof g1);
        if (h->ab.before > 0 || h->ab.after > 0)
            PUT("imports of %s from %s %s after %s%s", hs_text, issuer, g1, date,
                side_text(h->ab.side, 1));
        else
            PUT("no imports of %s from %s before or after %s", hs_text, issuer, date);
    } else {
        PUT("imports of %s from %s not seen (neither side reports them in both windows)",
            hs_text, issuer);
    }
    if (d->nC) {
        if (h->bc.seen) {
            growth_text(&h->bc, annual, g2, sizeof g2);
            PUT(", exports of %s to %s %s%s", hs_text, target, g2, side_text(h->bc.side, 0));
        } else {
            PUT(", exports to %s not seen (neither %s nor %s reports that trade)", target, hub,
                target);
        }
    } else {
        PUT("; no single target: onward exports not assessed");
    }
    if (h->growth_ctl == h->growth_ctl) {
        times(h->growth_ctl, gc, sizeof gc);
        PUT("; uncontrolled products %s", gc);
    } else {
        PUT("; uncontrolled products: too little trade on these legs to compare (growth not "
            "adjusted)");
    }
    if (h->lag == h->lag)
        PUT("; onward leg lags by %.0f %s", h->lag, annual ? "years" : "months");
    if (h->production == h->production) {
        const char *what = d->spec.production_label ? d->spec.production_label : "it";
        if (h->production <= 0)
            PUT("; %s produces none (not a USGS-listed producer of %s)", hub, what);
        else
            PUT("; %s produces %.0f t a year of %s combined (USGS)", hub, h->production, what);
    } else if (!d->spec.production && d->spec.production_na) {
        PUT("; production unknown (%s)", d->spec.production_na);
    }
    if (h->reexport_ratio == h->reexport_ratio && h->reexport_ratio > 0) {
        snprintf(tmp, sizeof tmp, "; exports to %s = %.0f %% of its imports of it", target,
                 100 * h->reexport_ratio);
        PUT("%s", tmp);
    }
    PUT(".%s", h->synthetic ? " [SYNTHETIC data]" : "");
#undef PUT
    return buf;
}

/* ---- the store scan ---------------------------------------------------------- */

typedef struct scan_ctx {
    ckp_div *d;
    const ckp_store *store;
    signed char syn_cache[256]; /* per source: -1 unknown, 0, 1 */
    const int *roles;           /* freq probe: 1 for issuers and targets */
    long hits;
} scan_ctx;

static int source_synthetic(scan_ctx *s, int source)
{
    if (source < 0 || source >= 256)
        return ckp_store_source_synthetic(s->store, source);
    if (s->syn_cache[source] < 0)
        s->syn_cache[source] = (signed char)ckp_store_source_synthetic(s->store, source);
    return s->syn_cache[source];
}

static int div_row(const ckp_flow *row, void *ctx)
{
    scan_ctx *s = ctx;
    ckp_div_add(s->d, row, source_synthetic(s, row->source));
    return 0;
}

static int probe_row(const ckp_flow *row, void *ctx)
{
    scan_ctx *s = ctx;
    if (s->roles[row->reporter] || s->roles[row->partner]) {
        s->hits++;
        return 1;
    }
    return 0;
}

unsigned char *ckp__ev_aggregates(const ckp_ref *ref)
{
    int nc = ckp_ref_country_count(ref);
    unsigned char *agg = calloc((size_t)(nc > 0 ? nc : 1), 1);
    if (!agg)
        return NULL;
    for (int c = 0; c < nc; c++) {
        const ckp_country *k = ckp_ref_country(ref, c);
        agg[c] = k && k->is_aggregate;
    }
    return agg;
}

ckp_status ckp_div_run(const ckp_store *store, const ckp_ref *ref, const ckp_div_spec *spec,
                       ckp_div **out, ckp_error *err)
{
    *out = NULL;
    int nc = ckp_ref_country_count(ref);
    ckp_div_spec sp = *spec;
    ckp_status st = CKP_OK;
    unsigned char *agg = ckp__ev_aggregates(ref);
    int *roles = calloc((size_t)(nc > 0 ? nc : 1), sizeof *roles);
    scan_ctx s;
    memset(&s, 0, sizeof s);
    memset(s.syn_cache, -1, sizeof s.syn_cache);
    s.store = store;
    if (!agg || !roles) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    if (!sp.freq) { /* monthly when the issuers or targets trade P monthly */
        for (int i = 0; i < sp.nissuers; i++)
            if (sp.issuers[i] >= 0 && sp.issuers[i] < nc)
                roles[sp.issuers[i]] = 1;
        for (int i = 0; i < sp.ntargets; i++)
            if (sp.targets[i] >= 0 && sp.targets[i] < nc)
                roles[sp.targets[i]] = 1;
        sp.freq = 'M';
        ckp_div *probe = NULL;
        st = ckp_div_new(&sp, nc, agg, &probe, err);
        if (st != CKP_OK)
            goto out_free;
        ckp_query q;
        ckp_query_init(&q);
        ckp_div_range(probe, &q.period_from, &q.period_to);
        ckp_div_free(probe);
        q.freq = 'M';
        q.hs = sp.hs;
        s.roles = roles;
        st = ckp_store_scan(store, &q, probe_row, &s, err);
        if (st != CKP_OK)
            goto out_free;
        if (!s.hits)
            sp.freq = 'A';
    }
    st = ckp_div_new(&sp, nc, agg, &s.d, err);
    if (st != CKP_OK)
        goto out_free;
    ckp_query q;
    ckp_query_init(&q);
    ckp_div_range(s.d, &q.period_from, &q.period_to);
    q.freq = sp.freq;
    st = ckp_store_scan(store, &q, div_row, &s, err);
    if (st == CKP_OK)
        st = ckp_div_finish(s.d, err);
    if (st != CKP_OK) {
        ckp_div_free(s.d);
        goto out_free;
    }
    /* the accumulator keeps the aggregate table: hand it over */
    s.d->aggregate = NULL;
    *out = s.d;
out_free:
    free(agg);
    free(roles);
    return st;
}

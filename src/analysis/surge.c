/* surge.c — the `surge` verb: a flow's monthly (or annual) series with a
 * robust seasonal baseline, month-on-month and year-on-year changes, spikes
 * and level shifts flagged with robust z-scores, and before/after windows
 * around a measure or an event date (also partner by partner).
 *
 * Method (docs/analytics.md): on x = log(value + ε) (ε = 1 % of the median
 * positive value, so zeros are finite),
 *  - seasonal index s[m] = median over the series of x minus its centred
 *    12-month running median, for each calendar month m (monthly series);
 *  - baseline b_t = median of the 12 previous x (3 previous for annual
 *    series) + s[m(t)]; zscore = (x_t - b_t) / (1.4826 · MAD of x - b);
 *  - level shifts by binary segmentation: at t, d_t = the Hodges–Lehmann
 *    shift (median of the pairwise differences) between up to W = 2w
 *    deseasonalised x from t on and up to W before t, both windows clipped
 *    to the segment between the shifts already found; its robust z uses
 *    σ = 1.4826 · MAD of the first differences / √2 and the standard error
 *    of that estimate, 1.0233 σ √(1/n₁ + 1/n₂).  The most significant t
 *    with |z| ≥ shift_z and |d| ≥ min_shift becomes a shift (placed by a
 *    two-segment L1 fit of its windows); repeat until none is left, then
 *    drop shifts that fail between their final neighbours;
 *  - with --measure or --event, the event's month (or the month after, for
 *    a change that ramps in) is also tested on its own between the shifts
 *    found, at |z| ≥ event_z (3): one test at a date fixed in advance does
 *    not need the bar of a scan over every month.
 * Spikes/dips are |zscore| ≥ spike_z outside the w periods after a shift. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/analysis_int.h"
#include "chokepoint/measures.h"
#include "core/grow.h"
#include "core/vec.h"

#define SERIES_MAX 2400 /* periods in one series (200 years of months) */
#define CP_WIN 24       /* longest level-shift window, periods */
#define CP_MAX 24       /* level shifts found in one series, at most */

/* ---- robust statistics ------------------------------------------------- */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ckp_median(const double *v, size_t n, double *scratch)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            scratch[k++] = v[i];
    if (k == 0)
        return NAN;
    qsort(scratch, k, sizeof *scratch, cmp_d);
    return k % 2 ? scratch[k / 2] : (scratch[k / 2 - 1] + scratch[k / 2]) / 2;
}

double ckp_mad(const double *v, size_t n, double *scratch)
{
    double med = ckp_median(v, n, scratch);
    if (isnan(med))
        return NAN;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            scratch[k++] = fabs(v[i] - med);
    if (k < 2)
        return NAN;
    qsort(scratch, k, sizeof *scratch, cmp_d);
    double m = k % 2 ? scratch[k / 2] : (scratch[k / 2 - 1] + scratch[k / 2]) / 2;
    return 1.4826 * m;
}

const char *ckp_surge_flag_name(int flag)
{
    switch (flag) {
    case CKP_SURGE_SHIFT_UP: return "shift_up";
    case CKP_SURGE_SHIFT_DOWN: return "shift_down";
    case CKP_SURGE_SPIKE: return "spike";
    case CKP_SURGE_DIP: return "dip";
    default: return "";
    }
}

void ckp_surge_opts_init(ckp_surge_opts *o)
{
    o->window = 6;
    o->shift_z = 5;
    o->spike_z = 4;
    o->min_shift = 0.4;
    o->event = 0;
    o->event_z = 4;
}

static double median_range(const double *x, long a, long b, double *scratch)
{
    if (a < 0)
        a = 0;
    if (b <= a)
        return NAN;
    return ckp_median(x + a, (size_t)(b - a), scratch);
}

/* Σ |x - median| over x[a..b) (NaN skipped). */
static double l1_cost(const double *x, long a, long b, double *scratch)
{
    double m = median_range(x, a, b, scratch);
    double c = 0;
    for (long i = a; i < b; i++)
        if (!isnan(x[i]))
            c += fabs(x[i] - m);
    return c;
}

/* Non-missing values in x[a..b). */
static long present(const double *x, long a, long b)
{
    long k = 0;
    for (long i = a; i < b; i++)
        k += !isnan(x[i]);
    return k;
}

/* The level-shift statistic at i inside the segment [lo, hi): d = the
 * Hodges–Lehmann shift between x[i .. i+W) and x[i-W .. i) (both clipped to
 * the segment; ≥ wmin present values each; W ≤ CP_WIN) and d over its
 * standard error, 1.0233 σ √(1/n₁ + 1/n₂) (efficiency 3/π of the mean's
 * under normal noise, against 2/π for a difference of medians).  NaN when
 * untestable. */
typedef struct shift_test {
    long n;        /* periods in the series */
    long W;        /* longest window on each side */
    long wmin;     /* fewest present values on a side ended by a change point */
    long wedge;    /* fewest on a side ended by the series' first or last period */
    double sigma;  /* noise scale of the deseasonalised log values */
} shift_test;

static double shift_stat(const double *x, const shift_test *t, long lo, long hi, long i,
                         double *d, double *scratch)
{
    long W = t->W;
    double sigma = t->sigma;
    long a = i - W < lo ? lo : i - W, b = i + W > hi ? hi : i + W;
    if (i <= lo || i >= hi || isnan(x[i]))
        return NAN;
    long nb = present(x, a, i), na = present(x, i, b);
    /* a window cut short by the series' own start or end has no second
     * change point to explain it: there a few noisy months must not pass */
    if (nb < (a == 0 ? t->wedge : t->wmin) || na < (b == t->n ? t->wedge : t->wmin))
        return NAN;
    /* Hodges–Lehmann: the median of the pairwise differences after − before */
    double pairs[CP_WIN * CP_WIN];
    size_t k = 0;
    for (long u = i; u < b; u++)
        for (long v = a; v < i; v++)
            if (!isnan(x[u]) && !isnan(x[v]) && k < sizeof pairs / sizeof *pairs)
                pairs[k++] = x[u] - x[v];
    *d = ckp_median(pairs, k, scratch);
    return *d / (1.0233 * sigma * sqrt(1.0 / (double)nb + 1.0 / (double)na));
}

/* shift_stat at every i, each in its segment between the change points
 * cp[0..ncp) (ascending); z to sh[], d to d[] (NaN where untestable). */
static void shift_scan(const double *x, const shift_test *t, const long *cp, int ncp,
                       double *sh, double *d, double *scratch)
{
    long n = t->n;
    int c = 0;
    for (long i = 0; i < n; i++) {
        while (c < ncp && cp[c] < i)
            c++;
        long lo = c > 0 ? cp[c - 1] : 0, hi = c < ncp ? cp[c] : n;
        d[i] = NAN;
        sh[i] = c < ncp && cp[c] == i ? NAN
                                      : shift_stat(x, t, lo, hi, i, &d[i], scratch);
    }
}

/* The split s in [i - rad, i + rad] minimising the two-segment L1 cost over
 * [i - W, i + W), all clipped to the segment [lo, hi) with ≥ wmin present
 * values each side. */
static long refine_step(const double *x, long lo, long hi, long i, long W, long rad, long wmin,
                        double *scratch)
{
    long a = i - W < lo ? lo : i - W, b = i + W > hi ? hi : i + W;
    long best = i;
    double bc = INFINITY;
    for (long s = i - rad; s <= i + rad; s++) {
        if (s <= a || s >= b || isnan(x[s]) || present(x, a, s) < wmin || present(x, s, b) < wmin)
            continue;
        double c = l1_cost(x, a, s, scratch) + l1_cost(x, s, b, scratch);
        if (c < bc - 1e-12) {
            bc = c;
            best = s;
        }
    }
    return best;
}

/* The segment [*lo, *hi) of a series of n periods, between the ascending
 * change points cp[0..ncp), that period i is in (i itself may be one). */
static void segment_of(const long *cp, int ncp, long n, long i, long *lo, long *hi)
{
    *lo = 0;
    *hi = n;
    for (int q = 0; q < ncp; q++) {
        if (cp[q] < i)
            *lo = cp[q];
        else if (*hi == n)
            *hi = cp[q];
    }
}

/* Add change point at to the ascending cp[0..*ncp) (room for one more). */
static void cp_insert(long *cp, int *ncp, long at)
{
    int q = (*ncp)++;
    while (q > 0 && cp[q - 1] > at) {
        cp[q] = cp[q - 1];
        q--;
    }
    cp[q] = at;
}

void ckp_surge_analyze(ckp_surge_point *p, size_t n, const ckp_surge_opts *opt)
{
    ckp_surge_opts def;
    if (!opt) {
        ckp_surge_opts_init(&def);
        opt = &def;
    }
    if (n == 0 || n > SERIES_MAX)
        return;
    int monthly = p[0].period % 100 != 0;
    long L = monthly ? 12 : 1; /* periods per year */
    double *x = malloc(n * sizeof *x), *ds = malloc(n * sizeof *ds), *r = malloc(n * sizeof *r),
           *sc = malloc((n + CP_WIN * CP_WIN) * sizeof *sc), *tmp = malloc((n + 16) * sizeof *tmp),
           *sh = malloc(n * sizeof *sh);
    if (!x || !ds || !r || !sc || !tmp || !sh)
        goto out;
    /* log scale with an offset for zeros */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!p[i].missing && p[i].value > 0)
            tmp[k++] = p[i].value;
    double med = k ? ckp_median(tmp, k, sc) : 1;
    double eps = med > 0 ? 0.01 * med : 1;
    for (size_t i = 0; i < n; i++)
        x[i] = p[i].missing ? NAN : log(p[i].value + eps);
    /* seasonal index */
    double season[12] = {0};
    if (monthly && n >= 24) {
        double *dev[12];
        int nd[12] = {0};
        double *devbuf = malloc(12 * (n / 12 + 1) * sizeof *devbuf);
        if (devbuf) {
            size_t off = 0;
            for (int m = 0; m < 12; m++) {
                dev[m] = devbuf + off;
                off += n / 12 + 1;
            }
            for (size_t i = 0; i < n; i++) {
                /* only full centred windows: a one-sided running median at
                 * the ends would take the season for the level */
                if (isnan(x[i]) || i < 6 || i + 6 > n)
                    continue;
                double c = median_range(x, (long)i - 6, (long)i + 6, sc);
                int m = (int)(p[i].period % 100) - 1;
                if (!isnan(c) && m >= 0 && m < 12 && nd[m] < (int)(n / 12 + 1))
                    dev[m][nd[m]++] = x[i] - c;
            }
            double avg = 0;
            for (int m = 0; m < 12; m++) {
                season[m] = nd[m] >= 2 ? ckp_median(dev[m], (size_t)nd[m], sc) : 0;
                avg += season[m];
            }
            for (int m = 0; m < 12; m++)
                season[m] -= avg / 12;
            free(devbuf);
        }
    }
    for (size_t i = 0; i < n; i++) {
        int m = monthly ? (int)(p[i].period % 100) - 1 : 0;
        ds[i] = x[i] - (monthly ? season[m] : 0);
    }
    /* baseline, residuals */
    long hist = monthly ? 12 : 3;
    for (size_t i = 0; i < n; i++) {
        double lvl = median_range(ds, (long)i - hist, (long)i, sc);
        int m = monthly ? (int)(p[i].period % 100) - 1 : 0;
        long have = 0;
        for (long j = (long)i - hist; j < (long)i; j++)
            have += j >= 0 && !isnan(ds[j]);
        if (have < (monthly ? 6 : 2))
            lvl = NAN;
        double b = isnan(lvl) ? NAN : lvl + (monthly ? season[m] : 0);
        p[i].baseline = isnan(b) ? NAN : exp(b) - eps;
        if (p[i].baseline < 0)
            p[i].baseline = 0;
        r[i] = isnan(b) || isnan(x[i]) ? NAN : x[i] - b;
        p[i].change = !isnan(b) && p[i].baseline > 0 && !p[i].missing
                          ? p[i].value / p[i].baseline - 1
                          : NAN;
        p[i].mom = i >= 1 && !p[i].missing && !p[i - 1].missing && p[i - 1].value > 0
                       ? p[i].value / p[i - 1].value - 1
                       : NAN;
        p[i].yoy = (long)i >= L && !p[i].missing && !p[i - (size_t)L].missing &&
                           p[i - (size_t)L].value > 0
                       ? p[i].value / p[i - (size_t)L].value - 1
                       : NAN;
        p[i].flag = CKP_SURGE_NONE;
        p[i].shift = NAN;
    }
    double rs = ckp_mad(r, n, sc);
    double floor_s = 0.05; /* a noiseless series still needs a scale */
    if (isnan(rs) || rs < floor_s)
        rs = floor_s;
    for (size_t i = 0; i < n; i++)
        p[i].zscore = isnan(r[i]) ? NAN : r[i] / rs;
    /* level shifts: binary segmentation.  Each candidate month is tested
     * with windows of up to W periods on each side, clipped to the segment
     * between the change points already found (so a licence three months
     * before a ban is tested on its own months, not blurred by the ban);
     * the most significant candidate becomes a change point, until none is
     * left; change points that no longer pass between their final
     * neighbours are dropped. */
    size_t nd = 0;
    for (size_t i = 1; i < n; i++)
        if (!isnan(ds[i]) && !isnan(ds[i - 1]))
            tmp[nd++] = ds[i] - ds[i - 1];
    double sigma = nd >= 4 ? ckp_mad(tmp, nd, sc) / sqrt(2.0) : NAN;
    if (isnan(sigma) || sigma < floor_s)
        sigma = floor_s;
    long w = monthly ? opt->window : (opt->window > 2 ? 2 : opt->window);
    long W = monthly ? 2 * w : w;
    if (W > CP_WIN)
        W = CP_WIN;
    long wmin = monthly ? 3 : 2;
    shift_test tst = {(long)n, W, wmin, monthly ? 6 : 3, sigma};
    long cp[CP_MAX];
    int ncp = 0;
    for (int iter = 0; iter < CP_MAX; iter++) {
        shift_scan(ds, &tst, cp, ncp, sh, tmp, sc);
        long best = -1;
        for (long i = 0; i < (long)n; i++)
            if (!isnan(sh[i]) && fabs(sh[i]) >= opt->shift_z && fabs(tmp[i]) >= opt->min_shift &&
                (best < 0 || fabs(sh[i]) > fabs(sh[best])))
                best = i;
        if (best < 0)
            break;
        /* the peak of the window statistic is blurred by noise: place the
         * step where a two-segment fit (medians, absolute deviations) of the
         * surrounding periods fits best */
        long lo, hi;
        segment_of(cp, ncp, (long)n, best, &lo, &hi);
        cp_insert(cp, &ncp, refine_step(ds, lo, hi, best, W, W, wmin, sc));
    }
    /* prune: each change point again between its final neighbours */
    for (int again = 1; again && ncp > 0;) {
        again = 0;
        for (int q = 0; q < ncp; q++) {
            long lo = q ? cp[q - 1] : 0, hi = q + 1 < ncp ? cp[q + 1] : (long)n;
            double d = NAN, z = shift_stat(ds, &tst, lo, hi, cp[q], &d, sc);
            if (!isnan(z) && fabs(z) >= opt->shift_z && fabs(d) >= opt->min_shift)
                continue;
            memmove(cp + q, cp + q + 1, (size_t)(ncp - q - 1) * sizeof *cp);
            ncp--;
            again = 1;
            break;
        }
    }
    /* a known event: its month (or, monthly, the next: half the change may
     * fall in the first month) tested on its own between the change points
     * found, when none of them is there already */
    long ev_at = -1;
    for (size_t i = 0; opt->event && i < n; i++)
        if (p[i].period == (monthly ? opt->event : opt->event / 100 * 100))
            ev_at = (long)i;
    int near = 0;
    for (int q = 0; q < ncp && ev_at >= 0; q++)
        near |= cp[q] >= ev_at - 1 && cp[q] <= ev_at + (monthly ? 2 : 1);
    if (ev_at >= 0 && !near && ncp < CP_MAX) {
        long best = -1;
        double bz = 0;
        for (long i = ev_at; i <= ev_at + (monthly ? 1 : 0) && i < (long)n; i++) {
            long lo, hi;
            segment_of(cp, ncp, (long)n, i, &lo, &hi);
            double d = NAN, z = shift_stat(ds, &tst, lo, hi, i, &d, sc);
            if (!isnan(z) && fabs(z) >= opt->event_z && fabs(d) >= opt->min_shift &&
                fabs(z) > bz) {
                bz = fabs(z);
                best = i;
            }
        }
        if (best >= 0)
            cp_insert(cp, &ncp, best);
    }
    shift_scan(ds, &tst, cp, ncp, sh, tmp, sc);
    for (int q = 0; q < ncp; q++) {
        long lo = q ? cp[q - 1] : 0, hi = q + 1 < ncp ? cp[q + 1] : (long)n;
        double d = NAN;
        sh[cp[q]] = shift_stat(ds, &tst, lo, hi, cp[q], &d, sc);
        p[cp[q]].flag = d > 0 ? CKP_SURGE_SHIFT_UP : CKP_SURGE_SHIFT_DOWN;
    }
    for (size_t i = 0; i < n; i++)
        p[i].shift = sh[i];
    /* spikes outside the periods right after a shift */
    long quiet = -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i].flag == CKP_SURGE_SHIFT_UP || p[i].flag == CKP_SURGE_SHIFT_DOWN) {
            quiet = (long)i + (monthly ? 12 : 3);
            continue;
        }
        if ((long)i < quiet || isnan(p[i].zscore) || fabs(p[i].zscore) < opt->spike_z)
            continue;
        p[i].flag = p[i].zscore > 0 ? CKP_SURGE_SPIKE : CKP_SURGE_DIP;
    }
out:
    CKP_FREE_ALL(x, ds, r, sc, tmp, sh);
}

/* ---- the verb ------------------------------------------------------------ */

typedef struct series_acc {
    int32_t *key;
    double *val, *qty;
    int *partner;        /* store idx (by-partner mode) */
    int *lev;            /* CKP__LEVEL_BIT of the value, | 16 when from detail */
    size_t n, cap;
    int failed;
} series_acc;

static void acc_emit(const ckp__pairval *pv, void *ctx)
{
    series_acc *a = ctx;
    if (a->failed)
        return;
    if (a->n == a->cap &&
        ckp__grow_to(a->n + 1, &a->cap, 50000000, CKP__GROW(a->key), CKP__GROW(a->val),
                     CKP__GROW(a->qty), CKP__GROW(a->partner), CKP__GROW(a->lev),
                     (void *)0) != 0) {
        a->failed = 1;
        return;
    }
    a->key[a->n] = pv->key;
    a->val[a->n] = pv->value;
    a->qty[a->n] = pv->qty;
    a->partner[a->n] = pv->side == 'X' ? pv->importer : pv->exporter;
    a->lev[a->n] = ckp__levels_of(pv);
    a->n++;
}

static const ckp_param params[] = {
    {"reporter", CKP_PARAM_STR, "C", "the reporting country (ISO3)", 1, 1},
    {"partner", CKP_PARAM_STR, "C2", "one partner (default: all partners summed)", 0, 1},
    {"hs", CKP_PARAM_LIST, "H", "HS codes, prefixes, TOTAL or a group (default: the measure's "
                                "codes); a chapter, heading or TOTAL answers at its level", 0,
     1},
    {"measure", CKP_PARAM_STR, "ID", "a measure of the register: its effective date is the event",
     0, 1},
    {"event", CKP_PARAM_STR, "DATE", "an event date (YYYY-MM-DD or YYYY-MM)", 0, 1},
    {"flow", CKP_PARAM_STR, "X|M", "exports (X, default) or imports (M) of the reporter", 0, 1},
    {"from", CKP_PARAM_STR, "P", "first period", 0, 1},
    {"to", CKP_PARAM_STR, "P", "last period", 0, 1},
    {"window", CKP_PARAM_INT, "N", "months before/after the event compared (default 12)", 0, 1},
    {"by-partner", CKP_PARAM_FLAG, NULL,
     "one row per partner: the event's before/after windows compared (needs an event)", 0, 1},
    {"summary", CKP_PARAM_FLAG, NULL,
     "CSV: also write the event's before/after summary record (kind=summary) after the data "
     "rows (JSON always has it as its own record, the table after a blank line)", 0, 1},
    {"measures", CKP_PARAM_STR, "FILE", "a user measures file for --measure", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column columns[] = {
    {"reporter", CKP_COL_STR, 0}, {"partner", CKP_COL_STR, 0},  {"hs", CKP_COL_STR, 0},
    {"period", CKP_COL_STR, 0},   {"value", CKP_COL_NUM, 0},    {"qty", CKP_COL_NUM, 0},
    {"baseline", CKP_COL_NUM, 0}, {"change", CKP_COL_NUM, 4},   {"zscore", CKP_COL_NUM, 2},
    {"flag", CKP_COL_STR, 0},     {"mom", CKP_COL_NUM, 4},      {"yoy", CKP_COL_NUM, 4},
    {"unit_value", CKP_COL_NUM, 4}, {"shift", CKP_COL_NUM, 2},  {"window", CKP_COL_STR, 0},
    {"kind", CKP_COL_STR, 0},     {"level", CKP_COL_STR, 0},    {"from_detail", CKP_COL_JSON, 0}};

/* Months between two YYYYMM periods (b - a). */
static long month_diff(int32_t a, int32_t b)
{
    return (long)(b / 100 - a / 100) * 12 + (b % 100 - a % 100);
}

static int32_t month_add(int32_t p, long k)
{
    long m = (long)(p / 100) * 12 + (p % 100 - 1) + k;
    return (int32_t)((m / 12) * 100 + m % 12 + 1);
}

typedef struct event_info {
    int32_t period;     /* YYYYMM (monthly) of the event, 0 none */
    char label[96];
} event_info;

static ckp_status resolve_event(ckp_env *env, const ckp_args *args, event_info *ev,
                                ckp_hsset **hs, ckp_measures **own, ckp_error *err)
{
    const char *mid = ckp_args_get(args, "measure"), *evs = ckp_args_get(args, "event");
    ev->period = 0;
    ev->label[0] = '\0';
    if (mid && evs)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "give --measure or --event, not both");
    if (evs) {
        int32_t d;
        if (ckp_date_parse(evs, &d, NULL) == CKP_OK && d >= 0 && strlen(evs) >= 10) {
            ev->period = ckp_date_period(d);
        } else {
            int32_t p;
            if (ckp_period_parse(evs, &p, NULL) != CKP_OK || p % 100 == 0)
                return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                     "--event takes YYYY-MM-DD or YYYY-MM (got '%s')", evs);
            ev->period = p;
        }
        snprintf(ev->label, sizeof ev->label, "event %s", evs);
    }
    if (mid) {
        const ckp_measures *ms;
        const char *file = ckp_args_get(args, "measures");
        ckp_status st;
        if (file) {
            st = ckp_measures_load(ckp_env_ref(env), ckp_env_data_dir(env), file, own, err);
            ms = *own;
        } else {
            st = ckp_measures_from_env(env, &ms, err);
        }
        const ckp_measure *m = NULL;
        if (st == CKP_OK)
            st = ckp_measures_arg(ms, mid, &m, err);
        if (st != CKP_OK)
            return st;
        int32_t d = ckp_measure_start(m);
        if (d < 0)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--measure: %s has no date", mid);
        char db[12];
        if (ckp_measure_first_applied(m) != d && m->announced >= 0) {
            /* suspended before it took effect: the event is the announcement */
            d = m->announced;
            snprintf(ev->label, sizeof ev->label, "%s (%s announced; suspended before taking effect)",
                     m->id, ckp_measure_date_format(d, db));
        } else {
            snprintf(ev->label, sizeof ev->label, "%s (%s)", m->id, ckp_measure_date_format(d, db));
        }
        ev->period = ckp_date_period(d);
        if (!*hs && m->nhs == 0)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--measure: %s states no HS code (it binds no shipment by "
                                 "code): give --hs",
                                 mid);
        if (!*hs) {
            *hs = ckp_hsset_new();
            if (!*hs)
                return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            uint32_t cur = 0, code;
            while (ckp_hsset_next(m->hs, &cur, &code))
                ckp_hsset_add(*hs, code);
        }
    }
    return CKP_OK;
}

typedef struct ptot {
    int partner;
    double before, after;
    int nb, na;
    int lev; /* series_acc.lev of the values in the windows */
} ptot;

static int cmp_ptot(const void *a, const void *b)
{
    const ptot *x = a, *y = b;
    double dx = x->after - x->before, dy = y->after - y->before;
    if (dx != dy)
        return dx > dy ? -1 : 1;
    return x->partner - y->partner;
}

static ckp_status by_partner(ckp_env *env, const ckp_ref *ref, const series_acc *a,
                             int reporter, const char *hsl, const event_info *ev, long win,
                             ckp_writer *w, char *summary, size_t summary_len, ckp_error *err)
{
    int nsc = ckp__ncountries(env);
    ptot *t = calloc((size_t)(nsc ? nsc : 1), sizeof *t);
    if (!t)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < nsc; i++)
        t[i].partner = i;
    int32_t b0 = month_add(ev->period, -win), a1 = month_add(ev->period, win - 1);
    int32_t last = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->key[i] % 100 && a->key[i] > last)
            last = a->key[i];
    if (last && last < a1)
        a1 = last;
    long na = month_diff(ev->period, a1) + 1;
    for (size_t i = 0; i < a->n; i++) {
        int32_t k = a->key[i];
        if (k % 100 == 0 || a->partner[i] < 0 || a->partner[i] >= nsc)
            continue;
        if (k >= b0 && k < ev->period)
            t[a->partner[i]].before += a->val[i];
        else if (k >= ev->period && k <= a1)
            t[a->partner[i]].after += a->val[i];
        else
            continue;
        t[a->partner[i]].lev |= a->lev[i];
    }
    qsort(t, (size_t)nsc, sizeof *t, cmp_ptot);
    char per[64], p1[8], p2[8], p3[8], p4[8];
    snprintf(per, sizeof per, "%s..%s -> %s..%s", ckp_period_format(b0, p1),
             ckp_period_format(month_add(ev->period, -1), p2), ckp_period_format(ev->period, p3),
             ckp_period_format(a1, p4));
    ckp_status st = CKP_OK;
    int rose = 0;
    double tb = 0, ta = 0;
    const char *top = NULL;
    for (int i = 0; i < nsc; i++) {
        if (t[i].before <= 0 && t[i].after <= 0)
            continue;
        double mb = t[i].before / (double)win, ma = na > 0 ? t[i].after / (double)na : NAN;
        tb += mb;
        ta += ma;
        const char *flag = t[i].before <= 0 ? "new" : t[i].after <= 0 ? "stopped"
                           : ma > mb ? "rose" : "fell";
        if (ma > mb) {
            rose++;
            if (!top)
                top = ckp__name(ref, ckp__country(env, t[i].partner));
        }
        ckp_writer_str(w, ckp_ref_iso3(ref, reporter));
        ckp_writer_str(w, ckp_ref_iso3(ref, ckp__country(env, t[i].partner)));
        ckp_writer_str(w, hsl);
        ckp_writer_str(w, per);
        ckp_writer_num(w, ma);
        ckp_writer_null(w);
        ckp_writer_num(w, mb);
        ckp_writer_num(w, mb > 0 ? ma / mb - 1 : NAN);
        ckp_writer_null(w);
        ckp_writer_str(w, flag);
        ckp_writer_null(w);
        ckp_writer_null(w);
        ckp_writer_null(w);
        ckp_writer_null(w);
        ckp_writer_str(w, "after-vs-before");
        ckp_writer_str(w, "data");
        ckp__levels_cells(w, t[i].lev);
        st = ckp_writer_end_row(w);
        if (st != CKP_OK) {
            ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
            break;
        }
    }
    char bb[32], ab[32];
    ckp__summary(summary, summary_len,
                 "%s's exports of %s around %s: %s USD/month before, %s after (%+.0f %%); %d "
                 "partners rose%s%s",
                 ckp__name(ref, reporter), hsl, ev->label, ckp_format_thousands(tb, 0, bb, sizeof bb),
                 ckp_format_thousands(ta, 0, ab, sizeof ab), tb > 0 ? 100 * (ta / tb - 1) : 0.0,
                 rose, top ? ", most: " : "", top ? top : "");
    free(t);
    return st;
}

static ckp_status run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                      size_t summary_len, ckp_error *err)
{
    /* the table on a terminal: the series and its flags */
    ckp_writer_hint(w, "period value baseline change zscore flag", NULL);
    const ckp_ref *ref = ckp_env_ref(env);
    int reporter, partner;
    ckp_hsset *hs = NULL;
    ckp_measures *own = NULL;
    series_acc a;
    memset(&a, 0, sizeof a);
    ckp_surge_point *pts = NULL;
    int *plev = NULL; /* per point: series_acc.lev of its values */
    event_info ev;
    long win;
    int32_t from, to;
    ckp_status st = ckp_args_country(args, ref, "reporter", 1, &reporter, err);
    if (st == CKP_OK)
        st = ckp_args_country(args, ref, "partner", 0, &partner, err);
    if (st == CKP_OK)
        st = ckp_args_int(args, "window", 12, &win, err);
    if (st == CKP_OK)
        st = ckp_args_periods(args, &from, &to, err);
    if (st != CKP_OK)
        return st;
    if (win < 1 || win > 120)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--window takes 1 to 120 months");
    const char *fl = ckp_args_get(args, "flow");
    int flow = 'X';
    if (fl && (strcasecmp(fl, "M") == 0 || strcasecmp(fl, "import") == 0))
        flow = 'M';
    else if (fl && strcasecmp(fl, "X") != 0 && strcasecmp(fl, "export") != 0)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--flow takes X or M (got '%s')", fl);
    st = ckp_args_hsset(args, ref, "hs", 0, &hs, err);
    if (st != CKP_OK)
        return st;
    st = resolve_event(env, args, &ev, &hs, &own, err);
    if (st != CKP_OK)
        goto out;
    if (!hs) {
        st = ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--hs H is required (or --measure ID)");
        goto out;
    }
    if (!ckp_args_get(args, "hs")) /* the measure's codes: their caveat */
        st = ckp_answer_caveat_of(ckp_verb_answer(w), ref, hs);
    if (st != CKP_OK) {
        ckp_error_set(err, st, NULL, 0, 0, "the caveats of the measure's codes do not fit");
        goto out;
    }
    int bypart = ckp_args_flag(args, "by-partner");
    if (bypart && !ev.period) {
        st = ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--by-partner needs --measure or --event");
        goto out;
    }
    const ckp_store *store;
    st = ckp_env_store(env, &store, err);
    if (st != CKP_OK)
        goto out;
    char hsl[256];
    ckp__hs_label(args, hsl, sizeof hsl);
    if (!hsl[0])
        snprintf(hsl, sizeof hsl, "%s", ckp_args_get(args, "measure"));
    ckp__collect c;
    memset(&c, 0, sizeof c);
    c.env = env;
    c.store = store;
    c.ref = ref;
    c.hs = hs;
    c.reporter = reporter;
    c.partner = partner;
    c.from = from;
    c.to = to;
    c.monthly = 1;
    c.want_x = flow == 'X';
    c.want_m = flow == 'M';
    c.levels = 1; /* --hs TOTAL|CC|CCCC: the reported aggregate, never added to its detail */
    c.emit = acc_emit;
    c.ctx = &a;
    c.answer = ckp_verb_answer(w);
    st = ckp__collect_run(&c, err);
    if (st == CKP_OK && a.failed)
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "series too large");
    if (st != CKP_OK)
        goto out;
    if (bypart) {
        st = by_partner(env, ref, &a, reporter, hsl, &ev, win, w, summary, summary_len, err);
        goto out;
    }
    /* the series: months when any monthly key exists, else years */
    int32_t lo = 0, hi = 0;
    int monthly = 0;
    for (size_t i = 0; i < a.n; i++)
        monthly |= a.key[i] % 100 != 0;
    for (size_t i = 0; i < a.n; i++) {
        int32_t k = a.key[i];
        if ((k % 100 != 0) != monthly)
            continue;
        if (!lo || k < lo)
            lo = k;
        if (k > hi)
            hi = k;
    }
    /* months after the last row while the reporter still reports (a flow
     * that stopped, e.g. under a ban) are zeros, not the end of the series */
    if (lo && monthly) {
        for (int i = ckp__nperiods(env) - 1; i >= 0; i--) {
            int32_t p = ckp__period(env, i);
            if (p <= hi || (to && !ckp_period_covers(0, to, p)))
                break;
            if (p % 100 && ckp__has(env, reporter, flow, p, p)) {
                hi = p;
                break;
            }
        }
    }
    size_t n = 0;
    if (lo)
        n = monthly ? (size_t)month_diff(lo, hi) + 1 : (size_t)(hi / 100 - lo / 100) + 1;
    if (n > SERIES_MAX) {
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "series longer than %d periods", SERIES_MAX);
        goto out;
    }
    pts = calloc(n ? n : 1, sizeof *pts);
    plev = calloc(n ? n : 1, sizeof *plev);
    if (!pts || !plev) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        pts[i].period = monthly ? month_add(lo, (long)i) : (lo / 100 + (int32_t)i) * 100;
        pts[i].missing = 1;
        pts[i].qty = NAN;
    }
    for (size_t i = 0; i < a.n; i++) {
        int32_t k = a.key[i];
        if ((k % 100 != 0) != monthly)
            continue;
        size_t j = monthly ? (size_t)month_diff(lo, k) : (size_t)(k / 100 - lo / 100);
        if (pts[j].missing) {
            pts[j].missing = 0;
            pts[j].value = 0;
            pts[j].qty = 0;
        }
        pts[j].value += a.val[i];
        plev[j] |= a.lev[i];
        if (isnan(a.qty[i]))
            pts[j].qty = NAN;
        else if (!isnan(pts[j].qty))
            pts[j].qty += a.qty[i];
    }
    /* a month with no row: zero trade when the reporter reported that month
     * (or year), missing otherwise */
    for (size_t i = 0; i < n; i++) {
        if (!pts[i].missing)
            continue;
        int32_t p = pts[i].period;
        if (ckp__has(env, reporter, flow, p, p)) {
            pts[i].missing = 0;
            pts[i].value = 0;
        }
    }
    ckp_surge_opts o;
    ckp_surge_opts_init(&o);
    o.event = ev.period;
    ckp_surge_analyze(pts, n, &o);
    /* event windows */
    double sb = 0, sa = 0;
    int nb = 0, na = 0;
    int32_t evp = ev.period;
    if (evp && !monthly)
        evp = evp / 100 * 100;
    const char *rep3 = ckp_ref_iso3(ref, reporter);
    const char *par3 = partner >= 0 ? ckp_ref_iso3(ref, partner) : "*";
    int nshift = 0, nspike = 0;
    char shifts[200] = "";
    for (size_t i = 0; i < n; i++) {
        const ckp_surge_point *q = &pts[i];
        const char *win_s = "";
        if (evp) {
            long d = monthly ? month_diff(evp, q->period) : (q->period / 100 - evp / 100);
            long ww = monthly ? win : (win + 11) / 12;
            if (d < 0 && d >= -ww) {
                win_s = "before";
                if (!q->missing)
                    sb += q->value, nb++;
            } else if (d >= 0 && d < ww) {
                win_s = "after";
                if (!q->missing)
                    sa += q->value, na++;
            }
        }
        if (q->flag == CKP_SURGE_SHIFT_UP || q->flag == CKP_SURGE_SHIFT_DOWN) {
            char pb[8];
            size_t l = strlen(shifts);
            if (l < sizeof shifts - 24)
                snprintf(shifts + l, sizeof shifts - l, "%s%s %s", nshift ? ", " : "",
                         q->flag == CKP_SURGE_SHIFT_UP ? "up" : "down",
                         ckp_period_format(q->period, pb));
            nshift++;
        } else if (q->flag) {
            nspike++;
        }
        ckp_writer_str(w, rep3);
        ckp_writer_str(w, par3);
        ckp_writer_str(w, hsl);
        ckp__period_cell(w, q->period);
        if (q->missing)
            ckp_writer_null(w);
        else
            ckp_writer_num(w, q->value);
        ckp_writer_num(w, q->qty);
        ckp_writer_num(w, q->baseline);
        ckp_writer_num(w, q->change);
        ckp_writer_num(w, q->zscore);
        ckp_writer_str(w, ckp_surge_flag_name(q->flag));
        ckp_writer_num(w, q->mom);
        ckp_writer_num(w, q->yoy);
        /* unit value: undefined (null) when the quantity is 0 or missing */
        ckp_writer_num(w, !q->missing && q->qty > 0 ? q->value / q->qty : NAN);
        ckp_writer_num(w, q->shift);
        ckp_writer_str(w, win_s);
        ckp_writer_str(w, "data");
        ckp__levels_cells(w, plev[i]);
        st = ckp_writer_end_row(w);
        if (st != CKP_OK) {
            ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
            goto out;
        }
    }
    double mb = nb ? sb / nb : NAN, ma = na ? sa / na : NAN;
    ckp_format fmt = ckp_writer_format(w);
    if (evp && (fmt != CKP_FMT_CSV || ckp_args_flag(args, "summary"))) {
        /* the before/after comparison: a record of its own (kind=summary),
         * never a data row a date column would choke on; in CSV only when
         * asked, in a table after a blank line */
        if (fmt == CKP_FMT_TABLE && n) {
            for (size_t k = 0; k < sizeof columns / sizeof columns[0]; k++)
                ckp_writer_str(w, "");
            st = ckp_writer_end_row(w);
            if (st != CKP_OK) {
                ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
                goto out;
            }
        }
        ckp_writer_str(w, rep3);
        ckp_writer_str(w, par3);
        ckp_writer_str(w, hsl);
        ckp_writer_str(w, "change");
        ckp_writer_num(w, ma);
        ckp_writer_null(w);
        ckp_writer_num(w, mb);
        ckp_writer_num(w, mb > 0 ? ma / mb - 1 : NAN);
        ckp_writer_null(w);
        ckp_writer_str(w, "event");
        for (int k = 0; k < 4; k++)
            ckp_writer_null(w);
        ckp_writer_str(w, ev.label);
        ckp_writer_str(w, "summary");
        int all = 0;
        for (size_t i = 0; i < n; i++)
            all |= plev[i];
        ckp__levels_cells(w, all);
        st = ckp_writer_end_row(w);
        if (st != CKP_OK) {
            ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
            goto out;
        }
    }
    if (n == 0) {
        ckp__summary(summary, summary_len, "no %s of %s by %s%s%s in the store",
                     flow == 'X' ? "exports" : "imports", hsl, ckp__name(ref, reporter),
                     partner >= 0 ? (flow == 'X' ? " to " : " from ") : "",
                     partner >= 0 ? ckp__name(ref, partner) : "");
    } else {
        char ev_s[200] = "";
        char bb[32], ab[32];
        if (evp && !nb && !na) {
            /* the windows hold no period of the series: say so, not "0 → 0" */
            char p0[8], p1[8];
            snprintf(ev_s, sizeof ev_s, "; %s is outside the series (%s..%s): nothing to compare",
                     ev.label, ckp_period_format(pts[0].period, p0),
                     ckp_period_format(pts[n - 1].period, p1));
        } else if (evp && (!nb || !na)) {
            snprintf(ev_s, sizeof ev_s, "; around %s: %s before, %s after (no comparison)", ev.label,
                     nb ? ckp_format_thousands(mb, 0, bb, sizeof bb) : "no data",
                     na ? ckp_format_thousands(ma, 0, ab, sizeof ab) : "no data");
        } else if (evp) {
            snprintf(ev_s, sizeof ev_s, "; around %s: %s USD per period before, %s after (%+.0f %%)",
                     ev.label, ckp_format_thousands(mb, 0, bb, sizeof bb),
                     ckp_format_thousands(ma, 0, ab, sizeof ab),
                     mb > 0 ? 100 * (ma / mb - 1) : 0.0);
        }
        ckp__summary(summary, summary_len, "%s %s of %s%s%s: %zu %s, %d level shift%s%s%s, %d spike%s%s",
                     ckp__name(ref, reporter), flow == 'X' ? "exports" : "imports", hsl,
                     partner >= 0 ? (flow == 'X' ? " to " : " from ") : "",
                     partner >= 0 ? ckp__name(ref, partner) : "", n,
                     monthly ? "months" : "years", nshift, nshift == 1 ? "" : "s",
                     nshift ? " (" : "", nshift ? shifts : "", nspike, nspike == 1 ? "" : "s",
                     ev_s);
        if (nshift && summary && summary_len) {
            /* close the parenthesis after the shift list */
            char *p = strstr(summary, shifts);
            if (p) {
                size_t off = (size_t)(p - summary) + strlen(shifts);
                char rest[600];
                snprintf(rest, sizeof rest, "%s", summary + off);
                snprintf(summary + off, summary_len - off, ")%s", rest);
            }
        }
    }
out:
    CKP_FREE_ALL(pts, plev, a.key, a.val, a.qty, a.partner, a.lev);
    ckp_measures_free(own);
    ckp_hsset_free(hs);
    return st;
}

CKP_VERB_DEFINE(surge, 40, 1) = {
    "surge",
    "--reporter C [--partner C2] --hs H [--measure ID | --event DATE] [--flow X|M] "
    "[--by-partner] [--summary]",
    "a flow's series with seasonal baseline, MoM/YoY, spikes and level shifts around an event",
    "Monthly series when the store has months, else annual.  A month with no row is\n"
    "zero when the reporter reported that month, missing (null) otherwise.  Baseline:\n"
    "median of the previous 12 months + a median seasonal index; zscore = robust z of\n"
    "log value against it (MAD); level shifts: binary segmentation on the robust z of\n"
    "the median pairwise difference between up to 12 months from and before each\n"
    "month, within the segments between shifts found (flag shift_up/shift_down),\n"
    "spikes/dips |z| >= 4.  unit_value is null when the quantity is 0 or missing.\n"
    "With --measure/--event, rows carry window=before|after (--window months each\n"
    "side; a measure suspended before it took effect is dated by its announcement)\n"
    "and a summary record (kind=summary, period=change) compares the monthly\n"
    "means: in JSON always, in the table after a blank line, in CSV only with\n"
    "--summary (data rows have kind=data); --by-partner gives one row per partner\n"
    "instead (which partners rose, which fell).",
    params,
    0,
    0,
    columns,
    sizeof columns / sizeof columns[0],
    run, NULL, NULL, 0};

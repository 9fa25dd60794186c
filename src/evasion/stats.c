/* stats.c — robust statistics shared by the evasion analyses (evasion.h).
 * NaN values must not be passed (callers filter them). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evasion_int.h"

/* k-th smallest of x[0..n-1] (0-based), partially reordering x (Hoare's
 * selection with a median-of-three pivot): O(n) on average. */
static double select_kth(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double a = x[lo], b = x[mid], c = x[hi];
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j];
                x[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return x[k];
    }
    return x[k];
}

double ckp_ev_median(double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double hi = select_kth(x, n, n / 2);
    if (n % 2)
        return hi;
    /* the lower middle is the largest of the elements left of n/2 */
    double lo = x[0];
    for (size_t i = 1; i < n / 2; i++)
        if (x[i] > lo)
            lo = x[i];
    return 0.5 * (lo + hi);
}

int ckp_ev_robust(const double *x, size_t n, double floor, double *median, double *scale,
                  double *scratch)
{
    if (n == 0) {
        *median = NAN;
        *scale = NAN;
        return -1;
    }
    memcpy(scratch, x, n * sizeof *x);
    double med = ckp_ev_median(scratch, n);
    double mean_abs = 0;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = fabs(x[i] - med);
        mean_abs += scratch[i];
    }
    mean_abs /= (double)n;
    double s = 1.4826 * ckp_ev_median(scratch, n);
    if (!(s > 0))
        s = 1.2533 * mean_abs;
    if (!(s > floor))
        s = floor;
    *median = med;
    *scale = s;
    return 0;
}

void ckp__ev_query_periods(ckp_query *q, int32_t from, int32_t to)
{
    q->period_from = from; /* YYYY00 sorts before YYYY01 */
    q->period_to = to && CKP_PERIOD_MONTH(to) == 0 ? to + 12 : to;
}

/* margin.c — the one CIF/FOB margin (margin.h). */
#include <math.h>
#include <stdio.h>

#include "chokepoint/analysis.h"
#include "chokepoint/margin.h"

void ckp_margin_add(ckp_margin_acc *a, double import_cif, double export_fob)
{
    if (!(import_cif > 0) || !(export_fob > 0))
        return;
    a->m += import_cif;
    a->x += export_fob;
    a->pairs++;
}

double ckp_margin_estimate(const ckp_margin_acc *a, char *how, size_t howlen, int *estimated)
{
    double m = a->x > 0 ? a->m / a->x - 1 : NAN;
    int ok = a->pairs >= CKP_MARGIN_MIN_PAIRS && m >= 0 && m <= CKP_MARGIN_MAX;
    if (estimated)
        *estimated = ok;
    if (ok) {
        if (how)
            snprintf(how, howlen, "%.1f %% estimated from %d pairs of reports", 100 * m,
                     a->pairs);
        return m;
    }
    if (how)
        snprintf(how, howlen, "default %.0f %% (%d usable pairs of reports)",
                 100 * CKP_CIF_FOB_DEFAULT, a->pairs);
    return CKP_CIF_FOB_DEFAULT;
}

/* margin.h — the one CIF/FOB margin: what an importer's CIF import report
 * adds to the exporter's FOB export report of the same flow, estimated once
 * and used by every verb that puts one side's report in place of the
 * other's (dependency --mirror, mirror), so the same mirrored flow has the
 * same value everywhere.
 *
 * The estimate for one importer and HS set: over the flows (exporter, year)
 * where both sides report — a year's figure is the annual row, else the sum
 * of the months (store/row_rule.h), summed over the HS set — the margin is
 * ΣM / ΣX − 1.  With fewer than CKP_MARGIN_MIN_PAIRS such flows, or a margin
 * outside [0, CKP_MARGIN_MAX] (a gap, not freight and insurance), it is the
 * default CKP_CIF_FOB_DEFAULT (analysis.h). */
#ifndef CHOKEPOINT_MARGIN_H
#define CHOKEPOINT_MARGIN_H

#include <stddef.h>

#define CKP_MARGIN_MIN_PAIRS 3
#define CKP_MARGIN_MAX 0.25

/* The pairs of reports seen so far (zero it to start). */
typedef struct ckp_margin_acc {
    double m, x; /* Σ import reports (CIF), Σ export reports (FOB) */
    int pairs;   /* flows with both reports */
} ckp_margin_acc;

/* One flow's two yearly reports (either may be 0 or NaN: not a pair). */
void ckp_margin_add(ckp_margin_acc *a, double import_cif, double export_fob);

/* The margin (0.06 = imports 6 % above exports), and in how (may be NULL)
 * how it was had: "2.1 % estimated from 14 pairs of reports" or
 * "default 6 % (2 usable pairs of reports)".  *estimated (may be NULL) = 1
 * when estimated, 0 for the default. */
double ckp_margin_estimate(const ckp_margin_acc *a, char *how, size_t howlen, int *estimated);

#endif

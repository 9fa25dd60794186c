/* overview.h — one country's trade in a product set, by partner and
 * period, straight from the store: the series the report's "exports"
 * charts draw (and any other caller that wants them as data).
 *
 * The rows that count are the store's one rule (every selected source
 * once, no aggregate partner unless named, an asked aggregate's own rows,
 * never its detail); one frequency is kept, monthly when there is any
 * monthly row; the `top` partners by total value are kept apart and the
 * rest summed per period as "other".  When the reporter does not report
 * the flow at all, its partners' reports of the opposite flow stand in
 * (mirrored). */
#ifndef CHOKEPOINT_OVERVIEW_H
#define CHOKEPOINT_OVERVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/store.h"

typedef struct ckp_overview_spec {
    const ckp_hsset *hs; /* the products (levels asked are honoured) */
    int reporter;        /* ref id, -1 any (then partner is required) */
    int partner;         /* ref id, -1 any */
    int flow;            /* CKP_FLOW_EXPORT or CKP_FLOW_IMPORT */
    int32_t from, to;    /* store query bounds, 0 open */
    int top;             /* partners kept apart (≥ 1) */
} ckp_overview_spec;

/* One point of a series. */
typedef struct ckp_overview_point {
    int32_t period;      /* YYYYMM or YYYY00 */
    int other;           /* ref id of the other side (the partner when a
                            reporter was given, else the reporter); -1 for
                            "all other partners" summed */
    double value, qty;   /* USD; qty summed where known */
} ckp_overview_point;

typedef struct ckp_overview {
    ckp_overview_point *points; /* by period, then other (-1 last) */
    size_t n;
    int monthly;                /* 1 monthly series, 0 annual */
    int mirrored;               /* 1: from the partners' reports */
    int too_many;               /* 1: more rows than one chart holds (no
                                   points then) */
    unsigned char sources[256]; /* [source] 1 when a row of it counted */
} ckp_overview;

/* Fill *out (zeroed first); free with ckp_overview_free.  Errors: the
 * store's (scan), CKP_ENOMEM.  Too many rows is not an error: out->too_many. */
ckp_status ckp_overview_series(const ckp_store *store, const ckp_ref *ref,
                               const ckp_overview_spec *spec, ckp_overview *out,
                               ckp_error *err);
void ckp_overview_free(ckp_overview *o);

#endif

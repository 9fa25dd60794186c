/* ev_scan.c — the store scan mirror.c and unitvalue.c both run: every row
 * of a query handed to an accumulator with whether its source is
 * synthetic.  See evasion_int.h. */
#include "evasion_int.h"

typedef struct ev_scan {
    const ckp_store *store;
    ckp__ev_add_fn add;
    void *acc;
    ckp_status st;
    ckp_error *err;
} ev_scan;

static int row_cb(const ckp_flow *row, void *ctx)
{
    ev_scan *s = ctx;
    int syn = ckp_store_source_synthetic(s->store, row->source); /* O(1) */
    s->st = s->add(s->acc, row, syn, s->err);
    return s->st != CKP_OK;
}

ckp_status ckp__ev_scan(const ckp_store *store, const ckp_query *q, ckp__ev_add_fn add,
                        void *acc, ckp_error *err)
{
    ev_scan s = {store, add, acc, CKP_OK, err};
    ckp_status st = ckp_store_scan(store, q, row_cb, &s, err);
    return st != CKP_OK ? st : s.st;
}

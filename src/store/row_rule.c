/* row_rule.c — which store rows count for a question (row_rule.h). */
#include <math.h>
#include <string.h>

#include "store/row_rule.h"

void ckp__row_rule_init(ckp__row_rule *r, const ckp_store *store)
{
    memset(r, 0, sizeof *r);
    r->store = store;
    r->named_reporter = r->named_partner = -1;
    r->want_x = r->want_m = 1;
}

int ckp__row_level_counts(const ckp_hsset *asked, uint32_t key)
{
    if (ckp_hsset_asked(asked, key))
        return 1;
    uint32_t k = key;
    for (int i = 0; i < 3 && ckp_hs_key_level(k) > 0; i++) {
        k = ckp_hs_key_parent(k);
        if (ckp_hsset_asked(asked, k))
            return 0;
    }
    return ckp_hs_key_level(key) == 6;
}

/* 1 when country c is an aggregate that is not the one named. */
static int aggregate_member(const ckp__row_rule *r, int c, int named)
{
    if (!r->aggregate)
        return 0;
    if (c < 0 || c >= r->ncountries)
        return 1;
    return r->aggregate[c] && c != named;
}

static int same_trade(const ckp_flow *a, const ckp_flow *b)
{
    return a->hs == b->hs && a->hs_edition == b->hs_edition && a->reporter == b->reporter && a->partner == b->partner &&
           a->flow == b->flow && a->period == b->period;
}

int ckp__row_counts(ckp__row_rule *r, const ckp_flow *row)
{
    if (!(row->flow == CKP_FLOW_EXPORT && r->want_x) &&
        !(row->flow == CKP_FLOW_IMPORT && r->want_m))
        return 0;
    if (r->store && !ckp_store_source_selected(r->store, row->source))
        return 0;
    if (aggregate_member(r, row->reporter, r->named_reporter) ||
        aggregate_member(r, row->partner, r->named_partner))
        return 0;
    if (r->asked && !ckp__row_level_counts(r->asked, row->hs))
        return 0;
    if (r->have_last && same_trade(&r->last, row))
        return 0;
    r->last = *row;
    r->have_last = 1;
    return 1;
}

void ckp__year_add(ckp__year_sum *y, int annual, double value, double qty, uint64_t source_bit)
{
    if (annual) {
        y->annual = 1;
        y->sources = source_bit; /* the year's row alone */
        y->value = value;
        y->qty = isnan(qty) ? 0 : qty;
        y->qty_missing = (unsigned char)isnan(qty);
        return;
    }
    if (y->annual)
        return; /* the months beside an annual row: the same trade again */
    y->sources |= source_bit;
    y->value += value;
    if (isnan(qty))
        y->qty_missing = 1;
    else
        y->qty += qty;
}

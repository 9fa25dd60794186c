/* row_rule.h — which store rows count for a question: the one rule every
 * reader that sums or compares flows applies (the analyses' collector in
 * src/analysis/scan.c, mirror statistics in src/evasion/mirror.c, the
 * report's series in src/analysis/overview.c), so that the same store gives
 * the same figures in every verb (docs/analytics.md, "Which rows count").
 *
 * A row counts when
 *   - its flow is one asked for: exports ('X') and imports ('M') only,
 *     re-exports and re-imports never (they have no clean mirror and would
 *     count goods twice);
 *   - its source is selected (ckp_store_source_selected);
 *   - neither its reporter nor its partner is an aggregate (World, an
 *     economic area…: it would add to its own members), unless that
 *     aggregate is the country asked for by name — then it is the subject
 *     of the answer, not a member;
 *   - with levels asked (--hs TOTAL, a chapter, a heading), it is an asked
 *     key's own reported row, or an HS6 row under no asked key: never the
 *     detail under an asked aggregate, which would be added to it;
 *   - it is not the same trade again: the rows of one (product and HS
 *     edition, reporter, partner, flow, period) from a second source are the same flow
 *     reported twice, and the first (the store's source order) answers.
 * And a year's figure is the reporter's annual row when it sent one, else
 * the sum of its months (ckp__year_add): the months beside an annual row
 * are the same trade again. */
#ifndef CHOKEPOINT_STORE_ROW_RULE_H
#define CHOKEPOINT_STORE_ROW_RULE_H

#include <stdint.h>

#include "chokepoint/store.h"

typedef struct ckp__row_rule {
    const ckp_store *store;         /* its selected sources count; NULL:
                                       every source */
    const unsigned char *aggregate; /* [country] 1 for an aggregate or an
                                       unknown country, in the caller's
                                       index space (ref ids or store
                                       indexes); NULL: none is */
    int ncountries;                 /* entries of aggregate: a country at or
                                       beyond it does not count */
    int named_reporter;             /* the countries asked for by name, in */
    int named_partner;              /* the same index space (-1 none) */
    const ckp_hsset *asked;         /* levels asked (ckp_hsset_asks_levels):
                                       the set; NULL reads every key given */
    int want_x, want_m;             /* flows counted */
    /* state: the last row that counted (repeats from other sources) */
    ckp_flow last;
    int have_last;
} ckp__row_rule;

/* A rule counting exports and imports of every selected source of store,
 * with no aggregate, no name and no levels: set the fields that apply. */
void ckp__row_rule_init(ckp__row_rule *r, const ckp_store *store);

/* 1 when row counts (the rules above), 0 when not.  Rows must come in the
 * store's order (ckp_store_scan's: product, reporter, partner, flow,
 * period, source) for the repeat rule; only the key fields of row (hs,
 * hs_edition, reporter, partner, flow, period, source) are read. */
int ckp__row_counts(ckp__row_rule *r, const ckp_flow *row);

/* 1 when a row of product key `key` is read for the asked set: an asked
 * key's own row, or an HS6 row no asked key lies above. */
int ckp__row_level_counts(const ckp_hsset *asked, uint32_t key);

/* One year's (or, monthly, one month's) figure of one flow. */
typedef struct ckp__year_sum {
    double value, qty;     /* qty: NaN-free sum; see qty_missing */
    uint64_t sources;      /* ckp_source_bit mask of the rows that answer */
    unsigned char annual;  /* 1 once an annual row answered */
    unsigned char qty_missing; /* a row that answers lacked a quantity */
} ckp__year_sum;

/* Add a counting row to y: an annual row replaces what the months summed
 * and answers alone; a month adds unless an annual row answered. */
void ckp__year_add(ckp__year_sum *y, int annual, double value, double qty,
                   uint64_t source_bit);

#endif

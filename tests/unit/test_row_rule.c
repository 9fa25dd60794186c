/* test_row_rule.c — which store rows count (src/store/row_rule.h), on
 * synthetic rows with known answers. */
#include "store/row_rule.h"
#include "test.h"

enum { DEU, CHN, WLD, NC }; /* country indexes; WLD an aggregate */
static const unsigned char agg[NC] = {0, 0, 1};

static ckp_flow row(int reporter, int partner, int flow, int32_t period, int source)
{
    ckp_flow f;
    memset(&f, 0, sizeof f);
    f.hs = 811292;
    f.reporter = reporter;
    f.partner = partner;
    f.flow = flow;
    f.period = period;
    f.value = 100;
    f.qty = NAN;
    f.source = source;
    return f;
}

static void rule_init(ckp__row_rule *r)
{
    ckp__row_rule_init(r, NULL);
    r->aggregate = agg;
    r->ncountries = NC;
}

CKP_TEST(row_rule_sources)
{
    ckp__row_rule r;
    rule_init(&r);
    /* one source: every period counts */
    ckp_flow a = row(DEU, CHN, 'M', 202301, 0), b = row(DEU, CHN, 'M', 202302, 0);
    CHECK_INT(ckp__row_counts(&r, &a), 1);
    CHECK_INT(ckp__row_counts(&r, &b), 1);
    /* two sources of the same flow and period: the first answers */
    rule_init(&r);
    ckp_flow a1 = row(DEU, CHN, 'M', 202301, 1);
    CHECK_INT(ckp__row_counts(&r, &a), 1);
    CHECK_INT(ckp__row_counts(&r, &a1), 0);
    CHECK_INT(ckp__row_counts(&r, &b), 1);
    /* the other flow, or another HS edition of the code, is another row */
    ckp_flow x = row(DEU, CHN, 'X', 202302, 1), e = x;
    e.hs_edition = 1;
    CHECK_INT(ckp__row_counts(&r, &x), 1);
    CHECK_INT(ckp__row_counts(&r, &e), 1);
    /* re-exports never count; an unwanted flow neither */
    ckp_flow rx = row(DEU, CHN, 'x', 202303, 0);
    CHECK_INT(ckp__row_counts(&r, &rx), 0);
    r.want_m = 0;
    ckp_flow m = row(DEU, CHN, 'M', 202304, 0);
    CHECK_INT(ckp__row_counts(&r, &m), 0);
}

CKP_TEST(row_rule_world_partner)
{
    ckp__row_rule r;
    rule_init(&r);
    ckp_flow w = row(DEU, WLD, 'M', 2023 * 100, 0), wr = row(WLD, DEU, 'X', 2023 * 100, 0);
    CHECK_INT(ckp__row_counts(&r, &w), 0);  /* World adds to its members */
    CHECK_INT(ckp__row_counts(&r, &wr), 0);
    ckp_flow out = row(DEU, NC, 'M', 2023 * 100, 0); /* unknown country */
    CHECK_INT(ckp__row_counts(&r, &out), 0);
    r.named_partner = WLD; /* asked for by name: the subject */
    CHECK_INT(ckp__row_counts(&r, &w), 1);
    CHECK_INT(ckp__row_counts(&r, &wr), 0); /* named as partner, not reporter */
    r.aggregate = NULL;                     /* no aggregate table: all count */
    CHECK_INT(ckp__row_counts(&r, &wr), 1);
}

CKP_TEST(row_rule_levels)
{
    ckp_hsset *set = ckp_hsset_new();
    REQUIRE(set);
    ckp_hsset_add_prefix(set, 28, 2); /* --hs 28 */
    ckp_hsset_add(set, 811292);       /* and an HS6 code under no asked key */
    CHECK_INT(ckp__row_level_counts(set, ckp_hs_key(28, 2)), 1);
    CHECK_INT(ckp__row_level_counts(set, ckp_hs_key(2846, 4)), 0); /* detail */
    CHECK_INT(ckp__row_level_counts(set, 284690), 0);
    CHECK_INT(ckp__row_level_counts(set, 811292), 1);
    ckp__row_rule r;
    rule_init(&r);
    r.asked = set;
    ckp_flow a = row(DEU, CHN, 'M', 202301, 0);
    a.hs = 284690;
    CHECK_INT(ckp__row_counts(&r, &a), 0);
    a.hs = ckp_hs_key(28, 2);
    CHECK_INT(ckp__row_counts(&r, &a), 1);
    ckp_hsset_free(set);
}

CKP_TEST(row_rule_annual_monthly)
{
    /* months alone: their sum, with their sources */
    ckp__year_sum y;
    memset(&y, 0, sizeof y);
    ckp__year_add(&y, 0, 10, 1, 1);
    ckp__year_add(&y, 0, 20, NAN, 2);
    CHECK(y.value == 30 && y.qty == 1 && y.qty_missing && y.sources == 3 && !y.annual);
    /* an annual row answers alone, the months before it dropped */
    ckp__year_add(&y, 1, 100, 7, 4);
    CHECK(y.value == 100 && y.qty == 7 && !y.qty_missing && y.sources == 4 && y.annual);
    /* and the months after it too (the same trade again) */
    ckp__year_add(&y, 0, 50, 5, 8);
    CHECK(y.value == 100 && y.qty == 7 && y.sources == 4);
}

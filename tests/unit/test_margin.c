/* test_margin.c — the one CIF/FOB margin (chokepoint/margin.h), and mirror
 * putting it on the rows dependency would raise by it. */
#include "chokepoint/analysis.h"
#include "chokepoint/evasion.h"
#include "chokepoint/margin.h"
#include "test.h"

CKP_TEST(margin_estimate)
{
    ckp_margin_acc a = {0, 0, 0};
    char how[96];
    int est = -1;
    /* fewer than 3 pairs: the default */
    ckp_margin_add(&a, 105, 100);
    ckp_margin_add(&a, 210, 200);
    ckp_margin_add(&a, 50, 0);   /* one side only: not a pair */
    ckp_margin_add(&a, NAN, 10); /* neither */
    CHECK_INT(a.pairs, 2);
    CHECK_NEAR(ckp_margin_estimate(&a, how, sizeof how, &est), CKP_CIF_FOB_DEFAULT, 1e-12);
    CHECK_INT(est, 0);
    CHECK_STR(how, "default 6 % (2 usable pairs of reports)");
    /* 3 pairs: ΣM/ΣX − 1 = 420/400 − 1 */
    ckp_margin_add(&a, 105, 100);
    CHECK_NEAR(ckp_margin_estimate(&a, how, sizeof how, &est), 0.05, 1e-12);
    CHECK_INT(est, 1);
    CHECK_STR(how, "5.0 % estimated from 3 pairs of reports");
    /* beyond 25 %: a gap, not freight */
    ckp_margin_add(&a, 1000, 100);
    CHECK_NEAR(ckp_margin_estimate(&a, NULL, 0, &est), CKP_CIF_FOB_DEFAULT, 1e-12);
    CHECK_INT(est, 0);
}

enum { DEU, RUS, TUR, NC };

static ckp_flow flow(int32_t period, int rep, int par, int dir, double v)
{
    ckp_flow f;
    memset(&f, 0, sizeof f);
    f.period = period;
    f.reporter = rep;
    f.partner = par;
    f.flow = dir;
    f.hs = 854231;
    f.value = v;
    f.value_alt = NAN;
    f.qty = NAN;
    return f;
}

/* Russia's margin from the years both sides report (annual Turkish exports
 * against Russian months summed), then put on a year Russia is silent. */
CKP_TEST(margin_mirror_rows)
{
    ckp_hsset *p = ckp_hsset_new();
    REQUIRE(p);
    ckp_hsset_add(p, 854231);
    ckp_mirror_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.hs = p;
    sp.reporter = sp.partner = -1;
    ckp_mirror *m = NULL;
    REQUIRE(ckp_mirror_new(&sp, NC, &m, NULL) == CKP_OK);
    /* rows in the store's order: reporter, partner, flow, period */
    for (int y = 2019; y <= 2021; y++) { /* Russia: months of 2019-2021 */
        for (int mo = 1; mo <= 12; mo++) {
            ckp_flow r = flow(y * 100 + mo, RUS, TUR, CKP_FLOW_IMPORT, 11);
            CHECK(ckp_mirror_add(m, &r, 0, NULL) == CKP_OK);
        }
    }
    for (int y = 2019; y <= 2022; y++) { /* Turkey: one annual row a year */
        ckp_flow t = flow(y * 100, TUR, RUS, CKP_FLOW_EXPORT, 120);
        CHECK(ckp_mirror_add(m, &t, 0, NULL) == CKP_OK);
    }
    REQUIRE(ckp_mirror_finish(m, NULL) == CKP_OK);
    char how[96];
    /* 3 × 132 against 3 × 120: 10 % */
    CHECK_NEAR(ckp_mirror_margin(m, RUS, how, sizeof how), 0.10, 1e-12);
    CHECK_STR(how, "10.0 % estimated from 3 pairs of reports");
    int seen = 0;
    for (size_t i = 0; i < ckp_mirror_count(m); i++) {
        const ckp_mirror_row *r = ckp_mirror_at(m, i);
        if (r->period != 202200)
            continue;
        seen = 1;
        CHECK_INT(r->flag, CKP_MIRROR_NO_REPORT);
        CHECK_INT(r->cif_fob_source, CKP_CIFFOB_ESTIMATED);
        CHECK_NEAR(r->cif_fob, 1.10, 1e-12);
    }
    CHECK_INT(seen, 1);
    ckp_mirror_free(m);
    ckp_hsset_free(p);
}

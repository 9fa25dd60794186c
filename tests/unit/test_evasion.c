/* test_evasion.c — diversion, mirror and unit values on small hand-built
 * flows (no store needed: the accumulators take rows). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/evasion.h"
#include "test.h"

/* countries as plain ids */
enum { CHN, USA, THA, MEX, DEU, FRA, WLD, RUS, NC };

static ckp_flow fl(int32_t period, int rep, int par, int flow, uint32_t hs, double value,
                   double qty)
{
    ckp_flow f;
    memset(&f, 0, sizeof f);
    f.period = period;
    f.reporter = rep;
    f.partner = par;
    f.flow = flow;
    f.hs = hs;
    f.hs_edition = 2022;
    f.value = value;
    f.value_alt = NAN;
    f.qty = qty;
    f.unit = CKP_UNIT_KG;
    f.source = 0;
    return f;
}

static int32_t month_add(int32_t p, int k)
{
    int i = (p / 100) * 12 + p % 100 - 1 + k;
    return (i / 12) * 100 + i % 12 + 1;
}

static int g_silent = -1; /* a country that reports nothing */

/* Both sides report a flow e→i (exporter FOB, importer CIF ×1.05). */
static void both(ckp_div *d, int32_t p, int e, int i, uint32_t hs, double v)
{
    ckp_flow x = fl(p, e, i, CKP_FLOW_EXPORT, hs, v, v / 10);
    ckp_flow m = fl(p, i, e, CKP_FLOW_IMPORT, hs, v * 1.05, v / 10);
    if (e != g_silent)
        ckp_div_add(d, &x, 0);
    if (i != g_silent)
        ckp_div_add(d, &m, 0);
}

CKP_TEST(evasion_robust)
{
    double x[] = {1, 2, 3, 4, 100}, s[5], med, sc;
    CHECK(ckp_ev_robust(x, 5, 0.01, &med, &sc, s) == 0);
    CHECK_NEAR(med, 3, 1e-12);
    CHECK_NEAR(sc, 1.4826, 1e-9); /* MAD = 1 */
    double same[] = {5, 5, 5, 5, 9};
    CHECK(ckp_ev_robust(same, 5, 0.01, &med, &sc, s) == 0);
    CHECK_NEAR(med, 5, 1e-12);
    CHECK_NEAR(sc, 1.2533 * 0.8, 1e-9); /* MAD 0 → mean absolute deviation */
    CHECK(ckp_ev_robust(x, 0, 0.01, &med, &sc, s) == -1);
    double y[] = {4, 1, 3, 2};
    CHECK_NEAR(ckp_ev_median(y, 4), 2.5, 1e-12);
    /* the selection agrees with sorting, duplicates included */
    unsigned seed = 12345;
    for (int trial = 0; trial < 500; trial++) {
        double a[64], b[64];
        size_t n = 1 + (size_t)(trial % 63);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            a[i] = b[i] = (double)((seed >> 16) % (trial % 3 ? 1000 : 4));
        }
        for (size_t i = 1; i < n; i++) /* insertion sort of b */
            for (size_t j = i; j > 0 && b[j - 1] > b[j]; j--) {
                double t = b[j];
                b[j] = b[j - 1];
                b[j - 1] = t;
            }
        double want = n % 2 ? b[n / 2] : 0.5 * (b[n / 2 - 1] + b[n / 2]);
        CHECK_NEAR(ckp_ev_median(a, n), want, 1e-12);
    }
}

/* China bans 282580 to the USA on 2024-12-03.  Thailand: imports from China
 * ×10 and exports to the USA from nothing, while its other chapter-28 trade
 * is flat.  Germany: grows ×3 in everything (a decoy).  France: flat. */
static ckp_div *antimony_world(ckp_test_ctx *t_, ckp_hsset *p, int target_reports,
                               int hub_reports)
{
    static int iss[] = {CHN}, targets[] = {USA};
    static unsigned char aggs[NC];
    memset(aggs, 0, sizeof aggs);
    aggs[WLD] = 1;
    g_silent = target_reports ? -1 : USA;
    ckp_div_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.issuers = iss;
    sp.nissuers = 1;
    sp.targets = targets;
    sp.ntargets = 1;
    sp.hs = p;
    sp.date = 20060; /* 2024-12-03 */
    sp.freq = 'M';
    ckp_div *d = NULL;
    if (ckp_div_new(&sp, NC, aggs, &d, NULL) != CKP_OK)
        return NULL;
    for (int k = 0; k < 24; k++) {
        int32_t per = month_add(202312, k);
        int after = per >= 202412;
        /* the banned flow */
        both(d, per, CHN, USA, 282580, after ? 1e4 : 1e6);
        /* Thailand */
        double th_in = after ? 1.1e6 : 1e5, th_out = after ? 9e5 : 0;
        ckp_flow x = fl(per, CHN, THA, CKP_FLOW_EXPORT, 282580, th_in, 0);
        ckp_div_add(d, &x, 0);
        if (hub_reports) {
            ckp_flow m = fl(per, THA, CHN, CKP_FLOW_IMPORT, 282580, th_in * 1.05, 0);
            ckp_div_add(d, &m, 0);
            if (th_out > 0) {
                ckp_flow y = fl(per, THA, USA, CKP_FLOW_EXPORT, 282580, th_out, 0);
                ckp_div_add(d, &y, 0);
            }
            ckp_flow z = fl(per, THA, USA, CKP_FLOW_EXPORT, 282590, 5e5, 0);
            ckp_div_add(d, &z, 0);
        }
        if (target_reports && th_out > 0) {
            ckp_flow y = fl(per, USA, THA, CKP_FLOW_IMPORT, 282580, th_out * 1.05, 0);
            ckp_div_add(d, &y, 0);
        }
        both(d, per, CHN, THA, 282590, 2e6);
        /* Germany grows ×3 in everything, both legs */
        double g = after ? 3 : 1;
        both(d, per, CHN, DEU, 282580, 2e5 * g);
        both(d, per, DEU, USA, 282580, 1e5 * g);
        both(d, per, CHN, DEU, 282590, 4e6 * g);
        both(d, per, DEU, USA, 282590, 3e6 * g);
        /* France flat */
        both(d, per, CHN, FRA, 282580, 1e5);
        both(d, per, FRA, USA, 282580, 5e4);
        both(d, per, FRA, USA, 282590, 1e6);
        /* aggregates are never hubs */
        both(d, per, CHN, WLD, 282580, 9e9);
        /* the USA reports its imports even when it is the only one */
        if (target_reports) {
            ckp_flow m = fl(per, USA, FRA, CKP_FLOW_IMPORT, 10121, 1e3, 1);
            ckp_div_add(d, &m, 0);
        }
    }
    g_silent = -1;
    CHECK(ckp_div_finish(d, NULL) == CKP_OK);
    return d;
}

CKP_TEST(evasion_div_ranks_true_hub_above_decoy)
{
    ckp_hsset *p = ckp_hsset_new();
    ckp_hsset_add(p, 282580);
    ckp_div *d = antimony_world(t_, p, 1, 1);
    REQUIRE(d);
    REQUIRE(ckp_div_count(d) == 3); /* THA, DEU, FRA; never WLD */
    const ckp_div_hub *h = ckp_div_at(d, 0);
    CHECK_INT(h->hub, THA);
    CHECK_INT(h->rank, 1);
    CHECK(h->score > 0.5);
    CHECK_NEAR(h->growth_ab, 11, 1e-9);
    CHECK(isnan(h->growth_bc)); /* from nothing */
    CHECK_NEAR(h->bc.after, 9e5, 1e-3);
    CHECK_INT(h->ab.side, 'X');
    CHECK_INT(h->ab.ctl_kind, 1); /* same chapter (282590) */
    CHECK_NEAR(h->growth_ctl_bc, 1.0, 1e-9);
    CHECK_INT(h->lag, 0);
    const ckp_div_hub *dec = NULL, *fr = NULL;
    for (size_t i = 0; i < ckp_div_count(d); i++) {
        if (ckp_div_at(d, i)->hub == DEU)
            dec = ckp_div_at(d, i);
        if (ckp_div_at(d, i)->hub == FRA)
            fr = ckp_div_at(d, i);
    }
    REQUIRE(dec && fr);
    CHECK_NEAR(dec->growth_ab, 3, 1e-9);
    CHECK_NEAR(dec->growth_ctl, 3, 1e-9);
    CHECK(dec->score < 0.05); /* grows in everything: no excess */
    CHECK(fr->score < 0.05);
    CHECK(dec->rank > 1 && fr->rank > 1);
    const ckp_div_leg *ac = ckp_div_direct(d);
    CHECK_NEAR(ac->before, 1e6, 1e-3);
    CHECK_NEAR(ac->after, 1e4, 1e-3);
    int nb, na;
    ckp_div_periods(d, &nb, &na);
    CHECK_INT(nb, 12);
    CHECK_INT(na, 12);
    char buf[600];
    ckp_div_explain(d, h, NULL, "282580", buf, sizeof buf);
    CHECK(strstr(buf, "imports of 282580") != NULL);
    CHECK(strstr(buf, "\xc3\x97" "11 ($100k \xe2\x86\x92 $1.1M a month) after 2024-12-03") != NULL);
    CHECK(strstr(buf, "from nothing to $900k a month") != NULL);
    CHECK(strstr(buf, "uncontrolled products \xc3\x97" "1.0") != NULL);
    ckp_div_free(d);
    ckp_hsset_free(p);
}

CKP_TEST(evasion_div_one_leg_from_mirror)
{
    /* Thailand reports nothing: its imports come from China's exports, its
     * exports to the USA from the USA's imports (mirror). */
    ckp_hsset *p = ckp_hsset_new();
    ckp_hsset_add(p, 282580);
    ckp_div *d = antimony_world(t_, p, 1, 0);
    REQUIRE(d);
    const ckp_div_hub *h = ckp_div_at(d, 0);
    CHECK_INT(h->hub, THA);
    CHECK_INT(h->bc.side, 'M');
    CHECK(h->bc.seen);
    CHECK_NEAR(h->bc.after, 9e5 * 1.05, 1e-3);
    char buf[600];
    ckp_div_explain(d, h, NULL, "282580", buf, sizeof buf);
    CHECK(strstr(buf, "as the target reports its imports") != NULL);
    ckp_div_free(d);
    /* neither Thailand nor the USA reports: the onward leg is unseen */
    d = antimony_world(t_, p, 0, 0);
    REQUIRE(d);
    h = NULL;
    for (size_t i = 0; i < ckp_div_count(d); i++)
        if (ckp_div_at(d, i)->hub == THA)
            h = ckp_div_at(d, i);
    REQUIRE(h);
    CHECK(!h->bc.seen);
    CHECK(h->ab.seen);
    ckp_div_explain(d, h, NULL, "282580", buf, sizeof buf);
    CHECK(strstr(buf, "not seen") != NULL);
    ckp_div_free(d);
    ckp_hsset_free(p);
}

CKP_TEST(evasion_div_no_data_after)
{
    ckp_hsset *p = ckp_hsset_new();
    ckp_hsset_add(p, 282580);
    int iss[] = {CHN}, tg[] = {USA};
    ckp_div_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.issuers = iss;
    sp.nissuers = 1;
    sp.targets = tg;
    sp.ntargets = 1;
    sp.hs = p;
    sp.date = 20060;
    sp.freq = 'A';
    ckp_div *d = NULL;
    REQUIRE(ckp_div_new(&sp, NC, NULL, &d, NULL) == CKP_OK);
    int32_t from, to;
    ckp_div_range(d, &from, &to);
    CHECK_INT(from, 202200); /* 2024-12-03 → 2024 is before; 3 years before */
    CHECK_INT(to, 202600);
    ckp_flow x = fl(202300, CHN, THA, CKP_FLOW_EXPORT, 282580, 5, 1);
    ckp_div_add(d, &x, 0);
    ckp_error err;
    CHECK(ckp_div_finish(d, &err) == CKP_ENOTFOUND);
    CHECK(strstr(err.msg, "after") != NULL);
    ckp_div_free(d);
    ckp_hsset_free(p);
}

/* ---- mirror ------------------------------------------------------------------ */

CKP_TEST(evasion_mirror_cif_gap_phantom)
{
    ckp_hsset *p = ckp_hsset_new();
    ckp_hsset_add(p, 250410);
    ckp_mirror_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.hs = p;
    sp.reporter = -1;
    sp.partner = -1;
    ckp_mirror *m = NULL;
    REQUIRE(ckp_mirror_new(&sp, NC, &m, NULL) == CKP_OK);
    /* rows grouped by HS as in a store scan; 010121 first (other product) */
    for (int y = 2018; y <= 2023; y++) {
        ckp_flow a = fl(y * 100, DEU, FRA, CKP_FLOW_EXPORT, 10121, 100, 1);
        ckp_flow b = fl(y * 100, FRA, DEU, CKP_FLOW_IMPORT, 10121, 104, 1);
        CHECK(ckp_mirror_add(m, &a, 0, NULL) == CKP_OK);
        CHECK(ckp_mirror_add(m, &b, 0, NULL) == CKP_OK);
    }
    for (int y = 2018; y <= 2023; y++) {
        /* China → USA: the USA declares CIF ≈ 1.08 × China's FOB, but in 2023
         * it declares only half */
        double x = 1000.0 * (y - 2010);
        double mv = (y == 2023 ? 0.5 : 1.08) * x * (1 + 0.01 * (y % 3));
        ckp_flow a = fl(y * 100, CHN, USA, CKP_FLOW_EXPORT, 250410, x, 10);
        ckp_flow b = fl(y * 100, USA, CHN, CKP_FLOW_IMPORT, 250410, mv, 10);
        CHECK(ckp_mirror_add(m, &a, 0, NULL) == CKP_OK);
        CHECK(ckp_mirror_add(m, &b, 0, NULL) == CKP_OK);
        /* Thailand exports to Mexico that Mexico (which reports imports of
         * other goods in the same year) never records: phantom */
        if (y == 2022) {
            ckp_flow c = fl(y * 100, THA, MEX, CKP_FLOW_EXPORT, 250410, 7777, 1);
            CHECK(ckp_mirror_add(m, &c, 0, NULL) == CKP_OK);
        }
        /* Germany's exports to Russia: Russia reports nothing → no_report */
        ckp_flow r = fl(y * 100, DEU, RUS, CKP_FLOW_EXPORT, 250410, 55, 1);
        CHECK(ckp_mirror_add(m, &r, 0, NULL) == CKP_OK);
    }
    ckp_flow mx = fl(202200, MEX, DEU, CKP_FLOW_IMPORT, 270900, 5, 1); /* Mexico reports imports */
    CHECK(ckp_mirror_add(m, &mx, 0, NULL) == CKP_OK);
    REQUIRE(ckp_mirror_finish(m, NULL) == CKP_OK);
    /* 6 CHN-USA + 1 THA-MEX + 6 DEU-RUS rows; 010121 is not asked for */
    CHECK_INT(ckp_mirror_count(m), 13);
    const ckp_mirror_row *r0 = ckp_mirror_at(m, 0);
    CHECK_INT(r0->flag, CKP_MIRROR_PHANTOM_EXPORT); /* phantoms first */
    CHECK_INT(r0->reporter, MEX);
    CHECK_INT(r0->partner, THA);
    CHECK_NEAR(r0->mirror_value, 7777, 1e-9);
    CHECK_NEAR(r0->reported_value, 0, 1e-9);
    const ckp_mirror_row *r1 = ckp_mirror_at(m, 1);
    CHECK_INT(r1->flag, CKP_MIRROR_GAP);
    CHECK_INT(r1->period, 202300);
    CHECK_INT(r1->reporter, USA);
    /* the USA's one margin (margin.h): its imports fall short of China's
     * exports over the six years (ΣM/ΣX < 1): the default */
    CHECK_INT(r1->cif_fob_source, CKP_CIFFOB_DEFAULT);
    CHECK_NEAR(r1->cif_fob, 1.06, 1e-12);
    char how[96];
    CHECK_NEAR(ckp_mirror_margin(m, USA, how, sizeof how), 0.06, 1e-12);
    CHECK_STR(how, "default 6 % (6 usable pairs of reports)");
    CHECK(r1->gap < -5000 * 0.5 / 1.1 * 1.0);
    CHECK(r1->gap_z < -3);
    CHECK_NEAR(r1->ratio, 0.5 * (1 + 0.01 * (2023 % 3)), 1e-9);
    int n_ok = 0, n_norep = 0;
    for (size_t i = 0; i < ckp_mirror_count(m); i++) {
        n_ok += ckp_mirror_at(m, i)->flag == CKP_MIRROR_OK;
        n_norep += ckp_mirror_at(m, i)->flag == CKP_MIRROR_NO_REPORT;
    }
    CHECK_INT(n_ok, 5);
    CHECK_INT(n_norep, 6);
    long nf;
    double rel_usa = ckp_mirror_reliability(m, USA, &nf);
    CHECK_INT(nf, 6);
    CHECK(rel_usa > 0.7 && rel_usa < 1.0);
    CHECK(isnan(ckp_mirror_reliability(m, THA, &nf))); /* no matched flows */
    ckp_mirror_free(m);
    ckp_hsset_free(p);
}

CKP_TEST(evasion_mirror_reporter_view_and_reported_cif)
{
    ckp_hsset *p = ckp_hsset_new();
    ckp_hsset_add(p, 280530);
    ckp_mirror_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.hs = p;
    sp.reporter = CHN; /* China's reports against its partners' */
    sp.partner = -1;
    ckp_mirror *m = NULL;
    REQUIRE(ckp_mirror_new(&sp, NC, &m, NULL) == CKP_OK);
    ckp_flow a = fl(202400, CHN, USA, CKP_FLOW_EXPORT, 280530, 1000, 1);
    ckp_flow b = fl(202400, USA, CHN, CKP_FLOW_IMPORT, 280530, 1100, 1);
    b.value_alt = 1000; /* the USA gives CIF and FOB: factor 1.1 */
    ckp_flow c = fl(202400, DEU, FRA, CKP_FLOW_EXPORT, 280530, 9, 1); /* not China's */
    CHECK(ckp_mirror_add(m, &a, 0, NULL) == CKP_OK);
    CHECK(ckp_mirror_add(m, &b, 0, NULL) == CKP_OK);
    CHECK(ckp_mirror_add(m, &c, 0, NULL) == CKP_OK);
    REQUIRE(ckp_mirror_finish(m, NULL) == CKP_OK);
    REQUIRE(ckp_mirror_count(m) == 1);
    const ckp_mirror_row *r = ckp_mirror_at(m, 0);
    CHECK_INT(r->reporter, CHN);
    CHECK_INT(r->flow, 'X');
    CHECK_NEAR(r->reported_value, 1000, 1e-9);
    CHECK_NEAR(r->mirror_value, 1100, 1e-9);
    CHECK_NEAR(r->cif_fob, 1.1, 1e-12);
    CHECK_INT(r->cif_fob_source, CKP_CIFFOB_REPORTED);
    CHECK_NEAR(r->gap, 0, 1e-9);
    CHECK_NEAR(r->log_gap, 0, 1e-12);
    CHECK_INT(r->flag, CKP_MIRROR_OK);
    ckp_mirror_free(m);
    ckp_hsset_free(p);
}

/* A gap beyond CIF/FOB year after year is persistent; a break from the
 * pair's usual gap is new; a pair beyond CIF/FOB in only some years is
 * neither (issue 17: the USA-China graphite gap was never flagged). */
CKP_TEST(evasion_mirror_persistent_and_new)
{
    ckp_hsset *p = ckp_hsset_new();
    ckp_hsset_add(p, 380110);
    ckp_mirror_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.hs = p;
    sp.reporter = -1;
    sp.partner = -1;
    ckp_mirror *m = NULL;
    REQUIRE(ckp_mirror_new(&sp, NC, &m, NULL) == CKP_OK);
    for (int y = 2018; y <= 2023; y++) {
        double x = 1000.0 * (y - 2010), f = 1 + 0.02 * (y % 3);
        /* CHN -> USA: the USA records x1.8 of China's exports every year,
         * and gives its CIF and FOB (freight 3 %) */
        ckp_flow a = fl(y * 100, CHN, USA, CKP_FLOW_EXPORT, 380110, x, 10);
        ckp_flow b = fl(y * 100, USA, CHN, CKP_FLOW_IMPORT, 380110, 1.8 * f * x, 10);
        b.value_alt = b.value / 1.03;
        /* DEU -> FRA: usually x1.05; in 2023 France records half */
        ckp_flow c = fl(y * 100, DEU, FRA, CKP_FLOW_EXPORT, 380110, x, 10);
        ckp_flow d = fl(y * 100, FRA, DEU, CKP_FLOW_IMPORT, 380110,
                        (y == 2023 ? 0.5 : 1.05) * f * x, 10);
        /* THA -> MEX: x1.6 in two years of six only */
        ckp_flow e = fl(y * 100, THA, MEX, CKP_FLOW_EXPORT, 380110, x, 10);
        ckp_flow g = fl(y * 100, MEX, THA, CKP_FLOW_IMPORT, 380110,
                        (y % 3 == 0 ? 1.6 : 1.04) * x, 10);
        g.value_alt = g.value / 1.04;
        ckp_flow all[] = {a, b, c, d, e, g};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            CHECK(ckp_mirror_add(m, &all[k], 0, NULL) == CKP_OK);
    }
    REQUIRE(ckp_mirror_finish(m, NULL) == CKP_OK);
    CHECK_INT(ckp_mirror_count(m), 18);
    int persistent = 0, fresh = 0, tha = 0;
    for (size_t i = 0; i < ckp_mirror_count(m); i++) {
        const ckp_mirror_row *r = ckp_mirror_at(m, i);
        if (r->reporter == USA) {
            CHECK_INT(r->flag, CKP_MIRROR_GAP);
            CHECK_INT(r->gap_kind, CKP_GAP_PERSISTENT);
            CHECK_INT(r->matched_n, 6);
            CHECK_INT(r->beyond_n, 6);
            CHECK_INT(r->beyond_side, 1);
            CHECK(fabs(r->gap_z) < 2.5); /* not a break */
            persistent++;
        } else if (r->reporter == FRA) {
            CHECK_INT(r->flag, r->period == 202300 ? CKP_MIRROR_GAP : CKP_MIRROR_OK);
            CHECK_INT(r->gap_kind, r->period == 202300 ? CKP_GAP_NEW : CKP_GAP_NONE);
            fresh += r->gap_kind == CKP_GAP_NEW;
        } else if (r->reporter == MEX) {
            CHECK_INT(r->gap_kind, CKP_GAP_NONE);
            CHECK_INT(r->beyond_n, 2);
            tha++;
        }
    }
    CHECK_INT(persistent, 6);
    CHECK_INT(fresh, 1);
    CHECK_INT(tha, 6);
    CHECK_STR(ckp_mirror_gap_kind_name(CKP_GAP_PERSISTENT), "persistent");
    CHECK_STR(ckp_mirror_gap_kind_name(CKP_GAP_NEW), "new");
    ckp_mirror_free(m);
    ckp_hsset_free(p);
}

/* ---- unit values ---------------------------------------------------------------- */

CKP_TEST(evasion_uv_outliers)
{
    ckp_hsset *p = ckp_hsset_new();
    ckp_hsset_add(p, 811292);
    ckp_uv_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.hs = p;
    sp.reporter = -1;
    sp.partner = -1;
    ckp_uv *u = NULL;
    REQUIRE(ckp_uv_new(&sp, &u, NULL) == CKP_OK);
    CHECK(ckp_hsset_has(ckp_uv_scan_set(u), 811299));  /* heading 8112 by default */
    CHECK(!ckp_hsset_has(ckp_uv_scan_set(u), 811010));
    ckp_uv_free(u);
    ckp_hsset *cmp = ckp_hsset_new();
    ckp_hsset_add(cmp, 811010);
    sp.compare = cmp;
    REQUIRE(ckp_uv_new(&sp, &u, NULL) == CKP_OK);
    CHECK(ckp_hsset_has(ckp_uv_scan_set(u), 811010));
    /* 811292 trades near $300/kg; 811010 near $12/kg */
    for (int k = 0; k < 20; k++) {
        double jitter = 1 + 0.02 * (k % 5 - 2);
        ckp_flow a = fl(202300, CHN, k % 2 ? USA : DEU, CKP_FLOW_EXPORT, 811292,
                        300 * 1000 * jitter, 1000);
        ckp_flow b = fl(202300, MEX, k % 2 ? USA : FRA, CKP_FLOW_EXPORT, 811010,
                        12 * 500 * jitter, 500);
        CHECK(ckp_uv_add(u, &a, 0, NULL) == CKP_OK);
        CHECK(ckp_uv_add(u, &b, 0, NULL) == CKP_OK);
    }
    ckp_flow under = fl(202300, THA, USA, CKP_FLOW_EXPORT, 811292, 90 * 1000, 1000);
    /* France declares 811292; Mexico records the same shipment as 811010 */
    ckp_flow mis = fl(202300, FRA, MEX, CKP_FLOW_EXPORT, 811292, 12 * 800, 800);
    ckp_flow mis_m = fl(202300, MEX, FRA, CKP_FLOW_IMPORT, 811010, 12 * 800 * 1.05, 800);
    ckp_flow over = fl(202300, DEU, USA, CKP_FLOW_EXPORT, 811292, 3000 * 10, 10);
    ckp_flow noq = fl(202300, DEU, FRA, CKP_FLOW_EXPORT, 811292, 5000, 0);
    ckp_flow nanq = fl(202300, DEU, MEX, CKP_FLOW_EXPORT, 811292, 5000, NAN);
    CHECK(ckp_uv_add(u, &under, 0, NULL) == CKP_OK);
    CHECK(ckp_uv_add(u, &mis, 0, NULL) == CKP_OK);
    CHECK(ckp_uv_add(u, &mis_m, 0, NULL) == CKP_OK);
    CHECK(ckp_uv_add(u, &over, 0, NULL) == CKP_OK);
    CHECK(ckp_uv_add(u, &noq, 0, NULL) == CKP_OK);
    CHECK(ckp_uv_add(u, &nanq, 0, NULL) == CKP_OK);
    REQUIRE(ckp_uv_finish(u, NULL) == CKP_OK);
    CHECK_INT(ckp_uv_no_qty(u), 2);
    REQUIRE(ckp_uv_count(u) == 3);
    int seen_mis = 0, seen_under = 0, seen_over = 0;
    for (size_t i = 0; i < ckp_uv_count(u); i++) {
        const ckp_uv_row *r = ckp_uv_at(u, i);
        CHECK(isfinite(r->unit_value));
        CHECK_NEAR(r->median, 300, 10);
        if (r->reporter == FRA) {
            seen_mis = 1;
            CHECK_INT(r->flag, CKP_UV_MISCLASS);
            CHECK_INT(r->likely_hs, 811010);
            CHECK(r->robust_z < -10);
        } else if (r->reporter == THA) {
            seen_under = 1;
            CHECK_INT(r->flag, CKP_UV_UNDER);
        } else if (r->reporter == DEU) {
            seen_over = 1;
            CHECK_INT(r->flag, CKP_UV_OVER);
        }
    }
    CHECK(seen_mis && seen_under && seen_over);
    /* ranked by |z| */
    CHECK(fabs(ckp_uv_at(u, 0)->robust_z) >= fabs(ckp_uv_at(u, 1)->robust_z));
    ckp_uv_free(u);

    /* --all lists every flow; a flow without quantity has no unit value */
    sp.all = 1;
    REQUIRE(ckp_uv_new(&sp, &u, NULL) == CKP_OK);
    CHECK(ckp_uv_add(u, &noq, 0, NULL) == CKP_OK);
    CHECK(ckp_uv_add(u, &under, 0, NULL) == CKP_OK);
    REQUIRE(ckp_uv_finish(u, NULL) == CKP_OK);
    REQUIRE(ckp_uv_count(u) == 2);
    int nq = 0, few = 0;
    for (size_t i = 0; i < 2; i++) {
        const ckp_uv_row *r = ckp_uv_at(u, i);
        if (r->flag == CKP_UV_NO_QTY) {
            nq++;
            CHECK(isnan(r->unit_value));
        }
        few += r->flag == CKP_UV_FEW;
    }
    CHECK_INT(nq, 1);
    CHECK_INT(few, 1);
    ckp_uv_free(u);
    ckp_hsset_free(cmp);
    ckp_hsset_free(p);
}

CKP_TEST(evasion_uv_below_market)
{
    /* one exporter prices every flow low: below-market, not a false invoice */
    ckp_hsset *p = ckp_hsset_new();
    ckp_hsset_add(p, 250410);
    ckp_uv_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.hs = p;
    sp.reporter = -1;
    sp.partner = -1;
    ckp_uv *u = NULL;
    REQUIRE(ckp_uv_new(&sp, &u, NULL) == CKP_OK);
    for (int k = 0; k < 30; k++) {
        ckp_flow a = fl(202400, k % 3 == 0 ? DEU : k % 3 == 1 ? FRA : USA, MEX, CKP_FLOW_EXPORT,
                        250410, 1000 * (1 + 0.03 * (k % 4)), 1000);
        CHECK(ckp_uv_add(u, &a, 0, NULL) == CKP_OK);
    }
    for (int k = 0; k < 4; k++) {
        ckp_flow a = fl(202400, CHN, k, CKP_FLOW_EXPORT, 250410, 200, 1000);
        CHECK(ckp_uv_add(u, &a, 0, NULL) == CKP_OK);
    }
    REQUIRE(ckp_uv_finish(u, NULL) == CKP_OK);
    REQUIRE(ckp_uv_count(u) == 4);
    for (size_t i = 0; i < 4; i++)
        CHECK_INT(ckp_uv_at(u, i)->flag, CKP_UV_BELOW_MARKET);
    ckp_uv_free(u);
    ckp_hsset_free(p);
}

/* ---- hubs file ------------------------------------------------------------------- */

/* Eight routes trade 811292 near $300/kg each month of 2023; China -> USA
 * is a premium route at $700/kg, in December at the product's median
 * ($300/kg): 100 kg each month ($70,000, then $30,000). */
static int uv_median_world(ckp_uv *u)
{
    int bad = 0;
    static const int rep[4] = {DEU, FRA, WLD, RUS};
    for (int mo = 1; mo <= 12; mo++) {
        for (int k = 0; k < 8; k++) {
            double jitter = 1 + 0.02 * ((k + mo) % 5 - 2);
            ckp_flow a = fl(202300 + mo, rep[k % 4], k < 4 ? MEX : THA, CKP_FLOW_EXPORT, 811292,
                            300 * 1000 * jitter, 1000);
            bad += ckp_uv_add(u, &a, 0, NULL) != CKP_OK;
        }
        ckp_flow c = fl(202300 + mo, CHN, USA, CKP_FLOW_EXPORT, 811292,
                        (mo == 12 ? 300 : 700) * 100.0, 100);
        bad += ckp_uv_add(u, &c, 0, NULL) != CKP_OK;
    }
    return bad;
}

/* A flow at the product's median is never flagged, however far it is from
 * its own route's usual price; flows under min_value are not listed. */
CKP_TEST(evasion_uv_median_never_flagged)
{
    ckp_hsset *p = ckp_hsset_new();
    ckp_hsset_add(p, 811292);
    ckp_uv_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.hs = p;
    sp.reporter = -1;
    sp.partner = -1;
    for (int pass = 0; pass < 2; pass++) {
        sp.min_value = pass ? 100000 : 0;
        ckp_uv *u = NULL;
        REQUIRE(ckp_uv_new(&sp, &u, NULL) == CKP_OK);
        CHECK_INT(uv_median_world(u), 0);
        REQUIRE(ckp_uv_finish(u, NULL) == CKP_OK);
        for (size_t i = 0; i < ckp_uv_count(u); i++) {
            const ckp_uv_row *r = ckp_uv_at(u, i);
            CHECK(!(r->reporter == CHN && r->period == 202312)); /* at the median */
            CHECK(fabs(r->robust_z) >= 1);
            CHECK(r->value >= sp.min_value);
        }
        /* pass 1: China's flows are below 100,000 USD, the others not */
        CHECK_INT(ckp_uv_below_min(u), pass ? 12 : 0);
        ckp_uv_free(u);
    }
    /* the same December flow, listed with all: ok, z about 0, far from its
     * own history */
    sp.all = 1;
    sp.min_value = 0;
    ckp_uv *u = NULL;
    REQUIRE(ckp_uv_new(&sp, &u, NULL) == CKP_OK);
    CHECK_INT(uv_median_world(u), 0);
    REQUIRE(ckp_uv_finish(u, NULL) == CKP_OK);
    CHECK_INT(ckp_uv_count(u), 108);
    int seen = 0;
    for (size_t i = 0; i < ckp_uv_count(u); i++) {
        const ckp_uv_row *r = ckp_uv_at(u, i);
        if (r->reporter != CHN || r->period != 202312)
            continue;
        seen = 1;
        CHECK(fabs(r->robust_z) < 0.5);
        CHECK(r->pair_z < -5);
        CHECK_INT(r->flag, CKP_UV_OK);
    }
    CHECK(seen);
    ckp_uv_free(u);
    ckp_hsset_free(p);
}

CKP_TEST(evasion_hubs_csv)
{
    ckp_ref *ref = NULL;
    REQUIRE(ckp_ref_load(NULL, &ref, NULL) == CKP_OK);
    char path[4096];
    snprintf(path, sizeof path, "%s/hubs.csv", ckp_test_tmpdir());
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fputs("issuer,hs,hub,rank,score,destination,measure\n"
          "CHN,282580;811010,THA,1,1.25,USA,CN-2024-46\n"
          "CHN,282580,MEX,2,0.5,*,CN-2024-46\n",
          f);
    fclose(f);
    ckp_hubs *h = NULL;
    REQUIRE(ckp_hubs_load_csv(path, ref, &h, NULL) == CKP_OK);
    CHECK_INT(ckp_hubs_count(h), 3);
    int tha = ckp_ref_country_by_iso3(ref, "THA"), mex = ckp_ref_country_by_iso3(ref, "MEX");
    int usa = ckp_ref_country_by_iso3(ref, "USA"), deu = ckp_ref_country_by_iso3(ref, "DEU");
    const ckp_hub_entry *e = ckp_hubs_find(h, 282580, tha, usa);
    REQUIRE(e);
    CHECK_NEAR(e->score, 1.25, 1e-12);
    CHECK_STR(e->measure, "CN-2024-46");
    CHECK(ckp_hubs_find(h, 811010, tha, -1) != NULL);
    CHECK(ckp_hubs_find(h, 282580, tha, deu) == NULL);   /* another destination */
    CHECK(ckp_hubs_find(h, 282580, mex, deu) != NULL);   /* '*' = every destination */
    CHECK(ckp_hubs_find(h, 10121, tha, usa) == NULL);
    ckp_hubs_free(h);
    f = fopen(path, "w");
    REQUIRE(f);
    fputs("hs,hub,score\n282580,XXQ,1\n", f);
    fclose(f);
    ckp_error err;
    CHECK(ckp_hubs_load_csv(path, ref, &h, &err) == CKP_EPARSE);
    CHECK_INT(err.line, 2);
    CHECK(ckp_hubs_find(NULL, 282580, tha, usa) == NULL);
    ckp_ref_free(ref);
}

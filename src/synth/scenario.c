/* scenario.c — the synthetic world's scenarios: the pinned series each one
 * needs (tables of pins), its events (tables of ev_spec), the effects
 * injected into them, and the reserved keys that keep the background from
 * blurring them.  The ground truth is written by truth.c.
 *
 * Every number below is a documented assumption (docs/synth.md), not data:
 * the scenarios reconstruct published cases and are labelled synthetic.
 * Magnitudes that vary with the seed are drawn from stated ranges. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth/scenario_int.h"

/* ---- antimony-2024 ------------------------------------------------------- */

static const uint32_t SB[] = {261710, 811010, 811020, 811090, 282580};
#define NSB 5
static const uint32_t SB_CONTROL[] = {281820, 760110, 790111};
/* tonnes per month: China → the USA, then China → and from the two hubs */
static const pin_spec SB_USA[] = {{"CHN", "USA", 282580, 800}, {"CHN", "USA", 811010, 150},
                                  {"CHN", "USA", 261710, 100}, {"CHN", "USA", 811090, 20},
                                  {"CHN", "USA", 811020, 10}};
static const pin_spec SB_HUBS[] = {{"CHN", "BEL", 261710, 200}, {"CHN", "THA", 282580, 40},
                                   {"CHN", "MEX", 282580, 25},  {"THA", "USA", 282580, 3},
                                   {"MEX", "USA", 282580, 20}};
/* the USA's other suppliers: untouched */
static const pin_spec SB_UNTOUCHED[] = {{"BEL", "USA", 282580, 60}, {"IND", "USA", 282580, 40},
                                        {"BOL", "USA", 261710, 30}};
static const char *const SB_CTL_PAIR[4][2] = {
    {"CHN", "THA"}, {"THA", "USA"}, {"CHN", "MEX"}, {"MEX", "USA"}};
static const ev_spec SB_EVENTS[] = {
    {.id = "antimony-2024/licence", .kind = "licence", .measure = "CN-2024-33", .issuer = "CHN",
     .target = "*", .codes = SB, .ncodes = NSB, .announced = "2024-08-15",
     .start = "2024-09-15"},
    {.id = "antimony-2024/ban", .kind = "ban", .measure = "CN-2024-46", .issuer = "CHN",
     .target = "USA", .codes = SB, .ncodes = NSB, .announced = "2024-12-03",
     .start = "2024-12-03", .end = "2025-11-09", .magnitude = "{\"factor\":0}",
     .description = "China bans exports of antimony (and gallium, germanium) to the USA from "
                    "2024-12-03: China's exports of the five antimony codes to the USA, which "
                    "had already stalled in October 2024, stay at zero (no rows)."},
    {.id = "antimony-2024/diversion", .kind = "diversion", .measure = "CN-2024-46",
     .issuer = "CHN", .target = "USA", .hubs = "THA,MEX", .products = "282580",
     .announced = "2024-12-03", .start = "2024-12-01"},
    {.id = "antimony-2024/untouched", .kind = "decoy",
     .products = "282580,261710,281820,760110,790111", .magnitude = "{\"role\":\"untouched\"}",
     .description = "Series of the scenario with seasonality and noise but no injected change: "
                    "the USA's other antimony suppliers and the hubs' trade in uncontrolled "
                    "comparable products. A surge flag on them is a false flag."}};

static void antimony(sb *b)
{
    static const char *const partners[] = {"JPN", "KOR", "DEU", "NLD", "BEL", "IND",
                                           "ITA", "FRA", "GBR", "BRA", "ESP"};
    static const double t_oxide[] = {300, 200, 120, 100, 0, 150, 60, 0, 40, 50, 40};
    static const double t_metal[] = {80, 0, 60, 0, 120, 0, 0, 30, 0, 0, 0};
    ckp__sb_product(b, 261710, 4.5);
    ckp__sb_product(b, 811010, 13);
    ckp__sb_product(b, 811020, 6);
    ckp__sb_product(b, 811090, 16);
    ckp__sb_product(b, 282580, 11);
    /* China's exports: the USA, ten other partners, the two hubs */
    ckp__sb_pins_t(b, SB_USA, NCODES(SB_USA));
    for (size_t i = 0; i < sizeof partners / sizeof partners[0]; i++) {
        if (t_oxide[i] > 0)
            ckp__sb_pin_t(b, "CHN", partners[i], 282580, t_oxide[i]);
        if (t_metal[i] > 0)
            ckp__sb_pin_t(b, "CHN", partners[i], 811010, t_metal[i]);
    }
    ckp__sb_pins_t(b, SB_HUBS, NCODES(SB_HUBS));
    /* the USA's other suppliers and the hubs' uncontrolled trade: untouched */
    ckp__sb_pins_t(b, SB_UNTOUCHED, NCODES(SB_UNTOUCHED));
    static const double ctl_base[4][3] = {{20e6, 40e6, 15e6}, {8e6, 25e6, 5e6},
                                          {15e6, 30e6, 10e6}, {10e6, 60e6, 30e6}};
    for (int p = 0; p < 4; p++)
        for (int c = 0; c < 3; c++)
            ckp__sb_pin(b, SB_CTL_PAIR[p][0], SB_CTL_PAIR[p][1], SB_CONTROL[c], ctl_base[p][c]);
    if (b->st)
        return;
    for (int k = 0; k < NSB; k++) {
        ckp__sb_reserve(b, "CHN", NULL, SB[k]);
        ckp__sb_reserve(b, NULL, "USA", SB[k]);
        ckp__sb_reserve(b, "THA", NULL, SB[k]);
        ckp__sb_reserve(b, NULL, "THA", SB[k]);
        ckp__sb_reserve(b, "MEX", NULL, SB[k]);
        ckp__sb_reserve(b, NULL, "MEX", SB[k]);
    }
}

/* Effects that touch every CHN pin in a product list are attached after all
 * scenarios have made their pins (so the decoy's CHN→VNM is included). */
static void antimony_effects(sb *b)
{
    ckp_synth *s = b->s;
    const char *sc = "antimony-2024";
    int chn = ckp__synth_country(s, "CHN"), usa = ckp__synth_country(s, "USA");
    /* calibrated on China's customs figures as Reuters reported them
     * (2024-09-20, 2024-11-20, 2025-01-20): 4,075 t in August (+12 % on
     * July), 6,533 t in September, 190 t in October (-97 %), 808 t in
     * November, 1,721 t in December, against about 3,670 t a month before;
     * nothing to the USA from October, nothing to Europe for five months */
    double aug = ckp__sb_U(b, 1.05, 1.3), sep = ckp__sb_U(b, 1.5, 2.0), oct = ckp__sb_U(b, 0.03, 0.08),
           nov = ckp__sb_U(b, 0.15, 0.3), lic = ckp__sb_U(b, 0.3, 0.5);
    static const char *const stalled[] = {"USA", "DEU", "NLD", "BEL", "ITA", "FRA", "ESP", "GBR"};
    enum { NSTALLED = sizeof stalled / sizeof stalled[0] };
    int stalled_id[NSTALLED];
    for (int k = 0; k < NSTALLED; k++)
        stalled_id[k] = ckp__synth_country(s, stalled[k]);
    int e1, e2;
    sy_event *E1 = ckp__sb_event_of(b, sc, &SB_EVENTS[0], &e1);
    ckp__sb_event_of(b, sc, &SB_EVENTS[1], &e2);
    if (b->st)
        return;
    snprintf(E1->magnitude, sizeof E1->magnitude,
             "{\"factor\":%.3f,\"from\":\"2024-10\",\"spike_factor\":%.3f,"
             "\"spike_period\":\"2024-08\",\"spike_factor_2\":%.3f,"
             "\"spike_period_2\":\"2024-09\",\"dip_factor\":%.3f,\"dip_period\":\"2024-10\","
             "\"dip_factor_2\":%.3f,\"dip_period_2\":\"2024-11\","
             "\"stalled\":[\"USA\",\"DEU\",\"NLD\",\"BEL\",\"ITA\",\"FRA\",\"ESP\",\"GBR\"],"
             "\"stalled_factor\":0,"
             "\"applies_to\":\"China's exports of the products to every partner\"}",
             lic, aug, sep, oct, nov);
    snprintf(E1->description, sizeof E1->description,
             "China's export licensing of antimony items (announced 2024-08-15, in force "
             "2024-09-15), after the customs figures: a rush in August (x%.2f) and "
             "September (x%.2f), October at x%.2f and November at x%.2f while licences "
             "wait, then x%.2f of the former level; nothing more to the USA and Europe "
             "from October 2024.",
             aug, sep, oct, nov, lic);
    for (int q = 0; q < s->npins; q++) {
        const sy_pin *p = &s->pins[q];
        uint32_t hs = s->products[p->prod].hs;
        int in = 0;
        for (int k = 0; k < NSB; k++)
            in |= hs == SB[k];
        if (p->exp != chn || !in)
            continue;
        int stop = 0;
        for (int k = 0; k < NSTALLED; k++)
            stop |= p->imp == stalled_id[k];
        ckp__sb_scale(b, e1, q, 202408, 202408, aug, 0, 1);
        ckp__sb_scale(b, e1, q, 202409, 202409, sep, 0, 1);
        if (stop) {
            ckp__sb_scale(b, e1, q, 202410, END_OF_TIME, 0, 0, 1);
        } else {
            ckp__sb_scale(b, e1, q, 202410, END_OF_TIME, lic, 0, 1);
            ckp__sb_scale(b, e1, q, 202410, 202410, oct / lic, 0, 1);
            ckp__sb_scale(b, e1, q, 202411, 202411, nov / lic, 0, 1);
        }
        if (p->imp == usa)
            ckp__sb_scale(b, e2, q, 202412, END_OF_TIME, 0, 0, 1);
    }

    /* the rerouting: 3,834 t of oxides reach the USA via Thailand and Mexico
     * between December 2024 and April 2025, and keep coming after */
    static const double profile[5] = {0.12, 0.18, 0.20, 0.24, 0.26};
    double total = 3834, tha = ckp__sb_U(b, 0.55, 0.70);
    double leg_tha[7], leg_mex[7], in_tha[8], in_mex[8];
    for (int m = 0; m < 7; m++) {
        double w = profile[m < 5 ? m : 4];
        leg_tha[m] = total * w * tha;
        leg_mex[m] = total * w * (1 - tha);
    }
    for (int m = 0; m < 8; m++) { /* China → hub one month ahead, 5 % kept */
        in_tha[m] = 1.05 * leg_tha[m < 7 ? m : 6];
        in_mex[m] = 1.05 * leg_mex[m < 7 ? m : 6];
    }
    int e3;
    sy_event *E3 = ckp__sb_event_of(b, sc, &SB_EVENTS[2], &e3);
    if (b->st)
        return;
    snprintf(E3->magnitude, sizeof E3->magnitude,
             "{\"total_t\":3834,\"window\":[\"2024-12\",\"2025-04\"],"
             "\"by_hub_t\":{\"THA\":%.1f,\"MEX\":%.1f},\"hub_share_kept\":0.05,"
             "\"after_window\":\"continues at the April 2025 level\","
             "\"hubs_produce\":0}",
             total * tha, total * (1 - tha));
    snprintf(E3->description, sizeof E3->description,
             "Antimony oxides (282580) reach the USA through Thailand and Mexico: "
             "3,834 t between December 2024 and April 2025 as publicly reported "
             "(Thailand %.0f %%), China's exports to each hub rising a month ahead. "
             "Neither hub produces antimony. Synthetic reconstruction.",
             100 * tha);
    ckp__sb_add(b, e3, ckp__sb_pin_find(b, "THA", "USA", 282580), 202412, leg_tha, 7);
    ckp__sb_add(b, e3, ckp__sb_pin_find(b, "MEX", "USA", 282580), 202412, leg_mex, 7);
    ckp__sb_add(b, e3, ckp__sb_pin_find(b, "CHN", "THA", 282580), 202411, in_tha, 8);
    ckp__sb_add(b, e3, ckp__sb_pin_find(b, "CHN", "MEX", 282580), 202411, in_mex, 8);

    int e4;
    ckp__sb_event_of(b, sc, &SB_EVENTS[3], &e4);
    if (b->st)
        return;
    ckp__sb_untouched(b, e4, SB_UNTOUCHED, NCODES(SB_UNTOUCHED));
    for (int p = 0; p < 4; p++)
        for (int c = 0; c < 3; c++)
            ckp__sb_effect(b, e4, ckp__sb_pin_find(b, SB_CTL_PAIR[p][0], SB_CTL_PAIR[p][1], SB_CONTROL[c]),
                   SY_NONE, 190001, END_OF_TIME);
}

/* ---- gallium-2023 -------------------------------------------------------- */

static const uint32_t GA[] = {811292, 811299, 282560};
#define NGA 3
/* USD per year: the USA's other suppliers, and Malaysia's trade in
 * uncontrolled products (all untouched) */
static const pin_spec GA_UNTOUCHED[] = {
    {"JPN", "USA", 811292, 1.5e6}, {"CAN", "USA", 811299, 3e6},  {"BEL", "USA", 282560, 2e6},
    {"DEU", "USA", 811292, 1e6},   {"CHN", "MYS", 760110, 30e6}, {"CHN", "MYS", 281820, 10e6},
    {"CHN", "MYS", 740311, 20e6},  {"MYS", "USA", 760110, 10e6}, {"MYS", "USA", 281820, 3e6},
    {"MYS", "USA", 740311, 8e6},   {"MYS", "JPN", 760110, 15e6}};
static const ev_spec GA_EVENTS[] = {
    {.id = "gallium-2023/licence", .kind = "licence", .measure = "CN-2023-23", .issuer = "CHN",
     .target = "*", .codes = GA, .ncodes = NGA, .announced = "2023-07-03",
     .start = "2023-08-01"},
    {.id = "gallium-2023/ban", .kind = "ban", .measure = "CN-2024-46", .issuer = "CHN",
     .target = "USA", .codes = GA, .ncodes = NGA, .announced = "2024-12-03",
     .start = "2024-12-03", .end = "2025-11-09", .magnitude = "{\"factor\":0}",
     .description = "The gallium and germanium part of China's 2024-12-03 ban on exports to "
                    "the USA: China's exports of these codes to the USA stop from December "
                    "2024."},
    {.id = "gallium-2023/diversion", .kind = "diversion", .measure = "CN-2023-23",
     .issuer = "CHN", .target = "USA,JPN", .hubs = "MYS", .codes = GA, .ncodes = NGA,
     .announced = "2023-07-03", .start = "2023-10-01"},
    {.id = "gallium-2023/untouched", .kind = "decoy",
     .products = "811292,811299,282560,760110,281820,740311",
     .magnitude = "{\"role\":\"untouched\"}",
     .description = "Untouched series of the scenario: other suppliers of the USA and "
                    "Malaysia's trade in uncontrolled products."}};

static void gallium(sb *b)
{
    ckp__sb_product(b, 811292, 300);
    ckp__sb_product(b, 811299, 1300);
    ckp__sb_product(b, 282560, 1100);
    static const struct {
        const char *to;
        double m[3]; /* USD million per year: 811292, 811299, 282560 */
    } chn[] = {{"NLD", {12, 0, 0}},   {"JPN", {7, 8, 6}},  {"USA", {6.5, 6, 8}},
               {"DEU", {5.5, 5, 5}},  {"KOR", {3, 3, 4}},  {"CAN", {1.7, 0, 0}},
               {"SGP", {10, 0, 0}},   {"BEL", {0, 4, 6}},  {"RUS", {0.5, 2, 3}},
               {"FRA", {0, 2, 2}},    {"IND", {0.5, 0, 0}}, {"GBR", {0.6, 0, 0}},
               {"MYS", {1.3, 0.5, 0.4}}};
    for (size_t i = 0; i < sizeof chn / sizeof chn[0]; i++)
        for (int k = 0; k < NGA; k++)
            if (chn[i].m[k] > 0)
                ckp__sb_pin(b, "CHN", chn[i].to, GA[k], chn[i].m[k] * 1e6);
    for (int k = 0; k < NGA; k++) {
        ckp__sb_pin(b, "MYS", "USA", GA[k], 0.1e6);
        ckp__sb_pin(b, "MYS", "JPN", GA[k], 0.08e6);
    }
    ckp__sb_pins(b, GA_UNTOUCHED, NCODES(GA_UNTOUCHED));
    for (int k = 0; k < NGA; k++) {
        ckp__sb_reserve(b, "CHN", NULL, GA[k]);
        ckp__sb_reserve(b, "MYS", NULL, GA[k]);
        ckp__sb_reserve(b, NULL, "MYS", GA[k]);
    }
}

static void gallium_effects(sb *b)
{
    ckp_synth *s = b->s;
    const char *sc = "gallium-2023";
    int chn = ckp__synth_country(s, "CHN"), usa = ckp__synth_country(s, "USA");
    int jpn = ckp__synth_country(s, "JPN");
    double spike = ckp__sb_U(b, 1.8, 2.4), drop = ckp__sb_U(b, 0.03, 0.08), rec = ckp__sb_U(b, 0.45, 0.65);
    int e1, e2;
    sy_event *E1 = ckp__sb_event_of(b, sc, &GA_EVENTS[0], &e1);
    ckp__sb_event_of(b, sc, &GA_EVENTS[1], &e2);
    if (b->st)
        return;
    snprintf(E1->magnitude, sizeof E1->magnitude,
             "{\"spike_factor\":%.3f,\"spike_period\":\"2023-07\",\"drop_factor\":%.3f,"
             "\"drop_periods\":[\"2023-08\",\"2023-09\"],\"recovery_factor\":%.3f,"
             "\"recovery_from\":\"2023-10\",\"recovery_months\":8}",
             spike, drop, rec);
    snprintf(E1->description, sizeof E1->description,
             "China's licensing of gallium and germanium items from 2023-08-01: exports "
             "rush ahead in July 2023 (x%.2f), collapse in August-September (x%.2f), then "
             "recover over 8 months to x%.2f of the former level.",
             spike, drop, rec);
    double lost_usa[NGA] = {0}, lost_jpn[NGA] = {0};
    for (int q = 0; q < s->npins; q++) {
        const sy_pin *p = &s->pins[q];
        uint32_t hs = s->products[p->prod].hs;
        int k = -1;
        for (int g = 0; g < NGA; g++)
            if (hs == GA[g])
                k = g;
        if (p->exp != chn || k < 0)
            continue;
        ckp__sb_scale(b, e1, q, 202307, 202307, spike, 0, 1);
        ckp__sb_scale(b, e1, q, 202308, 202309, drop, 0, 1);
        ckp__sb_scale(b, e1, q, 202310, END_OF_TIME, rec, 8, drop);
        if (p->imp == usa) {
            ckp__sb_scale(b, e2, q, 202412, END_OF_TIME, 0, 0, 1);
            lost_usa[k] = p->base / 12 / 1000 / s->products[p->prod].price; /* t/month */
        }
        if (p->imp == jpn)
            lost_jpn[k] = p->base / 12 / 1000 / s->products[p->prod].price;
    }

    /* rerouting through Malaysia from 2023-11 (China → Malaysia a month ahead) */
    double ru = ckp__sb_U(b, 0.3, 0.5), rj = ckp__sb_U(b, 0.2, 0.4);
    int e3;
    sy_event *E3 = ckp__sb_event_of(b, sc, &GA_EVENTS[2], &e3);
    if (b->st)
        return;
    int n = sy_month(END_OF_TIME) - sy_month(202311) + 1;
    if (n > s->m1 - sy_month(202311) + 2)
        n = s->m1 - sy_month(202311) + 2;
    if (n < 1)
        n = 1;
    double *lu = calloc((size_t)n + 1, sizeof *lu), *lj = calloc((size_t)n + 1, sizeof *lj);
    double *in = calloc((size_t)n + 1, sizeof *in);
    if (!lu || !lj || !in) {
        b->st = ckp_error_set(b->err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    double tot_t = 0;
    for (int k = 0; k < NGA; k++) {
        for (int m = 0; m < n; m++) {
            double ramp = m < 3 ? (m + 1) / 4.0 : 1;
            lu[m] = ru * lost_usa[k] * ramp;
            lj[m] = rj * lost_jpn[k] * ramp;
        }
        /* after the 2024-12 ban the USA leg doubles: the direct route is shut */
        for (int m = 0; m < n; m++)
            if (sy_month(202311) + m >= sy_month(202412))
                lu[m] *= 2;
        for (int m = 0; m < n; m++) {
            in[m] = 1.05 * (lu[m] + lj[m]);
            tot_t += lu[m] + lj[m];
        }
        in[n] = in[n - 1];
        ckp__sb_add(b, e3, ckp__sb_pin_find(b, "MYS", "USA", GA[k]), 202311, lu, n);
        ckp__sb_add(b, e3, ckp__sb_pin_find(b, "MYS", "JPN", GA[k]), 202311, lj, n);
        ckp__sb_add(b, e3, ckp__sb_pin_find(b, "CHN", "MYS", GA[k]), 202310, in, n + 1);
    }
    snprintf(E3->magnitude, sizeof E3->magnitude,
             "{\"share_of_usa_flow\":%.3f,\"share_of_jpn_flow\":%.3f,\"usa_leg_after_ban\":2,"
             "\"from\":\"2023-11\",\"ramp_months\":3,\"total_t\":%.2f}",
             ru, rj, tot_t);
    snprintf(E3->description, sizeof E3->description,
             "Gallium and germanium reach the USA and Japan through Malaysia: Malaysia's "
             "imports from China and its exports to the USA and Japan of the three codes "
             "rise from late 2023 (the USA leg doubles after the December 2024 ban); "
             "Malaysia produces none.");

    int e4;
    ckp__sb_event_of(b, sc, &GA_EVENTS[3], &e4);
    ckp__sb_untouched(b, e4, GA_UNTOUCHED, NCODES(GA_UNTOUCHED));
out_free:
    free(lu);
    free(lj);
    free(in);
}

/* ---- misinvoicing -------------------------------------------------------- */

static const struct {
    const char *exp, *imp;
    uint32_t hs, hs_to;  /* hs_to: declared code (misclassification) */
    double base;         /* USD per year */
    int side;            /* 'X' or 'M': who mis-declares */
    int kind;            /* 'u' under, 'o' over, 'c' misclassification */
    int32_t from, to;
} MI[] = {{"CHN", "NGA", 640299, 0, 40e6, 'M', 'u', 202303, 202312},
          {"CHN", "KEN", 940360, 0, 8e6, 'M', 'u', 202206, 202305},
          {"JPN", "BGD", 870323, 0, 20e6, 'M', 'u', 202401, 202408},
          {"TUR", "IRQ", 300490, 0, 60e6, 'X', 'o', 202306, 202403},
          {"CHN", "ARG", 847130, 0, 50e6, 'M', 'o', 202201, 202209},
          {"CHN", "IDN", 854231, 392690, 30e6, 'M', 'c', 202301, 202312},
          {"BGD", "POL", 610910, 631090, 40e6, 'M', 'c', 202401, 202410}};
#define NMI (int)(sizeof MI / sizeof MI[0])
static const pin_spec MI_UNTOUCHED[] = {{"CHN", "GHA", 640299, 25e6}, {"CHN", "TZA", 940360, 5e6},
                    {"JPN", "LKA", 870323, 10e6}, {"TUR", "IRN", 300490, 20e6},
                    {"CHN", "CHL", 847130, 40e6}, {"CHN", "PHL", 854231, 50e6},
                    {"BGD", "CZE", 610910, 20e6}};

static void misinvoicing(sb *b)
{
    ckp__sb_product(b, 854231, 2500);
    ckp__sb_product(b, 392690, 4);
    ckp__sb_product(b, 610910, 18);
    ckp__sb_product(b, 631090, 0.6);
    for (int i = 0; i < NMI; i++) {
        ckp__sb_pin(b, MI[i].exp, MI[i].imp, MI[i].hs, MI[i].base);
        if (MI[i].hs_to) {
            ckp__sb_product(b, MI[i].hs_to, 0);
            ckp__sb_reserve(b, MI[i].exp, MI[i].imp, MI[i].hs_to);
        }
    }
    ckp__sb_pins(b, MI_UNTOUCHED, NCODES(MI_UNTOUCHED));
}

static void misinvoicing_effects(sb *b)
{
    ckp_synth *s = b->s;
    const char *sc = "misinvoicing";
    for (int i = 0; i < NMI; i++) {
        char id[64];
        int p = ckp__sb_pin_find(b, MI[i].exp, MI[i].imp, MI[i].hs);
        const char *what = MI[i].kind == 'u' ? "under" : MI[i].kind == 'o' ? "over" : "misclass";
        snprintf(id, sizeof id, "misinvoicing/%s-%s-%s-%06u", what, MI[i].exp, MI[i].imp,
                 (unsigned)MI[i].hs);
        int e = ckp__sb_event(b, id, "misinvoicing", sc);
        if (b->st || p < 0)
            return;
        sy_event *E = ckp__sb_ev(b, e);
        ckp__sb_set_parties(E, MI[i].exp, MI[i].imp);
        char f[40], t[40];
        snprintf(f, sizeof f, "%04d-%02d-01", MI[i].from / 100 % 10000, MI[i].from % 100);
        static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int tm = MI[i].to % 100, ty = MI[i].to / 100;
        int last = mdays[tm - 1] + (tm == 2 && ty % 4 == 0 && (ty % 100 != 0 || ty % 400 == 0));
        snprintf(t, sizeof t, "%04d-%02d-%02d", ty % 10000, tm, last);
        ckp__sb_set_dates(E, NULL, f, t);
        const sy_product *pr = &s->products[s->pins[p].prod];
        if (MI[i].kind == 'c') {
            const sy_product *dp = &s->products[ckp__synth_product(s, MI[i].hs_to)];
            snprintf(E->products, sizeof E->products, "%06u,%06u", (unsigned)MI[i].hs,
                     (unsigned)MI[i].hs_to);
            snprintf(E->magnitude, sizeof E->magnitude,
                     "{\"type\":\"misclassification\",\"true_hs\":\"%06u\","
                     "\"declared_hs\":\"%06u\",\"side\":\"M\","
                     "\"unit_value\":%.2f,\"declared_hs_market_unit_value\":%.2f,"
                     "\"ratio\":%.1f}",
                     (unsigned)MI[i].hs, (unsigned)MI[i].hs_to, pr->price, dp->price,
                     pr->price / dp->price);
            snprintf(E->description, sizeof E->description,
                     "%s declares its imports of %06u from %s under %06u: the rows under "
                     "%06u carry the value and quantity of %06u (about %.0f USD/kg against a "
                     "market of about %.2f), and %s's exports of %06u find no match.",
                     MI[i].imp, (unsigned)MI[i].hs, MI[i].exp, (unsigned)MI[i].hs_to,
                     (unsigned)MI[i].hs_to, (unsigned)MI[i].hs, pr->price, dp->price,
                     MI[i].exp, (unsigned)MI[i].hs);
            sy_effect *fx = ckp__sb_effect(b, e, p, SY_RECODE, MI[i].from, MI[i].to);
            if (fx)
                fx->hs_to = MI[i].hs_to;
            continue;
        }
        double factor = MI[i].kind == 'u' ? ckp__sb_U(b, 0.1, 0.3) : ckp__sb_U(b, 3, 6);
        snprintf(E->products, sizeof E->products, "%06u", (unsigned)MI[i].hs);
        snprintf(E->magnitude, sizeof E->magnitude,
                 "{\"type\":\"%s-invoicing\",\"side\":\"%c\",\"factor\":%.3f,"
                 "\"market_unit_value\":%.2f,\"declared_unit_value\":%.2f}",
                 what, MI[i].side, factor, pr->price, pr->price * factor);
        snprintf(E->description, sizeof E->description,
                 "%s-invoicing: the %s's declared value of %s -> %s in %06u is x%.2f of the "
                 "true value (quantity unchanged), so the unit value sits far from the "
                 "market (about %.2f USD/kg).",
                 MI[i].kind == 'u' ? "Under" : "Over",
                 MI[i].side == 'X' ? "exporter" : "importer", MI[i].exp, MI[i].imp,
                 (unsigned)MI[i].hs, factor, pr->price);
        sy_effect *fx = ckp__sb_effect(b, e, p, SY_VALUE, MI[i].from, MI[i].to);
        if (fx) {
            fx->side = MI[i].side;
            fx->factor = factor;
        }
    }
    static const ev_spec decoy = {
        .id = "misinvoicing/untouched", .kind = "decoy",
        .products = "640299,940360,870323,300490,847130,854231,610910",
        .magnitude = "{\"role\":\"untouched\"}",
        .description = "Untouched flows of the same products with market unit values: a "
                       "unit-value flag on them is a false flag."};
    int e;
    ckp__sb_event_of(b, sc, &decoy, &e);
    ckp__sb_untouched(b, e, MI_UNTOUCHED, NCODES(MI_UNTOUCHED));
}

/* ---- decoys -------------------------------------------------------------- */

static void decoys(sb *b)
{
    ckp__sb_product(b, 282580, 11);
    ckp__sb_product(b, 811292, 300);
    ckp__sb_pin_t(b, "CHN", "VNM", 282580, 30);
    ckp__sb_pin_t(b, "VNM", "USA", 282580, 8);
    ckp__sb_pin(b, "CHN", "VNM", 811292, 2e6);
    ckp__sb_pin(b, "VNM", "USA", 811292, 0.3e6);
    ckp__sb_pin(b, "VNM", "JPN", 811292, 0.2e6);
    ckp__sb_pin(b, "CHN", "VNM", 760110, 30e6);
    ckp__sb_pin(b, "VNM", "USA", 760110, 20e6);
    static const uint32_t uz[] = {854231, 847150, 845710};
    static const double uzb_base[] = {40e6, 60e6, 50e6};
    static const char *const ex[] = {"DEU", "ITA", "USA"};
    for (int k = 0; k < 3; k++) {
        ckp__sb_product(b, uz[k], k == 0 ? 2500 : k == 1 ? 120 : 35);
        for (int e = 0; e < 3; e++)
            ckp__sb_pin(b, ex[e], "UZB", uz[k], uzb_base[k] * 0.01 * (e == 0 ? 1 : 0.5));
        ckp__sb_pin(b, "UZB", "RUS", uz[k], uzb_base[k] * 0.005);
        ckp__sb_reserve(b, "UZB", "RUS", uz[k]);
    }
    ckp__sb_pin(b, "DEU", "UZB", 190590, 3e6);
    ckp__sb_pin(b, "UZB", "RUS", 190590, 4e6);
    static const uint32_t vn[] = {282580, 811292};
    for (int k = 0; k < 2; k++) {
        ckp__sb_reserve(b, "VNM", NULL, vn[k]);
        ckp__sb_reserve(b, NULL, "VNM", vn[k]);
    }
}

static void decoys_effects(sb *b)
{
    ckp_synth *s = b->s;
    const char *sc = "decoys";
    int vnm = ckp__synth_country(s, "VNM"), uzb = ckp__synth_country(s, "UZB");
    double g = ckp__sb_U(b, 0.18, 0.25), step = ckp__sb_U(b, 1.8, 2.5);
    static const ev_spec hubs[2] = {
        {.id = "decoys/vnm-grows-in-everything", .kind = "decoy", .issuer = "CHN",
         .target = "USA", .hubs = "VNM", .products = "282580,811292,760110",
         .start = "2017-01-01"},
        {.id = "decoys/uzb-grows-in-everything", .kind = "decoy", .issuer = "EU",
         .target = "RUS", .hubs = "UZB", .products = "854231,847150,845710,190590",
         .start = "2022-03-01"}};
    int e1, e2;
    sy_event *E1 = ckp__sb_event_of(b, sc, &hubs[0], &e1), *E2 = ckp__sb_event_of(b, sc, &hubs[1], &e2);
    if (b->st)
        return;
    s->countries[vnm].decoy = 1;
    s->countries[vnm].decoy_rate = g;
    s->countries[uzb].decoy = 2;
    s->countries[uzb].decoy_rate = step;
    s->countries[uzb].decoy_month = sy_month(202203);
    snprintf(E1->magnitude, sizeof E1->magnitude,
             "{\"role\":\"hub\",\"growth_per_year\":%.3f,\"applies_to\":\"every product and "
             "partner of VNM, both directions, the whole period\"}",
             g);
    snprintf(E1->description, sizeof E1->description,
             "A decoy hub: Viet Nam's trade grows %.0f %% a year in everything, before and "
             "after every measure, including antimony and gallium from China and to the "
             "USA. It is not a diversion hub and must not rank as one.",
             100 * g);
    snprintf(E2->magnitude, sizeof E2->magnitude,
             "{\"role\":\"hub\",\"step_factor\":%.3f,\"from\":\"2022-03\",\"ramp_months\":2,"
             "\"applies_to\":\"every product and partner of UZB, both directions\"}",
             step);
    snprintf(E2->description, sizeof E2->description,
             "A decoy hub: Uzbekistan's trade in every product and with every partner "
             "steps up x%.2f from March 2022 - controlled goods from the EU and to Russia "
             "no more than anything else. It must not rank as a diversion hub.",
             step);
    for (int q = 0; q < s->npins; q++) {
        const sy_pin *p = &s->pins[q];
        if (p->exp == vnm || p->imp == vnm)
            ckp__sb_effect(b, e1, q, SY_DECOY, 190001, END_OF_TIME);
        else if (p->exp == uzb || p->imp == uzb)
            ckp__sb_effect(b, e2, q, SY_DECOY, 190001, END_OF_TIME);
    }
}

/* ---- the world's own events ---------------------------------------------- */

static void world_events(sb *b)
{
    static const ev_spec world[] = {
        {.id = "world/nonreporting-rus", .kind = "nonreporting", .issuer = "RUS",
         .start = "2022-01-01", .magnitude = "{\"reports\":false}",
         .description = "Russia reports no trade from January 2022 (as in reality): every "
                        "flow with Russia from then on is seen only in its partners' reports "
                        "(mirror)."},
        {.id = "world/nonreporting-always", .kind = "nonreporting", .issuer = "*",
         .target = "PRK,ERI,TKM,SSD,SOM,GNQ", .magnitude = "{\"reports\":false}",
         .description = "These countries (those present in the reference data) never "
                        "report; their trade appears only in their partners' reports."}};
    for (int i = 0; i < NCODES(world); i++)
        ckp__sb_event_of(b, "world", &world[i], NULL);
}

/* ---- build --------------------------------------------------------------- */

/* The scenarios in the order they are built: the flag that selects one, its
 * pins, its events and effects, and the start of its stream of draws. */
static const struct {
    unsigned flag;
    void (*pins)(sb *b);
    void (*effects)(sb *b);
    uint64_t draws;
} SCENARIOS[] = {
    {CKP_SYNTH_ANTIMONY, antimony, antimony_effects, 1000},
    {CKP_SYNTH_GALLIUM, gallium, gallium_effects, 2000},
    {CKP_SYNTH_RUSSIA, ckp__scenario_russia, ckp__scenario_russia_effects, 3000},
    {CKP_SYNTH_MISINVOICE, misinvoicing, misinvoicing_effects, 4000},
    {CKP_SYNTH_DECOYS, decoys, decoys_effects, 5000}};

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}


ckp_status ckp__synth_build_scenarios(ckp_synth *s, ckp_error *err)
{
    sb b = {s, err, CKP_OK, 0};
    unsigned sc = s->p.scenarios;
    s->pins = calloc(SY_MAX_PINS, sizeof *s->pins);
    s->effects = calloc(SY_MAX_EFFECTS, sizeof *s->effects);
    s->events = calloc(SY_MAX_EVENTS, sizeof *s->events);
    if (!s->pins || !s->effects || !s->events)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    /* every scenario's pins first (an effect may touch another's pins) */
    for (size_t i = 0; i < NCODES(SCENARIOS); i++)
        if (sc & SCENARIOS[i].flag)
            SCENARIOS[i].pins(&b);
    if (b.st)
        return b.st;
    /* effects: each scenario draws its magnitudes from its own stream so that
     * adding a scenario does not change another's numbers */
    for (size_t i = 0; i < NCODES(SCENARIOS); i++) {
        b.draws = SCENARIOS[i].draws;
        if (sc & SCENARIOS[i].flag)
            SCENARIOS[i].effects(&b);
    }
    world_events(&b);
    if (b.st)
        return b.st;
    /* group effects by pin (stable: in creation order) */
    s->eff_of = malloc((size_t)(s->neffects > 0 ? s->neffects : 1) * sizeof *s->eff_of);
    s->pin_order = malloc((size_t)(s->npins > 0 ? s->npins : 1) * sizeof *s->pin_order);
    if (!s->eff_of || !s->pin_order)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    int pos = 0;
    for (int q = 0; q < s->npins; q++) {
        s->pins[q].first_eff = pos;
        for (int e = 0; e < s->neffects; e++)
            if (s->effects[e].pin == q)
                s->eff_of[pos++] = e;
        s->pins[q].neff = pos - s->pins[q].first_eff;
    }
    /* every pin is a reserved key, as is every declared (recoded) key */
    for (int q = 0; q < s->npins && !b.st; q++) {
        const sy_pin *p = &s->pins[q];
        ckp__sb_reserve(&b, s->countries[p->exp].c->iso3, s->countries[p->imp].c->iso3,
                s->products[p->prod].hs);
    }
    if (b.st)
        return b.st;
    if (s->nreserves)
        qsort(s->reserves, (size_t)s->nreserves, sizeof *s->reserves, cmp_u64);
    /* pins by (importer, product, exporter): keys packed with the index */
    uint64_t *keys = malloc((size_t)(s->npins > 0 ? s->npins : 1) * sizeof *keys);
    if (!keys)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int q = 0; q < s->npins; q++)
        keys[q] = (uint64_t)s->pins[q].imp << 40 | (uint64_t)s->pins[q].prod << 24 |
                  (uint64_t)s->pins[q].exp << 12 | (uint64_t)q;
    qsort(keys, (size_t)s->npins, sizeof *keys, cmp_u64);
    for (int q = 0; q < s->npins; q++)
        s->pin_order[q] = (int)(keys[q] & 4095);
    free(keys);
    return CKP_OK;
}

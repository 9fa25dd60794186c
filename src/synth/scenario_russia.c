/* scenario_russia.c — the russia-roundabout scenario: EU and US controls
 * on dual-use goods from 2022-02-25, the Eurasian roundabout through five
 * hubs, phantom flows in the customs union, China's substitution, and
 * untouched uncontrolled products (numbers: docs/synth.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth/scenario_int.h"

/* ---- russia-roundabout --------------------------------------------------- */

/* A subset of the CHPL (data/controls/chpl_hs6_tiers.csv), every code in the
 * EU's list with entry into force 2022-02-25; base = Germany → Russia, USD
 * million per year before the war; price USD/kg. */
static const struct {
    uint32_t hs;
    double base, price;
} RU[] = {{854231, 40, 2500}, {854232, 25, 1500}, {854239, 20, 1200}, {851762, 80, 150},
          {847150, 60, 120},  {854129, 8, 400},   {848210, 30, 15},   {847180, 25, 150},
          {845710, 50, 35},   {845811, 30, 30},   {903020, 15, 250}};
#define NRU (int)(sizeof RU / sizeof RU[0])
static const struct {
    const char *iso3;
    double scale;
} RU_EXP[] = {{"DEU", 1.0}, {"ITA", 0.5},  {"FRA", 0.4}, {"NLD", 0.35},
              {"POL", 0.25}, {"CZE", 0.2}, {"FIN", 0.15}, {"USA", 0.8}};
#define NRUE (int)(sizeof RU_EXP / sizeof RU_EXP[0])
static const struct {
    const char *iso3;
    double base;  /* E → hub before, as a share of E → RUS */
    double split; /* share of the rerouted volume */
    double phantom_lo, phantom_hi; /* share exported but never recorded as imported */
} RU_HUB[] = {{"ARM", 0.006, 0.14, 0.3, 0.5},
              {"KAZ", 0.03, 0.20, 0.4, 0.6},
              {"KGZ", 0.004, 0.14, 0.5, 0.7},
              {"TUR", 0.15, 0.30, 0, 0},
              {"ARE", 0.10, 0.22, 0, 0}};
#define NRUH 5
#define RU_CHN 0.6       /* China → Russia before the war, × Germany's flow */
#define RU_HUB_RUS 0.002 /* each hub → Russia before the war, × Germany's flow */
#define RU_HUB_PASS 0.9  /* share of what a hub records that it sends on to Russia */
static const uint32_t RU_CONTROL[] = {190590, 40690, 90121};
/* products NULL: the RU codes */
static const ev_spec RU_EVENTS[] = {
    {.id = "russia-roundabout/ban-eu", .kind = "ban", .measure = "EU-RUS-2022-02-25",
     .issuer = "EU", .target = "RUS", .announced = "2022-02-25", .start = "2022-02-25"},
    {.id = "russia-roundabout/ban-usa", .kind = "ban", .issuer = "USA", .target = "RUS",
     .announced = "2022-02-24", .start = "2022-02-24"},
    {.id = "russia-roundabout/diversion", .kind = "diversion", .measure = "EU-RUS-2022-02-25",
     .issuer = "EU", .target = "RUS", .hubs = "ARM,KAZ,KGZ,TUR,ARE", .announced = "2022-02-25",
     .start = "2022-04-01"},
    {.id = "russia-roundabout/phantom", .kind = "phantom", .issuer = "EU", .target = "RUS",
     .hubs = "ARM,KAZ,KGZ", .start = "2022-04-01",
     .description = "Phantom flows: of what the EU and the USA record as exports to Armenia, "
                    "Kazakhstan and Kyrgyzstan from April 2022, a share is never recorded as "
                    "imported there (it moves on to Russia inside the customs union). Russia "
                    "itself reports nothing from 2022, so its leg is seen only in mirror."},
    {.id = "russia-roundabout/substitution", .kind = "substitution", .issuer = "CHN",
     .target = "RUS", .start = "2022-04-01"},
    {.id = "russia-roundabout/untouched", .kind = "decoy", .products = "190590,040690,090121",
     .magnitude = "{\"role\":\"untouched\"}",
     .description = "Untouched series: uncontrolled products (bakery, cheese, coffee) between "
                    "the EU, the hubs and Russia. Russia's own reports stop in 2022 "
                    "(non-reporting), nothing else changes."}};
#define NRU_EVENTS 6

void ckp__scenario_russia(sb *b)
{
    for (int k = 0; k < NRU; k++)
        ckp__sb_product(b, RU[k].hs, RU[k].price);
    for (int e = 0; e < NRUE; e++)
        for (int k = 0; k < NRU; k++) {
            double base = RU[k].base * 1e6 * RU_EXP[e].scale;
            ckp__sb_pin(b, RU_EXP[e].iso3, "RUS", RU[k].hs, base);
            for (int h = 0; h < NRUH; h++)
                ckp__sb_pin(b, RU_EXP[e].iso3, RU_HUB[h].iso3, RU[k].hs, base * RU_HUB[h].base);
        }
    for (int k = 0; k < NRU; k++) {
        for (int h = 0; h < NRUH; h++)
            ckp__sb_pin(b, RU_HUB[h].iso3, "RUS", RU[k].hs, RU[k].base * 1e6 * RU_HUB_RUS);
        ckp__sb_pin(b, "CHN", "RUS", RU[k].hs, RU[k].base * 1e6 * RU_CHN);
        ckp__sb_reserve(b, NULL, "RUS", RU[k].hs);
        for (int h = 0; h < NRUH; h++)
            ckp__sb_reserve(b, RU_HUB[h].iso3, NULL, RU[k].hs);
    }
    /* uncontrolled products (not in the EU list): untouched */
    static const double ctl[3] = {20e6, 30e6, 10e6};
    static const char *const cexp[] = {"DEU", "ITA", "FRA", "POL"};
    for (int c = 0; c < 3; c++) {
        for (int e = 0; e < 4; e++)
            ckp__sb_pin(b, cexp[e], "RUS", RU_CONTROL[c], ctl[c] * (1 - 0.2 * e));
        for (int h = 0; h < NRUH; h++)
            ckp__sb_pin(b, RU_HUB[h].iso3, "RUS", RU_CONTROL[c], ctl[c] * 0.05);
    }
    for (int c = 0; c < 2; c++)
        for (int h = 0; h < NRUH; h++)
            ckp__sb_pin(b, "DEU", RU_HUB[h].iso3, RU_CONTROL[c], ctl[c] * RU_HUB[h].base * 5);
}

void ckp__scenario_russia_effects(sb *b)
{
    ckp_synth *s = b->s;
    const char *sc = "russia-roundabout";
    uint32_t codes[NRU];
    for (int k = 0; k < NRU; k++)
        codes[k] = RU[k].hs;
    double drop = ckp__sb_U(b, 0.02, 0.06), rho = ckp__sb_U(b, 0.25, 0.35), sub = ckp__sb_U(b, 2.5, 3.5);
    double split[NRUH], phantom[NRUH], sum = 0;
    for (int h = 0; h < NRUH; h++) {
        split[h] = RU_HUB[h].split * ckp__sb_U(b, 0.8, 1.2);
        sum += split[h];
        phantom[h] = RU_HUB[h].phantom_hi > 0 ? ckp__sb_U(b, RU_HUB[h].phantom_lo, RU_HUB[h].phantom_hi)
                                              : 0;
    }
    for (int h = 0; h < NRUH; h++)
        split[h] /= sum;

    int ids[NRU_EVENTS];
    sy_event *E[NRU_EVENTS];
    for (int i = 0; i < NRU_EVENTS; i++) {
        ev_spec d = RU_EVENTS[i];
        if (!d.products) {
            d.codes = codes;
            d.ncodes = NRU;
        }
        E[i] = ckp__sb_event_of(b, sc, &d, &ids[i]);
    }
    if (b->st)
        return;
    int e1 = ids[0], e2 = ids[1], e3 = ids[2], e4 = ids[3], e5 = ids[4], e6 = ids[5];
    snprintf(E[0]->magnitude, sizeof E[0]->magnitude, "{\"factor\":%.3f,\"from\":\"2022-03\"}",
             drop);
    snprintf(E[0]->description, sizeof E[0]->description,
             "EU sanctions on dual-use goods (CHPL subset) to Russia from 2022-02-25: "
             "exports of seven EU members to Russia fall to x%.3f from March 2022.",
             drop);
    snprintf(E[1]->magnitude, sizeof E[1]->magnitude, "{\"factor\":%.3f,\"from\":\"2022-03\"}",
             drop);
    snprintf(E[1]->description, sizeof E[1]->description,
             "US export controls on Russia from 2022-02-24: US exports of the same goods "
             "to Russia fall to x%.3f from March 2022.",
             drop);
    snprintf(E[2]->magnitude, sizeof E[2]->magnitude,
             "{\"rerouted_share_of_lost\":%.3f,\"ramp\":[\"2022-04\",\"2022-09\"],"
             "\"split\":{\"ARM\":%.3f,\"KAZ\":%.3f,\"KGZ\":%.3f,\"TUR\":%.3f,\"ARE\":%.3f},"
             "\"hub_reexport_share\":0.9,\"hub_lag_months\":1}",
             rho, split[0], split[1], split[2], split[3], split[4]);
    snprintf(E[2]->description, sizeof E[2]->description,
             "The Eurasian roundabout: EU and US exports of the same goods to Armenia, "
             "Kazakhstan, Kyrgyzstan, Turkiye and the UAE surge from April 2022 (%.0f %% "
             "of the lost Russian trade, reached by September 2022), and the hubs' "
             "exports to Russia surge a month later (90 %% of what they record).",
             100 * rho);
    snprintf(E[3]->magnitude, sizeof E[3]->magnitude,
             "{\"unrecorded_share\":{\"ARM\":%.3f,\"KAZ\":%.3f,\"KGZ\":%.3f}}", phantom[0],
             phantom[1], phantom[2]);
    /* China's rise is set per product so that its share of Russia's
     * imports (as the partners report them) comes out as published for 2023:
     * about 90 % of microelectronics (8542), about 70 % of machine tools
     * (8457, 8458); the other codes rise x[2.5-3.5].  In units of Germany's
     * pre-war flow, the other suppliers after the war are the EU and the
     * USA at x drop, the hubs' onward share of the rerouted part, and the
     * hubs' own small flows */
    double s_chip = ckp__sb_U(b, 0.86, 0.92), s_tool = ckp__sb_U(b, 0.66, 0.74), hubpass = 0;
    for (int h = 0; h < NRUH; h++)
        hubpass += split[h] * RU_HUB_PASS * (1 - phantom[h]);
    double eu_us = 0;
    for (int e = 0; e < NRUE; e++)
        eu_us += RU_EXP[e].scale;
    double rest = drop * eu_us + rho * (1 - drop) * eu_us * hubpass + NRUH * RU_HUB_RUS;
    double subk[NRU], f_chip = sub, f_tool = sub;
    for (int k = 0; k < NRU; k++) {
        int chapter = (int)(RU[k].hs / 100);
        double target = chapter == 8542                     ? s_chip
                        : chapter == 8457 || chapter == 8458 ? s_tool
                                                             : 0;
        subk[k] = target > 0 ? target / (1 - target) * rest / RU_CHN : sub;
        if (chapter == 8542)
            f_chip = subk[k];
        else if (target > 0)
            f_tool = subk[k];
    }
    snprintf(E[4]->magnitude, sizeof E[4]->magnitude,
             "{\"factor\":%.3f,\"factor_8542\":%.3f,\"factor_8457_8458\":%.3f,"
             "\"china_share_8542\":%.3f,\"china_share_8457_8458\":%.3f,\"ramp_months\":5}",
             sub, f_chip, f_tool, s_chip, s_tool);
    snprintf(E[4]->description, sizeof E[4]->description,
             "China replaces the EU as Russia's supplier from April 2022 (over 5 months): "
             "to about %.0f %% of Russia's microelectronics imports and %.0f %% of its "
             "machine-tool imports (as published for 2023; x%.1f and x%.1f), the other "
             "codes x%.2f.",
             100 * s_chip, 100 * s_tool, f_chip, f_tool, sub);

    int usa = ckp__synth_country(s, "USA");
    int n = sy_month(END_OF_TIME) - sy_month(202204) + 1;
    if (n > s->m1 - sy_month(202204) + 2)
        n = s->m1 - sy_month(202204) + 2;
    if (n < 1)
        n = 1;
    double *x = calloc((size_t)n + 1, sizeof *x), *hub = calloc((size_t)n + 2, sizeof *hub);
    if (!x || !hub) {
        b->st = ckp_error_set(b->err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    for (int k = 0; k < NRU; k++) {
        for (int h = 0; h < NRUH; h++) {
            memset(hub, 0, (size_t)(n + 2) * sizeof *hub);
            for (int e = 0; e < NRUE; e++) {
                int to_rus = ckp__sb_pin_find(b, RU_EXP[e].iso3, "RUS", RU[k].hs);
                int to_hub = ckp__sb_pin_find(b, RU_EXP[e].iso3, RU_HUB[h].iso3, RU[k].hs);
                double lost_t = (1 - drop) * s->pins[to_rus].base / 12 / 1000 / RU[k].price;
                if (h == 0)
                    ckp__sb_scale(b, s->pins[to_rus].exp == usa ? e2 : e1, to_rus, 202203, END_OF_TIME,
                          drop, 0, 1);
                for (int m = 0; m < n; m++) {
                    double ramp = m < 6 ? (m + 1) / 6.0 : 1;
                    x[m] = rho * split[h] * lost_t * ramp;
                    hub[m + 1] += x[m] * RU_HUB_PASS * (1 - phantom[h]);
                }
                ckp__sb_add(b, e3, to_hub, 202204, x, n);
                if (phantom[h] > 0) {
                    sy_effect *f = ckp__sb_effect(b, e4, to_hub, SY_RECORD, 202204, END_OF_TIME);
                    if (f)
                        f->factor = 1 - phantom[h];
                }
            }
            ckp__sb_add(b, e3, ckp__sb_pin_find(b, RU_HUB[h].iso3, "RUS", RU[k].hs), 202205, hub + 1, n);
        }
        ckp__sb_scale(b, e5, ckp__sb_pin_find(b, "CHN", "RUS", RU[k].hs), 202204, END_OF_TIME, subk[k], 5, 1);
    }
    static const char *const cexp[] = {"DEU", "ITA", "FRA", "POL"};
    for (int c = 0; c < 3; c++) {
        for (int e = 0; e < 4; e++)
            ckp__sb_effect(b, e6, ckp__sb_pin_find(b, cexp[e], "RUS", RU_CONTROL[c]), SY_NONE, 190001,
                   END_OF_TIME);
        for (int h = 0; h < NRUH; h++)
            ckp__sb_effect(b, e6, ckp__sb_pin_find(b, RU_HUB[h].iso3, "RUS", RU_CONTROL[c]), SY_NONE, 190001,
                   END_OF_TIME);
    }
    for (int c = 0; c < 2; c++)
        for (int h = 0; h < NRUH; h++)
            ckp__sb_effect(b, e6, ckp__sb_pin_find(b, "DEU", RU_HUB[h].iso3, RU_CONTROL[c]), SY_NONE, 190001,
                   END_OF_TIME);
out_free:
    free(x);
    free(hub);
}

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
#include <stdlib.h>
#include <string.h>

#include "chokepoint/output.h"
#include "core/vec.h"
#include "synth/synth_int.h"

#define END_OF_TIME 209912 /* an open-ended effect runs to the last month */

/* The builder's state: errors stick, so a sequence of calls checks once. */
typedef struct sb {
    ckp_synth *s;
    ckp_error *err;
    ckp_status st;
    uint64_t draws; /* counter for seeded draws */
} sb;

static double U(sb *b, double lo, double hi)
{
    return lo + (hi - lo) * sy_u01(sy_hash(b->s->p.seed, 0x5CE, ++b->draws, 0));
}

static int country(sb *b, const char *iso3)
{
    int c = ckp__synth_country(b->s, iso3);
    if (c < 0 && !b->st)
        b->st = ckp_error_set(b->err, CKP_ENOTFOUND, NULL, 0, 0,
                              "synth needs country %s, which the reference data lacks "
                              "(with ISO3, Comtrade and BACI codes)",
                              iso3);
    return c;
}

static int product(sb *b, uint32_t hs, double price)
{
    int k = ckp__synth_product_add(b->s, hs);
    if (k < 0) {
        if (!b->st)
            b->st = ckp_error_set(b->err, CKP_ELIMIT, NULL, 0, 0,
                                  "cannot add HS code %06u", (unsigned)hs);
        return -1;
    }
    if (price > 0)
        b->s->products[k].price = price;
    return k;
}

/* The pin exp → imp in hs (created or found).  base: USD per year. */
static int pin(sb *b, const char *exp, const char *imp, uint32_t hs, double base)
{
    ckp_synth *s = b->s;
    int e = country(b, exp), i = country(b, imp), k = product(b, hs, 0);
    if (b->st || e < 0 || i < 0 || k < 0)
        return -1;
    for (int q = 0; q < s->npins; q++)
        if (s->pins[q].exp == e && s->pins[q].imp == i && s->pins[q].prod == k)
            return q;
    if (s->npins >= SY_MAX_PINS) {
        b->st = ckp_error_set(b->err, CKP_ELIMIT, NULL, 0, 0, "too many pinned series");
        return -1;
    }
    sy_pin *p = &s->pins[s->npins];
    memset(p, 0, sizeof *p);
    p->exp = e;
    p->imp = i;
    p->prod = k;
    p->base = base;
    p->sigma = 0.16 + 0.06 * sy_u01(sy_hash(s->p.seed, 0x919, (uint64_t)e << 20 | (uint64_t)i, hs));
    p->trend = 0.02;
    return s->npins++;
}

/* A pin given in tonnes per month (its value follows from the price). */
static int pin_t(sb *b, const char *exp, const char *imp, uint32_t hs, double t_month)
{
    int k = product(b, hs, 0);
    if (k < 0)
        return -1;
    return pin(b, exp, imp, hs, t_month * 12 * 1000 * b->s->products[k].price);
}

static int event(sb *b, const char *id, const char *kind, const char *scenario)
{
    ckp_synth *s = b->s;
    if (b->st)
        return -1;
    if (s->nevents >= SY_MAX_EVENTS) {
        b->st = ckp_error_set(b->err, CKP_ELIMIT, NULL, 0, 0, "too many events");
        return -1;
    }
    sy_event *e = &s->events[s->nevents];
    memset(e, 0, sizeof *e);
    snprintf(e->id, sizeof e->id, "%s", id);
    e->kind = kind;
    e->scenario = scenario;
    snprintf(e->magnitude, sizeof e->magnitude, "{}");
    return s->nevents++;
}

static sy_event *ev(sb *b, int e) { return e >= 0 ? &b->s->events[e] : NULL; }

static sy_effect *effect(sb *b, int evn, int p, sy_effkind kind, int32_t from, int32_t to)
{
    ckp_synth *s = b->s;
    if (b->st || evn < 0 || p < 0)
        return NULL;
    if (s->neffects >= SY_MAX_EFFECTS) {
        b->st = ckp_error_set(b->err, CKP_ELIMIT, NULL, 0, 0, "too many effects");
        return NULL;
    }
    sy_effect *f = &s->effects[s->neffects++];
    memset(f, 0, sizeof *f);
    f->event = evn;
    f->pin = p;
    f->kind = kind;
    f->from = sy_month(from);
    f->to = sy_month(to);
    f->factor0 = 1;
    f->factor = 1;
    return f;
}

static void scale(sb *b, int evn, int p, int32_t from, int32_t to, double factor, int ramp,
                  double factor0)
{
    sy_effect *f = effect(b, evn, p, SY_SCALE, from, to);
    if (!f)
        return;
    f->factor = factor;
    f->ramp = ramp;
    f->factor0 = factor0;
}

/* Tonnes per month added over from..from+n-1. */
static void add(sb *b, int evn, int p, int32_t from, const double *t, int n)
{
    sy_effect *f = effect(b, evn, p, SY_ADD, from, from);
    if (!f)
        return;
    f->to = f->from + n - 1;
    f->add = malloc((size_t)n * sizeof *f->add);
    if (!f->add) {
        b->st = ckp_error_set(b->err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        return;
    }
    memcpy(f->add, t, (size_t)n * sizeof *t);
}

/* ---- reserved keys ------------------------------------------------------- */

/* kind 1: exp × any importer; 2: any exporter × imp; 3: exp × imp. */
static uint64_t rkey(int kind, int a, int c, uint32_t hs)
{
    return (uint64_t)kind << 58 | (uint64_t)(a + 1) << 40 | (uint64_t)(c + 1) << 22 | hs;
}

static void reserve(sb *b, const char *exp, const char *imp, uint32_t hs)
{
    ckp_synth *s = b->s;
    int e = exp ? country(b, exp) : -1, i = imp ? country(b, imp) : -1;
    int k = product(b, hs, 0);
    if (b->st || k < 0)
        return;
    int kind = exp && imp ? 3 : exp ? 1 : 2;
    if (CKP_ARRAY_RESERVE(s->reserves, s->capreserves, (size_t)s->nreserves + 1, (size_t)INT_MAX,
                          "reserved keys", b->err) != CKP_OK) {
        b->st = b->err->code;
        return;
    }
    s->reserves[s->nreserves++] = rkey(kind, kind == 2 ? i : e, kind == 3 ? i : 0, hs);
    s->products[k].reserved = 1;
}

static int has_key(const ckp_synth *s, uint64_t key)
{
    int lo = 0, hi = s->nreserves - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (s->reserves[mid] == key)
            return 1;
        if (s->reserves[mid] < key)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

int ckp__synth_reserved(const ckp_synth *s, int exp, int imp, uint32_t hs)
{
    int k = hs < 1000000 ? s->prod_by_code[hs] : -1;
    if (k < 0 || !s->products[k].reserved)
        return 0;
    return has_key(s, rkey(1, exp, 0, hs)) || has_key(s, rkey(2, imp, 0, hs)) ||
           has_key(s, rkey(3, exp, imp, hs));
}

double ckp__synth_decoy_factor(const sy_country *c, int month)
{
    if (c->decoy == 1)
        return exp(log1p(c->decoy_rate) * (month - 12 * (2017 - SY_EPOCH_YEAR)) / 12.0);
    if (c->decoy == 2) {
        int d = month - c->decoy_month;
        if (d < 0)
            return 1;
        if (d < 2)
            return 1 + (c->decoy_rate - 1) * (d + 1) / 3.0;
        return c->decoy_rate;
    }
    return 1;
}

/* Every pin of exporter iso3 in hs → effect callback helper. */
static int pin_find(sb *b, const char *exp, const char *imp, uint32_t hs)
{
    int e = ckp__synth_country(b->s, exp), i = ckp__synth_country(b->s, imp);
    int k = ckp__synth_product(b->s, hs);
    for (int q = 0; q < b->s->npins; q++)
        if (b->s->pins[q].exp == e && b->s->pins[q].imp == i && b->s->pins[q].prod == k)
            return q;
    return -1;
}

static void join_codes(char *out, size_t n, const uint32_t *codes, int k)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < k && len + 8 < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%06u", i ? "," : "", (unsigned)codes[i]);
}

/* Who issues the event's measure and whom it targets ("*": every destination). */
static void set_parties(sy_event *e, const char *issuer, const char *target)
{
    snprintf(e->issuer, sizeof e->issuer, "%s", issuer);
    snprintf(e->target, sizeof e->target, "%s", target);
}

static void set_dates(sy_event *e, const char *announced, const char *start, const char *end)
{
    snprintf(e->announced, sizeof e->announced, "%.15s", announced ? announced : "");
    snprintf(e->start, sizeof e->start, "%.15s", start ? start : "");
    snprintf(e->end, sizeof e->end, "%.15s", end ? end : "");
}

/* ---- scenarios as data ----------------------------------------------------
 * A scenario's series are tables of pins, and its events table rows: what
 * an event is, who issues it and whom it targets, its products and dates.
 * What depends on the seed (a magnitude, a description quoting a draw) is
 * written by the scenario after event_of, and the effects it injects are
 * its own. */

/* One pinned series: exporter, importer, HS code and its base (USD per
 * year for pins, tonnes per month for pins_t). */
typedef struct pin_spec {
    const char *exp, *imp;
    uint32_t hs;
    double base;
} pin_spec;

static void pins(sb *b, const pin_spec *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pin(b, p[i].exp, p[i].imp, p[i].hs, p[i].base);
}

static void pins_t(sb *b, const pin_spec *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pin_t(b, p[i].exp, p[i].imp, p[i].hs, p[i].base);
}

/* The pins p left untouched by event e (its "decoy" series: seasonality
 * and noise, no injected change). */
static void untouched(sb *b, int e, const pin_spec *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        effect(b, e, pin_find(b, p[i].exp, p[i].imp, p[i].hs), SY_NONE, 190001, END_OF_TIME);
}

/* The fixed attributes of one ground-truth event (NULL: not set). */
typedef struct ev_spec {
    const char *id, *kind;
    const char *measure;
    const char *issuer, *target; /* target "*": every destination */
    const char *hubs;            /* comma-separated ISO3 */
    const char *products;        /* comma-separated HS6, or NULL for codes */
    const uint32_t *codes;       /* the products as ncodes codes */
    int ncodes;
    const char *announced, *start, *end;
    const char *magnitude;       /* a fixed JSON object (else "{}" or the caller's) */
    const char *description;     /* fixed text (else the caller's) */
} ev_spec;

#define NCODES(a) (int)(sizeof(a) / sizeof(a)[0])

/* Event d of scenario sc: its index in *idx (-1 once an error is set) and
 * the event to finish, or NULL. */
static sy_event *event_of(sb *b, const char *sc, const ev_spec *d, int *idx)
{
    int e = event(b, d->id, d->kind, sc);
    if (idx)
        *idx = e;
    if (e < 0)
        return NULL;
    sy_event *E = ev(b, e);
    E->measure = d->measure;
    if (d->issuer)
        set_parties(E, d->issuer, d->target ? d->target : "");
    if (d->hubs)
        snprintf(E->hubs, sizeof E->hubs, "%s", d->hubs);
    if (d->products)
        snprintf(E->products, sizeof E->products, "%s", d->products);
    else if (d->codes)
        join_codes(E->products, sizeof E->products, d->codes, d->ncodes);
    set_dates(E, d->announced, d->start, d->end);
    if (d->magnitude)
        snprintf(E->magnitude, sizeof E->magnitude, "%s", d->magnitude);
    if (d->description)
        snprintf(E->description, sizeof E->description, "%s", d->description);
    return E;
}

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
    product(b, 261710, 4.5);
    product(b, 811010, 13);
    product(b, 811020, 6);
    product(b, 811090, 16);
    product(b, 282580, 11);
    /* China's exports: the USA, ten other partners, the two hubs */
    pins_t(b, SB_USA, NCODES(SB_USA));
    for (size_t i = 0; i < sizeof partners / sizeof partners[0]; i++) {
        if (t_oxide[i] > 0)
            pin_t(b, "CHN", partners[i], 282580, t_oxide[i]);
        if (t_metal[i] > 0)
            pin_t(b, "CHN", partners[i], 811010, t_metal[i]);
    }
    pins_t(b, SB_HUBS, NCODES(SB_HUBS));
    /* the USA's other suppliers and the hubs' uncontrolled trade: untouched */
    pins_t(b, SB_UNTOUCHED, NCODES(SB_UNTOUCHED));
    static const double ctl_base[4][3] = {{20e6, 40e6, 15e6}, {8e6, 25e6, 5e6},
                                          {15e6, 30e6, 10e6}, {10e6, 60e6, 30e6}};
    for (int p = 0; p < 4; p++)
        for (int c = 0; c < 3; c++)
            pin(b, SB_CTL_PAIR[p][0], SB_CTL_PAIR[p][1], SB_CONTROL[c], ctl_base[p][c]);
    if (b->st)
        return;
    for (int k = 0; k < NSB; k++) {
        reserve(b, "CHN", NULL, SB[k]);
        reserve(b, NULL, "USA", SB[k]);
        reserve(b, "THA", NULL, SB[k]);
        reserve(b, NULL, "THA", SB[k]);
        reserve(b, "MEX", NULL, SB[k]);
        reserve(b, NULL, "MEX", SB[k]);
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
    double aug = U(b, 1.05, 1.3), sep = U(b, 1.5, 2.0), oct = U(b, 0.03, 0.08),
           nov = U(b, 0.15, 0.3), lic = U(b, 0.3, 0.5);
    static const char *const stalled[] = {"USA", "DEU", "NLD", "BEL", "ITA", "FRA", "ESP", "GBR"};
    enum { NSTALLED = sizeof stalled / sizeof stalled[0] };
    int stalled_id[NSTALLED];
    for (int k = 0; k < NSTALLED; k++)
        stalled_id[k] = ckp__synth_country(s, stalled[k]);
    int e1, e2;
    sy_event *E1 = event_of(b, sc, &SB_EVENTS[0], &e1);
    event_of(b, sc, &SB_EVENTS[1], &e2);
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
        scale(b, e1, q, 202408, 202408, aug, 0, 1);
        scale(b, e1, q, 202409, 202409, sep, 0, 1);
        if (stop) {
            scale(b, e1, q, 202410, END_OF_TIME, 0, 0, 1);
        } else {
            scale(b, e1, q, 202410, END_OF_TIME, lic, 0, 1);
            scale(b, e1, q, 202410, 202410, oct / lic, 0, 1);
            scale(b, e1, q, 202411, 202411, nov / lic, 0, 1);
        }
        if (p->imp == usa)
            scale(b, e2, q, 202412, END_OF_TIME, 0, 0, 1);
    }

    /* the rerouting: 3,834 t of oxides reach the USA via Thailand and Mexico
     * between December 2024 and April 2025, and keep coming after */
    static const double profile[5] = {0.12, 0.18, 0.20, 0.24, 0.26};
    double total = 3834, tha = U(b, 0.55, 0.70);
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
    sy_event *E3 = event_of(b, sc, &SB_EVENTS[2], &e3);
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
    add(b, e3, pin_find(b, "THA", "USA", 282580), 202412, leg_tha, 7);
    add(b, e3, pin_find(b, "MEX", "USA", 282580), 202412, leg_mex, 7);
    add(b, e3, pin_find(b, "CHN", "THA", 282580), 202411, in_tha, 8);
    add(b, e3, pin_find(b, "CHN", "MEX", 282580), 202411, in_mex, 8);

    int e4;
    event_of(b, sc, &SB_EVENTS[3], &e4);
    if (b->st)
        return;
    untouched(b, e4, SB_UNTOUCHED, NCODES(SB_UNTOUCHED));
    for (int p = 0; p < 4; p++)
        for (int c = 0; c < 3; c++)
            effect(b, e4, pin_find(b, SB_CTL_PAIR[p][0], SB_CTL_PAIR[p][1], SB_CONTROL[c]),
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
    product(b, 811292, 300);
    product(b, 811299, 1300);
    product(b, 282560, 1100);
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
                pin(b, "CHN", chn[i].to, GA[k], chn[i].m[k] * 1e6);
    for (int k = 0; k < NGA; k++) {
        pin(b, "MYS", "USA", GA[k], 0.1e6);
        pin(b, "MYS", "JPN", GA[k], 0.08e6);
    }
    pins(b, GA_UNTOUCHED, NCODES(GA_UNTOUCHED));
    for (int k = 0; k < NGA; k++) {
        reserve(b, "CHN", NULL, GA[k]);
        reserve(b, "MYS", NULL, GA[k]);
        reserve(b, NULL, "MYS", GA[k]);
    }
}

static void gallium_effects(sb *b)
{
    ckp_synth *s = b->s;
    const char *sc = "gallium-2023";
    int chn = ckp__synth_country(s, "CHN"), usa = ckp__synth_country(s, "USA");
    int jpn = ckp__synth_country(s, "JPN");
    double spike = U(b, 1.8, 2.4), drop = U(b, 0.03, 0.08), rec = U(b, 0.45, 0.65);
    int e1, e2;
    sy_event *E1 = event_of(b, sc, &GA_EVENTS[0], &e1);
    event_of(b, sc, &GA_EVENTS[1], &e2);
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
        scale(b, e1, q, 202307, 202307, spike, 0, 1);
        scale(b, e1, q, 202308, 202309, drop, 0, 1);
        scale(b, e1, q, 202310, END_OF_TIME, rec, 8, drop);
        if (p->imp == usa) {
            scale(b, e2, q, 202412, END_OF_TIME, 0, 0, 1);
            lost_usa[k] = p->base / 12 / 1000 / s->products[p->prod].price; /* t/month */
        }
        if (p->imp == jpn)
            lost_jpn[k] = p->base / 12 / 1000 / s->products[p->prod].price;
    }

    /* rerouting through Malaysia from 2023-11 (China → Malaysia a month ahead) */
    double ru = U(b, 0.3, 0.5), rj = U(b, 0.2, 0.4);
    int e3;
    sy_event *E3 = event_of(b, sc, &GA_EVENTS[2], &e3);
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
        add(b, e3, pin_find(b, "MYS", "USA", GA[k]), 202311, lu, n);
        add(b, e3, pin_find(b, "MYS", "JPN", GA[k]), 202311, lj, n);
        add(b, e3, pin_find(b, "CHN", "MYS", GA[k]), 202310, in, n + 1);
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
    event_of(b, sc, &GA_EVENTS[3], &e4);
    untouched(b, e4, GA_UNTOUCHED, NCODES(GA_UNTOUCHED));
out_free:
    free(lu);
    free(lj);
    free(in);
}

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

static void russia(sb *b)
{
    for (int k = 0; k < NRU; k++)
        product(b, RU[k].hs, RU[k].price);
    for (int e = 0; e < NRUE; e++)
        for (int k = 0; k < NRU; k++) {
            double base = RU[k].base * 1e6 * RU_EXP[e].scale;
            pin(b, RU_EXP[e].iso3, "RUS", RU[k].hs, base);
            for (int h = 0; h < NRUH; h++)
                pin(b, RU_EXP[e].iso3, RU_HUB[h].iso3, RU[k].hs, base * RU_HUB[h].base);
        }
    for (int k = 0; k < NRU; k++) {
        for (int h = 0; h < NRUH; h++)
            pin(b, RU_HUB[h].iso3, "RUS", RU[k].hs, RU[k].base * 1e6 * RU_HUB_RUS);
        pin(b, "CHN", "RUS", RU[k].hs, RU[k].base * 1e6 * RU_CHN);
        reserve(b, NULL, "RUS", RU[k].hs);
        for (int h = 0; h < NRUH; h++)
            reserve(b, RU_HUB[h].iso3, NULL, RU[k].hs);
    }
    /* uncontrolled products (not in the EU list): untouched */
    static const double ctl[3] = {20e6, 30e6, 10e6};
    static const char *const cexp[] = {"DEU", "ITA", "FRA", "POL"};
    for (int c = 0; c < 3; c++) {
        for (int e = 0; e < 4; e++)
            pin(b, cexp[e], "RUS", RU_CONTROL[c], ctl[c] * (1 - 0.2 * e));
        for (int h = 0; h < NRUH; h++)
            pin(b, RU_HUB[h].iso3, "RUS", RU_CONTROL[c], ctl[c] * 0.05);
    }
    for (int c = 0; c < 2; c++)
        for (int h = 0; h < NRUH; h++)
            pin(b, "DEU", RU_HUB[h].iso3, RU_CONTROL[c], ctl[c] * RU_HUB[h].base * 5);
}

static void russia_effects(sb *b)
{
    ckp_synth *s = b->s;
    const char *sc = "russia-roundabout";
    uint32_t codes[NRU];
    for (int k = 0; k < NRU; k++)
        codes[k] = RU[k].hs;
    double drop = U(b, 0.02, 0.06), rho = U(b, 0.25, 0.35), sub = U(b, 2.5, 3.5);
    double split[NRUH], phantom[NRUH], sum = 0;
    for (int h = 0; h < NRUH; h++) {
        split[h] = RU_HUB[h].split * U(b, 0.8, 1.2);
        sum += split[h];
        phantom[h] = RU_HUB[h].phantom_hi > 0 ? U(b, RU_HUB[h].phantom_lo, RU_HUB[h].phantom_hi)
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
        E[i] = event_of(b, sc, &d, &ids[i]);
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
    double s_chip = U(b, 0.86, 0.92), s_tool = U(b, 0.66, 0.74), hubpass = 0;
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
                int to_rus = pin_find(b, RU_EXP[e].iso3, "RUS", RU[k].hs);
                int to_hub = pin_find(b, RU_EXP[e].iso3, RU_HUB[h].iso3, RU[k].hs);
                double lost_t = (1 - drop) * s->pins[to_rus].base / 12 / 1000 / RU[k].price;
                if (h == 0)
                    scale(b, s->pins[to_rus].exp == usa ? e2 : e1, to_rus, 202203, END_OF_TIME,
                          drop, 0, 1);
                for (int m = 0; m < n; m++) {
                    double ramp = m < 6 ? (m + 1) / 6.0 : 1;
                    x[m] = rho * split[h] * lost_t * ramp;
                    hub[m + 1] += x[m] * RU_HUB_PASS * (1 - phantom[h]);
                }
                add(b, e3, to_hub, 202204, x, n);
                if (phantom[h] > 0) {
                    sy_effect *f = effect(b, e4, to_hub, SY_RECORD, 202204, END_OF_TIME);
                    if (f)
                        f->factor = 1 - phantom[h];
                }
            }
            add(b, e3, pin_find(b, RU_HUB[h].iso3, "RUS", RU[k].hs), 202205, hub + 1, n);
        }
        scale(b, e5, pin_find(b, "CHN", "RUS", RU[k].hs), 202204, END_OF_TIME, subk[k], 5, 1);
    }
    static const char *const cexp[] = {"DEU", "ITA", "FRA", "POL"};
    for (int c = 0; c < 3; c++) {
        for (int e = 0; e < 4; e++)
            effect(b, e6, pin_find(b, cexp[e], "RUS", RU_CONTROL[c]), SY_NONE, 190001,
                   END_OF_TIME);
        for (int h = 0; h < NRUH; h++)
            effect(b, e6, pin_find(b, RU_HUB[h].iso3, "RUS", RU_CONTROL[c]), SY_NONE, 190001,
                   END_OF_TIME);
    }
    for (int c = 0; c < 2; c++)
        for (int h = 0; h < NRUH; h++)
            effect(b, e6, pin_find(b, "DEU", RU_HUB[h].iso3, RU_CONTROL[c]), SY_NONE, 190001,
                   END_OF_TIME);
out_free:
    free(x);
    free(hub);
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
    product(b, 854231, 2500);
    product(b, 392690, 4);
    product(b, 610910, 18);
    product(b, 631090, 0.6);
    for (int i = 0; i < NMI; i++) {
        pin(b, MI[i].exp, MI[i].imp, MI[i].hs, MI[i].base);
        if (MI[i].hs_to) {
            product(b, MI[i].hs_to, 0);
            reserve(b, MI[i].exp, MI[i].imp, MI[i].hs_to);
        }
    }
    pins(b, MI_UNTOUCHED, NCODES(MI_UNTOUCHED));
}

static void misinvoicing_effects(sb *b)
{
    ckp_synth *s = b->s;
    const char *sc = "misinvoicing";
    for (int i = 0; i < NMI; i++) {
        char id[64];
        int p = pin_find(b, MI[i].exp, MI[i].imp, MI[i].hs);
        const char *what = MI[i].kind == 'u' ? "under" : MI[i].kind == 'o' ? "over" : "misclass";
        snprintf(id, sizeof id, "misinvoicing/%s-%s-%s-%06u", what, MI[i].exp, MI[i].imp,
                 (unsigned)MI[i].hs);
        int e = event(b, id, "misinvoicing", sc);
        if (b->st || p < 0)
            return;
        sy_event *E = ev(b, e);
        set_parties(E, MI[i].exp, MI[i].imp);
        char f[40], t[40];
        snprintf(f, sizeof f, "%04d-%02d-01", MI[i].from / 100 % 10000, MI[i].from % 100);
        static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int tm = MI[i].to % 100, ty = MI[i].to / 100;
        int last = mdays[tm - 1] + (tm == 2 && ty % 4 == 0 && (ty % 100 != 0 || ty % 400 == 0));
        snprintf(t, sizeof t, "%04d-%02d-%02d", ty % 10000, tm, last);
        set_dates(E, NULL, f, t);
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
            sy_effect *fx = effect(b, e, p, SY_RECODE, MI[i].from, MI[i].to);
            if (fx)
                fx->hs_to = MI[i].hs_to;
            continue;
        }
        double factor = MI[i].kind == 'u' ? U(b, 0.1, 0.3) : U(b, 3, 6);
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
        sy_effect *fx = effect(b, e, p, SY_VALUE, MI[i].from, MI[i].to);
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
    event_of(b, sc, &decoy, &e);
    untouched(b, e, MI_UNTOUCHED, NCODES(MI_UNTOUCHED));
}

/* ---- decoys -------------------------------------------------------------- */

static void decoys(sb *b)
{
    product(b, 282580, 11);
    product(b, 811292, 300);
    pin_t(b, "CHN", "VNM", 282580, 30);
    pin_t(b, "VNM", "USA", 282580, 8);
    pin(b, "CHN", "VNM", 811292, 2e6);
    pin(b, "VNM", "USA", 811292, 0.3e6);
    pin(b, "VNM", "JPN", 811292, 0.2e6);
    pin(b, "CHN", "VNM", 760110, 30e6);
    pin(b, "VNM", "USA", 760110, 20e6);
    static const uint32_t uz[] = {854231, 847150, 845710};
    static const double uzb_base[] = {40e6, 60e6, 50e6};
    static const char *const ex[] = {"DEU", "ITA", "USA"};
    for (int k = 0; k < 3; k++) {
        product(b, uz[k], k == 0 ? 2500 : k == 1 ? 120 : 35);
        for (int e = 0; e < 3; e++)
            pin(b, ex[e], "UZB", uz[k], uzb_base[k] * 0.01 * (e == 0 ? 1 : 0.5));
        pin(b, "UZB", "RUS", uz[k], uzb_base[k] * 0.005);
        reserve(b, "UZB", "RUS", uz[k]);
    }
    pin(b, "DEU", "UZB", 190590, 3e6);
    pin(b, "UZB", "RUS", 190590, 4e6);
    static const uint32_t vn[] = {282580, 811292};
    for (int k = 0; k < 2; k++) {
        reserve(b, "VNM", NULL, vn[k]);
        reserve(b, NULL, "VNM", vn[k]);
    }
}

static void decoys_effects(sb *b)
{
    ckp_synth *s = b->s;
    const char *sc = "decoys";
    int vnm = ckp__synth_country(s, "VNM"), uzb = ckp__synth_country(s, "UZB");
    double g = U(b, 0.18, 0.25), step = U(b, 1.8, 2.5);
    static const ev_spec hubs[2] = {
        {.id = "decoys/vnm-grows-in-everything", .kind = "decoy", .issuer = "CHN",
         .target = "USA", .hubs = "VNM", .products = "282580,811292,760110",
         .start = "2017-01-01"},
        {.id = "decoys/uzb-grows-in-everything", .kind = "decoy", .issuer = "EU",
         .target = "RUS", .hubs = "UZB", .products = "854231,847150,845710,190590",
         .start = "2022-03-01"}};
    int e1, e2;
    sy_event *E1 = event_of(b, sc, &hubs[0], &e1), *E2 = event_of(b, sc, &hubs[1], &e2);
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
            effect(b, e1, q, SY_DECOY, 190001, END_OF_TIME);
        else if (p->exp == uzb || p->imp == uzb)
            effect(b, e2, q, SY_DECOY, 190001, END_OF_TIME);
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
        event_of(b, "world", &world[i], NULL);
}

/* ---- build --------------------------------------------------------------- */

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
    if (sc & CKP_SYNTH_ANTIMONY)
        antimony(&b);
    if (sc & CKP_SYNTH_GALLIUM)
        gallium(&b);
    if (sc & CKP_SYNTH_RUSSIA)
        russia(&b);
    if (sc & CKP_SYNTH_MISINVOICE)
        misinvoicing(&b);
    if (sc & CKP_SYNTH_DECOYS)
        decoys(&b);
    if (b.st)
        return b.st;
    /* effects: each scenario draws its magnitudes from its own stream so that
     * adding a scenario does not change another's numbers */
    b.draws = 1000;
    if (sc & CKP_SYNTH_ANTIMONY)
        antimony_effects(&b);
    b.draws = 2000;
    if (sc & CKP_SYNTH_GALLIUM)
        gallium_effects(&b);
    b.draws = 3000;
    if (sc & CKP_SYNTH_RUSSIA)
        russia_effects(&b);
    b.draws = 4000;
    if (sc & CKP_SYNTH_MISINVOICE)
        misinvoicing_effects(&b);
    b.draws = 5000;
    if (sc & CKP_SYNTH_DECOYS)
        decoys_effects(&b);
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
        reserve(&b, s->countries[p->exp].c->iso3, s->countries[p->imp].c->iso3,
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

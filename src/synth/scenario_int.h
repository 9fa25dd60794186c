/* scenario_int.h — what the scenario files share: the builder's state and
 * its calls (scenario_build.c), the tables a scenario is written as
 * (pin_spec, ev_spec), and the scenarios kept in files of their own.
 *   scenario_build.c   the builder
 *   scenario.c         antimony-2024, gallium-2023, misinvoicing, decoys,
 *                      the world's own events, and the build in order
 *   scenario_russia.c  russia-roundabout */
#ifndef CHOKEPOINT_SCENARIO_INT_H
#define CHOKEPOINT_SCENARIO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "synth/synth_int.h"

#define END_OF_TIME 209912 /* an open-ended effect runs to the last month */

/* The builder's state: errors stick, so a sequence of calls checks once. */
typedef struct sb {
    ckp_synth *s;
    ckp_error *err;
    ckp_status st;
    uint64_t draws; /* counter for seeded draws */
} sb;

/* One pinned series: exporter, importer, HS code and its base (USD per
 * year for pins, tonnes per month for pins_t). */
typedef struct pin_spec {
    const char *exp, *imp;
    uint32_t hs;
    double base;
} pin_spec;

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

/* ---- the builder (scenario_build.c) ---- */

/* A seeded draw, uniform in [lo, hi) (the scenario's stream: b->draws). */
double ckp__sb_U(sb *b, double lo, double hi);

/* Country id of iso3; -1 with b->st set when the reference data lacks it. */
int ckp__sb_country(sb *b, const char *iso3);

/* The product hs (added when new) with its price in USD/kg (0: keep). */
int ckp__sb_product(sb *b, uint32_t hs, double price);

/* The pin exp → imp in hs (created or found).  base: USD per year. */
int ckp__sb_pin(sb *b, const char *exp, const char *imp, uint32_t hs, double base);

/* A pin given in tonnes per month (its value follows from the price). */
int ckp__sb_pin_t(sb *b, const char *exp, const char *imp, uint32_t hs, double t_month);

/* A new event of a scenario (its magnitude "{}"); -1 once an error is set. */
int ckp__sb_event(sb *b, const char *id, const char *kind, const char *scenario);

/* Event e, or NULL for -1. */
sy_event *ckp__sb_ev(sb *b, int e);

/* A new effect of event evn on pin p over months from..to (NULL on an
 * error or a missing pin). */
sy_effect *ckp__sb_effect(sb *b, int evn, int p, sy_effkind kind, int32_t from, int32_t to);

/* Scale pin p by factor over from..to, reached over ramp months from factor0. */
void ckp__sb_scale(sb *b, int evn, int p, int32_t from, int32_t to, double factor, int ramp,
                  double factor0);

/* Tonnes per month added over from..from+n-1. */
void ckp__sb_add(sb *b, int evn, int p, int32_t from, const double *t, int n);

/* Keep the background out of exp × imp in hs (NULL: any country). */
void ckp__sb_reserve(sb *b, const char *exp, const char *imp, uint32_t hs);

/* The pin exp → imp in hs, or -1. */
int ckp__sb_pin_find(sb *b, const char *exp, const char *imp, uint32_t hs);

/* k HS codes as "282580,811292" into out (n bytes). */
void ckp__sb_join_codes(char *out, size_t n, const uint32_t *codes, int k);

/* Who issues the event's measure and whom it targets ("*": every destination). */
void ckp__sb_set_parties(sy_event *e, const char *issuer, const char *target);

/* The event's dates ("YYYY-MM-DD"; NULL: none). */
void ckp__sb_set_dates(sy_event *e, const char *announced, const char *start, const char *end);

/* Pin every series of a table (base in USD per year; pins_t: tonnes per month). */
void ckp__sb_pins(sb *b, const pin_spec *p, size_t n);

void ckp__sb_pins_t(sb *b, const pin_spec *p, size_t n);

/* The pins p left untouched by event e (its "decoy" series: seasonality
 * and noise, no injected change). */
void ckp__sb_untouched(sb *b, int e, const pin_spec *p, size_t n);

/* Event d of scenario sc: its index in *idx (-1 once an error is set) and
 * the event to finish, or NULL. */
sy_event *ckp__sb_event_of(sb *b, const char *sc, const ev_spec *d, int *idx);

/* russia-roundabout (scenario_russia.c): its pins, then its events and
 * effects (after every scenario has made its pins). */
void ckp__scenario_russia(sb *b);
void ckp__scenario_russia_effects(sb *b);

#endif

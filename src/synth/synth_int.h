/* synth_int.h — what the files of the synthetic world (src/synth/) share:
 * the world's layout, the random-number helpers, and the scenario tables
 * (pinned links, effects, truth events).  Not a public header.
 *
 * Months are absolute indexes: month 0 = 1990-01 (sy_month()), so a value
 * drawn for a link and month does not depend on the range asked for. */
#ifndef CHOKEPOINT_SYNTH_INT_H
#define CHOKEPOINT_SYNTH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/ref.h"
#include "chokepoint/synth.h"

/* Limits: past these the parameters are refused, never a crash. */
#define SY_MAX_COUNTRIES 400
#define SY_MAX_PRODUCTS 8000
#define SY_MAX_PINS 4096
#define SY_MAX_EFFECTS 8192
#define SY_MAX_EVENTS 64
#define SY_MAX_ROWS ((uint64_t)2000000000)          /* --rows */
#define SY_MAX_GROUP_CELLS ((size_t)64 << 20)        /* link-months in one group */
#define SY_MAX_IMPORTER_LINKS ((size_t)64 << 20)     /* links of one importer */
#define SY_EPOCH_YEAR 1990

static inline int sy_month(int32_t yyyymm)
{
    return (int)((yyyymm / 100 - SY_EPOCH_YEAR) * 12 + (yyyymm % 100) - 1);
}
static inline int32_t sy_period(int month)
{
    return (int32_t)((SY_EPOCH_YEAR + month / 12) * 100 + month % 12 + 1);
}

/* ---- random numbers: counter-based, so every draw is a pure function ---- */

static inline uint64_t sy_mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static inline uint64_t sy_hash(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    return sy_mix(sy_mix(sy_mix(sy_mix(a) ^ b) ^ c) ^ d);
}
/* A splitmix64 stream. */
typedef struct sy_rng {
    uint64_t s;
} sy_rng;
static inline uint64_t sy_next(sy_rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    uint64_t z = r->s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static inline double sy_u01(uint64_t x) { return (double)(x >> 11) * 0x1.0p-53; }

/* exp(x) to about 1e-9 relative, in plain arithmetic: the noise terms need
 * no more, and libm's exp was a third of the generator's time. */
static inline double sy_exp(double x)
{
    if (x < -700)
        x = -700;
    if (x > 700)
        x = 700;
    double t = x * 1.4426950408889634; /* log2(e) */
    double k = (double)(long long)(t + (t >= 0 ? 0.5 : -0.5));
    double y = (t - k) * 0.6931471805599453;
    double p = 1 + y * (1 + y * (0.5 + y * (1.0 / 6 + y * (1.0 / 24 + y * (1.0 / 120 +
               y * (1.0 / 720 + y * (1.0 / 5040 + y * (1.0 / 40320))))))));
    union {
        double d;
        uint64_t u;
    } b;
    b.u = (uint64_t)((long long)k + 1023) << 52;
    return p * b.d;
}

/* ---- the world ---------------------------------------------------------- */

typedef struct sy_country {
    int ref_id;
    const ckp_country *c;
    double size;        /* GDP-like weight, USD bn */
    double pos[3];      /* a point on the unit sphere (the geography) */
    double rep_sigma;   /* the country's reporting noise (log scale) */
    int report_from;    /* first month it reports (INT32_MAX: never) */
    int report_to;      /* last month it reports */
    int imp_fob;        /* also reports the FOB value of its imports */
    /* decoy growth (scenario "decoys"): all its trade × decoy_factor(month) */
    int decoy;          /* 0 none, 1 steady growth, 2 step */
    double decoy_rate;  /* 1: yearly growth rate; 2: step factor */
    int decoy_month;    /* 2: first month of the step */
    char *csv_name;     /* the English name, CSV-quoted when needed */
    char baci_code[8];  /* the BACI and Comtrade codes as text */
    char comtrade_code[8];
    double size06, size05; /* (size/50)^0.6 and ^0.5, for link values */
} sy_country;

/* What a pair of countries shares: gravity friction and the CIF/FOB base. */
typedef struct sy_pair {
    float inv_dist;   /* 1 / (0.3 + great-circle distance) */
    float margin0;    /* 0.02 + 0.09 (d/π)^0.7 */
} sy_pair;

typedef struct sy_product {
    uint32_t hs;
    double price;     /* median USD per kg */
    double weight;    /* share of trade (sums to 1 over products) */
    double season_amp, season_phase;
    double wpow;      /* (weight · nproducts)^0.4, for link values */
    int reserved;     /* some sy_reserve names this code */
    char *csv_desc;   /* description, CSV-quoted when needed */
} sy_product;

/* A pinned link: a series the scenarios define and always write. */
typedef struct sy_pin {
    int exp, imp;     /* world country indexes */
    int prod;         /* product index */
    double base;      /* USD per year at 2017-01 prices and volumes */
    double sigma;     /* monthly log noise */
    double trend;     /* yearly growth */
    int first_eff;    /* effects of this pin: eff_of[first_eff .. +neff) */
    int neff;
} sy_pin;

typedef enum sy_effkind {
    SY_SCALE,   /* the flow × factor over [from,to], reached after `ramp` months */
    SY_ADD,     /* tonnes added per month (add[]), both sides report them */
    SY_RECORD,  /* the importer records only `factor` of the flow (phantom) */
    SY_VALUE,   /* one side's reported value × factor (mis-invoicing) */
    SY_RECODE,  /* the importer declares the flow under hs_to (misclassification) */
    SY_NONE,    /* untouched: listed in the truth, nothing injected */
    SY_DECOY    /* listed in the truth: a decoy country's growth touches it */
} sy_effkind;

typedef struct sy_effect {
    int event;        /* truth event index */
    int pin;
    sy_effkind kind;
    int side;         /* 'X' or 'M' for SY_VALUE; 0 otherwise */
    int from, to;     /* absolute months, inclusive */
    int ramp;         /* SY_SCALE: months from factor0 to factor (0 = a step) */
    double factor0;   /* SY_SCALE: level the ramp starts from (usually 1) */
    double factor;
    double *add;      /* SY_ADD: tonnes per month from..to (owned) */
    uint32_t hs_to;   /* SY_RECODE: declared code */
} sy_effect;

typedef struct sy_event {
    char id[64];
    const char *kind;      /* ban, licence, diversion, phantom, misinvoicing,
                              substitution, decoy */
    const char *scenario;
    const char *measure;   /* NULL when none */
    char issuer[8];
    char target[64];       /* ISO3 list, "*" = every destination */
    char hubs[64];         /* comma-separated ISO3, "" none */
    char products[256];    /* comma-separated HS6 */
    char start[16], end[16], announced[16]; /* "YYYY-MM-DD" or "" */
    char magnitude[768];   /* a JSON object */
    char description[512];
} sy_event;


struct ckp_synth {
    const ckp_ref *ref;
    ckp_synth_params p;
    int m0, m1;               /* absolute months generated, inclusive */
    int y0, y1;               /* annual: years written */
    double znorm[4096];       /* normal quantiles for cheap variates */

    sy_country *countries;
    int ncountries;
    sy_pair *pairs;           /* ncountries × ncountries, [exporter][importer] */
    sy_product *products;
    int nproducts;
    int *prod_by_code;        /* 1,000,000 entries: hs → product index or -1 */

    /* scenarios */
    sy_pin *pins;
    int npins;
    sy_effect *effects;
    int neffects;
    int *eff_of;              /* effect indexes grouped by pin */
    sy_event *events;
    int nevents;
    uint64_t *reserves;       /* sorted reserve keys (scenario.c) */
    int nreserves;
    size_t capreserves;       /* allocated reserves */
    int *pin_order;           /* pins sorted by (imp, hs, exp) */

    /* background sizing */
    double lambda_scale;      /* expected links per importer-product weight */
    double *imp_share;        /* per importer: share of links */
    /* per importer alias tables over exporters (gravity weights) */
    double *alias_p;          /* ncountries × ncountries */
    int *alias_i;
};

/* scenario.c */
ckp_status ckp__synth_build_scenarios(ckp_synth *s, ckp_error *err);
int ckp__synth_country(const ckp_synth *s, const char *iso3);
int ckp__synth_product(const ckp_synth *s, uint32_t hs);
/* The product index of hs, added to the world when the nomenclature lacks
 * it; -1 when out of room. */
int ckp__synth_product_add(ckp_synth *s, uint32_t hs);
/* The per-month multiplier of a decoy country (1 when not a decoy). */
double ckp__synth_decoy_factor(const sy_country *c, int month);
/* 1 when background sampling must not create exp → imp in hs. */
int ckp__synth_reserved(const ckp_synth *s, int exp, int imp, uint32_t hs);
ckp_status ckp__synth_truth(ckp_synth *s, FILE *out, uint64_t *events, ckp_error *err);

#endif

/* analysis.h — trade analytics over the flow store: dependency,
 * concentration, chokepoints, alternatives, surge, production.
 *
 * Every analysis is a library verb (verb.h): the CLI, the HTTP API and the
 * report run them through the ckp_verb tables declared below.  This header
 * also exposes the pieces other modules reuse (the robust statistics of
 * `surge`, the USGS production tables, the HHI) so nothing is computed twice.
 *
 * Conventions shared by the verbs (docs/analytics.md):
 *  - shares are fractions 0–1; the HHI is on the 0–10,000 scale
 *    (Σ (100·share)²);
 *  - aggregate partners (World, "Areas, nes", regions, bunkers…) are skipped;
 *  - when one flow is reported both annually and monthly, the annual row is
 *    used for that year; rows repeated by several sources count once;
 *  - "mirror": when the importer does not report imports for a year, its
 *    partners' exports to it stand in, raised by a CIF/FOB margin.
 *
 * Life cycles: ckp_production_load() → … → ckp_production_free();
 * ckp_production_from_env() is owned by the env (its env slot). */
#ifndef CHOKEPOINT_ANALYSIS_H
#define CHOKEPOINT_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"
#include "chokepoint/ref.h"
#include "chokepoint/store.h"
#include "chokepoint/verb.h"

/* The verbs (registered in src/verb/verbs.c). */
extern const ckp_verb ckp_verb_dependency;
extern const ckp_verb ckp_verb_chokepoints;
extern const ckp_verb ckp_verb_concentration;
extern const ckp_verb ckp_verb_alternatives;
extern const ckp_verb ckp_verb_surge;
extern const ckp_verb ckp_verb_production;

/* Default CIF/FOB margin used when it cannot be estimated from pairs of
 * reports (imports CIF ≈ exports FOB × (1 + margin)). */
#define CKP_CIF_FOB_DEFAULT 0.06

/* HHI (0–10,000) of n non-negative values; 0 when their sum is 0. */
double ckp_hhi(const double *values, size_t n);

/* ---- robust statistics (surge) ----------------------------------------- */

/* Median of n values (NaN skipped; NaN when none).  scratch (n doubles) is
 * overwritten; values are not. */
double ckp_median(const double *values, size_t n, double *scratch);
/* Median absolute deviation from the median, scaled by 1.4826 so that it
 * estimates the standard deviation of normal data. NaN when < 2 values. */
double ckp_mad(const double *values, size_t n, double *scratch);

/* One point of a surge series (see the `surge` verb). */
typedef struct ckp_surge_point {
    int32_t period;   /* YYYYMM or YYYY00 */
    double value;     /* USD; 0 for a missing month inside the series */
    double qty;       /* NaN when missing */
    int missing;      /* 1 when no row was reported for the period */
    double baseline;  /* seasonal baseline (NaN when not enough history) */
    double change;    /* value / baseline - 1 (NaN when undefined) */
    double mom;       /* vs the previous period */
    double yoy;       /* vs the same period a year earlier */
    double zscore;    /* robust z of log(value) against the baseline */
    double shift;     /* robust level-shift statistic at this period */
    int flag;         /* CKP_SURGE_* */
} ckp_surge_point;

enum {
    CKP_SURGE_NONE = 0,
    CKP_SURGE_SHIFT_UP,   /* a level shift up starts here */
    CKP_SURGE_SHIFT_DOWN, /* a level shift down starts here */
    CKP_SURGE_SPIKE,      /* one-off high against the baseline */
    CKP_SURGE_DIP         /* one-off low against the baseline */
};
const char *ckp_surge_flag_name(int flag);

typedef struct ckp_surge_opts {
    int window;          /* level-shift test: windows of up to 2 × window
                            months each side for monthly data (6 → 12) */
    double shift_z;      /* level-shift threshold (robust z; 5) */
    double spike_z;      /* spike threshold (robust z; 4) */
    double min_shift;    /* minimum |log ratio| of a level shift (0.4 ≈ ×1.5) */
    int32_t event;       /* a known event's period (YYYYMM or YYYY00), 0 = none:
                            a shift starting there (or, monthly, the month
                            after: a ramp) is also tested on its own, with
                            threshold event_z — one test at a date fixed in
                            advance, not a scan over every month */
    double event_z;      /* threshold of that one test (robust z; 3) */
} ckp_surge_opts;
void ckp_surge_opts_init(ckp_surge_opts *o);

/* Fill baseline, change, mom, yoy, zscore, shift and flag of pts[0..n-1]
 * (periods ascending, consecutive: monthly with missing months filled in as
 * value 0 and missing = 1, or annual).  Pure function of the values. */
void ckp_surge_analyze(ckp_surge_point *pts, size_t n, const ckp_surge_opts *o);

/* ---- USGS production tables ------------------------------------------- */

typedef struct ckp_production ckp_production;

typedef struct ckp_prod_row {
    const char *commodity; /* "gallium" */
    const char *type;      /* "Primary production" */
    const char *unit;      /* "t" or "kg" */
    int year;              /* 2022 */
    int country;           /* ref id; -1 for aggregates / unknown names */
    const char *name;      /* as written, footnote markers removed */
    int is_world;          /* the "World total" row */
    int is_other;          /* "Other countries" */
    double value;          /* NaN when NA or W */
    int withheld;          /* 1 for "W" */
    const char *edition;   /* "MCS2024" */
    const char *file;      /* for messages */
    long line;
} ckp_prod_row;

/* Load data/production/usgs-mcs/<edition>/mcs<year>-<code>_world.csv and the HS ⇄
 * commodity table data/production/hs_commodity.csv.  Unparseable cells and
 * unknown country names are counted with file:line (reject API below). */
ckp_status ckp_production_load(const ckp_ref *ref, const char *datadir,
                               ckp_production **out, ckp_error *err);
void ckp_production_free(ckp_production *p);
ckp_status ckp_production_from_env(ckp_env *env, const ckp_production **out,
                                   ckp_error *err);

int ckp_production_count(const ckp_production *p);
const ckp_prod_row *ckp_production_at(const ckp_production *p, int i);
long ckp_production_reject_count(const ckp_production *p);
const ckp_error *ckp_production_reject_at(const ckp_production *p, int i);

/* Commodities matching an HS argument: a commodity name or alias
 * ("gallium", "rare-earths"), else those whose HS codes meet `set`.  Fills up
 * to max names (static strings owned by p); returns how many. */
int ckp_production_commodities(const ckp_production *p, const char *arg,
                               const ckp_hsset *set, const char **names, int max);

#endif

/* evasion.h — evasion detection: rerouting through third countries
 * (diversion hubs), exporter-vs-importer gaps and phantom flows (mirror), and
 * unit-value outliers (mis-invoicing, misclassification).
 *
 * Each analysis is an accumulator fed with ckp_flow rows, so it runs the same
 * on a store scan, on a shard, or on a hand-built array in a unit test:
 *
 *   ckp_div_new(spec)    → ckp_div_add(row)…    → ckp_div_finish()    → ckp_div_free()
 *   ckp_mirror_new(spec) → ckp_mirror_add(row)… → ckp_mirror_finish() → ckp_mirror_free()
 *   ckp_uv_new(spec)     → ckp_uv_add(row)…     → ckp_uv_finish()     → ckp_uv_free()
 *
 * The *_run() functions do the store scan themselves.  Results live in the
 * accumulator and are freed with it.  Methods, thresholds and fallbacks are
 * documented in docs/evasion.md.
 *
 * The verbs (ckp_verb_diversion, ckp_verb_mirror, ckp_verb_unitvalue) wrap
 * these for the CLI, the HTTP API and the report.  ckp_hubs_from_env() ranks
 * hubs for every measure of the register once per env (its env slot)
 * for the screening rule on risky routes. */
#ifndef CHOKEPOINT_EVASION_H
#define CHOKEPOINT_EVASION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "chokepoint/error.h"
#include "chokepoint/ref.h"
#include "chokepoint/store.h"
#include "chokepoint/verb.h"

/* ---- robust statistics ------------------------------------------------- */

/* Median of x[0..n-1]; x is reordered.  NaN when n == 0. */
double ckp_ev_median(double *x, size_t n);

/* Median and robust scale (1.4826 × median absolute deviation) of x, which
 * is not modified; scratch holds ≥ n doubles.  When the MAD is 0 (more than
 * half the values equal) the scale falls back to 1.2533 × mean absolute
 * deviation, then to `floor`.  Returns 0, or -1 when n == 0. */
int ckp_ev_robust(const double *x, size_t n, double floor, double *median, double *scale,
                  double *scratch);

/* ---- diversion ---------------------------------------------------------- */

/* What to look for: goods P from issuers A to targets C, controlled from
 * `date`.  Arrays are not copied: they must outlive the accumulator. */
typedef struct ckp_div_spec {
    const int *issuers;        /* country ids of A (≥ 1) */
    int nissuers;
    const int *targets;        /* country ids of C; ntargets 0 = every
                                  destination (no B→C leg to look at) */
    int ntargets;
    const ckp_hsset *hs;       /* controlled products P */
    const ckp_hsset *control;  /* control products; NULL = automatic: the
                                  other codes of P's HS chapters, falling back
                                  per hub to every other product */
    const ckp_hsset *exclude;  /* never a control (codes controlled by other
                                  measures); may be NULL */
    int32_t date;              /* the measure's start, days since 1970-01-01 */
    int freq;                  /* 'M' monthly or 'A' annual rows */
    int before, after;         /* window lengths in periods (0 = default:
                                  12/12 months, 3/2 years) */
    /* Production of P by a country (tonnes), NaN when unknown; NULL when no
     * production tables are available. */
    double (*production)(void *ctx, int country, const ckp_hsset *hs);
    void *production_ctx;
    const char *production_label; /* "gallium, germanium" (for explanations) */
    const char *production_na;    /* when production is NULL: why ("no
                                     production tables"); NULL = say nothing */
} ckp_div_spec;

/* One leg of the route (A→B, B→C or A→C), per-period means in USD. */
typedef struct ckp_div_leg {
    double before, after;          /* controlled products P */
    double ctl_before, ctl_after;  /* control products */
    int ctl_kind;                  /* 1 same HS chapters, 2 every other product,
                                      3 the user's --control set, 0 none thick
                                      enough (growth not adjusted) */
    int seen;                      /* 1 when some report covers this leg in
                                      both windows */
    int side;                      /* 'X' exporters' reports, 'M' importers'
                                      reports (mirror), 'B' both, 0 unseen */
    int onset;                     /* periods after the date until the leg
                                      first doubled its before-level; -1 none */
} ckp_div_leg;

typedef struct ckp_div_hub {
    int hub;                       /* country id of B */
    ckp_div_leg ab, bc;
    double growth_ab, growth_bc;   /* after / before for P (NaN when before = 0) */
    double growth_ctl_ab, growth_ctl_bc, growth_ctl; /* the same for controls */
    double did_ab, did_bc;         /* log growth of P minus log growth of controls,
                                      with a volume-scaled pseudo-count */
    double absorbed;               /* USD a period plausibly routed via B */
    double share;                  /* absorbed / max(Σ absorbed, fall of A→C) */
    double imports_after;          /* B's imports of P from everyone, a period */
    double reexport_ratio;         /* B→C after / B's imports of P after (NaN) */
    double production;             /* tonnes of P B produces; NaN unknown */
    double lag;                    /* onset(B→C) - onset(A→B), periods; NaN */
    double score;
    int rank;                      /* 1-based */
    int synthetic;                 /* 1 when any row used came from a synthetic source */
} ckp_div_hub;

typedef struct ckp_div ckp_div;

/* ncountries = ckp_ref_country_count(); aggregate[c] (may be NULL) = 1 for
 * ids that are never hubs (World, regions).  *out freed by ckp_div_free(). */
ckp_status ckp_div_new(const ckp_div_spec *spec, int ncountries, const unsigned char *aggregate,
                       ckp_div **out, ckp_error *err);
void ckp_div_free(ckp_div *d);
/* The period range a scan must cover (before window start … after end). */
void ckp_div_range(const ckp_div *d, int32_t *from, int32_t *to);
/* Feed one row (any product: control products are needed too).  Rows of the
 * other frequency or outside the range are ignored. */
void ckp_div_add(ckp_div *d, const ckp_flow *row, int synthetic);
/* The store sources of the rows ckp_div_add counted, as a verb.h
 * ckp_source_bit mask (bit 63 stands for 63 and above). */
uint64_t ckp_div_sources(const ckp_div *d);
/* Score and rank.  After this: */
ckp_status ckp_div_finish(ckp_div *d, ckp_error *err);
size_t ckp_div_count(const ckp_div *d);
const ckp_div_hub *ckp_div_at(const ckp_div *d, size_t i); /* rank i+1 */
/* The direct leg A→C (before/after, side). */
const ckp_div_leg *ckp_div_direct(const ckp_div *d);
/* Periods with data in each window. */
void ckp_div_periods(const ckp_div *d, int *before, int *after);
/* The before/after windows as periods (first/last of each). */
void ckp_div_windows(const ckp_div *d, int32_t *b0, int32_t *b1, int32_t *a0, int32_t *a1);

/* A sentence a reader can check: "Thailand: imports of 282580 from China ×14
 * after 2024-12-03 (…), exports of 282580 to United States ×9; uncontrolled
 * products ×1.1; Thailand produces none."  hs_text names P ("282580",
 * "antimony").  Returns buf. */
char *ckp_div_explain(const ckp_div *d, const ckp_div_hub *h, const ckp_ref *ref,
                      const char *hs_text, char *buf, size_t n);

/* Scan the store: frequency chosen automatically when spec->freq is 0
 * (monthly when the issuers' or targets' P rows exist monthly, else annual).
 * *out freed by ckp_div_free(). */
ckp_status ckp_div_run(const ckp_store *store, const ckp_ref *ref, const ckp_div_spec *spec,
                       ckp_div **out, ckp_error *err);

/* ---- mirror statistics --------------------------------------------------- */

typedef enum ckp_mirror_flag {
    CKP_MIRROR_OK = 0,
    CKP_MIRROR_GAP,            /* both report: a break from the pair's usual gap, or a
                                  gap beyond CIF/FOB year after year (gap_kind) */
    CKP_MIRROR_PHANTOM_EXPORT, /* exported, never recorded as imported */
    CKP_MIRROR_PHANTOM_IMPORT, /* recorded as imported, never as exported */
    CKP_MIRROR_NO_REPORT       /* the other side reports nothing that period */
} ckp_mirror_flag;

/* What kind of gap a CKP_MIRROR_GAP row is (ckp_mirror_row.gap_kind). */
typedef enum ckp_mirror_gap_kind {
    CKP_GAP_NONE = 0,
    CKP_GAP_PERSISTENT, /* beyond what CIF/FOB explains, in most of the pair's
                           periods of this product (year after year) */
    CKP_GAP_NEW         /* a break from the pair's usual gap */
} ckp_mirror_gap_kind;

typedef enum ckp_ciffob_source {
    CKP_CIFFOB_REPORTED = 1, /* the importer reported CIF and FOB for this flow */
    CKP_CIFFOB_ESTIMATED,    /* the importer's one margin (margin.h), estimated
                                from its pairs of reports in the products asked */
    CKP_CIFFOB_DEFAULT       /* 1.06: too few pairs of reports to estimate from */
} ckp_ciffob_source;

typedef struct ckp_mirror_spec {
    const ckp_hsset *hs;  /* products to report (rows of other products only
                             feed the CIF/FOB and reliability estimates) */
    int reporter;         /* -1 any */
    int partner;          /* -1 any */
    int32_t from, to;     /* periods (ckp_period_covers); 0 = open */
    double min_value;     /* ignore flows below this (USD) on both sides */
    const unsigned char *aggregate; /* aggregate[c] = 1: never a country (World…);
                                       may be NULL */
} ckp_mirror_spec;

typedef struct ckp_mirror_row {
    int reporter, partner;
    int flow;                 /* 'M': reporter is the importer; 'X' the exporter */
    uint32_t hs;
    int32_t period;
    double reported_value;    /* the reporter's figure (0 when none) */
    double mirror_value;      /* the partner's figure for the same flow */
    double reported_qty, mirror_qty; /* NaN when missing */
    double ratio;             /* reported / mirror; NaN when mirror is 0 */
    double cif_fob;           /* estimated CIF/FOB factor for the pair/product */
    int cif_fob_source;       /* ckp_ciffob_source */
    double gap;               /* reported − mirror, both on a FOB basis, USD */
    double log_gap;           /* ln(import/(export·cif_fob)); NaN for phantoms */
    double usual;             /* the pair's usual log_gap in this product */
    double gap_z;             /* (log_gap − usual) / robust scale; NaN */
    double reliability;       /* 0..1: how well the reporter's reports agree
                                 with its partners' (1 = always) */
    double partner_reliability;
    int flag;                 /* ckp_mirror_flag */
    int gap_kind;             /* ckp_mirror_gap_kind (CKP_GAP_NONE unless flag is
                                 CKP_MIRROR_GAP) */
    int matched_n;            /* the pair's periods of this product (of this
                                 row's frequency) with both reports */
    int beyond_n;             /* how many of them sit beyond CIF/FOB (|log gap|
                                 >= ln 1.35) on the pair's usual side */
    int beyond_side;          /* that side: +1 importer's figure higher, -1 lower */
    int synthetic;
    uint64_t sources;         /* store sources of the two reports (verb.h's
                                 ckp_source_bit mask) */
} ckp_mirror_row;

typedef struct ckp_mirror ckp_mirror;

ckp_status ckp_mirror_new(const ckp_mirror_spec *spec, int ncountries, ckp_mirror **out,
                          ckp_error *err);
void ckp_mirror_free(ckp_mirror *m);
/* Rows must arrive grouped by HS code (the store's scan order); rows of
 * every product are welcome (they calibrate reliability; those of the
 * products asked, of every period, the importers' CIF/FOB margins).
 * CKP_ELIMIT when one HS code holds more than 50 million flows. */
ckp_status ckp_mirror_add(ckp_mirror *m, const ckp_flow *row, int synthetic, ckp_error *err);
/* Rank: phantom flows first (by value), then the rest by |gap|. */
ckp_status ckp_mirror_finish(ckp_mirror *m, ckp_error *err);
size_t ckp_mirror_count(const ckp_mirror *m);
const ckp_mirror_row *ckp_mirror_at(const ckp_mirror *m, size_t i);
/* A country's reliability (0..1) and how many matched flows it rests on. */
double ckp_mirror_reliability(const ckp_mirror *m, int country, long *nflows);
/* After finish: the importer's one CIF/FOB margin in the products asked
 * (margin.h: 0.06 = 6 %), and how it was had in how (may be NULL). */
double ckp_mirror_margin(const ckp_mirror *m, int importer, char *how, size_t howlen);
const char *ckp_mirror_flag_name(int flag);
const char *ckp_mirror_gap_kind_name(int kind); /* "persistent", "new", "" */
const char *ckp_ciffob_source_name(int src);

ckp_status ckp_mirror_run(const ckp_store *store, const ckp_mirror_spec *spec,
                          int ncountries, ckp_mirror **out, ckp_error *err);

/* ---- unit values ---------------------------------------------------------- */

typedef enum ckp_uv_flag {
    CKP_UV_OK = 0,
    CKP_UV_UNDER,     /* far below the product's distribution: under-invoicing */
    CKP_UV_OVER,      /* far above: over-invoicing */
    CKP_UV_MISCLASS,  /* the partner reports the same shipment under another code */
    CKP_UV_BELOW_MARKET, /* below, and so are the exporter's other flows */
    CKP_UV_NO_QTY,    /* quantity 0 or missing: no unit value */
    CKP_UV_FEW        /* fewer than 5 comparable flows: no distribution */
} ckp_uv_flag;

typedef struct ckp_uv_spec {
    const ckp_hsset *hs;      /* products to report */
    const ckp_hsset *compare; /* other codes scanned for the partner's side of a
                                 misclassified shipment; NULL = the other
                                 codes of P's HS4 headings */
    int reporter, partner;    /* -1 any */
    int32_t from, to;
    double threshold;         /* |robust z| for an outlier (0 = 3.5) */
    double min_value;         /* flows below this (USD) are not listed (they
                                 still count among the peers); 0 = none */
    int all;                  /* 1 = report every flow, not only outliers */
} ckp_uv_spec;

typedef struct ckp_uv_row {
    int reporter, partner, flow;
    uint32_t hs;
    int32_t period;
    double value, qty;
    int unit;
    double unit_value;        /* value / qty; NaN when qty is 0 or missing */
    double median;            /* median unit value of (hs, unit, year) */
    double robust_z;          /* (ln uv − ln median) / robust scale */
    double pair_z;            /* the same against the flow's own history (its
                                 other periods), net of the product's common
                                 move that period; NaN with < 6 periods */
    int flag;                 /* ckp_uv_flag */
    uint32_t likely_hs;       /* misclassification: the code it fits; 0 */
    int n;                    /* flows in the distribution */
    int synthetic;
} ckp_uv_row;

typedef struct ckp_uv ckp_uv;

ckp_status ckp_uv_new(const ckp_uv_spec *spec, ckp_uv **out, ckp_error *err);
void ckp_uv_free(ckp_uv *u);
/* The HS set the scan must cover (P plus comparison codes); owned by u. */
const ckp_hsset *ckp_uv_scan_set(const ckp_uv *u);
/* CKP_ELIMIT past 50 million rows. */
ckp_status ckp_uv_add(ckp_uv *u, const ckp_flow *row, int synthetic, ckp_error *err);
/* Outliers ranked by |robust z| (or every flow with spec->all). */
ckp_status ckp_uv_finish(ckp_uv *u, ckp_error *err);
size_t ckp_uv_count(const ckp_uv *u);
/* The store sources of every flow compared (the rows' distributions as well
 * as the rows): a verb.h ckp_source_bit mask. */
uint64_t ckp_uv_sources(const ckp_uv *u);
const ckp_uv_row *ckp_uv_at(const ckp_uv *u, size_t i);
/* Rows without a unit value (qty 0 or missing) among P's flows. */
long ckp_uv_no_qty(const ckp_uv *u);
/* P's flows with a unit value left out of the list for spec->min_value. */
long ckp_uv_below_min(const ckp_uv *u);
const char *ckp_uv_flag_name(int flag);

ckp_status ckp_uv_run(const ckp_store *store, const ckp_uv_spec *spec, ckp_uv **out,
                      ckp_error *err);

/* ---- hubs for every measure (screening's route rule, the report) -------- */

typedef struct ckp_hub_entry {
    const char *measure;  /* measure id (owned by the register) */
    uint32_t hs;          /* one 6-digit code of the measure */
    int hub;              /* country id */
    int destination;      /* country id, or -1 for every destination */
    double score;
    int rank;             /* the hub's rank for that measure */
} ckp_hub_entry;

typedef struct ckp_hubs ckp_hubs;

/* Rank hubs for every measure of the register (top `top` hubs with a score
 * ≥ min_score each).  Measures whose window has no data are skipped. */
struct ckp_measures;
ckp_status ckp_hubs_compute(const ckp_store *store, const ckp_ref *ref,
                            const struct ckp_measures *ms, int top, double min_score,
                            ckp_hubs **out, ckp_error *err);
/* The ranking that screening uses by default: the top CKP_HUBS_TOP hubs of
 * each measure with a score of at least CKP_HUBS_MIN_SCORE. */
#define CKP_HUBS_TOP 5
#define CKP_HUBS_MIN_SCORE 0.005
/* ckp_hubs_compute(store, ref, ms, CKP_HUBS_TOP, CKP_HUBS_MIN_SCORE), kept
 * beside the store generation (hubs-KEY.bin; the key covers the generation,
 * the sources selected and the register) and read from there while they
 * stay the same; *from_cache (may be NULL) says which.  *out is freed with
 * ckp_hubs_free(). */
ckp_status ckp_hubs_for_store(const ckp_store *store, const ckp_ref *ref,
                              const struct ckp_measures *ms, ckp_hubs **out, int *from_cache,
                              ckp_error *err);
/* ckp_hubs_for_store() once per env (its env slot) with the shipped
 * register and the env's store; the env owns it. */
ckp_status ckp_hubs_from_env(ckp_env *env, const ckp_hubs **out, ckp_error *err);
/* Read a hubs CSV as written by `diversion --all-measures --format csv`
 * (columns documented in docs/evasion.md). */
ckp_status ckp_hubs_load_csv(const char *path, const ckp_ref *ref, ckp_hubs **out,
                             ckp_error *err);
void ckp_hubs_free(ckp_hubs *h);
size_t ckp_hubs_count(const ckp_hubs *h);
const ckp_hub_entry *ckp_hubs_at(const ckp_hubs *h, size_t i);
/* The best entry for goods hs6 going through hub to destination (any
 * destination when destination is -1), or NULL. */
const ckp_hub_entry *ckp_hubs_find(const ckp_hubs *h, uint32_t hs6, int hub, int destination);

/* ---- verbs ------------------------------------------------------------- */

extern const ckp_verb ckp_verb_diversion;
extern const ckp_verb ckp_verb_mirror;
extern const ckp_verb ckp_verb_unitvalue;

#endif

/* analysis_int.h — what the analysis verbs share: a streaming collector over
 * the store's columns that turns rows into per-pair, per-period values
 * (exporter → importer, reported by one side), and small helpers.
 *
 * The collector reads ckp_store_scan_cols blocks (one HS code × edition at a
 * time, rows sorted by reporter, partner, flow, period) and keeps O(periods)
 * state: no analysis copies the store into the heap. */
#ifndef CHOKEPOINT_ANALYSIS_INT_H
#define CHOKEPOINT_ANALYSIS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/analysis.h"
#include "chokepoint/flows.h"
#include "chokepoint/output.h"
#include "chokepoint/verb.h"

/* One exporter → importer value for one period key, as reported by one side. */
typedef struct ckp__pairval {
    uint32_t hs;     /* product key of the block (HS6); with levels, the
                        asked key the value answers for (ckp_hs_key) */
    int exporter;    /* store country index */
    int importer;    /* store country index */
    int32_t key;     /* YYYY00 (annual keys) or YYYYMM (monthly keys) */
    int side;        /* 'X' reported by the exporter, 'M' by the importer */
    double value;
    double qty;      /* NaN when any contributing row lacked a quantity */
    int level;       /* ckp_hs_key_level(hs): 0 TOTAL, 2, 4, 6 */
    int from_detail; /* 1: summed from rows finer than `level` (no reported
                        row at that level); 0: the reported row itself */
    double detail;   /* when a reported aggregate answered and finer rows
                        exist too: their sum (which the aggregate is
                        preferred to, docs/analytics.md); else NaN */
    uint64_t sources; /* the store sources of the rows summed (ckp_source_bit
                         mask); 0 when replayed from partials */
} ckp__pairval;

typedef struct ckp__collect {
    ckp_env *env;          /* the verb's env: the rows come from its flows
                              (flows.h) — the flow source set on it (a
                              shard's partial writer, merged partials) or
                              the store; NULL = the store */
    const ckp_store *store;
    const ckp_ref *ref;
    const ckp_hsset *hs;   /* NULL = every product */
    int reporter;          /* ref id: only rows reported by it (-1 any) */
    int partner;           /* ref id: only rows with this partner (-1 any) */
    int32_t from, to;      /* period bounds as ckp_period_covers (0 open) */
    int monthly;           /* 1: keys are months (annual rows keep YYYY00);
                              0: keys are years (annual row preferred over
                              the sum of months) */
    int want_x, want_m;    /* flows to read */
    int levels;            /* 1: answer at the levels hs asks for (TOTAL, a
                              chapter, a heading: ckp_hsset_asks_levels):
                              their reported rows are read too and every
                              (exporter, importer, side, period) cell is
                              resolved so that an aggregate is never added
                              to its own detail (docs/analytics.md,
                              "Levels"); 0: HS6 rows only */
    /* Called per block before its rows (may be NULL). */
    void (*block)(uint32_t hs, void *ctx);
    void (*emit)(const ckp__pairval *pv, void *ctx);
    void *ctx;
    ckp_answer *answer;    /* the answer every value emitted feeds
                              (ckp_verb_answer of the verb's writer): their
                              store sources are recorded there.  NULL for a
                              verb that picks among the values and records
                              the sources of those it uses itself
                              (ckp__pairval.sources) */
} ckp__collect;

/* Run the collector.  Aggregate countries on either side are skipped.
 * Country indexes in ckp__pairval are store indexes (ISO3 order) or, when
 * merging, indexes of the merged partials (ISO3 order too): turn them into
 * ref ids with ckp__country(). */
ckp_status ckp__collect_run(const ckp__collect *c, ckp_error *err);

/* What a verb asks of the data besides the collector, answered by the env's
 * flows (flows.h: the store after ckp_env_store, or the flow source set on
 * the env): country indexes, periods, "does reporter report". */
static inline int ckp__ncountries(const ckp_env *env) { return ckp_flows_ncountries(env); }
/* → ref id, -1 */
static inline int ckp__country(const ckp_env *env, int index)
{
    return ckp_flows_country(env, index);
}
static inline int ckp__nperiods(const ckp_env *env) { return ckp_flows_nperiods(env); }
/* ascending */
static inline int32_t ckp__period(const ckp_env *env, int i) { return ckp_flows_period(env, i); }
/* As ckp_store_reporter_has (flow 'X', 'M' or 0 = either). */
static inline int ckp__has(const ckp_env *env, int reporter, int flow, int32_t from, int32_t to)
{
    return ckp_flows_has(env, reporter, flow, from, to);
}

/* 1 when env's verb runs on a shard writing its partial records (merge.c):
 * the collector hands the verb no rows then. */
int ckp__partial_writing(const ckp_env *env);

/* Both reports of each exporter → importer flow per year over an HS set:
 * x = exporter's report (NaN when none), m = importer's (NaN when none). */
typedef struct ckp__pair {
    int32_t year;
    int exporter, importer; /* store country indexes */
    double x, m;
    int lev_x, lev_m;       /* ckp__levels_of the values of x and m */
} ckp__pair;

typedef struct ckp__pairs {
    ckp__pair *v;
    size_t n, cap;
    int failed;
} ckp__pairs;

/* Collect (sorted by year, exporter, importer); free with ckp__pairs_free. */
ckp_status ckp__pairs_collect(ckp_env *env, const ckp_store *store, const ckp_ref *ref, const ckp_hsset *hs,
                              int32_t from, int32_t to, ckp_answer *answer, ckp__pairs *out,
                              ckp_error *err);
void ckp__pairs_free(ckp__pairs *p);
/* The value of a pair seen from one side ('X' exporter, 'M' importer): the
 * side's own report when present, else the other side's adjusted by the
 * CIF/FOB margin; *mirror set to 1 when the other side was used. */
double ckp__pair_value(const ckp__pair *p, int side, double margin, int *mirror);
/* The levels of the value ckp__pair_value gives for side (mirror as it set). */
int ckp__pair_levels(const ckp__pair *p, int side, int mirror);

/* Store country index → ref id / aggregate flag, for every index. */
typedef struct ckp__countries {
    int n;
    int *ref_id;
    unsigned char *aggregate;
} ckp__countries;
ckp_status ckp__countries_init(ckp__countries *cs, const ckp_store *store, const ckp_ref *ref,
                               ckp_error *err);
void ckp__countries_free(ckp__countries *cs);

/* English name of a ref id, or the ISO3. */
const char *ckp__name(const ckp_ref *ref, int id);

/* 1 when `reporter` (ref id) reports flow ('M' imports) in year y. */
int ckp__reports(const ckp_env *env, int reporter, int flow, int year);

/* "811292" or the user's HS argument joined: the label used in rows. */
void ckp__hs_label(const ckp_args *args, char *buf, size_t n);

/* The levels a figure was answered at, as a bit mask (bit level/2: TOTAL
 * 1, HS2 2, HS4 4, HS6 8), and whether any part of it was summed from finer
 * rows: the `level` and `from_detail` columns of analysis rows. */
#define CKP__LEVEL_BIT(level) (1u << ((level) / 2))
/* "HS2", or "HS2+HS4" for a figure over several levels. */
void ckp__level_cell(ckp_writer *w, unsigned levels);
/* true / false (a JSON boolean in JSON, the word in CSV and tables). */
void ckp__bool_cell(ckp_writer *w, int v);
/* A figure's levels as one int: CKP__LEVEL_BIT of each part, | 
 * CKP__LEVEL_DETAIL when any part was summed from finer rows (0 = no
 * value).  ckp__levels_cells writes its `level` and `from_detail` cells
 * (both null for 0). */
#define CKP__LEVEL_DETAIL 16
int ckp__levels_of(const ckp__pairval *pv);
void ckp__levels_cells(ckp_writer *w, int lev);

/* Write a period key as text. */
void ckp__period_cell(ckp_writer *w, int32_t key);

/* Fill summary with a formatted line (NULL-safe). */
void ckp__summary(char *summary, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

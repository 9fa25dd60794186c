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
#include "chokepoint/output.h"
#include "chokepoint/verb.h"

/* One exporter → importer value for one period key, as reported by one side. */
typedef struct ckp__pairval {
    uint32_t hs;     /* HS6 of the block */
    int exporter;    /* store country index */
    int importer;    /* store country index */
    int32_t key;     /* YYYY00 (annual keys) or YYYYMM (monthly keys) */
    int side;        /* 'X' reported by the exporter, 'M' by the importer */
    double value;
    double qty;      /* NaN when any contributing row lacked a quantity */
    uint64_t sources; /* the store sources of the rows summed (ckp_source_bit
                         mask); 0 when replayed from partials */
} ckp__pairval;

typedef struct ckp__collect {
    ckp_env *env;          /* the verb's env: with env->partial set the
                              collector writes partial records (--partial)
                              or replays summed partials (merge) instead of
                              calling emit with the store's rows; NULL =
                              the store */
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

/* What a verb asks of the data besides the collector, answered by the
 * store (env->store, after ckp_env_store) or by merged partials
 * (env->partial): country indexes, periods, "does reporter report". */
int ckp__ncountries(const ckp_env *env);
int ckp__country(const ckp_env *env, int index);       /* → ref id, -1 */
int ckp__nperiods(const ckp_env *env);
int32_t ckp__period(const ckp_env *env, int i);        /* ascending */
/* As ckp_store_reporter_has (flow 'X', 'M' or 0 = either). */
int ckp__has(const ckp_env *env, int reporter, int flow, int32_t from, int32_t to);

/* Partials (merge.c): write the collector's rows as partial records, or
 * replay merged partials through c->emit. */
ckp_status ckp__partial_collect(const ckp__collect *c, ckp_error *err);
int ckp__partial_writing(const ckp_env *env);

/* Both reports of each exporter → importer flow per year over an HS set:
 * x = exporter's report (NaN when none), m = importer's (NaN when none). */
typedef struct ckp__pair {
    int32_t year;
    int exporter, importer; /* store country indexes */
    double x, m;
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

/* Store country index → ref id / aggregate flag, for every index. */
typedef struct ckp__countries {
    int n;
    int *ref_id;
    unsigned char *aggregate;
} ckp__countries;
ckp_status ckp__countries_init(ckp__countries *cs, const ckp_store *store, const ckp_ref *ref,
                               ckp_error *err);
void ckp__countries_free(ckp__countries *cs);

/* ISO3 of a ref id ("" when out of range). */
const char *ckp__iso3(const ckp_ref *ref, int id);
/* English name of a ref id, or the ISO3. */
const char *ckp__name(const ckp_ref *ref, int id);

/* 1 when `reporter` (ref id) reports flow ('M' imports) in year y. */
int ckp__reports(const ckp_env *env, int reporter, int flow, int year);

/* "811292" or the user's HS argument joined: the label used in rows. */
void ckp__hs_label(const ckp_args *args, char *buf, size_t n);

/* Write a period key as text. */
void ckp__period_cell(ckp_writer *w, int32_t key);

/* Fill summary with a formatted line (NULL-safe). */
void ckp__summary(char *summary, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

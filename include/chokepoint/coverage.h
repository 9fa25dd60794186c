/* coverage.h — what an answer rests on, and how much of the relevant trade
 * the store can see (docs/analytics.md, "Coverage").
 *
 * Computed once, here, for every analysis row: the verb writer's tail
 * (src/verb/verbs.c) reads each row's keys (importer, reporter, partner, hs,
 * period, side, source…) and asks ckp_coverage_row(); verbs that word a
 * summary ask ckp_coverage_of() so that the sentence never claims more than
 * the coverage allows.  The denominator never comes from the store's own
 * contents: it is the importer's own World total where the store holds one,
 * else the economies listed as UN Comtrade reporters for the year
 * (data/ref/reporters/reporters.csv, an upper bound: see its PROVENANCE).
 *
 * Life cycle: ckp_coverage_ctx_new() → ckp_coverage_row()… →
 * ckp_coverage_ctx_free(); ckp_coverage_of() needs no context. */
#ifndef CHOKEPOINT_COVERAGE_H
#define CHOKEPOINT_COVERAGE_H

#include <stdint.h>

#include "chokepoint/output.h"
#include "chokepoint/verb.h"

/* Below this share of the relevant trade an answer is "thin": its summary
 * sentence says whose flows it describes instead of a share of the world or
 * of a country's imports. */
#define CKP_COVERAGE_THIN 0.5

typedef enum ckp_cov_kind {
    CKP_COV_NONE = 0, /* not a trade figure (USGS production) */
    CKP_COV_IMPORTER, /* one importer's imports: dependency, chokepoints */
    CKP_COV_WORLD,    /* all trade in a product: concentration, alternatives,
                         unitvalue */
    CKP_COV_PARTIES   /* the reports of named parties: surge (the reporter),
                         mirror (both sides), diversion (issuer, hub, target) */
} ckp_cov_kind;

#define CKP_COV_MAX_PARTIES 3

typedef struct ckp_cov_scope {
    ckp_cov_kind kind;
    const ckp_hsset *hs;    /* the product(s); not owned */
    int32_t period;         /* YYYYMM, or YYYY00 for a year */
    int importer;           /* CKP_COV_IMPORTER: ckp_ref id */
    int mirror;             /* CKP_COV_IMPORTER: 1 partners' export reports,
                               0 the importer's own, -1 decide (own when held) */
    int parties[CKP_COV_MAX_PARTIES]; /* CKP_COV_PARTIES: ckp_ref ids */
    int nparties;
    const char *what;       /* CKP_COV_WORLD: "exports", "imports" or "trade" */
} ckp_cov_scope;

typedef struct ckp_coverage {
    double share;           /* 0–1; NaN when it cannot be said */
    int thin;               /* share < CKP_COVERAGE_THIN */
    int mirror;             /* rests on partners' reports */
    int nreporters;         /* reporters the answer rests on */
    int nlisted;            /* listed economies for the year; 0 when a held
                               total was the denominator */
    char reporters[160];    /* "CHN and USA", "CHN, USA, DEU and 4 others" */
    char note[512];         /* the coverage_note: basis, reporters, denominator */
} ckp_coverage;

/* Coverage of one scope.  CKP_OK with out filled; an error when the
 * reporter list cannot be read (file:line) or the store cannot be scanned. */
ckp_status ckp_coverage_of(ckp_env *env, const ckp_cov_scope *scope, ckp_coverage *out,
                           ckp_error *err);

/* "Of the flows reported by CHN and USA (thin: …), " — the opening a summary
 * sentence takes instead of a share of the world or of an importer's imports
 * when cov is thin; "" otherwise.  Returns buf. */
char *ckp_coverage_lead(const ckp_coverage *cov, char *buf, size_t n);

/* ---- per row, for the verb writer ------------------------------------------ */

typedef struct ckp_coverage_ctx ckp_coverage_ctx;

/* A context for the rows of one verb's answer (verb: its name); NULL when
 * out of memory.  env must outlive it. */
ckp_coverage_ctx *ckp_coverage_ctx_new(ckp_env *env, const char *verb);
void ckp_coverage_ctx_free(ckp_coverage_ctx *ctx);

/* Coverage of the row w is writing (its own cells, read by column name):
 * 1 and *out filled, or 0 when the row has no coverage (a verb that reads no
 * flows, a partial being merged, a row without a period) with out->note
 * saying why.  Results are cached per scope. */
int ckp_coverage_row(ckp_coverage_ctx *ctx, const ckp_writer *w, ckp_coverage *out);

/* Why the coverage could not be computed (reporter list, store), NULL when
 * it could: the caller fails the answer with it. */
const char *ckp_coverage_failed(const ckp_coverage_ctx *ctx);

/* The thinnest coverage of the rows seen so far (for the line under a
 * table); 0 when no row had one. */
int ckp_coverage_weakest(const ckp_coverage_ctx *ctx, ckp_coverage *out);

#endif

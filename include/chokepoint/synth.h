/* synth.h — a synthetic world of trade flows with known injected events.
 *
 * The world: the real countries of the reference data (no aggregates) with
 * gravity-like bilateral trade (GDP-like size × distance friction over a
 * pseudo-random geography fixed per seed) across every HS2022 subheading,
 * with trends, monthly seasonality and noise.  Each flow is reported by both
 * sides — the exporter's FOB export and the importer's CIF import, with a
 * CIF/FOB margin that varies by pair and product, reporting noise, and some
 * partner/product misattribution — except by the countries that do not
 * report (Russia from 2022, a few small countries always).
 *
 * Scenarios inject known events (an export ban, licensing, rerouting through
 * hubs, phantom flows, mis-invoicing, decoys) into pinned series whose
 * ground truth ckp_synth_write_truth() writes as JSON Lines; docs/synth.md
 * gives the schema.  Everything is a pure function of the parameters and the
 * reference data: the same seed and options give byte-identical output.
 *
 * Output is streamed: memory is bounded by the largest importer's set of
 * trade links, never by the row count.
 *
 * Life cycle: ckp_synth_params_init() → ckp_synth_open() →
 * ckp_synth_write_rows() / ckp_synth_each_row() / ckp_synth_write_truth()
 * (any number of times, in any order) → ckp_synth_free(). */
#ifndef CHOKEPOINT_SYNTH_H
#define CHOKEPOINT_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "chokepoint/error.h"
#include "chokepoint/ref.h"
#include "chokepoint/store.h"

/* Scenarios, as bits of ckp_synth_params.scenarios. */
enum {
    CKP_SYNTH_ANTIMONY = 1u << 0,  /* "antimony-2024" */
    CKP_SYNTH_GALLIUM = 1u << 1,   /* "gallium-2023" */
    CKP_SYNTH_RUSSIA = 1u << 2,    /* "russia-roundabout" */
    CKP_SYNTH_MISINVOICE = 1u << 3, /* "misinvoicing" */
    CKP_SYNTH_DECOYS = 1u << 4,    /* "decoys" */
    CKP_SYNTH_ALL = (1u << 5) - 1  /* "all" */
};

typedef enum ckp_synth_format {
    CKP_SYNTH_FLOWS = 0, /* period,reporter,partner,flow,hs,value,qty,unit */
    CKP_SYNTH_BACI,      /* t,i,j,k,v,q (annual, thousand USD, tonnes) */
    CKP_SYNTH_COMTRADE   /* UN Comtrade API/bulk CSV columns */
} ckp_synth_format;

typedef struct ckp_synth_params {
    uint64_t seed;           /* default 1 */
    uint64_t rows;           /* target number of data rows, about; default
                                1,000,000.  The scenarios' own series are
                                always written, so a small target yields at
                                least those (see docs/synth.md). */
    unsigned scenarios;      /* CKP_SYNTH_* bits; default CKP_SYNTH_ALL */
    ckp_synth_format format; /* default CKP_SYNTH_FLOWS */
    int32_t from, to;        /* YYYYMM, inclusive; default 201701..202506 */
    int annual;              /* 1 = calendar years (complete years within
                                from..to only); BACI is always annual */
} ckp_synth_params;

typedef struct ckp_synth_stats {
    uint64_t rows;   /* data rows written (header excluded) */
    uint64_t links;  /* exporter × importer × product links generated */
    uint64_t pinned; /* of which the scenarios' pinned links */
    uint64_t bytes;  /* bytes written, header included */
    uint64_t events; /* truth events (ckp_synth_write_truth) */
} ckp_synth_stats;

typedef struct ckp_synth ckp_synth;

void ckp_synth_params_init(ckp_synth_params *p);

/* "antimony-2024,misinvoicing", "all", "none" → bits; CKP_EINVAL naming the
 * unknown scenario. */
ckp_status ckp_synth_scenarios_parse(const char *arg, unsigned *bits, ckp_error *err);

/* The name of one scenario bit ("antimony-2024"), or NULL. */
const char *ckp_synth_scenario_name(unsigned bit);

/* "flows", "baci", "comtrade" → *out; CKP_EINVAL otherwise. */
ckp_status ckp_synth_format_parse(const char *s, ckp_synth_format *out);

/* Build the world for these parameters (countries, products, geography,
 * scenarios).  ref must outlive the handle.  CKP_EINVAL for bad parameters
 * (empty period range, annual with no complete year…), CKP_ENOTFOUND when
 * the reference data lacks a country a scenario needs.  Free with
 * ckp_synth_free(). */
ckp_status ckp_synth_open(const ckp_ref *ref, const ckp_synth_params *p,
                          ckp_synth **out, ckp_error *err);
void ckp_synth_free(ckp_synth *s);

/* The parameters the world was built with (defaults resolved). */
const ckp_synth_params *ckp_synth_get_params(const ckp_synth *s);

/* Called once per data row, in output order; return nonzero to stop.
 * row->reporter / partner are ckp_ref country ids; value is USD (FOB for
 * exports, CIF for imports), value_alt the FOB value of an import where the
 * reporter gives both (else NaN), qty kg (NaN when not reported), unit
 * CKP_UNIT_KG, hs_edition CKP_HS2022, source 0.  With the BACI format the
 * rows are the exporter's annual flows (flow 'X'), one per link and year. */
typedef int (*ckp_synth_row_fn)(const ckp_flow *row, void *ctx);

/* Generate every row and pass it to fn.  stats may be NULL. */
ckp_status ckp_synth_each_row(ckp_synth *s, ckp_synth_row_fn fn, void *ctx,
                              ckp_synth_stats *stats, ckp_error *err);

/* Write every row in the chosen format, header first.  CKP_EIO when the
 * stream fails.  stats may be NULL. */
ckp_status ckp_synth_write_rows(ckp_synth *s, FILE *out, ckp_synth_stats *stats,
                                ckp_error *err);

/* Write the ground truth: one JSON object per event per line (schema in
 * docs/synth.md).  stats may be NULL (only .events is set). */
ckp_status ckp_synth_write_truth(ckp_synth *s, FILE *out, ckp_synth_stats *stats,
                                 ckp_error *err);

#endif

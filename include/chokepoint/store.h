/* store.h — the flow store: trade flows on disk, columnar, memory-mapped,
 * checksummed, published atomically.
 *
 * One logical row is a ckp_flow: period × reporter × partner × flow × HS6 →
 * value (USD), the other valuation where reported (CIF or FOB), quantity,
 * unit and source.  The physical format is in docs/store.md.
 *
 * Readers: ckp_store_open() → ckp_store_scan()… → ckp_store_close().  A store
 * opened for reading never changes underneath its reader: an ingest writes a
 * new generation beside it and renames it into place.
 * Writers: ckp_store_writer_begin() → ckp_store_writer_add()… →
 * ckp_store_writer_commit() (or _abort()).  Commit merges with the current
 * store (a row with the same key and source replaces the old one, so ingesting
 * a file twice does not double it) and publishes the result atomically.
 * Country fields are ckp_ref country ids; the store itself keeps ISO3 codes.
 * A ckp_store may be scanned by several threads at once (it is read-only).
 * Full scans: ckp_store_scan_cols() hands out the columns per product block.
 * Duplicate keys within one writer are dropped (first kept) and reported
 * through ckp_store_writer_on_duplicate().
 */
#ifndef CHOKEPOINT_STORE_H
#define CHOKEPOINT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"
#include "chokepoint/ref.h"

typedef enum ckp_flowdir {
    CKP_FLOW_EXPORT = 'X',
    CKP_FLOW_IMPORT = 'M',
    CKP_FLOW_REEXPORT = 'x', /* re-export */
    CKP_FLOW_REIMPORT = 'm'  /* re-import */
} ckp_flowdir;

typedef enum ckp_unit {
    CKP_UNIT_NONE = 0, CKP_UNIT_KG, CKP_UNIT_NUMBER, CKP_UNIT_LITRE,
    CKP_UNIT_M2, CKP_UNIT_M3, CKP_UNIT_PAIR, CKP_UNIT_CARAT, CKP_UNIT_OTHER
} ckp_unit;

typedef struct ckp_flow {
    int32_t period;      /* YYYYMM, or YYYY00 for annual data */
    int reporter;        /* ckp_ref country id of the reporting country */
    int partner;         /* ckp_ref country id of the partner */
    int flow;            /* ckp_flowdir */
    uint32_t hs;         /* product key (ckp_hs_key): a 6-digit HS code as
                            an integer, or an aggregate (TOTAL, HS2, HS4) */
    int hs_edition;      /* ckp_hs_edition the code is written in */
    double value;        /* USD: FOB for exports, CIF for imports (the
                            reporter's primary value) */
    double value_alt;    /* the other valuation (CIF for exports, FOB for
                            imports) when reported, else NaN */
    double qty;          /* net weight in kg where known, else the quantity
                            in `unit`; NaN when missing */
    int unit;            /* ckp_unit of qty */
    int source;          /* index into the store's source table */
} ckp_flow;

typedef struct ckp_store ckp_store;

/* Resolve the store directory: dir if non-NULL, else $CHOKEPOINT_STORE, else
 * "./chokepoint.store".  Returns dir or a static string. */
const char *ckp_store_dir(const char *dir);

/* Open the current generation for reading; checks every column's checksum
 * (CKP_ECORRUPT naming the file when one fails, CKP_ENOTFOUND when there is
 * no store).  ref must outlive the store. */
ckp_status ckp_store_open(const char *dir, const ckp_ref *ref, ckp_store **out,
                          ckp_error *err);
void ckp_store_close(ckp_store *store);

typedef struct ckp_query {
    int32_t period_from; /* inclusive; 0 = unbounded */
    int32_t period_to;   /* inclusive; 0 = unbounded */
    int freq;            /* 0 any, 'A' annual rows only, 'M' monthly only */
    int reporter;        /* country id, -1 any */
    int partner;         /* country id, -1 any */
    int flow;            /* ckp_flowdir, 0 any */
    const ckp_hsset *hs; /* NULL = every product */
    int levels;          /* 0: HS6 rows only (aggregate rows are never
                            seen); 1: also the aggregate rows (TOTAL, HS2,
                            HS4) that hs asks for (ckp_hsset_has_key), or
                            every one when hs is NULL — the caller must not
                            add an aggregate to its own detail */
    int source;          /* source index, -1 any */
} ckp_query;

/* A query matching everything. */
void ckp_query_init(ckp_query *q);

/* Called for each matching row; return nonzero to stop the scan. */
typedef int (*ckp_flow_fn)(const ckp_flow *row, void *ctx);

/* Visit every row matching q.  Reads only the parts of the store the query
 * needs (see docs/store.md for the order and indexes).  Row order: by HS code,
 * then reporter, partner, flow, period. */
ckp_status ckp_store_scan(const ckp_store *store, const ckp_query *q,
                          ckp_flow_fn fn, void *ctx, ckp_error *err);

typedef struct ckp_store_info {
    uint64_t rows;
    int periods;         /* distinct periods */
    int32_t period_min, period_max;
    int reporters, partners, products, sources;
    uint64_t bytes;      /* on disk, all files of the generation */
    uint64_t generation;
} ckp_store_info;

ckp_status ckp_store_get_info(const ckp_store *store, ckp_store_info *info);

/* The generation currently published in dir (ckp_store_dir rules), 0 when
 * there is none: compare with ckp_store_info.generation to know whether a
 * long-lived reader (the server) should reopen the store. */
uint64_t ckp_store_current_generation(const char *dir);

/* 1 when reporter has any row with the given flow (0 = any flow) in
 * [period_from, period_to] (0 = unbounded) in the selected sources
 * (ckp_store_select_sources): "does Russia report imports for 2023?".
 * Answered from a small index, not a scan.  (A store written before
 * 2026-11-22 has one index for all sources and answers for all of them
 * until its next ingest.) */
int ckp_store_reporter_has(const ckp_store *store, int reporter, int flow,
                           int32_t period_from, int32_t period_to);

int ckp_store_source_count(const ckp_store *store);

/* The directory of the generation this handle reads.  A reader may keep a
 * cache derived from the generation there (the mirror's calibration); it is
 * removed with the generation.  The column files are never to be touched. */
const char *ckp_store_generation_dir(const ckp_store *store);

/* The reference data the store was opened with. */
const ckp_ref *ckp_store_ref(const ckp_store *store);

/* Which sources the scans of this handle see.  spec: "auto" (or NULL) = the
 * real sources when the store has any, else all; "real"; "synthetic"; "all";
 * or source names, comma-separated (combinations allowed).  A selection that
 * holds both real and synthetic sources is CKP_EUSAGE naming them (a
 * synthetic figure is never added to a real one; "all" only on a store of
 * one kind).  ckp_store_scan
 * skips unselected rows; ckp_store_scan_cols hands out every row, so column
 * scanners must test ckp_store_source_selected() on cols->source[i].  A
 * store opens with every source selected.  CKP_EUSAGE for an unknown name. */
ckp_status ckp_store_select_sources(ckp_store *store, const char *spec, ckp_error *err);
int ckp_store_source_selected(const ckp_store *store, int source);
/* 1 when at least one source is not synthetic. */
int ckp_store_has_real_source(const ckp_store *store);
const char *ckp_store_source_name(const ckp_store *store, int source);
/* The currency the source's values were converted from to USD at monthly
 * average rates when it was ingested ("EUR" for Eurostat Comext), "" when
 * its values were in USD. */
const char *ckp_store_source_currency(const ckp_store *store, int source);
/* 1 when the source is synthetic (its rows must be labelled as such). */
int ckp_store_source_synthetic(const ckp_store *store, int source);
/* Where the source came from, when it was recorded (`fetch comtrade`: the
 * query, the calls and the time of fetch), else NULL.  Owned by the store. */
const char *ckp_store_source_provenance(const ckp_store *store, int source);

/* ---- column access, for full scans ------------------------------------
 * ckp_store_scan builds one ckp_flow per row; a scan of every row is faster
 * through the columns themselves.  ckp_store_scan_cols calls fn once per
 * product (HS code × edition) block — narrowed to q->hs and q->reporter when
 * given (the other filters of q are NOT applied: the caller filters) — with
 * pointers straight into the memory-mapped columns (valid until
 * ckp_store_close).  Countries and periods in columns are store indexes:
 * ckp_store_country_id() and ckp_store_period() turn them into ckp_ref ids
 * and YYYYMM periods. */
typedef struct ckp_store_cols {
    uint32_t hs;              /* product key of every row of the block (HS6
                                 unless q->levels: ckp_hs_key_level) */
    int hs_edition;           /* ckp_hs_edition (0 unknown) */
    uint64_t first_row;       /* row number of element 0 */
    size_t n;                 /* rows in the block */
    const uint16_t *reporter; /* store country index */
    const uint16_t *partner;  /* store country index */
    const uint16_t *period;   /* store period index (ascending with the period) */
    const uint8_t *flags;     /* CKP_STORE_FLOW(), CKP_STORE_UNIT(), CKP_STORE_HAS_ALT() */
    const uint8_t *source;    /* source index */
    const double *value;      /* USD */
    const float *qty;         /* NaN = missing; float32 (7 significant digits) */
} ckp_store_cols;

#define CKP_STORE_FLOW(flags) ("XMxm"[(flags) & 3u]) /* ckp_flowdir */
#define CKP_STORE_UNIT(flags) (((flags) >> 2) & 15u) /* ckp_unit */
#define CKP_STORE_HAS_ALT(flags) (((flags) >> 6) & 1u)

typedef int (*ckp_cols_fn)(const ckp_store_cols *cols, void *ctx);

ckp_status ckp_store_scan_cols(const ckp_store *store, const ckp_query *q,
                               ckp_cols_fn fn, void *ctx, ckp_error *err);

/* Store country index → ckp_ref id; count of store countries. */
int ckp_store_country_count(const ckp_store *store);
int ckp_store_country_id(const ckp_store *store, int index);
/* ckp_ref id → store country index, -1 when the store has no row with it. */
int ckp_store_country_index(const ckp_store *store, int ref_id);
/* Store period index → YYYYMM / YYYY00; count of store periods. */
int ckp_store_period_count(const ckp_store *store);
int32_t ckp_store_period(const ckp_store *store, int index);
/* value_alt of one row (NaN when not reported), by row number. */
double ckp_store_value_alt(const ckp_store *store, uint64_t row);

/* ---- checking and repairing (chokepoint store verify | recover) --------- */

typedef enum ckp_store_current {
    CKP_CURRENT_OK = 0,  /* CURRENT names a generation */
    CKP_CURRENT_MISSING, /* no CURRENT file */
    CKP_CURRENT_DAMAGED  /* empty, unreadable, or not "gen-N" */
} ckp_store_current;

typedef struct ckp_store_gen_check {
    uint64_t generation;
    int intact;          /* 1 when its manifest and every file verify, byte by byte */
    uint64_t rows;       /* when intact */
    char problem[600];   /* when not: what failed, naming the file */
} ckp_store_gen_check;

typedef struct ckp_store_check {
    ckp_store_current current_state;
    char current_problem[200]; /* CKP_CURRENT_DAMAGED: what is wrong with it */
    uint64_t current;          /* the generation CURRENT names (CKP_CURRENT_OK) */
    int current_intact;        /* 1 when that generation is present and intact */
    size_t ngens;
    ckp_store_gen_check *gens; /* every gen-N directory, ascending; owned */
} ckp_store_check;

/* Check every generation of the store in dir (ckp_store_dir rules) byte by
 * byte, ignoring the .verified stamps, and what CURRENT says.  Waits for a
 * running ingest (shared lock).  CKP_ENOTFOUND when dir holds no store at
 * all.  Free *out with ckp_store_check_free. */
ckp_status ckp_store_verify(const char *dir, const ckp_ref *ref, ckp_store_check *out,
                            ckp_error *err);
void ckp_store_check_free(ckp_store_check *c);

typedef struct ckp_store_recovery {
    int changed;                 /* 1 when CURRENT was rewritten */
    ckp_store_current was_state; /* CURRENT before */
    uint64_t was;                /* the generation it named (CKP_CURRENT_OK) */
    int was_intact;              /* … and whether that one verified */
    uint64_t now;                /* the generation CURRENT names after */
    uint64_t rows;               /* its rows */
} ckp_store_recovery;

/* When CURRENT is missing, damaged or names a generation that does not
 * verify: point it (atomically, fsynced, under the writers' lock) at the
 * newest generation that verifies in full.  When CURRENT already names an
 * intact generation nothing changes.  CKP_ECORRUPT when no generation
 * verifies (nothing is changed), CKP_ENOTFOUND when there is no store. */
ckp_status ckp_store_recover(const char *dir, const ckp_ref *ref, ckp_store_recovery *out,
                             ckp_error *err);

/* ---- writing ----------------------------------------------------------- */

typedef struct ckp_store_writer ckp_store_writer;

/* Start a new generation of the store in dir (created when missing).  With
 * replace = 0 the current rows are kept and merged; with 1 they are dropped. */
ckp_status ckp_store_writer_begin(const char *dir, const ckp_ref *ref, int replace,
                                  ckp_store_writer **out, ckp_error *err);

/* Register (or find) a source by name; returns its index for ckp_flow.source. */
int ckp_store_writer_source(ckp_store_writer *w, const char *name, int synthetic);
/* Record that a source's values were converted to USD from currency (3
 * letters) at ingest; kept in the store with the source's name. */
void ckp_store_writer_source_currency(ckp_store_writer *w, int source, const char *currency);

/* Record where a registered source came from (one line of text, at most
 * CKP_STORE_MAX_PROVENANCE bytes, no tab or line end), replacing what the
 * store held for it; kept by later generations until replaced.  0, or -1
 * when the index or the text is not acceptable (nothing changed).  The
 * text is copied. */
#define CKP_STORE_MAX_PROVENANCE 2000
int ckp_store_writer_source_provenance(ckp_store_writer *w, int source, const char *text);

ckp_status ckp_store_writer_add(ckp_store_writer *w, const ckp_flow *row,
                                ckp_error *err);

/* The same, with the input line the row came from (reported back for
 * duplicates).  Rows are numbered in the order added, from 0. */
ckp_status ckp_store_writer_add_line(ckp_store_writer *w, const ckp_flow *row,
                                     uint32_t line, ckp_error *err);

/* Rows added so far. */
uint64_t ckp_store_writer_rows(const ckp_store_writer *w);

/* Duplicate keys (same period, reporter, partner, flow, HS code, edition and
 * source) among the rows added to one writer: the first one added is kept,
 * each later one is dropped and reported here at commit (kept/dup are row
 * numbers as counted by ckp_store_writer_rows, with their lines).  Rows
 * already in the store are replaced by new rows with the same key, silently:
 * that is re-ingesting. */
typedef void (*ckp_dup_fn)(uint64_t kept, uint32_t kept_line, uint64_t dup,
                           uint32_t dup_line, const ckp_flow *row, void *ctx);
void ckp_store_writer_on_duplicate(ckp_store_writer *w, ckp_dup_fn fn, void *ctx);

/* After a successful commit: rows in the new generation, rows of the old
 * store replaced by new ones, duplicates dropped (writer-side statistics
 * filled just before ckp_store_writer_commit frees w). */
typedef struct ckp_store_commit_stats {
    uint64_t rows_total, rows_added, rows_replaced, duplicates;
    uint64_t generation, bytes;
} ckp_store_commit_stats;
ckp_status ckp_store_writer_commit_stats(ckp_store_writer *w,
                                         ckp_store_commit_stats *stats, ckp_error *err);

/* Sort, merge, write, fsync and atomically publish.  Frees w. */
ckp_status ckp_store_writer_commit(ckp_store_writer *w, ckp_error *err);

/* Discard everything written; the current store is untouched.  Frees w. */
void ckp_store_writer_abort(ckp_store_writer *w);

#endif

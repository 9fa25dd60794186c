/* ingest.h — loading trade files into the flow store.
 *
 * Parses UN Comtrade CSV (API and bulk schema, annual and monthly), the
 * legacy (pre-2023) Comtrade CSV, comtradr's snake_case output, Comtrade+
 * API JSON responses, CEPII BACI (t,i,j,k,v,q) and the generic flows CSV
 * (period,reporter,partner,flow,hs,value,qty,unit), sniffing the format from
 * the header (or a leading '{' for JSON) when asked, in any delimiter,
 * with decimal points or commas, plain or gzip-compressed (read as a
 * stream), and hands every good row to a store writer.  Every
 * bad row is rejected with file:line and a reason (ckp_reject_reason),
 * counted, and optionally written to a rejects CSV (file,line,reason,detail,
 * row); nothing is dropped silently.  The CLI's `ingest` and the server
 * share this code.
 *
 * Life cycle: ckp_ingest_begin() → ckp_ingest_file() / ckp_ingest_mem()… →
 * ckp_ingest_commit() (publishes the new store generation) or
 * ckp_ingest_abort() (the store is untouched).  Both free the handle.
 * One ckp_ingest is used by one thread at a time (a big Comtrade or BACI
 * file is parsed by two threads inside ckp_ingest_file; docs/store.md).
 * Writers of one store are serialised by a lock: a second ckp_ingest_begin
 * on the same directory waits for the first to commit or abort. */
#ifndef CHOKEPOINT_INGEST_H
#define CHOKEPOINT_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "chokepoint/error.h"
#include "chokepoint/ref.h"
#include "chokepoint/store.h"

typedef enum ckp_ingest_format {
    CKP_INGEST_AUTO = 0, /* sniffed from the header */
    CKP_INGEST_COMTRADE,
    CKP_INGEST_BACI,
    CKP_INGEST_FLOWS,
    CKP_INGEST_COMTRADE_LEGACY, /* the pre-2023 Comtrade bulk/web CSV */
    CKP_INGEST_COMTRADR,        /* comtradr's snake_case Comtrade+ columns */
    CKP_INGEST_COMTRADE_JSON,   /* a Comtrade+ API response {"count":…,"data":[…]} */
    CKP_INGEST_COMEXT,          /* Eurostat Comext web extraction (names, EUR) */
    CKP_INGEST_COMEXT_BULK,     /* Eurostat Comext bulk monthly file (CN8, EUR) */
    CKP_INGEST_NFORMATS
} ckp_ingest_format;

/* "auto", "comtrade", "baci", "flows", "comtrade-legacy", "comtradr",
 * "comtrade-json", "comext", "comext-bulk" → format; -1 when unknown. */
int ckp_ingest_format_parse(const char *s);
const char *ckp_ingest_format_name(ckp_ingest_format f);

/* Why a row was rejected.  Names (ckp_reject_name) are stable: they appear in
 * the rejects file and the summary. */
typedef enum ckp_reject_reason {
    CKP_REJ_MALFORMED = 0, /* the CSV record itself is broken (quotes, encoding) */
    CKP_REJ_FIELDS,        /* a required field is missing or the row is short */
    CKP_REJ_PERIOD,        /* period not YYYY / YYYY-MM */
    CKP_REJ_REPORTER,      /* unknown reporter / exporter code */
    CKP_REJ_PARTNER,       /* unknown partner / importer code */
    CKP_REJ_FLOW,          /* flow not X, M, RX, RM */
    CKP_REJ_HS,            /* not an HS code */
    CKP_REJ_HS_LEVEL,      /* an HS chapter/heading total (2 or 4 digits), or TOTAL,
                              in a format that holds HS6 only (BACI) */
    CKP_REJ_CLASSIFICATION,/* not an HS classification (SITC, BEC…) */
    CKP_REJ_VALUE,         /* value missing, not a number, negative, inf or NaN */
    CKP_REJ_QTY,           /* quantity not a number, negative or infinite */
    CKP_REJ_BREAKDOWN,     /* Comtrade partial row (mode of transport, customs
                              procedure, 2nd partner): only totals are stored */
    CKP_REJ_DUPLICATE,     /* same key as an earlier row of this ingest */
    CKP_REJ_VALUE_RANGE,   /* value or value_alt above CKP_INGEST_MAX_VALUE USD, or a
                              quantity above CKP_INGEST_MAX_QTY (sums would overflow) */
    CKP_REJ_UNKNOWN_HS,    /* an HS6 code not in the nomenclature of its edition
                              (000000, 999999…); kept with keep_unknown_hs */
    CKP_REJ_FX,            /* a value in another currency (Comext: EUR) for a
                              period without a monthly rate in data/ref/fx */
    CKP_REJ_COUNT
} ckp_reject_reason;

const char *ckp_reject_name(ckp_reject_reason r);

/* Bounds of one row: above them a row is rejected as value-out-of-range.
 * World trade is about 2.5e13 USD a year; 1e15 USD in one row of one flow is
 * an error in the data, and 1e308 overflows every sum it enters. */
#define CKP_INGEST_MAX_VALUE 1e15 /* USD (value and value_alt, after conversion) */
#define CKP_INGEST_MAX_QTY 1e15   /* quantity in its unit (kg, number…) */

typedef struct ckp_ingest_progress {
    const char *file;      /* current file */
    uint64_t bytes_done;   /* in the current file */
    uint64_t bytes_total;  /* of the current file; 0 when unknown (stdin) */
    uint64_t rows;         /* rows read so far, all files */
    int done;              /* 1 on the last call for a file */
} ckp_ingest_progress;

typedef void (*ckp_ingest_progress_fn)(const ckp_ingest_progress *p, void *ctx);

typedef struct ckp_ingest_opts {
    ckp_ingest_format format; /* default CKP_INGEST_AUTO */
    const char *source;       /* source name; NULL = the format's name
                                 ("comtrade", "baci", "flows") */
    int synthetic;            /* 1 = the source is synthetic; -1 (default) =
                                 when its name starts with "synth" */
    int replace;              /* 1 = drop the store's current rows */
    int hs_edition;           /* edition of BACI/flows codes when the file
                                 does not say; 0 = from the BACI file name
                                 (…_HS17_…) or unknown */
    int keep_unknown_hs;      /* 1 = keep HS6 codes that are not in the
                                 nomenclature of their edition (counted in
                                 ckp_ingest_stats.unknown_hs_kept); 0 =
                                 reject them as unknown-hs.  HS2017 and
                                 HS2022 are checked against the shipped
                                 nomenclature; other editions only for a
                                 chapter 01-97 (not 77) and a heading 01+ */
    char delim;               /* CSV delimiter; 0 = detected from the header line */
    char decimal;             /* '.' or ',' (1.234,5); 0 = '.' unless the delimiter
                                 is ';', where the values tell (a value that is
                                 ambiguous before they do is rejected as bad-value) */
    FILE *rejects;            /* NULL or where rejected rows go (CSV) */
    ckp_ingest_progress_fn progress; /* NULL or called every ~1 MB */
    void *progress_ctx;
} ckp_ingest_opts;

void ckp_ingest_opts_init(ckp_ingest_opts *o);

typedef struct ckp_ingest_stats {
    uint64_t rows_read;               /* data rows seen, all files */
    uint64_t rows_kept;               /* rows stored */
    uint64_t rows_rejected;           /* sum of by_reason */
    uint64_t by_reason[CKP_REJ_COUNT];
    uint64_t unknown_hs_kept;         /* rows kept with keep_unknown_hs whose
                                         code is not in the nomenclature */
    uint64_t hs_folded;               /* rows kept whose commodity code was a
                                         national 8- or 10-digit code
                                         ("38011000", "2825.80.00"), stored
                                         as its HS6 (ckp_hs_fold); the store
                                         keeps no original code */
    uint64_t fx_converted;            /* rows kept whose value was converted to
                                         USD from fx_currency at the month's
                                         average rate (data/ref/fx/monthly.csv);
                                         the store's source says so too
                                         (ckp_store_source_currency) */
    char fx_currency[4];              /* "EUR", or "" when nothing was converted */
    uint64_t lines_summed;            /* Comext bulk: input lines summed into the
                                         rows kept (several CN8 codes of one
                                         HS6, several statistical procedures) */
    char fold_example[40];            /* one national code folded, "38011000 → 380110" */
    uint64_t aggregate_rows;          /* rows kept whose reporter is an aggregate
                                         (EU-27, euro area…), stored as such */
    uint64_t aggregate_kept[3];       /* rows kept at an aggregate level:
                                         [0] TOTAL, [1] HS2, [2] HS4 (the
                                         store keeps them as such: ckp_hs_key) */
    uint64_t bytes_read;
    int files;
    int archive_members;              /* year files read from BACI archives
                                         (each also counted in files) */
    int archive_skipped;              /* other members of those archives
                                         (the product table, the Readme):
                                         not data, not read */
    /* after commit */
    uint64_t store_rows, rows_replaced, generation, store_bytes;
} ckp_ingest_stats;

typedef struct ckp_ingest ckp_ingest;

/* Open a writer on the store in dir (ckp_store_dir rules) and get ready.
 * opts is copied (its pointers must stay valid until commit/abort). */
ckp_status ckp_ingest_begin(const char *dir, const ckp_ref *ref,
                            const ckp_ingest_opts *opts, ckp_ingest **out,
                            ckp_error *err);

/* Parse one file ("-" = stdin) into the pending generation.  Bad rows are
 * rejected and counted, not errors; an error is returned only when the file
 * cannot be read (a truncated or corrupt .gz, a broken JSON response) or its
 * header matches no format.  After an error the
 * pending generation may hold part of the file: abort (the CLI does). */
ckp_status ckp_ingest_file(ckp_ingest *ing, const char *path, ckp_error *err);

/* The same from memory (name is used in messages and rejects). */
ckp_status ckp_ingest_mem(ckp_ingest *ing, const char *name, const char *buf,
                          size_t len, ckp_error *err);

/* Record where the rows of this ingest came from (one line of text,
 * ckp_store_writer_source_provenance) with every source the files read so
 * far were registered under, replacing what the store held.  Call after
 * the files, before commit.  CKP_EINVAL when the text is not acceptable
 * (longer than CKP_STORE_MAX_PROVENANCE, a tab or line end in it) or no
 * file was read. */
ckp_status ckp_ingest_set_provenance(ckp_ingest *ing, const char *text, ckp_error *err);

/* Counts so far (before commit: without duplicates, which are found then). */
const ckp_ingest_stats *ckp_ingest_get_stats(const ckp_ingest *ing);

/* Sort, merge, write and publish; fills stats; frees ing.  When rows were
 * read and none was kept (every one rejected), nothing is published and
 * the error says so, with the reject counts. */
ckp_status ckp_ingest_commit(ckp_ingest *ing, ckp_ingest_stats *stats, ckp_error *err);

/* Drop everything; the store is untouched.  Frees ing. */
void ckp_ingest_abort(ckp_ingest *ing);

/* Sniff a header line (CSV field names): the format, or CKP_INGEST_AUTO when
 * none matches. */
ckp_ingest_format ckp_ingest_sniff(const char *const *names, size_t n);

#endif

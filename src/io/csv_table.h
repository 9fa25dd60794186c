/* csv_table.h — loading a CSV table by column names, one callback a row
 * (library-internal; built on csv.h).
 *
 * What every reference and list loader did by hand: open the file, turn the
 * header into column indices by name, walk the records, stop on the first
 * error with file:line, close.  The loader now only says which columns it
 * wants and what one row does:
 *
 *     static const char *const cols[] = {"id", "text", "?note", NULL};
 *     ckp_table_spec spec = {.path = path, .cols = cols, .row = add_row, .ctx = ref};
 *     st = ckp_table_load(&spec, err);
 *
 * and add_row reads ckp_table_field(t, 0) for "id", and so on.
 *
 * Column names: "name" must be in the header; "?name" may be missing (its
 * index is then -1 and its field empty); "a|b" takes the first of a or b
 * present.  Names match as ckp_csv_column does (case-insensitive, trimmed).
 *
 * Life cycle: the table exists only during ckp_table_load; a row callback
 * must copy what it keeps (fields are slices of the reader's buffer). */
#ifndef CKP_IO_CSV_TABLE_H
#define CKP_IO_CSV_TABLE_H

#include <stddef.h>

#include "chokepoint/csv.h"

#define CKP_TABLE_MAX_COLS 24

typedef struct ckp_table {
    ckp_csv *csv;             /* the open reader (for ckp_csv_line, ckp_csv_name…) */
    const char *const *cols;  /* the names asked for (the spec's) */
    int col[CKP_TABLE_MAX_COLS]; /* header index of each asked column; -1 = absent */
    size_t ncols;
} ckp_table;

/* One row: CKP_OK to go on; any other status stops the load and is
 * returned (the callback sets err, e.g. with ckp_table_error). */
typedef ckp_status (*ckp_table_row_fn)(void *ctx, const ckp_table *t, ckp_error *err);

typedef struct ckp_table_spec {
    const char *path;          /* the file ("-" = standard input); with buf, its name */
    const char *buf;           /* NULL, or the table in memory (len bytes, not copied) */
    size_t len;
    const ckp_csv_opts *opts;  /* NULL = ckp_csv_opts_init's defaults with delim ',' */
    const char *const *cols;   /* NULL-terminated, at most CKP_TABLE_MAX_COLS */
    ckp_table_row_fn row;
    void *ctx;                 /* handed to row */
    int missing_ok;            /* 1: a file that does not exist loads nothing (CKP_OK) */
    ckp_csv_bad_fn on_bad;     /* NULL: a malformed record stops the load with its
                                  error; else it is handed to on_bad and skipped */
    void *bad_ctx;
} ckp_table_spec;

/* Load spec->path row by row.  CKP_OK when every row was handed over;
 * otherwise the first error: the open's, a missing column's ("file:1: no
 * column \"x\" in the header (it needs a, b, c)"), a record's, an I/O error,
 * or what a row callback returned. */
ckp_status ckp_table_load(const ckp_table_spec *spec, ckp_error *err);

/* Asked column k of the current row, trimmed of spaces and tabs;
 * {NULL, 0} when the column is absent or the row is short. */
ckp_field ckp_table_field(const ckp_table *t, size_t k);

/* 1 when asked column k is in the header. */
int ckp_table_has(const ckp_table *t, size_t k);

/* Set err at the current row (file:line) and return code. */
ckp_status ckp_table_error(const ckp_table *t, ckp_error *err, ckp_status code,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The same, naming asked column k: "column \"k\": " then the message. */
ckp_status ckp_table_field_error(const ckp_table *t, size_t k, ckp_error *err,
                                 ckp_status code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif

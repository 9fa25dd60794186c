/* output.h — rows out as an aligned table, CSV or JSON Lines, or handed over.
 *
 * Every verb writes its results through one ckp_writer so the three formats
 * agree on column names and values.  The writer has one of three sinks:
 * a FILE (ckp_writer_new: table, CSV, JSON Lines), a callback that gets each
 * finished row as typed cells (ckp_writer_new_rows: the server and the
 * report, no JSON text written and parsed back), or nothing
 * (ckp_writer_new_null: `--partial`, the rows are checked and counted, not
 * formatted).
 *
 * Every row must have exactly the writer's columns (the tail's included): a
 * missing or an extra cell fails the row (CKP_EINTERNAL, naming the row and
 * the column) and the writer (ckp_writer_check); nothing is padded or
 * dropped.  JSON is JSON Lines: one object per row,
 * keys = column names, numbers as numbers, NaN/inf as null.  CSV has a header
 * row and RFC 4180 quoting.  The table is buffered (to align columns) in
 * blocks of up to 4096 rows and written on ckp_writer_finish().
 *
 * Life cycle: ckp_writer_new() → (cell…, ckp_writer_end_row())… →
 * ckp_writer_finish() → ckp_writer_free().  The writer does not own out. */
#ifndef CHOKEPOINT_OUTPUT_H
#define CHOKEPOINT_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "chokepoint/error.h"

typedef enum ckp_format { CKP_FMT_TABLE, CKP_FMT_CSV, CKP_FMT_JSON } ckp_format;

typedef enum ckp_coltype {
    CKP_COL_STR,  /* text */
    CKP_COL_INT,  /* integer */
    CKP_COL_NUM,  /* floating point, `decimals` places (-1 = shortest exact) */
    CKP_COL_JSON  /* a raw JSON value (array/object); quoted text in CSV/table */
} ckp_coltype;

/* `decimals` of a CKP_COL_INT column: no thousands separators in tables
 * (years, codes, editions). */
#define CKP_NOGROUP (-2)

typedef struct ckp_column {
    const char *name;
    ckp_coltype type;
    int decimals;
} ckp_column;

typedef struct ckp_writer ckp_writer;

/* "table", "csv", "json" → *out; CKP_EINVAL otherwise. */
ckp_status ckp_format_parse(const char *s, ckp_format *out);

/* Table when out is a terminal, CSV otherwise (DESIGN.md). */
ckp_format ckp_format_default(FILE *out);

/* cols must outlive the writer.  Returns NULL when out of memory. */
ckp_writer *ckp_writer_new(FILE *out, ckp_format fmt, const ckp_column *cols,
                           size_t ncols);

/* Fit a table to a terminal `width` columns wide (no effect on CSV/JSON;
 * width <= 0 leaves the table as it is, every column in full on one line):
 * the key columns first, then the others while they fit, long text
 * wrapped under its row, a text cell longer than its column cut and
 * marked "…", numbers right-aligned and never cut; the columns left out and
 * the cells cut are listed after the table.  Call before the first row. */
void ckp_writer_fit(ckp_writer *w, int width);

/* The layout a fitted table should take, said by the code that knows the
 * columns (a verb's run, before its first row): `keys` are the column
 * names shown first and always, `text` the long text written under its row,
 * names separated by spaces; either may be NULL (unknown names are
 * ignored).  Without hints the columns are shown in order while they fit.
 * No effect on an unfitted table, CSV or JSON. */
void ckp_writer_hint(ckp_writer *w, const char *keys, const char *text);

/* Provenance: columns appended after the caller's own on every CSV and JSON
 * row ("synthetic", "sources": what a row was computed from), filled by
 * fill(ctx, w) at the end of each row, which writes their cells in order
 * with the ckp_writer_* calls below (it may read ckp_writer_format to
 * write JSON arrays for JSON and joined text for CSV; it may read the row's
 * own cells with ckp_writer_cell).  The table format leaves the columns out
 * (its caller says the same once, under the table): there fill still sees
 * every row but must write no cell.  tail must outlive the writer; call
 * before the first row.  CKP_ENOMEM when out of memory. */
typedef void (*ckp_writer_fill_fn)(void *ctx, ckp_writer *w);
ckp_status ckp_writer_tail(ckp_writer *w, const ckp_column *tail, size_t ntail,
                           ckp_writer_fill_fn fill, void *ctx);
/* The writer owns the tail's ctx from now on: free_fn(ctx) when it is freed. */
void ckp_writer_tail_free(ckp_writer *w, void (*free_fn)(void *));
/* The ctx given to ckp_writer_tail (NULL when none). */
void *ckp_writer_tail_ctx(const ckp_writer *w);
/* The text of the current row's own column `name` as given so far (a table
 * cell with its thousands separators), NULL when null, not yet given or no
 * such column.  Valid until the next cell or ckp_writer_end_row. */
const char *ckp_writer_cell(const ckp_writer *w, const char *name);
ckp_format ckp_writer_format(const ckp_writer *w);

/* One pointer the caller keeps with the writer (what the rows rest on,
 * gathered while they are computed: verb.h's ckp_answer), in every format;
 * ckp_writer_free calls free_fn(data) (free_fn may be NULL).  A second call
 * replaces the pointer without freeing the first. */
void ckp_writer_attach(ckp_writer *w, void *data, void (*free_fn)(void *));
void *ckp_writer_attached(const ckp_writer *w); /* NULL when none */

/* Cells are given left to right, one per column: a row with fewer or more
 * cells than the columns is a bug of its verb, and ckp_writer_end_row fails. */
void ckp_writer_str(ckp_writer *w, const char *s);          /* NULL = null */
void ckp_writer_strn(ckp_writer *w, const char *s, size_t n);
void ckp_writer_int(ckp_writer *w, long long v);
void ckp_writer_num(ckp_writer *w, double v);               /* NaN = null; ±inf
                                                               too, counted */
void ckp_writer_null(ckp_writer *w);
void ckp_writer_json(ckp_writer *w, const char *raw_json);  /* CKP_COL_JSON */
/* End the row: CKP_OK, CKP_EINTERNAL when it has not exactly one cell per
 * column (the row is not written), the sink's status when it failed (the
 * callback's of ckp_writer_new_rows, CKP_EIO).  After a failure every later
 * row fails too; ckp_writer_check says why. */
ckp_status ckp_writer_end_row(ckp_writer *w);

/* st when no row has failed, else the first failure: err filled (e.g. `row
 * 3: no cell for column "share" (2 cells for the 4 columns)`) and its status
 * returned.  Callers run the verb, then st = ckp_writer_check(w, st, err). */
ckp_status ckp_writer_check(const ckp_writer *w, ckp_status st, ckp_error *err);

/* Rows ended so far. */
size_t ckp_writer_count(const ckp_writer *w);

/* Numbers given that were ±inf (written as null): a sum overflowed
 * somewhere, and the rows are wrong; the CLI and the API fail on it. */
size_t ckp_writer_infinite(const ckp_writer *w);

/* Flush everything buffered; CKP_EIO when the stream failed, the first
 * failure's status when a row failed (nothing more is written then). */
ckp_status ckp_writer_finish(ckp_writer *w);
void ckp_writer_free(ckp_writer *w);

/* ---- the row sink: each finished row handed to the caller ------------------ */

/* What a cell holds: null, text, a number (as the column's decimals
 * formatted it: "12.50"), or a raw JSON value (ckp_writer_json). */
typedef enum ckp_cellkind { CKP_CELL_NULL, CKP_CELL_TEXT, CKP_CELL_NUMBER, CKP_CELL_JSON } ckp_cellkind;

/* One finished row: every column (the tail's included) with its cell.
 * Borrowed: valid only during the callback. */
typedef struct ckp_row {
    const ckp_column *cols;
    size_t ncols;
    const char *const *text; /* per column; NULL for a null cell */
    const size_t *len;       /* bytes of each text (text may hold NUL bytes) */
    const int *kind;         /* ckp_cellkind of each */
    size_t index;            /* 0 for the first row */
} ckp_row;

/* Called once per row; a non-OK status (err filled) fails the row, the
 * verb stops on it and ckp_writer_check reports it. */
typedef ckp_status (*ckp_row_fn)(void *ctx, const ckp_row *row, ckp_error *err);

/* A writer that hands each row to fn(ctx, …) instead of formatting it to a
 * FILE.  Cells are formatted as for JSON (ckp_writer_format says
 * CKP_FMT_JSON).  cols must outlive the writer; NULL when out of memory.
 * Free with ckp_writer_free. */
ckp_writer *ckp_writer_new_rows(const ckp_column *cols, size_t ncols, ckp_row_fn fn, void *ctx);

/* A writer whose rows go nowhere (`--partial` runs a verb for its tables,
 * not its rows): checked and counted, never formatted.  As JSON for the
 * verb (ckp_writer_format); cols must outlive it; NULL when out of memory. */
ckp_writer *ckp_writer_new_null(const ckp_column *cols, size_t ncols);

/* The row as a new jansson object (keys = column names, in order), what
 * parsing its JSON Lines text gave: numbers as integers when written
 * without '.' or exponent, else reals; invalid UTF-8 as U+FFFD.  NULL when
 * out of memory or a raw JSON cell is not JSON.  Caller json_decref()s. */
struct json_t *ckp_row_json(const ckp_row *row);

/* The row as one JSON Lines object, without the newline, byte for byte what
 * the JSON format writes. */
void ckp_row_write_json(const ckp_row *row, FILE *out);

/* Append s to out as a JSON string literal with quotes and escapes. */
void ckp_json_write_string(FILE *out, const char *s, size_t n);

/* v in the shortest %.15g…%.17g form that reads back as v exactly ("0.9",
 * not "0.90000000000000002"); returns buf. */
char *ckp_format_shortest(double v, char *buf, size_t n);

/* A jansson value (json_t) as compact JSON, numbers written as people expect:
 * reals in ckp_format_shortest's form (whole ones keep ".0"), where
 * jansson's own json_dumps writes 17 digits.  sort_keys: object keys in
 * byte order, else in insertion order.  ckp_json_dumpf returns 0, or -1 on
 * a write error; ckp_json_dumps returns a new string (caller frees) or NULL
 * when out of memory.  Every JSON the API and the report serve goes through
 * these (docs/server.md). */
struct json_t;
int ckp_json_dumpf(const struct json_t *j, FILE *out, int sort_keys);
char *ckp_json_dumps(const struct json_t *j, int sort_keys);

/* Format v with thousands separators and `decimals` places into buf. */
char *ckp_format_thousands(double v, int decimals, char *buf, size_t n);

#endif

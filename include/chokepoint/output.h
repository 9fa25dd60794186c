/* output.h — rows out as an aligned table, CSV or JSON Lines.
 *
 * Every verb writes its results through one ckp_writer so the three formats
 * agree on column names and values.  JSON is JSON Lines: one object per row,
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

/* Cells are given left to right; missing trailing cells are null. */
void ckp_writer_str(ckp_writer *w, const char *s);          /* NULL = null */
void ckp_writer_strn(ckp_writer *w, const char *s, size_t n);
void ckp_writer_int(ckp_writer *w, long long v);
void ckp_writer_num(ckp_writer *w, double v);               /* NaN = null; ±inf
                                                               too, counted */
void ckp_writer_null(ckp_writer *w);
void ckp_writer_json(ckp_writer *w, const char *raw_json);  /* CKP_COL_JSON */
ckp_status ckp_writer_end_row(ckp_writer *w);

/* Rows ended so far. */
size_t ckp_writer_count(const ckp_writer *w);

/* Numbers given that were ±inf (written as null): a sum overflowed
 * somewhere, and the rows are wrong; the CLI and the API fail on it. */
size_t ckp_writer_infinite(const ckp_writer *w);

/* Flush everything buffered; CKP_EIO when the stream failed. */
ckp_status ckp_writer_finish(ckp_writer *w);
void ckp_writer_free(ckp_writer *w);

/* Append s to out as a JSON string literal with quotes and escapes. */
void ckp_json_write_string(FILE *out, const char *s, size_t n);

/* Format v with thousands separators and `decimals` places into buf. */
char *ckp_format_thousands(double v, int decimals, char *buf, size_t n);

#endif

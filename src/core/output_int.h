/* output_int.h — the row writer's state, shared by output.c (cells, the
 * column check), its sinks (sink_file.c: table, CSV, JSON Lines to a FILE;
 * sink_rows.c: each row to a callback; sink_null.c: rows counted, never
 * formatted) and output_fit.c (the table fitted to a terminal). */
#ifndef CHOKEPOINT_OUTPUT_INT_H
#define CHOKEPOINT_OUTPUT_INT_H

#include <stddef.h>
#include <stdio.h>

#include "chokepoint/output.h"

#define TABLE_BLOCK 4096 /* rows buffered per table block */

typedef struct cell {
    char *text; /* NULL = null */
} cell;

/* Where a writer's finished rows go.  row() is called with the current row
 * complete (w->rowtxt… hold every column, checked); it may take a cell's
 * text (set w->rowtxt[c] to NULL), the rest is freed after it.  A non-OK
 * status (with w->err filled) fails the row and every later one.  finish()
 * writes what is buffered; NULL = nothing to do. */
typedef struct ckp__sink {
    ckp_status (*row)(ckp_writer *w);
    ckp_status (*finish)(ckp_writer *w);
} ckp__sink;

extern const ckp__sink ckp__sink_file;  /* table / CSV / JSON Lines to w->out */
extern const ckp__sink ckp__sink_rows;  /* each row to w->row_fn */
extern const ckp__sink ckp__sink_null;  /* nothing: rows checked and counted */

struct ckp_writer {
    const ckp__sink *sink;
    FILE *out;           /* ckp__sink_file only */
    ckp_row_fn row_fn;   /* ckp__sink_rows only */
    void *row_ctx;
    int discard;         /* cells are counted, not formatted (ckp__sink_null) */
    ckp_error err;       /* the first failed row (a column mismatch, the sink) */
    ckp_format fmt;
    const ckp_column *cols;
    size_t ncols;        /* all columns, the tail's included */
    size_t nown;         /* the caller's own columns (before the tail) */
    ckp_column *allcols; /* own + tail columns when a tail is set; owned */
    ckp_writer_fill_fn fill; /* fills the tail columns of each row */
    void *fill_ctx;
    void (*fill_free)(void *); /* frees fill_ctx with the writer (NULL: not owned) */
    void *attached;                /* ckp_writer_attach: freed with the writer */
    void (*attached_free)(void *);
    size_t cur;          /* next cell index in the row */
    size_t over;         /* cells given past the last column in this row */
    int header_done;
    int io_error;
    /* table mode */
    cell *cells;         /* TABLE_BLOCK * ncols */
    size_t rows;
    size_t *width;
    /* csv/json: the current row's cells, as text ready to print */
    char **rowtxt;
    size_t *rowlen;      /* bytes of each rowtxt (text may hold NUL bytes) */
    int *rowkind;        /* ckp_cellkind of each */
    size_t ended;        /* rows ended, all formats */
    size_t infinite;     /* ±inf numbers given (written as null) */
    /* the table fitted to a terminal (ckp_writer_fit); fit_width 0 = off */
    size_t fit_width;
    int fit_done;        /* layout chosen (on the first block) */
    size_t *order;       /* columns in the row, in display order */
    size_t norder;
    size_t *fitw;        /* their widths */
    size_t *text;        /* FIT_TEXT columns, wrapped under the row */
    size_t ntext;
    size_t shortened;    /* cells cut to their column, marked … */
    int *fit;            /* per column: 0, FIT_KEY or FIT_TEXT (ckp_writer_hint) */
};

/* A writer on sink with no cells yet (fmt says how cells are formatted);
 * NULL when out of memory. */
ckp_writer *ckp__writer_alloc(const ckp__sink *sink, ckp_format fmt, const ckp_column *cols,
                              size_t ncols);

/* The current row as a ckp_row (valid until the row's cells change). */
void ckp__writer_row(const ckp_writer *w, ckp_row *row);

/* Length of the valid UTF-8 sequence at p (2..4 bytes of n), 0 when invalid. */
size_t ckp__utf8_len(const unsigned char *p, size_t n);

/* A copy of s[0..n) with a NUL after it; NULL when out of memory. */
char *ckp__dupn(const char *s, size_t n);

/* Terminal columns of UTF-8 text (utf8proc's widths; NULL = 0). */
size_t ckp__display_width(const char *s);

/* The fitted table: write the rows buffered (header first), free their
 * cells; after the last block, the note on what was left out. */
void ckp__fit_flush(ckp_writer *w);
void ckp__fit_footer(ckp_writer *w);

#endif

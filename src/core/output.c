/* output.c — the row writer (see output.h): cells formatted as text,
 * the tail of provenance columns, the check that every row has one cell
 * per column; the rows then go to the writer's sink (sink_*.c). */
#include "chokepoint/output.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "core/output_int.h"

#define MAX_DECIMALS 20  /* more is noise for a double */
#define NUM_BUF 512      /* %.20f of DBL_MAX (309 digits) with separators */

char *ckp__dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Terminal columns of UTF-8 text: East Asian wide characters take two,
 * combining marks none (utf8proc's character widths). */
size_t ckp__display_width(const char *s)
{
    size_t n = 0;
    if (!s)
        return 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(s);
    while (len > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, len, &cp);
        if (k <= 0) { /* invalid byte: one column */
            n++;
            p++;
            len--;
            continue;
        }
        int cw = utf8proc_charwidth(cp);
        n += cw > 0 ? (size_t)cw : 0;
        p += k;
        len -= k;
    }
    return n;
}

ckp_status ckp_format_parse(const char *s, ckp_format *out)
{
    if (strcmp(s, "table") == 0)
        *out = CKP_FMT_TABLE;
    else if (strcmp(s, "csv") == 0)
        *out = CKP_FMT_CSV;
    else if (strcmp(s, "json") == 0 || strcmp(s, "jsonl") == 0)
        *out = CKP_FMT_JSON;
    else
        return CKP_EINVAL;
    return CKP_OK;
}

ckp_format ckp_format_default(FILE *out)
{
    return isatty(fileno(out)) ? CKP_FMT_TABLE : CKP_FMT_CSV;
}

ckp_writer *ckp__writer_alloc(const ckp__sink *sink, ckp_format fmt, const ckp_column *cols,
                              size_t ncols)
{
    ckp_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->sink = sink;
    w->fmt = fmt;
    ckp_error_clear(&w->err);
    w->cols = cols;
    w->ncols = ncols;
    w->nown = ncols;
    w->rowtxt = calloc(ncols ? ncols : 1, sizeof *w->rowtxt);
    w->rowlen = calloc(ncols ? ncols : 1, sizeof *w->rowlen);
    w->rowkind = calloc(ncols ? ncols : 1, sizeof *w->rowkind);
    w->width = calloc(ncols ? ncols : 1, sizeof *w->width);
    w->order = calloc(ncols ? ncols : 1, sizeof *w->order);
    w->fitw = calloc(ncols ? ncols : 1, sizeof *w->fitw);
    w->text = calloc(ncols ? ncols : 1, sizeof *w->text);
    w->fit = calloc(ncols ? ncols : 1, sizeof *w->fit);
    if (fmt == CKP_FMT_TABLE)
        w->cells = calloc(TABLE_BLOCK * (ncols ? ncols : 1), sizeof *w->cells);
    if (!w->rowtxt || !w->rowlen || !w->rowkind || !w->width || !w->order || !w->fitw ||
        !w->text || !w->fit || (fmt == CKP_FMT_TABLE && !w->cells)) {
        ckp_writer_free(w);
        return NULL;
    }
    return w;
}

ckp_format ckp_writer_format(const ckp_writer *w) { return w->fmt; }

void ckp_writer_tail_free(ckp_writer *w, void (*free_fn)(void *)) { w->fill_free = free_fn; }

void *ckp_writer_tail_ctx(const ckp_writer *w) { return w->fill_ctx; }

const char *ckp_writer_cell(const ckp_writer *w, const char *name)
{
    for (size_t c = 0; c < w->nown && c < w->cur; c++)
        if (strcmp(w->cols[c].name, name) == 0)
            return w->rowtxt[c];
    return NULL;
}

/* The writer's columns become its own and the tail's.  CKP_ENOMEM leaves
 * it with its own columns, whole. */
static ckp_status add_tail(ckp_writer *w, const ckp_column *tail, size_t ntail)
{
    size_t n = w->nown + ntail;
    /* the row's arrays grow to the tail (each kept when one cannot: the
     * writer stays whole with its own columns) */
    ckp_column *all = malloc(n * sizeof *all);
    char **txt = realloc(w->rowtxt, n * sizeof *txt);
    w->rowtxt = txt ? txt : w->rowtxt;
    size_t *len = realloc(w->rowlen, n * sizeof *len);
    w->rowlen = len ? len : w->rowlen;
    int *kind = realloc(w->rowkind, n * sizeof *kind);
    w->rowkind = kind ? kind : w->rowkind;
    if (!all || !txt || !len || !kind) {
        free(all);
        return CKP_ENOMEM;
    }
    for (size_t c = w->nown; c < n; c++) {
        txt[c] = NULL;
        len[c] = 0;
        kind[c] = CKP_CELL_NULL;
    }
    memcpy(all, w->cols, w->nown * sizeof *all);
    memcpy(all + w->nown, tail, ntail * sizeof *all);
    w->allcols = all;
    w->cols = all;
    w->ncols = n;
    return CKP_OK;
}

ckp_status ckp_writer_tail(ckp_writer *w, const ckp_column *tail, size_t ntail,
                           ckp_writer_fill_fn fill, void *ctx)
{
    if (w->fill)
        return CKP_OK; /* one tail only */
    /* the table says it under the rows: fill sees each row, adds no cells */
    ckp_status st = w->fmt == CKP_FMT_TABLE || ntail == 0 ? CKP_OK : add_tail(w, tail, ntail);
    if (st == CKP_OK) {
        w->fill = fill;
        w->fill_ctx = ctx;
    }
    return st;
}

/* Take text (len bytes, NUL-terminated, owned from now on; NULL = null) as
 * the next cell. */
static void put_cell(ckp_writer *w, char *text, size_t len, ckp_cellkind kind)
{
    if (!text && kind != CKP_CELL_NULL && w->err.code == CKP_OK)
        ckp_error_set(&w->err, CKP_ENOMEM, NULL, 0, 0, "row %zu: out of memory", w->ended + 1);
    if (w->cur >= w->ncols) {
        free(text); /* counted: ckp_writer_end_row fails the row */
        w->over++;
        return;
    }
    free(w->rowtxt[w->cur]);
    w->rowtxt[w->cur] = text;
    w->rowlen[w->cur] = text ? len : 0;
    w->rowkind[w->cur] = text ? kind : CKP_CELL_NULL;
    w->cur++;
}

/* The null sink formats no cell: 1 when this one is only counted. */
static int discarded(ckp_writer *w)
{
    if (w->discard)
        put_cell(w, NULL, 0, CKP_CELL_NULL);
    return w->discard;
}

void ckp__writer_row(const ckp_writer *w, ckp_row *row)
{
    row->cols = w->cols;
    row->ncols = w->ncols;
    row->text = (const char *const *)w->rowtxt;
    row->len = w->rowlen;
    row->kind = w->rowkind;
    row->index = w->ended;
}

void ckp_writer_strn(ckp_writer *w, const char *s, size_t n)
{
    if (!discarded(w))
        put_cell(w, s ? ckp__dupn(s, n) : NULL, n, s ? CKP_CELL_TEXT : CKP_CELL_NULL);
}

void ckp_writer_str(ckp_writer *w, const char *s)
{
    ckp_writer_strn(w, s, s ? strlen(s) : 0);
}

void ckp_writer_null(ckp_writer *w) { put_cell(w, NULL, 0, CKP_CELL_NULL); }

void ckp_writer_json(ckp_writer *w, const char *raw)
{
    if (discarded(w))
        return;
    size_t n = raw ? strlen(raw) : 0;
    put_cell(w, raw ? ckp__dupn(raw, n) : NULL, n, raw ? CKP_CELL_JSON : CKP_CELL_NULL);
}

void ckp_writer_int(ckp_writer *w, long long v)
{
    if (discarded(w))
        return;
    char raw[32], buf[48];
    snprintf(raw, sizeof raw, "%lld", v);
    int nogroup = w->cur < w->ncols && w->cols[w->cur].decimals == CKP_NOGROUP;
    if (w->fmt == CKP_FMT_TABLE && !nogroup) {
        /* group the digits as text: through a double, values past 2^53
         * would lose their last digits */
        const char *p = raw;
        size_t o = 0, nd;
        if (*p == '-')
            buf[o++] = *p++;
        nd = strlen(p);
        for (size_t i = 0; i < nd; i++) {
            if (i > 0 && (nd - i) % 3 == 0)
                buf[o++] = ',';
            buf[o++] = p[i];
        }
        buf[o] = '\0';
    } else {
        memcpy(buf, raw, strlen(raw) + 1);
    }
    put_cell(w, ckp__dupn(buf, strlen(buf)), strlen(buf), CKP_CELL_NUMBER);
}

char *ckp_format_shortest(double v, char *buf, size_t n)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

void ckp_writer_num(ckp_writer *w, double v)
{
    if (!isfinite(v)) {
        if (isinf(v))
            w->infinite++;
        put_cell(w, NULL, 0, CKP_CELL_NULL);
        return;
    }
    if (discarded(w))
        return;
    int dec = w->cur < w->ncols ? w->cols[w->cur].decimals : -1;
    if (dec > MAX_DECIMALS)
        dec = MAX_DECIMALS;
    char buf[NUM_BUF]; /* %.*f of the largest double fits */
    if (w->fmt == CKP_FMT_TABLE && dec >= 0)
        ckp_format_thousands(v, dec, buf, sizeof buf);
    else if (dec >= 0)
        snprintf(buf, sizeof buf, "%.*f", dec, v);
    else
        ckp_format_shortest(v, buf, sizeof buf);
    if (strcmp(buf, "-0") == 0 || strncmp(buf, "-0.", 3) == 0) {
        int allzero = 1;
        for (const char *p = buf + 1; *p; p++)
            if (*p != '0' && *p != '.')
                allzero = 0;
        if (allzero)
            memmove(buf, buf + 1, strlen(buf));
    }
    put_cell(w, ckp__dupn(buf, strlen(buf)), strlen(buf), CKP_CELL_NUMBER);
}

char *ckp_format_thousands(double v, int decimals, char *buf, size_t n)
{
    char raw[NUM_BUF];
    if (decimals > MAX_DECIMALS)
        decimals = MAX_DECIMALS;
    snprintf(raw, sizeof raw, "%.*f", decimals < 0 ? 0 : decimals, v);
    const char *p = raw;
    size_t o = 0;
    if (*p == '-') {
        if (o + 1 < n)
            buf[o++] = '-';
        p++;
    }
    const char *dot = strchr(p, '.');
    size_t intlen = dot ? (size_t)(dot - p) : strlen(p);
    for (size_t i = 0; i < intlen; i++) {
        if (i > 0 && (intlen - i) % 3 == 0 && o + 1 < n)
            buf[o++] = ',';
        if (o + 1 < n)
            buf[o++] = p[i];
    }
    for (const char *q = dot; q && *q && o + 1 < n; q++)
        buf[o++] = *q;
    if (n)
        buf[o < n ? o : n - 1] = '\0';
    return buf;
}

size_t ckp_writer_count(const ckp_writer *w) { return w->ended; }

size_t ckp_writer_infinite(const ckp_writer *w) { return w->infinite; }

/* Cells of the current row back to none. */
static void row_clear(ckp_writer *w)
{
    for (size_t c = 0; c < w->ncols; c++) {
        free(w->rowtxt[c]);
        w->rowtxt[c] = NULL;
        w->rowlen[c] = 0;
        w->rowkind[c] = CKP_CELL_NULL;
    }
    w->cur = 0;
    w->over = 0;
}

/* The cells given for columns [from, to) were `given`: CKP_OK when one
 * each, else CKP_EINTERNAL with w->err naming the row and the column. */
static ckp_status check_cells(ckp_writer *w, size_t from, size_t to, size_t given,
                              const char *whose)
{
    if (given == to - from)
        return CKP_OK;
    if (given < to - from)
        return ckp_error_set(&w->err, CKP_EINTERNAL, NULL, 0, 0,
                             "row %zu: no cell for column \"%s\" (%zu %scells for the %zu "
                             "columns): a bug, the row is not written",
                             w->ended + 1, w->cols[from + given].name, given, whose,
                             to - from);
    return ckp_error_set(&w->err, CKP_EINTERNAL, NULL, 0, 0,
                         "row %zu: a cell past the last column \"%s\" (%zu %scells for the "
                         "%zu columns): a bug, the row is not written",
                         w->ended + 1, w->cols[to - 1].name, given, whose, to - from);
}

ckp_status ckp_writer_end_row(ckp_writer *w)
{
    ckp_status st = w->err.code;
    if (st == CKP_OK)
        st = check_cells(w, 0, w->nown, w->cur + w->over, "");
    if (st == CKP_OK && w->fill) {
        size_t before = w->cur;
        w->fill(w->fill_ctx, w);
        st = check_cells(w, w->nown, w->ncols, w->cur + w->over - before, "provenance ");
    } else if (st == CKP_OK) {
        st = check_cells(w, w->nown, w->ncols, 0, "provenance ");
    }
    if (st == CKP_OK)
        st = w->sink->row(w);
    if (st == CKP_OK)
        w->ended++;
    else if (w->err.code == CKP_OK) /* a sink that failed without saying why */
        ckp_error_set(&w->err, st, NULL, 0, 0, "row %zu: %s", w->ended + 1, ckp_strerror(st));
    row_clear(w);
    return st;
}

ckp_status ckp_writer_check(const ckp_writer *w, ckp_status st, ckp_error *err)
{
    if (w->err.code == CKP_OK)
        return st;
    if (err)
        *err = w->err;
    return w->err.code;
}

ckp_status ckp_writer_finish(ckp_writer *w)
{
    if (w->cur > 0 || w->over > 0)
        ckp_writer_end_row(w);
    if (w->err.code != CKP_OK)
        return w->err.code;
    return w->sink->finish ? w->sink->finish(w) : CKP_OK;
}

void ckp_writer_free(ckp_writer *w)
{
    if (!w)
        return;
    if (w->fill_free)
        w->fill_free(w->fill_ctx);
    if (w->cells) {
        for (size_t i = 0; i < TABLE_BLOCK * w->ncols; i++)
            free(w->cells[i].text);
        free(w->cells);
    }
    if (w->rowtxt)
        for (size_t c = 0; c < w->ncols; c++)
            free(w->rowtxt[c]);
    free(w->rowtxt);
    free(w->rowlen);
    free(w->rowkind);
    free(w->width);
    free(w->order);
    free(w->fitw);
    free(w->text);
    free(w->fit);
    free(w->allcols);
    if (w->attached_free)
        w->attached_free(w->attached);
    free(w);
}

void ckp_writer_attach(ckp_writer *w, void *data, void (*free_fn)(void *))
{
    w->attached = data;
    w->attached_free = free_fn;
}

void *ckp_writer_attached(const ckp_writer *w)
{
    return w ? w->attached : NULL;
}

/* sink_file.c — the writer's FILE sink: rows as an aligned table (buffered
 * in blocks, fitted by output_fit.c when asked), CSV with a header, or JSON
 * Lines (see output.h). */
#include "chokepoint/output.h"

#include <stdlib.h>
#include <string.h>

#include "core/output_int.h"

/* s[0..n) as one CSV field, quoted when it holds a comma, quote, CR or LF. */
static void csv_write_field(FILE *out, const char *s, size_t n)
{
    if (!s)
        return;
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        fwrite(s, 1, n, out);
        return;
    }
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

/* Write one table cell of column c.  Blanks are owed (*pending) and written
 * only before the next visible text, so no line ends in blanks. */
static void table_cell(ckp_writer *w, size_t c, const char *t, size_t *pending)
{
    int right = w->cols[c].type == CKP_COL_INT || w->cols[c].type == CKP_COL_NUM;
    size_t dw = ckp__display_width(t);
    size_t pad = w->width[c] > dw ? w->width[c] - dw : 0;
    if (c > 0)
        *pending += 2;
    if (right)
        *pending += pad;
    if (*t) {
        fprintf(w->out, "%*s", (int)*pending, "");
        fputs(t, w->out);
        *pending = 0;
    }
    if (!right)
        *pending += pad;
}

static void table_flush(ckp_writer *w)
{
    if (w->rows == 0 && w->header_done)
        return;
    if (w->fit_width) {
        ckp__fit_flush(w);
        return;
    }
    for (size_t c = 0; c < w->ncols; c++) {
        size_t hw = ckp__display_width(w->cols[c].name);
        if (hw > w->width[c])
            w->width[c] = hw;
    }
    if (!w->header_done) {
        size_t pending = 0;
        for (size_t c = 0; c < w->ncols; c++)
            table_cell(w, c, w->cols[c].name, &pending);
        fputc('\n', w->out);
        w->header_done = 1;
    }
    for (size_t r = 0; r < w->rows; r++) {
        size_t pending = 0;
        for (size_t c = 0; c < w->ncols; c++) {
            cell *cl = &w->cells[r * w->ncols + c];
            table_cell(w, c, cl->text ? cl->text : "", &pending);
            free(cl->text);
            cl->text = NULL;
        }
        fputc('\n', w->out);
    }
    w->rows = 0;
}

/* The CSV header row: the column names. */
static void csv_header(ckp_writer *w)
{
    for (size_t c = 0; c < w->ncols; c++) {
        if (c)
            fputc(',', w->out);
        csv_write_field(w->out, w->cols[c].name, strlen(w->cols[c].name));
    }
    fputc('\n', w->out);
    w->header_done = 1;
}

void ckp_row_write_json(const ckp_row *row, FILE *out)
{
    fputc('{', out);
    for (size_t c = 0; c < row->ncols; c++) {
        if (c)
            fputc(',', out);
        ckp_json_write_string(out, row->cols[c].name, strlen(row->cols[c].name));
        fputc(':', out);
        const char *t = row->text[c];
        if (row->kind[c] == CKP_CELL_NULL)
            fputs("null", out);
        else if (row->kind[c] == CKP_CELL_TEXT)
            ckp_json_write_string(out, t, row->len[c]);
        else
            fputs(t, out);
    }
    fputc('}', out);
}

/* The table keeps the row's cells (written a block at a time, aligned);
 * CSV and JSON write it now. */
static ckp_status file_row(ckp_writer *w)
{
    if (w->fmt == CKP_FMT_TABLE) {
        for (size_t c = 0; c < w->ncols; c++) {
            w->cells[w->rows * w->ncols + c].text = w->rowtxt[c];
            size_t dw = ckp__display_width(w->rowtxt[c]);
            if (dw > w->width[c])
                w->width[c] = dw;
            w->rowtxt[c] = NULL;
        }
        w->rows++;
        if (w->rows == TABLE_BLOCK)
            table_flush(w);
    } else if (w->fmt == CKP_FMT_CSV) {
        if (!w->header_done)
            csv_header(w);
        for (size_t c = 0; c < w->ncols; c++) {
            if (c)
                fputc(',', w->out);
            csv_write_field(w->out, w->rowtxt[c], w->rowlen[c]);
        }
        fputc('\n', w->out);
    } else {
        ckp_row row;
        ckp__writer_row(w, &row);
        ckp_row_write_json(&row, w->out);
        fputc('\n', w->out);
    }
    if (ferror(w->out)) {
        w->io_error = 1;
        return ckp_error_set(&w->err, CKP_EIO, NULL, 0, 0, "cannot write output");
    }
    return CKP_OK;
}

static ckp_status file_finish(ckp_writer *w)
{
    if (w->fmt == CKP_FMT_TABLE) {
        table_flush(w);
        if (w->fit_width)
            ckp__fit_footer(w);
    } else if (w->fmt == CKP_FMT_CSV && !w->header_done) {
        csv_header(w);
    }
    if (fflush(w->out) != 0 || ferror(w->out) || w->io_error)
        return CKP_EIO;
    return CKP_OK;
}

const ckp__sink ckp__sink_file = {file_row, file_finish};

ckp_writer *ckp_writer_new(FILE *out, ckp_format fmt, const ckp_column *cols, size_t ncols)
{
    ckp_writer *w = ckp__writer_alloc(&ckp__sink_file, fmt, cols, ncols);
    if (w)
        w->out = out;
    return w;
}

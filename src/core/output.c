/* output.c — table / CSV / JSON Lines writer (see output.h). */
#include "chokepoint/output.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TABLE_BLOCK 4096 /* rows buffered per table block */

typedef struct cell {
    char *text; /* NULL = null */
} cell;

struct ckp_writer {
    FILE *out;
    ckp_format fmt;
    const ckp_column *cols;
    size_t ncols;
    size_t cur;          /* next cell index in the row */
    int header_done;
    int io_error;
    /* table mode */
    cell *cells;         /* TABLE_BLOCK * ncols */
    size_t rows;
    size_t *width;
    /* csv/json: the current row's cells, as text ready to print */
    char **rowtxt;
    int *rowkind;        /* 0 null, 1 string, 2 number/raw */
};

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

ckp_writer *ckp_writer_new(FILE *out, ckp_format fmt, const ckp_column *cols, size_t ncols)
{
    ckp_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->out = out;
    w->fmt = fmt;
    w->cols = cols;
    w->ncols = ncols;
    w->rowtxt = calloc(ncols ? ncols : 1, sizeof *w->rowtxt);
    w->rowkind = calloc(ncols ? ncols : 1, sizeof *w->rowkind);
    w->width = calloc(ncols ? ncols : 1, sizeof *w->width);
    if (fmt == CKP_FMT_TABLE)
        w->cells = calloc(TABLE_BLOCK * (ncols ? ncols : 1), sizeof *w->cells);
    if (!w->rowtxt || !w->rowkind || !w->width || (fmt == CKP_FMT_TABLE && !w->cells)) {
        ckp_writer_free(w);
        return NULL;
    }
    return w;
}

static void put_cell(ckp_writer *w, char *text, int kind)
{
    if (w->cur >= w->ncols) {
        free(text);
        return;
    }
    free(w->rowtxt[w->cur]);
    w->rowtxt[w->cur] = text;
    w->rowkind[w->cur] = text ? kind : 0;
    w->cur++;
}

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void ckp_writer_strn(ckp_writer *w, const char *s, size_t n)
{
    put_cell(w, s ? dupn(s, n) : NULL, 1);
}

void ckp_writer_str(ckp_writer *w, const char *s)
{
    ckp_writer_strn(w, s, s ? strlen(s) : 0);
}

void ckp_writer_null(ckp_writer *w) { put_cell(w, NULL, 0); }

void ckp_writer_json(ckp_writer *w, const char *raw)
{
    put_cell(w, raw ? dupn(raw, strlen(raw)) : NULL, 2);
}

void ckp_writer_int(ckp_writer *w, long long v)
{
    char buf[32];
    if (w->fmt == CKP_FMT_TABLE)
        ckp_format_thousands((double)v, 0, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "%lld", v);
    put_cell(w, dupn(buf, strlen(buf)), 2);
}

void ckp_writer_num(ckp_writer *w, double v)
{
    if (!isfinite(v)) {
        put_cell(w, NULL, 0);
        return;
    }
    int dec = w->cur < w->ncols ? w->cols[w->cur].decimals : -1;
    char buf[64];
    if (w->fmt == CKP_FMT_TABLE && dec >= 0)
        ckp_format_thousands(v, dec, buf, sizeof buf);
    else if (dec >= 0)
        snprintf(buf, sizeof buf, "%.*f", dec, v);
    else
        snprintf(buf, sizeof buf, "%.15g", v);
    if (strcmp(buf, "-0") == 0 || strncmp(buf, "-0.", 3) == 0) {
        int allzero = 1;
        for (const char *p = buf + 1; *p; p++)
            if (*p != '0' && *p != '.')
                allzero = 0;
        if (allzero)
            memmove(buf, buf + 1, strlen(buf));
    }
    put_cell(w, dupn(buf, strlen(buf)), 2);
}

char *ckp_format_thousands(double v, int decimals, char *buf, size_t n)
{
    char raw[64];
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

void ckp_json_write_string(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (ch < 0x20)
                fprintf(out, "\\u%04x", ch);
            else
                fputc(ch, out);
        }
    }
    fputc('"', out);
}

static void csv_write_field(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static size_t display_width(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static void table_flush(ckp_writer *w)
{
    if (w->rows == 0 && w->header_done)
        return;
    for (size_t c = 0; c < w->ncols; c++) {
        size_t hw = display_width(w->cols[c].name);
        if (hw > w->width[c])
            w->width[c] = hw;
    }
    if (!w->header_done) {
        for (size_t c = 0; c < w->ncols; c++) {
            int right = w->cols[c].type == CKP_COL_INT || w->cols[c].type == CKP_COL_NUM;
            size_t pad = w->width[c] - display_width(w->cols[c].name);
            if (right)
                fprintf(w->out, "%*s", (int)pad, "");
            fputs(w->cols[c].name, w->out);
            if (!right && c + 1 < w->ncols)
                fprintf(w->out, "%*s", (int)pad, "");
            if (c + 1 < w->ncols)
                fputs("  ", w->out);
        }
        fputc('\n', w->out);
        w->header_done = 1;
    }
    for (size_t r = 0; r < w->rows; r++) {
        for (size_t c = 0; c < w->ncols; c++) {
            cell *cl = &w->cells[r * w->ncols + c];
            const char *t = cl->text ? cl->text : "";
            int right = w->cols[c].type == CKP_COL_INT || w->cols[c].type == CKP_COL_NUM;
            size_t dw = display_width(t);
            size_t pad = w->width[c] > dw ? w->width[c] - dw : 0;
            if (right)
                fprintf(w->out, "%*s", (int)pad, "");
            fputs(t, w->out);
            if (!right && c + 1 < w->ncols)
                fprintf(w->out, "%*s", (int)pad, "");
            if (c + 1 < w->ncols)
                fputs("  ", w->out);
            free(cl->text);
            cl->text = NULL;
        }
        fputc('\n', w->out);
    }
    w->rows = 0;
}

ckp_status ckp_writer_end_row(ckp_writer *w)
{
    while (w->cur < w->ncols)
        put_cell(w, NULL, 0);
    if (w->fmt == CKP_FMT_TABLE) {
        for (size_t c = 0; c < w->ncols; c++) {
            w->cells[w->rows * w->ncols + c].text = w->rowtxt[c];
            size_t dw = display_width(w->rowtxt[c]);
            if (dw > w->width[c])
                w->width[c] = dw;
            w->rowtxt[c] = NULL;
        }
        w->rows++;
        if (w->rows == TABLE_BLOCK)
            table_flush(w);
    } else if (w->fmt == CKP_FMT_CSV) {
        if (!w->header_done) {
            for (size_t c = 0; c < w->ncols; c++) {
                if (c)
                    fputc(',', w->out);
                csv_write_field(w->out, w->cols[c].name);
            }
            fputc('\n', w->out);
            w->header_done = 1;
        }
        for (size_t c = 0; c < w->ncols; c++) {
            if (c)
                fputc(',', w->out);
            csv_write_field(w->out, w->rowtxt[c]);
        }
        fputc('\n', w->out);
    } else {
        fputc('{', w->out);
        for (size_t c = 0; c < w->ncols; c++) {
            if (c)
                fputc(',', w->out);
            ckp_json_write_string(w->out, w->cols[c].name, strlen(w->cols[c].name));
            fputc(':', w->out);
            const char *t = w->rowtxt[c];
            if (w->rowkind[c] == 0)
                fputs("null", w->out);
            else if (w->rowkind[c] == 2)
                fputs(t, w->out);
            else
                ckp_json_write_string(w->out, t, strlen(t));
        }
        fputs("}\n", w->out);
    }
    for (size_t c = 0; c < w->ncols; c++) {
        free(w->rowtxt[c]);
        w->rowtxt[c] = NULL;
        w->rowkind[c] = 0;
    }
    w->cur = 0;
    if (ferror(w->out)) {
        w->io_error = 1;
        return CKP_EIO;
    }
    return CKP_OK;
}

ckp_status ckp_writer_finish(ckp_writer *w)
{
    if (w->cur > 0)
        ckp_writer_end_row(w);
    if (w->fmt == CKP_FMT_TABLE)
        table_flush(w);
    else if (w->fmt == CKP_FMT_CSV && !w->header_done) {
        for (size_t c = 0; c < w->ncols; c++) {
            if (c)
                fputc(',', w->out);
            csv_write_field(w->out, w->cols[c].name);
        }
        fputc('\n', w->out);
        w->header_done = 1;
    }
    if (fflush(w->out) != 0 || ferror(w->out) || w->io_error)
        return CKP_EIO;
    return CKP_OK;
}

void ckp_writer_free(ckp_writer *w)
{
    if (!w)
        return;
    if (w->cells) {
        for (size_t i = 0; i < TABLE_BLOCK * w->ncols; i++)
            free(w->cells[i].text);
        free(w->cells);
    }
    if (w->rowtxt)
        for (size_t c = 0; c < w->ncols; c++)
            free(w->rowtxt[c]);
    free(w->rowtxt);
    free(w->rowkind);
    free(w->width);
    free(w);
}

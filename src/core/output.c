/* output.c — table / CSV / JSON Lines writer (see output.h). */
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

ckp_writer *ckp_writer_new(FILE *out, ckp_format fmt, const ckp_column *cols, size_t ncols)
{
    ckp_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->out = out;
    w->fmt = fmt;
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

ckp_status ckp_writer_tail(ckp_writer *w, const ckp_column *tail, size_t ntail,
                           ckp_writer_fill_fn fill, void *ctx)
{
    if (w->fill)
        return CKP_OK; /* one tail only */
    if (w->fmt == CKP_FMT_TABLE || ntail == 0) {
        /* the table says it under the rows: fill sees each row, adds no cells */
        w->fill = fill;
        w->fill_ctx = ctx;
        return CKP_OK;
    }
    size_t n = w->nown + ntail;
    ckp_column *all = malloc(n * sizeof *all);
    char **txt = calloc(n, sizeof *txt);
    size_t *len = calloc(n, sizeof *len);
    int *kind = calloc(n, sizeof *kind);
    if (!all || !txt || !len || !kind) {
        free(all);
        free(txt);
        free(len);
        free(kind);
        return CKP_ENOMEM;
    }
    memcpy(all, w->cols, w->nown * sizeof *all);
    memcpy(all + w->nown, tail, ntail * sizeof *all);
    for (size_t c = 0; c < w->cur; c++) {
        txt[c] = w->rowtxt[c];
        len[c] = w->rowlen[c];
        kind[c] = w->rowkind[c];
    }
    free(w->rowtxt);
    free(w->rowlen);
    free(w->rowkind);
    w->rowtxt = txt;
    w->rowlen = len;
    w->rowkind = kind;
    w->allcols = all;
    w->cols = all;
    w->ncols = n;
    w->fill = fill;
    w->fill_ctx = ctx;
    return CKP_OK;
}

/* Take text (len bytes, NUL-terminated, owned from now on; NULL = null) as
 * the next cell. */
static void put_cell(ckp_writer *w, char *text, size_t len, int kind)
{
    if (w->cur >= w->ncols) {
        free(text);
        return;
    }
    free(w->rowtxt[w->cur]);
    w->rowtxt[w->cur] = text;
    w->rowlen[w->cur] = text ? len : 0;
    w->rowkind[w->cur] = text ? kind : 0;
    w->cur++;
}

void ckp_writer_strn(ckp_writer *w, const char *s, size_t n)
{
    put_cell(w, s ? ckp__dupn(s, n) : NULL, n, 1);
}

void ckp_writer_str(ckp_writer *w, const char *s)
{
    ckp_writer_strn(w, s, s ? strlen(s) : 0);
}

void ckp_writer_null(ckp_writer *w) { put_cell(w, NULL, 0, 0); }

void ckp_writer_json(ckp_writer *w, const char *raw)
{
    size_t n = raw ? strlen(raw) : 0;
    put_cell(w, raw ? ckp__dupn(raw, n) : NULL, n, 2);
}

void ckp_writer_int(ckp_writer *w, long long v)
{
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
    put_cell(w, ckp__dupn(buf, strlen(buf)), strlen(buf), 2);
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
        put_cell(w, NULL, 0, 0);
        return;
    }
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
    put_cell(w, ckp__dupn(buf, strlen(buf)), strlen(buf), 2);
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

/* Length of the valid UTF-8 sequence at p (2..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    size_t k = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3
             : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    if (!k || k > n)
        return 0;
    for (size_t j = 1; j < k; j++)
        if ((p[j] & 0xC0) != 0x80)
            return 0;
    if ((b == 0xE0 && p[1] < 0xA0) || (b == 0xED && p[1] >= 0xA0) ||
        (b == 0xF0 && p[1] < 0x90) || (b == 0xF4 && p[1] >= 0x90))
        return 0;
    return k;
}

void ckp_json_write_string(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x80) {
            /* JSON text is UTF-8: an invalid byte becomes U+FFFD */
            size_t k = utf8_len((const unsigned char *)s + i, n - i);
            if (k) {
                fwrite(s + i, 1, k, out);
                i += k - 1;
            } else {
                fputs("\\ufffd", out);
            }
            continue;
        }
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

/* ---- jansson values out (ckp_json_dumpf) ---------------------------------- */

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A real as people write it: the shortest form that reads back exactly, with
 * ".0" kept on whole numbers so that a reader still sees a real (jansson's
 * rule); NaN and infinities, which JSON cannot hold, as null. */
static void json_put_real(FILE *out, double v)
{
    char buf[64];
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    ckp_format_shortest(v, buf, sizeof buf);
    fputs(buf, out);
    if (!strpbrk(buf, ".eE"))
        fputs(".0", out);
}

static int json_put(const json_t *j, FILE *out, int sort_keys)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(j), i = 0;
        const char **keys = malloc((n ? n : 1) * sizeof *keys);
        if (!keys)
            return -1;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) keys[i++] = k;
        if (sort_keys)
            qsort(keys, n, sizeof *keys, key_cmp);
        int rc = 0;
        fputc('{', out);
        for (i = 0; i < n && rc == 0; i++) {
            if (i)
                fputc(',', out);
            ckp_json_write_string(out, keys[i], strlen(keys[i]));
            fputc(':', out);
            rc = json_put(json_object_get(j, keys[i]), out, sort_keys);
        }
        fputc('}', out);
        free(keys);
        return rc;
    }
    case JSON_ARRAY: {
        int rc = 0;
        fputc('[', out);
        for (size_t i = 0; i < json_array_size(j) && rc == 0; i++) {
            if (i)
                fputc(',', out);
            rc = json_put(json_array_get(j, i), out, sort_keys);
        }
        fputc(']', out);
        return rc;
    }
    case JSON_STRING:
        ckp_json_write_string(out, json_string_value(j), json_string_length(j));
        return 0;
    case JSON_INTEGER:
        fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        return 0;
    case JSON_REAL:
        json_put_real(out, json_real_value(j));
        return 0;
    case JSON_TRUE:
        fputs("true", out);
        return 0;
    case JSON_FALSE:
        fputs("false", out);
        return 0;
    default:
        fputs("null", out);
        return 0;
    }
}

int ckp_json_dumpf(const json_t *j, FILE *out, int sort_keys)
{
    if (!j)
        return -1;
    int rc = json_put(j, out, sort_keys);
    return rc == 0 && !ferror(out) ? 0 : -1;
}

char *ckp_json_dumps(const json_t *j, int sort_keys)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int rc = ckp_json_dumpf(j, f, sort_keys);
    if (fclose(f) != 0 || rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

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

size_t ckp_writer_count(const ckp_writer *w) { return w->ended; }

size_t ckp_writer_infinite(const ckp_writer *w) { return w->infinite; }

ckp_status ckp_writer_end_row(ckp_writer *w)
{
    while (w->cur < w->nown)
        put_cell(w, NULL, 0, 0);
    if (w->fill)
        w->fill(w->fill_ctx, w);
    while (w->cur < w->ncols)
        put_cell(w, NULL, 0, 0);
    w->ended++;
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
        if (!w->header_done) {
            for (size_t c = 0; c < w->ncols; c++) {
                if (c)
                    fputc(',', w->out);
                csv_write_field(w->out, w->cols[c].name, strlen(w->cols[c].name));
            }
            fputc('\n', w->out);
            w->header_done = 1;
        }
        for (size_t c = 0; c < w->ncols; c++) {
            if (c)
                fputc(',', w->out);
            csv_write_field(w->out, w->rowtxt[c], w->rowlen[c]);
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
                ckp_json_write_string(w->out, t, w->rowlen[c]);
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
    if (w->fmt == CKP_FMT_TABLE) {
        table_flush(w);
        if (w->fit_width)
            ckp__fit_footer(w);
    } else if (w->fmt == CKP_FMT_CSV && !w->header_done) {
        for (size_t c = 0; c < w->ncols; c++) {
            if (c)
                fputc(',', w->out);
            csv_write_field(w->out, w->cols[c].name, strlen(w->cols[c].name));
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

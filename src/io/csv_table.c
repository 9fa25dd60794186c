/* csv_table.c — see csv_table.h. */
#include "io/csv_table.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Index of one asked name ("?x", "a|b") in csv's header, or -1. */
static int find_column(const ckp_csv *csv, const char *asked)
{
    const char *p = asked[0] == '?' ? asked + 1 : asked;
    for (;;) {
        size_t n = strcspn(p, "|");
        char name[128];
        if (n < sizeof name) {
            memcpy(name, p, n);
            name[n] = '\0';
            int i = ckp_csv_column(csv, name);
            if (i >= 0)
                return i;
        }
        if (!p[n])
            return -1;
        p += n + 1;
    }
}

/* "file:1: no column "x" in the header (it needs a, b, c)". */
static ckp_status missing_column(const ckp_table *t, const char *asked, ckp_error *err)
{
    char needs[400];
    size_t o = 0;
    needs[0] = '\0';
    for (size_t k = 0; k < t->ncols && o < sizeof needs; k++)
        if (t->cols[k][0] != '?') {
            int w = snprintf(needs + o, sizeof needs - o, "%s%s", o ? ", " : "", t->cols[k]);
            o += w > 0 ? (size_t)w : 0;
        }
    return ckp_error_set(err, CKP_EPARSE, ckp_csv_name(t->csv), 1, 0,
                         "no column \"%s\" in the header (it needs %s)", asked, needs);
}

static ckp_status map_columns(ckp_table *t, ckp_error *err)
{
    for (t->ncols = 0; t->cols[t->ncols]; t->ncols++) {
        if (t->ncols == CKP_TABLE_MAX_COLS)
            return ckp_error_set(err, CKP_ELIMIT, ckp_csv_name(t->csv), 0, 0,
                                 "more than %d columns asked for", CKP_TABLE_MAX_COLS);
        t->col[t->ncols] = find_column(t->csv, t->cols[t->ncols]);
    }
    for (size_t k = 0; k < t->ncols; k++)
        if (t->col[k] < 0 && t->cols[k][0] != '?')
            return missing_column(t, t->cols[k], err);
    return CKP_OK;
}

static ckp_status walk_rows(const ckp_table_spec *spec, ckp_table *t, ckp_error *err)
{
    for (;;) {
        int r = spec->on_bad ? ckp_csv_next_good(t->csv, spec->on_bad, spec->bad_ctx, err)
                             : ckp_csv_next(t->csv, err);
        if (r == 0)
            break;
        if (r < 0)
            return err && err->code ? err->code : CKP_EPARSE;
        ckp_status st = spec->row(spec->ctx, t, err);
        if (st != CKP_OK)
            return st;
    }
    if (ckp_csv_failed(t->csv))
        return err && err->code ? err->code : CKP_EIO;
    return CKP_OK;
}

ckp_status ckp_table_load(const ckp_table_spec *spec, ckp_error *err)
{
    ckp_csv_opts defaults;
    ckp_csv_opts_init(&defaults);
    defaults.delim = ',';
    ckp_table t = {.cols = spec->cols};
    ckp_error open_err;
    const ckp_csv_opts *o = spec->opts ? spec->opts : &defaults;
    ckp_status st = spec->buf ? ckp_csv_open_mem(spec->buf, spec->len,
                                                 spec->path ? spec->path : "(memory)", o,
                                                 &t.csv, &open_err)
                              : ckp_csv_open(spec->path, o, &t.csv, &open_err);
    if (st == CKP_ENOTFOUND && spec->missing_ok)
        return CKP_OK;
    if (st != CKP_OK) {
        if (err)
            *err = open_err;
        return st;
    }
    st = map_columns(&t, err);
    if (st == CKP_OK)
        st = walk_rows(spec, &t, err);
    ckp_csv_close(t.csv);
    return st;
}

int ckp_table_has(const ckp_table *t, size_t k) { return k < t->ncols && t->col[k] >= 0; }

ckp_field ckp_table_field(const ckp_table *t, size_t k)
{
    if (!ckp_table_has(t, k))
        return (ckp_field){NULL, 0};
    return ckp_field_trim(ckp_csv_field(t->csv, (size_t)t->col[k]));
}

static ckp_status row_error(const ckp_table *t, ckp_error *err, ckp_status code,
                            const char *prefix, const char *fmt, va_list ap)
{
    char msg[sizeof err->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return ckp_error_set(err, code, ckp_csv_name(t->csv), ckp_csv_line(t->csv), 0, "%s%s",
                         prefix, msg);
}

ckp_status ckp_table_error(const ckp_table *t, ckp_error *err, ckp_status code,
                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ckp_status st = row_error(t, err, code, "", fmt, ap);
    va_end(ap);
    return st;
}

ckp_status ckp_table_field_error(const ckp_table *t, size_t k, ckp_error *err,
                                 ckp_status code, const char *fmt, ...)
{
    char prefix[160] = "";
    if (k < t->ncols)
        snprintf(prefix, sizeof prefix, "column \"%s\": ",
                 t->cols[k] + (t->cols[k][0] == '?'));
    va_list ap;
    va_start(ap, fmt);
    ckp_status st = row_error(t, err, code, prefix, fmt, ap);
    va_end(ap);
    return st;
}

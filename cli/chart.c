/* chart.c — `--chart` of surge and dependency (see cli.h): a small chart on
 * the terminal in UTF-8 block characters, fitted to its width — the series
 * as a sparkline with the measure dates marked (surge), bars of the
 * suppliers' shares (dependency).  The verb runs as usual; its rows are read
 * back as the JSON rows of DESIGN.md, the same contract every client has. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "chokepoint/coverage.h"
#include "chokepoint/measures.h"
#include "chokepoint/verb.h"
#include "cli.h"

#define CHART_MAX_ROWS 100000 /* more rows than this are refused, not cut */
#define LABEL_MAX 20          /* bar labels ("CHN China") are cut past this */

static const char *const spark_chars[8] = {"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83",
                                           "\xE2\x96\x84", "\xE2\x96\x85", "\xE2\x96\x86",
                                           "\xE2\x96\x87", "\xE2\x96\x88"}; /* ▁…█ */
static const char *const eighths[8] = {"", "\xE2\x96\x8F", "\xE2\x96\x8E", "\xE2\x96\x8D",
                                       "\xE2\x96\x8C", "\xE2\x96\x8B", "\xE2\x96\x8A",
                                       "\xE2\x96\x89"}; /* ▏…▉ */
#define FULL_BLOCK "\xE2\x96\x88"
#define MARK_MEASURE "\xE2\x96\xB2" /* ▲ */
#define MARK_FLAG "\xE2\x80\xA2"    /* • */

/* ---- small text helpers ---------------------------------------------------- */

/* Terminal columns of s; *bytes and *fitcols (when not NULL) get the
 * length and the columns of its longest prefix that takes at most max. */
static size_t text_cols(const char *s, size_t max, size_t *bytes, size_t *fitcols)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(s);
    size_t off = 0, n = 0, fit = 0, fitn = 0;
    while (len > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p + off, len, &cp);
        size_t cw = 1;
        if (k <= 0)
            k = 1;
        else
            cw = utf8proc_charwidth(cp) > 0 ? (size_t)utf8proc_charwidth(cp) : 0;
        n += cw;
        off += (size_t)k;
        len -= k;
        if (n <= max) {
            fit = off;
            fitn = n;
        }
    }
    if (bytes)
        *bytes = fit;
    if (fitcols)
        *fitcols = fitn;
    return n;
}

static const char *jstr(const json_t *row, const char *key)
{
    const char *s = json_string_value(json_object_get(row, key));
    return s ? s : "";
}

/* A number field, or NAN when null or absent. */
static double jnum(const json_t *row, const char *key)
{
    const json_t *v = json_object_get(row, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* ---- rows of the verb -------------------------------------------------------- */

/* Run the verb with a JSON writer and read its rows back into an array. */
static ckp_status run_rows(const ckp_verb *v, ckp_env *env, const ckp_args *args, json_t **rows,
                           ckp_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    *rows = NULL;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    /* the verb's writer: its rows carry the provenance and coverage columns */
    ckp_writer *w = ckp_verb_writer_new(v, env, args, f, CKP_FMT_JSON);
    char summary[512];
    ckp_status st = w ? v->run(env, args, w, summary, sizeof summary, err)
                      : ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == CKP_OK)
        st = ckp_verb_coverage_status(w, err);
    if (st == CKP_OK && ckp_writer_finish(w) != CKP_OK)
        st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot collect the rows");
    ckp_writer_free(w);
    fclose(f);
    json_t *arr = st == CKP_OK ? json_array() : NULL;
    if (st == CKP_OK && !arr)
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (char *p = buf; st == CKP_OK && p && p < buf + len;) {
        char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(buf + len - p);
        json_error_t jerr;
        json_t *row = n ? json_loadb(p, n, 0, &jerr) : NULL;
        if (n && !row)
            st = ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "row %zu of %s: %s",
                               json_array_size(arr) + 1, v->name, jerr.text);
        else if (row && json_array_size(arr) >= CHART_MAX_ROWS)
            st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                               "--chart draws at most %d rows; narrow the query",
                               CHART_MAX_ROWS);
        if (row && st == CKP_OK)
            json_array_append(arr, row);
        json_decref(row);
        p += n + 1;
    }
    free(buf);
    if (st != CKP_OK)
        json_decref(arr);
    else
        *rows = arr;
    return st;
}

/* ---- surge: sparklines ------------------------------------------------------- */

typedef struct mark {
    char period[16]; /* the period the date falls in, as the series writes it */
    char label[96];  /* "CN-2023-39 2023-12-01" */
} mark;

#define MAX_MARKS 32

/* "2023-12-01" → the series' period: "2023-12" (monthly) or "2023". */
static void date_period(const char *date, int monthly, char *out, size_t n)
{
    snprintf(out, n, "%.*s", monthly ? 7 : 4, date);
}

/* s starts with YYYY-MM-DD. */
static int is_date(const char *s)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

static int is_period(const char *s)
{
    size_t n = strlen(s);
    if (n != 4 && n != 7)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

/* The measures of the register that the series can show: issued by (or
 * binding) the reporter, on one of its HS codes, towards the partner when
 * there is one.  Their start dates are marked. */
static int register_marks(ckp_env *env, const ckp_args *args, mark *marks, int max)
{
    const ckp_measures *ms = NULL;
    ckp_hsset *hs = NULL;
    int reporter = -1, partner = -1, n = 0;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_args_country(args, ckp_env_ref(env), "reporter", 0, &reporter, &err) != CKP_OK ||
        ckp_args_country(args, ckp_env_ref(env), "partner", 0, &partner, &err) != CKP_OK ||
        ckp_args_hsset(args, ckp_env_ref(env), "hs", 0, &hs, &err) != CKP_OK || !hs || reporter < 0 ||
        ckp_measures_from_env(env, &ms, &err) != CKP_OK) {
        ckp_hsset_free(hs);
        return 0;
    }
    for (int i = 0; i < ckp_measures_count(ms) && n < max; i++) {
        const ckp_measure *m = ckp_measures_at(ms, i);
        if (m->kind == CKP_MEASURE_SUSPENSION || !ckp_measure_covers_flow(m, reporter, partner))
            continue;
        int covers = 0;
        for (const char *p = m->hs_codes; p && *p && !covers;) {
            covers = ckp_hsset_has(hs, (uint32_t)strtoul(p, NULL, 10));
            p += strcspn(p, ";");
            p += *p == ';';
        }
        if (!covers)
            continue;
        char d[16];
        ckp_measure_date_format(ckp_measure_start(m), d);
        snprintf(marks[n].label, sizeof marks[n].label, "%s %s%s", m->id, d,
                 ckp_measure_first_applied(m) != ckp_measure_start(m)
                     ? " (suspended before taking effect)"
                     : "");
        snprintf(marks[n].period, sizeof marks[n].period, "%s", d);
        n++;
    }
    ckp_hsset_free(hs);
    return n;
}

/* One series [from, to) of rows: title, sparkline, marks, axis, legend. */
static void spark_series(FILE *out, json_t *rows, size_t from, size_t to, const mark *marks,
                         int nmarks, size_t width)
{
    size_t n = to - from;
    json_t *first = json_array_get(rows, from), *last = json_array_get(rows, to - 1);
    int monthly = strlen(jstr(first, "period")) == 7;
    size_t k = (n + width - 1) / width; /* periods per character */
    size_t ncols = (n + k - 1) / k;
    double max = 0;
    for (size_t i = from; i < to; i++) {
        double v = jnum(json_array_get(rows, i), "value");
        if (v > max)
            max = v;
    }
    char mx[64], title[400];
    ckp_format_thousands(max, 0, mx, sizeof mx);
    const char *partner = jstr(first, "partner");
    snprintf(title, sizeof title, "%s to %s, HS %s: value by %s, %s to %s (%zu), max %s",
             jstr(first, "reporter"), strcmp(partner, "*") == 0 ? "all partners" : partner,
             jstr(first, "hs"),
             monthly ? "month" : "year", jstr(first, "period"), jstr(last, "period"), n, mx);
    cli_wrap(out, title, width);
    if (k > 1)
        fprintf(out, "(one character = %zu %s, their mean)\n", k, monthly ? "months" : "years");
    char *markline = calloc(ncols, 1);
    if (!markline)
        return;
    for (size_t c = 0; c < ncols; c++) {
        double sum = 0;
        size_t got = 0;
        for (size_t i = from + c * k; i < from + (c + 1) * k && i < to; i++) {
            json_t *r = json_array_get(rows, i);
            double v = jnum(r, "value");
            if (!isnan(v)) {
                sum += v;
                got++;
            }
            if (*jstr(r, "flag") && !markline[c])
                markline[c] = 'f';
        }
        if (!got) {
            fputc(' ', out);
            continue;
        }
        double mean = sum / (double)got;
        int level = max > 0 && mean > 0 ? (int)(mean / max * 7.999) : 0;
        fputs(spark_chars[level < 0 ? 0 : level > 7 ? 7 : level], out);
    }
    fputc('\n', out);
    /* the measures' dates, where they fall in the series */
    char legend[2048] = "";
    size_t lo = 0;
    for (int m = 0; m < nmarks; m++) {
        char per[16];
        date_period(marks[m].period, monthly, per, sizeof per);
        size_t at = n;
        for (size_t i = from; i < to && at == n; i++)
            if (strcmp(jstr(json_array_get(rows, i), "period"), per) >= 0)
                at = i - from;
        int inside = at < n && strcmp(per, jstr(first, "period")) >= 0;
        if (inside)
            markline[at / k] = 'm';
        int w = snprintf(legend + lo, sizeof legend - lo, "%s%s %s%s", lo ? "; " : "",
                         MARK_MEASURE, marks[m].label, inside ? "" : " (outside the series)");
        if (w > 0 && (size_t)w < sizeof legend - lo)
            lo += (size_t)w;
    }
    size_t nflag = 0;
    for (size_t i = from; i < to; i++) {
        json_t *r = json_array_get(rows, i);
        if (!*jstr(r, "flag"))
            continue;
        int w = nflag < 6 ? snprintf(legend + lo, sizeof legend - lo, "%s%s %s %s",
                                     lo ? (nflag ? ", " : "; ") : "", nflag ? "" : MARK_FLAG
                                     " flagged:", jstr(r, "period"), jstr(r, "flag"))
                          : 0;
        if (w > 0 && (size_t)w < sizeof legend - lo)
            lo += (size_t)w;
        nflag++;
    }
    int any = 0;
    for (size_t c = 0; c < ncols; c++)
        any |= markline[c] != 0;
    if (any) {
        size_t pending = 0;
        for (size_t c = 0; c < ncols; c++) {
            if (!markline[c]) {
                pending++;
                continue;
            }
            fprintf(out, "%*s%s", (int)pending, "", markline[c] == 'm' ? MARK_MEASURE : MARK_FLAG);
            pending = 0;
        }
        fputc('\n', out);
    }
    free(markline);
    /* the axis: first and last period at the ends */
    const char *a = jstr(first, "period"), *b = jstr(last, "period");
    size_t gap = ncols > strlen(a) + strlen(b) ? ncols - strlen(a) - strlen(b) : 1;
    fprintf(out, "%s%*s%s\n", a, (int)gap, "", b);
    if (nflag > 6) {
        int w = snprintf(legend + lo, sizeof legend - lo, " and %zu more", nflag - 6);
        if (w > 0 && (size_t)w < sizeof legend - lo)
            lo += (size_t)w;
    }
    if (lo)
        cli_wrap(out, legend, width);
}

static int chart_surge(FILE *out, json_t *rows, ckp_env *env, const ckp_args *args, size_t width)
{
    mark marks[MAX_MARKS];
    int nmarks = register_marks(env, args, marks, MAX_MARKS);
    /* --event DATE (or a measure outside the register): the event row */
    for (size_t i = 0; i < json_array_size(rows) && nmarks < MAX_MARKS; i++) {
        json_t *r = json_array_get(rows, i);
        if (strcmp(jstr(r, "flag"), "event") != 0)
            continue;
        const char *win = jstr(r, "window"), *d = win;
        while (*d && !is_date(d))
            d++;
        if (!*d)
            continue;
        int dup = 0;
        for (int m = 0; m < nmarks; m++)
            dup |= strncmp(marks[m].period, d, 10) == 0;
        if (dup)
            continue;
        snprintf(marks[nmarks].period, sizeof marks[nmarks].period, "%.10s", d);
        snprintf(marks[nmarks].label, sizeof marks[nmarks].label, "%s", win);
        nmarks++;
    }
    size_t drawn = 0, from = 0, n = json_array_size(rows);
    while (from < n) {
        json_t *r = json_array_get(rows, from);
        if (!is_period(jstr(r, "period"))) {
            from++;
            continue;
        }
        size_t to = from + 1;
        while (to < n) {
            json_t *q = json_array_get(rows, to);
            if (!is_period(jstr(q, "period")) ||
                strcmp(jstr(q, "reporter"), jstr(r, "reporter")) != 0 ||
                strcmp(jstr(q, "partner"), jstr(r, "partner")) != 0 ||
                strcmp(jstr(q, "hs"), jstr(r, "hs")) != 0)
                break;
            to++;
        }
        if (drawn++)
            fputc('\n', out);
        spark_series(out, rows, from, to, marks, nmarks, width);
        from = to;
    }
    return drawn ? 0 : -1;
}

/* ---- dependency: bars of the shares -------------------------------------------- */

static void bar(FILE *out, double share, size_t room)
{
    long eighths_total = share > 0 ? (long)(share * (double)room * 8 + 0.5) : 0;
    if (eighths_total > (long)room * 8)
        eighths_total = (long)room * 8;
    long full = eighths_total / 8, part = eighths_total % 8;
    for (long i = 0; i < full; i++)
        fputs(FULL_BLOCK, out);
    fputs(eighths[part], out);
    size_t used = (size_t)full + (part ? 1 : 0);
    fprintf(out, "%*s", (int)(room - used), "");
}

static int chart_dependency(FILE *out, json_t *rows, size_t width)
{
    size_t n = json_array_size(rows), labw = 0;
    char label[128];
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(rows, i);
        snprintf(label, sizeof label, "%s %s", jstr(r, "supplier"), jstr(r, "supplier_name"));
        size_t c = text_cols(label, 0, NULL, NULL);
        if (c > labw)
            labw = c;
    }
    if (labw > LABEL_MAX)
        labw = LABEL_MAX;
    /* "label  ████  88.4 %": the bar takes what the label and share leave */
    size_t room = width > labw + 11 ? width - labw - 11 : 10;
    const char *period = NULL;
    int drawn = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(rows, i);
        double share = jnum(r, "share");
        if (!period || strcmp(period, jstr(r, "period")) != 0) {
            period = jstr(r, "period");
            char total[64], title[300];
            ckp_format_thousands(jnum(r, "total"), 0, total, sizeof total);
            snprintf(title, sizeof title, "%s's imports of %s in %s by supplier (%s), total %s",
                     jstr(r, "importer"), jstr(r, "hs"), period,
                     strcmp(jstr(r, "source"), "mirror") == 0 ? "mirror: the suppliers' export "
                                                                "reports"
                                                              : "as the importer reports",
                     total);
            if (drawn)
                fputc('\n', out);
            cli_wrap(out, title, width);
            drawn = 1;
        }
        snprintf(label, sizeof label, "%s %s", jstr(r, "supplier"), jstr(r, "supplier_name"));
        size_t bytes, cols = text_cols(label, labw - 1, &bytes, NULL);
        if (cols > labw) { /* cut, and marked */
            text_cols(label, labw - 1, &bytes, &cols);
            fwrite(label, 1, bytes, out);
            fputs("\xE2\x80\xA6", out);
            cols++;
        } else {
            fputs(label, out);
        }
        fprintf(out, "%*s  ", (int)(labw - cols), "");
        bar(out, isnan(share) ? 0 : share, room);
        if (isnan(share))
            fputs("      ?\n", out);
        else
            fprintf(out, " %5.1f %%\n", share * 100);
    }
    return drawn ? 0 : -1;
}

/* The line under a chart, as under a table: the thinnest coverage of the
 * rows drawn from (the latest of equals), what it rests on; "" when none. */
static void chart_coverage(json_t *rows, char *line, size_t n)
{
    json_t *best = NULL;
    double bc = NAN;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        json_t *c = json_object_get(r, "coverage");
        if (json_is_number(c) && (isnan(bc) || json_number_value(c) <= bc)) {
            bc = json_number_value(c);
            best = r;
        }
    }
    const char *note = best ? json_string_value(json_object_get(best, "coverage_note")) : NULL;
    if (n)
        line[0] = '\0';
    if (!note || !n)
        return;
    if (strncmp(note, "thin: ", 6) == 0)
        note += 6;
    snprintf(line, n, "Coverage %.*f %%%s: %s", bc < 0.01 ? 2 : bc < 0.1 ? 1 : 0, 100 * bc,
             bc < CKP_COVERAGE_THIN ? " (thin)" : "", note);
}

ckp_status cli_chart(const ckp_verb *v, ckp_env *env, const ckp_args *args, int width,
                     FILE *out, char *coverage, size_t coverage_len, ckp_error *err)
{
    json_t *rows = NULL;
    ckp_status st = run_rows(v, env, args, &rows, err);
    if (st != CKP_OK)
        return st;
    size_t w = width > 0 ? (size_t)width : 80;
    if (w < 20)
        w = 20;
    int rc = strcmp(v->name, "surge") == 0 ? chart_surge(out, rows, env, args, w)
                                           : chart_dependency(out, rows, w);
    if (rc == 0)
        chart_coverage(rows, coverage, coverage_len);
    json_decref(rows);
    if (rc != 0)
        return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0, "%s",
                             strcmp(v->name, "surge") == 0
                                 ? "no series to draw (--by-partner and summaries have none)"
                                 : "no rows to draw");
    return fflush(out) == 0 ? CKP_OK : ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write");
}

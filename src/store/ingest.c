/* ingest.c — Comtrade, BACI and generic flows CSV into the store (see
 * ingest.h).  One pass per file through the project CSV reader; every field
 * is parsed in place (no copies, no strtod on the common path). */
#include "chokepoint/ingest.h"

#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chokepoint/csv.h"
#include "store/ingest_int.h"
#include "store/store_int.h"

#define MAX_FILES 4096
#define NAME_CACHE 4096 /* distinct country strings remembered (flows format) */

static const char *const reject_names[CKP_REJ_COUNT] = {
    "malformed-row", "missing-field", "bad-period",    "unknown-reporter",
    "unknown-partner", "bad-flow",    "bad-hs",        "hs-not-6-digit",
    "not-hs-classification", "bad-value", "bad-quantity", "breakdown-row",
    "duplicate-key", "value-out-of-range", "unknown-hs", "no-fx-rate"};

const char *ckp_reject_name(ckp_reject_reason r)
{
    return r >= 0 && r < CKP_REJ_COUNT ? reject_names[r] : "?";
}

static const char *const format_names[CKP_INGEST_NFORMATS] = {
    "auto", "comtrade", "baci", "flows", "comtrade-legacy", "comtradr", "comtrade-json",
    "comext", "comext-bulk"};

int ckp_ingest_format_parse(const char *s)
{
    for (int i = 0; i < CKP_INGEST_NFORMATS; i++)
        if (strcmp(s, format_names[i]) == 0)
            return i;
    return -1;
}

const char *ckp_ingest_format_name(ckp_ingest_format f)
{
    return f >= 0 && f < CKP_INGEST_NFORMATS ? format_names[f] : "?";
}

void ckp_ingest_opts_init(ckp_ingest_opts *o)
{
    memset(o, 0, sizeof *o);
    o->synthetic = -1;
}

typedef struct name_slot {
    char *s;
    int id; /* country id or -1 */
} name_slot;

typedef struct file_mark {
    uint64_t first_row; /* staging row of the file's first kept row */
    char *name;
} file_mark;

struct ckp_ingest {
    const ckp_ref *ref;
    ckp_ingest_opts opts;
    ckp_store_writer *w;
    ckp_ingest_stats stats;
    int source[CKP_INGEST_NFORMATS]; /* per format, registered on first use */
    int nref;
    int *by_comtrade;       /* code 0..999 → id, -2 = not looked up */
    int *by_baci;
    int *by_iso3;           /* 26^3 → id, -2 = not looked up */
    name_slot names[NAME_CACHE];
    file_mark files[MAX_FILES];
    int nfiles;
    const char *cur_file;
    /* HS6 code → 0 not looked up yet, 1 in the nomenclature, 2 not; for
     * HS2017 and HS2022 (allocated on first use; the two parser threads
     * of a big file may both fill a byte, with the same value) */
    uint8_t *hs_known[2];
    int hs_table[2];        /* the reference data has the HS2017 / HS2022 table */
    ckp_fx *eur;            /* EUR rates, loaded with the first Comext file */
};

/* ---- life cycle -------------------------------------------------------- */

static void dup_cb(uint64_t kept, uint32_t kept_line, uint64_t dup, uint32_t dup_line,
                   const ckp_flow *row, void *ctx);

ckp_status ckp_ingest_begin(const char *dir, const ckp_ref *ref, const ckp_ingest_opts *opts,
                            ckp_ingest **out, ckp_error *err)
{
    *out = NULL;
    ckp_ingest *ing = calloc(1, sizeof *ing);
    if (!ing)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ing->ref = ref;
    if (opts)
        ing->opts = *opts;
    else
        ckp_ingest_opts_init(&ing->opts);
    for (int i = 0; i < CKP_INGEST_NFORMATS; i++)
        ing->source[i] = -1;
    ing->nref = ckp_ref_country_count(ref);
    ing->by_comtrade = malloc(1000 * sizeof(int));
    ing->by_baci = malloc(1000 * sizeof(int));
    ing->by_iso3 = malloc(26 * 26 * 26 * sizeof(int));
    ing->hs_known[0] = calloc(1000000, 1);
    ing->hs_known[1] = calloc(1000000, 1);
    ing->hs_table[0] = ckp_ref_hs(ref, CKP_HS2017, 1, 2) != NULL;
    ing->hs_table[1] = ckp_ref_hs(ref, CKP_HS2022, 1, 2) != NULL;
    if (!ing->by_comtrade || !ing->by_baci || !ing->by_iso3 || !ing->hs_known[0] ||
        !ing->hs_known[1]) {
        ckp_ingest_abort(ing);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (int i = 0; i < 1000; i++)
        ing->by_comtrade[i] = ing->by_baci[i] = -2;
    for (int i = 0; i < 26 * 26 * 26; i++)
        ing->by_iso3[i] = -2;
    ckp_status st = ckp_store_writer_begin(dir, ref, ing->opts.replace, &ing->w, err);
    if (st != CKP_OK) {
        ckp_ingest_abort(ing);
        return st;
    }
    ckp_store_writer_on_duplicate(ing->w, dup_cb, ing);
    *out = ing;
    return CKP_OK;
}

void ckp_ingest_abort(ckp_ingest *ing)
{
    if (!ing)
        return;
    ckp_store_writer_abort(ing->w);
    free(ing->by_comtrade);
    free(ing->by_baci);
    free(ing->by_iso3);
    free(ing->hs_known[0]);
    free(ing->hs_known[1]);
    ckp_fx_free(ing->eur);
    for (int i = 0; i < NAME_CACHE; i++)
        free(ing->names[i].s);
    for (int i = 0; i < ing->nfiles; i++)
        free(ing->files[i].name);
    free(ing);
}

const ckp_ingest_stats *ckp_ingest_get_stats(const ckp_ingest *ing) { return &ing->stats; }

/* Rows were read and none was kept: the error that says why (a
 * spreadsheet whose numbers are all refused is not an empty success). */
static ckp_status none_kept(const ckp_ingest *ing, ckp_error *err)
{
    char why[400] = "";
    size_t len = 0;
    for (int r = 0; r < CKP_REJ_COUNT && len < sizeof why - 60; r++)
        if (ing->stats.by_reason[r])
            len += (size_t)snprintf(why + len, sizeof why - len, "%s%llu %s", len ? ", " : "",
                                    (unsigned long long)ing->stats.by_reason[r],
                                    reject_names[r]);
    return ckp_error_set(err, CKP_EPARSE, ing->nfiles == 1 ? ing->files[0].name : NULL, 0, 0,
                         "none of the %llu rows read was kept (%s); nothing is loaded",
                         (unsigned long long)ing->stats.rows_read, why);
}

ckp_status ckp_ingest_commit(ckp_ingest *ing, ckp_ingest_stats *stats, ckp_error *err)
{
    if (ing->stats.rows_read > 0 && ing->stats.rows_kept == 0) {
        ckp_status st = none_kept(ing, err);
        if (stats)
            *stats = ing->stats;
        ckp_ingest_abort(ing);
        return st;
    }
    ckp_store_commit_stats cs;
    ckp_store_writer *w = ing->w;
    ing->w = NULL;
    ckp_status st = ckp_store_writer_commit_stats(w, &cs, err);
    if (st == CKP_OK) {
        ing->stats.rows_kept = cs.rows_added;
        ing->stats.store_rows = cs.rows_total;
        ing->stats.rows_replaced = cs.rows_replaced;
        ing->stats.generation = cs.generation;
        ing->stats.store_bytes = cs.bytes;
    }
    if (stats)
        *stats = ing->stats;
    ckp_ingest_abort(ing);
    return st;
}

/* ---- rejects ----------------------------------------------------------- */

static void csv_put(FILE *f, const char *s, size_t n)
{
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

/* Count a rejected row in st and write it to f (when not NULL):
 * file,line,reason,detail,row. */
static void reject_row(ckp_ingest_stats *st, FILE *f, const char *file, long line,
                       ckp_reject_reason r, const char *detail, const ckp_field *fields,
                       size_t nf, const char *raw)
{
    st->by_reason[r]++;
    st->rows_rejected++;
    if (!f)
        return;
    csv_put(f, file, strlen(file));
    fprintf(f, ",%ld,%s,", line, reject_names[r]);
    csv_put(f, detail, strlen(detail));
    fputc(',', f);
    if (fields) {
        /* the row as read, fields re-joined with commas */
        char row[4096];
        size_t len = 0;
        for (size_t i = 0; i < nf && len < sizeof row - 1; i++) {
            ckp_field fl = fields[i];
            if (i)
                row[len++] = ',';
            for (size_t k = 0; k < fl.len && len < sizeof row - 1; k++)
                row[len++] = fl.ptr[k];
        }
        csv_put(f, row, len);
    } else if (raw) {
        csv_put(f, raw, strlen(raw));
    }
    fputc('\n', f);
}

static void dup_cb(uint64_t kept, uint32_t kept_line, uint64_t dup, uint32_t dup_line,
                   const ckp_flow *row, void *ctx)
{
    ckp_ingest *ing = ctx;
    const char *kf = "?", *df = "?";
    for (int i = 0; i < ing->nfiles; i++) {
        if (ing->files[i].first_row <= kept)
            kf = ing->files[i].name;
        if (ing->files[i].first_row <= dup)
            df = ing->files[i].name;
    }
    char detail[600], raw[256], hs[8], per[16];
    snprintf(detail, sizeof detail, "same period, reporter, partner, flow and HS code as %.280s:%u "
                                    "(kept; later duplicates are rejected, not summed)",
             kf, kept_line);
    const ckp_country *r = ckp_ref_country(ing->ref, row->reporter);
    const ckp_country *p = ckp_ref_country(ing->ref, row->partner);
    snprintf(raw, sizeof raw, "%s,%s,%s,%c,%s,%.17g", ckp_period_format(row->period, per),
             r ? r->iso3 : "?", p ? p->iso3 : "?", row->flow, ckp_hs_format(row->hs, 6, hs),
             row->value);
    reject_row(&ing->stats, ing->opts.rejects, df, dup_line, CKP_REJ_DUPLICATE, detail, NULL,
               0, raw);
    ing->stats.rows_kept--;
}

/* ---- field parsing ----------------------------------------------------- */

static ckp_field trim(ckp_field f)
{
    while (f.len && (*f.ptr == ' ' || *f.ptr == '\t')) {
        f.ptr++;
        f.len--;
    }
    while (f.len && (f.ptr[f.len - 1] == ' ' || f.ptr[f.len - 1] == '\t' ||
                     f.ptr[f.len - 1] == '\r'))
        f.len--;
    return f;
}

static const double pow10_tab[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

enum { NUM_OK = 0, NUM_EMPTY = 1, NUM_BAD = -1, NUM_NONFINITE = -2 };

/* A decimal number: NUM_OK with *out, NUM_EMPTY for "" (and NA, null, -),
 * NUM_NONFINITE for inf/NaN, NUM_BAD otherwise.  Plain decimals of up to 19
 * significant digits are converted exactly here (one correctly rounded
 * division); the rest goes to strtod. */
static int parse_num(ckp_field f, double *out)
{
    if (f.len == 0 || f.ptr[0] == ' ' || f.ptr[0] == '\t' || f.ptr[f.len - 1] == ' ' ||
        f.ptr[f.len - 1] == '\t' || f.ptr[f.len - 1] == '\r')
        f = trim(f);
    if (f.len == 0)
        return NUM_EMPTY;
    const char *p = f.ptr, *e = f.ptr + f.len;
    int neg = 0;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    uint64_t m = 0;
    int digits = 0, frac = 0, seen = 0;
    while (p < e && *p >= '0' && *p <= '9') {
        if (m || *p != '0')
            digits++;
        m = m * 10 + (uint64_t)(*p - '0');
        p++;
        seen = 1;
    }
    if (p < e && *p == '.') {
        p++;
        while (p < e && *p >= '0' && *p <= '9') {
            if (m || *p != '0')
                digits++;
            m = m * 10 + (uint64_t)(*p - '0');
            frac++;
            p++;
            seen = 1;
        }
    }
    if (p == e && seen && digits <= 15 && frac <= 22) {
        double v = (double)m / pow10_tab[frac];
        *out = neg ? -v : v;
        return NUM_OK;
    }
    /* the rare path: exponents, long mantissas, words */
    char buf[64];
    if (f.len >= sizeof buf)
        return NUM_BAD;
    memcpy(buf, f.ptr, f.len);
    buf[f.len] = 0;
    if (strcasecmp(buf, "na") == 0 || strcasecmp(buf, "null") == 0 ||
        strcasecmp(buf, "-") == 0 || strcasecmp(buf, "n/a") == 0)
        return NUM_EMPTY;
    const char *q = buf + (*buf == '-' || *buf == '+');
    if (strncasecmp(q, "inf", 3) == 0 || strncasecmp(q, "nan", 3) == 0)
        return NUM_NONFINITE;
    char *end;
    double v = strtod(buf, &end);
    if (end == buf || *end)
        return NUM_BAD;
    if (!isfinite(v))
        return NUM_NONFINITE;
    *out = v;
    return NUM_OK;
}

/* A non-negative integer field; -1 when not one. */
static long parse_int(ckp_field f)
{
    if (f.len == 0 || f.ptr[0] < '0' || f.ptr[0] > '9' || f.ptr[f.len - 1] < '0')
        f = trim(f);
    if (f.len == 0 || f.len > 12)
        return -1;
    long v = 0;
    size_t i = 0;
    for (; i < f.len && f.ptr[i] >= '0' && f.ptr[i] <= '9'; i++)
        v = v * 10 + (f.ptr[i] - '0');
    if (i == 0)
        return -1;
    if (i < f.len) { /* "842.0" */
        if (f.ptr[i] != '.')
            return -1;
        for (i++; i < f.len; i++)
            if (f.ptr[i] != '0')
                return -1;
    }
    return v;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

enum { PERIOD_FORM = -1, PERIOD_DATE = -2 };

/* A period as data writes it: 2023, 2023-08, 202308, 2023-08-01, 20230801
 * → YYYYMM or YYYY00; PERIOD_FORM when it is none of these (2023/08,
 * 2023-0801), PERIOD_DATE when the month or day does not exist
 * (2023-13, 2020-02-30). */
static int32_t parse_period(ckp_field f)
{
    f = trim(f);
    char d[8];
    int n = 0, dashes = 0;
    for (size_t i = 0; i < f.len; i++) {
        char c = f.ptr[i];
        if (c >= '0' && c <= '9') {
            if (n == 8)
                return PERIOD_FORM;
            d[n++] = c;
        } else if (c != '-' || (n != 4 && n != 6) || dashes != (n == 4 ? 0 : 1)) {
            return PERIOD_FORM;
        } else {
            dashes++;
        }
    }
    /* dashes: none, or after the year and (for a date) after the month */
    if ((n != 4 && n != 6 && n != 8) || (dashes && dashes != (n == 8 ? 2 : 1)) ||
        (n == 4 && dashes))
        return PERIOD_FORM;
    int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int m = n >= 6 ? (d[4] - '0') * 10 + (d[5] - '0') : 0;
    if (y < 1900 || y > 2200)
        return PERIOD_FORM;
    if (n >= 6 && (m < 1 || m > 12))
        return PERIOD_DATE;
    if (n == 8) {
        int day = (d[6] - '0') * 10 + (d[7] - '0');
        if (day < 1 || day > days_in_month(y, m))
            return PERIOD_DATE;
    }
    return y * 100 + m;
}

static int country_comtrade(ckp_ingest *ing, long code)
{
    if (code < 0)
        return -1;
    if (code >= 1000)
        return ckp_ref_country_by_comtrade(ing->ref, (int)code);
    if (ing->by_comtrade[code] == -2)
        ing->by_comtrade[code] = ckp_ref_country_by_comtrade(ing->ref, (int)code);
    return ing->by_comtrade[code];
}

static int country_baci(ckp_ingest *ing, long code)
{
    if (code < 0)
        return -1;
    if (code >= 1000)
        return ckp_ref_country_by_baci(ing->ref, (int)code);
    if (ing->by_baci[code] == -2)
        ing->by_baci[code] = ckp_ref_country_by_baci(ing->ref, (int)code);
    return ing->by_baci[code];
}

static uint32_t hash_str(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* A country as the flows format writes it: ISO3 (fast), or anything
 * ckp_ref_country_arg accepts (remembered per distinct string). */
static int country_any(ckp_ingest *ing, ckp_field f)
{
    f = trim(f);
    if (f.len == 3) {
        int k = 0, ok = 1;
        for (int i = 0; i < 3 && ok; i++) {
            int c = toupper((unsigned char)f.ptr[i]);
            ok = c >= 'A' && c <= 'Z';
            k = k * 26 + (c - 'A');
        }
        if (ok && ing->by_iso3[k] >= -1) {
            if (ing->by_iso3[k] >= 0)
                return ing->by_iso3[k];
        } else if (ok) {
            char iso[4] = {(char)toupper((unsigned char)f.ptr[0]),
                           (char)toupper((unsigned char)f.ptr[1]),
                           (char)toupper((unsigned char)f.ptr[2]), 0};
            ing->by_iso3[k] = ckp_ref_country_by_iso3(ing->ref, iso);
            if (ing->by_iso3[k] >= 0)
                return ing->by_iso3[k];
        }
    }
    if (f.len == 0 || f.len > 200)
        return -1;
    uint32_t h = hash_str(f.ptr, f.len) & (NAME_CACHE - 1);
    for (int probe = 0; probe < 16; probe++) {
        name_slot *s = &ing->names[(h + (uint32_t)probe) & (NAME_CACHE - 1)];
        if (!s->s) {
            char buf[256];
            memcpy(buf, f.ptr, f.len);
            buf[f.len] = 0;
            int id = -1;
            if (ckp_ref_country_arg(ing->ref, buf, &id, NULL) != CKP_OK)
                id = -1;
            s->s = strdup(buf);
            s->id = id;
            return id;
        }
        if (strlen(s->s) == f.len && memcmp(s->s, f.ptr, f.len) == 0)
            return s->id;
    }
    char buf[256];
    memcpy(buf, f.ptr, f.len);
    buf[f.len] = 0;
    int id = -1;
    return ckp_ref_country_arg(ing->ref, buf, &id, NULL) == CKP_OK ? id : -1;
}

/* Why country_any gave -1 for f, in words: unknown (with the closest
 * names) or ambiguous (with the candidates), as ckp_ref_country_arg says. */
static const char *country_why(const ckp_ingest *ing, ckp_field f, char *buf, size_t n)
{
    char arg[256];
    ckp_error e;
    int id;
    f = trim(f);
    if (f.len == 0)
        return "empty";
    snprintf(arg, sizeof arg, "%.*s", (int)(f.len > 200 ? 200 : f.len), f.ptr);
    ckp_error_clear(&e);
    if (ckp_ref_country_arg(ing->ref, arg, &id, &e) == CKP_OK)
        snprintf(buf, n, "\"%.200s\" is not read as a country here", arg);
    else
        snprintf(buf, n, "%.280s", e.msg);
    return buf;
}

static int ieq(ckp_field f, const char *s)
{
    size_t n = strlen(s);
    return f.len == n && strncasecmp(f.ptr, s, n) == 0;
}

/* X, M, RX, RM (Comtrade codes) and the words. */
static int parse_flow(ckp_field f)
{
    f = trim(f);
    if (ieq(f, "X") || ieq(f, "export") || ieq(f, "exports"))
        return CKP_FLOW_EXPORT;
    if (ieq(f, "M") || ieq(f, "import") || ieq(f, "imports"))
        return CKP_FLOW_IMPORT;
    if (ieq(f, "RX") || ieq(f, "re-export") || ieq(f, "reexport"))
        return CKP_FLOW_REEXPORT;
    if (ieq(f, "RM") || ieq(f, "re-import") || ieq(f, "reimport"))
        return CKP_FLOW_REIMPORT;
    return 0;
}

/* Comtrade classificationCode H0…H6 (or HS, or a year) → edition; -1 other. */
static int parse_edition(ckp_field f)
{
    static const int h[7] = {CKP_HS1992, CKP_HS1996, CKP_HS2002, CKP_HS2007,
                             CKP_HS2012, CKP_HS2017, CKP_HS2022};
    f = trim(f);
    if (f.len == 0 || ieq(f, "HS"))
        return CKP_HS_UNKNOWN;
    if (f.len == 2 && (f.ptr[0] == 'H' || f.ptr[0] == 'h') && f.ptr[1] >= '0' &&
        f.ptr[1] <= '6')
        return h[f.ptr[1] - '0'];
    long y = parse_int(f);
    for (int i = 0; i < 7; i++)
        if (y == h[i])
            return h[i];
    return -1;
}

/* Quantity unit codes of UN Comtrade, the same in the Comtrade+ files
 * (qtyUnitCode) and the legacy (pre-2023) files (Qty Unit Code): -1 n/a,
 * 1 no quantity, 2 m², 3 1000 kWh, 4 m, 5 number, 6 pairs, 7 litres, 8 kg,
 * 9 thousands, 10 packages, 11 dozens, 12 m³, 13 carats.  Units the store
 * has no word for (kWh, m, thousands, packages, dozens) are OTHER, never
 * taken for another unit. */
static int comtrade_unit(long code)
{
    switch (code) {
    case 8: return CKP_UNIT_KG;
    case 5: return CKP_UNIT_NUMBER;
    case 6: return CKP_UNIT_PAIR;
    case 7: return CKP_UNIT_LITRE;
    case 2: return CKP_UNIT_M2;
    case 12: return CKP_UNIT_M3;
    case 13: return CKP_UNIT_CARAT;
    case -1: case 1: return CKP_UNIT_NONE;
    default: return CKP_UNIT_OTHER;
    }
}

/* Unit words of the flows format; *scale multiplies the quantity. */
static int flows_unit(ckp_field f, double *scale)
{
    f = trim(f);
    *scale = 1;
    if (f.len == 0 || ieq(f, "kg"))
        return CKP_UNIT_KG;
    if (ieq(f, "t") || ieq(f, "tonne") || ieq(f, "tonnes") || ieq(f, "ton")) {
        *scale = 1000;
        return CKP_UNIT_KG;
    }
    if (ieq(f, "g")) {
        *scale = 0.001;
        return CKP_UNIT_KG;
    }
    if (ieq(f, "u") || ieq(f, "number") || ieq(f, "items") || ieq(f, "pcs") || ieq(f, "no"))
        return CKP_UNIT_NUMBER;
    if (ieq(f, "l") || ieq(f, "litre") || ieq(f, "liter"))
        return CKP_UNIT_LITRE;
    if (ieq(f, "m2"))
        return CKP_UNIT_M2;
    if (ieq(f, "m3"))
        return CKP_UNIT_M3;
    if (ieq(f, "pair") || ieq(f, "pairs") || ieq(f, "2u"))
        return CKP_UNIT_PAIR;
    if (ieq(f, "ct") || ieq(f, "carat") || ieq(f, "carats"))
        return CKP_UNIT_CARAT;
    return CKP_UNIT_OTHER;
}

/* ---- formats ----------------------------------------------------------- */

ckp_ingest_format ckp_ingest_sniff(const char *const *names, size_t n)
{
    int has[16] = {0};
    static const char *const want[] = {"reportercode", "cmdcode", "partnercode", "t", "i",
                                       "j", "k", "v", "q", "period", "reporter", "partner",
                                       "flow", "hs", "value"};
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        size_t k = 0;
        for (const char *p = names[i]; *p && k < sizeof buf - 1; p++)
            if (*p != ' ' && *p != '"')
                buf[k++] = (char)tolower((unsigned char)*p);
        buf[k] = 0;
        for (int j = 0; j < 15; j++)
            if (strcmp(buf, want[j]) == 0)
                has[j] = 1;
    }
    const char *low[64];
    char lowbuf[64][64];
    size_t nl = n < 64 ? n : 64;
    for (size_t i = 0; i < nl; i++) {
        size_t k = 0;
        for (const char *p = names[i]; *p && k < sizeof lowbuf[i] - 1; p++)
            if (*p != ' ' && *p != '"')
                lowbuf[i][k++] = (char)tolower((unsigned char)*p);
        lowbuf[i][k] = 0;
        low[i] = lowbuf[i];
    }
    if (ckp__sniff_comext_bulk(low, nl))
        return CKP_INGEST_COMEXT_BULK;
    if (ckp__sniff_comext(low, nl))
        return CKP_INGEST_COMEXT;
    if (ckp__sniff_comtrade_legacy(low, nl))
        return CKP_INGEST_COMTRADE_LEGACY;
    if (ckp__sniff_comtradr(low, nl))
        return CKP_INGEST_COMTRADR;
    if (has[0] && has[1] && has[2])
        return CKP_INGEST_COMTRADE;
    if (has[3] && has[4] && has[5] && has[6] && has[7])
        return CKP_INGEST_BACI;
    if (has[9] && has[10] && has[11] && has[12] && has[13] && has[14])
        return CKP_INGEST_FLOWS;
    return CKP_INGEST_AUTO;
}

typedef ckp__cols cols;

/* One parser over one CSV reader.  A file parsed by two threads has two
 * (each with its own writer staging, counts and rejects sink). */
typedef struct ctx {
    ckp_ingest *ing;
    ckp_csv *csv;
    const char *file;
    int source;
    int edition;               /* default edition of codes (BACI file name, option) */
    cols c;
    int (*row)(struct ctx *);  /* the format's row parser */
    size_t need;               /* fields a row must have */
    ckp_store_writer *w;       /* where rows are staged */
    ckp_ingest_stats *st;      /* where counts go */
    FILE *rej;                 /* where rejects go (NULL = nowhere) */
    long line_offset;          /* added to the reader's line numbers */
    int progress;              /* 1 = this parser reports progress */
    uint64_t bytes_total;      /* for progress */
    const char *map;           /* the mapped input parsed (NULL when read) */
    const char *map_end;       /* the end of the whole mapping */
    size_t map_dropped;        /* bytes of map already released */
    /* plain BACI lines (parse_plain_baci): [plain_begin, plain_end) of map,
     * its first line numbered plain_line; plain_end NULL = the reader */
    const char *plain_begin, *plain_end;
    long plain_line;
    char plain_delim;
    /* a record not read by a CSV reader (JSON): its fields and line */
    const ckp_field *vals;
    size_t nvals;
    long vline;
    char decimal;              /* '.', ',', or 0: not known yet (see num) */
    char value_name[48];       /* the value and net weight columns' names */
    char netwgt_name[48];      /* (for messages; the second half of a file
                                  parsed by two threads has no header) */
    int hs_folded;             /* the row's HS code was a national code (hs6) */
    struct sumtab *sums;       /* Comext bulk: rows summed by key (NULL other formats) */
} ctx;

static ckp_field F(const ctx *x, int col)
{
    ckp_field f = {NULL, 0};
    if (x->vals)
        return col >= 0 && (size_t)col < x->nvals ? x->vals[col] : f;
    return col >= 0 ? ckp_csv_field(x->csv, (size_t)col) : f;
}

/* Line of the current record. */
static long cur_line(const ctx *x)
{
    return x->vals ? x->vline : ckp_csv_line(x->csv) + x->line_offset;
}

static void reject_cur(ctx *x, ckp_reject_reason r, const char *detail)
{
    if (x->vals)
        reject_row(x->st, x->rej, x->file, x->vline, r, detail, x->vals, x->nvals, NULL);
    else
        reject_row(x->st, x->rej, x->file, cur_line(x), r, detail, ckp_csv_fields(x->csv),
                   ckp_csv_nfields(x->csv), NULL);
}

#define REJECT(x, reason, ...)                                                           \
    do {                                                                                 \
        char d_[300];                                                                    \
        snprintf(d_, sizeof d_, __VA_ARGS__);                                            \
        reject_cur((x), reason, d_);                                                     \
        return 0;                                                                        \
    } while (0)

/* The row's product: 0 an HS6 code; -2 TOTAL, a chapter or a heading,
 * *code its aggregate key (ckp_hs_key: formats that hold aggregates keep
 * it, BACI rejects it as hs-not-6-digit); -1 not a code.  A national 8- or
 * 10-digit code (or "2825.80.00") is folded to its HS6 by ckp_hs_fold and
 * marked in x->hs_folded (counted when kept). */
static int hs6(ctx *x, ckp_field f, uint32_t *code)
{
    x->hs_folded = 0;
    if (f.len == 5 || f.len == 6) { /* the common case: 6 digits, or 5 (a lost zero) */
        uint32_t v = 0;
        size_t i = 0;
        for (; i < f.len && f.ptr[i] >= '0' && f.ptr[i] <= '9'; i++)
            v = v * 10 + (uint32_t)(f.ptr[i] - '0');
        if (i == f.len) {
            *code = v;
            return 0;
        }
    }
    f = trim(f);
    int level = 0;
    if (f.len == 0)
        return -1;
    if (f.len == 5 && ieq(f, "TOTAL")) {
        *code = CKP_HS_KEY_TOTAL;
        return -2;
    }
    if (ckp_hs_fold(f.ptr, f.len, code, &level, &x->hs_folded) != 0)
        return -1;
    if (level == 6)
        return 0;
    *code = ckp_hs_key(*code, level);
    return -2;
}

/* How a number written with decimal commas ("1.234.567,5", "-0,25")
 * reads with a decimal point, into buf (n bytes): 0 ok; -1 when the field is
 * not such a number (a '.' that does not separate groups of three digits,
 * two commas).  Words (NA, inf) and plain integers pass unchanged. */
static int comma_to_point(ckp_field f, char *buf, size_t n)
{
    f = trim(f);
    if (f.len == 0 || f.len >= n)
        return f.len == 0 ? (buf[0] = 0, 0) : -1;
    size_t k = 0, i = 0, group = 0;
    int commas = 0, dots = 0, digits_before = 0;
    if (f.ptr[0] == '-' || f.ptr[0] == '+')
        buf[k++] = f.ptr[i++];
    for (; i < f.len; i++) {
        char c = f.ptr[i];
        if (c >= '0' && c <= '9') {
            buf[k++] = c;
            group++;
            digits_before += !commas;
        } else if (c == '.' && !commas) {
            /* a thousands separator: 1-3 digits before the first, 3 between */
            if (group == 0 || group > 3 || (dots && group != 3))
                return -1;
            dots++;
            group = 0;
        } else if (c == ',' && !commas) {
            if (dots && group != 3)
                return -1;
            buf[k++] = '.';
            commas = 1;
            group = 0;
        } else if (!dots && !commas) {
            buf[k++] = c; /* a word, an exponent: parse_num decides */
            group = 0;
        } else {
            return -1;
        }
    }
    if (dots && !commas && group != 3)
        return -1;
    buf[k] = 0;
    return 0;
}

/* Which decimal mark f shows in a ';' file: ',' (a comma, or several
 * dots as thousands separators), '.' (a dot not followed by exactly three
 * digits, or after a leading 0), 0 when it shows none (1234) or could be
 * either (1.234). */
static char decimal_evidence(ckp_field f)
{
    f = trim(f);
    const char *dot = NULL;
    int dots = 0;
    for (size_t i = 0; i < f.len; i++) {
        if (f.ptr[i] == ',')
            return ',';
        if (f.ptr[i] == '.') {
            dots++;
            dot = f.ptr + i;
        }
    }
    if (!dots)
        return 0;
    if (dots > 1)
        return ',';
    size_t after = (size_t)(f.ptr + f.len - dot - 1);
    const char *d0 = f.ptr + (f.ptr[0] == '-' || f.ptr[0] == '+');
    if (after != 3 || *d0 == '0' || *d0 == '.' || dot - d0 > 3)
        return '.';
    for (size_t i = 0; i < after; i++)
        if (dot[1 + i] < '0' || dot[1 + i] > '9')
            return '.';
    return 0; /* 1.234: 1234 or 1.234 */
}

enum { NUM_AMBIGUOUS = -3, NUM_MIXED = -4 };

/* A number of x's file: parse_num with its decimal mark.  A ';' file whose
 * mark is not given learns it from the first value that shows one; until
 * then an ambiguous value (1.234) is NUM_AMBIGUOUS, and a value that shows
 * the other mark later is NUM_MIXED. */
static int num(ctx *x, ckp_field f, double *out)
{
    if (x->decimal == '.')
        return parse_num(f, out);
    if (x->ing->opts.decimal == 0) { /* learning */
        char ev = decimal_evidence(f);
        if (ev && x->decimal && ev != x->decimal)
            return NUM_MIXED;
        if (ev)
            x->decimal = ev;
        else if (!x->decimal) {
            ckp_field t = trim(f);
            if (memchr(t.ptr ? t.ptr : "", '.', t.len))
                return NUM_AMBIGUOUS;
            return parse_num(f, out);
        }
        if (x->decimal == '.')
            return parse_num(f, out);
    }
    char buf[64];
    if (comma_to_point(f, buf, sizeof buf) < 0)
        return NUM_BAD;
    ckp_field g = {buf, strlen(buf)};
    return parse_num(g, out);
}

/* The reject detail of a num() result r of field name (NULL when r is a
 * good number). */
static const char *num_msg(int r)
{
    return r == NUM_EMPTY ? "missing value" : r == NUM_NONFINITE ? "value is inf or NaN"
           : r == NUM_BAD ? "value is not a number"
           : r == NUM_AMBIGUOUS ? "value could be read with a decimal point or a decimal comma "
                                  "(1.234 = 1234 or 1.234): give --decimal-comma or --decimal-point"
           : r == NUM_MIXED ? "value has a decimal mark other than the file's earlier values"
                            : NULL;
}

/* Value: 0 ok; else the reject detail in msg. */
static int value_of(ctx *x, ckp_field f, double *v, const char **msg)
{
    int r = num(x, f, v);
    *msg = r != NUM_OK ? num_msg(r) : *v < 0 ? "negative value" : NULL;
    return *msg ? -1 : 0;
}

/* 1 when code is in the nomenclature of edition ed: looked up (once per
 * code) in the shipped HS2017 and HS2022 tables; for other editions, which
 * are not shipped, a chapter 01-97 other than 77 and a heading from 01. */
static int hs_known(ckp_ingest *ing, int ed, uint32_t code)
{
    int level = ckp_hs_key_level(code);
    if (level == 0)
        return 1; /* TOTAL */
    if (level == 2 || level == 4) { /* a chapter or heading: in the nomenclature */
        uint32_t agg = ckp_hs_key_code(code), ch = level == 2 ? agg : agg / 100;
        if (ch < 1 || ch > 97 || ch == 77)
            return 0;
        int t = ed == CKP_HS2017 ? 0 : ed == CKP_HS2022 ? 1 : -1;
        if (t >= 0 && !ing->hs_table[t])
            t = -1;
        if (t < 0)
            return level == 2 || agg % 100 >= 1;
        return ckp_ref_hs(ing->ref, (ckp_hs_edition)ed, agg, level) != NULL;
    }
    /* chapters 98 and 99 are for national use, not HS; the shipped HS2022
     * table lists Comtrade's 999999 "commodities not specified according
     * to kind" (under section TOTAL), the HS2017 one does not: neither is a
     * product, so both editions treat it alike */
    if (code > 999999 || code / 10000 >= 98)
        return 0;
    int t = ed == CKP_HS2017 ? 0 : ed == CKP_HS2022 ? 1 : -1;
    if (t >= 0 && !ing->hs_table[t])
        t = -1; /* reference data without that table */
    if (t < 0) {
        uint32_t ch = code / 10000, hd = code / 100 % 100;
        return ch >= 1 && ch <= 97 && ch != 77 && hd >= 1;
    }
    uint8_t k = ing->hs_known[t][code];
    if (!k) {
        k = ckp_ref_hs(ing->ref, (ckp_hs_edition)ed, code, 6) ? 1 : 2;
        ing->hs_known[t][code] = k;
    }
    return k == 1;
}

/* Within the bounds of one row (check_row says why not). */
static int plausible(const ckp_flow *f)
{
    return f->value <= CKP_INGEST_MAX_VALUE &&
           (isnan(f->value_alt) || f->value_alt <= CKP_INGEST_MAX_VALUE) &&
           (isnan(f->qty) || f->qty <= CKP_INGEST_MAX_QTY);
}

/* The checks every format shares, on a parsed row: values and quantities
 * within bounds (a sum of rows must stay finite), the HS code in its
 * edition's nomenclature.  1 = go on; 0 = rejected. */
static int check_row(ctx *x, const ckp_flow *f)
{
    char hs[8];
    if (f->value > CKP_INGEST_MAX_VALUE)
        REJECT(x, CKP_REJ_VALUE_RANGE, "value %.6g USD is above %.0e USD for one row",
               f->value, CKP_INGEST_MAX_VALUE);
    if (!isnan(f->value_alt) && f->value_alt > CKP_INGEST_MAX_VALUE)
        REJECT(x, CKP_REJ_VALUE_RANGE, "value_alt %.6g USD is above %.0e USD for one row",
               f->value_alt, CKP_INGEST_MAX_VALUE);
    if (!isnan(f->qty) && f->qty > CKP_INGEST_MAX_QTY)
        REJECT(x, CKP_REJ_VALUE_RANGE, "quantity %.6g is above %.0e for one row", f->qty,
               CKP_INGEST_MAX_QTY);
    if (!hs_known(x->ing, f->hs_edition, f->hs)) {
        if (!x->ing->opts.keep_unknown_hs) {
            if (f->hs == 999999)
                REJECT(x, CKP_REJ_UNKNOWN_HS,
                       "HS code 999999 is Comtrade's 'commodities not specified according to "
                       "kind', not an HS6 product (--keep-unknown-hs keeps it)");
            if (f->hs_edition == CKP_HS2017 || f->hs_edition == CKP_HS2022)
                REJECT(x, CKP_REJ_UNKNOWN_HS,
                       "HS code %s is not in the HS%d nomenclature (--keep-unknown-hs keeps "
                       "such codes)",
                       ckp_hs_key_format(f->hs, hs), f->hs_edition);
            REJECT(x, CKP_REJ_UNKNOWN_HS,
                   "HS code %s has no HS chapter 01-97 and heading (--keep-unknown-hs keeps "
                   "such codes)",
                   ckp_hs_key_format(f->hs, hs));
        }
        x->st->unknown_hs_kept++;
    }
    return 1;
}

static int add(ctx *x, const ckp_flow *f)
{
    if (!check_row(x, f))
        return 0;
    ckp_error e;
    if (ckp_store_writer_add_line(x->w, f, (uint32_t)cur_line(x), &e) != CKP_OK)
        REJECT(x, CKP_REJ_FIELDS, "%.250s", e.msg);
    x->st->rows_kept++;
    if (x->hs_folded)
        x->st->hs_folded++;
    int level = ckp_hs_key_level(f->hs);
    if (level >= 0 && level < 6)
        x->st->aggregate_kept[level / 2]++;
    return 0;
}

static int row_comtrade(ctx *x)
{
    const cols *c = &x->c;
    ckp_flow f;
    f.source = x->source;
    /* partial rows: keep totals only, or the data would be counted twice */
    if (c->mot >= 0) {
        long v = parse_int(F(x, c->mot));
        if (v > 0)
            REJECT(x, CKP_REJ_BREAKDOWN, "motCode %ld is one mode of transport (total is 0)", v);
    }
    if (c->partner2 >= 0) {
        long v = parse_int(F(x, c->partner2));
        if (v > 0)
            REJECT(x, CKP_REJ_BREAKDOWN, "partner2Code %ld is a second-partner breakdown", v);
    }
    if (c->mos >= 0) {
        long v = parse_int(F(x, c->mos));
        if (v > 0)
            REJECT(x, CKP_REJ_BREAKDOWN, "mosCode %ld is a mode-of-supply breakdown", v);
    }
    if (c->customs >= 0) {
        ckp_field cu = trim(F(x, c->customs));
        if (cu.len && !ieq(cu, "C00"))
            REJECT(x, CKP_REJ_BREAKDOWN, "customsCode %.*s is one customs procedure (total is C00)",
                   (int)cu.len, cu.ptr);
    }
    /* period */
    int32_t period = -1;
    ckp_field freq = trim(F(x, c->freq));
    if (c->period >= 0)
        period = parse_period(F(x, c->period));
    if (period < 0 && c->year >= 0) {
        long y = parse_int(F(x, c->year));
        long m = c->month >= 0 ? parse_int(F(x, c->month)) : 0;
        if (y >= 1900 && y <= 2200) {
            if (m >= 1 && m <= 12 && !ieq(freq, "A"))
                period = (int32_t)(y * 100 + m);
            else if (m <= 0 || m == 52 || ieq(freq, "A"))
                period = (int32_t)(y * 100);
        }
    }
    if (period < 0) {
        ckp_field p = F(x, c->period >= 0 ? c->period : c->year);
        REJECT(x, CKP_REJ_PERIOD, "period '%.*s' is not YYYY or YYYYMM%s", (int)p.len,
               p.ptr ? p.ptr : "",
               c->period >= 0 && parse_period(p) == PERIOD_DATE ? " (no such month or day)" : "");
    }
    if (ieq(freq, "A"))
        period = period / 100 * 100;
    f.period = period;
    ckp_field rf = F(x, c->reporter), pf = F(x, c->partner);
    if (c->reporter >= 0) {
        f.reporter = country_comtrade(x->ing, parse_int(rf));
        if (f.reporter < 0)
            REJECT(x, CKP_REJ_REPORTER, "unknown Comtrade reporter code '%.*s'", (int)rf.len,
                   rf.ptr ? rf.ptr : "");
    } else {
        rf = F(x, c->reporter_iso);
        f.reporter = country_any(x->ing, rf);
        if (f.reporter < 0)
            REJECT(x, CKP_REJ_REPORTER, "unknown reporter '%.*s'", (int)rf.len,
                   rf.ptr ? rf.ptr : "");
    }
    if (c->partner >= 0) {
        f.partner = country_comtrade(x->ing, parse_int(pf));
        if (f.partner < 0)
            REJECT(x, CKP_REJ_PARTNER, "unknown Comtrade partner code '%.*s'", (int)pf.len,
                   pf.ptr ? pf.ptr : "");
    } else {
        pf = F(x, c->partner_iso);
        f.partner = country_any(x->ing, pf);
        if (f.partner < 0)
            REJECT(x, CKP_REJ_PARTNER, "unknown partner '%.*s'", (int)pf.len,
                   pf.ptr ? pf.ptr : "");
    }
    ckp_field ff = F(x, c->flow);
    f.flow = parse_flow(ff);
    if (!f.flow)
        REJECT(x, CKP_REJ_FLOW, "flow code '%.*s' is not X, M, RX or RM", (int)ff.len,
               ff.ptr ? ff.ptr : "");
    f.hs_edition = x->edition;
    if (c->classif >= 0) {
        ckp_field cl = F(x, c->classif);
        f.hs_edition = parse_edition(cl);
        if (f.hs_edition < 0)
            REJECT(x, CKP_REJ_CLASSIFICATION, "classification '%.*s' is not HS (H0-H6)",
                   (int)cl.len, cl.ptr);
    }
    ckp_field hf = F(x, c->hs);
    int h = hs6(x, hf, &f.hs); /* -2: TOTAL, a chapter or a heading, kept at its level */
    if (h == -1)
        REJECT(x, CKP_REJ_HS, "'%.*s' is not an HS code", (int)hf.len, hf.ptr ? hf.ptr : "");
    const char *msg;
    if (value_of(x, F(x, c->value), &f.value, &msg) < 0)
        REJECT(x, CKP_REJ_VALUE, "%s: %s", x->value_name, msg);
    /* the other valuation: CIF for exports, FOB for imports; 0 = not reported */
    f.value_alt = NAN;
    int alt_col = f.flow == CKP_FLOW_EXPORT || f.flow == CKP_FLOW_REEXPORT ? c->cif : c->fob;
    double a;
    if (alt_col >= 0 && num(x, F(x, alt_col), &a) == NUM_OK && a > 0)
        f.value_alt = a;
    /* quantity: net weight in kg, else the quantity in its unit; Comtrade
     * writes 0 for "not reported" */
    f.qty = NAN;
    f.unit = CKP_UNIT_NONE;
    double w = 0, q = 0;
    int rw = c->netwgt >= 0 ? num(x, F(x, c->netwgt), &w) : NUM_EMPTY;
    int rq = c->qty >= 0 ? num(x, F(x, c->qty), &q) : NUM_EMPTY;
    if (rw < 0 || (rw == NUM_OK && w < 0))
        REJECT(x, CKP_REJ_QTY, "%s is not a non-negative number%s%s", x->netwgt_name, rw < -2 ? ": " : "",
               rw < -2 ? num_msg(rw) : "");
    if (rw == NUM_OK && w > 0) {
        f.qty = w;
        f.unit = CKP_UNIT_KG;
    } else if (rq == NUM_OK && q > 0) {
        long u = c->qtyunit >= 0 ? parse_int(F(x, c->qtyunit)) : 8;
        f.unit = comtrade_unit(u);
        if (f.unit != CKP_UNIT_NONE)
            f.qty = q;
    }
    return add(x, &f);
}

static int row_baci(ctx *x)
{
    const cols *c = &x->c;
    ckp_flow f;
    f.source = x->source;
    f.flow = CKP_FLOW_EXPORT; /* the exporter i reports */
    f.hs_edition = x->edition;
    ckp_field tf = F(x, c->year);
    long t = parse_int(tf);
    if (t < 1900 || t > 2200)
        REJECT(x, CKP_REJ_PERIOD, "year '%.*s' is not YYYY", (int)tf.len, tf.ptr ? tf.ptr : "");
    f.period = (int32_t)(t * 100);
    ckp_field rf = F(x, c->reporter), pf = F(x, c->partner);
    f.reporter = country_baci(x->ing, parse_int(rf));
    if (f.reporter < 0)
        REJECT(x, CKP_REJ_REPORTER, "unknown BACI exporter code '%.*s'", (int)rf.len,
               rf.ptr ? rf.ptr : "");
    f.partner = country_baci(x->ing, parse_int(pf));
    if (f.partner < 0)
        REJECT(x, CKP_REJ_PARTNER, "unknown BACI importer code '%.*s'", (int)pf.len,
               pf.ptr ? pf.ptr : "");
    ckp_field hf = F(x, c->hs);
    int h = hs6(x, hf, &f.hs);
    if (h == -2)
        REJECT(x, CKP_REJ_HS_LEVEL, "HS code '%.*s' is not 6 digits", (int)hf.len, hf.ptr);
    if (h < 0)
        REJECT(x, CKP_REJ_HS, "'%.*s' is not an HS code", (int)hf.len, hf.ptr ? hf.ptr : "");
    const char *msg;
    if (value_of(x, F(x, c->value), &f.value, &msg) < 0)
        REJECT(x, CKP_REJ_VALUE, "v: %s", msg);
    f.value *= 1000; /* thousand USD → USD */
    f.value_alt = NAN;
    double q;
    int r = num(x, F(x, c->qty), &q);
    if (r < 0 || (r == NUM_OK && q < 0))
        REJECT(x, CKP_REJ_QTY, "q is not a non-negative number of tonnes%s%s",
               r < -2 ? ": " : "", r < -2 ? num_msg(r) : "");
    f.qty = r == NUM_OK ? q * 1000 : NAN; /* tonnes → kg */
    f.unit = r == NUM_OK ? CKP_UNIT_KG : CKP_UNIT_NONE;
    return add(x, &f);
}

static int row_flows(ctx *x)
{
    const cols *c = &x->c;
    ckp_flow f;
    f.source = x->source;
    ckp_field pf = F(x, c->period);
    f.period = parse_period(pf);
    if (f.period == PERIOD_DATE)
        REJECT(x, CKP_REJ_PERIOD, "period '%.*s' is not a real month or day", (int)pf.len,
               pf.ptr ? pf.ptr : "");
    if (f.period < 0)
        REJECT(x, CKP_REJ_PERIOD, "period '%.*s' is not YYYY, YYYY-MM, YYYYMM or YYYY-MM-DD",
               (int)pf.len, pf.ptr ? pf.ptr : "");
    ckp_field rf = F(x, c->reporter), tf = F(x, c->partner);
    char why[300];
    f.reporter = country_any(x->ing, rf);
    if (f.reporter < 0)
        REJECT(x, CKP_REJ_REPORTER, "reporter: %.280s", country_why(x->ing, rf, why, sizeof why));
    f.partner = country_any(x->ing, tf);
    if (f.partner < 0)
        REJECT(x, CKP_REJ_PARTNER, "partner: %.280s", country_why(x->ing, tf, why, sizeof why));
    ckp_field ff = F(x, c->flow);
    f.flow = parse_flow(ff);
    if (!f.flow)
        REJECT(x, CKP_REJ_FLOW, "flow '%.*s' is not X, M, RX or RM", (int)ff.len,
               ff.ptr ? ff.ptr : "");
    f.hs_edition = x->edition;
    if (c->edition >= 0 && trim(F(x, c->edition)).len) {
        ckp_field ef = F(x, c->edition);
        f.hs_edition = parse_edition(ef);
        if (f.hs_edition < 0)
            REJECT(x, CKP_REJ_CLASSIFICATION, "HS edition '%.*s' is not known", (int)ef.len,
                   ef.ptr);
    }
    ckp_field hf = F(x, c->hs);
    int h = hs6(x, hf, &f.hs); /* -2: TOTAL, a chapter or a heading, kept at its level */
    if (h == -1)
        REJECT(x, CKP_REJ_HS, "'%.*s' is not an HS code", (int)hf.len, hf.ptr ? hf.ptr : "");
    const char *msg;
    if (value_of(x, F(x, c->value), &f.value, &msg) < 0)
        REJECT(x, CKP_REJ_VALUE, "%s", msg);
    f.value_alt = NAN;
    double a;
    if (c->value_alt >= 0) {
        int r = num(x, F(x, c->value_alt), &a);
        if (r < 0 || (r == NUM_OK && a < 0))
            REJECT(x, CKP_REJ_VALUE, "value_alt is not a non-negative number%s%s",
                   r < -2 ? ": " : "", r < -2 ? num_msg(r) : "");
        if (r == NUM_OK)
            f.value_alt = a;
    }
    double q, scale;
    int r = c->qty >= 0 ? num(x, F(x, c->qty), &q) : NUM_EMPTY;
    if (r < 0 || (r == NUM_OK && q < 0))
        REJECT(x, CKP_REJ_QTY, "qty is not a non-negative number%s%s", r < -2 ? ": " : "",
               r < -2 ? num_msg(r) : "");
    f.unit = flows_unit(F(x, c->unit), &scale);
    f.qty = r == NUM_OK ? q * scale : NAN;
    if (r != NUM_OK)
        f.unit = CKP_UNIT_NONE;
    return add(x, &f);
}

/* ---- Eurostat Comext ---------------------------------------------------- */

/* The HS edition Comext's CN codes of a year are built on (CN follows the
 * HS edition in force: HS2022 from 2022, HS2017 2017-2021, …). */
static int cn_edition(int32_t period)
{
    int y = period / 100;
    return y >= 2022 ? CKP_HS2022 : y >= 2017 ? CKP_HS2017 : y >= 2012 ? CKP_HS2012
           : y >= 2007 ? CKP_HS2007 : y >= 2002 ? CKP_HS2002 : y >= 1996 ? CKP_HS1996
                                                             : CKP_HS1992;
}

/* A Comext country field: a name without its bracketed note ("Germany
 * (incl. German Democratic Republic 'DD' from 1991)" → Germany, "European
 * Union - 27 countries (AT, BE, …)" → E27), or an ISO code (bulk files). */
static int comext_country(ckp_ingest *ing, ckp_field f)
{
    ckp_field n = ckp__comext_label(f, NULL);
    int id = country_any(ing, n);
    if (id < 0 && n.len != trim(f).len)
        id = country_any(ing, f);
    return id;
}

/* Is a kept row's value converted from EUR: USD = EUR / (EUR per USD) at
 * the month's average rate; 0 (rejected as no-fx-rate) when the month has
 * no rate. */
static int eur_to_usd(ctx *x, ckp_flow *f, double eur)
{
    double r = ckp_fx_per_usd(x->ing->eur, f->period);
    char per[16];
    if (isnan(r))
        REJECT(x, CKP_REJ_FX,
               "no EUR rate for %s in %s: a value in EUR is never converted at a guessed rate",
               ckp_period_format(f->period, per), ckp_fx_file());
    f->value = eur / r;
    return 1;
}

/* add() for a Comext row: counts the conversion and an aggregate reporter. */
static int add_comext(ctx *x, const ckp_flow *f)
{
    uint64_t before = x->st->rows_kept;
    char code[16] = "";
    if (x->hs_folded && !x->st->fold_example[0])
        ckp_field_copy(trim(F(x, x->c.hs)), code, sizeof code);
    add(x, f);
    if (x->st->rows_kept == before)
        return 0;
    x->st->fx_converted++;
    memcpy(x->st->fx_currency, "EUR", 4);
    const ckp_country *r = ckp_ref_country(x->ing->ref, f->reporter);
    if (r && r->is_aggregate)
        x->st->aggregate_rows++;
    if (code[0]) {
        char hs[8];
        snprintf(x->st->fold_example, sizeof x->st->fold_example, "%s -> %s", code,
                 ckp_hs_format(f->hs, 6, hs));
    }
    return 0;
}

static int row_comext(ctx *x);

/* The fields both Comext layouts share: period, reporter, partner, flow,
 * product (into f).  1 = go on, 0 = rejected. */
static int comext_key(ctx *x, ckp_flow *f)
{
    const cols *c = &x->c;
    char why[300];
    f->source = x->source;
    f->value_alt = NAN;
    f->qty = NAN;
    f->unit = CKP_UNIT_NONE;
    if (c->statproc >= 0 && x->row == row_comext) {
        ckp_field sp = trim(F(x, c->statproc));
        if (!ckp__comext_stat_total(sp))
            REJECT(x, CKP_REJ_BREAKDOWN,
                   "STAT_PROCEDURE '%.*s' is one statistical procedure, not the total",
                   (int)sp.len, sp.ptr);
    }
    ckp_field pf = F(x, c->period);
    f->period = ckp__comext_period(pf);
    if (f->period < 0)
        REJECT(x, CKP_REJ_PERIOD,
               "PERIOD '%.*s' is not a month (Aug. 2024, 2024-08, 202408; a year total "
               "YYYY52 has no monthly EUR rate)",
               (int)pf.len, pf.ptr ? pf.ptr : "");
    ckp_field rf = F(x, c->reporter_iso), tf = F(x, c->partner_iso);
    f->reporter = comext_country(x->ing, rf);
    if (f->reporter < 0)
        REJECT(x, CKP_REJ_REPORTER, "reporter: %.280s",
               country_why(x->ing, ckp__comext_label(rf, NULL), why, sizeof why));
    f->partner = comext_country(x->ing, tf);
    if (f->partner < 0)
        REJECT(x, CKP_REJ_PARTNER, "partner: %.280s",
               country_why(x->ing, ckp__comext_label(tf, NULL), why, sizeof why));
    ckp_field ff = F(x, c->flow);
    f->flow = ckp__comext_flow(ff);
    if (!f->flow)
        REJECT(x, CKP_REJ_FLOW, "FLOW '%.*s' is not IMPORT or EXPORT (1 or 2)", (int)ff.len,
               ff.ptr ? ff.ptr : "");
    f->hs_edition = x->edition ? x->edition : cn_edition(f->period);
    ckp_field hf = ckp__comext_product(F(x, c->hs));
    int h = hs6(x, hf, &f->hs); /* -2: TOTAL, a chapter or a heading, kept at its level */
    if (h == -1)
        REJECT(x, CKP_REJ_HS, "product '%.*s' is not an HS or CN code", (int)hf.len,
               hf.ptr ? hf.ptr : "");
    if (ckp_hs_key_level(f->hs) == 0)
        f->hs_edition = CKP_HS_UNKNOWN; /* all products: one key across CN editions */
    return 1;
}

/* The row's value in euros: 1 = go on, 0 = rejected. */
static int comext_value(ctx *x, double *eur)
{
    const char *msg;
    if (value_of(x, F(x, x->c.value), eur, &msg) < 0)
        REJECT(x, CKP_REJ_VALUE, "%s: %s", x->value_name, msg);
    return 1;
}

/* The web extraction: one row per line. */
static int row_comext(ctx *x)
{
    ckp_flow f;
    double eur;
    if (!comext_key(x, &f) || !comext_value(x, &eur) || !eur_to_usd(x, &f, eur))
        return 0;
    double kg;
    if (x->c.qty >= 0) {
        int r = num(x, F(x, x->c.qty), &kg);
        if (r < 0 && r != NUM_EMPTY)
            REJECT(x, CKP_REJ_QTY, "QUANTITY_IN_KG is not a number");
        if (r == NUM_OK && kg < 0)
            REJECT(x, CKP_REJ_QTY, "QUANTITY_IN_KG is negative");
        if (r == NUM_OK) {
            f.qty = kg;
            f.unit = CKP_UNIT_KG;
        }
    }
    return add_comext(x, &f);
}

/* The bulk files hold one line per CN8 code and statistical procedure: the
 * lines of one (period, reporter, partner, flow, HS6) are summed into one
 * row when the file ends (sums_flush).  A key one of whose lines is
 * rejected (a bad value or quantity) is rejected whole — a partial sum is
 * never stored — with every line it summed. */
typedef struct sument {
    int32_t period;
    int16_t reporter, partner;
    int flow, edition;
    uint32_t hs;
    double eur, kg;
    int kg_missing;          /* a line without QUANTITY_IN_KG: qty unknown */
    uint32_t line, n;        /* first line, lines summed */
    long bad_line;           /* a rejected line of this key (0 none) */
    int folded;
    char code[12];           /* the first CN8 code folded into it */
} sument;

typedef struct sumtab {
    sument *e;
    size_t n, cap;
    uint32_t *slot;          /* 1 + index into e, 0 empty */
    size_t nslot;
} sumtab;

#define SUM_MAX ((size_t)1 << 27) /* keys per file: 134 M (a monthly file has ~10 M lines) */

static uint64_t sum_hash(const sument *k)
{
    uint64_t h = (uint64_t)(uint32_t)k->period * 0x9E3779B97F4A7C15ull;
    h ^= ((uint64_t)(uint16_t)k->reporter << 48 | (uint64_t)(uint16_t)k->partner << 32 |
          (uint64_t)k->hs) * 0xC2B2AE3D27D4EB4Full;
    h ^= (uint64_t)k->flow * 0x165667B19E3779F9ull;
    return h ^ (h >> 29);
}

static int sum_same(const sument *a, const sument *b)
{
    return a->period == b->period && a->reporter == b->reporter && a->partner == b->partner &&
           a->flow == b->flow && a->hs == b->hs;
}

static int sum_grow(sumtab *t)
{
    size_t ns = t->nslot ? t->nslot * 2 : 4096;
    uint32_t *slot = calloc(ns, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = (size_t)sum_hash(&t->e[i]) & (ns - 1);
        while (slot[j])
            j = (j + 1) & (ns - 1);
        slot[j] = (uint32_t)i + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->nslot = ns;
    return 0;
}

/* The entry of k's key (added when new); NULL when out of memory or past
 * SUM_MAX keys. */
static sument *sum_find(sumtab *t, const sument *k)
{
    if ((t->n + 1) * 2 > t->nslot && sum_grow(t) < 0)
        return NULL;
    size_t j = (size_t)sum_hash(k) & (t->nslot - 1);
    while (t->slot[j]) {
        sument *e = &t->e[t->slot[j] - 1];
        if (sum_same(e, k))
            return e;
        j = (j + 1) & (t->nslot - 1);
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 4096;
        if (nc > SUM_MAX)
            return NULL;
        sument *ne = realloc(t->e, nc * sizeof *ne);
        if (!ne)
            return NULL;
        t->e = ne;
        t->cap = nc;
    }
    t->e[t->n] = *k;
    t->slot[j] = (uint32_t)(++t->n);
    return &t->e[t->n - 1];
}

static void sums_free(sumtab *t)
{
    if (!t)
        return;
    free(t->e);
    free(t->slot);
    free(t);
}

static int row_comext_bulk(ctx *x)
{
    ckp_flow f;
    sument k, *e;
    double eur, kg = NAN;
    if (!comext_key(x, &f))
        return 0; /* the key itself is unreadable: this line alone is rejected */
    memset(&k, 0, sizeof k);
    k.period = f.period;
    k.reporter = (int16_t)f.reporter;
    k.partner = (int16_t)f.partner;
    k.flow = f.flow;
    k.hs = f.hs;
    k.edition = f.hs_edition;
    k.line = (uint32_t)cur_line(x);
    if (x->c.netwgt >= 0) {
        int r = num(x, F(x, x->c.netwgt), &kg);
        if (r == NUM_EMPTY)
            kg = NAN;
        else if (r < 0 || kg < 0)
            kg = -1;
    }
    e = sum_find(x->sums, &k);
    if (!e)
        REJECT(x, CKP_REJ_FIELDS, "more keys than the summing table holds (%zu) or out of memory",
               (size_t)SUM_MAX);
    if (kg < 0) {
        if (!e->bad_line)
            e->bad_line = cur_line(x);
        REJECT(x, CKP_REJ_QTY, "%s is not a non-negative number", x->netwgt_name);
    }
    if (!comext_value(x, &eur)) {
        if (!e->bad_line)
            e->bad_line = cur_line(x);
        return 0;
    }
    if (e->bad_line) /* the key is already lost: this line goes with it */
        REJECT(x, CKP_REJ_VALUE, "another line of the same period, reporter, partner, flow and "
                                 "HS6 (line %ld) was rejected: a partial sum is not stored",
               e->bad_line);
    e->eur += eur;
    if (isnan(kg))
        e->kg_missing = 1;
    else
        e->kg += kg;
    e->n++;
    if (x->hs_folded && !e->folded) {
        e->folded = 1;
        ckp_field_copy(trim(F(x, x->c.hs)), e->code, sizeof e->code);
    }
    return 0;
}

/* The bulk file's sums into rows (at the end of the file). */
static void sums_flush(ctx *x)
{
    sumtab *t = x->sums;
    for (size_t i = 0; i < t->n; i++) {
        sument *e = &t->e[i];
        char raw[160], per[16], hs[8];
        const ckp_country *r = ckp_ref_country(x->ing->ref, e->reporter);
        const ckp_country *p = ckp_ref_country(x->ing->ref, e->partner);
        snprintf(raw, sizeof raw, "%s,%s,%s,%c,%s,%.17g EUR (%u lines)",
                 ckp_period_format(e->period, per), r ? r->iso3 : "?", p ? p->iso3 : "?",
                 e->flow, ckp_hs_key_format(e->hs, hs), e->eur, e->n);
        if (e->bad_line) {
            /* the lines summed before the bad one go too */
            if (e->n) {
                char d[200];
                snprintf(d, sizeof d, "line %ld of the same key was rejected: the %u lines "
                                      "summed before it are rejected with it",
                         e->bad_line, e->n);
                reject_row(x->st, x->rej, x->file, e->line, CKP_REJ_VALUE, d, NULL, 0, raw);
                x->st->by_reason[CKP_REJ_VALUE] += e->n - 1;
                x->st->rows_rejected += e->n - 1;
            }
            continue;
        }
        ckp_flow f;
        f.source = x->source;
        f.period = e->period;
        f.reporter = e->reporter;
        f.partner = e->partner;
        f.flow = e->flow;
        f.hs = e->hs;
        f.hs_edition = e->edition;
        f.value_alt = NAN;
        f.qty = e->kg_missing ? NAN : e->kg;
        f.unit = e->kg_missing ? CKP_UNIT_NONE : CKP_UNIT_KG;
        double rate = ckp_fx_per_usd(x->ing->eur, f.period);
        if (isnan(rate)) {
            char d[200];
            snprintf(d, sizeof d, "no EUR rate for %s in %s: a value in EUR is never converted "
                                  "at a guessed rate (%u lines)",
                     per, ckp_fx_file(), e->n);
            reject_row(x->st, x->rej, x->file, e->line, CKP_REJ_FX, d, NULL, 0, raw);
            x->st->by_reason[CKP_REJ_FX] += e->n - 1;
            x->st->rows_rejected += e->n - 1;
            continue;
        }
        f.value = e->eur / rate;
        if (!plausible(&f)) {
            char d[120];
            snprintf(d, sizeof d, "the sum of %u lines is %.6g USD, above %.0e USD for one row",
                     e->n, f.value, CKP_INGEST_MAX_VALUE);
            reject_row(x->st, x->rej, x->file, e->line, CKP_REJ_VALUE_RANGE, d, NULL, 0, raw);
            x->st->by_reason[CKP_REJ_VALUE_RANGE] += e->n - 1;
            x->st->rows_rejected += e->n - 1;
            continue;
        }
        if (!hs_known(x->ing, f.hs_edition, f.hs) && !x->ing->opts.keep_unknown_hs) {
            char d[160];
            snprintf(d, sizeof d, "HS code %s is not in the HS%d nomenclature (--keep-unknown-hs "
                                  "keeps such codes; %u lines)", hs, f.hs_edition, e->n);
            reject_row(x->st, x->rej, x->file, e->line, CKP_REJ_UNKNOWN_HS, d, NULL, 0, raw);
            x->st->by_reason[CKP_REJ_UNKNOWN_HS] += e->n - 1;
            x->st->rows_rejected += e->n - 1;
            continue;
        }
        if (!hs_known(x->ing, f.hs_edition, f.hs))
            x->st->unknown_hs_kept++;
        ckp_error err;
        if (ckp_store_writer_add_line(x->w, &f, e->line, &err) != CKP_OK) {
            reject_row(x->st, x->rej, x->file, e->line, CKP_REJ_FIELDS, err.msg, NULL, 0, raw);
            continue;
        }
        x->st->rows_kept++;
        x->st->lines_summed += e->n;
        x->st->fx_converted++;
        memcpy(x->st->fx_currency, "EUR", 4);
        if (e->folded) {
            x->st->hs_folded++;
            if (!x->st->fold_example[0])
                snprintf(x->st->fold_example, sizeof x->st->fold_example, "%s -> %s", e->code,
                         hs);
        }
        if (r && r->is_aggregate)
            x->st->aggregate_rows++;
        int level = ckp_hs_key_level(f.hs);
        if (level >= 0 && level < 6)
            x->st->aggregate_kept[level / 2]++;
    }
    t->n = 0;
    if (t->slot) /* NULL when no line reached the table */
        memset(t->slot, 0, t->nslot * sizeof *t->slot);
}

/* ---- files ------------------------------------------------------------- */

static int col(const ckp_csv *csv, const char *a, const char *b)
{
    int i = ckp_csv_column(csv, a);
    return i >= 0 || !b ? i : ckp_csv_column(csv, b);
}

static ckp_status setup_cols(ctx *x, ckp_ingest_format fmt, ckp_error *err)
{
    cols *c = &x->c;
    memset(c, -1, sizeof *c);
    const ckp_csv *v = x->csv;
    const char *missing = NULL;
    if (fmt == CKP_INGEST_COMTRADE) {
        c->period = col(v, "period", NULL);
        c->year = col(v, "refYear", NULL);
        c->month = col(v, "refMonth", NULL);
        c->freq = col(v, "freqCode", NULL);
        c->reporter = col(v, "reporterCode", NULL);
        c->partner = col(v, "partnerCode", NULL);
        c->flow = col(v, "flowCode", NULL);
        c->hs = col(v, "cmdCode", NULL);
        c->value = col(v, "primaryValue", NULL);
        c->cif = col(v, "cifvalue", NULL);
        c->fob = col(v, "fobvalue", NULL);
        c->netwgt = col(v, "netWgt", NULL);
        c->qty = col(v, "qty", NULL);
        c->qtyunit = col(v, "qtyUnitCode", NULL);
        c->classif = col(v, "classificationCode", NULL);
        c->mot = col(v, "motCode", NULL);
        c->customs = col(v, "customsCode", NULL);
        c->partner2 = col(v, "partner2Code", NULL);
        c->mos = col(v, "mosCode", NULL);
        missing = c->reporter < 0 ? "reporterCode" : c->partner < 0 ? "partnerCode"
                : c->flow < 0 ? "flowCode" : c->hs < 0 ? "cmdCode"
                : c->value < 0 ? "primaryValue"
                : c->period < 0 && c->year < 0 ? "period or refYear" : NULL;
    } else if (fmt == CKP_INGEST_COMTRADE_LEGACY) {
        missing = ckp__cols_comtrade_legacy(v, c);
    } else if (fmt == CKP_INGEST_COMTRADR) {
        missing = ckp__cols_comtradr(v, c);
    } else if (fmt == CKP_INGEST_COMEXT) {
        missing = ckp__cols_comext(v, c);
    } else if (fmt == CKP_INGEST_COMEXT_BULK) {
        missing = ckp__cols_comext_bulk(v, c);
    } else if (fmt == CKP_INGEST_BACI) {
        c->year = col(v, "t", NULL);
        c->reporter = col(v, "i", NULL);
        c->partner = col(v, "j", NULL);
        c->hs = col(v, "k", NULL);
        c->value = col(v, "v", NULL);
        c->qty = col(v, "q", NULL);
        missing = c->year < 0 ? "t" : c->reporter < 0 ? "i" : c->partner < 0 ? "j"
                : c->hs < 0 ? "k" : c->value < 0 ? "v" : NULL;
    } else {
        c->period = col(v, "period", NULL);
        c->reporter = col(v, "reporter", NULL);
        c->partner = col(v, "partner", NULL);
        c->flow = col(v, "flow", NULL);
        c->hs = col(v, "hs", "hs6");
        c->value = col(v, "value", NULL);
        c->qty = col(v, "qty", NULL);
        c->unit = col(v, "unit", NULL);
        c->value_alt = col(v, "value_alt", NULL);
        c->edition = col(v, "hs_edition", "edition");
        missing = c->period < 0 ? "period" : c->reporter < 0 ? "reporter"
                : c->partner < 0 ? "partner" : c->flow < 0 ? "flow" : c->hs < 0 ? "hs"
                : c->value < 0 ? "value" : NULL;
    }
    if (missing)
        return ckp_error_set(err, CKP_EPARSE, x->file, 1, 0,
                             "the header has no '%s' column (format %s)", missing,
                             ckp_ingest_format_name(fmt));
    return CKP_OK;
}

/* BACI files say their HS revision in the name: BACI_HS17_Y2022_V202401.csv */
static int edition_from_name(const char *name)
{
    static const struct { const char *tag; int ed; } t[] = {
        {"HS92", CKP_HS1992}, {"HS96", CKP_HS1996}, {"HS02", CKP_HS2002},
        {"HS07", CKP_HS2007}, {"HS12", CKP_HS2012}, {"HS17", CKP_HS2017},
        {"HS22", CKP_HS2022}};
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strstr(base, t[i].tag))
            return t[i].ed;
    return CKP_HS_UNKNOWN;
}

/* x set up for a file of ing in format fmt (its columns in x->c): the
 * file's mark, the source, the edition, the row parser. */
static ckp_status prepare_common(ckp_ingest *ing, const char *name, ckp_ingest_format fmt,
                                 ctx *x, ckp_error *err)
{
    if (ing->nfiles >= MAX_FILES)
        return ckp_error_set(err, CKP_ELIMIT, name, 0, 0, "more than %d files in one ingest",
                             MAX_FILES);
    file_mark *fm = &ing->files[ing->nfiles];
    fm->name = strdup(name);
    if (!fm->name)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    fm->first_row = ckp_store_writer_rows(ing->w);
    ing->nfiles++;
    x->file = fm->name;
    if (ing->source[fmt] < 0) {
        const char *src = ing->opts.source ? ing->opts.source : format_names[fmt];
        int synth = ing->opts.synthetic >= 0 ? ing->opts.synthetic
                                             : strncmp(src, "synth", 5) == 0;
        ing->source[fmt] = ckp_store_writer_source(ing->w, src, synth);
        if (ing->source[fmt] < 0)
            return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                                 "cannot register source '%s' (bad name or more than 127 "
                                 "sources)", src);
    }
    x->source = ing->source[fmt];
    x->edition = ing->opts.hs_edition ? ing->opts.hs_edition : edition_from_name(name);
    x->row = fmt == CKP_INGEST_BACI ? row_baci : fmt == CKP_INGEST_FLOWS ? row_flows
             : fmt == CKP_INGEST_COMEXT ? row_comext : fmt == CKP_INGEST_COMEXT_BULK
                                                         ? row_comext_bulk : row_comtrade;
    if (fmt == CKP_INGEST_COMEXT || fmt == CKP_INGEST_COMEXT_BULK) {
        /* values in euros: the month's rate, and the source says so */
        for (int f = 0; f < CKP_INGEST_NFORMATS; f++)
            if (f != CKP_INGEST_COMEXT && f != CKP_INGEST_COMEXT_BULK &&
                ing->source[f] == x->source)
                return ckp_error_set(err, CKP_EINVAL, name, 0, 0,
                                     "source '%s' holds USD values of a %s file: a Comext file "
                                     "(EUR) needs a source of its own (--source)",
                                     ing->opts.source ? ing->opts.source : "?",
                                     format_names[f]);
        if (!ing->eur) {
            ckp_status st = ckp_fx_load(ing->ref, "EUR", &ing->eur, err);
            if (st != CKP_OK)
                return st;
        }
        ckp_store_writer_source_currency(ing->w, x->source, "EUR");
        if (fmt == CKP_INGEST_COMEXT_BULK) {
            x->sums = calloc(1, sizeof *x->sums);
            if (!x->sums)
                return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        }
    }
    int req[] = {x->c.reporter >= 0 ? x->c.reporter : x->c.reporter_iso,
                 x->c.partner >= 0 ? x->c.partner : x->c.partner_iso, x->c.hs, x->c.value,
                 x->c.flow, x->c.period >= 0 ? x->c.period : x->c.year};
    x->need = 0;
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (req[i] >= 0 && (size_t)req[i] + 1 > x->need)
            x->need = (size_t)req[i] + 1;
    return CKP_OK;
}

/* Header, format, columns and source of a file about to be parsed by x. */
static ckp_status prepare(ckp_ingest *ing, ckp_csv *csv, const char *name, ctx *x,
                          ckp_error *err)
{
    memset(x, 0, sizeof *x);
    x->ing = ing;
    x->csv = csv;
    x->w = ing->w;
    x->st = &ing->stats;
    x->rej = ing->opts.rejects;
    x->progress = ing->opts.progress != NULL;
    x->bytes_total = ckp_csv_total_bytes(csv);
    /* the decimal mark: given, or learnt from the values of a ';' file */
    x->decimal = ing->opts.decimal ? ing->opts.decimal : ckp_csv_delim(csv) == ';' ? 0 : '.';
    ckp_ingest_format fmt = ing->opts.format;
    size_t nh = ckp_csv_header_count(csv);
    if (fmt == CKP_INGEST_COMTRADE_JSON)
        return ckp_error_set(err, CKP_EPARSE, name, 1, 0,
                             "--format comtrade-json: the file does not start with '{'");
    if (fmt == CKP_INGEST_AUTO) {
        const char *names[64];
        char store[64][64];
        size_t n = nh < 64 ? nh : 64;
        for (size_t i = 0; i < n; i++) {
            ckp_field_copy(ckp_csv_header_name(csv, i), store[i], sizeof store[i]);
            names[i] = store[i];
        }
        fmt = ckp_ingest_sniff(names, n);
        if (fmt == CKP_INGEST_AUTO)
            return ckp_error_set(err, CKP_EPARSE, name, 1, 0,
                                 "cannot tell the format from the header (expected Comtrade "
                                 "reporterCode,partnerCode,cmdCode…, legacy Comtrade "
                                 "Reporter Code,Partner Code,Commodity Code,Trade Value "
                                 "(US$)…, comtradr reporter_iso,partner_iso,cmd_code,"
                                 "primary_value…, Eurostat Comext REPORTER,PARTNER,PRODUCT,FLOW,"
                                 "PERIOD,VALUE_IN_EUR or DECLARANT_ISO,PARTNER_ISO,PRODUCT_NC,"
                                 "…,VALUE_IN_EUROS, BACI t,i,j,k,v,q or flows period,reporter,"
                                 "partner,flow,hs,value…); use --format");
    }
    x->file = name; /* for setup_cols' message; prepare_common keeps a copy */
    ckp_status st = setup_cols(x, fmt, err);
    if (st != CKP_OK)
        return st;
    if (x->c.value >= 0)
        ckp_field_copy(ckp_csv_header_name(csv, (size_t)x->c.value), x->value_name,
                       sizeof x->value_name);
    if (x->c.netwgt >= 0)
        ckp_field_copy(ckp_csv_header_name(csv, (size_t)x->c.netwgt), x->netwgt_name,
                       sizeof x->netwgt_name);
    return prepare_common(ing, name, fmt, x, err);
}

/* One result r of ckp_csv_next on x's reader: reject it or parse it.
 * Returns nonzero on an unrecoverable reader error (*err set). */
static int one_record(ctx *x, int r, const ckp_error *e, ckp_error *err)
{
    ckp_csv *csv = x->csv;
    x->st->rows_read++;
    if (r < 0) {
        if (ckp_csv_failed(csv)) {
            *err = *e;
            return 1;
        }
        reject_row(x->st, x->rej, x->file, e->line + x->line_offset, CKP_REJ_MALFORMED,
                   e->msg, NULL, 0, "");
        return 0;
    }
    if (ckp_csv_nfields(csv) < x->need) {
        reject_row(x->st, x->rej, x->file, ckp_csv_line(csv) + x->line_offset,
                   CKP_REJ_FIELDS, "row has too few fields", ckp_csv_fields(csv),
                   ckp_csv_nfields(csv), NULL);
        return 0;
    }
    x->row(x);
    return 0;
}

/* Every 16,384 rows: release the parsed pages of a mapped input (done =
 * bytes of x->map parsed) and report progress. */
static void every_16k(ctx *x, size_t done, ckp_ingest_progress *pr, uint64_t *next_report)
{
    if (x->map) {
        done &= ~(size_t)0xFFFFF;
        if (done > x->map_dropped + ((size_t)32 << 20)) {
            /* whole pages only (a half starts mid-page); a page shared
             * with the other half is simply read again if needed */
            uintptr_t a = (uintptr_t)(x->map + x->map_dropped) & ~(uintptr_t)4095;
            uintptr_t b = (uintptr_t)(x->map + done) & ~(uintptr_t)4095;
            if (b > a)
                madvise((void *)a, (size_t)(b - a), MADV_DONTNEED);
            x->map_dropped = done;
        }
    }
    if (x->progress && done >= *next_report) {
        *next_report = done + (1u << 20);
        pr->bytes_done = done;
        pr->rows = x->st->rows_read;
        x->ing->opts.progress(pr, x->ing->opts.progress_ctx);
    }
}

static ckp_status parse_plain_baci(ctx *x, ckp_error *err);
static void csv_opts(ckp_csv_opts *o, const ckp_ingest *ing);

/* Every record of x's reader. */
static ckp_status parse_loop(ctx *x, ckp_error *err)
{
    if (x->plain_end)
        return parse_plain_baci(x, err);
    ckp_csv *csv = x->csv;
    ckp_ingest_progress pr = {x->file, 0, x->bytes_total, 0, 0};
    uint64_t next_report = 1u << 20;
    for (;;) {
        ckp_error e;
        int r = ckp_csv_next(csv, &e);
        if (r == 0)
            break;
        if (one_record(x, r, &e, err)) {
            sums_free(x->sums);
            x->sums = NULL;
            return err->code ? err->code : CKP_EIO;
        }
        if ((x->st->rows_read & 16383) == 0)
            every_16k(x, (size_t)ckp_csv_get_stats(csv).bytes, &pr, &next_report);
    }
    if (x->sums) {
        sums_flush(x);
        sums_free(x->sums);
        x->sums = NULL;
    }
    x->st->bytes_read += ckp_csv_get_stats(csv).bytes;
    return CKP_OK;
}

/* ---- BACI lines in their plain form -------------------------------------
 * On the parallel path (a mapped file without any quote or bare CR, so a
 * line is a record) a BACI line whose six fields are plain unsigned decimals
 * — "2022,156,842,250410,819.239,236.466" — is parsed here, straight from the
 * mapped bytes in one pass, without the CSV reader.  Every other line (a
 * word such as NA, a sign, an exponent, a tab, an unknown code, a 4-digit HS
 * code, a wrong number of fields, a blank line) goes to the CSV reader and
 * row_baci, which keep or reject it with its reason.  The rows, rejects and
 * line numbers are the same as the reader's, bit for bit
 * (ingest_plain_baci_same_as_reader). */

typedef struct plain_num {
    uint64_t m;   /* the digits as one integer, the decimal point ignored */
    int digits;   /* significant digits (leading zeros not counted) */
    int ndig;     /* all digits */
    int frac;     /* digits after the point */
    int dot;      /* a point was seen */
    int spaced;   /* a space before or after the number */
} plain_num;

/* Parse p.. as [spaces] digits [. digits] [spaces]; returns where it
 * stopped (the delimiter, a line end, or a byte that is none of these). */
static inline const char *plain_field(const char *p, const char *e, plain_num *n)
{
    const char *s = p;
    while (p < e && *p == ' ')
        p++;
    n->spaced = p != s;
    uint64_t m = 0;
    int digits = 0, ndig = 0, frac = 0, dot = 0;
    for (; p < e; p++) {
        unsigned d = (unsigned)(unsigned char)*p - '0';
        if (d < 10) {
            digits += m != 0 || d != 0;
            m = m * 10 + d;
            ndig++;
            frac += dot;
        } else if (*p == '.' && !dot) {
            dot = 1;
        } else
            break;
    }
    s = p;
    while (p < e && *p == ' ')
        p++;
    n->spaced |= p != s;
    n->m = m;
    n->digits = digits;
    n->ndig = ndig;
    n->frac = frac;
    n->dot = dot;
    return p;
}

/* A plain BACI row as row_baci would stage it: year t, exporter i,
 * importer j, HS code k, value vm / 10^vf thousand USD, quantity qm / 10^qf
 * tonnes (none when !hq).  1 when staged; 0 when an unknown country code or
 * the writer refuses it (the reader path then says why). */
static int stage_plain(ctx *x, uint64_t t, uint64_t i, uint64_t j, uint64_t k, uint64_t vm,
                       int vf, int hq, uint64_t qm, int qf, long line)
{
    ckp_flow fl;
    fl.reporter = country_baci(x->ing, (long)i);
    fl.partner = country_baci(x->ing, (long)j);
    if (fl.reporter < 0 || fl.partner < 0)
        return 0;
    fl.source = x->source;
    fl.flow = CKP_FLOW_EXPORT;
    fl.hs_edition = x->edition;
    fl.period = (int32_t)(t * 100);
    fl.hs = (uint32_t)k;
    fl.value = (double)vm / pow10_tab[vf] * 1000; /* as parse_num, then x 1000 */
    fl.value_alt = NAN;
    fl.qty = hq ? (double)qm / pow10_tab[qf] * 1000 : NAN;
    fl.unit = hq ? CKP_UNIT_KG : CKP_UNIT_NONE;
    if (!plausible(&fl) || !hs_known(x->ing, fl.hs_edition, fl.hs))
        return 0; /* the reader path rejects it (or keeps an unknown code), saying why */
    ckp_error add_err;
    if (ckp_store_writer_add_line(x->w, &fl, (uint32_t)line, &add_err) != CKP_OK)
        return 0;
    x->st->rows_read++;
    x->st->rows_kept++;
    return 1;
}

/* One plain line [p, e) (its line end excluded) as a staged row; 0 when it
 * is not plain (the reader then takes it). */
static int plain_line(ctx *x, const char *p, const char *e, long line)
{
    plain_num f[6];
    int at[6]; /* field index → t,i,j,k,v,q slot */
    const cols *c = &x->c;
    int slot_of[6] = {c->year, c->reporter, c->partner, c->hs, c->value, c->qty};
    for (int s = 0; s < 6; s++)
        at[slot_of[s]] = s;
    char d = x->plain_delim;
    for (int i = 0; i < 6; i++) {
        p = plain_field(p, e, &f[at[i]]);
        if (i < 5 ? p >= e || *p != d : p != e)
            return 0;
        p++;
    }
    plain_num *t = &f[0], *ri = &f[1], *pj = &f[2], *k = &f[3], *v = &f[4], *q = &f[5];
    /* t, i, j: integers (parse_int); k: 5 or 6 bare digits (hs6) */
    if (t->dot || ri->dot || pj->dot || !t->ndig || !ri->ndig || !pj->ndig ||
        t->ndig > 12 || ri->ndig > 3 || pj->ndig > 3)
        return 0;
    if (k->dot || k->spaced || (k->ndig != 5 && k->ndig != 6))
        return 0;
    if (t->m < 1900 || t->m > 2200)
        return 0;
    /* v, q: the exact path of parse_num; q may be empty */
    if (!v->ndig || v->digits > 15 || v->frac > 22)
        return 0;
    if (q->dot && !q->ndig)
        return 0;
    if (q->ndig && (q->digits > 15 || q->frac > 22))
        return 0;
    return stage_plain(x, t->m, ri->m, pj->m, k->m, v->m, v->frac, q->ndig > 0, q->m, q->frac,
                       line);
}

/* The run of ASCII digits at p, at most 8 of them (8 bytes at p must be
 * readable): returns how many, with their value in *v.  Eight bytes are
 * tested at once (a byte b is a digit when b ^ '0' < 10) and converted with
 * three multiplications. */
static inline int digits8(const char *p, uint64_t *v)
{
    uint64_t x;
    memcpy(&x, p, 8);
    x ^= 0x3030303030303030u;
    uint64_t bad = ((x + 0x7676767676767676u) | x) & 0x8080808080808080u;
    int n = bad ? __builtin_ctzll(bad) >> 3 : 8;
    if (n == 0) {
        *v = 0;
        return 0;
    }
    x <<= 8 * (8 - n); /* the n digits, after 8 - n zeros (little-endian) */
    x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFu;
    x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFu;
    x = (x * 10000 + (x >> 32)) & 0xFFFFFFFFu;
    *v = x;
    return n;
}

static const uint64_t pow10_int[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                      100000000};

/* Field [p, e) as a plain decimal: digits [. digits] with at most 7 digits
 * on either side.  Returns 1 with the digits as one integer *m and the
 * digits after the point *frac, 0 when the field is empty or NA, -1 for
 * anything else (8 bytes must be readable from every position). */
static inline int swar_decimal(const char *p, const char *e, uint64_t *m, int *frac)
{
    if (p == e || (e - p == 2 && p[0] == 'N' && p[1] == 'A'))
        return 0;
    uint64_t ip, fp = 0;
    int ni = digits8(p, &ip), nf = 0;
    if (p + ni != e) {
        if (ni == 8 || p[ni] != '.')
            return -1;
        nf = digits8(p + ni + 1, &fp);
        if (nf == 8 || p + ni + 1 + nf != e || ni + nf == 0)
            return -1;
    }
    *m = ip * pow10_int[nf] + fp;
    *frac = nf;
    return 1;
}

#if defined(__SSE2__)
/* Bit i set where byte i of the 64 at p is c. */
static inline uint64_t mask64(const char *p, char c)
{
    const __m128i k = _mm_set1_epi8(c);
    uint64_t m = 0;
    for (int i = 0; i < 4; i++) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, k)) << (16 * i);
    }
    return m;
}

/* A BACI line of at most 63 bytes in the usual column order t,i,j,k,v,q:
 * the delimiters and the line feed are found at once (SSE2), then each
 * field is converted on its own, eight bytes at a time.  Returns the start
 * of the next line, or NULL when the line is not in that plain form
 * (plain_line then looks at it).  64 bytes from p must be readable. */
static const char *swar_line(ctx *x, const char *p, long line)
{
    uint64_t lf = mask64(p, '\n');
    if (!lf)
        return NULL;
    int end = __builtin_ctzll(lf);
    uint64_t dm = mask64(p, x->plain_delim) & ((1ull << end) - 1);
    int at[6]; /* field starts; at[f + 1] - 1 ends field f */
    at[0] = 0;
    for (int f = 1; f < 6; f++) {
        if (!dm)
            return NULL;
        at[f] = __builtin_ctzll(dm) + 1;
        dm &= dm - 1;
    }
    if (dm)
        return NULL; /* more than six fields */
    int qend = end > 0 && p[end - 1] == '\r' ? end - 1 : end;
    uint64_t t, i, j, k, vm = 0, qm = 0;
    int vf = 0, qf = 0;
    int li = at[2] - at[1] - 1, lj = at[3] - at[2] - 1, lk = at[4] - at[3] - 1;
    if (at[1] != 5 || digits8(p, &t) != 4 || t < 1900 || t > 2200)
        return NULL;
    if (li < 1 || li > 3 || digits8(p + at[1], &i) != li)
        return NULL;
    if (lj < 1 || lj > 3 || digits8(p + at[2], &j) != lj)
        return NULL;
    if ((lk != 5 && lk != 6) || digits8(p + at[3], &k) != lk)
        return NULL;
    if (swar_decimal(p + at[4], p + at[5] - 1, &vm, &vf) != 1)
        return NULL;
    int hq = swar_decimal(p + at[5], p + qend, &qm, &qf);
    if (hq < 0)
        return NULL;
    return stage_plain(x, t, i, j, k, vm, vf, hq, qm, qf, line) ? p + end + 1 : NULL;
}
#else
static const char *swar_line(ctx *x, const char *p, long line)
{
    (void)x, (void)p, (void)line;
    return NULL;
}
#endif

/* The reader on one line [p, e) (its line end included), as line `line`. */
static ckp_status reader_line(ctx *x, const char *p, const char *e, long line, ckp_error *err)
{
    ckp_csv_opts o;
    csv_opts(&o, x->ing);
    o.header = 0;
    o.delim = x->plain_delim;
    ckp_csv *one, *saved = x->csv;
    long saved_off = x->line_offset;
    ckp_status st = ckp_csv_open_mem(p, (size_t)(e - p), x->file, &o, &one, err);
    if (st != CKP_OK)
        return st;
    x->csv = one;
    x->line_offset = line - 1;
    for (;;) {
        ckp_error re;
        int r = ckp_csv_next(one, &re);
        if (r == 0)
            break;
        if (one_record(x, r, &re, err)) {
            st = err->code ? err->code : CKP_EIO;
            break;
        }
    }
    x->csv = saved;
    x->line_offset = saved_off;
    ckp_csv_close(one);
    return st;
}

static ckp_status parse_plain_baci(ctx *x, ckp_error *err)
{
    const char *p = x->plain_begin, *end = x->plain_end;
    long line = x->plain_line;
    ckp_ingest_progress pr = {x->file, 0, x->bytes_total, 0, 0};
    uint64_t next_report = 1u << 20;
    uint64_t rows = 0;
    const cols *c = &x->c;
    int usual = c->year == 0 && c->reporter == 1 && c->partner == 2 && c->hs == 3 &&
                c->value == 4 && c->qty == 5;
    /* the SWAR path reads 64 bytes ahead (its 8-byte field reads stay inside
     * them: t, i, j, k are length-checked before v, v before q, so the last
     * one starts by byte 44): not near the mapping's end */
    const char *swar_end = usual && x->map_end - x->plain_begin > 64 ? x->map_end - 64 : p;
    while (p < end) {
        if (p < swar_end) {
            const char *next = swar_line(x, p, line);
            if (next) {
                line++;
                p = next;
                if ((++rows & 16383) == 0)
                    every_16k(x, (size_t)(p - x->map), &pr, &next_report);
                continue;
            }
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *next = nl ? nl + 1 : end;
        const char *ce = le > p && le[-1] == '\r' ? le - 1 : le;
        if ((size_t)(next - p) > ((size_t)1 << 20) || !plain_line(x, p, ce, line)) {
            ckp_status st = reader_line(x, p, next, line, err);
            if (st != CKP_OK)
                return st;
        }
        line++;
        p = next;
        if ((++rows & 16383) == 0)
            every_16k(x, (size_t)(p - x->map), &pr, &next_report);
    }
    x->st->bytes_read += (uint64_t)(end - x->map);
    return CKP_OK;
}

static void file_done(ckp_ingest *ing, const char *name, uint64_t bytes)
{
    ing->stats.files++;
    if (ing->opts.progress) {
        ckp_ingest_progress pr = {name, bytes, bytes, ing->stats.rows_read, 1};
        ing->opts.progress(&pr, ing->opts.progress_ctx);
    }
}

static ckp_status ingest_csv(ckp_ingest *ing, ckp_csv *csv, const char *name, ckp_error *err)
{
    ctx x;
    uint64_t before = ing->stats.bytes_read;
    ckp_status st = prepare(ing, csv, name, &x, err);
    if (st == CKP_OK)
        st = parse_loop(&x, err);
    if (st == CKP_OK)
        file_done(ing, name, ing->stats.bytes_read - before);
    return st;
}

static void csv_opts(ckp_csv_opts *o, const ckp_ingest *ing)
{
    ckp_csv_opts_init(o);
    o->delim = ing->opts.delim;
    o->encoding = CKP_CSV_AUTO;
    o->max_record = (size_t)1 << 20;
}

/* ---- two threads on one big file --------------------------------------
 * A regular file of 32 MB or more is mapped and cut in two at a newline
 * near its middle.  Each half is parsed by its own thread into its own
 * view of the staging rows, with its own counts and rejects (the second
 * half's written after the first's, its line numbers shifted by the first
 * half's lines).  The result is the same as one thread's, row for row, line
 * for line.
 *
 * First each thread maps its half in (MADV_POPULATE_READ, 8 MB at a time:
 * far cheaper than a page fault per page), counts its line feeds and looks
 * for a quote or a bare CR.  If there is one anywhere, a line is not always
 * a record and the file is parsed by one reader over the whole mapping.
 * Otherwise the line counts bound the rows of each half, the staging rows
 * are reserved once, and each half fills its own part — no copy when the
 * first half had no rejected line.  Only for Comtrade and BACI, whose
 * country lookups are plain tables filled before the threads start (the
 * flows format is parsed by one thread).  CKP_INGEST_THREADS=1 turns it
 * off; CKP_INGEST_PAR_MIN=BYTES changes the size threshold (tests use it on
 * small files). */

#define PAR_MIN_BYTES ((size_t)32 << 20)
#define WINDOW ((size_t)8 << 20)

/* Line feeds in [from, to) of buf (len bytes in all); 0 when that range
 * holds a quote or a CR not followed by a LF, else 1. */
static int scan_half(const char *buf, size_t len, size_t from, size_t to, long *lines)
{
    long nl = 0;
    for (size_t off = from; off < to; off += WINDOW) {
        size_t n = to - off < WINDOW ? to - off : WINDOW;
        const char *p = buf + off, *e = p + n;
#ifdef MADV_POPULATE_READ
        uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095;
        madvise((void *)a, (size_t)((uintptr_t)e - a), MADV_POPULATE_READ);
#endif
#if defined(__SSE2__)
        const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
                      qt = _mm_set1_epi8('"'), zero = _mm_setzero_si128();
        while (p + 16 <= e) {
            /* line feeds counted per byte lane (at most 255 blocks), then
             * summed with one SAD */
            __m128i acc = zero;
            for (int blocks = 0; blocks < 255 && p + 16 <= e; blocks++, p += 16) {
                __m128i b = _mm_loadu_si128((const __m128i *)(const void *)p);
                __m128i l = _mm_cmpeq_epi8(b, lf);
                __m128i q = _mm_cmpeq_epi8(b, qt), c = _mm_cmpeq_epi8(b, cr);
                acc = _mm_sub_epi8(acc, l);
                if (_mm_movemask_epi8(_mm_or_si128(q, c))) {
                    if (_mm_movemask_epi8(q))
                        return 0;
                    /* every CR followed by a LF (the next block's first byte too) */
                    unsigned lm = (unsigned)_mm_movemask_epi8(l);
                    unsigned cm = (unsigned)_mm_movemask_epi8(c);
                    unsigned next = lm >> 1 | (p + 16 < buf + len && p[16] == '\n' ? 0x8000u : 0);
                    if (cm & ~next)
                        return 0;
                }
            }
            __m128i sad = _mm_sad_epu8(acc, zero);
            nl += _mm_cvtsi128_si32(sad) + _mm_extract_epi16(sad, 4);
        }
#endif
        for (; p < e; p++) {
            if (*p == '"' || (*p == '\r' && (p + 1 >= buf + len || p[1] != '\n')))
                return 0;
            nl += *p == '\n';
        }
    }
    *lines = nl;
    return 1;
}

typedef struct half {
    ctx x;
    const char *buf;
    size_t len, from, to;
    long lines;
    int plain;                 /* scan_half's answer */
    int go;                    /* set by the first thread: parse */
    pthread_barrier_t *bar;
    ckp_status st;
    ckp_error err;
} half;

static void *second_half(void *arg)
{
    half *h = arg;
    h->plain = scan_half(h->buf, h->len, h->from, h->to, &h->lines);
    pthread_barrier_wait(h->bar); /* scanned */
    pthread_barrier_wait(h->bar); /* the first thread has decided */
    if (h->go) {
        ckp__writer_populate(h->x.w);
        h->st = parse_loop(&h->x, &h->err);
    }
    return NULL;
}

static int want_threads(void)
{
    const char *e = getenv("CKP_INGEST_THREADS");
    if (e && *e)
        return atoi(e) > 1;
    return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/* The rest of the mapped file after x's header, through one reader. */
static ckp_status whole_file(ctx *x, const char *buf, size_t len, const char *path,
                             ckp_error *err)
{
    ckp_csv_opts o;
    csv_opts(&o, x->ing);
    o.header = 0;
    o.delim = ckp_csv_delim(x->csv);
    size_t body = (size_t)ckp_csv_get_stats(x->csv).bytes;
    long header_lines = ckp_csv_line(x->csv);
    ckp_csv *whole = NULL;
    if (ckp_csv_open_mem(buf + body, len - body, path, &o, &whole, err) != CKP_OK)
        return err->code;
    ckp_csv *saved = x->csv;
    x->csv = whole;
    x->line_offset = header_lines;
    x->map = buf + body;
    x->bytes_total = len - body;
    x->plain_end = NULL;
    ckp_status st = parse_loop(x, err);
    x->st->bytes_read += body;
    x->csv = saved;
    ckp_csv_close(whole);
    return st;
}

static void add_stats(ckp_ingest_stats *a, const ckp_ingest_stats *b)
{
    a->rows_read += b->rows_read;
    a->rows_kept += b->rows_kept;
    a->rows_rejected += b->rows_rejected;
    a->unknown_hs_kept += b->unknown_hs_kept;
    a->hs_folded += b->hs_folded;
    for (int i = 0; i < 3; i++)
        a->aggregate_kept[i] += b->aggregate_kept[i];
    a->bytes_read += b->bytes_read;
    for (int r = 0; r < CKP_REJ_COUNT; r++)
        a->by_reason[r] += b->by_reason[r];
}

/* Both halves scanned (one here, one by a second thread) and, when the file
 * is plain, parsed into views of the staging rows.  *plain = 0: a quote or a
 * bare CR somewhere, nothing parsed. */
static ckp_status two_halves(ckp_ingest *ing, ctx *x0, half *h1, int *plain, ckp_error *err)
{
    pthread_barrier_t bar;
    pthread_t t;
    int threaded = pthread_barrier_init(&bar, NULL, 2) == 0;
    if (threaded) {
        h1->bar = &bar;
        if (pthread_create(&t, NULL, second_half, h1) != 0) {
            pthread_barrier_destroy(&bar);
            threaded = 0;
        }
    }
    long lines0 = 0;
    int plain0 = scan_half(h1->buf, h1->len, 0, h1->from, &lines0);
    if (threaded)
        pthread_barrier_wait(&bar);
    else
        h1->plain = scan_half(h1->buf, h1->len, h1->from, h1->to, &h1->lines);
    ckp__phase("scan");
    ckp_status st = CKP_OK;
    *plain = plain0 && h1->plain;
    ckp_store_writer *v0 = NULL;
    if (*plain) {
        /* a line holds at most one row, the header's line none: the first
         * half stages at most lines0 - 1 rows, the second lines + 1 (a last
         * line without a line feed) */
        size_t cap0 = lines0 > 0 ? (size_t)lines0 - 1 : 0, cap1 = (size_t)h1->lines + 1;
        size_t base = ckp_store_writer_rows(ing->w);
        st = ckp__writer_reserve(ing->w, cap0 + cap1, err);
        if (st == CKP_OK) {
            v0 = ckp__writer_view(ing->w, base, cap0);
            h1->x.w = ckp__writer_view(ing->w, base + cap0, cap1);
            if (!v0 || !h1->x.w)
                st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        }
        x0->w = v0;
        h1->x.line_offset = lines0;
        h1->x.plain_line = lines0 + 1;
        h1->go = st == CKP_OK;
    }
    if (threaded)
        pthread_barrier_wait(&bar);
    if (h1->go) {
        ckp__writer_populate(x0->w); /* each half maps in its own rows */
        st = parse_loop(x0, err);
        if (!threaded)
            h1->st = parse_loop(&h1->x, &h1->err);
    }
    if (threaded) {
        pthread_join(t, NULL);
        pthread_barrier_destroy(&bar);
    }
    ckp__phase("parse");
    x0->w = ing->w;
    if (h1->go) {
        if (st == CKP_OK && h1->st != CKP_OK) {
            st = h1->st;
            *err = h1->err;
        }
        if (st == CKP_OK)
            st = ckp__writer_join(ing->w, v0, err);
        else
            ckp_store_writer_abort(v0);
        if (st == CKP_OK)
            st = ckp__writer_join(ing->w, h1->x.w, err);
        else
            ckp_store_writer_abort(h1->x.w);
        ckp__phase("join");
    } else {
        ckp_store_writer_abort(v0);
        ckp_store_writer_abort(h1->x.w);
    }
    h1->x.w = NULL;
    return st;
}

/* 1 when the parallel path took the file (st set), 0 to parse it serially. */
static int ingest_parallel(ckp_ingest *ing, const char *path, ckp_status *st, ckp_error *err)
{
    if (strcmp(path, "-") == 0 || !want_threads())
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0; /* the serial path reports it */
    struct stat sb;
    const char *min = getenv("CKP_INGEST_PAR_MIN"); /* tests: parallel on small files */
    size_t min_bytes = min && *min ? (size_t)strtoull(min, NULL, 10) : PAR_MIN_BYTES;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0 ||
        (size_t)sb.st_size < min_bytes) {
        close(fd);
        return 0;
    }
    size_t len = (size_t)sb.st_size;
    char *buf = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (buf == MAP_FAILED)
        return 0;
    ckp__phase(NULL);
    size_t split = len / 2;
    const char *nl = memchr(buf + split, '\n', len - split);
    split = nl ? (size_t)(nl + 1 - buf) : len;
    ckp_csv_opts o;
    csv_opts(&o, ing);
    ckp_csv *c0 = NULL, *c1 = NULL;
    ctx x0;
    half h1;
    memset(&h1, 0, sizeof h1);
    char *rejtext = NULL;
    size_t rejlen = 0;
    if (ckp_csv_open_mem(buf, split, path, &o, &c0, err) != CKP_OK) {
        *st = err->code;
        goto out_unmap;
    }
    *st = prepare(ing, c0, path, &x0, err);
    if (*st != CKP_OK)
        goto out_close;
    if (x0.row == row_flows || split == len || x0.decimal != '.' ||
        x0.c.reporter_iso >= 0 || x0.c.partner_iso >= 0) {
        /* name lookups are not thread-safe, nor is learning the decimal
         * mark of a ';' file from its values: one thread over the WHOLE file */
        *st = whole_file(&x0, buf, len, path, err);
        goto out_close;
    }
    for (int i = 0; i < 1000; i++) { /* the lookup tables, filled before sharing */
        country_comtrade(ing, i);
        country_baci(ing, i);
    }
    o.header = 0;
    o.delim = ckp_csv_delim(c0);
    size_t body = (size_t)ckp_csv_get_stats(c0).bytes; /* past the header line */
    int plain_baci = x0.row == row_baci && ckp_csv_header_count(c0) == 6 && x0.c.qty >= 0 &&
                     ckp_csv_line(c0) == 1 && body > 0 && body <= split &&
                     buf[body - 1] == '\n';
    x0.map = buf;
    x0.map_end = buf + len;
    x0.bytes_total = split;
    x0.plain_delim = o.delim;
    if (plain_baci) {
        x0.plain_begin = buf + body;
        x0.plain_end = buf + split;
        x0.plain_line = 2;
    }
    if (ckp_csv_open_mem(buf + split, len - split, path, &o, &c1, err) != CKP_OK) {
        *st = err->code;
        goto out_close;
    }
    h1.buf = buf;
    h1.len = len;
    h1.from = split;
    h1.to = len;
    h1.x = x0;
    h1.x.csv = c1;
    h1.x.map = buf + split;
    h1.x.progress = 0;
    h1.x.bytes_total = len - split;
    if (plain_baci) {
        h1.x.plain_begin = buf + split;
        h1.x.plain_end = buf + len;
    }
    h1.x.st = calloc(1, sizeof *h1.x.st);
    h1.x.w = NULL;
    h1.x.rej = NULL;
    if (ing->opts.rejects)
        h1.x.rej = open_memstream(&rejtext, &rejlen);
    if (!h1.x.st || (ing->opts.rejects && !h1.x.rej)) {
        *st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_half;
    }
    int plain = 0;
    *st = two_halves(ing, &x0, &h1, &plain, err);
    if (*st == CKP_OK && !plain) /* a quote or a bare CR: one reader */
        *st = whole_file(&x0, buf, len, path, err);
    else if (*st == CKP_OK)
        add_stats(&ing->stats, h1.x.st);
out_half:
    if (h1.x.rej) {
        fclose(h1.x.rej);
        if (*st == CKP_OK && rejlen)
            fwrite(rejtext, 1, rejlen, ing->opts.rejects);
    }
    free(rejtext);
    free(h1.x.st);
    ckp_csv_close(c1);
out_close:
    ckp_csv_close(c0);
    if (*st == CKP_OK)
        file_done(ing, path, len);
out_unmap:
    munmap(buf, len);
    return 1;
}

/* ---- JSON, compressed input, standard input ---------------------------- */

/* A Comtrade+ API response from src: each record through the Comtrade row
 * parser, its fields named as in the Comtrade+ CSV. */
static ckp_status ingest_json(ckp_ingest *ing, ckp__src *src, const char *name, ckp_error *err)
{
    ctx x;
    memset(&x, 0, sizeof x);
    x.ing = ing;
    x.w = ing->w;
    x.st = &ing->stats;
    x.rej = ing->opts.rejects;
    x.decimal = '.';
    cols *c = &x.c;
    memset(c, -1, sizeof *c);
    int *at[CKP__JSON_NFIELDS] = {&c->period, &c->year,   &c->month,    &c->freq,
                                  &c->reporter, &c->partner, &c->flow,  &c->hs,
                                  &c->value,  &c->cif,    &c->fob,      &c->netwgt,
                                  &c->qty,    &c->qtyunit, &c->classif, &c->mot,
                                  &c->customs, &c->partner2, &c->mos};
    for (int i = 0; i < CKP__JSON_NFIELDS; i++)
        *at[i] = i;
    snprintf(x.value_name, sizeof x.value_name, "primaryValue");
    snprintf(x.netwgt_name, sizeof x.netwgt_name, "netWgt");
    ckp_status st = prepare_common(ing, name, CKP_INGEST_COMTRADE_JSON, &x, err);
    if (st != CKP_OK)
        return st;
    ckp__json *j = NULL;
    st = ckp__json_open(src, name, &j, err);
    if (st != CKP_OK)
        return st;
    ckp_ingest_progress pr = {x.file, 0, ckp__src_raw_total(src), 0, 0};
    for (;;) {
        const ckp_field *fields = NULL;
        long line = 0;
        ckp_error e;
        int r = ckp__json_next(j, &fields, &line, &e);
        if (r == 0)
            break;
        if (r == -2) {
            *err = e;
            st = e.code ? e.code : CKP_EPARSE;
            break;
        }
        ing->stats.rows_read++;
        if (r < 0) {
            reject_row(&ing->stats, x.rej, x.file, e.line, CKP_REJ_MALFORMED, e.msg, NULL, 0,
                       "");
            continue;
        }
        x.vals = fields;
        x.nvals = CKP__JSON_NFIELDS;
        x.vline = line;
        x.row(&x);
        if (ing->opts.progress && (ing->stats.rows_read & 16383) == 0) {
            pr.bytes_done = ckp__json_bytes(j);
            pr.rows = ing->stats.rows_read;
            ing->opts.progress(&pr, ing->opts.progress_ctx);
        }
    }
    uint64_t bytes = ckp__json_bytes(j);
    ing->stats.bytes_read += bytes;
    ckp__json_close(j);
    if (st == CKP_OK)
        file_done(ing, name, bytes);
    return st;
}

/* A file through a ckp__src (gzip, standard input, or memory that starts
 * with '{'): JSON or CSV. */
static ckp_status ingest_src(ckp_ingest *ing, ckp__src *src, const char *name, int first,
                             ckp_error *err)
{
    ckp_ingest_format f = ing->opts.format;
    if (f == CKP_INGEST_COMTRADE_JSON || (f == CKP_INGEST_AUTO && first == '{'))
        return ingest_json(ing, src, name, err);
    ckp_csv_opts o;
    csv_opts(&o, ing);
    ckp_csv *csv;
    ckp_status st = ckp_csv_open_reader(ckp__src_read, src, name, &o, &csv, err);
    if (st != CKP_OK)
        return st;
    st = ingest_csv(ing, csv, name, err);
    ckp_csv_close(csv);
    return st;
}

static ckp_status ingest_file_any(ckp_ingest *ing, const char *path, ckp_error *err)
{
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    ckp__src *src = NULL;
    ckp_status st = ckp__src_open_file(path, &src, err);
    if (st != CKP_OK)
        return st;
    int first = ckp__src_first_byte(src, err, name);
    if (first == -2) {
        ckp__src_close(src);
        return err->code;
    }
    int json = ing->opts.format == CKP_INGEST_COMTRADE_JSON ||
               (ing->opts.format == CKP_INGEST_AUTO && first == '{');
    if (ckp__src_is_gz(src) || json || strcmp(path, "-") == 0) {
        st = ingest_src(ing, src, name, first, err);
        ckp__src_close(src);
        return st;
    }
    ckp__src_close(src); /* a plain CSV file: mapped, maybe in two threads */
    if (ingest_parallel(ing, path, &st, err))
        return st;
    ckp_csv_opts o;
    csv_opts(&o, ing);
    ckp_csv *csv;
    st = ckp_csv_open(path, &o, &csv, err);
    if (st != CKP_OK)
        return st;
    st = ingest_csv(ing, csv, name, err);
    ckp_csv_close(csv);
    return st;
}

ckp_status ckp_ingest_file(ckp_ingest *ing, const char *path, ckp_error *err)
{
    return ingest_file_any(ing, path, err);
}

static ckp_status ingest_mem_any(ckp_ingest *ing, const char *name, const char *buf, size_t len,
                                 ckp_error *err)
{
    int gz = len >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b;
    size_t i = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    int json = ing->opts.format == CKP_INGEST_COMTRADE_JSON ||
               (ing->opts.format == CKP_INGEST_AUTO && i < len && buf[i] == '{');
    if (gz || json) {
        ckp__src *src = NULL;
        ckp_status st = ckp__src_open_mem(buf, len, name, &src, err);
        if (st != CKP_OK)
            return st;
        int first = ckp__src_first_byte(src, err, name);
        st = first == -2 ? err->code : ingest_src(ing, src, name, first, err);
        ckp__src_close(src);
        return st;
    }
    ckp_csv_opts o;
    csv_opts(&o, ing);
    ckp_csv *csv;
    ckp_status st = ckp_csv_open_mem(buf, len, name, &o, &csv, err);
    if (st != CKP_OK)
        return st;
    st = ingest_csv(ing, csv, name, err);
    ckp_csv_close(csv);
    return st;
}

ckp_status ckp_ingest_mem(ckp_ingest *ing, const char *name, const char *buf, size_t len,
                          ckp_error *err)
{
    return ingest_mem_any(ing, name, buf, len, err);
}

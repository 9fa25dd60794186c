/* ingest_fields.c — one field of a trade file at a time, parsed in place
 * (no copies, no strtod on the common path): numbers with either decimal
 * mark, periods, country codes and names, flows, HS editions and codes,
 * quantity units (see ingest_parse.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/ingest_parse.h"

/* ---- field parsing ----------------------------------------------------- */

ckp_field ckp__trim(ckp_field f)
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

const double ckp__pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A decimal number: NUM_OK with *out, NUM_EMPTY for "" (and NA, null, -),
 * NUM_NONFINITE for inf/NaN, NUM_BAD otherwise.  Plain decimals of up to 19
 * significant digits are converted exactly here (one correctly rounded
 * division); the rest goes to strtod. */
int ckp__parse_num(ckp_field f, double *out)
{
    if (f.len == 0 || f.ptr[0] == ' ' || f.ptr[0] == '\t' || f.ptr[f.len - 1] == ' ' ||
        f.ptr[f.len - 1] == '\t' || f.ptr[f.len - 1] == '\r')
        f = ckp__trim(f);
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
        double v = (double)m / ckp__pow10[frac];
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
long ckp__parse_int(ckp_field f)
{
    if (f.len == 0 || f.ptr[0] < '0' || f.ptr[0] > '9' || f.ptr[f.len - 1] < '0')
        f = ckp__trim(f);
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

/* A period as data writes it: 2023, 2023-08, 202308, 2023-08-01, 20230801
 * → YYYYMM or YYYY00; PERIOD_FORM when it is none of these (2023/08,
 * 2023-0801), PERIOD_DATE when the month or day does not exist
 * (2023-13, 2020-02-30). */
int32_t ckp__parse_period(ckp_field f)
{
    f = ckp__trim(f);
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

int ckp__country_comtrade(ckp_ingest *ing, long code)
{
    if (code < 0)
        return -1;
    if (code >= 1000)
        return ckp_ref_country_by_comtrade(ing->ref, (int)code);
    if (ing->by_comtrade[code] == -2)
        ing->by_comtrade[code] = ckp_ref_country_by_comtrade(ing->ref, (int)code);
    return ing->by_comtrade[code];
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
int ckp__country_any(ckp_ingest *ing, ckp_field f)
{
    f = ckp__trim(f);
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
const char *ckp__country_why(const ckp_ingest *ing, ckp_field f, char *buf, size_t n)
{
    char arg[256];
    ckp_error e;
    int id;
    f = ckp__trim(f);
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

int ckp__ieq(ckp_field f, const char *s)
{
    size_t n = strlen(s);
    return f.len == n && strncasecmp(f.ptr, s, n) == 0;
}

/* X, M, RX, RM (Comtrade codes) and the words. */
int ckp__parse_flow(ckp_field f)
{
    f = ckp__trim(f);
    if (ckp__ieq(f, "X") || ckp__ieq(f, "export") || ckp__ieq(f, "exports"))
        return CKP_FLOW_EXPORT;
    if (ckp__ieq(f, "M") || ckp__ieq(f, "import") || ckp__ieq(f, "imports"))
        return CKP_FLOW_IMPORT;
    if (ckp__ieq(f, "RX") || ckp__ieq(f, "re-export") || ckp__ieq(f, "reexport"))
        return CKP_FLOW_REEXPORT;
    if (ckp__ieq(f, "RM") || ckp__ieq(f, "re-import") || ckp__ieq(f, "reimport"))
        return CKP_FLOW_REIMPORT;
    return 0;
}

/* Comtrade classificationCode H0…H6 (or HS, or a year) → edition; -1 other. */
int ckp__parse_edition(ckp_field f)
{
    static const int h[7] = {CKP_HS1992, CKP_HS1996, CKP_HS2002, CKP_HS2007,
                             CKP_HS2012, CKP_HS2017, CKP_HS2022};
    f = ckp__trim(f);
    if (f.len == 0 || ckp__ieq(f, "HS"))
        return CKP_HS_UNKNOWN;
    if (f.len == 2 && (f.ptr[0] == 'H' || f.ptr[0] == 'h') && f.ptr[1] >= '0' &&
        f.ptr[1] <= '6')
        return h[f.ptr[1] - '0'];
    long y = ckp__parse_int(f);
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
int ckp__comtrade_unit(long code)
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
int ckp__flows_unit(ckp_field f, double *scale)
{
    f = ckp__trim(f);
    *scale = 1;
    if (f.len == 0 || ckp__ieq(f, "kg"))
        return CKP_UNIT_KG;
    if (ckp__ieq(f, "t") || ckp__ieq(f, "tonne") || ckp__ieq(f, "tonnes") || ckp__ieq(f, "ton")) {
        *scale = 1000;
        return CKP_UNIT_KG;
    }
    if (ckp__ieq(f, "g")) {
        *scale = 0.001;
        return CKP_UNIT_KG;
    }
    if (ckp__ieq(f, "u") || ckp__ieq(f, "number") || ckp__ieq(f, "items") || ckp__ieq(f, "pcs") || ckp__ieq(f, "no"))
        return CKP_UNIT_NUMBER;
    if (ckp__ieq(f, "l") || ckp__ieq(f, "litre") || ckp__ieq(f, "liter"))
        return CKP_UNIT_LITRE;
    if (ckp__ieq(f, "m2"))
        return CKP_UNIT_M2;
    if (ckp__ieq(f, "m3"))
        return CKP_UNIT_M3;
    if (ckp__ieq(f, "pair") || ckp__ieq(f, "pairs") || ckp__ieq(f, "2u"))
        return CKP_UNIT_PAIR;
    if (ckp__ieq(f, "ct") || ckp__ieq(f, "carat") || ckp__ieq(f, "carats"))
        return CKP_UNIT_CARAT;
    return CKP_UNIT_OTHER;
}

/* The row's product: 0 an HS6 code; -2 TOTAL, a chapter or a heading,
 * *code its aggregate key (ckp_hs_key: formats that hold aggregates keep
 * it, BACI rejects it as hs-not-6-digit); -1 not a code.  A national 8- or
 * 10-digit code (or "2825.80.00") is folded to its HS6 by ckp_hs_fold and
 * marked in x->hs_folded (counted when kept). */
int ckp__hs6(ckp__parser *x, ckp_field f, uint32_t *code)
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
    f = ckp__trim(f);
    int level = 0;
    if (f.len == 0)
        return -1;
    if (f.len == 5 && ckp__ieq(f, "TOTAL")) {
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
    f = ckp__trim(f);
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
    f = ckp__trim(f);
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

/* A number of x's file: parse_num with its decimal mark.  A ';' file whose
 * mark is not given learns it from the first value that shows one; until
 * then an ambiguous value (1.234) is NUM_AMBIGUOUS, and a value that shows
 * the other mark later is NUM_MIXED. */
int ckp__num(ckp__parser *x, ckp_field f, double *out)
{
    if (x->decimal == '.')
        return ckp__parse_num(f, out);
    if (x->ing->opts.decimal == 0) { /* learning */
        char ev = decimal_evidence(f);
        if (ev && x->decimal && ev != x->decimal)
            return NUM_MIXED;
        if (ev)
            x->decimal = ev;
        else if (!x->decimal) {
            ckp_field t = ckp__trim(f);
            if (memchr(t.ptr ? t.ptr : "", '.', t.len))
                return NUM_AMBIGUOUS;
            return ckp__parse_num(f, out);
        }
        if (x->decimal == '.')
            return ckp__parse_num(f, out);
    }
    char buf[64];
    if (comma_to_point(f, buf, sizeof buf) < 0)
        return NUM_BAD;
    ckp_field g = {buf, strlen(buf)};
    return ckp__parse_num(g, out);
}

/* The reject detail of a num() result r of field name (NULL when r is a
 * good number). */
const char *ckp__num_msg(int r)
{
    return r == NUM_EMPTY ? "missing value" : r == NUM_NONFINITE ? "value is inf or NaN"
           : r == NUM_BAD ? "value is not a number"
           : r == NUM_AMBIGUOUS ? "value could be read with a decimal point or a decimal comma "
                                  "(1.234 = 1234 or 1.234): give --decimal-comma or --decimal-point"
           : r == NUM_MIXED ? "value has a decimal mark other than the file's earlier values"
                            : NULL;
}

/* Value: 0 ok; else the reject detail in msg. */
int ckp__value_of(ckp__parser *x, ckp_field f, double *v, const char **msg)
{
    int r = ckp__num(x, f, v);
    *msg = r != NUM_OK ? ckp__num_msg(r) : *v < 0 ? "negative value" : NULL;
    return *msg ? -1 : 0;
}

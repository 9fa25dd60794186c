/* ingest_plain.c — the fast path of BACI files: lines in their plain form
 * parsed straight from the mapped bytes (SSE2 and SWAR), the rest through
 * the CSV reader (see ingest_parse.h). */
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "store/ingest_parse.h"

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
static int stage_plain(ckp__parser *x, uint64_t t, uint64_t i, uint64_t j, uint64_t k, uint64_t vm,
                       int vf, int hq, uint64_t qm, int qf, long line)
{
    ckp_flow fl;
    fl.reporter = ckp__country_baci(x->ing, (long)i);
    fl.partner = ckp__country_baci(x->ing, (long)j);
    if (fl.reporter < 0 || fl.partner < 0)
        return 0;
    fl.source = x->source;
    fl.flow = CKP_FLOW_EXPORT;
    fl.hs_edition = x->edition;
    fl.period = (int32_t)(t * 100);
    fl.hs = (uint32_t)k;
    fl.value = (double)vm / ckp__pow10[vf] * 1000; /* as parse_num, then x 1000 */
    fl.value_alt = NAN;
    fl.qty = hq ? (double)qm / ckp__pow10[qf] * 1000 : NAN;
    fl.unit = hq ? CKP_UNIT_KG : CKP_UNIT_NONE;
    if (!ckp__plausible(&fl) || !ckp__hs_known(x->ing, fl.hs_edition, fl.hs))
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
static int plain_line(ckp__parser *x, const char *p, const char *e, long line)
{
    plain_num f[6];
    int at[6]; /* field index → t,i,j,k,v,q slot */
    const ckp__cols *c = &x->c;
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
static const char *swar_line(ckp__parser *x, const char *p, long line)
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
static const char *swar_line(ckp__parser *x, const char *p, long line)
{
    (void)x, (void)p, (void)line;
    return NULL;
}
#endif

/* The reader on one line [p, e) (its line end included), as line `line`. */
static ckp_status reader_line(ckp__parser *x, const char *p, const char *e, long line, ckp_error *err)
{
    ckp_csv_opts o;
    ckp__csv_opts(&o, x->ing);
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
        if (ckp__one_record(x, r, &re, err)) {
            st = err->code ? err->code : CKP_EIO;
            break;
        }
    }
    x->csv = saved;
    x->line_offset = saved_off;
    ckp_csv_close(one);
    return st;
}

ckp_status ckp__parse_plain_baci(ckp__parser *x, ckp_error *err)
{
    const char *p = x->plain_begin, *end = x->plain_end;
    long line = x->plain_line;
    ckp_ingest_progress pr = {x->file, 0, x->bytes_total, 0, 0};
    uint64_t next_report = 1u << 20;
    uint64_t rows = 0;
    const ckp__cols *c = &x->c;
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
                    ckp__every_16k(x, (size_t)(p - x->map), &pr, &next_report);
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
            ckp__every_16k(x, (size_t)(p - x->map), &pr, &next_report);
    }
    x->st->bytes_read += (uint64_t)(end - x->map);
    x->plain_line = line; /* the next chunk's first line (an archive member) */
    return CKP_OK;
}

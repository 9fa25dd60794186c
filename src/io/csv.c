/* csv.c — streaming RFC 4180 reader (see csv.h for the contract).
 *
 * Input is read in large chunks into one buffer (or used in place for memory
 * input).  A record is parsed from the buffer; when it runs past the data read
 * so far, the unconsumed tail moves to the front, more is read, and the record
 * is parsed again from its start — so fields always point into contiguous
 * memory.  Only the first max_record + 1 bytes of a record are ever looked
 * at, so the result never depends on how the input was chunked.
 *
 * Scanning: for each 64-byte block the positions of delimiter/CR/LF, quotes,
 * LFs and bytes ≥ 0x80 are computed at once into bitmasks (SSE2 on x86-64,
 * SWAR on other little-endian machines, a byte loop elsewhere) and cached.
 * The end of an unquoted field is then one count-trailing-zeros, the closing
 * quote of a quoted one another, the lines inside it a popcount, and a record
 * with no high byte in its blocks skips the UTF-8 check.
 *
 * A bad record is reported once; the reader then skips to its end (the next
 * line end outside quotes, reading more input if needed) before parsing the
 * following record. */
#include "chokepoint/csv.h"
#include "core/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__) && !defined(CKP_CSV_PORTABLE)
#include <emmintrin.h>
#define CSV_SSE2 1
#else
#define CSV_SSE2 0
#endif

#define CHUNK ((size_t)4 << 20) /* default bytes per read() */
#define NONE ((size_t)-1)

/* What the reader knows of field i besides fields[i] (pointer and length,
 * handed out as is): where its bytes really are, and where it started. */
typedef struct field_meta {
    size_t scratch_off; /* NONE when fields[i].ptr points into the input;
                           else its bytes are scratch + scratch_off (fields[i].ptr
                           is set there once the record is complete) */
    const char *raw;    /* the field's first byte in the input (its quote) */
} field_meta;

/* Bitmasks of one 64-byte block of the buffer: bit i describes buf[off + i].
 * Bits past the end of the data are 0. */
typedef struct scanner {
    size_t off;     /* block start in buf; SCAN_NONE when none is cached */
    uint64_t sep;   /* delimiter, CR or LF: where an unquoted field ends */
    uint64_t quote; /* '"' */
    uint64_t lf;    /* LF, to count lines inside quoted fields */
    uint64_t hi;    /* bytes ≥ 0x80 */
    int hi_seen;    /* a byte ≥ 0x80 in a block loaded since the record start
                       (may include bytes past the record: a hint, not a fact) */
} scanner;

/* No buffer is this large, so off - SCAN_NONE < 64 never holds. */
#define SCAN_NONE ((size_t)1 << 62)
static const scanner scanner_none = {SCAN_NONE, 0, 0, 0, 0, 0};

struct ckp_csv {
    char name[256];
    int fd;        /* -1 for memory input */
    int own_fd;
    ckp_csv_read_fn rd; /* NULL, or where the bytes come from instead of fd */
    void *rd_ctx;
    char *buf;     /* owned unless memory input */
    size_t cap, len, pos;
    size_t chunk;  /* bytes per read() */
    int eof;       /* nothing more to read after buf[len] */
    int failed;    /* unrecoverable (I/O, memory): further calls return 0 */
    int is_mem;
    uint64_t total, consumed_before; /* consumed_before: bytes dropped from buf */
    ckp_csv_opts opts;
    scanner scan;  /* the last block scanned (invalid after a refill) */
    /* skipping the rest of a bad record from buf[pos] */
    int skipping;
    int skip_inq;  /* inside quotes while skipping */
    ckp_field *fields;  /* the current record, ckp_csv_fields() */
    field_meta *meta;   /* beside each of fields */
    size_t nf, fcap;
    char *scratch; /* unescaped / re-encoded field bytes of this record */
    size_t slen, scap;
    char *hdr_store; /* header names, NUL-separated */
    ckp_field *hdr;
    size_t nhdr;
    long line;     /* line at buf[pos] */
    long rec_line; /* line where the current record starts */
    int rec_hi;    /* the current record may hold bytes ≥ 0x80 */
    ckp_csv_stats stats;
};

void ckp_csv_opts_init(ckp_csv_opts *o)
{
    memset(o, 0, sizeof *o);
    o->header = 1;
    o->max_field = 1u << 20;
    o->max_fields = 4096;
    o->max_record = 16u << 20;
    o->encoding = CKP_CSV_UTF8;
    o->read_chunk = CHUNK;
}

/* ---- scanning ---------------------------------------------------------- */


/* Masks of the n ≤ 64 bytes at p, one byte at a time (the tail of the data,
 * and machines without a faster way). */
static void block_scalar(scanner *s, const char *p, size_t n, char d)
{
    uint64_t sep = 0, quote = 0, lf = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t bit = (uint64_t)1 << i;
        char ch = p[i];
        if (ch == d || ch == '\n' || ch == '\r')
            sep |= bit;
        if (ch == '"')
            quote |= bit;
        if (ch == '\n')
            lf |= bit;
        if ((unsigned char)ch >= 0x80)
            hi |= bit;
    }
    s->sep = sep;
    s->quote = quote;
    s->lf = lf;
    s->hi = hi;
}

#if CSV_SSE2
/* The same for exactly 64 readable bytes, with SSE2. */
static inline void block64(scanner *s, const char *p, char d)
{
    const __m128i vd = _mm_set1_epi8(d);
    const __m128i vn = _mm_set1_epi8('\n');
    const __m128i vr = _mm_set1_epi8('\r');
    const __m128i vq = _mm_set1_epi8('"');
    uint64_t sep = 0, quote = 0, lf = 0, hi = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i n = _mm_cmpeq_epi8(v, vn);
        __m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vd), n),
                                 _mm_cmpeq_epi8(v, vr));
        sep |= (uint64_t)(unsigned)_mm_movemask_epi8(e) << (16 * k);
        quote |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq)) << (16 * k);
        lf |= (uint64_t)(unsigned)_mm_movemask_epi8(n) << (16 * k);
        hi |= (uint64_t)(unsigned)_mm_movemask_epi8(v) << (16 * k);
    }
    s->sep = sep;
    s->quote = quote;
    s->lf = lf;
    s->hi = hi;
}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* High bit of each byte of w that equals the byte broadcast in pat (exact:
 * no false positives, unlike the classic haszero trick). */
static inline uint64_t swar_eq(uint64_t w, uint64_t pat)
{
    const uint64_t lo7 = 0x7F7F7F7F7F7F7F7Full;
    uint64_t x = w ^ pat;
    uint64_t t = ((x & lo7) + lo7) | x;
    return ~t & ~lo7;
}

/* The eight high bits of h (one per byte) as one byte: byte i → bit i. */
static inline uint64_t swar_gather(uint64_t h)
{
    return ((h >> 7) * 0x0102040810204080ull) >> 56;
}

/* The same for exactly 64 readable bytes, eight at a time (SWAR). */
static inline void block64(scanner *s, const char *p, char d)
{
    const uint64_t ones = 0x0101010101010101ull;
    const uint64_t pd = ones * (unsigned char)d, pn = ones * '\n', pr = ones * '\r',
                   pq = ones * '"';
    uint64_t sep = 0, quote = 0, lf = 0, hi = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t w;
        memcpy(&w, p + 8 * k, 8);
        uint64_t n = swar_eq(w, pn);
        sep |= swar_gather(swar_eq(w, pd) | n | swar_eq(w, pr)) << (8 * k);
        quote |= swar_gather(swar_eq(w, pq)) << (8 * k);
        lf |= swar_gather(n) << (8 * k);
        hi |= swar_gather(w & ~0x7F7F7F7F7F7F7F7Full) << (8 * k);
    }
    s->sep = sep;
    s->quote = quote;
    s->lf = lf;
    s->hi = hi;
}
#else
static inline void block64(scanner *s, const char *p, char d) { block_scalar(s, p, 64, d); }
#endif

/* Make s describe the block starting at off (< len). */
static inline void scan_load(scanner *s, const char *buf, size_t len, size_t off, char d)
{
    s->off = off;
    if (len - off >= 64)
        block64(s, buf + off, d);
    else
        block_scalar(s, buf + off, len - off, d);
    s->hi_seen |= s->hi != 0;
}

/* Offset of the first delimiter, CR or LF at or after off; len if none. */
static inline size_t next_sep(scanner *s, const char *buf, size_t len, size_t off, char d)
{
    for (;;) {
        /* unsigned: off < s->off wraps to a large value and misses */
        if (off - s->off < 64) {
            uint64_t m = s->sep & (~(uint64_t)0 << (off - s->off));
            if (m)
                return s->off + (size_t)__builtin_ctzll(m);
            off = s->off + 64;
        }
        if (off >= len)
            return len;
        scan_load(s, buf, len, off, d);
    }
}

/* Offset of the first '"' at or after off, or len; adds the LFs before it
 * to *nl. */
static inline size_t next_quote(scanner *s, const char *buf, size_t len, size_t off,
                                char d, long *nl)
{
    for (;;) {
        if (off - s->off < 64) {
            uint64_t from = ~(uint64_t)0 << (off - s->off);
            uint64_t m = s->quote & from;
            uint64_t lf = s->lf & from;
            if (m) {
                unsigned at = (unsigned)__builtin_ctzll(m);
                lf &= ((uint64_t)1 << at) - 1;
                if (lf)
                    *nl += __builtin_popcountll(lf);
                return s->off + at;
            }
            if (lf)
                *nl += __builtin_popcountll(lf);
            off = s->off + 64;
        }
        if (off >= len)
            return len;
        scan_load(s, buf, len, off, d);
    }
}

static long count_nl(const char *p, size_t n)
{
    long k = 0;
    const char *end = p + n;
    while (p < end) {
        const char *q = memchr(p, '\n', (size_t)(end - p));
        if (!q)
            break;
        k++;
        p = q + 1;
    }
    return k;
}

/* Line and 1-based byte column of buf[at], inside the record at buf[pos]. */
static void locate(const ckp_csv *c, size_t at, long *line, long *col)
{
    size_t ls = c->pos;
    long l = c->rec_line;
    for (size_t i = c->pos; i < at && i < c->len; i++)
        if (c->buf[i] == '\n') {
            l++;
            ls = i + 1;
        }
    *line = l;
    *col = (long)(at - ls) + 1;
}

/* ---- input ------------------------------------------------------------- */

/* Read more input, keeping buf[pos..len).  Returns 1 when bytes were added,
 * 0 at end of input, -1 on error (the reader is then failed). */
static int refill(ckp_csv *c, ckp_error *err)
{
    if (c->eof || c->is_mem)
        return 0;
    c->scan = scanner_none; /* offsets move */
    if (c->pos > 0) {
        memmove(c->buf, c->buf + c->pos, c->len - c->pos);
        c->len -= c->pos;
        c->consumed_before += c->pos;
        c->pos = 0;
    }
    size_t low = c->chunk / 2 ? c->chunk / 2 : 1;
    if (c->cap - c->len < low) {
        size_t limit = c->opts.max_record + c->chunk + 1;
        size_t ncap = c->cap ? c->cap * 2 : c->chunk;
        if (ncap < c->len + c->chunk)
            ncap = c->len + c->chunk;
        if (ncap > limit)
            ncap = limit;
        if (ncap <= c->len) {
            c->failed = 1;
            return ckp_error_set(err, CKP_ELIMIT, c->name, c->line, 0,
                                 "record longer than %zu bytes", c->opts.max_record),
                   -1;
        }
        char *nb = realloc(c->buf, ncap);
        if (!nb) {
            c->failed = 1;
            return ckp_error_set(err, CKP_ENOMEM, c->name, c->line, 0, "out of memory"),
                   -1;
        }
        c->buf = nb;
        c->cap = ncap;
    }
    size_t want = c->cap - c->len < c->chunk ? c->cap - c->len : c->chunk;
    for (;;) {
        const char *why = NULL;
        ssize_t n = c->rd ? (ssize_t)c->rd(c->rd_ctx, c->buf + c->len, want, &why)
                          : read(c->fd, c->buf + c->len, want);
        if (n < 0 && !c->rd && errno == EINTR)
            continue;
        if (n < 0 && c->rd) {
            c->failed = 1;
            return ckp_error_set(err, CKP_EIO, c->name, c->line, 0, "%s",
                                 why ? why : "read failed"),
                   -1;
        }
        if (n < 0) {
            c->failed = 1;
            return ckp_error_set(err, CKP_EIO, c->name, c->line, 0, "read failed: %s",
                                 strerror(errno)),
                   -1;
        }
        if (n == 0) {
            c->eof = 1;
            return 0;
        }
        c->len += (size_t)n;
        return 1;
    }
}

/* More input for a record that runs past buf[len].  Large records are read
 * until the pending bytes double, so re-parsing from the record start stays
 * linear; smaller ones take one read (a pipe is never waited on for more
 * than one read returns). */
static int fill_more(ckp_csv *c, ckp_error *err)
{
    size_t pending = c->len - c->pos;
    size_t goal = pending >= c->chunk ? 2 * pending : 0;
    if (goal > c->opts.max_record + 1)
        goal = c->opts.max_record + 1;
    int r;
    do {
        r = refill(c, err);
    } while (r > 0 && c->len - c->pos < goal);
    return r < 0 ? -1 : 0;
}

/* Pick the delimiter that occurs most often (outside quotes) on the first
 * line — at most its first DETECT_MAX bytes, or max_record + 1 — and ','
 * when none does.  Returns 1 when all of that was in the buffer (so memory
 * and descriptor input decide alike), 0 when more input would help. */
#define DETECT_MAX ((size_t)64 << 10)
static int choose_delim(ckp_csv *c)
{
    size_t lim = c->opts.max_record < DETECT_MAX ? c->opts.max_record + 1 : DETECT_MAX;
    size_t end = c->len - c->pos > lim ? c->pos + lim : c->len;
    static const char cand[] = {',', ';', '\t', '|'};
    size_t counts[4] = {0, 0, 0, 0};
    int inq = 0, seen_eol = end - c->pos == lim;
    for (size_t i = c->pos; i < end; i++) {
        char ch = c->buf[i];
        if (ch == '"')
            inq = !inq;
        else if (!inq && (ch == '\n' || ch == '\r')) {
            seen_eol = 1;
            break;
        }
        else if (!inq)
            for (int k = 0; k < 4; k++)
                counts[k] += (ch == cand[k]);
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (counts[k] > counts[best])
            best = k;
    c->opts.delim = cand[best];
    return seen_eol;
}

/* ---- records ----------------------------------------------------------- */

static int grow_fields(ckp_csv *c)
{
    size_t ncap = c->fcap ? c->fcap * 2 : 64;
    ckp_field *nf = realloc(c->fields, ncap * sizeof *nf);
    if (!nf)
        return -1;
    c->fields = nf;
    field_meta *nm = realloc(c->meta, ncap * sizeof *nm);
    if (!nm)
        return -1;
    c->meta = nm;
    c->fcap = ncap;
    return 0;
}

static int scratch_reserve(ckp_csv *c, size_t more)
{
    if (c->slen + more <= c->scap)
        return 0;
    size_t ncap = c->scap ? c->scap : 4096;
    while (ncap < c->slen + more)
        ncap *= 2;
    char *ns = realloc(c->scratch, ncap);
    if (!ns)
        return -1;
    c->scratch = ns;
    c->scap = ncap;
    return 0;
}

/* Copy a quoted field body with "" → " into scratch; returns its offset or
 * NONE when out of memory. */
static size_t unescape(ckp_csv *c, const char *p, size_t len, size_t *outlen)
{
    if (scratch_reserve(c, len) < 0)
        return NONE;
    size_t off = c->slen, o = off;
    for (size_t i = 0; i < len; i++) {
        c->scratch[o++] = p[i];
        if (p[i] == '"' && i + 1 < len && p[i + 1] == '"')
            i++;
    }
    *outlen = o - off;
    c->slen = o;
    return off;
}

typedef enum {
    REC_OK,   /* a record; *next is the offset after it */
    REC_MORE, /* the record runs past the data read so far */
    REC_BAD   /* err set; resume at *next (skipping to the record end when
                 c->skipping) */
} rec_result;

/* Parse one record at buf[pos].  On REC_OK *lines is the number of line ends
 * it spans.  The scanner lives in a local while parsing so the compiler can
 * keep it in registers (stores to the field slots could alias it).
 *
 * Only the first max_record + 1 bytes of the record are looked at (lim): a
 * record that does not end by then is REC_MORE, which the caller turns into
 * "record too long".  So what is reported never depends on how much input
 * happens to be buffered: memory and descriptor input, read in any chunk
 * size, give the same records and the same errors. */
static rec_result parse_record(ckp_csv *c, size_t *next, long *lines, ckp_error *err)
{
    const char *base = c->buf;
    const size_t start = c->pos, len = c->len;
    const int capped = len - start > c->opts.max_record;
    const size_t lim = capped ? start + c->opts.max_record + 1 : len;
    const int at_end = c->eof && !capped; /* nothing follows buf[lim) */
    const char delim = c->opts.delim;
    const size_t max_field = c->opts.max_field, max_fields = c->opts.max_fields;
    scanner sc = c->scan;
    /* high bytes from the record start to the end of the cached block */
    sc.hi_seen = start - sc.off < 64 && (sc.hi >> (start - sc.off)) != 0;
    size_t off = start;
    size_t over_field = NONE, over_count = NONE; /* where a limit was passed */
    size_t nf = 0, fcap = c->fcap;
    ckp_field *fields = c->fields;
    field_meta *meta = c->meta;
    long nl = 0, eline, ecol;
    rec_result rr = REC_OK;
    c->slen = 0;

    for (;;) {
        const size_t fstart = off;
        size_t fp, flen, soff = NONE;
        if (off < len && base[off] == '"') {
            size_t q = off + 1, close;
            int dbl = 0;
            for (;;) {
                close = next_quote(&sc, base, len, q, delim, &nl);
                if (close >= lim) {
                    if (!at_end) {
                        rr = REC_MORE;
                        goto out;
                    }
                    locate(c, fstart, &eline, &ecol);
                    ckp_error_set(err, CKP_EPARSE, c->name, eline, ecol,
                                  "quoted field is never closed (missing '\"' before the "
                                  "end of input)");
                    *next = lim;
                    rr = REC_BAD;
                    goto out;
                }
                if (close + 1 < lim && base[close + 1] == '"') {
                    dbl = 1;
                    q = close + 2;
                    continue;
                }
                if (close + 1 == lim && !at_end) {
                    rr = REC_MORE;
                    goto out;
                }
                break;
            }
            fp = off + 1;
            flen = close - fp;
            off = close + 1;
            if (off < lim && base[off] != delim && base[off] != '\n' && base[off] != '\r') {
                locate(c, off, &eline, &ecol);
                unsigned char bc = (unsigned char)base[off];
                if (bc >= 0x20 && bc < 0x7F)
                    ckp_error_set(err, CKP_EPARSE, c->name, eline, ecol,
                                  "unexpected '%c' after a closing quote (expected the "
                                  "delimiter or the end of the line)", bc);
                else
                    ckp_error_set(err, CKP_EPARSE, c->name, eline, ecol,
                                  "unexpected byte 0x%02X after a closing quote (expected "
                                  "the delimiter or the end of the line)", bc);
                c->skipping = 1;
                c->skip_inq = 0;
                *next = off;
                rr = REC_BAD;
                goto out;
            }
            if (dbl) {
                soff = unescape(c, base + fp, flen, &flen);
                if (soff == NONE)
                    goto oom;
            }
        } else {
            size_t s = next_sep(&sc, base, len, off, delim);
            if (s >= lim) {
                if (!at_end) {
                    rr = REC_MORE;
                    goto out;
                }
                s = lim;
            }
            fp = off;
            flen = s - off;
            off = s;
        }
        if (flen > max_field && over_field == NONE)
            over_field = fstart;
        if (nf < max_fields) {
            if (nf == fcap) {
                if (grow_fields(c) < 0)
                    goto oom;
                fields = c->fields;
                meta = c->meta;
                fcap = c->fcap;
            }
            fields[nf].ptr = base + fp;
            fields[nf].len = flen;
            meta[nf].scratch_off = soff;
            meta[nf].raw = base + fstart;
            nf++;
        } else if (over_count == NONE) {
            over_count = fstart;
        }
        if (off < lim && base[off] == delim) {
            off++;
            continue;
        }
        /* end of record: LF, CRLF, a bare CR, or the end of input */
        if (off < lim) {
            if (base[off] == '\n') {
                off++;
            } else if (off + 1 < lim) {
                off += base[off + 1] == '\n' ? 2 : 1;
            } else if (!at_end) {
                rr = REC_MORE; /* is the CR followed by LF? */
                goto out;
            } else {
                off++;
            }
            nl++;
        }
        break;
    }
    *next = off;
    *lines = nl;
    c->nf = nf;
    if (off - start > c->opts.max_record) {
        /* as when the end is not in sight (next_record): skip from the start */
        ckp_error_set(err, CKP_ELIMIT, c->name, c->rec_line, 1,
                      "record longer than %zu bytes", c->opts.max_record);
        c->skipping = 1;
        c->skip_inq = 0;
        *next = start;
        rr = REC_BAD;
    } else if (over_count != NONE) {
        locate(c, over_count, &eline, &ecol);
        ckp_error_set(err, CKP_ELIMIT, c->name, eline, ecol,
                      "record has more than %zu fields", max_fields);
        rr = REC_BAD;
    } else if (over_field != NONE) {
        locate(c, over_field, &eline, &ecol);
        ckp_error_set(err, CKP_ELIMIT, c->name, eline, ecol,
                      "field longer than %zu bytes", max_field);
        rr = REC_BAD;
    }
out:
    c->scan = sc;
    c->rec_hi = sc.hi_seen;
    c->nf = rr == REC_OK ? nf : 0;
    return rr;
oom:
    c->failed = 1;
    ckp_error_set(err, CKP_ENOMEM, c->name, c->rec_line, 0, "out of memory");
    *next = len;
    c->scan = sc;
    c->nf = 0;
    return REC_BAD;
}

/* Consume input up to and including the next line end outside quotes (the
 * end of a bad record).  Returns 0, or -1 on an I/O error. */
static int skip_rest(ckp_csv *c, ckp_error *err)
{
    for (;;) {
        while (c->pos < c->len) {
            char ch = c->buf[c->pos++];
            if (ch == '"') {
                c->skip_inq ^= 1;
            } else if (ch == '\n') {
                c->line++;
                if (!c->skip_inq) {
                    c->skipping = 0;
                    return 0;
                }
            } else if (ch == '\r' && !c->skip_inq) {
                c->line++;
                if (c->pos == c->len && refill(c, err) < 0) /* CRLF split by a read? */
                    return -1;
                if (c->pos < c->len && c->buf[c->pos] == '\n')
                    c->pos++;
                c->skipping = 0;
                return 0;
            }
        }
        int r = refill(c, err);
        if (r < 0)
            return -1;
        if (r == 0) {
            c->skipping = 0;
            return 0;
        }
    }
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        return (n >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    if (b >= 0xE0 && b <= 0xEF) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (b == 0xE0 && p[1] < 0xA0)
            return 0; /* overlong */
        if (b == 0xED && p[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        if (b == 0xF0 && p[1] < 0x90)
            return 0; /* overlong */
        if (b == 0xF4 && p[1] >= 0x90)
            return 0; /* past U+10FFFF */
        return 4;
    }
    return 0;
}

/* Offset of the first invalid byte, or NONE when p is valid UTF-8. */
static size_t utf8_invalid_at(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(s + i, n - i);
        if (!k)
            return i;
        i += k;
    }
    return NONE;
}

static int has_high_bit(const char *p, size_t n)
{
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= (unsigned char)p[i];
    return (acc & 0x8080808080808080ull) != 0;
}

/* Replace field i by its Latin-1 → UTF-8 conversion, in scratch. */
static int latin1_to_scratch(ckp_csv *c, size_t i)
{
    ckp_field *f = &c->fields[i];
    field_meta *m = &c->meta[i];
    if (scratch_reserve(c, f->len * 2) < 0)
        return -1;
    /* f may itself live in scratch, which the reserve may have moved: read it
     * by offset */
    size_t off = c->slen, o = off;
    for (size_t k = 0; k < f->len; k++) {
        unsigned char b = m->scratch_off != NONE ? (unsigned char)c->scratch[m->scratch_off + k]
                                                 : (unsigned char)f->ptr[k];
        if (b < 0x80) {
            c->scratch[o++] = (char)b;
        } else {
            c->scratch[o++] = (char)(0xC0 | (b >> 6));
            c->scratch[o++] = (char)(0x80 | (b & 0x3F));
        }
    }
    m->scratch_off = off;
    f->len = o - off;
    c->slen = o;
    return 0;
}

/* Check encodings of the current record (at buf[pos]); convert where
 * allowed.  Returns 0, or -1 with err set. */
static int check_encoding(ckp_csv *c, ckp_error *err)
{
    if (!c->rec_hi)
        return 0; /* the scanner saw no byte ≥ 0x80 in the record */
    for (size_t i = 0; i < c->nf; i++) {
        ckp_field *f = &c->fields[i];
        const field_meta *m = &c->meta[i];
        const char *p = m->scratch_off != NONE ? c->scratch + m->scratch_off : f->ptr;
        if (!has_high_bit(p, f->len))
            continue;
        size_t bad = c->opts.encoding == CKP_CSV_LATIN1 ? 0 : utf8_invalid_at(p, f->len);
        if (bad == NONE)
            continue;
        if (c->opts.encoding != CKP_CSV_UTF8) {
            if (latin1_to_scratch(c, i) < 0) {
                c->failed = 1;
                return ckp_error_set(err, CKP_ENOMEM, c->name, c->rec_line, 0,
                                     "out of memory"),
                       -1;
            }
            if (c->opts.encoding == CKP_CSV_AUTO)
                c->stats.latin1_fields++;
            continue;
        }
        /* column of the bad byte (exact unless the field was unescaped) */
        size_t at = m->scratch_off != NONE ? (size_t)(m->raw - c->buf)
                                           : (size_t)(f->ptr - c->buf) + bad;
        long eline, ecol;
        locate(c, at, &eline, &ecol);
        ckp_error_set(err, CKP_EENCODING, c->name, eline, ecol,
                      "field %zu is not valid UTF-8 (byte 0x%02X at offset %zu; is "
                      "the file Latin-1?)",
                      i + 1, (unsigned char)p[bad], bad);
        return -1;
    }
    return 0;
}

static void resolve_scratch(ckp_csv *c)
{
    for (size_t i = 0; i < c->nf; i++)
        if (c->meta[i].scratch_off != NONE)
            c->fields[i].ptr = c->scratch + c->meta[i].scratch_off;
}

/* A blank line: one empty, unquoted field. */
static int is_blank_record(const ckp_csv *c)
{
    return c->nf == 1 && c->fields[0].len == 0 && c->fields[0].ptr == c->meta[0].raw;
}

/* A record that is only the DOS end-of-file mark (0x1A), unquoted. */
static int is_sub(const ckp_csv *c)
{
    return c->nf == 1 && c->fields[0].len == 1 && c->fields[0].ptr[0] == 0x1A &&
           c->fields[0].ptr == c->meta[0].raw;
}

/* Core of ckp_csv_next without the record count. */
static int next_record(ckp_csv *c, ckp_error *err)
{
    for (;;) {
        if (c->failed)
            return 0;
        if (c->skipping && skip_rest(c, err) < 0)
            return -1;
        if (c->pos >= c->len) {
            if (refill(c, err) < 0)
                return -1;
            if (c->pos >= c->len)
                return 0;
        }
        c->rec_line = c->line;
        size_t next = 0;
        long lines = 0;
        rec_result rr = parse_record(c, &next, &lines, err);
        if (rr == REC_MORE) {
            if (c->len - c->pos > c->opts.max_record) {
                ckp_error_set(err, CKP_ELIMIT, c->name, c->rec_line, 1,
                              "record longer than %zu bytes", c->opts.max_record);
                c->skipping = 1; /* from the record start */
                c->skip_inq = 0;
                c->stats.bad_records++;
                return -1;
            }
            if (fill_more(c, err) < 0)
                return -1;
            continue; /* re-parse from the record start with more data */
        }
        if (rr == REC_BAD) {
            if (c->failed)
                return -1;
            c->line += count_nl(c->buf + c->pos, next - c->pos);
            c->pos = next;
            c->stats.bad_records++;
            return -1;
        }
        if (is_sub(c) && next >= c->len && !c->eof) {
            if (fill_more(c, err) < 0) /* is it the last line? */
                return -1;
            continue;
        }
        /* skip blank lines, and 0x1A on the last line (as OFAC files end) */
        if (is_blank_record(c) || (is_sub(c) && next >= c->len)) {
            c->pos = next;
            c->line += lines;
            continue; /* at the DOS mark, pos is now the end of input */
        }
        int enc = check_encoding(c, err); /* needs pos = record start */
        c->pos = next;
        c->line += lines;
        if (enc < 0) {
            c->stats.bad_records++;
            return -1;
        }
        if (c->slen)
            resolve_scratch(c);
        return 1;
    }
}

static ckp_status read_header(ckp_csv *c, ckp_error *err)
{
    while (!c->is_mem && !c->eof && c->len < 3) {
        if (refill(c, err) < 0)
            return err ? err->code : CKP_EIO;
    }
    if (c->len - c->pos >= 3 && memcmp(c->buf + c->pos, "\xEF\xBB\xBF", 3) == 0)
        c->pos += 3;
    else if (c->len - c->pos >= 2 && ((unsigned char)c->buf[c->pos] == 0xFF ||
                                      (unsigned char)c->buf[c->pos] == 0xFE) &&
             ((unsigned char)c->buf[c->pos] ^ (unsigned char)c->buf[c->pos + 1]) == 0x01)
        return ckp_error_set(err, CKP_EENCODING, c->name, 1, 1,
                             "input is UTF-16 (byte-order mark %02X %02X); convert it "
                             "to UTF-8 first",
                             (unsigned char)c->buf[c->pos], (unsigned char)c->buf[c->pos + 1]);
    if (!c->opts.delim) {
        /* see the whole first line (up to 64 KiB) when reading a pipe */
        while (!choose_delim(c) && !c->is_mem && !c->eof)
            if (refill(c, err) < 0)
                return err ? err->code : CKP_EIO;
    }
    if (!c->opts.header)
        return CKP_OK;
    int r = next_record(c, err);
    if (r == 0 && !c->failed)
        return ckp_error_set(err, CKP_EPARSE, c->name, 1, 0,
                             "empty input: expected a header line");
    if (r <= 0)
        return err ? err->code : CKP_EPARSE;
    size_t total = 0;
    for (size_t i = 0; i < c->nf; i++)
        total += c->fields[i].len + 1;
    c->hdr_store = malloc(total ? total : 1);
    c->hdr = malloc((c->nf ? c->nf : 1) * sizeof *c->hdr);
    if (!c->hdr_store || !c->hdr)
        return ckp_error_set(err, CKP_ENOMEM, c->name, 1, 0, "out of memory");
    char *o = c->hdr_store;
    for (size_t i = 0; i < c->nf; i++) {
        if (c->fields[i].len)
            memcpy(o, c->fields[i].ptr, c->fields[i].len);
        o[c->fields[i].len] = '\0';
        c->hdr[i].ptr = o;
        c->hdr[i].len = c->fields[i].len;
        o += c->fields[i].len + 1;
    }
    c->nhdr = c->nf;
    c->nf = 0;
    return CKP_OK;
}

static ckp_status open_common(ckp_csv *c, const char *name, const ckp_csv_opts *opts,
                              ckp_csv **out, ckp_error *err)
{
    snprintf(c->name, sizeof c->name, "%s", name ? name : "-");
    if (opts)
        c->opts = *opts;
    else
        ckp_csv_opts_init(&c->opts);
    if (!c->opts.max_field)
        c->opts.max_field = 1u << 20;
    if (!c->opts.max_fields)
        c->opts.max_fields = 4096;
    if (!c->opts.max_record)
        c->opts.max_record = 16u << 20;
    c->chunk = c->opts.read_chunk ? c->opts.read_chunk : CHUNK;
    c->line = 1;
    c->scan = scanner_none;
    ckp_status st = CKP_OK;
    char d = c->opts.delim;
    if (d == '"' || d == '\n' || d == '\r') {
        st = ckp_error_set(err, CKP_EINVAL, c->name, 0, 0,
                           "a quote or line end cannot be the delimiter");
        goto out_close;
    }
    if (c->opts.encoding != CKP_CSV_UTF8 && c->opts.encoding != CKP_CSV_LATIN1 &&
        c->opts.encoding != CKP_CSV_AUTO) {
        st = ckp_error_set(err, CKP_EINVAL, c->name, 0, 0, "unknown encoding %d",
                           (int)c->opts.encoding);
        goto out_close;
    }
    if (grow_fields(c) < 0) {
        st = ckp_error_set(err, CKP_ENOMEM, c->name, 0, 0, "out of memory");
        goto out_close;
    }
    st = read_header(c, err);
    if (st != CKP_OK)
        goto out_close;
    *out = c;
    return CKP_OK;
out_close:
    c->own_fd = 0; /* the caller closes what it opened */
    ckp_csv_close(c);
    return st;
}

ckp_status ckp_csv_open_fd(int fd, const char *name, const ckp_csv_opts *opts,
                           ckp_csv **out, ckp_error *err)
{
    ckp_csv *c = calloc(1, sizeof *c);
    if (!c)
        return ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "out of memory");
    c->fd = fd;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
        c->total = (uint64_t)sb.st_size;
    return open_common(c, name, opts, out, err);
}

ckp_status ckp_csv_open_reader(ckp_csv_read_fn fn, void *ctx, const char *name,
                               const ckp_csv_opts *opts, ckp_csv **out, ckp_error *err)
{
    ckp_csv *c = calloc(1, sizeof *c);
    if (!c)
        return ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "out of memory");
    c->fd = -1;
    c->rd = fn;
    c->rd_ctx = ctx;
    return open_common(c, name, opts, out, err);
}

ckp_status ckp_csv_open(const char *path, const ckp_csv_opts *opts, ckp_csv **out,
                        ckp_error *err)
{
    if (strcmp(path, "-") == 0)
        return ckp_csv_open_fd(0, "<stdin>", opts, out, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ckp_error_set(err, errno == ENOENT ? CKP_ENOTFOUND : CKP_EIO, path, 0, 0,
                             "cannot open: %s", strerror(errno));
    ckp_csv *c = NULL;
    ckp_status st = ckp_csv_open_fd(fd, path, opts, &c, err);
    if (st != CKP_OK) {
        close(fd);
        return st;
    }
    c->own_fd = 1;
    *out = c;
    return CKP_OK;
}

ckp_status ckp_csv_open_mem(const char *buf, size_t len, const char *name,
                            const ckp_csv_opts *opts, ckp_csv **out, ckp_error *err)
{
    ckp_csv *c = calloc(1, sizeof *c);
    if (!c)
        return ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "out of memory");
    c->fd = -1;
    c->is_mem = 1;
    c->eof = 1;
    c->buf = (char *)buf; /* never written through in memory mode */
    c->len = c->cap = len;
    c->total = len;
    return open_common(c, name, opts, out, err);
}

int ckp_csv_next(ckp_csv *c, ckp_error *err)
{
    int r = next_record(c, err);
    if (r > 0)
        c->stats.records++;
    return r;
}

int ckp_csv_next_good(ckp_csv *c, ckp_csv_bad_fn on_bad, void *ctx, ckp_error *err)
{
    for (;;) {
        ckp_error e;
        ckp_error_clear(&e);
        int r = ckp_csv_next(c, &e);
        if (r >= 0)
            return r;
        if (c->failed) {
            if (err)
                *err = e;
            return -1;
        }
        if (on_bad)
            on_bad(ctx, &e);
    }
}

int ckp_csv_failed(const ckp_csv *c) { return c->failed; }
size_t ckp_csv_nfields(const ckp_csv *c) { return c->nf; }
long ckp_csv_line(const ckp_csv *c) { return c->rec_line; }
size_t ckp_csv_header_count(const ckp_csv *c) { return c->nhdr; }
char ckp_csv_delim(const ckp_csv *c) { return c->opts.delim; }
const char *ckp_csv_name(const ckp_csv *c) { return c->name; }
uint64_t ckp_csv_total_bytes(const ckp_csv *c) { return c->total; }

ckp_field ckp_csv_field(const ckp_csv *c, size_t i)
{
    ckp_field f = {NULL, 0};
    if (i < c->nf)
        f = c->fields[i];
    return f;
}

const ckp_field *ckp_csv_fields(const ckp_csv *c) { return c->fields; }

ckp_field ckp_csv_header_name(const ckp_csv *c, size_t i)
{
    ckp_field f = {NULL, 0};
    if (i < c->nhdr)
        f = c->hdr[i];
    return f;
}

int ckp_csv_column(const ckp_csv *c, const char *name)
{
    ckp_field want = ckp_field_trim((ckp_field){name, strlen(name)});
    for (size_t i = 0; i < c->nhdr; i++) {
        ckp_field f = ckp_field_trim(c->hdr[i]);
        if (f.len == want.len && strncasecmp(f.ptr, want.ptr, want.len) == 0)
            return (int)i;
    }
    return -1;
}

ckp_csv_stats ckp_csv_get_stats(const ckp_csv *c)
{
    ckp_csv_stats s = c->stats;
    s.bytes = c->consumed_before + c->pos;
    return s;
}

void ckp_csv_close(ckp_csv *c)
{
    if (!c)
        return;
    if (c->own_fd && c->fd >= 0)
        close(c->fd);
    if (!c->is_mem)
        free(c->buf);
    CKP_FREE_ALL(c->fields, c->meta, c->scratch, c->hdr_store, c->hdr, c);
}

int ckp_field_eq(ckp_field f, const char *s)
{
    size_t n = strlen(s);
    return f.len == n && (n == 0 || memcmp(f.ptr, s, n) == 0);
}

char *ckp_field_copy(ckp_field f, char *buf, size_t n)
{
    if (n == 0)
        return buf;
    size_t k = f.len < n - 1 ? f.len : n - 1;
    if (k)
        memcpy(buf, f.ptr, k);
    buf[k] = '\0';
    return buf;
}

ckp_field ckp_field_trim(ckp_field f)
{
    while (f.len && (f.ptr[0] == ' ' || f.ptr[0] == '\t')) {
        f.ptr++;
        f.len--;
    }
    while (f.len && (f.ptr[f.len - 1] == ' ' || f.ptr[f.len - 1] == '\t'))
        f.len--;
    return f;
}

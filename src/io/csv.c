/* csv.c — streaming RFC 4180 reader (see csv.h for the contract).
 *
 * Input is read in large chunks into one buffer (or used in place for memory
 * input).  A record is parsed from the buffer; when it runs past the data read
 * so far, the unconsumed tail moves to the front, more is read, and the record
 * is parsed again from its start — so fields always point into contiguous
 * memory.  Unquoted fields are scanned with a byte-class table; quoted fields
 * with memchr for the next quote. */
#include "chokepoint/csv.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (4u << 20) /* bytes read per refill */

typedef struct field_slot {
    const char *ptr;
    size_t len;
    size_t scratch_off; /* (size_t)-1 when ptr points into the input */
} field_slot;

struct ckp_csv {
    char name[256];
    int fd;        /* -1 for memory input */
    int own_fd;
    char *buf;     /* owned unless memory input */
    size_t cap, len, pos;
    int eof;       /* nothing more to read after buf[len] */
    int failed;
    int is_mem;
    uint64_t total, consumed_before; /* consumed_before: bytes dropped from buf */
    ckp_csv_opts opts;
    unsigned char special[256];
    field_slot *fields;
    size_t nf, fcap;
    char *scratch;
    size_t slen, scap;
    char *hdr_store;    /* header names, NUL-separated */
    ckp_field *hdr;
    size_t nhdr;
    long line;          /* line at buf[pos] */
    long rec_line;
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
}

static void set_delim(ckp_csv *c, char d)
{
    c->opts.delim = d;
    memset(c->special, 0, sizeof c->special);
    c->special[(unsigned char)d] = 1;
    c->special['\n'] = 1;
    c->special['\r'] = 1;
}

/* Read more input, keeping buf[pos..len).  Returns 1 when bytes were added,
 * 0 at end of input, -1 on error. */
static int refill(ckp_csv *c, ckp_error *err)
{
    if (c->eof)
        return 0;
    if (c->pos > 0) {
        memmove(c->buf, c->buf + c->pos, c->len - c->pos);
        c->len -= c->pos;
        c->consumed_before += c->pos;
        c->pos = 0;
    }
    if (c->cap - c->len < CHUNK / 2) {
        size_t ncap = c->cap ? c->cap * 2 : CHUNK;
        if (ncap > c->opts.max_record + CHUNK)
            ncap = c->opts.max_record + CHUNK;
        if (ncap <= c->len) {
            ckp_error_set(err, CKP_ELIMIT, c->name, c->line, 0,
                          "record longer than %zu bytes", c->opts.max_record);
            c->failed = 1;
            return -1;
        }
        char *nb = realloc(c->buf, ncap);
        if (!nb) {
            c->failed = 1;
            ckp_error_set(err, CKP_ENOMEM, c->name, c->line, 0, "out of memory");
            return -1;
        }
        c->buf = nb;
        c->cap = ncap;
    }
    for (;;) {
        ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            c->failed = 1;
            ckp_error_set(err, CKP_EIO, c->name, c->line, 0, "read failed: %s",
                          strerror(errno));
            return -1;
        }
        if (n == 0) {
            c->eof = 1;
            return 0;
        }
        c->len += (size_t)n;
        return 1;
    }
}

static void choose_delim(ckp_csv *c)
{
    static const char cand[] = {',', ';', '\t', '|'};
    size_t counts[4] = {0, 0, 0, 0};
    int inq = 0;
    for (size_t i = c->pos; i < c->len; i++) {
        char ch = c->buf[i];
        if (ch == '"')
            inq = !inq;
        else if (!inq && (ch == '\n' || ch == '\r'))
            break;
        else if (!inq)
            for (int k = 0; k < 4; k++)
                counts[k] += (ch == cand[k]);
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (counts[k] > counts[best])
            best = k;
    set_delim(c, cand[best]);
}

static int push_field(ckp_csv *c, const char *p, size_t len, size_t soff)
{
    if (c->nf == c->fcap) {
        size_t ncap = c->fcap ? c->fcap * 2 : 64;
        field_slot *nf = realloc(c->fields, ncap * sizeof *nf);
        if (!nf)
            return -1;
        c->fields = nf;
        c->fcap = ncap;
    }
    c->fields[c->nf].ptr = p;
    c->fields[c->nf].len = len;
    c->fields[c->nf].scratch_off = soff;
    c->nf++;
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

/* Copy a quoted field body with "" → " into scratch; returns offset or -1. */
static long unescape(ckp_csv *c, const char *p, size_t len, size_t *outlen)
{
    if (scratch_reserve(c, len) < 0)
        return -1;
    size_t off = c->slen, o = off;
    for (size_t i = 0; i < len; i++) {
        c->scratch[o++] = p[i];
        if (p[i] == '"' && i + 1 < len && p[i + 1] == '"')
            i++;
    }
    *outlen = o - off;
    c->slen = o;
    return (long)off;
}

typedef enum { REC_OK, REC_MORE, REC_BAD } rec_result;

/* Find the end of the line starting the bad record so parsing can resume. */
static size_t skip_to_eol(const ckp_csv *c, size_t from)
{
    const char *nl = memchr(c->buf + from, '\n', c->len - from);
    return nl ? (size_t)(nl - c->buf) + 1 : c->len;
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

/* Parse one record at buf[pos].  On REC_OK, *next is the offset after it and
 * *lines the newlines it spans.  On REC_BAD, err is set and *next is where to
 * resume. */
static rec_result parse_record(ckp_csv *c, size_t *next, long *lines, ckp_error *err)
{
    const char *base = c->buf;
    const char *p = base + c->pos, *end = base + c->len;
    const char delim = c->opts.delim;
    long nl = 0;
    c->nf = 0;
    c->slen = 0;
    int too_many = 0, too_long = 0;
    size_t bad_col = 0;

    for (;;) {
        const char *fstart = p;
        const char *fp;
        size_t flen, soff = (size_t)-1;
        if (p < end && *p == '"') {
            const char *q = p + 1;
            int dbl = 0;
            const char *close;
            for (;;) {
                close = memchr(q, '"', (size_t)(end - q));
                if (!close) {
                    if (!c->eof)
                        return REC_MORE;
                    ckp_error_set(err, CKP_EPARSE, c->name, c->rec_line,
                                  (long)(fstart - (base + c->pos)) + 1,
                                  "quoted field is never closed (missing '\"')");
                    *next = c->len;
                    return REC_BAD;
                }
                if (close + 1 < end && close[1] == '"') {
                    dbl = 1;
                    q = close + 2;
                    continue;
                }
                if (close + 1 == end && !c->eof)
                    return REC_MORE;
                break;
            }
            fp = p + 1;
            flen = (size_t)(close - fp);
            nl += count_nl(fp, flen);
            p = close + 1;
            if (p < end && *p != delim && *p != '\n' && *p != '\r') {
                ckp_error_set(err, CKP_EPARSE, c->name, c->rec_line + nl,
                              (long)(p - (base + c->pos)) + 1,
                              "unexpected character '%c' after a closing quote "
                              "(expected the delimiter or end of line)", *p);
                *next = skip_to_eol(c, (size_t)(p - base));
                return REC_BAD;
            }
            if (dbl) {
                long off = unescape(c, fp, flen, &flen);
                if (off < 0)
                    goto oom;
                soff = (size_t)off;
            }
        } else {
            const unsigned char *s = (const unsigned char *)p;
            const unsigned char *e = (const unsigned char *)end;
            while (s < e && !c->special[*s])
                s++;
            if (s == e && !c->eof)
                return REC_MORE;
            fp = p;
            flen = (size_t)((const char *)s - p);
            p = (const char *)s;
        }
        if (flen > c->opts.max_field && !too_long) {
            too_long = 1;
            bad_col = (size_t)(fstart - (base + c->pos)) + 1;
        }
        if (c->nf >= c->opts.max_fields) {
            too_many = 1;
        } else if (push_field(c, fp, flen, soff) < 0) {
            goto oom;
        }
        if (p < end && *p == delim) {
            p++;
            continue;
        }
        /* end of record: \n, \r\n, \r, or end of input */
        if (p < end && *p == '\r') {
            if (p + 1 < end && p[1] == '\n')
                p += 2;
            else if (p + 1 == end && !c->eof)
                return REC_MORE;
            else
                p += 1;
            nl++;
        } else if (p < end && *p == '\n') {
            p++;
            nl++;
        }
        break;
    }
    *next = (size_t)(p - base);
    *lines = nl;
    if (too_many) {
        ckp_error_set(err, CKP_ELIMIT, c->name, c->rec_line, 0,
                      "record has more than %zu fields", c->opts.max_fields);
        return REC_BAD;
    }
    if (too_long) {
        ckp_error_set(err, CKP_ELIMIT, c->name, c->rec_line, (long)bad_col,
                      "field longer than %zu bytes", c->opts.max_field);
        return REC_BAD;
    }
    return REC_OK;
oom:
    ckp_error_set(err, CKP_ENOMEM, c->name, c->rec_line, 0, "out of memory");
    *next = c->len;
    *lines = 0;
    return REC_BAD;
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
            return 0;
        if (b == 0xED && p[1] >= 0xA0)
            return 0;
        return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        if (b == 0xF0 && p[1] < 0x90)
            return 0;
        if (b == 0xF4 && p[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

/* Offset of the first invalid byte, or (size_t)-1 when p is valid UTF-8. */
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
    return (size_t)-1;
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

static int latin1_to_scratch(ckp_csv *c, field_slot *f)
{
    if (scratch_reserve(c, f->len * 2) < 0)
        return -1;
    /* f->ptr may point into scratch: copy through a safe source */
    const char *src = f->scratch_off != (size_t)-1 ? NULL : f->ptr;
    size_t off = c->slen, o = off;
    for (size_t i = 0; i < f->len; i++) {
        unsigned char b = src ? (unsigned char)src[i]
                              : (unsigned char)c->scratch[f->scratch_off + i];
        if (b < 0x80) {
            c->scratch[o++] = (char)b;
        } else {
            c->scratch[o++] = (char)(0xC0 | (b >> 6));
            c->scratch[o++] = (char)(0x80 | (b & 0x3F));
        }
    }
    f->scratch_off = off;
    f->len = o - off;
    c->slen = o;
    return 0;
}

/* Check encodings of the current record; convert where allowed. */
static int check_encoding(ckp_csv *c, size_t rec_start, size_t rec_end, ckp_error *err)
{
    if (!has_high_bit(c->buf + rec_start, rec_end - rec_start) && c->slen == 0)
        return 0;
    for (size_t i = 0; i < c->nf; i++) {
        field_slot *f = &c->fields[i];
        const char *p = f->scratch_off != (size_t)-1 ? c->scratch + f->scratch_off : f->ptr;
        if (!has_high_bit(p, f->len))
            continue;
        if (c->opts.encoding == CKP_CSV_LATIN1) {
            if (latin1_to_scratch(c, f) < 0)
                return ckp_error_set(err, CKP_ENOMEM, c->name, c->rec_line, 0,
                                     "out of memory"), -1;
            continue;
        }
        size_t bad = utf8_invalid_at(p, f->len);
        if (bad == (size_t)-1)
            continue;
        if (c->opts.encoding == CKP_CSV_AUTO) {
            if (latin1_to_scratch(c, f) < 0)
                return ckp_error_set(err, CKP_ENOMEM, c->name, c->rec_line, 0,
                                     "out of memory"), -1;
            c->stats.latin1_fields++;
            continue;
        }
        ckp_error_set(err, CKP_EENCODING, c->name, c->rec_line, (long)i + 1,
                      "field %zu is not valid UTF-8 (byte 0x%02X at offset %zu; "
                      "is the file Latin-1?)", i + 1, (unsigned char)p[bad], bad);
        return -1;
    }
    return 0;
}

static void resolve_scratch(ckp_csv *c)
{
    for (size_t i = 0; i < c->nf; i++)
        if (c->fields[i].scratch_off != (size_t)-1)
            c->fields[i].ptr = c->scratch + c->fields[i].scratch_off;
}

static int is_blank_record(const ckp_csv *c)
{
    return c->nf == 1 && c->fields[0].len == 0 && c->fields[0].scratch_off == (size_t)-1;
}

static int is_dos_eof(const ckp_csv *c, size_t next)
{
    return c->nf == 1 && c->fields[0].len == 1 && c->fields[0].ptr[0] == 0x1A &&
           next >= c->len && c->eof;
}

/* Core of ckp_csv_next without header handling. */
static int next_record(ckp_csv *c, ckp_error *err)
{
    for (;;) {
        if (c->failed)
            return 0;
        if (c->pos >= c->len) {
            int r = c->is_mem ? 0 : refill(c, err);
            if (r < 0)
                return -1;
            if (c->pos >= c->len)
                return 0;
        }
        c->rec_line = c->line;
        size_t next = 0;
        long lines = 0;
        rec_result rr = parse_record(c, &next, &lines, err);
        if (rr == REC_MORE) {
            int r = refill(c, err);
            if (r < 0)
                return -1;
            continue; /* re-parse from the record start with more data */
        }
        if (rr == REC_BAD) {
            c->line += count_nl(c->buf + c->pos, next - c->pos);
            c->pos = next;
            c->stats.bad_records++;
            return -1;
        }
        size_t start = c->pos;
        c->pos = next;
        c->line += lines;
        if (is_blank_record(c))
            continue;
        if (is_dos_eof(c, next))
            return 0;
        if (check_encoding(c, start, next, err) < 0) {
            c->stats.bad_records++;
            return -1;
        }
        resolve_scratch(c);
        return 1;
    }
}

static ckp_status read_header(ckp_csv *c, ckp_error *err)
{
    /* BOM */
    if (!c->is_mem && c->len < 3)
        if (refill(c, err) < 0)
            return err ? err->code : CKP_EIO;
    if (c->len - c->pos >= 3 && memcmp(c->buf + c->pos, "\xEF\xBB\xBF", 3) == 0)
        c->pos += 3;
    if (!c->opts.delim)
        choose_delim(c);
    else
        set_delim(c, c->opts.delim);
    if (!c->opts.header)
        return CKP_OK;
    int r = next_record(c, err);
    if (r == 0)
        return ckp_error_set(err, CKP_EPARSE, c->name, 1, 0,
                             "empty input: expected a header line");
    if (r < 0)
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
    c->line = 1;
    ckp_status st = read_header(c, err);
    if (st != CKP_OK) {
        ckp_csv_close(c);
        return st;
    }
    *out = c;
    return CKP_OK;
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

ckp_status ckp_csv_open(const char *path, const ckp_csv_opts *opts, ckp_csv **out,
                        ckp_error *err)
{
    if (strcmp(path, "-") == 0)
        return ckp_csv_open_fd(0, "<stdin>", opts, out, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ckp_error_set(err, errno == ENOENT ? CKP_ENOTFOUND : CKP_EIO, path, 0,
                             0, "cannot open: %s", strerror(errno));
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
    if (i < c->nf) {
        f.ptr = c->fields[i].ptr;
        f.len = c->fields[i].len;
    }
    return f;
}

ckp_field ckp_csv_header_name(const ckp_csv *c, size_t i)
{
    ckp_field f = {NULL, 0};
    if (i < c->nhdr)
        f = c->hdr[i];
    return f;
}

int ckp_csv_column(const ckp_csv *c, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < c->nhdr; i++) {
        ckp_field f = ckp_field_trim(c->hdr[i]);
        if (f.len == n && strncasecmp(f.ptr, name, n) == 0)
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
    free(c->fields);
    free(c->scratch);
    free(c->hdr_store);
    free(c->hdr);
    free(c);
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

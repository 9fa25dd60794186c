/* ingest_parallel.c — one big plain CSV file mapped and parsed by two
 * threads, the result the same as one thread's (see ingest_parse.h). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "store/ingest_parse.h"

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
    ckp__parser x;
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
        h->st = ckp__parse_loop(&h->x, &h->err);
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
static ckp_status whole_file(ckp__parser *x, const char *buf, size_t len, const char *path,
                             ckp_error *err)
{
    ckp_csv_opts o;
    ckp__csv_opts(&o, x->ing);
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
    ckp_status st = ckp__parse_loop(x, err);
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
static ckp_status two_halves(ckp_ingest *ing, ckp__parser *x0, half *h1, int *plain, ckp_error *err)
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
        st = ckp__parse_loop(x0, err);
        if (!threaded)
            h1->st = ckp__parse_loop(&h1->x, &h1->err);
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
int ckp__ingest_parallel(ckp_ingest *ing, const char *path, ckp_status *st, ckp_error *err)
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
    ckp__csv_opts(&o, ing);
    ckp_csv *c0 = NULL, *c1 = NULL;
    ckp__parser x0;
    half h1;
    memset(&h1, 0, sizeof h1);
    char *rejtext = NULL;
    size_t rejlen = 0;
    if (ckp_csv_open_mem(buf, split, path, &o, &c0, err) != CKP_OK) {
        *st = err->code;
        goto out_unmap;
    }
    *st = ckp__prepare(ing, c0, path, &x0, err);
    if (*st != CKP_OK)
        goto out_close;
    if (x0.row == ckp__row_flows || split == len || x0.decimal != '.' ||
        x0.c.reporter_iso >= 0 || x0.c.partner_iso >= 0) {
        /* name lookups are not thread-safe, nor is learning the decimal
         * mark of a ';' file from its values: one thread over the WHOLE file */
        *st = whole_file(&x0, buf, len, path, err);
        goto out_close;
    }
    for (int i = 0; i < 1000; i++) { /* the lookup tables, filled before sharing */
        ckp__country_comtrade(ing, i);
        ckp__country_baci(ing, i);
    }
    o.header = 0;
    o.delim = ckp_csv_delim(c0);
    size_t body = (size_t)ckp_csv_get_stats(c0).bytes; /* past the header line */
    int plain_baci = x0.row == ckp__row_baci && ckp_csv_header_count(c0) == 6 && x0.c.qty >= 0 &&
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
        ckp__file_done(ing, path, len);
out_unmap:
    munmap(buf, len);
    return 1;
}

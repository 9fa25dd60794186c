/* fuzz_csv.c — libFuzzer harness for the CSV reader (csv.h).
 *
 * The first two bytes choose the options — delimiter (detected, , ; TAB | or
 * an odd one), header on/off, encoding (UTF-8, Latin-1, auto), small limits
 * on field size, field count and record size — and the read chunk for the
 * descriptor run; the rest is the CSV text.  The text is read twice: from
 * memory (ckp_csv_open_mem) and from a file descriptor that is read a few
 * bytes at a time, so records straddle refills.  Both runs must return the
 * same records and the same errors (a digest of everything returned), and
 * every record must keep the contract: field count and sizes within the
 * limits, valid UTF-8 unless the reader is in a mode that lets it through,
 * line numbers that never go back, every call consuming input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/csv.h"

typedef struct digest {
    uint64_t h;
} digest;

static void mix(digest *d, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        d->h ^= s[i];
        d->h *= 0x100000001b3ull;
    }
}

static void mix_u64(digest *d, uint64_t v) { mix(d, &v, sizeof v); }

static void mix_err(digest *d, const ckp_error *e)
{
    mix_u64(d, (uint64_t)e->code);
    mix_u64(d, (uint64_t)e->line);
    mix_u64(d, (uint64_t)e->col);
    mix(d, e->msg, strlen(e->msg));
}

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_csv: %s\n", what);
    abort();
}

/* 1 when p[0..n) is valid UTF-8 (the same rules as the reader). */
static int valid_utf8(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = p[i];
        size_t k;
        if (b < 0x80)
            k = 1;
        else if (b >= 0xC2 && b <= 0xDF)
            k = 2;
        else if (b >= 0xE0 && b <= 0xEF)
            k = 3;
        else if (b >= 0xF0 && b <= 0xF4)
            k = 4;
        else
            return 0;
        if (i + k > n)
            return 0;
        for (size_t j = 1; j < k; j++)
            if ((p[i + j] & 0xC0) != 0x80)
                return 0;
        if ((b == 0xE0 && p[i + 1] < 0xA0) || (b == 0xED && p[i + 1] >= 0xA0) ||
            (b == 0xF0 && p[i + 1] < 0x90) || (b == 0xF4 && p[i + 1] >= 0x90))
            return 0;
        i += k;
    }
    return 1;
}

/* Read everything from an open reader into a digest, checking the contract. */
static uint64_t drain(ckp_csv *c, const ckp_csv_opts *o, size_t input_len)
{
    digest d = {0xcbf29ce484222325ull};
    ckp_error err;
    mix_u64(&d, (uint64_t)(unsigned char)ckp_csv_delim(c));
    for (size_t i = 0; i < ckp_csv_header_count(c); i++) {
        ckp_field f = ckp_csv_header_name(c, i);
        mix(&d, f.ptr, f.len);
        mix_u64(&d, f.len);
        /* lookup by name finds this column or an earlier one of the same name */
        char name[64];
        ckp_field_copy(f, name, sizeof name);
        if (f.len < sizeof name && strlen(name) == f.len) {
            int j = ckp_csv_column(c, name);
            if (j < 0 || (size_t)j > i)
                fail("a header name that ckp_csv_column does not find");
        }
    }
    long last_line = 0;
    uint64_t ok = 0, bad = 0, calls = 0;
    size_t max_field = o->max_field ? o->max_field : 1u << 20;
    size_t max_fields = o->max_fields ? o->max_fields : 4096;
    for (;;) {
        if (++calls > input_len + 4)
            fail("more results than input bytes: the reader does not advance");
        ckp_error_clear(&err);
        int r = ckp_csv_next(c, &err);
        mix_u64(&d, (uint64_t)(r + 1));
        if (r == 0)
            break;
        if (r < 0) {
            if (err.code == CKP_OK || !err.msg[0])
                fail("a bad record without an error");
            if (err.line < 1 || err.col < 0)
                fail("an error without a line");
            mix_err(&d, &err);
            bad++;
            if (ckp_csv_failed(c)) {
                if (ckp_csv_next(c, &err) != 0)
                    fail("a failed reader returned more");
                break;
            }
            continue;
        }
        ok++;
        long line = ckp_csv_line(c);
        if (line < last_line || line < 1)
            fail("line numbers went back");
        last_line = line;
        mix_u64(&d, (uint64_t)line);
        size_t nf = ckp_csv_nfields(c);
        if (nf < 1 || nf > max_fields)
            fail("field count out of range");
        mix_u64(&d, nf);
        for (size_t i = 0; i < nf; i++) {
            ckp_field f = ckp_csv_field(c, i);
            if (!f.ptr)
                fail("a NULL field inside the record");
            if (f.len > max_field && o->encoding == CKP_CSV_UTF8)
                fail("a field longer than max_field");
            if (!valid_utf8((const unsigned char *)f.ptr, f.len))
                fail("a field that is not valid UTF-8");
            mix_u64(&d, f.len);
            mix(&d, f.ptr, f.len);
        }
        if (ckp_csv_field(c, nf).ptr != NULL)
            fail("a field past the end");
    }
    ckp_csv_stats st = ckp_csv_get_stats(c);
    if (st.records != ok || st.bad_records != bad)
        fail("stats disagree with what was returned");
    if (st.bytes > input_len)
        fail("consumed more bytes than the input holds");
    mix_u64(&d, st.latin1_fields);
    mix_u64(&d, st.bytes);
    return d.h;
}

static const char delims[8] = {0, ',', ';', '\t', '|', ' ', 'x', (char)0xA7};
static const size_t max_field_v[4] = {0, 1, 5, 64};
static const size_t max_fields_v[4] = {0, 1, 3, 16};
static const size_t max_record_v[4] = {0, 4, 16, 100};

static int tmp_fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    size_t chunk = 1;
    if (size >= 2) {
        uint8_t a = data[0], b = data[1];
        o.delim = delims[a & 7];
        o.header = (a >> 3) & 1;
        o.encoding = (ckp_csv_encoding)(((a >> 4) & 3) % 3);
        o.max_field = max_field_v[(a >> 6) & 3];
        o.max_fields = max_fields_v[b & 3];
        o.max_record = max_record_v[(b >> 2) & 3];
        chunk = 1 + (b >> 4);
        data += 2;
        size -= 2;
    }
    const char *text = (const char *)data;

    /* from memory */
    ckp_csv *c = NULL;
    ckp_error e1, e2;
    ckp_error_clear(&e1);
    ckp_status s1 = ckp_csv_open_mem(text, size, "fuzz.csv", &o, &c, &e1);
    uint64_t h1 = 0;
    if (s1 == CKP_OK) {
        h1 = drain(c, &o, size);
        ckp_csv_close(c);
    } else if (!e1.msg[0]) {
        fail("open failed without a message");
    }

    /* from a descriptor, a few bytes per read */
    if (tmp_fd < 0) {
        char path[] = "/tmp/fuzz_csv.XXXXXX";
        tmp_fd = mkstemp(path);
        if (tmp_fd < 0)
            return 0;
        unlink(path);
    }
    if (ftruncate(tmp_fd, 0) != 0 || pwrite(tmp_fd, text, size, 0) != (ssize_t)size ||
        lseek(tmp_fd, 0, SEEK_SET) != 0)
        return 0;
    o.read_chunk = chunk;
    c = NULL;
    ckp_error_clear(&e2);
    ckp_status s2 = ckp_csv_open_fd(tmp_fd, "fuzz.csv", &o, &c, &e2);
    uint64_t h2 = 0;
    if (s2 == CKP_OK) {
        h2 = drain(c, &o, size);
        ckp_csv_close(c);
    }
    if (s1 != s2)
        fail("memory and descriptor input disagree on the open");
    if (s1 != CKP_OK && (e1.line != e2.line || e1.col != e2.col || strcmp(e1.msg, e2.msg)))
        fail("memory and descriptor input disagree on the open error");
    if (h1 != h2)
        fail("memory and descriptor input returned different records");
    return 0;
}

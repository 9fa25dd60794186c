/* ingest_src.c — the bytes of one input file for ingest: a regular file,
 * standard input or memory, gunzipped on the fly when it starts with the
 * gzip magic (1f 8b), so a .gz of any format is read without unpacking it
 * to disk (memory: one 256 KiB input buffer and the reader's own).  A peek
 * at the first content byte tells JSON from CSV (ingest_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "store/ingest_int.h"

#define IN_BUF ((size_t)256 << 10)
#define PEEK_MAX ((size_t)64 << 10)

struct ckp__src {
    int fd, own_fd;            /* -1 for memory */
    const unsigned char *mem;  /* memory input */
    size_t mem_len, mem_pos;
    unsigned char *in;         /* raw bytes read ahead (IN_BUF) */
    size_t in_len, in_pos;
    int in_eof;                /* the raw input is exhausted */
    int gz;                    /* gzip stream(s) */
    int z_init, z_done;        /* inflate set up; the current member ended */
    z_stream z;
    char *pk;                  /* content bytes peeked, served first */
    size_t pk_len, pk_pos;
    uint64_t raw_total;        /* size of a regular file or memory, else 0 */
    char why[160];
};

/* More raw bytes appended to s->in (room must be left): 0 ok (in_eof at
 * the end), -1 on a read error (s->why). */
static int raw_append(ckp__src *s)
{
    size_t room = IN_BUF - s->in_len;
    if (s->mem) {
        size_t n = s->mem_len - s->mem_pos < room ? s->mem_len - s->mem_pos : room;
        memcpy(s->in + s->in_len, s->mem + s->mem_pos, n);
        s->mem_pos += n;
        s->in_len += n;
        s->in_eof = n == 0;
        return 0;
    }
    for (;;) {
        ssize_t n = read(s->fd, s->in + s->in_len, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(s->why, sizeof s->why, "read failed: %s", strerror(errno));
            return -1;
        }
        s->in_len += (size_t)n;
        s->in_eof = n == 0;
        return 0;
    }
}

/* s->in drained: read the next raw bytes into it. */
static int raw_fill(ckp__src *s)
{
    s->in_pos = s->in_len = 0;
    return raw_append(s);
}

static ckp_status start(ckp__src *s, const char *name, ckp_error *err)
{
    s->in = malloc(IN_BUF);
    if (!s->in)
        return ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "out of memory");
    /* at least four bytes, or the end, to see the magic (gzip, zip) */
    while (s->in_len < 4 && !s->in_eof)
        if (raw_append(s) < 0)
            return ckp_error_set(err, CKP_EIO, name, 0, 0, "%s", s->why);
    s->gz = s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
    if (s->gz) {
        memset(&s->z, 0, sizeof s->z);
        if (inflateInit2(&s->z, 15 + 16) != Z_OK)
            return ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "cannot start zlib");
        s->z_init = 1;
    }
    return CKP_OK;
}

ckp_status ckp__src_open_file(const char *path, ckp__src **out, ckp_error *err)
{
    *out = NULL;
    ckp__src *s = calloc(1, sizeof *s);
    if (!s)
        return ckp_error_set(err, CKP_ENOMEM, path, 0, 0, "out of memory");
    if (strcmp(path, "-") == 0) {
        s->fd = 0;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0) {
            int e = errno;
            free(s);
            return ckp_error_set(err, e == ENOENT ? CKP_ENOTFOUND : CKP_EIO, path, 0, 0,
                                 "cannot open: %s", strerror(e));
        }
        s->own_fd = 1;
        struct stat sb;
        if (fstat(s->fd, &sb) == 0 && S_ISREG(sb.st_mode))
            s->raw_total = (uint64_t)sb.st_size;
    }
    ckp_status st = start(s, path, err);
    if (st != CKP_OK) {
        ckp__src_close(s);
        return st;
    }
    *out = s;
    return CKP_OK;
}

ckp_status ckp__src_open_mem(const char *buf, size_t len, const char *name, ckp__src **out,
                             ckp_error *err)
{
    *out = NULL;
    ckp__src *s = calloc(1, sizeof *s);
    if (!s)
        return ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "out of memory");
    s->fd = -1;
    s->mem = (const unsigned char *)(buf ? buf : "");
    s->mem_len = len;
    s->raw_total = len;
    ckp_status st = start(s, name, err);
    if (st != CKP_OK) {
        ckp__src_close(s);
        return st;
    }
    *out = s;
    return CKP_OK;
}

int ckp__src_is_gz(const ckp__src *s) { return s->gz; }

int ckp__src_is_zip(const ckp__src *s) { return !s->gz && ckp__is_zip(s->in, s->in_len); }

uint64_t ckp__src_raw_total(const ckp__src *s) { return s->raw_total; }

/* Decompressed bytes: as ckp_csv_read_fn.  Concatenated members are one
 * stream (gzip -c a b); a stream that ends inside a member is an error. */
static long gz_read(ckp__src *s, char *buf, size_t n, const char **why)
{
    s->z.next_out = (unsigned char *)buf;
    s->z.avail_out = (uInt)(n > (1u << 30) ? (1u << 30) : n);
    uInt want = s->z.avail_out;
    while (s->z.avail_out == want) {
        if (s->in_pos == s->in_len && !s->in_eof && raw_fill(s) < 0) {
            *why = s->why;
            return -1;
        }
        if (s->in_pos == s->in_len) {
            if (!s->z_done) {
                *why = "the gzip stream is truncated (it ends inside a member)";
                return -1;
            }
            return 0;
        }
        if (s->z_done) { /* another member follows */
            inflateReset(&s->z);
            s->z_done = 0;
        }
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        int r = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        if (r == Z_STREAM_END) {
            s->z_done = 1;
        } else if (r != Z_OK && r != Z_BUF_ERROR) {
            snprintf(s->why, sizeof s->why, "the gzip data is corrupt (%s)",
                     s->z.msg ? s->z.msg : "zlib error");
            *why = s->why;
            return -1;
        }
    }
    return (long)(want - s->z.avail_out);
}

static long plain_read(ckp__src *s, char *buf, size_t n, const char **why)
{
    if (s->in_pos == s->in_len) {
        if (s->in_eof)
            return 0;
        if (s->mem) { /* straight from memory, no copy through in */
            size_t k = s->mem_len - s->mem_pos < n ? s->mem_len - s->mem_pos : n;
            memcpy(buf, s->mem + s->mem_pos, k);
            s->mem_pos += k;
            return (long)k;
        }
        for (;;) {
            ssize_t r = read(s->fd, buf, n);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                snprintf(s->why, sizeof s->why, "read failed: %s", strerror(errno));
                *why = s->why;
                return -1;
            }
            return (long)r;
        }
    }
    size_t k = s->in_len - s->in_pos < n ? s->in_len - s->in_pos : n;
    memcpy(buf, s->in + s->in_pos, k);
    s->in_pos += k;
    return (long)k;
}

long ckp__src_read(void *src, char *buf, size_t n, const char **why)
{
    ckp__src *s = src;
    if (n == 0)
        return 0;
    if (s->pk_pos < s->pk_len) {
        size_t k = s->pk_len - s->pk_pos < n ? s->pk_len - s->pk_pos : n;
        memcpy(buf, s->pk + s->pk_pos, k);
        s->pk_pos += k;
        return (long)k;
    }
    return s->gz ? gz_read(s, buf, n, why) : plain_read(s, buf, n, why);
}

int ckp__src_first_byte(ckp__src *s, ckp_error *err, const char *name)
{
    if (!s->pk) {
        s->pk = malloc(PEEK_MAX);
        if (!s->pk) {
            ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "out of memory");
            return -2;
        }
    }
    for (;;) {
        size_t i = s->pk_pos;
        if (s->pk_len - i >= 3 && memcmp(s->pk + i, "\xEF\xBB\xBF", 3) == 0)
            i += 3;
        while (i < s->pk_len && (s->pk[i] == ' ' || s->pk[i] == '\t' || s->pk[i] == '\r' ||
                                 s->pk[i] == '\n'))
            i++;
        if (i < s->pk_len && !(s->pk_len - i < 3 && (unsigned char)s->pk[i] == 0xEF))
            return (unsigned char)s->pk[i];
        if (s->pk_len == PEEK_MAX)
            return ' '; /* 64 KiB of blanks: not JSON */
        const char *why = NULL;
        long n = s->gz ? gz_read(s, s->pk + s->pk_len, PEEK_MAX - s->pk_len, &why)
                       : plain_read(s, s->pk + s->pk_len, PEEK_MAX - s->pk_len, &why);
        if (n < 0) {
            ckp_error_set(err, CKP_EIO, name, 0, 0, "%s", why ? why : "read failed");
            return -2;
        }
        if (n == 0)
            return i < s->pk_len ? (unsigned char)s->pk[i] : -1;
        s->pk_len += (size_t)n;
    }
}

void ckp__src_close(ckp__src *s)
{
    if (!s)
        return;
    if (s->z_init)
        inflateEnd(&s->z);
    if (s->own_fd)
        close(s->fd);
    free(s->in);
    free(s->pk);
    free(s);
}

/* ingest_archive.c — the members of a .zip archive (the CEPII BACI release:
 * one CSV per year plus its code tables), read with libarchive as a stream:
 * nothing is unpacked to disk, and memory is libarchive's window plus the
 * caller's buffer.  An archive is read twice (ckp__archive_rewind): once for
 * its code tables, which come after the year files in CEPII's archives,
 * once for the rows.  A damaged archive (a bad header, a CRC mismatch, a
 * truncated member) is an error naming the archive and the member. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/ingest_int.h"

#define BLOCK ((size_t)64 << 10)

struct ckp__archive {
    struct archive *a;
    const char *path;          /* a file, or NULL for memory */
    const char *mem;
    size_t mem_len;
    char *name;                /* for messages */
    char member[512];          /* the current member */
    uint64_t member_bytes;     /* read of the current member */
    uint64_t raw_total;
    char why[600];
};

int ckp__is_zip(const unsigned char *p, size_t n)
{
    return n >= 4 && p[0] == 'P' && p[1] == 'K' && p[2] == 3 && p[3] == 4;
}

static ckp_status fail(ckp__archive *ar, ckp_error *err, const char *what)
{
    const char *msg = ar->a ? archive_error_string(ar->a) : NULL;
    return ckp_error_set(err, CKP_EPARSE, ar->name, 0, 0, "%s%s%s%s: %s", what,
                         ar->member[0] ? " (member " : "", ar->member,
                         ar->member[0] ? ")" : "", msg ? msg : "unknown libarchive error");
}

static ckp_status open_archive(ckp__archive *ar, ckp_error *err)
{
    if (ar->a)
        archive_read_free(ar->a);
    ar->member[0] = '\0';
    ar->a = archive_read_new();
    if (!ar->a)
        return ckp_error_set(err, CKP_ENOMEM, ar->name, 0, 0, "out of memory");
    /* streaming zip reader: local headers in order, no seeking needed
     * (standard input, memory) */
    archive_read_support_format_zip_streamable(ar->a);
    int r = ar->path ? archive_read_open_filename(ar->a, ar->path, BLOCK)
                     : archive_read_open_memory(ar->a, ar->mem, ar->mem_len);
    if (r != ARCHIVE_OK)
        return fail(ar, err, "cannot read the zip archive");
    return CKP_OK;
}

static ckp_status make(const char *path, const char *mem, size_t len, const char *name,
                       uint64_t total, ckp__archive **out, ckp_error *err)
{
    *out = NULL;
    ckp__archive *ar = calloc(1, sizeof *ar);
    if (!ar || !(ar->name = strdup(name))) {
        free(ar);
        return ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "out of memory");
    }
    ar->path = path;
    ar->mem = mem;
    ar->mem_len = len;
    ar->raw_total = total;
    ckp_status st = open_archive(ar, err);
    if (st != CKP_OK) {
        ckp__archive_close(ar);
        return st;
    }
    *out = ar;
    return CKP_OK;
}

ckp_status ckp__archive_open_file(const char *path, uint64_t size, ckp__archive **out,
                                  ckp_error *err)
{
    return make(path, NULL, 0, path, size, out, err);
}

ckp_status ckp__archive_open_mem(const char *buf, size_t len, const char *name,
                                 ckp__archive **out, ckp_error *err)
{
    return make(NULL, buf ? buf : "", len, name, len, out, err);
}

ckp_status ckp__archive_rewind(ckp__archive *ar, ckp_error *err)
{
    return open_archive(ar, err);
}

int ckp__archive_next(ckp__archive *ar, const char **member, ckp_error *err)
{
    struct archive_entry *e;
    int r = archive_read_next_header(ar->a, &e);
    if (r == ARCHIVE_EOF)
        return 0;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        fail(ar, err, "the zip archive is damaged");
        return -1;
    }
    const char *n = archive_entry_pathname(e);
    if (!n || strlen(n) >= sizeof ar->member) {
        ckp_error_set(err, CKP_EPARSE, ar->name, 0, 0, "a member name is missing or longer "
                      "than %zu bytes", sizeof ar->member - 1);
        return -1;
    }
    strcpy(ar->member, n);
    ar->member_bytes = 0;
    *member = ar->member;
    return archive_entry_filetype(e) == AE_IFDIR ? 2 : 1;
}

long ckp__archive_read(void *src, char *buf, size_t n, const char **why)
{
    ckp__archive *ar = src;
    la_ssize_t r = archive_read_data(ar->a, buf, n);
    if (r < 0) {
        const char *msg = archive_error_string(ar->a);
        snprintf(ar->why, sizeof ar->why, "the zip archive is damaged: %s",
                 msg ? msg : "read error");
        *why = ar->why;
        return -1;
    }
    ar->member_bytes += (uint64_t)r;
    return (long)r;
}

uint64_t ckp__archive_raw_total(const ckp__archive *ar) { return ar->raw_total; }

uint64_t ckp__archive_raw_done(const ckp__archive *ar)
{
    la_int64_t n = archive_filter_bytes(ar->a, -1);
    return n > 0 ? (uint64_t)n : 0;
}

void ckp__archive_close(ckp__archive *ar)
{
    if (!ar)
        return;
    if (ar->a)
        archive_read_free(ar->a);
    free(ar->name);
    free(ar);
}

/* file.c — see file.h. */
#include "core/file.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

ckp_status ckp_file_read_stream(FILE *f, const char *name, size_t max, char **out,
                                size_t *len, ckp_error *err)
{
    char *b = NULL;
    size_t n = 0, cap = 0;
    ckp_status st = CKP_OK;
    *out = NULL;
    *len = 0;
    if (max > SIZE_MAX / 2)
        max = SIZE_MAX / 2;
    for (;;) {
        /* room for at least 64 KiB more and the NUL, never past max + 2 (one
         * byte past max shows the file is too large) */
        size_t want = n + ((size_t)1 << 16) + 1;
        if (want > max + 2)
            want = max + 2;
        st = ckp_array_reserve(&b, &cap, want, 1, max + 2, "bytes", NULL);
        if (st != CKP_OK) {
            st = ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "out of memory");
            break;
        }
        size_t r = fread(b + n, 1, cap - n - 1, f);
        n += r;
        if (n > max) {
            st = ckp_error_set(err, CKP_ELIMIT, name, 0, 0, "larger than %zu bytes", max);
            break;
        }
        if (r == 0)
            break;
    }
    if (st == CKP_OK && ferror(f))
        st = ckp_error_set(err, CKP_EIO, name, 0, 0, "read error: %s", strerror(errno));
    if (st != CKP_OK) {
        free(b);
        return st;
    }
    b[n] = '\0';
    *out = b;
    *len = n;
    return CKP_OK;
}

ckp_status ckp_file_read(const char *path, size_t max, char **out, size_t *len,
                         ckp_error *err)
{
    if (strcmp(path, "-") == 0)
        return ckp_file_read_stream(stdin, "-", max, out, len, err);
    FILE *f = fopen(path, "rb");
    if (!f) {
        *out = NULL;
        *len = 0;
        return ckp_error_set(err, errno == ENOENT ? CKP_ENOTFOUND : CKP_EIO, path, 0, 0,
                             "cannot open: %s", strerror(errno));
    }
    ckp_status st = ckp_file_read_stream(f, path, max, out, len, err);
    fclose(f);
    return st;
}

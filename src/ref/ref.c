/* ref.c — loading and freeing the reference data (ckp_ref), the data
 * directory, and the helpers the other files of src/ref share: the string
 * arena, CSV opening, name normalisation and edit distance. */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utf8proc.h>

#include "ref/ref_int.h"

/* ---- data directory ---------------------------------------------------- */

static char data_dir[PATH_MAX];
static pthread_once_t data_dir_once = PTHREAD_ONCE_INIT;

/* buf = a + b; 0 when it does not fit. */
static int join(char *buf, size_t n, const char *a, const char *b)
{
    int w = snprintf(buf, n, "%s%s", a, b);
    return w >= 0 && (size_t)w < n;
}

static int is_data_dir(const char *dir)
{
    char path[PATH_MAX + 64];
    struct stat st;
    return join(path, sizeof path, dir, "/ref/countries") && stat(path, &st) == 0 &&
           S_ISDIR(st.st_mode);
}

static void find_data_dir(void)
{
    const char *env = getenv("CHOKEPOINT_DATA");
    char exe[PATH_MAX];
    char cand[PATH_MAX + 64];
    ssize_t n;

    if (env && *env) {
        snprintf(data_dir, sizeof data_dir, "%s", env);
        return;
    }
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if (join(cand, sizeof cand, exe, "/../share/chokepoint") && is_data_dir(cand) &&
                join(data_dir, sizeof data_dir, cand, ""))
                return;
            if (join(cand, sizeof cand, exe, "/../data") && is_data_dir(cand) &&
                join(data_dir, sizeof data_dir, cand, ""))
                return;
        }
    }
    snprintf(data_dir, sizeof data_dir, "data");
}

const char *ckp_data_dir(void)
{
    pthread_once(&data_dir_once, find_data_dir);
    return data_dir;
}

/* ---- arena ------------------------------------------------------------- */

void *ckp__ref_alloc(ckp_ref *ref, size_t n)
{
    void *p = ckp__ref_alloc_raw(ref, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *ckp__ref_alloc_raw(ckp_ref *ref, size_t n)
{
    ref_block *b = ref->arena.head;
    n = (n + 15) & ~(size_t)15;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ((size_t)1 << 20) ? n : ((size_t)1 << 20);
        if (ref->arena.total + cap > REF_ARENA_MAX)
            return NULL;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = ref->arena.head;
        b->used = 0;
        b->cap = cap;
        ref->arena.head = b;
        ref->arena.total += cap;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

char *ckp__ref_strndup(ckp_ref *ref, const char *s, size_t n)
{
    char *p = ckp__ref_alloc(ref, n + 1);
    if (p && n)
        memcpy(p, s, n);
    return p;
}

static void arena_free(ref_arena *a)
{
    ref_block *b = a->head;
    while (b) {
        ref_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

void ckp__ref_sort_u64(uint64_t *v, size_t n, int bits)
{
    uint64_t *tmp;
    if (n < 64) {
        for (size_t i = 1; i < n; i++) {
            uint64_t x = v[i];
            size_t j = i;
            while (j > 0 && v[j - 1] > x) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        /* no memory for the buffer: fall back to an in-place shell sort */
        for (size_t gap = n / 2; gap > 0; gap /= 2)
            for (size_t i = gap; i < n; i++)
                for (size_t j = i; j >= gap && v[j - gap] > v[j]; j -= gap) {
                    uint64_t x = v[j];
                    v[j] = v[j - gap];
                    v[j - gap] = x;
                }
        return;
    }
    for (int shift = 0; shift < bits; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((v[i] >> shift) & 0xFF) + 1]++;
        for (size_t k = 1; k <= 256; k++)
            count[k] += count[k - 1];
        for (size_t i = 0; i < n; i++)
            tmp[count[(v[i] >> shift) & 0xFF]++] = v[i];
        memcpy(v, tmp, n * sizeof *v);
    }
    free(tmp);
}

/* ---- CSV helpers ------------------------------------------------------- */

ckp_status ckp__ref_path(const ckp_ref *ref, const char *rel, char *path, size_t n,
                         ckp_error *err)
{
    int w = snprintf(path, n, "%s/%s", ref->datadir, rel);
    if (w < 0 || (size_t)w >= n)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "path too long: %s/%s",
                             ref->datadir, rel);
    return CKP_OK;
}

ckp_status ckp__ref_table(const ckp_ref *ref, const char *rel, const char *const *cols,
                          ckp_table_row_fn row, void *ctx, ckp_error *err)
{
    char path[sizeof ref->datadir + 256];
    ckp_status st = ckp__ref_path(ref, rel, path, sizeof path, err);
    if (st != CKP_OK)
        return st;
    ckp_table_spec spec = {.path = path, .cols = cols, .row = row, .ctx = ctx};
    return ckp_table_load(&spec, err);
}

/* ---- name normalisation ------------------------------------------------ */

static int is_apostrophe(int32_t c)
{
    return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC || c == 0x0060 ||
           c == 0x00B4;
}

/* Append one code point c (already folded) to buf as the normaliser wants. */
static void norm_put(char *buf, size_t n, size_t *len, int *space, int32_t c)
{
    utf8proc_uint8_t enc[4];
    utf8proc_ssize_t k;
    int keep;

    if (is_apostrophe(c))
        return;
    if (c == '&') {
        norm_put(buf, n, len, space, ' ');
        norm_put(buf, n, len, space, 'a');
        norm_put(buf, n, len, space, 'n');
        norm_put(buf, n, len, space, 'd');
        norm_put(buf, n, len, space, ' ');
        return;
    }
    if (c < 0x80) {
        keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    } else {
        utf8proc_category_t cat = utf8proc_category(c);
        keep = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
               (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
    }
    if (!keep) {
        *space = 1;
        return;
    }
    if (*space && *len > 0) {
        if (*len + 1 >= n)
            return;
        buf[(*len)++] = ' ';
    }
    *space = 0;
    k = utf8proc_encode_char(c, enc);
    if (k <= 0 || *len + (size_t)k >= n)
        return;
    memcpy(buf + *len, enc, (size_t)k);
    *len += (size_t)k;
}

size_t ckp__ref_norm(const char *s, size_t slen, char *buf, size_t n)
{
    size_t len = 0, i;
    int space = 0, ascii = 1;

    if (n == 0)
        return 0;
    for (i = 0; i < slen; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            ascii = 0;
            break;
        }
    }
    if (ascii) {
        for (i = 0; i < slen; i++) {
            int c = (unsigned char)s[i];
            if (c >= 'A' && c <= 'Z')
                c += 'a' - 'A';
            norm_put(buf, n, &len, &space, c);
        }
    } else {
        utf8proc_uint8_t *folded = NULL;
        utf8proc_ssize_t m = utf8proc_map(
            (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)slen, &folded,
            UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
        if (m < 0) {
            buf[0] = '\0';
            return 0;
        }
        utf8proc_ssize_t at = 0;
        while (at < m) {
            utf8proc_int32_t c;
            utf8proc_ssize_t k = utf8proc_iterate(folded + at, m - at, &c);
            if (k <= 0)
                break;
            at += k;
            norm_put(buf, n, &len, &space, c);
        }
        free(folded);
    }
    buf[len] = '\0';
    if (len > 4 && memcmp(buf, "the ", 4) == 0) {
        memmove(buf, buf + 4, len - 3);
        len -= 4;
    }
    return len;
}

int ckp__ref_edit_distance(const char *a, size_t na, const char *b, size_t nb, int cap)
{
    int row[128];
    size_t i, j;
    if (na > 120)
        na = 120;
    if (nb > 120)
        nb = 120;
    if ((na > nb ? na - nb : nb - na) > (size_t)cap)
        return cap + 1;
    for (j = 0; j <= nb; j++)
        row[j] = (int)j;
    for (i = 1; i <= na; i++) {
        int prev = row[0], best;
        row[0] = (int)i;
        best = row[0];
        for (j = 1; j <= nb; j++) {
            int cur = row[j];
            int sub = prev + (a[i - 1] != b[j - 1]);
            int del = row[j] + 1, ins = row[j - 1] + 1;
            int v = sub < del ? sub : del;
            row[j] = v < ins ? v : ins;
            prev = cur;
            if (row[j] < best)
                best = row[j];
        }
        if (best > cap)
            return cap + 1;
    }
    return row[nb] > cap ? cap + 1 : row[nb];
}

/* ---- load / free ------------------------------------------------------- */

static ckp_status load_user_groups(ckp_ref *ref, ckp_error *err)
{
    const char *env = getenv("CHOKEPOINT_GROUPS");
    char path[PATH_MAX];
    ckp_status st;

    while (env && *env) {
        size_t n = strcspn(env, ":");
        if (n > 0 && n < sizeof path) {
            memcpy(path, env, n);
            path[n] = '\0';
            st = ckp_ref_load_groups(ref, path, err);
            if (st != CKP_OK)
                return st;
        }
        env += n;
        if (*env == ':')
            env++;
    }
    return CKP_OK;
}

static ckp_status load_shipped_caveats(ckp_ref *ref, ckp_error *err)
{
    return ckp_ref_load_caveats(ref, NULL, err);
}

ckp_status ckp__ref_steps(ckp_ref *ref, const ckp__ref_step *steps, size_t n, ckp_error *err)
{
    ckp_status st = CKP_OK;
    for (size_t i = 0; i < n && st == CKP_OK; i++)
        st = steps[i](ref, err);
    return st;
}

ckp_status ckp_ref_load(const char *datadir, ckp_ref **out, ckp_error *err)
{
    ckp_ref *ref;
    ckp_status st;

    *out = NULL;
    if (!datadir)
        datadir = ckp_data_dir();
    if (strlen(datadir) >= sizeof ref->datadir - 256)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "data directory path too long");
    ref = calloc(1, sizeof *ref);
    if (!ref)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    snprintf(ref->datadir, sizeof ref->datadir, "%s", datadir);
    pthread_mutex_init(&ref->lazy_lock, NULL);
    if (!is_data_dir(ref->datadir)) {
        st = ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                           "no reference data in %s (set CHOKEPOINT_DATA to the data "
                           "directory)",
                           ref->datadir);
        goto out_free;
    }
    /* groups need the HS tables, the HS tables nothing but themselves */
    st = CKP__REF_STEPS(ref, err, ckp__ref_load_countries, ckp__ref_load_hs,
                        load_shipped_caveats, ckp__ref_load_builtin_groups, load_user_groups);
    if (st != CKP_OK)
        goto out_free;
    *out = ref;
    return CKP_OK;

out_free:
    ckp_ref_free(ref);
    return st;
}

void ckp_ref_free(ckp_ref *ref)
{
    if (!ref)
        return;
    free(ref->groups);
    pthread_mutex_destroy(&ref->lazy_lock);
    arena_free(&ref->arena);
    free(ref);
}

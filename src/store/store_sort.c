/* store_sort.c — the staged rows of a commit in key order (a radix sort
 * by buckets, in threads when the rows are many), then later duplicates of
 * a key dropped and reported (see store_write_int.h). */
#define _GNU_SOURCE
#include "store/store_write_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- sort -------------------------------------------------------------- */


static void insertion_sort(kv *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        kv x = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1].k > x.k) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Stable LSD radix sort of a[0..n) on the key's low 44 bits (everything
 * below the HS code), 11 bits a pass; passes where every key has the same
 * digit are skipped.  tmp holds n entries. */
static void radix_sort(kv *a, kv *tmp, size_t n)
{
    uint32_t count[4][2048]; /* 32 KB on the stack: one per sorting thread */
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 4; d++)
            count[d][(a[i].k >> (11 * d)) & 2047u]++;
    kv *src = a, *dst = tmp;
    for (int d = 0; d < 4; d++) {
        uint32_t *c = count[d];
        if (c[(src[0].k >> (11 * d)) & 2047u] == n)
            continue;
        uint32_t sum = 0;
        for (int b = 0; b < 2048; b++) {
            uint32_t x = c[b];
            c[b] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[(src[i].k >> (11 * d)) & 2047u]++] = src[i];
        kv *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

/* The staged rows as (key, row) pairs sorted by key (stable: equal keys keep
 * their input order).  Pairs are first scattered into buckets by HS code
 * (a counting sort reading the keys in order), then each bucket is sorted on
 * the rest of its key — buckets are small and sorted in cache; a bucket
 * already in order (a BACI year file) is left alone.  Everything after reads
 * the pairs in order. */
/* Sort buckets [from, to) of out (bounds in start[]), each on its own. */
typedef struct bucket_job {
    kv *out;
    const uint32_t *start;
    kv *tmp;
    size_t from, to;
} bucket_job;

static void sort_buckets(const bucket_job *j)
{
    for (size_t h = j->from; h < j->to; h++) {
        size_t s = j->start[h], e = j->start[h + 1], m = e - s;
        if (m < 2)
            continue;
        int sorted = 1;
        for (size_t x = s + 1; x < e && sorted; x++)
            sorted = j->out[x - 1].k <= j->out[x].k;
        if (sorted)
            continue;
        if (m <= 32)
            insertion_sort(j->out + s, m);
        else
            radix_sort(j->out + s, j->tmp, m);
    }
}

static void *sort_buckets_thread(void *arg)
{
    sort_buckets(arg);
    return NULL;
}

static int cmp_kv(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i; /* stable: input order */
}

kv *ckp__sort_rows(ckp_store_writer *w, ckp_error *err)
{
    size_t n = w->n;
    if (n <= 50000) { /* small ingests: no 4 MB bucket table */
        kv *small = malloc((n ? n : 1) * sizeof *small);
        if (!small) {
            ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory sorting %zu rows", n);
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            small[i].k = w->key[i];
            small[i].i = (uint32_t)i;
        }
        qsort(small, n, sizeof *small, cmp_kv);
        return small;
    }
    kv *out = ckp__big_alloc((n ? n : 1) * sizeof *out);
    uint32_t *start = calloc(((size_t)1 << 20) + 1, sizeof *start);
    uint32_t *pos = malloc(((size_t)1 << 20) * sizeof *pos);
    kv *tmp = NULL;
    if (!out || !start || !pos)
        goto oom;
    for (size_t i = 0; i < n; i++)
        start[KEY_HS(w->key[i]) + 1]++;
    size_t maxb = 0;
    for (size_t h = 1; h <= ((size_t)1 << 20); h++) {
        if (start[h] > maxb)
            maxb = start[h];
        start[h] += start[h - 1];
    }
    memcpy(pos, start, ((size_t)1 << 20) * sizeof *pos);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = w->key[i];
        kv *d = &out[pos[KEY_HS(k)]++];
        d->k = k;
        d->i = (uint32_t)i;
    }
    tmp = malloc((maxb ? maxb : 1) * sizeof *tmp);
    if (!tmp)
        goto oom;
    /* the buckets are independent: a second thread sorts the upper half
     * (by rows) of them when the machine has a second core */
    bucket_job hi = {out, start, NULL, 0, 0};
    pthread_t t;
    int threaded = 0;
    if (n >= 1000000 && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
        size_t h = 0;
        while (h < ((size_t)1 << 20) && start[h] < n / 2)
            h++;
        hi.from = h;
        hi.to = (size_t)1 << 20;
        hi.tmp = malloc((maxb ? maxb : 1) * sizeof *hi.tmp);
        threaded = hi.tmp && pthread_create(&t, NULL, sort_buckets_thread, &hi) == 0;
    }
    bucket_job lo = {out, start, tmp, 0, threaded ? hi.from : (size_t)1 << 20};
    sort_buckets(&lo);
    if (threaded)
        pthread_join(t, NULL);
    free(hi.tmp);
    free(tmp);
    free(pos);
    free(start);
    return out;
oom:
    free(tmp);
    free(pos);
    free(start);
    ckp__big_free(out);
    ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory sorting %zu rows", n);
    return NULL;
}

static void key_to_flow(const ckp_store_writer *w, uint64_t k, ckp_flow *f)
{
    f->hs = KEY_HS(k);
    f->hs_edition = ckp__edition_of((unsigned)(k >> 41) & 7u);
    f->reporter = w->rank_id[KEY_REP(k)];
    f->partner = w->rank_id[KEY_PAR(k)];
    f->flow = ckp__flow_dir(KEY_FLOW(k));
    f->period = ckp__period_of((int)KEY_PER(k));
    f->source = (int)KEY_SRC(k);
}

/* The input line of staged row r (the anchors are by row). */
static uint32_t line_of(const ckp_store_writer *w, uint32_t r)
{
    size_t lo = 0, hi = w->nanchor;
    while (lo < hi) { /* the last anchor with row <= r */
        size_t mid = lo + (hi - lo) / 2;
        if (w->anchor[mid].row <= r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? (uint32_t)((int64_t)r + w->anchor[lo - 1].delta) : 0;
}

/* Drop later rows with the key of an earlier one; returns how many. */
uint64_t ckp__drop_duplicates(ckp_store_writer *w, kv *rows)
{
    uint64_t dups = 0;
    size_t first = 0;
    for (size_t j = 1; j < w->n; j++) {
        if (rows[j].k != rows[first].k) {
            first = j;
            continue;
        }
        dups++;
        if (w->dup_fn) {
            uint32_t r = rows[j].i, f0 = rows[first].i;
            ckp_flow f;
            key_to_flow(w, rows[j].k, &f);
            f.value = w->value[r];
            f.qty = w->qty[r];
            f.unit = w->unit[r];
            f.value_alt = NAN;
            w->dup_fn(f0, line_of(w, f0), r, line_of(w, r), &f, w->dup_ctx);
        }
        rows[j].i = DROPPED;
    }
    return dups;
}

/* store_write.c — writing a new store generation: stage rows, sort them,
 * merge with the current generation, write the columns with checksums,
 * fsync, and publish by renaming CURRENT (docs/store.md).
 *
 * Every row is staged as a 64-bit sort key plus its value, quantity and unit
 * (21 bytes; input lines as sparse anchors, value_alt — rarely present — in
 * a side list):
 *   hs (20 bits) | edition (3) | reporter (10) | partner (10) | flow (2) |
 *   period (12) | source (7)
 * Countries are ranked by ISO3 code, so the order does not depend on the
 * reference data's ids and an old generation's rows (sorted the same way)
 * merge with the new ones in one linear pass. */
#define _GNU_SOURCE /* mremap */
#include "store/store_int.h"

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

#define KEY_HS(k) ((uint32_t)((k) >> 44))
#define KEY_PRODUCT(k) ((k) >> 41) /* hs + edition */
#define KEY_REP(k) ((unsigned)((k) >> 31) & 1023u)
#define KEY_PAR(k) ((unsigned)((k) >> 21) & 1023u)
#define KEY_FLOW(k) ((unsigned)((k) >> 19) & 3u)
#define KEY_PER(k) ((unsigned)((k) >> 7) & 4095u)
#define KEY_SRC(k) ((unsigned)(k) & 127u)
#define DROPPED UINT32_MAX

typedef struct alt_entry {
    uint32_t idx; /* staging row */
    float value;
} alt_entry;

struct ckp_store_writer {
    char dir[4096];
    const ckp_ref *ref;
    int replace;
    int lockfd;
    ckp_store *old;      /* current generation, merged unless replace */
    uint64_t old_gen;    /* 0 when none */
    int has_old_gen;
    uint64_t keep_gen;   /* the generation kept beside the new one (0 none):
                            the old one, or with CURRENT damaged and
                            --replace, the newest intact one */
    const char *source_name[CKP__MAX_SOURCES];
    int source_synth[CKP__MAX_SOURCES];
    char source_cur[CKP__MAX_SOURCES][4]; /* currency converted from, "" none */
    char *source_own[CKP__MAX_SOURCES];
    char *source_prov[CKP__MAX_SOURCES]; /* owned provenance or NULL */
    int nsources;
    int nref;
    int *rank;           /* ref id → rank by ISO3 */
    int *rank_id;        /* rank → ref id */
    /* staging */
    uint64_t *key;
    double *value;
    float *qty;
    uint8_t *unit;
    size_t n, cap;
    /* input lines, kept sparsely: row r came from line r + delta of the last
     * anchor at or before r (one anchor per change: a rejected or blank line,
     * a record over several lines, a new file) */
    struct line_anchor {
        uint32_t row;
        int64_t delta;
    } *anchor;
    size_t nanchor, anchorcap;
    alt_entry *alt;
    size_t nalt, altcap;
    ckp_dup_fn dup_fn;
    void *dup_ctx;
    int is_view;         /* staging only: tables and arrays borrowed (views) */
};

/* ---- big arrays ---------------------------------------------------------
 * Staging arrays are read in sort order, i.e. at random: on 4 KiB pages
 * nearly every access is a TLB miss.  They live in anonymous mappings
 * advised to use transparent huge pages (2 MiB), which cuts the commit time
 * severalfold.  A size header keeps big_free/big_grow simple. */

#define BIG_HDR 64

static void *big_alloc(size_t n)
{
    size_t total = n + BIG_HDR;
    char *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (total >= ((size_t)4 << 20))
        madvise(p, total, MADV_HUGEPAGE);
#endif
    memcpy(p, &total, sizeof total);
    return p + BIG_HDR;
}

static void big_free(void *ptr)
{
    if (!ptr)
        return;
    char *p = (char *)ptr - BIG_HDR;
    size_t total;
    memcpy(&total, p, sizeof total);
    munmap(p, total);
}

/* Grow to n bytes keeping the first `used` bytes: the pages move, nothing
 * is copied or zeroed again. */
static void *big_grow(void *ptr, size_t used, size_t n)
{
    (void)used;
    if (!ptr)
        return big_alloc(n);
    char *p = (char *)ptr - BIG_HDR;
    size_t total;
    memcpy(&total, p, sizeof total);
    size_t want = n + BIG_HDR;
    char *q = mremap(p, total, want, MREMAP_MAYMOVE);
    if (q == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(q, want, MADV_HUGEPAGE);
#endif
    memcpy(q, &want, sizeof want);
    return q + BIG_HDR;
}

/* ---- begin ------------------------------------------------------------- */

static const ckp_ref *rank_ref; /* qsort context (writers are not concurrent) */

static int cmp_iso3(const void *a, const void *b)
{
    const ckp_country *x = ckp_ref_country(rank_ref, *(const int *)a);
    const ckp_country *y = ckp_ref_country(rank_ref, *(const int *)b);
    return strcmp(x->iso3, y->iso3);
}

static ckp_status make_ranks(ckp_store_writer *w, ckp_error *err)
{
    w->nref = ckp_ref_country_count(w->ref);
    if (w->nref > CKP__MAX_COUNTRIES)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                             "the store holds at most %d countries (reference data has %d)",
                             CKP__MAX_COUNTRIES, w->nref);
    w->rank = malloc(sizeof(int) * (size_t)(w->nref + 1));
    w->rank_id = malloc(sizeof(int) * (size_t)(w->nref + 1));
    if (!w->rank || !w->rank_id)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < w->nref; i++)
        w->rank_id[i] = i;
    rank_ref = w->ref;
    qsort(w->rank_id, (size_t)w->nref, sizeof(int), cmp_iso3);
    for (int r = 0; r < w->nref; r++)
        w->rank[w->rank_id[r]] = r;
    return CKP_OK;
}

/* Read CURRENT.  A damaged CURRENT (empty, garbage, unreadable), or a
 * missing one while a generation that verifies is present, must never turn
 * into a fresh store that deletes the intact generations at commit: refuse
 * without --replace; with it, keep the newest intact generation. */
static ckp_status check_current(ckp_store_writer *w, ckp_error *err)
{
    char why[160], cur[4200];
    snprintf(cur, sizeof cur, "%s/CURRENT", w->dir);
    int cs = ckp__current_state(w->dir, &w->old_gen, why, sizeof why);
    if (cs == CKP__CURRENT_OK) {
        w->has_old_gen = 1;
        w->keep_gen = w->old_gen;
        return CKP_OK;
    }
    w->old_gen = 0;
    uint64_t gens[1], intact = 0, rows = 0;
    if (ckp__list_generations(w->dir, gens, 1) == 0 && cs == CKP__CURRENT_MISSING)
        return CKP_OK; /* a new store */
    int have = ckp__newest_intact(w->dir, w->ref, 0, &intact, &rows) == 0;
    if (cs == CKP__CURRENT_MISSING && !have)
        return CKP_OK; /* only leftovers of killed first ingests: removed at commit */
    if (w->replace) {
        w->keep_gen = have ? intact : 0;
        return CKP_OK;
    }
    char found[160];
    if (have)
        snprintf(found, sizeof found, "gen-%06" PRIu64 " is intact (%" PRIu64 " rows)", intact,
                 rows);
    else
        snprintf(found, sizeof found, "no generation verifies");
    return ckp_error_set(err, CKP_ECORRUPT, cur, 0, 0,
                         "the store's CURRENT file %s; %s; refusing to start a new store "
                         "over it: 'chokepoint store verify' checks every generation, "
                         "'chokepoint store recover' points CURRENT at the newest intact "
                         "one, --replace starts afresh",
                         cs == CKP__CURRENT_MISSING ? "is missing" : why, found);
}

ckp_status ckp_store_writer_begin(const char *dir, const ckp_ref *ref, int replace,
                                  ckp_store_writer **out, ckp_error *err)
{
    *out = NULL;
    dir = ckp_store_dir(dir);
    if (strlen(dir) > 3000)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "store path too long");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return ckp_error_set(err, CKP_EIO, dir, 0, 0, "cannot create the store directory: %s",
                             strerror(errno));
    ckp_store_writer *w = calloc(1, sizeof *w);
    if (!w)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    w->ref = ref;
    w->replace = replace;
    char path[4200];
    snprintf(path, sizeof path, "%s/lock", w->dir);
    w->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    ckp_status st;
    if (w->lockfd < 0) {
        st = ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot open the store lock: %s",
                           strerror(errno));
        goto fail;
    }
    /* one writer at a time; a killed writer's lock goes with its process */
    if (flock(w->lockfd, LOCK_EX) != 0) {
        st = ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot lock the store: %s",
                           strerror(errno));
        goto fail;
    }
    st = check_current(w, err);
    if (st != CKP_OK)
        goto fail;
    if (w->has_old_gen && !replace) {
        st = ckp_store_open(dir, ref, &w->old, err);
        if (st != CKP_OK) {
            if (err) {
                ckp_error e = *err;
                ckp_error_set(err, st, e.file, e.line, e.col,
                              "%.400s (the current store cannot be merged into; "
                              "--replace starts afresh)", e.msg);
            }
            goto fail;
        }
        for (int i = 0; i < w->old->nsources; i++) {
            w->source_own[i] = strdup(w->old->source_name[i]);
            if (!w->source_own[i]) {
                st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
                goto fail;
            }
            w->source_name[i] = w->source_own[i];
            w->source_synth[i] = w->old->source_synth[i];
            memcpy(w->source_cur[i], w->old->source_cur[i], 4);
            w->nsources++;
            if (w->old->source_prov[i]) {
                w->source_prov[i] = strdup(w->old->source_prov[i]);
                if (!w->source_prov[i]) {
                    st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
                    goto fail;
                }
            }
        }
    }
    st = make_ranks(w, err);
    if (st != CKP_OK)
        goto fail;
    *out = w;
    return CKP_OK;
fail:
    ckp_store_writer_abort(w);
    return st;
}

int ckp_store_writer_source(ckp_store_writer *w, const char *name, int synthetic)
{
    for (int i = 0; i < w->nsources; i++)
        if (strcmp(w->source_name[i], name) == 0) {
            if (synthetic)
                w->source_synth[i] = 1;
            return i;
        }
    if (w->nsources >= CKP__MAX_SOURCES || !*name || strpbrk(name, "\t\n"))
        return -1;
    w->source_own[w->nsources] = strdup(name);
    if (!w->source_own[w->nsources])
        return -1;
    w->source_name[w->nsources] = w->source_own[w->nsources];
    w->source_synth[w->nsources] = synthetic != 0;
    w->source_cur[w->nsources][0] = '\0';
    return w->nsources++;
}

void ckp_store_writer_source_currency(ckp_store_writer *w, int source, const char *currency)
{
    if (source >= 0 && source < w->nsources && currency && strlen(currency) == 3)
        memcpy(w->source_cur[source], currency, 4);
}

int ckp_store_writer_source_provenance(ckp_store_writer *w, int source, const char *text)
{
    if (source < 0 || source >= w->nsources || !text || !*text ||
        strlen(text) > CKP_STORE_MAX_PROVENANCE || strpbrk(text, "\t\r\n"))
        return -1;
    char *t = strdup(text);
    if (!t)
        return -1;
    free(w->source_prov[source]);
    w->source_prov[source] = t;
    return 0;
}

void ckp_store_writer_on_duplicate(ckp_store_writer *w, ckp_dup_fn fn, void *ctx)
{
    w->dup_fn = fn;
    w->dup_ctx = ctx;
}

uint64_t ckp_store_writer_rows(const ckp_store_writer *w) { return w->n; }

/* ---- add --------------------------------------------------------------- */

/* Room for cap rows in every staging array (cap > w->n). */
static int grow_to(ckp_store_writer *w, size_t cap)
{
    if (w->is_view || cap > CKP__MAX_ROWS)
        return -1;
    size_t n = w->n;
    uint64_t *k = big_grow(w->key, n * sizeof *k, cap * sizeof *k);
    if (!k)
        return -1;
    w->key = k;
    double *v = big_grow(w->value, n * sizeof *v, cap * sizeof *v);
    if (!v)
        return -1;
    w->value = v;
    float *q = big_grow(w->qty, n * sizeof *q, cap * sizeof *q);
    if (!q)
        return -1;
    w->qty = q;
    uint8_t *u = big_grow(w->unit, n * sizeof *u, cap * sizeof *u);
    if (!u)
        return -1;
    w->unit = u;
    w->cap = cap;
    return 0;
}

static int grow(ckp_store_writer *w)
{
    size_t cap = w->cap ? w->cap * 2 : 65536;
    if (cap > CKP__MAX_ROWS)
        cap = CKP__MAX_ROWS;
    return cap <= w->n ? -1 : grow_to(w, cap);
}

ckp_status ckp_store_writer_add_line(ckp_store_writer *w, const ckp_flow *r, uint32_t line,
                                     ckp_error *err)
{
    int pc = ckp__period_code(r->period);
    int ec = ckp__edition_code(r->hs_edition);
    int fc = ckp__flow_code(r->flow);
    if (pc < 0)
        return ckp_error_set(err, CKP_EINVAL, NULL, line, 0, "period %d out of range",
                             (int)r->period);
    if (ec < 0)
        return ckp_error_set(err, CKP_EINVAL, NULL, line, 0, "unknown HS edition %d",
                             r->hs_edition);
    if (fc < 0)
        return ckp_error_set(err, CKP_EINVAL, NULL, line, 0, "unknown flow %d", r->flow);
    if (r->hs > CKP_HS_KEY_MAX || ckp_hs_key_level(r->hs) < 0)
        return ckp_error_set(err, CKP_EINVAL, NULL, line, 0,
                             "HS key %u is neither an HS6 code nor an aggregate (ckp_hs_key)",
                             r->hs);
    if (r->reporter < 0 || r->reporter >= w->nref || r->partner < 0 || r->partner >= w->nref)
        return ckp_error_set(err, CKP_EINVAL, NULL, line, 0, "country id out of range");
    if (r->source < 0 || r->source >= w->nsources)
        return ckp_error_set(err, CKP_EINVAL, NULL, line, 0,
                             "source %d not registered with ckp_store_writer_source",
                             r->source);
    if (r->unit < 0 || r->unit > CKP_UNIT_OTHER)
        return ckp_error_set(err, CKP_EINVAL, NULL, line, 0, "unknown unit %d", r->unit);
    if (!isfinite(r->value))
        return ckp_error_set(err, CKP_EINVAL, NULL, line, 0, "value is not a finite number");
    if (w->n >= w->cap && grow(w) != 0)
        return ckp_error_set(err, w->n >= CKP__MAX_ROWS ? CKP_ELIMIT : CKP_ENOMEM, NULL, 0, 0,
                             "cannot stage more rows (%zu staged)", w->n);
    size_t i = w->n;
    w->key[i] = (uint64_t)r->hs << 44 | (uint64_t)ec << 41 |
                (uint64_t)w->rank[r->reporter] << 31 | (uint64_t)w->rank[r->partner] << 21 |
                (uint64_t)fc << 19 | (uint64_t)pc << 7 | (uint64_t)r->source;
    w->value[i] = r->value;
    w->qty[i] = (float)r->qty;
    int64_t delta = (int64_t)line - (int64_t)i;
    if (!w->nanchor || w->anchor[w->nanchor - 1].delta != delta) {
        if (w->nanchor >= w->anchorcap) {
            size_t cap = w->anchorcap ? w->anchorcap * 2 : 64;
            struct line_anchor *a = realloc(w->anchor, cap * sizeof *a);
            if (!a)
                return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            w->anchor = a;
            w->anchorcap = cap;
        }
        w->anchor[w->nanchor].row = (uint32_t)i;
        w->anchor[w->nanchor].delta = delta;
        w->nanchor++;
    }
    w->unit[i] = (uint8_t)r->unit;
    if (!isnan(r->value_alt)) {
        if (w->nalt >= w->altcap) {
            size_t cap = w->altcap ? w->altcap * 2 : 4096;
            alt_entry *a = realloc(w->alt, cap * sizeof *a);
            if (!a)
                return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            w->alt = a;
            w->altcap = cap;
        }
        w->alt[w->nalt].idx = (uint32_t)i;
        w->alt[w->nalt].value = (float)r->value_alt;
        w->nalt++;
    }
    w->n++;
    return CKP_OK;
}

ckp_status ckp_store_writer_add(ckp_store_writer *w, const ckp_flow *row, ckp_error *err)
{
    return ckp_store_writer_add_line(w, row, 0, err);
}

/* ---- parallel staging (store_int.h) ------------------------------------ */

ckp_status ckp__writer_reserve(ckp_store_writer *w, size_t rows, ckp_error *err)
{
    if (w->cap - w->n >= rows)
        return CKP_OK;
    if (rows > CKP__MAX_ROWS - w->n || grow_to(w, w->n + rows) != 0)
        return ckp_error_set(err, rows > CKP__MAX_ROWS - w->n ? CKP_ELIMIT : CKP_ENOMEM, NULL,
                             0, 0, "cannot stage %zu more rows (%zu staged)", rows, w->n);
    return CKP_OK;
}

ckp_store_writer *ckp__writer_view(const ckp_store_writer *w, size_t at, size_t cap)
{
    if (at < w->n || at > w->cap || cap > w->cap - at)
        return NULL;
    ckp_store_writer *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->is_view = 1;
    f->ref = w->ref;
    f->lockfd = -1;
    f->nref = w->nref;
    f->rank = w->rank;
    f->rank_id = w->rank_id;
    f->nsources = w->nsources;
    for (int i = 0; i < w->nsources; i++) {
        f->source_name[i] = w->source_name[i];
        f->source_synth[i] = w->source_synth[i];
        memcpy(f->source_cur[i], w->source_cur[i], 4);
    }
    f->key = w->key + at;
    f->value = w->value + at;
    f->qty = w->qty + at;
    f->unit = w->unit + at;
    f->cap = cap;
    return f;
}

void ckp__writer_populate(ckp_store_writer *v)
{
#ifdef MADV_POPULATE_WRITE
    void *p[4] = {v->key, v->value, v->qty, v->unit};
    size_t sz[4] = {8, 8, 4, 1};
    for (int i = 0; i < 4; i++) {
        uintptr_t a = (uintptr_t)p[i] & ~(uintptr_t)4095;
        uintptr_t b = ((uintptr_t)p[i] + v->cap * sz[i] + 4095) & ~(uintptr_t)4095;
        if (b > a)
            madvise((void *)a, (size_t)(b - a), MADV_POPULATE_WRITE);
    }
#else
    (void)v;
#endif
}

ckp_status ckp__writer_join(ckp_store_writer *w, ckp_store_writer *f, ckp_error *err)
{
    size_t base = w->n;
    if (f->key != w->key + base) { /* rows of the view's rejected lines: a gap */
        memmove(w->key + base, f->key, f->n * sizeof *w->key);
        memmove(w->value + base, f->value, f->n * sizeof *w->value);
        memmove(w->qty + base, f->qty, f->n * sizeof *w->qty);
        memmove(w->unit + base, f->unit, f->n * sizeof *w->unit);
    }
    w->n += f->n;
    for (size_t a = 0; a < f->nanchor; a++) { /* the fork's lines, rows shifted */
        if (w->nanchor >= w->anchorcap) {
            size_t cap = w->anchorcap ? w->anchorcap * 2 : 64;
            struct line_anchor *na = realloc(w->anchor, cap * sizeof *na);
            if (!na) {
                ckp_store_writer_abort(f);
                return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            }
            w->anchor = na;
            w->anchorcap = cap;
        }
        w->anchor[w->nanchor].row = (uint32_t)(f->anchor[a].row + base);
        w->anchor[w->nanchor].delta = f->anchor[a].delta - (int64_t)base;
        w->nanchor++;
    }
    for (size_t a = 0; a < f->nalt; a++) {
        if (w->nalt >= w->altcap) {
            size_t cap = w->altcap ? w->altcap * 2 : 4096;
            alt_entry *n = realloc(w->alt, cap * sizeof *n);
            if (!n) {
                ckp_store_writer_abort(f);
                return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            }
            w->alt = n;
            w->altcap = cap;
        }
        w->alt[w->nalt].idx = (uint32_t)(f->alt[a].idx + base);
        w->alt[w->nalt].value = f->alt[a].value;
        w->nalt++;
    }
    ckp_store_writer_abort(f);
    return CKP_OK;
}

/* ---- sort -------------------------------------------------------------- */

/* A row to sort: its key and staging row.  Packed to 12 bytes: the sort
 * array is the largest allocation of a commit. */
typedef struct __attribute__((packed)) kv {
    uint64_t k;
    uint32_t i;
} kv;

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

static kv *sort_rows(ckp_store_writer *w, ckp_error *err)
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
    kv *out = big_alloc((n ? n : 1) * sizeof *out);
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
    big_free(out);
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
static uint64_t drop_duplicates(ckp_store_writer *w, kv *rows)
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

/* ---- output files ------------------------------------------------------ */

typedef struct outfile {
    int fd;
    unsigned char *buf;
    size_t len, cap;
    uint64_t size;
    uint64_t synced;   /* bytes handed to writeback so far */
    uint32_t crc;
    int failed;
} outfile;

/* CKP_STORE_NOSYNC=1 skips every fsync: for tests and fuzzing only (a
 * crash of the machine could then lose the new generation; a killed
 * process still cannot, the rename is what publishes). */
static int nosync(void)
{
    static int v = -1;
    if (v < 0)
        v = getenv("CKP_STORE_NOSYNC") != NULL;
    return v;
}

static int do_fsync(int fd) { return nosync() ? 0 : fsync(fd); }

static int out_open(outfile *o, const char *gendir, const char *name, size_t cap)
{
    char path[4400];
    memset(o, 0, sizeof *o);
    o->fd = -1;
    if (snprintf(path, sizeof path, "%s/%s", gendir, name) >= (int)sizeof path)
        return -1;
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    o->buf = malloc(cap);
    o->cap = cap;
    return o->fd >= 0 && o->buf ? 0 : -1;
}

/* Start writing back what was written so far, 8 MB at a time, so that
 * the fsync at the end has little left to wait for. */
static void out_writeback(outfile *o, uint64_t written)
{
#ifdef SYNC_FILE_RANGE_WRITE
    if (written - o->synced >= ((uint64_t)8 << 20) && !nosync()) {
        sync_file_range(o->fd, (off_t)o->synced, (off_t)(written - o->synced),
                        SYNC_FILE_RANGE_WRITE);
        o->synced = written;
    }
#else
    (void)o, (void)written;
#endif
}

static void out_flush(outfile *o)
{
    o->crc = ckp__crc32c(o->crc, o->buf, o->len);
    size_t off = 0;
    while (off < o->len && !o->failed) {
        ssize_t k = write(o->fd, o->buf + off, o->len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            o->failed = errno ? errno : EIO;
        else
            off += (size_t)k;
    }
    o->len = 0;
    out_writeback(o, o->size);
}

/* Write n bytes straight from p (after what is buffered). */
static void out_direct(outfile *o, const void *p, size_t n)
{
    out_flush(o);
    o->crc = ckp__crc32c(o->crc, p, n);
    const char *c = p;
    size_t off = 0;
    while (off < n && !o->failed) {
        ssize_t k = write(o->fd, c + off, n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            o->failed = errno ? errno : EIO;
        else
            off += (size_t)k;
    }
    o->size += n;
}

static inline void out_put(outfile *o, const void *p, size_t n)
{
    if (o->len + n > o->cap) {
        out_flush(o);
        if (n > o->cap) {
            out_direct(o, p, n);
            return;
        }
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    o->size += n;
}

/* Flush, fsync and close; 0 on success. */
static int out_close(outfile *o)
{
    if (o->fd < 0) {
        free(o->buf);
        return -1;
    }
    out_flush(o);
    if (!o->failed && do_fsync(o->fd) != 0)
        o->failed = errno;
    if (close(o->fd) != 0 && !o->failed)
        o->failed = errno;
    o->fd = -1;
    free(o->buf);
    o->buf = NULL;
    return o->failed ? -1 : 0;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        char p[4400];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            if (snprintf(p, sizeof p, "%s/%s", path, e->d_name) < (int)sizeof p)
                unlink(p);
        }
        closedir(d);
    }
    rmdir(path);
}

/* The highest generation number present in dir (published or not). */
static uint64_t max_generation(const char *dir)
{
    uint64_t max = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        unsigned long long g;
        if (sscanf(e->d_name, "gen-%llu", &g) == 1 && g > max)
            max = g;
    }
    closedir(d);
    return max;
}

/* Remove every generation but keep and keep2 (the new and the previous one:
 * a reader that read CURRENT just before the switch can still open it), and
 * leftovers of killed ingests. */
static void remove_old_generations(const char *dir, uint64_t keep, uint64_t keep2)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    uint64_t gens[64];
    int n = 0;
    while ((e = readdir(d)) != NULL && n < 64) {
        unsigned long long g;
        if (sscanf(e->d_name, "gen-%llu", &g) == 1 && g != keep && g != keep2)
            gens[n++] = g;
    }
    closedir(d);
    for (int i = 0; i < n; i++) {
        char p[4200];
        ckp__gen_path(dir, gens[i], p, sizeof p);
        remove_tree(p);
    }
}

/* ---- merge and write --------------------------------------------------- */

#define CHUNK 4096

typedef struct merge_state {
    ckp_store_writer *w;
    const ckp_store *old;
    /* dictionaries of the new generation */
    int ncountries, nperiods;
    int rank_local[CKP__MAX_COUNTRIES]; /* rank → new store index */
    int code_local[4096];               /* period code → new store index */
    int old_country_rank[CKP__MAX_COUNTRIES]; /* old store index → rank */
    int *old_period_code;               /* old period index → period code */
    outfile f[CKP__F_COUNT];
    uint8_t *rfp;
    size_t rfp_bytes;
    uint8_t rep_used[CKP__MAX_COUNTRIES], par_used[CKP__MAX_COUNTRIES];
    uint8_t per_used[4096];
    uint64_t rows, replaced;
    ckp__product cur;
    int have_product;
    uint64_t nproducts;
    /* rows are gathered column by column, CHUNK at a time, then written in
     * one call per column */
    int cn;
    uint16_t c_rep[CHUNK], c_par[CHUNK], c_per[CHUNK];
    uint8_t c_flags[CHUNK], c_src[CHUNK];
    double c_val[CHUNK];
    float c_qty[CHUNK];
} merge_state;

static void flush_chunk(merge_state *m)
{
    size_t n = (size_t)m->cn;
    out_put(&m->f[CKP__F_REPORTER], m->c_rep, 2 * n);
    out_put(&m->f[CKP__F_PARTNER], m->c_par, 2 * n);
    out_put(&m->f[CKP__F_PERIOD], m->c_per, 2 * n);
    out_put(&m->f[CKP__F_FLAGS], m->c_flags, n);
    out_put(&m->f[CKP__F_SOURCE], m->c_src, n);
    out_put(&m->f[CKP__F_VALUE], m->c_val, 8 * n);
    out_put(&m->f[CKP__F_QTY], m->c_qty, 4 * n);
    m->cn = 0;
}

static void emit_product_end(merge_state *m)
{
    if (m->have_product) {
        m->cur.row_end = m->rows;
        out_put(&m->f[CKP__F_PRODUCTS], &m->cur, sizeof m->cur);
        m->nproducts++;
    }
}

static void emit(merge_state *m, uint64_t key, double value, float qty, unsigned unit,
                 float alt, int has_alt)
{
    uint64_t prod = KEY_PRODUCT(key);
    if (!m->have_product || prod != ((uint64_t)m->cur.hs << 3 |
                                     (uint64_t)ckp__edition_code((int)m->cur.edition))) {
        emit_product_end(m);
        m->cur.hs = KEY_HS(key);
        m->cur.edition = (uint32_t)ckp__edition_of((unsigned)(key >> 41) & 7u);
        m->cur.row_start = m->rows;
        m->have_product = 1;
    }
    uint16_t rep = (uint16_t)m->rank_local[KEY_REP(key)];
    uint16_t par = (uint16_t)m->rank_local[KEY_PAR(key)];
    uint16_t per = (uint16_t)m->code_local[KEY_PER(key)];
    unsigned fc = KEY_FLOW(key);
    uint8_t flags = (uint8_t)(fc | (unit & 15u) << 2 | (has_alt ? CKP__FL_ALT : 0));
    int c = m->cn;
    m->c_rep[c] = rep;
    m->c_par[c] = par;
    m->c_per[c] = per;
    m->c_flags[c] = flags;
    m->c_src[c] = (uint8_t)KEY_SRC(key);
    m->c_val[c] = value;
    m->c_qty[c] = qty;
    if (++m->cn == CHUNK)
        flush_chunk(m);
    if (has_alt) {
        ckp__alt a = {(uint32_t)m->rows, alt};
        out_put(&m->f[CKP__F_ALT], &a, sizeof a);
    }
    size_t bit = (((size_t)KEY_SRC(key) * (size_t)m->ncountries + rep) * 4 + fc) *
                     (size_t)m->nperiods +
                 per;
    m->rfp[bit >> 3] |= (uint8_t)(1u << (bit & 7));
    m->rep_used[rep] = m->par_used[par] = m->per_used[per] = 1;
    m->rows++;
}

/* The dictionaries of the new generation: every country and period of the
 * new rows and of the old generation. */
static ckp_status build_dicts(merge_state *m, ckp_error *err)
{
    ckp_store_writer *w = m->w;
    static uint8_t cused[CKP__MAX_COUNTRIES];
    static uint8_t pused[4096];
    memset(cused, 0, sizeof cused);
    memset(pused, 0, sizeof pused);
    for (size_t i = 0; i < w->n; i++) {
        uint64_t k = w->key[i];
        cused[KEY_REP(k)] = cused[KEY_PAR(k)] = 1;
        pused[KEY_PER(k)] = 1;
    }
    if (m->old) {
        const ckp_store *o = m->old;
        for (int i = 0; i < o->ncountries; i++) {
            m->old_country_rank[i] = w->rank[o->country_id[i]];
            cused[m->old_country_rank[i]] = 1;
        }
        m->old_period_code = malloc(sizeof(int) * (size_t)(o->nperiods + 1));
        if (!m->old_period_code)
            return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        for (int i = 0; i < o->nperiods; i++) {
            int c = ckp__period_code(o->periods[i]);
            if (c < 0)
                return ckp_error_set(err, CKP_ECORRUPT, NULL, 0, 0,
                                     "old store period %d out of range", (int)o->periods[i]);
            m->old_period_code[i] = c;
            pused[c] = 1;
        }
    }
    for (int r = 0; r < w->nref; r++)
        m->rank_local[r] = cused[r] ? m->ncountries++ : -1;
    for (int c = 0; c < 4096; c++)
        m->code_local[c] = pused[c] ? m->nperiods++ : -1;
    for (int r = 0; r < w->nref; r++)
        if (cused[r]) {
            char iso3[4] = {0};
            memcpy(iso3, ckp_ref_country(w->ref, w->rank_id[r])->iso3, 3);
            out_put(&m->f[CKP__F_COUNTRIES], iso3, 4);
        }
    for (int c = 0; c < 4096; c++)
        if (pused[c]) {
            int32_t p = ckp__period_of(c);
            out_put(&m->f[CKP__F_PERIODS], &p, 4);
        }
    for (int i = 0; i < w->nsources; i++) {
        char line[600 + CKP_STORE_MAX_PROVENANCE];
        /* optional fields after the flag: the currency the source's values
         * were converted from ("" none), then its provenance (fetch);
         * readers before them read the first two only */
        const char *prov = w->source_prov[i];
        int k;
        if (prov)
            k = snprintf(line, sizeof line, "%s\t%d\t%s\t%s\n", w->source_name[i],
                         w->source_synth[i], w->source_cur[i], prov);
        else
            k = snprintf(line, sizeof line, "%s\t%d%s%s\n", w->source_name[i],
                         w->source_synth[i], w->source_cur[i][0] ? "\t" : "",
                         w->source_cur[i]);
        out_put(&m->f[CKP__F_SOURCES], line, (size_t)k);
    }
    /* one reporter × flow × period bitmap per source, so that "does Russia
     * report in 2023?" can be asked of the selected sources only */
    m->rfp_bytes =
        ((size_t)(w->nsources ? w->nsources : 1) * (size_t)m->ncountries * 4 * (size_t)m->nperiods +
         7) /
        8;
    m->rfp = calloc(m->rfp_bytes + 1, 1);
    if (!m->rfp)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    return CKP_OK;
}

/* Old row i's sort key; *pi is the product cursor (advanced as i grows). */
static uint64_t old_key(merge_state *m, uint64_t i, size_t *pi)
{
    const ckp_store *o = m->old;
    while (o->products[*pi].row_end <= i)
        (*pi)++;
    const ckp__product *p = &o->products[*pi];
    uint8_t fl = o->flags[i];
    return (uint64_t)p->hs << 44 | (uint64_t)ckp__edition_code((int)p->edition) << 41 |
           (uint64_t)m->old_country_rank[o->reporter[i]] << 31 |
           (uint64_t)m->old_country_rank[o->partner[i]] << 21 |
           (uint64_t)CKP__FL_FLOW(fl) << 19 | (uint64_t)m->old_period_code[o->period[i]] << 7 |
           (uint64_t)o->source[i];
}

static ckp_status merge_rows(merge_state *m, const kv *rows, ckp_error *err)
{
    ckp_store_writer *w = m->w;
    const ckp_store *o = m->old;
    uint64_t orows = o ? o->rows : 0, oi = 0;
    size_t opi = 0, oalt = 0, j = 0;
    uint64_t prev = 0;
    /* which staging rows have a value_alt (the alt list is in staging order) */
    uint8_t *has_alt = NULL;
    if (w->nalt) {
        has_alt = calloc(w->n, 1);
        if (!has_alt) {
            return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        }
        for (size_t a = 0; a < w->nalt; a++)
            has_alt[w->alt[a].idx] = 1;
    }
    while (j < w->n || oi < orows) {
        while (j < w->n && rows[j].i == DROPPED)
            j++;
        uint64_t nk = j < w->n ? rows[j].k : UINT64_MAX;
        if (j + 16 < w->n) { /* the payload is read in sort order: fetch ahead */
            uint32_t ahead = rows[j + 16].i;
            if (ahead != DROPPED) {
                __builtin_prefetch(&w->value[ahead]);
                __builtin_prefetch(&w->qty[ahead]);
                __builtin_prefetch(&w->unit[ahead]);
            }
        }
        uint64_t ok = oi < orows ? old_key(m, oi, &opi) : UINT64_MAX;
        if (j >= w->n && oi >= orows)
            break;
        if (oi < orows && ok <= nk) {
            if (ok < prev)
                return ckp_error_set(err, CKP_ECORRUPT, NULL, 0, 0,
                                     "the current store's rows are out of order");
            prev = ok;
            if (ok == nk) { /* same key and source: the new row replaces it */
                m->replaced++;
                oi++;
                continue;
            }
            uint8_t fl = o->flags[oi];
            float a = 0;
            int ha = (fl & CKP__FL_ALT) != 0;
            if (ha) {
                while (oalt < o->nalt && o->alt[oalt].row < oi)
                    oalt++;
                ha = oalt < o->nalt && o->alt[oalt].row == oi;
                if (ha)
                    a = o->alt[oalt].value;
            }
            emit(m, ok, o->value[oi], o->qty[oi], CKP__FL_UNIT(fl), a, ha);
            oi++;
            continue;
        }
        uint32_t r = rows[j].i;
        float a = 0;
        int ha = has_alt && has_alt[r];
        if (ha) { /* binary search the staging alt list */
            size_t lo = 0, hi = w->nalt;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (w->alt[mid].idx < r)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            a = w->alt[lo].value;
        }
        emit(m, nk, w->value[r], w->qty[r], w->unit[r], a, ha);
        j++;
    }
    emit_product_end(m);
    flush_chunk(m);
    free(has_alt);
    return CKP_OK;
}

/* ---- commit ------------------------------------------------------------ */

static ckp_status write_manifest(const char *gendir, uint64_t gen, const merge_state *m,
                                 ckp_error *err)
{
    char text[8192];
    size_t len = 0;
    uint64_t reporters = 0, partners = 0, periods = 0;
    for (int i = 0; i < m->ncountries; i++) {
        reporters += m->rep_used[i];
        partners += m->par_used[i];
    }
    for (int i = 0; i < m->nperiods; i++)
        periods += m->per_used[i];
    len += (size_t)snprintf(text + len, sizeof text - len,
                            CKP__STORE_MAGIC " %d\ngeneration %" PRIu64 "\nrows %" PRIu64
                                             "\nreporters %" PRIu64 "\npartners %" PRIu64
                                             "\nperiods %" PRIu64 "\nproducts %" PRIu64 "\n",
                            CKP__STORE_FORMAT, gen, m->rows, reporters, partners, periods,
                            m->nproducts);
    for (int i = 0; i < CKP__F_COUNT; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "file %s %" PRIu64 " %08x\n",
                                ckp__file_names[i], m->f[i].size, m->f[i].crc);
    uint32_t crc = ckp__crc32c(0, text, len);
    len += (size_t)snprintf(text + len, sizeof text - len, "crc %08x\n", crc);
    char path[4300];
    if (snprintf(path, sizeof path, "%s/MANIFEST", gendir) >= (int)sizeof path)
        return ckp_error_set(err, CKP_EINVAL, gendir, 0, 0, "path too long");
    outfile o;
    if (out_open(&o, gendir, "MANIFEST", len + 1) != 0) {
        out_close(&o);
        return ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    }
    out_put(&o, text, len);
    if (out_close(&o) != 0)
        return ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    return CKP_OK;
}

ckp_status ckp__publish(const char *dir, uint64_t gen, ckp_error *err)
{
    char tmp[4200], cur[4200], text[64];
    if (snprintf(tmp, sizeof tmp, "%s/CURRENT.tmp", dir) >= (int)sizeof tmp ||
        snprintf(cur, sizeof cur, "%s/CURRENT", dir) >= (int)sizeof cur)
        return ckp_error_set(err, CKP_EINVAL, dir, 0, 0, "path too long");
    int n = snprintf(text, sizeof text, "gen-%06" PRIu64 "\n", gen);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return ckp_error_set(err, CKP_EIO, tmp, 0, 0, "cannot write: %s", strerror(errno));
    int ok = write(fd, text, (size_t)n) == n && do_fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, cur) != 0) {
        unlink(tmp);
        return ckp_error_set(err, CKP_EIO, cur, 0, 0, "cannot publish the new store: %s",
                             strerror(errno));
    }
    if (!nosync() && ckp__fsync_path(dir) != 0)
        return ckp_error_set(err, CKP_EIO, dir, 0, 0, "cannot sync the store directory: %s",
                             strerror(errno));
    return CKP_OK;
}

ckp_status ckp_store_writer_commit_stats(ckp_store_writer *w, ckp_store_commit_stats *stats,
                                         ckp_error *err)
{
    merge_state *m = calloc(1, sizeof *m);
    kv *perm = NULL;
    ckp_status st = CKP_OK;
    char gendir[4200];
    int made_dir = 0;
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!m) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (int i = 0; i < CKP__F_COUNT; i++)
        m->f[i].fd = -1;
    m->w = w;
    m->old = w->old;
    ckp__phase("until commit");
    perm = sort_rows(w, err);
    ckp__phase("sort");
    if (!perm) {
        st = CKP_ENOMEM;
        goto out;
    }
    uint64_t dups = drop_duplicates(w, perm);
    ckp__phase("duplicates");
    uint64_t gen = max_generation(w->dir) + 1;
    if (w->has_old_gen && gen <= w->old_gen)
        gen = w->old_gen + 1;
    ckp__gen_path(w->dir, gen, gendir, sizeof gendir);
    if (mkdir(gendir, 0777) != 0) {
        st = ckp_error_set(err, CKP_EIO, gendir, 0, 0, "cannot create: %s", strerror(errno));
        goto out;
    }
    made_dir = 1;
    for (int i = 0; i < CKP__F_COUNT; i++) {
        size_t cap = i >= CKP__F_REPORTER ? (size_t)1 << 18 : (size_t)1 << 16;
        if (out_open(&m->f[i], gendir, ckp__file_names[i], cap) != 0) {
            st = ckp_error_set(err, CKP_EIO, gendir, 0, 0, "cannot create %s: %s",
                               ckp__file_names[i], strerror(errno));
            goto out;
        }
    }
    st = build_dicts(m, err);
    if (st != CKP_OK)
        goto out;
    ckp__phase("dictionaries");
    st = merge_rows(m, perm, err);
    ckp__phase("merge+write");
    if (st != CKP_OK)
        goto out;
    out_put(&m->f[CKP__F_RFP], m->rfp, m->rfp_bytes);
    for (int i = 0; i < CKP__F_COUNT; i++)
        if (out_close(&m->f[i]) != 0 && st == CKP_OK)
            st = ckp_error_set(err, CKP_EIO, gendir, 0, 0, "cannot write %s: %s",
                               ckp__file_names[i], strerror(m->f[i].failed));
    if (st != CKP_OK)
        goto out;
    st = write_manifest(gendir, gen, m, err);
    if (st != CKP_OK)
        goto out;
    if (!nosync() && ckp__fsync_path(gendir) != 0) {
        st = ckp_error_set(err, CKP_EIO, gendir, 0, 0, "cannot sync: %s", strerror(errno));
        goto out;
    }
    ckp__phase("close+fsync+manifest");
    st = ckp__publish(w->dir, gen, err);
    ckp__phase("publish");
    if (st != CKP_OK)
        goto out;
    made_dir = 0; /* published: it is the store now */
    remove_old_generations(w->dir, gen, w->keep_gen ? w->keep_gen : gen);
    if (stats) {
        stats->rows_total = m->rows;
        stats->rows_added = w->n - dups;
        stats->rows_replaced = m->replaced;
        stats->duplicates = dups;
        stats->generation = gen;
        for (int i = 0; i < CKP__F_COUNT; i++)
            stats->bytes += m->f[i].size;
    }
out:
    if (m) {
        for (int i = 0; i < CKP__F_COUNT; i++)
            if (m->f[i].fd >= 0 || m->f[i].buf)
                out_close(&m->f[i]);
        free(m->rfp);
        free(m->old_period_code);
        free(m);
    }
    if (made_dir)
        remove_tree(gendir);
    if (w->n <= 50000)
        free(perm);
    else
        big_free(perm);
    ckp_store_writer_abort(w);
    return st;
}

ckp_status ckp_store_writer_commit(ckp_store_writer *w, ckp_error *err)
{
    return ckp_store_writer_commit_stats(w, NULL, err);
}

void ckp_store_writer_abort(ckp_store_writer *w)
{
    if (!w)
        return;
    if (w->is_view) {
        free(w->anchor);
        free(w->alt);
        free(w);
        return;
    }
    ckp_store_close(w->old);
    if (w->lockfd >= 0)
        close(w->lockfd); /* releases the flock */
    for (int i = 0; i < w->nsources; i++) {
        free(w->source_own[i]);
        free(w->source_prov[i]);
    }
    free(w->rank);
    free(w->rank_id);
    big_free(w->key);
    big_free(w->value);
    big_free(w->qty);
    free(w->anchor);
    big_free(w->unit);
    free(w->alt);
    free(w);
}

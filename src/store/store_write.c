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
#include "store/store_write_int.h"

#include "core/vec.h"

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

/* ---- big arrays ---------------------------------------------------------
 * Staging arrays are read in sort order, i.e. at random: on 4 KiB pages
 * nearly every access is a TLB miss.  They live in anonymous mappings
 * advised to use transparent huge pages (2 MiB), which cuts the commit time
 * severalfold.  A size header keeps big_free/big_grow simple. */

#define BIG_HDR 64

void *ckp__big_alloc(size_t n)
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

void ckp__big_free(void *ptr)
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
        return ckp__big_alloc(n);
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

/* Input lines are kept as anchors (row, line - row); at most one a row. */
static ckp_status push_anchor(ckp_store_writer *w, uint32_t row, int64_t delta, ckp_error *err)
{
    ckp_status st = CKP_ARRAY_RESERVE(w->anchor, w->anchorcap, w->nanchor + 1, (size_t)UINT32_MAX + 1,
                                      "line anchors", err);
    if (st != CKP_OK)
        return st;
    w->anchor[w->nanchor].row = row;
    w->anchor[w->nanchor].delta = delta;
    w->nanchor++;
    return CKP_OK;
}

/* The rare value_alt of a staged row. */
static ckp_status push_alt(ckp_store_writer *w, uint32_t row, float value, ckp_error *err)
{
    ckp_status st = CKP_ARRAY_RESERVE(w->alt, w->altcap, w->nalt + 1, (size_t)UINT32_MAX + 1,
                                      "value_alt entries", err);
    if (st != CKP_OK)
        return st;
    w->alt[w->nalt].idx = row;
    w->alt[w->nalt].value = value;
    w->nalt++;
    return CKP_OK;
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
    ckp_status st = CKP_OK;
    if (!w->nanchor || w->anchor[w->nanchor - 1].delta != delta)
        st = push_anchor(w, (uint32_t)i, delta, err);
    w->unit[i] = (uint8_t)r->unit;
    if (st == CKP_OK && !isnan(r->value_alt))
        st = push_alt(w, (uint32_t)i, (float)r->value_alt, err);
    if (st != CKP_OK)
        return st;
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
    ckp_status st = CKP_OK;
    for (size_t a = 0; a < f->nanchor && st == CKP_OK; a++) /* the fork's lines, rows shifted */
        st = push_anchor(w, (uint32_t)(f->anchor[a].row + base),
                         f->anchor[a].delta - (int64_t)base, err);
    for (size_t a = 0; a < f->nalt && st == CKP_OK; a++)
        st = push_alt(w, (uint32_t)(f->alt[a].idx + base), f->alt[a].value, err);
    ckp_store_writer_abort(f);
    return st;
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
    ckp__big_free(w->key);
    ckp__big_free(w->value);
    ckp__big_free(w->qty);
    free(w->anchor);
    ckp__big_free(w->unit);
    free(w->alt);
    free(w);
}

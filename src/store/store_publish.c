/* store_publish.c — a commit: the sorted rows merged with the current
 * generation and written column by column with checksums into a new
 * generation directory, its manifest, fsync, and publish by renaming
 * CURRENT; old generations removed (docs/store.md). */
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

/* n bytes at p into o's checksum and file (o->failed = errno on an error). */
static void write_all(outfile *o, const void *p, size_t n)
{
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
}

static void out_flush(outfile *o)
{
    write_all(o, o->buf, o->len);
    o->len = 0;
    out_writeback(o, o->size);
}

/* Write n bytes straight from p (after what is buffered). */
static void out_direct(outfile *o, const void *p, size_t n)
{
    out_flush(o);
    write_all(o, p, n);
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
    perm = ckp__sort_rows(w, err);
    ckp__phase("sort");
    if (!perm) {
        st = CKP_ENOMEM;
        goto out;
    }
    uint64_t dups = ckp__drop_duplicates(w, perm);
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
        ckp__big_free(perm);
    ckp_store_writer_abort(w);
    return st;
}

ckp_status ckp_store_writer_commit(ckp_store_writer *w, ckp_error *err)
{
    return ckp_store_writer_commit_stats(w, NULL, err);
}

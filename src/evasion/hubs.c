/* hubs.c — the table of ranked rerouting hubs (evasion.h: ckp_hubs), and
 * its CSV form: what `diversion --all-measures` computes and writes and what
 * `screen --hubs` reads (columns in docs/evasion.md).  Kept apart from the
 * diversion verb so a reader of hubs files links only this. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/csv.h"
#include "chokepoint/measures.h"
#include "core/cmp.h"
#include "core/hash.h"
#include "core/vec.h"
#include "evasion_int.h"

#define HUBS_MAX 1000000 /* entries in one hubs table */

struct ckp_hubs {
    ckp_hub_entry *e;
    size_t n, cap;
    char **owned; /* measure ids read from a CSV */
    size_t nowned, capowned;
    uint32_t *idx; /* entry numbers by (hs, hub, number) once indexed */
    size_t nidx;   /* == n while the index is current */
};

void ckp_hubs_free(ckp_hubs *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->nowned; i++)
        free(h->owned[i]);
    CKP_FREE_ALL(h->owned, h->idx, h->e, h);
}

size_t ckp_hubs_count(const ckp_hubs *h) { return h ? h->n : 0; }

const ckp_hub_entry *ckp_hubs_at(const ckp_hubs *h, size_t i)
{
    return h && i < h->n ? &h->e[i] : NULL;
}

typedef struct hub_key {
    uint32_t hs;
    int hub;
    uint32_t i; /* entry number: equal keys stay in entry order */
} hub_key;

static int key_cmp(const void *a, const void *b)
{
    const hub_key *x = a, *y = b;
    return CKP_CMP_CHAIN(CKP_CMP(x->hs, y->hs), CKP_CMP(x->hub, y->hub), CKP_CMP(x->i, y->i));
}

int ckp__hubs_index(ckp_hubs *h)
{
    free(h->idx);
    h->idx = NULL;
    h->nidx = 0;
    if (h->n == 0)
        return 0;
    hub_key *k = malloc(h->n * sizeof *k);
    h->idx = malloc(h->n * sizeof *h->idx);
    if (!k || !h->idx) {
        free(k);
        free(h->idx);
        h->idx = NULL;
        return -1;
    }
    for (size_t i = 0; i < h->n; i++)
        k[i] = (hub_key){h->e[i].hs, h->e[i].hub, (uint32_t)i};
    qsort(k, h->n, sizeof *k, key_cmp);
    for (size_t i = 0; i < h->n; i++)
        h->idx[i] = k[i].i;
    free(k);
    h->nidx = h->n;
    return 0;
}

static int entry_fits(const ckp_hub_entry *e, int destination)
{
    return destination < 0 || e->destination < 0 || e->destination == destination;
}

const ckp_hub_entry *ckp_hubs_find(const ckp_hubs *h, uint32_t hs6, int hub, int destination)
{
    const ckp_hub_entry *best = NULL;
    if (!h)
        return NULL;
    if (h->nidx != h->n || !h->idx) { /* not indexed: every entry */
        for (size_t i = 0; i < h->n; i++) {
            const ckp_hub_entry *e = &h->e[i];
            if (e->hs == hs6 && e->hub == hub && entry_fits(e, destination) &&
                (!best || e->score > best->score))
                best = e;
        }
        return best;
    }
    size_t lo = 0, hi = h->nidx; /* the first entry at or after (hs6, hub) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const ckp_hub_entry *e = &h->e[h->idx[mid]];
        if (e->hs < hs6 || (e->hs == hs6 && e->hub < hub))
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < h->nidx; k++) { /* in entry order: ties as unindexed */
        const ckp_hub_entry *e = &h->e[h->idx[k]];
        if (e->hs != hs6 || e->hub != hub)
            break;
        if (entry_fits(e, destination) && (!best || e->score > best->score))
            best = e;
    }
    return best;
}

int ckp__hubs_push(ckp_hubs *h, const ckp_hub_entry *e)
{
    if (CKP_ARRAY_RESERVE(h->e, h->cap, h->n + 1, HUBS_MAX, "hubs", NULL) != CKP_OK)
        return -1;
    h->e[h->n++] = *e;
    return 0;
}

ckp_hubs *ckp__hubs_new(void) { return calloc(1, sizeof(ckp_hubs)); }

/* Copy a short field (hub, destination, score, rank) whole, or fail naming
 * it: a value cut to fit would be read as another one. */
static ckp_status short_field(ckp_csv *csv, int col, const char *name, char *out, size_t n,
                              const char *path, long line, ckp_error *err)
{
    ckp_field f = ckp_csv_field(csv, (size_t)col);
    if (f.len >= n || (f.len && memchr(f.ptr, 0, f.len)))
        return ckp_error_set(err, CKP_EPARSE, path, line, 0,
                             "%s '%.20s…' is not a %s (%zu bytes)", name, f.ptr, name, f.len);
    ckp_field_copy(f, out, n);
    return CKP_OK;
}

/* A hubs CSV: columns hs (';'-joined HS6), hub, destination (ISO3 or '*'),
 * score, and optionally rank and measure; other columns are ignored. */
ckp_status ckp_hubs_load_csv(const char *path, const ckp_ref *ref, ckp_hubs **out,
                             ckp_error *err)
{
    *out = NULL;
    ckp_csv *csv;
    ckp_status st = ckp_csv_open(path, NULL, &csv, err);
    if (st != CKP_OK)
        return st;
    int c_hs = ckp_csv_column(csv, "hs"), c_hub = ckp_csv_column(csv, "hub");
    int c_dest = ckp_csv_column(csv, "destination"), c_score = ckp_csv_column(csv, "score");
    int c_rank = ckp_csv_column(csv, "rank"), c_meas = ckp_csv_column(csv, "measure");
    ckp_hubs *h = ckp__hubs_new();
    if (!h) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_close;
    }
    if (c_hs < 0 || c_hub < 0 || c_score < 0) {
        st = ckp_error_set(err, CKP_EPARSE, path, 1, 0,
                           "a hubs file needs the columns hs, hub and score (destination, "
                           "rank and measure are optional)");
        goto out_free;
    }
    int r;
    while ((r = ckp_csv_next(csv, err)) != 0) {
        if (r < 0) {
            st = err ? err->code : CKP_EPARSE;
            goto out_free;
        }
        char hub[64], dest[64], score[64], rank[32];
        ckp_field hsf = ckp_csv_field(csv, (size_t)c_hs); /* any length: parsed in place */
        ckp_field mf = c_meas >= 0 ? ckp_csv_field(csv, (size_t)c_meas) : (ckp_field){NULL, 0};
        long line = ckp_csv_line(csv);
        dest[0] = rank[0] = '\0';
        st = short_field(csv, c_hub, "hub", hub, sizeof hub, path, line, err);
        if (st == CKP_OK)
            st = short_field(csv, c_score, "score", score, sizeof score, path, line, err);
        if (st == CKP_OK && c_dest >= 0)
            st = short_field(csv, c_dest, "destination", dest, sizeof dest, path, line, err);
        if (st == CKP_OK && c_rank >= 0)
            st = short_field(csv, c_rank, "rank", rank, sizeof rank, path, line, err);
        if (st != CKP_OK)
            goto out_free;
        int hub_id = ckp_ref_country_by_iso3(ref, hub);
        int dest_id = dest[0] && strcmp(dest, "*") != 0 ? ckp_ref_country_by_iso3(ref, dest) : -1;
        char *end;
        double sc = strtod(score, &end);
        if (hub_id < 0 || (dest[0] && strcmp(dest, "*") != 0 && dest_id < 0) || end == score) {
            st = ckp_error_set(err, CKP_EPARSE, path, line, 0,
                               "bad hubs row (hub '%s', destination '%s', score '%s')", hub, dest,
                               score);
            goto out_free;
        }
        const char *mid = NULL;
        if (mf.len) { /* the measure id whole, whatever its length */
            ckp_status grown = CKP_ARRAY_RESERVE(h->owned, h->capowned, h->nowned + 1,
                                                 HUBS_MAX, "measure ids", err);
            char *copy = strndup(mf.ptr, mf.len);
            if (grown != CKP_OK || !copy) {
                free(copy);
                st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
                goto out_free;
            }
            h->owned[h->nowned++] = copy;
            mid = copy;
        }
        size_t pos = 0;
        int ncodes = 0;
        while (pos < hsf.len) {
            size_t len = 0;
            while (pos + len < hsf.len && !strchr(";, ", hsf.ptr[pos + len]))
                len++;
            uint32_t code;
            int level;
            if (len && (ckp_hs_parse(hsf.ptr + pos, len, &code, &level) != 0 || level != 6)) {
                st = ckp_error_set(err, CKP_EPARSE, path, line, 0,
                                   "hs '%.*s' is not a 6-digit code", (int)(len < 40 ? len : 40),
                                   hsf.ptr + pos);
                goto out_free;
            }
            if (len) {
                ckp_hub_entry e = {mid, code, hub_id, dest_id, sc, rank[0] ? atoi(rank) : 0};
                if (ckp__hubs_push(h, &e) != 0) {
                    st = ckp_error_set(err, CKP_ELIMIT, path, line, 0, "more than %d hub entries",
                                       HUBS_MAX);
                    goto out_free;
                }
                ncodes++;
            }
            pos += len + 1;
        }
        if (!ncodes) {
            st = ckp_error_set(err, CKP_EPARSE, path, line, 0, "no HS code in column hs");
            goto out_free;
        }
    }
    if (ckp__hubs_index(h) != 0) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    *out = h;
    h = NULL;
out_free:
    ckp_hubs_free(h);
out_close:
    ckp_csv_close(csv);
    return st;
}

/* ---- the hubs of a store, cached beside its generation -------------------- */

/* Ranking hubs for every measure scans the store once per measure (seconds
 * on a large store), and the result depends only on the store generation,
 * the sources selected, the register and the ranking parameters.  So, as
 * the mirror's calibration, it is kept beside the generation
 * (hubs-KEY.bin, written to a temporary name and renamed, removed with the
 * generation).  A missing, short, stale or damaged file is ignored and
 * rewritten; a store that cannot be written goes without.
 * CKP_HUBS_CACHE=0 turns the cache off. */

#define HUBS_MAGIC "CKPHUBS1"

/* One entry on disk: the measure as its number in the register. */
typedef struct disk_entry {
    int32_t measure; /* -1 = none */
    uint32_t hs;
    int32_t hub, destination, rank;
    double score;
} disk_entry;

static uint64_t fnv_str(uint64_t h, const char *s)
{
    s = s ? s : "";
    return ckp__fnv1a(h, s, strlen(s) + 1);
}

/* The cache file for this store, selection, register and ranking; 0 when
 * there is to be no cache. */
static int hubs_cache_path(const ckp_store *store, const ckp_measures *ms, int top,
                           double min_score, char *path, size_t len, uint64_t *key)
{
    uint64_t h;
    const char *dir = ckp__ev_cache_begin(store, "CKP_HUBS_CACHE", HUBS_MAGIC, &h);
    if (!dir)
        return 0;
    h = ckp__fnv1a(h, &top, sizeof top);
    h = ckp__fnv1a(h, &min_score, sizeof min_score);
    /* the register: every field the ranking reads (country ids index the
     * reference data, whose ISO3 codes are hashed with them) */
    const ckp_ref *ref = ckp_store_ref(store);
    int nm = ckp_measures_count(ms);
    h = ckp__fnv1a(h, &nm, sizeof nm);
    for (int i = 0; i < nm; i++) {
        const ckp_measure *m = ckp_measures_at(ms, i);
        h = fnv_str(h, m->id);
        h = ckp__fnv1a(h, &m->kind, sizeof m->kind);
        h = ckp__fnv1a(h, &m->announced, sizeof m->announced);
        h = ckp__fnv1a(h, &m->effective, sizeof m->effective);
        h = ckp__fnv1a(h, &m->lifted, sizeof m->lifted);
        h = ckp__fnv1a(h, &m->all_targets, sizeof m->all_targets);
        h = ckp__fnv1a(h, &m->direction, sizeof m->direction); /* import bans are not ranked */
        for (int k = 0; k < m->nissuers; k++)
            h = fnv_str(h, ckp_ref_iso3(ref, m->issuers[k]));
        h = ckp__fnv1a(h, "|", 1);
        for (int k = 0; k < m->ntargets; k++)
            h = fnv_str(h, ckp_ref_iso3(ref, m->targets[k]));
        uint32_t cur = 0, code;
        while (ckp_hsset_next(m->hs, &cur, &code))
            h = ckp__fnv1a(h, &code, sizeof code);
    }
    *key = h;
    return snprintf(path, len, "%s/hubs-%016llx.bin", dir, (unsigned long long)h) < (int)len;
}

static ckp_hubs *hubs_cache_load(const char *path, uint64_t key, const ckp_measures *ms)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    ckp_hubs *h = ckp__hubs_new();
    char magic[8];
    uint64_t k = 0, n = 0, sum = 0, hsum = CKP__FNV_BASIS;
    int ok = h && fread(magic, 8, 1, f) == 1 && memcmp(magic, HUBS_MAGIC, 8) == 0 &&
             fread(&k, sizeof k, 1, f) == 1 && k == key && fread(&n, sizeof n, 1, f) == 1 &&
             n <= HUBS_MAX;
    int nm = ckp_measures_count(ms);
    for (uint64_t i = 0; ok && i < n; i++) {
        disk_entry d;
        ok = fread(&d, sizeof d, 1, f) == 1 && d.measure >= -1 && d.measure < nm;
        if (!ok)
            break;
        hsum = ckp__fnv1a(hsum, &d, sizeof d);
        ckp_hub_entry e = {d.measure >= 0 ? ckp_measures_at(ms, d.measure)->id : NULL,
                           d.hs, d.hub, d.destination, d.score, d.rank};
        ok = ckp__hubs_push(h, &e) == 0;
    }
    ok = ok && fread(&sum, sizeof sum, 1, f) == 1 && sum == hsum && fgetc(f) == EOF &&
         ckp__hubs_index(h) == 0;
    fclose(f);
    if (!ok) {
        ckp_hubs_free(h);
        return NULL;
    }
    return h;
}

static void hubs_cache_save(const ckp_hubs *h, const char *path, uint64_t key,
                            const ckp_measures *ms)
{
    char tmp[4400];
    FILE *f = ckp__ev_cache_create(path, tmp, sizeof tmp);
    if (!f)
        return; /* a read-only store: no cache */
    uint64_t n = h->n, hsum = CKP__FNV_BASIS;
    int ok = fwrite(HUBS_MAGIC, 8, 1, f) == 1 && fwrite(&key, sizeof key, 1, f) == 1 &&
             fwrite(&n, sizeof n, 1, f) == 1;
    int nm = ckp_measures_count(ms);
    for (size_t i = 0; ok && i < h->n; i++) {
        const ckp_hub_entry *e = &h->e[i];
        disk_entry d;
        memset(&d, 0, sizeof d); /* padding too: the checksum covers it */
        d.measure = -1;
        for (int m = 0; e->measure && m < nm && d.measure < 0; m++)
            if (ckp_measures_at(ms, m)->id == e->measure)
                d.measure = m;
        ok = !e->measure || d.measure >= 0; /* a measure not in ms: no cache */
        d.hs = e->hs;
        d.hub = e->hub;
        d.destination = e->destination;
        d.rank = e->rank;
        d.score = e->score;
        hsum = ckp__fnv1a(hsum, &d, sizeof d);
        ok = ok && fwrite(&d, sizeof d, 1, f) == 1;
    }
    ok = ok && fwrite(&hsum, sizeof hsum, 1, f) == 1;
    ckp__ev_cache_commit(f, ok, tmp, path);
}

ckp_status ckp_hubs_for_store(const ckp_store *store, const ckp_ref *ref,
                              const ckp_measures *ms, ckp_hubs **out, int *from_cache,
                              ckp_error *err)
{
    *out = NULL;
    if (from_cache)
        *from_cache = 0;
    char path[4300];
    uint64_t key = 0;
    int cache = hubs_cache_path(store, ms, CKP_HUBS_TOP, CKP_HUBS_MIN_SCORE, path, sizeof path,
                                &key);
    if (cache) {
        *out = hubs_cache_load(path, key, ms);
        if (*out) {
            if (from_cache)
                *from_cache = 1;
            return CKP_OK;
        }
    }
    ckp_status st = ckp_hubs_compute(store, ref, ms, CKP_HUBS_TOP, CKP_HUBS_MIN_SCORE, out, err);
    if (st == CKP_OK && cache)
        hubs_cache_save(*out, path, key, ms);
    return st;
}

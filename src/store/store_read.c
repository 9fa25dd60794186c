/* store_read.c — opening a store generation (checksums verified) and
 * answering queries from its memory-mapped columns (docs/store.md). */
#include "core/vec.h"
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>


const char *ckp_store_dir(const char *dir)
{
    if (dir && *dir)
        return dir;
    const char *e = getenv("CHOKEPOINT_STORE");
    return e && *e ? e : "./chokepoint.store";
}

void ckp_query_init(ckp_query *q)
{
    memset(q, 0, sizeof *q);
    q->reporter = -1;
    q->partner = -1;
    q->source = -1;
}

void ckp_store_close(ckp_store *s)
{
    if (!s)
        return;
    for (int i = 0; i < CKP__F_COUNT; i++)
        if (s->map[i])
            munmap((void *)s->map[i], s->mapsize[i]);
    CKP_FREE_ALL(s->country_id, s->country_index, s->source_text, s);
}

/* Map one file of the generation and check its size and checksum. */
static ckp_status map_file(ckp_store *s, int i, ckp_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", s->gendir, ckp__file_names[i]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ckp_error_set(err, errno == ENOENT ? CKP_ENOTFOUND : CKP_EIO, path, 0, 0,
                             "cannot open store file: %s", strerror(errno));
    ckp_status st = CKP_OK;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot stat store file: %s",
                           strerror(errno));
        goto out_close;
    }
    if ((uint64_t)sb.st_size != s->man.size[i]) {
        st = ckp_error_set(err, CKP_ECORRUPT, path, 0, 0,
                           "store file is %lld bytes, the manifest says %llu: truncated or "
                           "damaged; re-run the ingest with --replace",
                           (long long)sb.st_size, (unsigned long long)s->man.size[i]);
        goto out_close;
    }
    /* unchanged since a reader checked every byte of it: no need to again */
    ckp__stamp_entry now;
    ckp__stamp_of(&sb, s->man.crc[i], &now);
    int known = ckp__stamp_same(&now, &s->stamp[i]);
    s->checked[i] = now;
    if (sb.st_size > 0) {
        void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ,
                       MAP_SHARED | (known ? 0 : MAP_POPULATE), fd, 0);
        if (m == MAP_FAILED) {
            st = ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot map store file: %s",
                               strerror(errno));
            goto out_close;
        }
        s->map[i] = m;
        s->mapsize[i] = (size_t)sb.st_size;
    }
    if (known)
        goto out_close;
    uint32_t crc = ckp__crc32c(0, s->map[i], s->mapsize[i]);
    __atomic_add_fetch(&s->crc_checked, 1, __ATOMIC_RELAXED);
    if (crc != s->man.crc[i])
        st = ckp_error_set(err, CKP_ECORRUPT, path, 0, 0,
                           "store file fails its checksum (crc32c %08x, the manifest says "
                           "%08x): corrupted; re-run the ingest with --replace",
                           crc, s->man.crc[i]);
out_close:
    close(fd);
    return st;
}

static ckp_status corrupt(const ckp_store *s, int file, ckp_error *err, const char *what)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", s->gendir, ckp__file_names[file]);
    return ckp_error_set(err, CKP_ECORRUPT, path, 0, 0, "store file is inconsistent: %s",
                         what);
}

/* Structural checks beyond the checksums, then the pointers. */
static ckp_status load_tables(ckp_store *s, ckp_error *err)
{
    const ckp__manifest *m = &s->man;
    s->rows = m->rows;
    if (m->size[CKP__F_REPORTER] != 2 * s->rows || m->size[CKP__F_PARTNER] != 2 * s->rows ||
        m->size[CKP__F_PERIOD] != 2 * s->rows || m->size[CKP__F_FLAGS] != s->rows ||
        m->size[CKP__F_SOURCE] != s->rows || m->size[CKP__F_VALUE] != 8 * s->rows ||
        m->size[CKP__F_QTY] != 4 * s->rows)
        return corrupt(s, CKP__F_REPORTER, err, "column sizes disagree with the row count");
    if (m->size[CKP__F_COUNTRIES] % 4 || m->size[CKP__F_COUNTRIES] / 4 > CKP__MAX_COUNTRIES)
        return corrupt(s, CKP__F_COUNTRIES, err, "bad size");
    if (m->size[CKP__F_PERIODS] % 4 || m->size[CKP__F_PERIODS] / 4 > 65535)
        return corrupt(s, CKP__F_PERIODS, err, "bad size");
    if (m->size[CKP__F_PRODUCTS] % sizeof(ckp__product))
        return corrupt(s, CKP__F_PRODUCTS, err, "bad size");
    if (m->size[CKP__F_ALT] % sizeof(ckp__alt))
        return corrupt(s, CKP__F_ALT, err, "bad size");
    s->ncountries = (int)(m->size[CKP__F_COUNTRIES] / 4);
    s->nperiods = (int)(m->size[CKP__F_PERIODS] / 4);
    s->periods = s->map[CKP__F_PERIODS];
    s->nproducts = m->size[CKP__F_PRODUCTS] / sizeof(ckp__product);
    s->products = s->map[CKP__F_PRODUCTS];
    s->nalt = m->size[CKP__F_ALT] / sizeof(ckp__alt);
    s->alt = s->map[CKP__F_ALT];
    s->reporter = s->map[CKP__F_REPORTER];
    s->partner = s->map[CKP__F_PARTNER];
    s->period = s->map[CKP__F_PERIOD];
    s->flags = s->map[CKP__F_FLAGS];
    s->source = s->map[CKP__F_SOURCE];
    s->value = s->map[CKP__F_VALUE];
    s->qty = s->map[CKP__F_QTY];
    s->rfp = s->map[CKP__F_RFP];
    uint64_t next = 0;
    /* format 1 holds HS6 codes only; format 2 any product key, aggregates
     * after every HS6 code */
    uint32_t max_key = m->format == CKP__STORE_FORMAT_HS6 ? 999999 : CKP_HS_KEY_MAX;
    s->nproducts6 = 0;
    for (size_t i = 0; i < s->nproducts; i++) {
        const ckp__product *p = &s->products[i];
        if (p->row_start != next || p->row_end < p->row_start || p->row_end > s->rows ||
            p->hs > max_key || ckp_hs_key_level(p->hs) < 0 ||
            ckp__edition_code((int)p->edition) < 0)
            return corrupt(s, CKP__F_PRODUCTS, err, "product ranges are not contiguous");
        if (ckp_hs_key_level(p->hs) == 6) {
            if (s->nproducts6 != i)
                return corrupt(s, CKP__F_PRODUCTS, err, "an HS6 product after an aggregate one");
            s->nproducts6 = i + 1;
        }
        next = p->row_end;
    }
    if (next != s->rows)
        return corrupt(s, CKP__F_PRODUCTS, err, "products do not cover every row");
    /* countries: ISO3 → ref id */
    s->nref = ckp_ref_country_count(s->ref);
    s->country_id = malloc(sizeof(int) * (size_t)(s->ncountries + 1));
    s->country_index = malloc(sizeof(int) * (size_t)(s->nref + 1));
    if (!s->country_id || !s->country_index)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < s->nref; i++)
        s->country_index[i] = -1;
    const char *codes = s->map[CKP__F_COUNTRIES];
    for (int i = 0; i < s->ncountries; i++) {
        char iso3[4];
        memcpy(iso3, codes + 4 * i, 4);
        iso3[3] = 0;
        int id = ckp_ref_country_by_iso3(s->ref, iso3);
        if (id < 0 || id >= s->nref) {
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", s->gendir, ckp__file_names[CKP__F_COUNTRIES]);
            return ckp_error_set(err, CKP_ENOTFOUND, path, 0, 0,
                                 "the store holds country '%s', which the reference data "
                                 "does not know (was the data directory changed?)",
                                 iso3);
        }
        s->country_id[i] = id;
        s->country_index[id] = i;
    }
    /* sources: "name\tsynthetic\n" lines */
    size_t n = m->size[CKP__F_SOURCES];
    s->source_text = malloc(n + 1);
    if (!s->source_text)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    if (n)
        memcpy(s->source_text, s->map[CKP__F_SOURCES], n);
    s->source_text[n] = 0;
    char *p = s->source_text;
    while (*p) {
        char *nl = strchr(p, '\n');
        char *tab = strchr(p, '\t');
        if (!nl || !tab || tab > nl || s->nsources >= CKP__MAX_SOURCES)
            return corrupt(s, CKP__F_SOURCES, err, "bad source line");
        /* an optional third field: where the source came from (fetch) */
        char *tab2 = memchr(tab + 1, '\t', (size_t)(nl - tab - 1));
        *tab = 0;
        *nl = 0;
        s->source_name[s->nsources] = p;
        s->source_synth[s->nsources] = tab[1] == '1';
        /* fields after the flag: the currency converted from ("" none),
         * then where the source came from (fetch) */
        s->source_cur[s->nsources][0] = '\0';
        s->source_prov[s->nsources] = NULL;
        if (tab2) {
            *tab2 = 0;
            char *tab3 = strchr(tab2 + 1, '\t');
            if (tab3)
                *tab3 = 0;
            if (strlen(tab2 + 1) == 3)
                memcpy(s->source_cur[s->nsources], tab2 + 1, 4);
            else if (tab2[1])
                return corrupt(s, CKP__F_SOURCES, err, "bad source currency");
            s->source_prov[s->nsources] = tab3 && tab3[1] ? tab3 + 1 : NULL;
        }
        s->source_on[s->nsources] = 1;
        s->nsources++;
        p = nl + 1;
    }
    /* the reporter index: one bitmap per source (an older store: one) */
    uint64_t rfp_bits = (uint64_t)s->ncountries * 4 * (uint64_t)s->nperiods;
    if (m->size[CKP__F_RFP] == ((uint64_t)(s->nsources ? s->nsources : 1) * rfp_bits + 7) / 8)
        s->rfp_per_source = 1;
    else if (m->size[CKP__F_RFP] == (rfp_bits + 7) / 8)
        s->rfp_per_source = 0;
    else
        return corrupt(s, CKP__F_RFP, err, "bad size");
    return CKP_OK;
}

/* Files mapped and checked by one thread. */
typedef struct map_job {
    ckp_store *s;
    int files[CKP__F_COUNT], n;
    int failed;      /* index of the file that failed, or CKP__F_COUNT */
    ckp_status st;
    ckp_error err;
} map_job;

static void *map_files(void *arg)
{
    map_job *j = arg;
    j->failed = CKP__F_COUNT;
    j->st = CKP_OK;
    for (int k = 0; k < j->n; k++) {
        ckp_status st = map_file(j->s, j->files[k], &j->err);
        if (st != CKP_OK) {
            j->st = st;
            j->failed = j->files[k];
            break;
        }
    }
    return NULL;
}

static ckp_status open_generation(ckp_store *s, ckp_error *err)
{
    ckp_status st = ckp__manifest_read(s->gendir, &s->man, err);
    if (st != CKP_OK)
        return st;
    char path[4200];
    snprintf(path, sizeof path, "%s/MANIFEST", s->gendir);
    struct stat sb;
    if (stat(path, &sb) == 0)
        s->bytes = (uint64_t)sb.st_size;
    uint64_t total = 0;
    for (int i = 0; i < CKP__F_COUNT; i++)
        total += s->man.size[i];
    s->bytes += total;
    if (s->full_check)
        memset(s->stamp, 0, sizeof s->stamp);
    else
        ckp__stamp_read(s->gendir, s->stamp);
    /* mapping (page faults) and checksumming a big store is split over two
     * threads, files shared out by size; the error reported is the one of
     * the first failing file in manifest order, as with one thread */
    map_job job[2];
    memset(job, 0, sizeof job);
    job[0].s = job[1].s = s;
    job[0].failed = job[1].failed = CKP__F_COUNT; /* a job never run did not fail */
    uint64_t load[2] = {0, 0};
    int two = total >= ((uint64_t)256 << 10) && sysconf(_SC_NPROCESSORS_ONLN) > 1;
    int order[CKP__F_COUNT];
    for (int i = 0; i < CKP__F_COUNT; i++)
        order[i] = i;
    for (int a = 1; a < CKP__F_COUNT; a++) /* biggest first */
        for (int b = a; b > 0 && s->man.size[order[b]] > s->man.size[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (int k = 0; k < CKP__F_COUNT; k++) {
        int w = two && load[1] < load[0] ? 1 : 0;
        job[w].files[job[w].n++] = order[k];
        load[w] += s->man.size[order[k]];
    }
    pthread_t t;
    int threaded = two && job[1].n && pthread_create(&t, NULL, map_files, &job[1]) == 0;
    map_files(&job[0]);
    if (threaded)
        pthread_join(t, NULL);
    else if (job[1].n)
        map_files(&job[1]);
    int which = job[1].failed < job[0].failed ? 1 : 0;
    if (job[which].st != CKP_OK) {
        if (err)
            *err = job[which].err;
        return job[which].st;
    }
    st = load_tables(s, err);
    if (st == CKP_OK && s->crc_checked)
        ckp__stamp_write(s->gendir, s->checked);
    return st;
}

ckp_status ckp_store_open(const char *dir, const ckp_ref *ref, ckp_store **out,
                          ckp_error *err)
{
    *out = NULL;
    dir = ckp_store_dir(dir);
    /* A writer keeps the previous generation while publishing a new one, so
     * the generation CURRENT names stays readable; should it vanish between
     * reading CURRENT and opening (two ingests in a row), read CURRENT again. */
    for (int attempt = 0;; attempt++) {
        uint64_t gen;
        char why[160];
        int cs = ckp__current_state(dir, &gen, why, sizeof why);
        if (cs != CKP__CURRENT_OK) {
            struct stat sb;
            uint64_t gens[1];
            char cur[4200];
            snprintf(cur, sizeof cur, "%s/CURRENT", dir);
            if (stat(dir, &sb) != 0)
                return ckp_error_set(err, CKP_ENOTFOUND, dir, 0, 0,
                                     "no store here (run 'chokepoint ingest' first)");
            if (cs == CKP__CURRENT_DAMAGED)
                return ckp_error_set(err, CKP_ECORRUPT, cur, 0, 0,
                                     "the store's CURRENT file %s: 'chokepoint store verify' "
                                     "lists the intact generations, 'chokepoint store "
                                     "recover' points CURRENT at the newest one", why);
            if (ckp__list_generations(dir, gens, 1) > 0)
                return ckp_error_set(err, CKP_ENOTFOUND, cur, 0, 0,
                                     "the store's CURRENT file is missing but generations "
                                     "are present: 'chokepoint store verify' lists the "
                                     "intact ones, 'chokepoint store recover' points "
                                     "CURRENT at the newest one");
            return ckp_error_set(err, CKP_ENOTFOUND, dir, 0, 0,
                                 "no published store in this directory (no CURRENT file; "
                                 "run 'chokepoint ingest')");
        }
        ckp_store *s = calloc(1, sizeof *s);
        if (!s)
            return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        s->ref = ref;
        s->generation = gen;
        ckp__gen_path(dir, gen, s->gendir, sizeof s->gendir);
        ckp_status st = open_generation(s, err);
        if (st == CKP_OK) {
            *out = s;
            return CKP_OK;
        }
        ckp_store_close(s);
        uint64_t now;
        if (st != CKP_ENOTFOUND || attempt >= 5 || ckp__read_current(dir, &now) != 0 ||
            now == gen)
            return st;
    }
}

ckp_status ckp__store_open_generation(const char *dir, uint64_t gen, const ckp_ref *ref,
                                      ckp_store **out, ckp_error *err)
{
    *out = NULL;
    ckp_store *s = calloc(1, sizeof *s);
    if (!s)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    s->ref = ref;
    s->generation = gen;
    s->full_check = 1;
    ckp__gen_path(ckp_store_dir(dir), gen, s->gendir, sizeof s->gendir);
    ckp_status st = open_generation(s, err);
    if (st != CKP_OK) {
        ckp_store_close(s);
        return st;
    }
    *out = s;
    return CKP_OK;
}

/* ---- queries ----------------------------------------------------------- */

int ckp_store_country_count(const ckp_store *s) { return s->ncountries; }
int ckp_store_country_id(const ckp_store *s, int i)
{
    return i >= 0 && i < s->ncountries ? s->country_id[i] : -1;
}
int ckp_store_country_index(const ckp_store *s, int id)
{
    return id >= 0 && id < s->nref ? s->country_index[id] : -1;
}
int ckp_store_period_count(const ckp_store *s) { return s->nperiods; }
int32_t ckp_store_period(const ckp_store *s, int i)
{
    return i >= 0 && i < s->nperiods ? s->periods[i] : -1;
}

/* The first value_alt entry of row row or after it (s->nalt: none). */
static size_t alt_at(const ckp_store *s, uint64_t row)
{
    size_t lo = 0, hi = s->nalt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->alt[mid].row < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

double ckp_store_value_alt(const ckp_store *s, uint64_t row)
{
    if (row >= s->rows || !(s->flags[row] & CKP__FL_ALT))
        return NAN;
    size_t lo = alt_at(s, row);
    return lo < s->nalt && s->alt[lo].row == row ? (double)s->alt[lo].value : NAN;
}

/* [*lo, *hi) narrowed to the rows whose reporter column equals r (the column
 * is sorted within a product). */
static void reporter_range(const ckp_store *s, uint16_t r, uint64_t *lo, uint64_t *hi)
{
    uint64_t a = *lo, b = *hi;
    while (a < b) {
        uint64_t mid = a + (b - a) / 2;
        if (s->reporter[mid] < r)
            a = mid + 1;
        else
            b = mid;
    }
    uint64_t c = a, d = *hi;
    while (c < d) {
        uint64_t mid = c + (d - c) / 2;
        if (s->reporter[mid] <= r)
            c = mid + 1;
        else
            d = mid;
    }
    *lo = a;
    *hi = c;
}

/* Products selected by q->hs (and q->levels), walked in order; returns the
 * next index ≥ i, s->nproducts at the end.  Without q->levels only the HS6
 * products are walked: an aggregate row is never seen by a reader that
 * would add it to its own detail. */
static size_t next_product(const ckp_store *s, const ckp_query *q, size_t i)
{
    size_t end = q->levels ? s->nproducts : s->nproducts6;
    if (q->hs)
        while (i < end && !(s->products[i].hs < CKP_HS_KEY_HS4
                                ? ckp_hsset_has_ed(q->hs, s->products[i].hs,
                                                   (int)s->products[i].edition)
                                : ckp_hsset_has_key(q->hs, s->products[i].hs)))
            i++;
    return i < end ? i : s->nproducts;
}

typedef struct scan_filter {
    int reporter;   /* store index, -1 any */
    int partner;    /* store index, -1 any */
    int flow;       /* flow code 0..3, -1 any */
    int pfrom, pto; /* store period index bounds, inclusive */
    int freq;
    int source;
} scan_filter;

/* -1 when nothing can match. */
static int make_filter(const ckp_store *s, const ckp_query *q, scan_filter *f)
{
    f->reporter = f->partner = -1;
    if (q->reporter >= 0) {
        f->reporter = ckp_store_country_index(s, q->reporter);
        if (f->reporter < 0)
            return -1;
    }
    if (q->partner >= 0) {
        f->partner = ckp_store_country_index(s, q->partner);
        if (f->partner < 0)
            return -1;
    }
    f->flow = q->flow ? ckp__flow_code(q->flow) : -1;
    if (q->flow && f->flow < 0)
        return -1;
    f->pfrom = 0;
    f->pto = s->nperiods - 1;
    while (q->period_from && f->pfrom < s->nperiods && s->periods[f->pfrom] < q->period_from)
        f->pfrom++;
    while (q->period_to && f->pto >= 0 && s->periods[f->pto] > q->period_to)
        f->pto--;
    if (f->pfrom > f->pto)
        return -1;
    f->freq = q->freq;
    f->source = q->source;
    return 0;
}

ckp_status ckp_store_scan(const ckp_store *s, const ckp_query *q, ckp_flow_fn fn,
                          void *ctx, ckp_error *err)
{
    scan_filter f;
    if (make_filter(s, q, &f) < 0)
        return CKP_OK;
    for (size_t pi = next_product(s, q, 0); pi < s->nproducts;
         pi = next_product(s, q, pi + 1)) {
        const ckp__product *p = &s->products[pi];
        uint64_t lo = p->row_start, hi = p->row_end;
        if (f.reporter >= 0)
            reporter_range(s, (uint16_t)f.reporter, &lo, &hi);
        if (lo >= hi)
            continue;
        ckp_flow row;
        row.hs = p->hs;
        row.hs_edition = (int)p->edition;
        size_t alt = SIZE_MAX; /* cursor into alt.bin, found on first need */
        for (uint64_t i = lo; i < hi; i++) {
            if (f.partner >= 0 && s->partner[i] != f.partner)
                continue;
            uint8_t fl = s->flags[i];
            if (f.flow >= 0 && (int)CKP__FL_FLOW(fl) != f.flow)
                continue;
            int per = s->period[i];
            if (per < f.pfrom || per > f.pto)
                continue;
            if (f.source >= 0 && s->source[i] != f.source)
                continue;
            if (s->source[i] <= CKP__MAX_SOURCES && !s->source_on[s->source[i]])
                continue;
            int32_t period = s->periods[per];
            if (f.freq == 'A' && period % 100 != 0)
                continue;
            if (f.freq == 'M' && period % 100 == 0)
                continue;
            if (s->reporter[i] >= s->ncountries || s->partner[i] >= s->ncountries)
                return corrupt(s, CKP__F_REPORTER, err, "country index out of range");
            row.period = period;
            row.reporter = s->country_id[s->reporter[i]];
            row.partner = s->country_id[s->partner[i]];
            row.flow = ckp__flow_dir(fl);
            row.value = s->value[i];
            row.qty = (double)s->qty[i];
            row.unit = (int)CKP__FL_UNIT(fl);
            row.source = s->source[i];
            row.value_alt = NAN;
            if (fl & CKP__FL_ALT) {
                if (alt == SIZE_MAX) {
                    alt = alt_at(s, i);
                }
                while (alt < s->nalt && s->alt[alt].row < i)
                    alt++;
                if (alt < s->nalt && s->alt[alt].row == i)
                    row.value_alt = (double)s->alt[alt].value;
            }
            if (fn(&row, ctx))
                return CKP_OK;
        }
    }
    return CKP_OK;
}

ckp_status ckp_store_scan_cols(const ckp_store *s, const ckp_query *q, ckp_cols_fn fn,
                               void *ctx, ckp_error *err)
{
    (void)err;
    int rep = -1;
    if (q && q->reporter >= 0) {
        rep = ckp_store_country_index(s, q->reporter);
        if (rep < 0)
            return CKP_OK;
    }
    ckp_query all;
    if (!q) {
        ckp_query_init(&all);
        q = &all;
    }
    for (size_t pi = next_product(s, q, 0); pi < s->nproducts;
         pi = next_product(s, q, pi + 1)) {
        const ckp__product *p = &s->products[pi];
        uint64_t lo = p->row_start, hi = p->row_end;
        if (rep >= 0)
            reporter_range(s, (uint16_t)rep, &lo, &hi);
        if (lo >= hi)
            continue;
        ckp_store_cols c = {p->hs,          (int)p->edition, lo,           (size_t)(hi - lo),
                            s->reporter + lo, s->partner + lo, s->period + lo, s->flags + lo,
                            s->source + lo, s->value + lo,   s->qty + lo};
        if (fn(&c, ctx))
            break;
    }
    return CKP_OK;
}

ckp_status ckp_store_get_info(const ckp_store *s, ckp_store_info *info)
{
    memset(info, 0, sizeof *info);
    info->rows = s->rows;
    info->periods = (int)s->man.stat_periods;
    info->period_min = s->nperiods ? s->periods[0] : 0;
    info->period_max = s->nperiods ? s->periods[s->nperiods - 1] : 0;
    info->reporters = (int)s->man.stat_reporters;
    info->partners = (int)s->man.stat_partners;
    info->products = (int)s->man.stat_products;
    info->sources = s->nsources;
    info->bytes = s->bytes;
    info->generation = s->generation;
    return CKP_OK;
}

uint64_t ckp_store_current_generation(const char *dir)
{
    uint64_t gen;
    return ckp__read_current(ckp_store_dir(dir), &gen) == 0 ? gen : 0;
}

int ckp_store_reporter_has(const ckp_store *s, int reporter, int flow, int32_t period_from,
                           int32_t period_to)
{
    int r = ckp_store_country_index(s, reporter);
    if (r < 0)
        return 0;
    /* an older store has one bitmap for all its sources: it answers for
     * every source, selected or not */
    int nsrc = s->rfp_per_source && s->nsources ? s->nsources : 1;
    for (int src = 0; src < nsrc; src++) {
        if (s->rfp_per_source && s->nsources && !s->source_on[src])
            continue;
        for (int fc = 0; fc < 4; fc++) {
            if (flow && ckp__flow_code(flow) != fc)
                continue;
            for (int p = 0; p < s->nperiods; p++) {
                if (period_from && s->periods[p] < period_from)
                    continue;
                if (period_to && s->periods[p] > period_to)
                    break;
                uint64_t bit =
                    (((uint64_t)src * (uint64_t)s->ncountries + (uint64_t)r) * 4 + (uint64_t)fc) *
                        (uint64_t)s->nperiods +
                    (uint64_t)p;
                if (s->rfp[bit >> 3] >> (bit & 7) & 1)
                    return 1;
            }
        }
    }
    return 0;
}

int ckp_store_source_count(const ckp_store *s) { return s->nsources; }

const char *ckp_store_generation_dir(const ckp_store *s) { return s->gendir; }

const ckp_ref *ckp_store_ref(const ckp_store *s) { return s->ref; }

const char *ckp_store_source_name(const ckp_store *s, int i)
{
    return i >= 0 && i < s->nsources ? s->source_name[i] : NULL;
}

const char *ckp_store_source_currency(const ckp_store *s, int i)
{
    return i >= 0 && i < s->nsources ? s->source_cur[i] : "";
}

const char *ckp_store_source_provenance(const ckp_store *s, int i)
{
    return i >= 0 && i < s->nsources ? s->source_prov[i] : NULL;
}

int ckp_store_source_synthetic(const ckp_store *s, int i)
{
    return i >= 0 && i < s->nsources ? s->source_synth[i] : 0;
}

int ckp_store_source_selected(const ckp_store *s, int source)
{
    return source >= 0 && source < s->nsources && s->source_on[source];
}

int ckp_store_has_real_source(const ckp_store *s)
{
    for (int i = 0; i < s->nsources; i++)
        if (!s->source_synth[i])
            return 1;
    return 0;
}

ckp_status ckp_store_select_sources(ckp_store *s, const char *spec, ckp_error *err)
{
    unsigned char on[CKP__MAX_SOURCES + 1];
    memset(on, 0, sizeof on);
    if (!spec || !*spec || strcmp(spec, "auto") == 0)
        spec = ckp_store_has_real_source(s) ? "real" : "all";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", spec);
    int any = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        int hit = 0;
        for (int i = 0; i < s->nsources; i++) {
            int m = strcmp(tok, "all") == 0 || (strcmp(tok, "real") == 0 && !s->source_synth[i]) ||
                    (strcmp(tok, "synthetic") == 0 && s->source_synth[i]) ||
                    strcmp(tok, s->source_name[i]) == 0;
            if (m)
                on[i] = 1;
            hit |= m;
        }
        if (!hit && strcmp(tok, "all") != 0 && strcmp(tok, "real") != 0 &&
            strcmp(tok, "synthetic") != 0)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--source: the store has no source named '%s' "
                                 "(see 'chokepoint info')", tok);
        any = 1;
    }
    if (!any)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--source is empty");
    /* a synthetic figure is never added to a real one: a selection that
     * holds both kinds is refused, naming them */
    int nreal = 0, nsynth = 0;
    for (int i = 0; i < s->nsources; i++)
        if (on[i] && s->source_synth[i])
            nsynth++;
        else if (on[i])
            nreal++;
    if (nreal && nsynth) {
        char names[2][512];
        size_t len[2] = {0, 0};
        names[0][0] = names[1][0] = '\0';
        for (int i = 0; i < s->nsources; i++) {
            int k = s->source_synth[i];
            if (!on[i] || len[k] >= sizeof names[k])
                continue;
            int w = snprintf(names[k] + len[k], sizeof names[k] - len[k], "%s%s",
                             len[k] ? ", " : "", s->source_name[i]);
            len[k] += w > 0 ? (size_t)w : 0;
        }
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--source '%s' mixes real sources (%s) with synthetic ones (%s): "
                             "their figures are never added together; ask for one kind "
                             "(real, synthetic or source names of one kind)",
                             spec, names[0], names[1]);
    }
    memcpy(s->source_on, on, sizeof on);
    return CKP_OK;
}

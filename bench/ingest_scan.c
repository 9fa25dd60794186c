/* ingest_scan.c — store query timings for bench_ingest.sh.
 *
 *   ingest_scan STORE_DIR DATA_DIR
 *
 * Opens the store (checksums verified: timed), then times
 *  - one HS6 × one reporter query through ckp_store_scan (the `dependency`
 *    question), averaged over many different products and reporters;
 *  - one HS6 across all partners (ckp_store_scan with only q->hs);
 *  - a full scan through ckp_store_scan (one ckp_flow per row);
 *  - a full scan through ckp_store_scan_cols computing the HHI of every
 *    partner × HS6 × year group (the `chokepoints` question on BACI rows:
 *    importer = partner of an export report), best of 3.
 * Prints "bench ingest: METRIC VALUE UNIT" lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chokepoint/store.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct acc {
    double sum;
    uint64_t rows;
} acc;

typedef struct sampler {
    uint64_t i, stride;
    uint32_t *hs;
    int *rep;
    int n;
} sampler;

static int sample_fn(const ckp_flow *r, void *ctx)
{
    sampler *sm = ctx;
    if (sm->i++ % sm->stride == 0 && sm->n < 2000) {
        sm->hs[sm->n] = r->hs;
        sm->rep[sm->n] = r->reporter;
        sm->n++;
    }
    return 0;
}

static int add_row(const ckp_flow *r, void *ctx)
{
    acc *a = ctx;
    a->sum += r->value;
    a->rows++;
    return 0;
}

/* HHI of every (importer, product, year) group of one product block: rows
 * are sorted by reporter, partner, flow, period, so the groups (partner ×
 * period) are gathered in a small table per block. */
typedef struct hhi_ctx {
    int nc, np;
    double *total, *sumsq; /* [partner * np + period] */
    int *touched;
    int ntouched;
    uint64_t groups;
    double checksum;
} hhi_ctx;

static int hhi_block(const ckp_store_cols *c, void *vctx)
{
    hhi_ctx *h = vctx;
    /* per exporter (reporter), value to each (partner, period): rows of one
     * reporter are contiguous and its values per group are single rows */
    for (size_t i = 0; i < c->n; i++) {
        if (CKP_STORE_FLOW(c->flags[i]) != 'X')
            continue;
        int g = c->partner[i] * h->np + c->period[i];
        double v = c->value[i];
        if (h->total[g] == 0 && h->sumsq[g] == 0)
            h->touched[h->ntouched++] = g;
        h->total[g] += v;
        h->sumsq[g] += v * v;
    }
    for (int k = 0; k < h->ntouched; k++) {
        int g = h->touched[k];
        double t = h->total[g];
        if (t > 0)
            h->checksum += h->sumsq[g] / (t * t) * 10000.0;
        h->groups++;
        h->total[g] = h->sumsq[g] = 0;
    }
    h->ntouched = 0;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ingest_scan STORE_DIR DATA_DIR\n");
        return 2;
    }
    ckp_error err;
    ckp_ref *ref;
    if (ckp_ref_load(argv[2], &ref, &err) != CKP_OK) {
        fprintf(stderr, "ingest_scan: %s: %s\n", err.file, err.msg);
        return 1;
    }
    double t0 = now();
    ckp_store *s;
    if (ckp_store_open(argv[1], ref, &s, &err) != CKP_OK) {
        fprintf(stderr, "ingest_scan: %s: %s\n", err.file, err.msg);
        return 1;
    }
    double t_open = now() - t0;
    ckp_store_info in;
    ckp_store_get_info(s, &in);
    printf("bench ingest: store_open_verify %.1f ms\n", t_open * 1e3);

    /* (hs, reporter) pairs that exist, sampled with a stride, for the
     * point queries */
    enum { NQ = 2000 };
    static uint32_t qhs[NQ];
    static int qrep[NQ];
    ckp_query q;
    ckp_query_init(&q);
    sampler sm = {0, in.rows / NQ + 1, qhs, qrep, 0};
    ckp_store_scan(s, &q, sample_fn, &sm, &err);
    int nq = sm.n;

    ckp_hsset **sets = malloc(sizeof *sets * (size_t)(nq ? nq : 1));
    for (int i = 0; i < nq; i++) {
        sets[i] = ckp_hsset_new();
        ckp_hsset_add(sets[i], qhs[i]);
    }
    acc a = {0, 0};
    t0 = now();
    for (int i = 0; i < nq; i++) {
        ckp_query_init(&q);
        q.hs = sets[i];
        q.reporter = qrep[i];
        ckp_store_scan(s, &q, add_row, &a, &err);
    }
    double t_dep = (now() - t0) / (nq ? nq : 1);
    printf("bench ingest: query_hs6_reporter %.1f us (%d queries, %.1f rows each)\n",
           t_dep * 1e6, nq, nq ? (double)a.rows / nq : 0.0);
    a = (acc){0, 0};
    t0 = now();
    for (int i = 0; i < nq; i++) {
        ckp_query_init(&q);
        q.hs = sets[i];
        ckp_store_scan(s, &q, add_row, &a, &err);
    }
    double t_hs = (now() - t0) / (nq ? nq : 1);
    printf("bench ingest: query_hs6_all_partners %.1f us (%.0f rows each)\n", t_hs * 1e6,
           nq ? (double)a.rows / nq : 0.0);

    a = (acc){0, 0};
    ckp_query_init(&q);
    t0 = now();
    ckp_store_scan(s, &q, add_row, &a, &err);
    double t_full = now() - t0;
    printf("bench ingest: full_scan_rows %.3f s (%llu rows, %.0f M rows/s)\n", t_full,
           (unsigned long long)a.rows, (double)a.rows / t_full / 1e6);

    hhi_ctx h;
    h.nc = ckp_store_country_count(s);
    h.np = ckp_store_period_count(s);
    size_t cells = (size_t)h.nc * (size_t)h.np + 1;
    h.total = calloc(cells, sizeof(double));
    h.sumsq = calloc(cells, sizeof(double));
    h.touched = malloc(cells * sizeof(int));
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        h.ntouched = 0;
        h.groups = 0;
        h.checksum = 0;
        t0 = now();
        ckp_store_scan_cols(s, NULL, hhi_block, &h, &err);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    printf("bench ingest: full_scan_hhi_all_groups %.3f s (%llu importer x HS6 x year groups, "
           "%.0f M rows/s)\n",
           best, (unsigned long long)h.groups, (double)in.rows / best / 1e6);
    for (int i = 0; i < nq; i++)
        ckp_hsset_free(sets[i]);
    free(sets);
    free(h.total);
    free(h.sumsq);
    free(h.touched);
    ckp_store_close(s);
    ckp_ref_free(ref);
    return 0;
}


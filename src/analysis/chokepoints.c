/* chokepoints.c — the `chokepoints` verb: one streaming pass over every
 * importer × HS6 × year of the store; for each, the top supplier, its share,
 * the HHI, the value and the number of suppliers; the K groups that matter
 * most (value imported from the top supplier) are kept in a heap.
 *
 * Memory: per HS code, one list of (supplier, value) per importer × year ×
 * side in a pool reused from code to code; O(rows of one HS code), never the
 * store.  Rows are read through ckp_store_scan_cols (store.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_int.h"
#include "chokepoint/coverage.h"
#include "core/grow.h"
#include "core/vec.h"

#define POOL_MAX 200000000u /* entries for one HS code */
#define LIMIT_MAX 10000000  /* --limit */

typedef struct group_out {
    uint32_t hs;
    int importer;   /* ref id */
    int year;
    int top;        /* ref id */
    double top_share, hhi, value, score;
    int suppliers;
    int mirror;
    uint64_t sources; /* store sources of the reports used (ckp_source_bit) */
} group_out;

typedef struct cp_state {
    ckp_env *env;
    const ckp_store *store;
    const ckp_ref *ref;
    int nsc, nyears, ymin;
    int mode;            /* 0 auto, 1 mirror on, 2 mirror off */
    double margin;
    double min_share, min_value;
    /* cells: (importer idx * nyears + year idx) * 2 + side(0 M, 1 X) */
    int *head;
    int *touched;        /* cell pairs (importer*nyears+year) touched */
    int ntouched;
    unsigned char *tflag;
    signed char *reports; /* importer idx × year: -1 unknown, 0/1 */
    /* pool */
    int *next, *sup;
    double *val;
    uint64_t *src;       /* per entry: ckp__pairval.sources */
    uint32_t npool;
    size_t cap;
    uint32_t cur_hs;
    int blocks;          /* blocks seen for cur_hs */
    int failed;
    /* output */
    ckp_writer *w;
    long limit;          /* 0 = every group, in scan order */
    group_out *heap;
    long nheap;
    long groups, kept;
    ckp_status wst;
    /* scratch */
    int *ssup;
    double *sval;
} cp_state;

static void heap_sift_down(group_out *h, long n, long i)
{
    for (;;) {
        long l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && h[l].score < h[m].score)
            m = l;
        if (r < n && h[r].score < h[m].score)
            m = r;
        if (m == i)
            return;
        group_out t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void heap_push(cp_state *s, const group_out *g)
{
    if (s->nheap < s->limit) {
        long i = s->nheap++;
        s->heap[i] = *g;
        while (i > 0) {
            long p = (i - 1) / 2;
            if (s->heap[p].score <= s->heap[i].score)
                break;
            group_out t = s->heap[p];
            s->heap[p] = s->heap[i];
            s->heap[i] = t;
            i = p;
        }
    } else if (g->score > s->heap[0].score) {
        s->heap[0] = *g;
        heap_sift_down(s->heap, s->nheap, 0);
    }
}

static void write_group(cp_state *s, ckp_writer *w, const group_out *g)
{
    char hs6[8], per[8];
    ckp_writer_str(w, ckp_ref_iso3(s->ref, g->importer));
    ckp_writer_str(w, ckp_hs_format(g->hs, 6, hs6));
    snprintf(per, sizeof per, "%04d", g->year % 10000);
    ckp_writer_str(w, per);
    ckp_writer_str(w, ckp_ref_iso3(s->ref, g->top));
    ckp_writer_num(w, g->top_share);
    ckp_writer_num(w, g->hhi);
    ckp_writer_num(w, g->value);
    ckp_writer_int(w, g->suppliers);
    ckp_writer_str(w, g->mirror ? "mirror" : "reported");
    ckp_writer_num(w, g->score);
    ckp_answer_row_sources(ckp_verb_answer(w), g->sources);
}

static int reports_m(cp_state *s, int imp, int y)
{
    signed char *r = &s->reports[(size_t)imp * (size_t)s->nyears + (size_t)y];
    if (*r < 0)
        *r = (signed char)ckp__reports(s->env, ckp__country(s->env, imp), 'M',
                                       s->ymin + y);
    return *r;
}

/* Stats of one cell's list; duplicates (same supplier from two edition
 * blocks of one code) merged when blocks > 1. */
static int cell_stats(cp_state *s, int head, int merge, group_out *g)
{
    int n = 0;
    g->sources = 0;
    for (int e = head; e >= 0; e = s->next[e]) {
        s->ssup[n] = s->sup[e];
        s->sval[n] = s->val[e];
        g->sources |= s->src[e];
        n++;
    }
    if (merge && n > 1) {
        /* sort (supplier, value) pairs by supplier (insertion sort: a
         * cell holds at most a few hundred suppliers) and merge */
        for (int i = 1; i < n; i++) {
            int k = s->ssup[i];
            double v = s->sval[i];
            int j = i - 1;
            while (j >= 0 && s->ssup[j] > k) {
                s->ssup[j + 1] = s->ssup[j];
                s->sval[j + 1] = s->sval[j];
                j--;
            }
            s->ssup[j + 1] = k;
            s->sval[j + 1] = v;
        }
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (m && s->ssup[m - 1] == s->ssup[i])
                s->sval[m - 1] += s->sval[i];
            else {
                s->ssup[m] = s->ssup[i];
                s->sval[m] = s->sval[i];
                m++;
            }
        }
        n = m;
    }
    double tot = 0, mx = -1;
    int top = -1, k = 0;
    for (int i = 0; i < n; i++) {
        double v = s->sval[i];
        if (!(v > 0))
            continue;
        tot += v;
        k++;
        if (v > mx) {
            mx = v;
            top = s->ssup[i];
        }
    }
    if (k == 0 || tot <= 0)
        return 0;
    double sq = 0;
    for (int i = 0; i < n; i++) {
        double v = s->sval[i];
        if (v > 0) {
            double sh = 100.0 * v / tot;
            sq += sh * sh;
        }
    }
    g->top = ckp__country(s->env, top);
    g->top_share = mx / tot;
    g->hhi = sq;
    g->value = tot;
    g->suppliers = k;
    return 1;
}

static void finish_hs(cp_state *s)
{
    int merge = s->blocks > 1;
    for (int t = 0; t < s->ntouched; t++) {
        int pair = s->touched[t];
        s->tflag[pair] = 0;
        int imp = pair / s->nyears, y = pair % s->nyears;
        int hm = s->head[pair * 2], hx = s->head[pair * 2 + 1];
        s->head[pair * 2] = s->head[pair * 2 + 1] = -1;
        int use_x;
        if (s->mode == 1)
            use_x = 1;
        else if (s->mode == 2)
            use_x = 0;
        else
            use_x = hm < 0 || !reports_m(s, imp, y);
        int h = use_x ? hx : hm;
        if (h < 0)
            continue;
        group_out g;
        if (!cell_stats(s, h, merge, &g))
            continue;
        if (use_x)
            g.value *= 1 + s->margin;
        g.hs = s->cur_hs;
        g.importer = ckp__country(s->env, imp);
        g.year = s->ymin + y;
        g.mirror = use_x;
        g.score = g.value * g.top_share;
        s->groups++;
        if (g.top_share < s->min_share || g.value < s->min_value)
            continue;
        s->kept++;
        if (s->limit > 0) {
            heap_push(s, &g);
        } else if (s->wst == CKP_OK) {
            write_group(s, s->w, &g);
            s->wst = ckp_writer_end_row(s->w);
        }
    }
    s->ntouched = 0;
    s->npool = 0;
    s->blocks = 0;
}

static void on_block(uint32_t hs, void *ctx)
{
    cp_state *s = ctx;
    if (s->blocks && hs != s->cur_hs)
        finish_hs(s);
    s->cur_hs = hs;
    s->blocks++;
}

static void on_pair(const ckp__pairval *pv, void *ctx)
{
    cp_state *s = ctx;
    if (s->failed)
        return;
    int y = pv->key / 100 - s->ymin;
    if (y < 0 || y >= s->nyears)
        return;
    if (s->npool == s->cap &&
        ckp__grow_to((size_t)s->npool + 1, &s->cap, POOL_MAX, CKP__GROW(s->next),
                     CKP__GROW(s->sup), CKP__GROW(s->val), CKP__GROW(s->src),
                     CKP__GROW(s->ssup), CKP__GROW(s->sval), (void *)0) != 0) {
        s->failed = 1;
        return;
    }
    int pair = pv->importer * s->nyears + y;
    int cell = pair * 2 + (pv->side == 'X');
    if (!s->tflag[pair]) {
        s->tflag[pair] = 1;
        s->touched[s->ntouched++] = pair;
    }
    uint32_t e = s->npool++;
    s->sup[e] = pv->exporter;
    s->val[e] = pv->value;
    s->src[e] = pv->sources;
    s->next[e] = s->head[cell];
    s->head[cell] = (int)e;
}

static int cmp_score_desc(const void *a, const void *b)
{
    const group_out *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->hs != y->hs)
        return x->hs < y->hs ? -1 : 1;
    return x->importer - y->importer;
}

static const ckp_param params[] = {
    {"period", CKP_PARAM_STR, "P", "one year (YYYY); default every year", 0, 1},
    {"from", CKP_PARAM_STR, "P", "first year", 0, 1},
    {"to", CKP_PARAM_STR, "P", "last year", 0, 1},
    {"hs", CKP_PARAM_LIST, "H", "only these HS codes, prefixes or groups", 0, 1},
    {"min-share", CKP_PARAM_NUM, "S", "only groups whose top supplier has at least S (0-1)", 0,
     1},
    {"min-value", CKP_PARAM_NUM, "V", "only groups importing at least V USD", 0, 1},
    {"limit", CKP_PARAM_INT, "K", "the K groups with the most value from their top supplier "
                                  "(default 100; 0 = every group, in scan order)", 0, 1},
    {"mirror", CKP_PARAM_STR, "auto|on|off", "partners' export reports for silent importers "
                                             "(default auto)", 0, 1},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column columns[] = {
    {"importer", CKP_COL_STR, 0},  {"hs", CKP_COL_STR, 0},     {"period", CKP_COL_STR, 0},
    {"top_supplier", CKP_COL_STR, 0}, {"top_share", CKP_COL_NUM, 4}, {"hhi", CKP_COL_NUM, 0},
    {"value", CKP_COL_NUM, 0},     {"suppliers", CKP_COL_INT, 0}, {"source", CKP_COL_STR, 0},
    {"score", CKP_COL_NUM, 0}};

static ckp_status run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                      size_t summary_len, ckp_error *err)
{
    const ckp_ref *ref = ckp_env_ref(env);
    cp_state s;
    memset(&s, 0, sizeof s);
    int32_t from, to;
    ckp_hsset *hs = NULL;
    ckp_status st = ckp_args_periods(args, &from, &to, err);
    if (st != CKP_OK)
        return st;
    st = ckp_args_num(args, "min-share", 0, &s.min_share, err);
    if (st == CKP_OK)
        st = ckp_args_num(args, "min-value", 0, &s.min_value, err);
    if (st == CKP_OK)
        st = ckp_args_int(args, "limit", 100, &s.limit, err);
    if (st != CKP_OK)
        return st;
    if (s.limit < 0 || s.limit > LIMIT_MAX)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--limit takes 0 to %d", LIMIT_MAX);
    const char *ms = ckp_args_get(args, "mirror");
    if (ms && strcmp(ms, "on") == 0)
        s.mode = 1;
    else if (ms && strcmp(ms, "off") == 0)
        s.mode = 2;
    else if (ms && strcmp(ms, "auto") != 0)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--mirror takes auto, on or off");
    st = ckp_args_hsset(args, ref, "hs", 0, &hs, err);
    if (st != CKP_OK)
        return st;
    const ckp_store *store;
    st = ckp_env_store(env, &store, err);
    if (st != CKP_OK)
        goto out;
    s.store = store;
    s.ref = ref;
    s.w = w;
    s.margin = CKP_CIF_FOB_DEFAULT;
    s.env = env;
    s.nsc = ckp__ncountries(env);
    int np = ckp__nperiods(env);
    if (np == 0 || s.nsc == 0)
        goto summary;
    s.ymin = CKP_PERIOD_YEAR(ckp__period(env, 0));
    s.nyears = CKP_PERIOD_YEAR(ckp__period(env, np - 1)) - s.ymin + 1;
    size_t npair = (size_t)s.nsc * (size_t)s.nyears;
    s.head = malloc(npair * 2 * sizeof *s.head);
    s.touched = malloc(npair * sizeof *s.touched);
    s.tflag = calloc(npair, 1);
    s.reports = malloc(npair);
    if (s.limit > 0)
        s.heap = malloc((size_t)s.limit * sizeof *s.heap);
    if (!s.head || !s.touched || !s.tflag || !s.reports || (s.limit > 0 && !s.heap)) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    memset(s.head, 0xff, npair * 2 * sizeof *s.head);
    memset(s.reports, 0xff, npair);
    ckp__collect c;
    memset(&c, 0, sizeof c);
    c.env = env;
    c.store = store;
    c.ref = ref;
    c.hs = hs;
    c.reporter = c.partner = -1;
    c.from = from ? from / 100 * 100 : 0;
    c.to = to ? to / 100 * 100 : 0;
    c.want_x = s.mode != 2;
    c.want_m = s.mode != 1;
    c.block = on_block;
    c.emit = on_pair;
    c.ctx = &s;
    if (!ckp_env_flows(env))
        ckp_answer_track(ckp_verb_answer(w)); /* each row names its sources */
    st = ckp__collect_run(&c, err);
    if (st == CKP_OK && s.blocks)
        finish_hs(&s);
    if (st == CKP_OK && s.failed)
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "one HS code has too many flows");
    if (st != CKP_OK)
        goto out;
    if (s.wst != CKP_OK) {
        st = ckp_error_set(err, s.wst, NULL, 0, 0, "cannot write output");
        goto out;
    }
    if (s.limit > 0) {
        qsort(s.heap, (size_t)s.nheap, sizeof *s.heap, cmp_score_desc);
        for (long i = 0; i < s.nheap; i++) {
            write_group(&s, w, &s.heap[i]);
            st = ckp_writer_end_row(w);
            if (st != CKP_OK) {
                ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
                goto out;
            }
        }
    }
summary:
    if (s.limit > 0 && s.nheap > 0) {
        const group_out *g = &s.heap[0];
        char hb[32], vb[32], hs6[8], lead[400];
        ckp_coverage cov;
        memset(&cov, 0, sizeof cov);
        if (summary && summary_len) {
            /* a thin coverage: a share of the flows reported, never of the
             * importer's imports */
            ckp_hsset *one = ckp_hsset_new();
            if (!one) {
                st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
                goto out;
            }
            ckp_hsset_add_code(ref, one, g->hs, 0);
            ckp_cov_scope scope = {CKP_COV_IMPORTER, one, (int32_t)g->year * 100, g->importer,
                                   g->mirror, {0}, 0, NULL};
            st = ckp_coverage_of(env, &scope, &cov, err);
            ckp_hsset_free(one);
            if (st != CKP_OK)
                goto out;
        }
        if (cov.thin)
            ckp__summary(summary, summary_len,
                         "%ld importer x product x year groups scanned, %ld pass the filters; "
                         "first: thin coverage: %s%s supplied %.0f %% of %s going to %s in %d "
                         "(%s USD, HHI %s)",
                         s.groups, s.kept, ckp_coverage_lead(&cov, lead, sizeof lead),
                         ckp__name(ref, g->top), 100 * g->top_share, ckp_hs_format(g->hs, 6, hs6),
                         ckp__name(ref, g->importer), g->year,
                         ckp_format_thousands(g->value, 0, vb, sizeof vb),
                         ckp_format_thousands(g->hhi, 0, hb, sizeof hb));
        else
            ckp__summary(summary, summary_len,
                         "%ld importer x product x year groups scanned, %ld pass the filters; "
                         "first: %s supplied %.0f %% of %s's imports of %s in %d (%s USD, HHI %s)",
                         s.groups, s.kept, ckp__name(ref, g->top), 100 * g->top_share,
                         ckp__name(ref, g->importer), ckp_hs_format(g->hs, 6, hs6), g->year,
                         ckp_format_thousands(g->value, 0, vb, sizeof vb),
                         ckp_format_thousands(g->hhi, 0, hb, sizeof hb));
    } else {
        ckp__summary(summary, summary_len, "%ld importer x product x year groups scanned, %ld pass "
                     "the filters", s.groups, s.kept);
    }
out:
    CKP_FREE_ALL(s.head, s.touched, s.tflag, s.reports, s.heap, s.next, s.sup, s.val, s.src, s.ssup,
                 s.sval);
    ckp_hsset_free(hs);
    return st;
}

CKP_VERB_DEFINE(chokepoints, 30, 1) = {
    "chokepoints",
    "[--period P] [--hs H] [--min-share S] [--min-value V] [--limit K] [--mirror auto|on|off]",
    "every importer x product x year where one supplier dominates, in one pass",
    "One streaming pass over the store: for each importer x HS6 x year, the top\n"
    "supplier, its share, the HHI (0-10,000), the value and the number of suppliers.\n"
    "Importers that do not report imports for a year are seen through their partners'\n"
    "export reports (source=mirror, raised by the default 6 % CIF/FOB margin).  The\n"
    "--limit K groups with the highest score (value x top share = the value that\n"
    "depends on the top supplier) are printed, highest first; --limit 0 prints every\n"
    "group in scan order (HS code, importer, year).",
    params,
    0,
    0,
    columns,
    sizeof columns / sizeof columns[0],
    run, NULL, NULL, 0};

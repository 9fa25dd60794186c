/* scan.c — the analyses' streaming collector over the store's columns, and
 * small shared helpers (see analysis_int.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_int.h"
#include "store/row_rule.h"

double ckp_hhi(const double *v, size_t n)
{
    double tot = 0, sq = 0;
    for (size_t i = 0; i < n; i++)
        tot += v[i] > 0 ? v[i] : 0;
    if (tot <= 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        double s = v[i] > 0 ? 100.0 * v[i] / tot : 0;
        sq += s * s;
    }
    return sq;
}

ckp_status ckp__countries_init(ckp__countries *cs, const ckp_store *store, const ckp_ref *ref,
                               ckp_error *err)
{
    cs->n = ckp_store_country_count(store);
    cs->ref_id = malloc((size_t)(cs->n ? cs->n : 1) * sizeof *cs->ref_id);
    cs->aggregate = malloc((size_t)(cs->n ? cs->n : 1));
    if (!cs->ref_id || !cs->aggregate) {
        ckp__countries_free(cs);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (int i = 0; i < cs->n; i++) {
        int id = ckp_store_country_id(store, i);
        const ckp_country *c = id >= 0 ? ckp_ref_country(ref, id) : NULL;
        cs->ref_id[i] = id;
        cs->aggregate[i] = (unsigned char)(!c || c->is_aggregate);
    }
    return CKP_OK;
}

void ckp__countries_free(ckp__countries *cs)
{
    free(cs->ref_id);
    free(cs->aggregate);
    cs->ref_id = NULL;
    cs->aggregate = NULL;
    cs->n = 0;
}

const char *ckp__name(const ckp_ref *ref, int id)
{
    const ckp_country *c = id >= 0 ? ckp_ref_country(ref, id) : NULL;
    return c ? (c->name && *c->name ? c->name : c->iso3) : "?";
}

int ckp__reports(const ckp_env *env, int reporter, int flow, int year)
{
    return ckp__has(env, reporter, flow, year * 100, year * 100 + 12);
}

void ckp__hs_label(const ckp_args *args, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < ckp_args_count(args, "hs"); i++) {
        int w = snprintf(buf + k, n - k, "%s%s", i ? "," : "", ckp_args_nth(args, "hs", i));
        if (w < 0 || (size_t)w >= n - k)
            break;
        k += (size_t)w;
    }
}

void ckp__level_cell(ckp_writer *w, unsigned levels)
{
    char buf[32];
    size_t k = 0;
    buf[0] = '\0';
    for (int l = 0; l <= 6; l += 2)
        if (levels & CKP__LEVEL_BIT(l))
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", k ? "+" : "",
                                  ckp_hs_level_name(l));
    ckp_writer_str(w, k ? buf : NULL);
}

void ckp__bool_cell(ckp_writer *w, int v)
{
    if (ckp_writer_format(w) == CKP_FMT_JSON)
        ckp_writer_json(w, v ? "true" : "false");
    else
        ckp_writer_str(w, v ? "true" : "false");
}

int ckp__levels_of(const ckp__pairval *pv)
{
    return (int)CKP__LEVEL_BIT(pv->level) | (pv->from_detail ? CKP__LEVEL_DETAIL : 0);
}

void ckp__levels_cells(ckp_writer *w, int lev)
{
    if (!lev) {
        ckp_writer_null(w);
        ckp_writer_null(w);
        return;
    }
    ckp__level_cell(w, (unsigned)lev & (CKP__LEVEL_DETAIL - 1));
    ckp__bool_cell(w, lev & CKP__LEVEL_DETAIL);
}

void ckp__period_cell(ckp_writer *w, int32_t key)
{
    char buf[16];
    ckp_writer_str(w, ckp_period_format(key, buf));
}

void ckp__summary(char *summary, size_t len, const char *fmt, ...)
{
    if (!summary || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(summary, len, fmt, ap);
    va_end(ap);
}

/* ---- collector ---------------------------------------------------------- */

typedef struct collect_state {
    const ckp__collect *c;
    int nper;
    ckp__row_rule rule;        /* which rows count (store/row_rule.h) */
    int par_idx;               /* store index or -1 */
    /* per store period index */
    unsigned char *ok;         /* in [from, to] */
    int32_t *key;              /* key of the period */
    int *slot;                 /* accumulator slot of the period */
    unsigned char *annual;
    /* per slot */
    ckp__year_sum *sum;
    unsigned char *used;
    int32_t *slot_key;
    int *touched;
    int ntouched;
} collect_state;

static void flush(collect_state *s, uint32_t hs, int r, int p, int fc)
{
    ckp__pairval pv;
    pv.hs = hs;
    pv.exporter = fc == 0 ? r : p;
    pv.importer = fc == 0 ? p : r;
    pv.side = fc == 0 ? 'X' : 'M';
    pv.level = ckp_hs_key_level(hs);
    pv.from_detail = 0;
    pv.detail = NAN;
    for (int t = 0; t < s->ntouched; t++) {
        int k = s->touched[t];
        const ckp__year_sum *y = &s->sum[k];
        pv.key = s->slot_key[k];
        pv.value = y->value;
        pv.qty = y->qty_missing ? NAN : y->qty;
        pv.sources = y->sources;
        ckp_answer_sources(s->c->answer, pv.sources);
        s->c->emit(&pv, s->c->ctx);
        memset(&s->sum[k], 0, sizeof s->sum[k]);
        s->used[k] = 0;
    }
    s->ntouched = 0;
}

static int on_block(const ckp_store_cols *b, void *ctx)
{
    collect_state *s = ctx;
    const ckp__collect *c = s->c;
    if (c->block)
        c->block(b->hs, c->ctx);
    int run_r = -1, run_p = -1, run_f = -1;
    ckp_flow row;
    row.hs = b->hs;
    row.hs_edition = b->hs_edition;
    for (size_t i = 0; i < b->n; i++) {
        unsigned fc = b->flags[i] & 3u;
        row.reporter = b->reporter[i];
        row.partner = b->partner[i];
        row.flow = fc == 0 ? CKP_FLOW_EXPORT : fc == 1 ? CKP_FLOW_IMPORT : 0;
        row.period = b->period[i];
        row.source = b->source[i];
        if (!ckp__row_counts(&s->rule, &row))
            continue;
        int r = row.reporter, p = row.partner;
        if (r != run_r || p != run_p || (int)fc != run_f) {
            if (s->ntouched)
                flush(s, b->hs, run_r, run_p, run_f);
            run_r = r;
            run_p = p;
            run_f = (int)fc;
        }
        if (s->par_idx >= 0 && p != s->par_idx)
            continue;
        int per = b->period[i];
        if (per >= s->nper || !s->ok[per])
            continue;
        int k = s->slot[per];
        if (!s->used[k]) {
            s->used[k] = 1;
            s->slot_key[k] = s->key[per];
            s->touched[s->ntouched++] = k;
        }
        ckp__year_add(&s->sum[k], s->annual[per], b->value[i], b->qty[i],
                      ckp_source_bit(b->source[i]));
    }
    if (s->ntouched)
        flush(s, b->hs, run_r, run_p, run_f);
    return 0;
}

static ckp_status collect_store(const ckp__collect *c, ckp_error *err);
static ckp_status collect_levels(const ckp__collect *c, ckp_error *err);
static ckp_status collect_hs6_levels(const ckp__collect *c, ckp_error *err);
static int store_has_levels(const ckp__collect *c);

/* The collector's rows from the env's flows: the flow source set on it
 * (flows.h), else the store. */
static ckp_status collect_flows(const ckp__collect *c, ckp_error *err)
{
    const ckp_flow_source *src = c->env ? ckp_env_flows(c->env) : NULL;
    return src ? src->collect(src->self, c, err) : collect_store(c, err);
}

/* Every sum a verb makes of the collector's values is bounded by the sum of
 * all the values (and quantities) the collector hands out: when that one
 * is finite, so are theirs.  The guard keeps it, so an overflow (a store
 * written before ingest refused values above 1e15 USD, or partials with
 * such values) is an error, never a share of 0.0000 and a null HHI. */
typedef struct guard {
    const ckp__collect *c;
    double value, qty; /* sums of |value| and |qty| handed out */
} guard;

static void guard_emit(const ckp__pairval *pv, void *ctx)
{
    guard *g = ctx;
    g->value += fabs(pv->value);
    if (!isnan(pv->qty))
        g->qty += fabs(pv->qty);
    g->c->emit(pv, g->c->ctx);
}

static void guard_block(uint32_t hs, void *ctx)
{
    guard *g = ctx;
    g->c->block(hs, g->c->ctx);
}

ckp_status ckp__collect_run(const ckp__collect *c, ckp_error *err)
{
    guard g = {c, 0, 0};
    ckp__collect gc = *c;
    gc.emit = guard_emit;
    gc.block = c->block ? guard_block : NULL;
    gc.ctx = &g;
    const ckp_flow_source *src = c->env ? ckp_env_flows(c->env) : NULL; /* NULL: the store */
    if (!src) /* a flow source does not say which store sources gave rows */
        ckp_answer_track(c->answer);
    int levels = c->levels && ckp_hsset_asks_levels(c->hs);
    int hs6_only = src && src->hs6_only;
    if (levels && hs6_only && store_has_levels(c))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "partials hold HS6 rows only, and this store has TOTAL, chapter "
                             "or heading rows for the HS asked: answer it without --partial, "
                             "or ask for HS6 codes");
    ckp_status st;
    if (levels && !src && !store_has_levels(c))
        st = collect_hs6_levels(&gc, err); /* no aggregate row to resolve: stream */
    else if (levels && !hs6_only)
        st = collect_levels(&gc, err); /* from the store, or a flow source */
    else
        st = collect_flows(&gc, err);
    if (st == CKP_OK && (!isfinite(g.value) || !isfinite(g.qty)))
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                           "the %s summed here exceed the range of a double (a row above "
                           "1e15 USD or 1e15 units: a store written before ingest refused "
                           "them, or such partials); no share, HHI or total would be right: "
                           "re-ingest the files (they are rejected as value-out-of-range now)",
                           isfinite(g.value) ? "quantities" : "values");
    return st;
}

static ckp_status collect_store(const ckp__collect *c, ckp_error *err)
{
    collect_state s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.nper = ckp_store_period_count(c->store);
    int ncountries = ckp_store_country_count(c->store);
    s.par_idx = -1;
    if (c->partner >= 0) {
        s.par_idx = ckp_store_country_index(c->store, c->partner);
        if (s.par_idx < 0)
            return CKP_OK;
    }
    size_t np = (size_t)(s.nper ? s.nper : 1);
    unsigned char *agg = calloc((size_t)(ncountries ? ncountries : 1), 1);
    s.ok = calloc(np, 1);
    s.key = calloc(np, sizeof *s.key);
    s.slot = calloc(np, sizeof *s.slot);
    s.annual = calloc(np, 1);
    s.sum = calloc(np, sizeof *s.sum);
    s.used = calloc(np, 1);
    s.slot_key = calloc(np, sizeof *s.slot_key);
    s.touched = calloc(np, sizeof *s.touched);
    ckp_status st = CKP_OK;
    if (!agg || !s.ok || !s.key || !s.slot || !s.annual || !s.sum || !s.used || !s.slot_key ||
        !s.touched) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    {
        /* slots: annual keys share one slot per year (first period index of
         * the year); monthly keys one slot per period */
        int last_year = -1, year_slot = 0;
        for (int i = 0; i < s.nper; i++) {
            int32_t per = ckp_store_period(c->store, i);
            s.annual[i] = per % 100 == 0;
            s.ok[i] = (unsigned char)ckp_period_covers(c->from, c->to, per);
            if (c->monthly) {
                s.key[i] = per;
                s.slot[i] = i;
                s.annual[i] = 0; /* an annual row is its own key */
            } else {
                int y = per / 100;
                if (y != last_year) {
                    last_year = y;
                    year_slot = i;
                }
                s.key[i] = y * 100;
                s.slot[i] = year_slot;
            }
        }
    }
    for (int i = 0; i < ncountries; i++) {
        int id = ckp_store_country_id(c->store, i);
        const ckp_country *co = id >= 0 ? ckp_ref_country(c->ref, id) : NULL;
        agg[i] = (unsigned char)(!co || co->is_aggregate);
    }
    ckp__row_rule_init(&s.rule, c->store);
    s.rule.aggregate = agg;
    s.rule.ncountries = ncountries;
    s.rule.named_reporter = c->reporter >= 0 ? ckp_store_country_index(c->store, c->reporter) : -1;
    s.rule.named_partner = s.par_idx;
    s.rule.want_x = c->want_x;
    s.rule.want_m = c->want_m;
    ckp_query q;
    ckp_query_init(&q);
    q.hs = c->hs;
    q.levels = c->levels;
    q.reporter = c->reporter;
    st = ckp_store_scan_cols(c->store, &q, on_block, &s, err);
out:
    free(agg);
    free(s.ok);
    free(s.key);
    free(s.slot);
    free(s.annual);
    free(s.sum);
    free(s.used);
    free(s.slot_key);
    free(s.touched);
    return st;
}

/* ---- levels ---------------------------------------------------------------
 * With c->levels the store's blocks at every level the HS set asks for are
 * collected (one value per block, pair, side and period, as always), then
 * each cell — exporter, importer, side, period — is resolved apart:
 *   - every value is filed under its root: the coarsest asked key it lies
 *     under (a chapter for `--hs 28`, TOTAL for `--hs TOTAL`); an HS6 code
 *     of the set under no asked key stands alone, as today;
 *   - a root answers with its own reported row when the cell has one
 *     (from_detail 0; the sum of its finer rows, if any, goes to detail);
 *     else with the sum of its children (chapters under TOTAL, headings
 *     under a chapter, HS6 codes under a heading), each resolved the same
 *     way (from_detail 1).
 * So no value is ever added to a value at a coarser level that contains
 * it. */

typedef struct lv_ent {
    uint32_t hs, root;
    int e, i, side;
    int32_t key;
    double value, qty;
    uint64_t sources; /* ckp_source_bit mask of the rows summed */
} lv_ent;

typedef struct lv_buf {
    const ckp__collect *c;
    lv_ent *v;
    size_t n, cap;
    int failed;
} lv_buf;

#define LEVELS_MAX 50000000 /* values held for one query */

/* The coarsest asked key over hs (itself when none is asked). */
static uint32_t root_of(const ckp_hsset *set, uint32_t hs)
{
    uint32_t k = hs, root = hs;
    for (;;) {
        if (ckp_hsset_asked(set, k))
            root = k;
        if (k == CKP_HS_KEY_TOTAL)
            break;
        k = ckp_hs_key_parent(k);
    }
    return root;
}

/* Levels asked of a store with no aggregate row under them: every value is
 * an HS6 row, which answers for its root from detail (what collect_levels
 * would find), streamed without holding the values. */
static void hs6_emit(const ckp__pairval *pv, void *ctx)
{
    const ckp__collect *c = ctx;
    ckp__pairval r = *pv;
    r.hs = root_of(c->hs, pv->hs);
    r.level = ckp_hs_key_level(r.hs);
    r.from_detail = r.hs != pv->hs;
    r.detail = NAN;
    c->emit(&r, c->ctx);
}

static ckp_status collect_hs6_levels(const ckp__collect *c, ckp_error *err)
{
    ckp__collect hc = *c;
    hc.levels = 0;
    hc.block = NULL;
    hc.emit = hs6_emit;
    hc.ctx = (void *)c;
    return collect_store(&hc, err);
}

static void lv_emit(const ckp__pairval *pv, void *ctx)
{
    lv_buf *b = ctx;
    if (b->failed)
        return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        lv_ent *p = cap > LEVELS_MAX ? NULL : realloc(b->v, cap * sizeof *p);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->v = p;
        b->cap = cap;
    }
    lv_ent *e = &b->v[b->n++];
    e->hs = pv->hs;
    e->e = pv->exporter;
    e->i = pv->importer;
    e->side = pv->side;
    e->key = pv->key;
    e->value = pv->value;
    e->qty = pv->qty;
    e->sources = pv->sources;
    e->root = root_of(b->c->hs, pv->hs);
}

static int cmp_cell(const void *a, const void *b)
{
    const lv_ent *x = a, *y = b;
    if (x->e != y->e)
        return x->e < y->e ? -1 : 1;
    if (x->i != y->i)
        return x->i < y->i ? -1 : 1;
    if (x->side != y->side)
        return x->side - y->side;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->root != y->root)
        return x->root < y->root ? -1 : 1;
    return x->hs < y->hs ? -1 : x->hs > y->hs;
}

/* hs's ancestor (or itself) at level `level`. */
static uint32_t at_level(uint32_t hs, int level)
{
    while (ckp_hs_key_level(hs) > level)
        hs = ckp_hs_key_parent(hs);
    return hs;
}

static int cmp_child(const void *a, const void *b)
{
    const lv_ent *x = a, *y = b; /* root holds the child key here */
    if (x->root != y->root)
        return x->root < y->root ? -1 : 1;
    return x->hs < y->hs ? -1 : x->hs > y->hs;
}

static void add_qty(double *q, double v) { *q = isnan(*q) || isnan(v) ? NAN : *q + v; }

/* The value of `node` over v[0, n) (every entry lies under node or is it;
 * distinct keys): its own row when present, else the sum of its children.
 * Reorders v and uses its root fields. */
static void resolve(uint32_t node, lv_ent *v, size_t n, double *value, double *qty,
                    int *from_detail, double *detail)
{
    *detail = NAN;
    size_t own = n;
    for (size_t k = 0; k < n; k++)
        if (v[k].hs == node)
            own = k;
    int have_own = own < n;
    double sum = 0, sq = 0, d;
    int fd;
    int child = ckp_hs_key_level(node) + 2;
    if (have_own) { /* move it past the children */
        lv_ent t = v[own];
        v[own] = v[n - 1];
        v[n - 1] = t;
        n--;
    }
    if (n) {
        for (size_t k = 0; k < n; k++)
            v[k].root = at_level(v[k].hs, child);
        qsort(v, n, sizeof *v, cmp_child);
        for (size_t a = 0; a < n;) {
            size_t b = a;
            while (b < n && v[b].root == v[a].root)
                b++;
            double cv, cq;
            resolve(v[a].root, v + a, b - a, &cv, &cq, &fd, &d);
            sum += cv;
            add_qty(&sq, cq);
            a = b;
        }
    }
    if (have_own) {
        *value = v[n].value;
        *qty = v[n].qty;
        *from_detail = 0;
        if (n)
            *detail = sum;
        return;
    }
    *value = sum;
    *qty = sq;
    *from_detail = 1;
}

static ckp_status collect_levels(const ckp__collect *c, ckp_error *err)
{
    lv_buf b;
    memset(&b, 0, sizeof b);
    b.c = c;
    ckp__collect lc = *c;
    lc.emit = lv_emit;
    lc.block = NULL;
    lc.ctx = &b;
    lc.levels = 1;
    ckp_status st = collect_flows(&lc, err);
    if (st == CKP_OK && b.failed)
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "too many flows for one query");
    if (st != CKP_OK)
        goto out;
    if (b.n > 1)
        qsort(b.v, b.n, sizeof *b.v, cmp_cell);
    /* the same key twice in a cell (two HS editions of one code): one value */
    size_t u = 0;
    for (size_t k = 0; k < b.n; k++) {
        lv_ent *p = u ? &b.v[u - 1] : NULL;
        if (p && p->e == b.v[k].e && p->i == b.v[k].i && p->side == b.v[k].side &&
            p->key == b.v[k].key && p->hs == b.v[k].hs) {
            p->value += b.v[k].value;
            add_qty(&p->qty, b.v[k].qty);
            p->sources |= b.v[k].sources;
        } else {
            b.v[u++] = b.v[k];
        }
    }
    b.n = u;
    for (size_t a = 0; a < b.n;) {
        size_t z = a;
        while (z < b.n && b.v[z].e == b.v[a].e && b.v[z].i == b.v[a].i &&
               b.v[z].side == b.v[a].side && b.v[z].key == b.v[a].key && b.v[z].root == b.v[a].root)
            z++;
        ckp__pairval pv;
        pv.exporter = b.v[a].e;
        pv.importer = b.v[a].i;
        pv.side = b.v[a].side;
        pv.key = b.v[a].key;
        pv.hs = b.v[a].root;
        pv.level = ckp_hs_key_level(pv.hs);
        /* the sources of every row of the cell: the answering rows and the
         * detail beside them (detail_value) */
        pv.sources = 0;
        for (size_t k = a; k < z; k++)
            pv.sources |= b.v[k].sources;
        if (c->block)
            c->block(pv.hs, c->ctx);
        resolve(pv.hs, b.v + a, z - a, &pv.value, &pv.qty, &pv.from_detail, &pv.detail);
        c->emit(&pv, c->ctx);
        a = z;
    }
out:
    free(b.v);
    return st;
}

static int found_block(const ckp_store_cols *b, void *ctx)
{
    int *found = ctx;
    *found = ckp_hs_key_level(b->hs) < 6;
    return *found;
}

/* 1 when the store has a TOTAL, chapter or heading block c->hs asks for. */
static int store_has_levels(const ckp__collect *c)
{
    ckp_query q;
    ckp_query_init(&q);
    q.hs = c->hs;
    q.levels = 1;
    int found = 0;
    ckp_store_scan_cols(c->store, &q, found_block, &found, NULL);
    return found;
}

/* ---- pairs -------------------------------------------------------------- */

typedef struct pv_raw {
    int32_t year;
    int e, i, side;
    double v;
    int lev; /* ckp__levels_of */
} pv_raw;

typedef struct raw_vec {
    pv_raw *v;
    size_t n, cap;
    int failed;
} raw_vec;

#define PAIRS_MAX 50000000

static void raw_emit(const ckp__pairval *pv, void *ctx)
{
    raw_vec *r = ctx;
    if (r->failed)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        pv_raw *p = cap > PAIRS_MAX ? NULL : realloc(r->v, cap * sizeof *p);
        if (!p) {
            r->failed = 1;
            return;
        }
        r->v = p;
        r->cap = cap;
    }
    pv_raw *e = &r->v[r->n++];
    e->year = pv->key / 100;
    e->e = pv->exporter;
    e->i = pv->importer;
    e->side = pv->side;
    e->v = pv->value;
    e->lev = ckp__levels_of(pv);
}

static int cmp_raw(const void *a, const void *b)
{
    const pv_raw *x = a, *y = b;
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    if (x->e != y->e)
        return x->e < y->e ? -1 : 1;
    if (x->i != y->i)
        return x->i < y->i ? -1 : 1;
    return x->side - y->side;
}

ckp_status ckp__pairs_collect(ckp_env *env, const ckp_store *store, const ckp_ref *ref, const ckp_hsset *hs,
                              int32_t from, int32_t to, ckp_answer *answer, ckp__pairs *out,
                              ckp_error *err)
{
    memset(out, 0, sizeof *out);
    raw_vec r;
    memset(&r, 0, sizeof r);
    ckp__collect c;
    memset(&c, 0, sizeof c);
    c.env = env;
    c.store = store;
    c.ref = ref;
    c.hs = hs;
    c.reporter = c.partner = -1;
    c.from = from ? from / 100 * 100 : 0;
    c.to = to ? to / 100 * 100 : 0;
    c.want_x = c.want_m = 1;
    c.levels = 1;
    c.emit = raw_emit;
    c.ctx = &r;
    c.answer = answer;
    ckp_status st = ckp__collect_run(&c, err);
    if (st == CKP_OK && r.failed)
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "too many flows for one query");
    if (st != CKP_OK) {
        free(r.v);
        return st;
    }
    if (r.n > 1) /* r.v is NULL when nothing matched */
        qsort(r.v, r.n, sizeof *r.v, cmp_raw);
    out->v = malloc((r.n ? r.n : 1) * sizeof *out->v);
    if (!out->v) {
        free(r.v);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t k = 0; k < r.n; k++) {
        const pv_raw *e = &r.v[k];
        ckp__pair *last = out->n ? &out->v[out->n - 1] : NULL;
        if (!last || last->year != e->year || last->exporter != e->e || last->importer != e->i) {
            last = &out->v[out->n++];
            last->year = e->year;
            last->exporter = e->e;
            last->importer = e->i;
            last->x = last->m = NAN;
            last->lev_x = last->lev_m = 0;
        }
        /* several HS codes of the set add up */
        if (e->side == 'X') {
            last->x = isnan(last->x) ? e->v : last->x + e->v;
            last->lev_x |= e->lev;
        } else {
            last->m = isnan(last->m) ? e->v : last->m + e->v;
            last->lev_m |= e->lev;
        }
    }
    free(r.v);
    return CKP_OK;
}

void ckp__pairs_free(ckp__pairs *p)
{
    free(p->v);
    memset(p, 0, sizeof *p);
}

int ckp__pair_levels(const ckp__pair *p, int side, int mirror)
{
    return (side == 'X') != (mirror != 0) ? p->lev_x : p->lev_m;
}

double ckp__pair_value(const ckp__pair *p, int side, double margin, int *mirror)
{
    *mirror = 0;
    if (side == 'X') {
        if (!isnan(p->x))
            return p->x;
        *mirror = 1;
        return isnan(p->m) ? 0 : p->m / (1 + margin);
    }
    if (!isnan(p->m))
        return p->m;
    *mirror = 1;
    return isnan(p->x) ? 0 : p->x * (1 + margin);
}

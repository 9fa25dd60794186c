/* merge.c — partial results on shards (--partial) and `merge` (merge.h,
 * docs/scale.md).
 *
 * Shard side: the verb runs as usual, but its collector (scan.c) hands the
 * rows to write_record() instead of the verb — at month resolution (annual
 * rows keep their YYYY00 key), after the verb's own filters — and the verb
 * then sees no data; the shard's period list and "who reports what when"
 * tables follow.  Merge side: every record is read, summed by key (HS code,
 * reporter, partner, flow, period), sorted in the store's row order (HS
 * code, reporter, partner, flow, period; countries in ISO3 order as in the
 * store), and the verb runs once over them: the merged flow source (flows.h) replays
 * them through the verb's emit callback exactly as the store collector would
 * (annual row preferred over the months of a year, quantities missing when
 * any month lacks one), and the env's flow tables (flows.h: countries,
 * periods, who reports what when) answer from the merged tables.  So the verb's final computation is its one `run`. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "analysis/analysis_int.h"
#include "chokepoint/flows.h"
#include "chokepoint/merge.h"
#include "core/cmp.h"
#include "core/vec.h"

#define LINE_MAX_BYTES (16u << 20) /* one partial line */
#define RECS_MAX 200000000u        /* records held by one merge */
#define ARGS_JSON_MAX 8192
#define RUN_MAX 1024                /* periods on one record line */
#define ID_LEN 16                   /* hex digits of a partial's id */
#define ID_MAX 64                   /* longest id read */

typedef struct prec {
    uint32_t hs;
    int rep, par;  /* ref ids while reading; merged indexes after build */
    int fc;        /* 0 X, 1 M */
    int32_t key;
    double v, q;   /* q NaN = missing */
} prec;

typedef struct prep {
    int country;   /* ref id */
    int fc;
    int32_t period;
} prep;

#define MAX_PART_SOURCES 64

struct ckp_partial {
    const ckp_ref *ref;
    /* writing: the current (HS, reporter, partner, flow) run */
    FILE *out;
    const ckp_store *store;
    int run_open;
    uint32_t run_hs;
    int run_rep, run_par, run_side;
    int32_t *run_key;
    double *run_v, *run_q;
    size_t run_n;
    uint64_t nlines;     /* lines written between header and trailer */
    /* replaying */
    prec *recs;
    size_t nrec, cap;
    prep *reps;
    size_t nrep, repcap;
    int32_t *periods;
    size_t nper, percap;
    int *cid;            /* merged index → ref id (ISO3 order) */
    int ncid;
    int *cidx;           /* ref id → merged index or -1 */
    unsigned char *has;  /* [ncid][2][nper] */
    /* the store sources the partials were computed from (their headers'
     * "sources"), in order of first appearance: the rows' provenance */
    char src_name[MAX_PART_SOURCES][128];
    unsigned char src_synth[MAX_PART_SOURCES];
    int nsrc;
};

static const ckp_verb *const supported[] = {&ckp_verb_dependency, &ckp_verb_chokepoints,
                                            &ckp_verb_concentration, &ckp_verb_alternatives,
                                            &ckp_verb_surge};

int ckp_partial_supported(const ckp_verb *v)
{
    for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++)
        if (v == supported[i] || (v && strcmp(v->name, supported[i]->name) == 0))
            return 1;
    return 0;
}

/* The flow source's source(): the headers' sources, in order. */
static const char *replay_source(const void *self, int i, int *synthetic)
{
    const ckp_partial *p = self;
    if (i < 0 || i >= p->nsrc)
        return NULL;
    *synthetic = p->src_synth[i];
    return p->src_name[i];
}

/* The store's selected sources as the header's "sources": {"real": [names],
 * "synthetic": [names]}. */
static void write_sources(FILE *out, const ckp_store *store)
{
    fputs("{", out);
    for (int k = 0; k < 2; k++) {
        fprintf(out, "%s\"%s\":[", k ? "," : "", k ? "synthetic" : "real");
        int n = 0;
        for (int i = 0; store && i < ckp_store_source_count(store); i++) {
            if (!ckp_store_source_selected(store, i) || ckp_store_source_synthetic(store, i) != k)
                continue;
            const char *name = ckp_store_source_name(store, i);
            const char *cur = ckp_store_source_currency(store, i);
            char buf[600];
            if (cur[0]) { /* as every row names it: the merged rows say so too */
                snprintf(buf, sizeof buf, "%.400s (%s converted to USD at monthly average rates)",
                         name, cur);
                name = buf;
            }
            if (n++)
                fputc(',', out);
            ckp_json_write_string(out, name, strlen(name));
        }
        fputs("]", out);
    }
    fputs("}", out);
}

static ckp_status write_collect(void *self, const void *collector, ckp_error *err);

int ckp__partial_writing(const ckp_env *env)
{
    const ckp_flow_source *f = ckp_env_flows(env);
    return f && f->collect == write_collect;
}

/* ---- the merged partials' tables (the replay flow source) ---------------- */

static int replay_ncountries(const void *self) { return ((const ckp_partial *)self)->ncid; }

static int replay_country(const void *self, int index)
{
    const ckp_partial *p = self;
    return index >= 0 && index < p->ncid ? p->cid[index] : -1;
}

static int replay_nperiods(const void *self) { return (int)((const ckp_partial *)self)->nper; }

static int32_t replay_period(const void *self, int i)
{
    const ckp_partial *p = self;
    return i >= 0 && (size_t)i < p->nper ? p->periods[i] : -1;
}

static int replay_has(const void *self, int reporter, int flow, int32_t from, int32_t to)
{
    const ckp_partial *p = self;
    int nref = ckp_ref_country_count(p->ref);
    if (reporter < 0 || reporter >= nref || p->cidx[reporter] < 0)
        return 0;
    size_t c = (size_t)p->cidx[reporter];
    for (int fc = 0; fc < 2; fc++) {
        if ((flow == 'X' && fc != 0) || (flow == 'M' && fc != 1))
            continue;
        const unsigned char *h = p->has + (c * 2 + (size_t)fc) * p->nper;
        for (size_t k = 0; k < p->nper; k++) {
            if (from && p->periods[k] < from)
                continue;
            if (to && p->periods[k] > to)
                break;
            if (h[k])
                return 1;
        }
    }
    return 0;
}

/* ---- shard side ------------------------------------------------------------ */

static void put_num(FILE *f, double v)
{
    if (isnan(v) || isinf(v))
        fputs("null", f);
    else
        fprintf(f, "%.17g", v);
}

/* One line per (HS, reporter, partner, flow) run of the collector: the
 * periods with their values and quantities as three parallel lists. */
static void flush_run(ckp_partial *p)
{
    if (!p->run_open || !p->run_n) {
        p->run_open = 0;
        return;
    }
    fprintf(p->out, "{\"hs\":\"%06u\",\"reporter\":\"%s\",\"partner\":\"%s\",\"flow\":\"%c\","
                    "\"period\":[",
            (unsigned)p->run_hs, ckp_ref_iso3(p->ref, ckp_store_country_id(p->store, p->run_rep)),
            ckp_ref_iso3(p->ref, ckp_store_country_id(p->store, p->run_par)), p->run_side);
    for (size_t i = 0; i < p->run_n; i++)
        fprintf(p->out, "%s%ld", i ? "," : "", (long)p->run_key[i]);
    fputs("],\"value\":[", p->out);
    for (size_t i = 0; i < p->run_n; i++) {
        if (i)
            fputc(',', p->out);
        put_num(p->out, p->run_v[i]);
    }
    fputs("],\"qty\":[", p->out);
    for (size_t i = 0; i < p->run_n; i++) {
        if (i)
            fputc(',', p->out);
        put_num(p->out, p->run_q[i]);
    }
    fputs("]}\n", p->out);
    p->nlines++;
    p->run_n = 0;
    p->run_open = 0;
}

static void write_record(const ckp__pairval *pv, void *ctx)
{
    ckp_partial *p = ctx;
    int rep = pv->side == 'X' ? pv->exporter : pv->importer;
    int par = pv->side == 'X' ? pv->importer : pv->exporter;
    if (p->run_open && (p->run_hs != pv->hs || p->run_rep != rep || p->run_par != par ||
                        p->run_side != pv->side || p->run_n == RUN_MAX))
        flush_run(p);
    if (!p->run_open) {
        p->run_open = 1;
        p->run_hs = pv->hs;
        p->run_rep = rep;
        p->run_par = par;
        p->run_side = pv->side;
    }
    p->run_key[p->run_n] = pv->key;
    p->run_v[p->run_n] = pv->value;
    p->run_q[p->run_n] = pv->qty;
    p->run_n++;
}

static ckp_status replay(const ckp__collect *c, const ckp_partial *p);

static ckp_status replay_collect(void *self, const void *collector, ckp_error *err)
{
    (void)err;
    return replay(collector, self);
}

/* The shard's flow source collect(): the collector's rows from the store
 * written as partial records. */
static ckp_status write_collect(void *self, const void *collector, ckp_error *err)
{
    const ckp__collect *c = collector;
    ckp_partial *p = self;
    /* the store's rows, by month (annual rows keep YYYY00): merge folds
     * them into years exactly as the collector does */
    ckp__collect w = *c;
    w.env = NULL;
    w.monthly = 1;
    w.levels = 0; /* HS6 records only (ckp__collect_run refuses levels the store has) */
    w.block = NULL;
    w.emit = write_record;
    w.ctx = p;
    p->store = c->store;
    ckp_status st = ckp__collect_run(&w, err);
    flush_run(p);
    return st;
}

/* Append args as a JSON object {"name":["value",…],…} in the order of the
 * verb's parameter table (the same text for the same parameters). */
static void args_json(const ckp_verb *v, const ckp_args *a, char *buf, size_t len)
{
    char *mem = NULL;
    size_t ml = 0;
    FILE *f = open_memstream(&mem, &ml);
    if (!f) {
        snprintf(buf, len, "{}");
        return;
    }
    fputc('{', f);
    int first = 1;
    for (const ckp_param *pa = v->params; pa && pa->name; pa++) {
        int n = ckp_args_count(a, pa->name);
        if (!n)
            continue;
        if (!first)
            fputc(',', f);
        first = 0;
        ckp_json_write_string(f, pa->name, strlen(pa->name));
        fputs(":[", f);
        for (int i = 0; i < n; i++) {
            const char *s = ckp_args_nth(a, pa->name, i);
            if (i)
                fputc(',', f);
            ckp_json_write_string(f, s, strlen(s));
        }
        fputc(']', f);
    }
    fputc('}', f);
    fclose(f);
    snprintf(buf, len, "%s", mem ? mem : "{}");
    free(mem);
}

static void write_tables(ckp_partial *p, const ckp_store *s)
{
    int np = ckp_store_period_count(s);
    fputs("{\"periods\":[", p->out);
    for (int i = 0; i < np; i++)
        fprintf(p->out, "%s%ld", i ? "," : "", (long)ckp_store_period(s, i));
    fputs("]}\n", p->out);
    p->nlines++;
    for (int c = 0; c < ckp_store_country_count(s); c++) {
        int id = ckp_store_country_id(s, c);
        for (int fc = 0; fc < 2; fc++) {
            int flow = fc ? 'M' : 'X';
            if (!ckp_store_reporter_has(s, id, flow, 0, 0))
                continue;
            fprintf(p->out, "{\"reports\":\"%s\",\"flow\":\"%c\",\"periods\":[",
                    ckp_ref_iso3(p->ref, id), flow);
            int k = 0;
            for (int i = 0; i < np; i++) {
                int32_t per = ckp_store_period(s, i);
                if (ckp_store_reporter_has(s, id, flow, per, per))
                    fprintf(p->out, "%s%ld", k++ ? "," : "", (long)per);
            }
            fputs("]}\n", p->out);
            p->nlines++;
        }
    }
}

/* A partial's id: 16 hex digits from the kernel's random source (mixed
 * with the time and pid should it fail), so that the header and trailer of
 * one partial pair up in a stream where the lines of many are mixed, and
 * the same partial given twice is seen. */
static void partial_id(char id[ID_LEN + 1])
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        r = ((uint64_t)t.tv_sec * 1000000007u) ^ (uint64_t)t.tv_nsec ^
            ((uint64_t)getpid() << 40);
        r *= 0x9E3779B97F4A7C15u;
    }
    snprintf(id, ID_LEN + 1, "%016" PRIx64, r);
}

ckp_status ckp_partial_run(const ckp_verb *v, ckp_env *env, const ckp_args *args, FILE *out,
                           ckp_error *err)
{
    if (!ckp_partial_supported(v))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--partial is not supported by %s (see docs/scale.md)", v->name);
    ckp_status st = ckp_args_check(args, v->params, 0, err);
    if (st != CKP_OK)
        return st;
    ckp_partial p;
    memset(&p, 0, sizeof p);
    p.ref = ckp_env_ref(env);
    p.out = out;
    p.run_key = malloc(RUN_MAX * sizeof *p.run_key);
    p.run_v = malloc(RUN_MAX * sizeof *p.run_v);
    p.run_q = malloc(RUN_MAX * sizeof *p.run_q);
    if (!p.run_key || !p.run_v || !p.run_q) {
        free(p.run_key);
        free(p.run_v);
        free(p.run_q);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    char aj[ARGS_JSON_MAX], id[ID_LEN + 1];
    args_json(v, args, aj, sizeof aj);
    partial_id(id);
    /* the store first: the header names the sources the rows come from (a
     * store that will not open fails in the verb's run, as without
     * --partial) */
    const ckp_store *store = NULL;
    ckp_error serr;
    ckp_error_clear(&serr);
    if (ckp_env_store(env, &store, &serr) != CKP_OK)
        store = NULL;
    fprintf(out,
            "{\"partial\":\"chokepoint\",\"version\":%d,\"id\":\"%s\",\"verb\":\"%s\","
            "\"args\":%s,\"sources\":",
            CKP_PARTIAL_VERSION, id, v->name, aj);
    write_sources(out, store);
    fputs("}\n", out);
    ckp_writer *w = ckp_writer_new_null(v->columns, v->ncolumns); /* the rows: not kept */
    if (!w) {
        free(p.run_key);
        free(p.run_v);
        free(p.run_q);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    ckp_flow_source shard = {.collect = write_collect, .hs6_only = 1, .self = &p};
    ckp_env_set_flows(env, &shard);
    st = ckp_writer_check(w, v->run(env, args, w, NULL, 0, err), err);
    ckp_writer_free(w);
    if (st == CKP_OK && ckp_env_store_if_open(env))
        write_tables(&p, ckp_env_store_if_open(env));
    /* the trailer: written only when the whole partial was, so that merge
     * can tell a complete partial from a cut one */
    if (st == CKP_OK)
        fprintf(out, "{\"end\":\"chokepoint\",\"id\":\"%s\",\"records\":%" PRIu64 "}\n", id,
                p.nlines);
    ckp_env_set_flows(env, NULL);
    free(p.run_key);
    free(p.run_v);
    free(p.run_q);
    if (st == CKP_OK && (fflush(out) != 0 || ferror(out)))
        st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write output");
    return st;
}

/* ---- merge side: reading --------------------------------------------------- */

/* Where the line being read is: for errors. */
typedef struct lpos {
    const char *file;
    long line;
    ckp_error *err;
} lpos;

static ckp_status jfail(const lpos *l, long col, const char *what)
{
    return ckp_error_set(l->err, CKP_EPARSE, l->file, l->line, col,
                         "not a partial result line: %s", what);
}

/* A string member into buf (size len); "" when absent.  An error when it is
 * not a string or does not fit. */
static ckp_status jstr(const lpos *l, json_t *obj, const char *key, char *buf, size_t len)
{
    json_t *v = json_object_get(obj, key);
    buf[0] = '\0';
    if (!v)
        return CKP_OK;
    if (!json_is_string(v)) {
        char what[64];
        snprintf(what, sizeof what, "%s: expected a string", key);
        return jfail(l, 0, what);
    }
    if (json_string_length(v) >= len) {
        char what[64];
        snprintf(what, sizeof what, "%s: string too long", key);
        return jfail(l, 0, what);
    }
    memcpy(buf, json_string_value(v), json_string_length(v) + 1);
    return CKP_OK;
}

/* Several string members at once (jstr each, in order). */
typedef struct jfield {
    const char *key;
    char *buf;
    size_t len;
} jfield;

/* f ends with a {NULL} entry. */
static ckp_status jstrs(const lpos *l, json_t *obj, const jfield *f)
{
    ckp_status st = CKP_OK;
    for (; f->key && st == CKP_OK; f++)
        st = jstr(l, obj, f->key, f->buf, f->len);
    return st;
}

#define JFIELD(key, buf) {key, buf, sizeof buf}
#define JSTRS(l, obj, ...) jstrs(l, obj, (const jfield[]){__VA_ARGS__, {NULL, NULL, 0}})

/* Element i of a list of numbers: a number, or null (→ NaN). */
static ckp_status jnum(const lpos *l, json_t *v, double *out)
{
    if (json_is_null(v)) {
        *out = NAN;
        return CKP_OK;
    }
    if (!json_is_number(v) || isinf(json_number_value(v)) || isnan(json_number_value(v)))
        return jfail(l, 0, "expected a number");
    *out = json_number_value(v);
    return CKP_OK;
}

static int country_of(const ckp_ref *ref, const char *iso3)
{
    int id;
    if (ckp_ref_country_arg(ref, iso3, &id, NULL) != CKP_OK)
        return -1;
    return id;
}

/* A header or trailer read: pairs up by id within one input (file). */
typedef struct pmark {
    char id[ID_MAX];
    long line;
    int file;          /* index into the paths */
    int trailer;       /* 0 header, 1 trailer */
    uint64_t records;  /* trailer: lines it counts */
} pmark;

typedef struct mstate {
    ckp_partial *p;
    const ckp_ref *ref;
    char verb[64];
    char args[ARGS_JSON_MAX];
    char nargs[ARGS_JSON_MAX]; /* the first header's args, normalised */
    pmark *marks;
    size_t nmark, markcap;
    size_t file_mark0;         /* first mark of the current input */
    uint64_t file_lines;       /* record and table lines of the current input */
    int file;                  /* index of the current input */
    char hfile[256];
    long hline;
    int have_header;
    ckp_args *a;   /* from the first header */
} mstate;

/* Room for one more of the merge's growing tables. */
#define RESERVE_ONE(arr, cap, n, err)                                                        \
    CKP_ARRAY_RESERVE(arr, cap, (n) + 1, RECS_MAX, "partial records", err)

/* An object of lists of strings ({"importer": ["USA"], …}: a header's args
 * or sources): the values into a, its compact text into buf. */
static ckp_status parse_args(const lpos *l, json_t *obj, char *buf, size_t len, ckp_args *a)
{
    if (!json_is_object(obj))
        return jfail(l, 0, "args: expected an object");
    const char *name;
    json_t *vals;
    json_object_foreach(obj, name, vals) {
        size_t i;
        json_t *val;
        if (!json_is_array(vals))
            return jfail(l, 0, "args: expected a list of strings");
        json_array_foreach(vals, i, val) {
            if (!json_is_string(val) || strlen(name) >= 128 || json_string_length(val) >= 1024)
                return jfail(l, 0, "args: expected a list of strings");
            if (a && ckp_args_set(a, name, json_string_value(val)) != CKP_OK)
                return jfail(l, 0, "args: too many values");
        }
    }
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return ckp_error_set(l->err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    size_t n = strlen(text);
    if (n < len)
        memcpy(buf, text, n + 1);
    free(text);
    return n < len ? CKP_OK : jfail(l, 0, "args too long");
}

/* Add a header's sources ({"real": [...], "synthetic": [...]}, NULL when
 * the header has none) to the merged ones: partials of real and of
 * synthetic sources are never merged into one figure. */
static ckp_status add_sources(mstate *m, const lpos *l, const ckp_args *src)
{
    ckp_partial *p = m->p;
    for (int k = 0; src && k < 2; k++) {
        const char *kind = k ? "synthetic" : "real";
        for (int i = 0; i < ckp_args_count(src, kind); i++) {
            const char *name = ckp_args_nth(src, kind, i);
            int seen = 0;
            for (int s = 0; s < p->nsrc && !seen; s++)
                seen = strcmp(p->src_name[s], name) == 0 && p->src_synth[s] == k;
            if (seen)
                continue;
            if (p->nsrc == MAX_PART_SOURCES || strlen(name) >= sizeof p->src_name[0])
                return ckp_error_set(l->err, CKP_ELIMIT, l->file, l->line, 0,
                                     "more than %d sources, or a source name longer than "
                                     "127 bytes", MAX_PART_SOURCES);
            for (int s = 0; s < p->nsrc; s++)
                if (p->src_synth[s] != k)
                    return ckp_error_set(
                        l->err, CKP_EINVAL, l->file, l->line, 0,
                        "a partial of %s source '%s', but others are of %s source '%s': "
                        "real and synthetic figures are never merged", kind, name,
                        k ? "real" : "synthetic", p->src_name[s]);
            snprintf(p->src_name[p->nsrc], sizeof p->src_name[0], "%s", name);
            p->src_synth[p->nsrc++] = (unsigned char)k;
        }
    }
    return CKP_OK;
}

/* 1 when d is a period YYYYMM or YYYY00 (checked before any conversion). */
static int period_ok(double d)
{
    if (!(d >= 100000 && d <= 999912) || d != (double)(int32_t)d)
        return 0;
    return (int32_t)d % 100 <= 12;
}

/* A periods table line's list: the store's periods (country < 0) or the
 * periods in which country reports flow fc. */
static ckp_status period_list(const lpos *l, mstate *m, json_t *list, int country, int fc)
{
    ckp_partial *p = m->p;
    if (!json_is_array(list))
        return jfail(l, 0, "periods: expected a list");
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        double d;
        ckp_status st = jnum(l, v, &d);
        if (st != CKP_OK)
            return st;
        if (!period_ok(d))
            return jfail(l, 0, "periods: not a YYYYMM period");
        int32_t per = (int32_t)d;
        if (country < 0) {
            st = RESERVE_ONE(p->periods, p->percap, p->nper, l->err);
            if (st != CKP_OK)
                return st;
            p->periods[p->nper++] = per;
        } else {
            st = RESERVE_ONE(p->reps, p->repcap, p->nrep, l->err);
            if (st != CKP_OK)
                return st;
            prep *r = &p->reps[p->nrep++];
            r->country = country;
            r->fc = fc;
            r->period = per;
        }
    }
    return CKP_OK;
}

/* ---- header parameters, normalised for comparison ------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One element of a parameter's value in canonical form: countries as ISO3,
 * HS codes and group names without dots and in lower case, numbers and
 * periods as numbers, enumerations in lower case. */
static void norm_elem(const ckp_ref *ref, const ckp_param *pa, const char *in, char *out,
                      size_t len)
{
    while (*in == ' ')
        in++;
    char t[1024];
    snprintf(t, sizeof t, "%s", in);
    size_t n = strlen(t);
    while (n && t[n - 1] == ' ')
        t[--n] = '\0';
    const char *mv = pa->metavar ? pa->metavar : "";
    char *end;
    int id;
    int32_t per;
    if (pa->kind == CKP_PARAM_FLAG) {
        snprintf(out, len, "%d", !(strcmp(t, "0") == 0 || strcasecmp(t, "false") == 0 ||
                                   strcasecmp(t, "no") == 0));
    } else if ((strcmp(mv, "C") == 0 || strcmp(mv, "A") == 0) &&
               ckp_ref_country_arg(ref, t, &id, NULL) == CKP_OK) {
        snprintf(out, len, "%s", ckp_ref_iso3(ref, id));
    } else if (strcmp(mv, "H") == 0) {
        size_t k = 0;
        for (size_t i = 0; t[i] && k + 1 < len; i++)
            if (t[i] != '.')
                out[k++] = (char)tolower((unsigned char)t[i]);
        out[k] = '\0';
    } else if (pa->kind == CKP_PARAM_NUM && n && (strtod(t, &end), *end == '\0')) {
        snprintf(out, len, "%.17g", strtod(t, NULL));
    } else if (pa->kind == CKP_PARAM_INT && n && (strtol(t, &end, 10), *end == '\0')) {
        snprintf(out, len, "%ld", strtol(t, NULL, 10));
    } else if (strcmp(mv, "P") == 0 && ckp_period_parse(t, &per, NULL) == CKP_OK) {
        snprintf(out, len, "%ld", (long)per);
    } else if (strchr(mv, '|') || strcmp(mv, "C") == 0 || strcmp(mv, "A") == 0) {
        size_t k = 0;
        for (size_t i = 0; t[i] && k + 1 < len; i++)
            out[k++] = (char)(strchr(mv, '|') ? tolower((unsigned char)t[i])
                                              : toupper((unsigned char)t[i]));
        out[k] = '\0';
    } else {
        snprintf(out, len, "%s", t);
    }
}

/* The parameters of a header as one canonical text, in the order of v's
 * parameter table: `--hs 261710,282580` and `--hs 282580,261710` (or
 * `--importer usa` and `USA`) give the same text.  Sets (countries, HS
 * codes, list parameters) are split at commas, sorted and deduplicated. */
static void norm_args(const ckp_verb *v, const ckp_ref *ref, const ckp_args *a, char *buf,
                      size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    enum { ELEMS = 256 };
    char *el[ELEMS];
    for (const ckp_param *pa = v->params; pa && pa->name; pa++) {
        int n = ckp_args_count(a, pa->name);
        if (!n)
            continue;
        const char *mv = pa->metavar ? pa->metavar : "";
        int set = pa->kind == CKP_PARAM_LIST || strcmp(mv, "C") == 0 || strcmp(mv, "A") == 0 ||
                  strcmp(mv, "H") == 0;
        int ne = 0;
        for (int i = 0; i < n && ne < ELEMS; i++) {
            const char *val = ckp_args_nth(a, pa->name, i);
            if (pa->kind == CKP_PARAM_FLAG && i + 1 < n)
                continue; /* the last one counts */
            while (val && ne < ELEMS) {
                const char *comma = set ? strchr(val, ',') : NULL;
                size_t l = comma ? (size_t)(comma - val) : strlen(val);
                char part[1024], normal[1024];
                snprintf(part, sizeof part, "%.*s", (int)(l < 1023 ? l : 1023), val);
                norm_elem(ref, pa, part, normal, sizeof normal);
                el[ne] = strdup(normal);
                if (!el[ne])
                    break;
                ne++;
                val = comma ? comma + 1 : NULL;
            }
        }
        if (set && ne > 1)
            qsort(el, (size_t)ne, sizeof *el, cmp_str);
        int w = snprintf(buf + k, len - k, "%s%s=", k ? ";" : "", pa->name);
        k = w > 0 && (size_t)w < len - k ? k + (size_t)w : len - 1;
        for (int i = 0; i < ne; i++) {
            if (!set || i == 0 || strcmp(el[i], el[i - 1]) != 0) {
                w = snprintf(buf + k, len - k, "%s%s", i ? "," : "", el[i]);
                k = w > 0 && (size_t)w < len - k ? k + (size_t)w : len - 1;
            }
        }
        for (int i = 0; i < ne; i++)
            free(el[i]);
    }
}

static ckp_status add_mark(mstate *m, const lpos *l, const char *id, int trailer,
                           uint64_t records)
{
    ckp_status st = RESERVE_ONE(m->marks, m->markcap, m->nmark, l->err);
    if (st != CKP_OK)
        return st;
    pmark *k = &m->marks[m->nmark++];
    snprintf(k->id, sizeof k->id, "%s", id);
    k->line = l->line;
    k->file = m->file;
    k->trailer = trailer;
    k->records = records;
    return CKP_OK;
}

/* The members a partial line may have; any other is an error. */
static const char *const line_keys[] = {"partial", "end", "id", "records", "version", "verb",
                                        "args", "sources", "hs", "reporter", "partner", "flow",
                                        "period", "value", "qty", "reports", "periods", NULL};

static ckp_status check_keys(const lpos *l, json_t *o)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        int known = 0;
        for (int i = 0; line_keys[i] && !known; i++)
            known = strcmp(key, line_keys[i]) == 0;
        if (!known)
            return jfail(l, 0, "unknown field");
    }
    return CKP_OK;
}

/* A number member (NaN when absent or not a number). */
static double num_of(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The first header read sets the verb and parameters (taking *hargs);
 * every later one must have the same. */
static ckp_status same_as_first(mstate *m, const lpos *l, const char *verb,
                                const char *argsbuf, const char *nargs, ckp_args **hargs)
{
    if (!m->have_header) {
        m->have_header = 1;
        snprintf(m->verb, sizeof m->verb, "%s", verb);
        snprintf(m->args, sizeof m->args, "%s", argsbuf);
        snprintf(m->nargs, sizeof m->nargs, "%s", nargs);
        snprintf(m->hfile, sizeof m->hfile, "%s", l->file);
        m->hline = l->line;
        m->a = *hargs;
        *hargs = NULL;
        return CKP_OK;
    }
    if (strcmp(m->verb, verb) != 0)
        return ckp_error_set(l->err, CKP_EINVAL, l->file, l->line, 0,
                             "partial of '%s', but %s:%ld is a partial of '%s': partials of "
                             "different verbs cannot be merged", verb, m->hfile, m->hline,
                             m->verb);
    if (strcmp(m->nargs, nargs) != 0)
        return ckp_error_set(l->err, CKP_EINVAL, l->file, l->line, 0,
                             "partial of '%s' with parameters %s, but %s:%ld has %s: "
                             "partials must come from the same parameters", verb, argsbuf,
                             m->hfile, m->hline, m->args);
    return CKP_OK;
}

/* A header: the verb, its args and sources; the first one read sets what
 * every other must match. */
static ckp_status read_header(mstate *m, const lpos *l, json_t *o)
{
    char magic[32], verb[64], id[ID_MAX], argsbuf[ARGS_JSON_MAX], sbuf[ARGS_JSON_MAX];
    ckp_status st = JSTRS(l, o, JFIELD("partial", magic), JFIELD("verb", verb), JFIELD("id", id));
    if (st != CKP_OK)
        return st;
    json_t *args = json_object_get(o, "args"), *sources = json_object_get(o, "sources");
    if (strcmp(magic, "chokepoint") != 0 || !verb[0] || !args)
        return jfail(l, 0, "header without partial, verb or args");
    double version = num_of(o, "version");
    if (version != CKP_PARTIAL_VERSION)
        return ckp_error_set(l->err, CKP_EPARSE, l->file, l->line, 0,
                             "partial format version %g, this chokepoint reads version %d",
                             version, CKP_PARTIAL_VERSION);
    if (!id[0])
        return jfail(l, 0, "header without its id");
    ckp_args *hargs = ckp_args_new(), *hsrc = sources ? ckp_args_new() : NULL;
    if (!hargs || (sources && !hsrc))
        st = ckp_error_set(l->err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == CKP_OK)
        st = parse_args(l, args, argsbuf, sizeof argsbuf, hargs);
    if (st == CKP_OK && sources)
        st = parse_args(l, sources, sbuf, sizeof sbuf, hsrc);
    char nargs[ARGS_JSON_MAX];
    const ckp_verb *hv = ckp_verb_find(verb);
    if (st == CKP_OK && hv)
        norm_args(hv, m->ref, hargs, nargs, sizeof nargs);
    else if (st == CKP_OK)
        snprintf(nargs, sizeof nargs, "%s", argsbuf);
    if (st == CKP_OK)
        st = add_mark(m, l, id, 0, 0);
    if (st == CKP_OK)
        st = add_sources(m, l, hsrc);
    if (st == CKP_OK)
        st = same_as_first(m, l, verb, argsbuf, nargs, &hargs);
    ckp_args_free(hargs);
    ckp_args_free(hsrc);
    return st;
}

static ckp_status read_trailer(mstate *m, const lpos *l, json_t *o)
{
    char magic[32], id[ID_MAX];
    ckp_status st = JSTRS(l, o, JFIELD("end", magic), JFIELD("id", id));
    if (st != CKP_OK)
        return st;
    double records = num_of(o, "records");
    if (strcmp(magic, "chokepoint") != 0 || !id[0])
        return jfail(l, 0, "trailer without end or id");
    if (!(records >= 0 && records <= 9007199254740992.0) || records != floor(records))
        return jfail(l, 0, "trailer: records is not a count");
    return add_mark(m, l, id, 1, (uint64_t)records);
}

/* A flow's X or M: 0 or 1, or -1 when it is neither. */
static int flow_of(const char *flow)
{
    return (flow[0] != 'X' && flow[0] != 'M') || flow[1] ? -1 : flow[0] == 'M';
}

/* One record line: an (HS, reporter, partner, flow) run of periods with
 * their values and quantities. */
static ckp_status read_record(mstate *m, const lpos *l, json_t *o)
{
    ckp_partial *p = m->p;
    char hs[16], rep[16], par[16], flow[8];
    ckp_status st = JSTRS(l, o, JFIELD("hs", hs), JFIELD("reporter", rep),
                          JFIELD("partner", par), JFIELD("flow", flow));
    if (st != CKP_OK)
        return st;
    char *end;
    unsigned long code = strtoul(hs, &end, 10);
    int r = country_of(m->ref, rep), q = country_of(m->ref, par), fc = flow_of(flow);
    json_t *per = json_object_get(o, "period"), *val = json_object_get(o, "value"),
           *qty = json_object_get(o, "qty");
    size_t n = json_array_size(per);
    if (strlen(hs) != 6 || *end || code > 999999 || !isdigit((unsigned char)hs[0]))
        return jfail(l, 0, "hs: not a 6-digit HS code");
    if (r < 0 || q < 0)
        return jfail(l, 0, "reporter/partner: unknown country");
    if (fc < 0)
        return jfail(l, 0, "flow: not X or M");
    if (!json_is_array(per) || !json_is_array(val) || !json_is_array(qty) || n == 0 ||
        json_array_size(val) != n || json_array_size(qty) != n)
        return jfail(l, 0, "period, value and qty must be lists of the same length");
    for (size_t k = 0; k < n; k++) {
        double d[3];
        for (int c = 0; c < 3 && st == CKP_OK; c++)
            st = jnum(l, json_array_get(c == 0 ? per : c == 1 ? val : qty, k), &d[c]);
        if (st == CKP_OK && !period_ok(d[0]))
            st = jfail(l, 0, "period: not YYYYMM or YYYY00");
        else if (st == CKP_OK && isnan(d[1]))
            st = jfail(l, 0, "value: null");
        if (st == CKP_OK)
            st = RESERVE_ONE(p->recs, p->cap, p->nrec, l->err);
        if (st != CKP_OK)
            return st;
        prec *e = &p->recs[p->nrec++];
        e->hs = (uint32_t)code;
        e->rep = r;
        e->par = q;
        e->fc = fc;
        e->key = (int32_t)d[0];
        e->v = d[1];
        e->q = d[2];
    }
    return CKP_OK;
}

/* A table line: the store's periods, or one country's reports of a flow. */
static ckp_status read_table(mstate *m, const lpos *l, json_t *o)
{
    json_t *list = json_object_get(o, "periods");
    if (!list)
        return jfail(l, 0, "neither a header, a record nor a table");
    if (!json_object_get(o, "reports"))
        return period_list(l, m, list, -1, 0);
    char reports[16], flow[8];
    ckp_status st = JSTRS(l, o, JFIELD("reports", reports), JFIELD("flow", flow));
    if (st != CKP_OK)
        return st;
    int c = country_of(m->ref, reports), fc = flow_of(flow);
    if (c < 0 || fc < 0)
        return jfail(l, 0, "reports: unknown country or flow");
    return period_list(l, m, list, c, fc);
}

/* One line of a partial: a header, a trailer, a record or a table. */
static ckp_status parse_line(mstate *m, const lpos *l, const char *line, size_t len)
{
    ckp_partial *p = m->p;
    size_t lead = strspn(line, " \t");
    if (line[lead] != '{')
        return jfail(l, (long)lead + 1, "expected a JSON object");
    json_error_t jerr;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
    if (!o)
        return jfail(l, (long)jerr.position + 1, jerr.text);
    size_t per0 = p->nper, rep0 = p->nrep, rec0 = p->nrec;
    int table = !json_object_get(o, "partial") && !json_object_get(o, "end");
    ckp_status st = check_keys(l, o);
    if (st == CKP_OK && json_object_get(o, "partial"))
        st = read_header(m, l, o);
    else if (st == CKP_OK && json_object_get(o, "end"))
        st = read_trailer(m, l, o);
    else if (st == CKP_OK && json_object_get(o, "hs"))
        st = read_record(m, l, o);
    else if (st == CKP_OK)
        st = read_table(m, l, o);
    if (st == CKP_OK && table)
        m->file_lines++;
    if (st != CKP_OK) {
        /* a bad line adds nothing */
        p->nper = per0;
        p->nrep = rep0;
        p->nrec = rec0;
    }
    json_decref(o);
    return st;
}

static int cmp_mark(const void *a, const void *b)
{
    const pmark *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    if (x->trailer != y->trailer)
        return x->trailer - y->trailer;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Every partial in one input has its header and its trailer, and the
 * trailers count exactly the record and table lines read: a lost header, a
 * cut tail, lost lines, a failed mapper's empty output are refused, the
 * file named. */
static ckp_status check_input(mstate *m, const char *path, ckp_error *err)
{
    size_t n = m->nmark - m->file_mark0;
    pmark *mk = n ? m->marks + m->file_mark0 : NULL;
    if (n == 0 && m->file_lines == 0)
        return ckp_error_set(err, CKP_EPARSE, path, 0, 0,
                             "no partial in this input (empty: did its mapper fail?)");
    if (n == 0)
        return ckp_error_set(err, CKP_EPARSE, path, 0, 0,
                             "%" PRIu64 " partial lines without a header or trailer: the "
                             "partial's header and trailer were lost",
                             m->file_lines);
    if (n > 1)
        qsort(mk, n, sizeof *mk, cmp_mark);
    uint64_t counted = 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        int h = 0, t = 0;
        while (e < n && strcmp(mk[e].id, mk[i].id) == 0) {
            if (mk[e].trailer)
                t++;
            else
                h++;
            e++;
        }
        if (h == 0)
            return ckp_error_set(err, CKP_EPARSE, path, mk[i].line, 0,
                                 "the trailer of partial %s has no header: the partial's "
                                 "header line was lost, the partial is incomplete",
                                 mk[i].id);
        if (t == 0)
            return ckp_error_set(err, CKP_EPARSE, path, mk[i].line, 0,
                                 "partial %s (its header is here) has no trailer: it was cut "
                                 "short or its mapper failed",
                                 mk[i].id);
        if (h > 1 || t > 1)
            return ckp_error_set(err, CKP_EPARSE, path, mk[i + 1].line, 0,
                                 "partial %s appears twice in this input: it would be "
                                 "counted twice",
                                 mk[i].id);
        counted += mk[e - 1].records;
        i = e;
    }
    if (counted != m->file_lines)
        return ckp_error_set(err, CKP_EPARSE, path, 0, 0,
                             "the trailers count %" PRIu64 " record lines but %" PRIu64
                             " were read: lines of a partial were lost or added",
                             counted, m->file_lines);
    return CKP_OK;
}

/* Across inputs: one partial given twice (two files, or a file twice)
 * would be counted twice; with expect > 0, exactly that many partials. */
static ckp_status check_all(mstate *m, const char *const *paths, int expect, ckp_error *err)
{
    size_t nh = 0;
    for (size_t i = 0; i < m->nmark; i++)
        if (!m->marks[i].trailer)
            m->marks[nh++] = m->marks[i];
    if (nh > 1)
        qsort(m->marks, nh, sizeof *m->marks, cmp_mark);
    for (size_t i = 1; i < nh; i++)
        if (strcmp(m->marks[i].id, m->marks[i - 1].id) == 0)
            return ckp_error_set(err, CKP_EINVAL, paths[m->marks[i].file], m->marks[i].line, 0,
                                 "partial %s was already read (%s:%ld): the same partial "
                                 "given twice would be counted twice",
                                 m->marks[i].id, paths[m->marks[i - 1].file],
                                 m->marks[i - 1].line);
    if (expect > 0 && nh != (size_t)expect)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "%zu partial%s read, --expect %d: %s", nh, nh == 1 ? "" : "s",
                             expect,
                             nh < (size_t)expect ? "a shard is missing"
                                                 : "more partials than shards");
    return CKP_OK;
}

static ckp_status read_file(mstate *m, const char *path, ckp_error *err)
{
    m->file_mark0 = m->nmark;
    m->file_lines = 0;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return ckp_error_set(err, CKP_ENOTFOUND, path, 0, 0, "cannot open: %s", strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    long ln = 0;
    ssize_t n;
    ckp_status st = CKP_OK;
    while ((n = getline(&line, &cap, f)) >= 0) {
        ln++;
        if ((size_t)n > LINE_MAX_BYTES) {
            st = ckp_error_set(err, CKP_ELIMIT, path, ln, 0, "line longer than %u bytes",
                               LINE_MAX_BYTES);
            break;
        }
        /* Hadoop Streaming hands lines back as key<TAB>value: drop a
         * trailing tab and the line end */
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == '\t' ||
                         line[n - 1] == ' '))
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (memchr(line, '\0', (size_t)n)) {
            st = ckp_error_set(err, CKP_EPARSE, path, ln, 0, "NUL byte in a partial line");
            break;
        }
        lpos l = {path, ln, err};
        st = parse_line(m, &l, line, (size_t)n);
        if (st != CKP_OK)
            break;
    }
    if (st == CKP_OK && ferror(f))
        st = ckp_error_set(err, CKP_EIO, path, ln, 0, "read error");
    if (st == CKP_OK)
        st = check_input(m, path, err);
    free(line);
    if (f != stdin)
        fclose(f);
    return st;
}

/* ---- merge side: building ------------------------------------------------- */

static const ckp_ref *sort_ref;

static int cmp_iso(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return strcmp(ckp_ref_iso3(sort_ref, x), ckp_ref_iso3(sort_ref, y));
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

/* The store's row order: HS code, reporter, partner, flow, period. */
static int cmp_rec(const void *a, const void *b)
{
    const prec *x = a, *y = b;
    return CKP_CMP_CHAIN(CKP_CMP(x->hs, y->hs), CKP_CMP(x->rep, y->rep), CKP_CMP(x->par, y->par),
                         CKP_CMP(x->fc, y->fc), CKP_CMP(x->key, y->key));
}

static ckp_status build(ckp_partial *p, ckp_error *err)
{
    int nref = ckp_ref_country_count(p->ref);
    p->cidx = malloc((size_t)(nref ? nref : 1) * sizeof *p->cidx);
    p->cid = malloc((size_t)(nref ? nref : 1) * sizeof *p->cid);
    if (!p->cidx || !p->cid)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < nref; i++)
        p->cidx[i] = 0;
    for (size_t i = 0; i < p->nrec; i++)
        p->cidx[p->recs[i].rep] = p->cidx[p->recs[i].par] = 1;
    for (size_t i = 0; i < p->nrep; i++)
        p->cidx[p->reps[i].country] = 1;
    p->ncid = 0;
    for (int i = 0; i < nref; i++)
        if (p->cidx[i])
            p->cid[p->ncid++] = i;
    sort_ref = p->ref;
    if (p->ncid > 1)
        qsort(p->cid, (size_t)p->ncid, sizeof *p->cid, cmp_iso);
    for (int i = 0; i < nref; i++)
        p->cidx[i] = -1;
    for (int i = 0; i < p->ncid; i++)
        p->cidx[p->cid[i]] = i;
    /* periods: the union of the shards' */
    if (p->nper > 1)
        qsort(p->periods, p->nper, sizeof *p->periods, cmp_i32);
    size_t u = 0;
    for (size_t i = 0; i < p->nper; i++)
        if (!u || p->periods[u - 1] != p->periods[i])
            p->periods[u++] = p->periods[i];
    p->nper = u;
    size_t nh = (size_t)p->ncid * 2 * (p->nper ? p->nper : 1);
    p->has = calloc(nh ? nh : 1, 1);
    if (!p->has)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < p->nrep; i++) {
        const prep *r = &p->reps[i];
        int32_t *hit = p->nper == 0 ? NULL : bsearch(&r->period, p->periods, p->nper, sizeof *p->periods, cmp_i32);
        if (hit)
            p->has[((size_t)p->cidx[r->country] * 2 + (size_t)r->fc) * p->nper +
                   (size_t)(hit - p->periods)] = 1;
    }
    /* records: merged indexes, store order, one per key (summed) */
    for (size_t i = 0; i < p->nrec; i++) {
        p->recs[i].rep = p->cidx[p->recs[i].rep];
        p->recs[i].par = p->cidx[p->recs[i].par];
    }
    if (p->nrec > 1)
        qsort(p->recs, p->nrec, sizeof *p->recs, cmp_rec);
    u = 0;
    for (size_t i = 0; i < p->nrec; i++) {
        prec *e = &p->recs[i];
        if (u && cmp_rec(&p->recs[u - 1], e) == 0) {
            prec *d = &p->recs[u - 1];
            d->v += e->v;
            d->q = isnan(d->q) || isnan(e->q) ? NAN : d->q + e->q;
        } else {
            p->recs[u++] = *e;
        }
    }
    p->nrec = u;
    return CKP_OK;
}

/* ---- merge side: replay ---------------------------------------------------- */

/* What the store collector does for one (HS, reporter, partner, flow) run
 * of records [a, b): filter periods, fold months into years (annual row
 * preferred) unless c->monthly, emit. */
static void replay_run(const ckp__collect *c, const prec *r, size_t a, size_t b)
{
    ckp__pairval pv;
    pv.sources = 0; /* the partials' headers name the sources */
    pv.hs = r[a].hs;
    pv.level = 6;
    pv.from_detail = 0;
    pv.detail = NAN;
    pv.side = r[a].fc ? 'M' : 'X';
    pv.exporter = r[a].fc ? r[a].par : r[a].rep;
    pv.importer = r[a].fc ? r[a].rep : r[a].par;
    for (size_t i = a; i < b;) {
        if (!ckp_period_covers(c->from, c->to, r[i].key)) {
            i++;
            continue;
        }
        if (c->monthly) {
            pv.key = r[i].key;
            pv.value = r[i].v;
            pv.qty = r[i].q;
            c->emit(&pv, c->ctx);
            i++;
            continue;
        }
        int32_t y = r[i].key / 100;
        double val = 0, qty = 0;
        int ann = 0, qmiss = 0;
        for (; i < b && r[i].key / 100 == y; i++) {
            if (!ckp_period_covers(c->from, c->to, r[i].key))
                continue;
            if (r[i].key % 100 == 0) {
                ann = 1;
                val = r[i].v;
                qty = isnan(r[i].q) ? 0 : r[i].q;
                qmiss = isnan(r[i].q);
            } else if (!ann) {
                val += r[i].v;
                if (isnan(r[i].q))
                    qmiss = 1;
                else
                    qty += r[i].q;
            }
        }
        pv.key = y * 100;
        pv.value = val;
        pv.qty = qmiss ? NAN : qty;
        c->emit(&pv, c->ctx);
    }
}

static ckp_status replay(const ckp__collect *c, const ckp_partial *p)
{
    const prec *r = p->recs;
    size_t i = 0;
    while (i < p->nrec) {
        uint32_t hs = r[i].hs;
        size_t hend = i;
        while (hend < p->nrec && r[hend].hs == hs)
            hend++;
        if (c->hs && !ckp_hsset_has(c->hs, hs)) {
            i = hend;
            continue;
        }
        if (c->block)
            c->block(hs, c->ctx);
        while (i < hend) {
            size_t j = i;
            while (j < hend && r[j].rep == r[i].rep && r[j].par == r[i].par && r[j].fc == r[i].fc)
                j++;
            int rep = p->cid[r[i].rep], par = p->cid[r[i].par];
            const ckp_country *rc = ckp_ref_country(c->ref, rep);
            const ckp_country *pc = ckp_ref_country(c->ref, par);
            int want = r[i].fc ? c->want_m : c->want_x;
            if (want && (c->reporter < 0 || rep == c->reporter) &&
                (c->partner < 0 || par == c->partner) && rc && pc && !rc->is_aggregate &&
                !pc->is_aggregate)
                replay_run(c, r, i, j);
            i = j;
        }
    }
    return CKP_OK;
}

/* ---- merge ------------------------------------------------------------------ */

static void partial_free(ckp_partial *p)
{
    CKP_FREE_ALL(p->recs, p->reps, p->periods, p->cid, p->cidx, p->has);
}

ckp_status ckp_merge_run(const ckp_ref *ref, const char *data_dir, const char *const *paths,
                         int n, int expect, ckp_format fmt, FILE *out, const char **verb_name,
                         char *summary, size_t summary_len, ckp_error *err)
{
    ckp_partial p;
    memset(&p, 0, sizeof p);
    p.ref = ref;
    mstate m;
    memset(&m, 0, sizeof m);
    m.p = &p;
    m.ref = ref;
    ckp_status st = CKP_OK;
    *verb_name = NULL;
    for (int i = 0; i < n && st == CKP_OK; i++) {
        m.file = i;
        st = read_file(&m, paths[i], err);
    }
    if (st == CKP_OK && m.have_header)
        st = check_all(&m, paths, expect, err);
    if (st == CKP_OK && !m.have_header)
        st = ckp_error_set(err, CKP_EPARSE, n == 1 ? paths[0] : NULL, 0, 0,
                           "no partial result header in the input (make partials with VERB "
                           "--partial)");
    const ckp_verb *v = NULL;
    if (st == CKP_OK) {
        v = ckp_verb_find(m.verb);
        if (!v || !ckp_partial_supported(v))
            st = ckp_error_set(err, CKP_EINVAL, m.hfile, m.hline, 0,
                               "'%s' has no partial results", m.verb);
    }
    if (st == CKP_OK) {
        *verb_name = v->name;
        st = ckp_args_check(m.a, v->params, 0, err);
    }
    if (st == CKP_OK)
        st = build(&p, err);
    if (st == CKP_OK) {
        ckp_env *env = ckp_env_new(ref, data_dir, NULL);
        ckp_flow_source merged = {.collect = replay_collect,
                                  .ncountries = replay_ncountries,
                                  .country = replay_country,
                                  .nperiods = replay_nperiods,
                                  .period = replay_period,
                                  .has = replay_has,
                                  .source = replay_source,
                                  .stand_alone = 1,
                                  .self = &p};
        if (env)
            ckp_env_set_flows(env, &merged);
        ckp_writer *w = env ? ckp_verb_writer_new(v, env, m.a, out, fmt) : NULL;
        if (!w) {
            st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        } else {
            st = v->run(env, m.a, w, summary, summary_len, err);
            st = ckp_verb_check_answer(env, w, st, err);
            ckp_status fst = ckp_writer_finish(w);
            ckp_writer_free(w);
            if (st == CKP_OK && fst != CKP_OK)
                st = ckp_error_set(err, fst, NULL, 0, 0, "cannot write output");
        }
        ckp_env_free(env);
    }
    ckp_args_free(m.a);
    free(m.marks);
    partial_free(&p);
    return st;
}

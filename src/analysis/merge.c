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
 * store), and the verb runs once over them: ckp__partial_collect() replays
 * them through the verb's emit callback exactly as the store collector would
 * (annual row preferred over the months of a year, quantities missing when
 * any month lacks one), and ckp__ncountries()/ckp__has()/… answer from the
 * merged tables.  So the verb's final computation is its one `run`. */
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

#include "analysis/analysis_int.h"
#include "chokepoint/merge.h"

#define LINE_MAX_BYTES (16u << 20) /* one partial line */
#define RECS_MAX 200000000u        /* records held by one merge */
#define ARGS_JSON_MAX 8192
#define RUN_MAX 1024                /* periods on one record line */
#define ID_LEN 16                   /* hex digits of a partial's id */
#define ID_MAX 64                   /* longest id read */

enum { MODE_WRITE = 1, MODE_REPLAY = 2 };

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
    int mode;
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

int ckp_partial_replaying(const ckp_partial *p) { return p && p->mode == MODE_REPLAY; }

const char *ckp_partial_source(const ckp_partial *p, int i, int *synthetic)
{
    if (!p || i < 0 || i >= p->nsrc)
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

int ckp__partial_writing(const ckp_env *env)
{
    return env && env->partial && env->partial->mode == MODE_WRITE;
}

/* ---- what verbs ask besides the collector -------------------------------- */

static const ckp_partial *replay_of(const ckp_env *env)
{
    return env && env->partial && env->partial->mode == MODE_REPLAY ? env->partial : NULL;
}

int ckp__ncountries(const ckp_env *env)
{
    const ckp_partial *p = replay_of(env);
    if (p)
        return p->ncid;
    return env->store ? ckp_store_country_count(env->store) : 0;
}

int ckp__country(const ckp_env *env, int index)
{
    const ckp_partial *p = replay_of(env);
    if (p)
        return index >= 0 && index < p->ncid ? p->cid[index] : -1;
    return env->store ? ckp_store_country_id(env->store, index) : -1;
}

int ckp__nperiods(const ckp_env *env)
{
    const ckp_partial *p = replay_of(env);
    if (p)
        return (int)p->nper;
    return env->store ? ckp_store_period_count(env->store) : 0;
}

int32_t ckp__period(const ckp_env *env, int i)
{
    const ckp_partial *p = replay_of(env);
    if (p)
        return i >= 0 && (size_t)i < p->nper ? p->periods[i] : -1;
    return env->store ? ckp_store_period(env->store, i) : -1;
}

int ckp__has(const ckp_env *env, int reporter, int flow, int32_t from, int32_t to)
{
    const ckp_partial *p = replay_of(env);
    if (!p)
        return env->store ? ckp_store_reporter_has(env->store, reporter, flow, from, to) : 0;
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
            (unsigned)p->run_hs, ckp__iso3(p->ref, ckp_store_country_id(p->store, p->run_rep)),
            ckp__iso3(p->ref, ckp_store_country_id(p->store, p->run_par)), p->run_side);
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

ckp_status ckp__partial_collect(const ckp__collect *c, ckp_error *err)
{
    ckp_partial *p = c->env->partial;
    if (p->mode == MODE_REPLAY)
        return replay(c, p);
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
                    ckp__iso3(p->ref, id), flow);
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
    p.mode = MODE_WRITE;
    p.ref = env->ref;
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
    env->partial = &p;
    st = ckp_writer_check(w, v->run(env, args, w, NULL, 0, err), err);
    ckp_writer_free(w);
    if (st == CKP_OK && env->store)
        write_tables(&p, env->store);
    /* the trailer: written only when the whole partial was, so that merge
     * can tell a complete partial from a cut one */
    if (st == CKP_OK)
        fprintf(out, "{\"end\":\"chokepoint\",\"id\":\"%s\",\"records\":%" PRIu64 "}\n", id,
                p.nlines);
    env->partial = NULL;
    free(p.run_key);
    free(p.run_v);
    free(p.run_q);
    if (st == CKP_OK && (fflush(out) != 0 || ferror(out)))
        st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write output");
    return st;
}

/* ---- merge side: reading --------------------------------------------------- */

typedef struct jcur {
    const char *s;
    const char *start;
    const char *file;
    long line;
    ckp_error *err;
} jcur;

static ckp_status jfail(jcur *j, const char *what)
{
    return ckp_error_set(j->err, CKP_EPARSE, j->file, j->line, (long)(j->s - j->start) + 1,
                         "not a partial result line: %s", what);
}

static void jws(jcur *j)
{
    while (*j->s == ' ' || *j->s == '\t' || *j->s == '\r' || *j->s == '\n')
        j->s++;
}

static int jlit(jcur *j, char ch)
{
    jws(j);
    if (*j->s != ch)
        return 0;
    j->s++;
    return 1;
}

/* A JSON string into buf (UTF-8; \uXXXX of the BMP). */
static ckp_status jstr(jcur *j, char *buf, size_t len)
{
    jws(j);
    if (*j->s != '"')
        return jfail(j, "expected a string");
    j->s++;
    size_t k = 0;
    while (*j->s != '"') {
        unsigned ch = (unsigned char)*j->s;
        if (!ch || ch < 0x20)
            return jfail(j, "unterminated string");
        j->s++;
        if (ch == '\\') {
            char e = *j->s++;
            switch (e) {
            case '"': case '\\': case '/': ch = (unsigned char)e; break;
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case 'r': ch = '\r'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'u': {
                unsigned u = 0;
                for (int i = 0; i < 4; i++) {
                    char h = *j->s++;
                    if (!isxdigit((unsigned char)h))
                        return jfail(j, "bad \\u escape");
                    u = u * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0'
                                                                       : (tolower(h) - 'a' + 10));
                }
                char tmp[4];
                size_t n = 0;
                if (u < 0x80) {
                    tmp[n++] = (char)u;
                } else if (u < 0x800) {
                    tmp[n++] = (char)(0xC0 | (u >> 6));
                    tmp[n++] = (char)(0x80 | (u & 0x3F));
                } else {
                    tmp[n++] = (char)(0xE0 | (u >> 12));
                    tmp[n++] = (char)(0x80 | ((u >> 6) & 0x3F));
                    tmp[n++] = (char)(0x80 | (u & 0x3F));
                }
                if (k + n >= len)
                    return jfail(j, "string too long");
                memcpy(buf + k, tmp, n);
                k += n;
                continue;
            }
            default:
                return jfail(j, "bad escape");
            }
        }
        if (k + 1 >= len)
            return jfail(j, "string too long");
        buf[k++] = (char)ch;
    }
    j->s++;
    buf[k] = '\0';
    return CKP_OK;
}

/* A number, or null (→ NaN). */
static ckp_status jnum(jcur *j, double *out)
{
    jws(j);
    if (strncmp(j->s, "null", 4) == 0) {
        j->s += 4;
        *out = NAN;
        return CKP_OK;
    }
    char *end;
    errno = 0;
    double d = strtod(j->s, &end);
    if (end == j->s || errno == ERANGE || isnan(d) || isinf(d))
        return jfail(j, "expected a number");
    j->s = end;
    *out = d;
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
    /* the lists of the record line being read */
    double *list[3];
    size_t nlist[3], caplist[3];
} mstate;

static ckp_status grow(void **v, size_t *cap, size_t n, size_t size, size_t max, ckp_error *err)
{
    if (n < *cap)
        return CKP_OK;
    size_t nc = *cap ? *cap * 2 : 1024;
    void *q = nc > max ? NULL : realloc(*v, nc * size);
    if (!q)
        return ckp_error_set(err, nc > max ? CKP_ELIMIT : CKP_ENOMEM, NULL, 0, 0,
                             "too many partial records");
    *v = q;
    *cap = nc;
    return CKP_OK;
}

/* The args object of a header: canonical text into buf, values into a. */
static ckp_status parse_args(jcur *j, char *buf, size_t len, ckp_args *a)
{
    const char *from = j->s;
    if (!jlit(j, '{'))
        return jfail(j, "args: expected an object");
    if (!jlit(j, '}')) {
        do {
            char name[128], val[1024];
            ckp_status st = jstr(j, name, sizeof name);
            if (st != CKP_OK)
                return st;
            if (!jlit(j, ':') || !jlit(j, '['))
                return jfail(j, "args: expected a list of strings");
            if (!jlit(j, ']')) {
                do {
                    st = jstr(j, val, sizeof val);
                    if (st != CKP_OK)
                        return st;
                    if (a && ckp_args_set(a, name, val) != CKP_OK)
                        return jfail(j, "args: too many values");
                } while (jlit(j, ','));
                if (!jlit(j, ']'))
                    return jfail(j, "args: expected ']'");
            }
        } while (jlit(j, ','));
        if (!jlit(j, '}'))
            return jfail(j, "args: expected '}'");
    }
    size_t n = (size_t)(j->s - from);
    while (n && (*from == ' '))
        from++, n--;
    if (n >= len)
        return jfail(j, "args too long");
    memcpy(buf, from, n);
    buf[n] = '\0';
    return CKP_OK;
}

/* Add a header's sources ({"real": [...], "synthetic": [...]}, NULL when
 * the header has none) to the merged ones: partials of real and of
 * synthetic sources are never merged into one figure. */
static ckp_status add_sources(mstate *m, jcur *j, const ckp_args *src)
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
                return ckp_error_set(j->err, CKP_ELIMIT, j->file, j->line, 0,
                                     "more than %d sources, or a source name longer than "
                                     "127 bytes", MAX_PART_SOURCES);
            for (int s = 0; s < p->nsrc; s++)
                if (p->src_synth[s] != k)
                    return ckp_error_set(
                        j->err, CKP_EINVAL, j->file, j->line, 0,
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

/* A list of numbers (null → NaN) into m->list[k]. */
static ckp_status num_list(jcur *j, mstate *m, int k)
{
    m->nlist[k] = 0;
    if (!jlit(j, '['))
        return jfail(j, "expected a list of numbers");
    if (jlit(j, ']'))
        return CKP_OK;
    do {
        double d;
        ckp_status st = jnum(j, &d);
        if (st != CKP_OK)
            return st;
        st = grow((void **)&m->list[k], &m->caplist[k], m->nlist[k], sizeof(double), RECS_MAX,
                  j->err);
        if (st != CKP_OK)
            return st;
        m->list[k][m->nlist[k]++] = d;
    } while (jlit(j, ','));
    if (!jlit(j, ']'))
        return jfail(j, "expected ']'");
    return CKP_OK;
}

static ckp_status period_list(jcur *j, mstate *m, int country, int fc)
{
    ckp_partial *p = m->p;
    if (!jlit(j, '['))
        return jfail(j, "periods: expected a list");
    if (jlit(j, ']'))
        return CKP_OK;
    do {
        double d;
        ckp_status st = jnum(j, &d);
        if (st != CKP_OK)
            return st;
        if (!period_ok(d))
            return jfail(j, "periods: not a YYYYMM period");
        int32_t per = (int32_t)d;
        if (country < 0) {
            st = grow((void **)&p->periods, &p->percap, p->nper, sizeof *p->periods, RECS_MAX,
                      j->err);
            if (st != CKP_OK)
                return st;
            p->periods[p->nper++] = per;
        } else {
            st = grow((void **)&p->reps, &p->repcap, p->nrep, sizeof *p->reps, RECS_MAX, j->err);
            if (st != CKP_OK)
                return st;
            prep *r = &p->reps[p->nrep++];
            r->country = country;
            r->fc = fc;
            r->period = per;
        }
    } while (jlit(j, ','));
    if (!jlit(j, ']'))
        return jfail(j, "periods: expected ']'");
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
        snprintf(out, len, "%s", ckp__iso3(ref, id));
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

static ckp_status add_mark(mstate *m, jcur *j, const char *id, int trailer, uint64_t records)
{
    ckp_status st = grow((void **)&m->marks, &m->markcap, m->nmark, sizeof *m->marks, RECS_MAX,
                         j->err);
    if (st != CKP_OK)
        return st;
    pmark *k = &m->marks[m->nmark++];
    snprintf(k->id, sizeof k->id, "%s", id);
    k->line = j->line;
    k->file = m->file;
    k->trailer = trailer;
    k->records = records;
    return CKP_OK;
}

static ckp_status parse_line(mstate *m, jcur *j)
{
    ckp_partial *p = m->p;
    if (!jlit(j, '{'))
        return jfail(j, "expected a JSON object");
    enum { K_NONE, K_HEADER, K_TRAILER, K_REC, K_PERIODS, K_REPORTS } kind = K_NONE;
    char verb[64] = "", argsbuf[ARGS_JSON_MAX] = "", magic[32] = "";
    char hs[16] = "", rep[16] = "", par[16] = "", flow[8] = "", reports[16] = "";
    char id[ID_MAX] = "";
    double version = NAN, records = NAN;
    int have_value = 0, have_qty = 0, have_period = 0, have_args = 0, have_plist = 0;
    size_t per0 = p->nper, rep0 = p->nrep, rec0 = p->nrec;
    ckp_args *hargs = NULL, *hsrc = NULL;
    ckp_status st = CKP_OK;
    if (!jlit(j, '}')) {
        do {
            char key[32];
            st = jstr(j, key, sizeof key);
            if (st == CKP_OK && !jlit(j, ':'))
                st = jfail(j, "expected ':'");
            if (st != CKP_OK)
                goto out;
            if (strcmp(key, "partial") == 0) {
                kind = K_HEADER;
                st = jstr(j, magic, sizeof magic);
            } else if (strcmp(key, "end") == 0) {
                kind = K_TRAILER;
                st = jstr(j, magic, sizeof magic);
            } else if (strcmp(key, "id") == 0) {
                st = jstr(j, id, sizeof id);
            } else if (strcmp(key, "records") == 0) {
                st = jnum(j, &records);
            } else if (strcmp(key, "version") == 0) {
                st = jnum(j, &version);
            } else if (strcmp(key, "verb") == 0) {
                st = jstr(j, verb, sizeof verb);
            } else if (strcmp(key, "args") == 0) {
                if (!hargs)
                    hargs = ckp_args_new();
                if (!hargs) {
                    st = ckp_error_set(j->err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
                    goto out;
                }
                st = parse_args(j, argsbuf, sizeof argsbuf, hargs);
                have_args = 1;
            } else if (strcmp(key, "sources") == 0) {
                char sbuf[ARGS_JSON_MAX];
                if (!hsrc)
                    hsrc = ckp_args_new();
                if (!hsrc) {
                    st = ckp_error_set(j->err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
                    goto out;
                }
                st = parse_args(j, sbuf, sizeof sbuf, hsrc);
            } else if (strcmp(key, "hs") == 0) {
                kind = K_REC;
                st = jstr(j, hs, sizeof hs);
            } else if (strcmp(key, "reporter") == 0) {
                st = jstr(j, rep, sizeof rep);
            } else if (strcmp(key, "partner") == 0) {
                st = jstr(j, par, sizeof par);
            } else if (strcmp(key, "flow") == 0) {
                st = jstr(j, flow, sizeof flow);
            } else if (strcmp(key, "period") == 0) {
                st = num_list(j, m, 0);
                have_period = 1;
            } else if (strcmp(key, "value") == 0) {
                st = num_list(j, m, 1);
                have_value = 1;
            } else if (strcmp(key, "qty") == 0) {
                st = num_list(j, m, 2);
                have_qty = 1;
            } else if (strcmp(key, "reports") == 0) {
                kind = K_REPORTS;
                st = jstr(j, reports, sizeof reports);
            } else if (strcmp(key, "periods") == 0) {
                if (kind == K_NONE)
                    kind = K_PERIODS;
                /* reports lines name the country first (as written) */
                int c = -1, fc = 0;
                if (kind == K_REPORTS) {
                    c = country_of(m->ref, reports);
                    fc = flow[0] == 'M';
                    if (c < 0 || (flow[0] != 'X' && flow[0] != 'M') || flow[1]) {
                        st = jfail(j, "reports: unknown country or flow");
                        goto out;
                    }
                }
                st = period_list(j, m, c, fc);
                have_plist = 1;
            } else {
                st = jfail(j, "unknown field");
            }
            if (st != CKP_OK)
                goto out;
        } while (jlit(j, ','));
        if (!jlit(j, '}')) {
            st = jfail(j, "expected '}'");
            goto out;
        }
    }
    jws(j);
    if (*j->s) {
        st = jfail(j, "text after the object");
        goto out;
    }
    if (kind == K_HEADER) {
        if (strcmp(magic, "chokepoint") != 0 || !verb[0] || !have_args) {
            st = jfail(j, "header without partial, verb or args");
            goto out;
        }
        if (version != CKP_PARTIAL_VERSION) {
            st = ckp_error_set(j->err, CKP_EPARSE, j->file, j->line, 0,
                               "partial format version %g, this chokepoint reads version %d",
                               version, CKP_PARTIAL_VERSION);
            goto out;
        }
        if (!id[0]) {
            st = jfail(j, "header without its id");
            goto out;
        }
        char nargs[ARGS_JSON_MAX];
        const ckp_verb *hv = ckp_verb_find(verb);
        if (hv)
            norm_args(hv, m->ref, hargs, nargs, sizeof nargs);
        else
            snprintf(nargs, sizeof nargs, "%s", argsbuf);
        st = add_mark(m, j, id, 0, 0);
        if (st == CKP_OK)
            st = add_sources(m, j, hsrc);
        if (st != CKP_OK)
            goto out;
        if (!m->have_header) {
            m->have_header = 1;
            snprintf(m->verb, sizeof m->verb, "%s", verb);
            snprintf(m->args, sizeof m->args, "%s", argsbuf);
            snprintf(m->nargs, sizeof m->nargs, "%s", nargs);
            snprintf(m->hfile, sizeof m->hfile, "%s", j->file);
            m->hline = j->line;
            m->a = hargs;
            hargs = NULL;
        } else if (strcmp(m->verb, verb) != 0) {
            st = ckp_error_set(j->err, CKP_EINVAL, j->file, j->line, 0,
                               "partial of '%s', but %s:%ld is a partial of '%s': partials of "
                               "different verbs cannot be merged", verb, m->hfile, m->hline,
                               m->verb);
        } else if (strcmp(m->nargs, nargs) != 0) {
            st = ckp_error_set(j->err, CKP_EINVAL, j->file, j->line, 0,
                               "partial of '%s' with parameters %s, but %s:%ld has %s: "
                               "partials must come from the same parameters", verb, argsbuf,
                               m->hfile, m->hline, m->args);
        }
    } else if (kind == K_TRAILER) {
        if (strcmp(magic, "chokepoint") != 0 || !id[0])
            st = jfail(j, "trailer without end or id");
        else if (!(records >= 0 && records <= 9007199254740992.0) ||
                 records != floor(records))
            st = jfail(j, "trailer: records is not a count");
        else
            st = add_mark(m, j, id, 1, (uint64_t)records);
    } else if (kind == K_REC) {
        char *end;
        unsigned long code = strtoul(hs, &end, 10);
        int r = country_of(m->ref, rep), q = country_of(m->ref, par);
        size_t n = m->nlist[0];
        if (strlen(hs) != 6 || *end || code > 999999)
            st = jfail(j, "hs: not a 6-digit HS code");
        else if (r < 0 || q < 0)
            st = jfail(j, "reporter/partner: unknown country");
        else if ((flow[0] != 'X' && flow[0] != 'M') || flow[1])
            st = jfail(j, "flow: not X or M");
        else if (!have_period || !have_value || !have_qty || n == 0 || m->nlist[1] != n ||
                 m->nlist[2] != n)
            st = jfail(j, "period, value and qty must be lists of the same length");
        for (size_t k = 0; st == CKP_OK && k < n; k++) {
            if (!period_ok(m->list[0][k]))
                st = jfail(j, "period: not YYYYMM or YYYY00");
            else if (isnan(m->list[1][k]))
                st = jfail(j, "value: null");
        }
        if (st != CKP_OK)
            goto out;
        for (size_t k = 0; k < n; k++) {
            st = grow((void **)&p->recs, &p->cap, p->nrec, sizeof *p->recs, RECS_MAX, j->err);
            if (st != CKP_OK)
                goto out;
            prec *e = &p->recs[p->nrec++];
            e->hs = (uint32_t)code;
            e->rep = r;
            e->par = q;
            e->fc = flow[0] == 'M';
            e->key = (int32_t)m->list[0][k];
            e->v = m->list[1][k];
            e->q = m->list[2][k];
        }
    } else if ((kind == K_PERIODS || kind == K_REPORTS) && have_plist) {
        /* already stored */
    } else {
        st = jfail(j, "neither a header, a record nor a table");
    }
    if (st == CKP_OK && kind != K_HEADER && kind != K_TRAILER)
        m->file_lines++;
out:
    if (st != CKP_OK) {
        /* a bad line adds nothing */
        p->nper = per0;
        p->nrep = rep0;
        p->nrec = rec0;
    }
    ckp_args_free(hargs);
    ckp_args_free(hsrc);
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
        jcur j = {line, line, path, ln, err};
        st = parse_line(m, &j);
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
    return strcmp(ckp__iso3(sort_ref, x), ckp__iso3(sort_ref, y));
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
    if (x->hs != y->hs)
        return x->hs < y->hs ? -1 : 1;
    if (x->rep != y->rep)
        return x->rep < y->rep ? -1 : 1;
    if (x->par != y->par)
        return x->par < y->par ? -1 : 1;
    if (x->fc != y->fc)
        return x->fc - y->fc;
    return x->key < y->key ? -1 : x->key > y->key;
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
    free(p->recs);
    free(p->reps);
    free(p->periods);
    free(p->cid);
    free(p->cidx);
    free(p->has);
}

ckp_status ckp_merge_run(const ckp_ref *ref, const char *data_dir, const char *const *paths,
                         int n, int expect, ckp_format fmt, FILE *out, const char **verb_name,
                         char *summary, size_t summary_len, ckp_error *err)
{
    ckp_partial p;
    memset(&p, 0, sizeof p);
    p.mode = MODE_REPLAY;
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
        ckp_env env;
        ckp_env_init(&env, ref, data_dir, NULL);
        env.partial = &p;
        ckp_writer *w = ckp_verb_writer_new(v, &env, m.a, out, fmt);
        if (!w) {
            st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        } else {
            st = ckp_writer_check(w, v->run(&env, m.a, w, summary, summary_len, err), err);
            if (st == CKP_OK && ckp_writer_infinite(w))
                st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                                   "%zu numbers of the result are infinite: a sum "
                                   "overflowed; the rows are wrong",
                                   ckp_writer_infinite(w));
            ckp_status fst = ckp_writer_finish(w);
            ckp_writer_free(w);
            if (st == CKP_OK && fst != CKP_OK)
                st = ckp_error_set(err, fst, NULL, 0, 0, "cannot write output");
        }
        env.partial = NULL;
        ckp_env_close(&env);
    }
    ckp_args_free(m.a);
    free(m.marks);
    for (int k = 0; k < 3; k++)
        free(m.list[k]);
    partial_free(&p);
    return st;
}

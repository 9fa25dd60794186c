/* verbs.c — the registry of library verbs (see verb.h), and the provenance
 * tail of a flow verb's rows.
 * Adding a verb: define it in its module with
 * `CKP_VERB_DEFINE(<name>, order, flows) = {…};` (verb.h); the build
 * (scripts/gen_verbs.sh) lists it in verbs_registry.h, included below. */
#include "chokepoint/verb.h"

#include "chokepoint/coverage.h"
#include "chokepoint/flows.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* X(name, flows): one per registered verb, in their order key's order.
 * flows: 1 when the verb computes from the store's flows (its rows carry the
 * provenance columns below), 0 when it reads registers only. */
#define X(name, flows) extern const ckp_verb ckp_verb_##name;
#include "verbs_registry.h"
#undef X

#define X(name, flows) &ckp_verb_##name,
static const ckp_verb *const registry[] = {
#include "verbs_registry.h"
    NULL};
#undef X

#define X(name, flows) flows,
static const unsigned char reads_flows[] = {
#include "verbs_registry.h"
    0};
#undef X

const ckp_verb *ckp_verb_find(const char *name)
{
    for (int i = 0; registry[i]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const ckp_verb *ckp_verb_at(int i)
{
    if (i < 0 || i >= (int)(sizeof registry / sizeof registry[0]) - 1)
        return NULL;
    return registry[i];
}

int ckp_verb_reads_flows(const ckp_verb *v)
{
    for (int i = 0; registry[i]; i++)
        if (registry[i] == v)
            return reads_flows[i];
    return 0;
}

/* ---- provenance: what each row was computed from -------------------------
 * The columns every row of a flow-reading verb carries after its own, in
 * CSV and JSON (the table says it once, under the rows: ckp_verb_provenance,
 * ckp_answer_caveat).  More per-row provenance fields go here: a column
 * below and its cell in fill_provenance. */
static const ckp_column provenance_cols[] = {
    {"synthetic", CKP_COL_JSON, 0}, /* true: computed from synthetic sources only */
    {"sources", CKP_COL_JSON, 0},   /* the store sources that contributed rows;
                                       CSV: joined by ';' */
    {"coverage", CKP_COL_NUM, 4},   /* 0-1: share of the relevant trade seen (coverage.h) */
    {"coverage_note", CKP_COL_STR, 0}, /* what the row rests on, and the denominator */
    {"caveat", CKP_COL_STR, 0},     /* what the basket codes asked about hold
                                       (ref.h ckp_hsset_caveat); null: none */
};

/* What one answer rests on, gathered while it is computed; attached to its
 * writer (ckp_writer_attach), freed with it.  Sources as ckp_source_bit
 * masks. */
struct ckp_answer {
    const ckp_env *env;
    int tracked;       /* a scan said which sources it used */
    uint64_t used;     /* sources that contributed rows to the answer */
    uint64_t row;      /* sources of the next row, when row_set */
    int row_set;
    char *caveat;      /* NULL: no basket code asked about */
    ckp_coverage_ctx *cov; /* the coverage of the rows (coverage.h) */
};

uint64_t ckp_source_bit(int source)
{
    return source < 0 ? 0 : (uint64_t)1 << (source < 63 ? source : 63);
}

/* 1 when store source i is in mask (bit 63 stands for 63 and above). */
static int mask_has(uint64_t mask, int i)
{
    return (mask & ckp_source_bit(i)) != 0;
}

ckp_answer *ckp_verb_answer(ckp_writer *w)
{
    return ckp_writer_attached(w);
}

void ckp_answer_track(ckp_answer *a)
{
    if (a)
        a->tracked = 1;
}

void ckp_answer_sources(ckp_answer *a, uint64_t mask)
{
    if (a)
        a->used |= mask;
}

void ckp_answer_row_sources(ckp_answer *a, uint64_t mask)
{
    if (!a)
        return;
    a->used |= mask;
    a->row = mask;
    a->row_set = 1;
}

void ckp_answer_drop_caveat(ckp_answer *a)
{
    if (!a)
        return;
    free(a->caveat);
    a->caveat = NULL;
}

ckp_status ckp_answer_caveat_of(ckp_answer *a, const ckp_ref *ref, const ckp_hsset *set)
{
    if (!a)
        return CKP_OK;
    char buf[8192];
    int n = ckp_hsset_caveat(ref, set, buf, sizeof buf);
    if (n < 0)
        return CKP_ELIMIT;
    char *copy = n > 0 ? strdup(buf) : NULL;
    if (n > 0 && !copy)
        return CKP_ENOMEM;
    free(a->caveat);
    a->caveat = copy;
    return CKP_OK;
}

const char *ckp_answer_caveat(const ckp_answer *a)
{
    return a ? a->caveat : NULL;
}

static void answer_free(void *p)
{
    ckp_answer *a = p;
    if (a) {
        free(a->caveat);
        ckp_coverage_ctx_free(a->cov);
    }
    free(a);
}

/* The caveat of the verb's "hs" argument (codes, prefixes, groups) into
 * a->caveat.  An argument that does not parse gets none here: the verb
 * itself refuses it. */
static ckp_status answer_caveat(ckp_answer *a, const ckp_args *args)
{
    ckp_hsset *set = NULL;
    ckp_error ignored;
    if (!args || !ckp_env_ref(a->env) || !ckp_args_get(args, "hs") ||
        ckp_args_hsset(args, ckp_env_ref(a->env), "hs", 0, &set, &ignored) != CKP_OK || !set)
        return CKP_OK;
    ckp_status st = ckp_answer_caveat_of(a, ckp_env_ref(a->env), set);
    ckp_hsset_free(set);
    return st;
}

/* The names of the sources an answer (or one of its rows) rests on: the
 * selected ones, and of those, when tracked, the ones in mask. */
static ckp_status provenance_names(const ckp_env *env, int tracked, uint64_t mask,
                                   int *synthetic, char *names, size_t n)
{
    size_t len = 0;
    int any = 0, synth = 0;
    if (n)
        names[0] = '\0';
    for (int i = 0;; i++) {
        int on, is_synth;
        const char *cur;
        const char *name = ckp_flows_source(env, i, &on, &is_synth, &cur);
        if (!name)
            break;
        if (!on)
            continue;
        synth |= is_synth; /* a selection is all real or all synthetic */
        if (tracked && !ckp_flows_stand_alone(env) && !mask_has(mask, i))
            continue; /* selected, but gave this answer no row */
        /* a source whose values were converted to USD says so where its
         * name is read: "comext (EUR converted to USD at monthly average
         * rates)" */
        int k = cur[0] ? snprintf(names + len, n - len,
                                  "%s%s (%s converted to USD at monthly average rates)",
                                  any ? ";" : "", name, cur)
                       : snprintf(names + len, n - len, "%s%s", any ? ";" : "", name);
        if (k < 0 || (size_t)k >= n - len)
            return CKP_ELIMIT;
        len += (size_t)k;
        any = 1;
    }
    *synthetic = synth;
    return CKP_OK;
}

static void fill_coverage(const ckp_coverage *cov, int ok, ckp_writer *w)
{
    if (ok)
        ckp_writer_num(w, cov->share);
    else
        ckp_writer_null(w);
    if (!cov->note[0]) {
        ckp_writer_null(w);
        return;
    }
    char note[600];
    snprintf(note, sizeof note, "%s%s", cov->thin ? "thin: " : "", cov->note);
    ckp_writer_str(w, note);
}

ckp_status ckp_verb_provenance(const ckp_env *env, const ckp_answer *a, int *synthetic,
                               char *names, size_t n)
{
    return provenance_names(env, a && a->tracked, a ? a->used : 0, synthetic, names, n);
}

static void fill_provenance(void *ctx, ckp_writer *w)
{
    ckp_answer *a = ctx;
    ckp_coverage cov;
    int ok = ckp_coverage_row(a->cov, w, &cov);
    char names[4096];
    int synth = 0;
    uint64_t mask = a->row_set ? a->row : a->used;
    a->row_set = 0;
    if (ckp_writer_format(w) == CKP_FMT_TABLE)
        return; /* said once under the table (ckp_verb_coverage_line) */
    if (provenance_names(a->env, a->tracked, mask, &synth, names, sizeof names) != CKP_OK) {
        /* more names than fit: the cells stay null rather than cut */
        ckp_writer_null(w);
        ckp_writer_null(w);
        fill_coverage(&cov, ok, w);
        ckp_writer_str(w, a->caveat);
        return;
    }
    if (ckp_writer_format(w) != CKP_FMT_JSON) {
        ckp_writer_str(w, synth ? "true" : "false");
        ckp_writer_str(w, names);
        fill_coverage(&cov, ok, w);
        ckp_writer_str(w, a->caveat);
        return;
    }
    ckp_writer_json(w, synth ? "true" : "false");
    char arr[sizeof names * 2 + 4];
    size_t o = 0;
    arr[o++] = '[';
    for (const char *p = names; *p;) {
        const char *e = strchr(p, ';');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (o > 1)
            arr[o++] = ',';
        arr[o++] = '"';
        for (size_t j = 0; j < k; j++) {
            if (p[j] == '"' || p[j] == '\\')
                arr[o++] = '\\';
            arr[o++] = p[j];
        }
        arr[o++] = '"';
        p += k + (e ? 1 : 0);
    }
    arr[o++] = ']';
    arr[o] = '\0';
    ckp_writer_json(w, arr);
    fill_coverage(&cov, ok, w);
    ckp_writer_str(w, a->caveat);
}

/* The state a plan hands on to run, attached to the writer. */
typedef struct plan_state {
    void *state;
    void (*free_state)(void *);
} plan_state;

static void plan_state_free(void *p)
{
    plan_state *ps = p;
    if (ps && ps->free_state)
        ps->free_state(ps->state);
    free(ps);
}

void *ckp_verb_state(ckp_writer *w)
{
    plan_state *ps = ckp_writer_attached(w);
    return ps ? ps->state : NULL;
}

/* A writer for a verb with a plan (which reads no flows: the attached
 * pointer is the plan's state, not an answer). */
static ckp_status planned_writer(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                                 FILE *out, ckp_row_fn fn, void *ctx, ckp_format *fmt,
                                 int format_given, ckp_writer **w, ckp_error *err)
{
    ckp_verb_plan plan = {*fmt, format_given, NULL, 0, NULL, NULL};
    if (ckp_verb_reads_flows(v))
        return ckp_error_set(err, CKP_ESTATE, NULL, 0, 0,
                             "%s: a verb that reads flows cannot have a plan", v->name);
    ckp_status st = v->plan(env, args, &plan, err);
    if (st != CKP_OK)
        return st;
    plan_state *ps = calloc(1, sizeof *ps);
    const ckp_column *cols = plan.columns ? plan.columns : v->columns;
    size_t ncols = plan.columns ? plan.ncolumns : v->ncolumns;
    *w = !ps ? NULL
         : out ? ckp_writer_new(out, plan.format, cols, ncols)
               : ckp_writer_new_rows(cols, ncols, fn, ctx);
    if (!*w) {
        free(ps);
        if (plan.free_state)
            plan.free_state(plan.state);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    ps->state = plan.state;
    ps->free_state = plan.free_state;
    ckp_writer_attach(*w, ps, plan_state_free);
    *fmt = plan.format;
    return CKP_OK;
}

ckp_status ckp_verb_writer_open(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                                FILE *out, ckp_format *fmt, int format_given, ckp_writer **w,
                                ckp_error *err)
{
    *w = NULL;
    if (v->plan)
        return planned_writer(v, env, args, out, NULL, NULL, fmt, format_given, w, err);
    *w = ckp_verb_writer_new(v, env, args, out, *fmt);
    if (!*w)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0,
                             "out of memory (or the caveats of --hs do not fit)");
    return CKP_OK;
}

/* w (NULL when it could not be made) with v's provenance columns. */
static ckp_writer *with_provenance(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                                   ckp_writer *w)
{
    if (!w || !ckp_verb_reads_flows(v))
        return w;
    ckp_answer *a = calloc(1, sizeof *a);
    if (!a) {
        ckp_writer_free(w);
        return NULL;
    }
    a->env = env;
    ckp_writer_attach(w, a, answer_free);
    a->cov = ckp_coverage_ctx_new(env, v->name);
    if (!a->cov || answer_caveat(a, args) != CKP_OK ||
        ckp_writer_tail(w, provenance_cols, sizeof provenance_cols / sizeof *provenance_cols,
                        fill_provenance, a) != CKP_OK) {
        ckp_writer_free(w);
        return NULL;
    }
    return w;
}

ckp_writer *ckp_verb_writer_new(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                                FILE *out, ckp_format fmt)
{
    if (v->plan) {
        ckp_writer *w = NULL;
        ckp_error ignored;
        planned_writer(v, env, args, out, NULL, NULL, &fmt, 1, &w, &ignored);
        return w;
    }
    return with_provenance(v, env, args, ckp_writer_new(out, fmt, v->columns, v->ncolumns));
}

int ckp_verb_coverage_line(const ckp_writer *w, char *buf, size_t n)
{
    const ckp_answer *t = ckp_writer_tail_ctx(w);
    ckp_coverage cov;
    if (!n)
        return 0;
    buf[0] = '\0';
    if (!t || !ckp_coverage_weakest(t->cov, &cov))
        return 0;
    snprintf(buf, n, "Coverage %.*f %%%s: %s", cov.share < 0.01 ? 2 : cov.share < 0.1 ? 1 : 0,
             100 * cov.share, cov.thin ? " (thin)" : "", cov.note);
    return 1;
}

ckp_status ckp_verb_coverage_status(const ckp_writer *w, ckp_error *err)
{
    const ckp_answer *t = ckp_writer_tail_ctx(w);
    const char *why = t ? ckp_coverage_failed(t->cov) : NULL;
    if (!why)
        return CKP_OK;
    return ckp_error_set(err, CKP_EPARSE, NULL, 0, 0, "%s", why);
}

ckp_status ckp_verb_check_answer(const ckp_env *env, const ckp_writer *w, ckp_status st,
                                 ckp_error *err)
{
    st = ckp_writer_check(w, st, err);
    if (st == CKP_OK)
        st = ckp_verb_coverage_status(w, err);
    if (st == CKP_OK && ckp_writer_infinite(w))
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                           "%zu numbers of the result are infinite: a sum overflowed%s; the rows "
                           "are wrong",
                           ckp_writer_infinite(w),
                           ckp_flows_stand_alone(env) ? ""
                                                      : " (a row above 1e15 USD in the store?)");
    return st;
}

/* Run v into out as JSON Lines, or (out NULL) each row to fn(ctx, …). */
static ckp_status run_to(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                         int from_server, FILE *out, ckp_row_fn fn, void *ctx, ckp_error *err)
{
    ckp_status st = ckp_args_check(args, v->params, from_server, err);
    if (st != CKP_OK)
        return st;
    int npos = ckp_args_npos(args);
    if (npos < v->min_pos || (v->max_pos >= 0 && npos > v->max_pos))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "%s takes %d to %d arguments",
                             v->name, v->min_pos, v->max_pos);
    if (from_server && (v->flags & CKP_VERB_CLI_ONLY))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "%s is not served over HTTP",
                             v->name);
    ckp_writer *w = NULL;
    if (v->plan) {
        ckp_format fmt = CKP_FMT_JSON;
        st = planned_writer(v, env, args, out, fn, ctx, &fmt, 1, &w, err);
        if (st != CKP_OK)
            return st;
    } else {
        w = with_provenance(v, env, args,
                            out ? ckp_writer_new(out, CKP_FMT_JSON, v->columns, v->ncolumns)
                                : ckp_writer_new_rows(v->columns, v->ncolumns, fn, ctx));
        if (!w)
            return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    st = ckp_verb_check_answer(env, w, v->run(env, args, w, NULL, 0, err), err);
    ckp_status fst = ckp_writer_finish(w);
    ckp_writer_free(w);
    if (st == CKP_OK && fst != CKP_OK)
        st = ckp_error_set(err, fst, NULL, 0, 0, "cannot write output");
    return st;
}

ckp_status ckp_verb_run_json(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                             int from_server, FILE *out, ckp_error *err)
{
    return run_to(v, env, args, from_server, out, NULL, NULL, err);
}

ckp_status ckp_verb_run_rows(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                             int from_server, ckp_row_fn fn, void *ctx, ckp_error *err)
{
    return run_to(v, env, args, from_server, NULL, fn, ctx, err);
}

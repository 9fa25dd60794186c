/* views.c — the report's views: one verb (or one plain aggregate of the
 * store) → one section as JSON (see report.h for the section format).
 *
 * A view never fails because data or a verb is missing: the section then
 * carries a note.  Only bad parameters from a user (the server's
 * /api/view) are errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "chokepoint/coverage.h"
#include "chokepoint/evasion.h"
#include "chokepoint/match.h"
#include "chokepoint/measures.h"
#include "chokepoint/overview.h"
#include "chokepoint/screen.h"
#include "report/report_int.h"

#define VIEW_OUTPUT_LIMIT ((size_t)32 << 20)

const char *const ckp_report_views[] = {"measures",      "exports",    "dependency",
                                        "chokepoints",   "concentration", "production",
                                        "diversion",     "mirror",     "unitvalue",
                                        "screen",        NULL};

/* ---- sections ------------------------------------------------------------ */

static json_t *section_new(const char *id, const char *title)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:[], s:n, s:[], s:[], s:n}", "id", id, "title",
                     title, "caption", "", "synthetic", 0, "sources", "note", "columns", "rows",
                     "chart");
}

static void set_str(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, v ? json_string(v) : json_null());
}

static void set_note(json_t *sec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_note(json_t *sec, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    set_str(sec, "note", buf);
}

static void set_caption(json_t *sec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_caption(json_t *sec, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    set_str(sec, "caption", buf);
}

/* The caption gets the caveat of the basket codes its rows are about
 * (ckp_hsset_caveat's text, " | "-joined): one sentence each. */
static void caption_caveat(json_t *sec, const char *caveat)
{
    if (!caveat || !*caveat)
        return;
    const char *cap = json_string_value(json_object_get(sec, "caption"));
    char buf[6144];
    size_t o = (size_t)snprintf(buf, sizeof buf, "%s Caveat:", cap ? cap : "");
    for (const char *p = caveat; *p && o < sizeof buf;) {
        const char *e = strstr(p, " | ");
        size_t k = e ? (size_t)(e - p) : strlen(p);
        int w = snprintf(buf + o, sizeof buf - o, " %.*s.", (int)k, p);
        if (w < 0 || (size_t)w >= sizeof buf - o)
            return; /* too long: the rows' caveat field still says it */
        o += (size_t)w;
        p += k + (e ? 3 : 0);
    }
    set_str(sec, "caption", buf);
}

static void set_columns(json_t *sec, const ckp_verb *v)
{
    json_t *cols = json_array();
    for (size_t i = 0; v && i < v->ncolumns; i++)
        json_array_append_new(cols, json_string(v->columns[i].name));
    json_object_set_new(sec, "columns", cols);
}

/* chart spec: type, x, y, series (NULL), percent */
static json_t *chart_new(const char *type, const char *x, const char *y, const char *series,
                         int percent)
{
    json_t *c = json_pack("{s:s, s:s, s:s, s:[], s:b}", "type", type, "x", x, "y", y, "markers",
                          "percent", percent);
    set_str(c, "series", series);
    return c;
}

/* ---- running verbs ------------------------------------------------------- */

/* The rows of a view as the row sink hands them over (no JSON text). */
typedef struct row_keeper {
    json_t *rows;  /* the section's array, appended to */
    size_t bytes;  /* about the size of the rows as JSON Lines */
} row_keeper;

/* ckp_row_fn: the row as a jansson object onto k->rows; past
 * VIEW_OUTPUT_LIMIT bytes (about) the view stops. */
static ckp_status keep_row(void *ctx, const ckp_row *row, ckp_error *err)
{
    row_keeper *k = ctx;
    for (size_t c = 0; c < row->ncols; c++)
        k->bytes += strlen(row->cols[c].name) + row->len[c] + 6;
    if (k->bytes > VIEW_OUTPUT_LIMIT)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "more than %zu MB of rows",
                             VIEW_OUTPUT_LIMIT >> 20);
    json_t *o = ckp_row_json(row);
    if (!o || json_array_append_new(k->rows, o) != 0)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "row %zu: out of memory",
                             row->index + 1);
    return CKP_OK;
}

/* Run verb `name` with its rows into *rows (a new array).  A missing
 * verb or a failed run leaves a note on sec and an empty array; CKP_EUSAGE is
 * returned only when from_server (the user's parameters are wrong). */
static ckp_status verb_rows(ckp_env *env, const char *name, const ckp_args *args,
                            int from_server, json_t *sec, json_t **rows, ckp_error *err)
{
    *rows = json_array();
    const ckp_verb *v = ckp_verb_find(name);
    if (!v) {
        set_note(sec, "The %s analysis is not in this build yet: this section will fill in when "
                      "it is.", name);
        return CKP_OK;
    }
    set_columns(sec, v);
    if (!*rows)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ckp_error verr;
    ckp_error_clear(&verr);
    row_keeper k = {*rows, 0};
    ckp_status st = ckp_verb_run_rows(v, env, args, from_server, keep_row, &k, &verr);
    if (st != CKP_OK) {
        json_array_clear(*rows); /* a failed run shows no rows, only its note */
        if (from_server && st == CKP_EUSAGE) {
            if (err)
                *err = verr;
            return st;
        }
        char msg[1024];
        set_note(sec, "%s: %s", name, ckp_error_format(&verr, msg, sizeof msg));
    }
    return CKP_OK;
}

/* ---- sources: which store sources hold rows for an HS set ------------------ */

typedef struct src_seen {
    unsigned char seen[256];
    int n, total;
} src_seen;

static int on_source_row(const ckp_flow *row, void *ctx)
{
    src_seen *s = ctx;
    if (row->source >= 0 && row->source < 256 && !s->seen[row->source]) {
        s->seen[row->source] = 1;
        s->n++;
    }
    return s->n >= s->total;
}

/* Add the names of the sources with rows for hs (reporter/partner -1 = any)
 * to sec.sources, and set sec.synthetic when one of them is synthetic. */
static void add_sources(ckp_env *env, json_t *sec, const ckp_hsset *hs, int reporter,
                        int partner)
{
    const ckp_store *store = NULL;
    if (ckp_env_store(env, &store, NULL) != CKP_OK || !store)
        return;
    src_seen s;
    memset(&s, 0, sizeof s);
    s.total = ckp_store_source_count(store);
    if (s.total > 256)
        s.total = 256;
    ckp_query q;
    ckp_query_init(&q);
    q.hs = hs;
    q.levels = hs && ckp_hsset_asks_levels(hs); /* --hs TOTAL: its rows count too */
    q.reporter = reporter;
    q.partner = partner;
    if (s.total > 0)
        ckp_store_scan(store, &q, on_source_row, &s, NULL);
    json_t *arr = json_object_get(sec, "sources");
    int synth = json_is_true(json_object_get(sec, "synthetic"));
    for (int i = 0; i < s.total; i++) {
        if (!s.seen[i])
            continue;
        const char *name = ckp_store_source_name(store, i);
        int dup = 0;
        size_t k;
        json_t *v;
        json_array_foreach(arr, k, v) {
            dup |= name && strcmp(json_string_value(v), name) == 0;
        }
        if (!dup)
            json_array_append_new(arr, json_string(name ? name : "?"));
        synth |= ckp_store_source_synthetic(store, i);
    }
    json_object_set_new(sec, "synthetic", json_boolean(synth));
}

/* "source A, source B (synthetic)" for captions. */
static void sources_text(ckp_env *env, json_t *sec, char *buf, size_t n)
{
    const ckp_store *store = NULL;
    buf[0] = '\0';
    json_t *arr = json_object_get(sec, "sources");
    if (json_array_size(arr) == 0) {
        snprintf(buf, n, "the store holds no rows for it");
        return;
    }
    ckp_env_store(env, &store, NULL);
    size_t i, o = 0;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *name = json_string_value(v);
        int synth = 0;
        for (int k = 0; store && k < ckp_store_source_count(store); k++)
            if (strcmp(ckp_store_source_name(store, k), name) == 0)
                synth = ckp_store_source_synthetic(store, k);
        const char *cur = "";
        for (int k = 0; store && k < ckp_store_source_count(store); k++)
            if (strcmp(ckp_store_source_name(store, k), name) == 0)
                cur = ckp_store_source_currency(store, k);
        char conv[64] = "";
        if (cur[0])
            snprintf(conv, sizeof conv, " (%s converted to USD at monthly average rates)", cur);
        int w = snprintf(buf + o, n - o, "%s%s%s%s", i ? ", " : "", name,
                         synth ? " (SYNTHETIC)" : "", conv);
        if (w < 0 || (size_t)w >= n - o)
            break;
        o += (size_t)w;
    }
}

/* ---- small JSON helpers ---------------------------------------------------- */

static const char *row_str(json_t *row, const char *key)
{
    const char *s = json_string_value(json_object_get(row, key));
    return s ? s : "";
}

static double row_num(json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

typedef struct keyed {
    double key;
    json_t *row;
} keyed;

static int by_key_desc(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (isnan(x->key))
        return isnan(y->key) ? 0 : 1;
    if (isnan(y->key))
        return -1;
    return (x->key < y->key) - (x->key > y->key);
}

/* Keep the `top` rows with the largest |field| (abs = 1) or field. */
static json_t *top_rows(json_t *rows, const char *field, int absval, int top)
{
    size_t n = json_array_size(rows);
    keyed *k = calloc(n ? n : 1, sizeof *k);
    json_t *out = json_array();
    if (!k)
        return out;
    for (size_t i = 0; i < n; i++) {
        k[i].row = json_array_get(rows, i);
        double v = row_num(k[i].row, field);
        k[i].key = absval ? fabs(v) : v;
    }
    qsort(k, n, sizeof *k, by_key_desc);
    for (size_t i = 0; i < n && (int)i < top; i++)
        json_array_append(out, k[i].row);
    free(k);
    return out;
}

static json_t *first_rows(json_t *rows, int top)
{
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(rows) && (int)i < top; i++)
        json_array_append(out, json_array_get(rows, i));
    return out;
}

static const char *country_name(ckp_env *env, int id)
{
    const ckp_country *c = id >= 0 ? ckp_ref_country(ckp_env_ref(env), id) : NULL;
    return c ? c->name : "?";
}

/* A copy of args holding only the parameters of verb v (the view's own, like
 * "top", stay behind), plus the positionals. */
static ckp_args *verb_args(const ckp_args *args, const ckp_verb *v)
{
    ckp_args *a = ckp_args_new();
    if (!a)
        return NULL;
    for (const ckp_param *p = v ? v->params : NULL; p && p->name; p++)
        for (int i = 0; i < ckp_args_count(args, p->name); i++)
            ckp_args_set(a, p->name, ckp_args_nth(args, p->name, i));
    for (int i = 0; i < ckp_args_npos(args); i++)
        ckp_args_add_pos(a, ckp_args_pos(args, i));
    return a;
}

/* The view's own "top" parameter (rows kept). */
static ckp_status view_top(const ckp_args *args, int def, int *top, ckp_error *err)
{
    long t = def;
    ckp_status st = ckp_args_int(args, "top", def, &t, err);
    if (st != CKP_OK)
        return st;
    if (t < 1 || t > 1000)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--top must be between 1 and 1000");
    *top = (int)t;
    return CKP_OK;
}

/* Parameters a view accepts beyond its verb's: checked here so that an
 * unknown parameter is a 400, as for the verbs. */
static ckp_status check_view_params(const ckp_args *args, const ckp_verb *v,
                                    const ckp_param *extra, ckp_error *err)
{
    ckp_param all[64];
    int n = 0;
    for (const ckp_param *p = v ? v->params : NULL; p && p->name && n < 48; p++)
        all[n++] = *p;
    for (const ckp_param *p = extra; p && p->name && n < 63; p++)
        all[n++] = *p;
    all[n] = (ckp_param){NULL, 0, NULL, NULL, 0, 0};
    /* required-ness is the verb's business (it reports it with its own words) */
    for (int i = 0; i < n; i++)
        all[i].required = 0;
    return ckp_args_check(args, all, 0, err);
}

static const ckp_param top_param[] = {
    {"top", CKP_PARAM_INT, "N", "rows kept", 0, 1}, {NULL, 0, NULL, NULL, 0, 0}};

/* ---- a generic verb view ------------------------------------------------- */

typedef struct vspec {
    const char *view, *verb, *title;
    const char *x, *y, *series; /* chart fields */
    const char *chart;          /* "hbar", "bar", "line" */
    int percent;
    const char *sort;           /* field to rank by (NULL = verb order) */
    int sort_abs;
    const char *hs_param;       /* parameter holding the HS set ("hs") */
    const char *country_param;  /* parameter restricting sources by reporter */
    int top;
} vspec;

static const vspec specs[] = {
    {"dependency", "dependency", "Who supplies whom", "supplier", "share", NULL, "hbar", 1, NULL,
     0, "hs", NULL, 15},
    {"chokepoints", "chokepoints", "Where one supplier dominates", "importer", "top_share", NULL,
     "hbar", 1, NULL, 0, "hs", NULL, 20},
    {"concentration", "concentration", "World concentration", "country", "share", NULL, "hbar",
     1, NULL, 0, "hs", NULL, 15},
    {"production", "concentration", "Production concentration", "country", "share", NULL,
     "hbar", 1, NULL, 0, "hs", NULL, 15},
    {"diversion", "diversion", "Candidate diversion hubs", "hub", "score", NULL, "hbar", 0, NULL,
     0, "hs", NULL, 10},
    {"mirror", "mirror", "Largest mirror gaps", "label", "gap", NULL, "hbar", 0, "gap", 1, "hs",
     NULL, 15},
    {"unitvalue", "unitvalue", "Unit-value outliers", "label", "robust_z", NULL, "hbar", 0,
     "robust_z", 1, "hs", NULL, 15},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL, 0}};

/* The coverage of the first row of a share view (coverage.h), for the
 * caption's wording: 1 and *cov filled when the row has one. */
static int share_coverage(ckp_env *env, json_t *r0, const ckp_args *args, ckp_cov_kind kind,
                          ckp_coverage *cov)
{
    if (!r0 || isnan(row_num(r0, "coverage")))
        return 0;
    ckp_hsset *set = NULL;
    ckp_error err;
    int32_t period;
    if (ckp_period_parse(row_str(r0, "period"), &period, &err) != CKP_OK ||
        ckp_args_hsset(args, ckp_env_ref(env), "hs", 1, &set, &err) != CKP_OK)
        return 0;
    ckp_cov_scope sc = {kind, set, period, -1, -1, {0}, 0, NULL};
    if (kind == CKP_COV_IMPORTER) {
        sc.importer = ckp_ref_country_by_iso3(ckp_env_ref(env), row_str(r0, "importer"));
        sc.mirror = strcmp(row_str(r0, "source"), "mirror") == 0;
    } else {
        sc.what = strcmp(row_str(r0, "side"), "importer") == 0 ? "imports" : "exports";
    }
    int ok = ckp_coverage_of(env, &sc, cov, &err) == CKP_OK && !isnan(cov->share);
    ckp_hsset_free(set);
    return ok;
}

/* " Coverage 67 %: …" after a caption: what the view's first row rests on
 * (every view of flows; "Thin coverage" below CKP_COVERAGE_THIN). */
static void caption_coverage(json_t *sec, json_t *r0)
{
    const char *cap = json_string_value(json_object_get(sec, "caption"));
    const char *note = r0 ? row_str(r0, "coverage_note") : "";
    double c = r0 ? row_num(r0, "coverage") : NAN;
    if (!cap || !note[0] || isnan(c))
        return;
    set_caption(sec, "%s %s %.*f %%: %s.", cap, c < CKP_COVERAGE_THIN ? "Thin coverage" : "Coverage",
                c < 0.01 ? 2 : c < 0.1 ? 1 : 0, 100 * c,
                strncmp(note, "thin: ", 6) == 0 ? note + 6 : note);
}

static void caption_for(ckp_env *env, const vspec *sp, json_t *sec, json_t *rows,
                        const ckp_args *args)
{
    ckp_coverage cov;
    char src[1024];
    sources_text(env, sec, src, sizeof src);
    const char *hs = ckp_args_get(args, "hs");
    json_t *r0 = json_array_get(rows, 0);
    char hhi[64] = "";
    if (r0 && !isnan(row_num(r0, "hhi")))
        snprintf(hhi, sizeof hhi, "; HHI %.0f (0-10,000)", row_num(r0, "hhi"));
    const char *period = r0 ? row_str(r0, "period") : "";
    if (strcmp(sp->view, "dependency") == 0) {
        const char *how = r0 && strcmp(row_str(r0, "source"), "mirror") == 0
                              ? "from the suppliers' export reports (mirror: the importer does "
                                "not report)"
                              : "as reported by the importer";
        if (share_coverage(env, r0, args, CKP_COV_IMPORTER, &cov) && cov.thin)
            /* never a share of the importer's imports on thin coverage */
            set_caption(sec,
                        "Each supplier's share of the flows of %s to %s reported by %s in "
                        "%s%s, %s: not a share of %s's imports. Data: %s; the dependency verb.",
                        hs ? hs : "?", row_str(r0, "importer"),
                        cov.nreporters ? cov.reporters : "no one", period, hhi, how,
                        row_str(r0, "importer"), src);
        else
            set_caption(sec,
                        "Each supplier's share of %s's imports of %s in %s%s, %s. Data: %s; the "
                        "dependency verb.",
                        r0 ? row_str(r0, "importer") : ckp_args_get(args, "importer"),
                        hs ? hs : "?", period[0] ? period : "the latest period", hhi, how, src);
    } else if (strcmp(sp->view, "chokepoints") == 0) {
        set_caption(sec,
                    "Importers of %s whose largest supplier holds the biggest share (bar = that "
                    "supplier's share; the table names it, with the HHI and the value). Data: "
                    "%s; the chokepoints verb.",
                    hs ? hs : "every product", src);
    } else if (strcmp(sp->view, "concentration") == 0 || strcmp(sp->view, "production") == 0) {
        const char *side = r0 ? row_str(r0, "side") : ckp_args_get(args, "side");
        int prod = side && strcmp(side, "producer") == 0;
        if (!prod && share_coverage(env, r0, args, CKP_COV_WORLD, &cov) && cov.thin)
            /* never a share of world trade on thin coverage */
            set_caption(sec,
                        "Each country's share of the %s of %s reported by %s in %s%s: not a "
                        "share of world %s. Data: %s; the concentration verb (--side %s).",
                        side && strcmp(side, "importer") == 0 ? "imports" : "exports",
                        hs ? hs : "?", cov.nreporters ? cov.reporters : "no one",
                        period[0] ? period : "the latest period", hhi,
                        side && strcmp(side, "importer") == 0 ? "imports" : "exports", src,
                        side ? side : "exporter");
        else
        set_caption(sec,
                    "Each country's share of world %s of %s in %s%s. Data: %s; the "
                    "concentration verb (--side %s).",
                    prod ? "mine/refinery production" : side && strcmp(side, "importer") == 0
                                                            ? "imports"
                                                            : "exports",
                    hs ? hs : "?", period[0] ? period : "the latest period", hhi,
                    prod ? "USGS Mineral Commodity Summaries (production tables)" : src,
                    side ? side : "exporter");
    } else if (strcmp(sp->view, "diversion") == 0) {
        set_caption(sec,
                    "Third countries ranked as rerouting hubs after measure %s: the score weighs "
                    "the growth of issuer→hub and hub→target trade against its baseline and "
                    "against uncontrolled control products, and the drop of issuer→target; each "
                    "row explains its score. Data: %s; the diversion verb.",
                    ckp_args_get(args, "measure") ? ckp_args_get(args, "measure") : "(given)",
                    src);
    } else if (strcmp(sp->view, "mirror") == 0) {
        set_caption(sec,
                    "Flows of %s where the exporter's and the importer's reports disagree most "
                    "(gap in USD after the CIF/FOB margin; 'phantom' = reported on one side "
                    "only). Data: %s; the mirror verb.",
                    hs ? hs : "?", src);
    } else if (strcmp(sp->view, "unitvalue") == 0) {
        set_caption(sec,
                    "Flows of %s whose unit value (USD/kg) is furthest from the product's world "
                    "median (robust z-score; under-invoicing and misclassification show as "
                    "large negative or positive values). Data: %s; the unitvalue verb.",
                    hs ? hs : "?", src);
    }
    caption_coverage(sec, r0);
}

static json_t *verb_view(ckp_env *env, const vspec *sp, const ckp_args *args, int from_server,
                         int max_rows, ckp_error *err)
{
    const ckp_verb *v = ckp_verb_find(sp->verb);
    if (from_server && v && check_view_params(args, v, top_param, err) != CKP_OK)
        return NULL;
    int top = sp->top < max_rows ? sp->top : max_rows;
    if (view_top(args, top, &top, err) != CKP_OK)
        return NULL;
    ckp_args *va = verb_args(args, v);
    if (!va) {
        ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    if (strcmp(sp->view, "production") == 0 && !ckp_args_get(va, "side"))
        ckp_args_set(va, "side", "producer");
    char title[300];
    const char *hs = ckp_args_get(va, "hs");
    if (strcmp(sp->view, "dependency") == 0)
        snprintf(title, sizeof title, "Who supplies %s: %s", ckp_args_get(va, "importer") ?
                 ckp_args_get(va, "importer") : "?", hs ? hs : "?");
    else if (strcmp(sp->view, "diversion") == 0)
        snprintf(title, sizeof title, "%s after %s", sp->title,
                 ckp_args_get(va, "measure") ? ckp_args_get(va, "measure") : "the measure");
    else
        snprintf(title, sizeof title, "%s: %s", sp->title, hs ? hs : "every product");
    json_t *sec = section_new(sp->view, title);
    json_t *rows = NULL;
    if (verb_rows(env, sp->verb, va, from_server, sec, &rows, err) != CKP_OK) {
        json_decref(sec);
        json_decref(rows);
        ckp_args_free(va);
        return NULL;
    }
    /* one period per chart for the share views: the latest, unless the user
     * chose one (the verbs answer every period of the range) */
    if ((strcmp(sp->view, "dependency") == 0 || strcmp(sp->view, "concentration") == 0 ||
         strcmp(sp->view, "production") == 0 || strcmp(sp->view, "chokepoints") == 0) &&
        json_array_size(rows) > 0) {
        const char *latest = "";
        size_t i0;
        json_t *r0;
        json_array_foreach(rows, i0, r0) {
            if (strcmp(row_str(r0, "period"), latest) > 0)
                latest = row_str(r0, "period");
        }
        char keep_p[32];
        snprintf(keep_p, sizeof keep_p, "%s", latest);
        json_t *only = json_array();
        json_array_foreach(rows, i0, r0) {
            if (strcmp(row_str(r0, "period"), keep_p) == 0)
                json_array_append(only, r0);
        }
        json_decref(rows);
        rows = only;
    }
    /* labels for flow-level views */
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (!json_object_get(row, "label") && json_object_get(row, "reporter")) {
            char lab[96];
            snprintf(lab, sizeof lab, "%s→%s %s %s", row_str(row, "reporter"),
                     row_str(row, "partner"), row_str(row, "hs"), row_str(row, "period"));
            json_object_set_new(row, "label", json_string(lab));
        }
    }
    json_t *kept = sp->sort ? top_rows(rows, sp->sort, sp->sort_abs, top) : first_rows(rows, top);
    json_object_set_new(sec, "total_rows", json_integer((json_int_t)json_array_size(rows)));
    if (json_array_size(kept) > 0)
        json_object_set_new(sec, "chart", chart_new(sp->chart, sp->x, sp->y, sp->series,
                                                     sp->percent));
    else if (json_is_null(json_object_get(sec, "note")))
        set_note(sec, "No rows: the store holds no data for this question.");
    if (strcmp(sp->view, "production") != 0) {
        ckp_hsset *set = NULL;
        if (ckp_args_hsset(va, ckp_env_ref(env), "hs", 0, &set, NULL) == CKP_OK && set)
            add_sources(env, sec, set, -1, -1);
        ckp_hsset_free(set);
        /* diversion by --measure: the measure's goods */
        const ckp_measures *ms = NULL;
        const char *mid = ckp_args_get(va, "measure");
        if (mid && ckp_measures_from_env(env, &ms, NULL) == CKP_OK && ms) {
            const ckp_measure *m = ckp_measures_find(ms, mid);
            if (m)
                add_sources(env, sec, m->hs, -1, -1);
        }
    }
    caption_for(env, sp, sec, kept, va);
    if (strcmp(sp->view, "production") != 0) /* USGS tables, not HS codes */
        caption_caveat(sec, json_string_value(json_object_get(json_array_get(kept, 0), "caveat")));
    json_object_set_new(sec, "rows", kept);
    json_decref(rows);
    ckp_args_free(va);
    return sec;
}

/* ---- measures timeline ------------------------------------------------------ */

static json_t *view_measures(ckp_env *env, const ckp_args *args, int from_server, ckp_error *err)
{
    const ckp_verb *v = ckp_verb_find("measures");
    if (from_server && v && check_view_params(args, v, NULL, err) != CKP_OK)
        return NULL;
    json_t *sec = section_new("measures", "Export controls over time");
    json_t *rows = NULL;
    ckp_args *va = verb_args(args, v);
    ckp_status st = va ? verb_rows(env, "measures", va, from_server, sec, &rows, err) : CKP_ENOMEM;
    ckp_args_free(va);
    if (st != CKP_OK) {
        json_decref(sec);
        json_decref(rows);
        return NULL;
    }
    json_object_set_new(sec, "rows", rows);
    json_t *chart = chart_new("timeline", "id", "effective", "issuer", 0);
    json_object_set_new(chart, "end", json_string("lifted"));
    json_object_set_new(chart, "until", json_string("until")); /* a suspension row's end */
    json_object_set_new(chart, "gap_from", json_string("suspended_from"));
    json_object_set_new(chart, "gap_to", json_string("suspended_until"));
    if (json_array_size(rows) > 0)
        json_object_set_new(sec, "chart", chart);
    else
        json_decref(chart);
    set_caption(sec,
                "Each bar is one measure of the register, from the day it took effect to the "
                "day it was lifted (bars running to the right edge are in force); the grey part "
                "of a bar is a suspension (of the whole measure, or of a clause or some "
                "destinations: see the status and suspension columns), after which it applies "
                "again unless lifted. "
                "Data: the measures register shipped in data/controls (China's MOFCOM "
                "announcements as compiled in measures.csv, the EU's HS6 sanctions on Russia, "
                "the Common High Priority Items List); the measures verb.");
    return sec;
}

/* ---- exports by partner over time (a plain aggregate of the store) ------------ */

/* Period label of a day: "YYYY-MM" (monthly) or "YYYY". */
static void day_label(int32_t days, int monthly, char *buf)
{
    int32_t p = ckp_date_period(days);
    int y = (int)CKP_PERIOD_YEAR(p) % 10000, m = (int)CKP_PERIOD_MONTH(p) % 100;
    if (monthly)
        snprintf(buf, 16, "%04d-%02d", y < 0 ? 0 : y, m < 0 ? 0 : m);
    else
        snprintf(buf, 16, "%04d", y < 0 ? 0 : y);
}

static int hs_overlap(const ckp_hsset *a, const ckp_hsset *b)
{
    uint32_t cur = 0, code;
    while (ckp_hsset_next(a, &cur, &code))
        if (ckp_hsset_has(b, code))
            return 1;
    return 0;
}

static void add_markers(ckp_env *env, json_t *chart, const ckp_hsset *set, int reporter,
                        int partner, int monthly, const char *first, const char *last,
                        json_t *ids)
{
    const ckp_measures *ms = NULL;
    if (ckp_measures_from_env(env, &ms, NULL) != CKP_OK || !ms)
        return;
    json_t *markers = json_object_get(chart, "markers");
    for (int i = 0; i < ckp_measures_count(ms); i++) {
        const ckp_measure *m = ckp_measures_at(ms, i);
        if (m->nhs > 200 || m->kind == CKP_MEASURE_SUSPENSION || !hs_overlap(set, m->hs))
            continue;
        if (!ckp_measure_covers_flow(m, reporter, reporter < 0 ? partner : -1))
            continue;
        int32_t start = ckp_measure_start(m);
        char at[16], lab[160];
        if (start >= 0) {
            day_label(start, monthly, at);
            if (strcmp(at, first) >= 0 && strcmp(at, last) <= 0) {
                snprintf(lab, sizeof lab, "%s %s (to %s)", m->id, ckp_measure_kind_name(m->kind),
                         m->targets_code);
                json_array_append_new(markers, json_pack("{s:s, s:s}", "at", at, "label", lab));
            }
        }
        if (m->lifted >= 0) {
            day_label(m->lifted, monthly, at);
            if (strcmp(at, first) >= 0 && strcmp(at, last) <= 0) {
                snprintf(lab, sizeof lab, "%s lifted", m->id);
                json_array_append_new(markers, json_pack("{s:s, s:s}", "at", at, "label", lab));
            }
        }
        for (int k = 0; k < m->nsusp; k++) { /* suspended from, applies again from */
            const ckp_suspension *x = &m->susp[k];
            for (int e = 0; e < 2; e++) {
                int32_t day = e ? x->end : x->from;
                if (day < 0)
                    continue;
                day_label(day, monthly, at);
                if (strcmp(at, first) < 0 || strcmp(at, last) > 0)
                    continue;
                snprintf(lab, sizeof lab, "%s %s%s (%s)", m->id, x->clause[0] ? "partly " : "",
                         e ? "resumes" : "suspended", x->by);
                json_array_append_new(markers, json_pack("{s:s, s:s}", "at", at, "label", lab));
            }
        }
        if (ids)
            json_array_append_new(ids, json_string(m->id));
    }
}

static const ckp_param exports_params[] = {
    {"reporter", CKP_PARAM_STR, "C", "the exporting country", 0, 1},
    {"partner", CKP_PARAM_STR, "C", "the destination", 0, 1},
    {"hs", CKP_PARAM_STR, "H", "HS codes, prefixes or a group", 1, 1},
    {"flow", CKP_PARAM_STR, "X|M", "X = exports (default), M = imports", 0, 1},
    {"period", CKP_PARAM_STR, "P", "one period", 0, 1},
    {"from", CKP_PARAM_STR, "P", "first period", 0, 1},
    {"to", CKP_PARAM_STR, "P", "last period", 0, 1},
    {"top", CKP_PARAM_INT, "N", "partners shown (the rest summed as 'other')", 0, 1},
    {NULL, 0, NULL, NULL, 0, 0}};

static json_t *view_exports(ckp_env *env, const ckp_args *args, int from_server, ckp_error *err)
{
    if (ckp_args_check(args, exports_params, from_server, err) != CKP_OK)
        return NULL;
    int reporter = -1, partner = -1, top = 8;
    int32_t from = 0, to = 0;
    ckp_hsset *set = NULL;
    if (ckp_args_country(args, ckp_env_ref(env), "reporter", 0, &reporter, err) != CKP_OK ||
        ckp_args_country(args, ckp_env_ref(env), "partner", 0, &partner, err) != CKP_OK ||
        ckp_args_periods(args, &from, &to, err) != CKP_OK || view_top(args, 8, &top, err) ||
        ckp_args_hsset(args, ckp_env_ref(env), "hs", 1, &set, err) != CKP_OK)
        return NULL;
    const char *flow_s = ckp_args_get(args, "flow");
    int flow = CKP_FLOW_EXPORT;
    if (flow_s && strcasecmp(flow_s, "M") == 0)
        flow = CKP_FLOW_IMPORT;
    else if (flow_s && strcasecmp(flow_s, "X") != 0) {
        ckp_hsset_free(set);
        ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--flow must be X or M (got '%s')", flow_s);
        return NULL;
    }
    if (reporter < 0 && partner < 0) {
        ckp_hsset_free(set);
        ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "give --reporter or --partner (or both)");
        return NULL;
    }
    const char *hs_arg = ckp_args_get(args, "hs");
    char title[256];
    if (reporter >= 0)
        snprintf(title, sizeof title, "%s's %s of %s by partner", country_name(env, reporter),
                 flow == CKP_FLOW_EXPORT ? "exports" : "imports", hs_arg);
    else
        snprintf(title, sizeof title, "%s of %s to %s, by reporting country",
                 flow == CKP_FLOW_EXPORT ? "Exports" : "Imports", hs_arg,
                 country_name(env, partner));
    json_t *sec = section_new("exports", title);
    json_object_set_new(sec, "columns",
                        json_pack("[s,s,s,s,s]", "period", reporter >= 0 ? "partner" : "reporter",
                                  "name", "value", "qty"));
    ckp_overview ov;
    memset(&ov, 0, sizeof ov);
    ckp_error serr;
    ckp_error_clear(&serr);
    const ckp_store *store = NULL;
    ckp_overview_spec osp = {set, reporter, partner, flow, from, to, top};
    ckp_status st = ckp_env_store(env, &store, &serr);
    if (st == CKP_OK)
        st = ckp_overview_series(store, ckp_env_ref(env), &osp, &ov, &serr);
    if (st != CKP_OK || ov.too_many) {
        char msg[1024];
        set_note(sec, "exports: %s", ov.too_many ? "too many rows for one chart: narrow the query"
                                                : ckp_error_format(&serr, msg, sizeof msg));
        ckp_hsset_free(set);
        return sec;
    }
    int monthly = ov.monthly, mirrored = ov.mirrored;
    json_t *rows = json_array();
    const char *sfield = reporter >= 0 ? "partner" : "reporter";
    char first[8] = "", last[8] = "";
    for (size_t i = 0; i < ov.n; i++) {
        const ckp_overview_point *pt = &ov.points[i];
        char plab[8];
        ckp_period_format(pt->period, plab);
        if (!first[0])
            snprintf(first, sizeof first, "%s", plab);
        snprintf(last, sizeof last, "%s", plab);
        const ckp_country *cc = pt->other >= 0 ? ckp_ref_country(ckp_env_ref(env), pt->other) : NULL;
        if (pt->other >= 0)
            json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:f, s:f}", "period", plab,
                                                  sfield, cc ? cc->iso3 : "?", "name",
                                                  cc ? cc->name : "?", "value", pt->value,
                                                  "qty", pt->qty));
        else
            json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:f, s:f}", "period", plab,
                                                  sfield, "other", "name", "all other partners",
                                                  "value", pt->value, "qty", pt->qty));
    }
    int synth = 0;
    json_t *srcs = json_object_get(sec, "sources");
    for (int i = 0; store && i < 256 && i < ckp_store_source_count(store); i++)
        if (ov.sources[i]) {
            json_array_append_new(srcs, json_string(ckp_store_source_name(store, i)));
            synth |= ckp_store_source_synthetic(store, i);
        }
    json_object_set_new(sec, "synthetic", json_boolean(synth));
    json_t *ids = json_array();
    if (ov.n > 0) {
        json_t *chart = chart_new("line", "period", "value", sfield, 0);
        add_markers(env, chart, set, reporter, partner, monthly, first, last, ids);
        json_object_set_new(sec, "chart", chart);
    } else {
        set_note(sec, "No rows: the store holds no %s of %s for %s.",
                 flow == CKP_FLOW_EXPORT ? "exports" : "imports", hs_arg,
                 country_name(env, reporter >= 0 ? reporter : partner));
    }
    char src[1024], idtext[512] = "";
    sources_text(env, sec, src, sizeof src);
    size_t o = 0;
    size_t ii;
    json_t *idv;
    json_array_foreach(ids, ii, idv) {
        int w = snprintf(idtext + o, sizeof idtext - o, "%s%s", ii ? ", " : "",
                         json_string_value(idv));
        if (w < 0 || (size_t)w >= sizeof idtext - o)
            break;
        o += (size_t)w;
    }
    set_caption(sec,
                "%s %s of %s (%s), %s %s to %s, in USD%s. The %d largest %s are drawn; the rest "
                "are summed as 'other'.%s%s%s Data: %s.",
                reporter >= 0 ? country_name(env, reporter) : "Every reporter's",
                flow == CKP_FLOW_EXPORT ? "exports" : "imports", hs_arg, ckp_hsset_label(set),
                monthly ? "monthly" : "annual", first[0] ? first : "-", last[0] ? last : "-",
                mirrored ? ", from the partners' import reports (mirror: the exporter does not "
                           "report these flows)"
                         : reporter >= 0 ? ", as reported by the exporter" : "",
                top, reporter >= 0 ? "partners" : "reporters",
                idtext[0] ? " Dashed lines: measures " : "", idtext,
                idtext[0] ? " taking effect (and being lifted)." : "", src);
    char cav[4096];
    if (ckp_hsset_caveat(ckp_env_ref(env), set, cav, sizeof cav) > 0)
        caption_caveat(sec, cav);
    json_decref(ids);
    json_object_set_new(sec, "rows", rows);
    ckp_overview_free(&ov);
    ckp_hsset_free(set);
    return sec;
}

/* ---- screening summary (report only: reads a local file) ------------------- */

static void count_bad(const ckp_error *why, void *ctx)
{
    (void)why;
    (*(long *)ctx)++;
}

/* Screen the file through the screen verb when it is registered, else
 * through the library (screen.h) with the shipped lists, the register and
 * the hubs. */
static ckp_status screen_rows(ckp_env *env, const ckp_args *args, json_t *sec, json_t **rows,
                              long *bad, ckp_error *err)
{
    if (ckp_verb_find("screen")) {
        ckp_args *va = verb_args(args, ckp_verb_find("screen"));
        ckp_status st = va ? verb_rows(env, "screen", va, 0, sec, rows, err) : CKP_ENOMEM;
        ckp_args_free(va);
        return st;
    }
    *rows = json_array();
    size_t ncols = 0;
    const ckp_column *cols = ckp_screen_columns(&ncols);
    json_t *names = json_array();
    for (size_t i = 0; i < ncols; i++)
        json_array_append_new(names, json_string(cols[i].name));
    json_object_set_new(sec, "columns", names);
    ckp_screen_config cfg;
    ckp_screen_config_init(&cfg, ckp_env_ref(env));
    ckp_lists *lists = NULL;
    ckp_index *ix = NULL;
    ckp_error lerr;
    ckp_error_clear(&lerr);
    if (ckp_index_load(NULL, ckp_env_data_dir(env), ckp_env_ref(env), &lists, &ix, NULL,
                       &lerr) == CKP_OK)
        cfg.index = ix;
    const ckp_measures *ms = NULL;
    const ckp_hubs *hubs = NULL;
    if (ckp_measures_from_env(env, &ms, NULL) == CKP_OK)
        cfg.measures = ms;
    if (ckp_hubs_from_env(env, &hubs, NULL) == CKP_OK)
        cfg.hubs = hubs;
    ckp_screen_input in = {ckp_args_pos(args, 0), NULL, 0, NULL, 0};
    row_keeper k = {*rows, 0};
    ckp_writer *w = *rows ? ckp_writer_new_rows(cols, ncols, keep_row, &k) : NULL;
    ckp_screen_stats st;
    memset(&st, 0, sizeof st);
    ckp_error serr;
    ckp_error_clear(&serr);
    ckp_status rc = w ? ckp_screen_run(&cfg, &in, w, count_bad, bad, &st, &serr) : CKP_ENOMEM;
    if (w) {
        ckp_writer_finish(w); /* a row left open is ended, and checked */
        rc = ckp_writer_check(w, rc, &serr);
        ckp_writer_free(w);
    }
    if (rc != CKP_OK)
        json_array_clear(*rows);
    if (rc == CKP_ENOMEM && !w) {
        if (ix)
            ckp_index_free(ix);
        if (lists)
            ckp_lists_free(lists);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc != CKP_OK) {
        char msg[1024];
        set_note(sec, "screen: %s", ckp_error_format(&serr, msg, sizeof msg));
    } else if (!cfg.index) {
        set_note(sec, "The party lists did not load (%s): no party alerts.", lerr.msg);
    }
    json_object_set_new(sec, "shipments", json_integer((json_int_t)st.shipments));
    if (ix)
        ckp_index_free(ix);
    if (lists)
        ckp_lists_free(lists);
    return CKP_OK;
}

/* A note of screen_rows() (lists not loaded, the run failed) that the
 * unscreened-rows note must keep; not the "No alerts" one it replaces. */
static int rc_note_kept(const char *note) { return strncmp(note, "No alerts", 9) != 0; }

static json_t *view_screen(ckp_env *env, const ckp_args *args, int from_server, int max_rows,
                           ckp_error *err)
{
    if (from_server) {
        ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                      "the screen view reads a local file: POST shipments to /api/screen");
        return NULL;
    }
    json_t *sec = section_new("screen", "Screening summary");
    json_t *rows = NULL;
    long bad = 0;
    if (screen_rows(env, args, sec, &rows, &bad, err) != CKP_OK) {
        json_decref(sec);
        json_decref(rows);
        return NULL;
    }
    /* counts by kind, and the distinct shipments with an alert */
    static const char *const kinds[] = {"goods", "party", "route", "unitvalue", NULL};
    double counts[5] = {0};
    size_t i;
    json_t *row;
    json_t *ships = json_object();
    json_array_foreach(rows, i, row) {
        const char *k = row_str(row, "kind");
        int j = 0;
        while (kinds[j] && strcmp(kinds[j], k) != 0)
            j++;
        counts[j]++;
        json_object_set_new(ships, row_str(row, "shipment"), json_true());
    }
    json_t *labels = json_array(), *data = json_array();
    for (int j = 0; j < 5; j++) {
        if (j == 4 && counts[4] == 0)
            break;
        json_array_append_new(labels, json_string(kinds[j] ? kinds[j] : "other"));
        json_array_append_new(data, json_real(counts[j]));
    }
    if (json_array_size(rows) > 0) {
        json_t *chart = chart_new("bar", "kind", "count", NULL, 0);
        json_object_set_new(chart, "data",
                            json_pack("{s:o, s:[{s:s, s:o}]}", "labels", labels, "datasets",
                                      "label", "alerts", "data", data));
        json_object_set_new(sec, "chart", chart);
    } else {
        json_decref(labels);
        json_decref(data);
        if (json_is_null(json_object_get(sec, "note")))
            set_note(sec, "No alerts: no shipment hit a control, a listed party or a risky route.");
    }
    if (bad > 0) { /* never "no alerts" for rows that were not looked at */
        const char *prev = json_string_value(json_object_get(sec, "note"));
        int keep = prev && rc_note_kept(prev);
        set_note(sec, "%ld rows of the file were NOT screened (a bad field: see `chokepoint "
                      "screen --rejects FILE`): no answer, alert or not, for them.%s%s",
                 bad, keep ? " " : "", keep ? prev : "");
    }
    json_int_t nship = json_integer_value(json_object_get(sec, "shipments"));
    char screened[64] = "";
    if (nship > 0 || bad > 0)
        snprintf(screened, sizeof screened, " (%lld screened, %ld rows NOT screened)",
                 (long long)nship, bad);
    set_caption(sec,
                "%zu alerts on %zu shipments of %s%s, by kind (goods under a control in force, "
                "listed parties, risky routes via diversion hubs, unit-value outliers); the "
                "table lists the highest-scoring alerts with their reasons. Data: the shipments "
                "file given to the report, the party lists and the measures register shipped in "
                "data/, the diversion hubs ranked on the store; screening (screen.h).",
                json_array_size(rows), json_object_size(ships),
                ckp_args_pos(args, 0) ? ckp_args_pos(args, 0) : "?", screened);
    json_object_set_new(sec, "total_rows", json_integer((json_int_t)json_array_size(rows)));
    json_object_set_new(sec, "rows", top_rows(rows, "score", 0, max_rows * 2));
    json_decref(rows);
    json_decref(ships);
    return sec;
}

json_t *ckp__report_view(ckp_env *env, const char *name, const ckp_args *args,
                         int from_server, int max_rows, ckp_error *err)
{
    if (max_rows <= 0)
        max_rows = 25;
    if (strcmp(name, "measures") == 0)
        return view_measures(env, args, from_server, err);
    if (strcmp(name, "exports") == 0)
        return view_exports(env, args, from_server, err);
    if (strcmp(name, "screen") == 0)
        return view_screen(env, args, from_server, max_rows, err);
    for (const vspec *sp = specs; sp->view; sp++)
        if (strcmp(sp->view, name) == 0)
            return verb_view(env, sp, args, from_server, max_rows, err);
    ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0, "unknown view '%.60s'", name);
    return NULL;
}

ckp_status ckp_report_view(ckp_env *env, const char *name, const ckp_args *args,
                           int from_server, FILE *out, ckp_error *err)
{
    ckp_error_clear(err);
    json_t *sec = ckp__report_view(env, name, args, from_server, 25, err);
    if (!sec)
        return err && err->code != CKP_OK ? err->code
                                          : ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0,
                                                          "out of memory");
    int rc = ckp_json_dumpf(sec, out, 0);
    json_decref(sec);
    if (rc != 0)
        return ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write the view");
    return CKP_OK;
}

/* ---- product groups ------------------------------------------------------------ */

static void add_unique(int *arr, int *n, int max, int v)
{
    for (int i = 0; i < *n; i++)
        if (arr[i] == v)
            return;
    if (*n < max)
        arr[(*n)++] = v;
}

/* ---- the codes a group is held as ---------------------------------------- */

typedef struct held {
    const ckp_store *store;
    ckp_hsset *seen;
} held;

static int held_block(const ckp_store_cols *b, void *ctx)
{
    held *h = ctx;
    for (size_t i = 0; i < b->n; i++)
        if (ckp_store_source_selected(h->store, b->source[i])) {
            ckp_hsset_add(h->seen, b->hs);
            break;
        }
    return 0;
}

int ckp__report_held_codes(ckp_env *env, const char *hs_arg, char *buf, size_t n)
{
    const ckp_store *store = NULL;
    ckp_hsset *set = NULL;
    held h = {NULL, NULL};
    int count = -1;
    if (n)
        buf[0] = '\0';
    if (ckp_env_store(env, &store, NULL) != CKP_OK || !store ||
        ckp_hsset_parse(ckp_env_ref(env), hs_arg, &set, NULL) != CKP_OK || !set)
        goto out;
    h.store = store;
    h.seen = ckp_hsset_new();
    if (!h.seen)
        goto out;
    ckp_query q;
    ckp_query_init(&q);
    q.hs = set;
    if (ckp_store_scan_cols(store, &q, held_block, &h, NULL) != CKP_OK)
        goto out;
    size_t o = 0;
    uint32_t cur = 0, code;
    count = 0;
    while (ckp_hsset_next(h.seen, &cur, &code)) {
        char c6[8];
        int w = snprintf(buf + o, n - o, "%s%s", count ? "," : "", ckp_hs_format(code, 6, c6));
        if (w < 0 || (size_t)w >= n - o) {
            buf[0] = '\0';
            count = -1;
            goto out;
        }
        o += (size_t)w;
        count++;
    }
out:
    ckp_hsset_free(h.seen);
    ckp_hsset_free(set);
    return count;
}

int ckp__report_group_list(ckp_env *env, ckp__rgroup *out, int max)
{
    const ckp_measures *ms = NULL;
    if (ckp_measures_from_env(env, &ms, NULL) != CKP_OK)
        ms = NULL;
    int n = 0;
    for (int g = 0; g < ckp_ref_group_count(ckp_env_ref(env)) && n < max; g++) {
        const ckp_group *grp = ckp_ref_group(ckp_env_ref(env), g);
        if (!grp || strcmp(grp->source, "builtin") != 0)
            continue;
        ckp_hsset *set = NULL;
        if (ckp_hsset_parse(ckp_env_ref(env), grp->name, &set, NULL) != CKP_OK || !set)
            continue;
        ckp__rgroup *r = &out[n];
        memset(r, 0, sizeof *r);
        size_t mo = 0;
        for (int i = 0; ms && i < ckp_measures_count(ms); i++) {
            const ckp_measure *m = ckp_measures_at(ms, i);
            /* broad sanctions lists (thousands of codes) do not make a product
             * "controlled" for this report; targeted measures do */
            if (m->nhs > 200 || m->kind == CKP_MEASURE_SUSPENSION || !hs_overlap(set, m->hs))
                continue; /* a suspension's codes are those of the measures it suspends */
            if (m->direction == CKP_DIR_IMPORT)
                continue; /* an import ban: its targets are origins, not destinations */
            if (m->nissuers == 1)
                add_unique(r->issuers, &r->nissuers, 8, m->issuers[0]);
            for (int t = 0; !m->all_targets && t < m->ntargets; t++)
                add_unique(r->targets, &r->ntargets, 8, m->targets[t]);
            int w = snprintf(r->measures + mo, sizeof r->measures - mo, "%s%s", mo ? ";" : "",
                             m->id);
            if (w > 0 && (size_t)w < sizeof r->measures - mo)
                mo += (size_t)w;
        }
        ckp_hsset_free(set);
        if (!r->measures[0])
            continue;
        snprintf(r->name, sizeof r->name, "%s", grp->name);
        snprintf(r->hs, sizeof r->hs, "%s", grp->name);
        snprintf(r->label, sizeof r->label, "%s", grp->description ? grp->description : "");
        n++;
    }
    if (n == 0 && ms) {
        /* no named groups: one group per targeted measure */
        for (int i = 0; i < ckp_measures_count(ms) && n < max; i++) {
            const ckp_measure *m = ckp_measures_at(ms, i);
            if (m->nhs > 200)
                continue;
            ckp__rgroup *r = &out[n++];
            memset(r, 0, sizeof *r);
            snprintf(r->name, sizeof r->name, "%s", m->id);
            snprintf(r->hs, sizeof r->hs, "%s", m->hs_codes);
            for (char *p = r->hs; *p; p++)
                if (*p == ';')
                    *p = ',';
            snprintf(r->label, sizeof r->label, "%s", m->title);
            if (m->nissuers == 1)
                add_unique(r->issuers, &r->nissuers, 8, m->issuers[0]);
            for (int t = 0; !m->all_targets && t < m->ntargets; t++)
                add_unique(r->targets, &r->ntargets, 8, m->targets[t]);
            snprintf(r->measures, sizeof r->measures, "%s", m->id);
        }
    }
    return n;
}

ckp_status ckp_report_groups(ckp_env *env, FILE *out, ckp_error *err)
{
    ckp__rgroup *g = calloc(64, sizeof *g);
    if (!g)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    int n = ckp__report_group_list(env, g, 64);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *iss = json_array(), *tg = json_array(), *ids = json_array();
        for (int k = 0; k < g[i].nissuers; k++)
            json_array_append_new(iss, json_string(ckp_ref_country(ckp_env_ref(env), g[i].issuers[k])->iso3));
        for (int k = 0; k < g[i].ntargets; k++)
            json_array_append_new(tg, json_string(ckp_ref_country(ckp_env_ref(env), g[i].targets[k])->iso3));
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s", g[i].measures);
        char *save = NULL;
        for (char *t = strtok_r(tmp, ";", &save); t; t = strtok_r(NULL, ";", &save))
            json_array_append_new(ids, json_string(t));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "name", g[i].name,
                                             "hs", g[i].hs, "label", g[i].label, "issuers", iss,
                                             "targets", tg, "measures", ids));
    }
    free(g);
    int rc = ckp_json_dumpf(arr, out, 0);
    json_decref(arr);
    return rc == 0 ? CKP_OK : ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write groups");
}

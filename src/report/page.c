/* page.c — the report: every view over every controlled product group,
 * written into one self-contained HTML page (see report.h).
 *
 * The page is the embedded template web/report.html with the stylesheet, the
 * charting library, the renderer (web/charts.js, web/report.js) and the data
 * (one JSON document) inlined: it opens offline, from a file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chokepoint/measures.h"
#include "report/report_int.h"

#ifndef CKP_VERSION
#define CKP_VERSION "dev"
#endif

#define MAX_GROUPS 24
#define MAX_DIVERSION 8

typedef struct page {
    ckp_env *env;
    const ckp_report_opts *opts;
    ckp_report_stats st;
    int max_rows;
} page;

/* Run one view on env with parameters given as "name=value" strings; append
 * the section to `sections`.  only_data: a section without rows (a note
 * instead) is left out (the synthetic part shows what its scenario holds). */
static void add_view_in(page *pg, ckp_env *env, json_t *sections, const char *view,
                        const char *const *kv, const char *pos, int only_data)
{
    ckp_args *a = ckp_args_new();
    if (!a)
        return;
    for (int i = 0; kv && kv[i]; i++) {
        const char *eq = strchr(kv[i], '=');
        if (!eq)
            continue;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(eq - kv[i]), kv[i]);
        ckp_args_set(a, name, eq + 1);
    }
    if (pos)
        ckp_args_add_pos(a, pos);
    ckp_error err;
    ckp_error_clear(&err);
    json_t *sec = ckp__report_view(env, view, a, 0, pg->max_rows, &err);
    ckp_args_free(a);
    if (sec && only_data && (!json_is_null(json_object_get(sec, "note")) ||
                             json_array_size(json_object_get(sec, "rows")) == 0)) {
        json_decref(sec);
        return;
    }
    if (!sec) {
        char msg[1024];
        sec = json_pack("{s:s, s:s, s:s, s:b, s:[], s:s, s:[], s:[], s:n}", "id", view, "title",
                        view, "caption", "", "synthetic", 0, "sources", "note",
                        ckp_error_format(&err, msg, sizeof msg), "columns", "rows", "chart");
        if (!sec)
            return;
    }
    pg->st.sections++;
    if (!json_is_null(json_object_get(sec, "note")))
        pg->st.degraded++;
    if (json_is_true(json_object_get(sec, "synthetic")))
        pg->st.synthetic++;
    json_array_append_new(sections, sec);
}

static void add_view(page *pg, json_t *sections, const char *view, const char *const *kv,
                     const char *pos)
{
    add_view_in(pg, pg->env, sections, view, kv, pos, 0);
}

static json_t *chapter(json_t *chapters, const char *id, const char *title, const char *intro)
{
    json_t *c = json_pack("{s:s, s:s, s:s, s:[], s:s}", "id", id, "title", title, "intro",
                          intro ? intro : "", "sections", "part", "main");
    json_array_append_new(chapters, c);
    return json_object_get(c, "sections");
}

static json_t *store_meta(ckp_env *env)
{
    const ckp_store *store = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_env_store(env, &store, &err) != CKP_OK || !store) {
        char msg[1024];
        return json_pack("{s:s, s:s}", "dir", ckp_store_dir(ckp_env_store_dir(env)), "error",
                         ckp_error_format(&err, msg, sizeof msg));
    }
    ckp_store_info info;
    memset(&info, 0, sizeof info);
    ckp_store_get_info(store, &info);
    char pmin[8] = "", pmax[8] = "";
    if (info.period_min)
        ckp_period_format(info.period_min, pmin);
    if (info.period_max)
        ckp_period_format(info.period_max, pmax);
    json_t *srcs = json_array();
    for (int i = 0; i < ckp_store_source_count(store); i++)
        json_array_append_new(srcs, json_pack("{s:s, s:b}", "name",
                                              ckp_store_source_name(store, i), "synthetic",
                                              ckp_store_source_synthetic(store, i)));
    json_t *sel = json_array();
    for (int i = 0; i < ckp_store_source_count(store); i++)
        if (ckp_store_source_selected(store, i))
            json_array_append_new(sel, json_string(ckp_store_source_name(store, i)));
    json_t *meta = json_pack("{s:s, s:I, s:i, s:s, s:s, s:i, s:i, s:i, s:I, s:o}", "dir",
                     ckp_store_dir(ckp_env_store_dir(env)), "rows", (json_int_t)info.rows, "periods",
                     info.periods, "period_min", pmin, "period_max", pmax, "reporters",
                     info.reporters, "partners", info.partners, "products", info.products,
                     "bytes", (json_int_t)info.bytes, "sources", srcs);
    /* the sources the main chapters were computed from */
    if (meta)
        json_object_set_new(meta, "selected", sel);
    else
        json_decref(sel);
    return meta;
}

/* A chapter for the synthetic part: marked, and dropped again when none of
 * its sections had data. */
static json_t *part_chapter(json_t *chapters, const char *id, const char *title,
                            const char *intro, int synthetic)
{
    json_t *secs = chapter(chapters, id, title, intro);
    if (synthetic)
        json_object_set_new(json_array_get(chapters, json_array_size(chapters) - 1), "part",
                            json_string("synthetic"));
    return secs;
}

static void drop_if_empty(json_t *chapters, json_t *secs)
{
    size_t n = json_array_size(chapters);
    if (n && json_array_size(secs) == 0)
        json_array_remove(chapters, n - 1);
}

/* The codes a group is held as in the store (ckp__report_held_codes). */
typedef struct held_codes {
    char codes[512]; /* "" when none, or too many to compare */
} held_codes;

/* Groups held as the same codes draw the same charts (the store holds
 * gallium and germanium only as 811292): group g's chapter says so in its
 * intro (appended), with the caveat of those codes.  Returns the names of
 * the other groups (a JSON array, empty when none). */
static json_t *same_codes(ckp_env *env, const ckp__rgroup *groups, const held_codes *held,
                          int ng, int g, char *intro, size_t n)
{
    json_t *names = json_array();
    char list[1024] = "";
    size_t lo = 0;
    for (int k = 0; k < ng; k++) {
        if (k == g || !held[g].codes[0] || strcmp(held[k].codes, held[g].codes) != 0)
            continue;
        json_array_append_new(names, json_string(groups[k].name));
        int w = snprintf(list + lo, sizeof list - lo, "%s%s", lo ? ", " : "", groups[k].name);
        if (w > 0 && (size_t)w < sizeof list - lo)
            lo += (size_t)w;
    }
    if (json_array_size(names) == 0)
        return names;
    size_t o = strlen(intro);
    int w = snprintf(intro + o, n - o,
                     " Same codes as %s: the store holds %s only as HS %s, so %s draw the same "
                     "charts, of all of HS %s, not of %s alone.",
                     list, groups[g].name, held[g].codes,
                     json_array_size(names) == 1 ? "the two chapters" : "these chapters",
                     held[g].codes, groups[g].name);
    ckp_hsset *set = NULL;
    char cav[2048];
    if (w > 0 && (size_t)w < n - o &&
        ckp_hsset_parse(ckp_env_ref(env), held[g].codes, &set, NULL) == CKP_OK &&
        ckp_hsset_caveat(ckp_env_ref(env), set, cav, sizeof cav) > 0) {
        o += (size_t)w;
        for (char *p = strstr(cav, " | "); p; p = strstr(p, " | "))
            memcpy(p, ".  ", 3); /* one sentence each */
        snprintf(intro + o, n - o, " %s.", cav);
    }
    ckp_hsset_free(set);
    return names;
}

/* One chapter per controlled product group: the issuer's exports, the
 * targets' dependency, concentration, production (not in a synthetic part:
 * USGS tables, not flows), chokepoints, mirror gaps, unit values.  prefix
 * and tprefix go before the chapter ids and titles. */
static void add_groups(page *pg, ckp_env *env, json_t *chapters, const char *prefix,
                       const char *tprefix, int synthetic)
{
    ckp__rgroup *groups = calloc(MAX_GROUPS, sizeof *groups);
    held_codes *held = calloc(MAX_GROUPS, sizeof *held);
    int ng = groups && held ? ckp__report_group_list(env, groups, MAX_GROUPS) : 0;
    for (int g = 0; g < ng; g++)
        if (ckp__report_held_codes(env, groups[g].hs, held[g].codes, sizeof held[g].codes) <= 0)
            held[g].codes[0] = '\0';
    for (int g = 0; g < ng; g++) {
        ckp__rgroup *r = &groups[g];
        char id[200], title[500], intro[4096];
        snprintf(id, sizeof id, "%sgroup-%s", prefix, r->name);
        snprintf(title, sizeof title, "%s%s", tprefix, r->name);
        snprintf(intro, sizeof intro, "%s. Controlled by: %s.", r->label, r->measures);
        json_t *same = same_codes(env, groups, held, ng, g, intro, sizeof intro);
        json_t *secs = part_chapter(chapters, id, title, intro, synthetic);
        json_object_set_new(json_array_get(chapters, json_array_size(chapters) - 1), "same_codes",
                            same);
        char hs[sizeof r->hs + 4];
        snprintf(hs, sizeof hs, "hs=%s", r->hs);
        for (int i = 0; i < r->nissuers; i++) {
            char rep[32];
            snprintf(rep, sizeof rep, "reporter=%s", ckp_ref_iso3(ckp_env_ref(env), r->issuers[i]));
            const char *kv[] = {rep, hs, NULL};
            add_view_in(pg, env, secs, "exports", kv, NULL, synthetic);
        }
        for (int i = 0; i < r->ntargets && i < 3; i++) {
            char imp[32];
            snprintf(imp, sizeof imp, "importer=%s", ckp_ref_iso3(ckp_env_ref(env), r->targets[i]));
            const char *kv[] = {imp, hs, NULL};
            add_view_in(pg, env, secs, "dependency", kv, NULL, synthetic);
        }
        const char *kv_exp[] = {hs, "side=exporter", NULL};
        add_view_in(pg, env, secs, "concentration", kv_exp, NULL, synthetic);
        const char *kv_hs[] = {hs, NULL};
        if (!synthetic)
            add_view_in(pg, env, secs, "production", kv_hs, NULL, 0);
        add_view_in(pg, env, secs, "chokepoints", kv_hs, NULL, synthetic);
        add_view_in(pg, env, secs, "mirror", kv_hs, NULL, synthetic);
        add_view_in(pg, env, secs, "unitvalue", kv_hs, NULL, synthetic);
        if (synthetic)
            drop_if_empty(chapters, secs);
    }
    free(held);
    free(groups);
}

/* diversion: one section per targeted measure */
static void add_diversion(page *pg, ckp_env *env, json_t *chapters, const char *prefix,
                          const char *tprefix, int synthetic)
{
    const ckp_measures *ms = NULL;
    if (ckp_measures_from_env(env, &ms, NULL) != CKP_OK || !ms)
        return;
    json_t *secs = NULL;
    int nd = 0;
    for (int i = 0; i < ckp_measures_count(ms) && nd < MAX_DIVERSION; i++) {
        const ckp_measure *m = ckp_measures_at(ms, i);
        if (m->all_targets || m->nhs > 200 || m->nhs == 0 || m->nissuers != 1 ||
            m->kind == CKP_MEASURE_SUSPENSION || m->direction != CKP_DIR_EXPORT)
            continue; /* a diversion is around an export control with codes */
        if (!secs) {
            char id[200], title[300];
            snprintf(id, sizeof id, "%sdiversion", prefix);
            snprintf(title, sizeof title, "%sDiversion after the measures", tprefix);
            secs = part_chapter(chapters, id, title,
                                "For each measure that bans or licenses exports to named "
                                "countries: the third countries whose trade grew as if goods "
                                "were rerouted through them.", synthetic);
        }
        char mid[128];
        snprintf(mid, sizeof mid, "measure=%s", m->id);
        const char *kv[] = {mid, NULL};
        add_view_in(pg, env, secs, "diversion", kv, NULL, synthetic);
        nd++;
    }
    if (secs && synthetic)
        drop_if_empty(chapters, secs);
}

/* ---- the roundabout trade: EU exports at TOTAL level ---------------------- */

#define MAX_HUBS 6

typedef struct eu_scan {
    int partner[64];
    double value[64];
    int n;
    uint16_t months[300]; /* year - 1900 → bit per month seen */
} eu_scan;

static int on_eu_row(const ckp_flow *row, void *ctx)
{
    eu_scan *e = ctx;
    int y = CKP_PERIOD_YEAR(row->period) - 1900, m = CKP_PERIOD_MONTH(row->period);
    if (y >= 0 && y < 300 && m >= 1 && m <= 12)
        e->months[y] |= (uint16_t)(1u << (m - 1));
    int i = 0;
    while (i < e->n && e->partner[i] != row->partner)
        i++;
    if (i == e->n) {
        if (e->n == 64)
            return 0;
        e->partner[e->n] = row->partner;
        e->value[e->n++] = 0;
    }
    e->value[i] += row->value;
    return 0;
}

/* When the store holds the EU-27's exports at TOTAL level (the Eurostat
 * Comext rows, data/flows/eu-comext-hubs): a chapter with the EU-27's
 * exports by destination over time and, for its largest destinations, who
 * in the EU supplied them in the last complete year.  The EU-27 row is a
 * group: the suppliers are the member states, never the group as well. */
static void add_roundabout(page *pg, json_t *chapters)
{
    ckp_env *env = pg->env;
    const ckp_store *store = NULL;
    int eu = ckp_ref_country_by_iso3(ckp_env_ref(env), "E27");
    ckp_hsset *total = NULL;
    if (eu < 0 || ckp_env_store(env, &store, NULL) != CKP_OK || !store ||
        ckp_hsset_parse(ckp_env_ref(env), "TOTAL", &total, NULL) != CKP_OK)
        return;
    eu_scan *e = calloc(1, sizeof *e);
    ckp_query q;
    ckp_query_init(&q);
    q.reporter = eu;
    q.flow = CKP_FLOW_EXPORT;
    q.hs = total;
    q.levels = 1;
    if (!e || ckp_store_scan(store, &q, on_eu_row, e, NULL) != CKP_OK || e->n == 0)
        goto out;
    int year = 0;
    for (int y = 299; y >= 0 && !year; y--)
        if (e->months[y] == 0xFFF)
            year = 1900 + y;
    json_t *secs = chapter(chapters, "roundabout",
                           "EU exports, all products: the roundabout trade",
                           "The EU-27's exports of all products (TOTAL rows: Eurostat Comext, "
                           "converted from EUR at monthly average rates) by destination, and who "
                           "in the EU supplied its largest destinations. After the sanctions of "
                           "2022 exports to Russia fell while those to Kyrgyzstan, Armenia and "
                           "Kazakhstan multiplied. The EU-27 and euro-area rows are groups: "
                           "never added to their member states.");
    const char *kv_exp[] = {"reporter=E27", "hs=TOTAL", "top=8", NULL};
    add_view(pg, secs, "exports", kv_exp, NULL);
    /* the largest destinations first */
    for (int k = 0; k < e->n && k < MAX_HUBS && year; k++) {
        int best = k;
        for (int j = k + 1; j < e->n; j++)
            if (e->value[j] > e->value[best])
                best = j;
        int tp = e->partner[k];
        double tv = e->value[k];
        e->partner[k] = e->partner[best];
        e->value[k] = e->value[best];
        e->partner[best] = tp;
        e->value[best] = tv;
        const ckp_country *c = ckp_ref_country(ckp_env_ref(env), e->partner[k]);
        if (!c || c->is_aggregate)
            continue;
        char imp[32], per[32];
        snprintf(imp, sizeof imp, "importer=%s", c->iso3);
        snprintf(per, sizeof per, "period=%d", year);
        const char *kv_dep[] = {imp, "hs=TOTAL", per, NULL};
        add_view(pg, secs, "dependency", kv_dep, NULL);
    }
out:
    free(e);
    ckp_hsset_free(total);
}

/* The main chapters rest on the real sources (the default): each synthetic
 * source of the store then gets its own part, computed from it alone and
 * marked, after them.  Nothing when the main chapters are synthetic
 * already (--source synthetic, or a store with no real source). */
static void add_synthetic_part(page *pg, json_t *chapters)
{
    const ckp_store *store = NULL;
    if (ckp_env_store(pg->env, &store, NULL) != CKP_OK || !store)
        return;
    for (int i = 0; i < ckp_store_source_count(store); i++)
        if (ckp_store_source_selected(store, i) && ckp_store_source_synthetic(store, i))
            return; /* the main chapters are the synthetic ones */
    for (int i = 0; i < ckp_store_source_count(store); i++) {
        if (!ckp_store_source_synthetic(store, i))
            continue;
        const char *name = ckp_store_source_name(store, i);
        ckp_env *senv = ckp_env_new(ckp_env_ref(pg->env), ckp_env_data_dir(pg->env),
                                    ckp_env_store_dir(pg->env));
        if (senv)
            ckp_env_set_sources(senv, name);
        const ckp_store *ss = NULL;
        if (senv && ckp_env_store(senv, &ss, NULL) == CKP_OK) {
            char prefix[200], tprefix[200];
            snprintf(prefix, sizeof prefix, "synthetic-%s-", name);
            snprintf(tprefix, sizeof tprefix, "SYNTHETIC %s: ", name);
            add_groups(pg, senv, chapters, prefix, tprefix, 1);
            add_diversion(pg, senv, chapters, prefix, tprefix, 1);
        }
        ckp_env_free(senv);
    }
}

static json_t *build(page *pg)
{
    ckp_env *env = pg->env;
    char now[40];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%d %H:%M UTC", &tm);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:b, s:[]}", "title",
                            pg->opts->title ? pg->opts->title : "chokepoint report", "generated",
                            now, "version", CKP_VERSION, "store", store_meta(env), "charts",
                            ckp_assets_have_chartlib(), "chapters");
    json_t *chapters = json_object_get(doc, "chapters");

    json_t *secs = chapter(chapters, "controls", "Export controls",
                           "The dated measures the register holds: who restricts what, to whom, "
                           "since when.");
    add_view(pg, secs, "measures", NULL, NULL);

    add_groups(pg, env, chapters, "", "", 0);
    add_diversion(pg, env, chapters, "", "", 0);
    add_roundabout(pg, chapters);

    if (pg->opts->shipments) {
        secs = chapter(chapters, "screening", "Screening",
                       "The shipments given to the report, screened against the control "
                       "lists, the measures in force, the party lists and the diversion hubs.");
        add_view(pg, secs, "screen", NULL, pg->opts->shipments);
    }
    add_synthetic_part(pg, chapters); /* last, after everything real */
    return doc;
}

/* Write s with "</" turned into "<\/" so inlined text cannot end its
 * <script> or <style> element early (valid in JS strings and regexes; in CSS
 * "</" does not occur). */
static void put_guarded(FILE *out, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '<' && s[i + 1] == '/') {
            fwrite(s + start, 1, i + 1 - start, out);
            fputc('\\', out);
            start = i + 1;
        }
    }
    fwrite(s + start, 1, n - start, out);
}

/* JSON for a <script type="application/json">: escape '<', '>' and '&' so
 * no text in the data can close the element. */
static void put_json(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '<')
            fputs("\\u003c", out);
        else if (*p == '>')
            fputs("\\u003e", out);
        else if (*p == '&')
            fputs("\\u0026", out);
        else
            fputc(*p, out);
    }
}

static void put_asset(FILE *out, const char *name)
{
    const ckp_asset *a = ckp_asset_find(name);
    if (a)
        put_guarded(out, (const char *)a->data, a->len);
    else
        fprintf(out, "/* %s is missing from this build */", name);
}

static void put_html_text(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*p, out);
        }
    }
}

ckp_status ckp_report_write(ckp_env *env, const ckp_report_opts *opts, FILE *out,
                            ckp_report_stats *stats, ckp_error *err)
{
    static const ckp_report_opts defaults = {NULL, NULL, 0};
    page pg;
    memset(&pg, 0, sizeof pg);
    pg.env = env;
    pg.opts = opts ? opts : &defaults;
    pg.max_rows = pg.opts->max_rows > 0 ? pg.opts->max_rows : 25;
    const ckp_asset *tpl = ckp_asset_find("report.html");
    if (!tpl)
        return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                             "the report template is not in this build (scripts/gen_assets.sh)");
    json_t *doc = build(&pg);
    char *data = doc ? ckp_json_dumps(doc, 0) : NULL;
    json_decref(doc);
    if (!data)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    long start = ftell(out);
    /* the template's placeholders: <!--CKP:NAME--> */
    const char *s = (const char *)tpl->data, *end = s + tpl->len;
    while (s < end) {
        const char *ph = strstr(s, "<!--CKP:");
        if (!ph) {
            fwrite(s, 1, (size_t)(end - s), out);
            break;
        }
        fwrite(s, 1, (size_t)(ph - s), out);
        const char *close = strstr(ph, "-->");
        if (!close) {
            fputs(ph, out);
            break;
        }
        size_t nl = (size_t)(close - ph - 8);
        const char *name = ph + 8;
        if (nl == 5 && strncmp(name, "TITLE", 5) == 0) {
            put_html_text(out, pg.opts->title ? pg.opts->title : "chokepoint report");
        } else if (nl == 5 && strncmp(name, "STYLE", 5) == 0) {
            fputs("<style>\n", out);
            put_asset(out, "style.css");
            fputs("\n</style>", out);
        } else if (nl == 7 && strncmp(name, "SCRIPTS", 7) == 0) {
            static const char *const js[] = {"chart.js", "charts.js", "report.js", NULL};
            for (int i = 0; js[i]; i++) {
                fputs("<script>\n", out);
                put_asset(out, js[i]);
                fputs("\n</script>\n", out);
            }
        } else if (nl == 4 && strncmp(name, "DATA", 4) == 0) {
            fputs("<script type=\"application/json\" id=\"ckp-data\">", out);
            put_json(out, data);
            fputs("</script>", out);
        }
        s = close + 3;
    }
    free(data);
    if (fflush(out) != 0 || ferror(out))
        return ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write the report");
    pg.st.bytes = start >= 0 && ftell(out) >= start ? (size_t)(ftell(out) - start) : 0;
    if (stats)
        *stats = pg.st;
    return CKP_OK;
}

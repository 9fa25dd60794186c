/* screen.c — the screening rules (goods, party, route, unit value) and hub
 * lists (see screen.h). */
#include "chokepoint/screen.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/csv.h"
#include "chokepoint/names.h"
#include "core/cmp.h"
#include "screen_int.h"

#define CACHE_MAX 65536  /* distinct party names remembered per screener */
#define CACHE_HITS 3
#define UV_MAX (64u << 20)

/* A party name already matched: its hits (strings in the cache arena). */
typedef struct cached {
    int n;
    int cut; /* the name was longer than the matcher compares: not screened */
    const ckp_party *party[CACHE_HITS];
    const char *matched[CACHE_HITS];
    const char *expl[CACHE_HITS];
    double score[CACHE_HITS];
} cached;

typedef struct uvobs {
    uint32_t hs;       /* hs6 code */
    uint32_t unit;     /* index of the unit text in the arena list */
    float luv;         /* log unit value */
    uint32_t ship;     /* index into ships */
} uvobs;

typedef struct uvship {
    const char *id;
    long line;
    double value, qty;
    const char *unit, *currency;
} uvship;

struct ckp_screener {
    ckp_screen_config cfg;
    ckp_matcher *m;
    ckp_match_hit hits[8];
    /* party-name cache */
    ckp__arena carena;
    ckp__strmap cmap;
    ckp__vec cvals; /* cached */
    /* unit values */
    ckp__arena uarena;
    ckp__vec obs;   /* uvobs */
    ckp__vec ships; /* uvship */
    ckp__strmap units;
    /* scratch */
    ckp__dbuf reason, matched, rule; /* of the alert being built */
    ckp__dbuf key, why;              /* party-cache key, misdeclaration sentence */
    int failed; /* a rule could not be applied to this shipment */
    ckp__dbuf failmsg; /* why, when it is not memory */
};

void ckp_screen_config_init(ckp_screen_config *c, const ckp_ref *ref)
{
    memset(c, 0, sizeof *c);
    c->ref = ref;
    c->threshold = CKP_MATCH_THRESHOLD;
    c->party_hits = 3;
    c->uv_z = 3.5;
    c->uv_min = 8;
}

/* ---- screener ---------------------------------------------------------- */

ckp_status ckp_screener_new(const ckp_screen_config *cfg, ckp_screener **out, ckp_error *err)
{
    *out = NULL;
    ckp_screener *s = calloc(1, sizeof *s);
    if (!s)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    s->cfg = *cfg;
    if (s->cfg.party_hits < 1)
        s->cfg.party_hits = 1;
    if (s->cfg.party_hits > CACHE_HITS)
        s->cfg.party_hits = CACHE_HITS;
    ckp__vec_init(&s->cvals, sizeof(cached), CACHE_MAX);
    ckp__vec_init(&s->obs, sizeof(uvobs), UV_MAX);
    ckp__vec_init(&s->ships, sizeof(uvship), UV_MAX);
    s->carena.limit = (size_t)256 << 20;
    if (ckp__strmap_init(&s->cmap, 1024) || ckp__strmap_init(&s->units, 16)) {
        ckp_screener_free(s);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (cfg->index) {
        ckp_status rc = ckp_matcher_new(cfg->index, &s->m, err);
        if (rc) {
            ckp_screener_free(s);
            return rc;
        }
    }
    *out = s;
    return CKP_OK;
}

void ckp_screener_free(ckp_screener *s)
{
    if (!s)
        return;
    ckp_matcher_free(s->m);
    ckp__strmap_free(&s->cmap);
    ckp__vec_free(&s->cvals);
    ckp__arena_free(&s->carena);
    ckp__vec_free(&s->obs);
    ckp__vec_free(&s->ships);
    ckp__strmap_free(&s->units);
    ckp__arena_free(&s->uarena);
    ckp__dbuf_free(&s->reason);
    ckp__dbuf_free(&s->matched);
    ckp__dbuf_free(&s->rule);
    ckp__dbuf_free(&s->key);
    ckp__dbuf_free(&s->why);
    ckp__dbuf_free(&s->failmsg);
    free(s);
}

static void rule_set(ckp_screener *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void rule_set(ckp_screener *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ckp__dbuf_reset(&s->rule);
    ckp__dbuf_vprintf(&s->rule, fmt, ap);
    va_end(ap);
}

/* Say where an origin or destination the row left empty was taken from. */
static void note_inferred(ckp_screener *s, const ckp_shipment *sh)
{
    int o = (sh->inferred & CKP_SHIP_ORIGIN_FROM_EXPORTER) != 0;
    int d = (sh->inferred & CKP_SHIP_DEST_FROM_IMPORTER) != 0;
    if (!o && !d)
        return;
    ckp__dbuf_printf(&s->reason, " (%s%s%s: the row's %s empty)",
                     o ? "origin taken from exporter_country" : "", o && d ? ", " : "",
                     d ? "destination taken from importer_country" : "",
                     o && d ? "origin and destination are" : o ? "origin is" : "destination is");
}

/* Hand the alert built in reason, matched and rule to fn.  An alert whose
 * text could not be built is not sent: the shipment is marked failed (not
 * screened), never passed as clean. */
static int emit(ckp_screener *s, const ckp_shipment *sh, const char *kind, double score,
                ckp_alert_fn fn, void *ctx, int *stop)
{
    if (s->reason.failed || s->matched.failed || s->rule.failed) {
        s->failed = 1;
        *stop = 1;
        return 0;
    }
    ckp_alert a = {sh->id,
                   sh->line,
                   kind,
                   score,
                   ckp__dbuf_str(&s->rule),
                   ckp__dbuf_str(&s->reason),
                   ckp__dbuf_str(&s->matched)};
    if (fn && fn(&a, ctx))
        *stop = 1;
    return 1;
}

/* ---- goods ------------------------------------------------------------- */

/* Controlled goods named in descriptions, with the HS6 codes they belong to
 * (HS2022; the measures register adds the HS2017 counterparts). */
typedef struct goods_word {
    const char *word;  /* lower-case substring of a description */
    const char *good;  /* what it names */
    uint32_t codes[10];
} goods_word;

static const goods_word goods_words[] = {
    {"antimony oxide", "antimony oxides", {282580}},
    {"antimony trioxide", "antimony oxides", {282580}},
    {"antimony", "antimony", {261710, 811010, 811020, 811090, 282580}},
    {"gallium", "gallium", {811292, 811299, 282590}},
    {"germanium", "germanium", {811292, 811299, 282560}},
    {"graphite", "graphite", {250410, 250490, 380110, 380190}},
    {"tungsten", "tungsten", {261100, 810110, 810194, 810196, 810197, 810199}},
    {"wolfram", "tungsten", {261100, 810110, 810194, 810196, 810197, 810199}},
    {"rare earth", "rare earths", {280530, 284610, 284690}},
    {"neodymium", "rare-earth magnets and metals", {280530, 850511, 284690}},
    {"ndfeb", "rare-earth magnets", {850511}},
    {"dysprosium", "rare earths", {280530, 284690}},
    {"terbium", "rare earths", {280530, 284690}},
    {"samarium", "rare earths", {280530, 284690}},
};

typedef struct goods_ctx {
    ckp_screener *s;
    const ckp_shipment *sh;
    ckp_alert_fn fn;
    void *ctx;
    int n, stop;
    uint32_t hs6;          /* the code checked */
    const char *why;       /* NULL, or the misdeclaration sentence prefix */
    const ckp_measure *seen[32];
    int nseen;
} goods_ctx;

static int is_rus_blr(const ckp_ref *ref, int c)
{
    const char *i = ckp_ref_iso3(ref, c);
    return strcmp(i, "RUS") == 0 || strcmp(i, "BLR") == 0;
}

static int goods_measure(const ckp_measure *m, void *vctx)
{
    goods_ctx *g = vctx;
    ckp_screener *s = g->s;
    const ckp_shipment *sh = g->sh;
    const ckp_ref *ref = s->cfg.ref;
    for (int i = 0; i < g->nseen; i++)
        if (g->seen[i] == m)
            return 0;
    int binds = sh->origin >= 0 && ckp_measure_covers_flow(m, sh->origin, sh->destination);
    int russia = sh->destination >= 0 && is_rus_blr(ref, sh->destination) &&
                 (m->kind == CKP_MEASURE_LIST || m->kind == CKP_MEASURE_SANCTION);
    if (!binds && !russia && sh->origin >= 0)
        return 0;
    if (g->nseen < 32)
        g->seen[g->nseen++] = m;
    double score = m->kind == CKP_MEASURE_BAN || m->kind == CKP_MEASURE_SANCTION ? 1.0
                   : m->kind == CKP_MEASURE_LICENCE ? 0.9
                   : m->kind == CKP_MEASURE_ENTITY  ? 0.8
                                                    : 0.7;
    if (!binds)
        score -= 0.1; /* a list of the destination's sanctioning partners */
    char hs[8], d0[12], d1[12];
    ckp_hs_format(g->hs6, 6, hs);
    ckp_measure_date_format(ckp_measure_start(m), d0);
    ckp_measure_date_format(m->lifted, d1);
    ckp__dbuf_reset(&s->reason);
    if (g->why) {
        ckp__dbuf_printf(&s->reason, "%s; ", g->why);
        score = score > 0.9 ? 0.9 : score;
    }
    ckp__dbuf_printf(&s->reason, "HS %s from %s to %s", hs, ckp_ref_iso3(ref, sh->origin),
                     ckp_ref_iso3(ref, sh->destination));
    if (sh->date >= 0)
        ckp__dbuf_printf(&s->reason, " on %s", sh->date_text);
    note_inferred(s, sh);
    int32_t first = ckp_measure_first_applied(m);
    char dfirst[12] = "";
    if (first >= 0 && first != ckp_measure_start(m)) /* suspended before it took effect */
        ckp_measure_date_format(first, dfirst);
    ckp__dbuf_printf(&s->reason, " is under %s (%s, issued by %s, in force since %s%s%s%s%s",
                 m->id, ckp_measure_kind_name(m->kind), m->issuer_code,
                 dfirst[0] ? dfirst : d0[0] ? d0 : "?",
                 dfirst[0] ? " after a suspension from its effective date " : "",
                 dfirst[0] ? d0 : "", m->lifted >= 0 ? ", until " : "", m->lifted >= 0 ? d1 : "");
    const ckp_suspension *why = NULL;
    if (sh->date >= 0 &&
        ckp_measure_status(m, sh->date, sh->destination, &why) == CKP_STATE_PARTLY_SUSPENDED &&
        why) {
        char d2[12], d3[12];
        ckp__dbuf_printf(&s->reason, "; partly suspended on that date: %s, from %s%s%s by %s",
                         why->clause[0] ? why->clause : "some destinations",
                         ckp_measure_date_format(why->from, d2), why->until >= 0 ? " to " : "",
                         why->until >= 0 ? ckp_measure_date_format(why->until, d3) : "",
                         why->by);
    }
    if (!binds)
        ckp__dbuf_printf(&s->reason, "; destination %s is targeted by it whoever exports",
                     ckp_ref_iso3(ref, sh->destination));
    ckp__dbuf_printf(&s->reason, "): %s", m->title);
    rule_set(s, "%s%s", g->why ? "misdeclaration:" : "", m->id);
    ckp__dbuf_reset(&s->matched);
    ckp__dbuf_printf(&s->matched, "{\"measure\":");
    ckp__dbuf_json(&s->matched, m->id);
    ckp__dbuf_printf(&s->matched, ",\"kind\":");
    ckp__dbuf_json(&s->matched, ckp_measure_kind_name(m->kind));
    ckp__dbuf_printf(&s->matched, ",\"hs\":\"%s\",\"issuer\":", hs);
    ckp__dbuf_json(&s->matched, m->issuer_code);
    ckp__dbuf_printf(&s->matched, ",\"targets\":");
    ckp__dbuf_json(&s->matched, m->targets_code);
    ckp__dbuf_printf(&s->matched, ",\"source\":");
    ckp__dbuf_json(&s->matched, m->source);
    if (sh->date >= 0) {
        ckp__dbuf_printf(&s->matched, ",\"status\":");
        ckp__dbuf_json(&s->matched, ckp_measure_state_name(
                                        ckp_measure_status(m, sh->date, sh->destination, NULL),
                                        why));
    }
    ckp__dbuf_printf(&s->matched, "}");
    g->n += emit(s, sh, "goods", score, g->fn, g->ctx, &g->stop);
    return g->stop;
}

static void goods_check_code(goods_ctx *g, uint32_t hs6)
{
    const ckp_shipment *sh = g->sh;
    g->hs6 = hs6;
    ckp_measures_match(g->s->cfg.measures, hs6, -1, sh->destination, sh->date, goods_measure, g);
}

/* Case-insensitive substring search. */
static const char *ci_strstr(const char *h, const char *n)
{
    size_t nl = strlen(n);
    for (; *h; h++)
        if (strncasecmp(h, n, nl) == 0)
            return h;
    return NULL;
}

static int goods_rule(ckp_screener *s, const ckp_shipment *sh, ckp_alert_fn fn, void *ctx,
                      int *stop)
{
    if (!s->cfg.measures)
        return 0;
    goods_ctx g = {s, sh, fn, ctx, 0, 0, 0, NULL, {0}, 0};
    if (sh->hs_level == 6) {
        goods_check_code(&g, sh->hs);
    } else if (sh->hs_level == 4) {
        for (uint32_t k = 0; k < 100 && !g.stop; k++)
            goods_check_code(&g, sh->hs * 100 + k);
    }
    /* misdeclaration: the description names a controlled good whose codes
     * are not the declared one */
    if (sh->description && *sh->description && !g.stop) {
        for (size_t i = 0; i < sizeof goods_words / sizeof goods_words[0]; i++) {
            const goods_word *gw = &goods_words[i];
            if (!ci_strstr(sh->description, gw->word))
                continue;
            int declared_ok = 0;
            for (int k = 0; k < 10 && gw->codes[k]; k++) {
                uint32_t c = gw->codes[k];
                if ((sh->hs_level == 6 && c == sh->hs) ||
                    (sh->hs_level == 4 && c / 100 == sh->hs) ||
                    (sh->hs_level == 2 && c / 10000 == sh->hs))
                    declared_ok = 1;
            }
            if (declared_ok)
                break; /* declared under a code of the good it names */
            char hsd[8];
            if (sh->hs_level)
                ckp_hs_format(sh->hs, sh->hs_level, hsd);
            else
                snprintf(hsd, sizeof hsd, "(none)");
            ckp__dbuf_reset(&s->why);
            ckp__dbuf_printf(&s->why,
                             "description \"%s\" names %s but the goods are declared as HS %s, "
                             "not under a code for %s: possible misdeclaration",
                             sh->description, gw->good, hsd, gw->good);
            if (s->why.failed) {
                s->failed = 1;
                break;
            }
            g.why = ckp__dbuf_str(&s->why);
            for (int k = 0; k < 10 && gw->codes[k] && !g.stop; k++)
                goods_check_code(&g, gw->codes[k]);
            g.why = NULL;
            break; /* the most specific word only (the table is ordered) */
        }
    }
    *stop = g.stop;
    return g.n;
}

/* ---- party ------------------------------------------------------------- */

static const cached *party_lookup(ckp_screener *s, const char *name, int country,
                                  const char *schema, const char *ids, const char *birth)
{
    ckp__dbuf_reset(&s->key);
    ckp__dbuf_printf(&s->key, "%s\x1f%d\x1f%s\x1f%s\x1f%s", name, country, schema ? schema : "",
                     ids ? ids : "", birth ? birth : "");
    if (s->key.failed)
        return NULL;
    const char *key = ckp__dbuf_str(&s->key);
    size_t kn = s->key.n;
    uint32_t v = ckp__strmap_get(&s->cmap, key, kn);
    if (v != UINT32_MAX)
        return (const cached *)s->cvals.data + v;
    ckp_match_opts mo;
    ckp_match_opts_init(&mo);
    mo.threshold = s->cfg.threshold;
    mo.limit = s->cfg.party_hits;
    mo.country = country >= 0 ? ckp_ref_iso3(s->cfg.ref, country) : NULL;
    mo.schema = schema;
    mo.identifiers = ids && *ids ? ids : NULL;
    mo.birth_date = birth && *birth ? birth : NULL;
    mo.algorithm = (ckp_match_algorithm)s->cfg.algorithm;
    int n = ckp_match(s->m, name, strlen(name), &mo, s->hits, s->cfg.party_hits);
    if (s->cvals.n >= CACHE_MAX || s->carena.total > ((size_t)200 << 20)) {
        /* full: start again (simple and bounded) */
        ckp__strmap_free(&s->cmap);
        ckp__vec_free(&s->cvals);
        ckp__arena_free(&s->carena);
        ckp__vec_init(&s->cvals, sizeof(cached), CACHE_MAX);
        if (ckp__strmap_init(&s->cmap, 1024))
            return NULL;
    }
    cached *c = ckp__vec_push(&s->cvals);
    char *k = c ? ckp__arena_strndup(&s->carena, key, kn) : NULL;
    if (!k)
        return NULL;
    c->n = n;
    c->cut = ckp_match_query_cut(s->m);
    for (int i = 0; i < n; i++) {
        c->party[i] = s->hits[i].party;
        c->matched[i] = s->hits[i].matched_name;
        c->score[i] = s->hits[i].score;
        c->expl[i] = ckp__arena_strdup(&s->carena, s->hits[i].explanation);
        if (!c->expl[i])
            return NULL; /* no explanation, no alert: the caller fails the shipment */
    }
    if (ckp__strmap_put(&s->cmap, k, kn, (uint32_t)(s->cvals.n - 1)))
        return NULL;
    return c;
}

/* The alerts of one named party (field is "exporter", "importer" or
 * "party"); a name the matcher could not be asked about fails the shipment. */
static int party_field(ckp_screener *s, const ckp_shipment *sh, const char *field,
                       const char *name, int country, const char *ids, const char *birth,
                       ckp_alert_fn fn, void *ctx, int *stop)
{
    /* an exporter or importer is a person or an organisation, never a
     * vessel or an aircraft; other named parties may be anything */
    const char *schema = strcmp(field, "party") != 0 ? "LegalEntity" : NULL;
    const cached *c = party_lookup(s, name, country, schema, ids, birth);
    if (!c || c->cut) {
        if (c) {
            ckp__dbuf_reset(&s->failmsg);
            ckp__dbuf_printf(&s->failmsg,
                             "%s \"%.60s…\" is longer than the party matcher compares whole "
                             "(%d bytes or %d words): not screened",
                             field, name, CKP_NAME_MAX_BYTES, CKP_NAME_MAX_TOKENS);
        }
        s->failed = 1;
        *stop = 1;
        return 0;
    }
    int n = 0;
    for (int i = 0; i < c->n && !*stop; i++) {
        const ckp_party *p = c->party[i];
        ckp__dbuf_reset(&s->reason);
        ckp__dbuf_printf(&s->reason,
                         "%s \"%s\" matches %s entry %s \"%s\" (as \"%s\"; program %s%s%s%s%s) "
                         "with score %.3f: %s",
                         field, name, p->list, p->id, p->name, c->matched[i],
                         p->program[0] ? p->program : "-", p->listed[0] ? "; listed " : "",
                         p->listed, p->countries[0] ? "; countries " : "", p->countries,
                         c->score[i], c->expl[i]);
        rule_set(s, "%s", p->list);
        ckp__dbuf_reset(&s->matched);
        ckp__dbuf_printf(&s->matched, "{\"field\":\"%s\",\"query\":", field);
        ckp__dbuf_json(&s->matched, name);
        ckp__dbuf_printf(&s->matched, ",\"id\":");
        ckp__dbuf_json(&s->matched, p->id);
        ckp__dbuf_printf(&s->matched, ",\"name\":");
        ckp__dbuf_json(&s->matched, p->name);
        ckp__dbuf_printf(&s->matched, ",\"matched_name\":");
        ckp__dbuf_json(&s->matched, c->matched[i]);
        ckp__dbuf_printf(&s->matched, ",\"list\":");
        ckp__dbuf_json(&s->matched, p->list);
        ckp__dbuf_printf(&s->matched, ",\"program\":");
        ckp__dbuf_json(&s->matched, p->program);
        ckp__dbuf_printf(&s->matched, ",\"score\":%.3f,\"explanation\":", c->score[i]);
        ckp__dbuf_json(&s->matched, c->expl[i]);
        ckp__dbuf_printf(&s->matched, "}");
        n += emit(s, sh, "party", c->score[i], fn, ctx, stop);
    }
    return n;
}

/* Exporter, importer, then every ';'-separated name of parties (each one,
 * whole: there is no limit on how many). */
static int party_rule(ckp_screener *s, const ckp_shipment *sh, ckp_alert_fn fn, void *ctx,
                      int *stop)
{
    if (!s->m)
        return 0;
    int n = 0;
    if (sh->exporter && *sh->exporter)
        n += party_field(s, sh, "exporter", sh->exporter, sh->exporter_country, sh->exporter_ids,
                         sh->exporter_birth, fn, ctx, stop);
    if (!*stop && sh->importer && *sh->importer)
        n += party_field(s, sh, "importer", sh->importer, sh->importer_country, sh->importer_ids,
                         sh->importer_birth, fn, ctx, stop);
    for (const char *p = sh->parties; p && *p && !*stop;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *q = p;
        while (len && *q == ' ') {
            q++;
            len--;
        }
        while (len && q[len - 1] == ' ')
            len--;
        if (len) {
            ckp__dbuf_reset(&s->why); /* the one name, copied whole */
            ckp__dbuf_printf(&s->why, "%.*s", (int)len, q);
            if (s->why.failed || len > INT32_MAX) {
                s->failed = 1;
                *stop = 1;
                break;
            }
            n += party_field(s, sh, "party", ckp__dbuf_str(&s->why), -1, NULL, NULL, fn, ctx, stop);
        }
        if (!e)
            break;
        p = e + 1;
    }
    return n;
}

/* ---- route -------------------------------------------------------------- */

static void route_matched(ckp_screener *s, const char *check, const ckp_shipment *sh)
{
    const ckp_ref *ref = s->cfg.ref;
    ckp__dbuf_reset(&s->matched);
    ckp__dbuf_printf(&s->matched, "{\"check\":\"%s\",\"origin\":\"%s\",\"destination\":\"%s\",\"transit\":\"",
                 check, sh->origin >= 0 ? ckp_ref_iso3(ref, sh->origin) : "",
                 sh->destination >= 0 ? ckp_ref_iso3(ref, sh->destination) : "");
    for (int t = 0; t < sh->ntransit; t++)
        ckp__dbuf_printf(&s->matched, "%s%s", t ? ";" : "", ckp_ref_iso3(ref, sh->transit[t]));
    ckp__dbuf_printf(&s->matched, "\"}");
}

static int route_rule(ckp_screener *s, const ckp_shipment *sh, ckp_alert_fn fn, void *ctx,
                      int *stop)
{
    const ckp_ref *ref = s->cfg.ref;
    int n = 0;
    char hs[8] = "";
    if (sh->hs_level)
        ckp_hs_format(sh->hs, sh->hs_level, hs);
    /* ranked hubs: transit through one, or the first leg into one */
    for (int t = -1; s->cfg.hubs && sh->hs_level == 6 && t < sh->ntransit && !*stop; t++) {
        int hub = t < 0 ? sh->destination : sh->transit[t];
        if (hub < 0)
            continue;
        const ckp_hub_entry *h =
            ckp_hubs_find(s->cfg.hubs, sh->hs, hub, t < 0 ? -1 : sh->destination);
        if (!h)
            continue;
        int via = t >= 0;
        ckp__dbuf_reset(&s->reason);
        ckp__dbuf_printf(&s->reason, "HS %s from %s %s %s, ranked #%d hub for rerouting around %s%s%s "
                     "(diversion score %.3g)",
                     hs, ckp_ref_iso3(ref, sh->origin), via ? "transits" : "is shipped to",
                     ckp_ref_iso3(ref, hub),
                     h->rank, h->measure ? h->measure : "a measure",
                     h->destination >= 0 ? " to " : "",
                     h->destination >= 0 ? ckp_ref_iso3(ref, h->destination) : "", h->score);
        note_inferred(s, sh);
        if (!via)
            ckp__dbuf_printf(&s->reason, ": first leg of a possible detour");
        rule_set(s, "hub%s%s", h->measure ? ":" : "",
                 h->measure ? h->measure : "");
        route_matched(s, via ? "transit-hub" : "destination-hub", sh);
        double sc = h->score < 0 ? 0 : h->score > 1 ? 1 : h->score;
        n += emit(s, sh, "route", (via ? 1.0 : 0.7) * sc, fn, ctx, stop);
    }
    /* declared routes that do not fit */
    if (!*stop && sh->importer_country >= 0 && sh->destination >= 0 &&
        sh->importer_country != sh->destination) {
        ckp__dbuf_reset(&s->reason);
        ckp__dbuf_printf(&s->reason, "the importer is in %s but the goods are declared to %s: the route does not "
                     "fit the parties (possible onward shipment)",
                     ckp_ref_iso3(ref, sh->importer_country), ckp_ref_iso3(ref, sh->destination));
        rule_set(s, "route-importer-destination");
        route_matched(s, "importer-destination", sh);
        n += emit(s, sh, "route", 0.5, fn, ctx, stop);
    }
    for (int t = 0; t < sh->ntransit && !*stop; t++) {
        int c = sh->transit[t];
        if (c != sh->origin && c != sh->destination)
            continue;
        ckp__dbuf_reset(&s->reason);
        ckp__dbuf_printf(&s->reason, "transit through %s, which is the %s itself: the declared route is not "
                     "consistent",
                     ckp_ref_iso3(ref, c), c == sh->origin ? "origin" : "destination");
        rule_set(s, "route-transit-endpoint");
        route_matched(s, "transit-endpoint", sh);
        n += emit(s, sh, "route", 0.4, fn, ctx, stop);
        break;
    }
    if (!*stop && sh->origin >= 0 && sh->origin == sh->destination && sh->ntransit > 0) {
        ckp__dbuf_reset(&s->reason);
        ckp__dbuf_printf(&s->reason, "origin and destination are both %s with a transit: round trip",
                     ckp_ref_iso3(ref, sh->origin));
        rule_set(s, "route-round-trip");
        route_matched(s, "round-trip", sh);
        n += emit(s, sh, "route", 0.5, fn, ctx, stop);
    }
    return n;
}

/* ---- unit values ----------------------------------------------------------- */

/* Remember the shipment's unit value for ckp_screen_finish: 0, or -1 when
 * it could not be kept (memory, or more than UV_MAX shipments). */
static int uv_observe(ckp_screener *s, const ckp_shipment *sh)
{
    if (sh->hs_level != 6 || !(sh->qty > 0) || !(sh->value > 0) || !isfinite(sh->qty) ||
        !isfinite(sh->value))
        return 0; /* no unit value to compare */
    const char *unit = sh->unit && *sh->unit ? sh->unit : "-";
    uint32_t u = ckp__strmap_get(&s->units, unit, strlen(unit));
    if (u == UINT32_MAX) {
        char *k = ckp__arena_strdup(&s->uarena, unit);
        u = (uint32_t)s->units.n;
        if (!k || ckp__strmap_put(&s->units, k, strlen(k), u))
            return -1;
    }
    uvship *sp = ckp__vec_push(&s->ships);
    if (!sp)
        return -1;
    sp->id = ckp__arena_strdup(&s->uarena, sh->id);
    sp->line = sh->line;
    sp->value = sh->value;
    sp->qty = sh->qty;
    sp->unit = ckp__arena_strdup(&s->uarena, unit);
    sp->currency = ckp__arena_strdup(&s->uarena, sh->currency ? sh->currency : "");
    uvobs *ob = sp->id && sp->unit && sp->currency ? ckp__vec_push(&s->obs) : NULL;
    if (!ob) {
        s->ships.n--;
        return -1;
    }
    ob->hs = sh->hs;
    ob->unit = u;
    ob->luv = (float)log(sh->value / sh->qty);
    ob->ship = (uint32_t)(s->ships.n - 1);
    return 0;
}

static int obs_cmp(const void *a, const void *b)
{
    const uvobs *x = a, *y = b;
    return CKP_CMP_CHAIN(CKP_CMP(x->hs, y->hs), CKP_CMP(x->unit, y->unit),
                         CKP_CMP(x->luv, y->luv), CKP_CMP(x->ship, y->ship));
}

static int float_cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

typedef struct uvalert {
    uint32_t ship;
    double z, uv, med;
    uint32_t hs;
    size_t n;
    int store; /* 1 = the reference is the flow store */
} uvalert;

static int uva_cmp(const void *a, const void *b)
{
    const uvalert *x = a, *y = b;
    return x->ship < y->ship ? -1 : x->ship > y->ship;
}

/* ---- the store as the unit-value reference ------------------------------ */

typedef struct store_vals {
    ckp__vec v; /* float log unit values */
    const ckp_store *store;
} store_vals;

static int store_cols_fn(const ckp_store_cols *c, void *ctx)
{
    store_vals *sv = ctx;
    for (size_t i = 0; i < c->n; i++) {
        double q = c->qty[i], v = c->value[i];
        if (!(q > 0) || !(v > 0) || CKP_STORE_UNIT(c->flags[i]) != CKP_UNIT_KG)
            continue;
        if (!ckp_store_source_selected(sv->store, c->source[i]))
            continue;
        float *x = ckp__vec_push(&sv->v);
        if (!x)
            return 1; /* enough */
        *x = (float)log(v / q);
    }
    return 0;
}

#define STORE_REF_FAILED ((size_t)-1)

/* Median and MAD of log USD/kg of the store's flows of hs6; 0 = none,
 * STORE_REF_FAILED when the store could not be read. */
static size_t store_reference(const ckp_store *st, uint32_t hs6, double *med, double *mad)
{
    ckp_hsset *set = ckp_hsset_new();
    if (!set)
        return 0;
    ckp_hsset_add(set, hs6);
    ckp_query q;
    ckp_query_init(&q);
    q.hs = set;
    store_vals sv;
    sv.store = st;
    ckp__vec_init(&sv.v, sizeof(float), (size_t)4 << 20);
    ckp_error err;
    ckp_status rc = ckp_store_scan_cols(st, &q, store_cols_fn, &sv, &err);
    ckp_hsset_free(set);
    if (rc != CKP_OK) { /* a store that cannot be read is no reference */
        ckp__vec_free(&sv.v);
        return STORE_REF_FAILED;
    }
    size_t m = sv.v.n;
    float *x = sv.v.data;
    if (m > 0) {
        qsort(x, m, sizeof *x, float_cmp);
        *med = m % 2 ? x[m / 2] : (x[m / 2 - 1] + x[m / 2]) / 2.0;
        for (size_t i = 0; i < m; i++)
            x[i] = (float)fabs(x[i] - *med);
        qsort(x, m, sizeof *x, float_cmp);
        *mad = m % 2 ? x[m / 2] : (x[m / 2 - 1] + x[m / 2]) / 2.0;
    }
    ckp__vec_free(&sv.v);
    return m;
}

static int is_kg_usd(const uvship *sp)
{
    return strcasecmp(sp->unit, "kg") == 0 &&
           (!sp->currency[0] || strcasecmp(sp->currency, "USD") == 0);
}

int ckp_screen_finish(ckp_screener *s, ckp_alert_fn fn, void *ctx)
{
    s->failed = 0;
    uvobs *ob = s->obs.data;
    size_t n = s->obs.n;
    if (n == 0)
        return 0;
    qsort(ob, n, sizeof *ob, obs_cmp);
    float *dev = malloc(n * sizeof *dev);
    ckp__vec al;
    ckp__vec_init(&al, sizeof(uvalert), n);
    if (!dev)
        return -1;
    int failed = 0;
    const uvship *ships = s->ships.data;
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b < n && ob[b].hs == ob[a].hs && ob[b].unit == ob[a].unit)
            b++;
        size_t m = b - a;
        double med = 0, mad = 0;
        size_t nref = 0;
        int from_store = 0;
        if (s->cfg.store && is_kg_usd(&ships[ob[a].ship])) {
            nref = store_reference(s->cfg.store, ob[a].hs, &med, &mad);
            if (nref == STORE_REF_FAILED) {
                failed = 1;
                nref = 0;
            }
            from_store = nref >= (size_t)s->cfg.uv_min;
        }
        if (!from_store && m >= (size_t)s->cfg.uv_min) {
            med = m % 2 ? ob[a + m / 2].luv : (ob[a + m / 2 - 1].luv + ob[a + m / 2].luv) / 2;
            for (size_t i = 0; i < m; i++)
                dev[i] = (float)fabs(ob[a + i].luv - med);
            qsort(dev, m, sizeof *dev, float_cmp);
            mad = m % 2 ? dev[m / 2] : (dev[m / 2 - 1] + dev[m / 2]) / 2;
            nref = m;
        } else if (!from_store) {
            a = b;
            continue;
        }
        if (mad < 0.05)
            mad = 0.05; /* identical prices: a floor so one cent is not an outlier */
        for (size_t i = a; i < b; i++) {
            if (from_store && !is_kg_usd(&ships[ob[i].ship]))
                continue;
            double z = 0.6745 * (ob[i].luv - med) / mad;
            if (fabs(z) <= s->cfg.uv_z)
                continue;
            uvalert *x = ckp__vec_push(&al);
            if (!x) {
                failed = 1;
                break;
            }
            *x = (uvalert){ob[i].ship, z, exp(ob[i].luv), exp(med), ob[i].hs, nref, from_store};
        }
        a = b;
    }
    free(dev);
    uvalert *xs = al.data;
    if (al.n > 1)
        qsort(xs, al.n, sizeof *xs, uva_cmp);
    int count = 0, stop = 0;
    for (size_t i = 0; i < al.n && !stop; i++) {
        const uvship *sp = ships + xs[i].ship;
        ckp_shipment sh;
        memset(&sh, 0, sizeof sh);
        sh.id = sp->id;
        sh.line = sp->line;
        char hs[8];
        ckp_hs_format(xs[i].hs, 6, hs);
        double ratio = xs[i].uv / xs[i].med;
        ckp__dbuf_reset(&s->reason);
        ckp__dbuf_printf(&s->reason, "unit value %.4g %s/%s is %.1fx %s the median %.4g of %zu %s of HS %s %s "
                     "(robust z %+.1f): %s",
                     xs[i].uv, sp->currency[0] ? sp->currency : "value", sp->unit,
                     ratio >= 1 ? ratio : 1 / ratio, ratio >= 1 ? "above" : "below", xs[i].med,
                     xs[i].n, xs[i].store ? "flows" : "shipments", hs,
                     xs[i].store ? "in the flow store, in USD/kg," : "in this file", xs[i].z,
                     ratio >= 1 ? "possible over-invoicing or a different product"
                                : "possible under-invoicing or misclassification");
        rule_set(s, "unitvalue-robust-z%s", xs[i].store ? "-store" : "");
        ckp__dbuf_reset(&s->matched);
        ckp__dbuf_printf(&s->matched, "{\"hs\":\"%s\",\"unit_value\":%.6g,\"median\":%.6g,\"robust_z\":%.3f,"
                     "\"reference\":\"%s\",\"n\":%zu}",
                     hs, xs[i].uv, xs[i].med, xs[i].z, xs[i].store ? "store" : "file", xs[i].n);
        double score = fabs(xs[i].z) / 10;
        count += emit(s, &sh, "unitvalue", score > 1 ? 1 : score, fn, ctx, &stop);
    }
    ckp__vec_free(&al);
    s->obs.n = 0;
    s->ships.n = 0;
    return failed || s->failed ? -1 : count;
}

const char *ckp_screener_failure(const ckp_screener *s)
{
    if (s->failmsg.n && !s->failmsg.failed)
        return ckp__dbuf_str(&s->failmsg);
    return "could not be screened: out of memory building its matches or alerts";
}

int ckp_screen_shipment(ckp_screener *s, const ckp_shipment *sh, ckp_alert_fn fn, void *ctx)
{
    int stop = 0, n = 0;
    s->failed = 0;
    ckp__dbuf_reset(&s->failmsg);
    n += goods_rule(s, sh, fn, ctx, &stop);
    if (!stop)
        n += party_rule(s, sh, fn, ctx, &stop);
    if (!stop)
        n += route_rule(s, sh, fn, ctx, &stop);
    if (!s->failed && uv_observe(s, sh) != 0)
        s->failed = 1;
    return s->failed ? -1 : n;
}

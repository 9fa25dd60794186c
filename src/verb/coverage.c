/* coverage.c — what an answer rests on and how much of the relevant trade
 * the store can see (see coverage.h, docs/analytics.md "Coverage"). */
#include "chokepoint/coverage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/flows.h"
#include "chokepoint/reporters.h"
#include "chokepoint/store.h"

#define REPORTERS_FILE "ref/reporters/reporters.csv"
#define PROFILE_CACHE 64     /* (product, period) profiles kept per answer */
#define SCOPE_CACHE 64       /* row scopes kept per answer */
#define PAIR_COUNTRIES 2048  /* above this many countries no pair bitmap */

/* ---- the reporter list (reporters.h), loaded once per env ----------------- */

typedef struct ckp_reporters reporter_list;

static void list_free(void *p) { ckp_reporters_free(p); }

static ckp_status list_load(ckp_env *env, void **ptr, ckp_error *err)
{
    char path[4096];
    const char *dir = ckp_env_data_dir(env) ? ckp_env_data_dir(env) : ckp_data_dir();
    if (snprintf(path, sizeof path, "%s/%s", dir, REPORTERS_FILE) >= (int)sizeof path)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "data directory path too long");
    ckp_reporters *l;
    ckp_status st = ckp_reporters_load(path, &l, err);
    *ptr = l;
    return st;
}

/* ---- what the store holds for one product and period ------------------------- */

typedef struct profile {
    char hskey[256];       /* key: the product as the row gives it */
    int32_t period;        /* key */
    int nc;                /* ref countries */
    unsigned char *reports; /* per reporter: 1 X rows, 2 M rows, 4 a group's own rows */
    unsigned char *pair;   /* nc*nc: [reporter * nc + partner] X rows held */
    double *m_partners[2]; /* per reporter: M rows to countries, [0] annual [1] monthly */
    double *m_world[2];    /* per reporter: M rows with partner World */
} profile;

static void profile_clear(profile *p)
{
    free(p->reports);
    free(p->pair);
    for (int k = 0; k < 2; k++) {
        free(p->m_partners[k]);
        free(p->m_world[k]);
    }
    memset(p, 0, sizeof *p);
}

typedef struct scan_ctx {
    profile *p;
    const ckp_ref *ref;
} scan_ctx;

static int profile_row(const ckp_flow *row, void *vctx)
{
    scan_ctx *c = vctx;
    profile *p = c->p;
    if (row->reporter < 0 || row->reporter >= p->nc || row->partner < 0 || row->partner >= p->nc)
        return 0;
    const ckp_country *rc = ckp_ref_country(c->ref, row->reporter);
    if (!rc)
        return 0;
    if (rc->is_aggregate) {
        /* a group's own report (Eurostat's EU-27): held when the group is
         * named (surge --reporter E27), never counted as an economy */
        p->reports[row->reporter] |= 4;
        return 0;
    }
    const ckp_country *pc = ckp_ref_country(c->ref, row->partner);
    int world = pc && pc->kind && strcmp(pc->kind, "world") == 0;
    int monthly = row->period % 100 != 0;
    if (row->flow == CKP_FLOW_EXPORT) {
        p->reports[row->reporter] |= 1;
        if (p->pair && pc && !pc->is_aggregate)
            p->pair[(size_t)row->reporter * (size_t)p->nc + (size_t)row->partner] = 1;
    } else if (row->flow == CKP_FLOW_IMPORT) {
        p->reports[row->reporter] |= 2;
        if (row->hs >= CKP_HS_KEY_HS4)
            return 0; /* an aggregate row: its reporter counts, its value would be
                         added to its own detail in the sums below */
        if (world)
            p->m_world[monthly][row->reporter] += row->value;
        else if (pc && !pc->is_aggregate)
            p->m_partners[monthly][row->reporter] += row->value;
    }
    return 0;
}

/* need_pair: keep who reports exports to whom (an importer's mirror
 * coverage); nc*nc bytes, so only when asked. */
static ckp_status profile_build(ckp_env *env, const ckp_hsset *hs, int32_t period, int need_pair,
                                profile *p, ckp_error *err)
{
    const ckp_store *store;
    ckp_status st = ckp_env_store(env, &store, err);
    if (st != CKP_OK)
        return st;
    p->nc = ckp_ref_country_count(ckp_env_ref(env));
    size_t nc = (size_t)p->nc;
    p->reports = calloc(nc ? nc : 1, 1);
    p->pair = need_pair && nc <= PAIR_COUNTRIES ? calloc(nc > 0 ? nc * nc : 1, 1) : NULL;
    for (int k = 0; k < 2; k++) {
        p->m_partners[k] = calloc(nc ? nc : 1, sizeof(double));
        p->m_world[k] = calloc(nc ? nc : 1, sizeof(double));
    }
    if (!p->reports || (need_pair && !p->pair && nc <= PAIR_COUNTRIES) || !p->m_partners[0] ||
        !p->m_partners[1] || !p->m_world[0] || !p->m_world[1])
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ckp_query q;
    ckp_query_init(&q);
    q.hs = hs;
    /* --hs TOTAL|CC|CCCC: who reports the aggregate rows counts too (the
     * EU members' TOTAL exports to RUS) */
    q.levels = ckp_hsset_asks_levels(hs);
    if (period % 100 == 0) {
        q.period_from = period;
        q.period_to = period + 12;
    } else {
        q.period_from = q.period_to = period;
    }
    scan_ctx c = {p, ckp_env_ref(env)};
    return ckp_store_scan(store, &q, profile_row, &c, err);
}

/* ---- wording ------------------------------------------------------------------- */

/* "CHN", "CHN and USA", "CHN, USA and DEU", "CHN, USA, DEU and 4 others" */
static void name_list(const ckp_ref *ref, const int *ids, int n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    int shown = n <= 4 ? n : 3;
    for (int i = 0; i < shown; i++) {
        const char *sep = i == 0 ? "" : (i == n - 1 && n <= 4) ? " and " : ", ";
        int k = snprintf(buf + o, len - o, "%s%s", sep, ckp_ref_iso3(ref, ids[i]));
        if (k < 0 || (size_t)k >= len - o)
            return;
        o += (size_t)k;
    }
    if (n > shown)
        snprintf(buf + o, len - o, " and %d others", n - shown);
}

/* k of the n listed reporters were seen (their ids in ids): the counts, the
 * share and the names into out. */
static void reporters_seen(const ckp_ref *ref, const int *ids, int k, int n, ckp_coverage *out)
{
    out->nreporters = k;
    out->nlisted = n;
    out->share = n > 0 ? (double)k / n : NAN;
    name_list(ref, ids, k, out->reporters, sizeof out->reporters);
}

static void finish(ckp_coverage *out)
{
    if (!isnan(out->share) && out->share > 1)
        out->share = 1;
    out->thin = !isnan(out->share) && out->share < CKP_COVERAGE_THIN;
}

char *ckp_coverage_lead(const ckp_coverage *cov, char *buf, size_t n)
{
    if (!n)
        return buf;
    buf[0] = '\0';
    if (!cov->thin)
        return buf;
    if (cov->nlisted)
        snprintf(buf, n, "of the flows reported by %s (%d of %d economies listed as UN "
                 "Comtrade reporters), ", cov->nreporters ? cov->reporters : "no one",
                 cov->nreporters, cov->nlisted);
    else
        snprintf(buf, n, "of the flows reported by %s (%.0f %% of the relevant trade), ",
                 cov->nreporters ? cov->reporters : "no one", 100 * cov->share);
    return buf;
}

/* ---- the computation ---------------------------------------------------------- */

static ckp_status compute(ckp_env *env, const reporter_list *list, const profile *p,
                          const ckp_cov_scope *s, ckp_coverage *out, ckp_error *err)
{
    const ckp_ref *ref = ckp_env_ref(env);
    int year = s->period / 100;
    char yb[32];
    ckp_period_format(s->period, yb); /* "2023" or "2023-05" */
    int *ids = calloc((size_t)(p->nc > CKP_COV_MAX_PARTIES ? p->nc : CKP_COV_MAX_PARTIES), sizeof *ids);
    if (!ids)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    int k = 0;
    if (s->kind == CKP_COV_IMPORTER) {
        int I = s->importer;
        int own = I >= 0 && I < p->nc && (p->reports[I] & 2);
        int mirror = s->mirror < 0 ? !own : s->mirror;
        out->mirror = mirror;
        if (!mirror) {
            ids[k++] = I;
            int mk = p->m_world[0][I] > 0 ? 0 : 1; /* annual rows when held */
            double world = p->m_world[mk][I], seen = p->m_partners[mk][I];
            name_list(ref, ids, k, out->reporters, sizeof out->reporters);
            out->nreporters = 1;
            if (world > 0) {
                out->share = seen / world;
                snprintf(out->note, sizeof out->note,
                         "importer-reported: rests on %s's own import report; the partners "
                         "held make %.0f %% of the World total it reports for %s",
                         ckp_ref_iso3(ref, I), 100 * (seen / world > 1 ? 1 : seen / world), yb);
            } else {
                out->share = 1;
                snprintf(out->note, sizeof out->note,
                         "importer-reported: rests on %s's own import report (no World "
                         "total held to check it against)", ckp_ref_iso3(ref, I));
            }
        } else {
            for (int r = 0; r < p->nc && p->pair; r++)
                if (r != I && p->pair[(size_t)r * (size_t)p->nc + (size_t)I])
                    ids[k++] = r;
            int has;
            int n = ckp_reporters_count(list, year, ckp_ref_iso3(ref, I), &has) - has;
            reporters_seen(ref, ids, k, n, out);
            snprintf(out->note, sizeof out->note,
                     "mirror: rests on the export reports of %s to %s, %d of %d other "
                     "economies listed as UN Comtrade reporters for %s (%s's own import "
                     "report is not used)",
                     k ? out->reporters : "no one", ckp_ref_iso3(ref, I), k, n, yb,
                     ckp_ref_iso3(ref, I));
        }
    } else if (s->kind == CKP_COV_WORLD) {
        for (int r = 0; r < p->nc; r++)
            if (p->reports[r] & 3)
                ids[k++] = r;
        int has;
        int n = ckp_reporters_count(list, year, NULL, &has);
        reporters_seen(ref, ids, k, n, out);
        snprintf(out->note, sizeof out->note,
                 "world %s as reported by %s: %d of %d economies listed as UN Comtrade "
                 "reporters for %s",
                 s->what ? s->what : "trade", k ? out->reporters : "no one", k, n, yb);
    } else if (s->kind == CKP_COV_PARTIES) {
        int missing[CKP_COV_MAX_PARTIES] = {0}, nm = 0;
        int nparties = s->nparties < CKP_COV_MAX_PARTIES ? s->nparties : CKP_COV_MAX_PARTIES;
        for (int i = 0; i < nparties; i++) {
            int id = s->parties[i];
            if (id >= 0 && id < p->nc && p->reports[id])
                ids[k++] = id;
            else
                missing[nm++] = id;
        }
        out->nreporters = k;
        out->share = nparties ? (double)k / nparties : NAN;
        name_list(ref, ids, k, out->reporters, sizeof out->reporters);
        char miss[64];
        name_list(ref, missing, nm, miss, sizeof miss);
        snprintf(out->note, sizeof out->note, "rests on the reports of %s%s%s%s for %s",
                 k ? out->reporters : "no one", nm ? " (" : "", nm ? miss : "",
                 nm ? (nm == 1 ? "'s report is not held)" : "'s reports are not held)") : "",
                 yb);
    }
    free(ids);
    finish(out);
    return CKP_OK;
}

static void cov_init(ckp_coverage *out)
{
    memset(out, 0, sizeof *out);
    out->share = NAN;
}

/* The cached profile of (hskey, period) with the pair table when need_pair;
 * NULL when not cached. */
static profile *profile_find(profile *cache, int ncache, const char *hskey, int32_t period,
                             int need_pair)
{
    for (int i = 0; i < ncache; i++)
        if (cache[i].reports && cache[i].period == period &&
            strcmp(cache[i].hskey, hskey) == 0 && (!need_pair || cache[i].pair))
            return &cache[i];
    return NULL;
}

/* The env slot of the reporter list (verb.h): loaded once per env. */
static const ckp_env_slot_def reporters_slot = {"reporter list", list_load, list_free, 0};

static ckp_status get_list(ckp_env *env, const reporter_list **out, ckp_error *err)
{
    void *p;
    ckp_status st = ckp_env_slot(env, &reporters_slot, &p, err);
    *out = p;
    return st;
}

ckp_status ckp_coverage_of(ckp_env *env, const ckp_cov_scope *scope, ckp_coverage *out,
                           ckp_error *err)
{
    cov_init(out);
    if (scope->kind == CKP_COV_NONE || ckp_flows_stand_alone(env)) {
        snprintf(out->note, sizeof out->note, "%s",
                 scope->kind == CKP_COV_NONE ? "not a trade figure"
                                             : "not computed when merging partial results");
        return CKP_OK;
    }
    const reporter_list *list;
    ckp_status st = get_list(env, &list, err);
    if (st != CKP_OK)
        return st;
    profile p;
    memset(&p, 0, sizeof p);
    st = profile_build(env, scope->hs, scope->period, scope->kind == CKP_COV_IMPORTER, &p, err);
    if (st == CKP_OK)
        st = compute(env, list, &p, scope, out, err);
    profile_clear(&p);
    return st;
}

/* ---- per row ----------------------------------------------------------------------- */

typedef struct scope_memo {
    char key[400];
    ckp_coverage cov;
    int ok;
} scope_memo;

struct ckp_coverage_ctx {
    ckp_env *env;
    const char *verb;
    profile profiles[PROFILE_CACHE];
    int next_profile;       /* the slot the next profile replaces (round robin) */
    ckp_hsset *hs;          /* parsed from the last hs cell */
    char hs_text[256];
    scope_memo memo[SCOPE_CACHE];
    int memo_next;
    ckp_coverage weakest;
    int have_weakest;
    int failed;             /* the reporter list or the store failed: cells null */
    char why[300];
};

ckp_coverage_ctx *ckp_coverage_ctx_new(ckp_env *env, const char *verb)
{
    ckp_coverage_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->env = env;
    c->verb = verb;
    return c;
}

void ckp_coverage_ctx_free(ckp_coverage_ctx *ctx)
{
    if (!ctx)
        return;
    for (int i = 0; i < PROFILE_CACHE; i++)
        profile_clear(&ctx->profiles[i]);
    ckp_hsset_free(ctx->hs);
    free(ctx);
}

/* "2023" → 202300, "2023-05" → 202305; a date "2024-12-03" → 202400 (its
 * year); -1 otherwise */
static int32_t cell_period(const char *s, int date)
{
    if (!s || strlen(s) < 4)
        return -1;
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    int32_t y = (int32_t)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0')) * 100;
    if (s[4] == '\0' || date)
        return y;
    if (s[4] == '-' && s[5] >= '0' && s[5] <= '1' && s[6] >= '0' && s[6] <= '9' && s[7] == '\0') {
        int m = (s[5] - '0') * 10 + (s[6] - '0');
        return m >= 1 && m <= 12 ? y + m : -1;
    }
    return -1;
}

static int country_cell(const ckp_env *env, const ckp_writer *w, const char *col)
{
    const char *s = ckp_writer_cell(w, col);
    return s ? ckp_ref_country_by_iso3(ckp_env_ref(env), s) : -1;
}

/* A party of the row: added unless the cell is empty or "*" (diversion
 * without a single target); an unknown code is added as -1 (not held). */
static void add_party(const ckp_env *env, const ckp_writer *w, const char *col, ckp_cov_scope *s)
{
    const char *t = ckp_writer_cell(w, col);
    if (!t || !t[0] || strcmp(t, "*") == 0 || s->nparties >= CKP_COV_MAX_PARTIES)
        return;
    s->parties[s->nparties++] = country_cell(env, w, col);
}

/* The scope of the row w is writing, from its cells; 0 when it has none
 * (note in why). */
static int row_scope(ckp_coverage_ctx *c, const ckp_writer *w, ckp_cov_scope *s, char *why,
                     size_t whylen)
{
    const char *v = c->verb;
    memset(s, 0, sizeof *s);
    s->mirror = -1;
    int date = strcmp(v, "diversion") == 0;
    s->period = cell_period(ckp_writer_cell(w, date ? "date" : "period"), date);
    if (strcmp(v, "dependency") == 0 || strcmp(v, "chokepoints") == 0) {
        s->kind = CKP_COV_IMPORTER;
        s->importer = country_cell(c->env, w, "importer");
        const char *src = ckp_writer_cell(w, "source");
        if (src)
            s->mirror = strcmp(src, "mirror") == 0;
    } else if (strcmp(v, "concentration") == 0) {
        const char *side = ckp_writer_cell(w, "side");
        s->kind = side && strcmp(side, "exporter") == 0   ? CKP_COV_WORLD
                  : side && strcmp(side, "importer") == 0 ? CKP_COV_WORLD
                                                          : CKP_COV_NONE;
        s->what = side && strcmp(side, "importer") == 0 ? "imports" : "exports";
    } else if (strcmp(v, "alternatives") == 0) {
        s->kind = CKP_COV_WORLD;
        s->what = "exports";
    } else if (strcmp(v, "unitvalue") == 0) {
        s->kind = CKP_COV_WORLD;
        s->what = "trade";
    } else if (strcmp(v, "surge") == 0) {
        s->kind = CKP_COV_PARTIES;
        add_party(c->env, w, "reporter", s);
    } else if (strcmp(v, "mirror") == 0) {
        s->kind = CKP_COV_PARTIES;
        add_party(c->env, w, "reporter", s);
        add_party(c->env, w, "partner", s);
    } else if (strcmp(v, "diversion") == 0) {
        s->kind = CKP_COV_PARTIES;
        add_party(c->env, w, "issuer", s);
        add_party(c->env, w, "hub", s);
        add_party(c->env, w, "target", s);
    } else {
        /* a flow verb added without a rule here: said on every row */
        snprintf(why, whylen, "no coverage rule for the verb %s (src/verb/coverage.c)", v);
        return 0;
    }
    if (s->kind == CKP_COV_NONE) {
        snprintf(why, whylen, "not a trade figure (production tables)");
        return 0;
    }
    if (s->period < 0) {
        snprintf(why, whylen, "no single period in the row");
        return 0;
    }
    return 1;
}

static void note_weakest(ckp_coverage_ctx *c, const ckp_coverage *cov)
{
    if (isnan(cov->share))
        return;
    if (!c->have_weakest || cov->share <= c->weakest.share) { /* ties: the latest row */
        c->weakest = *cov;
        c->have_weakest = 1;
    }
}

int ckp_coverage_row(ckp_coverage_ctx *c, const ckp_writer *w, ckp_coverage *out)
{
    cov_init(out);
    if (ckp_flows_stand_alone(c->env)) {
        snprintf(out->note, sizeof out->note, "not computed when merging partial results "
                 "(docs/scale.md): run the verb on a store");
        return 0;
    }
    if (c->failed) {
        snprintf(out->note, sizeof out->note, "%s", c->why);
        return 0;
    }
    ckp_cov_scope s;
    if (!row_scope(c, w, &s, out->note, sizeof out->note))
        return 0;
    const char *hs_cell = ckp_writer_cell(w, "hs");
    if (!hs_cell) {
        snprintf(out->note, sizeof out->note, "no product in the row");
        return 0;
    }
    /* diversion joins a measure's codes with ';' */
    char hs_text[256];
    snprintf(hs_text, sizeof hs_text, "%s", hs_cell);
    for (char *q = hs_text; *q; q++)
        if (*q == ';')
            *q = ',';
    char key[400];
    snprintf(key, sizeof key, "%d|%s|%d|%d|%d|%d,%d,%d|%s", (int)s.kind, hs_text, (int)s.period,
             s.importer, s.mirror, s.parties[0], s.parties[1], s.parties[2],
             s.what ? s.what : "");
    for (int i = 0; i < SCOPE_CACHE; i++)
        if (c->memo[i].key[0] && strcmp(c->memo[i].key, key) == 0) {
            *out = c->memo[i].cov;
            return c->memo[i].ok;
        }
    ckp_error err;
    memset(&err, 0, sizeof err);
    int ok = 0;
    int need_pair = s.kind == CKP_COV_IMPORTER;
    profile *p = profile_find(c->profiles, PROFILE_CACHE, hs_text, s.period, need_pair);
    if (!p && strcmp(c->hs_text, hs_text) != 0) {
        ckp_hsset_free(c->hs);
        c->hs = NULL;
        c->hs_text[0] = '\0';
        if (ckp_hsset_parse(ckp_env_ref(c->env), hs_text, &c->hs, &err) != CKP_OK) {
            snprintf(out->note, sizeof out->note, "product \"%.100s\" not understood: %.300s",
                     hs_text, err.msg);
            goto memo;
        }
        snprintf(c->hs_text, sizeof c->hs_text, "%s", hs_text);
    }
    const reporter_list *list;
    ckp_status st = get_list(c->env, &list, &err);
    if (st == CKP_OK && !p) {
        p = &c->profiles[c->next_profile];
        c->next_profile = (c->next_profile + 1) % PROFILE_CACHE;
        profile_clear(p);
        p->period = s.period;
        snprintf(p->hskey, sizeof p->hskey, "%s", hs_text);
        st = profile_build(c->env, c->hs, s.period, need_pair, p, &err);
        if (st != CKP_OK)
            profile_clear(p);
    }
    if (st != CKP_OK ||
        compute(c->env, list, p, &s, out, &err) != CKP_OK) {
        c->failed = 1;
        snprintf(c->why, sizeof c->why, "coverage not computed: %.250s", err.msg);
        cov_init(out);
        snprintf(out->note, sizeof out->note, "%s", c->why);
        return 0;
    }
    ok = 1;
    note_weakest(c, out);
memo:;
    scope_memo *m = &c->memo[c->memo_next];
    c->memo_next = (c->memo_next + 1) % SCOPE_CACHE;
    snprintf(m->key, sizeof m->key, "%s", key);
    m->cov = *out;
    m->ok = ok;
    return ok;
}

int ckp_coverage_weakest(const ckp_coverage_ctx *ctx, ckp_coverage *out)
{
    if (!ctx || !ctx->have_weakest)
        return 0;
    *out = ctx->weakest;
    return 1;
}

const char *ckp_coverage_failed(const ckp_coverage_ctx *ctx)
{
    return ctx && ctx->failed ? ctx->why : NULL;
}

/* diversion_verb.c — the `diversion` verb (verb.h): a measure or an
 * issuer/target/products/date given by hand → ranked hubs with evidence;
 * --all-measures ranks hubs for every measure of the register (the CSV that
 * `screen --hubs` reads, docs/evasion.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chokepoint/analysis.h"
#include "chokepoint/measures.h"
#include "evasion_int.h"

#define MAX_SIDE 64 /* countries in --issuer / --target */
#define PROD_MAX_CODES 24 /* production is compared only for narrow code sets */

static const ckp_param params[] = {
    {"measure", CKP_PARAM_STR, "ID", "a measure of the register (issuer, targets, HS set, date)",
     0, 1},
    {"issuer", CKP_PARAM_LIST, "A", "exporting country bound by the control (ISO3; EU = its 27)",
     0, 1},
    {"target", CKP_PARAM_LIST, "C", "destination the control protects (overrides the measure's)",
     0, 1},
    {"hs", CKP_PARAM_STR, "H", "controlled products: codes, prefixes or a group", 0, 1},
    {"date", CKP_PARAM_STR, "D", "the control's start, YYYY-MM-DD", 0, 1},
    {"period-before", CKP_PARAM_INT, "N", "periods before the date (default 12 months / 3 years)",
     0, 1},
    {"period-after", CKP_PARAM_INT, "N", "periods from the date (default 12 months / 2 years)", 0,
     1},
    {"control", CKP_PARAM_STR, "H2",
     "control products (default: the other codes of the same HS chapters, else all others)", 0,
     1},
    {"freq", CKP_PARAM_STR, "auto|monthly|annual", "which rows to use (default auto)", 0, 1},
    {"limit", CKP_PARAM_INT, "K", "hubs to list (default 20; 0 = all)", 0, 1},
    {"all-measures", CKP_PARAM_FLAG, NULL,
     "rank hubs for every measure of the register (the screen --hubs CSV)", 0, 1},
    {"top", CKP_PARAM_INT, "K", "with --all-measures: hubs per measure (default 5)", 0, 1},
    {"min-score", CKP_PARAM_NUM, "S", "with --all-measures: smallest score kept (default 0.005)", 0,
     1},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column columns[] = {
    {"issuer", CKP_COL_STR, 0},
    {"target", CKP_COL_STR, 0},
    {"hs", CKP_COL_STR, 0},
    {"date", CKP_COL_STR, 0},
    {"hub", CKP_COL_STR, 0},
    {"rank", CKP_COL_INT, 0},
    {"score", CKP_COL_NUM, 3},
    {"growth_issuer_to_hub", CKP_COL_NUM, 2},
    {"growth_hub_to_target", CKP_COL_NUM, 2},
    {"growth_control", CKP_COL_NUM, 2},
    {"explanation", CKP_COL_STR, 0},
    {"measure", CKP_COL_STR, 0},
    {"destination", CKP_COL_STR, 0},
    {"issuer_to_hub_before", CKP_COL_NUM, 0},
    {"issuer_to_hub_after", CKP_COL_NUM, 0},
    {"hub_to_target_before", CKP_COL_NUM, 0},
    {"hub_to_target_after", CKP_COL_NUM, 0},
    {"growth_control_issuer_to_hub", CKP_COL_NUM, 2},
    {"growth_control_hub_to_target", CKP_COL_NUM, 2},
    {"did_issuer_to_hub", CKP_COL_NUM, 3},
    {"did_hub_to_target", CKP_COL_NUM, 3},
    {"growth_issuer_to_target", CKP_COL_NUM, 3},
    {"share", CKP_COL_NUM, 3},
    {"lag", CKP_COL_NUM, 0},
    {"reexport_ratio", CKP_COL_NUM, 2},
    {"production", CKP_COL_NUM, 0},
    {"seen", CKP_COL_STR, 0},
    {"freq", CKP_COL_STR, 0},
    /* then "synthetic" and "sources", as for every flow verb (verb.h) */
};

/* ---- production (USGS tables via the analytics module) ---------------------- */

typedef struct prodctx {
    const ckp_production *p;
    const char *names[16];
    int nnames;
    char label[16 * 80]; /* the commodities, comma-separated */
} prodctx;

static double production_of(void *ctx, int country, const ckp_hsset *hs)
{
    (void)hs;
    const prodctx *pc = ctx;
    int best_year = -1;
    double v = 0; /* not among the listed producers → none */
    for (int i = 0; i < ckp_production_count(pc->p); i++) {
        const ckp_prod_row *r = ckp_production_at(pc->p, i);
        if (r->country != country)
            continue;
        int hit = 0;
        for (int k = 0; k < pc->nnames && !hit; k++)
            hit = r->commodity && strcmp(r->commodity, pc->names[k]) == 0;
        if (!hit || r->year < best_year)
            continue;
        double t = r->value;
        if (t == t && r->unit && strcmp(r->unit, "kg") == 0)
            t /= 1000.0;
        if (r->year > best_year)
            v = 0;
        best_year = r->year;
        v = t == t ? v + t : NAN;
    }
    return v;
}

/* Production tables for P, or NULL when none cover it (then the hub's
 * production is "unknown" and the explanation says so). */
static const prodctx *production_for(ckp_env *env, const ckp_hsset *hs, prodctx *pc)
{
    ckp_error e2;
    const ckp_production *p = NULL;
    if (ckp_production_from_env(env, &p, &e2) != CKP_OK || !p)
        return NULL;
    pc->p = p;
    pc->nnames = ckp_production_commodities(p, NULL, hs, pc->names, 16);
    size_t k = 0;
    pc->label[0] = '\0';
    for (int i = 0; i < pc->nnames; i++) {
        int w = snprintf(pc->label + k, sizeof pc->label - k, "%s%s", i ? ", " : "", pc->names[i]);
        if (w < 0 || (size_t)w >= sizeof pc->label - k)
            return NULL; /* commodities that cannot all be named: production unknown */
        k += (size_t)w;
    }
    return pc->nnames > 0 ? pc : NULL;
}

/* ---- parameters --------------------------------------------------------------- */

typedef struct divreq {
    int issuers[MAX_SIDE], nissuers;
    int targets[MAX_SIDE], ntargets;
    ckp_hsset *hs;      /* owned unless hs_borrowed */
    int hs_borrowed;
    ckp_hsset *control; /* owned */
    ckp_hsset *exclude; /* owned */
    int32_t date;
    /* texts for the output, never cut: borrowed from the measure or the
     * arguments, or pointing into the buffers below */
    const char *issuer_text, *target_text, *hs_text, *hs_field, *measure;
    char issuer_buf[MAX_SIDE * 8], target_buf[MAX_SIDE * 8]; /* --issuer / --target */
    char *hs_text_owned; /* "the N codes of ID" */
} divreq;

static void divreq_free(divreq *r)
{
    free(r->hs_text_owned);
    if (!r->hs_borrowed)
        ckp_hsset_free(r->hs);
    ckp_hsset_free(r->control);
    ckp_hsset_free(r->exclude);
}

static ckp_status parse_date(const char *s, int32_t *days, ckp_error *err)
{
    char buf[16];
    if (strlen(s) == 7) { /* YYYY-MM → the first of the month */
        snprintf(buf, sizeof buf, "%s-01", s);
        s = buf;
    }
    if (ckp_date_parse(s, days, err) != CKP_OK)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--date takes YYYY-MM-DD (got '%s')", s);
    return CKP_OK;
}

/* --issuer / --target values (repeatable, comma-separated; "EU" expands to
 * the members bound by an EU measure of the register). */
static ckp_status parse_countries(ckp_env *env, const ckp_args *a, const char *name, int *ids,
                                  int *n, char *text, size_t tn, ckp_error *err)
{
    *n = 0;
    text[0] = '\0';
    for (int k = 0; k < ckp_args_count(a, name); k++) {
        char item[64];
        const char *v = ckp_args_nth(a, name, k);
        while (*v) {
            size_t len = strcspn(v, ",;");
            if (len >= sizeof item) /* never cut to something that might resolve */
                return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                     "--%s: '%.40s…' is not a country", name, v);
            snprintf(item, sizeof item, "%.*s", (int)len, v);
            v += len + (v[len] != '\0');
            if (!item[0])
                continue;
            size_t tl = strlen(text);
            if (tl + len + 2 > tn)
                return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                     "--%s: more than %zu characters of countries", name,
                                     tn - 1);
            snprintf(text + tl, tn - tl, "%s%s", tl ? ";" : "", item);
            if (strcasecmp(item, "EU") == 0 || strcasecmp(item, "EUN") == 0) {
                const ckp_measures *ms = NULL;
                const ckp_measure *eu = NULL;
                if (ckp_measures_from_env(env, &ms, err) == CKP_OK)
                    for (int i = 0; i < ckp_measures_count(ms) && !eu; i++)
                        if (strcasecmp(ckp_measures_at(ms, i)->issuer_code, "EU") == 0)
                            eu = ckp_measures_at(ms, i);
                if (!eu)
                    return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                         "--%s EU: no EU measure in the register to take the "
                                         "member states from", name);
                for (int i = 0; i < eu->nissuers && *n < MAX_SIDE; i++)
                    ids[(*n)++] = eu->issuers[i];
                continue;
            }
            int id;
            if (ckp_ref_country_arg(ckp_env_ref(env), item, &id, err) != CKP_OK)
                return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--%s: %s", name, err->msg);
            if (*n >= MAX_SIDE)
                return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--%s: more than %d countries",
                                     name, MAX_SIDE);
            ids[(*n)++] = id;
        }
    }
    return CKP_OK;
}

static ckp_status fill_from_measure(divreq *r, const ckp_measure *m, ckp_error *err)
{
    r->nissuers = 0;
    for (int i = 0; i < m->nissuers && r->nissuers < MAX_SIDE; i++)
        r->issuers[r->nissuers++] = m->issuers[i];
    r->ntargets = 0;
    if (!m->all_targets)
        for (int i = 0; i < m->ntargets && r->ntargets < MAX_SIDE; i++)
            r->targets[r->ntargets++] = m->targets[i];
    r->issuer_text = m->issuer_code;
    r->target_text = m->targets_code;
    r->hs = (ckp_hsset *)m->hs;
    r->hs_borrowed = 1;
    r->hs_field = m->hs_codes; /* every code: screen --hubs reads them all */
    if (m->nhs == 1) {
        r->hs_text = m->hs_codes;
    } else {
        size_t n = strlen(m->id) + 48;
        r->hs_text_owned = malloc(n);
        if (!r->hs_text_owned)
            return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        snprintf(r->hs_text_owned, n, "the %d codes of %s", m->nhs, m->id);
        r->hs_text = r->hs_text_owned;
    }
    r->date = ckp_measure_start(m);
    r->measure = m->id;
    return CKP_OK;
}

/* Codes controlled by the issuers' other measures are not controls (those
 * in force at some time within three years either side of the date). */
static ckp_hsset *exclusion_set(const ckp_measures *ms, const divreq *r)
{
    int32_t lo = r->date - 3 * 366, hi = r->date + 3 * 366;
    ckp_hsset *x = ckp_hsset_new();
    if (!x || !ms)
        return x;
    for (int i = 0; i < ckp_measures_count(ms); i++) {
        const ckp_measure *m = ckp_measures_at(ms, i);
        int binds = 0;
        for (int k = 0; k < r->nissuers && !binds; k++)
            binds = ckp_measure_binds(m, r->issuers[k]);
        int32_t start = ckp_measure_start(m);
        if (m->kind == CKP_MEASURE_SUSPENSION)
            continue; /* its codes are the suspended measures', not a control */
        if (!binds || (start >= 0 && start > hi) || (m->lifted >= 0 && m->lifted < lo))
            continue;
        uint32_t cur = 0, code;
        while (ckp_hsset_next(m->hs, &cur, &code))
            if (!ckp_hsset_has(r->hs, code))
                ckp_hsset_add(x, code);
    }
    return x;
}

/* ---- running ---------------------------------------------------------------- */

static ckp_status run_one(ckp_env *env, const ckp_store *store, divreq *r, int freq, int before,
                          int after, ckp_div **out, ckp_error *err)
{
    ckp_div_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.issuers = r->issuers;
    sp.nissuers = r->nissuers;
    sp.targets = r->targets;
    sp.ntargets = r->ntargets;
    sp.hs = r->hs;
    sp.control = r->control;
    sp.exclude = r->exclude;
    sp.date = r->date;
    sp.freq = freq;
    sp.before = before;
    sp.after = after;
    prodctx pc;
    memset(&pc, 0, sizeof pc);
    if (ckp_hsset_count(r->hs) > PROD_MAX_CODES) {
        sp.production_na = NULL; /* a broad list: production says nothing */
    } else if (!production_for(env, r->hs, &pc)) {
        sp.production_na = "no USGS production table covers these codes";
    } else {
        sp.production = production_of;
        sp.production_ctx = &pc;
        sp.production_label = pc.label;
    }
    /* production is read during finish: pc may go out of scope after */
    return ckp_div_run(store, ckp_env_ref(env), &sp, out, err);
}

static const char *seen_text(const ckp_div_hub *h, int has_target)
{
    if (!has_target)
        return h->ab.seen ? "issuer-to-hub" : "none";
    if (h->ab.seen && h->bc.seen)
        return "both";
    if (h->ab.seen)
        return "issuer-to-hub only";
    if (h->bc.seen)
        return "hub-to-target only";
    return "none";
}

static ckp_status write_hubs(ckp_env *env, const divreq *r, ckp_div *d, const char *destination,
                             long limit, double min_score, ckp_writer *w, ckp_error *err)
{
    char date[16];
    ckp_measure_date_format(r->date, date);
    /* room for the explanation whole: it names the products up to 3 times */
    size_t bufn = 4096 + 4 * strlen(r->hs_text);
    char *buf = malloc(bufn);
    if (!buf)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    const ckp_div_leg *ac = ckp_div_direct(d);
    double g_ac = ac->before > 0 ? ac->after / ac->before : NAN;
    int has_target = r->ntargets > 0;
    int annual = 0;
    int32_t b0, b1, a0, a1;
    ckp_div_windows(d, &b0, &b1, &a0, &a1);
    annual = CKP_PERIOD_MONTH(b0) == 0;
    for (size_t i = 0; i < ckp_div_count(d); i++) {
        if (limit > 0 && (long)i >= limit)
            break;
        const ckp_div_hub *h = ckp_div_at(d, i);
        if (h->score < min_score)
            break;
        ckp_writer_str(w, r->issuer_text);
        ckp_writer_str(w, r->target_text);
        ckp_writer_str(w, r->hs_field);
        ckp_writer_str(w, date);
        ckp_writer_str(w, ckp_ref_iso3(ckp_env_ref(env), h->hub));
        ckp_writer_int(w, h->rank);
        ckp_writer_num(w, h->score);
        ckp_writer_num(w, h->growth_ab);
        ckp_writer_num(w, has_target ? h->growth_bc : NAN);
        ckp_writer_num(w, h->growth_ctl);
        ckp_div_explain(d, h, ckp_env_ref(env), r->hs_text, buf, bufn);
        if (strlen(buf) + 1 >= bufn) {
            free(buf);
            return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                                 "the explanation of hub %s is longer than %zu bytes",
                                 ckp_ref_iso3(ckp_env_ref(env), h->hub), bufn - 1);
        }
        ckp_writer_str(w, buf);
        ckp_writer_str(w, r->measure && r->measure[0] ? r->measure : NULL);
        ckp_writer_str(w, destination);
        ckp_writer_num(w, h->ab.before);
        ckp_writer_num(w, h->ab.after);
        ckp_writer_num(w, has_target ? h->bc.before : NAN);
        ckp_writer_num(w, has_target ? h->bc.after : NAN);
        ckp_writer_num(w, h->growth_ctl_ab);
        ckp_writer_num(w, has_target ? h->growth_ctl_bc : NAN);
        ckp_writer_num(w, h->did_ab);
        ckp_writer_num(w, h->did_bc);
        ckp_writer_num(w, g_ac);
        ckp_writer_num(w, h->share);
        ckp_writer_num(w, h->lag);
        ckp_writer_num(w, h->reexport_ratio);
        ckp_writer_num(w, h->production);
        ckp_writer_str(w, seen_text(h, has_target));
        ckp_writer_str(w, annual ? "annual" : "monthly");
        ckp_status st = ckp_writer_end_row(w);
        if (st != CKP_OK) {
            free(buf);
            return ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
        }
    }
    free(buf);
    return CKP_OK;
}

static void summarize(ckp_env *env, const divreq *r, ckp_div *d, char *summary, size_t n)
{
    if (!summary || !n)
        return;
    const ckp_div_leg *ac = ckp_div_direct(d);
    char date[16], b[32], a[32];
    int32_t b0, b1, a0, a1;
    char p0[12], p1[12], p2[12], p3[12];
    ckp_measure_date_format(r->date, date);
    ckp_div_windows(d, &b0, &b1, &a0, &a1);
    size_t k = (size_t)snprintf(summary, n, "%s after %s (%s..%s vs %s..%s): ", r->hs_text, date,
                                ckp_period_format(b0, p0), ckp_period_format(b1, p1),
                                ckp_period_format(a0, p2), ckp_period_format(a1, p3));
    if (k >= n)
        return;
    if (r->ntargets && ac->seen) {
        ckp__ev_money(ac->before, b, sizeof b);
        ckp__ev_money(ac->after, a, sizeof a);
        k += (size_t)snprintf(summary + k, n - k, "%s to %s went from %s to %s a period; ",
                              r->issuer_text, r->target_text, b, a);
    } else if (r->ntargets) {
        k += (size_t)snprintf(summary + k, n - k, "%s to %s not seen in either side's reports; ",
                              r->issuer_text, r->target_text);
    }
    if (k >= n)
        return;
    if (ckp_div_count(d) == 0) {
        snprintf(summary + k, n - k, "no candidate hub trades these products.");
        return;
    }
    const ckp_div_hub *h = ckp_div_at(d, 0);
    snprintf(summary + k, n - k, "top hub %s (score %.2f).", ckp_ref_iso3(ckp_env_ref(env), h->hub),
             h->score);
}

static ckp_status parse_freq(const ckp_args *a, int *freq, ckp_error *err)
{
    const char *f = ckp_args_get(a, "freq");
    *freq = 0;
    if (!f || strcmp(f, "auto") == 0)
        return CKP_OK;
    if (strcmp(f, "monthly") == 0 || strcmp(f, "M") == 0)
        *freq = 'M';
    else if (strcmp(f, "annual") == 0 || strcmp(f, "A") == 0)
        *freq = 'A';
    else
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--freq takes auto, monthly or annual (got '%s')", f);
    return CKP_OK;
}

/* 1 when goods could be rerouted around the measure: an export control (or
 * a package both ways) with HS codes, not a suspension. */
static int diversion_candidate(const ckp_measure *m)
{
    return m->nhs > 0 && m->kind != CKP_MEASURE_SUSPENSION && m->direction != CKP_DIR_IMPORT;
}

static ckp_status run_all_measures(ckp_env *env, const ckp_store *store, const ckp_args *a,
                                   int freq, long before, long after, ckp_writer *w,
                                   char *summary, size_t summary_len, ckp_error *err)
{
    long top;
    double min_score;
    ckp_status st = ckp_args_int(a, "top", 5, &top, err);
    if (st == CKP_OK)
        st = ckp_args_num(a, "min-score", 0.005, &min_score, err);
    const ckp_measures *ms = NULL;
    if (st == CKP_OK)
        st = ckp_measures_from_env(env, &ms, err);
    if (st != CKP_OK)
        return st;
    int done = 0, skipped = 0;
    for (int i = 0; i < ckp_measures_count(ms) && st == CKP_OK; i++) {
        const ckp_measure *m = ckp_measures_at(ms, i);
        if (!diversion_candidate(m))
            continue; /* no codes, a suspension or an import measure: nothing to reroute */
        if (ckp_measure_start(m) < 0) {
            skipped++;
            continue;
        }
        divreq r;
        memset(&r, 0, sizeof r);
        st = fill_from_measure(&r, m, err);
        if (st != CKP_OK) {
            divreq_free(&r);
            break;
        }
        r.exclude = exclusion_set(ms, &r);
        ckp_div *d = NULL;
        ckp_error e2;
        ckp_error_clear(&e2);
        ckp_status s2 = run_one(env, store, &r, freq, (int)before, (int)after, &d, &e2);
        if (s2 == CKP_ENOTFOUND) { /* no data around this measure's date */
            skipped++;
            divreq_free(&r);
            continue;
        }
        if (s2 != CKP_OK) {
            *err = e2;
            st = s2;
            divreq_free(&r);
            break;
        }
        done++;
        ckp_answer_track(ckp_verb_answer(w));
        ckp_answer_sources(ckp_verb_answer(w), ckp_div_sources(d));
        if (r.ntargets == 0) {
            st = write_hubs(env, &r, d, "*", top, min_score, w, err);
        } else {
            for (int t = 0; t < r.ntargets && st == CKP_OK; t++)
                st = write_hubs(env, &r, d, ckp_ref_iso3(ckp_env_ref(env), r.targets[t]), top,
                                min_score, w, err);
        }
        ckp_div_free(d);
        divreq_free(&r);
    }
    if (summary && summary_len)
        snprintf(summary, summary_len,
                 "hubs ranked for %d measures (%d skipped: no data around their dates)", done,
                 skipped);
    return st;
}

static ckp_status diversion_run(ckp_env *env, const ckp_args *a, ckp_writer *w, char *summary,
                                size_t summary_len, ckp_error *err)
{
    /* the table on a terminal: key columns first */
    ckp_writer_hint(w, "hub rank score growth_issuer_to_hub growth_hub_to_target", "explanation");
    int freq;
    long before, after, limit;
    ckp_status st = parse_freq(a, &freq, err);
    if (st == CKP_OK)
        st = ckp_args_int(a, "period-before", 0, &before, err);
    if (st == CKP_OK)
        st = ckp_args_int(a, "period-after", 0, &after, err);
    if (st == CKP_OK)
        st = ckp_args_int(a, "limit", 20, &limit, err);
    if (st != CKP_OK)
        return st;
    if (before < 0 || before > 240 || after < 0 || after > 240)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--period-before/--period-after take 1 to 240");
    const ckp_store *store;
    if (ckp_args_flag(a, "all-measures")) {
        st = ckp_env_store(env, &store, err);
        if (st != CKP_OK)
            return st;
        return run_all_measures(env, store, a, freq, before, after, w, summary, summary_len,
                                err);
    }
    divreq r;
    memset(&r, 0, sizeof r);
    const char *mid = ckp_args_get(a, "measure");
    const ckp_measures *ms = NULL;
    if (mid) {
        const ckp_measure *m = NULL;
        st = ckp_measures_from_env(env, &ms, err);
        if (st == CKP_OK)
            st = ckp_measures_arg(ms, mid, &m, err);
        if (st != CKP_OK)
            return st;
        if (!diversion_candidate(m))
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--measure: %s %s: nothing to reroute around (give --issuer, "
                                 "--target, --hs and --date)",
                                 mid,
                                 m->kind == CKP_MEASURE_SUSPENSION ? "is a suspension"
                                 : m->nhs == 0                     ? "states no HS code"
                                                                   : "restricts imports");
        st = fill_from_measure(&r, m, err);
        if (st == CKP_OK && ckp_answer_caveat_of(ckp_verb_answer(w), ckp_env_ref(env), r.hs) != CKP_OK)
            st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                               "the caveats of %s's codes do not fit", mid);
        if (st != CKP_OK)
            goto out;
    } else {
        if (!ckp_args_get(a, "issuer") || !ckp_args_get(a, "hs") || !ckp_args_get(a, "date"))
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "give --measure ID, or --issuer A --hs H --date D "
                                 "[--target C]");
        st = ckp_args_hsset(a, ckp_env_ref(env), "hs", 1, &r.hs, err);
        if (st != CKP_OK)
            return st;
        const char *h = ckp_args_get(a, "hs");
        r.hs_text = h; /* the argument outlives the request */
        r.hs_field = h;
        st = parse_date(ckp_args_get(a, "date"), &r.date, err);
        if (st == CKP_OK)
            st = parse_countries(env, a, "issuer", r.issuers, &r.nissuers, r.issuer_buf,
                                 sizeof r.issuer_buf, err);
        r.issuer_text = r.issuer_buf;
        if (st != CKP_OK)
            goto out;
    }
    if (ckp_args_get(a, "target")) {
        st = parse_countries(env, a, "target", r.targets, &r.ntargets, r.target_buf,
                             sizeof r.target_buf, err);
        r.target_text = r.target_buf;
        if (st != CKP_OK)
            goto out;
    } else if (!mid) {
        r.target_text = "*";
    }
    if (ckp_args_get(a, "control")) {
        st = ckp_args_hsset(a, ckp_env_ref(env), "control", 0, &r.control, err);
        if (st != CKP_OK)
            goto out;
    }
    if (!ms) {
        ckp_error e2;
        if (ckp_measures_from_env(env, &ms, &e2) != CKP_OK)
            ms = NULL; /* no register: no exclusions */
    }
    r.exclude = exclusion_set(ms, &r);
    st = ckp_env_store(env, &store, err);
    if (st != CKP_OK)
        goto out;
    ckp_div *d = NULL;
    st = run_one(env, store, &r, freq, (int)before, (int)after, &d, err);
    if (st != CKP_OK)
        goto out;
    /* the rows rest on the sources of the flows counted, not every one selected */
    ckp_answer_track(ckp_verb_answer(w));
    ckp_answer_sources(ckp_verb_answer(w), ckp_div_sources(d));
    st = write_hubs(env, &r, d, r.ntargets ? r.target_text : "*", limit, -INFINITY, w, err);
    summarize(env, &r, d, summary, summary_len);
    ckp_div_free(d);
out:
    divreq_free(&r);
    return st;
}

CKP_VERB_DEFINE(diversion, 90, 1) = {
    "diversion",
    "--measure ID | --issuer A --hs H --date D [--target C] [--period-before N] [--control H2]",
    "rank third countries as rerouting hubs after a measure, every score explained",
    "For each candidate hub B: growth of A->B and B->C in the controlled products after the "
    "date\nagainst before, the same for uncontrolled control products (difference in "
    "differences),\nthe fall of A->C, re-export plausibility and the lag between the legs.  A leg "
    "missing\nfrom one side's reports is read from the other side's (mirror); a leg neither "
    "side\nreports is said to be unseen.  Method: docs/evasion.md.",
    params,
    0,
    0,
    columns,
    sizeof columns / sizeof columns[0],
    diversion_run, NULL, NULL, 0};

/* ---- hubs for every measure ---------------------------------------------------- */

ckp_status ckp_hubs_compute(const ckp_store *store, const ckp_ref *ref,
                            const struct ckp_measures *ms, int top, double min_score,
                            ckp_hubs **out, ckp_error *err)
{
    *out = NULL;
    ckp_hubs *h = ckp__hubs_new();
    if (!h)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ckp_env *env = ckp_env_new(ref, NULL, NULL); /* bare: no production tables needed for scores */
    ckp_status st = env ? CKP_OK : ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < ckp_measures_count(ms) && st == CKP_OK; i++) {
        const ckp_measure *m = ckp_measures_at(ms, i);
        if (!diversion_candidate(m) || ckp_measure_start(m) < 0)
            continue;
        divreq r;
        memset(&r, 0, sizeof r);
        st = fill_from_measure(&r, m, err);
        if (st != CKP_OK) {
            divreq_free(&r);
            break;
        }
        r.exclude = exclusion_set(ms, &r);
        ckp_div_spec sp;
        memset(&sp, 0, sizeof sp);
        sp.issuers = r.issuers;
        sp.nissuers = r.nissuers;
        sp.targets = r.targets;
        sp.ntargets = r.ntargets;
        sp.hs = r.hs;
        sp.exclude = r.exclude;
        sp.date = r.date;
        ckp_div *d = NULL;
        ckp_error e2;
        ckp_status s2 = ckp_div_run(store, ref, &sp, &d, &e2);
        if (s2 == CKP_OK) {
            for (size_t k = 0; k < ckp_div_count(d) && (int)k < top && st == CKP_OK; k++) {
                const ckp_div_hub *dh = ckp_div_at(d, k);
                if (dh->score < min_score)
                    break;
                uint32_t cur = 0, code;
                while (st == CKP_OK && ckp_hsset_next(m->hs, &cur, &code)) {
                    int nd = r.ntargets ? r.ntargets : 1;
                    for (int t = 0; t < nd && st == CKP_OK; t++) {
                        ckp_hub_entry e = {m->id, code, dh->hub, r.ntargets ? r.targets[t] : -1,
                                           dh->score, dh->rank};
                        if (ckp__hubs_push(h, &e) != 0)
                            st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                                               "too many hub entries");
                    }
                }
            }
        } else if (s2 != CKP_ENOTFOUND) {
            *err = e2;
            st = s2;
        }
        ckp_div_free(d);
        divreq_free(&r);
    }
    ckp_env_free(env);
    if (st == CKP_OK && ckp__hubs_index(h) != 0)
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    if (st != CKP_OK) {
        ckp_hubs_free(h);
        return st;
    }
    *out = h;
    return CKP_OK;
}

static ckp_status hubs_loader(ckp_env *env, void **ptr, ckp_error *err)
{
    const ckp_measures *ms;
    const ckp_store *store;
    ckp_status st = ckp_measures_from_env(env, &ms, err);
    if (st == CKP_OK)
        st = ckp_env_store(env, &store, err);
    ckp_hubs *h = NULL;
    if (st == CKP_OK)
        st = ckp_hubs_for_store(store, ckp_env_ref(env), ms, &h, NULL, err);
    *ptr = h;
    return st;
}

static void hubs_free_void(void *p) { ckp_hubs_free(p); }

/* The env slot of the diversion hubs (verb.h): loaded once per env, freed
 * with the store it was computed from. */
static const ckp_env_slot_def hubs_slot = {"diversion hubs", hubs_loader, hubs_free_void, 1};

ckp_status ckp_hubs_from_env(ckp_env *env, const ckp_hubs **out, ckp_error *err)
{
    void *p = NULL;
    ckp_status st = ckp_env_slot(env, &hubs_slot, &p, err);
    *out = p;
    return st;
}

/* ingest_comext_rows.c — the row parsers of Eurostat Comext files: the
 * web extraction's rows one by one, the bulk files' lines summed by key
 * (period, reporter, partner, flow, HS6), values converted from euros at
 * the month's rate (see ingest_comext.c for the columns). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/ingest_parse.h"
#include "core/vec.h"

/* ---- Eurostat Comext ---------------------------------------------------- */

/* The HS edition Comext's CN codes of a year are built on (CN follows the
 * HS edition in force: HS2022 from 2022, HS2017 2017-2021, …). */
static int cn_edition(int32_t period)
{
    int y = period / 100;
    return y >= 2022 ? CKP_HS2022 : y >= 2017 ? CKP_HS2017 : y >= 2012 ? CKP_HS2012
           : y >= 2007 ? CKP_HS2007 : y >= 2002 ? CKP_HS2002 : y >= 1996 ? CKP_HS1996
                                                             : CKP_HS1992;
}

/* A Comext country field: a name without its bracketed note ("Germany
 * (incl. German Democratic Republic 'DD' from 1991)" → Germany, "European
 * Union - 27 countries (AT, BE, …)" → E27), or an ISO code (bulk files). */
static int comext_country(ckp_ingest *ing, ckp_field f)
{
    ckp_field n = ckp__comext_label(f, NULL);
    int id = ckp__country_any(ing, n);
    if (id < 0 && n.len != ckp__trim(f).len)
        id = ckp__country_any(ing, f);
    return id;
}

/* Is a kept row's value converted from EUR: USD = EUR / (EUR per USD) at
 * the month's average rate; 0 (rejected as no-fx-rate) when the month has
 * no rate. */
static int eur_to_usd(ckp__parser *x, ckp_flow *f, double eur)
{
    double r = ckp_fx_per_usd(x->ing->eur, f->period);
    char per[16];
    if (isnan(r))
        REJECT(x, CKP_REJ_FX,
               "no EUR rate for %s in %s: a value in EUR is never converted at a guessed rate",
               ckp_period_format(f->period, per), ckp_fx_file());
    f->value = eur / r;
    return 1;
}

/* add() for a Comext row: counts the conversion and an aggregate reporter. */
static int add_comext(ckp__parser *x, const ckp_flow *f)
{
    uint64_t before = x->st->rows_kept;
    char code[16] = "";
    if (x->hs_folded && !x->st->fold_example[0])
        ckp_field_copy(ckp__trim(ckp__field_at(x, x->c.hs)), code, sizeof code);
    ckp__add_row(x, f);
    if (x->st->rows_kept == before)
        return 0;
    x->st->fx_converted++;
    memcpy(x->st->fx_currency, "EUR", 4);
    const ckp_country *r = ckp_ref_country(x->ing->ref, f->reporter);
    if (r && r->is_aggregate)
        x->st->aggregate_rows++;
    if (code[0]) {
        char hs[8];
        snprintf(x->st->fold_example, sizeof x->st->fold_example, "%s -> %s", code,
                 ckp_hs_format(f->hs, 6, hs));
    }
    return 0;
}


/* The fields both Comext layouts share: period, reporter, partner, flow,
 * product (into f).  1 = go on, 0 = rejected. */
static int comext_key(ckp__parser *x, ckp_flow *f)
{
    const ckp__cols *c = &x->c;
    char why[300];
    f->source = x->source;
    f->value_alt = NAN;
    f->qty = NAN;
    f->unit = CKP_UNIT_NONE;
    if (c->statproc >= 0 && x->row == ckp__row_comext) {
        ckp_field sp = ckp__trim(ckp__field_at(x, c->statproc));
        if (!ckp__comext_stat_total(sp))
            REJECT(x, CKP_REJ_BREAKDOWN,
                   "STAT_PROCEDURE '%.*s' is one statistical procedure, not the total",
                   (int)sp.len, sp.ptr);
    }
    ckp_field pf = ckp__field_at(x, c->period);
    f->period = ckp__comext_period(pf);
    if (f->period < 0)
        REJECT(x, CKP_REJ_PERIOD,
               "PERIOD '%.*s' is not a month (Aug. 2024, 2024-08, 202408; a year total "
               "YYYY52 has no monthly EUR rate)",
               (int)pf.len, pf.ptr ? pf.ptr : "");
    ckp_field rf = ckp__field_at(x, c->reporter_iso), tf = ckp__field_at(x, c->partner_iso);
    f->reporter = comext_country(x->ing, rf);
    if (f->reporter < 0)
        REJECT(x, CKP_REJ_REPORTER, "reporter: %.280s",
               ckp__country_why(x->ing, ckp__comext_label(rf, NULL), why, sizeof why));
    f->partner = comext_country(x->ing, tf);
    if (f->partner < 0)
        REJECT(x, CKP_REJ_PARTNER, "partner: %.280s",
               ckp__country_why(x->ing, ckp__comext_label(tf, NULL), why, sizeof why));
    ckp_field ff = ckp__field_at(x, c->flow);
    f->flow = ckp__comext_flow(ff);
    if (!f->flow)
        REJECT(x, CKP_REJ_FLOW, "FLOW '%.*s' is not IMPORT or EXPORT (1 or 2)", (int)ff.len,
               ff.ptr ? ff.ptr : "");
    f->hs_edition = x->edition ? x->edition : cn_edition(f->period);
    ckp_field hf = ckp__comext_product(ckp__field_at(x, c->hs));
    int h = ckp__hs6(x, hf, &f->hs); /* -2: TOTAL, a chapter or a heading, kept at its level */
    if (h == -1)
        REJECT(x, CKP_REJ_HS, "product '%.*s' is not an HS or CN code", (int)hf.len,
               hf.ptr ? hf.ptr : "");
    if (ckp_hs_key_level(f->hs) == 0)
        f->hs_edition = CKP_HS_UNKNOWN; /* all products: one key across CN editions */
    return 1;
}

/* The row's value in euros: 1 = go on, 0 = rejected. */
static int comext_value(ckp__parser *x, double *eur)
{
    const char *msg;
    if (ckp__value_of(x, ckp__field_at(x, x->c.value), eur, &msg) < 0)
        REJECT(x, CKP_REJ_VALUE, "%s: %s", x->value_name, msg);
    return 1;
}

/* The web extraction: one row per line. */
int ckp__row_comext(ckp__parser *x)
{
    ckp_flow f;
    double eur;
    if (!comext_key(x, &f) || !comext_value(x, &eur) || !eur_to_usd(x, &f, eur))
        return 0;
    double kg;
    if (x->c.qty >= 0) {
        int r = ckp__num(x, ckp__field_at(x, x->c.qty), &kg);
        if (r < 0 && r != NUM_EMPTY)
            REJECT(x, CKP_REJ_QTY, "QUANTITY_IN_KG is not a number");
        if (r == NUM_OK && kg < 0)
            REJECT(x, CKP_REJ_QTY, "QUANTITY_IN_KG is negative");
        if (r == NUM_OK) {
            f.qty = kg;
            f.unit = CKP_UNIT_KG;
        }
    }
    return add_comext(x, &f);
}

/* The bulk files hold one line per CN8 code and statistical procedure: the
 * lines of one (period, reporter, partner, flow, HS6) are summed into one
 * row when the file ends (sums_flush).  A key one of whose lines is
 * rejected (a bad value or quantity) is rejected whole — a partial sum is
 * never stored — with every line it summed. */
typedef struct sument {
    int32_t period;
    int16_t reporter, partner;
    int flow, edition;
    uint32_t hs;
    double eur, kg;
    int kg_missing;          /* a line without QUANTITY_IN_KG: qty unknown */
    uint32_t line, n;        /* first line, lines summed */
    long bad_line;           /* a rejected line of this key (0 none) */
    int folded;
    char code[12];           /* the first CN8 code folded into it */
} sument;

typedef struct ckp__sums {
    sument *e;
    size_t n, cap;
    uint32_t *slot;          /* 1 + index into e, 0 empty */
    size_t nslot;
} sumtab;

#define SUM_MAX ((size_t)1 << 27) /* keys per file: 134 M (a monthly file has ~10 M lines) */

static uint64_t sum_hash(const sument *k)
{
    uint64_t h = (uint64_t)(uint32_t)k->period * 0x9E3779B97F4A7C15ull;
    h ^= ((uint64_t)(uint16_t)k->reporter << 48 | (uint64_t)(uint16_t)k->partner << 32 |
          (uint64_t)k->hs) * 0xC2B2AE3D27D4EB4Full;
    h ^= (uint64_t)k->flow * 0x165667B19E3779F9ull;
    return h ^ (h >> 29);
}

static int sum_same(const sument *a, const sument *b)
{
    return a->period == b->period && a->reporter == b->reporter && a->partner == b->partner &&
           a->flow == b->flow && a->hs == b->hs;
}

static int sum_grow(sumtab *t)
{
    size_t ns = t->nslot ? t->nslot * 2 : 4096;
    uint32_t *slot = calloc(ns, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t j = (size_t)sum_hash(&t->e[i]) & (ns - 1);
        while (slot[j])
            j = (j + 1) & (ns - 1);
        slot[j] = (uint32_t)i + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->nslot = ns;
    return 0;
}

/* The entry of k's key (added when new); NULL when out of memory or past
 * SUM_MAX keys. */
static sument *sum_find(sumtab *t, const sument *k)
{
    if ((t->n + 1) * 2 > t->nslot && sum_grow(t) < 0)
        return NULL;
    size_t j = (size_t)sum_hash(k) & (t->nslot - 1);
    while (t->slot[j]) {
        sument *e = &t->e[t->slot[j] - 1];
        if (sum_same(e, k))
            return e;
        j = (j + 1) & (t->nslot - 1);
    }
    if (CKP_ARRAY_RESERVE(t->e, t->cap, t->n + 1, SUM_MAX, "summed keys", NULL) != CKP_OK)
        return NULL;
    t->e[t->n] = *k;
    t->slot[j] = (uint32_t)(++t->n);
    return &t->e[t->n - 1];
}

struct ckp__sums *ckp__sums_new(void) { return calloc(1, sizeof(sumtab)); }

void ckp__sums_free(sumtab *t)
{
    if (!t)
        return;
    free(t->e);
    free(t->slot);
    free(t);
}

int ckp__row_comext_bulk(ckp__parser *x)
{
    ckp_flow f;
    sument k, *e;
    double eur, kg = NAN;
    if (!comext_key(x, &f))
        return 0; /* the key itself is unreadable: this line alone is rejected */
    memset(&k, 0, sizeof k);
    k.period = f.period;
    k.reporter = (int16_t)f.reporter;
    k.partner = (int16_t)f.partner;
    k.flow = f.flow;
    k.hs = f.hs;
    k.edition = f.hs_edition;
    k.line = (uint32_t)ckp__cur_line(x);
    if (x->c.netwgt >= 0) {
        int r = ckp__num(x, ckp__field_at(x, x->c.netwgt), &kg);
        if (r == NUM_EMPTY)
            kg = NAN;
        else if (r < 0 || kg < 0)
            kg = -1;
    }
    e = sum_find(x->sums, &k);
    if (!e)
        REJECT(x, CKP_REJ_FIELDS, "more keys than the summing table holds (%zu) or out of memory",
               (size_t)SUM_MAX);
    if (kg < 0) {
        if (!e->bad_line)
            e->bad_line = ckp__cur_line(x);
        REJECT(x, CKP_REJ_QTY, "%s is not a non-negative number", x->netwgt_name);
    }
    if (!comext_value(x, &eur)) {
        if (!e->bad_line)
            e->bad_line = ckp__cur_line(x);
        return 0;
    }
    if (e->bad_line) /* the key is already lost: this line goes with it */
        REJECT(x, CKP_REJ_VALUE, "another line of the same period, reporter, partner, flow and "
                                 "HS6 (line %ld) was rejected: a partial sum is not stored",
               e->bad_line);
    e->eur += eur;
    if (isnan(kg))
        e->kg_missing = 1;
    else
        e->kg += kg;
    e->n++;
    if (x->hs_folded && !e->folded) {
        e->folded = 1;
        ckp_field_copy(ckp__trim(ckp__field_at(x, x->c.hs)), e->code, sizeof e->code);
    }
    return 0;
}

/* The bulk file's sums into rows (at the end of the file). */
void ckp__sums_flush(ckp__parser *x)
{
    sumtab *t = x->sums;
    for (size_t i = 0; i < t->n; i++) {
        sument *e = &t->e[i];
        char raw[160], per[16], hs[8];
        const ckp_country *r = ckp_ref_country(x->ing->ref, e->reporter);
        const ckp_country *p = ckp_ref_country(x->ing->ref, e->partner);
        snprintf(raw, sizeof raw, "%s,%s,%s,%c,%s,%.17g EUR (%u lines)",
                 ckp_period_format(e->period, per), r ? r->iso3 : "?", p ? p->iso3 : "?",
                 e->flow, ckp_hs_key_format(e->hs, hs), e->eur, e->n);
        if (e->bad_line) {
            /* the lines summed before the bad one go too */
            if (e->n) {
                char d[200];
                snprintf(d, sizeof d, "line %ld of the same key was rejected: the %u lines "
                                      "summed before it are rejected with it",
                         e->bad_line, e->n);
                ckp__reject_row(x->st, x->rej, x->file, e->line, CKP_REJ_VALUE, d, NULL, 0, raw);
                x->st->by_reason[CKP_REJ_VALUE] += e->n - 1;
                x->st->rows_rejected += e->n - 1;
            }
            continue;
        }
        ckp_flow f;
        f.source = x->source;
        f.period = e->period;
        f.reporter = e->reporter;
        f.partner = e->partner;
        f.flow = e->flow;
        f.hs = e->hs;
        f.hs_edition = e->edition;
        f.value_alt = NAN;
        f.qty = e->kg_missing ? NAN : e->kg;
        f.unit = e->kg_missing ? CKP_UNIT_NONE : CKP_UNIT_KG;
        double rate = ckp_fx_per_usd(x->ing->eur, f.period);
        if (isnan(rate)) {
            char d[200];
            snprintf(d, sizeof d, "no EUR rate for %s in %s: a value in EUR is never converted "
                                  "at a guessed rate (%u lines)",
                     per, ckp_fx_file(), e->n);
            ckp__reject_row(x->st, x->rej, x->file, e->line, CKP_REJ_FX, d, NULL, 0, raw);
            x->st->by_reason[CKP_REJ_FX] += e->n - 1;
            x->st->rows_rejected += e->n - 1;
            continue;
        }
        f.value = e->eur / rate;
        if (!ckp__plausible(&f)) {
            char d[120];
            snprintf(d, sizeof d, "the sum of %u lines is %.6g USD, above %.0e USD for one row",
                     e->n, f.value, CKP_INGEST_MAX_VALUE);
            ckp__reject_row(x->st, x->rej, x->file, e->line, CKP_REJ_VALUE_RANGE, d, NULL, 0, raw);
            x->st->by_reason[CKP_REJ_VALUE_RANGE] += e->n - 1;
            x->st->rows_rejected += e->n - 1;
            continue;
        }
        if (!ckp__hs_known(x->ing, f.hs_edition, f.hs) && !x->ing->opts.keep_unknown_hs) {
            char d[160];
            snprintf(d, sizeof d, "HS code %s is not in the HS%d nomenclature (--keep-unknown-hs "
                                  "keeps such codes; %u lines)", hs, f.hs_edition, e->n);
            ckp__reject_row(x->st, x->rej, x->file, e->line, CKP_REJ_UNKNOWN_HS, d, NULL, 0, raw);
            x->st->by_reason[CKP_REJ_UNKNOWN_HS] += e->n - 1;
            x->st->rows_rejected += e->n - 1;
            continue;
        }
        if (!ckp__hs_known(x->ing, f.hs_edition, f.hs))
            x->st->unknown_hs_kept++;
        ckp_error err;
        if (ckp_store_writer_add_line(x->w, &f, e->line, &err) != CKP_OK) {
            ckp__reject_row(x->st, x->rej, x->file, e->line, CKP_REJ_FIELDS, err.msg, NULL, 0, raw);
            continue;
        }
        x->st->rows_kept++;
        x->st->lines_summed += e->n;
        x->st->fx_converted++;
        memcpy(x->st->fx_currency, "EUR", 4);
        if (e->folded) {
            x->st->hs_folded++;
            if (!x->st->fold_example[0])
                snprintf(x->st->fold_example, sizeof x->st->fold_example, "%s -> %s", e->code,
                         hs);
        }
        if (r && r->is_aggregate)
            x->st->aggregate_rows++;
        int level = ckp_hs_key_level(f.hs);
        if (level >= 0 && level < 6)
            x->st->aggregate_kept[level / 2]++;
    }
    t->n = 0;
    if (t->slot) /* NULL when no line reached the table */
        memset(t->slot, 0, t->nslot * sizeof *t->slot);
}

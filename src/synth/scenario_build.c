/* scenario_build.c — the scenario builder (scenario_int.h): countries,
 * products, pinned series, events and their effects, the reserved keys
 * that keep the background from blurring a scenario, and the helpers that
 * turn a scenario's tables (pin_spec, ev_spec) into pins and events. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/output.h"
#include "core/vec.h"
#include "synth/scenario_int.h"



double ckp__sb_U(sb *b, double lo, double hi)
{
    return lo + (hi - lo) * sy_u01(sy_hash(b->s->p.seed, 0x5CE, ++b->draws, 0));
}

int ckp__sb_country(sb *b, const char *iso3)
{
    int c = ckp__synth_country(b->s, iso3);
    if (c < 0 && !b->st)
        b->st = ckp_error_set(b->err, CKP_ENOTFOUND, NULL, 0, 0,
                              "synth needs country %s, which the reference data lacks "
                              "(with ISO3, Comtrade and BACI codes)",
                              iso3);
    return c;
}

int ckp__sb_product(sb *b, uint32_t hs, double price)
{
    int k = ckp__synth_product_add(b->s, hs);
    if (k < 0) {
        if (!b->st)
            b->st = ckp_error_set(b->err, CKP_ELIMIT, NULL, 0, 0,
                                  "cannot add HS code %06u", (unsigned)hs);
        return -1;
    }
    if (price > 0)
        b->s->products[k].price = price;
    return k;
}

/* The pin exp → imp in hs (created or found).  base: USD per year. */
int ckp__sb_pin(sb *b, const char *exp, const char *imp, uint32_t hs, double base)
{
    ckp_synth *s = b->s;
    int e = ckp__sb_country(b, exp), i = ckp__sb_country(b, imp), k = ckp__sb_product(b, hs, 0);
    if (b->st || e < 0 || i < 0 || k < 0)
        return -1;
    for (int q = 0; q < s->npins; q++)
        if (s->pins[q].exp == e && s->pins[q].imp == i && s->pins[q].prod == k)
            return q;
    if (s->npins >= SY_MAX_PINS) {
        b->st = ckp_error_set(b->err, CKP_ELIMIT, NULL, 0, 0, "too many pinned series");
        return -1;
    }
    sy_pin *p = &s->pins[s->npins];
    memset(p, 0, sizeof *p);
    p->exp = e;
    p->imp = i;
    p->prod = k;
    p->base = base;
    p->sigma = 0.16 + 0.06 * sy_u01(sy_hash(s->p.seed, 0x919, (uint64_t)e << 20 | (uint64_t)i, hs));
    p->trend = 0.02;
    return s->npins++;
}

/* A pin given in tonnes per month (its value follows from the price). */
int ckp__sb_pin_t(sb *b, const char *exp, const char *imp, uint32_t hs, double t_month)
{
    int k = ckp__sb_product(b, hs, 0);
    if (k < 0)
        return -1;
    return ckp__sb_pin(b, exp, imp, hs, t_month * 12 * 1000 * b->s->products[k].price);
}

int ckp__sb_event(sb *b, const char *id, const char *kind, const char *scenario)
{
    ckp_synth *s = b->s;
    if (b->st)
        return -1;
    if (s->nevents >= SY_MAX_EVENTS) {
        b->st = ckp_error_set(b->err, CKP_ELIMIT, NULL, 0, 0, "too many events");
        return -1;
    }
    sy_event *e = &s->events[s->nevents];
    memset(e, 0, sizeof *e);
    snprintf(e->id, sizeof e->id, "%s", id);
    e->kind = kind;
    e->scenario = scenario;
    snprintf(e->magnitude, sizeof e->magnitude, "{}");
    return s->nevents++;
}

sy_event *ckp__sb_ev(sb *b, int e) { return e >= 0 ? &b->s->events[e] : NULL; }

sy_effect *ckp__sb_effect(sb *b, int evn, int p, sy_effkind kind, int32_t from, int32_t to)
{
    ckp_synth *s = b->s;
    if (b->st || evn < 0 || p < 0)
        return NULL;
    if (s->neffects >= SY_MAX_EFFECTS) {
        b->st = ckp_error_set(b->err, CKP_ELIMIT, NULL, 0, 0, "too many effects");
        return NULL;
    }
    sy_effect *f = &s->effects[s->neffects++];
    memset(f, 0, sizeof *f);
    f->event = evn;
    f->pin = p;
    f->kind = kind;
    f->from = sy_month(from);
    f->to = sy_month(to);
    f->factor0 = 1;
    f->factor = 1;
    return f;
}

void ckp__sb_scale(sb *b, int evn, int p, int32_t from, int32_t to, double factor, int ramp,
                  double factor0)
{
    sy_effect *f = ckp__sb_effect(b, evn, p, SY_SCALE, from, to);
    if (!f)
        return;
    f->factor = factor;
    f->ramp = ramp;
    f->factor0 = factor0;
}

/* Tonnes per month added over from..from+n-1. */
void ckp__sb_add(sb *b, int evn, int p, int32_t from, const double *t, int n)
{
    sy_effect *f = ckp__sb_effect(b, evn, p, SY_ADD, from, from);
    if (!f)
        return;
    f->to = f->from + n - 1;
    f->add = malloc((size_t)n * sizeof *f->add);
    if (!f->add) {
        b->st = ckp_error_set(b->err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        return;
    }
    memcpy(f->add, t, (size_t)n * sizeof *t);
}

/* ---- reserved keys ------------------------------------------------------- */

/* kind 1: exp × any importer; 2: any exporter × imp; 3: exp × imp. */
static uint64_t rkey(int kind, int a, int c, uint32_t hs)
{
    return (uint64_t)kind << 58 | (uint64_t)(a + 1) << 40 | (uint64_t)(c + 1) << 22 | hs;
}

void ckp__sb_reserve(sb *b, const char *exp, const char *imp, uint32_t hs)
{
    ckp_synth *s = b->s;
    int e = exp ? ckp__sb_country(b, exp) : -1, i = imp ? ckp__sb_country(b, imp) : -1;
    int k = ckp__sb_product(b, hs, 0);
    if (b->st || k < 0)
        return;
    int kind = exp && imp ? 3 : exp ? 1 : 2;
    if (CKP_ARRAY_RESERVE(s->reserves, s->capreserves, (size_t)s->nreserves + 1, (size_t)INT_MAX,
                          "reserved keys", b->err) != CKP_OK) {
        b->st = b->err->code;
        return;
    }
    s->reserves[s->nreserves++] = rkey(kind, kind == 2 ? i : e, kind == 3 ? i : 0, hs);
    s->products[k].reserved = 1;
}

static int has_key(const ckp_synth *s, uint64_t key)
{
    int lo = 0, hi = s->nreserves - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (s->reserves[mid] == key)
            return 1;
        if (s->reserves[mid] < key)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

int ckp__synth_reserved(const ckp_synth *s, int exp, int imp, uint32_t hs)
{
    int k = hs < 1000000 ? s->prod_by_code[hs] : -1;
    if (k < 0 || !s->products[k].reserved)
        return 0;
    return has_key(s, rkey(1, exp, 0, hs)) || has_key(s, rkey(2, imp, 0, hs)) ||
           has_key(s, rkey(3, exp, imp, hs));
}

double ckp__synth_decoy_factor(const sy_country *c, int month)
{
    if (c->decoy == 1)
        return exp(log1p(c->decoy_rate) * (month - 12 * (2017 - SY_EPOCH_YEAR)) / 12.0);
    if (c->decoy == 2) {
        int d = month - c->decoy_month;
        if (d < 0)
            return 1;
        if (d < 2)
            return 1 + (c->decoy_rate - 1) * (d + 1) / 3.0;
        return c->decoy_rate;
    }
    return 1;
}

/* The pin exp → imp in hs, or -1. */
int ckp__sb_pin_find(sb *b, const char *exp, const char *imp, uint32_t hs)
{
    int e = ckp__synth_country(b->s, exp), i = ckp__synth_country(b->s, imp);
    int k = ckp__synth_product(b->s, hs);
    for (int q = 0; q < b->s->npins; q++)
        if (b->s->pins[q].exp == e && b->s->pins[q].imp == i && b->s->pins[q].prod == k)
            return q;
    return -1;
}

void ckp__sb_join_codes(char *out, size_t n, const uint32_t *codes, int k)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < k && len + 8 < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%06u", i ? "," : "", (unsigned)codes[i]);
}

/* Who issues the event's measure and whom it targets ("*": every destination). */
void ckp__sb_set_parties(sy_event *e, const char *issuer, const char *target)
{
    snprintf(e->issuer, sizeof e->issuer, "%s", issuer);
    snprintf(e->target, sizeof e->target, "%s", target);
}

void ckp__sb_set_dates(sy_event *e, const char *announced, const char *start, const char *end)
{
    snprintf(e->announced, sizeof e->announced, "%.15s", announced ? announced : "");
    snprintf(e->start, sizeof e->start, "%.15s", start ? start : "");
    snprintf(e->end, sizeof e->end, "%.15s", end ? end : "");
}

/* ---- scenarios as data ----------------------------------------------------
 * A scenario's series are tables of pins, and its events table rows: what
 * an event is, who issues it and whom it targets, its products and dates.
 * What depends on the seed (a magnitude, a description quoting a draw) is
 * written by the scenario after event_of, and the effects it injects are
 * its own. */


void ckp__sb_pins(sb *b, const pin_spec *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ckp__sb_pin(b, p[i].exp, p[i].imp, p[i].hs, p[i].base);
}

void ckp__sb_pins_t(sb *b, const pin_spec *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ckp__sb_pin_t(b, p[i].exp, p[i].imp, p[i].hs, p[i].base);
}

/* The pins p left untouched by event e (its "decoy" series: seasonality
 * and noise, no injected change). */
void ckp__sb_untouched(sb *b, int e, const pin_spec *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ckp__sb_effect(b, e, ckp__sb_pin_find(b, p[i].exp, p[i].imp, p[i].hs), SY_NONE, 190001, END_OF_TIME);
}



/* Event d of scenario sc: its index in *idx (-1 once an error is set) and
 * the event to finish, or NULL. */
sy_event *ckp__sb_event_of(sb *b, const char *sc, const ev_spec *d, int *idx)
{
    int e = ckp__sb_event(b, d->id, d->kind, sc);
    if (idx)
        *idx = e;
    if (e < 0)
        return NULL;
    sy_event *E = ckp__sb_ev(b, e);
    E->measure = d->measure;
    if (d->issuer)
        ckp__sb_set_parties(E, d->issuer, d->target ? d->target : "");
    if (d->hubs)
        snprintf(E->hubs, sizeof E->hubs, "%s", d->hubs);
    if (d->products)
        snprintf(E->products, sizeof E->products, "%s", d->products);
    else if (d->codes)
        ckp__sb_join_codes(E->products, sizeof E->products, d->codes, d->ncodes);
    ckp__sb_set_dates(E, d->announced, d->start, d->end);
    if (d->magnitude)
        snprintf(E->magnitude, sizeof E->magnitude, "%s", d->magnitude);
    if (d->description)
        snprintf(E->description, sizeof E->description, "%s", d->description);
    return E;
}

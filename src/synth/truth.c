/* truth.c — the synthetic world's ground truth as JSON Lines: one line per
 * event (what, who, which products, when, its magnitude), with the series
 * its effects changed (see synth_int.h). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/output.h"
#include "synth/synth_int.h"

static void jstr(FILE *f, const char *s) { ckp_json_write_string(f, s, strlen(s)); }

/* A comma-separated list as a JSON array of strings. */
static void jlist(FILE *f, const char *csv)
{
    fputc('[', f);
    const char *p = csv;
    int first = 1;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (!first)
            fputc(',', f);
        ckp_json_write_string(f, p, n);
        first = 0;
        p += n;
        if (*p == ',')
            p++;
    }
    fputc(']', f);
}

static void jperiod(const ckp_synth *s, FILE *f, int month)
{
    int32_t p = sy_period(month);
    if (s->p.annual)
        fprintf(f, "\"%d\"", p / 100);
    else
        fprintf(f, "\"%d-%02d\"", p / 100, p % 100);
}

/* One series entry; returns 1 when written. */
static int series(const ckp_synth *s, FILE *f, int first, const sy_effect *e, int rep, int par,
                  int flow, uint32_t hs, const char *effect_name)
{
    int from = e->from < s->m0 ? s->m0 : e->from, to = e->to > s->m1 ? s->m1 : e->to;
    if (from > to)
        return 0;
    const sy_country *rc = &s->countries[rep], *pc = &s->countries[par];
    int rf = rc->report_from > from ? rc->report_from : from;
    int rt = rc->report_to < to ? rc->report_to : to;
    fprintf(f, "%s{\"reporter\":\"%s\",\"partner\":\"%s\",\"flow\":\"%c\",\"hs\":\"%06u\","
               "\"from\":",
            first ? "" : ",", rc->c->iso3, pc->c->iso3, flow, (unsigned)hs);
    jperiod(s, f, from);
    fputs(",\"to\":", f);
    jperiod(s, f, to);
    fprintf(f, ",\"effect\":\"%s\"", effect_name);
    switch (e->kind) {
    case SY_SCALE:
        fprintf(f, ",\"factor\":%.4g", e->factor);
        if (e->ramp)
            fprintf(f, ",\"ramp_months\":%d,\"factor_start\":%.4g", e->ramp, e->factor0);
        break;
    case SY_ADD: {
        double tot = 0;
        for (int m = from; m <= to; m++)
            tot += e->add[m - e->from];
        fprintf(f, ",\"added_t\":%.3f,\"added_t_by_period\":{", tot);
        int firstp = 1;
        for (int m = from; m <= to;) {
            double t = 0;
            int m2 = m;
            if (s->p.annual)
                while (m2 <= to && m2 / 12 == m / 12)
                    t += e->add[m2++ - e->from];
            else
                t = e->add[m2++ - e->from];
            fprintf(f, "%s", firstp ? "" : ",");
            jperiod(s, f, m);
            fprintf(f, ":%.3f", t);
            firstp = 0;
            m = m2;
        }
        fputc('}', f);
        break;
    }
    case SY_RECORD:
        fprintf(f, ",\"recorded_share\":%.4g,\"unrecorded_share\":%.4g", e->factor,
                1 - e->factor);
        break;
    case SY_VALUE:
        fprintf(f, ",\"factor\":%.4g", e->factor);
        break;
    case SY_RECODE:
        fprintf(f, ",\"true_hs\":\"%06u\"", (unsigned)s->products[s->pins[e->pin].prod].hs);
        break;
    case SY_DECOY: {
        const sy_country *ce = &s->countries[s->pins[e->pin].exp];
        const sy_country *ci = &s->countries[s->pins[e->pin].imp];
        fprintf(f, ",\"country\":\"%s\"", ce->decoy ? ce->c->iso3 : ci->c->iso3);
        break;
    }
    case SY_NONE:
        break;
    }
    if (rf > rt || rc->report_from == INT_MAX) {
        fputs(",\"reported\":false", f);
    } else {
        fputs(",\"reported\":true", f);
        if (rt < to) {
            fputs(",\"reported_to\":", f);
            jperiod(s, f, rt);
        }
    }
    fputc('}', f);
    return 1;
}

static const char *eff_name(sy_effkind k)
{
    switch (k) {
    case SY_SCALE: return "scale";
    case SY_ADD: return "add";
    case SY_RECORD: return "unrecorded";
    case SY_VALUE: return "value";
    case SY_RECODE: return "recode";
    case SY_NONE: return "none";
    case SY_DECOY: return "decoy_growth";
    }
    return "none";
}

static void jdate(FILE *f, const char *name, const char *d)
{
    fprintf(f, ",\"%s\":", name);
    if (d && *d)
        jstr(f, d);
    else
        fputs("null", f);
}

/* ,"key":value — a string (null when NULL), or with list a comma-separated
 * list as an array. */
static void jfield(FILE *f, const char *key, const char *s, int list)
{
    fprintf(f, ",\"%s\":", key);
    if (list)
        jlist(f, s);
    else if (s)
        jstr(f, s);
    else
        fputs("null", f);
}

ckp_status ckp__synth_truth(ckp_synth *s, FILE *out, uint64_t *events, ckp_error *err)
{
    uint64_t n = 0;
    for (int i = 0; i < s->nevents; i++) {
        const sy_event *E = &s->events[i];
        fputs("{\"id\":", out);
        jstr(out, E->id);
        jfield(out, "kind", E->kind, 0);
        jfield(out, "scenario", E->scenario, 0);
        fputs(",\"label\":\"synthetic\"", out);
        jfield(out, "measure", E->measure, 0);
        jfield(out, "issuer", E->issuer, 0);
        jfield(out, "target", E->target, 0);
        jfield(out, "hubs", E->hubs, 1);
        jfield(out, "products", E->products, 1);
        jdate(out, "announced", E->announced);
        jdate(out, "start", E->start);
        jdate(out, "end", E->end);
        fprintf(out, ",\"seed\":%llu,\"magnitude\":%s,\"description\":",
                (unsigned long long)s->p.seed, E->magnitude);
        jstr(out, E->description);
        fputs(",\"series\":[", out);
        int first = 1;
        for (int k = 0; k < s->neffects; k++) {
            const sy_effect *e = &s->effects[k];
            if (e->event != i)
                continue;
            const sy_pin *p = &s->pins[e->pin];
            uint32_t hs = s->products[p->prod].hs;
            const char *nm = eff_name(e->kind);
            int bothsides = e->kind == SY_SCALE || e->kind == SY_ADD || e->kind == SY_NONE ||
                            e->kind == SY_DECOY;
            if (bothsides || (e->kind == SY_VALUE && e->side == 'X'))
                first &= !series(s, out, first, e, p->exp, p->imp, 'X', hs, nm);
            if (bothsides || e->kind == SY_RECORD || (e->kind == SY_VALUE && e->side == 'M'))
                first &= !series(s, out, first, e, p->imp, p->exp, 'M', hs, nm);
            if (e->kind == SY_RECODE)
                first &= !series(s, out, first, e, p->imp, p->exp, 'M', e->hs_to, nm);
        }
        fputs("]}\n", out);
        n++;
    }
    *events = n;
    if (fflush(out) != 0 || ferror(out))
        return ckp_error_set(err, CKP_EIO, NULL, 0, 0, "write failed");
    return CKP_OK;
}

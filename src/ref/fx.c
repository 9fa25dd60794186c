/* fx.c — monthly average exchange rates against the US dollar
 * (data/ref/fx/monthly.csv: Date,Country,Exchange rate; every row in units
 * of the currency per USD, see data/ref/fx/PROVENANCE.txt), for converting
 * values a source reports in another currency (Eurostat Comext: EUR). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref/ref_int.h"

#define FX_REL "ref/fx/monthly.csv"
#define FX_YEAR0 1900
#define FX_MONTHS (300 * 12)

struct ckp_fx {
    char currency[4];
    double per_usd[FX_MONTHS]; /* units of the currency per USD; 0 = no rate */
};

/* The currencies the file holds that a source may need, with the name its
 * Country column gives them, the plausible range of units per USD, and one
 * published monthly average to check the direction against (the ranges of
 * EUR per USD and USD per EUR overlap: 1.2 could be either): 2021-06, 0.830
 * EUR and 0.713 GBP per USD (Federal Reserve H.10).  A rate of that month
 * more than 5 % off means the file is quoted the other way round. */
static const struct known_currency {
    const char *code, *name;
    double lo, hi;
    int32_t anchor_period;
    double anchor;
} known[] = {
    {"EUR", "Euro", 0.5, 1.5, 202106, 0.830},
    {"GBP", "United Kingdom", 0.3, 1.2, 202106, 0.713},
};

static int month_index(int32_t period)
{
    int y = period / 100, m = period % 100;
    if (y < FX_YEAR0 || y >= FX_YEAR0 + FX_MONTHS / 12 || m < 1 || m > 12)
        return -1;
    return (y - FX_YEAR0) * 12 + (m - 1);
}

/* One currency's rows of the file: a rate per month. */
typedef struct fx_load {
    ckp_fx *fx;
    size_t k; /* index into known */
    int n;    /* rates read */
} fx_load;

static ckp_status fx_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    fx_load *fl = ctx;
    const struct known_currency *kc = &known[fl->k];
    char date[16], rate[32], *end;
    if (!ckp_field_eq(ckp_table_field(t, 1), kc->name))
        return CKP_OK;
    ckp_field_copy(ckp_table_field(t, 0), date, sizeof date);
    ckp_field_copy(ckp_table_field(t, 2), rate, sizeof rate);
    int y, m, d, used;
    int i = -1;
    if (sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10 && d == 1)
        i = month_index((int32_t)(y * 100 + m));
    double v = strtod(rate, &end);
    if (i < 0 || end == rate || *end || !isfinite(v) || v < kc->lo || v > kc->hi)
        return ckp_table_error(t, err, CKP_EPARSE,
                               "%s rate '%s' for '%s': expected YYYY-MM-01 and %g-%g %s per "
                               "USD",
                               kc->name, rate, date, kc->lo, kc->hi, kc->code);
    if (y * 100 + m == kc->anchor_period && fabs(v / kc->anchor - 1) > 0.05)
        return ckp_table_error(t, err, CKP_EPARSE,
                               "%s rate %s for %s: the published average is %.3f %s per USD "
                               "(is the file quoted in USD per %s?)",
                               kc->name, rate, date, kc->anchor, kc->code, kc->code);
    if (fl->fx->per_usd[i] != 0)
        return ckp_table_error(t, err, CKP_EPARSE, "%s rate for %s given twice", kc->name,
                               date);
    fl->fx->per_usd[i] = v;
    fl->n++;
    return CKP_OK;
}

ckp_status ckp_fx_load(const ckp_ref *ref, const char *currency, ckp_fx **out, ckp_error *err)
{
    static const char *const cols[] = {"Date", "Country", "Exchange rate", NULL};
    size_t k = 0;

    *out = NULL;
    while (k < sizeof known / sizeof known[0] && strcmp(known[k].code, currency) != 0)
        k++;
    if (k == sizeof known / sizeof known[0])
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "no exchange rates for currency '%.8s' (known: EUR, GBP)", currency);
    fx_load fl = {calloc(1, sizeof *fl.fx), k, 0};
    if (!fl.fx)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    snprintf(fl.fx->currency, sizeof fl.fx->currency, "%s", known[k].code);
    ckp_status st = ckp__ref_table(ref, FX_REL, cols, fx_row, &fl, err);
    if (st == CKP_OK && fl.n == 0) {
        char path[sizeof ref->datadir + 256];
        st = ckp__ref_path(ref, FX_REL, path, sizeof path, err);
        if (st == CKP_OK)
            st = ckp_error_set(err, CKP_EPARSE, path, 0, 0, "no %s rates", known[k].name);
    }
    if (st != CKP_OK) {
        free(fl.fx);
        return st;
    }
    *out = fl.fx;
    return CKP_OK;
}

double ckp_fx_per_usd(const ckp_fx *fx, int32_t period)
{
    int i = month_index(period);
    if (!fx || i < 0 || fx->per_usd[i] == 0)
        return NAN;
    return fx->per_usd[i];
}

const char *ckp_fx_currency(const ckp_fx *fx) { return fx ? fx->currency : ""; }

const char *ckp_fx_file(void) { return "data/" FX_REL; }

void ckp_fx_free(ckp_fx *fx) { free(fx); }

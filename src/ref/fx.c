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
static const struct {
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

ckp_status ckp_fx_load(const ckp_ref *ref, const char *currency, ckp_fx **out, ckp_error *err)
{
    ckp_csv *csv = NULL;
    int cdate, ccountry, crate, r;
    size_t k = 0;
    ckp_status st;

    *out = NULL;
    while (k < sizeof known / sizeof known[0] && strcmp(known[k].code, currency) != 0)
        k++;
    if (k == sizeof known / sizeof known[0])
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "no exchange rates for currency '%.8s' (known: EUR, GBP)", currency);
    ckp_fx *fx = calloc(1, sizeof *fx);
    if (!fx)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    snprintf(fx->currency, sizeof fx->currency, "%s", known[k].code);
    st = ckp__ref_open_table(ref, FX_REL, &csv, err, "Date", &cdate, "Country", &ccountry,
                             "Exchange rate", &crate, NULL);
    if (st != CKP_OK)
        goto out_free;
    int n = 0;
    while ((r = ckp_csv_next(csv, err)) != 0) {
        char date[16], rate[32], *end;
        if (r < 0) {
            st = err ? err->code : CKP_EPARSE;
            goto out_close;
        }
        if (!ckp_field_eq(ckp_field_trim(ckp_csv_field(csv, (size_t)ccountry)), known[k].name))
            continue;
        ckp_field_copy(ckp_field_trim(ckp_csv_field(csv, (size_t)cdate)), date, sizeof date);
        ckp_field_copy(ckp_field_trim(ckp_csv_field(csv, (size_t)crate)), rate, sizeof rate);
        int y, m, d, used;
        int i = -1;
        if (sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10 && d == 1)
            i = month_index((int32_t)(y * 100 + m));
        double v = strtod(rate, &end);
        if (i < 0 || end == rate || *end || !isfinite(v) || v < known[k].lo || v > known[k].hi) {
            st = ckp_error_set(err, CKP_EPARSE, ckp_csv_name(csv), ckp_csv_line(csv), 0,
                               "%s rate '%s' for '%s': expected YYYY-MM-01 and %g-%g %s per "
                               "USD",
                               known[k].name, rate, date, known[k].lo, known[k].hi,
                               known[k].code);
            goto out_close;
        }
        if (y * 100 + m == known[k].anchor_period &&
            fabs(v / known[k].anchor - 1) > 0.05) {
            st = ckp_error_set(err, CKP_EPARSE, ckp_csv_name(csv), ckp_csv_line(csv), 0,
                               "%s rate %s for %s: the published average is %.3f %s per USD "
                               "(is the file quoted in USD per %s?)",
                               known[k].name, rate, date, known[k].anchor, known[k].code,
                               known[k].code);
            goto out_close;
        }
        if (fx->per_usd[i] != 0) {
            st = ckp_error_set(err, CKP_EPARSE, ckp_csv_name(csv), ckp_csv_line(csv), 0,
                               "%s rate for %s given twice", known[k].name, date);
            goto out_close;
        }
        fx->per_usd[i] = v;
        n++;
    }
    if (ckp_csv_failed(csv)) {
        st = err ? err->code : CKP_EIO;
        goto out_close;
    }
    if (n == 0) {
        st = ckp_error_set(err, CKP_EPARSE, ckp_csv_name(csv), 0, 0, "no %s rates",
                           known[k].name);
        goto out_close;
    }
    ckp_csv_close(csv);
    *out = fx;
    return CKP_OK;

out_close:
    ckp_csv_close(csv);
out_free:
    free(fx);
    return st;
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

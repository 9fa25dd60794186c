/* ingest_comtradr.c — what the R package comtradr writes (ct_get_data()
 * saved with write.csv / readr::write_csv): the Comtrade+ columns with
 * their names in snake_case (ref_year, ref_month, period, reporter_code,
 * reporter_iso, partner_code, partner_iso, flow_code, cmd_code,
 * primary_value, cifvalue, fobvalue, net_wgt, qty, qty_unit_code,
 * classification_code, mot_code, customs_code, partner2_code, mos_code…).
 * Its rows are read by the Comtrade row parser (ingest.c); reporter and
 * partner come from the numeric codes when the file has them, else from
 * the ISO3 columns. */
#include <string.h>

#include "store/ingest_int.h"

int ckp__sniff_comtradr(const char *const *names, size_t n)
{
    return (ckp__header_has(names, n, "reporter_code") || ckp__header_has(names, n, "reporter_iso")) &&
           (ckp__header_has(names, n, "partner_code") || ckp__header_has(names, n, "partner_iso")) &&
           ckp__header_has(names, n, "cmd_code") && ckp__header_has(names, n, "primary_value") &&
           ckp__header_has(names, n, "flow_code");
}

const char *ckp__cols_comtradr(const ckp_csv *v, ckp__cols *c)
{
    memset(c, -1, sizeof *c);
    c->period = ckp_csv_column(v, "period");
    c->year = ckp_csv_column(v, "ref_year");
    c->month = ckp_csv_column(v, "ref_month");
    c->freq = ckp_csv_column(v, "freq_code");
    c->reporter = ckp_csv_column(v, "reporter_code");
    c->partner = ckp_csv_column(v, "partner_code");
    c->reporter_iso = ckp_csv_column(v, "reporter_iso");
    c->partner_iso = ckp_csv_column(v, "partner_iso");
    c->flow = ckp_csv_column(v, "flow_code");
    c->hs = ckp_csv_column(v, "cmd_code");
    c->value = ckp_csv_column(v, "primary_value");
    c->cif = ckp__col(v, "cifvalue", "cif_value");
    c->fob = ckp__col(v, "fobvalue", "fob_value");
    c->netwgt = ckp_csv_column(v, "net_wgt");
    c->qty = ckp_csv_column(v, "qty");
    c->qtyunit = ckp_csv_column(v, "qty_unit_code");
    c->classif = ckp_csv_column(v, "classification_code");
    c->mot = ckp_csv_column(v, "mot_code");
    c->customs = ckp_csv_column(v, "customs_code");
    c->partner2 = ckp_csv_column(v, "partner2_code");
    c->mos = ckp_csv_column(v, "mos_code");
    if (c->reporter >= 0)
        c->reporter_iso = -1; /* the numeric code decides */
    if (c->partner >= 0)
        c->partner_iso = -1;
    return c->reporter < 0 && c->reporter_iso < 0 ? "reporter_code or reporter_iso"
           : c->partner < 0 && c->partner_iso < 0 ? "partner_code or partner_iso"
           : c->flow < 0 ? "flow_code" : c->hs < 0 ? "cmd_code"
           : c->value < 0 ? "primary_value"
           : c->period < 0 && c->year < 0 ? "period or ref_year" : NULL;
}

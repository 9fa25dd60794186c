/* ingest_comtrade_legacy.c — the UN Comtrade bulk/web CSV of before 2023
 * ("Classification, Year, Period, Period Desc., Aggregate Level, Is Leaf
 * Code, Trade Flow Code, Trade Flow, Reporter Code, Reporter, Reporter ISO,
 * Partner Code, …, Commodity Code, Commodity, Qty Unit Code, Qty Unit, Qty,
 * …, Netweight (kg), Gross weight (kg), Trade Value (US$), CIF Trade Value
 * (US$), FOB Trade Value (US$), Flag"): which columns hold what.  Its rows
 * are read by the Comtrade row parser (ingest.c): numeric reporter and
 * partner codes (the same M49-based codes as Comtrade+), Period YYYY or
 * YYYYMM, Trade Flow as words (Import, Export, Re-Import, Re-Export),
 * Classification H0…H6 or HS. */
#include <string.h>

#include "store/ingest_int.h"

int ckp__sniff_comtrade_legacy(const char *const *names, size_t n)
{
    return ckp__header_has(names, n, "reportercode") && ckp__header_has(names, n, "partnercode") &&
           ckp__header_has(names, n, "commoditycode") && ckp__header_has(names, n, "tradevalue(us$)");
}

const char *ckp__cols_comtrade_legacy(const ckp_csv *v, ckp__cols *c)
{
    memset(c, -1, sizeof *c);
    c->period = ckp_csv_column(v, "Period");
    c->year = ckp_csv_column(v, "Year");
    c->reporter = ckp_csv_column(v, "Reporter Code");
    c->partner = ckp_csv_column(v, "Partner Code");
    c->flow = ckp_csv_column(v, "Trade Flow");
    c->hs = ckp_csv_column(v, "Commodity Code");
    c->value = ckp_csv_column(v, "Trade Value (US$)");
    c->cif = ckp_csv_column(v, "CIF Trade Value (US$)");
    c->fob = ckp_csv_column(v, "FOB Trade Value (US$)");
    c->netwgt = ckp_csv_column(v, "Netweight (kg)");
    c->qty = ckp_csv_column(v, "Qty");
    c->qtyunit = ckp_csv_column(v, "Qty Unit Code");
    c->classif = ckp_csv_column(v, "Classification");
    c->mot = ckp_csv_column(v, "Mode of Transport Code");
    c->partner2 = ckp_csv_column(v, "2nd Partner Code");
    return c->reporter < 0 ? "Reporter Code" : c->partner < 0 ? "Partner Code"
           : c->flow < 0 ? "Trade Flow" : c->hs < 0 ? "Commodity Code"
           : c->value < 0 ? "Trade Value (US$)"
           : c->period < 0 && c->year < 0 ? "Period or Year" : NULL;
}

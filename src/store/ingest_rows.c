/* ingest_rows.c — the row parsers of UN Comtrade (Comtrade+, legacy,
 * comtradr, the API's JSON), BACI and generic flows files: one record's
 * fields into a ckp_flow, checked and staged, or rejected with its reason
 * (see ingest_parse.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/ingest_parse.h"

/* The checks every format shares, on a parsed row: values and quantities
 * within bounds (a sum of rows must stay finite), the HS code in its
 * edition's nomenclature.  1 = go on; 0 = rejected. */
int ckp__check_row(ckp__parser *x, const ckp_flow *f)
{
    char hs[8];
    if (f->value > CKP_INGEST_MAX_VALUE)
        REJECT(x, CKP_REJ_VALUE_RANGE, "value %.6g USD is above %.0e USD for one row",
               f->value, CKP_INGEST_MAX_VALUE);
    if (!isnan(f->value_alt) && f->value_alt > CKP_INGEST_MAX_VALUE)
        REJECT(x, CKP_REJ_VALUE_RANGE, "value_alt %.6g USD is above %.0e USD for one row",
               f->value_alt, CKP_INGEST_MAX_VALUE);
    if (!isnan(f->qty) && f->qty > CKP_INGEST_MAX_QTY)
        REJECT(x, CKP_REJ_VALUE_RANGE, "quantity %.6g is above %.0e for one row", f->qty,
               CKP_INGEST_MAX_QTY);
    if (!ckp__hs_known(x->ing, f->hs_edition, f->hs)) {
        if (!x->ing->opts.keep_unknown_hs) {
            if (f->hs == 999999)
                REJECT(x, CKP_REJ_UNKNOWN_HS,
                       "HS code 999999 is Comtrade's 'commodities not specified according to "
                       "kind', not an HS6 product (--keep-unknown-hs keeps it)");
            if (f->hs_edition == CKP_HS2017 || f->hs_edition == CKP_HS2022)
                REJECT(x, CKP_REJ_UNKNOWN_HS,
                       "HS code %s is not in the HS%d nomenclature (--keep-unknown-hs keeps "
                       "such codes)",
                       ckp_hs_key_format(f->hs, hs), f->hs_edition);
            REJECT(x, CKP_REJ_UNKNOWN_HS,
                   "HS code %s has no HS chapter 01-97 and heading (--keep-unknown-hs keeps "
                   "such codes)",
                   ckp_hs_key_format(f->hs, hs));
        }
        x->st->unknown_hs_kept++;
    }
    return 1;
}

int ckp__add_row(ckp__parser *x, const ckp_flow *f)
{
    if (!ckp__check_row(x, f))
        return 0;
    ckp_error e;
    if (ckp_store_writer_add_line(x->w, f, (uint32_t)ckp__cur_line(x), &e) != CKP_OK)
        REJECT(x, CKP_REJ_FIELDS, "%.250s", e.msg);
    x->st->rows_kept++;
    if (x->hs_folded)
        x->st->hs_folded++;
    int level = ckp_hs_key_level(f->hs);
    if (level >= 0 && level < 6)
        x->st->aggregate_kept[level / 2]++;
    return 0;
}

/* The row's product as ckp__hs6 reads it (0, or -2 an aggregate kept at
 * its level); -1 when the row was rejected for it. */
static int hs_of(ckp__parser *x, uint32_t *hs)
{
    ckp_field hf = ckp__field_at(x, x->c.hs);
    int h = ckp__hs6(x, hf, hs);
    if (h == -1) {
        char d[300];
        snprintf(d, sizeof d, "'%.*s' is not an HS code", (int)hf.len, hf.ptr ? hf.ptr : "");
        ckp__reject_cur(x, CKP_REJ_HS, d);
    }
    return h;
}

/* The row's flow (CKP_FLOW_*); 0 when the row was rejected for it (what:
 * the column's name in the message). */
static int flow_of(ckp__parser *x, const char *what)
{
    ckp_field ff = ckp__field_at(x, x->c.flow);
    int flow = ckp__parse_flow(ff);
    if (!flow) {
        char d[300];
        snprintf(d, sizeof d, "%s '%.*s' is not X, M, RX or RM", what, (int)ff.len,
                 ff.ptr ? ff.ptr : "");
        ckp__reject_cur(x, CKP_REJ_FLOW, d);
    }
    return flow;
}

/* The reporter or partner (what) of a Comtrade row: from its Comtrade code
 * column code_col, else from its ISO3 or name column iso_col; -1 when the
 * row was rejected for it. */
static int comtrade_country(ckp__parser *x, int code_col, int iso_col, const char *what)
{
    ckp_reject_reason r = what[0] == 'r' ? CKP_REJ_REPORTER : CKP_REJ_PARTNER;
    ckp_field f = ckp__field_at(x, code_col >= 0 ? code_col : iso_col);
    int id = code_col >= 0 ? ckp__country_comtrade(x->ing, ckp__parse_int(f))
                           : ckp__country_any(x->ing, f);
    if (id < 0) {
        char d[300];
        snprintf(d, sizeof d,
                 code_col >= 0 ? "unknown Comtrade %s code '%.*s'" : "unknown %s '%.*s'", what,
                 (int)f.len, f.ptr ? f.ptr : "");
        ckp__reject_cur(x, r, d);
    }
    return id;
}

int ckp__row_comtrade(ckp__parser *x)
{
    const ckp__cols *c = &x->c;
    ckp_flow f;
    f.source = x->source;
    /* partial rows: keep totals only, or the data would be counted twice */
    const struct {
        int col;
        const char *name, *what;
    } parts[] = {{c->mot, "motCode", "one mode of transport (total is 0)"},
                 {c->partner2, "partner2Code", "a second-partner breakdown"},
                 {c->mos, "mosCode", "a mode-of-supply breakdown"}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        long v = parts[i].col >= 0 ? ckp__parse_int(ckp__field_at(x, parts[i].col)) : -1;
        if (v > 0)
            REJECT(x, CKP_REJ_BREAKDOWN, "%s %ld is %s", parts[i].name, v, parts[i].what);
    }
    if (c->customs >= 0) {
        ckp_field cu = ckp__trim(ckp__field_at(x, c->customs));
        if (cu.len && !ckp__ieq(cu, "C00"))
            REJECT(x, CKP_REJ_BREAKDOWN, "customsCode %.*s is one customs procedure (total is C00)",
                   (int)cu.len, cu.ptr);
    }
    /* period */
    int32_t period = -1;
    ckp_field freq = ckp__trim(ckp__field_at(x, c->freq));
    if (c->period >= 0)
        period = ckp__parse_period(ckp__field_at(x, c->period));
    if (period < 0 && c->year >= 0) {
        long y = ckp__parse_int(ckp__field_at(x, c->year));
        long m = c->month >= 0 ? ckp__parse_int(ckp__field_at(x, c->month)) : 0;
        if (y >= 1900 && y <= 2200) {
            if (m >= 1 && m <= 12 && !ckp__ieq(freq, "A"))
                period = (int32_t)(y * 100 + m);
            else if (m <= 0 || m == 52 || ckp__ieq(freq, "A"))
                period = (int32_t)(y * 100);
        }
    }
    if (period < 0) {
        ckp_field p = ckp__field_at(x, c->period >= 0 ? c->period : c->year);
        REJECT(x, CKP_REJ_PERIOD, "period '%.*s' is not YYYY or YYYYMM%s", (int)p.len,
               p.ptr ? p.ptr : "",
               c->period >= 0 && ckp__parse_period(p) == PERIOD_DATE ? " (no such month or day)" : "");
    }
    if (ckp__ieq(freq, "A"))
        period = period / 100 * 100;
    f.period = period;
    f.reporter = comtrade_country(x, c->reporter, c->reporter_iso, "reporter");
    if (f.reporter < 0)
        return 0;
    f.partner = comtrade_country(x, c->partner, c->partner_iso, "partner");
    if (f.partner < 0)
        return 0;
    f.flow = flow_of(x, "flow code");
    if (!f.flow)
        return 0;
    f.hs_edition = x->edition;
    if (c->classif >= 0) {
        ckp_field cl = ckp__field_at(x, c->classif);
        f.hs_edition = ckp__parse_edition(cl);
        if (f.hs_edition < 0)
            REJECT(x, CKP_REJ_CLASSIFICATION, "classification '%.*s' is not HS (H0-H6)",
                   (int)cl.len, cl.ptr);
    }
    if (hs_of(x, &f.hs) == -1) /* -2: TOTAL, a chapter or a heading, kept at its level */
        return 0;
    const char *msg;
    if (ckp__value_of(x, ckp__field_at(x, c->value), &f.value, &msg) < 0)
        REJECT(x, CKP_REJ_VALUE, "%s: %s", x->value_name, msg);
    /* the other valuation: CIF for exports, FOB for imports; 0 = not reported */
    f.value_alt = NAN;
    int alt_col = f.flow == CKP_FLOW_EXPORT || f.flow == CKP_FLOW_REEXPORT ? c->cif : c->fob;
    double a;
    if (alt_col >= 0 && ckp__num(x, ckp__field_at(x, alt_col), &a) == NUM_OK && a > 0)
        f.value_alt = a;
    /* quantity: net weight in kg, else the quantity in its unit; Comtrade
     * writes 0 for "not reported" */
    f.qty = NAN;
    f.unit = CKP_UNIT_NONE;
    double w = 0, q = 0;
    int rw = c->netwgt >= 0 ? ckp__num(x, ckp__field_at(x, c->netwgt), &w) : NUM_EMPTY;
    int rq = c->qty >= 0 ? ckp__num(x, ckp__field_at(x, c->qty), &q) : NUM_EMPTY;
    if (rw < 0 || (rw == NUM_OK && w < 0))
        REJECT(x, CKP_REJ_QTY, "%s is not a non-negative number%s%s", x->netwgt_name, rw < -2 ? ": " : "",
               rw < -2 ? ckp__num_msg(rw) : "");
    if (rw == NUM_OK && w > 0) {
        f.qty = w;
        f.unit = CKP_UNIT_KG;
    } else if (rq == NUM_OK && q > 0) {
        long u = c->qtyunit >= 0 ? ckp__parse_int(ckp__field_at(x, c->qtyunit)) : 8;
        f.unit = ckp__comtrade_unit(u);
        if (f.unit != CKP_UNIT_NONE)
            f.qty = q;
    }
    return ckp__add_row(x, &f);
}

int ckp__row_baci(ckp__parser *x)
{
    const ckp__cols *c = &x->c;
    ckp_flow f;
    f.source = x->source;
    f.flow = CKP_FLOW_EXPORT; /* the exporter i reports */
    f.hs_edition = x->edition;
    ckp_field tf = ckp__field_at(x, c->year);
    long t = ckp__parse_int(tf);
    if (t < 1900 || t > 2200)
        REJECT(x, CKP_REJ_PERIOD, "year '%.*s' is not YYYY", (int)tf.len, tf.ptr ? tf.ptr : "");
    f.period = (int32_t)(t * 100);
    ckp_field rf = ckp__field_at(x, c->reporter), pf = ckp__field_at(x, c->partner);
    const char *tab = x->ing->baci_table;
    f.reporter = ckp__country_baci(x->ing, ckp__parse_int(rf));
    if (f.reporter < 0)
        REJECT(x, CKP_REJ_REPORTER, "unknown BACI exporter code '%.*s'%s%s%s", (int)rf.len,
               rf.ptr ? rf.ptr : "", tab[0] ? " (not a known country in " : "", tab,
               tab[0] ? ")" : "");
    f.partner = ckp__country_baci(x->ing, ckp__parse_int(pf));
    if (f.partner < 0)
        REJECT(x, CKP_REJ_PARTNER, "unknown BACI importer code '%.*s'%s%s%s", (int)pf.len,
               pf.ptr ? pf.ptr : "", tab[0] ? " (not a known country in " : "", tab,
               tab[0] ? ")" : "");
    ckp_field hf = ckp__field_at(x, c->hs);
    int h = ckp__hs6(x, hf, &f.hs);
    if (h == -2)
        REJECT(x, CKP_REJ_HS_LEVEL, "HS code '%.*s' is not 6 digits", (int)hf.len, hf.ptr);
    if (h < 0)
        REJECT(x, CKP_REJ_HS, "'%.*s' is not an HS code", (int)hf.len, hf.ptr ? hf.ptr : "");
    const char *msg;
    if (ckp__value_of(x, ckp__field_at(x, c->value), &f.value, &msg) < 0)
        REJECT(x, CKP_REJ_VALUE, "v: %s", msg);
    f.value *= 1000; /* thousand USD → USD */
    f.value_alt = NAN;
    double q;
    int r = ckp__num(x, ckp__field_at(x, c->qty), &q);
    if (r < 0 || (r == NUM_OK && q < 0))
        REJECT(x, CKP_REJ_QTY, "q is not a non-negative number of tonnes%s%s",
               r < -2 ? ": " : "", r < -2 ? ckp__num_msg(r) : "");
    f.qty = r == NUM_OK ? q * 1000 : NAN; /* tonnes → kg */
    f.unit = r == NUM_OK ? CKP_UNIT_KG : CKP_UNIT_NONE;
    return ckp__add_row(x, &f);
}

int ckp__row_flows(ckp__parser *x)
{
    const ckp__cols *c = &x->c;
    ckp_flow f;
    f.source = x->source;
    ckp_field pf = ckp__field_at(x, c->period);
    f.period = ckp__parse_period(pf);
    if (f.period == PERIOD_DATE)
        REJECT(x, CKP_REJ_PERIOD, "period '%.*s' is not a real month or day", (int)pf.len,
               pf.ptr ? pf.ptr : "");
    if (f.period < 0)
        REJECT(x, CKP_REJ_PERIOD, "period '%.*s' is not YYYY, YYYY-MM, YYYYMM or YYYY-MM-DD",
               (int)pf.len, pf.ptr ? pf.ptr : "");
    ckp_field rf = ckp__field_at(x, c->reporter), tf = ckp__field_at(x, c->partner);
    char why[300];
    f.reporter = ckp__country_any(x->ing, rf);
    if (f.reporter < 0)
        REJECT(x, CKP_REJ_REPORTER, "reporter: %.280s", ckp__country_why(x->ing, rf, why, sizeof why));
    f.partner = ckp__country_any(x->ing, tf);
    if (f.partner < 0)
        REJECT(x, CKP_REJ_PARTNER, "partner: %.280s", ckp__country_why(x->ing, tf, why, sizeof why));
    f.flow = flow_of(x, "flow");
    if (!f.flow)
        return 0;
    f.hs_edition = x->edition;
    if (c->edition >= 0 && ckp__trim(ckp__field_at(x, c->edition)).len) {
        ckp_field ef = ckp__field_at(x, c->edition);
        f.hs_edition = ckp__parse_edition(ef);
        if (f.hs_edition < 0)
            REJECT(x, CKP_REJ_CLASSIFICATION, "HS edition '%.*s' is not known", (int)ef.len,
                   ef.ptr);
    }
    if (hs_of(x, &f.hs) == -1) /* -2: TOTAL, a chapter or a heading, kept at its level */
        return 0;
    const char *msg;
    if (ckp__value_of(x, ckp__field_at(x, c->value), &f.value, &msg) < 0)
        REJECT(x, CKP_REJ_VALUE, "%s", msg);
    f.value_alt = NAN;
    double a;
    if (c->value_alt >= 0) {
        int r = ckp__num(x, ckp__field_at(x, c->value_alt), &a);
        if (r < 0 || (r == NUM_OK && a < 0))
            REJECT(x, CKP_REJ_VALUE, "value_alt is not a non-negative number%s%s",
                   r < -2 ? ": " : "", r < -2 ? ckp__num_msg(r) : "");
        if (r == NUM_OK)
            f.value_alt = a;
    }
    double q, scale;
    int r = c->qty >= 0 ? ckp__num(x, ckp__field_at(x, c->qty), &q) : NUM_EMPTY;
    if (r < 0 || (r == NUM_OK && q < 0))
        REJECT(x, CKP_REJ_QTY, "qty is not a non-negative number%s%s", r < -2 ? ": " : "",
               r < -2 ? ckp__num_msg(r) : "");
    f.unit = ckp__flows_unit(ckp__field_at(x, c->unit), &scale);
    f.qty = r == NUM_OK ? q * scale : NAN;
    if (r != NUM_OK)
        f.unit = CKP_UNIT_NONE;
    return ckp__add_row(x, &f);
}

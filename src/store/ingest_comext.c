/* ingest_comext.c — Eurostat Comext files: which columns hold what, and
 * the fields Comext writes its own way (see ingest_int.h).
 *
 * Two layouts:
 *  - the web extraction (Easy Comext / the DS-045409 data browser):
 *    REPORTER,PARTNER,PRODUCT,FLOW,STAT_PROCEDURE,PERIOD,VALUE_IN_EUR with
 *    country *names* carrying historical notes in brackets ("Germany (incl.
 *    German Democratic Republic 'DD' from 1991)"), labels written either
 *    plain ("Total", "EXPORT") or as code-label pairs ("TOTAL-Total",
 *    "2-EXPORT", "T-Total"), and periods "Aug. 2024";
 *  - the bulk monthly files (fullYYYYMM.dat): DECLARANT,DECLARANT_ISO,
 *    PARTNER,PARTNER_ISO,TRADE_TYPE,PRODUCT_NC,…,FLOW,STAT_REGIME,SUPP_UNIT,
 *    PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG,SUP_QUANTITY, with ISO alpha-2
 *    codes, CN8 products and FLOW 1 (import) / 2 (export).
 * Values are in euros: the row parser (ingest.c) converts them to USD at
 * the month's average rate (ckp_fx).  The reporter column of the web
 * extraction mixes member states with aggregates of them (EU-27, EU, euro
 * area): those resolve to aggregate codes of the country table (E27, EUU,
 * E20, EZX) and are stored as such, never added to their members. */
#include <string.h>
#include <strings.h>

#include "store/ingest_int.h"

int ckp__sniff_comext(const char *const *names, size_t n)
{
    return ckp__header_has(names, n, "reporter") && ckp__header_has(names, n, "partner") && ckp__header_has(names, n, "product") &&
           ckp__header_has(names, n, "flow") && ckp__header_has(names, n, "period") && ckp__header_has(names, n, "value_in_eur");
}

int ckp__sniff_comext_bulk(const char *const *names, size_t n)
{
    return ckp__header_has(names, n, "product_nc") && ckp__header_has(names, n, "flow") && ckp__header_has(names, n, "period") &&
           (ckp__header_has(names, n, "value_in_euros") || ckp__header_has(names, n, "value_eur")) &&
           (ckp__header_has(names, n, "declarant_iso") || ckp__header_has(names, n, "reporter")) &&
           (ckp__header_has(names, n, "partner_iso") || ckp__header_has(names, n, "partner"));
}

const char *ckp__cols_comext(const ckp_csv *v, ckp__cols *c)
{
    memset(c, -1, sizeof *c);
    c->reporter_iso = ckp__col(v, "REPORTER", NULL);
    c->partner_iso = ckp__col(v, "PARTNER", NULL);
    c->hs = ckp__col(v, "PRODUCT", NULL);
    c->flow = ckp__col(v, "FLOW", NULL);
    c->statproc = ckp__col(v, "STAT_PROCEDURE", NULL);
    c->period = ckp__col(v, "PERIOD", NULL);
    c->value = ckp__col(v, "VALUE_IN_EUR", NULL);
    c->qty = ckp__col(v, "QUANTITY_IN_KG", NULL);
    return c->reporter_iso < 0 ? "REPORTER" : c->partner_iso < 0 ? "PARTNER"
           : c->hs < 0 ? "PRODUCT" : c->flow < 0 ? "FLOW" : c->period < 0 ? "PERIOD"
           : c->value < 0 ? "VALUE_IN_EUR" : NULL;
}

const char *ckp__cols_comext_bulk(const ckp_csv *v, ckp__cols *c)
{
    memset(c, -1, sizeof *c);
    /* DECLARANT and PARTNER of the classic files are Eurostat's numeric
     * geonomenclature (001 = France), not Comtrade codes: the _ISO columns
     * are read; the v2 files have ISO alpha-2 codes in REPORTER, PARTNER */
    c->reporter_iso = ckp__col(v, "DECLARANT_ISO", "REPORTER");
    c->partner_iso = ckp__col(v, "PARTNER_ISO", NULL);
    if (c->partner_iso < 0 && ckp_csv_column(v, "DECLARANT_ISO") < 0)
        c->partner_iso = ckp__col(v, "PARTNER", NULL);
    c->hs = ckp__col(v, "PRODUCT_NC", NULL);
    c->flow = ckp__col(v, "FLOW", NULL);
    c->statproc = ckp__col(v, "STAT_REGIME", "STAT_PROCEDURE");
    c->period = ckp__col(v, "PERIOD", NULL);
    c->value = ckp__col(v, "VALUE_IN_EUROS", "VALUE_EUR");
    c->netwgt = ckp__col(v, "QUANTITY_IN_KG", "QUANTITY_KG");
    return c->reporter_iso < 0 ? "DECLARANT_ISO (or REPORTER)"
           : c->partner_iso < 0 ? "PARTNER_ISO (or PARTNER)"
           : c->hs < 0 ? "PRODUCT_NC" : c->flow < 0 ? "FLOW" : c->period < 0 ? "PERIOD"
           : c->value < 0 ? "VALUE_IN_EUROS (or VALUE_EUR)" : NULL;
}

static ckp_field trim(ckp_field f)
{
    while (f.len && (*f.ptr == ' ' || *f.ptr == '\t'))
        f.ptr++, f.len--;
    while (f.len && (f.ptr[f.len - 1] == ' ' || f.ptr[f.len - 1] == '\t'))
        f.len--;
    return f;
}

static int digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return n > 0;
}

static int num(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

int32_t ckp__comext_period(ckp_field f)
{
    static const char *const mon[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
    static const char *const full[12] = {"january", "february", "march", "april",
                                         "may", "june", "july", "august", "september",
                                         "october", "november", "december"};
    int y, m = 0;
    f = trim(f);
    if (f.len == 6 && digits(f.ptr, 6)) {
        y = num(f.ptr, 4);
        m = num(f.ptr + 4, 2);
    } else if (f.len == 7 && digits(f.ptr, 4) && f.ptr[4] == '-' && digits(f.ptr + 5, 2)) {
        y = num(f.ptr, 4);
        m = num(f.ptr + 5, 2);
    } else {
        /* "Aug. 2024", "Aug 2024", "August 2024", "Sept. 2024" */
        size_t w = 0;
        while (w < f.len && ((f.ptr[w] | 0x20) >= 'a' && (f.ptr[w] | 0x20) <= 'z'))
            w++;
        size_t rest = w;
        if (rest < f.len && f.ptr[rest] == '.')
            rest++;
        if (w < 3 || rest >= f.len || f.ptr[rest] != ' ')
            return -1;
        while (rest < f.len && f.ptr[rest] == ' ')
            rest++;
        if (f.len - rest != 4 || !digits(f.ptr + rest, 4))
            return -1;
        y = num(f.ptr + rest, 4);
        for (int i = 0; i < 12 && !m; i++)
            if ((w == 3 && strncasecmp(f.ptr, mon[i], 3) == 0) ||
                (w == strlen(full[i]) && strncasecmp(f.ptr, full[i], w) == 0) ||
                (w == 4 && i == 8 && strncasecmp(f.ptr, "sept", 4) == 0))
                m = i + 1;
    }
    if (y < 1900 || y > 2199 || m < 1 || m > 12)
        return -1;
    return (int32_t)(y * 100 + m);
}

ckp_field ckp__comext_label(ckp_field f, ckp_field *code)
{
    f = trim(f);
    if (code) {
        code->ptr = NULL;
        code->len = 0;
        /* "2-EXPORT", "T-Total", "TOTAL-Total": a code of letters or digits
         * without spaces, a dash, a label */
        const char *dash = memchr(f.ptr ? f.ptr : "", '-', f.len);
        if (dash && dash > f.ptr && (size_t)(dash - f.ptr) + 1 < f.len &&
            !memchr(f.ptr, ' ', (size_t)(dash - f.ptr))) {
            code->ptr = f.ptr;
            code->len = (size_t)(dash - f.ptr);
            f.len -= (size_t)(dash - f.ptr) + 1;
            f.ptr = dash + 1;
        }
    }
    /* "Name (note)": the note goes */
    for (size_t i = 1; i + 1 < f.len; i++)
        if (f.ptr[i] == ' ' && f.ptr[i + 1] == '(') {
            f.len = i;
            break;
        }
    return trim(f);
}

int ckp__comext_flow(ckp_field f)
{
    ckp_field code;
    ckp_field l = ckp__comext_label(f, &code);
    if (code.len && !(ckp__ieq(code, "1") || ckp__ieq(code, "2")))
        return 0;
    if ((ckp__ieq(l, "1") && !code.len) || ckp__ieq(l, "IMPORT") || ckp__ieq(l, "IMPORTS"))
        return code.len && !ckp__ieq(code, "1") ? 0 : 'M';
    if ((ckp__ieq(l, "2") && !code.len) || ckp__ieq(l, "EXPORT") || ckp__ieq(l, "EXPORTS"))
        return code.len && !ckp__ieq(code, "2") ? 0 : 'X';
    return 0;
}

int ckp__comext_stat_total(ckp_field f)
{
    ckp_field code;
    ckp_field l = ckp__comext_label(f, &code);
    if (!l.len && !code.len)
        return 1;
    return ckp__ieq(l, "Total") && (!code.len || ckp__ieq(code, "T"));
}

ckp_field ckp__comext_product(ckp_field f)
{
    static const char total[] = "TOTAL";
    ckp_field code;
    ckp_field l = ckp__comext_label(f, &code);
    ckp_field t = {total, 5};
    if (code.len)
        return ckp__ieq(code, "TOTAL") ? t : code;
    if (ckp__ieq(l, "Total") || ckp__ieq(l, "TOTAL"))
        return t;
    return trim(f);
}

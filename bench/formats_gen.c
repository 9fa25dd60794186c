/* formats_gen.c — the same trade rows in each input format, for
 * bench_formats.sh.
 *
 *   formats_gen HS2017.csv FORMAT OUT ROWS
 *
 * FORMAT: comtrade (the Comtrade+ CSV, the existing reader's baseline),
 * legacy (the pre-2023 Comtrade CSV), comtradr (snake_case, ISO3
 * countries), json (a Comtrade+ API response), semicolon (the flows CSV
 * with ';' and decimal commas), baci (CEPII's t,i,j,k,v,q: the exporter's
 * rows, value in thousand USD, tonnes; bench_baci_zip.sh splits it into
 * year files), comext (a Eurostat Comext web extraction:
 * country names with bracketed notes, "Aug. 2021" months, EUR), comext_bulk
 * (a Comext bulk file: ISO2 codes, each HS6 as 1-4 CN8 codes to be summed,
 * FLOW 1/2, YYYYMM).  Rows are skewed (a few reporters,
 * partners and products carry most rows, as in real data), in no order,
 * and about 2 % repeat an earlier key (rejected as duplicate-key): the
 * shapes the ingest paths meet.  Real Comtrade country codes, HS2017 codes
 * from the shipped nomenclature.  Deterministic (xorshift, fixed seed). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* An index in [0, n) skewed toward 0 (the square of a uniform draw). */
static int skewed(int n)
{
    double u = (double)(next() >> 11) / 9007199254740992.0;
    return (int)(u * u * n);
}

static const struct { int code; const char *iso, *iso2, *name; } countries[] = {
    {842, "USA", "US", "United States"}, {156, "CHN", "CN", "China"},
    {276, "DEU", "DE", "Germany (incl. German Democratic Republic 'DD' from 1991)"},
    {392, "JPN", "JP", "Japan"}, {410, "KOR", "KR", "South Korea"},
    {251, "FRA", "FR", "France (incl. Saint Barthélemy 'BL' -> 2012)"},
    {826, "GBR", "GB", "United Kingdom"}, {381, "ITA", "IT", "Italy (incl. San Marino 'SM' -> 1993)"},
    {528, "NLD", "NL", "Netherlands"}, {699, "IND", "IN", "India"}, {76, "BRA", "BR", "Brazil"},
    {36, "AUS", "AU", "Australia"}, {124, "CAN", "CA", "Canada"}, {484, "MEX", "MX", "Mexico"},
    {643, "RUS", "RU", "Russian Federation (Russia)"}, {764, "THA", "TH", "Thailand"},
    {458, "MYS", "MY", "Malaysia"}, {360, "IDN", "ID", "Indonesia"}, {704, "VNM", "VN", "Viet Nam"},
    {56, "BEL", "BE", "Belgium (incl. Luxembourg 'LU' -> 1998)"}, {724, "ESP", "ES", "Spain"},
    {757, "CHE", "CH", "Switzerland"}, {752, "SWE", "SE", "Sweden"}, {616, "POL", "PL", "Poland"},
    {792, "TUR", "TR", "Türkiye"}, {710, "ZAF", "ZA", "South Africa"},
    {32, "ARG", "AR", "Argentina"}, {152, "CHL", "CL", "Chile"}, {604, "PER", "PE", "Peru"},
    {682, "SAU", "SA", "Saudi Arabia"}};
static const char *const months[12] = {"Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.",
                                        "Jul.", "Aug.", "Sep.", "Oct.", "Nov.", "Dec."};
#define NC ((int)(sizeof countries / sizeof countries[0]))

typedef struct key { int year, r, p, flow; uint32_t hs; } key;

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: formats_gen HS2017.csv comtrade|legacy|comtradr|json|semicolon|"
                        "baci|comext|comext_bulk OUT ROWS\n");
        return 2;
    }
    FILE *hf = fopen(argv[1], "r");
    if (!hf) {
        perror(argv[1]);
        return 1;
    }
    static uint32_t hs[8000];
    int nh = 0;
    char line[1024];
    while (fgets(line, sizeof line, hf) && nh < 8000) {
        char *p = strchr(line, ',');
        if (p && p[1] >= '0' && p[1] <= '9' && strspn(p + 1, "0123456789") == 6)
            hs[nh++] = (uint32_t)strtoul(p + 1, NULL, 10);
    }
    fclose(hf);
    if (nh == 0) {
        fprintf(stderr, "formats_gen: no HS6 codes in %s\n", argv[1]);
        return 1;
    }
    const char *fmt = argv[2];
    long rows = atol(argv[4]);
    FILE *o = fopen(argv[3], "w");
    if (!o) {
        perror(argv[3]);
        return 1;
    }
    int json = strcmp(fmt, "json") == 0;
    if (strcmp(fmt, "comtrade") == 0)
        fprintf(o, "typeCode,freqCode,refYear,refMonth,period,reporterCode,flowCode,"
                   "partnerCode,partner2Code,classificationCode,cmdCode,customsCode,mosCode,"
                   "motCode,qtyUnitCode,qty,netWgt,cifvalue,fobvalue,primaryValue\n");
    else if (strcmp(fmt, "legacy") == 0)
        fprintf(o, "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade "
                   "Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,"
                   "Partner,Partner ISO,2nd Partner Code,2nd Partner,2nd Partner ISO,Customs "
                   "Proc. Code,Customs,Mode of Transport Code,Mode of Transport,Commodity Code,"
                   "Commodity,Qty Unit Code,Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt "
                   "Qty,Netweight (kg),Gross weight (kg),Trade Value (US$),CIF Trade Value "
                   "(US$),FOB Trade Value (US$),Flag\n");
    else if (strcmp(fmt, "comtradr") == 0)
        fprintf(o, "freq_code,ref_year,ref_month,period,reporter_iso,flow_code,partner_iso,"
                   "classification_code,cmd_code,qty_unit_code,qty,net_wgt,cifvalue,fobvalue,"
                   "primary_value\n");
    else if (json)
        fprintf(o, "{\"elapsedTime\":\"1 secs\",\"count\":%ld,\"data\":[\n", rows);
    else if (strcmp(fmt, "semicolon") == 0)
        fprintf(o, "period;reporter;partner;flow;hs;value;qty;unit;hs_edition\n");
    else if (strcmp(fmt, "baci") == 0)
        fprintf(o, "t,i,j,k,v,q\n");
    else if (strcmp(fmt, "comext") == 0)
        fprintf(o, "REPORTER,PARTNER,PRODUCT,FLOW,STAT_PROCEDURE,PERIOD,VALUE_IN_EUR\n");
    else if (strcmp(fmt, "comext_bulk") == 0)
        fprintf(o, "DECLARANT,DECLARANT_ISO,PARTNER,PARTNER_ISO,TRADE_TYPE,PRODUCT_NC,"
                   "PRODUCT_SITC,PRODUCT_CPA2002,PRODUCT_CPA2008,PRODUCT_CPA2_1,PRODUCT_BEC,"
                   "PRODUCT_SECTION,FLOW,STAT_REGIME,SUPP_UNIT,PERIOD,VALUE_IN_EUROS,"
                   "QUANTITY_IN_KG,SUP_QUANTITY\n");
    else {
        fprintf(stderr, "formats_gen: unknown format %s\n", fmt);
        return 2;
    }
    key *seen = malloc(sizeof(key) * 4096);
    long nseen = 0;
    for (long i = 0; i < rows; i++) {
        key k;
        if (nseen > 0 && next() % 50 == 0) { /* a duplicate of a recent row */
            k = seen[next() % (uint64_t)nseen];
        } else {
            k.year = 2017 + (int)(next() % 6);
            k.r = skewed(NC);
            do
                k.p = skewed(NC);
            while (k.p == k.r);
            k.flow = (int)(next() & 1) | (fmt[0] == 'b'); /* BACI: exports only */
            /* BACI has one row per year, exporter, importer and product:
             * products drawn evenly, or most rows would repeat a key */
            k.hs = hs[fmt[0] == 'b' ? (int)(next() % (uint64_t)nh) : skewed(nh)];
            seen[nseen < 4096 ? nseen++ : (long)(next() % 4096)] = k;
        }
        unsigned long v = 100 + next() % 50000000, w = 1 + next() % 9000000;
        const char *fl = k.flow ? "X" : "M";
        int rc = countries[k.r].code, pc = countries[k.p].code;
        int month = 1 + (int)(k.hs % 12); /* Comext rows are monthly */
        switch (strcmp(fmt, "comtradr") == 0 ? 'r' : strcmp(fmt, "comext_bulk") == 0 ? 'k'
                                                   : strcmp(fmt, "comext") == 0 ? 'e' : fmt[0]) {
        case 'e': /* Comext web extraction: names, quoted when they hold a comma */
            fprintf(o, "\"%s\",\"%s\",\"%06u\",\"%s\",\"Total\",\"%s %d\",%lu\n",
                    countries[k.r].name, countries[k.p].name, k.hs, k.flow ? "EXPORT" : "IMPORT",
                    months[month - 1], k.year, v);
            break;
        case 'k': /* Comext bulk: the HS6 as a CN8 code, 1 of 4 subheadings */
            fprintf(o, "000,%s,0000,%s,E,%06u%02u,,,,,,,%d,1,,%d%02d,%lu,%lu,\n",
                    countries[k.r].iso2, countries[k.p].iso2, k.hs, (unsigned)(next() % 4) * 10,
                    k.flow ? 2 : 1, k.year, month, v, w);
            break;
        case 'c': /* comtrade */
            fprintf(o, "C,A,%d,52,%d,%d,%s,%d,0,H5,%06u,C00,0,0,8,%lu.0,%lu.0,%lu.0,0.0,%lu.0\n",
                    k.year, k.year, rc, fl, pc, k.hs, w, w, v, v);
            break;
        case 'l':
            fprintf(o, "H5,%d,%d,%d,6,1,%d,%s,%d,,,%d,,,,,,,,,,%06u,,8,kg,%lu,,,,%lu,,%lu,,,0\n",
                    k.year, k.year, k.year, k.flow ? 2 : 1, k.flow ? "Export" : "Import", rc, pc,
                    k.hs, w, w, v);
            break;
        case 'r': /* comtradr */
            fprintf(o, "A,%d,52,%d,%s,%s,%s,H5,%06u,8,%lu,%lu,NA,NA,%lu\n", k.year, k.year,
                    countries[k.r].iso, fl, countries[k.p].iso, k.hs, w, w, v);
            break;
        case 'b': /* baci: exports only (the exporter i reports); Italy is 380 */
            fprintf(o, "%d,%d,%d,%06u,%lu.%03lu,%lu.%03lu\n", k.year, rc == 381 ? 380 : rc,
                    pc == 381 ? 380 : pc, k.hs, v / 1000,
                    v % 1000, w / 1000, w % 1000);
            break;
        case 'j':
            fprintf(o, "%s{\"typeCode\":\"C\",\"freqCode\":\"A\",\"refYear\":%d,\"refMonth\":52,"
                       "\"period\":\"%d\",\"reporterCode\":%d,\"flowCode\":\"%s\","
                       "\"partnerCode\":%d,\"partner2Code\":0,\"classificationCode\":\"H5\","
                       "\"cmdCode\":\"%06u\",\"customsCode\":\"C00\",\"mosCode\":\"0\","
                       "\"motCode\":0,\"qtyUnitCode\":8,\"qty\":%lu.0,\"netWgt\":%lu.0,"
                       "\"cifvalue\":null,\"fobvalue\":null,\"primaryValue\":%lu.0}\n",
                    i ? "," : "", k.year, k.year, rc, fl, pc, k.hs, w, w, v);
            break;
        default: /* semicolon: 1.234.567,0 */
            fprintf(o, "%d;%s;%s;%s;%06u;", k.year, countries[k.r].iso, countries[k.p].iso, fl,
                    k.hs);
            if (v >= 1000000)
                fprintf(o, "%lu.%03lu.%03lu,%lu", v / 1000000, v / 1000 % 1000, v % 1000, w % 10);
            else if (v >= 1000)
                fprintf(o, "%lu.%03lu,%lu", v / 1000, v % 1000, w % 10);
            else
                fprintf(o, "%lu,%lu", v, w % 10);
            fprintf(o, ";%lu,%03lu;kg;2017\n", w / 1000, w % 1000);
        }
    }
    if (json)
        fprintf(o, "],\"error\":\"\"}\n");
    free(seen);
    return fclose(o) == 0 ? 0 : 1;
}

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
 * year files).  Rows are skewed (a few reporters,
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

static const struct { int code; const char *iso; } countries[] = {
    {842, "USA"}, {156, "CHN"}, {276, "DEU"}, {392, "JPN"}, {410, "KOR"}, {251, "FRA"},
    {826, "GBR"}, {381, "ITA"}, {528, "NLD"}, {699, "IND"}, {76, "BRA"},  {36, "AUS"},
    {124, "CAN"}, {484, "MEX"}, {643, "RUS"}, {764, "THA"}, {458, "MYS"}, {360, "IDN"},
    {704, "VNM"}, {56, "BEL"},  {724, "ESP"}, {757, "CHE"}, {752, "SWE"}, {616, "POL"},
    {792, "TUR"}, {710, "ZAF"}, {32, "ARG"},  {152, "CHL"}, {604, "PER"}, {682, "SAU"}};
#define NC ((int)(sizeof countries / sizeof countries[0]))

typedef struct key { int year, r, p, flow; uint32_t hs; } key;

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: formats_gen HS2017.csv comtrade|legacy|comtradr|json|semicolon|"
                        "baci OUT ROWS\n");
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
        switch (strcmp(fmt, "comtradr") == 0 ? 'r' : fmt[0]) {
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

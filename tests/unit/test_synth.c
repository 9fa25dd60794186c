/* test_synth.c — the synthetic world: determinism, the three formats read
 * back with the project's CSV reader, the truth file, and the injected events
 * being where the truth says (antimony ban and rerouting, Russia's
 * non-reporting, the roundabout's phantom flows, mis-invoicing, decoys),
 * and row counts following --rows. */
#include <stdlib.h>

#include "chokepoint/csv.h"
#include "chokepoint/ref.h"
#include "chokepoint/synth.h"
#include "test.h"

static ckp_ref *sy_ref(void)
{
    static ckp_ref *ref;
    if (!ref) {
        ckp_error err;
        if (ckp_ref_load(ckp_test_path("data"), &ref, &err) != CKP_OK) {
            char buf[1024];
            fprintf(stderr, "ckp_ref_load: %s\n", ckp_error_format(&err, buf, sizeof buf));
            ref = NULL;
        }
    }
    return ref;
}

/* Rows (and truth when truth != NULL) of a world into malloc'd strings. */
static int gen(const ckp_synth_params *p, char **rows, size_t *rows_len, char **truth,
               ckp_synth_stats *st)
{
    ckp_synth *s = NULL;
    ckp_error err;
    int rc = -1;
    if (ckp_synth_open(sy_ref(), p, &s, &err) != CKP_OK) {
        fprintf(stderr, "ckp_synth_open: %s\n", err.msg);
        return -1;
    }
    size_t tl;
    FILE *f = open_memstream(rows, rows_len);
    if (!f)
        goto out;
    rc = ckp_synth_write_rows(s, f, st, &err) == CKP_OK ? 0 : -1;
    fclose(f);
    if (truth) {
        f = open_memstream(truth, &tl);
        if (!f || ckp_synth_write_truth(s, f, NULL, &err) != CKP_OK)
            rc = -1;
        if (f)
            fclose(f);
    }
out:
    ckp_synth_free(s);
    return rc;
}

static void small(ckp_synth_params *p, unsigned scenarios, uint64_t rows)
{
    ckp_synth_params_init(p);
    p->scenarios = scenarios;
    p->rows = rows;
}

CKP_TEST(synth_params)
{
    unsigned b = 0;
    ckp_error err;
    ckp_synth_format f;
    CHECK_INT(ckp_synth_scenarios_parse("all", &b, &err), CKP_OK);
    CHECK_INT(b, CKP_SYNTH_ALL);
    CHECK_INT(ckp_synth_scenarios_parse("antimony-2024,decoys", &b, &err), CKP_OK);
    CHECK_INT(b, CKP_SYNTH_ANTIMONY | CKP_SYNTH_DECOYS);
    CHECK_INT(ckp_synth_scenarios_parse("none", &b, &err), CKP_OK);
    CHECK_INT(b, 0);
    CHECK_INT(ckp_synth_scenarios_parse("antimony", &b, &err), CKP_EINVAL);
    CHECK(strstr(err.msg, "antimony") != NULL);
    CHECK_INT(ckp_synth_scenarios_parse("", &b, &err), CKP_EINVAL);
    CHECK_STR(ckp_synth_scenario_name(CKP_SYNTH_RUSSIA), "russia-roundabout");
    CHECK(ckp_synth_scenario_name(3) == NULL);
    CHECK_INT(ckp_synth_format_parse("baci", &f), CKP_OK);
    CHECK_INT(f, CKP_SYNTH_BACI);
    CHECK_INT(ckp_synth_format_parse("parquet", &f), CKP_EINVAL);

    ckp_synth_params p;
    ckp_synth *s = NULL;
    REQUIRE(sy_ref());
    ckp_synth_params_init(&p);
    p.from = 202406;
    p.to = 202405;
    CHECK_INT(ckp_synth_open(sy_ref(), &p, &s, &err), CKP_EINVAL);
    ckp_synth_params_init(&p);
    p.from = 202402;
    p.to = 202411;
    p.annual = 1; /* no complete year */
    CHECK_INT(ckp_synth_open(sy_ref(), &p, &s, &err), CKP_EINVAL);
    CHECK(s == NULL);
}

CKP_TEST(synth_determinism)
{
    ckp_synth_params p;
    char *a = NULL, *b = NULL, *c = NULL, *ta = NULL, *tb = NULL;
    size_t na, nb, nc;
    REQUIRE(sy_ref());
    small(&p, CKP_SYNTH_ANTIMONY | CKP_SYNTH_DECOYS, 60000);
    p.seed = 42;
    REQUIRE(gen(&p, &a, &na, &ta, NULL) == 0);
    REQUIRE(gen(&p, &b, &nb, &tb, NULL) == 0);
    CHECK(na == nb && memcmp(a, b, na) == 0);
    CHECK(strcmp(ta, tb) == 0);
    p.seed = 43;
    REQUIRE(gen(&p, &c, &nc, NULL, NULL) == 0);
    CHECK(na != nc || memcmp(a, c, na) != 0);
    free(a);
    free(b);
    free(c);
    free(ta);
    free(tb);
}

/* Parse text as CSV: header must equal want; every row has as many fields;
 * returns the row count (or -1). */
static long parse_back(const char *buf, size_t len, const char *want_header)
{
    ckp_csv *csv;
    ckp_error err;
    char header[2048] = "";
    long rows = 0;
    if (ckp_csv_open_mem(buf, len, "synth", NULL, &csv, &err) != CKP_OK)
        return -1;
    for (size_t i = 0; i < ckp_csv_header_count(csv); i++) {
        char f[128];
        ckp_field_copy(ckp_csv_header_name(csv, i), f, sizeof f);
        strcat(header, i ? "," : "");
        strcat(header, f);
    }
    if (strcmp(header, want_header) != 0) {
        fprintf(stderr, "header: %s\n", header);
        rows = -1;
        goto out;
    }
    size_t nh = ckp_csv_header_count(csv);
    int r;
    while ((r = ckp_csv_next(csv, &err)) != 0) {
        if (r < 0 || ckp_csv_nfields(csv) != nh) {
            fprintf(stderr, "bad row at line %ld: %s\n", ckp_csv_line(csv), err.msg);
            rows = -1;
            goto out;
        }
        rows++;
    }
out:
    ckp_csv_close(csv);
    return rows;
}

CKP_TEST(synth_formats_parse_back)
{
    ckp_synth_params p;
    ckp_synth_stats st;
    char *buf = NULL;
    size_t n;
    REQUIRE(sy_ref());
    small(&p, CKP_SYNTH_MISINVOICE, 20000);

    p.format = CKP_SYNTH_FLOWS;
    REQUIRE(gen(&p, &buf, &n, NULL, &st) == 0);
    CHECK_INT(parse_back(buf, n, "period,reporter,partner,flow,hs,value,qty,unit"), st.rows);
    CHECK(strstr(buf, "\n2023-05,NGA,CHN,M,640299,") != NULL);
    free(buf);

    p.format = CKP_SYNTH_BACI;
    REQUIRE(gen(&p, &buf, &n, NULL, &st) == 0);
    CHECK_INT(parse_back(buf, n, "t,i,j,k,v,q"), st.rows);
    CHECK(strstr(buf, "\n2023,156,566,640299,") != NULL); /* CHN → NGA, BACI codes */
    CHECK(strstr(buf, "\n2025,") == NULL);                /* 2025 is incomplete */
    free(buf);

    p.format = CKP_SYNTH_COMTRADE;
    REQUIRE(gen(&p, &buf, &n, NULL, &st) == 0);
    CHECK_INT(parse_back(buf, n,
                         "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,"
                         "reporterISO,reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,"
                         "partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,"
                         "classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,"
                         "aggrLevel,isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,"
                         "qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,"
                         "altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,isNetWgtEstimated,"
                         "grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
                         "legacyEstimationFlag,isReported,isAggregate"),
              st.rows);
    /* Nigeria (566) reports imports from China (156) in May 2023 */
    CHECK(strstr(buf, "\nC,M,20230501,2023,5,202305,566,NGA,Nigeria,M,Import,156,CHN,") != NULL);
    free(buf);
}

/* ---- rows through the callback ------------------------------------------ */

typedef struct probe {
    const ckp_ref *ref;
    int rep, par;     /* country ids to match (-1 any) */
    int flow;         /* 0 any */
    uint32_t hs;      /* 0 any */
    int32_t from, to; /* periods, inclusive */
    double value, qty;
    long rows;
    long monthly;     /* matching rows with a month (YYYYMM, MM > 0) */
} probe;

static int probe_fn(const ckp_flow *r, void *ctx)
{
    probe *p = ctx;
    if ((p->rep < 0 || r->reporter == p->rep) && (p->par < 0 || r->partner == p->par) &&
        (!p->flow || r->flow == p->flow) && (!p->hs || r->hs == p->hs) && r->period >= p->from &&
        r->period <= p->to) {
        p->value += r->value;
        if (r->qty == r->qty)
            p->qty += r->qty;
        p->rows++;
        p->monthly += r->period % 100 != 0;
    }
    return 0;
}

static probe run_probe(ckp_synth *s, const char *rep, const char *par, int flow, uint32_t hs,
                       int32_t from, int32_t to)
{
    probe p = {sy_ref(), -1, -1, flow, hs, from, to, 0, 0, 0, 0};
    ckp_error err;
    if (rep)
        p.rep = ckp_ref_country_by_iso3(sy_ref(), rep);
    if (par)
        p.par = ckp_ref_country_by_iso3(sy_ref(), par);
    if (ckp_synth_each_row(s, probe_fn, &p, NULL, &err) != CKP_OK)
        p.rows = -1;
    return p;
}

static ckp_synth *open_world(unsigned scenarios, uint64_t rows, uint64_t seed)
{
    ckp_synth_params p;
    ckp_synth *s = NULL;
    ckp_error err;
    small(&p, scenarios, rows);
    p.seed = seed;
    if (ckp_synth_open(sy_ref(), &p, &s, &err) != CKP_OK)
        fprintf(stderr, "ckp_synth_open: %s\n", err.msg);
    return s;
}

CKP_TEST(synth_antimony_ban_and_rerouting)
{
    REQUIRE(sy_ref());
    for (uint64_t seed = 1; seed <= 3; seed++) {
        ckp_synth *s = open_world(CKP_SYNTH_ANTIMONY, 10000, seed);
        REQUIRE(s);
        /* China → USA in antimony: present before, a rush in September, nothing
         * from 2024-10 (stalled under licensing, then banned) */
        probe before = run_probe(s, "CHN", "USA", 'X', 282580, 202301, 202312);
        probe sep = run_probe(s, "CHN", "USA", 'X', 282580, 202409, 202409);
        probe after = run_probe(s, "CHN", "USA", 'X', 282580, 202410, 202506);
        probe after_m = run_probe(s, "USA", "CHN", 'M', 282580, 202410, 202506);
        probe ore = run_probe(s, "CHN", "USA", 'X', 261710, 202501, 202506);
        CHECK_INT(before.rows, 12);
        CHECK(before.qty > 5e6);
        CHECK(sep.qty > 1.3 * before.qty / 12);
        CHECK_INT(after.rows, 0);
        CHECK_INT(after_m.rows, 0);
        CHECK_INT(ore.rows, 0);
        /* Europe stalls too; Japan still gets licences: October and November
         * collapse, then a lower level */
        probe deu = run_probe(s, "CHN", "DEU", 'X', 282580, 202410, 202506);
        CHECK_INT(deu.rows, 0);
        probe jpn_pre = run_probe(s, "CHN", "JPN", 'X', 282580, 202401, 202407);
        probe jpn_oct = run_probe(s, "CHN", "JPN", 'X', 282580, 202410, 202410);
        probe jpn_post = run_probe(s, "CHN", "JPN", 'X', 282580, 202412, 202506);
        CHECK(jpn_oct.qty < 0.15 * jpn_pre.qty / 7);
        CHECK(jpn_post.qty > 0.15 * jpn_pre.qty); /* both 7 months */
        CHECK(jpn_post.qty < 0.7 * jpn_pre.qty);
        /* the hubs: the USA's imports from Thailand and Mexico Dec–Apr rise by
         * about 3,834 t against the same months a year earlier */
        probe tha = run_probe(s, "USA", "THA", 'M', 282580, 202412, 202504);
        probe mex = run_probe(s, "USA", "MEX", 'M', 282580, 202412, 202504);
        probe tha0 = run_probe(s, "USA", "THA", 'M', 282580, 202312, 202404);
        probe mex0 = run_probe(s, "USA", "MEX", 'M', 282580, 202312, 202404);
        double extra_t = (tha.qty + mex.qty - tha0.qty - mex0.qty) / 1000;
        CHECK(extra_t > 3834 * 0.85 && extra_t < 3834 * 1.15);
        CHECK(tha.qty > 10 * tha0.qty);
        CHECK(mex.qty > 3 * mex0.qty);
        /* China → hub rises too, ahead of hub → USA */
        probe cth = run_probe(s, "CHN", "THA", 'X', 282580, 202411, 202503);
        probe cth0 = run_probe(s, "CHN", "THA", 'X', 282580, 202311, 202403);
        CHECK(cth.qty > 5 * cth0.qty);
        ckp_synth_free(s);
    }
}

/* China's share of Russia's imports in 2023, as the partners report their
 * exports (Russia reports nothing): about 90 % of microelectronics, about
 * 70 % of machine tools, the published figures the scenario is set to. */
static double china_share_2023(ckp_synth *s, const uint32_t *codes, int n)
{
    double chn = 0, all = 0;
    for (int k = 0; k < n; k++) {
        chn += run_probe(s, "CHN", "RUS", 'X', codes[k], 202301, 202312).value;
        all += run_probe(s, NULL, "RUS", 'X', codes[k], 202301, 202312).value;
    }
    return all > 0 ? chn / all : 0;
}

CKP_TEST(synth_russia_china_shares)
{
    REQUIRE(sy_ref());
    static const uint32_t chips[] = {854231, 854232, 854239}, tools[] = {845710, 845811};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        ckp_synth *s = open_world(CKP_SYNTH_RUSSIA, 10000, seed);
        REQUIRE(s);
        double c = china_share_2023(s, chips, 3), t = china_share_2023(s, tools, 2);
        if (getenv("CKP_TEST_VERBOSE"))
            fprintf(stderr, "  seed %d: China %.3f of chips, %.3f of machine tools\n",
                    (int)seed, c, t);
        CHECK(c > 0.84 && c < 0.94);
        CHECK(t > 0.60 && t < 0.78);
        /* before the war China was a minor supplier */
        double c21 = 0, a21 = 0;
        for (int k = 0; k < 3; k++) {
            c21 += run_probe(s, "CHN", "RUS", 'X', chips[k], 202101, 202112).value;
            a21 += run_probe(s, NULL, "RUS", 'X', chips[k], 202101, 202112).value;
        }
        CHECK(a21 > 0 && c21 / a21 < 0.25);
        ckp_synth_free(s);
    }
}

CKP_TEST(synth_russia_nonreporting_and_roundabout)
{
    REQUIRE(sy_ref());
    ckp_synth *s = open_world(CKP_SYNTH_RUSSIA | CKP_SYNTH_DECOYS, 10000, 5);
    REQUIRE(s);
    probe rus_after = run_probe(s, "RUS", NULL, 0, 0, 202201, 209912);
    probe rus_before = run_probe(s, "RUS", NULL, 0, 0, 201701, 202112);
    probe mirror = run_probe(s, NULL, "RUS", 'X', 0, 202201, 209912);
    CHECK_INT(rus_after.rows, 0);
    CHECK(rus_before.rows > 1000);
    CHECK(mirror.rows > 1000);
    /* EU → Russia collapses; EU → Kyrgyzstan and Kyrgyzstan → Russia surge */
    probe d0 = run_probe(s, "DEU", "RUS", 'X', 854231, 202101, 202112);
    probe d1 = run_probe(s, "DEU", "RUS", 'X', 854231, 202301, 202312);
    probe k0 = run_probe(s, "DEU", "KGZ", 'X', 854231, 202101, 202112);
    probe k1 = run_probe(s, "DEU", "KGZ", 'X', 854231, 202301, 202312);
    probe km1 = run_probe(s, "KGZ", "DEU", 'M', 854231, 202301, 202312);
    probe kr0 = run_probe(s, "KGZ", "RUS", 'X', 854231, 202101, 202112);
    probe kr1 = run_probe(s, "KGZ", "RUS", 'X', 854231, 202301, 202312);
    CHECK(d1.value < 0.1 * d0.value);
    CHECK(k1.value > 4 * k0.value);
    CHECK(kr1.value > 8 * kr0.value);
    /* phantom: Kyrgyzstan records well under what Germany exports to it */
    CHECK(km1.value < 0.75 * k1.value);
    /* the decoy hub grows as much in bakery as in chips */
    probe u0 = run_probe(s, "UZB", "RUS", 'X', 854231, 202101, 202112);
    probe u1 = run_probe(s, "UZB", "RUS", 'X', 854231, 202301, 202312);
    probe b0 = run_probe(s, "UZB", "RUS", 'X', 190590, 202101, 202112);
    probe b1 = run_probe(s, "UZB", "RUS", 'X', 190590, 202301, 202312);
    double gchip = u1.value / u0.value, gbread = b1.value / b0.value;
    CHECK(gchip > 1.5 && gbread > 1.5);
    CHECK(gchip / gbread > 0.6 && gchip / gbread < 1.6);
    ckp_synth_free(s);
}

CKP_TEST(synth_misinvoicing_present)
{
    REQUIRE(sy_ref());
    ckp_synth *s = open_world(CKP_SYNTH_MISINVOICE, 10000, 9);
    REQUIRE(s);
    /* under-invoicing by Nigeria's customs: its unit value ≪ China's */
    probe x = run_probe(s, "CHN", "NGA", 'X', 640299, 202304, 202311);
    probe m = run_probe(s, "NGA", "CHN", 'M', 640299, 202304, 202311);
    probe x0 = run_probe(s, "CHN", "NGA", 'X', 640299, 202201, 202212);
    probe m0 = run_probe(s, "NGA", "CHN", 'M', 640299, 202201, 202212);
    double r = (m.value / m.qty) / (x.value / x.qty);
    double r0 = (m0.value / m0.qty) / (x0.value / x0.qty);
    CHECK(r > 0.08 && r < 0.4);
    CHECK(r0 > 0.8 && r0 < 1.3);
    /* misclassification: Indonesia declares chips as plastic articles */
    probe decl = run_probe(s, "IDN", "CHN", 'M', 392690, 202301, 202312);
    probe chip = run_probe(s, "IDN", "CHN", 'M', 854231, 202301, 202312);
    probe decl0 = run_probe(s, "IDN", "CHN", 'M', 392690, 202201, 202212);
    CHECK_INT(decl.rows, 12);
    CHECK_INT(chip.rows, 0);
    CHECK_INT(decl0.rows, 0);
    CHECK(decl.value / decl.qty > 300); /* a chip's unit value, not a plastic's */
    ckp_synth_free(s);
}

CKP_TEST(synth_truth_lists_every_scenario)
{
    ckp_synth_params p;
    char *rows = NULL, *truth = NULL;
    size_t n;
    REQUIRE(sy_ref());
    small(&p, CKP_SYNTH_ALL, 10000);
    REQUIRE(gen(&p, &rows, &n, &truth, NULL) == 0);
    static const char *const want[] = {
        "\"id\":\"antimony-2024/ban\"",       "\"id\":\"antimony-2024/licence\"",
        "\"id\":\"antimony-2024/diversion\"", "\"id\":\"antimony-2024/untouched\"",
        "\"id\":\"gallium-2023/licence\"",    "\"id\":\"gallium-2023/diversion\"",
        "\"id\":\"russia-roundabout/diversion\"", "\"id\":\"russia-roundabout/phantom\"",
        "\"kind\":\"misinvoicing\"",          "\"id\":\"decoys/vnm-grows-in-everything\"",
        "\"id\":\"world/nonreporting-rus\"",   "\"hubs\":[\"THA\",\"MEX\"]",
        "\"total_t\":3834",                    "\"label\":\"synthetic\""};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(truth, want[i]))
            ckp_test_fail(t_, __FILE__, __LINE__, "truth lacks %s", want[i]);
    /* the ban's series are exactly China → USA (X) and USA ← China (M) */
    const char *ban = strstr(truth, "\"id\":\"antimony-2024/ban\"");
    REQUIRE(ban);
    const char *eol = strchr(ban, '\n');
    REQUIRE(eol);
    char line[8192];
    size_t len = (size_t)(eol - ban) < sizeof line - 1 ? (size_t)(eol - ban) : sizeof line - 1;
    memcpy(line, ban, len);
    line[len] = '\0';
    CHECK(strstr(line, "{\"reporter\":\"CHN\",\"partner\":\"USA\",\"flow\":\"X\","
                       "\"hs\":\"282580\",\"from\":\"2024-12\",\"to\":\"2025-06\","
                       "\"effect\":\"scale\",\"factor\":0") != NULL);
    CHECK(strstr(line, "{\"reporter\":\"USA\",\"partner\":\"CHN\",\"flow\":\"M\"") != NULL);
    /* Russia's import series carry reported:false */
    CHECK(strstr(truth, "{\"reporter\":\"RUS\",\"partner\":\"DEU\",\"flow\":\"M\","
                        "\"hs\":\"854231\",\"from\":\"2022-03\",\"to\":\"2025-06\","
                        "\"effect\":\"scale\",\"factor\":") != NULL);
    CHECK(strstr(truth, "\"reported\":false") != NULL);
    /* one line per event, every line an object */
    long lines = 0;
    for (const char *q = truth; *q; q = strchr(q, '\n') + 1) {
        CHECK(strncmp(q, "{\"id\":", 6) == 0);
        lines++;
        if (!strchr(q, '\n'))
            break;
    }
    CHECK(lines >= 25);
    free(rows);
    free(truth);
}

/* Every code the scenarios name exists in HS2022; the Russia codes are CHPL. */
CKP_TEST(synth_codes_are_real)
{
    ckp_synth_params p;
    char *rows = NULL, *truth = NULL;
    size_t n;
    REQUIRE(sy_ref());
    small(&p, CKP_SYNTH_ALL, 10000);
    REQUIRE(gen(&p, &rows, &n, &truth, NULL) == 0);
    int checked = 0;
    for (const char *q = strstr(truth, "\"hs\":\""); q; q = strstr(q + 1, "\"hs\":\"")) {
        uint32_t code;
        int level;
        REQUIRE(ckp_hs_parse(q + 6, 6, &code, &level) == 0);
        if (!ckp_ref_hs(sy_ref(), CKP_HS2022, code, 6))
            ckp_test_fail(t_, __FILE__, __LINE__, "%.6s is not an HS2022 code", q + 6);
        checked++;
    }
    CHECK(checked > 100);
    /* CHPL list as shipped */
    FILE *f = fopen(ckp_test_path("data/controls/chpl/chpl_hs6_tiers.csv"), "r");
    REQUIRE(f);
    char chpl[8192] = "";
    size_t k = fread(chpl, 1, sizeof chpl - 1, f);
    chpl[k] = '\0';
    fclose(f);
    const char *ru = strstr(truth, "\"id\":\"russia-roundabout/diversion\"");
    REQUIRE(ru);
    const char *pr = strstr(ru, "\"products\":[");
    REQUIRE(pr);
    int nru = 0;
    for (const char *q = pr + 12; *q == '"'; q += 9) {
        char code[8];
        memcpy(code, q + 1, 6);
        code[6] = '\0';
        char needle[10];
        snprintf(needle, sizeof needle, "\n%s,", code);
        if (!strstr(chpl, needle))
            ckp_test_fail(t_, __FILE__, __LINE__, "%s is not in the CHPL", code);
        nru++;
        if (q[8] != ',')
            break;
    }
    CHECK(nru >= 10);
    free(rows);
    free(truth);
}

CKP_TEST(synth_rows_scale)
{
    ckp_synth_params p;
    ckp_synth_stats a, b;
    char *buf = NULL;
    size_t n;
    REQUIRE(sy_ref());
    small(&p, 0, 30000);
    REQUIRE(gen(&p, &buf, &n, NULL, &a) == 0);
    free(buf);
    small(&p, 0, 300000);
    REQUIRE(gen(&p, &buf, &n, NULL, &b) == 0);
    free(buf);
    CHECK(a.rows > 30000 * 0.85 && a.rows < 30000 * 1.15);
    CHECK(b.rows > 300000 * 0.85 && b.rows < 300000 * 1.15);
    CHECK_INT(a.pinned, 0);
    /* with scenarios, the pinned series come on top of nothing less */
    small(&p, CKP_SYNTH_ALL, 10000);
    REQUIRE(gen(&p, &buf, &n, NULL, &a) == 0);
    free(buf);
    CHECK(a.pinned > 500);
    CHECK(a.rows > 100000);
    /* BACI: one row per link and year */
    small(&p, 0, 50000);
    p.format = CKP_SYNTH_BACI;
    REQUIRE(gen(&p, &buf, &n, NULL, &a) == 0);
    free(buf);
    CHECK(a.rows > 50000 * 0.85 && a.rows < 50000 * 1.15);
}

CKP_TEST(synth_annual)
{
    ckp_synth_params p;
    REQUIRE(sy_ref());
    small(&p, CKP_SYNTH_ANTIMONY, 10000);
    p.annual = 1;
    ckp_synth *s = NULL;
    ckp_error err;
    REQUIRE(ckp_synth_open(sy_ref(), &p, &s, &err) == CKP_OK);
    probe all = run_probe(s, NULL, NULL, 0, 0, 0, 999999);
    probe yrs = run_probe(s, NULL, NULL, 0, 0, 201700, 202400);
    CHECK(all.rows > 1000);
    CHECK_INT(yrs.rows, all.rows); /* only 2017 … 2024 */
    CHECK_INT(all.monthly, 0);     /* all as YYYY00 */
    /* annual China → USA 282580 in 2023 ≈ 12 months of the monthly world */
    probe y = run_probe(s, "CHN", "USA", 'X', 282580, 202300, 202300);
    ckp_synth_free(s);
    s = open_world(CKP_SYNTH_ANTIMONY, 10000, 1);
    REQUIRE(s);
    probe m = run_probe(s, "CHN", "USA", 'X', 282580, 202301, 202312);
    CHECK_INT(y.rows, 1);
    CHECK_NEAR(y.value / m.value, 1, 1e-6);
    ckp_synth_free(s);
}

/* One row per key: (period, reporter, partner, flow, hs) never repeats, with
 * misattribution and misclassification moving value between keys. */
typedef struct keys {
    uint64_t *k;
    size_t n, cap;
    long alt;        /* import rows with a FOB value beside the CIF */
    long alt_bad;    /* … on an export row, or from a country that gives none */
} keys;

static int key_fn(const ckp_flow *r, void *ctx)
{
    keys *k = ctx;
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 1 << 16;
        uint64_t *n = realloc(k->k, k->cap * sizeof *n);
        if (!n)
            return 1;
        k->k = n;
    }
    uint64_t p = (uint64_t)((r->period / 100 - 1990) * 13 + r->period % 100);
    k->k[k->n++] = p << 53 | (uint64_t)r->reporter << 42 | (uint64_t)r->partner << 31 |
                   (uint64_t)(r->flow == 'M') << 30 | r->hs;
    if (r->value_alt == r->value_alt) {
        const ckp_country *c = ckp_ref_country(sy_ref(), r->reporter);
        int fob_reporter = c && (strcmp(c->iso3, "USA") == 0 || strcmp(c->iso3, "CAN") == 0 ||
                                 strcmp(c->iso3, "AUS") == 0);
        k->alt++;
        k->alt_bad += r->flow != 'M' || !fob_reporter;
    }
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

CKP_TEST(synth_one_row_per_key)
{
    REQUIRE(sy_ref());
    for (int f = 0; f < 2; f++) {
        ckp_synth_params p;
        ckp_synth *s = NULL;
        ckp_error err;
        keys k = {NULL, 0, 0, 0, 0};
        small(&p, CKP_SYNTH_ALL, 400000);
        p.format = f ? CKP_SYNTH_BACI : CKP_SYNTH_FLOWS;
        REQUIRE(ckp_synth_open(sy_ref(), &p, &s, &err) == CKP_OK);
        CHECK_INT(ckp_synth_each_row(s, key_fn, &k, NULL, &err), CKP_OK);
        qsort(k.k, k.n, sizeof *k.k, cmp_key);
        size_t dup = 0;
        for (size_t i = 1; i < k.n; i++)
            dup += k.k[i] == k.k[i - 1];
        CHECK(k.n > 100000);
        CHECK_INT(dup, 0);
        if (!f)
            CHECK(k.alt > 1000); /* the USA, Canada, Australia give FOB for imports */
        CHECK_INT(k.alt_bad, 0);
        free(k.k);
        ckp_synth_free(s);
    }
}

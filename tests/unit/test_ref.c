/* test_ref.c — reference data: countries, names and aliases, aggregates, HS
 * nomenclature and concordance, groups and HS sets, periods and dates.
 * Real data from data/ (and ../shared/data for the files names come from);
 * synthetic data directories in the tmp dir where the ground truth must be
 * known exactly. */
#include <stdlib.h>
#include <sys/stat.h>

#include "chokepoint/csv.h"
#include "chokepoint/ref.h"
#include "test.h"

/* One loaded ref for the read-only tests (reachable until exit). */
static ckp_ref *shared_ref(void)
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

static const char *iso3_of(const ckp_ref *ref, int id)
{
    const ckp_country *c = ckp_ref_country(ref, id);
    return c ? c->iso3 : "(none)";
}

static const char *find1(const ckp_ref *ref, const char *q)
{
    int ids[4];
    return ckp_ref_country_find(ref, q, ids, 4) > 0 ? iso3_of(ref, ids[0]) : "(none)";
}

static const char *arg1(const ckp_ref *ref, const char *q)
{
    int id;
    ckp_error err;
    return ckp_ref_country_arg(ref, q, &id, &err) == CKP_OK ? iso3_of(ref, id) : "(error)";
}

/* ---- load ---------------------------------------------------------------- */

CKP_TEST(ref_load_missing_dir)
{
    ckp_ref *ref = NULL;
    ckp_error err;
    CHECK_INT(ckp_ref_load("/nonexistent/chokepoint-data", &ref, &err), CKP_ENOTFOUND);
    CHECK(ref == NULL);
    CHECK(strstr(err.msg, "/nonexistent/chokepoint-data") != NULL);
}

/* A reference table without a column it needs: the load fails, naming the
 * file and the column (and leaks nothing: ASan). */
CKP_TEST(ref_load_missing_column)
{
    char dir[1100], cmd[8192], path[1200];
    snprintf(dir, sizeof dir, "%s/ref-nocol", ckp_test_tmpdir());
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cp -r '%s' '%s' '%s'", dir, dir,
             ckp_test_path("data/ref"), ckp_test_path("data/controls"), dir);
    REQUIRE(system(cmd) == 0);
    snprintf(path, sizeof path, "%s/ref/hs/sections.csv", dir);
    FILE *f = fopen(path, "wb");
    REQUIRE(f);
    fputs("sektion,name\nI,Live animals\n", f);
    fclose(f);
    ckp_ref *ref = NULL;
    ckp_error err;
    CHECK_INT(ckp_ref_load(dir, &ref, &err), CKP_EPARSE);
    CHECK(ref == NULL);
    CHECK(strstr(err.file, "sections.csv") != NULL);
    CHECK(strstr(err.msg, "no column \"section\"") != NULL);
}

CKP_TEST(ref_data_dir)
{
    const char *d = ckp_data_dir();
    REQUIRE(d != NULL);
    CHECK(d[0] != '\0');
    CHECK(ckp_data_dir() == d); /* static, computed once */
}

CKP_TEST(ref_load_counts)
{
    ckp_ref *ref = shared_ref();
    REQUIRE(ref);
    /* 249 ISO countries + the aggregates and historical areas of areas.csv */
    CHECK(ckp_ref_country_count(ref) > 249);
    CHECK(ckp_ref_country_count(ref) < 400);
    CHECK(ckp_ref_group_count(ref) >= 20);
    CHECK(ckp_ref_country(ref, -1) == NULL);
    CHECK(ckp_ref_country(ref, ckp_ref_country_count(ref)) == NULL);
}

/* ---- country codes ------------------------------------------------------- */

CKP_TEST(ref_country_codes)
{
    ckp_ref *ref = shared_ref();
    const ckp_country *c;
    REQUIRE(ref);
    c = ckp_ref_country(ref, ckp_ref_country_by_iso3(ref, "USA"));
    REQUIRE(c);
    CHECK_STR(c->iso2, "US");
    CHECK_INT(c->iso_num, 840);
    CHECK_INT(c->m49, 840);
    CHECK_INT(c->comtrade, 842);
    CHECK_INT(c->baci, 842);
    CHECK_STR(c->name, "United States of America");
    CHECK(c->name_ru && strstr(c->name_ru, "Соединенные Штаты") != NULL);
    CHECK(c->name_zh && strstr(c->name_zh, "美利坚合众国") != NULL);
    CHECK_INT(c->is_aggregate, 0);
    CHECK_STR(c->kind, "country");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_iso2(ref, "US")), "USA");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_iso3(ref, "usa")), "USA");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_isonum(ref, 840)), "USA");
    /* Comtrade's own codes */
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_comtrade(ref, 842)), "USA");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_comtrade(ref, 251)), "FRA");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_comtrade(ref, 757)), "CHE");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_comtrade(ref, 699)), "IND");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_comtrade(ref, 579)), "NOR");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_comtrade(ref, 490)), "TWN");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_comtrade(ref, 158)), "TWN");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_comtrade(ref, 156)), "CHN");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_comtrade(ref, 643)), "RUS");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_comtrade(ref, 356)), "IND"); /* excl. Sikkim */
    CHECK_INT(ckp_ref_country(ref, ckp_ref_country_by_iso3(ref, "FRA"))->comtrade, 251);
    CHECK_INT(ckp_ref_country(ref, ckp_ref_country_by_iso3(ref, "CHE"))->comtrade, 757);
    CHECK_INT(ckp_ref_country(ref, ckp_ref_country_by_iso3(ref, "IND"))->comtrade, 699);
    CHECK_INT(ckp_ref_country(ref, ckp_ref_country_by_iso3(ref, "NOR"))->comtrade, 579);
    /* BACI */
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_baci(ref, 251)), "FRA");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_baci(ref, 490)), "TWN"); /* "S19" in BACI */
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_baci(ref, 280)), "DEU");
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_baci(ref, 58)), "BEL");
    CHECK_INT(ckp_ref_country(ref, ckp_ref_country_by_iso3(ref, "DEU"))->baci, 276);
    /* unknown */
    CHECK_INT(ckp_ref_country_by_iso3(ref, "QQQ"), -1);
    CHECK_INT(ckp_ref_country_by_iso3(ref, "US"), -1);
    CHECK_INT(ckp_ref_country_by_iso2(ref, "USA"), -1);
    CHECK_INT(ckp_ref_country_by_comtrade(ref, 1000), -1);
    CHECK_INT(ckp_ref_country_by_comtrade(ref, -5), -1);
    CHECK_INT(ckp_ref_country_by_baci(ref, 999), -1);
}

CKP_TEST(ref_country_taiwan)
{
    ckp_ref *ref = shared_ref();
    const ckp_country *c;
    REQUIRE(ref);
    c = ckp_ref_country(ref, ckp_ref_country_by_iso3(ref, "TWN"));
    REQUIRE(c);
    CHECK_STR(c->iso2, "TW");
    CHECK_INT(c->iso_num, 158);
    CHECK_INT(c->comtrade, 490);
    CHECK_INT(c->baci, 490);
    CHECK_INT(c->is_aggregate, 0);
    CHECK_STR(find1(ref, "490"), "TWN");
    CHECK_STR(find1(ref, "158"), "TWN");
    CHECK_STR(find1(ref, "Other Asia, nes"), "TWN");
    CHECK_STR(find1(ref, "S19"), "TWN");
    CHECK_STR(find1(ref, "Chinese Taipei"), "TWN");
}

CKP_TEST(ref_country_aggregates)
{
    ckp_ref *ref = shared_ref();
    const ckp_country *c;
    static const struct {
        int comtrade;
        const char *code, *kind;
    } agg[] = {{0, "WLD", "world"},      {899, "XAN", "special"}, {837, "XBU", "special"},
               {838, "XFZ", "special"},  {839, "XSC", "special"}, {810, "SUN", "historical"},
               {890, "YUG", "historical"}, {200, "CSK", "historical"}, {492, "XEU", "region"},
               {697, "R20", "region"},   {527, "XOC", "region"},  {58, "BLX", "historical"}};
    REQUIRE(ref);
    for (size_t i = 0; i < sizeof agg / sizeof *agg; i++) {
        c = ckp_ref_country(ref, ckp_ref_country_by_comtrade(ref, agg[i].comtrade));
        REQUIRE(c);
        CHECK_STR(c->iso3, agg[i].code);
        CHECK_STR(c->kind, agg[i].kind);
        CHECK_INT(c->is_aggregate, 1);
        CHECK_INT(c->iso_num, -1);
        CHECK_STR(iso3_of(ref, ckp_ref_country_by_iso3(ref, agg[i].code)), agg[i].code);
    }
    c = ckp_ref_country(ref, ckp_ref_country_by_iso3(ref, "WLD"));
    REQUIRE(c);
    CHECK_STR(c->name, "World");
    CHECK_INT(c->m49, 1);
    CHECK_INT(c->comtrade, 0);
    CHECK_STR(find1(ref, "World"), "WLD");
    CHECK_STR(find1(ref, "0"), "WLD");
    CHECK_STR(find1(ref, "Fmr USSR"), "SUN");
    CHECK_STR(find1(ref, "Bunkers"), "XBU");
    CHECK_STR(find1(ref, "Free Zones"), "XFZ");
    CHECK_STR(find1(ref, "Areas, nes"), "XAN");
    /* 492 is "Europe EU, nes" in Comtrade but Monaco in ISO: both kept apart */
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_isonum(ref, 492)), "MCO");
    CHECK_INT(ckp_ref_country(ref, ckp_ref_country_by_iso3(ref, "MCO"))->comtrade, -1);
    CHECK_INT(ckp_ref_country(ref, ckp_ref_country_by_iso3(ref, "MCO"))->is_aggregate, 0);
    /* No ISO country is an aggregate; every aggregate has a 3-character code. */
    for (int i = 0; i < ckp_ref_country_count(ref); i++) {
        c = ckp_ref_country(ref, i);
        CHECK_INT(strlen(c->iso3), 3);
        CHECK(c->name && c->name[0]);
        if (c->iso_num >= 0)
            CHECK_INT(c->is_aggregate, 0);
        if (c->is_aggregate)
            CHECK(strcmp(c->kind, "country") != 0);
    }
}

/* Every code in Comtrade's partner and reporter lists and in BACI's table
 * resolves, and the name each file gives resolves to the same record. */
static void check_code_file(ckp_test_ctx *t_, const ckp_ref *ref, const char *rel,
                            const char *codecol, const char *namecol, int baci)
{
    ckp_csv *csv;
    ckp_error err;
    int n = 0;
    REQUIRE(ckp_csv_open(ckp_test_path(rel), NULL, &csv, &err) == CKP_OK);
    int cc = ckp_csv_column(csv, codecol), cn = ckp_csv_column(csv, namecol);
    REQUIRE(cc >= 0 && cn >= 0);
    while (ckp_csv_next(csv, &err) == 1) {
        char code[16], name[256];
        int id, ids[8], k, v;
        ckp_field_copy(ckp_csv_field(csv, (size_t)cc), code, sizeof code);
        ckp_field_copy(ckp_csv_field(csv, (size_t)cn), name, sizeof name);
        v = atoi(code);
        id = baci ? ckp_ref_country_by_baci(ref, v) : ckp_ref_country_by_comtrade(ref, v);
        if (id < 0) {
            ckp_test_fail(t_, __FILE__, __LINE__, "%s: code %s (%s) unknown", rel, code, name);
            continue;
        }
        k = ckp_ref_country_find(ref, name, ids, 8);
        if (k < 1)
            ckp_test_fail(t_, __FILE__, __LINE__, "%s: name \"%s\" not found", rel, name);
        n++;
    }
    ckp_csv_close(csv);
    CHECK(n > 200);
}

CKP_TEST(ref_country_every_code_file)
{
    ckp_ref *ref = shared_ref();
    REQUIRE(ref);
    check_code_file(t_, ref, "data/ref/countries/comtrade-areas/partnerAreas.csv", "id", "text", 0);
    check_code_file(t_, ref, "data/ref/countries/comtrade-areas/reporterAreas.csv", "id", "text", 0);
    check_code_file(t_, ref, "data/ref/countries/baci/country_codes_V202601.csv", "country_code",
                    "country_name", 1);
}

CKP_TEST(ref_country_names_aliases)
{
    ckp_ref *ref = shared_ref();
    static const char *const cases[][2] = {
        {"Türkiye", "TUR"},       {"TÜRKIYE", "TUR"},          {"turkiye", "TUR"},
        {"Turkey", "TUR"},        {"Турция", "TUR"},           {"土耳其", "TUR"},
        {"Russia", "RUS"},        {"russian federation", "RUS"}, {"Россия", "RUS"},
        {"South Korea", "KOR"},   {"Korea", "KOR"},            {"Republic of Korea", "KOR"},
        {"North Korea", "PRK"},   {"Taiwan", "TWN"},           {"Vietnam", "VNM"},
        {"Viet Nam", "VNM"},      {"UK", "GBR"},               {"United Kingdom", "GBR"},
        {"USA", "USA"},           {"United States", "USA"},    {"u.s.", "USA"},
        {"Czechia", "CZE"},       {"Czech Republic", "CZE"},   {"Iran", "IRN"},
        {"Syria", "SYR"},         {"Laos", "LAO"},             {"Bolivia", "BOL"},
        {"Tanzania", "TZA"},      {"DR Congo", "COD"},         {"Congo", "COG"},
        {"Côte d'Ivoire", "CIV"}, {"Cote d’Ivoire", "CIV"},    {"COTE D'IVOIRE", "CIV"},
        {"Ivory Coast", "CIV"},   {"UAE", "ARE"},              {"Hong Kong", "HKG"},
        {"China, Hong Kong SAR", "HKG"}, {"Guinea", "GIN"},   {"Netherlands", "NLD"},
        {"  germany ", "DEU"},    {"Deutschland", "DEU"},   {"Åland Islands", "ALA"},
        {"aland islands", "ALA"}, {"Curacao", "CUW"},          {"Réunion", "REU"},
        {"Bosnia Herzegovina", "BIH"}, {"Burma", "MMR"},       {"Eswatini", "SWZ"},
        {"Swaziland", "SWZ"},     {"North Macedonia", "MKD"},  {"TFYR of Macedonia", "MKD"}};
    REQUIRE(ref);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = find1(ref, cases[i][0]);
        if (strcmp(got, cases[i][1]) != 0)
            ckp_test_fail(t_, __FILE__, __LINE__, "find(\"%s\") = %s, expected %s", cases[i][0],
                          got, cases[i][1]);
    }
}

CKP_TEST(ref_country_find_codes)
{
    ckp_ref *ref = shared_ref();
    int ids[8], n;
    REQUIRE(ref);
    CHECK_STR(find1(ref, "842"), "USA");
    CHECK_STR(find1(ref, "840"), "USA"); /* ISO numeric */
    CHECK_STR(find1(ref, "251"), "FRA");
    CHECK_STR(find1(ref, "250"), "FRA");
    CHECK_STR(find1(ref, "757"), "CHE");
    CHECK_STR(find1(ref, "699"), "IND");
    CHECK_STR(find1(ref, "579"), "NOR");
    CHECK_STR(find1(ref, "004"), "AFG");
    CHECK_STR(find1(ref, "deu"), "DEU");
    CHECK_STR(find1(ref, "de"), "DEU");
    /* 492: Comtrade's area first, ISO's Monaco second */
    n = ckp_ref_country_find(ref, "492", ids, 8);
    REQUIRE(n == 2);
    CHECK_STR(iso3_of(ref, ids[0]), "XEU");
    CHECK_STR(iso3_of(ref, ids[1]), "MCO");
    CHECK_INT(ckp_ref_country_find(ref, "", ids, 8), 0);
    CHECK_INT(ckp_ref_country_find(ref, "   ", ids, 8), 0);
    CHECK_INT(ckp_ref_country_find(ref, "1000", ids, 8), 0);
    CHECK_INT(ckp_ref_country_find(ref, "xyzzy", ids, 8), 0);
    CHECK_INT(ckp_ref_country_find(ref, "USA", ids, 0), 0);
    /* partial names: every country one of whose names holds the words as
     * whole words; the prefix of a word is no match ("Chine" once found
     * Taiwan through "Chinese Taipei") */
    n = ckp_ref_country_find(ref, "United", ids, 8);
    CHECK(n >= 4);
    n = ckp_ref_country_find(ref, "Saudi", ids, 8);
    CHECK_INT(n, 1);
    CHECK_STR(iso3_of(ref, ids[0]), "SAU");
    CHECK_INT(ckp_ref_country_find(ref, "Zimb", ids, 8), 0);
    n = ckp_ref_country_find(ref, "Chine", ids, 8);
    CHECK_INT(n, 1);
    CHECK_STR(iso3_of(ref, ids[0]), "CHN");
}

/* Names in every language the reference data holds: UNTERM French, Spanish,
 * Arabic (iso-m49), ICU/CLDR display names, the German formal names of
 * aliases.csv; never the country a prefix of a word points to. */
CKP_TEST(ref_country_languages)
{
    ckp_ref *ref = shared_ref();
    static const char *const cases[][2] = {
        {"Chine", "CHN"},          {"CHINE", "CHN"},         {"Китай", "CHN"},
        {"中国", "CHN"},           {"Volksrepublik China", "CHN"},
        {"République populaire de Chine", "CHN"},            {"la République populaire de Chine", "CHN"},
        {"Republica Popular China", "CHN"},                  {"الصين", "CHN"},
        {"Allemagne", "DEU"},      {"Alemania", "DEU"},      {"Deutschland", "DEU"},
        {"Germania", "DEU"},       {"ドイツ", "DEU"},        {"Russie", "RUS"},
        {"Rusia", "RUS"},          {"Russland", "RUS"},      {"États-Unis", "USA"},
        {"Etats-Unis d'Amérique", "USA"},                    {"Vereinigte Staaten", "USA"},
        {"Corée du Sud", "KOR"},   {"Südkorea", "KOR"},      {"Bahamas", "BHS"},
        {"Taïwan", "TWN"},         {"Chinese Taipei", "TWN"}, {"Japon", "JPN"},
        {"美国", "USA"},           {"美國", "USA"},          {"英国", "GBR"}};
    ckp_error err;
    int id;
    REQUIRE(ref);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = arg1(ref, cases[i][0]);
        if (strcmp(got, cases[i][1]) != 0)
            ckp_test_fail(t_, __FILE__, __LINE__, "arg(\"%s\") = %s, expected %s", cases[i][0],
                          got, cases[i][1]);
    }
    /* a prefix of a word: no match, whatever name it starts */
    CHECK_INT(ckp_ref_country_arg(ref, "Chin", &id, &err), CKP_ENOTFOUND);
    CHECK_INT(ckp_ref_country_arg(ref, "Taip", &id, &err), CKP_ENOTFOUND);
    /* whole words several countries hold: ambiguous, with the candidates */
    CHECK_INT(ckp_ref_country_arg(ref, "Virgin Islands", &id, &err), CKP_EINVAL);
    CHECK_INT(id, -1);
    CHECK(strstr(err.msg, "(VGB)") != NULL);
    CHECK(strstr(err.msg, "(VIR)") != NULL);
}

CKP_TEST(ref_country_arg)
{
    ckp_ref *ref = shared_ref();
    ckp_error err;
    int id;
    REQUIRE(ref);
    CHECK_STR(arg1(ref, "USA"), "USA");
    CHECK_STR(arg1(ref, "842"), "USA");
    CHECK_STR(arg1(ref, "Türkiye"), "TUR");
    CHECK_STR(arg1(ref, "Zimbabwe"), "ZWE");
    CHECK_STR(arg1(ref, "Saudi"), "SAU"); /* whole words of one country's names */
    CHECK_INT(ckp_ref_country_arg(ref, "Zimb", &id, &err), CKP_ENOTFOUND); /* no prefixes */
    CHECK_STR(arg1(ref, "Guinea"), "GIN"); /* exact beats Papua New Guinea… */
    CHECK_INT(ckp_ref_country_arg(ref, "Germny", &id, &err), CKP_ENOTFOUND);
    CHECK_INT(id, -1);
    CHECK(strstr(err.msg, "Germny") != NULL);
    CHECK(strstr(err.msg, "Germany (DEU)") != NULL);
    CHECK_INT(ckp_ref_country_arg(ref, "United", &id, &err), CKP_EINVAL);
    CHECK(strstr(err.msg, "ambiguous") != NULL);
    CHECK_INT(ckp_ref_country_arg(ref, "", &id, &err), CKP_EINVAL);
    CHECK_INT(ckp_ref_country_arg(ref, NULL, &id, &err), CKP_EINVAL);
    CHECK_INT(ckp_ref_country_arg(ref, "qqqqqqqqqqqqqq", &id, &err), CKP_ENOTFOUND);
}

/* Every partner name of the China critical-minerals file resolves. */
CKP_TEST(ref_country_deep_dive_partners)
{
    ckp_ref *ref = shared_ref();
    ckp_csv *csv;
    ckp_error err;
    int n = 0, col;
    REQUIRE(ref);
    REQUIRE(ckp_csv_open(ckp_test_shared("flows/china-critmin-monthly/deep_dive_hs6_monthly.csv"),
                         NULL, &csv, &err) == CKP_OK);
    col = ckp_csv_column(csv, "partner_name");
    REQUIRE(col >= 0);
    while (ckp_csv_next(csv, &err) == 1) {
        char name[128];
        int id;
        ckp_field_copy(ckp_csv_field(csv, (size_t)col), name, sizeof name);
        if (ckp_ref_country_arg(ref, name, &id, &err) != CKP_OK) {
            ckp_test_fail(t_, __FILE__, __LINE__, "partner \"%s\": %s", name, err.msg);
            break;
        }
        CHECK_INT(ckp_ref_country(ref, id)->is_aggregate, 0);
        n++;
    }
    ckp_csv_close(csv);
    CHECK(n > 1000);
    CHECK_STR(arg1(ref, "Hong Kong"), "HKG");
    CHECK_STR(arg1(ref, "South Korea"), "KOR");
    CHECK_STR(arg1(ref, "UAE"), "ARE");
    CHECK_STR(arg1(ref, "Czech Republic"), "CZE");
}

CKP_TEST(ref_country_loose_usgs)
{
    ckp_ref *ref = shared_ref();
    static const char *const yes[][2] = {
        {"Japane", "JPN"},           {"Russiae", "RUS"},
        {"Chinae", "CHN"},           {"China6", "CHN"},
        {"United States1", "USA"},   {"United\xc2\xa0States", "USA"},
        {"Vietnam\xc2\xa0", "VNM"},  {"Korea, Republic ofe", "KOR"},
        {"Korea, North", "PRK"},     {"Brazil (beneficiated)", "BRA"},
        {"Peru, crude borates", "PER"}, {"Denmark (processed)5", "DNK"},
        {"New Caledonia11", "NCL"},  {"Congo (Kinshasa)", "COD"},
        {"Côte d’Ivoire", "CIV"},    {"World total (rounded)10", "WLD"},
        {"Burma", "MMR"},            {"Turkeye", "TUR"},
        {"Mozambique", "MOZ"},       {"Zimbabwe", "ZWE"},
        {"Niger", "NER"},            {"Greecee", "GRC"}};
    static const char *const no[] = {"Other countries", "Other countries10", "Other countriese",
                                     "Other", "United States and Canada", "", "e", "1"};
    REQUIRE(ref);
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        const char *got = iso3_of(ref, ckp_ref_country_find_loose(ref, yes[i][0]));
        if (strcmp(got, yes[i][1]) != 0)
            ckp_test_fail(t_, __FILE__, __LINE__, "loose(\"%s\") = %s, expected %s", yes[i][0],
                          got, yes[i][1]);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        int id = ckp_ref_country_find_loose(ref, no[i]);
        if (id >= 0)
            ckp_test_fail(t_, __FILE__, __LINE__, "loose(\"%s\") = %s, expected none", no[i],
                          iso3_of(ref, id));
    }
    CHECK_INT(ckp_ref_country_find_loose(ref, NULL), -1);
}

/* A synthetic data directory: the shipped one with files replaced. */
static int make_datadir(const char *dir)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cp -R '%s'/. '%s'/ && chmod -R u+w '%s'",
             dir, dir, ckp_test_path("data"), dir, dir);
    return system(cmd);
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

CKP_TEST(ref_country_mojibake_repair)
{
    char dir[1024], path[1200];
    ckp_ref *ref = NULL;
    ckp_error err;
    snprintf(dir, sizeof dir, "%s/moji", ckp_test_tmpdir());
    REQUIRE(make_datadir(dir) == 0);
    snprintf(path, sizeof path, "%s/ref/countries/baci/country_codes_V202601.csv", dir);
    /* "Ålandic Isles" and "Türkiyeland" with UTF-8 decoded as Latin-1 and re-encoded */
    REQUIRE(write_file(path, "country_code,country_name,country_iso2,country_iso3\n"
                             "248,\xc3\x83\xc2\x85landic Isles,AX,ALA\n"
                             "792,T\xc3\x83\xc2\xbcrkiyeland,TR,TUR\n"
                             "842,USA,US,USA\n") == 0);
    REQUIRE(ckp_ref_load(dir, &ref, &err) == CKP_OK);
    CHECK_STR(find1(ref, "Ålandic Isles"), "ALA");
    CHECK_STR(find1(ref, "Türkiyeland"), "TUR");
    CHECK_STR(find1(ref, "turkiyeland"), "TUR");
    CHECK_INT(ckp_ref_country_by_baci(ref, 792), ckp_ref_country_by_iso3(ref, "TUR"));
    ckp_ref_free(ref);
    /* The shipped BACI copy carries the mojibake; it still resolves. */
    ref = shared_ref();
    REQUIRE(ref);
    CHECK_STR(iso3_of(ref, ckp_ref_country_by_baci(ref, 792)), "TUR");
}

CKP_TEST(ref_country_bad_files)
{
    char dir[1024], path[1200];
    ckp_ref *ref = NULL;
    ckp_error err;
    snprintf(dir, sizeof dir, "%s/badc", ckp_test_tmpdir());
    REQUIRE(make_datadir(dir) == 0);
    snprintf(path, sizeof path, "%s/ref/countries/aliases.csv", dir);
    REQUIRE(write_file(path, "alias,code\nAtlantis,ATL\n") == 0);
    CHECK_INT(ckp_ref_load(dir, &ref, &err), CKP_EPARSE);
    CHECK(ref == NULL);
    CHECK(strstr(err.file, "aliases.csv") != NULL);
    CHECK_INT(err.line, 2);
    CHECK(strstr(err.msg, "ATL") != NULL);
    /* a Comtrade code nobody explains */
    REQUIRE(make_datadir(dir) == 0);
    snprintf(path, sizeof path, "%s/ref/countries/comtrade-areas/partnerAreas.csv", dir);
    REQUIRE(write_file(path, "id,text\n0,World\n999,Mystery area\n") == 0);
    CHECK_INT(ckp_ref_load(dir, &ref, &err), CKP_EPARSE);
    CHECK(strstr(err.msg, "999") != NULL);
    /* two records with one code */
    REQUIRE(make_datadir(dir) == 0);
    snprintf(path, sizeof path, "%s/ref/countries/areas.csv", dir);
    REQUIRE(write_file(path, "comtrade,code,role,name\n0,USA,world,World\n") == 0);
    CHECK_INT(ckp_ref_load(dir, &ref, &err), CKP_EPARSE);
    CHECK(strstr(err.msg, "USA") != NULL);
}

/* ---- HS codes ------------------------------------------------------------ */

CKP_TEST(ref_hs_parse)
{
    uint32_t c = 0;
    int l = 0;
    CHECK_INT(ckp_hs_parse("10121", 5, &c, &l), 0);
    CHECK_INT(c, 10121);
    CHECK_INT(l, 6);
    CHECK_INT(ckp_hs_parse("010121", 6, &c, &l), 0);
    CHECK_INT(c, 10121);
    CHECK_INT(l, 6);
    CHECK_INT(ckp_hs_parse("811292.0", 8, &c, &l), 0);
    CHECK_INT(c, 811292);
    CHECK_INT(l, 6);
    CHECK_INT(ckp_hs_parse("10121.00", 8, &c, &l), 0);
    CHECK_INT(c, 10121);
    CHECK_INT(l, 6);
    CHECK_INT(ckp_hs_parse("8542", 4, &c, &l), 0);
    CHECK_INT(c, 8542);
    CHECK_INT(l, 4);
    CHECK_INT(ckp_hs_parse("1", 1, &c, &l), 0); /* chapter 01 */
    CHECK_INT(c, 1);
    CHECK_INT(l, 2);
    CHECK_INT(ckp_hs_parse("101", 3, &c, &l), 0); /* heading 0101 */
    CHECK_INT(c, 101);
    CHECK_INT(l, 4);
    CHECK_INT(ckp_hs_parse(" 8110 ", 6, &c, &l), 0);
    CHECK_INT(c, 8110);
    CHECK_INT(ckp_hs_parse("8110xx", 4, &c, &l), 0); /* only n bytes are read */
    CHECK_INT(ckp_hs_parse("811292.5", 8, &c, &l), -1);
    CHECK_INT(ckp_hs_parse("8110.10", 7, &c, &l), -1);
    CHECK_INT(ckp_hs_parse("8110.", 5, &c, &l), -1);
    CHECK_INT(ckp_hs_parse(".0", 2, &c, &l), -1);
    CHECK_INT(ckp_hs_parse("", 0, &c, &l), -1);
    CHECK_INT(ckp_hs_parse("1234567", 7, &c, &l), -1);
    CHECK_INT(ckp_hs_parse("81a0", 4, &c, &l), -1);
    CHECK_INT(ckp_hs_parse("-8110", 5, &c, &l), -1);
    CHECK_INT(ckp_hs_parse("81 10", 5, &c, &l), -1);
    CHECK_INT(ckp_hs_parse(NULL, 3, &c, &l), -1);
}

/* Codes as people and national tariffs write them, folded to HS6. */
CKP_TEST(ref_hs_fold)
{
    uint32_t c = 0;
    int l = 0, f = -1;
    CHECK_INT(ckp_hs_fold("8112.92", 7, &c, &l, &f), 0);
    CHECK_INT(c, 811292);
    CHECK_INT(l, 6);
    CHECK_INT(f, 0);
    CHECK_INT(ckp_hs_fold("8110.10", 7, &c, &l, &f), 0); /* not the float 8110.10 */
    CHECK_INT(c, 811010);
    CHECK_INT(ckp_hs_fold("0501.00", 7, &c, &l, &f), 0);
    CHECK_INT(c, 50100);
    CHECK_INT(l, 6);
    CHECK_INT(ckp_hs_fold("38011000", 8, &c, &l, &f), 0);
    CHECK_INT(c, 380110);
    CHECK_INT(l, 6);
    CHECK_INT(f, 1);
    CHECK_INT(ckp_hs_fold("2825.80.00", 10, &c, &l, &f), 0);
    CHECK_INT(c, 282580);
    CHECK_INT(f, 1);
    CHECK_INT(ckp_hs_fold("2825 80 00", 10, &c, &l, &f), 0);
    CHECK_INT(c, 282580);
    CHECK_INT(ckp_hs_fold("8542.31.0000", 12, &c, &l, &f), 0); /* US HTS */
    CHECK_INT(c, 854231);
    CHECK_INT(f, 1);
    CHECK_INT(ckp_hs_fold("8542310000", 10, &c, &l, &f), 0);
    CHECK_INT(c, 854231);
    CHECK_INT(ckp_hs_fold("01012100", 8, &c, &l, &f), 0);
    CHECK_INT(c, 10121);
    CHECK_INT(f, 1);
    CHECK_INT(ckp_hs_fold("1012100", 7, &c, &l, &f), -1); /* a lost zero or a typo */
    CHECK_INT(ckp_hs_fold("282580000", 9, &c, &l, &f), -1);
    /* what ckp_hs_parse reads is read the same, not folded */
    CHECK_INT(ckp_hs_fold("811292.0", 8, &c, &l, &f), 0);
    CHECK_INT(c, 811292);
    CHECK_INT(f, 0);
    CHECK_INT(ckp_hs_fold("8542", 4, &c, &l, &f), 0);
    CHECK_INT(l, 4);
    CHECK_INT(ckp_hs_fold(" 10121 ", 7, &c, &l, &f), 0);
    CHECK_INT(c, 10121);
    /* not codes */
    CHECK_INT(ckp_hs_fold("282.580", 7, &c, &l, &f), -1);
    CHECK_INT(ckp_hs_fold("2825.8", 6, &c, &l, &f), -1);
    CHECK_INT(ckp_hs_fold("2825..80", 8, &c, &l, &f), -1);
    CHECK_INT(ckp_hs_fold("2825.80.", 8, &c, &l, &f), -1);
    CHECK_INT(ckp_hs_fold("2825.80.00.00.00", 16, &c, &l, &f), -1);
    CHECK_INT(ckp_hs_fold("12345678901", 11, &c, &l, &f), -1);
    CHECK_INT(ckp_hs_fold("81 10", 5, &c, &l, &f), -1);
    CHECK_INT(ckp_hs_fold("2825-80", 7, &c, &l, &f), -1);
    CHECK_INT(ckp_hs_fold("", 0, &c, &l, &f), -1);
    CHECK_INT(ckp_hs_fold(NULL, 3, &c, &l, &f), -1);
}

CKP_TEST(ref_hs_format)
{
    char b[8];
    CHECK_STR(ckp_hs_format(10121, 6, b), "010121");
    CHECK_STR(ckp_hs_format(811292, 6, b), "811292");
    CHECK_STR(ckp_hs_format(1, 2, b), "01");
    CHECK_STR(ckp_hs_format(101, 4, b), "0101");
    CHECK_STR(ckp_hs_format(8542, 4, b), "8542");
    CHECK_STR(ckp_hs_format(0, 6, b), "000000");
}

CKP_TEST(ref_hs_nomenclature)
{
    ckp_ref *ref = shared_ref();
    const ckp_hs_entry *e;
    REQUIRE(ref);
    e = ckp_ref_hs(ref, CKP_HS2022, 811292, 6);
    REQUIRE(e);
    CHECK_INT(e->level, 6);
    CHECK_INT(e->parent, 8112);
    CHECK_STR(e->section, "XV");
    e = ckp_ref_hs(ref, CKP_HS2022, 8110, 4);
    REQUIRE(e);
    CHECK_STR(e->description, "Antimony; articles thereof, including waste and scrap");
    CHECK_INT(e->parent, 81);
    e = ckp_ref_hs(ref, CKP_HS2022, 81, 2);
    REQUIRE(e);
    CHECK_INT(e->parent, 0);
    e = ckp_ref_hs(ref, CKP_HS2017, 10121, 6);
    REQUIRE(e);
    CHECK_STR(e->description, "Horses; live, pure-bred breeding animals");
    CHECK_INT(e->parent, 101);
    CHECK_STR(e->section, "I");
    /* HS2022-only and HS2017-only codes */
    CHECK(ckp_ref_hs(ref, CKP_HS2022, 880730, 6) != NULL);
    CHECK(ckp_ref_hs(ref, CKP_HS2017, 880730, 6) == NULL);
    CHECK(ckp_ref_hs(ref, CKP_HS2017, 880330, 6) != NULL);
    CHECK(ckp_ref_hs(ref, CKP_HS2022, 880330, 6) == NULL);
    CHECK(ckp_ref_hs(ref, CKP_HS2022, 8549, 4) != NULL);
    CHECK(ckp_ref_hs(ref, CKP_HS2017, 8549, 4) == NULL);
    /* absent / bad arguments */
    CHECK(ckp_ref_hs(ref, CKP_HS2022, 8110, 6) == NULL);
    CHECK(ckp_ref_hs(ref, CKP_HS2022, 8110, 5) == NULL);
    CHECK(ckp_ref_hs(ref, CKP_HS2012, 8110, 4) == NULL);
    CHECK(ckp_ref_hs(ref, CKP_HS2022, 1000000, 6) == NULL);
    CHECK_STR(ckp_ref_hs_section_name(ref, "XV"), "Base metals and articles of base metal");
    CHECK(ckp_ref_hs_section_name(ref, "XXX") == NULL);
    /* every HS6 entry's parent heading and chapter exist */
    for (int ed = 0; ed < 2; ed++) {
        ckp_hs_edition e2 = ed ? CKP_HS2022 : CKP_HS2017;
        int n6 = 0;
        for (uint32_t c = 0; c < 1000000; c += 1) {
            const ckp_hs_entry *x = ckp_ref_hs(ref, e2, c, 6);
            if (!x)
                continue;
            n6++;
            if (!ckp_ref_hs(ref, e2, x->parent, 4) || !ckp_ref_hs(ref, e2, c / 10000, 2))
                ckp_test_fail(t_, __FILE__, __LINE__, "%06u: parent missing", c);
        }
        CHECK(n6 > 5000);
        if (ed)
            CHECK_INT(n6, 5613);
    }
}

static uint32_t conv1(const ckp_ref *ref, uint32_t c, ckp_hs_edition a, ckp_hs_edition b, int *n)
{
    uint32_t out[8] = {0};
    *n = ckp_ref_hs_convert(ref, c, a, b, out, 8);
    return out[0];
}

CKP_TEST(ref_hs_concordance)
{
    ckp_ref *ref = shared_ref();
    uint32_t out[600];
    int n;
    REQUIRE(ref);
    /* n:1 — a CHPL code: 880730 (HS2022) was part of 880330 (HS2017) */
    CHECK_INT(conv1(ref, 880730, CKP_HS2022, CKP_HS2017, &n), 880330);
    CHECK_INT(n, 1);
    CHECK_INT(conv1(ref, 854231, CKP_HS2022, CKP_HS2017, &n), 854231);
    CHECK_INT(n, 1);
    /* 1:n — one HS2022 code with several HS2017 predecessors */
    n = ckp_ref_hs_convert(ref, 293149, CKP_HS2022, CKP_HS2017, out, 600);
    REQUIRE(n == 3);
    CHECK_INT(out[0], 293134);
    CHECK_INT(out[1], 293137);
    CHECK_INT(out[2], 293139);
    n = ckp_ref_hs_convert(ref, 381600, CKP_HS2022, CKP_HS2017, out, 600);
    REQUIRE(n == 2);
    CHECK_INT(out[0], 251830);
    CHECK_INT(out[1], 381600);
    n = ckp_ref_hs_convert(ref, 382211, CKP_HS2022, CKP_HS2017, out, 600);
    REQUIRE(n == 4);
    CHECK_INT(out[0], 300211);
    CHECK_INT(out[3], 300215);
    /* CHPL codes with several HS2017 predecessors (n:n in the UNSD table) */
    n = ckp_ref_hs_convert(ref, 854151, CKP_HS2022, CKP_HS2017, out, 600);
    CHECK_INT(n, 157);
    n = ckp_ref_hs_convert(ref, 852990, CKP_HS2022, CKP_HS2017, out, 600);
    CHECK_INT(n, 483);
    /* and back: HS2017 880330 went to 880730 and to the display modules */
    n = ckp_ref_hs_convert(ref, 880330, CKP_HS2017, CKP_HS2022, out, 600);
    REQUIRE(n == 8);
    CHECK_INT(out[0], 852411);
    CHECK_INT(out[7], 880730);
    n = ckp_ref_hs_convert(ref, 854231, CKP_HS2017, CKP_HS2022, out, 600);
    REQUIRE(n == 7);
    CHECK_INT(out[0], 854231);
    CHECK_INT(out[1], 854921);
    /* the count is returned even when max is smaller */
    CHECK_INT(ckp_ref_hs_convert(ref, 880330, CKP_HS2017, CKP_HS2022, out, 2), 8);
    CHECK_INT(out[0], 852411);
    /* unchanged codes, identity, chains and unknowns */
    CHECK_INT(conv1(ref, 811010, CKP_HS2022, CKP_HS2017, &n), 811010);
    CHECK_INT(n, 1);
    CHECK_INT(conv1(ref, 10121, CKP_HS2022, CKP_HS2017, &n), 10121); /* lost zero */
    CHECK_INT(conv1(ref, 880730, CKP_HS2022, CKP_HS2022, &n), 880730);
    CHECK_INT(n, 1);
    CHECK_INT(conv1(ref, 880730, CKP_HS2022, CKP_HS2012, &n), 880330);
    CHECK_INT(n, 1);
    CHECK_INT(conv1(ref, 880330, CKP_HS2012, CKP_HS2017, &n), 880330);
    CHECK_INT(n, 1);
    CHECK_INT(ckp_ref_hs_convert(ref, 999998, CKP_HS2022, CKP_HS2017, out, 8), 0);
    CHECK_INT(ckp_ref_hs_convert(ref, 811010, CKP_HS1992, CKP_HS2017, out, 8), 0);
    CHECK_INT(ckp_ref_hs_convert(ref, 1000000, CKP_HS2022, CKP_HS2017, out, 8), 0);
    /* every HS2022 subheading has an HS2017 counterpart */
    for (uint32_t c = 0; c < 1000000; c++) {
        if (c != 999999 && ckp_ref_hs(ref, CKP_HS2022, c, 6) &&
            ckp_ref_hs_convert(ref, c, CKP_HS2022, CKP_HS2017, out, 1) < 1)
            ckp_test_fail(t_, __FILE__, __LINE__, "%06u has no HS2017 counterpart", c);
    }
}

CKP_TEST(ref_hs_convert_best)
{
    ckp_ref *ref = shared_ref();
    uint32_t out[64];
    int n;
    REQUIRE(ref);
    n = ckp_ref_hs_convert_best(ref, 880730, CKP_HS2022, CKP_HS2017, out, 64);
    REQUIRE(n == 1);
    CHECK_INT(out[0], 880330);
    n = ckp_ref_hs_convert_best(ref, 293149, CKP_HS2022, CKP_HS2017, out, 64);
    REQUIRE(n == 1);
    CHECK_INT(out[0], 293134);
    n = ckp_ref_hs_convert_best(ref, 880330, CKP_HS2017, CKP_HS2022, out, 64);
    CHECK(n >= 1);
    CHECK_INT(ckp_ref_hs_convert_best(ref, 880730, CKP_HS2022, CKP_HS2012, out, 64), 0);
    /* each HS2022 code converts to exactly one HS2017 code */
    for (uint32_t c = 0; c < 1000000; c++)
        if (c != 999999 && ckp_ref_hs(ref, CKP_HS2022, c, 6))
            CHECK_INT(ckp_ref_hs_convert_best(ref, c, CKP_HS2022, CKP_HS2017, out, 64), 1);
}

typedef struct hits {
    char codes[64][8];
    int n, stop_after;
} hits;

static int collect(const ckp_hs_entry *e, ckp_hs_edition ed, void *ctx)
{
    hits *h = ctx;
    (void)ed;
    if (h->n < 64)
        ckp_hs_format(e->code, e->level, h->codes[h->n]);
    h->n++;
    return h->stop_after && h->n >= h->stop_after;
}

CKP_TEST(ref_hs_search)
{
    ckp_ref *ref = shared_ref();
    hits h;
    REQUIRE(ref);
    memset(&h, 0, sizeof h);
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2022, "8110", collect, &h), 4);
    CHECK_STR(h.codes[0], "8110");
    CHECK_STR(h.codes[1], "811010");
    CHECK_STR(h.codes[3], "811090");
    memset(&h, 0, sizeof h);
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2022, "10121", collect, &h), 1);
    CHECK_STR(h.codes[0], "010121");
    memset(&h, 0, sizeof h);
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2022, "8110.10", collect, &h), 1);
    CHECK_STR(h.codes[0], "811010");
    memset(&h, 0, sizeof h);
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2022, "antimony oxides", collect, &h), 1);
    CHECK_STR(h.codes[0], "282580");
    memset(&h, 0, sizeof h);
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2022, "ANTIMONY Oxides", collect, &h), 1);
    memset(&h, 0, sizeof h);
    ckp_ref_hs_search(ref, CKP_HS2022, "antimony", collect, &h);
    CHECK(h.n >= 6);
    /* word starts only: "ore" must not match "more" or "core" */
    memset(&h, 0, sizeof h);
    ckp_ref_hs_search(ref, CKP_HS2022, "antimony ores", collect, &h);
    CHECK_INT(h.n, 2); /* 261710 and 261790 ("...other than antimony") */
    CHECK_STR(h.codes[0], "261710");
    memset(&h, 0, sizeof h);
    h.stop_after = 2;
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2022, "81", collect, &h), 2);
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2022, "zzzyyx", collect, &h), 2 - 2);
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2022, "", collect, &h), 0);
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2012, "8110", collect, &h), 0);
    memset(&h, 0, sizeof h);
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2017, "880330", collect, &h), 1);
    CHECK_INT(ckp_ref_hs_search(ref, CKP_HS2022, "880330", collect, &h), 0);
}

/* ---- HS sets and groups -------------------------------------------------- */

CKP_TEST(ref_hsset_basic)
{
    ckp_hsset *s = ckp_hsset_new();
    uint32_t cur = 0, c;
    int n = 0;
    REQUIRE(s);
    CHECK_INT(ckp_hsset_count(s), 0);
    CHECK_INT(ckp_hsset_next(s, &cur, &c), 0);
    ckp_hsset_add(s, 811010);
    ckp_hsset_add(s, 10121);
    ckp_hsset_add(s, 10121);
    ckp_hsset_add(s, 1000000); /* ignored */
    ckp_hsset_add(s, 999999);
    CHECK_INT(ckp_hsset_count(s), 3);
    CHECK(ckp_hsset_has(s, 811010));
    CHECK(!ckp_hsset_has(s, 811020));
    CHECK(!ckp_hsset_has(s, 1000000));
    cur = 0;
    CHECK_INT(ckp_hsset_next(s, &cur, &c), 1);
    CHECK_INT(c, 10121);
    CHECK_INT(ckp_hsset_next(s, &cur, &c), 1);
    CHECK_INT(c, 811010);
    CHECK_INT(ckp_hsset_next(s, &cur, &c), 1);
    CHECK_INT(c, 999999);
    CHECK_INT(ckp_hsset_next(s, &cur, &c), 0);
    ckp_hsset_add_prefix(s, 8542, 4);
    CHECK_INT(ckp_hsset_count(s), 103);
    CHECK(ckp_hsset_has(s, 854200) && ckp_hsset_has(s, 854299));
    ckp_hsset_add_prefix(s, 1, 2);
    CHECK(ckp_hsset_has(s, 10000) && ckp_hsset_has(s, 19999) && !ckp_hsset_has(s, 20000));
    ckp_hsset_add_prefix(s, 100, 2); /* not a chapter: ignored */
    ckp_hsset_add_prefix(s, 12, 3);  /* not a level: ignored */
    cur = 0;
    while (ckp_hsset_next(s, &cur, &c))
        n++;
    CHECK_INT((size_t)n, ckp_hsset_count(s));
    ckp_hsset_free(s);
    ckp_hsset_free(NULL);
}

static ckp_hsset *parse_ok(ckp_test_ctx *t_, const ckp_ref *ref, const char *arg)
{
    ckp_hsset *s = NULL;
    ckp_error err;
    if (ckp_hsset_parse(ref, arg, &s, &err) != CKP_OK)
        ckp_test_fail(t_, __FILE__, __LINE__, "hsset_parse(\"%s\"): %s", arg, err.msg);
    return s;
}

CKP_TEST(ref_hsset_parse)
{
    ckp_ref *ref = shared_ref();
    ckp_hsset *s;
    ckp_error err;
    REQUIRE(ref);
    s = parse_ok(t_, ref, "antimony");
    REQUIRE(s);
    CHECK_INT(ckp_hsset_count(s), 5);
    CHECK(ckp_hsset_has(s, 261710) && ckp_hsset_has(s, 811010) && ckp_hsset_has(s, 811020) &&
          ckp_hsset_has(s, 811090) && ckp_hsset_has(s, 282580));
    CHECK_STR(ckp_hsset_label(s), "antimony: 5 HS6 codes");
    ckp_hsset_free(s);
    s = parse_ok(t_, ref, "ANTIMONY");
    CHECK(s && ckp_hsset_count(s) == 5);
    ckp_hsset_free(s);
    /* a prefix selects everything under it */
    s = parse_ok(t_, ref, "8110");
    REQUIRE(s);
    CHECK_INT(ckp_hsset_count(s), 100);
    CHECK(ckp_hsset_has(s, 811010));
    CHECK_STR(ckp_hsset_label(s), "8110: 3 HS6 codes");
    ckp_hsset_free(s);
    /* an HS2022 code brings its HS2017 predecessor */
    s = parse_ok(t_, ref, "880730");
    REQUIRE(s);
    CHECK_INT(ckp_hsset_count(s), 2);
    CHECK(ckp_hsset_has(s, 880730) && ckp_hsset_has(s, 880330));
    ckp_hsset_free(s);
    s = parse_ok(t_, ref, "293149");
    REQUIRE(s);
    CHECK_INT(ckp_hsset_count(s), 4);
    ckp_hsset_free(s);
    /* an HS2017-only code brings its HS2022 successors */
    s = parse_ok(t_, ref, "880330");
    REQUIRE(s);
    CHECK(ckp_hsset_has(s, 880730) && ckp_hsset_has(s, 852411));
    ckp_hsset_free(s);
    /* lists, lost zeros, floats, spaces and groups mixed */
    s = parse_ok(t_, ref, " 10121 , graphite,811292.0,cn-2024-46");
    REQUIRE(s);
    CHECK(ckp_hsset_has(s, 10121) && ckp_hsset_has(s, 250410) && ckp_hsset_has(s, 811292) &&
          ckp_hsset_has(s, 261710));
    ckp_hsset_free(s);
    /* the CHPL (HS2022) applies to HS2017 data */
    s = parse_ok(t_, ref, "chpl");
    REQUIRE(s);
    CHECK(ckp_hsset_has(s, 854231) && ckp_hsset_has(s, 880730) && ckp_hsset_has(s, 880330));
    CHECK(ckp_hsset_has(s, 854140)); /* 854149 ← 854140 */
    /* huge n:n groups use the conversion table, not 483 codes */
    CHECK(!ckp_hsset_has(s, 842211)); /* dishwashers are no CHPL item */
    CHECK(ckp_hsset_count(s) < 80);
    ckp_hsset_free(s);
    s = parse_ok(t_, ref, "chpl-tier1");
    REQUIRE(s);
    CHECK_INT(ckp_hsset_count(s), 4);
    CHECK(!ckp_hsset_has(s, 854921)); /* HS2022 group: no HS2017→HS2022 spread */
    ckp_hsset_free(s);
    /* the EU list (HS2017) applies to HS2022 data */
    s = parse_ok(t_, ref, "eu-russia");
    REQUIRE(s);
    CHECK(ckp_hsset_has(s, 854231) && ckp_hsset_has(s, 880330) && ckp_hsset_has(s, 880730));
    CHECK(ckp_hsset_has(s, 811010));
    CHECK(!ckp_hsset_has(s, 261710)); /* antimony ores are not sanctioned */
    CHECK(ckp_hsset_count(s) >= 2304);
    ckp_hsset_free(s);
    /* machine tools: a range of headings */
    s = parse_ok(t_, ref, "machine-tools");
    REQUIRE(s);
    CHECK(ckp_hsset_has(s, 845611) && ckp_hsset_has(s, 846390) && !ckp_hsset_has(s, 846410) &&
          !ckp_hsset_has(s, 845590));
    ckp_hsset_free(s);
    /* errors name the item */
    s = (ckp_hsset *)1;
    CHECK_INT(ckp_hsset_parse(ref, "antimny", &s, &err), CKP_ENOTFOUND);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, "\"antimny\"") != NULL);
    CHECK(strstr(err.msg, "antimony") != NULL);
    CHECK_INT(ckp_hsset_parse(ref, "8110,,graphite", &s, &err), CKP_EINVAL);
    CHECK(strstr(err.msg, "empty") != NULL);
    CHECK_INT(ckp_hsset_parse(ref, "8110,1234567", &s, &err), CKP_ENOTFOUND);
    CHECK(strstr(err.msg, "\"1234567\"") != NULL);
    CHECK_INT(ckp_hsset_parse(ref, "", &s, &err), CKP_EINVAL);
    CHECK_INT(ckp_hsset_parse(ref, NULL, &s, &err), CKP_EINVAL);
}

CKP_TEST(ref_hsset_add_code)
{
    ckp_ref *ref = shared_ref();
    ckp_hsset *s = ckp_hsset_new();
    REQUIRE(ref && s);
    ckp_hsset_add_code(ref, s, 880730, 2022); /* → 880330 */
    CHECK_INT(ckp_hsset_count(s), 2);
    CHECK(ckp_hsset_has(s, 880330));
    ckp_hsset_add_code(ref, s, 854231, 2017); /* → 854231, 8549xx (7 codes) */
    CHECK_INT(ckp_hsset_count(s), 2 + 7);
    CHECK(ckp_hsset_has(s, 854921));
    ckp_hsset_free(s);
    s = ckp_hsset_new();
    ckp_hsset_add_code(ref, s, 854231, 2022); /* HS2022: the HS2017 code only */
    CHECK_INT(ckp_hsset_count(s), 1);
    ckp_hsset_add_code(ref, s, 854151, 2022); /* 157 counterparts: the conversion */
    CHECK_INT(ckp_hsset_count(s), 3);
    CHECK(ckp_hsset_has(s, 851712));
    ckp_hsset_add_code(ref, s, 293149, 0); /* unknown edition, exists in HS2022 */
    CHECK_INT(ckp_hsset_count(s), 3 + 4);
    ckp_hsset_add_code(NULL, s, 10121, 0); /* no ref: the code only */
    CHECK_INT(ckp_hsset_count(s), 3 + 4 + 1);
    ckp_hsset_add_code(ref, NULL, 10121, 0);
    ckp_hsset_free(s);
}

CKP_TEST(ref_groups_builtin)
{
    ckp_ref *ref = shared_ref();
    static const char *const names[] = {
        "antimony",   "gallium-germanium", "gallium",    "germanium",  "graphite",
        "rare-earths", "magnets",          "tungsten",   "integrated-circuits",
        "machine-tools", "chpl",           "chpl-tier1", "chpl-tier2", "chpl-tier3",
        "chpl-tier4", "eu-russia",         "CN-2023-23", "CN-2023-39", "CN-2024-33",
        "CN-2024-46", "CN-2025-10",        "CN-2025-18"};
    const ckp_group *g;
    ckp_csv *csv;
    ckp_error err;
    REQUIRE(ref);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        g = ckp_ref_group_find(ref, names[i]);
        if (!g) {
            ckp_test_fail(t_, __FILE__, __LINE__, "group %s missing", names[i]);
            continue;
        }
        CHECK(g->codes && g->codes[0]);
        CHECK(g->description && g->description[0]);
        CHECK(g->source && g->source[0]);
    }
    g = ckp_ref_group_find(ref, "cn-2024-46");
    REQUIRE(g);
    CHECK_STR(g->name, "CN-2024-46");
    CHECK_STR(g->source, "measures.csv");
    CHECK_INT(g->edition, 2022);
    g = ckp_ref_group_find(ref, "antimony");
    REQUIRE(g);
    CHECK_STR(g->codes, "261710;811010;811020;811090;282580");
    CHECK_STR(g->source, "builtin");
    g = ckp_ref_group_find(ref, "chpl");
    REQUIRE(g);
    CHECK_INT(strlen(g->codes), 50 * 7 - 1); /* 50 codes */
    g = ckp_ref_group_find(ref, "eu-russia");
    REQUIRE(g);
    CHECK_INT(strlen(g->codes), 2304 * 7 - 1);
    CHECK_INT(g->edition, 2017);
    CHECK(ckp_ref_group_find(ref, "nope") == NULL);
    CHECK(ckp_ref_group_find(ref, NULL) == NULL);
    CHECK(ckp_ref_group(ref, -1) == NULL);
    CHECK(ckp_ref_group(ref, ckp_ref_group_count(ref)) == NULL);
    /* one group per measure with HS codes in measures.csv (column 3 = hs6);
     * a measure that states no code has none */
    REQUIRE(ckp_csv_open(ckp_test_path("data/controls/measures/measures.csv"), NULL, &csv, &err) ==
            CKP_OK);
    int ncoded = 0;
    while (ckp_csv_next(csv, &err) == 1) {
        char id[64];
        ckp_field_copy(ckp_csv_field(csv, 0), id, sizeof id);
        int coded = ckp_csv_field(csv, 3).len > 0;
        ncoded += coded;
        if (coded && !ckp_ref_group_find(ref, id))
            ckp_test_fail(t_, __FILE__, __LINE__, "no group for measure %s", id);
        if (!coded && ckp_ref_group_find(ref, id))
            ckp_test_fail(t_, __FILE__, __LINE__, "a group for measure %s without codes", id);
    }
    CHECK_INT(ncoded, 15);
    ckp_csv_close(csv);
}

CKP_TEST(ref_groups_user_file)
{
    char dir[1024], path[1200], path2[1200];
    ckp_ref *ref = NULL;
    ckp_error err;
    ckp_hsset *s;
    snprintf(dir, sizeof dir, "%s", ckp_test_tmpdir());
    snprintf(path, sizeof path, "%s/mygroups.csv", dir);
    REQUIRE(write_file(path, "name,codes,description\n"
                             "my-metals,8110;2504;850511,\"Mine, all mine\"\n"
                             "antimony,811010,just the metal\n"
                             "presses,8462-8463,\n") == 0);
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, &err) == CKP_OK);
    int before = ckp_ref_group_count(ref);
    REQUIRE(ckp_ref_load_groups(ref, path, &err) == CKP_OK);
    CHECK_INT(ckp_ref_group_count(ref), before + 2); /* antimony replaced */
    const ckp_group *g = ckp_ref_group_find(ref, "MY-METALS");
    REQUIRE(g);
    CHECK_STR(g->description, "Mine, all mine");
    CHECK_STR(g->source, path);
    CHECK_INT(g->edition, 0);
    REQUIRE(ckp_hsset_parse(ref, "my-metals", &s, &err) == CKP_OK);
    CHECK_INT(ckp_hsset_count(s), 100 + 100 + 1);
    ckp_hsset_free(s);
    REQUIRE(ckp_hsset_parse(ref, "antimony", &s, &err) == CKP_OK);
    CHECK_INT(ckp_hsset_count(s), 1);
    ckp_hsset_free(s);
    REQUIRE(ckp_hsset_parse(ref, "presses", &s, &err) == CKP_OK);
    CHECK_INT(ckp_hsset_count(s), 200);
    ckp_hsset_free(s);
    /* bad files: where and what */
    snprintf(path2, sizeof path2, "%s/badgroups.csv", dir);
    REQUIRE(write_file(path2, "name,codes,description\nok,8110,fine\nbad,8110;81x0,oops\n") == 0);
    CHECK_INT(ckp_ref_load_groups(ref, path2, &err), CKP_EPARSE);
    CHECK(strstr(err.file, "badgroups.csv") != NULL);
    CHECK_INT(err.line, 3);
    CHECK(strstr(err.msg, "81x0") != NULL);
    REQUIRE(write_file(path2, "name,codes\n8110,8110\n") == 0);
    CHECK_INT(ckp_ref_load_groups(ref, path2, &err), CKP_EPARSE);
    REQUIRE(write_file(path2, "name,codes\nempty,\n") == 0);
    CHECK_INT(ckp_ref_load_groups(ref, path2, &err), CKP_EPARSE);
    REQUIRE(write_file(path2, "title,list\nx,8110\n") == 0);
    CHECK_INT(ckp_ref_load_groups(ref, path2, &err), CKP_EPARSE);
    REQUIRE(write_file(path2, "name,codes,edition\nx,8110,1999\n") == 0);
    CHECK_INT(ckp_ref_load_groups(ref, path2, &err), CKP_EPARSE);
    CHECK(ckp_ref_load_groups(ref, "/nonexistent/groups.csv", &err) != CKP_OK);
    CHECK(strstr(err.msg, "groups.csv") != NULL || strstr(err.file, "groups.csv") != NULL);
    ckp_ref_free(ref);
    /* $CHOKEPOINT_GROUPS is read by ckp_ref_load */
    setenv("CHOKEPOINT_GROUPS", path, 1);
    ref = NULL;
    CHECK_INT(ckp_ref_load(ckp_test_path("data"), &ref, &err), CKP_OK);
    unsetenv("CHOKEPOINT_GROUPS");
    REQUIRE(ref);
    CHECK(ckp_ref_group_find(ref, "my-metals") != NULL);
    ckp_ref_free(ref);
}

/* ---- periods and dates --------------------------------------------------- */

CKP_TEST(ref_period_parse)
{
    int32_t p;
    ckp_error err;
    char b[8];
    CHECK_INT(ckp_period_parse("2023", &p, &err), CKP_OK);
    CHECK_INT(p, 202300);
    CHECK_INT(ckp_period_parse("2023-08", &p, &err), CKP_OK);
    CHECK_INT(p, 202308);
    CHECK_INT(ckp_period_parse("202308", &p, &err), CKP_OK);
    CHECK_INT(p, 202308);
    CHECK_INT(CKP_PERIOD_YEAR(p), 2023);
    CHECK_INT(CKP_PERIOD_MONTH(p), 8);
    CHECK_INT(ckp_period_parse("2023-12", &p, &err), CKP_OK);
    static const char *const bad[] = {"2023-13", "2023-00", "202313", "23",   "2023-8",
                                      "20238",   "abcd",    "1899",   "2023-", "",
                                      "2023-08-01", " 2023", "2023/08"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (ckp_period_parse(bad[i], &p, &err) != CKP_EINVAL || p != -1)
            ckp_test_fail(t_, __FILE__, __LINE__, "period \"%s\" accepted", bad[i]);
    }
    CHECK_INT(ckp_period_parse(NULL, &p, &err), CKP_EINVAL);
    CHECK_INT(ckp_period_parse("2023-13", &p, &err), CKP_EINVAL);
    CHECK(strstr(err.msg, "2023-13") != NULL);
    CHECK_STR(ckp_period_format(202308, b), "2023-08");
    CHECK_STR(ckp_period_format(202300, b), "2023");
    CHECK_STR(ckp_period_format(199912, b), "1999-12");
    /* round trip */
    for (int y = 1990; y < 2040; y++) {
        for (int m = 0; m <= 12; m++) {
            int32_t q;
            ckp_period_format(y * 100 + m, b);
            if (ckp_period_parse(b, &q, &err) != CKP_OK || q != y * 100 + m)
                ckp_test_fail(t_, __FILE__, __LINE__, "round trip of %d", y * 100 + m);
        }
    }
}

CKP_TEST(ref_date_parse)
{
    int32_t d;
    ckp_error err;
    CHECK_INT(ckp_date_parse("1970-01-01", &d, &err), CKP_OK);
    CHECK_INT(d, 0);
    CHECK_INT(ckp_date_parse("1970-01-02", &d, &err), CKP_OK);
    CHECK_INT(d, 1);
    CHECK_INT(ckp_date_parse("1969-12-31", &d, &err), CKP_OK);
    CHECK_INT(d, -1);
    CHECK_INT(ckp_date_parse("2000-03-01", &d, &err), CKP_OK);
    CHECK_INT(d, 11017);
    CHECK_INT(ckp_date_parse("2024-12-03", &d, &err), CKP_OK); /* CN-2024-46 */
    CHECK_INT(d, 20060);
    CHECK_INT(ckp_date_period(d), 202412);
    CHECK_INT(ckp_date_parse("2024-02-29", &d, &err), CKP_OK);
    CHECK_INT(ckp_date_period(d), 202402);
    CHECK_INT(ckp_date_parse("2000-02-29", &d, &err), CKP_OK);
    static const char *const bad[] = {"2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01",
                                      "2023-00-10", "2023-01-00", "2023-1-01",  "20230101",
                                      "2023-01-01T00:00", "",       "yyyy-mm-dd", "1899-12-31"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (ckp_date_parse(bad[i], &d, &err) != CKP_EINVAL || d != -1)
            ckp_test_fail(t_, __FILE__, __LINE__, "date \"%s\" accepted", bad[i]);
    }
    CHECK_INT(ckp_date_parse(NULL, &d, &err), CKP_EINVAL);
    /* every day 1950..2099: consecutive, and in the month it names */
    int32_t prev;
    REQUIRE(ckp_date_parse("1950-01-01", &prev, &err) == CKP_OK);
    for (int y = 1950; y < 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            int nd = md[m - 1] + (m == 2 && leap);
            for (int dd = 1; dd <= nd; dd++) {
                char s[48];
                snprintf(s, sizeof s, "%04d-%02d-%02d", y % 10000, m % 100, dd % 100);
                if (ckp_date_parse(s, &d, &err) != CKP_OK || ckp_date_period(d) != y * 100 + m ||
                    !(d == prev || d == prev + 1)) {
                    ckp_test_fail(t_, __FILE__, __LINE__, "date %s → %d", s, d);
                    return;
                }
                prev = d;
            }
        }
    }
}

/* Product keys: TOTAL, chapters and headings never collide with HS6 codes
 * (chapter 28, heading 0028 and HS6 000028 are three keys). */
CKP_TEST(ref_hs_keys)
{
    char b[8];
    uint32_t ch = ckp_hs_key(28, 2), hd = ckp_hs_key(2846, 4), t = ckp_hs_key(0, 0);
    CHECK(ch != 28 && ch != ckp_hs_key(28, 4) && ckp_hs_key(28, 6) == 28);
    CHECK_INT(ckp_hs_key_level(ch), 2);
    CHECK_INT(ckp_hs_key_level(hd), 4);
    CHECK_INT(ckp_hs_key_level(t), 0);
    CHECK_INT(ckp_hs_key_level(284690), 6);
    CHECK_INT(ckp_hs_key_level(CKP_HS_KEY_MAX + 1), -1);
    CHECK(ckp_hs_key(100, 2) > CKP_HS_KEY_MAX);
    CHECK(ckp_hs_key_parent(284690) == hd);
    CHECK(ckp_hs_key_parent(hd) == ch);
    CHECK(ckp_hs_key_parent(ch) == t);
    CHECK(ckp_hs_key_under(284690, t) && ckp_hs_key_under(284690, ch));
    CHECK(!ckp_hs_key_under(281000, hd) && !ckp_hs_key_under(ch, hd));
    CHECK_STR(ckp_hs_key_format(ckp_hs_key(1, 2), b), "01");
    CHECK_STR(ckp_hs_key_format(ckp_hs_key(101, 4), b), "0101");
    CHECK_STR(ckp_hs_key_format(t, b), "TOTAL");
    CHECK_STR(ckp_hs_key_format(10121, b), "010121");
}

/* An HS argument asks for its prefixes at their level: --hs 28 holds every
 * HS6 code of chapter 28 and the chapter and its headings as keys; a list of
 * HS6 codes asks for no level. */
CKP_TEST(ref_hsset_levels)
{
    ckp_ref *ref = shared_ref();
    REQUIRE(ref);
    ckp_hsset *s = NULL;
    ckp_error err;
    REQUIRE(ckp_hsset_parse(ref, "28", &s, &err) == CKP_OK);
    CHECK(ckp_hsset_asks_levels(s));
    CHECK(ckp_hsset_asked(s, ckp_hs_key(28, 2)));
    CHECK(!ckp_hsset_asked(s, ckp_hs_key(2846, 4)));
    CHECK(ckp_hsset_has_key(s, ckp_hs_key(2846, 4)));
    CHECK(ckp_hsset_has_key(s, 284690));
    CHECK(!ckp_hsset_has_key(s, ckp_hs_key(0, 0)));
    CHECK(!ckp_hsset_has_key(s, ckp_hs_key(8110, 4)));
    CHECK(!ckp_hsset_has(s, ckp_hs_key(28, 2)));
    ckp_hsset_free(s);
    REQUIRE(ckp_hsset_parse(ref, "total", &s, &err) == CKP_OK);
    CHECK(ckp_hsset_asked(s, ckp_hs_key(0, 0)));
    CHECK(ckp_hsset_has_key(s, ckp_hs_key(81, 2)) && ckp_hsset_has(s, 999999) && ckp_hsset_has(s, 0));
    CHECK(ckp_hsset_count(s) == 1000000);
    ckp_hsset_free(s);
    REQUIRE(ckp_hsset_parse(ref, "284690,811292", &s, &err) == CKP_OK);
    CHECK(!ckp_hsset_asks_levels(s));
    CHECK(!ckp_hsset_has_key(s, ckp_hs_key(2846, 4)));
    ckp_hsset_free(s);
}

/* An HS argument concorded to HS2022 (ckp_hsset_has_ed): renumbered and
 * merged codes join, a split joins only with all its parts, the left-out
 * code is listed; codes as written stay in their own edition. */
CKP_TEST(ref_hsset_editions_concorded)
{
    ckp_ref *ref;
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, NULL) == CKP_OK);
    ckp_hsset *s;
    uint32_t amb[4];
    int eds[4];
    /* 1:1 renumbered: HS2017 290331 is HS2022 290362 */
    REQUIRE(ckp_hsset_parse(ref, "290362", &s, NULL) == CKP_OK);
    CHECK(ckp_hsset_has_ed(s, 290362, 2022));
    CHECK(ckp_hsset_has_ed(s, 290331, 2017));
    CHECK(!ckp_hsset_has_ed(s, 290331, 2022)); /* not an HS2022 code of the set */
    CHECK_INT(ckp_hsset_ambiguous(s, amb, eds, 4), 0);
    ckp_hsset_free(s);
    /* n:1: HS2017 580211 and 580219 merged into HS2022 580210 */
    REQUIRE(ckp_hsset_parse(ref, "580210", &s, NULL) == CKP_OK);
    CHECK(ckp_hsset_has_ed(s, 580211, 2017) && ckp_hsset_has_ed(s, 580219, 2017));
    ckp_hsset_free(s);
    /* 1:n: HS2017 811292 went to HS2022 811231, 811241 and 811292 */
    REQUIRE(ckp_hsset_parse(ref, "811292", &s, NULL) == CKP_OK);
    CHECK(ckp_hsset_has_ed(s, 811292, 2022));
    CHECK(!ckp_hsset_has_ed(s, 811292, 2017));
    CHECK(ckp_hsset_has(s, 811292)); /* measures still match it widely */
    REQUIRE(ckp_hsset_ambiguous(s, amb, eds, 4) == 1);
    CHECK_INT((long long)amb[0], 811292);
    CHECK_INT(eds[0], 2017);
    ckp_hsset_free(s);
    REQUIRE(ckp_hsset_parse(ref, "811231,811241,811292", &s, NULL) == CKP_OK);
    CHECK(ckp_hsset_has_ed(s, 811292, 2017));
    CHECK_INT(ckp_hsset_ambiguous(s, amb, eds, 4), 0);
    ckp_hsset_free(s);
    /* asked in HS2017 (580211 exists only there): the HS2022 code it merged
     * into also holds 580219, so it is left out, and named */
    REQUIRE(ckp_hsset_parse(ref, "580211", &s, NULL) == CKP_OK);
    CHECK(ckp_hsset_has_ed(s, 580211, 2017));
    CHECK(!ckp_hsset_has_ed(s, 580210, 2022));
    REQUIRE(ckp_hsset_ambiguous(s, amb, eds, 4) == 1);
    CHECK_INT((long long)amb[0], 580210);
    CHECK_INT(eds[0], 2022);
    char note[512];
    REQUIRE(ckp_hsset_ambiguity_note(ref, s, 0, note, sizeof note) == 0);
    CHECK(strstr(note, "HS2022 580210 came from HS2017 580211,580219, not all asked") == note);
    ckp_hsset_free(s);
    REQUIRE(ckp_hsset_parse(ref, "580211,580219", &s, NULL) == CKP_OK);
    CHECK(ckp_hsset_has_ed(s, 580210, 2022));
    ckp_hsset_free(s);
    /* a heading is the same prefix in every edition */
    REQUIRE(ckp_hsset_parse(ref, "8112", &s, NULL) == CKP_OK);
    CHECK(ckp_hsset_has_ed(s, 811292, 2017) && ckp_hsset_has_ed(s, 811241, 2022));
    ckp_hsset_free(s);
    /* a set built code by code (measures) is not concorded: as ckp_hsset_has */
    s = ckp_hsset_new();
    ckp_hsset_add_code(ref, s, 811292, 2022);
    CHECK(ckp_hsset_has_ed(s, 811292, 2017));
    ckp_hsset_free(s);
    ckp_ref_free(ref);
}

/* Product caveats: the shipped table names the basket codes of issue 17
 * (811292 holds gallium, germanium and three more metals; 280530 all rare
 * earths; 8542 every integrated circuit), and a group built on one carries
 * its caveat. */
CKP_TEST(ref_caveats_shipped)
{
    ckp_ref *ref = shared_ref();
    REQUIRE(ref);
    const ckp_caveat *c = ckp_ref_caveat(ref, 811292);
    REQUIRE(c);
    CHECK(strstr(c->holds, "indium") && strstr(c->holds, "niobium") &&
          strstr(c->holds, "vanadium"));
    CHECK(strstr(c->sources, "HS 2022") != NULL);
    REQUIRE(ckp_ref_caveat(ref, 280530));
    CHECK(strstr(ckp_ref_caveat(ref, 280530)->holds, "yttrium") != NULL);
    /* a heading's row covers every code under it */
    c = ckp_ref_caveat(ref, 854231);
    REQUIRE(c);
    CHECK_INT(c->level, 4);
    CHECK_INT((long long)c->code, 8542);
    CHECK(ckp_ref_caveat(ref, 854239) == c);
    CHECK(ckp_ref_caveat(ref, 850511) == NULL);
    static const uint32_t more[] = {250410, 250490, 380110, 811010};
    for (size_t i = 0; i < sizeof more / sizeof *more; i++)
        CHECK(ckp_ref_caveat(ref, more[i]) != NULL);
}

CKP_TEST(ref_caveats_of_sets)
{
    ckp_ref *ref = shared_ref();
    ckp_error err;
    ckp_hsset *s = NULL;
    char buf[4096];
    REQUIRE(ref);
    /* the gallium group holds 811292: its caveat comes with it */
    REQUIRE(ckp_hsset_parse(ref, "gallium", &s, &err) == CKP_OK);
    CHECK(ckp_hsset_caveat(ref, s, buf, sizeof buf) >= 2);
    CHECK(strncmp(buf, "811292 ", 7) == 0);
    CHECK(strstr(buf, " | 811299 ") != NULL);
    CHECK_INT(ckp_hsset_caveat(ref, s, buf, 20), -1); /* does not fit: none */
    CHECK_STR(buf, "");
    ckp_hsset_free(s);
    /* one code under a basket heading */
    REQUIRE(ckp_hsset_parse(ref, "854232", &s, &err) == CKP_OK);
    CHECK_INT(ckp_hsset_caveat(ref, s, buf, sizeof buf), 1);
    CHECK(strncmp(buf, "8542 ", 5) == 0);
    ckp_hsset_free(s);
    /* no basket code: no caveat */
    REQUIRE(ckp_hsset_parse(ref, "magnets", &s, &err) == CKP_OK);
    CHECK_INT(ckp_hsset_caveat(ref, s, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    ckp_hsset_free(s);
    CHECK_INT(ckp_hsset_caveat(ref, NULL, buf, sizeof buf), 0);
}

/* A broken caveats file is refused with its file, line and field. */
CKP_TEST(ref_caveats_bad_file)
{
    static const struct {
        const char *text, *msg;
        int line;
    } cases[] = {
        {"hs,holds,caveat,sources\n81129,x,y,z\n", "not a 4- or 6-digit", 2},
        {"hs,holds,caveat,sources\n811292,x,y,z\n811292,x,y,z\n", "listed twice", 3},
        {"hs,holds,caveat,sources\n811292,x,,z\n", "field caveat is empty", 2},
        {"hs,holds,caveat,sources\n811292,x,a | b,z\n", "holds '|'", 2},
        {"hs,holds,caveat\n811292,x,y\n", "no column \"sources\"", 1},
    };
    ckp_ref *ref = NULL;
    ckp_error err;
    char path[1200];
    snprintf(path, sizeof path, "%s/caveats-bad.csv", ckp_test_tmpdir());
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, &err) == CKP_OK);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        REQUIRE(write_file(path, cases[i].text) == 0);
        memset(&err, 0, sizeof err);
        CHECK(ckp_ref_load_caveats(ref, path, &err) != CKP_OK);
        if (!strstr(err.msg, cases[i].msg))
            ckp_test_fail(t_, __FILE__, __LINE__, "case %zu: %s", i, err.msg);
        CHECK_INT(err.line, cases[i].line);
        CHECK_INT(ckp_ref_caveat_count(ref), 0);
    }
    REQUIRE(write_file(path, "hs,holds,caveat,sources\n8542,chips,all chips,HS text\n") == 0);
    REQUIRE(ckp_ref_load_caveats(ref, path, &err) == CKP_OK);
    CHECK_INT(ckp_ref_caveat_count(ref), 1);
    REQUIRE(ckp_ref_caveat(ref, 854239));
    CHECK_STR(ckp_ref_caveat(ref, 854239)->caveat, "all chips");
    ckp_ref_free(ref);
}

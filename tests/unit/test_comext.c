/* test_comext.c — the Comext field readers (ingest_comext.c) and the
 * exchange rates (fx.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/ref.h"
#include "store/ingest_int.h"
#include "test.h"

static ckp_field fld(const char *s)
{
    ckp_field f = {s, strlen(s)};
    return f;
}

CKP_TEST(comext_period)
{
    CHECK_INT(ckp__comext_period(fld("Aug. 2024")), 202408);
    CHECK_INT(ckp__comext_period(fld("Aug 2024")), 202408);
    CHECK_INT(ckp__comext_period(fld("September 2021")), 202109);
    CHECK_INT(ckp__comext_period(fld("Sept. 2021")), 202109);
    CHECK_INT(ckp__comext_period(fld(" Jan. 2019 ")), 201901);
    CHECK_INT(ckp__comext_period(fld("2023-02")), 202302);
    CHECK_INT(ckp__comext_period(fld("202302")), 202302);
    CHECK_INT(ckp__comext_period(fld("202352")), -1); /* a year total */
    CHECK_INT(ckp__comext_period(fld("Spring 2023")), -1);
    CHECK_INT(ckp__comext_period(fld("Aug. 24")), -1);
    CHECK_INT(ckp__comext_period(fld("Au. 2024")), -1);
    CHECK_INT(ckp__comext_period(fld("")), -1);
}

CKP_TEST(comext_labels)
{
    ckp_field code;
    CHECK_FIELD(ckp__comext_label(fld("Germany (incl. German Democratic Republic 'DD' from 1991)"),
                                  NULL),
                "Germany");
    CHECK_FIELD(ckp__comext_label(fld("Euro area - 20 countries (AT, BE, CY)"), NULL),
                "Euro area - 20 countries");
    CHECK_FIELD(ckp__comext_label(fld("Guinea-Bissau"), NULL), "Guinea-Bissau");
    CHECK_FIELD(ckp__comext_label(fld("2-EXPORT"), &code), "EXPORT");
    CHECK_FIELD(code, "2");
    CHECK_INT(ckp__comext_flow(fld("2-EXPORT")), 'X');
    CHECK_INT(ckp__comext_flow(fld("EXPORT")), 'X');
    CHECK_INT(ckp__comext_flow(fld("2")), 'X');
    CHECK_INT(ckp__comext_flow(fld("1-IMPORT")), 'M');
    CHECK_INT(ckp__comext_flow(fld("1-EXPORT")), 0); /* the code and the word disagree */
    CHECK_INT(ckp__comext_flow(fld("TRANSIT")), 0);
    CHECK(ckp__comext_stat_total(fld("Total")));
    CHECK(ckp__comext_stat_total(fld("T-Total")));
    CHECK(!ckp__comext_stat_total(fld("1-Normal")));
    CHECK_FIELD(ckp__comext_product(fld("Total")), "TOTAL");
    CHECK_FIELD(ckp__comext_product(fld("TOTAL-Total")), "TOTAL");
    CHECK_FIELD(ckp__comext_product(fld("8542-Electronic integrated circuits")), "8542");
    CHECK_FIELD(ckp__comext_product(fld("85423111")), "85423111");
}

CKP_TEST(fx_rates)
{
    ckp_ref *ref = NULL;
    ckp_error err;
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, &err) == CKP_OK);
    ckp_fx *fx = NULL;
    REQUIRE(ckp_fx_load(ref, "EUR", &fx, &err) == CKP_OK);
    CHECK_NEAR(ckp_fx_per_usd(fx, 202106), 0.8300, 1e-9); /* 1 EUR = 1.205 USD */
    CHECK_NEAR(ckp_fx_per_usd(fx, 202301), 0.9279, 1e-9);
    CHECK(isnan(ckp_fx_per_usd(fx, 202702))); /* past the file */
    CHECK(isnan(ckp_fx_per_usd(fx, 199812))); /* before the euro */
    CHECK(isnan(ckp_fx_per_usd(fx, 202300))); /* a year: no monthly rate */
    CHECK_STR(ckp_fx_currency(fx), "EUR");
    ckp_fx_free(fx);
    CHECK(ckp_fx_load(ref, "XYZ", &fx, &err) == CKP_EINVAL);
    ckp_ref_free(ref);
}

/* A rates file quoted the other way round (USD per EUR, 1.2) is refused
 * with its file and line, not read as 1.2 EUR per USD. */
CKP_TEST(fx_rates_wrong_direction)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/fxdata", ckp_test_tmpdir());
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp -r %s %s", ckp_test_path("data"), dir);
    REQUIRE(system(cmd) == 0);
    snprintf(path, sizeof path, "%s/ref/fx/monthly.csv", dir);
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fputs("Date,Country,Exchange rate\n2021-05-01,Euro,0.82\n2021-06-01,Euro,1.205\n", f);
    fclose(f);
    ckp_ref *ref = NULL;
    ckp_error err;
    REQUIRE(ckp_ref_load(dir, &ref, &err) == CKP_OK);
    ckp_fx *fx = NULL;
    CHECK(ckp_fx_load(ref, "EUR", &fx, &err) == CKP_EPARSE);
    CHECK_INT(err.line, 3);
    CHECK(strstr(err.msg, "quoted in USD per EUR") != NULL);
    CHECK(fx == NULL);
    ckp_ref_free(ref);
}

/* test_measures.c — the measures register: shipped files, the screening
 * question, EU membership, bad rows of a user file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/measures.h"
#include "test.h"

static ckp_ref *load_ref(void)
{
    ckp_ref *ref = NULL;
    ckp_error err;
    if (ckp_ref_load(ckp_test_path("data"), &ref, &err) != CKP_OK)
        return NULL;
    return ref;
}

static int32_t day(const char *s)
{
    int32_t d;
    return ckp_date_parse(s, &d, NULL) == CKP_OK ? d : -1;
}

static int collect(const ckp_measure *m, void *ctx)
{
    char *buf = ctx;
    strcat(buf, m->id);
    strcat(buf, " ");
    return 0;
}

CKP_TEST(measures_shipped)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    ckp_measures *ms;
    ckp_error err;
    REQUIRE(ckp_measures_load(ref, ckp_test_path("data"), NULL, &ms, &err) == CKP_OK);
    CHECK_INT(ckp_measures_reject_count(ms), 0);
    CHECK_INT(ckp_measures_count(ms), 6 + 11 + 6);
    const ckp_measure *m = ckp_measures_find(ms, "cn-2023-23");
    REQUIRE(m);
    CHECK_STR(m->issuer_code, "CHN");
    CHECK_INT(m->all_targets, 1);
    CHECK_INT(m->kind, CKP_MEASURE_LICENCE);
    CHECK_INT(m->effective, day("2023-08-01"));
    CHECK_INT(m->lifted, -1);
    CHECK(ckp_hsset_has(m->hs, 811292));
    CHECK(!ckp_hsset_has(m->hs, 250410));
    CHECK(ckp_measure_binds(m, ckp_ref_country_by_iso3(ref, "CHN")));
    CHECK(!ckp_measure_binds(m, ckp_ref_country_by_iso3(ref, "USA")));
    m = ckp_measures_find(ms, "CN-2024-46");
    REQUIRE(m);
    CHECK_INT(m->kind, CKP_MEASURE_BAN);
    CHECK(ckp_measure_targets(m, ckp_ref_country_by_iso3(ref, "USA")));
    CHECK(!ckp_measure_targets(m, ckp_ref_country_by_iso3(ref, "JPN")));
    CHECK(ckp_measure_in_force(m, day("2024-12-03")));
    CHECK(!ckp_measure_in_force(m, day("2024-12-02")));
    CHECK(!ckp_measure_in_force(m, day("2025-11-09")));
    m = ckp_measures_find(ms, "EU-RUS-2022-02-25");
    REQUIRE(m);
    CHECK_INT(m->nhs, 894);
    CHECK_INT(m->hs_edition, CKP_HS2017);
    CHECK(ckp_hsset_has(m->hs, 854231));
    CHECK_INT(m->nissuers, 27);
    m = ckp_measures_find(ms, "CHPL-1");
    REQUIRE(m);
    CHECK_INT(m->kind, CKP_MEASURE_LIST);
    CHECK_INT(m->nhs, 4);
    CHECK(ckp_measure_targets(m, ckp_ref_country_by_iso3(ref, "BLR")));
    CHECK(ckp_measure_issuer_is(m, "EU", -1));
    CHECK(ckp_measure_issuer_is(m, NULL, ckp_ref_country_by_iso3(ref, "JPN")));
    ckp_measures_free(ms);
    ckp_ref_free(ref);
}

CKP_TEST(measures_match)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    ckp_measures *ms;
    REQUIRE(ckp_measures_load(ref, ckp_test_path("data"), NULL, &ms, NULL) == CKP_OK);
    int chn = ckp_ref_country_by_iso3(ref, "CHN"), usa = ckp_ref_country_by_iso3(ref, "USA"),
        deu = ckp_ref_country_by_iso3(ref, "DEU"), rus = ckp_ref_country_by_iso3(ref, "RUS");
    char got[512] = "";
    CHECK_INT(ckp_measures_match(ms, 811292, chn, usa, day("2025-01-01"), collect, got), 2);
    CHECK_STR(got, "CN-2023-23 CN-2024-46 ");
    got[0] = '\0';
    /* the ban was suspended on 2025-11-09; tungsten & co. licensing from 2025-02-04 */
    CHECK_INT(ckp_measures_match(ms, 811292, chn, usa, day("2025-12-01"), collect, got), 2);
    CHECK_STR(got, "CN-2023-23 CN-2025-10 ");
    /* before any measure */
    CHECK_INT(ckp_measures_match(ms, 811292, chn, usa, day("2023-07-31"), NULL, NULL), 0);
    /* an EU member exporting chips to Russia */
    got[0] = '\0';
    CHECK_INT(ckp_measures_match(ms, 854231, deu, rus, day("2023-01-01"), collect, got), 1);
    CHECK_STR(got, "EU-RUS-2022-02-25 ");
    CHECK_INT(ckp_measures_match(ms, 854231, deu, rus, day("2024-06-01"), NULL, NULL), 2);
    CHECK_INT(ckp_measures_match(ms, 854231, usa, rus, day("2024-06-01"), NULL, NULL), 1);
    CHECK_INT(ckp_measures_match(ms, 854231, deu, usa, day("2024-06-01"), NULL, NULL), 0);
    /* any origin, any date */
    CHECK(ckp_measures_match(ms, 250410, -1, -1, -1, NULL, NULL) >= 1);
    ckp_measures_free(ms);
    ckp_ref_free(ref);
}

CKP_TEST(measures_user_file_bad_rows)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    char path[512];
    snprintf(path, sizeof path, "%s/my_measures.csv", ckp_test_tmpdir());
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fputs("id,issuer,targets,hs6,kind,announced,effective,lifted,title,source,notes\n"
          "MY-1,USA,CHN;HKG,854231;8486,licence,2022-10-07,2022-10-07,,Chips,BIS,\n"
          "MY-2,USA,CHN,854231,licence,2022-13-40,,,bad date,x,\n"
          "MY-3,XXX,CHN,854231,ban,,2023-01-01,,unknown issuer,x,\n"
          "MY-4,USA,CHN,85A231,ban,,2023-01-01,,bad hs,x,\n"
          "MY-1,USA,CHN,854231,ban,,2023-01-01,,duplicate,x,\n"
          "MY-5,USA,CHN,854231,embargo,,2023-01-01,,bad kind,x,\n"
          "MY-6,USA,CHN,854231,ban,,2023-01-01,2022-01-01,lifted before,x,\n"
          "CN-2023-23,USA,CHN,854231,ban,,2023-01-01,,shipped id,x,\n"
          "MY-7,EU,*,811292,ban,,2024-01-01,,eu,x,\n",
          f);
    fclose(f);
    ckp_measures *ms;
    ckp_error err;
    REQUIRE(ckp_measures_load(ref, ckp_test_path("data"), path, &ms, &err) == CKP_OK);
    CHECK_INT(ckp_measures_reject_count(ms), 7);
    const ckp_error *e = ckp_measures_reject_at(ms, 0);
    REQUIRE(e);
    CHECK_STR(e->file, path);
    CHECK_INT(e->line, 3);
    CHECK(strstr(e->msg, "announced") != NULL);
    CHECK_INT(ckp_measures_reject_at(ms, 1)->line, 4);
    CHECK(strstr(ckp_measures_reject_at(ms, 1)->msg, "XXX") != NULL);
    CHECK(strstr(ckp_measures_reject_at(ms, 2)->msg, "85A231") != NULL);
    CHECK(strstr(ckp_measures_reject_at(ms, 3)->msg, "already") != NULL);
    CHECK(strstr(ckp_measures_reject_at(ms, 5)->msg, "lifted") != NULL);
    const ckp_measure *m = ckp_measures_find(ms, "MY-1");
    REQUIRE(m);
    CHECK(ckp_hsset_has(m->hs, 848610)); /* 8486 prefix */
    CHECK_INT(m->ntargets, 2);
    m = ckp_measures_find(ms, "MY-7");
    REQUIRE(m);
    CHECK(ckp_measure_binds(m, ckp_ref_country_by_iso3(ref, "FRA")));
    ckp_measures_free(ms);
    /* a missing user file is an error */
    CHECK(ckp_measures_load(ref, ckp_test_path("data"), "/nonexistent/m.csv", &ms, &err) != CKP_OK);
    ckp_ref_free(ref);
}

CKP_TEST(measures_dates)
{
    char buf[12];
    CHECK_STR(ckp_measure_date_format(day("2023-08-01"), buf), "2023-08-01");
    CHECK_STR(ckp_measure_date_format(day("2024-02-29"), buf), "2024-02-29");
    CHECK_STR(ckp_measure_date_format(0, buf), "1970-01-01");
    CHECK_STR(ckp_measure_date_format(-1, buf), "");
    CHECK_INT(ckp_measure_kind_parse("license", 7), CKP_MEASURE_LICENCE);
    CHECK_INT(ckp_measure_kind_parse("LIST", 4), CKP_MEASURE_LIST);
    CHECK_INT(ckp_measure_kind_parse("x", 1), 0);
}

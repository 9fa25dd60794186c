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
    CHECK_INT(ckp_measures_count(ms), 41 + 11 + 6);
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
    /* clause 2 suspended by CN-2025-72 from 2025-11-09: partly, so in force */
    CHECK(ckp_measure_in_force(m, day("2025-11-09")));
    CHECK_INT(m->lifted, -1);
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
    /* clause 2 of the ban suspended from 2025-11-09, clause 1 binds; tungsten &
     * co. licensing from 2025-02-04 */
    CHECK_INT(ckp_measures_match(ms, 811292, chn, usa, day("2025-12-01"), collect, got), 3);
    CHECK_STR(got, "CN-2023-23 CN-2024-46 CN-2025-10 ");
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

/* Suspensions: whole (Ann. 70 on 55-58, 61, 62), partial by clause and
 * destination (Ann. 72 on clause 2 of Ann. 46), the day after `until`. */
CKP_TEST(measures_suspension)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    ckp_measures *ms;
    REQUIRE(ckp_measures_load(ref, ckp_test_path("data"), NULL, &ms, NULL) == CKP_OK);
    int chn = ckp_ref_country_by_iso3(ref, "CHN"), usa = ckp_ref_country_by_iso3(ref, "USA"),
        jpn = ckp_ref_country_by_iso3(ref, "JPN"), rus = ckp_ref_country_by_iso3(ref, "RUS"),
        deu = ckp_ref_country_by_iso3(ref, "DEU");
    const ckp_suspension *why;
    const ckp_measure *m = ckp_measures_find(ms, "CN-2025-55");
    REQUIRE(m);
    REQUIRE(m->nsusp == 1);
    CHECK_STR(m->susp[0].by, "CN-2025-70");
    CHECK_INT(ckp_measure_status(m, day("2025-10-08"), -1, NULL), CKP_STATE_NONE);
    CHECK_INT(ckp_measure_status(m, day("2025-10-20"), -1, NULL), CKP_STATE_ANNOUNCED);
    CHECK_INT(ckp_measure_status(m, day("2025-11-08"), jpn, &why), CKP_STATE_SUSPENDED);
    REQUIRE(why);
    CHECK_STR(why->by, "CN-2025-70");
    CHECK_INT(ckp_measure_status(m, day("2026-11-10"), -1, NULL), CKP_STATE_SUSPENDED);
    CHECK_INT(ckp_measure_status(m, day("2026-11-11"), -1, NULL), CKP_STATE_IN_FORCE);
    CHECK_INT(ckp_measure_first_applied(m), day("2026-11-11"));
    CHECK_INT(ckp_measures_match(ms, 710510, chn, jpn, day("2026-03-02"), NULL, NULL), 0);
    CHECK_INT(ckp_measures_match(ms, 710510, chn, jpn, day("2026-11-11"), NULL, NULL), 1);
    m = ckp_measures_find(ms, "CN-2024-46");
    REQUIRE(m);
    CHECK_INT(ckp_measure_status(m, day("2025-11-08"), usa, NULL), CKP_STATE_IN_FORCE);
    CHECK_INT(ckp_measure_status(m, day("2025-11-09"), usa, &why), CKP_STATE_PARTLY_SUSPENDED);
    REQUIRE(why);
    CHECK(strstr(why->clause, "clause 2") != NULL);
    CHECK_STR(ckp_measure_state_name(CKP_STATE_PARTLY_SUSPENDED, why), "partly suspended");
    CHECK_INT(ckp_measure_status(m, day("2026-11-27"), usa, NULL), CKP_STATE_PARTLY_SUSPENDED);
    CHECK_INT(ckp_measure_status(m, day("2026-11-28"), usa, NULL), CKP_STATE_IN_FORCE);
    CHECK_INT(ckp_measure_first_applied(m), day("2024-12-03"));
    /* the suspension row binds nothing and ends after its `until` */
    m = ckp_measures_find(ms, "CN-2025-70");
    REQUIRE(m);
    CHECK_INT(m->kind, CKP_MEASURE_SUSPENSION);
    CHECK_INT(ckp_measure_status(m, day("2026-11-11"), -1, NULL), CKP_STATE_LIFTED);
    char got[256] = "";
    CHECK_INT(ckp_measures_match(ms, 280530, chn, jpn, day("2026-01-01"), collect, got), 1);
    CHECK_STR(got, "CN-2025-18 ");
    /* an import ban: Russian aluminium into Germany, not German aluminium to Russia */
    m = ckp_measures_find(ms, "EU-2025-16-ALBAN");
    REQUIRE(m);
    CHECK_INT(m->direction, CKP_DIR_IMPORT);
    CHECK(ckp_measure_covers_flow(m, rus, deu));
    CHECK(!ckp_measure_covers_flow(m, deu, rus));
    CHECK_INT(ckp_measures_match(ms, 760110, rus, deu, day("2026-03-01"), NULL, NULL), 1);
    CHECK_INT(ckp_measures_match(ms, 760110, deu, rus, day("2026-03-01"), NULL, NULL), 0);
    /* a row without HS codes is loaded and matches nothing */
    m = ckp_measures_find(ms, "US-2024-BIS-AC");
    REQUIRE(m);
    CHECK_INT(m->nhs, 0);
    ckp_measures_free(ms);
    ckp_ref_free(ref);
}

/* A user file: a suspension that ends before it starts, or that names a
 * measure not (yet) in the register, is rejected with its line. */
CKP_TEST(measures_suspension_bad_rows)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    char path[512];
    snprintf(path, sizeof path, "%s/my_susp.csv", ckp_test_tmpdir());
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fputs("id,issuer,targets,hs6,kind,announced,effective,lifted,title,source,notes,suspends,until\n"
          "S-1,CHN,*,,suspension,,2024-01-10,,t,s,,CN-2023-39,2023-12-31\n"
          "S-2,CHN,*,,suspension,,2024-01-10,,t,s,,S-9,\n"
          "S-3,CHN,*,,suspension,,2024-01-10,,t,s,,,2024-02-01\n"
          "S-4,CHN,*,250410,licence,,2024-01-10,,t,s,,,2024-02-01\n"
          "S-5,CHN,*,,suspension,,2024-01-10,,t,s,,CN-2023-39,2024-02-01\n",
          f);
    fclose(f);
    ckp_measures *ms;
    REQUIRE(ckp_measures_load(ref, ckp_test_path("data"), path, &ms, NULL) == CKP_OK);
    CHECK_INT(ckp_measures_reject_count(ms), 4);
    CHECK_INT(ckp_measures_reject_at(ms, 0)->line, 2);
    CHECK(strstr(ckp_measures_reject_at(ms, 0)->msg, "ends (until 2023-12-31) before it starts") !=
          NULL);
    CHECK(strstr(ckp_measures_reject_at(ms, 1)->msg, "S-9") != NULL);
    CHECK(strstr(ckp_measures_reject_at(ms, 2)->msg, "names the measures") != NULL);
    CHECK(strstr(ckp_measures_reject_at(ms, 3)->msg, "kind suspension") != NULL);
    const ckp_measure *m = ckp_measures_find(ms, "CN-2023-39");
    REQUIRE(m);
    CHECK_INT(m->nsusp, 1);
    CHECK(!ckp_measure_in_force(m, day("2024-01-15")));
    CHECK(ckp_measure_in_force(m, day("2024-02-02")));
    ckp_measures_free(ms);
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

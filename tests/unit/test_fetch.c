/* test_fetch.c — `fetch comtrade`'s plan (calls within the API's limits,
 * their URLs, usage errors) and the provenance a store source keeps.  The
 * calls themselves run against a replay server in tests/suite_fetch.sh. */
#include <stdlib.h>
#include <string.h>

#include "chokepoint/fetch.h"
#include "chokepoint/ingest.h"
#include "test.h"

static ckp_ref *ref_(void)
{
    static ckp_ref *ref;
    if (!ref) {
        ckp_error err;
        if (ckp_ref_load(ckp_test_path("data"), &ref, &err) != CKP_OK) {
            fprintf(stderr, "  ref: %s\n", err.msg);
            return NULL;
        }
    }
    return ref;
}

static ckp_status plan(const char *rep, const char *par, const char *hs, const char *per,
                       char freq, ckp_fetch_plan *p, ckp_error *err)
{
    ckp_fetch_query q = {"http://127.0.0.1:9/", rep, par, hs, per, freq, NULL, 0};
    ckp_error_clear(err);
    return ckp_fetch_plan_make(ref_(), &q, p, err);
}

CKP_TEST(fetch_plan_splits_periods_by_twelve)
{
    REQUIRE(ref_());
    ckp_fetch_plan p;
    ckp_error err;
    REQUIRE(plan("CHN", "USA", "811292, 250410",
                 "2024,2012,2013,2014,2015,2016,2017,2018,2019,2020,2021,2022,2023,2023", 'A', &p,
                 &err) == CKP_OK);
    CHECK_INT(p.ncalls, 2);
    CHECK_STR(p.calls[0].url,
              "http://127.0.0.1:9/data/v1/get/C/A/HS?reporterCode=156&partnerCode=842&"
              "cmdCode=811292,250410&flowCode=X,M&period=2012,2013,2014,2015,2016,2017,2018,"
              "2019,2020,2021,2022,2023&maxRecords=100000");
    CHECK_STR(p.calls[1].periods, "2024");
    CHECK_INT(strlen(p.calls[0].hash), 64);
    CHECK(strcmp(p.calls[0].hash, p.calls[1].hash) != 0);
    CHECK_STR(p.summary, "C/A/HS reporterCode=156 partnerCode=842 cmdCode=811292,250410 "
                         "flowCode=X,M period=2012,2013,2014,2015,2016,2017,2018,2019,2020,"
                         "2021,2022,2023,2024");
    ckp_fetch_plan_free(&p);
}

CKP_TEST(fetch_plan_monthly_years_and_all)
{
    REQUIRE(ref_());
    ckp_fetch_plan p;
    ckp_error err;
    /* a year of monthly data is its 12 months; two years are two calls */
    REQUIRE(plan("all", "all", "TOTAL", "2023,2024-03", 'M', &p, &err) == CKP_OK);
    CHECK_INT(p.ncalls, 2);
    CHECK_STR(p.calls[0].url, "http://127.0.0.1:9/data/v1/get/C/M/HS?cmdCode=TOTAL&flowCode=X,M&"
                              "period=202301,202302,202303,202304,202305,202306,202307,202308,"
                              "202309,202310,202311,202312&maxRecords=100000");
    CHECK_STR(p.calls[1].periods, "202403");
    ckp_fetch_plan_free(&p);
    /* a named group is its codes; a country in any form is its Comtrade code */
    REQUIRE(plan("Taiwan", "all", "gallium", "2024", 'A', &p, &err) == CKP_OK);
    CHECK(strstr(p.calls[0].url, "reporterCode=490&cmdCode=") != NULL);
    CHECK(strstr(p.calls[0].url, "811292") != NULL);
    ckp_fetch_plan_free(&p);
}

CKP_TEST(fetch_plan_usage_errors)
{
    REQUIRE(ref_());
    ckp_fetch_plan p;
    ckp_error err;
    CHECK_INT(plan("XXX", "all", "2504", "2023", 'A', &p, &err), CKP_EUSAGE);
    CHECK(strstr(err.msg, "--reporter") != NULL);
    CHECK_INT(plan("CHN", "all,USA", "2504", "2023", 'A', &p, &err), CKP_EUSAGE);
    CHECK_INT(plan("CHN", "all", "25041", "2023", 'A', &p, &err), CKP_EUSAGE);
    CHECK_INT(plan("CHN", "all", "TOTAL,2504", "2023", 'A', &p, &err), CKP_EUSAGE);
    CHECK_INT(plan("CHN", "all", "no-such-group", "2023", 'A', &p, &err), CKP_EUSAGE);
    CHECK_INT(plan("CHN", "all", "2504", "2023-05", 'A', &p, &err), CKP_EUSAGE);
    CHECK(strstr(err.msg, "--freq M") != NULL);
    CHECK_INT(plan("CHN", "all", "2504", "2023,,2024", 'A', &p, &err), CKP_EUSAGE);
    CHECK_INT(plan("CHN", "all", "2504", "1950", 'A', &p, &err), CKP_EUSAGE);
    CHECK_INT(plan("CHN", "all", "2504", "2023", 'Q', &p, &err), CKP_EUSAGE);
    ckp_fetch_query q = {"ftp://x", "CHN", "all", "2504", "2023", 'A', NULL, 0};
    CHECK_INT(ckp_fetch_plan_make(ref_(), &q, &p, &err), CKP_EUSAGE);
    q.base_url = "https://x/?key=1";
    CHECK_INT(ckp_fetch_plan_make(ref_(), &q, &p, &err), CKP_EUSAGE);
    q.base_url = NULL;
    q.flows = "RX";
    CHECK_INT(ckp_fetch_plan_make(ref_(), &q, &p, &err), CKP_EUSAGE);
}

static const char *flows_csv = "period,reporter,partner,flow,hs,value\n"
                               "2023,CHN,USA,X,811292,100\n";

CKP_TEST(fetch_source_provenance_kept_by_the_store)
{
    REQUIRE(ref_());
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/fetch-prov", ckp_test_tmpdir());
    ckp_error err;
    ckp_error_clear(&err);
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.source = "api";
    ckp_ingest *ing;
    REQUIRE(ckp_ingest_begin(dir, ref_(), &o, &ing, &err) == CKP_OK);
    /* no file read yet: no source to describe */
    CHECK_INT(ckp_ingest_set_provenance(ing, "x", &err), CKP_ESTATE);
    REQUIRE(ckp_ingest_mem(ing, "a.csv", flows_csv, strlen(flows_csv), &err) == CKP_OK);
    CHECK_INT(ckp_ingest_set_provenance(ing, "bad\ttab", &err), CKP_EINVAL);
    REQUIRE(ckp_ingest_set_provenance(ing, "UN Comtrade API v1 get C/A/HS …", &err) == CKP_OK);
    ckp_ingest_stats st;
    REQUIRE(ckp_ingest_commit(ing, &st, &err) == CKP_OK);
    /* a second ingest, into another source, keeps the first one's */
    o.source = "other";
    REQUIRE(ckp_ingest_begin(dir, ref_(), &o, &ing, &err) == CKP_OK);
    REQUIRE(ckp_ingest_mem(ing, "b.csv", flows_csv, strlen(flows_csv), &err) == CKP_OK);
    REQUIRE(ckp_ingest_commit(ing, &st, &err) == CKP_OK);
    ckp_store *s;
    REQUIRE(ckp_store_open(dir, ref_(), &s, &err) == CKP_OK);
    CHECK_INT(ckp_store_source_count(s), 2);
    CHECK_STR(ckp_store_source_name(s, 0), "api");
    CHECK_STR(ckp_store_source_provenance(s, 0), "UN Comtrade API v1 get C/A/HS …");
    CHECK(ckp_store_source_provenance(s, 1) == NULL);
    CHECK_INT(ckp_store_source_synthetic(s, 0), 0);
    ckp_store_close(s);
}

CKP_TEST(fetch_plan_split_halves_periods_then_reporters_then_codes)
{
    REQUIRE(ref_());
    ckp_fetch_plan p;
    ckp_error err;
    REQUIRE(plan("CHN,USA,RUS", "all", "2504,8112", "2021,2022,2023", 'A', &p, &err) == CKP_OK);
    REQUIRE(p.ncalls == 1);
    REQUIRE(ckp_fetch_plan_split(&p, 0, &err) == CKP_OK); /* periods */
    CHECK_INT(p.ncalls, 2);
    CHECK_STR(p.calls[0].periods, "2021");
    CHECK_STR(p.calls[1].periods, "2022,2023");
    CHECK_STR(p.calls[1].reporters, "156,842,643");
    REQUIRE(ckp_fetch_plan_split(&p, 0, &err) == CKP_OK); /* one period: reporters */
    CHECK_STR(p.calls[0].reporters, "156");
    CHECK_STR(p.calls[2].reporters, "842,643");
    CHECK_STR(p.calls[2].periods, "2021");
    REQUIRE(ckp_fetch_plan_split(&p, 0, &err) == CKP_OK); /* one reporter: codes */
    CHECK_STR(p.calls[0].cmd, "2504");
    CHECK_STR(p.calls[3].cmd, "8112");
    CHECK_STR(p.calls[0].url, "http://127.0.0.1:9/data/v1/get/C/A/HS?reporterCode=156&cmdCode=2504&"
                              "flowCode=X,M&period=2021&maxRecords=100000");
    CHECK(strcmp(p.calls[0].hash, p.calls[3].hash) != 0);
    /* one of each, partner all: nothing left to halve */
    CHECK_INT(ckp_fetch_plan_split(&p, 0, &err), CKP_ELIMIT);
    CHECK(strstr(err.msg, "cannot be split") != NULL);
    CHECK_INT(p.ncalls, 4);
    CHECK_INT(p.splits, 3);
    ckp_fetch_plan_free(&p);
}

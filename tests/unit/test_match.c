/* test_match.c — the matcher: hard cases one by one, explanations, and the
 * labelled evaluation set (tests/data/match_eval.csv) as a floor. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/csv.h"
#include "chokepoint/match.h"
#include "test.h"

static ckp_ref *g_ref;
static ckp_lists *g_lists;
static ckp_index *g_ix;
static ckp_matcher *g_m;

static ckp_matcher *matcher(void)
{
    static int tried;
    if (!tried) {
        tried = 1;
        ckp_error err;
        if (ckp_ref_load(ckp_test_path("data"), &g_ref, &err) != CKP_OK)
            return NULL;
        if (ckp_index_load(NULL, ckp_test_path("data"), g_ref, &g_lists, &g_ix, NULL, &err) !=
                CKP_OK ||
            ckp_matcher_new(g_ix, &g_m, &err) != CKP_OK)
            return NULL;
    }
    return g_m;
}

static double pair(const char *a, const char *b)
{
    char expl[CKP_EXPLAIN_MAX];
    return ckp_match_pair(matcher(), a, strlen(a), b, strlen(b), expl, sizeof expl);
}

/* The best hit's party id for a query ("" when none). */
static const char *top(const char *q, const char *country, double *score)
{
    static ckp_match_hit hits[5];
    ckp_match_opts o;
    ckp_match_opts_init(&o);
    o.country = country;
    int n = ckp_match(matcher(), q, strlen(q), &o, hits, 5);
    if (score)
        *score = n ? hits[0].score : 0;
    return n ? hits[0].party->id : "";
}

CKP_TEST(match_person_order_free)
{
    REQUIRE(matcher());
    CHECK_NEAR(pair("SALEK, ABDULHAI", "Abdulhai Salek"), 1.0, 1e-9);
    CHECK_NEAR(pair("ABBAS, Abu", "Abu ABBAS"), 1.0, 1e-9);
    /* an initial stands for a first name */
    CHECK(pair("A. Salek", "Abdulhai Salek") >= CKP_MATCH_THRESHOLD);
    /* concatenated and split given names */
    CHECK(pair("Abdul Hai Salek", "Abdulhai Salek") >= 0.9);
}

CKP_TEST(match_transliteration_variants)
{
    REQUIRE(matcher());
    CHECK(pair("Mohammed Hassan", "Muhammad Hasan") >= 0.85);
    CHECK(pair("Sergei Ivanov", "Sergey Ivanoff") >= 0.85);
    CHECK(pair("Aleksandr Petrov", "Alexander Petrov") >= 0.85);
    CHECK(pair("Татьяна Журавлева", "Tatyana Zhuravleva") >= 0.85);
    /* different people stay apart */
    CHECK(pair("Sergei Ivanov", "Sergei Petrov") < CKP_MATCH_THRESHOLD);
    CHECK(pair("Rima Baker", "Rami Baker") < 0.95);
}

CKP_TEST(match_company_forms_neutral)
{
    REQUIRE(matcher());
    /* legal forms neither block a match ... */
    CHECK_NEAR(pair("Inter Tobacco LLC", "Inter Tobacco"), 1.0, 1e-9);
    CHECK_NEAR(pair("OOO Inter Tobacco", "Inter Tobacco Limited Liability Company"), 1.0, 1e-9);
    CHECK_NEAR(pair("ANGLO-CARIBBEAN CO., LTD.", "Anglo Caribbean Company Limited"), 1.0, 1e-9);
    /* ... nor create one */
    CHECK(pair("Alpha Trading Company LLC", "Omega Trading Company LLC") < 0.5);
    CHECK(pair("Huayuan International Group", "Zhongxin International Group") < 0.5);
}

CKP_TEST(match_typos)
{
    REQUIRE(matcher());
    CHECK_STR(top("Rosoboronexprot", NULL, NULL), "ofac-18782");
    CHECK_STR(top("BANCO NACIONAL DE KUBA", NULL, NULL), "ofac-306");
    /* short words must be equal: one letter off in a 3-letter word is another word */
    CHECK(pair("Bin Ali", "Ben Ali") < 1.0);
}

CKP_TEST(match_cross_script_hits)
{
    REQUIRE(matcher());
    double s;
    /* Cyrillic query → the OpenSanctions entity with Latin caption */
    CHECK_STR(top("Виталий Кузьменко", NULL, &s), "NK-2Ka3UvopqbpZmVDFjWd4LA");
    CHECK_STR(top("Vitalij KUZMENKO", NULL, NULL), "NK-2Ka3UvopqbpZmVDFjWd4LA");
    CHECK_STR(top("Tatiana Zhuravleva", NULL, NULL), "NK-2KeUB68qUJtykm3BuAcazG");
    /* Greek legal form + Latin name */
    CHECK(strcmp(top("Εταιρία περιορισμένης ευθύνης Inter Tobacco", NULL, NULL), "") != 0);
    /* Han: 洛克希德·马丁公司 finds the MOFCOM entry through its Chinese name, and
     * the English name finds the same entry: the bilingual list is the bridge
     * (pinyin "luo ke xi de ma ding" does not resemble "Lockheed Martin") */
    CHECK_STR(top("洛克希德·马丁公司", NULL, &s), "mofcom-6");
    CHECK_NEAR(s, 1.0, 1e-9);
    CHECK_STR(top("Lockheed Martin Corporation", NULL, NULL), "mofcom-6");
    CHECK(pair("洛克希德·马丁公司", "Lockheed Martin Corporation") < 0.3);
}

CKP_TEST(match_explanation)
{
    REQUIRE(matcher());
    ckp_match_hit hits[3];
    ckp_match_opts o;
    ckp_match_opts_init(&o);
    const char *q = "Rosoboroneksport JSC";
    int n = ckp_match(matcher(), q, strlen(q), &o, hits, 3);
    REQUIRE(n >= 1);
    CHECK_STR(hits[0].party->id, "ofac-18782");
    CHECK(strstr(hits[0].explanation, "rosoboroneksport = rosoboroneksport 1.00") != NULL);
    CHECK(strstr(hits[0].explanation, "ignored: jsc (legal form/generic)") != NULL);
    CHECK(strstr(hits[0].explanation, "token score") != NULL);
}

CKP_TEST(match_country_adjusts)
{
    REQUIRE(matcher());
    double plain, agree, disagree;
    top("Rosoboronexprot", NULL, &plain);
    top("Rosoboronexprot", "RUS", &agree);
    top("Rosoboronexprot", "BRA", &disagree);
    CHECK(agree > plain);
    CHECK(disagree < plain);
}

CKP_TEST(match_nothing)
{
    REQUIRE(matcher());
    CHECK_STR(top("", NULL, NULL), "");
    CHECK_STR(top("   ,,, ", NULL, NULL), "");
    CHECK_STR(top("Zyxwvut Qqqqq Plonk", NULL, NULL), "");
}

/* Precision/recall floor on the labelled set (headline categories; see
 * tests/data/make_match_eval.py and docs/screening.md). */
CKP_TEST(match_eval_set)
{
    REQUIRE(matcher());
    ckp_csv *csv = NULL;
    ckp_error err;
    REQUIRE(ckp_csv_open(ckp_test_path("tests/data/match_eval.csv"), NULL, &csv, &err) ==
            CKP_OK);
    int c1 = ckp_csv_column(csv, "name1"), c2 = ckp_csv_column(csv, "name2"),
        cl = ckp_csv_column(csv, "label"), cc = ckp_csv_column(csv, "category");
    long tp = 0, fp = 0, fn = 0, rows = 0;
    while (ckp_csv_next(csv, &err) == 1) {
        ckp_field cat = ckp_csv_field(csv, (size_t)cc);
        if (ckp_field_eq(cat, "alias_disjoint") || ckp_field_eq(cat, "han_en"))
            continue;
        ckp_field a = ckp_csv_field(csv, (size_t)c1), b = ckp_csv_field(csv, (size_t)c2);
        double s = ckp_match_pair(matcher(), a.ptr, a.len, b.ptr, b.len, NULL, 0);
        int pos = ckp_field_eq(ckp_csv_field(csv, (size_t)cl), "1");
        int hit = s >= CKP_MATCH_THRESHOLD;
        tp += pos && hit;
        fp += !pos && hit;
        fn += pos && !hit;
        rows++;
    }
    ckp_csv_close(csv);
    CHECK(rows > 2500);
    double p = tp / (double)(tp + fp), r = tp / (double)(tp + fn);
    double f1 = 2 * p * r / (p + r);
    /* measured 0.947 / 0.855 / 0.899 with the threshold at 0.80 */
    CHECK(p >= 0.93);
    CHECK(r >= 0.84);
    CHECK(f1 >= 0.89);
}

/* The server's path: the shipped lists once per env, shared. */
CKP_TEST(match_index_from_env)
{
    REQUIRE(matcher());
    ckp_env *env = ckp_env_new(g_ref, ckp_test_path("data"), NULL);
    const ckp_index *a = NULL, *b = NULL;
    ckp_error err;
    REQUIRE(ckp_index_from_env(env, &a, &err) == CKP_OK);
    REQUIRE(ckp_index_from_env(env, &b, &err) == CKP_OK);
    CHECK(a == b);
    CHECK_INT(ckp_index_get_stats(a).names, ckp_index_get_stats(g_ix).names);
    ckp_env_free(env);
}

/* One index, several threads, each with its own matcher: the same answers. */
typedef struct thr {
    const ckp_index *ix;
    int found;
    double sum;
} thr;

static void *thr_run(void *arg)
{
    thr *t = arg;
    static const char *const qs[] = {"Rosoboronexprot", "Виталий Кузьменко", "洛克希德·马丁公司",
                                     "Banco Nacional de Cuba", "Inter Tobacco LLC",
                                     "Muhammad Abdullah"};
    ckp_matcher *m = NULL;
    ckp_error err;
    if (ckp_matcher_new(t->ix, &m, &err) != CKP_OK)
        return NULL;
    ckp_match_hit hits[5];
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
            int n = ckp_match(m, qs[i], strlen(qs[i]), NULL, hits, 5);
            t->found += n;
            for (int k = 0; k < n; k++)
                t->sum += hits[k].score;
        }
    }
    ckp_matcher_free(m);
    return NULL;
}

CKP_TEST(match_threads_share_index)
{
    REQUIRE(matcher());
    thr a = {g_ix, 0, 0}, b = {g_ix, 0, 0};
    pthread_t ta, tb;
    REQUIRE(pthread_create(&ta, NULL, thr_run, &a) == 0);
    REQUIRE(pthread_create(&tb, NULL, thr_run, &b) == 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.found > 0);
    CHECK_INT(a.found, b.found);
    CHECK_NEAR(a.sum, b.sum, 1e-9);
}

/* test_merge.c — partial results on shards and `merge` (merge.h): a small
 * world with known answers (annual and monthly rows of one flow, a silent
 * importer seen through mirror flows, a missing quantity), split by
 * reporter and by period; each verb's partials merged must give the bytes
 * the verb gives on the whole store.  Also: mismatched partials, a corrupt
 * line (both with file:line), an empty shard, a verb without partials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/analysis.h"
#include "chokepoint/ingest.h"
#include "chokepoint/merge.h"
#include "chokepoint/verb.h"
#include "test.h"

static const char *world_rows[] = {
    /* 2022: USA reports; its annual row beats its January row */
    "2022,USA,CHN,M,811292,900,9,kg",
    "2022-01,USA,CHN,M,811292,50,1,kg",
    "2022,USA,DEU,M,811292,100,1,kg",
    "2022,CHN,USA,X,811292,800,8,kg",
    "2022,CHN,JPN,X,811292,300,3,kg",
    "2022,DEU,JPN,X,811292,100,1,kg",
    "2022,JPN,CHN,M,811292,310,3,kg",
    "2022,JPN,DEU,M,811292,105,1,kg",
    /* 2023: USA silent (mirror); DEU's quantity missing */
    "2023,CHN,USA,X,811292,1000,10,kg",
    "2023,DEU,USA,X,811292,250,,kg",
    "2023,CHN,JPN,X,811292,400,4,kg",
    "2023,JPN,CHN,M,811292,420,4,kg",
    "2023-03,CHN,USA,X,811299,70,1,kg",
    "2023-04,CHN,USA,X,811299,80,1,kg",
    "2023-05,CHN,USA,X,811299,30,1,kg",
    NULL};

#define HEADER "period,reporter,partner,flow,hs,value,qty,unit\n"

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

/* The rows whose reporter (by_period = 0) or year (1) is `key`, or all. */
static int write_shard(const char *path, const char *key, int by_period)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs(HEADER, f);
    for (int i = 0; world_rows[i]; i++) {
        const char *r = world_rows[i];
        const char *field = by_period ? r : strchr(r, ',') + 1;
        if (!key || strncmp(field, key, strlen(key)) == 0)
            fprintf(f, "%s\n", r);
    }
    return fclose(f) == 0;
}

static ckp_args *make_args(const char *const *kv)
{
    ckp_args *a = ckp_args_new();
    for (int i = 0; kv && kv[i]; i += 2)
        ckp_args_set(a, kv[i], kv[i + 1]);
    return a;
}

/* The verb on a store, as JSON Lines (caller frees). */
static char *direct(const ckp_ref *ref, const char *store, const char *verb,
                    const char *const *kv)
{
    ckp_env *env = ckp_env_new(ref, ckp_test_path("data"), store);
    ckp_args *a = make_args(kv);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ckp_error err;
    ckp_status st = ckp_verb_run_json(ckp_verb_find(verb), env, a, 0, f, &err);
    fclose(f);
    ckp_args_free(a);
    ckp_env_free(env);
    if (st != CKP_OK) {
        fprintf(stderr, "%s: %s\n", verb, err.msg);
        free(buf);
        return NULL;
    }
    return buf;
}

/* The verb's partial on one shard file into out_path. */
static ckp_status partial(const ckp_ref *ref, const char *shard, const char *verb,
                          const char *const *kv, const char *out_path, ckp_error *err)
{
    ckp_env *env = ckp_env_new(ref, ckp_test_path("data"), NULL);
    ckp_env_set_input(env, shard);
    ckp_args *a = make_args(kv);
    FILE *f = fopen(out_path, "w");
    ckp_status st = f ? ckp_partial_run(ckp_verb_find(verb), env, a, f, err) : CKP_EIO;
    if (f)
        fclose(f);
    ckp_args_free(a);
    ckp_env_free(env);
    return st;
}

static char *merged(const ckp_ref *ref, const char *const *paths, int n, ckp_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *verb;
    ckp_status st = ckp_merge_run(ref, ckp_test_path("data"), paths, n, 0, CKP_FMT_JSON, f, &verb,
                                  NULL, 0, err);
    fclose(f);
    if (st != CKP_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

static const char *store_of_world(const ckp_ref *ref, const char *dir)
{
    static char store[1024];
    char whole[1024];
    snprintf(whole, sizeof whole, "%s/whole.csv", dir);
    snprintf(store, sizeof store, "%s/store", dir);
    if (!write_shard(whole, NULL, 0))
        return NULL;
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    ckp_ingest *ing;
    if (ckp_ingest_begin(store, ref, &o, &ing, NULL) != CKP_OK)
        return NULL;
    if (ckp_ingest_file(ing, whole, NULL) != CKP_OK) {
        ckp_ingest_abort(ing);
        return NULL;
    }
    return ckp_ingest_commit(ing, NULL, NULL) == CKP_OK ? store : NULL;
}

/* Shard the world (by reporter, then by year), run verb with --partial on
 * every shard, merge, compare with the whole store. */
/* Drop the coverage fields (the last two of each JSON line) in place:
 * coverage is computed from a store, and a merge has none (its rows say so,
 * docs/analytics.md "Coverage"); returns how many lines had them. */
static int drop_coverage(char *s)
{
    int n = 0;
    char *o = s;
    for (char *line = s; *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *cut = NULL;
        for (char *p = line; p + 12 <= line + len; p++)
            if (memcmp(p, ",\"coverage\":", 12) == 0)
                cut = p;
        size_t keep = cut ? (size_t)(cut - line) : len;
        memmove(o, line, keep);
        o += keep;
        if (cut) {
            *o++ = '}';
            n++;
        }
        if (end)
            *o++ = '\n';
        line += len + (end ? 1 : 0);
    }
    *o = '\0';
    return n;
}

static int same_as_whole(ckp_test_ctx *t_, const ckp_ref *ref, const char *dir,
                         const char *store, const char *verb, const char *const *kv)
{
    static const char *reporters[] = {"USA", "CHN", "DEU", "JPN", NULL};
    static const char *years[] = {"2022", "2023", "2024", NULL}; /* 2024: empty shard */
    char *want = direct(ref, store, verb, kv);
    if (!want) {
        CHECK(want != NULL);
        return 0;
    }
    int lines = 0;
    for (const char *p = want; *p; p++)
        lines += *p == '\n';
    CHECK(drop_coverage(want) == lines); /* every whole-store row has coverage */
    int ok = 1;
    for (int by = 0; by < 2; by++) {
        const char *const *keys = by ? years : reporters;
        char paths[4][1024];
        const char *pp[4];
        int n = 0;
        for (; keys[n]; n++) {
            char shard[1024];
            snprintf(shard, sizeof shard, "%s/shard-%s.csv", dir, keys[n]);
            snprintf(paths[n], sizeof paths[n], "%s/%s-%s.part", dir, verb, keys[n]);
            pp[n] = paths[n];
            ckp_error err;
            if (!write_shard(shard, keys[n], by) ||
                partial(ref, shard, verb, kv, paths[n], &err) != CKP_OK) {
                fprintf(stderr, "partial %s on %s: %s\n", verb, shard, err.msg);
                CHECK(0);
                ok = 0;
            }
        }
        ckp_error err;
        char *got = merged(ref, pp, n, &err);
        if (!got) {
            fprintf(stderr, "merge %s: %s:%ld: %s\n", verb, err.file, err.line, err.msg);
            CHECK(got != NULL);
            ok = 0;
            continue;
        }
        CHECK(strstr(got, "not computed when merging partial results") != NULL || !got[0]);
        drop_coverage(got);
        if (strcmp(got, want) != 0) {
            fprintf(stderr, "%s by %s:\n--- whole\n%s--- merged\n%s", verb,
                    by ? "year" : "reporter", want, got);
            CHECK(strcmp(got, want) == 0);
            ok = 0;
        }
        free(got);
    }
    free(want);
    return ok;
}

CKP_TEST(merge_matches_whole_store)
{
    ckp_ref *ref;
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, NULL) == CKP_OK);
    const char *dir = ckp_test_tmpdir();
    const char *store = store_of_world(ref, dir);
    REQUIRE(store);

    /* ground truth on the whole store first: USA 2022 reported (annual row
     * preferred over January), 2023 mirror (USA silent) */
    const char *dep[] = {"importer", "USA", "hs", "8112", NULL};
    char *out = direct(ref, store, "dependency", dep);
    REQUIRE(out);
    CHECK(strstr(out, "\"period\":\"2022\",\"supplier\":\"CHN\",\"value\":900,\"share\":0.9000,"
                      "\"rank\":1,\"hhi\":8200,\"source\":\"reported\"") != NULL);
    CHECK(strstr(out, "\"period\":\"2023\",\"supplier\":\"CHN\"") != NULL);
    CHECK(strstr(out, "\"source\":\"mirror\"") != NULL);
    free(out);

    const char *cp[] = {"limit", "0", NULL};
    CHECK(same_as_whole(t_, ref, dir, store, "chokepoints", cp));
    CHECK(same_as_whole(t_, ref, dir, store, "dependency", dep));
    const char *dep_m[] = {"importer", "USA", "hs", "811299", "from", "2023-01", "to", "2023-12",
                           NULL};
    CHECK(same_as_whole(t_, ref, dir, store, "dependency", dep_m));
    const char *conc[] = {"hs", "811292", NULL};
    CHECK(same_as_whole(t_, ref, dir, store, "concentration", conc));
    const char *conc_m[] = {"hs", "8112", "side", "importer", NULL};
    CHECK(same_as_whole(t_, ref, dir, store, "concentration", conc_m));
    const char *alt[] = {"importer", "USA", "hs", "811292", "exclude", "CHN", NULL};
    CHECK(same_as_whole(t_, ref, dir, store, "alternatives", alt));
    const char *sg[] = {"reporter", "CHN", "hs", "8112", NULL};
    CHECK(same_as_whole(t_, ref, dir, store, "surge", sg));
    const char *sg_ev[] = {"reporter", "CHN", "hs", "811299", "event", "2023-04-15", NULL};
    CHECK(same_as_whole(t_, ref, dir, store, "surge", sg_ev));
    ckp_ref_free(ref);
}

CKP_TEST(merge_errors_name_file_and_line)
{
    ckp_ref *ref;
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, NULL) == CKP_OK);
    const char *dir = ckp_test_tmpdir();
    char shard[1024], a[1024], b[1024], bad[1024];
    snprintf(shard, sizeof shard, "%s/err-shard.csv", dir);
    snprintf(a, sizeof a, "%s/err-a.part", dir);
    snprintf(b, sizeof b, "%s/err-b.part", dir);
    snprintf(bad, sizeof bad, "%s/err-bad.part", dir);
    REQUIRE(write_shard(shard, "USA", 0));
    ckp_error err;
    const char *k1[] = {"importer", "USA", "hs", "811292", NULL};
    const char *k2[] = {"importer", "JPN", "hs", "811292", NULL};
    REQUIRE(partial(ref, shard, "dependency", k1, a, &err) == CKP_OK);
    REQUIRE(partial(ref, shard, "dependency", k2, b, &err) == CKP_OK);

    /* different parameters: the second file's header line is named */
    const char *ab[] = {a, b};
    char *out = merged(ref, ab, 2, &err);
    CHECK(out == NULL);
    CHECK_STR(err.file, b);
    CHECK_INT(err.line, 1);
    CHECK(strstr(err.msg, "same parameters") != NULL);
    free(out);

    /* a different verb */
    const char *ck[] = {NULL};
    REQUIRE(partial(ref, shard, "chokepoints", ck, b, &err) == CKP_OK);
    out = merged(ref, ab, 2, &err);
    CHECK(out == NULL);
    CHECK(strstr(err.msg, "different verbs") != NULL);
    free(out);

    /* a corrupt line 3 */
    REQUIRE(write_text(bad, "{\"partial\":\"chokepoint\",\"version\":2,\"id\":\"x\",\"verb\":\"dependency\","
                            "\"args\":{\"importer\":[\"USA\"],\"hs\":[\"811292\"]}}\n"
                            "{\"hs\":\"811292\",\"reporter\":\"USA\",\"partner\":\"CHN\","
                            "\"flow\":\"M\",\"period\":[202200],\"value\":[9],\"qty\":[null]}\n"
                            "{\"hs\":\"811292\",\"reporter\":\"USA\",\"partner\":\"CHN\",\"flow\n"));
    const char *one[] = {bad};
    out = merged(ref, one, 1, &err);
    CHECK(out == NULL);
    CHECK_STR(err.file, bad);
    CHECK_INT(err.line, 3);
    free(out);
    /* a record with an unknown country, a newer format version */
    REQUIRE(write_text(bad, "{\"hs\":\"811292\",\"reporter\":\"XXX\",\"partner\":\"CHN\","
                            "\"flow\":\"M\",\"period\":[202200],\"value\":[9],\"qty\":[null]}\n"));
    out = merged(ref, one, 1, &err);
    CHECK(out == NULL && err.line == 1 && strstr(err.msg, "unknown country"));
    free(out);
    /* lists of different lengths */
    REQUIRE(write_text(bad, "{\"hs\":\"811292\",\"reporter\":\"USA\",\"partner\":\"CHN\","
                            "\"flow\":\"M\",\"period\":[202201,202202],\"value\":[9],"
                            "\"qty\":[null]}\n"));
    out = merged(ref, one, 1, &err);
    CHECK(out == NULL && err.line == 1 && strstr(err.msg, "same length"));
    free(out);
    REQUIRE(write_text(bad, "{\"partial\":\"chokepoint\",\"version\":99,\"verb\":\"dependency\","
                            "\"args\":{}}\n"));
    out = merged(ref, one, 1, &err);
    CHECK(out == NULL && err.line == 1 && strstr(err.msg, "version"));
    free(out);
    /* no header at all */
    REQUIRE(write_text(bad, ""));
    out = merged(ref, one, 1, &err);
    CHECK(out == NULL && strstr(err.msg, "no partial in this input"));
    free(out);

    /* verbs without partials refuse --partial */
    ckp_env *env = ckp_env_new(ref, ckp_test_path("data"), NULL);
    ckp_env_set_input(env, shard);
    ckp_args *args = make_args(NULL);
    ckp_args_set(args, "hs", "811292");
    FILE *f = fopen(b, "w");
    REQUIRE(f);
    CHECK_INT(ckp_partial_run(ckp_verb_find("mirror"), env, args, f, &err), CKP_EUSAGE);
    CHECK(ckp_partial_supported(ckp_verb_find("surge")));
    CHECK(!ckp_partial_supported(ckp_verb_find("unitvalue")));
    /* the producer side of concentration has no partial either */
    ckp_args_set(args, "side", "producer");
    CHECK_INT(ckp_partial_run(ckp_verb_find("concentration"), env, args, f, &err), CKP_EUSAGE);
    fclose(f);
    ckp_args_free(args);
    ckp_env_free(env);
    ckp_ref_free(ref);
}

CKP_TEST(merge_empty_shard)
{
    ckp_ref *ref;
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, NULL) == CKP_OK);
    const char *dir = ckp_test_tmpdir();
    char empty[1024], hdr[1024], p1[1024], p2[1024];
    snprintf(empty, sizeof empty, "%s/empty.csv", dir);
    snprintf(hdr, sizeof hdr, "%s/header-only.csv", dir);
    snprintf(p1, sizeof p1, "%s/empty.part", dir);
    snprintf(p2, sizeof p2, "%s/header-only.part", dir);
    REQUIRE(write_text(empty, ""));
    REQUIRE(write_text(hdr, HEADER));
    ckp_error err;
    const char *kv[] = {"limit", "0", NULL};
    CHECK_INT(partial(ref, empty, "chokepoints", kv, p1, &err), CKP_OK);
    CHECK_INT(partial(ref, hdr, "chokepoints", kv, p2, &err), CKP_OK);
    const char *pp[] = {p1, p2};
    char *out = merged(ref, pp, 2, &err);
    CHECK(out != NULL);
    CHECK(out && out[0] == '\0');
    free(out);
    ckp_ref_free(ref);
}

/* test_verbs.c — hs, country and match as library verbs (verb.h): their
 * plans (columns by argument and format), positional arguments, and the
 * parameters refused over HTTP (server_ok 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/verb.h"
#include "test.h"

/* Run verb with positional pos (NULL: none) and name/value pairs kv as the
 * server would (from_server) into a string (caller frees); *st gets the
 * status. */
static char *run_verb(ckp_env *env, const char *verb, const char *pos, const char *const *kv,
                      int from_server, ckp_status *st)
{
    ckp_args *a = ckp_args_new();
    if (pos)
        ckp_args_add_pos(a, pos);
    for (int i = 0; kv && kv[i]; i += 2)
        ckp_args_set(a, kv[i], kv[i + 1]);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ckp_error err;
    ckp_error_clear(&err);
    *st = ckp_verb_run_json(ckp_verb_find(verb), env, a, from_server, f, &err);
    fclose(f);
    ckp_args_free(a);
    return buf;
}

/* An env over the shipped reference data and no store. */
static ckp_status env_open(ckp_env **env)
{
    ckp_ref *ref = NULL;
    *env = NULL;
    ckp_status st = ckp_ref_load(ckp_test_path("data"), &ref, NULL);
    if (st != CKP_OK)
        return st;
    *env = ckp_env_new(ref, ckp_test_path("data"), NULL);
    if (*env)
        return CKP_OK;
    ckp_ref_free(ref);
    return CKP_ENOMEM;
}

static void env_close(ckp_env *env)
{
    ckp_ref *ref = (ckp_ref *)ckp_env_ref(env);
    ckp_env_free(env);
    ckp_ref_free(ref);
}

CKP_TEST(verbs_hs_country_match_registered)
{
    const char *names[] = {"hs", "country", "match"};
    for (size_t i = 0; i < 3; i++) {
        const ckp_verb *v = ckp_verb_find(names[i]);
        CHECK(v != NULL);
        CHECK(v && v->run != NULL);
        CHECK(v && (v->flags & CKP_VERB_NO_STORE));
        CHECK(v && !(v->flags & CKP_VERB_CLI_ONLY));
    }
}

CKP_TEST(verbs_hs_plan_picks_the_edition_columns)
{
    ckp_env *env;
    REQUIRE(env_open(&env) == CKP_OK);
    ckp_status st;
    char *both = run_verb(env, "hs", "811292", NULL, 1, &st);
    CHECK_INT(st, CKP_OK);
    CHECK(both && strstr(both, "\"hs2017_description\":"));
    const char *kv[] = {"edition", "2017", NULL};
    char *e17 = run_verb(env, "hs", "811292", kv, 1, &st);
    CHECK_INT(st, CKP_OK);
    CHECK(e17 && strstr(e17, "\"hs2022\":") && !strstr(e17, "hs2017_description"));
    const char *bad[] = {"edition", "1999", NULL};
    free(run_verb(env, "hs", "811292", bad, 1, &st));
    CHECK_INT(st, CKP_EUSAGE);
    const char *groups[] = {"groups", "/etc/passwd", NULL};
    free(run_verb(env, "hs", "81", groups, 1, &st));
    CHECK_INT(st, CKP_EUSAGE); /* server_ok 0: no local file over HTTP */
    free(run_verb(env, "hs", NULL, NULL, 1, &st));
    CHECK_INT(st, CKP_EUSAGE); /* neither a query nor --list */
    free(both);
    free(e17);
    env_close(env);
}

CKP_TEST(verbs_country_rows_and_errors)
{
    ckp_env *env;
    REQUIRE(env_open(&env) == CKP_OK);
    ckp_status st;
    char *usa = run_verb(env, "country", "842", NULL, 1, &st);
    CHECK_INT(st, CKP_OK);
    CHECK(usa && strstr(usa, "\"iso3\":\"USA\",\"iso2\":\"US\",\"iso_num\":840"));
    free(run_verb(env, "country", "Atlantis", NULL, 1, &st));
    CHECK_INT(st, CKP_ENOTFOUND);
    free(run_verb(env, "country", NULL, NULL, 1, &st));
    CHECK_INT(st, CKP_EUSAGE);
    free(usa);
    env_close(env);
}

CKP_TEST(verbs_match_name_mode_and_server_refusals)
{
    ckp_env *env;
    REQUIRE(env_open(&env) == CKP_OK);
    ckp_status st;
    const char *one[] = {"name", "Banco Nacional de Cuba", "limit", "1", NULL};
    char *hit = run_verb(env, "match", NULL, one, 1, &st);
    CHECK_INT(st, CKP_OK);
    CHECK(hit && strstr(hit, "\"query\":\"Banco Nacional de Cuba\",\"hits\":[{\"id\":\"ofac-306\""));
    /* a second run takes the pooled matcher of the first */
    char *again = run_verb(env, "match", "Banco Nacional de Cuba", one + 2, 1, &st);
    CHECK_INT(st, CKP_OK);
    CHECK(hit && again && strcmp(hit, again) == 0);
    const char *pairs[] = {"name", "x", "pairs", "/etc/passwd", NULL};
    free(run_verb(env, "match", NULL, pairs, 1, &st));
    CHECK_INT(st, CKP_EUSAGE);
    const char *lists[] = {"name", "x", "lists", "/etc/passwd", NULL};
    free(run_verb(env, "match", NULL, lists, 1, &st));
    CHECK_INT(st, CKP_EUSAGE);
    const char *thr[] = {"name", "x", "threshold", "2", NULL};
    free(run_verb(env, "match", NULL, thr, 1, &st));
    CHECK_INT(st, CKP_EUSAGE);
    free(run_verb(env, "match", NULL, NULL, 1, &st));
    CHECK_INT(st, CKP_EUSAGE); /* no NAME, --batch or --pairs */
    free(hit);
    free(again);
    env_close(env);
}

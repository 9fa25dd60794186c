/* test_verb.c — the verb runtime (src/verb): the registry's order and flags,
 * and the env's flows (flows.h): a flow source's answers, the store's when
 * none is set, no store opened behind a stand-alone source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/flows.h"
#include "chokepoint/verb.h"
#include "test.h"

/* The registry lists the verbs in their order keys' order (the order of
 * --help, the man page and /api/verbs, checked by golden cases too): these
 * in this order, whatever verbs are added between them. */
CKP_TEST(verb_registry_order)
{
    static const char *const names[] = {"measures",  "dependency",   "chokepoints", "surge",
                                        "concentration", "alternatives", "production", "info",
                                        "diversion", "mirror",       "unitvalue"};
    static const int flows[] = {0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1};
    size_t n = sizeof names / sizeof names[0], k = 0;
    int count = 0;
    for (int i = 0; ckp_verb_at(i); i++, count++)
        if (k < n && strcmp(ckp_verb_at(i)->name, names[k]) == 0)
            k++;
    CHECK_INT((int)k, (int)n); /* all of them, in order */
    for (size_t i = 0; i < n; i++) {
        const ckp_verb *v = ckp_verb_find(names[i]);
        REQUIRE(v != NULL);
        CHECK_STR(v->name, names[i]);
        CHECK_INT(ckp_verb_reads_flows(v), flows[i]);
    }
    CHECK(ckp_verb_at(-1) == NULL);
    CHECK(ckp_verb_at(count) == NULL);
    CHECK(ckp_verb_find("no-such-verb") == NULL);
}

/* A fake source: two countries (ref ids 7 and 3), periods 2021, 2022; only
 * id 3 reports, and only imports; one synthetic store source. */
static int fake_ncountries(const void *self) { return *(const int *)self; }
static int fake_country(const void *self, int i) { return i == 0 ? 7 : i == 1 ? 3 : -1; }
static int fake_nperiods(const void *self) { return 2; }
static int32_t fake_period(const void *self, int i) { return i == 0 ? 202100 : 202200; }
static int fake_has(const void *self, int reporter, int flow, int32_t from, int32_t to)
{
    return reporter == 3 && flow != 'X';
}
static const char *fake_source(const void *self, int i, int *synthetic)
{
    *synthetic = 1;
    return i == 0 ? "synthetic-a" : NULL;
}
static ckp_status fake_collect(void *self, const void *collector, ckp_error *err)
{
    return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "not collected here");
}

CKP_TEST(verb_flows_from_a_source)
{
    /* a store directory that does not exist: opening it would fail */
    ckp_env *env = ckp_env_new(NULL, ckp_test_path("data"), "/nonexistent/chokepoint-store");
    REQUIRE(env != NULL);
    CHECK(ckp_env_flows(env) == NULL);
    CHECK_INT(ckp_flows_ncountries(env), 0); /* no store open */
    CHECK_INT(ckp_flows_country(env, 0), -1);
    CHECK_INT(ckp_flows_stand_alone(env), 0);
    int on, synth;
    const char *cur;
    CHECK(ckp_flows_source(env, 0, &on, &synth, &cur) == NULL);

    int two = 2;
    ckp_flow_source src = {fake_collect, fake_ncountries, fake_country, fake_nperiods,
                           fake_period, fake_has, fake_source, 1, 0, &two};
    ckp_env_set_flows(env, &src);
    CHECK(ckp_env_flows(env) == &src);
    CHECK_INT(ckp_flows_ncountries(env), 2);
    CHECK_INT(ckp_flows_country(env, 1), 3);
    CHECK_INT(ckp_flows_nperiods(env), 2);
    CHECK_INT(ckp_flows_period(env, 1), 202200);
    CHECK_INT(ckp_flows_has(env, 3, 'M', 0, 0), 1);
    CHECK_INT(ckp_flows_has(env, 3, 'X', 0, 0), 0);
    CHECK_INT(ckp_flows_has(env, 7, 0, 0, 0), 0);
    CHECK_INT(ckp_flows_stand_alone(env), 1);
    CHECK_INT(ckp_flows_hs6_only(env), 0);
    CHECK_STR(ckp_flows_source(env, 0, &on, &synth, &cur), "synthetic-a");
    CHECK_INT(on, 1);
    CHECK_INT(synth, 1);
    CHECK_STR(cur, "");
    CHECK(ckp_flows_source(env, 1, &on, &synth, &cur) == NULL);

    /* stand-alone: no store is opened (the missing directory is not read) */
    const ckp_store *store = (const ckp_store *)&two;
    ckp_error err;
    CHECK_INT(ckp_env_store(env, &store, &err), CKP_OK);
    CHECK(store == NULL);

    /* cleared: back to the store, which now fails to open, loudly */
    ckp_env_set_flows(env, NULL);
    CHECK(ckp_env_flows(env) == NULL);
    CHECK(ckp_env_store(env, &store, &err) != CKP_OK);
    ckp_env_free(env);
}

/* Registers: keyed by the module's descriptor, loaded once, a failed load
 * tried again, per-store ones freed when the store is swapped, all freed
 * with the env (ASan checks the frees). */
static int loads;
static ckp_status count_load(ckp_env *env, void **ptr, ckp_error *err)
{
    int *p = malloc(sizeof *p);
    if (!p)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    *p = ++loads;
    *ptr = p;
    return CKP_OK;
}
static ckp_status fail_load(ckp_env *env, void **ptr, ckp_error *err)
{
    return ckp_error_set(err, CKP_EIO, "reg.csv", 3, 0, "unreadable");
}

CKP_TEST(verb_env_slots)
{
    static const ckp_env_slot_def kept = {"kept", count_load, free, 0};
    static const ckp_env_slot_def of_store = {"of the store", count_load, free, 1};
    static const ckp_env_slot_def broken = {"broken", fail_load, free, 0};
    ckp_env *env = ckp_env_new(NULL, NULL, NULL);
    REQUIRE(env != NULL);
    loads = 0;
    void *a = NULL, *b = NULL, *c = NULL;
    ckp_error err;
    CHECK_INT(ckp_env_slot(env, &kept, &a, &err), CKP_OK);
    CHECK_INT(ckp_env_slot(env, &of_store, &b, &err), CKP_OK);
    CHECK_INT(ckp_env_slot(env, &kept, &c, &err), CKP_OK);
    CHECK(a == c); /* loaded once */
    CHECK_INT(loads, 2);
    CHECK_INT(ckp_env_slot(env, &broken, &c, &err), CKP_EIO);
    CHECK(c == NULL);
    CHECK_INT(ckp_env_slot(env, &broken, &c, &err), CKP_EIO); /* tried again, still loud */
    CHECK(ckp_env_swap_store(env, NULL) == NULL); /* no store was open */
    CHECK_INT(ckp_env_slot(env, &kept, &c, &err), CKP_OK);
    CHECK(a == c && loads == 2);                 /* kept across the swap */
    CHECK_INT(ckp_env_slot(env, &of_store, &c, &err), CKP_OK);
    CHECK_INT(*(int *)c, 3);                     /* reloaded after the swap */
    ckp_env_free(env);
    ckp_env_free(NULL);
}

/* The accessors give back what was set. */
CKP_TEST(verb_env_accessors)
{
    ckp_env *env = ckp_env_new(NULL, "/d", "/s");
    REQUIRE(env != NULL);
    CHECK_STR(ckp_env_data_dir(env), "/d");
    CHECK_STR(ckp_env_store_dir(env), "/s");
    CHECK(ckp_env_sources(env) == NULL);
    ckp_env_set_sources(env, "synthetic");
    CHECK_STR(ckp_env_sources(env), "synthetic");
    CHECK(ckp_env_store_if_open(env) == NULL);
    CHECK(ckp_env_input_rows(env) == 0 && ckp_env_input_rejected(env) == 0);
    ckp_env_free(env);
}

/* Every caller of run checks its answer the same way: the run's error
 * first, then infinite numbers (with the store hint only when a store stands
 * behind the flows). */
CKP_TEST(verb_check_answer)
{
    static const ckp_column cols[] = {{"value", CKP_COL_NUM, 2}};
    ckp_env *env = ckp_env_new(NULL, NULL, NULL);
    REQUIRE(env != NULL);
    FILE *f = fopen("/dev/null", "w");
    REQUIRE(f != NULL);
    ckp_writer *w = ckp_writer_new(f, CKP_FMT_JSON, cols, 1);
    REQUIRE(w != NULL);
    ckp_error err;
    CHECK_INT(ckp_verb_check_answer(env, w, CKP_OK, &err), CKP_OK);
    ckp_writer_num(w, 1e308 * 10);
    ckp_writer_end_row(w);
    CHECK_INT(ckp_verb_check_answer(env, w, CKP_EIO, &err), CKP_EIO); /* the run's own error */
    CHECK_INT(ckp_verb_check_answer(env, w, CKP_OK, &err), CKP_ELIMIT);
    CHECK(strstr(err.msg, "1 numbers of the result are infinite") != NULL);
    CHECK(strstr(err.msg, "1e15 USD in the store") != NULL);
    int two = 2;
    ckp_flow_source merged = {fake_collect, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, &two};
    ckp_env_set_flows(env, &merged);
    CHECK_INT(ckp_verb_check_answer(env, w, CKP_OK, &err), CKP_ELIMIT);
    CHECK(strstr(err.msg, "in the store") == NULL); /* merged partials: no store */
    ckp_writer_free(w);
    fclose(f);
    ckp_env_free(env);
}

/* test_server.c — the server's request handling without a socket, case
 * decisions and the audit trail, the token and the rate limit, and the
 * report's assets and views.
 *
 * The server is not part of the library (server/ is linked into the binary
 * only), so its sources are compiled into this test directly. */
#define _XOPEN_SOURCE 700 /* nftw, in server/serve.c */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "../../server/cases.c"
#include "../../server/guard.c"
#include "../../server/http.c"
#include "../../server/serve.c"
#include "chokepoint/report.h"
#include "test.h"

/* A server context over the shipped data, a fresh db, and no store. */
static int open_srv(srv *s, const char *tag)
{
    static char db[512], store[512], data[4096];
    snprintf(db, sizeof db, "%s/%s.db", ckp_test_tmpdir(), tag);
    snprintf(store, sizeof store, "%s/%s.nostore", ckp_test_tmpdir(), tag);
    snprintf(data, sizeof data, "%s", ckp_test_path("data")); /* outlives the server */
    srv_config cfg = {"127.0.0.1:0", db, store, data, 0, 0, 0, 1, 1};
    const char *tok = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    if (srv_open(s, &cfg, &tok, &err) != CKP_OK) {
        fprintf(stderr, "srv_open: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* GET/POST target → response (status); body copied to out when non-NULL. */
static int call(srv *s, const char *method, const char *target, const char *auth,
                const char *body, char *out, size_t n)
{
    char buf[8192];
    srv_kv kv[SRV_MAX_QUERY];
    srv_request rq;
    memset(&rq, 0, sizeof rq);
    int bad = srv_parse_target(target, buf, sizeof buf, kv, SRV_MAX_QUERY, &rq);
    if (bad)
        return bad;
    rq.method = method;
    rq.auth = auth;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    rq.client = "127.0.0.1";
    srv_response rs;
    srv_handle(s, &rq, &rs);
    if (out && n) {
        size_t k = rs.len < n - 1 ? rs.len : n - 1;
        memcpy(out, rs.body ? rs.body : "", k);
        out[k] = '\0';
    }
    int st = rs.status;
    srv_response_free(&rs);
    return st;
}

CKP_TEST(server_parse_target)
{
    char buf[512];
    srv_kv kv[4];
    srv_request rq;
    memset(&rq, 0, sizeof rq);
    CHECK_INT(srv_parse_target("/api/x%20y?a=1&b=Hello+W%C3%B6rld&c&=e", buf, sizeof buf, kv, 4,
                               &rq), 0);
    CHECK_STR(rq.path, "/api/x y");
    REQUIRE(rq.nquery == 4);
    CHECK_STR(kv[0].key, "a");
    CHECK_STR(kv[0].value, "1");
    CHECK_STR(kv[1].value, "Hello W\xc3\xb6rld");
    CHECK_STR(kv[2].key, "c");
    CHECK_STR(kv[2].value, "");
    CHECK_STR(kv[3].key, "");
    CHECK_INT(srv_parse_target("/a?x=%4", buf, sizeof buf, kv, 4, &rq), 400);
    CHECK_INT(srv_parse_target("/a?x=%zz", buf, sizeof buf, kv, 4, &rq), 400);
    CHECK_INT(srv_parse_target("/a%00b", buf, sizeof buf, kv, 4, &rq), 400);
    CHECK_INT(srv_parse_target("/a?1&2&3&4&5", buf, sizeof buf, kv, 4, &rq), 414);
    CHECK_INT(srv_parse_target("/a?&&&", buf, sizeof buf, kv, 4, &rq), 0);
    CHECK_INT(rq.nquery, 0);
}

CKP_TEST(server_routes_and_errors)
{
    static srv s;
    REQUIRE(open_srv(&s, "routes") == 0);
    char out[4096];
    CHECK_INT(call(&s, "GET", "/api/verbs", NULL, NULL, out, sizeof out), 200);
    CHECK(strstr(out, "\"verbs\"") != NULL);
    CHECK_INT(call(&s, "GET", "/api/no-such-verb", NULL, NULL, out, sizeof out), 404);
    CHECK(strncmp(out, "{\"error\":", 9) == 0);
    CHECK_INT(call(&s, "GET", "/api/verbs?x=1", NULL, NULL, out, sizeof out), 400);
    CHECK_INT(call(&s, "DELETE", "/api/verbs", NULL, NULL, out, sizeof out), 405);
    CHECK_INT(call(&s, "GET", "/etc/passwd", NULL, NULL, out, sizeof out), 404);
    CHECK_INT(call(&s, "GET", "/assets/../../etc/passwd", NULL, NULL, out, sizeof out), 404);
    CHECK_INT(call(&s, "GET", "/assets/%2e%2e%2fMakefile", NULL, NULL, out, sizeof out), 404);
    CHECK_INT(call(&s, "POST", "/api/verbs", NULL, "{}", out, sizeof out), 405);
    CHECK_INT(call(&s, "GET", "/api/view", NULL, NULL, out, sizeof out), 400);
    CHECK_INT(call(&s, "GET", "/api/view?name=nope", NULL, NULL, out, sizeof out), 404);
    if (ckp_verb_find("measures")) {
        CHECK_INT(call(&s, "GET", "/api/measures", NULL, NULL, out, sizeof out), 200);
        CHECK(strncmp(out, "{\"rows\":[", 9) == 0);
        CHECK_INT(call(&s, "GET", "/api/measures?bogus=1", NULL, NULL, out, sizeof out), 400);
        CHECK(strstr(out, "bogus") != NULL);
        CHECK_INT(call(&s, "GET", "/api/measures?measures=/etc/passwd", NULL, NULL, out,
                       sizeof out), 400);
        CHECK_INT(call(&s, "GET", "/api/view?name=measures", NULL, NULL, out, sizeof out), 200);
    }
    if (ckp_asset_find("dashboard.html")) {
        CHECK_INT(call(&s, "GET", "/", NULL, NULL, out, sizeof out), 200);
        CHECK(strstr(out, "<!doctype html>") != NULL);
        CHECK_INT(call(&s, "GET", "/assets/dashboard.js", NULL, NULL, out, sizeof out), 200);
    }
    srv_close(&s);
}

CKP_TEST(server_decisions_and_audit)
{
    static srv s;
    REQUIRE(open_srv(&s, "cases") == 0);
    char out[8192], auth[200];
    const char *dec = "{\"id\":\"a-1\",\"decision\":\"cleared\",\"reason\":\"same name, other "
                      "person\",\"entry_hash\":\"h1\",\"subject\":\"S1\"}";
    CHECK_INT(call(&s, "POST", "/api/decisions", NULL, dec, out, sizeof out), 401);
    CHECK_INT(call(&s, "POST", "/api/decisions", "Bearer nope-nope-nope-nope", dec, out,
                   sizeof out), 401);
    snprintf(auth, sizeof auth, "Bearer %s", srv_guard_token(s.guard));
    CHECK_INT(call(&s, "POST", "/api/decisions", auth, dec, out, sizeof out), 200);
    CHECK(strstr(out, "\"seq\":1") != NULL);
    /* validation */
    CHECK_INT(call(&s, "POST", "/api/decisions", auth, "{\"id\":\"a-2\"}", out, sizeof out), 400);
    CHECK_INT(call(&s, "POST", "/api/decisions", auth,
                   "{\"id\":\"a-2\",\"decision\":\"maybe\",\"reason\":\"x\"}", out, sizeof out),
              400);
    CHECK_INT(call(&s, "POST", "/api/decisions", auth,
                   "{\"id\":\"a-2\",\"decision\":\"cleared\",\"reason\":\"x\",\"extra\":1}", out,
                   sizeof out), 400);
    CHECK_INT(call(&s, "POST", "/api/decisions", auth, "not json", out, sizeof out), 400);
    CHECK_INT(call(&s, "POST", "/api/decisions", auth, "[1,2]", out, sizeof out), 400);
    CHECK_INT(call(&s, "POST", "/api/decisions", auth,
                   "{\"id\":\"a-1\",\"decision\":\"escalated\",\"reason\":\"second look\","
                   "\"by\":\"ana\",\"entry_hash\":\"h1\"}",
                   out, sizeof out), 200);
    /* the audit keeps both, the standing decision is the last */
    CHECK_INT(call(&s, "GET", "/api/audit", NULL, NULL, out, sizeof out), 200);
    CHECK(strstr(out, "\"action\":\"cleared\"") != NULL);
    CHECK(strstr(out, "\"action\":\"escalated\"") != NULL);
    CHECK(strstr(out, "ana (token: admin)") != NULL);
    CHECK_INT(call(&s, "GET", "/api/audit?format=csv", NULL, NULL, out, sizeof out), 200);
    CHECK(strncmp(out, "seq,at,by,action", 16) == 0);
    CHECK_INT(call(&s, "GET", "/api/audit?format=xml", NULL, NULL, out, sizeof out), 400);
    char buf[32];
    CHECK_STR(srv_cases_lookup(s.cases, "a-1", "h1", buf, sizeof buf), "escalated");
    CHECK_STR(srv_cases_lookup(s.cases, "a-1", "h2", buf, sizeof buf), "stale");
    CHECK(srv_cases_lookup(s.cases, "a-9", "h1", buf, sizeof buf) == NULL);
    /* the audit table refuses UPDATE and DELETE */
    sqlite3 *db = NULL;
    REQUIRE(sqlite3_open(s.cfg.db_path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "UPDATE audit SET reason='x'", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL) != SQLITE_OK);
    sqlite3_stmt *q = NULL;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit", -1, &q, NULL) == SQLITE_OK);
    REQUIRE(sqlite3_step(q) == SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(q, 0), 2);
    sqlite3_finalize(q);
    sqlite3_close(db);
    /* the token file is private */
    char tpath[600];
    snprintf(tpath, sizeof tpath, "%s.token", s.cfg.db_path);
    struct stat sb;
    REQUIRE(stat(tpath, &sb) == 0);
    CHECK_INT(sb.st_mode & 0777, 0600);
    srv_close(&s);
    /* reopening keeps the decisions and the token */
    REQUIRE(open_srv(&s, "cases") == 0);
    CHECK_STR(srv_cases_lookup(s.cases, "a-1", "h1", buf, sizeof buf), "escalated");
    CHECK_INT(call(&s, "POST", "/api/decisions", auth, dec, out, sizeof out), 200);
    srv_close(&s);
}

CKP_TEST(server_rate_limit)
{
    char path[512];
    snprintf(path, sizeof path, "%s/rate.token", ckp_test_tmpdir());
    srv_guard *g = NULL;
    int created = 0;
    REQUIRE(srv_guard_open(path, 0.001, 3, &g, &created, NULL) == CKP_OK);
    CHECK_INT(created, 1);
    CHECK(srv_guard_allow(g, "10.0.0.1"));
    CHECK(srv_guard_allow(g, "10.0.0.1"));
    CHECK(srv_guard_allow(g, "10.0.0.1"));
    CHECK(!srv_guard_allow(g, "10.0.0.1"));
    CHECK(srv_guard_allow(g, "10.0.0.2")); /* another client has its own bucket */
    CHECK(srv_guard_check(g, "Bearer") == NULL);
    char auth[200];
    snprintf(auth, sizeof auth, "Bearer %s", srv_guard_token(g));
    CHECK_STR(srv_guard_check(g, auth), "admin");
    auth[strlen(auth) - 1] ^= 1;
    CHECK(srv_guard_check(g, auth) == NULL);
    CHECK_INT((int)strlen(srv_guard_token(g)), 64);
    srv_guard_close(g);
    /* a token file readable by others is refused */
    chmod(path, 0644);
    CHECK(srv_guard_open(path, 0, 0, &g, &created, NULL) != CKP_OK);
}

CKP_TEST(report_page_degrades)
{
    ckp_ref *ref = NULL;
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, NULL) == CKP_OK);
    char store[512];
    snprintf(store, sizeof store, "%s/no.store", ckp_test_tmpdir());
    static char data[4096];
    snprintf(data, sizeof data, "%s", ckp_test_path("data")); /* outlives the env */
    ckp_env env;
    ckp_env_init(&env, ref, data, store);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    REQUIRE(f != NULL);
    ckp_report_opts o = {"Test <report>", NULL, 5};
    ckp_report_stats st;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_status rc = ckp_report_write(&env, &o, f, &st, &err);
    fclose(f);
    if (ckp_asset_find("report.html")) {
        CHECK_INT(rc, CKP_OK);
        CHECK(strstr(buf, "Test &lt;report&gt;") != NULL);
        CHECK(strstr(buf, "id=\"ckp-data\"") != NULL);
        /* no network at view time: nothing is loaded from elsewhere */
        CHECK(strstr(buf, "src=\"http") == NULL);
        CHECK(strstr(buf, "href=\"http") == NULL);
        CHECK(st.sections >= 1);
    } else {
        CHECK_INT(rc, CKP_ENOTFOUND);
    }
    free(buf);
    /* views: unknown name and bad parameters are errors, missing data is a note */
    ckp_args *a = ckp_args_new();
    f = open_memstream(&buf, &len);
    CHECK_INT(ckp_report_view(&env, "nope", a, 1, f, &err), CKP_ENOTFOUND);
    ckp_args_set(a, "hs", "811292");
    CHECK_INT(ckp_report_view(&env, "exports", a, 1, f, &err), CKP_EUSAGE); /* no reporter */
    ckp_args_set(a, "reporter", "CHN");
    CHECK_INT(ckp_report_view(&env, "exports", a, 1, f, &err), CKP_OK);
    fclose(f);
    CHECK(strstr(buf, "\"note\":") != NULL);
    free(buf);
    ckp_args_free(a);
    ckp_env_close(&env);
    ckp_ref_free(ref);
}

/* A tiny store with known flows: the exports view sums by partner, counts a
 * flow reported by two sources once, marks synthetic sources, and falls back
 * to the partners' reports when the exporter does not report. */
CKP_TEST(report_exports_view)
{
    ckp_ref *ref = NULL;
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, NULL) == CKP_OK);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/exports.store", ckp_test_tmpdir());
    ckp_store_writer *w = NULL;
    REQUIRE(ckp_store_writer_begin(dir, ref, 1, &w, NULL) == CKP_OK);
    int obs = ckp_store_writer_source(w, "observed", 0);
    int syn = ckp_store_writer_source(w, "synth-test", 1);
    int chn = ckp_ref_country_by_iso3(ref, "CHN"), usa = ckp_ref_country_by_iso3(ref, "USA");
    int jpn = ckp_ref_country_by_iso3(ref, "JPN"), rus = ckp_ref_country_by_iso3(ref, "RUS");
    struct { int p, r, pa, fl; double v; int src; } rows[] = {
        {202301, chn, usa, 'X', 100, 0}, {202301, chn, usa, 'X', 100, 1},
        {202301, chn, jpn, 'X', 50, 0},  {202302, chn, usa, 'X', 30, 0},
        {202303, usa, rus, 'M', 7, 1}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ckp_flow f = {rows[i].p, rows[i].r, rows[i].pa, rows[i].fl, 811292, CKP_HS2022,
                      rows[i].v, NAN, 1, CKP_UNIT_KG, rows[i].src ? syn : obs};
        REQUIRE(ckp_store_writer_add(w, &f, NULL) == CKP_OK);
    }
    REQUIRE(ckp_store_writer_commit(w, NULL) == CKP_OK);
    static char data[4096];
    snprintf(data, sizeof data, "%s", ckp_test_path("data")); /* outlives the env */
    ckp_env env;
    ckp_env_init(&env, ref, data, dir);
    env.sources = "all"; /* as `serve` and `report` do: synthetic sections are badged */

    ckp_args *a = ckp_args_new();
    ckp_args_set(a, "reporter", "CHN");
    ckp_args_set(a, "hs", "811292");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ckp_error err;
    CHECK_INT(ckp_report_view(&env, "exports", a, 1, f, &err), CKP_OK);
    fclose(f);
    json_t *sec = json_loads(buf, 0, NULL);
    REQUIRE(sec != NULL);
    json_t *rs = json_object_get(sec, "rows");
    CHECK_INT(json_array_size(rs), 3);
    double usa_jan = -1;
    size_t i;
    json_t *r;
    json_array_foreach(rs, i, r) {
        if (strcmp(json_string_value(json_object_get(r, "period")), "2023-01") == 0 &&
            strcmp(json_string_value(json_object_get(r, "partner")), "USA") == 0)
            usa_jan = json_number_value(json_object_get(r, "value"));
    }
    CHECK_NEAR(usa_jan, 100, 1e-9); /* the second source's copy counts once */
    CHECK(json_is_false(json_object_get(sec, "synthetic")));
    CHECK(json_object_get(sec, "chart") && !json_is_null(json_object_get(sec, "chart")));
    json_decref(sec);
    free(buf);
    ckp_args_free(a);

    /* Russia does not report: the USA's import report stands in, synthetic */
    a = ckp_args_new();
    ckp_args_set(a, "reporter", "RUS");
    ckp_args_set(a, "hs", "811292");
    f = open_memstream(&buf, &len);
    CHECK_INT(ckp_report_view(&env, "exports", a, 1, f, &err), CKP_OK);
    fclose(f);
    sec = json_loads(buf, 0, NULL);
    REQUIRE(sec != NULL);
    CHECK_INT(json_array_size(json_object_get(sec, "rows")), 1);
    CHECK(json_is_true(json_object_get(sec, "synthetic")));
    CHECK(strstr(json_string_value(json_object_get(sec, "caption")), "mirror") != NULL);
    json_decref(sec);
    free(buf);
    ckp_args_free(a);
    ckp_env_close(&env);
    ckp_ref_free(ref);
}

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
#include "../../server/gate.c"
#include "../../server/guard.c"
#include "../../server/http.c"
#include "../../server/query.c"
#include "../../server/rows.c"
#include "../../server/http_cache.c"
#include "../../server/http_cases.c"
#include "../../server/http_screen.c"
#include "../../server/http_verbs.c"
#include "../../server/serve.c"
#include "../../server/watch.c"
#include "../../server/yente.c"
#include "chokepoint/report.h"
#include "test.h"

/* A server context over the shipped data, a fresh db, and no store. */
static int open_srv(srv *s, const char *tag)
{
    static char db[512], store[512], data[4096];
    snprintf(db, sizeof db, "%s/%s.db", ckp_test_tmpdir(), tag);
    snprintf(store, sizeof store, "%s/%s.nostore", ckp_test_tmpdir(), tag);
    snprintf(data, sizeof data, "%s", ckp_test_path("data")); /* outlives the server */
    srv_config cfg = {"127.0.0.1:0", db, store, data, 0, 0, 0, 1, 1, NULL, 0, 0, NULL};
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
    CHECK(strstr(out, "\"by\":\"ana\"") != NULL);
    CHECK(strstr(out, "\"user\":\"admin\"") != NULL);
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

/* Rows in the audit table of the server's database. */
static long audit_rows(const char *db_path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    long n = -1;
    if (sqlite3_open(db_path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM audit", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

static int sql(const char *db_path, const char *stmt)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(db_path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, stmt, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* `by` cannot push the token's user out (it was written into a 200-byte
 * buffer as "BY (token: USER)"), and a bad `by` is a 400 with nothing
 * written; a decision is answered 200 or not recorded at all (a `by` cut in
 * the middle of a character made a 500 for a recorded decision). */
CKP_TEST(server_decision_by_is_not_the_user)
{
    static srv s;
    REQUIRE(open_srv(&s, "by") == 0);
    char out[8192], auth[200], body[2048];
    snprintf(auth, sizeof auth, "Bearer %s", srv_guard_token(s.guard));
    /* 100 two-byte characters: a name of 200 bytes, kept whole */
    char name[256] = "";
    for (int i = 0; i < 100; i++)
        strcat(name, "\xc3\xa9");
    snprintf(body, sizeof body, "{\"id\":\"a-1\",\"decision\":\"cleared\",\"reason\":\"r\",\"by\":\"%s\"}",
             name);
    CHECK_INT(call(&s, "POST", "/api/decisions", auth, body, out, sizeof out), 200);
    CHECK_INT(audit_rows(s.cfg.db_path), 1);
    CHECK_INT(call(&s, "GET", "/api/audit", NULL, NULL, out, sizeof out), 200);
    json_t *doc = json_loads(out, 0, NULL);
    REQUIRE(doc != NULL);
    json_t *row = json_array_get(json_object_get(doc, "rows"), 0);
    CHECK_STR(json_string_value(json_object_get(row, "by")), name);
    CHECK_STR(json_string_value(json_object_get(row, "user")), "admin");
    json_decref(doc);
    /* refused before anything is written: too long, a cut character, a
     * control character, a bidi override, an empty name */
    static const char *const bad[] = {
        "\"ab\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxx\"",
        "\"ana\\u0007\"", "\"ana\\u202e nimda\"", "\"\"", "\"ana\\u0085\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"id\":\"a-2\",\"decision\":\"cleared\",\"reason\":\"r\",\"by\":%s}", bad[i]);
        int st = call(&s, "POST", "/api/decisions", auth, body, out, sizeof out);
        CHECK_INT(st, 400);
        CHECK(strstr(out, "'by'") != NULL);
        CHECK_INT(audit_rows(s.cfg.db_path), 1);
    }
    /* a long name the old buffer cut: either refused, or kept with the user */
    char longby[400];
    memset(longby, 'x', 190);
    longby[190] = '\0';
    snprintf(body, sizeof body, "{\"id\":\"a-3\",\"decision\":\"cleared\",\"reason\":\"r\",\"by\":\"%s\"}",
             longby);
    int st = call(&s, "POST", "/api/decisions", auth, body, out, sizeof out);
    CHECK(st == 400 || (st == 200 && strstr(out, "\"user\":\"admin\"")));
    CHECK_INT(audit_rows(s.cfg.db_path), st == 200 ? 2 : 1);
    srv_close(&s);
}

/* A retry with the same Idempotency-Key (or request_id) and body gets the
 * first answer and records nothing; with another body it is a 422. */
CKP_TEST(server_decision_idempotency)
{
    static srv s;
    REQUIRE(open_srv(&s, "idem") == 0);
    char out[4096], first[4096], auth[200];
    snprintf(auth, sizeof auth, "Bearer %s", srv_guard_token(s.guard));
    const char *dec = "{\"id\":\"a-1\",\"decision\":\"cleared\",\"reason\":\"licence\"}";
    srv_kv kv[4];
    srv_request rq;
    char buf[64];
    memset(&rq, 0, sizeof rq);
    REQUIRE(srv_parse_target("/api/decisions", buf, sizeof buf, kv, 4, &rq) == 0);
    rq.method = "POST";
    rq.auth = auth;
    rq.body = dec;
    rq.body_len = strlen(dec);
    rq.client = "127.0.0.1";
    rq.idempotency_key = "retry-7";
    srv_response rs;
    srv_handle(&s, &rq, &rs);
    CHECK_INT(rs.status, 200);
    snprintf(first, sizeof first, "%.*s", (int)rs.len, rs.body);
    srv_response_free(&rs);
    srv_handle(&s, &rq, &rs);
    CHECK_INT(rs.status, 200);
    snprintf(out, sizeof out, "%.*s", (int)rs.len, rs.body);
    srv_response_free(&rs);
    CHECK_STR(out, first);
    CHECK_INT(audit_rows(s.cfg.db_path), 1);
    const char *other = "{\"id\":\"a-1\",\"decision\":\"escalated\",\"reason\":\"licence\"}";
    rq.body = other;
    rq.body_len = strlen(other);
    srv_handle(&s, &rq, &rs);
    CHECK_INT(rs.status, 422);
    srv_response_free(&rs);
    CHECK_INT(audit_rows(s.cfg.db_path), 1);
    /* request_id in the body works the same; header and body must agree */
    const char *rid = "{\"id\":\"a-2\",\"decision\":\"cleared\",\"reason\":\"x\",\"request_id\":\"r-1\"}";
    CHECK_INT(call(&s, "POST", "/api/decisions", auth, rid, first, sizeof first), 200);
    CHECK_INT(call(&s, "POST", "/api/decisions", auth, rid, out, sizeof out), 200);
    CHECK_STR(out, first);
    CHECK_INT(audit_rows(s.cfg.db_path), 2);
    rq.body = rid;
    rq.body_len = strlen(rid);
    srv_handle(&s, &rq, &rs); /* header retry-7, body r-1 */
    CHECK_INT(rs.status, 400);
    srv_response_free(&rs);
    CHECK_INT(audit_rows(s.cfg.db_path), 2);
    srv_close(&s);
}

/* INSERT OR REPLACE (and REPLACE INTO) cannot overwrite an audit row,
 * whether recursive triggers are on or off; the files are private. */
CKP_TEST(server_audit_refuses_replace)
{
    static srv s;
    REQUIRE(open_srv(&s, "replace") == 0);
    char out[4096], auth[200];
    snprintf(auth, sizeof auth, "Bearer %s", srv_guard_token(s.guard));
    CHECK_INT(call(&s, "POST", "/api/decisions", auth,
                   "{\"id\":\"a-1\",\"decision\":\"escalated\",\"reason\":\"listed\"}", out,
                   sizeof out), 200);
    static const char *const forge[] = {
        "INSERT OR REPLACE INTO audit(seq,at,by,action,item,subject,entry_id,entry_hash,reason,"
        "list_version) VALUES(1,'t','x','cleared','a-1','','','','forged','v')",
        "PRAGMA recursive_triggers=ON; INSERT OR REPLACE INTO audit(seq,at,by,action,item,"
        "subject,entry_id,entry_hash,reason,list_version) VALUES(1,'t','x','cleared','a-1','',"
        "'','','forged','v')",
        "REPLACE INTO audit(seq,at,by,action,item,subject,entry_id,entry_hash,reason,"
        "list_version) VALUES(1,'t','x','cleared','a-1','','','','forged','v')",
        "UPDATE OR REPLACE audit SET reason='forged'",
        "INSERT INTO audit(seq,at,by,action,item,subject,entry_id,entry_hash,reason,list_version)"
        " VALUES(1,'t','x','cleared','a-1','','','','forged','v') ON CONFLICT(seq) DO UPDATE SET "
        "reason='forged'"};
    for (size_t i = 0; i < sizeof forge / sizeof forge[0]; i++)
        CHECK(sql(s.cfg.db_path, forge[i]) != SQLITE_OK);
    CHECK_INT(audit_rows(s.cfg.db_path), 1);
    CHECK_INT(call(&s, "GET", "/api/audit", NULL, NULL, out, sizeof out), 200);
    CHECK(strstr(out, "forged") == NULL);
    struct stat sb;
    REQUIRE(stat(s.cfg.db_path, &sb) == 0);
    CHECK_INT(sb.st_mode & 0777, 0600);
    srv_close(&s);
}

/* Copy a database (closed) to a new path. */
static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    int ok = a && b;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    return ok ? 0 : -1;
}

/* The hash chain: srv_audit_verify finds a row changed, removed (in the
 * middle or at the end) or reordered behind the triggers' back, and a
 * standing decision edited in place. */
CKP_TEST(server_audit_verify_chain)
{
    static srv s;
    REQUIRE(open_srv(&s, "chain") == 0);
    char out[4096], auth[200];
    snprintf(auth, sizeof auth, "Bearer %s", srv_guard_token(s.guard));
    for (int i = 1; i <= 5; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"id\":\"a-%d\",\"decision\":\"%s\",\"reason\":\"r%d\"}",
                 i % 3 + 1, i % 2 ? "cleared" : "escalated", i);
        CHECK_INT(call(&s, "POST", "/api/decisions", auth, body, out, sizeof out), 200);
    }
    char db[600];
    snprintf(db, sizeof db, "%s", s.cfg.db_path);
    srv_close(&s); /* checkpoints the WAL into the file */
    srv_verify_result r;
    ckp_error err;
    CHECK_INT(srv_audit_verify(db, &r, &err), CKP_OK);
    CHECK_INT(r.rows, 5);
    CHECK_INT(r.decisions, 3);
    static const struct {
        const char *tamper;
        long long bad;
    } cases[] = {
        {"DROP TRIGGER audit_no_update; UPDATE audit SET reason='other' WHERE seq=3", 3},
        {"DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=2", 2},
        {"DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=5", 5},
        {"DROP TRIGGER audit_no_update; UPDATE audit SET seq=seq+100 WHERE seq=2;"
         "UPDATE audit SET seq=2 WHERE seq=3; UPDATE audit SET seq=3 WHERE seq=102", 2},
        {"UPDATE decisions SET decision='cleared', reason='other' WHERE audit_seq=5", 5},
        {"DROP TRIGGER audit_no_replace", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char copy[700];
        snprintf(copy, sizeof copy, "%s.t%zu", db, i);
        REQUIRE(copy_file(db, copy) == 0);
        CHECK_INT(sql(copy, cases[i].tamper), SQLITE_OK);
        ckp_error_clear(&err);
        CHECK_INT(srv_audit_verify(copy, &r, &err), CKP_ECORRUPT);
        CHECK_INT(r.bad_seq, cases[i].bad);
        CHECK(r.why[0] != '\0');
    }
    snprintf(out, sizeof out, "%s.none", db);
    CHECK_INT(srv_audit_verify(out, &r, &err), CKP_ENOTFOUND);
}

/* A database made before the chain (and readable by others) is migrated:
 * columns added, rows chained, mode 0600; verify then passes. */
CKP_TEST(server_audit_migrates_old_db)
{
    char db[600];
    snprintf(db, sizeof db, "%s/old.db", ckp_test_tmpdir());
    const char *old =
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE decisions(item TEXT PRIMARY KEY, subject TEXT NOT NULL, entry_id TEXT NOT "
        "NULL, entry_hash TEXT NOT NULL, decision TEXT NOT NULL CHECK (decision IN "
        "('cleared','escalated')), reason TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL, "
        "list_version TEXT NOT NULL, audit_seq INTEGER NOT NULL);"
        "CREATE TABLE audit(seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, by TEXT NOT "
        "NULL, action TEXT NOT NULL, item TEXT NOT NULL, subject TEXT NOT NULL, entry_id TEXT NOT "
        "NULL, entry_hash TEXT NOT NULL, reason TEXT NOT NULL, list_version TEXT NOT NULL);"
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'x'); "
        "END;"
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'x'); "
        "END;"
        "INSERT INTO audit(at,by,action,item,subject,entry_id,entry_hash,reason,list_version) "
        "VALUES('2025-01-01T00:00:00.000Z','ana (token: admin)','cleared','a-1','','','','r','v'),"
        "('2025-01-02T00:00:00.000Z','admin','escalated','a-1','','','','r2','v');"
        "INSERT INTO decisions VALUES('a-1','','','','escalated','r2','admin',"
        "'2025-01-02T00:00:00.000Z','v',2);";
    REQUIRE(sql(db, old) == SQLITE_OK);
    chmod(db, 0644);
    srv_cases *c = NULL;
    int notes = 0;
    ckp_error err;
    REQUIRE(srv_cases_open(db, &c, &notes, &err) == CKP_OK);
    CHECK(notes & SRV_CASES_MIGRATED);
    CHECK(notes & SRV_CASES_MODE_FIXED);
    srv_decision d = {"a-2", "", "", "", "cleared", "ok", "bo", "admin", "v", "", ""};
    srv_decided done;
    CHECK_INT(srv_cases_decide(c, &d, &done, &err), CKP_OK);
    CHECK_INT(done.seq, 3);
    free(done.answer);
    srv_cases_close(c);
    struct stat sb;
    REQUIRE(stat(db, &sb) == 0);
    CHECK_INT(sb.st_mode & 0777, 0600);
    srv_verify_result r;
    CHECK_INT(srv_audit_verify(db, &r, &err), CKP_OK);
    CHECK_INT(r.rows, 3);
    CHECK(sql(db, "UPDATE audit SET reason='x' WHERE seq=1") != SQLITE_OK);
    /* opening again migrates nothing */
    REQUIRE(srv_cases_open(db, &c, &notes, &err) == CKP_OK);
    CHECK_INT(notes, 0);
    srv_cases_close(c);
}

/* Only requests whose Host names what is served are answered (DNS
 * rebinding): the address and port, the loopback names, --allow-host. */
CKP_TEST(server_host_check)
{
    static srv s;
    REQUIRE(open_srv(&s, "host") == 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(8080);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv_serving(&s, (struct sockaddr *)&a);
    CHECK(srv_host_allowed(&s, "127.0.0.1:8080"));
    CHECK(srv_host_allowed(&s, "localhost:8080"));
    CHECK(srv_host_allowed(&s, "LOCALHOST:8080"));
    CHECK(srv_host_allowed(&s, "[::1]:8080"));
    CHECK(!srv_host_allowed(&s, "127.0.0.1:8081"));
    CHECK(!srv_host_allowed(&s, "127.0.0.1"));
    CHECK(!srv_host_allowed(&s, "evil.example:8080"));
    CHECK(!srv_host_allowed(&s, "localhost.evil.example:8080"));
    CHECK(!srv_host_allowed(&s, "10.0.0.1:8080"));
    CHECK(!srv_host_allowed(&s, ""));
    CHECK(!srv_host_allowed(&s, NULL));
    CHECK(!srv_host_allowed(&s, "127.0.0.1:80x"));
    char out[512];
    srv_kv kv[4];
    srv_request rq;
    char buf[64];
    memset(&rq, 0, sizeof rq);
    REQUIRE(srv_parse_target("/api/audit", buf, sizeof buf, kv, 4, &rq) == 0);
    rq.method = "GET";
    rq.client = "127.0.0.1";
    rq.host = "rebind.evil.example:8080";
    srv_response rs;
    srv_handle(&s, &rq, &rs);
    CHECK_INT(rs.status, 421);
    snprintf(out, sizeof out, "%.*s", (int)rs.len, rs.body);
    CHECK(strncmp(out, "{\"error\":", 9) == 0);
    srv_response_free(&rs);
    rq.host = "localhost:8080";
    srv_handle(&s, &rq, &rs);
    CHECK_INT(rs.status, 200);
    srv_response_free(&rs);
    static const char *const names[] = {"cases.example.org"};
    s.cfg.allow_hosts = names;
    s.cfg.nallow_hosts = 1;
    CHECK(srv_host_allowed(&s, "cases.example.org"));
    CHECK(srv_host_allowed(&s, "Cases.Example.org:443"));
    CHECK(!srv_host_allowed(&s, "example.org:8080"));
    /* bound to every interface: IP literals with the port */
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    srv_serving(&s, (struct sockaddr *)&a);
    CHECK(srv_host_allowed(&s, "192.0.2.7:8080"));
    CHECK(!srv_host_allowed(&s, "localhost:8080"));
    CHECK(!srv_host_allowed(&s, "evil.example:8080"));
    srv_close(&s);
}

/* The request heads the gate refuses itself, as JSON, before libmicrohttpd
 * (whose own answers are HTML) sees them. */
CKP_TEST(server_check_head)
{
    size_t hl;
    const char *why;
    static const struct {
        const char *head;
        int status;
    } cases[] = {
        {"GET /api/verbs HTTP/1.1\r\nHost: a:1\r\n\r\n", 0},
        {"GET /api/verbs HTTP/1.0\r\n\r\n", 0},
        {"POST /api/decisions HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n{", 0},
        {"GET /api/verbs HTTP/1.1\r\nHost: a", -1},
        {"GET /api/ve", -1},
        {"GARBAGE\r\n\r\n", 400},
        {"GET /api/verbs HTTP/1.1\r\n\r\n", 400},
        {"GET /api/verbs HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        {"GET /api/verbs HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        {"GET /api/verbs HTTP/1.1\nHost: a\n\n", 400},
        {"GET /api/verbs HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400},
        {"GET /api/verbs HTTP/1.1\r\nHost : a\r\n\r\n", 400},
        {"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 413},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
        {"GET /api/verbs HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int st = srv_check_head(cases[i].head, strlen(cases[i].head), &hl, &why);
        if (st != cases[i].status)
            fprintf(stderr, "  case %zu: %d, expected %d (%s)\n", i, st, cases[i].status, why);
        CHECK_INT(st, cases[i].status);
    }
    /* a target of SRV_MAX_URL bytes: 414, before the line is even complete */
    static char big[SRV_HEAD_MAX + 64];
    memcpy(big, "GET /", 5);
    memset(big + 5, 'a', SRV_MAX_URL + 40);
    CHECK_INT(srv_check_head(big, SRV_MAX_URL + 45, &hl, &why), 414);
    /* headers past SRV_HEAD_MAX: 431 */
    int n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
    memset(big + n, 'y', sizeof big - (size_t)n);
    CHECK_INT(srv_check_head(big, sizeof big, &hl, &why), 431);
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
    ckp_env *env = ckp_env_new(ref, data, store);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    REQUIRE(f != NULL);
    ckp_report_opts o = {"Test <report>", NULL, 5};
    ckp_report_stats st;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_status rc = ckp_report_write(env, &o, f, &st, &err);
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
    CHECK_INT(ckp_report_view(env, "nope", a, 1, f, &err), CKP_ENOTFOUND);
    ckp_args_set(a, "hs", "811292");
    CHECK_INT(ckp_report_view(env, "exports", a, 1, f, &err), CKP_EUSAGE); /* no reporter */
    ckp_args_set(a, "reporter", "CHN");
    CHECK_INT(ckp_report_view(env, "exports", a, 1, f, &err), CKP_OK);
    fclose(f);
    CHECK(strstr(buf, "\"note\":") != NULL);
    free(buf);
    ckp_args_free(a);
    ckp_env_free(env);
    ckp_ref_free(ref);
}

/* A tiny store with known flows: the exports view sums by partner, reads the
 * real source only by default (the synthetic copy of a flow is not added),
 * marks synthetic sources, and falls back to the partners' reports when the
 * exporter does not report. */
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
    ckp_env *env = ckp_env_new(ref, data, dir);
    /* the default of `serve` and `report`: the real sources */

    ckp_args *a = ckp_args_new();
    ckp_args_set(a, "reporter", "CHN");
    ckp_args_set(a, "hs", "811292");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ckp_error err;
    CHECK_INT(ckp_report_view(env, "exports", a, 1, f, &err), CKP_OK);
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
    CHECK_NEAR(usa_jan, 100, 1e-9); /* the synthetic copy is not added */
    CHECK(json_is_false(json_object_get(sec, "synthetic")));
    CHECK(json_object_get(sec, "chart") && !json_is_null(json_object_get(sec, "chart")));
    json_decref(sec);
    free(buf);
    ckp_args_free(a);

    /* Russia does not report: the USA's import report stands in, synthetic
     * (from the synthetic source alone) */
    ckp_env_free(env);
    env = ckp_env_new(ref, data, dir);
    ckp_env_set_sources(env, "synthetic");
    a = ckp_args_new();
    ckp_args_set(a, "reporter", "RUS");
    ckp_args_set(a, "hs", "811292");
    f = open_memstream(&buf, &len);
    CHECK_INT(ckp_report_view(env, "exports", a, 1, f, &err), CKP_OK);
    fclose(f);
    sec = json_loads(buf, 0, NULL);
    REQUIRE(sec != NULL);
    CHECK_INT(json_array_size(json_object_get(sec, "rows")), 1);
    CHECK(json_is_true(json_object_get(sec, "synthetic")));
    CHECK(strstr(json_string_value(json_object_get(sec, "caption")), "mirror") != NULL);
    json_decref(sec);
    free(buf);
    ckp_args_free(a);
    ckp_env_free(env);
    ckp_ref_free(ref);
}

/* An answer whose HS argument left the rows of a split code out (concorded
 * to HS2022, never allocated) says so: "notes" beside the rows. */
CKP_TEST(server_notes_split_code)
{
    ckp_ref *ref;
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, NULL) == CKP_OK);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/notes.nostore", ckp_test_tmpdir());
    ckp_store_writer *w;
    REQUIRE(ckp_store_writer_begin(dir, ref, 1, &w, NULL) == CKP_OK);
    int src = ckp_store_writer_source(w, "test", 0);
    for (int i = 0; i < 2; i++) {
        ckp_flow f;
        memset(&f, 0, sizeof f);
        f.period = i ? 202200 : 202100;
        f.reporter = ckp_ref_country_by_iso3(ref, "USA");
        f.partner = ckp_ref_country_by_iso3(ref, "CHN");
        f.flow = 'M';
        f.hs = 811292;
        f.hs_edition = i ? 2022 : 2017;
        f.value = i ? 800 : 1000;
        f.value_alt = NAN;
        f.qty = 1;
        f.unit = CKP_UNIT_KG;
        f.source = src;
        REQUIRE(ckp_store_writer_add(w, &f, NULL) == CKP_OK);
    }
    REQUIRE(ckp_store_writer_commit(w, NULL) == CKP_OK);
    ckp_ref_free(ref);
    static srv s;
    REQUIRE(open_srv(&s, "notes") == 0);
    static char out[16384];
    CHECK_INT(call(&s, "GET", "/api/surge?reporter=USA&partner=CHN&flow=M&hs=811292", NULL, NULL,
                   out, sizeof out),
              200);
    CHECK(strstr(out, "\"notes\":[\"HS2017 811292 became HS2022 811231,811241,811292, not all "
                      "asked") != NULL);
    CHECK(strstr(out, "\"period\":\"2021\"") == NULL);
    CHECK_INT(call(&s, "GET", "/api/surge?reporter=USA&partner=CHN&flow=M&hs=811231,811241,811292",
                   NULL, NULL, out, sizeof out),
              200);
    CHECK(strstr(out, "\"notes\"") == NULL);
    CHECK(strstr(out, "\"period\":\"2021\"") != NULL);
    srv_close(&s);
}

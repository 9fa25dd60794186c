/* http_cases.c — decisions and the audit trail over HTTP: POST/GET
 * /api/decisions, GET /api/audit, /api/lists, /api/alerts (cases.c, watch.c). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>
#include <utf8proc.h>

#include "chokepoint/output.h"
#include "chokepoint/measures.h"
#include "chokepoint/report.h"
#include "chokepoint/screen.h"
#include "server.h"


#include "http_int.h"

void srv__api_export(srv *s, const srv_request *rq, srv_response *rs, int decisions)
{
    const char *fmt = "json";
    long limit = 0;
    for (int i = 0; i < rq->nquery; i++) {
        const srv_kv *q = &rq->query[i];
        if (strcmp(q->key, "format") == 0) {
            fmt = q->value;
        } else if (strcmp(q->key, "limit") == 0) {
            char *end;
            errno = 0;
            limit = strtol(q->value, &end, 10);
            if (errno || end == q->value || *end || limit < 0) {
                srv__fail(rs, 400, "--limit must be a non-negative integer (got '%.60s')", q->value);
                return;
            }
        } else {
            srv__fail(rs, 400, "unknown parameter '%.60s'", q->key);
            return;
        }
    }
    int csv = strcmp(fmt, "csv") == 0;
    if (!csv && strcmp(fmt, "json") != 0) {
        srv__fail(rs, 400, "--format must be csv or json (got '%.60s')", fmt);
        return;
    }
    ckp_error err;
    ckp_error_clear(&err);
    char *out = NULL;
    size_t len = 0;
    if (srv_cases_export(s->cases, decisions, csv, limit, &out, &len, &err) != CKP_OK) {
        srv__fail_err(rs, &err);
        return;
    }
    srv__set_body(rs, 200, csv ? CSV_TYPE : JSON_TYPE, out, len);
}

/* 1 when s is valid UTF-8 of 1..max characters with no control character
 * (C0, DEL, C1), no line or paragraph separator and no bidirectional
 * control (which would let a name display as another). */
static int clean_text(const char *s, size_t max)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t n = 0;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);
        if (k <= 0 || cp < 0)
            return 0;
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_ZL ||
            cat == UTF8PROC_CATEGORY_ZP || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
            (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
            return 0;
        p += k;
        n++;
    }
    return n >= 1 && n <= max;
}

/* An idempotency key: 1..ID_MAX visible ASCII characters. */
static int key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > ID_MAX)
        return 0;
    for (const unsigned char *p = (const unsigned char *)k; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return 0;
    return 1;
}

/* POST /api/decisions: {"id", "decision", "reason"[, "by", "subject",
 * "entry_id", "entry_hash", "list_version", "request_id"]}.  Everything is
 * checked before anything is written; the decision is then recorded and
 * answered in one transaction (srv_cases_decide), or not at all.  An
 * `Idempotency-Key` header or `request_id` makes a retry safe. */
void srv__api_decide(srv *s, const srv_request *rq, srv_response *rs)
{
    const char *user = srv_guard_check(s->guard, rq->auth);
    if (!user) {
        srv__fail(rs, 401, "decisions need 'Authorization: Bearer TOKEN' (the token printed on the "
                      "server's first start, in the file beside its database)");
        return;
    }
    if (rq->nquery > 0) {
        srv__fail(rs, 400, "unknown parameter '%.60s' (the decision goes in the JSON body)",
             rq->query[0].key);
        return;
    }
    json_error_t jerr;
    json_t *doc = rq->body ? json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr)
                           : NULL;
    if (!doc || !json_is_object(doc)) {
        if (doc)
            srv__fail(rs, 400, "the body must be a JSON object");
        else
            srv__fail(rs, 400, "the body is not JSON: %s (line %d, column %d)",
                 rq->body ? jerr.text : "empty body", rq->body ? jerr.line : 0,
                 rq->body ? jerr.column : 0);
        json_decref(doc);
        return;
    }
    enum { F_ID, F_ALERT, F_MATCH, F_DECISION, F_REASON, F_BY, F_SUBJECT, F_ENTRY_ID,
           F_ENTRY_HASH, F_LIST_VERSION, F_REQUEST_ID, F_N };
    static const char *const fields[] = {"id",         "alert",        "match",
                                         "decision",   "reason",       "by",
                                         "subject",    "entry_id",     "entry_hash",
                                         "list_version", "request_id", NULL};
    const char *val[F_N] = {0};
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        int k = 0;
        while (fields[k] && strcmp(fields[k], key) != 0)
            k++;
        if (!fields[k]) {
            srv__fail(rs, 400, "unknown field '%.60s'", key);
            goto out;
        }
        if (!json_is_string(v)) {
            srv__fail(rs, 400, "field '%s' must be a string", key);
            goto out;
        }
        val[k] = json_string_value(v);
        if (json_string_length(v) != strlen(val[k])) {
            srv__fail(rs, 400, "field '%s' holds a NUL character", key);
            goto out;
        }
        if (strlen(val[k]) > (k == F_REASON ? REASON_MAX : ID_MAX)) {
            srv__fail(rs, 400, "field '%s' is too long (at most %d bytes)", key,
                 k == F_REASON ? REASON_MAX : ID_MAX);
            goto out;
        }
    }
    const char *item = val[F_ID] ? val[F_ID] : val[F_ALERT] ? val[F_ALERT] : val[F_MATCH];
    if (!item || !srv__printable(item, ID_MAX) || !clean_text(item, ID_MAX)) {
        srv__fail(rs, 400, "the alert or match id ('id') is required: 1-%d printable characters",
             ID_MAX);
        goto out;
    }
    if (!val[F_DECISION] ||
        (strcmp(val[F_DECISION], "cleared") != 0 && strcmp(val[F_DECISION], "escalated") != 0)) {
        srv__fail(rs, 400, "'decision' must be \"cleared\" or \"escalated\"");
        goto out;
    }
    if (!val[F_REASON] || !clean_text(val[F_REASON], REASON_MAX)) {
        srv__fail(rs, 400, "'reason' is required (1-%d characters, no control characters): why was it "
                      "%s?", REASON_MAX, val[F_DECISION]);
        goto out;
    }
    if (val[F_BY] && !clean_text(val[F_BY], BY_MAX)) {
        srv__fail(rs, 400, "'by' must be a name of 1-%d characters, valid UTF-8, without control "
                      "characters (the token's user is recorded beside it anyway)", BY_MAX);
        goto out;
    }
    for (int k = F_SUBJECT; k < F_N; k++)
        if (val[k] && *val[k] && !clean_text(val[k], ID_MAX)) {
            srv__fail(rs, 400, "field '%s' has control characters", fields[k]);
            goto out;
        }
    /* the idempotency key: the header, or request_id, or both the same */
    const char *ikey = rq->idempotency_key;
    if (ikey && val[F_REQUEST_ID] && strcmp(ikey, val[F_REQUEST_ID]) != 0) {
        srv__fail(rs, 400, "the Idempotency-Key header and 'request_id' differ");
        goto out;
    }
    if (!ikey)
        ikey = val[F_REQUEST_ID];
    if (ikey && !key_ok(ikey)) {
        srv__fail(rs, 400, "an idempotency key is 1-%d visible ASCII characters", ID_MAX);
        goto out;
    }
    char body_hash[65] = "";
    if (ikey && srv_sha256_hex(rq->body, rq->body_len, body_hash) != 0) {
        srv__fail(rs, 500, "SHA-256 failed: nothing recorded");
        goto out;
    }
    srv_decision d = {item,
                      val[F_SUBJECT] ? val[F_SUBJECT] : "",
                      val[F_ENTRY_ID] ? val[F_ENTRY_ID] : "",
                      val[F_ENTRY_HASH] ? val[F_ENTRY_HASH] : "",
                      val[F_DECISION],
                      val[F_REASON],
                      val[F_BY] ? val[F_BY] : user,
                      user,
                      val[F_LIST_VERSION] && *val[F_LIST_VERSION] ? val[F_LIST_VERSION]
                                                                  : s->list_version,
                      ikey ? ikey : "",
                      body_hash};
    ckp_error err;
    ckp_error_clear(&err);
    srv_decided done;
    ckp_status st = srv_cases_decide(s->cases, &d, &done, &err);
    if (st == CKP_ESTATE) {
        srv__fail(rs, 422, "%s", err.msg);
        goto out;
    }
    if (st != CKP_OK) {
        srv__fail(rs, 500, "%s (nothing recorded)", err.msg);
        goto out;
    }
    srv__set_body(rs, 200, JSON_TYPE, done.answer, strlen(done.answer));
out:
    json_decref(doc);
}

/* GET /api/lists[?version=N]: the list versions and one version's changes;
 * GET /api/alerts[?status=open|decided|all]: the alerts of list updates
 * (watch.c). */
void srv__api_watch(srv *s, const srv_request *rq, srv_response *rs, int lists)
{
    static const char *const lkeys[] = {"version", NULL};
    static const char *const akeys[] = {"status", NULL};
    if (srv__check_keys(rq, lists ? lkeys : akeys, rs))
        return;
    const char *arg = srv__query_get(rq, lists ? "version" : "status");
    if (lists && arg) {
        char *end;
        errno = 0;
        long long v = strtoll(arg, &end, 10);
        if (errno || end == arg || *end || v < 1) {
            srv__fail(rs, 400, "version must be a list version number (got '%.40s')", arg);
            return;
        }
    }
    if (!lists && arg && strcmp(arg, "open") != 0 && strcmp(arg, "decided") != 0 &&
        strcmp(arg, "all") != 0) {
        srv__fail(rs, 400, "status must be open, decided or all (got '%.40s')", arg);
        return;
    }
    json_t *doc = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_status st = lists ? srv_lists_json(s->cases, arg, &doc, &err)
                          : srv_alerts_json(s->cases, arg, &doc, &err);
    if (st != CKP_OK) {
        srv__fail_err(rs, &err);
        return;
    }
    char *body = ckp_json_dumps(doc, 0);
    json_decref(doc);
    if (!body) {
        srv__fail(rs, 500, "out of memory");
        return;
    }
    srv__set_body(rs, 200, JSON_TYPE, body, strlen(body));
}


/* http_screen.c — POST /api/screen (shipments in, alerts out) and the
 * matchers the server lends to screening and yente. */
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
#include "rows.h"
#include "server.h"


#include "http_int.h"

/* ---- screening and matching (screen.h, match.h) ----------------------------- */

ckp_matcher *srv_matcher_take(srv *s, ckp_error *err)
{
    ckp_matcher *m = NULL;
    pthread_mutex_lock(&s->pool_lock);
    if (s->npool > 0)
        m = s->pool[--s->npool];
    pthread_mutex_unlock(&s->pool_lock);
    if (!m && ckp_matcher_new(s->index, &m, err) != CKP_OK)
        return NULL;
    return m;
}

void srv_matcher_give(srv *s, ckp_matcher *m)
{
    pthread_mutex_lock(&s->pool_lock);
    if (s->npool < (int)(sizeof s->pool / sizeof s->pool[0])) {
        s->pool[s->npool++] = m;
        m = NULL;
    }
    pthread_mutex_unlock(&s->pool_lock);
    if (m)
        ckp_matcher_free(m);
}

/* The rows of a POST /api/screen body that could not be screened: every
 * one in `unscreened`, the first 100 also in `rejected` (kept for older
 * clients). */
typedef struct bad_rows {
    json_t *arr;        /* rejected: the first 100 */
    json_t *unscreened; /* all of them */
    long n;
    int oom;            /* a row could not be recorded: the answer is 500 */
} bad_rows;

/* A JSON string of text that may hold invalid UTF-8 (a reason quoting a
 * Latin-1 field): invalid bytes become U+FFFD, as in every JSON output. */
static json_t *json_text_lossy(const char *text)
{
    json_t *j = json_string(text);
    if (j)
        return j;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    ckp_json_write_string(f, text, strlen(text));
    fclose(f);
    j = buf ? json_loadb(buf, len, JSON_DECODE_ANY, NULL) : NULL;
    free(buf);
    return j;
}

static void on_bad_row(const ckp_error *why, void *ctx)
{
    bad_rows *b = ctx;
    b->n++;
    json_t *row = json_pack("{s:I, s:o*}", "line", (json_int_t)why->line, "reason",
                            json_text_lossy(why->msg));
    if (row && !json_object_get(row, "reason"))
        b->oom = 1;
    if (!row || json_array_append(b->unscreened, row) != 0)
        b->oom = 1;
    if (row && json_array_size(b->arr) < 100 && json_array_append(b->arr, row) != 0)
        b->oom = 1;
    json_decref(row);
}

/* POST /api/screen: the body (CSV with a header, or JSON Lines) is screened
 * in memory (ckp_screen_run); alerts come back with ids and standing
 * decisions; the rows that could not be screened come first, in
 * `unscreened` with their line and reason, and `outcome` says what the
 * CLI's exit status says: "unscreened" (some row not screened, whatever the
 * alerts), "alert" or "clear".  Rules that cannot be loaded fail the
 * request (500): no answer is given as "no alert" without them. */
/* env: the sources the route hubs are ranked on (?source=, as every call) */
static void screen_in(srv *s, ckp_env *env, const srv_request *rq, srv_response *rs)
{
    if (!rq->body || rq->body_len == 0) {
        srv__fail(rs, 400, "the body must hold shipments (CSV with a header, or JSON Lines)");
        return;
    }
    if (memchr(rq->body, 0, rq->body_len)) {
        srv__fail(rs, 400, "the body holds a NUL byte: not text");
        return;
    }
    ckp_screen_config cfg;
    ckp_screen_config_init(&cfg, s->ref);
    cfg.index = s->index;
    const ckp_measures *ms = NULL;
    const ckp_hubs *hubs = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_measures_from_env(s->env, &ms, &err) != CKP_OK) {
        srv__fail(rs, 500, "the measures register could not be loaded, nothing screened: %s",
             ckp_error_format(&err, (char[1024]){0}, 1024));
        return;
    }
    cfg.measures = ms;
    ckp_error_clear(&err);
    ckp_status hst = ckp_hubs_from_env(env, &hubs, &err);
    if (hst != CKP_OK && hst != CKP_ENOTFOUND) { /* no store: no ranked hubs */
        srv__fail(rs, 500, "the route hubs could not be ranked, nothing screened: %s",
             ckp_error_format(&err, (char[1024]){0}, 1024));
        return;
    }
    cfg.hubs = hst == CKP_OK ? hubs : NULL;
    ckp_error_clear(&err);
    double thr = cfg.threshold;
    if (srv__query_num(rq, "threshold", 0, 1, &thr, rs))
        return;
    cfg.threshold = thr;
    const char *input = srv__query_get(rq, "input");
    int format = 0;
    if (input && strcmp(input, "csv") == 0)
        format = 'c';
    else if (input && strcmp(input, "jsonl") == 0)
        format = 'j';
    else if (input) {
        srv__fail(rs, 400, "--input must be csv or jsonl (got '%.40s')", input);
        return;
    }
    /* the counterparties screened are kept (with this screening) for
     * `lists update` to re-screen when the lists change */
    srv_keeper *keeper = srv_keeper_new(s->ref);
    if (!keeper) {
        srv__fail(rs, 500, "out of memory");
        return;
    }
    cfg.on_shipment = srv_keeper_on_shipment;
    cfg.on_shipment_ctx = keeper;
    ckp_screen_input in = {"body", rq->body, rq->body_len, srv__query_get(rq, "map"), format};
    size_t ncols = 0;
    const ckp_column *cols = ckp_screen_columns(&ncols);
    json_t *alerts = json_array();
    ckp_writer *w = alerts ? ckp_writer_new_rows(cols, ncols, srv_rows_keep, alerts) : NULL;
    bad_rows bad = {json_array(), json_array(), 0, 0};
    ckp_screen_stats st;
    memset(&st, 0, sizeof st);
    ckp_status rc = w ? ckp_screen_run(&cfg, &in, w, on_bad_row, &bad, &st, &err) : CKP_ENOMEM;
    if (w) {
        ckp_writer_finish(w); /* a row left open is ended, and checked */
        rc = ckp_writer_check(w, rc, &err); /* an alert not encoded: nothing answered */
        ckp_writer_free(w);
    }
    if (rc == CKP_OK && (bad.oom || !bad.arr || !bad.unscreened))
        rc = ckp_error_set(&err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    size_t kept = 0;
    if (rc == CKP_OK)
        rc = srv_keeper_save(s->cases, keeper, s->list_version, "api", &kept, &err);
    srv_keeper_free(keeper);
    if (rc != CKP_OK) {
        json_decref(alerts);
        json_decref(bad.arr);
        json_decref(bad.unscreened);
        if (rc == CKP_ENOMEM && !err.msg[0])
            srv__fail(rs, 500, "out of memory");
        else
            srv__fail(rs, rc == CKP_ENOMEM || rc == CKP_EIO || rc == CKP_EINTERNAL ? 500 : 400,
                      "%s", ckp_error_format(&err, (char[1024]){0}, 1024));
        return;
    }
    uint64_t nalerts = st.alerts[0] + st.alerts[1] + st.alerts[2] + st.alerts[3];
    const char *outcome = bad.n > 0 ? "unscreened" : nalerts > 0 ? "alert" : "clear";
    json_t *doc = json_pack("{s:s, s:I, s:o, s:o, s:I, s:I, s:I, s:o, s:b, s:I}", "outcome",
                            outcome, "unscreened_count", (json_int_t)bad.n, "unscreened",
                            bad.unscreened, "rows", alerts, "shipments", (json_int_t)st.shipments,
                            "flagged", (json_int_t)st.flagged, "bad_rows", (json_int_t)bad.n,
                            "rejected", bad.arr, "route_hubs", cfg.hubs != NULL,
                            "counterparties_kept", (json_int_t)kept);
    if (doc)
        srv__annotate_doc(s, doc, 0);
    char *body = doc ? ckp_json_dumps(doc, 0) : NULL;
    json_decref(doc);
    if (!body) {
        srv__fail(rs, 500, "out of memory");
        return;
    }
    srv__set_body(rs, 200, JSON_TYPE, body, strlen(body));
}

void srv__api_screen(srv *s, const srv_request *rq, srv_response *rs)
{
    static const char *const allowed[] = {"threshold", "map", "input", "source", NULL};
    if (srv__check_keys(rq, allowed, rs))
        return;
    ckp_error err;
    ckp_error_clear(&err);
    int temp = 0;
    ckp_env *env = srv__request_env(s, rq, &temp, &err);
    if (!env) {
        srv__fail_err(rs, &err);
        return;
    }
    screen_in(s, env, rq, rs);
    srv__release_env(env, temp);
}


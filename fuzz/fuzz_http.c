/* fuzz_http.c — libFuzzer harness for the server's request handling without a
 * socket: target parsing (srv_parse_target), routing and dispatch
 * (srv_handle: verbs' query parameters, views, JSON decision bodies, CSV and
 * JSON Lines screening bodies, assets).
 *
 * Input: byte 0 picks the method (GET, POST, HEAD, PUT), whether the valid
 * token is sent (bit 2) and an Idempotency-Key header (bit 3); then the
 * request target up to the first '\n'; the rest is the body.  Run from the
 * project root (the shipped data is read from data/).  The server sources
 * are compiled into the harness (they are not part of the library). */
#define _XOPEN_SOURCE 700 /* nftw, in server/serve.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../server/cases.c"
#include "../server/gate.c"
#include "../server/guard.c"
#include "../server/http.c"
#include "../server/query.c"
#include "../server/rows.c"
#include "../server/http_cache.c"
#include "../server/http_cases.c"
#include "../server/http_screen.c"
#include "../server/http_verbs.c"
#include "../server/serve.c"
#include "../server/yente.c"
#include "../server/watch.c"

static srv S;
static int ready;
static char db[256], store[256], tok[300];

/* leave nothing behind in /tmp when libFuzzer exits */
static void cleanup(void)
{
    char p[320];
    srv_close(&S);
    unlink(db);
    unlink(tok);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
}

static void setup(void)
{
    snprintf(db, sizeof db, "/tmp/ckp-fuzz-http-%ld.db", (long)getpid());
    snprintf(store, sizeof store, "/tmp/ckp-fuzz-http-%ld.nostore", (long)getpid());
    unlink(db);
    snprintf(tok, sizeof tok, "%s.token", db);
    unlink(tok);
    const char *data = getenv("CHOKEPOINT_DATA") ? getenv("CHOKEPOINT_DATA") : "data";
    srv_config cfg = {"127.0.0.1:0", db, store, data, 0, 0, 0, 1, 1, NULL, 0, 0};
    const char *t = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    if (srv_open(&S, &cfg, &t, &err) != CKP_OK) {
        fprintf(stderr, "fuzz_http: srv_open: %s\n", err.msg);
        abort();
    }
    /* decisions are durable in production; here speed matters more */
    sqlite3_exec(S.cases->db, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
    atexit(cleanup);
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    if (size < 1)
        return 0;
    static const char *const methods[] = {"GET", "POST", "HEAD", "PUT"};
    const char *method = methods[data[0] & 3];
    int with_token = (data[0] >> 2) & 1;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    const char *nl = memchr(p, '\n', n);
    size_t tl = nl ? (size_t)(nl - p) : n;
    char *target = malloc(tl + 1);
    if (!target)
        return 0;
    memcpy(target, p, tl);
    target[tl] = '\0';
    const char *body = nl ? nl + 1 : NULL;
    size_t blen = nl ? n - tl - 1 : 0;
    /* a copy of exactly blen bytes so ASan sees reads past the body */
    char *bcopy = body ? malloc(blen ? blen : 1) : NULL;
    if (bcopy && blen)
        memcpy(bcopy, body, blen);
    size_t cap = tl + 2;
    char *buf = malloc(cap);
    srv_kv kv[SRV_MAX_QUERY];
    srv_request rq;
    memset(&rq, 0, sizeof rq);
    if (buf && strlen(target) == tl && srv_parse_target(target, buf, cap, kv, SRV_MAX_QUERY, &rq) == 0) {
        char auth[200];
        snprintf(auth, sizeof auth, "Bearer %s", srv_guard_token(S.guard));
        rq.method = method;
        rq.auth = with_token ? auth : NULL;
        rq.idempotency_key = (data[0] >> 3) & 1 ? "fuzz-key" : NULL;
        rq.body = bcopy;
        rq.body_len = bcopy ? blen : 0;
        rq.client = "127.0.0.1";
        srv_response rs;
        srv_handle(&S, &rq, &rs);
        if (rs.status < 200 || rs.status > 599 || !rs.content_type)
            abort();
        srv_response_free(&rs);
    }
    free(buf);
    free(bcopy);
    free(target);
    return 0;
}

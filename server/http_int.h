/* http_int.h — what the files of the HTTP layer share (private to
 * server/http*.c): responses and errors, query helpers, the response
 * cache, the ?source= environments and the handlers the router calls.
 *
 *   http.c         target parsing, routing, the Host check, assets
 *   http_cache.c   the response cache
 *   http_verbs.c   GET /api/VERB, /api/verbs, /api/groups, /api/view
 *   http_cases.c   decisions, audit, lists and alerts
 *   http_screen.c  POST /api/screen and the matcher pool */
#ifndef CHOKEPOINT_SERVER_HTTP_INT_H
#define CHOKEPOINT_SERVER_HTTP_INT_H

#include <stddef.h>

#include "chokepoint/error.h"
#include "chokepoint/verb.h"
#include "server.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define CSV_TYPE "text/csv; charset=utf-8"
#define VERB_OUTPUT_LIMIT ((size_t)64 << 20) /* bytes of rows one request may return */
#define ID_MAX 200
#define REASON_MAX 2000
#define BY_MAX 100 /* characters of a `by` name */

/* ---- responses (http.c) -------------------------------------------------- */

/* The response's body (owned by rs from now on) with its status and type. */
void srv__set_body(srv_response *rs, int status, const char *type, char *body, size_t len);
/* {"error": msg} with status. */
void srv__fail(srv_response *rs, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* {"error": err's message} with the status its code stands for. */
void srv__fail_err(srv_response *rs, const ckp_error *err);
/* An embedded asset (report.h ckp_asset_find), or 404. */
void srv__serve_asset(srv_response *rs, const char *name);

/* ---- query helpers (http.c) ---------------------------------------------- */

/* The value of query parameter key, NULL when absent. */
const char *srv__query_get(const srv_request *rq, const char *key);
/* 1 when s holds no control character and at most max bytes. */
int srv__printable(const char *s, size_t max);
/* Every query key must be in allowed (NULL-terminated): else 400 and -1. */
int srv__check_keys(const srv_request *rq, const char *const *allowed, srv_response *rs);
/* ?key=number in [lo, hi] into *v (left as it is when absent); else 400 and -1. */
int srv__query_num(const srv_request *rq, const char *key, double lo, double hi, double *v,
                   srv_response *rs);

/* ---- response cache (http_cache.c) ---------------------------------------- */

/* A copy of the cached body of key (caller frees), or NULL. */
char *srv__cache_get(srv_cache *c, const char *key, size_t *len);
void srv__cache_put(srv_cache *c, const char *key, const char *body, size_t len);
/* The key of a verb's answer: store generation, verb, sorted query pairs
 * (caller frees; NULL when out of memory). */
char *srv__cache_key(const srv *s, const char *verb, const srv_request *rq);

/* ---- verbs (http_verbs.c) ------------------------------------------------- */

/* The environment of the request's ?source= (the shared one without it);
 * *temp = 1: the caller releases it with srv__release_env. */
ckp_env *srv__request_env(srv *s, const srv_request *rq, int *temp, ckp_error *err);
void srv__release_env(ckp_env *env, int temp);
/* {"rows":[…]} body annotated with decision ids, entry hashes and standing
 * decisions (match hits when is_match, else screen alerts); new body or NULL. */
void srv__annotate_doc(srv *s, json_t *doc, int is_match);
char *srv__annotate(srv *s, const char *body, int is_match, size_t *len);

void srv__api_verb(srv *s, const ckp_verb *v, const srv_request *rq, srv_response *rs);
void srv__api_verbs(srv *s, srv_response *rs);
void srv__api_groups(srv *s, srv_response *rs);
void srv__api_view(srv *s, const srv_request *rq, srv_response *rs);

/* ---- decisions and lists (http_cases.c) ----------------------------------- */

void srv__api_export(srv *s, const srv_request *rq, srv_response *rs, int decisions);
void srv__api_decide(srv *s, const srv_request *rq, srv_response *rs);
void srv__api_watch(srv *s, const srv_request *rq, srv_response *rs, int lists);

/* ---- screening (http_screen.c) -------------------------------------------- */

void srv__api_screen(srv *s, const srv_request *rq, srv_response *rs);

#endif

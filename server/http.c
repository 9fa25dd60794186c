/* http.c — one HTTP request in, one response out, without a socket (see
 * server.h): target parsing, routing, the Host check, errors, assets.  The
 * handlers live beside it (http_int.h): http_verbs.c (the verb table),
 * http_cases.c (decisions, lists), http_screen.c (POST /api/screen) and
 * http_cache.c (the response cache).
 *
 * Routes:
 *   GET  /                      the dashboard (embedded asset)
 *   GET  /assets/NAME           an embedded asset (exact names only)
 *   GET  /api/verbs             every verb: parameters and columns
 *   GET  /api/groups            the product groups the report covers
 *   GET  /api/view?name=V&…     one report view as a section (report.h)
 *   GET  /api/VERB?param=…      {"rows":[…]} — the verb's JSON rows (cached)
 *   POST /api/screen            shipments (CSV or JSONL body) → alerts
 *   POST /api/decisions         record a decision (Bearer token)
 *   GET  /api/decisions         standing decisions (?format=csv|json)
 *   GET  /api/audit             the audit trail (?format=csv|json)
 *   GET  /api/lists             list versions and their changes (watch.c)
 *   GET  /api/alerts            alerts of list updates (?status=open|decided|all)
 *   /match/…, /search/…, /entities/…, /catalog, /algorithms, /healthz,
 *   /readyz                     yente's API (yente.c)
 * Every error is {"error":"…"} with a 4xx/5xx status. */
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
#include "query.h"
#include "rows.h"
#include "server.h"


#include "http_int.h"

void srv_response_free(srv_response *rs)
{
    if (!rs->body_static)
        free(rs->body);
    rs->body = NULL;
    rs->len = 0;
}

void srv__set_body(srv_response *rs, int status, const char *type, char *body, size_t len)
{
    rs->status = status;
    rs->content_type = type;
    rs->body = body;
    rs->len = len;
    rs->body_static = 0;
}

/* {"error": msg} with status. */
void srv__fail(srv_response *rs, int status, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        static const char oom[] = "{\"error\":\"out of memory\"}\n";
        rs->status = 500;
        rs->content_type = JSON_TYPE;
        rs->body = (char *)oom;
        rs->len = sizeof oom - 1;
        rs->body_static = 1;
        return;
    }
    fputs("{\"error\":", f);
    ckp_json_write_string(f, msg, strlen(msg));
    fputs("}\n", f);
    fclose(f);
    srv__set_body(rs, status, JSON_TYPE, buf, len);
}

static int status_of(ckp_status st)
{
    switch (st) {
    case CKP_EUSAGE:
    case CKP_EINVAL:
    case CKP_EPARSE:
    case CKP_EENCODING:
        return 400;
    case CKP_ENOTFOUND:
        return 404;
    case CKP_ELIMIT:
        return 413;
    default:
        return 500;
    }
}

void srv__fail_err(srv_response *rs, const ckp_error *err)
{
    char buf[1024];
    srv__fail(rs, status_of(err->code), "%s", ckp_error_format(err, buf, sizeof buf));
}

/* ---- target parsing ------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode src[0..n) into dst (NUL-terminated); returns bytes written or -1 on
 * a bad escape or a NUL byte.  plus = 1 turns '+' into ' '. */
static long decode(const char *src, size_t n, char *dst, int plus)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)src[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int h = hexval((unsigned char)src[i + 1]), l = hexval((unsigned char)src[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = h * 16 + l;
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c == 0)
            return -1;
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    return (long)o;
}

int srv_parse_target(const char *target, char *buf, size_t n, srv_kv *kv, int max,
                     srv_request *req)
{
    size_t tl = strlen(target);
    req->nquery = 0;
    req->query = kv;
    if (tl >= SRV_MAX_URL || tl + 2 > n)
        return 414;
    const char *q = strchr(target, '?');
    size_t pl = q ? (size_t)(q - target) : tl;
    char *o = buf;
    long k = decode(target, pl, o, 0);
    if (k < 0)
        return 400;
    req->path = o;
    o += k + 1;
    if (!q)
        return 0;
    const char *p = q + 1;
    while (*p) {
        size_t len = strcspn(p, "&;");
        if (len > 0) {
            if (req->nquery >= max)
                return 414;
            const char *eq = memchr(p, '=', len);
            size_t kl = eq ? (size_t)(eq - p) : len;
            long a = decode(p, kl, o, 1);
            if (a < 0)
                return 400;
            kv[req->nquery].key = o;
            o += a + 1;
            if (eq) {
                long b = decode(eq + 1, len - kl - 1, o, 1);
                if (b < 0)
                    return 400;
                kv[req->nquery].value = o;
                o += b + 1;
            } else {
                kv[req->nquery].value = ""; /* keeps the output within tl + 2 bytes */
            }
            req->nquery++;
        }
        p += len;
        if (*p)
            p++;
    }
    return 0;
}

/* ---- small helpers -------------------------------------------------------- */

const char *srv__query_get(const srv_request *rq, const char *key)
{
    for (int i = rq->nquery - 1; i >= 0; i--)
        if (strcmp(rq->query[i].key, key) == 0)
            return rq->query[i].value;
    return NULL;
}

/* 1 when s is 1..max printable characters (no control characters). */
int srv__printable(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

void srv__serve_asset(srv_response *rs, const char *name)
{
    const ckp_asset *a = ckp_asset_find(name);
    if (!a) {
        srv__fail(rs, 404, "no such asset");
        return;
    }
    rs->status = 200;
    rs->content_type = a->type;
    rs->body = (char *)a->data;
    rs->len = a->len;
    rs->body_static = 1;
    rs->cache_seconds = 300;
}

/* Query parameters of a non-verb endpoint: every key must be in `allowed`. */
int srv__check_keys(const srv_request *rq, const char *const *allowed, srv_response *rs)
{
    const char *bad = srv_query_unknown(rq, allowed);
    if (bad)
        srv__fail(rs, 400, "unknown parameter '%.60s'", bad);
    return bad ? -1 : 0;
}

int srv__query_num(const srv_request *rq, const char *key, double lo, double hi, double *v,
                   srv_response *rs)
{
    const char *t = srv__query_get(rq, key);
    if (t && srv_parse_num(t, lo, hi, v)) {
        srv__fail(rs, 400, "--%s must be a number from %g to %g (got '%.40s')", key, lo, hi, t);
        return -1;
    }
    return 0;
}

/* ---- the Host check (DNS rebinding) ---------------------------------------------- */

/* 1 when name (no port) is an IP literal: "1.2.3.4" or "[v6]". */
static int ip_literal(const char *name, size_t n)
{
    char buf[INET6_ADDRSTRLEN + 2];
    unsigned char a[16];
    if (n < 3 || n >= sizeof buf)
        return 0;
    if (name[0] == '[') {
        if (name[n - 1] != ']')
            return 0;
        memcpy(buf, name + 1, n - 2);
        buf[n - 2] = '\0';
        return inet_pton(AF_INET6, buf, a) == 1;
    }
    memcpy(buf, name, n);
    buf[n] = '\0';
    return inet_pton(AF_INET, buf, a) == 1;
}

static int same_name(const char *name, size_t n, const char *want)
{
    return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

int srv_host_allowed(const srv *s, const char *host)
{
    if (s->served_port == 0)
        return 1; /* not on a socket: nothing to rebind */
    if (!host || !*host)
        return 0;
    size_t hl = strlen(host), nl = hl;
    const char *port = NULL;
    if (host[0] == '[') {
        const char *rb = strchr(host, ']');
        if (!rb)
            return 0;
        nl = (size_t)(rb - host) + 1;
        if (rb[1] == ':')
            port = rb + 2;
        else if (rb[1])
            return 0;
    } else {
        const char *colon = strrchr(host, ':');
        if (colon) {
            nl = (size_t)(colon - host);
            port = colon + 1;
        }
    }
    int port_ok = s->served_port == 80;
    if (port) {
        char *end;
        errno = 0;
        unsigned long p = strtoul(port, &end, 10);
        if (!isdigit((unsigned char)*port) || *end || errno)
            return 0;
        port_ok = p == s->served_port;
    }
    if (nl > 0 && host[nl - 1] == '.')
        nl--; /* "localhost." is localhost */
    /* a name given with --allow-host (a proxy in front may keep its own port) */
    for (int i = 0; i < s->cfg.nallow_hosts; i++)
        if (same_name(host, nl, s->cfg.allow_hosts[i]))
            return 1;
    if (!port_ok)
        return 0;
    if (same_name(host, nl, s->served_host))
        return 1;
    if (s->served_loopback && (same_name(host, nl, "localhost") ||
                               same_name(host, nl, "127.0.0.1") || same_name(host, nl, "[::1]")))
        return 1;
    return s->served_any && ip_literal(host, nl);
}

static void handle(srv *s, const srv_request *rq, srv_response *rs)
{
    memset(rs, 0, sizeof *rs);
    const char *m = rq->method ? rq->method : "";
    const char *path = rq->path ? rq->path : "";
    int get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
    int post = strcmp(m, "POST") == 0;
    if (!srv_host_allowed(s, rq->host)) {
        srv__fail(rs, 421, "Host '%.100s' is not served here (a page on another name must not read "
                      "this server: give the name with --allow-host if it is yours)",
             rq->host ? rq->host : "");
        return;
    }
    if (s->guard && !srv_guard_allow(s->guard, rq->client)) {
        srv__fail(rs, 429, "too many requests: slow down");
        return;
    }
    if (!get && !post) {
        srv__fail(rs, 405, "method %.20s not allowed", m);
        return;
    }
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
        if (!get)
            srv__fail(rs, 405, "method not allowed");
        else if (rq->nquery)
            srv__fail(rs, 400, "the dashboard takes no parameters");
        else
            srv__serve_asset(rs, "dashboard.html");
        return;
    }
    if (strncmp(path, "/assets/", 8) == 0) {
        const char *name = path + 8;
        if (!get)
            srv__fail(rs, 405, "method not allowed");
        else if (strchr(name, '/') || strcmp(name, "dashboard.html") == 0 ||
                 strcmp(name, "report.html") == 0)
            srv__fail(rs, 404, "no such asset");
        else
            srv__serve_asset(rs, name);
        return;
    }
    if (srv_yente_path(path)) {
        srv_yente(s, rq, rs);
        return;
    }
    if (strncmp(path, "/api/", 5) != 0) {
        srv__fail(rs, 404, "not found: the API is under /api/ (yente's under /match, /search…)");
        return;
    }
    const char *name = path + 5;
    if (strcmp(name, "decisions") == 0) {
        if (post)
            srv__api_decide(s, rq, rs);
        else
            srv__api_export(s, rq, rs, 1);
        return;
    }
    if (strcmp(name, "screen") == 0) {
        if (post)
            srv__api_screen(s, rq, rs);
        else
            srv__fail(rs, 405, "screen takes shipments: POST them as CSV or JSON Lines");
        return;
    }
    if (post) {
        int known = ckp_verb_find(name) || strcmp(name, "audit") == 0 ||
                    strcmp(name, "lists") == 0 || strcmp(name, "alerts") == 0 ||
                    strcmp(name, "verbs") == 0 || strcmp(name, "groups") == 0 ||
                    strcmp(name, "view") == 0;
        srv__fail(rs, known ? 405 : 404,
             "POST is for /api/screen and /api/decisions");
        return;
    }
    if (strcmp(name, "audit") == 0) {
        srv__api_export(s, rq, rs, 0);
    } else if (strcmp(name, "lists") == 0 || strcmp(name, "alerts") == 0) {
        srv__api_watch(s, rq, rs, name[0] == 'l');
    } else if (strcmp(name, "verbs") == 0) {
        if (rq->nquery)
            srv__fail(rs, 400, "unknown parameter '%.60s'", rq->query[0].key);
        else
            srv__api_verbs(s, rs);
    } else if (strcmp(name, "groups") == 0) {
        if (rq->nquery)
            srv__fail(rs, 400, "unknown parameter '%.60s'", rq->query[0].key);
        else
            srv__api_groups(s, rs);
    } else if (strcmp(name, "view") == 0) {
        srv__api_view(s, rq, rs);
    } else {
        const ckp_verb *v = ckp_verb_find(name);
        if (!v)
            srv__fail(rs, 404, "unknown verb '%.60s' (GET /api/verbs lists them)", name);
        else if (v->flags & CKP_VERB_CLI_ONLY)
            srv__fail(rs, 404, "%s is not served over HTTP (GET /api/verbs lists what is)", name);
        else
            srv__api_verb(s, v, rq, rs);
    }
}

void srv_handle(srv *s, const srv_request *rq, srv_response *rs)
{
    srv_store_refresh(s); /* a store an ingest has published since */
    pthread_rwlock_rdlock(&s->store_lock);
    handle(s, rq, rs);
    pthread_rwlock_unlock(&s->store_lock);
}

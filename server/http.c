/* http.c — one HTTP request in, one response out, without a socket (see
 * server.h): target parsing, routing, the JSON API, decisions, assets.
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
#include "server.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define CSV_TYPE "text/csv; charset=utf-8"
#define VERB_OUTPUT_LIMIT ((size_t)64 << 20) /* bytes of rows one request may return */
#define ID_MAX 200
#define REASON_MAX 2000
#define BY_MAX 100 /* characters of a `by` name */

void srv_response_free(srv_response *rs)
{
    if (!rs->body_static)
        free(rs->body);
    rs->body = NULL;
    rs->len = 0;
}

static void set_body(srv_response *rs, int status, const char *type, char *body, size_t len)
{
    rs->status = status;
    rs->content_type = type;
    rs->body = body;
    rs->len = len;
    rs->body_static = 0;
}

/* {"error": msg} with status. */
static void fail(srv_response *rs, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(srv_response *rs, int status, const char *fmt, ...)
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
    set_body(rs, status, JSON_TYPE, buf, len);
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

static void fail_err(srv_response *rs, const ckp_error *err)
{
    char buf[1024];
    fail(rs, status_of(err->code), "%s", ckp_error_format(err, buf, sizeof buf));
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

static const char *query_get(const srv_request *rq, const char *key)
{
    for (int i = rq->nquery - 1; i >= 0; i--)
        if (strcmp(rq->query[i].key, key) == 0)
            return rq->query[i].value;
    return NULL;
}

/* FNV-1a 64 of the parts joined with '\x1f', as 16 hex digits. */
static void hash_hex(const char *const *parts, int n, char out[17])
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < n; i++) {
        for (const char *p = parts[i] ? parts[i] : ""; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ull;
        h = (h ^ 0x1f) * 1099511628211ull;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* 1 when s is 1..max printable characters (no control characters). */
static int printable(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

static void serve_asset(srv_response *rs, const char *name)
{
    const ckp_asset *a = ckp_asset_find(name);
    if (!a) {
        fail(rs, 404, "no such asset");
        return;
    }
    rs->status = 200;
    rs->content_type = a->type;
    rs->body = (char *)a->data;
    rs->len = a->len;
    rs->body_static = 1;
    rs->cache_seconds = 300;
}

/* ---- response cache --------------------------------------------------------- */

#define CACHE_SLOTS 512

typedef struct centry {
    char *key;
    char *body;
    size_t len;
} centry;

struct srv_cache {
    pthread_mutex_t lock;
    centry slots[CACHE_SLOTS];
    size_t max_entry, bytes, max_bytes;
};

srv_cache *srv_cache_new(size_t max_entries, size_t max_bytes)
{
    srv_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->lock, NULL);
    c->max_bytes = max_bytes;
    c->max_entry = max_bytes / (max_entries ? max_entries : 1) * 8;
    return c;
}

void srv_cache_free(srv_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(c->slots[i].key);
        free(c->slots[i].body);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static unsigned cache_slot(const char *key)
{
    unsigned h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h % CACHE_SLOTS;
}

/* Copy of the cached body for key, or NULL. */
static char *cache_get(srv_cache *c, const char *key, size_t *len)
{
    if (!c)
        return NULL;
    char *res = NULL;
    pthread_mutex_lock(&c->lock);
    centry *e = &c->slots[cache_slot(key)];
    if (e->key && strcmp(e->key, key) == 0) {
        res = malloc(e->len + 1);
        if (res) {
            memcpy(res, e->body, e->len + 1);
            *len = e->len;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return res;
}

static void cache_put(srv_cache *c, const char *key, const char *body, size_t len)
{
    if (!c || len > c->max_entry)
        return;
    char *k = strdup(key);
    char *b = malloc(len + 1);
    if (!k || !b) {
        free(k);
        free(b);
        return;
    }
    memcpy(b, body, len);
    b[len] = '\0';
    pthread_mutex_lock(&c->lock);
    centry *e = &c->slots[cache_slot(key)];
    c->bytes -= e->key ? e->len : 0;
    free(e->key);
    free(e->body);
    e->key = NULL;
    e->body = NULL;
    e->len = 0;
    if (c->bytes + len <= c->max_bytes) {
        e->key = k;
        e->body = b;
        e->len = len;
        c->bytes += len;
        k = b = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    free(k);
    free(b);
}

/* "verb\x1e" + query pairs sorted by key then value (order-insensitive). */
static int kv_cmp(const void *a, const void *b)
{
    const srv_kv *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

static char *cache_key(const srv *s, const char *verb, const srv_request *rq)
{
    srv_kv sorted[SRV_MAX_QUERY];
    int n = rq->nquery < SRV_MAX_QUERY ? rq->nquery : SRV_MAX_QUERY;
    memcpy(sorted, rq->query, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, kv_cmp);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fprintf(f, "%llu\x1e%s\x1e", (unsigned long long)s->store_gen, verb);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s\x1f%s\x1e", sorted[i].key, sorted[i].value);
    fclose(f);
    return buf;
}

/* ---- which sources: ?source= ----------------------------------------------- */

/* The environment a request reads: the shared one (the real sources) without
 * ?source=, else the one of that selection, opened on first use.  *temp = 1
 * when the table was full and the environment is the request's own (the
 * caller closes it with release_env).  NULL with err (CKP_EUSAGE: an unknown
 * name, a mix of real and synthetic) when the selection cannot be opened. */
static ckp_env *request_env(srv *s, const srv_request *rq, int *temp, ckp_error *err)
{
    const char *spec = query_get(rq, "source");
    *temp = 0;
    if (!spec)
        return &s->env;
    if (!*spec || strlen(spec) > 1000 || !printable(spec, 1000)) {
        ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                      "source: real, synthetic, or store source names joined by ','");
        return NULL;
    }
    pthread_mutex_lock(&s->src_lock);
    ckp_env *env = NULL;
    for (int i = 0; i < s->nsrc_env && !env; i++)
        if (strcmp(s->src_spec[i], spec) == 0)
            env = s->src_env[i];
    if (env) {
        pthread_mutex_unlock(&s->src_lock);
        return env;
    }
    env = malloc(sizeof *env);
    char *copy = strdup(spec);
    if (!env || !copy) {
        free(env);
        free(copy);
        pthread_mutex_unlock(&s->src_lock);
        ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    ckp_env_init(env, s->ref, s->cfg.data_dir, s->cfg.store_dir);
    env->sources = copy;
    const ckp_store *store;
    if (ckp_env_store(env, &store, err) != CKP_OK) {
        ckp_env_close(env);
        free(env);
        free(copy);
        pthread_mutex_unlock(&s->src_lock);
        return NULL;
    }
    if (s->nsrc_env < SRV_MAX_SOURCE_ENVS) {
        s->src_spec[s->nsrc_env] = copy;
        s->src_env[s->nsrc_env++] = env;
    } else {
        *temp = 1;
    }
    pthread_mutex_unlock(&s->src_lock);
    return env;
}

static void release_env(ckp_env *env, int temp)
{
    if (!temp)
        return;
    char *spec = (char *)env->sources;
    ckp_env_close(env);
    free(env);
    free(spec);
}

/* ---- running verbs ---------------------------------------------------------- */

/* Query pairs → ckp_args for verb v: "arg" (when v has no such parameter)
 * gives positional arguments. */
static ckp_status build_args(const ckp_verb *v, const srv_request *rq, const char *skip,
                             ckp_args **out, ckp_error *err)
{
    ckp_args *a = ckp_args_new();
    if (!a)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    int has_arg = 0;
    for (const ckp_param *p = v ? v->params : NULL; p && p->name; p++)
        has_arg |= strcmp(p->name, "arg") == 0;
    for (int i = 0; i < rq->nquery; i++) {
        const srv_kv *q = &rq->query[i];
        if ((skip && strcmp(q->key, skip) == 0) || strcmp(q->key, "source") == 0)
            continue; /* source: the environment's (request_env) */
        ckp_status st;
        if (v && !has_arg && strcmp(q->key, "arg") == 0)
            st = ckp_args_add_pos(a, q->value);
        else
            st = ckp_args_set(a, q->key, q->value);
        if (st != CKP_OK) {
            ckp_args_free(a);
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "too many parameters");
        }
    }
    *out = a;
    return CKP_OK;
}

/* ,"notes":[…] when the HS argument concorded to HS2022 left the rows of a
 * split code out (ckp_hsset_has_ed): the answer says what it rests on. */
static void write_notes(FILE *o, const ckp_ref *ref, const ckp_args *args)
{
    ckp_hsset *set = NULL;
    ckp_error e;
    if (!ckp_args_get(args, "hs") || ckp_args_hsset(args, ref, "hs", 0, &set, &e) != CKP_OK ||
        !set)
        return;
    char note[512];
    json_t *arr = json_array();
    for (int i = 0; arr && i < 32 && ckp_hsset_ambiguity_note(ref, set, i, note, sizeof note) == 0;
         i++)
        json_array_append_new(arr, json_string(note));
    char *js = arr && json_array_size(arr) ? json_dumps(arr, JSON_COMPACT) : NULL;
    if (js)
        fprintf(o, ",\"notes\":%s", js);
    free(js);
    json_decref(arr);
    ckp_hsset_free(set);
}

/* Run v and wrap its JSON Lines in {"rows":[…]}. */
static ckp_status run_rows(ckp_env *env, const ckp_verb *v, const ckp_args *args,
                           int from_server, char **body, size_t *blen, ckp_error *err)
{
    char *lines = NULL;
    size_t llen = 0;
    FILE *f = open_memstream(&lines, &llen);
    if (!f)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ckp_status st = ckp_verb_run_json(v, env, args, from_server, f, err);
    fclose(f);
    if (st == CKP_OK && llen > VERB_OUTPUT_LIMIT)
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                           "the answer is larger than %zu MB: narrow the query",
                           VERB_OUTPUT_LIMIT >> 20);
    if (st != CKP_OK) {
        free(lines);
        return st;
    }
    char *out = NULL;
    size_t olen = 0;
    FILE *o = open_memstream(&out, &olen);
    if (!o) {
        free(lines);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    fputs("{\"rows\":[", o);
    int first = 1;
    for (char *p = lines; p && p < lines + llen;) {
        char *nl = memchr(p, '\n', (size_t)(lines + llen - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(lines + llen - p);
        if (n > 0) {
            fputs(first ? "\n" : ",\n", o);
            fwrite(p, 1, n, o);
            first = 0;
        }
        p += n + 1;
    }
    fputs("]", o);
    write_notes(o, env->ref, args);
    fputs("}\n", o);
    fclose(o);
    free(lines);
    *body = out;
    *blen = olen;
    return CKP_OK;
}

/* Add "id", "entry_hash" and the standing "decision" to each row of a
 * {"rows":[…]} body: alerts of `screen`, hits of `match`. */
static char *annotate(srv *s, const char *body, int is_match, size_t *len)
{
    json_error_t jerr;
    json_t *doc = json_loads(body, 0, &jerr);
    if (!doc)
        return NULL;
    json_t *rows = json_object_get(doc, "rows");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (is_match) {
            const char *query = json_string_value(json_object_get(row, "query"));
            json_t *hits = json_object_get(row, "hits");
            size_t j;
            json_t *hit;
            json_array_foreach(hits, j, hit) {
                const char *eid = json_string_value(json_object_get(hit, "id"));
                const char *name = json_string_value(json_object_get(hit, "name"));
                const char *list = json_string_value(json_object_get(hit, "list"));
                /* the entry's content as listed: a change to any of it
                 * (name, programme, countries, identifiers) lifts a clearance */
                const char *hp[] = {eid,
                                    name,
                                    list,
                                    json_string_value(json_object_get(hit, "program")),
                                    json_string_value(json_object_get(hit, "countries")),
                                    json_string_value(json_object_get(hit, "type")),
                                    json_string_value(json_object_get(hit, "identifiers")),
                                    json_string_value(json_object_get(hit, "listed"))};
                const char *idp[] = {"match", query, list, eid};
                char id[17], eh[17], dec[32];
                hash_hex(idp, 4, id);
                hash_hex(hp, 8, eh);
                char full[20];
                snprintf(full, sizeof full, "m-%s", id);
                json_object_set_new(hit, "decision_id", json_string(full));
                json_object_set_new(hit, "entry_hash", json_string(eh));
                const char *d = srv_cases_lookup(s->cases, full, eh, dec, sizeof dec);
                json_object_set_new(hit, "decision", d ? json_string(d) : json_null());
            }
        } else {
            const char *ship = json_string_value(json_object_get(row, "shipment"));
            const char *kind = json_string_value(json_object_get(row, "kind"));
            const char *rule = json_string_value(json_object_get(row, "rule"));
            json_t *m = json_object_get(row, "matched");
            /* jansson's own text (17-digit reals) on purpose: the alert ids
             * and entry hashes of decisions already recorded were made of it */
            char *mtext = m ? json_dumps(m, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;
            const char *reason = json_string_value(json_object_get(row, "reason"));
            const char *idp[] = {"alert", ship, kind, rule, mtext};
            const char *hp[] = {kind, rule, mtext, reason};
            char id[17], eh[17], dec[32];
            hash_hex(idp, 5, id);
            hash_hex(hp, 4, eh);
            free(mtext);
            char full[20];
            snprintf(full, sizeof full, "a-%s", id);
            json_object_set_new(row, "id", json_string(full));
            json_object_set_new(row, "entry_hash", json_string(eh));
            const char *d = srv_cases_lookup(s->cases, full, eh, dec, sizeof dec);
            json_object_set_new(row, "decision", d ? json_string(d) : json_null());
        }
    }
    json_object_set_new(doc, "list_version", json_string(s->list_version));
    char *out = ckp_json_dumps(doc, 0);
    json_decref(doc);
    if (out)
        *len = strlen(out);
    return out;
}

static void api_verb(srv *s, const ckp_verb *v, const srv_request *rq, srv_response *rs)
{
    ckp_error err;
    ckp_error_clear(&err);
    char *key = cache_key(s, v->name, rq);
    size_t len = 0;
    char *body = key ? cache_get(s->cache, key, &len) : NULL;
    if (!body) {
        ckp_args *args = NULL;
        int temp = 0;
        ckp_env *env = request_env(s, rq, &temp, &err);
        ckp_status st = env ? build_args(v, rq, NULL, &args, &err) : err.code;
        if (st == CKP_OK)
            st = run_rows(env, v, args, 1, &body, &len, &err);
        ckp_args_free(args);
        if (env)
            release_env(env, temp);
        if (st != CKP_OK) {
            free(key);
            fail_err(rs, &err);
            return;
        }
        if (key)
            cache_put(s->cache, key, body, len);
    }
    free(key);
    if (strcmp(v->name, "match") == 0) {
        size_t alen = 0;
        char *ann = annotate(s, body, 1, &alen);
        if (ann) {
            free(body);
            body = ann;
            len = alen;
        }
    }
    set_body(rs, 200, JSON_TYPE, body, len);
}

static void api_verbs(srv_response *rs)
{
    json_t *arr = json_array();
    for (int i = 0; ckp_verb_at(i); i++) {
        const ckp_verb *v = ckp_verb_at(i);
        json_t *o = json_pack("{s:s, s:s, s:s}", "name", v->name, "usage", v->usage ? v->usage : "",
                              "summary", v->summary ? v->summary : "");
        json_t *ps = json_array();
        static const char *const kinds[] = {"flag", "str", "int", "num", "list"};
        for (const ckp_param *p = v->params; p && p->name; p++)
            json_array_append_new(
                ps, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "name", p->name, "kind",
                              (unsigned)p->kind < 5 ? kinds[p->kind] : "str", "metavar",
                              p->metavar ? p->metavar : "", "help", p->help ? p->help : "",
                              "required", p->required, "server_ok", p->server_ok));
        json_object_set_new(o, "params", ps);
        json_t *cs = json_array();
        for (size_t c = 0; c < v->ncolumns; c++)
            json_array_append_new(cs, json_string(v->columns[c].name));
        json_object_set_new(o, "columns", cs);
        json_object_set_new(o, "positional", json_integer(v->max_pos));
        json_object_set_new(o, "served", json_boolean(!(v->flags & CKP_VERB_CLI_ONLY)));
        json_array_append_new(arr, o);
    }
    json_t *doc = json_pack("{s:o, s:b}", "verbs", arr, "charts", ckp_assets_have_chartlib());
    char *out = ckp_json_dumps(doc, 0);
    json_decref(doc);
    if (!out) {
        fail(rs, 500, "out of memory");
        return;
    }
    set_body(rs, 200, JSON_TYPE, out, strlen(out));
}

static void api_groups(srv *s, srv_response *rs)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        fail(rs, 500, "out of memory");
        return;
    }
    ckp_error err;
    ckp_error_clear(&err);
    fputs("{\"groups\":", f);
    ckp_status st = ckp_report_groups(&s->env, f, &err);
    /* the store's sources, for the dashboard's source selector */
    fputs(",\"sources\":[", f);
    for (int i = 0; s->env.store && i < ckp_store_source_count(s->env.store); i++) {
        const char *name = ckp_store_source_name(s->env.store, i);
        fprintf(f, "%s{\"name\":", i ? "," : "");
        ckp_json_write_string(f, name, strlen(name));
        fprintf(f, ",\"synthetic\":%s}",
                ckp_store_source_synthetic(s->env.store, i) ? "true" : "false");
    }
    fputs("]}\n", f);
    fclose(f);
    if (st != CKP_OK) {
        free(buf);
        fail_err(rs, &err);
        return;
    }
    set_body(rs, 200, JSON_TYPE, buf, len);
}

static void api_view(srv *s, const srv_request *rq, srv_response *rs)
{
    const char *name = query_get(rq, "name");
    if (!name || !*name) {
        fail(rs, 400, "view: parameter 'name' is required");
        return;
    }
    ckp_error err;
    ckp_error_clear(&err);
    char *key = cache_key(s, "view", rq);
    size_t len = 0;
    char *body = key ? cache_get(s->cache, key, &len) : NULL;
    if (body) {
        free(key);
        set_body(rs, 200, JSON_TYPE, body, len);
        return;
    }
    ckp_args *args = NULL;
    int temp = 0;
    ckp_env *env = request_env(s, rq, &temp, &err);
    ckp_status st = env ? build_args(NULL, rq, "name", &args, &err) : err.code;
    FILE *f = NULL;
    if (st == CKP_OK) {
        f = open_memstream(&body, &len);
        if (!f)
            st = ckp_error_set(&err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (st == CKP_OK) {
        st = ckp_report_view(env, name, args, 1, f, &err);
        fputc('\n', f);
    }
    if (f)
        fclose(f);
    ckp_args_free(args);
    if (env)
        release_env(env, temp);
    if (st != CKP_OK) {
        free(key);
        free(body);
        fail_err(rs, &err);
        return;
    }
    if (key)
        cache_put(s->cache, key, body, len);
    free(key);
    set_body(rs, 200, JSON_TYPE, body, len);
}

static void api_export(srv *s, const srv_request *rq, srv_response *rs, int decisions)
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
                fail(rs, 400, "--limit must be a non-negative integer (got '%.60s')", q->value);
                return;
            }
        } else {
            fail(rs, 400, "unknown parameter '%.60s'", q->key);
            return;
        }
    }
    int csv = strcmp(fmt, "csv") == 0;
    if (!csv && strcmp(fmt, "json") != 0) {
        fail(rs, 400, "--format must be csv or json (got '%.60s')", fmt);
        return;
    }
    ckp_error err;
    ckp_error_clear(&err);
    char *out = NULL;
    size_t len = 0;
    if (srv_cases_export(s->cases, decisions, csv, limit, &out, &len, &err) != CKP_OK) {
        fail_err(rs, &err);
        return;
    }
    set_body(rs, 200, csv ? CSV_TYPE : JSON_TYPE, out, len);
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
static void api_decide(srv *s, const srv_request *rq, srv_response *rs)
{
    const char *user = srv_guard_check(s->guard, rq->auth);
    if (!user) {
        fail(rs, 401, "decisions need 'Authorization: Bearer TOKEN' (the token printed on the "
                      "server's first start, in the file beside its database)");
        return;
    }
    if (rq->nquery > 0) {
        fail(rs, 400, "unknown parameter '%.60s' (the decision goes in the JSON body)",
             rq->query[0].key);
        return;
    }
    json_error_t jerr;
    json_t *doc = rq->body ? json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr)
                           : NULL;
    if (!doc || !json_is_object(doc)) {
        if (doc)
            fail(rs, 400, "the body must be a JSON object");
        else
            fail(rs, 400, "the body is not JSON: %s (line %d, column %d)",
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
            fail(rs, 400, "unknown field '%.60s'", key);
            goto out;
        }
        if (!json_is_string(v)) {
            fail(rs, 400, "field '%s' must be a string", key);
            goto out;
        }
        val[k] = json_string_value(v);
        if (json_string_length(v) != strlen(val[k])) {
            fail(rs, 400, "field '%s' holds a NUL character", key);
            goto out;
        }
        if (strlen(val[k]) > (k == F_REASON ? REASON_MAX : ID_MAX)) {
            fail(rs, 400, "field '%s' is too long (at most %d bytes)", key,
                 k == F_REASON ? REASON_MAX : ID_MAX);
            goto out;
        }
    }
    const char *item = val[F_ID] ? val[F_ID] : val[F_ALERT] ? val[F_ALERT] : val[F_MATCH];
    if (!item || !printable(item, ID_MAX) || !clean_text(item, ID_MAX)) {
        fail(rs, 400, "the alert or match id ('id') is required: 1-%d printable characters",
             ID_MAX);
        goto out;
    }
    if (!val[F_DECISION] ||
        (strcmp(val[F_DECISION], "cleared") != 0 && strcmp(val[F_DECISION], "escalated") != 0)) {
        fail(rs, 400, "'decision' must be \"cleared\" or \"escalated\"");
        goto out;
    }
    if (!val[F_REASON] || !clean_text(val[F_REASON], REASON_MAX)) {
        fail(rs, 400, "'reason' is required (1-%d characters, no control characters): why was it "
                      "%s?", REASON_MAX, val[F_DECISION]);
        goto out;
    }
    if (val[F_BY] && !clean_text(val[F_BY], BY_MAX)) {
        fail(rs, 400, "'by' must be a name of 1-%d characters, valid UTF-8, without control "
                      "characters (the token's user is recorded beside it anyway)", BY_MAX);
        goto out;
    }
    for (int k = F_SUBJECT; k < F_N; k++)
        if (val[k] && *val[k] && !clean_text(val[k], ID_MAX)) {
            fail(rs, 400, "field '%s' has control characters", fields[k]);
            goto out;
        }
    /* the idempotency key: the header, or request_id, or both the same */
    const char *ikey = rq->idempotency_key;
    if (ikey && val[F_REQUEST_ID] && strcmp(ikey, val[F_REQUEST_ID]) != 0) {
        fail(rs, 400, "the Idempotency-Key header and 'request_id' differ");
        goto out;
    }
    if (!ikey)
        ikey = val[F_REQUEST_ID];
    if (ikey && !key_ok(ikey)) {
        fail(rs, 400, "an idempotency key is 1-%d visible ASCII characters", ID_MAX);
        goto out;
    }
    char body_hash[65] = "";
    if (ikey && srv_sha256_hex(rq->body, rq->body_len, body_hash) != 0) {
        fail(rs, 500, "SHA-256 failed: nothing recorded");
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
        fail(rs, 422, "%s", err.msg);
        goto out;
    }
    if (st != CKP_OK) {
        fail(rs, 500, "%s (nothing recorded)", err.msg);
        goto out;
    }
    set_body(rs, 200, JSON_TYPE, done.answer, strlen(done.answer));
out:
    json_decref(doc);
}

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

/* Query parameters of a non-verb endpoint: every key must be in `allowed`. */
static int check_keys(const srv_request *rq, const char *const *allowed, srv_response *rs)
{
    for (int i = 0; i < rq->nquery; i++) {
        int k = 0;
        while (allowed[k] && strcmp(allowed[k], rq->query[i].key) != 0)
            k++;
        if (!allowed[k]) {
            fail(rs, 400, "unknown parameter '%.60s'", rq->query[i].key);
            return -1;
        }
    }
    return 0;
}

/* GET /api/lists[?version=N]: the list versions and one version's changes;
 * GET /api/alerts[?status=open|decided|all]: the alerts of list updates
 * (watch.c). */
static void api_watch(srv *s, const srv_request *rq, srv_response *rs, int lists)
{
    static const char *const lkeys[] = {"version", NULL};
    static const char *const akeys[] = {"status", NULL};
    if (check_keys(rq, lists ? lkeys : akeys, rs))
        return;
    const char *arg = query_get(rq, lists ? "version" : "status");
    if (lists && arg) {
        char *end;
        errno = 0;
        long long v = strtoll(arg, &end, 10);
        if (errno || end == arg || *end || v < 1) {
            fail(rs, 400, "version must be a list version number (got '%.40s')", arg);
            return;
        }
    }
    if (!lists && arg && strcmp(arg, "open") != 0 && strcmp(arg, "decided") != 0 &&
        strcmp(arg, "all") != 0) {
        fail(rs, 400, "status must be open, decided or all (got '%.40s')", arg);
        return;
    }
    json_t *doc = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_status st = lists ? srv_lists_json(s->cases, arg, &doc, &err)
                          : srv_alerts_json(s->cases, arg, &doc, &err);
    if (st != CKP_OK) {
        fail_err(rs, &err);
        return;
    }
    char *body = ckp_json_dumps(doc, 0);
    json_decref(doc);
    if (!body) {
        fail(rs, 500, "out of memory");
        return;
    }
    set_body(rs, 200, JSON_TYPE, body, strlen(body));
}

static int query_num(const srv_request *rq, const char *key, double lo, double hi, double *v,
                     srv_response *rs)
{
    const char *t = query_get(rq, key);
    if (!t)
        return 0;
    char *end;
    errno = 0;
    double d = strtod(t, &end);
    if (errno || end == t || *end || !(d >= lo && d <= hi)) {
        fail(rs, 400, "--%s must be a number from %g to %g (got '%.40s')", key, lo, hi, t);
        return -1;
    }
    *v = d;
    return 0;
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
        fail(rs, 400, "the body must hold shipments (CSV with a header, or JSON Lines)");
        return;
    }
    if (memchr(rq->body, 0, rq->body_len)) {
        fail(rs, 400, "the body holds a NUL byte: not text");
        return;
    }
    ckp_screen_config cfg;
    ckp_screen_config_init(&cfg, s->ref);
    cfg.index = s->index;
    const ckp_measures *ms = NULL;
    const ckp_hubs *hubs = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_measures_from_env(&s->env, &ms, &err) != CKP_OK) {
        fail(rs, 500, "the measures register could not be loaded, nothing screened: %s",
             ckp_error_format(&err, (char[1024]){0}, 1024));
        return;
    }
    cfg.measures = ms;
    ckp_error_clear(&err);
    ckp_status hst = ckp_hubs_from_env(env, &hubs, &err);
    if (hst != CKP_OK && hst != CKP_ENOTFOUND) { /* no store: no ranked hubs */
        fail(rs, 500, "the route hubs could not be ranked, nothing screened: %s",
             ckp_error_format(&err, (char[1024]){0}, 1024));
        return;
    }
    cfg.hubs = hst == CKP_OK ? hubs : NULL;
    ckp_error_clear(&err);
    double thr = cfg.threshold;
    if (query_num(rq, "threshold", 0, 1, &thr, rs))
        return;
    cfg.threshold = thr;
    const char *input = query_get(rq, "input");
    int format = 0;
    if (input && strcmp(input, "csv") == 0)
        format = 'c';
    else if (input && strcmp(input, "jsonl") == 0)
        format = 'j';
    else if (input) {
        fail(rs, 400, "--input must be csv or jsonl (got '%.40s')", input);
        return;
    }
    /* the counterparties screened are kept (with this screening) for
     * `lists update` to re-screen when the lists change */
    srv_keeper *keeper = srv_keeper_new(s->ref);
    if (!keeper) {
        fail(rs, 500, "out of memory");
        return;
    }
    cfg.on_shipment = srv_keeper_on_shipment;
    cfg.on_shipment_ctx = keeper;
    ckp_screen_input in = {"body", rq->body, rq->body_len, query_get(rq, "map"), format};
    size_t ncols = 0;
    const ckp_column *cols = ckp_screen_columns(&ncols);
    char *lines = NULL;
    size_t llen = 0;
    FILE *f = open_memstream(&lines, &llen);
    ckp_writer *w = f ? ckp_writer_new(f, CKP_FMT_JSON, cols, ncols) : NULL;
    bad_rows bad = {json_array(), json_array(), 0, 0};
    ckp_screen_stats st;
    memset(&st, 0, sizeof st);
    ckp_status rc = w ? ckp_screen_run(&cfg, &in, w, on_bad_row, &bad, &st, &err) : CKP_ENOMEM;
    if (w) {
        ckp_writer_finish(w);
        ckp_writer_free(w);
    }
    if (f)
        fclose(f);
    if (rc == CKP_OK && (bad.oom || !bad.arr || !bad.unscreened))
        rc = ckp_error_set(&err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    size_t kept = 0;
    if (rc == CKP_OK)
        rc = srv_keeper_save(s->cases, keeper, s->list_version, "api", &kept, &err);
    srv_keeper_free(keeper);
    if (rc != CKP_OK) {
        free(lines);
        json_decref(bad.arr);
        json_decref(bad.unscreened);
        if (rc == CKP_ENOMEM && !err.msg[0])
            fail(rs, 500, "out of memory");
        else
            fail(rs, rc == CKP_ENOMEM || rc == CKP_EIO ? 500 : 400, "%s",
                 ckp_error_format(&err, (char[1024]){0}, 1024));
        return;
    }
    uint64_t nalerts = st.alerts[0] + st.alerts[1] + st.alerts[2] + st.alerts[3];
    const char *outcome = bad.n > 0 ? "unscreened" : nalerts > 0 ? "alert" : "clear";
    json_t *doc = json_pack("{s:s, s:I, s:o, s:[], s:I, s:I, s:I, s:o, s:b, s:I}", "outcome",
                            outcome, "unscreened_count", (json_int_t)bad.n, "unscreened",
                            bad.unscreened, "rows", "shipments", (json_int_t)st.shipments,
                            "flagged", (json_int_t)st.flagged, "bad_rows", (json_int_t)bad.n,
                            "rejected", bad.arr, "route_hubs", cfg.hubs != NULL,
                            "counterparties_kept", (json_int_t)kept);
    json_t *rows = json_object_get(doc, "rows");
    for (char *p = lines; p && p < lines + llen;) {
        char *nl = memchr(p, '\n', (size_t)(lines + llen - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(lines + llen - p);
        json_t *row = n ? json_loadb(p, n, 0, NULL) : NULL;
        if (n && (!row || json_array_append_new(rows, row) != 0)) {
            /* an alert that cannot be passed on fails the answer: never dropped */
            free(lines);
            json_decref(doc);
            fail(rs, 500, "an alert could not be encoded: nothing answered");
            return;
        }
        p += n + 1;
    }
    free(lines);
    char *body = ckp_json_dumps(doc, 0);
    json_decref(doc);
    if (!body) {
        fail(rs, 500, "out of memory");
        return;
    }
    size_t alen = 0;
    char *ann = annotate(s, body, 0, &alen);
    free(body);
    if (!ann) {
        fail(rs, 500, "out of memory");
        return;
    }
    set_body(rs, 200, JSON_TYPE, ann, alen);
}

/* ---- the Host check (DNS rebinding) ---------------------------------------------- */

/* 1 when name (no port) is an IP literal: "1.2.3.4" or "[v6]". */
static void api_screen(srv *s, const srv_request *rq, srv_response *rs)
{
    static const char *const allowed[] = {"threshold", "map", "input", "source", NULL};
    if (check_keys(rq, allowed, rs))
        return;
    ckp_error err;
    ckp_error_clear(&err);
    int temp = 0;
    ckp_env *env = request_env(s, rq, &temp, &err);
    if (!env) {
        fail_err(rs, &err);
        return;
    }
    screen_in(s, env, rq, rs);
    release_env(env, temp);
}

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
        fail(rs, 421, "Host '%.100s' is not served here (a page on another name must not read "
                      "this server: give the name with --allow-host if it is yours)",
             rq->host ? rq->host : "");
        return;
    }
    if (s->guard && !srv_guard_allow(s->guard, rq->client)) {
        fail(rs, 429, "too many requests: slow down");
        return;
    }
    if (!get && !post) {
        fail(rs, 405, "method %.20s not allowed", m);
        return;
    }
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
        if (!get)
            fail(rs, 405, "method not allowed");
        else if (rq->nquery)
            fail(rs, 400, "the dashboard takes no parameters");
        else
            serve_asset(rs, "dashboard.html");
        return;
    }
    if (strncmp(path, "/assets/", 8) == 0) {
        const char *name = path + 8;
        if (!get)
            fail(rs, 405, "method not allowed");
        else if (strchr(name, '/') || strcmp(name, "dashboard.html") == 0 ||
                 strcmp(name, "report.html") == 0)
            fail(rs, 404, "no such asset");
        else
            serve_asset(rs, name);
        return;
    }
    if (srv_yente_path(path)) {
        srv_yente(s, rq, rs);
        return;
    }
    if (strncmp(path, "/api/", 5) != 0) {
        fail(rs, 404, "not found: the API is under /api/ (yente's under /match, /search…)");
        return;
    }
    const char *name = path + 5;
    if (strcmp(name, "decisions") == 0) {
        if (post)
            api_decide(s, rq, rs);
        else
            api_export(s, rq, rs, 1);
        return;
    }
    if (strcmp(name, "screen") == 0) {
        if (post)
            api_screen(s, rq, rs);
        else
            fail(rs, 405, "screen takes shipments: POST them as CSV or JSON Lines");
        return;
    }
    if (post) {
        int known = ckp_verb_find(name) || strcmp(name, "audit") == 0 ||
                    strcmp(name, "lists") == 0 || strcmp(name, "alerts") == 0 ||
                    strcmp(name, "verbs") == 0 || strcmp(name, "groups") == 0 ||
                    strcmp(name, "view") == 0;
        fail(rs, known ? 405 : 404,
             "POST is for /api/screen and /api/decisions");
        return;
    }
    if (strcmp(name, "audit") == 0) {
        api_export(s, rq, rs, 0);
    } else if (strcmp(name, "lists") == 0 || strcmp(name, "alerts") == 0) {
        api_watch(s, rq, rs, name[0] == 'l');
    } else if (strcmp(name, "verbs") == 0) {
        if (rq->nquery)
            fail(rs, 400, "unknown parameter '%.60s'", rq->query[0].key);
        else
            api_verbs(rs);
    } else if (strcmp(name, "groups") == 0) {
        if (rq->nquery)
            fail(rs, 400, "unknown parameter '%.60s'", rq->query[0].key);
        else
            api_groups(s, rs);
    } else if (strcmp(name, "view") == 0) {
        api_view(s, rq, rs);
    } else {
        const ckp_verb *v = ckp_verb_find(name);
        if (!v)
            fail(rs, 404, "unknown verb '%.60s' (GET /api/verbs lists them)", name);
        else if (v->flags & CKP_VERB_CLI_ONLY)
            fail(rs, 404, "%s is not served over HTTP (GET /api/verbs lists what is)", name);
        else
            api_verb(s, v, rq, rs);
    }
}

void srv_handle(srv *s, const srv_request *rq, srv_response *rs)
{
    srv_store_refresh(s); /* a store an ingest has published since */
    pthread_rwlock_rdlock(&s->store_lock);
    handle(s, rq, rs);
    pthread_rwlock_unlock(&s->store_lock);
}

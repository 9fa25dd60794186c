/* http_cache.c — GET /api answers kept by canonical query (server.h srv_cache):
 * bounded in entries and bytes, keyed by the store generation. */
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
char *srv__cache_get(srv_cache *c, const char *key, size_t *len)
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

void srv__cache_put(srv_cache *c, const char *key, const char *body, size_t len)
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

char *srv__cache_key(const srv *s, const char *verb, const srv_request *rq)
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


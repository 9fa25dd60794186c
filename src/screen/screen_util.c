/* screen_util.c — arena, string map and vector for src/screen (screen_int.h). */
#include "screen_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/vec.h"

struct ckp__arena_chunk {
    ckp__arena_chunk *next;
    size_t cap;
    max_align_t align[];
};

#define CHUNK (1u << 20)

void *ckp__arena_alloc(ckp__arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->used + n > a->cap) {
        size_t cap = n > CHUNK ? n : CHUNK;
        size_t limit = a->limit ? a->limit : ((size_t)4 << 30);
        if (a->total + cap > limit)
            return NULL;
        ckp__arena_chunk *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->cap = cap;
        a->head = c;
        a->used = 0;
        a->cap = cap;
        a->total += cap;
    }
    void *p = (char *)a->head->align + a->used;
    a->used += n;
    return p;
}

char *ckp__arena_strndup(ckp__arena *a, const char *s, size_t n)
{
    char *p = ckp__arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *ckp__arena_strdup(ckp__arena *a, const char *s) { return ckp__arena_strndup(a, s, strlen(s)); }

void ckp__arena_free(ckp__arena *a)
{
    ckp__arena_chunk *c = a->head;
    while (c) {
        ckp__arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = a->cap = a->total = 0;
}

uint64_t ckp__hash(const char *s, size_t n)
{
    uint64_t h = ckp__fnv1a(CKP__FNV_BASIS, s, n);
    return h ^ (h >> 29);
}

int ckp__strmap_init(ckp__strmap *m, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2)
        cap <<= 1;
    m->keys = calloc(cap, sizeof *m->keys);
    m->klen = calloc(cap, sizeof *m->klen);
    m->vals = calloc(cap, sizeof *m->vals);
    m->cap = cap;
    m->n = 0;
    if (!m->keys || !m->klen || !m->vals) {
        ckp__strmap_free(m);
        return -1;
    }
    return 0;
}

void ckp__strmap_free(ckp__strmap *m)
{
    free(m->keys);
    free(m->klen);
    free(m->vals);
    m->keys = NULL;
    m->klen = NULL;
    m->vals = NULL;
    m->cap = m->n = 0;
}

static size_t find_slot(const ckp__strmap *m, const char *key, size_t n)
{
    size_t mask = m->cap - 1, i = (size_t)ckp__hash(key, n) & mask;
    while (m->keys[i] && !(m->klen[i] == n && memcmp(m->keys[i], key, n) == 0))
        i = (i + 1) & mask;
    return i;
}

uint32_t ckp__strmap_get(const ckp__strmap *m, const char *key, size_t n)
{
    if (!m->cap)
        return UINT32_MAX;
    size_t i = find_slot(m, key, n);
    return m->keys[i] ? m->vals[i] : UINT32_MAX;
}

static int grow(ckp__strmap *m)
{
    ckp__strmap big;
    if (ckp__strmap_init(&big, m->cap) != 0)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = find_slot(&big, m->keys[i], m->klen[i]);
        big.keys[j] = m->keys[i];
        big.klen[j] = m->klen[i];
        big.vals[j] = m->vals[i];
        big.n++;
    }
    ckp__strmap_free(m);
    *m = big;
    return 0;
}

int ckp__strmap_put(ckp__strmap *m, const char *key, size_t n, uint32_t val)
{
    if (!m->cap && ckp__strmap_init(m, 16) != 0)
        return -1;
    if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
        return -1;
    size_t i = find_slot(m, key, n);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->klen[i] = (uint32_t)n;
        m->n++;
    }
    m->vals[i] = val;
    return 0;
}

void ckp__vec_init(ckp__vec *v, size_t size, size_t max)
{
    v->data = NULL;
    v->n = v->cap = 0;
    v->size = size;
    v->max = max;
}

void *ckp__vec_push(ckp__vec *v)
{
    if (v->n >= v->max ||
        ckp_array_reserve(&v->data, &v->cap, v->n + 1, v->size, v->max, NULL, NULL) != CKP_OK)
        return NULL;
    void *e = (char *)v->data + v->n * v->size;
    memset(e, 0, v->size);
    v->n++;
    return e;
}

void ckp__vec_free(ckp__vec *v)
{
    free(v->data);
    v->data = NULL;
    v->n = v->cap = 0;
}

void ckp__dbuf_reset(ckp__dbuf *b)
{
    b->n = 0;
    b->failed = 0;
    if (b->p)
        b->p[0] = '\0';
}

void ckp__dbuf_free(ckp__dbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

const char *ckp__dbuf_str(const ckp__dbuf *b) { return b->p ? b->p : ""; }

/* Room for need more bytes and the NUL; 0, or -1 (then failed is set). */
static int dbuf_room(ckp__dbuf *b, size_t need)
{
    if (b->failed)
        return -1;
    if (need > CKP__DBUF_MAX - b->n - 1) {
        b->failed = 1;
        return -1;
    }
    if (b->n + need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + need + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void ckp__dbuf_vprintf(ckp__dbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (dbuf_room(b, (size_t)n))
        return;
    vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    b->n += (size_t)n;
}

void ckp__dbuf_printf(ckp__dbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ckp__dbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* Length of the valid UTF-8 sequence at p (2..4), or 0 when invalid (p is
 * NUL-terminated, so a short sequence stops at the NUL). */
static size_t utf8_len(const unsigned char *p)
{
    unsigned char c = p[0];
    size_t k = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    for (size_t j = 1; j < k; j++)
        if ((p[j] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0) ||
        (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
        return 0;
    return k;
}

void ckp__dbuf_json(ckp__dbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    if (len > CKP__DBUF_MAX / 6) {
        b->failed = 1;
        return;
    }
    if (dbuf_room(b, 6 * len + 2))
        return;
    b->p[b->n++] = '"';
    for (; *p; p++) {
        if (*p >= 0x80) { /* JSON text is UTF-8: an invalid byte becomes U+FFFD */
            size_t k = utf8_len(p);
            if (k) {
                memcpy(b->p + b->n, p, k);
                b->n += k;
                p += k - 1;
            } else {
                memcpy(b->p + b->n, "\\ufffd", 6);
                b->n += 6;
            }
        } else if (*p == '"' || *p == '\\') {
            b->p[b->n++] = '\\';
            b->p[b->n++] = (char)*p;
        } else if (*p < 0x20) {
            b->n += (size_t)snprintf(b->p + b->n, b->cap - b->n, "\\u%04x", *p);
        } else {
            b->p[b->n++] = (char)*p;
        }
    }
    b->p[b->n++] = '"';
    b->p[b->n] = '\0';
}

/* screen_int.h — helpers shared by the files of src/screen/: an arena for
 * strings and arrays that live as long as their owner, a string → index hash
 * map, and a growable array with a limit. */
#ifndef CHOKEPOINT_SCREEN_INT_H
#define CHOKEPOINT_SCREEN_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"

/* lists.c: read FtM files n bytes at a time (n ≥ 3; 0 = the default 1 MiB),
 * so that a fuzzer's small inputs cross reads (fuzz/fuzz_lists_ftm_stream.c). */
struct ckp_lists;
void ckp__lists_set_read_chunk(struct ckp_lists *l, size_t n);

/* Arena: bump allocation in 1 MiB chunks, freed all at once.  limit = total
 * bytes allowed (0 = 4 GiB); past it allocations return NULL. */
typedef struct ckp__arena_chunk ckp__arena_chunk;
typedef struct ckp__arena {
    ckp__arena_chunk *head;
    size_t used, cap; /* in the head chunk */
    size_t total, limit;
} ckp__arena;

void *ckp__arena_alloc(ckp__arena *a, size_t n);
char *ckp__arena_strndup(ckp__arena *a, const char *s, size_t n);
char *ckp__arena_strdup(ckp__arena *a, const char *s);
void ckp__arena_free(ckp__arena *a);

/* Open-addressing map from byte strings to uint32 values.  Keys are not
 * copied: they must outlive the map (keep them in an arena). */
typedef struct ckp__strmap {
    const char **keys;
    uint32_t *klen;
    uint32_t *vals;
    size_t cap, n; /* cap is a power of two */
} ckp__strmap;

int ckp__strmap_init(ckp__strmap *m, size_t expected);
void ckp__strmap_free(ckp__strmap *m);
/* Value for key, or UINT32_MAX. */
uint32_t ckp__strmap_get(const ckp__strmap *m, const char *key, size_t n);
/* Insert or replace; returns 0, or -1 when out of memory. */
int ckp__strmap_put(ckp__strmap *m, const char *key, size_t n, uint32_t val);
uint64_t ckp__hash(const char *s, size_t n);

/* Growable array of elements of size `size`, at most `max` elements. */
typedef struct ckp__vec {
    void *data;
    size_t n, cap, size, max;
} ckp__vec;

void ckp__vec_init(ckp__vec *v, size_t size, size_t max);
/* Pointer to a new zeroed element at the end, or NULL (out of memory or max). */
void *ckp__vec_push(ckp__vec *v);
void ckp__vec_free(ckp__vec *v);

/* A growable text buffer (reasons, matched JSON, rule names): never cut.
 * Past CKP__DBUF_MAX bytes, or out of memory, it is marked failed and the
 * caller must treat what it was building as not done (a shipment whose
 * alert text could not be built is reported unscreened, not as "no alert"). */
#define CKP__DBUF_MAX ((size_t)16 << 20)
typedef struct ckp__dbuf {
    char *p;    /* NUL-terminated once anything was written; "" before */
    size_t n, cap;
    int failed; /* set by a printf/json that could not grow the buffer */
} ckp__dbuf;

/* Empty the text (keeps the memory); clears failed. */
void ckp__dbuf_reset(ckp__dbuf *b);
void ckp__dbuf_free(ckp__dbuf *b);
/* The text, "" when empty. */
const char *ckp__dbuf_str(const ckp__dbuf *b);
/* Append formatted text. */
void ckp__dbuf_printf(ckp__dbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ckp__dbuf_vprintf(ckp__dbuf *b, const char *fmt, va_list ap);
/* Append s as a JSON string literal (with quotes). */
void ckp__dbuf_json(ckp__dbuf *b, const char *s);

#endif

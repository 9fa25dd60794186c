/* store_write_int.h — what the store writer's files share (see store.h):
 *   store_write.c    begin, sources, staging rows, views for two threads,
 *                    abort
 *   store_sort.c     the staged rows sorted, duplicates dropped
 *   store_publish.c  merge and write a generation, publish it (commit)
 * The sort key of a staged row and the writer itself are here. */
#ifndef CHOKEPOINT_STORE_WRITE_INT_H
#define CHOKEPOINT_STORE_WRITE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_int.h"

#define KEY_HS(k) ((uint32_t)((k) >> 44))
#define KEY_PRODUCT(k) ((k) >> 41) /* hs + edition */
#define KEY_REP(k) ((unsigned)((k) >> 31) & 1023u)
#define KEY_PAR(k) ((unsigned)((k) >> 21) & 1023u)
#define KEY_FLOW(k) ((unsigned)((k) >> 19) & 3u)
#define KEY_PER(k) ((unsigned)((k) >> 7) & 4095u)
#define KEY_SRC(k) ((unsigned)(k) & 127u)
#define DROPPED UINT32_MAX

typedef struct alt_entry {
    uint32_t idx; /* staging row */
    float value;
} alt_entry;

struct ckp_store_writer {
    char dir[4096];
    const ckp_ref *ref;
    int replace;
    int lockfd;
    ckp_store *old;      /* current generation, merged unless replace */
    uint64_t old_gen;    /* 0 when none */
    int has_old_gen;
    uint64_t keep_gen;   /* the generation kept beside the new one (0 none):
                            the old one, or with CURRENT damaged and
                            --replace, the newest intact one */
    const char *source_name[CKP__MAX_SOURCES];
    int source_synth[CKP__MAX_SOURCES];
    char source_cur[CKP__MAX_SOURCES][4]; /* currency converted from, "" none */
    char *source_own[CKP__MAX_SOURCES];
    char *source_prov[CKP__MAX_SOURCES]; /* owned provenance or NULL */
    int nsources;
    int nref;
    int *rank;           /* ref id → rank by ISO3 */
    int *rank_id;        /* rank → ref id */
    /* staging */
    uint64_t *key;
    double *value;
    float *qty;
    uint8_t *unit;
    size_t n, cap;
    /* input lines, kept sparsely: row r came from line r + delta of the last
     * anchor at or before r (one anchor per change: a rejected or blank line,
     * a record over several lines, a new file) */
    struct line_anchor {
        uint32_t row;
        int64_t delta;
    } *anchor;
    size_t nanchor, anchorcap;
    alt_entry *alt;
    size_t nalt, altcap;
    ckp_dup_fn dup_fn;
    void *dup_ctx;
    int is_view;         /* staging only: tables and arrays borrowed (views) */
};

/* A row to sort: its key and staging row.  Packed to 12 bytes: the sort
 * array is the largest allocation of a commit. */
typedef struct __attribute__((packed)) kv {
    uint64_t k;
    uint32_t i;
} kv;

/* Staging arrays: anonymous mappings advised to use transparent huge pages
 * (store_write.c); NULL when out of memory.  Free with ckp__big_free. */
void *ckp__big_alloc(size_t n);
void ckp__big_free(void *ptr);

/* The staged rows of w in key order (NULL when out of memory, *err set);
 * free with free() up to 50,000 rows, else ckp__big_free (store_sort.c). */
kv *ckp__sort_rows(ckp_store_writer *w, ckp_error *err);
/* Mark the later rows of each key in rows DROPPED and report them to the
 * writer's duplicate callback; returns how many. */
uint64_t ckp__drop_duplicates(ckp_store_writer *w, kv *rows);

#endif

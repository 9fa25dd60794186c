/* vec.h — bounded growable arrays (library-internal, ground floor).
 *
 * Two forms of one rule: an array grows by doubling, never past a bound the
 * caller names, and every size computation is checked for overflow.  Hitting
 * the bound is CKP_ELIMIT, a failed allocation CKP_ENOMEM; in both cases the
 * array keeps its contents and capacity, so the caller can free it as usual.
 *
 *  - ckp_array_reserve: for a typed array a struct already holds
 *    (`ckp_measure *items; size_t n, cap;`): CKP_ARRAY_RESERVE(items, cap,
 *    n + 1, MAX, "measures", err).
 *  - ckp_vec: the same with the pointer, count, capacity, element size and
 *    bound kept together; ckp_vec_push hands out a zeroed new element.
 *
 * Ownership: the array belongs to whoever holds the pointer; ckp_vec_free (or
 * free() on a reserved array) releases it.  what names the elements in the
 * limit error ("more than 4096 groups"); it is a static string. */
#ifndef CKP_CORE_VEC_H
#define CKP_CORE_VEC_H

#include <stddef.h>

#include "chokepoint/error.h"

/* Make room for need elements of size bytes in the array *arrp (a pointer
 * to the array pointer) of capacity *cap: the capacity doubles from 16 (or
 * from *cap) until it holds need, clipped to max.  CKP_OK when *cap >= need
 * afterwards; CKP_ELIMIT when need > max; CKP_ENOMEM when realloc fails
 * (*arrp and *cap are then unchanged).  err may be NULL. */
ckp_status ckp_array_reserve(void *arrp, size_t *cap, size_t need, size_t size, size_t max,
                             const char *what, ckp_error *err);

/* The same for a typed array: arr and cap are lvalues (cap a size_t).  The
 * capacity is compared inline first, so a loop that pushes pays no call
 * until the array is full; need is evaluated twice. */
#define CKP_ARRAY_RESERVE(arr, cap, need, max, what, err)                                     \
    ((need) <= (cap) ? CKP_OK                                                                 \
                     : ckp_array_reserve(&(arr), &(cap), (need), sizeof *(arr), (max), (what), \
                                         (err)))

typedef struct ckp_vec {
    void *data;       /* n elements of size bytes; NULL while empty */
    size_t n, cap;    /* elements used / allocated */
    size_t size;      /* bytes per element */
    size_t max;       /* most elements it may ever hold */
    const char *what; /* what the elements are, for the limit error */
} ckp_vec;

/* An empty vector of elements of size bytes, at most max of them. */
void ckp_vec_init(ckp_vec *v, size_t size, size_t max, const char *what);

/* Room for need elements in all (ckp_array_reserve's rules). */
ckp_status ckp_vec_reserve(ckp_vec *v, size_t need, ckp_error *err);

/* Append one zeroed element and return it, or NULL with err set (the
 * vector is unchanged).  The pointer is valid until the next push/reserve. */
void *ckp_vec_push(ckp_vec *v, ckp_error *err);

/* Append a copy of the element at elem (size bytes). */
ckp_status ckp_vec_append(ckp_vec *v, const void *elem, ckp_error *err);

/* Element i (no bounds check), typed. */
#define CKP_VEC_AT(v, type, i) ((type *)(v)->data + (i))

/* Hand the array to the caller (who frees it) and leave v empty. */
void *ckp_vec_take(ckp_vec *v);

/* free() each of the pointers given (NULL ones too): what a struct of
 * arrays owns, released in one call — CKP_FREE_ALL(m->rows, m->keys, m). */
void ckp_free_each(void *const *p, size_t n);

#define CKP_FREE_ALL(...)                                                                     \
    ckp_free_each((void *const[]){__VA_ARGS__},                                               \
                  sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))

/* Free the array; v is empty and can be reused with the same settings. */
void ckp_vec_free(ckp_vec *v);

#endif

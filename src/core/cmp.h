/* cmp.h — three-way comparison for qsort comparators (library-internal,
 * ground floor).
 *
 *     return CKP_CMP_CHAIN(CKP_CMP(x->hs, y->hs), CKP_CMP(x->period, y->period));
 *
 * orders by hs, then period: the first non-zero comparison decides.  Every
 * comparison in the chain is evaluated (they are plain compares of fields,
 * branch-free), so put no call with a side effect in one. */
#ifndef CKP_CORE_CMP_H
#define CKP_CORE_CMP_H

#include <stddef.h>

/* -1, 0 or 1 as a is below, equal to or above b (integers; for floating
 * point, NaN compares equal to everything). */
#define CKP_CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* The first non-zero of the n comparisons in c, or 0. */
static inline int ckp_cmp_first(const int *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c[i])
            return c[i];
    return 0;
}

#define CKP_CMP_CHAIN(...)                                                                    \
    ckp_cmp_first((const int[]){__VA_ARGS__}, sizeof((const int[]){__VA_ARGS__}) / sizeof(int))

#endif

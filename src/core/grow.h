/* grow.h — growing parallel arrays together (library-internal). */
#ifndef CKP_CORE_GROW_H
#define CKP_CORE_GROW_H

#include <stddef.h>

/* Reallocate parallel arrays to cap elements each.  After cap come pairs
 * (address of an array pointer, element size) — CKP__GROW(p) writes one —
 * ended by a null pointer.  Each array that could be grown is replaced at
 * once, so nothing leaks and every array keeps its contents whatever fails.
 * 0 when all were grown, -1 when one was not (the caller keeps its old
 * capacity). */
int ckp__grow(size_t cap, ...);

/* Room for need elements in the parallel arrays (pairs as for ckp__grow)
 * whose capacity is *cap: it doubles from 1024 until it holds need, never
 * past max.  0 when *cap >= need afterwards; -1 when need > max or an array
 * could not grow (*cap is then unchanged). */
int ckp__grow_to(size_t need, size_t *cap, size_t max, ...);

#define CKP__GROW(p) (void *)&(p), sizeof *(p)

#endif

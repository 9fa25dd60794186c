/* hash.h — FNV-1a, the one byte hash of the library (library-internal):
 * hash-table keys (names, countries) and cache keys and checksums (the
 * mirror's calibration).  Not for anything an attacker chooses to collide. */
#ifndef CKP_CORE_HASH_H
#define CKP_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CKP__FNV_BASIS 14695981039346656037ull

/* h advanced over n bytes at p; start from CKP__FNV_BASIS. */
uint64_t ckp__fnv1a(uint64_t h, const void *p, size_t n);

#endif

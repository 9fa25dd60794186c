/* evasion_int.h — pieces shared by the files of src/evasion (not public). */
#ifndef CHOKEPOINT_EVASION_INT_H
#define CHOKEPOINT_EVASION_INT_H

#include "chokepoint/evasion.h"

/* aggregate[c] = 1 for ref ids that are never a trading country (World,
 * regions…); calloc'd, caller frees.  NULL when out of memory. */
unsigned char *ckp__ev_aggregates(const ckp_ref *ref);

/* "$2.9M", "$310k" into buf. */
void ckp__ev_money(double v, char *buf, size_t n);

/* Set a store query's bounds from verb periods (YYYY00 = the whole year):
 * the scan then covers annual and monthly rows of those years. */
void ckp__ev_query_periods(ckp_query *q, int32_t from, int32_t to);

/* The hubs table (hubs.c): a new empty one (NULL when out of memory), and
 * one more entry (-1 at the size limit or out of memory). */
ckp_hubs *ckp__hubs_new(void);
int ckp__hubs_push(ckp_hubs *h, const ckp_hub_entry *e);
/* Index the entries by (hs, hub) for ckp_hubs_find; 0, or -1 when out of
 * memory.  Call once the table is complete, before it is shared. */
int ckp__hubs_index(ckp_hubs *h);

/* Caches beside a store generation (cache.c).  ckp__ev_cache_begin: the
 * generation's directory and *h started from magic (8 bytes), the
 * generation, its rows and the selected sources; NULL when there is to be
 * no cache (environment variable env is "0", or a store without a
 * directory).  ckp__ev_cache_create opens a temporary file beside path (its
 * name in tmp, size n; NULL when the store is read-only); and
 * ckp__ev_cache_commit closes it and renames it to path when ok, else
 * removes it. */
const char *ckp__ev_cache_begin(const ckp_store *store, const char *env, const char *magic,
                                uint64_t *h);
FILE *ckp__ev_cache_create(const char *path, char *tmp, size_t n);
void ckp__ev_cache_commit(FILE *f, int ok, const char *tmp, const char *path);

#endif

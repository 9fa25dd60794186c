/* cache.c — the files mirror.c and hubs.c keep beside a store generation
 * (a calibration, a hubs table): where they go, what their key starts from,
 * and how one is written without a reader ever seeing half of it.  See
 * evasion_int.h. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hash.h"
#include "evasion_int.h"

const char *ckp__ev_cache_begin(const ckp_store *store, const char *env, const char *magic,
                                uint64_t *h)
{
    const char *off = getenv(env);
    if (off && strcmp(off, "0") == 0)
        return NULL;
    const char *dir = ckp_store_generation_dir(store);
    if (!dir || !*dir)
        return NULL;
    ckp_store_info info;
    ckp_store_get_info(store, &info);
    *h = ckp__fnv1a(CKP__FNV_BASIS, magic, 8);
    *h = ckp__fnv1a(*h, &info.generation, sizeof info.generation);
    *h = ckp__fnv1a(*h, &info.rows, sizeof info.rows);
    for (int i = 0; i < ckp_store_source_count(store); i++) {
        unsigned char on = (unsigned char)ckp_store_source_selected(store, i);
        *h = ckp__fnv1a(*h, &on, 1);
    }
    return dir;
}

FILE *ckp__ev_cache_create(const char *path, char *tmp, size_t n)
{
    /* one temporary name per process and call: the server's threads may
     * write the same cache at once */
    static _Atomic unsigned long calls;
    snprintf(tmp, n, "%s.%ld.%lu.tmp", path, (long)getpid(), ++calls);
    return fopen(tmp, "wb");
}

void ckp__ev_cache_commit(FILE *f, int ok, const char *tmp, const char *path)
{
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}

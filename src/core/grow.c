/* grow.c — see grow.h. */
#include "core/grow.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int grow_list(size_t cap, va_list ap)
{
    int ok = 1;
    for (void *slot = va_arg(ap, void *); slot; slot = va_arg(ap, void *)) {
        size_t size = va_arg(ap, size_t);
        void *old, *p = NULL;
        memcpy(&old, slot, sizeof old);
        if (size && cap <= SIZE_MAX / size)
            p = realloc(old, cap * size);
        if (p)
            memcpy(slot, &p, sizeof p);
        else
            ok = 0;
    }
    return ok ? 0 : -1;
}

int ckp__grow(size_t cap, ...)
{
    va_list ap;
    va_start(ap, cap);
    int r = grow_list(cap, ap);
    va_end(ap);
    return r;
}

int ckp__grow_to(size_t need, size_t *cap, size_t max, ...)
{
    if (need <= *cap)
        return 0;
    if (need > max)
        return -1;
    size_t nc = *cap ? *cap : 1024;
    while (nc < need)
        nc = nc > max / 2 ? max : nc * 2;
    va_list ap;
    va_start(ap, max);
    int r = grow_list(nc, ap);
    va_end(ap);
    if (r == 0)
        *cap = nc;
    return r;
}

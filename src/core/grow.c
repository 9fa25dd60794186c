/* grow.c — see grow.h. */
#include "core/grow.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int ckp__grow(size_t cap, ...)
{
    va_list ap;
    int ok = 1;
    va_start(ap, cap);
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
    va_end(ap);
    return ok ? 0 : -1;
}

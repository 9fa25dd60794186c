/* query.c — see query.h. */
#include "query.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *srv_query_unknown(const srv_request *rq, const char *const *allowed)
{
    for (int i = 0; i < rq->nquery; i++) {
        int k = 0;
        while (allowed[k] && strcmp(allowed[k], rq->query[i].key) != 0)
            k++;
        if (!allowed[k])
            return rq->query[i].key;
    }
    return NULL;
}

int srv_parse_num(const char *t, double lo, double hi, double *v)
{
    char *end;
    errno = 0;
    double d = strtod(t, &end);
    if (errno || end == t || *end || !(d >= lo && d <= hi))
        return -1;
    *v = d;
    return 0;
}

void srv_hash_hex(const char *const *parts, int n, char out[17])
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < n; i++) {
        for (const char *p = parts[i] ? parts[i] : ""; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ull;
        h = (h ^ 0x1f) * 1099511628211ull;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

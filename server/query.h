/* query.h — what the server's endpoints ask of a request's query string and
 * of their identifiers, written once (http.c's API, yente.c's yente
 * endpoints, watch.c's alert ids).  Not a public header. */
#ifndef CHOKEPOINT_SERVER_QUERY_H
#define CHOKEPOINT_SERVER_QUERY_H

#include "server.h"

/* The first query key of rq not in the NULL-terminated allowed list, or
 * NULL when every key is allowed. */
const char *srv_query_unknown(const srv_request *rq, const char *const *allowed);

/* t as a number from lo to hi into *v: 0, or -1 (then *v is untouched)
 * when it is not a whole number text or out of range. */
int srv_parse_num(const char *t, double lo, double hi, double *v);

/* FNV-1a 64 of the parts (NULL = "") joined with '\x1f', as 16 hex
 * digits and a NUL in out: stable ids of decisions and alerts. */
void srv_hash_hex(const char *const *parts, int n, char out[17]);

#endif

/* args.c — ckp_args: parsed verb parameters (see verb.h). */
#include "chokepoint/verb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ARGS_MAX 256

typedef struct kv {
    char *name; /* NULL for positionals */
    char *value;
} kv;

struct ckp_args {
    kv items[ARGS_MAX];
    int n;
};

ckp_args *ckp_args_new(void) { return calloc(1, sizeof(ckp_args)); }

void ckp_args_free(ckp_args *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->n; i++) {
        free(a->items[i].name);
        free(a->items[i].value);
    }
    free(a);
}

static ckp_status add(ckp_args *a, const char *name, const char *value)
{
    if (a->n >= ARGS_MAX)
        return CKP_ELIMIT;
    char *nm = name ? strdup(name) : NULL;
    char *v = strdup(value ? value : "");
    if ((name && !nm) || !v) {
        free(nm);
        free(v);
        return CKP_ENOMEM;
    }
    a->items[a->n].name = nm;
    a->items[a->n].value = v;
    a->n++;
    return CKP_OK;
}

/* Prefix err's message with the parameter name, as a usage error. */
static ckp_status prefix_param(ckp_error *err, const char *name)
{
    char msg[sizeof err->msg];
    int k = snprintf(msg, sizeof msg, "--%.40s: ", name);
    if (k < 0 || (size_t)k >= sizeof msg)
        k = 0;
    memcpy(msg + k, err->msg, sizeof msg - (size_t)k - 1);
    msg[sizeof msg - 1] = '\0';
    memcpy(err->msg, msg, sizeof msg);
    err->code = CKP_EUSAGE;
    return CKP_EUSAGE;
}

ckp_status ckp_args_set(ckp_args *a, const char *name, const char *value)
{
    return add(a, name, value);
}

ckp_status ckp_args_add_pos(ckp_args *a, const char *value) { return add(a, NULL, value); }

const char *ckp_args_get(const ckp_args *a, const char *name)
{
    for (int i = a->n - 1; i >= 0; i--)
        if (a->items[i].name && strcmp(a->items[i].name, name) == 0)
            return a->items[i].value;
    return NULL;
}

int ckp_args_flag(const ckp_args *a, const char *name)
{
    const char *v = ckp_args_get(a, name);
    if (!v)
        return 0;
    return !(strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0);
}

int ckp_args_count(const ckp_args *a, const char *name)
{
    int k = 0;
    for (int i = 0; i < a->n; i++)
        if (a->items[i].name && strcmp(a->items[i].name, name) == 0)
            k++;
    return k;
}

const char *ckp_args_nth(const ckp_args *a, const char *name, int nth)
{
    for (int i = 0; i < a->n; i++)
        if (a->items[i].name && strcmp(a->items[i].name, name) == 0 && nth-- == 0)
            return a->items[i].value;
    return NULL;
}

int ckp_args_npos(const ckp_args *a)
{
    int k = 0;
    for (int i = 0; i < a->n; i++)
        k += a->items[i].name == NULL;
    return k;
}

const char *ckp_args_pos(const ckp_args *a, int nth)
{
    for (int i = 0; i < a->n; i++)
        if (!a->items[i].name && nth-- == 0)
            return a->items[i].value;
    return NULL;
}

ckp_status ckp_args_int(const ckp_args *a, const char *name, long def, long *out,
                        ckp_error *err)
{
    const char *v = ckp_args_get(a, name);
    if (!v) {
        *out = def;
        return CKP_OK;
    }
    char *end;
    errno = 0;
    long l = strtol(v, &end, 10);
    if (errno || end == v || *end)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--%s takes a whole number (got '%s')", name, v);
    *out = l;
    return CKP_OK;
}

ckp_status ckp_args_num(const ckp_args *a, const char *name, double def, double *out,
                        ckp_error *err)
{
    const char *v = ckp_args_get(a, name);
    if (!v) {
        *out = def;
        return CKP_OK;
    }
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || d != d)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--%s takes a number (got '%s')",
                             name, v);
    *out = d;
    return CKP_OK;
}

ckp_status ckp_args_country(const ckp_args *a, const ckp_ref *ref, const char *name,
                            int required, int *id, ckp_error *err)
{
    const char *v = ckp_args_get(a, name);
    *id = -1;
    if (!v || !*v) {
        if (required)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--%s C is required", name);
        return CKP_OK;
    }
    ckp_status st = ckp_ref_country_arg(ref, v, id, err);
    if (st != CKP_OK && err)
        return prefix_param(err, name);
    return st;
}

ckp_status ckp_args_hsset(const ckp_args *a, const ckp_ref *ref, const char *name,
                          int required, ckp_hsset **set, ckp_error *err)
{
    *set = NULL;
    int n = ckp_args_count(a, name);
    if (n == 0) {
        if (required)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--%s H is required", name);
        return CKP_OK;
    }
    /* several --hs values are joined with commas */
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(ckp_args_nth(a, name, i)) + 1;
    char *joined = malloc(len);
    if (!joined)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    joined[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(joined, ",");
        strcat(joined, ckp_args_nth(a, name, i));
    }
    ckp_status st = ckp_hsset_parse(ref, joined, set, err);
    free(joined);
    if (st != CKP_OK && err)
        return prefix_param(err, name);
    return st;
}

static ckp_status one_period(const ckp_args *a, const char *name, int32_t *p, ckp_error *err)
{
    const char *v = ckp_args_get(a, name);
    *p = 0;
    if (!v || !*v)
        return CKP_OK;
    if (ckp_period_parse(v, p, err) != CKP_OK)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--%s takes YYYY or YYYY-MM (got '%s')", name, v);
    return CKP_OK;
}

ckp_status ckp_args_periods(const ckp_args *a, int32_t *from, int32_t *to, ckp_error *err)
{
    int32_t p = 0;
    ckp_status st = one_period(a, "period", &p, err);
    if (st != CKP_OK)
        return st;
    if (p) {
        if (ckp_args_get(a, "from") || ckp_args_get(a, "to"))
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "give --period or --from/--to, not both");
        *from = *to = p;
        return CKP_OK;
    }
    st = one_period(a, "from", from, err);
    if (st == CKP_OK)
        st = one_period(a, "to", to, err);
    if (st == CKP_OK && *from && *to && ckp_period_covers(*from, *to, *from) == 0 &&
        ckp_period_covers(*from, *to, *to) == 0)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--from is after --to");
    return st;
}

int ckp_period_covers(int32_t from, int32_t to, int32_t p)
{
    /* compare on a month scale: YYYY00 as a lower bound = YYYY01, as an upper
     * bound = YYYY12; an annual p (YYYY00) is inside when its year overlaps */
    int32_t plo = p % 100 ? p : p + 1, phi = p % 100 ? p : p + 12;
    int32_t lo = from ? (from % 100 ? from : from + 1) : 0;
    int32_t hi = to ? (to % 100 ? to : to + 12) : 0;
    if (lo && phi < lo)
        return 0;
    if (hi && plo > hi)
        return 0;
    return 1;
}

ckp_status ckp_args_check(const ckp_args *a, const ckp_param *params, int from_server,
                          ckp_error *err)
{
    for (int i = 0; i < a->n; i++) {
        const char *nm = a->items[i].name;
        if (!nm)
            continue;
        const ckp_param *p = params;
        while (p && p->name && strcmp(p->name, nm) != 0)
            p++;
        if (!p || !p->name)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "unknown parameter '%s'", nm);
        if (from_server && !p->server_ok)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "parameter '%s' is not accepted over HTTP", nm);
        if (p->kind == CKP_PARAM_INT || p->kind == CKP_PARAM_NUM) {
            double d;
            long l;
            ckp_status st = p->kind == CKP_PARAM_INT
                                ? ckp_args_int(a, nm, 0, &l, err)
                                : ckp_args_num(a, nm, 0, &d, err);
            if (st != CKP_OK)
                return st;
        }
    }
    for (const ckp_param *p = params; p && p->name; p++)
        if (p->required && !ckp_args_get(a, p->name))
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--%s is required", p->name);
    return CKP_OK;
}

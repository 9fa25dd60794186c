/* vec.c — see vec.h. */
#include "core/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static ckp_status too_many(size_t max, const char *what, ckp_error *err)
{
    return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "more than %zu %s", max,
                         what ? what : "elements");
}

ckp_status ckp_array_reserve(void *arrp, size_t *cap, size_t need, size_t size, size_t max,
                             const char *what, ckp_error *err)
{
    if (need <= *cap)
        return CKP_OK;
    if (need > max)
        return too_many(max, what, err);
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc = nc > max / 2 ? max : nc * 2;
    if (size == 0 || nc > SIZE_MAX / size)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    void *old;
    memcpy(&old, arrp, sizeof old);
    void *p = realloc(old, nc * size);
    if (!p)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    memcpy(arrp, &p, sizeof p);
    *cap = nc;
    return CKP_OK;
}

void ckp_vec_init(ckp_vec *v, size_t size, size_t max, const char *what)
{
    v->data = NULL;
    v->n = v->cap = 0;
    v->size = size;
    v->max = max;
    v->what = what;
}

ckp_status ckp_vec_reserve(ckp_vec *v, size_t need, ckp_error *err)
{
    return ckp_array_reserve(&v->data, &v->cap, need, v->size, v->max, v->what, err);
}

/* Room for one more element. */
static ckp_status room_for_one(ckp_vec *v, ckp_error *err)
{
    if (v->n >= v->max)
        return too_many(v->max, v->what, err);
    return ckp_vec_reserve(v, v->n + 1, err);
}

void *ckp_vec_push(ckp_vec *v, ckp_error *err)
{
    if (room_for_one(v, err) != CKP_OK)
        return NULL;
    void *e = (char *)v->data + v->n * v->size;
    memset(e, 0, v->size);
    v->n++;
    return e;
}

ckp_status ckp_vec_append(ckp_vec *v, const void *elem, ckp_error *err)
{
    ckp_status st = room_for_one(v, err);
    if (st != CKP_OK)
        return st;
    memcpy((char *)v->data + v->n * v->size, elem, v->size);
    v->n++;
    return CKP_OK;
}

void *ckp_vec_take(ckp_vec *v)
{
    void *p = v->data;
    v->data = NULL;
    v->n = v->cap = 0;
    return p;
}

void ckp_free_each(void *const *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
}

void ckp_vec_free(ckp_vec *v)
{
    free(ckp_vec_take(v));
}

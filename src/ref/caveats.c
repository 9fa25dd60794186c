/* caveats.c — product caveats: the basket codes of data/ref/hs/caveats.csv
 * (one HS code, or every code under a 4-digit heading, that holds several
 * goods a user may take it for one of: 811292 is gallium, germanium,
 * indium, niobium and vanadium at once), with what each holds and the
 * sources that say so.  See ref.h. */
#include <stdio.h>
#include <string.h>


#include "ref/ref_int.h"

#define CAVEATS_FILE "ref/hs/caveats.csv"

/* A required text field: trimmed, non-empty, copied into the arena. */
static ckp_status field_text(ckp_ref *ref, const ckp_table *t, size_t col, const char **out,
                             ckp_error *err)
{
    ckp_field f = ckp_table_field(t, col);
    const char *name = t->cols[col];
    if (f.len == 0)
        return ckp_table_error(t, err, CKP_EPARSE,
                               "field %s is empty (every basket code says what it holds, "
                               "what to mind and its sources)", name);
    if (memchr(f.ptr, '|', f.len))
        return ckp_table_error(t, err, CKP_EPARSE,
                               "field %s holds '|', which separates caveats in a row", name);
    if (memchr(f.ptr, '\0', f.len))
        return ckp_table_error(t, err, CKP_EPARSE,
                               "field %s holds a NUL byte (the text after it would be lost)",
                               name);
    *out = ckp__ref_strndup(ref, f.ptr, f.len);
    return *out ? CKP_OK : ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
}

static ckp_status read_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp_ref *ref = ctx;
    ckp_field hs = ckp_table_field(t, 0);
    ckp_caveat c;
    memset(&c, 0, sizeof c);
    /* digits as written: a heading (4) or a subheading (6), never a
     * repaired code, so that "8542" is not read as a lost-zero "008542" */
    int digits = hs.len == 4 || hs.len == 6;
    for (size_t i = 0; digits && i < hs.len; i++)
        digits = hs.ptr[i] >= '0' && hs.ptr[i] <= '9';
    if (!digits || ckp_hs_parse(hs.ptr, hs.len, &c.code, &c.level) != 0)
        return ckp_table_error(t, err, CKP_EPARSE,
                               "field hs \"%.*s\" is not a 4- or 6-digit HS code",
                               (int)(hs.len > 40 ? 40 : hs.len), hs.ptr);
    for (int i = 0; i < ref->ncaveats; i++)
        if (ref->caveats[i].code == c.code && ref->caveats[i].level == c.level)
            return ckp_table_error(t, err, CKP_EPARSE, "HS %.*s is listed twice", (int)hs.len,
                                   hs.ptr);
    if (ref->ncaveats >= REF_MAX_CAVEATS)
        return ckp_table_error(t, err, CKP_ELIMIT, "more than %d basket codes", REF_MAX_CAVEATS);
    ckp_status st = field_text(ref, t, 1, &c.holds, err);
    if (st == CKP_OK)
        st = field_text(ref, t, 2, &c.caveat, err);
    if (st == CKP_OK)
        st = field_text(ref, t, 3, &c.sources, err);
    if (st == CKP_OK)
        ref->caveats[ref->ncaveats++] = c;
    return st;
}

ckp_status ckp_ref_load_caveats(ckp_ref *ref, const char *path, ckp_error *err)
{
    char shipped[sizeof ref->datadir + 256];
    if (!path) {
        ckp_status st = ckp__ref_path(ref, CAVEATS_FILE, shipped, sizeof shipped, err);
        if (st != CKP_OK)
            return st;
        path = shipped;
    }
    ref->ncaveats = 0;
    if (!ref->caveats)
        ref->caveats = ckp__ref_alloc(ref, REF_MAX_CAVEATS * sizeof *ref->caveats);
    if (!ref->caveats)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    static const char *const cols[] = {"hs", "holds", "caveat", "sources", NULL};
    ckp_table_spec spec = {.path = path, .cols = cols, .row = read_row, .ctx = ref};
    ckp_status st = ckp_table_load(&spec, err);
    if (st != CKP_OK)
        ref->ncaveats = 0;
    return st;
}

int ckp_ref_caveat_count(const ckp_ref *ref)
{
    return ref ? ref->ncaveats : 0;
}

const ckp_caveat *ckp_ref_caveat_at(const ckp_ref *ref, int i)
{
    return ref && i >= 0 && i < ref->ncaveats ? &ref->caveats[i] : NULL;
}

const ckp_caveat *ckp_ref_caveat(const ckp_ref *ref, uint32_t code6)
{
    const ckp_caveat *heading = NULL;
    for (int i = 0; i < ckp_ref_caveat_count(ref); i++) {
        const ckp_caveat *c = &ref->caveats[i];
        if (c->level == 6 && c->code == code6)
            return c;
        if (c->level == 4 && c->code == code6 / 100)
            heading = c;
    }
    return heading;
}

/* 1 when set holds c's code, or any code under c's heading. */
static int set_touches(const ckp_hsset *set, const ckp_caveat *c)
{
    if (c->level == 6)
        return ckp_hsset_has(set, c->code);
    for (uint32_t k = 0; k < 100; k++)
        if (ckp_hsset_has(set, c->code * 100 + k))
            return 1;
    return 0;
}

int ckp_hsset_caveat(const ckp_ref *ref, const ckp_hsset *set, char *buf, size_t n)
{
    size_t len = 0;
    int count = 0;
    if (n)
        buf[0] = '\0';
    /* every product (--hs TOTAL): no basket code stands out of the total */
    if (set && ckp_hsset_asked(set, CKP_HS_KEY_TOTAL))
        return 0;
    for (int i = 0; set && i < ckp_ref_caveat_count(ref); i++) {
        const ckp_caveat *c = &ref->caveats[i];
        if (!set_touches(set, c))
            continue;
        int k = snprintf(buf + len, n > len ? n - len : 0, "%s%s", count ? " | " : "",
                         c->caveat);
        if (k < 0 || len + (size_t)k >= n) {
            if (n)
                buf[0] = '\0';
            return -1;
        }
        len += (size_t)k;
        count++;
    }
    return count;
}

/* lists_csv.c — the generic party-list CSV loader
 * (id,name,aliases,country,list,program). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lists_int.h"

enum { C_NAME, C_ID, C_ALIASES, C_COUNTRY, C_LIST, C_PROGRAM, C_LISTED, C_IDENTIFIERS, C_TYPE };
static const char *const csv_cols[] = {"name",     "?id",     "?aliases",     "?country", "?list",
                                       "?program", "?listed", "?identifiers", "?type",    NULL};

/* The aliases (any number, ';'-separated, read in place) and countries of
 * party pi. */
static int add_aliases_countries(ckp__list_load *c, uint32_t pi, ckp_field af, const char *country)
{
    for (size_t pos = 0; pos < af.len;) {
        const char *a = af.ptr + pos;
        const char *e = memchr(a, ';', af.len - pos);
        size_t n = e ? (size_t)(e - a) : af.len - pos;
        if (ckp__lists_name_add(c->l, pi, a, n, CKP_NAME_ALIAS, c->st) != 0)
            return -1;
        pos += n + 1;
    }
    for (const char *s = country; *s;) {
        const char *e = strchr(s, ';');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char one[64];
        snprintf(one, sizeof one, "%.*s", (int)(n < 63 ? n : 63), s);
        const char *iso = ckp__lists_country_iso3(c->ref, one);
        if (!iso && strlen(one) == 3 && isupper((unsigned char)one[0]))
            iso = one; /* an ISO3 code given as such, without ref */
        if (iso && ckp__lists_country_add(c->l, pi, iso) != 0)
            return -1;
        s += n + (e ? 1 : 0);
    }
    return 0;
}

static ckp_status csv_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp__list_load *c = ctx;
    ckp_lists *l = c->l;
    const char *file = c->file;
    char id[256], name[2048], country[256], list[128], prog[512], listed[32], idf[1024],
        type[64];
    long line = ckp_csv_line(t->csv);
    int cut = 0;
    ckp__lists_tcopy(t, C_NAME, name, sizeof name, &cut);
    if (ckp__lists_cut_row(c->st, file, line, cut))
        return CKP_OK;
    if (ckp__lists_blank(name)) {
        ckp__lists_note_bad(c->st, file, line, "name is empty");
        return CKP_OK;
    }
    ckp__lists_tcopy(t, C_ID, id, sizeof id, &cut);
    if (!id[0])
        snprintf(id, sizeof id, "%s:%ld", file ? file : "csv", line);
    ckp_field af = ckp_table_field(t, C_ALIASES);
    if (!af.ptr || (af.len == 3 && memcmp(af.ptr, "-0-", 3) == 0))
        af.len = 0;
    ckp__lists_tcopy(t, C_COUNTRY, country, sizeof country, &cut);
    ckp__lists_tcopy(t, C_LIST, list, sizeof list, &cut);
    ckp__lists_tcopy(t, C_PROGRAM, prog, sizeof prog, &cut);
    ckp__lists_tcopy(t, C_LISTED, listed, sizeof listed, &cut);
    ckp__lists_tcopy(t, C_IDENTIFIERS, idf, sizeof idf, &cut);
    ckp__lists_tcopy(t, C_TYPE, type, sizeof type, &cut);
    if (ckp__lists_cut_row(c->st, file, line, cut))
        return CKP_OK;
    long pi = ckp__lists_party_add(l, id, strlen(id), c->st);
    if (pi < 0)
        return ckp__lists_oom(err);
    ckp_party *p = ckp__lists_party_at(l, (uint32_t)pi);
    p->source = file;
    p->list = ckp__arena_strdup(&l->arena, list[0] ? list : (file ? file : "csv"));
    p->program = ckp__arena_strdup(&l->arena, prog);
    p->listed = ckp__arena_strdup(&l->arena, listed);
    p->identifiers = ckp__arena_strdup(&l->arena, idf);
    p->type = ckp__arena_strdup(&l->arena, type);
    if (!p->list || !p->program || !p->listed || !p->identifiers || !p->type ||
        ckp__lists_name_add(l, (uint32_t)pi, name, strlen(name), CKP_NAME_PRIMARY, c->st) != 0 ||
        add_aliases_countries(c, (uint32_t)pi, af, country) != 0)
        return ckp__lists_oom(err);
    return CKP_OK;
}

ckp_status ckp_lists_load_csv(ckp_lists *l, const ckp_list_src *src, const ckp_ref *ref,
                              ckp_list_stats *st, ckp_error *err)
{
    ckp__list_load c = {l, ref, st, ckp__arena_strdup(&l->arena, ckp__lists_src_name(src))};
    return ckp__lists_load_table(src, c.file, csv_cols, csv_row, &c, st, err);
}

/* lists_csv.c — the generic party-list CSV loader
 * (id,name,aliases,country,list,program). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lists_int.h"

ckp_status ckp_lists_load_csv(ckp_lists *l, const ckp_list_src *src, const ckp_ref *ref,
                              ckp_list_stats *st, ckp_error *err)
{
    ckp_csv *csv = NULL;
    ckp_status rc = ckp__lists_csv_open_src(src, 1, CKP_CSV_AUTO, &csv, err);
    if (rc)
        return rc;
    const char *file = ckp__arena_strdup(&l->arena, ckp__lists_src_name(src));
    int cid = ckp__lists_col(csv, "id"), cname = ckp__lists_col(csv, "name"), cal = ckp__lists_col(csv, "aliases"),
        cc = ckp__lists_col(csv, "country"), cl = ckp__lists_col(csv, "list"), cp = ckp__lists_col(csv, "program"),
        cd = ckp__lists_col(csv, "listed"), cidf = ckp__lists_col(csv, "identifiers"), ct = ckp__lists_col(csv, "type");
    if (cname < 0) {
        rc = ckp_error_set(err, CKP_EPARSE, src->path, 1, 0,
                           "party list CSV needs a 'name' column (id,name,aliases,country,"
                           "list,program)");
        goto out_close;
    }
    char id[256], name[2048], country[256], list[128], prog[512], listed[32],
        idf[1024], type[64];
    for (;;) {
        int r = ckp__lists_next_row(csv, file, st, &rc, err);
        if (r == 0)
            break;
        if (r < 0)
            goto out_close;
        if (st)
            st->rows++;
        long line = ckp_csv_line(csv);
        int cut = 0;
        ckp__lists_fcol(csv, cname, name, sizeof name, &cut);
        if (ckp__lists_cut_row(st, file, line, cut))
            continue;
        if (ckp__lists_blank(name)) {
            ckp__lists_note_bad(st, file, line, "name is empty");
            continue;
        }
        ckp__lists_fcol(csv, cid, id, sizeof id, &cut);
        if (!id[0])
            snprintf(id, sizeof id, "%s:%ld", file ? file : "csv", line);
        /* aliases: any number, read in place (no buffer to outgrow) */
        ckp_field af = cal >= 0 ? ckp_field_trim(ckp_csv_field(csv, (size_t)cal))
                                : (ckp_field){NULL, 0};
        if (!af.ptr || (af.len == 3 && memcmp(af.ptr, "-0-", 3) == 0))
            af.len = 0;
        ckp__lists_fcol(csv, cc, country, sizeof country, &cut);
        ckp__lists_fcol(csv, cl, list, sizeof list, &cut);
        ckp__lists_fcol(csv, cp, prog, sizeof prog, &cut);
        ckp__lists_fcol(csv, cd, listed, sizeof listed, &cut);
        ckp__lists_fcol(csv, cidf, idf, sizeof idf, &cut);
        ckp__lists_fcol(csv, ct, type, sizeof type, &cut);
        if (ckp__lists_cut_row(st, file, line, cut))
            continue;
        long pi = ckp__lists_party_add(l, id, strlen(id), st);
        if (pi < 0) {
            rc = ckp__lists_oom(err);
            goto out_close;
        }
        ckp_party *p = ckp__lists_party_at(l, (uint32_t)pi);
        p->source = file;
        p->list = ckp__arena_strdup(&l->arena, list[0] ? list : (file ? file : "csv"));
        p->program = ckp__arena_strdup(&l->arena, prog);
        p->listed = ckp__arena_strdup(&l->arena, listed);
        p->identifiers = ckp__arena_strdup(&l->arena, idf);
        p->type = ckp__arena_strdup(&l->arena, type);
        if (!p->list || !p->program || !p->listed || !p->identifiers || !p->type ||
            ckp__lists_name_add(l, (uint32_t)pi, name, strlen(name), CKP_NAME_PRIMARY, st) != 0) {
            rc = ckp__lists_oom(err);
            goto out_close;
        }
        for (size_t pos = 0; pos < af.len;) {
            const char *a = af.ptr + pos;
            const char *e = memchr(a, ';', af.len - pos);
            size_t n = e ? (size_t)(e - a) : af.len - pos;
            if (ckp__lists_name_add(l, (uint32_t)pi, a, n, CKP_NAME_ALIAS, st) != 0) {
                rc = ckp__lists_oom(err);
                goto out_close;
            }
            pos += n + 1;
        }
        for (char *c = country; *c;) {
            char *e = strchr(c, ';');
            size_t n = e ? (size_t)(e - c) : strlen(c);
            char one[64];
            snprintf(one, sizeof one, "%.*s", (int)(n < 63 ? n : 63), c);
            const char *iso = ckp__lists_country_iso3(ref, one);
            if (!iso && strlen(one) == 3 && isupper((unsigned char)one[0]))
                iso = one; /* an ISO3 code given as such, without ref */
            if (iso && ckp__lists_country_add(l, (uint32_t)pi, iso) != 0) {
                rc = ckp__lists_oom(err);
                goto out_close;
            }
            c += n + (e ? 1 : 0);
        }
    }
out_close:
    ckp_csv_close(csv);
    return rc;
}

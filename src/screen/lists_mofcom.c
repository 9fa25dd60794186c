/* lists_mofcom.c — the MOFCOM list loader (id,lists,notice,…,name_cn,
 * name_en): China's unreliable-entity and export-control lists. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lists_int.h"

/* ---- MOFCOM and generic CSV ---------------------------------------------- */

static const char *mofcom_list_name(const char *lists)
{
    if (strstr(lists, "unreliable"))
        return strstr(lists, "export_control") ? "MOFCOM-ECL+UEL" : "MOFCOM-UEL";
    if (strstr(lists, "watch"))
        return "MOFCOM-WATCH";
    return "MOFCOM-ECL";
}

static const char *mofcom_region(const ckp_ref *ref, const char *region)
{
    static const struct {
        const char *cn, *iso3;
    } known[] = {{"美国", "USA"}, {"日本", "JPN"}, {"台湾地区", "TWN"}, {"加拿大", "CAN"},
                 {"英国", "GBR"}, {"德国", "DEU"}, {"法国", "FRA"}, {"荷兰", "NLD"}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(region, known[i].cn) == 0)
            return known[i].iso3;
    return ckp__lists_country_iso3(ref, region);
}

ckp_status ckp_lists_load_mofcom(ckp_lists *l, const ckp_list_src *src, const ckp_ref *ref,
                                 ckp_list_stats *st, ckp_error *err)
{
    ckp_csv *csv = NULL;
    ckp_status rc = ckp__lists_csv_open_src(src, 1, CKP_CSV_AUTO, &csv, err);
    if (rc)
        return rc;
    const char *file = ckp__arena_strdup(&l->arena, ckp__lists_src_name(src));
    int cid = ckp__lists_col(csv, "id"), clists = ckp__lists_col(csv, "lists"), cnotice = ckp__lists_col(csv, "notice"),
        cdate = ckp__lists_col(csv, "effective_date"), cregion = ckp__lists_col(csv, "region_cn"),
        ccn = ckp__lists_col(csv, "name_cn"), cen = ckp__lists_col(csv, "name_en"), ctype = ckp__lists_col(csv, "entity_type_cn");
    if (cid < 0 || (ccn < 0 && cen < 0)) {
        rc = ckp_error_set(err, CKP_EPARSE, src->path, 1, 0,
                           "MOFCOM list needs columns id and name_cn or name_en");
        goto out_close;
    }
    char id[64], pid[80], lists[128], notice[256], date[32], region[64], ncn[1024], nen[1024],
        type[64];
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
        ckp__lists_fcol(csv, cid, id, sizeof id, &cut);
        ckp__lists_fcol(csv, ccn, ncn, sizeof ncn, &cut);
        ckp__lists_fcol(csv, cen, nen, sizeof nen, &cut);
        if (ckp__lists_cut_row(st, file, line, cut))
            continue;
        if (!id[0] || (!ncn[0] && !nen[0])) {
            ckp__lists_note_bad(st, file, line, "row without id or name");
            continue;
        }
        ckp__lists_fcol(csv, clists, lists, sizeof lists, &cut);
        ckp__lists_fcol(csv, cnotice, notice, sizeof notice, &cut);
        ckp__lists_fcol(csv, cdate, date, sizeof date, &cut);
        ckp__lists_fcol(csv, cregion, region, sizeof region, &cut);
        ckp__lists_fcol(csv, ctype, type, sizeof type, &cut);
        if (ckp__lists_cut_row(st, file, line, cut))
            continue;
        int n = snprintf(pid, sizeof pid, "mofcom-%s", id);
        long pi = ckp__lists_party_add(l, pid, (size_t)(n < (int)sizeof pid ? n : (int)sizeof pid - 1), st);
        if (pi < 0) {
            rc = ckp__lists_oom(err);
            goto out_close;
        }
        ckp_party *p = ckp__lists_party_at(l, (uint32_t)pi);
        p->list = mofcom_list_name(lists);
        p->source = file;
        p->program = ckp__arena_strdup(&l->arena, notice);
        p->listed = ckp__arena_strdup(&l->arena, date);
        p->type = ckp__arena_strdup(&l->arena, type);
        if (!p->program || !p->listed || !p->type ||
            ckp__lists_country_add(l, (uint32_t)pi, mofcom_region(ref, region)) != 0 ||
            ckp__lists_name_add(l, (uint32_t)pi, nen[0] ? nen : ncn, strlen(nen[0] ? nen : ncn),
                     CKP_NAME_PRIMARY, st) != 0 ||
            (nen[0] && ckp__lists_name_add(l, (uint32_t)pi, ncn, strlen(ncn), CKP_NAME_ALIAS, st) != 0)) {
            rc = ckp__lists_oom(err);
            goto out_close;
        }
    }
out_close:
    ckp_csv_close(csv);
    return rc;
}

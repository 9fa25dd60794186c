/* lists_mofcom.c — the MOFCOM list loader (id,lists,notice,…,name_cn,
 * name_en): China's unreliable-entity and export-control lists. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lists_int.h"

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

/* name_cn|name_en: the header must have one of them (both are read). */
enum { M_ID, M_NAME_ANY, M_NAME_CN, M_NAME_EN, M_LISTS, M_NOTICE, M_DATE, M_REGION, M_TYPE };
static const char *const mofcom_cols[] = {
    "id",      "name_cn|name_en", "?name_cn",   "?name_en",        "?lists",
    "?notice", "?effective_date", "?region_cn", "?entity_type_cn", NULL};

static ckp_status mofcom_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp__list_load *m = ctx;
    ckp_lists *l = m->l;
    char id[64], pid[80], lists[128], notice[256], date[32], region[64], ncn[1024], nen[1024],
        type[64];
    long line = ckp_csv_line(t->csv);
    int cut = 0;
    ckp__lists_tcopy(t, M_ID, id, sizeof id, &cut);
    ckp__lists_tcopy(t, M_NAME_CN, ncn, sizeof ncn, &cut);
    ckp__lists_tcopy(t, M_NAME_EN, nen, sizeof nen, &cut);
    if (ckp__lists_cut_row(m->st, m->file, line, cut))
        return CKP_OK;
    if (!id[0] || (!ncn[0] && !nen[0])) {
        ckp__lists_note_bad(m->st, m->file, line, "row without id or name");
        return CKP_OK;
    }
    ckp__lists_tcopy(t, M_LISTS, lists, sizeof lists, &cut);
    ckp__lists_tcopy(t, M_NOTICE, notice, sizeof notice, &cut);
    ckp__lists_tcopy(t, M_DATE, date, sizeof date, &cut);
    ckp__lists_tcopy(t, M_REGION, region, sizeof region, &cut);
    ckp__lists_tcopy(t, M_TYPE, type, sizeof type, &cut);
    if (ckp__lists_cut_row(m->st, m->file, line, cut))
        return CKP_OK;
    int n = snprintf(pid, sizeof pid, "mofcom-%s", id);
    long pi = ckp__lists_party_add(l, pid, (size_t)(n < (int)sizeof pid ? n : (int)sizeof pid - 1),
                                   m->st);
    if (pi < 0)
        return ckp__lists_oom(err);
    ckp_party *p = ckp__lists_party_at(l, (uint32_t)pi);
    p->list = mofcom_list_name(lists);
    p->source = m->file;
    p->program = ckp__arena_strdup(&l->arena, notice);
    p->listed = ckp__arena_strdup(&l->arena, date);
    p->type = ckp__arena_strdup(&l->arena, type);
    const char *primary = nen[0] ? nen : ncn;
    if (!p->program || !p->listed || !p->type ||
        ckp__lists_country_add(l, (uint32_t)pi, mofcom_region(m->ref, region)) != 0 ||
        ckp__lists_name_add(l, (uint32_t)pi, primary, strlen(primary), CKP_NAME_PRIMARY, m->st) !=
            0 ||
        (nen[0] && ckp__lists_name_add(l, (uint32_t)pi, ncn, strlen(ncn), CKP_NAME_ALIAS, m->st) != 0))
        return ckp__lists_oom(err);
    return CKP_OK;
}

ckp_status ckp_lists_load_mofcom(ckp_lists *l, const ckp_list_src *src, const ckp_ref *ref,
                                 ckp_list_stats *st, ckp_error *err)
{
    ckp__list_load m = {l, ref, st, ckp__arena_strdup(&l->arena, ckp__lists_src_name(src))};
    return ckp__lists_load_table(src, m.file, mofcom_cols, mofcom_row, &m, st, err);
}

/* lists_ofac.c — the OFAC legacy CSV loader: sdn.csv with alt.csv (and
 * add.csv), aliases, birth dates and identifiers read from the remarks. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lists_int.h"

/* ---- OFAC ------------------------------------------------------------- */

/* Aliases inside OFAC remarks: "a.k.a. 'BNC'; f.k.a. 'X'".  The legacy
 * sdn.csv writes OFAC's weak a.k.a.s there, in single quotes (OFAC: "a.k.a.
 * weak": nicknames, short forms), so a remark a.k.a. is a weak alias; the
 * f.k.a./n.k.a. names are former and new names (aliases). */
static int ofac_remark_aliases(ckp_lists *l, uint32_t party, const char *r, ckp_list_stats *st)
{
    static const char *const marks[] = {"a.k.a. '", "f.k.a. '", "n.k.a. '"};
    for (size_t m = 0; m < 3; m++) {
        for (const char *p = strstr(r, marks[m]); p; p = strstr(p, marks[m])) {
            p += strlen(marks[m]);
            const char *e = p;
            while (*e && !(*e == '\'' && (e[1] == ';' || e[1] == '.' || e[1] == ')' ||
                                          e[1] == ',' || e[1] == 0)))
                e++;
            if (!*e)
                break;
            if (ckp__lists_name_add(l, party, p, (size_t)(e - p), m == 0 ? CKP_NAME_WEAK : CKP_NAME_ALIAS,
                         st) != 0)
                return -1;
            p = e;
        }
    }
    return 0;
}

/* One OFAC date "24 Apr 1966", "Apr 1966" or "1966" into out (YYYY-MM-DD,
 * YYYY-MM or YYYY); 0, or -1 when it is none of those. */
static int ofac_date(const char *p, size_t n, char out[24])
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int d = 0, y = 0, m = 0;
    char ms[4] = {0};
    char tail[2];
    char buf[40];
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, p, n);
    buf[n] = 0;
    if (sscanf(buf, "%2d %3s %4d%1s", &d, ms, &y, tail) == 3 ||
        (d = 0, sscanf(buf, "%3s %4d%1s", ms, &y, tail) == 2 && ms[0] > '9')) {
        for (int k = 0; k < 12; k++)
            if (strcmp(ms, mon[k]) == 0)
                m = k + 1;
        if (!m || y < 1800 || y > 2100 || d < 0 || d > 31)
            return -1;
        if (d)
            snprintf(out, 24, "%04d-%02d-%02d", y, m, d);
        else
            snprintf(out, 24, "%04d-%02d", y, m);
        return 0;
    }
    if (sscanf(buf, "%4d%1s", &y, tail) == 1 && n == 4 && y >= 1800 && y <= 2100) {
        snprintf(out, 24, "%04d", y);
        return 0;
    }
    return -1;
}

/* Dates of birth of OFAC remarks: "DOB 24 Apr 1966", "DOB 1966", "DOB circa
 * 1960", "DOB 1960 to 1962" (a "DOB" item not read is left out, not guessed). */
static int ofac_remark_birth(ckp_lists *l, uint32_t party, const char *r)
{
    for (const char *p = strstr(r, "DOB "); p; p = strstr(p, "DOB ")) {
        p += 4;
        const char *e = p;
        while (*e && *e != ';' && *e != '"')
            e++;
        size_t n = (size_t)(e - p);
        while (n && (p[n - 1] == '.' || p[n - 1] == ' '))
            n--;
        char a[24], b[24], item[56];
        const char *to = NULL;
        for (size_t k = 0; k + 4 <= n && !to; k++)
            if (memcmp(p + k, " to ", 4) == 0)
                to = p + k;
        int ok = -1;
        if (n > 6 && strncmp(p, "circa ", 6) == 0 && ofac_date(p + 6, n - 6, a) == 0) {
            snprintf(item, sizeof item, "~%.4s", a);
            ok = 0;
        } else if (to && ofac_date(p, (size_t)(to - p), a) == 0 &&
                   ofac_date(to + 4, n - (size_t)(to - p) - 4, b) == 0) {
            snprintf(item, sizeof item, "%.4s..%.4s", a, b);
            ok = 0;
        } else if (ofac_date(p, n, a) == 0) {
            snprintf(item, sizeof item, "%s", a);
            ok = 0;
        }
        if (ok == 0) {
            const char *j = ckp__lists_join_field(l, ckp__lists_party_at(l, party)->birth, item, strlen(item));
            if (!j)
                return -1;
            ckp__lists_party_at(l, party)->birth = j;
        }
        p = e;
    }
    return 0;
}

/* Identifier items of OFAC remarks ("Passport …", "Tax ID No. …"). */
static int ofac_remark_ids(ckp_lists *l, uint32_t party, const char *r)
{
    static const char *const kinds[] = {"Passport", "Tax ID No.", "Registration Number",
                                        "National ID No.", "Cedula No.", "IMO ", "SWIFT/BIC",
                                        "Identification Number", "D-U-N-S Number",
                                        "Registration ID", "MMSI", "Company Number",
                                        "Government Gazette Number", "RFC ", "NIT #",
                                        "Business Registration", "Vessel Registration"};
    const char *p = r;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            size_t kl = strlen(kinds[k]);
            if (n > kl && strncmp(p, kinds[k], kl) == 0) {
                size_t m = n;
                if (m && p[m - 1] == '.')
                    m--;
                const char *j = ckp__lists_join_field(l, ckp__lists_party_at(l, party)->identifiers, p, m);
                if (!j)
                    return -1;
                ckp__lists_party_at(l, party)->identifiers = j;
                break;
            }
        }
        p += n;
    }
    return 0;
}

static ckp_status ofac_sdn(ckp_lists *l, const ckp_list_src *src, ckp__strmap *ents,
                           ckp_list_stats *st, ckp_error *err)
{
    ckp_csv *csv = NULL;
    ckp_status rc = ckp__lists_csv_open_src(src, 0, CKP_CSV_LATIN1, &csv, err);
    if (rc)
        return rc;
    const char *file = ckp__arena_strdup(&l->arena, ckp__lists_src_name(src));
    char ent[32], name[2048], type[64], prog[512], remarks[8192], id[48];
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
        ckp__lists_fcopy(csv, 0, ent, sizeof ent, &cut);
        ckp__lists_fcopy(csv, 1, name, sizeof name, &cut);
        if (ckp_csv_nfields(csv) == 1 && ent[0] == 0)
            continue; /* an empty last line */
        if (ckp__lists_cut_row(st, file, line, cut))
            continue;
        char *endp = NULL;
        long num = strtol(ent, &endp, 10);
        if (!ent[0] || *endp || num <= 0) {
            ckp__lists_note_bad(st, file, line, "ent_num is not a positive number");
            continue;
        }
        if (ckp__lists_blank(name)) { /* a party must have a name */
            ckp__lists_note_bad(st, file, line, "SDN_Name is empty");
            continue;
        }
        ckp__lists_fcopy(csv, 2, type, sizeof type, &cut);
        ckp__lists_fcopy(csv, 3, prog, sizeof prog, &cut);
        ckp__lists_fcopy(csv, 11, remarks, sizeof remarks, &cut);
        if (ckp__lists_cut_row(st, file, line, cut))
            continue;
        int idn = snprintf(id, sizeof id, "ofac-%ld", num);
        long pi = ckp__lists_party_add(l, id, (size_t)idn, st);
        if (pi < 0) {
            rc = ckp__lists_oom(err);
            goto out_close;
        }
        ckp_party *p = ckp__lists_party_at(l, (uint32_t)pi);
        p->list = "OFAC-SDN";
        p->source = file;
        p->type = type[0] ? ckp__arena_strdup(&l->arena, type) : "entity";
        /* "SDGT] [IFSR" → "SDGT; IFSR" */
        char progj[512];
        size_t o = 0;
        for (const char *q = prog; *q && o + 3 < sizeof progj; q++) {
            if (strncmp(q, "] [", 3) == 0) {
                progj[o++] = ';';
                progj[o++] = ' ';
                q += 2;
            } else {
                progj[o++] = *q;
            }
        }
        progj[o] = 0;
        p->program = ckp__arena_strdup(&l->arena, progj);
        if (!p->type || !p->program ||
            ckp__lists_name_add(l, (uint32_t)pi, name, strlen(name), CKP_NAME_PRIMARY, st) != 0 ||
            ofac_remark_aliases(l, (uint32_t)pi, remarks, st) != 0 ||
            ofac_remark_ids(l, (uint32_t)pi, remarks) != 0 ||
            ofac_remark_birth(l, (uint32_t)pi, remarks) != 0 ||
            ckp__strmap_put(ents, ckp__lists_party_at(l, (uint32_t)pi)->id + 5, strlen(id) - 5,
                            (uint32_t)pi) != 0) {
            rc = ckp__lists_oom(err);
            goto out_close;
        }
    }
out_close:
    ckp_csv_close(csv);
    return rc;
}

/* alt.csv (kind 'a') or add.csv (kind 'd'), joined to sdn by ent_num. */
static ckp_status ofac_join(ckp_lists *l, const ckp_list_src *src, int kind, ckp__strmap *ents,
                            const ckp_ref *ref, ckp_list_stats *st, ckp_error *err)
{
    ckp_csv *csv = NULL;
    ckp_status rc = ckp__lists_csv_open_src(src, 0, CKP_CSV_LATIN1, &csv, err);
    if (rc)
        return rc;
    const char *file = ckp__arena_strdup(&l->arena, ckp__lists_src_name(src));
    char ent[32], val[2048], atype[32];
    for (;;) {
        int r = ckp__lists_next_row(csv, file, st, &rc, err);
        if (r == 0)
            break;
        if (r < 0)
            goto out_close;
        int cut = 0;
        ckp__lists_fcopy(csv, 0, ent, sizeof ent, &cut);
        if (ckp_csv_nfields(csv) == 1 && ent[0] == 0)
            continue;
        if (st)
            st->rows++;
        long line = ckp_csv_line(csv);
        char *endp = NULL;
        long num = strtol(ent, &endp, 10);
        if (!ent[0] || *endp || num <= 0) {
            ckp__lists_note_bad(st, file, line, "ent_num is not a positive number");
            continue;
        }
        uint32_t pi = ckp__strmap_get(ents, ent, strlen(ent));
        if (pi == UINT32_MAX) {
            if (st)
                st->unjoined++;
            continue;
        }
        if (kind == 'a') {
            ckp__lists_fcopy(csv, 2, atype, sizeof atype, &cut);
            ckp__lists_fcopy(csv, 3, val, sizeof val, &cut);
            if (ckp__lists_cut_row(st, file, line, cut))
                continue;
            if (!val[0]) {
                ckp__lists_note_bad(st, file, line, "alt_name is empty");
                continue;
            }
            ckp_name_role role = strcmp(atype, "weak aka") == 0 ? CKP_NAME_WEAK : CKP_NAME_ALIAS;
            if (ckp__lists_name_add(l, pi, val, strlen(val), role, st) != 0) {
                rc = ckp__lists_oom(err);
                goto out_close;
            }
        } else {
            ckp__lists_fcopy(csv, 4, val, sizeof val, &cut);
            if (ckp__lists_cut_row(st, file, line, cut))
                continue;
            if (val[0] && ckp__lists_country_add(l, pi, ckp__lists_country_iso3(ref, val)) != 0) {
                rc = ckp__lists_oom(err);
                goto out_close;
            }
        }
    }
out_close:
    ckp_csv_close(csv);
    return rc;
}

ckp_status ckp_lists_load_ofac(ckp_lists *l, const ckp_list_src *sdn, const ckp_list_src *alt,
                               const ckp_list_src *add, const ckp_ref *ref,
                               ckp_list_stats *st, ckp_error *err)
{
    ckp__strmap ents;
    if (ckp__strmap_init(&ents, 16384) != 0)
        return ckp__lists_oom(err);
    ckp_status rc = ofac_sdn(l, sdn, &ents, st, err);
    if (!rc && alt)
        rc = ofac_join(l, alt, 'a', &ents, ref, st, err);
    if (!rc && add)
        rc = ofac_join(l, add, 'd', &ents, ref, st, err);
    ckp__strmap_free(&ents);
    return rc;
}

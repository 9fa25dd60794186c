/* lists.c — party list loaders: OFAC legacy CSV, OpenSanctions FtM JSON lines,
 * MOFCOM, generic CSV (see lists.h). */
#include "chokepoint/lists.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "chokepoint/csv.h"
#include "screen_int.h"

#define MAX_PARTIES (8u << 20)
#define MAX_NAMES (32u << 20)
#define MAX_JSON_LINE (64u << 20)

struct ckp_lists {
    ckp__arena arena;
    ckp__vec parties; /* ckp_party */
    ckp__vec names;   /* ckp_party_name */
    ckp__strmap byid; /* party id → index */
    ckp_lists_progress_fn progress; /* NULL or called while a file loads */
    void *progress_ctx;
    size_t read_chunk; /* bytes an FtM file is read by (0 = FTM_CHUNK; fuzzing) */
};

ckp_status ckp_lists_new(ckp_lists **out, ckp_error *err)
{
    *out = NULL;
    ckp_lists *l = calloc(1, sizeof *l);
    if (!l)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ckp__vec_init(&l->parties, sizeof(ckp_party), MAX_PARTIES);
    ckp__vec_init(&l->names, sizeof(ckp_party_name), MAX_NAMES);
    if (ckp__strmap_init(&l->byid, 1024) != 0) {
        free(l);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = l;
    return CKP_OK;
}

void ckp_lists_free(ckp_lists *l)
{
    if (!l)
        return;
    ckp__vec_free(&l->parties);
    ckp__vec_free(&l->names);
    ckp__strmap_free(&l->byid);
    ckp__arena_free(&l->arena);
    free(l);
}

size_t ckp_lists_party_count(const ckp_lists *l) { return l->parties.n; }
const ckp_party *ckp_lists_party(const ckp_lists *l, size_t i)
{
    return i < l->parties.n ? (const ckp_party *)l->parties.data + i : NULL;
}
size_t ckp_lists_name_count(const ckp_lists *l) { return l->names.n; }
const ckp_party_name *ckp_lists_name(const ckp_lists *l, size_t i)
{
    return i < l->names.n ? (const ckp_party_name *)l->names.data + i : NULL;
}

const ckp_party *ckp_lists_find(const ckp_lists *l, const char *id)
{
    uint32_t i = ckp__strmap_get(&l->byid, id, strlen(id));
    if (i == UINT32_MAX)
        return NULL;
    const ckp_party *p = ckp_lists_party(l, i);
    return p && !p->deleted ? p : NULL;
}

/* ---- building parties --------------------------------------------------- */

static ckp_status oom(ckp_error *err) { return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory"); }

static ckp_party *party_at(ckp_lists *l, uint32_t i) { return (ckp_party *)l->parties.data + i; }

/* A new party with the given id (copied); a previous party with the same id
 * is marked deleted (the newer record wins).  Returns its index or -1. */
static long party_add(ckp_lists *l, const char *id, size_t idlen, ckp_list_stats *st)
{
    char *cid = ckp__arena_strndup(&l->arena, id, idlen);
    if (!cid)
        return -1;
    uint32_t old = ckp__strmap_get(&l->byid, cid, idlen);
    if (old != UINT32_MAX && !party_at(l, old)->deleted) {
        party_at(l, old)->deleted = 1;
        if (st)
            st->deleted++;
    }
    ckp_party *p = ckp__vec_push(&l->parties);
    if (!p)
        return -1;
    p->id = cid;
    p->list = p->program = p->listed = p->type = p->countries = p->identifiers = p->birth = "";
    p->referents = "";
    p->source = "";
    p->name = "";
    uint32_t idx = (uint32_t)(l->parties.n - 1);
    if (ckp__strmap_put(&l->byid, cid, idlen, idx) != 0)
        return -1;
    if (st)
        st->parties++;
    return (long)idx;
}

/* 1 when s holds nothing but white space (a name name_add would drop). */
static int blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == 0;
}

/* Add a name (trimmed; empty names and exact duplicates of the party's
 * previous names are ignored).  Returns 0 or -1 when out of memory. */
static int name_add(ckp_lists *l, uint32_t party, const char *s, size_t n, ckp_name_role role,
                    ckp_list_stats *st)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0)
        return 0;
    ckp_party *p = party_at(l, party);
    /* a party's names are mostly added together: look back 64 names at most */
    for (size_t k = l->names.n, seen = 0, look = 0; k > 0 && seen < p->nnames && look < 64;
         k--, look++) {
        const ckp_party_name *q = (const ckp_party_name *)l->names.data + (k - 1);
        if (q->party != party)
            continue;
        seen++;
        if (strlen(q->name) == n && memcmp(q->name, s, n) == 0)
            return 0;
    }
    char *copy = ckp__arena_strndup(&l->arena, s, n);
    ckp_party_name *nm = copy ? ckp__vec_push(&l->names) : NULL;
    if (!nm)
        return -1;
    nm->party = party;
    nm->name = copy;
    nm->role = (uint8_t)role;
    if (p->nnames == 0)
        p->name = copy;
    p->nnames++;
    if (st)
        st->names++;
    return 0;
}

/* Append ISO3 code c to the party's countries unless present. */
static int country_add(ckp_lists *l, uint32_t party, const char *iso3)
{
    ckp_party *p = party_at(l, party);
    if (!iso3 || strlen(iso3) != 3 || strstr(p->countries, iso3))
        return 0;
    size_t n = strlen(p->countries);
    char *s = ckp__arena_alloc(&l->arena, n + 5);
    if (!s)
        return -1;
    memcpy(s, p->countries, n);
    if (n)
        s[n++] = ';';
    memcpy(s + n, iso3, 3);
    s[n + 3] = 0;
    p->countries = s;
    return 0;
}

/* Append text to a ';'-joined field (identifiers, program). */
static const char *join_field(ckp_lists *l, const char *cur, const char *add, size_t addn)
{
    size_t n = strlen(cur);
    if (addn == 0)
        return cur;
    char *s = ckp__arena_alloc(&l->arena, n + addn + 3);
    if (!s)
        return NULL;
    memcpy(s, cur, n);
    if (n) {
        s[n++] = ';';
        s[n++] = ' ';
    }
    memcpy(s + n, add, addn);
    s[n + addn] = 0;
    return s;
}

/* A country as written (name, ISO2, ISO3) → ISO3 via ref; NULL when unknown. */
static const char *country_iso3(const ckp_ref *ref, const char *s)
{
    if (!ref || !s || !*s)
        return NULL;
    int id = -1;
    size_t n = strlen(s);
    if (n == 2) {
        char up[3] = {(char)toupper((unsigned char)s[0]), (char)toupper((unsigned char)s[1]), 0};
        id = ckp_ref_country_by_iso2(ref, up);
    } else if (n == 3) {
        char up[4] = {(char)toupper((unsigned char)s[0]), (char)toupper((unsigned char)s[1]),
                      (char)toupper((unsigned char)s[2]), 0};
        id = ckp_ref_country_by_iso3(ref, up);
    }
    if (id < 0) {
        /* OFAC's own spellings that the reference names do not cover */
        static const struct {
            const char *name, *iso3;
        } ofac[] = {{"Bahamas, The", "BHS"},
                    {"Congo, Democratic Republic of the", "COD"},
                    {"Congo, Republic of the", "COG"},
                    {"Cote d Ivoire", "CIV"},
                    {"Korea, South", "KOR"},
                    {"Man, Isle of", "IMN"},
                    {"North Macedonia, The Republic of", "MKD"},
                    {"Palestinian", "PSE"},
                    {"West Bank", "PSE"},
                    {"Region: West Bank", "PSE"},
                    {"Region: Gaza", "PSE"},
                    {"Region: Crimea", "UKR"},
                    {"Region: Northern Mali", "MLI"},
                    {"Virgin Islands, British", "VGB"}};
        for (size_t i = 0; i < sizeof ofac / sizeof ofac[0] && id < 0; i++)
            if (strcmp(s, ofac[i].name) == 0)
                id = ckp_ref_country_by_iso3(ref, ofac[i].iso3);
    }
    if (id < 0 && ckp_ref_country_arg(ref, s, &id, NULL) != CKP_OK)
        id = -1; /* unknown or ambiguous: no country, never a guess */
    const ckp_country *c = id >= 0 ? ckp_ref_country(ref, id) : NULL;
    return c ? c->iso3 : NULL;
}

static void note_bad(ckp_list_stats *st, const char *file, long line, const char *why)
{
    if (!st)
        return;
    st->bad++;
    if (!st->first_bad[0])
        snprintf(st->first_bad, sizeof st->first_bad, "%s:%ld: %s", file, line, why);
}

/* ---- CSV helpers ------------------------------------------------------- */

/* The next good row of a list file: 1 = a row, 0 = end of input, -1 = the
 * reader failed (*rc and err set).  A bad row is counted (note_bad) and
 * skipped. */
typedef struct bad_rows {
    ckp_list_stats *st;
    const char *file;
} bad_rows;

static void bad_row(void *ctx, const ckp_error *e)
{
    const bad_rows *b = ctx;
    note_bad(b->st, b->file, e->line, e->msg);
}

static int next_row(ckp_csv *csv, const char *file, ckp_list_stats *st, ckp_status *rc,
                    ckp_error *err)
{
    bad_rows b = {st, file};
    int r = ckp_csv_next_good(csv, bad_row, &b, err);
    if (r < 0)
        *rc = err->code ? err->code : CKP_EIO;
    return r;
}

static ckp_status csv_open_src(const ckp_list_src *src, int header, ckp_csv_encoding enc,
                               ckp_csv **out, ckp_error *err)
{
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    o.header = header;
    o.encoding = enc;
    o.delim = ',';
    if (src->buf)
        return ckp_csv_open_mem(src->buf, src->len, src->path ? src->path : "(memory)", &o, out,
                                err);
    return ckp_csv_open(src->path, &o, out, err);
}

/* Field i trimmed, with the OFAC null "-0-" as empty, copied into buf.  A
 * field longer than buf is not cut: *cut is set to its column number + 1
 * (first one only) and the caller rejects the row, so that no listed name
 * or alias is loaded short. */
static char *fcopy(const ckp_csv *csv, size_t i, char *buf, size_t n, int *cut)
{
    ckp_field f = ckp_field_trim(ckp_csv_field(csv, i));
    if (f.len == 3 && memcmp(f.ptr, "-0-", 3) == 0)
        f.len = 0;
    if (!f.ptr)
        f.len = 0;
    if (f.len >= n) {
        if (!*cut)
            *cut = (int)i + 1;
        f.len = 0;
    }
    return ckp_field_copy(f, buf, n);
}

/* Reject a row with a field too long to keep (fcopy's cut); 1 when it was. */
static int cut_row(ckp_list_stats *st, const char *file, long line, int cut)
{
    if (!cut)
        return 0;
    char why[96];
    snprintf(why, sizeof why, "column %d is longer than this list's loader keeps: entry not loaded",
             cut);
    note_bad(st, file, line, why);
    return 1;
}

static const char *src_name(const ckp_list_src *src)
{
    const char *p = src->path ? src->path : "(memory)";
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

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
            if (name_add(l, party, p, (size_t)(e - p), m == 0 ? CKP_NAME_WEAK : CKP_NAME_ALIAS,
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
            const char *j = join_field(l, party_at(l, party)->birth, item, strlen(item));
            if (!j)
                return -1;
            party_at(l, party)->birth = j;
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
                const char *j = join_field(l, party_at(l, party)->identifiers, p, m);
                if (!j)
                    return -1;
                party_at(l, party)->identifiers = j;
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
    ckp_status rc = csv_open_src(src, 0, CKP_CSV_LATIN1, &csv, err);
    if (rc)
        return rc;
    const char *file = ckp__arena_strdup(&l->arena, src_name(src));
    char ent[32], name[2048], type[64], prog[512], remarks[8192], id[48];
    for (;;) {
        int r = next_row(csv, file, st, &rc, err);
        if (r == 0)
            break;
        if (r < 0)
            goto out_close;
        if (st)
            st->rows++;
        long line = ckp_csv_line(csv);
        int cut = 0;
        fcopy(csv, 0, ent, sizeof ent, &cut);
        fcopy(csv, 1, name, sizeof name, &cut);
        if (ckp_csv_nfields(csv) == 1 && ent[0] == 0)
            continue; /* an empty last line */
        if (cut_row(st, file, line, cut))
            continue;
        char *endp = NULL;
        long num = strtol(ent, &endp, 10);
        if (!ent[0] || *endp || num <= 0) {
            note_bad(st, file, line, "ent_num is not a positive number");
            continue;
        }
        if (blank(name)) { /* a party must have a name */
            note_bad(st, file, line, "SDN_Name is empty");
            continue;
        }
        fcopy(csv, 2, type, sizeof type, &cut);
        fcopy(csv, 3, prog, sizeof prog, &cut);
        fcopy(csv, 11, remarks, sizeof remarks, &cut);
        if (cut_row(st, file, line, cut))
            continue;
        int idn = snprintf(id, sizeof id, "ofac-%ld", num);
        long pi = party_add(l, id, (size_t)idn, st);
        if (pi < 0) {
            rc = oom(err);
            goto out_close;
        }
        ckp_party *p = party_at(l, (uint32_t)pi);
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
            name_add(l, (uint32_t)pi, name, strlen(name), CKP_NAME_PRIMARY, st) != 0 ||
            ofac_remark_aliases(l, (uint32_t)pi, remarks, st) != 0 ||
            ofac_remark_ids(l, (uint32_t)pi, remarks) != 0 ||
            ofac_remark_birth(l, (uint32_t)pi, remarks) != 0 ||
            ckp__strmap_put(ents, party_at(l, (uint32_t)pi)->id + 5, strlen(id) - 5,
                            (uint32_t)pi) != 0) {
            rc = oom(err);
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
    ckp_status rc = csv_open_src(src, 0, CKP_CSV_LATIN1, &csv, err);
    if (rc)
        return rc;
    const char *file = ckp__arena_strdup(&l->arena, src_name(src));
    char ent[32], val[2048], atype[32];
    for (;;) {
        int r = next_row(csv, file, st, &rc, err);
        if (r == 0)
            break;
        if (r < 0)
            goto out_close;
        int cut = 0;
        fcopy(csv, 0, ent, sizeof ent, &cut);
        if (ckp_csv_nfields(csv) == 1 && ent[0] == 0)
            continue;
        if (st)
            st->rows++;
        long line = ckp_csv_line(csv);
        char *endp = NULL;
        long num = strtol(ent, &endp, 10);
        if (!ent[0] || *endp || num <= 0) {
            note_bad(st, file, line, "ent_num is not a positive number");
            continue;
        }
        uint32_t pi = ckp__strmap_get(ents, ent, strlen(ent));
        if (pi == UINT32_MAX) {
            if (st)
                st->unjoined++;
            continue;
        }
        if (kind == 'a') {
            fcopy(csv, 2, atype, sizeof atype, &cut);
            fcopy(csv, 3, val, sizeof val, &cut);
            if (cut_row(st, file, line, cut))
                continue;
            if (!val[0]) {
                note_bad(st, file, line, "alt_name is empty");
                continue;
            }
            ckp_name_role role = strcmp(atype, "weak aka") == 0 ? CKP_NAME_WEAK : CKP_NAME_ALIAS;
            if (name_add(l, pi, val, strlen(val), role, st) != 0) {
                rc = oom(err);
                goto out_close;
            }
        } else {
            fcopy(csv, 4, val, sizeof val, &cut);
            if (cut_row(st, file, line, cut))
                continue;
            if (val[0] && country_add(l, pi, country_iso3(ref, val)) != 0) {
                rc = oom(err);
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
        return oom(err);
    ckp_status rc = ofac_sdn(l, sdn, &ents, st, err);
    if (!rc && alt)
        rc = ofac_join(l, alt, 'a', &ents, ref, st, err);
    if (!rc && add)
        rc = ofac_join(l, add, 'd', &ents, ref, st, err);
    ckp__strmap_free(&ents);
    return rc;
}

/* ---- OpenSanctions FollowTheMoney --------------------------------------- */

static int ftm_is_party(const char *schema)
{
    static const char *const ok[] = {"Person", "Organization", "Company", "LegalEntity",
                                     "PublicBody", "Vessel", "Airplane"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(schema, ok[i]) == 0)
            return 1;
    return 0;
}

/* Strings of property `prop` of FtM properties object props. */
static int ftm_names(ckp_lists *l, uint32_t pi, json_t *props, const char *prop,
                     ckp_name_role role, ckp_list_stats *st)
{
    json_t *arr = json_object_get(props, prop);
    size_t i;
    json_t *v;
    if (!json_is_array(arr))
        return 0;
    json_array_foreach(arr, i, v) {
        if (json_is_string(v) &&
            name_add(l, pi, json_string_value(v), json_string_length(v), role, st) != 0)
            return -1;
    }
    return 0;
}

static const char *ftm_first(json_t *props, const char *prop)
{
    json_t *arr = json_object_get(props, prop);
    json_t *v = json_is_array(arr) ? json_array_get(arr, 0) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One FtM entity object → party. Returns 0, 1 = skipped (not a party),
 * 2 = bad (reason in *why), -1 = out of memory. */
static int ftm_entity(ckp_lists *l, json_t *ent, const char *file, const ckp_ref *ref,
                      ckp_list_stats *st, const char **why)
{
    const char *id = json_string_value(json_object_get(ent, "id"));
    const char *schema = json_string_value(json_object_get(ent, "schema"));
    json_t *props = json_object_get(ent, "properties");
    if (!id || !*id) {
        *why = "entity has no id";
        return 2;
    }
    if (!schema || !json_is_object(props)) {
        *why = "entity has no schema or properties";
        return 2;
    }
    if (!ftm_is_party(schema))
        return 1;
    long pi = party_add(l, id, strlen(id), st);
    if (pi < 0)
        return -1;
    ckp_party *p = party_at(l, (uint32_t)pi);
    p->list = "OpenSanctions";
    p->source = file;
    p->type = ckp__arena_strdup(&l->arena, schema);
    /* program: the datasets */
    json_t *ds = json_object_get(ent, "datasets");
    size_t i;
    json_t *v;
    if (json_is_array(ds)) {
        json_array_foreach(ds, i, v) {
            if (json_is_string(v))
                p->program = join_field(l, p->program, json_string_value(v), json_string_length(v));
            if (!p->program)
                return -1;
        }
    }
    /* referents: the ids this entity was merged from (they follow it) */
    json_t *refs = json_object_get(ent, "referents");
    if (json_is_array(refs)) {
        json_array_foreach(refs, i, v) {
            if (json_is_string(v) && json_string_length(v) > 0)
                p->referents = join_field(l, p->referents, json_string_value(v),
                                          json_string_length(v));
            if (!p->referents)
                return -1;
        }
    }
    const char *listed = ftm_first(props, "createdAt");
    if (!listed)
        listed = json_string_value(json_object_get(ent, "first_seen"));
    if (listed)
        p->listed = ckp__arena_strndup(&l->arena, listed, strlen(listed) > 10 ? 10 : strlen(listed));
    if (!p->type || !p->listed)
        return -1;
    const char *caption = json_string_value(json_object_get(ent, "caption"));
    if (caption && name_add(l, (uint32_t)pi, caption, strlen(caption), CKP_NAME_PRIMARY, st) != 0)
        return -1;
    if (ftm_names(l, (uint32_t)pi, props, "name", CKP_NAME_ALIAS, st) ||
        ftm_names(l, (uint32_t)pi, props, "alias", CKP_NAME_ALIAS, st) ||
        ftm_names(l, (uint32_t)pi, props, "previousName", CKP_NAME_ALIAS, st) ||
        ftm_names(l, (uint32_t)pi, props, "weakAlias", CKP_NAME_WEAK, st))
        return -1;
    if (party_at(l, (uint32_t)pi)->nnames == 0) {
        party_at(l, (uint32_t)pi)->deleted = 1;
        *why = "entity has no name";
        return 2;
    }
    static const char *const cprops[] = {"country", "nationality", "jurisdiction",
                                         "citizenship", "mainCountry", "flag"};
    for (size_t k = 0; k < sizeof cprops / sizeof cprops[0]; k++) {
        json_t *arr = json_object_get(props, cprops[k]);
        if (!json_is_array(arr))
            continue;
        json_array_foreach(arr, i, v) {
            if (json_is_string(v) &&
                country_add(l, (uint32_t)pi, country_iso3(ref, json_string_value(v))) != 0)
                return -1;
        }
    }
    json_t *births = json_object_get(props, "birthDate");
    if (json_is_array(births)) {
        json_array_foreach(births, i, v) {
            const char *d = json_is_string(v) ? json_string_value(v) : NULL;
            size_t dl = d ? strlen(d) : 0;
            if (dl != 4 && dl != 7 && dl != 10)
                continue; /* not an FtM date (YYYY, YYYY-MM, YYYY-MM-DD) */
            p = party_at(l, (uint32_t)pi);
            p->birth = join_field(l, p->birth, d, dl);
            if (!p->birth)
                return -1;
        }
    }
    static const char *const idprops[] = {"registrationNumber", "taxNumber", "innCode",
                                          "ogrnCode", "okpoCode", "imoNumber", "passportNumber",
                                          "idNumber", "swiftBic", "leiCode", "vatCode"};
    for (size_t k = 0; k < sizeof idprops / sizeof idprops[0]; k++) {
        json_t *arr = json_object_get(props, idprops[k]);
        if (!json_is_array(arr))
            continue;
        json_array_foreach(arr, i, v) {
            if (!json_is_string(v))
                continue;
            /* the identifier whole, however long: a cut one would match
             * another entity's or none */
            const char *idv = json_string_value(v);
            size_t cap = strlen(idprops[k]) + strlen(idv) + 2;
            char *buf = malloc(cap);
            if (!buf)
                return -1;
            int n = snprintf(buf, cap, "%s %s", idprops[k], idv);
            p = party_at(l, (uint32_t)pi);
            p->identifiers = n < 0 ? NULL : join_field(l, p->identifiers, buf, (size_t)n);
            free(buf);
            if (!p->identifiers)
                return -1;
        }
    }
    return 0;
}

/* One line of an FtM file (n bytes, not NUL-terminated): an entity or a
 * delta op.  A bad line is counted in st; returns CKP_OK, or CKP_ENOMEM. */
static ckp_status ftm_line(ckp_lists *l, const char *s, size_t n, const char *file, long line,
                           const ckp_ref *ref, ckp_list_stats *st, ckp_error *err)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\x1a'))
        n--;
    if (n == 0)
        return CKP_OK;
    if (st)
        st->rows++;
    json_error_t jerr;
    json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!j || !json_is_object(j)) {
        char why[300];
        snprintf(why, sizeof why, "not a JSON object: %s", j ? "other JSON value" : jerr.text);
        note_bad(st, file, line, why);
        json_decref(j);
        return CKP_OK;
    }
    json_t *ent = j;
    const char *op = json_string_value(json_object_get(j, "op"));
    if (op) {
        ent = json_object_get(j, "entity");
        if (!json_is_object(ent)) {
            note_bad(st, file, line, "delta op without an entity object");
            json_decref(j);
            return CKP_OK;
        }
        if (strcmp(op, "DEL") == 0) {
            const char *id = json_string_value(json_object_get(ent, "id"));
            uint32_t pi = id ? ckp__strmap_get(&l->byid, id, strlen(id)) : UINT32_MAX;
            if (!id)
                note_bad(st, file, line, "DEL op without an entity id");
            else if (pi != UINT32_MAX && !party_at(l, pi)->deleted) {
                party_at(l, pi)->deleted = 1;
                if (st)
                    st->deleted++;
            } else if (st) {
                st->skipped++;
            }
            json_decref(j);
            return CKP_OK;
        }
        if (strcmp(op, "ADD") != 0 && strcmp(op, "MOD") != 0) {
            note_bad(st, file, line, "unknown delta op (expected ADD, MOD or DEL)");
            json_decref(j);
            return CKP_OK;
        }
    }
    const char *why = NULL;
    int r = ftm_entity(l, ent, file, ref, st, &why);
    json_decref(j);
    if (r < 0)
        return oom(err);
    if (r == 1 && st)
        st->skipped++;
    if (r == 2)
        note_bad(st, file, line, why);
    return CKP_OK;
}

void ckp_lists_set_progress(ckp_lists *l, ckp_lists_progress_fn fn, void *ctx)
{
    l->progress = fn;
    l->progress_ctx = ctx;
}

#define FTM_CHUNK ((size_t)1 << 20)     /* bytes read at a time */
#define FTM_PROGRESS ((uint64_t)4 << 20) /* bytes between progress calls */

void ckp__lists_set_read_chunk(ckp_lists *l, size_t n) { l->read_chunk = n; }

/* FtM JSON lines, streamed: the file is read 1 MiB at a time and each line
 * parsed as it completes, so memory holds one line (at most MAX_JSON_LINE
 * bytes; a longer one is counted bad and skipped), never the whole file.
 * A buffer source is read in place. */
ckp_status ckp_lists_load_ftm(ckp_lists *l, const ckp_list_src *src, const ckp_ref *ref,
                              ckp_list_stats *st, ckp_error *err)
{
    const char *file = ckp__arena_strdup(&l->arena, src_name(src));
    if (!file)
        return oom(err);
    long line = 0;
    if (src->buf) {
        size_t pos = 0, len = src->len;
        if (len >= 3 && memcmp(src->buf, "\xEF\xBB\xBF", 3) == 0)
            pos = 3;
        while (pos < len) {
            line++;
            const char *nl = memchr(src->buf + pos, '\n', len - pos);
            size_t e = nl ? (size_t)(nl - src->buf) : len;
            if (e - pos > MAX_JSON_LINE) {
                if (st)
                    st->rows++;
                note_bad(st, file, line, "line longer than 64 MiB");
            } else {
                ckp_status rc = ftm_line(l, src->buf + pos, e - pos, file, line, ref, st, err);
                if (rc)
                    return rc;
            }
            pos = e + 1;
        }
        return CKP_OK;
    }
    FILE *f = strcmp(src->path, "-") == 0 ? stdin : fopen(src->path, "rb");
    if (!f)
        return ckp_error_set(err, CKP_EIO, src->path, 0, 0, "cannot open: %s", strerror(errno));
    uint64_t total = 0, done = 0, next_report = FTM_PROGRESS;
    struct stat sb;
    if (f != stdin && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
        total = (uint64_t)sb.st_size;
    ckp_status rc = CKP_OK;
    size_t csize = l->read_chunk >= 3 ? l->read_chunk : FTM_CHUNK;
    char *chunk = malloc(csize);
    char *acc = NULL;         /* the line so far, when it spans chunks */
    size_t alen = 0, acap = 0;
    int skipping = 0;         /* the line is over MAX_JSON_LINE: drop to its end */
    int first = 1;
    if (!chunk) {
        rc = oom(err);
        goto out_close;
    }
    for (;;) {
        size_t got = fread(chunk, 1, csize, f);
        if (got == 0)
            break;
        size_t pos = 0;
        if (first && got >= 3 && memcmp(chunk, "\xEF\xBB\xBF", 3) == 0)
            pos = 3;
        first = 0;
        done += got;
        while (pos < got) {
            const char *nl = memchr(chunk + pos, '\n', got - pos);
            size_t e = nl ? (size_t)(nl - chunk) : got;
            size_t n = e - pos;
            if (!skipping && alen + n > MAX_JSON_LINE) {
                skipping = 1;
                alen = 0;
            }
            if (!skipping && nl && alen == 0) {
                /* the whole line is in this chunk: parse it in place */
                rc = ftm_line(l, chunk + pos, n, file, ++line, ref, st, err);
            } else if (!skipping) {
                if (alen + n > acap) {
                    size_t nc = acap ? acap : FTM_CHUNK;
                    while (nc < alen + n)
                        nc *= 2;
                    char *na = realloc(acc, nc);
                    if (!na) {
                        rc = oom(err);
                        goto out_close;
                    }
                    acc = na;
                    acap = nc;
                }
                memcpy(acc + alen, chunk + pos, n);
                alen += n;
                if (nl) {
                    rc = ftm_line(l, acc, alen, file, ++line, ref, st, err);
                    alen = 0;
                }
            } else if (nl) {
                ++line;
                if (st)
                    st->rows++;
                note_bad(st, file, line, "line longer than 64 MiB");
                skipping = 0;
            }
            if (rc)
                goto out_close;
            pos = e + (nl ? 1 : 0);
        }
        if (l->progress && done >= next_report) {
            l->progress(file, done, total, l->progress_ctx);
            next_report = done + FTM_PROGRESS;
        }
    }
    if (ferror(f)) {
        rc = ckp_error_set(err, CKP_EIO, src->path, 0, 0, "read error: %s", strerror(errno));
        goto out_close;
    }
    if (skipping) {
        ++line;
        if (st)
            st->rows++;
        note_bad(st, file, line, "line longer than 64 MiB");
    } else if (alen > 0) {
        rc = ftm_line(l, acc, alen, file, ++line, ref, st, err); /* no final newline */
    }
    if (rc == CKP_OK && l->progress)
        l->progress(file, done, total ? total : done, l->progress_ctx);
out_close:
    free(chunk);
    free(acc);
    if (f != stdin)
        fclose(f);
    return rc;
}

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
    return country_iso3(ref, region);
}

/* Column index or -1, for both loaders. */
static int col(const ckp_csv *csv, const char *name) { return ckp_csv_column(csv, name); }

static char *fcol(const ckp_csv *csv, int c, char *buf, size_t n, int *cut)
{
    if (c < 0) {
        buf[0] = 0;
        return buf;
    }
    return fcopy(csv, (size_t)c, buf, n, cut);
}

ckp_status ckp_lists_load_mofcom(ckp_lists *l, const ckp_list_src *src, const ckp_ref *ref,
                                 ckp_list_stats *st, ckp_error *err)
{
    ckp_csv *csv = NULL;
    ckp_status rc = csv_open_src(src, 1, CKP_CSV_AUTO, &csv, err);
    if (rc)
        return rc;
    const char *file = ckp__arena_strdup(&l->arena, src_name(src));
    int cid = col(csv, "id"), clists = col(csv, "lists"), cnotice = col(csv, "notice"),
        cdate = col(csv, "effective_date"), cregion = col(csv, "region_cn"),
        ccn = col(csv, "name_cn"), cen = col(csv, "name_en"), ctype = col(csv, "entity_type_cn");
    if (cid < 0 || (ccn < 0 && cen < 0)) {
        rc = ckp_error_set(err, CKP_EPARSE, src->path, 1, 0,
                           "MOFCOM list needs columns id and name_cn or name_en");
        goto out_close;
    }
    char id[64], pid[80], lists[128], notice[256], date[32], region[64], ncn[1024], nen[1024],
        type[64];
    for (;;) {
        int r = next_row(csv, file, st, &rc, err);
        if (r == 0)
            break;
        if (r < 0)
            goto out_close;
        if (st)
            st->rows++;
        long line = ckp_csv_line(csv);
        int cut = 0;
        fcol(csv, cid, id, sizeof id, &cut);
        fcol(csv, ccn, ncn, sizeof ncn, &cut);
        fcol(csv, cen, nen, sizeof nen, &cut);
        if (cut_row(st, file, line, cut))
            continue;
        if (!id[0] || (!ncn[0] && !nen[0])) {
            note_bad(st, file, line, "row without id or name");
            continue;
        }
        fcol(csv, clists, lists, sizeof lists, &cut);
        fcol(csv, cnotice, notice, sizeof notice, &cut);
        fcol(csv, cdate, date, sizeof date, &cut);
        fcol(csv, cregion, region, sizeof region, &cut);
        fcol(csv, ctype, type, sizeof type, &cut);
        if (cut_row(st, file, line, cut))
            continue;
        int n = snprintf(pid, sizeof pid, "mofcom-%s", id);
        long pi = party_add(l, pid, (size_t)(n < (int)sizeof pid ? n : (int)sizeof pid - 1), st);
        if (pi < 0) {
            rc = oom(err);
            goto out_close;
        }
        ckp_party *p = party_at(l, (uint32_t)pi);
        p->list = mofcom_list_name(lists);
        p->source = file;
        p->program = ckp__arena_strdup(&l->arena, notice);
        p->listed = ckp__arena_strdup(&l->arena, date);
        p->type = ckp__arena_strdup(&l->arena, type);
        if (!p->program || !p->listed || !p->type ||
            country_add(l, (uint32_t)pi, mofcom_region(ref, region)) != 0 ||
            name_add(l, (uint32_t)pi, nen[0] ? nen : ncn, strlen(nen[0] ? nen : ncn),
                     CKP_NAME_PRIMARY, st) != 0 ||
            (nen[0] && name_add(l, (uint32_t)pi, ncn, strlen(ncn), CKP_NAME_ALIAS, st) != 0)) {
            rc = oom(err);
            goto out_close;
        }
    }
out_close:
    ckp_csv_close(csv);
    return rc;
}

ckp_status ckp_lists_load_csv(ckp_lists *l, const ckp_list_src *src, const ckp_ref *ref,
                              ckp_list_stats *st, ckp_error *err)
{
    ckp_csv *csv = NULL;
    ckp_status rc = csv_open_src(src, 1, CKP_CSV_AUTO, &csv, err);
    if (rc)
        return rc;
    const char *file = ckp__arena_strdup(&l->arena, src_name(src));
    int cid = col(csv, "id"), cname = col(csv, "name"), cal = col(csv, "aliases"),
        cc = col(csv, "country"), cl = col(csv, "list"), cp = col(csv, "program"),
        cd = col(csv, "listed"), cidf = col(csv, "identifiers"), ct = col(csv, "type");
    if (cname < 0) {
        rc = ckp_error_set(err, CKP_EPARSE, src->path, 1, 0,
                           "party list CSV needs a 'name' column (id,name,aliases,country,"
                           "list,program)");
        goto out_close;
    }
    char id[256], name[2048], country[256], list[128], prog[512], listed[32],
        idf[1024], type[64];
    for (;;) {
        int r = next_row(csv, file, st, &rc, err);
        if (r == 0)
            break;
        if (r < 0)
            goto out_close;
        if (st)
            st->rows++;
        long line = ckp_csv_line(csv);
        int cut = 0;
        fcol(csv, cname, name, sizeof name, &cut);
        if (cut_row(st, file, line, cut))
            continue;
        if (blank(name)) {
            note_bad(st, file, line, "name is empty");
            continue;
        }
        fcol(csv, cid, id, sizeof id, &cut);
        if (!id[0])
            snprintf(id, sizeof id, "%s:%ld", file ? file : "csv", line);
        /* aliases: any number, read in place (no buffer to outgrow) */
        ckp_field af = cal >= 0 ? ckp_field_trim(ckp_csv_field(csv, (size_t)cal))
                                : (ckp_field){NULL, 0};
        if (!af.ptr || (af.len == 3 && memcmp(af.ptr, "-0-", 3) == 0))
            af.len = 0;
        fcol(csv, cc, country, sizeof country, &cut);
        fcol(csv, cl, list, sizeof list, &cut);
        fcol(csv, cp, prog, sizeof prog, &cut);
        fcol(csv, cd, listed, sizeof listed, &cut);
        fcol(csv, cidf, idf, sizeof idf, &cut);
        fcol(csv, ct, type, sizeof type, &cut);
        if (cut_row(st, file, line, cut))
            continue;
        long pi = party_add(l, id, strlen(id), st);
        if (pi < 0) {
            rc = oom(err);
            goto out_close;
        }
        ckp_party *p = party_at(l, (uint32_t)pi);
        p->source = file;
        p->list = ckp__arena_strdup(&l->arena, list[0] ? list : (file ? file : "csv"));
        p->program = ckp__arena_strdup(&l->arena, prog);
        p->listed = ckp__arena_strdup(&l->arena, listed);
        p->identifiers = ckp__arena_strdup(&l->arena, idf);
        p->type = ckp__arena_strdup(&l->arena, type);
        if (!p->list || !p->program || !p->listed || !p->identifiers || !p->type ||
            name_add(l, (uint32_t)pi, name, strlen(name), CKP_NAME_PRIMARY, st) != 0) {
            rc = oom(err);
            goto out_close;
        }
        for (size_t pos = 0; pos < af.len;) {
            const char *a = af.ptr + pos;
            const char *e = memchr(a, ';', af.len - pos);
            size_t n = e ? (size_t)(e - a) : af.len - pos;
            if (name_add(l, (uint32_t)pi, a, n, CKP_NAME_ALIAS, st) != 0) {
                rc = oom(err);
                goto out_close;
            }
            pos += n + 1;
        }
        for (char *c = country; *c;) {
            char *e = strchr(c, ';');
            size_t n = e ? (size_t)(e - c) : strlen(c);
            char one[64];
            snprintf(one, sizeof one, "%.*s", (int)(n < 63 ? n : 63), c);
            const char *iso = country_iso3(ref, one);
            if (!iso && strlen(one) == 3 && isupper((unsigned char)one[0]))
                iso = one; /* an ISO3 code given as such, without ref */
            if (iso && country_add(l, (uint32_t)pi, iso) != 0) {
                rc = oom(err);
                goto out_close;
            }
            c += n + (e ? 1 : 0);
        }
    }
out_close:
    ckp_csv_close(csv);
    return rc;
}

/* ---- list sets ---------------------------------------------------------- */

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static ckp_status load_shipped(ckp_lists *l, const char *name, const char *dir,
                               const ckp_ref *ref, ckp_list_stats *st, ckp_error *err)
{
    char a[4096], b[4096], c[4096];
    ckp_status rc = CKP_OK;
    if (strcmp(name, "ofac") == 0) {
        snprintf(a, sizeof a, "%s/parties/ofac/sdn.csv", dir);
        snprintf(b, sizeof b, "%s/parties/ofac/alt.csv", dir);
        snprintf(c, sizeof c, "%s/parties/ofac/add.csv", dir);
        ckp_list_src s1 = {a, NULL, 0}, s2 = {b, NULL, 0}, s3 = {c, NULL, 0};
        return ckp_lists_load_ofac(l, &s1, file_exists(b) ? &s2 : NULL,
                                   file_exists(c) ? &s3 : NULL, ref, st, err);
    }
    if (strcmp(name, "opensanctions") == 0) {
        /* the entity file first, then the deltas in run order */
        static const char *const files[] = {"t1_entities.ftm.json",
                                            "t2_20240527194702-wnk_entities.delta.json",
                                            "t2_20240528014702-pfh_entities.delta.json",
                                            "t2_20240528074703-npf_entities.delta.json",
                                            "t2_20240528134729-3iv_entities.delta.json"};
        for (size_t i = 0; i < sizeof files / sizeof files[0] && !rc; i++) {
            snprintf(a, sizeof a, "%s/parties/opensanctions/%s", dir, files[i]);
            ckp_list_src s = {a, NULL, 0};
            rc = ckp_lists_load_ftm(l, &s, ref, st, err);
        }
        return rc;
    }
    if (strcmp(name, "mofcom") == 0) {
        snprintf(a, sizeof a, "%s/parties/mofcom/mofcom_entities.csv", dir);
        ckp_list_src s = {a, NULL, 0};
        return ckp_lists_load_mofcom(l, &s, ref, st, err);
    }
    return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                         "unknown list '%s' (shipped: ofac, opensanctions, mofcom, all; or a "
                         "file path)",
                         name);
}

/* A user file: detect its kind from its name and first line. */
static ckp_status load_file(ckp_lists *l, const char *path, const ckp_ref *ref,
                            ckp_list_stats *st, ckp_error *err)
{
    ckp_list_src s = {path, NULL, 0};
    if (ends_with(path, ".json") || ends_with(path, ".jsonl") || ends_with(path, ".ftm"))
        return ckp_lists_load_ftm(l, &s, ref, st, err);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    char first[4096] = "";
    if (!fgets(first, sizeof first, f))
        first[0] = 0;
    fclose(f);
    const char *p = first;
    if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    if (*p == '{')
        return ckp_lists_load_ftm(l, &s, ref, st, err);
    if (strstr(p, "name_cn"))
        return ckp_lists_load_mofcom(l, &s, ref, st, err);
    if (isdigit((unsigned char)*p)) {
        char alt[4096], add[4096];
        const char *slash = strrchr(path, '/');
        int dl = slash ? (int)(slash - path + 1) : 0;
        snprintf(alt, sizeof alt, "%.*salt.csv", dl, path);
        snprintf(add, sizeof add, "%.*sadd.csv", dl, path);
        ckp_list_src s2 = {alt, NULL, 0}, s3 = {add, NULL, 0};
        return ckp_lists_load_ofac(l, &s, file_exists(alt) ? &s2 : NULL,
                                   file_exists(add) ? &s3 : NULL, ref, st, err);
    }
    return ckp_lists_load_csv(l, &s, ref, st, err);
}

ckp_status ckp_lists_load_spec(ckp_lists *l, const char *spec, const char *datadir,
                               const ckp_ref *ref, ckp_list_stats *st, ckp_error *err)
{
    if (!spec || !*spec)
        spec = "all";
    if (!datadir)
        datadir = ckp_data_dir();
    char item[4096];
    const char *p = spec;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item - 1 ? n : sizeof item - 1), p);
        p += n + (e ? 1 : 0);
        if (!item[0])
            continue;
        ckp_status rc;
        if (strcmp(item, "all") == 0) {
            rc = load_shipped(l, "ofac", datadir, ref, st, err);
            if (!rc)
                rc = load_shipped(l, "opensanctions", datadir, ref, st, err);
            if (!rc)
                rc = load_shipped(l, "mofcom", datadir, ref, st, err);
        } else if (strchr(item, '/') || strchr(item, '.')) {
            rc = load_file(l, item, ref, st, err);
        } else {
            rc = load_shipped(l, item, datadir, ref, st, err);
        }
        if (rc)
            return rc;
    }
    return CKP_OK;
}

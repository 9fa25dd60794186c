/* lists.c — party lists (see lists.h): their life cycle, the parties and
 * names the loaders build, the CSV helpers the loaders share, and list sets
 * (--lists specs, shipped lists).  One file per list format beside it
 * (lists_int.h lists them). */
#include "chokepoint/lists.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "lists_int.h"

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

ckp_status ckp__lists_oom(ckp_error *err) { return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory"); }

ckp_party *ckp__lists_party_at(ckp_lists *l, uint32_t i) { return (ckp_party *)l->parties.data + i; }

/* A new party with the given id (copied); a previous party with the same id
 * is marked deleted (the newer record wins).  Returns its index or -1. */
long ckp__lists_party_add(ckp_lists *l, const char *id, size_t idlen, ckp_list_stats *st)
{
    char *cid = ckp__arena_strndup(&l->arena, id, idlen);
    if (!cid)
        return -1;
    uint32_t old = ckp__strmap_get(&l->byid, cid, idlen);
    if (old != UINT32_MAX && !ckp__lists_party_at(l, old)->deleted) {
        ckp__lists_party_at(l, old)->deleted = 1;
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
int ckp__lists_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == 0;
}

/* Add a name (trimmed; empty names and exact duplicates of the party's
 * previous names are ignored).  Returns 0 or -1 when out of memory. */
int ckp__lists_name_add(ckp_lists *l, uint32_t party, const char *s, size_t n, ckp_name_role role,
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
    ckp_party *p = ckp__lists_party_at(l, party);
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
int ckp__lists_country_add(ckp_lists *l, uint32_t party, const char *iso3)
{
    ckp_party *p = ckp__lists_party_at(l, party);
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
const char *ckp__lists_join_field(ckp_lists *l, const char *cur, const char *add, size_t addn)
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
const char *ckp__lists_country_iso3(const ckp_ref *ref, const char *s)
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

void ckp__lists_note_bad(ckp_list_stats *st, const char *file, long line, const char *why)
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
    ckp__lists_note_bad(b->st, b->file, e->line, e->msg);
}

int ckp__lists_next_row(ckp_csv *csv, const char *file, ckp_list_stats *st, ckp_status *rc,
                    ckp_error *err)
{
    bad_rows b = {st, file};
    int r = ckp_csv_next_good(csv, bad_row, &b, err);
    if (r < 0)
        *rc = err->code ? err->code : CKP_EIO;
    return r;
}

ckp_status ckp__lists_csv_open_src(const ckp_list_src *src, int header, ckp_csv_encoding enc,
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

/* f trimmed, with the OFAC null "-0-" as empty, copied into buf; when it
 * does not fit, *cut = col + 1 (first one only) and buf is empty. */
static char *copy_field(ckp_field f, size_t col, char *buf, size_t n, int *cut)
{
    f = ckp_field_trim(f);
    if (f.len == 3 && memcmp(f.ptr, "-0-", 3) == 0)
        f.len = 0;
    if (!f.ptr)
        f.len = 0;
    if (f.len >= n) {
        if (!*cut)
            *cut = (int)col + 1;
        f.len = 0;
    }
    return ckp_field_copy(f, buf, n);
}

char *ckp__lists_fcopy(const ckp_csv *csv, size_t i, char *buf, size_t n, int *cut)
{
    return copy_field(ckp_csv_field(csv, i), i, buf, n, cut);
}

char *ckp__lists_tcopy(const ckp_table *t, size_t k, char *buf, size_t n, int *cut)
{
    if (!ckp_table_has(t, k)) {
        buf[0] = 0;
        return buf;
    }
    return copy_field(ckp_table_field(t, k), (size_t)t->col[k], buf, n, cut);
}

/* Reject a row with a field too long to keep (fcopy's cut); 1 when it was. */
int ckp__lists_cut_row(ckp_list_stats *st, const char *file, long line, int cut)
{
    if (!cut)
        return 0;
    char why[96];
    snprintf(why, sizeof why, "column %d is longer than this list's loader keeps: entry not loaded",
             cut);
    ckp__lists_note_bad(st, file, line, why);
    return 1;
}

const char *ckp__lists_src_name(const ckp_list_src *src)
{
    const char *p = src->path ? src->path : "(memory)";
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* ckp__lists_load_table's row trampoline: counts the row, then the loader's. */
typedef struct table_rows {
    ckp_table_row_fn row;
    void *ctx;
    ckp_list_stats *st;
} table_rows;

static ckp_status count_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    const table_rows *r = ctx;
    if (r->st)
        r->st->rows++;
    return r->row(r->ctx, t, err);
}

ckp_status ckp__lists_load_table(const ckp_list_src *src, const char *file,
                                 const char *const *cols, ckp_table_row_fn row, void *ctx,
                                 ckp_list_stats *st, ckp_error *err)
{
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    o.encoding = CKP_CSV_AUTO;
    o.delim = ',';
    table_rows r = {row, ctx, st};
    bad_rows b = {st, file};
    ckp_table_spec spec = {.path = src->path, .buf = src->buf, .len = src->len, .opts = &o,
                           .cols = cols, .row = count_row, .ctx = &r, .on_bad = bad_row,
                           .bad_ctx = &b};
    return ckp_table_load(&spec, err);
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

/* hs.c — the HS nomenclature (HS2017 and HS2022: code, level, description,
 * parent, section), the concordance between editions at 6 digits
 * (HS2022 ← HS2017 ← HS2012), HS code parsing/formatting and text search.
 *
 * Files (under <datadir>/ref/hs/):
 *   harmonized-system-hs2017.csv, harmonized-system-hs2022.csv
 *                          section,hscode,description,parent,level
 *   sections.csv           section,name
 *   concordance/hs_concordance_2022_2017_2012.csv
 *                          code.after,code.before,Relationship,adjustment
 *                          (codes as integers, leading zero lost)
 *   concordance/hs2022_to_hs2017_conversion.csv
 *                          hs2022,hs2017 (UNSD's one-to-one conversion) */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ref/ref_int.h"

#define CONV_MAX 4096 /* codes one conversion may reach through all steps */

static const uint32_t pow10_[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};

/* ---- parse / format ---------------------------------------------------- */

int ckp_hs_parse(const char *s, size_t n, uint32_t *code, int *level)
{
    size_t i, digits;
    uint32_t v = 0;

    if (!s)
        return -1;
    ckp_field t = ckp_field_trim((ckp_field){s, n});
    s = t.ptr;
    n = t.len;
    /* "811292.0": an integer code written as a float; the fraction must be 0. */
    digits = n;
    for (i = 0; i < n; i++) {
        if (s[i] == '.') {
            digits = i;
            if (i + 1 == n)
                return -1;
            for (size_t j = i + 1; j < n; j++)
                if (s[j] != '0')
                    return -1;
            break;
        }
    }
    if (digits == 0 || digits > 6)
        return -1;
    for (i = 0; i < digits; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *code = v;
    *level = (int)((digits + 1) / 2 * 2);
    return 0;
}

/* Digits of "8112.92", "2825 80 00", "8542.31.0000" into out (room for 10):
 * a 4-digit heading, then groups of 2 or 4 digits after single dots or
 * spaces.  Returns the number of digits, or 0 when s is not written so. */
static size_t grouped_digits(const char *s, size_t n, char *out)
{
    size_t i = 0, k = 0, group = 0;
    int groups = 0;

    for (;;) {
        group = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (k == 10)
                return 0;
            out[k++] = s[i++];
            group++;
        }
        if (groups == 0 ? group != 4 : group != 2 && group != 4)
            return 0;
        groups++;
        if (i == n)
            break;
        if (s[i] != '.' && s[i] != ' ')
            return 0;
        i++;
    }
    return groups > 1 ? k : 0;
}

int ckp_hs_fold(const char *s, size_t n, uint32_t *code, int *level, int *folded)
{
    char digits[12];
    size_t k, i;

    *folded = 0;
    if (!s)
        return -1;
    ckp_field t = ckp_field_trim((ckp_field){s, n});
    s = t.ptr;
    n = t.len;
    k = grouped_digits(s, n, digits);
    if (k == 0) {
        if (ckp_hs_parse(s, n, code, level) == 0)
            return 0;
        /* a national code written as digits only: 8 or 10 (7 or 9 digits
         * are not read as a lost leading zero: a typo is as likely) */
        if (n != 8 && n != 10)
            return -1;
        for (i = 0; i < n; i++)
            if (s[i] < '0' || s[i] > '9')
                return -1;
        k = n;
        memcpy(digits, s, n);
    } else if (k != 6 && k != 8 && k != 10) {
        return -1;
    }
    *code = 0;
    for (i = 0; i < 6; i++)
        *code = *code * 10 + (uint32_t)(digits[i] - '0');
    *level = 6;
    *folded = k > 6;
    return 0;
}

char *ckp_hs_format(uint32_t code, int level, char *buf)
{
    if (level != 2 && level != 4)
        level = 6;
    code %= pow10_[level];
    for (int i = level - 1; i >= 0; i--) {
        buf[i] = (char)('0' + code % 10);
        code /= 10;
    }
    buf[level] = '\0';
    return buf;
}

/* ---- product keys (ref.h) --------------------------------------------- */

uint32_t ckp_hs_key(uint32_t code, int level)
{
    switch (level) {
    case 0: return CKP_HS_KEY_TOTAL;
    case 2: return code <= 99 ? CKP_HS_KEY_HS2 + code : CKP_HS_KEY_MAX + 1;
    case 4: return code <= 9999 ? CKP_HS_KEY_HS4 + code : CKP_HS_KEY_MAX + 1;
    case 6: return code <= 999999 ? code : CKP_HS_KEY_MAX + 1;
    default: return CKP_HS_KEY_MAX + 1;
    }
}

int ckp_hs_key_level(uint32_t key)
{
    if (key < CKP_HS_KEY_HS4)
        return 6;
    if (key < CKP_HS_KEY_HS2)
        return 4;
    if (key < CKP_HS_KEY_HS2 + 100)
        return 2;
    return key == CKP_HS_KEY_TOTAL ? 0 : -1;
}

uint32_t ckp_hs_key_code(uint32_t key)
{
    switch (ckp_hs_key_level(key)) {
    case 6: return key;
    case 4: return key - CKP_HS_KEY_HS4;
    case 2: return key - CKP_HS_KEY_HS2;
    default: return 0;
    }
}

uint32_t ckp_hs_key_parent(uint32_t key)
{
    switch (ckp_hs_key_level(key)) {
    case 6: return CKP_HS_KEY_HS4 + key / 100;
    case 4: return CKP_HS_KEY_HS2 + (key - CKP_HS_KEY_HS4) / 100;
    default: return CKP_HS_KEY_TOTAL;
    }
}

int ckp_hs_key_under(uint32_t key, uint32_t anc)
{
    int la = ckp_hs_key_level(anc), lk = ckp_hs_key_level(key);
    if (la < 0 || lk < 0 || lk < la)
        return 0;
    while (lk > la) {
        key = ckp_hs_key_parent(key);
        lk = ckp_hs_key_level(key);
    }
    return key == anc;
}

char *ckp_hs_key_format(uint32_t key, char *buf)
{
    int level = ckp_hs_key_level(key);
    if (level <= 0) {
        strcpy(buf, level == 0 ? "TOTAL" : "?");
        return buf;
    }
    return ckp_hs_format(ckp_hs_key_code(key), level, buf);
}

const char *ckp_hs_level_name(int level)
{
    switch (level) {
    case 0: return "TOTAL";
    case 2: return "HS2";
    case 4: return "HS4";
    case 6: return "HS6";
    default: return "?";
    }
}

/* ---- nomenclature ------------------------------------------------------ */

const ref_hs_table *ckp__ref_hs_table(const ckp_ref *ref, ckp_hs_edition ed)
{
    if (!ref)
        return NULL;
    if (ed == CKP_HS2017)
        return ref->hs[0].entries ? &ref->hs[0] : NULL;
    if (ed == CKP_HS2022)
        return ref->hs[1].entries ? &ref->hs[1] : NULL;
    return NULL;
}

static uint32_t entry_key(const ckp_hs_entry *e) { return (uint32_t)e->level * 1000000u + e->code; }

static const char *section_intern(ckp_ref *ref, ckp_field f)
{
    static const char *const roman[] = {"I",    "II",   "III", "IV",  "V",    "VI",  "VII",
                                        "VIII", "IX",   "X",   "XI",  "XII",  "XIII", "XIV",
                                        "XV",   "XVI",  "XVII", "XVIII", "XIX", "XX", "XXI"};
    f = ckp_field_trim(f);
    for (size_t i = 0; i < sizeof roman / sizeof *roman; i++)
        if (ckp_field_eq(f, roman[i]))
            return roman[i];
    return f.len ? ckp__ref_strndup(ref, f.ptr, f.len) : "";
}

static int blank_record(const ckp_csv *csv)
{
    for (size_t i = 0; i < ckp_csv_nfields(csv); i++)
        if (ckp_field_trim(ckp_csv_field(csv, i)).len)
            return 0;
    return 1;
}

/* hscode,description,parent,level,section: one edition's codes in file
 * (hierarchical) order. */
static const char *const edition_cols[] = {"section", "hscode", "description", "parent",
                                           "level", NULL};

typedef struct edition_load {
    ckp_ref *ref;
    ref_hs_table *t;
} edition_load;

static ckp_status edition_row(void *ctx, const ckp_table *tb, ckp_error *err)
{
    ckp_ref *ref = ((edition_load *)ctx)->ref;
    ref_hs_table *t = ((edition_load *)ctx)->t;
    ckp_field code = ckp_table_field(tb, 1), parent;
    uint32_t v, pv = 0;
    int lv, plv;

    if (ckp_field_eq(code, "TOTAL"))
        return CKP_OK; /* the file's root row ("all products"), not a code */
    if (code.len == 0 && blank_record(tb->csv))
        return CKP_OK; /* the HS2017 file ends with a ",,,," line */
    if (ckp_hs_parse(code.ptr, code.len, &v, &lv) != 0 || (size_t)lv != code.len)
        return ckp_table_error(tb, err, CKP_EPARSE,
                               "hscode \"%.*s\" is not a 2, 4 or 6-digit code", (int)code.len,
                               code.ptr ? code.ptr : "");
    parent = ckp_table_field(tb, 3);
    if (!ckp_field_eq(parent, "TOTAL") &&
        (ckp_hs_parse(parent.ptr, parent.len, &pv, &plv) != 0 || plv != lv - 2))
        return ckp_table_error(tb, err, CKP_EPARSE,
                               "parent \"%.*s\" of %.*s is not its heading/chapter",
                               (int)parent.len, parent.ptr ? parent.ptr : "", (int)code.len,
                               code.ptr);
    if (t->n >= REF_MAX_HS)
        return ckp_table_error(tb, err, CKP_ELIMIT, "more than %d HS codes", REF_MAX_HS);
    ckp_hs_entry *e = &t->entries[t->n++];
    e->code = v;
    e->level = lv;
    e->parent = pv;
    ckp_field desc = ckp_table_field(tb, 2);
    e->description = ckp__ref_strndup(ref, desc.ptr ? desc.ptr : "", desc.len);
    e->section = section_intern(ref, ckp_table_field(tb, 0));
    if (!e->description || !e->section)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    return CKP_OK;
}

/* t->index: entries sorted by (level, code); a code listed twice in the
 * file rel is an error. */
static ckp_status index_edition(ckp_ref *ref, ref_hs_table *t, const char *rel,
                                ckp_error *err)
{
    ckp_status st = CKP_OK;
    uint64_t *keys = malloc(sizeof *keys * (t->n ? t->n : 1));
    t->index = ckp__ref_alloc(ref, sizeof(uint32_t) * (t->n ? t->n : 1));
    if (!keys || !t->index) {
        free(keys);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < t->n; i++)
        keys[i] = (uint64_t)entry_key(&t->entries[i]) << 32 | i;
    ckp__ref_sort_u64(keys, t->n, 56); /* key < 2^23, position < 2^32 */
    for (size_t i = 0; i < t->n && st == CKP_OK; i++) {
        t->index[i] = (uint32_t)keys[i];
        if (i && keys[i] >> 32 == keys[i - 1] >> 32) {
            char b[8], path[sizeof ref->datadir + 256];
            const ckp_hs_entry *e = &t->entries[t->index[i]];
            if (ckp__ref_path(ref, rel, path, sizeof path, NULL) != CKP_OK)
                snprintf(path, sizeof path, "%s", rel);
            st = ckp_error_set(err, CKP_EPARSE, path, 0, 0, "HS code %s listed twice",
                               ckp_hs_format(e->code, e->level, b));
        }
    }
    free(keys);
    return st;
}

static ckp_status load_edition(ckp_ref *ref, ref_hs_table *t, ckp_hs_edition ed,
                               const char *rel, ckp_error *err)
{
    t->ed = ed;
    t->entries = ckp__ref_alloc_raw(ref, sizeof(ckp_hs_entry) * REF_MAX_HS);
    if (!t->entries)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    edition_load el = {ref, t};
    ckp_status st = ckp__ref_table(ref, rel, edition_cols, edition_row, &el, err);
    return st != CKP_OK ? st : index_edition(ref, t, rel, err);
}

/* section,name: the names of the HS sections (roman numerals). */
static const char *const section_cols[] = {"section", "name", NULL};

static ckp_status section_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp_ref *ref = ctx;
    if (ref->nsections >= 64)
        return ckp_table_error(t, err, CKP_ELIMIT, "more than 64 sections");
    ckp_field sec = ckp_table_field(t, 0), name = ckp_table_field(t, 1);
    ref->sections[2 * ref->nsections] = ckp__ref_strndup(ref, sec.ptr, sec.len);
    ref->sections[2 * ref->nsections + 1] = ckp__ref_strndup(ref, name.ptr, name.len);
    ref->nsections++;
    return CKP_OK;
}

static ckp_status load_sections(ckp_ref *ref, ckp_error *err)
{
    ref->sections = ckp__ref_alloc(ref, sizeof(char *) * 2 * 64);
    if (!ref->sections)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    return ckp__ref_table(ref, "ref/hs/sections.csv", section_cols, section_row, ref, err);
}

const char *ckp_ref_hs_section_name(const ckp_ref *ref, const char *section)
{
    if (!ref || !section)
        return NULL;
    for (int i = 0; i < ref->nsections; i++)
        if (strcmp(ref->sections[2 * i], section) == 0)
            return ref->sections[2 * i + 1];
    return NULL;
}

const ckp_hs_entry *ckp_ref_hs(const ckp_ref *ref, ckp_hs_edition ed, uint32_t code, int level)
{
    const ref_hs_table *t = ckp__ref_hs_table(ref, ed);
    uint32_t key;
    size_t lo = 0, hi;

    if (!t || (level != 2 && level != 4 && level != 6) || code >= pow10_[level])
        return NULL;
    key = (uint32_t)level * 1000000u + code;
    hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t k = entry_key(&t->entries[t->index[mid]]);
        if (k == key)
            return &t->entries[t->index[mid]];
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- concordance ------------------------------------------------------- */

/* Fill s->by_older from s->by_newer (which must have room for s->n pairs)
 * and sort both by (a, b). */
static ckp_status sort_step(ref_step *s, ckp_error *err)
{
    uint64_t *k = malloc(sizeof *k * (s->n ? s->n : 1));
    if (!k)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    /* codes < 2^20: sort (a, b) as one 40-bit key */
    for (size_t j = 0; j < s->n; j++)
        k[j] = (uint64_t)s->by_newer[j].b << 20 | s->by_newer[j].a;
    ckp__ref_sort_u64(k, s->n, 40);
    for (size_t j = 0; j < s->n; j++) {
        s->by_older[j].a = (uint32_t)(k[j] >> 20);
        s->by_older[j].b = (uint32_t)(k[j] & 0xFFFFF);
    }
    for (size_t j = 0; j < s->n; j++)
        k[j] = (uint64_t)s->by_newer[j].a << 20 | s->by_newer[j].b;
    ckp__ref_sort_u64(k, s->n, 40);
    for (size_t j = 0; j < s->n; j++) {
        s->by_newer[j].a = (uint32_t)(k[j] >> 20);
        s->by_newer[j].b = (uint32_t)(k[j] & 0xFFFFF);
    }
    free(k);
    return CKP_OK;
}

/* Rows of two 6-digit codes (newer, older) appended to a step: the
 * concordance's (the step chosen by its adjustment column) or the
 * conversion table's (one step). */
typedef struct pair_load {
    ckp_ref *ref;
    ref_step *step;   /* NULL: chosen by column 2, the adjustment */
    size_t max;       /* rows one step may hold */
    const char *what; /* "concordance rows" */
} pair_load;

static ckp_status pair_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    pair_load *pl = ctx;
    ref_step *s = pl->step;
    if (!s) {
        ckp_field adj = ckp_table_field(t, 2);
        if (ckp_field_eq(adj, "2022 to 2017"))
            s = &pl->ref->steps[0];
        else if (ckp_field_eq(adj, "2017 to 2012"))
            s = &pl->ref->steps[1];
        else
            return CKP_OK; /* other editions are not shipped (see its PROVENANCE) */
    }
    ckp_field after = ckp_table_field(t, 0), before = ckp_table_field(t, 1);
    uint32_t a, b;
    int la, lb;
    if (ckp_hs_parse(after.ptr, after.len, &a, &la) != 0 || la != 6 ||
        ckp_hs_parse(before.ptr, before.len, &b, &lb) != 0 || lb != 6)
        return ckp_table_error(t, err, CKP_EPARSE,
                               "expected two 6-digit HS codes, got \"%.*s\", \"%.*s\"",
                               (int)after.len, after.ptr ? after.ptr : "", (int)before.len,
                               before.ptr ? before.ptr : "");
    if (s->n >= pl->max)
        return ckp_table_error(t, err, CKP_ELIMIT, "more than %zu %s", pl->max, pl->what);
    s->by_newer[s->n].a = a;
    s->by_newer[s->n].b = b;
    s->n++;
    return CKP_OK;
}

/* A step newer ← older with room for max pairs each way. */
static ckp_status step_init(ckp_ref *ref, ref_step *s, ckp_hs_edition newer,
                            ckp_hs_edition older, size_t max, ckp_error *err)
{
    s->newer = newer;
    s->older = older;
    s->by_newer = ckp__ref_alloc_raw(ref, sizeof(ref_pair) * max);
    s->by_older = ckp__ref_alloc_raw(ref, sizeof(ref_pair) * max);
    if (!s->by_newer || !s->by_older)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    return CKP_OK;
}

static ckp_status load_concordance(ckp_ref *ref, ckp_error *err)
{
    static const char *const cols[] = {"code.after", "code.before", "adjustment", NULL};
    ref->nsteps = 2;
    ckp_status st = step_init(ref, &ref->steps[0], CKP_HS2022, CKP_HS2017, REF_MAX_PAIRS, err);
    if (st == CKP_OK)
        st = step_init(ref, &ref->steps[1], CKP_HS2017, CKP_HS2012, REF_MAX_PAIRS, err);
    pair_load pl = {ref, NULL, REF_MAX_PAIRS, "concordance rows"};
    if (st == CKP_OK)
        st = ckp__ref_table(ref, "ref/hs/concordance/hs_concordance_2022_2017_2012.csv", cols,
                            pair_row, &pl, err);
    for (int i = 0; i < 2 && st == CKP_OK; i++)
        st = sort_step(&ref->steps[i], err);
    return st;
}

/* hs2022,hs2017: the conversion table (one HS2017 code per HS2022 code). */
static ckp_status load_conversion(ckp_ref *ref, ckp_error *err)
{
    static const char *const cols[] = {"hs2022", "hs2017", NULL};
    ckp_status st = step_init(ref, &ref->conv, CKP_HS2022, CKP_HS2017, REF_MAX_HS, err);
    pair_load pl = {ref, &ref->conv, REF_MAX_HS, "conversion rows"};
    if (st == CKP_OK)
        st = ckp__ref_table(ref, "ref/hs/concordance/hs2022_to_hs2017_conversion.csv", cols,
                            pair_row, &pl, err);
    return st == CKP_OK ? sort_step(&ref->conv, err) : st;
}

static ckp_status load_hs2017(ckp_ref *ref, ckp_error *err)
{
    return load_edition(ref, &ref->hs[0], CKP_HS2017, "ref/hs/harmonized-system-hs2017.csv",
                        err);
}

static ckp_status load_hs2022(ckp_ref *ref, ckp_error *err)
{
    return load_edition(ref, &ref->hs[1], CKP_HS2022, "ref/hs/harmonized-system-hs2022.csv",
                        err);
}

ckp_status ckp__ref_load_hs(ckp_ref *ref, ckp_error *err)
{
    return CKP__REF_STEPS(ref, err, load_hs2017, load_hs2022, load_sections, load_concordance,
                          load_conversion);
}

static int edition_rank(ckp_hs_edition ed)
{
    switch (ed) {
    case CKP_HS2022: return 0;
    case CKP_HS2017: return 1;
    case CKP_HS2012: return 2;
    default: return -1;
    }
}

static size_t lower_bound(const ref_pair *p, size_t n, uint32_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p[mid].a < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Sort and deduplicate; returns the new count. */
static size_t uniq(uint32_t *v, size_t n)
{
    size_t k = 0;
    qsort(v, n, sizeof *v, cmp_u32);
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    return k;
}

int ckp_ref_hs_convert(const ckp_ref *ref, uint32_t code6, ckp_hs_edition from,
                       ckp_hs_edition to, uint32_t *out, int max)
{
    uint32_t cur[CONV_MAX], next[CONV_MAX];
    size_t ncur = 1;
    int rf = edition_rank(from), rt = edition_rank(to);

    if (!ref || rf < 0 || rt < 0 || code6 > 999999)
        return 0;
    cur[0] = code6;
    /* Step by step towards `to`: older = higher rank. */
    while (rf != rt && ncur > 0) {
        int older = rt > rf;
        const ref_step *s = &ref->steps[older ? rf : rf - 1];
        const ref_pair *p = older ? s->by_newer : s->by_older;
        size_t nnext = 0;
        for (size_t i = 0; i < ncur; i++) {
            for (size_t j = lower_bound(p, s->n, cur[i]); j < s->n && p[j].a == cur[i]; j++)
                if (nnext < CONV_MAX)
                    next[nnext++] = p[j].b;
        }
        ncur = uniq(next, nnext);
        memcpy(cur, next, ncur * sizeof *cur);
        rf += older ? 1 : -1;
    }
    for (size_t i = 0; i < ncur && (int)i < max; i++)
        out[i] = cur[i];
    return (int)ncur;
}

/* ---- search ------------------------------------------------------------ */

/* 1 when word starts a word of lower (both lowercase). */
static int has_word(const char *lower, const char *word)
{
    const char *p = lower;
    while ((p = strstr(p, word)) != NULL) {
        if (p == lower || !isalnum((unsigned char)p[-1]))
            return 1;
        p++;
    }
    return 0;
}

/* The lowercase descriptions of t, built once (the ref is otherwise
 * read-only and may be shared by threads, hence the lock). */
static const char **lower_descriptions(const ckp_ref *cref, const ref_hs_table *ct)
{
    ckp_ref *ref = (ckp_ref *)cref;
    ref_hs_table *t = (ref_hs_table *)ct;
    const char **lower;

    pthread_mutex_lock(&ref->lazy_lock);
    lower = t->lower;
    if (!lower) {
        lower = ckp__ref_alloc_raw(ref, sizeof(char *) * (t->n ? t->n : 1));
        for (size_t i = 0; lower && i < t->n; i++) {
            const char *d = t->entries[i].description;
            size_t n = strlen(d);
            char *l = ckp__ref_alloc_raw(ref, n + 1);
            if (!l) {
                lower = NULL;
                break;
            }
            for (size_t k = 0; k <= n; k++)
                l[k] = (char)tolower((unsigned char)d[k]);
            lower[i] = l;
        }
        t->lower = lower;
    }
    pthread_mutex_unlock(&ref->lazy_lock);
    return lower;
}

#define SEARCH_WORDS 16

int ckp_ref_hs_search(const ckp_ref *ref, ckp_hs_edition ed, const char *query,
                      ckp_hs_visit fn, void *ctx)
{
    const ref_hs_table *t = ckp__ref_hs_table(ref, ed);
    char words[SEARCH_WORDS][64];
    int nwords = 0, hits = 0, prefix_level = 0;
    uint32_t prefix = 0;
    char compact[16];
    size_t qlen, k = 0;
    const char **lower = NULL;

    if (!t || !query || !fn)
        return 0;
    qlen = strlen(query);
    /* A code prefix: "8110", "10121" (lost zero), "8110.10", "2805 30". */
    if (ckp_hs_parse(query, qlen, &prefix, &prefix_level) != 0) {
        prefix_level = 0;
        for (size_t i = 0; i < qlen && k < sizeof compact - 1; i++) {
            if (isdigit((unsigned char)query[i]))
                compact[k++] = query[i];
            else if (query[i] != '.' && query[i] != ' ')
                k = sizeof compact; /* not a code */
        }
        if (k > 0 && k < sizeof compact && ckp_hs_parse(compact, k, &prefix, &prefix_level) != 0)
            prefix_level = 0;
    }
    if (!prefix_level) {
        const char *p = query;
        while (*p) {
            size_t n = 0;
            while (*p && !isalnum((unsigned char)*p))
                p++;
            while (p[n] && isalnum((unsigned char)p[n]))
                n++;
            if (!n)
                break;
            if (nwords < SEARCH_WORDS) {
                if (n >= sizeof words[0])
                    n = sizeof words[0] - 1;
                for (size_t i = 0; i < n; i++)
                    words[nwords][i] = (char)tolower((unsigned char)p[i]);
                words[nwords++][n] = '\0';
            }
            p += n;
            while (isalnum((unsigned char)*p))
                p++;
        }
        if (!nwords)
            return 0;
        lower = lower_descriptions(ref, t);
        if (!lower)
            return 0;
    }
    for (size_t i = 0; i < t->n; i++) {
        const ckp_hs_entry *e = &t->entries[i];
        int ok;
        if (prefix_level) {
            ok = e->level >= prefix_level &&
                 e->code / pow10_[e->level - prefix_level] == prefix;
        } else {
            ok = 1;
            for (int w = 0; w < nwords && ok; w++)
                ok = has_word(lower[i], words[w]);
        }
        if (!ok)
            continue;
        hits++;
        if (fn(e, ed, ctx))
            break;
    }
    return hits;
}

int ckp_ref_hs_convert_best(const ckp_ref *ref, uint32_t code6, ckp_hs_edition from,
                            ckp_hs_edition to, uint32_t *out, int max)
{
    const ref_pair *p;
    size_t j;
    int n = 0;

    if (!ref || !ref->conv.n)
        return 0;
    if (from == CKP_HS2022 && to == CKP_HS2017)
        p = ref->conv.by_newer;
    else if (from == CKP_HS2017 && to == CKP_HS2022)
        p = ref->conv.by_older;
    else if (from == to && (from == CKP_HS2022 || from == CKP_HS2017)) {
        if (max > 0)
            out[0] = code6;
        return 1;
    } else
        return 0;
    for (j = lower_bound(p, ref->conv.n, code6); j < ref->conv.n && p[j].a == code6; j++) {
        if (n < max)
            out[n] = p[j].b;
        n++;
    }
    return n;
}

/* groups.c — named product groups and sets of HS6 codes.
 *
 * Groups come from data/groups.csv (hand-written: antimony, gallium…), from
 * the control lists under data/controls (chpl, chpl-tier1…4, one group per
 * measure id in measures.csv, eu-russia), and from user files
 * (ckp_ref_load_groups, $CHOKEPOINT_GROUPS).  An HS set is a bitmap over the
 * million 6-digit codes; ckp_hsset_parse turns a verb's HS argument into one. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/vec.h"
#include "ref/ref_int.h"

#define HS_SPACE 1000000u
#define HS_WORDS (HS_SPACE / 64 + 1)
#define CONV_OUT 256 /* counterparts kept per code (the most seen is ~20) */

/* ---- HS sets ----------------------------------------------------------- */

/* bits: every code of the set and all its counterparts in the other
 * shipped edition (ckp_hsset_has: measures and screening match widely).
 * The per-edition sets (ed[], filled by ckp_hsset_parse, `exact`) say which
 * stored rows an analysis adds up, concorded to HS2022: see
 * ckp_hsset_has_ed.  asked[]: the aggregate keys (heading, chapter, TOTAL)
 * asked for, whose reported rows may answer (ckp_hsset_has_key). */
#define ED_N 3 /* 0 HS2022, 1 HS2017, 2 HS2012 */
#define AMBIG_MAX 32
#define AGG_KEYS (CKP_HS_KEY_MAX + 1 - CKP_HS_KEY_HS4) /* heading, chapter, TOTAL keys */

struct ckp_hsset {
    uint64_t bits[HS_WORDS];
    uint64_t ed[ED_N][HS_WORDS]; /* written codes first, then concorded */
    int exact;                   /* ed[] is complete (ckp_hsset_parse) */
    int nambig;                  /* codes left out as ambiguous */
    uint32_t ambig[AMBIG_MAX];   /* the first of them */
    int ambig_ed[AMBIG_MAX];     /* and their editions */
    uint64_t asked[AGG_KEYS / 64 + 1]; /* aggregate keys asked for (bit key - CKP_HS_KEY_HS4):
                                          their reported rows may answer */
    int nasked;
    char label[192]; /* ckp_hsset_label() */
};

static int ed_index(int edition)
{
    return edition == 2022 ? 0 : edition == 2017 ? 1 : edition == 2012 ? 2 : -1;
}

static void bit_set(uint64_t *b, uint32_t c)
{
    if (c < HS_SPACE)
        b[c >> 6] |= (uint64_t)1 << (c & 63);
}

static int bit_has(const uint64_t *b, uint32_t c)
{
    return c < HS_SPACE && (b[c >> 6] >> (c & 63)) & 1;
}

ckp_hsset *ckp_hsset_new(void) { return calloc(1, sizeof(ckp_hsset)); }

void ckp_hsset_free(ckp_hsset *set) { free(set); }

void ckp_hsset_add(ckp_hsset *set, uint32_t code6)
{
    if (set && code6 < HS_SPACE)
        set->bits[code6 >> 6] |= (uint64_t)1 << (code6 & 63);
}

static void ask(ckp_hsset *set, uint32_t key)
{
    uint32_t i = key - CKP_HS_KEY_HS4;
    if (key < CKP_HS_KEY_HS4 || key > CKP_HS_KEY_MAX || (set->asked[i >> 6] >> (i & 63)) & 1)
        return;
    set->asked[i >> 6] |= (uint64_t)1 << (i & 63);
    set->nasked++;
}

static int asked(const ckp_hsset *set, uint32_t key)
{
    uint32_t i = key - CKP_HS_KEY_HS4;
    return key >= CKP_HS_KEY_HS4 && key <= CKP_HS_KEY_MAX && (set->asked[i >> 6] >> (i & 63)) & 1;
}

void ckp_hsset_add_prefix(ckp_hsset *set, uint32_t prefix, int level)
{
    uint32_t span, lo;
    if (!set)
        return;
    if (level == 6) {
        ckp_hsset_add(set, prefix);
        return;
    }
    if (level == 0) { /* TOTAL: every code */
        memset(set->bits, 0xff, sizeof set->bits);
        set->bits[HS_WORDS - 1] = ((uint64_t)1 << (HS_SPACE & 63)) - 1;
        for (int e = 0; e < ED_N; e++) /* every code of every edition */
            memcpy(set->ed[e], set->bits, sizeof set->bits);
        ask(set, CKP_HS_KEY_TOTAL);
        return;
    }
    span = level == 2 ? 10000u : level == 4 ? 100u : 0u;
    if (!span || (uint64_t)prefix * span >= HS_SPACE)
        return;
    lo = prefix * span;
    for (uint32_t c = lo; c < lo + span; c++) {
        ckp_hsset_add(set, c);
        for (int e = 0; e < ED_N; e++) /* a chapter or heading in every edition */
            bit_set(set->ed[e], c);
    }
    ask(set, ckp_hs_key(prefix, level));
}

int ckp_hsset_has_key(const ckp_hsset *set, uint32_t key)
{
    if (!set)
        return 0;
    if (key < HS_SPACE)
        return ckp_hsset_has(set, key);
    if (ckp_hs_key_level(key) < 0 || !set->nasked)
        return 0;
    for (;;) {
        if (asked(set, key))
            return 1;
        if (key == CKP_HS_KEY_TOTAL)
            return 0;
        key = ckp_hs_key_parent(key);
    }
}

int ckp_hsset_asked(const ckp_hsset *set, uint32_t key)
{
    return set && asked(set, key);
}

int ckp_hsset_asks_levels(const ckp_hsset *set) { return set && set->nasked > 0; }

int ckp_hsset_has(const ckp_hsset *set, uint32_t code6)
{
    return set && code6 < HS_SPACE && (set->bits[code6 >> 6] >> (code6 & 63)) & 1;
}

size_t ckp_hsset_count(const ckp_hsset *set)
{
    size_t n = 0;
    if (!set)
        return 0;
    for (size_t i = 0; i < HS_WORDS; i++)
        n += (size_t)__builtin_popcountll(set->bits[i]);
    return n;
}

int ckp_hsset_next(const ckp_hsset *set, uint32_t *cursor, uint32_t *code6)
{
    uint32_t c;
    if (!set)
        return 0;
    c = *cursor;
    while (c < HS_SPACE) {
        uint64_t w = set->bits[c >> 6] >> (c & 63);
        if (w) {
            c += (uint32_t)__builtin_ctzll(w);
            if (c >= HS_SPACE)
                break;
            *code6 = c;
            *cursor = c + 1;
            return 1;
        }
        c = (c | 63) + 1;
    }
    *cursor = HS_SPACE;
    return 0;
}

const char *ckp_hsset_label(const ckp_hsset *set) { return set ? set->label : ""; }

/* ---- groups ------------------------------------------------------------ */

int ckp_ref_group_count(const ckp_ref *ref) { return ref ? ref->ngroups : 0; }

const ckp_group *ckp_ref_group(const ckp_ref *ref, int i)
{
    if (!ref || i < 0 || i >= ref->ngroups)
        return NULL;
    return &ref->groups[i].pub;
}

static const ref_group *group_find(const ckp_ref *ref, const char *name, size_t n)
{
    for (int i = 0; ref && i < ref->ngroups; i++) {
        const char *g = ref->groups[i].pub.name;
        if (strlen(g) == n && strncasecmp(g, name, n) == 0)
            return &ref->groups[i];
    }
    return NULL;
}

const ckp_group *ckp_ref_group_find(const ckp_ref *ref, const char *name)
{
    const ref_group *g;
    if (!name)
        return NULL;
    while (*name == ' ')
        name++;
    size_t n = strlen(name);
    while (n && name[n - 1] == ' ')
        n--;
    g = group_find(ref, name, n);
    return g ? &g->pub : NULL;
}

/* Parse one item of a code list: a code (2/4/6 digits, or as ckp_hs_fold
 * reads it: "8112.92", a national "38011000") or a range of codes of
 * one level ("8456-8463").  Appends to codes/levels (cap entries); returns
 * the number appended or -1 when the item is not a code or range. */
static int parse_code_item(const char *s, size_t n, uint32_t *codes, uint8_t *levels, int cap)
{
    const char *dash = memchr(s, '-', n);
    uint32_t a, b;
    int la, lb, k = 0;

    if (!dash) {
        int folded;
        if (ckp_hs_fold(s, n, &a, &la, &folded) != 0 || cap < 1)
            return -1;
        codes[0] = a;
        levels[0] = (uint8_t)la;
        return 1;
    }
    if (ckp_hs_parse(s, (size_t)(dash - s), &a, &la) != 0 ||
        ckp_hs_parse(dash + 1, n - (size_t)(dash - s) - 1, &b, &lb) != 0 || la != lb || b < a ||
        b - a >= (uint32_t)cap)
        return -1;
    for (uint32_t c = a; c <= b; c++) {
        codes[k] = c;
        levels[k++] = (uint8_t)la;
    }
    return k;
}

/* Add (or replace) a group.  codes is the list as written; where names the
 * file and line for errors. */
static ckp_status group_add(ckp_ref *ref, const char *name, size_t nname, const char *codes,
                            size_t ncodes, const char *desc, size_t ndesc, const char *source,
                            int edition, const char *file, long line, ckp_error *err)
{
    ref_group g, *slot;
    uint32_t *buf;
    uint8_t *lv;
    size_t at = 0;
    int n = 0;

    memset(&g, 0, sizeof g);
    while (nname && name[0] == ' ') {
        name++;
        nname--;
    }
    while (nname && name[nname - 1] == ' ')
        nname--;
    if (!nname || memchr(name, ',', nname))
        return ckp_error_set(err, CKP_EPARSE, file, line, 0,
                             "group name \"%.*s\" is empty or contains a comma", (int)nname,
                             name);
    if (nname <= 6) {
        int digits = 1;
        for (size_t i = 0; i < nname; i++)
            digits &= isdigit((unsigned char)name[i]) != 0;
        if (digits)
            return ckp_error_set(err, CKP_EPARSE, file, line, 0,
                                 "group name \"%.*s\" looks like an HS code", (int)nname, name);
    }
    buf = malloc(sizeof *buf * REF_MAX_GROUP_CODES);
    lv = malloc(REF_MAX_GROUP_CODES);
    if (!buf || !lv) {
        free(buf);
        free(lv);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    while (at < ncodes) {
        size_t len = 0;
        int k;
        while (at < ncodes && (codes[at] == ';' || codes[at] == ' ' || codes[at] == ','))
            at++;
        while (at + len < ncodes && codes[at + len] != ';' && codes[at + len] != ',' &&
               codes[at + len] != ' ')
            len++;
        if (!len)
            break;
        k = parse_code_item(codes + at, len, buf + n, lv + n, REF_MAX_GROUP_CODES - n);
        if (k < 0) {
            ckp_status st = ckp_error_set(
                err, CKP_EPARSE, file, line, 0,
                "group \"%.*s\": \"%.*s\" is not an HS code (2, 4 or 6 digits) or range",
                (int)nname, name, (int)(len > 40 ? 40 : len), codes + at);
            free(buf);
            free(lv);
            return st;
        }
        n += k;
        at += len;
    }
    if (n == 0) {
        free(buf);
        free(lv);
        return ckp_error_set(err, CKP_EPARSE, file, line, 0, "group \"%.*s\" has no codes",
                             (int)nname, name);
    }
    g.pub.name = ckp__ref_strndup(ref, name, nname);
    g.pub.codes = ckp__ref_strndup(ref, codes, ncodes);
    g.pub.description = ckp__ref_strndup(ref, desc ? desc : "", desc ? ndesc : 0);
    g.pub.source = ckp__ref_strndup(ref, source, strlen(source));
    g.pub.edition = edition;
    g.codes = ckp__ref_alloc(ref, sizeof(uint32_t) * (size_t)n);
    g.levels = ckp__ref_alloc(ref, (size_t)n);
    if (!g.pub.name || !g.pub.codes || !g.pub.description || !g.pub.source || !g.codes ||
        !g.levels) {
        free(buf);
        free(lv);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    memcpy(g.codes, buf, sizeof(uint32_t) * (size_t)n);
    memcpy(g.levels, lv, (size_t)n);
    g.ncodes = n;
    free(buf);
    free(lv);

    slot = (ref_group *)group_find(ref, name, nname);
    if (!slot) {
        if (ref->ngroups >= REF_MAX_GROUPS)
            return ckp_error_set(err, CKP_ELIMIT, file, line, 0, "more than %d groups",
                                 REF_MAX_GROUPS);
        ckp_status st = CKP_ARRAY_RESERVE(ref->groups, ref->capgroups, (size_t)ref->ngroups + 1,
                                          REF_MAX_GROUPS, "groups", err);
        if (st != CKP_OK)
            return st;
        slot = &ref->groups[ref->ngroups++];
    }
    *slot = g;
    return CKP_OK;
}

/* name,codes[,description][,edition]: a groups file (the shipped one or a
 * user's); source says where its groups come from. */
typedef struct group_load {
    ckp_ref *ref;
    const char *source;
} group_load;

static ckp_status group_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    group_load *gl = ctx;
    ckp_field name = ckp_table_field(t, 0), codes = ckp_table_field(t, 1),
              desc = ckp_table_field(t, 2), ed = ckp_table_field(t, 3);
    int edition = 0;
    if (ckp_field_eq(ed, "2022"))
        edition = 2022;
    else if (ckp_field_eq(ed, "2017"))
        edition = 2017;
    else if (ed.len)
        return ckp_table_error(t, err, CKP_EPARSE, "edition \"%.*s\" is not 2017 or 2022",
                               (int)ed.len, ed.ptr);
    return group_add(gl->ref, name.ptr ? name.ptr : "", name.len, codes.ptr ? codes.ptr : "",
                     codes.len, desc.ptr, desc.len, gl->source, edition, ckp_csv_name(t->csv),
                     ckp_csv_line(t->csv), err);
}

static ckp_status load_group_csv(ckp_ref *ref, const char *path, const char *source,
                                 ckp_error *err)
{
    static const char *const cols[] = {"name", "codes", "?description", "?edition", NULL};
    group_load gl = {ref, source};
    ckp_table_spec spec = {.path = path, .cols = cols, .row = group_row, .ctx = &gl};
    return ckp_table_load(&spec, err);
}

ckp_status ckp_ref_load_groups(ckp_ref *ref, const char *path, ckp_error *err)
{
    if (!ref || !path)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "no groups file given");
    return load_group_csv(ref, path, path, err);
}

/* A growable ';'-joined code list with a limit. */
typedef struct codelist {
    char *buf;
    size_t len, cap;
} codelist;

static int codelist_add(codelist *l, ckp_field code)
{
    if (CKP_ARRAY_RESERVE(l->buf, l->cap, l->len + code.len + 2, (size_t)1 << 20, "bytes",
                          NULL) != CKP_OK)
        return -1;
    if (l->len)
        l->buf[l->len++] = ';';
    memcpy(l->buf + l->len, code.ptr, code.len);
    l->len += code.len;
    l->buf[l->len] = '\0';
    return 0;
}

/* A group of the codes a shipped list gathered (codes NULL = none). */
static ckp_status add_list_group(ckp_ref *ref, const char *name, const codelist *codes,
                                 const char *desc, size_t ndesc, const char *source,
                                 int edition, const char *rel, long line, ckp_error *err)
{
    char path[sizeof ref->datadir + 256];
    ckp_status st = ckp__ref_path(ref, rel, path, sizeof path, err);
    if (st != CKP_OK)
        return st;
    return group_add(ref, name, strlen(name), codes->buf ? codes->buf : "", codes->len, desc,
                     ndesc, source, edition, path, line, err);
}

/* chpl_hs6_tiers.csv: hs6,tier,subtier,hs2022_description → chpl, chpl-tierN. */
typedef struct chpl_load {
    codelist all, tier[4];
    long line; /* of the last row read */
} chpl_load;

static ckp_status chpl_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    chpl_load *cl = ctx;
    ckp_field hs = ckp_table_field(t, 0), tier = ckp_table_field(t, 1);
    int k = tier.len == 1 ? tier.ptr[0] - '1' : -1;
    cl->line = ckp_csv_line(t->csv);
    if (k < 0 || k > 3)
        return ckp_table_error(t, err, CKP_EPARSE, "tier \"%.*s\" is not 1-4", (int)tier.len,
                               tier.ptr ? tier.ptr : "");
    if (codelist_add(&cl->all, hs) || codelist_add(&cl->tier[k], hs))
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    return CKP_OK;
}

static ckp_status load_chpl(ckp_ref *ref, ckp_error *err)
{
    static const char *const rel = "controls/chpl/chpl_hs6_tiers.csv";
    static const char *const cols[] = {"hs6", "tier", NULL};
    static const char *const desc =
        "Common High Priority Items List (EU/US/UK/JP, version of 2024-02-23)";
    chpl_load cl = {0};
    ckp_status st = ckp__ref_table(ref, rel, cols, chpl_row, &cl, err);
    if (st == CKP_OK)
        st = add_list_group(ref, "chpl", &cl.all, desc, strlen(desc), "chpl", 2022, rel,
                            cl.line, err);
    for (int k = 0; k < 4 && st == CKP_OK; k++) {
        char name[32], d[128];
        int w = snprintf(d, sizeof d, "%s, tier %d", desc, k + 1);
        snprintf(name, sizeof name, "chpl-tier%d", k + 1);
        st = add_list_group(ref, name, &cl.tier[k], d,
                            w <= 0 ? 0 : (size_t)w < sizeof d ? (size_t)w : sizeof d - 1,
                            "chpl", 2022, rel, cl.line, err);
    }
    free(cl.all.buf);
    for (int k = 0; k < 4; k++)
        free(cl.tier[k].buf);
    return st;
}

/* measures.csv: one group per measure with HS codes (name = id, codes = hs6,
 * description = title).  Its codes are HS2022 (the hs_edition of every
 * shipped row). */
static ckp_status measure_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp_field id = ckp_table_field(t, 0), hs = ckp_table_field(t, 1),
              title = ckp_table_field(t, 2);
    if (hs.len == 0)
        return CKP_OK; /* a measure with no HS code stated: no group */
    return group_add(ctx, id.ptr ? id.ptr : "", id.len, hs.ptr, hs.len, title.ptr, title.len,
                     "measures.csv", 2022, ckp_csv_name(t->csv), ckp_csv_line(t->csv), err);
}

static ckp_status load_measures(ckp_ref *ref, ckp_error *err)
{
    static const char *const cols[] = {"id", "hs6", "title", NULL};
    return ckp__ref_table(ref, "controls/measures/measures.csv", cols, measure_row, ref, err);
}

/* EU_sanctions_HS6.csv: Code,…,EU_sanction (1 = sanctioned) → eu-russia,
 * in HS2017 (the list's nomenclature, see its PROVENANCE). */
static ckp_status eu_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    if (!ckp_field_eq(ckp_table_field(t, 1), "1"))
        return CKP_OK; /* not sanctioned: the file lists every HS6 code */
    if (codelist_add(ctx, ckp_table_field(t, 0)))
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    return CKP_OK;
}

static ckp_status load_eu_russia(ckp_ref *ref, ckp_error *err)
{
    static const char *const rel = "controls/eu-russia-hs6/EU_sanctions_HS6.csv";
    static const char *const cols[] = {"Code", "EU_sanction", NULL};
    static const char *const desc =
        "HS6 codes under the EU's sanctions on exports to Russia (Reg. 833/2014, "
        "2016-12-22 to 2023-02-25; HS2017)";
    codelist l = {0};
    ckp_status st = ckp__ref_table(ref, rel, cols, eu_row, &l, err);
    if (st == CKP_OK)
        st = add_list_group(ref, "eu-russia", &l, desc, strlen(desc), "eu-russia-hs6", 2017,
                            rel, 0, err);
    free(l.buf);
    return st;
}

static ckp_status load_shipped_groups(ckp_ref *ref, ckp_error *err)
{
    char path[sizeof ref->datadir + 256];
    ckp_status st = ckp__ref_path(ref, "groups.csv", path, sizeof path, err);
    return st != CKP_OK ? st : load_group_csv(ref, path, "builtin", err);
}

ckp_status ckp__ref_load_builtin_groups(ckp_ref *ref, ckp_error *err)
{
    return CKP__REF_STEPS(ref, err, load_shipped_groups, load_chpl, load_measures,
                          load_eu_russia);
}

/* ---- parsing an HS argument -------------------------------------------- */

void ckp_hsset_add_code(const ckp_ref *ref, ckp_hsset *set, uint32_t code6, int edition)
{
    uint32_t out[CONV_OUT];
    int n;
    ckp_hs_edition from, to;

    if (!set)
        return;
    ckp_hsset_add(set, code6);
    if (!ref)
        return;
    if (edition == 2017 || (edition != 2022 && !ckp_ref_hs(ref, CKP_HS2022, code6, 6) &&
                            ckp_ref_hs(ref, CKP_HS2017, code6, 6))) {
        from = CKP_HS2017;
        to = CKP_HS2022;
    } else {
        from = CKP_HS2022;
        to = CKP_HS2017;
    }
    bit_set(set->ed[ed_index((int)from)], code6); /* as written */
    n = ckp_ref_hs_convert(ref, code6, from, to, out, CONV_OUT);
    if (n > CKP_HS_FANOUT_MAX) /* an n:n "parts" group: too wide to use */
        n = ckp_ref_hs_convert_best(ref, code6, from, to, out, CONV_OUT);
    for (int i = 0; i < n && i < CONV_OUT; i++)
        ckp_hsset_add(set, out[i]);
}

/* ---- concording a set to HS2022 -----------------------------------------
 * A stored row is added up by an analysis when its code, in its own
 * edition, lies wholly inside the set.  Codes written in HS2022 (or
 * HS2017) are in; a code of another edition is in when every code it
 * correlates with in the written edition is in the set (UNSD correlation
 * tables, data/ref/hs/concordance): a 1:1 renumbering and an n:1 merge
 * join the series, a 1:n split joins it only when all its parts are asked.
 * A code that overlaps the set without lying inside it is left out, its
 * value never allocated between old and new codes; when it is one of the
 * codes asked (HS2017 811292 for --hs 811292) it is listed
 * (ckp_hsset_ambiguous) and every answer says so. */

/* The HS2022 codes an HS2017 code `old` went to, as its parts: of the
 * codes it correlates with (corr, k of them), those UNSD's conversion table
 * converts back to `old` — the others only took a sliver of it (HS2017
 * 854231's waste moved to the new heading 8549, whose codes convert to
 * other HS2017 codes); all of them when none converts back.  Returns how
 * many are left in corr. */
static int parts_of(const ckp_ref *ref, uint32_t old, uint32_t *corr, int k)
{
    int n = 0;
    for (int j = 0; j < k; j++) {
        uint32_t to17[4];
        int m = ckp_ref_hs_convert_best(ref, corr[j], CKP_HS2022, CKP_HS2017, to17, 4);
        if (m == 1 && to17[0] == old)
            corr[n++] = corr[j];
    }
    return n ? n : k;
}

/* Codes of edition `to` that overlap ed[from] (from its written codes):
 * each is added to ed[to] when all its counterparts in `from` are in
 * written[from], else noted as ambiguous. */
static void concord(const ckp_ref *ref, ckp_hsset *set, const uint64_t *written, int from,
                    int to, uint64_t *seen)
{
    static const ckp_hs_edition eds[ED_N] = {CKP_HS2022, CKP_HS2017, CKP_HS2012};
    uint32_t out[CONV_OUT], back[CONV_OUT];
    for (uint32_t w = 0; w < HS_WORDS; w++) {
        for (uint64_t m = written[w]; m; m &= m - 1) {
            uint32_t code = w * 64 + (uint32_t)__builtin_ctzll(m);
            int n = ckp_ref_hs_convert(ref, code, eds[from], eds[to], out, CONV_OUT);
            for (int i = 0; i < n && i < CONV_OUT; i++) {
                uint32_t c = out[i];
                if (bit_has(seen, c))
                    continue;
                bit_set(seen, c);
                int k = ckp_ref_hs_convert(ref, c, eds[to], eds[from], back, CONV_OUT);
                if (from == 0 && to == 1 && k <= CONV_OUT)
                    k = parts_of(ref, c, back, k);
                int inside = k > 0 && k <= CONV_OUT;
                for (int j = 0; inside && j < k; j++)
                    inside = bit_has(written, back[j]);
                if (inside) {
                    bit_set(set->ed[to], c);
                } else if (!bit_has(set->ed[to], c) &&
                           (bit_has(written, c) || (from == 1 && to == 0 && k <= 4))) {
                    /* said when the code asked is the one left out in the
                     * other edition (811292 of HS2017 for 811292) or, for
                     * codes written in HS2017, a merge of a few codes holds
                     * it (HS2022 580210 for 580211); a code of another
                     * number that only overlaps (HS2012 842211 or HS2017
                     * 382510, through e-waste, for 8542) is left out as
                     * not asked */
                    if (set->nambig < AMBIG_MAX) {
                        set->ambig[set->nambig] = c;
                        set->ambig_ed[set->nambig] = (int)eds[to];
                    }
                    set->nambig++;
                }
            }
        }
    }
}

/* After parsing: the per-edition sets from the written codes. */
static ckp_status concord_set(const ckp_ref *ref, ckp_hsset *set, ckp_error *err)
{
    uint64_t *w22 = malloc(sizeof(uint64_t) * HS_WORDS * 3);
    if (!w22)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    uint64_t *w17 = w22 + HS_WORDS, *seen = w17 + HS_WORDS;
    memcpy(w22, set->ed[0], sizeof(uint64_t) * HS_WORDS);
    memcpy(w17, set->ed[1], sizeof(uint64_t) * HS_WORDS);
    memset(seen, 0, sizeof(uint64_t) * HS_WORDS);
    concord(ref, set, w22, 0, 1, seen); /* HS2017 codes inside the HS2022 ones */
    memset(seen, 0, sizeof(uint64_t) * HS_WORDS);
    concord(ref, set, w17, 1, 0, seen); /* HS2022 codes inside written HS2017 ones */
    memcpy(w17, set->ed[1], sizeof(uint64_t) * HS_WORDS);
    memset(seen, 0, sizeof(uint64_t) * HS_WORDS);
    concord(ref, set, w17, 1, 2, seen); /* HS2012 codes inside the HS2017 set */
    free(w22);
    set->exact = 1;
    return CKP_OK;
}

int ckp_hsset_has_ed(const ckp_hsset *set, uint32_t code6, int edition)
{
    if (!set)
        return 0;
    int e = ed_index(edition);
    if (!set->exact || e < 0)
        return ckp_hsset_has(set, code6);
    return bit_has(set->ed[e], code6);
}

int ckp_hsset_ambiguous(const ckp_hsset *set, uint32_t *codes, int *editions, int max)
{
    if (!set)
        return 0;
    for (int i = 0; i < set->nambig && i < AMBIG_MAX && i < max; i++) {
        codes[i] = set->ambig[i];
        editions[i] = set->ambig_ed[i];
    }
    return set->nambig;
}

int ckp_hsset_ambiguity_note(const ckp_ref *ref, const ckp_hsset *set, int i, char *buf,
                             size_t n)
{
    if (!set || i < 0 || i >= set->nambig || i >= AMBIG_MAX || n == 0)
        return -1;
    /* an older code split into HS2022 codes; or, for a set written in
     * HS2017, an HS2022 code made of HS2017 codes not all asked */
    int newer = set->ambig_ed[i] == CKP_HS2022;
    uint32_t parts[CONV_OUT];
    int np = ckp_ref_hs_convert(ref, set->ambig[i], (ckp_hs_edition)set->ambig_ed[i],
                                newer ? CKP_HS2017 : CKP_HS2022, parts, CONV_OUT);
    char c6[8], list[16 * 7 + 8] = "";
    size_t k = 0;
    for (int j = 0; j < np && j < 16; j++) {
        int w = snprintf(list + k, sizeof list - k, "%s%s", j ? "," : "",
                         ckp_hs_format(parts[j], 6, c6));
        if (w > 0 && (size_t)w < sizeof list - k)
            k += (size_t)w;
    }
    int w = newer ? snprintf(buf, n, "HS2022 %s came from HS2017 %s%s, not all asked: its rows "
                             "are left out (a merge is never split); ask for all of them to "
                             "join the series", ckp_hs_format(set->ambig[i], 6, c6), list,
                             np > 16 ? " and more" : "")
                  : snprintf(buf, n, "HS%d %s became HS2022 %s%s, not all asked: its rows are "
                             "left out (a split is never allocated); ask for all of them to "
                             "join the series", set->ambig_ed[i],
                             ckp_hs_format(set->ambig[i], 6, c6), list, np > 16 ? " and more" : "");
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* The closest group names to s, comma-separated, into buf. */
static void closest_groups(const ckp_ref *ref, const char *s, size_t n, char *buf, size_t bufn)
{
    int best[3] = {-1, -1, -1}, bestd[3] = {1 << 20, 1 << 20, 1 << 20};
    char low[64];
    size_t used = 0;

    buf[0] = '\0';
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[n] = '\0';
    for (int i = 0; i < ref->ngroups; i++) {
        char g[64];
        const char *name = ref->groups[i].pub.name;
        size_t gl = strlen(name);
        int d;
        if (gl >= sizeof g)
            gl = sizeof g - 1;
        for (size_t k = 0; k < gl; k++)
            g[k] = (char)tolower((unsigned char)name[k]);
        g[gl] = '\0';
        d = ckp__ref_edit_distance(low, n, g, gl, 64);
        if (n >= 3 && strstr(g, low))
            d = d / 4; /* "tier" → chpl-tier1: containing the text counts most */
        for (int j = 0; j < 3; j++) {
            if (d < bestd[j]) {
                for (int m = 2; m > j; m--) {
                    bestd[m] = bestd[m - 1];
                    best[m] = best[m - 1];
                }
                bestd[j] = d;
                best[j] = i;
                break;
            }
        }
    }
    for (int j = 0; j < 3 && best[j] >= 0; j++) {
        int w = snprintf(buf + used, bufn - used, "%s%s", j ? ", " : "",
                         ref->groups[best[j]].pub.name);
        if (w < 0 || (size_t)w >= bufn - used)
            break;
        used += (size_t)w;
    }
}

static void make_label(const ckp_ref *ref, ckp_hsset *set, const char *arg)
{
    uint32_t cur = 0, c;
    size_t known = 0;
    size_t alen = strlen(arg);
    while (ckp_hsset_next(set, &cur, &c))
        if (ckp_ref_hs(ref, CKP_HS2022, c, 6) || ckp_ref_hs(ref, CKP_HS2017, c, 6))
            known++;
    snprintf(set->label, sizeof set->label, "%.*s%s: %zu HS6 code%s", alen > 120 ? 117 : (int)alen,
             arg, alen > 120 ? "..." : "", known, known == 1 ? "" : "s");
}

ckp_status ckp_hsset_parse(const ckp_ref *ref, const char *arg, ckp_hsset **out, ckp_error *err)
{
    ckp_hsset *set;
    const char *p;
    ckp_status st = CKP_OK;

    *out = NULL;
    if (!ref || !arg)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "no HS codes given");
    set = ckp_hsset_new();
    if (!set)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    p = arg;
    for (;;) {
        size_t n = strcspn(p, ",");
        const char *s = p;
        size_t len = n;
        uint32_t codes[128];
        uint8_t levels[128];
        int k;
        const ref_group *g;

        while (len && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (!len) {
            st = ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                               "empty item in HS list \"%.80s\"", arg);
            goto out_fail;
        }
        k = parse_code_item(s, len, codes, levels, 128);
        if (k <= 0 && len == 5 && strncasecmp(s, "TOTAL", 5) == 0) {
            ckp_hsset_add_prefix(set, 0, 0);
        } else if (k > 0) {
            for (int i = 0; i < k; i++) {
                if (levels[i] == 6)
                    ckp_hsset_add_code(ref, set, codes[i], 0);
                else
                    ckp_hsset_add_prefix(set, codes[i], levels[i]);
            }
        } else {
            g = group_find(ref, s, len);
            if (!g) {
                char cand[200];
                closest_groups(ref, s, len, cand, sizeof cand);
                st = ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                                   "\"%.*s\" is neither an HS code (2, 4 or 6 digits) nor a "
                                   "product group (closest groups: %s; `chokepoint hs "
                                   "--list` lists them all)",
                                   (int)(len > 60 ? 60 : len), s, cand);
                goto out_fail;
            }
            for (int i = 0; i < g->ncodes; i++) {
                if (g->levels[i] == 6)
                    ckp_hsset_add_code(ref, set, g->codes[i], g->pub.edition);
                else
                    ckp_hsset_add_prefix(set, g->codes[i], g->levels[i]);
            }
        }
        if (!p[n])
            break;
        p += n + 1;
    }
    st = concord_set(ref, set, err);
    if (st != CKP_OK)
        goto out_fail;
    make_label(ref, set, arg);
    *out = set;
    return CKP_OK;

out_fail:
    ckp_hsset_free(set);
    return st;
}

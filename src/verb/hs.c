/* hs.c — the `hs` verb: HS codes by code prefix, words or group name,
 * HS2022 and HS2017 side by side (ref.h).
 *
 * QUERY: a code or prefix ("8110", "811010", "10121" = 010121), a product
 * group ("antimony", "chpl-tier1", "CN-2024-46"), several of these joined by
 * commas, or words that must all start words of the description ("rare
 * earth").  With both editions (the default) each row is one code with its
 * HS2022 text, the HS2017 codes it maps to and their text.  --list lists the
 * product groups instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/verb.h"

#define MAX_ROWS 20000

static const ckp_param params[] = {
    {"edition", CKP_PARAM_STR, "2017|2022|both", "which nomenclature (default: both, side by side)",
     0, 1},
    {"groups", CKP_PARAM_STR, "FILE", "extra product groups: CSV name,codes,description", 0, 0},
    {"list", CKP_PARAM_FLAG, NULL, "list the product groups", 0, 1},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column cols_both[] = {
    {"code", CKP_COL_STR, 0},   {"level", CKP_COL_INT, 0},
    {"description", CKP_COL_STR, 0}, {"hs2017", CKP_COL_STR, 0},
    {"hs2017_description", CKP_COL_STR, 0}, {"note", CKP_COL_STR, 0}};
static const ckp_column cols_2022[] = {{"code", CKP_COL_STR, 0},
                                       {"level", CKP_COL_INT, 0},
                                       {"description", CKP_COL_STR, 0},
                                       {"hs2017", CKP_COL_STR, 0}};
static const ckp_column cols_2017[] = {{"code", CKP_COL_STR, 0},
                                       {"level", CKP_COL_INT, 0},
                                       {"description", CKP_COL_STR, 0},
                                       {"hs2022", CKP_COL_STR, 0}};
static const ckp_column cols_groups[] = {{"name", CKP_COL_STR, 0},
                                         {"codes", CKP_COL_STR, 0},
                                         {"description", CKP_COL_STR, 0},
                                         {"source", CKP_COL_STR, 0},
                                         {"edition", CKP_COL_INT, 0}};

/* Rows are collected as keys that sort like the zero-padded codes with a
 * heading before its subheadings: code * 10^(6-level) * 10 + level / 2. */
typedef struct rows {
    uint32_t *keys;
    size_t n;
    int overflow;
} rows;

static const uint32_t scale[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};

static void rows_add(rows *r, uint32_t code, int level)
{
    if (r->n >= MAX_ROWS) {
        r->overflow = 1;
        return;
    }
    r->keys[r->n++] = (code * scale[6 - level]) * 10 + (uint32_t)level / 2;
}

static int visit_add(const ckp_hs_entry *e, ckp_hs_edition ed, void *ctx)
{
    (void)ed;
    rows_add(ctx, e->code, e->level);
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Search one edition or both. */
static int search(const ckp_ref *ref, int edition, const char *q, rows *r)
{
    int n = 0;
    if (edition != 2017)
        n += ckp_ref_hs_search(ref, CKP_HS2022, q, visit_add, r);
    if (edition != 2022)
        n += ckp_ref_hs_search(ref, CKP_HS2017, q, visit_add, r);
    return n;
}

/* Add a group's codes: 6-digit codes as such, prefixes with what is under them. */
static void add_group(const ckp_ref *ref, int edition, const ckp_group *g, rows *r)
{
    const char *p = g->codes;
    while (*p) {
        size_t n = strcspn(p, ";, ");
        uint32_t code;
        int level;
        char item[32];
        if (n && n < sizeof item) {
            memcpy(item, p, n);
            item[n] = '\0';
            char *dash = strchr(item, '-');
            if (dash) { /* a range such as 8456-8463 */
                uint32_t lo, hi;
                int l1, l2;
                *dash = '\0';
                if (ckp_hs_parse(item, strlen(item), &lo, &l1) == 0 &&
                    ckp_hs_parse(dash + 1, strlen(dash + 1), &hi, &l2) == 0 && l1 == l2) {
                    for (uint32_t c = lo; c <= hi && c - lo < 10000; c++) {
                        char b[8];
                        search(ref, edition, ckp_hs_format(c, l1, b), r);
                    }
                }
            } else if (ckp_hs_parse(item, n, &code, &level) == 0) {
                if (level == 6)
                    rows_add(r, code, 6);
                else
                    search(ref, edition, item, r);
            }
        }
        p += n;
        while (*p == ';' || *p == ',' || *p == ' ')
            p++;
    }
}

/* "a;b" of the counterparts of code6 from → to into buf; returns how many
 * codes are listed.  *total gets the size of the correlation; above
 * CKP_HS_FANOUT_MAX (an n:n "parts" group) the UNSD conversion is listed. */
static int counterparts(const ckp_ref *ref, uint32_t code6, ckp_hs_edition from,
                        ckp_hs_edition to, uint32_t *out, int max, char *buf, size_t n,
                        int *total)
{
    int k = ckp_ref_hs_convert(ref, code6, from, to, out, max);
    size_t used = 0;
    *total = k;
    if (k > CKP_HS_FANOUT_MAX)
        k = ckp_ref_hs_convert_best(ref, code6, from, to, out, max);
    if (k > max)
        k = max;
    buf[0] = '\0';
    for (int i = 0; i < k && used + 8 < n; i++) {
        char b[8];
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ";" : "",
                                 ckp_hs_format(out[i], 6, b));
    }
    return k;
}

static void describe_2017(const ckp_ref *ref, const uint32_t *codes, int k, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < k; i++) {
        const ckp_hs_entry *e = ckp_ref_hs(ref, CKP_HS2017, codes[i], 6);
        char b[8];
        int w;
        if (!e)
            continue;
        if (k == 1)
            w = snprintf(buf + used, n - used, "%s", e->description);
        else
            w = snprintf(buf + used, n - used, "%s%s: %s", used ? " | " : "",
                         ckp_hs_format(codes[i], 6, b), e->description);
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

static void write_row(ckp_writer *w, const ckp_ref *ref, int edition, uint32_t code, int level)
{
    const ckp_hs_entry *e22 = ckp_ref_hs(ref, CKP_HS2022, code, level);
    const ckp_hs_entry *e17 = ckp_ref_hs(ref, CKP_HS2017, code, level);
    uint32_t other[64];
    char cbuf[8], list[64 * 7 + 1], desc[8192], note[64 * 7 + 128];
    int k, total;

    ckp_writer_str(w, ckp_hs_format(code, level, cbuf));
    ckp_writer_int(w, level);
    if (edition == 2022 || edition == 2017) {
        const ckp_hs_entry *e = edition == 2022 ? e22 : e17;
        ckp_writer_str(w, e ? e->description : NULL);
        if (level == 6)
            counterparts(ref, code, edition == 2022 ? CKP_HS2022 : CKP_HS2017,
                         edition == 2022 ? CKP_HS2017 : CKP_HS2022, other, 64, list,
                         sizeof list, &total);
        else
            ckp_hs_format(code, level, list);
        ckp_writer_str(w, list[0] ? list : NULL);
        ckp_writer_end_row(w);
        return;
    }
    ckp_writer_str(w, e22 ? e22->description : NULL);
    if (level != 6) {
        ckp_writer_str(w, e17 ? ckp_hs_format(code, level, list) : NULL);
        ckp_writer_str(w, e17 ? e17->description : NULL);
        ckp_writer_str(w, !e17 ? "new in HS2022" : !e22 ? "not in HS2022" : NULL);
        ckp_writer_end_row(w);
        return;
    }
    note[0] = '\0';
    if (e22) {
        k = counterparts(ref, code, CKP_HS2022, CKP_HS2017, other, 64, list, sizeof list, &total);
        describe_2017(ref, other, k, desc, sizeof desc);
        ckp_writer_str(w, k ? list : NULL);
        ckp_writer_str(w, k ? desc : NULL);
        if (total > CKP_HS_FANOUT_MAX)
            snprintf(note, sizeof note,
                     "%sin an n:n group of %d HS2017 codes; UNSD conversion shown",
                     e17 ? "" : "new in HS2022; ", total);
        else if (!e17)
            snprintf(note, sizeof note, "new in HS2022");
        else if (k != 1 || other[0] != code)
            snprintf(note, sizeof note, "changed");
        else {
            /* same code; did the HS2017 code also go elsewhere? */
            uint32_t back[64];
            int kb = ckp_ref_hs_convert(ref, code, CKP_HS2017, CKP_HS2022, back, 64);
            if (kb > 1)
                snprintf(note, sizeof note, "split in HS2022");
        }
    } else {
        k = counterparts(ref, code, CKP_HS2017, CKP_HS2022, other, 64, list, sizeof list, &total);
        ckp_writer_str(w, ckp_hs_format(code, level, cbuf));
        ckp_writer_str(w, e17 ? e17->description : NULL);
        snprintf(note, sizeof note, "not in HS2022; now %s", k ? list : "(none)");
    }
    ckp_writer_str(w, note[0] ? note : NULL);
    ckp_writer_end_row(w);
}

/* The next comma-separated item of *q, trimmed, into item (n bytes);
 * *q moves past it.  Its length, or -1 when it is empty or too long. */
static int next_item(const char **q, char *item, size_t n)
{
    size_t k = strcspn(*q, ",");
    const char *s = *q;
    while (k && *s == ' ') {
        s++;
        k--;
    }
    while (k && s[k - 1] == ' ')
        k--;
    *q = s + k;
    while (**q == ' ')
        (*q)++;
    if (**q == ',')
        (*q)++;
    if (!k || k >= n)
        return -1;
    memcpy(item, s, k);
    item[k] = '\0';
    return (int)k;
}

/* 1 when every comma-separated item of q is a code, range or group. */
static int is_code_list(const ckp_ref *ref, const char *q)
{
    while (*q) {
        char item[128];
        uint32_t c;
        int l, folded, n = next_item(&q, item, sizeof item);
        if (n < 0 ||
            (ckp_hs_fold(item, (size_t)n, &c, &l, &folded) != 0 && !ckp_ref_group_find(ref, item)))
            return 0;
    }
    return 1;
}

/* What the plan hands on to run: the edition asked for (0 = both) and,
 * with --groups, a reference of its own holding the extra groups. */
typedef struct hs_state {
    int edition;
    ckp_ref *own_ref;
} hs_state;

static void hs_state_free(void *p)
{
    hs_state *st = p;
    if (st)
        ckp_ref_free(st->own_ref);
    free(st);
}

static ckp_status plan(ckp_env *env, const ckp_args *args, ckp_verb_plan *pl, ckp_error *err)
{
    const char *ed = ckp_args_get(args, "edition");
    const char *groups = ckp_args_get(args, "groups");
    int edition = 0;
    if (ed && strcmp(ed, "2022") == 0)
        edition = 2022;
    else if (ed && strcmp(ed, "2017") == 0)
        edition = 2017;
    else if (ed && strcmp(ed, "both") != 0)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--edition must be 2017, 2022 or both (got '%s')", ed);
    if (ckp_args_npos(args) == 0 && !ckp_args_flag(args, "list"))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "give an HS code, a group name or words (or --list)");
    hs_state *st = calloc(1, sizeof *st);
    if (!st)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    st->edition = edition;
    /* the shared reference is read-only: extra groups go into one of our own */
    if (groups && (ckp_ref_load(ckp_env_data_dir(env), &st->own_ref, err) != CKP_OK ||
                   ckp_ref_load_groups(st->own_ref, groups, err) != CKP_OK)) {
        hs_state_free(st);
        return err->code;
    }
    pl->state = st;
    pl->free_state = hs_state_free;
    if (ckp_args_flag(args, "list")) {
        pl->columns = cols_groups;
        pl->ncolumns = sizeof cols_groups / sizeof cols_groups[0];
    } else if (edition) {
        pl->columns = edition == 2022 ? cols_2022 : cols_2017;
        pl->ncolumns = 4;
    }
    return CKP_OK;
}

static ckp_status list_groups(const ckp_ref *ref, ckp_writer *w)
{
    ckp_writer_hint(w, "name", "description");
    for (int i = 0; i < ckp_ref_group_count(ref); i++) {
        const ckp_group *g = ckp_ref_group(ref, i);
        ckp_writer_str(w, g->name);
        ckp_writer_str(w, g->codes);
        ckp_writer_str(w, g->description);
        ckp_writer_str(w, g->source);
        if (g->edition)
            ckp_writer_int(w, g->edition);
        else
            ckp_writer_null(w);
        if (ckp_writer_end_row(w) != CKP_OK)
            return CKP_EIO;
    }
    return CKP_OK;
}

/* The positional arguments joined by spaces into q (n bytes). */
static ckp_status join_query(const ckp_args *args, char *q, size_t n, ckp_error *err)
{
    size_t len = 0;
    for (int a = 0; a < ckp_args_npos(args); a++) {
        const char *s = ckp_args_pos(args, a);
        size_t k = strlen(s);
        if (len + k + 2 > n)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "query too long");
        if (len)
            q[len++] = ' ';
        memcpy(q + len, s, k);
        len += k;
    }
    q[len] = '\0';
    return CKP_OK;
}

/* Every comma-separated item of query (a code, range or group) into r; an
 * item that gives no row is an error. */
static ckp_status add_items(const ckp_ref *ref, int edition, const char *query, rows *r,
                            ckp_error *err)
{
    const char *q = query;
    while (*q) {
        char item[128];
        int n = next_item(&q, item, sizeof item);
        if (n < 0) /* is_code_list let none through */
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "an empty or too long item");
        const ckp_group *g = ckp_ref_group_find(ref, item);
        size_t before = r->n;
        uint32_t fc;
        int fl, folded;
        /* "8112.92", a national "2825.80.00": searched as its HS code (the
         * CLI says so: verb flag CKP_VERB_HS_ARGS) */
        if (!g && (strpbrk(item, ". ") || n > 6) &&
            ckp_hs_fold(item, (size_t)n, &fc, &fl, &folded) == 0)
            ckp_hs_format(fc, fl, item);
        if (g)
            add_group(ref, edition, g, r);
        else
            search(ref, edition, item, r);
        if (r->n == before)
            return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0, "no HS%s code %s%s",
                                 edition ? (edition == 2022 ? "2022" : "2017") : "2022 or HS2017",
                                 item, g ? " (the group's codes are not in this edition)" : "");
    }
    return CKP_OK;
}

/* Nothing matched the words: say so, and what the closest groups are. */
static ckp_status no_words(const ckp_ref *ref, const char *query, ckp_error *err)
{
    ckp_hsset *set = NULL;
    ckp_error why;
    ckp_error_clear(&why);
    ckp_status st = ckp_hsset_parse(ref, query, &set, &why);
    ckp_hsset_free(set);
    if (st != CKP_OK)
        return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                             "no HS description contains the words \"%s\", and %s", query,
                             why.msg);
    return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                         "no HS description contains the words \"%s\"", query);
}

static ckp_status run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                      size_t summary_len, ckp_error *err)
{
    const hs_state *st = ckp_verb_state(w);
    if (!st)
        return ckp_error_set(err, CKP_ESTATE, NULL, 0, 0, "hs: run without its plan");
    const ckp_ref *ref = st->own_ref ? st->own_ref : ckp_env_ref(env);
    int edition = st->edition;
    if (ckp_args_flag(args, "list"))
        return list_groups(ref, w) == CKP_OK
                   ? CKP_OK
                   : ckp_error_set(err, CKP_EIO, NULL, 0, 0, "writing the output failed");
    char query[1024];
    ckp_status rc = join_query(args, query, sizeof query, err);
    if (rc != CKP_OK)
        return rc;
    rows r = {malloc(sizeof(uint32_t) * MAX_ROWS), 0, 0};
    if (!r.keys)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    if (is_code_list(ref, query))
        rc = add_items(ref, edition, query, &r, err);
    else if (search(ref, edition, query, &r) == 0)
        rc = no_words(ref, query, err);
    if (rc != CKP_OK)
        goto out_keys;
    if (r.overflow)
        fprintf(stderr, "chokepoint: hs: more than %d codes match; showing the first %d\n",
                MAX_ROWS, MAX_ROWS);
    qsort(r.keys, r.n, sizeof *r.keys, cmp_key);
    ckp_writer_hint(w, "code level", "description hs2017_description hs2022_description note");
    for (size_t i = 0; i < r.n; i++) {
        uint32_t key = r.keys[i], level, code;
        if (i && key == r.keys[i - 1])
            continue;
        level = (key % 10) * 2;
        code = key / 10 / scale[6 - level];
        write_row(w, ref, edition, code, (int)level);
    }
out_keys:
    free(r.keys);
    return rc;
}

CKP_VERB_DEFINE(hs, 120, 0) = {
    "hs", "QUERY… | --list",
    "look up HS codes by code prefix or words, HS2017 and HS2022 side by side",
    "A QUERY is an HS code or prefix (2, 4 or 6 digits; a lost leading zero is\n"
    "restored: 10121 = 010121; with dots: 8112.92; a national 8- or 10-digit code,\n"
    "38011000 or 2825.80.00, is read as its HS6, with a note), a product group (antimony, gallium, graphite,\n"
    "rare-earths, magnets, tungsten, integrated-circuits, machine-tools, chpl,\n"
    "chpl-tier1…4, eu-russia, a measure id such as CN-2024-46; see --list), several\n"
    "of these separated by commas, or words that must all begin words of the\n"
    "description.  Columns: the HS2022 text, the HS2017 codes each code maps to\n"
    "(1:n and n:1 changes included) and their text; note says what changed.\n"
    "Groups also come from $CHOKEPOINT_GROUPS (':'-separated CSV files).",
    params, 0, -1, cols_both, sizeof cols_both / sizeof cols_both[0], run, plan,
    "e:edition f:format", CKP_VERB_NO_STORE | CKP_VERB_HS_ARGS};

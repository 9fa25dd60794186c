/* cmd_hs.c — the 'hs' verb: HS codes by code prefix, words or group name,
 * HS2022 and HS2017 side by side.
 *
 *   chokepoint hs QUERY… [--edition 2017|2022|both] [--format …]
 *                 [--groups FILE] [--data DIR]
 *   chokepoint hs --list
 *
 * QUERY: a code or prefix ("8110", "811010", "10121" = 010121), a product
 * group ("antimony", "chpl-tier1", "CN-2024-46"), several of these joined by
 * commas, or words that must all start words of the description ("rare
 * earth").  With both editions (the default) each row is one code with its
 * HS2022 text, the HS2017 codes it maps to and their text. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ROWS 20000

static const char *o_format, *o_data, *o_edition, *o_groups, *o_width;
static int o_list, o_wide, width;

static const cli_opt opts[] = {
    {"edition", 'e', CLI_STR, "2017|2022|both", "which nomenclature (default: both, side by side)",
     &o_edition},
    {"format", 'f', CLI_STR, "table|csv|json", "output format (default: table on a terminal, else csv)",
     &o_format},
    {"groups", 0, CLI_STR, "FILE", "extra product groups: CSV name,codes,description", &o_groups},
    {"list", 0, CLI_FLAG, NULL, "list the product groups", &o_list},
    {"data", 0, CLI_STR, "DIR", "reference data directory (default: the shipped data)", &o_data},
    {"width", 0, CLI_STR, "N", "fit the table to N columns (default on a terminal: its width; "
     "descriptions under their row)", &o_width},
    {"wide", 0, CLI_FLAG, NULL, "table: every column in full, one line per row", &o_wide},
    {NULL, 0, CLI_FLAG, NULL, NULL, NULL}};

static const cli_spec spec = {
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
    opts, 0, -1};

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

static int list_groups(const ckp_ref *ref, ckp_format fmt)
{
    ckp_writer *w = ckp_writer_new(stdout, fmt, cols_groups, 5);
    int rc = 0;
    if (!w)
        return cli_failf("hs", 1, "out of memory");
    ckp_writer_fit(w, width);
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
        ckp_writer_end_row(w);
    }
    if (ckp_writer_finish(w) != CKP_OK)
        rc = cli_failf("hs", 1, "writing the output failed");
    ckp_writer_free(w);
    return rc;
}

/* 1 when every comma-separated item of q is a code, range or group. */
static int is_code_list(const ckp_ref *ref, const char *q)
{
    while (*q) {
        size_t n = strcspn(q, ",");
        char item[128];
        uint32_t c;
        int l;
        const char *s = q;
        while (n && *s == ' ') {
            s++;
            n--;
        }
        while (n && s[n - 1] == ' ')
            n--;
        if (!n || n >= sizeof item)
            return 0;
        memcpy(item, s, n);
        item[n] = '\0';
        int folded;
        if (ckp_hs_fold(item, n, &c, &l, &folded) != 0 && !ckp_ref_group_find(ref, item))
            return 0;
        q = s + n;
        while (*q == ' ')
            q++;
        if (*q == ',')
            q++;
    }
    return 1;
}

int cmd_hs(int argc, char **argv)
{
    char **args;
    int nargs, rc, edition = 0;
    ckp_format fmt;
    ckp_ref *ref = NULL;
    ckp_writer *w = NULL;
    ckp_error err;
    rows r = {NULL, 0, 0};
    char query[1024];
    size_t qlen = 0;

    o_format = o_data = o_edition = o_groups = o_width = NULL;
    o_list = o_wide = width = 0;
    rc = cli_parse(&spec, argc, argv, &args, &nargs);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (nargs == 0 && !o_list)
        return cli_failf("hs", 2, "give an HS code, a group name or words (or --list)");
    if (o_edition && strcmp(o_edition, "2022") == 0)
        edition = 2022;
    else if (o_edition && strcmp(o_edition, "2017") == 0)
        edition = 2017;
    else if (o_edition && strcmp(o_edition, "both") != 0)
        return cli_failf("hs", 2, "--edition must be 2017, 2022 or both (got '%s')", o_edition);
    rc = cli_format("hs", o_format ? o_format : o_width ? "table" : NULL, &fmt);
    if (!rc)
        rc = cli_table_width("hs", o_width, o_wide, &width);
    if (rc)
        return rc;
    ref = cli_load_ref("hs", o_data);
    if (!ref)
        return 1;
    ckp_error_clear(&err);
    if (o_groups && ckp_ref_load_groups(ref, o_groups, &err) != CKP_OK) {
        rc = cli_fail("hs", &err);
        goto out_free;
    }
    if (o_list) {
        rc = list_groups(ref, fmt);
        goto out_free;
    }

    for (int a = 0; a < nargs; a++) {
        size_t n = strlen(args[a]);
        if (qlen + n + 2 > sizeof query) {
            rc = cli_failf("hs", 2, "query too long");
            goto out_free;
        }
        if (qlen)
            query[qlen++] = ' ';
        memcpy(query + qlen, args[a], n);
        qlen += n;
    }
    query[qlen] = '\0';

    r.keys = malloc(sizeof *r.keys * MAX_ROWS);
    if (!r.keys) {
        rc = cli_failf("hs", 1, "out of memory");
        goto out_free;
    }
    if (is_code_list(ref, query)) {
        const char *q = query;
        while (*q) {
            size_t n = strcspn(q, ",");
            char item[128];
            const ckp_group *g;
            const char *s = q;
            while (n && *s == ' ') {
                s++;
                n--;
            }
            while (n && s[n - 1] == ' ')
                n--;
            memcpy(item, s, n);
            item[n] = '\0';
            g = ckp_ref_group_find(ref, item);
            size_t before = r.n;
            uint32_t fc;
            int fl, folded;
            if (!g && (strpbrk(item, ". ") || n > 6) && ckp_hs_fold(item, n, &fc, &fl, &folded) == 0) {
                /* "8112.92", a national "2825.80.00": searched as its HS code */
                char b[sizeof item];
                cli_hs_fold("hs", NULL, item, b, sizeof b);
                ckp_hs_format(fc, fl, item);
            }
            if (g)
                add_group(ref, edition, g, &r);
            else
                search(ref, edition, item, &r);
            if (r.n == before) {
                rc = cli_failf("hs", 1, "no HS%s code %s%s", edition ? (edition == 2022 ? "2022" : "2017") : "2022 or HS2017",
                               item, g ? " (the group's codes are not in this edition)" : "");
                goto out_free;
            }
            q = s + n;
            while (*q == ' ')
                q++;
            if (*q == ',')
                q++;
        }
    } else if (search(ref, edition, query, &r) == 0) {
        /* Nothing matched: say what the closest groups are. */
        ckp_hsset *set = NULL;
        if (ckp_hsset_parse(ref, query, &set, &err) != CKP_OK) {
            rc = cli_failf("hs", 1,
                           "no HS description contains the words \"%s\", and %s", query,
                           err.msg);
        } else {
            rc = cli_failf("hs", 1, "no HS description contains the words \"%s\"", query);
        }
        ckp_hsset_free(set);
        goto out_free;
    }
    if (r.overflow)
        fprintf(stderr, "chokepoint: hs: more than %d codes match; showing the first %d\n",
                MAX_ROWS, MAX_ROWS);
    qsort(r.keys, r.n, sizeof *r.keys, cmp_key);

    w = ckp_writer_new(stdout, fmt,
                       edition == 2022 ? cols_2022 : edition == 2017 ? cols_2017 : cols_both,
                       edition ? 4 : 6);
    if (!w) {
        rc = cli_failf("hs", 1, "out of memory");
        goto out_free;
    }
    ckp_writer_fit(w, width);
    ckp_writer_hint(w, "code level", "description hs2017_description hs2022_description note");
    for (size_t i = 0; i < r.n; i++) {
        uint32_t key = r.keys[i], level, code;
        if (i && key == r.keys[i - 1])
            continue;
        level = (key % 10) * 2;
        code = key / 10 / scale[6 - level];
        write_row(w, ref, edition, code, (int)level);
    }
    if (ckp_writer_finish(w) != CKP_OK)
        rc = cli_failf("hs", 1, "writing the output failed");

out_free:
    free(r.keys);
    ckp_writer_free(w);
    ckp_ref_free(ref);
    return rc;
}

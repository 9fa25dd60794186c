/* info.c — the `info` verb: what the store holds (one row; DESIGN.md fields
 * rows, periods, reporters, partners, products, sources, bytes, then extras:
 * the sources' names and the HS editions each source's rows are written in,
 * read from the store's product blocks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/verb.h"

static const ckp_param params[] = {{NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column columns[] = {
    {"rows", CKP_COL_INT, 0},        {"periods", CKP_COL_INT, 0},
    {"reporters", CKP_COL_INT, 0},   {"partners", CKP_COL_INT, 0},
    {"products", CKP_COL_INT, 0},    {"sources", CKP_COL_INT, 0},
    {"bytes", CKP_COL_INT, 0},       {"first_period", CKP_COL_STR, 0},
    {"last_period", CKP_COL_STR, 0}, {"generation", CKP_COL_INT, 0},
    {"source_names", CKP_COL_STR, 0}, {"source_provenance", CKP_COL_STR, 0},
    {"source_editions", CKP_COL_STR, 0}};

#define NEDS 8 /* unknown, 1992, 1996, 2002, 2007, 2012, 2017, 2022 */
static const int editions[NEDS] = {0, 1992, 1996, 2002, 2007, 2012, 2017, 2022};

typedef struct seen_eds {
    unsigned char has[128][NEDS]; /* source × edition */
} seen_eds;

static int mark_block(const ckp_store_cols *c, void *ctx)
{
    seen_eds *se = ctx;
    int e = 0;
    for (int i = 0; i < NEDS; i++)
        if (editions[i] == c->hs_edition)
            e = i;
    for (size_t i = 0; i < c->n; i++)
        se->has[c->source[i] & 127][e] = 1;
    return 0;
}

/* "baci:HS2017;comtrade:HS2017,HS2022" into buf; CKP_ELIMIT when it does
 * not fit (never a cut list). */
static ckp_status source_editions(const ckp_store *s, char *buf, size_t n, ckp_error *err)
{
    seen_eds *se = calloc(1, sizeof *se);
    if (!se)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ckp_query q; /* every row, TOTAL, chapter and heading rows too */
    ckp_query_init(&q);
    q.levels = 1;
    ckp_status st = ckp_store_scan_cols(s, &q, mark_block, se, err);
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; st == CKP_OK && i < ckp_store_source_count(s) && i < 128; i++) {
        int w = snprintf(buf + len, n - len, "%s%s:", i ? ";" : "", ckp_store_source_name(s, i));
        for (int e = 0, k = 0; w >= 0 && (size_t)w < n - len && e < NEDS; e++) {
            if (!se->has[i][e])
                continue;
            len += (size_t)w;
            w = editions[e] ? snprintf(buf + len, n - len, "%sHS%d", k ? "," : "", editions[e])
                            : snprintf(buf + len, n - len, "%sunknown", k ? "," : "");
            k++;
        }
        if (w < 0 || (size_t)w >= n - len)
            st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "the sources' HS editions do not "
                               "fit in %zu bytes", n);
        else
            len += (size_t)w;
    }
    free(se);
    return st;
}

static ckp_status run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                      size_t summary_len, ckp_error *err)
{
    (void)args;
    const ckp_store *s;
    ckp_status st = ckp_env_store(env, &s, err);
    if (st != CKP_OK)
        return st;
    ckp_store_info in;
    ckp_store_get_info(s, &in);
    char eds[4096];
    st = source_editions(s, eds, sizeof eds, err);
    if (st != CKP_OK)
        return st;
    /* every source named in full: the list grows with the names, never cut */
    char a[16], b[16];
    size_t cap = 1;
    for (int i = 0; i < ckp_store_source_count(s); i++)
        cap += strlen(ckp_store_source_name(s, i)) + sizeof " (synthetic) (from XXX);";
    char *names = malloc(cap);
    if (!names)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    names[0] = '\0';
    size_t len = 0;
    for (int i = 0; i < ckp_store_source_count(s); i++)
        len += (size_t)snprintf(names + len, cap - len, "%s%s%s%s%s%s", i ? ";" : "",
                                ckp_store_source_name(s, i),
                                ckp_store_source_synthetic(s, i) ? " (synthetic)" : "",
                                ckp_store_source_currency(s, i)[0] ? " (from " : "",
                                ckp_store_source_currency(s, i),
                                ckp_store_source_currency(s, i)[0] ? ")" : "");
    ckp_writer_int(w, (long long)in.rows);
    ckp_writer_int(w, in.periods);
    ckp_writer_int(w, in.reporters);
    ckp_writer_int(w, in.partners);
    ckp_writer_int(w, in.products);
    ckp_writer_int(w, in.sources);
    ckp_writer_int(w, (long long)in.bytes);
    ckp_writer_str(w, in.rows ? ckp_period_format(in.period_min, a) : NULL);
    ckp_writer_str(w, in.rows ? ckp_period_format(in.period_max, b) : NULL);
    ckp_writer_int(w, (long long)in.generation);
    ckp_writer_str(w, names);
    free(names);
    /* where each source came from, when recorded ("name: text; …") */
    cap = 1;
    for (int i = 0; i < ckp_store_source_count(s); i++)
        if (ckp_store_source_provenance(s, i))
            cap += strlen(ckp_store_source_name(s, i)) +
                   strlen(ckp_store_source_provenance(s, i)) + 4;
    char *prov = malloc(cap);
    if (!prov)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    size_t plen = 0;
    prov[0] = 0;
    for (int i = 0; i < ckp_store_source_count(s); i++) {
        const char *p = ckp_store_source_provenance(s, i);
        if (p)
            plen += (size_t)snprintf(prov + plen, cap - plen, "%s%s: %s", plen ? "; " : "",
                                     ckp_store_source_name(s, i), p);
    }
    ckp_writer_str(w, plen ? prov : NULL);
    free(prov);
    ckp_writer_str(w, eds);
    st = ckp_writer_end_row(w);
    if (summary && summary_len)
        snprintf(summary, summary_len, "%llu rows (%.1f bytes/row on disk), %d reporters, "
                 "%d products, %d periods",
                 (unsigned long long)in.rows, in.rows ? (double)in.bytes / (double)in.rows : 0.0,
                 in.reporters, in.products, in.periods);
    return st;
}

CKP_VERB_DEFINE(info, 80, 0) = {
    "info", "[--store DIR]",
    "what the store holds: rows, periods, reporters, partners, products, sources, bytes",
    "Checks every store file's checksum while opening it: a damaged store is refused\n"
    "with the file named.  source_provenance says where each source came from when\n"
    "that was recorded (`fetch comtrade`: the API, the query, the calls, the time\n"
    "of fetch).",
    params, 0, 0, columns, sizeof columns / sizeof columns[0], run, NULL, NULL, 0};

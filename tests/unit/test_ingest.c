/* test_ingest.c — Comtrade, BACI and flows parsing into the store: dirty
 * rows rejected with exact reasons and lines, conversions, sniffing,
 * re-ingesting, and the real shipped files. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "chokepoint/ingest.h"
#include "test.h"

static ckp_ref *ref_(void)
{
    static ckp_ref *ref;
    if (!ref) {
        ckp_error err;
        if (ckp_ref_load(ckp_test_path("data"), &ref, &err) != CKP_OK) {
            fprintf(stderr, "  ref: %s\n", err.msg);
            return NULL;
        }
    }
    return ref;
}

static const char *tdir(const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/ing-%s", ckp_test_tmpdir(), name);
    return buf[k];
}

/* Ingest files into dir; rejects text into *rej (caller frees). */
static ckp_status run_ingest(const char *dir, const char *const *files, int n,
                             ckp_ingest_format fmt, const char *source, int replace,
                             ckp_ingest_stats *st, char **rej, ckp_error *err)
{
    size_t len;
    FILE *mem = open_memstream(rej, &len);
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.format = fmt;
    o.source = source;
    o.replace = replace;
    o.rejects = mem;
    ckp_ingest *ing;
    ckp_status s = ckp_ingest_begin(dir, ref_(), &o, &ing, err);
    for (int i = 0; s == CKP_OK && i < n; i++) {
        s = ckp_ingest_file(ing, files[i], err);
        if (s != CKP_OK)
            ckp_ingest_abort(ing);
    }
    if (s == CKP_OK)
        s = ckp_ingest_commit(ing, st, err);
    fclose(mem);
    return s;
}

/* 1 when the rejects text has a line "file,LINE,REASON," for the file. */
static int has_reject(const char *rej, long line, const char *reason)
{
    char want[128];
    snprintf(want, sizeof want, ",%ld,%s,", line, reason);
    return rej && strstr(rej, want) != NULL;
}

typedef struct found {
    ckp_flow rows[32];
    int n;
} found;

static int keep(const ckp_flow *r, void *ctx)
{
    found *f = ctx;
    if (f->n < 32)
        f->rows[f->n] = *r;
    f->n++;
    return 0;
}

static found query(const char *dir, const char *rep, const char *par, uint32_t hs, int flow)
{
    found f = {.n = 0};
    ckp_store *s;
    ckp_error err;
    if (ckp_store_open(dir, ref_(), &s, &err) != CKP_OK) {
        fprintf(stderr, "  open: %s: %s\n", err.file, err.msg);
        f.n = -1;
        return f;
    }
    ckp_query q;
    ckp_query_init(&q);
    q.reporter = rep ? ckp_ref_country_by_iso3(ref_(), rep) : -1;
    q.partner = par ? ckp_ref_country_by_iso3(ref_(), par) : -1;
    q.flow = flow;
    ckp_hsset *set = NULL;
    if (hs) {
        set = ckp_hsset_new();
        ckp_hsset_add(set, hs);
        q.hs = set;
    }
    ckp_store_scan(s, &q, keep, &f, &err);
    ckp_hsset_free(set);
    ckp_store_close(s);
    return f;
}

static int count_level(const ckp_flow *r, void *ctx)
{
    int *n = ctx;
    int level = ckp_hs_key_level(r->hs);
    n[level < 0 ? 4 : level / 2]++;
    return 0;
}

/* Comtrade's heading and TOTAL rows are kept at their level; a reader that
 * does not ask for levels never sees them. */
CKP_TEST(ingest_comtrade_levels)
{
    REQUIRE(ref_());
    const char *dir = tdir("ctl");
    const char *files[] = {ckp_test_path("tests/data/ingest/comtrade_dirty.csv")};
    ckp_ingest_stats st;
    char *rej = NULL;
    ckp_error err;
    REQUIRE(run_ingest(dir, files, 1, CKP_INGEST_AUTO, NULL, 1, &st, &rej, &err) == CKP_OK);
    free(rej);
    ckp_store *s;
    REQUIRE(ckp_store_open(dir, ref_(), &s, &err) == CKP_OK);
    ckp_query q;
    ckp_query_init(&q);
    int n[5] = {0};
    CHECK(ckp_store_scan(s, &q, count_level, n, &err) == CKP_OK);
    CHECK_INT(n[3], 4);
    CHECK_INT(n[0] + n[1] + n[2] + n[4], 0);
    q.levels = 1;
    memset(n, 0, sizeof n);
    CHECK(ckp_store_scan(s, &q, count_level, n, &err) == CKP_OK);
    CHECK_INT(n[0], 1); /* TOTAL */
    CHECK_INT(n[2], 1); /* 2846 */
    CHECK_INT(n[3], 4);
    CHECK_INT(n[4], 0);
    ckp_store_close(s);
}

CKP_TEST(ingest_comtrade_dirty)
{
    REQUIRE(ref_());
    const char *dir = tdir("ct");
    const char *files[] = {ckp_test_path("tests/data/ingest/comtrade_dirty.csv")};
    ckp_ingest_stats st;
    char *rej = NULL;
    ckp_error err;
    REQUIRE(run_ingest(dir, files, 1, CKP_INGEST_AUTO, NULL, 1, &st, &rej, &err) == CKP_OK);
    CHECK_INT(st.rows_read, 14);
    CHECK_INT(st.rows_kept, 6);
    CHECK_INT(st.rows_rejected, 8);
    CHECK(has_reject(rej, 5, "unknown-reporter"));
    CHECK(has_reject(rej, 6, "bad-flow"));
    /* heading 2846 (line 7) and TOTAL (line 14) are kept at their level */
    CHECK(!has_reject(rej, 7, "hs-not-6-digit"));
    CHECK(!has_reject(rej, 14, "hs-not-6-digit"));
    CHECK_INT(st.aggregate_kept[0], 1);
    CHECK_INT(st.aggregate_kept[1], 0);
    CHECK_INT(st.aggregate_kept[2], 1);
    CHECK(has_reject(rej, 8, "breakdown-row"));
    CHECK(has_reject(rej, 9, "not-hs-classification"));
    CHECK(has_reject(rej, 10, "bad-value"));
    CHECK(has_reject(rej, 11, "bad-value"));
    CHECK(has_reject(rej, 13, "duplicate-key"));
    CHECK(has_reject(rej, 15, "missing-field"));
    CHECK_INT(st.by_reason[CKP_REJ_VALUE], 2);
    free(rej);
    /* the kept rows, converted */
    found f = query(dir, "USA", "CHN", 250410, CKP_FLOW_IMPORT);
    REQUIRE(f.n == 1);
    CHECK_NEAR(f.rows[0].value, 15468449.0, 0); /* the first of the duplicates */
    CHECK_NEAR(f.rows[0].qty, 9391920.0, 1);
    CHECK_INT(f.rows[0].unit, CKP_UNIT_KG);
    CHECK_INT(f.rows[0].period, 202200);
    CHECK_INT(f.rows[0].hs_edition, CKP_HS2022);
    CHECK(isnan(f.rows[0].value_alt)); /* fobvalue 0 = not reported */
    f = query(dir, "CHN", "USA", 250410, CKP_FLOW_EXPORT);
    REQUIRE(f.n == 1);
    CHECK_NEAR(f.rows[0].value, 819239.0, 0);
    /* World is stored, flagged by the reference data as an aggregate */
    f = query(dir, "USA", NULL, 250410, CKP_FLOW_IMPORT);
    REQUIRE(f.n == 2);
    int world = f.rows[0].partner == ckp_ref_country_by_iso3(ref_(), "CHN") ? 1 : 0;
    const ckp_country *w = ckp_ref_country(ref_(), f.rows[world].partner);
    REQUIRE(w);
    CHECK(w->is_aggregate);
    CHECK(isnan(f.rows[world].qty)); /* empty quantity: missing, not 0 */
    /* monthly, HS code with its leading zero lost */
    f = query(dir, "USA", "CHN", 10121, 0);
    REQUIRE(f.n == 1);
    CHECK_INT(f.rows[0].period, 202303);
    CHECK_NEAR(f.rows[0].value, 120.5, 0);
}

CKP_TEST(ingest_baci_units_and_rejects)
{
    REQUIRE(ref_());
    const char *dir = tdir("baci");
    const char *files[] = {ckp_test_path("tests/data/ingest/baci_HS17_small.csv")};
    ckp_ingest_stats st;
    char *rej = NULL;
    ckp_error err;
    REQUIRE(run_ingest(dir, files, 1, CKP_INGEST_AUTO, NULL, 1, &st, &rej, &err) == CKP_OK);
    CHECK_INT(st.rows_read, 10);
    CHECK_INT(st.rows_kept, 4);
    CHECK_INT(st.rows_rejected, 6);
    CHECK(has_reject(rej, 5, "unknown-reporter"));
    CHECK(has_reject(rej, 6, "bad-value"));
    CHECK(has_reject(rej, 7, "missing-field"));
    CHECK(has_reject(rej, 8, "bad-value"));
    CHECK(has_reject(rej, 9, "unknown-partner")); /* a stray quote is data */
    CHECK(has_reject(rej, 11, "malformed-row"));
    free(rej);
    found f = query(dir, "CHN", "USA", 250410, 0);
    REQUIRE(f.n == 1);
    CHECK_INT(f.rows[0].flow, CKP_FLOW_EXPORT);
    CHECK_NEAR(f.rows[0].value, 819239.0, 1e-6); /* thousand USD → USD */
    CHECK_NEAR(f.rows[0].qty, 236466.0, 0.01);   /* tonnes → kg */
    CHECK_INT(f.rows[0].hs_edition, CKP_HS2017); /* from the file name */
    CHECK_INT(f.rows[0].period, 202200);
    f = query(dir, "CHN", "USA", 10121, 0);
    REQUIRE(f.n == 1);
    CHECK(isnan(f.rows[0].qty)); /* NA */
    f = query(dir, "USA", "CHN", 250410, 0);
    REQUIRE(f.n == 1);
    CHECK_NEAR(f.rows[0].value, 1250, 1e-9); /* spaces around numbers */
}

CKP_TEST(ingest_flows_dirty)
{
    REQUIRE(ref_());
    const char *dir = tdir("flows");
    const char *files[] = {ckp_test_path("tests/data/ingest/flows_dirty.csv")};
    ckp_ingest_stats st;
    char *rej = NULL;
    ckp_error err;
    REQUIRE(run_ingest(dir, files, 1, CKP_INGEST_FLOWS, "test-flows", 1, &st, &rej, &err) ==
            CKP_OK);
    CHECK_INT(st.rows_read, 9);
    CHECK_INT(st.rows_kept, 4);
    CHECK(has_reject(rej, 4, "bad-value"));
    CHECK(has_reject(rej, 5, "unknown-partner"));
    CHECK(has_reject(rej, 6, "bad-flow"));
    CHECK(has_reject(rej, 7, "bad-period"));
    CHECK(has_reject(rej, 10, "bad-quantity"));
    free(rej);
    found f = query(dir, "CHN", "USA", 811292, 0);
    REQUIRE(f.n == 2);
    CHECK_INT(f.rows[0].period, 202308);
    CHECK_NEAR(f.rows[0].qty, 0, 0); /* a reported 0 stays 0 */
    CHECK_NEAR(f.rows[1].qty, 2000, 0); /* t → kg */
    f = query(dir, "CHN", "DEU", 811292, 0);
    REQUIRE(f.n == 1);
    CHECK(isnan(f.rows[0].qty));
    f = query(dir, "CHN", "USA", 81129, 0); /* "81129" is 081129 */
    CHECK_INT(f.n, 1);
}

CKP_TEST(ingest_reingest_does_not_double)
{
    REQUIRE(ref_());
    const char *dir = tdir("twice");
    const char *files[] = {ckp_test_path("tests/data/ingest/baci_HS17_small.csv")};
    ckp_ingest_stats st;
    char *rej = NULL;
    ckp_error err;
    REQUIRE(run_ingest(dir, files, 1, CKP_INGEST_BACI, NULL, 1, &st, &rej, &err) == CKP_OK);
    free(rej);
    REQUIRE(run_ingest(dir, files, 1, CKP_INGEST_BACI, NULL, 0, &st, &rej, &err) == CKP_OK);
    free(rej);
    CHECK_INT(st.store_rows, 4);
    CHECK_INT(st.rows_replaced, 4);
    /* the same file twice in one ingest: the second copy is all duplicates */
    const char *two[] = {files[0], files[0]};
    REQUIRE(run_ingest(dir, two, 2, CKP_INGEST_BACI, NULL, 0, &st, &rej, &err) == CKP_OK);
    CHECK_INT(st.store_rows, 4);
    CHECK_INT(st.by_reason[CKP_REJ_DUPLICATE], 4);
    CHECK(rej && strstr(rej, "baci_HS17_small.csv:2 (kept"));
    free(rej);
    /* another source keeps its own rows */
    REQUIRE(run_ingest(dir, files, 1, CKP_INGEST_BACI, "baci-v2", 0, &st, &rej, &err) ==
            CKP_OK);
    free(rej);
    CHECK_INT(st.store_rows, 8);
}

CKP_TEST(ingest_sniff_and_errors)
{
    REQUIRE(ref_());
    const char *b[] = {"t", "i", "j", "k", "v", "q"};
    CHECK_INT(ckp_ingest_sniff(b, 6), CKP_INGEST_BACI);
    const char *c[] = {"refYear", "reporterCode", "partnerCode", "cmdCode", "primaryValue"};
    CHECK_INT(ckp_ingest_sniff(c, 5), CKP_INGEST_COMTRADE);
    const char *f[] = {"period", "reporter", "partner", "flow", "hs", "value"};
    CHECK_INT(ckp_ingest_sniff(f, 6), CKP_INGEST_FLOWS);
    const char *x[] = {"a", "b"};
    CHECK_INT(ckp_ingest_sniff(x, 2), CKP_INGEST_AUTO);
    /* an unknown header is an error naming the file; the store is untouched */
    const char *dir = tdir("sniff");
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    ckp_ingest *ing;
    ckp_error err;
    REQUIRE(ckp_ingest_begin(dir, ref_(), &o, &ing, &err) == CKP_OK);
    const char text[] = "a,b\n1,2\n";
    CHECK(ckp_ingest_mem(ing, "odd.csv", text, sizeof text - 1, &err) == CKP_EPARSE);
    CHECK_STR(err.file, "odd.csv");
    const char missing[] = "period,reporter,partner,flow,hs\n";
    o.format = CKP_INGEST_FLOWS;
    CHECK(ckp_ingest_mem(ing, "short.csv", missing, sizeof missing - 1, &err) != CKP_OK);
    ckp_ingest_abort(ing);
    ckp_store *s;
    CHECK(ckp_store_open(dir, ref_(), &s, &err) == CKP_ENOTFOUND);
}

CKP_TEST(ingest_real_comtrade_annual)
{
    REQUIRE(ref_());
    const char *dir = tdir("real-ct");
    const char *files[] = {ckp_test_path("data/flows/comtrade-annual/graphite_trade_data.csv")};
    ckp_ingest_stats st;
    char *rej = NULL;
    ckp_error err;
    REQUIRE(run_ingest(dir, files, 1, CKP_INGEST_AUTO, NULL, 1, &st, &rej, &err) == CKP_OK);
    free(rej);
    CHECK_INT(st.rows_read, 80);
    CHECK_INT(st.rows_kept, 80);
    /* USA's imports of natural graphite (250410) from China in 2020 */
    found f = query(dir, "USA", "CHN", 250410, CKP_FLOW_IMPORT);
    REQUIRE(f.n == 5);
    CHECK_INT(f.rows[0].period, 202000);
    CHECK_NEAR(f.rows[0].value, 15468449.0, 0);
    CHECK_NEAR(f.rows[0].qty, 9391920.0, 1);
    CHECK_INT(f.rows[0].hs_edition, CKP_HS2017); /* H5 */
    CHECK_INT(f.rows[4].hs_edition, CKP_HS2022); /* H6 */
}

CKP_TEST(ingest_real_china_monthly)
{
    REQUIRE(ref_());
    const char *dir = tdir("real-cn");
    const char *files[] = {ckp_test_path("data/flows/china-critmin-monthly/china_exports_monthly.csv")};
    ckp_ingest_stats st;
    char *rej = NULL;
    ckp_error err;
    REQUIRE(run_ingest(dir, files, 1, CKP_INGEST_AUTO, "comtrade-cn-monthly", 1, &st, &rej, &err) ==
            CKP_OK);
    free(rej);
    CHECK_INT(st.rows_read, 6442);
    CHECK_INT(st.rows_kept, 6442);
    CHECK_INT(st.rows_rejected, 0);
    /* China → Belgium, 811292, January 2017: 87,500 USD, 0 kg reported */
    found f = query(dir, "CHN", "BEL", 811292, CKP_FLOW_EXPORT);
    REQUIRE(f.n > 0);
    CHECK_INT(f.rows[0].period, 201701);
    CHECK_NEAR(f.rows[0].value, 87500.0, 0);
    CHECK_NEAR(f.rows[0].qty, 0, 0);
    f = query(dir, "CHN", "AUS", 250410, CKP_FLOW_EXPORT);
    REQUIRE(f.n > 0);
    CHECK_NEAR(f.rows[0].value, 10200.0, 0);
    CHECK_NEAR(f.rows[0].qty, 6116.362, 0.001);
}

/* Every row of a store folded into one checksum (and counted). */
typedef struct digest {
    uint64_t h, n;
} digest;

static int fold(const ckp_flow *r, void *ctx)
{
    digest *d = ctx;
    double v[3] = {r->value, isnan(r->qty) ? -1 : r->qty, isnan(r->value_alt) ? -1 : r->value_alt};
    int64_t k[7] = {r->period, r->reporter, r->partner, r->flow, r->hs, r->unit, r->source};
    const unsigned char *b[2] = {(const unsigned char *)v, (const unsigned char *)k};
    size_t len[2] = {sizeof v, sizeof k};
    for (int j = 0; j < 2; j++)
        for (size_t i = 0; i < len[j]; i++)
            d->h = (d->h ^ b[j][i]) * 1099511628211u;
    d->n++;
    return 0;
}

static digest store_digest(const char *dir)
{
    digest d = {14695981039346656037u, 0};
    ckp_store *s;
    ckp_error err;
    if (ckp_store_open(dir, ref_(), &s, &err) != CKP_OK)
        return d;
    ckp_query q;
    ckp_query_init(&q);
    ckp_store_scan(s, &q, fold, &d, &err);
    ckp_store_close(s);
    return d;
}

/* The same file ingested by one thread (the CSV reader) and by two (plain
 * BACI lines parsed without the reader, the rest through it): the same
 * rows, and the same rejects with the same line numbers.  *rej: the
 * rejects text (caller frees; NULL when not wanted). */
static void same_by_two_threads(ckp_test_ctx *t_, const char *path, char **rej)
{
    const char *files[] = {path};
    ckp_ingest_stats s1, s2;
    char *r1 = NULL, *r2 = NULL;
    ckp_error err;
    setenv("CKP_INGEST_THREADS", "1", 1);
    REQUIRE(run_ingest(tdir("pl1"), files, 1, CKP_INGEST_AUTO, NULL, 1, &s1, &r1, &err) ==
            CKP_OK);
    setenv("CKP_INGEST_THREADS", "2", 1);
    setenv("CKP_INGEST_PAR_MIN", "1", 1);
    ckp_status st = run_ingest(tdir("pl2"), files, 1, CKP_INGEST_AUTO, NULL, 1, &s2, &r2, &err);
    unsetenv("CKP_INGEST_THREADS");
    unsetenv("CKP_INGEST_PAR_MIN");
    REQUIRE(st == CKP_OK);
    CHECK_INT(s2.rows_read, s1.rows_read);
    CHECK_INT(s2.rows_kept, s1.rows_kept);
    CHECK_INT(s2.rows_rejected, s1.rows_rejected);
    for (int r = 0; r < CKP_REJ_COUNT; r++)
        CHECK_INT(s2.by_reason[r], s1.by_reason[r]);
    REQUIRE(r1 && r2);
    CHECK_STR(r2, r1);
    digest a = store_digest(tdir("pl1")), b = store_digest(tdir("pl2"));
    CHECK(a.n > 0);
    CHECK_INT(b.n, a.n);
    CHECK(a.h == b.h);
    free(r1);
    if (rej)
        *rej = r2;
    else
        free(r2);
}

static void serial_vs_parallel(ckp_test_ctx *t_, const char *name, const char *text)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", ckp_test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    REQUIRE(f);
    fputs(text, f);
    fclose(f);
    same_by_two_threads(t_, path, NULL);
}

/* Two threads on one file give exactly what one thread gives: the same
 * store, the same rejects with the same line numbers, in the same order. */
CKP_TEST(ingest_parallel_same_as_serial)
{
    REQUIRE(ref_());
    char *rej = NULL;
    same_by_two_threads(t_, ckp_test_path("tests/data/ingest/comtrade_dirty.csv"), &rej);
    CHECK(has_reject(rej, 15, "missing-field")); /* a line of the second half */
    free(rej);
}

/* Regression: the generic flows format is parsed by one thread even on the
 * parallel path, and that thread must read the whole file, not its first
 * half (it once silently kept only the rows before the split). */
CKP_TEST(ingest_parallel_flows_reads_whole_file)
{
    REQUIRE(ref_());
    const char *files[] = {ckp_test_path("data/flows/china-critmin-monthly/china_exports_monthly.csv")};
    ckp_ingest_stats s;
    ckp_error err;
    char *rej = NULL;
    setenv("CKP_INGEST_THREADS", "2", 1);
    setenv("CKP_INGEST_PAR_MIN", "1", 1);
    ckp_status st =
        run_ingest(tdir("parflows"), files, 1, CKP_INGEST_AUTO, NULL, 0, &s, &rej, &err);
    free(rej);
    unsetenv("CKP_INGEST_THREADS");
    unsetenv("CKP_INGEST_PAR_MIN");
    REQUIRE(st == CKP_OK);
    CHECK_INT(s.rows_read, 6442);
    CHECK_INT(s.rows_kept, 6442);
    CHECK_INT(s.rows_rejected, 0);
}

/* Lines in every form the plain path takes or hands on, repeated so that
 * both halves see them all; `variant` changes the line ends. */
static char *dirty_baci(const char *eol, const char *extra)
{
    static const char *const lines[] = {
        "2022,156,842,250410,819.239,236.466", "2022,156,842,10121,0.5,NA",
        "2022,156,392,811292,12.5,",           "2022,999,842,250410,1,1",
        "2022,156,842,380110,-3,1",            "2022,156,842",
        "2022,842,156,250410,nan,1",           "2022,842,156,250410,  1.25 ,  2",
        "2022,4,8,010121,.5,5.",               "2022,4,8,010122,.,1",
        "2022,4,8,010123,12345678.25,1",       "2022,4,8,010124,1e3,2E1",
        "2022,4,8,0101,1,1",                   "1899,4,8,010121,1,1",
        "2022,4,8,010125,1,1,7",               "",
        "2022, 4,8,010126,1,1",                "2022,004,008,010127,0001.500,0.000",
        "2022,4,8,010128,1234567890123456,1",  "2022,4,8,010129,\t1,1",
        "2022,4,8,01012A,1,1",                 "2022,8,4,010121,3.25,   NA  ",
        "22,4,8,010121,1,1",                   "2022,4,8,010121,7,8",
        "2022,1234,8,010121,1,1",              "2022.0,4,8,010130,1,1"};
    size_t cap = 1 << 20, len = 0;
    char *s = malloc(cap);
    len += (size_t)snprintf(s, cap, "t,i,j,k,v,q%s", eol);
    for (int rep = 0; rep < 40; rep++)
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
            char line[200];
            /* vary the years so that repeats are not duplicate keys */
            snprintf(line, sizeof line, "%s", lines[i]);
            if (strncmp(line, "2022", 4) == 0 && line[4] == ',')
                memcpy(line, rep % 2 ? "2021" : "2022", 4);
            if (rep >= 2 && strncmp(line, "2021", 4) == 0) {
                char y[8];
                snprintf(y, sizeof y, "%d", 1960 + rep);
                memcpy(line, y, 4);
            }
            len += (size_t)snprintf(s + len, cap - len, "%s%s", line, eol);
        }
    len += (size_t)snprintf(s + len, cap - len, "%s", extra);
    return s;
}

CKP_TEST(ingest_plain_baci_same_as_reader)
{
    REQUIRE(ref_());
    char *t = dirty_baci("\n", "2023,4,8,010121,9.5,1"); /* no final line feed */
    serial_vs_parallel(t_, "plain_BACI_HS17.csv", t);
    free(t);
    t = dirty_baci("\r\n", "");
    serial_vs_parallel(t_, "plain_crlf_BACI_HS17.csv", t);
    free(t);
    /* a quote (one reader over the whole file) and a bare CR (the same) */
    t = dirty_baci("\n", "2023,4,8,\"010121\",9.5,1\n");
    serial_vs_parallel(t_, "plain_quote_BACI_HS17.csv", t);
    free(t);
    t = dirty_baci("\n", "2023,4,8,010121,9.5,1\r2023,4,8,010122,9.5,1\n");
    serial_vs_parallel(t_, "plain_cr_BACI_HS17.csv", t);
    free(t);
}

/* Files of exactly a whole number of pages, their last lines at every
 * offset from the end of the mapping: the plain path must never read past
 * it (a read one byte beyond the last page faults). */
CKP_TEST(ingest_plain_baci_page_end)
{
    REQUIRE(ref_());
    for (int last = 20; last <= 63; last++) {
        size_t cap = 1 << 16;
        char *s = malloc(cap);
        REQUIRE(s);
        size_t len = (size_t)snprintf(s, cap, "t,i,j,k,v,q\n");
        for (int r = 0; r < 200; r++)
            len += (size_t)snprintf(s + len, cap - len, "2022,4,8,%06d,%d.5,%d\n", 10121 + r,
                                    r + 1, r);
        /* a last line of `last` bytes, its line feed included (q padded
         * with leading zeros), then the
         * first value padded with zeros so that the file ends on a page */
        char tail[128];
        int tl = snprintf(tail, sizeof tail, "2023,4,8,010121,1.5,");
        while (tl < last - 2)
            tail[tl++] = '0';
        tail[tl++] = '7';
        tail[tl++] = '\n';
        tail[tl] = 0;
        size_t total = len + (size_t)tl, want = (total + 4095) / 4096 * 4096;
        char *out = malloc(want + 1);
        REQUIRE(out);
        size_t pad = want - total, o = 0;
        o += (size_t)snprintf(out, want + 1, "t,i,j,k,v,q\n2022,4,8,010121,");
        memset(out + o, '0', pad);
        o += pad;
        const char *rest = strstr(s, "2022,4,8,010121,") + strlen("2022,4,8,010121,");
        memcpy(out + o, rest, len - (size_t)(rest - s));
        o += len - (size_t)(rest - s);
        memcpy(out + o, tail, (size_t)tl);
        o += (size_t)tl;
        out[o] = 0;
        CHECK_INT(o % 4096, 0);
        char name[64];
        snprintf(name, sizeof name, "page_end_%d_BACI_HS17.csv", last);
        serial_vs_parallel(t_, name, out);
        free(out);
        free(s);
    }
}

/* ---- the formats of issue 18 ------------------------------------------- */

/* The legacy Comtrade CSV, comtradr output and a ';' file with decimal
 * commas give on the parallel path (two threads, or one thread over the
 * whole file where names are looked up or the decimal mark is learnt) the
 * rows, rejects and lines of the serial path. */
CKP_TEST(ingest_formats_parallel_same_as_serial)
{
    REQUIRE(ref_());
    same_by_two_threads(t_, ckp_test_path("tests/data/ingest/comtrade_legacy.csv"), NULL);
    same_by_two_threads(t_, ckp_test_path("tests/data/ingest/comtradr.csv"), NULL);
    same_by_two_threads(t_, ckp_test_path("tests/data/ingest/flows_semicolon.csv"), NULL);
}

/* A Comtrade+ JSON response far larger than the reader's 64 KiB buffer:
 * every record read across the refills, the count checked, one bad record
 * rejected with its line. */
CKP_TEST(ingest_json_streams_many_records)
{
    REQUIRE(ref_());
    size_t cap = 4u << 20, len = 0;
    char *buf = malloc(cap);
    REQUIRE(buf);
    len += (size_t)snprintf(buf, cap, "{\"elapsedTime\":\"1 secs\",\"count\":3000,\"data\":[\n");
    for (int i = 0; i < 3000; i++)
        len += (size_t)snprintf(buf + len, cap - len,
                                "%s{\"period\":\"%d\",\"reporterCode\":842,\"partnerCode\":156,"
                                "\"flowCode\":\"M\",\"classificationCode\":\"H5\",\"cmdCode\":"
                                "\"%s\",\"primaryValue\":%s,\"netWgt\":1.5e3}\n",
                                i ? "," : "", 2000 + i % 20, i % 2 ? "250410" : "380110",
                                i == 2999 ? "\"x\"" : "12.5");
    len += (size_t)snprintf(buf + len, cap - len, "],\"error\":\"\"}");
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.replace = 1;
    ckp_ingest *ing;
    ckp_error err;
    REQUIRE(ckp_ingest_begin(tdir("json"), ref_(), &o, &ing, &err) == CKP_OK);
    CHECK(ckp_ingest_mem(ing, "big.json", buf, len, &err) == CKP_OK);
    const ckp_ingest_stats *st = ckp_ingest_get_stats(ing);
    CHECK_INT(st->rows_read, 3000);
    CHECK_INT(st->by_reason[CKP_REJ_VALUE], 1);
    /* 20 keys (i % 20 fixes both the period and the code): the other
     * records are duplicates, found at commit */
    ckp_ingest_stats fin;
    REQUIRE(ckp_ingest_commit(ing, &fin, &err) == CKP_OK);
    CHECK_INT(fin.store_rows, 20);
    CHECK_INT(fin.by_reason[CKP_REJ_DUPLICATE], 2979);
    free(buf);
}

/* gzip from memory (as the server and fuzzers hand it): the same counts as
 * the plain bytes; cut short, an error naming the truncation. */
CKP_TEST(ingest_gz_mem_and_truncated)
{
    REQUIRE(ref_());
    const char *text = "period,reporter,partner,flow,hs,value\n2023,USA,CHN,M,850110,5\n"
                       "2023,USA,CHN,M,850120,6\n2023,USA,XXX,M,850120,6\n";
    unsigned char gz[512];
    z_stream z;
    memset(&z, 0, sizeof z);
    REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    z.next_in = (unsigned char *)(uintptr_t)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = gz;
    z.avail_out = sizeof gz;
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    size_t n = sizeof gz - z.avail_out;
    deflateEnd(&z);
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.replace = 1;
    ckp_ingest *ing;
    ckp_error err;
    REQUIRE(ckp_ingest_begin(tdir("gz"), ref_(), &o, &ing, &err) == CKP_OK);
    CHECK(ckp_ingest_mem(ing, "a.csv.gz", (const char *)gz, n, &err) == CKP_OK);
    CHECK_INT(ckp_ingest_get_stats(ing)->rows_read, 3);
    CHECK_INT(ckp_ingest_get_stats(ing)->rows_kept, 2);
    CHECK_INT(ckp_ingest_get_stats(ing)->by_reason[CKP_REJ_PARTNER], 1);
    CHECK(ckp_ingest_mem(ing, "cut.csv.gz", (const char *)gz, n - 12, &err) != CKP_OK);
    CHECK(strstr(err.msg, "truncated") != NULL);
    ckp_ingest_abort(ing);
}

/* Comtrade's quantity unit codes are one table in the Comtrade+ and the
 * legacy files: 13 is carats, 11 dozens (no unit of the store's: OTHER). */
CKP_TEST(ingest_comtrade_unit_codes)
{
    REQUIRE(ref_());
    char path[1024];
    snprintf(path, sizeof path, "%s/units.csv", ckp_test_tmpdir());
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fputs("typeCode,freqCode,refYear,refMonth,period,reporterCode,flowCode,partnerCode,"
          "partner2Code,classificationCode,cmdCode,customsCode,mosCode,motCode,qtyUnitCode,"
          "qty,netWgt,cifvalue,fobvalue,primaryValue\n"
          "C,A,2022,52,2022,842,M,156,0,H6,710239,C00,0,0,13,500,0,900000,0,900000\n"
          "C,A,2022,52,2022,842,M,156,0,H6,610910,C00,0,0,11,700,0,800000,0,800000\n",
          f);
    fclose(f);
    const char *dir = tdir("units");
    const char *files[] = {path};
    ckp_ingest_stats st;
    char *rej = NULL;
    ckp_error err;
    REQUIRE(run_ingest(dir, files, 1, CKP_INGEST_AUTO, NULL, 1, &st, &rej, &err) == CKP_OK);
    free(rej);
    CHECK_INT(st.rows_kept, 2);
    found r = query(dir, "USA", "CHN", 710239, CKP_FLOW_IMPORT);
    REQUIRE(r.n == 1);
    CHECK_INT(r.rows[0].unit, CKP_UNIT_CARAT);
    r = query(dir, "USA", "CHN", 610910, CKP_FLOW_IMPORT);
    REQUIRE(r.n == 1);
    CHECK_INT(r.rows[0].unit, CKP_UNIT_OTHER);
}

/* A BACI release archive from memory (the path the server and the fuzz
 * harness take): its country table resolves the codes of its year files,
 * the product table and the Readme are skipped, a cut archive is an error
 * naming the archive. */
CKP_TEST(ingest_zip_mem_and_cut)
{
    REQUIRE(ref_());
    FILE *f = fopen(ckp_test_path("fuzz/corpus/ingest_zip/deflated.zip"), "rb");
    REQUIRE(f);
    static char zip[1 << 16];
    size_t n = fread(zip, 1, sizeof zip, f);
    fclose(f);
    REQUIRE(n > 100 && n < sizeof zip);
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.replace = 1;
    ckp_ingest *ing;
    ckp_error err;
    REQUIRE(ckp_ingest_begin(tdir("zip"), ref_(), &o, &ing, &err) == CKP_OK);
    CHECK(ckp_ingest_mem(ing, "seed.zip", zip, n, &err) == CKP_OK);
    const ckp_ingest_stats *st = ckp_ingest_get_stats(ing);
    CHECK_INT(st->rows_read, 6);
    CHECK_INT(st->rows_kept, 5); /* the duplicate key is found at commit */
    CHECK_INT(st->by_reason[CKP_REJ_PARTNER], 1); /* 0: not in the archive's table */
    CHECK_INT(st->archive_members, 2);
    CHECK_INT(st->archive_skipped, 2);
    CHECK(ckp_ingest_mem(ing, "cut.zip", zip, n / 2, &err) != CKP_OK);
    CHECK(strstr(err.msg, "damaged") != NULL);
    CHECK(strncmp(err.file, "cut.zip", 7) == 0);
    ckp_ingest_abort(ing);
}

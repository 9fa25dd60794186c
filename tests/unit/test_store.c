/* test_store.c — the flow store: round trip, merge and replace, duplicates,
 * index use, column access, checksums and truncation. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chokepoint/store.h"
#include "store/store_int.h" /* crc_checked: was a stamp used */
#include "test.h"

static ckp_ref *load_ref(void)
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

static const char *fresh_dir(const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", ckp_test_tmpdir(), name);
    return buf[k];
}

static int iso(const ckp_ref *ref, const char *c) { return ckp_ref_country_by_iso3(ref, c); }

static ckp_flow mk(const ckp_ref *ref, int32_t period, const char *rep, const char *par,
                   int flow, uint32_t hs, double value, double qty, int source)
{
    ckp_flow f;
    f.period = period;
    f.reporter = iso(ref, rep);
    f.partner = iso(ref, par);
    f.flow = flow;
    f.hs = hs;
    f.hs_edition = CKP_HS2017;
    f.value = value;
    f.value_alt = NAN;
    f.qty = qty;
    f.unit = isnan(qty) ? CKP_UNIT_NONE : CKP_UNIT_KG;
    f.source = source;
    return f;
}

typedef struct collect {
    ckp_flow rows[64];
    int n;
} collect;

static int collect_fn(const ckp_flow *row, void *ctx)
{
    collect *c = ctx;
    if (c->n < 64)
        c->rows[c->n] = *row;
    c->n++;
    return 0;
}

/* Write rows into dir (replace or merge); returns the commit status. */
static ckp_status write_rows(const ckp_ref *ref, const char *dir, int replace,
                             const char *source, const ckp_flow *rows, int n,
                             ckp_store_commit_stats *cs)
{
    ckp_store_writer *w;
    ckp_error err;
    ckp_status st = ckp_store_writer_begin(dir, ref, replace, &w, &err);
    if (st != CKP_OK)
        return st;
    int src = ckp_store_writer_source(w, source, 0);
    for (int i = 0; i < n; i++) {
        ckp_flow f = rows[i];
        f.source = src;
        st = ckp_store_writer_add_line(w, &f, (uint32_t)(i + 2), &err);
        if (st != CKP_OK) {
            ckp_store_writer_abort(w);
            return st;
        }
    }
    return ckp_store_writer_commit_stats(w, cs, &err);
}

CKP_TEST(store_roundtrip)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    REQUIRE(iso(ref, "USA") >= 0 && iso(ref, "CHN") >= 0);
    const char *dir = fresh_dir("rt");
    ckp_flow rows[5] = {
        mk(ref, 202300, "USA", "CHN", CKP_FLOW_IMPORT, 250410, 15468449.0, 9391920, 0),
        mk(ref, 202300, "CHN", "USA", CKP_FLOW_EXPORT, 250410, 819239.25, NAN, 0),
        mk(ref, 202208, "CHN", "JPN", CKP_FLOW_EXPORT, 811292, 1e11 + 0.5, 1234.5, 0),
        mk(ref, 202300, "USA", "CHN", CKP_FLOW_IMPORT, 10121, 7, 1, 0),
        mk(ref, 202300, "DEU", "CHN", CKP_FLOW_REEXPORT, 250410, 3, 2, 0)};
    rows[0].value_alt = 15000000.0;
    ckp_store_commit_stats cs;
    REQUIRE(write_rows(ref, dir, 1, "test", rows, 5, &cs) == CKP_OK);
    CHECK_INT(cs.rows_total, 5);
    ckp_store *s;
    ckp_error err;
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    ckp_store_info in;
    ckp_store_get_info(s, &in);
    CHECK_INT(in.rows, 5);
    CHECK_INT(in.reporters, 3);
    CHECK_INT(in.partners, 3);
    CHECK_INT(in.products, 3);
    CHECK_INT(in.periods, 2);
    CHECK_INT(in.sources, 1);
    CHECK(in.bytes > 0);
    CHECK_STR(ckp_store_source_name(s, 0), "test");
    ckp_query q;
    ckp_query_init(&q);
    collect c = {.n = 0};
    REQUIRE(ckp_store_scan(s, &q, collect_fn, &c, &err) == CKP_OK);
    REQUIRE(c.n == 5);
    /* order: HS code, then reporter (ISO3), partner, flow, period */
    CHECK_INT(c.rows[0].hs, 10121);
    CHECK_INT(c.rows[1].hs, 250410);
    CHECK_INT(c.rows[1].reporter, iso(ref, "CHN"));
    CHECK_INT(c.rows[2].reporter, iso(ref, "DEU"));
    CHECK_INT(c.rows[2].flow, CKP_FLOW_REEXPORT);
    CHECK_INT(c.rows[3].reporter, iso(ref, "USA"));
    CHECK_NEAR(c.rows[3].value, 15468449.0, 0);
    CHECK_NEAR(c.rows[3].value_alt, 15000000.0, 0);
    CHECK_NEAR(c.rows[3].qty, 9391920, 1);
    CHECK_INT(c.rows[3].unit, CKP_UNIT_KG);
    CHECK_INT(c.rows[3].hs_edition, CKP_HS2017);
    CHECK(isnan(c.rows[1].qty));
    CHECK(isnan(c.rows[1].value_alt));
    CHECK_NEAR(c.rows[1].value, 819239.25, 0);
    CHECK_NEAR(c.rows[4].value, 1e11 + 0.5, 0); /* value is a double: exact */
    CHECK_INT(c.rows[4].period, 202208);
    CHECK(ckp_store_reporter_has(s, iso(ref, "USA"), CKP_FLOW_IMPORT, 202300, 202300));
    CHECK(!ckp_store_reporter_has(s, iso(ref, "USA"), CKP_FLOW_EXPORT, 0, 0));
    CHECK(ckp_store_reporter_has(s, iso(ref, "CHN"), 0, 202300, 0));
    CHECK(!ckp_store_reporter_has(s, iso(ref, "CHN"), 0, 202301, 0));
    ckp_store_close(s);
}

/* The reporter index answers for the selected sources only: a synthetic
 * source that has China reporting in 2025 must not make 2025 a month of
 * zero trade for the real data (surge, the mirror fallback). */
CKP_TEST(store_reporter_has_by_source)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    const char *dir = fresh_dir("rhs");
    ckp_flow real[2] = {mk(ref, 202411, "CHN", "USA", CKP_FLOW_EXPORT, 811292, 5, 1, 0),
                        mk(ref, 202412, "CHN", "USA", CKP_FLOW_EXPORT, 811292, 6, 1, 0)};
    REQUIRE(write_rows(ref, dir, 1, "real", real, 2, NULL) == CKP_OK);
    ckp_store_writer *w;
    ckp_error err;
    REQUIRE(ckp_store_writer_begin(dir, ref, 0, &w, &err) == CKP_OK);
    int src = ckp_store_writer_source(w, "synth", 1);
    ckp_flow f = mk(ref, 202503, "CHN", "JPN", CKP_FLOW_EXPORT, 811292, 7, 1, 0);
    f.source = src;
    REQUIRE(ckp_store_writer_add_line(w, &f, 2, &err) == CKP_OK);
    REQUIRE(ckp_store_writer_commit_stats(w, NULL, &err) == CKP_OK);
    ckp_store *s;
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    int chn = iso(ref, "CHN");
    CHECK(ckp_store_reporter_has(s, chn, CKP_FLOW_EXPORT, 202503, 202503)); /* all selected */
    REQUIRE(ckp_store_select_sources(s, "real", &err) == CKP_OK);
    CHECK(!ckp_store_reporter_has(s, chn, CKP_FLOW_EXPORT, 202503, 202503));
    CHECK(ckp_store_reporter_has(s, chn, CKP_FLOW_EXPORT, 202412, 202412));
    REQUIRE(ckp_store_select_sources(s, "synthetic", &err) == CKP_OK);
    CHECK(ckp_store_reporter_has(s, chn, CKP_FLOW_EXPORT, 202503, 202503));
    CHECK(!ckp_store_reporter_has(s, chn, CKP_FLOW_EXPORT, 202412, 202412));
    CHECK(!ckp_store_reporter_has(s, iso(ref, "USA"), 0, 0, 0));
    /* never real and synthetic together: the selection is refused, naming
     * them, and the one before stays */
    ckp_error_clear(&err);
    CHECK_INT(ckp_store_select_sources(s, "all", &err), CKP_EUSAGE);
    CHECK(strstr(err.msg, "real sources (real) with synthetic ones (synth)") != NULL);
    CHECK_INT(ckp_store_select_sources(s, "real,synth", &err), CKP_EUSAGE);
    CHECK_INT(ckp_store_select_sources(s, "synthetic,real", &err), CKP_EUSAGE);
    CHECK(ckp_store_reporter_has(s, chn, CKP_FLOW_EXPORT, 202503, 202503));
    ckp_store_close(s);
}

typedef struct cols_acc {
    int blocks;
    size_t rows;
    ckp_store_cols last;
} cols_acc;

static int cols_fn(const ckp_store_cols *col, void *ctx)
{
    cols_acc *k = ctx;
    k->blocks++;
    k->rows += col->n;
    k->last = *col;
    return 0;
}

CKP_TEST(store_query_uses_index)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    const char *dir = fresh_dir("idx");
    static ckp_flow rows[3000];
    const char *reps[3] = {"USA", "CHN", "DEU"};
    int n = 0;
    for (int h = 0; h < 100; h++)
        for (int r = 0; r < 3; r++)
            for (int y = 0; y < 10; y++)
                rows[n++] = mk(ref, (2010 + y) * 100, reps[r], "FRA", CKP_FLOW_IMPORT,
                               (uint32_t)(100000 + h * 10), h * 1000 + r * 10 + y, NAN, 0);
    REQUIRE(write_rows(ref, dir, 1, "idx", rows, n, NULL) == CKP_OK);
    ckp_store *s;
    ckp_error err;
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    ckp_query q;
    ckp_query_init(&q);
    ckp_hsset *set = ckp_hsset_new();
    ckp_hsset_add(set, 100500);
    q.hs = set;
    q.reporter = iso(ref, "CHN");
    q.period_from = 201500;
    collect c = {.n = 0};
    REQUIRE(ckp_store_scan(s, &q, collect_fn, &c, &err) == CKP_OK);
    CHECK_INT(c.n, 5);
    for (int i = 0; i < c.n && i < 64; i++) {
        CHECK_INT(c.rows[i].hs, 100500);
        CHECK_INT(c.rows[i].reporter, iso(ref, "CHN"));
        CHECK_NEAR(c.rows[i].value, 50 * 1000 + 10 + 5 + i, 0);
    }
    /* column access: one block per product, narrowed to the reporter */
    cols_acc k = {0, 0, {0}};
    REQUIRE(ckp_store_scan_cols(s, &q, cols_fn, &k, &err) == CKP_OK);
    CHECK_INT(k.blocks, 1);
    CHECK_INT(k.rows, 10);
    CHECK_INT(k.last.hs, 100500);
    CHECK_INT(ckp_store_country_id(s, k.last.reporter[0]), iso(ref, "CHN"));
    CHECK_INT(ckp_store_period(s, k.last.period[0]), 201000);
    CHECK_INT(CKP_STORE_FLOW(k.last.flags[0]), 'M');
    ckp_query_init(&q);
    k = (cols_acc){0, 0, {0}};
    REQUIRE(ckp_store_scan_cols(s, &q, cols_fn, &k, &err) == CKP_OK);
    CHECK_INT(k.blocks, 100);
    CHECK_INT(k.rows, 3000);
    ckp_hsset_free(set);
    ckp_store_close(s);
}

CKP_TEST(store_reingest_replaces)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    const char *dir = fresh_dir("re");
    ckp_flow a[2] = {mk(ref, 202300, "USA", "CHN", CKP_FLOW_IMPORT, 250410, 100, 1, 0),
                     mk(ref, 202300, "USA", "JPN", CKP_FLOW_IMPORT, 250410, 200, 1, 0)};
    REQUIRE(write_rows(ref, dir, 1, "src1", a, 2, NULL) == CKP_OK);
    /* same rows again, one value changed: no doubling, the new value wins */
    a[1].value = 250;
    ckp_store_commit_stats cs;
    REQUIRE(write_rows(ref, dir, 0, "src1", a, 2, &cs) == CKP_OK);
    CHECK_INT(cs.rows_total, 2);
    CHECK_INT(cs.rows_replaced, 2);
    /* another source with the same key is kept beside it */
    REQUIRE(write_rows(ref, dir, 0, "src2", a, 1, &cs) == CKP_OK);
    CHECK_INT(cs.rows_total, 3);
    ckp_store *s;
    ckp_error err;
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    collect c = {.n = 0};
    ckp_query q;
    ckp_query_init(&q);
    q.partner = iso(ref, "JPN");
    REQUIRE(ckp_store_scan(s, &q, collect_fn, &c, &err) == CKP_OK);
    REQUIRE(c.n == 1);
    CHECK_NEAR(c.rows[0].value, 250, 0);
    CHECK_INT(ckp_store_source_count(s), 2);
    q.partner = -1;
    q.source = 1;
    c.n = 0;
    REQUIRE(ckp_store_scan(s, &q, collect_fn, &c, &err) == CKP_OK);
    CHECK_INT(c.n, 1);
    ckp_store_close(s);
    /* --replace drops everything */
    CHECK_INT(ckp_store_current_generation(dir), 3);
    REQUIRE(write_rows(ref, dir, 1, "src3", a, 1, &cs) == CKP_OK);
    CHECK_INT(cs.rows_total, 1);
    CHECK_INT(ckp_store_current_generation(dir), 4);
    CHECK_INT(ckp_store_current_generation(fresh_dir("no-such-store")), 0);
    /* only the current and the previous generation remain on disk */
    int gens = 0;
    for (int g = 1; g <= 6; g++) {
        char p[1100];
        snprintf(p, sizeof p, "%s/gen-%06d", dir, g);
        struct stat sb;
        gens += stat(p, &sb) == 0;
    }
    CHECK_INT(gens, 2);
}

typedef struct dups {
    int n;
    uint64_t kept, dup;
    uint32_t kept_line, dup_line;
} dups;

static void on_dup(uint64_t kept, uint32_t kept_line, uint64_t dup, uint32_t dup_line,
                   const ckp_flow *row, void *ctx)
{
    dups *d = ctx;
    d->n++;
    d->kept = kept;
    d->dup = dup;
    d->kept_line = kept_line;
    d->dup_line = dup_line;
    (void)row;
}

CKP_TEST(store_duplicates_rejected)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    const char *dir = fresh_dir("dup");
    ckp_store_writer *w;
    ckp_error err;
    REQUIRE(ckp_store_writer_begin(dir, ref, 1, &w, &err) == CKP_OK);
    dups d = {0, 0, 0, 0, 0};
    ckp_store_writer_on_duplicate(w, on_dup, &d);
    int src = ckp_store_writer_source(w, "d", 0);
    ckp_flow f = mk(ref, 202300, "USA", "CHN", CKP_FLOW_IMPORT, 250410, 100, 1, src);
    ckp_flow g = mk(ref, 202300, "USA", "CHN", CKP_FLOW_EXPORT, 250410, 5, 1, src);
    CHECK(ckp_store_writer_add_line(w, &f, 10, &err) == CKP_OK);
    CHECK(ckp_store_writer_add_line(w, &g, 11, &err) == CKP_OK);
    f.value = 999;
    CHECK(ckp_store_writer_add_line(w, &f, 12, &err) == CKP_OK);
    ckp_store_commit_stats cs;
    REQUIRE(ckp_store_writer_commit_stats(w, &cs, &err) == CKP_OK);
    CHECK_INT(d.n, 1);
    CHECK_INT(d.kept_line, 10);
    CHECK_INT(d.dup_line, 12);
    CHECK_INT(d.kept, 0);
    CHECK_INT(d.dup, 2);
    CHECK_INT(cs.rows_total, 2);
    CHECK_INT(cs.duplicates, 1);
    ckp_store *s;
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    collect c = {.n = 0};
    ckp_query q;
    ckp_query_init(&q);
    q.flow = CKP_FLOW_IMPORT;
    REQUIRE(ckp_store_scan(s, &q, collect_fn, &c, &err) == CKP_OK);
    REQUIRE(c.n == 1);
    CHECK_NEAR(c.rows[0].value, 100, 0); /* the first one is kept */
    ckp_store_close(s);
}

CKP_TEST(store_rejects_bad_rows)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    ckp_store_writer *w;
    ckp_error err;
    REQUIRE(ckp_store_writer_begin(fresh_dir("bad"), ref, 1, &w, &err) == CKP_OK);
    int src = ckp_store_writer_source(w, "b", 0);
    ckp_flow f = mk(ref, 202300, "USA", "CHN", CKP_FLOW_IMPORT, 250410, 100, 1, src);
    f.value = INFINITY;
    CHECK(ckp_store_writer_add(w, &f, &err) == CKP_EINVAL);
    f.value = 1;
    f.period = 202313;
    CHECK(ckp_store_writer_add(w, &f, &err) == CKP_EINVAL);
    f.period = 202300;
    f.hs = CKP_HS_KEY_MAX + 1; /* neither HS6 nor an aggregate key */
    CHECK(ckp_store_writer_add(w, &f, &err) == CKP_EINVAL);
    f.hs = 1;
    f.source = 5;
    CHECK(ckp_store_writer_add(w, &f, &err) == CKP_EINVAL);
    CHECK_INT(ckp_store_writer_rows(w), 0);
    ckp_store_writer_abort(w);
}

static void flip_byte(const char *path, long off)
{
    int fd = open(path, O_RDWR);
    if (fd < 0)
        return;
    unsigned char b;
    if (pread(fd, &b, 1, off) == 1) {
        b ^= 0x5A;
        if (pwrite(fd, &b, 1, off) != 1)
            perror("pwrite");
    }
    close(fd);
}

static void build_small(const ckp_ref *ref, const char *dir)
{
    ckp_flow a[3] = {mk(ref, 202300, "USA", "CHN", CKP_FLOW_IMPORT, 250410, 100, 1, 0),
                     mk(ref, 202301, "USA", "JPN", CKP_FLOW_IMPORT, 250410, 200, 1, 0),
                     mk(ref, 202302, "CHN", "JPN", CKP_FLOW_EXPORT, 811292, 300, 1, 0)};
    write_rows(ref, dir, 1, "c", a, 3, NULL);
}

CKP_TEST(store_checksum_refused)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    const char *dir = fresh_dir("crc");
    build_small(ref, dir);
    ckp_store *s;
    ckp_error err;
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    ckp_store_close(s);
    char path[1200];
    snprintf(path, sizeof path, "%s/gen-000001/value.f64", dir);
    flip_byte(path, 9);
    CHECK(ckp_store_open(dir, ref, &s, &err) == CKP_ECORRUPT);
    CHECK(strstr(err.file, "value.f64") != NULL);
    CHECK(strstr(err.msg, "checksum") != NULL);
    flip_byte(path, 9); /* restored */
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    ckp_store_close(s);
    /* a merge refuses to build on a corrupt store */
    snprintf(path, sizeof path, "%s/gen-000001/partner.u16", dir);
    flip_byte(path, 0);
    ckp_store_writer *w;
    CHECK(ckp_store_writer_begin(dir, ref, 0, &w, &err) == CKP_ECORRUPT);
    CHECK(strstr(err.file, "partner.u16") != NULL);
    /* the manifest itself */
    flip_byte(path, 0);
    snprintf(path, sizeof path, "%s/gen-000001/MANIFEST", dir);
    flip_byte(path, 30);
    CHECK(ckp_store_open(dir, ref, &s, &err) == CKP_ECORRUPT);
    CHECK(strstr(err.file, "MANIFEST") != NULL);
}

/* A store checked in full leaves a stamp; the next open of the unchanged
 * store trusts it and reads no column; a changed column is checked again
 * and refused; a fresh store (written in the last two seconds) is not
 * stamped, since file times may not yet show a change. */
CKP_TEST(store_verified_stamp)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    const char *dir = fresh_dir("stamp");
    build_small(ref, dir);
    char stamp[1200], path[1200];
    snprintf(stamp, sizeof stamp, "%s/gen-000001/.verified", dir);
    snprintf(path, sizeof path, "%s/gen-000001/value.f64", dir);
    ckp_store *s;
    ckp_error err;
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    CHECK(s->crc_checked > 0);
    ckp_store_close(s);
    CHECK(access(stamp, F_OK) != 0); /* too fresh */
    sleep(3);
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    CHECK(s->crc_checked > 0);
    ckp_store_close(s);
    CHECK(access(stamp, F_OK) == 0);
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    CHECK_INT(s->crc_checked, 0); /* the stamp vouched for every column */
    ckp_store_close(s);
    setenv("CKP_STORE_VERIFY", "1", 1);
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    CHECK(s->crc_checked > 0);
    ckp_store_close(s);
    unsetenv("CKP_STORE_VERIFY");
    flip_byte(path, 9);
    CHECK(ckp_store_open(dir, ref, &s, &err) == CKP_ECORRUPT);
    CHECK(strstr(err.file, "value.f64") != NULL);
    CHECK(strstr(err.msg, "checksum") != NULL);
}

CKP_TEST(store_truncated_refused)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    const char *dir = fresh_dir("trunc");
    build_small(ref, dir);
    char path[1200];
    snprintf(path, sizeof path, "%s/gen-000001/qty.f32", dir);
    REQUIRE(truncate(path, 5) == 0);
    ckp_store *s;
    ckp_error err;
    CHECK(ckp_store_open(dir, ref, &s, &err) == CKP_ECORRUPT);
    CHECK(strstr(err.file, "qty.f32") != NULL);
    CHECK(strstr(err.msg, "truncated") != NULL);
    /* a missing store */
    CHECK(ckp_store_open(fresh_dir("none"), ref, &s, &err) == CKP_ENOTFOUND);
}

CKP_TEST(store_empty_and_aggregates)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    const char *dir = fresh_dir("empty");
    REQUIRE(write_rows(ref, dir, 1, "e", NULL, 0, NULL) == CKP_OK);
    ckp_store *s;
    ckp_error err;
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    ckp_store_info in;
    ckp_store_get_info(s, &in);
    CHECK_INT(in.rows, 0);
    collect c = {.n = 0};
    ckp_query q;
    ckp_query_init(&q);
    CHECK(ckp_store_scan(s, &q, collect_fn, &c, &err) == CKP_OK);
    CHECK_INT(c.n, 0);
    ckp_store_close(s);
}

/* Every country and 500 monthly periods: the reporter × flow × period bitmap
 * is larger than the writer's file buffer (written straight through). */
CKP_TEST(store_large_dictionaries)
{
    ckp_ref *ref = load_ref();
    REQUIRE(ref);
    int nc = ckp_ref_country_count(ref);
    REQUIRE(nc > 200);
    static ckp_flow rows[2000];
    int n = 0;
    for (int c = 0; c < nc && n < 1000; c++) {
        rows[n] = mk(ref, 202000, "USA", "CHN", CKP_FLOW_IMPORT, 100000, 1, NAN, 0);
        rows[n].reporter = c;
        rows[n].partner = (c + 1) % nc;
        n++;
    }
    for (int p = 0; p < 500; p++)
        rows[n++] = mk(ref, (1980 + p / 12) * 100 + p % 12 + 1, "DEU", "FRA", CKP_FLOW_EXPORT,
                       200000, p, NAN, 0);
    const char *dir = fresh_dir("bigdict");
    REQUIRE(write_rows(ref, dir, 1, "big", rows, n, NULL) == CKP_OK);
    ckp_store *s;
    ckp_error err;
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    CHECK_INT(ckp_store_period_count(s), 501);
    CHECK(ckp_store_reporter_has(s, iso(ref, "DEU"), CKP_FLOW_EXPORT, 202108, 202108));
    CHECK(!ckp_store_reporter_has(s, iso(ref, "DEU"), CKP_FLOW_REIMPORT, 0, 0));
    CHECK(!ckp_store_reporter_has(s, iso(ref, "DEU"), CKP_FLOW_EXPORT, 202112, 0));
    CHECK(ckp_store_reporter_has(s, nc - 1, CKP_FLOW_IMPORT, 202000, 202000));
    ckp_store_close(s);
}

/* Rewrite gen-000001's MANIFEST as format `fmt` (its own CRC recomputed),
 * as an older or newer chokepoint would have written it. */
static int set_format(const char *dir, int fmt)
{
    char path[1200], buf[8192];
    snprintf(path, sizeof path, "%s/gen-000001/MANIFEST", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *body = strchr(buf, '\n'), *crc = strstr(buf, "\ncrc ");
    if (!body || !crc)
        return -1;
    crc[1] = '\0';
    char text[8300];
    int len = snprintf(text, sizeof text, "chokepoint-store %d%s", fmt, body);
    len += snprintf(text + len, sizeof text - (size_t)len, "crc %08x\n",
                    ckp__crc32c(0, text, (size_t)len));
    f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(text, 1, (size_t)len, f);
    return fclose(f) == 0 && w == (size_t)len ? 0 : -1;
}

static int count_rows(const ckp_store *s, int levels)
{
    ckp_query q;
    ckp_query_init(&q);
    q.levels = levels;
    collect c;
    c.n = 0;
    ckp_error err;
    return ckp_store_scan(s, &q, collect_fn, &c, &err) == CKP_OK ? c.n : -1;
}

/* Aggregate rows (TOTAL, chapter, heading keys) are stored in format 2 and
 * seen only by readers that ask for levels; a format 1 store (HS6 only) is
 * still read; a format 1 manifest over aggregate keys and an unknown format
 * are refused, naming the manifest. */
CKP_TEST(store_levels_and_formats)
{
    const ckp_ref *ref = load_ref();
    REQUIRE(ref);
    const char *dir = fresh_dir("levels");
    ckp_flow rows[3] = {mk(ref, 202300, "USA", "CHN", CKP_FLOW_IMPORT, 284690, 40, NAN, 0),
                        mk(ref, 202300, "USA", "CHN", CKP_FLOW_IMPORT, ckp_hs_key(28, 2), 300, NAN, 0),
                        mk(ref, 202300, "USA", "CHN", CKP_FLOW_IMPORT, ckp_hs_key(0, 0), 1000, NAN, 0)};
    REQUIRE(write_rows(ref, dir, 1, "s", rows, 3, NULL) == CKP_OK);
    ckp_store *s;
    ckp_error err;
    REQUIRE(ckp_store_open(dir, ref, &s, &err) == CKP_OK);
    CHECK_INT(count_rows(s, 0), 1);
    CHECK_INT(count_rows(s, 1), 3);
    ckp_store_close(s);
    REQUIRE(set_format(dir, 1) == 0);
    CHECK(ckp_store_open(dir, ref, &s, &err) == CKP_ECORRUPT);
    CHECK(strstr(err.file, "products.idx") != NULL);
    REQUIRE(set_format(dir, 3) == 0);
    CHECK(ckp_store_open(dir, ref, &s, &err) == CKP_ECORRUPT);
    CHECK(strstr(err.msg, "store format 3 is not supported") != NULL);
    /* HS6 only, as format 1 wrote it */
    const char *old = fresh_dir("levels-f1");
    REQUIRE(write_rows(ref, old, 1, "s", rows, 1, NULL) == CKP_OK);
    REQUIRE(set_format(old, 1) == 0);
    REQUIRE(ckp_store_open(old, ref, &s, &err) == CKP_OK);
    CHECK_INT(count_rows(s, 1), 1);
    ckp_store_close(s);
}

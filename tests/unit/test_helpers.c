/* test_helpers.c — the shared helpers of the ground floor: the bounded
 * vector (core/vec.h), reading a whole file (core/file.h), the CSV table
 * loader (io/csv_table.h) and the ISO3 of a country id (ref.h). */
#include <stdint.h>
#include <stdlib.h>

#include "chokepoint/ref.h"
#include "core/file.h"
#include "core/vec.h"
#include "io/csv_table.h"
#include "test.h"

static const char *write_tmp(const char *name, const char *text)
{
    static char path[1200];
    snprintf(path, sizeof path, "%s/%s", ckp_test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}

/* ---- vec --------------------------------------------------------------- */

CKP_TEST(vec_push_grows_and_zeroes)
{
    ckp_vec v;
    ckp_error err;
    ckp_vec_init(&v, sizeof(int), 1000, "ints");
    for (int i = 0; i < 1000; i++) {
        int *e = ckp_vec_push(&v, &err);
        REQUIRE(e != NULL);
        CHECK_INT(*e, 0);
        *e = i * 3;
    }
    CHECK_INT(v.n, 1000);
    CHECK(v.cap >= 1000 && v.cap <= 1000);
    CHECK_INT(*CKP_VEC_AT(&v, int, 999), 2997);
    ckp_vec_free(&v);
    CHECK(v.data == NULL);
    CHECK_INT(v.n, 0);
}

CKP_TEST(vec_limit_is_an_error_and_keeps_contents)
{
    ckp_vec v;
    ckp_error err;
    ckp_vec_init(&v, sizeof(double), 3, "values");
    double x = 1.5;
    for (int i = 0; i < 3; i++)
        CHECK_INT(ckp_vec_append(&v, &x, &err), CKP_OK);
    CHECK(ckp_vec_push(&v, &err) == NULL);
    CHECK_INT(err.code, CKP_ELIMIT);
    CHECK_STR(err.msg, "more than 3 values");
    CHECK_INT(ckp_vec_append(&v, &x, NULL), CKP_ELIMIT);
    CHECK_INT(v.n, 3);
    CHECK(*CKP_VEC_AT(&v, double, 2) == 1.5);
    double *taken = ckp_vec_take(&v);
    CHECK(taken != NULL && v.data == NULL && v.n == 0);
    free(taken);
}

CKP_TEST(vec_array_reserve_typed_and_overflow)
{
    struct {
        long *items;
        size_t n, cap;
    } a = {NULL, 0, 0};
    ckp_error err;
    CHECK_INT(CKP_ARRAY_RESERVE(a.items, a.cap, 5, 100, "items", &err), CKP_OK);
    CHECK(a.cap >= 5 && a.items != NULL);
    size_t cap = a.cap;
    CHECK_INT(CKP_ARRAY_RESERVE(a.items, a.cap, 101, 100, "items", &err), CKP_ELIMIT);
    CHECK_STR(err.msg, "more than 100 items");
    CHECK_INT(a.cap, cap);
    /* element size times count past SIZE_MAX: refused before realloc */
    CHECK_INT(ckp_array_reserve(&a.items, &a.cap, SIZE_MAX / 4, 64, SIZE_MAX, "big", &err),
              CKP_ENOMEM);
    CHECK_INT(a.cap, cap);
    CHECK_INT(CKP_ARRAY_RESERVE(a.items, a.cap, 100, 100, "items", NULL), CKP_OK);
    CHECK_INT(a.cap, 100);
    free(a.items);
}

/* ---- file -------------------------------------------------------------- */

CKP_TEST(file_read_whole_and_limit)
{
    const char *path = write_tmp("slurp.txt", "one\ntwo\n");
    REQUIRE(path);
    char *b = NULL;
    size_t n = 0;
    ckp_error err;
    CHECK_INT(ckp_file_read(path, 1 << 20, &b, &n, &err), CKP_OK);
    CHECK_INT(n, 8);
    CHECK_STR(b, "one\ntwo\n");
    free(b);
    CHECK_INT(ckp_file_read(path, 8, &b, &n, &err), CKP_OK);
    free(b);
    CHECK_INT(ckp_file_read(path, 7, &b, &n, &err), CKP_ELIMIT);
    CHECK(b == NULL);
    CHECK(strstr(err.file, "slurp.txt") != NULL);
    CHECK(strstr(err.msg, "larger than 7 bytes") != NULL);
    CHECK_INT(ckp_file_read("/nonexistent/x.txt", 100, &b, &n, &err), CKP_ENOTFOUND);
    CHECK_STR(err.file, "/nonexistent/x.txt");
}

CKP_TEST(file_read_large_crosses_chunks)
{
    size_t big = 300000;
    char *text = malloc(big + 1);
    REQUIRE(text);
    for (size_t i = 0; i < big; i++)
        text[i] = (char)('a' + i % 26);
    text[big] = '\0';
    const char *path = write_tmp("big.txt", text);
    char *b = NULL;
    size_t n = 0;
    CHECK_INT(ckp_file_read(path, big, &b, &n, NULL), CKP_OK);
    CHECK_INT(n, big);
    CHECK(b && memcmp(b, text, big) == 0 && b[big] == '\0');
    free(b);
    CHECK_INT(ckp_file_read(path, big - 1, &b, &n, NULL), CKP_ELIMIT);
    free(text);
}

/* ---- csv table --------------------------------------------------------- */

typedef struct rows {
    char seen[256];
    int n, stop_at;
} rows;

static ckp_status take_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    rows *r = ctx;
    ckp_field a = ckp_table_field(t, 0), b = ckp_table_field(t, 1), c = ckp_table_field(t, 2);
    size_t o = strlen(r->seen);
    snprintf(r->seen + o, sizeof r->seen - o, "%.*s=%.*s/%.*s;", (int)a.len, a.ptr ? a.ptr : "",
             (int)b.len, b.ptr ? b.ptr : "", (int)c.len, c.ptr ? c.ptr : "");
    if (++r->n == r->stop_at)
        return ckp_table_field_error(t, 1, err, CKP_EPARSE, "bad value");
    return CKP_OK;
}

CKP_TEST(csv_table_columns_by_name)
{
    const char *path = write_tmp("t1.csv", "x, Code ,name\n1, AB ,alpha\n2,CD,beta\n");
    static const char *const cols[] = {"name", "code|hs", "?missing", NULL};
    rows r = {"", 0, 0};
    ckp_table_spec spec = {.path = path, .cols = cols, .row = take_row, .ctx = &r};
    ckp_error err;
    CHECK_INT(ckp_table_load(&spec, &err), CKP_OK);
    CHECK_STR(r.seen, "alpha=AB/;beta=CD/;");
}

/* name,code columns of a file written with text; rows go to r. */
static const char *const name_code[] = {"name", "code", NULL};

static ckp_table_spec name_code_spec(const char *file, const char *text, rows *r)
{
    return (ckp_table_spec){
        .path = write_tmp(file, text), .cols = name_code, .row = take_row, .ctx = r};
}

CKP_TEST(csv_table_errors_name_file_line_field)
{
    rows r = {"", 0, 2};
    ckp_table_spec spec = name_code_spec("t2.csv", "name,code\na,1\nb,2\nc,3\n", &r);
    ckp_error err;
    CHECK_INT(ckp_table_load(&spec, &err), CKP_EPARSE);
    CHECK_INT(err.line, 3);
    CHECK(strstr(err.file, "t2.csv") != NULL);
    CHECK_STR(err.msg, "column \"code\": bad value");
    CHECK_INT(r.n, 2);

    static const char *const want[] = {"name", "?opt", "tier", NULL};
    spec.cols = want;
    CHECK_INT(ckp_table_load(&spec, &err), CKP_EPARSE);
    CHECK_INT(err.line, 1);
    CHECK_STR(err.msg, "no column \"tier\" in the header (it needs name, tier)");

    spec.path = "/nonexistent/t.csv";
    CHECK_INT(ckp_table_load(&spec, &err), CKP_ENOTFOUND);
    spec.missing_ok = 1;
    CHECK_INT(ckp_table_load(&spec, &err), CKP_OK);
}

static void count_bad(void *ctx, const ckp_error *bad)
{
    (void)bad;
    ++*(int *)ctx;
}

CKP_TEST(csv_table_bad_records_stop_or_skip)
{
    rows r = {"", 0, 0};
    ckp_table_spec spec = name_code_spec("t3.csv", "name,code\na,1\n\"b,2\nc\"x,3\n", &r);
    ckp_error err;
    CHECK(ckp_table_load(&spec, &err) != CKP_OK);
    CHECK(err.line >= 3);
    int bad = 0;
    memset(&r, 0, sizeof r);
    spec.on_bad = count_bad;
    spec.bad_ctx = &bad;
    CHECK_INT(ckp_table_load(&spec, &err), CKP_OK);
    CHECK_INT(bad, 1);
    CHECK_STR(r.seen, "a=1/;");
}

/* ---- ISO3 of a country id ---------------------------------------------- */

CKP_TEST(ref_iso3_of_id)
{
    ckp_ref *ref = NULL;
    ckp_error err;
    REQUIRE(ckp_ref_load(ckp_test_path("data"), &ref, &err) == CKP_OK);
    CHECK_STR(ckp_ref_iso3(ref, ckp_ref_country_by_iso3(ref, "DEU")), "DEU");
    CHECK_STR(ckp_ref_iso3(ref, -1), "?");
    CHECK_STR(ckp_ref_iso3(ref, ckp_ref_country_count(ref)), "?");
    CHECK_STR(ckp_ref_iso3(NULL, 0), "?");
    ckp_ref_free(ref);
}

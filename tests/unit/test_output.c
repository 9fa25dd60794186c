/* test_output.c — the row writer: CSV quoting, JSON Lines escaping and
 * nulls, table alignment and number formatting. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/output.h"
#include "core/grow.h"
#include "test.h"

static const ckp_column cols[] = {
    {"country", CKP_COL_STR, 0},
    {"rows", CKP_COL_INT, 0},
    {"share", CKP_COL_NUM, 3},
    {"value", CKP_COL_NUM, -1},
};
#define NCOLS (sizeof cols / sizeof *cols)

typedef struct sink {
    FILE *f;
    char *buf;
    size_t len;
} sink;

static ckp_writer *open_sink(sink *s, ckp_format fmt, const ckp_column *c, size_t n)
{
    s->buf = NULL;
    s->len = 0;
    s->f = open_memstream(&s->buf, &s->len);
    return s->f ? ckp_writer_new(s->f, fmt, c, n) : NULL;
}

/* Finish, free, and return the text written (caller frees). */
static char *close_sink(sink *s, ckp_writer *w, ckp_status *st)
{
    *st = ckp_writer_finish(w);
    ckp_writer_free(w);
    fclose(s->f);
    return s->buf;
}

/* Two rows that exercise every cell kind. */
static void two_rows(ckp_writer *w)
{
    ckp_writer_str(w, "Côte d'Ivoire, \"CIV\"");
    ckp_writer_int(w, 1234567);
    ckp_writer_num(w, 0.12345);
    ckp_writer_num(w, 2.5);
    ckp_writer_end_row(w);
    ckp_writer_str(w, "a\nb");
    ckp_writer_int(w, -5);
    ckp_writer_num(w, NAN);
    ckp_writer_null(w);
    ckp_writer_end_row(w);
}

CKP_TEST(output_csv_quoting)
{
    sink s;
    ckp_status st;
    ckp_writer *w = open_sink(&s, CKP_FMT_CSV, cols, NCOLS);
    REQUIRE(w);
    two_rows(w);
    char *out = close_sink(&s, w, &st);
    CHECK_INT(st, CKP_OK);
    CHECK_STR(out, "country,rows,share,value\n"
                   "\"Côte d'Ivoire, \"\"CIV\"\"\",1234567,0.123,2.5\n"
                   "\"a\nb\",-5,,\n");
    free(out);
    /* CR alone is quoted too; NULL strings are empty */
    w = open_sink(&s, CKP_FMT_CSV, cols, 1);
    REQUIRE(w);
    ckp_writer_str(w, "x\ry");
    ckp_writer_end_row(w);
    ckp_writer_str(w, NULL);
    ckp_writer_end_row(w);
    ckp_writer_strn(w, "abc,def", 3);
    ckp_writer_end_row(w);
    out = close_sink(&s, w, &st);
    CHECK_STR(out, "country\n\"x\ry\"\n\nabc\n");
    free(out);
    /* no rows: the header alone */
    w = open_sink(&s, CKP_FMT_CSV, cols, NCOLS);
    REQUIRE(w);
    out = close_sink(&s, w, &st);
    CHECK_STR(out, "country,rows,share,value\n");
    free(out);
}

CKP_TEST(output_json_escaping)
{
    sink s;
    ckp_status st;
    ckp_writer *w = open_sink(&s, CKP_FMT_JSON, cols, NCOLS);
    REQUIRE(w);
    two_rows(w);
    ckp_writer_str(w, "tab\there \\ \x01 \x1f \xE4\xB8\xAD");
    ckp_writer_int(w, 0);
    ckp_writer_num(w, INFINITY);
    ckp_writer_num(w, -0.0);
    ckp_writer_end_row(w);
    char *out = close_sink(&s, w, &st);
    CHECK_INT(st, CKP_OK);
    CHECK_STR(out,
              "{\"country\":\"Côte d'Ivoire, \\\"CIV\\\"\",\"rows\":1234567,\"share\":0.123,"
              "\"value\":2.5}\n"
              "{\"country\":\"a\\nb\",\"rows\":-5,\"share\":null,\"value\":null}\n"
              "{\"country\":\"tab\\there \\\\ \\u0001 \\u001f \xE4\xB8\xAD\",\"rows\":0,"
              "\"share\":null,\"value\":0}\n");
    free(out);
    /* no rows: nothing at all */
    w = open_sink(&s, CKP_FMT_JSON, cols, NCOLS);
    REQUIRE(w);
    out = close_sink(&s, w, &st);
    CHECK_STR(out, "");
    free(out);
}

CKP_TEST(output_json_raw_and_invalid_utf8)
{
    static const ckp_column c2[] = {{"name", CKP_COL_STR, 0}, {"hits", CKP_COL_JSON, 0}};
    sink s;
    ckp_status st;
    ckp_writer *w = open_sink(&s, CKP_FMT_JSON, c2, 2);
    REQUIRE(w);
    ckp_writer_str(w, "caf\xE9 \xC3\xA9 \xED\xA0\x80");
    ckp_writer_json(w, "[{\"id\":1}]");
    ckp_writer_end_row(w);
    char *out = close_sink(&s, w, &st);
    /* invalid bytes become U+FFFD so every line is valid JSON; a raw JSON cell
     * is written as is */
    CHECK_STR(out, "{\"name\":\"caf\\ufffd \xC3\xA9 \\ufffd\\ufffd\\ufffd\",\"hits\":[{\"id\":1}]}\n");
    free(out);
    /* a NUL inside a string cell is kept: \u0000 in JSON, the byte in CSV */
    w = open_sink(&s, CKP_FMT_JSON, c2, 1);
    REQUIRE(w);
    ckp_writer_strn(w, "a\0b", 3);
    ckp_writer_end_row(w);
    out = close_sink(&s, w, &st);
    CHECK_STR(out, "{\"name\":\"a\\u0000b\"}\n");
    free(out);
    w = open_sink(&s, CKP_FMT_CSV, c2, 1);
    REQUIRE(w);
    ckp_writer_strn(w, "a\0b,", 4);
    ckp_writer_end_row(w);
    out = close_sink(&s, w, &st);
    CHECK_INT(s.len, 12);
    CHECK(memcmp(out, "name\n\"a\0b,\"\n", 12) == 0);
    free(out);
    /* the same raw JSON in CSV is quoted text */
    w = open_sink(&s, CKP_FMT_CSV, c2, 2);
    REQUIRE(w);
    ckp_writer_str(w, "x");
    ckp_writer_json(w, "[{\"id\":1}]");
    ckp_writer_end_row(w);
    out = close_sink(&s, w, &st);
    CHECK_STR(out, "name,hits\nx,\"[{\"\"id\"\":1}]\"\n");
    free(out);
}

CKP_TEST(output_table_alignment)
{
    sink s;
    ckp_status st;
    ckp_writer *w = open_sink(&s, CKP_FMT_TABLE, cols, NCOLS);
    REQUIRE(w);
    ckp_writer_str(w, "Türkiye");
    ckp_writer_int(w, 1234567);
    ckp_writer_num(w, 0.5);
    ckp_writer_num(w, 12.25);
    ckp_writer_end_row(w);
    ckp_writer_str(w, "USA");
    ckp_writer_int(w, -42);
    ckp_writer_num(w, 1234.5678);
    ckp_writer_null(w);
    ckp_writer_end_row(w);
    char *out = close_sink(&s, w, &st);
    CHECK_INT(st, CKP_OK);
    /* text left-aligned (width in characters, not bytes), numbers right-
     * aligned with thousands separators, two spaces between columns, no
     * trailing blanks */
    CHECK_STR(out, "country       rows      share  value\n"
                   "Türkiye  1,234,567      0.500  12.25\n"
                   "USA            -42  1,234.568\n");
    free(out);
}

CKP_TEST(output_numbers)
{
    char buf[600];
    CHECK_STR(ckp_format_thousands(1234567.891, 2, buf, sizeof buf), "1,234,567.89");
    CHECK_STR(ckp_format_thousands(-1234.6, 0, buf, sizeof buf), "-1,235");
    CHECK_STR(ckp_format_thousands(999, 0, buf, sizeof buf), "999");
    CHECK_STR(ckp_format_thousands(0, 3, buf, sizeof buf), "0.000");
    /* a huge value is not truncated */
    ckp_format_thousands(1e300, 0, buf, sizeof buf);
    CHECK_INT(strlen(buf), 301 + 100);
    /* a small buffer truncates safely */
    char small[6];
    CHECK_STR(ckp_format_thousands(1234567, 0, small, sizeof small), "1,234");

    static const ckp_column c1[] = {{"n", CKP_COL_INT, 0}, {"x", CKP_COL_NUM, -1}};
    sink s;
    ckp_status st;
    ckp_writer *w = open_sink(&s, CKP_FMT_TABLE, c1, 2);
    REQUIRE(w);
    ckp_writer_int(w, 9007199254740993LL); /* 2^53 + 1: exact, not via double */
    ckp_writer_num(w, 0.1 + 0.2);          /* shortest exact: 17 digits */
    ckp_writer_end_row(w);
    char *out = close_sink(&s, w, &st);
    CHECK_STR(out, "                    n                    x\n"
                   "9,007,199,254,740,993  0.30000000000000004\n");
    free(out);
    w = open_sink(&s, CKP_FMT_CSV, c1, 2);
    REQUIRE(w);
    ckp_writer_int(w, -9223372036854775807LL - 1);
    ckp_writer_num(w, 0.1);
    ckp_writer_end_row(w);
    ckp_writer_int(w, 0);
    ckp_writer_num(w, 1e21);
    ckp_writer_end_row(w);
    out = close_sink(&s, w, &st);
    CHECK_STR(out, "n,x\n-9223372036854775808,0.1\n0,1e+21\n");
    free(out);
}

CKP_TEST(output_format_parse)
{
    ckp_format f = CKP_FMT_TABLE;
    CHECK_INT(ckp_format_parse("csv", &f), CKP_OK);
    CHECK_INT(f, CKP_FMT_CSV);
    CHECK_INT(ckp_format_parse("json", &f), CKP_OK);
    CHECK_INT(f, CKP_FMT_JSON);
    CHECK_INT(ckp_format_parse("jsonl", &f), CKP_OK);
    CHECK_INT(f, CKP_FMT_JSON);
    CHECK_INT(ckp_format_parse("table", &f), CKP_OK);
    CHECK_INT(f, CKP_FMT_TABLE);
    CHECK_INT(ckp_format_parse("xml", &f), CKP_EINVAL);
    CHECK_INT(ckp_format_parse("", &f), CKP_EINVAL);
    /* a memory stream is not a terminal: CSV */
    sink s;
    s.buf = NULL;
    s.f = open_memstream(&s.buf, &s.len);
    REQUIRE(s.f);
    CHECK_INT(ckp_format_default(s.f), CKP_FMT_CSV);
    fclose(s.f);
    free(s.buf);
}

CKP_TEST(output_many_rows)
{
    /* more rows than one table block (4096) all come out */
    static const ckp_column c1[] = {{"i", CKP_COL_INT, 0}};
    sink s;
    ckp_status st;
    ckp_writer *w = open_sink(&s, CKP_FMT_TABLE, c1, 1);
    REQUIRE(w);
    for (int i = 0; i < 5000; i++) {
        ckp_writer_int(w, i);
        CHECK_INT(ckp_writer_end_row(w), CKP_OK);
    }
    char *out = close_sink(&s, w, &st);
    CHECK_INT(st, CKP_OK);
    int lines = 0;
    for (char *p = out; *p; p++)
        lines += *p == '\n';
    CHECK_INT(lines, 5001);
    CHECK(strstr(out, "4,999\n") != NULL);
    free(out);
}

/* ckp__grow: parallel arrays grow together and keep their contents; a size
 * that cannot be allocated fails without losing or leaking any of them. */
CKP_TEST(core_grow_parallel)
{
    int *a = NULL;
    double *b = NULL;
    CHECK_INT(ckp__grow(4, CKP__GROW(a), CKP__GROW(b), (void *)0), 0);
    REQUIRE(a && b);
    for (int i = 0; i < 4; i++) {
        a[i] = i;
        b[i] = i / 2.0;
    }
    CHECK_INT(ckp__grow(1000, CKP__GROW(a), CKP__GROW(b), (void *)0), 0);
    CHECK(a[3] == 3 && b[3] == 1.5);
    a[999] = 7;
    b[999] = 7;
    /* an element count whose bytes overflow size_t: refused, arrays intact */
    CHECK_INT(ckp__grow((size_t)-1 / 2, CKP__GROW(a), CKP__GROW(b), (void *)0), -1);
    CHECK(a[3] == 3 && b[3] == 1.5 && a[999] == 7 && b[999] == 7);
    free(a);
    free(b);
}

CKP_TEST(output_json_dump_shortest)
{
    /* jansson values out with reals as people write them (the API and the
     * report); jansson's json_dumps writes 0.90000000000000002 */
    json_t *doc = json_pack("{s:f, s:f, s:f, s:I, s:f, s:[f, f], s:s, s:n, s:b}", "score", 0.9,
                            "share", 0.8843, "exact", 0.1 + 0.2, "n", (json_int_t)42, "whole",
                            1.0, "list", 1e21, -0.5, "text", "a\"b\n\xC3\xA9", "none", "ok", 1);
    REQUIRE(doc);
    char *out = ckp_json_dumps(doc, 0);
    CHECK_STR(out, "{\"score\":0.9,\"share\":0.8843,\"exact\":0.30000000000000004,\"n\":42,"
                   "\"whole\":1.0,\"list\":[1e+21,-0.5],\"text\":\"a\\\"b\\n\xC3\xA9\","
                   "\"none\":null,\"ok\":true}");
    free(out);
    /* every real reads back as the same double */
    out = ckp_json_dumps(doc, 1);
    REQUIRE(out);
    json_t *back = json_loads(out, 0, NULL);
    REQUIRE(back);
    CHECK(json_equal(doc, back));
    CHECK(strncmp(out, "{\"exact\":", 9) == 0); /* sorted keys */
    json_decref(back);
    free(out);
    json_decref(doc);
    char buf[64];
    CHECK_STR(ckp_format_shortest(0.9, buf, sizeof buf), "0.9");
    CHECK_STR(ckp_format_shortest(1.0 / 3, buf, sizeof buf), "0.3333333333333333"); /* 16 */
}

CKP_TEST(output_table_fit)
{
    /* fitted to 24 columns: the key column first, a number never cut, a
     * long name cut and marked, long text wrapped under its row (a word
     * longer than the line broken), East Asian characters two columns
     * wide, and what was left out said after the table */
    static const ckp_column c3[] = {{"name", CKP_COL_STR, 0}, {"n", CKP_COL_INT, 0},
                                    {"note", CKP_COL_STR, 0}, {"extra", CKP_COL_STR, 0}};
    sink s;
    ckp_status st;
    ckp_writer *w = open_sink(&s, CKP_FMT_TABLE, c3, 4);
    REQUIRE(w);
    ckp_writer_fit(w, 24);
    ckp_writer_hint(w, "n", "note");
    ckp_writer_str(w, "中国 China Peoples Republic");
    ckp_writer_int(w, 1234567);
    ckp_writer_str(w, "short words then averyveryverylongwordthatbreaks");
    ckp_writer_str(w, "x");
    ckp_writer_end_row(w);
    char *out = close_sink(&s, w, &st);
    CHECK_INT(st, CKP_OK);
    CHECK_STR(out, "        n  name\n"
                   "1,234,567  中国 China P…\n"
                   "    short words then\n"
                   "    averyveryverylongwor\n"
                   "    dthatbreaks\n"
                   "\n"
                   "1 column not shown:\n"
                   "extra. 1 cell shortened\n"
                   "(…). --wide shows every\n"
                   "column in full.\n");
    free(out);
    /* width 0: the table as it always was */
    w = open_sink(&s, CKP_FMT_TABLE, c3, 2);
    REQUIRE(w);
    ckp_writer_fit(w, 0);
    ckp_writer_hint(w, "n", NULL);
    ckp_writer_str(w, "a");
    ckp_writer_int(w, 1);
    ckp_writer_end_row(w);
    out = close_sink(&s, w, &st);
    CHECK_STR(out, "name  n\na     1\n");
    free(out);
}

/* The tail (provenance, coverage) reads the row's own cells by name, sees
 * every row of a table too (writing no cell there), and its context is
 * freed with the writer when it is given to it. */
typedef struct tail_seen {
    int rows;
    char country[64];
    int freed;
} tail_seen;

static void tail_fill(void *ctx, ckp_writer *w)
{
    tail_seen *t = ctx;
    const char *c = ckp_writer_cell(w, "country");
    snprintf(t->country, sizeof t->country, "%s", c ? c : "(null)");
    t->rows++;
    if (ckp_writer_format(w) != CKP_FMT_TABLE)
        ckp_writer_str(w, t->country);
}

static void tail_free_seen(void *ctx) { ((tail_seen *)ctx)->freed++; }

CKP_TEST(output_tail_reads_row_cells)
{
    static const ckp_column tail[] = {{"echo", CKP_COL_STR, 0}};
    for (int f = 0; f < 3; f++) {
        ckp_format fmt = f == 0 ? CKP_FMT_CSV : f == 1 ? CKP_FMT_JSON : CKP_FMT_TABLE;
        sink s;
        tail_seen t = {0, "", 0};
        ckp_writer *w = open_sink(&s, fmt, cols, NCOLS);
        CHECK(w != NULL);
        if (!w)
            return;
        CHECK(ckp_writer_tail(w, tail, 1, tail_fill, &t) == CKP_OK);
        ckp_writer_tail_free(w, tail_free_seen);
        CHECK(ckp_writer_tail_ctx(w) == &t);
        CHECK(ckp_writer_cell(w, "country") == NULL); /* no cell given yet */
        ckp_writer_str(w, "POL");
        CHECK(ckp_writer_cell(w, "country") && strcmp(ckp_writer_cell(w, "country"), "POL") == 0);
        CHECK(ckp_writer_cell(w, "rows") == NULL);    /* not given yet */
        CHECK(ckp_writer_cell(w, "nosuch") == NULL);
        for (int k = 0; k < 3; k++)
            ckp_writer_null(w);
        ckp_writer_end_row(w);
        ckp_writer_str(w, "CHN");
        for (int k = 0; k < 3; k++)
            ckp_writer_null(w);
        ckp_writer_end_row(w);
        CHECK(t.rows == 2);
        CHECK(strcmp(t.country, "CHN") == 0);
        ckp_status st;
        char *out = close_sink(&s, w, &st);
        CHECK(st == CKP_OK);
        CHECK(t.freed == 1);
        if (fmt == CKP_FMT_CSV)
            CHECK(out && strstr(out, "country,rows,share,value,echo\nPOL,,,,POL\nCHN,,,,CHN\n"));
        else if (fmt == CKP_FMT_JSON)
            CHECK(out && strstr(out, "\"echo\":\"POL\"}") && strstr(out, "\"echo\":\"CHN\"}"));
        else
            CHECK(out && !strstr(out, "echo")); /* the table leaves the tail out */
        free(out);
    }
}

/* test_sink.c — the writer's sinks (FILE, row callback, null) and the
 * column check: a row with a missing or an extra cell fails, loudly, in
 * every sink; a correct row passes; the row sink's jansson object is what
 * parsing the JSON Lines text gave. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/output.h"
#include "test.h"

static const ckp_column cols[] = {
    {"country", CKP_COL_STR, 0},
    {"rows", CKP_COL_INT, 0},
    {"share", CKP_COL_NUM, 2},
    {"extra", CKP_COL_JSON, 0},
};
#define NCOLS (sizeof cols / sizeof *cols)

enum { SINK_TABLE, SINK_CSV, SINK_JSON, SINK_ROWS, SINK_NULL, NSINKS };

typedef struct got {
    json_t *rows; /* what the row sink handed over */
    FILE *f;
    char *buf;
    size_t len;
} got;

static ckp_status keep_row(void *ctx, const ckp_row *row, ckp_error *err)
{
    got *g = ctx;
    json_t *o = ckp_row_json(row);
    if (!o)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "row %zu: not kept", row->index);
    json_array_append_new(g->rows, o);
    return CKP_OK;
}

static ckp_writer *open_kind(int kind, got *g, const ckp_column *c, size_t n)
{
    memset(g, 0, sizeof *g);
    g->rows = json_array();
    if (kind == SINK_ROWS)
        return ckp_writer_new_rows(c, n, keep_row, g);
    if (kind == SINK_NULL)
        return ckp_writer_new_null(c, n);
    g->f = open_memstream(&g->buf, &g->len);
    ckp_format fmt = kind == SINK_TABLE ? CKP_FMT_TABLE : kind == SINK_CSV ? CKP_FMT_CSV
                                                                           : CKP_FMT_JSON;
    return g->f ? ckp_writer_new(g->f, fmt, c, n) : NULL;
}

static void close_kind(got *g)
{
    if (g->f)
        fclose(g->f);
    free(g->buf);
    json_decref(g->rows);
}

/* One cell per column, then the row's end: its status. */
static ckp_status good_row(ckp_writer *w, const char *country)
{
    ckp_writer_str(w, country);
    ckp_writer_int(w, 12);
    ckp_writer_num(w, 0.5);
    ckp_writer_json(w, "[\"a\",1]");
    return ckp_writer_end_row(w);
}

CKP_TEST(sink_correct_rows_pass)
{
    for (int k = 0; k < NSINKS; k++) {
        got g;
        ckp_writer *w = open_kind(k, &g, cols, NCOLS);
        REQUIRE(w);
        CHECK_INT(good_row(w, "POL") + good_row(w, "CHN"), CKP_OK);
        CHECK_INT(ckp_writer_finish(w), CKP_OK);
        CHECK_INT(ckp_writer_count(w), 2);
        ckp_error err;
        ckp_error_clear(&err);
        CHECK_INT(ckp_writer_check(w, CKP_OK, &err), CKP_OK);
        CHECK_INT(err.code, CKP_OK);
        ckp_writer_free(w);
        if (g.f)
            fflush(g.f);
        if (k == SINK_ROWS) {
            CHECK_INT(json_array_size(g.rows), 2);
            char *s = ckp_json_dumps(json_array_get(g.rows, 1), 0);
            CHECK_STR(s, "{\"country\":\"CHN\",\"rows\":12,\"share\":0.5,\"extra\":[\"a\",1]}");
            free(s);
        } else if (k == SINK_NULL) {
            CHECK_INT(json_array_size(g.rows), 0);
        } else {
            CHECK(g.buf && strstr(g.buf, "CHN"));
        }
        close_kind(&g);
    }
}

/* A row with one cell too few or too many fails in every sink, names the
 * column and is not written; the writer's check and finish fail too. */
static void check_bad_row(ckp_test_ctx *t_, int extra)
{
    for (int k = 0; k < NSINKS; k++) {
        got g;
        ckp_writer *w = open_kind(k, &g, cols, NCOLS);
        REQUIRE(w);
        CHECK_INT(good_row(w, "POL"), CKP_OK);
        ckp_writer_str(w, "BAD");
        ckp_writer_int(w, 1);
        if (extra) {
            ckp_writer_num(w, 0.25);
            ckp_writer_json(w, "1");
            ckp_writer_str(w, "one too many");
        } else {
            ckp_writer_num(w, 0.25); /* "extra" missing */
        }
        CHECK_INT(ckp_writer_end_row(w), CKP_EINTERNAL);
        CHECK_INT(ckp_writer_count(w), 1);
        ckp_error err;
        ckp_error_clear(&err);
        CHECK_INT(ckp_writer_check(w, CKP_OK, &err), CKP_EINTERNAL);
        CHECK(strstr(err.msg, "row 2") != NULL);
        CHECK(strstr(err.msg, "\"extra\"") != NULL);
        CHECK(strstr(err.msg, extra ? "5 cells for the 4 columns" : "3 cells for the 4 columns"));
        /* later rows fail too: the answer is broken */
        CHECK_INT(good_row(w, "CHN"), CKP_EINTERNAL);
        CHECK_INT(ckp_writer_finish(w), CKP_EINTERNAL);
        ckp_writer_free(w);
        if (g.f)
            fflush(g.f);
        CHECK(!g.buf || !strstr(g.buf, "BAD"));
        CHECK(!g.buf || !strstr(g.buf, "CHN"));
        CHECK_INT(json_array_size(g.rows), k == SINK_ROWS ? 1 : 0);
        close_kind(&g);
    }
}

CKP_TEST(sink_missing_cell_fails) { check_bad_row(t_, 0); }

CKP_TEST(sink_extra_cell_fails) { check_bad_row(t_, 1); }

/* A tail that fills one cell too few fails the row as well. */
static void short_fill(void *ctx, ckp_writer *w)
{
    (void)ctx;
    if (ckp_writer_format(w) != CKP_FMT_TABLE)
        ckp_writer_str(w, "only one");
}

CKP_TEST(sink_tail_checked)
{
    static const ckp_column tail[] = {{"sources", CKP_COL_STR, 0}, {"caveat", CKP_COL_STR, 0}};
    for (int k = 0; k < NSINKS; k++) {
        got g;
        ckp_writer *w = open_kind(k, &g, cols, NCOLS);
        REQUIRE(w);
        CHECK_INT(ckp_writer_tail(w, tail, 2, short_fill, NULL), CKP_OK);
        CHECK_INT(good_row(w, "POL"), k == SINK_TABLE ? CKP_OK : CKP_EINTERNAL);
        ckp_error err;
        ckp_error_clear(&err);
        ckp_writer_check(w, CKP_OK, &err);
        if (k != SINK_TABLE)
            CHECK(strstr(err.msg, "\"caveat\"") != NULL);
        ckp_writer_free(w);
        close_kind(&g);
    }
}

/* The row sink's object is what parsing the JSON Lines text gives, byte for
 * byte once dumped: fixed decimals, integers, big numbers, invalid UTF-8,
 * raw JSON, nulls. */
CKP_TEST(sink_rows_match_json_text)
{
    static const ckp_column c[] = {
        {"s", CKP_COL_STR, 0},  {"i", CKP_COL_INT, 0},  {"d2", CKP_COL_NUM, 2},
        {"d0", CKP_COL_NUM, 0}, {"sh", CKP_COL_NUM, -1}, {"j", CKP_COL_JSON, 0},
        {"n", CKP_COL_NUM, 3},
    };
    const size_t n = sizeof c / sizeof *c;
    got gj, gr;
    ckp_writer *wj = open_kind(SINK_JSON, &gj, c, n);
    ckp_writer *wr = open_kind(SINK_ROWS, &gr, c, n);
    REQUIRE(wj && wr);
    for (int r = 0; r < 3; r++) {
        ckp_writer *ws[2] = {wj, wr};
        for (int k = 0; k < 2; k++) {
            ckp_writer *w = ws[k];
            ckp_writer_str(w, r == 0 ? "Côte \"d'Ivoire\"\n" : r == 1 ? "bad \xff byte" : NULL);
            ckp_writer_int(w, r == 2 ? -9007199254740993LL : 42);
            ckp_writer_num(w, r == 0 ? 12.5 : -0.001);
            ckp_writer_num(w, r == 1 ? 1234.6 : 1e15);
            ckp_writer_num(w, r == 0 ? 0.1 : 3.0);
            ckp_writer_json(w, r == 0 ? "{\"a\":[true,null]}" : "false");
            ckp_writer_null(w);
            CHECK_INT(ckp_writer_end_row(w), CKP_OK);
        }
    }
    CHECK_INT(ckp_writer_finish(wj), CKP_OK);
    CHECK_INT(ckp_writer_finish(wr), CKP_OK);
    fflush(gj.f);
    char *p = gj.buf;
    for (size_t r = 0; r < 3; r++) {
        char *nl = strchr(p, '\n');
        REQUIRE(nl);
        json_t *parsed = json_loadb(p, (size_t)(nl - p), 0, NULL);
        REQUIRE(parsed);
        char *want = ckp_json_dumps(parsed, 0);
        char *have = ckp_json_dumps(json_array_get(gr.rows, r), 0);
        CHECK_STR(have, want);
        free(want);
        free(have);
        json_decref(parsed);
        p = nl + 1;
    }
    ckp_writer_free(wj);
    ckp_writer_free(wr);
    close_kind(&gj);
    close_kind(&gr);
}

/* A callback that fails stops the rows: its status and words come back. */
static ckp_status refuse(void *ctx, const ckp_row *row, ckp_error *err)
{
    (void)ctx;
    return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "row %zu: too much", row->index + 1);
}

CKP_TEST(sink_rows_callback_fails)
{
    ckp_writer *w = ckp_writer_new_rows(cols, NCOLS, refuse, NULL);
    REQUIRE(w);
    CHECK_INT(good_row(w, "POL"), CKP_ELIMIT);
    ckp_error err;
    ckp_error_clear(&err);
    CHECK_INT(ckp_writer_check(w, CKP_OK, &err), CKP_ELIMIT);
    CHECK_STR(err.msg, "row 1: too much");
    CHECK_INT(ckp_writer_count(w), 0);
    ckp_writer_free(w);
}

/* match_output.c — match hits as rows of the output formats (table, CSV,
 * JSON Lines): one row per hit, or one per query with its hits as JSON. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/vec.h"
#include "match_int.h"

/* ---- output ------------------------------------------------------------- */

static const ckp_column json_cols[] = {{"query", CKP_COL_STR, 0}, {"hits", CKP_COL_JSON, 0}};
static const ckp_column row_cols[] = {
    {"query", CKP_COL_STR, 0},        {"rank", CKP_COL_INT, 0},     {"id", CKP_COL_STR, 0},
    {"name", CKP_COL_STR, 0},         {"matched_name", CKP_COL_STR, 0},
    {"list", CKP_COL_STR, 0},         {"program", CKP_COL_STR, 0},
    {"countries", CKP_COL_STR, 0},    {"score", CKP_COL_NUM, 3},
    {"explanation", CKP_COL_STR, 0}};

const ckp_column *ckp_match_columns(ckp_format fmt, size_t *ncols)
{
    if (fmt == CKP_FMT_JSON) {
        *ncols = 2;
        return json_cols;
    }
    *ncols = sizeof row_cols / sizeof row_cols[0];
    return row_cols;
}

/* A growable text buffer for the hits JSON; a failed append sets failed
 * (the buffer is then not written). */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    int failed;
} sbuf;

#define SB_MAX ((size_t)64 << 20) /* one query's hits as JSON */

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->failed || CKP_ARRAY_RESERVE(b->p, b->cap, b->n + n + 1, SB_MAX, "bytes of hits",
                                       NULL) != CKP_OK) {
        b->failed = 1;
        return;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_str(sbuf *b, const char *s)
{
    sb_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char e[8];
        if (*p == '"' || *p == '\\') {
            e[0] = '\\';
            e[1] = (char)*p;
            sb_put(b, e, 2);
        } else if (*p < 0x20) {
            snprintf(e, sizeof e, "\\u%04x", *p);
            sb_put(b, e, 6);
        } else {
            sb_put(b, (const char *)p, 1);
        }
    }
    sb_put(b, "\"", 1);
}

static const char *primary_name(const ckp_match_hit *h) { return h->name ? h->name : h->matched_name; }

ckp_status ckp_match_write(ckp_writer *w, ckp_format fmt, const char *query,
                           const ckp_match_hit *hits, int nhits)
{
    if (fmt == CKP_FMT_JSON) {
        sbuf b = {NULL, 0, 0, 0};
        sb_put(&b, "[", 1);
        for (int i = 0; i < nhits; i++) {
            const ckp_match_hit *h = &hits[i];
            char num[32];
            if (i)
                sb_put(&b, ",", 1);
            sb_put(&b, "{\"id\":", 6);
            sb_str(&b, h->party->id);
            sb_put(&b, ",\"name\":", 8);
            sb_str(&b, primary_name(h));
            sb_put(&b, ",\"matched_name\":", 16);
            sb_str(&b, h->matched_name);
            sb_put(&b, ",\"list\":", 8);
            sb_str(&b, h->party->list);
            snprintf(num, sizeof num, ",\"score\":%.3f", h->score);
            sb_put(&b, num, strlen(num));
            sb_put(&b, ",\"explanation\":", 15);
            sb_str(&b, h->explanation);
            sb_put(&b, ",\"program\":", 11);
            sb_str(&b, h->party->program);
            sb_put(&b, ",\"countries\":", 13);
            sb_str(&b, h->party->countries);
            sb_put(&b, ",\"listed\":", 10);
            sb_str(&b, h->party->listed);
            sb_put(&b, ",\"type\":", 8);
            sb_str(&b, h->party->type);
            sb_put(&b, ",\"identifiers\":", 15);
            sb_str(&b, h->party->identifiers);
            sb_put(&b, ",\"birth\":", 9);
            sb_str(&b, h->party->birth ? h->party->birth : "");
            sb_put(&b, "}", 1);
        }
        sb_put(&b, "]", 1);
        if (!b.p || b.failed) {
            free(b.p);
            return CKP_ENOMEM;
        }
        ckp_writer_str(w, query);
        ckp_writer_json(w, b.p);
        free(b.p);
        return ckp_writer_end_row(w);
    }
    for (int i = 0; i < nhits; i++) {
        const ckp_match_hit *h = &hits[i];
        ckp_writer_str(w, query);
        ckp_writer_int(w, i + 1);
        ckp_writer_str(w, h->party->id);
        ckp_writer_str(w, primary_name(h));
        ckp_writer_str(w, h->matched_name);
        ckp_writer_str(w, h->party->list);
        ckp_writer_str(w, h->party->program);
        ckp_writer_str(w, h->party->countries);
        ckp_writer_num(w, h->score);
        ckp_writer_str(w, h->explanation);
        ckp_status rc = ckp_writer_end_row(w);
        if (rc)
            return rc;
    }
    return CKP_OK;
}

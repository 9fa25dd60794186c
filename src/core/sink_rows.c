/* sink_rows.c — the writer's row sink: each finished row handed to a
 * callback as typed cells (ckp_row), which ckp_row_json turns into the
 * jansson object that parsing the row's JSON Lines text gave, without the
 * text (see output.h). */
#include "chokepoint/output.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/output_int.h"

static ckp_status rows_row(ckp_writer *w)
{
    ckp_row row;
    ckp__writer_row(w, &row);
    return w->row_fn(w->row_ctx, &row, &w->err);
}

const ckp__sink ckp__sink_rows = {rows_row, NULL};

ckp_writer *ckp_writer_new_rows(const ckp_column *cols, size_t ncols, ckp_row_fn fn, void *ctx)
{
    ckp_writer *w = ckp__writer_alloc(&ckp__sink_rows, CKP_FMT_JSON, cols, ncols);
    if (w) {
        w->row_fn = fn;
        w->row_ctx = ctx;
    }
    return w;
}

/* Text as a JSON string: invalid UTF-8 bytes become U+FFFD, as
 * ckp_json_write_string writes them. */
static json_t *text_json(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *buf = malloc(n * 3 + 1); /* each byte at most U+FFFD's 3 */
    if (!buf)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        size_t k = ch < 0x80 ? 1 : ckp__utf8_len((const unsigned char *)s + i, n - i);
        if (k) {
            memcpy(buf + o, s + i, k);
            o += k;
            i += k - 1;
        } else {
            memcpy(buf + o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
    }
    j = json_stringn(buf, o);
    free(buf);
    return j;
}

/* A number as the column formatted it ("12.50", "1234"): an integer when
 * written without '.' or exponent and within range, else a real. */
static json_t *number_json(const char *t)
{
    if (!strpbrk(t, ".eE")) {
        errno = 0;
        char *end;
        long long v = strtoll(t, &end, 10);
        if (errno == 0 && *end == '\0')
            return json_integer((json_int_t)v);
    }
    return json_real(strtod(t, NULL));
}

static json_t *cell_json(const ckp_row *row, size_t c)
{
    const char *t = row->text[c];
    switch (row->kind[c]) {
    case CKP_CELL_TEXT:
        return text_json(t, row->len[c]);
    case CKP_CELL_NUMBER:
        return number_json(t);
    case CKP_CELL_JSON:
        return json_loadb(t, row->len[c], JSON_DECODE_ANY, NULL);
    default:
        return json_null();
    }
}

json_t *ckp_row_json(const ckp_row *row)
{
    json_t *o = json_object();
    for (size_t c = 0; o && c < row->ncols; c++) {
        json_t *v = cell_json(row, c);
        if (!v || json_object_set_new(o, row->cols[c].name, v) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

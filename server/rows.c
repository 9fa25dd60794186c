/* rows.c — the rows of an API answer through the writer's row sink (see
 * rows.h). */
#include "rows.h"

#include <jansson.h>
#include <sys/types.h>

typedef struct rows_out {
    FILE *o;
    size_t n;      /* rows written */
    off_t start;   /* where the first row starts in o */
    size_t limit;  /* bytes of rows allowed */
} rows_out;

static ckp_status write_row(void *ctx, const ckp_row *row, ckp_error *err)
{
    rows_out *r = ctx;
    fputs(r->n++ ? ",\n" : "\n", r->o);
    ckp_row_write_json(row, r->o);
    off_t at = ftello(r->o);
    if (at < 0 || ferror(r->o))
        return ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write the answer");
    if ((size_t)(at - r->start) > r->limit)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                             "the answer is larger than %zu MB: narrow the query", r->limit >> 20);
    return CKP_OK;
}

ckp_status srv_rows_write(ckp_env *env, const ckp_verb *v, const ckp_args *args, int from_server,
                          size_t limit, FILE *o, ckp_error *err)
{
    fputs("\"rows\":[", o);
    rows_out r = {o, 0, ftello(o), limit};
    if (r.start < 0)
        return ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write the answer");
    ckp_status st = ckp_verb_run_rows(v, env, args, from_server, write_row, &r, err);
    fputc(']', o);
    return st;
}

ckp_status srv_rows_keep(void *ctx, const ckp_row *row, ckp_error *err)
{
    json_t *o = ckp_row_json(row);
    if (!o || json_array_append_new(ctx, o) != 0)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "row %zu could not be encoded: nothing answered",
                             row->index + 1);
    return CKP_OK;
}

/* sink_null.c — the writer's null sink: a verb run for what it computes
 * besides its rows (`--partial` keeps its tables) writes rows that are
 * checked against the columns and counted, never formatted (see output.h). */
#include "chokepoint/output.h"

#include "core/output_int.h"

static ckp_status null_row(ckp_writer *w)
{
    (void)w;
    return CKP_OK;
}

const ckp__sink ckp__sink_null = {null_row, NULL};

ckp_writer *ckp_writer_new_null(const ckp_column *cols, size_t ncols)
{
    ckp_writer *w = ckp__writer_alloc(&ckp__sink_null, CKP_FMT_JSON, cols, ncols);
    if (w)
        w->discard = 1;
    return w;
}

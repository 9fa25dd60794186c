/* ingest_one.h — what the per-format ingest harnesses share
 * (fuzz_ingest_legacy, _comtradr, _json, _gz, _decimal): one input
 * through ckp_ingest_mem with given options, the counts checked (read =
 * kept + rejected; for the Comext bulk files, whose lines are summed into
 * rows, read = lines summed + rejected), and 1 input in 8 committed, reopened (checksums) and
 * scanned: the rows seen must be the rows the commit reported.
 * Reference data from $CHOKEPOINT_DATA, else ./data. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/ingest.h"
#include "store_rm.h"

static ckp_ref *one_ref;
static char one_dir[256];

static void one_cleanup(void) { fuzz_remove_store(one_dir); }

static int one_count(const ckp_flow *r, void *ctx)
{
    (void)r;
    (*(uint64_t *)ctx)++;
    return 0;
}

/* Ingest data with o (format, delimiter, decimal mark set by the caller);
 * commit when commit is nonzero.  Aborts on a broken invariant. */
static void ingest_one(ckp_ingest_opts *o, const uint8_t *data, size_t size, int commit)
{
    ckp_error err;
    if (!one_ref) {
        const char *d = getenv("CHOKEPOINT_DATA");
        if (ckp_ref_load(d ? d : "data", &one_ref, &err) != CKP_OK) {
            fprintf(stderr, "fuzz: cannot load reference data: %s\n", err.msg);
            abort();
        }
        snprintf(one_dir, sizeof one_dir, "/tmp/fuzz-ingest-one-%d", (int)getpid());
        atexit(one_cleanup);
        setenv("CKP_STORE_NOSYNC", "1", 1); /* fsync is not what is fuzzed */
    }
    o->replace = 1;
    ckp_ingest *ing;
    if (ckp_ingest_begin(one_dir, one_ref, o, &ing, &err) != CKP_OK)
        abort();
    ckp_status st = ckp_ingest_mem(ing, "fuzz.csv", (const char *)data, size, &err);
    const ckp_ingest_stats *s = ckp_ingest_get_stats(ing);
    /* after an error (a cut stream: the record being read is counted but
     * not rejected) the ingest is aborted and its counts mean nothing */
    uint64_t in_rows = s->lines_summed ? s->lines_summed : s->rows_kept;
    if (st == CKP_OK && s->rows_read != in_rows + s->rows_rejected)
        abort();
    if (s->lines_summed && s->lines_summed < s->rows_kept)
        abort();
    if (st == CKP_OK && s->rows_read && !s->rows_kept) {
        /* rows and none kept: the commit must refuse, publishing nothing */
        if (ckp_ingest_commit(ing, NULL, &err) == CKP_OK)
            abort();
        return;
    }
    if (!commit || st != CKP_OK) {
        ckp_ingest_abort(ing);
        return;
    }
    ckp_ingest_stats fin;
    if (ckp_ingest_commit(ing, &fin, &err) != CKP_OK)
        abort();
    uint64_t fin_rows = fin.lines_summed ? fin.lines_summed : fin.rows_kept;
    if (fin.rows_read != fin_rows + fin.rows_rejected || fin.store_rows != fin.rows_kept)
        abort();
    ckp_store *store;
    if (ckp_store_open(one_dir, one_ref, &store, &err) != CKP_OK)
        abort();
    ckp_query q;
    ckp_query_init(&q);
    q.levels = 1; /* every row: TOTAL, chapter and heading rows are stored too */
    uint64_t n = 0;
    ckp_store_scan(store, &q, one_count, &n, &err);
    if (n != fin.store_rows)
        abort();
    ckp_store_close(store);
}

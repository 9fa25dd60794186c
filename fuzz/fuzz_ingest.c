/* fuzz_ingest.c — libFuzzer harness for the ingest parsers (ingest.h) and,
 * now and then, the store writer and reader behind them.
 *
 * Byte 0 chooses the format (auto, comtrade, baci, flows) and whether to
 * commit (1 input in 8): the rest is the file.  Every input is parsed into a
 * pending generation; the counts must add up (read = kept + rejected before
 * duplicates are known).  A committed input is reopened (checksums verified)
 * and scanned: the rows seen must equal the rows the commit reported, and a
 * scan without levels must see exactly the HS6 ones (no TOTAL, chapter or
 * heading row).
 * Every other input (byte 0 bit 5) is also written to a file and ingested
 * by two threads (the parallel path, plain BACI lines without the CSV
 * reader): every count and every reject reason must equal the one-thread
 * parse of the same bytes.
 * Reference data from $CHOKEPOINT_DATA, else ./data. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/ingest.h"
#include "store_rm.h"

static ckp_ref *ref;
static char dir[256], dir2[300]; /* stores of the one- and the two-thread parse */

static void cleanup(void)
{
    fuzz_remove_store(dir);
    fuzz_remove_store(dir2);
}

/* The input parsed from a file by two threads: the same counts as st. */
static void two_threads_agree(const uint8_t *data, size_t size, ckp_ingest_format fmt,
                              const ckp_ingest_stats *st)
{
    char path[300];
    snprintf(path, sizeof path, "%s.in_HS17.csv", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fwrite(data, 1, size, f);
    fclose(f);
    setenv("CKP_INGEST_THREADS", "2", 1);
    setenv("CKP_INGEST_PAR_MIN", "1", 1);
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.format = fmt;
    o.replace = 1;
    ckp_ingest *ing;
    ckp_error err;
    if (ckp_ingest_begin(dir2, ref, &o, &ing, &err) != CKP_OK) /* dir is locked */
        abort();
    ckp_status s2 = ckp_ingest_file(ing, path, &err);
    const ckp_ingest_stats *t = ckp_ingest_get_stats(ing);
    if (s2 == CKP_OK && (t->rows_read != st->rows_read || t->rows_kept != st->rows_kept ||
                         t->rows_rejected != st->rows_rejected))
        abort();
    for (int r = 0; s2 == CKP_OK && r < CKP_REJ_COUNT; r++)
        if (t->by_reason[r] != st->by_reason[r])
            abort();
    ckp_ingest_abort(ing);
    unsetenv("CKP_INGEST_THREADS");
    unsetenv("CKP_INGEST_PAR_MIN");
    unlink(path);
}

/* ctx: uint64_t[2], rows and rows at an aggregate level (TOTAL, HS2, HS4). */
static int count_row(const ckp_flow *r, void *ctx)
{
    uint64_t *n = ctx;
    int level = ckp_hs_key_level(r->hs);
    if (level < 0)
        abort(); /* the store handed out a key that is no product */
    n[0]++;
    n[1] += level < 6;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_error err;
    if (!ref) {
        const char *d = getenv("CHOKEPOINT_DATA");
        if (ckp_ref_load(d ? d : "data", &ref, &err) != CKP_OK) {
            fprintf(stderr, "fuzz_ingest: cannot load reference data: %s\n", err.msg);
            abort();
        }
        snprintf(dir, sizeof dir, "/tmp/fuzz-ingest-%d", (int)getpid());
        snprintf(dir2, sizeof dir2, "%s-2", dir);
        atexit(cleanup);
        setenv("CKP_STORE_NOSYNC", "1", 1); /* fsync is not what is fuzzed */
    }
    if (size < 1)
        return 0;
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.format = (ckp_ingest_format)(data[0] & 3);
    o.replace = 1;
    int commit = (data[0] >> 2 & 7) == 0;
    ckp_ingest *ing;
    if (ckp_ingest_begin(dir, ref, &o, &ing, &err) != CKP_OK)
        abort();
    ckp_status st = ckp_ingest_mem(ing, "fuzz_HS17.csv", (const char *)data + 1, size - 1, &err);
    const ckp_ingest_stats *s = ckp_ingest_get_stats(ing);
    if (st == CKP_OK && s->rows_read != s->rows_kept + s->rows_rejected)
        abort();
    if (st == CKP_OK && (data[0] >> 5 & 1) && size > 1) {
        ckp_ingest_stats copy = *s;
        two_threads_agree(data + 1, size - 1, o.format, &copy);
    }
    if (!commit || st != CKP_OK) {
        ckp_ingest_abort(ing);
        return 0;
    }
    if (s->rows_read && !s->rows_kept) {
        /* every row rejected: the commit refuses and publishes nothing */
        if (ckp_ingest_commit(ing, NULL, &err) == CKP_OK)
            abort();
        return 0;
    }
    ckp_ingest_stats fin;
    if (ckp_ingest_commit(ing, &fin, &err) != CKP_OK)
        abort();
    if (fin.rows_read != fin.rows_kept + fin.rows_rejected || fin.store_rows != fin.rows_kept)
        abort();
    ckp_store *store;
    if (ckp_store_open(dir, ref, &store, &err) != CKP_OK)
        abort();
    /* every row with levels; without them, the HS6 rows alone */
    ckp_query q;
    ckp_query_init(&q);
    q.levels = 1;
    uint64_t n[2] = {0, 0}, h[2] = {0, 0};
    ckp_store_scan(store, &q, count_row, n, &err);
    if (n[0] != fin.store_rows)
        abort();
    q.levels = 0;
    ckp_store_scan(store, &q, count_row, h, &err);
    if (h[1] != 0 || h[0] != n[0] - n[1])
        abort();
    ckp_store_close(store);
    return 0;
}

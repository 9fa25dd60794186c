/* fuzz_lists_ftm_stream.c — libFuzzer harness for the streamed FtM loader
 * (lists_ftm.c reads a file in chunks and parses each line as it completes).
 * Byte 0 picks the read size (3-66 bytes, so lines, CRLFs and the BOM fall
 * across reads); the rest is written to a file and loaded by path, and
 * loaded again from memory: both must agree exactly (rows, parties, names,
 * bad rows and the first one, skipped, deleted).  Must not crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/lists.h"
#include "../src/screen/screen_int.h"

static char dir[64], path[96];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/ckp-fuzz-ftm-XXXXXX");
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof path, "%s/in.ftm", dir);
        atexit(cleanup);
    }
    size_t chunk = 3 + data[0] % 64;
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
        abort();
    ckp_lists *a = NULL, *b = NULL;
    ckp_error err;
    ckp_list_stats sa, sb;
    memset(&sa, 0, sizeof sa);
    memset(&sb, 0, sizeof sb);
    if (ckp_lists_new(&a, &err) || ckp_lists_new(&b, &err))
        abort();
    ckp__lists_set_read_chunk(a, chunk);
    ckp_list_src fsrc = {path, NULL, 0};
    ckp_list_src msrc = {"in.ftm", (const char *)data + 1, size - 1};
    ckp_status ra = ckp_lists_load_ftm(a, &fsrc, NULL, &sa, &err);
    ckp_status rb = ckp_lists_load_ftm(b, &msrc, NULL, &sb, &err);
    if (ra != rb || sa.rows != sb.rows || sa.parties != sb.parties || sa.names != sb.names ||
        sa.bad != sb.bad || sa.skipped != sb.skipped || sa.deleted != sb.deleted ||
        strcmp(sa.first_bad, sb.first_bad) != 0 ||
        ckp_lists_party_count(a) != ckp_lists_party_count(b) ||
        ckp_lists_name_count(a) != ckp_lists_name_count(b)) {
        fprintf(stderr, "streamed and in-memory loads differ: rows %llu/%llu bad %llu/%llu "
                        "first_bad '%s' / '%s'\n",
                (unsigned long long)sa.rows, (unsigned long long)sb.rows,
                (unsigned long long)sa.bad, (unsigned long long)sb.bad, sa.first_bad,
                sb.first_bad);
        abort();
    }
    for (size_t i = 0; i < ckp_lists_party_count(a); i++) {
        const ckp_party *p = ckp_lists_party(a, i), *q = ckp_lists_party(b, i);
        if (strcmp(p->id, q->id) != 0 || strcmp(p->name, q->name) != 0 ||
            strcmp(p->referents, q->referents) != 0 || p->deleted != q->deleted)
            abort();
    }
    ckp_lists_free(a);
    ckp_lists_free(b);
    return 0;
}

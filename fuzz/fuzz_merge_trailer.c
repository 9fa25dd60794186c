/* fuzz_merge_trailer.c — libFuzzer harness for the partial trailer of
 * `merge` (merge.h, docs/scale.md): the input is the tail of a partial
 * whose header (id f00d) and one record line are fixed; it should hold the
 * trailer {"end":"chokepoint","id":"f00d","records":1}.  The partial is
 * merged with expect = 1, then the same file twice.  Besides crashes, leaks
 * and undefined behaviour, two contract breaks abort:
 *   - a merge that succeeds although the input never names the partial's
 *     id (no trailer for it: a cut partial accepted);
 *   - a merge of the same partial given twice that succeeds.
 * Reference data from $CHOKEPOINT_DATA, else ./data. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/merge.h"

static const char head[] =
    "{\"partial\":\"chokepoint\",\"version\":2,\"id\":\"f00d\",\"verb\":\"dependency\","
    "\"args\":{\"importer\":[\"USA\"],\"hs\":[\"811292\"]}}\n"
    "{\"hs\":\"811292\",\"reporter\":\"USA\",\"partner\":\"CHN\",\"flow\":\"M\","
    "\"period\":[202301],\"value\":[9],\"qty\":[null]}\n";

static ckp_ref *ref;
static char path[256];
static FILE *sink;

static void cleanup(void)
{
    unlink(path);
    if (sink)
        fclose(sink);
}

static int has(const uint8_t *d, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(d + i, s, k) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_error err;
    if (!ref) {
        const char *d = getenv("CHOKEPOINT_DATA");
        if (ckp_ref_load(d ? d : "data", &ref, &err) != CKP_OK) {
            fprintf(stderr, "fuzz_merge_trailer: cannot load reference data: %s\n", err.msg);
            abort();
        }
        snprintf(path, sizeof path, "/tmp/fuzz-merge-trailer-%d.jsonl", (int)getpid());
        sink = fopen("/dev/null", "w");
        if (!sink)
            abort();
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (fwrite(head, 1, sizeof head - 1, f) != sizeof head - 1 ||
        (size && fwrite(data, 1, size, f) != size))
        abort();
    fclose(f);
    const char *paths[2] = {path, path};
    const char *verb;
    char summary[512];
    ckp_status st = ckp_merge_run(ref, getenv("CHOKEPOINT_DATA"), paths, 1, 1, CKP_FMT_JSON,
                                  sink, &verb, summary, sizeof summary, &err);
    if (st == CKP_OK && !has(data, size, "f00d")) {
        fprintf(stderr, "fuzz_merge_trailer: a partial without its trailer was merged\n");
        abort();
    }
    st = ckp_merge_run(ref, getenv("CHOKEPOINT_DATA"), paths, 2, 0, CKP_FMT_JSON, sink, &verb,
                       summary, sizeof summary, &err);
    if (st == CKP_OK) {
        fprintf(stderr, "fuzz_merge_trailer: the same partial given twice was merged\n");
        abort();
    }
    return 0;
}

/* fuzz_merge.c — libFuzzer harness for the partial-result reader of `merge`
 * (merge.h): the input is one partial file; it is read, checked, summed and
 * replayed through the verb its header names (output to /dev/null).  Errors
 * are fine; crashes, leaks and undefined behaviour are not.  Reference data
 * from $CHOKEPOINT_DATA, else ./data. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/merge.h"

static ckp_ref *ref;
static char path[256];
static FILE *sink;

static void cleanup(void)
{
    unlink(path);
    if (sink)
        fclose(sink);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_error err;
    if (!ref) {
        const char *d = getenv("CHOKEPOINT_DATA");
        if (ckp_ref_load(d ? d : "data", &ref, &err) != CKP_OK) {
            fprintf(stderr, "fuzz_merge: cannot load reference data: %s\n", err.msg);
            abort();
        }
        snprintf(path, sizeof path, "/tmp/fuzz-merge-%d.jsonl", (int)getpid());
        sink = fopen("/dev/null", "w");
        if (!sink)
            abort();
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    const char *paths[1] = {path};
    const char *verb;
    char summary[512];
    ckp_merge_run(ref, getenv("CHOKEPOINT_DATA"), paths, 1, 0, CKP_FMT_JSON, sink, &verb, summary,
                  sizeof summary, &err);
    return 0;
}

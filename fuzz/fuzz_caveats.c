/* fuzz_caveats.c — libFuzzer harness for the product caveats parser
 * (ckp_ref_load_caveats, the data/ref/hs/caveats.csv format a user may
 * replace with their own).
 *
 * The input is written to a temporary file and loaded into one reference
 * (loaded once).  Whatever the bytes, the load must not crash or leak; a
 * failed load leaves no caveat loaded and names its file; every caveat the
 * parser accepted keeps the contract (a 4- or 6-digit code found again by
 * ckp_ref_caveat, non-empty text without '|'), and the caveat of a set
 * holding every accepted code lists them all.  Reference data from
 * $CHOKEPOINT_DATA, else ./data. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/ref.h"

static ckp_ref *ref;
static char path[64];

static int text_ok(const char *s)
{
    return s && *s && !strchr(s, '|');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_error err;
    if (!ref) {
        const char *d = getenv("CHOKEPOINT_DATA");
        if (ckp_ref_load(d ? d : "data", &ref, &err) != CKP_OK) {
            fprintf(stderr, "fuzz_caveats: cannot load the reference data\n");
            abort();
        }
        snprintf(path, sizeof path, "/tmp/fuzz_caveats_%ld.csv", (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    memset(&err, 0, sizeof err);
    if (ckp_ref_load_caveats(ref, path, &err) != CKP_OK) {
        if (ckp_ref_caveat_count(ref) != 0 || !err.msg[0])
            abort();
        return 0;
    }
    int n = ckp_ref_caveat_count(ref);
    ckp_hsset *all = ckp_hsset_new();
    if (!all)
        return 0;
    for (int i = 0; i < n; i++) {
        const ckp_caveat *c = ckp_ref_caveat_at(ref, i);
        if (!c || (c->level != 4 && c->level != 6) || c->code > 999999 ||
            !text_ok(c->holds) || !text_ok(c->caveat) || !text_ok(c->sources))
            abort();
        uint32_t code6 = c->level == 6 ? c->code : c->code * 100 + 99;
        const ckp_caveat *back = ckp_ref_caveat(ref, code6);
        if (!back || (c->level == 6 && back != c))
            abort();
        ckp_hsset_add(all, code6);
    }
    static char buf[1 << 20];
    int k = ckp_hsset_caveat(ref, all, buf, sizeof buf);
    if (k >= 0 && k != n)
        abort(); /* every caveat touches the set */
    ckp_hsset_free(all);
    return 0;
}

/* fuzz_hubs.c — libFuzzer harness for the hubs file parser
 * (ckp_hubs_load_csv: the CSV `diversion --all-measures` writes and
 * `screen --hubs` reads).
 *
 * The input is written to a temporary file and loaded.  Whatever the bytes,
 * the load must not crash or leak; an error names the file; every entry of a
 * loaded table keeps the contract (a 6-digit code, a country id for the hub,
 * a destination id or -1) and ckp_hubs_find finds it again.
 * Reference data from $CHOKEPOINT_DATA, else ./data. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/evasion.h"

static ckp_ref *ref;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_error err;
    if (!ref) {
        const char *d = getenv("CHOKEPOINT_DATA");
        if (ckp_ref_load(d ? d : "data", &ref, &err) != CKP_OK) {
            fprintf(stderr, "fuzz_hubs: cannot load the reference data\n");
            abort();
        }
        snprintf(path, sizeof path, "/tmp/fuzz_hubs_%ld.csv", (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    ckp_hubs *h = NULL;
    ckp_error_clear(&err);
    ckp_status st = ckp_hubs_load_csv(path, ref, &h, &err);
    if (st != CKP_OK) {
        if (h || !err.msg[0])
            abort();
    } else {
        int nc = ckp_ref_country_count(ref);
        for (size_t i = 0; i < ckp_hubs_count(h); i++) {
            const ckp_hub_entry *e = ckp_hubs_at(h, i);
            if (e->hs > 999999 || e->hub < 0 || e->hub >= nc || e->destination < -1 ||
                e->destination >= nc)
                abort();
            if (!ckp_hubs_find(h, e->hs, e->hub, e->destination))
                abort();
        }
        ckp_hubs_free(h);
    }
    unlink(path);
    return 0;
}

/* fuzz_measures.c — libFuzzer harness for the measures register's file
 * parser (ckp_measures_add_file, the measures.csv format users extend).
 *
 * The input is written to a temporary file and loaded into an empty
 * register.  Whatever the bytes, the load must not
 * crash or leak; a failed load leaves the register usable; every measure the
 * parser accepted keeps the contract (an id, ≥ 1 issuer, an HS set holding
 * its codes when it has any — a row without codes is listed, binding nothing
 * by code —, lifted not before the start date), every rejected row names its file
 * and line, and the screening question runs over the result.
 * Reference data from $CHOKEPOINT_DATA, else ./data. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chokepoint/measures.h"

static ckp_ref *ref;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_error err;
    if (!ref) {
        const char *d = getenv("CHOKEPOINT_DATA");
        if (ckp_ref_load(d ? d : "data", &ref, &err) != CKP_OK) {
            fprintf(stderr, "fuzz_measures: cannot load the reference data\n");
            abort();
        }
        snprintf(path, sizeof path, "/tmp/fuzz_measures_%ld.csv", (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    ckp_measures *ms;
    /* an empty register (no shipped files under that directory): loading
     * the EU list on every input would make the run 100 times slower */
    if (ckp_measures_load(ref, "/nonexistent-chokepoint-data", NULL, &ms, &err) != CKP_OK)
        abort();
    int before = ckp_measures_count(ms);
    (void)ckp_measures_add_file(ms, path, &err);
    for (int i = before; i < ckp_measures_count(ms); i++) {
        const ckp_measure *m = ckp_measures_at(ms, i);
        if (!m->id[0] || m->nissuers < 1 || (m->nhs > 0 && !m->hs))
            abort();
        int32_t start = ckp_measure_start(m);
        if (m->lifted >= 0 && start >= 0 && m->lifted < start)
            abort();
        if (!ckp_measures_find(ms, m->id))
            abort();
        if (m->nhs == 0)
            continue; /* a row without HS codes is listed and binds nothing by code */
        uint32_t cur = 0, code;
        if (!ckp_hsset_next(m->hs, &cur, &code))
            abort();
        ckp_measures_match(ms, code, m->issuers[0], -1, start, NULL, NULL);
    }
    for (int i = 0; i < ckp_measures_reject_kept(ms); i++) {
        const ckp_error *e = ckp_measures_reject_at(ms, i);
        if (!e->file[0] || e->line < 1)
            abort();
    }
    ckp_measures_free(ms);
    unlink(path);
    return 0;
}

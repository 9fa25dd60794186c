/* fuzz_shipments.c — libFuzzer harness for the shipment reader and the
 * screening rules (ckp_screen_run on CSV or JSON Lines, format detected):
 * any input must be screened or rejected row by row without a crash or a
 * leak; the counts add up.  Reference data and the measures register from
 * $CHOKEPOINT_DATA, else ./data; a one-entry party list. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/screen.h"

static ckp_ref *ref;
static ckp_measures *ms;
static ckp_lists *lists;
static ckp_index *ix;

static void on_bad(const ckp_error *why, void *ctx)
{
    (void)why;
    (*(long *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_error err;
    if (!ref) {
        const char *d = getenv("CHOKEPOINT_DATA");
        static const char csv[] = "id,name\n1,Inter Tobacco\n";
        ckp_list_src s = {"l.csv", csv, sizeof csv - 1};
        if (ckp_ref_load(d ? d : "data", &ref, &err) || ckp_measures_load(ref, d ? d : "data", NULL, &ms, &err) ||
            ckp_lists_new(&lists, &err) || ckp_lists_load_csv(lists, &s, ref, NULL, &err) ||
            ckp_index_build(lists, &ix, &err)) {
            fprintf(stderr, "fuzz_shipments: cannot load the data\n");
            abort();
        }
    }
    ckp_screen_config cfg;
    ckp_screen_config_init(&cfg, ref);
    cfg.index = ix;
    cfg.measures = ms;
    cfg.uv_min = 2;
    ckp_screen_input in = {"in", (const char *)data, size, NULL, 0};
    ckp_screen_stats st;
    long bad = 0;
    if (ckp_screen_run(&cfg, &in, NULL, on_bad, &bad, &st, &err) == CKP_OK && (long)st.bad != bad)
        abort();
    return 0;
}

/* fuzz_lists_ofac.c — libFuzzer harness for the OFAC legacy CSV loader
 * (sdn.csv + alt.csv): the input is split at the first 0x1E byte into an
 * sdn part and an alt part.  Must not crash or leak; every party has an id
 * and a name; counts add up; the index builds over whatever loaded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/lists.h"
#include "chokepoint/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = memchr(data, 0x1e, size);
    size_t a = sep ? (size_t)(sep - data) : size;
    ckp_list_src sdn = {"sdn.csv", (const char *)data, a};
    ckp_list_src alt = {"alt.csv", sep ? (const char *)sep + 1 : "", sep ? size - a - 1 : 0};
    ckp_lists *l = NULL;
    ckp_error err;
    ckp_list_stats st;
    memset(&st, 0, sizeof st);
    if (ckp_lists_new(&l, &err))
        abort();
    if (ckp_lists_load_ofac(l, &sdn, &alt, NULL, NULL, &st, &err) == CKP_OK) {
        if (st.parties != ckp_lists_party_count(l))
            abort();
        for (size_t i = 0; i < ckp_lists_party_count(l); i++) {
            const ckp_party *p = ckp_lists_party(l, i);
            if (!p->id || !*p->id || !p->name || !*p->name || p->nnames == 0)
                abort();
        }
        ckp_index *ix = NULL;
        if (ckp_index_build(l, &ix, &err) == CKP_OK)
            ckp_index_free(ix);
    }
    ckp_lists_free(l);
    return 0;
}

/* lists_one.h — the one harness of the party-list loaders that take a
 * single file (fuzz_lists_csv, fuzz_lists_ftm, fuzz_lists_mofcom): each
 * harness file defines LIST_LOADER (the ckp_lists_load_* function) and
 * LIST_FILE (the name the input is loaded as), then includes this.
 * Must not crash or leak; every live party has an id and a name; the index
 * builds and answers a query over whatever loaded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/lists.h"
#include "chokepoint/match.h"

#if !defined(LIST_LOADER) || !defined(LIST_FILE)
#error "define LIST_LOADER and LIST_FILE before including lists_one.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_list_src src = {LIST_FILE, (const char *)data, size};
    ckp_lists *l = NULL;
    ckp_error err;
    if (ckp_lists_new(&l, &err))
        abort();
    if (LIST_LOADER(l, &src, NULL, NULL, &err) == CKP_OK) {
        for (size_t i = 0; i < ckp_lists_party_count(l); i++) {
            const ckp_party *p = ckp_lists_party(l, i);
            if (!p->id || !*p->id || (!p->deleted && (!p->name || !*p->name)))
                abort();
        }
        ckp_index *ix = NULL;
        ckp_matcher *m = NULL;
        if (ckp_index_build(l, &ix, &err) == CKP_OK && ckp_matcher_new(ix, &m, &err) == CKP_OK) {
            ckp_match_hit hits[3];
            ckp_match(m, (const char *)data, size < 200 ? size : 200, NULL, hits, 3);
        }
        ckp_matcher_free(m);
        ckp_index_free(ix);
    }
    ckp_lists_free(l);
    return 0;
}

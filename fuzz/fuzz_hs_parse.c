/* fuzz_hs_parse.c — libFuzzer harness for the reference-data parsers: HS
 * codes (ckp_hs_parse), periods and dates, and — with the shipped reference
 * data loaded once from $CHOKEPOINT_DATA or ./data — HS arguments
 * (ckp_hsset_parse), HS text search and country lookups (exact, loose,
 * argument), which all take user text.  Invariants are checked, not just
 * crashes: a parsed code formats back to what it parsed, a parsed period
 * formats back, a parsed date maps into a valid month. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/ref.h"

static ckp_ref *ref;
static int ref_tried;

static void load_ref(void)
{
    ckp_error err;
    const char *dir = getenv("CHOKEPOINT_DATA");
    ref_tried = 1;
    if (ckp_ref_load(dir && *dir ? dir : "data", &ref, &err) != CKP_OK)
        ref = NULL;
}

static int visit(const ckp_hs_entry *e, ckp_hs_edition ed, void *ctx)
{
    int *n = ctx;
    (void)e;
    (void)ed;
    return ++*n > 50;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[256];
    uint32_t code;
    int level;
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;

    if (!ref_tried)
        load_ref();
    memcpy(s, data, n);
    s[n] = '\0';

    /* ckp_hs_parse reads exactly n bytes (the input is not NUL-terminated) */
    if (ckp_hs_parse((const char *)data, size, &code, &level) == 0) {
        char buf[8];
        uint32_t c2;
        int l2;
        if (level != 2 && level != 4 && level != 6)
            abort();
        ckp_hs_format(code, level, buf);
        if (ckp_hs_parse(buf, strlen(buf), &c2, &l2) != 0 || c2 != code || l2 != level)
            abort();
    }

    /* ckp_hs_fold: what it reads is a code of its level, and folds only
     * what is longer than six digits */
    {
        int folded;
        if (ckp_hs_fold((const char *)data, size, &code, &level, &folded) == 0 &&
            ((level != 2 && level != 4 && level != 6) || code > 999999 ||
             (folded && level != 6)))
            abort();
    }

    {
        int32_t p, q, d;
        char buf[8];
        ckp_error err;
        if (ckp_period_parse(s, &p, &err) == CKP_OK) {
            ckp_period_format(p, buf);
            if (ckp_period_parse(buf, &q, &err) != CKP_OK || q != p)
                abort();
        }
        if (ckp_date_parse(s, &d, &err) == CKP_OK) {
            int32_t m = ckp_date_period(d);
            if (CKP_PERIOD_MONTH(m) < 1 || CKP_PERIOD_MONTH(m) > 12)
                abort();
        }
    }

    if (ref) {
        ckp_hsset *set = NULL;
        ckp_error err;
        int ids[8], id, hits = 0;
        if (ckp_hsset_parse(ref, s, &set, &err) == CKP_OK) {
            uint32_t cur = 0, c;
            size_t k = 0;
            while (ckp_hsset_next(set, &cur, &c))
                k++;
            if (k != ckp_hsset_count(set) || !ckp_hsset_label(set))
                abort();
            ckp_hsset_free(set);
        } else if (set != NULL) {
            abort();
        }
        ckp_ref_hs_search(ref, CKP_HS2022, s, visit, &hits);
        if (ckp_ref_country_find(ref, s, ids, 8) > 8)
            abort();
        ckp_ref_country_find_loose(ref, s);
        if (ckp_ref_country_arg(ref, s, &id, &err) == CKP_OK && !ckp_ref_country(ref, id))
            abort();
    }
    return 0;
}

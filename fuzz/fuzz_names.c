/* fuzz_names.c — libFuzzer harness for name normalisation and the scorers
 * (ckp_name_normalize, ckp_match_pair with both algorithms, ckp_match with
 * the entity-level qualifiers fed from the input): any bytes, any script,
 * must not crash; tokens stay inside their limits; scores are in [0,1]. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/match.h"
#include "chokepoint/names.h"

static ckp_namenorm *nn;
static ckp_lists *lists;
static ckp_index *ix;
static ckp_matcher *m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ckp_error err;
    if (!nn) {
        /* a tiny list so the index (IDF weights) exists */
        static const char csv[] = "id,name,identifiers\n1,Acme Widgets AG,IMO 9349590\n2,Иван Петров,\n"
                                  "3,洛克希德·马丁公司,\n4,Forty-Four Trading LLC,\n";
        ckp_list_src s = {"seed.csv", csv, sizeof csv - 1};
        if (ckp_namenorm_new(&nn, &err) || ckp_lists_new(&lists, &err) ||
            ckp_lists_load_csv(lists, &s, NULL, NULL, &err) || ckp_index_build(lists, &ix, &err) ||
            ckp_matcher_new(ix, &m, &err))
            abort();
    }
    ckp_name_tokens t;
    int n = ckp_name_normalize(nn, (const char *)data, size, &t);
    if (n < 0 || n > CKP_NAME_MAX_TOKENS)
        abort();
    for (int i = 0; i < n; i++)
        if (t.tok[i].len == 0 || strlen(t.tok[i].text) != t.tok[i].len)
            abort();
    /* split the input in two names at the first newline */
    const uint8_t *nl = memchr(data, '\n', size);
    size_t a = nl ? (size_t)(nl - data) : size / 2;
    size_t b0 = nl ? a + 1 : a;
    char expl[CKP_EXPLAIN_MAX];
    double s = ckp_match_pair(m, (const char *)data, a, (const char *)data + b0, size - b0, expl,
                              sizeof expl);
    if (!(s >= 0 && s <= 1))
        abort();
    s = ckp_match_pair_algo(m, CKP_ALGO_OFAC, (const char *)data, a, (const char *)data + b0,
                            size - b0, expl, sizeof expl);
    if (!(s >= 0 && s <= 1))
        abort();
    ckp_match_hit hits[4];
    ckp_match(m, (const char *)data, size, NULL, hits, 4);
    /* the second line as entity-level data: schema, birth date, identifiers */
    char extra[64];
    size_t en = size - b0 < sizeof extra - 1 ? size - b0 : sizeof extra - 1;
    memcpy(extra, data + b0, en);
    extra[en] = 0;
    ckp_match_opts o;
    ckp_match_opts_init(&o);
    o.threshold = 0;
    o.schema = "Company";
    o.birth_date = extra;
    o.identifiers = extra;
    for (int k = 0; k < ckp_match(m, (const char *)data, a, &o, hits, 4); k++)
        if (!(hits[k].score >= 0 && hits[k].score <= 1))
            abort();
    o.algorithm = CKP_ALGO_OFAC;
    ckp_match(m, (const char *)data, a, &o, hits, 4);
    return 0;
}

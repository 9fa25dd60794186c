/* match_index.c — the list index the matcher searches (see match.h): the
 * vocabulary of every list name's tokens with their IDF weights, postings
 * token → names, one-deletion variants and transliteration keys; built
 * from loaded lists, loaded from a spec, or shared through a ckp_env. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "match_int.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


/* ---- building ----------------------------------------------------------- */

static uint32_t vocab_get(ckp_index *ix, const ckp_name_token *t)
{
    uint32_t id = ckp__strmap_get(&ix->vmap, t->text, t->len);
    if (id != NONE)
        return id;
    vtok *v = ckp__vec_push(&ix->vocab);
    char *txt = v ? ckp__arena_strndup(&ix->arena, t->text, t->len) : NULL;
    if (!txt)
        return NONE;
    char key[64];
    size_t kl = ckp_name_key(t->text, t->len, key, sizeof key);
    v->text = txt;
    v->len = t->len;
    v->kind = t->kind;
    v->key = ckp__arena_strndup(&ix->arena, key, kl);
    v->keylen = (uint16_t)kl;
    id = (uint32_t)(ix->vocab.n - 1);
    if (!v->key || ckp__strmap_put(&ix->vmap, txt, t->len, id) != 0)
        return NONE;
    return id;
}

static int chain_add(ckp_index *ix, ckp__strmap *map, const char *key, size_t n, uint32_t vid)
{
    uint32_t head = ckp__strmap_get(map, key, n);
    for (uint32_t c = head; c != NONE; c = ((chain_link *)ix->chain.data)[c].next)
        if (((chain_link *)ix->chain.data)[c].vid == vid)
            return 0;
    chain_link *l = ckp__vec_push(&ix->chain);
    if (!l)
        return -1;
    l->vid = vid;
    l->next = head;
    if (head == NONE) {
        char *k = ckp__arena_strndup(&ix->arena, key, n);
        if (!k)
            return -1;
        key = k;
    }
    return ckp__strmap_put(map, key, n, (uint32_t)(ix->chain.n - 1));
}


/* 1 when token j of a name is not one of its tokens before j (a token
 * counts once per name in document frequencies and postings). */
static int first_in_name(const uint32_t *t, int j)
{
    for (int i = 0; i < j; i++)
        if (t[i] == t[j])
            return 0;
    return 1;
}

ckp_status ckp_index_build(const ckp_lists *lists, ckp_index **out, ckp_error *err)
{
    double t0 = now_ms();
    *out = NULL;
    ckp_index *ix = calloc(1, sizeof *ix);
    ckp_namenorm *nn = NULL;
    ckp_name_tokens *nt = malloc(sizeof *nt);
    ckp__vec toks, kinds, cjk;
    ckp__vec_init(&toks, sizeof(uint32_t), (size_t)1 << 30);
    ckp__vec_init(&kinds, 1, (size_t)1 << 30);
    ckp__vec_init(&cjk, sizeof(uint32_t), (size_t)1 << 28);
    if (!ix || !nt)
        goto out_oom;
    ix->lists = lists;
    ckp__vec_init(&ix->vocab, sizeof(vtok), (size_t)1 << 28);
    ckp__vec_init(&ix->chain, sizeof(chain_link), (size_t)1 << 30);
    size_t nl = ckp_lists_name_count(lists);
    if (ckp__strmap_init(&ix->vmap, nl + 16) || ckp__strmap_init(&ix->delmap, nl * 4 + 16) ||
        ckp__strmap_init(&ix->keymap, nl + 16))
        goto out_oom;
    ix->name_src = malloc((nl + 1) * sizeof *ix->name_src);
    ix->name_tok0 = malloc((nl + 1) * sizeof *ix->name_tok0);
    ix->name_ntok = malloc(nl + 1);
    ix->name_w = malloc((nl + 1) * sizeof *ix->name_w);
    ix->name_init = calloc(nl + 1, sizeof *ix->name_init);
    ix->name_legal = calloc(nl + 1, 1);
    ix->name_cjk0 = calloc(nl + 1, sizeof *ix->name_cjk0);
    ix->name_ncjk = calloc(nl + 1, 1);
    if (!ix->name_src || !ix->name_tok0 || !ix->name_ntok || !ix->name_w || !ix->name_init ||
        !ix->name_legal || !ix->name_cjk0 || !ix->name_ncjk)
        goto out_oom;
    ckp_status rc = ckp_namenorm_new(&nn, err);
    if (rc)
        goto out_fail;
    /* 1. tokenise every name of every live party */
    for (size_t i = 0; i < nl; i++) {
        const ckp_party_name *pn = ckp_lists_name(lists, i);
        if (ckp_lists_party(lists, pn->party)->deleted)
            continue;
        int n = ckp_name_normalize(nn, pn->name, strlen(pn->name), nt);
        if (n == 0)
            continue;
        uint32_t k = ix->nnames++;
        ix->name_src[k] = (uint32_t)i;
        ix->name_tok0[k] = (uint32_t)toks.n;
        ix->name_ntok[k] = (uint8_t)n;
        ix->name_legal[k] = (uint8_t)ckp_legal_family_of(nt);
        ix->name_cjk0[k] = (uint32_t)cjk.n;
        ix->name_ncjk[k] = nt->cjk_cut ? 255 : nt->ncjk;
        for (int j = 0; j < nt->ncjk; j++) {
            uint32_t *c = ckp__vec_push(&cjk);
            if (!c)
                goto out_oom;
            *c = nt->cjk[j];
        }
        for (int j = 0; j < n; j++) {
            uint32_t vid = vocab_get(ix, &nt->tok[j]);
            uint32_t *slot = vid != NONE ? ckp__vec_push(&toks) : NULL;
            uint8_t *kslot = slot ? ckp__vec_push(&kinds) : NULL;
            if (!kslot)
                goto out_oom;
            *slot = vid;
            *kslot = nt->tok[j].kind;
            char c0 = nt->tok[j].text[0];
            if (nt->tok[j].kind == CKP_TOK_INITIAL && c0 >= 'a' && c0 <= 'z')
                ix->name_init[k] |= 1u << (c0 - 'a');
        }
    }
    ix->toks = toks.data;
    toks.data = NULL;
    ix->kinds = kinds.data;
    kinds.data = NULL;
    ix->cjk = cjk.data;
    cjk.data = NULL;
    /* 2. document frequencies (once per name) and postings */
    size_t nv = ix->vocab.n;
    vtok *voc = ix->vocab.data;
    ix->post0 = calloc(nv + 1, sizeof *ix->post0);
    if (!ix->post0)
        goto out_oom;
    for (uint32_t k = 0; k < ix->nnames; k++) {
        const uint32_t *t = ix->toks + ix->name_tok0[k];
        for (int j = 0; j < ix->name_ntok[k]; j++)
            if (first_in_name(t, j))
                voc[t[j]].df++;
    }
    size_t total = 0;
    for (size_t v = 0; v < nv; v++) {
        ix->post0[v] = (uint32_t)total;
        total += voc[v].df;
    }
    ix->post0[nv] = (uint32_t)total;
    ix->post = malloc((total + 1) * sizeof *ix->post);
    uint32_t *fill = calloc(nv + 1, sizeof *fill);
    if (!ix->post || !fill) {
        free(fill);
        goto out_oom;
    }
    for (uint32_t k = 0; k < ix->nnames; k++) {
        const uint32_t *t = ix->toks + ix->name_tok0[k];
        for (int j = 0; j < ix->name_ntok[k]; j++)
            if (first_in_name(t, j))
                ix->post[ix->post0[t[j]] + fill[t[j]]++] = k;
    }
    free(fill);
    /* 3. weights */
    double N = ix->nnames ? ix->nnames : 1;
    ix->wmax = (float)log(1.0 + N);
    for (size_t v = 0; v < nv; v++)
        voc[v].w = (float)log(1.0 + N / (voc[v].df ? voc[v].df : 1));
    ix->common_df = (uint32_t)(N / 20 > 2000 ? N / 20 : 2000);
    for (uint32_t k = 0; k < ix->nnames; k++) {
        const uint32_t *t = ix->toks + ix->name_tok0[k];
        const uint8_t *kd = ix->kinds + ix->name_tok0[k];
        float w = 0, wall = 0;
        for (int j = 0; j < ix->name_ntok[k]; j++) {
            wall += voc[t[j]].w;
            if (scoring_kind(kd[j]))
                w += voc[t[j]].w;
        }
        ix->name_w[k] = w > 0 ? w : wall;
    }
    /* 4. deletion variants and keys of words */
    for (size_t v = 0; v < nv; v++) {
        const vtok *t = &voc[v];
        if (t->kind != CKP_TOK_WORD || t->len < 3)
            continue;
        if (t->keylen >= 3 && chain_add(ix, &ix->keymap, t->key, t->keylen, (uint32_t)v))
            goto out_oom;
        if (t->len < 4)
            continue;
        if (t->len > MAX_VARIANT_LEN)
            continue;
        char d[MAX_VARIANT_LEN];
        for (size_t i = 0; i < t->len; i++) {
            if (i > 0 && t->text[i] == t->text[i - 1])
                continue; /* same variant as the previous deletion */
            memcpy(d, t->text, i);
            memcpy(d + i, t->text + i + 1, t->len - i - 1);
            if (chain_add(ix, &ix->delmap, d, t->len - 1, (uint32_t)v))
                goto out_oom;
            ix->stats.variants++;
        }
    }
    ckp_namenorm_free(nn);
    free(nt);
    size_t np = 0;
    for (size_t i = 0; i < ckp_lists_party_count(lists); i++)
        np += !ckp_lists_party(lists, i)->deleted;
    ix->stats.parties = np;
    ix->stats.names = ix->nnames;
    ix->stats.tokens = nv;
    ix->stats.build_ms = now_ms() - t0;
    *out = ix;
    return CKP_OK;
out_oom:
    rc = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory building the list index");
out_fail:
    ckp__vec_free(&toks);
    ckp__vec_free(&kinds);
    ckp__vec_free(&cjk);
    ckp_namenorm_free(nn);
    free(nt);
    ckp_index_free(ix);
    return rc;
}

ckp_status ckp_index_load(const char *spec, const char *datadir, const ckp_ref *ref,
                          ckp_lists **lists, ckp_index **ix, ckp_list_stats *stats,
                          ckp_error *err)
{
    *lists = NULL;
    *ix = NULL;
    ckp_lists *l = NULL;
    ckp_status rc = ckp_lists_new(&l, err);
    if (!rc)
        rc = ckp_lists_load_spec(l, spec, datadir, ref, stats, err);
    if (!rc)
        rc = ckp_index_build(l, ix, err);
    if (rc) {
        ckp_lists_free(l);
        return rc;
    }
    *lists = l;
    return CKP_OK;
}

/* What the env slot lists_slot holds: the lists and their index. */
typedef struct env_lists {
    ckp_lists *lists;
    ckp_index *ix;
} env_lists;

static void env_lists_free(void *p)
{
    env_lists *e = p;
    if (!e)
        return;
    ckp_index_free(e->ix);
    ckp_lists_free(e->lists);
    free(e);
}

static ckp_status env_lists_load(ckp_env *env, void **ptr, ckp_error *err)
{
    env_lists *e = calloc(1, sizeof *e);
    if (!e)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ckp_status rc = ckp_index_load(NULL, ckp_env_data_dir(env), ckp_env_ref(env), &e->lists,
                                   &e->ix, NULL, err);
    if (rc) {
        free(e);
        return rc;
    }
    *ptr = e;
    return CKP_OK;
}

/* The env slot of the party lists (verb.h): loaded once per env. */
static const ckp_env_slot_def lists_slot = {"party lists", env_lists_load, env_lists_free, 0};

ckp_status ckp_index_from_env(ckp_env *env, const ckp_index **out, ckp_error *err)
{
    void *p = NULL;
    *out = NULL;
    ckp_status rc = ckp_env_slot(env, &lists_slot, &p, err);
    if (rc)
        return rc;
    *out = ((env_lists *)p)->ix;
    return CKP_OK;
}

void ckp_index_free(ckp_index *ix)
{
    if (!ix)
        return;
    ckp__vec_free(&ix->vocab);
    ckp__vec_free(&ix->chain);
    ckp__strmap_free(&ix->vmap);
    ckp__strmap_free(&ix->delmap);
    ckp__strmap_free(&ix->keymap);
    free(ix->name_src);
    free(ix->name_tok0);
    free(ix->name_ntok);
    free(ix->name_w);
    free(ix->name_init);
    free(ix->name_legal);
    free(ix->name_cjk0);
    free(ix->name_ncjk);
    free(ix->cjk);
    free(ix->toks);
    free(ix->kinds);
    free(ix->post0);
    free(ix->post);
    ckp__arena_free(&ix->arena);
    free(ix);
}

ckp_index_stats ckp_index_get_stats(const ckp_index *ix) { return ix->stats; }
const ckp_lists *ckp_index_lists(const ckp_index *ix) { return ix->lists; }

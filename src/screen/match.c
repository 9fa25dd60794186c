/* match.c — the list index, candidate generation and the explained scorer
 * (see match.h). */
#include "chokepoint/match.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "chokepoint/names.h"
#include "screen_int.h"

#define U_PENALTY 0.6       /* weight of unmatched tokens in the denominator */
#define U_COVERED 0.25      /* … of unmatched list tokens when the query is covered */
#define SHORT_WORD 5        /* a lone word this short must match exactly */
#define F_SCHEMA 0.85       /* a person matched against an organisation, or the reverse */
#define F_LEGAL 0.75        /* two different legal forms (AG vs GmbH) */
#define D_WEAK 0.10         /* a weak alias (OFAC "a.k.a. weak", FtM weakAlias) */
#define MAX_JOIN 3          /* a word may stand for up to this many joined tokens */
#define PAIR_MIN 0.80       /* a token pair below this does not align */
#define MAX_VARIANT_LEN 24  /* tokens longer than this get no deletion variants */
#define NONE UINT32_MAX
/* The candidate bound assumes every aligned pair was found by candidate
 * generation; initials, long-word similarity and joined words are not, so
 * the bound prunes only this far below the threshold. */
#ifndef BOUND_MARGIN
#define BOUND_MARGIN 0.05
#endif

typedef struct vtok {
    const char *text;  /* in the arena */
    const char *key;   /* transliteration key */
    uint32_t df;       /* names containing it */
    float w;           /* IDF weight */
    uint16_t len, keylen;
    uint8_t kind;      /* ckp_token_kind */
} vtok;

struct ckp_index {
    const ckp_lists *lists;
    ckp__arena arena;
    ckp__vec vocab;          /* vtok */
    ckp__strmap vmap;        /* token text → vocab id */
    /* names */
    uint32_t nnames;
    uint32_t *name_src;      /* index into the lists' names */
    uint32_t *name_tok0;     /* first token in toks[] */
    uint8_t *name_ntok;
    uint8_t *kinds;          /* token kind of every name token, parallel to toks
                                (one text may be a stop word in Latin and a
                                pinyin word in a Han name) */
    float *name_w;           /* sum of the weights of its scoring tokens */
    uint32_t *name_init;     /* bit (c - 'a') set for each initial c in the name */
    uint8_t *name_legal;     /* ckp_legal_family of the name */
    uint32_t *name_cjk0;     /* first of its Han/Hangul characters in cjk[] */
    uint8_t *name_ncjk;      /* how many (0 = none; 255 = more than were kept) */
    uint32_t *cjk;           /* the characters of every name, in order */
    uint32_t *toks;          /* vocab ids of every name, in order */
    /* postings: token → names */
    uint32_t *post0;         /* nvocab + 1 */
    uint32_t *post;
    /* one-deletion variants and keys: map → chain of vocab ids */
    ckp__strmap delmap, keymap;
    ckp__vec chain;          /* chain_link */
    float wmax;              /* weight of an unseen token */
    uint32_t common_df;      /* tokens above this df do not generate candidates */
    ckp_index_stats stats;
};

typedef struct chain_link {
    uint32_t vid, next;
} chain_link;

/* One side of a comparison: tokens with their vocab ids and weights. */
typedef struct side {
    int n;
    const char *text[CKP_NAME_MAX_TOKENS];
    uint16_t len[CKP_NAME_MAX_TOKENS];
    uint8_t kind[CKP_NAME_MAX_TOKENS];
    uint32_t vid[CKP_NAME_MAX_TOKENS];
    float w[CKP_NAME_MAX_TOKENS];
    const char *key[CKP_NAME_MAX_TOKENS]; /* vocab key, or keybuf for the query */
    uint8_t keylen[CKP_NAME_MAX_TOKENS];
    char keybuf[CKP_NAME_MAX_TOKENS][24];
    int use[CKP_NAME_MAX_TOKENS]; /* 1 = a scoring token (generic/stop ignored) */
    uint8_t legal;                /* ckp_legal_family */
    uint8_t ncjk;                 /* Han/Hangul characters, 255 = cut */
    const uint32_t *cjk;
} side;

struct ckp_matcher {
    const ckp_index *ix;
    ckp_namenorm *nn;
    uint32_t serial;
    uint32_t *mark;   /* per name: query serial when touched */
    uint16_t *lastq;  /* per name: last query token that hit it */
    float *acc, *accq, *lastw, *lastwq;
    uint32_t *cands;
    size_t ncands;
    ckp_name_tokens q, b; /* query and pair scratch */
    side qs, cs;          /* the query and the list name being scored */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const vtok *V(const ckp_index *ix, uint32_t id) { return (const vtok *)ix->vocab.data + id; }

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

static int scoring_kind(int kind) { return kind == CKP_TOK_WORD || kind == CKP_TOK_NUMBER || kind == CKP_TOK_INITIAL; }

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
        for (int j = 0; j < ix->name_ntok[k]; j++) {
            int dup = 0;
            for (int i = 0; i < j; i++)
                dup |= t[i] == t[j];
            if (!dup)
                voc[t[j]].df++;
        }
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
        for (int j = 0; j < ix->name_ntok[k]; j++) {
            int dup = 0;
            for (int i = 0; i < j; i++)
                dup |= t[i] == t[j];
            if (!dup)
                ix->post[ix->post0[t[j]] + fill[t[j]]++] = k;
        }
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

/* ---- matcher -------------------------------------------------------------- */

ckp_status ckp_matcher_new(const ckp_index *ix, ckp_matcher **out, ckp_error *err)
{
    *out = NULL;
    ckp_matcher *m = calloc(1, sizeof *m);
    size_t n = ix->nnames + 1;
    if (!m)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    m->ix = ix;
    m->mark = calloc(n, sizeof *m->mark);
    m->lastq = calloc(n, sizeof *m->lastq);
    m->acc = calloc(n, sizeof *m->acc);
    m->accq = calloc(n, sizeof *m->accq);
    m->lastw = calloc(n, sizeof *m->lastw);
    m->lastwq = calloc(n, sizeof *m->lastwq);
    m->cands = calloc(n, sizeof *m->cands);
    if (!m->mark || !m->lastq || !m->acc || !m->accq || !m->lastw || !m->lastwq || !m->cands) {
        ckp_matcher_free(m);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    ckp_status rc = ckp_namenorm_new(&m->nn, err);
    if (rc) {
        ckp_matcher_free(m);
        return rc;
    }
    *out = m;
    return CKP_OK;
}

void ckp_matcher_free(ckp_matcher *m)
{
    if (!m)
        return;
    ckp_namenorm_free(m->nn);
    free(m->mark);
    free(m->lastq);
    free(m->acc);
    free(m->accq);
    free(m->lastw);
    free(m->lastwq);
    free(m->cands);
    free(m);
}

void ckp_match_opts_init(ckp_match_opts *o)
{
    o->threshold = CKP_MATCH_THRESHOLD;
    o->limit = 10;
    o->country = NULL;
    o->schema = NULL;
    o->birth_date = o->identifiers = NULL;
    o->explain = 1;
    o->algorithm = CKP_ALGO_DEFAULT;
}

/* ---- scoring ------------------------------------------------------------ */

static void side_mark_use(side *s)
{
    int any = 0;
    for (int i = 0; i < s->n; i++) {
        s->use[i] = scoring_kind(s->kind[i]);
        any |= s->use[i] && s->kind[i] != CKP_TOK_INITIAL;
    }
    if (!any) /* a name of generic words only: they are its words */
        for (int i = 0; i < s->n; i++)
            s->use[i] = 1;
}

static void side_from_tokens(const ckp_index *ix, const ckp_name_tokens *t, side *s)
{
    s->n = t->n;
    for (int i = 0; i < t->n; i++) {
        s->text[i] = t->tok[i].text;
        s->len[i] = t->tok[i].len;
        s->kind[i] = t->tok[i].kind;
        s->vid[i] = ckp__strmap_get(&ix->vmap, t->tok[i].text, t->tok[i].len);
        s->w[i] = s->vid[i] != NONE ? V(ix, s->vid[i])->w : ix->wmax;
        s->keylen[i] = (uint8_t)ckp_name_key(t->tok[i].text, t->tok[i].len, s->keybuf[i],
                                             sizeof s->keybuf[i]);
        s->key[i] = s->keybuf[i];
    }
    s->legal = (uint8_t)ckp_legal_family_of(t);
    s->ncjk = t->cjk_cut ? 255 : t->ncjk;
    s->cjk = t->cjk;
    side_mark_use(s);
}

static void side_from_name(const ckp_index *ix, uint32_t k, side *s)
{
    const uint32_t *t = ix->toks + ix->name_tok0[k];
    const uint8_t *kd = ix->kinds + ix->name_tok0[k];
    s->n = ix->name_ntok[k];
    for (int i = 0; i < s->n; i++) {
        const vtok *v = V(ix, t[i]);
        s->text[i] = v->text;
        s->len[i] = v->len;
        s->kind[i] = kd[i];
        s->vid[i] = t[i];
        s->w[i] = v->w;
        s->key[i] = v->key;
        s->keylen[i] = (uint8_t)(v->keylen < 255 ? v->keylen : 255);
    }
    s->legal = ix->name_legal[k];
    s->ncjk = ix->name_ncjk[k];
    s->cjk = ix->cjk ? ix->cjk + ix->name_cjk0[k] : NULL;
    side_mark_use(s);
}

/* Bag distance: a lower bound of the edit distance, in one pass (letters
 * and digits counted in 32 buckets). */
static int bag_distance(const char *a, size_t la, const char *b, size_t lb)
{
    int cnt[32] = {0};
    for (size_t i = 0; i < la; i++)
        cnt[(unsigned char)a[i] & 31]++;
    for (size_t i = 0; i < lb; i++)
        cnt[(unsigned char)b[i] & 31]--;
    int pos = 0, neg = 0;
    for (int i = 0; i < 32; i++) {
        if (cnt[i] > 0)
            pos += cnt[i];
        else
            neg -= cnt[i];
    }
    return pos > neg ? pos : neg;
}

/* Similarity of token i of a and token j of b in [0,1] (0 = cannot align);
 * *how gets a short tag for the explanation. */
static double tok_sim(const side *a, int i, const side *b, int j, const char **how)
{
    *how = "=";
    if (a->vid[i] != NONE && a->vid[i] == b->vid[j])
        return 1.0;
    size_t la = a->len[i], lb = b->len[j];
    const char *ta = a->text[i], *tb = b->text[j];
    if (la == lb && memcmp(ta, tb, la) == 0)
        return 1.0;
    int ka = a->kind[i], kb = b->kind[j];
    if (ka == CKP_TOK_NUMBER || kb == CKP_TOK_NUMBER)
        return 0.0;
    if (ka == CKP_TOK_INITIAL || kb == CKP_TOK_INITIAL) {
        *how = "~initial";
        return ta[0] == tb[0] ? 0.85 : 0.0;
    }
    size_t mx = la > lb ? la : lb, mn = la < lb ? la : lb;
    double best = 0.0;
    if (mn >= 4) {
        int allowed = mx <= 5 ? 1 : 2;
        int d = bag_distance(ta, la, tb, lb) > allowed ? allowed + 1
                                                       : ckp_edit_distance(ta, la, tb, lb, allowed);
        if (d <= allowed) {
            /* Jaro-Winkler alone forgives two edits in a long shared prefix
             * (abdulhai/abdullah 0.92): average it with 1 - edits/length */
            double jw = ckp_jaro_winkler(ta, la, tb, lb);
            double s = (jw + 1.0 - (double)d / (double)mx) / 2;
            best = s > PAIR_MIN ? s : (d == 1 ? PAIR_MIN : 0.0);
            *how = "~typo";
        } else if (mn >= 8 && mx - mn <= 2) {
            double jw = ckp_jaro_winkler(ta, la, tb, lb);
            if (jw >= 0.92) {
                best = jw - 0.05;
                *how = "~similar";
            }
        }
        /* Arabic article glued on: "alqaida" = "qaida" */
        if (best < 0.90 && la == lb + 2 && ta[0] == 'a' && ta[1] == 'l' && lb >= 4 &&
            memcmp(ta + 2, tb, lb) == 0) {
            best = 0.90;
            *how = "~al-";
        }
        if (best < 0.90 && lb == la + 2 && tb[0] == 'a' && tb[1] == 'l' && la >= 4 &&
            memcmp(tb + 2, ta, la) == 0) {
            best = 0.90;
            *how = "~al-";
        }
    }
    /* a nickname and its full given name ("bill" = "william") */
    if (best < 0.90 && ka == CKP_TOK_WORD && kb == CKP_TOK_WORD) {
        const char *fa = ckp_name_nickname(ta, la), *fb = ckp_name_nickname(tb, lb);
        if ((fa && strlen(fa) == lb && memcmp(fa, tb, lb) == 0) ||
            (fb && strlen(fb) == la && memcmp(fb, ta, la) == 0) || (fa && fb && strcmp(fa, fb) == 0)) {
            *how = "~nickname";
            return 0.90;
        }
    }
    /* transliteration variants, when the key keeps 3 consonants or more
     * (duks = dux, sergei = sergey; not rima/rami, chennai/tsnii) */
    if (best < 0.90 && mn >= 3 && mx - mn <= 2 && a->keylen[i] >= 3 &&
        a->keylen[i] == b->keylen[j] && memcmp(a->key[i], b->key[j], a->keylen[i]) == 0) {
        best = 0.90;
        *how = "~variant";
    }
    return best;
}

typedef struct pairc {
    float sim;
    uint8_t i, j;
} pairc;

static int pair_cmp(const void *x, const void *y)
{
    const pairc *a = x, *b = y;
    if (a->sim != b->sim)
        return a->sim > b->sim ? -1 : 1;
    if (a->i != b->i)
        return a->i - b->i;
    return a->j - b->j;
}

/* Alignment result. */
typedef struct align {
    int qm[CKP_NAME_MAX_TOKENS];  /* query token → list token, -1, or -2 = merged */
    int cm[CKP_NAME_MAX_TOKENS];  /* list token → query token or -1 */
    float qs[CKP_NAME_MAX_TOKENS];
    const char *how[CKP_NAME_MAX_TOKENS];
    int qjoin[CKP_NAME_MAX_TOKENS]; /* query token i: joined with the next qjoin-1 */
    int cjoin[CKP_NAME_MAX_TOKENS]; /* query token i: its list token and the next cjoin-1 */
    int covered;    /* 1 when every word of the query aligned (2 words or more) */
    int lone_short; /* 1 when a lone short word matched only as a typo: rejected */
} align;

/* 1 when b's tokens j … j+k-1 concatenated equal a's token i ("rosneft" =
 * "ros neft", "bashiruddin" = "bashir ud din"). */
static int concat_eq(const side *a, int i, const side *b, int j, int k)
{
    size_t off = 0;
    for (int t = j; t < j + k; t++) {
        size_t l = b->len[t];
        if (off + l > a->len[i] || memcmp(a->text[i] + off, b->text[t], l) != 0)
            return 0;
        off += l;
    }
    return off == a->len[i];
}

/* 1 when tokens j … j+k-1 of x are all free words (stop words may be among
 * them: "jong un" = "jongun"), the first one a scoring word. */
static int free_run(const side *x, const int *xm, int j, int k)
{
    if (j + k > x->n || !x->use[j])
        return 0;
    for (int t = j; t < j + k; t++)
        if (xm[t] != -1 || x->kind[t] == CKP_TOK_NUMBER || x->kind[t] == CKP_TOK_GENERIC ||
            (!x->use[t] && x->kind[t] != CKP_TOK_STOP))
            return 0;
    return 1;
}

/* Where the letters of x's token i are the initials of consecutive
 * unmatched scoring tokens of y (len(token) of them, at least 2): the first
 * of them, or -1. */
static int acronym_at(const side *x, int i, const side *y, const int *ym)
{
    int len = x->len[i];
    for (int k = 0; k + len <= y->n; k++) {
        int ok = 1;
        for (int j = 0; j < len && ok; j++) {
            int t = k + j;
            ok = y->use[t] && ym[t] == -1 && y->kind[t] == CKP_TOK_WORD && y->len[t] >= 2 &&
                 y->text[t][0] == x->text[i][j];
        }
        if (ok)
            return k;
    }
    return -1;
}

/* Score q against c; fills al when given. */
static double score_sides(const side *q, const side *c, align *al, double *pnum, double *pden)
{
    pairc pr[CKP_NAME_MAX_TOKENS * CKP_NAME_MAX_TOKENS];
    int np = 0;
    const char *hows[CKP_NAME_MAX_TOKENS][CKP_NAME_MAX_TOKENS];
    for (int i = 0; i < q->n; i++) {
        if (!q->use[i])
            continue;
        for (int j = 0; j < c->n; j++) {
            if (!c->use[j])
                continue;
            const char *how;
            double s = tok_sim(q, i, c, j, &how);
            if (s >= PAIR_MIN) {
                pr[np].sim = (float)s;
                pr[np].i = (uint8_t)i;
                pr[np].j = (uint8_t)j;
                hows[i][j] = how;
                np++;
            }
        }
    }
    if (np > 1)
        qsort(pr, (size_t)np, sizeof pr[0], pair_cmp);
    align local;
    if (!al)
        al = &local;
    for (int i = 0; i < CKP_NAME_MAX_TOKENS; i++) {
        al->qm[i] = al->cm[i] = -1;
        al->qs[i] = 0;
        al->how[i] = "";
        al->qjoin[i] = al->cjoin[i] = 1;
    }
    al->covered = al->lone_short = 0;
    double num = 0, den = 0;
    int words = 0;
    for (int k = 0; k < np; k++) {
        int i = pr[k].i, j = pr[k].j;
        if (al->qm[i] != -1 || al->cm[j] != -1)
            continue;
        al->qm[i] = j;
        al->cm[j] = i;
        al->qs[i] = pr[k].sim;
        al->how[i] = hows[i][j];
        num += pr[k].sim * 2 * c->w[j];
        den += 2 * c->w[j];
        if (q->kind[i] != CKP_TOK_INITIAL && c->kind[j] != CKP_TOK_INITIAL)
            words++;
    }
    /* joined tokens: "abdulhai" = "abdul hai", "rosneft" = "ros-neft",
     * "bashiruddin" = "bashir ud din", both ways */
    for (int i = 0; i < q->n; i++) {
        if (!q->use[i] || al->qm[i] != -1 || q->kind[i] == CKP_TOK_NUMBER)
            continue;
        for (int j = 0; j + 1 < c->n && al->qm[i] == -1; j++) {
            for (int k = 2; k <= MAX_JOIN; k++) {
                if (!free_run(c, al->cm, j, k) || !concat_eq(q, i, c, j, k))
                    continue;
                al->qm[i] = j;
                double w = 0;
                for (int t = j; t < j + k; t++) {
                    al->cm[t] = i;
                    w = c->w[t] > w ? c->w[t] : w;
                }
                al->qs[i] = 0.95f;
                al->how[i] = "~joined";
                al->cjoin[i] = k;
                num += 0.95 * 2 * w;
                den += 2 * w;
                words++;
                break;
            }
        }
    }
    for (int j = 0; j < c->n; j++) {
        if (!c->use[j] || al->cm[j] != -1 || c->kind[j] == CKP_TOK_NUMBER)
            continue;
        for (int i = 0; i + 1 < q->n && al->cm[j] == -1; i++) {
            for (int k = 2; k <= MAX_JOIN; k++) {
                if (!free_run(q, al->qm, i, k) || !concat_eq(c, j, q, i, k))
                    continue;
                al->qm[i] = j;
                for (int t = i + 1; t < i + k; t++)
                    al->qm[t] = -2;
                al->cm[j] = i;
                al->qs[i] = 0.95f;
                al->how[i] = "~joined";
                al->qjoin[i] = k;
                num += 0.95 * 2 * c->w[j];
                den += 2 * c->w[j];
                words++;
                break;
            }
        }
    }
    /* acronyms: "dto" = "drug trafficking organization", both ways */
    for (int side_q = 0; side_q < 2; side_q++) {
        const side *x = side_q ? q : c, *y = side_q ? c : q;
        int *xm = side_q ? al->qm : al->cm, *ym = side_q ? al->cm : al->qm;
        for (int i = 0; i < x->n; i++) {
            if (!x->use[i] || xm[i] != -1 || x->len[i] < 3 || x->len[i] > 6 ||
                x->kind[i] != CKP_TOK_WORD)
                continue;
            int k = acronym_at(x, i, y, ym);
            if (k < 0)
                continue;
            int last = k + x->len[i] - 1;
            double w = 0;
            for (int j = k; j <= last; j++) {
                ym[j] = -3; /* consumed by an acronym */
                w += y->w[j];
            }
            xm[i] = -3;
            double pw = w / x->len[i];
            num += 0.9 * 2 * pw;
            den += 2 * pw;
            words++;
            if (side_q) {
                al->qs[i] = 0.9f;
                al->how[i] = "~acronym";
            }
        }
    }
    /* a one-word list name ("ABDULLAH", a nickname) explains little of a
     * longer query: the query's unmatched words then count in full */
    int cwords = 0, qwords = 0, qfree = 0;
    for (int j = 0; j < c->n; j++)
        cwords += c->use[j] && c->kind[j] != CKP_TOK_INITIAL;
    for (int i = 0; i < q->n; i++) {
        int w = q->use[i] && q->kind[i] != CKP_TOK_INITIAL;
        qwords += w;
        qfree += w && al->qm[i] == -1;
    }
    /* a lone short word ("Beta") needs an exact or near-exact match: one
     * typo in four letters is another name (BEHTA, BETO) */
    if (qwords == 1 || cwords == 1) {
        for (int i = 0; i < q->n; i++) {
            int j = al->qm[i];
            if (j < 0 || !q->use[i] || q->kind[i] != CKP_TOK_WORD)
                continue;
            int mn = q->len[i] < c->len[j] ? q->len[i] : c->len[j];
            if (words != 1)
                continue;
            if (mn <= SHORT_WORD && strcmp(al->how[i], "~typo") == 0)
                al->lone_short = 1;
            /* a lone word's consonant key alone is weak evidence
             * (maggiani/amegino, bodini/abadan): the spelling must agree too */
            if (strcmp(al->how[i], "~variant") == 0 &&
                ckp_jaro_winkler(q->text[i], q->len[i], c->text[j], c->len[j]) < 0.85)
                al->lone_short = 2;
        }
    }
    /* asymmetric coverage: a query whose every word is in the list name is
     * strong evidence; the list name's extra words (patronymics, more given
     * names) then cost less than a mismatch */
    int cfree = 0;
    for (int j = 0; j < c->n; j++)
        cfree += c->use[j] && al->cm[j] == -1;
    /* covered: every query word aligned, none of them to a mere initial of
     * the list name, with a mean similarity of 0.9 or more */
    double qsum = 0;
    int qn = 0, qinit = 0;
    for (int i = 0; i < q->n; i++) {
        if (!q->use[i] || q->kind[i] == CKP_TOK_INITIAL || al->qm[i] < 0)
            continue;
        qsum += al->qs[i];
        qn++;
        qinit |= c->kind[al->qm[i]] == CKP_TOK_INITIAL;
    }
    al->covered = qwords >= 2 && qfree == 0 && cfree > 0 && !qinit && qn && qsum / qn >= 0.9;
    double uq = cwords == 1 ? 1.0 : U_PENALTY, uc = al->covered ? U_COVERED : U_PENALTY;
    for (int i = 0; i < q->n; i++)
        if (q->use[i] && al->qm[i] == -1)
            den += uq * q->w[i];
    for (int j = 0; j < c->n; j++)
        if (c->use[j] && al->cm[j] == -1)
            den += uc * c->w[j];
    if (pnum)
        *pnum = num;
    if (pden)
        *pden = den;
    if (words == 0 || den <= 0 || al->lone_short)
        return 0.0;
    double s = num / den;
    return s > 1.0 ? 1.0 : s;
}

/* Append printf text to an explanation buffer (CKP_EXPLAIN_MAX).  Text
 * that does not fit is not cut silently: the explanation then ends with
 * " ..." (the score is computed in full either way). */
static void eappend(char *buf, size_t cap, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void eappend(char *buf, size_t cap, size_t *o, const char *fmt, ...)
{
    if (*o + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *o, cap - *o, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= cap - *o && cap > 5) {
        memcpy(buf + cap - 5, " ...", 5);
        *o = cap - 1;
        return;
    }
    *o += (size_t)n < cap - *o ? (size_t)n : cap - *o - 1;
}

/* What the query is and what a party is, for the schema check. */
enum { SC_UNKNOWN = 0, SC_PERSON, SC_ORG, SC_LEGAL, SC_VESSEL, SC_AIRCRAFT };

static int schema_class(const char *t)
{
    if (!t || !*t)
        return SC_UNKNOWN;
    static const struct {
        const char *name;
        int cls;
    } map[] = {{"individual", SC_PERSON}, {"person", SC_PERSON},   {"entity", SC_ORG},
               {"company", SC_ORG},       {"organization", SC_ORG}, {"publicbody", SC_ORG},
               {"企业", SC_ORG},          {"legalentity", SC_LEGAL}, {"vessel", SC_VESSEL},
               {"aircraft", SC_AIRCRAFT}, {"airplane", SC_AIRCRAFT}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(t, map[i].name) == 0)
            return map[i].cls;
    return SC_UNKNOWN;
}

/* 1 when a query of class q cannot be a party of class p. */
static int schema_conflict(int q, int p)
{
    if (q == SC_UNKNOWN || p == SC_UNKNOWN || q == p)
        return 0;
    if (q == SC_LEGAL)
        return p == SC_VESSEL || p == SC_AIRCRAFT;
    if (p == SC_LEGAL)
        return q == SC_VESSEL || q == SC_AIRCRAFT;
    return 1;
}

/* Edit distance between two short code-point sequences (≤ 32 each). */
static int cp_distance(const uint32_t *a, int la, const uint32_t *b, int lb)
{
    int d[CKP_NAME_MAX_CJK + 1], prev;
    for (int j = 0; j <= lb; j++)
        d[j] = j;
    for (int i = 1; i <= la; i++) {
        prev = d[0];
        d[0] = i;
        for (int j = 1; j <= lb; j++) {
            int t = d[j];
            int sub = prev + (a[i - 1] != b[j - 1]);
            int del = d[j] + 1, ins = d[j - 1] + 1;
            d[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = t;
        }
    }
    return d[lb];
}

static int cjk_kind(const uint32_t *c, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k |= c[i] >= 0xAC00 && c[i] <= 0xD7A3 ? 2 : 1;
    return k;
}

static void put_cps(char *buf, size_t cap, size_t *o, const uint32_t *c, int n)
{
    for (int i = 0; i < n; i++) {
        uint32_t u = c[i];
        char e[4] = {(char)(0xE0 | (u >> 12)), (char)(0x80 | ((u >> 6) & 0x3F)),
                     (char)(0x80 | (u & 0x3F)), 0};
        eappend(buf, cap, o, "%s", e);
    }
}

/* ---- entity-level qualifiers: birth date, identifiers -------------------- */

/* How a query date (YYYY[-MM[-DD]]) stands to one of the party's birth items
 * (YYYY-MM-DD, YYYY-MM, YYYY, YYYY..YYYY, ~YYYY): 2 = the same day, 1 = the
 * same year (or within the range, or within 2 years of a circa), 0 = a year
 * within one of it, -1 = further apart, -2 = unreadable. */
static int birth_cmp(const char *q, const char *item, size_t n)
{
    int qy = atoi(q);
    if (qy < 1000 || n < 4)
        return -2;
    if (item[0] == '~') {
        int y = atoi(item + 1);
        return abs(y - qy) <= 2 ? 1 : -1;
    }
    int y = atoi(item);
    if (n >= 10 && item[4] == '.' && item[5] == '.') {
        int y2 = atoi(item + 6);
        return qy >= y && qy <= y2 ? 1 : (qy >= y - 1 && qy <= y2 + 1 ? 0 : -1);
    }
    if (y == qy)
        return n == 10 && strlen(q) == 10 && memcmp(q, item, 10) == 0 ? 2 : 1;
    return abs(y - qy) <= 1 ? 0 : -1;
}

/* Letters and digits of s (n bytes), upper-cased, into out (cap). */
static size_t id_norm(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            out[o++] = c;
    }
    out[o] = 0;
    return o;
}

/* The first of the query's identifiers equal to a word of the party's
 * identifiers (words of 5+ letters and digits; "IMO9349590" = "IMO 9349590"):
 * copied to out, or 0. */
static int id_equal(const char *qids, const char *pids, char *out, size_t cap)
{
    for (const char *a = qids; *a;) {
        const char *ae = strchr(a, ';');
        size_t an = ae ? (size_t)(ae - a) : strlen(a);
        char qa[128];
        size_t ql = id_norm(a, an, qa, sizeof qa);
        for (const char *b = pids; ql >= 5 && *b;) {
            while (*b && !((*b >= '0' && *b <= '9') || (*b >= 'A' && *b <= 'Z') ||
                           (*b >= 'a' && *b <= 'z')))
                b++;
            const char *be = b;
            while ((*be >= '0' && *be <= '9') || (*be >= 'A' && *be <= 'Z') ||
                   (*be >= 'a' && *be <= 'z') || *be == '-' || *be == '/')
                be++;
            char pb[128];
            size_t pl = id_norm(b, (size_t)(be - b), pb, sizeof pb);
            int eq = pl >= 5 && (pl == ql ? memcmp(pb, qa, ql) == 0
                                          : ql > pl && memcmp(qa + ql - pl, pb, pl) == 0);
            if (eq && ql > pl) /* "IMO9349590" for "9349590": the rest is a kind, letters only */
                for (size_t k = 0; k < ql - pl; k++)
                    eq &= qa[k] >= 'A' && qa[k] <= 'Z';
            if (eq) {
                snprintf(out, cap, "%.*s", (int)an, a);
                return 1;
            }
            b = be;
        }
        a = ae ? ae + 1 : a + an;
        while (*a == ' ')
            a++;
    }
    return 0;
}

#define F_BIRTH_DIFF 0.70  /* every birth year of the party more than a year off */
#define G_BIRTH_DAY 0.30   /* the same date of birth: this share of the gap to 1 */
#define G_BIRTH_YEAR 0.15  /* the same year of birth */
#define G_IDENT 0.50       /* an identical identifier */

static double entity_qualify(double s, const ckp_party *p, const ckp_match_opts *o, char *buf,
                             size_t cap, size_t *off)
{
    if (o->birth_date && *o->birth_date && p->birth && *p->birth) {
        int best = -2;
        for (const char *b = p->birth; *b;) {
            const char *e = strchr(b, ';');
            size_t n = e ? (size_t)(e - b) : strlen(b);
            int c = birth_cmp(o->birth_date, b, n);
            best = c > best ? c : best;
            b = e ? e + 1 : b + n;
            while (*b == ' ')
                b++;
        }
        double before = s;
        if (best == 2)
            s += (1 - s) * G_BIRTH_DAY;
        else if (best == 1)
            s += (1 - s) * G_BIRTH_YEAR;
        else if (best == -1)
            s *= F_BIRTH_DIFF;
        if (buf && best != 0 && best != -2)
            eappend(buf, cap, off, "; birth date %s %s %s: %+.3f", o->birth_date,
                    best == 2 ? "is the entry's" : best == 1 ? "agrees in the year with"
                                                             : "is another year than",
                    p->birth, s - before);
    }
    if (o->identifiers && *o->identifiers && p->identifiers && *p->identifiers) {
        char which[128];
        if (id_equal(o->identifiers, p->identifiers, which, sizeof which)) {
            double before = s;
            s += (1 - s) * G_IDENT;
            if (buf)
                eappend(buf, cap, off, "; identical identifier %s: %+.3f", which, s - before);
        }
    }
    return s;
}

/* The name-level and entity-level qualifiers applied to a token score s of
 * query q against list name c (of party p, name role; p NULL for a pair):
 * legal forms, Han/Hangul characters, schema, weak alias, country.  Each one
 * that changes the score is written to buf (when given) as "; …". */
static double qualify(const side *q, const side *c, double s, const ckp_party *p, int role,
                      const ckp_match_opts *opts, char *buf, size_t cap)
{
    size_t o = 0;
    if (buf && cap)
        buf[0] = 0;
    if (s <= 0)
        return 0.0;
    /* a different legal form of the same name is another company */
    if (q->legal && c->legal && q->legal != c->legal) {
        s *= F_LEGAL;
        if (buf)
            eappend(buf, cap, &o, "; legal form: %s (query) is not %s (list): x%.2f",
                    ckp_legal_family_name((ckp_legal_family)q->legal),
                    ckp_legal_family_name((ckp_legal_family)c->legal), F_LEGAL);
    }
    /* Han and Hangul compared character by character before transliteration:
     * 张伟 and 章伟 read "zhang wei" both but are two names */
    if (q->ncjk && c->ncjk && q->ncjk != 255 && c->ncjk != 255 &&
        cjk_kind(q->cjk, q->ncjk) == cjk_kind(c->cjk, c->ncjk)) {
        /* characters one name has more of are the tokens' business (航空 in
         * 洛克希德·马丁航空公司); what counts is characters written differently */
        int mx = q->ncjk < c->ncjk ? q->ncjk : c->ncjk;
        int d = cp_distance(q->cjk, q->ncjk, c->cjk, c->ncjk) - abs((int)q->ncjk - (int)c->ncjk);
        if (d > 0) {
            double f = (1.0 - (double)d / mx) * (1.0 - (double)d / mx);
            s *= f;
            if (buf) {
                eappend(buf, cap, &o, "; characters differ: ");
                put_cps(buf, cap, &o, q->cjk, q->ncjk);
                eappend(buf, cap, &o, " vs ");
                put_cps(buf, cap, &o, c->cjk, c->ncjk);
                eappend(buf, cap, &o, " (%d of %d): x%.2f", d, mx, f);
            }
        }
    }
    if (p) {
        int qc = schema_class(opts ? opts->schema : NULL);
        if (qc == SC_UNKNOWN && q->legal)
            qc = SC_ORG;
        int pc = schema_class(p->type);
        if (schema_conflict(qc, pc)) {
            s *= F_SCHEMA;
            if (buf)
                eappend(buf, cap, &o, "; schema: the query is %s, the entry %s: x%.2f",
                        opts && opts->schema ? opts->schema : "a company (legal form)", p->type,
                        F_SCHEMA);
        }
        if (role == CKP_NAME_WEAK) {
            double b = s;
            s = s > D_WEAK ? s - D_WEAK : 0.0;
            if (buf)
                eappend(buf, cap, &o, "; weak alias: %+.3f", s - b);
        }
        if (opts)
            s = entity_qualify(s, p, opts, buf, cap, &o);
        const char *qcn = opts ? opts->country : NULL, *pcn = p->countries;
        if (qcn && *qcn && pcn && *pcn) {
            double b = s;
            if (strstr(pcn, qcn)) {
                s = s + (1.0 - s) * 0.1;
                if (buf)
                    eappend(buf, cap, &o, "; country %s agrees with %s: %+.3f", qcn, pcn, s - b);
            } else {
                s = s > 0.05 ? s - 0.05 : 0.0;
                if (buf)
                    eappend(buf, cap, &o, "; country %s not in %s: %+.3f", qcn, pcn, s - b);
            }
        }
    }
    return s > 1.0 ? 1.0 : s;
}

/* ---- the OFAC algorithm -------------------------------------------------- */

int ckp_match_algorithm_parse(const char *name, ckp_match_algorithm *out)
{
    if (strcmp(name, "default") == 0)
        *out = CKP_ALGO_DEFAULT;
    else if (strcmp(name, "ofac") == 0)
        *out = CKP_ALGO_OFAC;
    else
        return -1;
    return 0;
}

/* American Soundex of a lower-case ASCII token into out[5] ("" when it does
 * not start with a letter). */
static void soundex(const char *t, size_t n, char out[5])
{
    static const char code[] = "01230120022455012623010202"; /* a..z */
    out[0] = 0;
    if (n == 0 || t[0] < 'a' || t[0] > 'z')
        return;
    int o = 0;
    out[o++] = (char)(t[0] - 'a' + 'A');
    char last = code[t[0] - 'a'];
    for (size_t i = 1; i < n && o < 4; i++) {
        char c = t[i];
        if (c < 'a' || c > 'z')
            continue;
        char d = code[c - 'a'];
        if (c == 'h' || c == 'w')
            continue; /* h and w do not separate equal codes */
        if (d != '0' && d != last)
            out[o++] = d;
        last = d;
    }
    while (o < 4)
        out[o++] = '0';
    out[4] = 0;
}

/* The side's tokens, all of them, joined by single spaces. */
static size_t side_join(const side *s, char *buf, size_t cap)
{
    size_t o = 0;
    for (int i = 0; i < s->n; i++) {
        if (o + s->len[i] + 2 > cap)
            break;
        if (o)
            buf[o++] = ' ';
        memcpy(buf + o, s->text[i], s->len[i]);
        o += s->len[i];
    }
    buf[o] = 0;
    return o;
}

/* Score as OFAC's Sanctions List Search describes it (FAQ 249): the
 * Jaro-Winkler similarity of the whole names; and for each name part of the
 * query, its best list name part by Jaro-Winkler, raised to 0.90 when both
 * have the same Soundex code, averaged over the query's parts; the higher of
 * the two.  Tokens are the normaliser's (names.h): legal forms count as parts. */
static double ofac_score(const side *q, const side *c, char *buf, size_t cap)
{
    char a[CKP_NAME_MAX_BYTES + CKP_NAME_MAX_TOKENS + 2], b[CKP_NAME_MAX_BYTES + CKP_NAME_MAX_TOKENS + 2];
    size_t la = side_join(q, a, sizeof a), lb = side_join(c, b, sizeof b);
    if (la == 0 || lb == 0)
        return 0.0;
    double whole = ckp_jaro_winkler(a, la, b, lb);
    double sum = 0;
    int parts = 0;
    size_t o = 0;
    if (buf && cap)
        buf[0] = 0;
    if (buf)
        eappend(buf, cap, &o, "ofac: whole name Jaro-Winkler %.3f; name parts:", whole);
    for (int i = 0; i < q->n; i++) {
        char sa[5], sb[5];
        soundex(q->text[i], q->len[i], sa);
        double best = 0;
        int bj = -1, bsx = 0;
        for (int j = 0; j < c->n; j++) {
            double jw = ckp_jaro_winkler(q->text[i], q->len[i], c->text[j], c->len[j]);
            soundex(c->text[j], c->len[j], sb);
            int sx = sa[0] && strcmp(sa, sb) == 0;
            double v = sx && jw < 0.90 ? 0.90 : jw;
            if (v > best) {
                best = v;
                bj = j;
                bsx = sx;
            }
        }
        sum += best;
        parts++;
        if (buf && bj >= 0)
            eappend(buf, cap, &o, " %s~%s %.3f%s", q->text[i], c->text[bj], best,
                    bsx ? " (same Soundex)" : "");
        else if (buf)
            eappend(buf, cap, &o, " %s 0", q->text[i]);
    }
    double comp = parts ? sum / parts : 0.0;
    double s = whole > comp ? whole : comp;
    if (buf)
        eappend(buf, cap, &o, "; name parts %.3f; score = the higher, %.3f", comp, s);
    return s;
}

static void explain(const side *q, const side *c, const align *al, double raw, double num,
                    double den, const char *qual, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = 0;
    int first = 1;
    for (int i = 0; i < q->n; i++) {
        if (al->qm[i] < 0)
            continue;
        int j = al->qm[i];
        const char *sep = first ? "" : ", ";
        if (al->qjoin[i] > 1 || al->cjoin[i] > 1) {
            eappend(buf, cap, &o, "%s%s", sep, q->text[i]);
            for (int t = i + 1; t < i + al->qjoin[i] && t < q->n; t++)
                eappend(buf, cap, &o, " %s", q->text[t]);
            eappend(buf, cap, &o, " ~joined %s", c->text[j]);
            for (int t = j + 1; t < j + al->cjoin[i] && t < c->n; t++)
                eappend(buf, cap, &o, " %s", c->text[t]);
            eappend(buf, cap, &o, " %.2f", al->qs[i]);
        } else
            eappend(buf, cap, &o, "%s%s %s %s %.2f", sep, q->text[i], al->how[i], c->text[j],
                    al->qs[i]);
        first = 0;
    }
    int nq = 0, nc = 0;
    for (int i = 0; i < q->n; i++)
        nq += al->qm[i] == -3;
    for (int j = 0; j < c->n; j++)
        nc += al->cm[j] == -3;
    if (nq && nc) {
        eappend(buf, cap, &o, "%sacronym:", first ? "" : "; ");
        for (int i = 0; i < q->n; i++)
            if (al->qm[i] == -3)
                eappend(buf, cap, &o, " %s", q->text[i]);
        eappend(buf, cap, &o, " ~");
        for (int j = 0; j < c->n; j++)
            if (al->cm[j] == -3)
                eappend(buf, cap, &o, " %s", c->text[j]);
        eappend(buf, cap, &o, " 0.90");
        first = 0;
    }
    if (first)
        eappend(buf, cap, &o, "no token aligned");
    int any = 0;
    for (int i = 0; i < q->n; i++)
        if (q->use[i] && al->qm[i] == -1)
            eappend(buf, cap, &o, "%s%s", any++ ? " " : "; unmatched in query: ", q->text[i]);
    any = 0;
    for (int j = 0; j < c->n; j++)
        if (c->use[j] && al->cm[j] == -1)
            eappend(buf, cap, &o, "%s%s", any++ ? " " : "; unmatched in list name: ", c->text[j]);
    any = 0;
    for (int i = 0; i < q->n; i++)
        if (!q->use[i])
            eappend(buf, cap, &o, "%s%s (%s)", any++ ? ", " : "; ignored: ", q->text[i],
                    ckp_token_kind_name(q->kind[i]));
    for (int j = 0; j < c->n; j++)
        if (!c->use[j])
            eappend(buf, cap, &o, "%s%s (%s, list)", any++ ? ", " : "; ignored: ", c->text[j],
                    ckp_token_kind_name(c->kind[j]));
    if (al->lone_short == 1)
        eappend(buf, cap, &o, "; a lone short word must match exactly, not as a typo");
    else if (al->lone_short == 2)
        eappend(buf, cap, &o, "; a lone word matched by its consonants only is not enough");
    if (al->covered)
        eappend(buf, cap, &o, "; every query word is in the list name: its extra words weigh %.2f",
                U_COVERED);
    eappend(buf, cap, &o, "; token score %.3f (%.1f/%.1f)", raw, num, den);
    if (qual)
        eappend(buf, cap, &o, "%s", qual);
}

/* ---- candidates and the query ------------------------------------------ */

typedef struct qtokinfo {
    float slack;       /* weight of query tokens too common to generate candidates */
    float wq;          /* total scoring weight of the query */
} qtokinfo;

static void touch(ckp_matcher *m, uint32_t name, int qi, float wc, float wq)
{
    if (m->mark[name] != m->serial) {
        m->mark[name] = m->serial;
        m->acc[name] = m->accq[name] = 0;
        m->lastq[name] = UINT16_MAX;
        m->lastw[name] = m->lastwq[name] = 0;
        m->cands[m->ncands++] = name;
    }
    if (m->lastq[name] != qi) {
        m->lastq[name] = (uint16_t)qi;
        m->lastw[name] = m->lastwq[name] = 0;
    }
    if (wc > m->lastw[name]) {
        m->acc[name] += wc - m->lastw[name];
        m->lastw[name] = wc;
    }
    if (wq > m->lastwq[name]) {
        m->accq[name] += wq - m->lastwq[name];
        m->lastwq[name] = wq;
    }
}

/* Touch the names of vid, crediting wc of list weight (post_vid: vid's own). */
static void post_vid_w(ckp_matcher *m, uint32_t vid, int qi, float wc, float wq)
{
    const ckp_index *ix = m->ix;
    for (uint32_t p = ix->post0[vid]; p < ix->post0[vid + 1]; p++)
        touch(m, ix->post[p], qi, wc, wq);
}

static void post_vid(ckp_matcher *m, uint32_t vid, int qi, float wq)
{
    post_vid_w(m, vid, qi, V(m->ix, vid)->w, wq);
}

/* Vocab ids near token i of q: exact, one-deletion neighbours, same key. */
/* Ways an unknown query word splits into known words ("jongun" = "jon gun"
 * or "jong un"): each one's rarest part, and the weight of all its parts. */
#define MAX_SPLITS 4
typedef struct split_hit {
    int n;
    uint32_t vid[MAX_SPLITS];
    float w[MAX_SPLITS];
} split_hit;

static int near_vids(const ckp_index *ix, const side *q, int i, uint32_t *out, int max,
                     split_hit *split)
{
    split->n = 0;
    int n = 0;
#define ADD(v)                                                                            \
    do {                                                                                  \
        uint32_t v_ = (v);                                                                \
        int dup_ = 0;                                                                     \
        for (int k_ = 0; k_ < n; k_++)                                                    \
            dup_ |= out[k_] == v_;                                                        \
        if (!dup_ && n < max)                                                             \
            out[n++] = v_;                                                                \
    } while (0)
    if (q->vid[i] != NONE)
        ADD(q->vid[i]);
    if (q->kind[i] != CKP_TOK_WORD)
        return n;
    /* nicknames: "bill" finds "william", "william" finds "bill" */
    const char *full = ckp_name_nickname(q->text[i], q->len[i]), *nf;
    if (full) {
        uint32_t v = ckp__strmap_get(&ix->vmap, full, strlen(full));
        if (v != NONE)
            ADD(v);
    }
    for (size_t k = 0; (nf = ckp_name_nickname_at(k, &full)) != NULL; k++) {
        if (full[0] != q->text[i][0] || strlen(full) != q->len[i] ||
            memcmp(full, q->text[i], q->len[i]) != 0)
            continue;
        uint32_t v = ckp__strmap_get(&ix->vmap, nf, strlen(nf));
        if (v != NONE)
            ADD(v);
    }
    if (q->len[i] < 3)
        return n;
    if (q->len[i] < 4) { /* too short for typos; a key of 3 consonants may do */
        uint32_t h = q->keylen[i] >= 3 ? ckp__strmap_get(&ix->keymap, q->key[i], q->keylen[i])
                                       : NONE;
        for (; h != NONE; h = ((const chain_link *)ix->chain.data)[h].next)
            ADD(((const chain_link *)ix->chain.data)[h].vid);
        return n;
    }
    const chain_link *ch = ix->chain.data;
    const char *t = q->text[i];
    size_t len = q->len[i];
    uint32_t h;
    /* one-deletion neighbours (edit distance ≤ 2 for most typos) */
    if (len <= MAX_VARIANT_LEN + 1) {
        h = ckp__strmap_get(&ix->delmap, t, len);
        for (; h != NONE; h = ch[h].next)
            ADD(ch[h].vid);
        char d[MAX_VARIANT_LEN + 2];
        for (size_t k = 0; k < len; k++) {
            if (k > 0 && t[k] == t[k - 1])
                continue;
            memcpy(d, t, k);
            memcpy(d + k, t + k + 1, len - k - 1);
            uint32_t v = ckp__strmap_get(&ix->vmap, d, len - 1);
            if (v != NONE && V(ix, v)->kind == CKP_TOK_WORD)
                ADD(v);
            h = ckp__strmap_get(&ix->delmap, d, len - 1);
            for (; h != NONE; h = ch[h].next)
                ADD(ch[h].vid);
        }
    }
    if (q->vid[i] == NONE) {
        /* "alqaida" = "al qaida"; "abdulhai" = "abdul hai": the parts */
        uint32_t v = len >= 6 && t[0] == 'a' && t[1] == 'l'
                         ? ckp__strmap_get(&ix->vmap, t + 2, len - 2)
                         : NONE;
        if (v != NONE)
            ADD(v);
        for (size_t k = 2; k + 2 <= len && split->n < MAX_SPLITS; k++) {
            uint32_t v1 = ckp__strmap_get(&ix->vmap, t, k);
            if (v1 == NONE)
                continue;
            uint32_t v2 = ckp__strmap_get(&ix->vmap, t + k, len - k);
            if (v2 != NONE) {
                /* the rarer part lists the names; they are credited with
                 * both parts' weight (the bound stays an upper bound) */
                int r1 = V(ix, v1)->df < V(ix, v2)->df;
                split->vid[split->n] = r1 ? v1 : v2;
                split->w[split->n++] = V(ix, v1)->w + V(ix, v2)->w;
                continue;
            }
            /* three parts: "bashiruddin" = "bashir ud din" */
            for (size_t k2 = k + 2; len >= 8 && k2 + 2 <= len && split->n < MAX_SPLITS; k2++) {
                uint32_t w2 = ckp__strmap_get(&ix->vmap, t + k, k2 - k);
                uint32_t w3 = w2 != NONE ? ckp__strmap_get(&ix->vmap, t + k2, len - k2) : NONE;
                if (w3 != NONE) {
                    uint32_t r = V(ix, v1)->df < V(ix, w3)->df ? v1 : w3;
                    split->vid[split->n] = V(ix, r)->df < V(ix, w2)->df ? r : w2;
                    split->w[split->n++] = V(ix, v1)->w + V(ix, w2)->w + V(ix, w3)->w;
                    break;
                }
            }
        }
    }
    if (q->keylen[i] >= 3) {
        h = ckp__strmap_get(&ix->keymap, q->key[i], q->keylen[i]);
        for (; h != NONE; h = ch[h].next)
            ADD(ch[h].vid);
    }
#undef ADD
    return n;
}

static void gen_candidates(ckp_matcher *m, const side *q, qtokinfo *qi)
{
    const ckp_index *ix = m->ix;
    uint32_t near[256];
    qi->slack = 0;
    qi->wq = 0;
    int rarest = -1;
    uint32_t rarest_vid = NONE, rarest_df = UINT32_MAX;
    for (int i = 0; i < q->n; i++) {
        if (!q->use[i])
            continue;
        qi->wq += q->w[i];
        if (q->kind[i] == CKP_TOK_INITIAL) {
            qi->slack += q->w[i];
            continue;
        }
        split_hit sp;
        int nn = near_vids(ix, q, i, near, 256, &sp);
        for (int k = 0; k < sp.n; k++)
            if (V(ix, sp.vid[k])->df <= ix->common_df)
                post_vid_w(m, sp.vid[k], i, sp.w[k], q->w[i]);
        int common = 0;
        for (int k = 0; k < nn; k++) {
            const vtok *v = V(ix, near[k]);
            if (v->df > ix->common_df) {
                if (v->df < rarest_df) {
                    rarest_df = v->df;
                    rarest_vid = near[k];
                    rarest = i;
                }
                common = 1;
                continue;
            }
            post_vid(m, near[k], i, q->w[i]);
        }
        /* a token too common to list its names may still match any name;
         * a token with no neighbour in the vocabulary matches none */
        if (common)
            qi->slack += q->w[i];
        /* split words joined: "ros neft", "ros-neft" find "rosneft" */
        char cat[CKP_NAME_MAX_BYTES];
        size_t cl = 0;
        float wj = 0;
        for (int k = i; k < q->n && k < i + MAX_JOIN; k++) {
            if (!q->use[k] || q->kind[k] == CKP_TOK_NUMBER || cl + q->len[k] > sizeof cat)
                break;
            memcpy(cat + cl, q->text[k], q->len[k]);
            cl += q->len[k];
            wj += q->w[k];
            if (k == i)
                continue;
            uint32_t v = ckp__strmap_get(&ix->vmap, cat, cl);
            if (v != NONE && V(ix, v)->df <= ix->common_df)
                post_vid(m, v, i, wj);
        }
    }
    if (m->ncands == 0 && rarest >= 0) {
        post_vid(m, rarest_vid, rarest, q->w[rarest]);
        qi->slack -= q->w[rarest];
    }
}

/* Upper bound of name k's score from what candidate generation saw. */
static double candidate_bound(const ckp_index *ix, const ckp_matcher *m, uint32_t k,
                              const qtokinfo *qi, const ckp_match_opts *opts)
{
#ifdef CKP_MATCH_NO_BOUND /* score every candidate: to check the bound loses nothing */
    (void)ix, (void)m, (void)k, (void)qi, (void)opts;
    return 1.0;
#else
    double M = m->acc[k] + qi->slack;
    if (M > ix->name_w[k])
        M = ix->name_w[k];
    double uq = qi->wq - m->accq[k] - qi->slack;
    double uc = ix->name_w[k] - M;
    double bound = 2 * M / (2 * M + U_PENALTY * ((uq > 0 ? uq : 0) + (uc > 0 ? uc : 0)));
    if (opts->country && *opts->country)
        bound = bound + (1 - bound) * 0.1;
    if (opts->birth_date && *opts->birth_date)
        bound = bound + (1 - bound) * G_BIRTH_DAY;
    if (opts->identifiers && *opts->identifiers)
        bound = bound + (1 - bound) * G_IDENT;
    return bound;
#endif
}

typedef struct best {
    uint32_t name;
    uint32_t party;
    double score;
} best;

static int hit_cmp(const void *x, const void *y)
{
    const ckp_match_hit *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return strcmp(a->party->id, b->party->id);
}

int ckp_match_query_cut(const ckp_matcher *m) { return m->q.truncated; }

int ckp_match(ckp_matcher *m, const char *name, size_t n, const ckp_match_opts *opts,
              ckp_match_hit *hits, int max)
{
    const ckp_index *ix = m->ix;
    ckp_match_opts defo;
    m->q.truncated = 0;
    if (!opts) {
        ckp_match_opts_init(&defo);
        opts = &defo;
    }
    int limit = opts->limit > 0 && opts->limit < max ? opts->limit : max;
    if (limit <= 0)
        return 0;
    ckp_name_normalize(m->nn, name, n, &m->q);
    side *qs = &m->qs, *cs = &m->cs;
    side_from_tokens(ix, &m->q, qs);
    if (qs->n == 0)
        return 0;
    m->serial++;
    if (m->serial == 0) {
        memset(m->mark, 0, (ix->nnames + 1) * sizeof *m->mark);
        m->serial = 1;
    }
    m->ncands = 0;
    qtokinfo qi;
    gen_candidates(m, qs, &qi);
    uint32_t qinit = 0; /* first letters of the query's words */
    for (int i = 0; i < qs->n; i++)
        if (qs->use[i] && qs->kind[i] == CKP_TOK_WORD && qs->text[i][0] >= 'a' &&
            qs->text[i][0] <= 'z')
            qinit |= 1u << (qs->text[i][0] - 'a');
    /* the best few names, one per party */
    best top[64];
    int ntop = 0, keep = limit < 64 ? limit : 64;
    int ofac = opts->algorithm == CKP_ALGO_OFAC;
    double floor_s = opts->threshold;
    const ckp_lists *L = ix->lists;
    for (size_t c = 0; c < m->ncands; c++) {
        uint32_t k = m->cands[c];
        /* upper bound before the full score (match.h formula, sim ≤ 1);
         * a list name with initials that the query's words may stand for
         * ("M. D. S." for "Monterrey Delta …") is always scored */
        if (!ofac && !(ix->name_init[k] & qinit) &&
            candidate_bound(ix, m, k, &qi, opts) < floor_s - BOUND_MARGIN)
            continue;
        side_from_name(ix, k, cs);
        const ckp_party_name *pn = ckp_lists_name(L, ix->name_src[k]);
        uint32_t pid = pn->party;
        double s;
        if (ofac) {
            s = ofac_score(qs, cs, NULL, 0);
        } else {
            s = score_sides(qs, cs, NULL, NULL, NULL);
            s = qualify(qs, cs, s, ckp_lists_party(L, pid), pn->role, opts, NULL, 0);
        }
        if (s < floor_s)
            continue;
        int slot = -1;
        for (int t = 0; t < ntop; t++)
            if (top[t].party == pid)
                slot = t;
        if (slot >= 0) {
            if (s > top[slot].score) {
                top[slot].score = s;
                top[slot].name = k;
            }
            continue;
        }
        if (ntop < keep) {
            top[ntop++] = (best){k, pid, s};
            continue;
        }
        int worst = 0;
        for (int t = 1; t < ntop; t++)
            if (top[t].score < top[worst].score)
                worst = t;
        if (s > top[worst].score)
            top[worst] = (best){k, pid, s};
    }
    for (int t = 0; t < ntop; t++) {
        ckp_match_hit *h = &hits[t];
        uint32_t k = top[t].name;
        const ckp_party_name *pn = ckp_lists_name(L, ix->name_src[k]);
        h->party = ckp_lists_party(L, pn->party);
        h->matched_name = pn->name;
        h->name = h->party->name;
        h->score = top[t].score;
        h->explanation[0] = 0;
        if (opts->explain && ofac) {
            side_from_name(ix, k, cs);
            ofac_score(qs, cs, h->explanation, sizeof h->explanation);
        } else if (opts->explain) {
            align al;
            double num, den;
            char qual[CKP_EXPLAIN_MAX];
            side_from_name(ix, k, cs);
            double raw = score_sides(qs, cs, &al, &num, &den);
            qualify(qs, cs, raw, h->party, pn->role, opts, qual, sizeof qual);
            explain(qs, cs, &al, raw, num, den, qual, h->explanation, sizeof h->explanation);
        }
    }
    qsort(hits, (size_t)ntop, sizeof hits[0], hit_cmp);
    return ntop;
}

double ckp_match_pair(ckp_matcher *m, const char *a, size_t alen, const char *b, size_t blen,
                      char *expl, size_t n)
{
    return ckp_match_pair_algo(m, CKP_ALGO_DEFAULT, a, alen, b, blen, expl, n);
}

double ckp_match_pair_algo(ckp_matcher *m, ckp_match_algorithm algo, const char *a, size_t alen,
                           const char *b, size_t blen, char *expl, size_t n)
{
    side *as = &m->qs, *bs = &m->cs;
    ckp_name_normalize(m->nn, a, alen, &m->q);
    ckp_name_normalize(m->nn, b, blen, &m->b);
    side_from_tokens(m->ix, &m->q, as);
    side_from_tokens(m->ix, &m->b, bs);
    if (algo == CKP_ALGO_OFAC)
        return ofac_score(as, bs, expl && n ? expl : NULL, n);
    align al;
    double num = 0, den = 0;
    double raw = score_sides(as, bs, &al, &num, &den);
    char qual[CKP_EXPLAIN_MAX];
    double s = qualify(as, bs, raw, NULL, CKP_NAME_PRIMARY, NULL, qual, sizeof qual);
    if (expl && n)
        explain(as, bs, &al, raw, num, den, qual, expl, n);
    return s;
}

/* ---- output ------------------------------------------------------------- */

static const ckp_column json_cols[] = {{"query", CKP_COL_STR, 0}, {"hits", CKP_COL_JSON, 0}};
static const ckp_column row_cols[] = {
    {"query", CKP_COL_STR, 0},        {"rank", CKP_COL_INT, 0},     {"id", CKP_COL_STR, 0},
    {"name", CKP_COL_STR, 0},         {"matched_name", CKP_COL_STR, 0},
    {"list", CKP_COL_STR, 0},         {"program", CKP_COL_STR, 0},
    {"countries", CKP_COL_STR, 0},    {"score", CKP_COL_NUM, 3},
    {"explanation", CKP_COL_STR, 0}};

const ckp_column *ckp_match_columns(ckp_format fmt, size_t *ncols)
{
    if (fmt == CKP_FMT_JSON) {
        *ncols = 2;
        return json_cols;
    }
    *ncols = sizeof row_cols / sizeof row_cols[0];
    return row_cols;
}

/* A growable text buffer for the hits JSON. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap + n + 1) * 2;
        char *q = realloc(b->p, cap);
        if (!q)
            return;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_str(sbuf *b, const char *s)
{
    sb_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char e[8];
        if (*p == '"' || *p == '\\') {
            e[0] = '\\';
            e[1] = (char)*p;
            sb_put(b, e, 2);
        } else if (*p < 0x20) {
            snprintf(e, sizeof e, "\\u%04x", *p);
            sb_put(b, e, 6);
        } else {
            sb_put(b, (const char *)p, 1);
        }
    }
    sb_put(b, "\"", 1);
}

static const char *primary_name(const ckp_match_hit *h) { return h->name ? h->name : h->matched_name; }

ckp_status ckp_match_write(ckp_writer *w, ckp_format fmt, const char *query,
                           const ckp_match_hit *hits, int nhits)
{
    if (fmt == CKP_FMT_JSON) {
        sbuf b = {NULL, 0, 0};
        sb_put(&b, "[", 1);
        for (int i = 0; i < nhits; i++) {
            const ckp_match_hit *h = &hits[i];
            char num[32];
            if (i)
                sb_put(&b, ",", 1);
            sb_put(&b, "{\"id\":", 6);
            sb_str(&b, h->party->id);
            sb_put(&b, ",\"name\":", 8);
            sb_str(&b, primary_name(h));
            sb_put(&b, ",\"matched_name\":", 16);
            sb_str(&b, h->matched_name);
            sb_put(&b, ",\"list\":", 8);
            sb_str(&b, h->party->list);
            snprintf(num, sizeof num, ",\"score\":%.3f", h->score);
            sb_put(&b, num, strlen(num));
            sb_put(&b, ",\"explanation\":", 15);
            sb_str(&b, h->explanation);
            sb_put(&b, ",\"program\":", 11);
            sb_str(&b, h->party->program);
            sb_put(&b, ",\"countries\":", 13);
            sb_str(&b, h->party->countries);
            sb_put(&b, ",\"listed\":", 10);
            sb_str(&b, h->party->listed);
            sb_put(&b, ",\"type\":", 8);
            sb_str(&b, h->party->type);
            sb_put(&b, ",\"identifiers\":", 15);
            sb_str(&b, h->party->identifiers);
            sb_put(&b, ",\"birth\":", 9);
            sb_str(&b, h->party->birth ? h->party->birth : "");
            sb_put(&b, "}", 1);
        }
        sb_put(&b, "]", 1);
        if (!b.p)
            return CKP_ENOMEM;
        ckp_writer_str(w, query);
        ckp_writer_json(w, b.p);
        free(b.p);
        return ckp_writer_end_row(w);
    }
    for (int i = 0; i < nhits; i++) {
        const ckp_match_hit *h = &hits[i];
        ckp_writer_str(w, query);
        ckp_writer_int(w, i + 1);
        ckp_writer_str(w, h->party->id);
        ckp_writer_str(w, primary_name(h));
        ckp_writer_str(w, h->matched_name);
        ckp_writer_str(w, h->party->list);
        ckp_writer_str(w, h->party->program);
        ckp_writer_str(w, h->party->countries);
        ckp_writer_num(w, h->score);
        ckp_writer_str(w, h->explanation);
        ckp_status rc = ckp_writer_end_row(w);
        if (rc)
            return rc;
    }
    return CKP_OK;
}

/* match.c — the matcher (see match.h): a query's candidates from the
 * index's postings, variants and keys, an upper bound that skips most of
 * them, the best names one per party, and pairs of names compared. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "match_int.h"

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
            s = ckp__ofac_score(qs, cs, NULL, 0);
        } else {
            s = ckp__score_sides(qs, cs, NULL, NULL, NULL);
            s = ckp__qualify(qs, cs, s, ckp_lists_party(L, pid), pn->role, opts, NULL, 0);
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
            ckp__ofac_score(qs, cs, h->explanation, sizeof h->explanation);
        } else if (opts->explain) {
            align al;
            double num, den;
            char qual[CKP_EXPLAIN_MAX];
            side_from_name(ix, k, cs);
            double raw = ckp__score_sides(qs, cs, &al, &num, &den);
            ckp__qualify(qs, cs, raw, h->party, pn->role, opts, qual, sizeof qual);
            ckp__explain(qs, cs, &al, raw, num, den, qual, h->explanation, sizeof h->explanation);
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
        return ckp__ofac_score(as, bs, expl && n ? expl : NULL, n);
    align al;
    double num = 0, den = 0;
    double raw = ckp__score_sides(as, bs, &al, &num, &den);
    char qual[CKP_EXPLAIN_MAX];
    double s = ckp__qualify(as, bs, raw, NULL, CKP_NAME_PRIMARY, NULL, qual, sizeof qual);
    if (expl && n)
        ckp__explain(as, bs, &al, raw, num, den, qual, expl, n);
    return s;
}

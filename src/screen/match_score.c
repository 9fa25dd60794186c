/* match_score.c — the explained scorer: the tokens of two sides aligned
 * (typos, transliteration keys, joined words, initials, acronyms), a
 * weighted score from the alignment, and its explanation in words. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "match_int.h"

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
double ckp__score_sides(const side *q, const side *c, align *al, double *pnum, double *pden)
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
void ckp__eappend(char *buf, size_t cap, size_t *o, const char *fmt, ...)
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

void ckp__explain(const side *q, const side *c, const align *al, double raw, double num,
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
            ckp__eappend(buf, cap, &o, "%s%s", sep, q->text[i]);
            for (int t = i + 1; t < i + al->qjoin[i] && t < q->n; t++)
                ckp__eappend(buf, cap, &o, " %s", q->text[t]);
            ckp__eappend(buf, cap, &o, " ~joined %s", c->text[j]);
            for (int t = j + 1; t < j + al->cjoin[i] && t < c->n; t++)
                ckp__eappend(buf, cap, &o, " %s", c->text[t]);
            ckp__eappend(buf, cap, &o, " %.2f", al->qs[i]);
        } else
            ckp__eappend(buf, cap, &o, "%s%s %s %s %.2f", sep, q->text[i], al->how[i], c->text[j],
                    al->qs[i]);
        first = 0;
    }
    int nq = 0, nc = 0;
    for (int i = 0; i < q->n; i++)
        nq += al->qm[i] == -3;
    for (int j = 0; j < c->n; j++)
        nc += al->cm[j] == -3;
    if (nq && nc) {
        ckp__eappend(buf, cap, &o, "%sacronym:", first ? "" : "; ");
        for (int i = 0; i < q->n; i++)
            if (al->qm[i] == -3)
                ckp__eappend(buf, cap, &o, " %s", q->text[i]);
        ckp__eappend(buf, cap, &o, " ~");
        for (int j = 0; j < c->n; j++)
            if (al->cm[j] == -3)
                ckp__eappend(buf, cap, &o, " %s", c->text[j]);
        ckp__eappend(buf, cap, &o, " 0.90");
        first = 0;
    }
    if (first)
        ckp__eappend(buf, cap, &o, "no token aligned");
    int any = 0;
    for (int i = 0; i < q->n; i++)
        if (q->use[i] && al->qm[i] == -1)
            ckp__eappend(buf, cap, &o, "%s%s", any++ ? " " : "; unmatched in query: ", q->text[i]);
    any = 0;
    for (int j = 0; j < c->n; j++)
        if (c->use[j] && al->cm[j] == -1)
            ckp__eappend(buf, cap, &o, "%s%s", any++ ? " " : "; unmatched in list name: ", c->text[j]);
    any = 0;
    for (int i = 0; i < q->n; i++)
        if (!q->use[i])
            ckp__eappend(buf, cap, &o, "%s%s (%s)", any++ ? ", " : "; ignored: ", q->text[i],
                    ckp_token_kind_name(q->kind[i]));
    for (int j = 0; j < c->n; j++)
        if (!c->use[j])
            ckp__eappend(buf, cap, &o, "%s%s (%s, list)", any++ ? ", " : "; ignored: ", c->text[j],
                    ckp_token_kind_name(c->kind[j]));
    if (al->lone_short == 1)
        ckp__eappend(buf, cap, &o, "; a lone short word must match exactly, not as a typo");
    else if (al->lone_short == 2)
        ckp__eappend(buf, cap, &o, "; a lone word matched by its consonants only is not enough");
    if (al->covered)
        ckp__eappend(buf, cap, &o, "; every query word is in the list name: its extra words weigh %.2f",
                U_COVERED);
    ckp__eappend(buf, cap, &o, "; token score %.3f (%.1f/%.1f)", raw, num, den);
    if (qual)
        ckp__eappend(buf, cap, &o, "%s", qual);
}

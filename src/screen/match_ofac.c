/* match_ofac.c — the OFAC Sanctions List Search algorithm (Jaro-Winkler
 * and Soundex over the joined names), the --algorithm ofac option. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "match_int.h"

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
double ckp__ofac_score(const side *q, const side *c, char *buf, size_t cap)
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
        ckp__eappend(buf, cap, &o, "ofac: whole name Jaro-Winkler %.3f; name parts:", whole);
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
            ckp__eappend(buf, cap, &o, " %s~%s %.3f%s", q->text[i], c->text[bj], best,
                    bsx ? " (same Soundex)" : "");
        else if (buf)
            ckp__eappend(buf, cap, &o, " %s 0", q->text[i]);
    }
    double comp = parts ? sum / parts : 0.0;
    double s = whole > comp ? whole : comp;
    if (buf)
        ckp__eappend(buf, cap, &o, "; name parts %.3f; score = the higher, %.3f", comp, s);
    return s;
}

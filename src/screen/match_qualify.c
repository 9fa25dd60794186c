/* match_qualify.c — entity-level qualifiers on a name score: schema
 * (person vs organisation), legal form, script, birth date, identifiers. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "match_int.h"

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
        ckp__eappend(buf, cap, o, "%s", e);
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
            ckp__eappend(buf, cap, off, "; birth date %s %s %s: %+.3f", o->birth_date,
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
                ckp__eappend(buf, cap, off, "; identical identifier %s: %+.3f", which, s - before);
        }
    }
    return s;
}

/* The name-level and entity-level qualifiers applied to a token score s of
 * query q against list name c (of party p, name role; p NULL for a pair):
 * legal forms, Han/Hangul characters, schema, weak alias, country.  Each one
 * that changes the score is written to buf (when given) as "; …". */
double ckp__qualify(const side *q, const side *c, double s, const ckp_party *p, int role,
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
            ckp__eappend(buf, cap, &o, "; legal form: %s (query) is not %s (list): x%.2f",
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
                ckp__eappend(buf, cap, &o, "; characters differ: ");
                put_cps(buf, cap, &o, q->cjk, q->ncjk);
                ckp__eappend(buf, cap, &o, " vs ");
                put_cps(buf, cap, &o, c->cjk, c->ncjk);
                ckp__eappend(buf, cap, &o, " (%d of %d): x%.2f", d, mx, f);
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
                ckp__eappend(buf, cap, &o, "; schema: the query is %s, the entry %s: x%.2f",
                        opts && opts->schema ? opts->schema : "a company (legal form)", p->type,
                        F_SCHEMA);
        }
        if (role == CKP_NAME_WEAK) {
            double b = s;
            s = s > D_WEAK ? s - D_WEAK : 0.0;
            if (buf)
                ckp__eappend(buf, cap, &o, "; weak alias: %+.3f", s - b);
        }
        if (opts)
            s = entity_qualify(s, p, opts, buf, cap, &o);
        const char *qcn = opts ? opts->country : NULL, *pcn = p->countries;
        if (qcn && *qcn && pcn && *pcn) {
            double b = s;
            if (strstr(pcn, qcn)) {
                s = s + (1.0 - s) * 0.1;
                if (buf)
                    ckp__eappend(buf, cap, &o, "; country %s agrees with %s: %+.3f", qcn, pcn, s - b);
            } else {
                s = s > 0.05 ? s - 0.05 : 0.0;
                if (buf)
                    ckp__eappend(buf, cap, &o, "; country %s not in %s: %+.3f", qcn, pcn, s - b);
            }
        }
    }
    return s > 1.0 ? 1.0 : s;
}

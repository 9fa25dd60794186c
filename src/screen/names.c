/* names.c — name normalisation and token similarity (see names.h). */
#include "chokepoint/names.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <utf8proc.h>

/* Work buffers: the input is cut to CKP_NAME_MAX_BYTES before the Unicode
 * steps, and transliteration may grow it (one Han character → up to ~7 ASCII
 * bytes of pinyin and a space). */
#define UBUF_CAP (CKP_NAME_MAX_BYTES * 2)
#define ABUF_CAP (CKP_NAME_MAX_BYTES * 8)

struct ckp_namenorm {
    UTransliterator *trans; /* "Any-Latin; Latin-ASCII" */
    UTransliterator *t2s;   /* "Traditional-Simplified", opened at the first Han name */
    int t2s_failed;         /* 1 when it could not be opened: characters compared as written */
    UChar ubuf[UBUF_CAP * 4];
    char abuf[ABUF_CAP];    /* the ASCII (mostly) text to tokenise */
    char tmp[ABUF_CAP];
};

/* ---- token classes ----------------------------------------------------- */

typedef struct word_class {
    const char *word;
    ckp_token_kind kind;
    const char *folded; /* NULL = unchanged */
} word_class;

/* Legal forms and generic business words in many languages (as they read
 * after transliteration), abbreviations with their full form, stop words.
 * Sorted once at first use. */
static word_class classes[] = {
    /* abbreviations that fold */
    {"co", CKP_TOK_GENERIC, "company"},
    {"cos", CKP_TOK_GENERIC, "companies"},
    {"corp", CKP_TOK_GENERIC, "corporation"},
    {"ltd", CKP_TOK_GENERIC, "limited"},
    {"ltda", CKP_TOK_GENERIC, "limitada"},
    {"grp", CKP_TOK_GENERIC, "group"},
    {"intl", CKP_TOK_GENERIC, "international"},
    {"int", CKP_TOK_GENERIC, "international"},
    {"inc", CKP_TOK_GENERIC, "incorporated"},
    {"mfg", CKP_TOK_GENERIC, "manufacturing"},
    {"hldgs", CKP_TOK_GENERIC, "holdings"},
    {"hldg", CKP_TOK_GENERIC, "holding"},
    {"ent", CKP_TOK_GENERIC, "enterprise"},
    {"tech", CKP_TOK_WORD, "technology"},
    {"svcs", CKP_TOK_GENERIC, "services"},
    {"bros", CKP_TOK_WORD, "brothers"},
    {"est", CKP_TOK_GENERIC, "establishment"},
    /* full forms and generic words */
    {"company", CKP_TOK_GENERIC, NULL},
    {"companies", CKP_TOK_GENERIC, NULL},
    {"corporation", CKP_TOK_GENERIC, NULL},
    {"limited", CKP_TOK_GENERIC, NULL},
    {"limitada", CKP_TOK_GENERIC, NULL},
    {"group", CKP_TOK_GENERIC, NULL},
    {"international", CKP_TOK_GENERIC, NULL},
    {"incorporated", CKP_TOK_GENERIC, NULL},
    {"holding", CKP_TOK_GENERIC, NULL},
    {"holdings", CKP_TOK_GENERIC, NULL},
    {"trading", CKP_TOK_GENERIC, NULL},
    {"enterprise", CKP_TOK_GENERIC, NULL},
    {"enterprises", CKP_TOK_GENERIC, NULL},
    {"establishment", CKP_TOK_GENERIC, NULL},
    {"liability", CKP_TOK_GENERIC, NULL},
    {"joint", CKP_TOK_GENERIC, NULL},
    {"stock", CKP_TOK_GENERIC, NULL},
    {"private", CKP_TOK_GENERIC, NULL},
    {"public", CKP_TOK_GENERIC, NULL},
    {"llc", CKP_TOK_GENERIC, NULL},
    {"llp", CKP_TOK_GENERIC, NULL},
    {"lp", CKP_TOK_GENERIC, NULL},
    {"plc", CKP_TOK_GENERIC, NULL},
    {"jsc", CKP_TOK_GENERIC, NULL},
    {"pjsc", CKP_TOK_GENERIC, NULL},
    {"ojsc", CKP_TOK_GENERIC, NULL},
    {"cjsc", CKP_TOK_GENERIC, NULL},
    {"jstc", CKP_TOK_GENERIC, NULL},
    {"ooo", CKP_TOK_GENERIC, NULL},
    {"oao", CKP_TOK_GENERIC, NULL},
    {"zao", CKP_TOK_GENERIC, NULL},
    {"pao", CKP_TOK_GENERIC, NULL},
    {"ao", CKP_TOK_GENERIC, NULL},
    {"tov", CKP_TOK_GENERIC, NULL},
    {"pat", CKP_TOK_GENERIC, NULL},
    {"prat", CKP_TOK_GENERIC, NULL},
    {"fgup", CKP_TOK_GENERIC, NULL},
    {"gup", CKP_TOK_GENERIC, NULL},
    {"nao", CKP_TOK_GENERIC, NULL},
    {"ip", CKP_TOK_GENERIC, NULL},
    {"odo", CKP_TOK_GENERIC, NULL},
    {"zat", CKP_TOK_GENERIC, NULL},
    {"obsestvo", CKP_TOK_GENERIC, NULL},
    {"obshchestvo", CKP_TOK_GENERIC, NULL},
    {"obshestvo", CKP_TOK_GENERIC, NULL},
    {"ogranicennoj", CKP_TOK_GENERIC, NULL},
    {"ogranichennoy", CKP_TOK_GENERIC, NULL},
    {"ogranichennoi", CKP_TOK_GENERIC, NULL},
    {"otvetstvennostu", CKP_TOK_GENERIC, NULL},
    {"otvetstvennostyu", CKP_TOK_GENERIC, NULL},
    {"otvetstvennostiu", CKP_TOK_GENERIC, NULL},
    {"akcionernoe", CKP_TOK_GENERIC, NULL},
    {"aktsionernoe", CKP_TOK_GENERIC, NULL},
    {"aktiengesellschaft", CKP_TOK_GENERIC, NULL},
    {"publicnoe", CKP_TOK_GENERIC, NULL},
    {"publichnoe", CKP_TOK_GENERIC, NULL},
    {"zakrytoe", CKP_TOK_GENERIC, NULL},
    {"otkrytoe", CKP_TOK_GENERIC, NULL},
    {"tovaristvo", CKP_TOK_GENERIC, NULL},
    {"tovarystvo", CKP_TOK_GENERIC, NULL},
    {"gmbh", CKP_TOK_GENERIC, NULL},
    {"mbh", CKP_TOK_GENERIC, NULL},
    {"ag", CKP_TOK_GENERIC, NULL},
    {"kg", CKP_TOK_GENERIC, NULL},
    {"ohg", CKP_TOK_GENERIC, NULL},
    {"ev", CKP_TOK_GENERIC, NULL},
    {"sa", CKP_TOK_GENERIC, NULL},
    {"sas", CKP_TOK_GENERIC, NULL},
    {"sarl", CKP_TOK_GENERIC, NULL},
    {"sprl", CKP_TOK_GENERIC, NULL},
    {"srl", CKP_TOK_GENERIC, NULL},
    {"spa", CKP_TOK_GENERIC, NULL},
    {"sl", CKP_TOK_GENERIC, NULL},
    {"sal", CKP_TOK_GENERIC, NULL},
    {"sac", CKP_TOK_GENERIC, NULL},
    {"saic", CKP_TOK_GENERIC, NULL},
    {"cv", CKP_TOK_GENERIC, NULL},
    {"bv", CKP_TOK_GENERIC, NULL},
    {"nv", CKP_TOK_GENERIC, NULL},
    {"pte", CKP_TOK_GENERIC, NULL},
    {"pty", CKP_TOK_GENERIC, NULL},
    {"pvt", CKP_TOK_GENERIC, NULL},
    {"bhd", CKP_TOK_GENERIC, NULL},
    {"sdn", CKP_TOK_GENERIC, NULL},
    {"kk", CKP_TOK_GENERIC, NULL},
    {"ab", CKP_TOK_GENERIC, NULL},
    {"oy", CKP_TOK_GENERIC, NULL},
    {"oyj", CKP_TOK_GENERIC, NULL},
    {"aps", CKP_TOK_GENERIC, NULL},
    {"asa", CKP_TOK_GENERIC, NULL},
    {"sro", CKP_TOK_GENERIC, NULL},
    {"doo", CKP_TOK_GENERIC, NULL},
    {"eood", CKP_TOK_GENERIC, NULL},
    {"ood", CKP_TOK_GENERIC, NULL},
    {"ead", CKP_TOK_GENERIC, NULL},
    {"tic", CKP_TOK_GENERIC, NULL},
    {"sti", CKP_TOK_GENERIC, NULL},
    {"fze", CKP_TOK_GENERIC, NULL},
    {"fzco", CKP_TOK_GENERIC, NULL},
    {"fzc", CKP_TOK_GENERIC, NULL},
    {"fzllc", CKP_TOK_GENERIC, NULL},
    {"dmcc", CKP_TOK_GENERIC, NULL},
    {"wll", CKP_TOK_GENERIC, NULL},
    {"gongsi", CKP_TOK_GENERIC, NULL},
    {"etairia", CKP_TOK_GENERIC, NULL},
    {"periorismenes", CKP_TOK_GENERIC, NULL},
    {"euthynes", CKP_TOK_GENERIC, NULL},
    {"tavarystva", CKP_TOK_GENERIC, NULL},
    {"abmezavanaj", CKP_TOK_GENERIC, NULL},
    {"adkaznascu", CKP_TOK_GENERIC, NULL},
    {"druzestvo", CKP_TOK_GENERIC, NULL},
    {"ogranicena", CKP_TOK_GENERIC, NULL},
    {"otgovornost", CKP_TOK_GENERIC, NULL},
    {"sociedad", CKP_TOK_GENERIC, NULL},
    {"responsabilidad", CKP_TOK_GENERIC, NULL},
    {"societatea", CKP_TOK_GENERIC, NULL},
    {"raspundere", CKP_TOK_GENERIC, NULL},
    {"limitata", CKP_TOK_GENERIC, NULL},
    {"spolecnost", CKP_TOK_GENERIC, NULL},
    {"rucenim", CKP_TOK_GENERIC, NULL},
    {"omezenym", CKP_TOK_GENERIC, NULL},
    {"druzba", CKP_TOK_GENERIC, NULL},
    {"omejeno", CKP_TOK_GENERIC, NULL},
    {"odgovornostjo", CKP_TOK_GENERIC, NULL},
    {"chuideachta", CKP_TOK_GENERIC, NULL},
    {"theoranta", CKP_TOK_GENERIC, NULL},
    {"gesellschaft", CKP_TOK_GENERIC, NULL},
    {"beschrankter", CKP_TOK_GENERIC, NULL},
    {"haftung", CKP_TOK_GENERIC, NULL},
    {"societe", CKP_TOK_GENERIC, NULL},
    {"anonyme", CKP_TOK_GENERIC, NULL},
    {"sociedade", CKP_TOK_GENERIC, NULL},
    {"anonima", CKP_TOK_GENERIC, NULL},
    {"sirketi", CKP_TOK_GENERIC, NULL},
    {"an", CKP_TOK_STOP, NULL},
    {"open", CKP_TOK_GENERIC, NULL},
    {"closed", CKP_TOK_GENERIC, NULL},
    {"ad", CKP_TOK_GENERIC, NULL},
    {"npo", CKP_TOK_GENERIC, NULL},
    {"npp", CKP_TOK_GENERIC, NULL},
    {"torgovyi", CKP_TOK_GENERIC, NULL},
    {"torgovy", CKP_TOK_GENERIC, NULL},
    {"torgovyy", CKP_TOK_GENERIC, NULL},
    {"in", CKP_TOK_STOP, NULL},
    {"on", CKP_TOK_STOP, NULL},
    {"at", CKP_TOK_STOP, NULL},
    {"youxian", CKP_TOK_GENERIC, NULL},
    /* stop words */
    {"the", CKP_TOK_STOP, NULL},
    {"of", CKP_TOK_STOP, NULL},
    {"and", CKP_TOK_STOP, NULL},
    {"for", CKP_TOK_STOP, NULL},
    {"de", CKP_TOK_STOP, NULL},
    {"del", CKP_TOK_STOP, NULL},
    {"la", CKP_TOK_STOP, NULL},
    {"le", CKP_TOK_STOP, NULL},
    {"les", CKP_TOK_STOP, NULL},
    {"du", CKP_TOK_STOP, NULL},
    {"des", CKP_TOK_STOP, NULL},
    {"y", CKP_TOK_STOP, NULL},
    {"et", CKP_TOK_STOP, NULL},
    {"und", CKP_TOK_STOP, NULL},
    {"al", CKP_TOK_STOP, NULL},
    {"el", CKP_TOK_STOP, NULL},
    {"s", CKP_TOK_STOP, NULL},
    {"z", CKP_TOK_STOP, NULL},
    {"mr", CKP_TOK_STOP, NULL},
    {"mrs", CKP_TOK_STOP, NULL},
    {"dr", CKP_TOK_STOP, NULL},
};
#define NCLASSES (sizeof classes / sizeof classes[0])

static pthread_once_t classes_once = PTHREAD_ONCE_INIT;

static int class_cmp(const void *a, const void *b)
{
    return strcmp(((const word_class *)a)->word, ((const word_class *)b)->word);
}

static void classes_sort(void) { qsort(classes, NCLASSES, sizeof classes[0], class_cmp); }

ckp_token_kind ckp_name_classify(const char *tok, size_t n, const char **folded)
{
    *folded = NULL;
    int digits = 1;
    for (size_t i = 0; i < n; i++)
        if (tok[i] < '0' || tok[i] > '9')
            digits = 0;
    if (n == 0)
        return CKP_TOK_STOP;
    if (digits)
        return CKP_TOK_NUMBER;
    pthread_once(&classes_once, classes_sort);
    char key[32];
    if (n < sizeof key) {
        memcpy(key, tok, n);
        key[n] = 0;
        word_class probe = {key, CKP_TOK_WORD, NULL};
        const word_class *c = bsearch(&probe, classes, NCLASSES, sizeof classes[0], class_cmp);
        if (c) {
            *folded = c->folded;
            return c->kind;
        }
    }
    if (n == 1)
        return CKP_TOK_INITIAL;
    return CKP_TOK_WORD;
}

const char *ckp_token_kind_name(ckp_token_kind kind)
{
    switch (kind) {
    case CKP_TOK_WORD: return "word";
    case CKP_TOK_NUMBER: return "number";
    case CKP_TOK_INITIAL: return "initial";
    case CKP_TOK_GENERIC: return "legal form/generic";
    case CKP_TOK_STOP: return "stop word";
    }
    return "?";
}

/* ---- life cycle ---------------------------------------------------------- */

ckp_status ckp_namenorm_new(ckp_namenorm **out, ckp_error *err)
{
    *out = NULL;
    ckp_namenorm *nn = calloc(1, sizeof *nn);
    if (!nn)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    static const char id[] = "Any-Latin; Latin-ASCII";
    UChar uid[64];
    u_uastrcpy(uid, id);
    UErrorCode uerr = U_ZERO_ERROR;
    UParseError perr;
    nn->trans = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, &perr, &uerr);
    if (U_FAILURE(uerr)) {
        free(nn);
        return ckp_error_set(err, CKP_ESTATE, NULL, 0, 0,
                             "ICU transliterator '%s' unavailable: %s", id, u_errorName(uerr));
    }
    *out = nn;
    return CKP_OK;
}

void ckp_namenorm_free(ckp_namenorm *nn)
{
    if (!nn)
        return;
    if (nn->trans)
        utrans_close(nn->trans);
    if (nn->t2s)
        utrans_close(nn->t2s);
    free(nn);
}

/* ---- the Unicode steps -------------------------------------------------- */

typedef struct han_form {
    const char *from;
    const char *to;
} han_form;

/* CJK company forms, longest first, rewritten before transliteration so they
 * become the same generic tokens as their English equivalents. */
static const han_form han_forms[] = {
    {"股份有限公司", " joint stock limited company "},
    {"有限责任公司", " limited liability company "},
    {"有限責任公司", " limited liability company "},
    {"有限公司", " limited company "},
    {"株式会社", " kk "},
    {"有限会社", " limited company "},
    {"集团", " group "},
    {"集團", " group "},
    {"公司", " company "},
    {"控股", " holding "},
    {"国际", " international "},
    {"國際", " international "},
    {"·", " "},
    {"・", " "},
};

/* Replace the CJK forms in s (NUL-terminated) into out (cap bytes). */
static void rewrite_han(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    while (*s && o + 1 < cap) {
        const han_form *hit = NULL;
        if ((unsigned char)*s >= 0xC2) {
            for (size_t i = 0; i < sizeof han_forms / sizeof han_forms[0]; i++) {
                size_t fl = strlen(han_forms[i].from);
                if (strncmp(s, han_forms[i].from, fl) == 0) {
                    hit = &han_forms[i];
                    break;
                }
            }
        }
        if (hit) {
            size_t tl = strlen(hit->to);
            if (o + tl + 1 >= cap)
                break;
            memcpy(out + o, hit->to, tl);
            o += tl;
            s += strlen(hit->from);
        } else {
            out[o++] = *s++;
        }
    }
    out[o] = 0;
}

/* Latin-1 → UTF-8 into out (cap bytes), NUL-terminated. */
static void latin1_to_utf8(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 3 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            out[o++] = (char)c;
        } else {
            out[o++] = (char)(0xC0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = 0;
}

/* NFKC + case fold + CJK forms + ICU transliteration of s into nn->abuf.
 * Returns 1 when ICU ran. */
static int unicode_steps(ckp_namenorm *nn, const char *s, size_t n)
{
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                            UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
                                      &mapped, opt);
    if (r < 0) {
        latin1_to_utf8(s, n, nn->tmp, sizeof nn->tmp);
        r = utf8proc_map((const utf8proc_uint8_t *)nn->tmp, -1, &mapped,
                         opt | UTF8PROC_NULLTERM);
    }
    if (r < 0 || !mapped) {
        free(mapped);
        nn->abuf[0] = 0;
        return 0;
    }
    rewrite_han((const char *)mapped, nn->tmp, sizeof nn->tmp);
    free(mapped);
    int ascii = 1;
    for (const char *p = nn->tmp; *p; p++)
        if ((unsigned char)*p >= 0x80)
            ascii = 0;
    if (ascii) {
        strcpy(nn->abuf, nn->tmp);
        return 0;
    }
    UErrorCode uerr = U_ZERO_ERROR;
    int32_t ulen = 0;
    u_strFromUTF8WithSub(nn->ubuf, UBUF_CAP, &ulen, nn->tmp, -1, 0xFFFD, NULL, &uerr);
    if (U_FAILURE(uerr) || ulen >= UBUF_CAP) {
        /* too long: keep what fitted */
        uerr = U_ZERO_ERROR;
        ulen = ulen < UBUF_CAP ? ulen : UBUF_CAP - 1;
    }
    int32_t limit = ulen;
    uerr = U_ZERO_ERROR;
    utrans_transUChars(nn->trans, nn->ubuf, &ulen, UBUF_CAP * 4, 0, &limit, &uerr);
    if (U_FAILURE(uerr)) {
        strcpy(nn->abuf, nn->tmp);
        return 0;
    }
    int32_t alen = 0;
    uerr = U_ZERO_ERROR;
    u_strToUTF8WithSub(nn->abuf, ABUF_CAP - 1, &alen, nn->ubuf, ulen, 0xFFFD, NULL, &uerr);
    if (U_FAILURE(uerr) && uerr != U_STRING_NOT_TERMINATED_WARNING)
        alen = 0;
    if (alen > ABUF_CAP - 1)
        alen = ABUF_CAP - 1;
    nn->abuf[alen] = 0;
    return 1;
}

/* ---- tokenising ------------------------------------------------------- */

static int is_tokchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Length of the run of token characters starting at p. */
static size_t run_len(const unsigned char *p)
{
    size_t k = 0;
    while (p[k] && is_tokchar(p[k]))
        k++;
    return k;
}

/* English words that the CJK company forms are rewritten to: the only
 * generic tokens in a name written in Han (a pinyin syllable such as "de",
 * "ao" or "la" is an ordinary word there). */
static int han_generic(const char *w)
{
    static const char *const words[] = {"company", "limited", "group", "joint", "stock",
                                        "liability", "holding", "international", "kk"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(w, words[i]) == 0)
            return 1;
    return 0;
}

static void add_token(ckp_name_tokens *out, size_t *used, const char *t, size_t n, int han)
{
    if (n == 0)
        return;
    if (out->n >= CKP_NAME_MAX_TOKENS || *used + n + 1 > CKP_NAME_MAX_BYTES) {
        out->truncated = 1;
        return;
    }
    const char *folded = NULL;
    ckp_token_kind kind = ckp_name_classify(t, n, &folded);
    if (han && (kind == CKP_TOK_STOP || kind == CKP_TOK_GENERIC || kind == CKP_TOK_INITIAL)) {
        char w[32];
        size_t k = n < sizeof w - 1 ? n : sizeof w - 1;
        memcpy(w, t, k);
        w[k] = 0;
        if (!han_generic(w)) {
            kind = CKP_TOK_WORD;
            folded = NULL;
        }
    }
    ckp_name_token *tok = &out->tok[out->n++];
    if (folded) {
        n = strlen(folded);
        t = folded;
        tok->folded = 1;
    } else {
        tok->folded = 0;
    }
    if (*used + n + 1 > sizeof out->buf) {
        out->n--;
        out->truncated = 1;
        return;
    }
    char *dst = out->buf + *used;
    memcpy(dst, t, n);
    dst[n] = 0;
    tok->text = dst;
    tok->len = (uint16_t)n;
    tok->kind = (uint8_t)kind;
    *used += n + 1;
}

/* Numbers written as words or ordinals become number tokens: "1st" and
 * "first" are 1, "forty four" (or "forty-four") is 44.  A name written in
 * Han keeps its pinyin syllables as they are. */
static void number_words(ckp_name_tokens *out, size_t *used)
{
    for (int i = 0; i < out->n; i++) {
        ckp_name_token *t = &out->tok[i];
        if (t->kind != CKP_TOK_WORD)
            continue;
        int v = ckp_number_word(t->text, t->len);
        if (v < 0)
            continue;
        int drop = 0;
        if (v >= 20 && v % 10 == 0 && v < 100 && i + 1 < out->n &&
            out->tok[i + 1].kind == CKP_TOK_WORD) {
            int u = ckp_number_word(out->tok[i + 1].text, out->tok[i + 1].len);
            if (u >= 1 && u <= 9) {
                v += u;
                drop = 1;
            }
        }
        char d[16];
        int dn = snprintf(d, sizeof d, "%d", v);
        if (dn <= 0 || (size_t)dn > t->len) { /* digits are never longer than the word */
            if (*used + (size_t)dn + 1 > sizeof out->buf)
                continue;
            t->text = out->buf + *used;
            *used += (size_t)dn + 1;
        }
        memcpy((char *)t->text, d, (size_t)dn + 1);
        t->len = (uint16_t)dn;
        t->kind = CKP_TOK_NUMBER;
        if (drop) {
            memmove(&out->tok[i + 1], &out->tok[i + 2], (size_t)(out->n - i - 2) * sizeof out->tok[0]);
            out->n--;
        }
    }
}

/* Split the lower-cased text s into tokens (see names.h for the rules). */
static void tokenize(char *s, ckp_name_tokens *out, int han)
{
    for (char *q = s; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
    char cur[CKP_NAME_MAX_BYTES];
    size_t cl = 0, used = 0, seg = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        unsigned char c = *p;
        /* modifier letters left by ICU (ʿ ʾ ʹ ʺ: U+02B9–U+02C1) join like apostrophes */
        if ((c == 0xCA && p[1] >= 0xB9 && p[1] <= 0xBF) ||
            (c == 0xCB && (p[1] == 0x80 || p[1] == 0x81))) {
            p++;
            continue;
        }
        if (c >= 0x80) {
            /* a character ICU left alone: letters, marks and digits belong to
             * the token, anything else (「」, ·, symbols) separates */
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);
            if (k <= 0) {
                k = 1;
                cp = -1;
            }
            utf8proc_category_t cat = cp >= 0 ? utf8proc_category(cp) : UTF8PROC_CATEGORY_CN;
            int word = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL ||
                       cat == UTF8PROC_CATEGORY_LT || cat == UTF8PROC_CATEGORY_LM ||
                       cat == UTF8PROC_CATEGORY_LO || cat == UTF8PROC_CATEGORY_MN ||
                       cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ND ||
                       cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO ||
                       cat == UTF8PROC_CATEGORY_CN;
            if (word) {
                if (cl + (size_t)k < sizeof cur) {
                    memcpy(cur + cl, p, (size_t)k);
                    cl += (size_t)k;
                }
                seg++;
            } else {
                add_token(out, &used, cur, cl, han);
                cl = 0;
                seg = 0;
            }
            p += k - 1;
            continue;
        }
        if (is_tokchar(c)) {
            if (cl + 1 < sizeof cur)
                cur[cl++] = (char)c;
            seg++;
            continue;
        }
        if (c == '\'' || c == '`') /* apostrophes join: gama'at → gamaat */
            continue;
        if (c == '.' && seg == 1 && cl > 0 && run_len(p + 1) == 1) {
            seg = 0; /* S.A. → sa, U.S.A. → usa; "co.,ltd." separates */
            continue;
        }
        add_token(out, &used, cur, cl, han);
        cl = 0;
        seg = 0;
    }
    add_token(out, &used, cur, cl, han);
    if (!han)
        number_words(out, &used);
}

static int is_han(int32_t c)
{
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xF900 && c <= 0xFAFF);
}

static int is_hangul(int32_t c) { return c >= 0xAC00 && c <= 0xD7A3; }

/* The Han and Hangul characters of nn->tmp (the name after NFKC and the
 * company-form rewrite, before transliteration) into out->cjk, traditional
 * Han folded to simplified (習近平 = 习近平). */
static void cjk_chars(ckp_namenorm *nn, ckp_name_tokens *out)
{
    UChar u[CKP_NAME_MAX_CJK + 1];
    int32_t n = 0, han = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)nn->tmp;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);
        if (k <= 0) {
            p++;
            continue;
        }
        p += k;
        if (!is_han(cp) && !is_hangul(cp))
            continue;
        if (n == CKP_NAME_MAX_CJK) {
            out->cjk_cut = 1;
            break;
        }
        han |= is_han(cp);
        u[n++] = (UChar)cp; /* both ranges are in the BMP */
    }
    if (han && !nn->t2s && !nn->t2s_failed) {
        UChar uid[32];
        u_uastrcpy(uid, "Traditional-Simplified");
        UErrorCode uerr = U_ZERO_ERROR;
        UParseError perr;
        nn->t2s = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, &perr, &uerr);
        if (U_FAILURE(uerr)) {
            nn->t2s = NULL;
            nn->t2s_failed = 1;
        }
    }
    if (han && nn->t2s) {
        UChar v[2 * CKP_NAME_MAX_CJK + 2];
        memcpy(v, u, (size_t)n * sizeof u[0]);
        UErrorCode uerr = U_ZERO_ERROR;
        int32_t len = n, limit = n;
        utrans_transUChars(nn->t2s, v, &len, 2 * CKP_NAME_MAX_CJK + 2, 0, &limit, &uerr);
        if (!U_FAILURE(uerr) && len <= CKP_NAME_MAX_CJK) { /* one for one in practice */
            memcpy(u, v, (size_t)len * sizeof u[0]);
            n = len;
        }
    }
    for (int32_t i = 0; i < n; i++)
        out->cjk[i] = u[i];
    out->ncjk = (uint8_t)n;
}

int ckp_name_normalize(ckp_namenorm *nn, const char *s, size_t n, ckp_name_tokens *out)
{
    out->n = 0;
    out->truncated = 0;
    out->transliterated = 0;
    out->ncjk = 0;
    out->cjk_cut = 0;
    if (n > CKP_NAME_MAX_BYTES) {
        n = CKP_NAME_MAX_BYTES;
        out->truncated = 1;
    }
    int ascii = 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80 || s[i] == 0)
            ascii = 0;
    if (ascii) {
        char tmp[CKP_NAME_MAX_BYTES + 1];
        memcpy(tmp, s, n);
        tmp[n] = 0;
        tokenize(tmp, out, 0);
        return out->n;
    }
    /* a NUL inside the name ends it */
    size_t k = 0;
    while (k < n && s[k])
        k++;
    int han = 0;
    for (size_t i = 0; i + 2 < k; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0xE3 && c <= 0xE9) /* U+3000–U+9FFF: CJK, kana */
            han = 1;
    }
    out->transliterated = unicode_steps(nn, s, k);
    tokenize(nn->abuf, out, han);
    cjk_chars(nn, out);
    return out->n;
}

char *ckp_name_tokens_join(const ckp_name_tokens *t, char *buf, size_t n)
{
    size_t o = 0;
    if (n == 0)
        return buf;
    buf[0] = 0;
    for (int i = 0; i < t->n; i++) {
        size_t l = t->tok[i].len;
        if (o + l + 2 > n)
            break;
        if (o)
            buf[o++] = ' ';
        memcpy(buf + o, t->tok[i].text, l);
        o += l;
        buf[o] = 0;
    }
    return buf;
}

/* ---- similarity ------------------------------------------------------- */

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

size_t ckp_name_key(const char *tok, size_t n, char *out, size_t cap)
{
    char a[128];
    size_t m = 0;
    if (cap == 0)
        return 0;
    if (n > 60)
        n = 60;
    for (size_t i = 0; i < n; i++) {
        char c = tok[i], d = i + 1 < n ? tok[i + 1] : 0;
        if (d == 'h' && (c == 'z' || c == 'k' || c == 'c' || c == 's' || c == 'p' ||
                         c == 't' || c == 'g')) {
            a[m++] = c == 'p' ? 'f' : c == 'k' ? 'h' : c;
            i++;
            continue;
        }
        if (c == 't' && (d == 's' || d == 'z')) {
            a[m++] = 'c';
            i++;
            continue;
        }
        if (c == 'x') {
            a[m++] = 'k';
            a[m++] = 's';
            continue;
        }
        a[m++] = c == 'y' || c == 'j' ? 'i' : c == 'w' ? 'v' : c == 'q' ? 'k' : c;
    }
    if (m >= 3 && a[m - 1] == 'f' && a[m - 2] == 'f' && (a[m - 3] == 'o' || a[m - 3] == 'e')) {
        a[m - 2] = 'v';
        m--;
    }
    size_t o = 0;
    char last = 0;
    for (size_t i = 0; i < m && o + 1 < cap; i++) {
        char c = a[i];
        if (c == last)
            continue;
        last = c;
        if (is_vowel(c))
            continue;
        out[o++] = c;
    }
    out[o] = 0;
    return o;
}

double ckp_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen == 0 || blen == 0)
        return alen == blen ? 1.0 : 0.0;
    /* whole names (the ofac algorithm) are compared too: a normalised name
     * is at most CKP_NAME_MAX_BYTES plus its separators */
    enum { JW_MAX = CKP_NAME_MAX_BYTES + CKP_NAME_MAX_TOKENS + 2 };
    if (alen > JW_MAX)
        alen = JW_MAX;
    if (blen > JW_MAX)
        blen = JW_MAX;
    size_t win = (alen > blen ? alen : blen) / 2;
    win = win > 0 ? win - 1 : 0;
    unsigned char am[JW_MAX], bm[JW_MAX];
    memset(am, 0, alen);
    memset(bm, 0, blen);
    size_t matches = 0;
    for (size_t i = 0; i < alen; i++) {
        size_t lo = i > win ? i - win : 0, hi = i + win + 1 < blen ? i + win + 1 : blen;
        for (size_t j = lo; j < hi; j++) {
            if (!bm[j] && a[i] == b[j]) {
                am[i] = bm[j] = 1;
                matches++;
                break;
            }
        }
    }
    if (matches == 0)
        return 0.0;
    size_t t = 0, k = 0;
    for (size_t i = 0; i < alen; i++) {
        if (!am[i])
            continue;
        while (!bm[k])
            k++;
        if (a[i] != b[k])
            t++;
        k++;
    }
    double m = (double)matches;
    double jaro = (m / alen + m / blen + (m - t / 2.0) / m) / 3.0;
    size_t l = 0;
    while (l < 4 && l < alen && l < blen && a[l] == b[l])
        l++;
    return jaro + l * 0.1 * (1.0 - jaro);
}

int ckp_edit_distance(const char *a, size_t alen, const char *b, size_t blen, int max)
{
    if (alen > 63 || blen > 63)
        return max + 1;
    size_t diff = alen > blen ? alen - blen : blen - alen;
    if ((int)diff > max)
        return max + 1;
    int d[64][64];
    for (size_t i = 0; i <= alen; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= blen; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= alen; i++) {
        int rowmin = max + 1;
        for (size_t j = 1; j <= blen; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
    }
    return d[alen][blen] > max ? max + 1 : d[alen][blen];
}

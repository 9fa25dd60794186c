/* names.h — person and company names reduced to comparable tokens.
 *
 * A name goes through: Unicode NFKC + case folding (utf8proc); Chinese and
 * Japanese company forms (有限公司, 股份有限公司, 集团, 株式会社…) rewritten to
 * their English equivalents; transliteration of every other script to ASCII
 * with ICU's "Any-Latin; Latin-ASCII" (Cyrillic, Greek, Arabic, Hebrew, Han →
 * pinyin…); quotes and punctuation removed ('.' and apostrophes join, so
 * "S.A." is "sa" and "GAMA'AT" is "gamaat"; everything else separates);
 * numbers kept as tokens.  Each token is then classified: an ordinary word,
 * a number, an initial (one letter), a legal form or generic business word
 * ("llc", "ooo", "gmbh", "company", "group", "trading"…) or a stop word
 * ("of", "the", "al"…).  Abbreviations fold to their full form (co → company,
 * corp → corporation, ltd → limited, grp → group, intl → international).
 *
 * Pure-ASCII names skip utf8proc and ICU entirely (the fast path).
 *
 * A ckp_namenorm holds one ICU transliterator, which is slow to create
 * (milliseconds) and not safe to share: create one per thread and reuse it.
 *
 * Life cycle: ckp_namenorm_new() → ckp_name_normalize()… → ckp_namenorm_free().
 * ckp_name_tokens is a fixed-size value: nothing to free. */
#ifndef CHOKEPOINT_NAMES_H
#define CHOKEPOINT_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"

/* Limits of one normalised name: longer names are cut at a token boundary
 * (the tokens that fit are kept; ckp_name_tokens.truncated says so). */
#define CKP_NAME_MAX_BYTES 1024
#define CKP_NAME_MAX_TOKENS 32
/* Han and Hangul characters kept per name for the character-level check. */
#define CKP_NAME_MAX_CJK 32

typedef enum ckp_token_kind {
    CKP_TOK_WORD = 0, /* an ordinary word: carries the match */
    CKP_TOK_NUMBER,   /* digits only: must match exactly */
    CKP_TOK_INITIAL,  /* a single letter: matches a word with that first letter */
    CKP_TOK_GENERIC,  /* legal form or generic business word: ignored */
    CKP_TOK_STOP      /* stop word ("of", "the", "al"…): ignored */
} ckp_token_kind;

typedef struct ckp_name_token {
    const char *text; /* lower-case ASCII (or other bytes ICU could not map),
                         NUL-terminated, inside the owning ckp_name_tokens */
    uint16_t len;
    uint8_t kind;     /* ckp_token_kind */
    uint8_t folded;   /* 1 when an abbreviation was expanded (co → company) */
} ckp_name_token;

typedef struct ckp_name_tokens {
    int n;                                /* tokens in tok[] */
    int truncated;                        /* 1 when the name was cut */
    int transliterated;                   /* 1 when ICU was used */
    /* The name's Han ideographs (traditional folded to simplified) and Hangul
     * syllables, in order, before transliteration: two names whose pinyin
     * agrees may still be written with different characters (张伟 / 章伟).
     * ncjk = 0 when the name has none; cjk_cut = 1 when there were more than
     * CKP_NAME_MAX_CJK (the first ones are kept). */
    uint32_t cjk[CKP_NAME_MAX_CJK];
    uint8_t ncjk, cjk_cut;
    ckp_name_token tok[CKP_NAME_MAX_TOKENS];
    char buf[CKP_NAME_MAX_BYTES + 2 * CKP_NAME_MAX_TOKENS + 64];
} ckp_name_tokens;

typedef struct ckp_namenorm ckp_namenorm;

/* Create a normaliser (opens the ICU transliterator).  Free with
 * ckp_namenorm_free(). */
ckp_status ckp_namenorm_new(ckp_namenorm **out, ckp_error *err);
void ckp_namenorm_free(ckp_namenorm *nn);

/* Normalise the UTF-8 name s (n bytes; invalid UTF-8 bytes are taken as
 * Latin-1) into out.  Returns the number of tokens (0 for an empty name). */
int ckp_name_normalize(ckp_namenorm *nn, const char *s, size_t n, ckp_name_tokens *out);

/* The tokens joined by single spaces into buf (always NUL-terminated). */
char *ckp_name_tokens_join(const ckp_name_tokens *t, char *buf, size_t n);

/* "word", "number", "initial", "legal form/generic", "stop word". Static. */
const char *ckp_token_kind_name(ckp_token_kind kind);

/* Classify one lower-case ASCII token and give its folded form (points to a
 * static string or to tok itself); used by the normaliser, exposed for tests. */
ckp_token_kind ckp_name_classify(const char *tok, size_t n, const char **folded);

/* Transliteration-variant key of a lower-case token: digraphs folded
 * (zh→z, kh→h, ch→c, sh→s, ts→c, ph→f, x→ks, y/j→i, w→v, q→k), -off/-eff →
 * -ov/-ev, doubled letters collapsed, vowels dropped.  "mohammed" and
 * "muhammad" → "mhmd", "sergei"/"sergey" → "srg", "ivanoff" → "vnv".
 * Writes at most cap-1 bytes + NUL; returns the key length. */
size_t ckp_name_key(const char *tok, size_t n, char *out, size_t cap);

/* ---- name_forms.c: legal forms, number words, nicknames ---------------- */

/* The kind of company a name's legal form says it is: "Siemens AG" and
 * "Siemens GmbH" are two companies; LLC = OOO = "Limited Liability
 * Company" = GmbH = Ltd. */
typedef enum ckp_legal_family {
    CKP_LEGAL_NONE = 0,    /* no legal form, or only "company" */
    CKP_LEGAL_LLC,         /* limited liability / private limited */
    CKP_LEGAL_STOCK,       /* joint-stock, AG, S.A., PLC, Inc., Corp. */
    CKP_LEGAL_PARTNERSHIP  /* KG, OHG, LP, LLP */
} ckp_legal_family;

/* The family of a normalised name (from its legal-form tokens). */
ckp_legal_family ckp_legal_family_of(const ckp_name_tokens *t);
/* "limited liability company", "joint-stock company", "partnership", "none". */
const char *ckp_legal_family_name(ckp_legal_family f);

/* The value of a number word or ordinal ("forty" 40, "first" 1, "1st" 1,
 * "44th" 44) of n bytes, or -1.  The normaliser turns these into number
 * tokens ("forty four" → 44). */
int ckp_number_word(const char *tok, size_t n);

/* The full given name a nickname stands for ("bill" → "william"), or NULL.
 * ckp_name_nickname_at(i, &full) walks the table: the nickname, or NULL past
 * its end. */
const char *ckp_name_nickname(const char *tok, size_t n);
const char *ckp_name_nickname_at(size_t i, const char **full);

/* Jaro-Winkler similarity in [0,1] (prefix scale 0.1, up to 4 characters).
 * Strings of up to CKP_NAME_MAX_BYTES + CKP_NAME_MAX_TOKENS + 2 bytes (a whole
 * normalised name) are compared whole. */
double ckp_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);

/* Optimal-string-alignment edit distance (Damerau with adjacent
 * transpositions); returns max+1 as soon as the distance exceeds max. */
int ckp_edit_distance(const char *a, size_t alen, const char *b, size_t blen, int max);

#endif

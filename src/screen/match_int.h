/* match_int.h — what the matcher's files share (see match.h):
 *   match_index.c    the list index: vocabulary, postings, variants, keys
 *   match.c          the matcher: candidates, bounds, the query, pairs
 *   match_score.c    the explained token-alignment scorer
 *   match_qualify.c  entity-level qualifiers (schema, legal form, birth
 *                    date, identifiers) on a name score
 *   match_ofac.c     the OFAC Sanctions List Search algorithm
 *   match_output.c   hits as rows (table, CSV, JSON)
 * One side of a comparison (a query or a list name) is a `side`. */
#ifndef CHOKEPOINT_MATCH_INT_H
#define CHOKEPOINT_MATCH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/match.h"
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
#define F_BIRTH_DIFF 0.70  /* every birth year of the party more than a year off */
#define G_BIRTH_DAY 0.30   /* the same date of birth: this share of the gap to 1 */
#define G_BIRTH_YEAR 0.15  /* the same year of birth */
#define G_IDENT 0.50       /* an identical identifier */
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

/* 1 for the token kinds that score (words, numbers, initials). */
static inline int scoring_kind(int kind)
{
    return kind == CKP_TOK_WORD || kind == CKP_TOK_NUMBER || kind == CKP_TOK_INITIAL;
}

static inline const vtok *V(const ckp_index *ix, uint32_t id)
{
    return (const vtok *)ix->vocab.data + id;
}

/* How the tokens of two sides aligned (score_sides fills it). */
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

/* Append printf-style text to buf (cap bytes) at *o, advancing *o; text
 * that does not fit ends the buffer with " ..." (match_score.c). */
void ckp__eappend(char *buf, size_t cap, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Score query side q against list name side c (0…1, match.h's formula);
 * fills al, *pnum and *pden (the weighted sums) when given (match_score.c). */
double ckp__score_sides(const side *q, const side *c, align *al, double *pnum, double *pden);
/* The explanation of a score in words into buf (cap bytes): the aligned
 * tokens, the raw score, then qual (the qualifiers' words). */
void ckp__explain(const side *q, const side *c, const align *al, double raw, double num,
                  double den, const char *qual, char *buf, size_t cap);
/* The name-level and entity-level qualifiers applied to a token score s of
 * q against c (of party p, name role; p NULL for a pair); each one that
 * changes the score is written to buf (when given) as "; …"
 * (match_qualify.c). */
double ckp__qualify(const side *q, const side *c, double s, const ckp_party *p, int role,
                    const ckp_match_opts *opts, char *buf, size_t cap);
/* OFAC's Sanctions List Search score of q against c, its explanation in
 * buf when given (match_ofac.c). */
double ckp__ofac_score(const side *q, const side *c, char *buf, size_t cap);

#endif

/* name_forms.c — the word lists the name normaliser and the matcher consult
 * beyond token classes (names.h): legal-form families, number and ordinal
 * words, given-name nicknames. */
#include "chokepoint/names.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- legal-form families ------------------------------------------------ */

typedef struct family_word {
    const char *word;
    ckp_legal_family family;
} family_word;

/* Tokens (as they read after normalisation and folding) that say which kind
 * of company a name is.  Words shared by families ("company", "limited" in
 * "public limited company") are decided in ckp_legal_family_of. */
static const family_word family_words[] = {
    /* limited liability: LLC, OOO, TOV, GmbH, SARL, S.R.L., B.V., Ltd… */
    {"llc", CKP_LEGAL_LLC},           {"ooo", CKP_LEGAL_LLC},
    {"tov", CKP_LEGAL_LLC},           {"gmbh", CKP_LEGAL_LLC},
    {"mbh", CKP_LEGAL_LLC},           {"sarl", CKP_LEGAL_LLC},
    {"srl", CKP_LEGAL_LLC},           {"sprl", CKP_LEGAL_LLC},
    {"bv", CKP_LEGAL_LLC},            {"liability", CKP_LEGAL_LLC},
    {"ogranichennoy", CKP_LEGAL_LLC}, {"ogranichennoi", CKP_LEGAL_LLC},
    {"ogranicennoj", CKP_LEGAL_LLC},  {"otvetstvennostyu", CKP_LEGAL_LLC},
    {"otvetstvennostu", CKP_LEGAL_LLC}, {"otvetstvennostiu", CKP_LEGAL_LLC},
    {"beschrankter", CKP_LEGAL_LLC},  {"haftung", CKP_LEGAL_LLC},
    {"responsabilidad", CKP_LEGAL_LLC}, {"raspundere", CKP_LEGAL_LLC},
    {"fzllc", CKP_LEGAL_LLC},         {"doo", CKP_LEGAL_LLC},
    {"eood", CKP_LEGAL_LLC},          {"ood", CKP_LEGAL_LLC},
    {"sro", CKP_LEGAL_LLC},           {"wll", CKP_LEGAL_LLC},
    {"pte", CKP_LEGAL_LLC},           {"pty", CKP_LEGAL_LLC},
    {"pvt", CKP_LEGAL_LLC},           {"sdn", CKP_LEGAL_LLC},
    {"tovaristvo", CKP_LEGAL_LLC},    {"tovarystvo", CKP_LEGAL_LLC},
    {"abmezavanaj", CKP_LEGAL_LLC},   {"adkaznascu", CKP_LEGAL_LLC},
    /* joint-stock and share companies: AG, JSC, AO, PAO, S.A., PLC, Inc… */
    {"ag", CKP_LEGAL_STOCK},          {"aktiengesellschaft", CKP_LEGAL_STOCK},
    {"jsc", CKP_LEGAL_STOCK},         {"pjsc", CKP_LEGAL_STOCK},
    {"ojsc", CKP_LEGAL_STOCK},        {"cjsc", CKP_LEGAL_STOCK},
    {"jstc", CKP_LEGAL_STOCK},        {"ao", CKP_LEGAL_STOCK},
    {"oao", CKP_LEGAL_STOCK},         {"zao", CKP_LEGAL_STOCK},
    {"pao", CKP_LEGAL_STOCK},         {"nao", CKP_LEGAL_STOCK},
    {"pat", CKP_LEGAL_STOCK},         {"prat", CKP_LEGAL_STOCK},
    {"stock", CKP_LEGAL_STOCK},       {"akcionernoe", CKP_LEGAL_STOCK},
    {"aktsionernoe", CKP_LEGAL_STOCK}, {"sa", CKP_LEGAL_STOCK},
    {"anonima", CKP_LEGAL_STOCK},     {"anonyme", CKP_LEGAL_STOCK},
    {"spa", CKP_LEGAL_STOCK},         {"nv", CKP_LEGAL_STOCK},
    {"plc", CKP_LEGAL_STOCK},         {"kk", CKP_LEGAL_STOCK},
    {"oyj", CKP_LEGAL_STOCK},         {"asa", CKP_LEGAL_STOCK},
    {"ead", CKP_LEGAL_STOCK},         {"incorporated", CKP_LEGAL_STOCK},
    {"corporation", CKP_LEGAL_STOCK},
    /* partnerships */
    {"kg", CKP_LEGAL_PARTNERSHIP},    {"ohg", CKP_LEGAL_PARTNERSHIP},
    {"lp", CKP_LEGAL_PARTNERSHIP},    {"llp", CKP_LEGAL_PARTNERSHIP},
};

ckp_legal_family ckp_legal_family_of(const ckp_name_tokens *t)
{
    int fam = CKP_LEGAL_NONE, limited = 0;
    for (int i = 0; i < t->n; i++) {
        const ckp_name_token *k = &t->tok[i];
        if (k->kind != CKP_TOK_GENERIC)
            continue;
        if (strcmp(k->text, "limited") == 0) {
            limited = 1;
            continue;
        }
        for (size_t j = 0; j < sizeof family_words / sizeof family_words[0]; j++) {
            if (strcmp(k->text, family_words[j].word) != 0)
                continue;
            /* a share company says so in one word; "limited liability" and
             * "joint stock limited" read as their stronger word */
            if (fam == CKP_LEGAL_NONE || family_words[j].family == CKP_LEGAL_STOCK)
                fam = family_words[j].family;
            break;
        }
    }
    /* "Ltd", "Co., Ltd.", "Limited": a private company limited by shares
     * (the LLC family); "public limited company" is a PLC */
    if (fam == CKP_LEGAL_NONE && limited) {
        fam = CKP_LEGAL_LLC;
        for (int i = 0; i < t->n; i++)
            if (strcmp(t->tok[i].text, "public") == 0)
                fam = CKP_LEGAL_STOCK;
    }
    return (ckp_legal_family)fam;
}

const char *ckp_legal_family_name(ckp_legal_family f)
{
    switch (f) {
    case CKP_LEGAL_LLC: return "limited liability company";
    case CKP_LEGAL_STOCK: return "joint-stock company";
    case CKP_LEGAL_PARTNERSHIP: return "partnership";
    case CKP_LEGAL_NONE: break;
    }
    return "none";
}

/* ---- numbers written as words ------------------------------------------- */

typedef struct num_word {
    const char *word;
    int value;
} num_word;

static const num_word num_words[] = {
    {"one", 1},        {"two", 2},          {"three", 3},       {"four", 4},
    {"five", 5},       {"six", 6},          {"seven", 7},       {"eight", 8},
    {"nine", 9},       {"ten", 10},         {"eleven", 11},     {"twelve", 12},
    {"thirteen", 13},  {"fourteen", 14},    {"fifteen", 15},    {"sixteen", 16},
    {"seventeen", 17}, {"eighteen", 18},    {"nineteen", 19},   {"twenty", 20},
    {"thirty", 30},    {"forty", 40},       {"fifty", 50},      {"sixty", 60},
    {"seventy", 70},   {"eighty", 80},      {"ninety", 90},     {"first", 1},
    {"second", 2},     {"third", 3},        {"fourth", 4},      {"fifth", 5},
    {"sixth", 6},      {"seventh", 7},      {"eighth", 8},      {"ninth", 9},
    {"tenth", 10},     {"eleventh", 11},    {"twelfth", 12},    {"thirteenth", 13},
    {"fourteenth", 14}, {"fifteenth", 15},  {"sixteenth", 16},  {"seventeenth", 17},
    {"eighteenth", 18}, {"nineteenth", 19}, {"twentieth", 20},  {"thirtieth", 30},
    {"fortieth", 40},  {"fiftieth", 50},    {"sixtieth", 60},   {"seventieth", 70},
    {"eightieth", 80}, {"ninetieth", 90},
};

int ckp_number_word(const char *tok, size_t n)
{
    for (size_t i = 0; i < sizeof num_words / sizeof num_words[0]; i++)
        if (strlen(num_words[i].word) == n && memcmp(num_words[i].word, tok, n) == 0)
            return num_words[i].value;
    /* 1st, 2nd, 3rd, 4th, 21st, 101st… */
    size_t d = 0;
    while (d < n && tok[d] >= '0' && tok[d] <= '9')
        d++;
    if (d == 0 || d > 6 || n != d + 2)
        return -1;
    const char *s = tok + d;
    if (memcmp(s, "st", 2) && memcmp(s, "nd", 2) && memcmp(s, "rd", 2) && memcmp(s, "th", 2))
        return -1;
    int v = 0;
    for (size_t i = 0; i < d; i++)
        v = v * 10 + (tok[i] - '0');
    return v;
}

/* ---- nicknames ------------------------------------------------------------ */

typedef struct nick {
    const char *nick, *full;
} nick;

/* Common English and Russian short forms of given names (as transliterated). */
static const nick nicks[] = {
    {"bill", "william"},      {"billy", "william"},     {"will", "william"},
    {"willy", "william"},     {"bob", "robert"},        {"bobby", "robert"},
    {"rob", "robert"},        {"robbie", "robert"},     {"bert", "robert"},
    {"jim", "james"},         {"jimmy", "james"},       {"jamie", "james"},
    {"mike", "michael"},      {"mick", "michael"},      {"mickey", "michael"},
    {"dick", "richard"},      {"rick", "richard"},      {"rich", "richard"},
    {"tom", "thomas"},        {"tommy", "thomas"},      {"tony", "anthony"},
    {"joe", "joseph"},        {"joey", "joseph"},       {"dave", "david"},
    {"davy", "david"},        {"dan", "daniel"},        {"danny", "daniel"},
    {"chris", "christopher"}, {"kate", "katherine"},    {"kathy", "katherine"},
    {"liz", "elizabeth"},     {"beth", "elizabeth"},    {"betty", "elizabeth"},
    {"peggy", "margaret"},    {"maggie", "margaret"},   {"meg", "margaret"},
    {"ted", "edward"},        {"ed", "edward"},         {"eddie", "edward"},
    {"sam", "samuel"},        {"ben", "benjamin"},      {"steve", "stephen"},
    {"andy", "andrew"},       {"drew", "andrew"},       {"jack", "john"},
    {"johnny", "john"},       {"hank", "henry"},        {"harry", "henry"},
    {"chuck", "charles"},     {"charlie", "charles"},   {"larry", "lawrence"},
    {"jerry", "gerald"},      {"nick", "nicholas"},     {"pat", "patrick"},
    {"pete", "peter"},        {"fred", "frederick"},    {"alex", "alexander"},
    {"sandy", "alexander"},   {"sasha", "aleksandr"},   {"vova", "vladimir"},
    {"volodya", "vladimir"},  {"dima", "dmitry"},       {"kolya", "nikolai"},
    {"misha", "mikhail"},     {"seryozha", "sergei"},   {"lyosha", "aleksei"},
    {"alyosha", "aleksei"},   {"vanya", "ivan"},        {"zhenya", "evgeny"},
    {"tolya", "anatoly"},     {"kostya", "konstantin"}, {"slava", "vyacheslav"},
    {"pasha", "pavel"},       {"petya", "pyotr"},       {"yura", "yury"},
    {"natasha", "natalia"},   {"tanya", "tatiana"},     {"masha", "maria"},
    {"sveta", "svetlana"},    {"lena", "elena"},        {"katya", "ekaterina"},
    {"olya", "olga"},         {"ira", "irina"},         {"nastya", "anastasia"},
};

#define NNICKS (sizeof nicks / sizeof nicks[0])

/* The nicknames sorted (by length, then bytes) once, for a binary search:
 * the matcher asks for every pair of words it compares. */
static nick sorted[NNICKS];
static uint8_t sorted_len[NNICKS];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int nick_cmp(const void *x, const void *y)
{
    const nick *a = x, *b = y;
    size_t la = strlen(a->nick), lb = strlen(b->nick);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a->nick, b->nick);
}

static void nicks_sort(void)
{
    memcpy(sorted, nicks, sizeof nicks);
    qsort(sorted, NNICKS, sizeof sorted[0], nick_cmp);
    for (size_t i = 0; i < NNICKS; i++)
        sorted_len[i] = (uint8_t)strlen(sorted[i].nick);
}

const char *ckp_name_nickname(const char *tok, size_t n)
{
    if (n < 2 || n > 8) /* the table's nicknames are 2-8 letters */
        return NULL;
    pthread_once(&sorted_once, nicks_sort);
    size_t lo = 0, hi = NNICKS;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = sorted_len[mid] != n ? (sorted_len[mid] < n ? -1 : 1)
                                     : memcmp(sorted[mid].nick, tok, n);
        if (c == 0)
            return sorted[mid].full;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *ckp_name_nickname_at(size_t i, const char **full)
{
    if (i >= sizeof nicks / sizeof nicks[0])
        return NULL;
    *full = nicks[i].full;
    return nicks[i].nick;
}

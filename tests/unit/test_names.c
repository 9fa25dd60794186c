/* test_names.c — name normalisation, token classes, keys, similarities. */
#include <stdlib.h>
#include <string.h>

#include "chokepoint/names.h"
#include "test.h"

static ckp_namenorm *nn(void)
{
    static ckp_namenorm *n;
    if (!n) {
        ckp_error err;
        if (ckp_namenorm_new(&n, &err) != CKP_OK)
            return NULL;
    }
    return n;
}

/* Tokens joined by spaces. */
static const char *norm(const char *s)
{
    static ckp_name_tokens t;
    static char buf[2048];
    ckp_name_normalize(nn(), s, strlen(s), &t);
    return ckp_name_tokens_join(&t, buf, sizeof buf);
}

static int kind_of(const char *s, int i)
{
    static ckp_name_tokens t;
    ckp_name_normalize(nn(), s, strlen(s), &t);
    return i < t.n ? t.tok[i].kind : -1;
}

CKP_TEST(names_ascii_punctuation)
{
    REQUIRE(nn());
    CHECK_STR(norm("SALEK, ABDULHAI"), "salek abdulhai");
    CHECK_STR(norm("ANGLO-CARIBBEAN CO., LTD."), "anglo caribbean company limited");
    CHECK_STR(norm("CECOEX, S.A."), "cecoex sa");
    CHECK_STR(norm("U.S.A. J.P.Morgan"), "usa jp morgan");
    CHECK_STR(norm("ISLAMIC GAMA'AT"), "islamic gamaat");
    CHECK_STR(norm("  "), "");
    CHECK_STR(norm("JSC 163 Armor Repair Plant"), "jsc 163 armor repair plant");
}

CKP_TEST(names_quotes_and_scripts)
{
    REQUIRE(nn());
    /* «» „“ 「」 are removed, Cyrillic transliterated */
    CHECK_STR(norm("ООО «Интер Тобако»"), "ooo inter tobako");
    CHECK_STR(norm("RAB „Inter Tobacco“"), "rab inter tobacco");
    CHECK_STR(norm("「東芝」"), "dong zhi");
    CHECK_STR(norm("Виталий Юрьевич КУЗЬМЕНКО"), "vitalij urevic kuzmenko");
    CHECK_STR(norm("Εταιρία Inter"), "etairia inter");
    /* NFKC: full-width letters and ligatures */
    CHECK_STR(norm("ＡＢＣ ﬁnance"), "abc finance");
    /* Latin-1 bytes (not UTF-8) are taken as Latin-1 */
    CHECK_STR(norm("M\xfcller GmbH"), "muller gmbh");
}

CKP_TEST(names_han_company_forms)
{
    REQUIRE(nn());
    /* 公司 → company; pinyin syllables stay words even when they read like
     * stop words ("de") */
    CHECK_STR(norm("洛克希德·马丁公司"), "luo ke xi de ma ding company");
    CHECK_INT(kind_of("洛克希德·马丁公司", 3), CKP_TOK_WORD);
    CHECK_INT(kind_of("洛克希德·马丁公司", 6), CKP_TOK_GENERIC);
    CHECK_STR(norm("华为技术有限公司"), "hua wei ji shu limited company");
    CHECK_STR(norm("中国电子科技集团股份有限公司"),
              "zhong guo dian zi ke ji group joint stock limited company");
}

CKP_TEST(names_token_classes)
{
    const char *f = NULL;
    CHECK_INT(ckp_name_classify("llc", 3, &f), CKP_TOK_GENERIC);
    CHECK_INT(ckp_name_classify("ooo", 3, &f), CKP_TOK_GENERIC);
    CHECK_INT(ckp_name_classify("tov", 3, &f), CKP_TOK_GENERIC);
    CHECK_INT(ckp_name_classify("gmbh", 4, &f), CKP_TOK_GENERIC);
    CHECK_INT(ckp_name_classify("co", 2, &f), CKP_TOK_GENERIC);
    CHECK_STR(f, "company");
    CHECK_INT(ckp_name_classify("intl", 4, &f), CKP_TOK_GENERIC);
    CHECK_STR(f, "international");
    CHECK_INT(ckp_name_classify("grp", 3, &f), CKP_TOK_GENERIC);
    CHECK_STR(f, "group");
    CHECK_INT(ckp_name_classify("of", 2, &f), CKP_TOK_STOP);
    CHECK_INT(ckp_name_classify("2024", 4, &f), CKP_TOK_NUMBER);
    CHECK_INT(ckp_name_classify("j", 1, &f), CKP_TOK_INITIAL);
    CHECK_INT(ckp_name_classify("tobacco", 7, &f), CKP_TOK_WORD);
    /* Cyrillic legal forms read the same after transliteration */
    REQUIRE(nn());
    CHECK_INT(kind_of("ООО Ромашка", 0), CKP_TOK_GENERIC);
    CHECK_INT(kind_of("ТОВ Ромашка", 0), CKP_TOK_GENERIC);
    CHECK_INT(kind_of("АО Ромашка", 0), CKP_TOK_GENERIC);
    CHECK_INT(kind_of("PJSC Romashka", 0), CKP_TOK_GENERIC);
}

CKP_TEST(names_keys_fold_variants)
{
    char a[32], b[32];
    ckp_name_key("mohammed", 8, a, sizeof a);
    ckp_name_key("muhammad", 8, b, sizeof b);
    CHECK_STR(a, b);
    ckp_name_key("sergei", 6, a, sizeof a);
    ckp_name_key("sergey", 6, b, sizeof b);
    CHECK_STR(a, b);
    ckp_name_key("ivanov", 6, a, sizeof a);
    ckp_name_key("ivanoff", 7, b, sizeof b);
    CHECK_STR(a, b);
    ckp_name_key("zhuravleva", 10, a, sizeof a);
    ckp_name_key("zuravleva", 9, b, sizeof b);
    CHECK_STR(a, b);
    ckp_name_key("aleksandr", 9, a, sizeof a);
    ckp_name_key("alexander", 9, b, sizeof b);
    CHECK_STR(a, b);
    ckp_name_key("smith", 5, a, sizeof a);
    ckp_name_key("jones", 5, b, sizeof b);
    CHECK(strcmp(a, b) != 0);
}

CKP_TEST(names_similarity_functions)
{
    CHECK_NEAR(ckp_jaro_winkler("martha", 6, "marhta", 6), 0.961, 0.001);
    CHECK_NEAR(ckp_jaro_winkler("abc", 3, "abc", 3), 1.0, 1e-9);
    CHECK_NEAR(ckp_jaro_winkler("abc", 3, "xyz", 3), 0.0, 1e-9);
    CHECK_INT(ckp_edit_distance("kitten", 6, "sitting", 7, 5), 3);
    CHECK_INT(ckp_edit_distance("abcd", 4, "abdc", 4, 3), 1); /* transposition */
    CHECK_INT(ckp_edit_distance("abcdef", 6, "uvwxyz", 6, 2), 3); /* capped at max+1 */
}

CKP_TEST(names_limits)
{
    REQUIRE(nn());
    char big[5000];
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = i % 6 == 5 ? ' ' : 'a' + (char)(i % 5);
    big[sizeof big - 1] = 0;
    ckp_name_tokens t;
    int n = ckp_name_normalize(nn(), big, strlen(big), &t);
    CHECK_INT(n, CKP_NAME_MAX_TOKENS);
    CHECK_INT(t.truncated, 1);
    /* a NUL inside a non-ASCII name ends it */
    const char withnul[] = "Ж\0zzz";
    n = ckp_name_normalize(nn(), withnul, sizeof withnul - 1, &t);
    CHECK_INT(n, 1);
}

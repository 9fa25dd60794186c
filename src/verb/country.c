/* country.c — the `country` verb: any code or name → every code of the
 * country (ref.h).
 *
 * A query is an ISO3/ISO2 code, a numeric code (Comtrade, ISO/M49, BACI), or
 * a name in any language the reference data holds or a common alias, case-
 * and accent-insensitive (ckp_ref_country_arg); else the whole words of one
 * country's names.  An unknown query is an error naming the closest
 * countries, an ambiguous one an error listing the candidates. */
#include <string.h>

#include "chokepoint/verb.h"

#define MAX_QUERIES 64

static const ckp_param params[] = {
    {"all", CKP_PARAM_FLAG, NULL, "list every country and aggregate area", 0, 1},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column cols[] = {
    {"iso3", CKP_COL_STR, 0},     {"iso2", CKP_COL_STR, 0},
    {"iso_num", CKP_COL_INT, CKP_NOGROUP},  {"m49", CKP_COL_INT, CKP_NOGROUP},
    {"comtrade", CKP_COL_INT, CKP_NOGROUP}, {"baci", CKP_COL_INT, CKP_NOGROUP},
    {"name", CKP_COL_STR, 0},     {"name_ru", CKP_COL_STR, 0}, {"name_zh", CKP_COL_STR, 0},
    {"aggregate", CKP_COL_INT, 0}, {"kind", CKP_COL_STR, 0}};

static void put_code(ckp_writer *w, int v)
{
    if (v < 0)
        ckp_writer_null(w);
    else
        ckp_writer_int(w, v);
}

static ckp_status write_country(ckp_writer *w, const ckp_country *c)
{
    ckp_writer_str(w, c->iso3);
    ckp_writer_str(w, c->iso2[0] ? c->iso2 : NULL);
    put_code(w, c->iso_num);
    put_code(w, c->m49);
    put_code(w, c->comtrade);
    put_code(w, c->baci);
    ckp_writer_str(w, c->name);
    ckp_writer_str(w, c->name_ru);
    ckp_writer_str(w, c->name_zh);
    ckp_writer_int(w, c->is_aggregate);
    ckp_writer_str(w, c->kind);
    return ckp_writer_end_row(w);
}

/* A code or name (ckp_ref_country_arg: exact, else one country whose names
 * hold the words; ambiguous → an error listing candidates), else a name
 * with the footnote marks of real tables ("Japane"). */
static ckp_status resolve(const ckp_ref *ref, const char *q, int *id, ckp_error *err)
{
    *id = -1;
    ckp_status st = ckp_ref_country_arg(ref, q, id, err);
    if (st == CKP_OK)
        return CKP_OK;
    if (err->code == CKP_ENOTFOUND)
        *id = ckp_ref_country_find_loose(ref, q);
    return *id >= 0 ? CKP_OK : st;
}

static ckp_status run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                      size_t summary_len, ckp_error *err)
{
    const ckp_ref *ref = ckp_env_ref(env);
    int all = ckp_args_flag(args, "all"), n = ckp_args_npos(args);
    int ids[MAX_QUERIES];
    if (n == 0 && !all)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "give a country code or name, or --all");
    if (n > MAX_QUERIES)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "at most %d countries at once (%d given)", MAX_QUERIES, n);
    /* every query resolved first, so that an unknown one prints nothing else */
    for (int i = 0; i < n; i++) {
        ckp_status st = resolve(ref, ckp_args_pos(args, i), &ids[i], err);
        if (st != CKP_OK)
            return st;
    }
    int rows = all ? ckp_ref_country_count(ref) : n;
    for (int i = 0; i < rows; i++) {
        ckp_status st = write_country(w, ckp_ref_country(ref, all ? i : ids[i]));
        if (st != CKP_OK)
            return ckp_error_set(err, st, NULL, 0, 0, "cannot write the rows");
    }
    return CKP_OK;
}

CKP_VERB_DEFINE(country, 130, 0) = {
    "country", "QUERY… | --all",
    "look up a country by any code or name and show every code",
    "A QUERY is an ISO alpha-3 or alpha-2 code (USA, US), a numeric code (Comtrade 842,\n"
    "ISO/M49 840, BACI), or a name or a common alias (Türkiye, Turkey, South Korea,\n"
    "DR Congo, UAE) in English, French, Spanish, Russian, Chinese, Arabic (UN names)\n"
    "or German, Italian, Portuguese, Dutch, Polish, Japanese, Korean, Turkish,\n"
    "Ukrainian (CLDR names): Chine, Китай, 中国, Deutschland; case- and\n"
    "accent-insensitive.  Else the query's whole words in one country's names\n"
    "(Saudi); a prefix of a word never matches, and words several countries hold\n"
    "(Virgin Islands) are an error listing them.\n"
    "Aggregates (World, regions, bunkers, free zones, historical areas such as\n"
    "Fmr USSR) are flagged aggregate=1.  Comtrade's 490 \"Other Asia, nes\" is Taiwan.",
    params, 0, -1, cols, sizeof cols / sizeof cols[0], run, NULL, "f:format",
    CKP_VERB_NO_STORE};

/* cmd_country.c — the 'country' verb: any code or name → every code.
 *
 *   chokepoint country QUERY…  [--format table|csv|json] [--all] [--data DIR]
 *
 * A query is an ISO3/ISO2 code, a numeric code (Comtrade, ISO/M49, BACI), or
 * a name in any language the reference data holds or a common alias, case-
 * and accent-insensitive (ckp_ref_country_arg); else the whole words of one
 * country's names.  An unknown query is an error naming the closest
 * countries, an ambiguous one an error listing the candidates (exit 1). */
#include <string.h>

#include "cli.h"

static const char *o_format, *o_data;
static int o_all;

static const cli_opt opts[] = {
    {"format", 'f', CLI_STR, "table|csv|json", "output format (default: table on a terminal, else csv)",
     &o_format},
    {"all", 0, CLI_FLAG, NULL, "list every country and aggregate area", &o_all},
    {"data", 0, CLI_STR, "DIR", "reference data directory (default: the shipped data)", &o_data},
    {NULL, 0, CLI_FLAG, NULL, NULL, NULL}};

static const cli_spec spec = {
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
    opts, 0, -1};

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

int cmd_country(int argc, char **argv)
{
    char **args;
    int nargs, rc = 0;
    ckp_format fmt;
    ckp_ref *ref = NULL;
    ckp_writer *w = NULL;
    ckp_error err;

    o_format = o_data = NULL;
    o_all = 0;
    rc = cli_parse(&spec, argc, argv, &args, &nargs);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (nargs == 0 && !o_all)
        return cli_failf("country", 2, "give a country code or name, or --all");
    rc = cli_format("country", o_format, &fmt);
    if (rc)
        return rc;
    ref = cli_load_ref("country", o_data);
    if (!ref)
        return 1;
    ckp_error_clear(&err);

    /* Resolve every query first so an unknown one prints nothing else. */
    int ids[64], n = 0;
    for (int a = 0; a < nargs; a++) {
        /* a code or name (ckp_ref_country_arg: exact, else one country whose
         * names hold the words; ambiguous → an error listing candidates),
         * else a name with the footnote marks of real tables ("Japane") */
        int id = -1;
        if (ckp_ref_country_arg(ref, args[a], &id, &err) != CKP_OK) {
            if (err.code == CKP_ENOTFOUND)
                id = ckp_ref_country_find_loose(ref, args[a]);
            if (id < 0) {
                rc = cli_fail("country", &err);
                goto out_free;
            }
        }
        if (n == 64) {
            rc = cli_failf("country", 2, "at most 64 countries at once (%d given)", nargs);
            goto out_free;
        }
        ids[n++] = id;
    }

    w = ckp_writer_new(stdout, fmt, cols, sizeof cols / sizeof *cols);
    if (!w) {
        rc = cli_failf("country", 1, "out of memory");
        goto out_free;
    }
    if (o_all) {
        for (int i = 0; i < ckp_ref_country_count(ref); i++)
            write_country(w, ckp_ref_country(ref, i));
    } else {
        for (int i = 0; i < n; i++)
            write_country(w, ckp_ref_country(ref, ids[i]));
    }
    if (ckp_writer_finish(w) != CKP_OK)
        rc = cli_failf("country", 1, "writing the output failed");

out_free:
    ckp_writer_free(w);
    ckp_ref_free(ref);
    return rc;
}

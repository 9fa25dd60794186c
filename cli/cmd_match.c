/* cmd_match.c — the 'match' verb: fuzzy-match names against the party lists
 * (one name, a batch file, or labelled pairs), every hit explained. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chokepoint/csv.h"
#include "chokepoint/match.h"
#include "cli.h"

static const char *o_algorithm, *o_birth, *o_ids;
static const char *o_country, *o_schema, *o_lists, *o_batch, *o_pairs, *o_format, *o_data, *o_width;
static long o_limit = 10;
static double o_threshold = CKP_MATCH_THRESHOLD;
static int o_stats, o_wide;

static const cli_opt opts[] = {
    {"country", 'c', CLI_STR, "C", "country of the name (ISO3 or any name): agreement raises "
                                   "the score, disagreement lowers it",
     &o_country},
    {"schema", 's', CLI_STR, "Person|Company|Organization|LegalEntity|Vessel|Airplane",
     "what the name is (FollowTheMoney schema): a person matched against an organisation "
     "(or the reverse, or a legal entity against a vessel) needs more evidence (x0.85); a "
     "name with a legal form is a Company",
     &o_schema},
    {"birth-date", 0, CLI_STR, "DATE", "date of birth of the person (YYYY, YYYY-MM or "
                                       "YYYY-MM-DD): the same date or year as the entry's "
                                       "raises the score, another year lowers it",
     &o_birth},
    {"id", 0, CLI_STR, "IDS", "identifiers of the name (passport, tax number, IMO, LEI…), "
                              "';'-joined: one equal to the entry's raises the score",
     &o_ids},
    {"algorithm", 'a', CLI_STR, "default|ofac",
     "default: the explained token matcher; ofac: OFAC Sanctions List Search's published "
     "scoring (Jaro-Winkler on the whole name and best name-part pairing with Soundex, the "
     "higher; no country or schema qualifiers; docs/screening.md lists the differences)",
     &o_algorithm},
    {"lists", 'l', CLI_STR, "L", "comma-separated lists: ofac, opensanctions, mofcom, all "
                                 "(default) or files (OFAC sdn.csv, FtM .json, MOFCOM or "
                                 "generic CSV id,name,aliases,country,list,program)",
     &o_lists},
    {"limit", 'k', CLI_INT, "K", "at most K hits per name (default 10)", &o_limit},
    {"threshold", 't', CLI_NUM, "T", "lowest score reported (default 0.80)", &o_threshold},
    {"batch", 'b', CLI_STR, "FILE", "one query per line, or a CSV with a header name[,country] "
                                    "('-' = stdin); JSON Lines out unless --format",
     &o_batch},
    {"pairs", 'p', CLI_STR, "FILE", "score each name1,name2 row of a CSV (other columns kept); "
                                    "adds score and match (score >= threshold)",
     &o_pairs},
    {"format", 'f', CLI_STR, "FMT", "table, csv or json (JSON Lines)", &o_format},
    {"data", 0, CLI_STR, "DIR", "data directory (default: $CHOKEPOINT_DATA or built-in)", &o_data},
    {"width", 0, CLI_STR, "N", "fit the table to N columns (default on a terminal: its width; "
     "explanations under their hit)", &o_width},
    {"wide", 0, CLI_FLAG, NULL, "table: every column in full, one line per hit", &o_wide},
    {"stats", 0, CLI_FLAG, NULL, "print list and index statistics to stderr", &o_stats},
    {NULL, 0, CLI_FLAG, NULL, NULL, NULL}};

static const cli_spec spec = {
    "match", "NAME [--country C] [--schema S] [--birth-date D] [--id IDS] [--algorithm A] "
             "[--lists L] [--limit K] [--threshold T] | --batch FILE | --pairs FILE",
    "fuzzy-match a name against the party lists, explained",
    "Names in any script are normalised (NFKC, case folding, transliteration to Latin),\n"
    "legal forms and generic words (LLC, OOO, GmbH, Co., Ltd., 有限公司…) do not count as\n"
    "words, but two legal forms of different kinds (AG vs GmbH) lower the score; token\n"
    "order does not matter, typos, transliteration variants, nicknames, numbers written\n"
    "as words and split or joined words are tolerated; Han and Hangul names are also\n"
    "compared character by character.  --schema, --birth-date, --id and --country\n"
    "raise or lower the score, each said in the explanation.\n"
    "Scores are in [0,1]; the default threshold 0.80 was chosen on the evaluation set\n"
    "in tests/data/match_eval.csv (docs/screening.md).  JSON rows: query, hits[{id, name,\n"
    "matched_name, list, score, explanation, program, countries, listed, type,\n"
    "identifiers, birth}].  Exit status 0 (also when nothing matched), 1 on error,\n"
    "2 on a usage error.",
    opts, 0, 1};

static void reset_opts(void)
{
    o_algorithm = o_birth = o_ids = NULL;
    o_country = o_schema = o_lists = o_batch = o_pairs = o_format = o_data = o_width = NULL;
    o_wide = 0;
    o_limit = 10;
    o_threshold = CKP_MATCH_THRESHOLD;
    o_stats = 0;
}

/* Resolve a country argument to ISO3 into buf; 0 or 1 after printing. */
static int country_iso3(const ckp_ref *ref, const char *arg, char *buf)
{
    int id;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_ref_country_arg(ref, arg, &id, &err) != CKP_OK)
        return cli_fail("match", &err);
    memcpy(buf, ckp_ref_country(ref, id)->iso3, 4);
    return 0;
}

static int run_one(ckp_matcher *m, ckp_writer *w, ckp_format fmt, const char *q,
                   const ckp_match_opts *mo, ckp_match_hit *hits, int max)
{
    int n = ckp_match(m, q, strlen(q), mo, hits, max);
    return ckp_match_write(w, fmt, q, hits, n) == CKP_OK ? 0 : 1;
}

/* Read all of path ("-" = stdin) into a malloc'd NUL-terminated buffer
 * (at most 1 GiB). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n + 1 >= cap) {
            char *nb = cap < ((size_t)1 << 30) ? realloc(b, cap * 2) : NULL;
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t r = fread(b + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    if (f != stdin)
        fclose(f);
    if (b)
        b[n] = 0;
    *len = n;
    return b;
}

/* --batch: a CSV whose header has a "name" column (and maybe "country"), or
 * else one name per line (commas are part of the name: "SALEK, ABDULHAI"). */
static int run_batch(const ckp_ref *ref, ckp_matcher *m, ckp_writer *w, ckp_format fmt,
                     ckp_match_opts *mo, ckp_match_hit *hits, int max)
{
    size_t len = 0;
    char *buf = slurp(o_batch, &len);
    if (!buf)
        return cli_failf("match", 1, "%s: cannot read", o_batch);
    ckp_csv_opts co;
    ckp_csv_opts_init(&co);
    co.encoding = CKP_CSV_AUTO;
    co.delim = ',';
    ckp_csv *csv = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    int rc = 0, cname = -1, ccountry = -1;
    if (len && ckp_csv_open_mem(buf, len, o_batch, &co, &csv, &err) == CKP_OK) {
        cname = ckp_csv_column(csv, "name");
        ccountry = ckp_csv_column(csv, "country");
    }
    char q[4096], cbuf[64], iso[4];
    if (cname < 0) { /* plain lines */
        ckp_csv_close(csv);
        for (char *p = buf; *p && !rc;) {
            char *e = strchr(p, '\n');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
            if (p == buf && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
                p += 3;
                n -= 3;
            }
            snprintf(q, sizeof q, "%.*s", (int)(n < sizeof q - 1 ? n : sizeof q - 1), p);
            mo->country = NULL;
            if (q[0])
                rc = run_one(m, w, fmt, q, mo, hits, max);
            if (!e)
                break;
            p = e + 1;
        }
        free(buf);
        return rc;
    }
    long bad = 0;
    for (;;) {
        int r = ckp_csv_next(csv, &err);
        if (r == 0)
            break;
        if (r < 0) {
            if (ckp_csv_failed(csv)) {
                rc = cli_fail("match", &err);
                break;
            }
            cli_fail("match", &err);
            bad++;
            continue;
        }
        ckp_field_copy(ckp_field_trim(ckp_csv_field(csv, (size_t)cname)), q, sizeof q);
        if (!q[0])
            continue;
        mo->country = NULL;
        if (ccountry >= 0) {
            ckp_field_copy(ckp_field_trim(ckp_csv_field(csv, (size_t)ccountry)), cbuf,
                           sizeof cbuf);
            int id;
            ckp_error cerr;
            if (cbuf[0] && ckp_ref_country_arg(ref, cbuf, &id, &cerr) == CKP_OK) {
                memcpy(iso, ckp_ref_country(ref, id)->iso3, 4);
                mo->country = iso;
            }
        }
        if (run_one(m, w, fmt, q, mo, hits, max)) {
            rc = 1;
            break;
        }
    }
    ckp_csv_close(csv);
    free(buf);
    if (bad)
        fprintf(stderr, "chokepoint: match: %ld bad rows skipped in %s\n", bad, o_batch);
    return rc;
}

/* --pairs: input columns, then score and match. */
static int run_pairs(ckp_matcher *m, ckp_format fmt, double threshold, ckp_match_algorithm algo)
{
    ckp_csv_opts co;
    ckp_csv_opts_init(&co);
    co.encoding = CKP_CSV_AUTO;
    ckp_csv *csv = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_csv_open(o_pairs, &co, &csv, &err) != CKP_OK)
        return cli_fail("match", &err);
    int c1 = ckp_csv_column(csv, "name1"), c2 = ckp_csv_column(csv, "name2");
    if (c1 < 0 || c2 < 0) {
        ckp_csv_close(csv);
        return cli_failf("match", 1, "%s: --pairs needs columns name1 and name2", o_pairs);
    }
    size_t nin = ckp_csv_header_count(csv);
    ckp_column *cols = calloc(nin + 3, sizeof *cols);
    char **names = calloc(nin + 1, sizeof *names);
    int rc = 0;
    long bad = 0;
    if (!cols || !names) {
        rc = cli_failf("match", 1, "out of memory");
        goto out_free;
    }
    for (size_t i = 0; i < nin; i++) {
        ckp_field h = ckp_csv_header_name(csv, i);
        names[i] = malloc(h.len + 1);
        if (!names[i]) {
            rc = cli_failf("match", 1, "out of memory");
            goto out_free;
        }
        ckp_field_copy(h, names[i], h.len + 1);
        cols[i] = (ckp_column){names[i], CKP_COL_STR, 0};
    }
    cols[nin] = (ckp_column){"score", CKP_COL_NUM, 3};
    cols[nin + 1] = (ckp_column){"match", CKP_COL_JSON, 0};
    cols[nin + 2] = (ckp_column){"explanation", CKP_COL_STR, 0};
    ckp_writer *w = ckp_writer_new(stdout, fmt, cols, nin + 3);
    if (!w) {
        rc = cli_failf("match", 1, "out of memory");
        goto out_free;
    }
    char expl[CKP_EXPLAIN_MAX];
    for (;;) {
        int r = ckp_csv_next(csv, &err);
        if (r == 0)
            break;
        if (r < 0) {
            if (ckp_csv_failed(csv)) {
                rc = cli_fail("match", &err);
                break;
            }
            cli_fail("match", &err);
            bad++;
            continue;
        }
        ckp_field a = ckp_csv_field(csv, (size_t)c1), b = ckp_csv_field(csv, (size_t)c2);
        double s = ckp_match_pair_algo(m, algo, a.ptr ? a.ptr : "", a.len, b.ptr ? b.ptr : "",
                                       b.len, expl, sizeof expl);
        for (size_t i = 0; i < nin; i++) {
            ckp_field f = ckp_csv_field(csv, i);
            ckp_writer_strn(w, f.ptr ? f.ptr : "", f.len);
        }
        ckp_writer_num(w, s);
        ckp_writer_json(w, s >= threshold ? "true" : "false");
        ckp_writer_str(w, expl);
        if (ckp_writer_end_row(w) != CKP_OK) {
            rc = cli_failf("match", 1, "cannot write output");
            break;
        }
    }
    if (ckp_writer_finish(w) != CKP_OK && !rc)
        rc = cli_failf("match", 1, "cannot write output");
    ckp_writer_free(w);
    if (bad)
        fprintf(stderr, "chokepoint: match: %ld bad rows skipped in %s\n", bad, o_pairs);
out_free:
    for (size_t i = 0; names && i < nin; i++)
        free(names[i]);
    free(names);
    free(cols);
    ckp_csv_close(csv);
    return rc;
}

int cmd_match(int argc, char **argv)
{
    char **args;
    int nargs;
    reset_opts();
    int r = cli_parse(&spec, argc, argv, &args, &nargs);
    if (r)
        return r == 1 ? 0 : r;
    int modes = (nargs > 0) + (o_batch != NULL) + (o_pairs != NULL);
    if (modes != 1)
        return cli_failf("match", 2, "give one of NAME, --batch FILE or --pairs FILE "
                                     "(see 'chokepoint match --help')");
    if (o_threshold < 0 || o_threshold > 1)
        return cli_failf("match", 2, "--threshold must be in [0,1]");
    if (o_limit < 1 || o_limit > 1000)
        return cli_failf("match", 2, "--limit must be 1 to 1000");
    ckp_format fmt;
    int width = 0;
    if (o_format || o_width) {
        if (cli_format("match", o_format ? o_format : "table", &fmt))
            return 2;
    } else {
        fmt = o_batch ? CKP_FMT_JSON : ckp_format_default(stdout);
    }
    if (cli_table_width("match", o_width, o_wide, &width))
        return 2;
    ckp_ref *ref = cli_load_ref("match", o_data);
    if (!ref)
        return 1;
    int rc = 0;
    char iso[4];
    ckp_lists *lists = NULL;
    ckp_index *ix = NULL;
    ckp_matcher *m = NULL;
    ckp_writer *w = NULL;
    ckp_match_hit *hits = NULL;
    ckp_list_stats st;
    memset(&st, 0, sizeof st);
    ckp_error err;
    ckp_error_clear(&err);
    ckp_match_opts mo;
    ckp_match_opts_init(&mo);
    mo.threshold = o_threshold;
    mo.limit = (int)o_limit;
    if (o_algorithm && ckp_match_algorithm_parse(o_algorithm, &mo.algorithm) != 0) {
        fprintf(stderr, "chokepoint: match: --algorithm \"%s\" is not default or ofac\n",
                o_algorithm);
        rc = 2;
        goto out_free;
    }
    if (o_birth) {
        size_t bl = strlen(o_birth);
        int ok = bl == 4 || bl == 7 || bl == 10;
        for (size_t i = 0; ok && i < bl; i++)
            ok = (i == 4 || i == 7) ? o_birth[i] == '-' : (o_birth[i] >= '0' && o_birth[i] <= '9');
        if (!ok) {
            fprintf(stderr, "chokepoint: match: --birth-date \"%s\" is not YYYY, YYYY-MM or "
                            "YYYY-MM-DD\n", o_birth);
            rc = 2;
            goto out_free;
        }
        mo.birth_date = o_birth;
    }
    mo.identifiers = o_ids;
    if (o_schema) {
        static const char *const schemas[] = {"Person", "Company", "Organization",
                                              "LegalEntity", "Vessel", "Airplane"};
        mo.schema = NULL;
        for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++)
            if (strcasecmp(o_schema, schemas[i]) == 0)
                mo.schema = schemas[i];
        if (!mo.schema) {
            fprintf(stderr, "chokepoint: match: --schema \"%s\" is not one of Person, Company, "
                            "Organization, LegalEntity, Vessel, Airplane\n", o_schema);
            rc = 2;
            goto out_free;
        }
    }
    if (o_country) {
        rc = country_iso3(ref, o_country, iso);
        if (rc)
            goto out_free;
        mo.country = iso;
    }
    if (ckp_index_load(o_lists, o_data, ref, &lists, &ix, &st, &err) != CKP_OK ||
        ckp_matcher_new(ix, &m, &err) != CKP_OK) {
        rc = cli_fail("match", &err);
        goto out_free;
    }
    if (st.bad)
        fprintf(stderr, "chokepoint: match: lists: %llu bad rows skipped (first: %s)\n",
                (unsigned long long)st.bad, st.first_bad);
    if (o_stats) {
        ckp_index_stats is = ckp_index_get_stats(ix);
        fprintf(stderr,
                "match: lists: %llu rows, %llu parties, %llu names, %llu unjoined alt/add "
                "rows, %llu skipped, %llu deleted; index: %zu parties, %zu names, %zu tokens, "
                "%zu variants, built in %.1f ms\n",
                (unsigned long long)st.rows, (unsigned long long)st.parties,
                (unsigned long long)st.names, (unsigned long long)st.unjoined,
                (unsigned long long)st.skipped, (unsigned long long)st.deleted, is.parties,
                is.names, is.tokens, is.variants, is.build_ms);
    }
    if (o_pairs) {
        rc = run_pairs(m, fmt, o_threshold, mo.algorithm);
        goto out_free;
    }
    hits = malloc((size_t)o_limit * sizeof *hits);
    size_t ncols;
    const ckp_column *cols = ckp_match_columns(fmt, &ncols);
    w = hits ? ckp_writer_new(stdout, fmt, cols, ncols) : NULL;
    if (!w) {
        rc = cli_failf("match", 1, "out of memory");
        goto out_free;
    }
    ckp_writer_fit(w, width);
    ckp_writer_hint(w, "rank name list score", "explanation");
    if (o_batch)
        rc = run_batch(ref, m, w, fmt, &mo, hits, (int)o_limit);
    else
        rc = run_one(m, w, fmt, args[0], &mo, hits, (int)o_limit);
    if (ckp_writer_finish(w) != CKP_OK && !rc)
        rc = cli_failf("match", 1, "cannot write output");
out_free:
    ckp_writer_free(w);
    free(hits);
    ckp_matcher_free(m);
    ckp_index_free(ix);
    ckp_lists_free(lists);
    ckp_ref_free(ref);
    return rc;
}

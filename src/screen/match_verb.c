/* match_verb.c — the `match` verb (verb.h): fuzzy-match names against the
 * party lists, every hit explained.  Three modes: one NAME (or ?name= over
 * HTTP), --batch FILE (one query per line, or a CSV name[,country]) and
 * --pairs FILE (score each name1,name2 row of a CSV, its columns kept).
 *
 * The shipped lists and their index are the env's (ckp_index_from_env),
 * loaded once and shared; so are idle matchers (an env slot), as
 * the server answers many names.  --lists other than "all" loads its own. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chokepoint/csv.h"
#include "chokepoint/match.h"
#include "chokepoint/verb.h"

#define MATCH_LIMIT_MAX 1000
#define POOL_MAX 16

static const ckp_param params[] = {
    {"name", CKP_PARAM_STR, "NAME", "the name to match (the same as the argument NAME)", 0, 1},
    {"country", CKP_PARAM_STR, "C", "country of the name (ISO3 or any name): agreement raises "
     "the score, disagreement lowers it", 0, 1},
    {"schema", CKP_PARAM_STR, "Person|Company|Organization|LegalEntity|Vessel|Airplane",
     "what the name is (FollowTheMoney schema): a person matched against an organisation "
     "(or the reverse, or a legal entity against a vessel) needs more evidence (x0.85); a "
     "name with a legal form is a Company", 0, 1},
    {"birth-date", CKP_PARAM_STR, "DATE", "date of birth of the person (YYYY, YYYY-MM or "
     "YYYY-MM-DD): the same date or year as the entry's raises the score, another year "
     "lowers it", 0, 1},
    {"id", CKP_PARAM_STR, "IDS", "identifiers of the name (passport, tax number, IMO, LEI…), "
     "';'-joined: one equal to the entry's raises the score", 0, 1},
    {"algorithm", CKP_PARAM_STR, "default|ofac",
     "default: the explained token matcher; ofac: OFAC Sanctions List Search's published "
     "scoring (Jaro-Winkler on the whole name and best name-part pairing with Soundex, the "
     "higher; no country or schema qualifiers; docs/screening.md lists the differences)", 0, 1},
    {"lists", CKP_PARAM_STR, "L", "comma-separated lists: ofac, opensanctions, mofcom, all "
     "(default) or files (OFAC sdn.csv, FtM .json, MOFCOM or generic CSV "
     "id,name,aliases,country,list,program); not over HTTP", 0, 0},
    {"limit", CKP_PARAM_INT, "K", "at most K hits per name (default 10)", 0, 1},
    {"threshold", CKP_PARAM_NUM, "T", "lowest score reported (default 0.80)", 0, 1},
    {"batch", CKP_PARAM_STR, "FILE", "one query per line, or a CSV with a header name[,country] "
     "('-' = stdin); JSON Lines out unless --format", 0, 0},
    {"pairs", CKP_PARAM_STR, "FILE", "score each name1,name2 row of a CSV (other columns kept); "
     "adds score and match (score >= threshold)", 0, 0},
    {"stats", CKP_PARAM_FLAG, NULL, "print list and index statistics to stderr", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

/* ---- idle matchers over the env's index ------------------------------------ */

typedef struct matcher_pool {
    pthread_mutex_t lock;
    ckp_matcher *idle[POOL_MAX];
    int n;
} matcher_pool;

static ckp_status pool_load(ckp_env *env, void **ptr, ckp_error *err)
{
    matcher_pool *p = calloc(1, sizeof *p);
    if (!p)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    pthread_mutex_init(&p->lock, NULL);
    *ptr = p;
    return CKP_OK;
}

static void pool_free(void *ptr)
{
    matcher_pool *p = ptr;
    if (!p)
        return;
    for (int i = 0; i < p->n; i++)
        ckp_matcher_free(p->idle[i]);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* The env slot of the idle matchers over the shipped lists' index. */
static const ckp_env_slot_def pool_slot = {"matchers", pool_load, pool_free, 0};

/* A matcher over ix: an idle one of pool (when not NULL), else a new one. */
static ckp_status matcher_take(matcher_pool *pool, const ckp_index *ix, ckp_matcher **m,
                               ckp_error *err)
{
    *m = NULL;
    if (pool) {
        pthread_mutex_lock(&pool->lock);
        if (pool->n > 0)
            *m = pool->idle[--pool->n];
        pthread_mutex_unlock(&pool->lock);
    }
    return *m ? CKP_OK : ckp_matcher_new(ix, m, err);
}

static void matcher_give(matcher_pool *pool, ckp_matcher *m)
{
    if (pool && m) {
        pthread_mutex_lock(&pool->lock);
        if (pool->n < POOL_MAX) {
            pool->idle[pool->n++] = m;
            m = NULL;
        }
        pthread_mutex_unlock(&pool->lock);
    }
    ckp_matcher_free(m);
}

/* ---- the plan: options checked, columns chosen -------------------------- */

/* What the plan hands on to run. */
typedef struct match_state {
    ckp_match_opts mo;
    char iso[4];
    ckp_csv *pairs;     /* --pairs: the input, its header read */
    ckp_column *cols;   /* --pairs: the input's columns, then score, match, explanation */
    char **names;       /* --pairs: the input's column names */
    size_t nin;
} match_state;

static void state_free(void *p)
{
    match_state *st = p;
    if (!st)
        return;
    for (size_t i = 0; st->names && i < st->nin; i++)
        free(st->names[i]);
    free(st->names);
    free(st->cols);
    ckp_csv_close(st->pairs);
    free(st);
}

static ckp_status check_birth(const char *b, ckp_error *err)
{
    size_t n = strlen(b);
    int ok = n == 4 || n == 7 || n == 10;
    for (size_t i = 0; ok && i < n; i++)
        ok = (i == 4 || i == 7) ? b[i] == '-' : (b[i] >= '0' && b[i] <= '9');
    return ok ? CKP_OK
              : ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                              "--birth-date \"%s\" is not YYYY, YYYY-MM or YYYY-MM-DD", b);
}

static ckp_status check_schema(const char *s, const char **out, ckp_error *err)
{
    static const char *const schemas[] = {"Person",      "Company", "Organization",
                                          "LegalEntity", "Vessel",  "Airplane"};
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++)
        if (strcasecmp(s, schemas[i]) == 0) {
            *out = schemas[i];
            return CKP_OK;
        }
    return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                         "--schema \"%s\" is not one of Person, Company, Organization, "
                         "LegalEntity, Vessel, Airplane", s);
}

/* The matching options of args into st->mo. */
static ckp_status read_opts(const ckp_ref *ref, const ckp_args *args, match_state *st,
                            ckp_error *err)
{
    ckp_match_opts *mo = &st->mo;
    long limit;
    double thr;
    const char *v;
    ckp_match_opts_init(mo);
    ckp_status rc = ckp_args_int(args, "limit", 10, &limit, err);
    if (rc == CKP_OK)
        rc = ckp_args_num(args, "threshold", CKP_MATCH_THRESHOLD, &thr, err);
    if (rc != CKP_OK)
        return rc;
    if (!(thr >= 0 && thr <= 1))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--threshold must be in [0,1]");
    if (limit < 1 || limit > MATCH_LIMIT_MAX)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--limit must be 1 to %d",
                             MATCH_LIMIT_MAX);
    mo->threshold = thr;
    mo->limit = (int)limit;
    v = ckp_args_get(args, "algorithm");
    if (v && ckp_match_algorithm_parse(v, &mo->algorithm))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--algorithm \"%s\" is not default or ofac", v);
    mo->birth_date = ckp_args_get(args, "birth-date");
    if (mo->birth_date && check_birth(mo->birth_date, err) != CKP_OK)
        return err->code;
    mo->identifiers = ckp_args_get(args, "id");
    v = ckp_args_get(args, "schema");
    if (v && check_schema(v, &mo->schema, err) != CKP_OK)
        return err->code;
    v = ckp_args_get(args, "country");
    if (v) {
        int id;
        rc = ckp_ref_country_arg(ref, v, &id, err);
        if (rc != CKP_OK)
            return rc;
        memcpy(st->iso, ckp_ref_country(ref, id)->iso3, 4);
        mo->country = st->iso;
    }
    return CKP_OK;
}

/* --pairs: open the input and make its columns, then score, match and
 * explanation. */
static ckp_status open_pairs(const char *path, match_state *st, ckp_error *err)
{
    ckp_csv_opts co;
    ckp_csv_opts_init(&co);
    co.encoding = CKP_CSV_AUTO;
    ckp_status rc = ckp_csv_open(path, &co, &st->pairs, err);
    if (rc != CKP_OK)
        return rc;
    if (ckp_csv_column(st->pairs, "name1") < 0 || ckp_csv_column(st->pairs, "name2") < 0)
        return ckp_error_set(err, CKP_EPARSE, NULL, 0, 0,
                             "%s: --pairs needs columns name1 and name2", path);
    size_t nin = ckp_csv_header_count(st->pairs);
    st->cols = calloc(nin + 3, sizeof *st->cols);
    st->names = calloc(nin + 1, sizeof *st->names);
    if (!st->cols || !st->names)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < nin; i++, st->nin++) {
        ckp_field h = ckp_csv_header_name(st->pairs, i);
        st->names[i] = malloc(h.len + 1);
        if (!st->names[i])
            return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        ckp_field_copy(h, st->names[i], h.len + 1);
        st->cols[i] = (ckp_column){st->names[i], CKP_COL_STR, 0};
    }
    st->cols[nin] = (ckp_column){"score", CKP_COL_NUM, 3};
    st->cols[nin + 1] = (ckp_column){"match", CKP_COL_JSON, 0};
    st->cols[nin + 2] = (ckp_column){"explanation", CKP_COL_STR, 0};
    return CKP_OK;
}

static ckp_status plan(ckp_env *env, const ckp_args *args, ckp_verb_plan *pl, ckp_error *err)
{
    const char *batch = ckp_args_get(args, "batch"), *pairs = ckp_args_get(args, "pairs");
    int modes = (ckp_args_npos(args) > 0) + (ckp_args_get(args, "name") != NULL) +
                (batch != NULL) + (pairs != NULL);
    if (modes != 1)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "give one of NAME, --batch FILE or --pairs FILE");
    match_state *st = calloc(1, sizeof *st);
    if (!st)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ckp_status rc = read_opts(ckp_env_ref(env), args, st, err);
    if (rc == CKP_OK && pairs)
        rc = open_pairs(pairs, st, err);
    if (rc != CKP_OK) {
        state_free(st);
        return rc;
    }
    if (batch && !pl->format_given)
        pl->format = CKP_FMT_JSON;
    if (pairs) {
        pl->columns = st->cols;
        pl->ncolumns = st->nin + 3;
    } else {
        pl->columns = ckp_match_columns(pl->format, &pl->ncolumns);
    }
    pl->state = st;
    pl->free_state = state_free;
    return CKP_OK;
}

/* ---- run ------------------------------------------------------------------ */

/* One query's hits as rows. */
static ckp_status match_one(ckp_matcher *m, ckp_writer *w, const char *q,
                            const ckp_match_opts *mo, ckp_match_hit *hits, ckp_error *err)
{
    int n = ckp_match(m, q, strlen(q), mo, hits, mo->limit);
    if (ckp_match_write(w, ckp_writer_format(w), q, hits, n) != CKP_OK)
        return ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write output");
    return CKP_OK;
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

/* --batch without a "name" column: one name per line (commas are part of
 * the name: "SALEK, ABDULHAI"). */
static ckp_status batch_lines(ckp_matcher *m, ckp_writer *w, char *buf, ckp_match_opts *mo,
                              ckp_match_hit *hits, ckp_error *err)
{
    char q[4096];
    ckp_status rc = CKP_OK;
    mo->country = NULL;
    for (char *p = buf; *p && rc == CKP_OK;) {
        char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (p == buf && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
            n -= 3;
        }
        snprintf(q, sizeof q, "%.*s", (int)(n < sizeof q - 1 ? n : sizeof q - 1), p);
        if (q[0])
            rc = match_one(m, w, q, mo, hits, err);
        if (!e)
            break;
        p = e + 1;
    }
    return rc;
}

/* The next good row of csv: 1, 0 at the end, or an error status (the
 * input unreadable).  A bad row is said on stderr and counted in *bad. */
static int next_row(ckp_csv *csv, long *bad, ckp_status *rc, ckp_error *err)
{
    for (;;) {
        ckp_error rowerr;
        ckp_error_clear(&rowerr);
        int r = ckp_csv_next(csv, &rowerr);
        if (r >= 0)
            return r;
        if (ckp_csv_failed(csv)) {
            *err = rowerr;
            *rc = rowerr.code;
            return 0;
        }
        char msg[1024];
        fprintf(stderr, "chokepoint: match: %s\n", ckp_error_format(&rowerr, msg, sizeof msg));
        (*bad)++;
    }
}

/* --batch with a CSV header name[,country]. */
static ckp_status batch_csv(const ckp_ref *ref, ckp_matcher *m, ckp_writer *w, ckp_csv *csv,
                            const char *path, ckp_match_opts *mo, ckp_match_hit *hits,
                            ckp_error *err)
{
    int cname = ckp_csv_column(csv, "name"), ccountry = ckp_csv_column(csv, "country");
    char q[4096], cbuf[64], iso[4];
    long bad = 0;
    ckp_status rc = CKP_OK;
    while (next_row(csv, &bad, &rc, err) == 1) {
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
        rc = match_one(m, w, q, mo, hits, err);
        if (rc != CKP_OK)
            break;
    }
    if (bad)
        fprintf(stderr, "chokepoint: match: %ld bad rows skipped in %s\n", bad, path);
    return rc;
}

/* --batch: a CSV whose header has a "name" column (and maybe "country"), or
 * else one name per line. */
static ckp_status run_batch(const ckp_ref *ref, ckp_matcher *m, ckp_writer *w, const char *path,
                            ckp_match_opts *mo, ckp_match_hit *hits, ckp_error *err)
{
    size_t len = 0;
    char *buf = slurp(path, &len);
    if (!buf)
        return ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot read");
    ckp_csv_opts co;
    ckp_csv_opts_init(&co);
    co.encoding = CKP_CSV_AUTO;
    co.delim = ',';
    ckp_csv *csv = NULL;
    ckp_error ignored;
    ckp_status rc;
    if (len && ckp_csv_open_mem(buf, len, path, &co, &csv, &ignored) == CKP_OK &&
        ckp_csv_column(csv, "name") >= 0)
        rc = batch_csv(ref, m, w, csv, path, mo, hits, err);
    else
        rc = batch_lines(m, w, buf, mo, hits, err);
    ckp_csv_close(csv);
    free(buf);
    return rc;
}

/* --pairs: the input's cells, then score, match and explanation. */
static ckp_status run_pairs(ckp_matcher *m, ckp_writer *w, match_state *st, const char *path,
                            ckp_error *err)
{
    ckp_csv *csv = st->pairs;
    int c1 = ckp_csv_column(csv, "name1"), c2 = ckp_csv_column(csv, "name2");
    char expl[CKP_EXPLAIN_MAX];
    long bad = 0;
    ckp_status rc = CKP_OK;
    while (next_row(csv, &bad, &rc, err) == 1) {
        ckp_field a = ckp_csv_field(csv, (size_t)c1), b = ckp_csv_field(csv, (size_t)c2);
        double s = ckp_match_pair_algo(m, st->mo.algorithm, a.ptr ? a.ptr : "", a.len,
                                       b.ptr ? b.ptr : "", b.len, expl, sizeof expl);
        for (size_t i = 0; i < st->nin; i++) {
            ckp_field f = ckp_csv_field(csv, i);
            ckp_writer_strn(w, f.ptr ? f.ptr : "", f.len);
        }
        ckp_writer_num(w, s);
        ckp_writer_json(w, s >= st->mo.threshold ? "true" : "false");
        ckp_writer_str(w, expl);
        if (ckp_writer_end_row(w) != CKP_OK) {
            rc = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot write output");
            break;
        }
    }
    if (bad)
        fprintf(stderr, "chokepoint: match: %ld bad rows skipped in %s\n", bad, path);
    return rc;
}

static void print_stats(const ckp_index *ix, const ckp_list_stats *st)
{
    ckp_index_stats is = ckp_index_get_stats(ix);
    if (!st) {
        fprintf(stderr, "match: index: %zu parties, %zu names, %zu tokens, %zu variants, "
                        "built in %.1f ms\n",
                is.parties, is.names, is.tokens, is.variants, is.build_ms);
        return;
    }
    fprintf(stderr,
            "match: lists: %llu rows, %llu parties, %llu names, %llu unjoined alt/add "
            "rows, %llu skipped, %llu deleted; index: %zu parties, %zu names, %zu tokens, "
            "%zu variants, built in %.1f ms\n",
            (unsigned long long)st->rows, (unsigned long long)st->parties,
            (unsigned long long)st->names, (unsigned long long)st->unjoined,
            (unsigned long long)st->skipped, (unsigned long long)st->deleted, is.parties,
            is.names, is.tokens, is.variants, is.build_ms);
}

/* The index to match against: the env's shared one (lists all or none
 * given; *pool its idle matchers), else one of our own (*lists, *own). */
static ckp_status find_index(ckp_env *env, const ckp_args *args, const ckp_index **ix,
                             matcher_pool **pool, ckp_lists **lists, ckp_index **own,
                             ckp_error *err)
{
    const char *spec = ckp_args_get(args, "lists");
    ckp_list_stats ls;
    memset(&ls, 0, sizeof ls);
    *pool = NULL;
    if (!spec || strcmp(spec, "all") == 0) {
        void *p = NULL;
        ckp_status rc = ckp_index_from_env(env, ix, err);
        if (rc == CKP_OK)
            rc = ckp_env_slot(env, &pool_slot, &p, err);
        *pool = p;
        if (rc == CKP_OK && ckp_args_flag(args, "stats"))
            print_stats(*ix, NULL);
        return rc;
    }
    ckp_status rc = ckp_index_load(spec, ckp_env_data_dir(env), ckp_env_ref(env), lists, own, &ls, err);
    if (rc != CKP_OK)
        return rc;
    *ix = *own;
    if (ls.bad)
        fprintf(stderr, "chokepoint: match: lists: %llu bad rows skipped (first: %s)\n",
                (unsigned long long)ls.bad, ls.first_bad);
    if (ckp_args_flag(args, "stats"))
        print_stats(*ix, &ls);
    return CKP_OK;
}

static ckp_status run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                      size_t summary_len, ckp_error *err)
{
    match_state *st = ckp_verb_state(w);
    if (!st)
        return ckp_error_set(err, CKP_ESTATE, NULL, 0, 0, "match: run without its plan");
    const ckp_index *ix = NULL;
    matcher_pool *pool = NULL;
    ckp_lists *lists = NULL;
    ckp_index *own = NULL;
    ckp_matcher *m = NULL;
    ckp_match_hit *hits = NULL;
    ckp_status rc = find_index(env, args, &ix, &pool, &lists, &own, err);
    if (rc == CKP_OK)
        rc = matcher_take(pool, ix, &m, err);
    if (rc != CKP_OK)
        goto out;
    const char *batch = ckp_args_get(args, "batch"), *pairs = ckp_args_get(args, "pairs");
    if (pairs) {
        rc = run_pairs(m, w, st, pairs, err);
        goto out;
    }
    hits = malloc((size_t)st->mo.limit * sizeof *hits);
    if (!hits) {
        rc = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    ckp_writer_hint(w, "rank name list score", "explanation");
    if (batch) {
        rc = run_batch(ckp_env_ref(env), m, w, batch, &st->mo, hits, err);
    } else {
        const char *q = ckp_args_npos(args) ? ckp_args_pos(args, 0) : ckp_args_get(args, "name");
        if (!*q || strlen(q) > 4096)
            rc = ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                               "the name to match must be 1-4096 bytes");
        else
            rc = match_one(m, w, q, &st->mo, hits, err);
    }
out:
    free(hits);
    matcher_give(pool, m);
    ckp_index_free(own);
    ckp_lists_free(lists);
    return rc;
}

CKP_VERB_DEFINE(match, 140, 0) = {
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
    params, 0, 1, NULL, 0, run, plan,
    "c:country s:schema a:algorithm l:lists k:limit t:threshold b:batch p:pairs f:format",
    CKP_VERB_NO_STORE};

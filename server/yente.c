/* yente.c — OpenSanctions yente's HTTP API beside the /api endpoints (see server.h and
 * docs/server.md, "The yente-compatible API"), so that a client written for
 * yente (nomenklatura, the OpenSanctions examples, in-house scripts) screens
 * against chokepoint's lists and matcher unchanged:
 *
 *   POST /match/{dataset}   {"queries": {"q1": {"schema", "properties"}}} →
 *                           {"responses": {"q1": {"status", "results",
 *                           "total", "query"}}, "matcher", "limit"}
 *   GET  /search/{dataset}?q=…    entities whose names match q
 *   GET  /entities/{id}           one listed entity
 *   GET  /catalog                 the loaded lists as yente's datasets
 *   GET  /algorithms              the scoring algorithms
 *   GET  /healthz, /readyz        liveness; readiness (the lists loaded)
 *
 * A "dataset" is a loaded list: ofac-sdn, opensanctions, mofcom (and
 * "default", every list).  Scores come from the matcher through its public
 * API (match.h): this file maps yente's request onto ckp_match and the hits
 * back onto yente's entity shape; it does not score.  Errors carry both
 * chokepoint's "error" and yente's "detail".  Everything a query asks for
 * that is not used is said in the answer ("unused"), never dropped quietly. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "chokepoint/output.h"
#include "core/vec.h"
#include "query.h"
#include "server.h"

#define YE_JSON "application/json; charset=utf-8"
#define YE_MAX_BATCH 100      /* queries in one POST /match (yente: MAX_BATCH) */
#define YE_MAX_VALUES 20      /* values of one property of a query */
#define YE_MAX_VALUE_BYTES 1000 /* bytes of one property value */
#define YE_MAX_PROPS 50       /* properties of one query */
#define YE_MAX_EXCLUDE 50     /* exclude_entity_ids (yente: max_length=50) */
#define YE_MAX_LIMIT 500      /* results per query (yente: MAX_MATCHES) */
#define YE_DEFAULT_LIMIT 5    /* yente: MATCH_PAGE */
#define YE_SEARCH_FLOOR 0.6   /* GET /search: names scoring below are not found */
#define YE_HITS 200           /* candidates asked of the matcher per name */
#define YE_BEST_MAX 100000    /* distinct parties kept for one query */

/* ---- answers ---------------------------------------------------------------- */

static void ye_json(srv_response *rs, int status, json_t *doc)
{
    char *text = doc ? ckp_json_dumps(doc, 0) : NULL;
    json_decref(doc);
    memset(rs, 0, sizeof *rs);
    if (!text) {
        static const char oom[] = "{\"error\":\"out of memory\",\"detail\":\"out of memory\"}\n";
        rs->status = 500;
        rs->content_type = YE_JSON;
        rs->body = (char *)oom;
        rs->len = sizeof oom - 1;
        rs->body_static = 1;
        return;
    }
    rs->status = status;
    rs->content_type = YE_JSON;
    rs->body = text;
    rs->len = strlen(text);
}

/* {"error": msg, "detail": msg}: chokepoint's error field and yente's. */
static void ye_fail(srv_response *rs, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ye_fail(srv_response *rs, int status, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* the message may quote client bytes: keep it valid UTF-8 for jansson */
    json_t *m = json_string(msg);
    if (!m)
        m = json_string("bad request (the message quoted bytes that are not UTF-8)");
    json_t *doc = json_object();
    if (doc && m) {
        json_object_set(doc, "error", m);
        json_object_set(doc, "detail", m);
    }
    json_decref(m);
    ye_json(rs, status, doc);
}

/* ---- datasets ------------------------------------------------------------- */

static const char *const ye_datasets[] = {"ofac-sdn", "opensanctions", "mofcom"};
#define YE_NDATASETS 3

/* The dataset a party belongs to (index into ye_datasets), or -1 for a list
 * none of them names (a user CSV). */
static int ye_dataset_of(const ckp_party *p)
{
    if (strcmp(p->list, "OFAC-SDN") == 0)
        return 0;
    if (strcmp(p->list, "OpenSanctions") == 0)
        return 1;
    if (strncmp(p->list, "MOFCOM", 6) == 0)
        return 2;
    return -1;
}

/* "default" → mask of every dataset; a dataset name → its bit; else 0. */
static unsigned ye_dataset_mask(const char *name)
{
    if (strcmp(name, "default") == 0)
        return (1u << YE_NDATASETS) - 1;
    for (int i = 0; i < YE_NDATASETS; i++)
        if (strcmp(name, ye_datasets[i]) == 0)
            return 1u << i;
    return 0;
}

/* The FtM schema of a party: FtM parties keep theirs; OFAC's types
 * (individual, entity, vessel, aircraft) and MOFCOM's (企业 company,
 * 机构/单位 organisation) are mapped; anything else is a LegalEntity. */
static const char *ye_schema_of(const ckp_party *p)
{
    static const char *const ftm[] = {"Person", "Organization", "Company", "LegalEntity",
                                      "PublicBody", "Vessel", "Airplane"};
    for (size_t i = 0; i < sizeof ftm / sizeof ftm[0]; i++)
        if (strcmp(p->type, ftm[i]) == 0)
            return ftm[i];
    if (strcmp(p->type, "individual") == 0 || strcmp(p->type, "个人") == 0)
        return "Person";
    if (strcmp(p->type, "vessel") == 0)
        return "Vessel";
    if (strcmp(p->type, "aircraft") == 0)
        return "Airplane";
    if (strcmp(p->type, "entity") == 0) /* OFAC: any SDN that is not a person or craft */
        return "Organization";
    if (strcmp(p->type, "企业") == 0)
        return "Company";
    if (strcmp(p->type, "机构/单位") == 0)
        return "Organization";
    return "LegalEntity";
}

/* Query schemas taken, and which result schemas each may match (yente's
 * matchable schemata: a Person is matched against Persons and LegalEntities,
 * an Organization against organisations, a LegalEntity against all of these,
 * a Thing against everything). */
static int ye_schema_known(const char *q)
{
    static const char *const ok[] = {"Thing", "LegalEntity", "Person", "Organization",
                                     "Company", "PublicBody", "Vessel", "Airplane"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(q, ok[i]) == 0)
            return 1;
    return 0;
}

static int ye_is_org(const char *s)
{
    return strcmp(s, "Organization") == 0 || strcmp(s, "Company") == 0 ||
           strcmp(s, "PublicBody") == 0;
}

static int ye_schema_matches(const char *q, const char *r)
{
    if (strcmp(q, "Thing") == 0 || strcmp(q, r) == 0)
        return 1;
    if (strcmp(q, "LegalEntity") == 0)
        return strcmp(r, "Person") == 0 || ye_is_org(r);
    if (strcmp(r, "LegalEntity") == 0)
        return strcmp(q, "Person") == 0 || ye_is_org(q);
    return ye_is_org(q) && ye_is_org(r);
}

/* ---- entities in yente's shape ---------------------------------------------- */

/* Append s to array arr unless already there. */
static void ye_push_unique(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (strcmp(json_string_value(v), s) == 0)
            return;
    }
    json_array_append_new(arr, json_string(s));
}

/* Split a ';'-joined field into the array (trimmed, empty parts skipped). */
static void ye_push_split(json_t *arr, const char *field)
{
    const char *p = field;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n > 0) {
            json_t *v = json_stringn(p, n);
            if (v)
                json_array_append_new(arr, v);
        }
        p += n;
        while (*p && *p != ';')
            p++;
    }
}

/* The party as yente's EntityResponse: id, caption, schema, properties
 * (name, alias, weakAlias, country as lower-case ISO 2 codes like FtM's,
 * notes = the identifiers as the list writes them), datasets, referents,
 * target; plus chokepoint's "list" and "program". */
static json_t *ye_entity(const srv *s, const ckp_party *p)
{
    size_t pi = (size_t)(p - ckp_lists_party(s->lists, 0));
    json_t *e = json_object();
    json_t *props = json_object();
    json_t *names = json_array(), *alias = json_array(), *weak = json_array();
    json_t *country = json_array(), *notes = json_array();
    json_t *ds = json_array();
    if (!e || !props || !names || !alias || !weak || !country || !notes || !ds) {
        json_decref(e);
        json_decref(props);
        json_decref(names);
        json_decref(alias);
        json_decref(weak);
        json_decref(country);
        json_decref(notes);
        json_decref(ds);
        return NULL;
    }
    const ckp_lists *l = s->lists;
    /* names of the party, through the by-party table (ye_names_by_party) */
    json_array_append_new(names, json_string(p->name));
    for (uint32_t j = s->ye_name_start[pi]; j < s->ye_name_start[pi + 1]; j++) {
        const ckp_party_name *n = ckp_lists_name(l, s->ye_name_idx[j]);
        if (n->role == CKP_NAME_WEAK)
            ye_push_unique(weak, n->name);
        else if (strcmp(n->name, p->name) != 0)
            ye_push_unique(alias, n->name);
    }
    const char *c = p->countries;
    while (*c) {
        char iso3[4] = "";
        size_t k = 0;
        while (c[k] && c[k] != ';' && k < 3) {
            iso3[k] = c[k];
            k++;
        }
        iso3[k] = 0;
        int id = ckp_ref_country_by_iso3(s->ref, iso3);
        const ckp_country *cc = id >= 0 ? ckp_ref_country(s->ref, id) : NULL;
        char code[4];
        const char *src = cc && cc->iso2[0] ? cc->iso2 : iso3;
        size_t j = 0;
        for (; src[j] && j < 3; j++)
            code[j] = (char)(src[j] >= 'A' && src[j] <= 'Z' ? src[j] + 32 : src[j]);
        code[j] = 0;
        if (code[0])
            ye_push_unique(country, code);
        c += k;
        while (*c && *c != ';')
            c++;
        while (*c == ';')
            c++;
    }
    ye_push_split(notes, p->identifiers);
    json_object_set_new(props, "name", names);
    if (json_array_size(alias))
        json_object_set_new(props, "alias", alias);
    else
        json_decref(alias);
    if (json_array_size(weak))
        json_object_set_new(props, "weakAlias", weak);
    else
        json_decref(weak);
    if (json_array_size(country))
        json_object_set_new(props, "country", country);
    else
        json_decref(country);
    if (json_array_size(notes))
        json_object_set_new(props, "notes", notes);
    else
        json_decref(notes);
    int d = ye_dataset_of(p);
    json_array_append_new(ds, json_string(d >= 0 ? ye_datasets[d] : p->list));
    json_object_set_new(e, "id", json_string(p->id));
    json_object_set_new(e, "caption", json_string(p->name));
    json_object_set_new(e, "schema", json_string(ye_schema_of(p)));
    json_object_set_new(e, "properties", props);
    json_object_set_new(e, "datasets", ds);
    json_t *refs = json_array();
    if (refs)
        ye_push_split(refs, p->referents);
    json_object_set_new(e, "referents", refs ? refs : json_array());
    json_object_set_new(e, "target", json_true());
    json_object_set_new(e, "list", json_string(p->list));
    json_object_set_new(e, "program", json_string(p->program));
    if (p->listed[0])
        json_object_set_new(e, "first_seen", json_string(p->listed));
    return e;
}

/* ---- query parameters --------------------------------------------------------- */

typedef struct ye_filter {
    unsigned datasets;            /* mask of datasets answered */
    const char *exclude_ids[YE_MAX_EXCLUDE];
    int nexclude;
    const char *schema;           /* GET /search: only this schema ("" = any) */
    int countries[16];            /* GET /search: only parties of these */
    int ncountries;
} ye_filter;

/* The dataset in the path, narrowed by include_dataset (each one given)
 * and exclude_dataset.  Returns 0 or fails rs. */
static int ye_datasets_param(const srv_request *rq, const char *path_ds, ye_filter *f,
                             srv_response *rs)
{
    f->datasets = ye_dataset_mask(path_ds);
    if (!f->datasets) {
        ye_fail(rs, 404, "no dataset '%.60s' (GET /catalog lists them: default, ofac-sdn, "
                         "opensanctions, mofcom)", path_ds);
        return -1;
    }
    unsigned include = 0;
    int have_include = 0;
    for (int i = 0; i < rq->nquery; i++) {
        const char *k = rq->query[i].key, *v = rq->query[i].value;
        int inc = strcmp(k, "include_dataset") == 0;
        if (!inc && strcmp(k, "exclude_dataset") != 0)
            continue;
        unsigned m = ye_dataset_mask(v);
        if (!m || strcmp(v, "default") == 0) {
            ye_fail(rs, 400, "%s: no dataset '%.60s' (ofac-sdn, opensanctions, mofcom)", k, v);
            return -1;
        }
        if (inc) {
            include |= m;
            have_include = 1;
        } else {
            f->datasets &= ~m;
        }
    }
    if (have_include)
        f->datasets &= include;
    return 0;
}

static int ye_number(const srv_request *rq, const char *key, double lo, double hi, double *v,
                     srv_response *rs)
{
    const char *t = NULL;
    for (int i = 0; i < rq->nquery; i++)
        if (strcmp(rq->query[i].key, key) == 0) {
            if (t) {
                ye_fail(rs, 400, "%s is given twice", key);
                return -1;
            }
            t = rq->query[i].value;
        }
    if (t && srv_parse_num(t, lo, hi, v)) {
        ye_fail(rs, 400, "%s must be a number from %g to %g (got '%.40s')", key, lo, hi, t);
        return -1;
    }
    return 0;
}

static const char *ye_param(const srv_request *rq, const char *key)
{
    for (int i = 0; i < rq->nquery; i++)
        if (strcmp(rq->query[i].key, key) == 0)
            return rq->query[i].value;
    return NULL;
}

/* Every parameter must be one the endpoint takes. */
static int ye_check_keys(const srv_request *rq, const char *const *allowed, const char *what,
                         srv_response *rs)
{
    const char *bad = srv_query_unknown(rq, allowed);
    if (bad)
        ye_fail(rs, 400, "%s: parameter '%.60s' is not supported (docs/server.md lists "
                         "the supported ones)", what, bad);
    return bad ? -1 : 0;
}

/* 1 when id is one of the party's referents (the ids merged into it). */
static int ye_is_referent(const ckp_party *p, const char *id)
{
    size_t n = strlen(id);
    for (const char *r = p->referents; n && *r;) {
        const char *e = strchr(r, ';');
        size_t k = e ? (size_t)(e - r) : strlen(r);
        if (k == n && memcmp(r, id, n) == 0)
            return 1;
        r += k;
        while (*r == ';' || *r == ' ')
            r++;
    }
    return 0;
}

/* Excluded by id, or by the id of one of its referents (as yente does). */
static int ye_excluded(const ye_filter *f, const ckp_party *p)
{
    for (int i = 0; i < f->nexclude; i++)
        if (strcmp(f->exclude_ids[i], p->id) == 0 || ye_is_referent(p, f->exclude_ids[i]))
            return 1;
    return 0;
}

/* ---- matching --------------------------------------------------------------- */

/* The best hit per party over every name × country of one query. */
typedef struct ye_best {
    const ckp_party *party;
    double score;
    const char *query_name; /* the query's name that scored best */
    char matched_name[400];
    char explanation[CKP_EXPLAIN_MAX];
} ye_best;

typedef struct ye_acc {
    ye_best *v;
    size_t n, cap;
    int capped; /* some ckp_match call filled all YE_HITS: more may exist */
} ye_acc;

static int ye_acc_add(ye_acc *a, const ckp_match_hit *h, const char *qname)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i].party != h->party)
            continue;
        if (h->score <= a->v[i].score)
            return 0;
        a->v[i].score = h->score;
        a->v[i].query_name = qname;
        snprintf(a->v[i].matched_name, sizeof a->v[i].matched_name, "%s", h->matched_name);
        snprintf(a->v[i].explanation, sizeof a->v[i].explanation, "%s", h->explanation);
        return 0;
    }
    if (CKP_ARRAY_RESERVE(a->v, a->cap, a->n + 1, YE_BEST_MAX, "matches", NULL) != CKP_OK)
        return -1;
    ye_best *b = &a->v[a->n++];
    b->party = h->party;
    b->score = h->score;
    b->query_name = qname;
    snprintf(b->matched_name, sizeof b->matched_name, "%s", h->matched_name);
    snprintf(b->explanation, sizeof b->explanation, "%s", h->explanation);
    return 0;
}

static int ye_best_cmp(const void *a, const void *b)
{
    const ye_best *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp(x->party->id, y->party->id);
}

/* Run every name × country through the matcher (floor = the lowest score
 * kept), keeping the best hit per party that passes the filter and, when
 * qschema (the query's schema) is given, whose schema it may match. */
static int ye_run(srv *s, ckp_matcher *m, const char *const *names, int nnames,
                  const char *const *countries, int ncountries, double floor,
                  const char *qschema, const ye_filter *f, ye_acc *acc, ckp_match_hit *hits)
{
    for (int i = 0; i < nnames; i++) {
        for (int c = 0; c < (ncountries ? ncountries : 1); c++) {
            ckp_match_opts o;
            ckp_match_opts_init(&o);
            o.threshold = floor;
            o.limit = YE_HITS;
            o.country = ncountries ? countries[c] : NULL;
            int nh = ckp_match(m, names[i], strlen(names[i]), &o, hits, YE_HITS);
            if (nh >= YE_HITS)
                acc->capped = 1;
            for (int h = 0; h < nh; h++) {
                const ckp_party *p = hits[h].party;
                int d = ye_dataset_of(p);
                if (d < 0 || !(f->datasets & (1u << d)) || ye_excluded(f, p))
                    continue;
                if (qschema && !ye_schema_matches(qschema, ye_schema_of(p)))
                    continue;
                if (f->schema && f->schema[0] && strcmp(f->schema, ye_schema_of(p)) != 0)
                    continue;
                if (ye_acc_add(acc, &hits[h], names[i]) != 0)
                    return -1;
            }
        }
    }
    (void)s;
    return 0;
}

/* Properties the matcher compares: names and countries. */
static const char *const ye_name_props[] = {"name", "alias", "previousName", NULL};
static const char *const ye_country_props[] = {"country", "nationality", "jurisdiction",
                                               "citizenship", "mainCountry", "flag", NULL};

static int ye_in(const char *const *set, const char *k)
{
    for (int i = 0; set[i]; i++)
        if (strcmp(set[i], k) == 0)
            return 1;
    return 0;
}

/* One query of a POST /match body → its response object, or NULL with the
 * reason in why (a 400). */
typedef struct ye_query {
    const char *names[YE_MAX_VALUES * 3];
    int nnames;
    char countries[YE_MAX_VALUES * 6][4]; /* ISO3 */
    const char *country_ptr[YE_MAX_VALUES * 6];
    int ncountries;
    const char *schema;
    json_t *unused; /* property names not compared */
} ye_query;

static int ye_parse_query(srv *s, const char *qid, json_t *q, ye_query *out, char *why,
                          size_t nwhy)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(q)) {
        snprintf(why, nwhy, "query '%.60s' is not an object", qid);
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(q, k, v) {
        if (strcmp(k, "schema") != 0 && strcmp(k, "properties") != 0 && strcmp(k, "id") != 0) {
            snprintf(why, nwhy, "query '%.60s': field '%.60s' is not taken (schema, "
                                "properties, id)", qid, k);
            return -1;
        }
    }
    json_t *sch = json_object_get(q, "schema");
    if (!json_is_string(sch) || !ye_schema_known(json_string_value(sch))) {
        snprintf(why, nwhy, "query '%.60s': schema must be one of Thing, LegalEntity, Person, "
                            "Organization, Company, PublicBody, Vessel, Airplane", qid);
        return -1;
    }
    json_t *id = json_object_get(q, "id");
    if (id && !json_is_string(id) && !json_is_null(id)) {
        snprintf(why, nwhy, "query '%.60s': id must be a string", qid);
        return -1;
    }
    out->schema = json_string_value(sch);
    json_t *props = json_object_get(q, "properties");
    if (!json_is_object(props)) {
        snprintf(why, nwhy, "query '%.60s': properties must be an object", qid);
        return -1;
    }
    if (json_object_size(props) > YE_MAX_PROPS) {
        snprintf(why, nwhy, "query '%.60s': more than %d properties", qid, YE_MAX_PROPS);
        return -1;
    }
    out->unused = json_array();
    if (!out->unused) {
        snprintf(why, nwhy, "out of memory");
        return -1;
    }
    json_object_foreach(props, k, v) {
        json_t *one = NULL;
        size_t nv = 1;
        if (json_is_array(v))
            nv = json_array_size(v);
        else if (json_is_string(v))
            one = v;
        else {
            snprintf(why, nwhy, "query '%.60s': property '%.60s' must be a string or a list "
                                "of strings", qid, k);
            return -1;
        }
        if (nv > YE_MAX_VALUES) {
            snprintf(why, nwhy, "query '%.60s': property '%.60s' has more than %d values", qid,
                     k, YE_MAX_VALUES);
            return -1;
        }
        int is_name = ye_in(ye_name_props, k), is_country = ye_in(ye_country_props, k);
        for (size_t i = 0; i < nv; i++) {
            json_t *e = one ? one : json_array_get(v, i);
            if (!json_is_string(e)) {
                snprintf(why, nwhy, "query '%.60s': property '%.60s' value %zu is not a "
                                    "string", qid, k, i + 1);
                return -1;
            }
            const char *t = json_string_value(e);
            size_t tl = json_string_length(e);
            if (tl > YE_MAX_VALUE_BYTES || strlen(t) != tl) {
                snprintf(why, nwhy, "query '%.60s': property '%.60s' value %zu is over %d "
                                    "bytes or holds a NUL", qid, k, i + 1, YE_MAX_VALUE_BYTES);
                return -1;
            }
            if (is_name && tl > 0) {
                out->names[out->nnames++] = t;
            } else if (is_country && tl > 0) {
                int cid;
                ckp_error cerr;
                ckp_error_clear(&cerr);
                if (ckp_ref_country_arg(s->ref, t, &cid, &cerr) != CKP_OK) {
                    snprintf(why, nwhy, "query '%.60s': %s '%.60s': %s", qid, k, t, cerr.msg);
                    return -1;
                }
                const char *iso3 = ckp_ref_country(s->ref, cid)->iso3;
                int dup = 0;
                for (int c = 0; c < out->ncountries; c++)
                    dup |= strcmp(out->countries[c], iso3) == 0;
                if (!dup) {
                    memcpy(out->countries[out->ncountries], iso3, 4);
                    out->country_ptr[out->ncountries] = out->countries[out->ncountries];
                    out->ncountries++;
                }
            }
        }
        if (!is_name && !is_country && nv > 0)
            json_array_append_new(out->unused, json_string(k));
    }
    if (out->nnames == 0) {
        snprintf(why, nwhy, "query '%.60s' has no name (properties.name): chokepoint matches "
                            "by name", qid);
        return -1;
    }
    return 0;
}

/* The feature docs: what "features" in each result holds. */
static json_t *ye_matcher_docs(void)
{
    return json_pack("{s:{s:s,s:f,s:s}}", "name_match", "description",
                     "chokepoint's name matcher: tokens aligned order-free with IDF weights, "
                     "typos, transliteration variants, joined tokens; a country the query "
                     "gives that the entity shares raises the score, a different one lowers "
                     "it (see explanation)",
                     "coefficient", 1.0, "url", "docs/screening.md");
}

static void ye_match(srv *s, const srv_request *rq, const char *dataset, srv_response *rs)
{
    static const char *const allowed[] = {"limit", "threshold", "cutoff", "algorithm",
                                          "include_dataset", "exclude_dataset",
                                          "exclude_entity_ids", NULL};
    if (ye_check_keys(rq, allowed, "match", rs))
        return;
    ye_filter f;
    memset(&f, 0, sizeof f);
    if (ye_datasets_param(rq, dataset, &f, rs))
        return;
    double limit = YE_DEFAULT_LIMIT, thr = CKP_MATCH_THRESHOLD, cutoff = -1;
    if (ye_number(rq, "limit", 1, YE_MAX_LIMIT, &limit, rs) ||
        ye_number(rq, "threshold", 0, 1, &thr, rs) || ye_number(rq, "cutoff", 0, 1, &cutoff, rs))
        return;
    if (limit != (int)limit) {
        ye_fail(rs, 400, "limit must be a whole number");
        return;
    }
    double floor = cutoff >= 0 && cutoff < thr ? cutoff : thr;
    const char *algo = ye_param(rq, "algorithm");
    if (algo && strcmp(algo, "default") != 0 && strcmp(algo, "best") != 0) {
        ye_fail(rs, 400, "algorithm '%.60s' is not available here (GET /algorithms: default; "
                         "best = default)", algo);
        return;
    }
    for (int i = 0; i < rq->nquery; i++) {
        if (strcmp(rq->query[i].key, "exclude_entity_ids") != 0)
            continue;
        if (f.nexclude == YE_MAX_EXCLUDE) {
            ye_fail(rs, 400, "exclude_entity_ids: at most %d ids", YE_MAX_EXCLUDE);
            return;
        }
        f.exclude_ids[f.nexclude++] = rq->query[i].value;
    }
    if (!s->index || !s->lists) {
        ye_fail(rs, 503, "the party lists did not load: matching is unavailable");
        return;
    }
    if (!rq->body || rq->body_len == 0) {
        ye_fail(rs, 400, "match: the body must be a JSON object {\"queries\": {…}}");
        return;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        ye_fail(rs, 400, "match: body line %d column %d: %.200s", jerr.line, jerr.column,
                jerr.text);
        return;
    }
    json_t *ans = NULL, *resps = NULL;
    ckp_matcher *m = NULL;
    ckp_match_hit *hits = NULL;
    ye_query *yq = NULL;
    json_t *queries = NULL;
    size_t nq = 0;
    const char *k;
    json_t *v;
    if (!json_is_object(doc)) {
        ye_fail(rs, 400, "match: the body must be a JSON object {\"queries\": {…}}");
        goto out;
    }
    json_object_foreach(doc, k, v) {
        if (strcmp(k, "queries") == 0)
            continue;
        if ((strcmp(k, "weights") == 0 || strcmp(k, "config") == 0) && json_is_object(v) &&
            json_object_size(v) == 0)
            continue;
        if (strcmp(k, "weights") == 0 || strcmp(k, "config") == 0)
            ye_fail(rs, 400, "match: '%s' is not supported (the matcher's weights are fixed; "
                             "send it empty or leave it out)", k);
        else
            ye_fail(rs, 400, "match: field '%.60s' is not taken (queries, weights, config)", k);
        goto out;
    }
    queries = json_object_get(doc, "queries");
    if (!json_is_object(queries) || json_object_size(queries) == 0) {
        ye_fail(rs, 400, "match: 'queries' must be an object of one or more queries");
        goto out;
    }
    if (json_object_size(queries) > YE_MAX_BATCH) {
        ye_fail(rs, 400, "match: too many queries in one batch (limit: %d)", YE_MAX_BATCH);
        goto out;
    }
    /* every query is checked before any is matched: a bad one is a 400 */
    nq = json_object_size(queries);
    yq = calloc(nq, sizeof *yq);
    hits = calloc(YE_HITS, sizeof *hits);
    ans = json_object();
    resps = json_object();
    if (!yq || !hits || !ans || !resps) {
        ye_fail(rs, 500, "out of memory");
        goto out;
    }
    size_t qi = 0;
    char why[700];
    json_object_foreach(queries, k, v) {
        if (ye_parse_query(s, k, v, &yq[qi], why, sizeof why) != 0) {
            json_decref(yq[qi].unused);
            yq[qi].unused = NULL;
            ye_fail(rs, 400, "match: %s", why);
            goto out;
        }
        qi++;
    }
    ckp_error err;
    ckp_error_clear(&err);
    m = srv_matcher_take(s, &err);
    if (!m) {
        ye_fail(rs, 500, "%s", err.msg);
        goto out;
    }
    qi = 0;
    json_object_foreach(queries, k, v) {
        ye_query *q = &yq[qi++];
        ye_acc acc = {0};
        if (ye_run(s, m, q->names, q->nnames, q->country_ptr, q->ncountries, floor, q->schema,
                   &f, &acc, hits) != 0) {
            free(acc.v);
            ye_fail(rs, 500, "out of memory");
            goto out;
        }
        if (acc.n)
            qsort(acc.v, acc.n, sizeof *acc.v, ye_best_cmp);
        json_t *results = json_array();
        for (size_t i = 0; results && i < acc.n && i < (size_t)limit; i++) {
            const ye_best *b = &acc.v[i];
            json_t *e = ye_entity(s, b->party);
            if (!e) {
                json_decref(results);
                results = NULL;
                break;
            }
            json_object_set_new(e, "score", json_real(b->score));
            json_object_set_new(e, "match", json_boolean(b->score >= thr));
            json_object_set_new(e, "features", json_pack("{s:f}", "name_match", b->score));
            char ex[CKP_EXPLAIN_MAX + 900];
            snprintf(ex, sizeof ex, "query name \"%.400s\" ~ listed name \"%s\": %s",
                     b->query_name, b->matched_name, b->explanation);
            json_object_set_new(e, "explanation", json_string(ex));
            json_object_set_new(e, "matched_name", json_string(b->matched_name));
            json_array_append_new(results, e);
        }
        size_t total = acc.n;
        int capped = acc.capped;
        free(acc.v);
        if (!results) {
            ye_fail(rs, 500, "out of memory");
            goto out;
        }
        json_t *r = json_pack("{s:i,s:o,s:{s:I,s:s},s:O,s:O}", "status", 200, "results",
                              results, "total", "value", (json_int_t)total, "relation",
                              capped ? "gte" : "eq", "query", v, "unused", q->unused);
        if (!r || json_object_set_new(resps, k, r) != 0) {
            ye_fail(rs, 500, "out of memory");
            goto out;
        }
    }
    json_object_set(ans, "responses", resps);
    json_object_set_new(ans, "matcher", ye_matcher_docs());
    json_object_set_new(ans, "limit", json_integer((json_int_t)limit));
    json_object_set_new(ans, "threshold", json_real(thr));
    json_object_set_new(ans, "algorithm", json_string("default"));
    json_object_set_new(ans, "list_version", json_string(s->list_version));
    ye_json(rs, 200, ans);
    ans = NULL;
out:
    for (size_t i = 0; yq && i < nq; i++)
        json_decref(yq[i].unused);
    free(yq);
    free(hits);
    if (m)
        srv_matcher_give(s, m);
    json_decref(resps);
    json_decref(ans);
    json_decref(doc);
}

/* ---- search, entities, catalog, algorithms, health ------------------------------ */

static void ye_search(srv *s, const srv_request *rq, const char *dataset, srv_response *rs)
{
    static const char *const allowed[] = {"q", "limit", "offset", "schema", "countries",
                                          "include_dataset", "exclude_dataset", NULL};
    if (ye_check_keys(rq, allowed, "search", rs))
        return;
    ye_filter f;
    memset(&f, 0, sizeof f);
    if (ye_datasets_param(rq, dataset, &f, rs))
        return;
    double limit = 10, offset = 0;
    if (ye_number(rq, "limit", 0, YE_MAX_LIMIT, &limit, rs) ||
        ye_number(rq, "offset", 0, 10000, &offset, rs))
        return;
    if (limit != (int)limit || offset != (int)offset) {
        ye_fail(rs, 400, "limit and offset must be whole numbers");
        return;
    }
    const char *q = ye_param(rq, "q");
    if (!q || !*q || strlen(q) > YE_MAX_VALUE_BYTES) {
        ye_fail(rs, 400, "search: give the name to look for as ?q=… (1-%d bytes)",
                YE_MAX_VALUE_BYTES);
        return;
    }
    f.schema = ye_param(rq, "schema");
    if (f.schema && !ye_schema_known(f.schema)) {
        ye_fail(rs, 400, "search: schema '%.60s' is not one of Thing, LegalEntity, Person, "
                         "Organization, Company, PublicBody, Vessel, Airplane", f.schema);
        return;
    }
    if (f.schema && strcmp(f.schema, "Thing") == 0)
        f.schema = NULL;
    if (!s->index || !s->lists) {
        ye_fail(rs, 503, "the party lists did not load: search is unavailable");
        return;
    }
    const char *countries[16];
    char iso[16][4];
    int nc = 0;
    for (int i = 0; i < rq->nquery; i++) {
        if (strcmp(rq->query[i].key, "countries") != 0)
            continue;
        if (nc == 16) {
            ye_fail(rs, 400, "search: at most 16 countries");
            return;
        }
        int cid;
        ckp_error cerr;
        ckp_error_clear(&cerr);
        if (ckp_ref_country_arg(s->ref, rq->query[i].value, &cid, &cerr) != CKP_OK) {
            ye_fail(rs, 400, "search: countries '%.60s': %s", rq->query[i].value, cerr.msg);
            return;
        }
        memcpy(iso[nc], ckp_ref_country(s->ref, cid)->iso3, 4);
        countries[nc] = iso[nc];
        nc++;
    }
    ckp_error err;
    ckp_error_clear(&err);
    ckp_matcher *m = srv_matcher_take(s, &err);
    ckp_match_hit *hits = calloc(YE_HITS, sizeof *hits);
    ye_acc acc = {0};
    json_t *results = json_array();
    if (!m || !hits || !results) {
        ye_fail(rs, 500, "%s", m ? "out of memory" : err.msg);
        goto out;
    }
    /* countries filter the results (yente's facet filter), they do not
     * move scores: the names are matched without them */
    const char *names[1] = {q};
    if (ye_run(s, m, names, 1, NULL, 0, YE_SEARCH_FLOOR, NULL, &f, &acc, hits) != 0) {
        ye_fail(rs, 500, "out of memory");
        goto out;
    }
    size_t kept = 0;
    for (size_t i = 0; i < acc.n; i++) {
        int ok = nc == 0;
        for (int c = 0; !ok && c < nc; c++)
            ok = strstr(acc.v[i].party->countries, countries[c]) != NULL;
        if (ok)
            acc.v[kept++] = acc.v[i];
    }
    if (kept)
        qsort(acc.v, kept, sizeof *acc.v, ye_best_cmp);
    for (size_t i = (size_t)offset; i < kept && i < (size_t)offset + (size_t)limit; i++) {
        json_t *e = ye_entity(s, acc.v[i].party);
        if (!e || json_array_append_new(results, e) != 0) {
            ye_fail(rs, 500, "out of memory");
            goto out;
        }
        json_object_set_new(e, "score", json_real(acc.v[i].score));
    }
    json_t *doc = json_pack("{s:I,s:I,s:{s:I,s:s},s:O,s:{}}", "limit", (json_int_t)limit,
                            "offset", (json_int_t)offset, "total", "value", (json_int_t)kept,
                            "relation", acc.capped ? "gte" : "eq", "results", results,
                            "facets");
    ye_json(rs, doc ? 200 : 500, doc);
out:
    json_decref(results);
    free(acc.v);
    free(hits);
    if (m)
        srv_matcher_give(s, m);
}

static void ye_entity_get(srv *s, const char *id, srv_response *rs)
{
    if (!s->lists) {
        ye_fail(rs, 503, "the party lists did not load");
        return;
    }
    const ckp_party *p = *id ? ckp_lists_find(s->lists, id) : NULL;
    /* an id merged into another entity answers with that entity */
    for (size_t i = 0; *id && !p && i < ckp_lists_party_count(s->lists); i++) {
        const ckp_party *q = ckp_lists_party(s->lists, i);
        if (!q->deleted && ye_is_referent(q, id))
            p = q;
    }
    if (!p) {
        ye_fail(rs, 404, "no entity '%.100s' in the loaded lists", id);
        return;
    }
    json_t *e = ye_entity(s, p);
    ye_json(rs, e ? 200 : 500, e);
}

static void ye_catalog(srv *s, srv_response *rs)
{
    static const char *const titles[] = {
        "OFAC Specially Designated Nationals (SDN) list",
        "OpenSanctions consolidated entities (FollowTheMoney)",
        "MOFCOM export control, unreliable entity and watch lists"};
    size_t count[YE_NDATASETS] = {0};
    size_t np = s->lists ? ckp_lists_party_count(s->lists) : 0;
    for (size_t i = 0; i < np; i++) {
        const ckp_party *p = ckp_lists_party(s->lists, i);
        int d = ye_dataset_of(p);
        if (!p->deleted && d >= 0)
            count[d]++;
    }
    json_t *list = json_array(), *current = json_array(), *children = json_array();
    for (int i = 0; i < YE_NDATASETS; i++) {
        json_array_append_new(list, json_pack("{s:s,s:s,s:b,s:s,s:s,s:b,s:[],s:I}", "name",
                                              ye_datasets[i], "title", titles[i], "load",
                                              count[i] > 0, "version", s->list_version,
                                              "index_version", s->list_version,
                                              "index_current", 1, "children", "entity_count",
                                              (json_int_t)count[i]));
        json_array_append_new(current, json_string(ye_datasets[i]));
        json_array_append_new(children, json_string(ye_datasets[i]));
    }
    json_array_append_new(list, json_pack("{s:s,s:s,s:b,s:s,s:s,s:b,s:O,s:I}", "name", "default",
                                          "title", "Every loaded list", "load", np > 0,
                                          "version", s->list_version, "index_version",
                                          s->list_version, "index_current", 1, "children",
                                          children, "entity_count",
                                          (json_int_t)(count[0] + count[1] + count[2])));
    json_array_append_new(current, json_string("default"));
    json_decref(children);
    json_t *doc = json_pack("{s:o,s:o,s:[],s:b}", "datasets", list, "current", current,
                            "outdated", "index_stale", 0);
    ye_json(rs, doc ? 200 : 500, doc);
}

static void ye_algorithms(srv_response *rs)
{
    json_t *doc = json_pack("{s:[{s:s,s:s,s:o}],s:s,s:s}", "algorithms", "name", "default",
                            "description",
                            "chokepoint's explained token matcher (match.h, docs/screening.md)",
                            "features", ye_matcher_docs(), "default", "default", "best",
                            "default");
    ye_json(rs, doc ? 200 : 500, doc);
}

int srv_yente_path(const char *path)
{
    return strncmp(path, "/match/", 7) == 0 || strncmp(path, "/search/", 8) == 0 ||
           strncmp(path, "/entities/", 10) == 0 || strcmp(path, "/catalog") == 0 ||
           strcmp(path, "/algorithms") == 0 || strcmp(path, "/healthz") == 0 ||
           strcmp(path, "/readyz") == 0;
}

void srv_yente(srv *s, const srv_request *rq, srv_response *rs)
{
    const char *m = rq->method ? rq->method : "";
    const char *path = rq->path ? rq->path : "";
    int get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
    int post = strcmp(m, "POST") == 0;
    if (strncmp(path, "/match/", 7) == 0) {
        if (!post)
            ye_fail(rs, 405, "match: POST the queries as JSON");
        else if (strchr(path + 7, '/'))
            ye_fail(rs, 404, "not found");
        else
            ye_match(s, rq, path + 7, rs);
        return;
    }
    if (!get) {
        ye_fail(rs, 405, "method %.20s not allowed here (POST is for /match/{dataset})", m);
        return;
    }
    if (strncmp(path, "/search/", 8) == 0) {
        if (strchr(path + 8, '/'))
            ye_fail(rs, 404, "not found");
        else
            ye_search(s, rq, path + 8, rs);
        return;
    }
    if (rq->nquery) {
        ye_fail(rs, 400, "parameter '%.60s' is not supported here", rq->query[0].key);
        return;
    }
    if (strncmp(path, "/entities/", 10) == 0)
        ye_entity_get(s, path + 10, rs);
    else if (strcmp(path, "/catalog") == 0)
        ye_catalog(s, rs);
    else if (strcmp(path, "/algorithms") == 0)
        ye_algorithms(rs);
    else if (strcmp(path, "/healthz") == 0)
        ye_json(rs, 200, json_pack("{s:s}", "status", "ok"));
    else if (s->index && s->lists)
        ye_json(rs, 200, json_pack("{s:s}", "status", "ok"));
    else
        ye_fail(rs, 503, "not ready: the party lists did not load");
}

int srv_yente_init(srv *s)
{
    if (!s->lists)
        return 0;
    size_t np = ckp_lists_party_count(s->lists), nn = ckp_lists_name_count(s->lists);
    s->ye_name_start = calloc(np + 1, sizeof *s->ye_name_start);
    s->ye_name_idx = calloc(nn ? nn : 1, sizeof *s->ye_name_idx);
    if (!s->ye_name_start || !s->ye_name_idx)
        return -1;
    for (size_t i = 0; i < nn; i++)
        s->ye_name_start[ckp_lists_name(s->lists, i)->party + 1]++;
    for (size_t i = 0; i < np; i++)
        s->ye_name_start[i + 1] += s->ye_name_start[i];
    uint32_t *fill = calloc(np ? np : 1, sizeof *fill);
    if (!fill)
        return -1;
    for (size_t i = 0; i < nn; i++) {
        uint32_t p = ckp_lists_name(s->lists, i)->party;
        s->ye_name_idx[s->ye_name_start[p] + fill[p]++] = (uint32_t)i;
    }
    free(fill);
    return 0;
}

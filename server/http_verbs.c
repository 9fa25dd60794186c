/* http_verbs.c — the verb table over HTTP: GET /api/VERB (rows of any
 * library verb, ?source= environments, cached), /api/verbs, /api/groups,
 * /api/view. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>
#include <utf8proc.h>

#include "chokepoint/output.h"
#include "chokepoint/measures.h"
#include "chokepoint/report.h"
#include "chokepoint/screen.h"
#include "query.h"
#include "rows.h"
#include "server.h"


#include "http_int.h"

/* ---- which sources: ?source= ----------------------------------------------- */

/* The environment a request reads: the shared one (the real sources) without
 * ?source=, else the one of that selection, opened on first use.  *temp = 1
 * when the table was full and the environment is the request's own (the
 * caller closes it with release_env).  NULL with err (CKP_EUSAGE: an unknown
 * name, a mix of real and synthetic) when the selection cannot be opened. */
ckp_env *srv__request_env(srv *s, const srv_request *rq, int *temp, ckp_error *err)
{
    const char *spec = srv__query_get(rq, "source");
    *temp = 0;
    if (!spec)
        return s->env;
    if (!*spec || strlen(spec) > 1000 || !srv__printable(spec, 1000)) {
        ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                      "source: real, synthetic, or store source names joined by ','");
        return NULL;
    }
    pthread_mutex_lock(&s->src_lock);
    ckp_env *env = NULL;
    for (int i = 0; i < s->nsrc_env && !env; i++)
        if (strcmp(s->src_spec[i], spec) == 0)
            env = s->src_env[i];
    if (env) {
        pthread_mutex_unlock(&s->src_lock);
        return env;
    }
    env = ckp_env_new(s->ref, s->cfg.data_dir, s->cfg.store_dir);
    char *copy = strdup(spec);
    if (!env || !copy) {
        ckp_env_free(env);
        free(copy);
        pthread_mutex_unlock(&s->src_lock);
        ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    ckp_env_set_sources(env, copy);
    const ckp_store *store;
    if (ckp_env_store(env, &store, err) != CKP_OK) {
        ckp_env_free(env);
        free(copy);
        pthread_mutex_unlock(&s->src_lock);
        return NULL;
    }
    if (s->nsrc_env < SRV_MAX_SOURCE_ENVS) {
        s->src_spec[s->nsrc_env] = copy;
        s->src_env[s->nsrc_env++] = env;
    } else {
        *temp = 1;
    }
    pthread_mutex_unlock(&s->src_lock);
    return env;
}

void srv__release_env(ckp_env *env, int temp)
{
    if (!temp)
        return;
    char *spec = (char *)ckp_env_sources(env); /* request_env's copy */
    ckp_env_free(env);
    free(spec);
}

/* ---- running verbs ---------------------------------------------------------- */

/* Query pairs → ckp_args for verb v: "arg" (when v has no such parameter)
 * gives positional arguments. */
static ckp_status build_args(const ckp_verb *v, const srv_request *rq, const char *skip,
                             ckp_args **out, ckp_error *err)
{
    ckp_args *a = ckp_args_new();
    if (!a)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    int has_arg = 0;
    for (const ckp_param *p = v ? v->params : NULL; p && p->name; p++)
        has_arg |= strcmp(p->name, "arg") == 0;
    for (int i = 0; i < rq->nquery; i++) {
        const srv_kv *q = &rq->query[i];
        if ((skip && strcmp(q->key, skip) == 0) || strcmp(q->key, "source") == 0)
            continue; /* source: the environment's (request_env) */
        ckp_status st;
        if (v && !has_arg && strcmp(q->key, "arg") == 0)
            st = ckp_args_add_pos(a, q->value);
        else
            st = ckp_args_set(a, q->key, q->value);
        if (st != CKP_OK) {
            ckp_args_free(a);
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "too many parameters");
        }
    }
    *out = a;
    return CKP_OK;
}

/* ,"notes":[…] when the HS argument concorded to HS2022 left the rows of a
 * split code out (ckp_hsset_has_ed): the answer says what it rests on. */
static void write_notes(FILE *o, const ckp_ref *ref, const ckp_args *args)
{
    ckp_hsset *set = NULL;
    ckp_error e;
    if (!ckp_args_get(args, "hs") || ckp_args_hsset(args, ref, "hs", 0, &set, &e) != CKP_OK ||
        !set)
        return;
    char note[512];
    json_t *arr = json_array();
    for (int i = 0; arr && i < 32 && ckp_hsset_ambiguity_note(ref, set, i, note, sizeof note) == 0;
         i++)
        json_array_append_new(arr, json_string(note));
    char *js = arr && json_array_size(arr) ? json_dumps(arr, JSON_COMPACT) : NULL;
    if (js)
        fprintf(o, ",\"notes\":%s", js);
    free(js);
    json_decref(arr);
    ckp_hsset_free(set);
}

/* Run v: {"rows":[…] and the notes} (the rows by server/rows.c). */
static ckp_status run_rows(ckp_env *env, const ckp_verb *v, const ckp_args *args,
                           int from_server, char **body, size_t *blen, ckp_error *err)
{
    char *out = NULL;
    size_t olen = 0;
    FILE *o = open_memstream(&out, &olen);
    if (!o)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    fputc('{', o);
    ckp_status st = srv_rows_write(env, v, args, from_server, VERB_OUTPUT_LIMIT, o, err);
    if (st == CKP_OK) {
        write_notes(o, ckp_env_ref(env), args);
        fputs("}\n", o);
    }
    fclose(o);
    if (st != CKP_OK) {
        free(out);
        return st;
    }
    *body = out;
    *blen = olen;
    return CKP_OK;
}

/* Add "id", "entry_hash" and the standing "decision" to each row of a
 * {"rows":[…]} document: alerts of `screen`, hits of `match`. */
void srv__annotate_doc(srv *s, json_t *doc, int is_match)
{
    json_t *rows = json_object_get(doc, "rows");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (is_match) {
            const char *query = json_string_value(json_object_get(row, "query"));
            json_t *hits = json_object_get(row, "hits");
            size_t j;
            json_t *hit;
            json_array_foreach(hits, j, hit) {
                const char *eid = json_string_value(json_object_get(hit, "id"));
                const char *name = json_string_value(json_object_get(hit, "name"));
                const char *list = json_string_value(json_object_get(hit, "list"));
                /* the entry's content as listed: a change to any of it
                 * (name, programme, countries, identifiers) lifts a clearance */
                const char *hp[] = {eid,
                                    name,
                                    list,
                                    json_string_value(json_object_get(hit, "program")),
                                    json_string_value(json_object_get(hit, "countries")),
                                    json_string_value(json_object_get(hit, "type")),
                                    json_string_value(json_object_get(hit, "identifiers")),
                                    json_string_value(json_object_get(hit, "listed"))};
                const char *idp[] = {"match", query, list, eid};
                char id[17], eh[17], dec[32];
                srv_hash_hex(idp, 4, id);
                srv_hash_hex(hp, 8, eh);
                char full[20];
                snprintf(full, sizeof full, "m-%s", id);
                json_object_set_new(hit, "decision_id", json_string(full));
                json_object_set_new(hit, "entry_hash", json_string(eh));
                const char *d = srv_cases_lookup(s->cases, full, eh, dec, sizeof dec);
                json_object_set_new(hit, "decision", d ? json_string(d) : json_null());
            }
        } else {
            const char *ship = json_string_value(json_object_get(row, "shipment"));
            const char *kind = json_string_value(json_object_get(row, "kind"));
            const char *rule = json_string_value(json_object_get(row, "rule"));
            json_t *m = json_object_get(row, "matched");
            /* jansson's own text (17-digit reals) on purpose: the alert ids
             * and entry hashes of decisions already recorded were made of it */
            char *mtext = m ? json_dumps(m, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;
            const char *reason = json_string_value(json_object_get(row, "reason"));
            const char *idp[] = {"alert", ship, kind, rule, mtext};
            const char *hp[] = {kind, rule, mtext, reason};
            char id[17], eh[17], dec[32];
            srv_hash_hex(idp, 5, id);
            srv_hash_hex(hp, 4, eh);
            free(mtext);
            char full[20];
            snprintf(full, sizeof full, "a-%s", id);
            json_object_set_new(row, "id", json_string(full));
            json_object_set_new(row, "entry_hash", json_string(eh));
            const char *d = srv_cases_lookup(s->cases, full, eh, dec, sizeof dec);
            json_object_set_new(row, "decision", d ? json_string(d) : json_null());
        }
    }
    json_object_set_new(doc, "list_version", json_string(s->list_version));
}

/* srv__annotate_doc on a body kept as text (match's cached answers). */
char *srv__annotate(srv *s, const char *body, int is_match, size_t *len)
{
    json_error_t jerr;
    json_t *doc = json_loads(body, 0, &jerr);
    if (!doc)
        return NULL;
    srv__annotate_doc(s, doc, is_match);
    char *out = ckp_json_dumps(doc, 0);
    json_decref(doc);
    if (out)
        *len = strlen(out);
    return out;
}

void srv__api_verb(srv *s, const ckp_verb *v, const srv_request *rq, srv_response *rs)
{
    ckp_error err;
    ckp_error_clear(&err);
    char *key = srv__cache_key(s, v->name, rq);
    size_t len = 0;
    char *body = key ? srv__cache_get(s->cache, key, &len) : NULL;
    if (!body) {
        ckp_args *args = NULL;
        int temp = 0;
        ckp_env *env = srv__request_env(s, rq, &temp, &err);
        ckp_status st = env ? build_args(v, rq, NULL, &args, &err) : err.code;
        if (st == CKP_OK)
            st = run_rows(env, v, args, 1, &body, &len, &err);
        ckp_args_free(args);
        if (env)
            srv__release_env(env, temp);
        if (st != CKP_OK) {
            free(key);
            srv__fail_err(rs, &err);
            return;
        }
        if (key)
            srv__cache_put(s->cache, key, body, len);
    }
    free(key);
    if (strcmp(v->name, "match") == 0) {
        size_t alen = 0;
        char *ann = srv__annotate(s, body, 1, &alen);
        if (ann) {
            free(body);
            body = ann;
            len = alen;
        }
    }
    srv__set_body(rs, 200, JSON_TYPE, body, len);
}

/* One verb of /api/verbs: name, usage, summary, parameters, columns,
 * positional arguments and whether it is served here. */
static json_t *verb_json(const ckp_verb *v)
{
    static const char *const kinds[] = {"flag", "str", "int", "num", "list"};
    json_t *o = json_pack("{s:s, s:s, s:s}", "name", v->name, "usage", v->usage ? v->usage : "",
                          "summary", v->summary ? v->summary : "");
    json_t *ps = json_array();
    for (const ckp_param *p = v->params; p && p->name; p++)
        json_array_append_new(
            ps, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "name", p->name, "kind",
                          (unsigned)p->kind < 5 ? kinds[p->kind] : "str", "metavar",
                          p->metavar ? p->metavar : "", "help", p->help ? p->help : "",
                          "required", p->required, "server_ok", p->server_ok));
    json_object_set_new(o, "params", ps);
    json_t *cs = json_array();
    for (size_t c = 0; c < v->ncolumns; c++)
        json_array_append_new(cs, json_string(v->columns[c].name));
    json_object_set_new(o, "columns", cs);
    json_object_set_new(o, "positional", json_integer(v->max_pos));
    json_object_set_new(o, "served", json_boolean(v->run && !(v->flags & CKP_VERB_CLI_ONLY)));
    return o;
}

void srv__api_verbs(srv *s, srv_response *rs)
{
    json_t *arr = json_array();
    for (int i = 0; ckp_verb_at(i); i++)
        json_array_append_new(arr, verb_json(ckp_verb_at(i)));
    for (int i = 0; s->cfg.commands && s->cfg.commands[i]; i++)
        json_array_append_new(arr, verb_json(s->cfg.commands[i]));
    json_t *doc = json_pack("{s:o, s:b}", "verbs", arr, "charts", ckp_assets_have_chartlib());
    char *out = ckp_json_dumps(doc, 0);
    json_decref(doc);
    if (!out) {
        srv__fail(rs, 500, "out of memory");
        return;
    }
    srv__set_body(rs, 200, JSON_TYPE, out, strlen(out));
}

void srv__api_groups(srv *s, srv_response *rs)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        srv__fail(rs, 500, "out of memory");
        return;
    }
    ckp_error err;
    ckp_error_clear(&err);
    fputs("{\"groups\":", f);
    ckp_status st = ckp_report_groups(s->env, f, &err);
    /* the store's sources, for the dashboard's source selector */
    fputs(",\"sources\":[", f);
    const ckp_store *store = ckp_env_store_if_open(s->env);
    for (int i = 0; store && i < ckp_store_source_count(store); i++) {
        const char *name = ckp_store_source_name(store, i);
        fprintf(f, "%s{\"name\":", i ? "," : "");
        ckp_json_write_string(f, name, strlen(name));
        fprintf(f, ",\"synthetic\":%s}",
                ckp_store_source_synthetic(store, i) ? "true" : "false");
    }
    fputs("]}\n", f);
    fclose(f);
    if (st != CKP_OK) {
        free(buf);
        srv__fail_err(rs, &err);
        return;
    }
    srv__set_body(rs, 200, JSON_TYPE, buf, len);
}

void srv__api_view(srv *s, const srv_request *rq, srv_response *rs)
{
    const char *name = srv__query_get(rq, "name");
    if (!name || !*name) {
        srv__fail(rs, 400, "view: parameter 'name' is required");
        return;
    }
    ckp_error err;
    ckp_error_clear(&err);
    char *key = srv__cache_key(s, "view", rq);
    size_t len = 0;
    char *body = key ? srv__cache_get(s->cache, key, &len) : NULL;
    if (body) {
        free(key);
        srv__set_body(rs, 200, JSON_TYPE, body, len);
        return;
    }
    ckp_args *args = NULL;
    int temp = 0;
    ckp_env *env = srv__request_env(s, rq, &temp, &err);
    ckp_status st = env ? build_args(NULL, rq, "name", &args, &err) : err.code;
    FILE *f = NULL;
    if (st == CKP_OK) {
        f = open_memstream(&body, &len);
        if (!f)
            st = ckp_error_set(&err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (st == CKP_OK) {
        st = ckp_report_view(env, name, args, 1, f, &err);
        fputc('\n', f);
    }
    if (f)
        fclose(f);
    ckp_args_free(args);
    if (env)
        srv__release_env(env, temp);
    if (st != CKP_OK) {
        free(key);
        free(body);
        srv__fail_err(rs, &err);
        return;
    }
    if (key)
        srv__cache_put(s->cache, key, body, len);
    free(key);
    srv__set_body(rs, 200, JSON_TYPE, body, len);
}


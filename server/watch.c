/* watch.c — lists change every day (see server.h, docs/screening.md "Lists
 * change every day"): the counterparties screened are kept in the case
 * database with their last screening; `lists update` records each list's new
 * version (hash, date, counts), computes the delta against the version
 * before (entities added, removed, whose names or identifiers changed, merged
 * into another id), re-screens the kept counterparties against the delta
 * only, and opens an alert for each new hit.  A decision on such an alert
 * stays in force across versions while the entity's names and identifiers
 * are unchanged (its fingerprint is the decision's entry_hash), and follows
 * the entity when its id is merged into another (FtM "referents").
 *
 * Everything is computed before the database is written; the version, its
 * changes, the new snapshot and the alerts are then written in one
 * transaction: an update is recorded whole or not at all. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "chokepoint/match.h"
#include "chokepoint/screen.h"
#include "core/grow.h"
#include "core/vec.h"
#include "query.h"
#include "server.h"

#define W_KEEP_MAX 2000000 /* counterparties one screening run may keep */
#define W_HITS 200         /* candidates per counterparty */
#define W_ROWS_MAX ((size_t)1 << 24) /* list entities or alerts one run may hold */

static void w_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static ckp_status w_dberr(sqlite3 *db, const char *what, ckp_error *err)
{
    return ckp_error_set(err, CKP_EIO, NULL, 0, 0, "%s: %s", what, sqlite3_errmsg(db));
}

/* Finalize *q (NULL is fine) and prepare sql in its place: 0, or -1 (*q is
 * then NULL). */
static int w_prepare(sqlite3 *db, sqlite3_stmt **q, const char *sql)
{
    sqlite3_finalize(*q);
    *q = NULL;
    return sqlite3_prepare_v2(db, sql, -1, q, NULL) == SQLITE_OK ? 0 : -1;
}

/* Reset q, bind ?1, ?2… from the arguments as types says ('t' a const char *
 * text, kept by the caller until the step; 'i' a long long; 'd' a
 * double) and run it once: 0 when it is done, -1 on an error. */
static int w_run(sqlite3_stmt *q, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_reset(q);
    for (int k = 0; types[k]; k++) {
        if (types[k] == 't')
            sqlite3_bind_text(q, k + 1, va_arg(ap, const char *), -1, SQLITE_STATIC);
        else if (types[k] == 'i')
            sqlite3_bind_int64(q, k + 1, va_arg(ap, long long));
        else
            sqlite3_bind_double(q, k + 1, va_arg(ap, double));
    }
    va_end(ap);
    return sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
}

/* ---- counterparties ------------------------------------------------------------ */

struct srv_keeper {
    const ckp_ref *ref;
    char **name, **country;
    size_t n, cap;
    int failed; /* out of memory or over W_KEEP_MAX */
};

srv_keeper *srv_keeper_new(const ckp_ref *ref)
{
    srv_keeper *k = calloc(1, sizeof *k);
    if (k)
        k->ref = ref;
    return k;
}

void srv_keeper_free(srv_keeper *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++) {
        free(k->name[i]);
        free(k->country[i]);
    }
    free(k->name);
    free(k->country);
    free(k);
}

static int keep_one(srv_keeper *k, const char *name, size_t n, int country)
{
    while (n > 0 && (*name == ' ' || *name == '\t'))
        name++, n--;
    while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
        n--;
    if (n == 0)
        return 0;
    if (k->n == k->cap &&
        ckp__grow_to(k->n + 1, &k->cap, W_KEEP_MAX, CKP__GROW(k->name), CKP__GROW(k->country),
                     NULL) != 0) {
        k->failed = 1;
        return -1;
    }
    const ckp_country *c = country >= 0 && k->ref ? ckp_ref_country(k->ref, country) : NULL;
    k->name[k->n] = strndup(name, n);
    k->country[k->n] = strdup(c ? c->iso3 : "");
    if (!k->name[k->n] || !k->country[k->n]) {
        free(k->name[k->n]);
        free(k->country[k->n]);
        k->failed = 1;
        return -1;
    }
    k->n++;
    return 0;
}

int srv_keeper_on_shipment(const struct ckp_shipment *sh, void *ctx)
{
    srv_keeper *k = ctx;
    if (keep_one(k, sh->exporter, strlen(sh->exporter), sh->exporter_country) ||
        keep_one(k, sh->importer, strlen(sh->importer), sh->importer_country))
        return -1;
    for (const char *p = sh->parties ? sh->parties : ""; *p;) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (keep_one(k, p, n, -1))
            return -1;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

ckp_status srv_keeper_save(srv_cases *c, srv_keeper *k, const char *list_version,
                           const char *via, size_t *kept, ckp_error *err)
{
    if (kept)
        *kept = 0;
    if (k->failed)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                             "the counterparties could not all be kept (out of memory or "
                             "more than %d in one run): none kept", W_KEEP_MAX);
    if (k->n == 0)
        return CKP_OK; /* nothing to keep: no transaction, no fsync */
    sqlite3 *db = srv__cases_db(c);
    ckp_status st = CKP_OK;
    char now[32];
    w_now(now, sizeof now);
    sqlite3_stmt *q = NULL;
    pthread_mutex_lock(srv__cases_lock(c));
    /* Not fsync'd (WAL, synchronous=NORMAL for this transaction only, under
     * the lock every decision takes, so no decision commits meanwhile): a
     * power cut may lose the last runs' counterparties — the next screening
     * keeps them again — but never a decision, and a screening request does
     * not wait for the disk. */
    sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        st = w_dberr(db, "cannot start a transaction", err);
        goto out_unlock;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO counterparties(name, country, first_screened, "
                           "last_screened, list_version, via, screenings) VALUES(?1,?2,?3,?3,?4,?5,1) "
                           "ON CONFLICT(name, country) DO UPDATE SET last_screened=?3, "
                           "list_version=?4, via=?5, screenings=screenings+1",
                           -1, &q, NULL) != SQLITE_OK) {
        st = w_dberr(db, "cannot prepare", err);
        goto out_rollback;
    }
    for (size_t i = 0; i < k->n; i++) {
        if (w_run(q, "ttttt", k->name[i], k->country[i], now, list_version, via)) {
            st = w_dberr(db, "cannot keep a counterparty", err);
            goto out_rollback;
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        st = w_dberr(db, "cannot commit the counterparties", err);
        goto out_rollback;
    }
    if (kept)
        *kept = k->n;
    goto out_unlock;
out_rollback:
    sqlite3_finalize(q);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out_unlock:
    if (sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK && !st)
        st = w_dberr(db, "cannot restore synchronous=FULL", err);
    pthread_mutex_unlock(srv__cases_lock(c));
    return st;
}

/* ---- one list's version and delta ---------------------------------------------- */

typedef struct w_ent {
    const char *id;
    char fp[65];       /* SHA-256 of the sorted names and the identifiers */
    uint32_t party;    /* index in the lists (new entities) */
    int change;        /* W_* */
    const char *from;  /* merged: the old id it came from */
} w_ent;

enum { W_SAME = 0, W_ADDED, W_CHANGED, W_MERGED, W_MERGED_CHANGED, W_REMOVED };
static const char *const w_change_name[] = {"unchanged", "added", "changed", "merged",
                                            "merged+changed", "removed"};

static int w_ent_cmp(const void *a, const void *b)
{
    return strcmp(((const w_ent *)a)->id, ((const w_ent *)b)->id);
}

static w_ent *w_find(w_ent *v, size_t n, const char *id)
{
    if (n == 0)
        return NULL;
    w_ent key = {0};
    key.id = id;
    return bsearch(&key, v, n, sizeof *v, w_ent_cmp);
}

static int w_str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Fingerprints of every live party of l (sorted by id).  NULL when out of
 * memory. */
static w_ent *w_fingerprints(const ckp_lists *l, size_t *nout)
{
    size_t np = ckp_lists_party_count(l), nn = ckp_lists_name_count(l);
    uint32_t *start = calloc(np + 1, sizeof *start), *idx = calloc(nn + 1, sizeof *idx),
             *fill = calloc(np + 1, sizeof *fill);
    const char **names = calloc(nn + 1, sizeof *names);
    w_ent *v = calloc(np + 1, sizeof *v);
    size_t n = 0;
    if (!start || !idx || !fill || !names || !v)
        goto out_fail;
    for (size_t i = 0; i < nn; i++)
        start[ckp_lists_name(l, i)->party + 1]++;
    for (size_t i = 0; i < np; i++)
        start[i + 1] += start[i];
    for (size_t i = 0; i < nn; i++) {
        uint32_t p = ckp_lists_name(l, i)->party;
        idx[start[p] + fill[p]++] = (uint32_t)i;
    }
    for (size_t i = 0; i < np; i++) {
        const ckp_party *p = ckp_lists_party(l, i);
        if (p->deleted)
            continue;
        size_t k = 0;
        for (uint32_t j = start[i]; j < start[i + 1]; j++)
            names[k++] = ckp_lists_name(l, idx[j])->name;
        qsort(names, k, sizeof *names, w_str_cmp);
        /* names (unique, sorted), then the identifiers */
        size_t len = 0;
        for (size_t j = 0; j < k; j++)
            if (j == 0 || strcmp(names[j], names[j - 1]) != 0)
                len += strlen(names[j]) + 1;
        len += strlen(p->identifiers) + 2;
        char *buf = malloc(len + 1);
        if (!buf)
            goto out_fail;
        size_t o = 0;
        for (size_t j = 0; j < k; j++) {
            if (j > 0 && strcmp(names[j], names[j - 1]) == 0)
                continue;
            size_t sl = strlen(names[j]);
            memcpy(buf + o, names[j], sl);
            o += sl;
            buf[o++] = 0x1f;
        }
        buf[o++] = 0x1e;
        size_t il = strlen(p->identifiers);
        memcpy(buf + o, p->identifiers, il);
        o += il;
        int rc = srv_sha256_hex(buf, o, v[n].fp);
        free(buf);
        if (rc != 0)
            goto out_fail;
        v[n].id = p->id;
        v[n].party = (uint32_t)i;
        n++;
    }
    qsort(v, n, sizeof *v, w_ent_cmp);
    CKP_FREE_ALL(start, idx, fill, names);
    *nout = n;
    return v;
out_fail:
    CKP_FREE_ALL(start, idx, fill, names, v);
    return NULL;
}

/* The snapshot of list `key` kept by the last update (ids strdup'd). */
static ckp_status w_old_snapshot(srv_cases *c, const char *key, w_ent **out, size_t *nout,
                                 int *exists, ckp_error *err)
{
    sqlite3 *db = srv__cases_db(c);
    sqlite3_stmt *q = NULL;
    w_ent *v = NULL;
    size_t n = 0, cap = 0;
    ckp_status st = CKP_OK;
    *exists = 0;
    pthread_mutex_lock(srv__cases_lock(c));
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM list_versions WHERE list=?1", -1, &q,
                           NULL) != SQLITE_OK) {
        st = w_dberr(db, "cannot read the list versions", err);
        goto out;
    }
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        *exists = sqlite3_column_int(q, 0) > 0;
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT entity_id, fp FROM list_entities WHERE list=?1", -1, &q,
                           NULL) != SQLITE_OK) {
        st = w_dberr(db, "cannot read the list snapshot", err);
        goto out;
    }
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        st = CKP_ARRAY_RESERVE(v, cap, n + 1, W_ROWS_MAX, "list entities", err);
        if (st != CKP_OK)
            goto out;
        memset(&v[n], 0, sizeof v[n]);
        v[n].id = strdup((const char *)sqlite3_column_text(q, 0));
        snprintf(v[n].fp, sizeof v[n].fp, "%s", (const char *)sqlite3_column_text(q, 1));
        if (!v[n].id) {
            st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        n++;
    }
    if (rc != SQLITE_DONE)
        st = w_dberr(db, "cannot read the list snapshot", err);
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(srv__cases_lock(c));
    if (st != CKP_OK) {
        for (size_t i = 0; i < n; i++)
            free((char *)v[i].id);
        free(v);
        return st;
    }
    if (n)
        qsort(v, n, sizeof *v, w_ent_cmp);
    *out = v;
    *nout = n;
    return CKP_OK;
}

/* An alert to write. */
typedef struct w_alert {
    char id[24], decided_item[24];
    const char *cp, *country;
    const ckp_party *party;
    char matched[400];
    double score;
    char explanation[CKP_EXPLAIN_MAX];
    const char *fp;
    const char *status; /* "open", "cleared", "escalated" */
    const char *why;    /* "new", "reopened: …", "decided", "decision followed …" */
} w_alert;

typedef struct w_cp {
    char *name, *country;
} w_cp;

static ckp_status w_counterparties(srv_cases *c, w_cp **out, size_t *nout, ckp_error *err)
{
    sqlite3 *db = srv__cases_db(c);
    sqlite3_stmt *q = NULL;
    w_cp *v = NULL;
    size_t n = 0, cap = 0;
    ckp_status st = CKP_OK;
    pthread_mutex_lock(srv__cases_lock(c));
    if (sqlite3_prepare_v2(db, "SELECT name, country FROM counterparties ORDER BY name, country",
                           -1, &q, NULL) != SQLITE_OK) {
        st = w_dberr(db, "cannot read the counterparties", err);
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (CKP_ARRAY_RESERVE(v, cap, n + 1, W_KEEP_MAX, "counterparties", NULL) != CKP_OK)
            break;
        v[n].name = strdup((const char *)sqlite3_column_text(q, 0));
        v[n].country = strdup((const char *)sqlite3_column_text(q, 1));
        n++;
        if (!v[n - 1].name || !v[n - 1].country)
            break;
    }
    if (rc == SQLITE_ROW)
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    else if (rc != SQLITE_DONE)
        st = w_dberr(db, "cannot read the counterparties", err);
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(srv__cases_lock(c));
    if (st != CKP_OK) {
        for (size_t i = 0; i < n; i++) {
            free(v[i].name);
            free(v[i].country);
        }
        free(v);
        return st;
    }
    *out = v;
    *nout = n;
    return CKP_OK;
}

static void w_cps_free(w_cp *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].country);
    }
    free(v);
}

/* The status of an alert already kept, or NULL. */
static int w_alert_status(srv_cases *c, const char *id, char *status, size_t n,
                          char *decided_item, size_t dn)
{
    sqlite3 *db = srv__cases_db(c);
    sqlite3_stmt *q = NULL;
    int found = 0;
    pthread_mutex_lock(srv__cases_lock(c));
    if (sqlite3_prepare_v2(db, "SELECT status, decided_item FROM list_alerts WHERE id=?1", -1,
                           &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW) {
            snprintf(status, n, "%s", (const char *)sqlite3_column_text(q, 0));
            snprintf(decided_item, dn, "%s", (const char *)sqlite3_column_text(q, 1));
            found = 1;
        }
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(srv__cases_lock(c));
    return found;
}

static void w_alert_id(const char *cp, const char *country, const char *list, const char *eid,
                       char out[24])
{
    const char *parts[] = {"watch", cp, country, list, eid};
    char h[17];
    srv_hash_hex(parts, 5, h);
    snprintf(out, 24, "w-%s", h);
}

/* Decide what a hit of counterparty cp on delta entity e means: a standing
 * decision on the alert (or on the alert it inherited one from, or, for an
 * entity merged from another id, on that id's alert) made on the entity's
 * present names and identifiers stays; one made on others is stale and the
 * alert reopens; none: a new alert (or one still open). */
static void w_judge(srv_cases *c, const char *key, const w_cp *cp, const w_ent *e, w_alert *a,
                    srv_list_update *r)
{
    char dec[32], status[32] = "", item[24] = "";
    w_alert_id(cp->name, cp->country, key, e->id, a->id);
    snprintf(a->decided_item, sizeof a->decided_item, "%s", a->id);
    a->fp = e->fp;
    int kept = w_alert_status(c, a->id, status, sizeof status, item, sizeof item);
    const char *d = srv_cases_lookup(c, a->id, e->fp, dec, sizeof dec);
    if (!d && kept && item[0] && strcmp(item, a->id) != 0) {
        d = srv_cases_lookup(c, item, e->fp, dec, sizeof dec);
        if (d)
            snprintf(a->decided_item, sizeof a->decided_item, "%s", item);
    }
    if (!d && !kept && e->from) {
        /* merged: the decision on the old id's alert follows */
        char old[24], st2[32] = "", item2[24] = "";
        w_alert_id(cp->name, cp->country, key, e->from, old);
        if (w_alert_status(c, old, st2, sizeof st2, item2, sizeof item2) && item2[0])
            snprintf(old, sizeof old, "%s", item2);
        d = srv_cases_lookup(c, old, e->fp, dec, sizeof dec);
        if (d)
            snprintf(a->decided_item, sizeof a->decided_item, "%s", old);
        if (d && strcmp(d, "stale") != 0) {
            a->status = strcmp(d, "cleared") == 0 ? "cleared" : "escalated";
            a->why = "decision followed the entity from its merged id";
            r->kept_decided++;
            return;
        }
        if (!d && strcmp(st2, "open") == 0) {
            /* the old id's alert was open and undecided: it goes on under
             * the new id (the old one is marked merged), not a second alert */
            a->status = "open";
            a->why = "still open (the entity's id was merged into this one)";
            r->still_open++;
            return;
        }
    }
    if (d && strcmp(d, "stale") != 0) {
        a->status = strcmp(d, "cleared") == 0 ? "cleared" : "escalated";
        a->why = "decided; the entity's names and identifiers are those it was decided on";
        r->kept_decided++;
        return;
    }
    a->status = "open";
    if (d) {
        a->why = "reopened: the entity's names or identifiers changed since the decision";
        r->reopened++;
    } else if (kept && strcmp(status, "open") == 0) {
        a->why = "still open";
        r->still_open++;
    } else {
        a->why = "new";
        r->new_alerts++;
    }
}

ckp_status srv_lists_update_one(srv_cases *c, const char *key, const char *datadir,
                                const ckp_ref *ref, double threshold,
                                ckp_lists_progress_fn progress, void *progress_ctx,
                                srv_list_update *r, ckp_error *err)
{
    memset(r, 0, sizeof *r);
    snprintf(r->list, sizeof r->list, "%s", key);
    ckp_lists *l = NULL;
    ckp_index *ix = NULL;
    ckp_matcher *m = NULL;
    w_ent *nv = NULL, *ov = NULL;
    size_t nn = 0, on = 0, ncp = 0, nal = 0, cal = 0;
    w_cp *cps = NULL;
    w_alert *al = NULL;
    ckp_match_hit *hits = NULL;
    sqlite3_stmt *q = NULL;
    int locked = 0;
    ckp_list_stats ls;
    memset(&ls, 0, sizeof ls);
    ckp_status st = ckp_lists_new(&l, err);
    if (st == CKP_OK) {
        ckp_lists_set_progress(l, progress, progress_ctx);
        st = ckp_lists_load_spec(l, key, datadir, ref, &ls, err);
    }
    if (st == CKP_OK)
        st = ckp_index_build(l, &ix, err);
    if (st != CKP_OK)
        goto out;
    r->bad_rows = (long long)ls.bad;
    snprintf(r->first_bad, sizeof r->first_bad, "%s", ls.first_bad);
    r->names = (long long)ckp_lists_name_count(l);
    nv = w_fingerprints(l, &nn);
    if (!nv) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    r->entities = (long long)nn;
    /* the version's hash: the entities as loaded */
    {
        char *buf = malloc(nn * 66 + 1);
        if (!buf) {
            st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        size_t o = 0;
        for (size_t i = 0; i < nn; i++) {
            memcpy(buf + o, nv[i].fp, 64);
            o += 64;
            buf[o++] = '\n';
        }
        int rc = srv_sha256_hex(buf, o, r->hash);
        free(buf);
        if (rc) {
            st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "SHA-256 failed");
            goto out;
        }
    }
    int existed = 0;
    st = w_old_snapshot(c, key, &ov, &on, &existed, err);
    if (st != CKP_OK)
        goto out;
    r->first = !existed;
    /* the delta */
    for (size_t i = 0; i < nn; i++) {
        w_ent *o = w_find(ov, on, nv[i].id);
        if (o) {
            o->change = -1; /* seen */
            if (strcmp(o->fp, nv[i].fp) != 0) {
                nv[i].change = W_CHANGED;
                r->changed++;
            }
        }
    }
    for (size_t i = 0; i < nn; i++) {
        if (w_find(ov, on, nv[i].id))
            continue;
        /* an id merged into this one: a referent the old version had and the
         * new one no longer lists on its own */
        const char *refs = ckp_lists_party(l, nv[i].party)->referents;
        w_ent *from = NULL;
        for (const char *p = refs; *p && !from;) {
            const char *e = strchr(p, ';');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            char id[300];
            snprintf(id, sizeof id, "%.*s", (int)(n < sizeof id ? n : sizeof id - 1), p);
            w_ent *o = w_find(ov, on, id);
            if (o && o->change != -1 && o->change != W_MERGED)
                from = o;
            p += n;
            while (*p == ';' || *p == ' ')
                p++;
        }
        if (from) {
            from->change = W_MERGED; /* consumed: not removed */
            nv[i].from = from->id;
            nv[i].change = strcmp(from->fp, nv[i].fp) == 0 ? W_MERGED : W_MERGED_CHANGED;
            r->merged++;
        } else {
            nv[i].change = W_ADDED;
            r->added++;
        }
    }
    for (size_t i = 0; i < on; i++)
        if (ov[i].change == 0) {
            ov[i].change = W_REMOVED;
            r->removed++;
        }
    /* re-screen the counterparties against the delta: matched with the whole
     * list's index (the scores a full screen gives), hits kept only on
     * entities added, changed or merged */
    st = w_counterparties(c, &cps, &ncp, err);
    if (st != CKP_OK)
        goto out;
    r->rescreened = (long long)ncp;
    int delta = r->added + r->changed + r->merged > 0;
    hits = calloc(W_HITS, sizeof *hits);
    if (!hits) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    if (delta && ncp > 0) {
        st = ckp_matcher_new(ix, &m, err);
        if (st != CKP_OK)
            goto out;
    }
    for (size_t i = 0; delta && i < ncp; i++) {
        ckp_match_opts o;
        ckp_match_opts_init(&o);
        o.threshold = threshold;
        o.limit = W_HITS;
        o.country = cps[i].country[0] ? cps[i].country : NULL;
        int nh = ckp_match(m, cps[i].name, strlen(cps[i].name), &o, hits, W_HITS);
        if (ckp_match_query_cut(m)) {
            r->not_compared++; /* too long to compare whole: said, not passed */
            continue;
        }
        if (nh >= W_HITS)
            r->capped++;
        for (int h = 0; h < nh; h++) {
            w_ent *e = w_find(nv, nn, hits[h].party->id);
            if (!e || e->change == W_SAME)
                continue;
            st = CKP_ARRAY_RESERVE(al, cal, nal + 1, W_ROWS_MAX, "alerts", err);
            if (st != CKP_OK)
                goto out;
            w_alert *a = &al[nal++];
            memset(a, 0, sizeof *a);
            a->cp = cps[i].name;
            a->country = cps[i].country;
            a->party = hits[h].party;
            a->score = hits[h].score;
            snprintf(a->matched, sizeof a->matched, "%s", hits[h].matched_name);
            snprintf(a->explanation, sizeof a->explanation, "%s", hits[h].explanation);
            w_judge(c, key, &cps[i], e, a, r);
        }
    }
    /* write it all in one transaction */
    sqlite3 *db = srv__cases_db(c);
    char now[32];
    w_now(now, sizeof now);
    snprintf(r->at, sizeof r->at, "%s", now);
    pthread_mutex_lock(srv__cases_lock(c));
    locked = 1;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        st = w_dberr(db, "cannot start a transaction", err);
        goto out;
    }
    if (w_prepare(db, &q,
                  "INSERT INTO list_versions(list, hash, at, entities, names, bad_rows, "
                  "added, removed, changed, merged, rescreened, new_alerts, reopened, "
                  "kept_decided, first_bad) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,"
                  "?12,?13,?14,?15)") ||
        w_run(q, "tttiiiiiiiiiiit", key, r->hash, now, r->entities, r->names, r->bad_rows,
              r->added, r->removed, r->changed, r->merged, r->rescreened, r->new_alerts,
              r->reopened, r->kept_decided, r->first_bad))
        goto out_db;
    r->seq = sqlite3_last_insert_rowid(db);
    if (w_prepare(db, &q,
                  "INSERT INTO list_changes(seq, entity_id, change, from_id, name) "
                  "VALUES(?1,?2,?3,?4,?5)"))
        goto out_db;
    for (size_t i = 0; i < nn + on; i++) {
        const w_ent *e = i < nn ? &nv[i] : &ov[i - nn];
        int ch = i < nn ? e->change : (e->change == W_REMOVED ? W_REMOVED : 0);
        if (ch != W_SAME &&
            w_run(q, "itttt", r->seq, e->id, w_change_name[ch], e->from ? e->from : "",
                  i < nn ? ckp_lists_party(l, e->party)->name : ""))
            goto out_db;
    }
    if (w_prepare(db, &q, "DELETE FROM list_entities WHERE list=?1") || w_run(q, "t", key) ||
        w_prepare(db, &q, "INSERT INTO list_entities(list, entity_id, fp) VALUES(?1,?2,?3)"))
        goto out_db;
    for (size_t i = 0; i < nn; i++)
        if (w_run(q, "ttt", key, nv[i].id, nv[i].fp))
            goto out_db;
    if (w_prepare(db, &q,
                  "INSERT INTO list_alerts(id, decided_item, counterparty, country, list, "
                  "entity_id, entity_name, matched_name, score, explanation, entry_hash, "
                  "status, why, version_seq, at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
                  "?11,?12,?13,?14,?15) ON CONFLICT(id) DO UPDATE SET "
                  "decided_item=?2, entity_name=?7, matched_name=?8, score=?9, "
                  "explanation=?10, entry_hash=?11, status=?12, why=?13, "
                  "version_seq=?14, at=?15"))
        goto out_db;
    for (size_t i = 0; i < nal; i++) {
        const w_alert *a = &al[i];
        if (w_run(q, "ttttttttdttttit", a->id, a->decided_item, a->cp, a->country, key,
                  a->party->id, a->party->name, a->matched, a->score, a->explanation, a->fp,
                  a->status, a->why, r->seq, now))
            goto out_db;
    }
    /* alerts on an id merged into another go on under the new id */
    if (w_prepare(db, &q,
                  "UPDATE list_alerts SET status='merged', why='the entity''s id was "
                  "merged into ' || ?3, version_seq=?4, at=?5 WHERE list=?1 AND "
                  "entity_id=?2 AND status IN ('open','cleared','escalated')"))
        goto out_db;
    for (size_t i = 0; i < nn; i++)
        if (nv[i].from && w_run(q, "tttit", key, nv[i].from, nv[i].id, r->seq, now))
            goto out_db;
    /* alerts on entities no longer listed: withdrawn, kept for the record */
    if (w_prepare(db, &q,
                  "UPDATE list_alerts SET status='delisted', why='the entity left the "
                  "list', version_seq=?3, at=?4 WHERE list=?1 AND entity_id=?2 AND "
                  "status='open'"))
        goto out_db;
    for (size_t i = 0; i < on; i++) {
        if (ov[i].change != W_REMOVED)
            continue;
        if (w_run(q, "ttit", key, ov[i].id, r->seq, now))
            goto out_db;
        r->delisted += sqlite3_changes(db);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto out_db;
    goto out;
out_db:
    st = w_dberr(db, "cannot record the list version", err);
    sqlite3_finalize(q);
    q = NULL;
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
    sqlite3_finalize(q);
    if (locked)
        pthread_mutex_unlock(srv__cases_lock(c));
    for (size_t i = 0; i < on; i++)
        free((char *)ov[i].id);
    CKP_FREE_ALL(ov, nv, al, hits);
    w_cps_free(cps, ncp);
    ckp_matcher_free(m);
    ckp_index_free(ix);
    ckp_lists_free(l);
    return st;
}

/* ---- the API: GET /api/lists, GET /api/alerts ------------------------------------ */

static json_t *w_row(sqlite3_stmt *q)
{
    json_t *o = json_object();
    int n = sqlite3_column_count(q);
    for (int i = 0; o && i < n; i++) {
        const char *name = sqlite3_column_name(q, i);
        switch (sqlite3_column_type(q, i)) {
        case SQLITE_INTEGER:
            json_object_set_new(o, name, json_integer(sqlite3_column_int64(q, i)));
            break;
        case SQLITE_FLOAT:
            json_object_set_new(o, name, json_real(sqlite3_column_double(q, i)));
            break;
        case SQLITE_NULL:
            json_object_set_new(o, name, json_null());
            break;
        default:
            json_object_set_new(o, name, json_string((const char *)sqlite3_column_text(q, i)));
        }
    }
    return o;
}

/* Rows of sql (binding text b1 when given) as a JSON array, up to max; *more
 * = 1 when there were more. */
static ckp_status w_rows(srv_cases *c, const char *sql, const char *b1, long max, json_t **out,
                         int *more, ckp_error *err)
{
    sqlite3 *db = srv__cases_db(c);
    sqlite3_stmt *q = NULL;
    json_t *arr = json_array();
    ckp_status st = CKP_OK;
    *more = 0;
    pthread_mutex_lock(srv__cases_lock(c));
    if (!arr || sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        st = w_dberr(db, "cannot read the list versions", err);
        goto out;
    }
    if (b1)
        sqlite3_bind_text(q, 1, b1, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((long)json_array_size(arr) >= max) {
            *more = 1;
            rc = SQLITE_DONE;
            break;
        }
        json_t *o = w_row(q);
        if (!o || json_array_append_new(arr, o) != 0) {
            st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
    }
    if (rc != SQLITE_DONE)
        st = w_dberr(db, "cannot read the list versions", err);
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(srv__cases_lock(c));
    if (st != CKP_OK) {
        json_decref(arr);
        return st;
    }
    *out = arr;
    return CKP_OK;
}

ckp_status srv_lists_json(srv_cases *c, const char *version, json_t **out, ckp_error *err)
{
    json_t *versions = NULL, *changes = NULL;
    int more = 0, more2 = 0;
    ckp_status st = w_rows(c, "SELECT seq AS version, list, hash, at, entities, names, bad_rows, "
                              "first_bad, added, removed, changed, merged, rescreened, "
                              "new_alerts, reopened, kept_decided FROM list_versions "
                              "ORDER BY seq DESC",
                           NULL, 1000, &versions, &more, err);
    if (st == CKP_OK && version)
        st = w_rows(c, "SELECT entity_id, change, from_id, name FROM list_changes WHERE "
                       "seq=CAST(?1 AS INTEGER) ORDER BY change, entity_id",
                    version, 10000, &changes, &more2, err);
    if (st != CKP_OK) {
        json_decref(versions);
        return st;
    }
    *out = json_pack("{s:o,s:b}", "versions", versions, "versions_truncated", more);
    if (*out && changes) {
        json_object_set_new(*out, "changes", changes);
        json_object_set_new(*out, "changes_truncated", json_boolean(more2));
    }
    return *out ? CKP_OK : ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
}

ckp_status srv_alerts_json(srv_cases *c, const char *status, json_t **out, ckp_error *err)
{
    json_t *rows = NULL;
    int more = 0;
    ckp_status st = w_rows(c, "SELECT id, decided_item, counterparty, country, list, entity_id, "
                              "entity_name, matched_name, score, explanation, entry_hash, "
                              "status, why, version_seq AS version, at FROM list_alerts "
                              "ORDER BY version_seq DESC, id",
                           NULL, 100000, &rows, &more, err);
    if (st != CKP_OK)
        return st;
    /* the standing decision, now: on the alert itself, else the one it
     * inherited (a merge); a decision made on other names is stale */
    json_t *keep = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *id = json_string_value(json_object_get(r, "id"));
        const char *inh = json_string_value(json_object_get(r, "decided_item"));
        const char *eh = json_string_value(json_object_get(r, "entry_hash"));
        char dec[32];
        const char *d = srv_cases_lookup(c, id, eh, dec, sizeof dec);
        if (!d && inh && strcmp(inh, id) != 0)
            d = srv_cases_lookup(c, inh, eh, dec, sizeof dec);
        json_object_set_new(r, "decision", d ? json_string(d) : json_null());
        const char *stored = json_string_value(json_object_get(r, "status"));
        int open = strcmp(stored, "delisted") != 0 && strcmp(stored, "merged") != 0 &&
                   (!d || strcmp(d, "stale") == 0);
        json_object_set_new(r, "open", json_boolean(open));
        if (!status || strcmp(status, "all") == 0 || (strcmp(status, "open") == 0) == open)
            json_array_append(keep, r);
    }
    json_decref(rows);
    *out = json_pack("{s:o,s:b}", "rows", keep, "truncated", more);
    return *out ? CKP_OK : ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
}

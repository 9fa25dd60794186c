/* comtrade_fetch.c — the calls of a plan (comtrade_plan.c) answered from the
 * cache or over HTTP with libcurl, then ingested all at once (fetch.h). */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "chokepoint/fetch.h"

#define EXCERPT 240 /* bytes of an error answer quoted in the message */

/* mkdir -p */
static ckp_status make_dirs(const char *dir, ckp_error *err)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n >= sizeof p)
        return ckp_error_set(err, CKP_ELIMIT, dir, 0, 0, "cache path too long");
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != 0)
            continue;
        char c = p[i];
        p[i] = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return ckp_error_set(err, CKP_EIO, p, 0, 0, "cannot create the cache directory: %s",
                                 strerror(errno));
        p[i] = c;
    }
    return CKP_OK;
}

/* ---- one HTTP answer into a file ------------------------------------------ */

typedef struct sink {
    FILE *f;
    long long bytes;
    char head[EXCERPT + 1]; /* the first bytes, for messages */
    size_t nhead;
    int too_big, write_failed;
    char last; /* the last non-blank byte */
} sink;

static size_t on_data(char *data, size_t size, size_t nmemb, void *ctx)
{
    sink *s = ctx;
    size_t n = size * nmemb;
    if (s->bytes + (long long)n > CKP_FETCH_MAX_BODY) {
        s->too_big = 1;
        return 0; /* curl stops with CURLE_WRITE_ERROR */
    }
    if (s->nhead < EXCERPT) {
        size_t k = n < EXCERPT - s->nhead ? n : EXCERPT - s->nhead;
        memcpy(s->head + s->nhead, data, k);
        s->nhead += k;
        s->head[s->nhead] = 0;
    }
    for (size_t i = n; i > 0; i--)
        if (data[i - 1] != ' ' && data[i - 1] != '\n' && data[i - 1] != '\r' &&
            data[i - 1] != '\t') {
            s->last = data[i - 1];
            break;
        }
    if (fwrite(data, 1, n, s->f) != n) {
        s->write_failed = 1;
        return 0;
    }
    s->bytes += (long long)n;
    return n;
}

/* The answer's first bytes, on one line, for a message. */
static const char *excerpt(sink *s)
{
    for (size_t i = 0; i < s->nhead; i++)
        if (s->head[i] == '\n' || s->head[i] == '\r' || s->head[i] == '\t')
            s->head[i] = ' ';
    return s->nhead ? s->head : "(no body)";
}

typedef struct runner {
    const ckp_fetch_plan *plan;
    const ckp_fetch_opts *opts;
    ckp_fetch_stats *stats;
    ckp_fetch_progress pg;
    CURL *curl;
    struct curl_slist *headers;
    unsigned char *state; /* per call: 0 to answer, 1 from the cache, 2 called */
    size_t nstate;
} runner;

/* state[] as long as the plan (a split adds calls), new ones 0. */
static ckp_status grow_state(runner *r, ckp_error *err)
{
    if (r->nstate >= r->plan->ncalls)
        return CKP_OK;
    unsigned char *s = realloc(r->state, r->plan->ncalls);
    if (!s)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    memset(s + r->nstate, 0, r->plan->ncalls - r->nstate);
    r->state = s;
    r->nstate = r->plan->ncalls;
    return CKP_OK;
}

static void report(runner *r)
{
    if (r->opts->progress)
        r->opts->progress(&r->pg, r->opts->progress_ctx);
}

/* Sleep secs seconds, telling the progress bar each second. */
static void wait_for(runner *r, long secs)
{
    for (long left = secs; left > 0; left--) {
        r->pg.waiting = (int)left;
        report(r);
        struct timespec ts = {1, 0};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    r->pg.waiting = 0;
}

/* One call: GET into tmp; retried on 429/503.  CKP_OK with the body
 * complete in tmp; any other answer is an error naming the call. */
static ckp_status get_one(runner *r, size_t i, const char *tmp, ckp_error *err)
{
    const ckp_fetch_call *c = &r->plan->calls[i];
    char where[64];
    snprintf(where, sizeof where, "call %zu of %zu", i + 1, r->plan->ncalls);
    for (int attempt = 1;; attempt++) {
        sink s;
        memset(&s, 0, sizeof s);
        s.f = fopen(tmp, "wb");
        if (!s.f)
            return ckp_error_set(err, CKP_EIO, tmp, 0, 0, "cannot write: %s", strerror(errno));
        char cerr[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(r->curl, CURLOPT_URL, c->url);
        curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, cerr);
        CURLcode cc = curl_easy_perform(r->curl);
        int closed = fclose(s.f);
        long status = 0;
        curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
        r->pg.status = (int)status;
        if (s.too_big)
            return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                                 "%s: the answer is larger than %lld bytes (%s)", where,
                                 (long long)CKP_FETCH_MAX_BODY, c->url);
        if (s.write_failed || closed != 0)
            return ckp_error_set(err, CKP_EIO, tmp, 0, 0, "cannot write the answer: %s",
                                 strerror(errno));
        if (cc != CURLE_OK)
            return ckp_error_set(err, CKP_EIO, NULL, 0, 0,
                                 "%s: %s%s%s (%s); the answers fetched so far are cached: a "
                                 "re-run goes on from here",
                                 where, curl_easy_strerror(cc), *cerr ? ": " : "", cerr, c->url);
        if (status == 429 || status == 503) {
            curl_off_t after = -1;
            if (curl_easy_getinfo(r->curl, CURLINFO_RETRY_AFTER, &after) != CURLE_OK)
                after = -1;
            if (attempt >= CKP_FETCH_MAX_TRIES)
                return ckp_error_set(err, CKP_EIO, NULL, 0, 0,
                                     "%s: HTTP %ld (%s) %d times in a row; giving up — the "
                                     "answers fetched so far are cached: re-run later (%s)",
                                     where, status, status == 429 ? "too many requests"
                                                                  : "service unavailable",
                                     attempt, c->url);
            long secs = after > 0 ? (long)after : 1L << (attempt - 1);
            if (secs > CKP_FETCH_MAX_WAIT)
                return ckp_error_set(err, CKP_EIO, NULL, 0, 0,
                                     "%s: HTTP %ld; the API asks to wait %ld s (Retry-After), "
                                     "more than %d s — the answers fetched so far are cached: "
                                     "re-run later (%s)",
                                     where, status, secs, CKP_FETCH_MAX_WAIT, c->url);
            r->stats->retries++;
            wait_for(r, secs);
            continue;
        }
        if (status == 401)
            return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                                 "%s: HTTP 401: the API refused the subscription key (--key or "
                                 "$COMTRADE_KEY): %s",
                                 where, excerpt(&s));
        if (status == 403)
            return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                                 "%s: HTTP 403: access denied (the key's subscription does not "
                                 "cover this call, or its quota is spent): %s (%s)",
                                 where, excerpt(&s), c->url);
        if (status >= 500)
            return ckp_error_set(err, CKP_EIO, NULL, 0, 0,
                                 "%s: HTTP %ld: the API failed (server error): %s (%s); the "
                                 "answers fetched so far are cached: a re-run goes on from here",
                                 where, status, excerpt(&s), c->url);
        if (status != 200)
            return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "%s: HTTP %ld: %s (%s)", where,
                                 status, excerpt(&s), c->url);
        if (s.bytes == 0 || s.last == 0)
            return ckp_error_set(err, CKP_EPARSE, NULL, 0, 0,
                                 "%s: the API answered HTTP 200 with an empty body (%s)", where,
                                 c->url);
        if (s.head[0] != '{' && !(s.nhead > 0 && strchr(" \t\r\n", s.head[0]) &&
                                  strchr(s.head, '{')))
            return ckp_error_set(err, CKP_EPARSE, NULL, 0, 0,
                                 "%s: the answer is not a JSON object: %s (%s)", where,
                                 excerpt(&s), c->url);
        if (s.last != '}')
            return ckp_error_set(err, CKP_EPARSE, NULL, 0, 0,
                                 "%s: the answer breaks off after %lld bytes (it does not end "
                                 "its JSON object: a truncated download) (%s)",
                                 where, s.bytes, c->url);
        return CKP_OK;
    }
}

static ckp_status curl_setup(runner *r, ckp_error *err)
{
    static int global_done;
    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return ckp_error_set(err, CKP_EIO, NULL, 0, 0, "libcurl cannot be initialised");
        global_done = 1;
    }
    r->curl = curl_easy_init();
    if (!r->curl)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "libcurl cannot be initialised");
    if (r->opts->key) {
        char h[512];
        int k = snprintf(h, sizeof h, "Ocp-Apim-Subscription-Key: %s", r->opts->key);
        if (k < 0 || (size_t)k >= sizeof h || strpbrk(r->opts->key, "\r\n"))
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "the subscription key is too long or holds a line end");
        r->headers = curl_slist_append(NULL, h);
        if (!r->headers)
            return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    r->headers = curl_slist_append(r->headers, "Accept: application/json");
    curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(r->curl, CURLOPT_USERAGENT, "chokepoint (libcurl)");
    curl_easy_setopt(r->curl, CURLOPT_ACCEPT_ENCODING, ""); /* gzip when offered */
    curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_LIMIT, 1L); /* stalled 120 s = an error */
    curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_TIME, 120L);
    curl_easy_setopt(r->curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    return CKP_OK;
}

/* ---- the run ------------------------------------------------------------------ */

static void iso_time(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Remove the partial downloads of path ("path.part.PID") a killed run left:
 * those whose process is gone (a running fetch's own is kept). */
static void drop_stale_parts(const char *path)
{
    char pattern[4200];
    snprintf(pattern, sizeof pattern, "%s.part.*", path);
    glob_t g;
    if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
        return;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *dot = strrchr(g.gl_pathv[i], '.');
        char *end;
        long pid = dot ? strtol(dot + 1, &end, 10) : 0;
        if (pid > 0 && *end == 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            unlink(g.gl_pathv[i]);
    }
    globfree(&g);
}

static ckp_status answer_all(runner *r, ckp_error *err)
{
    const ckp_fetch_plan *plan = r->plan;
    ckp_status st = make_dirs(r->opts->cache_dir, err);
    if (st == CKP_OK)
        st = grow_state(r, err);
    if (st != CKP_OK)
        return st;
    r->pg.ncalls = plan->ncalls;
    for (size_t i = 0; i < plan->ncalls; i++) {
        char path[4096], tmp[4200];
        if (r->state[i]) /* answered in an earlier round of this run */
            continue;
        st = ckp_fetch_cache_path(r->opts->cache_dir, &plan->calls[i], path, sizeof path, err);
        if (st != CKP_OK)
            return st;
        r->pg.call = i;
        struct stat sb;
        if (!r->opts->refresh && stat(path, &sb) == 0) {
            r->state[i] = 1;
            r->pg.cached++;
        } else {
            if (!r->opts->key)
                return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                     "call %zu of %zu is not in the cache and no subscription "
                                     "key was given (--key K or $COMTRADE_KEY)",
                                     i + 1, plan->ncalls);
            if (!r->curl) {
                st = curl_setup(r, err);
                if (st != CKP_OK)
                    return st;
            }
            report(r);
            drop_stale_parts(path);
            snprintf(tmp, sizeof tmp, "%s.part.%ld", path, (long)getpid());
            st = get_one(r, i, tmp, err);
            if (st != CKP_OK) {
                unlink(tmp);
                return st;
            }
            if (rename(tmp, path) != 0) {
                st = ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot write to the cache: %s",
                                   strerror(errno));
                unlink(tmp);
                return st;
            }
            r->state[i] = 2;
            r->stats->called++;
            r->pg.called++;
            if (stat(path, &sb) != 0)
                return ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot read back: %s",
                                     strerror(errno));
        }
        time_t t = sb.st_mtime;
        if (!r->stats->first_fetch || t < r->stats->first_fetch)
            r->stats->first_fetch = t;
        if (t > r->stats->last_fetch)
            r->stats->last_fetch = t;
    }
    r->pg.call = plan->ncalls;
    return CKP_OK;
}

/* The source's provenance line (store.h: one line, no tab). */
static char *provenance(const runner *r)
{
    const ckp_fetch_plan *p = r->plan;
    char t0[32], t1[32];
    iso_time(r->stats->first_fetch, t0);
    iso_time(r->stats->last_fetch, t1);
    const char *fmt = "UN Comtrade API v1 get %s (%s/data/v1/get; %zu call%s, %llu records); "
                      "fetched %s%s%s by chokepoint fetch comtrade";
    int same = strcmp(t0, t1) == 0;
    int n = snprintf(NULL, 0, fmt, p->summary, p->base, p->ncalls, p->ncalls == 1 ? "" : "s",
                     (unsigned long long)r->stats->records, t0, same ? "" : " to ",
                     same ? "" : t1);
    if (n < 0 || n > CKP_STORE_MAX_PROVENANCE) { /* a long code list: the query in short */
        fmt = "UN Comtrade API v1 get (%s/data/v1/get; %zu call%s, %llu records; the query "
              "is too long to record: see the cache); fetched %s%s%s by chokepoint fetch "
              "comtrade";
        n = snprintf(NULL, 0, fmt, p->base, p->ncalls, p->ncalls == 1 ? "" : "s",
                     (unsigned long long)r->stats->records, t0, same ? "" : " to ",
                     same ? "" : t1);
        if (n < 0 || n > CKP_STORE_MAX_PROVENANCE)
            return NULL;
        char *s = malloc((size_t)n + 1);
        if (s)
            snprintf(s, (size_t)n + 1, fmt, p->base, p->ncalls, p->ncalls == 1 ? "" : "s",
                     (unsigned long long)r->stats->records, t0, same ? "" : " to ",
                     same ? "" : t1);
        return s;
    }
    char *s = malloc((size_t)n + 1);
    if (s)
        snprintf(s, (size_t)n + 1, fmt, p->summary, p->base, p->ncalls,
                 p->ncalls == 1 ? "" : "s", (unsigned long long)r->stats->records, t0,
                 same ? "" : " to ", same ? "" : t1);
    return s;
}

/* The source's provenance after this fetch: its earlier fetches (entries
 * joined by " | ", oldest first) with this one appended — an earlier fetch
 * of the same query (the text before " (") is replaced by it.  Past
 * CKP_STORE_MAX_PROVENANCE the oldest entries give way, and a first entry
 * says how many: "N earlier fetches not listed".  NULL when out of memory. */
#define PROV_SEP " | "
#define PROV_DROPPED " earlier fetches not listed"

static char *merge_provenance(const char *old, const char *entry)
{
    const char *ent[256];
    size_t len[256], n = 0;
    long dropped = 0;
    size_t key = strcspn(entry, "(");
    for (const char *p = old; p && *p;) {
        const char *e = strstr(p, PROV_SEP);
        size_t k = e ? (size_t)(e - p) : strlen(p);
        char *end;
        long d = strtol(p, &end, 10);
        if (end != p && (size_t)(end - p) + strlen(PROV_DROPPED) == k &&
            strncmp(end, PROV_DROPPED, strlen(PROV_DROPPED)) == 0)
            dropped += d;
        else if (k > key && strncmp(p, entry, key) == 0 && p[key] == '(')
            ; /* the same query fetched again: this fetch replaces it */
        else if (n < 255) {
            ent[n] = p;
            len[n++] = k;
        } else
            dropped++;
        p = e ? e + strlen(PROV_SEP) : p + k;
    }
    ent[n] = entry;
    len[n++] = strlen(entry);
    size_t first = 0;
    for (;;) {
        char head[48] = "";
        long d = dropped + (long)first;
        if (d)
            snprintf(head, sizeof head, "%ld%s" PROV_SEP, d, PROV_DROPPED);
        size_t total = strlen(head);
        for (size_t i = first; i < n; i++)
            total += len[i] + (i > first ? strlen(PROV_SEP) : 0);
        if (total > CKP_STORE_MAX_PROVENANCE && first + 1 < n) {
            first++;
            continue;
        }
        char *out = malloc(total + 1);
        if (!out)
            return NULL;
        size_t o = strlen(head);
        memcpy(out, head, o);
        for (size_t i = first; i < n; i++) {
            if (i > first) {
                memcpy(out + o, PROV_SEP, strlen(PROV_SEP));
                o += strlen(PROV_SEP);
            }
            memcpy(out + o, ent[i], len[i]);
            o += len[i];
        }
        out[o] = 0;
        return out;
    }
}

/* What the store holds as the provenance of source name (a copy), NULL
 * when none (or no store yet). */
static char *stored_provenance(const char *dir, const ckp_ref *ref, const char *name)
{
    ckp_store *s;
    ckp_error e;
    ckp_error_clear(&e);
    if (ckp_store_open(dir, ref, &s, &e) != CKP_OK)
        return NULL;
    char *out = NULL;
    for (int i = 0; i < ckp_store_source_count(s); i++)
        if (strcmp(ckp_store_source_name(s, i), name) == 0 && ckp_store_source_provenance(s, i))
            out = strdup(ckp_store_source_provenance(s, i));
    ckp_store_close(s);
    return out;
}

static ckp_status ingest_all(runner *r, const ckp_ref *ref, size_t *capped, ckp_error *err)
{
    const ckp_fetch_plan *plan = r->plan;
    ckp_ingest_opts io;
    ckp_ingest_opts_init(&io);
    io.format = CKP_INGEST_COMTRADE_JSON;
    io.source = r->opts->source ? r->opts->source : "comtrade-api";
    io.synthetic = 0;
    io.rejects = r->opts->rejects;
    r->pg.ingesting = 1;
    report(r);
    /* an answer holding max_records records may have been cut by the API */
    ckp_ingest *ing;
    ckp_status st = ckp_ingest_begin(r->opts->store, ref, &io, &ing, err);
    if (st != CKP_OK)
        return st;
    uint64_t before = 0, malformed = 0;
    for (size_t i = 0; i < plan->ncalls; i++) {
        char path[4096];
        st = ckp_fetch_cache_path(r->opts->cache_dir, &plan->calls[i], path, sizeof path, err);
        if (st == CKP_OK)
            st = ckp_ingest_file(ing, path, err);
        if (st != CKP_OK) {
            ckp_ingest_abort(ing);
            if (st == CKP_EPARSE && unlink(path) == 0) {
                ckp_error e = *err;
                ckp_error_set(err, st, e.file, e.line, e.col,
                              "%.600s — the answer to call %zu of %zu (%s) is removed from the "
                              "cache; a re-run asks for it again",
                              e.msg, i + 1, plan->ncalls, plan->calls[i].url);
            }
            return st;
        }
        const ckp_ingest_stats *is = ckp_ingest_get_stats(ing);
        uint64_t now = is->rows_read;
        uint64_t got = now - before;
        before = now;
        /* a record that is not JSON is a dirty row in a file, but in an
         * answer of the API it is a broken answer: refused, asked again */
        uint64_t bad = is->by_reason[CKP_REJ_MALFORMED] - malformed;
        malformed = is->by_reason[CKP_REJ_MALFORMED];
        if (bad) {
            ckp_ingest_abort(ing);
            unlink(path);
            return ckp_error_set(err, CKP_EPARSE, path, 0, 0,
                                 "%llu of its %llu records is not valid JSON: a broken answer "
                                 "to call %zu of %zu (%s); it is removed from the cache, a "
                                 "re-run asks for it again",
                                 (unsigned long long)bad, (unsigned long long)got, i + 1,
                                 plan->ncalls, plan->calls[i].url);
        }
        if (got >= (uint64_t)plan->max_records) { /* may be cut: to be split */
            ckp_ingest_abort(ing);
            *capped = i;
            return ckp_error_set(err, CKP_ELIMIT, path, 0, 0,
                                 "call %zu of %zu came back with %llu records, the API's cap "
                                 "per call (maxRecords=%ld): the answer may be cut (%s)",
                                 i + 1, plan->ncalls, (unsigned long long)got,
                                 plan->max_records, plan->calls[i].url);
        }
    }
    r->stats->records = before;
    if (before == 0) {
        ckp_ingest_abort(ing);
        return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                             "the API holds no record for this query (%zu call%s, every answer "
                             "empty): nothing was stored",
                             plan->ncalls, plan->ncalls == 1 ? "" : "s");
    }
    char *entry = provenance(r);
    /* read under the writers' lock (ckp_ingest_begin holds it) */
    char *was = entry ? stored_provenance(r->opts->store, ref, io.source) : NULL;
    char *prov = entry ? merge_provenance(was, entry) : NULL;
    free(entry);
    free(was);
    if (!prov) {
        ckp_ingest_abort(ing);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    st = ckp_ingest_set_provenance(ing, prov, err);
    free(prov);
    if (st != CKP_OK) {
        ckp_ingest_abort(ing);
        return st;
    }
    return ckp_ingest_commit(ing, &r->stats->ingest, err);
}

ckp_status ckp_fetch_run(const ckp_ref *ref, ckp_fetch_plan *plan,
                         const ckp_fetch_opts *opts, ckp_fetch_stats *stats, ckp_error *err)
{
    memset(stats, 0, sizeof *stats);
    runner r;
    memset(&r, 0, sizeof r);
    r.plan = plan;
    r.opts = opts;
    r.stats = stats;
    r.pg.ncalls = plan->ncalls;
    if (!opts->cache_dir)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "no cache directory");
    ckp_status st;
    for (;;) {
        st = answer_all(&r, err);
        if (st != CKP_OK)
            break;
        size_t capped = (size_t)-1;
        st = ingest_all(&r, ref, &capped, err);
        if (st == CKP_OK || capped == (size_t)-1)
            break;
        /* an answer at the record cap: ask for each half of it instead */
        st = ckp_fetch_plan_split(plan, capped, err);
        if (st != CKP_OK)
            break;
        r.state[capped] = 0;
        r.pg.ingesting = 0;
    }
    if (r.curl)
        curl_easy_cleanup(r.curl);
    curl_slist_free_all(r.headers);
    stats->calls = plan->ncalls;
    for (size_t i = 0; i < r.nstate && i < plan->ncalls; i++)
        stats->cached += r.state[i] == 1;
    stats->splits = plan->splits;
    free(r.state);
    r.pg.done = 1;
    report(&r);
    return st;
}

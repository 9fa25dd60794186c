/* fetch.h — fetching trade flows from the UN Comtrade API into the store.
 *
 * `chokepoint fetch comtrade` in library form.  A query (reporters, partner,
 * HS codes, periods, frequency, flows) is planned into calls of the API's
 * v1 `get` endpoint, {base}/data/v1/get/C/{A|M}/HS?reporterCode=…&
 * partnerCode=…&cmdCode=…&flowCode=…&period=…&maxRecords=…, each within
 * the API's limits (at most CKP_FETCH_MAX_PERIODS periods per call; the
 * records of one call are capped by the API at max_records, and a call
 * that comes back with that many is split in two and asked again, never
 * taken as a whole answer).  The subscription key goes in the header
 * Ocp-Apim-Subscription-Key and never into a URL, a message or the cache.
 *
 * Every answer is kept on disk, raw, in the cache directory under the
 * SHA-256 of its URL (the request without the key), written atomically
 * once it is complete: a re-run, or a run after an interrupted one, reads
 * the answers it has and calls only for the others.  HTTP 429 and 503 are
 * retried after the server's Retry-After (or 1, 2, 4… s), at most
 * CKP_FETCH_MAX_TRIES times and never waiting longer than
 * CKP_FETCH_MAX_WAIT s at once; 401, 403, other 4xx and 5xx answers, an
 * empty or visibly cut body and transport errors are errors naming the
 * call.  Only after every call has its answer are they ingested, as
 * Comtrade+ JSON (ingest.h), into one source, in one ingest: a response
 * that does not parse, or whose "count" disagrees with its records, aborts
 * the ingest (the store is unchanged) and is removed from the cache.  The
 * source records its provenance (the API, the calls, the time of fetch).
 *
 * Life cycle: ckp_fetch_plan_make() → ckp_fetch_run()… →
 * ckp_fetch_plan_free(); ckp_fetch_run needs nothing freed beyond the plan.  libcurl is set up once
 * per process by ckp_fetch_run (curl_global_init is not thread-safe: call
 * ckp_fetch_run from one thread). */
#ifndef CHOKEPOINT_FETCH_H
#define CHOKEPOINT_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "chokepoint/error.h"
#include "chokepoint/ingest.h"
#include "chokepoint/ref.h"

#define CKP_FETCH_DEFAULT_BASE "https://comtradeapi.un.org"
#define CKP_FETCH_MAX_PERIODS 12           /* periods in one call */
#define CKP_FETCH_DEFAULT_MAX_RECORDS 100000 /* records in one answer (free key) */
#define CKP_FETCH_MAX_TRIES 6              /* tries of one call on 429 / 503 */
#define CKP_FETCH_MAX_WAIT 300             /* s: a longer Retry-After is an error */
#define CKP_FETCH_MAX_CALLS 10000          /* calls in one plan */
#define CKP_FETCH_MAX_BODY ((long long)2 << 30) /* bytes of one answer */

/* The query as the CLI takes it; every string is parsed by ckp_fetch_plan. */
typedef struct ckp_fetch_query {
    const char *base_url;  /* NULL = CKP_FETCH_DEFAULT_BASE */
    const char *reporters; /* "CHN,USA" (any country form) or "all" */
    const char *partner;   /* "USA" or "all" (comma lists accepted) */
    const char *hs;        /* "811292,2504", "TOTAL", or a named group */
    const char *periods;   /* "2019,2020" (freq A); "2023-01,2023-02" or a
                              year = its 12 months (freq M) */
    char freq;             /* 'A' (default when 0) or 'M' */
    const char *flows;     /* "X", "M" or "X,M" (NULL = "X,M") */
    long max_records;      /* the API's cap per call; 0 = the default */
} ckp_fetch_query;

/* One call; every string owned by the plan. */
typedef struct ckp_fetch_call {
    char *url;       /* the request, without the key */
    char hash[65];   /* SHA-256 of url, hex: the cache file's name */
    char *reporters; /* reporterCode ("156,842"), NULL = all (left out) */
    char *partners;  /* partnerCode, NULL = all */
    char *cmd;       /* cmdCode */
    char *periods;   /* period ("2019,2020" or "202301,…") */
} ckp_fetch_call;

typedef struct ckp_fetch_plan {
    ckp_fetch_call *calls;
    size_t ncalls, cap;
    char *summary;   /* the query in the API's terms, one line: "C/A/HS
                        reporterCode=156 partnerCode=all cmdCode=… …" */
    char *base;      /* the base URL, without a trailing '/' */
    char freq;       /* 'A' or 'M' */
    char flows[4];   /* "X", "M" or "X,M" */
    long max_records;
    size_t splits;   /* calls split in two after coming back at the cap */
} ckp_fetch_plan;

/* Check the query against the reference data (countries → Comtrade codes,
 * HS codes and groups, periods) and split it into calls.  CKP_EUSAGE with
 * a message naming the option for anything not acceptable.  Free with
 * ckp_fetch_plan_free. */
ckp_status ckp_fetch_plan_make(const ckp_ref *ref, const ckp_fetch_query *q,
                               ckp_fetch_plan *out, ckp_error *err);
void ckp_fetch_plan_free(ckp_fetch_plan *p);

/* Replace call i by two calls asking for half of it each: half its periods,
 * else half its reporters, else half its HS codes, else half its partners.
 * CKP_ELIMIT when the call asks for one of each (or 'all' reporters with
 * one period and code): it cannot be split. */
ckp_status ckp_fetch_plan_split(ckp_fetch_plan *p, size_t i, ckp_error *err);

/* The cache file of a call: "{cache_dir}/{hash}.json" in buf (CKP_ELIMIT
 * when it does not fit). */
ckp_status ckp_fetch_cache_path(const char *cache_dir, const ckp_fetch_call *c, char *buf,
                                size_t len, ckp_error *err);

/* The default cache directory: $XDG_CACHE_HOME/chokepoint/comtrade, else
 * $HOME/.cache/chokepoint/comtrade; CKP_ENOTFOUND when neither is set. */
ckp_status ckp_fetch_default_cache(char *buf, size_t len, ckp_error *err);

/* What a run is doing, for a progress bar. */
typedef struct ckp_fetch_progress {
    size_t call, ncalls; /* the call being made (0-based) of ncalls */
    size_t cached;       /* calls answered from the cache so far */
    size_t called;       /* calls made over the network so far */
    int waiting;         /* > 0: seconds being waited before a retry */
    int status;          /* the last HTTP status (0 none yet) */
    int ingesting;       /* 1 in the ingest phase */
    int done;            /* 1 on the last call */
} ckp_fetch_progress;
typedef void (*ckp_fetch_progress_fn)(const ckp_fetch_progress *p, void *ctx);

typedef struct ckp_fetch_opts {
    const char *key;       /* subscription key; NULL = none (an error when a
                              call has to be made) */
    const char *cache_dir; /* created when missing */
    const char *store;     /* ckp_store_dir rules */
    const char *source;    /* store source; NULL = "comtrade-api" */
    int refresh;           /* 1 = call even for the answers the cache holds
                              (the API revises its data); they are replaced */
    ckp_fetch_progress_fn progress;
    void *progress_ctx;
    FILE *rejects;         /* NULL or where rejected rows go (ingest.h) */
} ckp_fetch_opts;

typedef struct ckp_fetch_stats {
    size_t calls, cached, called; /* calls in the (final) plan; answered from
                                     the cache; made over the network (all
                                     of them, split ones included) */
    size_t retries;               /* 429/503 answers waited out */
    size_t splits;                /* calls split after an answer at the cap */
    uint64_t records;             /* records in the answers */
    time_t first_fetch, last_fetch; /* when the answers were fetched */
    ckp_ingest_stats ingest;      /* rows read, kept, rejected; the store */
} ckp_fetch_stats;

/* Answer every call of the plan (cache, then network), then ingest all of
 * them into opts->source in one ingest, all or nothing.  A call whose answer
 * holds max_records records (the API may have cut it) is split in two
 * (ckp_fetch_plan_split, the plan is updated) and the run goes on, up to
 * CKP_FETCH_MAX_CALLS calls; a call that cannot be split is an error.  On
 * any error the store is unchanged; the answers already fetched stay in
 * the cache. */
ckp_status ckp_fetch_run(const ckp_ref *ref, ckp_fetch_plan *plan,
                         const ckp_fetch_opts *opts, ckp_fetch_stats *stats,
                         ckp_error *err);

#endif

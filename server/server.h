/* server.h — `chokepoint serve`: the HTTP API, the dashboard and case
 * decisions.
 *
 * The server is split so that everything but the socket can be called (and
 * fuzzed, and unit-tested) without one:
 *   http.c   request → response: URL and query parsing, routing, the API
 *            (GET /api/VERB, /api/view, POST /api/screen, decisions, audit),
 *            the embedded assets, JSON errors;
 *   cases.c  case decisions and the append-only audit trail in SQLite;
 *   guard.c  the write token (CSPRNG, 0600 file) and the per-client rate limit;
 *   watch.c  counterparties kept, list versions, deltas, re-screening
 *            (`lists update`, GET /api/lists, GET /api/alerts);
 *   yente.c  OpenSanctions yente's API (/match, /search, /entities, /catalog…)
 *            over the same lists and matcher;
 *   serve.c  libmicrohttpd glue: connections, body limits, threads.
 * Names are prefixed srv_ (the server is not part of the library).
 *
 * Life cycle: srv_open() → srv_handle()… (any thread) → srv_close(). */
#ifndef CHOKEPOINT_SERVER_H
#define CHOKEPOINT_SERVER_H

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"
#include "chokepoint/match.h"
#include "chokepoint/verb.h"

/* ---- requests and responses --------------------------------------------- */

#define SRV_MAX_QUERY 64        /* query parameters per request */
#define SRV_MAX_URL 4096        /* bytes of path + query */
#define SRV_BODY_LIMIT (8u << 20) /* default request body limit */
#define SRV_HEAD_MAX 16384      /* bytes of request line + headers */
#define SRV_HEADER_TIMEOUT 10   /* seconds to send the request head */
#define SRV_MAX_CONNS 512       /* connections at once, in total */
#define SRV_MAX_CONNS_PER_ADDR 128 /* connections at once from one address */
#define SRV_MAX_SOURCE_ENVS 8   /* ?source= selections kept open at once */

typedef struct srv_kv {
    const char *key;
    const char *value; /* "" when the parameter has no '=' */
} srv_kv;

typedef struct srv_request {
    const char *method;       /* "GET", "POST"… */
    const char *path;         /* decoded path, no query: "/api/dependency" */
    const srv_kv *query;      /* decoded query parameters, in order */
    int nquery;
    const char *auth;         /* Authorization header or NULL */
    const char *content_type; /* Content-Type header or NULL */
    const char *body;         /* NULL or body bytes (need not be NUL-terminated) */
    size_t body_len;
    const char *client;       /* client address ("127.0.0.1") for limits/audit */
    const char *host;         /* Host header or NULL (checked: srv_host_allowed) */
    const char *idempotency_key; /* Idempotency-Key header or NULL */
} srv_request;

typedef struct srv_response {
    int status;
    const char *content_type; /* static string */
    char *body;               /* malloc'd unless body_static */
    size_t len;
    int body_static;          /* 1: body points into static data, do not free */
    int cache_seconds;        /* > 0: Cache-Control max-age */
} srv_response;

void srv_response_free(srv_response *rs);

/* Split a request target "path?query" and percent-decode both into `buf`
 * (size n ≥ strlen(target) + 2; '+' is a space in the query).  Fills req->path, req->query (up to
 * max, in `kv`), req->nquery.  Returns 0, or an HTTP status (400 bad
 * encoding, 414 too long or too many parameters). */
int srv_parse_target(const char *target, char *buf, size_t n, srv_kv *kv, int max,
                     srv_request *req);

/* ---- the server context -------------------------------------------------- */

typedef struct srv_config {
    const char *addr;       /* "127.0.0.1:8080" */
    const char *db_path;    /* case decisions (SQLite); the token sits beside it */
    const char *store_dir;  /* NULL = ckp_store_dir(NULL) */
    const char *data_dir;   /* NULL = ckp_data_dir() */
    size_t body_limit;      /* bytes; 0 = SRV_BODY_LIMIT */
    double rate;            /* requests per second per client; 0 = no limit */
    double burst;           /* bucket size; 0 = 2 × rate */
    int threads;            /* worker threads; 0 = 4 */
    int quiet;              /* 1: no access log on stderr */
    const char *const *allow_hosts; /* more names the Host header may give (--allow-host) */
    int nallow_hosts;
    int header_timeout;     /* seconds to send the request head; 0 = SRV_HEADER_TIMEOUT */
    /* NULL, or the commands of the binary that are not library verbs
     * (NULL-terminated; report, serve…): GET /api/verbs lists them too, as
     * not served.  Not owned. */
    const struct ckp_verb *const *commands;
} srv_config;

typedef struct srv_cases srv_cases;
typedef struct srv_guard srv_guard;
typedef struct srv_cache srv_cache;

typedef struct srv {
    srv_config cfg;
    ckp_ref *ref;      /* owned */
    ckp_env *env;      /* owned; shared by all threads: store and registers preloaded;
                          the store's real sources (the default everywhere) */
    /* ?source=SPEC other than the default: one environment per selection,
     * opened on first use (a mix of real and synthetic is refused there),
     * kept (up to SRV_MAX_SOURCE_ENVS; more are opened per request) and
     * dropped when a new store generation is served (under store_lock for
     * writing).  src_lock guards the table. */
    pthread_mutex_t src_lock;
    char *src_spec[SRV_MAX_SOURCE_ENVS];
    ckp_env *src_env[SRV_MAX_SOURCE_ENVS];
    int nsrc_env;
    srv_cases *cases;  /* decisions + audit */
    srv_guard *guard;  /* token + rate limit */
    srv_cache *cache;  /* GET /api responses by canonical query */
    char list_version[80]; /* party lists' version, recorded with decisions */
    const ckp_lists *lists;  /* party lists (NULL when they failed to load); the env's */
    const ckp_index *index;  /* their index, shared read-only by the matchers; the env's */
    pthread_mutex_t pool_lock;
    ckp_matcher *pool[32]; /* idle matchers (one per request in flight) */
    int npool;
    /* the names of each party (yente.c's entities): party i's names are
     * ckp_lists_name(lists, ye_name_idx[j]) for j in
     * [ye_name_start[i], ye_name_start[i + 1]); built by srv_yente_init */
    uint32_t *ye_name_start;
    uint32_t *ye_name_idx;
    /* the store follows ingests (srv_store_refresh): requests hold
     * store_lock for reading; a newer generation is swapped in under it
     * for writing, so a request never sees two stores */
    pthread_rwlock_t store_lock;
    pthread_mutex_t refresh_lock;
    uint64_t store_gen;   /* generation of env.store (0: none open); written
                             under store_lock for writing */
    uint64_t failed_gen;  /* a generation that would not open (refresh_lock) */
    long refresh_at;      /* second of the last look at CURRENT */
    /* the address served, for the Host check (srv_serving); port 0 = not
     * serving on a socket (unit tests, fuzzing): no Host check */
    char served_host[INET6_ADDRSTRLEN + 2]; /* "127.0.0.1", "[::1]" */
    unsigned served_port;
    int served_loopback, served_any;
} srv;

/* Load the reference data, open the store and the registers, open (create)
 * the decisions database and the token.  *token_new is set to the freshly
 * generated token (static buffer in s) on first start, else NULL. */
ckp_status srv_open(srv *s, const srv_config *cfg, const char **token_new, ckp_error *err);
void srv_close(srv *s);

/* At most once a second: when the store directory has published a newer
 * generation than the one open (an ingest finished), open it and swap it in
 * (answers cached for the old one are not served again).  Thread-safe. */
void srv_store_refresh(srv *s);

/* Close the ?source= environments (caller holds store_lock for writing, or
 * is the only thread). */
void srv_source_envs_drop(srv *s);

/* Set the address actually served (after bind; port is the real one): from
 * then on srv_handle answers only requests whose Host header names it — the
 * address itself; with the port; localhost, 127.0.0.1 and [::1] on loopback;
 * any IP address when bound to every interface; a --allow-host name — and
 * answers others 421, so a DNS-rebinding page cannot read the API. */
void srv_serving(srv *s, const struct sockaddr *sa);
/* 1 when the Host header value `host` names what s serves (see srv_serving). */
int srv_host_allowed(const srv *s, const char *host);

/* Answer one request (thread-safe).  Always fills rs (JSON error on failure). */
void srv_handle(srv *s, const srv_request *rq, srv_response *rs);

/* A matcher for one request from the pool (or a new one); NULL with err
 * when none can be made.  Give it back with srv_matcher_give (http.c). */
ckp_matcher *srv_matcher_take(srv *s, ckp_error *err);
void srv_matcher_give(srv *s, ckp_matcher *m);

/* ---- the yente-compatible API (yente.c) ------------------------------------- */

/* 1 when path is one of yente's (/match/…, /search/…, /entities/…,
 * /catalog, /algorithms, /healthz, /readyz). */
int srv_yente_path(const char *path);
/* Answer a request on one of those paths (the Host check and the rate
 * limit were done by the caller).  Errors are {"error", "detail"}. */
void srv_yente(srv *s, const srv_request *rq, srv_response *rs);
/* Build the by-party name table (after the lists loaded); -1 out of memory. */
int srv_yente_init(srv *s);

/* ---- the gate (gate.c): connections, limits, request heads -------------------- */

/* Check a request head (the first n bytes a client sent): 0 when the head
 * is complete (*head_len bytes) and good; -1 when more bytes are needed;
 * else the HTTP status to refuse it with (400 malformed, 411 a
 * Transfer-Encoding, 413 a huge Content-Length, 414 a target of
 * SRV_MAX_URL bytes or more, 431 a head over SRV_HEAD_MAX bytes, 505 a
 * version other than HTTP/1.0 and 1.1) and *why in words (static, ASCII).
 * Refused too: more than one Content-Length or Host, HTTP/1.1 without Host,
 * bare LF line ends, control characters. */
int srv_check_head(const char *buf, size_t n, size_t *head_len, const char **why);

struct MHD_Daemon;
typedef struct srv_gate srv_gate;
/* Accept on the listening socket lfd, hold each connection until its head
 * is in and good, then hand it to d (see gate.c).  srv_gate_stop stops
 * accepting; stop d after it, then srv_gate_free (d's threads release their
 * connections into the gate until they stop). */
ckp_status srv_gate_start(int lfd, struct MHD_Daemon *d, int header_timeout, srv_gate **out,
                          ckp_error *err);
void srv_gate_stop(srv_gate *g);
void srv_gate_free(srv_gate *g);
/* libmicrohttpd closed the connection on socket fd: it counts no more. */
void srv_gate_release(srv_gate *g, int fd);

/* Run the HTTP server until SIGINT/SIGTERM (serve.c).  Returns an exit status. */
int srv_run(const srv_config *cfg);

/* ---- decisions (cases.c) --------------------------------------------------- */

typedef struct srv_decision {
    const char *item;         /* alert or match id */
    const char *subject;      /* shipment id or screened name ("" if unknown) */
    const char *entry_id;     /* list entry id ("" if none) */
    const char *entry_hash;   /* hash of the list entry's content ("" if none) */
    const char *decision;     /* "cleared" | "escalated" */
    const char *reason;
    const char *by;           /* who says they decided (the `by` field, else the user) */
    const char *user;         /* the token's user: who authenticated, its own column */
    const char *list_version;
    const char *request_key;  /* idempotency key ("" or NULL: none) */
    const char *body_hash;    /* SHA-256 hex of the request body (with request_key) */
} srv_decision;

typedef struct srv_decided {
    long long seq;  /* the audit row (0 when replayed) */
    int replayed;   /* 1: the key was seen with the same body; answer is the first one */
    char *answer;   /* malloc'd JSON answer; the caller frees it */
} srv_decided;

/* srv_cases_open's notes (bits) */
#define SRV_CASES_MODE_FIXED 1 /* a file was readable by others: narrowed to 0600 */
#define SRV_CASES_MIGRATED 2   /* an older database got the hash chain */

/* Open or create the database (mode 0600; WAL, synchronous=FULL, the audit
 * trail append-only and hash-chained; an older database migrated).  *notes
 * (may be NULL) receives SRV_CASES_* bits for the caller to report. */
ckp_status srv_cases_open(const char *path, srv_cases **out, int *notes, ckp_error *err);
void srv_cases_close(srv_cases *c);
/* Record a decision, its audit row and its idempotency key in one
 * transaction, with the answer built before the commit: on CKP_OK it is
 * durable and out->answer holds the answer; on an error nothing was recorded.
 * A key already used by the same user with the same body_hash replays the
 * first answer (out->replayed = 1, nothing written); with another body it is
 * CKP_ESTATE. */
ckp_status srv_cases_decide(srv_cases *c, const srv_decision *d, srv_decided *out,
                            ckp_error *err);
/* SHA-256 of n bytes as 64 hex digits; -1 when libcrypto fails. */
int srv_sha256_hex(const void *data, size_t n, char out[65]);

typedef struct srv_verify_result {
    long long rows;      /* audit rows that verified */
    long long decisions; /* standing decisions that verified */
    long long bad_seq;   /* the first bad row (0: none, or not a row) */
    char why[400];       /* what is wrong with it */
    char head[65];       /* the hash of the last good row (the chain's head) */
} srv_verify_result;

/* Check the database at path: the triggers are in place, the audit rows run
 * 1, 2, 3… each chaining to the one before with a hash matching its content,
 * none is missing at the end, and each standing decision is the last audit
 * row of its item.  CKP_OK when intact; CKP_ECORRUPT with r->bad_seq and
 * r->why (and err) naming the first bad row; other codes when it cannot be
 * read. */
ckp_status srv_audit_verify(const char *path, srv_verify_result *r, ckp_error *err);
/* The standing decision on item: "cleared"/"escalated" when one exists and
 * its entry_hash equals entry_hash (the list entry did not change) or was
 * recorded empty, "stale" when the entry changed since, NULL when none.
 * Copied into buf. */
const char *srv_cases_lookup(srv_cases *c, const char *item, const char *entry_hash,
                             char *buf, size_t n);
/* Write the audit trail (or the standing decisions when decisions = 1) as a
 * JSON object {"rows":[…]} or CSV into a malloc'd buffer. */
ckp_status srv_cases_export(srv_cases *c, int decisions, int csv, long limit, char **out,
                            size_t *len, ckp_error *err);

/* For watch.c: the database handle and the lock every transaction on it
 * holds (srv_cases_lookup takes it too: never call it while holding it). */
struct sqlite3 *srv__cases_db(srv_cases *c);
pthread_mutex_t *srv__cases_lock(srv_cases *c);

/* ---- counterparties and list versions (watch.c) ------------------------------ */

/* The counterparties of a screening run (exporter, importer with their
 * countries; the other named parties), kept in memory during the run
 * (srv_keeper_on_shipment is a ckp_screen_config.on_shipment) and saved
 * after it: srv_keeper_new → ckp_screen_run… → srv_keeper_save →
 * srv_keeper_free.  Each is kept once by (name, country) with its first and
 * last screening, the list version and how (via: "api", "cli"). */
typedef struct srv_keeper srv_keeper;
struct ckp_shipment;
srv_keeper *srv_keeper_new(const ckp_ref *ref); /* NULL: out of memory */
void srv_keeper_free(srv_keeper *k);
int srv_keeper_on_shipment(const struct ckp_shipment *sh, void *ctx);
/* One transaction; *kept (may be NULL) = names written.  A run that could
 * not keep them all (out of memory, over 2,000,000) is an error and keeps
 * none. */
ckp_status srv_keeper_save(srv_cases *c, srv_keeper *k, const char *list_version,
                           const char *via, size_t *kept, ckp_error *err);

/* What one `lists update` of one list did. */
typedef struct srv_list_update {
    char list[200];       /* the list as named ("ofac", a file…) */
    long long seq;        /* its version's number in list_versions */
    char hash[65];        /* SHA-256 of the entities as loaded */
    char at[32];          /* when (UTC) */
    int first;            /* 1: no version before (every entity counts as added) */
    long long entities, names, bad_rows;
    char first_bad[600];  /* the first bad row "file:line: reason", "" */
    long long added, removed, changed, merged; /* merged: an id merged into another */
    long long rescreened; /* counterparties re-screened */
    long long new_alerts, reopened, still_open, kept_decided, delisted;
    long long not_compared; /* counterparties too long to compare whole (not screened) */
    long long capped;     /* counterparties with over 200 candidates (a delta hit may be
                             among those not looked at) */
} srv_list_update;

/* Load list `key` (a ckp_lists_load_spec item: ofac, opensanctions, mofcom
 * or a file), compare it with the snapshot the last update kept, re-screen
 * every kept counterparty against the delta at `threshold`, and record the
 * version, its changes, the new snapshot and the alerts in one transaction.
 * A decision on an alert stays in force while the entity's fingerprint
 * (its names and identifiers) is the one it was made on (entry_hash), and
 * follows the entity through an id merge.  progress (may be NULL) is
 * called while a large FtM file loads (ckp_lists_set_progress). */
ckp_status srv_lists_update_one(srv_cases *c, const char *key, const char *datadir,
                                const ckp_ref *ref, double threshold,
                                ckp_lists_progress_fn progress, void *progress_ctx,
                                srv_list_update *r, ckp_error *err);

struct json_t;
/* GET /api/lists: {"versions": [every version, newest first], and with
 * version (a number as text) "changes": [its entities added, removed,
 * changed, merged]}.  *out is the caller's (json_decref). */
ckp_status srv_lists_json(srv_cases *c, const char *version, struct json_t **out,
                          ckp_error *err);
/* GET /api/alerts: {"rows": [the alerts of list updates, newest first, each
 * with its standing "decision" and "open"]}; status "open" (only those
 * needing a look: no decision, or a stale one), "decided", or NULL/"all". */
ckp_status srv_alerts_json(srv_cases *c, const char *status, struct json_t **out,
                           ckp_error *err);

/* ---- token and rate limit (guard.c) ---------------------------------------- */

/* Read the token file `path`, or create it (32 random bytes from the kernel's
 * CSPRNG as hex, mode 0600).  Lines: "TOKEN" (user "admin") or "USER TOKEN".
 * *created = 1 when the file was made now. */
ckp_status srv_guard_open(const char *path, double rate, double burst, srv_guard **out,
                          int *created, ckp_error *err);
void srv_guard_close(srv_guard *g);
/* The first token in the file (for printing once). */
const char *srv_guard_token(const srv_guard *g);
/* "Bearer TOKEN" → the token's user (static in g), or NULL. Constant time. */
const char *srv_guard_check(const srv_guard *g, const char *authorization);
/* 1 when the client may make a request now (token bucket), 0 when limited. */
int srv_guard_allow(srv_guard *g, const char *client);

/* ---- response cache (http.c) ---------------------------------------------- */
srv_cache *srv_cache_new(size_t max_entries, size_t max_bytes);
void srv_cache_free(srv_cache *c);

#endif

/* serve.c — libmicrohttpd glue for `chokepoint serve` (see server.h):
 * the server context, connections, request bodies with a size limit,
 * response headers, and the run loop.  Everything about what a request
 * means is in http.c, which needs no socket. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "chokepoint/measures.h"
#include "server.h"

/* ---- the server context ------------------------------------------------------ */

/* FNV-1a over every file under data/parties and data/controls: the version
 * of the lists a decision was made on. */
static uint64_t list_hash;

static int hash_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type != FTW_F)
        return 0;
    for (const char *p = path; *p; p++)
        list_hash = (list_hash ^ (unsigned char)*p) * 1099511628211ull;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char buf[65536];
    size_t n;
    for (;;) {
        n = fread(buf, 1, sizeof buf, f);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            list_hash = (list_hash ^ buf[i]) * 1099511628211ull;
    }
    fclose(f);
    return 0;
}

static void compute_list_version(srv *s)
{
    const char *dd = s->cfg.data_dir ? s->cfg.data_dir : ckp_data_dir();
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    list_hash = 1469598103934665603ull;
    char path[4096];
    snprintf(path, sizeof path, "%s/parties", dd);
    nftw(path, hash_file, 16, FTW_PHYS);
    snprintf(path, sizeof path, "%s/controls", dd);
    nftw(path, hash_file, 16, FTW_PHYS);
    snprintf(s->list_version, sizeof s->list_version, "lists-%016llx",
             (unsigned long long)list_hash);
    pthread_mutex_unlock(&lock);
}

ckp_status srv_open(srv *s, const srv_config *cfg, const char **token_new, ckp_error *err)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    *token_new = NULL;
    ckp_status st = ckp_ref_load(cfg->data_dir, &s->ref, err);
    if (st != CKP_OK)
        return st;
    s->env = ckp_env_new(s->ref, cfg->data_dir, cfg->store_dir);
    if (!s->env) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_fail;
    }
    /* the default everywhere: the real sources (a synthetic scenario is
     * asked for with ?source=, never mixed in) */
    ckp_env_set_sources(s->env, NULL);
    /* Preload the store so the threads share one handle; a missing store is
     * not fatal (verbs answer with the error, the dashboard says so). */
    const ckp_store *store;
    ckp_error serr;
    ckp_error_clear(&serr);
    if (ckp_env_store(s->env, &store, &serr) != CKP_OK && !cfg->quiet) {
        char buf[1024];
        fprintf(stderr, "chokepoint: serve: warning: %s\n", ckp_error_format(&serr, buf, sizeof buf));
    }
    compute_list_version(s);
    pthread_mutex_init(&s->pool_lock, NULL);
    pthread_mutex_init(&s->src_lock, NULL);
    pthread_rwlock_init(&s->store_lock, NULL);
    pthread_mutex_init(&s->refresh_lock, NULL);
    if (ckp_env_store_if_open(s->env)) {
        ckp_store_info info;
        if (ckp_store_get_info(ckp_env_store_if_open(s->env), &info) == CKP_OK)
            s->store_gen = info.generation;
    }
    s->refresh_at = (long)time(NULL);
    /* the registers every request shares: measures, party lists + index */
    const ckp_measures *ms = NULL;
    ckp_error lerr;
    ckp_error_clear(&lerr);
    if (ckp_measures_from_env(s->env, &ms, &lerr) != CKP_OK && !cfg->quiet)
        fprintf(stderr, "chokepoint: serve: warning: measures: %s\n", lerr.msg);
    ckp_error_clear(&lerr);
    /* the env's (ckp_index_from_env): the `match` verb answers from the same */
    if (ckp_index_from_env(s->env, &s->index, &lerr) == CKP_OK) {
        s->lists = ckp_index_lists(s->index);
    } else {
        if (!cfg->quiet)
            fprintf(stderr, "chokepoint: serve: warning: party lists: %s (no party screening)\n",
                    lerr.msg);
        s->index = NULL;
        s->lists = NULL;
    }
    if (srv_yente_init(s) != 0) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_fail;
    }
    int notes = 0;
    st = srv_cases_open(cfg->db_path, &s->cases, &notes, err);
    if (st != CKP_OK)
        goto out_fail;
    if ((notes & SRV_CASES_MODE_FIXED) && !cfg->quiet)
        fprintf(stderr, "chokepoint: serve: warning: %s was readable by others: now mode 600\n",
                cfg->db_path);
    if ((notes & SRV_CASES_MIGRATED) && !cfg->quiet)
        fprintf(stderr, "chokepoint: serve: %s: the audit trail now carries a hash chain "
                        "(existing rows chained as they are)\n", cfg->db_path);
    char tpath[4200];
    snprintf(tpath, sizeof tpath, "%s.token", cfg->db_path);
    int created = 0;
    st = srv_guard_open(tpath, cfg->rate, cfg->burst, &s->guard, &created, err);
    if (st != CKP_OK)
        goto out_fail;
    if (created)
        *token_new = srv_guard_token(s->guard);
    s->cache = srv_cache_new(256, (size_t)64 << 20);
    if (!s->cache) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_fail;
    }
    return CKP_OK;
out_fail:
    srv_close(s);
    return st;
}

void srv_source_envs_drop(srv *s)
{
    for (int i = 0; i < s->nsrc_env; i++) {
        ckp_env_free(s->src_env[i]);
        free(s->src_spec[i]);
        s->src_env[i] = NULL;
        s->src_spec[i] = NULL;
    }
    s->nsrc_env = 0;
}

void srv_store_refresh(srv *s)
{
    long now = (long)time(NULL);
    if (__atomic_load_n(&s->refresh_at, __ATOMIC_RELAXED) == now ||
        pthread_mutex_trylock(&s->refresh_lock) != 0)
        return; /* looked this second already, or another thread is looking */
    __atomic_store_n(&s->refresh_at, now, __ATOMIC_RELAXED);
    const char *dir = ckp_store_dir(s->cfg.store_dir);
    uint64_t gen = ckp_store_current_generation(dir);
    if (gen == 0 || gen == s->store_gen || gen == s->failed_gen) {
        pthread_mutex_unlock(&s->refresh_lock);
        return;
    }
    /* open the new generation outside the lock: requests go on meanwhile */
    ckp_store *ns = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    ckp_status st = ckp_store_open(dir, s->ref, &ns, &err);
    if (st == CKP_OK)
        st = ckp_store_select_sources(ns, ckp_env_sources(s->env), &err);
    ckp_store_info info;
    if (st == CKP_OK)
        st = ckp_store_get_info(ns, &info);
    if (st != CKP_OK) {
        if (!s->cfg.quiet) {
            char buf[1024];
            fprintf(stderr, "chokepoint: serve: warning: the new store generation: %s\n",
                    ckp_error_format(&err, buf, sizeof buf));
        }
        ckp_store_close(ns);
        s->failed_gen = gen; /* not again until the next one */
        pthread_mutex_unlock(&s->refresh_lock);
        return;
    }
    pthread_rwlock_wrlock(&s->store_lock);
    srv_source_envs_drop(s); /* reopened on the new generation when asked */
    /* what was derived from the old store (the ranked hubs) goes with it */
    ckp_store *old = ckp_env_swap_store(s->env, ns);
    s->store_gen = info.generation;
    pthread_rwlock_unlock(&s->store_lock);
    ckp_store_close(old);
    if (!s->cfg.quiet)
        fprintf(stderr, "chokepoint: serve: store generation %llu (%llu rows) now served\n",
                (unsigned long long)info.generation, (unsigned long long)info.rows);
    pthread_mutex_unlock(&s->refresh_lock);
}

void srv_close(srv *s)
{
    for (int i = 0; i < s->npool; i++)
        ckp_matcher_free(s->pool[i]);
    if (s->ref) {
        srv_source_envs_drop(s);
        pthread_mutex_destroy(&s->src_lock);
        pthread_mutex_destroy(&s->pool_lock);
        pthread_rwlock_destroy(&s->store_lock);
        pthread_mutex_destroy(&s->refresh_lock);
    }
    free(s->ye_name_start);
    free(s->ye_name_idx);
    srv_cache_free(s->cache);
    srv_guard_close(s->guard);
    srv_cases_close(s->cases);
    if (s->ref) {
        ckp_env_free(s->env);
        ckp_ref_free(s->ref);
    }
    memset(s, 0, sizeof *s);
}

void srv_serving(srv *s, const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)(const void *)sa;
        char h6[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &v6->sin6_addr, h6, sizeof h6);
        snprintf(s->served_host, sizeof s->served_host, "[%s]", h6);
        s->served_port = ntohs(v6->sin6_port);
        s->served_loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
        s->served_any = IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr);
    } else {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &v4->sin_addr, s->served_host, sizeof s->served_host);
        s->served_port = ntohs(v4->sin_port);
        s->served_loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
        s->served_any = v4->sin_addr.s_addr == htonl(INADDR_ANY);
    }
}

/* ---- connections ----------------------------------------------------------- */

typedef struct conn_state {
    char *uri;        /* the raw request target */
    char *body;
    size_t len, cap;
    int too_large;
    int started;      /* the first (headers-only) call was seen */
    struct timespec start;
} conn_state;

typedef struct run_ctx {
    srv *s;
    size_t body_limit;
    srv_gate *gate; /* set once the gate runs */
} run_ctx;

/* A connection closed: the gate counts it no more. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)socket_context;
    run_ctx *rc = cls;
    if (code != MHD_CONNECTION_NOTIFY_CLOSED)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    srv_gate *g = __atomic_load_n(&rc->gate, __ATOMIC_ACQUIRE);
    if (ci && g)
        srv_gate_release(g, ci->connect_fd);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    conn_state *st = calloc(1, sizeof *st);
    if (st) {
        st->uri = strdup(uri ? uri : "");
        clock_gettime(CLOCK_MONOTONIC, &st->start);
    }
    return st;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)c;
    (void)code;
    conn_state *st = *con_cls;
    if (st) {
        free(st->uri);
        free(st->body);
        free(st);
    }
    *con_cls = NULL;
}

static enum MHD_Result send_response(struct MHD_Connection *c, srv_response *rs)
{
    struct MHD_Response *r;
    if (rs->body_static)
        r = MHD_create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_PERSISTENT);
    else
        r = MHD_create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        srv_response_free(rs);
        return MHD_NO;
    }
    rs->body = NULL; /* owned by the response now */
    MHD_add_response_header(r, "Content-Type", rs->content_type ? rs->content_type : "text/plain");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; "
                            "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    char cc[64];
    if (rs->cache_seconds > 0)
        snprintf(cc, sizeof cc, "max-age=%d", rs->cache_seconds);
    else
        snprintf(cc, sizeof cc, "no-store");
    MHD_add_response_header(r, "Cache-Control", cc);
    /* one request per connection: every request passes the gate (gate.c) */
    MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result fail_now(struct MHD_Connection *c, int status, const char *json)
{
    srv_response rs = {status, "application/json; charset=utf-8", (char *)json, strlen(json), 1, 0};
    return send_response(c, &rs);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)url;
    (void)version;
    run_ctx *rc = cls;
    conn_state *st = *con_cls;
    if (!st || !st->uri)
        return fail_now(c, 500, "{\"error\":\"out of memory\"}\n");
    if (*upload_size > 0) {
        if (!st->too_large) {
            if (st->len + *upload_size > rc->body_limit) {
                st->too_large = 1;
            } else {
                if (st->len + *upload_size + 1 > st->cap) {
                    size_t cap = st->cap ? st->cap : 16384;
                    while (cap < st->len + *upload_size + 1)
                        cap *= 2;
                    char *p = realloc(st->body, cap);
                    if (!p)
                        return MHD_NO;
                    st->body = p;
                    st->cap = cap;
                }
                memcpy(st->body + st->len, upload_data, *upload_size);
                st->len += *upload_size;
                st->body[st->len] = '\0';
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (!st->started) {
        /* first call, headers only: refuse a declared body over the limit
         * before reading it, else come back with the body (if any) */
        st->started = 1;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > rc->body_limit)
            return fail_now(c, 413, "{\"error\":\"request body too large\"}\n");
        return MHD_YES;
    }
    if (st->too_large)
        return fail_now(c, 413, "{\"error\":\"request body too large\"}\n");

    char client[INET6_ADDRSTRLEN + 1] = "";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, client,
                      sizeof client);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      client, sizeof client);
    }
    size_t ulen = strlen(st->uri);
    char *buf = malloc(ulen + 2);
    if (!buf)
        return fail_now(c, 500, "{\"error\":\"out of memory\"}\n");
    srv_kv kv[SRV_MAX_QUERY];
    srv_request rq;
    memset(&rq, 0, sizeof rq);
    srv_response rs;
    memset(&rs, 0, sizeof rs);
    int bad = srv_parse_target(st->uri, buf, ulen + 2, kv, SRV_MAX_QUERY, &rq);
    if (bad) {
        free(buf);
        return fail_now(c, bad, bad == 414 ? "{\"error\":\"request target too long\"}\n"
                                           : "{\"error\":\"bad percent-encoding in the URL\"}\n");
    }
    rq.method = method;
    rq.auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    rq.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    rq.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    rq.idempotency_key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    rq.body = st->body;
    rq.body_len = st->len;
    rq.client = client;
    srv_handle(rc->s, &rq, &rs);
    if (!rc->s->cfg.quiet) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        double ms = (double)(t.tv_sec - st->start.tv_sec) * 1e3 +
                    (double)(t.tv_nsec - st->start.tv_nsec) / 1e6;
        fprintf(stderr, "%s %s %s %d %zu %.1fms\n", client, method, rq.path ? rq.path : "?",
                rs.status, rs.len, ms);
    }
    free(buf);
    return send_response(c, &rs);
}

/* ---- run ---------------------------------------------------------------------- */

/* "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" → sockaddr. */
static int parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256] = "127.0.0.1";
    const char *port;
    if (addr[0] == '[') {
        const char *rb = strchr(addr, ']');
        if (!rb || rb[1] != ':' || (size_t)(rb - addr - 1) >= sizeof host)
            return -1;
        memcpy(host, addr + 1, (size_t)(rb - addr - 1));
        host[rb - addr - 1] = '\0';
        port = rb + 2;
    } else {
        const char *colon = strrchr(addr, ':');
        if (colon) {
            if ((size_t)(colon - addr) >= sizeof host)
                return -1;
            if (colon > addr) {
                memcpy(host, addr, (size_t)(colon - addr));
                host[colon - addr] = '\0';
            }
            port = colon + 1;
        } else {
            port = addr;
        }
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535)
        return -1;
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)p);
        *len = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)p);
        *len = sizeof *v6;
        return 0;
    }
    if (strcmp(host, "localhost") == 0) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)p);
        v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        *len = sizeof *v4;
        return 0;
    }
    return -1;
}

int srv_run(const srv_config *cfg)
{
    struct sockaddr_storage ss;
    socklen_t slen;
    if (parse_addr(cfg->addr, &ss, &slen) != 0) {
        fprintf(stderr, "chokepoint: serve: --addr must be HOST:PORT with a numeric address "
                        "(got '%s')\n", cfg->addr);
        return 2;
    }
    /* signals: SIGINT/SIGTERM are waited for below; block them in the threads */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    static srv s;
    ckp_error err;
    ckp_error_clear(&err);
    const char *token_new = NULL;
    if (srv_open(&s, cfg, &token_new, &err) != CKP_OK) {
        char buf[1024];
        fprintf(stderr, "chokepoint: serve: %s\n", ckp_error_format(&err, buf, sizeof buf));
        return 1;
    }
    run_ctx rc = {&s, cfg->body_limit ? cfg->body_limit : SRV_BODY_LIMIT, NULL};
    /* room for the connections the gate admits, and libmicrohttpd's own */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (ss.ss_family == AF_INET6 &&
         setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        bind(lfd, (struct sockaddr *)&ss, slen) != 0 || listen(lfd, 1024) != 0 ||
        getsockname(lfd, (struct sockaddr *)&ss, &slen) != 0) {
        fprintf(stderr, "chokepoint: serve: cannot listen on %s: %s\n", cfg->addr,
                strerror(errno));
        if (lfd >= 0)
            close(lfd);
        srv_close(&s);
        return 1;
    }
    srv_serving(&s, (struct sockaddr *)&ss);
    unsigned threads = (unsigned)(cfg->threads > 0 ? cfg->threads : 4);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
                     MHD_USE_NO_LISTEN_SOCKET;
    /* The limits are the gate's (per address and in total); libmicrohttpd
     * splits its own across its threads, so each thread may take them all. */
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &rc, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, &rc, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)(SRV_MAX_CONNS + 16) * threads,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_END);
    srv_gate *gate = NULL;
    ckp_error gerr;
    ckp_error_clear(&gerr);
    if (!d || srv_gate_start(lfd, d, cfg->header_timeout, &gate, &gerr) != CKP_OK) {
        fprintf(stderr, "chokepoint: serve: cannot listen on %s: %s\n", cfg->addr,
                d ? gerr.msg : "libmicrohttpd did not start");
        if (d)
            MHD_stop_daemon(d);
        close(lfd);
        srv_close(&s);
        return 1;
    }
    __atomic_store_n(&rc.gate, gate, __ATOMIC_RELEASE);
    unsigned port = s.served_port;
    char host[INET6_ADDRSTRLEN + 2] = "";
    if (ss.ss_family == AF_INET6) {
        char h6[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, h6, sizeof h6);
        snprintf(host, sizeof host, "[%s]", h6);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
    }
    int loopback = ss.ss_family == AF_INET
                       ? (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127
                       : IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
    if (!loopback)
        fprintf(stderr, "chokepoint: serve: warning: listening on %s, not loopback: anyone who "
                        "can reach it can read the API (writes still need the token)\n",
                host);
    if (token_new)
        printf("chokepoint: serve: new write token (shown once; kept in %s.token, mode 600):\n"
               "  %s\n",
               cfg->db_path, token_new);
    else
        printf("chokepoint: serve: write token in %s.token\n", cfg->db_path);
    printf("chokepoint: serve: decisions in %s; listening on http://%s:%u/\n", cfg->db_path,
           host, port);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "chokepoint: serve: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    srv_gate_stop(gate); /* no new connections, then none in flight */
    close(lfd);
    MHD_stop_daemon(d);
    __atomic_store_n(&rc.gate, NULL, __ATOMIC_RELEASE);
    srv_gate_free(gate);
    srv_close(&s);
    return 0;
}

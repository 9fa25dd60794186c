/* guard.c — the write token and the per-client rate limit (see server.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define GUARD_MAX_TOKENS 16
#define GUARD_BUCKETS 1024 /* clients tracked at once; older ones are recycled */

typedef struct token {
    char user[64];
    char token[129];
} token;

typedef struct bucket {
    char client[64]; /* "" = free */
    double tokens;
    double last;     /* seconds, monotonic */
} bucket;

struct srv_guard {
    token tokens[GUARD_MAX_TOKENS];
    int ntokens;
    double rate, burst;
    pthread_mutex_t lock;
    bucket buckets[GUARD_BUCKETS];
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Make the token file: O_EXCL so two servers never overwrite each other's. */
static ckp_status create_token_file(const char *path, ckp_error *err)
{
    unsigned char raw[32];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t k = getrandom(raw + got, sizeof raw - got, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return ckp_error_set(err, CKP_EIO, NULL, 0, 0, "getrandom: %s", strerror(errno));
        got += (size_t)k;
    }
    char hex[sizeof raw * 2 + 2];
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    hex[sizeof raw * 2] = '\n';
    hex[sizeof raw * 2 + 1] = '\0';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot create token file: %s",
                             strerror(errno));
    ckp_status st = CKP_OK;
    size_t n = strlen(hex);
    if (write(fd, hex, n) != (ssize_t)n || fsync(fd) != 0)
        st = ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot write token file: %s",
                           strerror(errno));
    close(fd);
    if (st != CKP_OK)
        unlink(path);
    return st;
}

static ckp_status read_tokens(srv_guard *g, const char *path, ckp_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return ckp_error_set(err, CKP_EIO, path, 0, 0, "%s", strerror(errno));
    if (sb.st_mode & 077)
        return ckp_error_set(err, CKP_EINVAL, path, 0, 0,
                             "token file is readable by others (mode %03o): chmod 600 it",
                             (unsigned)(sb.st_mode & 0777));
    FILE *f = fopen(path, "r");
    if (!f)
        return ckp_error_set(err, CKP_EIO, path, 0, 0, "%s", strerror(errno));
    char line[512];
    long lineno = 0;
    ckp_status st = CKP_OK;
    while (fgets(line, sizeof line, f) && g->ntokens < GUARD_MAX_TOKENS) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        token *t = &g->tokens[g->ntokens];
        char *sp = strchr(line, ' ');
        const char *user = "admin", *tok = line;
        if (sp) {
            *sp = '\0';
            user = line;
            tok = sp + 1;
        }
        if (strlen(tok) < 16 || strlen(tok) >= sizeof t->token || strlen(user) >= sizeof t->user) {
            st = ckp_error_set(err, CKP_EPARSE, path, lineno, 0,
                               "token line must be TOKEN or USER TOKEN (16–128 characters)");
            break;
        }
        memcpy(t->user, user, strlen(user) + 1);   /* lengths checked above */
        memcpy(t->token, tok, strlen(tok) + 1);
        g->ntokens++;
    }
    fclose(f);
    if (st == CKP_OK && g->ntokens == 0)
        st = ckp_error_set(err, CKP_EPARSE, path, 0, 0, "no token in the token file");
    return st;
}

ckp_status srv_guard_open(const char *path, double rate, double burst, srv_guard **out,
                          int *created, ckp_error *err)
{
    *out = NULL;
    *created = 0;
    srv_guard *g = calloc(1, sizeof *g);
    if (!g)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    g->rate = rate > 0 ? rate : 0;
    g->burst = burst > 0 ? burst : 2 * g->rate;
    if (g->burst < 1)
        g->burst = 1;
    pthread_mutex_init(&g->lock, NULL);
    ckp_status st = CKP_OK;
    if (access(path, F_OK) != 0) {
        st = create_token_file(path, err);
        if (st == CKP_OK)
            *created = 1;
    }
    if (st == CKP_OK)
        st = read_tokens(g, path, err);
    if (st != CKP_OK) {
        srv_guard_close(g);
        return st;
    }
    *out = g;
    return CKP_OK;
}

void srv_guard_close(srv_guard *g)
{
    if (!g)
        return;
    pthread_mutex_destroy(&g->lock);
    memset(g->tokens, 0, sizeof g->tokens);
    free(g);
}

const char *srv_guard_token(const srv_guard *g) { return g->tokens[0].token; }

/* Compare without an early exit, so timing says nothing about the prefix. */
static int same_secret(const char *a, size_t na, const char *b, size_t nb)
{
    unsigned diff = (unsigned)(na ^ nb);
    for (size_t i = 0; i < nb; i++)
        diff |= (unsigned char)b[i] ^ (unsigned char)(i < na ? a[i] : 0);
    return diff == 0;
}

const char *srv_guard_check(const srv_guard *g, const char *authorization)
{
    if (!authorization)
        return NULL;
    const char *p = authorization;
    while (*p == ' ')
        p++;
    if (strncasecmp(p, "Bearer ", 7) != 0)
        return NULL;
    p += 7;
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, " \t\r\n");
    const char *user = NULL;
    for (int i = 0; i < g->ntokens; i++)
        if (same_secret(p, n, g->tokens[i].token, strlen(g->tokens[i].token)) && !user)
            user = g->tokens[i].user;
    return user;
}

int srv_guard_allow(srv_guard *g, const char *client)
{
    if (g->rate <= 0)
        return 1;
    if (!client)
        client = "";
    unsigned h = 2166136261u;
    for (const char *c = client; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    double t = now_seconds();
    int ok;
    pthread_mutex_lock(&g->lock);
    bucket *b = &g->buckets[h % GUARD_BUCKETS];
    if (strncmp(b->client, client, sizeof b->client - 1) != 0) {
        /* a new client (or a collision): start it with a full bucket */
        snprintf(b->client, sizeof b->client, "%s", client);
        b->tokens = g->burst;
        b->last = t;
    }
    b->tokens = fmin(g->burst, b->tokens + (t - b->last) * g->rate);
    b->last = t;
    ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    pthread_mutex_unlock(&g->lock);
    return ok;
}

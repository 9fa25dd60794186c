/* gate.c — the door in front of libmicrohttpd (see server.h): accepts the
 * connections, holds the limits, and reads each request head before the
 * HTTP library sees it.
 *
 * Why: libmicrohttpd answers malformed requests itself (400, 414, 431, 505)
 * with HTML bodies that cannot be replaced, splits its connection limits
 * across its worker threads, and lets a client that never finishes its head
 * hold a connection for the whole connection timeout.  So the gate
 *   - accepts on the listening socket itself and counts connections per
 *     client address and in total (SRV_MAX_CONNS_PER_ADDR, SRV_MAX_CONNS),
 *     answering 429/503 past them; when the total is reached, a connection
 *     still sending its head from the address holding the most is dropped
 *     (408) to make room for an address holding fewer, so slow clients on a
 *     few addresses cannot lock everyone else out;
 *   - peeks (MSG_PEEK: nothing is consumed) at each new connection until its
 *     head is complete, within header_timeout seconds (else 408), and checks
 *     it (srv_check_head): anything libmicrohttpd would refuse is answered
 *     here, as JSON;
 *   - hands the connection, head unread, to libmicrohttpd
 *     (MHD_add_connection).  Every response closes its connection
 *     (serve.c), so every request passes the gate.
 * One thread; the counts are shared with libmicrohttpd's threads, which
 * release a connection when it closes (srv_gate_release). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server.h"

/* ---- the request head ---------------------------------------------------------- */

static int tchar(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int name_is(const char *p, size_t n, const char *want)
{
    return strlen(want) == n && strncasecmp(p, want, n) == 0;
}

int srv_check_head(const char *buf, size_t n, size_t *head_len, const char **why)
{
    *head_len = 0;
    *why = "";
    /* the request line */
    const char *eol = memchr(buf, '\n', n);
    if (!eol) {
        if (n > SRV_MAX_URL + 32) {
            *why = "request target too long";
            return 414;
        }
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)buf[i] < 0x20 && buf[i] != '\r') {
                *why = "malformed request line";
                return 400;
            }
        return -1;
    }
    size_t ll = (size_t)(eol - buf);
    if (ll == 0 || buf[ll - 1] != '\r') {
        *why = "malformed request line (lines end with CRLF)";
        return 400;
    }
    ll--;
    size_t i = 0;
    while (i < ll && tchar((unsigned char)buf[i]))
        i++;
    if (i == 0 || i >= ll || buf[i] != ' ') {
        *why = "malformed request line (METHOD TARGET HTTP/1.1)";
        return 400;
    }
    size_t t0 = ++i;
    while (i < ll && (unsigned char)buf[i] > 0x20 && (unsigned char)buf[i] < 0x7f)
        i++;
    if (i - t0 >= SRV_MAX_URL) {
        *why = "request target too long";
        return 414;
    }
    if (i == t0 || i >= ll || buf[i] != ' ') {
        *why = "malformed request target";
        return 400;
    }
    i++;
    int v11 = 0;
    if (ll - i == 8 && memcmp(buf + i, "HTTP/1.1", 8) == 0) {
        v11 = 1;
    } else if (!(ll - i == 8 && memcmp(buf + i, "HTTP/1.0", 8) == 0)) {
        if (ll - i >= 5 && memcmp(buf + i, "HTTP/", 5) == 0) {
            *why = "HTTP version not supported (1.0 and 1.1 are)";
            return 505;
        }
        *why = "malformed request line (METHOD TARGET HTTP/1.1)";
        return 400;
    }
    /* the header lines, up to the empty one */
    int hosts = 0, lengths = 0, te = 0;
    const char *p = eol + 1, *end = buf + n;
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            if (n > SRV_HEAD_MAX) {
                *why = "request header fields too large";
                return 431;
            }
            for (const char *q = p; q < end; q++)
                if (*q == '\n' || ((unsigned char)*q < 0x20 && *q != '\r' && *q != '\t')) {
                    *why = "malformed header line";
                    return 400;
                }
            return -1;
        }
        if ((size_t)(nl + 1 - buf) > SRV_HEAD_MAX) {
            *why = "request header fields too large";
            return 431;
        }
        size_t len = (size_t)(nl - p);
        if (len == 0 || p[len - 1] != '\r') {
            *why = "malformed header line (lines end with CRLF)";
            return 400;
        }
        len--;
        if (len == 0) {
            p = nl + 1;
            break;
        }
        size_t k = 0;
        while (k < len && tchar((unsigned char)p[k]))
            k++;
        if (k == 0 || k >= len || p[k] != ':') {
            *why = "malformed header line (NAME: value)";
            return 400;
        }
        for (size_t j = k + 1; j < len; j++)
            if (((unsigned char)p[j] < 0x20 && p[j] != '\t') || p[j] == 0x7f) {
                *why = "control character in a header value";
                return 400;
            }
        const char *val = p + k + 1;
        size_t vl = len - k - 1;
        while (vl && (*val == ' ' || *val == '\t'))
            val++, vl--;
        while (vl && (val[vl - 1] == ' ' || val[vl - 1] == '\t'))
            vl--;
        if (name_is(p, k, "Host")) {
            hosts++;
        } else if (name_is(p, k, "Content-Length")) {
            lengths++;
            if (vl == 0 || vl > 18) {
                *why = vl ? "Content-Length too large" : "empty Content-Length";
                return vl ? 413 : 400;
            }
            for (size_t j = 0; j < vl; j++)
                if (val[j] < '0' || val[j] > '9') {
                    *why = "Content-Length is not a number (or several differ)";
                    return 400;
                }
        } else if (name_is(p, k, "Transfer-Encoding")) {
            te++;
        }
        p = nl + 1;
    }
    if (lengths > 1) {
        *why = "more than one Content-Length";
        return 400;
    }
    if (te) {
        *why = "Transfer-Encoding is not accepted: send the body with a Content-Length";
        return 411;
    }
    if (hosts > 1 || (v11 && hosts == 0)) {
        *why = hosts ? "more than one Host header" : "HTTP/1.1 needs a Host header";
        return 400;
    }
    *head_len = (size_t)(p - buf);
    return 0;
}

/* ---- connections and limits ---------------------------------------------------------- */

typedef struct gate_addr {
    unsigned char ip[16]; /* IPv4 as ::ffff:a.b.c.d */
    int count;
} gate_addr;

typedef struct gate_conn {
    int state;        /* 0 free, 1 reading its head (here), 2 with libmicrohttpd */
    int addr;         /* index in addrs while counted */
    double deadline;  /* monotonic seconds: the head must be in by then */
    struct sockaddr_storage sa;
    socklen_t salen;
} gate_conn;

struct srv_gate {
    int lfd, efd, wake;
    struct MHD_Daemon *d;
    double header_timeout;
    pthread_t thread;
    int running;
    pthread_mutex_t lock; /* addrs, total, conns[].state 2 → 0 */
    gate_addr *addrs;     /* SRV_MAX_CONNS slots: at most that many addresses count */
    int total;
    gate_conn *conns;     /* by fd */
    int nconns;
    int quiet;
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ip_key(const struct sockaddr *sa, unsigned char ip[16])
{
    memset(ip, 0, 16);
    if (sa->sa_family == AF_INET6) {
        memcpy(ip, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
    } else if (sa->sa_family == AF_INET) {
        ip[10] = ip[11] = 0xff;
        memcpy(ip + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
    }
}

/* The address slot of ip (a new one when count is 0 everywhere); -1 if full
 * (cannot be: at most SRV_MAX_CONNS connections are counted). */
static int addr_slot(srv_gate *g, const unsigned char ip[16])
{
    int free_slot = -1;
    for (int i = 0; i < SRV_MAX_CONNS; i++) {
        if (g->addrs[i].count > 0 && memcmp(g->addrs[i].ip, ip, 16) == 0)
            return i;
        if (g->addrs[i].count == 0 && free_slot < 0)
            free_slot = i;
    }
    if (free_slot >= 0)
        memcpy(g->addrs[free_slot].ip, ip, 16);
    return free_slot;
}

/* Answer a JSON error on a connection the gate holds and close it.  What the
 * client sent is read first, so the close does not reset the answer away. */
static void refuse(int fd, int status, const char *why)
{
    static const struct {
        int status;
        const char *text;
    } texts[] = {{400, "Bad Request"},       {408, "Request Timeout"},
                 {411, "Length Required"},   {413, "Content Too Large"},
                 {414, "URI Too Long"},      {429, "Too Many Requests"},
                 {431, "Request Header Fields Too Large"}, {503, "Service Unavailable"},
                 {505, "HTTP Version Not Supported"}};
    const char *text = "Error";
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].status == status)
            text = texts[i].text;
    char body[512], msg[1024];
    int bl = snprintf(body, sizeof body, "{\"error\":\"%s\"}\n", why); /* why: plain ASCII */
    int ml = snprintf(msg, sizeof msg,
                      "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                      "Content-Length: %d\r\nConnection: close\r\nCache-Control: no-store\r\n"
                      "X-Content-Type-Options: nosniff\r\n\r\n%s",
                      status, text, bl, body);
    char sink[16384];
    while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
        ;
    if (ml > 0 && send(fd, msg, (size_t)ml, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
        /* the client is gone: nothing to tell */
    }
    shutdown(fd, SHUT_WR);
    while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
        ;
    close(fd);
}

static void uncount(srv_gate *g, gate_conn *c)
{
    pthread_mutex_lock(&g->lock);
    if (c->state) {
        g->addrs[c->addr].count--;
        g->total--;
        c->state = 0;
    }
    pthread_mutex_unlock(&g->lock);
}

/* Drop a connection still sending its head (gate thread only). */
static void drop(srv_gate *g, int fd, int status, const char *why)
{
    epoll_ctl(g->efd, EPOLL_CTL_DEL, fd, NULL);
    uncount(g, &g->conns[fd]);
    refuse(fd, status, why);
}

void srv_gate_release(srv_gate *g, int fd)
{
    if (!g || fd < 0 || fd >= g->nconns)
        return;
    gate_conn *c = &g->conns[fd];
    pthread_mutex_lock(&g->lock);
    if (c->state == 2) { /* libmicrohttpd's: it notifies before it closes */
        g->addrs[c->addr].count--;
        g->total--;
        c->state = 0;
    }
    pthread_mutex_unlock(&g->lock);
}

/* At the total limit: make room for a client at address slot `mine` (-1:
 * none yet) by dropping the oldest head-in-progress of the address holding
 * the most connections, when that address holds at least two more.  1 when
 * room was made. */
static int make_room(srv_gate *g, int mine)
{
    int most = -1, mine_count = mine >= 0 ? g->addrs[mine].count : 0;
    pthread_mutex_lock(&g->lock);
    for (int i = 0; i < SRV_MAX_CONNS; i++)
        if (g->addrs[i].count > 0 && (most < 0 || g->addrs[i].count > g->addrs[most].count))
            most = i;
    int ok = most >= 0 && g->addrs[most].count >= mine_count + 2;
    pthread_mutex_unlock(&g->lock);
    if (!ok)
        return 0;
    int victim = -1;
    for (int fd = 0; fd < g->nconns; fd++)
        if (g->conns[fd].state == 1 && g->conns[fd].addr == most &&
            (victim < 0 || g->conns[fd].deadline < g->conns[victim].deadline))
            victim = fd;
    if (victim < 0)
        return 0;
    drop(g, victim, 408, "the request head came too slowly: dropped to make room");
    return 1;
}

static void on_accept(srv_gate *g, int fd, const struct sockaddr_storage *sa, socklen_t salen)
{
    if (fd >= g->nconns) {
        refuse(fd, 503, "server busy: too many connections");
        return;
    }
    unsigned char ip[16];
    ip_key((const struct sockaddr *)sa, ip);
    pthread_mutex_lock(&g->lock);
    int a = addr_slot(g, ip);
    int full = g->total >= SRV_MAX_CONNS, mine = a >= 0 && g->addrs[a].count > 0 ? a : -1;
    int per = a >= 0 && g->addrs[a].count >= SRV_MAX_CONNS_PER_ADDR;
    pthread_mutex_unlock(&g->lock);
    if (per) {
        refuse(fd, 429, "too many connections from your address");
        return;
    }
    if (full && !make_room(g, mine)) {
        refuse(fd, 503, "server busy: too many connections");
        return;
    }
    pthread_mutex_lock(&g->lock);
    a = addr_slot(g, ip); /* again: make_room may have freed a slot */
    if (a < 0) { /* cannot be: fewer than SRV_MAX_CONNS connections count */
        pthread_mutex_unlock(&g->lock);
        refuse(fd, 503, "server busy: too many connections");
        return;
    }
    g->addrs[a].count++;
    g->total++;
    gate_conn *c = &g->conns[fd];
    c->state = 1;
    c->addr = a;
    c->deadline = mono() + g->header_timeout;
    c->sa = *sa;
    c->salen = salen;
    pthread_mutex_unlock(&g->lock);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = fd};
    if (epoll_ctl(g->efd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        uncount(g, c);
        refuse(fd, 503, "server busy");
    }
}

/* New bytes on a connection reading its head: complete and good → to
 * libmicrohttpd; bad → refused; else wait for more — unless the client has
 * hung up (hup: peeking shows the bytes it sent, never the end). */
static void on_readable(srv_gate *g, int fd, int hup)
{
    gate_conn *c = &g->conns[fd];
    if (c->state != 1)
        return;
    char buf[SRV_HEAD_MAX + 1];
    ssize_t k = recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
        epoll_ctl(g->efd, EPOLL_CTL_DEL, fd, NULL);
        uncount(g, c);
        close(fd);
        return;
    }
    if (k < 0)
        return;
    size_t head_len;
    const char *why;
    int st = srv_check_head(buf, (size_t)k, &head_len, &why);
    if (st < 0 && hup) {
        epoll_ctl(g->efd, EPOLL_CTL_DEL, fd, NULL);
        uncount(g, c);
        close(fd);
        return;
    }
    if (st < 0)
        return;
    if (st > 0) {
        drop(g, fd, st, why);
        return;
    }
    epoll_ctl(g->efd, EPOLL_CTL_DEL, fd, NULL);
    pthread_mutex_lock(&g->lock);
    c->state = 2;
    pthread_mutex_unlock(&g->lock);
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK); /* as libmicrohttpd expects from accept() */
    if (MHD_add_connection(g->d, fd, (const struct sockaddr *)&c->sa, c->salen) != MHD_YES)
        uncount(g, c); /* libmicrohttpd closed the socket */
}

static void *gate_main(void *arg)
{
    srv_gate *g = arg;
    struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(g->efd, evs, 64, 200);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == g->wake)
                return NULL;
            if (fd != g->lfd) {
                on_readable(g, fd, (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
                continue;
            }
            for (;;) {
                struct sockaddr_storage sa;
                socklen_t salen = sizeof sa;
                int cfd = accept(g->lfd, (struct sockaddr *)&sa, &salen);
                if (cfd < 0 && (errno == EMFILE || errno == ENFILE)) {
                    /* out of descriptors: the listening socket stays
                     * readable; wait instead of spinning */
                    struct timespec pause = {0, 50 * 1000 * 1000};
                    nanosleep(&pause, NULL);
                }
                if (cfd < 0)
                    break;
                int fl = fcntl(cfd, F_GETFL);
                if (fl < 0 || fcntl(cfd, F_SETFL, fl | O_NONBLOCK) != 0 ||
                    fcntl(cfd, F_SETFD, FD_CLOEXEC) != 0) {
                    close(cfd);
                    continue;
                }
                on_accept(g, cfd, &sa, salen);
            }
        }
        double now = mono();
        for (int fd = 0; fd < g->nconns; fd++)
            if (g->conns[fd].state == 1 && g->conns[fd].deadline < now)
                drop(g, fd, 408, "the request head did not come in time");
    }
}

ckp_status srv_gate_start(int lfd, struct MHD_Daemon *d, int header_timeout, srv_gate **out,
                          ckp_error *err)
{
    *out = NULL;
    srv_gate *g = calloc(1, sizeof *g);
    if (!g)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    struct rlimit rl;
    int nfd = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)nfd)
        nfd = (int)rl.rlim_cur;
    g->lfd = lfd;
    g->d = d;
    g->header_timeout = header_timeout > 0 ? header_timeout : SRV_HEADER_TIMEOUT;
    g->nconns = nfd;
    g->conns = calloc((size_t)nfd, sizeof *g->conns);
    g->addrs = calloc(SRV_MAX_CONNS, sizeof *g->addrs);
    g->efd = epoll_create1(EPOLL_CLOEXEC);
    g->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    pthread_mutex_init(&g->lock, NULL);
    struct epoll_event el = {.events = EPOLLIN, .data.fd = lfd};
    struct epoll_event ew = {.events = EPOLLIN, .data.fd = g->wake};
    if (!g->conns || !g->addrs || g->efd < 0 || g->wake < 0 ||
        epoll_ctl(g->efd, EPOLL_CTL_ADD, lfd, &el) != 0 ||
        epoll_ctl(g->efd, EPOLL_CTL_ADD, g->wake, &ew) != 0 ||
        pthread_create(&g->thread, NULL, gate_main, g) != 0) {
        ckp_status st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "cannot start the gate: %s",
                                      strerror(errno));
        srv_gate_free(g);
        return st;
    }
    g->running = 1;
    *out = g;
    return CKP_OK;
}

void srv_gate_stop(srv_gate *g)
{
    if (!g || !g->running)
        return;
    uint64_t one = 1;
    if (write(g->wake, &one, sizeof one) != sizeof one) {
        /* an eventfd write cannot fail here; the join would hang */
    }
    pthread_join(g->thread, NULL);
    g->running = 0;
    for (int fd = 0; fd < g->nconns; fd++)
        if (g->conns[fd].state == 1) {
            uncount(g, &g->conns[fd]);
            close(fd);
        }
}

void srv_gate_free(srv_gate *g)
{
    if (!g)
        return;
    srv_gate_stop(g);
    if (g->efd >= 0)
        close(g->efd);
    if (g->wake >= 0)
        close(g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g->conns);
    free(g->addrs);
    free(g);
}

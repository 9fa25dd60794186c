/* cases.c — case decisions and the append-only audit trail in SQLite (see
 * server.h).
 *
 * Two tables: `decisions` holds the standing decision per item (alert or
 * match id), `audit` every decision ever made, in order.  Both are written in
 * one transaction; the database runs in WAL mode with synchronous=FULL, so a
 * decision acknowledged to the client survives a kill or a power cut.
 * Triggers refuse any UPDATE or DELETE on `audit`.  One connection, guarded
 * by a mutex: decisions are rare, and SQLite serialises writers anyway. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "chokepoint/output.h"
#include "server.h"

struct srv_cases {
    sqlite3 *db;
    sqlite3_stmt *lookup; /* prepared once: every screened alert asks it */
    pthread_mutex_t lock;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS decisions("
    "  item TEXT PRIMARY KEY,"
    "  subject TEXT NOT NULL, entry_id TEXT NOT NULL, entry_hash TEXT NOT NULL,"
    "  decision TEXT NOT NULL CHECK (decision IN ('cleared','escalated')),"
    "  reason TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL,"
    "  list_version TEXT NOT NULL, audit_seq INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS audit("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  at TEXT NOT NULL, by TEXT NOT NULL, action TEXT NOT NULL,"
    "  item TEXT NOT NULL, subject TEXT NOT NULL, entry_id TEXT NOT NULL,"
    "  entry_hash TEXT NOT NULL, reason TEXT NOT NULL, list_version TEXT NOT NULL);"
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;";

static ckp_status db_error(sqlite3 *db, const char *path, const char *what, ckp_error *err)
{
    return ckp_error_set(err, CKP_EIO, path, 0, 0, "%s: %s", what,
                         db ? sqlite3_errmsg(db) : "cannot open");
}

ckp_status srv_cases_open(const char *path, srv_cases **out, ckp_error *err)
{
    *out = NULL;
    srv_cases *c = calloc(1, sizeof *c);
    if (!c)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ckp_status st = CKP_OK;
    int rc = sqlite3_open_v2(path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        st = db_error(c->db, path, "cannot open the decisions database", err);
        goto out_fail;
    }
    sqlite3_busy_timeout(c->db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(c->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        st = ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot set up the decisions database: %s",
                           msg ? msg : "?");
        sqlite3_free(msg);
        goto out_fail;
    }
    if (sqlite3_prepare_v2(c->db, "SELECT decision, entry_hash FROM decisions WHERE item=?", -1,
                           &c->lookup, NULL) != SQLITE_OK) {
        st = db_error(c->db, path, "cannot prepare the decision lookup", err);
        goto out_fail;
    }
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return CKP_OK;
out_fail:
    sqlite3_close(c->db);
    free(c);
    return st;
}

void srv_cases_close(srv_cases *c)
{
    if (!c)
        return;
    sqlite3_finalize(c->lookup);
    sqlite3_close(c->db);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static void utc_now(char *buf, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%.20s.%03dZ", base, (int)(ts.tv_nsec / 1000000) % 1000);
}

static int bind_texts(sqlite3_stmt *st, const char *const *v, int n)
{
    for (int i = 0; i < n; i++)
        if (sqlite3_bind_text(st, i + 1, v[i] ? v[i] : "", -1, SQLITE_TRANSIENT) != SQLITE_OK)
            return -1;
    return 0;
}

ckp_status srv_cases_decide(srv_cases *c, const srv_decision *d, long long *seq,
                            ckp_error *err)
{
    char at[64];
    utc_now(at, sizeof at);
    ckp_status st = CKP_OK;
    sqlite3_stmt *ins = NULL, *up = NULL;
    pthread_mutex_lock(&c->lock);
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        st = db_error(c->db, NULL, "cannot start a transaction", err);
        goto out_unlock;
    }
    const char *aq = "INSERT INTO audit(at,by,action,item,subject,entry_id,entry_hash,reason,"
                     "list_version) VALUES(?,?,?,?,?,?,?,?,?)";
    const char *av[] = {at, d->by, d->decision, d->item, d->subject, d->entry_id,
                        d->entry_hash, d->reason, d->list_version};
    if (sqlite3_prepare_v2(c->db, aq, -1, &ins, NULL) != SQLITE_OK || bind_texts(ins, av, 9) ||
        sqlite3_step(ins) != SQLITE_DONE) {
        st = db_error(c->db, NULL, "cannot append to the audit trail", err);
        goto out_rollback;
    }
    long long s = sqlite3_last_insert_rowid(c->db);
    const char *dq = "INSERT INTO decisions(item,subject,entry_id,entry_hash,decision,reason,by,"
                     "at,list_version,audit_seq) VALUES(?,?,?,?,?,?,?,?,?,?) "
                     "ON CONFLICT(item) DO UPDATE SET subject=excluded.subject,"
                     "entry_id=excluded.entry_id,entry_hash=excluded.entry_hash,"
                     "decision=excluded.decision,reason=excluded.reason,by=excluded.by,"
                     "at=excluded.at,list_version=excluded.list_version,"
                     "audit_seq=excluded.audit_seq";
    const char *dv[] = {d->item,   d->subject, d->entry_id, d->entry_hash,
                        d->decision, d->reason, d->by,       at,
                        d->list_version};
    if (sqlite3_prepare_v2(c->db, dq, -1, &up, NULL) != SQLITE_OK || bind_texts(up, dv, 9) ||
        sqlite3_bind_int64(up, 10, s) != SQLITE_OK || sqlite3_step(up) != SQLITE_DONE) {
        st = db_error(c->db, NULL, "cannot record the decision", err);
        goto out_rollback;
    }
    if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        st = db_error(c->db, NULL, "cannot commit the decision", err);
        goto out_rollback;
    }
    if (seq)
        *seq = s;
    goto out_unlock;
out_rollback:
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
out_unlock:
    sqlite3_finalize(ins);
    sqlite3_finalize(up);
    pthread_mutex_unlock(&c->lock);
    return st;
}

const char *srv_cases_lookup(srv_cases *c, const char *item, const char *entry_hash, char *buf,
                             size_t n)
{
    const char *res = NULL;
    sqlite3_stmt *q = c->lookup;
    pthread_mutex_lock(&c->lock);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (sqlite3_bind_text(q, 1, item ? item : "", -1, SQLITE_TRANSIENT) != SQLITE_OK)
        goto out;
    if (sqlite3_step(q) == SQLITE_ROW) {
        const char *dec = (const char *)sqlite3_column_text(q, 0);
        const char *h = (const char *)sqlite3_column_text(q, 1);
        /* a decision recorded with the entry's hash lapses when the entry
         * changes; one recorded without a hash is not tied to the content */
        if (entry_hash && h && *h && strcmp(h, entry_hash) != 0)
            dec = "stale";
        snprintf(buf, n, "%s", dec ? dec : "");
        res = buf;
    }
out:
    sqlite3_reset(q);
    pthread_mutex_unlock(&c->lock);
    return res;
}

/* A growable text buffer with a limit (memstream would do, but we want the
 * limit to be explicit). */
typedef struct sbuf {
    char *p;
    size_t len, cap, limit;
    int failed;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > b->limit) {
            b->failed = 1;
            return;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_json_string(sbuf *b, const char *s)
{
    char *m = NULL;
    size_t ml = 0;
    FILE *f = open_memstream(&m, &ml);
    if (!f) {
        b->failed = 1;
        return;
    }
    ckp_json_write_string(f, s, strlen(s));
    fclose(f);
    sb_put(b, m, ml);
    free(m);
}

static void sb_csv_field(sbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        sb_str(b, s);
        return;
    }
    sb_put(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sb_put(b, "\"", 1);
        sb_put(b, p, 1);
    }
    sb_put(b, "\"", 1);
}

ckp_status srv_cases_export(srv_cases *c, int decisions, int csv, long limit, char **out,
                            size_t *len, ckp_error *err)
{
    const char *sql = decisions
                          ? "SELECT item,subject,entry_id,entry_hash,decision,reason,by,at,"
                            "list_version,audit_seq FROM decisions ORDER BY audit_seq"
                          : "SELECT seq,at,by,action,item,subject,entry_id,entry_hash,reason,"
                            "list_version FROM audit ORDER BY seq";
    sbuf b = {NULL, 0, 0, (size_t)64 << 20, 0};
    sqlite3_stmt *q = NULL;
    ckp_status st = CKP_OK;
    pthread_mutex_lock(&c->lock);
    if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) != SQLITE_OK) {
        st = db_error(c->db, NULL, "cannot read the audit trail", err);
        goto out;
    }
    int ncol = sqlite3_column_count(q);
    if (csv) {
        for (int i = 0; i < ncol; i++) {
            sb_str(&b, i ? "," : "");
            sb_str(&b, sqlite3_column_name(q, i));
        }
        sb_str(&b, "\r\n");
    } else {
        sb_str(&b, "{\"rows\":[");
    }
    long k = 0;
    for (;;) {
        if (limit > 0 && k >= limit)
            break;
        if (sqlite3_step(q) != SQLITE_ROW)
            break;
        if (!csv)
            sb_str(&b, k ? ",\n{" : "\n{");
        for (int i = 0; i < ncol; i++) {
            const char *v = (const char *)sqlite3_column_text(q, i);
            int is_int = sqlite3_column_type(q, i) == SQLITE_INTEGER;
            if (csv) {
                sb_str(&b, i ? "," : "");
                sb_csv_field(&b, v ? v : "");
            } else {
                sb_str(&b, i ? "," : "");
                sb_json_string(&b, sqlite3_column_name(q, i));
                sb_str(&b, ":");
                if (is_int)
                    sb_str(&b, v ? v : "0");
                else
                    sb_json_string(&b, v ? v : "");
            }
        }
        sb_str(&b, csv ? "\r\n" : "}");
        k++;
    }
    if (!csv)
        sb_str(&b, "]}\n");
    if (b.failed) {
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "audit export too large or out of memory");
        free(b.p);
        goto out;
    }
    *out = b.p;
    *len = b.len;
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&c->lock);
    return st;
}

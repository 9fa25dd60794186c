/* cases.c — case decisions and the tamper-evident audit trail in SQLite
 * (see server.h).
 *
 * Three tables: `decisions` holds the standing decision per item (alert or
 * match id), `audit` every decision ever made, in order, and `requests` the
 * answer given to each idempotency key.  A decision writes all three in one
 * transaction; the database runs in WAL mode with synchronous=FULL, so a
 * decision acknowledged to the client survives a kill or a power cut, and
 * one that was not acknowledged was not recorded.
 *
 * The audit trail is append-only twice over: triggers refuse UPDATE, DELETE
 * and an INSERT onto an existing seq (INSERT OR REPLACE deletes the old row
 * without firing delete triggers unless recursive_triggers is on, so the
 * insert itself is refused); and every row carries the SHA-256 of its
 * canonical form chained to the previous row's hash, so a row changed,
 * removed or reordered behind the triggers' back (the file edited, the
 * triggers dropped) is found by srv_audit_verify (`chokepoint audit
 * verify`).  One connection, guarded by a mutex: decisions are rare, and
 * SQLite serialises writers anyway. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "chokepoint/output.h"
#include "core/vec.h"
#include "server.h"

struct srv_cases {
    sqlite3 *db;
    sqlite3_stmt *lookup; /* prepared once: every screened alert asks it */
    pthread_mutex_t lock;
};

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS decisions("
    "  item TEXT PRIMARY KEY,"
    "  subject TEXT NOT NULL, entry_id TEXT NOT NULL, entry_hash TEXT NOT NULL,"
    "  decision TEXT NOT NULL CHECK (decision IN ('cleared','escalated')),"
    "  reason TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL,"
    "  list_version TEXT NOT NULL, audit_seq INTEGER NOT NULL,"
    "  user TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS audit("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  at TEXT NOT NULL, by TEXT NOT NULL, action TEXT NOT NULL,"
    "  item TEXT NOT NULL, subject TEXT NOT NULL, entry_id TEXT NOT NULL,"
    "  entry_hash TEXT NOT NULL, reason TEXT NOT NULL, list_version TEXT NOT NULL,"
    "  user TEXT NOT NULL DEFAULT '', request_id TEXT NOT NULL DEFAULT '',"
    "  prev_hash TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS requests("
    "  user TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL,"
    "  answer TEXT NOT NULL, audit_seq INTEGER NOT NULL, PRIMARY KEY(user, key));"
    /* watch.c: counterparties screened, list versions, their deltas, the
     * snapshot of each list's entities, alerts from re-screening */
    "CREATE TABLE IF NOT EXISTS counterparties("
    "  name TEXT NOT NULL, country TEXT NOT NULL, first_screened TEXT NOT NULL,"
    "  last_screened TEXT NOT NULL, list_version TEXT NOT NULL, via TEXT NOT NULL,"
    "  screenings INTEGER NOT NULL, PRIMARY KEY(name, country));"
    "CREATE TABLE IF NOT EXISTS list_versions("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT, list TEXT NOT NULL, hash TEXT NOT NULL,"
    "  at TEXT NOT NULL, entities INTEGER NOT NULL, names INTEGER NOT NULL,"
    "  bad_rows INTEGER NOT NULL, added INTEGER NOT NULL, removed INTEGER NOT NULL,"
    "  changed INTEGER NOT NULL, merged INTEGER NOT NULL, rescreened INTEGER NOT NULL,"
    "  new_alerts INTEGER NOT NULL, reopened INTEGER NOT NULL, kept_decided INTEGER NOT NULL,"
    "  first_bad TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS list_changes("
    "  seq INTEGER NOT NULL, entity_id TEXT NOT NULL, change TEXT NOT NULL,"
    "  from_id TEXT NOT NULL, name TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS list_entities("
    "  list TEXT NOT NULL, entity_id TEXT NOT NULL, fp TEXT NOT NULL,"
    "  PRIMARY KEY(list, entity_id));"
    "CREATE TABLE IF NOT EXISTS list_alerts("
    "  id TEXT PRIMARY KEY, decided_item TEXT NOT NULL, counterparty TEXT NOT NULL,"
    "  country TEXT NOT NULL, list TEXT NOT NULL, entity_id TEXT NOT NULL,"
    "  entity_name TEXT NOT NULL, matched_name TEXT NOT NULL, score REAL NOT NULL,"
    "  explanation TEXT NOT NULL, entry_hash TEXT NOT NULL, status TEXT NOT NULL,"
    "  why TEXT NOT NULL, version_seq INTEGER NOT NULL, at TEXT NOT NULL);";

/* Created after the migration (which drops audit_no_update for a moment). */
static const char triggers[] =
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit_no_replace BEFORE INSERT ON audit"
    "  WHEN EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)"
    "  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;";

static ckp_status db_error(sqlite3 *db, const char *path, const char *what, ckp_error *err)
{
    return ckp_error_set(err, CKP_EIO, path, 0, 0, "%s: %s", what,
                         db ? sqlite3_errmsg(db) : "cannot open");
}

/* ---- the hash chain ------------------------------------------------------------ */

/* The audit fields in hashing order (canonical form, see chain_hash). */
#define AUDIT_FIELDS "seq,at,by,user,action,item,subject,entry_id,entry_hash,reason," \
                     "list_version,request_id,prev_hash"
#define AUDIT_NFIELDS 13

/* SHA-256 of the bytes as 64 hex digits; -1 when libcrypto fails. */
int srv_sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
        return -1;
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* A row's hash: SHA-256 over "chokepoint-audit-1\n" and each field of
 * AUDIT_FIELDS (seq as decimal, prev_hash last) written as "LENGTH:BYTES\n",
 * so no two different rows share a canonical form.  Returns -1 on failure. */
static int chain_hash(const char *const v[AUDIT_NFIELDS], char out[65])
{
    size_t n = 32;
    for (int i = 0; i < AUDIT_NFIELDS; i++)
        n += strlen(v[i] ? v[i] : "") + 24;
    char *buf = malloc(n);
    if (!buf)
        return -1;
    size_t o = (size_t)snprintf(buf, n, "chokepoint-audit-1\n");
    for (int i = 0; i < AUDIT_NFIELDS; i++) {
        const char *f = v[i] ? v[i] : "";
        size_t fl = strlen(f);
        o += (size_t)snprintf(buf + o, n - o, "%zu:", fl);
        memcpy(buf + o, f, fl);
        o += fl;
        buf[o++] = '\n';
    }
    int rc = srv_sha256_hex(buf, o, out);
    free(buf);
    return rc;
}

/* The values of AUDIT_FIELDS from a statement whose columns start with them. */
static void row_fields(sqlite3_stmt *q, char seqbuf[24], const char *v[AUDIT_NFIELDS])
{
    snprintf(seqbuf, 24, "%lld", (long long)sqlite3_column_int64(q, 0));
    v[0] = seqbuf;
    for (int i = 1; i < AUDIT_NFIELDS; i++) {
        const char *t = (const char *)sqlite3_column_text(q, i);
        v[i] = t ? t : "";
    }
}

static int has_column(sqlite3 *db, const char *table, const char *col)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name='%s'", table,
             col);
    sqlite3_stmt *q = NULL;
    int found = sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
                sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return found;
}

/* A database made before the hash chain: add the columns (the token user,
 * the request id, the hashes) and chain the rows it holds, in one
 * transaction.  Old rows keep `by` as recorded ("NAME (token: USER)") and an
 * empty `user`: what was written then cannot be told apart now. */
static ckp_status migrate(sqlite3 *db, const char *path, int *migrated, ckp_error *err)
{
    *migrated = 0;
    if (has_column(db, "audit", "hash") && has_column(db, "decisions", "user"))
        return CKP_OK;
    ckp_status st = CKP_OK;
    sqlite3_stmt *q = NULL, *up = NULL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(db, path, "cannot start the migration", err);
    static const char *const adds[] = {
        "ALTER TABLE audit ADD COLUMN user TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE audit ADD COLUMN request_id TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE decisions ADD COLUMN user TEXT NOT NULL DEFAULT ''"};
    static const char *const cols[][2] = {{"audit", "user"}, {"audit", "request_id"},
                                          {"audit", "prev_hash"}, {"audit", "hash"},
                                          {"decisions", "user"}};
    for (size_t i = 0; i < sizeof adds / sizeof adds[0]; i++)
        if (!has_column(db, cols[i][0], cols[i][1]) &&
            sqlite3_exec(db, adds[i], NULL, NULL, NULL) != SQLITE_OK) {
            st = db_error(db, path, "cannot add the audit trail's new columns", err);
            goto out_rollback;
        }
    if (sqlite3_exec(db, "DROP TRIGGER IF EXISTS audit_no_update", NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT " AUDIT_FIELDS " FROM audit ORDER BY seq", -1, &q,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE audit SET prev_hash=?, hash=? WHERE seq=?", -1, &up,
                           NULL) != SQLITE_OK) {
        st = db_error(db, path, "cannot chain the audit trail", err);
        goto out_rollback;
    }
    char prev[65] = ZERO_HASH;
    while (sqlite3_step(q) == SQLITE_ROW) {
        char seqbuf[24], h[65];
        const char *v[AUDIT_NFIELDS];
        row_fields(q, seqbuf, v);
        v[AUDIT_NFIELDS - 1] = prev;
        if (chain_hash(v, h) != 0) {
            st = ckp_error_set(err, CKP_EIO, path, 0, 0, "SHA-256 failed (libcrypto)");
            goto out_rollback;
        }
        sqlite3_reset(up);
        if (sqlite3_bind_text(up, 1, prev, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
            sqlite3_bind_text(up, 2, h, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
            sqlite3_bind_int64(up, 3, sqlite3_column_int64(q, 0)) != SQLITE_OK ||
            sqlite3_step(up) != SQLITE_DONE) {
            st = db_error(db, path, "cannot chain the audit trail", err);
            goto out_rollback;
        }
        memcpy(prev, h, sizeof prev);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(up);
    q = up = NULL;
    if (sqlite3_exec(db, triggers, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        st = db_error(db, path, "cannot finish the migration", err);
        goto out_rollback;
    }
    *migrated = 1;
    return CKP_OK;
out_rollback:
    sqlite3_finalize(q);
    sqlite3_finalize(up);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

/* The database and its WAL files readable by the owner only: create the
 * file 0600 before SQLite does (its journals take the database's mode), and
 * narrow an existing one.  *fixed = 1 when a mode had to be narrowed.
 * An existing file is never opened here: closing any descriptor of a file
 * drops every POSIX lock this process holds on it, SQLite's included (and
 * another process could then checkpoint and delete the WAL under us). */
static ckp_status private_files(const char *path, int *fixed, ckp_error *err)
{
    *fixed = 0;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            return ckp_error_set(err, CKP_EIO, path, 0, 0,
                                 "cannot create the decisions database: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        if (stat(p, &sb) != 0 || !(sb.st_mode & 077))
            continue;
        if (chmod(p, sb.st_mode & 0700) != 0)
            return ckp_error_set(err, CKP_EIO, p, 0, 0,
                                 "readable by others (mode %03o) and cannot chmod it: %s",
                                 (unsigned)(sb.st_mode & 0777), strerror(errno));
        *fixed = 1;
    }
    return CKP_OK;
}

ckp_status srv_cases_open(const char *path, srv_cases **out, int *notes, ckp_error *err)
{
    *out = NULL;
    if (notes)
        *notes = 0;
    int fixed = 0, migrated = 0;
    ckp_status st = private_files(path, &fixed, err);
    if (st != CKP_OK)
        return st;
    srv_cases *c = calloc(1, sizeof *c);
    if (!c)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
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
    st = migrate(c->db, path, &migrated, err);
    if (st != CKP_OK)
        goto out_fail;
    if (sqlite3_exec(c->db, triggers, NULL, NULL, &msg) != SQLITE_OK) {
        st = ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot set up the audit triggers: %s",
                           msg ? msg : "?");
        sqlite3_free(msg);
        goto out_fail;
    }
    if (sqlite3_prepare_v2(c->db, "SELECT decision, entry_hash FROM decisions WHERE item=?", -1,
                           &c->lookup, NULL) != SQLITE_OK) {
        st = db_error(c->db, path, "cannot prepare the decision lookup", err);
        goto out_fail;
    }
    int fixed_wal = 0;
    st = private_files(path, &fixed_wal, err); /* the WAL files SQLite has made by now */
    if (st != CKP_OK)
        goto out_fail;
    fixed |= fixed_wal;
    pthread_mutex_init(&c->lock, NULL);
    if (notes)
        *notes = (fixed ? SRV_CASES_MODE_FIXED : 0) | (migrated ? SRV_CASES_MIGRATED : 0);
    *out = c;
    return CKP_OK;
out_fail:
    sqlite3_finalize(c->lookup);
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

struct sqlite3 *srv__cases_db(srv_cases *c) { return c->db; }
pthread_mutex_t *srv__cases_lock(srv_cases *c) { return &c->lock; }

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

/* One row of a one-statement query into a malloc'd copy of its text columns;
 * 1 = a row, 0 = none, -1 = error. */
static int query_row(sqlite3 *db, const char *sql, const char *const *binds, int nb,
                     char **c0, char **c1)
{
    sqlite3_stmt *q = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK || bind_texts(q, binds, nb))
        goto out;
    int s = sqlite3_step(q);
    if (s == SQLITE_DONE) {
        rc = 0;
    } else if (s == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(q, 0);
        const char *b = sqlite3_column_count(q) > 1 ? (const char *)sqlite3_column_text(q, 1)
                                                    : NULL;
        *c0 = strdup(a ? a : "");
        if (c1)
            *c1 = strdup(b ? b : "");
        rc = *c0 && (!c1 || *c1) ? 1 : -1;
    }
out:
    sqlite3_finalize(q);
    return rc;
}

/* The answer to a recorded decision (the same bytes are replayed for its
 * idempotency key). */
static char *decision_answer(const srv_decision *d, long long seq, const char *at,
                             const char *hash)
{
    json_t *o = json_pack("{s:b, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "ok", 1, "seq",
                          (json_int_t)seq, "id", d->item, "decision", d->decision, "by", d->by,
                          "user", d->user, "at", at, "hash", hash);
    if (o && d->request_key && *d->request_key &&
        json_object_set_new(o, "request_id", json_string(d->request_key)) != 0) {
        json_decref(o);
        return NULL;
    }
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

ckp_status srv_cases_decide(srv_cases *c, const srv_decision *d, srv_decided *out,
                            ckp_error *err)
{
    memset(out, 0, sizeof *out);
    char at[64], seqbuf[24], hash[65];
    utc_now(at, sizeof at);
    ckp_status st = CKP_OK;
    sqlite3_stmt *ins = NULL, *up = NULL, *rq = NULL;
    char *seen_hash = NULL, *seen_answer = NULL, *last_seq = NULL, *prev = NULL, *top = NULL;
    char *answer = NULL;
    const char *key = d->request_key ? d->request_key : "";
    pthread_mutex_lock(&c->lock);
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        st = db_error(c->db, NULL, "cannot start a transaction", err);
        goto out_unlock;
    }
    if (*key) {
        const char *kb[] = {d->user, key};
        int r = query_row(c->db, "SELECT body_hash, answer FROM requests WHERE user=? AND key=?",
                          kb, 2, &seen_hash, &seen_answer);
        if (r < 0) {
            st = db_error(c->db, NULL, "cannot look up the idempotency key", err);
            goto out_rollback;
        }
        if (r == 1) {
            if (strcmp(seen_hash, d->body_hash ? d->body_hash : "") != 0) {
                st = ckp_error_set(err, CKP_ESTATE, NULL, 0, 0,
                                   "idempotency key '%.80s' was used before with another "
                                   "request body: nothing recorded",
                                   key);
                goto out_rollback;
            }
            out->replayed = 1;
            out->answer = seen_answer;
            seen_answer = NULL;
            goto out_rollback; /* nothing written: end the transaction */
        }
    }
    /* the next seq and the hash it chains to: the last row's, or the
     * sequence's high-water mark when rows were removed after it */
    long long seq = 1;
    int r = query_row(c->db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", NULL, 0,
                      &last_seq, &prev);
    int r2 = query_row(c->db, "SELECT seq FROM sqlite_sequence WHERE name='audit'", NULL, 0,
                       &top, NULL);
    if (r < 0 || r2 < 0) {
        st = db_error(c->db, NULL, "cannot read the end of the audit trail", err);
        goto out_rollback;
    }
    if (r == 1)
        seq = atoll(last_seq) + 1;
    if (r2 == 1 && atoll(top) + 1 > seq)
        seq = atoll(top) + 1;
    snprintf(seqbuf, sizeof seqbuf, "%lld", seq);
    const char *av[AUDIT_NFIELDS] = {seqbuf,       at,           d->by,     d->user,
                                     d->decision,  d->item,      d->subject, d->entry_id,
                                     d->entry_hash, d->reason,   d->list_version, key,
                                     r == 1 ? prev : ZERO_HASH};
    if (chain_hash(av, hash) != 0) {
        st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "SHA-256 failed (libcrypto)");
        goto out_rollback;
    }
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO audit(" AUDIT_FIELDS ",hash) "
                           "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &ins, NULL) != SQLITE_OK ||
        bind_texts(ins, av, AUDIT_NFIELDS) ||
        sqlite3_bind_int64(ins, 1, seq) != SQLITE_OK ||
        sqlite3_bind_text(ins, AUDIT_NFIELDS + 1, hash, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_step(ins) != SQLITE_DONE) {
        st = db_error(c->db, NULL, "cannot append to the audit trail", err);
        goto out_rollback;
    }
    const char *dq = "INSERT INTO decisions(item,subject,entry_id,entry_hash,decision,reason,by,"
                     "at,list_version,user,audit_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
                     "ON CONFLICT(item) DO UPDATE SET subject=excluded.subject,"
                     "entry_id=excluded.entry_id,entry_hash=excluded.entry_hash,"
                     "decision=excluded.decision,reason=excluded.reason,by=excluded.by,"
                     "at=excluded.at,list_version=excluded.list_version,user=excluded.user,"
                     "audit_seq=excluded.audit_seq";
    const char *dv[] = {d->item,   d->subject, d->entry_id, d->entry_hash,   d->decision,
                        d->reason, d->by,      at,          d->list_version, d->user};
    if (sqlite3_prepare_v2(c->db, dq, -1, &up, NULL) != SQLITE_OK || bind_texts(up, dv, 10) ||
        sqlite3_bind_int64(up, 11, seq) != SQLITE_OK || sqlite3_step(up) != SQLITE_DONE) {
        st = db_error(c->db, NULL, "cannot record the decision", err);
        goto out_rollback;
    }
    /* the answer is made before the commit: a decision that cannot be
     * answered is not recorded */
    answer = decision_answer(d, seq, at, hash);
    if (!answer) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "cannot build the answer: nothing recorded");
        goto out_rollback;
    }
    if (*key) {
        const char *rv[] = {d->user, key, d->body_hash ? d->body_hash : "", answer};
        if (sqlite3_prepare_v2(c->db,
                               "INSERT INTO requests(user,key,body_hash,answer,audit_seq) "
                               "VALUES(?,?,?,?,?)",
                               -1, &rq, NULL) != SQLITE_OK ||
            bind_texts(rq, rv, 4) || sqlite3_bind_int64(rq, 5, seq) != SQLITE_OK ||
            sqlite3_step(rq) != SQLITE_DONE) {
            st = db_error(c->db, NULL, "cannot record the idempotency key", err);
            goto out_rollback;
        }
    }
    if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        st = db_error(c->db, NULL, "cannot commit the decision", err);
        goto out_rollback;
    }
    out->seq = seq;
    out->answer = answer;
    answer = NULL;
    goto out_unlock;
out_rollback:
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
out_unlock:
    sqlite3_finalize(ins);
    sqlite3_finalize(up);
    sqlite3_finalize(rq);
    pthread_mutex_unlock(&c->lock);
    CKP_FREE_ALL(seen_hash, seen_answer, last_seq, prev, top, answer);
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
    if (n > b->limit ||
        CKP_ARRAY_RESERVE(b->p, b->cap, b->len + n + 1, b->limit, "bytes", NULL) != CKP_OK) {
        b->failed = 1;
        return;
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
                            "list_version,audit_seq,user FROM decisions ORDER BY audit_seq"
                          : "SELECT seq,at,by,action,item,subject,entry_id,entry_hash,reason,"
                            "list_version,user,request_id,prev_hash,hash FROM audit ORDER BY seq";
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

/* ---- verification ------------------------------------------------------------------ */

static ckp_status bad_row(srv_verify_result *r, long long seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ckp_status bad_row(srv_verify_result *r, long long seq, const char *fmt, ...)
{
    r->bad_seq = seq;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
    return CKP_ECORRUPT;
}

/* Each standing decision must be the audit row it points to, and that row
 * the item's last one: a decision edited in place (a table without
 * triggers) shows here. */
static ckp_status verify_decisions(sqlite3 *db, srv_verify_result *r, ckp_error *err)
{
    static const char sql[] =
        "SELECT d.item, d.audit_seq, a.seq, "
        " (SELECT max(seq) FROM audit WHERE item = d.item),"
        " d.subject IS a.subject AND d.entry_id IS a.entry_id AND d.entry_hash IS a.entry_hash"
        " AND d.decision IS a.action AND d.reason IS a.reason AND d.by IS a.by"
        " AND d.at IS a.at AND d.list_version IS a.list_version AND d.user IS a.user"
        " FROM decisions d LEFT JOIN audit a ON a.seq = d.audit_seq ORDER BY d.audit_seq";
    sqlite3_stmt *q = NULL;
    ckp_status st = CKP_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_error(db, NULL, "cannot read the decisions", err);
    while (st == CKP_OK && sqlite3_step(q) == SQLITE_ROW) {
        const char *item = (const char *)sqlite3_column_text(q, 0);
        long long want = sqlite3_column_int64(q, 1);
        r->decisions++;
        if (sqlite3_column_type(q, 2) == SQLITE_NULL)
            st = bad_row(r, want, "the standing decision on '%.80s' points to audit row %lld, "
                                  "which does not exist", item ? item : "", want);
        else if (sqlite3_column_int64(q, 3) != want)
            st = bad_row(r, want, "the standing decision on '%.80s' is audit row %lld, not its "
                                  "last one (%lld)", item ? item : "", want,
                         (long long)sqlite3_column_int64(q, 3));
        else if (!sqlite3_column_int(q, 4))
            st = bad_row(r, want, "the standing decision on '%.80s' differs from audit row %lld "
                                  "(the decision was changed)", item ? item : "", want);
    }
    sqlite3_finalize(q);
    if (st != CKP_OK)
        return st;
    /* and every item of the trail has its standing decision */
    if (sqlite3_prepare_v2(db, "SELECT a.item, max(a.seq) FROM audit a LEFT JOIN decisions d "
                               "ON d.item = a.item WHERE d.item IS NULL GROUP BY a.item "
                               "ORDER BY 2 LIMIT 1", -1, &q, NULL) != SQLITE_OK)
        return db_error(db, NULL, "cannot read the decisions", err);
    if (sqlite3_step(q) == SQLITE_ROW)
        st = bad_row(r, sqlite3_column_int64(q, 1),
                     "the standing decision on '%.80s' (audit row %lld) was removed",
                     (const char *)sqlite3_column_text(q, 0),
                     (long long)sqlite3_column_int64(q, 1));
    sqlite3_finalize(q);
    return st;
}

ckp_status srv_audit_verify(const char *path, srv_verify_result *r, ckp_error *err)
{
    memset(r, 0, sizeof *r);
    snprintf(r->head, sizeof r->head, "%s", ZERO_HASH);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return ckp_error_set(err, CKP_ENOTFOUND, path, 0, 0, "%s", strerror(errno));
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    ckp_status st = CKP_OK;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        st = db_error(db, path, "cannot open the decisions database", err);
        goto out;
    }
    sqlite3_busy_timeout(db, 5000);
    /* one read transaction: a decision recorded meanwhile is not half seen */
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        st = db_error(db, path, "cannot read the decisions database", err);
        goto out;
    }
    if (!has_column(db, "audit", "hash") || !has_column(db, "decisions", "user")) {
        st = ckp_error_set(err, CKP_ECORRUPT, path, 0, 0,
                           "no hash chain in this database (no audit table, or made before the "
                           "chain: start `chokepoint serve --db` on it once to add it)");
        goto out;
    }
    if (sqlite3_prepare_v2(db, "SELECT " AUDIT_FIELDS ",hash FROM audit ORDER BY seq", -1, &q,
                           NULL) != SQLITE_OK) {
        st = db_error(db, path, "cannot read the audit trail", err);
        goto out;
    }
    long long expect = 1;
    int s;
    while ((s = sqlite3_step(q)) == SQLITE_ROW) {
        char seqbuf[24], h[65];
        const char *v[AUDIT_NFIELDS];
        long long seq = sqlite3_column_int64(q, 0);
        row_fields(q, seqbuf, v);
        const char *stored = (const char *)sqlite3_column_text(q, AUDIT_NFIELDS);
        if (seq != expect) {
            st = seq > expect
                     ? bad_row(r, expect, "row %lld is missing (the trail goes from %lld to "
                                          "%lld): removed", expect, expect - 1, seq)
                     : bad_row(r, seq, "row %lld is out of sequence", seq);
            break;
        }
        if (strcmp(v[AUDIT_NFIELDS - 1], r->head) != 0) {
            st = bad_row(r, seq, "row %lld does not chain to row %lld (a row before it was "
                                 "changed, removed or reordered)", seq, seq - 1);
            break;
        }
        if (chain_hash(v, h) != 0) {
            st = ckp_error_set(err, CKP_EIO, path, 0, 0, "SHA-256 failed (libcrypto)");
            break;
        }
        if (!stored || strcmp(stored, h) != 0) {
            st = bad_row(r, seq, "row %lld does not match its hash (the row was changed)", seq);
            break;
        }
        memcpy(r->head, h, sizeof r->head);
        r->rows++;
        expect++;
    }
    if (st == CKP_OK && s != SQLITE_DONE)
        st = db_error(db, path, "cannot read the audit trail", err);
    sqlite3_finalize(q);
    q = NULL;
    if (st == CKP_OK) {
        /* rows removed from the end leave the sequence's high-water mark */
        char *top = NULL;
        int k = query_row(db, "SELECT seq FROM sqlite_sequence WHERE name='audit'", NULL, 0, &top,
                          NULL);
        long long t = k == 1 ? atoll(top) : 0;
        free(top);
        if (k < 0)
            st = db_error(db, path, "cannot read the audit sequence", err);
        else if (t != r->rows)
            st = t > r->rows ? bad_row(r, r->rows + 1, "rows %lld to %lld are missing: removed "
                                                        "from the end", r->rows + 1, t)
                             : bad_row(r, r->rows, "the audit sequence (%lld) is behind the "
                                                   "trail (%lld rows)", t, r->rows);
    }
    if (st == CKP_OK)
        st = verify_decisions(db, r, err);
    /* the rows are intact; are they still protected? */
    static const char *const trig[] = {"audit_no_update", "audit_no_delete", "audit_no_replace"};
    for (size_t i = 0; st == CKP_OK && i < sizeof trig / sizeof trig[0]; i++) {
        char *x = NULL;
        const char *b[] = {trig[i]};
        int k = query_row(db, "SELECT name FROM sqlite_master WHERE type='trigger' AND name=?",
                          b, 1, &x, NULL);
        free(x);
        if (k != 1) {
            st = bad_row(r, 0, "trigger %s is missing: the audit table was unprotected", trig[i]);
            break;
        }
    }
    if (st == CKP_ECORRUPT)
        ckp_error_set(err, CKP_ECORRUPT, path, 0, 0, "%s", r->why);
out:
    sqlite3_finalize(q);
    if (db)
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return st;
}

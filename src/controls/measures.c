/* measures.c — the measures register (see measures.h): loading the shipped
 * measures, the EU's HS6 sanctions on Russia and the CHPL, plus user files;
 * the screening question; the `measures` verb. */
#include "chokepoint/measures.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chokepoint/csv.h"
#include "core/vec.h"
#include "io/csv_table.h"

#define MEASURES_MAX 100000   /* measures in one register */
#define REJECTS_KEPT 1000     /* rejected rows kept with their message */
#define CODES_MAX 20000       /* HS codes in one measure */
#define GROUP_CODES_MAX ((size_t)8 << 20) /* bytes of a group's code list (every HS6 code fits) */
#define ARENA_BLOCK 65536

/* The 27 EU member states (2020-02-01 on). */
static const char *const eu_members[] = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
    "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE"};
#define EU_N ((int)(sizeof eu_members / sizeof eu_members[0]))

typedef struct arena_block {
    struct arena_block *next;
    size_t used, size;
    char data[];
} arena_block;

struct ckp_measures {
    const ckp_ref *ref;
    ckp_measure *items;
    int n;
    size_t cap;
    arena_block *arena;
    ckp_error *rejects;
    int nkept;
    long nrejects;
};

/* ---- arena ------------------------------------------------------------- */

static void *arena_alloc(ckp_measures *ms, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    arena_block *b = ms->arena;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = ms->arena;
        ms->arena = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static char *arena_strn(ckp_measures *ms, const char *s, size_t n)
{
    char *p = arena_alloc(ms, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static char *arena_field(ckp_measures *ms, ckp_field f)
{
    return arena_strn(ms, f.ptr ? f.ptr : "", f.ptr ? f.len : 0);
}

/* ---- register ---------------------------------------------------------- */

static void reject(ckp_measures *ms, const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void reject(ckp_measures *ms, const char *file, long line, const char *fmt, ...)
{
    ms->nrejects++;
    if (ms->nkept >= REJECTS_KEPT)
        return;
    if (!ms->rejects) {
        ms->rejects = calloc(REJECTS_KEPT, sizeof *ms->rejects);
        if (!ms->rejects)
            return;
    }
    char msg[sizeof ms->rejects[0].msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ckp_error_set(&ms->rejects[ms->nkept++], CKP_EPARSE, file, line, 0, "%s", msg);
}

typedef struct bad_records {
    ckp_measures *ms;
    const char *path;
} bad_records;

static void bad_record(void *ctx, const ckp_error *e)
{
    const bad_records *b = ctx;
    reject(b->ms, e->file[0] ? e->file : b->path, e->line, "%s", e->msg);
}

static ckp_measure *new_measure(ckp_measures *ms)
{
    if (CKP_ARRAY_RESERVE(ms->items, ms->cap, (size_t)ms->n + 1, MEASURES_MAX, "measures",
                          NULL) != CKP_OK)
        return NULL;
    ckp_measure *m = &ms->items[ms->n];
    memset(m, 0, sizeof *m);
    m->announced = m->effective = m->lifted = m->until = -1;
    m->notes = m->confidence = m->suspends = m->clause = "";
    return m;
}

void ckp_measures_free(ckp_measures *ms)
{
    if (!ms)
        return;
    for (int i = 0; i < ms->n; i++)
        ckp_hsset_free((ckp_hsset *)ms->items[i].hs);
    free(ms->items);
    while (ms->arena) {
        arena_block *next = ms->arena->next;
        free(ms->arena);
        ms->arena = next;
    }
    free(ms->rejects);
    free(ms);
}

int ckp_measures_count(const ckp_measures *ms) { return ms ? ms->n : 0; }

const ckp_measure *ckp_measures_at(const ckp_measures *ms, int i)
{
    return ms && i >= 0 && i < ms->n ? &ms->items[i] : NULL;
}

const ckp_measure *ckp_measures_find(const ckp_measures *ms, const char *id)
{
    for (int i = 0; ms && i < ms->n; i++)
        if (strcasecmp(ms->items[i].id, id) == 0)
            return &ms->items[i];
    return NULL;
}

ckp_status ckp_measures_arg(const ckp_measures *ms, const char *id, const ckp_measure **out,
                            ckp_error *err)
{
    *out = ckp_measures_find(ms, id);
    if (!*out)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--measure: no measure '%s' in the register (see 'chokepoint "
                             "measures')", id);
    return CKP_OK;
}

long ckp_measures_reject_count(const ckp_measures *ms) { return ms ? ms->nrejects : 0; }
int ckp_measures_reject_kept(const ckp_measures *ms) { return ms ? ms->nkept : 0; }

const ckp_error *ckp_measures_reject_at(const ckp_measures *ms, int i)
{
    return ms && i >= 0 && i < ms->nkept ? &ms->rejects[i] : NULL;
}

/* ---- one measure ------------------------------------------------------- */

int32_t ckp_measure_start(const ckp_measure *m)
{
    return m->effective >= 0 ? m->effective : m->announced;
}

static int in_list(const int *ids, int n, int id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* 1 when suspension s runs on day date. */
static int susp_runs(const ckp_suspension *s, int32_t date)
{
    return date >= s->from && (s->end < 0 || date < s->end);
}

/* 1 when the measure's destinations are all among the suspension's. */
static int susp_covers_targets(const ckp_measure *m, const ckp_suspension *s)
{
    if (s->all_targets)
        return 1;
    if (m->all_targets)
        return 0;
    for (int i = 0; i < m->ntargets; i++)
        if (!in_list(s->targets, s->ntargets, m->targets[i]))
            return 0;
    return 1;
}

int ckp_measure_status(const ckp_measure *m, int32_t date, int destination,
                       const ckp_suspension **why)
{
    if (why)
        *why = NULL;
    int32_t start = ckp_measure_start(m);
    if (start >= 0 && date < start)
        return m->announced >= 0 && date >= m->announced ? CKP_STATE_ANNOUNCED : CKP_STATE_NONE;
    if (m->lifted >= 0 && date >= m->lifted)
        return CKP_STATE_LIFTED;
    if (m->kind == CKP_MEASURE_SUSPENSION && m->until >= 0 && date > m->until)
        return CKP_STATE_LIFTED; /* the suspension ran its course */
    const ckp_suspension *part = NULL;
    for (int i = 0; i < m->nsusp; i++) {
        const ckp_suspension *s = &m->susp[i];
        if (!susp_runs(s, date))
            continue;
        int whole_dest = destination >= 0 ? s->all_targets ||
                                                 in_list(s->targets, s->ntargets, destination)
                                           : susp_covers_targets(m, s);
        if (destination >= 0 && !whole_dest)
            continue; /* suspended for other destinations only */
        if (!s->clause[0] && whole_dest) {
            if (why)
                *why = s;
            return CKP_STATE_SUSPENDED;
        }
        if (!part)
            part = s;
    }
    if (part) {
        if (why)
            *why = part;
        return CKP_STATE_PARTLY_SUSPENDED;
    }
    return CKP_STATE_IN_FORCE;
}

const char *ckp_measure_state_name(int state, const ckp_suspension *why)
{
    switch (state) {
    case CKP_STATE_ANNOUNCED: return "announced";
    case CKP_STATE_IN_FORCE: return "in force";
    case CKP_STATE_PARTLY_SUSPENDED: return why && why->end < 0 ? "partly lifted" : "partly suspended";
    case CKP_STATE_SUSPENDED: return "suspended";
    case CKP_STATE_LIFTED: return "lifted";
    default: return "not announced";
    }
}

int ckp_measure_in_force(const ckp_measure *m, int32_t date)
{
    int st = ckp_measure_status(m, date, -1, NULL);
    return st == CKP_STATE_IN_FORCE || st == CKP_STATE_PARTLY_SUSPENDED;
}

int32_t ckp_measure_first_applied(const ckp_measure *m)
{
    int32_t day = ckp_measure_start(m);
    if (day < 0)
        return -1;
    /* a whole suspension running on the day pushes it to its end (spans are
     * in date order, so one pass follows back-to-back suspensions) */
    for (int i = 0; i < m->nsusp; i++) {
        const ckp_suspension *s = &m->susp[i];
        if (s->clause[0] || !susp_covers_targets(m, s) || !susp_runs(s, day))
            continue;
        if (s->end < 0)
            return -1;
        day = s->end;
    }
    if (m->lifted >= 0 && day >= m->lifted)
        return -1;
    return day;
}

int ckp_measure_covers_flow(const ckp_measure *m, int exporter, int importer)
{
    int exp_ok = (exporter < 0 || ckp_measure_binds(m, exporter)) &&
                 (importer < 0 || ckp_measure_targets(m, importer));
    int imp_ok = (importer < 0 || ckp_measure_binds(m, importer)) &&
                 (exporter < 0 || ckp_measure_targets(m, exporter));
    return m->direction == CKP_DIR_IMPORT ? imp_ok
           : m->direction == CKP_DIR_BOTH ? exp_ok || imp_ok
                                          : exp_ok;
}

int ckp_measure_binds(const ckp_measure *m, int country)
{
    for (int i = 0; i < m->nissuers; i++)
        if (m->issuers[i] == country)
            return 1;
    return 0;
}

int ckp_measure_targets(const ckp_measure *m, int country)
{
    if (m->all_targets)
        return 1;
    for (int i = 0; i < m->ntargets; i++)
        if (m->targets[i] == country)
            return 1;
    return 0;
}

static int is_eu_code(const char *s, size_t n)
{
    return (n == 2 && strncasecmp(s, "EU", 2) == 0) ||
           (n == 3 && (strncasecmp(s, "EUN", 3) == 0 || strncasecmp(s, "EUR", 3) == 0));
}

int ckp_measure_issuer_is(const ckp_measure *m, const char *code, int country)
{
    if (code && *code) {
        size_t cn = strlen(code);
        const char *p = m->issuer_code;
        while (*p) {
            size_t n = strcspn(p, ";");
            if ((n == cn && strncasecmp(p, code, n) == 0) ||
                (is_eu_code(code, cn) && is_eu_code(p, n)))
                return 1;
            p += n;
            if (*p)
                p++;
        }
    }
    return country >= 0 && ckp_measure_binds(m, country);
}

static const char *const kind_names[] = {NULL,     "licence", "ban",       "sanction",
                                         "entity", "list",    "quota",     "suspension"};

const char *ckp_measure_kind_name(int kind)
{
    return kind >= CKP_MEASURE_LICENCE && kind <= CKP_MEASURE_SUSPENSION ? kind_names[kind] : "?";
}

int ckp_measure_kind_parse(const char *s, size_t n)
{
    for (int k = CKP_MEASURE_LICENCE; k <= CKP_MEASURE_SUSPENSION; k++)
        if (strlen(kind_names[k]) == n && strncasecmp(s, kind_names[k], n) == 0)
            return k;
    if (n == 7 && strncasecmp(s, "license", 7) == 0)
        return CKP_MEASURE_LICENCE;
    return 0;
}

char *ckp_measure_date_format(int32_t days, char *buf)
{
    if (days < 0) {
        buf[0] = '\0';
        return buf;
    }
    long z = (long)days + 719468, era = z / 146097;
    long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long mo = mp + (mp < 10 ? 3 : -9);
    y += mo <= 2;
    snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)(y % 10000) % 10000u, (unsigned)mo % 100u,
             (unsigned)d % 100u);
    return buf;
}

int ckp_measures_match(const ckp_measures *ms, uint32_t hs6, int origin, int destination,
                       int32_t date, ckp_measure_fn fn, void *ctx)
{
    int k = 0;
    for (int i = 0; ms && i < ms->n; i++) {
        const ckp_measure *m = &ms->items[i];
        if (m->kind == CKP_MEASURE_SUSPENSION || !ckp_hsset_has(m->hs, hs6))
            continue;
        if (!ckp_measure_covers_flow(m, origin, destination))
            continue;
        if (date >= 0) {
            int state = ckp_measure_status(m, date, destination, NULL);
            if (state != CKP_STATE_IN_FORCE && state != CKP_STATE_PARTLY_SUSPENDED)
                continue;
        }
        k++;
        if (fn && fn(m, ctx))
            break;
    }
    return k;
}

/* ---- parsing helpers --------------------------------------------------- */

/* The next item of a list field joined by ';' (or ',' / spaces): its bytes
 * are f.ptr[*start .. *i).  0 when the field has no more. */
static int next_item(ckp_field f, size_t *i, size_t *start)
{
    while (*i < f.len && (f.ptr[*i] == ';' || f.ptr[*i] == ',' || f.ptr[*i] == ' '))
        (*i)++;
    *start = *i;
    while (*i < f.len && f.ptr[*i] != ';' && f.ptr[*i] != ',' && f.ptr[*i] != ' ')
        (*i)++;
    return *i > *start;
}

/* Country codes joined by ';' (also ',' or spaces) → ids in the arena.
 * EU codes expand to the member states.  Returns 0, or -1 with *bad set to
 * the offending token. */
static int parse_countries(ckp_measures *ms, ckp_field f, const int **out, int *nout,
                           char *bad, size_t badlen)
{
    int ids[512];
    int n = 0;
    size_t i = 0, s;
    while (next_item(f, &i, &s)) {
        size_t len = i - s;
        if (n + (is_eu_code(f.ptr + s, len) ? EU_N : 1) > 512) {
            snprintf(bad, badlen, "(more than 512 countries)");
            return -1;
        }
        if (is_eu_code(f.ptr + s, len)) {
            for (int e = 0; e < EU_N; e++) {
                int id = ckp_ref_country_by_iso3(ms->ref, eu_members[e]);
                if (id >= 0)
                    ids[n++] = id;
            }
            continue;
        }
        char code[8];
        int id = -1;
        if (len == 3) {
            for (size_t k = 0; k < 3; k++)
                code[k] = (char)toupper((unsigned char)f.ptr[s + k]);
            code[3] = '\0';
            id = ckp_ref_country_by_iso3(ms->ref, code);
        }
        if (id < 0) {
            snprintf(bad, badlen, "%.*s", (int)(len > 40 ? 40 : len), f.ptr + s);
            return -1;
        }
        ids[n++] = id;
    }
    int *p = arena_alloc(ms, (size_t)(n ? n : 1) * sizeof *p);
    if (!p) {
        snprintf(bad, badlen, "(out of memory)");
        return -1;
    }
    memcpy(p, ids, (size_t)n * sizeof *p);
    *out = p;
    *nout = n;
    return 0;
}

/* Add code (2/4/6 digits) and its counterparts in the other edition. */
static void add_code(const ckp_ref *ref, ckp_hsset *set, uint32_t code, int level, int edition)
{
    if (level != 6) {
        ckp_hsset_add_prefix(set, code, level);
        return;
    }
    ckp_hsset_add_code(ref, set, code, edition);
}

/* Parse HS codes joined by ';' (or ',' / spaces).  Returns the number of
 * codes, or -1 with bad set to the offending token. */
static int parse_codes(const ckp_ref *ref, ckp_field f, int edition, ckp_hsset *set, char *bad,
                       size_t badlen)
{
    int n = 0;
    size_t i = 0, s;
    while (next_item(f, &i, &s)) {
        uint32_t code;
        int level;
        if (ckp_hs_parse(f.ptr + s, i - s, &code, &level) != 0) {
            snprintf(bad, badlen, "%.*s", (int)(i - s > 40 ? 40 : i - s), f.ptr + s);
            return -1;
        }
        if (n >= CODES_MAX) {
            snprintf(bad, badlen, "(more than %d codes)", CODES_MAX);
            return -1;
        }
        add_code(ref, set, code, level, edition);
        n++;
    }
    return n;
}

/* A date field: empty → -1 (ok); else YYYY-MM-DD.  Returns 0 or -1. */
static int parse_date(ckp_field f, int32_t *days)
{
    char buf[32];
    *days = -1;
    if (!f.ptr || f.len == 0)
        return 0;
    if (f.len >= sizeof buf)
        return -1;
    ckp_field_copy(f, buf, sizeof buf);
    int y, m, d;
    char tail;
    if (sscanf(buf, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1900 || y > 2200 || m < 1 ||
        m > 12 || d < 1 || d > 31)
        return -1;
    return ckp_date_parse(buf, days, NULL) == CKP_OK ? 0 : -1;
}

static int field_empty(ckp_field f)
{
    for (size_t i = 0; f.ptr && i < f.len; i++)
        if (!isspace((unsigned char)f.ptr[i]))
            return 0;
    return 1;
}

/* ---- measures.csv format ----------------------------------------------- */

enum { C_ID, C_ISSUER, C_TARGETS, C_HS, C_KIND, C_ANN, C_EFF, C_LIFT, C_TITLE, C_SOURCE,
       C_NOTES, C_ED, C_DIR, C_CONF, C_SUSPENDS, C_CLAUSE, C_UNTIL, C_N };
static const char *const col_names[C_N + 1] = {
    "id",     "issuer", "?targets",    "hs6|hs",    "kind",       "?announced",
    "?effective", "?lifted", "?title", "?source",   "?notes",     "?hs_edition",
    "?direction", "?confidence", "?suspends", "?clause", "?until", NULL};

/* NULL when every id of a suspension's `suspends` field names a measure
 * loaded before it (not a suspension); else why, with the id in bad. */
static const char *suspends_unknown(const ckp_measures *ms, ckp_field f, char *bad, size_t badlen)
{
    size_t i = 0, s;
    while (next_item(f, &i, &s)) {
        char id[65]; /* ids are at most 64 characters (load_row): looked up whole */
        snprintf(bad, badlen, "%.*s", (int)(i - s > 40 ? 40 : i - s), f.ptr + s);
        const ckp_measure *m = NULL;
        if (i - s < sizeof id) {
            memcpy(id, f.ptr + s, i - s);
            id[i - s] = '\0';
            m = ckp_measures_find(ms, id);
        }
        if (!m)
            return "which is not in the register (a suspension comes after the measures it names)";
        if (m->kind == CKP_MEASURE_SUSPENSION)
            return "which is itself a suspension";
    }
    return NULL;
}

static ckp_status load_row(ckp_measures *ms, ckp_csv *csv, const int *col, const char *file)
{
    long line = ckp_csv_line(csv);
    char bad[64];
    ckp_field f[C_N];
    for (int c = 0; c < C_N; c++)
        f[c] = col[c] >= 0 ? ckp_csv_field(csv, (size_t)col[c]) : (ckp_field){NULL, 0};
    if (field_empty(f[C_ID]) || f[C_ID].len > 64) {
        reject(ms, file, line, "measure id is empty or longer than 64 characters");
        return CKP_OK;
    }
    for (size_t i = 0; i < f[C_ID].len; i++)
        if ((unsigned char)f[C_ID].ptr[i] < 0x20 || f[C_ID].ptr[i] == 0x7f) {
            reject(ms, file, line, "measure id contains a control character");
            return CKP_OK;
        }
    char id[72];
    ckp_field_copy(f[C_ID], id, sizeof id);
    if (ckp_measures_find(ms, id)) {
        reject(ms, file, line, "measure id \"%s\" is already defined", id);
        return CKP_OK;
    }
    int edition = CKP_HS2022;
    if (!field_empty(f[C_ED])) {
        if (ckp_field_eq(f[C_ED], "2017") || ckp_field_eq(f[C_ED], "HS2017"))
            edition = CKP_HS2017;
        else if (!ckp_field_eq(f[C_ED], "2022") && !ckp_field_eq(f[C_ED], "HS2022")) {
            reject(ms, file, line, "%s: hs_edition must be 2017 or 2022", id);
            return CKP_OK;
        }
    }
    int kind = ckp_measure_kind_parse(f[C_KIND].ptr ? f[C_KIND].ptr : "", f[C_KIND].len);
    if (!kind) {
        reject(ms, file, line, "%s: kind \"%.*s\" is not licence, ban, sanction, entity or list",
               id, (int)(f[C_KIND].len > 30 ? 30 : f[C_KIND].len),
               f[C_KIND].ptr ? f[C_KIND].ptr : "");
        return CKP_OK;
    }
    int32_t dates[3];
    static const char *const dn[3] = {"announced", "effective", "lifted"};
    for (int k = 0; k < 3; k++)
        if (parse_date(f[C_ANN + k], &dates[k]) != 0) {
            reject(ms, file, line, "%s: %s date \"%.*s\" is not YYYY-MM-DD", id, dn[k],
                   (int)(f[C_ANN + k].len > 30 ? 30 : f[C_ANN + k].len), f[C_ANN + k].ptr);
            return CKP_OK;
        }
    int32_t start = dates[1] >= 0 ? dates[1] : dates[0];
    if (dates[2] >= 0 && start >= 0 && dates[2] < start) {
        reject(ms, file, line, "%s: lifted date is before the measure took effect", id);
        return CKP_OK;
    }
    int direction = CKP_DIR_EXPORT;
    if (!field_empty(f[C_DIR])) {
        if (ckp_field_eq(f[C_DIR], "import"))
            direction = CKP_DIR_IMPORT;
        else if (ckp_field_eq(f[C_DIR], "both"))
            direction = CKP_DIR_BOTH;
        else if (!ckp_field_eq(f[C_DIR], "export")) {
            reject(ms, file, line, "%s: direction must be export, import or both", id);
            return CKP_OK;
        }
    }
    if (!field_empty(f[C_CONF]) && !ckp_field_eq(f[C_CONF], "high") &&
        !ckp_field_eq(f[C_CONF], "medium") && !ckp_field_eq(f[C_CONF], "low")) {
        reject(ms, file, line, "%s: confidence must be high, medium or low", id);
        return CKP_OK;
    }
    int32_t until = -1;
    if (parse_date(f[C_UNTIL], &until) != 0) {
        reject(ms, file, line, "%s: until date \"%.*s\" is not YYYY-MM-DD", id,
               (int)(f[C_UNTIL].len > 30 ? 30 : f[C_UNTIL].len), f[C_UNTIL].ptr);
        return CKP_OK;
    }
    if (kind == CKP_MEASURE_SUSPENSION) {
        if (field_empty(f[C_SUSPENDS])) {
            reject(ms, file, line, "%s: a suspension names the measures it suspends (suspends)",
                   id);
            return CKP_OK;
        }
        if (start < 0) {
            reject(ms, file, line, "%s: a suspension needs the date it starts (effective)", id);
            return CKP_OK;
        }
        const char *bad_ref = suspends_unknown(ms, f[C_SUSPENDS], bad, sizeof bad);
        if (bad_ref) {
            reject(ms, file, line, "%s: suspends \"%s\", %s", id, bad, bad_ref);
            return CKP_OK;
        }
        if (until >= 0 && until < start) {
            char d0[12], d1[12];
            reject(ms, file, line, "%s: the suspension ends (until %s) before it starts (%s)", id,
                   ckp_measure_date_format(until, d1), ckp_measure_date_format(start, d0));
            return CKP_OK;
        }
    } else if (!field_empty(f[C_SUSPENDS]) || !field_empty(f[C_CLAUSE]) || until >= 0) {
        reject(ms, file, line, "%s: suspends, clause and until are for rows of kind suspension",
               id);
        return CKP_OK;
    }
    const int *issuers, *targets = NULL;
    int nissuers, ntargets = 0, all = 0;
    if (field_empty(f[C_ISSUER])) {
        reject(ms, file, line, "%s: issuer is empty", id);
        return CKP_OK;
    }
    if (parse_countries(ms, f[C_ISSUER], &issuers, &nissuers, bad, sizeof bad) != 0 ||
        nissuers == 0) {
        reject(ms, file, line, "%s: issuer \"%s\" is not an ISO3 country code or EU", id, bad);
        return CKP_OK;
    }
    if (ckp_field_eq(f[C_TARGETS], "*") || field_empty(f[C_TARGETS])) {
        all = 1;
    } else if (parse_countries(ms, f[C_TARGETS], &targets, &ntargets, bad, sizeof bad) != 0) {
        reject(ms, file, line, "%s: target \"%s\" is not an ISO3 country code", id, bad);
        return CKP_OK;
    }
    ckp_hsset *set = ckp_hsset_new();
    if (!set)
        return CKP_ENOMEM;
    int nhs = parse_codes(ms->ref, f[C_HS], edition, set, bad, sizeof bad);
    if (nhs < 0) { /* none is allowed: listed, binds no shipment by code */
        ckp_hsset_free(set);
        reject(ms, file, line, "%s: \"%s\" is not an HS code", id, bad);
        return CKP_OK;
    }
    ckp_measure *m = new_measure(ms);
    if (!m) {
        ckp_hsset_free(set);
        return ms->n >= MEASURES_MAX ? CKP_ELIMIT : CKP_ENOMEM;
    }
    m->id = arena_strn(ms, id, strlen(id));
    m->issuer_code = arena_field(ms, f[C_ISSUER]);
    m->issuers = issuers;
    m->nissuers = nissuers;
    m->all_targets = all;
    m->targets = targets;
    m->ntargets = ntargets;
    m->targets_code = all ? "*" : arena_field(ms, f[C_TARGETS]);
    m->hs = set;
    m->hs_codes = arena_field(ms, f[C_HS]);
    m->nhs = nhs;
    m->hs_edition = edition;
    m->kind = kind;
    m->announced = dates[0];
    m->effective = dates[1];
    m->lifted = dates[2];
    m->title = arena_field(ms, f[C_TITLE]);
    m->source = arena_field(ms, f[C_SOURCE]);
    m->notes = arena_field(ms, f[C_NOTES]);
    m->file = arena_strn(ms, file, strlen(file));
    m->line = line;
    m->direction = direction;
    m->confidence = arena_field(ms, f[C_CONF]);
    m->suspends = arena_field(ms, f[C_SUSPENDS]);
    m->clause = arena_field(ms, f[C_CLAUSE]);
    m->until = until;
    ms->n++;
    if (!m->id || !m->issuer_code || !m->targets_code || !m->hs_codes || !m->title ||
        !m->source || !m->notes || !m->file || !m->confidence || !m->suspends || !m->clause)
        return CKP_ENOMEM;
    return CKP_OK;
}

/* ---- suspensions: attach each suspension row to the measures it names --- */

static int cmp_susp(const void *a, const void *b)
{
    const ckp_suspension *x = a, *y = b;
    return (x->from > y->from) - (x->from < y->from);
}

/* Rebuild every measure's suspension list from the suspension rows (after
 * each file, so a user file may suspend shipped measures).  The ids were
 * checked when each suspension row was read (suspends_unknown). */
static ckp_status resolve_suspensions(ckp_measures *ms)
{
    for (int i = 0; i < ms->n; i++) {
        ms->items[i].susp = NULL;
        ms->items[i].nsusp = 0;
    }
    int *count = calloc((size_t)(ms->n ? ms->n : 1), sizeof *count);
    if (!count)
        return CKP_ENOMEM;
    ckp_status st = CKP_OK;
    for (int pass = 0; pass < 2 && st == CKP_OK; pass++) {
        for (int i = 0; i < ms->n; i++) {
            const ckp_measure *s = &ms->items[i];
            if (s->kind != CKP_MEASURE_SUSPENSION)
                continue;
            const char *p = s->suspends;
            while (*p) {
                while (*p == ';' || *p == ',' || *p == ' ')
                    p++;
                size_t n = strcspn(p, ";, ");
                if (!n)
                    break;
                char id[72];
                snprintf(id, sizeof id, "%.*s", (int)(n > 64 ? 64 : n), p);
                p += n;
                ckp_measure *m = (ckp_measure *)ckp_measures_find(ms, id);
                if (!m || m->kind == CKP_MEASURE_SUSPENSION)
                    continue; /* checked when the row was read */
                int k = (int)(m - ms->items);
                if (pass == 0) {
                    count[k]++;
                    continue;
                }
                if (!m->susp) {
                    m->susp = arena_alloc(ms, (size_t)count[k] * sizeof *m->susp);
                    if (!m->susp) {
                        st = CKP_ENOMEM;
                        break;
                    }
                }
                ckp_suspension *x = (ckp_suspension *)&m->susp[m->nsusp++];
                x->by = s->id;
                x->from = ckp_measure_start(s);
                x->until = s->until;
                x->end = s->until >= 0 ? s->until + 1 : -1;
                if (s->lifted >= 0 && (x->end < 0 || s->lifted < x->end))
                    x->end = s->lifted; /* the suspension itself ended early */
                x->clause = s->clause;
                x->all_targets = s->all_targets;
                x->targets = s->targets;
                x->ntargets = s->ntargets;
                x->targets_code = s->targets_code;
            }
        }
    }
    for (int i = 0; i < ms->n; i++)
        if (ms->items[i].nsusp > 1)
            qsort((void *)ms->items[i].susp, (size_t)ms->items[i].nsusp,
                  sizeof *ms->items[i].susp, cmp_susp);
    free(count);
    return st;
}

/* Load a measures.csv-format file.  missing_ok: a missing file is not an
 * error (shipped files). */
static ckp_status measure_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp_measures *ms = ctx;
    ckp_status st = load_row(ms, t->csv, t->col, ckp_csv_name(t->csv));
    if (st != CKP_OK)
        return ckp_table_error(t, err, st, "cannot add measure: %s", ckp_strerror(st));
    return CKP_OK;
}

/* A register file's rows through row (missing_ok: a file that does not exist
 * loads nothing); a malformed record is rejected with its line and skipped. */
static ckp_status load_register(ckp_measures *ms, const char *path, int missing_ok,
                                const char *const *cols, ckp_table_row_fn row, void *ctx,
                                ckp_error *err)
{
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    o.delim = ',';
    o.encoding = CKP_CSV_AUTO;
    bad_records b = {ms, path};
    ckp_table_spec spec = {.path = path, .opts = &o, .cols = cols, .row = row, .ctx = ctx,
                           .missing_ok = missing_ok, .on_bad = bad_record, .bad_ctx = &b};
    return ckp_table_load(&spec, err);
}

static ckp_status load_measures_csv(ckp_measures *ms, const char *path, int missing_ok,
                                    ckp_error *err)
{
    return load_register(ms, path, missing_ok, col_names, measure_row, ms, err);
}

ckp_status ckp_measures_add_file(ckp_measures *ms, const char *path, ckp_error *err)
{
    ckp_status st = load_measures_csv(ms, path, 0, err);
    if (st == CKP_OK && resolve_suspensions(ms) != CKP_OK)
        st = ckp_error_set(err, CKP_ENOMEM, path, 0, 0, "out of memory");
    return st;
}

/* ---- grouped files: EU sanctions by date, CHPL by sub-tier -------------- */

typedef struct group {
    char key[16];
    ckp_hsset *set;
    char *codes; /* malloc'ed, ';'-joined */
    size_t len, cap;
    int n;
    long line;
} group;

typedef struct groups {
    group g[64];
    int n;
} groups;

static group *group_get(groups *gs, const char *key, long line)
{
    for (int i = 0; i < gs->n; i++)
        if (strcmp(gs->g[i].key, key) == 0)
            return &gs->g[i];
    if (gs->n >= 64)
        return NULL;
    group *g = &gs->g[gs->n];
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%s", key);
    g->set = ckp_hsset_new();
    if (!g->set)
        return NULL;
    g->line = line;
    gs->n++;
    return g;
}

static int group_add(group *g, const char *code6)
{
    if (CKP_ARRAY_RESERVE(g->codes, g->cap, g->len + 8, GROUP_CODES_MAX, "bytes of codes",
                          NULL) != CKP_OK)
        return -1;
    g->len += (size_t)snprintf(g->codes + g->len, g->cap - g->len, "%s%s", g->len ? ";" : "",
                               code6);
    g->n++;
    return 0;
}

static void groups_free(groups *gs)
{
    if (!gs)
        return;
    for (int i = 0; i < gs->n; i++) {
        ckp_hsset_free(gs->g[i].set);
        free(gs->g[i].codes);
    }
    gs->n = 0;
}

/* Append group g as a measure (takes g->set). */
static ckp_status group_measure(ckp_measures *ms, group *g, const char *id, const char *issuer,
                                const char *targets, int kind, int edition, int32_t eff,
                                const char *title, const char *source, const char *notes,
                                const char *file)
{
    ckp_measure *m = new_measure(ms);
    if (!m)
        return ms->n >= MEASURES_MAX ? CKP_ELIMIT : CKP_ENOMEM;
    char bad[64];
    ckp_field fi = {issuer, strlen(issuer)}, ft = {targets, strlen(targets)};
    const int *is = NULL, *ts = NULL;
    int nis = 0, nts = 0;
    if (parse_countries(ms, fi, &is, &nis, bad, sizeof bad) != 0 ||
        parse_countries(ms, ft, &ts, &nts, bad, sizeof bad) != 0 || nis == 0) {
        reject(ms, file, g->line, "%s: issuer or target \"%s\" unknown in the reference data", id,
               bad);
        return CKP_OK;
    }
    m->id = arena_strn(ms, id, strlen(id));
    m->issuer_code = arena_strn(ms, issuer, strlen(issuer));
    m->issuers = is;
    m->nissuers = nis;
    m->targets = ts;
    m->ntargets = nts;
    m->targets_code = arena_strn(ms, targets, strlen(targets));
    m->hs = g->set;
    g->set = NULL;
    m->hs_codes = arena_strn(ms, g->codes ? g->codes : "", g->len);
    m->nhs = g->n;
    m->hs_edition = edition;
    m->kind = kind;
    m->effective = eff;
    m->title = arena_strn(ms, title, strlen(title));
    m->source = arena_strn(ms, source, strlen(source));
    m->notes = arena_strn(ms, notes, strlen(notes));
    m->file = arena_strn(ms, file, strlen(file));
    m->line = g->line;
    ms->n++;
    if (!m->id || !m->issuer_code || !m->targets_code || !m->hs_codes || !m->title ||
        !m->source || !m->notes || !m->file)
        return CKP_ENOMEM;
    return CKP_OK;
}

static int cmp_group(const void *a, const void *b)
{
    return strcmp(((const group *)a)->key, ((const group *)b)->key);
}

/* A grouped file (EU sanctions by date, CHPL by sub-tier): column 0 is the
 * HS6 code; key_of gives a row's group key in key (0), or skips it (1, after
 * rejecting it when it is malformed). */
typedef struct grouped_load {
    ckp_measures *ms;
    groups *gs;
    ckp_hs_edition ed;
    const char *too_many; /* the error when a group cannot be added */
    int (*key_of)(ckp_measures *ms, const ckp_table *t, uint32_t code, char key[16]);
} grouped_load;

static ckp_status grouped_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    grouped_load *gl = ctx;
    const char *path = ckp_csv_name(t->csv);
    long line = ckp_csv_line(t->csv);
    ckp_field fc = ckp_csv_field(t->csv, (size_t)t->col[0]);
    uint32_t code;
    int level;
    char key[16], c6[8];
    if (ckp_hs_parse(fc.ptr ? fc.ptr : "", fc.len, &code, &level) != 0 || level != 6) {
        reject(gl->ms, path, line, "HS code \"%.*s\" is not 6 digits",
               (int)(fc.len > 20 ? 20 : fc.len), fc.ptr ? fc.ptr : "");
        return CKP_OK;
    }
    if (gl->key_of(gl->ms, t, code, key))
        return CKP_OK;
    group *g = group_get(gl->gs, key, line);
    if (!g || group_add(g, ckp_hs_format(code, 6, c6)) != 0)
        return ckp_error_set(err, CKP_ELIMIT, path, line, 0, "%s", gl->too_many);
    add_code(gl->ms->ref, g->set, code, 6, gl->ed);
    return CKP_OK;
}

/* Read a grouped file into new groups (*out, sorted by key; none when the
 * file is absent: a smaller register). */
static ckp_status load_grouped(grouped_load *gl, const char *path, const char *const *cols,
                               groups **out, ckp_error *err)
{
    *out = NULL;
    gl->gs = calloc(1, sizeof *gl->gs);
    if (!gl->gs)
        return ckp_error_set(err, CKP_ENOMEM, path, 0, 0, "out of memory");
    ckp_status st = load_register(gl->ms, path, 1, cols, grouped_row, gl, err);
    if (st != CKP_OK) {
        groups_free(gl->gs);
        free(gl->gs);
        return st;
    }
    qsort(gl->gs->g, (size_t)gl->gs->n, sizeof gl->gs->g[0], cmp_group);
    *out = gl->gs;
    return CKP_OK;
}

static int eu_key(ckp_measures *ms, const ckp_table *t, uint32_t code, char key[16])
{
    int32_t day;
    ckp_field fd = ckp_csv_field(t->csv, (size_t)t->col[1]);
    if (!ckp_field_eq(ckp_csv_field(t->csv, (size_t)t->col[2]), "1"))
        return 1; /* not sanctioned */
    if (field_empty(fd) || parse_date(fd, &day) != 0) {
        reject(ms, ckp_csv_name(t->csv), ckp_csv_line(t->csv),
               "sanctioned code %06u has no valid entry-into-force date", (unsigned)code);
        return 1;
    }
    ckp_field_copy(fd, key, 16);
    return 0;
}

static ckp_status load_eu(ckp_measures *ms, const char *path, ckp_error *err)
{
    static const char *const cols[] = {"Code", "Date", "EU_sanction", NULL};
    grouped_load gl = {ms, NULL, CKP_HS2017, "too many dates or out of memory", eu_key};
    groups *gs;
    ckp_status st = load_grouped(&gl, path, cols, &gs, err);
    for (int i = 0; gs && i < gs->n && st == CKP_OK; i++) {
        char id[48], title[128], notes[160];
        int32_t day;
        parse_date((ckp_field){gs->g[i].key, strlen(gs->g[i].key)}, &day);
        snprintf(id, sizeof id, "EU-RUS-%s", gs->g[i].key);
        snprintf(title, sizeof title, "EU sanctions on exports to Russia in force from %s (%d HS6 codes)",
                 gs->g[i].key, gs->g[i].n);
        snprintf(notes, sizeof notes, "HS2017 codes; Council Regulation (EU) 833/2014 as amended; "
                                      "wind-down and exemptions not modelled");
        st = group_measure(ms, &gs->g[i], id, "EU", "RUS", CKP_MEASURE_SANCTION, CKP_HS2017, day,
                           title, "Chupilkin et al., EU_sanctions_HS6 (openICPSR 229004)", notes,
                           path);
        if (st != CKP_OK)
            ckp_error_set(err, st, path, 0, 0, "cannot add EU measure: %s", ckp_strerror(st));
    }
    groups_free(gs);
    free(gs);
    return st;
}

static int chpl_key(ckp_measures *ms, const ckp_table *t, uint32_t code, char key[16])
{
    ckp_field ft = ckp_csv_field(t->csv, (size_t)t->col[1]);
    size_t k = 0;
    for (size_t i = 0; ft.ptr && i < ft.len && k + 1 < 16; i++)
        if (isalnum((unsigned char)ft.ptr[i]))
            key[k++] = (char)toupper((unsigned char)ft.ptr[i]);
    key[k] = '\0';
    if (!k)
        reject(ms, ckp_csv_name(t->csv), ckp_csv_line(t->csv), "code %06u has no sub-tier",
               (unsigned)code);
    return k == 0;
}

static ckp_status load_chpl(ckp_measures *ms, const char *path, ckp_error *err)
{
    static const char *const cols[] = {"hs6", "subtier", NULL};
    grouped_load gl = {ms, NULL, CKP_HS2022, "too many tiers or out of memory", chpl_key};
    groups *gs;
    ckp_status st = load_grouped(&gl, path, cols, &gs, err);
    int32_t eff;
    parse_date((ckp_field){"2024-02-23", 10}, &eff);
    for (int i = 0; gs && i < gs->n && st == CKP_OK; i++) {
        char id[32], title[128];
        snprintf(id, sizeof id, "CHPL-%s", gs->g[i].key);
        snprintf(title, sizeof title, "Common High Priority Items List, tier %s (%d HS6 codes)",
                 gs->g[i].key, gs->g[i].n);
        st = group_measure(ms, &gs->g[i], id, "EU;USA;GBR;JPN", "RUS;BLR", CKP_MEASURE_LIST,
                           CKP_HS2022, eff, title,
                           "US BIS / EU Annex XL to Reg. 833/2014, CHPL version 2024-02-23",
                           "a list of items for due diligence on diversion to Russia and Belarus; "
                           "the effective date is the list version, earlier versions from 2023",
                           path);
        if (st != CKP_OK)
            ckp_error_set(err, st, path, 0, 0, "cannot add CHPL measure: %s", ckp_strerror(st));
    }
    groups_free(gs);
    free(gs);
    return st;
}

ckp_status ckp_measures_load(const ckp_ref *ref, const char *datadir, const char *extra,
                             ckp_measures **out, ckp_error *err)
{
    *out = NULL;
    ckp_measures *ms = calloc(1, sizeof *ms);
    if (!ms)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ms->ref = ref;
    if (!datadir)
        datadir = ckp_data_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/controls/measures/measures.csv", datadir);
    ckp_status st = load_measures_csv(ms, path, 1, err);
    if (st == CKP_OK) {
        snprintf(path, sizeof path, "%s/controls/eu-russia-hs6/EU_sanctions_HS6.csv", datadir);
        st = load_eu(ms, path, err);
    }
    if (st == CKP_OK) {
        snprintf(path, sizeof path, "%s/controls/chpl/chpl_hs6_tiers.csv", datadir);
        st = load_chpl(ms, path, err);
    }
    if (st == CKP_OK && extra)
        st = load_measures_csv(ms, extra, 0, err);
    if (st == CKP_OK && resolve_suspensions(ms) != CKP_OK)
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    if (st != CKP_OK) {
        ckp_measures_free(ms);
        return st;
    }
    *out = ms;
    return CKP_OK;
}

/* ---- env slot ----------------------------------------------------------- */

static ckp_status slot_load(ckp_env *env, void **ptr, ckp_error *err)
{
    ckp_measures *ms;
    ckp_status st = ckp_measures_load(ckp_env_ref(env), ckp_env_data_dir(env), NULL, &ms, err);
    *ptr = ms;
    return st;
}

static void slot_free(void *p) { ckp_measures_free(p); }

/* The env slot of the measures register (verb.h): loaded once per env. */
static const ckp_env_slot_def measures_slot = {"measures register", slot_load, slot_free, 0};

ckp_status ckp_measures_from_env(ckp_env *env, const ckp_measures **out, ckp_error *err)
{
    void *p = NULL;
    ckp_status st = ckp_env_slot(env, &measures_slot, &p, err);
    *out = p;
    return st;
}

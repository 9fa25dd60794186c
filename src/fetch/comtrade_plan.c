/* comtrade_plan.c — a `fetch comtrade` query checked against the reference
 * data and split into calls of the UN Comtrade v1 `get` endpoint within the
 * API's limits (fetch.h).  No network here: comtrade_fetch.c makes the
 * calls. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "chokepoint/fetch.h"
#include "core/vec.h"

/* A growable string with a limit (the URL of one call, the summary). */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int failed;
} sbuf;

#define SBUF_LIMIT ((size_t)1 << 20) /* a URL or a code list past 1 MB is no query */

static void sb_put(sbuf *b, const char *t, size_t n)
{
    if (b->failed)
        return;
    if (n > SBUF_LIMIT ||
        CKP_ARRAY_RESERVE(b->s, b->cap, b->len + n + 1, SBUF_LIMIT, "bytes", NULL) != CKP_OK) {
        b->failed = 1;
        return;
    }
    memcpy(b->s + b->len, t, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void sb_str(sbuf *b, const char *t) { sb_put(b, t, strlen(t)); }

static void sb_fmt(sbuf *b, const char *fmt, long v)
{
    char t[64];
    int k = snprintf(t, sizeof t, fmt, v);
    sb_put(b, t, (size_t)k);
}

/* Split "a,b , c" into trimmed items; calls fn for each (non-empty) one.
 * Returns the first non-OK status of fn, or CKP_EUSAGE for an empty item. */
typedef ckp_status (*item_fn)(const char *item, void *ctx, ckp_error *err);

static ckp_status each_item(const char *list, const char *opt, item_fn fn, void *ctx,
                            ckp_error *err)
{
    const char *p = list;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && isspace((unsigned char)*p)) {
            p++;
            n--;
        }
        while (n && isspace((unsigned char)p[n - 1]))
            n--;
        if (!n)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "%s: an empty item in '%s'", opt,
                                 list);
        char item[128];
        if (n >= sizeof item)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "%s: '%.*s…' is too long", opt, 40,
                                 p);
        memcpy(item, p, n);
        item[n] = 0;
        ckp_status st = fn(item, ctx, err);
        if (st != CKP_OK)
            return st;
        if (!e)
            return CKP_OK;
        p = e + 1;
    }
}

/* ---- countries ----------------------------------------------------------- */

typedef struct countries {
    const ckp_ref *ref;
    const char *opt;
    sbuf codes; /* "156,842" */
    int n;
} countries;

static ckp_status add_country(const char *item, void *ctx, ckp_error *err)
{
    countries *c = ctx;
    if (strcmp(item, "all") == 0 || strcmp(item, "ALL") == 0)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "%s: 'all' stands alone, not in a list", c->opt);
    int id;
    ckp_error e;
    ckp_error_clear(&e);
    if (ckp_ref_country_arg(c->ref, item, &id, &e) != CKP_OK)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "%s: %s", c->opt, e.msg);
    const ckp_country *k = ckp_ref_country(c->ref, id);
    if (k->comtrade < 0)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "%s: %s (%s) has no UN Comtrade code", c->opt, k->iso3, k->name);
    if (c->n)
        sb_str(&c->codes, ",");
    sb_fmt(&c->codes, "%ld", k->comtrade);
    c->n++;
    return CKP_OK;
}

/* "all" → NULL codes (the parameter is left out: every reporter/partner). */
static ckp_status parse_countries(const ckp_ref *ref, const char *arg, const char *opt,
                                  char **codes, ckp_error *err)
{
    *codes = NULL;
    if (!arg || !*arg)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "%s is required (a country or 'all')",
                             opt);
    if (strcmp(arg, "all") == 0 || strcmp(arg, "ALL") == 0)
        return CKP_OK;
    countries c = {ref, opt, {NULL, 0, 0, 0}, 0};
    ckp_status st = each_item(arg, opt, add_country, &c, err);
    if (st == CKP_OK && c.codes.failed)
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "%s: too many countries", opt);
    if (st != CKP_OK) {
        free(c.codes.s);
        return st;
    }
    *codes = c.codes.s;
    return CKP_OK;
}

/* ---- HS codes ------------------------------------------------------------- */

typedef struct codes {
    const ckp_ref *ref;
    sbuf list;
    int n, total;
} codes;

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return n > 0;
}

static void add_code(codes *c, const char *code, size_t n)
{
    if (c->n)
        sb_str(&c->list, ",");
    sb_put(&c->list, code, n);
    c->n++;
}

static ckp_status add_hs(const char *item, void *ctx, ckp_error *err)
{
    codes *c = ctx;
    size_t n = strlen(item);
    if (strcmp(item, "TOTAL") == 0 || strcmp(item, "total") == 0) {
        c->total = 1;
        add_code(c, "TOTAL", 5);
        return CKP_OK;
    }
    if (all_digits(item, n)) {
        if (n != 2 && n != 4 && n != 6)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--hs: '%s' is not an HS code of 2, 4 or 6 digits", item);
        add_code(c, item, n);
        return CKP_OK;
    }
    const ckp_group *g = ckp_ref_group_find(c->ref, item);
    if (!g)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--hs: '%s' is neither an HS code (2, 4 or 6 digits), TOTAL nor a "
                             "named group (chokepoint hs --groups lists them)",
                             item);
    for (const char *p = g->codes; *p;) {
        size_t k = strcspn(p, ";, ");
        if (k) {
            if (!all_digits(p, k) || (k != 2 && k != 4 && k != 6))
                return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                     "--hs: group '%s' holds '%.*s', not an HS code of 2, 4 "
                                     "or 6 digits",
                                     item, (int)k, p);
            add_code(c, p, k);
        }
        p += k;
        if (*p)
            p++;
    }
    return CKP_OK;
}

/* ---- periods -------------------------------------------------------------- */

typedef struct periods {
    char freq;
    int32_t *v;
    size_t n, cap;
} periods;

static ckp_status add_period_value(periods *p, int32_t v, ckp_error *err)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i] == v)
            return CKP_OK; /* asked twice: one call is enough */
    if (p->n >= 12 * 200) /* two centuries of months */
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--period: too many periods");
    ckp_status st = CKP_ARRAY_RESERVE(p->v, p->cap, p->n + 1, 12 * 200, "periods", err);
    if (st != CKP_OK)
        return st;
    p->v[p->n++] = v;
    return CKP_OK;
}

static ckp_status add_period(const char *item, void *ctx, ckp_error *err)
{
    periods *p = ctx;
    int32_t v;
    ckp_error e;
    ckp_error_clear(&e);
    if (ckp_period_parse(item, &v, &e) != CKP_OK)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--period: %s", e.msg);
    if (CKP_PERIOD_YEAR(v) < 1962 || CKP_PERIOD_YEAR(v) > 2100)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--period: %s is outside the years UN Comtrade holds (1962 on)",
                             item);
    if (p->freq == 'A') {
        if (CKP_PERIOD_MONTH(v))
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--period: %s is a month; --freq A takes years (or use "
                                 "--freq M)",
                                 item);
        return add_period_value(p, v, err);
    }
    if (CKP_PERIOD_MONTH(v))
        return add_period_value(p, v, err);
    for (int m = 1; m <= 12; m++) { /* a year of monthly data: its 12 months */
        ckp_status st = add_period_value(p, v + m, err);
        if (st != CKP_OK)
            return st;
    }
    return CKP_OK;
}

/* ---- the plan --------------------------------------------------------------- */

static int flows_ok(const char *f)
{
    return strcmp(f, "X") == 0 || strcmp(f, "M") == 0 || strcmp(f, "X,M") == 0 ||
           strcmp(f, "M,X") == 0;
}

static void hash_hex(const char *s, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (!EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
        /* cannot happen with OpenSSL's built-in SHA-256; a fixed name
         * would mix answers, so make it unusable instead */
        memset(out, 0, 65);
        return;
    }
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void period_text(int32_t v, char freq, char out[16])
{
    if (freq == 'A')
        snprintf(out, 16, "%d", (int)CKP_PERIOD_YEAR(v));
    else
        snprintf(out, 16, "%d%02d", (int)CKP_PERIOD_YEAR(v), (int)CKP_PERIOD_MONTH(v));
}

static void call_free(ckp_fetch_call *c)
{
    CKP_FREE_ALL(c->url, c->reporters, c->partners, c->cmd, c->periods);
    memset(c, 0, sizeof *c);
}

/* c->url and c->hash from its parameters. */
static ckp_status call_build(const ckp_fetch_plan *p, ckp_fetch_call *c, ckp_error *err)
{
    sbuf url = {NULL, 0, 0, 0};
    sb_str(&url, p->base);
    sb_str(&url, "/data/v1/get/C/");
    sb_put(&url, &p->freq, 1);
    sb_str(&url, "/HS?");
    if (c->reporters) {
        sb_str(&url, "reporterCode=");
        sb_str(&url, c->reporters);
        sb_str(&url, "&");
    }
    if (c->partners) {
        sb_str(&url, "partnerCode=");
        sb_str(&url, c->partners);
        sb_str(&url, "&");
    }
    sb_str(&url, "cmdCode=");
    sb_str(&url, c->cmd);
    sb_str(&url, "&flowCode=");
    sb_str(&url, p->flows);
    sb_str(&url, "&period=");
    sb_str(&url, c->periods);
    sb_fmt(&url, "&maxRecords=%ld", p->max_records);
    if (url.failed) {
        free(url.s);
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "the query is too long for one URL");
    }
    free(c->url);
    c->url = url.s;
    hash_hex(c->url, c->hash);
    return CKP_OK;
}

static char *dup_or_null(const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *failed = 1;
    return d;
}

/* Append a call with these parameters (copied) to the plan. */
static ckp_status call_add(ckp_fetch_plan *p, const char *rep, const char *par, const char *cmd,
                           const char *pers, ckp_error *err)
{
    if (p->ncalls >= CKP_FETCH_MAX_CALLS)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                             "the query needs more than %d calls: ask for less in one run",
                             CKP_FETCH_MAX_CALLS);
    ckp_status grown = CKP_ARRAY_RESERVE(p->calls, p->cap, p->ncalls + 1,
                                         (size_t)CKP_FETCH_MAX_CALLS, "calls", err);
    if (grown != CKP_OK)
        return grown;
    ckp_fetch_call *c = &p->calls[p->ncalls];
    memset(c, 0, sizeof *c);
    int failed = 0;
    c->reporters = dup_or_null(rep, &failed);
    c->partners = dup_or_null(par, &failed);
    c->cmd = dup_or_null(cmd, &failed);
    c->periods = dup_or_null(pers, &failed);
    if (failed) {
        call_free(c);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    ckp_status st = call_build(p, c, err);
    if (st != CKP_OK) {
        call_free(c);
        return st;
    }
    p->ncalls++;
    return CKP_OK;
}

/* The items of a comma list before (first half) and after its middle comma:
 * NULL when the list has one item. */
static char *half_split(const char *list, char **second)
{
    size_t n = 1;
    for (const char *s = list; *s; s++)
        n += *s == ',';
    if (n < 2)
        return NULL;
    size_t want = n / 2, seen = 0;
    const char *s = list;
    for (; *s; s++)
        if (*s == ',' && ++seen == want)
            break;
    char *a = strndup(list, (size_t)(s - list));
    char *b = strdup(s + 1);
    if (!a || !b) {
        free(a);
        free(b);
        return NULL;
    }
    *second = b;
    return a;
}

/* The k-th splittable field of a call: periods, reporters, HS codes, partners. */
static char **call_field(ckp_fetch_call *c, int k)
{
    return k == 0 ? &c->periods : k == 1 ? &c->reporters : k == 2 ? &c->cmd : &c->partners;
}

ckp_status ckp_fetch_plan_split(ckp_fetch_plan *p, size_t i, ckp_error *err)
{
    char *first = NULL, *second = NULL;
    int k = 0;
    for (; k < 4; k++) {
        const char *f = *call_field(&p->calls[i], k);
        if (f)
            first = half_split(f, &second);
        if (first)
            break;
    }
    if (!first) {
        const ckp_fetch_call *c = &p->calls[i];
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                             "%s came back with %ld records, the API's cap per call "
                             "(maxRecords): the answer may be cut, and the call asks for one "
                             "period, one HS code and %s reporter, so it cannot be split.  "
                             "Name the reporters, or raise --max-records if the subscription "
                             "allows",
                             c->url, p->max_records, c->reporters ? "one" : "every");
    }
    /* the second half: a new call at the end (the array may move) */
    char **f = call_field(&p->calls[i], k);
    char *whole = *f;
    *f = second;
    ckp_status st = call_add(p, p->calls[i].reporters, p->calls[i].partners, p->calls[i].cmd,
                             p->calls[i].periods, err);
    f = call_field(&p->calls[i], k);
    free(second);
    if (st != CKP_OK) {
        *f = whole;
        free(first);
        return st;
    }
    /* the first half replaces the call */
    *f = first;
    free(whole);
    p->splits++;
    return call_build(p, &p->calls[i], err);
}

void ckp_fetch_plan_free(ckp_fetch_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ncalls; i++)
        call_free(&p->calls[i]);
    free(p->calls);
    free(p->summary);
    free(p->base);
    memset(p, 0, sizeof *p);
}

static int cmp_period(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

ckp_status ckp_fetch_plan_make(const ckp_ref *ref, const ckp_fetch_query *q,
                               ckp_fetch_plan *out, ckp_error *err)
{
    memset(out, 0, sizeof *out);
    char freq = q->freq ? q->freq : 'A';
    const char *flows = q->flows ? q->flows : "X,M";
    if (freq != 'A' && freq != 'M')
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--freq must be A or M");
    if (!flows_ok(flows))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--flow must be X, M or X,M (got '%s')", flows);
    long maxrec = q->max_records ? q->max_records : CKP_FETCH_DEFAULT_MAX_RECORDS;
    if (maxrec < 1 || maxrec > 10000000)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--max-records must be 1…10000000 (got %ld)", maxrec);
    const char *base = q->base_url ? q->base_url : CKP_FETCH_DEFAULT_BASE;
    if (strncmp(base, "https://", 8) != 0 && strncmp(base, "http://", 7) != 0)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--base-url must start with https:// or http:// (got '%s')", base);
    if (strpbrk(base, "?# \t\r\n"))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--base-url must be a plain URL, without a query, fragment or "
                             "blank (got '%s')",
                             base);
    if (!q->hs || !*q->hs)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                             "--hs is required (HS codes, TOTAL or a named group)");
    if (!q->periods || !*q->periods)
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "--period is required");

    char *rep = NULL, *par = NULL;
    codes hs = {ref, {NULL, 0, 0, 0}, 0, 0};
    periods per = {freq, NULL, 0, 0};
    sbuf sum = {NULL, 0, 0, 0};
    ckp_status st = parse_countries(ref, q->reporters, "--reporter", &rep, err);
    if (st == CKP_OK)
        st = parse_countries(ref, q->partner, "--partner", &par, err);
    if (st == CKP_OK)
        st = each_item(q->hs, "--hs", add_hs, &hs, err);
    if (st == CKP_OK && hs.list.failed)
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "--hs: too many codes");
    if (st == CKP_OK && hs.total && hs.n > 1)
        st = ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                           "--hs: TOTAL is every product; it takes no other code beside it");
    if (st == CKP_OK)
        st = each_item(q->periods, "--period", add_period, &per, err);
    if (st != CKP_OK)
        goto out;
    qsort(per.v, per.n, sizeof *per.v, cmp_period);

    size_t base_len = strlen(base);
    while (base_len && base[base_len - 1] == '/')
        base_len--;
    out->base = malloc(base_len + 1);
    if (!out->base) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    memcpy(out->base, base, base_len);
    out->base[base_len] = 0;
    out->max_records = maxrec;
    out->freq = freq;
    snprintf(out->flows, sizeof out->flows, "%s", strcmp(flows, "M,X") == 0 ? "X,M" : flows);

    /* one call per CKP_FETCH_MAX_PERIODS periods */
    for (size_t first = 0; first < per.n; first += CKP_FETCH_MAX_PERIODS) {
        sbuf pp = {NULL, 0, 0, 0};
        for (size_t i = first; i < per.n && i < first + CKP_FETCH_MAX_PERIODS; i++) {
            char t[16];
            period_text(per.v[i], freq, t);
            if (pp.len)
                sb_str(&pp, ",");
            sb_str(&pp, t);
        }
        if (pp.failed) {
            free(pp.s);
            st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        st = call_add(out, rep, par, hs.list.s, pp.s, err);
        free(pp.s);
        if (st != CKP_OK)
            goto out;
    }
    sb_str(&sum, "C/");
    sb_put(&sum, &freq, 1);
    sb_str(&sum, "/HS reporterCode=");
    sb_str(&sum, rep ? rep : "all");
    sb_str(&sum, " partnerCode=");
    sb_str(&sum, par ? par : "all");
    sb_str(&sum, " cmdCode=");
    sb_str(&sum, hs.list.s);
    sb_str(&sum, " flowCode=");
    sb_str(&sum, out->flows);
    sb_str(&sum, " period=");
    for (size_t c = 0; c < out->ncalls; c++) {
        if (c)
            sb_str(&sum, ",");
        sb_str(&sum, out->calls[c].periods);
    }
    if (sum.failed) {
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "the query is too long");
        goto out;
    }
    out->summary = sum.s;
    sum.s = NULL;
out:
    CKP_FREE_ALL(rep, par, hs.list.s, per.v, sum.s);
    if (st != CKP_OK)
        ckp_fetch_plan_free(out);
    return st;
}

ckp_status ckp_fetch_cache_path(const char *cache_dir, const ckp_fetch_call *c, char *buf,
                                size_t len, ckp_error *err)
{
    int k = snprintf(buf, len, "%s/%s.json", cache_dir, c->hash);
    if (k < 0 || (size_t)k >= len)
        return ckp_error_set(err, CKP_ELIMIT, cache_dir, 0, 0, "cache path too long");
    return CKP_OK;
}

ckp_status ckp_fetch_default_cache(char *buf, size_t len, ckp_error *err)
{
    const char *x = getenv("XDG_CACHE_HOME");
    const char *h = getenv("HOME");
    int k;
    if (x && *x == '/')
        k = snprintf(buf, len, "%s/chokepoint/comtrade", x);
    else if (h && *h)
        k = snprintf(buf, len, "%s/.cache/chokepoint/comtrade", h);
    else
        return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                             "no cache directory: set $XDG_CACHE_HOME or $HOME, or give --cache");
    if (k < 0 || (size_t)k >= len)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "cache path too long");
    return CKP_OK;
}

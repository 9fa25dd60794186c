/* shipments.c — reading shipments (CSV or JSON Lines) and screening a whole
 * input (ckp_screen_run, see screen.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "chokepoint/csv.h"
#include "chokepoint/screen.h"
#include "core/file.h"
#include "screen_int.h"

#define MAX_INPUT ((size_t)4 << 30)

enum {
    F_ID, F_DATE, F_EXPORTER, F_EXPORTER_COUNTRY, F_IMPORTER, F_IMPORTER_COUNTRY, F_ORIGIN,
    F_DESTINATION, F_TRANSIT, F_HS, F_DESCRIPTION, F_QTY, F_UNIT, F_VALUE, F_CURRENCY, F_PARTIES,
    F_EXPORTER_IDS, F_IMPORTER_IDS, F_EXPORTER_BIRTH, F_IMPORTER_BIRTH,
    F_N
};

static const char *const fnames[F_N] = {
    "id", "date", "exporter", "exporter_country", "importer", "importer_country", "origin",
    "destination", "transit", "hs", "description", "qty", "unit", "value", "currency",
    "parties", "exporter_ids", "importer_ids", "exporter_birth_date", "importer_birth_date"};

static const ckp_column cols[] = {
    {"shipment", CKP_COL_STR, 0}, {"kind", CKP_COL_STR, 0},     {"score", CKP_COL_NUM, 3},
    {"reason", CKP_COL_STR, 0},   {"rule", CKP_COL_STR, 0},     {"matched", CKP_COL_JSON, 0},
    {"line", CKP_COL_INT, 0}};

const ckp_column *ckp_screen_columns(size_t *ncols)
{
    *ncols = sizeof cols / sizeof cols[0];
    return cols;
}

ckp_status ckp_screen_write_alert(ckp_writer *w, const ckp_alert *a)
{
    ckp_writer_str(w, a->shipment);
    ckp_writer_str(w, a->kind);
    ckp_writer_num(w, a->score);
    ckp_writer_str(w, a->reason);
    ckp_writer_str(w, a->rule);
    ckp_writer_json(w, a->matched);
    if (a->line > 0)
        ckp_writer_int(w, a->line);
    else
        ckp_writer_null(w);
    return ckp_writer_end_row(w);
}

/* The input's column name for each of our fields, after --map. */
typedef struct colmap {
    char name[F_N][128];
} colmap;

static ckp_status parse_map(const char *map, colmap *cm, ckp_error *err)
{
    for (int i = 0; i < F_N; i++)
        snprintf(cm->name[i], sizeof cm->name[i], "%s", fnames[i]);
    if (!map)
        return CKP_OK;
    const char *p = map;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (!eq)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--map takes col=name,… (got '%.*s')", (int)n, p);
        size_t kl = (size_t)(eq - p);
        int f = -1;
        for (int i = 0; i < F_N; i++)
            if (strlen(fnames[i]) == kl && strncmp(fnames[i], p, kl) == 0)
                f = i;
        if (f < 0)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--map: '%.*s' is not a shipment column (id, date, exporter, "
                                 "exporter_country, importer, importer_country, origin, "
                                 "destination, transit, hs, description, qty, unit, value, "
                                 "currency, parties, exporter_ids, importer_ids, "
                                 "exporter_birth_date, importer_birth_date)",
                                 (int)kl, p);
        if (n - kl - 1 >= sizeof cm->name[f])
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--map %s=…: the column name is longer than %zu bytes",
                                 fnames[f], sizeof cm->name[f] - 1);
        snprintf(cm->name[f], sizeof cm->name[f], "%.*s", (int)(n - kl - 1), eq + 1);
        p += n + (e ? 1 : 0);
    }
    return CKP_OK;
}

/* Field texts of one row (NUL-terminated copies).  A longer field is not
 * cut: its row is reported unscreened (FIELD_MAX - 1 bytes at most). */
#define FIELD_MAX 4096
typedef struct rowtext {
    char f[F_N][FIELD_MAX];
} rowtext;

/* Copy one CSV field whole into out, or say why it cannot be: longer than
 * the buffer, or holding a NUL byte (which would cut a name short and hide
 * a listed party).  0 or -1 with why. */
static int field_text(ckp_field f, const char *name, char *out, size_t n, char *why, size_t wn)
{
    const char *nul = f.len ? memchr(f.ptr, 0, f.len) : NULL;
    if (nul) {
        snprintf(why, wn, "%s holds a NUL byte (at byte %zu of the field): not text", name,
                 (size_t)(nul - f.ptr) + 1);
        return -1;
    }
    if (f.len >= n) {
        snprintf(why, wn, "%s is %zu bytes long: more than the %zu a field may hold", name, f.len,
                 n - 1);
        return -1;
    }
    ckp_field_copy(f, out, n);
    return 0;
}

/* A date of birth column: empty, YYYY, YYYY-MM or YYYY-MM-DD. */
static int parse_birth(const char *v, char *why, size_t wn, const char *what)
{
    size_t n = strlen(v);
    int ok = n == 0 || n == 4 || n == 7 || n == 10;
    for (size_t i = 0; ok && i < n; i++)
        ok = (i == 4 || i == 7) ? v[i] == '-' : (v[i] >= '0' && v[i] <= '9');
    if (!ok)
        snprintf(why, wn, "%s \"%.40s\" is not YYYY, YYYY-MM or YYYY-MM-DD", what, v);
    return ok ? 0 : -1;
}

static int parse_country(const ckp_ref *ref, const char *s, int *id, char *why, size_t wn,
                         const char *field)
{
    *id = -1;
    if (!*s)
        return 0;
    int c = ckp_ref_country_by_iso3(ref, s);
    if (c < 0) {
        ckp_error e;
        if (ckp_ref_country_arg(ref, s, &c, &e) != CKP_OK) {
            snprintf(why, wn, "%s \"%.200s\" is not a known country", field, s);
            return -1;
        }
    }
    *id = c;
    return 0;
}

static int parse_num(const char *s, double *out, char *why, size_t wn, const char *field)
{
    *out = NAN;
    if (!*s)
        return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) {
        snprintf(why, wn, "%s \"%.200s\" is not a number", field, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* Row texts → shipment.  Returns 0, or -1 with the reason in why. */
static int build_shipment(const ckp_ref *ref, rowtext *rt, long line, ckp_shipment *sh,
                          char *why, size_t wn)
{
    memset(sh, 0, sizeof *sh);
    sh->line = line;
    sh->id = rt->f[F_ID];
    if (!*sh->id) {
        snprintf(why, wn, "id is empty");
        return -1;
    }
    sh->date_text = rt->f[F_DATE];
    sh->date = -1;
    if (*sh->date_text) {
        ckp_error e;
        int32_t d;
        if (ckp_date_parse(sh->date_text, &d, &e) != CKP_OK) {
            snprintf(why, wn, "date \"%.200s\" is not YYYY-MM-DD", sh->date_text);
            return -1;
        }
        sh->date = d;
    }
    sh->exporter = rt->f[F_EXPORTER];
    sh->importer = rt->f[F_IMPORTER];
    sh->exporter_ids = rt->f[F_EXPORTER_IDS];
    sh->importer_ids = rt->f[F_IMPORTER_IDS];
    sh->exporter_birth = rt->f[F_EXPORTER_BIRTH];
    sh->importer_birth = rt->f[F_IMPORTER_BIRTH];
    if (parse_birth(sh->exporter_birth, why, wn, "exporter_birth_date") ||
        parse_birth(sh->importer_birth, why, wn, "importer_birth_date"))
        return -1;
    if (parse_country(ref, rt->f[F_EXPORTER_COUNTRY], &sh->exporter_country, why, wn,
                      "exporter_country") ||
        parse_country(ref, rt->f[F_IMPORTER_COUNTRY], &sh->importer_country, why, wn,
                      "importer_country") ||
        parse_country(ref, rt->f[F_ORIGIN], &sh->origin, why, wn, "origin") ||
        parse_country(ref, rt->f[F_DESTINATION], &sh->destination, why, wn, "destination"))
        return -1;
    /* an empty origin or destination: the parties' countries stand in (the
     * alert reasons say so), never "from ? to ?" when the row knows */
    if (sh->origin < 0 && sh->exporter_country >= 0) {
        sh->origin = sh->exporter_country;
        sh->inferred |= CKP_SHIP_ORIGIN_FROM_EXPORTER;
    }
    if (sh->destination < 0 && sh->importer_country >= 0) {
        sh->destination = sh->importer_country;
        sh->inferred |= CKP_SHIP_DEST_FROM_IMPORTER;
    }
    /* transit: ISO3 codes separated by ; | or spaces */
    char *t = rt->f[F_TRANSIT];
    while (*t) {
        while (*t == ';' || *t == '|' || *t == ' ' || *t == ',')
            t++;
        if (!*t)
            break;
        char one[64];
        size_t k = strcspn(t, ";| ,");
        if (k >= sizeof one) {
            snprintf(why, wn, "transit \"%.40s…\" is not a known country", t);
            return -1;
        }
        memcpy(one, t, k);
        one[k] = 0;
        t += k;
        int c;
        if (parse_country(ref, one, &c, why, wn, "transit"))
            return -1;
        if (sh->ntransit >= CKP_MAX_TRANSIT) {
            snprintf(why, wn, "transit names more than %d countries", CKP_MAX_TRANSIT);
            return -1;
        }
        sh->transit[sh->ntransit++] = c;
    }
    const char *hs = rt->f[F_HS];
    int folded = 0;
    if (*hs && ckp_hs_fold(hs, strlen(hs), &sh->hs, &sh->hs_level, &folded) != 0) {
        snprintf(why, wn, "hs \"%.200s\" is not a 2-, 4- or 6-digit HS code", hs);
        return -1;
    }
    sh->hs_folded = folded;
    sh->description = rt->f[F_DESCRIPTION];
    sh->parties = rt->f[F_PARTIES];
    sh->unit = rt->f[F_UNIT];
    sh->currency = rt->f[F_CURRENCY];
    if (parse_num(rt->f[F_QTY], &sh->qty, why, wn, "qty") ||
        parse_num(rt->f[F_VALUE], &sh->value, why, wn, "value"))
        return -1;
    return 0;
}

/* ---- the run ---------------------------------------------------------------- */

typedef struct runctx {
    ckp_writer *w;
    ckp_screen_stats *st;
    ckp_status wrc;
    const ckp_screen_config *cfg;
    int keep_failed; /* cfg->on_shipment failed (wrc is then CKP_EIO) */
} runctx;

static int on_alert(const ckp_alert *a, void *vctx)
{
    runctx *r = vctx;
    int k = strcmp(a->kind, "goods") == 0 ? 0 : strcmp(a->kind, "party") == 0 ? 1
            : strcmp(a->kind, "route") == 0 ? 2 : 3;
    r->st->alerts[k]++;
    if (r->w) {
        ckp_status rc = ckp_screen_write_alert(r->w, a);
        if (rc) {
            r->wrc = rc;
            return 1;
        }
    }
    return 0;
}


static void report_bad(ckp_bad_row_fn fn, void *ctx, const char *file, long line, const char *why,
                       ckp_screen_stats *st)
{
    st->bad++;
    if (!fn)
        return;
    ckp_error e;
    ckp_error_set(&e, CKP_EPARSE, file, line, 0, "%s", why);
    fn(&e, ctx);
}

/* Screen one row whose texts are in rt; a row that cannot be read (why set
 * by the reader), built or screened is reported through bad_fn and counted
 * unscreened, never passed over as clean. */
static void screen_one(ckp_screener *scr, const ckp_ref *ref, rowtext *rt, long line,
                       runctx *r, ckp_bad_row_fn bad_fn, void *bad_ctx, const char *file,
                       const char *read_why)
{
    ckp_shipment sh;
    char why[512];
    if (read_why) {
        report_bad(bad_fn, bad_ctx, file, line, read_why, r->st);
        return;
    }
    if (build_shipment(ref, rt, line, &sh, why, sizeof why)) {
        report_bad(bad_fn, bad_ctx, file, line, why, r->st);
        return;
    }
    int n = ckp_screen_shipment(scr, &sh, on_alert, r);
    if (n < 0) {
        if (!r->wrc)
            report_bad(bad_fn, bad_ctx, file, line, ckp_screener_failure(scr), r->st);
        return;
    }
    r->st->shipments++;
    if (r->cfg->on_shipment && !r->wrc && r->cfg->on_shipment(&sh, r->cfg->on_shipment_ctx))
        r->wrc = CKP_EIO, r->keep_failed = 1;
    if (sh.hs_folded)
        r->st->hs_folded++;
    if (n > 0)
        r->st->flagged++;
}

static ckp_status run_csv(ckp_screener *scr, const ckp_screen_config *cfg,
                          const ckp_screen_input *in, const char *buf, size_t len,
                          const colmap *cm, runctx *r, ckp_bad_row_fn bad_fn, void *bad_ctx,
                          rowtext *rt, ckp_error *err)
{
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    o.encoding = CKP_CSV_AUTO;
    ckp_csv *csv = NULL;
    ckp_status rc = ckp_csv_open_mem(buf, len, in->path, &o, &csv, err);
    if (rc)
        return rc;
    int col[F_N];
    for (int i = 0; i < F_N; i++)
        col[i] = ckp_csv_column(csv, cm->name[i]);
    if (col[F_ID] < 0) {
        rc = ckp_error_set(err, CKP_EPARSE, in->path, 1, 0,
                           "no '%s' column in the header (columns: id,date,exporter,"
                           "exporter_country,importer,importer_country,origin,destination,"
                           "transit,hs,description,qty,unit,value,currency; --map col=name)",
                           cm->name[F_ID]);
        goto out_close;
    }
    for (int i = 0; i < F_N; i++) {
        if (col[i] < 0 && strcmp(cm->name[i], fnames[i]) != 0) {
            rc = ckp_error_set(err, CKP_EPARSE, in->path, 1, 0,
                               "--map %s=%s: no column '%s' in the header", fnames[i],
                               cm->name[i], cm->name[i]);
            goto out_close;
        }
    }
    for (;;) {
        ckp_error e2;
        ckp_error_clear(&e2);
        int k = ckp_csv_next(csv, &e2);
        if (k == 0)
            break;
        if (k < 0) {
            if (ckp_csv_failed(csv)) {
                rc = ckp_error_set(err, e2.code, e2.file, e2.line, e2.col, "%s", e2.msg);
                goto out_close;
            }
            r->st->bad++;
            if (bad_fn)
                bad_fn(&e2, bad_ctx);
            continue;
        }
        if (ckp_csv_nfields(csv) == 1 && ckp_csv_field(csv, 0).len == 0)
            continue; /* blank line */
        char why[300];
        int ok = 1;
        for (int i = 0; i < F_N && ok; i++) {
            if (col[i] < 0)
                rt->f[i][0] = 0;
            else
                ok = field_text(ckp_field_trim(ckp_csv_field(csv, (size_t)col[i])), fnames[i],
                                rt->f[i], sizeof rt->f[i], why, sizeof why) == 0;
        }
        screen_one(scr, cfg->ref, rt, ckp_csv_line(csv), r, bad_fn, bad_ctx, in->path,
                   ok ? NULL : why);
        if (r->wrc)
            break;
    }
out_close:
    ckp_csv_close(csv);
    return rc;
}

/* The text of one JSON member (string, number, or an array of strings for
 * transit); null or missing = "".  0, or -1 with why: another JSON type, or
 * longer than the buffer (never cut). */
static int json_text(json_t *v, const char *name, char *out, size_t n, char *why, size_t wn)
{
    out[0] = 0;
    int k = 0;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v)) {
        if (json_string_length(v) >= n)
            goto too_long;
        memcpy(out, json_string_value(v), json_string_length(v) + 1);
        return 0;
    }
    if (json_is_integer(v))
        k = snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        ckp_format_shortest(json_real_value(v), out, n);
    else if (json_is_array(v)) { /* transit as an array */
        size_t i, o = 0;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (!json_is_string(x)) {
                snprintf(why, wn, "%s: item %zu of the array is not a string", name, i + 1);
                return -1;
            }
            k = snprintf(out + o, n - o, "%s%s", o ? ";" : "", json_string_value(x));
            if (k < 0 || (size_t)k >= n - o)
                goto too_long;
            o += (size_t)k;
        }
        return 0;
    } else {
        snprintf(why, wn, "%s is a JSON %s: give a string or a number", name,
                 json_is_object(v) ? "object" : "true/false");
        return -1;
    }
    if (k >= 0 && (size_t)k < n)
        return 0;
too_long:
    snprintf(why, wn, "%s is longer than the %zu bytes a field may hold", name, n - 1);
    return -1;
}

static void run_jsonl(ckp_screener *scr, const ckp_screen_config *cfg,
                      const ckp_screen_input *in, const char *buf, size_t len, const colmap *cm,
                      runctx *r, ckp_bad_row_fn bad_fn, void *bad_ctx, rowtext *rt)
{
    size_t pos = 0;
    long line = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len && !r->wrc) {
        line++;
        size_t e = pos;
        while (e < len && buf[e] != '\n')
            e++;
        const char *s = buf + pos;
        size_t n = e - pos;
        pos = e + 1;
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n == 0)
            continue;
        json_error_t jerr;
        json_t *j = json_loadb(s, n, 0, &jerr);
        if (!json_is_object(j)) {
            char why[300];
            snprintf(why, sizeof why, "not a JSON object: %s", j ? "other JSON value" : jerr.text);
            report_bad(bad_fn, bad_ctx, in->path, line, why, r->st);
            json_decref(j);
            continue;
        }
        char why[300];
        int ok = 1;
        for (int i = 0; i < F_N && ok; i++)
            ok = json_text(json_object_get(j, cm->name[i]), fnames[i], rt->f[i], sizeof rt->f[i],
                           why, sizeof why) == 0;
        json_decref(j);
        screen_one(scr, cfg->ref, rt, line, r, bad_fn, bad_ctx, in->path, ok ? NULL : why);
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

ckp_status ckp_screen_run(const ckp_screen_config *cfg, const ckp_screen_input *in,
                          ckp_writer *w, ckp_bad_row_fn bad_fn, void *bad_ctx,
                          ckp_screen_stats *st, ckp_error *err)
{
    double t0 = now_ms();
    ckp_screen_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    colmap cm;
    ckp_status rc = parse_map(in->map, &cm, err);
    if (rc)
        return rc;
    char *owned = NULL;
    const char *buf = in->buf;
    size_t len = in->len;
    if (!buf) {
        rc = ckp_file_read(in->path, MAX_INPUT, &owned, &len, err);
        if (rc)
            return rc;
        buf = owned;
    }
    ckp_screener *scr = NULL;
    rowtext *rt = malloc(sizeof *rt);
    if (!rt) {
        rc = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    rc = ckp_screener_new(cfg, &scr, err);
    if (rc)
        goto out_free;
    runctx r = {w, st, CKP_OK, cfg, 0};
    int fmt = in->format;
    if (!fmt) {
        size_t i = 0;
        if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            i = 3;
        while (i < len && isspace((unsigned char)buf[i]))
            i++;
        fmt = i < len && buf[i] == '{' ? 'j' : 'c';
    }
    if (fmt == 'j')
        run_jsonl(scr, cfg, in, buf, len, &cm, &r, bad_fn, bad_ctx, rt);
    else
        rc = run_csv(scr, cfg, in, buf, len, &cm, &r, bad_fn, bad_ctx, rt, err);
    if (!rc && !r.wrc && ckp_screen_finish(scr, on_alert, &r) < 0 && !r.wrc)
        rc = ckp_error_set(err, CKP_ENOMEM, in->path, 0, 0,
                           "the unit values could not be compared (out of memory or the flow "
                           "store could not be read)");
    if (!rc && r.wrc)
        rc = ckp_error_set(err, r.wrc, NULL, 0, 0, "%s",
                           r.keep_failed ? "cannot keep the counterparties screened"
                                         : "cannot write alerts");
out_free:
    ckp_screener_free(scr);
    free(rt);
    free(owned);
    st->ms = now_ms() - t0;
    return rc;
}

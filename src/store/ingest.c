/* ingest.c — trade files into the store (see ingest.h): the life cycle of
 * an ingest, its rejects, and which reader each input goes to (a plain CSV
 * file, maybe in two threads; gzip, standard input or memory; Comtrade+
 * JSON; a BACI zip archive).  The parsing itself is in the files that
 * ingest_parse.h lists. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/ingest_parse.h"

static const char *const reject_names[CKP_REJ_COUNT] = {
    "malformed-row", "missing-field", "bad-period",    "unknown-reporter",
    "unknown-partner", "bad-flow",    "bad-hs",        "hs-not-6-digit",
    "not-hs-classification", "bad-value", "bad-quantity", "breakdown-row",
    "duplicate-key", "value-out-of-range", "unknown-hs", "no-fx-rate"};

const char *ckp_reject_name(ckp_reject_reason r)
{
    return r >= 0 && r < CKP_REJ_COUNT ? reject_names[r] : "?";
}

static const char *const format_names[CKP_INGEST_NFORMATS] = {
    "auto", "comtrade", "baci", "flows", "comtrade-legacy", "comtradr", "comtrade-json",
    "comext", "comext-bulk"};

int ckp_ingest_format_parse(const char *s)
{
    for (int i = 0; i < CKP_INGEST_NFORMATS; i++)
        if (strcmp(s, format_names[i]) == 0)
            return i;
    return -1;
}

const char *ckp_ingest_format_name(ckp_ingest_format f)
{
    return f >= 0 && f < CKP_INGEST_NFORMATS ? format_names[f] : "?";
}

void ckp_ingest_opts_init(ckp_ingest_opts *o)
{
    memset(o, 0, sizeof *o);
    o->synthetic = -1;
}

/* ---- life cycle -------------------------------------------------------- */

static void dup_cb(uint64_t kept, uint32_t kept_line, uint64_t dup, uint32_t dup_line,
                   const ckp_flow *row, void *ctx);

ckp_status ckp_ingest_begin(const char *dir, const ckp_ref *ref, const ckp_ingest_opts *opts,
                            ckp_ingest **out, ckp_error *err)
{
    *out = NULL;
    ckp_ingest *ing = calloc(1, sizeof *ing);
    if (!ing)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    ing->ref = ref;
    if (opts)
        ing->opts = *opts;
    else
        ckp_ingest_opts_init(&ing->opts);
    for (int i = 0; i < CKP_INGEST_NFORMATS; i++)
        ing->source[i] = -1;
    ing->nref = ckp_ref_country_count(ref);
    ing->by_comtrade = malloc(1000 * sizeof(int));
    ing->by_baci = malloc(1000 * sizeof(int));
    ing->by_iso3 = malloc(26 * 26 * 26 * sizeof(int));
    ing->hs_known[0] = calloc(1000000, 1);
    ing->hs_known[1] = calloc(1000000, 1);
    ing->hs_table[0] = ckp_ref_hs(ref, CKP_HS2017, 1, 2) != NULL;
    ing->hs_table[1] = ckp_ref_hs(ref, CKP_HS2022, 1, 2) != NULL;
    if (!ing->by_comtrade || !ing->by_baci || !ing->by_iso3 || !ing->hs_known[0] ||
        !ing->hs_known[1]) {
        ckp_ingest_abort(ing);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (int i = 0; i < 1000; i++)
        ing->by_comtrade[i] = ing->by_baci[i] = -2;
    for (int i = 0; i < 26 * 26 * 26; i++)
        ing->by_iso3[i] = -2;
    ckp_status st = ckp_store_writer_begin(dir, ref, ing->opts.replace, &ing->w, err);
    if (st != CKP_OK) {
        ckp_ingest_abort(ing);
        return st;
    }
    ckp_store_writer_on_duplicate(ing->w, dup_cb, ing);
    *out = ing;
    return CKP_OK;
}

void ckp_ingest_abort(ckp_ingest *ing)
{
    if (!ing)
        return;
    ckp_store_writer_abort(ing->w);
    free(ing->by_comtrade);
    free(ing->by_baci);
    free(ing->by_iso3);
    free(ing->hs_known[0]);
    free(ing->hs_known[1]);
    ckp_fx_free(ing->eur);
    for (int i = 0; i < NAME_CACHE; i++)
        free(ing->names[i].s);
    for (int i = 0; i < ing->nfiles; i++)
        free(ing->files[i].name);
    free(ing);
}

const ckp_ingest_stats *ckp_ingest_get_stats(const ckp_ingest *ing) { return &ing->stats; }

/* Rows were read and none was kept: the error that says why (a
 * spreadsheet whose numbers are all refused is not an empty success). */
static ckp_status none_kept(const ckp_ingest *ing, ckp_error *err)
{
    char why[400] = "";
    size_t len = 0;
    for (int r = 0; r < CKP_REJ_COUNT && len < sizeof why - 60; r++)
        if (ing->stats.by_reason[r])
            len += (size_t)snprintf(why + len, sizeof why - len, "%s%llu %s", len ? ", " : "",
                                    (unsigned long long)ing->stats.by_reason[r],
                                    reject_names[r]);
    return ckp_error_set(err, CKP_EPARSE, ing->nfiles == 1 ? ing->files[0].name : NULL, 0, 0,
                         "none of the %llu rows read was kept (%s); nothing is loaded",
                         (unsigned long long)ing->stats.rows_read, why);
}

ckp_status ckp_ingest_commit(ckp_ingest *ing, ckp_ingest_stats *stats, ckp_error *err)
{
    if (ing->stats.rows_read > 0 && ing->stats.rows_kept == 0) {
        ckp_status st = none_kept(ing, err);
        if (stats)
            *stats = ing->stats;
        ckp_ingest_abort(ing);
        return st;
    }
    ckp_store_commit_stats cs;
    ckp_store_writer *w = ing->w;
    ing->w = NULL;
    ckp_status st = ckp_store_writer_commit_stats(w, &cs, err);
    if (st == CKP_OK) {
        ing->stats.rows_kept = cs.rows_added;
        ing->stats.store_rows = cs.rows_total;
        ing->stats.rows_replaced = cs.rows_replaced;
        ing->stats.generation = cs.generation;
        ing->stats.store_bytes = cs.bytes;
    }
    if (stats)
        *stats = ing->stats;
    ckp_ingest_abort(ing);
    return st;
}

/* ---- rejects ----------------------------------------------------------- */

static void csv_put(FILE *f, const char *s, size_t n)
{
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

/* Count a rejected row in st and write it to f (when not NULL):
 * file,line,reason,detail,row. */
void ckp__reject_row(ckp_ingest_stats *st, FILE *f, const char *file, long line,
                       ckp_reject_reason r, const char *detail, const ckp_field *fields,
                       size_t nf, const char *raw)
{
    st->by_reason[r]++;
    st->rows_rejected++;
    if (!f)
        return;
    csv_put(f, file, strlen(file));
    fprintf(f, ",%ld,%s,", line, reject_names[r]);
    csv_put(f, detail, strlen(detail));
    fputc(',', f);
    if (fields) {
        /* the row as read, fields re-joined with commas */
        char row[4096];
        size_t len = 0;
        for (size_t i = 0; i < nf && len < sizeof row - 1; i++) {
            ckp_field fl = fields[i];
            if (i)
                row[len++] = ',';
            for (size_t k = 0; k < fl.len && len < sizeof row - 1; k++)
                row[len++] = fl.ptr[k];
        }
        csv_put(f, row, len);
    } else if (raw) {
        csv_put(f, raw, strlen(raw));
    }
    fputc('\n', f);
}

static void dup_cb(uint64_t kept, uint32_t kept_line, uint64_t dup, uint32_t dup_line,
                   const ckp_flow *row, void *ctx)
{
    ckp_ingest *ing = ctx;
    const char *kf = "?", *df = "?";
    for (int i = 0; i < ing->nfiles; i++) {
        if (ing->files[i].first_row <= kept)
            kf = ing->files[i].name;
        if (ing->files[i].first_row <= dup)
            df = ing->files[i].name;
    }
    char detail[600], raw[256], hs[8], per[16];
    snprintf(detail, sizeof detail, "same period, reporter, partner, flow and HS code as %.280s:%u "
                                    "(kept; later duplicates are rejected, not summed)",
             kf, kept_line);
    const ckp_country *r = ckp_ref_country(ing->ref, row->reporter);
    const ckp_country *p = ckp_ref_country(ing->ref, row->partner);
    snprintf(raw, sizeof raw, "%s,%s,%s,%c,%s,%.17g", ckp_period_format(row->period, per),
             r ? r->iso3 : "?", p ? p->iso3 : "?", row->flow, ckp_hs_format(row->hs, 6, hs),
             row->value);
    ckp__reject_row(&ing->stats, ing->opts.rejects, df, dup_line, CKP_REJ_DUPLICATE, detail, NULL,
               0, raw);
    ing->stats.rows_kept--;
}


void ckp__reject_cur(ckp__parser *x, ckp_reject_reason r, const char *detail)
{
    if (x->vals)
        ckp__reject_row(x->st, x->rej, x->file, x->vline, r, detail, x->vals, x->nvals, NULL);
    else
        ckp__reject_row(x->st, x->rej, x->file, ckp__cur_line(x), r, detail, ckp_csv_fields(x->csv),
                   ckp_csv_nfields(x->csv), NULL);
}

/* ---- formats ----------------------------------------------------------- */

int ckp__header_has(const char *const *names, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], want) == 0)
            return 1;
    return 0;
}

ckp_ingest_format ckp_ingest_sniff(const char *const *names, size_t n)
{
    int has[16] = {0};
    static const char *const want[] = {"reportercode", "cmdcode", "partnercode", "t", "i",
                                       "j", "k", "v", "q", "period", "reporter", "partner",
                                       "flow", "hs", "value"};
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        size_t k = 0;
        for (const char *p = names[i]; *p && k < sizeof buf - 1; p++)
            if (*p != ' ' && *p != '"')
                buf[k++] = (char)tolower((unsigned char)*p);
        buf[k] = 0;
        for (int j = 0; j < 15; j++)
            if (strcmp(buf, want[j]) == 0)
                has[j] = 1;
    }
    const char *low[64];
    char lowbuf[64][64];
    size_t nl = n < 64 ? n : 64;
    for (size_t i = 0; i < nl; i++) {
        size_t k = 0;
        for (const char *p = names[i]; *p && k < sizeof lowbuf[i] - 1; p++)
            if (*p != ' ' && *p != '"')
                lowbuf[i][k++] = (char)tolower((unsigned char)*p);
        lowbuf[i][k] = 0;
        low[i] = lowbuf[i];
    }
    if (ckp__sniff_comext_bulk(low, nl))
        return CKP_INGEST_COMEXT_BULK;
    if (ckp__sniff_comext(low, nl))
        return CKP_INGEST_COMEXT;
    if (ckp__sniff_comtrade_legacy(low, nl))
        return CKP_INGEST_COMTRADE_LEGACY;
    if (ckp__sniff_comtradr(low, nl))
        return CKP_INGEST_COMTRADR;
    if (has[0] && has[1] && has[2])
        return CKP_INGEST_COMTRADE;
    if (has[3] && has[4] && has[5] && has[6] && has[7])
        return CKP_INGEST_BACI;
    if (has[9] && has[10] && has[11] && has[12] && has[13] && has[14])
        return CKP_INGEST_FLOWS;
    return CKP_INGEST_AUTO;
}

/* ---- JSON, compressed input, standard input ---------------------------- */

/* A CSV input whose reader was opened with status st: parsed, closed. */
static ckp_status parse_opened(ckp_ingest *ing, ckp_csv *csv, ckp_status st, const char *name,
                               ckp_error *err)
{
    if (st != CKP_OK)
        return st;
    st = ckp__ingest_csv(ing, csv, name, err);
    ckp_csv_close(csv);
    return st;
}

/* A Comtrade+ API response from src: each record through the Comtrade row
 * parser, its fields named as in the Comtrade+ CSV. */
static ckp_status ingest_json(ckp_ingest *ing, ckp__src *src, const char *name, ckp_error *err)
{
    ckp__parser x;
    memset(&x, 0, sizeof x);
    x.ing = ing;
    x.w = ing->w;
    x.st = &ing->stats;
    x.rej = ing->opts.rejects;
    x.decimal = '.';
    ckp__cols *c = &x.c;
    memset(c, -1, sizeof *c);
    int *at[CKP__JSON_NFIELDS] = {&c->period, &c->year,   &c->month,    &c->freq,
                                  &c->reporter, &c->partner, &c->flow,  &c->hs,
                                  &c->value,  &c->cif,    &c->fob,      &c->netwgt,
                                  &c->qty,    &c->qtyunit, &c->classif, &c->mot,
                                  &c->customs, &c->partner2, &c->mos};
    for (int i = 0; i < CKP__JSON_NFIELDS; i++)
        *at[i] = i;
    snprintf(x.value_name, sizeof x.value_name, "primaryValue");
    snprintf(x.netwgt_name, sizeof x.netwgt_name, "netWgt");
    ckp_status st = ckp__prepare_common(ing, name, CKP_INGEST_COMTRADE_JSON, &x, err);
    if (st != CKP_OK)
        return st;
    ckp__json *j = NULL;
    st = ckp__json_open(src, name, &j, err);
    if (st != CKP_OK)
        return st;
    ckp_ingest_progress pr = {x.file, 0, ckp__src_raw_total(src), 0, 0};
    for (;;) {
        const ckp_field *fields = NULL;
        long line = 0;
        ckp_error e;
        int r = ckp__json_next(j, &fields, &line, &e);
        if (r == 0)
            break;
        if (r == -2) {
            *err = e;
            st = e.code ? e.code : CKP_EPARSE;
            break;
        }
        ing->stats.rows_read++;
        if (r < 0) {
            ckp__reject_row(&ing->stats, x.rej, x.file, e.line, CKP_REJ_MALFORMED, e.msg, NULL, 0,
                       "");
            continue;
        }
        x.vals = fields;
        x.nvals = CKP__JSON_NFIELDS;
        x.vline = line;
        x.row(&x);
        if (ing->opts.progress && (ing->stats.rows_read & 16383) == 0) {
            pr.bytes_done = ckp__json_bytes(j);
            pr.rows = ing->stats.rows_read;
            ing->opts.progress(&pr, ing->opts.progress_ctx);
        }
    }
    uint64_t bytes = ckp__json_bytes(j);
    ing->stats.bytes_read += bytes;
    ckp__json_close(j);
    if (st == CKP_OK)
        ckp__file_done(ing, name, bytes);
    return st;
}

/* A file through a ckp__src (gzip, standard input, or memory that starts
 * with '{'): JSON or CSV. */
static ckp_status ingest_src(ckp_ingest *ing, ckp__src *src, const char *name, int first,
                             ckp_error *err)
{
    ckp_ingest_format f = ing->opts.format;
    if (f == CKP_INGEST_COMTRADE_JSON || (f == CKP_INGEST_AUTO && first == '{'))
        return ingest_json(ing, src, name, err);
    ckp_csv_opts o;
    ckp__csv_opts(&o, ing);
    ckp_csv *csv = NULL;
    ckp_status st = ckp_csv_open_reader(ckp__src_read, src, name, &o, &csv, err);
    return parse_opened(ing, csv, st, name, err);
}

static ckp_status ingest_file_any(ckp_ingest *ing, const char *path, ckp_error *err)
{
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    ckp__src *src = NULL;
    ckp_status st = ckp__src_open_file(path, &src, err);
    if (st != CKP_OK)
        return st;
    if (ckp__src_is_zip(src)) { /* a BACI release archive: read twice */
        ckp__src_close(src);
        if (strcmp(path, "-") == 0)
            return ckp_error_set(err, CKP_EUSAGE, name, 0, 0,
                                 "a zip archive is read twice (its country table comes last): "
                                 "give its file name, not standard input");
        return ckp__ingest_zip(ing, path, NULL, 0, name, err);
    }
    int first = ckp__src_first_byte(src, err, name);
    if (first == -2) {
        ckp__src_close(src);
        return err->code;
    }
    int json = ing->opts.format == CKP_INGEST_COMTRADE_JSON ||
               (ing->opts.format == CKP_INGEST_AUTO && first == '{');
    if (ckp__src_is_gz(src) || json || strcmp(path, "-") == 0) {
        st = ingest_src(ing, src, name, first, err);
        ckp__src_close(src);
        return st;
    }
    ckp__src_close(src); /* a plain CSV file: mapped, maybe in two threads */
    if (ckp__ingest_parallel(ing, path, &st, err))
        return st;
    ckp_csv_opts o;
    ckp__csv_opts(&o, ing);
    ckp_csv *csv = NULL;
    st = ckp_csv_open(path, &o, &csv, err);
    return parse_opened(ing, csv, st, name, err);
}

ckp_status ckp_ingest_file(ckp_ingest *ing, const char *path, ckp_error *err)
{
    return ingest_file_any(ing, path, err);
}

static ckp_status ingest_mem_any(ckp_ingest *ing, const char *name, const char *buf, size_t len,
                                 ckp_error *err)
{
    if (ckp__is_zip((const unsigned char *)buf, len))
        return ckp__ingest_zip(ing, NULL, buf, len, name, err);
    int gz = len >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b;
    size_t i = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    int json = ing->opts.format == CKP_INGEST_COMTRADE_JSON ||
               (ing->opts.format == CKP_INGEST_AUTO && i < len && buf[i] == '{');
    if (gz || json) {
        ckp__src *src = NULL;
        ckp_status st = ckp__src_open_mem(buf, len, name, &src, err);
        if (st != CKP_OK)
            return st;
        int first = ckp__src_first_byte(src, err, name);
        st = first == -2 ? err->code : ingest_src(ing, src, name, first, err);
        ckp__src_close(src);
        return st;
    }
    ckp_csv_opts o;
    ckp__csv_opts(&o, ing);
    ckp_csv *csv = NULL;
    ckp_status st = ckp_csv_open_mem(buf, len, name, &o, &csv, err);
    return parse_opened(ing, csv, st, name, err);
}

ckp_status ckp_ingest_mem(ckp_ingest *ing, const char *name, const char *buf, size_t len,
                          ckp_error *err)
{
    return ingest_mem_any(ing, name, buf, len, err);
}

ckp_status ckp_ingest_set_provenance(ckp_ingest *ing, const char *text, ckp_error *err)
{
    int any = 0;
    for (int f = 0; f < CKP_INGEST_NFORMATS; f++) {
        if (ing->source[f] < 0)
            continue;
        any = 1;
        if (ckp_store_writer_source_provenance(ing->w, ing->source[f], text) != 0)
            return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                                 "cannot record the provenance of the source (empty, more than "
                                 "%d bytes, or a tab or line end in it)",
                                 CKP_STORE_MAX_PROVENANCE);
    }
    if (!any)
        return ckp_error_set(err, CKP_ESTATE, NULL, 0, 0,
                             "no file was read: no source to record the provenance of");
    return CKP_OK;
}

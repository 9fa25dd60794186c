/* ingest_parse.c — one CSV file: its format (given or sniffed from the
 * header), its columns, its source and edition, then the record loop that
 * hands each record to the format's row parser (see ingest_parse.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "store/ingest_parse.h"

/* ---- files ------------------------------------------------------------- */

int ckp__col(const ckp_csv *csv, const char *a, const char *b)
{
    int i = ckp_csv_column(csv, a);
    return i >= 0 || !b ? i : ckp_csv_column(csv, b);
}

static ckp_status setup_cols(ckp__parser *x, ckp_ingest_format fmt, ckp_error *err)
{
    ckp__cols *c = &x->c;
    memset(c, -1, sizeof *c);
    const ckp_csv *v = x->csv;
    const char *missing = NULL;
    if (fmt == CKP_INGEST_COMTRADE) {
        c->period = ckp__col(v, "period", NULL);
        c->year = ckp__col(v, "refYear", NULL);
        c->month = ckp__col(v, "refMonth", NULL);
        c->freq = ckp__col(v, "freqCode", NULL);
        c->reporter = ckp__col(v, "reporterCode", NULL);
        c->partner = ckp__col(v, "partnerCode", NULL);
        c->flow = ckp__col(v, "flowCode", NULL);
        c->hs = ckp__col(v, "cmdCode", NULL);
        c->value = ckp__col(v, "primaryValue", NULL);
        c->cif = ckp__col(v, "cifvalue", NULL);
        c->fob = ckp__col(v, "fobvalue", NULL);
        c->netwgt = ckp__col(v, "netWgt", NULL);
        c->qty = ckp__col(v, "qty", NULL);
        c->qtyunit = ckp__col(v, "qtyUnitCode", NULL);
        c->classif = ckp__col(v, "classificationCode", NULL);
        c->mot = ckp__col(v, "motCode", NULL);
        c->customs = ckp__col(v, "customsCode", NULL);
        c->partner2 = ckp__col(v, "partner2Code", NULL);
        c->mos = ckp__col(v, "mosCode", NULL);
        missing = c->reporter < 0 ? "reporterCode" : c->partner < 0 ? "partnerCode"
                : c->flow < 0 ? "flowCode" : c->hs < 0 ? "cmdCode"
                : c->value < 0 ? "primaryValue"
                : c->period < 0 && c->year < 0 ? "period or refYear" : NULL;
    } else if (fmt == CKP_INGEST_COMTRADE_LEGACY) {
        missing = ckp__cols_comtrade_legacy(v, c);
    } else if (fmt == CKP_INGEST_COMTRADR) {
        missing = ckp__cols_comtradr(v, c);
    } else if (fmt == CKP_INGEST_COMEXT) {
        missing = ckp__cols_comext(v, c);
    } else if (fmt == CKP_INGEST_COMEXT_BULK) {
        missing = ckp__cols_comext_bulk(v, c);
    } else if (fmt == CKP_INGEST_BACI) {
        c->year = ckp__col(v, "t", NULL);
        c->reporter = ckp__col(v, "i", NULL);
        c->partner = ckp__col(v, "j", NULL);
        c->hs = ckp__col(v, "k", NULL);
        c->value = ckp__col(v, "v", NULL);
        c->qty = ckp__col(v, "q", NULL);
        missing = c->year < 0 ? "t" : c->reporter < 0 ? "i" : c->partner < 0 ? "j"
                : c->hs < 0 ? "k" : c->value < 0 ? "v" : NULL;
    } else {
        c->period = ckp__col(v, "period", NULL);
        c->reporter = ckp__col(v, "reporter", NULL);
        c->partner = ckp__col(v, "partner", NULL);
        c->flow = ckp__col(v, "flow", NULL);
        c->hs = ckp__col(v, "hs", "hs6");
        c->value = ckp__col(v, "value", NULL);
        c->qty = ckp__col(v, "qty", NULL);
        c->unit = ckp__col(v, "unit", NULL);
        c->value_alt = ckp__col(v, "value_alt", NULL);
        c->edition = ckp__col(v, "hs_edition", "edition");
        missing = c->period < 0 ? "period" : c->reporter < 0 ? "reporter"
                : c->partner < 0 ? "partner" : c->flow < 0 ? "flow" : c->hs < 0 ? "hs"
                : c->value < 0 ? "value" : NULL;
    }
    if (missing)
        return ckp_error_set(err, CKP_EPARSE, x->file, 1, 0,
                             "the header has no '%s' column (format %s)", missing,
                             ckp_ingest_format_name(fmt));
    return CKP_OK;
}

/* BACI files say their HS revision in the name: BACI_HS17_Y2022_V202401.csv */
static int edition_from_name(const char *name)
{
    static const struct { const char *tag; int ed; } t[] = {
        {"HS92", CKP_HS1992}, {"HS96", CKP_HS1996}, {"HS02", CKP_HS2002},
        {"HS07", CKP_HS2007}, {"HS12", CKP_HS2012}, {"HS17", CKP_HS2017},
        {"HS22", CKP_HS2022}};
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *member = strrchr(base, ':'); /* ARCHIVE.zip:MEMBER: the member says */
    base = member ? member + 1 : base;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strstr(base, t[i].tag))
            return t[i].ed;
    return CKP_HS_UNKNOWN;
}

/* x set up for a file of ing in format fmt (its columns in x->c): the
 * file's mark, the source, the edition, the row parser. */
ckp_status ckp__prepare_common(ckp_ingest *ing, const char *name, ckp_ingest_format fmt,
                                 ckp__parser *x, ckp_error *err)
{
    if (ing->nfiles >= MAX_FILES)
        return ckp_error_set(err, CKP_ELIMIT, name, 0, 0, "more than %d files in one ingest",
                             MAX_FILES);
    file_mark *fm = &ing->files[ing->nfiles];
    fm->name = strdup(name);
    if (!fm->name)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    fm->first_row = ckp_store_writer_rows(ing->w);
    ing->nfiles++;
    x->file = fm->name;
    if (ing->source[fmt] < 0) {
        const char *src = ing->opts.source ? ing->opts.source : ckp_ingest_format_name(fmt);
        int synth = ing->opts.synthetic >= 0 ? ing->opts.synthetic
                                             : strncmp(src, "synth", 5) == 0;
        ing->source[fmt] = ckp_store_writer_source(ing->w, src, synth);
        if (ing->source[fmt] < 0)
            return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                                 "cannot register source '%s' (bad name or more than 127 "
                                 "sources)", src);
    }
    x->source = ing->source[fmt];
    x->edition = ing->opts.hs_edition ? ing->opts.hs_edition : edition_from_name(name);
    x->row = fmt == CKP_INGEST_BACI ? ckp__row_baci : fmt == CKP_INGEST_FLOWS ? ckp__row_flows
             : fmt == CKP_INGEST_COMEXT ? ckp__row_comext : fmt == CKP_INGEST_COMEXT_BULK
                                                         ? ckp__row_comext_bulk : ckp__row_comtrade;
    if (fmt == CKP_INGEST_COMEXT || fmt == CKP_INGEST_COMEXT_BULK) {
        /* values in euros: the month's rate, and the source says so */
        for (int f = 0; f < CKP_INGEST_NFORMATS; f++)
            if (f != CKP_INGEST_COMEXT && f != CKP_INGEST_COMEXT_BULK &&
                ing->source[f] == x->source)
                return ckp_error_set(err, CKP_EINVAL, name, 0, 0,
                                     "source '%s' holds USD values of a %s file: a Comext file "
                                     "(EUR) needs a source of its own (--source)",
                                     ing->opts.source ? ing->opts.source : "?",
                                     ckp_ingest_format_name((ckp_ingest_format)f));
        if (!ing->eur) {
            ckp_status st = ckp_fx_load(ing->ref, "EUR", &ing->eur, err);
            if (st != CKP_OK)
                return st;
        }
        ckp_store_writer_source_currency(ing->w, x->source, "EUR");
        if (fmt == CKP_INGEST_COMEXT_BULK) {
            x->sums = ckp__sums_new();
            if (!x->sums)
                return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        }
    }
    int req[] = {x->c.reporter >= 0 ? x->c.reporter : x->c.reporter_iso,
                 x->c.partner >= 0 ? x->c.partner : x->c.partner_iso, x->c.hs, x->c.value,
                 x->c.flow, x->c.period >= 0 ? x->c.period : x->c.year};
    x->need = 0;
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (req[i] >= 0 && (size_t)req[i] + 1 > x->need)
            x->need = (size_t)req[i] + 1;
    return CKP_OK;
}

/* Header, format, columns and source of a file about to be parsed by x. */
ckp_status ckp__prepare(ckp_ingest *ing, ckp_csv *csv, const char *name, ckp__parser *x,
                          ckp_error *err)
{
    memset(x, 0, sizeof *x);
    x->ing = ing;
    x->csv = csv;
    x->w = ing->w;
    x->st = &ing->stats;
    x->rej = ing->opts.rejects;
    x->progress = ing->opts.progress != NULL;
    x->bytes_total = ckp_csv_total_bytes(csv);
    /* the decimal mark: given, or learnt from the values of a ';' file */
    x->decimal = ing->opts.decimal ? ing->opts.decimal : ckp_csv_delim(csv) == ';' ? 0 : '.';
    ckp_ingest_format fmt = ing->opts.format;
    size_t nh = ckp_csv_header_count(csv);
    if (fmt == CKP_INGEST_COMTRADE_JSON)
        return ckp_error_set(err, CKP_EPARSE, name, 1, 0,
                             "--format comtrade-json: the file does not start with '{'");
    if (fmt == CKP_INGEST_AUTO) {
        const char *names[64];
        char store[64][64];
        size_t n = nh < 64 ? nh : 64;
        for (size_t i = 0; i < n; i++) {
            ckp_field_copy(ckp_csv_header_name(csv, i), store[i], sizeof store[i]);
            names[i] = store[i];
        }
        fmt = ckp_ingest_sniff(names, n);
        if (fmt == CKP_INGEST_AUTO)
            return ckp_error_set(err, CKP_EPARSE, name, 1, 0,
                                 "cannot tell the format from the header (expected Comtrade "
                                 "reporterCode,partnerCode,cmdCode…, legacy Comtrade "
                                 "Reporter Code,Partner Code,Commodity Code,Trade Value "
                                 "(US$)…, comtradr reporter_iso,partner_iso,cmd_code,"
                                 "primary_value…, Eurostat Comext REPORTER,PARTNER,PRODUCT,FLOW,"
                                 "PERIOD,VALUE_IN_EUR or DECLARANT_ISO,PARTNER_ISO,PRODUCT_NC,"
                                 "…,VALUE_IN_EUROS, BACI t,i,j,k,v,q or flows period,reporter,"
                                 "partner,flow,hs,value…); use --format");
    }
    x->file = name; /* for setup_cols' message; prepare_common keeps a copy */
    ckp_status st = setup_cols(x, fmt, err);
    if (st != CKP_OK)
        return st;
    if (x->c.value >= 0)
        ckp_field_copy(ckp_csv_header_name(csv, (size_t)x->c.value), x->value_name,
                       sizeof x->value_name);
    if (x->c.netwgt >= 0)
        ckp_field_copy(ckp_csv_header_name(csv, (size_t)x->c.netwgt), x->netwgt_name,
                       sizeof x->netwgt_name);
    return ckp__prepare_common(ing, name, fmt, x, err);
}

/* One result r of ckp_csv_next on x's reader: reject it or parse it.
 * Returns nonzero on an unrecoverable reader error (*err set). */
int ckp__one_record(ckp__parser *x, int r, const ckp_error *e, ckp_error *err)
{
    ckp_csv *csv = x->csv;
    x->st->rows_read++;
    if (r < 0) {
        if (ckp_csv_failed(csv)) {
            *err = *e;
            return 1;
        }
        ckp__reject_row(x->st, x->rej, x->file, e->line + x->line_offset, CKP_REJ_MALFORMED,
                   e->msg, NULL, 0, "");
        return 0;
    }
    if (ckp_csv_nfields(csv) < x->need) {
        ckp__reject_row(x->st, x->rej, x->file, ckp_csv_line(csv) + x->line_offset,
                   CKP_REJ_FIELDS, "row has too few fields", ckp_csv_fields(csv),
                   ckp_csv_nfields(csv), NULL);
        return 0;
    }
    x->row(x);
    return 0;
}

/* Every 16,384 rows: release the parsed pages of a mapped input (done =
 * bytes of x->map parsed) and report progress. */
void ckp__every_16k(ckp__parser *x, size_t done, ckp_ingest_progress *pr, uint64_t *next_report)
{
    if (x->map) {
        done &= ~(size_t)0xFFFFF;
        if (done > x->map_dropped + ((size_t)32 << 20)) {
            /* whole pages only (a half starts mid-page); a page shared
             * with the other half is simply read again if needed */
            uintptr_t a = (uintptr_t)(x->map + x->map_dropped) & ~(uintptr_t)4095;
            uintptr_t b = (uintptr_t)(x->map + done) & ~(uintptr_t)4095;
            if (b > a)
                madvise((void *)a, (size_t)(b - a), MADV_DONTNEED);
            x->map_dropped = done;
        }
    }
    if (x->progress && done >= *next_report) {
        *next_report = done + (1u << 20);
        pr->bytes_done = done;
        pr->rows = x->st->rows_read;
        x->ing->opts.progress(pr, x->ing->opts.progress_ctx);
    }
}


/* Every record of x's reader. */
ckp_status ckp__parse_loop(ckp__parser *x, ckp_error *err)
{
    if (x->plain_end)
        return ckp__parse_plain_baci(x, err);
    ckp_csv *csv = x->csv;
    ckp_ingest_progress pr = {x->file, 0, x->bytes_total, 0, 0};
    uint64_t next_report = 1u << 20;
    for (;;) {
        ckp_error e;
        int r = ckp_csv_next(csv, &e);
        if (r == 0)
            break;
        if (ckp__one_record(x, r, &e, err)) {
            ckp__sums_free(x->sums);
            x->sums = NULL;
            return err->code ? err->code : CKP_EIO;
        }
        if ((x->st->rows_read & 16383) == 0)
            ckp__every_16k(x, (size_t)ckp_csv_get_stats(csv).bytes, &pr, &next_report);
    }
    if (x->sums) {
        ckp__sums_flush(x);
        ckp__sums_free(x->sums);
        x->sums = NULL;
    }
    x->st->bytes_read += ckp_csv_get_stats(csv).bytes;
    return CKP_OK;
}

void ckp__file_done(ckp_ingest *ing, const char *name, uint64_t bytes)
{
    ing->stats.files++;
    if (ing->opts.progress) {
        ckp_ingest_progress pr = {name, bytes, bytes, ing->stats.rows_read, 1};
        ing->opts.progress(&pr, ing->opts.progress_ctx);
    }
}

ckp_status ckp__ingest_csv(ckp_ingest *ing, ckp_csv *csv, const char *name, ckp_error *err)
{
    ckp__parser x;
    uint64_t before = ing->stats.bytes_read;
    ckp_status st = ckp__prepare(ing, csv, name, &x, err);
    if (st == CKP_OK)
        st = ckp__parse_loop(&x, err);
    if (st == CKP_OK)
        ckp__file_done(ing, name, ing->stats.bytes_read - before);
    return st;
}

void ckp__csv_opts(ckp_csv_opts *o, const ckp_ingest *ing)
{
    ckp_csv_opts_init(o);
    o->delim = ing->opts.delim;
    o->encoding = CKP_CSV_AUTO;
    o->max_record = (size_t)1 << 20;
}

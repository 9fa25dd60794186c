/* ingest_parse.h — the ingest handle and one parser's state, shared by the
 * files that parse (see ingest.h for the public side):
 *   ingest.c           life cycle, rejects, which reader a file goes to
 *   ingest_fields.c    one field at a time: numbers, periods, countries,
 *                      flows, units, HS codes
 *   ingest_rows.c      the row parsers of Comtrade, BACI and flows files
 *   ingest_comext_rows.c  the row parsers of Eurostat Comext files
 *   ingest_parse.c     one file: header, columns, the record loop
 *   ingest_plain.c     BACI lines in their plain form (the SWAR fast path)
 *   ingest_parallel.c  two threads on one big mapped file
 *   ingest_baci_zip.c  a BACI release archive's members
 * The lookups the fast path makes per row are inline here, not calls
 * across files. */
#ifndef CHOKEPOINT_INGEST_PARSE_H
#define CHOKEPOINT_INGEST_PARSE_H

#include <math.h>
#include <stdio.h>

#include "chokepoint/csv.h"
#include "chokepoint/ingest.h"
#include "store/ingest_int.h"
#include "store/store_int.h"

#define MAX_FILES 4096
#define NAME_CACHE 4096 /* distinct country strings remembered (flows format) */

typedef struct name_slot {
    char *s;
    int id; /* country id or -1 */
} name_slot;

typedef struct file_mark {
    uint64_t first_row; /* staging row of the file's first kept row */
    char *name;
} file_mark;

struct ckp_ingest {
    const ckp_ref *ref;
    ckp_ingest_opts opts;
    ckp_store_writer *w;
    ckp_ingest_stats stats;
    int source[CKP_INGEST_NFORMATS]; /* per format, registered on first use */
    int nref;
    int *by_comtrade;       /* code 0..999 → id, -2 = not looked up */
    int *by_baci;           /* (from an archive's own country table while
                               its members are read: baci_table) */
    char baci_table[128];   /* that table's member base name or "" */
    int *by_iso3;           /* 26^3 → id, -2 = not looked up */
    name_slot names[NAME_CACHE];
    file_mark files[MAX_FILES];
    int nfiles;
    const char *cur_file;
    /* HS6 code → 0 not looked up yet, 1 in the nomenclature, 2 not; for
     * HS2017 and HS2022 (allocated on first use; the two parser threads
     * of a big file may both fill a byte, with the same value) */
    uint8_t *hs_known[2];
    int hs_table[2];        /* the reference data has the HS2017 / HS2022 table */
    ckp_fx *eur;            /* EUR rates, loaded with the first Comext file */
};

/* ---- one parser ---------------------------------------------------------- */



/* One parser over one CSV reader.  A file parsed by two threads has two
 * (each with its own writer staging, counts and rejects sink). */
typedef struct ckp__parser {
    ckp_ingest *ing;
    ckp_csv *csv;
    const char *file;
    int source;
    int edition;               /* default edition of codes (BACI file name, option) */
    ckp__cols c;
    int (*row)(struct ckp__parser *);  /* the format's row parser */
    size_t need;               /* fields a row must have */
    ckp_store_writer *w;       /* where rows are staged */
    ckp_ingest_stats *st;      /* where counts go */
    FILE *rej;                 /* where rejects go (NULL = nowhere) */
    long line_offset;          /* added to the reader's line numbers */
    int progress;              /* 1 = this parser reports progress */
    uint64_t bytes_total;      /* for progress */
    const char *map;           /* the mapped input parsed (NULL when read) */
    const char *map_end;       /* the end of the whole mapping */
    size_t map_dropped;        /* bytes of map already released */
    /* plain BACI lines (parse_plain_baci): [plain_begin, plain_end) of map,
     * its first line numbered plain_line; plain_end NULL = the reader */
    const char *plain_begin, *plain_end;
    long plain_line;
    char plain_delim;
    /* a record not read by a CSV reader (JSON): its fields and line */
    const ckp_field *vals;
    size_t nvals;
    long vline;
    char decimal;              /* '.', ',', or 0: not known yet (see num) */
    char value_name[48];       /* the value and net weight columns' names */
    char netwgt_name[48];      /* (for messages; the second half of a file
                                  parsed by two threads has no header) */
    int hs_folded;             /* the row's HS code was a national code (hs6) */
    struct ckp__sums *sums;       /* Comext bulk: rows summed by key (NULL other formats) */
} ckp__parser;

static inline ckp_field ckp__field_at(const ckp__parser *x, int col)
{
    ckp_field f = {NULL, 0};
    if (x->vals)
        return col >= 0 && (size_t)col < x->nvals ? x->vals[col] : f;
    return col >= 0 ? ckp_csv_field(x->csv, (size_t)col) : f;
}

/* Line of the current record. */
static inline long ckp__cur_line(const ckp__parser *x)
{
    return x->vals ? x->vline : ckp_csv_line(x->csv) + x->line_offset;
}

#define REJECT(x, reason, ...)                                                           \
    do {                                                                                 \
        char d_[300];                                                                    \
        snprintf(d_, sizeof d_, __VA_ARGS__);                                            \
        ckp__reject_cur((x), reason, d_);                                                     \
        return 0;                                                                        \
    } while (0)


/* Count a rejected row in st and write it to f (when not NULL):
 * file,line,reason,detail,row (fields re-joined, or raw). */
void ckp__reject_row(ckp_ingest_stats *st, FILE *f, const char *file, long line,
                     ckp_reject_reason r, const char *detail, const ckp_field *fields,
                     size_t nf, const char *raw);
/* Reject x's current record (the reader's or a JSON record's fields). */
void ckp__reject_cur(ckp__parser *x, ckp_reject_reason r, const char *detail);

/* ---- fields (ingest_fields.c) -------------------------------------------- */

enum { NUM_OK = 0, NUM_EMPTY = 1, NUM_BAD = -1, NUM_NONFINITE = -2, NUM_AMBIGUOUS = -3,
       NUM_MIXED = -4 };
enum { PERIOD_FORM = -1, PERIOD_DATE = -2 };

extern const double ckp__pow10[23]; /* 1e0 … 1e22, exact */

/* f without blanks (and a CR) around it. */
ckp_field ckp__trim(ckp_field f);
/* A decimal number: NUM_OK with *out, NUM_EMPTY for "" (and NA, null, -),
 * NUM_NONFINITE for inf/NaN, NUM_BAD otherwise. */
int ckp__parse_num(ckp_field f, double *out);
/* A non-negative integer field ("842", "842.0"); -1 when not one. */
long ckp__parse_int(ckp_field f);
/* 2023, 2023-08, 202308, 2023-08-01, 20230801 → YYYYMM or YYYY00;
 * PERIOD_FORM or PERIOD_DATE when not a period. */
int32_t ckp__parse_period(ckp_field f);
/* Country id of a Comtrade code (-1 unknown), cached for codes < 1000. */
int ckp__country_comtrade(ckp_ingest *ing, long code);
/* Country id of an ISO3 code or anything ckp_ref_country_arg accepts. */
int ckp__country_any(ckp_ingest *ing, ckp_field f);
/* Why ckp__country_any gave -1 for f, in words (into buf). */
const char *ckp__country_why(const ckp_ingest *ing, ckp_field f, char *buf, size_t n);
/* X, M, RX, RM and the words → CKP_FLOW_*; 0 other. */
int ckp__parse_flow(ckp_field f);
/* Comtrade classificationCode H0…H6 (or HS, or a year) → edition; -1 other. */
int ckp__parse_edition(ckp_field f);
/* A UN Comtrade quantity unit code → CKP_UNIT_*. */
int ckp__comtrade_unit(long code);
/* A unit word of the flows format → CKP_UNIT_*; *scale multiplies the quantity. */
int ckp__flows_unit(ckp_field f, double *scale);
/* The row's product: 0 an HS6 code in *code; -2 an aggregate (its key);
 * -1 not a code.  A national code is folded (x->hs_folded). */
int ckp__hs6(ckp__parser *x, ckp_field f, uint32_t *code);
/* A number of x's file, with its decimal mark (learnt in a ';' file). */
int ckp__num(ckp__parser *x, ckp_field f, double *out);
/* The reject detail of a ckp__num result (NULL for a good number). */
const char *ckp__num_msg(int r);
/* A value: 0 ok; else -1 with the reject detail in *msg. */
int ckp__value_of(ckp__parser *x, ckp_field f, double *v, const char **msg);

/* ---- lookups the fast path makes per row --------------------------------- */

static inline int ckp__country_baci(ckp_ingest *ing, long code)
{
    if (code < 0)
        return -1;
    if (code >= 1000) /* none in BACI's own tables (an archive's: by_baci) */
        return ing->baci_table[0] ? -1 : ckp_ref_country_by_baci(ing->ref, (int)code);
    if (ing->by_baci[code] == -2)
        ing->by_baci[code] = ckp_ref_country_by_baci(ing->ref, (int)code);
    return ing->by_baci[code];
}

/* 1 when code is in the nomenclature of edition ed: looked up (once per
 * code) in the shipped HS2017 and HS2022 tables; for other editions, which
 * are not shipped, a chapter 01-97 other than 77 and a heading from 01. */
static inline int ckp__hs_known(ckp_ingest *ing, int ed, uint32_t code)
{
    int level = ckp_hs_key_level(code);
    if (level == 0)
        return 1; /* TOTAL */
    if (level == 2 || level == 4) { /* a chapter or heading: in the nomenclature */
        uint32_t agg = ckp_hs_key_code(code), ch = level == 2 ? agg : agg / 100;
        if (ch < 1 || ch > 97 || ch == 77)
            return 0;
        int t = ed == CKP_HS2017 ? 0 : ed == CKP_HS2022 ? 1 : -1;
        if (t >= 0 && !ing->hs_table[t])
            t = -1;
        if (t < 0)
            return level == 2 || agg % 100 >= 1;
        return ckp_ref_hs(ing->ref, (ckp_hs_edition)ed, agg, level) != NULL;
    }
    /* chapters 98 and 99 are for national use, not HS; the shipped HS2022
     * table lists Comtrade's 999999 "commodities not specified according
     * to kind" (under section TOTAL), the HS2017 one does not: neither is a
     * product, so both editions treat it alike */
    if (code > 999999 || code / 10000 >= 98)
        return 0;
    int t = ed == CKP_HS2017 ? 0 : ed == CKP_HS2022 ? 1 : -1;
    if (t >= 0 && !ing->hs_table[t])
        t = -1; /* reference data without that table */
    if (t < 0) {
        uint32_t ch = code / 10000, hd = code / 100 % 100;
        return ch >= 1 && ch <= 97 && ch != 77 && hd >= 1;
    }
    uint8_t k = ing->hs_known[t][code];
    if (!k) {
        k = ckp_ref_hs(ing->ref, (ckp_hs_edition)ed, code, 6) ? 1 : 2;
        ing->hs_known[t][code] = k;
    }
    return k == 1;
}

/* Within the bounds of one row (check_row says why not). */
static inline int ckp__plausible(const ckp_flow *f)
{
    return f->value <= CKP_INGEST_MAX_VALUE &&
           (isnan(f->value_alt) || f->value_alt <= CKP_INGEST_MAX_VALUE) &&
           (isnan(f->qty) || f->qty <= CKP_INGEST_MAX_QTY);
}

/* ---- rows (ingest_rows.c, ingest_comext_rows.c) -------------------------- */

/* The checks every format shares (bounds, the HS code in its edition): 1 go
 * on, 0 rejected. */
int ckp__check_row(ckp__parser *x, const ckp_flow *f);
/* Check and stage a parsed row (a reject when the writer refuses it). */
int ckp__add_row(ckp__parser *x, const ckp_flow *f);
/* The row parsers, one per format (x->row): always 0. */
int ckp__row_comtrade(ckp__parser *x);
int ckp__row_baci(ckp__parser *x);
int ckp__row_flows(ckp__parser *x);
int ckp__row_comext(ckp__parser *x);
int ckp__row_comext_bulk(ckp__parser *x);
/* Comext bulk: a new empty table of sums (NULL out of memory); stage the
 * summed rows of x->sums at the end of a file; free a table (NULL is fine). */
struct ckp__sums *ckp__sums_new(void);
void ckp__sums_flush(ckp__parser *x);
void ckp__sums_free(struct ckp__sums *t);

/* ---- one file (ingest_parse.c) ------------------------------------------- */

/* The CSV reader options of ing's files. */
void ckp__csv_opts(ckp_csv_opts *o, const ckp_ingest *ing);
/* x set up for a file of ing in format fmt (its columns in x->c): the
 * file's mark, the source, the edition, the row parser. */
ckp_status ckp__prepare_common(ckp_ingest *ing, const char *name, ckp_ingest_format fmt,
                               ckp__parser *x, ckp_error *err);
/* Header, format, columns and source of a file about to be parsed by x. */
ckp_status ckp__prepare(ckp_ingest *ing, ckp_csv *csv, const char *name, ckp__parser *x,
                        ckp_error *err);
/* One result r of ckp_csv_next: reject it or parse it; nonzero on an
 * unrecoverable reader error (*err). */
int ckp__one_record(ckp__parser *x, int r, const ckp_error *e, ckp_error *err);
/* Every 16,384 rows: release parsed pages of a mapping, report progress. */
void ckp__every_16k(ckp__parser *x, size_t done, ckp_ingest_progress *pr,
                    uint64_t *next_report);
/* Every record of x's reader (or its plain BACI lines). */
ckp_status ckp__parse_loop(ckp__parser *x, ckp_error *err);
/* A file read: counted, progress reported. */
void ckp__file_done(ckp_ingest *ing, const char *name, uint64_t bytes);
/* A whole file through one reader. */
ckp_status ckp__ingest_csv(ckp_ingest *ing, ckp_csv *csv, const char *name, ckp_error *err);

/* ---- fast paths and archives --------------------------------------------- */

/* x's plain BACI lines [x->plain_begin, x->plain_end) (ingest_plain.c). */
ckp_status ckp__parse_plain_baci(ckp__parser *x, ckp_error *err);
/* 1 when the two-thread path took the file at path (*st set), 0 to parse it
 * serially (ingest_parallel.c). */
int ckp__ingest_parallel(ckp_ingest *ing, const char *path, ckp_status *st, ckp_error *err);
/* A zip archive from a file (path) or memory (buf, len): its members, then
 * the shipped BACI table again (ingest_baci_zip.c). */
ckp_status ckp__ingest_zip(ckp_ingest *ing, const char *path, const char *buf, size_t len,
                           const char *name, ckp_error *err);

#endif

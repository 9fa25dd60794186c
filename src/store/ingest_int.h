/* ingest_int.h — what the ingest parsers (ingest_parse.h lists them: row
 * parsers, fast paths, life cycle) share with the per-format files beside
 * them: the column map of a CSV file (ingest_comtrade_legacy.c,
 * ingest_comtradr.c, ingest_comext.c), the byte source that gunzips
 * (ingest_src.c), the zip archive reader (ingest_archive.c) and the
 * streaming Comtrade+ JSON reader (ingest_json.c).  Every format's rows go
 * through the same row parsers, so codes and country fields are read by
 * one set of helpers. */
#ifndef CHOKEPOINT_INGEST_INT_H
#define CHOKEPOINT_INGEST_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chokepoint/csv.h"
#include "chokepoint/error.h"

/* Column indexes of one file (-1 = absent). */
typedef struct ckp__cols {
    int period, year, month, freq, reporter, partner, flow, hs, value, cif, fob, netwgt,
        qty, qtyunit, classif, mot, customs, partner2, mos, unit, value_alt, edition,
        reporter_iso, partner_iso, /* ISO3 (or name) when no numeric code column */
        statproc;                  /* Comext STAT_PROCEDURE / STAT_REGIME */
} ckp__cols;

/* The column named a, else the one named b (b may be NULL); -1 when none
 * (ingest_parse.c). */
int ckp__col(const ckp_csv *csv, const char *a, const char *b);
/* 1 when names (header names as ckp_ingest_sniff hands them: spaces and
 * quotes dropped, lower case) hold want (ingest.c). */
int ckp__header_has(const char *const *names, size_t n, const char *want);
/* 1 when f is s, ignoring case (ingest_fields.c). */
int ckp__ieq(ckp_field f, const char *s);

/* UN Comtrade legacy (pre-2023) bulk/web CSV: 1 when the header names (as
 * ckp_ingest_sniff gets them) are that layout. */
int ckp__sniff_comtrade_legacy(const char *const *names, size_t n);
/* Its columns into c (every field -1 first); the name of a required column
 * that is missing, or NULL. */
const char *ckp__cols_comtrade_legacy(const ckp_csv *csv, ckp__cols *c);

/* comtradr (the R package) output: the Comtrade+ columns in snake_case. */
int ckp__sniff_comtradr(const char *const *names, size_t n);
const char *ckp__cols_comtradr(const ckp_csv *csv, ckp__cols *c);

/* Eurostat Comext web extraction (ingest_comext.c): REPORTER, PARTNER,
 * PRODUCT, FLOW, STAT_PROCEDURE, PERIOD, VALUE_IN_EUR with names. */
int ckp__sniff_comext(const char *const *names, size_t n);
const char *ckp__cols_comext(const ckp_csv *csv, ckp__cols *c);
/* Eurostat Comext bulk file (DECLARANT_ISO, PARTNER_ISO, PRODUCT_NC, FLOW,
 * STAT_REGIME, PERIOD, VALUE_IN_EUROS, QUANTITY_IN_KG…, or the v2 names
 * REPORTER, PARTNER, STAT_PROCEDURE, VALUE_EUR, QUANTITY_KG). */
int ckp__sniff_comext_bulk(const char *const *names, size_t n);
const char *ckp__cols_comext_bulk(const ckp_csv *csv, ckp__cols *c);

/* A Comext period: "Aug. 2024", "Aug 2024", "August 2024", "2024-08",
 * "202408" → 202408; -1 when not a month (an annual "202452" included). */
int32_t ckp__comext_period(ckp_field f);
/* A Comext name without its bracketed note: "Germany (incl. German
 * Democratic Republic 'DD' from 1991)" → "Germany"; a code-label pair
 * "2-EXPORT" → "EXPORT" when code is not NULL (the code in *code). */
ckp_field ckp__comext_label(ckp_field f, ckp_field *code);
/* A Comext flow: 1 / IMPORT / 1-IMPORT → 'M', 2 / EXPORT / 2-EXPORT → 'X',
 * else 0. */
int ckp__comext_flow(ckp_field f);
/* 1 when a STAT_PROCEDURE value is the total of every procedure ("Total",
 * "T-Total", empty). */
int ckp__comext_stat_total(ckp_field f);
/* The Comext product as an HS code for the row parser: "Total" /
 * "TOTAL-Total" / "TOTAL" → "TOTAL"; "8542-Electronic integrated…" →
 * "8542"; a bare code as it is. */
ckp_field ckp__comext_product(ckp_field f);

/* ---- the bytes of one input (ingest_src.c) ------------------------------ */

typedef struct ckp__src ckp__src;

/* Open a file ("-" = standard input) or memory (not copied); gzip is
 * detected from the magic bytes and decompressed as it is read.  Close with
 * ckp__src_close. */
ckp_status ckp__src_open_file(const char *path, ckp__src **out, ckp_error *err);
ckp_status ckp__src_open_mem(const char *buf, size_t len, const char *name, ckp__src **out,
                             ckp_error *err);
int ckp__src_is_gz(const ckp__src *s);
/* 1 when the input is a zip archive (ckp__archive reads it, by name). */
int ckp__src_is_zip(const ckp__src *s);
/* Size of the raw input (a regular file, memory), 0 when unknown. */
uint64_t ckp__src_raw_total(const ckp__src *s);
/* The first content byte after a BOM and blanks, read ahead and kept for
 * ckp__src_read; -1 when the content is empty, -2 on an error (*err). */
int ckp__src_first_byte(ckp__src *s, ckp_error *err, const char *name);
/* The (decompressed) content: a ckp_csv_read_fn over a ckp__src. */
long ckp__src_read(void *src, char *buf, size_t n, const char **why);
void ckp__src_close(ckp__src *s);

/* ---- a .zip archive's members (ingest_archive.c) ----------------------- */

typedef struct ckp__archive ckp__archive;

/* 1 when the bytes start with a zip local file header ("PK\3\4"). */
int ckp__is_zip(const unsigned char *p, size_t n);
/* Open a zip archive on a file (size for progress, 0 when unknown) or on
 * memory (not copied); the members are read in order, as a stream. */
ckp_status ckp__archive_open_file(const char *path, uint64_t size, ckp__archive **out,
                                  ckp_error *err);
ckp_status ckp__archive_open_mem(const char *buf, size_t len, const char *name,
                                 ckp__archive **out, ckp_error *err);
/* Back to the first member (the archive is opened again). */
ckp_status ckp__archive_rewind(ckp__archive *a, ckp_error *err);
/* The next member: 1 with its name in *member (valid until the next call),
 * 2 for a directory, 0 after the last one, -1 when the archive is damaged
 * (*err names the archive and the member). */
int ckp__archive_next(ckp__archive *a, const char **member, ckp_error *err);
/* The current member's content: a ckp_csv_read_fn over a ckp__archive. */
long ckp__archive_read(void *a, char *buf, size_t n, const char **why);
/* Compressed bytes: the archive's size (0 unknown) and how far it is read. */
uint64_t ckp__archive_raw_total(const ckp__archive *a);
uint64_t ckp__archive_raw_done(const ckp__archive *a);
void ckp__archive_close(ckp__archive *a);

/* ---- Comtrade+ API JSON (ingest_json.c) -------------------------------- */

/* The fields of a data record that rows are made from, in this order (the
 * Comtrade+ CSV's column names, which the API's JSON uses too). */
#define CKP__JSON_NFIELDS 19
extern const char *const ckp__json_fields[CKP__JSON_NFIELDS];

typedef struct ckp__json ckp__json;

/* Start reading a response {"count": N, "data": [ {…}, … ], …} from src
 * (not owned): reads up to the first record.  Bounded memory: one record
 * (at most 1 MiB of JSON) at a time. */
ckp_status ckp__json_open(ckp__src *src, const char *name, ckp__json **out, ckp_error *err);

/* The next record as text fields (CKP__JSON_NFIELDS of them, in
 * ckp__json_fields order; {NULL, 0} when absent or null; valid until the
 * next call), the line where it starts in *line.  Returns 1 with a record;
 * 0 at the end of the array, after checking the rest of the response (its
 * "count" against the records read, its "error"); -1 when the record is not
 * valid JSON or not a flat object (*err says why; the reader goes on with
 * the next one); -2 when the response itself is broken or truncated (*err;
 * nothing more can be read). */
int ckp__json_next(ckp__json *j, const ckp_field **fields, long *line, ckp_error *err);

/* Bytes of content read so far. */
uint64_t ckp__json_bytes(const ckp__json *j);
void ckp__json_close(ckp__json *j);

#endif

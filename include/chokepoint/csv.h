/* csv.h — a streaming, strict, fast CSV reader (RFC 4180).
 *
 * Reads a file, a file descriptor (stdin with "-") or a memory buffer record
 * by record.  Fields are zero-copy slices into the reader's buffer, valid until
 * the next ckp_csv_next() or ckp_csv_close(); a field that needed unescaping
 * ("" inside quotes) or re-encoding (Latin-1 → UTF-8) lives in a scratch
 * buffer with the same lifetime.  Fields are NOT NUL-terminated.
 *
 * Handles: quoted fields, doubled quotes, embedded newlines, CRLF and LF, a
 * UTF-8 byte-order mark, a trailing 0x1A (DOS end-of-file, as in OFAC files),
 * delimiters , ; TAB | (given or detected from the first line), an optional
 * header row with lookup by name.  Every error carries file:line:column.
 * Blank lines are skipped.  Line ends may be LF, CRLF or a bare CR.
 * After a bad record ckp_csv_next() returns -1 once; the next call resumes at
 * the following record, so callers can count and skip bad rows.  A record
 * longer than max_record is skipped up to its end (a line end outside quotes).
 *
 * What is returned never depends on how the input arrives (memory, a file,
 * a pipe, any read size): only the first max_record + 1 bytes of a record are
 * looked at.  The delimiter is detected from at most the first 64 KiB.
 *
 * Speed: each 64-byte block is scanned once into bitmasks of delimiters,
 * line ends, quotes and high bytes (SSE2 on x86-64, SWAR elsewhere); about
 * 1 GB/s on one core (bench/README.md).
 *
 * Life cycle: ckp_csv_open*() → ckp_csv_next()… → ckp_csv_close(). */
#ifndef CHOKEPOINT_CSV_H
#define CHOKEPOINT_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"

typedef struct ckp_csv ckp_csv;

typedef struct ckp_field {
    const char *ptr; /* not NUL-terminated; NULL only for a missing field */
    size_t len;
} ckp_field;

typedef enum ckp_csv_encoding {
    CKP_CSV_UTF8 = 0, /* invalid UTF-8 is a record error */
    CKP_CSV_LATIN1,   /* every byte ≥ 0x80 is Latin-1 and converted to UTF-8 */
    CKP_CSV_AUTO      /* UTF-8; a field that is not valid UTF-8 is taken as
                         Latin-1, converted, and counted (ckp_csv_stats) */
} ckp_csv_encoding;

typedef struct ckp_csv_opts {
    char delim;            /* 0 = detect from the first line: , ; \t |
                              (the most frequent outside quotes; ',' if none).
                              Any other byte but '"', CR and LF may be given. */
    int header;            /* 1 (default) = the first record is a header */
    size_t max_field;      /* bytes in one field; default 1 MiB */
    size_t max_fields;     /* fields in one record; default 4096 */
    size_t max_record;     /* bytes in one record; default 16 MiB */
    ckp_csv_encoding encoding; /* default CKP_CSV_UTF8 */
    size_t read_chunk;     /* bytes asked of read() at a time; 0 = 4 MiB.
                              Small values are for tests and fuzzing: they
                              make records straddle refills. */
} ckp_csv_opts;

typedef struct ckp_csv_stats {
    uint64_t records;       /* records returned (header excluded) */
    uint64_t bad_records;   /* records rejected with an error */
    uint64_t latin1_fields; /* fields converted from Latin-1 */
    uint64_t bytes;         /* input bytes consumed so far */
} ckp_csv_stats;

/* Fill opts with the defaults above. */
void ckp_csv_opts_init(ckp_csv_opts *opts);

/* Open path ("-" = standard input).  opts may be NULL for defaults.
 * On success *out owns the file; close it with ckp_csv_close().  When a
 * header is expected it is read here (an empty input is an error). */
ckp_status ckp_csv_open(const char *path, const ckp_csv_opts *opts,
                        ckp_csv **out, ckp_error *err);

/* Read from an open descriptor; name is used in messages.  The reader does
 * not close fd. */
ckp_status ckp_csv_open_fd(int fd, const char *name, const ckp_csv_opts *opts,
                           ckp_csv **out, ckp_error *err);

/* Read through fn (a decompressor, a network body…): fn(ctx, buf, n, &why)
 * stores at most n bytes in buf and returns how many, 0 at the end, or -1 on
 * an error that it describes in *why (a static or ctx-owned string), which
 * the reader reports as an I/O error at the current line.  The reader owns
 * neither fn's ctx nor what it reads from. */
typedef long (*ckp_csv_read_fn)(void *ctx, char *buf, size_t n, const char **why);
ckp_status ckp_csv_open_reader(ckp_csv_read_fn fn, void *ctx, const char *name,
                               const ckp_csv_opts *opts, ckp_csv **out, ckp_error *err);

/* Read from memory (not copied: buf must outlive the reader). */
ckp_status ckp_csv_open_mem(const char *buf, size_t len, const char *name,
                            const ckp_csv_opts *opts, ckp_csv **out,
                            ckp_error *err);

/* Advance to the next record.  Returns 1 when a record is ready, 0 at end of
 * input, -1 when this record is bad (err says where and why; the reader has
 * skipped it, call again to continue) or on an I/O error (ckp_csv_failed()
 * then returns nonzero and further calls return 0). */
int ckp_csv_next(ckp_csv *csv, ckp_error *err);

/* ckp_csv_next for loaders that skip bad records: 1 when a record is
 * ready, 0 at the end, -1 on an unrecoverable error (*err set when err is
 * not NULL).  Each bad record is handed to on_bad (may be NULL) with its
 * error — file, line, column, reason — and skipped. */
typedef void (*ckp_csv_bad_fn)(void *ctx, const ckp_error *bad);
int ckp_csv_next_good(ckp_csv *csv, ckp_csv_bad_fn on_bad, void *ctx, ckp_error *err);

/* 1 when the reader hit an unrecoverable error (I/O), else 0. */
int ckp_csv_failed(const ckp_csv *csv);

size_t ckp_csv_nfields(const ckp_csv *csv);

/* Field i of the current record; {NULL, 0} when i is past the end. */
ckp_field ckp_csv_field(const ckp_csv *csv, size_t i);

/* All ckp_csv_nfields() fields of the current record as one array (the same
 * values as ckp_csv_field; faster in a loop).  Owned by the reader; valid
 * until the next ckp_csv_next() or ckp_csv_close(). */
const ckp_field *ckp_csv_fields(const ckp_csv *csv);

/* 1-based line where the current record starts. */
long ckp_csv_line(const ckp_csv *csv);

/* The header (when opts.header): number of columns and each name. */
size_t ckp_csv_header_count(const ckp_csv *csv);
ckp_field ckp_csv_header_name(const ckp_csv *csv, size_t i);

/* Index of the header column named name (ASCII case-insensitive, surrounding
 * spaces ignored), or -1. */
int ckp_csv_column(const ckp_csv *csv, const char *name);

char ckp_csv_delim(const ckp_csv *csv);
const char *ckp_csv_name(const ckp_csv *csv);
ckp_csv_stats ckp_csv_get_stats(const ckp_csv *csv);

/* Total input size in bytes when known (regular file or memory), else 0. */
uint64_t ckp_csv_total_bytes(const ckp_csv *csv);

void ckp_csv_close(ckp_csv *csv);

/* Helpers for fields. */
/* 1 when f equals s (exact bytes). */
int ckp_field_eq(ckp_field f, const char *s);
/* Copy f into buf (size n), NUL-terminated, truncated; returns buf. */
char *ckp_field_copy(ckp_field f, char *buf, size_t n);
/* f with ASCII spaces and tabs trimmed at both ends. */
ckp_field ckp_field_trim(ckp_field f);

#endif

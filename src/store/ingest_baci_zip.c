/* ingest_baci_zip.c — a BACI release archive (.zip) read as a stream: its
 * country table first, then each year file through the plain-line path or
 * the CSV reader (see ingest_parse.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "store/ingest_parse.h"

/* ---- a BACI release archive (.zip) --------------------------------------
 * CEPII ships BACI as one zip per HS edition: BACI_HS17_Y2022_V202401.csv
 * (one per year: t,i,j,k,v,q), country_codes_V202401.csv,
 * product_codes_HS17_V202401.csv and a Readme.  The archive is read twice
 * as a stream, never unpacked: first its country table (it comes after the
 * year files), which then resolves the codes of every year file instead of
 * the shipped table; then each year file, through the same row parser as a
 * plain BACI file, its rows and rejects named ARCHIVE:MEMBER:LINE.  A year
 * file's lines are decompressed into a chunk buffer and parsed there by the
 * plain-line path (parse_plain_baci); a chunk with a quote or a bare CR,
 * another format, or a line longer than a chunk goes to the CSV reader for
 * the rest of the member.  The product table and the Readme are not data:
 * they are counted as skipped members. */

#define ARCH_CHUNK ((size_t)4 << 20) /* < the 32 MB every_16k releases at */

/* The base name of a member ("dir/x.csv" → "x.csv"). */
static const char *member_base(const char *m)
{
    const char *b = strrchr(m, '/');
    return b ? b + 1 : m;
}

static int ends_with_csv(const char *s)
{
    size_t n = strlen(s);
    return n > 4 && strcasecmp(s + n - 4, ".csv") == 0;
}

/* 1 a country table, 2 a year file (BACI_…_Y2022_….csv), 0 anything else. */
static int member_kind(const char *m)
{
    const char *b = member_base(m);
    if (!ends_with_csv(b))
        return 0;
    if (strncasecmp(b, "country_codes", 13) == 0)
        return 1;
    if (strncasecmp(b, "BACI_", 5) == 0 && strstr(b, "_Y"))
        return 2;
    return 0;
}

/* The archive's country table (member `member`, the archive's current
 * one) into ing->by_baci: code → the country its ISO3 names, -1 when the
 * ISO3 is not a known country (its rows are then rejected, saying so). */
static ckp_status load_archive_countries(ckp_ingest *ing, ckp__archive *ar, const char *name,
                                         const char *member, ckp_error *err)
{
    ckp_csv_opts o;
    ckp__csv_opts(&o, ing);
    ckp_csv *csv;
    ckp_status st = ckp_csv_open_reader(ckp__archive_read, ar, name, &o, &csv, err);
    if (st != CKP_OK)
        return st;
    /* V202401 and later: country_code,country_name,country_iso2,country_iso3;
     * older releases: …,iso_2digit_alpha,iso_3digit_alpha */
    int cc = ckp__col(csv, "country_code", NULL), ci = ckp__col(csv, "country_iso3", "iso_3digit_alpha");
    if (cc < 0 || ci < 0) {
        st = ckp_error_set(err, CKP_EPARSE, name, 1, 0,
                           "the country table has no '%s' column (expected country_code and "
                           "country_iso3)", cc < 0 ? "country_code" : "country_iso3");
        goto out;
    }
    for (int i = 0; i < 1000; i++)
        ing->by_baci[i] = -1;
    for (;;) {
        int r = ckp_csv_next(csv, err);
        if (r == 0)
            break;
        if (r < 0) {
            st = err->code ? err->code : CKP_EPARSE;
            goto out;
        }
        ckp_field cf = ckp_csv_field(csv, (size_t)cc), isf = ckp__trim(ckp_csv_field(csv, (size_t)ci));
        long code = ckp__parse_int(cf);
        if (code < 0 || code > 999 || isf.len != 3) {
            st = ckp_error_set(err, CKP_EPARSE, name, ckp_csv_line(csv), 0,
                               "expected a BACI country code 0-999 and an ISO alpha-3 code, "
                               "got '%.*s', '%.*s'", (int)cf.len, cf.ptr ? cf.ptr : "",
                               (int)isf.len, isf.ptr ? isf.ptr : "");
            goto out;
        }
        char iso3[4];
        memcpy(iso3, isf.ptr, 3);
        iso3[3] = '\0';
        ing->by_baci[code] = ckp_ref_country_by_iso3(ing->ref, iso3);
    }
    if (strlen(member_base(member)) >= sizeof ing->baci_table) {
        st = ckp_error_set(err, CKP_ELIMIT, name, 0, 0, "the country table's name is longer "
                           "than %zu bytes", sizeof ing->baci_table - 1);
        goto out;
    }
    snprintf(ing->baci_table, sizeof ing->baci_table, "%s", member_base(member));
out:
    ckp_csv_close(csv);
    return st;
}

/* The bytes of a member: `pre` first (already read), then the archive. */
typedef struct member_rd {
    ckp__archive *ar;
    const char *pre;
    size_t pre_len, pre_pos;
} member_rd;

static long member_read(void *p, char *buf, size_t n, const char **why)
{
    member_rd *r = p;
    if (r->pre_pos < r->pre_len) {
        size_t k = r->pre_len - r->pre_pos < n ? r->pre_len - r->pre_pos : n;
        memcpy(buf, r->pre + r->pre_pos, k);
        r->pre_pos += k;
        return (long)k;
    }
    return ckp__archive_read(r->ar, buf, n, why);
}

/* The rest of a member through the CSV reader: [pre, pre + len) then the
 * archive, its first line numbered `line` (header 0) or the header (1). */
static ckp_status member_by_reader(ckp__parser *x, ckp__archive *ar, const char *pre, size_t len,
                                   long line, int header, ckp_error *err)
{
    member_rd rd = {ar, pre, len, 0};
    ckp_csv_opts o;
    ckp__csv_opts(&o, x->ing);
    ckp_csv *csv;
    if (!header) {
        o.header = 0;
        o.delim = x->plain_delim;
    }
    ckp_status st = ckp_csv_open_reader(member_read, &rd, x->file, &o, &csv, err);
    if (st != CKP_OK)
        return st;
    if (header) {
        st = ckp__ingest_csv(x->ing, csv, x->file, err);
    } else {
        x->csv = csv;
        x->line_offset = line - 1;
        x->map = NULL;
        x->plain_end = NULL;
        st = ckp__parse_loop(x, err);
        x->csv = NULL;
    }
    ckp_csv_close(csv);
    return st;
}

/* 1 when [p, e) holds a quote or a CR not followed by a LF (then a line is
 * not always a record). */
static int not_plain(const char *p, const char *e)
{
    if (memchr(p, '"', (size_t)(e - p)))
        return 1;
    for (const char *c = p; (c = memchr(c, '\r', (size_t)(e - c))) != NULL; c++)
        if (c + 1 >= e || c[1] != '\n')
            return 1;
    return 0;
}

/* Fill buf[*len, cap) from the archive: 0 ok (*eof at the member's end),
 * -1 on a read error (*err). */
static int fill(ckp__archive *ar, char *buf, size_t *len, size_t cap, int *eof, const char *name,
                ckp_error *err)
{
    while (*len < cap && !*eof) {
        const char *why = NULL;
        long n = ckp__archive_read(ar, buf + *len, cap - *len, &why);
        if (n < 0) {
            ckp_error_set(err, CKP_EPARSE, name, 0, 0, "%s", why ? why : "read failed");
            return -1;
        }
        *eof = n == 0;
        *len += (size_t)n;
    }
    return 0;
}

/* One year file of the archive (its current member), named name. */
static ckp_status ingest_member(ckp_ingest *ing, ckp__archive *ar, const char *name,
                                ckp_error *err)
{
    char *buf = calloc(1, ARCH_CHUNK + 64); /* 64: swar_line reads ahead */
    if (!buf)
        return ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "out of memory");
    size_t len = 0;
    int eof = 0;
    ckp_status st = CKP_OK;
    if (fill(ar, buf, &len, ARCH_CHUNK, &eof, name, err) < 0) {
        st = err->code;
        goto out;
    }
    const char *nl = memchr(buf, '\n', len);
    uint64_t before = ing->stats.bytes_read;
    ckp_csv_opts o;
    ckp__csv_opts(&o, ing);
    ckp_csv *hc = NULL;
    ckp__parser x;
    if (!nl || (size_t)(nl + 1 - buf) == len ||
        ckp_csv_open_mem(buf, (size_t)(nl + 1 - buf), name, &o, &hc, err) != CKP_OK) {
        /* no line, one line, or a header the reader must see whole */
        ckp_csv_close(hc);
        ckp__parser y;
        memset(&y, 0, sizeof y);
        y.ing = ing;
        y.file = name;
        st = member_by_reader(&y, ar, buf, len, 1, 1, err);
        goto out;
    }
    st = ckp__prepare(ing, hc, name, &x, err);
    int plain = st == CKP_OK && x.row == ckp__row_baci && ckp_csv_header_count(hc) == 6 &&
                x.c.qty >= 0 && x.decimal == '.' && ckp_csv_line(hc) == 1;
    x.plain_delim = ckp_csv_delim(hc);
    ckp_csv_close(hc);
    x.csv = NULL;
    if (st != CKP_OK)
        goto out;
    size_t start = (size_t)(nl + 1 - buf);
    ing->stats.bytes_read += start;
    x.progress = 0; /* reported per chunk, below */
    x.plain_line = 2;
    if (!plain) { /* another format in a BACI archive: the reader, after the header */
        st = member_by_reader(&x, ar, buf + start, len - start, 2, 0, err);
        goto done;
    }
    for (;;) {
        /* [start, end): whole lines, or the last line of the member */
        size_t end = len;
        if (!eof) {
            while (end > start && buf[end - 1] != '\n')
                end--;
            if (end == start) /* a line longer than a chunk: the reader says what it is */
                break;
        }
        if (not_plain(buf + start, buf + end))
            break;
        x.map = buf;
        x.map_end = buf + (eof ? end : end + 64); /* past end: whole lines only */
        x.map_dropped = 0;
        x.plain_begin = buf + start;
        x.plain_end = buf + end;
        st = ckp__parse_plain_baci(&x, err);
        ing->stats.bytes_read -= start; /* counted from x.map */
        if (st != CKP_OK || eof)
            goto done;
        if (ing->opts.progress) {
            ckp_ingest_progress pr = {name, ckp__archive_raw_done(ar), ckp__archive_raw_total(ar),
                                      ing->stats.rows_read, 0};
            ing->opts.progress(&pr, ing->opts.progress_ctx);
        }
        memmove(buf, buf + end, len - end);
        len -= end;
        start = 0;
        if (fill(ar, buf, &len, ARCH_CHUNK, &eof, name, err) < 0) {
            st = err->code;
            goto done;
        }
    }
    st = member_by_reader(&x, ar, buf + start, len - start, x.plain_line, 0, err);
done:
    if (st == CKP_OK)
        ckp__file_done(ing, name, ing->stats.bytes_read - before);
out:
    free(buf);
    return st;
}

static ckp_status ingest_archive(ckp_ingest *ing, ckp__archive *ar, const char *aname,
                                 ckp_error *err)
{
    const char *m;
    int r, years = 0, tables = 0;
    char name[1200];
    /* pass 1: the country table */
    while ((r = ckp__archive_next(ar, &m, err)) > 0) {
        if (r != 1 || member_kind(m) != 1)
            continue;
        if (tables++) {
            return ckp_error_set(err, CKP_EPARSE, aname, 0, 0,
                                 "two country tables (%s and %s): which one the codes follow "
                                 "cannot be told", ing->baci_table, member_base(m));
        }
        snprintf(name, sizeof name, "%s:%s", aname, m);
        ckp_status st = load_archive_countries(ing, ar, name, m, err);
        if (st != CKP_OK)
            return st;
    }
    if (r < 0)
        return err->code;
    if (!tables)
        return ckp_error_set(err, CKP_EPARSE, aname, 0, 0,
                             "the archive has no country table (country_codes_V….csv): its "
                             "exporter and importer codes cannot be resolved");
    /* pass 2: the year files */
    ckp_status st = ckp__archive_rewind(ar, err);
    while (st == CKP_OK && (r = ckp__archive_next(ar, &m, err)) > 0) {
        int kind = r == 1 ? member_kind(m) : -1;
        if (kind == 2) {
            snprintf(name, sizeof name, "%s:%s", aname, m);
            st = ingest_member(ing, ar, name, err);
            years++;
        } else if (kind == 0) {
            ing->stats.archive_skipped++;
        }
    }
    if (st == CKP_OK && r < 0)
        st = err->code;
    if (st == CKP_OK && !years)
        st = ckp_error_set(err, CKP_EPARSE, aname, 0, 0,
                           "the archive has no year file (BACI_HS…_Y….csv)");
    ing->stats.archive_members += years;
    return st;
}

/* A zip archive from a file or memory: its members, then the shipped BACI
 * table again for what follows. */
ckp_status ckp__ingest_zip(ckp_ingest *ing, const char *path, const char *buf, size_t len,
                             const char *name, ckp_error *err)
{
    ckp__archive *ar = NULL;
    struct stat sb;
    uint64_t size = path && stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    ckp_status st = path ? ckp__archive_open_file(path, size, &ar, err)
                         : ckp__archive_open_mem(buf, len, name, &ar, err);
    if (st == CKP_OK)
        st = ingest_archive(ing, ar, name, err);
    ckp__archive_close(ar);
    for (int i = 0; i < 1000; i++)
        ing->by_baci[i] = -2;
    ing->baci_table[0] = '\0';
    return st;
}

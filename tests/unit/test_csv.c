/* test_csv.c — the CSV reader: RFC 4180, line ends, delimiters, headers,
 * limits and recovery, encodings, fd/stdin input, refill boundaries, and the
 * real files in ../shared/data. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chokepoint/csv.h"
#include "test.h"

/* ---- helpers ----------------------------------------------------------- */

typedef struct dump {
    char *s;
    size_t len, cap;
} dump;

static void dump_add(dump *d, const char *p, size_t n)
{
    if (d->len + n + 1 > d->cap) {
        size_t nc = d->cap ? d->cap : 256;
        while (nc < d->len + n + 1)
            nc *= 2;
        d->s = realloc(d->s, nc);
        d->cap = nc;
    }
    if (n)
        memcpy(d->s + d->len, p, n);
    d->len += n;
    d->s[d->len] = '\0';
}

static void dump_str(dump *d, const char *s) { dump_add(d, s, strlen(s)); }

/* Every record of an open reader as text: fields joined by '|', one record
 * per line, a bad record as "!LINE:COL code" — so a test is one string. */
static char *read_all(ckp_csv *c)
{
    dump d = {0};
    dump_str(&d, "");
    ckp_error err;
    for (;;) {
        ckp_error_clear(&err);
        int r = ckp_csv_next(c, &err);
        if (r == 0)
            break;
        char line[96];
        if (r < 0) {
            snprintf(line, sizeof line, "!%ld:%ld %s\n", err.line, err.col,
                     ckp_strerror(err.code));
            dump_str(&d, line);
            if (ckp_csv_failed(c))
                break;
            continue;
        }
        snprintf(line, sizeof line, "%ld>", ckp_csv_line(c));
        dump_str(&d, line);
        for (size_t i = 0; i < ckp_csv_nfields(c); i++) {
            ckp_field f = ckp_csv_field(c, i);
            if (i)
                dump_str(&d, "|");
            dump_add(&d, f.ptr, f.len);
        }
        dump_str(&d, "\n");
    }
    return d.s;
}

static void opts_noheader(ckp_csv_opts *o, char delim)
{
    ckp_csv_opts_init(o);
    o->header = 0;
    o->delim = delim;
}

/* Parse text from memory with o; NULL when the open failed. */
static char *parse_mem(const char *text, size_t len, const ckp_csv_opts *o)
{
    ckp_csv *c = NULL;
    ckp_error err;
    if (ckp_csv_open_mem(text, len, "mem.csv", o, &c, &err) != CKP_OK)
        return NULL;
    char *s = read_all(c);
    ckp_csv_close(c);
    return s;
}

static const char *write_tmp(const char *name, const char *text, size_t len)
{
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", ckp_test_tmpdir(), name);
    FILE *f = fopen(path[k], "wb");
    if (!f)
        return NULL;
    fwrite(text, 1, len, f);
    fclose(f);
    return path[k];
}

/* The same through a file descriptor, reading `chunk` bytes at a time. */
static char *parse_fd(const char *text, size_t len, const ckp_csv_opts *o, size_t chunk)
{
    const char *path = write_tmp("chunked.csv", text, len);
    if (!path)
        return NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    ckp_csv_opts oo = *o;
    oo.read_chunk = chunk;
    ckp_csv *c = NULL;
    ckp_error err;
    char *s = NULL;
    if (ckp_csv_open_fd(fd, "mem.csv", &oo, &c, &err) == CKP_OK) {
        s = read_all(c);
        ckp_csv_close(c);
    }
    close(fd);
    return s;
}

#define CHECK_PARSE(text, opts, want)                                                    \
    do {                                                                                 \
        char *got_ = parse_mem((text), sizeof(text) - 1, (opts));                        \
        CHECK_STR(got_, (want));                                                         \
        free(got_);                                                                      \
    } while (0)

/* ---- RFC 4180 ---------------------------------------------------------- */

CKP_TEST(csv_quoted_fields)
{
    ckp_csv_opts o;
    opts_noheader(&o, ',');
    CHECK_PARSE("a,\"b,c\",d\n", &o, "1>a|b,c|d\n");
    CHECK_PARSE("\"\",x\n", &o, "1>|x\n");
    CHECK_PARSE("\"a \"\"quoted\"\" word\",\"\"\"\"\n", &o,
                "1>a \"quoted\" word|\"\n");
    /* a quote inside an unquoted field is kept as is (lenient, like most readers) */
    CHECK_PARSE("ab\"c,d\n", &o, "1>ab\"c|d\n");
    /* a quoted empty field alone on a line is a record, not a blank line */
    CHECK_PARSE("\"\"\nx\n", &o, "1>\n2>x\n");
}

CKP_TEST(csv_embedded_newlines)
{
    ckp_csv_opts o;
    opts_noheader(&o, ',');
    CHECK_PARSE("a,\"line1\nline2\nline3\",b\nc,d\n", &o,
                "1>a|line1\nline2\nline3|b\n4>c|d\n");
    CHECK_PARSE("\"x\r\ny\",z\r\nq\r\n", &o, "1>x\r\ny|z\n3>q\n");
}

CKP_TEST(csv_line_ends)
{
    ckp_csv_opts o;
    opts_noheader(&o, ',');
    CHECK_PARSE("a,b\r\nc,d\r\n", &o, "1>a|b\n2>c|d\n");
    CHECK_PARSE("a,b\rc,d\re\r", &o, "1>a|b\n2>c|d\n3>e\n");
    CHECK_PARSE("a,b\nc,d", &o, "1>a|b\n2>c|d\n");      /* no final newline */
    CHECK_PARSE("a,b\r\nc,\"d\"", &o, "1>a|b\n2>c|d\n"); /* quoted, at the end */
    CHECK_PARSE("a\r\n\r\n\nb\n\n", &o, "1>a\n4>b\n");  /* blank lines skipped */
    CHECK_PARSE("", &o, "");
    CHECK_PARSE("\n\n", &o, "");
}

CKP_TEST(csv_empty_and_trailing)
{
    ckp_csv_opts o;
    opts_noheader(&o, ',');
    CHECK_PARSE(",,\n", &o, "1>||\n");
    CHECK_PARSE("a,b,\n", &o, "1>a|b|\n");
    CHECK_PARSE("a,,c\n", &o, "1>a||c\n");
    CHECK_PARSE(",\n", &o, "1>|\n");
    ckp_csv *c = NULL;
    REQUIRE(ckp_csv_open_mem("a,,c\n", 5, "m", &o, &c, NULL) == CKP_OK);
    REQUIRE(ckp_csv_next(c, NULL) == 1);
    CHECK_INT(ckp_csv_nfields(c), 3);
    ckp_field f = ckp_csv_field(c, 1);
    CHECK(f.ptr != NULL);
    CHECK_INT(f.len, 0);
    const ckp_field *all = ckp_csv_fields(c);
    REQUIRE(all);
    CHECK_FIELD(all[0], "a");
    CHECK(all[1].ptr == f.ptr && all[1].len == 0);
    CHECK_FIELD(all[2], "c");
    f = ckp_csv_field(c, 3); /* past the end */
    CHECK(f.ptr == NULL);
    CHECK_INT(f.len, 0);
    CHECK_INT(ckp_csv_next(c, NULL), 0);
    CHECK_INT(ckp_csv_next(c, NULL), 0); /* stays at the end */
    ckp_csv_close(c);
}

CKP_TEST(csv_bom_and_dos_eof)
{
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    CHECK_PARSE("\xEF\xBB\xBFid,name\n1,x\n", &o, "2>1|x\n");
    ckp_csv *c = NULL;
    const char bom[] = "\xEF\xBB\xBFid,name\n1,x\n";
    REQUIRE(ckp_csv_open_mem(bom, sizeof bom - 1, "b", &o, &c, NULL) == CKP_OK);
    CHECK_INT(ckp_csv_column(c, "id"), 0);
    CHECK_FIELD(ckp_csv_header_name(c, 0), "id");
    ckp_csv_close(c);
    /* OFAC's trailing Ctrl-Z line is the end of input, not a record */
    opts_noheader(&o, ',');
    CHECK_PARSE("1,\"A\"\r\n2,\"B\"\r\n\x1A", &o, "1>1|A\n2>2|B\n");
    CHECK_PARSE("1,A\n\x1A\n", &o, "1>1|A\n");
    /* elsewhere 0x1A is data */
    CHECK_PARSE("\x1A\nx\n", &o, "1>\x1A\n2>x\n");
    /* UTF-16 is refused with a clear error */
    ckp_error err;
    const char u16[] = "\xFF\xFE" "a\0,\0b\0";
    CHECK(ckp_csv_open_mem(u16, sizeof u16 - 1, "u16.csv", &o, &c, &err) == CKP_EENCODING);
    CHECK(strstr(err.msg, "UTF-16") != NULL);
}

CKP_TEST(csv_delimiters)
{
    ckp_csv_opts o;
    opts_noheader(&o, 0);
    const char *texts[] = {"a,b,c\n1,2,3\n", "a;b;c\n1;2;3\n", "a\tb\tc\n1\t2\t3\n",
                           "a|b|c\n1|2|3\n"};
    const char delims[] = {',', ';', '\t', '|'};
    for (int k = 0; k < 4; k++) {
        ckp_csv *c = NULL;
        REQUIRE(ckp_csv_open_mem(texts[k], strlen(texts[k]), "d", &o, &c, NULL) == CKP_OK);
        CHECK_INT(ckp_csv_delim(c), delims[k]);
        char *got = read_all(c);
        CHECK_STR(got, "1>a|b|c\n2>1|2|3\n");
        free(got);
        ckp_csv_close(c);
    }
    /* the most frequent wins; delimiters inside quotes do not count */
    CHECK_PARSE("\"a;b;c;d\",x,y\n", &o, "1>a;b;c;d|x|y\n");
    CHECK_PARSE("a;b,c;d\n", &o, "1>a|b,c|d\n");
    /* one column: ',' by default */
    CHECK_PARSE("abc\ndef\n", &o, "1>abc\n2>def\n");
    /* given: other candidates are data */
    opts_noheader(&o, ';');
    CHECK_PARSE("a,b;c\n", &o, "1>a,b|c\n");
    opts_noheader(&o, '|');
    CHECK_PARSE("a|\"b|c\"|d\n", &o, "1>a|b|c|d\n");
    /* impossible delimiters are refused */
    ckp_csv *c = NULL;
    ckp_error err;
    opts_noheader(&o, '"');
    CHECK(ckp_csv_open_mem("a\n", 2, "d", &o, &c, &err) == CKP_EINVAL);
    opts_noheader(&o, '\n');
    CHECK(ckp_csv_open_mem("a\n", 2, "d", &o, &c, &err) == CKP_EINVAL);
}

CKP_TEST(csv_header_lookup)
{
    const char text[] = "Period, Reporter ,HS,value,\"Quoted, Name\"\n2024,CHN,811292,5,q\n";
    ckp_csv *c = NULL;
    ckp_error err;
    REQUIRE(ckp_csv_open_mem(text, sizeof text - 1, "h.csv", NULL, &c, &err) == CKP_OK);
    CHECK_INT(ckp_csv_header_count(c), 5);
    CHECK_INT(ckp_csv_column(c, "period"), 0);
    CHECK_INT(ckp_csv_column(c, "REPORTER"), 1);
    CHECK_INT(ckp_csv_column(c, "hs"), 2);
    CHECK_INT(ckp_csv_column(c, " value "), 3);
    CHECK_INT(ckp_csv_column(c, "quoted, name"), 4);
    CHECK_INT(ckp_csv_column(c, "partner"), -1);
    CHECK_INT(ckp_csv_column(c, ""), -1);
    CHECK_FIELD(ckp_csv_header_name(c, 1), " Reporter ");
    CHECK(ckp_csv_header_name(c, 5).ptr == NULL);
    REQUIRE(ckp_csv_next(c, &err) == 1);
    CHECK_INT(ckp_csv_line(c), 2);
    CHECK_FIELD(ckp_csv_field(c, 2), "811292");
    CHECK_INT(ckp_csv_next(c, &err), 0);
    ckp_csv_stats st = ckp_csv_get_stats(c);
    CHECK_INT(st.records, 1);
    CHECK_INT(st.bad_records, 0);
    CHECK_INT(st.bytes, sizeof text - 1);
    CHECK_INT(ckp_csv_total_bytes(c), sizeof text - 1);
    CHECK_STR(ckp_csv_name(c), "h.csv");
    ckp_csv_close(c);

    /* header only: no records */
    REQUIRE(ckp_csv_open_mem("a,b\n", 4, "h", NULL, &c, &err) == CKP_OK);
    CHECK_INT(ckp_csv_next(c, &err), 0);
    ckp_csv_close(c);
    /* an empty input has no header */
    CHECK(ckp_csv_open_mem("", 0, "empty.csv", NULL, &c, &err) == CKP_EPARSE);
    CHECK_STR(err.file, "empty.csv");
    CHECK(ckp_csv_open_mem("\n\r\n", 3, "blank.csv", NULL, &c, &err) == CKP_EPARSE);
    /* a bad header fails the open with its location */
    CHECK(ckp_csv_open_mem("a,\"b\"x\n", 7, "bad.csv", NULL, &c, &err) == CKP_EPARSE);
    CHECK_INT(err.line, 1);
    CHECK_INT(err.col, 6);
}

/* ---- errors, limits and recovery -------------------------------------- */

CKP_TEST(csv_bad_quote_recovery)
{
    ckp_csv_opts o;
    opts_noheader(&o, ',');
    /* a character after a closing quote: error at its column, next record read */
    CHECK_PARSE("a,b\nc,\"d\"e,f\ng,h\n", &o, "1>a|b\n!2:6 parse error\n3>g|h\n");
    /* the bad record's own quoted newline does not end the skip early */
    CHECK_PARSE("a,\"b\"x,\"c\nd\"\ne,f\n", &o, "!1:6 parse error\n3>e|f\n");
    /* an unclosed quote runs to the end of input */
    CHECK_PARSE("a,b\nc,\"d\ne,f\n", &o, "1>a|b\n!2:3 parse error\n");
    /* the error message names the place and the problem */
    ckp_csv *c = NULL;
    ckp_error err;
    REQUIRE(ckp_csv_open_mem("x\n\"a\"b\n", 7, "q.csv", &o, &c, &err) == CKP_OK);
    CHECK_INT(ckp_csv_next(c, &err), 1);
    CHECK_INT(ckp_csv_next(c, &err), -1);
    char buf[600];
    ckp_error_format(&err, buf, sizeof buf);
    const char *want = "q.csv:2:4: unexpected 'b' after a closing quote";
    CHECK(strncmp(buf, want, strlen(want)) == 0);
    CHECK_INT(ckp_csv_next(c, &err), 0);
    CHECK_INT(ckp_csv_get_stats(c).bad_records, 1);
    CHECK_INT(ckp_csv_failed(c), 0);
    ckp_csv_close(c);
}

static void count_bad(void *ctx, const ckp_error *e)
{
    long *lines = ctx;
    lines[0]++;
    lines[1] = e->line;
}

/* ckp_csv_next_good: bad records go to the callback and are skipped.  (Its
 * -1 on an I/O error is not tested: no portable way to make read() fail in
 * the middle of a file.) */
CKP_TEST(csv_next_good)
{
    ckp_csv_opts o;
    opts_noheader(&o, ',');
    ckp_csv *c = NULL;
    ckp_error err;
    const char in[] = "a,b\nc,\"d\"e,f\ng,h\n";
    REQUIRE(ckp_csv_open_mem(in, sizeof in - 1, "g.csv", &o, &c, &err) == CKP_OK);
    long bad[2] = {0, 0};
    CHECK_INT(ckp_csv_next_good(c, count_bad, bad, &err), 1);
    CHECK_INT(ckp_csv_line(c), 1);
    CHECK_INT(ckp_csv_next_good(c, count_bad, bad, &err), 1);
    CHECK_INT(ckp_csv_line(c), 3);
    CHECK_INT(bad[0], 1);
    CHECK_INT(bad[1], 2);
    CHECK_INT(ckp_csv_next_good(c, count_bad, bad, &err), 0);
    ckp_csv_close(c);
}

CKP_TEST(csv_limits)
{
    ckp_csv_opts o;
    opts_noheader(&o, ',');
    o.max_field = 4;
    CHECK_PARSE("abcd,x\nabcde,y\nz,\"12345\"\nok,1\n", &o,
                "1>abcd|x\n!2:1 size limit reached\n!3:3 size limit reached\n4>ok|1\n");
    opts_noheader(&o, ',');
    o.max_fields = 3;
    CHECK_PARSE("a,b,c\na,b,c,d,e\nf\n", &o, "1>a|b|c\n!2:7 size limit reached\n3>f\n");
    opts_noheader(&o, ',');
    o.max_record = 8;
    CHECK_PARSE("1234567\n123456789\n\"x\ny\",z\nab\n", &o,
                "1>1234567\n!2:1 size limit reached\n3>x\ny|z\n5>ab\n");
    /* a long quoted record with embedded newlines is skipped whole */
    CHECK_PARSE("\"aaaa\nbbbb\ncccc\"\nok\n", &o, "!1:1 size limit reached\n4>ok\n");
    ckp_csv *c = NULL;
    ckp_error err;
    REQUIRE(ckp_csv_open_mem("ok\n0123456789\n", 14, "lim.csv", &o, &c, &err) == CKP_OK);
    CHECK_INT(ckp_csv_next(c, &err), 1);
    CHECK_INT(ckp_csv_next(c, &err), -1);
    CHECK_INT(err.code, CKP_ELIMIT);
    CHECK_STR(err.file, "lim.csv");
    CHECK_INT(err.line, 2);
    CHECK(strstr(err.msg, "8 bytes") != NULL);
    ckp_csv_close(c);
}

CKP_TEST(csv_limits_streaming)
{
    /* the record limit while reading in small chunks: the long record is
     * skipped without holding it in memory, the next one is read */
    ckp_csv_opts o;
    opts_noheader(&o, ',');
    o.max_record = 64;
    o.max_field = 64;
    size_t n = 10000;
    char *text = malloc(n + 64);
    REQUIRE(text);
    strcpy(text, "first,1\n\"");
    size_t k = strlen(text);
    for (; k < n; k++)
        text[k] = (k % 97 == 0) ? '\n' : 'x';
    strcpy(text + k, "\",tail\nlast,2\n");
    size_t len = strlen(text);
    char *mem = parse_mem(text, len, &o);
    CHECK_STR(mem, "1>first|1\n!2:1 size limit reached\n106>last|2\n");
    for (size_t chunk = 1; chunk <= 4096; chunk *= 4) {
        char *fd = parse_fd(text, len, &o, chunk);
        CHECK_STR(fd, mem);
        free(fd);
    }
    free(mem);
    free(text);
}

CKP_TEST(csv_encodings)
{
    ckp_csv_opts o;
    opts_noheader(&o, ',');
    /* UTF-8 mode: valid UTF-8 passes, invalid is a record error with its column */
    CHECK_PARSE("T\xC3\xBCrkiye,\xE4\xB8\xAD\xE5\x9B\xBD\n", &o,
                "1>T\xC3\xBCrkiye|\xE4\xB8\xAD\xE5\x9B\xBD\n");
    CHECK_PARSE("a,b\nok,caf\xE9\nc,d\n", &o, "1>a|b\n!2:7 invalid text encoding\n3>c|d\n");
    CHECK_PARSE("\xC0\xAF\n", &o, "!1:1 invalid text encoding\n");         /* overlong */
    CHECK_PARSE("\xED\xA0\x80\n", &o, "!1:1 invalid text encoding\n");     /* surrogate */
    CHECK_PARSE("\xF4\x90\x80\x80\n", &o, "!1:1 invalid text encoding\n"); /* > U+10FFFF */
    CHECK_PARSE("x,\"\xE4\xB8\"\n", &o, "!1:4 invalid text encoding\n");   /* truncated */
    ckp_csv *c = NULL;
    ckp_error err;
    REQUIRE(ckp_csv_open_mem("ab,caf\xE9\n", 8, "l.csv", &o, &c, &err) == CKP_OK);
    CHECK_INT(ckp_csv_next(c, &err), -1);
    CHECK_INT(err.code, CKP_EENCODING);
    CHECK(strstr(err.msg, "0xE9") != NULL);
    CHECK(strstr(err.msg, "Latin-1") != NULL);
    ckp_csv_close(c);

    /* LATIN1: every high byte converted */
    o.encoding = CKP_CSV_LATIN1;
    CHECK_PARSE("caf\xE9,\"na\xEFve \"\"x\"\"\",\xFF\n", &o,
                "1>caf\xC3\xA9|na\xC3\xAFve \"x\"|\xC3\xBF\n");
    /* AUTO: valid UTF-8 kept, the rest taken as Latin-1 and counted */
    o.encoding = CKP_CSV_AUTO;
    const char mixed[] = "T\xC3\xBCrkiye,caf\xE9,\"G\xF6teborg \"\"S\"\"\"\n";
    REQUIRE(ckp_csv_open_mem(mixed, sizeof mixed - 1, "a.csv", &o, &c, &err) == CKP_OK);
    char *got = read_all(c);
    CHECK_STR(got, "1>T\xC3\xBCrkiye|caf\xC3\xA9|G\xC3\xB6teborg \"S\"\n");
    free(got);
    CHECK_INT(ckp_csv_get_stats(c).latin1_fields, 2);
    ckp_csv_close(c);
    /* unknown encodings are refused */
    o.encoding = (ckp_csv_encoding)7;
    CHECK(ckp_csv_open_mem("a\n", 2, "e", &o, &c, &err) == CKP_EINVAL);
}

/* ---- input sources and refill boundaries ------------------------------- */

CKP_TEST(csv_chunk_boundaries)
{
    /* tricky inputs give the same records through a descriptor read 1, 2,
     * 3 … bytes at a time as from memory */
    static const char *cases[] = {
        "a,b\r\nc,\"d\r\ne\"\r\n\"\"\"q\"\"\",x\r\n\x1A",
        "h1;h2\n\"x;y\";z\n;\n\"a\"\"\";\"\"\"\"\n",
        "a,b\rc,d\r\re,\"f\rg\"\r",
        "x,\"unterminated\nmore,stuff\n",
        "ok,1\nbad,\"q\"z,2\nok,3\n,,\n",
        "caf\xC3\xA9,\xE4\xB8\xAD\n\xE9t\xE9,x\n",
        ("\xEF\xBB\xBF" "a|b|c\n1|2|3"),
        "one\n\n\n  \ntwo",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int hdr = 0; hdr < 2; hdr++) {
            ckp_csv_opts o;
            ckp_csv_opts_init(&o);
            o.header = hdr;
            o.max_field = 16;
            o.encoding = i == 5 ? CKP_CSV_AUTO : CKP_CSV_UTF8;
            char *want = parse_mem(cases[i], strlen(cases[i]), &o);
            for (size_t chunk = 1; chunk <= 9; chunk++) {
                char *got = parse_fd(cases[i], strlen(cases[i]), &o, chunk);
                int same = (!want && !got) || (want && got && strcmp(want, got) == 0);
                if (!same)
                    ckp_test_fail(t_, __FILE__, __LINE__,
                                  "case %zu header %d chunk %zu: \"%s\" vs memory \"%s\"", i,
                                  hdr, chunk, got ? got : "(open failed)",
                                  want ? want : "(open failed)");
                free(got);
            }
            free(want);
        }
    }
}

CKP_TEST(csv_fd_and_stdin)
{
    const char text[] = "id;name\n1;\"Gallium; crude\"\n2;Germanium\n";
    const char *path = write_tmp("stdin.csv", text, sizeof text - 1);
    REQUIRE(path);
    /* by path */
    ckp_csv *c = NULL;
    ckp_error err;
    REQUIRE(ckp_csv_open(path, NULL, &c, &err) == CKP_OK);
    CHECK_INT(ckp_csv_delim(c), ';');
    char *got = read_all(c);
    CHECK_STR(got, "2>1|Gallium; crude\n3>2|Germanium\n");
    free(got);
    CHECK_INT(ckp_csv_total_bytes(c), sizeof text - 1);
    ckp_csv_close(c);
    /* "-" reads standard input; the reader does not close it */
    int saved = dup(0);
    int fd = open(path, O_RDONLY);
    REQUIRE(saved >= 0 && fd >= 0);
    dup2(fd, 0);
    close(fd);
    ckp_status st = ckp_csv_open("-", NULL, &c, &err);
    if (st == CKP_OK) {
        CHECK_STR(ckp_csv_name(c), "<stdin>");
        got = read_all(c);
        CHECK_STR(got, "2>1|Gallium; crude\n3>2|Germanium\n");
        free(got);
        ckp_csv_close(c);
        CHECK(fcntl(0, F_GETFD) != -1);
    }
    dup2(saved, 0);
    close(saved);
    CHECK_INT(st, CKP_OK);
    /* a pipe: no size known, same records */
    int p[2];
    REQUIRE(pipe(p) == 0);
    CHECK(write(p[1], text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
    close(p[1]);
    REQUIRE(ckp_csv_open_fd(p[0], "pipe", NULL, &c, &err) == CKP_OK);
    CHECK_INT(ckp_csv_total_bytes(c), 0);
    got = read_all(c);
    CHECK_STR(got, "2>1|Gallium; crude\n3>2|Germanium\n");
    free(got);
    ckp_csv_close(c);
    close(p[0]);
    /* a missing file */
    CHECK(ckp_csv_open("/nonexistent/x.csv", NULL, &c, &err) == CKP_ENOTFOUND);
    CHECK_STR(err.file, "/nonexistent/x.csv");
}

CKP_TEST(csv_big_field_across_chunks)
{
    /* one 6 MiB quoted field with doubled quotes and newlines: it spans the
     * 4 MiB read chunk and must come back byte for byte */
    size_t n = 6u << 20;
    char *text = malloc(n + 64);
    REQUIRE(text);
    size_t k = 0;
    memcpy(text, "h\nbefore\n\"", 10);
    k = 10;
    size_t body_start = k, quotes = 0, nls = 0;
    for (size_t i = 0; k < n; i++) {
        if (i % 1000 == 999) {
            text[k++] = '"';
            text[k++] = '"';
            quotes++;
        } else if (i % 4099 == 4098) {
            text[k++] = '\n';
            nls++;
        } else {
            text[k++] = (char)('a' + i % 26);
        }
    }
    size_t body_raw = k - body_start;
    memcpy(text + k, "\"\nafter\n", 8);
    k += 8;
    const char *path = write_tmp("big.csv", text, k);
    REQUIRE(path);
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    o.max_field = 8u << 20;
    ckp_csv *c = NULL;
    ckp_error err;
    REQUIRE(ckp_csv_open(path, &o, &c, &err) == CKP_OK);
    REQUIRE(ckp_csv_next(c, &err) == 1);
    CHECK_FIELD(ckp_csv_field(c, 0), "before");
    REQUIRE(ckp_csv_next(c, &err) == 1);
    CHECK_INT(ckp_csv_line(c), 3);
    ckp_field f = ckp_csv_field(c, 0);
    CHECK_INT(f.len, body_raw - quotes);
    int same = 1;
    size_t j = 0;
    for (size_t i = body_start; i < body_start + body_raw && same; i++, j++) {
        same = f.ptr[j] == text[i];
        if (text[i] == '"')
            i++;
    }
    CHECK(same);
    REQUIRE(ckp_csv_next(c, &err) == 1);
    CHECK_FIELD(ckp_csv_field(c, 0), "after");
    CHECK_INT(ckp_csv_line(c), (long)(4 + nls));
    CHECK_INT(ckp_csv_next(c, &err), 0);
    ckp_csv_close(c);
    /* with the default 1 MiB field limit it is one bad record, then "after" */
    REQUIRE(ckp_csv_open(path, NULL, &c, &err) == CKP_OK);
    char *got = read_all(c);
    char want[128];
    snprintf(want, sizeof want, "2>before\n!3:1 size limit reached\n%zu>after\n", 4 + nls);
    CHECK_STR(got, want);
    free(got);
    ckp_csv_close(c);
    free(text);
}

/* A deterministic trade-like file > 8 MiB with known content. */
static uint64_t next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

CKP_TEST(csv_generated_large_file)
{
    char fpath[600];
    snprintf(fpath, sizeof fpath, "%s/gen.csv", ckp_test_tmpdir());
    FILE *f = fopen(fpath, "wb");
    REQUIRE(f);
    fputs("t,i,j,k,v,q,note\r\n", f);
    uint64_t s = 42, rows = 0, sum_k = 0, quoted = 0;
    long bytes = 0;
    while (bytes < (9L << 20)) {
        uint64_t k = 10000 + next_rand(&s) % 990000;
        int nq = next_rand(&s) % 5 == 0;
        int n = fprintf(f, "%d,%u,%u,%06u,%u.%03u,%u,%s\r\n", 2000 + (int)(rows % 25),
                        (unsigned)(next_rand(&s) % 900), (unsigned)(next_rand(&s) % 900),
                        (unsigned)k, (unsigned)(next_rand(&s) % 100000),
                        (unsigned)(next_rand(&s) % 1000), (unsigned)(next_rand(&s) % 5000),
                        nq ? "\"oxides, \"\"crude\"\"\nand other\"" : "plain note");
        bytes += n;
        rows++;
        sum_k += k;
        quoted += (uint64_t)nq;
    }
    fclose(f);
    ckp_csv *c = NULL;
    ckp_error err;
    REQUIRE(ckp_csv_open(fpath, NULL, &c, &err) == CKP_OK);
    int kcol = ckp_csv_column(c, "k"), ncol = ckp_csv_column(c, "note");
    REQUIRE(kcol == 3 && ncol == 6);
    uint64_t got_rows = 0, got_k = 0, got_q = 0, bad_shape = 0;
    long expect_line = 2;
    int r;
    for (r = ckp_csv_next(c, &err); r == 1; r = ckp_csv_next(c, &err)) {
        got_rows++;
        if (ckp_csv_nfields(c) != 7 || ckp_csv_line(c) != expect_line)
            bad_shape++;
        ckp_field kf = ckp_csv_field(c, (size_t)kcol);
        uint64_t v = 0;
        for (size_t i = 0; i < kf.len; i++)
            v = v * 10 + (uint64_t)(kf.ptr[i] - '0');
        got_k += v;
        ckp_field nf = ckp_csv_field(c, (size_t)ncol);
        int isq = ckp_field_eq(nf, "oxides, \"crude\"\nand other");
        got_q += (uint64_t)isq;
        if (!isq && !ckp_field_eq(nf, "plain note"))
            bad_shape++;
        expect_line += isq ? 2 : 1;
    }
    CHECK_INT(r, 0);
    CHECK_INT(got_rows, rows);
    CHECK_INT(got_k, sum_k);
    CHECK_INT(got_q, quoted);
    CHECK_INT(bad_shape, 0);
    CHECK_INT(ckp_csv_get_stats(c).bytes, ckp_csv_total_bytes(c));
    ckp_csv_close(c);
}

/* ---- real files -------------------------------------------------------- */

CKP_TEST(csv_real_ofac_sdn)
{
    /* OFAC legacy sdn.csv: no header, Latin-1/ASCII, CRLF, trailing 0x1A.
     * 14,965 records of 12 fields (PROVENANCE.txt; Python's csv agrees). */
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    o.header = 0;
    o.encoding = CKP_CSV_LATIN1;
    ckp_csv *c = NULL;
    ckp_error err;
    const char *path = ckp_test_shared("parties/ofac-sdn/sdn-2024-05-03.csv");
    REQUIRE(ckp_csv_open(path, &o, &c, &err) == CKP_OK);
    CHECK_INT(ckp_csv_delim(c), ',');
    uint64_t n = 0, not12 = 0, errors = 0, russia = 0;
    char last_id[16] = "";
    int r;
    for (;;) {
        r = ckp_csv_next(c, &err);
        if (r == 0)
            break;
        if (r < 0) {
            errors++;
            continue;
        }
        n++;
        not12 += ckp_csv_nfields(c) != 12;
        ckp_field prog = ckp_csv_field(c, 3);
        for (size_t i = 0; i + 14 <= prog.len; i++)
            if (memcmp(prog.ptr + i, "RUSSIA-EO14024", 14) == 0) {
                russia++;
                break;
            }
        ckp_field_copy(ckp_csv_field(c, 0), last_id, sizeof last_id);
    }
    CHECK_INT(n, 14965);
    CHECK_INT(not12, 0);
    CHECK_INT(errors, 0);
    CHECK_INT(russia, 4440); /* Python's csv module agrees */
    CHECK_STR(last_id, "48907");
    CHECK_INT(ckp_csv_get_stats(c).bad_records, 0);
    ckp_csv_close(c);
}

CKP_TEST(csv_real_hs2022)
{
    ckp_csv *c = NULL;
    ckp_error err;
    const char *path = ckp_test_shared("ref/hs/harmonized-system-hs2022.csv");
    REQUIRE(ckp_csv_open(path, NULL, &c, &err) == CKP_OK);
    int code = ckp_csv_column(c, "hscode"), desc = ckp_csv_column(c, "description");
    CHECK_INT(code, 1);
    CHECK_INT(desc, 2);
    CHECK_INT(ckp_csv_column(c, "level"), 4);
    uint64_t n = 0, six = 0, not5 = 0;
    int found = 0;
    int r;
    for (r = ckp_csv_next(c, &err); r == 1; r = ckp_csv_next(c, &err)) {
        n++;
        not5 += ckp_csv_nfields(c) != 5;
        ckp_field f = ckp_csv_field(c, (size_t)code);
        six += f.len == 6;
        if (ckp_field_eq(f, "0101"))
            found = ckp_field_eq(ckp_csv_field(c, (size_t)desc),
                                 "Horses, asses, mules and hinnies; live");
    }
    CHECK_INT(r, 0);
    CHECK_INT(n, 6940);
    CHECK_INT(six, 5613);
    CHECK_INT(not5, 0);
    CHECK(found);
    ckp_csv_close(c);
}

/* Every CSV file in ../shared/data reads without one bad record, and the
 * same through a file read 4,093 bytes at a time as all at once.  (Their
 * record and field counts were also checked against Python's csv module:
 * equal for all 371 files.) */
static struct {
    unsigned files, failed;
    char first_bad[1024];
} shared_walk;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    for (;;) {
        if (n == cap)
            b = realloc(b, cap *= 2);
        size_t k = fread(b + n, 1, cap - n, f);
        if (k == 0)
            break;
        n += k;
    }
    fclose(f);
    *len = n;
    return b;
}

static void check_shared_file(const char *path)
{
    shared_walk.files++;
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    o.header = 0;
    o.encoding = CKP_CSV_AUTO;
    size_t len = 0;
    char *text = read_file(path, &len);
    char *mem = text ? parse_mem(text, len, &o) : NULL;
    char *fd = text ? parse_fd(text, len, &o, 4093) : NULL;
    int ok = mem && fd && strcmp(mem, fd) == 0 && !strstr(mem, "\n!") && mem[0] != '!';
    if (!ok) {
        if (!shared_walk.failed)
            snprintf(shared_walk.first_bad, sizeof shared_walk.first_bad, "%s", path);
        shared_walk.failed++;
    }
    free(mem);
    free(fd);
    free(text);
}

static void walk_shared(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d || depth > 8) {
        if (d)
            closedir(d);
        return;
    }
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) != 0)
            continue;
        size_t n = strlen(path);
        if (S_ISDIR(sb.st_mode))
            walk_shared(path, depth + 1);
        else if (S_ISREG(sb.st_mode) && n > 4 && strcmp(path + n - 4, ".csv") == 0)
            check_shared_file(path);
    }
    closedir(d);
}

CKP_TEST(csv_real_all_shared)
{
    memset(&shared_walk, 0, sizeof shared_walk);
    walk_shared(ckp_test_shared("."), 0);
    CHECK(shared_walk.files >= 300);
    CHECK_INT(shared_walk.failed, 0);
    if (shared_walk.failed)
        ckp_test_fail(t_, __FILE__, __LINE__, "first bad file: %s", shared_walk.first_bad);
}

/* ---- field helpers ----------------------------------------------------- */

CKP_TEST(csv_field_helpers)
{
    ckp_field f = {"  ab c\t ", 8};
    ckp_field t = ckp_field_trim(f);
    CHECK_FIELD(t, "ab c");
    CHECK(ckp_field_eq(t, "ab c"));
    CHECK(!ckp_field_eq(t, "ab"));
    ckp_field e = {NULL, 0};
    CHECK(ckp_field_eq(e, ""));
    CHECK_INT(ckp_field_trim((ckp_field){"   ", 3}).len, 0);
    char buf[4];
    CHECK_STR(ckp_field_copy(t, buf, sizeof buf), "ab ");
    CHECK_STR(ckp_field_copy(e, buf, sizeof buf), "");
    char big[16];
    CHECK_STR(ckp_field_copy(t, big, sizeof big), "ab c");
}

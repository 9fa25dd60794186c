/* ingest_json.c — UN Comtrade+ API responses as JSON:
 * {"elapsedTime": …, "count": N, "data": [ {record}, … ], "error": ""}.
 * The response is scanned byte by byte; each record of the data array is
 * cut out by its brackets (strings and escapes respected), parsed alone
 * with jansson and handed out as text fields, so memory stays one record
 * (at most MAX_RECORD bytes) whatever the size of the response.  A record
 * that is not valid JSON is one bad record; a response that breaks off
 * (truncated download) or whose "count" disagrees with its records is an
 * error for the whole file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "store/ingest_int.h"

#define MAX_RECORD ((size_t)1 << 20)
#define BUF ((size_t)64 << 10)

const char *const ckp__json_fields[CKP__JSON_NFIELDS] = {
    "period", "refYear", "refMonth", "freqCode", "reporterCode", "partnerCode", "flowCode",
    "cmdCode", "primaryValue", "cifvalue", "fobvalue", "netWgt", "qty", "qtyUnitCode",
    "classificationCode", "motCode", "customsCode", "partner2Code", "mosCode"};

enum { BEFORE_DATA, IN_DATA, AFTER_DATA };

struct ckp__json {
    ckp__src *src;
    char name[256];
    char *buf;
    size_t pos, len;
    int eof, failed;
    long line;
    uint64_t bytes;
    char *rec; /* the bytes of the value being cut out */
    size_t rec_len, rec_cap;
    json_t *obj; /* the current record */
    char text[CKP__JSON_NFIELDS][40];
    ckp_field fields[CKP__JSON_NFIELDS];
    long long count; /* "count", -1 when absent */
    long nrec;       /* records read */
    int state, first;
};

/* The next byte without taking it; -1 at the end, -2 on a read error
 * (err set). */
static int peek(ckp__json *j, ckp_error *err)
{
    if (j->pos == j->len && !j->eof) {
        const char *why = NULL;
        long n = ckp__src_read(j->src, j->buf, BUF, &why);
        if (n < 0) {
            ckp_error_set(err, CKP_EIO, j->name, j->line, 0, "%s", why ? why : "read failed");
            j->failed = 1;
            return -2;
        }
        j->pos = 0;
        j->len = (size_t)n;
        j->eof = n == 0;
    }
    return j->pos < j->len ? (unsigned char)j->buf[j->pos] : j->failed ? -2 : -1;
}

static void take(ckp__json *j)
{
    j->line += j->buf[j->pos] == '\n';
    j->pos++;
    j->bytes++;
}

/* Skip blanks; the next byte as peek(). */
static int blank(ckp__json *j, ckp_error *err)
{
    for (;;) {
        int c = peek(j, err);
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return c;
        take(j);
    }
}

static int broken(ckp__json *j, ckp_error *err, int c, const char *what)
{
    if (c == -2)
        return -2;
    if (c == -1)
        ckp_error_set(err, CKP_EPARSE, j->name, j->line, 0,
                      "the JSON ends before %s (a truncated response?)", what);
    else
        ckp_error_set(err, CKP_EPARSE, j->name, j->line, 0, "expected %s, found '%c'", what, c);
    j->failed = 1;
    return -2;
}

static int put(ckp__json *j, int c, ckp_error *err)
{
    if (j->rec_len == j->rec_cap) {
        if (j->rec_cap >= MAX_RECORD) {
            ckp_error_set(err, CKP_ELIMIT, j->name, j->line, 0,
                          "a JSON value is longer than %zu bytes", MAX_RECORD);
            j->failed = 1;
            return -2;
        }
        if (CKP_ARRAY_RESERVE(j->rec, j->rec_cap, j->rec_cap + 1, MAX_RECORD, "bytes", NULL) !=
            CKP_OK) {
            ckp_error_set(err, CKP_ENOMEM, j->name, j->line, 0, "out of memory");
            j->failed = 1;
            return -2;
        }
    }
    j->rec[j->rec_len++] = (char)c;
    return 0;
}

/* Cut out one JSON value at the current (non-blank) byte into j->rec: an
 * object or array up to its closing bracket, a string, or a bare scalar.
 * 0 ok; -2 when the input ends first or is too long. */
static int cut_value(ckp__json *j, ckp_error *err)
{
    j->rec_len = 0;
    int depth = 0, in_str = 0, esc = 0;
    int c = peek(j, err);
    if (c < 0)
        return broken(j, err, c, "a value");
    if (c != '{' && c != '[' && c != '"') { /* a number, true, false, null */
        while (c >= 0 && c != ',' && c != '}' && c != ']' && c != ' ' && c != '\n' &&
               c != '\r' && c != '\t') {
            if (put(j, c, err) < 0)
                return -2;
            take(j);
            c = peek(j, err);
        }
        return c == -2 ? -2 : 0;
    }
    for (;;) {
        c = peek(j, err);
        if (c < 0)
            return broken(j, err, c, "the end of a value");
        if (put(j, c, err) < 0)
            return -2;
        take(j);
        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"') {
                in_str = 0;
                if (depth == 0)
                    return 0;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return 0;
        }
    }
}

/* j->rec as JSON (any value); NULL with err set when it is not. */
static json_t *load_rec(ckp__json *j, long line, ckp_error *err)
{
    json_error_t je;
    json_t *v = json_loadb(j->rec, j->rec_len, JSON_DECODE_ANY, &je);
    if (!v)
        ckp_error_set(err, CKP_EPARSE, j->name, line + je.line - 1, 0, "not valid JSON: %s",
                      je.text);
    return v;
}

/* Members of the top-level object up to "data": [ (state IN_DATA) or its
 * end.  0 ok; -2 broken. */
static int members(ckp__json *j, ckp_error *err)
{
    for (;;) {
        int c = blank(j, err);
        if (c == '}') {
            take(j);
            c = blank(j, err);
            if (c != -1)
                return broken(j, err, c, "the end of the response after its closing '}'");
            if (j->state == BEFORE_DATA) {
                ckp_error_set(err, CKP_EPARSE, j->name, j->line, 0,
                              "the response has no \"data\" array");
                j->failed = 1;
                return -2;
            }
            return 0;
        }
        if (c != '"')
            return broken(j, err, c, "a member name");
        long line = j->line;
        if (cut_value(j, err) < 0)
            return -2;
        json_t *key = load_rec(j, line, err);
        if (!key || !json_is_string(key)) {
            json_decref(key);
            j->failed = 1;
            return -2;
        }
        int is_data = strcmp(json_string_value(key), "data") == 0;
        int is_count = strcmp(json_string_value(key), "count") == 0;
        int is_error = strcmp(json_string_value(key), "error") == 0;
        json_decref(key);
        c = blank(j, err);
        if (c != ':')
            return broken(j, err, c, "':' after a member name");
        take(j);
        c = blank(j, err);
        if (is_data && j->state == BEFORE_DATA) {
            if (c != '[')
                return broken(j, err, c, "the \"data\" array");
            take(j);
            j->state = IN_DATA;
            j->first = 1;
            return 0;
        }
        line = j->line;
        if (cut_value(j, err) < 0)
            return -2;
        json_t *v = load_rec(j, line, err);
        if (!v) {
            j->failed = 1;
            return -2;
        }
        if (is_count && json_is_integer(v))
            j->count = json_integer_value(v);
        if (is_error && json_is_string(v) && json_string_length(v) > 0) {
            ckp_error_set(err, CKP_EPARSE, j->name, line, 0, "the response reports an error: %.200s",
                          json_string_value(v));
            json_decref(v);
            j->failed = 1;
            return -2;
        }
        json_decref(v);
        c = blank(j, err);
        if (c == ',')
            take(j);
        else if (c != '}')
            return broken(j, err, c, "',' or '}' after a member");
    }
}

ckp_status ckp__json_open(ckp__src *src, const char *name, ckp__json **out, ckp_error *err)
{
    *out = NULL;
    ckp__json *j = calloc(1, sizeof *j);
    if (!j || !(j->buf = malloc(BUF))) {
        free(j);
        return ckp_error_set(err, CKP_ENOMEM, name, 0, 0, "out of memory");
    }
    j->src = src;
    snprintf(j->name, sizeof j->name, "%s", name);
    j->line = 1;
    j->count = -1;
    int c = peek(j, err);
    if (c == 0xEF) { /* a UTF-8 byte-order mark */
        for (int i = 0; i < 3 && peek(j, err) >= 0x80; i++)
            take(j);
    }
    c = blank(j, err);
    if (c != '{') {
        broken(j, err, c, "'{' (a Comtrade+ response object)");
        ckp__json_close(j);
        return err->code ? err->code : CKP_EPARSE;
    }
    take(j);
    if (members(j, err) < 0) {
        ckp__json_close(j);
        return err->code ? err->code : CKP_EPARSE;
    }
    *out = j;
    return CKP_OK;
}

/* The fields of record o into j->fields: -1 (err) when one is not a
 * scalar. */
static int fields_of(ckp__json *j, json_t *o, long line, ckp_error *err)
{
    for (int i = 0; i < CKP__JSON_NFIELDS; i++) {
        json_t *v = json_object_get(o, ckp__json_fields[i]);
        ckp_field f = {NULL, 0};
        if (json_is_string(v)) {
            f.ptr = json_string_value(v);
            f.len = json_string_length(v);
        } else if (json_is_integer(v)) {
            f.len = (size_t)snprintf(j->text[i], sizeof j->text[i], "%lld",
                                     (long long)json_integer_value(v));
            f.ptr = j->text[i];
        } else if (json_is_real(v)) {
            f.len = (size_t)snprintf(j->text[i], sizeof j->text[i], "%.17g", json_real_value(v));
            f.ptr = j->text[i];
        } else if (json_is_boolean(v)) {
            f.ptr = json_is_true(v) ? "true" : "false";
            f.len = strlen(f.ptr);
        } else if (v && !json_is_null(v)) {
            ckp_error_set(err, CKP_EPARSE, j->name, line, 0, "field \"%s\" is not a scalar",
                          ckp__json_fields[i]);
            return -1;
        } else {
            f.ptr = ""; /* absent or null: an empty field */
        }
        j->fields[i] = f;
    }
    return 0;
}

int ckp__json_next(ckp__json *j, const ckp_field **fields, long *line, ckp_error *err)
{
    json_decref(j->obj);
    j->obj = NULL;
    if (j->failed)
        return -2;
    if (j->state == AFTER_DATA)
        return 0;
    int c = blank(j, err);
    if (c == ']') {
        take(j);
        j->state = AFTER_DATA;
        c = blank(j, err);
        if (c == ',')
            take(j);
        else if (c != '}')
            return broken(j, err, c, "',' or '}' after the data array");
        if (members(j, err) < 0)
            return -2;
        if (j->count >= 0 && j->count != j->nrec) {
            ckp_error_set(err, CKP_EPARSE, j->name, j->line, 0,
                          "\"count\" says %lld records, the data array holds %ld (a truncated "
                          "or altered response?)",
                          j->count, j->nrec);
            j->failed = 1;
            return -2;
        }
        return 0;
    }
    if (!j->first) {
        if (c != ',')
            return broken(j, err, c, "',' or ']' between records");
        take(j);
        c = blank(j, err);
    }
    j->first = 0;
    if (c != '{')
        return broken(j, err, c, "a record ('{')");
    *line = j->line;
    if (cut_value(j, err) < 0)
        return -2;
    j->nrec++;
    j->obj = load_rec(j, *line, err);
    if (!j->obj)
        return -1;
    if (fields_of(j, j->obj, *line, err) < 0)
        return -1;
    *fields = j->fields;
    return 1;
}

uint64_t ckp__json_bytes(const ckp__json *j) { return j->bytes; }

void ckp__json_close(ckp__json *j)
{
    if (!j)
        return;
    json_decref(j->obj);
    free(j->rec);
    free(j->buf);
    free(j);
}

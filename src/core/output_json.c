/* output_json.c — JSON text out: string literals (invalid UTF-8 as U+FFFD)
 * and jansson values with numbers as people write them (see output.h). */
#include "chokepoint/output.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/output_int.h"

/* see output_int.h */
size_t ckp__utf8_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    size_t k = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3
             : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    if (!k || k > n)
        return 0;
    for (size_t j = 1; j < k; j++)
        if ((p[j] & 0xC0) != 0x80)
            return 0;
    if ((b == 0xE0 && p[1] < 0xA0) || (b == 0xED && p[1] >= 0xA0) ||
        (b == 0xF0 && p[1] < 0x90) || (b == 0xF4 && p[1] >= 0x90))
        return 0;
    return k;
}

void ckp_json_write_string(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x80) {
            /* JSON text is UTF-8: an invalid byte becomes U+FFFD */
            size_t k = ckp__utf8_len((const unsigned char *)s + i, n - i);
            if (k) {
                fwrite(s + i, 1, k, out);
                i += k - 1;
            } else {
                fputs("\\ufffd", out);
            }
            continue;
        }
        switch (ch) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (ch < 0x20)
                fprintf(out, "\\u%04x", ch);
            else
                fputc(ch, out);
        }
    }
    fputc('"', out);
}

/* ---- jansson values out (ckp_json_dumpf) ---------------------------------- */

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A real as people write it: the shortest form that reads back exactly, with
 * ".0" kept on whole numbers so that a reader still sees a real (jansson's
 * rule); NaN and infinities, which JSON cannot hold, as null. */
static void json_put_real(FILE *out, double v)
{
    char buf[64];
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    ckp_format_shortest(v, buf, sizeof buf);
    fputs(buf, out);
    if (!strpbrk(buf, ".eE"))
        fputs(".0", out);
}

static int json_put(const json_t *j, FILE *out, int sort_keys)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(j), i = 0;
        const char **keys = malloc((n ? n : 1) * sizeof *keys);
        if (!keys)
            return -1;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) keys[i++] = k;
        if (sort_keys)
            qsort(keys, n, sizeof *keys, key_cmp);
        int rc = 0;
        fputc('{', out);
        for (i = 0; i < n && rc == 0; i++) {
            if (i)
                fputc(',', out);
            ckp_json_write_string(out, keys[i], strlen(keys[i]));
            fputc(':', out);
            rc = json_put(json_object_get(j, keys[i]), out, sort_keys);
        }
        fputc('}', out);
        free(keys);
        return rc;
    }
    case JSON_ARRAY: {
        int rc = 0;
        fputc('[', out);
        for (size_t i = 0; i < json_array_size(j) && rc == 0; i++) {
            if (i)
                fputc(',', out);
            rc = json_put(json_array_get(j, i), out, sort_keys);
        }
        fputc(']', out);
        return rc;
    }
    case JSON_STRING:
        ckp_json_write_string(out, json_string_value(j), json_string_length(j));
        return 0;
    case JSON_INTEGER:
        fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        return 0;
    case JSON_REAL:
        json_put_real(out, json_real_value(j));
        return 0;
    case JSON_TRUE:
        fputs("true", out);
        return 0;
    case JSON_FALSE:
        fputs("false", out);
        return 0;
    default:
        fputs("null", out);
        return 0;
    }
}

int ckp_json_dumpf(const json_t *j, FILE *out, int sort_keys)
{
    if (!j)
        return -1;
    int rc = json_put(j, out, sort_keys);
    return rc == 0 && !ferror(out) ? 0 : -1;
}

char *ckp_json_dumps(const json_t *j, int sort_keys)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int rc = ckp_json_dumpf(j, f, sort_keys);
    if (fclose(f) != 0 || rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}


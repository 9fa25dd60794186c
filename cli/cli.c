/* cli.c — shared CLI helpers (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <utf8proc.h>

int cli_fail(const char *verb, const ckp_error *err)
{
    char buf[1024];
    fprintf(stderr, "chokepoint: %s: %s\n", verb, ckp_error_format(err, buf, sizeof buf));
    return err && err->code == CKP_EUSAGE ? 2 : 1;
}

int cli_failf(const char *verb, int status, const char *fmt, ...)
{
    fprintf(stderr, "chokepoint: %s: ", verb);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return status;
}

ckp_ref *cli_load_ref(const char *verb, const char *datadir)
{
    ckp_ref *ref = NULL;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_ref_load(datadir, &ref, &err) != CKP_OK) {
        cli_fail(verb, &err);
        return NULL;
    }
    return ref;
}

int cli_format(const char *verb, const char *arg, ckp_format *fmt)
{
    if (!arg) {
        *fmt = ckp_format_default(stdout);
        return 0;
    }
    if (ckp_format_parse(arg, fmt) != CKP_OK)
        return cli_failf(verb, 2, "--format must be table, csv or json (got '%s')", arg);
    return 0;
}

int cli_stdout_tty(void) { return isatty(STDOUT_FILENO); }

#define TABLE_DEFAULT_WIDTH 80 /* a terminal whose width is unknown */
#define TABLE_MAX_WIDTH 10000

/* A width in columns from text: 1..TABLE_MAX_WIDTH, else 0. */
static int parse_width(const char *s)
{
    char *end = NULL;
    long v = s && *s ? strtol(s, &end, 10) : 0;
    return end && *end == '\0' && v > 0 && v <= TABLE_MAX_WIDTH ? (int)v : 0;
}

int cli_table_width(const char *verb, const char *arg, int wide, int *width)
{
    *width = 0;
    if (arg && !parse_width(arg))
        return cli_failf(verb, 2, "--width must be a number of columns from 1 to %d (got '%s')",
                         TABLE_MAX_WIDTH, arg);
    if (wide)
        return 0;
    if (arg) {
        *width = parse_width(arg);
        return 0;
    }
    if (!isatty(STDOUT_FILENO))
        return 0;
    *width = parse_width(getenv("COLUMNS"));
    struct winsize ws;
    if (!*width && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        *width = ws.ws_col;
    if (!*width)
        *width = TABLE_DEFAULT_WIDTH;
    return 0;
}

/* Terminal columns of s[0..n). */
static size_t cols_of(const char *s, size_t n)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t len = (utf8proc_ssize_t)n;
    size_t cols = 0;
    while (len > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, len, &cp);
        if (k <= 0) {
            k = 1;
            cols++;
        } else if (utf8proc_charwidth(cp) > 0) {
            cols += (size_t)utf8proc_charwidth(cp);
        }
        p += k;
        len -= k;
    }
    return cols;
}

void cli_wrap(FILE *out, const char *t, size_t width)
{
    size_t col = 0;
    while (*t) {
        t += strspn(t, " ");
        size_t n = strcspn(t, " ");
        if (!n)
            break;
        size_t wc = cols_of(t, n);
        if (col && width && col + 1 + wc > width) {
            fputc('\n', out);
            col = 0;
        } else if (col) {
            fputc(' ', out);
            col++;
        }
        fwrite(t, 1, n, out);
        col += wc;
        t += n;
    }
    fputc('\n', out);
}

const char *cli_hs_fold(const char *verb, const char *param, const char *list, char *buf,
                        size_t bufn)
{
    const char *p = list;
    size_t used = 0;
    if (!list || !*list || list[strlen(list) - 1] == ',')
        return list; /* an empty last item: the verb says so */
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *s = p;
        size_t len = n;
        uint32_t code;
        int level, folded, w;
        char b[8];
        while (len && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (!len)
            return list; /* an empty item: the verb says so */
        if (ckp_hs_fold(s, len, &code, &level, &folded) == 0) {
            if (folded)
                fprintf(stderr,
                        "chokepoint: %s: note: %s%s%s%.*s read as HS6 %s (a national code: "
                        "the digits past the sixth are dropped)\n",
                        verb, param ? "--" : "", param ? param : "", param ? " " : "",
                        (int)(len > 40 ? 40 : len), s, ckp_hs_format(code, level, b));
            w = snprintf(buf + used, bufn - used, "%s%s", used ? "," : "",
                         ckp_hs_format(code, level, b));
        } else {
            w = snprintf(buf + used, bufn - used, "%s%.*s", used ? "," : "", (int)len, s);
        }
        if (w < 0 || (size_t)w >= bufn - used)
            return list;
        used += (size_t)w;
        p += n;
        if (*p)
            p++;
    }
    return used ? buf : list;
}

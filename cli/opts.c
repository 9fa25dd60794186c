/* opts.c — table-driven option parsing and --help (see opts.h). */
#include "opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

static const cli_opt *find_long(const cli_spec *s, const char *name, size_t n)
{
    for (const cli_opt *o = s->opts; o && o->name; o++)
        if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
            return o;
    return NULL;
}

static const cli_opt *find_short(const cli_spec *s, char c)
{
    for (const cli_opt *o = s->opts; o && o->name; o++)
        if (o->shortname && o->shortname == c)
            return o;
    return NULL;
}

static int usage_error(const cli_spec *s, const char *fmt, const char *a)
{
    fprintf(stderr, "chokepoint: %s: ", s->verb);
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\nusage: chokepoint %s %s\n(see 'chokepoint %s --help')\n", s->verb,
            s->usage, s->verb);
    return 2;
}

static int store_value(const cli_spec *s, const cli_opt *o, const char *v)
{
    char *end;
    switch (o->kind) {
    case CLI_FLAG:
        *(int *)o->dest = 1;
        return 0;
    case CLI_STR:
        *(const char **)o->dest = v;
        return 0;
    case CLI_INT:
        errno = 0;
        long l = strtol(v, &end, 10);
        if (errno || end == v || *end)
            return usage_error(s, "--%s takes a whole number", o->name);
        *(long *)o->dest = l;
        return 0;
    case CLI_NUM:
        errno = 0;
        double d = strtod(v, &end);
        if (errno || end == v || *end)
            return usage_error(s, "--%s takes a number", o->name);
        *(double *)o->dest = d;
        return 0;
    case CLI_LIST: {
        cli_list *lst = o->dest;
        if (lst->n >= CLI_LIST_MAX)
            return usage_error(s, "--%s given too many times", o->name);
        lst->items[lst->n++] = v;
        return 0;
    }
    }
    return 0;
}

int cli_parse(const cli_spec *spec, int argc, char **argv, char ***args, int *nargs)
{
    int npos = 0;
    int only_pos = 0;
    /* positionals are compacted in place at the front of argv+1 */
    char **pos = argv + 1;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            pos[npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            if (cli_doc_capturing()) { /* the man page / completion asks */
                cli_doc_begin(spec->verb, spec->usage, spec->summary, spec->details);
                for (const cli_opt *o = spec->opts; o && o->name; o++)
                    cli_doc_add(o->name, o->shortname, o->metavar, o->help, 0,
                                o->kind == CLI_LIST);
                return 1;
            }
            cli_help(spec, stdout);
            return 1;
        }
        const cli_opt *o;
        const char *val = NULL;
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            o = find_long(spec, name, n);
            if (!o)
                return usage_error(spec, "unknown option '%s'", a);
            if (eq)
                val = eq + 1;
        } else {
            if (a[2] != '\0')
                return usage_error(spec, "unknown option '%s' (short options take no "
                                         "joined values)", a);
            o = find_short(spec, a[1]);
            if (!o)
                return usage_error(spec, "unknown option '%s'", a);
        }
        if (o->kind == CLI_FLAG) {
            if (val)
                return usage_error(spec, "option '%s' takes no value", a);
        } else if (!val) {
            if (i + 1 >= argc)
                return usage_error(spec, "option '%s' needs a value", a);
            val = argv[++i];
        }
        int r = store_value(spec, o, val);
        if (r)
            return r;
    }
    if (npos < spec->min_args)
        return usage_error(spec, "%s", npos == 0 ? "missing argument" : "too few arguments");
    if (spec->max_args >= 0 && npos > spec->max_args)
        return usage_error(spec, "unexpected argument '%s'", pos[spec->max_args]);
    *args = pos;
    *nargs = npos;
    return 0;
}

void cli_help(const cli_spec *s, FILE *out)
{
    fprintf(out, "usage: chokepoint %s %s\n\n%s\n", s->verb, s->usage, s->summary);
    if (s->opts && s->opts->name) {
        fprintf(out, "\noptions:\n");
        for (const cli_opt *o = s->opts; o->name; o++) {
            char left[96];
            if (o->shortname)
                snprintf(left, sizeof left, "-%c, --%s%s%s", o->shortname, o->name,
                         o->metavar ? " " : "", o->metavar ? o->metavar : "");
            else
                snprintf(left, sizeof left, "    --%s%s%s", o->name, o->metavar ? " " : "",
                         o->metavar ? o->metavar : "");
            fprintf(out, "  %-28s %s\n", left, o->help);
        }
        fprintf(out, "  %-28s %s\n", "-h, --help", "show this help and exit");
    }
    if (s->details)
        fprintf(out, "\n%s\n", s->details);
    cli_examples_print(s->verb, out);
}

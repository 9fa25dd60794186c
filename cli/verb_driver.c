/* verb_driver.c — run a library verb (verb.h) from the command line: the
 * parameter table becomes --options and --help; common options --format,
 * --store and --data are added to every verb. */
#include <stdlib.h>
#include <string.h>

#include "chokepoint/merge.h"
#include "chokepoint/verb.h"
#include "cli.h"
#include "doc.h"

static const ckp_param common[] = {
    {"format", CKP_PARAM_STR, "table|csv|json",
     "output format (default: table on a terminal, csv otherwise)", 0, 1},
    {"store", CKP_PARAM_STR, "DIR", "the store (default $CHOKEPOINT_STORE or ./chokepoint.store)",
     0, 0},
    {"data", CKP_PARAM_STR, "DIR", "reference data directory (default: the shipped data)", 0, 0},
    {"source", CKP_PARAM_STR, "S", "store sources to use: real (default when the store has "
     "any), synthetic, all, or source names joined by ','; never real and synthetic together", 0, 1},
    {"width", CKP_PARAM_STR, "N", "fit the table to N columns (default on a terminal: its "
     "width; key columns first, long text under its row)", 0, 0},
    {"wide", CKP_PARAM_FLAG, NULL, "table: every column in full, one line per row", 0, 0},
    {"chart", CKP_PARAM_FLAG, NULL, "draw a chart on the terminal instead of the rows (UTF-8 "
     "blocks, --width wide)", 0, 0},
    {"input", CKP_PARAM_STR, "FILE", "read flows from FILE (any ingest format; - = stdin) "
     "instead of the store: one shard (docs/scale.md)", 0, 0},
    {"partial", CKP_PARAM_FLAG, NULL, "write mergeable partial results (JSON Lines) for "
     "'chokepoint merge' instead of rows (docs/scale.md)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

/* The common options no verb reading no store takes. */
static int store_option(const ckp_param *p)
{
    return strcmp(p->name, "store") == 0 || strcmp(p->name, "source") == 0 ||
           strcmp(p->name, "input") == 0;
}

/* The one-letter alias of option `name` in v's short_opts ("f:format
 * k:limit"), 0 when none. */
static char short_of(const ckp_verb *v, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = v->short_opts; p && *p;) {
        size_t k = strcspn(p, " ");
        if (k == n + 2 && p[1] == ':' && strncmp(p + 2, name, n) == 0)
            return p[0];
        p += k;
        while (*p == ' ')
            p++;
    }
    return 0;
}

/* The option whose one-letter alias is c, or NULL. */
static const char *long_of(const ckp_verb *v, char c, size_t *n)
{
    for (const char *p = v->short_opts; p && *p;) {
        size_t k = strcspn(p, " ");
        if (k > 2 && p[0] == c && p[1] == ':') {
            *n = k - 2;
            return p + 2;
        }
        p += k;
        while (*p == ' ')
            p++;
    }
    return NULL;
}

/* The common options apply to library verbs; a CLI command (run NULL)
 * declares all of its options itself. */
static const ckp_param no_params[] = {{NULL, 0, NULL, NULL, 0, 0}};

static const ckp_param *common_of(const ckp_verb *v)
{
    return v->run ? common : no_params;
}

static const ckp_param *find_param(const ckp_verb *v, const char *name, size_t n)
{
    for (const ckp_param *p = v->params; p && p->name; p++)
        if (strlen(p->name) == n && strncmp(p->name, name, n) == 0)
            return p;
    for (const ckp_param *p = common_of(v); p->name; p++)
        if (strlen(p->name) == n && strncmp(p->name, name, n) == 0)
            return p;
    return NULL;
}

/* 1 when p is one of v's own parameters (not a common option). */
static int find_param_own(const ckp_verb *v, const ckp_param *p)
{
    for (const ckp_param *q = v->params; q && q->name; q++)
        if (q == p)
            return 1;
    return 0;
}

static void print_param(FILE *out, const ckp_verb *v, const ckp_param *p)
{
    char left[96], c = short_of(v, p->name);
    /* with one-letter aliases about, the long names line up after "-x, " */
    const char *pad = v->short_opts ? "    " : "";
    if (c)
        snprintf(left, sizeof left, "-%c, --%s%s%s", c, p->name, p->metavar ? " " : "",
                 p->metavar ? p->metavar : "");
    else
        snprintf(left, sizeof left, "%s--%s%s%s", pad, p->name, p->metavar ? " " : "",
                 p->metavar ? p->metavar : "");
    fprintf(out, "  %-28s %s%s\n", left, p->help, p->required ? " (required)" : "");
}

/* The verbs that draw a --chart (chart.c). */
static int has_chart(const ckp_verb *v)
{
    return strcmp(v->name, "surge") == 0 || strcmp(v->name, "dependency") == 0;
}

/* --partial only for the verbs that can write partials */
static int shows_common(const ckp_verb *v, const ckp_param *p)
{
    return (strcmp(p->name, "partial") != 0 || ckp_partial_supported(v)) &&
           (strcmp(p->name, "chart") != 0 || has_chart(v)) &&
           (!(v->flags & CKP_VERB_NO_STORE) || !store_option(p));
}

/* The options --help lists, handed to the man page / completion (doc.h). */
static void doc_verb(const ckp_verb *v)
{
    cli_doc_begin(v->name, v->usage, v->summary, v->details);
    for (const ckp_param *p = v->params; p && p->name; p++)
        cli_doc_add(p->name, short_of(v, p->name), p->metavar, p->help, p->required,
                    p->kind == CKP_PARAM_LIST);
    for (const ckp_param *p = common_of(v); p->name; p++)
        if (shows_common(v, p))
            cli_doc_add(p->name, short_of(v, p->name), p->metavar, p->help, p->required, 0);
}

static void cli_verb_help(const ckp_verb *v, FILE *out)
{
    fprintf(out, "usage: chokepoint %s %s\n\n%s\n\noptions:\n", v->name, v->usage, v->summary);
    for (const ckp_param *p = v->params; p && p->name; p++)
        print_param(out, v, p);
    for (const ckp_param *p = common_of(v); p->name; p++)
        if (shows_common(v, p))
            print_param(out, v, p);
    fprintf(out, "  %-28s %s\n", "-h, --help", "show this help and exit");
    if (v->details)
        fprintf(out, "\n%s\n", v->details);
    if (v->ncolumns) {
        fprintf(out, "\ncolumns (JSON fields):");
        for (size_t i = 0; i < v->ncolumns; i++)
            fprintf(out, "%s%s", i ? ", " : " ", v->columns[i].name);
        fputc('\n', out);
    }
    cli_examples_print(v->name, out);
}

/* Nothing found in the sources selected by default (the real ones) while
 * the store holds others (a synthetic world): say so on stderr, with the
 * option that includes them, so that an empty answer is not mistaken for
 * "no trade". */
static void hint_unselected(const char *name, const ckp_store *store)
{
    if (!store)
        return;
    char names[256] = "";
    size_t len = 0;
    int n = 0;
    for (int i = 0; i < ckp_store_source_count(store); i++) {
        if (ckp_store_source_selected(store, i))
            continue;
        const char *s = ckp_store_source_name(store, i);
        int k = snprintf(names + len, sizeof names - len, "%s%s", n ? ", " : "", s ? s : "?");
        if (k > 0 && (size_t)k < sizeof names - len)
            len += (size_t)k;
        n++;
    }
    if (n)
        fprintf(stderr,
                "chokepoint: %s: no rows from the real sources; the store's synthetic "
                "source%s (%s) %s left out by default: --source synthetic answers from %s "
                "alone (real and synthetic are never mixed)\n",
                name, n == 1 ? "" : "s", names, n == 1 ? "is" : "are", n == 1 ? "it" : "them");
}

/* The table leaves out the provenance columns of CSV and JSON (the same on
 * every row): rows computed from synthetic sources say so under the table,
 * always, so that no one quotes them as trade. */
/* An HS argument concorded to HS2022 leaves out the rows of an older code
 * that overlaps it without lying inside it (ckp_hsset_has_ed): say which,
 * and what to ask to join them (on stderr, in every format). */
static void note_ambiguous(const char *name, const ckp_ref *ref, const ckp_args *args)
{
    if (!ckp_args_get(args, "hs"))
        return;
    ckp_hsset *set = NULL;
    ckp_error e;
    if (ckp_args_hsset(args, ref, "hs", 0, &set, &e) != CKP_OK || !set)
        return;
    uint32_t codes[1];
    int eds[1];
    int n = ckp_hsset_ambiguous(set, codes, eds, 1);
    char note[512];
    for (int i = 0; i < n && i < 8; i++)
        if (ckp_hsset_ambiguity_note(ref, set, i, note, sizeof note) == 0)
            fprintf(stderr, "chokepoint: %s: note: %s\n", name, note);
    if (n > 8)
        fprintf(stderr, "chokepoint: %s: note: %d more codes of older HS editions left out the "
                "same way\n", name, n - 8);
    ckp_hsset_free(set);
}

static void note_synthetic(const ckp_env *env, const ckp_answer *a, int width)
{
    char names[4096], line[4300];
    int synth = 0;
    if (ckp_verb_provenance(env, a, &synth, names, sizeof names) != CKP_OK || !synth)
        return;
    for (char *p = names; *p; p++)
        if (*p == ';')
            *p = ',';
    snprintf(line, sizeof line,
             "SYNTHETIC: these rows were computed from synthetic sources only (%s): "
             "generated flows, not observed trade.", names);
    putchar('\n');
    cli_wrap(stdout, line, (size_t)width);
}

/* The table leaves out the caveat column too: a basket code asked about
 * (811292: gallium, germanium and three other metals) is said under the
 * table, one line each. */
static void note_caveat(const char *caveat, int width)
{
    if (!caveat || !*caveat)
        return;
    putchar('\n');
    for (const char *p = caveat; *p;) {
        const char *e = strstr(p, " | ");
        size_t k = e ? (size_t)(e - p) : strlen(p);
        char line[2048];
        snprintf(line, sizeof line, "CAVEAT: %.*s.", (int)(k < 2000 ? k : 2000), p);
        cli_wrap(stdout, line, (size_t)width);
        p += k + (e ? 3 : 0);
    }
}

/* A chart has no writer: the caveat of its --hs, as ckp_verb_writer_new
 * finds it for the rows. */
static void note_chart_caveat(const ckp_ref *ref, const ckp_args *args, int width)
{
    ckp_hsset *set = NULL;
    ckp_error ignored;
    char buf[8192];
    if (ckp_args_get(args, "hs") &&
        ckp_args_hsset(args, ref, "hs", 0, &set, &ignored) == CKP_OK && set &&
        ckp_hsset_caveat(ref, set, buf, sizeof buf) > 0)
        note_caveat(buf, width);
    ckp_hsset_free(set);
}

static int usage_error(const ckp_verb *v, const char *msg)
{
    fprintf(stderr, "chokepoint: %s: %s\nusage: chokepoint %s %s\n(see 'chokepoint %s --help')\n",
            v->name, msg, v->name, v->usage, v->name);
    return 2;
}

/* argv → args; returns 0, 1 (help printed) or 2 (usage error printed). */
static int parse_argv(const ckp_verb *v, int argc, char **argv, ckp_args *args)
{
    int only_pos = 0;
    char msg[300];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (ckp_args_add_pos(args, a) != CKP_OK)
                return usage_error(v, "too many arguments");
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            if (cli_doc_capturing())
                doc_verb(v);
            else
                cli_verb_help(v, stdout);
            return 1;
        }
        const char *name = a + 2, *eq = NULL;
        size_t n = 0;
        if (a[1] != '-') { /* -f VALUE, -fVALUE */
            name = long_of(v, a[1], &n);
            if (a[2])
                eq = a + 1; /* the value follows the letter */
        } else {
            eq = strchr(name, '=');
            n = eq ? (size_t)(eq - name) : strlen(name);
        }
        const ckp_param *p = name ? find_param(v, name, n) : NULL;
        if (p && a[1] != '-' && p->kind == CKP_PARAM_FLAG && eq)
            p = NULL; /* -qx: no bundling */
        if (p && (v->flags & CKP_VERB_NO_STORE) && store_option(p) && !find_param_own(v, p))
            p = NULL; /* a verb that reads no store takes no --store */
        if (!p && a[1] != '-') {
            snprintf(msg, sizeof msg, "unknown option '%s'", a);
            return usage_error(v, msg);
        }
        if (!p) {
            snprintf(msg, sizeof msg, "unknown option '%.*s'", (int)(n + 2), a);
            return usage_error(v, msg);
        }
        const char *val = eq ? eq + 1 : NULL;
        if (p->kind == CKP_PARAM_FLAG) {
            if (!val)
                val = "1";
        } else if (!val) {
            if (i + 1 >= argc) {
                snprintf(msg, sizeof msg, "option '--%s' needs a value", p->name);
                return usage_error(v, msg);
            }
            val = argv[++i];
        }
        if (ckp_args_set(args, p->name, val) != CKP_OK)
            return usage_error(v, "too many options");
    }
    return 0;
}

int cli_run_verb(const char *name, int argc, char **argv)
{
    const ckp_verb *v = ckp_verb_find(name);
    if (!v)
        return cli_failf(name, 2, "not available in this build");
    ckp_args *args = ckp_args_new();
    if (!args)
        return cli_failf(name, 1, "out of memory");
    int rc = parse_argv(v, argc, argv, args);
    if (rc) {
        ckp_args_free(args);
        return rc == 1 ? 0 : rc;
    }
    ckp_error err;
    ckp_error_clear(&err);
    /* the common options are the driver's; the verb sees the rest */
    const char *format = ckp_args_get(args, "format");
    const char *store = ckp_args_get(args, "store");
    const char *data = ckp_args_get(args, "data");
    const char *sources = ckp_args_get(args, "source");
    const char *input = ckp_args_get(args, "input");
    int partial = ckp_args_flag(args, "partial");
    const char *width_arg = ckp_args_get(args, "width");
    int wide = ckp_args_flag(args, "wide");
    int chart = ckp_args_flag(args, "chart");
    ckp_args *vargs = ckp_args_new();
    if (!vargs) {
        ckp_args_free(args);
        return cli_failf(name, 1, "out of memory");
    }
    for (const ckp_param *p = v->params; p && p->name; p++) {
        /* HS parameters (metavar H, H2): "8112.92", a national "38011000"
         * are passed on as their HS code, with a note when folded */
        int hs = p->metavar && p->metavar[0] == 'H' && (!p->metavar[1] || p->metavar[1] == '2');
        for (int i = 0; i < ckp_args_count(args, p->name); i++) {
            char folded[1024];
            const char *val = ckp_args_nth(args, p->name, i);
            ckp_args_set(vargs, p->name,
                         hs ? cli_hs_fold(name, p->name, val, folded, sizeof folded) : val);
        }
    }
    for (int i = 0; i < ckp_args_npos(args); i++) {
        char folded[1024];
        const char *val = ckp_args_pos(args, i);
        /* a positional national code: the same note as for --hs (the
         * verb reads the code as written and folds it silently) */
        if (v->flags & CKP_VERB_HS_ARGS)
            cli_hs_fold(name, NULL, val, folded, sizeof folded);
        ckp_args_add_pos(vargs, val);
    }

    ckp_format fmt;
    int width = 0;
    int format_given = format || width_arg;
    /* --width N alone asks for the table, as on a terminal */
    rc = cli_format(name, format ? format : width_arg ? "table" : NULL, &fmt);
    if (!rc)
        rc = cli_table_width(name, width_arg, wide, &width);
    if (rc)
        goto out_args;
    if (chart && (!has_chart(v) || partial)) {
        rc = usage_error(v, partial ? "--chart and --partial do not go together"
                                    : "--chart is for surge and dependency");
        goto out_args;
    }
    if (ckp_args_check(vargs, v->params, 0, &err) != CKP_OK) {
        rc = usage_error(v, err.msg);
        goto out_args;
    }
    int npos = ckp_args_npos(vargs);
    if (npos < v->min_pos || (v->max_pos >= 0 && npos > v->max_pos)) {
        rc = usage_error(v, npos < v->min_pos ? "missing argument" : "too many arguments");
        goto out_args;
    }
    ckp_ref *ref = cli_load_ref(name, data);
    if (!ref) {
        rc = 1;
        goto out_args;
    }
    ckp_env *env = ckp_env_new(ref, data, store);
    if (!env) {
        rc = cli_failf(name, 1, "out of memory");
        goto out_env;
    }
    ckp_env_set_sources(env, sources);
    ckp_env_set_input(env, input);
    if (partial) {
        ckp_status pst = ckp_partial_run(v, env, vargs, stdout, &err);
        if (pst == CKP_EUSAGE)
            rc = usage_error(v, err.msg);
        else
            rc = pst == CKP_OK ? 0 : cli_fail(name, &err);
        goto out_input;
    }
    if (chart) {
        char chartcov[800] = "";
        ckp_status cst = cli_chart(v, env, vargs, width, stdout, chartcov, sizeof chartcov, &err);
        rc = cst == CKP_OK ? 0 : cli_fail(name, &err);
        if (cst == CKP_OK)
            note_synthetic(env, NULL, width);
        if (cst == CKP_OK && chartcov[0]) {
            putchar('\n');
            cli_wrap(stdout, chartcov, (size_t)(width > 0 ? width : 80));
        }
        if (cst == CKP_OK) {
            note_chart_caveat(ref, vargs, width);
        }
        goto out_env;
    }
    ckp_writer *w = NULL;
    ckp_status wst = ckp_verb_writer_open(v, env, vargs, stdout, &fmt, format_given, &w, &err);
    if (wst != CKP_OK) {
        rc = wst == CKP_EUSAGE ? usage_error(v, err.msg) : cli_fail(name, &err);
        goto out_env;
    }
    ckp_writer_fit(w, width);
    char summary[1024] = "";
    ckp_status st = v->run(env, vargs, w, summary, sizeof summary, &err);
    st = ckp_verb_check_answer(env, w, st, &err);
    ckp_status fst = st == CKP_OK ? ckp_writer_finish(w) : CKP_OK; /* no header after an error */
    size_t nrows = ckp_writer_count(w);
    char covline[700];
    int has_cov = ckp_verb_coverage_line(w, covline, sizeof covline);
    if (st != CKP_OK) {
        rc = cli_fail(name, &err);
    } else if (fst != CKP_OK) {
        rc = cli_failf(name, 1, "cannot write output");
    } else {
        rc = 0;
        if (summary[0] && fmt == CKP_FMT_TABLE && cli_stdout_tty()) {
            putchar('\n');
            cli_wrap(stdout, summary, (size_t)width);
        }
        if (fmt == CKP_FMT_TABLE && ckp_verb_reads_flows(v))
            note_synthetic(env, ckp_verb_answer(w), width);
        if (fmt == CKP_FMT_TABLE && has_cov) {
            /* the coverage columns of CSV and JSON, said once: the thinnest */
            putchar('\n');
            cli_wrap(stdout, covline, (size_t)width);
        }
        if (fmt == CKP_FMT_TABLE && ckp_verb_reads_flows(v))
            note_caveat(ckp_answer_caveat(ckp_verb_answer(w)), width);
        if (ckp_verb_reads_flows(v))
            note_ambiguous(name, ref, vargs);
        if (nrows == 0 && !sources)
            hint_unselected(name, ckp_env_store_if_open(env));
    }
    ckp_writer_free(w);
out_input:
    if (input && ckp_env_input_rejected(env))
        fprintf(stderr, "chokepoint: %s: --input %s: %llu of %llu rows rejected (list them "
                "with 'chokepoint ingest --rejects FILE')\n", name, input,
                ckp_env_input_rejected(env), ckp_env_input_rows(env));
out_env:
    ckp_env_free(env);
    ckp_ref_free(ref);
out_args:
    ckp_args_free(vargs);
    ckp_args_free(args);
    return rc;
}

/* ---- CLI commands: the same tables, parsed for a command's own code ------- */

/* The parsed options and positionals of the command running; kept until
 * the next parse or exit, so that the values stay valid for the command. */
static struct {
    ckp_args *args;
    char **pos;
} parsed;

static void parsed_release(void)
{
    ckp_args_free(parsed.args);
    free(parsed.pos);
    parsed.args = NULL;
    parsed.pos = NULL;
}

int cli_parse_args(const ckp_verb *decl, int argc, char **argv, char ***args, int *nargs,
                   const ckp_args **given)
{
    static int registered;
    if (!registered)
        registered = atexit(parsed_release) == 0;
    parsed_release();
    parsed.args = ckp_args_new();
    if (!parsed.args)
        return cli_failf(decl->name, 1, "out of memory");
    int rc = parse_argv(decl, argc, argv, parsed.args);
    if (rc)
        return rc;
    ckp_error err;
    ckp_error_clear(&err);
    if (ckp_args_check(parsed.args, decl->params, 0, &err) != CKP_OK)
        return usage_error(decl, err.msg);
    int npos = ckp_args_npos(parsed.args);
    if (npos < decl->min_pos || (decl->max_pos >= 0 && npos > decl->max_pos))
        return usage_error(decl, npos < decl->min_pos ? "missing argument"
                                                      : "too many arguments");
    parsed.pos = calloc((size_t)npos + 1, sizeof *parsed.pos);
    if (!parsed.pos)
        return cli_failf(decl->name, 1, "out of memory");
    for (int i = 0; i < npos; i++)
        parsed.pos[i] = (char *)ckp_args_pos(parsed.args, i);
    *args = parsed.pos;
    *nargs = npos;
    *given = parsed.args;
    return 0;
}

void cli_opt_str(const ckp_args *given, const char *name, const char **dest)
{
    const char *v = ckp_args_get(given, name);
    if (v)
        *dest = v;
}

void cli_opt_flag(const ckp_args *given, const char *name, int *dest)
{
    if (ckp_args_get(given, name))
        *dest = ckp_args_flag(given, name);
}

/* The kinds were checked by cli_parse_args (ckp_args_check). */
void cli_opt_long(const ckp_args *given, const char *name, long *dest)
{
    ckp_error ignored;
    ckp_args_int(given, name, *dest, dest, &ignored);
}

void cli_opt_num(const ckp_args *given, const char *name, double *dest)
{
    ckp_error ignored;
    ckp_args_num(given, name, *dest, dest, &ignored);
}

int cli_opt_list(const ckp_args *given, const char *name, cli_list *dest)
{
    for (int i = 0; i < ckp_args_count(given, name); i++) {
        if (dest->n >= CLI_LIST_MAX) {
            fprintf(stderr, "chokepoint: --%s given more than %d times\n", name, CLI_LIST_MAX);
            return 2;
        }
        dest->items[dest->n++] = ckp_args_nth(given, name, i);
    }
    return 0;
}

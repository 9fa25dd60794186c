/* doc_complete.c — bash and zsh completion scripts, written from the verbs'
 * option tables (doc.h) and the reference data: verbs, every option of
 * every verb, and option values (the choices of an a|b|c metavar, country
 * codes for C/C2/A, product groups and measure ids for H/H2, measure ids
 * for ID, files for FILE, directories for DIR). */
#include <ctype.h>
#include <string.h>

#include "chokepoint/measures.h"
#include "cli.h"
#include "doc.h"

typedef enum vclass { V_NONE, V_WORDS, V_COUNTRY, V_HS, V_MEASURE, V_FILE, V_DIR } vclass;

/* The metavar parts that name a kind of value. */
static vclass part_class(const char *p, size_t n)
{
    static const struct {
        const char *name;
        vclass c;
    } named[] = {{"C", V_COUNTRY}, {"C2", V_COUNTRY}, {"A", V_COUNTRY}, {"H", V_HS},
                 {"H2", V_HS},     {"ID", V_MEASURE}, {"FILE", V_FILE}, {"DIR", V_DIR}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strlen(named[i].name) == n && strncmp(named[i].name, p, n) == 0)
            return named[i].c;
    return V_NONE;
}

/* What an option's value is.  "table|csv|json" and "X|M" are choices;
 * "COMMODITY|H" is an HS argument (a part names a kind); "N", "T"… free. */
static vclass value_class(const char *metavar)
{
    if (!metavar)
        return V_NONE;
    vclass named = V_NONE;
    int plain = 1;
    for (const char *p = metavar; *p;) {
        size_t n = strcspn(p, "|");
        vclass c = part_class(p, n);
        if (c != V_NONE)
            named = c;
        for (size_t i = 0; i < n; i++)
            if (!isalnum((unsigned char)p[i]) && p[i] != '-' && p[i] != '_')
                plain = 0;
        p += n + (p[n] == '|');
    }
    if (named != V_NONE)
        return named;
    return plain && strchr(metavar, '|') ? V_WORDS : V_NONE;
}

/* Positional arguments: what the verbs' usage lines call them. */
static vclass positional_class(const cli_doc *d)
{
    if (strcmp(d->name, "hs") == 0)
        return V_HS;
    if (strcmp(d->name, "country") == 0)
        return V_COUNTRY;
    if (strstr(d->usage, "FILE") || strstr(d->usage, "SHIPMENTS") || strstr(d->usage, "PARTIAL"))
        return V_FILE;
    return V_NONE;
}

/* A word that needs no quoting in either shell (group names come from
 * data files; one that does not fit is left out, with a warning). */
static int plain_word(const char *w)
{
    if (!*w)
        return 0;
    for (const char *p = w; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.+", *p))
            return 0;
    return 1;
}

/* ---- the value lists from the reference data ---------------------------- */

typedef struct lists {
    ckp_ref *ref;
    ckp_measures *ms;
} lists;

static void put_countries(FILE *out, const lists *l)
{
    int n = 0;
    for (int i = 0; i < ckp_ref_country_count(l->ref); i++) {
        const ckp_country *c = ckp_ref_country(l->ref, i);
        if (c->is_aggregate || !plain_word(c->iso3))
            continue;
        fprintf(out, "%s%s", n++ ? " " : "", c->iso3);
    }
}

static void put_groups(FILE *out, const lists *l)
{
    int n = 0;
    for (int i = 0; i < ckp_ref_group_count(l->ref); i++) {
        const ckp_group *g = ckp_ref_group(l->ref, i);
        if (!plain_word(g->name)) {
            fprintf(stderr, "chokepoint: help: product group '%s' left out of the completion "
                    "(not a plain word)\n", g->name);
            continue;
        }
        fprintf(out, "%s%s", n++ ? " " : "", g->name);
    }
}

static void put_measures(FILE *out, const lists *l)
{
    int n = 0;
    for (int i = 0; i < ckp_measures_count(l->ms); i++) {
        const ckp_measure *m = ckp_measures_at(l->ms, i);
        if (!plain_word(m->id)) {
            fprintf(stderr, "chokepoint: help: measure '%s' left out of the completion "
                    "(not a plain word)\n", m->id);
            continue;
        }
        fprintf(out, "%s%s", n++ ? " " : "", m->id);
    }
}

static void put_words(FILE *out, const char *metavar, char sep)
{
    for (const char *p = metavar; *p; p++)
        fputc(*p == '|' ? sep : *p, out);
}

/* ---- bash ------------------------------------------------------------------ */

static const char *bash_class(vclass c)
{
    switch (c) {
    case V_COUNTRY:
        return "country";
    case V_HS:
        return "hs";
    case V_MEASURE:
        return "measure";
    case V_FILE:
        return "file";
    case V_DIR:
        return "dir";
    default:
        return "text";
    }
}

static int bash_script(FILE *out, const lists *l)
{
    cli_doc d;
    fputs("# bash completion for chokepoint(1): written by 'chokepoint help --completion bash'\n"
          "# from the verbs' option tables and the reference data; do not edit.\n"
          "# Install as share/bash-completion/completions/chokepoint, or source it.\n\n",
          out);
    fputs("_chokepoint_verbs='", out);
    for (int i = 0; i < cli_doc_count(); i++)
        fprintf(out, "%s%s", i ? " " : "", cli_doc_verb(i));
    fputs("'\n_chokepoint_countries='", out);
    put_countries(out, l);
    fputs("'\n_chokepoint_groups='", out);
    put_groups(out, l);
    fputs("'\n_chokepoint_measures='", out);
    put_measures(out, l);
    fputs("'\n\n# _chokepoint_options VERB: its options\n_chokepoint_options() {\n"
          "  case $1 in\n",
          out);
    for (int i = 0; i < cli_doc_count(); i++) {
        if (cli_doc_get(i, &d) != 0)
            return 1;
        fprintf(out, "  %s) echo '", d.name);
        for (int k = 0; k < d.nopts; k++) {
            if (d.opts[k].shortname)
                fprintf(out, "-%c ", d.opts[k].shortname);
            fprintf(out, "--%s ", d.opts[k].name);
        }
        fputs("--help' ;;\n", out);
    }
    fputs("  esac\n}\n\n"
          "# _chokepoint_value VERB OPTION: what the option's value is (flag: none;\n"
          "# 'words A B…': one of these)\n_chokepoint_value() {\n  case \"$1 $2\" in\n",
          out);
    for (int i = 0; i < cli_doc_count(); i++) {
        if (cli_doc_get(i, &d) != 0)
            return 1;
        for (int k = 0; k < d.nopts; k++) {
            const cli_doc_opt *o = &d.opts[k];
            if (!o->metavar)
                continue;
            fprintf(out, "  '%s --%s'", d.name, o->name);
            if (o->shortname)
                fprintf(out, " | '%s -%c'", d.name, o->shortname);
            vclass c = value_class(o->metavar);
            if (c == V_WORDS) {
                fputs(") echo 'words ", out);
                put_words(out, o->metavar, ' ');
                fputs("' ;;\n", out);
            } else {
                fprintf(out, ") echo %s ;;\n", bash_class(c));
            }
        }
    }
    fputs("  *) echo none ;;\n  esac\n}\n\n"
          "# _chokepoint_positional VERB: what its arguments are\n"
          "_chokepoint_positional() {\n  case $1 in\n",
          out);
    for (int i = 0; i < cli_doc_count(); i++) {
        if (cli_doc_get(i, &d) != 0)
            return 1;
        vclass c = positional_class(&d);
        if (c != V_NONE)
            fprintf(out, "  %s) echo %s ;;\n", d.name, bash_class(c));
    }
    fputs("  help) echo verb ;;\n  *) echo text ;;\n  esac\n}\n\n", out);
    fputs("# _chokepoint_complete CLASS WORD: fill COMPREPLY (lists may be comma-separated)\n"
          "_chokepoint_complete() {\n"
          "  local cls=$1 cur=$2 pre= words=\n"
          "  case $cls in\n"
          "  file) COMPREPLY=($(compgen -f -- \"$cur\")); compopt -o filenames 2>/dev/null; "
          "return ;;\n"
          "  dir) COMPREPLY=($(compgen -d -- \"$cur\")); compopt -o filenames 2>/dev/null; "
          "return ;;\n"
          "  verb) words=$_chokepoint_verbs ;;\n"
          "  country) words=$_chokepoint_countries; cur=${cur^^} ;;\n"
          "  hs) words=\"$_chokepoint_groups $_chokepoint_measures\" ;;\n"
          "  measure) words=$_chokepoint_measures ;;\n"
          "  words\\ *) words=${cls#words } ;;\n"
          "  *) return ;;\n"
          "  esac\n"
          "  case $cur in *,*) pre=${cur%,*},; cur=${cur##*,} ;; esac\n"
          "  COMPREPLY=($(compgen -P \"$pre\" -W \"$words\" -- \"$cur\"))\n"
          "}\n\n"
          "_chokepoint() {\n"
          "  local cur=${COMP_WORDS[COMP_CWORD]} prev= verb=${COMP_WORDS[1]} cls\n"
          "  COMPREPLY=()\n"
          "  if [ \"$COMP_CWORD\" -le 1 ]; then\n"
          "    COMPREPLY=($(compgen -W \"$_chokepoint_verbs help --help --version\" -- "
          "\"$cur\"))\n"
          "    return 0\n"
          "  fi\n"
          "  prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "  # --option=value: bash splits the word at '='\n"
          "  if [ \"$cur\" = = ]; then\n"
          "    cur=\n"
          "  elif [ \"$prev\" = = ] && [ \"$COMP_CWORD\" -ge 3 ]; then\n"
          "    prev=${COMP_WORDS[COMP_CWORD-2]}\n"
          "  fi\n"
          "  case $prev in\n"
          "  -*)\n"
          "    cls=$(_chokepoint_value \"$verb\" \"$prev\")\n"
          "    if [ \"$cls\" != none ]; then\n"
          "      _chokepoint_complete \"$cls\" \"$cur\"\n"
          "      return 0\n"
          "    fi ;;\n"
          "  esac\n"
          "  case $cur in\n"
          "  -*) COMPREPLY=($(compgen -W \"$(_chokepoint_options \"$verb\")\" -- \"$cur\")) ;;\n"
          "  *) _chokepoint_complete \"$(_chokepoint_positional \"$verb\")\" \"$cur\" ;;\n"
          "  esac\n"
          "  return 0\n"
          "}\n"
          "complete -F _chokepoint chokepoint\n",
          out);
    return 0;
}

/* ---- zsh ------------------------------------------------------------------- */

/* Text inside a single-quoted _arguments spec: quotes closed and reopened;
 * with brackets != 0 also [ ] escaped (an option's description), with
 * colons != 0 also ':' (a message between the spec's colons). */
static void zsh_text(FILE *out, const char *s, int brackets, int colons)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", out);
        else if ((brackets && (*p == '[' || *p == ']')) || (colons && *p == ':'))
            fprintf(out, "\\%c", *p);
        else
            fputc(*p, out);
    }
}

static const char *zsh_action(vclass c)
{
    switch (c) {
    case V_COUNTRY:
        return "_chokepoint_countries";
    case V_HS:
        return "_chokepoint_groups";
    case V_MEASURE:
        return "_chokepoint_measures";
    case V_FILE:
        return "_files";
    case V_DIR:
        return "_files -/";
    default:
        return " ";
    }
}

static void zsh_option(FILE *out, const cli_doc_opt *o)
{
    fputs("      ", out);
    if (o->repeatable)
        fputs("'*'", out);
    if (o->shortname)
        fprintf(out, "'(-%c --%s)'{-%c,--%s}'[", o->shortname, o->name, o->shortname, o->name);
    else
        fprintf(out, "'--%s[", o->name);
    zsh_text(out, o->help, 1, 0);
    fputc(']', out);
    if (o->metavar) {
        fputc(':', out);
        zsh_text(out, o->metavar, 0, 1);
        fputc(':', out);
        vclass c = value_class(o->metavar);
        if (c == V_WORDS) {
            fputc('(', out);
            put_words(out, o->metavar, ' ');
            fputc(')', out);
        } else {
            fputs(zsh_action(c), out);
        }
    }
    fputs("' \\\n", out);
}

static int zsh_script(FILE *out, const lists *l)
{
    cli_doc d;
    fputs("#compdef chokepoint\n"
          "# zsh completion for chokepoint(1): written by 'chokepoint help --completion zsh'\n"
          "# from the verbs' option tables and the reference data; do not edit.\n"
          "# Install as share/zsh/site-functions/_chokepoint (a directory in $fpath).\n\n",
          out);
    fputs("_chokepoint_countries() {\n  _sequence compadd -M 'm:{a-z}={A-Z}' -- ", out);
    put_countries(out, l);
    fputs("\n}\n_chokepoint_groups() {\n  _sequence compadd -- ", out);
    put_groups(out, l);
    fputc(' ', out);
    put_measures(out, l);
    fputs("\n}\n_chokepoint_measures() {\n  compadd -- ", out);
    put_measures(out, l);
    fputs("\n}\n\n_chokepoint() {\n  local -a verbs\n  verbs=(\n", out);
    for (int i = 0; i < cli_doc_count(); i++) {
        if (cli_doc_get(i, &d) != 0)
            return 1;
        fprintf(out, "    '%s:", d.name);
        zsh_text(out, d.summary, 0, 1);
        fputs("'\n", out);
    }
    fputs("  )\n"
          "  if (( CURRENT == 2 )); then\n"
          "    _describe -t verbs 'chokepoint verb' verbs\n"
          "    return\n"
          "  fi\n"
          "  local verb=${words[2]}\n"
          "  shift words\n"
          "  (( CURRENT-- ))\n"
          "  case $verb in\n"
          "  help)\n"
          "    _describe -t verbs 'verb' verbs ;;\n",
          out);
    for (int i = 0; i < cli_doc_count(); i++) {
        if (cli_doc_get(i, &d) != 0)
            return 1;
        fprintf(out, "  %s)\n    _arguments -s \\\n", d.name);
        for (int k = 0; k < d.nopts; k++)
            zsh_option(out, &d.opts[k]);
        fputs("      '(- *)'{-h,--help}'[show the help and exit]' \\\n", out);
        vclass c = positional_class(&d);
        fprintf(out, "      '*:%s:%s' ;;\n", c == V_NONE ? "argument" : "value",
                zsh_action(c));
    }
    fputs("  esac\n}\n\n"
          "# autoloaded from $fpath: complete now; sourced: register\n"
          "if [ \"$funcstack[1]\" = _chokepoint ]; then\n"
          "  _chokepoint \"$@\"\n"
          "else\n"
          "  compdef _chokepoint chokepoint\n"
          "fi\n",
          out);
    return 0;
}

int cli_doc_completion(const char *shell, const char *datadir, FILE *out)
{
    int is_bash = strcmp(shell, "bash") == 0;
    if (!is_bash && strcmp(shell, "zsh") != 0)
        return cli_failf("help", 2, "--completion takes bash or zsh (got '%s')", shell);
    lists l = {NULL, NULL};
    l.ref = cli_load_ref("help", datadir);
    if (!l.ref)
        return 1;
    ckp_error err;
    ckp_error_clear(&err);
    int rc = 1;
    if (ckp_measures_load(l.ref, datadir, NULL, &l.ms, &err) != CKP_OK) {
        cli_fail("help", &err);
        goto out_ref;
    }
    rc = is_bash ? bash_script(out, &l) : zsh_script(out, &l);
    ckp_measures_free(l.ms);
out_ref:
    ckp_ref_free(l.ref);
    return rc;
}

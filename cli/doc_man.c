/* doc_man.c — the man page chokepoint(1), written from the verbs' option
 * tables (doc.h): every verb with its usage, summary, details, options and
 * examples, so the page says what --help says.  `make` writes it to
 * BUILD/chokepoint.1 and `make install` puts it in share/man/man1. */
#include <string.h>

#include "doc.h"

/* Text for roff: backslashes and minus signs escaped ("\-" is the ASCII
 * minus that survives copy and paste), a leading '.' or '\'' made literal,
 * a break point after the commas of long a,b,c lists. */
static void put_text(FILE *out, const char *s, size_t n)
{
    if (n && (s[0] == '.' || s[0] == '\''))
        fputs("\\&", out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\')
            fputs("\\e", out);
        else if (s[i] == '-')
            fputs("\\-", out);
        else if (s[i] == ',' && i + 1 < n && s[i + 1] != ' ')
            fputs(",\\:", out); /* a line may break after the comma of a,b,c */
        else if (s[i] == '|' && i + 1 < n && s[i + 1] != ' ')
            fputs("|\\:", out); /* and after the bar of a long a|b|c */
        else
            fputc(s[i], out);
    }
}

static void put(FILE *out, const char *s) { put_text(out, s, strlen(s)); }

/* Paragraphs as --help writes them: text lines are filled; lines indented
 * with spaces (lists, aligned columns) are kept as they are. */
static void put_details(FILE *out, const char *d)
{
    int nofill = 0;
    fputs(".PP\n", out);
    while (*d) {
        const char *nl = strchr(d, '\n');
        size_t n = nl ? (size_t)(nl - d) : strlen(d);
        int indented = n > 0 && d[0] == ' ';
        if (indented != nofill) {
            fputs(indented ? ".nf\n" : ".fi\n", out);
            nofill = indented;
        }
        if (n == 0) {
            fputs(nofill ? ".sp\n" : ".PP\n", out);
        } else {
            put_text(out, d, n);
            fputc('\n', out);
        }
        d += n + (nl ? 1 : 0);
    }
    if (nofill)
        fputs(".fi\n", out);
}

static void put_option(FILE *out, const cli_doc_opt *o)
{
    fputs(".TP\n", out);
    if (o->shortname)
        fprintf(out, "\\fB\\-%c\\fR, ", o->shortname);
    fputs("\\fB\\-\\-", out);
    put(out, o->name);
    fputs("\\fR", out);
    if (o->metavar) {
        fputs(" \\fI", out);
        put(out, o->metavar);
        fputs("\\fR", out);
    }
    fputc('\n', out);
    put(out, o->help);
    if (o->required)
        fputs(" (required)", out);
    if (o->repeatable)
        fputs(" (repeatable)", out);
    fputc('\n', out);
}

static void put_examples(FILE *out, const char *verb)
{
    int n = 0;
    for (int i = 0; cli_example_at(i); i++) {
        const cli_example *e = cli_example_at(i);
        if (strcmp(e->verb, verb) != 0)
            continue;
        if (n++ == 0)
            fputs(".PP\nExamples:\n", out);
        fputs(".PP\n.RS 4\n.nf\n\\fB", out);
        put(out, e->command);
        fputs("\\fR\n.fi\n.RS 4\n", out);
        put(out, e->what);
        fputs("\n.RE\n.RE\n", out);
    }
}

static void put_verb(FILE *out, const cli_doc *d)
{
    fputs(".SS \"", out);
    put(out, d->name);
    fputs("\"\n.B chokepoint ", out);
    put(out, d->name);
    fputs("\n", out);
    put(out, d->usage);
    fputs("\n.PP\n", out);
    put(out, d->summary);
    fputs(".\n", out);
    if (d->details)
        put_details(out, d->details);
    if (d->nopts) {
        fputs(".PP\nOptions:\n", out);
        for (int i = 0; i < d->nopts; i++)
            put_option(out, &d->opts[i]);
        fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nshow the verb's help and exit\n", out);
    }
    put_examples(out, d->name);
}

int cli_doc_man(FILE *out)
{
    fputs(".\\\" chokepoint(1): written by 'chokepoint help --man' from the verbs' option\n"
          ".\\\" tables (cli/doc_man.c); do not edit.\n", out);
    fprintf(out, ".TH CHOKEPOINT 1 \"\" \"chokepoint %s\" \"chokepoint manual\"\n", CKP_VERSION);
    /* no hyphenation, ragged right: commands and file names stay whole */
    fputs(".nh\n.ad l\n", out);
    fputs(".SH NAME\n"
          "chokepoint \\- a strategic\\-trade monitor: dependencies, export controls, the\n"
          "detours around them, listed parties\n"
          ".SH SYNOPSIS\n"
          ".B chokepoint\n.I VERB\n[\\fIoptions\\fR] [\\fIargs\\fR]\n.br\n"
          ".B chokepoint help\n.I VERB\n.br\n"
          ".B chokepoint \\-\\-version\n"
          ".SH DESCRIPTION\n"
          "chokepoint follows trade in critical minerals and dual\\-use goods and answers\n"
          "where a country relies on one supplier, where an export control bites, where\n"
          "trade detours through third countries, and whether a shipment goes to or\n"
          "through a listed party.\n"
          ".PP\n"
          "Countries are ISO 3166 alpha\\-3 codes, though any code or name is accepted.\n"
          "HS arguments are 2, 4 or 6 digits (a prefix selects every code under it) or a\n"
          "named group (\\fBantimony\\fR, \\fBgraphite\\fR, \\fBchpl\\-tier1\\fR, a measure id\n"
          "such as \\fBCN\\-2024\\-46\\fR; \\fBchokepoint hs \\-\\-list\\fR lists them).\n"
          "Periods are YYYY or YYYY\\-MM.  The analysis verbs read the real sources of\n"
          "the store unless \\fB\\-\\-source\\fR says otherwise (never real and synthetic\n"
          "together: a mix is refused), and write a table on a terminal, CSV otherwise,\n"
          "or JSON Lines with \\fB\\-\\-format json\\fR; every CSV and JSON row ends\n"
          "with \\fBsynthetic\\fR and \\fBsources\\fR.\n"
          ".SH VERBS\n",
          out);
    cli_doc d;
    for (int i = 0; i < cli_doc_count(); i++) {
        if (cli_doc_get(i, &d) != 0)
            return 1;
        fputs(".TP\n.B ", out);
        put(out, d.name);
        fputc('\n', out);
        put(out, d.summary);
        fputc('\n', out);
    }
    fputs(".SH \"THE VERBS IN FULL\"\n", out);
    for (int i = 0; i < cli_doc_count(); i++) {
        if (cli_doc_get(i, &d) != 0)
            return 1;
        put_verb(out, &d);
    }
    fputs(".SH \"EXIT STATUS\"\n"
          "0 success (for \\fBscreen\\fR: every row screened, no alert); 1 error (for\n"
          "\\fBscreen\\fR: every row screened, at least one alert); 2 usage error; 3 for\n"
          "\\fBscreen\\fR: at least one row could not be screened, or the run failed.\n"
          ".SH ENVIRONMENT\n"
          ".TP\n.B CHOKEPOINT_STORE\nthe store when \\fB\\-\\-store\\fR is not given "
          "(default ./chokepoint.store)\n"
          ".TP\n.B CHOKEPOINT_DATA\nthe reference data directory (default: the installed "
          "or built\\-in one)\n"
          ".TP\n.B CHOKEPOINT_DB\nthe case decisions of \\fBserve\\fR (default "
          "./chokepoint\\-cases.db)\n"
          ".TP\n.B CHOKEPOINT_GROUPS\nextra product groups: CSV files name,codes,description, "
          "separated by ':'\n"
          ".SH \"SEE ALSO\"\n"
          "The README and docs/*.md of the source tree: analytics.md, evasion.md,\n"
          "screening.md, report.md, server.md, store.md, synth.md, scale.md.\n",
          out);
    return 0;
}

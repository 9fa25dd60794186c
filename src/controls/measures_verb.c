/* measures_verb.c — the `measures` verb: list the register, filtered by
 * issuer, HS code, target and the date a measure is in force. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "chokepoint/measures.h"

static const ckp_param params[] = {
    {"issuer", CKP_PARAM_STR, "C", "issuing country (ISO3) or EU; a member state matches EU measures",
     0, 1},
    {"hs", CKP_PARAM_STR, "H", "HS codes, prefixes or a group: measures covering any of them", 0,
     1},
    {"in-force", CKP_PARAM_STR, "DATE", "only measures in force on DATE (YYYY-MM-DD or 'today')",
     0, 1},
    {"target", CKP_PARAM_STR, "C", "only measures covering exports to C", 0, 1},
    {"kind", CKP_PARAM_STR, "K", "licence, ban, sanction, entity or list", 0, 1},
    {"measures", CKP_PARAM_STR, "FILE", "add a user measures file (measures.csv format)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column columns[] = {
    {"id", CKP_COL_STR, 0},          {"issuer", CKP_COL_STR, 0},
    {"targets", CKP_COL_STR, 0},     {"kind", CKP_COL_STR, 0},
    {"announced", CKP_COL_STR, 0},   {"effective", CKP_COL_STR, 0},
    {"lifted", CKP_COL_STR, 0},      {"hs_edition", CKP_COL_INT, CKP_NOGROUP},
    {"hs_count", CKP_COL_INT, 0},    {"hs", CKP_COL_STR, 0},
    {"title", CKP_COL_STR, 0},       {"source", CKP_COL_STR, 0},
    {"notes", CKP_COL_STR, 0},       {"where", CKP_COL_STR, 0}};

/* 1 when the measure's set shares a code with the user's set. */
static int overlaps(const ckp_measure *m, const ckp_hsset *want)
{
    uint32_t cur = 0, code;
    while (ckp_hsset_next(want, &cur, &code))
        if (ckp_hsset_has(m->hs, code))
            return 1;
    return 0;
}

static void date_cell(ckp_writer *w, int32_t d)
{
    char buf[12];
    if (d < 0)
        ckp_writer_null(w);
    else
        ckp_writer_str(w, ckp_measure_date_format(d, buf));
}

static ckp_status run(ckp_env *env, const ckp_args *args, ckp_writer *w, char *summary,
                      size_t summary_len, ckp_error *err)
{
    /* the table on a terminal: key columns first */
    ckp_writer_hint(w, "id issuer targets kind effective", "title");
    const ckp_ref *ref = env->ref;
    const char *issuer = ckp_args_get(args, "issuer");
    const char *file = ckp_args_get(args, "measures");
    const char *date_s = ckp_args_get(args, "in-force");
    const char *kind_s = ckp_args_get(args, "kind");
    int issuer_id = -1, target = -1, kind = 0;
    int32_t date = -1;
    ckp_hsset *want = NULL;
    ckp_measures *own = NULL;
    const ckp_measures *ms = NULL;
    ckp_status st;

    if (issuer && strcasecmp(issuer, "EU") != 0 && strcasecmp(issuer, "EUN") != 0) {
        st = ckp_args_country(args, ref, "issuer", 0, &issuer_id, err);
        if (st != CKP_OK)
            return st;
    }
    st = ckp_args_country(args, ref, "target", 0, &target, err);
    if (st != CKP_OK)
        return st;
    if (kind_s) {
        kind = ckp_measure_kind_parse(kind_s, strlen(kind_s));
        if (!kind)
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--kind: '%s' is not licence, ban, sanction, entity or list",
                                 kind_s);
    }
    if (date_s) {
        if (strcmp(date_s, "today") == 0) {
            date = (int32_t)(time(NULL) / 86400);
        } else if (ckp_date_parse(date_s, &date, NULL) != CKP_OK || date < 0) {
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--in-force takes YYYY-MM-DD or 'today' (got '%s')", date_s);
        }
    }
    st = ckp_args_hsset(args, ref, "hs", 0, &want, err);
    if (st != CKP_OK)
        return st;
    if (file) {
        st = ckp_measures_load(ref, env->data_dir, file, &own, err);
        ms = own;
    } else {
        st = ckp_measures_from_env(env, &ms, err);
    }
    if (st != CKP_OK)
        goto out;
    for (int i = 0; i < ckp_measures_reject_kept(ms) && i < 20; i++) {
        char buf[900];
        fprintf(stderr, "chokepoint: measures: warning: row rejected: %s\n",
                ckp_error_format(ckp_measures_reject_at(ms, i), buf, sizeof buf));
    }
    int shown = 0;
    for (int i = 0; i < ckp_measures_count(ms); i++) {
        const ckp_measure *m = ckp_measures_at(ms, i);
        if (issuer && !ckp_measure_issuer_is(m, issuer, issuer_id))
            continue;
        if (target >= 0 && !ckp_measure_targets(m, target))
            continue;
        if (kind && m->kind != kind)
            continue;
        if (date >= 0 && !ckp_measure_in_force(m, date))
            continue;
        if (want && !overlaps(m, want))
            continue;
        char where[300];
        snprintf(where, sizeof where, "%s:%ld", m->file, m->line);
        ckp_writer_str(w, m->id);
        ckp_writer_str(w, m->issuer_code);
        ckp_writer_str(w, m->targets_code);
        ckp_writer_str(w, ckp_measure_kind_name(m->kind));
        date_cell(w, m->announced);
        date_cell(w, m->effective);
        date_cell(w, m->lifted);
        ckp_writer_int(w, m->hs_edition);
        ckp_writer_int(w, m->nhs);
        ckp_writer_str(w, m->hs_codes);
        ckp_writer_str(w, m->title);
        ckp_writer_str(w, m->source);
        ckp_writer_str(w, m->notes);
        ckp_writer_str(w, where);
        st = ckp_writer_end_row(w);
        if (st != CKP_OK) {
            ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
            goto out;
        }
        shown++;
    }
    if (summary && summary_len) {
        long nrej = ckp_measures_reject_count(ms);
        snprintf(summary, summary_len, "%d of %d measures%s%s%s", shown, ckp_measures_count(ms),
                 date >= 0 ? " in force on " : "", date >= 0 ? (date_s ? date_s : "") : "",
                 nrej ? " (some rows rejected: see the warnings)" : "");
    }
out:
    ckp_hsset_free(want);
    ckp_measures_free(own);
    return st;
}

const ckp_verb ckp_verb_measures = {
    "measures",
    "[--issuer C] [--hs H] [--in-force DATE] [--target C] [--kind K] [--measures FILE]",
    "list export-control measures: issuer, targets, HS codes, kind and dates",
    "The register holds the shipped dated measures (data/controls/measures), the EU's\n"
    "HS6 sanctions on Russia (one measure per entry-into-force date, EU-RUS-YYYY-MM-DD)\n"
    "and the Common High Priority Items List (CHPL-1 … CHPL-4B).  A measure is in\n"
    "force from its effective date (else its announcement) until it is lifted.\n"
    "Bad rows of a --measures file are rejected with file:line; the rest loads.",
    params,
    0,
    0,
    columns,
    sizeof columns / sizeof columns[0],
    run};

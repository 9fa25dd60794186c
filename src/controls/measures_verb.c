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
    {"in-force", CKP_PARAM_STR, "DATE",
     "only measures in force on DATE (YYYY-MM-DD or 'today'; partly suspended ones included, "
     "wholly suspended ones not)",
     0, 1},
    {"target", CKP_PARAM_STR, "C",
     "only measures targeting C (destination of an export control, origin for an import ban)", 0,
     1},
    {"kind", CKP_PARAM_STR, "K", "licence, ban, sanction, entity, list, quota or suspension", 0,
     1},
    {"measures", CKP_PARAM_STR, "FILE", "add a user measures file (measures.csv format)", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

static const ckp_column columns[] = {
    {"id", CKP_COL_STR, 0},          {"issuer", CKP_COL_STR, 0},
    {"targets", CKP_COL_STR, 0},     {"kind", CKP_COL_STR, 0},
    {"announced", CKP_COL_STR, 0},   {"effective", CKP_COL_STR, 0},
    {"lifted", CKP_COL_STR, 0},      {"hs_edition", CKP_COL_INT, CKP_NOGROUP},
    {"hs_count", CKP_COL_INT, 0},    {"hs", CKP_COL_STR, 0},
    {"title", CKP_COL_STR, 0},       {"source", CKP_COL_STR, 0},
    {"notes", CKP_COL_STR, 0},       {"where", CKP_COL_STR, 0},
    {"direction", CKP_COL_STR, 0},   {"confidence", CKP_COL_STR, 0},
    {"status", CKP_COL_STR, 0},      {"suspension", CKP_COL_STR, 0},
    {"suspends", CKP_COL_STR, 0},    {"until", CKP_COL_STR, 0},
    {"hs_note", CKP_COL_STR, 0},     {"suspended_from", CKP_COL_STR, 0},
    {"suspended_until", CKP_COL_STR, 0}};

/* 1 when the measure's set shares a code with the user's set. */
static int overlaps(const ckp_measure *m, const ckp_hsset *want)
{
    uint32_t cur = 0, code;
    while (ckp_hsset_next(want, &cur, &code))
        if (ckp_hsset_has(m->hs, code))
            return 1;
    return 0;
}

/* "clause 2 … suspended 2025-11-09 to 2026-11-27 by CN-2025-72 (for USA)";
 * every suspension of the measure, '; '-joined. */
static void suspension_text(const ckp_measure *m, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->nsusp && at < len; i++) {
        const ckp_suspension *x = &m->susp[i];
        char d0[12], d1[12];
        int n = snprintf(buf + at, len - at, "%s%s%s%s %s%s%s by %s%s%s%s", at ? "; " : "",
                         x->clause[0] ? x->clause : "", x->clause[0] ? ": " : "",
                         x->end < 0 && x->until < 0 ? "lifted from" : "suspended",
                         ckp_measure_date_format(x->from, d0), x->until >= 0 ? " to " : "",
                         x->until >= 0 ? ckp_measure_date_format(x->until, d1) : "", x->by,
                         x->all_targets ? "" : " (for ", x->all_targets ? "" : x->targets_code,
                         x->all_targets ? "" : ")");
        if (n < 0)
            break;
        at += (size_t)n;
    }
    if (at >= len && len > 4)
        memcpy(buf + len - 4, "...", 4); /* 600 bytes hold any shipped row */
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
    ckp_writer_hint(w, "id issuer targets kind effective status", "title");
    const ckp_ref *ref = ckp_env_ref(env);
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
                                 "--kind: '%s' is not licence, ban, sanction, entity, list, "
                                 "quota or suspension",
                                 kind_s);
    }
    int32_t today = (int32_t)(time(NULL) / 86400);
    if (date_s) {
        if (strcmp(date_s, "today") == 0) {
            date = today;
        } else if (ckp_date_parse(date_s, &date, NULL) != CKP_OK || date < 0) {
            return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0,
                                 "--in-force takes YYYY-MM-DD or 'today' (got '%s')", date_s);
        }
    }
    int32_t status_day = date >= 0 ? date : today; /* the status column's day */
    st = ckp_args_hsset(args, ref, "hs", 0, &want, err);
    if (st != CKP_OK)
        return st;
    if (file) {
        st = ckp_measures_load(ref, ckp_env_data_dir(env), file, &own, err);
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
    int shown = 0, nocode = 0;
    for (int i = 0; i < ckp_measures_count(ms); i++) {
        const ckp_measure *m = ckp_measures_at(ms, i);
        if (issuer && !ckp_measure_issuer_is(m, issuer, issuer_id))
            continue;
        if (target >= 0 && !ckp_measure_targets(m, target))
            continue;
        if (kind && m->kind != kind)
            continue;
        const ckp_suspension *why;
        int state = ckp_measure_status(m, status_day, -1, &why);
        if (date >= 0 && state != CKP_STATE_IN_FORCE && state != CKP_STATE_PARTLY_SUSPENDED)
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
        ckp_writer_str(w, m->direction == CKP_DIR_IMPORT ? "import"
                          : m->direction == CKP_DIR_BOTH ? "both"
                                                         : "export");
        ckp_writer_str(w, m->confidence);
        ckp_writer_str(w, m->kind == CKP_MEASURE_SUSPENSION && state == CKP_STATE_LIFTED
                              ? "ended"
                              : ckp_measure_state_name(state, why));
        char susp[600];
        suspension_text(m, susp, sizeof susp);
        ckp_writer_str(w, susp);
        ckp_writer_str(w, m->suspends);
        date_cell(w, m->until);
        if (m->nhs == 0 && m->kind != CKP_MEASURE_SUSPENSION) {
            nocode++;
            ckp_writer_str(w, "no HS code stated: listed, but binds no shipment by code");
        } else {
            ckp_writer_str(w, "");
        }
        /* the suspension in effect on the status day, else the first one */
        const ckp_suspension *x = why ? why : m->nsusp ? &m->susp[0] : NULL;
        date_cell(w, x ? x->from : -1);
        date_cell(w, x ? x->until : -1);
        st = ckp_writer_end_row(w);
        if (st != CKP_OK) {
            ckp_error_set(err, st, NULL, 0, 0, "cannot write output");
            goto out;
        }
        shown++;
    }
    if (summary && summary_len) {
        long nrej = ckp_measures_reject_count(ms);
        char day[12], nc[96] = "";
        if (nocode)
            snprintf(nc, sizeof nc, "; %d without HS codes bind no shipment by code", nocode);
        snprintf(summary, summary_len, "%d of %d measures%s%s (status on %s)%s%s", shown,
                 ckp_measures_count(ms), date >= 0 ? " in force on " : "",
                 date >= 0 ? (date_s ? date_s : "") : "", ckp_measure_date_format(status_day, day),
                 nc, nrej ? " (some rows rejected: see the warnings)" : "");
    }
out:
    ckp_hsset_free(want);
    ckp_measures_free(own);
    return st;
}

CKP_VERB_DEFINE(measures, 10, 0) = {
    "measures",
    "[--issuer C] [--hs H] [--in-force DATE] [--target C] [--kind K] [--measures FILE]",
    "list export-control measures: issuer, targets, HS codes, kind and dates",
    "The register holds the shipped dated measures (data/controls/measures), the EU's\n"
    "HS6 sanctions on Russia (one measure per entry-into-force date, EU-RUS-YYYY-MM-DD)\n"
    "and the Common High Priority Items List (CHPL-1 … CHPL-4B).  A measure is in\n"
    "force from its effective date (else its announcement) until it is lifted,\n"
    "except while a suspension row (kind suspension) suspends it: wholly (status\n"
    "suspended) or one clause or some destinations (partly suspended: the rest\n"
    "binds).  It applies again the day after the suspension's `until`.  The\n"
    "status column is the status on --in-force DATE, else today.  Measures with\n"
    "no HS code are listed but bind no shipment by code (hs_note).\n"
    "Bad rows of a --measures file are rejected with file:line; the rest loads.",
    params,
    0,
    0,
    columns,
    sizeof columns / sizeof columns[0],
    run, NULL, NULL, 0};

/* measures.h — the measures register: dated export controls and control lists.
 *
 * A measure is one legal act that restricts trade in a set of HS6 codes from
 * one or more issuers to some (or every) destination, between dates.  The
 * register is loaded from the shipped files and, optionally, a user file:
 *
 *   data/controls/measures/measures.csv     hand-compiled dated measures
 *       id,issuer,targets,hs6,kind,announced,effective,lifted,title,source,notes
 *       (targets ';'-joined ISO3 or '*'; hs6 ';'-joined; dates YYYY-MM-DD).
 *       Optional columns: hs_edition (2017|2022; default 2022), the edition
 *       the codes are written in; direction (export|import|both; default
 *       export); confidence (high|medium); and, for rows of kind
 *       `suspension`, suspends (ids ';'-joined), clause (the part suspended;
 *       empty = the whole measure) and until (the last day suspended; empty
 *       = open-ended, i.e. that part is lifted).  A suspension's targets
 *       limit it to those destinations; its hs6 lists the codes concerned
 *       (for reference: it covers each named measure whole).  A measure
 *       applies again the day after `until` unless lifted.  An empty hs6 is
 *       allowed: the measure is listed but binds no shipment by code.  A
 *       user file has the same format and may suspend shipped measures.
 *   data/controls/eu-russia-hs6/EU_sanctions_HS6.csv   the EU's sanctions on
 *       Russia by HS6 (HS2017): one measure per entry-into-force date,
 *       id "EU-RUS-YYYY-MM-DD", issuer "EU", target RUS, kind sanction.
 *   data/controls/chpl/chpl_hs6_tiers.csv    the Common High Priority Items
 *       List (HS2022): one measure per sub-tier, id "CHPL-1", "CHPL-2",
 *       "CHPL-3A", "CHPL-3B", "CHPL-4A", "CHPL-4B", issuers EU;USA;GBR;JPN,
 *       targets RUS;BLR, kind list, effective 2024-02-23 (the list version).
 *
 * Issuers: the EU is not a country in the reference data.  An issuer code
 * "EU" (or "EUN", "EUR") stands for the 27 member states: the measure's
 * `issuers` array holds their country ids and `issuer_code` keeps "EU", so
 * "does this measure bind an exporter in Germany?" is ckp_measure_binds(m,
 * DEU).  Issuer fields may list several codes joined by ';'.
 *
 * HS sets: each measure's `hs` set holds the codes as written AND their
 * counterparts in the other shipped HS edition (2017 ⇄ 2022), so a measure
 * written in HS2022 applies to HS2017 data and vice versa.
 *
 * Bad rows: a row that cannot be read (unknown country, bad date, a bad
 * HS code, unknown kind, duplicate id, a suspension of an unknown measure
 * or one that ends before it starts…) is rejected with file:line and the
 * reason (ckp_measures_reject_count / _reject_at); the rest loads.  A missing
 * shipped file is not an error (the register is then smaller); a missing
 * user file is.
 *
 * Ownership: a ckp_measures owns every measure, string and HS set in it; the
 * pointers it hands out live until ckp_measures_free().  The register is
 * read-only once loaded and may be shared between threads.
 *
 * Life cycle: ckp_measures_load() → count/at/find/match… → ckp_measures_free().
 * ckp_measures_from_env() loads the shipped register once per ckp_env (its
 * env slot); the env frees it — do not free what it returns. */
#ifndef CHOKEPOINT_MEASURES_H
#define CHOKEPOINT_MEASURES_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"
#include "chokepoint/ref.h"
#include "chokepoint/verb.h"

typedef enum ckp_measure_kind {
    CKP_MEASURE_LICENCE = 1, /* a licence is required to export */
    CKP_MEASURE_BAN,         /* exports prohibited */
    CKP_MEASURE_SANCTION,    /* sanctions (EU HS6 list on Russia…) */
    CKP_MEASURE_ENTITY,      /* restrictions on listed end users */
    CKP_MEASURE_LIST,        /* a watch list of goods (CHPL): due diligence */
    CKP_MEASURE_QUOTA,       /* a quantity ceiling (licences up to a quota) */
    CKP_MEASURE_SUSPENSION   /* an act suspending (parts of) other measures */
} ckp_measure_kind;

/* Which way a measure restricts trade.  An export measure binds exporters in
 * the issuer's territory shipping to its targets; an import measure binds
 * the issuer's importers buying goods that originate in its targets (the
 * EU's ban on Russian aluminium: issuer EU, targets RUS). */
typedef enum ckp_measure_direction {
    CKP_DIR_EXPORT = 0,
    CKP_DIR_IMPORT,
    CKP_DIR_BOTH             /* a package with both (no code says which) */
} ckp_measure_direction;

/* Where a measure stands on a day (ckp_measure_status). */
typedef enum ckp_measure_state {
    CKP_STATE_NONE = 0,      /* before it was announced */
    CKP_STATE_ANNOUNCED,     /* announced, not yet effective */
    CKP_STATE_IN_FORCE,
    CKP_STATE_PARTLY_SUSPENDED, /* a clause or some destinations suspended
                                   (or lifted): the rest still binds */
    CKP_STATE_SUSPENDED,     /* wholly suspended: binds nothing */
    CKP_STATE_LIFTED
} ckp_measure_state;

/* One suspension of a measure, from the `suspension` row that orders it.
 * Days [from, end): end = the day after `until`, or the suspension row's
 * lifted date when earlier; -1 = open-ended (a part lifted for good). */
typedef struct ckp_suspension {
    const char *by;          /* id of the suspension row: "CN-2025-70" */
    int32_t from, until;     /* until: last day suspended as written; -1 none */
    int32_t end;             /* first day the measure applies again; -1 never */
    const char *clause;      /* "" = the whole measure; else the part */
    int all_targets;         /* 1 = for every destination */
    const int *targets;      /* else only for these */
    int ntargets;
    const char *targets_code;
} ckp_suspension;

typedef struct ckp_measure {
    const char *id;          /* "CN-2023-23", "EU-RUS-2022-02-25", "CHPL-1" */
    const char *issuer_code; /* as written: "CHN", "EU", "EU;USA;GBR;JPN" */
    const int *issuers;      /* ref country ids bound by the measure (EU →
                                its 27 members); nissuers ≥ 1 */
    int nissuers;
    int all_targets;         /* 1 = every destination ('*') */
    const int *targets;      /* ref country ids when !all_targets */
    int ntargets;
    const char *targets_code;/* as written: "*", "USA", "RUS;BLR" */
    const ckp_hsset *hs;     /* codes + their other-edition counterparts */
    const char *hs_codes;    /* as written, ';'-joined 6-digit codes */
    int nhs;                 /* number of codes as written */
    int hs_edition;          /* ckp_hs_edition the codes are written in */
    int kind;                /* ckp_measure_kind */
    int32_t announced;       /* days since 1970-01-01; -1 = not given */
    int32_t effective;       /* days; -1 = not given (then = announced) */
    int32_t lifted;          /* days the measure stopped applying (lifted or
                                suspended); -1 = still in force */
    const char *title;
    const char *source;      /* the legal act or publication */
    const char *notes;       /* "" when none */
    const char *file;        /* where it was read (for messages) */
    long line;
    int direction;           /* ckp_measure_direction */
    const char *confidence;  /* "high", "medium" or "" (not stated) */
    /* a suspension row: the ids it suspends (as written, ';'-joined), the
     * part (clause, "" = whole) and the last day suspended (-1 = open) */
    const char *suspends;
    const char *clause;
    int32_t until;
    /* the suspensions that other rows order on this measure, date order */
    const ckp_suspension *susp;
    int nsusp;
} ckp_measure;

typedef struct ckp_measures ckp_measures;

/* Load the shipped register from datadir (NULL = ckp_data_dir()) plus, when
 * extra is non-NULL, a user measures file in the measures.csv format.  Rows
 * that fail are rejected (see above) and do not fail the load; a missing or
 * unreadable user file, a user file without the required columns, or running
 * out of memory does (CKP_ENOTFOUND / CKP_EPARSE / CKP_ENOMEM).  A user row
 * whose id repeats a shipped id is rejected.  *out is freed with
 * ckp_measures_free(). */
ckp_status ckp_measures_load(const ckp_ref *ref, const char *datadir, const char *extra,
                             ckp_measures **out, ckp_error *err);
void ckp_measures_free(ckp_measures *ms);

/* Load one more measures file (measures.csv format) into ms. */
ckp_status ckp_measures_add_file(ckp_measures *ms, const char *path, ckp_error *err);

int ckp_measures_count(const ckp_measures *ms);
/* Measure i (0 … count-1) in load order, or NULL. */
const ckp_measure *ckp_measures_at(const ckp_measures *ms, int i);
/* By id (exact, case-insensitive), or NULL. */
const ckp_measure *ckp_measures_find(const ckp_measures *ms, const char *id);
/* A verb's --measure argument: the measure with that id in *out, or a usage
 * error naming the id when the register has none. */
ckp_status ckp_measures_arg(const ckp_measures *ms, const char *id, const ckp_measure **out,
                            ckp_error *err);

/* Rows rejected while loading: how many, and each one's file:line + reason
 * (only the first 1,000 are kept; the count is exact). */
long ckp_measures_reject_count(const ckp_measures *ms);
int ckp_measures_reject_kept(const ckp_measures *ms);
const ckp_error *ckp_measures_reject_at(const ckp_measures *ms, int i);

/* ---- questions about one measure ---------------------------------------- */

/* The date the measure starts applying: effective, else announced (-1). */
int32_t ckp_measure_start(const ckp_measure *m);
/* 1 when in force on day `date`: start ≤ date, (lifted < 0 or date <
 * lifted) and not wholly suspended on that day (a partly suspended measure
 * is in force: its other clauses bind).  A measure with no date at all is
 * taken as in force. */
int ckp_measure_in_force(const ckp_measure *m, int32_t date);
/* Where the measure stands on `date` for shipments to `destination` (ref
 * id; -1 = any): a suspension limited to some destinations wholly suspends
 * the measure for those, partly for "any".  *why (may be NULL) gets the
 * suspension in effect, or NULL. */
int ckp_measure_status(const ckp_measure *m, int32_t date, int destination,
                       const ckp_suspension **why);
/* "announced", "in force", "partly suspended", "suspended", "lifted"… */
const char *ckp_measure_state_name(int state, const ckp_suspension *why);
/* The first day the measure applied: its start, or the end of a suspension
 * that covered its start (a measure suspended before taking effect); -1
 * when it has not applied on any day up to its suspension's end. */
int32_t ckp_measure_first_applied(const ckp_measure *m);
/* 1 when a shipment from exporter to importer (ref ids; -1 = any) is the
 * kind of trade the measure restricts, by its direction. */
int ckp_measure_covers_flow(const ckp_measure *m, int exporter, int importer);
/* 1 when country (ref id) is one of the issuers (exporters bound by it). */
int ckp_measure_binds(const ckp_measure *m, int country);
/* 1 when shipments to country are covered (every destination, or listed). */
int ckp_measure_targets(const ckp_measure *m, int country);
/* 1 when issuer matches a user's --issuer argument: an issuer code as
 * written ("EU", "CHN") or a country id bound by it. */
int ckp_measure_issuer_is(const ckp_measure *m, const char *code, int country);

/* "licence", "ban", "sanction", "entity", "list", "quota", "suspension". */
const char *ckp_measure_kind_name(int kind);
/* Name → kind, or 0 when unknown (accepts "license" too). */
int ckp_measure_kind_parse(const char *s, size_t n);

/* Days since 1970-01-01 → "YYYY-MM-DD" into buf (≥ 11 bytes); "" for -1. */
char *ckp_measure_date_format(int32_t days, char *buf);

/* ---- the screening question -------------------------------------------- */

/* Call fn for every measure that covers HS code hs6 (in either edition) for
 * goods from `origin` (a country bound by the issuer; -1 = any) to
 * `destination` (-1 = any), in force on day `date` (-1 = ignore dates), in
 * load order.  fn returns nonzero to stop.  Returns the number of measures
 * reported. */
typedef int (*ckp_measure_fn)(const ckp_measure *m, void *ctx);
int ckp_measures_match(const ckp_measures *ms, uint32_t hs6, int origin, int destination,
                       int32_t date, ckp_measure_fn fn, void *ctx);

/* ---- shared register ---------------------------------------------------- */

/* The shipped register for this env, loaded on first use into its
 * env slot (the env owns and frees it).  Verbs that take a user file
 * (`--measures FILE`) call ckp_measures_load(ckp_env_ref(env),
 * ckp_env_data_dir(env), FILE, …) instead and free the result themselves. */
ckp_status ckp_measures_from_env(ckp_env *env, const ckp_measures **out, ckp_error *err);

/* The `measures` verb (listing). */
extern const ckp_verb ckp_verb_measures;

#endif

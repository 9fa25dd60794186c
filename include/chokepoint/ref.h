/* ref.h — reference data: countries, HS nomenclature, HS concordance, periods,
 * and named product groups.
 *
 * Loaded once from the data directory (ckp_ref_load) and then read-only, so
 * one ckp_ref can be shared by every verb and by the server's threads (the
 * one exception, ckp_ref_load_groups, must run before the ref is shared).
 * Loading takes about 15 ms of CPU (bench/bench_ref.sh; 5 of them for the
 * country names in other languages that ICU gives).
 *
 * Countries have a dense id (0 … ckp_ref_country_count()-1) that is stable for
 * one loaded ckp_ref, NOT across data versions: anything persisted (the store)
 * keeps ISO3 codes and maps them to ids when it is opened.
 *
 * HS codes are held as integers: a 6-digit subheading 010121 is 10121; the
 * level (2, 4, 6 digits) is carried separately where it matters.  Codes that
 * lost their leading zero are repaired by ckp_hs_parse (it pads to an even
 * length: "10121" → "010121").
 *
 * Life cycle: ckp_ref_load() → … → ckp_ref_free(); ckp_hsset_parse() →
 * ckp_hsset_free(). */
#ifndef CHOKEPOINT_REF_H
#define CHOKEPOINT_REF_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"

typedef struct ckp_ref ckp_ref;

/* ---- data directory ---------------------------------------------------- */

/* The data directory: $CHOKEPOINT_DATA, else <exe>/../share/chokepoint, else
 * <exe>/../data (a build tree), else ./data.  Returns a static string. */
const char *ckp_data_dir(void);

/* Load everything under datadir (NULL = ckp_data_dir()).  Files and formats
 * are listed in data/README.md.  Errors name the file and line. */
ckp_status ckp_ref_load(const char *datadir, ckp_ref **out, ckp_error *err);
void ckp_ref_free(ckp_ref *ref);

/* ---- countries --------------------------------------------------------- */

typedef struct ckp_country {
    char iso3[4];        /* "USA"; Comtrade-only areas get their own 3-letter
                            code where one is customary ("S19" for 490) */
    char iso2[3];        /* "" when none */
    int iso_num;         /* ISO 3166 numeric = M49 for countries; -1 none */
    int comtrade;        /* UN Comtrade reporter/partner code (842); -1 none */
    int baci;            /* BACI country code; -1 none */
    const char *name;    /* English short name */
    const char *name_ru; /* UNTERM Russian short name or NULL */
    const char *name_zh; /* UNTERM Chinese short name or NULL */
    int is_aggregate;    /* World, "Areas, nes", regions, bunkers, free zones,
                            historical areas (Fmr USSR…): never a country */
    int m49;             /* UN M49 code (= iso_num for countries, 1 for
                            World); -1 none */
    const char *kind;    /* "country", "world", "region", "special"
                            (bunkers, free zones, areas nes…), "historical" */
} ckp_country;

int ckp_ref_country_count(const ckp_ref *ref);
const ckp_country *ckp_ref_country(const ckp_ref *ref, int id);

/* The ISO alpha-3 code of country id, or "?" when id is not a country of
 * ref (negative, out of range): what every table, CSV and JSON row shows for
 * a country it cannot name.  Static or ref-owned; never NULL. */
const char *ckp_ref_iso3(const ckp_ref *ref, int id);

/* Exact code lookups; -1 when unknown. */
int ckp_ref_country_by_iso3(const ckp_ref *ref, const char *iso3);
int ckp_ref_country_by_iso2(const ckp_ref *ref, const char *iso2);
int ckp_ref_country_by_comtrade(const ckp_ref *ref, int code);
int ckp_ref_country_by_baci(const ckp_ref *ref, int code);
/* ISO 3166 numeric / M49 code (840 = USA, 158 = Taiwan). */
int ckp_ref_country_by_isonum(const ckp_ref *ref, int code);

/* Anything a user might type: ISO3, ISO2, a numeric code (Comtrade, M49,
 * BACI), an English/Russian/Chinese name or a common alias ("Türkiye",
 * "Turkey", "Taiwan", "South Korea"), case- and accent-insensitive.
 * Fills up to max ids (best first) and returns how many matched. */
int ckp_ref_country_find(const ckp_ref *ref, const char *query, int *ids, int max);

/* A name as it appears in real data files, with their noise: the exact
 * name first (as ckp_ref_country_find, names and codes), then the same name
 * with footnote markers glued on by the USGS tables stripped ("Japane",
 * "Russiae", "United States1", "World total (rounded)10"), then without a
 * trailing qualifier ("Brazil (beneficiated)", "Peru, crude borates").  A
 * stripped form is accepted only when it is a known name.  Returns the id or
 * -1 ("Other countries" → -1). */
int ckp_ref_country_find_loose(const ckp_ref *ref, const char *name);

/* A country argument as the verbs take it (ISO3 preferred, any unambiguous
 * form accepted) → id, or CKP_ENOTFOUND / CKP_EINVAL with a message naming
 * the closest candidates. */
ckp_status ckp_ref_country_arg(const ckp_ref *ref, const char *arg, int *id,
                               ckp_error *err);

/* ---- HS nomenclature --------------------------------------------------- */

typedef enum ckp_hs_edition {
    CKP_HS_UNKNOWN = 0,
    CKP_HS1992 = 1992, CKP_HS1996 = 1996, CKP_HS2002 = 2002, CKP_HS2007 = 2007,
    CKP_HS2012 = 2012, CKP_HS2017 = 2017, CKP_HS2022 = 2022
} ckp_hs_edition;

typedef struct ckp_hs_entry {
    uint32_t code;        /* as an integer */
    int level;            /* 2, 4 or 6 */
    const char *description;
    uint32_t parent;      /* integer code of the parent; 0 for chapters */
    const char *section;  /* "I" … "XXI" */
} ckp_hs_entry;

/* Look up a code in an edition (2017 or 2022 are shipped); NULL if absent. */
const ckp_hs_entry *ckp_ref_hs(const ckp_ref *ref, ckp_hs_edition ed,
                               uint32_t code, int level);

/* The name of an HS section ("XV" → "Base metals and articles of base
 * metal"), or NULL. */
const char *ckp_ref_hs_section_name(const ckp_ref *ref, const char *section);

/* Parse a code as written in data: digits only, 1–6 characters (a lost
 * leading zero is restored: "10121" → 10121 at level 6, "8542" level 4,
 * "811292" level 6); a float like "811292.0" is accepted.  Returns 0 and
 * sets *code, *level, or -1 when not an HS code. */
int ckp_hs_parse(const char *s, size_t n, uint32_t *code, int *level);

/* An HS code as people and national tariffs write it, folded to HS: what
 * ckp_hs_parse accepts, plus digit groups after a 4-digit heading separated
 * by dots or spaces ("8112.92", "2825 80", "2825.80.00", "8542.31.0000")
 * and national codes of 8 or 10 digits (EU CN8 "38011000", US HTS10), whose
 * digits past the sixth are dropped (7 or 9 digits are not a code: a lost
 * leading zero or a typo cannot be told apart).  Returns 0 and sets *code, *level, and *folded = 1 when digits
 * past the sixth were dropped (callers say so: a note, a counter); -1 when
 * not an HS code.  Every path that reads an HS code from a user or a
 * shipment (verb arguments, `hs`, ingest, screen) goes through this. */
int ckp_hs_fold(const char *s, size_t n, uint32_t *code, int *level, int *folded);

/* Write a code with its leading zeros ("010121") into buf (≥ 7 bytes). */
char *ckp_hs_format(uint32_t code, int level, char *buf);

/* ---- product keys: one integer for a code at any level ------------------
 * The store and the analyses keep a product as one uint32 key: an HS6 code
 * is its own key (0..999999); a heading hhhh (HS4) is CKP_HS_KEY_HS4 + hhhh,
 * a chapter cc (HS2) CKP_HS_KEY_HS2 + cc, and the total over every product
 * (Comtrade's "TOTAL") CKP_HS_KEY_TOTAL.  So "28" (chapter 28), "0028"
 * (heading 0028) and "000028" (HS6 000028) never collide, every key fits
 * the store's 20-bit product field, and aggregate keys sort after every
 * HS6 code.  Levels are 0 (TOTAL), 2, 4 and 6. */
#define CKP_HS_KEY_HS4 1000000u   /* … + 9999 */
#define CKP_HS_KEY_HS2 1010000u   /* … + 99 */
#define CKP_HS_KEY_TOTAL 1010100u
#define CKP_HS_KEY_MAX CKP_HS_KEY_TOTAL

/* The key of code at level (0 TOTAL — code ignored —, 2, 4, 6); the code
 * must be within its level (≤ 99, 9999, 999999), else CKP_HS_KEY_MAX + 1. */
uint32_t ckp_hs_key(uint32_t code, int level);
/* The level of a key (0, 2, 4, 6), -1 when it is not a key. */
int ckp_hs_key_level(uint32_t key);
/* The code of a key at its level (0 for TOTAL). */
uint32_t ckp_hs_key_code(uint32_t key);
/* The key of the level above (HS6 → its heading → its chapter → TOTAL);
 * TOTAL's parent is TOTAL. */
uint32_t ckp_hs_key_parent(uint32_t key);
/* 1 when key is anc or lies under it (TOTAL covers every key). */
int ckp_hs_key_under(uint32_t key, uint32_t anc);
/* A key as people write it: "TOTAL", "28", "2846", "284690" (buf ≥ 8
 * bytes). */
char *ckp_hs_key_format(uint32_t key, char *buf);
/* Its level as a word for output columns: "TOTAL", "HS2", "HS4", "HS6". */
const char *ckp_hs_level_name(int level);

/* HS2022 ↔ HS2017 concordance at 6 digits.  Fill up to max codes of the other
 * edition that `code` maps to (1:1, 1:n, n:1 and n:n all appear); returns how
 * many there are (may exceed max). */
int ckp_ref_hs_convert(const ckp_ref *ref, uint32_t code6, ckp_hs_edition from,
                       ckp_hs_edition to, uint32_t *out, int max);

/* The UNSD correlation puts some "parts of…" codes in huge n:n groups
 * (HS2022 852990 correlates with 483 HS2017 codes, 854151 with 157).  Above
 * this many counterparts the correlation is not used for sets (see
 * ckp_hsset_parse); ckp_ref_hs_convert_best gives the usable mapping. */
#define CKP_HS_FANOUT_MAX 16

/* UNSD's HS2022→HS2017 conversion table: the one HS2017 code each HS2022
 * code converts to (HS2022→HS2017), or the HS2022 codes that convert to an
 * HS2017 code (HS2017→HS2022).  Fills up to max; returns how many there are. */
int ckp_ref_hs_convert_best(const ckp_ref *ref, uint32_t code6, ckp_hs_edition from,
                            ckp_hs_edition to, uint32_t *out, int max);

/* Text search in descriptions (case-insensitive words, all must match) and
 * code prefixes; calls fn for each hit in code order; stops when fn returns
 * nonzero.  Returns number of hits reported. */
typedef int (*ckp_hs_visit)(const ckp_hs_entry *e, ckp_hs_edition ed, void *ctx);
int ckp_ref_hs_search(const ckp_ref *ref, ckp_hs_edition ed, const char *query,
                      ckp_hs_visit fn, void *ctx);

/* ---- product groups and HS sets --------------------------------------- */

/* A set of 6-digit HS codes (a bitmap over 000000–999999). */
typedef struct ckp_hsset ckp_hsset;

ckp_hsset *ckp_hsset_new(void);
void ckp_hsset_free(ckp_hsset *set);
void ckp_hsset_add(ckp_hsset *set, uint32_t code6);
/* Add every 6-digit code under a 2- or 4-digit prefix (0..99 / 0..9999),
 * or under TOTAL (level 0, prefix ignored), and mark the prefix as asked at
 * its level: its reported aggregate rows may answer (ckp_hsset_has_key). */
void ckp_hsset_add_prefix(ckp_hsset *set, uint32_t prefix, int level);
/* 1 when the 6-digit code is in the set (aggregate keys: never). */
int ckp_hsset_has(const ckp_hsset *set, uint32_t code6);
/* 1 when a product key (ckp_hs_key) of any level is wanted: an HS6 code in
 * the set, or an aggregate key that was asked (ckp_hsset_add_prefix) or
 * lies under one asked (heading 2846 under chapter 28, everything under
 * TOTAL).  Only level-aware readers use this (ckp_query.levels). */
int ckp_hsset_has_key(const ckp_hsset *set, uint32_t key);
/* 1 when exactly this aggregate key was asked for. */
int ckp_hsset_asked(const ckp_hsset *set, uint32_t key);
/* 1 when any aggregate level (TOTAL, a chapter, a heading) was asked for. */
int ckp_hsset_asks_levels(const ckp_hsset *set);
size_t ckp_hsset_count(const ckp_hsset *set);
/* Iterate members in increasing order: start with *cursor = 0; returns 1 and
 * sets *code6 while members remain. */
int ckp_hsset_next(const ckp_hsset *set, uint32_t *cursor, uint32_t *code6);

/* Parse an HS argument: comma-separated codes (2, 4 or 6 digits: a prefix
 * selects all codes under it and is asked at its level), TOTAL (every
 * product, asked as the total) and/or group names ("antimony", "chpl-tier1",
 * "CN-2024-46", case-insensitive).  The set also holds each listed 6-digit
 * code's counterparts in the other shipped HS edition (so an HS2022 list
 * applies to HS2017 data and back): a group's codes are converted from the
 * group's edition; a bare code is taken as HS2022 when it exists there (its
 * HS2017 predecessors are added), else as HS2017 (its HS2022 successors are
 * added).  A code with more than CKP_HS_FANOUT_MAX counterparts gets those
 * of ckp_ref_hs_convert_best instead.  A bad item gives CKP_EINVAL / CKP_ENOTFOUND naming it, with the
 * closest group names. */
ckp_status ckp_hsset_parse(const ckp_ref *ref, const char *arg, ckp_hsset **out,
                           ckp_error *err);

/* Add code6 and its counterparts in the other shipped edition, by the rule
 * of ckp_hsset_parse: edition is the one code6 is written in (2022, 2017) or
 * 0 = unknown (HS2022 when the code exists there, else HS2017); above
 * CKP_HS_FANOUT_MAX counterparts the conversion table is used.  Use this
 * rather than ckp_ref_hs_convert when building a set of codes to match. */
void ckp_hsset_add_code(const ckp_ref *ref, ckp_hsset *set, uint32_t code6, int edition);

/* Whether a stored row with code6 written in `edition` is inside a set made
 * by ckp_hsset_parse, concorded to HS2022 (docs/store.md, "HS editions"):
 * codes as written are in; an HS2017 or HS2012 code is in when every HS2022
 * code it correlates with is in the set (1:1 and n:1 join the series; a 1:n
 * split only when all its parts are asked), and an HS2022 code is in when
 * all its HS2017 codes are in a set written in HS2017.  Other editions (and
 * sets not made by ckp_hsset_parse) match as ckp_hsset_has.  The store's
 * scans select product blocks with this. */
int ckp_hsset_has_ed(const ckp_hsset *set, uint32_t code6, int edition);

/* Codes of another edition that overlap the set without lying inside it
 * (an HS2017 code split into HS2022 codes not all asked): their rows are
 * left out, never allocated.  Fills up to max codes and their editions;
 * returns how many there are (may exceed max). */
int ckp_hsset_ambiguous(const ckp_hsset *set, uint32_t *codes, int *editions, int max);
/* The i-th of them (i < 32) as a sentence for the user ("HS2017 811292
 * became HS2022 811231,811241,811292, not all asked: its rows are left out
 * …"); 0, or -1 when there is no such code or buf is too small. */
int ckp_hsset_ambiguity_note(const ckp_ref *ref, const ckp_hsset *set, int i, char *buf,
                             size_t n);

/* A short caption for a parsed set ("antimony: 5 HS6 codes"); owned by set. */
const char *ckp_hsset_label(const ckp_hsset *set);

typedef struct ckp_group {
    const char *name;        /* "antimony" */
    const char *description; /* "Antimony ores, unwrought metal, oxides" */
    const char *codes;       /* as written: "261710;811010;…" */
    const char *source;      /* "builtin", "measures.csv", "chpl", user file */
    int edition;             /* HS edition the codes are written in (2022,
                                2017) or 0 = unknown (then a code is taken
                                as HS2022 unless it exists only in HS2017) */
} ckp_group;

int ckp_ref_group_count(const ckp_ref *ref);
const ckp_group *ckp_ref_group(const ckp_ref *ref, int i);
const ckp_group *ckp_ref_group_find(const ckp_ref *ref, const char *name);

/* Load extra groups from a CSV `name,codes,description` (codes ';'-joined;
 * an optional `edition` column says 2017 or 2022).  A group named like an
 * existing one replaces it.  ckp_ref_load() already loads data/groups.csv,
 * the groups derived from data/controls (chpl, chpl-tier1…4, one per measure
 * id, eu-russia) and every file in $CHOKEPOINT_GROUPS (':'-separated). */
ckp_status ckp_ref_load_groups(ckp_ref *ref, const char *path, ckp_error *err);

/* ---- product caveats -------------------------------------------------- */

/* A basket code: one HS code (or every code under a 4-digit heading) that
 * holds several goods a user may take it for one of — 811292 is gallium,
 * germanium, indium, niobium and vanadium at once.  Loaded by ckp_ref_load
 * from data/ref/hs/caveats.csv (`hs,holds,caveat,sources`); every answer
 * about such a code, or a group that holds it, carries its caveat. */
typedef struct ckp_caveat {
    uint32_t code;       /* as an integer */
    int level;           /* 6 = this subheading, 4 = every code under it */
    const char *holds;   /* what the code holds */
    const char *caveat;  /* the sentence shown with the answer */
    const char *sources; /* what says so (nomenclature text, notes) */
} ckp_caveat;

/* Replace the caveats with those of a CSV `hs,holds,caveat,sources` (NULL
 * = the shipped data/ref/hs/caveats.csv, which ckp_ref_load reads): hs is
 * 4 or 6 digits, each listed once; the text fields are non-empty and hold
 * no '|'.  Errors name the file, line and field (then no caveat is left
 * loaded).  Like ckp_ref_load_groups, call before the ref is shared. */
ckp_status ckp_ref_load_caveats(ckp_ref *ref, const char *path, ckp_error *err);
int ckp_ref_caveat_count(const ckp_ref *ref);
const ckp_caveat *ckp_ref_caveat_at(const ckp_ref *ref, int i);
/* The caveat of a 6-digit code: its own row, else its heading's; NULL. */
const ckp_caveat *ckp_ref_caveat(const ckp_ref *ref, uint32_t code6);
/* The caveats of the basket codes set holds (a heading's when set holds
 * any code under it), in file order, joined by " | " into buf (size n).
 * Returns how many (0 and "" for none or a NULL set), or -1 and "" when
 * they do not fit. */
int ckp_hsset_caveat(const ckp_ref *ref, const ckp_hsset *set, char *buf, size_t n);

/* ---- periods ----------------------------------------------------------- */

/* A period is YYYYMM (monthly, MM 01–12) or YYYY00 (annual). */
#define CKP_PERIOD_YEAR(p) ((p) / 100)
#define CKP_PERIOD_MONTH(p) ((p) % 100)

/* ---- exchange rates ---------------------------------------------------- */

/* The monthly average rates of one currency against the US dollar, from
 * data/ref/fx/monthly.csv (Federal Reserve H.10; every row in units of the
 * currency per USD).  Life cycle: ckp_fx_load() → ckp_fx_per_usd()… →
 * ckp_fx_free().  Read-only after loading. */
typedef struct ckp_fx ckp_fx;

/* Load the rates of currency ("EUR" or "GBP") from ref's data directory.
 * Errors name the file and line: a rate outside the currency's plausible
 * range (a file quoted the other way round), a month given twice. */
ckp_status ckp_fx_load(const ckp_ref *ref, const char *currency, ckp_fx **out,
                       ckp_error *err);
/* Units of the currency per USD in month period (YYYYMM); NaN when the file
 * has no rate for that month (or period is annual).  USD = value / rate. */
double ckp_fx_per_usd(const ckp_fx *fx, int32_t period);
const char *ckp_fx_currency(const ckp_fx *fx);
/* "data/ref/fx/monthly.csv": where the rates come from, for messages. */
const char *ckp_fx_file(void);
void ckp_fx_free(ckp_fx *fx);

/* "2023" → 202300, "2023-08" / "202308" → 202308; -1 with err when invalid. */
ckp_status ckp_period_parse(const char *s, int32_t *period, ckp_error *err);

/* Date "YYYY-MM-DD" → days since 1970-01-01 (or -1 with err). */
ckp_status ckp_date_parse(const char *s, int32_t *days, ckp_error *err);
/* Days → YYYYMM period of the month containing it. */
int32_t ckp_date_period(int32_t days);

/* "2023" / "2023-08" into buf (≥ 8 bytes). */
char *ckp_period_format(int32_t period, char *buf);

#endif

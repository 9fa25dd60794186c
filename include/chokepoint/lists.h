/* lists.h — party lists (sanctions, export-control and entity lists) in memory.
 *
 * One ckp_lists holds the parties of every list loaded into it, each with its
 * names (primary name first, then aliases in any script), list, program,
 * listing date, countries (ISO3) and identifiers, so a hit can say which list
 * and why.  Loaders:
 *   - OFAC legacy CSV: sdn.csv (+ alt.csv aliases, + add.csv countries), no
 *     header, Latin-1, "-0-" nulls, a trailing 0x1A; aliases written inside
 *     the remarks ("a.k.a. 'BNC'") are taken too.  alt/add rows are joined to
 *     sdn rows by ent_num; rows whose ent_num is not in sdn.csv are counted
 *     (unjoined) and dropped — the shipped alt/add are newer than sdn.csv.
 *   - OpenSanctions FollowTheMoney JSON lines (streamed: one line in memory
 *     at a time, so files of OpenSanctions' full size load): plain entities or delta ops
 *     {"op": "ADD"|"MOD"|"DEL", "entity": …}, applied in file order; names
 *     from name/alias/previousName/weakAlias, countries from country,
 *     nationality, jurisdiction…, identifiers from registrationNumber,
 *     taxNumber, innCode, ogrnCode, imoNumber, passportNumber, idNumber…;
 *     non-party schemas (Address, Sanction…) are counted and skipped.
 *   - MOFCOM lists: id,lists,notice,notice_order,effective_date,region_cn,
 *     name_cn,name_en,entity_type_cn (Chinese and English names of one party).
 *   - generic CSV with a header: id,name,aliases,country,list,program
 *     (aliases and countries ';'-joined; optional columns listed, identifiers).
 * Every loader reads a file or a memory buffer (ckp_list_src); bad rows are
 * counted with the first one's line and reason in ckp_list_stats and skipped.
 *
 * After loading, a ckp_lists is read-only and may be shared by threads.
 * Life cycle: ckp_lists_new() → ckp_lists_load_*()… → ckp_lists_free().
 * Strings handed out are owned by the ckp_lists. */
#ifndef CHOKEPOINT_LISTS_H
#define CHOKEPOINT_LISTS_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"
#include "chokepoint/ref.h"

typedef struct ckp_lists ckp_lists;

typedef struct ckp_party {
    const char *id;          /* "ofac-306", an FtM id "NK-…", "mofcom-12", user id */
    const char *name;        /* primary name (its first name) */
    const char *list;        /* "OFAC-SDN", "OpenSanctions", "MOFCOM-ECL"… */
    const char *program;     /* "CUBA", "SDGT; IFSR", dataset names, notice; "" */
    const char *listed;      /* listing date YYYY-MM-DD; "" when the list has none
                                (the OFAC legacy CSV carries no dates) */
    const char *type;        /* "individual", "entity", "vessel", "aircraft",
                                FtM schema ("Person", "Company"…), "企业"… */
    const char *countries;   /* ISO3 codes ';'-joined; "" when unknown */
    const char *identifiers; /* "Tax ID No. 773407989940 (Russia); …"; "" */
    const char *birth;       /* dates of birth ';'-joined, each YYYY-MM-DD, YYYY-MM,
                                YYYY, YYYY..YYYY (a range) or ~YYYY (circa); ""
                                when the list gives none (OFAC remarks "DOB …",
                                FtM birthDate) */
    const char *source;      /* file it came from */
    const char *referents;   /* FtM: the ids merged into this one (OpenSanctions
                                "referents"), ';'-joined; "" for other lists */
    uint32_t nnames;         /* names of this party in the list (see ckp_party_name) */
    int deleted;             /* 1 when a later delta op removed it */
} ckp_party;

typedef enum ckp_name_role { CKP_NAME_PRIMARY = 0, CKP_NAME_ALIAS, CKP_NAME_WEAK } ckp_name_role;

typedef struct ckp_party_name {
    uint32_t party;   /* index of its party */
    const char *name; /* as written (UTF-8) */
    uint8_t role;     /* ckp_name_role */
} ckp_party_name;

typedef struct ckp_list_src {
    const char *path; /* file to read ("-" = stdin), and the name in messages */
    const char *buf;  /* when non-NULL: read these len bytes instead of path */
    size_t len;
} ckp_list_src;

typedef struct ckp_list_stats {
    uint64_t rows;          /* input records read */
    uint64_t parties;       /* parties added */
    uint64_t names;         /* names added */
    uint64_t bad;           /* records rejected (see first_bad) */
    uint64_t unjoined;      /* alt/add rows (OFAC) whose ent_num is not in sdn.csv */
    uint64_t skipped;       /* records that are not parties (FtM Address…) */
    uint64_t deleted;       /* parties removed by DEL/MOD ops */
    char first_bad[600];    /* "file:line: reason" of the first bad record; "" */
} ckp_list_stats;

ckp_status ckp_lists_new(ckp_lists **out, ckp_error *err);
void ckp_lists_free(ckp_lists *lists);

/* Loaders.  ref may be NULL (then countries stay empty except ISO codes
 * given as such).  stats may be NULL; when given it is added to. */
ckp_status ckp_lists_load_ofac(ckp_lists *lists, const ckp_list_src *sdn,
                               const ckp_list_src *alt, const ckp_list_src *add,
                               const ckp_ref *ref, ckp_list_stats *stats, ckp_error *err);
ckp_status ckp_lists_load_ftm(ckp_lists *lists, const ckp_list_src *src, const ckp_ref *ref,
                              ckp_list_stats *stats, ckp_error *err);
ckp_status ckp_lists_load_mofcom(ckp_lists *lists, const ckp_list_src *src,
                                 const ckp_ref *ref, ckp_list_stats *stats, ckp_error *err);
ckp_status ckp_lists_load_csv(ckp_lists *lists, const ckp_list_src *src, const ckp_ref *ref,
                              ckp_list_stats *stats, ckp_error *err);

/* Progress while a large file loads (the FtM loader, which streams: it
 * holds one line at a time, never the whole file): fn(file, bytes read,
 * bytes in all (0 = unknown: stdin), ctx) every 4 MiB and once at the end.
 * fn NULL = none. */
typedef void (*ckp_lists_progress_fn)(const char *file, uint64_t done, uint64_t total,
                                      void *ctx);
void ckp_lists_set_progress(ckp_lists *lists, ckp_lists_progress_fn fn, void *ctx);

/* Load a list set.  spec is comma-separated; each item is a shipped list
 * ("ofac", "opensanctions", "mofcom"; "all" = the three) read from
 * <datadir>/parties/, or a file: "*.json"/"*.jsonl" = FtM, a file whose
 * header has name_cn = MOFCOM, a CSV whose first field is a number = OFAC
 * sdn.csv (alt.csv/add.csv beside it are used when present), any other CSV =
 * generic.  spec NULL or "" = "all".  datadir NULL = ckp_data_dir(). */
ckp_status ckp_lists_load_spec(ckp_lists *lists, const char *spec, const char *datadir,
                               const ckp_ref *ref, ckp_list_stats *stats, ckp_error *err);

size_t ckp_lists_party_count(const ckp_lists *lists);
const ckp_party *ckp_lists_party(const ckp_lists *lists, size_t i);
size_t ckp_lists_name_count(const ckp_lists *lists);
const ckp_party_name *ckp_lists_name(const ckp_lists *lists, size_t i);
/* The party with this id, or NULL (deleted parties are not found). */
const ckp_party *ckp_lists_find(const ckp_lists *lists, const char *id);

#endif

/* ref_int.h — what the files of the reference-data module (src/ref/)
 * share: the layout of ckp_ref, its string arena, and the loaders each file
 * contributes to ckp_ref_load().  Not a public header. */
#ifndef CHOKEPOINT_REF_INT_H
#define CHOKEPOINT_REF_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "chokepoint/csv.h"
#include "chokepoint/ref.h"
#include "io/csv_table.h"

/* Limits: reference tables are small; anything past these is a broken file. */
#define REF_ARENA_MAX ((size_t)256 << 20) /* bytes of strings and tables */
#define REF_MAX_COUNTRIES 2048
#define REF_MAX_NAMES 32768               /* name index slots (half may be used) */
#define REF_MAX_HS 65536                  /* entries per HS edition */
#define REF_MAX_PAIRS 262144              /* concordance rows per step */
#define REF_MAX_GROUPS 4096
#define REF_MAX_GROUP_CODES 20000         /* codes in one group */
#define REF_MAX_CAVEATS 256              /* basket codes (caveats.csv) */
#define REF_CODE_SPACE 1000               /* numeric country codes 0..999 */

/* A chunked bump allocator: everything the ref owns lives here and is freed
 * at once by ckp_ref_free(). */
typedef struct ref_block {
    struct ref_block *next;
    size_t used, cap;
    _Alignas(16) char data[];
} ref_block;

typedef struct ref_arena {
    ref_block *head;
    size_t total; /* bytes allocated from malloc, checked against REF_ARENA_MAX */
} ref_arena;

/* One normalised name → country id (open addressing, power-of-2 capacity). */
typedef struct ref_name {
    const char *key; /* normalised (ckp__ref_norm); NULL = empty slot */
    int id;
    int alt;         /* -1, or a second country the same name is given to
                        by another language (the name is then ambiguous) */
    int weak;        /* 1 = a name in a further language (UNTERM French,
                        Spanish, Arabic; ICU/CLDR display names): it never
                        replaces a name of the primary sources */
} ref_name;

/* One shipped HS edition: entries in file (= hierarchical) order and an index
 * sorted by (level, code) for lookups. */
typedef struct ref_hs_table {
    ckp_hs_edition ed;
    ckp_hs_entry *entries;
    size_t n;
    uint32_t *index; /* positions into entries, sorted by level*1e6+code */
    const char **lower; /* lowercase descriptions for search; built on first
                           use under ckp_ref.lazy_lock, then read-only */
} ref_hs_table;

/* One concordance step between consecutive editions (newer ← older), each
 * pair stored twice: sorted by newer code and sorted by older code. */
typedef struct ref_pair {
    uint32_t a, b; /* a = key the array is sorted by, b = the other side */
} ref_pair;

typedef struct ref_step {
    ckp_hs_edition newer, older;
    ref_pair *by_newer; /* a = newer, b = older */
    ref_pair *by_older; /* a = older, b = newer */
    size_t n;
} ref_step;

typedef struct ref_group {
    ckp_group pub;
    uint32_t *codes; /* parsed codes, as integers */
    uint8_t *levels; /* 2, 4 or 6 per code */
    int ncodes;
} ref_group;

struct ckp_ref {
    ref_arena arena;
    char datadir[4096];

    /* countries */
    ckp_country *countries;
    int ncountries;
    int by_comtrade[REF_CODE_SPACE];
    int by_baci[REF_CODE_SPACE];
    int by_isonum[REF_CODE_SPACE];
    int *by_iso3;     /* ids sorted by iso3 */
    int *by_iso2;     /* ids with an iso2, sorted by iso2 */
    int nby_iso2;
    ref_name *names;  /* name index */
    size_t names_cap, names_n;
    uint32_t *names_used; /* the names_n filled slots of names, in the order
                             they were filled: scans read only these */

    /* HS */
    ref_hs_table hs[2]; /* [0] = HS2017, [1] = HS2022 */
    ref_step steps[2];  /* [0] = 2022←2017, [1] = 2017←2012 */
    ref_step conv;      /* UNSD conversion table: each HS2022 code → one HS2017 code */
    int nsteps;
    char **sections;    /* roman numeral → name, from sections.csv */
    int nsections;

    pthread_mutex_t lazy_lock; /* guards building hs[i].lower */

    /* groups */
    ref_group *groups;
    int ngroups;
    size_t capgroups;

    /* product caveats (caveats.c), in file order */
    ckp_caveat *caveats;
    int ncaveats;
};

/* Arena: n bytes aligned to 16, zeroed; NULL when out of memory or past the
 * limit.  ckp__ref_strdup copies n bytes and adds a NUL. */
void *ckp__ref_alloc(ckp_ref *ref, size_t n);
char *ckp__ref_strndup(ckp_ref *ref, const char *s, size_t n);
/* The same without zeroing (large tables filled at once). */
void *ckp__ref_alloc_raw(ckp_ref *ref, size_t n);

/* Sort v ascending by its low `bits` bits (LSD radix sort, 8 bits a pass;
 * values must be below 2^bits). */
void ckp__ref_sort_u64(uint64_t *v, size_t n, int bits);

/* <rel> under the ref's data directory into path (size n); an error when it
 * does not fit. */
ckp_status ckp__ref_path(const ckp_ref *ref, const char *rel, char *path, size_t n,
                         ckp_error *err);
/* ckp_table_load on data/<rel> under the ref's data directory, comma
 * separated: cols by name, row called for each record (csv_table.h). */
ckp_status ckp__ref_table(const ckp_ref *ref, const char *rel, const char *const *cols,
                          ckp_table_row_fn row, void *ctx, ckp_error *err);

/* Normalise a name for matching into buf (size n): Unicode case folding,
 * accents stripped, every run of non-letters/digits → one space, apostrophes
 * dropped, "&" → "and", a leading "the " dropped, trimmed.  Returns the
 * length, or 0 when nothing is left. */
size_t ckp__ref_norm(const char *s, size_t len, char *buf, size_t n);

/* One loading step, and a list of them run in order: the first error
 * stops the list and is returned. */
typedef ckp_status (*ckp__ref_step)(ckp_ref *ref, ckp_error *err);
ckp_status ckp__ref_steps(ckp_ref *ref, const ckp__ref_step *steps, size_t n, ckp_error *err);
#define CKP__REF_STEPS(ref, err, ...)                                                          \
    ckp__ref_steps(ref, (const ckp__ref_step[]){__VA_ARGS__},                                 \
                   sizeof((const ckp__ref_step[]){__VA_ARGS__}) / sizeof(ckp__ref_step), err)

/* Loaders called in order by ckp_ref_load(). */
ckp_status ckp__ref_load_countries(ckp_ref *ref, ckp_error *err);
ckp_status ckp__ref_load_hs(ckp_ref *ref, ckp_error *err);
ckp_status ckp__ref_load_builtin_groups(ckp_ref *ref, ckp_error *err);

/* The HS table of an edition, or NULL when it is not shipped. */
const ref_hs_table *ckp__ref_hs_table(const ckp_ref *ref, ckp_hs_edition ed);

/* Levenshtein distance between two byte strings, capped at cap+1. */
int ckp__ref_edit_distance(const char *a, size_t na, const char *b, size_t nb, int cap);

#endif

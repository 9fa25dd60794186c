/* lists_int.h — what the party-list loaders share (see lists.h):
 *   lists.c         the lists (parties, names, ids), building parties, CSV
 *                   helpers, list sets (--lists specs)
 *   lists_ofac.c    OFAC legacy CSV (sdn.csv + alt.csv)
 *   lists_ftm.c     OpenSanctions FollowTheMoney JSON lines
 *   lists_mofcom.c  MOFCOM's unreliable-entity and export-control lists
 *   lists_csv.c     the generic CSV (id,name,aliases,country,list,program) */
#ifndef CHOKEPOINT_LISTS_INT_H
#define CHOKEPOINT_LISTS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/csv.h"
#include "chokepoint/lists.h"
#include "io/csv_table.h"
#include "screen_int.h"

#define MAX_PARTIES (8u << 20)
#define MAX_NAMES (32u << 20)
#define MAX_JSON_LINE (64u << 20)

struct ckp_lists {
    ckp__arena arena;
    ckp__vec parties; /* ckp_party */
    ckp__vec names;   /* ckp_party_name */
    ckp__strmap byid; /* party id → index */
    ckp_lists_progress_fn progress; /* NULL or called while a file loads */
    void *progress_ctx;
    size_t read_chunk; /* bytes an FtM file is read by (0 = FTM_CHUNK; fuzzing) */
};

/* What a loader's row callback works on: the lists, the reference data
 * (countries), the counts and the file's name (in the lists' arena). */
typedef struct ckp__list_load {
    ckp_lists *l;
    const ckp_ref *ref;
    ckp_list_stats *st;
    const char *file;
} ckp__list_load;

/* ---- building parties and reading CSV (lists.c) ---- */

/* CKP_ENOMEM with "out of memory" in *err. */
ckp_status ckp__lists_oom(ckp_error *err);

/* Party i (valid until the next party is added). */
ckp_party *ckp__lists_party_at(ckp_lists *l, uint32_t i);

/* A new party with the given id (copied); a previous party with the same id
 * is marked deleted (the newer record wins).  Returns its index or -1. */
long ckp__lists_party_add(ckp_lists *l, const char *id, size_t idlen, ckp_list_stats *st);

/* 1 when s holds nothing but white space (a name name_add would drop). */
int ckp__lists_blank(const char *s);

/* Add a name (trimmed; empty names and exact duplicates of the party's
 * previous names are ignored).  Returns 0 or -1 when out of memory. */
int ckp__lists_name_add(ckp_lists *l, uint32_t party, const char *s, size_t n, ckp_name_role role,
                    ckp_list_stats *st);

/* Append ISO3 code c to the party's countries unless present. */
int ckp__lists_country_add(ckp_lists *l, uint32_t party, const char *iso3);

/* Append text to a ';'-joined field (identifiers, program). */
const char *ckp__lists_join_field(ckp_lists *l, const char *cur, const char *add, size_t addn);

/* A country as written (name, ISO2, ISO3) → ISO3 via ref; NULL when unknown. */
const char *ckp__lists_country_iso3(const ckp_ref *ref, const char *s);

/* Count a skipped record in st, keeping the first one's place and reason. */
void ckp__lists_note_bad(ckp_list_stats *st, const char *file, long line, const char *why);

/* The next record of csv: 1 a row, 0 the end or an error (*rc, *err set);
 * malformed rows are counted in st and skipped. */
int ckp__lists_next_row(ckp_csv *csv, const char *file, ckp_list_stats *st, ckp_status *rc,
                    ckp_error *err);

/* A CSV reader over src (header: first line is a header). */
ckp_status ckp__lists_csv_open_src(const ckp_list_src *src, int header, ckp_csv_encoding enc,
                               ckp_csv **out, ckp_error *err);

/* Field i trimmed, with the OFAC null "-0-" as empty, copied into buf.  A
 * field longer than buf is not cut: *cut is set to its column number + 1
 * (first one only) and the caller rejects the row, so that no listed name
 * or alias is loaded short. */
char *ckp__lists_fcopy(const ckp_csv *csv, size_t i, char *buf, size_t n, int *cut);

/* Reject a row with a field too long to keep (fcopy's cut); 1 when it was. */
int ckp__lists_cut_row(ckp_list_stats *st, const char *file, long line, int cut);

/* The name of src for messages. */
const char *ckp__lists_src_name(const ckp_list_src *src);

/* The same for asked column k of a table row (absent: empty). */
char *ckp__lists_tcopy(const ckp_table *t, size_t k, char *buf, size_t n, int *cut);

/* A list CSV with a header from src (file: its name in messages), through
 * ckp_table_load (csv_table.h: cols by name, "?name" optional): each row
 * counted in st->rows and handed to row; a malformed record is counted
 * (note_bad) and skipped. */
ckp_status ckp__lists_load_table(const ckp_list_src *src, const char *file,
                                 const char *const *cols, ckp_table_row_fn row, void *ctx,
                                 ckp_list_stats *st, ckp_error *err);

#endif

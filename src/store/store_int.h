/* store_int.h — what the store's reader (store_read.c), writer
 * (store_write.c) and file helpers (store_file.c) share: the on-disk layout
 * (docs/store.md), CRC32C and the generation directory helpers. */
#ifndef CHOKEPOINT_STORE_INT_H
#define CHOKEPOINT_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/store.h"

/* Format 2 (2026-12): products.idx may hold aggregate product keys
 * (ckp_hs_key: TOTAL, HS2, HS4 rows, sorted after every HS6 code).  Format
 * 1 stores (HS6 only) are read as they are and rewritten as 2 by the next
 * ingest; a chokepoint that reads only format 1 refuses a format 2 store
 * with "store format 2 is not supported". */
#define CKP__STORE_FORMAT 2
#define CKP__STORE_FORMAT_HS6 1 /* the oldest format still read */
#define CKP__STORE_MAGIC "chokepoint-store"
#define CKP__MAX_SOURCES 127   /* 7 bits of the sort key */
#define CKP__MAX_COUNTRIES 1024 /* 10 bits of the sort key */
#define CKP__MAX_ROWS 0xFFFFFFF0u /* row numbers are uint32 in alt.bin */

/* The column files of one generation, in manifest order. */
enum {
    CKP__F_COUNTRIES, /* countries.dict: 4 bytes per country, ISO3 + NUL, sorted */
    CKP__F_PERIODS,   /* periods.dict: int32 per period, ascending */
    CKP__F_SOURCES,   /* sources.dict: "name\tsynthetic[\tCUR[\tprovenance]]\n" per
                         source (CUR: the currency its values were converted
                         from to USD, "" none; provenance: fetch's query) */
    CKP__F_PRODUCTS,  /* products.idx: ckp__product per product, by (hs, edition) */
    CKP__F_RFP,       /* rfp.bits: bit ((source*ncountries+reporter)*4+flow)*nperiods+period
                         (stores before 2026-11-22: one bitmap for all sources) */
    CKP__F_REPORTER,  /* reporter.u16 */
    CKP__F_PARTNER,   /* partner.u16 */
    CKP__F_PERIOD,    /* period.u16 */
    CKP__F_FLAGS,     /* flags.u8: flow (2 bits), unit (4 bits), has-alt (1 bit) */
    CKP__F_SOURCE,    /* source.u8 */
    CKP__F_VALUE,     /* value.f64 */
    CKP__F_QTY,       /* qty.f32 (NaN = missing) */
    CKP__F_ALT,       /* alt.bin: ckp__alt per row that has value_alt, by row */
    CKP__F_COUNT
};

extern const char *const ckp__file_names[CKP__F_COUNT];

/* One product (HS code in one edition) and its rows [row_start, row_end). */
typedef struct ckp__product {
    uint32_t hs;
    uint32_t edition; /* ckp_hs_edition, 0 unknown */
    uint64_t row_start;
    uint64_t row_end;
} ckp__product;

typedef struct ckp__alt {
    uint32_t row;
    float value;
} ckp__alt;

/* flags byte */
#define CKP__FL_FLOW(f) ((f) & 3u)          /* 0 X, 1 M, 2 x, 3 m */
#define CKP__FL_UNIT(f) (((f) >> 2) & 15u)
#define CKP__FL_ALT 0x40u

int ckp__flow_code(int flow);      /* ckp_flowdir → 0..3, -1 invalid */
int ckp__flow_dir(unsigned code);  /* 0..3 → ckp_flowdir */
int ckp__edition_code(int edition); /* ckp_hs_edition → 0..7, -1 invalid */
int ckp__edition_of(unsigned code);

/* Period ↔ 12-bit sort code: (year-1900)*13 + month (0 = annual). */
int ckp__period_code(int32_t period); /* -1 when out of range */
int32_t ckp__period_of(int code);

/* CRC32C (Castagnoli), hardware-accelerated where available. */
uint32_t ckp__crc32c(uint32_t crc, const void *data, size_t n);

/* CKP_STORE_TIMING=1: print the seconds since the previous call, labelled
 * name, to stderr (name NULL starts the clock). */
void ckp__phase(const char *name);

/* Generation directories "gen-NNNNNN" in dir.  The CURRENT file names the
 * published one.  Returns 0 and the number, or -1 when there is none. */
int ckp__read_current(const char *dir, uint64_t *gen);
/* The state of dir/CURRENT: OK (*gen set), MISSING (no such file), or
 * DAMAGED (empty, unreadable, or not exactly "gen-N\n"; why says which). */
enum { CKP__CURRENT_OK, CKP__CURRENT_MISSING, CKP__CURRENT_DAMAGED };
int ckp__current_state(const char *dir, uint64_t *gen, char *why, size_t whylen);
/* The generation numbers of dir's gen-N directories, ascending (at most
 * max); returns how many. */
#define CKP__MAX_GENERATIONS 4096
int ckp__list_generations(const char *dir, uint64_t *gens, int max);
/* Open generation gen of dir, every byte checked (no stamp trusted). */
ckp_status ckp__store_open_generation(const char *dir, uint64_t gen, const ckp_ref *ref,
                                      ckp_store **out, ckp_error *err);
/* The newest generation of dir that opens and verifies in full: 0 and *gen
 * (its rows in *rows when not NULL), or -1 when none does.  Skips `skip`
 * (0 = none). */
int ckp__newest_intact(const char *dir, const ckp_ref *ref, uint64_t skip, uint64_t *gen,
                       uint64_t *rows);
/* Make gen the published generation: CURRENT.tmp, fsync, rename over
 * CURRENT, fsync dir (store_write.c). */
ckp_status ckp__publish(const char *dir, uint64_t gen, ckp_error *err);
void ckp__gen_path(const char *dir, uint64_t gen, char *buf, size_t n);

/* The parsed MANIFEST of a generation. */
typedef struct ckp__manifest {
    int format;          /* CKP__STORE_FORMAT_HS6 … CKP__STORE_FORMAT */
    uint64_t rows;
    uint64_t stat_reporters, stat_partners, stat_periods, stat_products;
    uint64_t size[CKP__F_COUNT];
    uint32_t crc[CKP__F_COUNT];
} ckp__manifest;

/* Read and check dir/gen-N/MANIFEST (its own checksum line included). */
ckp_status ckp__manifest_read(const char *gendir, ckp__manifest *m, ckp_error *err);
/* Read a small text file whose last line is "crc XXXXXXXX", the CRC32C of
 * every byte before it, into buf (cap bytes), cut before that line: 0; -1
 * when it cannot be opened (errno set), -2 when it is damaged. */
int ckp__read_crc_text(const char *path, char *buf, size_t cap);

/* The verified-columns stamp (store_stamp.c): one entry per column file. */
typedef struct ckp__stamp_entry {
    uint64_t size, ino;
    int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
    uint32_t crc;        /* the manifest's CRC the file was checked against */
    int valid;
} ckp__stamp_entry;
struct stat;
void ckp__stamp_of(const struct stat *sb, uint32_t crc, ckp__stamp_entry *e);
int ckp__stamp_same(const ckp__stamp_entry *a, const ckp__stamp_entry *b);
/* CKP_STORE_VERIFY=1: ignore stamps, check every byte. */
int ckp__stamp_forced(void);
/* Read gendir's stamp (all entries invalid when there is none, it is
 * damaged, or checks are forced). */
void ckp__stamp_read(const char *gendir, ckp__stamp_entry stamp[CKP__F_COUNT]);
/* Write gendir's stamp from every column's entry — unless one is missing or
 * changed in the last seconds; failures are ignored (read-only stores). */
void ckp__stamp_write(const char *gendir, const ckp__stamp_entry now[CKP__F_COUNT]);

/* An open store (store_read.c); the writer reads the old generation's
 * columns directly when merging. */
struct ckp_store {
    const ckp_ref *ref;
    char gendir[4096];
    uint64_t generation;
    ckp__manifest man;
    const void *map[CKP__F_COUNT];
    size_t mapsize[CKP__F_COUNT];
    ckp__stamp_entry stamp[CKP__F_COUNT];    /* as found at open */
    ckp__stamp_entry checked[CKP__F_COUNT];  /* each file as opened */
    int crc_checked;                         /* files whose bytes were checked */
    int full_check;                          /* trust no stamp: check every byte */
    uint64_t rows;
    int ncountries;
    int *country_id;    /* store index → ref id */
    int *country_index; /* ref id → store index or -1 */
    int nref;
    int nperiods;
    const int32_t *periods;
    size_t nproducts;
    size_t nproducts6;  /* products [0, nproducts6) are HS6; the rest are
                           aggregate keys (TOTAL, HS2, HS4) */
    const ckp__product *products;
    int nsources;
    char *source_text;  /* owned copy of sources.dict, names NUL-terminated */
    const char *source_name[CKP__MAX_SOURCES + 1];
    int source_synth[CKP__MAX_SOURCES + 1];
    char source_cur[CKP__MAX_SOURCES + 1][4]; /* currency converted from, "" none */
    const char *source_prov[CKP__MAX_SOURCES + 1]; /* provenance or NULL */
    unsigned char source_on[CKP__MAX_SOURCES + 1]; /* ckp_store_select_sources */
    const uint8_t *rfp;
    int rfp_per_source; /* 0: an older store's single bitmap for all sources */
    const uint16_t *reporter, *partner, *period;
    const uint8_t *flags, *source;
    const double *value;
    const float *qty;
    const ckp__alt *alt;
    size_t nalt;
    uint64_t bytes;
};

/* Parallel parsing.  ckp__writer_reserve makes room for `rows` more
 * staged rows in one block; ckp__writer_view hands out a staging-only
 * writer over `cap` of those rows starting at row `at` (at >= w's rows,
 * views disjoint), sharing w's tables (register sources on w first), for
 * another thread to fill with ckp_store_writer_add_line; it cannot grow.
 * ckp__writer_join appends a view's rows to w's — in place when they
 * already follow w's last row, else moved down — and frees the view;
 * ckp_store_writer_abort frees a view without joining it. */
ckp_status ckp__writer_reserve(ckp_store_writer *w, size_t rows, ckp_error *err);
ckp_store_writer *ckp__writer_view(const ckp_store_writer *w, size_t at, size_t cap);
ckp_status ckp__writer_join(ckp_store_writer *w, ckp_store_writer *view, ckp_error *err);
/* Map in a view's rows at once (cheaper than a page fault per page). */
void ckp__writer_populate(ckp_store_writer *view);

/* fsync a path (file or directory). */
int ckp__fsync_path(const char *path);

#endif

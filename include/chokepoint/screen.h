/* screen.h — screening shipments: one alert per hit, every reason spelled out.
 *
 * A shipment (CSV with a header, or JSON Lines; columns id, date, exporter,
 * exporter_country, importer, importer_country, origin, destination, transit,
 * hs, description, qty, unit, value, currency, and optionally parties: other
 * named parties (notify, forwarder, bank…) joined by ';'; others renamed
 * with a map) is
 * checked by four rules:
 *   goods      the HS code is under a measure in force on the date for that
 *              origin and destination (ckp_measures_match); under the CHPL or
 *              the EU's Russia HS6 list when the destination is RUS or BLR
 *              (whoever exports); or the description names a controlled good
 *              declared under another code ("antimony trioxide" as 3824:
 *              misdeclaration).
 *   party      exporter, importer or any named party matches a party-list
 *              entry at or above the threshold (match.h); one alert per hit.
 *   route      transit or destination through a hub ranked for the goods
 *              (evasion.h's ckp_hubs: from `diversion`, or a CSV
 *              hs,hub,destination,score[,rank,measure]); or a route that does not fit
 *              (importer in one country, goods declared to another; transit
 *              through the origin or destination; origin = destination).
 *   unitvalue  value/qty far off the product's distribution: robust z of
 *              log unit value against the median/MAD of the same HS6 in the
 *              flow store (USD/kg, when a store is given and holds ≥ uv_min
 *              flows of it), else of the same HS6 and unit in the file
 *              (≥ uv_min shipments); |z| > uv_z.
 *
 * Library use (the server calls the same functions): ckp_screener_new() →
 * ckp_screen_shipment()… → ckp_screen_finish() → ckp_screener_free(), or
 * ckp_screen_run() for a whole input written to a ckp_writer.  A screener is
 * one thread's state (a matcher, the unit-value observations, a name cache);
 * the config's index, measures and hubs are read-only and shareable.
 *
 * Ownership: alerts passed to callbacks live until the callback returns. */
#ifndef CHOKEPOINT_SCREEN_H
#define CHOKEPOINT_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"
#include "chokepoint/evasion.h"
#include "chokepoint/match.h"
#include "chokepoint/measures.h"
#include "chokepoint/output.h"
#include "chokepoint/ref.h"
#include "chokepoint/store.h"

struct ckp_shipment; /* below */

typedef struct ckp_screen_config {
    const ckp_ref *ref;           /* required */
    const ckp_index *index;       /* party lists; NULL = no party rule */
    const ckp_measures *measures; /* NULL = no measure-based goods rule */
    const ckp_hubs *hubs;         /* ranked rerouting hubs (evasion.h: from
                                     `diversion`, or ckp_hubs_load_csv of a CSV
                                     hs,hub,destination,score[,rank,measure]);
                                     NULL = only the route-consistency checks */
    double threshold;             /* party score threshold (CKP_MATCH_THRESHOLD) */
    int algorithm;                /* ckp_match_algorithm of the party matcher (default) */
    int party_hits;               /* alerts per party field at most (3) */
    const ckp_store *store;       /* when given, unit values in kg and USD are
                                     compared with the store's flows of the
                                     same HS6 (exports and imports, every
                                     period); NULL = the file is its own
                                     reference */
    double uv_z;                  /* |robust z| above this is an outlier (3.5) */
    int uv_min;                   /* shipments of one HS6+unit needed (8) */
    /* ckp_screen_run calls this with each shipment it screened (after its
     * alerts), in input order: for a caller that keeps the counterparties
     * screened (the case database, `lists update`).  A non-zero return
     * fails the run (CKP_EIO: the caller could not keep it).  NULL = none. */
    int (*on_shipment)(const struct ckp_shipment *sh, void *ctx);
    void *on_shipment_ctx;
} ckp_screen_config;

void ckp_screen_config_init(ckp_screen_config *c, const ckp_ref *ref);

/* One shipment, as read.  Country fields are ref ids (-1 = not given). */
#define CKP_MAX_TRANSIT 8
typedef struct ckp_shipment {
    const char *id;
    long line;            /* input line (0 = not from a file) */
    int32_t date;         /* days since 1970-01-01, -1 = not given */
    const char *date_text;
    const char *exporter, *importer; /* "" when not given */
    const char *exporter_ids, *importer_ids; /* identifiers (tax, LEI, passport…)
                                                ';'-joined; "" or NULL */
    const char *exporter_birth, *importer_birth; /* a person's date of birth
                                                    (YYYY[-MM[-DD]]); "" or NULL */
    int exporter_country, importer_country, origin, destination;
    int transit[CKP_MAX_TRANSIT];
    int ntransit;
    uint32_t hs;          /* integer code; hs_level 0 = not given */
    int hs_level;
    int hs_folded;        /* 1 when hs was a national 8- or 10-digit code (or
                             "2825.80.00"), folded to its HS6 (ckp_hs_fold) */
    const char *description;
    double qty, value;    /* NaN when not given */
    const char *unit, *currency;
    const char *parties;  /* other named parties, ';'-joined; "" or NULL */
    unsigned inferred;    /* CKP_SHIP_*_FROM_*: which of origin and destination
                             were empty and taken from the parties' countries
                             (the alert reasons say so) */
} ckp_shipment;

#define CKP_SHIP_ORIGIN_FROM_EXPORTER 1u /* origin empty: exporter_country */
#define CKP_SHIP_DEST_FROM_IMPORTER 2u   /* destination empty: importer_country */

typedef struct ckp_alert {
    const char *shipment; /* the shipment id */
    long line;
    const char *kind;     /* "goods", "party", "route", "unitvalue" */
    double score;         /* in [0,1]: how strong the hit is */
    const char *rule;     /* "CN-2024-46", "misdeclaration", "OFAC-SDN", "hub", … */
    const char *reason;   /* the whole reason in words */
    const char *matched;  /* a JSON object: what matched (measure, party…) */
} ckp_alert;

/* Return nonzero to stop. */
typedef int (*ckp_alert_fn)(const ckp_alert *a, void *ctx);

typedef struct ckp_screener ckp_screener;

ckp_status ckp_screener_new(const ckp_screen_config *cfg, ckp_screener **out, ckp_error *err);
void ckp_screener_free(ckp_screener *s);

/* Check one shipment (goods, party, route) and remember its unit value.
 * Returns the number of alerts reported, or -1 when a rule could not be
 * applied to it (out of memory building a match or an alert): the shipment
 * is then NOT screened, whatever alerts were reported before, and must be
 * counted and reported as such (ckp_screen_run does). */
int ckp_screen_shipment(ckp_screener *s, const ckp_shipment *sh, ckp_alert_fn fn, void *ctx);
/* Why the last ckp_screen_shipment() returned -1 (a name too long to be
 * compared whole, out of memory…); valid until the next call. */
const char *ckp_screener_failure(const ckp_screener *s);
/* The unit-value alerts over every shipment seen.  Returns their number, or
 * -1 when they could not all be computed (out of memory): the run failed. */
int ckp_screen_finish(ckp_screener *s, ckp_alert_fn fn, void *ctx);

/* ---- whole inputs -------------------------------------------------------- */

typedef struct ckp_screen_input {
    const char *path;  /* file or "-"; the name in messages */
    const char *buf;   /* when non-NULL read these len bytes instead */
    size_t len;
    const char *map;   /* "col=name,…": read our column col from their column name */
    int format;        /* 0 = detect ('{' first = JSON Lines), 'c' = CSV, 'j' = JSONL */
} ckp_screen_input;

typedef struct ckp_screen_stats {
    uint64_t shipments;  /* rows screened */
    uint64_t bad;        /* rows rejected (reported through bad_fn) */
    uint64_t alerts[4];  /* by kind: goods, party, route, unitvalue */
    uint64_t flagged;    /* shipments with at least one alert */
    uint64_t hs_folded;  /* screened shipments whose hs was a national code,
                            folded to HS6 (ckp_shipment.hs_folded) */
    double ms;           /* wall time */
} ckp_screen_stats;

/* Called for each rejected row with its file:line and reason. */
typedef void (*ckp_bad_row_fn)(const ckp_error *why, void *ctx);

/* Columns of alert rows: shipment, kind, score, reason, rule, matched, line. */
const ckp_column *ckp_screen_columns(size_t *ncols);
ckp_status ckp_screen_write_alert(ckp_writer *w, const ckp_alert *a);

/* Read every shipment of in, screen it, write the alerts to w (columns
 * above), then the unit-value alerts.  Fatal errors (unreadable input, a
 * --map naming no column, no id column) return non-zero. */
ckp_status ckp_screen_run(const ckp_screen_config *cfg, const ckp_screen_input *in,
                          ckp_writer *w, ckp_bad_row_fn bad_fn, void *bad_ctx,
                          ckp_screen_stats *st, ckp_error *err);

#endif

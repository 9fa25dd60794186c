/* report.h — the HTML report and its views, and the embedded web assets.
 *
 * The report is one self-contained HTML page over everything the store and
 * the registers hold.  It is assembled from *views*: a view runs one library
 * verb (verb.h) or one plain aggregate of the store, and returns a section as
 * JSON — title, caption (what it shows, where the data came from), whether
 * synthetic data is involved, the rows, and how to chart them.  The report
 * writes every view over every controlled product group into the page; the
 * server (`serve`) answers GET /api/view?name=…&… with the same sections for
 * the dashboard.  Nothing is computed twice in two places.
 *
 * Section JSON (one object):
 *   {"id", "title", "caption", "synthetic": bool, "sources": [names],
 *    "note": text or null (why a section is empty or degraded),
 *    "columns": [names], "rows": [objects as the verb's JSON rows],
 *    "chart": null or {"type": "line"|"bar"|"hbar", "x": field, "y": field,
 *                       "series": field or null, "markers": [{"at", "label"}],
 *                       "percent": bool}}
 * A verb that is not in this build, or that fails on the data, gives a
 * section with a note and no rows: a view never fails the whole report.
 *
 * Assets: web/ and the npm charting library are inlined at build time
 * (scripts/gen_assets.sh); ckp_asset_find() is the only way the server
 * serves files, so no path outside them is reachable.  Static data. */
#ifndef CHOKEPOINT_REPORT_H
#define CHOKEPOINT_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "chokepoint/error.h"
#include "chokepoint/verb.h"

/* ---- embedded assets ------------------------------------------------- */

typedef struct ckp_asset {
    const char *name;          /* "dashboard.html", "chart.js" */
    const char *type;          /* MIME type with charset */
    const unsigned char *data; /* NUL-terminated (data[len] == 0) */
    size_t len;
} ckp_asset;

/* The asset named `name` (exact match, no paths), or NULL. */
const ckp_asset *ckp_asset_find(const char *name);
/* Iterate: i = 0, 1, … until NULL. */
const ckp_asset *ckp_asset_at(int i);
/* 1 when the charting library was inlined (0: built without node_modules,
 * charts show a note instead). */
int ckp_assets_have_chartlib(void);

/* ---- views ----------------------------------------------------------- */

/* Names of the views, NULL-terminated: "measures", "exports", "dependency",
 * "chokepoints", "concentration", "production", "diversion", "mirror",
 * "unitvalue", "screen". */
extern const char *const ckp_report_views[];

/* Compute view `name` with parameters `args` (the verb's parameter names;
 * `exports` takes reporter, hs, partner-count, from, to, flow) and write the
 * section JSON (one object, no newline) to out.  from_server = 1 applies the
 * HTTP restrictions of the verbs' parameter tables.  Returns CKP_ENOTFOUND
 * for an unknown view, CKP_EUSAGE for bad parameters (err says which);
 * everything else (verb missing, no data) is a section with a note. */
ckp_status ckp_report_view(ckp_env *env, const char *name, const ckp_args *args,
                           int from_server, FILE *out, ckp_error *err);

/* Product groups the report covers, as JSON: [{"name", "hs", "label",
 * "issuer", "measures": [ids]}]: every named group that a measure controls,
 * else one group per measure.  Written to out. */
ckp_status ckp_report_groups(ckp_env *env, FILE *out, ckp_error *err);

/* ---- the report -------------------------------------------------------- */

typedef struct ckp_report_opts {
    const char *title;     /* NULL = "chokepoint report" */
    const char *shipments; /* NULL, or a shipments file to screen (CSV/JSONL) */
    int max_rows;          /* rows kept per table; 0 = 25 */
} ckp_report_opts;

typedef struct ckp_report_stats {
    int sections;  /* written */
    int degraded;  /* of which carry a note (verb missing, no data) */
    int synthetic; /* of which involve synthetic data */
    size_t bytes;  /* size of the page */
} ckp_report_stats;

/* Write the whole page to out.  stats may be NULL.  Fails only when out
 * fails or memory runs out; missing data degrades sections. */
ckp_status ckp_report_write(ckp_env *env, const ckp_report_opts *opts, FILE *out,
                            ckp_report_stats *stats, ckp_error *err);

#endif

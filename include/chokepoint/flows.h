/* flows.h — where the flows an analysis reads come from, behind one
 * interface (issue 14): the env's store (its --input shard included), or a
 * flow source set on the env — the summed partials `merge` replays, or a
 * shard writing its partial records (merge.h).
 *
 * An analysis never asks which one it reads: it collects rows through its
 * collector (src/analysis/scan.c, which hands the request to the source's
 * collect, or scans the store when none is set) and asks the questions
 * below of the env — how many countries and periods, whether a reporter
 * reports, which store sources the rows rest on.  The answers come from the
 * source when it gives them, else from the env's store (opened by
 * ckp_env_store; none open: 0 / -1 / NULL).
 *
 * Life cycle: a source is owned by whoever sets it (ckp_env_set_flows), and
 * must outlive its use; ckp_env_set_flows(env, NULL) goes back to the store. */
#ifndef CHOKEPOINT_FLOWS_H
#define CHOKEPOINT_FLOWS_H

#include <stdint.h>

#include "chokepoint/error.h"
#include "chokepoint/verb.h"

typedef struct ckp_flow_source {
    /* Hand over the rows a collector asks for (`collector`: the analysis's
     * request, a ckp__collect of src/analysis/analysis_int.h, opaque here):
     * through its emit callback, or written elsewhere (a shard's partial
     * records: the verb then sees no rows).  Required. */
    ckp_status (*collect)(void *self, const void *collector, ckp_error *err);
    /* The tables; NULL = the store's answer.  Countries by index (ISO3
     * order) → ref id; periods ascending; has as ckp_store_reporter_has. */
    int (*ncountries)(const void *self);
    int (*country)(const void *self, int index);
    int (*nperiods)(const void *self);
    int32_t (*period)(const void *self, int i);
    int (*has)(const void *self, int reporter, int flow, int32_t from, int32_t to);
    /* The i-th store source the rows were computed from (NULL past the
     * last), every one in use, with *synthetic; NULL = the store's. */
    const char *(*source)(const void *self, int i, int *synthetic);
    /* 1: no store stands behind the flows (merged partials): none is
     * opened, no coverage can be computed, the rows name every source. */
    int stand_alone;
    /* 1: the rows are handed over at HS6 only (a shard writing partials):
     * answers at TOTAL, chapter or heading rows of the store are refused. */
    int hs6_only;
    void *self;
} ckp_flow_source;

/* Set (NULL: clear) the flows of env.  Not owned. */
void ckp_env_set_flows(ckp_env *env, const ckp_flow_source *src);
/* The flows set on env; NULL = the store's. */
const ckp_flow_source *ckp_env_flows(const ckp_env *env);

/* The tables, from the source or the store (see above). */
int ckp_flows_ncountries(const ckp_env *env);
int ckp_flows_country(const ckp_env *env, int index);
int ckp_flows_nperiods(const ckp_env *env);
int32_t ckp_flows_period(const ckp_env *env, int i);
int ckp_flows_has(const ckp_env *env, int reporter, int flow, int32_t from, int32_t to);

/* The i-th store source an answer in env may rest on, NULL past the last:
 * *on (selected in the store; always 1 from a source), *synthetic, and
 * *currency (the currency its values were converted from, "" when none or
 * when the name says it already). */
const char *ckp_flows_source(const ckp_env *env, int i, int *on, int *synthetic,
                             const char **currency);

/* The source's flags (0 when the flows are the store's). */
int ckp_flows_stand_alone(const ckp_env *env);
int ckp_flows_hs6_only(const ckp_env *env);

#endif

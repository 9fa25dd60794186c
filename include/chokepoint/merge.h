/* merge.h — partial results of the analysis verbs on shards, and `merge`
 * (docs/scale.md).
 *
 * A verb that supports partials (ckp_partial_supported) can run on one shard
 * of the flows with --partial: instead of its rows it writes JSON Lines —
 * a header naming the verb, its parameters, the format version and an id, one
 * record per HS code × reporter × partner × flow (its periods with their
 * summed values and quantities, after the verb's own filters) and the
 * shard's tables (its periods; per reporter and flow the periods it
 * reports), then a trailer with the id and the count of lines between
 * header and trailer.  Nothing final (share, HHI, z-score, rank) is computed on a
 * shard.  `merge` reads partials (files or "-", in any order, headers
 * anywhere, as Hadoop's sort hands them over), checks that they come from
 * the same verb with the same parameters, sums them by key and runs the
 * verb's own code over the sums: the analysis modules read their flows
 * through one collector (src/analysis/scan.c) from the env's flows
 * (flows.h): the store, or the summed partials set as the env's flow
 * source, so the final rows are computed by one function.
 *
 * Life cycles: shard side ckp_partial_run() (one call); merge side
 * ckp_merge_run() (one call).  ckp_partial_* below are for the modules. */
#ifndef CHOKEPOINT_MERGE_H
#define CHOKEPOINT_MERGE_H

#include <stdio.h>

#include "chokepoint/error.h"
#include "chokepoint/output.h"
#include "chokepoint/verb.h"

/* Format version written in every header and checked by merge. */
#define CKP_PARTIAL_VERSION 2

typedef struct ckp_partial ckp_partial;

/* 1 when verb v can write partial results. */
int ckp_partial_supported(const ckp_verb *v);

/* Run v on env's store (or --input shard) and write its partial results to
 * out (JSON Lines).  Checks args (like ckp_verb_run_json) first. */
ckp_status ckp_partial_run(const ckp_verb *v, ckp_env *env, const ckp_args *args, FILE *out,
                           ckp_error *err);

/* Merge the partial files paths[0..n-1] ("-" = stdin) and write the verb's
 * final rows to out in fmt.  Each input must hold whole partials: every
 * header's trailer, with the count of lines between them (a lost header, a
 * cut tail, lost lines or an empty input are CKP_EPARSE naming the file);
 * a partial read twice is refused; expect > 0 = exactly that many partials
 * (CKP_EINVAL otherwise).  data_dir as ckp_env_new (registers the verb
 * may read: measures, production tables).  summary as ckp_verb.run.  The
 * verb run is returned in *verb_name (static string) for messages. */
ckp_status ckp_merge_run(const ckp_ref *ref, const char *data_dir, const char *const *paths,
                         int n, int expect, ckp_format fmt, FILE *out, const char **verb_name,
                         char *summary, size_t summary_len, ckp_error *err);

#endif

/* report_int.h — what the report's files share (views.c, page.c). */
#ifndef CHOKEPOINT_REPORT_INT_H
#define CHOKEPOINT_REPORT_INT_H

#include <jansson.h>

#include "chokepoint/report.h"

/* One product group the report covers (see ckp_report_groups). */
typedef struct ckp__rgroup {
    char name[64];      /* "gallium" or a measure id */
    char hs[512];       /* HS argument for the verbs: the group name or codes */
    char label[256];    /* description */
    int issuers[8];     /* single-country issuers of the measures on it */
    int nissuers;
    int targets[8];     /* single-country targets of those measures */
    int ntargets;
    char measures[512]; /* ids, ';'-joined */
} ckp__rgroup;

/* Fill up to max groups; returns how many. */
int ckp__report_group_list(ckp_env *env, ckp__rgroup *out, int max);

/* The 6-digit codes of HS argument hs_arg (a group name or codes) that the
 * store holds rows of in the selected sources, ascending, ','-joined into
 * buf (size n): two groups held as the same codes draw the same charts.
 * Returns how many, or -1 ("" in buf) when the store cannot be read or
 * they do not fit. */
int ckp__report_held_codes(ckp_env *env, const char *hs_arg, char *buf, size_t n);

/* Compute a view into a new section object (NULL only when out of memory or
 * on a usage error when from_server; err says which). */
json_t *ckp__report_view(ckp_env *env, const char *name, const ckp_args *args,
                         int from_server, int max_rows, ckp_error *err);

#endif

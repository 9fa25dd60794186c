/* reporters.h — the economies listed as UN Comtrade reporters, per year
 * (data/ref/reporters/reporters.csv, derived from Comtrade's reporter code
 * list by scripts/ref_reporters.py): the denominator of coverage
 * (coverage.h).  An upper bound of those that report in a given year: see
 * the file's PROVENANCE.txt.
 *
 * Life cycle: ckp_reporters_load() → ckp_reporters_count()… →
 * ckp_reporters_free(). */
#ifndef CHOKEPOINT_REPORTERS_H
#define CHOKEPOINT_REPORTERS_H

#include "chokepoint/error.h"

typedef struct ckp_reporters ckp_reporters;

/* Load a reporter list (columns iso3, from, to by name; from/to empty or a
 * year, from <= to).  Any bad row is CKP_EPARSE naming path:line (the list
 * is a denominator: a row skipped would make answers look fuller). */
ckp_status ckp_reporters_load(const char *path, ckp_reporters **out, ckp_error *err);
void ckp_reporters_free(ckp_reporters *l);

/* Economies listed for year y; *has_iso = 1 when iso3 (may be NULL) is one. */
int ckp_reporters_count(const ckp_reporters *l, int y, const char *iso3, int *has_iso);

#endif

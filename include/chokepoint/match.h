/* match.h — fuzzy, multi-script matching of names against party lists, with
 * an explanation for every hit.
 *
 * ckp_index is built once per list set (ckp_lists): every name is normalised
 * (names.h) into tokens; the index keeps a vocabulary with document
 * frequencies (IDF weights), postings (token → names), a one-deletion
 * neighbourhood of each token (typos: edit distance ≤ 2 found by lookup) and
 * the transliteration-variant keys (Mohammed/Muhammad, Sergei/Sergey).  It is
 * read-only once built and may be shared by any number of threads.
 *
 * ckp_matcher is one thread's scratch space (candidate accumulators, the ICU
 * transliterator): create one per thread.
 *
 * Scoring a query against one list name: tokens are aligned greedily, best
 * pairs first, order-free.  Token similarity is 1 for equal tokens; words of
 * ≤ 3 letters must be equal; longer words may differ by 1 edit (4–5 letters)
 * or 2 edits (6+), scored by the mean of Jaro-Winkler and 1 - edits/length;
 * equal transliteration keys of 3+ consonants score 0.90 (duks = dux,
 * sergei = sergey; not rima/rami); an initial matches a word with
 * that first letter (0.85); numbers must be equal; two adjacent tokens may
 * match one ("abdul hai" = "abdulhai", 0.95); a short word may be the acronym
 * of 3–6 consecutive words ("DTO" = "Drug Trafficking Organization", 0.90).
 * Legal forms, generic business words and stop words are ignored (listed in
 * the explanation) unless a name has nothing else.  With w the IDF weight of
 * the list token of each aligned pair (rare tokens weigh more):
 *     score = Σ sim·2w / (Σ 2w + U·(unmatched query weight + unmatched list weight))
 * with U = 0.6, so missing middle names cost less than wrong words (1 for
 * the query's words when the list name has a single word: a nickname
 * explains little of a longer name).  A hit needs at least one aligned word
 * or number (initials alone never match).
 * Country: when the query gives one and the party has any, agreement adds
 * 10 % of the gap to 1, disagreement subtracts 0.05.  Scores are in [0,1].
 * Default threshold CKP_MATCH_THRESHOLD, chosen on tests/data/match_eval.csv
 * (docs/screening.md).
 *
 * Life cycle: ckp_index_build() → ckp_matcher_new() → ckp_match()… →
 * ckp_matcher_free() → ckp_index_free().  The index does not own the lists:
 * free the lists after the index. */
#ifndef CHOKEPOINT_MATCH_H
#define CHOKEPOINT_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"
#include "chokepoint/lists.h"
#include "chokepoint/output.h"
#include "chokepoint/verb.h"

/* The default decision threshold (see docs/screening.md for how it was chosen). */
#define CKP_MATCH_THRESHOLD 0.80

typedef struct ckp_index ckp_index;
typedef struct ckp_matcher ckp_matcher;

typedef struct ckp_index_stats {
    size_t parties;    /* parties indexed (deleted ones are not) */
    size_t names;      /* names indexed */
    size_t tokens;     /* distinct tokens (vocabulary) */
    size_t variants;   /* one-deletion variants */
    double build_ms;   /* wall time of ckp_index_build */
} ckp_index_stats;

ckp_status ckp_index_build(const ckp_lists *lists, ckp_index **out, ckp_error *err);

/* Load a list set (ckp_lists_load_spec: spec NULL = every shipped list) and
 * build its index: *lists and *ix are the caller's (free the index first).
 * stats may be NULL. */
ckp_status ckp_index_load(const char *spec, const char *datadir, const ckp_ref *ref,
                          ckp_lists **lists, ckp_index **ix, ckp_list_stats *stats,
                          ckp_error *err);
void ckp_index_free(ckp_index *ix);

/* The shipped lists (all) and their index, loaded once per env into its
 * env slot (under the env's lock; the env owns and frees them).  For
 * the server and the report: share *out read-only between threads, give each
 * thread its own ckp_matcher. */
ckp_status ckp_index_from_env(ckp_env *env, const ckp_index **out, ckp_error *err);
ckp_index_stats ckp_index_get_stats(const ckp_index *ix);
const ckp_lists *ckp_index_lists(const ckp_index *ix);

ckp_status ckp_matcher_new(const ckp_index *ix, ckp_matcher **out, ckp_error *err);
void ckp_matcher_free(ckp_matcher *m);

/* How a query is scored against a list name. */
typedef enum ckp_match_algorithm {
    CKP_ALGO_DEFAULT = 0, /* the explained token matcher above, with its qualifiers */
    CKP_ALGO_OFAC         /* OFAC Sanctions List Search's published scoring (OFAC FAQ
                             249): Jaro-Winkler on the whole name, and per name part
                             the best Jaro-Winkler/Soundex pairing, averaged; the
                             higher of the two.  No qualifiers (country, schema…). */
} ckp_match_algorithm;

/* "default" / "ofac" → *out; -1 for another name. */
int ckp_match_algorithm_parse(const char *name, ckp_match_algorithm *out);

typedef struct ckp_match_opts {
    double threshold;    /* hits below are dropped; default CKP_MATCH_THRESHOLD */
    int limit;           /* at most this many hits (parties); default 10 */
    const char *country; /* ISO3 of the query's country, or NULL */
    const char *schema;  /* what the query names, as a FollowTheMoney schema:
                            "Person", "Company", "Organization", "LegalEntity"
                            (a person or an organisation: a shipment's
                            exporter or importer), "Vessel", "Airplane"; NULL =
                            unknown.  A name with a legal form is a Company. */
    const char *birth_date;  /* the query's date of birth, YYYY, YYYY-MM or YYYY-MM-DD,
                                or NULL: agreeing with the party's raises the score
                                (+30 % of the gap to 1 for the same day, +15 % for
                                the same year), a birth year more than one year
                                from every one the party has lowers it (x0.70) */
    const char *identifiers; /* the query's identifiers (passport, tax number, IMO,
                                LEI…) ';'-joined, or NULL: one equal to one of the
                                party's (letters and digits compared, a kind prefix
                                such as "IMO" optional) raises the score by half the
                                gap to 1; a different one says nothing */
    int explain;         /* 1 (default) = fill explanation */
    ckp_match_algorithm algorithm; /* default CKP_ALGO_DEFAULT */
} ckp_match_opts;

void ckp_match_opts_init(ckp_match_opts *o);

#define CKP_EXPLAIN_MAX 1024

typedef struct ckp_match_hit {
    const ckp_party *party;   /* owned by the lists */
    const char *matched_name; /* the party's name that scored best, as written */
    const char *name;         /* the party's primary name */
    double score;
    char explanation[CKP_EXPLAIN_MAX]; /* "" unless opts.explain */
} ckp_match_hit;

/* Match one name (UTF-8, n bytes).  Fills up to max hits (one per party, best
 * score first, ties by party id) and returns how many. */
int ckp_match(ckp_matcher *m, const char *name, size_t n, const ckp_match_opts *opts,
              ckp_match_hit *hits, int max);

/* 1 when the last name given to ckp_match() was longer than the normaliser
 * takes (CKP_NAME_MAX_BYTES bytes or CKP_NAME_MAX_TOKENS words, names.h) so
 * that only its beginning was compared: a caller that must not miss a listed
 * party treats that name as not screened. */
int ckp_match_query_cut(const ckp_matcher *m);

/* Score two names against each other with the index's IDF weights (for
 * `match --pairs`; no country adjustment).  explain (size n) may be NULL.
 * Returns the score in [0,1]. */
double ckp_match_pair(ckp_matcher *m, const char *a, size_t alen, const char *b, size_t blen,
                      char *explain, size_t n);
/* The same with an algorithm (CKP_ALGO_OFAC scores as OFAC's tool does). */
double ckp_match_pair_algo(ckp_matcher *m, ckp_match_algorithm algo, const char *a, size_t alen,
                           const char *b, size_t blen, char *explain, size_t n);

/* ---- output (shared by the CLI and the server) -------------------------- */

/* Columns of `match` rows: for json one row per query (query, hits[…]); for
 * table and csv one row per hit (query, rank, id, name, matched_name, list,
 * program, countries, score, explanation). */
const ckp_column *ckp_match_columns(ckp_format fmt, size_t *ncols);
/* Write the hits of one query as rows of a writer made with those columns.
 * A query without hits writes one JSON row with "hits": [] (json) or nothing
 * (table, csv). */
ckp_status ckp_match_write(ckp_writer *w, ckp_format fmt, const char *query,
                           const ckp_match_hit *hits, int nhits);

#endif

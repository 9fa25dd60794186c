/* verb.h — analysis verbs as data, shared by the CLI, the HTTP API and the
 * report.
 *
 * A verb is a ckp_verb: its parameters (one table, from which the CLI's
 * --help, the CLI's parsing and the HTTP API's query-string parsing all
 * derive), its output columns (the JSON field names of DESIGN.md) and a run
 * function that reads a ckp_env and a ckp_args and writes rows to a
 * ckp_writer.  The CLI (cli/verb_driver.c) parses argv into ckp_args; the
 * server parses ?name=value&… into the same ckp_args; the report calls run
 * with a JSON writer.  Nothing is computed twice in two places.
 *
 * Registry: a verb's module defines it with
 * `CKP_VERB_DEFINE(<name>, order, flows) = {…};` at the start of a line;
 * the build (scripts/gen_verbs.sh) gathers those lines into the registry
 * src/verb/verbs.c serves (order: the order of --help, the man page,
 * completion and /api/verbs; flows: ckp_verb_reads_flows).
 *
 * Life cycles: ckp_args_new() → ckp_args_free();
 * ckp_env_new() → (lazy loads) → ckp_env_free(). */
#ifndef CHOKEPOINT_VERB_H
#define CHOKEPOINT_VERB_H

#include <stddef.h>
#include <stdint.h>

#include "chokepoint/error.h"
#include "chokepoint/output.h"
#include "chokepoint/ref.h"
#include "chokepoint/store.h"

/* ---- parameters -------------------------------------------------------- */

typedef enum ckp_param_kind {
    CKP_PARAM_FLAG, /* present or not: "--mirror-only" / ?mirror-only=1 */
    CKP_PARAM_STR,  /* text (country, HS, period, file, id…) */
    CKP_PARAM_INT,
    CKP_PARAM_NUM,
    CKP_PARAM_LIST  /* repeatable text; also comma-separated */
} ckp_param_kind;

typedef struct ckp_param {
    const char *name;    /* without "--": "importer" */
    ckp_param_kind kind;
    const char *metavar; /* "C", "H", "P"; NULL for flags */
    const char *help;
    int required;        /* 1 = the verb fails without it */
    int server_ok;       /* 0 = not accepted over HTTP (e.g. a local file path) */
} ckp_param;

/* Parsed parameters: name → value(s) (copies), plus positionals. */
typedef struct ckp_args ckp_args;

ckp_args *ckp_args_new(void);
void ckp_args_free(ckp_args *a);
/* Add a value for name (repeatable). CKP_ELIMIT past 256 values in all. */
ckp_status ckp_args_set(ckp_args *a, const char *name, const char *value);
ckp_status ckp_args_add_pos(ckp_args *a, const char *value);

/* Last value given for name, or NULL. */
const char *ckp_args_get(const ckp_args *a, const char *name);
/* 1 when a flag was given (any value but "0"/"false"/"no"). */
int ckp_args_flag(const ckp_args *a, const char *name);
int ckp_args_count(const ckp_args *a, const char *name);
const char *ckp_args_nth(const ckp_args *a, const char *name, int i);
int ckp_args_npos(const ckp_args *a);
const char *ckp_args_pos(const ckp_args *a, int i);

/* Typed getters: when the parameter is absent *out = def and CKP_OK; when
 * present but malformed, CKP_EUSAGE with a message naming the parameter. */
ckp_status ckp_args_int(const ckp_args *a, const char *name, long def, long *out,
                        ckp_error *err);
ckp_status ckp_args_num(const ckp_args *a, const char *name, double def, double *out,
                        ckp_error *err);
/* A country parameter → ref id; absent → *id = -1 (CKP_EUSAGE if required). */
ckp_status ckp_args_country(const ckp_args *a, const ckp_ref *ref, const char *name,
                            int required, int *id, ckp_error *err);
/* An HS parameter (codes, prefixes, groups) → new set (caller frees);
 * absent → *set = NULL (CKP_EUSAGE if required). */
ckp_status ckp_args_hsset(const ckp_args *a, const ckp_ref *ref, const char *name,
                          int required, ckp_hsset **set, ckp_error *err);
/* --period P, or --from P / --to P → inclusive range (0 = open).  A year
 * period "2023" given with monthly data means 202301–202312: from and to are
 * returned as written (YYYY00 for a year); see ckp_period_covers(). */
ckp_status ckp_args_periods(const ckp_args *a, int32_t *from, int32_t *to,
                            ckp_error *err);
/* 1 when period p (YYYYMM or YYYY00) falls in [from, to] where a bound of the
 * form YYYY00 covers the whole year; 0 bounds are open. */
int ckp_period_covers(int32_t from, int32_t to, int32_t p);

/* Check args against a parameter table: unknown names, missing required
 * ones, wrong kinds, and (when from_server) parameters not allowed over
 * HTTP.  CKP_EUSAGE with a message naming the parameter. */
ckp_status ckp_args_check(const ckp_args *a, const ckp_param *params, int from_server,
                          ckp_error *err);

/* ---- environment: what a verb may read ---------------------------------- */

/* The environment of a verb run: the reference data, where the data and the
 * store are, the store (opened on first use), the registers modules load
 * lazily, and where the flows come from (flows.h).  Opaque; one env may be
 * shared by threads (the server's): the store and registers load under its
 * lock, and are read-only after. */
typedef struct ckp_env ckp_env;

/* A new env over ref (required), data_dir (NULL = ckp_data_dir()) and
 * store_dir (NULL = ckp_store_dir(NULL)); none is copied or owned: they must
 * outlive the env.  NULL when out of memory.  Free with ckp_env_free. */
ckp_env *ckp_env_new(const ckp_ref *ref, const char *data_dir, const char *store_dir);
/* Closes the store, frees every loaded register, removes an --input
 * store's directory.  NULL is accepted. */
void ckp_env_free(ckp_env *env);

const ckp_ref *ckp_env_ref(const ckp_env *env);
/* As given to ckp_env_new (NULL: the defaults). */
const char *ckp_env_data_dir(const ckp_env *env);
const char *ckp_env_store_dir(const ckp_env *env);

/* Which store sources verbs see (NULL = "auto": real ones when the store has
 * any; see ckp_store_select_sources); not copied.  Set before the store is
 * opened. */
void ckp_env_set_sources(ckp_env *env, const char *sources);
const char *ckp_env_sources(const ckp_env *env);

/* Scale (docs/scale.md).  input: a flows file in any ingest format ("-" =
 * stdin; not copied): ckp_env_store() loads it into a private temporary
 * store instead of opening store_dir (its directory removed once the store
 * is open, else by ckp_env_free or when SIGTERM, SIGINT or SIGHUP stops the
 * process; leftovers older than a day are swept).  Set before the store is
 * opened.  The counts: its rows read and rejected (0 before). */
void ckp_env_set_input(ckp_env *env, const char *input);
unsigned long long ckp_env_input_rows(const ckp_env *env);
unsigned long long ckp_env_input_rejected(const ckp_env *env);

/* Open the store on first use; later calls return the same handle.  No
 * store is opened behind a stand-alone flow source (flows.h): *out NULL. */
ckp_status ckp_env_store(ckp_env *env, const ckp_store **out, ckp_error *err);
/* The store when open, else NULL (never opens it). */
const ckp_store *ckp_env_store_if_open(const ckp_env *env);
/* Serve another store from now on (the server's new generation; sources
 * already selected): env owns it; the old one is returned for the caller to
 * close once no reader uses it (NULL when none), and every register loaded
 * from the old store (ckp_env_slot_def.per_store) is freed. */
ckp_store *ckp_env_swap_store(ckp_env *env, ckp_store *store);

/* Registers a module loads lazily (the measures register, party lists,
 * production tables, diversion hubs…): each is keyed by a static descriptor
 * the module owns — no central list — loaded once under the env's lock and
 * freed with the env. */
typedef ckp_status (*ckp_slot_loader)(ckp_env *env, void **ptr, ckp_error *err);
typedef struct ckp_env_slot_def {
    const char *name;       /* for messages: "measures" */
    ckp_slot_loader load;   /* CKP_OK and *ptr set, or an error (tried again
                               on the next call) */
    void (*free)(void *ptr);
    int per_store;          /* 1: computed from the store: freed when
                               ckp_env_swap_store replaces it */
} ckp_env_slot_def;
/* The register of def, loading it on first use.  CKP_ELIMIT past
 * CKP_ENV_SLOTS_MAX registers in one env. */
#define CKP_ENV_SLOTS_MAX 32
ckp_status ckp_env_slot(ckp_env *env, const ckp_env_slot_def *def, void **out, ckp_error *err);

/* ---- verbs --------------------------------------------------------------- */

/* What a verb's plan hook decides for one run, before its writer is made:
 * the columns when they depend on the arguments or the format (hs
 * --edition; match: one row per query in JSON, one per hit else, the input's
 * columns with --pairs), and state handed on to run (ckp_verb_state). */
typedef struct ckp_verb_plan {
    ckp_format format;         /* in: the format asked for; the plan may change it
                                  when format_given is 0 (match --batch: JSON) */
    int format_given;          /* 1 when the caller chose the format */
    const ckp_column *columns; /* NULL: the verb's own columns */
    size_t ncolumns;
    void *state;               /* run reads it with ckp_verb_state(w) */
    void (*free_state)(void *); /* called when the writer is freed (may be NULL);
                                  columns may live in state */
} ckp_verb_plan;

/* ckp_verb.flags */
enum {
    CKP_VERB_NO_STORE = 1, /* reads no store: --store, --source, --input do not apply */
    CKP_VERB_CLI_ONLY = 2, /* not served over HTTP (writes files, reads local paths) */
    CKP_VERB_HS_ARGS = 4   /* the positional arguments may be HS codes: the CLI folds
                              a national code to HS6 with a note, as for --hs */
};

typedef struct ckp_verb {
    const char *name;
    const char *usage;       /* "--importer C --hs H [--period P]" */
    const char *summary;     /* one line */
    const char *details;     /* NULL or paragraphs for --help */
    const ckp_param *params; /* terminated by {NULL} */
    int min_pos, max_pos;    /* positional arguments (max -1 = any) */
    const ckp_column *columns;
    size_t ncolumns;
    /* Compute and write rows.  `summary` (size summary_len, may be NULL)
     * receives a one-line plain-language summary for a terminal
     * ("China supplied 93 % of … in 2023, HHI 8,700"). */
    ckp_status (*run)(ckp_env *env, const ckp_args *args, ckp_writer *w,
                      char *summary, size_t summary_len, ckp_error *err);
    /* NULL, or called before the writer is made (see ckp_verb_plan).  A verb
     * that reads flows has none (its writer carries the answer). */
    ckp_status (*plan)(ckp_env *env, const ckp_args *args, ckp_verb_plan *plan,
                       ckp_error *err);
    /* NULL, or the one-letter options of the CLI: "f:format k:limit". */
    const char *short_opts;
    unsigned flags; /* CKP_VERB_* */
} ckp_verb;

/* Define and register verb `name`: `CKP_VERB_DEFINE(name, order, flows) =
 * {…};` at the start of a line, read by the build (see the top of this
 * file).  The object is `const ckp_verb ckp_verb_<name>`.  order: an integer
 * key, one per verb, that places it in the registry; flows: 1 when it
 * computes from the store's flows (ckp_verb_reads_flows), 0 when it reads
 * registers only. */
#define CKP_VERB_DEFINE(name, order, flows) const ckp_verb ckp_verb_##name
/* The state a verb's plan handed on for this writer's run (NULL: none). */
void *ckp_verb_state(ckp_writer *w);

/* The registry (src/verb/verbs.c): NULL when name is not a library verb. */
const ckp_verb *ckp_verb_find(const char *name);
/* Iterate: i = 0, 1, … until NULL. */
const ckp_verb *ckp_verb_at(int i);

/* 1 when v computes from the store's flows (dependency, surge, …), 0 when
 * it reads registers only (measures, production, info). */
int ckp_verb_reads_flows(const ckp_verb *v);

/* What one answer rests on, gathered while it is computed: which store
 * sources gave it rows, and the caveat of the basket codes it is about.
 * One per writer made by ckp_verb_writer_new for a verb that reads flows
 * (NULL for other writers); it lives and dies with that writer.  The
 * functions taking one accept NULL (nothing is recorded). */
typedef struct ckp_answer ckp_answer;
ckp_answer *ckp_verb_answer(ckp_writer *w);
/* Store sources as a mask: bit i for source index i, bit 63 for 63 and
 * above (then every selected source from 63 on is named: more, never
 * fewer). */
uint64_t ckp_source_bit(int source);
/* A scan of this answer records the sources it uses: from now on the
 * answer's `sources` are those given to ckp_answer_sources and
 * ckp_answer_row_sources, not every selected one.  A verb that calls it
 * marks every row it uses. */
void ckp_answer_track(ckp_answer *a);
/* These sources contributed rows to the answer. */
void ckp_answer_sources(ckp_answer *a, uint64_t mask);
/* The next row written rests on these sources (and the answer does):
 * its `sources` cell names them.  Call before the row's last cell. */
void ckp_answer_row_sources(ckp_answer *a, uint64_t mask);
/* The rows do not rest on HS codes (USGS production tables): no caveat.
 * Call before the first row. */
void ckp_answer_drop_caveat(ckp_answer *a);
/* The products the rows are about are set (a measure's codes, when the
 * verb takes --measure instead of --hs): its caveat replaces the one of
 * --hs.  Call before the first row.  CKP_ELIMIT / CKP_ENOMEM as
 * ckp_hsset_caveat / when out of memory. */
ckp_status ckp_answer_caveat_of(ckp_answer *a, const ckp_ref *ref, const ckp_hsset *set);
/* The caveat text (ckp_hsset_caveat of the verb's --hs), or NULL. */
const char *ckp_answer_caveat(const ckp_answer *a);

/* A writer for v's rows: v's columns and, for a verb that reads flows, the
 * provenance columns after them on every CSV and JSON row: "synthetic"
 * (true when the rows were computed from synthetic sources — never a mix,
 * ckp_store_select_sources refuses one), "sources" (the store sources that
 * contributed rows to the answer — the selected ones when no scan tracked
 * them: a JSON array; in CSV the names joined by ';') and "caveat" (what
 * the basket codes among args' "hs" hold; null when none).  The sources are
 * read from env and the answer at each row (no store open: false and
 * none).  Free with ckp_writer_free; NULL when out of memory or when the
 * caveats of args' "hs" do not fit. */
ckp_writer *ckp_verb_writer_new(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                                FILE *out, ckp_format fmt);
/* The same, running v's plan first (its errors in err: a --pairs file
 * without the columns it needs): *fmt in, and out when the plan changed it
 * (format_given 0).  *w NULL on error. */
ckp_status ckp_verb_writer_open(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                                FILE *out, ckp_format *fmt, int format_given, ckp_writer **w,
                                ckp_error *err);

/* The provenance of the rows computed in env for answer a (NULL: the
 * selected sources): *synthetic, and the names of the sources joined by ';'
 * into names (size n).  CKP_ELIMIT when they do not fit. */
ckp_status ckp_verb_provenance(const ckp_env *env, const ckp_answer *a, int *synthetic,
                               char *names, size_t n);

/* Coverage (coverage.h) of the rows a writer of ckp_verb_writer_new wrote:
 * the line the table prints under its rows — the thinnest coverage of the
 * answer and what it rests on — into buf; 0 when no row had a coverage. */
int ckp_verb_coverage_line(const ckp_writer *w, char *buf, size_t n);
/* An error when the coverage could not be computed (the reporter list
 * unreadable, the store failing): the rows' coverage cells are then null,
 * and the answer must not pass as complete. */
ckp_status ckp_verb_coverage_status(const ckp_writer *w, ckp_error *err);

/* Whether the answer v->run wrote into w (made by ckp_verb_writer_new for
 * env) may pass: st (the run's status) when it is not CKP_OK, else the
 * coverage's failure (ckp_verb_coverage_status), else CKP_ELIMIT when some
 * of its numbers are infinite (a sum overflowed: the rows are wrong), else
 * CKP_OK.  Every caller of run checks its answer with this. */
ckp_status ckp_verb_check_answer(const ckp_env *env, const ckp_writer *w, ckp_status st,
                                 ckp_error *err);

/* Run a verb with JSON Lines output into `out` (what the server and the
 * report use).  Checks args first.  Returns the run status. */
ckp_status ckp_verb_run_json(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                             int from_server, FILE *out, ckp_error *err);

/* The same with each row handed to fn(ctx, …) as it is finished (output.h's
 * row sink: no JSON text written and parsed back); a status fn returns
 * stops the verb and is returned, with its error. */
ckp_status ckp_verb_run_rows(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                             int from_server, ckp_row_fn fn, void *ctx, ckp_error *err);

#endif

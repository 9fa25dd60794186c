/* analytics_bench.c — time the analysis verbs in process on one store:
 * a `dependency` query (one importer × HS6 × year) repeated, and the
 * `chokepoints` full scan (HHI of every importer × HS6 × year).  The store and
 * the reference data are opened once, as the server does; output goes to
 * /dev/null as JSON Lines through ckp_verb_run_json's writer.
 *
 *   analytics_bench DATADIR STORE IMPORTER HS YEAR [DEP_REPEATS] [SCAN_REPEATS]
 *
 * Prints one line:
 *   analytics: rows R dependency_us_median M dependency_us_min m
 *              chokepoints_s S groups G rows_per_s N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chokepoint/analysis.h"
#include "chokepoint/verb.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int run_verb(ckp_env *env, const char *name, ckp_args *args, FILE *out, char *summary,
                    size_t n)
{
    const ckp_verb *v = ckp_verb_find(name);
    ckp_error err;
    ckp_error_clear(&err);
    ckp_writer *w = ckp_writer_new(out, CKP_FMT_JSON, v->columns, v->ncolumns);
    if (!w)
        return -1;
    ckp_status st = v->run(env, args, w, summary, n, &err);
    ckp_writer_finish(w);
    ckp_writer_free(w);
    if (st != CKP_OK) {
        char buf[900];
        fprintf(stderr, "analytics_bench: %s: %s\n", name, ckp_error_format(&err, buf, sizeof buf));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: analytics_bench DATADIR STORE IMPORTER HS YEAR [DEP_REPEATS] "
                        "[SCAN_REPEATS]\n");
        return 2;
    }
    int dep_rep = argc > 6 ? atoi(argv[6]) : 1000, scan_rep = argc > 7 ? atoi(argv[7]) : 3;
    if (dep_rep < 1)
        dep_rep = 1;
    if (scan_rep < 1)
        scan_rep = 1;
    ckp_ref *ref;
    ckp_error err;
    if (ckp_ref_load(argv[1], &ref, &err) != CKP_OK) {
        char buf[900];
        fprintf(stderr, "analytics_bench: %s\n", ckp_error_format(&err, buf, sizeof buf));
        return 1;
    }
    ckp_env *env = ckp_env_new(ref, argv[1], argv[2]);
    const ckp_store *store;
    if (!env)
        ckp_error_set(&err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    if (!env || ckp_env_store(env, &store, &err) != CKP_OK) {
        char buf[900];
        fprintf(stderr, "analytics_bench: %s\n", ckp_error_format(&err, buf, sizeof buf));
        return 1;
    }
    ckp_store_info info;
    ckp_store_get_info(store, &info);
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull)
        return 1;
    char summary[512];
    int rc = 0;

    /* dependency */
    ckp_args *a = ckp_args_new();
    ckp_args_set(a, "importer", argv[3]);
    ckp_args_set(a, "hs", argv[4]);
    ckp_args_set(a, "period", argv[5]);
    double *t = malloc((size_t)dep_rep * sizeof *t);
    if (!t)
        return 1;
    for (int i = 0; i < dep_rep && rc == 0; i++) {
        double t0 = now();
        rc = run_verb(env, "dependency", a, devnull, summary, sizeof summary);
        t[i] = now() - t0;
    }
    ckp_args_free(a);
    qsort(t, (size_t)dep_rep, sizeof *t, cmp_d);
    double dep_med = t[dep_rep / 2], dep_min = t[0];
    free(t);
    fprintf(stderr, "analytics_bench: dependency: %s\n", summary);

    /* chokepoints: every importer × HS6 × year */
    double best = 1e30;
    long groups = 0;
    a = ckp_args_new();
    for (int i = 0; i < scan_rep && rc == 0; i++) {
        double t0 = now();
        rc = run_verb(env, "chokepoints", a, devnull, summary, sizeof summary);
        double dt = now() - t0;
        if (dt < best)
            best = dt;
        groups = atol(summary);
    }
    ckp_args_free(a);
    fprintf(stderr, "analytics_bench: chokepoints: %s\n", summary);
    if (rc == 0)
        printf("analytics: rows %llu dependency_us_median %.1f dependency_us_min %.1f "
               "chokepoints_s %.4f groups %ld rows_per_s %.0f\n",
               (unsigned long long)info.rows, dep_med * 1e6, dep_min * 1e6, best, groups,
               (double)info.rows / best);
    fclose(devnull);
    ckp_env_free(env);
    ckp_ref_free(ref);
    return rc ? 1 : 0;
}

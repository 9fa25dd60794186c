/* csv_read.c — the ckp_csv side of bench_csv.sh: read a CSV file with the
 * chokepoint reader, single-threaded, and report throughput.
 *
 *   csv_read FILE [REPEATS] [fields|numbers]
 *
 * fields  (default) visits every field of every record (ckp_csv_fields:
 *         pointer and length; first and last byte folded into a checksum so
 *         nothing is skipped);
 * numbers also converts the numeric columns t,i,j,k (integers) and v,q
 *         (decimals) to binary, as a loader would.
 * Prints the best of REPEATS runs (default 3) as
 *   csv_read: MODE rows R fields F bytes B seconds S mb_per_s M rows_per_s N
 *   cpu_seconds C cpu_mb_per_s M checksum X
 * (wall clock, and CPU time — user + system — which a busy machine disturbs
 * less).  MB = 10^6 bytes of input file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "chokepoint/csv.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds (user + system) used by this process so far. */
static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static int64_t parse_int(ckp_field f)
{
    int64_t v = 0;
    for (size_t i = 0; i < f.len; i++)
        v = v * 10 + (f.ptr[i] - '0');
    return v;
}

static double parse_dec(ckp_field f)
{
    int64_t v = 0, scale = 1;
    int frac = 0;
    for (size_t i = 0; i < f.len; i++) {
        char ch = f.ptr[i];
        if (ch == '.') {
            frac = 1;
            continue;
        }
        v = v * 10 + (ch - '0');
        if (frac)
            scale *= 10;
    }
    return (double)v / (double)scale;
}

typedef struct result {
    uint64_t rows, fields, bad, bytes, sum;
    double num;
} result;

static int run(const char *path, int numbers, result *res)
{
    ckp_csv *c = NULL;
    ckp_error err;
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    o.delim = ',';
    if (ckp_csv_open(path, &o, &c, &err) != CKP_OK) {
        char buf[800];
        fprintf(stderr, "csv_read: %s\n", ckp_error_format(&err, buf, sizeof buf));
        return -1;
    }
    memset(res, 0, sizeof *res);
    int r;
    for (;;) {
        r = ckp_csv_next(c, &err);
        if (r == 0)
            break;
        if (r < 0) {
            res->bad++;
            continue;
        }
        size_t nf = ckp_csv_nfields(c);
        const ckp_field *fv = ckp_csv_fields(c);
        res->rows++;
        res->fields += nf;
        for (size_t i = 0; i < nf; i++) {
            ckp_field f = fv[i];
            res->sum += f.len;
            if (f.len)
                res->sum += (unsigned char)f.ptr[0] ^ (unsigned char)f.ptr[f.len - 1];
        }
        if (numbers && nf >= 6) {
            int64_t s = 0;
            for (size_t i = 0; i < 4; i++)
                s += parse_int(fv[i]);
            res->sum += (uint64_t)s;
            res->num += parse_dec(fv[4]) + parse_dec(fv[5]);
        }
    }
    res->bytes = ckp_csv_get_stats(c).bytes;
    int failed = ckp_csv_failed(c);
    ckp_csv_close(c);
    return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: csv_read FILE [REPEATS] [fields|numbers]\n");
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    int numbers = argc > 3 && strcmp(argv[3], "numbers") == 0;
    if (repeats < 1)
        repeats = 1;
    double best = 0, best_cpu = 0;
    result res = {0};
    for (int k = 0; k < repeats; k++) {
        double t0 = now(), c0 = cpu_now();
        if (run(argv[1], numbers, &res) < 0)
            return 1;
        double dt = now() - t0, dc = cpu_now() - c0;
        if (k == 0 || dt < best)
            best = dt;
        if (k == 0 || dc < best_cpu)
            best_cpu = dc;
    }
    printf("csv_read: %s rows %llu fields %llu bad %llu bytes %llu seconds %.3f "
           "mb_per_s %.1f rows_per_s %.0f cpu_seconds %.3f cpu_mb_per_s %.1f "
           "checksum %llu/%.3f\n",
           numbers ? "numbers" : "fields", (unsigned long long)res.rows,
           (unsigned long long)res.fields, (unsigned long long)res.bad,
           (unsigned long long)res.bytes, best, (double)res.bytes / best / 1e6,
           (double)res.rows / best, best_cpu, (double)res.bytes / best_cpu / 1e6,
           (unsigned long long)res.sum, res.num);
    return res.bad ? 1 : 0;
}

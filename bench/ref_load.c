/* ref_load.c — how long loading the reference data takes (every CLI call
 * does it) and how fast the lookups the ingest and screening paths use are.
 *   ref_load DATADIR [N]
 * Prints "bench ref: METRIC VALUE UNIT" lines: wall and CPU ms per
 * ckp_ref_load (the first, cold in-process, and the mean of N), and ns per
 * country lookup / HS code lookup / hsset_parse of a group. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "chokepoint/ref.h"

static double ms(clockid_t clk)
{
    struct timespec t;
    clock_gettime(clk, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "data";
    int n = argc > 2 ? atoi(argv[2]) : 50;
    ckp_ref *ref = NULL;
    ckp_error err;
    double w0, c0, first_w, first_c;
    volatile long sink = 0;

    if (n < 1)
        n = 1;
    w0 = ms(CLOCK_MONOTONIC);
    c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
    if (ckp_ref_load(dir, &ref, &err) != CKP_OK) {
        char buf[1024];
        fprintf(stderr, "ref_load: %s\n", ckp_error_format(&err, buf, sizeof buf));
        return 1;
    }
    first_w = ms(CLOCK_MONOTONIC) - w0;
    first_c = ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    ckp_ref_free(ref);
    w0 = ms(CLOCK_MONOTONIC);
    c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < n; i++) {
        if (ckp_ref_load(dir, &ref, &err) != CKP_OK)
            return 1;
        if (i + 1 < n)
            ckp_ref_free(ref);
    }
    printf("bench ref: load_first_wall %.2f ms\n", first_w);
    printf("bench ref: load_first_cpu %.2f ms\n", first_c);
    printf("bench ref: load_mean_wall %.2f ms\n", (ms(CLOCK_MONOTONIC) - w0) / n);
    printf("bench ref: load_mean_cpu %.2f ms\n", (ms(CLOCK_PROCESS_CPUTIME_ID) - c0) / n);

    static const char *const q[] = {"USA", "842", "Türkiye", "South Korea", "Japane", "XYZ"};
    const int reps = 200000;
    w0 = ms(CLOCK_MONOTONIC);
    for (int i = 0; i < reps; i++)
        sink += ckp_ref_country_by_comtrade(ref, 842 - (i & 7)) + ckp_ref_country_by_iso3(ref, "DEU");
    printf("bench ref: country_code_lookup %.1f ns\n", (ms(CLOCK_MONOTONIC) - w0) * 1e6 / (2.0 * reps));
    w0 = ms(CLOCK_MONOTONIC);
    for (int i = 0; i < reps / 10; i++) {
        int ids[4];
        sink += ckp_ref_country_find(ref, q[i % 5], ids, 4);
    }
    printf("bench ref: country_find %.1f ns\n", (ms(CLOCK_MONOTONIC) - w0) * 1e6 / (reps / 10));
    w0 = ms(CLOCK_MONOTONIC);
    for (int i = 0; i < reps; i++)
        sink += ckp_ref_hs(ref, CKP_HS2022, 811292 + (uint32_t)(i & 7), 6) != NULL;
    printf("bench ref: hs_lookup %.1f ns\n", (ms(CLOCK_MONOTONIC) - w0) * 1e6 / reps);
    w0 = ms(CLOCK_MONOTONIC);
    for (int i = 0; i < 200; i++) {
        ckp_hsset *s;
        if (ckp_hsset_parse(ref, "chpl", &s, &err) == CKP_OK) {
            sink += (long)ckp_hsset_count(s);
            ckp_hsset_free(s);
        }
    }
    printf("bench ref: hsset_parse_chpl %.1f us\n", (ms(CLOCK_MONOTONIC) - w0) * 1e3 / 200);
    ckp_ref_free(ref);
    return sink == 42 ? 2 : 0;
}

/* ingest_gen.c — a deterministic BACI-format file for bench_ingest.sh.
 *
 *   ingest_gen BACI_CODES.csv OUT.csv ROWS
 *
 * Looks like a BACI file: header t,i,j,k,v,q; rows ordered by year, exporter,
 * importer, product; i and j are real BACI country codes (read from the
 * reference table, first column), k HS6 codes drawn from a pool of 5,000,
 * v in thousand USD and q in tonnes with 3 decimals (q empty for ~3 % of
 * rows, as "NA" marks in real files).  Every (t, i, j, k) is unique.  The same
 * arguments always give the same bytes (xorshift PRNG, fixed seed). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: ingest_gen BACI_CODES.csv OUT.csv ROWS\n");
        return 2;
    }
    FILE *cf = fopen(argv[1], "r");
    if (!cf) {
        perror(argv[1]);
        return 1;
    }
    int codes[400], nc = 0;
    char line[512];
    while (fgets(line, sizeof line, cf) && nc < 400) {
        int c;
        if (sscanf(line, "%d,", &c) == 1)
            codes[nc++] = c;
    }
    fclose(cf);
    if (nc < 10) {
        fprintf(stderr, "ingest_gen: too few country codes in %s\n", argv[1]);
        return 1;
    }
    qsort(codes, (size_t)nc, sizeof codes[0], cmp_u32);
    uint64_t rows = strtoull(argv[3], NULL, 10);
    enum { NPROD = 5000 };
    static uint32_t prod[NPROD];
    for (int i = 0; i < NPROD; i++) /* chapters 01-97, distinct codes */
        prod[i] = (uint32_t)(1 + next() % 97) * 10000u + (uint32_t)(next() % 10000);
    qsort(prod, NPROD, sizeof prod[0], cmp_u32);
    int np = 0;
    for (int i = 0; i < NPROD; i++)
        if (np == 0 || prod[i] != prod[np - 1])
            prod[np++] = prod[i];
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        perror(argv[2]);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(out, buf, _IOFBF, sizeof buf);
    fputs("t,i,j,k,v,q\n", out);
    /* rows per (year, exporter, importer) pair so the total comes out right */
    int years = 10;
    double pairs = (double)years * nc * (nc - 1);
    double per_pair = (double)rows / pairs;
    uint64_t gap = (uint64_t)((double)np / per_pair);
    if (gap < 1)
        gap = 1;
    uint64_t written = 0;
    for (int y = 0; y < 80 && written < rows; y++)
        for (int a = 0; a < nc && written < rows; a++)
            for (int b = 0; b < nc && written < rows; b++) {
                if (a == b)
                    continue;
                uint64_t p = next() % gap;
                while (p < (uint64_t)np && written < rows) {
                    uint64_t v = next() % 2000000; /* thousand USD × 1000 */
                    if (next() % 4 == 0)
                        v = v * 37;
                    uint64_t q = v * (1 + next() % 50) / 7;
                    if (next() % 32 == 0)
                        fprintf(out, "%d,%d,%d,%06u,%llu.%03llu,\n", 2013 + y, codes[a],
                                codes[b], prod[p], (unsigned long long)(v / 1000),
                                (unsigned long long)(v % 1000));
                    else
                        fprintf(out, "%d,%d,%d,%06u,%llu.%03llu,%llu.%03llu\n", 2013 + y,
                                codes[a], codes[b], prod[p], (unsigned long long)(v / 1000),
                                (unsigned long long)(v % 1000), (unsigned long long)(q / 1000),
                                (unsigned long long)(q % 1000));
                    written++;
                    p += 1 + next() % (2 * gap);
                }
            }
    if (fclose(out) != 0) {
        perror(argv[2]);
        return 1;
    }
    fprintf(stderr, "ingest_gen: %llu rows\n", (unsigned long long)written);
    return written == rows ? 0 : 1;
}

/* ingest_gen.c — a deterministic BACI-format file for bench_ingest.sh.
 *
 *   ingest_gen BACI_CODES.csv OUT.csv ROWS
 *   ingest_gen --realistic BACI_CODES.csv OUT.csv ROWS HS6_CODES.txt
 *
 * Looks like a BACI file: header t,i,j,k,v,q; rows ordered by year, exporter,
 * importer, product; i and j are real BACI country codes (read from the
 * reference table, first column), k HS6 codes drawn from a pool of 5,000,
 * v in thousand USD and q in tonnes with 3 decimals (q empty for ~3 % of
 * rows, as "NA" marks in real files).  Every (t, i, j, k) is unique.  The same
 * arguments always give the same bytes (xorshift PRNG, fixed seed).
 *
 * --realistic: the way real files look rather than the way the store likes
 * them.  Rows come in random order (not by year, exporter, importer,
 * product); exporters and importers are skewed (a few economies trade far
 * more products than the rest: weights 1/rank over a shuffled list of the
 * codes, so the heavy ones are not the low codes); products are skewed the
 * same way and drawn from real HS6 codes (HS6_CODES.txt, one a line, shuffled;
 * so that none is rejected as unknown-hs); values are log-normal; and 1 row in 200 repeats the key of an
 * earlier row with another value (ingest keeps the first and rejects the
 * rest as duplicate-key).  ROWS counts the lines written, duplicates
 * included. */
#include <math.h>
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

/* A uniform double in [0, 1). */
static double unit(void) { return (double)(next() >> 11) / 9007199254740992.0; }

/* Index drawn with weight 1/(rank+1) from a cumulative table of n. */
static int zipf(const double *cum, int n)
{
    double u = unit() * cum[n - 1];
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static double *zipf_table(int n)
{
    double *cum = malloc((size_t)n * sizeof *cum);
    if (!cum)
        return NULL;
    double acc = 0;
    for (int i = 0; i < n; i++)
        cum[i] = acc += 1.0 / (i + 1);
    return cum;
}

typedef struct grow {
    int32_t t, i, j;
    uint32_t k;
    uint64_t v, q; /* thousandths; q == UINT64_MAX: empty */
} grow;

static void put_row(FILE *out, const grow *g)
{
    if (g->q == UINT64_MAX)
        fprintf(out, "%d,%d,%d,%06u,%llu.%03llu,\n", g->t, g->i, g->j, g->k,
                (unsigned long long)(g->v / 1000), (unsigned long long)(g->v % 1000));
    else
        fprintf(out, "%d,%d,%d,%06u,%llu.%03llu,%llu.%03llu\n", g->t, g->i, g->j, g->k,
                (unsigned long long)(g->v / 1000), (unsigned long long)(g->v % 1000),
                (unsigned long long)(g->q / 1000), (unsigned long long)(g->q % 1000));
}

/* --realistic: every (year, exporter, importer) pair gets a number of
 * distinct products proportional to both sides' weights; the rows are then
 * shuffled and 1 in 200 is followed, somewhere later, by a repeat of its
 * key with another value. */
static int realistic(const int *codes, int nc, const uint32_t *prod, int np, uint64_t rows,
                     FILE *out)
{
    double *pc = zipf_table(np);
    int *perm = malloc((size_t)nc * sizeof *perm);
    grow *g = malloc((size_t)rows * sizeof *g);
    if (!pc || !perm || !g) {
        fprintf(stderr, "ingest_gen: out of memory\n");
        return 1;
    }
    for (int i = 0; i < nc; i++)
        perm[i] = i;
    for (int i = nc - 1; i > 0; i--) { /* heavy economies anywhere in the code list */
        int r = (int)(next() % (uint64_t)(i + 1)), t = perm[i];
        perm[i] = perm[r];
        perm[r] = t;
    }
    double wsum = 0;
    for (int i = 1; i <= nc; i++)
        wsum += 1.0 / i;
    uint64_t ndup = rows / 200, nuniq = rows - ndup, n = 0;
    int years = 10;
    /* expected rows of pair (a, b) in a year: scale * w_a * w_b */
    double scale = (double)nuniq / years / (wsum * wsum);
    unsigned char *seen = calloc((size_t)np, 1);
    if (!seen)
        return 1;
    for (int y = 0; n < nuniq; y = (y + 1) % years)
        for (int a = 0; a < nc && n < nuniq; a++)
            for (int b = 0; b < nc && n < nuniq; b++) {
                if (a == b)
                    continue;
                double want = scale / ((a + 1.0) * (b + 1.0));
                int m = (int)want + (unit() < want - (int)want);
                if (m > np / 2)
                    m = np / 2;
                int drawn[2500], nd = 0;
                while (nd < m && n < nuniq) {
                    int p = zipf(pc, np);
                    if (seen[p])
                        continue;
                    seen[p] = 1;
                    drawn[nd++] = p;
                    double lv = 9.0 + 2.5 * (unit() + unit() + unit() - 1.5) * 1.41;
                    uint64_t v = (uint64_t)(exp(lv)) + 1;
                    grow *r = &g[n++];
                    r->t = 2015 + y;
                    r->i = codes[perm[a]];
                    r->j = codes[perm[b]];
                    r->k = prod[p];
                    r->v = v;
                    r->q = next() % 32 == 0 ? UINT64_MAX : v * (1 + next() % 50) / 7;
                }
                for (int d = 0; d < nd; d++)
                    seen[drawn[d]] = 0;
            }
    /* a pair's product count cannot pass the pool, so a later year may be
     * needed for the total: the loop above wraps the years; repeated
     * (year, pair, product) keys across wraps are duplicates too and are
     * counted by ingest all the same */
    for (uint64_t d = 0; d < ndup; d++) {
        grow *r = &g[n++];
        *r = g[next() % nuniq];
        r->v = r->v * (2 + next() % 5) / 3 + 1;
    }
    for (uint64_t i = n - 1; i > 0; i--) {
        uint64_t r = next() % (i + 1);
        grow t = g[i];
        g[i] = g[r];
        g[r] = t;
    }
    fputs("t,i,j,k,v,q\n", out);
    for (uint64_t i = 0; i < n; i++)
        put_row(out, &g[i]);
    free(seen);
    free(g);
    free(perm);
    free(pc);
    return 0;
}

int main(int argc, char **argv)
{
    int real = argc > 1 && strcmp(argv[1], "--realistic") == 0;
    if (real) {
        argv++;
        argc--;
    }
    if (argc != 4 + real) {
        fprintf(stderr, "usage: ingest_gen BACI_CODES.csv OUT.csv ROWS\n"
                        "       ingest_gen --realistic BACI_CODES.csv OUT.csv ROWS HS6_CODES.txt\n");
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
    static uint32_t prod[8192];
    for (int i = 0; i < NPROD; i++) /* chapters 01-97, distinct codes */
        prod[i] = (uint32_t)(1 + next() % 97) * 10000u + (uint32_t)(next() % 10000);
    qsort(prod, NPROD, sizeof prod[0], cmp_u32);
    int np = 0;
    for (int i = 0; i < NPROD; i++)
        if (np == 0 || prod[i] != prod[np - 1])
            prod[np++] = prod[i];
    if (real) { /* real codes, in their file's order (the skew follows it) */
        FILE *hf = fopen(argv[4], "r");
        if (!hf) {
            perror(argv[4]);
            return 1;
        }
        np = 0;
        unsigned k;
        while (np < 8192 && fgets(line, sizeof line, hf))
            if (sscanf(line, "%6u", &k) == 1 && strlen(line) >= 6)
                prod[np++] = k;
        fclose(hf);
        if (np < 100) {
            fprintf(stderr, "ingest_gen: too few HS6 codes in %s\n", argv[4]);
            return 1;
        }
        for (int i = np - 1; i > 0; i--) { /* the heavy products in any chapter */
            int r = (int)(next() % (uint64_t)(i + 1));
            uint32_t t = prod[i];
            prod[i] = prod[r];
            prod[r] = t;
        }
    }
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        perror(argv[2]);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(out, buf, _IOFBF, sizeof buf);
    if (real) {
        int rc = realistic(codes, nc, prod, np, rows, out);
        if (fclose(out) != 0) {
            perror(argv[2]);
            return 1;
        }
        if (rc == 0)
            fprintf(stderr, "ingest_gen: %llu rows (unsorted, skewed, 1 in 200 a repeated key)\n",
                    (unsigned long long)rows);
        return rc;
    }
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

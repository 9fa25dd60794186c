/* csv_gen.c — writes a deterministic, BACI-like trade CSV for bench_csv.sh.
 *
 *   csv_gen OUT.csv [ROWS]      (ROWS default 3,000,000 ≈ 310 MB)
 *
 * Columns: t,i,j,k,v,q,name,desc — year, exporter and importer codes, HS6
 * (leading zeros kept), value in thousand USD and quantity in tonnes with three
 * decimals (q empty in 1 row of 16, as BACI's missing quantities), a quoted
 * company name (commas, and doubled quotes in some), and a product note that
 * is quoted only when it needs to be.  The same ROWS always gives the same
 * bytes (a fixed linear congruential generator). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next_u32(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 32);
}

static const char *const names[] = {
    "\"Guangzhou Nonferrous Metals Co., Ltd.\"",
    "\"Hunan Antimony Industry Co., Ltd.\"",
    "\"Thai Metals Trading\"",
    "\"Yunnan Germanium \"\"Lincang\"\" Group\"",
    "\"Mexico Minerales, S.A. de C.V.\"",
    "\"Hanoi Rare Earth JSC\"",
    "\"Rotterdam Commodities B.V.\"",
    "\"Almaty Tungsten, LLP\"",
    "\"Busan Semiconductor Supply\"",
    "\"Dubai Re-Export \"\"Free Zone\"\" FZE\"",
    "\"Jiangxi Graphite Co.\"",
    "\"Istanbul Makine, A.S.\"",
};
static const char *const descs[] = {
    "Antimony oxides",
    "\"Gallium, unwrought; powders\"",
    "Germanium oxides and zirconium dioxide",
    "\"Natural graphite, in powder or in flakes\"",
    "Integrated circuits: processors and controllers",
    "\"Machine-tools for working any material by removal of material, by laser\"",
    "Permanent magnets of metal",
    "Tungsten (wolfram) powders",
    "",
    "\"Rare-earth metals, scandium and yttrium\"",
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: csv_gen OUT.csv [ROWS]\n");
        return 2;
    }
    long rows = argc > 2 ? atol(argv[2]) : 3000000L;
    FILE *f = strcmp(argv[1], "-") == 0 ? stdout : fopen(argv[1], "wb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    static char iobuf[1 << 20];
    setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
    fputs("t,i,j,k,v,q,name,desc\n", f);
    const size_t nn = sizeof names / sizeof *names, nd = sizeof descs / sizeof *descs;
    for (long r = 0; r < rows; r++) {
        uint32_t a = next_u32(), b = next_u32(), c = next_u32(), d = next_u32();
        unsigned t = 2012 + a % 12;
        unsigned i = 4 + (a >> 8) % 891, j = 4 + (b >> 8) % 891;
        unsigned k = 10121 + b % 960000;
        unsigned vi = c % 250000, vf = (c >> 20) % 1000;
        char q[32];
        if ((d & 15) == 0)
            q[0] = '\0';
        else
            snprintf(q, sizeof q, "%u.%03u", (d >> 4) % 90000, (d >> 20) % 1000);
        fprintf(f, "%u,%u,%u,%06u,%u.%03u,%s,%s,%s\n", t, i, j, k, vi, vf, q,
                names[(d >> 8) % nn], descs[(d >> 12) % nd]);
    }
    if (fclose(f) != 0) {
        perror("write");
        return 1;
    }
    return 0;
}

/* store_file.c — helpers the store's reader and writer share: CRC32C, the
 * code tables of the sort key, CURRENT and MANIFEST (docs/store.md). */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define CRC_HW 1
#else
#define CRC_HW 0
#endif

const char *const ckp__file_names[CKP__F_COUNT] = {
    "countries.dict", "periods.dict", "sources.dict", "products.idx", "rfp.bits",
    "reporter.u16",   "partner.u16",  "period.u16",   "flags.u8",     "source.u8",
    "value.f64",      "qty.f32",      "alt.bin"};

/* ---- CRC32C ------------------------------------------------------------ */

static uint32_t crc_table[8][256];
static int crc_ready;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] =
                (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
    crc_ready = 1;
}

static uint32_t crc_soft(uint32_t crc, const unsigned char *p, size_t n)
{
    if (!crc_ready)
        crc_init();
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= crc;
        crc = crc_table[7][w & 0xFF] ^ crc_table[6][(w >> 8) & 0xFF] ^
              crc_table[5][(w >> 16) & 0xFF] ^ crc_table[4][(w >> 24) & 0xFF] ^
              crc_table[3][(w >> 32) & 0xFF] ^ crc_table[2][(w >> 40) & 0xFF] ^
              crc_table[1][(w >> 48) & 0xFF] ^ crc_table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xFF];
    return crc;
}

#if CRC_HW
/* Three interleaved streams would be faster still; one stream of the crc32
 * instruction already runs at several GB/s, far beyond the disk. */
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc,
                                                         const unsigned char *p, size_t n)
{
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--)
        c32 = _mm_crc32_u8(c32, *p++);
    return c32;
}
#endif

uint32_t ckp__crc32c(uint32_t crc, const void *data, size_t n)
{
    crc = ~crc;
#if CRC_HW
    static int hw = -1;
    if (hw < 0)
        hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    if (hw)
        return ~crc_hw(crc, data, n);
#endif
    return ~crc_soft(crc, data, n);
}

/* ---- codes ------------------------------------------------------------- */

int ckp__flow_code(int flow)
{
    switch (flow) {
    case CKP_FLOW_EXPORT: return 0;
    case CKP_FLOW_IMPORT: return 1;
    case CKP_FLOW_REEXPORT: return 2;
    case CKP_FLOW_REIMPORT: return 3;
    default: return -1;
    }
}

int ckp__flow_dir(unsigned code)
{
    static const int dirs[4] = {CKP_FLOW_EXPORT, CKP_FLOW_IMPORT, CKP_FLOW_REEXPORT,
                                CKP_FLOW_REIMPORT};
    return dirs[code & 3u];
}

static const int editions[8] = {CKP_HS_UNKNOWN, CKP_HS1992, CKP_HS1996, CKP_HS2002,
                                CKP_HS2007,     CKP_HS2012, CKP_HS2017, CKP_HS2022};

int ckp__edition_code(int edition)
{
    for (int i = 0; i < 8; i++)
        if (editions[i] == edition)
            return i;
    return -1;
}

int ckp__edition_of(unsigned code) { return editions[code & 7u]; }

int ckp__period_code(int32_t period)
{
    int y = period / 100, m = period % 100;
    if (period < 0 || y < 1900 || y >= 1900 + 4096 / 13 || m > 12)
        return -1;
    return (y - 1900) * 13 + m;
}

int32_t ckp__period_of(int code) { return (1900 + code / 13) * 100 + code % 13; }

/* ---- CURRENT and MANIFEST ---------------------------------------------- */

void ckp__gen_path(const char *dir, uint64_t gen, char *buf, size_t n)
{
    snprintf(buf, n, "%s/gen-%06" PRIu64, dir, gen);
}

int ckp__read_current(const char *dir, uint64_t *gen)
{
    char path[4096], text[64];
    snprintf(path, sizeof path, "%s/CURRENT", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = 0;
    unsigned long long g;
    if (sscanf(text, "gen-%llu", &g) != 1)
        return -1;
    *gen = g;
    return 0;
}

int ckp__fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

static int file_index(const char *name)
{
    for (int i = 0; i < CKP__F_COUNT; i++)
        if (strcmp(ckp__file_names[i], name) == 0)
            return i;
    return -1;
}

int ckp__read_crc_text(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    char *last = n ? strstr(buf, "\ncrc ") : NULL;
    unsigned int want = 0;
    if (!last || sscanf(last + 1, "crc %8x", &want) != 1 ||
        ckp__crc32c(0, buf, (size_t)(last + 1 - buf)) != want)
        return -2;
    last[1] = 0;
    return 0;
}

ckp_status ckp__manifest_read(const char *gendir, ckp__manifest *m, ckp_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", gendir);
    memset(m, 0, sizeof *m);
    char buf[8192];
    int r = ckp__read_crc_text(path, buf, sizeof buf);
    if (r == -1)
        return ckp_error_set(err, errno == ENOENT ? CKP_ENOTFOUND : CKP_EIO, path, 0, 0,
                             "cannot open the store manifest: %s", strerror(errno));
    if (r < 0)
        return ckp_error_set(err, CKP_ECORRUPT, path, 0, 0,
                             "store manifest is truncated or corrupt (checksum mismatch)");
    int seen[CKP__F_COUNT] = {0};
    int version = 0;
    long line = 0;
    for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n")) {
        line++;
        char name[64];
        unsigned long long a;
        unsigned int c;
        if (sscanf(s, CKP__STORE_MAGIC " %d", &version) == 1)
            continue;
        if (sscanf(s, "rows %llu", &a) == 1)
            m->rows = a;
        else if (sscanf(s, "reporters %llu", &a) == 1)
            m->stat_reporters = a;
        else if (sscanf(s, "partners %llu", &a) == 1)
            m->stat_partners = a;
        else if (sscanf(s, "periods %llu", &a) == 1)
            m->stat_periods = a;
        else if (sscanf(s, "products %llu", &a) == 1)
            m->stat_products = a;
        else if (sscanf(s, "file %63s %llu %8x", name, &a, &c) == 3) {
            int i = file_index(name);
            if (i < 0)
                return ckp_error_set(err, CKP_ECORRUPT, path, line, 0,
                                     "unknown file '%s' in the store manifest", name);
            m->size[i] = a;
            m->crc[i] = c;
            seen[i] = 1;
        }
    }
    if (version != CKP__STORE_FORMAT)
        return ckp_error_set(err, CKP_ECORRUPT, path, 0, 0,
                             "store format %d is not supported (this chokepoint reads %d)",
                             version, CKP__STORE_FORMAT);
    for (int i = 0; i < CKP__F_COUNT; i++)
        if (!seen[i])
            return ckp_error_set(err, CKP_ECORRUPT, path, 0, 0,
                                 "store manifest does not list %s", ckp__file_names[i]);
    return CKP_OK;
}

void ckp__phase(const char *name)
{
    static struct timespec t0;
    static int on = -1;
    if (on < 0)
        on = getenv("CKP_STORE_TIMING") != NULL;
    if (!on)
        return;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (name && t0.tv_sec)
        fprintf(stderr, "store: %-22s %.3f s\n", name,
                (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) * 1e-9);
    t0 = t;
}

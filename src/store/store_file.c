/* store_file.c — helpers the store's reader and writer share: CRC32C, the
 * code tables of the sort key, CURRENT and MANIFEST (docs/store.md). */
#include "store/store_int.h"

#include <dirent.h>
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

int ckp__current_state(const char *dir, uint64_t *gen, char *why, size_t whylen)
{
    char path[4096], text[64];
    snprintf(path, sizeof path, "%s/CURRENT", dir);
    if (why && whylen)
        why[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return CKP__CURRENT_MISSING;
        if (why)
            snprintf(why, whylen, "cannot be read: %s", strerror(errno));
        return CKP__CURRENT_DAMAGED;
    }
    ssize_t n = read(fd, text, sizeof text - 1);
    int rerr = errno;
    close(fd);
    if (n < 0) {
        if (why)
            snprintf(why, whylen, "cannot be read: %s", strerror(rerr));
        return CKP__CURRENT_DAMAGED;
    }
    text[n] = 0;
    /* exactly what publish() writes: "gen-" digits, one optional newline */
    size_t k = 4, digits = 0;
    int ok = n >= 5 && strncmp(text, "gen-", 4) == 0;
    while (ok && k < (size_t)n && text[k] >= '0' && text[k] <= '9' && digits < 19)
        k++, digits++;
    if (ok && k < (size_t)n && text[k] == '\n')
        k++;
    ok = ok && digits > 0 && k == (size_t)n && strlen(text) == (size_t)n;
    if (!ok) {
        if (why) {
            if (n == 0) {
                snprintf(why, whylen, "is empty");
            } else {
                char shown[40];
                size_t m = 0;
                for (ssize_t i = 0; i < n && m + 5 < sizeof shown; i++) {
                    unsigned char c = (unsigned char)text[i];
                    if (c >= 0x20 && c < 0x7f && c != '\'')
                        shown[m++] = (char)c;
                    else
                        m += (size_t)snprintf(shown + m, sizeof shown - m, "\\x%02x", c);
                }
                shown[m] = 0;
                snprintf(why, whylen, "does not name a generation (it holds '%s%s')", shown,
                         n > 24 ? "…" : "");
            }
        }
        return CKP__CURRENT_DAMAGED;
    }
    *gen = strtoull(text + 4, NULL, 10);
    return CKP__CURRENT_OK;
}

int ckp__read_current(const char *dir, uint64_t *gen)
{
    return ckp__current_state(dir, gen, NULL, 0) == CKP__CURRENT_OK ? 0 : -1;
}

int ckp__list_generations(const char *dir, uint64_t *gens, int max)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        unsigned long long g;
        char tail;
        if (sscanf(e->d_name, "gen-%llu%c", &g, &tail) != 1 || strlen(e->d_name) < 5)
            continue;
        if (n >= max)
            break;
        int at = n++;
        while (at > 0 && gens[at - 1] > g) { /* ascending */
            gens[at] = gens[at - 1];
            at--;
        }
        gens[at] = g;
    }
    closedir(d);
    return n;
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
    if (version < CKP__STORE_FORMAT_HS6 || version > CKP__STORE_FORMAT)
        return ckp_error_set(err, CKP_ECORRUPT, path, 0, 0,
                             "store format %d is not supported (this chokepoint reads %d to %d)",
                             version, CKP__STORE_FORMAT_HS6, CKP__STORE_FORMAT);
    m->format = version;
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

/* screen_bench.c — benchmarks for screening and matching (bench/bench_screen.sh).
 *
 *   screen_bench gen N SEED OUT.csv   synthetic shipments: 2–3 parties each
 *                                     (exporter, importer, and in one of three
 *                                     a third in the `parties` column), real-looking
 *                                     company and person names; ~2 % of parties
 *                                     are list names with a typo, reordered,
 *                                     or written in Cyrillic
 *   screen_bench screen FILE          in-process: load lists, build the index
 *                                     (timed), screen FILE (timed), print rates
 *   screen_bench match N SEED         N single queries (half list-derived with
 *                                     noise, half random names): p50/p99/mean
 * Data directory: $CHOKEPOINT_DATA or the built-in default. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chokepoint/lists.h"
#include "chokepoint/match.h"
#include "chokepoint/measures.h"
#include "chokepoint/screen.h"

static uint64_t rs = 88172645463325252ull;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static int rn(int n) { return (int)(rnd() % (uint64_t)n); }
static double ru(void) { return (rnd() >> 11) * (1.0 / 9007199254740992.0); }

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of this thread: the machine is shared, so rates are given per
 * CPU-second (one core) as well as per wall-second. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *const cities[] = {
    "Shenzhen", "Guangzhou", "Ningbo", "Hunan", "Jiangsu", "Zhejiang", "Xiamen", "Tianjin",
    "Istanbul", "Ankara", "Dubai", "Sharjah", "Almaty", "Tashkent", "Bishkek", "Yerevan",
    "Tbilisi", "Mumbai", "Chennai", "Bangkok", "Penang", "Hamburg", "Rotterdam", "Antwerp",
    "Milano", "Lyon", "Gdansk", "Riga", "Tallinn", "Helsinki", "Busan", "Osaka", "Taipei",
    "Hsinchu", "Singapore", "Monterrey", "Houston", "Chicago", "Toronto", "Sao Paulo"};
static const char *const words1[] = {
    "Bright", "Golden", "Star", "Pacific", "Atlantic", "Global", "United", "First", "Smart",
    "Blue", "Green", "Red", "Eastern", "Western", "Northern", "Southern", "Royal", "Prime",
    "Delta", "Omega", "Alpha", "Nova", "Orion", "Summit", "Crystal", "Silver", "Unity",
    "Victory", "Harmony", "Dragon", "Phoenix", "Lotus", "Cedar", "Falcon", "Eagle", "Titan"};
static const char *const words2[] = {
    "Electronics", "Components", "Metals", "Minerals", "Chemicals", "Machinery", "Logistics",
    "Semiconductor", "Technology", "Materials", "Alloys", "Industrial", "Engineering",
    "Devices", "Instruments", "Precision", "Systems", "Supply", "Import Export", "Resources",
    "Mining", "Energy", "Polymers", "Optics", "Automation", "Marine", "Aviation Parts"};
static const char *const forms[] = {"Co., Ltd.", "Ltd", "LLC", "GmbH", "S.A.", "Inc.", "Limited",
                                    "Trading LLC", "JSC", "OOO", "FZE", "Pte Ltd", "B.V.",
                                    "S.r.l.", "Corp.", "Group", "Sdn Bhd", "A.S.", ""};
static const char *const firsts[] = {"John", "Maria", "Wei", "Li", "Ahmed", "Olga", "Ivan",
                                     "Fatima", "Carlos", "Anna", "Kenji", "Priya", "Omar",
                                     "Elena", "Hans", "Sofia", "Mehmet", "Yusuf", "Chen", "Raj"};
static const char *const lasts[] = {"Smith", "Garcia", "Wang", "Zhang", "Khan", "Petrova",
                                    "Novak", "Rossi", "Muller", "Tanaka", "Sharma", "Yilmaz",
                                    "Haddad", "Kowalski", "Silva", "Nguyen", "Kim", "Cohen",
                                    "Dubois", "Jensen"};
static const char *const ctry[] = {"CHN", "TUR", "ARE", "KAZ", "UZB", "KGZ", "ARM", "GEO", "IND",
                                   "THA", "MYS", "DEU", "NLD", "BEL", "ITA", "FRA", "POL", "LVA",
                                   "EST", "FIN", "KOR", "JPN", "TWN", "SGP", "MEX", "USA", "CAN",
                                   "BRA", "RUS", "BLR", "HKG", "VNM"};
static const struct {
    const char *hs, *desc;
    double uv; /* USD per unit */
    const char *unit;
} goods[] = {{"854231", "microcontrollers", 3.0, "pcs"},
             {"854232", "memory chips", 2.0, "pcs"},
             {"850440", "static converters", 95.0, "pcs"},
             {"847130", "laptop computers", 600.0, "pcs"},
             {"845710", "machining centres", 90000.0, "pcs"},
             {"282580", "antimony trioxide", 20.0, "kg"},
             {"811010", "unwrought antimony", 30.0, "kg"},
             {"811292", "gallium", 350.0, "kg"},
             {"250410", "natural graphite powder", 1.2, "kg"},
             {"940360", "wooden furniture", 150.0, "pcs"},
             {"620342", "cotton trousers", 12.0, "pcs"},
             {"870323", "passenger cars", 18000.0, "pcs"},
             {"382499", "chemical preparations", 5.0, "kg"},
             {"903289", "regulating instruments", 250.0, "pcs"},
             {"880730", "aircraft parts", 4000.0, "pcs"}};

static const ckp_lists *g_lists;

/* A list name (any party, any of its names). */
static const char *list_name(void)
{
    size_t n = ckp_lists_name_count(g_lists);
    return ckp_lists_name(g_lists, (size_t)rn((int)n))->name;
}

/* A name with one typo in a word of 5+ letters. */
static void typo(const char *s, char *out, size_t n)
{
    snprintf(out, n, "%s", s);
    size_t len = strlen(out);
    for (int tries = 0; tries < 8 && len > 6; tries++) {
        size_t k = 2 + (size_t)rn((int)(len - 3));
        if ((out[k] >= 'A' && out[k] <= 'Z') || (out[k] >= 'a' && out[k] <= 'z')) {
            out[k] = out[k] >= 'a' ? (char)('a' + rn(26)) : (char)('A' + rn(26));
            return;
        }
    }
}

/* Latin → Cyrillic, letter by letter (enough to exercise transliteration). */
static void cyr(const char *s, char *out, size_t n)
{
    static const char *const map[26] = {"А", "Б", "К", "Д", "Е", "Ф", "Г", "Х", "И", "Й",
                                        "К", "Л", "М", "Н", "О", "П", "К", "Р", "С", "Т",
                                        "У", "В", "В", "КС", "Ы", "З"};
    size_t o = 0;
    for (; *s && o + 5 < n; s++) {
        char c = *s;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (c >= 'A' && c <= 'Z') {
            const char *m = map[c - 'A'];
            size_t l = strlen(m);
            memcpy(out + o, m, l);
            o += l;
        } else {
            out[o++] = *s;
        }
    }
    out[o] = 0;
}

static void party(char *out, size_t n, int *listed)
{
    *listed = 0;
    int r = rn(1000);
    if (r < 20) { /* 2 %: a list name, noisy */
        *listed = 1;
        const char *s = list_name();
        int how = rn(3);
        if (how == 0)
            typo(s, out, n);
        else if (how == 1)
            cyr(s, out, n);
        else
            snprintf(out, n, "%s", s);
        return;
    }
    if (r < 150) {
        snprintf(out, n, "%s %s", firsts[rn(20)], lasts[rn(20)]);
        return;
    }
    snprintf(out, n, "%s %s %s %s", cities[rn(40)], words1[rn(36)], words2[rn(27)],
             forms[rn(19)]);
}

static void csvq(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int load(ckp_ref **ref, ckp_lists **lists, ckp_index **ix, double *ms)
{
    ckp_error err;
    double t0 = now_ms();
    if (ckp_ref_load(NULL, ref, &err) != CKP_OK ||
        ckp_index_load(NULL, NULL, *ref, lists, ix, NULL, &err) != CKP_OK) {
        char b[800];
        fprintf(stderr, "screen_bench: %s\n", ckp_error_format(&err, b, sizeof b));
        return 1;
    }
    *ms = now_ms() - t0;
    g_lists = *lists;
    return 0;
}

static int gen(long n, unsigned seed, const char *path)
{
    ckp_ref *ref;
    ckp_lists *lists;
    ckp_index *ix;
    double ms;
    if (load(&ref, &lists, &ix, &ms))
        return 1;
    rs ^= (uint64_t)seed * 0x9E3779B97F4A7C15ull;
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    fprintf(f, "id,date,exporter,exporter_country,importer,importer_country,origin,destination,"
               "transit,hs,description,qty,unit,value,currency,parties\n");
    long listed = 0;
    for (long i = 0; i < n; i++) {
        char ex[512], im[512], notify[512];
        int l1, l2, l3 = 0;
        party(ex, sizeof ex, &l1);
        party(im, sizeof im, &l2);
        int g = rn(15);
        const char *o = ctry[rn(32)], *d = ctry[rn(32)];
        int third = rn(3) == 0;
        if (third)
            party(notify, sizeof notify, &l3);
        listed += l1 + l2 + l3;
        double qty = 1 + floor(exp(ru() * 8));
        double uv = goods[g].uv * exp((ru() - 0.5) * 0.6);
        if (rn(500) == 0)
            uv *= 0.02; /* mis-invoiced */
        fprintf(f, "B%07ld,%d-%02d-%02d,", i, 2024 + rn(2), 1 + rn(12), 1 + rn(28));
        csvq(f, ex);
        fprintf(f, ",%s,", o);
        csvq(f, im);
        fprintf(f, ",%s,%s,%s,%s,%s,", d, o, d, rn(10) == 0 ? ctry[rn(32)] : "", goods[g].hs);
        csvq(f, goods[g].desc);
        fprintf(f, ",%.0f,%s,%.2f,USD,", qty, goods[g].unit, qty * uv);
        csvq(f, third ? notify : "");
        fputc('\n', f);
    }
    fclose(f);
    fprintf(stderr, "screen_bench: %ld shipments, %ld list-derived party names -> %s\n", n,
            listed, path);
    ckp_index_free(ix);
    ckp_lists_free(lists);
    ckp_ref_free(ref);
    return 0;
}

static int screen(const char *path)
{
    ckp_ref *ref;
    ckp_lists *lists;
    ckp_index *ix;
    double ms;
    if (load(&ref, &lists, &ix, &ms))
        return 1;
    ckp_measures *meas = NULL;
    ckp_error err;
    if (ckp_measures_load(ref, NULL, NULL, &meas, &err) != CKP_OK)
        meas = NULL;
    ckp_index_stats is = ckp_index_get_stats(ix);
    ckp_screen_config cfg;
    ckp_screen_config_init(&cfg, ref);
    cfg.index = ix;
    cfg.measures = meas;
    FILE *devnull = fopen("/dev/null", "w");
    size_t nc;
    const ckp_column *cols = ckp_screen_columns(&nc);
    ckp_writer *w = ckp_writer_new(devnull, CKP_FMT_JSON, cols, nc);
    ckp_screen_input in = {path, NULL, 0, NULL, 0};
    ckp_screen_stats st;
    double c0 = cpu_ms();
    int rc = ckp_screen_run(&cfg, &in, w, NULL, NULL, &st, &err) != CKP_OK;
    double cpu = cpu_ms() - c0;
    ckp_writer_finish(w);
    ckp_writer_free(w);
    fclose(devnull);
    printf("bench screen: index build %.1f ms (%zu parties, %zu names, %zu tokens)\n", ms,
           is.parties, is.names, is.tokens);
    printf("bench screen: screened %llu shipments in %.1f ms CPU (%.1f ms wall): %.0f "
           "shipments/s per core (%.0f per wall-second; one thread, in-process, reading the "
           "file included, fuzzy party matching on)\n",
           (unsigned long long)st.shipments, cpu, st.ms, st.shipments / (cpu / 1000),
           st.shipments / (st.ms / 1000));
    printf("bench screen: alerts goods %llu, party %llu, route %llu, unitvalue %llu\n",
           (unsigned long long)st.alerts[0], (unsigned long long)st.alerts[1],
           (unsigned long long)st.alerts[2], (unsigned long long)st.alerts[3]);
    ckp_measures_free(meas);
    ckp_index_free(ix);
    ckp_lists_free(lists);
    ckp_ref_free(ref);
    return rc;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int match(long n, unsigned seed)
{
    ckp_ref *ref;
    ckp_lists *lists;
    ckp_index *ix;
    double ms;
    if (load(&ref, &lists, &ix, &ms))
        return 1;
    rs ^= (uint64_t)seed * 0x9E3779B97F4A7C15ull;
    ckp_matcher *m;
    ckp_error err;
    if (ckp_matcher_new(ix, &m, &err) != CKP_OK)
        return 1;
    char (*q)[512] = malloc((size_t)n * sizeof *q);
    double *lat = malloc((size_t)n * sizeof *lat), *wlat = malloc((size_t)n * sizeof *wlat);
    if (!q || !lat || !wlat)
        return 1;
    for (long i = 0; i < n; i++) {
        int dummy;
        if (i % 2 == 0) {
            const char *s = list_name();
            if (rn(2))
                typo(s, q[i], sizeof q[i]);
            else
                snprintf(q[i], sizeof q[i], "%s", s);
        } else {
            party(q[i], sizeof q[i], &dummy);
        }
    }
    ckp_match_hit hits[10];
    ckp_match_opts o;
    ckp_match_opts_init(&o);
    long found = 0;
    double t0 = now_ms();
    double ct0 = cpu_ms();
    for (long i = 0; i < n; i++) {
        double a = now_ms(), c = cpu_ms();
        found += ckp_match(m, q[i], strlen(q[i]), &o, hits, 10) > 0;
        lat[i] = cpu_ms() - c;
        wlat[i] = now_ms() - a;
    }
    double total = cpu_ms() - ct0;
    (void)t0;
    qsort(lat, (size_t)n, sizeof *lat, dcmp);
    qsort(wlat, (size_t)n, sizeof *wlat, dcmp);
    printf("bench match: %ld queries (half list names with/without a typo, half random "
           "names), %ld with a hit\n",
           n, found);
    printf("bench match: latency (CPU time) p50 %.3f ms, p99 %.3f ms, max %.3f ms, mean %.3f "
           "ms (one thread, explanations on, limit 10)\n",
           lat[n / 2], lat[(n * 99) / 100], lat[n - 1], total / n);
    printf("bench match: latency (wall, shared machine) p50 %.3f ms, p99 %.3f ms\n",
           wlat[n / 2], wlat[(n * 99) / 100]);
    printf("bench match: index build %.1f ms\n", ms);
    free(q);
    free(lat);
    free(wlat);
    ckp_matcher_free(m);
    ckp_index_free(ix);
    ckp_lists_free(lists);
    ckp_ref_free(ref);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "gen") == 0)
        return gen(atol(argv[2]), (unsigned)atol(argv[3]), argv[4]);
    if (argc >= 3 && strcmp(argv[1], "screen") == 0)
        return screen(argv[2]);
    if (argc >= 4 && strcmp(argv[1], "match") == 0)
        return match(atol(argv[2]), (unsigned)atol(argv[3]));
    fprintf(stderr, "usage: screen_bench gen N SEED OUT.csv | screen FILE | match N SEED\n");
    return 2;
}

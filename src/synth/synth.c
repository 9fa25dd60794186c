/* synth.c — the synthetic world: countries, products, geography, the
 * background links and their monthly series, and the three output formats.
 * The scenarios (pinned series, injected effects, truth) are in scenario.c.
 *
 * How rows are made (docs/synth.md has the full model):
 *   for each importer j (ISO3 order), the links exporter → j × product are
 *   drawn (a Poisson count per product, exporters by gravity weight) and the
 *   scenarios' pinned links added; the links are then handled one HS heading
 *   at a time: every link's series is generated for every period (exporter's
 *   FOB report, importer's CIF report, true flow), some of the importer's
 *   reports are misattributed to another partner or a sibling code of the
 *   same heading (moved between links of the group, so keys stay unique),
 *   and the rows are emitted.  Memory is one importer's links plus one
 *   heading's series. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "synth/synth_int.h"

/* ---- parameters ---------------------------------------------------------- */

static const char *const scenario_names[] = {"antimony-2024", "gallium-2023",
                                             "russia-roundabout", "misinvoicing",
                                             "decoys"};
#define NSCENARIOS (sizeof scenario_names / sizeof scenario_names[0])

void ckp_synth_params_init(ckp_synth_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 1;
    p->rows = 1000000;
    p->scenarios = CKP_SYNTH_ALL;
    p->format = CKP_SYNTH_FLOWS;
    p->from = 201701;
    p->to = 202506;
}

const char *ckp_synth_scenario_name(unsigned bit)
{
    for (size_t i = 0; i < NSCENARIOS; i++)
        if (bit == 1u << i)
            return scenario_names[i];
    return NULL;
}

ckp_status ckp_synth_scenarios_parse(const char *arg, unsigned *bits, ckp_error *err)
{
    unsigned b = 0;
    const char *p = arg;
    if (!arg || !*arg)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "empty scenario list");
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        size_t i;
        if (n == 3 && strncmp(p, "all", 3) == 0) {
            b |= CKP_SYNTH_ALL;
        } else if (n == 4 && strncmp(p, "none", 4) == 0) {
            /* nothing: the background world alone */
        } else {
            for (i = 0; i < NSCENARIOS; i++)
                if (strlen(scenario_names[i]) == n && strncmp(p, scenario_names[i], n) == 0)
                    break;
            if (i == NSCENARIOS)
                return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                                     "unknown scenario '%.*s' (known: antimony-2024, "
                                     "gallium-2023, russia-roundabout, misinvoicing, "
                                     "decoys, all, none)",
                                     (int)(n > 64 ? 64 : n), p);
            b |= 1u << i;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    *bits = b;
    return CKP_OK;
}

ckp_status ckp_synth_format_parse(const char *s, ckp_synth_format *out)
{
    if (s && strcmp(s, "flows") == 0)
        *out = CKP_SYNTH_FLOWS;
    else if (s && strcmp(s, "baci") == 0)
        *out = CKP_SYNTH_BACI;
    else if (s && strcmp(s, "comtrade") == 0)
        *out = CKP_SYNTH_COMTRADE;
    else
        return CKP_EINVAL;
    return CKP_OK;
}

const ckp_synth_params *ckp_synth_get_params(const ckp_synth *s) { return &s->p; }

/* ---- normal variates ------------------------------------------------------ */

/* Acklam's rational approximation of the inverse normal CDF (rel. error
 * < 1.2e-9), used once to fill the 4096-entry quantile table. */
static double inv_norm(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    double q, r;
    if (p < 0.02425) {
        q = sqrt(-2 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - 0.02425) {
        q = sqrt(-2 * log(1 - p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    q = p - 0.5;
    r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/* A standard normal from 12 bits of x. */
static inline double zof(const ckp_synth *s, uint64_t x) { return s->znorm[x & 4095]; }

/* ---- countries ------------------------------------------------------------ */

/* GDP-like sizes (USD bn, about 2022) for the larger economies; the others
 * get a log-normal draw per seed.  Only relative sizes matter. */
static const struct {
    const char *iso3;
    double gdp;
} gdp_table[] = {
    {"USA", 25400}, {"CHN", 17900}, {"JPN", 4230}, {"DEU", 4080}, {"IND", 3390},
    {"GBR", 3070},  {"FRA", 2780},  {"RUS", 2240}, {"CAN", 2140}, {"ITA", 2010},
    {"BRA", 1920},  {"AUS", 1700},  {"KOR", 1670}, {"MEX", 1410}, {"ESP", 1400},
    {"IDN", 1320},  {"SAU", 1110},  {"NLD", 990},  {"TUR", 910},  {"CHE", 810},
    {"POL", 690},   {"ARG", 630},   {"SWE", 590},  {"BEL", 580},  {"NOR", 580},
    {"IRL", 530},   {"ISR", 520},   {"THA", 500},  {"ARE", 500},  {"EGY", 480},
    {"AUT", 470},   {"SGP", 470},   {"BGD", 460},  {"VNM", 410},  {"MYS", 410},
    {"IRN", 410},   {"PHL", 400},   {"ZAF", 400},  {"DNK", 400},  {"HKG", 360},
    {"COL", 340},   {"PAK", 340},   {"CHL", 300},  {"ROU", 300},  {"CZE", 290},
    {"FIN", 280},   {"IRQ", 260},   {"PRT", 250},  {"NZL", 250},  {"PER", 240},
    {"KAZ", 220},   {"GRC", 220},   {"QAT", 220},  {"DZA", 190},  {"HUN", 180},
    {"KWT", 180},   {"NGA", 480},   {"UKR", 160},  {"MAR", 130},  {"KEN", 110},
    {"UZB", 80},    {"SVK", 115},   {"BGR", 90},   {"GEO", 25},   {"ARM", 20},
    {"KGZ", 11},    {"AZE", 78},    {"BLR", 73},   {"GHA", 73},   {"LKA", 75},
};

/* Countries that never report their trade (their partners' reports remain). */
static const char *const never_report[] = {"PRK", "ERI", "TKM", "SSD", "SOM", "GNQ"};

static int cmp_country(const void *a, const void *b)
{
    const sy_country *x = a, *y = b;
    return strcmp(x->c->iso3, y->c->iso3);
}

/* name → "name" or "\"na,me\"" (doubled quotes) in malloc'd memory. */
static char *csv_quote(const char *s)
{
    size_t n = s ? strlen(s) : 0, k = 0;
    int need = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            need = 1;
    char *o = malloc(2 * n + 3);
    if (!o)
        return NULL;
    if (need)
        o[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            o[k++] = '"';
        o[k++] = s[i] == '\n' || s[i] == '\r' ? ' ' : s[i];
    }
    if (need)
        o[k++] = '"';
    o[k] = '\0';
    return o;
}

static int is_iso3(const char *s)
{
    return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' &&
           s[2] <= 'Z' && s[3] == '\0';
}

static ckp_status build_countries(ckp_synth *s, ckp_error *err)
{
    int n = ckp_ref_country_count(s->ref);
    s->countries = calloc(SY_MAX_COUNTRIES, sizeof *s->countries);
    if (!s->countries)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int id = 0; id < n; id++) {
        const ckp_country *c = ckp_ref_country(s->ref, id);
        if (!c || c->is_aggregate || !is_iso3(c->iso3) || c->comtrade < 0 || c->baci < 0)
            continue;
        if (c->kind && strcmp(c->kind, "country") != 0)
            continue;
        if (s->ncountries >= SY_MAX_COUNTRIES)
            return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                                 "more than %d countries in the reference data",
                                 SY_MAX_COUNTRIES);
        s->countries[s->ncountries].ref_id = id;
        s->countries[s->ncountries].c = c;
        s->ncountries++;
    }
    if (s->ncountries < 20)
        return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                             "the reference data has only %d countries with ISO3, "
                             "Comtrade and BACI codes",
                             s->ncountries);
    qsort(s->countries, (size_t)s->ncountries, sizeof *s->countries, cmp_country);
    for (int i = 0; i < s->ncountries; i++) {
        sy_country *c = &s->countries[i];
        const char *iso = c->c->iso3;
        uint64_t code = (uint64_t)iso[0] << 16 | (uint64_t)iso[1] << 8 | (uint64_t)iso[2];
        uint64_t h = sy_hash(s->p.seed, 0xC0, code, 0);
        sy_rng r = {h};
        c->size = 0;
        for (size_t g = 0; g < sizeof gdp_table / sizeof gdp_table[0]; g++)
            if (strcmp(gdp_table[g].iso3, iso) == 0)
                c->size = gdp_table[g].gdp;
        if (c->size <= 0) {
            c->size = 12.0 * exp(1.4 * zof(s, sy_next(&r)));
            if (c->size > 300)
                c->size = 300;
            if (c->size < 0.2)
                c->size = 0.2;
        }
        /* a uniform point on the sphere */
        double zc = 2 * sy_u01(sy_next(&r)) - 1, t = 2 * M_PI * sy_u01(sy_next(&r));
        double rr = sqrt(1 - zc * zc);
        c->pos[0] = rr * cos(t);
        c->pos[1] = rr * sin(t);
        c->pos[2] = zc;
        double u = sy_u01(sy_next(&r));
        c->rep_sigma = 0.02 + 0.10 * u * u;
        c->report_from = 0;
        c->report_to = INT_MAX;
        for (size_t k = 0; k < sizeof never_report / sizeof never_report[0]; k++)
            if (strcmp(iso, never_report[k]) == 0)
                c->report_from = INT_MAX;
        if (strcmp(iso, "RUS") == 0)
            c->report_to = sy_month(202112);
        c->imp_fob = strcmp(iso, "USA") == 0 || strcmp(iso, "CAN") == 0 ||
                     strcmp(iso, "AUS") == 0;
        snprintf(c->baci_code, sizeof c->baci_code, "%d", c->c->baci % 100000);
        snprintf(c->comtrade_code, sizeof c->comtrade_code, "%d", c->c->comtrade % 100000);
        c->size06 = pow(c->size / 50, 0.6);
        c->size05 = pow(c->size / 50, 0.5);
        c->csv_name = csv_quote(c->c->name ? c->c->name : iso);
        if (!c->csv_name)
            return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    return CKP_OK;
}

int ckp__synth_country(const ckp_synth *s, const char *iso3)
{
    int lo = 0, hi = s->ncountries - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(s->countries[mid].c->iso3, iso3);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static double dist(const sy_country *a, const sy_country *b)
{
    double d = a->pos[0] * b->pos[0] + a->pos[1] * b->pos[1] + a->pos[2] * b->pos[2];
    if (d > 1)
        d = 1;
    if (d < -1)
        d = -1;
    return acos(d); /* 0 … π */
}

/* ---- products ------------------------------------------------------------- */

/* Median unit value (USD/kg) and share of world trade (%) by HS chapter. */
static const float chapter_price[100] = {
    0,   3,   4,   6,   4,   3,   4,   1,   2.5, 5,   0.3, 0.6, 0.8, 8,   1.5, 1.2, 5,
    0.6, 4,   3,   2,   5,   1.5, 0.4, 8,   0.1, 0.2, 0.5, 2,   5,   60,  0.4, 5,   12,
    2.5, 5,   4,   20,  3,   2.5, 3,   5,   30,  80,  0.5, 5,   4,   0.6, 1.5, 10,  40,
    15,  4,   3,   6,   4,   5,   6,   15,  8,   10,  25,  30,  8,   25,  30,  10,  20,
    0.8, 1,   2,   2000, 1, 3,   8,   15,  4,   4,   2.5, 3,   25,  30,  15,  8,   35,
    45,  6,   12,  400, 8,  150, 250, 20,  60,  6,   10,  8,   200, 10,  10};
static const float chapter_share[100] = {
    [27] = 12, [84] = 14, [85] = 15, [87] = 8, [30] = 5, [71] = 4, [90] = 3.5, [39] = 3,
    [72] = 2,  [29] = 2,  [73] = 1.5, [26] = 1.5, [94] = 1.2, [61] = 1.5, [62] = 1.5,
    [38] = 1.3, [88] = 1.5, [44] = 0.8, [48] = 1, [40] = 1, [76] = 1.2, [74] = 1.2,
    [89] = 0.6, [64] = 0.8, [95] = 0.6, [2] = 0.8, [3] = 0.7, [8] = 0.6, [10] = 0.6,
    [12] = 0.6, [22] = 0.5, [28] = 0.8, [33] = 0.5, [34] = 0.4};

static void set_product(ckp_synth *s, int k, uint32_t hs)
{
    sy_product *p = &s->products[k];
    int ch = (int)(hs / 10000);
    uint64_t h = sy_hash(s->p.seed, 0x9D, hs, 0);
    sy_rng r = {h};
    p->hs = hs;
    p->price = (ch < 100 && chapter_price[ch] > 0 ? chapter_price[ch] : 5) *
               exp(0.6 * zof(s, sy_next(&r)));
    p->weight = (ch < 100 && chapter_share[ch] > 0 ? chapter_share[ch] : 0.3) *
                exp(1.2 * zof(s, sy_next(&r)));
    p->season_amp = 0.04 + 0.18 * sy_u01(sy_next(&r));
    p->season_phase = 12 * sy_u01(sy_next(&r));
    const ckp_hs_entry *e = ckp_ref_hs(s->ref, CKP_HS2022, hs, 6);
    p->csv_desc = csv_quote(e && e->description ? e->description : "");
}

int ckp__synth_product(const ckp_synth *s, uint32_t hs)
{
    return hs < 1000000 ? s->prod_by_code[hs] : -1;
}

static int add_product(ckp_synth *s, uint32_t hs)
{
    if (hs >= 1000000)
        return -1;
    if (s->prod_by_code[hs] >= 0)
        return s->prod_by_code[hs];
    if (s->nproducts >= SY_MAX_PRODUCTS)
        return -1;
    int k = s->nproducts++;
    set_product(s, k, hs);
    if (!s->products[k].csv_desc)
        return -1;
    s->prod_by_code[hs] = k;
    return k;
}

static ckp_status build_products(ckp_synth *s, ckp_error *err)
{
    s->products = calloc(SY_MAX_PRODUCTS, sizeof *s->products);
    s->prod_by_code = malloc(1000000 * sizeof *s->prod_by_code);
    if (!s->products || !s->prod_by_code)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    for (int i = 0; i < 1000000; i++)
        s->prod_by_code[i] = -1;
    for (uint32_t ch = 1; ch <= 97; ch++) {
        if (ch == 77)
            continue;
        for (uint32_t h4 = ch * 100; h4 < ch * 100 + 100; h4++) {
            if (!ckp_ref_hs(s->ref, CKP_HS2022, h4, 4))
                continue;
            for (uint32_t c6 = h4 * 100; c6 < h4 * 100 + 100; c6++)
                if (ckp_ref_hs(s->ref, CKP_HS2022, c6, 6) && add_product(s, c6) < 0)
                    return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                                         "too many HS6 codes (limit %d)", SY_MAX_PRODUCTS);
        }
    }
    if (s->nproducts < 100)
        return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                             "the reference data has no HS2022 nomenclature "
                             "(found %d subheadings)",
                             s->nproducts);
    return CKP_OK;
}

int ckp__synth_product_add(ckp_synth *s, uint32_t hs) { return add_product(s, hs); }

/* ---- background sizing ---------------------------------------------------- */

/* Probability that a background link trades in a given month: 1 for 45 % of
 * links, uniform on [0.25, 1) for the rest (mean 0.79375). */
#define SY_MEAN_ACTIVE 0.79375

static double gravity_w(const sy_country *e, const sy_country *i)
{
    return pow(e->size, 0.9) / pow(0.3 + dist(e, i), 1.2);
}

/* Vose alias tables, one per importer, over exporters by gravity weight. */
static ckp_status build_alias(ckp_synth *s, ckp_error *err)
{
    int n = s->ncountries;
    s->alias_p = malloc((size_t)n * n * sizeof *s->alias_p);
    s->alias_i = malloc((size_t)n * n * sizeof *s->alias_i);
    double *w = malloc((size_t)n * sizeof *w);
    int *small = malloc((size_t)n * sizeof *small), *large = malloc((size_t)n * sizeof *large);
    ckp_status st = CKP_OK;
    s->pairs = malloc((size_t)n * n * sizeof *s->pairs);
    if (!s->alias_p || !s->alias_i || !w || !small || !large || !s->pairs) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    for (int e = 0; e < n; e++)
        for (int i = 0; i < n; i++) {
            double d = dist(&s->countries[e], &s->countries[i]);
            s->pairs[(size_t)e * n + i].inv_dist = (float)(1 / (0.3 + d));
            s->pairs[(size_t)e * n + i].margin0 = (float)(0.02 + 0.09 * pow(d / M_PI, 0.7));
        }
    for (int j = 0; j < n; j++) {
        double *P = s->alias_p + (size_t)j * n;
        int *A = s->alias_i + (size_t)j * n;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] = i == j ? 0 : gravity_w(&s->countries[i], &s->countries[j]);
            sum += w[i];
        }
        int ns = 0, nl = 0;
        for (int i = 0; i < n; i++) {
            w[i] = w[i] * n / sum;
            A[i] = i;
            if (w[i] < 1)
                small[ns++] = i;
            else
                large[nl++] = i;
        }
        while (ns && nl) {
            int a = small[--ns], b = large[nl - 1];
            P[a] = w[a];
            A[a] = b;
            w[b] = w[b] + w[a] - 1;
            if (w[b] < 1) {
                nl--;
                small[ns++] = b;
            }
        }
        while (nl)
            P[large[--nl]] = 1;
        while (ns)
            P[small[--ns]] = 1;
    }
out_free:
    free(w);
    free(small);
    free(large);
    return st;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Choose lambda_scale so that the expected number of background links,
 * Σ_j Σ_k min(scale · share_j · w_k, cap), meets the row target. */
static ckp_status size_background(ckp_synth *s, ckp_error *err)
{
    int n = s->ncountries, K = s->nproducts;
    double periods, rows_per_link, pinned_rows, target;
    double *w = malloc((size_t)K * sizeof *w), *pre = malloc((size_t)(K + 1) * sizeof *pre);
    ckp_status st = CKP_OK;
    s->imp_share = malloc((size_t)n * sizeof *s->imp_share);
    if (!w || !pre || !s->imp_share) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    double tot = 0;
    for (int j = 0; j < n; j++) {
        s->imp_share[j] = pow(s->countries[j].size, 0.7);
        tot += s->imp_share[j];
    }
    for (int j = 0; j < n; j++)
        s->imp_share[j] /= tot;
    tot = 0;
    for (int k = 0; k < K; k++)
        tot += s->products[k].weight;
    for (int k = 0; k < K; k++) {
        s->products[k].weight /= tot;
        s->products[k].wpow = pow(s->products[k].weight * K, 0.4);
        w[k] = s->products[k].weight;
    }
    qsort(w, (size_t)K, sizeof *w, cmp_desc);
    pre[0] = 0;
    for (int k = 0; k < K; k++)
        pre[k + 1] = pre[k] + w[k];

    if (s->p.annual || s->p.format == CKP_SYNTH_BACI) {
        periods = s->y1 - s->y0 + 1;
        rows_per_link = periods * 0.995;
    } else {
        periods = s->m1 - s->m0 + 1;
        rows_per_link = periods * SY_MEAN_ACTIVE;
    }
    if (s->p.format != CKP_SYNTH_BACI)
        rows_per_link *= 2 * 0.985; /* both sides, minus non-reporters */
    pinned_rows = s->npins * periods * (s->p.format == CKP_SYNTH_BACI ? 1 : 2);
    target = (double)s->p.rows - pinned_rows;
    s->lambda_scale = 0;
    if (target > 0) {
        double links = target / rows_per_link, cap = 0.8 * (n - 1);
        double lo = 0, hi = links * 4 + 1;
        for (int it = 0; it < 60; it++) {
            double c = (lo + hi) / 2, sum = 0;
            for (int j = 0; j < n; j++) {
                double a = c * s->imp_share[j];
                /* products with a·w ≥ cap are capped: w sorted descending */
                int l = 0, h = K;
                while (l < h) {
                    int m = (l + h) / 2;
                    if (a * w[m] >= cap)
                        l = m + 1;
                    else
                        h = m;
                }
                sum += l * cap + a * (pre[K] - pre[l]);
            }
            if (sum < links)
                lo = c;
            else
                hi = c;
        }
        s->lambda_scale = (lo + hi) / 2;
    }
out_free:
    free(w);
    free(pre);
    return st;
}

/* ---- open / free ---------------------------------------------------------- */

ckp_status ckp_synth_open(const ckp_ref *ref, const ckp_synth_params *p, ckp_synth **out,
                          ckp_error *err)
{
    ckp_synth *s;
    ckp_status st;
    *out = NULL;
    if (p->from / 100 < 1990 || p->to / 100 > 2100 || p->from % 100 < 1 ||
        p->from % 100 > 12 || p->to % 100 < 1 || p->to % 100 > 12)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "periods must be months between 1990-01 and 2100-12");
    if (p->from > p->to)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "--from is after --to");
    if (p->rows > SY_MAX_ROWS)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "--rows above the limit of %llu",
                             (unsigned long long)SY_MAX_ROWS);
    if (p->scenarios & ~(unsigned)CKP_SYNTH_ALL)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "unknown scenario bits");
    s = calloc(1, sizeof *s);
    if (!s)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    s->ref = ref;
    s->p = *p;
    if (s->p.format == CKP_SYNTH_BACI)
        s->p.annual = 1;
    s->m0 = sy_month(p->from);
    s->m1 = sy_month(p->to);
    if (s->p.annual) {
        s->y0 = p->from % 100 == 1 ? p->from / 100 : p->from / 100 + 1;
        s->y1 = p->to % 100 == 12 ? p->to / 100 : p->to / 100 - 1;
        if (s->y0 > s->y1) {
            st = ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                               "annual output needs a complete calendar year between "
                               "--from and --to");
            goto fail;
        }
        s->m0 = sy_month(s->y0 * 100 + 1);
        s->m1 = sy_month(s->y1 * 100 + 12);
    }
    for (int i = 0; i < 4096; i++)
        s->znorm[i] = inv_norm((i + 0.5) / 4096.0);
    /* the world, in order: each step reads what the ones before built */
    static ckp_status (*const steps[])(ckp_synth *, ckp_error *) = {
        build_countries, build_products, ckp__synth_build_scenarios, build_alias,
        size_background};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        st = steps[i](s, err);
        if (st)
            goto fail;
    }
    *out = s;
    return CKP_OK;
fail:
    ckp_synth_free(s);
    return st;
}

void ckp_synth_free(ckp_synth *s)
{
    if (!s)
        return;
    if (s->countries)
        for (int i = 0; i < s->ncountries; i++)
            free(s->countries[i].csv_name);
    if (s->products)
        for (int k = 0; k < s->nproducts; k++)
            free(s->products[k].csv_desc);
    for (int e = 0; e < s->neffects; e++)
        free(s->effects[e].add);
    CKP_FREE_ALL(s->countries, s->products, s->prod_by_code, s->pins, s->effects, s->eff_of,
                 s->events, s->reserves, s->pin_order, s->imp_share, s->alias_p, s->alias_i,
                 s->pairs, s);
}

/* ---- links and their series ----------------------------------------------- */

typedef struct sy_link {
    int exp;
    int prod;
    int pin;         /* pin index or -1 */
    double base;     /* USD/year at 2017-01 */
    double sigma;    /* monthly log noise */
    double active;   /* P(month active) */
    double trend;    /* yearly growth rate */
    double lgrowth;  /* log(1 + trend) / 12: growth per month, log scale */
    double margin;   /* CIF/FOB margin */
    double pricef;   /* the link's unit value relative to the product's */
    uint64_t h;      /* the link's random stream */
} sy_link;

/* Per-slot series of one link (slot = month, or year when annual). */
enum { S_VT, S_QT, S_VX, S_QX, S_VM, S_QM, S_VMF, S_VR, S_QR, S_NSER };

typedef struct sy_gen {
    ckp_synth *s;
    ckp_synth_row_fn fn;
    void *ctx;
    ckp_synth_stats st;
    int stop;
    int nslots;
    sy_link *links;       /* one importer's links */
    size_t nlinks, caplinks;
    double *ser;          /* group cells: link × S_NSER × nslots */
    size_t capser;
    int *stamp;           /* exporter de-duplication */
    int stampgen;
} sy_gen;

static int cmp_link(const void *a, const void *b)
{
    const sy_link *x = a, *y = b;
    if (x->prod != y->prod)
        return x->prod < y->prod ? -1 : 1;
    return x->exp < y->exp ? -1 : x->exp > y->exp;
}

static void link_params(const ckp_synth *s, sy_link *l, int j)
{
    const sy_country *e = &s->countries[l->exp], *i = &s->countries[j];
    const sy_product *p = &s->products[l->prod];
    sy_rng r = {l->h};
    uint64_t x = sy_next(&r), y = sy_next(&r);
    const sy_pair *pr = &s->pairs[(size_t)l->exp * s->ncountries + j];
    l->margin = pr->margin0 + 0.03 * sy_u01(y) + 0.01 * zof(s, x);
    if (l->margin < 0.02)
        l->margin = 0.02;
    if (l->margin > 0.15)
        l->margin = 0.15;
    l->pricef = sy_exp(0.25 * zof(s, x >> 12));
    if (l->pin >= 0) {
        const sy_pin *pn = &s->pins[l->pin];
        l->base = pn->base;
        l->sigma = pn->sigma;
        l->active = 1;
        l->trend = pn->trend;
        l->lgrowth = log1p(l->trend) / 12;
        return;
    }
    double u = sy_u01(sy_next(&r));
    l->active = u < 0.45 ? 1 : 0.25 + 0.75 * (u - 0.45) / 0.55;
    double v = 1.5e6 * e->size06 * i->size05 * p->wpow * sy_exp(1.1 * zof(s, x >> 24)) *
               pr->inv_dist * l->active * l->active;
    if (v > 2e10)
        v = 2e10;
    l->base = v;
    double sg = 0.9 - 0.1 * log10(v > 1 ? v : 1);
    l->sigma = sg < 0.12 ? 0.12 : sg > 0.6 ? 0.6 : sg;
    l->trend = 0.03 + 0.04 * zof(s, x >> 36);
    if (l->trend < -0.1)
        l->trend = -0.1;
    l->lgrowth = log1p(l->trend) / 12;
}

static double poisson(const ckp_synth *s, uint64_t h, double lambda)
{
    double u = sy_u01(h);
    if (lambda <= 0)
        return 0;
    if (lambda < 30) {
        double pk = exp(-lambda), F = pk;
        int k = 0;
        while (u > F && k < 200) {
            k++;
            pk *= lambda / k;
            F += pk;
        }
        return k;
    }
    double k = floor(lambda + sqrt(lambda) * s->znorm[(int)(u * 4096) & 4095] + 0.5);
    return k < 0 ? 0 : k;
}

static ckp_status push_link(sy_gen *g, const sy_link *l, ckp_error *err)
{
    if (g->nlinks >= SY_MAX_IMPORTER_LINKS)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                             "more than %zu links for one importer: lower --rows",
                             SY_MAX_IMPORTER_LINKS);
    ckp_status grown = CKP_ARRAY_RESERVE(g->links, g->caplinks, g->nlinks + 1,
                                         SY_MAX_IMPORTER_LINKS, "links", err);
    if (grown != CKP_OK)
        return grown;
    g->links[g->nlinks++] = *l;
    return CKP_OK;
}

/* The links into importer j: background draws and pins. */
static ckp_status importer_links(sy_gen *g, int j, ckp_error *err)
{
    ckp_synth *s = g->s;
    int n = s->ncountries;
    const double *P = s->alias_p + (size_t)j * n;
    const int *A = s->alias_i + (size_t)j * n;
    ckp_status st;
    g->nlinks = 0;
    if (s->lambda_scale > 0) {
        for (int k = 0; k < s->nproducts; k++) {
            uint32_t hs = s->products[k].hs;
            double lam = s->lambda_scale * s->imp_share[j] * s->products[k].weight;
            int m = (int)poisson(s, sy_hash(s->p.seed, 0x50, (uint64_t)j, hs), lam);
            if (m == 0)
                continue;
            if (m > (int)(0.8 * (n - 1)))
                m = (int)(0.8 * (n - 1));
            sy_rng r = {sy_hash(s->p.seed, 0x51, (uint64_t)j, hs)};
            g->stampgen++;
            /* by gravity weight; when the draws keep hitting exporters taken
             * already (m near the number of countries), the rest in a
             * seeded round-robin so that the count is met */
            int start = (int)(sy_next(&r) % (uint64_t)n);
            for (int got = 0, tries = 0; got < m && tries < 8 * m + 16 + n; tries++) {
                uint64_t x = sy_next(&r);
                int i = (int)((x >> 32) % (uint64_t)n);
                if (tries >= 8 * m + 16)
                    i = (start + tries) % n;
                else if (sy_u01(x << 21) >= P[i])
                    i = A[i];
                if (i == j || g->stamp[i] == g->stampgen)
                    continue;
                g->stamp[i] = g->stampgen;
                if (s->nreserves && ckp__synth_reserved(s, i, j, hs))
                    continue;
                sy_link l = {.exp = i, .prod = k, .pin = -1};
                l.h = sy_hash(s->p.seed, 0x11, (uint64_t)i << 20 | (uint64_t)j, hs);
                link_params(s, &l, j);
                st = push_link(g, &l, err);
                if (st)
                    return st;
                got++;
            }
        }
    }
    for (int q = 0; q < s->npins; q++) {
        const sy_pin *pn = &s->pins[s->pin_order[q]];
        if (pn->imp != j)
            continue;
        sy_link l = {.exp = pn->exp, .prod = pn->prod, .pin = s->pin_order[q]};
        l.h = sy_hash(s->p.seed, 0x11, (uint64_t)pn->exp << 20 | (uint64_t)j,
                      s->products[pn->prod].hs);
        link_params(s, &l, j);
        st = push_link(g, &l, err);
        if (st)
            return st;
    }
    /* background links come in product order already; pins need a sort */
    if (g->nlinks > 1 && g->links[g->nlinks - 1].pin >= 0)
        qsort(g->links, g->nlinks, sizeof *g->links, cmp_link);
    return CKP_OK;
}

static inline int reports(const sy_country *c, int month)
{
    return month >= c->report_from && month <= c->report_to;
}

static double decoy_factor(const sy_country *c, int month)
{
    return c->decoy ? ckp__synth_decoy_factor(c, month) : 1;
}

/* The scenario effects of a pinned link in one month. */
typedef struct sy_monthfx {
    double scale;     /* × the flow */
    double add_kg;    /* kg added */
    double record;    /* share the importer records */
    double vx, vm;    /* × the exporter's / importer's reported value */
    uint32_t recode;  /* declared code of the importer's report, 0 = none */
} sy_monthfx;

static void pin_effects(const ckp_synth *s, int pin, int m, sy_monthfx *fx)
{
    fx->scale = 1;
    fx->add_kg = 0;
    fx->record = 1;
    fx->vx = fx->vm = 1;
    fx->recode = 0;
    if (pin < 0)
        return;
    const sy_pin *pn = &s->pins[pin];
    for (int q = 0; q < pn->neff; q++) {
        const sy_effect *e = &s->effects[s->eff_of[pn->first_eff + q]];
        if (m < e->from || m > e->to)
            continue;
        switch (e->kind) {
        case SY_SCALE:
            if (e->ramp > 0 && m - e->from < e->ramp)
                fx->scale *= e->factor0 + (e->factor - e->factor0) * (m - e->from + 1) /
                                              (e->ramp + 1.0);
            else
                fx->scale *= e->factor;
            break;
        case SY_ADD:
            fx->add_kg += e->add[m - e->from] * 1000;
            break;
        case SY_RECORD:
            fx->record *= e->factor;
            break;
        case SY_VALUE:
            if (e->side == 'X')
                fx->vx *= e->factor;
            else
                fx->vm *= e->factor;
            break;
        case SY_RECODE:
            fx->recode = e->hs_to;
            break;
        case SY_NONE:
        case SY_DECOY:
            break;
        }
    }
}

#define M2017 (12 * (2017 - SY_EPOCH_YEAR))

/* One month of one link into its cells (slot = month or year index). */
static void gen_month(const ckp_synth *s, const sy_link *l, int j, int m, double *cell,
                      int nslots, int slot)
{
    const sy_country *e = &s->countries[l->exp], *i = &s->countries[j];
    const sy_product *p = &s->products[l->prod];
    sy_rng r = {l->h ^ (uint64_t)m * 0xd1b54a32d192ed03ULL};
    uint64_t a = sy_next(&r), b = sy_next(&r);
    sy_monthfx fx;
    double v = 0, q = 0;
    pin_effects(s, l->pin, m, &fx);
    if (sy_u01(a) < l->active) {
        int mm = m % 12;
        double season = 1 + p->season_amp * sin(2 * M_PI * (mm - p->season_phase) / 12);
        if (mm == 1 && e->c->iso3[0] == 'C' && strcmp(e->c->iso3, "CHN") == 0)
            season *= 0.8; /* the Chinese New Year dip */
        v = l->base / 12 * sy_exp(l->lgrowth * (m - M2017)) * season *
            sy_exp(l->sigma * zof(s, b)) * decoy_factor(e, m) * decoy_factor(i, m) * fx.scale;
        q = v / (p->price * l->pricef * sy_exp(0.08 * zof(s, b >> 12)));
    }
    if (fx.add_kg > 0) {
        double va = fx.add_kg * p->price * l->pricef * sy_exp(0.05 * zof(s, b >> 24));
        v += va;
        q += fx.add_kg;
    }
    if (v <= 0)
        return;
    uint64_t c = sy_next(&r);
    double vx = v * sy_exp(e->rep_sigma * zof(s, c)) * fx.vx;
    double qx = q * sy_exp(0.5 * e->rep_sigma * zof(s, c >> 12));
    double vm = v * (1 + l->margin) * sy_exp(i->rep_sigma * zof(s, c >> 24)) * fx.record;
    double qm = q * sy_exp(0.5 * i->rep_sigma * zof(s, c >> 36)) * fx.record;
    double vmf = i->imp_fob ? vm / (1 + l->margin) * sy_exp(0.01 * zof(s, c >> 48)) : 0;
    vm *= fx.vm;
    vmf *= fx.vm;
    if (l->pin < 0 && (c >> 60) == 0 && (sy_next(&r) & 7) == 0) {
        /* about 0.8 % of background reports give no quantity */
        if (a & (1ULL << 63))
            qx = NAN;
        else
            qm = NAN;
    }
    cell[S_VT * nslots + slot] += v;
    cell[S_QT * nslots + slot] += q;
    if (reports(e, m)) {
        cell[S_VX * nslots + slot] += vx;
        cell[S_QX * nslots + slot] += qx;
    }
    if (reports(i, m)) {
        if (fx.recode) {
            cell[S_VR * nslots + slot] += vm;
            cell[S_QR * nslots + slot] += qm;
        } else {
            cell[S_VM * nslots + slot] += vm;
            cell[S_QM * nslots + slot] += qm;
            cell[S_VMF * nslots + slot] += vmf;
        }
    }
}

/* One year of a background link, drawn at annual resolution (the monthly
 * detail would average out). */
static void gen_year(const ckp_synth *s, const sy_link *l, int j, int y, double *cell,
                     int nslots, int slot)
{
    const sy_country *e = &s->countries[l->exp], *i = &s->countries[j];
    const sy_product *p = &s->products[l->prod];
    sy_rng r = {l->h ^ (uint64_t)(y + 7919) * 0x9e3779b97f4a7c15ULL};
    uint64_t a = sy_next(&r), b = sy_next(&r), c = sy_next(&r);
    int act = 0, mid = (y - SY_EPOCH_YEAR) * 12 + 6;
    for (int k = 0; k < 12; k++)
        act += (double)((a >> (5 * k)) & 31) + 0.5 < l->active * 32;
    if (act == 0)
        return;
    double v = l->base / 12 * act * sy_exp(l->lgrowth * (mid - M2017)) *
               sy_exp(l->sigma / sqrt(act) * zof(s, b)) * decoy_factor(e, mid) *
               decoy_factor(i, mid);
    double q = v / (p->price * l->pricef * sy_exp(0.03 * zof(s, b >> 12)));
    double vx = v * sy_exp(e->rep_sigma * zof(s, c));
    double qx = q * sy_exp(0.5 * e->rep_sigma * zof(s, c >> 12));
    double vm = v * (1 + l->margin) * sy_exp(i->rep_sigma * zof(s, c >> 24));
    double qm = q * sy_exp(0.5 * i->rep_sigma * zof(s, c >> 36));
    double vmf = i->imp_fob ? vm / (1 + l->margin) * sy_exp(0.01 * zof(s, c >> 48)) : 0;
    if ((b >> 56) == 0) {
        if (b & (1ULL << 40))
            qx = NAN;
        else
            qm = NAN;
    }
    int m12 = (y - SY_EPOCH_YEAR) * 12 + 11, m1 = m12 - 11;
    cell[S_VT * nslots + slot] += v;
    cell[S_QT * nslots + slot] += q;
    if (reports(e, m1) && reports(e, m12)) {
        cell[S_VX * nslots + slot] += vx;
        cell[S_QX * nslots + slot] += qx;
    }
    if (reports(i, m1) && reports(i, m12)) {
        cell[S_VM * nslots + slot] += vm;
        cell[S_QM * nslots + slot] += qm;
        cell[S_VMF * nslots + slot] += vmf;
    }
}

/* Move `share` of the importer's report from link a to link b (partner or
 * product misattribution), every slot. */
static void misattribute(double *ca, double *cb, int nslots, double share)
{
    for (int t = 0; t < nslots; t++) {
        double dv = ca[S_VM * nslots + t] * share;
        double dq = ca[S_QM * nslots + t] * share;
        double df = ca[S_VMF * nslots + t] * share;
        if (dv <= 0 || isnan(dq) || isnan(cb[S_QM * nslots + t]))
            continue;
        ca[S_VM * nslots + t] -= dv;
        ca[S_QM * nslots + t] -= dq;
        ca[S_VMF * nslots + t] -= df;
        cb[S_VM * nslots + t] += dv;
        cb[S_QM * nslots + t] += dq;
        cb[S_VMF * nslots + t] += df;
    }
}

static int32_t slot_period(const ckp_synth *s, int slot)
{
    if (s->p.annual)
        return (int32_t)((s->y0 + slot) * 100);
    return sy_period(s->m0 + slot);
}

static int emit(sy_gen *g, int32_t period, int rep, int par, int flow, uint32_t hs,
                double v, double alt, double q)
{
    ckp_flow row;
    if (!(v >= 0.5))
        return 0;
    row.period = period;
    row.reporter = g->s->countries[rep].ref_id;
    row.partner = g->s->countries[par].ref_id;
    row.flow = flow;
    row.hs = hs;
    row.hs_edition = CKP_HS2022;
    row.value = v;
    row.value_alt = alt > 0 ? alt : NAN;
    row.qty = q;
    row.unit = CKP_UNIT_KG;
    row.source = 0;
    g->st.rows++;
    if (g->fn(&row, g->ctx))
        g->stop = 1;
    return g->stop;
}

/* Generate and emit the links [a, b) of importer j (one HS heading). */
static ckp_status do_group(sy_gen *g, int j, size_t a, size_t b, ckp_error *err)
{
    ckp_synth *s = g->s;
    int ns = g->nslots;
    size_t per = (size_t)S_NSER * ns, need = (b - a) * per;
    if (need > SY_MAX_GROUP_CELLS)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                             "one HS heading needs more than %zu cells: lower --rows",
                             SY_MAX_GROUP_CELLS);
    ckp_status grown =
        CKP_ARRAY_RESERVE(g->ser, g->capser, need, SY_MAX_GROUP_CELLS, "cells", err);
    if (grown != CKP_OK)
        return grown;
    memset(g->ser, 0, need * sizeof *g->ser);
    for (size_t li = a; li < b; li++) {
        const sy_link *l = &g->links[li];
        double *cell = g->ser + (li - a) * per;
        if (s->p.annual && l->pin < 0) {
            for (int t = 0; t < ns; t++)
                gen_year(s, l, j, s->y0 + t, cell, ns, t);
        } else {
            for (int m = s->m0; m <= s->m1; m++)
                gen_month(s, l, j, m, cell, ns,
                          s->p.annual ? (m - s->m0) / 12 : m - s->m0);
        }
    }
    /* misattribution by the importer, between background links of the group */
    if (s->p.format != CKP_SYNTH_BACI && b - a > 1) {
        for (size_t li = a; li < b; li++) {
            const sy_link *l = &g->links[li];
            if (l->pin >= 0)
                continue;
            uint64_t h = sy_mix(l->h ^ 0xA77);
            int kind = (h & 1023) < 31 ? 1 : (h & 1023) < 51 ? 2 : 0; /* 3 %, 2 % */
            if (!kind)
                continue;
            size_t start = a + (h >> 20) % (b - a);
            for (size_t k = 0; k < b - a; k++) {
                size_t o = a + (start - a + k) % (b - a);
                const sy_link *r = &g->links[o];
                if (o == li || r->pin >= 0)
                    continue;
                if ((kind == 1 && r->prod == l->prod && r->exp != l->exp) ||
                    (kind == 2 && r->exp == l->exp && r->prod != l->prod)) {
                    misattribute(g->ser + (li - a) * per, g->ser + (o - a) * per, ns,
                                 0.2 + 0.4 * sy_u01(h << 12));
                    break;
                }
            }
        }
    }
    for (size_t li = a; li < b && !g->stop; li++) {
        const sy_link *l = &g->links[li];
        const double *cell = g->ser + (li - a) * per;
        uint32_t hs = s->products[l->prod].hs, hs_to = 0;
        g->st.links++;
        if (l->pin >= 0) {
            g->st.pinned++;
            const sy_pin *pn = &s->pins[l->pin];
            for (int q = 0; q < pn->neff; q++) {
                const sy_effect *e = &s->effects[s->eff_of[pn->first_eff + q]];
                if (e->kind == SY_RECODE)
                    hs_to = e->hs_to;
            }
        }
        for (int t = 0; t < ns && !g->stop; t++) {
            int32_t per_ = slot_period(s, t);
            if (s->p.format == CKP_SYNTH_BACI) {
                emit(g, per_, l->exp, j, 'X', hs, cell[S_VT * ns + t], 0, cell[S_QT * ns + t]);
                continue;
            }
            if (emit(g, per_, l->exp, j, 'X', hs, cell[S_VX * ns + t], 0, cell[S_QX * ns + t]))
                break;
            if (emit(g, per_, j, l->exp, 'M', hs, cell[S_VM * ns + t], cell[S_VMF * ns + t],
                     cell[S_QM * ns + t]))
                break;
            if (hs_to && emit(g, per_, j, l->exp, 'M', hs_to, cell[S_VR * ns + t], 0,
                              cell[S_QR * ns + t]))
                break;
        }
    }
    return CKP_OK;
}

ckp_status ckp_synth_each_row(ckp_synth *s, ckp_synth_row_fn fn, void *ctx,
                              ckp_synth_stats *stats, ckp_error *err)
{
    sy_gen g;
    ckp_status st = CKP_OK;
    memset(&g, 0, sizeof g);
    g.s = s;
    g.fn = fn;
    g.ctx = ctx;
    g.nslots = s->p.annual ? s->y1 - s->y0 + 1 : s->m1 - s->m0 + 1;
    g.stamp = calloc((size_t)s->ncountries, sizeof *g.stamp);
    if (!g.stamp) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    for (int j = 0; j < s->ncountries && !g.stop; j++) {
        st = importer_links(&g, j, err);
        if (st)
            goto out_free;
        size_t a = 0;
        while (a < g.nlinks && !g.stop) {
            uint32_t head = s->products[g.links[a].prod].hs / 100;
            size_t b = a + 1;
            while (b < g.nlinks && s->products[g.links[b].prod].hs / 100 == head)
                b++;
            st = do_group(&g, j, a, b, err);
            if (st)
                goto out_free;
            a = b;
        }
    }
out_free:
    if (stats)
        *stats = g.st;
    free(g.links);
    free(g.ser);
    free(g.stamp);
    return st;
}

/* ---- formats ------------------------------------------------------------- */

typedef struct sy_out {
    ckp_synth *s;
    FILE *f;
    char *buf;
    size_t len, cap;
    uint64_t bytes;
    int failed;
    int *ref2w;      /* ref id → world country index */
} sy_out;

static void out_flush(sy_out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->failed = 1;
    o->bytes += o->len;
    o->len = 0;
}

static inline char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static inline char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 24;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        tmp[--n] = digit_pairs[d + 1];
        tmp[--n] = digit_pairs[d];
    }
    if (v >= 10) {
        tmp[--n] = digit_pairs[v * 2 + 1];
        tmp[--n] = digit_pairs[v * 2];
    } else {
        tmp[--n] = (char)('0' + v);
    }
    memcpy(p, tmp + n, (size_t)(24 - n));
    return p + (24 - n);
}

/* v with exactly 3 decimals ("12.345"). */
static inline char *put_fix3(char *p, double v)
{
    uint64_t x = (uint64_t)(v * 1000 + 0.5);
    p = put_u64(p, x / 1000);
    *p++ = '.';
    x %= 1000;
    *p++ = (char)('0' + x / 100);
    *p++ = (char)('0' + x / 10 % 10);
    *p++ = (char)('0' + x % 10);
    return p;
}

/* A quantity in kg: whole kg from 10 kg, else 3 decimals; "" when missing. */
static inline char *put_kg(char *p, double q)
{
    if (isnan(q) || q < 0)
        return p;
    if (q >= 10)
        return put_u64(p, (uint64_t)(q + 0.5));
    return put_fix3(p, q);
}

static inline char *put_hs(char *p, uint32_t hs)
{
    for (int k = 5; k >= 0; k--) {
        p[k] = (char)('0' + hs % 10);
        hs /= 10;
    }
    return p + 6;
}

static inline char *put_period(char *p, int32_t per, int dash)
{
    p = put_u64(p, (uint64_t)(per / 100));
    if (per % 100) {
        if (dash)
            *p++ = '-';
        *p++ = (char)('0' + per % 100 / 10);
        *p++ = (char)('0' + per % 10);
    }
    return p;
}

static int row_flows(const ckp_flow *r, void *ctx)
{
    sy_out *o = ctx;
    if (o->cap - o->len < 256)
        out_flush(o);
    char *p = o->buf + o->len;
    const sy_country *rc = &o->s->countries[o->ref2w[r->reporter]];
    const sy_country *pc = &o->s->countries[o->ref2w[r->partner]];
    p = put_period(p, r->period, 1);
    *p++ = ',';
    p = put_str(p, rc->c->iso3);
    *p++ = ',';
    p = put_str(p, pc->c->iso3);
    *p++ = ',';
    *p++ = (char)r->flow;
    *p++ = ',';
    p = put_hs(p, r->hs);
    *p++ = ',';
    p = put_u64(p, (uint64_t)(r->value + 0.5));
    *p++ = ',';
    p = put_kg(p, r->qty);
    p = put_str(p, ",kg\n");
    o->len = (size_t)(p - o->buf);
    return o->failed;
}

static int row_baci(const ckp_flow *r, void *ctx)
{
    sy_out *o = ctx;
    if (o->cap - o->len < 256)
        out_flush(o);
    char *p = o->buf + o->len;
    const sy_country *rc = &o->s->countries[o->ref2w[r->reporter]];
    const sy_country *pc = &o->s->countries[o->ref2w[r->partner]];
    p = put_u64(p, (uint64_t)(r->period / 100));
    *p++ = ',';
    p = put_str(p, rc->baci_code);
    *p++ = ',';
    p = put_str(p, pc->baci_code);
    *p++ = ',';
    p = put_hs(p, r->hs);
    *p++ = ',';
    p = put_fix3(p, r->value / 1000);
    *p++ = ',';
    if (!isnan(r->qty))
        p = put_fix3(p, r->qty / 1000);
    *p++ = '\n';
    o->len = (size_t)(p - o->buf);
    return o->failed;
}

static const char comtrade_header[] =
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,"
    "reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,"
    "partner2ISO,partner2Desc,classificationCode,classificationSearchCode,"
    "isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,"
    "mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,"
    "altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,"
    "isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,legacyEstimationFlag,isReported,"
    "isAggregate\n";

static int row_comtrade(const ckp_flow *r, void *ctx)
{
    sy_out *o = ctx;
    const sy_country *rc = &o->s->countries[o->ref2w[r->reporter]];
    const sy_country *pc = &o->s->countries[o->ref2w[r->partner]];
    const sy_product *pr = &o->s->products[o->s->prod_by_code[r->hs]];
    size_t need = 512 + strlen(rc->csv_name) + strlen(pc->csv_name) + strlen(pr->csv_desc);
    if (o->cap - o->len < need)
        out_flush(o);
    if (o->cap - o->len < need)
        return o->failed = 1; /* cannot happen: names are short */
    char *p = o->buf + o->len;
    int year = r->period / 100, month = r->period % 100, hasq = !isnan(r->qty);
    p = put_str(p, month ? "C,M," : "C,A,");
    p = put_u64(p, (uint64_t)year);
    p = put_str(p, month ? "" : "01");
    if (month) {
        *p++ = (char)('0' + month / 10);
        *p++ = (char)('0' + month % 10);
    }
    p = put_str(p, "01,");
    p = put_u64(p, (uint64_t)year);
    *p++ = ',';
    p = put_u64(p, (uint64_t)(month ? month : 52));
    *p++ = ',';
    p = put_period(p, r->period, 0);
    *p++ = ',';
    p = put_str(p, rc->comtrade_code);
    *p++ = ',';
    p = put_str(p, rc->c->iso3);
    *p++ = ',';
    p = put_str(p, rc->csv_name);
    p = put_str(p, r->flow == 'X' ? ",X,Export," : ",M,Import,");
    p = put_str(p, pc->comtrade_code);
    *p++ = ',';
    p = put_str(p, pc->c->iso3);
    *p++ = ',';
    p = put_str(p, pc->csv_name);
    p = put_str(p, ",0,W00,World,H6,HS,True,");
    p = put_hs(p, r->hs);
    *p++ = ',';
    p = put_str(p, pr->csv_desc);
    p = put_str(p, ",6,True,C00,TOTAL CPC,0,0,TOTAL MOT,");
    p = put_str(p, hasq ? "8,kg," : "-1,N/A,");
    p = put_kg(p, r->qty);
    p = put_str(p, ",False,-1,N/A,,False,");
    p = put_kg(p, r->qty);
    p = put_str(p, ",False,,False,");
    uint64_t v = (uint64_t)(r->value + 0.5);
    if (r->flow == 'M') {
        p = put_u64(p, v);
        *p++ = ',';
        if (!isnan(r->value_alt))
            p = put_u64(p, (uint64_t)(r->value_alt + 0.5));
    } else {
        *p++ = ',';
        p = put_u64(p, v);
    }
    *p++ = ',';
    p = put_u64(p, v);
    p = put_str(p, ",0,True,False\n");
    o->len = (size_t)(p - o->buf);
    return o->failed;
}

ckp_status ckp_synth_write_rows(ckp_synth *s, FILE *out, ckp_synth_stats *stats,
                                ckp_error *err)
{
    sy_out o;
    ckp_status st;
    ckp_synth_stats lst;
    int nref = ckp_ref_country_count(s->ref);
    ckp_synth_row_fn fn;
    memset(&o, 0, sizeof o);
    o.s = s;
    o.f = out;
    o.cap = (size_t)1 << 18;
    o.buf = malloc(o.cap);
    o.ref2w = malloc((size_t)(nref > 0 ? nref : 1) * sizeof *o.ref2w);
    if (!o.buf || !o.ref2w) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_free;
    }
    for (int i = 0; i < s->ncountries; i++)
        o.ref2w[s->countries[i].ref_id] = i;
    switch (s->p.format) {
    case CKP_SYNTH_BACI:
        o.len = strlen(strcpy(o.buf, "t,i,j,k,v,q\n"));
        fn = row_baci;
        break;
    case CKP_SYNTH_COMTRADE:
        o.len = strlen(strcpy(o.buf, comtrade_header));
        fn = row_comtrade;
        break;
    default:
        o.len = strlen(strcpy(o.buf, "period,reporter,partner,flow,hs,value,qty,unit\n"));
        fn = row_flows;
        break;
    }
    st = ckp_synth_each_row(s, fn, &o, &lst, err);
    out_flush(&o);
    if (!st && (o.failed || fflush(out) != 0 || ferror(out)))
        st = ckp_error_set(err, CKP_EIO, NULL, 0, 0, "write failed");
    lst.bytes = o.bytes;
    if (stats)
        *stats = lst;
out_free:
    free(o.buf);
    free(o.ref2w);
    return st;
}

ckp_status ckp_synth_write_truth(ckp_synth *s, FILE *out, ckp_synth_stats *stats,
                                 ckp_error *err)
{
    uint64_t n = 0;
    ckp_status st = ckp__synth_truth(s, out, &n, err);
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->events = n;
    }
    return st;
}

/* production.c — the USGS Mineral Commodity Summaries world production
 * tables (data/production), their HS ⇄ commodity map, and the `production`
 * verb.  The tables are dirty (PROVENANCE.txt): footnote letters glued to
 * names, aggregate rows, thousands separators, NA and W; each is handled and
 * what cannot be read is counted with file:line:col. */
#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/analysis_int.h"
#include "chokepoint/csv.h"
#include "core/vec.h"

#define PROD_ROWS_MAX 200000
#define PROD_REJECTS 500
#define COMMODITIES_MAX 128

typedef struct commodity {
    char *name, *file, *aliases, *description;
    ckp_hsset *hs;
} commodity;

struct ckp_production {
    ckp_prod_row *rows;
    int n;
    size_t cap;
    commodity com[COMMODITIES_MAX];
    int ncom;
    char **strs; /* every string the rows point to */
    int nstrs;
    size_t capstrs;
    ckp_error rejects[PROD_REJECTS];
    int nkept;
    long nrejects;
};

static char *keep(ckp_production *p, const char *s, size_t n)
{
    if (CKP_ARRAY_RESERVE(p->strs, p->capstrs, (size_t)p->nstrs + 1, INT_MAX, "strings",
                          NULL) != CKP_OK)
        return NULL;
    char *c = malloc(n + 1);
    if (!c)
        return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    p->strs[p->nstrs++] = c;
    return c;
}

static void prod_reject(ckp_production *p, const char *file, long line, long col, const char *fmt,
                        ...) __attribute__((format(printf, 5, 6)));

static void prod_reject(ckp_production *p, const char *file, long line, long col, const char *fmt,
                        ...)
{
    p->nrejects++;
    if (p->nkept >= PROD_REJECTS)
        return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ckp_error_set(&p->rejects[p->nkept++], CKP_EPARSE, file, line, col, "%s", msg);
}

typedef struct bad_records {
    ckp_production *p;
    const char *path;
} bad_records;

static void bad_record(void *ctx, const ckp_error *e)
{
    const bad_records *b = ctx;
    prod_reject(b->p, b->path, e->line, e->col, "%s", e->msg);
}

/* The next record of a table (ckp_csv_next_good): a malformed one is
 * rejected with its line and skipped. */
static int next_record(ckp_production *p, ckp_csv *csv, const char *path, ckp_error *err)
{
    bad_records b = {p, path};
    return ckp_csv_next_good(csv, bad_record, &b, err);
}

void ckp_production_free(ckp_production *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nstrs; i++)
        free(p->strs[i]);
    free(p->strs);
    for (int i = 0; i < p->ncom; i++)
        ckp_hsset_free(p->com[i].hs);
    free(p->rows);
    free(p);
}

int ckp_production_count(const ckp_production *p) { return p ? p->n : 0; }
const ckp_prod_row *ckp_production_at(const ckp_production *p, int i)
{
    return p && i >= 0 && i < p->n ? &p->rows[i] : NULL;
}
long ckp_production_reject_count(const ckp_production *p) { return p ? p->nrejects : 0; }
const ckp_error *ckp_production_reject_at(const ckp_production *p, int i)
{
    return p && i >= 0 && i < p->nkept ? &p->rejects[i] : NULL;
}

/* Name cell → clean text: NBSP → space, spaces trimmed and collapsed. */
static size_t clean_name(ckp_field f, char *out, size_t n)
{
    size_t k = 0;
    int sp = 0;
    for (size_t i = 0; f.ptr && i < f.len && k + 1 < n; i++) {
        unsigned char c = (unsigned char)f.ptr[i];
        if (c == 0xc2 && i + 1 < f.len && (unsigned char)f.ptr[i + 1] == 0xa0) {
            i++;
            c = ' ';
        }
        if (isspace(c)) {
            sp = k > 0;
            continue;
        }
        if (sp && k + 2 < n)
            out[k++] = ' ';
        sp = 0;
        out[k++] = (char)c;
    }
    out[k] = '\0';
    return k;
}

/* A number cell: 0 ok (*v set), 1 NA, 2 W, 3 empty, -1 unparseable. */
static int parse_num(ckp_field f, double *v)
{
    char buf[64];
    size_t k = 0;
    size_t i = 0, n = f.ptr ? f.len : 0;
    while (i < n && isspace((unsigned char)f.ptr[i]))
        i++;
    while (n > i && isspace((unsigned char)f.ptr[n - 1]))
        n--;
    if (i == n)
        return 3;
    if (n - i == 2 && strncasecmp(f.ptr + i, "NA", 2) == 0)
        return 1;
    if (n - i == 1 && (f.ptr[i] == 'W' || f.ptr[i] == 'w'))
        return 2;
    for (; i < n && k + 1 < sizeof buf; i++) {
        char c = f.ptr[i];
        if (c == ',')
            continue;
        if (!isdigit((unsigned char)c) && c != '.' && c != '-')
            return -1;
        buf[k++] = c;
    }
    if (i < n || k == 0)
        return -1;
    buf[k] = '\0';
    char *end;
    *v = strtod(buf, &end);
    return *end ? -1 : 0;
}

/* Known country?  The ref's loose finder handles glued footnotes and
 * qualifiers; names the USGS writes differently are mapped here. */
static int country_of(const ckp_ref *ref, const char *name)
{
    static const char *const alias[][2] = {{"Burma", "MMR"},
                                           {"Korea, North", "PRK"},
                                           {"Korea, Republic of", "KOR"},
                                           {"Congo (Kinshasa)", "COD"},
                                           {"Congo (Brazzaville)", "COG"},
                                           {"Laos", "LAO"},
                                           {"Russia", "RUS"},
                                           {"Turkey", "TUR"},
                                           {"Vietnam", "VNM"}};
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (strcasecmp(name, alias[i][0]) == 0)
            return ckp_ref_country_by_iso3(ref, alias[i][1]);
    int id = ckp_ref_country_find_loose(ref, name);
    if (id >= 0)
        return id;
    /* "Korea, Republic ofe": drop one glued footnote letter and retry */
    size_t n = strlen(name);
    if (n > 3 && islower((unsigned char)name[n - 1])) {
        char b[128];
        snprintf(b, sizeof b, "%.*s", (int)(n - 1), name);
        for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
            if (strcasecmp(b, alias[i][0]) == 0)
                return ckp_ref_country_by_iso3(ref, alias[i][1]);
    }
    return -1;
}

static ckp_prod_row *new_row(ckp_production *p)
{
    if (CKP_ARRAY_RESERVE(p->rows, p->cap, (size_t)p->n + 1, PROD_ROWS_MAX, "rows", NULL) !=
        CKP_OK)
        return NULL;
    return &p->rows[p->n++];
}

static ckp_status load_table(ckp_production *p, const ckp_ref *ref, const commodity *com,
                             const char *path, const char *edition, ckp_error *err)
{
    ckp_csv_opts o;
    ckp_csv_opts_init(&o);
    o.delim = ',';
    o.encoding = CKP_CSV_AUTO;
    ckp_csv *csv;
    ckp_error e;
    if (ckp_csv_open(path, &o, &csv, &e) != CKP_OK)
        return CKP_OK; /* a commodity without a table in this edition */
    int cc = ckp_csv_column(csv, "Country"), ct = ckp_csv_column(csv, "Type");
    int pcol[8], pyear[8], np = 0;
    char unit[8] = "";
    for (size_t i = 0; i < ckp_csv_header_count(csv) && np < 8; i++) {
        char h[64];
        ckp_field_copy(ckp_csv_header_name(csv, i), h, sizeof h);
        size_t hl = strlen(h);
        if (strncmp(h, "Prod_", 5) != 0 || hl < 9 || !isdigit((unsigned char)h[hl - 1]))
            continue;
        int y = atoi(h + hl - 4);
        if (y < 1900 || y > 2100)
            continue;
        if (!unit[0]) {
            size_t ul = strcspn(h + 5, "_");
            snprintf(unit, sizeof unit, "%.*s", (int)(ul < 7 ? ul : 7), h + 5);
        }
        pcol[np] = (int)i;
        pyear[np] = y;
        np++;
    }
    if (cc < 0 || np == 0) {
        prod_reject(p, path, 1, 0, "no Country or Prod_<unit>_<year> columns: table skipped");
        ckp_csv_close(csv);
        return CKP_OK;
    }
    const char *fkeep = keep(p, path, strlen(path));
    const char *ukeep = keep(p, unit, strlen(unit));
    const char *ekeep = keep(p, edition, strlen(edition));
    if (!fkeep || !ukeep || !ekeep) {
        ckp_csv_close(csv);
        return ckp_error_set(err, CKP_ENOMEM, path, 0, 0, "out of memory");
    }
    ckp_status st = CKP_OK;
    int r;
    while ((r = next_record(p, csv, path, err)) > 0) {
        long line = ckp_csv_line(csv);
        char name[128];
        if (clean_name(ckp_csv_field(csv, (size_t)cc), name, sizeof name) == 0)
            continue; /* the trailing empty rows */
        int world = strncasecmp(name, "World total", 11) == 0;
        int other = strncasecmp(name, "Other countries", 15) == 0;
        int id = world || other ? -1 : country_of(ref, name);
        if (!world && !other && id < 0)
            prod_reject(p, path, line, (long)cc + 1,
                        "country \"%s\" is not in the reference data (row kept by name)", name);
        char tname[160];
        clean_name(ct >= 0 ? ckp_csv_field(csv, (size_t)ct) : (ckp_field){NULL, 0}, tname,
                   sizeof tname);
        const char *nk = keep(p, id >= 0 ? ckp__name(ref, id) : name,
                              strlen(id >= 0 ? ckp__name(ref, id) : name));
        const char *tk = keep(p, tname, strlen(tname));
        if (!nk || !tk) {
            st = ckp_error_set(err, CKP_ENOMEM, path, line, 0, "out of memory");
            break;
        }
        if (world)
            nk = "World total";
        else if (other)
            nk = "Other countries";
        for (int k = 0; k < np; k++) {
            double v = NAN;
            int pr = parse_num(ckp_csv_field(csv, (size_t)pcol[k]), &v);
            if (pr == 3)
                continue;
            if (pr < 0) {
                ckp_field f = ckp_csv_field(csv, (size_t)pcol[k]);
                prod_reject(p, path, line, (long)pcol[k] + 1, "production cell \"%.*s\" is not a number, NA or W",
                            (int)(f.len > 40 ? 40 : f.len), f.ptr ? f.ptr : "");
                continue;
            }
            ckp_prod_row *row = new_row(p);
            if (!row) {
                st = ckp_error_set(err, CKP_ELIMIT, path, line, 0, "too many production rows");
                goto out;
            }
            row->commodity = com->name;
            row->type = tk;
            row->unit = ukeep;
            row->year = pyear[k];
            row->country = id;
            row->name = nk;
            row->is_world = world;
            row->is_other = other;
            row->value = pr == 0 ? v : NAN;
            row->withheld = pr == 2;
            row->edition = ekeep;
            row->file = fkeep;
            row->line = line;
        }
    }
    if (r < 0 && st == CKP_OK) /* an I/O error: not a partial table */
        st = err && err->code ? err->code : CKP_EIO;
out:
    ckp_csv_close(csv);
    return st;
}

static ckp_status load_map(ckp_production *p, const ckp_ref *ref, const char *path,
                           ckp_error *err)
{
    ckp_csv *csv;
    ckp_error e;
    ckp_status st = ckp_csv_open(path, NULL, &csv, &e);
    if (st != CKP_OK) {
        if (err)
            *err = e;
        return st;
    }
    int cn = ckp_csv_column(csv, "commodity"), cf = ckp_csv_column(csv, "file"),
        ca = ckp_csv_column(csv, "aliases"), ch = ckp_csv_column(csv, "hs6"),
        cd = ckp_csv_column(csv, "description");
    if (cn < 0 || cf < 0 || ch < 0) {
        ckp_csv_close(csv);
        return ckp_error_set(err, CKP_EPARSE, path, 1, 0, "expected columns commodity,file,hs6");
    }
    int r;
    while ((r = next_record(p, csv, path, err)) > 0) {
        if (p->ncom >= COMMODITIES_MAX) {
            prod_reject(p, path, ckp_csv_line(csv), 0, "more than %d commodities", COMMODITIES_MAX);
            break;
        }
        commodity *c = &p->com[p->ncom];
        ckp_field fn = ckp_csv_field(csv, (size_t)cn), ff = ckp_csv_field(csv, (size_t)cf),
                  fa = ca >= 0 ? ckp_csv_field(csv, (size_t)ca) : (ckp_field){"", 0},
                  fh = ckp_csv_field(csv, (size_t)ch),
                  fd = cd >= 0 ? ckp_csv_field(csv, (size_t)cd) : (ckp_field){"", 0};
        c->name = keep(p, fn.ptr ? fn.ptr : "", fn.len);
        c->file = keep(p, ff.ptr ? ff.ptr : "", ff.len);
        c->aliases = keep(p, fa.ptr ? fa.ptr : "", fa.len);
        c->description = keep(p, fd.ptr ? fd.ptr : "", fd.len);
        c->hs = ckp_hsset_new();
        if (!c->name || !c->file || !c->aliases || !c->description || !c->hs) {
            ckp_hsset_free(c->hs);
            ckp_csv_close(csv);
            return ckp_error_set(err, CKP_ENOMEM, path, 0, 0, "out of memory");
        }
        p->ncom++;
        size_t i = 0;
        while (fh.ptr && i < fh.len) {
            size_t s = i;
            while (i < fh.len && fh.ptr[i] != ';')
                i++;
            uint32_t code;
            int level;
            if (ckp_hs_parse(fh.ptr + s, i - s, &code, &level) == 0) {
                if (level == 6) {
                    ckp_hsset_add_code(ref, c->hs, code, CKP_HS2022);
                } else {
                    ckp_hsset_add_prefix(c->hs, code, level);
                }
            } else if (i > s) {
                prod_reject(p, path, ckp_csv_line(csv), (long)ch + 1, "\"%.*s\" is not an HS code",
                            (int)(i - s > 20 ? 20 : i - s), fh.ptr + s);
            }
            i++;
        }
    }
    ckp_csv_close(csv);
    if (r < 0) /* an I/O error: not a partial map */
        return err && err->code ? err->code : CKP_EIO;
    return CKP_OK;
}

ckp_status ckp_production_load(const ckp_ref *ref, const char *datadir, ckp_production **out,
                               ckp_error *err)
{
    *out = NULL;
    ckp_production *p = calloc(1, sizeof *p);
    if (!p)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    if (!datadir)
        datadir = ckp_data_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/production/hs_commodity.csv", datadir);
    ckp_status st = load_map(p, ref, path, err);
    static const char *const editions[] = {"2023", "2024"};
    for (int c = 0; c < p->ncom && st == CKP_OK; c++)
        for (int e = 0; e < 2 && st == CKP_OK; e++) {
            char ed[16];
            snprintf(path, sizeof path, "%s/production/usgs-mcs/%s/mcs%s-%s_world.csv", datadir,
                     editions[e], editions[e], p->com[c].file);
            snprintf(ed, sizeof ed, "MCS%s", editions[e]);
            st = load_table(p, ref, &p->com[c], path, ed, err);
        }
    if (st != CKP_OK) {
        ckp_production_free(p);
        return st;
    }
    *out = p;
    return CKP_OK;
}

static ckp_status slot_load(ckp_env *env, void **ptr, ckp_error *err)
{
    ckp_production *p;
    ckp_status st = ckp_production_load(ckp_env_ref(env), ckp_env_data_dir(env), &p, err);
    *ptr = p;
    return st;
}

static void slot_free(void *p) { ckp_production_free(p); }

/* The env slot of the production tables (verb.h): loaded once per env. */
static const ckp_env_slot_def production_slot = {"production tables", slot_load, slot_free, 0};

ckp_status ckp_production_from_env(ckp_env *env, const ckp_production **out, ckp_error *err)
{
    void *p = NULL;
    ckp_status st = ckp_env_slot(env, &production_slot, &p, err);
    *out = p;
    return st;
}

static int alias_match(const char *aliases, const char *arg)
{
    const char *a = aliases;
    size_t n = strlen(arg);
    while (*a) {
        size_t k = strcspn(a, ";");
        if (k == n && strncasecmp(a, arg, n) == 0)
            return 1;
        a += k;
        if (*a)
            a++;
    }
    return 0;
}

int ckp_production_commodities(const ckp_production *p, const char *arg, const ckp_hsset *set,
                               const char **names, int max)
{
    int k = 0;
    if (!p)
        return 0;
    for (int i = 0; arg && i < p->ncom && k < max; i++)
        if (strcasecmp(p->com[i].name, arg) == 0 || alias_match(p->com[i].aliases, arg))
            names[k++] = p->com[i].name;
    if (k || !set)
        return k;
    /* by overlap of HS codes, the best covered first */
    double best[COMMODITIES_MAX];
    int idx[COMMODITIES_MAX], n = 0;
    for (int i = 0; i < p->ncom; i++) {
        uint32_t cur = 0, code;
        int tot = 0, hit = 0;
        while (ckp_hsset_next(p->com[i].hs, &cur, &code)) {
            tot++;
            hit += ckp_hsset_has(set, code);
        }
        if (hit) {
            best[n] = (double)hit / tot;
            idx[n] = i;
            n++;
        }
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && best[j] > best[j - 1]; j--) {
            double t = best[j];
            best[j] = best[j - 1];
            best[j - 1] = t;
            int u = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = u;
        }
    for (int i = 0; i < n && k < max; i++)
        names[k++] = p->com[idx[i]].name;
    return k;
}

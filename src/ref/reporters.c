/* reporters.c — the economies listed as UN Comtrade reporters per year
 * (data/ref/reporters/reporters.csv; see reporters.h). */
#include "chokepoint/reporters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chokepoint/csv.h"

#define REPORTERS_MAX 1024 /* rows of the reporter list */

typedef struct listed {
    char iso3[4];
    int from, to; /* years; 0 = open */
} listed;

struct ckp_reporters {
    listed *v;
    int n;
};
typedef struct ckp_reporters reporter_list;

void ckp_reporters_free(ckp_reporters *l)
{
    if (l)
        free(l->v);
    free(l);
}

static int parse_year(ckp_field f, int *out)
{
    f = ckp_field_trim(f);
    *out = 0;
    if (f.len == 0)
        return 0;
    if (f.len != 4)
        return -1;
    for (size_t i = 0; i < 4; i++) {
        if (f.ptr[i] < '0' || f.ptr[i] > '9')
            return -1;
        *out = *out * 10 + (f.ptr[i] - '0');
    }
    return 0;
}

/* data/ref/reporters/reporters.csv: comtrade,iso3,from,to,name.  Any bad
 * row is an error naming file:line: the list is the denominator of every
 * coverage figure, so a row quietly skipped would make answers look fuller. */
ckp_status ckp_reporters_load(const char *path, ckp_reporters **out, ckp_error *err)
{
    ckp_status st;
    *out = NULL;
    ckp_csv *csv = NULL;
    st = ckp_csv_open(path, NULL, &csv, err);
    if (st != CKP_OK)
        return st;
    reporter_list *l = calloc(1, sizeof *l);
    if (l)
        l->v = calloc(REPORTERS_MAX, sizeof *l->v);
    if (!l || !l->v) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    int ci = ckp_csv_column(csv, "iso3"), cf = ckp_csv_column(csv, "from"),
        ct = ckp_csv_column(csv, "to");
    if (ci < 0 || cf < 0 || ct < 0) {
        st = ckp_error_set(err, CKP_EPARSE, path, 1, 0,
                           "the header must name iso3, from and to");
        goto out;
    }
    int r;
    while ((r = ckp_csv_next(csv, err)) != 0) {
        if (r < 0) {
            st = CKP_EPARSE;
            goto out;
        }
        long line = ckp_csv_line(csv);
        ckp_field iso = ckp_field_trim(ckp_csv_field(csv, (size_t)ci));
        listed *e = &l->v[l->n];
        if (l->n == REPORTERS_MAX) {
            st = ckp_error_set(err, CKP_ELIMIT, path, line, 0, "more than %d reporters",
                               REPORTERS_MAX);
            goto out;
        }
        if (iso.len != 3) {
            st = ckp_error_set(err, CKP_EPARSE, path, line, 0,
                               "iso3 \"%.*s\" is not a 3-letter code", (int)iso.len,
                               iso.ptr ? iso.ptr : "");
            goto out;
        }
        if (parse_year(ckp_csv_field(csv, (size_t)cf), &e->from) != 0 ||
            parse_year(ckp_csv_field(csv, (size_t)ct), &e->to) != 0 ||
            (e->from && e->to && e->from > e->to)) {
            st = ckp_error_set(err, CKP_EPARSE, path, line, 0,
                               "from/to must be empty or years, from <= to");
            goto out;
        }
        memcpy(e->iso3, iso.ptr, 3);
        e->iso3[3] = '\0';
        l->n++;
    }
    if (l->n == 0) {
        st = ckp_error_set(err, CKP_EPARSE, path, 0, 0, "no reporters listed");
        goto out;
    }
    *out = l;
    l = NULL;
out:
    ckp_reporters_free(l);
    ckp_csv_close(csv);
    return st;
}

int ckp_reporters_count(const ckp_reporters *l, int y, const char *iso3, int *has_iso)
{
    int n = 0;
    *has_iso = 0;
    for (int i = 0; i < l->n; i++) {
        const listed *e = &l->v[i];
        if ((e->from && y < e->from) || (e->to && y > e->to))
            continue;
        n++;
        if (iso3 && strcmp(e->iso3, iso3) == 0)
            *has_iso = 1;
    }
    return n;
}

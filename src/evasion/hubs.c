/* hubs.c — the table of ranked rerouting hubs (evasion.h: ckp_hubs), and
 * its CSV form: what `diversion --all-measures` computes and writes and what
 * `screen --hubs` reads (columns in docs/evasion.md).  Kept apart from the
 * diversion verb so a reader of hubs files links only this. */
#include <stdlib.h>
#include <string.h>

#include "chokepoint/csv.h"
#include "evasion_int.h"

#define HUBS_MAX 1000000 /* entries in one hubs table */

struct ckp_hubs {
    ckp_hub_entry *e;
    size_t n, cap;
    char **owned; /* measure ids read from a CSV */
    size_t nowned;
};

void ckp_hubs_free(ckp_hubs *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->nowned; i++)
        free(h->owned[i]);
    free(h->owned);
    free(h->e);
    free(h);
}

size_t ckp_hubs_count(const ckp_hubs *h) { return h ? h->n : 0; }

const ckp_hub_entry *ckp_hubs_at(const ckp_hubs *h, size_t i)
{
    return h && i < h->n ? &h->e[i] : NULL;
}

const ckp_hub_entry *ckp_hubs_find(const ckp_hubs *h, uint32_t hs6, int hub, int destination)
{
    const ckp_hub_entry *best = NULL;
    for (size_t i = 0; h && i < h->n; i++) {
        const ckp_hub_entry *e = &h->e[i];
        if (e->hs != hs6 || e->hub != hub)
            continue;
        if (destination >= 0 && e->destination >= 0 && e->destination != destination)
            continue;
        if (!best || e->score > best->score)
            best = e;
    }
    return best;
}

int ckp__hubs_push(ckp_hubs *h, const ckp_hub_entry *e)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        if (cap > HUBS_MAX)
            return -1;
        ckp_hub_entry *ne = realloc(h->e, cap * sizeof *ne);
        if (!ne)
            return -1;
        h->e = ne;
        h->cap = cap;
    }
    h->e[h->n++] = *e;
    return 0;
}

ckp_hubs *ckp__hubs_new(void) { return calloc(1, sizeof(ckp_hubs)); }

/* A hubs CSV: columns hs (';'-joined HS6), hub, destination (ISO3 or '*'),
 * score, and optionally rank and measure; other columns are ignored. */
ckp_status ckp_hubs_load_csv(const char *path, const ckp_ref *ref, ckp_hubs **out,
                             ckp_error *err)
{
    *out = NULL;
    ckp_csv *csv;
    ckp_status st = ckp_csv_open(path, NULL, &csv, err);
    if (st != CKP_OK)
        return st;
    int c_hs = ckp_csv_column(csv, "hs"), c_hub = ckp_csv_column(csv, "hub");
    int c_dest = ckp_csv_column(csv, "destination"), c_score = ckp_csv_column(csv, "score");
    int c_rank = ckp_csv_column(csv, "rank"), c_meas = ckp_csv_column(csv, "measure");
    ckp_hubs *h = ckp__hubs_new();
    if (!h) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_close;
    }
    if (c_hs < 0 || c_hub < 0 || c_score < 0) {
        st = ckp_error_set(err, CKP_EPARSE, path, 1, 0,
                           "a hubs file needs the columns hs, hub and score (destination, "
                           "rank and measure are optional)");
        goto out_free;
    }
    int r;
    while ((r = ckp_csv_next(csv, err)) != 0) {
        if (r < 0) {
            st = err ? err->code : CKP_EPARSE;
            goto out_free;
        }
        char hub[64], dest[64], score[64], rank[32], meas[128];
        ckp_field hsf = ckp_csv_field(csv, (size_t)c_hs); /* any length: parsed in place */
        ckp_field_copy(ckp_csv_field(csv, (size_t)c_hub), hub, sizeof hub);
        ckp_field_copy(ckp_csv_field(csv, (size_t)c_score), score, sizeof score);
        dest[0] = rank[0] = meas[0] = '\0';
        if (c_dest >= 0)
            ckp_field_copy(ckp_csv_field(csv, (size_t)c_dest), dest, sizeof dest);
        if (c_rank >= 0)
            ckp_field_copy(ckp_csv_field(csv, (size_t)c_rank), rank, sizeof rank);
        if (c_meas >= 0)
            ckp_field_copy(ckp_csv_field(csv, (size_t)c_meas), meas, sizeof meas);
        long line = ckp_csv_line(csv);
        int hub_id = ckp_ref_country_by_iso3(ref, hub);
        int dest_id = dest[0] && strcmp(dest, "*") != 0 ? ckp_ref_country_by_iso3(ref, dest) : -1;
        char *end;
        double sc = strtod(score, &end);
        if (hub_id < 0 || (dest[0] && strcmp(dest, "*") != 0 && dest_id < 0) || end == score) {
            st = ckp_error_set(err, CKP_EPARSE, path, line, 0,
                               "bad hubs row (hub '%s', destination '%s', score '%s')", hub, dest,
                               score);
            goto out_free;
        }
        const char *mid = NULL;
        if (meas[0]) {
            char **no = realloc(h->owned, (h->nowned + 1) * sizeof *no);
            char *copy = strdup(meas);
            if (no)
                h->owned = no;
            if (!no || !copy) {
                free(copy);
                st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
                goto out_free;
            }
            h->owned[h->nowned++] = copy;
            mid = copy;
        }
        size_t pos = 0;
        int ncodes = 0;
        while (pos < hsf.len) {
            size_t len = 0;
            while (pos + len < hsf.len && !strchr(";, ", hsf.ptr[pos + len]))
                len++;
            uint32_t code;
            int level;
            if (len && (ckp_hs_parse(hsf.ptr + pos, len, &code, &level) != 0 || level != 6)) {
                st = ckp_error_set(err, CKP_EPARSE, path, line, 0,
                                   "hs '%.*s' is not a 6-digit code", (int)(len < 40 ? len : 40),
                                   hsf.ptr + pos);
                goto out_free;
            }
            if (len) {
                ckp_hub_entry e = {mid, code, hub_id, dest_id, sc, rank[0] ? atoi(rank) : 0};
                if (ckp__hubs_push(h, &e) != 0) {
                    st = ckp_error_set(err, CKP_ELIMIT, path, line, 0, "more than %d hub entries",
                                       HUBS_MAX);
                    goto out_free;
                }
                ncodes++;
            }
            pos += len + 1;
        }
        if (!ncodes) {
            st = ckp_error_set(err, CKP_EPARSE, path, line, 0, "no HS code in column hs");
            goto out_free;
        }
    }
    *out = h;
    h = NULL;
out_free:
    ckp_hubs_free(h);
out_close:
    ckp_csv_close(csv);
    return st;
}

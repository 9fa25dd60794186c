/* lists_ftm.c — the OpenSanctions FollowTheMoney JSON lines loader:
 * entities, and the ADD/MOD/DEL operations of a delta file, streamed. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "core/vec.h"
#include "lists_int.h"

/* ---- OpenSanctions FollowTheMoney --------------------------------------- */

static int ftm_is_party(const char *schema)
{
    static const char *const ok[] = {"Person", "Organization", "Company", "LegalEntity",
                                     "PublicBody", "Vessel", "Airplane"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(schema, ok[i]) == 0)
            return 1;
    return 0;
}

/* Strings of property `prop` of FtM properties object props. */
static int ftm_names(ckp_lists *l, uint32_t pi, json_t *props, const char *prop,
                     ckp_name_role role, ckp_list_stats *st)
{
    json_t *arr = json_object_get(props, prop);
    size_t i;
    json_t *v;
    if (!json_is_array(arr))
        return 0;
    json_array_foreach(arr, i, v) {
        if (json_is_string(v) &&
            ckp__lists_name_add(l, pi, json_string_value(v), json_string_length(v), role, st) != 0)
            return -1;
    }
    return 0;
}

static const char *ftm_first(json_t *props, const char *prop)
{
    json_t *arr = json_object_get(props, prop);
    json_t *v = json_is_array(arr) ? json_array_get(arr, 0) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One FtM entity object → party. Returns 0, 1 = skipped (not a party),
 * 2 = bad (reason in *why), -1 = out of memory. */
static int ftm_entity(ckp_lists *l, json_t *ent, const char *file, const ckp_ref *ref,
                      ckp_list_stats *st, const char **why)
{
    const char *id = json_string_value(json_object_get(ent, "id"));
    const char *schema = json_string_value(json_object_get(ent, "schema"));
    json_t *props = json_object_get(ent, "properties");
    if (!id || !*id) {
        *why = "entity has no id";
        return 2;
    }
    if (!schema || !json_is_object(props)) {
        *why = "entity has no schema or properties";
        return 2;
    }
    if (!ftm_is_party(schema))
        return 1;
    long pi = ckp__lists_party_add(l, id, strlen(id), st);
    if (pi < 0)
        return -1;
    ckp_party *p = ckp__lists_party_at(l, (uint32_t)pi);
    p->list = "OpenSanctions";
    p->source = file;
    p->type = ckp__arena_strdup(&l->arena, schema);
    /* program: the datasets */
    json_t *ds = json_object_get(ent, "datasets");
    size_t i;
    json_t *v;
    if (json_is_array(ds)) {
        json_array_foreach(ds, i, v) {
            if (json_is_string(v))
                p->program = ckp__lists_join_field(l, p->program, json_string_value(v), json_string_length(v));
            if (!p->program)
                return -1;
        }
    }
    /* referents: the ids this entity was merged from (they follow it) */
    json_t *refs = json_object_get(ent, "referents");
    if (json_is_array(refs)) {
        json_array_foreach(refs, i, v) {
            if (json_is_string(v) && json_string_length(v) > 0)
                p->referents = ckp__lists_join_field(l, p->referents, json_string_value(v),
                                          json_string_length(v));
            if (!p->referents)
                return -1;
        }
    }
    const char *listed = ftm_first(props, "createdAt");
    if (!listed)
        listed = json_string_value(json_object_get(ent, "first_seen"));
    if (listed)
        p->listed = ckp__arena_strndup(&l->arena, listed, strlen(listed) > 10 ? 10 : strlen(listed));
    if (!p->type || !p->listed)
        return -1;
    const char *caption = json_string_value(json_object_get(ent, "caption"));
    if (caption && ckp__lists_name_add(l, (uint32_t)pi, caption, strlen(caption), CKP_NAME_PRIMARY, st) != 0)
        return -1;
    if (ftm_names(l, (uint32_t)pi, props, "name", CKP_NAME_ALIAS, st) ||
        ftm_names(l, (uint32_t)pi, props, "alias", CKP_NAME_ALIAS, st) ||
        ftm_names(l, (uint32_t)pi, props, "previousName", CKP_NAME_ALIAS, st) ||
        ftm_names(l, (uint32_t)pi, props, "weakAlias", CKP_NAME_WEAK, st))
        return -1;
    if (ckp__lists_party_at(l, (uint32_t)pi)->nnames == 0) {
        ckp__lists_party_at(l, (uint32_t)pi)->deleted = 1;
        *why = "entity has no name";
        return 2;
    }
    static const char *const cprops[] = {"country", "nationality", "jurisdiction",
                                         "citizenship", "mainCountry", "flag"};
    for (size_t k = 0; k < sizeof cprops / sizeof cprops[0]; k++) {
        json_t *arr = json_object_get(props, cprops[k]);
        if (!json_is_array(arr))
            continue;
        json_array_foreach(arr, i, v) {
            if (json_is_string(v) &&
                ckp__lists_country_add(l, (uint32_t)pi, ckp__lists_country_iso3(ref, json_string_value(v))) != 0)
                return -1;
        }
    }
    json_t *births = json_object_get(props, "birthDate");
    if (json_is_array(births)) {
        json_array_foreach(births, i, v) {
            const char *d = json_is_string(v) ? json_string_value(v) : NULL;
            size_t dl = d ? strlen(d) : 0;
            if (dl != 4 && dl != 7 && dl != 10)
                continue; /* not an FtM date (YYYY, YYYY-MM, YYYY-MM-DD) */
            p = ckp__lists_party_at(l, (uint32_t)pi);
            p->birth = ckp__lists_join_field(l, p->birth, d, dl);
            if (!p->birth)
                return -1;
        }
    }
    static const char *const idprops[] = {"registrationNumber", "taxNumber", "innCode",
                                          "ogrnCode", "okpoCode", "imoNumber", "passportNumber",
                                          "idNumber", "swiftBic", "leiCode", "vatCode"};
    for (size_t k = 0; k < sizeof idprops / sizeof idprops[0]; k++) {
        json_t *arr = json_object_get(props, idprops[k]);
        if (!json_is_array(arr))
            continue;
        json_array_foreach(arr, i, v) {
            if (!json_is_string(v))
                continue;
            /* the identifier whole, however long: a cut one would match
             * another entity's or none */
            const char *idv = json_string_value(v);
            size_t cap = strlen(idprops[k]) + strlen(idv) + 2;
            char *buf = malloc(cap);
            if (!buf)
                return -1;
            int n = snprintf(buf, cap, "%s %s", idprops[k], idv);
            p = ckp__lists_party_at(l, (uint32_t)pi);
            p->identifiers = n < 0 ? NULL : ckp__lists_join_field(l, p->identifiers, buf, (size_t)n);
            free(buf);
            if (!p->identifiers)
                return -1;
        }
    }
    return 0;
}

/* One line of an FtM file (n bytes, not NUL-terminated): an entity or a
 * delta op.  A bad line is counted in st; returns CKP_OK, or CKP_ENOMEM. */
static ckp_status ftm_line(ckp_lists *l, const char *s, size_t n, const char *file, long line,
                           const ckp_ref *ref, ckp_list_stats *st, ckp_error *err)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\x1a'))
        n--;
    if (n == 0)
        return CKP_OK;
    if (st)
        st->rows++;
    json_error_t jerr;
    json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!j || !json_is_object(j)) {
        char why[300];
        snprintf(why, sizeof why, "not a JSON object: %s", j ? "other JSON value" : jerr.text);
        ckp__lists_note_bad(st, file, line, why);
        json_decref(j);
        return CKP_OK;
    }
    json_t *ent = j;
    const char *op = json_string_value(json_object_get(j, "op"));
    if (op) {
        ent = json_object_get(j, "entity");
        if (!json_is_object(ent)) {
            ckp__lists_note_bad(st, file, line, "delta op without an entity object");
            json_decref(j);
            return CKP_OK;
        }
        if (strcmp(op, "DEL") == 0) {
            const char *id = json_string_value(json_object_get(ent, "id"));
            uint32_t pi = id ? ckp__strmap_get(&l->byid, id, strlen(id)) : UINT32_MAX;
            if (!id)
                ckp__lists_note_bad(st, file, line, "DEL op without an entity id");
            else if (pi != UINT32_MAX && !ckp__lists_party_at(l, pi)->deleted) {
                ckp__lists_party_at(l, pi)->deleted = 1;
                if (st)
                    st->deleted++;
            } else if (st) {
                st->skipped++;
            }
            json_decref(j);
            return CKP_OK;
        }
        if (strcmp(op, "ADD") != 0 && strcmp(op, "MOD") != 0) {
            ckp__lists_note_bad(st, file, line, "unknown delta op (expected ADD, MOD or DEL)");
            json_decref(j);
            return CKP_OK;
        }
    }
    const char *why = NULL;
    int r = ftm_entity(l, ent, file, ref, st, &why);
    json_decref(j);
    if (r < 0)
        return ckp__lists_oom(err);
    if (r == 1 && st)
        st->skipped++;
    if (r == 2)
        ckp__lists_note_bad(st, file, line, why);
    return CKP_OK;
}

void ckp_lists_set_progress(ckp_lists *l, ckp_lists_progress_fn fn, void *ctx)
{
    l->progress = fn;
    l->progress_ctx = ctx;
}

#define FTM_CHUNK ((size_t)1 << 20)     /* bytes read at a time */
#define FTM_PROGRESS ((uint64_t)4 << 20) /* bytes between progress calls */

void ckp__lists_set_read_chunk(ckp_lists *l, size_t n) { l->read_chunk = n; }

/* FtM JSON lines, streamed: the file is read 1 MiB at a time and each line
 * parsed as it completes, so memory holds one line (at most MAX_JSON_LINE
 * bytes; a longer one is counted bad and skipped), never the whole file.
 * A buffer source is read in place. */
ckp_status ckp_lists_load_ftm(ckp_lists *l, const ckp_list_src *src, const ckp_ref *ref,
                              ckp_list_stats *st, ckp_error *err)
{
    const char *file = ckp__arena_strdup(&l->arena, ckp__lists_src_name(src));
    if (!file)
        return ckp__lists_oom(err);
    long line = 0;
    if (src->buf) {
        size_t pos = 0, len = src->len;
        if (len >= 3 && memcmp(src->buf, "\xEF\xBB\xBF", 3) == 0)
            pos = 3;
        while (pos < len) {
            line++;
            const char *nl = memchr(src->buf + pos, '\n', len - pos);
            size_t e = nl ? (size_t)(nl - src->buf) : len;
            if (e - pos > MAX_JSON_LINE) {
                if (st)
                    st->rows++;
                ckp__lists_note_bad(st, file, line, "line longer than 64 MiB");
            } else {
                ckp_status rc = ftm_line(l, src->buf + pos, e - pos, file, line, ref, st, err);
                if (rc)
                    return rc;
            }
            pos = e + 1;
        }
        return CKP_OK;
    }
    FILE *f = strcmp(src->path, "-") == 0 ? stdin : fopen(src->path, "rb");
    if (!f)
        return ckp_error_set(err, CKP_EIO, src->path, 0, 0, "cannot open: %s", strerror(errno));
    uint64_t total = 0, done = 0, next_report = FTM_PROGRESS;
    struct stat sb;
    if (f != stdin && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
        total = (uint64_t)sb.st_size;
    ckp_status rc = CKP_OK;
    size_t csize = l->read_chunk >= 3 ? l->read_chunk : FTM_CHUNK;
    char *chunk = malloc(csize);
    char *acc = NULL;         /* the line so far, when it spans chunks */
    size_t alen = 0, acap = 0;
    int skipping = 0;         /* the line is over MAX_JSON_LINE: drop to its end */
    int first = 1;
    if (!chunk) {
        rc = ckp__lists_oom(err);
        goto out_close;
    }
    for (;;) {
        size_t got = fread(chunk, 1, csize, f);
        if (got == 0)
            break;
        size_t pos = 0;
        if (first && got >= 3 && memcmp(chunk, "\xEF\xBB\xBF", 3) == 0)
            pos = 3;
        first = 0;
        done += got;
        while (pos < got) {
            const char *nl = memchr(chunk + pos, '\n', got - pos);
            size_t e = nl ? (size_t)(nl - chunk) : got;
            size_t n = e - pos;
            if (!skipping && alen + n > MAX_JSON_LINE) {
                skipping = 1;
                alen = 0;
            }
            if (!skipping && nl && alen == 0) {
                /* the whole line is in this chunk: parse it in place */
                rc = ftm_line(l, chunk + pos, n, file, ++line, ref, st, err);
            } else if (!skipping) {
                if (alen + n > acap) {
                    /* a longer line was set to be skipped above */
                    rc = CKP_ARRAY_RESERVE(acc, acap, alen + n, MAX_JSON_LINE, "bytes of one line",
                                           err);
                    if (rc)
                        goto out_close;
                }
                memcpy(acc + alen, chunk + pos, n);
                alen += n;
                if (nl) {
                    rc = ftm_line(l, acc, alen, file, ++line, ref, st, err);
                    alen = 0;
                }
            } else if (nl) {
                ++line;
                if (st)
                    st->rows++;
                ckp__lists_note_bad(st, file, line, "line longer than 64 MiB");
                skipping = 0;
            }
            if (rc)
                goto out_close;
            pos = e + (nl ? 1 : 0);
        }
        if (l->progress && done >= next_report) {
            l->progress(file, done, total, l->progress_ctx);
            next_report = done + FTM_PROGRESS;
        }
    }
    if (ferror(f)) {
        rc = ckp_error_set(err, CKP_EIO, src->path, 0, 0, "read error: %s", strerror(errno));
        goto out_close;
    }
    if (skipping) {
        ++line;
        if (st)
            st->rows++;
        ckp__lists_note_bad(st, file, line, "line longer than 64 MiB");
    } else if (alen > 0) {
        rc = ftm_line(l, acc, alen, file, ++line, ref, st, err); /* no final newline */
    }
    if (rc == CKP_OK && l->progress)
        l->progress(file, done, total ? total : done, l->progress_ctx);
out_close:
    free(chunk);
    free(acc);
    if (f != stdin)
        fclose(f);
    return rc;
}

/* store_check.c — checking every generation of a store and pointing CURRENT
 * back at an intact one (`chokepoint store verify | recover`, store.h,
 * docs/store.md "Checking and recovering"). */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open gen in full; intact → 1 (rows set), else 0 and the reason. */
static int check_generation(const char *dir, uint64_t gen, const ckp_ref *ref, uint64_t *rows,
                            char *problem, size_t len)
{
    ckp_store *s = NULL;
    ckp_error e;
    ckp_error_clear(&e);
    if (ckp__store_open_generation(dir, gen, ref, &s, &e) != CKP_OK) {
        if (problem)
            ckp_error_format(&e, problem, len);
        return 0;
    }
    if (rows)
        *rows = s->rows;
    ckp_store_close(s);
    return 1;
}

int ckp__newest_intact(const char *dir, const ckp_ref *ref, uint64_t skip, uint64_t *gen,
                       uint64_t *rows)
{
    uint64_t *gens = malloc(sizeof *gens * CKP__MAX_GENERATIONS);
    if (!gens)
        return -1;
    int n = ckp__list_generations(dir, gens, CKP__MAX_GENERATIONS);
    int found = -1;
    for (int i = n - 1; i >= 0 && found < 0; i--)
        if (gens[i] != skip && check_generation(dir, gens[i], ref, rows, NULL, 0)) {
            *gen = gens[i];
            found = 0;
        }
    free(gens);
    return found;
}

/* flock dir/lock (shared or exclusive); -1 when it cannot be opened (a
 * read-only store: nobody can be writing it either). */
static int lock_store(const char *dir, int how)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/lock", dir);
    int fd = open(path, (how == LOCK_EX ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    if (flock(fd, how) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static ckp_status no_store(const char *dir, ckp_error *err)
{
    return ckp_error_set(err, CKP_ENOTFOUND, dir, 0, 0,
                         "no store here (no CURRENT file and no generation)");
}

ckp_status ckp_store_verify(const char *dir, const ckp_ref *ref, ckp_store_check *out,
                            ckp_error *err)
{
    memset(out, 0, sizeof *out);
    dir = ckp_store_dir(dir);
    int lockfd = lock_store(dir, LOCK_SH);
    ckp_status st = CKP_OK;
    uint64_t *gens = malloc(sizeof *gens * CKP__MAX_GENERATIONS);
    if (!gens) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    int n = ckp__list_generations(dir, gens, CKP__MAX_GENERATIONS);
    out->current_state = (ckp_store_current)ckp__current_state(
        dir, &out->current, out->current_problem, sizeof out->current_problem);
    if (n == 0 && out->current_state == CKP_CURRENT_MISSING) {
        st = no_store(dir, err);
        goto out;
    }
    out->gens = calloc((size_t)(n ? n : 1), sizeof *out->gens);
    if (!out->gens) {
        st = ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    out->ngens = (size_t)n;
    for (int i = 0; i < n; i++) {
        ckp_store_gen_check *g = &out->gens[i];
        g->generation = gens[i];
        g->intact = check_generation(dir, gens[i], ref, &g->rows, g->problem, sizeof g->problem);
        if (out->current_state == CKP_CURRENT_OK && gens[i] == out->current)
            out->current_intact = g->intact;
    }
out:
    free(gens);
    if (lockfd >= 0)
        close(lockfd);
    return st;
}

void ckp_store_check_free(ckp_store_check *c)
{
    if (!c)
        return;
    free(c->gens);
    c->gens = NULL;
    c->ngens = 0;
}

ckp_status ckp_store_recover(const char *dir, const ckp_ref *ref, ckp_store_recovery *out,
                             ckp_error *err)
{
    memset(out, 0, sizeof *out);
    dir = ckp_store_dir(dir);
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return no_store(dir, err);
    int lockfd = lock_store(dir, LOCK_EX);
    if (lockfd < 0)
        return ckp_error_set(err, CKP_EIO, dir, 0, 0, "cannot lock the store: %s",
                             strerror(errno));
    ckp_status st = CKP_OK;
    out->was_state = (ckp_store_current)ckp__current_state(dir, &out->was, NULL, 0);
    uint64_t rows = 0;
    if (out->was_state == CKP_CURRENT_OK) {
        out->was_intact = check_generation(dir, out->was, ref, &rows, NULL, 0);
        if (out->was_intact) {
            out->now = out->was;
            out->rows = rows;
            goto out;
        }
    }
    uint64_t gens[1];
    if (out->was_state == CKP_CURRENT_MISSING && ckp__list_generations(dir, gens, 1) == 0) {
        st = no_store(dir, err);
        goto out;
    }
    uint64_t gen;
    if (ckp__newest_intact(dir, ref, 0, &gen, &rows) != 0) {
        st = ckp_error_set(err, CKP_ECORRUPT, dir, 0, 0,
                           "no generation of the store verifies; nothing was changed "
                           "(rebuild it with 'chokepoint ingest --replace')");
        goto out;
    }
    st = ckp__publish(dir, gen, err);
    if (st != CKP_OK)
        goto out;
    out->changed = 1;
    out->now = gen;
    out->rows = rows;
out:
    close(lockfd);
    return st;
}

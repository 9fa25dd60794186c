/* env.c — ckp_env: the registers a verb reads, loaded lazily (see verb.h). */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp, strdup */
#include "chokepoint/verb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chokepoint/ingest.h"
#include "core/tmpdir.h"
#include "verb/env_int.h"

#define INPUT_PREFIX "chokepoint-input-"
#define INPUT_STALE_SECONDS (24.0 * 3600) /* older leftovers are swept */

/* ---- --input: a shard of flows in a private temporary store ------------- */

static void remove_input_dir(ckp_env *env)
{
    if (!env->input_dir)
        return;
    ckp__tmpdir_remove(env->input_dir);
    ckp__tmpdir_release(env->input_dir);
    free(env->input_dir);
    env->input_dir = NULL;
}

/* Copy a stream (stdin, a pipe) to path, so that it can be sniffed and
 * parsed like a file. */
static ckp_status spool(FILE *in, const char *name, const char *path, long long *bytes,
                        ckp_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot create a temporary file");
    char buf[65536];
    size_t n;
    *bytes = 0;
    ckp_status st = CKP_OK;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (fwrite(buf, 1, n, f) != n) {
            st = ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot write a temporary file");
            break;
        }
        *bytes += (long long)n;
    }
    if (st == CKP_OK && ferror(in))
        st = ckp_error_set(err, CKP_EIO, name, 0, 0, "read error");
    if (fclose(f) != 0 && st == CKP_OK)
        st = ckp_error_set(err, CKP_EIO, path, 0, 0, "cannot write a temporary file");
    return st;
}

/* Load env->input into a new store in a private directory under $TMPDIR. */
static ckp_status load_input(ckp_env *env, ckp_error *err)
{
    /* removed on SIGTERM/SIGINT/SIGHUP too; a killed run's leftover older
     * than a day is swept first (tmpdir.h) */
    char dir[4096];
    if (ckp__tmpdir_make(INPUT_PREFIX, INPUT_STALE_SECONDS, dir, sizeof dir) != 0)
        return ckp_error_set(err, CKP_EIO, dir, 0, 0, "cannot create a temporary directory: %s",
                             strerror(errno));
    env->input_dir = strdup(dir);
    if (!env->input_dir) {
        ckp__tmpdir_remove(dir);
        ckp__tmpdir_release(dir);
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    }
    char store[4200], file[4200];
    snprintf(store, sizeof store, "%s/store", dir);
    const char *path = env->input;
    long long bytes = -1;
    ckp_status st = CKP_OK;
    struct stat sb;
    int is_stdin = strcmp(path, "-") == 0;
    if (!is_stdin && stat(path, &sb) != 0)
        return ckp_error_set(err, CKP_ENOTFOUND, env->input, 0, 0, "cannot open --input");
    if (is_stdin || !S_ISREG(sb.st_mode)) {
        /* stdin or a pipe: spooled, so that an empty one is seen as such */
        FILE *in = is_stdin ? stdin : fopen(path, "rb");
        if (!in)
            return ckp_error_set(err, CKP_ENOTFOUND, env->input, 0, 0, "cannot open --input");
        snprintf(file, sizeof file, "%s/input.csv", dir);
        st = spool(in, env->input, file, &bytes, err);
        if (!is_stdin)
            fclose(in);
        path = file;
    } else {
        bytes = (long long)sb.st_size;
    }
    if (st != CKP_OK)
        return st;
    ckp_ingest_opts o;
    ckp_ingest_opts_init(&o);
    o.replace = 1;
    ckp_ingest *ing;
    st = ckp_ingest_begin(store, env->ref, &o, &ing, err);
    if (st != CKP_OK)
        return st;
    /* an empty shard (no bytes at all) is an empty store, not an error */
    if (bytes != 0)
        st = ckp_ingest_file(ing, path, err);
    if (st != CKP_OK) {
        ckp_ingest_abort(ing);
        if (path == file && err && strcmp(err->file, file) == 0)
            snprintf(err->file, sizeof err->file, "%s", env->input);
        return st;
    }
    ckp_ingest_stats stats;
    st = ckp_ingest_commit(ing, &stats, err);
    if (st != CKP_OK)
        return st;
    env->input_rows = stats.rows_read;
    env->input_rejected = stats.rows_rejected;
    if (path == file)
        remove(file);
    st = ckp_store_open(store, env->ref, &env->store, err);
    /* the store's files are open and mapped: the directory can go now, so
     * that nothing is left behind even when the process is killed (a
     * mapper's consumer closing the pipe early, SIGPIPE) */
    if (st == CKP_OK)
        remove_input_dir(env);
    return st;
}

ckp_env *ckp_env_new(const ckp_ref *ref, const char *data_dir, const char *store_dir)
{
    ckp_env *env = calloc(1, sizeof *env);
    if (!env)
        return NULL;
    env->ref = ref;
    env->data_dir = data_dir;
    env->store_dir = store_dir;
    /* recursive: a slot loader may open the store or load another slot
     * (the hubs need the measures and the store) under the same lock */
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&env->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    return env;
}

/* Free the loaded registers: all, or (per_store_only) those computed from
 * the store. */
static void free_slots(ckp_env *env, int per_store_only)
{
    int k = 0;
    for (int i = 0; i < env->nslots; i++) {
        if (per_store_only && !env->slot[i].def->per_store) {
            env->slot[k++] = env->slot[i];
            continue;
        }
        if (env->slot[i].def->free)
            env->slot[i].def->free(env->slot[i].ptr);
    }
    env->nslots = k;
}

void ckp_env_free(ckp_env *env)
{
    if (!env)
        return;
    if (env->store)
        ckp_store_close(env->store);
    env->store = NULL;
    remove_input_dir(env);
    free_slots(env, 0);
    pthread_mutex_destroy(&env->lock);
    free(env);
}

const ckp_ref *ckp_env_ref(const ckp_env *env) { return env->ref; }
const char *ckp_env_data_dir(const ckp_env *env) { return env->data_dir; }
const char *ckp_env_store_dir(const ckp_env *env) { return env->store_dir; }
void ckp_env_set_sources(ckp_env *env, const char *sources) { env->sources = sources; }
const char *ckp_env_sources(const ckp_env *env) { return env->sources; }
void ckp_env_set_input(ckp_env *env, const char *input) { env->input = input; }
unsigned long long ckp_env_input_rows(const ckp_env *env) { return env->input_rows; }
unsigned long long ckp_env_input_rejected(const ckp_env *env) { return env->input_rejected; }
const ckp_store *ckp_env_store_if_open(const ckp_env *env) { return env->store; }

ckp_store *ckp_env_swap_store(ckp_env *env, ckp_store *store)
{
    pthread_mutex_lock(&env->lock);
    ckp_store *old = env->store;
    env->store = store;
    free_slots(env, 1); /* what was derived from the old store */
    pthread_mutex_unlock(&env->lock);
    return old;
}

ckp_status ckp_env_store(ckp_env *env, const ckp_store **out, ckp_error *err)
{
    ckp_status st = CKP_OK;
    pthread_mutex_lock(&env->lock);
    int was_open = env->store != NULL;
    if (ckp_flows_stand_alone(env))
        st = CKP_OK; /* merge: the flows come from the partials, not a store */
    else if (!env->store && env->input && !env->input_tried) {
        env->input_tried = 1;
        st = load_input(env, err);
    } else if (!env->store && env->input)
        st = ckp_error_set(err, CKP_ESTATE, env->input, 0, 0, "--input could not be loaded");
    else if (!env->store)
        st = ckp_store_open(ckp_store_dir(env->store_dir), env->ref, &env->store, err);
    if (st == CKP_OK && env->store && !was_open) {
        /* which sources the verbs see: real ones by default (verb.h) */
        st = ckp_store_select_sources(env->store, env->sources, err);
        if (st != CKP_OK) {
            ckp_store_close(env->store);
            env->store = NULL;
        }
    }
    pthread_mutex_unlock(&env->lock);
    *out = env->store;
    return st;
}

ckp_status ckp_env_slot(ckp_env *env, const ckp_env_slot_def *def, void **out, ckp_error *err)
{
    ckp_status st = CKP_OK;
    *out = NULL;
    pthread_mutex_lock(&env->lock);
    int i = 0;
    while (i < env->nslots && env->slot[i].def != def)
        i++;
    if (i < env->nslots) {
        *out = env->slot[i].ptr;
    } else if (env->nslots == CKP_ENV_SLOTS_MAX) {
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                           "more than %d registers in one environment (loading %s)",
                           CKP_ENV_SLOTS_MAX, def->name);
    } else {
        void *p = NULL;
        st = def->load(env, &p, err);
        if (st == CKP_OK && env->nslots == CKP_ENV_SLOTS_MAX) { /* filled while loading */
            if (def->free)
                def->free(p);
            st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                               "more than %d registers in one environment (loading %s)",
                               CKP_ENV_SLOTS_MAX, def->name);
        } else if (st == CKP_OK) {
            env->slot[env->nslots].def = def;
            env->slot[env->nslots++].ptr = p;
            *out = p;
        }
    }
    pthread_mutex_unlock(&env->lock);
    return st;
}

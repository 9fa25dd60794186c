/* env_int.h — the env's fields (verb.h's opaque ckp_env), shared by the
 * verb runtime's files (env.c, flows.c). */
#ifndef CHOKEPOINT_ENV_INT_H
#define CHOKEPOINT_ENV_INT_H

#include <pthread.h>

#include "chokepoint/flows.h"
#include "chokepoint/verb.h"

struct ckp_env {
    const ckp_ref *ref;     /* required; not owned */
    const char *data_dir;   /* NULL = ckp_data_dir(); not owned */
    const char *store_dir;  /* NULL = ckp_store_dir(NULL); not owned */
    ckp_store *store;       /* opened by ckp_env_store(); owned */
    const char *sources;    /* ckp_env_set_sources; not owned */
    /* loaded registers, keyed by their descriptor (ckp_env_slot) */
    struct {
        const ckp_env_slot_def *def;
        void *ptr;
    } slot[CKP_ENV_SLOTS_MAX];
    int nslots;
    pthread_mutex_t lock;   /* guards lazy loading (the server shares an env) */
    /* --input (ckp_env_set_input): the file, the temporary store's
     * directory while it exists, whether it was tried, its counts */
    const char *input;
    char *input_dir;
    int input_tried;
    unsigned long long input_rows, input_rejected;
    const ckp_flow_source *flows; /* NULL: the store (flows.h); not owned */
};

#endif

/* verbs.c — the registry of library verbs (see verb.h).
 * Adding a verb: define `const ckp_verb ckp_verb_<name>` in its module and add
 * one X(<name>) line below. */
#include "chokepoint/verb.h"

#include <string.h>

/* One line per verb, each ending with a backslash; X_END stays last. */
#define X_END
#define CKP_LIBRARY_VERBS(X) \
    X(measures) \
    X(dependency) \
    X(chokepoints) \
    X(surge) \
    X(concentration) \
    X(alternatives) \
    X(production) \
    X(info) \
    X(diversion) \
    X(mirror) \
    X(unitvalue) \
    X_END

#define X(name) extern const ckp_verb ckp_verb_##name;
CKP_LIBRARY_VERBS(X)
#undef X

#define X(name) &ckp_verb_##name,
static const ckp_verb *const registry[] = {CKP_LIBRARY_VERBS(X) NULL};
#undef X

const ckp_verb *ckp_verb_find(const char *name)
{
    for (int i = 0; registry[i]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const ckp_verb *ckp_verb_at(int i)
{
    if (i < 0 || i >= (int)(sizeof registry / sizeof registry[0]) - 1)
        return NULL;
    return registry[i];
}

ckp_status ckp_verb_run_json(const ckp_verb *v, ckp_env *env, const ckp_args *args,
                             int from_server, FILE *out, ckp_error *err)
{
    ckp_status st = ckp_args_check(args, v->params, from_server, err);
    if (st != CKP_OK)
        return st;
    int npos = ckp_args_npos(args);
    if (npos < v->min_pos || (v->max_pos >= 0 && npos > v->max_pos))
        return ckp_error_set(err, CKP_EUSAGE, NULL, 0, 0, "%s takes %d to %d arguments",
                             v->name, v->min_pos, v->max_pos);
    ckp_writer *w = ckp_writer_new(out, CKP_FMT_JSON, v->columns, v->ncolumns);
    if (!w)
        return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory");
    st = v->run(env, args, w, NULL, 0, err);
    if (st == CKP_OK && ckp_writer_infinite(w))
        st = ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0,
                           "%zu numbers of the result are infinite: a sum overflowed (a row "
                           "above 1e15 USD in the store?); the rows are wrong",
                           ckp_writer_infinite(w));
    ckp_status fst = ckp_writer_finish(w);
    ckp_writer_free(w);
    if (st == CKP_OK && fst != CKP_OK)
        st = ckp_error_set(err, fst, NULL, 0, 0, "cannot write output");
    return st;
}

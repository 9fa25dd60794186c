/* flows.c — the flows of an env: a flow source's answers, else the store's
 * (see flows.h). */
#include "chokepoint/flows.h"

#include <stddef.h>

#include "verb/env_int.h"

void ckp_env_set_flows(ckp_env *env, const ckp_flow_source *src) { env->flows = src; }

const ckp_flow_source *ckp_env_flows(const ckp_env *env) { return env ? env->flows : NULL; }

int ckp_flows_ncountries(const ckp_env *env)
{
    const ckp_flow_source *f = env->flows;
    if (f && f->ncountries)
        return f->ncountries(f->self);
    return env->store ? ckp_store_country_count(env->store) : 0;
}

int ckp_flows_country(const ckp_env *env, int index)
{
    const ckp_flow_source *f = env->flows;
    if (f && f->country)
        return f->country(f->self, index);
    return env->store ? ckp_store_country_id(env->store, index) : -1;
}

int ckp_flows_nperiods(const ckp_env *env)
{
    const ckp_flow_source *f = env->flows;
    if (f && f->nperiods)
        return f->nperiods(f->self);
    return env->store ? ckp_store_period_count(env->store) : 0;
}

int32_t ckp_flows_period(const ckp_env *env, int i)
{
    const ckp_flow_source *f = env->flows;
    if (f && f->period)
        return f->period(f->self, i);
    return env->store ? ckp_store_period(env->store, i) : -1;
}

int ckp_flows_has(const ckp_env *env, int reporter, int flow, int32_t from, int32_t to)
{
    const ckp_flow_source *f = env->flows;
    if (f && f->has)
        return f->has(f->self, reporter, flow, from, to);
    return env->store ? ckp_store_reporter_has(env->store, reporter, flow, from, to) : 0;
}

const char *ckp_flows_source(const ckp_env *env, int i, int *on, int *synthetic,
                             const char **currency)
{
    const ckp_flow_source *f = env->flows;
    *on = 1;
    *synthetic = 0;
    *currency = "";
    if (f && f->source)
        return f->source(f->self, i, synthetic);
    if (!env->store || i >= ckp_store_source_count(env->store))
        return NULL;
    *on = ckp_store_source_selected(env->store, i);
    *synthetic = ckp_store_source_synthetic(env->store, i);
    *currency = ckp_store_source_currency(env->store, i);
    return ckp_store_source_name(env->store, i);
}

int ckp_flows_stand_alone(const ckp_env *env) { return env->flows && env->flows->stand_alone; }

int ckp_flows_hs6_only(const ckp_env *env) { return env->flows && env->flows->hs6_only; }

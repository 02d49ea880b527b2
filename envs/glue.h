// What the generic glue (envs/binding.c, web/wasm_entry.c, tests/c/fuzz.c, the native
// benchmark) shares, included right after the env header:
//   - a compile-time check that every name of the contract (envs/env.h) exists with
//     exactly its type, so a missing one fails the build here, naming it;
//   - small helpers derived from ENV_SPEC, written once.
#ifndef SHIFTPLAY_GLUE_H
#define SHIFTPLAY_GLUE_H

#include <stddef.h>

_Static_assert(offsetof(Env, io) == 0, "an Env's first member must be `EnvIO io;`");

typedef struct {
    int (*num_agents)(const int *params);
    int (*init)(Env *env, const int *params);
    void (*reset)(Env *env, uint64_t seed);
    void (*step)(Env *env);
    void (*close)(Env *env);
    const EnvSpec *spec;
} EnvContract;

__attribute__((unused)) static const EnvContract ENV_CONTRACT = {
    env_num_agents, env_init, env_reset, env_step, env_close, &ENV_SPEC,
};

// The scripted player, by action kind (envs/env.h).
#ifdef ENV_CONTINUOUS_ACTIONS
__attribute__((unused)) static void (*const ENV_BASELINE)(Env *, int, float *) =
    env_baseline_continuous;
enum { GLUE_CONTINUOUS = 1 };
#else
__attribute__((unused)) static int (*const ENV_BASELINE)(Env *, int) = env_baseline_action;
enum { GLUE_CONTINUOUS = 0 };
#endif

enum { MAX_PARAMS = 16 };  // the glue refuses an env with more params

// Bytes per observation value.
static inline size_t obs_item_size(void) {
    return ENV_SPEC.obs_dtype == OBS_UINT8 ? 1 : 4;
}

// Observation values per agent.
static inline size_t obs_per_agent(void) {
    return (size_t)ENV_SPEC.obs_height * (size_t)ENV_SPEC.obs_width;
}

static inline const char *obs_dtype_name(void) {
    return ENV_SPEC.obs_dtype == OBS_UINT8 ? "uint8" : "float32";
}

// Fills params[0 .. num_params) with the defaults; -1 if the env has too many params.
static inline int default_params(int *params) {
    if (ENV_SPEC.num_params > MAX_PARAMS) return -1;
    for (int i = 0; i < ENV_SPEC.num_params; i++) params[i] = ENV_SPEC.params[i].default_value;
    return 0;
}

// NULL if ENV_SPEC's action kind agrees with the functions the header provides (and
// continuous bounds are sane), else what is wrong. The glue refuses to start an env
// for which this is not NULL.
static inline const char *action_contract_error(void) {
    int continuous = ENV_SPEC.action_kind == ACTION_CONTINUOUS;
    if (ENV_SPEC.action_kind != ACTION_DISCRETE && !continuous) return "unknown action_kind";
    if (continuous != GLUE_CONTINUOUS)
        return "action_kind and ENV_CONTINUOUS_ACTIONS disagree (envs/env.h)";
    if (!continuous) return ENV_SPEC.num_actions >= 1 ? NULL : "num_actions must be >= 1";
    if (ENV_SPEC.action_dim < 1 || ENV_SPEC.action_low == NULL || ENV_SPEC.action_high == NULL)
        return "a continuous env needs action_dim >= 1 and action_low/action_high";
    for (int i = 0; i < ENV_SPEC.action_dim; i++) {
        if (!(ENV_SPEC.action_low[i] < ENV_SPEC.action_high[i])) return "action_low >= action_high";
    }
    return NULL;
}

// Values in one agent's action: 1 (discrete) or action_dim.
static inline int action_values(void) {
    return GLUE_CONTINUOUS ? ENV_SPEC.action_dim : 1;
}

// Bytes of one agent's action in the caller's action buffer: an int32, or action_dim
// float32 values.
static inline size_t action_item_size(void) {
    return (size_t)action_values() * 4;  // int32 or float32 values
}

// Names in ENV_SPEC.action_names: one per discrete action or per continuous dimension.
static inline int action_name_count(void) {
    return GLUE_CONTINUOUS ? ENV_SPEC.action_dim : ENV_SPEC.num_actions;
}

// Points io at an action buffer of action_item_size() bytes per agent.
static inline void attach_actions(EnvIO *io, void *actions) {
    io->actions = GLUE_CONTINUOUS ? NULL : (const int32_t *)actions;
    io->continuous_actions = GLUE_CONTINUOUS ? (const float *)actions : NULL;
}

// Writes the scripted player's action for `agent` at its place in an action buffer.
static inline void baseline_into(Env *env, int agent, void *actions) {
#ifdef ENV_CONTINUOUS_ACTIONS
    ENV_BASELINE(env, agent, (float *)actions + (size_t)agent * ENV_SPEC.action_dim);
#else
    ((int32_t *)actions)[agent] = ENV_BASELINE(env, agent);
#endif
}

// A uniform random action for `agent` (benchmarks): a random discrete action, or each
// continuous value uniform in its bounds.
static inline void random_action_into(Rng *rng, int agent, void *actions) {
    if (!GLUE_CONTINUOUS) {
        ((int32_t *)actions)[agent] = rng_int(rng, ENV_SPEC.num_actions);
        return;
    }
    float *a = (float *)actions + (size_t)agent * ENV_SPEC.action_dim;
    for (int i = 0; i < ENV_SPEC.action_dim; i++) {
        float lo = ENV_SPEC.action_low[i], hi = ENV_SPEC.action_high[i];
        a[i] = lo + (hi - lo) * rng_float(rng);
    }
}

#endif

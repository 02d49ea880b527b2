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
    int (*baseline_action)(Env *env, int agent);
    const EnvSpec *spec;
} EnvContract;

__attribute__((unused)) static const EnvContract ENV_CONTRACT = {
    env_num_agents, env_init, env_reset, env_step, env_close, env_baseline_action, &ENV_SPEC,
};

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

#endif

// Generic sanitizer driver, built per env with -DENV_HEADER='"<name>/<name>.h"' and
// -fsanitize=address,undefined by tests/test_sanitize.py.
//   fuzz STEPS CYCLES: steps the env with random actions (a share of them out of
//   range), checks every observation against the spec's bounds, then runs CYCLES
//   init/reset/step/close cycles. Exit status 0 only if everything held.
#include <math.h>
#include <stdio.h>

#include ENV_HEADER
#include "glue.h"

typedef struct {
    void *obs;
    void *actions;  // action_item_size() bytes per agent
    float *rewards;
    uint8_t *terminals;
    uint8_t *truncations;
    Log *logs;
} Buffers;

static Buffers alloc_buffers(int agents) {
    Buffers b;
    b.obs = calloc((size_t)agents * obs_per_agent(), obs_item_size());
    b.actions = calloc((size_t)agents, action_item_size());
    b.rewards = calloc((size_t)agents, sizeof(float));
    b.terminals = calloc((size_t)agents, 1);
    b.truncations = calloc((size_t)agents, 1);
    b.logs = calloc((size_t)agents, sizeof(Log));
    return b;
}

static void free_buffers(Buffers *b) {
    free(b->obs);
    free(b->actions);
    free(b->rewards);
    free(b->terminals);
    free(b->truncations);
    free(b->logs);
}

static void attach(Env *env, Buffers *b) {
    env->io.observations = b->obs;
    attach_actions(&env->io, b->actions);
    env->io.rewards = b->rewards;
    env->io.terminals = b->terminals;
    env->io.truncations = b->truncations;
    env->io.log = b->logs;
    env->io.autoreset = 1;
}

// Returns the number of observation values outside their group's [low, high] or
// [obs_low, obs_high] (or NaN).
static long count_bad_obs(const Buffers *b, int agents) {
    long bad = 0;
    for (long a = 0; a < agents; a++) {
        for (int g = 0; g < ENV_SPEC.num_obs_groups; g++) {
            const ObsGroup *group = &ENV_SPEC.obs_groups[g];
            for (int k = group->start; k < group->start + group->count; k++) {
                long i = a * (long)obs_per_agent() + k;
                float v = ENV_SPEC.obs_dtype == OBS_UINT8 ? (float)((uint8_t *)b->obs)[i]
                                                          : ((float *)b->obs)[i];
                if (!(v >= group->low && v <= group->high)) bad++;
                if (!(v >= ENV_SPEC.obs_low && v <= ENV_SPEC.obs_high)) bad++;
            }
        }
    }
    return bad;
}

static int32_t fuzz_discrete(Rng *rng) {
    int r = rng_int(rng, 10);
    if (r == 0) return -1 - rng_int(rng, 1000);
    if (r == 1) return ENV_SPEC.num_actions + rng_int(rng, 1000);
    if (r == 2) return (int32_t)rng_next(rng);
    return rng_int(rng, ENV_SPEC.num_actions);
}

// A continuous value: mostly within [lo, hi], else far outside, infinite or NaN (the
// env must clamp, envs/env.h).
static float fuzz_continuous(Rng *rng, float lo, float hi) {
    int r = rng_int(rng, 10);
    if (r == 0) return lo - 1000.0f * rng_float(rng) - 1e-3f;
    if (r == 1) return hi + 1000.0f * rng_float(rng) + 1e-3f;
    if (r == 2) return (rng_int(rng, 2) ? 1.0f : -1.0f) * HUGE_VALF;
    if (r == 3) return NAN;
    return lo + (hi - lo) * rng_float(rng);
}

static void fuzz_action(Rng *rng, int agent, void *actions) {
    if (!GLUE_CONTINUOUS) {
        ((int32_t *)actions)[agent] = fuzz_discrete(rng);
        return;
    }
    float *a = (float *)actions + (size_t)agent * ENV_SPEC.action_dim;
    for (int i = 0; i < ENV_SPEC.action_dim; i++)
        a[i] = fuzz_continuous(rng, ENV_SPEC.action_low[i], ENV_SPEC.action_high[i]);
}

static int run_steps(long steps) {
    int params[MAX_PARAMS];
    if (default_params(params) < 0) return 1;
    if (action_contract_error() != NULL) {
        printf("%s: %s\n", ENV_SPEC.name, action_contract_error());
        return 1;
    }
    int agents = env_num_agents(params);
    Buffers b = alloc_buffers(agents);
    Env *env = calloc(1, sizeof(Env));
    attach(env, &b);
    if (env_init(env, params) != 0) {
        printf("env_init failed\n");
        return 1;
    }
    env_reset(env, 12345);
    Rng rng;
    rng_seed(&rng, 99);
    long bad = count_bad_obs(&b, agents), done = 0, agent_steps = 0;
    for (long t = 0; agent_steps < steps; t++) {
        for (int a = 0; a < agents; a++) fuzz_action(&rng, a, b.actions);
        if (t % 3 == 0) {
            for (int a = 0; a < agents; a++) baseline_into(env, a, b.actions);
        }
        env_step(env);
        agent_steps += agents;
        for (int a = 0; a < agents; a++) done += b.terminals[a] + b.truncations[a];
        if (t % 64 == 0) bad += count_bad_obs(&b, agents);
        if (t % 100000 == 99999) env_reset(env, (uint64_t)t);
    }
    env_close(env);
    free(env);
    free_buffers(&b);
    printf("%s: %ld agent steps, %ld episodes ended, %ld observations out of bounds\n",
           ENV_SPEC.name, agent_steps, done, bad);
    return bad != 0;
}

static int run_cycles(int cycles) {
    int params[MAX_PARAMS];
    if (default_params(params) < 0) return 1;
    int agents = env_num_agents(params);
    for (int c = 0; c < cycles; c++) {
        Buffers b = alloc_buffers(agents);
        Env env;
        memset(&env, 0, sizeof(env));
        attach(&env, &b);
        env.io.autoreset = c % 2;
        EnvIO before = env.io;
        int failed = env_init(&env, params) != 0;
        if (!failed && memcmp(&before, &env.io, sizeof(EnvIO)) != 0) {
            printf("%s: env_init changed io (the caller sets it; see envs/env.h)\n",
                   ENV_SPEC.name);
            failed = 1;
        }
        if (failed) {
            env_close(&env);
            free_buffers(&b);
            return 1;
        }
        env_reset(&env, (uint64_t)c);
        for (int t = 0; t < 3; t++) env_step(&env);
        env_close(&env);
        free_buffers(&b);
    }
    printf("%s: %d init/close cycles\n", ENV_SPEC.name, cycles);
    return 0;
}

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 1000000;
    int cycles = argc > 2 ? atoi(argv[2]) : 10000;
    if (run_steps(steps) != 0) return 1;
    return run_cycles(cycles);
}

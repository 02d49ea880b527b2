// Native side of the web benchmark (bench/web.py): the same bench_loop (web/bench_loop.h) as the wasm
// build's sp_bench, compiled with the flags of the Python extension (setup.py).
//   gcc -O3 -ffp-contract=off -Ienvs -Iweb -DENV_HEADER='"pong/pong.h"' bench_native.c
//   ./a.out STEPS SEED [NAME=INT ...]  ->  {"steps", "seconds", "checksum", "num_agents"}
// (NAME=INT overrides a param's default, e.g. opponent_depth=3)
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>

#include ENV_HEADER
#include "glue.h"
#include "bench_loop.h"

static int g_params[MAX_PARAMS];

// Defaults, then NAME=INT arguments; -1 on an unknown name or a value out of range.
static int parse_params(int argc, char **argv) {
    if (default_params(g_params) < 0) return -1;
    for (int a = 3; a < argc; a++) {
        const char *eq = strchr(argv[a], '=');
        int found = 0;
        for (int i = 0; eq != NULL && i < ENV_SPEC.num_params && i < MAX_PARAMS; i++) {
            const EnvParam *p = &ENV_SPEC.params[i];
            if (strlen(p->name) != (size_t)(eq - argv[a]) || strncmp(p->name, argv[a], (size_t)(eq - argv[a])) != 0) continue;
            int v = atoi(eq + 1);
            if (v < p->min_value || v > p->max_value) return -1;
            g_params[i] = v;
            found = 1;
        }
        if (!found) {
            fprintf(stderr, "unknown param %s\n", argv[a]);
            return -1;
        }
    }
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int make(Env *env, int **params_out, void **obs, void **actions) {
    int *params = g_params;
    *params_out = params;
    int n = env_num_agents(params);
    memset(env, 0, sizeof(*env));
    *obs = calloc((size_t)n * obs_per_agent(), obs_item_size());
    *actions = calloc((size_t)n, action_item_size());
    env->io.observations = *obs;
    attach_actions(&env->io, *actions);
    env->io.rewards = calloc((size_t)n, sizeof(float));
    env->io.terminals = calloc((size_t)n, 1);
    env->io.truncations = calloc((size_t)n, 1);
    env->io.log = calloc((size_t)n, sizeof(Log));
    env->io.autoreset = 1;
    if (env_init(env, params) != 0) return -1;
    env->io.autoreset = 1;
    env_reset(env, 1);
    return n;
}

int main(int argc, char **argv) {
    int steps = argc > 1 ? atoi(argv[1]) : 100000;
    unsigned seed = argc > 2 ? (unsigned)atoi(argv[2]) : 1u;
    if (parse_params(argc, argv) != 0) return 2;
    static Env env;
    int *params;
    void *obs;
    void *actions;
    int n = make(&env, &params, &obs, &actions);
    if (n < 1) return 1;
    // Same schedule as the wasm side (web/tools/node_harness.js): warm up, then chunks of
    // at most 10000 steps, chunk k's actions seeded with seed + steps done before it.
    int chunk = steps < 10000 ? steps : 10000;
    double warm_until = now() + 0.3;
    while (now() < warm_until) bench_loop(&env, actions, n, chunk, seed);
    env_close(&env);
    n = make(&env, &params, &obs, &actions);
    double checksum = 0.0;
    int done = 0;
    double t0 = now();
    while (done < steps) {
        int k = steps - done < chunk ? steps - done : chunk;
        checksum += bench_loop(&env, actions, n, k, (uint64_t)(seed + (unsigned)done));
        done += k;
    }
    double seconds = now() - t0;
    printf("{\"steps\": %d, \"seconds\": %.9f, \"checksum\": %.17g, \"num_agents\": %d}\n", steps,
           seconds, checksum, n);
    env_close(&env);
    return 0;
}

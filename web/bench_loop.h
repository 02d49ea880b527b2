// The stepping loop timed by the web benchmark, shared by the WebAssembly build
// (web/wasm_entry.c exports it as sp_bench) and the native driver (tests/web/bench_native.c),
// so both run the very same C code over the same random actions.
#ifndef SHIFTPLAY_BENCH_LOOP_H
#define SHIFTPLAY_BENCH_LOOP_H

// Steps `env` (already created and reset) `steps` times with uniform random actions drawn
// from an Rng seeded with `action_seed` (envs/glue.h random_action_into; `actions` is the
// env's action buffer). Returns a checksum of the rewards so the work
// cannot be optimized away (and so both builds can be seen to agree).
static double bench_loop(Env *env, void *actions, int num_agents, int steps,
                         uint64_t action_seed) {
    Rng rng;
    rng_seed(&rng, action_seed);
    double checksum = 0.0;
    for (int t = 0; t < steps; t++) {
        for (int a = 0; a < num_agents; a++) {
            random_action_into(&rng, a, actions);
        }
        env_step(env);
        for (int a = 0; a < num_agents; a++) checksum += (double)env->io.rewards[a];
    }
    return checksum;
}

#endif

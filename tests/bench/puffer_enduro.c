// PufferLib 3.0.0 Ocean's Enduro stepped with uniform random actions (9), for the
// side-by-side speed comparison with our racing env in tests/bench/vs_puffer.py.
// Compiled with the flags of our Python extension against their unmodified header
// (never copied into this repo), set up as their Python binding does (its my_init's
// values, then c_reset, which calls their init):
//   gcc -O3 -ffp-contract=off -D_POSIX_C_SOURCE=199309L -I<raylib>/src
//       -include <ocean>/enduro/enduro.h puffer_enduro.c -lm
// The benchmark never renders, so the raylib symbols are left unresolved at link time.
//   ./a.out STEPS SEED  ->  {"steps", "seconds", "checksum"}
#include "puffer_bench.h"

static void step(void *env) {
    c_step((Enduro *)env);
}

int main(int argc, char **argv) {
    unsigned seed;
    int steps = puffer_args(argc, argv, &seed);
    static Enduro env;
    static float observations[OBSERVATIONS_MAX_SIZE];
    static int actions[1];
    static float rewards[1];
    static unsigned char terminals[1];
    env.observations = observations;
    env.actions = actions;
    env.rewards = rewards;
    env.terminals = terminals;
    env.width = SCREEN_WIDTH;  // their binding's defaults (enduro.py)
    env.height = SCREEN_HEIGHT;
    env.car_width = CAR_WIDTH;
    env.car_height = CAR_HEIGHT;
    env.max_enemies = MAX_ENEMIES;
    env.continuous = 0;
    env.seed = (int)seed;
    env.rng_state = seed;
    c_reset(&env);
    PufferEnv p = {&env, step, env.actions, env.rewards, 9};
    puffer_bench(&p, steps, seed);
    return 0;
}

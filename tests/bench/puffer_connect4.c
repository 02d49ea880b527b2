// PufferLib 3.0.0 Ocean's Connect Four stepped with uniform random actions, for the
// side-by-side speed comparison in tests/bench/vs_puffer.py. Compiled with the flags of
// our Python extension against their unmodified header (never copied into this repo):
//   gcc -O3 -ffp-contract=off -D_POSIX_C_SOURCE=199309L -I<raylib>/src
//       -include <ocean>/connect4/connect4.h puffer_connect4.c -lm
// Their header draws with raylib; the benchmark never renders, so the raylib symbols are
// left unresolved at link time.
//   ./a.out STEPS SEED  ->  {"steps", "seconds", "checksum"}
#include "puffer_bench.h"

static void step(void *env) {
    c_step((CConnect4 *)env);
}

int main(int argc, char **argv) {
    unsigned seed;
    int steps = puffer_args(argc, argv, &seed);
    static CConnect4 env;
    allocate_cconnect4(&env);
    c_reset(&env);
    PufferEnv p = {&env, step, env.actions, env.rewards, 7};
    puffer_bench(&p, steps, seed);
    free_allocated_cconnect4(&env);
    return 0;
}

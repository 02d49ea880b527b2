// PufferLib 3.0.0 Ocean's Connect Four stepped with uniform random actions, for the
// side-by-side speed comparison in tests/bench/vs_puffer.py. Compiled with the flags of
// our Python extension against their unmodified header (never copied into this repo):
//   gcc -O3 -ffp-contract=off -D_POSIX_C_SOURCE=199309L -I<raylib>/src
//       -include <ocean>/connect4/connect4.h puffer_connect4.c -lm
// Their header draws with raylib; the benchmark never renders, so the raylib symbols are
// left unresolved at link time.
//   ./a.out STEPS SEED  ->  {"steps", "seconds", "checksum"}
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L
#endif
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next_random(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static double run(CConnect4 *env, int steps, uint64_t seed) {
    double checksum = 0.0;
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int t = 0; t < steps; t++) {
        env->actions[0] = (int)(((next_random(&s) >> 32) * 7) >> 32);
        c_step(env);
        checksum += (double)env->rewards[0];
    }
    return checksum;
}

int main(int argc, char **argv) {
    int steps = argc > 1 ? atoi(argv[1]) : 100000;
    unsigned seed = argc > 2 ? (unsigned)atoi(argv[2]) : 1u;
    srand(seed);
    static CConnect4 env;
    allocate_cconnect4(&env);
    c_reset(&env);
    double warm_until = now() + 0.3;
    while (now() < warm_until) run(&env, 10000, seed);
    double t0 = now();
    double checksum = run(&env, steps, seed);
    double seconds = now() - t0;
    printf("{\"steps\": %d, \"seconds\": %.9f, \"checksum\": %.17g}\n",
           steps, seconds, checksum);
    free_allocated_cconnect4(&env);
    return 0;
}

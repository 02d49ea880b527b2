// Shared by the PufferLib harnesses of tests/bench/vs_puffer.py (puffer_<game>.c): a
// monotonic clock, the random actions, and the timed run that prints one JSON line.
//   ./a.out STEPS SEED  ->  {"steps", "seconds", "checksum"}
#ifndef SHIFTPLAY_PUFFER_BENCH_H
#define SHIFTPLAY_PUFFER_BENCH_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L
#endif
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double puffer_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// Uniform in [0, n) from a xorshift64* state.
static int puffer_random_action(uint64_t *s, int n) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return (int)((((x * 0x2545F4914F6CDD1Dull) >> 32) * (uint64_t)n) >> 32);
}

// run(env, steps, seed) steps the env with random actions and returns a checksum of the
// rewards. Warms up for 0.3 s, then times `steps` steps and prints the JSON line.
static void puffer_bench(double (*run)(void *, int, uint64_t), void *env, int steps,
                         uint64_t seed) {
    double warm_until = puffer_now() + 0.3;
    while (puffer_now() < warm_until) run(env, 10000, seed);
    double t0 = puffer_now();
    double checksum = run(env, steps, seed);
    double seconds = puffer_now() - t0;
    printf("{\"steps\": %d, \"seconds\": %.9f, \"checksum\": %.17g}\n", steps, seconds,
           checksum);
}

#endif

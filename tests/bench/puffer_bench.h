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
#include <stdlib.h>
#include <time.h>

// The command line (STEPS SEED, defaults 100000 and 1); seeds their rand() too.
static int puffer_args(int argc, char **argv, unsigned *seed) {
    *seed = argc > 2 ? (unsigned)atoi(argv[2]) : 1u;
    srand(*seed);
    return argc > 1 ? atoi(argv[1]) : 100000;
}

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

// One of their envs as the harness sees it: its step function and its action and
// reward buffers (their structs differ per game; main() fills this in).
typedef struct {
    void *env;
    void (*step)(void *env);
    int *action;
    float *reward;
    int num_actions;
} PufferEnv;

// `steps` steps with uniform random actions; a checksum of the rewards.
static double puffer_run(PufferEnv *p, int steps, uint64_t seed) {
    double checksum = 0.0;
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int t = 0; t < steps; t++) {
        p->action[0] = puffer_random_action(&s, p->num_actions);
        p->step(p->env);
        checksum += (double)p->reward[0];
    }
    return checksum;
}

// Warms up for 0.3 s, then times `steps` steps and prints the JSON line.
static void puffer_bench(PufferEnv *p, int steps, uint64_t seed) {
    double warm_until = puffer_now() + 0.3;
    while (puffer_now() < warm_until) puffer_run(p, 10000, seed);
    double t0 = puffer_now();
    double checksum = puffer_run(p, steps, seed);
    double seconds = puffer_now() - t0;
    printf("{\"steps\": %d, \"seconds\": %.9f, \"checksum\": %.17g}\n", steps, seconds,
           checksum);
}

#endif

// Scratch checks for envs/snake/snake.h.
//   gcc -O3 -Wall -Wextra -ffp-contract=off -std=c11 -I envs tests/c/snake_check.c -o /tmp/snake_check
//   /tmp/snake_check speed     raw agent-steps/s, 256 snakes, random actions
//   /tmp/snake_check fuzz      >= 1M agent-steps, random and out-of-range actions (use -fsanitize)
//   /tmp/snake_check players   mean length at death: greedy baseline vs a smarter player
//   /tmp/snake_check determinism
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>
#include "snake/snake.h"

typedef struct {
    Env env;
    int num_agents;
    uint8_t *obs;
    int32_t *actions;
    float *rewards;
    uint8_t *terminals;
    uint8_t *truncations;
    Log *logs;
} Harness;

// Sum of every agent's Log.
static Log harness_log(const Harness *h) {
    Log sum = {0};
    for (int a = 0; a < h->num_agents; a++) {
        sum.n += h->logs[a].n;
        sum.episode_return += h->logs[a].episode_return;
        sum.episode_length += h->logs[a].episode_length;
        sum.score += h->logs[a].score;
        sum.perf += h->logs[a].perf;
    }
    return sum;
}

static int harness_open(Harness *h, const int *params, int autoreset) {
    memset(h, 0, sizeof(*h));
    h->num_agents = env_num_agents(params);
    if (env_init(&h->env, params) != 0) return 1;
    int n = h->num_agents;
    h->obs = calloc((size_t)n * SNAKE_VIEW * SNAKE_VIEW, 1);
    h->actions = calloc((size_t)n, sizeof(int32_t));
    h->rewards = calloc((size_t)n, sizeof(float));
    h->terminals = calloc((size_t)n, 1);
    h->truncations = calloc((size_t)n, 1);
    h->logs = calloc((size_t)n, sizeof(Log));
    h->env.io.observations = h->obs;
    h->env.io.actions = h->actions;
    h->env.io.rewards = h->rewards;
    h->env.io.terminals = h->terminals;
    h->env.io.truncations = h->truncations;
    h->env.io.log = h->logs;
    h->env.io.autoreset = autoreset;
    return 0;
}

static void harness_close(Harness *h) {
    env_close(&h->env);
    free(h->obs);
    free(h->actions);
    free(h->rewards);
    free(h->logs);
    free(h->terminals);
    free(h->truncations);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// Internal consistency: grid cell codes agree with the snakes and the food count.
static int check_grid(Env *env) {
    int food = 0, body = 0, heads = 0;
    for (int r = 0; r < env->height; r++) {
        for (int c = 0; c < env->width; c++) {
            uint8_t v = env->grid[(r + SNAKE_VIEW_RADIUS) * env->pitch + c + SNAKE_VIEW_RADIUS];
            if (v == CELL_FOOD) food++;
            if (v == CELL_BODY) body++;
            if (v == CELL_HEAD) heads++;
            if (v > CELL_HEAD || v == CELL_WALL) return 1;
        }
    }
    int alive = 0, cells = 0;
    for (int i = 0; i < env->num_snakes; i++) {
        Snake *s = &env->snakes[i];
        if (s->state != SNAKE_ALIVE) continue;
        alive++;
        cells += s->length;
        if (env->grid[s->head] != CELL_HEAD) return 2;
        for (int k = 0; k < s->length - 1; k++) {
            if (env->grid[snake_cell(env, i, k)] != CELL_BODY) return 3;
        }
    }
    if (heads != alive || body + heads != cells) return 4;
    if (food != env->food_count) return 5;
    return 0;
}

static int run_speed(void) {
    int params[SNAKE_NUM_PARAMS] = {256, 192, 192, 1024, 2048};
    Harness h;
    if (harness_open(&h, params, 1)) return 1;
    env_reset(&h.env, 1);
    int table_steps = 1024;
    int32_t *table = calloc((size_t)table_steps * h.num_agents, sizeof(int32_t));
    Rng rng;
    rng_seed(&rng, 7);
    for (int k = 0; k < table_steps * h.num_agents; k++) table[k] = rng_int(&rng, 4);
    int steps = 40000;
    double t0 = now_seconds();
    for (int t = 0; t < steps; t++) {
        memcpy(h.actions, table + (size_t)(t % table_steps) * h.num_agents,
               sizeof(int32_t) * h.num_agents);
        env_step(&h.env);
    }
    double dt = now_seconds() - t0;
    printf("speed: 256 snakes 192x192 random actions: %.2fM agent-steps/s (%d env steps, %.2fs)\n",
           1e-6 * steps * h.num_agents / dt, steps, dt);
    printf("  episodes %.0f mean length at death %.2f mean episode length %.1f\n",
           harness_log(&h).n, harness_log(&h).score / harness_log(&h).n,
           harness_log(&h).episode_length / harness_log(&h).n);
    free(table);
    harness_close(&h);
    return 0;
}

static int run_fuzz(void) {
    static const int configs[][SNAKE_NUM_PARAMS] = {
        {64, 96, 96, 256, 2048},
        {256, 64, 64, 2000, 300},   // crowded, lots of food
        {1, 8, 8, 1, 16},
        {10, 8, 8, 60, 50},          // grid nearly full of food
        {1024, 64, 96, 100, 100},
        {5, 512, 8, 65536, 1000},
    };
    static const int32_t odd_actions[4] = {-1, 4, 999, -2147483647};
    long total = 0;
    for (int ci = 0; ci < 6; ci++) {
        for (int autoreset = 0; autoreset <= 1; autoreset++) {
            Harness h;
            if (harness_open(&h, configs[ci], autoreset)) {
                printf("fuzz: config %d init failed\n", ci);
                return 1;
            }
            Rng rng;
            rng_seed(&rng, 100 + ci);
            env_reset(&h.env, 1000 + ci);
            long budget = 100000;
            int t = 0;
            while (budget > 0) {
                for (int i = 0; i < h.num_agents; i++) {
                    int kind = rng_int(&rng, 10);
                    if (kind == 0) h.actions[i] = odd_actions[rng_int(&rng, 4)];
                    else if (kind < 4) h.actions[i] = env_baseline_action(&h.env, i);
                    else h.actions[i] = rng_int(&rng, 4);
                }
                env_step(&h.env);
                t++;
                budget -= h.num_agents;
                total += h.num_agents;
                for (int k = 0; k < h.num_agents * SNAKE_VIEW * SNAKE_VIEW; k++) {
                    if (h.obs[k] > 4) { printf("fuzz: bad obs\n"); return 1; }
                }
                int bad = check_grid(&h.env);
                if (bad) { printf("fuzz: config %d grid check %d at step %d\n", ci, bad, t); return 1; }
                if (t % 500 == 0) env_reset(&h.env, (uint64_t)t);
            }
            harness_close(&h);
        }
    }
    printf("fuzz: %ld agent-steps, grid consistent\n", total);
    int bad_params[SNAKE_NUM_PARAMS] = {1024, 8, 8, 1, 16};
    Env e;
    memset(&e, 0, sizeof(e));
    printf("fuzz: impossible params -> env_init returns %d\n", env_init(&e, bad_params));
    return 0;
}

// ---- A smarter scripted player: space-aware, avoids other heads, then greedy. ----

typedef struct {
    int32_t *stamp;
    int32_t *queue;
    int32_t mark;
} Flood;

// Free cells reachable from `start` (EMPTY or FOOD), counted up to `cap`.
static int flood_count(Env *env, Flood *f, int start, int cap) {
    f->mark += 1;
    int head = 0, tail = 0;
    f->queue[tail++] = start;
    f->stamp[start] = f->mark;
    while (head < tail && tail < cap) {
        int cell = f->queue[head++];
        for (int d = 0; d < 4; d++) {
            int next = cell + env->delta[d];
            if (f->stamp[next] == f->mark) continue;
            uint8_t v = env->grid[next];
            if (v != CELL_EMPTY && v != CELL_FOOD) continue;
            f->stamp[next] = f->mark;
            f->queue[tail++] = next;
        }
    }
    return tail;
}

static int smart_action(Env *env, Flood *f, int agent) {
    Snake *s = &env->snakes[agent];
    if (s->state != SNAKE_ALIVE) return s->dir;
    int found = 0, food_r = 0, food_c = 0, best_dist = 1 << 30;
    for (int r = -SNAKE_VIEW_RADIUS; r <= SNAKE_VIEW_RADIUS; r++) {
        for (int c = -SNAKE_VIEW_RADIUS; c <= SNAKE_VIEW_RADIUS; c++) {
            if (env->grid[s->head + r * env->pitch + c] != CELL_FOOD) continue;
            int dist = abs(r) + abs(c);
            if (dist < best_dist) { best_dist = dist; food_r = r; food_c = c; found = 1; }
        }
    }
    static const int move_r[4] = {-1, 1, 0, 0};
    static const int move_c[4] = {0, 0, -1, 1};
    int need = 2 * s->length + 16;
    if (need > 400) need = 400;
    int best = s->dir;
    int64_t best_key = -((int64_t)1 << 40);
    for (int dir = 0; dir < 4; dir++) {
        if (dir == snake_opposite(s->dir)) continue;
        int t = s->head + env->delta[dir];
        uint8_t v = env->grid[t];
        if (v != CELL_EMPTY && v != CELL_FOOD) continue;
        int near_head = 0, open = 0;
        for (int d = 0; d < 4; d++) {
            int nb = t + env->delta[d];
            if (nb != s->head && env->grid[nb] == CELL_HEAD) near_head = 1;
            if (env->grid[nb] == CELL_EMPTY || env->grid[nb] == CELL_FOOD) open += 1;
        }
        int space = flood_count(env, f, t, need);
        int roomy = space >= need;
        int dist = found ? abs(food_r - move_r[dir]) + abs(food_c - move_c[dir]) : 0;
        int64_t key = (int64_t)roomy * 1000000 + (int64_t)(!near_head) * 100000
                 + (int64_t)(roomy ? 0 : space) * 100 + open - dist * 2 + (dir == s->dir);
        if (key > best_key) { best_key = key; best = dir; }
    }
    return best;
}

static void run_player(const int *params, int smart, int steps, const char *label) {
    Harness h;
    if (harness_open(&h, params, 1)) { printf("init failed\n"); return; }
    size_t cells = (size_t)h.env.rows * h.env.pitch;
    Flood f;
    f.stamp = calloc(cells, sizeof(int32_t));
    f.queue = calloc(cells, sizeof(int32_t));
    f.mark = 0;
    env_reset(&h.env, 42);
    float max_score = 0.0f;
    for (int t = 0; t < steps; t++) {
        for (int i = 0; i < h.num_agents; i++) {
            h.actions[i] = smart ? smart_action(&h.env, &f, i) : env_baseline_action(&h.env, i);
        }
        env_step(&h.env);
        for (int i = 0; i < h.num_agents; i++) {
            float len = (float)h.env.snakes[i].length;
            if (len > max_score) max_score = len;
        }
    }
    Log total = harness_log(&h);
    Log *log = &total;
    printf("%-8s %3d snakes %dx%d food %d: episodes %5.0f  mean length at death %6.2f  "
           "return %6.2f  ep len %6.1f  perf %.3f  (max len seen %.0f)\n",
           label, params[0], params[1], params[2], params[3], log->n, log->score / log->n,
           log->episode_return / log->n, log->episode_length / log->n, log->perf / log->n,
           max_score);
    free(f.stamp);
    free(f.queue);
    harness_close(&h);
}

static int run_players(void) {
    int defaults[SNAKE_NUM_PARAMS];
    for (int k = 0; k < SNAKE_NUM_PARAMS; k++) defaults[k] = SNAKE_PARAMS[k].default_value;
    run_player(defaults, 0, 20000, "greedy");
    run_player(defaults, 1, 20000, "smart");
    return 0;
}

static uint64_t hash_run(uint64_t seed) {
    int params[SNAKE_NUM_PARAMS] = {64, 96, 96, 256, 500};
    Harness h;
    harness_open(&h, params, 1);
    env_reset(&h.env, seed);
    Rng rng;
    rng_seed(&rng, seed + 1);
    uint64_t hash = 1469598103934665603ull;
    for (int t = 0; t < 3000; t++) {
        for (int i = 0; i < h.num_agents; i++) {
            h.actions[i] = (t & 1) ? env_baseline_action(&h.env, i) : rng_int(&rng, 5);
        }
        env_step(&h.env);
        for (int k = 0; k < h.num_agents * SNAKE_VIEW * SNAKE_VIEW; k++) {
            hash = (hash ^ h.obs[k]) * 1099511628211ull;
        }
        for (int i = 0; i < h.num_agents; i++) {
            hash = (hash ^ (uint64_t)(int)(h.rewards[i] * 4.0f)) * 1099511628211ull;
            hash = (hash ^ (uint64_t)(h.terminals[i] * 2 + h.truncations[i])) * 1099511628211ull;
        }
    }
    harness_close(&h);
    return hash;
}

static int run_determinism(void) {
    uint64_t a = hash_run(5), b = hash_run(5), c = hash_run(6);
    printf("determinism: hash %016llx %s, other seed %s\n", (unsigned long long)a,
           a == b ? "repeats" : "DIFFERS", a != c ? "differs" : "SAME (bad)");
    return a == b ? 0 : 1;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "all";
    int rc = 0;
    if (!strcmp(mode, "speed") || !strcmp(mode, "all")) rc |= run_speed();
    if (!strcmp(mode, "fuzz") || !strcmp(mode, "all")) rc |= run_fuzz();
    if (!strcmp(mode, "players") || !strcmp(mode, "all")) rc |= run_players();
    if (!strcmp(mode, "determinism") || !strcmp(mode, "all")) rc |= run_determinism();
    return rc;
}

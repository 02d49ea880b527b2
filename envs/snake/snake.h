// Snake: many snakes share one grid with food. Each agent steers one snake.
//
// Observation: the 11x11 cells around the agent's head (not rotated), one uint8 per cell:
// 0 empty, 1 food, 2 wall (also outside the grid), 3 snake body, 4 snake head (any snake).
// Actions (absolute): 0 UP, 1 DOWN, 2 LEFT, 3 RIGHT. Turning back into the neck, or any
// action outside [0, 4), keeps the snake going straight.
// Rewards: +1 per food eaten, -1 on death. Moving into a wall, a body or a head kills,
// and so do head-on moves of two snakes into the same cell. A dead snake's body turns
// into food. One life is one episode: it ends on death (terminal) or after max_steps
// steps (truncation), and the snake respawns at once (length 3) when io.autoreset is set.
//
// Layout: the grid has a wall border of SNAKE_VIEW_RADIUS cells so the observation is
// 11 copies of 11 bytes without bounds checks. Bodies are ring buffers of cell indices.
#ifndef SHIFTPLAY_SNAKE_H
#define SHIFTPLAY_SNAKE_H

#include "../env.h"

#define SNAKE_VIEW_RADIUS 5
#define SNAKE_VIEW 11             // 2 * SNAKE_VIEW_RADIUS + 1
#define SNAKE_MAX_LENGTH 1024     // power of two: ring buffer capacity per snake
#define SNAKE_START_LENGTH 3
#define SNAKE_PERF_LENGTH 64      // perf = min(1, length / SNAKE_PERF_LENGTH)
#define SNAKE_SPAWN_TRIES 32

enum { SNAKE_CELL_EMPTY = 0, SNAKE_CELL_FOOD = 1, SNAKE_CELL_WALL = 2, SNAKE_CELL_BODY = 3,
       SNAKE_CELL_HEAD = 4,
       SNAKE_CELL_CLAIM = 5 };  // SNAKE_CELL_CLAIM only exists inside env_step, never observed

enum { SNAKE_UP = 0, SNAKE_DOWN = 1, SNAKE_LEFT = 2, SNAKE_RIGHT = 3 };

// ALIVE: playing. DEAD: episode over, autoreset off, waits for env_reset (frozen once
// its final observation is written: no reward, flags and observation kept).
// WAITING: no free spot to respawn yet, tried again each step.
enum { SNAKE_ALIVE = 0, SNAKE_DEAD = 1, SNAKE_WAITING = 2 };

static const char *const SNAKE_ACTION_NAMES[4] = {"UP", "DOWN", "LEFT", "RIGHT"};

enum { SNAKE_P_NUM_SNAKES = 0, SNAKE_P_WIDTH, SNAKE_P_HEIGHT, SNAKE_P_FOOD, SNAKE_P_MAX_STEPS,
       SNAKE_NUM_PARAMS };

static const EnvParam SNAKE_PARAMS[SNAKE_NUM_PARAMS] = {
    {"num_snakes", 64, 1, 1024, "number of snakes (agents) on the grid"},
    {"width", 96, 8, 512, "grid width in cells"},
    {"height", 96, 8, 512, "grid height in cells"},
    {"food", 256, 1, 65536, "food cells kept on the grid"},
    {"max_steps", 2048, 16, 1000000, "steps per life before truncation"},
};

static const char *const SNAKE_CELL_NAMES[5] = {"empty", "food", "wall", "body", "head"};

static const ObsGroup SNAKE_OBS_GROUPS[] = {
    {"cells", 0, SNAKE_VIEW * SNAKE_VIEW, 0.0f, 4.0f},
};

static const EnvSpec ENV_SPEC = {
    .name = "snake", .title = "Snake", .score_name = "length",
    .description = "Many snakes on one grid: eat food to grow, avoid walls and bodies.",
    .controls = "Arrow keys or WASD steer the highlighted snake",
    .max_score = (float)SNAKE_MAX_LENGTH, .baseline_min_score = 12.0f,
    // a SNAKE_VIEW x SNAKE_VIEW window of cell codes around the head
    .obs_dtype = OBS_UINT8, .obs_height = SNAKE_VIEW, .obs_width = SNAKE_VIEW,
    .obs_low = 0.0f, .obs_high = 4.0f,
    .obs_value_names = SNAKE_CELL_NAMES, .num_obs_values = 5,
    .obs_groups = SNAKE_OBS_GROUPS, .num_obs_groups = 1,
    .num_actions = 4, .action_names = SNAKE_ACTION_NAMES,
    .noop_action = -1,  // a snake always moves
    .num_params = SNAKE_NUM_PARAMS, .params = SNAKE_PARAMS,
};

typedef struct {
    int state;
    int start;            // ring buffer index of the tail
    int length;           // cells in the ring buffer, tail to head
    int dir;              // heading, SNAKE_UP..SNAKE_RIGHT
    int head;             // grid index of the head (kept after death for the view)
    int steps;            // steps in this life
    int frozen;           // DEAD and its final observation written: left alone until reset
    float episode_return;
    // scratch for one env_step
    int target;
    int eats;
    int grows;
    int claimed;
    int dying;
    int score_length;
} Snake;

typedef struct {
    EnvIO io;
    int num_snakes;
    int width;
    int height;
    int food_target;
    int max_steps;
    int pitch;            // width + 2 * SNAKE_VIEW_RADIUS: grid row stride
    int rows;             // height + 2 * SNAKE_VIEW_RADIUS
    int delta[4];         // grid index offset of one move UP, DOWN, LEFT, RIGHT
    int food_count;
    uint8_t *grid;        // rows * pitch cell codes
    int32_t *claim_owner; // rows * pitch, valid only where grid == SNAKE_CELL_CLAIM
    int32_t *bodies;      // num_snakes * SNAKE_MAX_LENGTH grid indices
    Snake *snakes;
    Rng rng;
    Rng baseline_rng;     // tie breaks of env_baseline_action, apart from the game's RNG
} Env;

static int env_num_agents(const int *params) {
    return params[SNAKE_P_NUM_SNAKES];
}

static int snake_opposite(int dir) {
    return dir ^ 1;  // UP <-> DOWN, LEFT <-> RIGHT
}

static int32_t *snake_body(Env *env, int i) {
    return env->bodies + (size_t)i * SNAKE_MAX_LENGTH;
}

// Grid index of the k-th cell of snake i, counted from the tail.
static int snake_cell(Env *env, int i, int k) {
    Snake *s = &env->snakes[i];
    return snake_body(env, i)[(s->start + k) & (SNAKE_MAX_LENGTH - 1)];
}

static void snake_push_head(Env *env, int i, int cell) {
    Snake *s = &env->snakes[i];
    snake_body(env, i)[(s->start + s->length) & (SNAKE_MAX_LENGTH - 1)] = cell;
    s->length += 1;
    s->head = cell;
}

static void snake_pop_tail(Env *env, int i) {
    Snake *s = &env->snakes[i];
    int tail = snake_body(env, i)[s->start & (SNAKE_MAX_LENGTH - 1)];
    env->grid[tail] = SNAKE_CELL_EMPTY;
    s->start = (s->start + 1) & (SNAKE_MAX_LENGTH - 1);
    s->length -= 1;
}

// A random interior cell index.
static int snake_random_cell(Env *env) {
    int r = SNAKE_VIEW_RADIUS + rng_int(&env->rng, env->height);
    int c = SNAKE_VIEW_RADIUS + rng_int(&env->rng, env->width);
    return r * env->pitch + c;
}

// Room for a new snake with its head at `head` facing `dir`: three empty cells in a line.
static int snake_spawn_fits(Env *env, int head, int dir) {
    int d = env->delta[dir];
    return env->grid[head] == SNAKE_CELL_EMPTY && env->grid[head - d] == SNAKE_CELL_EMPTY
        && env->grid[head - 2 * d] == SNAKE_CELL_EMPTY;
}

static void snake_place(Env *env, int i, int head, int dir) {
    Snake *s = &env->snakes[i];
    int d = env->delta[dir];
    s->state = SNAKE_ALIVE;
    s->start = 0;
    s->length = 0;
    s->dir = dir;
    s->steps = 0;
    s->episode_return = 0.0f;
    for (int k = SNAKE_START_LENGTH - 1; k >= 0; k--) {
        int cell = head - k * d;
        env->grid[cell] = (k == 0) ? SNAKE_CELL_HEAD : SNAKE_CELL_BODY;
        snake_push_head(env, i, cell);
    }
}

// Random tries, then (if `scan`) a full scan from a random start.
// Returns 0 and leaves the snake WAITING if no spot was found.
static int snake_spawn(Env *env, int i, int scan) {
    for (int t = 0; t < SNAKE_SPAWN_TRIES; t++) {
        int head = snake_random_cell(env);
        int dir = rng_int(&env->rng, 4);
        if (snake_spawn_fits(env, head, dir)) {
            snake_place(env, i, head, dir);
            return 1;
        }
    }
    env->snakes[i].state = SNAKE_WAITING;
    if (!scan) return 0;
    int n = env->width * env->height;
    int first = rng_int(&env->rng, n);
    for (int k = 0; k < n; k++) {
        int p = (first + k) % n;
        int head = (SNAKE_VIEW_RADIUS + p / env->width) * env->pitch
                 + SNAKE_VIEW_RADIUS + p % env->width;
        for (int dir = 0; dir < 4; dir++) {
            if (snake_spawn_fits(env, head, dir)) {
                snake_place(env, i, head, dir);
                return 1;
            }
        }
    }
    return 0;
}

// Keep food_target food cells on the grid, with a bounded number of random tries.
static void snake_spawn_food(Env *env) {
    int missing = env->food_target - env->food_count;
    int tries = 4 * missing + 16;
    while (env->food_count < env->food_target && tries > 0) {
        int cell = snake_random_cell(env);
        if (env->grid[cell] == SNAKE_CELL_EMPTY) {
            env->grid[cell] = SNAKE_CELL_FOOD;
            env->food_count += 1;
        }
        tries -= 1;
    }
}

// The body of snake i leaves the grid and turns into food, as long as the grid holds
// less than twice the food target (so food cannot pile up without bound).
static void snake_remove(Env *env, int i) {
    Snake *s = &env->snakes[i];
    for (int k = 0; k < s->length; k++) {
        int cell = snake_cell(env, i, k);
        if (env->food_count < 2 * env->food_target) {
            env->grid[cell] = SNAKE_CELL_FOOD;
            env->food_count += 1;
        } else {
            env->grid[cell] = SNAKE_CELL_EMPTY;
        }
    }
    s->length = 0;
}

static void snake_end_life(Env *env, int i, int score_length) {
    Snake *s = &env->snakes[i];
    float perf = clampf((float)score_length / (float)SNAKE_PERF_LENGTH, 0.0f, 1.0f);
    log_add(&env->io.log[i], s->episode_return, (float)s->steps, (float)score_length, perf);
    snake_remove(env, i);
    s->state = env->io.autoreset ? SNAKE_WAITING : SNAKE_DEAD;
}

static void snake_write_obs(Env *env, int i) {
    uint8_t *dst = (uint8_t *)env->io.observations + (size_t)i * SNAKE_VIEW * SNAKE_VIEW;
    const uint8_t *src = env->grid + env->snakes[i].head
                       - SNAKE_VIEW_RADIUS * env->pitch - SNAKE_VIEW_RADIUS;
    for (int r = 0; r < SNAKE_VIEW; r++) {
        memcpy(dst + r * SNAKE_VIEW, src + r * env->pitch, SNAKE_VIEW);
    }
}

static void env_close(Env *env) {
    free(env->grid);
    free(env->claim_owner);
    free(env->bodies);
    free(env->snakes);
    env->grid = NULL;
    env->claim_owner = NULL;
    env->bodies = NULL;
    env->snakes = NULL;
}

static int env_init(Env *env, const int *params) {
    env->num_snakes = params[SNAKE_P_NUM_SNAKES];
    env->width = params[SNAKE_P_WIDTH];
    env->height = params[SNAKE_P_HEIGHT];
    env->food_target = params[SNAKE_P_FOOD];
    env->max_steps = params[SNAKE_P_MAX_STEPS];
    // Every snake must fit at spawn with room to spare: 3 cells each, half the grid.
    if (2 * SNAKE_START_LENGTH * env->num_snakes > env->width * env->height) return 1;
    env->pitch = env->width + 2 * SNAKE_VIEW_RADIUS;
    env->rows = env->height + 2 * SNAKE_VIEW_RADIUS;
    env->delta[SNAKE_UP] = -env->pitch;
    env->delta[SNAKE_DOWN] = env->pitch;
    env->delta[SNAKE_LEFT] = -1;
    env->delta[SNAKE_RIGHT] = 1;
    size_t cells = (size_t)env->rows * env->pitch;
    env->grid = calloc(cells, sizeof(uint8_t));
    env->claim_owner = calloc(cells, sizeof(int32_t));
    env->bodies = calloc((size_t)env->num_snakes * SNAKE_MAX_LENGTH, sizeof(int32_t));
    env->snakes = calloc((size_t)env->num_snakes, sizeof(Snake));
    if (!env->grid || !env->claim_owner || !env->bodies || !env->snakes) {
        env_close(env);
        return 1;
    }
    return 0;
}

static void env_reset(Env *env, uint64_t seed) {
    rng_seed(&env->rng, seed);
    rng_seed(&env->baseline_rng, seed ^ 0x5DEECE66Dull);
    for (int r = 0; r < env->rows; r++) {
        for (int c = 0; c < env->pitch; c++) {
            int inside = r >= SNAKE_VIEW_RADIUS && r < SNAKE_VIEW_RADIUS + env->height
                      && c >= SNAKE_VIEW_RADIUS && c < SNAKE_VIEW_RADIUS + env->width;
            env->grid[r * env->pitch + c] = inside ? SNAKE_CELL_EMPTY : SNAKE_CELL_WALL;
        }
    }
    env->food_count = 0;
    int center = (SNAKE_VIEW_RADIUS + env->height / 2) * env->pitch
               + SNAKE_VIEW_RADIUS + env->width / 2;
    for (int i = 0; i < env->num_snakes; i++) {
        Snake *s = &env->snakes[i];
        memset(s, 0, sizeof(Snake));
        s->head = center;
        snake_spawn(env, i, 1);
    }
    snake_spawn_food(env);
    for (int i = 0; i < env->num_snakes; i++) {
        env->io.rewards[i] = 0.0f;
        env->io.terminals[i] = 0;
        env->io.truncations[i] = 0;
        snake_write_obs(env, i);
    }
}

// Heading after `action`: out-of-range actions and reversals keep the current heading.
static int snake_action_dir(int action, int dir) {
    if (action < 0 || action > 3) return dir;
    if (action == snake_opposite(dir)) return dir;
    return action;
}

static void env_step(Env *env) {
    int n = env->num_snakes;
    uint8_t *grid = env->grid;
    // 1. Where every live snake goes, and whether it eats there.
    for (int i = 0; i < n; i++) {
        Snake *s = &env->snakes[i];
        env->io.rewards[i] = 0.0f;
        if (s->frozen) continue;  // autoreset off: final obs and flags kept until reset
        env->io.terminals[i] = 0;
        env->io.truncations[i] = 0;
        if (s->state != SNAKE_ALIVE) continue;
        s->dir = snake_action_dir(env->io.actions[i], s->dir);
        s->target = s->head + env->delta[s->dir];
        s->eats = grid[s->target] == SNAKE_CELL_FOOD;
        s->grows = s->eats && s->length < SNAKE_MAX_LENGTH;
        s->claimed = 0;
        s->dying = 0;
        s->score_length = s->length;
    }
    // 2. Tails move first, so a snake may follow a tail (its own or another's).
    for (int i = 0; i < n; i++) {
        Snake *s = &env->snakes[i];
        if (s->state == SNAKE_ALIVE && !s->grows) snake_pop_tail(env, i);
    }
    // 3. Claim target cells. A second claim on a cell kills both snakes (head-on).
    for (int i = 0; i < n; i++) {
        Snake *s = &env->snakes[i];
        if (s->state != SNAKE_ALIVE) continue;
        uint8_t cell = grid[s->target];
        if (cell == SNAKE_CELL_EMPTY || cell == SNAKE_CELL_FOOD) {
            grid[s->target] = SNAKE_CELL_CLAIM;
            env->claim_owner[s->target] = i;
            s->claimed = 1;
        } else if (cell == SNAKE_CELL_CLAIM) {
            s->dying = 1;
            env->snakes[env->claim_owner[s->target]].dying = 1;
        } else {
            s->dying = 1;
        }
    }
    // 4. Move the survivors; dying snakes give back the cell they claimed.
    for (int i = 0; i < n; i++) {
        Snake *s = &env->snakes[i];
        if (s->state != SNAKE_ALIVE) continue;
        s->steps += 1;
        if (s->dying) {
            if (s->claimed) grid[s->target] = s->eats ? SNAKE_CELL_FOOD : SNAKE_CELL_EMPTY;
            continue;
        }
        grid[s->head] = SNAKE_CELL_BODY;
        grid[s->target] = SNAKE_CELL_HEAD;
        snake_push_head(env, i, s->target);
        if (s->eats) {
            env->food_count -= 1;
            env->io.rewards[i] = 1.0f;
            s->episode_return += 1.0f;
        }
    }
    // 5. End lives: death is terminal, reaching max_steps is a truncation.
    for (int i = 0; i < n; i++) {
        Snake *s = &env->snakes[i];
        if (s->state != SNAKE_ALIVE) continue;
        if (s->dying) {
            env->io.rewards[i] = -1.0f;
            s->episode_return -= 1.0f;
            env->io.terminals[i] = 1;
            snake_end_life(env, i, s->score_length);
        } else if (s->steps >= env->max_steps) {
            env->io.truncations[i] = 1;
            snake_end_life(env, i, s->length);
        }
    }
    // 6. New food, then new lives, then observations. A full-grid scan for a spawn
    // spot runs at most until one fails in a step, which bounds the work on a full grid.
    snake_spawn_food(env);
    int scan = 1;
    for (int i = 0; i < n; i++) {
        Snake *s = &env->snakes[i];
        if (s->frozen) continue;
        if (s->state == SNAKE_WAITING && !snake_spawn(env, i, scan)) scan = 0;
        snake_write_obs(env, i);
        if (s->state == SNAKE_DEAD) s->frozen = 1;
    }
}

// Greedy scripted player: among moves that are safe for one step, go toward the
// nearest food in view; without food in view, any safe move; else straight.
static int env_baseline_action(Env *env, int agent) {
    if (agent < 0 || agent >= env->num_snakes) return 0;
    Snake *s = &env->snakes[agent];
    if (s->state != SNAKE_ALIVE) return s->dir;
    const uint8_t *grid = env->grid;
    int found = 0, food_r = 0, food_c = 0, best_dist = 1 << 30;
    for (int r = -SNAKE_VIEW_RADIUS; r <= SNAKE_VIEW_RADIUS; r++) {
        for (int c = -SNAKE_VIEW_RADIUS; c <= SNAKE_VIEW_RADIUS; c++) {
            if (grid[s->head + r * env->pitch + c] != SNAKE_CELL_FOOD) continue;
            int dist = abs(r) + abs(c);
            if (dist < best_dist) {
                best_dist = dist;
                food_r = r;
                food_c = c;
                found = 1;
            }
        }
    }
    static const int move_r[4] = {-1, 1, 0, 0};
    static const int move_c[4] = {0, 0, -1, 1};
    int best = s->dir, best_key = 1 << 30, ties = 0;
    for (int dir = 0; dir < 4; dir++) {
        if (dir == snake_opposite(s->dir)) continue;
        uint8_t cell = grid[s->head + env->delta[dir]];
        if (cell != SNAKE_CELL_EMPTY && cell != SNAKE_CELL_FOOD) continue;
        int key = found ? abs(food_r - move_r[dir]) + abs(food_c - move_c[dir]) : 0;
        if (key < best_key) {
            best_key = key;
            best = dir;
            ties = 1;
        } else if (key == best_key) {
            ties += 1;
            if (rng_int(&env->baseline_rng, ties) == 0) best = dir;
        }
    }
    return best;
}

#endif

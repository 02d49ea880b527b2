// Breakout: an Atari-like brick breaker for one agent.
//
// Pure game logic (no raylib). One wall of 6 x 18 bricks worth 7,7,4,4,1,1 points per
// row from the top; clearing the wall ends the episode (a win), losing all five balls
// ends it too. A new ball is served automatically (there is no FIRE action). The ball
// speeds up after 4 and 12 paddle hits and the first time it breaks an orange or a red
// brick; the paddle shrinks to half width the first time the ball reaches the top wall.
// Where the ball lands on the paddle sets its horizontal speed.
//
// World units: the field is 144 x 160, y grows downward. The ball is a point for the
// bricks (its center) and has radius BREAKOUT_BALL_R for the walls and the paddle. Its speed per
// physics tick is below a brick's width and height, so one tick moves it at most one
// cell and checking the cells it enters is enough: it never skips a brick.
#ifndef SHIFTPLAY_BREAKOUT_H
#define SHIFTPLAY_BREAKOUT_H

#include <math.h>

#include "../env.h"

#define BREAKOUT_BRICK_ROWS 6
#define BREAKOUT_BRICK_COLS 18
#define BREAKOUT_NUM_BRICKS (BREAKOUT_BRICK_ROWS * BREAKOUT_BRICK_COLS)
#define BREAKOUT_OBS_BRICKS 7                   // index of the first brick in the observation
#define BREAKOUT_OBS_SIZE (BREAKOUT_OBS_BRICKS + BREAKOUT_NUM_BRICKS)

static const float BREAKOUT_FIELD_W = 144.0f;
static const float BREAKOUT_FIELD_H = 160.0f;
static const float BREAKOUT_BRICK_W = 8.0f;
static const float BREAKOUT_BRICK_H = 6.0f;
static const float BREAKOUT_BRICK_TOP = 24.0f;    // y of the top of the red row
static const float BREAKOUT_BRICK_BOTTOM = 60.0f; // top + 6 rows x 6
static const float BREAKOUT_PADDLE_Y = 144.0f;    // y of the paddle's top surface
static const float BREAKOUT_PADDLE_H = 4.0f;
static const float BREAKOUT_PADDLE_W = 16.0f;     // full width; half after the top wall is hit
static const float BREAKOUT_PADDLE_SPEED = 1.375f;  // per tick
static const float BREAKOUT_BALL_R = 1.0f;
static const float BREAKOUT_BALL_SPEED = 1.0f;    // vertical speed per tick, before speed-ups
static const float BREAKOUT_SPEED_UP = 0.375f;    // added by each of the four speed-ups
static const float BREAKOUT_MAX_BALL_VY = 2.5f;   // BREAKOUT_BALL_SPEED + 4 * BREAKOUT_SPEED_UP
static const float BREAKOUT_MAX_BALL_HX = 2.0f;   // horizontal speed / vertical speed, at most
static const float BREAKOUT_MAX_BALL_VX = 5.0f;   // BREAKOUT_MAX_BALL_HX * BREAKOUT_MAX_BALL_VY
static const float BREAKOUT_SERVE_Y = 72.0f;
static const int BREAKOUT_NUM_BALLS = 5;
static const int BREAKOUT_ROW_POINTS[BREAKOUT_BRICK_ROWS] = {7, 7, 4, 4, 1, 1};

enum { BREAKOUT_NOOP = 0, BREAKOUT_LEFT = 1, BREAKOUT_RIGHT = 2, BREAKOUT_NUM_ACTIONS = 3 };

static const char *const BREAKOUT_ACTION_NAMES[BREAKOUT_NUM_ACTIONS] = {"NOOP", "LEFT", "RIGHT"};

static const EnvParam BREAKOUT_PARAMS[] = {
    {"frameskip", 4, 1, 8, "physics ticks per step, the action repeated"},
    {"max_steps", 10000, 100, 1000000, "steps before the episode is truncated"},
};

static const char *const BREAKOUT_OBS_LABELS[BREAKOUT_OBS_SIZE] = {
    "paddle_x", "paddle_w", "ball_x", "ball_y", "ball_vx", "ball_vy", "balls_left",
    "brick_0_0", "brick_0_1", "brick_0_2", "brick_0_3", "brick_0_4", "brick_0_5",
    "brick_0_6", "brick_0_7", "brick_0_8", "brick_0_9", "brick_0_10", "brick_0_11",
    "brick_0_12", "brick_0_13", "brick_0_14", "brick_0_15", "brick_0_16", "brick_0_17",
    "brick_1_0", "brick_1_1", "brick_1_2", "brick_1_3", "brick_1_4", "brick_1_5",
    "brick_1_6", "brick_1_7", "brick_1_8", "brick_1_9", "brick_1_10", "brick_1_11",
    "brick_1_12", "brick_1_13", "brick_1_14", "brick_1_15", "brick_1_16", "brick_1_17",
    "brick_2_0", "brick_2_1", "brick_2_2", "brick_2_3", "brick_2_4", "brick_2_5",
    "brick_2_6", "brick_2_7", "brick_2_8", "brick_2_9", "brick_2_10", "brick_2_11",
    "brick_2_12", "brick_2_13", "brick_2_14", "brick_2_15", "brick_2_16", "brick_2_17",
    "brick_3_0", "brick_3_1", "brick_3_2", "brick_3_3", "brick_3_4", "brick_3_5",
    "brick_3_6", "brick_3_7", "brick_3_8", "brick_3_9", "brick_3_10", "brick_3_11",
    "brick_3_12", "brick_3_13", "brick_3_14", "brick_3_15", "brick_3_16", "brick_3_17",
    "brick_4_0", "brick_4_1", "brick_4_2", "brick_4_3", "brick_4_4", "brick_4_5",
    "brick_4_6", "brick_4_7", "brick_4_8", "brick_4_9", "brick_4_10", "brick_4_11",
    "brick_4_12", "brick_4_13", "brick_4_14", "brick_4_15", "brick_4_16", "brick_4_17",
    "brick_5_0", "brick_5_1", "brick_5_2", "brick_5_3", "brick_5_4", "brick_5_5",
    "brick_5_6", "brick_5_7", "brick_5_8", "brick_5_9", "brick_5_10", "brick_5_11",
    "brick_5_12", "brick_5_13", "brick_5_14", "brick_5_15", "brick_5_16", "brick_5_17",
};

static const ObsGroup BREAKOUT_OBS_GROUPS[] = {
    {"paddle", 0, 2, 0.0f, 1.0f},          // paddle_x, paddle_w: fractions of the width
    {"ball_position", 2, 2, 0.0f, 1.0f},   // ball_x, ball_y
    {"ball_velocity", 4, 2, -1.0f, 1.0f},  // ball_vx, ball_vy: fractions of the top speed
    {"balls_left", 6, 1, 0.0f, 1.0f},      // fraction of BREAKOUT_NUM_BALLS
    {"bricks", BREAKOUT_OBS_BRICKS, BREAKOUT_NUM_BRICKS, 0.0f, 1.0f},  // 1 present, 0 broken
};

static const ControlObs BREAKOUT_CONTROL = {"paddle_x", BREAKOUT_LEFT, BREAKOUT_RIGHT};

static const EnvSpec ENV_SPEC = {
    .name = "breakout", .title = "Breakout", .score_name = "points",
    .description = "Break a wall of 108 bricks with a ball and a paddle; 5 balls.",
    .controls = "Left/Right or A/D move the paddle",
    .max_score = 432.0f,  // every brick: 2 rows x 18 x (7 + 4 + 1) points
    .baseline_min_score = 70.0f,
    .obs_dtype = OBS_FLOAT32, .obs_height = 1, .obs_width = BREAKOUT_OBS_SIZE,
    .obs_low = -1.0f, .obs_high = 1.0f, .obs_labels = BREAKOUT_OBS_LABELS,
    .obs_groups = BREAKOUT_OBS_GROUPS, .num_obs_groups = 5, .control_obs = &BREAKOUT_CONTROL,
    .num_actions = BREAKOUT_NUM_ACTIONS, .action_names = BREAKOUT_ACTION_NAMES,
    .noop_action = BREAKOUT_NOOP,
    .num_params = 2, .params = BREAKOUT_PARAMS,
};

typedef struct Breakout {
    EnvIO io;
    int frameskip;
    int max_steps;
    Rng rng;
    float paddle_x;       // center
    float paddle_w;
    float ball_x;
    float ball_y;
    float ball_hx;        // horizontal speed as a multiple of ball_speed, signed
    float ball_dir;       // +1 down, -1 up
    float ball_speed;     // vertical speed per tick
    int balls_left;
    int paddle_hits;      // since this ball was served
    int hit_orange;       // this ball has broken an orange brick
    int hit_red;          // this ball has broken a red brick
    int shrunk;           // the paddle is small
    int bricks_left;
    int score;
    int steps;
    int step_points;      // points of the step in progress
    int done;             // episode over, autoreset off: frozen until env_reset
    uint8_t bricks[BREAKOUT_NUM_BRICKS];  // 1 present, 0 broken; row-major from the top
} Breakout;

typedef Breakout Env;

static int env_num_agents(const int *params) {
    (void)params;
    return 1;
}

static int env_init(Env *env, const int *params) {
    env->frameskip = params[0];
    env->max_steps = params[1];
    return 0;
}

static void env_close(Env *env) {
    (void)env;
}

static float breakout_ball_speed(const Env *env) {
    float speed = BREAKOUT_BALL_SPEED;
    if (env->paddle_hits >= 4) speed += BREAKOUT_SPEED_UP;
    if (env->paddle_hits >= 12) speed += BREAKOUT_SPEED_UP;
    if (env->hit_orange) speed += BREAKOUT_SPEED_UP;
    if (env->hit_red) speed += BREAKOUT_SPEED_UP;
    return speed;
}

static void breakout_write_obs(Env *env) {
    float *obs = (float *)env->io.observations;
    obs[0] = env->paddle_x / BREAKOUT_FIELD_W;
    obs[1] = env->paddle_w / BREAKOUT_FIELD_W;
    obs[2] = env->ball_x / BREAKOUT_FIELD_W;
    obs[3] = clampf(env->ball_y / BREAKOUT_FIELD_H, 0.0f, 1.0f);
    obs[4] = env->ball_hx * env->ball_speed / BREAKOUT_MAX_BALL_VX;
    obs[5] = env->ball_dir * env->ball_speed / BREAKOUT_MAX_BALL_VY;
    obs[6] = (float)env->balls_left / (float)BREAKOUT_NUM_BALLS;
}

// A new ball: random x, random slant, going down from just below the wall.
static void breakout_serve(Env *env) {
    float slant = 0.25f + 0.75f * rng_float(&env->rng);
    env->ball_x = 16.0f + (BREAKOUT_FIELD_W - 32.0f) * rng_float(&env->rng);
    env->ball_y = BREAKOUT_SERVE_Y;
    env->ball_hx = rng_int(&env->rng, 2) ? slant : -slant;
    env->ball_dir = 1.0f;
    env->paddle_hits = 0;
    env->hit_orange = 0;
    env->hit_red = 0;
    env->ball_speed = BREAKOUT_BALL_SPEED;
}

static void breakout_new_episode(Env *env) {
    float *obs = (float *)env->io.observations;
    for (int i = 0; i < BREAKOUT_NUM_BRICKS; i++) {
        env->bricks[i] = 1;
        obs[BREAKOUT_OBS_BRICKS + i] = 1.0f;
    }
    env->bricks_left = BREAKOUT_NUM_BRICKS;
    env->balls_left = BREAKOUT_NUM_BALLS;
    env->score = 0;
    env->steps = 0;
    env->paddle_x = BREAKOUT_FIELD_W / 2.0f;
    env->paddle_w = BREAKOUT_PADDLE_W;
    env->shrunk = 0;
    env->done = 0;
    breakout_serve(env);
    breakout_write_obs(env);
}

static void env_reset(Env *env, uint64_t seed) {
    rng_seed(&env->rng, seed);
    breakout_new_episode(env);
    env->io.rewards[0] = 0.0f;
    env->io.terminals[0] = 0;
    env->io.truncations[0] = 0;
}

// Brick row of a y coordinate: -1 above the wall, BREAKOUT_BRICK_ROWS below it.
static int breakout_row(float y) {
    if (y < BREAKOUT_BRICK_TOP) return -1;
    if (y >= BREAKOUT_BRICK_BOTTOM) return BREAKOUT_BRICK_ROWS;
    return (int)((y - BREAKOUT_BRICK_TOP) / BREAKOUT_BRICK_H);
}

// Brick column of an x coordinate inside the field.
static int breakout_col(float x) {
    int col = (int)(x / BREAKOUT_BRICK_W);
    if (col < 0) return 0;
    if (col >= BREAKOUT_BRICK_COLS) return BREAKOUT_BRICK_COLS - 1;
    return col;
}

static int breakout_has_brick(const Env *env, int row, int col) {
    if (row < 0 || row >= BREAKOUT_BRICK_ROWS) return 0;
    return env->bricks[row * BREAKOUT_BRICK_COLS + col];
}

static void breakout_break_brick(Env *env, int row, int col) {
    int i = row * BREAKOUT_BRICK_COLS + col;
    env->bricks[i] = 0;
    ((float *)env->io.observations)[BREAKOUT_OBS_BRICKS + i] = 0.0f;
    env->bricks_left -= 1;
    env->step_points += BREAKOUT_ROW_POINTS[row];
    if (row == 1) env->hit_orange = 1;
    if (row == 0) env->hit_red = 1;
    env->ball_speed = breakout_ball_speed(env);
}

// The ball moves from (x, y) to (nx, ny), at most one cell each way. If it enters a
// cell with a brick, break it, bounce, and return 1 (the ball stays where it was).
static int breakout_hit_bricks(Env *env, float x, float y, float nx, float ny) {
    int r0 = breakout_row(y);
    int c0 = breakout_col(x);
    int r1 = breakout_row(ny);
    int c1 = breakout_col(nx);
    if (r0 == r1 && c0 == c1) return 0;
    if (r0 != r1 && c0 != c1) {
        // Diagonal move: the two side cells first, then the corner cell.
        if (breakout_has_brick(env, r1, c0)) {
            breakout_break_brick(env, r1, c0);
            env->ball_dir = -env->ball_dir;
            return 1;
        }
        if (breakout_has_brick(env, r0, c1)) {
            breakout_break_brick(env, r0, c1);
            env->ball_hx = -env->ball_hx;
            return 1;
        }
    }
    if (!breakout_has_brick(env, r1, c1)) return 0;
    breakout_break_brick(env, r1, c1);
    if (r0 != r1) {
        env->ball_dir = -env->ball_dir;
    } else {
        env->ball_hx = -env->ball_hx;
    }
    return 1;
}

// Bounce off the paddle at crossing point xc: the offset from the paddle's center
// sets the horizontal speed.
static void breakout_paddle_bounce(Env *env, float xc) {
    float t = (xc - env->paddle_x) / (env->paddle_w / 2.0f + BREAKOUT_BALL_R);
    float h = 0.25f + 1.75f * fabsf(t);
    if (h > BREAKOUT_MAX_BALL_HX) h = BREAKOUT_MAX_BALL_HX;
    if (t < 0.0f) {
        env->ball_hx = -h;
    } else if (t > 0.0f) {
        env->ball_hx = h;
    } else {
        env->ball_hx = env->ball_hx < 0.0f ? -h : h;
    }
    env->ball_dir = -1.0f;
    env->paddle_hits += 1;
    env->ball_speed = breakout_ball_speed(env);
}

// One physics tick of the ball. Returns 1 if the ball fell out of the field.
static int breakout_ball_tick(Env *env) {
    float x = env->ball_x;
    float y = env->ball_y;
    float nx = x + env->ball_hx * env->ball_speed;
    float ny = y + env->ball_dir * env->ball_speed;
    if (nx < BREAKOUT_BALL_R) {
        nx = 2.0f * BREAKOUT_BALL_R - nx;
        env->ball_hx = -env->ball_hx;
    } else if (nx > BREAKOUT_FIELD_W - BREAKOUT_BALL_R) {
        nx = 2.0f * (BREAKOUT_FIELD_W - BREAKOUT_BALL_R) - nx;
        env->ball_hx = -env->ball_hx;
    }
    if (ny < BREAKOUT_BALL_R) {
        ny = 2.0f * BREAKOUT_BALL_R - ny;
        env->ball_dir = 1.0f;
        if (!env->shrunk) {
            env->shrunk = 1;
            env->paddle_w = BREAKOUT_PADDLE_W / 2.0f;
        }
    }
    int in_wall = (y >= BREAKOUT_BRICK_TOP && y < BREAKOUT_BRICK_BOTTOM) ||
                  (ny >= BREAKOUT_BRICK_TOP && ny < BREAKOUT_BRICK_BOTTOM);
    if (in_wall && breakout_hit_bricks(env, x, y, nx, ny)) return 0;
    float line = BREAKOUT_PADDLE_Y - BREAKOUT_BALL_R;
    if (env->ball_dir > 0.0f && y <= line && ny > line) {
        float xc = x + (nx - x) * (line - y) / (ny - y);
        if (fabsf(xc - env->paddle_x) <= env->paddle_w / 2.0f + BREAKOUT_BALL_R) {
            breakout_paddle_bounce(env, xc);
            nx = xc;
            ny = line;
        }
    }
    env->ball_x = nx;
    env->ball_y = ny;
    return ny > BREAKOUT_FIELD_H;
}

static void breakout_move_paddle(Env *env, int action) {
    float half = env->paddle_w / 2.0f;
    if (action == BREAKOUT_LEFT) env->paddle_x -= BREAKOUT_PADDLE_SPEED;
    if (action == BREAKOUT_RIGHT) env->paddle_x += BREAKOUT_PADDLE_SPEED;
    env->paddle_x = clampf(env->paddle_x, half, BREAKOUT_FIELD_W - half);
}

// Runs the ticks of one step; returns 1 when the episode is over (terminal).
static int breakout_run_ticks(Env *env, int action) {
    for (int i = 0; i < env->frameskip; i++) {
        breakout_move_paddle(env, action);
        if (breakout_ball_tick(env)) {
            env->balls_left -= 1;
            if (env->balls_left <= 0) return 1;
            breakout_serve(env);
        }
        if (env->bricks_left == 0) return 1;
    }
    return 0;
}

static void env_step(Env *env) {
    if (env->done) {  // autoreset off: keep the final state, flags and log until reset
        env->io.rewards[0] = 0.0f;
        return;
    }
    int action = env->io.actions[0];
    if (action < 0 || action >= BREAKOUT_NUM_ACTIONS) action = BREAKOUT_NOOP;
    env->io.rewards[0] = 0.0f;
    env->io.terminals[0] = 0;
    env->io.truncations[0] = 0;
    env->step_points = 0;
    int terminal = breakout_run_ticks(env, action);
    env->steps += 1;
    env->score += env->step_points;
    env->io.rewards[0] = (float)env->step_points;
    int truncated = !terminal && env->steps >= env->max_steps;
    if (terminal || truncated) {
        env->io.terminals[0] = (uint8_t)terminal;
        env->io.truncations[0] = (uint8_t)truncated;
        float score = (float)env->score;
        log_add(&env->io.log[0], score, (float)env->steps, score, score / ENV_SPEC.max_score);
        if (env->io.autoreset) {
            breakout_new_episode(env);
            return;
        }
        env->done = 1;
    }
    breakout_write_obs(env);
}

// Scripted player: keep the paddle's center under the ball, with a small dead zone.
static int env_baseline_action(Env *env, int agent) {
    (void)agent;
    float dx = env->ball_x - env->paddle_x;
    if (dx < -3.0f) return BREAKOUT_LEFT;
    if (dx > 3.0f) return BREAKOUT_RIGHT;
    return BREAKOUT_NOOP;
}

#endif
